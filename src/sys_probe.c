// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What this kernel offers, found without attaching anything lasting:
 * vmlinux and module BTF for tracepoints (btf_trace_NAME typedefs),
 * functions and their prototypes (src/kbtf.c), and one trivial test load
 * per hook family the plan reaches, because the kernel may refuse a whole
 * family although BTF lists its targets (e.g. fentry with function tracing
 * disabled: EPERM) and libbpf's own probe of BPF_PROG_TYPE_TRACING is
 * wrong on some kernels.
 *
 * /proc/kallsyms is read only when BTF cannot answer: a raw_tp or kprobe
 * target missing from BTF while some loaded module has no BTF (it may be
 * there). Reading it took 0.2-2 s in the QEMU guests, most of tphtrace's
 * start-up (bench/README.md, P3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/version.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "hooks.h"
#include "core_btf.h"
#include "kbtf.h"

#define MAX_SYMS	256

struct sym {
	char name[72];
	char module[64];
	bool found;
	bool text;
};

struct sys_probe {
	struct kbtf *k;
	struct btf *vmlinux;
	/* the kallsyms fallback, read on first need */
	struct sym syms[MAX_SYMS];
	int nsyms;
	int ksyms_read;				/* 0 not yet, 1 read, -errno */
	signed char family[TPH_HOOK_MAX];	/* -1 unknown, 0 no, 1 yes */
	unsigned int kernel_version;		/* KERNEL_VERSION() of uname -r */
	char family_why[TPH_HOOK_MAX][HOOK_FAMILY_WHY_LEN];
	/*
	 * The fentry test program stays attached until the probe is freed:
	 * detaching rewrites every ftrace record (~1 % of start-up in the
	 * QEMU guests) and it only ever runs in BPF_PROG_TEST_RUN.
	 */
	int fentry_test_fd, fentry_test_link;
};

static void want(struct sys_probe *p, const char *prefix, const char *name)
{
	int i;

	if (p->nsyms >= MAX_SYMS)
		return;
	snprintf(p->syms[p->nsyms].name, sizeof(p->syms[0].name), "%s%s", prefix, name);
	for (i = 0; i < p->nsyms; i++)
		if (!strcmp(p->syms[i].name, p->syms[p->nsyms].name))
			return;
	p->nsyms++;
}

static struct sym *sym_find(struct sys_probe *p, const char *prefix, const char *name)
{
	size_t pl = strlen(prefix);
	int i;

	for (i = 0; i < p->nsyms; i++)
		if (!strncmp(p->syms[i].name, prefix, pl) &&
		    !strcmp(p->syms[i].name + pl, name))
			return &p->syms[i];
	return NULL;
}

/* FNV-1a over @n bytes */
static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

#define KSYM_SLOTS	1024	/* > 2 * MAX_SYMS: short probe chains */

/*
 * One pass over /proc/kallsyms (~120 000 lines; the wanted names are a few
 * dozen): read in large blocks, split lines by hand and look each name up
 * in a hash of the wanted ones. fgets + sscanf + a linear search per line
 * made this most of tphtrace's start-up (bench/README.md, P3).
 */
static int scan_kallsyms(struct sys_probe *p)
{
	const size_t bufsz = 1 << 16;
	short slot[KSYM_SLOTS];
	char *buf;
	size_t have = 0, minlen = SIZE_MAX, maxlen = 0;
	int fd, i;

	memset(slot, -1, sizeof(slot));
	for (i = 0; i < p->nsyms; i++) {
		size_t n = strlen(p->syms[i].name);
		uint32_t h = name_hash(p->syms[i].name, n) & (KSYM_SLOTS - 1);

		while (slot[h] >= 0)
			h = (h + 1) & (KSYM_SLOTS - 1);
		slot[h] = i;
		minlen = n < minlen ? n : minlen;
		maxlen = n > maxlen ? n : maxlen;
	}
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		ssize_t r = read(fd, buf + have, bufsz - have);
		char *line = buf, *end, *nl;

		if (r < 0) {
			r = -errno;
			close(fd);
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		end = buf + have + r;
		/* "ADDR T NAME[\t[MODULE]]\n" */
		while ((nl = memchr(line, '\n', end - line))) {
			char *t = memchr(line, ' ', nl - line), *name, *ne, *mod;
			size_t n;

			if (!t || t + 3 > nl)
				goto next;
			name = t + 3;
			for (ne = name; ne < nl && *ne != '\t' && *ne != ' '; ne++)
				;
			n = ne - name;
			if (n < minlen || n > maxlen)
				goto next;
			for (uint32_t h = name_hash(name, n) & (KSYM_SLOTS - 1); slot[h] >= 0;
			     h = (h + 1) & (KSYM_SLOTS - 1)) {
				struct sym *s = &p->syms[slot[h]];

				if (strncmp(s->name, name, n) || s->name[n] || s->found)
					continue;
				s->found = true;
				s->text = t[1] == 't' || t[1] == 'T';
				s->module[0] = '\0';
				mod = memchr(ne, '[', nl - ne);
				if (mod) {
					char *me = memchr(mod, ']', nl - mod);
					size_t ml = me ? (size_t)(me - mod - 1) : 0;

					if (ml >= sizeof(s->module))
						ml = sizeof(s->module) - 1;
					memcpy(s->module, mod + 1, ml);
					s->module[ml] = '\0';
				}
				break;
			}
next:
			line = nl + 1;
		}
		have = end - line;
		memmove(buf, line, have);
		if (have == bufsz)	/* a line longer than the buffer */
			have = 0;
	}
	close(fd);
	free(buf);
	return 0;
}

/* kallsyms, once, for what BTF could not answer */
static struct sym *ksym(struct sys_probe *p, const char *prefix, const char *name)
{
	struct sym *s;

	if (!p->ksyms_read)
		p->ksyms_read = scan_kallsyms(p) ?: 1;
	s = sym_find(p, prefix, name);
	return p->ksyms_read > 0 && s && s->found ? s : NULL;
}

/* @name of @kind in BTF: its module ("" vmlinux) into @module */
static bool btf_where(struct sys_probe *p, const char *name, int kind, char *module,
		      size_t len, struct btf **btf, __u32 *id)
{
	__u32 tid;
	int obj;

	if (!kbtf_find(p->k, name, kind, &obj, &tid))
		return false;
	if (len)
		snprintf(module, len, "%s", kbtf_module(p->k, obj));
	if (btf)
		*btf = kbtf_btf(p->k, obj);
	if (id)
		*id = tid;
	return true;
}

static int vmlinux_id(struct sys_probe *p, const char *name, int kind)
{
	__u32 id;
	int obj;

	return kbtf_find(p->k, name, kind, &obj, &id) && obj == 0 ? (int)id : -ENOENT;
}

static unsigned int running_kernel_version(void)
{
	unsigned int major = 0, minor = 0, patch = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) < 2)
		return 0;
	return KERNEL_VERSION(major, minor, patch > 255 ? 255 : patch);
}

