/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one path every record takes into the model-based views (list, top,
 * check, exporter): model_apply() then the rules triggered by the record.
 * Where the records come from (a trace file, the state recovered at start,
 * live BPF) is the runner's business (runner.h).
 */
#ifndef TPHTRACE_FEED_H
#define TPHTRACE_FEED_H

#include <stdint.h>
#include "model.h"
#include "rules.h"

struct feed {
	struct model m;
	struct rules rs;
};

struct feed_opts {
	struct model_limits lim;
	uint32_t max_findings;
};

void feed_default_opts(struct feed_opts *o);
int feed_init(struct feed *f, const struct feed_opts *o);
void feed_close(struct feed *f);
/* model_apply + rules (a record_fn; @ctx is the feed) */
int feed_record(void *ctx, const union tph_record *rec);
/* tphtrace's own lost records, totals so far */
void feed_lost(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state);

#endif /* TPHTRACE_FEED_H */
