/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The lifetime fallback (hook family "iter" in src/hook_table.c): an
 * iter/dmabuf snapshot every interval, diffed against the previous one,
 * reported as sampled dmabuf_export / dmabuf_release records. The collector
 * owns the timer (a timerfd in its epoll set): no thread, and nothing
 * happens between ticks.
 */
#ifndef TPHTRACE_POLLER_H
#define TPHTRACE_POLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

#define POLL_INTERVAL_DEFAULT_S	1.0

struct poller;

/*
 * @kinds: (1 << TPH_EV_DMABUF_EXPORT) and/or (1 << TPH_EV_DMABUF_RELEASE).
 * Takes the first snapshot (the baseline: what exists now is not reported).
 */
int poller_open(struct poller **out, unsigned int kinds, double interval_s,
		bool verbose, char *why, size_t len);
/* the timerfd to wait on (readable at every tick) */
int poller_fd(const struct poller *p);
/* one tick: snapshot, diff, records to @fn; number of records or -errno */
long poller_tick(struct poller *p, snap_record_fn fn, void *ctx);
/* last snapshot's cost and size (bench, messages) */
void poller_stats(const struct poller *p, size_t *nbufs, uint64_t *last_ns);
void poller_close(struct poller *p);

#endif /* TPHTRACE_POLLER_H */
