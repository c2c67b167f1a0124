// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hook selection driven by fake kernels: which families load, which
 * symbols and tracepoints exist. Also the reason enum ABI: the kernel
 * header's enum and names must equal tphtrace's mirror.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include "hooks.h"
#include "record.h"
#include "tphtrace.skel.h"
#include "iter.skel.h"

/* a BTF prototype: function @name, or member @member of struct @name */
struct fake_proto {
	const char *name;
	const char *member;
	struct fn_proto p;
};

struct fake_kernel {
	bool family[TPH_HOOK_MAX];
	const char *const *syms;	/* functions and tracepoints that exist */
	const struct fake_proto *protos; /* BTF; NULL-named entry ends it */
};

static bool has(const struct fake_kernel *k, const char *s)
{
	int i;

	for (i = 0; k->syms[i]; i++)
		if (!strcmp(k->syms[i], s))
			return true;
	return false;
}

static bool fake_family(void *ctx, enum tph_hook_family f, char *why, size_t len)
{
	const struct fake_kernel *k = ctx;

	if (!k->family[f])
		snprintf(why, len, "refused");
	return k->family[f];
}

/* tracepoints are listed as "tp:NAME", functions by name */
static bool fake_target(void *ctx, enum tph_hook_family f, const char *sym,
			char *module, size_t len)
{
	char tp[96];

	snprintf(module, len, "fake");
	if (f == TPH_HOOK_TP_BTF || f == TPH_HOOK_RAW_TP) {
		snprintf(tp, sizeof(tp), "tp:%s", sym);
		return has(ctx, tp);
	}
	return has(ctx, sym);
}

static bool fake_proto(void *ctx, const char *name, const char *member,
		       struct fn_proto *p)
{
	const struct fake_kernel *k = ctx;
	int i;

	for (i = 0; k->protos && k->protos[i].name; i++) {
		if (strcmp(k->protos[i].name, name) ||
		    !k->protos[i].member != !member ||
		    (member && strcmp(k->protos[i].member, member)))
			continue;
		*p = k->protos[i].p;
		return true;
	}
	return false;
}

static void plan_for(struct fake_kernel *k, const struct hook_force *force,
		     struct hook_plan *plan)
{
	struct probe_ops ops = { .family_ok = fake_family, .target_ok = fake_target,
				 .proto = fake_proto, .ctx = k };

	assert_int_equal(hooks_plan(&ops, force, plan), 0);
}

static int family_of(const struct hook_plan *plan, unsigned int kind)
{
	const struct hook_cand *c = hooks_chosen(plan, kind);

	return c ? (int)c->family : -1;
}

static const char *const stock_612[] = {
	"dma_buf_export", "dma_buf_release", "dma_buf_dynamic_attach", "dma_buf_detach",
	"dma_buf_map_attachment", "dma_buf_unmap_attachment", "dma_buf_move_notify",
	NULL,
};

static const char *const patched[] = {
	"dma_buf_export", "dma_buf_release", "dma_buf_dynamic_attach", "dma_buf_detach",
	"dma_buf_map_attachment", "dma_buf_unmap_attachment",
	"dma_buf_invalidate_mappings", "tp:dma_buf_get_pci_tph", "tp:vfio_pci_tph_query",
	"tp:vfio_pci_tph_set", "tp:mlx5_ib_mr_tph", "tp:mlx5_ib_dmabuf_mr",
	"tp:mlx5_ib_dmabuf_mr_dereg", "tp:mlx5_st_index_alloc", "tp:mlx5_st_index_get",
	"tp:mlx5_st_index_put", "tp:pcie_tph_enable", "tp:pcie_tph_disable",
	"tp:pcie_tph_st_write",
	"dma_buf_get_tph", "mlx5_ib_reg_user_mr_dmabuf", "mlx5_st_alloc_index_by_tag",
	"mlx5_st_dealloc_index", NULL,
};

static const char *const series_only[] = {
	"dma_buf_export", "dma_buf_release", "dma_buf_dynamic_attach", "dma_buf_detach",
	"dma_buf_map_attachment", "dma_buf_unmap_attachment",
	"dma_buf_invalidate_mappings", "dma_buf_get_tph", "vfio_pci_dma_buf_get_tph",
	"vfio_pci_core_feature_dma_buf_tph", "mlx5_ib_reg_user_mr_dmabuf",
	"pcie_tph_enabled_req_type", "mlx5_st_alloc_index_by_tag", "mlx5_st_get_index",
	"mlx5_st_dealloc_index", "pcie_enable_tph", "pcie_disable_tph",
	"pcie_tph_set_st_entry", NULL,
};

