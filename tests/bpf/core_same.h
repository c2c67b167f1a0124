/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * CO-RE relocations searched in core_btf.c's small BTF must come out as
 * libbpf's own search of the kernel's BTF makes them: load the object
 * twice with the same programs, once each way, and compare every loaded
 * program's instructions after relocation. Used by the host BPF suite
 * (raw_tp and kprobe programs, vmlinux types) and, through
 * tests/bpf/core_same.c, in the guests (the planned programs, module
 * types of tphsim). The includer defines _GNU_SOURCE (memfd_create()).
 */
#ifndef TPHTRACE_TEST_CORE_SAME_H
#define TPHTRACE_TEST_CORE_SAME_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>
#include "btf_attach.h"
#include "core_btf.h"
#include "hooks.h"
#include "tphtrace.skel.h"

/* the name of @obj's map with fd @fd ("" if none) */
static inline const char *core_same_map(struct bpf_object *obj, int fd)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		if (bpf_map__fd(m) == fd)
			return bpf_map__name(m);
	return "";
}

/* same instruction, a map's fd compared by the map's name */
static inline bool core_same_insn(struct bpf_object *oa, const struct bpf_insn *x,
				  struct bpf_object *ob, const struct bpf_insn *y)
{
	struct bpf_insn u = *x, v = *y;

	if (x->code == (BPF_LD | BPF_IMM | BPF_DW) &&
	    (x->src_reg == BPF_PSEUDO_MAP_FD || x->src_reg == BPF_PSEUDO_MAP_VALUE)) {
		if (strcmp(core_same_map(oa, x->imm), core_same_map(ob, y->imm)))
			return false;
		u.imm = v.imm = 0;
	}
	return !memcmp(&u, &v, sizeof(u));
}

typedef bool (*core_same_pick)(void *ctx, const char *prog);
typedef void (*core_same_prep)(void *ctx, struct tphtrace_bpf *s);

/*
 * Load the programs @pick selects (rodata set by @prep) with libbpf's own
 * CO-RE search and with core_btf.c's BTF; 0 when every program's
 * instructions are identical, else -1 with the first difference in @why.
 * *@nprogs: programs compared, *@nroots: CO-RE root types.
 */
static inline int core_same(core_same_pick pick, core_same_prep prep, void *ctx,
			    int *nprogs, int *nroots, char *why, size_t len)
{
	struct tphtrace_bpf *s[2] = {};
	struct core_roots roots = {};
	struct sys_probe *p = NULL;
	LIBBPF_OPTS(bpf_object_open_opts, o);
	struct bpf_program *a, *b;
	char path[64], err[160];
	const void *elf;
	size_t sz;
	int i, fd = -1, ret = -1;

	*nprogs = *nroots = 0;
	elf = tphtrace_bpf__elf_bytes(&sz);
	if (core_roots_from_elf(elf, sz, &roots)) {
		snprintf(why, len, "no CO-RE roots in the object");
		return -1;
	}
	*nroots = roots.n;
	if (sys_probe_new_core(&p, &roots, err, sizeof(err))) {
		snprintf(why, len, "probe: %s", err);
		goto cleanup;
	}
	btf_attach_install();
	btf_attach_use(p);
	fd = memfd_create("core-same", MFD_CLOEXEC);
	if (fd < 0 || sys_probe_core_btf(p, &roots, fd)) {
		snprintf(why, len, "cannot write the CO-RE BTF");
		goto cleanup;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.btf_custom_path = path;
	for (i = 0; i < 2; i++) {
		struct bpf_program *q;

		s[i] = i ? tphtrace_bpf__open_opts(&o) : tphtrace_bpf__open();
		if (!s[i]) {
			snprintf(why, len, "open: %s", strerror(errno));
			goto cleanup;
		}
		bpf_object__for_each_program(q, s[i]->obj)
			bpf_program__set_autoload(q, pick(ctx, bpf_program__name(q)));
		prep(ctx, s[i]);
		if (i)		/* as the collector does */
			btf_attach_hide_tracing(s[i]->obj);
		if (tphtrace_bpf__load(s[i])) {
			snprintf(why, len, "load %s: %s", i ? "with the CO-RE BTF" :
				 "with libbpf's search", strerror(errno));
			goto cleanup;
		}
	}
	b = bpf_object__next_program(s[1]->obj, NULL);
	bpf_object__for_each_program(a, s[0]->obj) {
		if (!b || strcmp(bpf_program__name(a), bpf_program__name(b))) {
			snprintf(why, len, "program lists differ");
			goto cleanup;
		}
		if (bpf_program__autoload(a)) {
			const struct bpf_insn *x = bpf_program__insns(a);
			const struct bpf_insn *y = bpf_program__insns(b);
			size_t n = bpf_program__insn_cnt(a), j;

			if (n != bpf_program__insn_cnt(b)) {
				snprintf(why, len, "%s: %zu instructions, %zu with the CO-RE BTF",
					 bpf_program__name(a), n, bpf_program__insn_cnt(b));
				goto cleanup;
			}
			for (j = 0; j < n && core_same_insn(s[0]->obj, &x[j], s[1]->obj, &y[j]); j++)
				;
			if (j < n) {
				snprintf(why, len, "%s: instruction %zu: code 0x%02x off %d imm %d, "
					 "with the CO-RE BTF code 0x%02x off %d imm %d",
					 bpf_program__name(a), j, x[j].code, x[j].off, x[j].imm,
					 y[j].code, y[j].off, y[j].imm);
				goto cleanup;
			}
			(*nprogs)++;
		}
		b = bpf_object__next_program(s[1]->obj, b);
	}
	ret = 0;
cleanup:
	for (i = 0; i < 2; i++)
		tphtrace_bpf__destroy(s[i]);
	btf_attach_use(NULL);
	if (fd >= 0)
		close(fd);
	sys_probe_free(p);
	core_roots_free(&roots);
	return ret;
}

#endif /* TPHTRACE_TEST_CORE_SAME_H */