static int test_load(enum bpf_prog_type type, enum bpf_attach_type attach,
		     int btf_id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach,
		    .attach_btf_id = btf_id);
	int fd;

	fd = bpf_prog_load(type, NULL, "GPL", insns, 2, &opts);
	return fd < 0 ? -errno : fd;
}

static void probe_family(struct sys_probe *p, enum tph_hook_family fam)
{
	char *why = p->family_why[fam];
	size_t wl = sizeof(p->family_why[0]);
	int id, fd = -1, lfd;

	switch (fam) {
	case TPH_HOOK_TP_BTF:
		id = vmlinux_id(p, "btf_trace_sys_enter", BTF_KIND_TYPEDEF);
		fd = id > 0 ? test_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, id) :
			      -ENOENT;
		if (fd < 0)
			snprintf(why, wl, "the kernel refuses tp_btf programs (%s)",
				 strerror(-fd));
		break;
	case TPH_HOOK_RAW_TP:
		fd = test_load(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0);
		if (fd < 0)
			snprintf(why, wl, "the kernel refuses raw_tp programs (%s)",
				 strerror(-fd));
		break;
	case TPH_HOOK_FENTRY:
		id = vmlinux_id(p, "bpf_fentry_test1", BTF_KIND_FUNC);
		if (id <= 0)
			id = vmlinux_id(p, "vfs_read", BTF_KIND_FUNC);
		fd = id > 0 ? test_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, id) :
			      -ENOENT;
		if (fd >= 0) {
			lfd = bpf_raw_tracepoint_open(NULL, fd);
			if (lfd < 0) {
				snprintf(why, wl, "fentry attach refused (%s)",
					 strerror(errno));
				close(fd);
				fd = -1;
			} else {
				p->fentry_test_fd = fd;
				p->fentry_test_link = lfd;
				p->family[fam] = 1;
				return;
			}
		} else {
			snprintf(why, wl,
				 "the kernel refuses fentry/fexit programs (%s): "
				 "function tracing disabled?", strerror(-fd));
		}
		break;
	case TPH_HOOK_KPROBE:
		if (access("/sys/bus/event_source/devices/kprobe/type", F_OK)) {
			snprintf(why, wl, "no kprobe PMU (CONFIG_KPROBES/KPROBE_EVENTS off)");
			fd = -1;
			break;
		}
		fd = test_load(BPF_PROG_TYPE_KPROBE, 0, 0);
		if (fd < 0)
			snprintf(why, wl, "the kernel refuses kprobe programs (%s)",
				 strerror(-fd));
		break;
	case TPH_HOOK_ITER:
		/* iterators as such (v5.8+): the task iterator every such kernel has */
		id = vmlinux_id(p, "bpf_iter_task", BTF_KIND_FUNC);
		fd = id > 0 ? test_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, id) : -ENOENT;
		if (fd < 0)
			snprintf(why, wl, "the kernel refuses BPF iterator programs (%s)",
				 strerror(-fd));
		break;
	default:
		snprintf(why, wl, "not a hook family");
		break;
	}
	p->family[fam] = fd >= 0;
	if (fd >= 0)
		close(fd);
}