static void test_patched_kernel_uses_tracepoints(void **state)
{
	struct fake_kernel k = { .syms = patched };
	struct hook_plan plan;
	int e;

	k.family[TPH_HOOK_TP_BTF] = k.family[TPH_HOOK_RAW_TP] = true;
	k.family[TPH_HOOK_FENTRY] = k.family[TPH_HOOK_KPROBE] = true;
	plan_for(&k, NULL, &plan);
	for (e = TPH_EV_TPH_PUBLISH; e <= TPH_EV_PCI_TPH; e++)
		assert_int_equal(family_of(&plan, e), TPH_HOOK_TP_BTF);
	/* no upstream dma_buf tracepoints: stock functions */
	assert_int_equal(family_of(&plan, TPH_EV_ATTACH), TPH_HOOK_FENTRY);
	assert_int_equal(hooks_unavailable(&plan), 0);
	assert_true(hooks_prog_selected(&plan, "tp_btf__vfio_pci_tph_query"));
	assert_false(hooks_prog_selected(&plan, "fexit__dma_buf_get_tph"));
}

static void test_tp_btf_refused_falls_to_raw_tp(void **state)
{
	struct fake_kernel k = { .syms = patched };
	struct hook_plan plan;

	k.family[TPH_HOOK_RAW_TP] = true;
	plan_for(&k, NULL, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_MR_REG), TPH_HOOK_RAW_TP);
	/* no function hooks at all: lifetime events unavailable, with a reason */
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_RELEASE), -1);
	assert_non_null(strstr(plan.ev[TPH_EV_DMABUF_RELEASE].why, "refused"));
	assert_int_equal(hooks_unavailable(&plan), 7);
}

static void test_series_only_kernel_uses_functions(void **state)
{
	struct fake_kernel k = { .syms = series_only };
	struct hook_plan plan;

	k.family[TPH_HOOK_TP_BTF] = k.family[TPH_HOOK_RAW_TP] = true;
	k.family[TPH_HOOK_FENTRY] = k.family[TPH_HOOK_KPROBE] = true;
	plan_for(&k, NULL, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_TPH_QUERY), TPH_HOOK_FENTRY);
	assert_int_equal(family_of(&plan, TPH_EV_MR_REG), TPH_HOOK_FENTRY);
	assert_int_equal(plan.ev[TPH_EV_MR_REG].optional_missing, 0);
	assert_int_equal(family_of(&plan, TPH_EV_INVALIDATE), TPH_HOOK_FENTRY);
	assert_true(hooks_prog_selected(&plan, "fentry__dma_buf_invalidate_mappings"));
	assert_false(hooks_prog_selected(&plan, "fentry__dma_buf_move_notify"));
	/* only MR deregistration needs our tracepoint */
	assert_int_equal(family_of(&plan, TPH_EV_MR_DEREG), -1);
	assert_int_equal(hooks_unavailable(&plan), 1);
}

/*
 * A pre-6.5 kernel refuses fentry on the 8-argument registration function:
 * mr_reg falls back to kprobe while tph_query stays on fentry. The kprobe
 * candidate's helpers on functions fentry already hooks are dropped, so
 * dma_buf_get_tph() is hooked once, not by a fexit and a kretprobe.
 */
static bool fake_target_pre65(void *ctx, enum tph_hook_family f, const char *sym,
			      char *module, size_t len)
{
	if (f == TPH_HOOK_FENTRY && !strcmp(sym, "mlx5_ib_reg_user_mr_dmabuf"))
		return false;
	return fake_target(ctx, f, sym, module, len);
}

