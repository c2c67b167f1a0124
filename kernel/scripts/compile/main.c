// SPDX-License-Identifier: GPL-2.0
/* kernel/scripts/compile-check.sh: the module the trace headers compile in */
#include <linux/module.h>

MODULE_DESCRIPTION("compile check of the TPH tracepoint headers");
MODULE_LICENSE("GPL");
