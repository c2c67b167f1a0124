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
	/*
	 * No event hookable yet: succeed anyway and attach when a module that
	 * makes hooks possible loads (the exporter serves self-metrics
	 * meanwhile). Without it collector_open() fails with -ENOENT.
	 */
	bool keep_waiting;
	record_fn on_record;
	void *ctx;
};

struct collector;

int collector_open(struct collector **out, const struct collector_opts *opts,
		   char *err, size_t errlen);
/* wait up to @timeout_ms (-1: forever) and deliver records; -EINTR on signal */
int collector_poll(struct collector *c, int timeout_ms);
/*
 * How long the caller may wait on collector_fd() before it must call
 * collector_poll() anyway (-1: until the fd polls readable): while records
 * keep coming the ring is drained on a timer, not on wake-ups (collect.c).
 */
int collector_timeout_ms(struct collector *c);
/* what is left in the ring, delivered now (when tphtrace stops) */
int collector_drain(struct collector *c);
/* an fd that polls readable when collector_poll() has work (records, uevents) */
int collector_fd(struct collector *c);
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
/* events with a hook, programs attached */
int collector_hooked(struct collector *c);
int collector_nlinks(struct collector *c);

/*
 * Where collector_open() spent its time (seconds, CLOCK_MONOTONIC), for
 * bench/bpfbench startparts: probing the kernel, planning the hooks,
 * opening the BPF object, loading (libbpf's BTF work and the verifier),
 * attaching and starting the sampled fallback.
 */
struct collector_times {
	double setup_s;		/* privileges, libbpf handlers, CO-RE roots */
	double probe_s, plan_s, open_s, load_s, attach_s;
	double poller_s;	/* the iter/dmabuf fallback, where planned */
};
const struct collector_times *collector_times(struct collector *c);
void collector_close(struct collector *c);

/* Kernel statistics of one loaded program (bpf_prog_info). */
struct prog_stats {
	char name[64];		/* the program's full name (not cut at 15) */
	uint64_t run_time_ns;
	uint64_t run_cnt;
	uint64_t recursion_misses;
};

/*
 * The programs this collector loaded, by name, with their run time and run
 * count (they count while BPF statistics are on). Reading them needs no
 * privilege: it works after the capabilities are dropped.
 */
int collector_prog_stats(struct collector *c, struct prog_stats *out, int max);

/*
 * Kernel BPF run-time statistics on (BPF_ENABLE_STATS) for as long as the
 * returned fd is open (needs CAP_SYS_ADMIN); -errno when refused.
 */
int collector_enable_stats(void);

/*
 * The hook plan of this kernel without loading anything (tphtrace probe):
 * the one place besides collector_open() that plans hooks.
 */
int collector_plan_only(const struct hook_force *force, struct hook_plan *plan,
			char *err, size_t errlen);

/* privilege check: 0, or -EPERM with the missing capability in @err */
int check_privileges(char *err, size_t errlen);

/* the record path of the ring buffer (tests drive it without BPF): checks
 * @len bytes at @data, normalises device names, hands it to on_record */
int collector_deliver(const struct collector_opts *opts, const void *data, size_t len);

#endif /* TPHTRACE_COLLECT_H */
