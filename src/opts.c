// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The common flags of every command (opts.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "collect.h"
#include "model.h"
#include "opts.h"
#include "record.h"

#define OPT_USAGE	OPTS_KEY_USAGE
#define OPT_AT		OPTS_KEY_AT
#define OPT_HOOKS	OPTS_KEY_HOOKS
#define OPT_MAX_BUFS	OPTS_KEY_MAX_BUFS
#define OPT_MAX_MRS	OPTS_KEY_MAX_MRS
#define OPT_MAX_ATTACH	OPTS_KEY_MAX_ATTACH
#define OPT_MAX_FINDINGS OPTS_KEY_MAX_FINDINGS
#define OPT_POLL	OPTS_KEY_POLL_INTERVAL

struct common_flag {
	struct argp_option opt;
	unsigned int flag;	/* OPT_F_*, 0: always */
	const char *meaning;	/* for "does not apply": what it does elsewhere */
};

static const struct common_flag flags[] = {
	{ { "help", 'h', NULL, 0, "This help", -1 }, 0, NULL },
	{ { "usage", OPT_USAGE, NULL, 0, "A short usage message", -1 }, 0, NULL },
	{ { "json", 'j', NULL, 0, "JSON output (docs/json.md)", -2 }, OPT_F_JSON,
	  "selects JSON output" },
	{ { "verbose", 'v', NULL, 0, "More: nothing elided, libbpf debug output", -2 },
	  OPT_F_VERBOSE, "shows more" },
	{ { "duration", 'D', "SECONDS", 0, "Trace live for SECONDS", -2 }, OPT_F_DURATION,
	  "sets how long to trace live" },
	{ { "device", 'd', "DEV", 0, "Only this device (PCI address or name)", -2 },
	  OPT_F_DEVICE, "selects one device" },
	{ { "pid", 'p', "PID", 0, "Only records of this process", -2 }, OPT_F_PID,
	  "selects one process" },
	{ { "dmabuf", 'i', "INODE", 0, "Only this dma-buf", -2 }, OPT_F_DMABUF,
	  "selects one dma-buf" },
	{ { "replay", 'r', "FILE", 0,
	    "Read a file recorded by 'tphtrace trace -j' ('-': stdin) instead of "
	    "tracing live", -2 }, OPT_F_REPLAY, "reads a recorded trace" },
	{ { "at", OPT_AT, "TIME", 0,
	    "With --replay: the state at TIME, seconds as 'trace -T' prints them, "
	    "or +SECONDS from the first record", -2 }, OPT_F_AT,
	  "picks a moment of a replay" },
	{ { "hooks", OPT_HOOKS, "EVENT=FAMILY", 0,
	    "Force a hook family (tp_btf, raw_tp, fentry, kprobe; iter for "
	    "dmabuf_export and dmabuf_release) for EVENT or 'all'; repeatable", -2 },
	  OPT_F_HOOKS, "forces hook families" },
	{ { "poll-interval", OPT_POLL, "SECONDS", 0,
	    "Where no export/release hook exists: iter/dmabuf snapshot interval of the "
	    "sampled fallback (default 1; dma-bufs living shorter are not seen; at least "
	    "0.01)", -2 }, OPT_F_POLL, "sets the sampled fallback's interval" },
	{ { NULL, 'H', "EVENT=FAMILY", OPTION_HIDDEN, NULL, -2 }, OPT_F_HOOKS,
	  "forces hook families" },
	{ { "max-dmabufs", OPT_MAX_BUFS, "N", 0,
	    "Track at most N dma-bufs (default 131072); more are evicted and counted", -2 },
	  OPT_F_LIMITS, "limits the model" },
	{ { "max-mrs", OPT_MAX_MRS, "N", 0, "Track at most N MRs (default 131072)", -2 },
	  OPT_F_LIMITS, "limits the model" },
	{ { "max-attachments", OPT_MAX_ATTACH, "N", 0,
	    "Track at most N attachments (default 131072)", -2 }, OPT_F_LIMITS,
	  "limits the model" },
	{ { "max-findings", OPT_MAX_FINDINGS, "N", 0,
	    "Keep at most N distinct findings (default 4096)", -2 }, OPT_F_LIMITS,
	  "limits the findings" },
};

#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

struct parse_ctx {
	struct cmd_opts *o;
	const struct argp *own;
	void *own_input;
	struct argp_option opts[NFLAGS + 1];
};

static const struct common_flag *flag_of(int key)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (flags[i].opt.key == key)
			return &flags[i];
	return NULL;
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

/* --at TIME: "123.5" (the clock of 'trace -T') or "+2.5" (from the first record) */
static int parse_at(struct cmd_opts *o, const char *arg)
{
	const char *s = arg[0] == '+' ? arg + 1 : arg;
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 1e10)
		return -EINVAL;
	o->have_at = true;
	o->at_relative = arg[0] == '+';
	o->at_ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

