// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libbpf 1.1 finds the BTF type id of every tp_btf/fentry/fexit program's
 * target at load with btf__find_by_name_kind(): one walk over vmlinux's
 * ~120 000 types per program and, for a target in a module, one walk of
 * every module's BTF, each of which walks vmlinux again (split BTF). For
 * tphtrace's ~20 programs, most on module tracepoints, that was over a
 * quarter of its start-up in the QEMU guests (bench/README.md, P3). The
 * hook probe (sys_probe.c, kbtf.c) has looked these names up already, in
 * one pass: these section handlers, which libbpf consults before its own
 * (find_sec_def()), hand the kernel the ids from there.
 *
 * Registration is process-wide and permanent (libbpf keeps pointers to
 * the handlers in every object opened meanwhile), so the handlers serve
 * every object: a program whose target the index lacks, or one opened
 * while no probe is in use, is resolved from a private probe the same
 * way. A target set with bpf_program__set_attach_target() is libbpf's.
 *
 * With the attach targets from here and CO-RE from core_btf.c's BTF
 * (btf_custom_path), libbpf has no use left for vmlinux BTF, but still
 * reads and parses all of it at load for any object with tracing programs
 * (obj_needs_vmlinux_btf()): from sysfs, 4 KiB per read(), ~0.15 s in the
 * guests. btf_attach_hide_tracing() makes those programs look like raw_tp
 * to that check, and prepare_load() makes them tracing programs again
 * before they are loaded (bpf_object_load_prog() passes prog->type to
 * the kernel after calling it). Only done on libbpf 1.1, whose load
 * sequence this follows.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "btf_attach.h"
#include "hooks.h"
#include "tphtrace/tphtrace.h"

static struct sys_probe *current, *own;
/* objects load in two threads (collect.c): the handlers share current and own */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void (*on_prepare)(const struct bpf_program *prog);

static void own_free(void)
{
	sys_probe_free(own);
	own = NULL;
}

void btf_attach_use(struct sys_probe *p)
{
	pthread_mutex_lock(&lock);
	current = p;
	pthread_mutex_unlock(&lock);
}

void btf_attach_on_prepare(void (*fn)(const struct bpf_program *prog))
{
	pthread_mutex_lock(&lock);
	on_prepare = fn;
	pthread_mutex_unlock(&lock);
}

/* under lock: -ESRCH (libbpf's answer for a missing target) or -ENOENT (no index) */
static int attach_id(long cookie, const char *target, int *fd, __u32 *id)
{
	struct sys_probe *p = current;
	char err[160];

	if (!p) {
		if (!own) {
			if (sys_probe_new(&own, err, sizeof(err)))
				return -ENOENT;
			atexit(own_free);
		}
		p = own;
	}
	return sys_probe_attach_id(p, cookie, target, fd, id) ? 0 : -ESRCH;
}

/* under lock: the bpf_rdonly_cast() kfunc's id in vmlinux BTF, 0 without */
static __u32 cast_kfunc(void)
{
	struct sys_probe *p = current ? current : own;
	__u32 kfunc, type;

	return p && sys_probe_cast_ids(p, &kfunc, &type) ? kfunc : 0;
}

/*
 * The program's calls of helper TPH_CALL_RDONLY_CAST become calls of the
 * bpf_rdonly_cast() kfunc (bpf/fn.bpf.h says why not an extern), or where
 * the kernel lacks it moves of the argument to the result: what the
 * verifier makes of the kfunc call too (inlined), in a program the hook
 * table does not select there. Under lock.
 */
static int patch_casts(struct bpf_program *prog)
{
	const struct bpf_insn *in = bpf_program__insns(prog);
	size_t i, n = bpf_program__insn_cnt(prog);
	struct bpf_insn *out = NULL;
	__u32 kfunc = 0;
	int ret;

	for (i = 0; i < n; i++) {
		if (in[i].code != (BPF_JMP | BPF_CALL) || in[i].src_reg ||
		    in[i].imm != TPH_CALL_RDONLY_CAST)
			continue;
		if (!out) {
			out = malloc(n * sizeof(*out));
			if (!out)
				return -ENOMEM;
			memcpy(out, in, n * sizeof(*out));
			kfunc = cast_kfunc();
		}
		if (kfunc) {
			out[i].src_reg = BPF_PSEUDO_KFUNC_CALL;
			out[i].off = 0;		/* vmlinux */
			out[i].imm = (__s32)kfunc;
		} else {
			out[i] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X,
						    .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1 };
		}
	}
	if (!out)
		return 0;
	ret = bpf_program__set_insns(prog, out, n);	/* copies them */
	free(out);
	return ret;
}

/* cookie: true for tp_btf (a btf_trace_NAME typedef), false for functions */
static int prepare_load(struct bpf_program *prog, struct bpf_prog_load_opts *opts,
			long cookie)
{
	const char *target = strchr(bpf_program__section_name(prog), '/');
	int fd, ret;
	__u32 id;

	/* undo btf_attach_hide_tracing(): what the kernel loads is tracing */
	bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
	pthread_mutex_lock(&lock);
	ret = patch_casts(prog);
	if (!ret && on_prepare)		/* the object's maps exist by now */
		on_prepare(prog);
	pthread_mutex_unlock(&lock);
	if (ret)
		return ret;
	if (opts->attach_btf_id)	/* bpf_program__set_attach_target() */
		return 0;
	if (!target || !target[1]) {
		fprintf(stderr, "tphtrace: program %s names no attach target\n",
			bpf_program__name(prog));
		return -EINVAL;
	}
	pthread_mutex_lock(&lock);
	ret = attach_id(cookie, target + 1, &fd, &id);
	pthread_mutex_unlock(&lock);
	if (ret)
		return ret;
	opts->attach_btf_obj_fd = fd;
	opts->attach_btf_id = id;
	return 0;
}

static int attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

static int installed;

/* tp_btf/, fentry/ and fexit/ sections: the handlers' */
static bool ours(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return !strncmp(sec, "tp_btf/", 7) || !strncmp(sec, "fentry/", 7) ||
	       !strncmp(sec, "fexit/", 6);
}

int btf_attach_hide_tracing(struct bpf_object *obj)
{
	struct bpf_program *p;
	int n = 0;

	if (installed <= 0 || libbpf_major_version() != 1 || libbpf_minor_version() != 1)
		return 0;
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p) ||
		    bpf_program__type(p) != BPF_PROG_TYPE_TRACING || !ours(p))
			continue;
		bpf_program__set_type(p, BPF_PROG_TYPE_RAW_TRACEPOINT);
		n++;
	}
	return n;
}

int btf_attach_install(void)
{
	static const struct {
		const char *sec;
		enum bpf_attach_type type;
		bool tracepoint;
	} secs[] = {
		{ "tp_btf+", BPF_TRACE_RAW_TP, true },
		{ "fentry+", BPF_TRACE_FENTRY, false },
		{ "fexit+", BPF_TRACE_FEXIT, false },
	};
	size_t i;
	int ret;

	if (installed)
		return installed < 0 ? installed : 0;
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, o, .cookie = secs[i].tracepoint,
			    .prog_prepare_load_fn = prepare_load,
			    .prog_attach_fn = attach);

		ret = libbpf_register_prog_handler(secs[i].sec, BPF_PROG_TYPE_TRACING,
						   secs[i].type, &o);
		if (ret < 0) {
			installed = ret;
			return ret;
		}
	}
	installed = 1;
	return 0;
}
