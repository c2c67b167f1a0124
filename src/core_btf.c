// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libbpf 1.1 resolves a CO-RE relocation by searching candidates for its
 * root type: a walk over every type of vmlinux BTF (~120 000) per distinct
 * root, and when vmlinux has none, every module's BTF, which it loads for
 * that (bpf_core_find_cands(), load_module_btfs()). tphtrace's object has
 * ~25 roots, half of them module types (vfio-pci, mlx5): in the QEMU
 * guests that search was about a sixth of tphtrace's start-up and the
 * largest part left after the probe's own lookups (bench/README.md, P3).
 *
 * The hook probe already walks every kernel BTF object once (kbtf.c), so
 * it collects the candidates of these roots on the way; this file copies
 * them into a small BTF that libbpf takes as btf_custom_path and searches
 * instead. The relocations come out the same:
 *  - the candidates are the ones libbpf would consider: vmlinux's, else
 *    every module's, matched by name without "___flavor" suffix and kind;
 *  - each is copied with every member's name, offset, bitfield and size,
 *    and with the types it embeds (arrays, nested structs and unions,
 *    enums, typedefs, modifiers), as deep as a field access can go;
 *  - pointers point to void: field matching stops at them (libbpf's
 *    bpf_core_fields_are_compat() takes any two pointers as compatible)
 *    and a field behind one is another relocation with its own root.
 * Relocations that need the kernel's own type ids or what pointers point
 * to (TYPE_ID_TARGET, TYPE_MATCHES) would not: objects with them are
 * refused (-EOPNOTSUPP) and get libbpf's own search.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/btf.h>
#include "core_btf.h"
#include "kbtf.h"

/* .BTF.ext layout (Documentation/bpf/btf.rst, "BTF.ext section") */
struct ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off, func_info_len;
	__u32 line_info_off, line_info_len;
	__u32 core_relo_off, core_relo_len;
};

struct ext_relo {
	__u32 insn_off;
	__u32 type_id;
	__u32 access_str_off;
	__u32 kind;		/* enum bpf_core_relo_kind */
};

static int elf_section(Elf *e, size_t shstrndx, const char *want, Elf_Data **out)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	const char *name;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && !strcmp(name, want)) {
			*out = elf_getdata(scn, NULL);
			return *out ? 0 : -EINVAL;
		}
	}
	return -ENOENT;
}