static void test_mixed_families_hook_each_function_once(void **state)
{
	struct fake_kernel k = { .syms = series_only };
	struct probe_ops ops = { .family_ok = fake_family,
				 .target_ok = fake_target_pre65, .ctx = &k };
	struct hook_plan plan;

	k.family[TPH_HOOK_FENTRY] = k.family[TPH_HOOK_KPROBE] = true;
	assert_int_equal(hooks_plan(&ops, NULL, &plan), 0);
	assert_int_equal(family_of(&plan, TPH_EV_MR_REG), TPH_HOOK_KPROBE);
	assert_int_equal(family_of(&plan, TPH_EV_TPH_QUERY), TPH_HOOK_FENTRY);
	assert_true(hooks_prog_selected(&plan, "fexit__dma_buf_get_tph"));
	assert_false(hooks_prog_selected(&plan, "kretprobe__dma_buf_get_tph"));
	assert_false(hooks_prog_selected(&plan, "kprobe__dma_buf_get_tph"));
	assert_true(hooks_prog_selected(&plan, "fexit__mlx5_st_alloc_index_by_tag"));
	assert_false(hooks_prog_selected(&plan, "kretprobe__mlx5_st_alloc_index_by_tag"));
	/* what only mr_reg hooks stays on kprobe */
	assert_true(hooks_prog_selected(&plan, "kretprobe__mlx5_ib_reg_user_mr_dmabuf"));
	assert_true(hooks_prog_selected(&plan, "kretprobe__pcie_tph_enabled_req_type"));
}

static void test_stock_kernel_and_forcing(void **state)
{
	struct fake_kernel k = { .syms = stock_612 };
	struct hook_force force = {};
	struct hook_plan plan;
	char err[160];

	k.family[TPH_HOOK_TP_BTF] = k.family[TPH_HOOK_FENTRY] = true;
	k.family[TPH_HOOK_KPROBE] = true;
	plan_for(&k, NULL, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_INVALIDATE), TPH_HOOK_FENTRY);
	assert_true(hooks_prog_selected(&plan, "fentry__dma_buf_move_notify"));
	assert_int_equal(family_of(&plan, TPH_EV_MR_REG), -1);

	assert_int_equal(hooks_parse_force(&force, "all=kprobe", err, sizeof(err)), 0);
	plan_for(&k, &force, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_EXPORT), TPH_HOOK_KPROBE);
	assert_true(plan.ev[TPH_EV_DMABUF_EXPORT].forced);
	assert_true(hooks_prog_selected(&plan, "kretprobe__dma_buf_export"));

	memset(&force, 0, sizeof(force));
	assert_int_equal(hooks_parse_force(&force, "map=raw_tp", err, sizeof(err)), 0);
	plan_for(&k, &force, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_MAP), -1);
	assert_non_null(strstr(plan.ev[TPH_EV_MAP].why, "no raw_tp hook"));
}

static bool fake_kfunc(void *ctx, const char *name, char *why, size_t len)
{
	if (has(ctx, name))
		return true;
	snprintf(why, len, "no kfunc '%s'", name);
	return false;
}

/*
 * The typed release program (bpf/fn.bpf.h) where the kfunc may be called,
 * the plain one elsewhere, and the plain one when forced to kprobe's family
 * is not a question; both are fentry.
 */
static void test_typed_release_needs_the_kfunc(void **state)
{
	static const char *const with_cast[] = {
		"dma_buf_export", "dma_buf_release", "dma_buf_dynamic_attach", "dma_buf_detach",
		"bpf_rdonly_cast", NULL,
	};
	struct fake_kernel k = { .syms = with_cast };
	struct probe_ops ops = { .family_ok = fake_family, .target_ok = fake_target,
				 .kfunc_ok = fake_kfunc, .proto = fake_proto, .ctx = &k };
	struct hook_plan plan;

	k.family[TPH_HOOK_FENTRY] = k.family[TPH_HOOK_KPROBE] = true;
	assert_int_equal(hooks_plan(&ops, NULL, &plan), 0);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_RELEASE), TPH_HOOK_FENTRY);
	assert_true(hooks_prog_selected(&plan, "fentry__dma_buf_release_typed"));
	assert_false(hooks_prog_selected(&plan, "fentry__dma_buf_release"));

	k.syms = stock_612;	/* no kfunc: the plain program */
	assert_int_equal(hooks_plan(&ops, NULL, &plan), 0);
	assert_true(hooks_prog_selected(&plan, "fentry__dma_buf_release"));
	assert_false(hooks_prog_selected(&plan, "fentry__dma_buf_release_typed"));

	ops.kfunc_ok = NULL;	/* a probe that knows no kfuncs */
	k.syms = with_cast;
	assert_int_equal(hooks_plan(&ops, NULL, &plan), 0);
	assert_true(hooks_prog_selected(&plan, "fentry__dma_buf_release"));
}

/*
 * A kernel that refuses fentry and has neither kprobes nor dma_buf
 * tracepoints but has iter/dmabuf (this project's 6.18 build host):
 * lifetimes fall back to sampled snapshots, and say what that cannot see.
 */
