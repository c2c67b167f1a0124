// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tphtrace check (being written) */
#include <stdio.h>
#include "cmds.h"

int cmd_check(int argc, char **argv)
{
	fprintf(stderr, "tphtrace check: not implemented yet\n");
	return 2;
}
