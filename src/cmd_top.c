// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tphtrace top (being written) */
#include <stdio.h>
#include "cmds.h"

int cmd_top(int argc, char **argv)
{
	fprintf(stderr, "tphtrace top: not implemented yet\n");
	return 2;
}