static void test_no_lifetime_hook_samples_iter(void **state)
{
	static const char *const host[] = { "dmabuf", NULL };
	static const char *const stock_616[] = {
		"dma_buf_export", "dma_buf_release", "dma_buf_dynamic_attach",
		"dma_buf_detach", "dmabuf", NULL,
	};
	struct fake_kernel k = { .syms = host };
	const struct hook_cand *c;
	struct hook_force force = {};
	struct hook_plan plan;
	char err[160];

	k.family[TPH_HOOK_TP_BTF] = k.family[TPH_HOOK_RAW_TP] = true;
	k.family[TPH_HOOK_ITER] = true;
	plan_for(&k, NULL, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_EXPORT), TPH_HOOK_ITER);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_RELEASE), TPH_HOOK_ITER);
	assert_int_equal(family_of(&plan, TPH_EV_ATTACH), -1);
	c = hooks_chosen(&plan, TPH_EV_DMABUF_EXPORT);
	assert_non_null(c->limit);
	assert_non_null(strstr(c->limit, "shorter than the interval is not seen"));
	assert_true(hooks_prog_selected(&plan, "iter_dmabuf"));

	/* a kernel with fentry keeps fentry: iter is the last resort */
	k.syms = stock_616;
	k.family[TPH_HOOK_FENTRY] = true;
	plan_for(&k, NULL, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_RELEASE), TPH_HOOK_FENTRY);
	/* unless forced, by the event names probe prints */
	assert_int_equal(hooks_parse_force(&force, "dmabuf_export=iter", err, sizeof(err)), 0);
	assert_int_equal(hooks_parse_force(&force, "dmabuf_release=iter", err, sizeof(err)), 0);
	plan_for(&k, &force, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_EXPORT), TPH_HOOK_ITER);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_RELEASE), TPH_HOOK_ITER);
	assert_true(plan.ev[TPH_EV_DMABUF_EXPORT].forced);
	assert_int_equal(family_of(&plan, TPH_EV_ATTACH), TPH_HOOK_FENTRY);
	/* a kernel without the iterator says so */
	k.syms = stock_612;	/* before v6.16 */
	plan_for(&k, &force, &plan);
	assert_int_equal(family_of(&plan, TPH_EV_DMABUF_EXPORT), -1);
	assert_non_null(strstr(plan.ev[TPH_EV_DMABUF_EXPORT].why,
			       "iter: no iterator 'dmabuf' (iter/dmabuf needs v6.16+)"));
}

