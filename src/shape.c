// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which revision of the TPH series the kernel carries. The series changed
 * its importer API twice, and the BPF programs read the same logical
 * arguments from different positions in each shape:
 *
 *   v5   int (*get_tph)(struct dma_buf *, u16 *st, u8 *ph, u8 st_width),
 *        called by mlx5 directly; exporter callback
 *        vfio_pci_dma_buf_get_tph() (v5 2/4 and 3/4, 2026-05-26)
 *   v7   int dma_buf_get_tph(struct dma_buf *, bool extended, u16 *st,
 *        u8 *ph) wrapping ops->get_tph of the same prototype (v6 and v7,
 *        2026-06-08/11)
 *   v8+  the same renamed: dma_buf_get_pci_tph(), ops->get_pci_tph,
 *        vfio_pci_dma_buf_get_pci_tph() (v8 to v11, 2026-06-22 to 07-02)
 *
 * Names alone tell v8+ from the rest and v7 (wrapper) from v5 (none);
 * prototypes tell v5 from v7 where only the callback is seen (the ops
 * member in vmlinux BTF, before vfio-pci is loaded) and catch a revision
 * whose arguments are in none of these places, which must not be read
 * with any of these layouts.
 */
#include <stdio.h>
#include <string.h>
#include "hooks.h"

/* what each symbol says about the shape */
enum shape_sym_kind {
	SYM_V8,		/* exists only in v8+ */
	SYM_WRAPPER_V7,	/* the v6/v7 wrapper */
	SYM_GET_TPH,	/* v5 or v7 by its prototype */
};

static const struct shape_sym {
	const char *name;
	const char *member;	/* function pointer member of struct @name */
	enum shape_sym_kind kind;
} shape_syms[] = {
	{ "dma_buf_get_pci_tph", NULL, SYM_V8 },
	{ "vfio_pci_dma_buf_get_pci_tph", NULL, SYM_V8 },
	{ "dma_buf_ops", "get_pci_tph", SYM_V8 },
	{ "dma_buf_get_tph", NULL, SYM_WRAPPER_V7 },
	{ "vfio_pci_dma_buf_get_tph", NULL, SYM_GET_TPH },
	{ "dma_buf_ops", "get_tph", SYM_GET_TPH },
};

const char *const tph_shape_funcs[] = {
	"dma_buf_get_pci_tph", "vfio_pci_dma_buf_get_pci_tph", "dma_buf_get_tph",
	"vfio_pci_dma_buf_get_tph", NULL,
};

/* the structs whose function pointer members shape_syms[] name */
const char *const tph_shape_structs[] = { "dma_buf_ops", NULL };

const char *tph_shape_name(enum tph_series_shape shape)
{
	static const char *const names[TPH_SHAPE_MAX] = {
		[TPH_SHAPE_NONE] = "none",
		[TPH_SHAPE_V5] = "v5",
		[TPH_SHAPE_V7] = "v7",
		[TPH_SHAPE_V8] = "v8+",
		[TPH_SHAPE_UNKNOWN] = "unknown",
	};

	return shape < TPH_SHAPE_MAX ? names[shape] : "unknown";
}

static const char *arg_name(unsigned char a)
{
	switch (a) {
	case PROTO_PTR:
		return "ptr";
	case PROTO_BOOL:
		return "bool";
	case PROTO_U8:
		return "u8";
	case PROTO_U16:
		return "u16";
	case PROTO_INT:
		return "int";
	default:
		return "?";
	}
}

/* (dmabuf, bool extended, u16 *st, u8 *ph): v6, v7 and v8+ */
static bool proto_extended(const struct fn_proto *p)
{
	return p->nargs == 4 && p->arg[0] == PROTO_PTR && p->arg[1] == PROTO_BOOL &&
	       p->arg[2] == PROTO_PTR && p->arg[3] == PROTO_PTR;
}

/* (dmabuf, u16 *st, u8 *ph, u8 st_width): v3 to v5 */
static bool proto_width(const struct fn_proto *p)
{
	return p->nargs == 4 && p->arg[0] == PROTO_PTR && p->arg[1] == PROTO_PTR &&
	       p->arg[2] == PROTO_PTR && p->arg[3] == PROTO_U8;
}

static int proto_str(char *buf, size_t len, const struct shape_sym *s,
		     const struct fn_proto *p)
{
	size_t l;
	int i;

	if (s->member)
		snprintf(buf, len, "%s.%s(", s->name, s->member);
	else
		snprintf(buf, len, "%s(", s->name);
	for (i = 0; i < p->nargs && i < PROTO_MAX_ARGS; i++) {
		l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s", i ? ", " : "", arg_name(p->arg[i]));
	}
	l = strlen(buf);
	return snprintf(buf + l, len - l, ")");
}

/* The shape symbol @s says, given its prototype (or @p NULL: name only). */
static enum tph_series_shape shape_of(const struct shape_sym *s,
				      const struct fn_proto *p)
{
	switch (s->kind) {
	case SYM_V8:
		return !p || proto_extended(p) ? TPH_SHAPE_V8 : TPH_SHAPE_UNKNOWN;
	case SYM_WRAPPER_V7:
		return !p || proto_extended(p) ? TPH_SHAPE_V7 : TPH_SHAPE_UNKNOWN;
	case SYM_GET_TPH:
		if (!p)		/* a callback without the v7 wrapper */
			return TPH_SHAPE_V5;
		if (proto_extended(p))
			return TPH_SHAPE_V7;
		return proto_width(p) ? TPH_SHAPE_V5 : TPH_SHAPE_UNKNOWN;
	}
	return TPH_SHAPE_UNKNOWN;
}

enum tph_series_shape hooks_detect_shape(const struct probe_ops *ops, char *how,
					 size_t len)
{
	enum tph_series_shape shape;
	const struct shape_sym *s;
	struct fn_proto p;
	char module[32], sig[128];
	size_t i;

	for (i = 0; i < sizeof(shape_syms) / sizeof(shape_syms[0]); i++) {
		s = &shape_syms[i];
		memset(&p, 0, sizeof(p));
		if (ops->proto && ops->proto(ops->ctx, s->name, s->member, &p)) {
			shape = shape_of(s, &p);
			proto_str(sig, sizeof(sig), s, &p);
			snprintf(how, len, "%s%s", sig, shape == TPH_SHAPE_UNKNOWN ?
				 ": the prototype of no known revision (v5, v7, v8+)" :
				 " in BTF");
			return shape;
		}
		/* kallsyms without BTF (kprobes only): the name decides */
		if (!s->member && ops->target_ok(ops->ctx, TPH_HOOK_KPROBE, s->name,
						  module, sizeof(module))) {
			shape = shape_of(s, NULL);
			snprintf(how, len, "%s in kallsyms (no BTF: by name)", s->name);
			return shape;
		}
	}
	snprintf(how, len, "no dma_buf_get_pci_tph, dma_buf_get_tph or "
		 "vfio_pci_dma_buf_get_tph, no get_tph/get_pci_tph in dma_buf_ops");
	return TPH_SHAPE_NONE;
}
