// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The kernel's BTF objects and one-pass name lookups (see kbtf.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "kbtf.h"

struct kobj {
	char name[64];		/* "vmlinux" or the module */
	struct btf *btf;
	int fd;			/* kernel BTF object (modules), -1: none */
	__u32 first, end;	/* the object's own type ids */
};

struct kwant {
	char *name;
	unsigned char kind;
	bool all;		/* every match, flavors ignored (kbtf_want_all) */
	int obj;		/* first match, -1: not found */
	__u32 id;
	struct kbtf_hit *hits;	/* all: vmlinux's first, then modules' */
	int nhits, nvmlinux;
};

struct kbtf {
	struct kobj *objs;
	int nobjs;
	struct kwant *want;
	int nwant;
	int *slot;		/* open addressing over want[], -1: empty */
	unsigned int nslots;	/* power of two */
	uint32_t firstc[256];	/* (1 << kind) of wanted names by first byte */
	bool complete;
};

/* libbpf's bpf_core_essential_name_len(): up to a "___" flavor suffix */
static size_t essential_len(const char *name)
{
	const char *f = strstr(name, "___");

	return f ? (size_t)(f - name) : strlen(name);
}

/* FNV-1a over @n bytes of the name, then the kind */
static uint32_t name_hash(const char *s, size_t n, int kind)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return (h ^ (unsigned int)kind) * 16777619u;
}

static int add_obj(struct kbtf *k, const char *name, struct btf *btf, int fd)
{
	struct kobj *o = realloc(k->objs, (k->nobjs + 1) * sizeof(*o));

	if (!o)
		return -ENOMEM;
	k->objs = o;
	o += k->nobjs++;
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->btf = btf;
	o->fd = fd;
	o->first = k->nobjs == 1 ? 1 : btf__type_cnt(k->objs[0].btf);
	o->end = btf__type_cnt(btf);
	return 0;
}

/* the kernel BTF object named @want: its id, 0 if none (or no CAP_SYS_ADMIN) */
static __u32 kernel_btf_id(const char *want)
{
	struct bpf_btf_info info;
	char name[64];
	__u32 id = 0, len;
	int fd;

	while (!bpf_btf_get_next_id(id, &id)) {
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return 0;
		}
		memset(&info, 0, sizeof(info));
		info.name = (__u64)(uintptr_t)name;
		info.name_len = sizeof(name);
		len = sizeof(info);
		name[0] = '\0';
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			name[0] = '\0';
		close(fd);
		if (info.kernel_btf && !strcmp(name, want))
			return id;
	}
	return 0;
}

/*
 * vmlinux BTF (~5-6 MB) the cheapest way the kernel offers: mapped
 * (sysfs, v6.16+), else copied from its BTF object in one syscall, else
 * read from sysfs as libbpf does, which takes one read() per 4 KiB page
 * (kernfs) -- over a thousand syscalls, ~0.1 s in the QEMU guests.
 */
static struct btf *vmlinux_btf(void)
{
	struct btf *btf = NULL;
	struct stat st;
	void *m;
	int fd;

	fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st) && st.st_size > 0) {
		m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			btf = btf__new(m, st.st_size);
			munmap(m, st.st_size);
		}
	}
	if (fd >= 0)
		close(fd);
	if (!btf) {
		__u32 id = kernel_btf_id("vmlinux");

		btf = id ? btf__load_from_kernel_by_id(id) : NULL;
	}
	return btf ?: btf__load_vmlinux_btf();
}

int kbtf_new(struct kbtf **out, char *err, size_t errlen)
{
	struct kbtf *k = calloc(1, sizeof(*k));
	struct btf *v;
	int ret;

	if (!k)
		return -ENOMEM;
	v = vmlinux_btf();
	if (!v) {
		ret = -errno;
		snprintf(err, errlen, "no kernel BTF (/sys/kernel/btf/vmlinux): "
			 "CONFIG_DEBUG_INFO_BTF=y is required");
		free(k);
		return ret;
	}
	ret = add_obj(k, "vmlinux", v, -1);
	if (ret) {
		btf__free(v);
		free(k);
		return ret;
	}
	*out = k;
	return 0;
}

void kbtf_free(struct kbtf *k)
{
	int i;

	if (!k)
		return;
	/* modules are split on vmlinux: free them first */
	for (i = k->nobjs - 1; i >= 0; i--) {
		btf__free(k->objs[i].btf);
		if (k->objs[i].fd >= 0)
			close(k->objs[i].fd);
	}
	for (i = 0; i < k->nwant; i++) {
		free(k->want[i].name);
		free(k->want[i].hits);
	}
	free(k->want);
	free(k->slot);
	free(k->objs);
	free(k);
}