static void test_force_parse_errors(void **state)
{
	struct hook_force force = {};
	char err[160];

	assert_int_equal(hooks_parse_force(&force, "mr_reg", err, sizeof(err)), -EINVAL);
	assert_int_equal(hooks_parse_force(&force, "=fentry", err, sizeof(err)), -EINVAL);
	assert_int_equal(hooks_parse_force(&force, "mr_reg=", err, sizeof(err)), -EINVAL);
	assert_int_equal(hooks_parse_force(&force, "bogus=fentry", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(hooks_parse_force(&force, "mr_reg=uprobe", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(hooks_parse_force(&force, "mr_reg=iter", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "has no iter hook"));
}

/* ---- series shapes (src/shape.c) ----------------------------------- */

#define P_EXT	{ 4, { PROTO_PTR, PROTO_BOOL, PROTO_PTR, PROTO_PTR } }
#define P_WIDTH	{ 4, { PROTO_PTR, PROTO_PTR, PROTO_PTR, PROTO_U8 } }

/* what every series kernel has besides the query functions */
#define SERIES_COMMON \
	"dma_buf_export", "dma_buf_release", "dma_buf_dynamic_attach", \
	"dma_buf_detach", "dma_buf_map_attachment", "dma_buf_unmap_attachment", \
	"dma_buf_invalidate_mappings", "vfio_pci_core_feature_dma_buf_tph", \
	"mlx5_ib_reg_user_mr_dmabuf", "pcie_tph_enabled_req_type", \
	"mlx5_st_alloc_index_by_tag", "mlx5_st_dealloc_index", "pcie_enable_tph", \
	"pcie_disable_tph", "pcie_tph_set_st_entry"

/* v5 (2026-05-26): no wrapper, no mlx5_st_get_index() */
static const char *const v5_syms[] = { SERIES_COMMON, "vfio_pci_dma_buf_get_tph", NULL };
static const struct fake_proto v5_btf[] = {
	{ "vfio_pci_dma_buf_get_tph", NULL, P_WIDTH },
	{ "dma_buf_ops", "get_tph", P_WIDTH },
	{},
};

static const char *const v7_syms[] = { SERIES_COMMON, "dma_buf_get_tph",
	"vfio_pci_dma_buf_get_tph", "mlx5_st_get_index", NULL };
static const struct fake_proto v7_btf[] = {
	{ "dma_buf_get_tph", NULL, P_EXT },
	{ "vfio_pci_dma_buf_get_tph", NULL, P_EXT },
	{ "dma_buf_ops", "get_tph", P_EXT },
	{},
};

static const char *const v8_syms[] = { SERIES_COMMON, "dma_buf_get_pci_tph",
	"vfio_pci_dma_buf_get_pci_tph", "mlx5_st_get_index", NULL };
static const struct fake_proto v8_btf[] = {
	{ "dma_buf_get_pci_tph", NULL, P_EXT },
	{ "vfio_pci_dma_buf_get_pci_tph", NULL, P_EXT },
	{ "dma_buf_ops", "get_pci_tph", P_EXT },
	{},
};

static void series_kernel(struct fake_kernel *k, const char *const *syms,
			  const struct fake_proto *btf)
{
	memset(k, 0, sizeof(*k));
	k->syms = syms;
	k->protos = btf;
	k->family[TPH_HOOK_FENTRY] = k->family[TPH_HOOK_KPROBE] = true;
	k->family[TPH_HOOK_TP_BTF] = k->family[TPH_HOOK_RAW_TP] = true;
}

static void test_shape_v5(void **state)
{
	struct fake_kernel k;
	struct hook_plan plan;

	series_kernel(&k, v5_syms, v5_btf);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_V5);
	assert_string_equal(tph_shape_name(plan.shape), "v5");
	assert_non_null(strstr(plan.shape_how, "vfio_pci_dma_buf_get_tph(ptr, ptr, ptr, u8)"));
	/* no wrapper: the exporter callback is the query */
	assert_int_equal(family_of(&plan, TPH_EV_TPH_QUERY), TPH_HOOK_FENTRY);
	assert_string_equal(hooks_chosen(&plan, TPH_EV_TPH_QUERY)->source,
			    "TPH series functions (v5)");
	assert_true(hooks_prog_selected(&plan, "fexit__vfio_pci_dma_buf_get_tph"));
	assert_false(hooks_prog_selected(&plan, "fexit__dma_buf_get_tph"));
	/* every refinement of the v5 registration is there; no get_index in v5 */
	assert_int_equal(family_of(&plan, TPH_EV_MR_REG), TPH_HOOK_FENTRY);
	assert_int_equal(plan.ev[TPH_EV_MR_REG].optional_missing, 0);
	assert_int_equal(plan.ev[TPH_EV_ST_INDEX].optional_missing, 0);
	assert_false(hooks_prog_selected(&plan, "fexit__mlx5_st_get_index"));
	assert_int_equal(hooks_unavailable(&plan), 1);	/* mr_dereg: tracepoint only */
}

static void test_shape_v7(void **state)
{
	struct fake_kernel k;
	struct hook_plan plan;

	series_kernel(&k, v7_syms, v7_btf);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_V7);
	assert_true(hooks_prog_selected(&plan, "fexit__dma_buf_get_tph"));
	assert_true(hooks_prog_selected(&plan, "fexit__vfio_pci_dma_buf_get_tph"));
	assert_false(hooks_prog_selected(&plan, "fexit__dma_buf_get_pci_tph"));
	assert_int_equal(plan.ev[TPH_EV_TPH_QUERY].optional_missing, 0);
	assert_int_equal(plan.ev[TPH_EV_MR_REG].optional_missing, 0);
	assert_true(hooks_prog_selected(&plan, "fexit__mlx5_st_get_index"));
}

static void test_shape_v8(void **state)
{
	struct fake_kernel k;
	struct hook_force force = {};
	struct hook_plan plan;
	char err[160];

	series_kernel(&k, v8_syms, v8_btf);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_V8);
	assert_string_equal(tph_shape_name(plan.shape), "v8+");
	assert_true(hooks_prog_selected(&plan, "fexit__dma_buf_get_pci_tph"));
	assert_true(hooks_prog_selected(&plan, "fexit__vfio_pci_dma_buf_get_pci_tph"));
	assert_string_equal(hooks_chosen(&plan, TPH_EV_MR_REG)->source,
			    "TPH series functions (v8+)");
	assert_int_equal(plan.ev[TPH_EV_MR_REG].optional_missing, 0);
	/* kprobes read the same positions */
	assert_int_equal(hooks_parse_force(&force, "all=kprobe", err, sizeof(err)), 0);
	plan_for(&k, &force, &plan);
	assert_true(hooks_prog_selected(&plan, "kretprobe__dma_buf_get_pci_tph"));
	assert_true(hooks_prog_selected(&plan, "kprobe__dma_buf_get_pci_tph"));
	assert_false(hooks_prog_selected(&plan, "kretprobe__dma_buf_get_tph"));
	assert_int_equal(plan.ev[TPH_EV_MR_REG].optional_missing, 0);
}

/* vfio-pci not loaded yet: the dma_buf_ops member in vmlinux BTF tells */
static void test_shape_from_ops_member(void **state)
{
	static const char *const no_vfio[] = { "dma_buf_export", NULL };
	static const struct fake_proto v8_core[] = {
		{ "dma_buf_ops", "get_pci_tph", P_EXT }, {},
	};
	static const struct fake_proto v5_core[] = {
		{ "dma_buf_ops", "get_tph", P_WIDTH }, {},
	};
	struct fake_kernel k;
	char how[160];
	struct probe_ops ops = { .family_ok = fake_family, .target_ok = fake_target,
				 .proto = fake_proto, .ctx = &k };

	series_kernel(&k, no_vfio, v8_core);
	assert_int_equal(hooks_detect_shape(&ops, how, sizeof(how)), TPH_SHAPE_V8);
	assert_non_null(strstr(how, "dma_buf_ops.get_pci_tph(ptr, bool, ptr, ptr)"));
	series_kernel(&k, no_vfio, v5_core);
	assert_int_equal(hooks_detect_shape(&ops, how, sizeof(how)), TPH_SHAPE_V5);
}

/* Without BTF for the module (kprobes only): the names decide. */
static void test_shape_by_name_only(void **state)
{
	struct fake_kernel k;
	struct hook_plan plan;

	series_kernel(&k, v5_syms, NULL);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_V5);
	assert_non_null(strstr(plan.shape_how, "by name"));
	series_kernel(&k, v7_syms, NULL);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_V7);
	series_kernel(&k, v8_syms, NULL);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_V8);
}

