/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel's BTF, vmlinux and every loaded module's, with the names
 * tphtrace asks about found in one pass over each object.
 *
 * libbpf's btf__find_by_name_kind() walks every type of an object per
 * question, and for split (module) BTF walks vmlinux's ~120 000 types
 * again first; tphtrace asks a few hundred questions at start (hook
 * targets, prototypes, attach targets), which made these walks the
 * largest part of its start-up (bench/README.md, P3). Here the wanted
 * names are hashed once and every object is walked once.
 */
#ifndef TPHTRACE_KBTF_H
#define TPHTRACE_KBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct btf;
struct kbtf;

/* vmlinux BTF (/sys/kernel/btf/vmlinux); 0 or -errno with @err filled */
int kbtf_new(struct kbtf **out, char *err, size_t errlen);
void kbtf_free(struct kbtf *k);
/* ask for @name of BTF_KIND_@kind before kbtf_build() (copied) */
int kbtf_want(struct kbtf *k, const char *name, int kind);
/*
 * ask for every type of @kind whose name is @name up to an optional
 * "___flavor" suffix, as libbpf matches CO-RE candidates
 */
int kbtf_want_all(struct kbtf *k, const char *name, int kind);
/*
 * Load every module's BTF (with its kernel object fd where the process
 * may have one: attach targets in modules need it) and look the wanted
 * names up in all objects, vmlinux first.
 */
int kbtf_build(struct kbtf *k);

/*
 * Where @name of @kind is: object index (0: vmlinux) and type id. Wanted
 * names come from the index; any other name is searched the slow way.
 */
bool kbtf_find(struct kbtf *k, const char *name, int kind, int *obj, __u32 *id);
struct btf *kbtf_btf(const struct kbtf *k, int obj);

struct kbtf_hit {
	int obj;
	__u32 id;
};
/*
 * The types kbtf_want_all() asked for, where libbpf's CO-RE would look:
 * vmlinux's, or if vmlinux has none, every module's. Returns how many.
 */
int kbtf_find_all(const struct kbtf *k, const char *name, int kind,
		  const struct kbtf_hit **hits);
int kbtf_nobjs(const struct kbtf *k);
/* the object's own type ids: [first, end) */
__u32 kbtf_first(const struct kbtf *k, int obj);
__u32 kbtf_end(const struct kbtf *k, int obj);
/* "" for vmlinux, else the module's name */
const char *kbtf_module(const struct kbtf *k, int obj);
/* fd for bpf_prog_load_opts.attach_btf_obj_fd: 0 for vmlinux, -1 if none */
int kbtf_obj_fd(const struct kbtf *k, int obj);
/*
 * Every loaded module has BTF (CONFIG_DEBUG_INFO_BTF_MODULES): a name
 * missing from BTF is missing from the kernel, kallsyms has nothing more.
 */
bool kbtf_complete(const struct kbtf *k);
/* vmlinux BTF is laid out sorted by name (the kernel bisects its lookups) */
bool kbtf_names_sorted(const struct kbtf *k);
/* the same test on any BTF object: anonymous types, then names in order */
bool btf_names_sorted(const struct btf *btf);

#endif /* TPHTRACE_KBTF_H */
