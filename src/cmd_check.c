// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace check: run the rules (src/rules.c, docs/rules.md) live for a
 * while or until Ctrl-C, or over a recorded `tphtrace trace -j` file.
 * Exit code: 0 no findings, 1 findings, 2 error.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "cmds.h"
#include "record.h"
#include "replay.h"

struct check_args {
	struct feed_opts fo;
	bool json;
	bool no_hints;
	bool list_rules;
	double duration;
	const char *replay;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

enum { OPT_NO_HINTS = 0x100, OPT_LIST_RULES };

static const struct argp_option check_opts[] = {
	{ "replay", 'r', "FILE", 0,
	  "Check a file recorded by 'tphtrace trace -j' ('-': stdin) instead of tracing", 0 },
	{ "duration", 'd', "SECONDS", 0, "Trace live this long (default: until Ctrl-C)", 0 },
	{ NULL, 'D', "SECONDS", OPTION_HIDDEN, NULL, 0 },
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{ "no-hints", OPT_NO_HINTS, NULL, 0, "Text: leave out the fix hints", 0 },
	{ "list-rules", OPT_LIST_RULES, NULL, 0, "Print the rule table and exit", 0 },
	FEED_OPTIONS,
	{},
};

static error_t check_parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;
	char err[160];
	int ret;

	switch (key) {
	case 'r':
		a->replay = arg;
		break;
	case 'd':
	case 'D':
		if (args_seconds(arg, &a->duration))
			argp_error(state, "invalid duration '%s'", arg);
		break;
	case 'j':
		a->json = true;
		break;
	case OPT_NO_HINTS:
		a->no_hints = true;
		break;
	case OPT_LIST_RULES:
		a->list_rules = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->replay && a->duration > 0)
			argp_error(state, "--replay and --duration exclude each other");
		break;
	default:
		ret = feed_parse_opt(&a->fo, key, arg, err, sizeof(err));
		if (ret == 1)
			return ARGP_ERR_UNKNOWN;
		if (ret)
			argp_error(state, "%s", err);
	}
	return 0;
}

static const char check_doc[] =
"Diagnose TPH misconfigurations: each finding has a stable rule id, a "
"severity, the evidence (dma-buf, exporter, NIC, MR, values) and a fix hint. "
"Live (for -d SECONDS or until Ctrl-C) or offline on a trace recorded with "
"'tphtrace trace -j', so a bug report can carry its trace.\n"
"\nExit status: 0 no findings, 1 findings, 2 error. The rules are documented "
"in docs/rules.md ('--list-rules' prints the table).\v"
"EXAMPLES:\n"
"  tphtrace check -d 30                 # trace 30 s, then report\n"
"  tphtrace trace -j > t.jsonl; tphtrace check --replay t.jsonl\n"
"  tphtrace check --replay t.jsonl -j | jq '.findings[].id'\n";

static void list_rules(bool json)
{
	struct json_object *a = json_object_new_array(), *o;
	unsigned int i;

	for (i = 0; i < tph_nrules; i++) {
		const struct rule *r = &tph_rules[i];

		if (!json) {
			printf("%s  %-7s %-7s %s\n", r->id, rule_sev_name(r->sev), r->eref,
			       r->title);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(r->id));
		json_object_object_add(o, "severity",
				       json_object_new_string(rule_sev_name(r->sev)));
		json_object_object_add(o, "catalogue", json_object_new_string(r->eref));
		json_object_object_add(o, "title", json_object_new_string(r->title));
		json_object_object_add(o, "hint", json_object_new_string(r->hint));
		json_object_array_add(a, o);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
}

static void print_summary(FILE *out, const struct feed *f)
{
	const struct rules *rs = &f->rs;
	const struct model *m = &f->m;

	if (!rs->n)
		fprintf(out, "no findings");
	else
		fprintf(out, "%u finding(s): %" PRIu64 " error(s), %" PRIu64 " warning(s), %"
			PRIu64 " info", rs->n, rs->by_sev[SEV_ERROR], rs->by_sev[SEV_WARNING],
			rs->by_sev[SEV_INFO]);
	fprintf(out, " (%" PRIu64 " record(s), %" PRIu64 " lost)\n", m->records, m->lost);
	if (rs->dropped)
		fprintf(out, "note: %" PRIu64 " more finding(s) did not fit (--max-findings)\n",
			rs->dropped);
	if (m->mrs_pre_start)
		fprintf(out, "note: %u MR(s) existed before start (" MR_ORIGIN_PRE_START "): "
			"their TPH outcome was not seen, no rule judges them\n", m->mrs_pre_start);
	if (rs->unobserved)
		fprintf(out, "note: the outcome of %" PRIu64 " MR registration(s) could not be "
			"observed (reason unknown: the kernel lacks the TPH tracepoints and "
			"the hooks in use cannot see the decision)\n", rs->unobserved);
}

int cmd_check(int argc, char **argv)
{
	struct argp argp = { check_opts, check_parse, NULL, check_doc, NULL, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_signal };
	struct state_opts so = {};
	struct check_args a = {};
	struct json_object *o, *s;
	struct feed f;
	char err[320];
	double end = 0;
	int ret;

	feed_default_opts(&a.fo);
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	if (a.list_rules) {
		list_rules(a.json);
		return 0;
	}
	if (feed_init(&f, &a.fo)) {
		fprintf(stderr, "tphtrace check: out of memory\n");
		return 2;
	}
	if (a.replay) {
		ret = feed_replay(&f, a.replay, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "tphtrace check: %s\n", err);
			feed_close(&f);
			return 2;
		}
	} else {
		if (feed_open_live(&f, &a.fo)) {
			fprintf(stderr, "tphtrace check: live tracing unavailable: %s\n",
				f.live_err);
			feed_close(&f);
			return 2;
		}
		so.verbose = a.fo.verbose;
		feed_recover(&f, &so);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		fprintf(stderr, "tphtrace check: tracing (%d of %d events hooked)%s\n",
			f.hooked, TPH_EV_MAX - 1, a.duration > 0 ? "" : ", Ctrl-C to report");
		if (a.duration > 0)
			end = feed_now_s() + a.duration;
		while (!exiting) {
			int timeout = -1;

			if (end) {
				double left = end - feed_now_s();

				if (left <= 0)
					break;
				timeout = (int)(left * 1000) + 1;
			}
			ret = feed_poll(&f, timeout);
			if (ret < 0 && ret != -EINTR) {
				fprintf(stderr, "tphtrace check: ring buffer: %s\n",
					strerror(-ret));
				feed_close(&f);
				return 2;
			}
		}
	}
	rules_eval_state(&f.rs);
	if (a.json) {
		o = rules_to_json(&f.rs);
		s = json_object_new_object();
		json_object_object_add(s, "replay", f.replay ? json_object_new_string(f.replay)
							     : NULL);
		json_object_object_add(s, "records", json_object_new_uint64(f.m.records));
		json_object_object_add(s, "lost", json_object_new_uint64(f.m.lost));
		json_object_object_add(s, "events_hooked", f.replay ? NULL :
				       json_object_new_int(f.hooked));
		json_object_object_add(o, "source", s);
		json_object_object_add(o, "recovery", f.recovered ? state_report_json(&f.st)
								  : NULL);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		if (f.replay)
			printf("tphtrace check: replay %s\n", f.replay);
		rules_print_text(stdout, &f.rs, !a.no_hints);
		print_summary(stdout, &f);
	}
	ret = f.rs.n ? 1 : 0;
	feed_close(&f);
	return ret;
}
