/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Option values shared by several commands. */
#ifndef TPHTRACE_ARGS_H
#define TPHTRACE_ARGS_H

/* a positive number of seconds ("0.5", "10"); -EINVAL otherwise */
int args_seconds(const char *arg, double *out);

#endif /* TPHTRACE_ARGS_H */
