// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Model + rules: the path of every record of the model-based views. */
#include <errno.h>
#include <string.h>
#include "feed.h"

void feed_default_opts(struct feed_opts *o)
{
	memset(o, 0, sizeof(*o));
	model_default_limits(&o->lim);
	o->max_findings = 4096;
}

int feed_init(struct feed *f, const struct feed_opts *o)
{
	memset(f, 0, sizeof(*f));
	if (model_init(&f->m, &o->lim))
		return -ENOMEM;
	if (rules_init(&f->rs, &f->m, o->max_findings)) {
		model_free(&f->m);
		return -ENOMEM;
	}
	return 0;
}

void feed_close(struct feed *f)
{
	rules_free(&f->rs);
	model_free(&f->m);
}

int feed_record(void *ctx, const union tph_record *rec)
{
	struct feed *f = ctx;

	if (model_apply(&f->m, rec))
		return 0;
	rules_on_record(&f->rs, rec);
	return 0;
}

void feed_lost(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state)
{
	struct feed *f = ctx;

	model_set_lost(&f->m, total, ringbuf, state);
}
