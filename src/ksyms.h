/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Addresses of a few kernel symbols (data included, CONFIG_KALLSYMS_ALL)
 * from /proc/kallsyms, every occurrence with its module: a static symbol
 * of the same name can exist in several modules.
 */
#ifndef TPHTRACE_KSYMS_H
#define TPHTRACE_KSYMS_H

#include <stdint.h>

#define KSYM_MAX_HITS	4

struct ksym_hit {
	uint64_t addr;
	char module[56];	/* "" for vmlinux */
};

struct ksym_want {
	const char *name;
	int nhits;
	struct ksym_hit hit[KSYM_MAX_HITS];
};

/* one pass over @path (NULL: /proc/kallsyms); 0 or -errno */
int ksyms_lookup(const char *path, struct ksym_want *w, int n);

#endif /* TPHTRACE_KSYMS_H */
