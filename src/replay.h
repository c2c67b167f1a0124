/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Inputs of the model-based views (list, top, check):
 *  - replay_file(): a `tphtrace trace -j` file (docs/trace-format.md), one
 *    record per line; "lost" status lines report tphtrace's own losses;
 *  - struct feed: model + rules fed by the live collector, by the state
 *    recovered at start, or by a replayed file, through one function.
 */
#ifndef TPHTRACE_REPLAY_H
#define TPHTRACE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "collect.h"
#include "hooks.h"
#include "model.h"
#include "rules.h"
#include "state.h"

struct replay_ops {
	int (*on_record)(void *ctx, const union tph_record *rec);
	/* "kind":"lost" lines: totals so far */
	void (*on_lost)(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state);
	void *ctx;
};

/* Longest trace line accepted: a record's longest JSON line is < 1500 bytes. */
#define REPLAY_MAX_LINE 16384

/*
 * Read every line of @f (@name for messages). Blank lines are skipped.
 * Returns the number of records, or a negative code with "NAME:LINE: why"
 * in @err for the first line that is malformed (-EINVAL), too long (-E2BIG),
 * holds a NUL byte (-EILSEQ), cannot be read (-errno, -EISDIR for a
 * directory), or when SIGINT, SIGTERM or SIGHUP arrived while reading
 * (-EINTR; caught only for the duration of the call). Nothing read before
 * an error may be shown as a result.
 */
long replay_stream(FILE *f, const char *name, const struct replay_ops *ops,
		   char *err, size_t errlen);
/* @path "-" reads stdin */
long replay_file(const char *path, const struct replay_ops *ops, char *err,
		 size_t errlen);

/* ---- feed: model + rules and where their records come from ------------- */

struct collector;

struct feed {
	struct model m;
	struct rules rs;
	struct collector *c;
	bool live;			/* collector running */
	char live_err[256];		/* why live tracing is unavailable */
	int hooked;			/* events with a hook */
	bool recovered;			/* state_recover() ran */
	struct state_report st;
	const char *replay;		/* file replayed, NULL if none */
	uint64_t replay_records;
};

struct feed_opts {
	struct model_limits lim;
	uint32_t max_findings;
	struct hook_force force;
	bool verbose;
	uint32_t filter_tgid;
	double poll_interval_s;		/* --poll-interval, 0: default */
};

void feed_default_opts(struct feed_opts *o);
/* argp keys of the shared limit options (see FEED_LIMIT_OPTIONS) */
enum {
	FEED_OPT_MAX_BUFS = 0x200,
	FEED_OPT_MAX_MRS,
	FEED_OPT_MAX_ATTACH,
	FEED_OPT_MAX_FINDINGS,
	FEED_OPT_HOOKS,
	FEED_OPT_POLL_INTERVAL,
};
/* the options feed_parse_opt() takes: -p, --hooks, -v and the limits */
#define FEED_OPTIONS							\
	{ "pid", 'p', "PID", 0, "Live: only records of this process", 0 },	\
	{ "hooks", FEED_OPT_HOOKS, "EVENT=FAMILY", 0,			\
	  "Force a hook family (see trace)", 0 },			\
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },		\
	POLL_INTERVAL_OPT(FEED_OPT_POLL_INTERVAL),			\
	FEED_LIMIT_OPTIONS
#define FEED_LIMIT_OPTIONS						\
	{ "max-dmabufs", FEED_OPT_MAX_BUFS, "N", 0,			\
	  "Track at most N dma-bufs (default 131072); more are evicted and counted", 0 }, \
	{ "max-mrs", FEED_OPT_MAX_MRS, "N", 0, "Track at most N MRs (default 131072)", 0 }, \
	{ "max-attachments", FEED_OPT_MAX_ATTACH, "N", 0,		\
	  "Track at most N attachments (default 131072)", 0 },		\
	{ "max-findings", FEED_OPT_MAX_FINDINGS, "N", 0,		\
	  "Keep at most N distinct findings (default 4096)", 0 }
/* parse one of FEED_OPT_* (and --hooks); -EINVAL with a message, 1 if not ours */
/* the shared options (limits, --hooks, -p, -v); 1 if @key is not one */
int feed_parse_opt(struct feed_opts *o, int key, const char *arg, char *err,
		   size_t errlen);

int feed_init(struct feed *f, const struct feed_opts *o);
void feed_close(struct feed *f);
/* model_apply + rules: the one path every record takes */
int feed_record(void *ctx, const union tph_record *rec);
void feed_lost(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state);
/* start live tracing; on failure f->live_err says why (-errno) */
int feed_open_live(struct feed *f, const struct feed_opts *o);
/* wait up to @timeout_ms for records (live) and refresh lost counts */
int feed_poll(struct feed *f, int timeout_ms);
/* recover dma-bufs that existed before start (feeds "iter" records) */
void feed_recover(struct feed *f, const struct state_opts *so);
/* replay a trace file; -errno with the message in @err */
int feed_replay(struct feed *f, const char *path, char *err, size_t errlen);

double feed_now_s(void);

#endif /* TPHTRACE_REPLAY_H */
