/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Record filters of the CLI: process, dma-buf inode, device. */
#ifndef TPHTRACE_FILTER_H
#define TPHTRACE_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include "tphtrace/tphtrace.h"

struct rec_filter {
	uint32_t pid;		/* tgid, 0: any */
	uint64_t ino;		/* 0: any */
	char dev[TPH_NAME_LEN];	/* "": any */
};

/* @key 'p', 'i' or 'd'; -EINVAL with a message on bad input */
int filter_parse(struct rec_filter *f, int key, const char *arg, char *err,
		 size_t errlen);
bool filter_match(const struct rec_filter *f, const union tph_record *rec);

#endif /* TPHTRACE_FILTER_H */
