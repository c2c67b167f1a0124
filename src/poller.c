// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Sampled dma-buf lifetimes from iter/dmabuf snapshots at an interval. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include "inventory.h"
#include "poller.h"

struct poller {
	struct inventory *inv;
	struct snapshot snap[2];	/* previous and current, swapped per tick */
	int prev;
	int tfd;
	unsigned int kinds;
	uint64_t last_ns;		/* cost of the last snapshot */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int poller_open(struct poller **out, unsigned int kinds, double interval_s,
		bool verbose, char *why, size_t len)
{
	struct itimerspec its = {};
	struct poller *p;
	uint64_t t0;
	int ret;

	if (!(interval_s > 0))
		interval_s = POLL_INTERVAL_DEFAULT_S;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->tfd = -1;
	p->kinds = kinds;
	snap_init(&p->snap[0]);
	snap_init(&p->snap[1]);
	ret = inventory_open(&p->inv, verbose, why, len);
	if (ret)
		goto cleanup;
	t0 = mono_ns();
	ret = inventory_snapshot(p->inv, &p->snap[0]);
	p->last_ns = mono_ns() - t0;
	if (ret) {
		snprintf(why, len, "iter/dmabuf: reading the iterator failed: %s", strerror(-ret));
		goto cleanup;
	}
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (p->tfd < 0) {
		ret = -errno;
		snprintf(why, len, "timerfd: %s", strerror(-ret));
		goto cleanup;
	}
	its.it_interval.tv_sec = (time_t)interval_s;
	its.it_interval.tv_nsec = (long)((interval_s - (double)(time_t)interval_s) * 1e9);
	its.it_value = its.it_interval;
	if (timerfd_settime(p->tfd, 0, &its, NULL)) {
		ret = -errno;
		snprintf(why, len, "timerfd: %s", strerror(-ret));
		goto cleanup;
	}
	*out = p;
	return 0;
cleanup:
	poller_close(p);
	return ret;
}

int poller_fd(const struct poller *p)
{
	return p->tfd;
}

long poller_tick(struct poller *p, snap_record_fn fn, void *ctx)
{
	struct snapshot *old = &p->snap[p->prev], *cur = &p->snap[!p->prev];
	uint64_t expirations, t0;
	int ret;

	/* ticks missed while busy collapse into this one: one snapshot covers them */
	if (read(p->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return -errno;
	t0 = mono_ns();
	ret = inventory_snapshot(p->inv, cur);
	p->last_ns = mono_ns() - t0;
	if (ret)
		return ret;
	p->prev = !p->prev;
	return (long)snap_diff(old, cur, p->kinds, fn, ctx);
}

void poller_stats(const struct poller *p, size_t *nbufs, uint64_t *last_ns)
{
	*nbufs = p->snap[p->prev].nbufs;
	*last_ns = p->last_ns;
}

void poller_close(struct poller *p)
{
	if (!p)
		return;
	if (p->tfd >= 0)
		close(p->tfd);
	snap_free(&p->snap[0]);
	snap_free(&p->snap[1]);
	inventory_close(p->inv);
	free(p);
}
