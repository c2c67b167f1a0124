// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Sources, signals, the loop and the cleanup of every view (runner.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "replay.h"
#include "stopsig.h"
#include "runner.h"

static volatile sig_atomic_t stop_sig;
static struct termios saved_term;
static bool term_raw;

static void on_signal(int sig)
{
	stop_sig = sig;
}

bool runner_stopping(void)
{
	return stop_sig != 0;
}

double runner_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int runner_hooked(const struct runner *r)
{
	return r->c ? collector_hooked(r->c) : 0;
}

/* keys without Enter and without echo, while the view runs */
static void keys_on(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_term))
		return;
	t = saved_term;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t))
		term_raw = true;
}

static void keys_off(void)
{
	if (term_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_term);
	term_raw = false;
}

static int do_replay(struct runner *r)
{
	const struct cmd_opts *o = r->cfg.o;
	struct replay_ops ops = {
		.on_record = r->ops.on_record,
		.on_lost = r->ops.on_lost,
		.ctx = r->ops.ctx,
		.until_ns = o->have_at ? o->at_ns : 0,
		.until_relative = o->have_at && o->at_relative,
		.only_tgid = o->filter.pid,
	};
	char err[320];
	long n;

	n = replay_file(o->replay, &ops, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "tphtrace %s: %s\n", o->cmd, err);
		return 2;
	}
	r->replay = o->replay;
	r->replay_records = (uint64_t)n;
	return 0;
}

static int open_live(struct runner *r)
{
	const struct cmd_opts *o = r->cfg.o;
	struct collector_opts co = {
		.force = &o->force,
		.filter_tgid = o->filter.pid,
		.verbose = o->verbose,
		.keep_waiting = r->cfg.keep_waiting,
		.poll_interval_s = o->poll_interval_s,
		.on_record = r->ops.on_record,
		.ctx = r->ops.ctx,
	};
	int ret;

	ret = collector_open(&r->c, &co, r->live_err, sizeof(r->live_err));
	if (!ret) {
		/* events seen by sampling say what they cannot see */
		collector_sampled_str(r->c, r->live_err, sizeof(r->live_err));
		if (r->live_err[0])
			fprintf(stderr, "tphtrace: %s\n", r->live_err);
		r->live_err[0] = '\0';
		return 0;
	}
	r->c = NULL;
	if (!r->live_err[0])
		snprintf(r->live_err, sizeof(r->live_err), "%s", strerror(-ret));
	if (r->cfg.live != RUN_LIVE_OR_STATE) {
		fprintf(stderr, "tphtrace %s: live tracing unavailable: %s\n", o->cmd,
			r->live_err);
		return 2;
	}
	fprintf(stderr, "tphtrace %s: live tracing unavailable: %s; showing what was "
		"recovered from before start\n", o->cmd, r->live_err);
	return 0;
}

static void check_lost(struct runner *r)
{
	uint64_t lost[TPH_DROP_MAX];

	if (!r->c || collector_lost(r->c, lost) || !memcmp(lost, r->lost, sizeof(lost)))
		return;
	memcpy(r->lost, lost, sizeof(lost));
	if (r->ops.on_lost)
		r->ops.on_lost(r->ops.ctx, lost[TPH_DROP_RINGBUF] + lost[TPH_DROP_STATE],
			       lost[TPH_DROP_RINGBUF], lost[TPH_DROP_STATE]);
}

static int ms_until(double t, double now)
{
	return t <= now ? 0 : (int)((t - now) * 1000) + 1;
}

/* one wait: records, a key, or the next deadline; 1 to stop, 2 on error */
static int step(struct runner *r, double end, double *next_tick)
{
	struct pollfd pfd[2];
	int np = 0, timeout = -1, n, ret, ci = -1, ki = -1;
	double now = runner_now();
	char key;

	if (end && now >= end)
		return 1;
	if (end)
		timeout = ms_until(end, now);
	if (*next_tick && (timeout < 0 || ms_until(*next_tick, now) < timeout))
		timeout = ms_until(*next_tick, now);
	if (r->c) {
		ci = np;
		pfd[np++] = (struct pollfd){ .fd = collector_fd(r->c), .events = POLLIN };
		n = collector_timeout_ms(r->c);
		if (n >= 0 && (timeout < 0 || n < timeout))
			timeout = n;
	}
	if (term_raw) {
		ki = np;
		pfd[np++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	}
	n = poll_unless_stopped(pfd, np, timeout, &stop_sig);
	if (n < 0)
		return errno == EINTR ? 0 : 2;
	if (ci >= 0 && ((pfd[ci].revents & POLLIN) || collector_timeout_ms(r->c) >= 0)) {
		ret = collector_poll(r->c, 0);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "tphtrace %s: ring buffer: %s\n", r->cfg.o->cmd,
				strerror(-ret));
			return 2;
		}
		if (r->ops.on_batch && r->ops.on_batch(r->ops.ctx))
			return 1;
	}
	check_lost(r);
	if (ki >= 0 && (pfd[ki].revents & POLLIN) && read(STDIN_FILENO, &key, 1) == 1 &&
	    r->ops.on_key && r->ops.on_key(r->ops.ctx, r, key))
		return 1;
	if (*next_tick && runner_now() >= *next_tick) {
		*next_tick += r->cfg.tick_ms / 1000.0;
		if (r->ops.on_tick && r->ops.on_tick(r->ops.ctx, r))
			return 1;
	}
	return 0;
}

static int loop(struct runner *r)
{
	double start = runner_now(), next_tick = 0, end = 0;
	int ret = 0;

	if (r->cfg.o->duration > 0)
		end = start + r->cfg.o->duration;
	if (r->cfg.tick_ms > 0)
		next_tick = start + r->cfg.tick_ms / 1000.0;
	if (r->cfg.keys)
		keys_on();
	while (!stop_sig && !ret)
		ret = step(r, end, &next_tick);
	/* records committed before the stop, not yet drained (collect.c) */
	if (r->c && ret != 2 && collector_drain(r->c) > 0 && r->ops.on_batch)
		r->ops.on_batch(r->ops.ctx);
	keys_off();
	r->traced_s = runner_now() - start;
	return ret == 2 ? 2 : 0;
}

int runner_run(struct runner *r, const struct runner_cfg *cfg, const struct runner_ops *ops)
{
	const struct cmd_opts *o = cfg->o;
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int i;
	bool live;
	int ret;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->ops = *ops;
	for (i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, NULL);
	if (o->replay) {
		ret = do_replay(r);
		if (ret)
			return ret;
	} else {
		live = cfg->live != RUN_LIVE_IF_DURATION || o->duration > 0;
		/* live first, then the scan: nothing falls between the two */
		if (live && (ret = open_live(r)))
			return ret;
		if (cfg->recover) {
			/* -v: the inventory's libbpf messages too */
			struct state_opts so = { .verbose = o->verbose };

			state_recover(&so, ops->on_record, ops->ctx, &r->st);
			r->recovered = true;
		}
	}
	check_lost(r);
	if (ops->on_ready && (ret = ops->on_ready(ops->ctx, r)))
		return ret < 0 ? 0 : ret;
	if (r->c || cfg->loop || (r->replay && cfg->loop_replay))
		return loop(r);
	return 0;
}

void runner_close(struct runner *r)
{
	keys_off();
	collector_close(r->c);
	r->c = NULL;
}
