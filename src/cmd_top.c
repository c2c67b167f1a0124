// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace top: a live table of dma-bufs refreshed every second
 * (view_top.c); 'q' quits and 's' changes the order on a terminal; plain
 * frames otherwise; -n COUNT / --once for scripts, -j for JSON frames,
 * --replay FILE [--at TIME] for one frame of a recording.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmds.h"
#include "runner.h"
#include "text.h"
#include "views.h"

struct top_args {
	struct cmd_opts o;
	struct feed f;
	enum top_sort sort;
	long count;		/* frames; 0: until q, Ctrl-C or -D */
	long frames;
	bool tty;
};

enum { OPT_ONCE = 0x100 };

static const struct argp_option top_opts[] = {
	{ "sort", 's', "KEY", 0, "Sort by inode, size, mrs, no-tph or exporter (default mrs)", 0 },
	{ "count", 'n', "COUNT", 0, "Print COUNT frames, then exit", 0 },
	{ "once", OPT_ONCE, NULL, 0, "Print one frame and exit (same as -n 1)", 0 },
	{},
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;
	char *end;
	int i;

	switch (key) {
	case 's':
		for (i = 0; i < SORT_MAX; i++)
			if (!strcmp(arg, top_sort_names[i]))
				break;
		if (i == SORT_MAX)
			argp_error(state, "unknown sort key '%s' (inode, size, mrs, no-tph, "
				   "exporter)", arg);
		a->sort = (enum top_sort)i;
		return 0;
	case 'n':
		errno = 0;
		a->count = strtol(arg, &end, 10);
		if (errno || *end || a->count <= 0)
			argp_error(state, "invalid count '%s'", arg);
		return 0;
	case OPT_ONCE:
		a->count = 1;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const struct opt_doc top_docs[] = {
	{ 'D', "Stop after SECONDS" },
	{ 'd', "Only dma-bufs that name this device" },
	{ 'i', "Only this dma-buf" },
	{ 'j', "One JSON document per frame (docs/json.md)" },
	{ 'p', "Only records of this process" },
	{ 'r', "One frame of a 'tphtrace trace -j' file (its end, or --at TIME)" },
	{ 'v', "Columns not cut to the terminal" },
	{ 0 },
};

static const char top_doc[] =
"Live table of dma-bufs: exporter, size, published steering tag (width, ST, "
"PH), importers, holders, MRs with and without TPH, findings; refreshed every "
"second. Rows with findings are marked '!' (highlighted on a terminal) and the "
"worst findings follow. Fits 80 columns, or the terminal's width. State from "
"before start is recovered as in 'list', and what could not be seen is said.\v"
"KEYS: q quits, s changes the order.\n\n"
"EXAMPLES:\n"
"  tphtrace top                  # until q or Ctrl-C\n"
"  tphtrace top -s no-tph        # MRs that did not get a tag first\n"
"  tphtrace top --once           # one frame, for scripts\n";

static void frame(struct top_args *a, struct runner *r)
{
	struct top_frame tf = { .sort = a->sort, .tty = a->tty };
	struct view_src src;
	struct view_sel sel;
	char clock[16];
	time_t now = time(NULL);

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	tf.clock = clock;
	tf.rows = a->tty ? text_rows(stdout) : 0;
	view_src_init(&src, r, &a->o);
	view_sel_init(&sel, &a->o, &a->f, text_width(stdout, 80));
	if (a->o.json) {
		view_top_json(stdout, &a->f, &src, &sel, &tf);
		return;
	}
	view_top_text(stdout, &a->f, &src, &sel, &tf);
	if (!a->tty && !(a->count && a->frames + 1 >= a->count))
		fputc('\n', stdout);
}

static int on_record(void *ctx, const union tph_record *rec)
{
	struct top_args *a = ctx;

	return feed_record(&a->f, rec);
}

static void on_lost(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state)
{
	struct top_args *a = ctx;

	feed_lost(&a->f, total, ringbuf, state);
}

/* a frame now; stop after --count frames */
static int on_tick(void *ctx, struct runner *r)
{
	struct top_args *a = ctx;

	frame(a, r);
	return a->count && ++a->frames >= a->count;
}

static int on_ready(void *ctx, struct runner *r)
{
	return on_tick(ctx, r) ? -1 : 0;
}

static int on_key(void *ctx, struct runner *r, int key)
{
	struct top_args *a = ctx;

	if (key == 'q' || key == 'Q')
		return 1;
	if (key == 's') {
		a->sort = (a->sort + 1) % SORT_MAX;
		frame(a, r);
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct argp argp = { top_opts, top_parse, NULL, top_doc, NULL, NULL, NULL };
	struct top_args a = {
		.o = { .cmd = "top", .docs = top_docs,
		       .applies = OPT_F_VIEW },
		.sort = SORT_MRS,
	};
	struct runner_cfg cfg = { .o = &a.o, .live = RUN_LIVE_OR_STATE, .recover = true,
				  .tick_ms = 1000, .keys = true };
	struct runner_ops ops = { .on_record = on_record, .on_lost = on_lost,
				  .on_ready = on_ready, .on_tick = on_tick, .on_key = on_key,
				  .ctx = &a };
	struct runner r;
	int ret;

	ret = opts_parse(&a.o, &argp, &a, argc, argv);
	if (ret)
		return ret;
	if (feed_init(&a.f, &a.o.fo)) {
		fprintf(stderr, "tphtrace top: out of memory\n");
		return 2;
	}
	/* a recording has one state: one frame (its end, or --at) */
	if (a.o.replay)
		a.count = 1;
	a.tty = text_tty(stdout) && !a.o.json && a.count != 1;
	cfg.loop = !a.o.replay;
	ret = runner_run(&r, &cfg, &ops);
	runner_close(&r);
	feed_close(&a.f);
	return ret;
}