static bool family_ok(void *ctx, enum tph_hook_family fam, char *why, size_t len)
{
	struct sys_probe *p = ctx;

	if (fam <= TPH_HOOK_NONE || fam >= TPH_HOOK_MAX)
		return false;
	if (p->family[fam] < 0)
		probe_family(p, fam);
	if (!p->family[fam])
		snprintf(why, len, "%s", p->family_why[fam]);
	return p->family[fam];
}

/*
 * How many arguments a BPF trampoline (fentry/fexit) can take on this
 * architecture; attaching to a function with more fails with -ENOTSUPP.
 * x86: 6 before v6.5 (commit 473e3150e30a "bpf, x86: allow function
 * arguments up to 12 for TRACING"), e.g. the 8-argument
 * mlx5_ib_reg_user_mr_dmabuf() of 6.17+. arm64: the 8 passed in registers
 * (arch/arm64/net/bpf_jit_comp.c of 6.12: "nregs > 8" is refused; no hooked
 * function has more).
 */
static int trampoline_max_args(unsigned int kernel_version)
{
#if defined(__aarch64__)
	return 8;
#else
	return kernel_version < KERNEL_VERSION(6, 5, 0) ? 6 : 12;
#endif
}

static bool target_ok(void *ctx, enum tph_hook_family fam, const char *name,
		      char *module, size_t len)
{
	struct sys_probe *p = ctx;
	bool tp = fam == TPH_HOOK_TP_BTF || fam == TPH_HOOK_RAW_TP;
	char tname[128];
	struct sym *s;
	int nargs;

	if (fam == TPH_HOOK_ITER) {
		/* DEFINE_BPF_ITER_FUNC(NAME) -> BTF FUNC bpf_iter_NAME in vmlinux */
		snprintf(tname, sizeof(tname), "bpf_iter_%s", name);
		if (len)
			module[0] = '\0';
		return vmlinux_id(p, tname, BTF_KIND_FUNC) > 0;
	}
	/* every tracepoint has its btf_trace_NAME typedef (bpf_probe.h) */
	snprintf(tname, sizeof(tname), tp ? "btf_trace_%s" : "%s", name);
	if (btf_where(p, tname, tp ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC, module, len,
		      NULL, NULL)) {
		if (fam != TPH_HOOK_FENTRY)
			return true;
		return !sys_probe_func_nargs(p, name, &nargs) ||
		       nargs <= trampoline_max_args(p->kernel_version);
	}
	/* tp_btf and fentry need BTF; raw_tp and kprobes may do without */
	if (fam == TPH_HOOK_TP_BTF || fam == TPH_HOOK_FENTRY || kbtf_complete(p->k))
		return false;
	s = ksym(p, tp ? "__tracepoint_" : "", name);
	if (!s || (!tp && !s->text))
		return false;
	snprintf(module, len, "%s", s->module);
	return true;
}

/*
 * What typed programs cast untyped pointers with (bpf/fn.bpf.h): the
 * bpf_rdonly_cast() kfunc, which vmlinux BTF lists like any function, and
 * the type it casts to, by their ids in the kernel's own BTF. Not CO-RE's
 * type-id relocation (bpf_core_type_id_kernel()): against core_btf.c's
 * small BTF it would give ids of that BTF.
 */
static const struct { const char *name; int kind; } cast_names[] = {
	{ "bpf_rdonly_cast", BTF_KIND_FUNC },
	{ "dma_buf", BTF_KIND_STRUCT },
};