static int add_root(struct core_roots *r, const struct btf *local, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(local, id);
	const char *name = t ? btf__name_by_offset(local, t->name_off) : NULL;
	struct core_root *n;
	int i;

	if (!name || !name[0])	/* libbpf has no candidates for these either */
		return 0;
	for (i = 0; i < r->n; i++)
		if (r->r[i].kind == (int)btf_kind(t) && !strcmp(r->r[i].name, name))
			return 0;
	n = realloc(r->r, (r->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->r = n;
	n[r->n].name = strdup(name);
	if (!n[r->n].name)
		return -ENOMEM;
	n[r->n].kind = btf_kind(t);
	r->n++;
	return 0;
}

/* every record of the core_relo subsection: [rec_size] {sec, n, n * rec} */
static int parse_relos(const __u8 *p, __u32 len, const struct btf *local,
		       struct core_roots *r)
{
	__u32 rec, off = 4, i;
	int ret;

	if (len < 4)
		return len ? -EINVAL : 0;
	rec = *(const __u32 *)p;
	if (rec < sizeof(struct ext_relo))
		return -EINVAL;
	while (off + 8 <= len) {
		__u32 n = ((const __u32 *)(p + off))[1];

		off += 8;
		if (n > (len - off) / rec)
			return -EINVAL;
		for (i = 0; i < n; i++, off += rec) {
			const struct ext_relo *x = (const void *)(p + off);

			if (x->kind == BPF_CORE_TYPE_ID_LOCAL)
				continue;	/* no candidates */
			if (x->kind == BPF_CORE_TYPE_ID_TARGET || x->kind == BPF_CORE_TYPE_MATCHES)
				return -EOPNOTSUPP;
			ret = add_root(r, local, x->type_id);
			if (ret)
				return ret;
		}
	}
	return off == len ? 0 : -EINVAL;
}

int core_roots_from_elf(const void *elf, size_t size, struct core_roots *out)
{
	const struct ext_hdr *h;
	struct btf *local = NULL;
	Elf_Data *btf_d, *ext_d;
	size_t shstrndx;
	Elf *e;
	int ret;

	memset(out, 0, sizeof(*out));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	e = elf_memory((char *)elf, size);
	if (!e)
		return -EINVAL;
	ret = elf_getshdrstrndx(e, &shstrndx) ? -EINVAL : 0;
	if (!ret)
		ret = elf_section(e, shstrndx, ".BTF", &btf_d);
	if (!ret)
		ret = elf_section(e, shstrndx, ".BTF.ext", &ext_d);
	if (ret)
		goto cleanup;
	local = btf__new(btf_d->d_buf, btf_d->d_size);
	if (!local) {
		ret = -errno;
		goto cleanup;
	}
	h = ext_d->d_buf;
	if (ext_d->d_size < sizeof(*h) || h->magic != 0xeB9F || h->hdr_len > ext_d->d_size) {
		ret = -EINVAL;
		goto cleanup;
	}
	/* headers without the core_relo fields have no CO-RE relocations */
	if (h->hdr_len >= sizeof(*h) && h->core_relo_len) {
		if ((size_t)h->hdr_len + h->core_relo_off + h->core_relo_len > ext_d->d_size) {
			ret = -EINVAL;
			goto cleanup;
		}
		ret = parse_relos((const __u8 *)h + h->hdr_len + h->core_relo_off,
				  h->core_relo_len, local, out);
	}
cleanup:
	btf__free(local);
	elf_end(e);
	if (ret)
		core_roots_free(out);
	return ret;
}

void core_roots_free(struct core_roots *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->r[i].name);
	free(r->r);
	r->r = NULL;
	r->n = 0;
}

int core_roots_want(struct kbtf *k, const struct core_roots *r)
{
	int i, ret = 0;

	for (i = 0; !ret && i < r->n; i++)
		ret = kbtf_want_all(k, r->r[i].name, r->r[i].kind);
	return ret;
}

/* copies of kernel types: where each source type went, what to patch */
struct copier {
	struct kbtf *k;
	struct btf *dst;
	__u32 **map;		/* per object, by id - first: new id, 0 not yet */
	__u32 vmlinux_end;
	struct work {
		int obj;
		__u32 src, dst;
	} *todo;
	int ntodo, captodo;
};

static int copy_type(struct copier *c, int obj, __u32 id, __u32 *out);

/* @id as referenced from object @obj: split BTF refers to vmlinux below its end */
static int ref(struct copier *c, int obj, __u32 id, __u32 *out)
{
	if (!id) {
		*out = 0;
		return 0;
	}
	return copy_type(c, id < c->vmlinux_end ? 0 : obj, id, out);
}

static int copy_type(struct copier *c, int obj, __u32 id, __u32 *out)
{
	const struct btf *src = kbtf_btf(c->k, obj);
	const struct btf_type *t = btf__type_by_id(src, id);
	__u32 *slot;
	int nid;

	if (!t || id < kbtf_first(c->k, obj) || id >= kbtf_end(c->k, obj))
		return -EINVAL;
	slot = &c->map[obj][id - kbtf_first(c->k, obj)];
	if (*slot) {
		*out = *slot;
		return 0;
	}
	/* what a pointer points to never matters to a field relocation */
	nid = btf_is_ptr(t) ? btf__add_ptr(c->dst, 0) : btf__add_type(c->dst, src, t);
	if (nid < 0)
		return nid;
	*slot = *out = nid;
	if (btf_is_ptr(t))
		return 0;
	if (c->ntodo == c->captodo) {
		int cap = c->captodo ? 2 * c->captodo : 64;
		struct work *w = realloc(c->todo, cap * sizeof(*w));

		if (!w)
			return -ENOMEM;
		c->todo = w;
		c->captodo = cap;
	}
	c->todo[c->ntodo++] = (struct work){ obj, id, nid };
	return 0;
}

/* The copy of @w refers to source ids: make them the copies' ids. */
static int patch(struct copier *c, const struct work *w)
{
	const struct btf_type *s = btf__type_by_id(kbtf_btf(c->k, w->obj), w->src);
	struct btf_type *d;
	__u32 id;
	int i, ret;

	switch (btf_kind(s)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		ret = ref(c, w->obj, s->type, &id);
		if (ret)
			return ret;
		d = (struct btf_type *)btf__type_by_id(c->dst, w->dst);
		d->type = id;
		return 0;
	case BTF_KIND_ARRAY:
		ret = ref(c, w->obj, btf_array(s)->type, &id);
		if (ret)
			return ret;
		btf_array((struct btf_type *)btf__type_by_id(c->dst, w->dst))->type = id;
		ret = ref(c, w->obj, btf_array(s)->index_type, &id);
		if (ret)
			return ret;
		btf_array((struct btf_type *)btf__type_by_id(c->dst, w->dst))->index_type = id;
		return 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < btf_vlen(s); i++) {
			ret = ref(c, w->obj, btf_members(s)[i].type, &id);
			if (ret)
				return ret;
			d = (struct btf_type *)btf__type_by_id(c->dst, w->dst);
			btf_members(d)[i].type = id;
		}
		return 0;
	case BTF_KIND_FUNC_PROTO:	/* a typedef of a function type */
		ret = ref(c, w->obj, s->type, &id);
		if (ret)
			return ret;
		((struct btf_type *)btf__type_by_id(c->dst, w->dst))->type = id;
		for (i = 0; i < btf_vlen(s); i++) {
			ret = ref(c, w->obj, btf_params(s)[i].type, &id);
			if (ret)
				return ret;
			d = (struct btf_type *)btf__type_by_id(c->dst, w->dst);
			btf_params(d)[i].type = id;
		}
		return 0;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
		return 0;
	default:	/* FUNC, VAR, DATASEC, DECL_TAG: never a field's type */
		return -EINVAL;
	}
}

