// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Trace-file replay and the feed that drives the model and the rules. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "collect.h"
#include "record.h"
#include "filter.h"
#include "linereader.h"
#include "replay.h"

static uint64_t get_u64(struct json_object *o, const char *key, bool *ok)
{
	struct json_object *v = json_object_object_get(o, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
		*ok = false;
		return 0;
	}
	return json_object_get_uint64(v);
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* the signal that interrupted a replay (0: none); see replay_stream() */
static volatile sig_atomic_t replay_signal;

static void on_replay_signal(int sig)
{
	replay_signal = sig;
}

static const int replay_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIG_REPLAY (sizeof(replay_signals) / sizeof(replay_signals[0]))

/*
 * A replay is a batch job over a file that can be large or endless (a pipe):
 * SIGINT, SIGTERM and SIGHUP stop it between lines and it fails (-EINTR),
 * so that no view presents a partial replay as a complete result. Without
 * SA_RESTART so that a read blocked on a pipe returns.
 */
static void replay_signals_catch(struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = on_replay_signal };
	size_t i;

	replay_signal = 0;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIG_REPLAY; i++)
		sigaction(replay_signals[i], &sa, &old[i]);
}

static void replay_signals_restore(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NSIG_REPLAY; i++)
		sigaction(replay_signals[i], &old[i], NULL);
}

static long replay_lines(struct line_reader *lr, const char *name,
			 const struct replay_ops *ops, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	char *line, why[160];
	size_t len;
	long n = 0, ret = 0;
	union tph_record rec;
	int r;

	if (!tok) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	while ((r = line_reader_next(lr, &line, &len)) > 0) {
		struct json_object *o, *k;
		enum json_tokener_error jerr;
		unsigned long lineno = line_reader_lineno(lr);
		bool ok = true;

		if (blank(line))
			continue;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, line, (int)len);
		jerr = json_tokener_get_error(tok);
		if (!o || jerr != json_tokener_success ||
		    !blank(line + json_tokener_get_parse_end(tok))) {
			snprintf(err, errlen, "%s:%lu: not a JSON object (%s)", name, lineno,
				 !o || jerr != json_tokener_success ?
				 json_tokener_error_desc(jerr) : "trailing data");
			json_object_put(o);
			ret = -EINVAL;
			break;
		}
		k = json_object_object_get(o, "kind");
		if (k && json_object_is_type(k, json_type_string) &&
		    !strcmp(json_object_get_string(k), "lost")) {
			uint64_t t = get_u64(o, "records", &ok);
			uint64_t rb = get_u64(o, "ringbuf", &ok);
			uint64_t st = get_u64(o, "state", &ok);

			json_object_put(o);
			if (!ok) {
				snprintf(err, errlen, "%s:%lu: bad \"lost\" line", name, lineno);
				ret = -EINVAL;
				break;
			}
			if (ops->on_lost)
				ops->on_lost(ops->ctx, t, rb, st);
			continue;
		}
		if (tph_record_from_json(o, &rec, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%lu: %s", name, lineno, why);
			json_object_put(o);
			ret = -EINVAL;
			break;
		}
		json_object_put(o);
		n++;
		if (ops->on_record && (ret = ops->on_record(ops->ctx, &rec)) < 0) {
			snprintf(err, errlen, "%s:%lu: %s", name, lineno, strerror((int)-ret));
			break;
		}
		ret = 0;
	}
	if (r < 0) {
		ret = r;
		if (r == -EINTR && replay_signal)
			snprintf(err, errlen, "%s:%lu: interrupted by %s: the replay is "
				 "incomplete, nothing is reported", name,
				 line_reader_lineno(lr), strsignal(replay_signal));
		else
			snprintf(err, errlen, "%s:%lu: %s", name, line_reader_lineno(lr),
				 line_reader_error(lr));
	}
	json_tokener_free(tok);
	return ret < 0 ? ret : n;
}

long replay_stream(FILE *f, const char *name, const struct replay_ops *ops,
		   char *err, size_t errlen)
{
	struct sigaction old[NSIG_REPLAY];
	struct line_reader lr;
	long ret;

	ret = line_reader_init(&lr, f, REPLAY_MAX_LINE, &replay_signal);
	if (ret) {
		snprintf(err, errlen, "%s: %s", name, line_reader_error(&lr));
		return ret;
	}
	replay_signals_catch(old);
	ret = replay_lines(&lr, name, ops, err, errlen);
	replay_signals_restore(old);
	line_reader_free(&lr);
	return ret;
}