static int add_want(struct kbtf *k, const char *name, size_t len, int kind, bool all)
{
	struct kwant *w;
	int i;

	for (i = 0; i < k->nwant; i++)
		if (k->want[i].kind == kind && k->want[i].all == all &&
		    !strncmp(k->want[i].name, name, len) && !k->want[i].name[len])
			return 0;
	w = realloc(k->want, (k->nwant + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	k->want = w;
	w += k->nwant;
	memset(w, 0, sizeof(*w));
	w->name = strndup(name, len);
	if (!w->name)
		return -ENOMEM;
	w->kind = kind;
	w->all = all;
	w->obj = -1;
	k->nwant++;
	return 0;
}

int kbtf_want(struct kbtf *k, const char *name, int kind)
{
	return add_want(k, name, strlen(name), kind, false);
}

int kbtf_want_all(struct kbtf *k, const char *name, int kind)
{
	return add_want(k, name, essential_len(name), kind, true);
}

static int add_hit(struct kwant *w, int obj, __u32 id)
{
	struct kbtf_hit *h = realloc(w->hits, (w->nhits + 1) * sizeof(*h));

	if (!h)
		return -ENOMEM;
	w->hits = h;
	h[w->nhits].obj = obj;
	h[w->nhits].id = id;
	w->nhits++;
	if (!obj)
		w->nvmlinux++;
	return 0;
}

/*
 * Modules through their kernel BTF objects (libbpf's way for attach
 * targets; the fd is what BPF_PROG_LOAD takes). Needs CAP_SYS_ADMIN:
 * -EPERM without it.
 */
static int load_modules_by_id(struct kbtf *k)
{
	struct bpf_btf_info info;
	char name[64];
	__u32 id = 0, len;
	struct btf *btf;
	int fd, ret;

	for (;;) {
		if (bpf_btf_get_next_id(id, &id))
			return errno == ENOENT ? 0 : -errno;
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)	/* went away meanwhile */
				continue;
			return -errno;
		}
		memset(&info, 0, sizeof(info));
		info.name = (__u64)(uintptr_t)name;
		info.name_len = sizeof(name);
		len = sizeof(info);
		name[0] = '\0';
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			ret = -errno;
			close(fd);
			return ret;
		}
		/* programs' BTF and vmlinux's are not modules */
		if (!info.kernel_btf || !strcmp(name, "vmlinux")) {
			close(fd);
			continue;
		}
		/* copied from the object (sysfs would read it 4 KiB at a time) */
		btf = btf__load_from_kernel_by_id_split(id, k->objs[0].btf);
		if (!btf) {
			close(fd);
			continue;
		}
		ret = add_obj(k, name, btf, fd);
		if (ret) {
			btf__free(btf);
			close(fd);
			return ret;
		}
	}
}

/* Without CAP_SYS_ADMIN: the same BTF from sysfs, no fds. */
static int load_modules_sysfs(struct kbtf *k)
{
	struct dirent *de;
	struct btf *btf;
	DIR *d;
	int ret = 0;

	d = opendir("/sys/kernel/btf");
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		btf = btf__load_module_btf(de->d_name, k->objs[0].btf);
		if (!btf)
			continue;
		ret = add_obj(k, de->d_name, btf, -1);
		if (ret)
			btf__free(btf);
	}
	closedir(d);
	return ret;
}

static bool have_obj(const struct kbtf *k, const char *name)
{
	int i;

	for (i = 1; i < k->nobjs; i++)
		if (!strcmp(k->objs[i].name, name))
			return true;
	return false;
}