/*
 * A revision whose callback has neither known prototype: its arguments
 * are read by no program (a wrong position would report garbage tags),
 * and probe says why.
 */
static void test_shape_unknown_hooks_no_series_query(void **state)
{
	static const struct fake_proto odd[] = {
		{ "dma_buf_get_tph", NULL, { 3, { PROTO_PTR, PROTO_PTR, PROTO_PTR } } },
		{},
	};
	struct fake_kernel k;
	struct hook_plan plan;

	series_kernel(&k, v7_syms, odd);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_UNKNOWN);
	assert_non_null(strstr(plan.shape_how, "dma_buf_get_tph(ptr, ptr, ptr)"));
	assert_int_equal(family_of(&plan, TPH_EV_TPH_QUERY), -1);
	assert_non_null(strstr(plan.ev[TPH_EV_TPH_QUERY].why, "series shape unknown"));
	/* the registration is still seen, without the query */
	assert_int_equal(family_of(&plan, TPH_EV_MR_REG), TPH_HOOK_FENTRY);
	assert_false(hooks_prog_selected(&plan, "fexit__dma_buf_get_tph"));
	assert_false(hooks_prog_selected(&plan, "fexit__vfio_pci_dma_buf_get_tph"));
}

/* A v7 wrapper with a v5 callback prototype is no known revision either. */
static void test_shape_v5_width_on_v7_names(void **state)
{
	static const struct fake_proto mixed[] = {
		{ "dma_buf_get_tph", NULL, P_WIDTH },
		{},
	};
	struct fake_kernel k;
	struct hook_plan plan;

	series_kernel(&k, v7_syms, mixed);
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_UNKNOWN);
}