long replay_file(const char *path, const struct replay_ops *ops, char *err,
		 size_t errlen)
{
	FILE *f;
	long ret;

	if (!strcmp(path, "-"))
		return replay_stream(stdin, "<stdin>", ops, err, errlen);
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = replay_stream(f, path, ops, err, errlen);
	fclose(f);
	return ret;
}

/* ---- feed -------------------------------------------------------------------- */

double feed_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void feed_default_opts(struct feed_opts *o)
{
	memset(o, 0, sizeof(*o));
	model_default_limits(&o->lim);
	o->max_findings = 4096;
}

static int parse_count(const char *arg, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || *end || !*arg || *arg == '-' || v == 0 || v > (1ul << 26))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int feed_parse_opt(struct feed_opts *o, int key, const char *arg, char *err,
		   size_t errlen)
{
	uint32_t *dst;

	switch (key) {
	case 'p': {
		struct rec_filter f = {};

		if (filter_parse(&f, 'p', arg, err, errlen))
			return -EINVAL;
		o->filter_tgid = f.pid;
		return 0;
	}
	case 'v':
		o->verbose = true;
		return 0;
	case FEED_OPT_MAX_BUFS:
		dst = &o->lim.bufs;
		break;
	case FEED_OPT_MAX_MRS:
		dst = &o->lim.mrs;
		break;
	case FEED_OPT_MAX_ATTACH:
		dst = &o->lim.attachments;
		break;
	case FEED_OPT_MAX_FINDINGS:
		dst = &o->max_findings;
		break;
	case FEED_OPT_HOOKS:
		return hooks_parse_force(&o->force, arg, err, errlen) ? -EINVAL : 0;
	case FEED_OPT_POLL_INTERVAL:
		if (!collector_parse_interval(arg, &o->poll_interval_s))
			return 0;
		snprintf(err, errlen, "invalid poll interval '%s' (seconds, >= 0.01)", arg);
		return -EINVAL;
	default:
		return 1;
	}
	if (parse_count(arg, dst)) {
		snprintf(err, errlen, "invalid count '%s' (1..%lu)", arg, 1ul << 26);
		return -EINVAL;
	}
	/* holders follow dma-bufs: two processes per dma-buf on average */
	if (key == FEED_OPT_MAX_BUFS)
		o->lim.holders = *dst > (1u << 25) ? 1u << 26 : *dst * 2;
	return 0;
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
	if (f->c)
		collector_close(f->c);
	f->c = NULL;
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

int feed_open_live(struct feed *f, const struct feed_opts *o)
{
	struct collector_opts co = {
		.force = &o->force,
		.filter_tgid = o->filter_tgid,
		.verbose = o->verbose,
		.poll_interval_s = o->poll_interval_s,
		.on_record = feed_record,
		.ctx = f,
	};
	int ret;

	ret = collector_open(&f->c, &co, f->live_err, sizeof(f->live_err));
	if (ret) {
		f->c = NULL;
		if (!f->live_err[0])
			snprintf(f->live_err, sizeof(f->live_err), "%s", strerror(-ret));
		return ret;
	}
	f->live = true;
	f->hooked = TPH_EV_MAX - 1 - hooks_unavailable(collector_plan(f->c));
	return 0;
}

int feed_poll(struct feed *f, int timeout_ms)
{
	uint64_t lost[TPH_DROP_MAX];
	int ret;

	if (!f->c)
		return -ENOTCONN;
	ret = collector_poll(f->c, timeout_ms);
	if (!collector_lost(f->c, lost))
		model_set_lost(&f->m, lost[TPH_DROP_RINGBUF] + lost[TPH_DROP_STATE],
			       lost[TPH_DROP_RINGBUF], lost[TPH_DROP_STATE]);
	return ret;
}

void feed_recover(struct feed *f, const struct state_opts *so)
{
	state_recover(so, feed_record, f, &f->st);
	f->recovered = true;
}

int feed_replay(struct feed *f, const char *path, char *err, size_t errlen)
{
	struct replay_ops ops = { feed_record, feed_lost, f };
	long n = replay_file(path, &ops, err, errlen);

	if (n < 0)
		return (int)n;
	f->replay = path;
	f->replay_records = (uint64_t)n;
	return 0;
}
