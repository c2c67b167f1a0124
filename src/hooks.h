/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The hook table: for every logical event, its candidate hooks best first,
 * and the selection that picks the first one this kernel can run. Probing
 * goes through struct probe_ops so unit tests can drive the selection
 * with fake kernels.
 */
#ifndef TPHTRACE_HOOKS_H
#define TPHTRACE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "tphtrace/tphtrace.h"

#define HOOK_MAX_TARGETS	10
#define HOOK_MAX_CANDS		12

/* hook_cand.shapes: the series shapes a candidate is for (0: any kernel) */
#define SHAPE(s)		(1u << TPH_SHAPE_##s)
/*
 * Room for the reason of every candidate of an event, never cut: a family's
 * refusal (HOOK_FAMILY_WHY_LEN) or a missing symbol, per candidate
 * (tests/unit/test_hooks.c checks the table's worst case fits).
 */
#define HOOK_FAMILY_WHY_LEN	160
#define HOOK_WHY_LEN		(HOOK_MAX_CANDS * (HOOK_FAMILY_WHY_LEN + 16))

struct hook_target {
	const char *prog;	/* BPF program in tphtrace.bpf.c */
	const char *sym;	/* tracepoint or kernel function it attaches to */
	bool optional;		/* refines the event; not needed to report it */
};

struct hook_cand {
	enum tph_hook_family family;
	const char *source;	/* what provides the hook, for humans */
	struct hook_target t[HOOK_MAX_TARGETS];
	/*
	 * SHAPE() bits: the candidate reads the series' functions at the
	 * argument positions of these shapes and is tried only on a kernel
	 * of one of them; 0 for hooks that do not depend on the shape.
	 */
	unsigned char shapes;
	const char *limit;	/* what this hook cannot see, NULL: nothing */
	/* a kfunc its programs call, which vmlinux must have; NULL: none */
	const char *kfunc;
};

struct event_def {
	enum tph_kind kind;
	const char *desc;
	struct hook_cand cand[HOOK_MAX_CANDS];
};

/* The table, indexed by enum tph_kind (entry 0 unused). */
extern const struct event_def tph_events[TPH_EV_MAX];

/* A function prototype as the shape detection needs it (from BTF). */
enum proto_arg {
	PROTO_OTHER = 0,
	PROTO_PTR,
	PROTO_BOOL,
	PROTO_U8,
	PROTO_U16,
	PROTO_INT,		/* any other integer */
};

#define PROTO_MAX_ARGS		12

struct fn_proto {
	int nargs;
	unsigned char arg[PROTO_MAX_ARGS];	/* enum proto_arg */
};

struct probe_ops {
	/* can this kernel load and attach programs of @family at all? */
	bool (*family_ok)(void *ctx, enum tph_hook_family family, char *why,
			  size_t len);
	/* does @sym exist as @family needs it? fills @module ("" = vmlinux) */
	bool (*target_ok)(void *ctx, enum tph_hook_family family, const char *sym,
			  char *module, size_t len);
	/*
	 * may programs call kfunc @name here? (NULL: no kfuncs at all) @why
	 * says why not
	 */
	bool (*kfunc_ok)(void *ctx, const char *name, char *why, size_t len);
	/*
	 * BTF prototype of function @name, or with @member of the function
	 * pointer @member of struct @name; false when BTF does not have it
	 * (NULL: no BTF at all, names decide alone).
	 */
	bool (*proto)(void *ctx, const char *name, const char *member,
		      struct fn_proto *p);
	void *ctx;
};

/* The series' functions and ops members the shape is told from. */
extern const char *const tph_shape_funcs[];
extern const char *const tph_shape_structs[];

/*
 * Which revision of the TPH series this kernel carries, from the names of
 * its functions and their prototypes; @how says what decided it.
 */
enum tph_series_shape hooks_detect_shape(const struct probe_ops *ops, char *how,
					 size_t len);
/* "v5", "v7", "v8+", "none", "unknown" */
const char *tph_shape_name(enum tph_series_shape shape);


struct event_plan {
	int cand;			/* index into cand[], -1: unavailable */
	bool forced;			/* chosen by --hooks */
	unsigned int optional_missing;	/* bitmask of t[] not available */
	char why[HOOK_WHY_LEN];		/* why unavailable: every candidate's reason */
	char module[32];		/* module of the first required target */
};

struct hook_plan {
	struct event_plan ev[TPH_EV_MAX];
	enum tph_series_shape shape;	/* of the series functions hooked */
	char shape_how[160];		/* what the shape was told from */
};

/* Family forced per event by --hooks (TPH_HOOK_NONE: automatic). */
struct hook_force {
	unsigned char family[TPH_EV_MAX];
};

int hooks_parse_force(struct hook_force *force, const char *arg, char *err,
		      size_t errlen);
int hooks_plan(const struct probe_ops *ops, const struct hook_force *force,
	       struct hook_plan *plan);
/* number of events without a hook */
int hooks_unavailable(const struct hook_plan *plan);
const struct hook_cand *hooks_chosen(const struct hook_plan *plan,
				     unsigned int kind);
/* the hook family chosen for each event (TPH_HOOK_NONE: unavailable) */
void hooks_families(const struct hook_plan *plan, unsigned char family[TPH_EV_MAX]);
/* true if @prog is selected by any event of @plan */
bool hooks_prog_selected(const struct hook_plan *plan, const char *prog);

/* The real probe: vmlinux and module BTF, test loads, kallsyms if need be. */
struct sys_probe;
struct core_roots;
int sys_probe_new(struct sys_probe **out, char *err, size_t errlen);
/*
 * The same, also collecting the kernel types the CO-RE relocations of
 * @roots can match, for sys_probe_core_btf()
 */
int sys_probe_new_core(struct sys_probe **out, const struct core_roots *roots,
		       char *err, size_t errlen);
/* write the target BTF of @roots (core_btf.h) into memfd @fd; 0 or -errno */
int sys_probe_core_btf(struct sys_probe *p, const struct core_roots *roots, int fd);
void sys_probe_free(struct sys_probe *p);
void sys_probe_ops(struct sys_probe *p, struct probe_ops *ops);
/* BTF facts that pick program variants (see bpf/fn.bpf.h) */
bool sys_probe_func_nargs(struct sys_probe *p, const char *func, int *nargs);
/*
 * The vmlinux BTF ids of the bpf_rdonly_cast() kfunc and of struct dma_buf,
 * which the typed programs of bpf/fn.bpf.h cast to; false if either is
 * missing
 */
bool sys_probe_cast_ids(struct sys_probe *p, __u32 *kfunc, __u32 *dma_buf);
/* the kernel's BTF name lookups bisect (kbtf_names_sorted()) */
bool sys_probe_btf_sorted(struct sys_probe *p);
bool sys_probe_proto(struct sys_probe *p, const char *name, const char *member,
		     struct fn_proto *out);
/*
 * BTF object fd (0: vmlinux) and type id a tp_btf (@tracepoint) or
 * fentry/fexit program on @target loads with; false if BTF lacks it or
 * the module's BTF object cannot be opened (no CAP_SYS_ADMIN)
 */
bool sys_probe_attach_id(struct sys_probe *p, bool tracepoint, const char *target,
			 int *obj_fd, __u32 *id);

#endif /* TPHTRACE_HOOKS_H */
