// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace check: run the rules (src/rules_check.c, docs/rules.md) live for
 * a while or until Ctrl-C, or over a recorded `tphtrace trace -j` file. A
 * live check says what it could not see from before it started.
 * Exit code: 0 no findings, 1 findings, 2 error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cmds.h"
#include "jw.h"
#include "runner.h"
#include "state.h"
#include "text.h"
#include "views.h"

struct check_args {
	bool no_hints;
	bool list_rules;
};

enum { OPT_NO_HINTS = 0x100, OPT_LIST_RULES };

static const struct argp_option check_opts[] = {
	{ "no-hints", OPT_NO_HINTS, NULL, 0, "Text: leave out the fix hints", 0 },
	{ "list-rules", OPT_LIST_RULES, NULL, 0, "Print the rule table and exit", 0 },
	{},
};

static error_t check_parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;

	switch (key) {
	case OPT_NO_HINTS:
		a->no_hints = true;
		return 0;
	case OPT_LIST_RULES:
		a->list_rules = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const struct opt_doc check_docs[] = {
	{ 'D', "Trace live this long (default: until Ctrl-C)" },
	{ 'd', "Only findings about this device" },
	{ 'i', "Only findings about this dma-buf" },
	{ 'p', "Only records of this process" },
	{ 'r', "Check a file recorded by 'tphtrace trace -j' ('-': stdin) instead of "
	  "tracing" },
	{ 'v', "Text not wrapped; every pre-start source and what it saw" },
	{ 0 },
};

static const char check_doc[] =
"Diagnose TPH misconfigurations: each finding has a stable rule id, a "
"severity, the evidence (dma-buf, exporter, NIC, MR, values) and a fix hint. "
"Live (for -D SECONDS or until Ctrl-C) or offline on a trace recorded with "
"'tphtrace trace -j', so a bug report can carry its trace. Live, it also "
"judges the state recovered at start (PCI TPH of every function) and says "
"what it could not see from before it started.\n"
"\nExit status: 0 no findings, 1 findings, 2 error. The rules are documented "
"in docs/rules.md ('--list-rules' prints the table).\v"
"EXAMPLES:\n"
"  tphtrace check -D 30                 # trace 30 s, then report\n"
"  tphtrace trace -j > t.jsonl; tphtrace check --replay t.jsonl\n"
"  tphtrace check --replay t.jsonl -j | jq '.findings[].id'\n";

static uint32_t shown_findings(const struct rules *rs, const struct view_sel *sel)
{
	uint32_t i, n = 0;

	for (i = 0; i < rs->n; i++)
		n += rules_finding_matches(&rs->f[i], sel->ino, sel->dev);
	return n;
}

static void print_summary(FILE *out, const struct feed *f, const struct view_src *s,
			  const struct view_sel *sel, uint32_t n)
{
	const struct rules *rs = &f->rs;
	const struct model *m = &f->m;
	char note[320], line[480];

	size_t off;

	if (!n)
		off = snprintf(line, sizeof(line), "no findings");
	else if (n == rs->n)
		off = snprintf(line, sizeof(line), "%u finding(s): %" PRIu64 " error(s), %" PRIu64
			       " warning(s), %" PRIu64 " info", rs->n, rs->by_sev[SEV_ERROR],
			       rs->by_sev[SEV_WARNING], rs->by_sev[SEV_INFO]);
	else
		off = snprintf(line, sizeof(line), "%u of %u finding(s) shown (-d/-i)", n, rs->n);
	snprintf(line + off, sizeof(line) - off, " (%" PRIu64 " record(s), %" PRIu64 " lost)",
		 m->records, m->lost);
	text_wrap(out, line, 0, 2, sel->width);
	if (rs->dropped)
		fprintf(out, "note: %" PRIu64 " more finding(s) did not fit (--max-findings)\n",
			rs->dropped);
	if (rs->unobserved) {
		snprintf(line, sizeof(line), "note: the outcome of %" PRIu64 " MR registration(s) "
			 "could not be observed (reason unknown: the kernel lacks the TPH "
			 "tracepoints and the hooks in use cannot see the decision)",
			 rs->unobserved);
		text_wrap(out, line, 0, 6, sel->width);
	}
	if (m->mrs_pre_start) {
		snprintf(line, sizeof(line), "note: %u MR(s) existed before start ("
			 MR_ORIGIN_PRE_START "): their TPH outcome was not seen, no rule judges "
			 "them", m->mrs_pre_start);
		text_wrap(out, line, 0, 6, sel->width);
	}
	view_gaps_note(s, note, sizeof(note));
	if (note[0]) {
		snprintf(line, sizeof(line), "note: %s%s", note,
			 sel->verbose ? "" : " (-v: each source)");
		text_wrap(out, line, 0, 6, sel->width);
	}
}

static void print_json(const struct feed *f, const struct view_src *s,
		       const struct view_sel *sel)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_doc(&w, "check");
	view_src_json(&w, s, &f->m);
	rules_json(&w, &f->rs, sel->ino, sel->dev);
	jw_obj_end(&w);
}

static void list_rules(bool json, unsigned int width)
{
	struct jw w;

	if (!json) {
		rules_table_print(stdout, width);
		return;
	}
	jw_init(&w, stdout);
	jw_doc(&w, "check");
	rules_table_json(&w);
	jw_obj_end(&w);
}

static int on_ready(void *ctx, struct runner *r)
{
	if (r->c)
		fprintf(stderr, "tphtrace check: tracing (%d of %d events hooked)%s\n",
			runner_hooked(r), TPH_EV_MAX - 1,
			r->cfg.o->duration > 0 ? "" : ", Ctrl-C to report");
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct argp argp = { check_opts, check_parse, NULL, check_doc, NULL, NULL, NULL };
	struct cmd_opts o = {
		.cmd = "check", .docs = check_docs,
		.applies = OPT_F_VIEW,
	};
	struct runner_cfg cfg = { .o = &o, .live = RUN_LIVE, .recover = true };
	struct runner_ops ops = { .on_record = feed_record, .on_lost = feed_lost,
				  .on_ready = on_ready };
	struct check_args a = {};
	struct view_src src;
	struct view_sel sel;
	struct runner r;
	struct feed f;
	char line[4200];
	uint32_t n = 0;
	int ret;

	ret = opts_parse(&o, &argp, &a, argc, argv);
	if (ret)
		return ret;
	if (a.list_rules) {
		list_rules(o.json, o.verbose ? 0 : text_width(stdout, 0));
		return 0;
	}
	if (feed_init(&f, &o.fo)) {
		fprintf(stderr, "tphtrace check: out of memory\n");
		return 2;
	}
	ops.ctx = &f;
	ret = runner_run(&r, &cfg, &ops);
	if (!ret) {
		rules_eval_state(&f.rs);
		view_src_init(&src, &r, &o);
		view_sel_init(&sel, &o, &f, o.verbose ? 0 : text_width(stdout, 0));
		n = shown_findings(&f.rs, &sel);
		if (o.json) {
			print_json(&f, &src, &sel);
		} else {
			if (src.replay) {
				snprintf(line, sizeof(line), "tphtrace check: replay %s",
					 src.replay);
				text_wrap(stdout, line, 0, 2, sel.width);
			}
			rules_print_text(stdout, &f.rs, !a.no_hints, sel.width, sel.ino, sel.dev);
			print_summary(stdout, &f, &src, &sel, n);
		}
		ret = n ? 1 : 0;
	}
	runner_close(&r);
	feed_close(&f);
	return ret;
}