static int parse_limit(struct cmd_opts *o, int key, const char *arg)
{
	uint32_t *dst = key == OPT_MAX_BUFS ? &o->fo.lim.bufs :
			key == OPT_MAX_MRS ? &o->fo.lim.mrs :
			key == OPT_MAX_ATTACH ? &o->fo.lim.attachments : &o->fo.max_findings;

	if (parse_count(arg, dst))
		return -EINVAL;
	/* holders follow dma-bufs: two processes per dma-buf on average */
	if (key == OPT_MAX_BUFS)
		o->fo.lim.holders = *dst > (1u << 25) ? 1u << 26 : *dst * 2;
	return 0;
}

static void parse_device(struct cmd_opts *o, const char *arg, struct argp_state *state)
{
	char err[160];
	char *end;

	/* -d was --duration for list and check before 0.1.0 */
	strtod(arg, &end);
	if (!*end && (o->applies & OPT_F_DURATION))
		argp_error(state, "-d is --device: '%s' is not a device (for a duration: "
			   "-D %s)", arg, arg);
	if (filter_parse(&o->filter, 'd', arg, err, sizeof(err)))
		argp_error(state, "%s", err);
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct cmd_opts *o = state->input;
	const struct common_flag *cf = flag_of(key);
	char err[160];

	if (!cf)
		return ARGP_ERR_UNKNOWN;
	if (cf->flag && !(o->applies & cf->flag))
		argp_error(state, "--%s does not apply to '%s' (elsewhere it %s)",
			   cf->opt.name ? cf->opt.name : "hooks", o->cmd, cf->meaning);
	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP | ARGP_HELP_EXIT_OK);
		break;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		break;
	case 'j':
		o->json = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'D':
		if (args_seconds(arg, &o->duration))
			argp_error(state, "invalid duration '%s' (seconds, > 0)", arg);
		break;
	case 'd':
		parse_device(o, arg, state);
		break;
	case 'p':
	case 'i':
		if (filter_parse(&o->filter, key, arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	case 'r':
		o->replay = arg;
		break;
	case OPT_AT:
		if (parse_at(o, arg))
			argp_error(state, "invalid time '%s' (seconds, or +SECONDS)", arg);
		break;
	case OPT_HOOKS:
	case 'H':
		if (hooks_parse_force(&o->force, arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	case OPT_POLL:
		if (collector_parse_interval(arg, &o->poll_interval_s))
			argp_error(state, "invalid poll interval '%s' (seconds, >= 0.01)", arg);
		break;
	default:
		if (parse_limit(o, key, arg))
			argp_error(state, "invalid count '%s' (1..%lu)", arg, 1ul << 26);
	}
	return 0;
}

/* the command's parser, with its own input; then the checks across flags */
static error_t own_parse(int key, char *arg, struct argp_state *state)
{
	struct parse_ctx *ctx = state->input;
	struct cmd_opts *o = ctx->o;
	error_t ret = ARGP_ERR_UNKNOWN;

	if (key == ARGP_KEY_INIT)
		state->child_inputs[0] = o;
	if (ctx->own->parser) {
		state->input = ctx->own_input;
		ret = ctx->own->parser(key, arg, state);
		state->input = ctx;
	}
	if (ret != ARGP_ERR_UNKNOWN)
		return ret;
	switch (key) {
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	case ARGP_KEY_END:
		if (o->replay && o->duration > 0)
			argp_error(state, "--replay and --duration exclude each other");
		if (o->have_at && !o->replay)
			argp_error(state, "--at needs --replay FILE");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

int opts_parse(struct cmd_opts *o, const struct argp *own, void *input, int argc,
	       char **argv)
{
	struct parse_ctx ctx = { .o = o, .own = own, .own_input = input };
	struct argp_child children[2] = {};
	struct argp common = { NULL, common_parse, NULL, NULL, NULL, NULL, NULL };
	struct argp top = *own;
	char name[48], **args;
	const struct opt_doc *d;
	size_t i;
	int ret;

	feed_default_opts(&o->fo);
	for (i = 0; i < NFLAGS; i++) {
		ctx.opts[i] = flags[i].opt;
		if (flags[i].flag && !(o->applies & flags[i].flag))
			ctx.opts[i].flags |= OPTION_HIDDEN;
		for (d = o->docs; d && d->key; d++)
			if (d->key == flags[i].opt.key)
				ctx.opts[i].doc = d->doc;
	}
	common.options = ctx.opts;
	children[0] = (struct argp_child){ &common, 0, "Common options:", 0 };
	top.parser = own_parse;
	top.children = children;
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return 2;
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	snprintf(name, sizeof(name), "tphtrace %s", o->cmd);
	args[0] = name;
	ret = argp_parse(&top, argc, args, ARGP_NO_HELP, NULL, &ctx);
	free(args);
	return ret ? 2 : 0;
}

uint16_t opts_device(const struct cmd_opts *o, const struct model *m)
{
	struct tph_dev d = {};

	if (!o->filter.dev[0])
		return M_NODEV;
	tph_dev_parse(&d, o->filter.dev);
	return model_find_dev(m, &d) == M_NODEV ? OPTS_NO_DEVICE : model_find_dev(m, &d);
}
