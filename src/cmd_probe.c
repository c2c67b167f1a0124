// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tphtrace probe: the hook plan for this kernel. */
#include <stdio.h>
#include <string.h>
#include "cmds.h"
#include "collect.h"
#include "jw.h"
#include "opts.h"
#include "record.h"
#include "text.h"

static const struct opt_doc probe_docs[] = {
	{ OPTS_KEY_HOOKS, "What a forced hook family could do for EVENT or 'all' "
	  "(tp_btf, raw_tp, fentry, kprobe); repeatable" },
	{ 'v', "Reasons on one line each, not wrapped to the terminal" },
	{ 0 },
};

static const char probe_doc[] =
"Show which hook tphtrace uses for each event on this kernel, or why none: the "
"reason of every candidate, in full.\n"
"\nExit status: 0 every event has a hook, 1 some are unavailable (listed), "
"2 error (privileges, BTF).\v"
"EXAMPLES:\n"
"  tphtrace probe                  # hook plan of this kernel\n"
"  tphtrace probe --hooks all=kprobe   # what kprobes alone could do\n";

static void print_text(const struct hook_plan *plan, unsigned int width)
{
	char line[HOOK_WHY_LEN + 128];
	int k;

	/* the revision of the TPH series whose functions the hooks read */
	printf("series shape: %s (%s)\n", tph_shape_name(plan->shape), plan->shape_how);
	printf("%-15s %-7s %s\n", "EVENT", "HOOK", "SOURCE / WHY NOT");
	for (k = 1; k < TPH_EV_MAX; k++) {
		const struct event_plan *ep = &plan->ev[k];
		const struct hook_cand *c = hooks_chosen(plan, k);

		if (!c)
			snprintf(line, sizeof(line), "%-15s %-7s %s: unavailable: %s",
				 tph_kind_name(k), "-", tph_events[k].desc, ep->why);
		else
			snprintf(line, sizeof(line), "%-15s %-7s %s [%s]%s%s", tph_kind_name(k),
				 tph_hook_name(c->family), c->source,
				 ep->module[0] ? ep->module : "vmlinux",
				 ep->forced ? " (forced)" : "",
				 ep->optional_missing ? " (partial: some refinements missing)" :
				 "");
		text_wrap(stdout, line, 0, 24, width);
		/* a sampled hook says what it cannot see */
		if (c && c->limit) {
			snprintf(line, sizeof(line), "%-15s limit: %s", "", c->limit);
			text_wrap(stdout, line, 0, 24, width);
		}
	}
}

static void print_json(const struct hook_plan *plan)
{
	struct jw w;
	int k, i;

	jw_init(&w, stdout);
	jw_doc(&w, "probe");
	jw_ki64(&w, "unavailable", hooks_unavailable(plan));
	/* the revision of the TPH series whose functions the hooks read */
	jw_kstr(&w, "series_shape", tph_shape_name(plan->shape));
	jw_kstr(&w, "series_shape_how", plan->shape_how);
	jw_karr(&w, "events");
	for (k = 1; k < TPH_EV_MAX; k++) {
		const struct event_plan *ep = &plan->ev[k];
		const struct hook_cand *c = hooks_chosen(plan, k);

		jw_obj(&w);
		jw_kstr(&w, "event", tph_kind_name(k));
		jw_kstr(&w, "hook", c ? tph_hook_name(c->family) : NULL);
		jw_kstr(&w, "source", c ? c->source : NULL);
		jw_kstr(&w, "module", ep->module);
		jw_kbool(&w, "forced", ep->forced);
		jw_karr(&w, "programs");
		for (i = 0; c && i < HOOK_MAX_TARGETS && c->t[i].prog; i++)
			if (!(ep->optional_missing & (1u << i)))
				jw_str(&w, c->t[i].prog);
		jw_arr_end(&w);
		jw_kstr(&w, "limit", c && c->limit ? c->limit : NULL);
		jw_kstr(&w, "why", c ? NULL : ep->why);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
}

int cmd_probe(int argc, char **argv)
{
	struct argp argp = { NULL, NULL, NULL, probe_doc, NULL, NULL, NULL };
	struct cmd_opts o = { .cmd = "probe", .docs = probe_docs,
			      .applies = OPT_F_JSON | OPT_F_VERBOSE | OPT_F_HOOKS };
	struct hook_plan plan;
	char err[256];
	int ret;

	ret = opts_parse(&o, &argp, NULL, argc, argv);
	if (ret)
		return ret;
	ret = collector_plan_only(&o.force, &plan, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tphtrace probe: %s\n", err);
		return 2;
	}
	if (o.json)
		print_json(&plan);
	else
		print_text(&plan, o.verbose ? 0 : text_width(stdout, 0));
	ret = hooks_unavailable(&plan);
	if (ret && !o.json)
		fprintf(stderr, "tphtrace probe: %d event(s) unavailable on this kernel\n",
			ret);
	return ret ? 1 : 0;
}
