// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A few symbols' addresses from /proc/kallsyms, in one buffered pass. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

/* "ADDR T NAME[\t[MODULE]]" */
static void match_line(char *line, struct ksym_want *w, int n)
{
	char *name, *end, *mod, *sp = strchr(line, ' ');
	size_t len;
	int i;

	if (!sp || !sp[1] || sp[2] != ' ')
		return;
	name = sp + 3;
	end = name + strcspn(name, "\t ");
	len = (size_t)(end - name);
	for (i = 0; i < n; i++) {
		struct ksym_hit *h;

		if (strncmp(w[i].name, name, len) || w[i].name[len] ||
		    w[i].nhits >= KSYM_MAX_HITS)
			continue;
		h = &w[i].hit[w[i].nhits++];
		h->addr = strtoull(line, NULL, 16);
		h->module[0] = '\0';
		mod = strchr(end, '[');
		if (mod)
			snprintf(h->module, sizeof(h->module), "%.*s",
				 (int)strcspn(mod + 1, "]"), mod + 1);
		return;
	}
}

int ksyms_lookup(const char *path, struct ksym_want *w, int n)
{
	char line[512];
	FILE *f;
	int i;

	for (i = 0; i < n; i++)
		w[i].nhits = 0;
	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f)
		return -errno;
	/* a large stdio buffer: the kernel formats kallsyms per read() call */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		match_line(line, w, n);
	}
	i = ferror(f) ? -EIO : 0;
	fclose(f);
	return i;
}