int core_btf_write(struct kbtf *k, const struct core_roots *r, int fd)
{
	struct copier c = { .k = k };
	const struct kbtf_hit *hits;
	const void *raw;
	__u32 size, id;
	int i, j, n, ret = 0;
	ssize_t wr;

	c.dst = btf__new_empty();
	c.map = calloc(kbtf_nobjs(k), sizeof(*c.map));
	if (!c.dst || !c.map) {
		ret = -ENOMEM;
		goto cleanup;
	}
	c.vmlinux_end = kbtf_end(k, 0);
	for (i = 0; i < kbtf_nobjs(k); i++) {
		c.map[i] = calloc(kbtf_end(k, i) - kbtf_first(k, i), sizeof(**c.map));
		if (!c.map[i]) {
			ret = -ENOMEM;
			goto cleanup;
		}
	}
	for (i = 0; !ret && i < r->n; i++) {
		n = kbtf_find_all(k, r->r[i].name, r->r[i].kind, &hits);
		for (j = 0; !ret && j < n; j++)
			ret = copy_type(&c, hits[j].obj, hits[j].id, &id);
		while (!ret && c.ntodo) {
			struct work w = c.todo[--c.ntodo];

			ret = patch(&c, &w);
		}
	}
	if (ret)
		goto cleanup;
	raw = btf__raw_data(c.dst, &size);
	if (!raw) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET)) {
		ret = -errno;
		goto cleanup;
	}
	wr = pwrite(fd, raw, size, 0);
	if (wr != (ssize_t)size)
		ret = wr < 0 ? -errno : -EIO;
cleanup:
	for (i = 0; c.map && i < kbtf_nobjs(k); i++)
		free(c.map[i]);
	free(c.map);
	free(c.todo);
	btf__free(c.dst);
	return ret;
}
