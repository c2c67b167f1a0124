/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small target BTF for the CO-RE relocations of a BPF object: the
 * kernel types (vmlinux and modules) its relocations can match, copied
 * from the kernel's BTF, for bpf_object_open_opts.btf_custom_path.
 * See core_btf.c for why.
 */
#ifndef TPHTRACE_CORE_BTF_H
#define TPHTRACE_CORE_BTF_H

#include <stddef.h>

struct kbtf;

/* the local types CO-RE relocations start from ("root" types) */
struct core_roots {
	int n;
	struct core_root {
		char *name;	/* as in the object, flavor suffix included */
		int kind;	/* BTF_KIND_* */
	} *r;
};

/* the roots of every CO-RE relocation of the ELF object @elf; 0 or -errno */
int core_roots_from_elf(const void *elf, size_t size, struct core_roots *out);
void core_roots_free(struct core_roots *r);
/* ask @k for the roots' candidates (before kbtf_build()) */
int core_roots_want(struct kbtf *k, const struct core_roots *r);
/*
 * Write into @fd (a memfd, truncated first) a BTF holding every candidate
 * of every root, where libbpf would find them (vmlinux, else modules),
 * with the types they embed; pointers point to void. 0 or -errno.
 */
int core_btf_write(struct kbtf *k, const struct core_roots *r, int fd);

#endif /* TPHTRACE_CORE_BTF_H */