bool sys_probe_cast_ids(struct sys_probe *p, __u32 *kfunc, __u32 *dma_buf)
{
	int f = vmlinux_id(p, cast_names[0].name, cast_names[0].kind);
	int d = vmlinux_id(p, cast_names[1].name, cast_names[1].kind);

	if (f <= 0 || d <= 0)
		return false;
	*kfunc = f;
	*dma_buf = d;
	return true;
}

/*
 * The hook table's kfunc, with the type it casts to. Only where the
 * kernel's BTF is sorted by name (7.x): the verifier checks every struct
 * pointer a program loads against names it looks up in vmlinux BTF, which
 * it scans whole where BTF is in build order (bpf/core.bpf.h): the typed
 * release program took the tracer's start-up in the 6.12 guest from 0.353
 * to 0.380 s (10 rounds; bench/README.md, P3) to save ~0.6 us a release.
 */
static bool kfunc_ok(void *ctx, const char *name, char *why, size_t len)
{
	struct sys_probe *p = ctx;
	__u32 f, d;

	if (strcmp(name, cast_names[0].name) || !sys_probe_cast_ids(p, &f, &d)) {
		snprintf(why, len, "no kfunc '%s' (v6.2+)", name);
		return false;
	}
	if (!kbtf_names_sorted(p->k)) {
		snprintf(why, len, "kfunc '%s' not used: vmlinux BTF not sorted by name, "
			 "its typed loads slow to verify", name);
		return false;
	}
	return true;
}

bool sys_probe_btf_sorted(struct sys_probe *p)
{
	return kbtf_names_sorted(p->k);
}

bool sys_probe_func_nargs(struct sys_probe *p, const char *func, int *nargs)
{
	struct fn_proto proto;

	if (!sys_probe_proto(p, func, NULL, &proto))
		return false;
	*nargs = proto.nargs;
	return true;
}

/* A parameter's type, through typedefs and qualifiers. */
static unsigned char proto_arg_of(const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, type_id));

	if (!t)
		return PROTO_OTHER;
	if (btf_is_ptr(t))
		return PROTO_PTR;
	if (!btf_is_int(t))
		return PROTO_OTHER;
	if (btf_int_encoding(t) & BTF_INT_BOOL)
		return PROTO_BOOL;
	if (t->size == 1)
		return PROTO_U8;
	return t->size == 2 ? PROTO_U16 : PROTO_INT;
}

static void proto_fill(const struct btf *btf, const struct btf_type *fp,
		       struct fn_proto *out)
{
	const struct btf_param *pa = btf_params(fp);
	int i;

	memset(out, 0, sizeof(*out));
	out->nargs = btf_vlen(fp);
	for (i = 0; i < out->nargs && i < PROTO_MAX_ARGS; i++)
		out->arg[i] = proto_arg_of(btf, pa[i].type);
}

/* The function pointer @member of struct @sname in vmlinux BTF. */
static bool member_proto(struct sys_probe *p, const char *sname, const char *member,
			 struct fn_proto *out)
{
	const struct btf_type *t, *mt;
	const struct btf_member *m;
	int id, i;

	id = vmlinux_id(p, sname, BTF_KIND_STRUCT);
	if (id <= 0)
		return false;
	t = btf__type_by_id(p->vmlinux, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(p->vmlinux, m->name_off), member))
			continue;
		mt = btf__type_by_id(p->vmlinux, btf__resolve_type(p->vmlinux, m->type));
		if (!mt || !btf_is_ptr(mt))
			return false;
		mt = btf__type_by_id(p->vmlinux, btf__resolve_type(p->vmlinux, mt->type));
		if (!mt || !btf_is_func_proto(mt))
			return false;
		proto_fill(p->vmlinux, mt, out);
		return true;
	}
	return false;
}

bool sys_probe_proto(struct sys_probe *p, const char *name, const char *member,
		     struct fn_proto *out)
{
	const struct btf_type *t;
	struct btf *btf;
	__u32 id;

	if (member)
		return member_proto(p, name, member, out);
	if (!btf_where(p, name, BTF_KIND_FUNC, NULL, 0, &btf, &id))
		return false;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_func_proto(t))
		return false;
	proto_fill(btf, t, out);
	return true;
}

bool sys_probe_attach_id(struct sys_probe *p, bool tracepoint, const char *target,
			 int *obj_fd, __u32 *id)
{
	char tname[128];
	int obj;

	snprintf(tname, sizeof(tname), tracepoint ? "btf_trace_%s" : "%s", target);
	if (!kbtf_find(p->k, tname, tracepoint ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC,
		       &obj, id))
		return false;
	*obj_fd = kbtf_obj_fd(p->k, obj);
	return *obj_fd >= 0;
}

