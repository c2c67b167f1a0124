// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tphtrace list (being written) */
#include <stdio.h>
#include "cmds.h"

int cmd_list(int argc, char **argv)
{
	fprintf(stderr, "tphtrace list: not implemented yet\n");
	return 2;
}
