/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One way to run a view (trace, list, top, check, exporter): where the
 * records come from (a replayed file, or live BPF started before the state
 * recovered at start, so nothing falls between the two), signals, the
 * loop (until Ctrl-C, --duration, or the view says stop), keys on a
 * terminal, lost-record accounting, and the cleanup. The view supplies
 * what it does with each record and what it does on each tick.
 */
#ifndef TPHTRACE_RUNNER_H
#define TPHTRACE_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include "collect.h"
#include "opts.h"
#include "state.h"

struct runner;

struct runner_ops {
	/* every record: replayed, recovered at start, live */
	record_fn on_record;
	/* tphtrace's own lost records changed (totals so far) */
	void (*on_lost)(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state);
	/* the sources are open, the loop has not started (0: go on; > 0: stop
	 * with that exit code; < 0: stop, exit 0) */
	int (*on_ready)(void *ctx, struct runner *r);
	/* every tick_ms; nonzero: stop */
	int (*on_tick)(void *ctx, struct runner *r);
	/* a key pressed on the terminal (cfg.keys); nonzero: stop */
	int (*on_key)(void *ctx, struct runner *r, int key);
	/* after each batch of live records (trace flushes its output); nonzero:
	 * stop */
	int (*on_batch)(void *ctx);
	void *ctx;
};

/* when to trace live */
enum runner_live {
	RUN_LIVE,		/* unless --replay; failing to is an error */
	RUN_LIVE_OR_STATE,	/* unless --replay; else what was recovered */
	RUN_LIVE_IF_DURATION,	/* only with --duration (list); failing to is
				 * an error: a view must not look traced when
				 * it is not */
};

struct runner_cfg {
	const struct cmd_opts *o;
	enum runner_live live;
	bool recover;		/* recover the state from before start */
	bool keep_waiting;	/* no hook yet: wait for a module (exporter) */
	bool loop_replay;	/* after a replay, loop until a signal (exporter) */
	bool loop;		/* loop even without live records (top) */
	int tick_ms;		/* 0: no ticks */
	bool keys;		/* read keys when stdin is a terminal (top) */
};

struct runner {
	struct runner_cfg cfg;
	struct runner_ops ops;
	struct collector *c;	/* live collector, NULL if none */
	char live_err[256];	/* why live tracing is unavailable */
	const char *replay;	/* file replayed, NULL if none */
	uint64_t replay_records;
	bool recovered;
	struct state_report st;	/* st.rv: what the recovery saw */
	double traced_s;	/* seconds traced live */
	uint64_t lost[TPH_DROP_MAX];
};

/*
 * Open the sources, call on_ready, run the loop. Returns 0, or the exit
 * code (2 after an error it printed as "tphtrace CMD: why"; on_ready's).
 */
int runner_run(struct runner *r, const struct runner_cfg *cfg, const struct runner_ops *ops);
void runner_close(struct runner *r);

/* live and attached */
static inline bool runner_live(const struct runner *r)
{
	return r->c != NULL;
}

/* events hooked live (0: none or not live) */
int runner_hooked(const struct runner *r);
/* a termination signal arrived */
bool runner_stopping(void);

double runner_now(void);

#endif /* TPHTRACE_RUNNER_H */
