// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* iter/dmabuf: load bpf/iter.bpf.c, take snapshots. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "inventory.h"
#include "ksyms.h"
#include "iter.skel.h"

struct inventory {
	struct iter_bpf *skel;
	struct bpf_link *link;
	bool with_tags;		/* the tag reader was chosen */
	char tags[256];
};

/* libbpf's last warning, kept to say why the tag reader did not load */
static char libbpf_last[200];
static bool libbpf_loud;

static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list cp;

	if (level == LIBBPF_WARN) {
		va_copy(cp, ap);
		vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, cp);
		va_end(cp);
		libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	}
	return libbpf_loud ? vfprintf(stderr, fmt, ap) : 0;
}

/* does @btf's struct vfio_pci_dma_buf carry the TPH series' fields? */
static bool has_tph_layout(const struct btf *btf)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf ? btf__find_by_name_kind(btf, "vfio_pci_dma_buf", BTF_KIND_STRUCT) : -1;
	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, id);
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "tph_st_valid"))
			return true;
	return false;
}

/*
 * The exporters whose private data the iterator may read as
 * struct vfio_pci_dma_buf: each module (or vmlinux) that defines
 * vfio_pci_dmabuf_ops AND whose own BTF has the TPH layout (vfio-pci with
 * the series, tphsim). A stock vfio-pci of the same name is left out: its
 * dma-bufs have no published state, and CO-RE places the fields after the
 * module that has them, which is not its layout.
 */
static int find_tph_exporters(struct btf *vml, const struct ksym_want *ops,
			      __u64 *addr, int max, char *names, size_t len)
{
	int i, n = 0;

	names[0] = '\0';
	for (i = 0; i < ops->nhits && n < max; i++) {
		const struct ksym_hit *h = &ops->hit[i];
		struct btf *btf = h->module[0] ? btf__load_module_btf(h->module, vml) : vml;
		size_t l = strlen(names);

		if (h->addr && has_tph_layout(btf)) {
			addr[n++] = h->addr;
			snprintf(names + l, len - l, "%s%s", l ? ", " : "",
				 h->module[0] ? h->module : "vmlinux");
		}
		if (btf != vml)
			btf__free(btf);
	}
	return n;
}

static int load(struct inventory *inv, struct btf *vml, bool tags, char *why, size_t len)
{
	struct ksym_want w[] = { { .name = "pci_bus_type" },
				 { .name = "vfio_pci_dmabuf_ops" } };
	struct bpf_program *prog;
	char mods[128] = "";
	int ntph = 0, ret;

	inv->skel = iter_bpf__open();
	if (!inv->skel) {
		ret = -errno;
		snprintf(why, len, "iter/dmabuf: cannot open the BPF object: %s", strerror(-ret));
		return ret;
	}
	if (ksyms_lookup(NULL, w, 2) == 0) {
		/* the kernel's pci_bus_type, not a module's symbol of that name */
		for (ret = 0; ret < w[0].nhits; ret++)
			if (!w[0].hit[ret].module[0])
				inv->skel->rodata->pci_bus_type_addr = w[0].hit[ret].addr;
		if (tags)
			ntph = find_tph_exporters(vml, &w[1], inv->skel->rodata->tph_ops, 2,
						  mods, sizeof(mods));
	}
	tags = tags && ntph > 0;
	inv->with_tags = tags;
	bpf_program__set_autoload(inv->skel->progs.iter_dmabuf, tags);
	bpf_program__set_autoload(inv->skel->progs.iter_dmabuf_plain, !tags);
	libbpf_last[0] = '\0';
	ret = iter_bpf__load(inv->skel);
	if (ret) {
		snprintf(why, len, "%s", libbpf_last[0] ? libbpf_last : strerror(-ret));
		return ret;
	}
	prog = tags ? inv->skel->progs.iter_dmabuf : inv->skel->progs.iter_dmabuf_plain;
	inv->link = bpf_program__attach_iter(prog, NULL);
	if (!inv->link) {
		ret = -errno;
		snprintf(why, len, "iter/dmabuf: attaching failed: %s", strerror(-ret));
		return ret;
	}
	if (tags)
		snprintf(inv->tags, sizeof(inv->tags), "read by iter/dmabuf (CO-RE) from the "
			 "dma-bufs of %s", mods);
	else if (!w[1].nhits)
		snprintf(inv->tags, sizeof(inv->tags), "no TPH-publishing exporter loaded "
			 "(vfio_pci_dmabuf_ops of vfio-pci with the TPH series or tphsim)");
	else
		snprintf(inv->tags, sizeof(inv->tags), "vfio_pci_dmabuf_ops found, but no "
			 "loaded module has the TPH series' struct vfio_pci_dma_buf");
	return 0;
}

int inventory_open(struct inventory **out, bool verbose, char *why, size_t len)
{
	libbpf_print_fn_t old = libbpf_set_print(libbpf_capture);
	struct inventory *inv = calloc(1, sizeof(*inv));
	char first[200];
	struct btf *vml;
	int ret;

	libbpf_loud = verbose;
	vml = btf__load_vmlinux_btf();
	if (!inv || !vml) {
		ret = inv ? -ENOENT : -ENOMEM;
		snprintf(why, len, "iter/dmabuf: %s", inv ? "no kernel BTF" : strerror(ENOMEM));
		goto cleanup;
	}
	if (btf__find_by_name_kind(vml, "bpf_iter_dmabuf", BTF_KIND_FUNC) <= 0) {
		ret = -ENOENT;
		snprintf(why, len, "iter/dmabuf: not in this kernel (needs v6.16+)");
		goto cleanup;
	}
	ret = load(inv, vml, true, first, sizeof(first));
	if (ret && inv->with_tags) {
		/* the tag reader's relocations failed: enumerate without them */
		bpf_link__destroy(inv->link);
		iter_bpf__destroy(inv->skel);
		inv->skel = NULL;
		ret = load(inv, vml, false, why, len);
		if (!ret)
			snprintf(inv->tags, sizeof(inv->tags), "not read: the tag reader did "
				 "not load (%.160s)", first);
	} else if (ret) {
		snprintf(why, len, "%s", first);
	}
cleanup:
	btf__free(vml);
	libbpf_set_print(old);
	if (ret) {
		inventory_close(inv);
		return ret;
	}
	*out = inv;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int inventory_snapshot(struct inventory *inv, struct snapshot *s)
{
	static char buf[1 << 16];
	size_t have = 0;
	long used;
	ssize_t n;
	int fd, ret = 0;

	snap_reset(s);
	fd = bpf_iter_create(bpf_link__fd(inv->link));
	if (fd < 0)
		return -errno;
	s->ts_ns = mono_ns();
	for (;;) {
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0) {
			ret = have ? -EINVAL : snap_finish(s);
			break;
		}
		have += (size_t)n;
		used = snap_feed(s, buf, have);
		if (used < 0) {
			ret = (int)used;
			break;
		}
		memmove(buf, buf + used, have - (size_t)used);
		have -= (size_t)used;
	}
	close(fd);
	return ret;
}

const char *inventory_tags(const struct inventory *inv)
{
	return inv->tags;
}

void inventory_close(struct inventory *inv)
{
	if (!inv)
		return;
	bpf_link__destroy(inv->link);
	iter_bpf__destroy(inv->skel);
	free(inv);
}
