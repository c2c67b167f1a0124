// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * core_same [--hooks EVENT=FAMILY]...: on this kernel, the programs
 * tphtrace's hook plan selects (with these --hooks, as tphtrace takes
 * them) are relocated the same with core_btf.c's BTF as with libbpf's own
 * CO-RE search (tests/bpf/core_same.h). Run in the guests, where tphsim's
 * module types are there to be found. Prints one "core_btf_same" line;
 * exit 0 if the same, 1 if not.
 */
#define _GNU_SOURCE
#include "core_same.h"

struct plan_ctx {
	struct hook_plan plan;
	struct sys_probe *probe;
};

static bool pick(void *ctx, const char *prog)
{
	return hooks_prog_selected(&((struct plan_ctx *)ctx)->plan, prog);
}

static void prep(void *ctx, struct tphtrace_bpf *s)
{
	struct plan_ctx *c = ctx;
	__u32 kfunc;
	int k;

	for (k = 1; k < TPH_EV_MAX; k++) {
		const struct hook_cand *cd = hooks_chosen(&c->plan, k);

		s->rodata->event_family[k] = cd ? cd->family : TPH_HOOK_NONE;
	}
	s->rodata->series_shape = c->plan.shape;
	/* the typed programs' cast, as src/collect.c sets it */
	sys_probe_cast_ids(c->probe, &kfunc, &s->rodata->btf_id_dma_buf);
}

int main(int argc, char **argv)
{
	struct plan_ctx c;
	struct sys_probe *p;
	struct probe_ops ops;
	struct hook_force force = {};
	char err[256], why[256], hooks[256] = "";
	int nprogs, nroots, ret, i;

	libbpf_set_print(NULL);
	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--hooks") || i + 1 >= argc ||
		    hooks_parse_force(&force, argv[i + 1], err, sizeof(err))) {
			fprintf(stderr, "usage: core_same [--hooks EVENT=FAMILY]...\n");
			return 2;
		}
		snprintf(hooks + strlen(hooks), sizeof(hooks) - strlen(hooks), "%s%s",
			 hooks[0] ? "," : "", argv[i + 1]);
	}
	if (!hooks[0])
		snprintf(hooks, sizeof(hooks), "auto");
	if (sys_probe_new(&p, err, sizeof(err))) {
		printf("core_btf_same hooks=%s result=FAIL probe: %s\n", hooks, err);
		return 1;
	}
	sys_probe_ops(p, &ops);
	c.probe = p;
	hooks_plan(&ops, &force, &c.plan);
	ret = core_same(pick, prep, &c, &nprogs, &nroots, why, sizeof(why));
	sys_probe_free(p);
	if (ret)
		printf("core_btf_same hooks=%s result=FAIL %s\n", hooks, why);
	else
		printf("core_btf_same hooks=%s result=PASS programs=%d roots=%d\n",
		       hooks, nprogs, nroots);
	return ret ? 1 : 0;
}
