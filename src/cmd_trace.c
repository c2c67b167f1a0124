// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tphtrace trace: stream every record as text columns or JSON lines. */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "args.h"
#include "cmds.h"
#include "collect.h"
#include "filter.h"
#include "record.h"

struct trace_args {
	struct hook_force force;
	struct rec_filter filter;
	bool json;
	bool timestamps;
	bool verbose;
	double duration;
	double poll_interval;
	uint64_t lost_shown;
	FILE *out;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

enum { OPT_HOOKS = 0x100, OPT_POLL_INTERVAL };

static const struct argp_option trace_opts[] = {
	{ "json", 'j', NULL, 0, "JSON lines (docs/trace-format.md)", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp on each line", 0 },
	{ "pid", 'p', "PID", 0, "Only this process (tgid)", 0 },
	{ "device", 'd', "DEV", 0,
	  "Only records naming this device (PCI address or name)", 0 },
	{ "dmabuf", 'i', "INODE", 0, "Only records of this dma-buf (inode)", 0 },
	{ "duration", 'D', "SECONDS", 0, "Stop after this long", 0 },
	{ "hooks", OPT_HOOKS, "EVENT=FAMILY", 0,
	  "Force a hook family for EVENT or 'all' (tp_btf, raw_tp, fentry, kprobe; "
	  "iter for dmabuf_export, dmabuf_release)", 0 },
	POLL_INTERVAL_OPT(OPT_POLL_INTERVAL),
	{ "verbose", 'v', NULL, 0, "libbpf debug output and verifier logs", 0 },
	{},
};

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;
	char err[160];

	switch (key) {
	case 'j':
		a->json = true;
		break;
	case 'T':
		a->timestamps = true;
		break;
	case 'v':
		a->verbose = true;
		break;
	case 'p':
	case 'i':
	case 'd':
		if (filter_parse(&a->filter, key, arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	case 'D':
		if (args_seconds(arg, &a->duration))
			argp_error(state, "invalid duration '%s'", arg);
		break;
	case OPT_HOOKS:
		if (hooks_parse_force(&a->force, arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	case OPT_POLL_INTERVAL:
		if (collector_parse_interval(arg, &a->poll_interval))
			argp_error(state, "invalid poll interval '%s' (seconds, >= 0.01)", arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char trace_doc[] =
"Stream TPH and dma-buf events: publishes, queries, MR registrations with the "
"reason they did (not) get a steering tag, ST table and PCI TPH changes.\n"
"\nLost records (ring buffer full) are counted and reported on stderr "
"whenever the count changes, and at exit.\v"
"EXAMPLES:\n"
"  tphtrace trace                   # everything, text\n"
"  tphtrace trace -j > trace.jsonl  # record for 'tphtrace check --replay'\n"
"  tphtrace trace -d 0000:3b:00.0   # one NIC or exporter\n"
"  tphtrace trace --hooks all=kprobe\n";

static int on_record(void *ctx, const union tph_record *rec)
{
	struct trace_args *a = ctx;
	char line[4096];	/* a record's longest JSON line is < 1500 bytes */
	int n;

	if (!filter_match(&a->filter, rec))
		return 0;
	if (a->json)
		n = tph_record_json(rec, line, sizeof(line));
	else
		n = tph_record_format(rec, a->timestamps, line, sizeof(line));
	if (n >= 0) {
		line[n] = '\n';
		fwrite(line, 1, n + 1, a->out);
	}
	return 0;
}

static void report_lost(struct collector *c, struct trace_args *a, bool final)
{
	uint64_t lost[TPH_DROP_MAX], total;

	if (collector_lost(c, lost))
		return;
	total = lost[TPH_DROP_RINGBUF] + lost[TPH_DROP_STATE];
	if (total == a->lost_shown && !final)
		return;
	a->lost_shown = total;
	if (a->json) {
		fprintf(a->out, "{\"kind\":\"lost\",\"records\":%llu,\"ringbuf\":%llu,"
			"\"state\":%llu}\n", (unsigned long long)total,
			(unsigned long long)lost[TPH_DROP_RINGBUF],
			(unsigned long long)lost[TPH_DROP_STATE]);
		fflush(a->out);
	}
	fprintf(stderr, "tphtrace: %llu record(s) lost (ring buffer full: %llu, "
		"state map full: %llu)\n", (unsigned long long)total,
		(unsigned long long)lost[TPH_DROP_RINGBUF],
		(unsigned long long)lost[TPH_DROP_STATE]);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_trace(int argc, char **argv)
{
	struct argp argp = { trace_opts, trace_parse, NULL, trace_doc, NULL, NULL, NULL };
	struct trace_args a = { .out = stdout };
	struct collector_opts o = {};
	struct collector *c = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	double end = 0;
	char err[256];
	int ret, timeout;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	o.force = &a.force;
	o.filter_tgid = a.filter.pid;
	o.verbose = a.verbose;
	o.poll_interval_s = a.poll_interval;
	o.on_record = on_record;
	o.ctx = &a;
	ret = collector_open(&c, &o, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tphtrace trace: %s\n", err);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fprintf(stderr, "tphtrace: ready: %d programs attached, %d of %d events hooked, "
		"series shape %s\n", collector_nlinks(c),
		TPH_EV_MAX - 1 - hooks_unavailable(collector_plan(c)), TPH_EV_MAX - 1,
		tph_shape_name(collector_plan(c)->shape));
	collector_sampled_str(c, err, sizeof(err));
	if (err[0])
		fprintf(stderr, "tphtrace: %s\n", err);
	if (a.duration > 0)
		end = now_s() + a.duration;
	while (!exiting) {
		timeout = -1;
		if (end) {
			double left = end - now_s();

			if (left <= 0)
				break;
			timeout = (int)(left * 1000) + 1;
		}
		ret = collector_poll(c, timeout);
		if (ret == -EINTR) {
			ret = 0;
			continue;
		}
		if (ret < 0) {
			fprintf(stderr, "tphtrace trace: ring buffer: %s\n", strerror(-ret));
			break;
		}
		/* output gone (reader closed the pipe, disk full): stop; main()
		 * reports the write error, or nothing for a closed pipe */
		if (fflush(a.out) || ferror(a.out))
			break;
		report_lost(c, &a, false);
	}
	report_lost(c, &a, true);
	fflush(a.out);
	collector_close(c);
	return ret < 0 ? 2 : 0;
}
