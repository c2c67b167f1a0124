/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Collector: loads the programs the hook plan selects, attaches them,
 * and delivers validated records from the ring buffer. Lost records are
 * counted in BPF and read here. When a relevant module loads later
 * (uevent), the plan is recomputed and newly possible hooks are attached
 * in a second object that shares the maps.
 */
#ifndef TPHTRACE_COLLECT_H
#define TPHTRACE_COLLECT_H

#include <stdbool.h>
#include <stdint.h>
#include "hooks.h"

typedef int (*record_fn)(void *ctx, const union tph_record *rec);

struct collector_opts {
	const struct hook_force *force;
	uint32_t filter_tgid;
	bool verbose;
	double poll_interval_s;		/* hook "iter" snapshots; 0: 1 s */
	record_fn on_record;
	void *ctx;
};

struct collector;

int collector_open(struct collector **out, const struct collector_opts *opts,
		   char *err, size_t errlen);
/* wait up to @timeout_ms (-1: forever) and deliver records; -EINTR on signal */
int collector_poll(struct collector *c, int timeout_ms);
/* total records lost so far, by cause (enum tph_drop) */
int collector_lost(struct collector *c, uint64_t lost[TPH_DROP_MAX]);
const struct hook_plan *collector_plan(struct collector *c);
/*
 * "" when no event is sampled, else one line for people naming the events
 * sampled from iter/dmabuf snapshots, the interval and its limit
 */
void collector_sampled_str(struct collector *c, char *buf, size_t len);

/* --poll-interval, spelled and documented the same in every command */
#define POLL_INTERVAL_OPT(key)						\
	{ "poll-interval", key, "SECONDS", 0,				\
	  "Where no export/release hook exists: iter/dmabuf snapshot interval "	\
	  "of the sampled fallback (default 1; dma-bufs living shorter are not "	\
	  "seen; at least 0.01)", 0 }
/* parse a --poll-interval value; -EINVAL unless >= 0.01 s */
int collector_parse_interval(const char *arg, double *out);
int collector_nlinks(struct collector *c);
void collector_close(struct collector *c);

/* privilege check: 0, or -EPERM with the missing capability in @err */
int check_privileges(char *err, size_t errlen);

#endif /* TPHTRACE_COLLECT_H */