static void test_shape_none(void **state)
{
	struct fake_kernel k = { .syms = stock_612 };
	struct hook_plan plan;

	k.family[TPH_HOOK_FENTRY] = k.family[TPH_HOOK_KPROBE] = true;
	plan_for(&k, NULL, &plan);
	assert_int_equal(plan.shape, TPH_SHAPE_NONE);
	assert_string_equal(tph_shape_name(plan.shape), "none");
	assert_non_null(strstr(plan.ev[TPH_EV_TPH_QUERY].why, "series shape none"));
}

/*
 * Programs of the BPF object that no hook table entry names, each with the
 * reason it is not table-driven. None today: collect.c loads exactly the
 * programs the plan selects by name, so a program missing from the table
 * would never run.
 */
static const char *const not_table_driven[] = {
	/*
	 * iter.bpf.o: the iterator without the exporter-private reads, which
	 * src/inventory.c loads when the tag reader's CO-RE relocations fail
	 */
	"iter_dmabuf_plain",
	NULL,
};

static bool table_names(const char *prog)
{
	int k, c, i;

	for (k = 1; k < TPH_EV_MAX; k++)
		for (c = 0; c < HOOK_MAX_CANDS && tph_events[k].cand[c].t[0].prog; c++)
			for (i = 0; i < HOOK_MAX_TARGETS && tph_events[k].cand[c].t[i].prog;
			     i++)
				if (!strcmp(tph_events[k].cand[c].t[i].prog, prog))
					return true;
	return false;
}

/*
 * Does @sec, the ELF section of a program (what bpf_program__attach()
 * attaches by), attach to @sym with a hook of @family?
 */
static bool section_hooks(const char *sec, enum tph_hook_family family, const char *sym)
{
	static const struct { enum tph_hook_family f; const char *prefix; } kinds[] = {
		{ TPH_HOOK_TP_BTF, "tp_btf/" }, { TPH_HOOK_RAW_TP, "raw_tp/" },
		{ TPH_HOOK_FENTRY, "fentry/" }, { TPH_HOOK_FENTRY, "fexit/" },
		{ TPH_HOOK_KPROBE, "kprobe/" }, { TPH_HOOK_KPROBE, "kretprobe/" },
		{ TPH_HOOK_ITER, "iter/" },
	};
	size_t i, n;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i].prefix);
		if (kinds[i].f == family && !strncmp(sec, kinds[i].prefix, n))
			return !strcmp(sec + n, sym);
	}
	return false;
}

/*
 * Every program the hook table names is a program of the real BPF object
 * (the generated skeleton, opened but not loaded: no privileges needed)
 * whose section attaches to the table's symbol with the candidate's
 * family, and every program of the object is named by the table or listed
 * above.
 */
static void test_table_matches_bpf_object(void **state)
{
	struct tphtrace_bpf *skel = tphtrace_bpf__open();
	struct iter_bpf *iskel = iter_bpf__open();	/* hook family iter */
	struct bpf_object *objs[2];
	const struct hook_target *t;
	struct bpf_program *prog;
	int k, c, i, o, missing = 0, unused = 0, n = 0;

	assert_non_null(skel);
	assert_non_null(iskel);
	objs[0] = skel->obj;
	objs[1] = iskel->obj;
	for (k = 1; k < TPH_EV_MAX; k++) {
		assert_int_equal(tph_events[k].kind, k);
		assert_non_null(tph_events[k].cand[0].t[0].prog);
		for (c = 0; c < HOOK_MAX_CANDS && tph_events[k].cand[c].t[0].prog; c++) {
			for (i = 0; i < HOOK_MAX_TARGETS && tph_events[k].cand[c].t[i].prog;
			     i++) {
				t = &tph_events[k].cand[c].t[i];
				n++;
				prog = bpf_object__find_program_by_name(
					objs[tph_events[k].cand[c].family == TPH_HOOK_ITER],
					t->prog);
				if (prog && section_hooks(bpf_program__section_name(prog),
							  tph_events[k].cand[c].family, t->sym))
					continue;
				if (prog)
					print_error("hook table: %s (event %s) is in section %s, not a %s hook on %s\n",
						    t->prog, tph_kind_name(k),
						    bpf_program__section_name(prog),
						    tph_hook_name(tph_events[k].cand[c].family), t->sym);
				else
					print_error("hook table: %s (event %s) is not a program of %s\n",
						    t->prog, tph_kind_name(k),
						    tph_events[k].cand[c].family == TPH_HOOK_ITER ?
						    "iter.bpf.o" : "tphtrace.bpf.o");
				missing++;
			}
		}
	}
	for (o = 0; o < 2; o++) {
		bpf_object__for_each_program(prog, objs[o]) {
			const char *name = bpf_program__name(prog);
			bool listed = false;

			for (i = 0; not_table_driven[i]; i++)
				listed |= !strcmp(not_table_driven[i], name);
			if (table_names(name) == !listed)
				continue;
			print_error("%s: program %s is %s\n", o ? "iter.bpf.o" : "tphtrace.bpf.o",
				    name, listed ? "in the table and listed as not table-driven" :
						   "named by no hook table entry");
			unused++;
		}
	}
	iter_bpf__destroy(iskel);
	tphtrace_bpf__destroy(skel);
	assert_true(n > 0);
	assert_int_equal(missing, 0);
	assert_int_equal(unused, 0);
}


