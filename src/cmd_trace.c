// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace trace: stream every record as text for people (a header line,
 * names next to numbers, wrapped to the terminal) or as JSON lines, live or
 * from a recorded file (--replay renders a JSON trace as text).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cmds.h"
#include "record.h"
#include "runner.h"
#include "text.h"

struct trace_args {
	struct cmd_opts o;
	bool timestamps;
	unsigned int width;	/* wrap text at (0: never) */
	bool header_done;
	uint64_t lost_shown;
	FILE *out;
	double t_cmd;		/* CLOCK_MONOTONIC at cmd_trace() (make bench) */
};

static const struct argp_option trace_opts[] = {
	{ "timestamp", 'T', NULL, 0, "Print a timestamp on each line (seconds, the clock "
	  "of 'ts' and of --at)", 0 },
	{},
};

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;

	if (key != 'T')
		return ARGP_ERR_UNKNOWN;
	a->timestamps = true;
	return 0;
}

static const struct opt_doc trace_docs[] = {
	{ 'j', "JSON lines (docs/trace-format.md), the input of every --replay" },
	{ 'D', "Stop after SECONDS" },
	{ 'd', "Only records naming this device (PCI address or name)" },
	{ 'i', "Only records of this dma-buf (inode)" },
	{ 'p', "Only records of this process (tgid)" },
	{ 'r', "Render a recorded 'trace -j' file ('-': stdin) instead of tracing: "
	  "as text, or filtered with -j" },
	{ 'v', "libbpf debug output and verifier logs; text lines not wrapped" },
	{ 0 },
};

static const char trace_doc[] =
"Stream TPH and dma-buf events: publishes, queries, MR registrations with the "
"reason they did (not) get a steering tag, ST table and PCI TPH changes. Text "
"lines name what the numbers mean (ret=-95(EOPNOTSUPP), mode=2(ds)).\n"
"\nLost records (ring buffer full) are counted and reported on stderr "
"whenever the count changes, and at exit.\v"
"EXAMPLES:\n"
"  tphtrace trace                   # everything, text\n"
"  tphtrace trace -j > trace.jsonl  # record for 'tphtrace check --replay'\n"
"  tphtrace trace --replay trace.jsonl -T   # read a recording\n"
"  tphtrace trace -d 0000:3b:00.0   # one NIC or exporter\n"
"  tphtrace trace --hooks all=kprobe\n";

static int on_record(void *ctx, const union tph_record *rec)
{
	struct trace_args *a = ctx;
	char line[4096];	/* a record's longest JSON line is < 1500 bytes */
	int n;

	if (!filter_match(&a->o.filter, rec))
		return 0;
	if (a->o.json) {
		n = tph_record_json(rec, line, sizeof(line));
		if (n >= 0) {
			line[n] = '\n';
			fwrite(line, 1, n + 1, a->out);
		}
		return 0;
	}
	if (!a->header_done) {
		fprintf(a->out, "%s\n", tph_record_header(a->timestamps));
		a->header_done = true;
	}
	n = tph_record_format(rec, a->timestamps, line, sizeof(line));
	if (n < 0)
		return 0;
	if (a->width && (unsigned int)n > a->width) {
		text_wrap(a->out, line, 0, a->timestamps ? 22 : 15, a->width);
	} else {
		line[n] = '\n';	/* the writer leaves room for its NUL */
		fwrite(line, 1, n + 1, a->out);
	}
	return 0;
}

static void report_lost(struct trace_args *a, const uint64_t lost[TPH_DROP_MAX])
{
	uint64_t total = lost[TPH_DROP_RINGBUF] + lost[TPH_DROP_STATE];

	a->lost_shown = total;
	if (a->o.json) {
		fprintf(a->out, "{\"kind\":\"lost\",\"records\":%" PRIu64 ",\"ringbuf\":%"
			PRIu64 ",\"state\":%" PRIu64 "}\n", total, lost[TPH_DROP_RINGBUF],
			lost[TPH_DROP_STATE]);
		fflush(a->out);
	}
	fprintf(stderr, "tphtrace: %" PRIu64 " record(s) lost (ring buffer full: %" PRIu64
		", state map full: %" PRIu64 ")\n", total, lost[TPH_DROP_RINGBUF],
		lost[TPH_DROP_STATE]);
}

static void on_lost(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state)
{
	uint64_t lost[TPH_DROP_MAX] = { [TPH_DROP_RINGBUF] = ringbuf,
					[TPH_DROP_STATE] = state };

	report_lost(ctx, lost);
}

/*
 * make bench only (bench/README.md, P3): with TPHTRACE_BENCH_T0 set to
 * the CLOCK_MONOTONIC time (s) its parent exec'd this process at, the
 * ready line is followed by where the start-up went. Not a user feature.
 */
static void bench_startup_times(struct collector *c, double t_cmd)
{
	const struct collector_times *t = collector_times(c);
	const char *t0 = getenv("TPHTRACE_BENCH_T0");
	double base;

	if (!t0 || sscanf(t0, "%lf", &base) != 1)
		return;
	fprintf(stderr, "tphtrace: startup exec_to_cmd_s=%.4f setup_s=%.4f probe_s=%.4f "
		"plan_s=%.4f bpf_open_s=%.4f bpf_load_s=%.4f attach_s=%.4f poller_s=%.4f "
		"ready_s=%.4f\n", t_cmd - base, t->setup_s, t->probe_s, t->plan_s,
		t->open_s, t->load_s, t->attach_s, t->poller_s, runner_now() - base);
}

static int on_ready(void *ctx, struct runner *r)
{
	struct trace_args *a = ctx;

	if (r->c) {
		fprintf(stderr, "tphtrace: ready: %d programs attached, %d of %d events "
			"hooked, series shape %s\n", collector_nlinks(r->c), runner_hooked(r),
			TPH_EV_MAX - 1, tph_shape_name(collector_plan(r->c)->shape));
		bench_startup_times(r->c, a->t_cmd);
	}
	return 0;
}

/*
 * Records come in batches: one flush per wake-up, not per record. Output
 * gone (the reader closed the pipe, disk full): stop; main() reports the
 * write error, or nothing for a closed pipe.
 */
static int on_batch(void *ctx)
{
	struct trace_args *a = ctx;

	return fflush(a->out) || ferror(a->out);
}

int cmd_trace(int argc, char **argv)
{
	struct argp argp = { trace_opts, trace_parse, NULL, trace_doc, NULL, NULL, NULL };
	struct trace_args a = {
		.o = { .cmd = "trace", .docs = trace_docs,
		       .applies = OPT_F_JSON | OPT_F_VERBOSE | OPT_F_DURATION | OPT_F_DEVICE |
				  OPT_F_PID | OPT_F_DMABUF | OPT_F_REPLAY | OPT_F_AT |
				  OPT_F_HOOKS | OPT_F_POLL },
		.out = stdout,
		.t_cmd = runner_now(),
	};
	struct runner_cfg cfg = { .o = &a.o, .live = RUN_LIVE };
	struct runner_ops ops = { .on_record = on_record, .on_lost = on_lost,
				  .on_ready = on_ready, .on_batch = on_batch, .ctx = &a };
	struct runner r;
	int ret;

	ret = opts_parse(&a.o, &argp, &a, argc, argv);
	if (ret)
		return ret;
	a.width = a.o.verbose ? 0 : text_width(stdout, 0);
	ret = runner_run(&r, &cfg, &ops);
	if (r.c && !ret && !collector_lost(r.c, r.lost))
		report_lost(&a, r.lost);
	fflush(a.out);
	runner_close(&r);
	return ret;
}
