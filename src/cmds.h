/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tphtrace sub-commands. Each takes the arguments after its name
 * (argv[0] is the command name, as for main) and returns the process exit
 * code: 0 success, 1 "degraded / findings" where the command defines it,
 * 2 error.
 */
#ifndef TPHTRACE_CMDS_H
#define TPHTRACE_CMDS_H

int cmd_trace(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_exporter(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif /* TPHTRACE_CMDS_H */