/*
 * The kernel's enum mlx5_ib_tph_reason (its EM() list in the mlx5_ib trace
 * header) against the enumerators bpf/tp.bpf.h translates by name: the same
 * names in the same order, each printed as its lower-case name, and each
 * one a tphtrace reason, except "unavailable" (-EOPNOTSUPP from the query,
 * which the BPF side splits into no_op and not_published).
 */
static int read_names(const char *path, const char *fmt, char names[][64], int max)
{
	char line[256], kname[64], name[64];
	int n = 0;
	size_t i;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		if (fmt[0] == 'E') {
			if (sscanf(line, " EM(MLX5_IB_TPH_%63[A-Z0-9_], \"%63[a-z0-9_]\")",
				   kname, name) != 2 &&
			    sscanf(line, " EMe(MLX5_IB_TPH_%63[A-Z0-9_], \"%63[a-z0-9_]\")",
				   kname, name) != 2)
				continue;
			if (!strncmp(kname, "SRC_", 4))
				continue;
			/* MLX5_IB_TPH_ST_TABLE_FULL prints as "st_table_full" */
			for (i = 0; kname[i]; i++)
				kname[i] = (char)tolower((unsigned char)kname[i]);
			assert_string_equal(kname, name);
		} else {
			if (sscanf(line, " MLX5_IB_TPH_%63[A-Za-z0-9_],", kname) != 1 ||
			    !strstr(kname, "___tph") || !strncmp(kname, "SRC_", 4))
				continue;
			*strstr(kname, "___tph") = '\0';
			for (i = 0; kname[i]; i++)
				kname[i] = (char)tolower((unsigned char)kname[i]);
			snprintf(name, sizeof(name), "%s", kname);
		}
		snprintf(names[n++], 64, "%s", name);
	}
	fclose(f);
	return n;
}

static void test_reason_enum_matches_kernel(void **state)
{
	char k[32][64], b[32][64];
	int nk, nb, i, v;

	nk = read_names("kernel/tree/drivers/infiniband/hw/mlx5/mr_tracepoint.h", "EM",
			k, 32);
	nb = read_names("bpf/tp.bpf.h", "bpf", b, 32);
	assert_true(nk >= 9);
	assert_int_equal(nk, nb);
	for (i = 0; i < nk; i++) {
		assert_string_equal(k[i], b[i]);
		if (!strcmp(k[i], "unavailable"))
			continue;
		v = tph_reason_from_name(k[i]);
		assert_true(v >= 0 && v < TPH_REASON_KERNEL_MAX);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patched_kernel_uses_tracepoints),
		cmocka_unit_test(test_tp_btf_refused_falls_to_raw_tp),
		cmocka_unit_test(test_series_only_kernel_uses_functions),
		cmocka_unit_test(test_mixed_families_hook_each_function_once),
		cmocka_unit_test(test_stock_kernel_and_forcing),
		cmocka_unit_test(test_typed_release_needs_the_kfunc),
		cmocka_unit_test(test_no_lifetime_hook_samples_iter),
		cmocka_unit_test(test_force_parse_errors),
		cmocka_unit_test(test_shape_v5),
		cmocka_unit_test(test_shape_v7),
		cmocka_unit_test(test_shape_v8),
		cmocka_unit_test(test_shape_from_ops_member),
		cmocka_unit_test(test_shape_by_name_only),
		cmocka_unit_test(test_shape_unknown_hooks_no_series_query),
		cmocka_unit_test(test_shape_v5_width_on_v7_names),
		cmocka_unit_test(test_shape_none),
		cmocka_unit_test(test_table_matches_bpf_object),
		cmocka_unit_test(test_reason_enum_matches_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
