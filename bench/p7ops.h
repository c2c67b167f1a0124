/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* bpfbench's P7 subcommands (bench/p7ops.c) */
#ifndef TPHTRACE_BENCH_P7OPS_H
#define TPHTRACE_BENCH_P7OPS_H

int cmd_p7mr(int argc, char **argv);
int cmd_p7dmabuf(int argc, char **argv);

#endif