/* Does every module in /proc/modules have BTF? */
static bool modules_complete(const struct kbtf *k)
{
	char line[512], name[64];
	bool all = true;
	FILE *f;

	f = fopen("/proc/modules", "re");
	if (!f)
		return false;
	while (all && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s", name) == 1 && !have_obj(k, name))
			all = false;
	fclose(f);
	return all;
}

/* the wanted entry for @n bytes of @name, @kind and @all, or NULL */
static struct kwant *lookup(const struct kbtf *k, const char *name, size_t n, int kind,
			    bool all)
{
	unsigned int mask = k->nslots - 1;
	uint32_t h;

	for (h = name_hash(name, n, kind) & mask; k->slot[h] >= 0; h = (h + 1) & mask) {
		struct kwant *w = &k->want[k->slot[h]];

		if (w->kind == kind && w->all == all && !strncmp(w->name, name, n) &&
		    !w->name[n])
			return w;
	}
	return NULL;
}

static int index_obj(struct kbtf *k, int obj)
{
	const struct kobj *o = &k->objs[obj];
	struct kwant *w;
	__u32 id;
	int ret;

	for (id = o->first; id < o->end; id++) {
		const struct btf_type *t = btf__type_by_id(o->btf, id);
		unsigned int kind = btf_kind(t);
		const char *name;
		size_t n, e;

		if (!t->name_off || kind > 31)
			continue;
		name = btf__name_by_offset(o->btf, t->name_off);
		if (!name || !(k->firstc[(unsigned char)name[0]] & (1u << kind)))
			continue;
		n = strlen(name);
		w = lookup(k, name, n, kind, false);
		if (w && w->obj < 0) {	/* the first object wins, vmlinux first */
			w->obj = obj;
			w->id = id;
		}
		/* CO-RE candidates: flavors ignored on both sides */
		e = essential_len(name);
		w = lookup(k, name, e, kind, true);
		if (w) {
			ret = add_hit(w, obj, id);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int kbtf_build(struct kbtf *k)
{
	int i, ret;

	ret = load_modules_by_id(k);
	if (ret == -EPERM)
		ret = load_modules_sysfs(k);
	if (ret)
		return ret;
	k->complete = modules_complete(k);
	for (k->nslots = 64; k->nslots < 4u * (unsigned int)k->nwant; k->nslots *= 2)
		;
	free(k->slot);
	k->slot = malloc(k->nslots * sizeof(*k->slot));
	if (!k->slot)
		return -ENOMEM;
	memset(k->slot, -1, k->nslots * sizeof(*k->slot));
	memset(k->firstc, 0, sizeof(k->firstc));
	for (i = 0; i < k->nwant; i++) {
		struct kwant *w = &k->want[i];
		uint32_t h = name_hash(w->name, strlen(w->name), w->kind) & (k->nslots - 1);

		while (k->slot[h] >= 0)
			h = (h + 1) & (k->nslots - 1);
		k->slot[h] = i;
		if (w->kind < 32)
			k->firstc[(unsigned char)w->name[0]] |= 1u << w->kind;
	}
	for (i = 0; i < k->nobjs; i++) {
		ret = index_obj(k, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* A name nobody asked for in advance: one walk per object. */
static bool find_slow(const struct kbtf *k, const char *name, int kind, int *obj,
		      __u32 *id)
{
	int i;
	__u32 t;

	for (i = 0; i < k->nobjs; i++) {
		const struct kobj *o = &k->objs[i];

		for (t = o->first; t < o->end; t++) {
			const struct btf_type *bt = btf__type_by_id(o->btf, t);

			if ((int)btf_kind(bt) == kind &&
			    !strcmp(btf__name_by_offset(o->btf, bt->name_off), name)) {
				*obj = i;
				*id = t;
				return true;
			}
		}
	}
	return false;
}

bool kbtf_find(struct kbtf *k, const char *name, int kind, int *obj, __u32 *id)
{
	const struct kwant *w = k->slot ? lookup(k, name, strlen(name), kind, false) : NULL;

	if (!w)
		return find_slow(k, name, kind, obj, id);
	if (w->obj < 0)
		return false;
	*obj = w->obj;
	*id = w->id;
	return true;
}

int kbtf_find_all(const struct kbtf *k, const char *name, int kind,
		  const struct kbtf_hit **hits)
{
	const struct kwant *w;

	w = k->slot ? lookup(k, name, essential_len(name), kind, true) : NULL;
	if (!w || !w->nhits)
		return 0;
	/* hits are in object order: vmlinux's come first */
	*hits = w->hits;
	return w->nvmlinux ? w->nvmlinux : w->nhits;
}

int kbtf_nobjs(const struct kbtf *k)
{
	return k->nobjs;
}

__u32 kbtf_first(const struct kbtf *k, int obj)
{
	return k->objs[obj].first;
}

__u32 kbtf_end(const struct kbtf *k, int obj)
{
	return k->objs[obj].end;
}

struct btf *kbtf_btf(const struct kbtf *k, int obj)
{
	return obj >= 0 && obj < k->nobjs ? k->objs[obj].btf : NULL;
}

const char *kbtf_module(const struct kbtf *k, int obj)
{
	return obj > 0 && obj < k->nobjs ? k->objs[obj].name : "";
}

int kbtf_obj_fd(const struct kbtf *k, int obj)
{
	if (obj == 0)
		return 0;
	return obj > 0 && obj < k->nobjs ? k->objs[obj].fd : -1;
}

bool kbtf_complete(const struct kbtf *k)
{
	return k->complete;
}

/*
 * Newer kernels lay vmlinux BTF out sorted by name (anonymous types first)
 * so that the kernel can look names up by bisection; 6.12 has them in
 * build order and every lookup scans them all (see bpf/core.bpf.h, why the
 * verifier looks names up). A sample of the first named types decides:
 * sorted ones have no inversion (7.3: none in 127 401), unsorted ones
 * about one in two (6.12: 10 994 in 21 865).
 */
#define SORT_SAMPLE	4096
#define SORT_MIN	64

bool btf_names_sorted(const struct btf *v)
{
	__u32 id, n = btf__type_cnt(v), seen = 0, inv = 0;
	const char *prev = NULL, *name;

	for (id = 1; id < n && seen < SORT_SAMPLE; id++) {
		name = btf__name_by_offset(v, btf__type_by_id(v, id)->name_off);
		if (!name || !*name) {
			if (prev)	/* anonymous after named: not this layout */
				return false;
			continue;
		}
		if (prev && strcmp(prev, name) > 0)
			inv++;
		prev = name;
		seen++;
	}
	return seen >= SORT_MIN && inv * 100 < seen;
}

bool kbtf_names_sorted(const struct kbtf *k)
{
	return btf_names_sorted(k->objs[0].btf);
}