static bool proto_op(void *ctx, const char *name, const char *member,
		     struct fn_proto *out)
{
	return sys_probe_proto(ctx, name, member, out);
}

/* every name the hook table, the shape detection, the family probes and the casts ask */
static int want_names(struct sys_probe *p)
{
	static const struct { const char *name; int kind; } anchors[] = {
		{ "btf_trace_sys_enter", BTF_KIND_TYPEDEF },
		{ "bpf_fentry_test1", BTF_KIND_FUNC },
		{ "vfs_read", BTF_KIND_FUNC },
		{ "bpf_iter_task", BTF_KIND_FUNC },
	};
	char name[128];
	size_t a;
	int k, c, i, ret = 0;

	for (a = 0; !ret && a < sizeof(anchors) / sizeof(anchors[0]); a++)
		ret = kbtf_want(p->k, anchors[a].name, anchors[a].kind);
	for (a = 0; !ret && a < sizeof(cast_names) / sizeof(cast_names[0]); a++)
		ret = kbtf_want(p->k, cast_names[a].name, cast_names[a].kind);
	for (k = 1; !ret && k < TPH_EV_MAX; k++) {
		const struct event_def *e = &tph_events[k];

		for (c = 0; !ret && c < HOOK_MAX_CANDS && e->cand[c].t[0].prog; c++) {
			enum tph_hook_family fam = e->cand[c].family;
			bool tp = fam == TPH_HOOK_TP_BTF || fam == TPH_HOOK_RAW_TP;

			for (i = 0; !ret && i < HOOK_MAX_TARGETS && e->cand[c].t[i].prog; i++) {
				const char *sym = e->cand[c].t[i].sym;

				snprintf(name, sizeof(name), "%s%s",
					 tp ? "btf_trace_" : fam == TPH_HOOK_ITER ?
					 "bpf_iter_" : "", sym);
				ret = kbtf_want(p->k, name, tp ? BTF_KIND_TYPEDEF :
							    BTF_KIND_FUNC);
				if (fam != TPH_HOOK_ITER)	/* the kallsyms fallback */
					want(p, tp ? "__tracepoint_" : "", sym);
			}
		}
	}
	for (i = 0; !ret && tph_shape_funcs[i]; i++) {
		ret = kbtf_want(p->k, tph_shape_funcs[i], BTF_KIND_FUNC);
		want(p, "", tph_shape_funcs[i]);
	}
	for (i = 0; !ret && tph_shape_structs[i]; i++)
		ret = kbtf_want(p->k, tph_shape_structs[i], BTF_KIND_STRUCT);
	return ret;
}

int sys_probe_new(struct sys_probe **out, char *err, size_t errlen)
{
	return sys_probe_new_core(out, NULL, err, errlen);
}

int sys_probe_new_core(struct sys_probe **out, const struct core_roots *roots,
		       char *err, size_t errlen)
{
	struct sys_probe *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p->family, -1, sizeof(p->family));
	p->fentry_test_fd = p->fentry_test_link = -1;
	p->kernel_version = running_kernel_version();
	ret = kbtf_new(&p->k, err, errlen);
	if (ret)
		goto cleanup;
	p->vmlinux = kbtf_btf(p->k, 0);
	ret = want_names(p) ?: (roots ? core_roots_want(p->k, roots) : 0) ?:
	      kbtf_build(p->k);
	if (ret) {
		snprintf(err, errlen, "cannot read the kernel's BTF: %s", strerror(-ret));
		goto cleanup;
	}
	*out = p;
	return 0;
cleanup:
	sys_probe_free(p);
	return ret;
}

int sys_probe_core_btf(struct sys_probe *p, const struct core_roots *roots, int fd)
{
	return core_btf_write(p->k, roots, fd);
}

void sys_probe_free(struct sys_probe *p)
{
	if (!p)
		return;
	if (p->fentry_test_link >= 0)
		close(p->fentry_test_link);
	if (p->fentry_test_fd >= 0)
		close(p->fentry_test_fd);
	kbtf_free(p->k);
	free(p);
}

void sys_probe_ops(struct sys_probe *p, struct probe_ops *ops)
{
	ops->family_ok = family_ok;
	ops->target_ok = target_ok;
	ops->kfunc_ok = kfunc_ok;
	ops->proto = proto_op;
	ops->ctx = p;
}
