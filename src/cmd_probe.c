// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tphtrace probe: the hook plan for this kernel. */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "cmds.h"
#include "collect.h"
#include "hooks.h"
#include "record.h"

struct probe_args {
	struct hook_force force;
	bool json;
	bool bad;
};

static const struct argp_option probe_opts[] = {
	{ "hooks", 'H', "EVENT=FAMILY", 0,
	  "Force a hook family (tp_btf, raw_tp, fentry, kprobe; iter for "
	  "dmabuf_export and dmabuf_release) for EVENT or 'all'; repeatable", 0 },
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{},
};

static error_t probe_parse(int key, char *arg, struct argp_state *state)
{
	struct probe_args *a = state->input;
	char err[160];

	switch (key) {
	case 'H':
		if (hooks_parse_force(&a->force, arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	case 'j':
		a->json = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char probe_doc[] =
"Show which hook tphtrace uses for each event on this kernel, or why none.\n"
"\nExit status: 0 every event has a hook, 1 some are unavailable (listed), "
"2 error (privileges, BTF).\v"
"EXAMPLES:\n"
"  tphtrace probe                  # hook plan of this kernel\n"
"  tphtrace probe --hooks all=kprobe   # what kprobes alone could do\n";

static void print_text(const struct hook_plan *plan)
{
	int k;

	/* the revision of the TPH series whose functions the hooks read */
	printf("series shape: %s (%s)\n", tph_shape_name(plan->shape), plan->shape_how);
	printf("%-15s %-7s %-45s %s\n", "EVENT", "HOOK", "SOURCE", "MODULE / STATUS");
	for (k = 1; k < TPH_EV_MAX; k++) {
		const struct event_plan *ep = &plan->ev[k];
		const struct hook_cand *c = hooks_chosen(plan, k);

		if (!c) {
			printf("%-15s %-7s %-45s unavailable: %s\n", tph_kind_name(k), "-",
			       tph_events[k].desc, ep->why);
			continue;
		}
		printf("%-15s %-7s %-45s %s%s%s\n", tph_kind_name(k),
		       tph_hook_name(c->family), c->source,
		       ep->module[0] ? ep->module : "vmlinux",
		       ep->forced ? " (forced)" : "",
		       ep->optional_missing ? " (partial: some refinements missing)" : "");
		if (c->limit)
			printf("%-15s limit: %s\n", "", c->limit);
	}
}

static void print_json(const struct hook_plan *plan)
{
	struct json_object *arr = json_object_new_array();
	int k, i;

	for (k = 1; k < TPH_EV_MAX; k++) {
		const struct event_plan *ep = &plan->ev[k];
		const struct hook_cand *c = hooks_chosen(plan, k);
		struct json_object *o = json_object_new_object();
		struct json_object *progs = json_object_new_array();

		json_object_object_add(o, "event", json_object_new_string(tph_kind_name(k)));
		json_object_object_add(o, "hook",
				       c ? json_object_new_string(tph_hook_name(c->family)) :
					   NULL);
		json_object_object_add(o, "source", c ? json_object_new_string(c->source) :
						       NULL);
		json_object_object_add(o, "module", json_object_new_string(ep->module));
		json_object_object_add(o, "forced", json_object_new_boolean(ep->forced));
		json_object_object_add(o, "series_shape",
				       json_object_new_string(tph_shape_name(plan->shape)));
		for (i = 0; c && i < HOOK_MAX_TARGETS && c->t[i].prog; i++)
			if (!(ep->optional_missing & (1u << i)))
				json_object_array_add(progs,
						      json_object_new_string(c->t[i].prog));
		json_object_object_add(o, "programs", progs);
		json_object_object_add(o, "limit", c && c->limit ?
				       json_object_new_string(c->limit) : NULL);
		json_object_object_add(o, "why", c ? NULL : json_object_new_string(ep->why));
		json_object_array_add(arr, o);
	}
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
}

int cmd_probe(int argc, char **argv)
{
	struct argp argp = { probe_opts, probe_parse, NULL, probe_doc, NULL, NULL, NULL };
	struct probe_args a = {};
	struct sys_probe *p = NULL;
	struct probe_ops ops;
	struct hook_plan plan;
	char err[256];
	int ret;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	ret = check_privileges(err, sizeof(err));
	if (!ret)
		ret = sys_probe_new(&p, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tphtrace probe: %s\n", err);
		return 2;
	}
	sys_probe_ops(p, &ops);
	hooks_plan(&ops, &a.force, &plan);
	if (a.json)
		print_json(&plan);
	else
		print_text(&plan);
	ret = hooks_unavailable(&plan);
	if (ret && !a.json)
		fprintf(stderr, "tphtrace probe: %d event(s) unavailable on this kernel\n",
			ret);
	sys_probe_free(p);
	return ret ? 1 : 0;
}
