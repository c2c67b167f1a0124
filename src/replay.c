// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Trace-file replay. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "record.h"
#include "linereader.h"
#include "replay.h"
#include "stopsig.h"

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
	for (i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

static void replay_signals_restore(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

static long replay_lines(struct line_reader *lr, const char *name,
			 const struct replay_ops *ops, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	char *line, why[160];
	size_t len;
	long n = 0, ret = 0;
	uint64_t until = ops->until_ns;
	bool first = true, past = false;
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
			/* totals so far: those after --at are not yet known then */
			if (ops->on_lost && !past)
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
		if (first && ops->until_relative)
			until += rec.hdr.ts_ns;
		first = false;
		if ((ops->until_ns || ops->until_relative) && rec.hdr.ts_ns > until) {
			past = true;
			continue;
		}
		if (ops->only_tgid && rec.hdr.tgid != ops->only_tgid)
			continue;
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
	struct sigaction old[N_STOP_SIGNALS];
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

