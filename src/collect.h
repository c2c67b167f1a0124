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
int collector_nlinks(struct collector *c);
void collector_close(struct collector *c);

/* privilege check: 0, or -EPERM with the missing capability in @err */
int check_privileges(char *err, size_t errlen);

#endif /* TPHTRACE_COLLECT_H */
