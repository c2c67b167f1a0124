/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading a `tphtrace trace -j` file (docs/trace-format.md): one record per
 * line; "lost" status lines report tphtrace's own losses. The runner
 * (runner.h) replays files for every view.
 */
#ifndef TPHTRACE_REPLAY_H
#define TPHTRACE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "tphtrace/tphtrace.h"

struct replay_ops {
	int (*on_record)(void *ctx, const union tph_record *rec);
	/* "kind":"lost" lines: totals so far */
	void (*on_lost)(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state);
	void *ctx;
	/* only records up to this time (ns, CLOCK_MONOTONIC as "ts"); 0: all */
	uint64_t until_ns;
	/* until_ns counts from the file's first record */
	bool until_relative;
	uint32_t only_tgid;	/* 0: every process */
};

/* Longest trace line accepted: a record's longest JSON line is < 1500 bytes. */
#define REPLAY_MAX_LINE 16384

/*
 * Read every line of @f (@name for messages). Blank lines are skipped.
 * Returns the number of records applied, or a negative code with "NAME:LINE:
 * why" in @err for the first line that is malformed (-EINVAL), too long
 * (-E2BIG), holds a NUL byte (-EILSEQ), cannot be read (-errno, -EISDIR for
 * a directory), or when SIGINT, SIGTERM or SIGHUP arrived while reading
 * (-EINTR; caught only for the duration of the call). Nothing read before
 * an error may be shown as a result.
 */
long replay_stream(FILE *f, const char *name, const struct replay_ops *ops,
		   char *err, size_t errlen);
/* @path "-" reads stdin */
long replay_file(const char *path, const struct replay_ops *ops, char *err,
		 size_t errlen);

#endif /* TPHTRACE_REPLAY_H */
