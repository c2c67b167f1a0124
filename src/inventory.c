// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* iter/dmabuf: load bpf/iter.bpf.c, take snapshots. */
#include <dirent.h>
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

/*
 * libbpf's first warning of a load, kept to say why the tag reader did not
 * load (the first is the cause, e.g. "relocation decision ambiguity"; the
 * last only says that loading the skeleton failed)
 */
static char libbpf_last[200];
static bool libbpf_loud;

static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list cp;

	if (level == LIBBPF_WARN && !libbpf_last[0]) {
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
 * Where struct vfio_pci_dma_buf has the TPH series' fields: vmlinux
 * (vfio-pci built in) and loaded modules (vfio_pci_core with the series,
 * tphsim), by their BTF in /sys/kernel/btf. Usually none: then
 * /proc/kallsyms is not read at all (under TCG it takes seconds).
 */
#define MAX_TPH_MODS	2
struct tph_mods {
	int n;
	char name[MAX_TPH_MODS][56];	/* "" for vmlinux */
};

static void find_tph_layouts(struct btf *vml, struct tph_mods *tm)
{
	struct dirent *de;
	char path[300];
	DIR *d;

	tm->n = 0;
	if (has_tph_layout(vml))
		tm->name[tm->n++][0] = '\0';
	d = opendir("/sys/kernel/btf");
	if (!d)
		return;
	while ((de = readdir(d)) && tm->n < MAX_TPH_MODS) {
		struct btf *btf;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", de->d_name);
		btf = btf__parse_split(path, vml);
		if (!btf)
			continue;
		if (has_tph_layout(btf))
			snprintf(tm->name[tm->n++], sizeof(tm->name[0]), "%.55s", de->d_name);
		btf__free(btf);
	}
	closedir(d);
}

/* the ops of those exporters: vfio_pci_dmabuf_ops of the same module */
static int find_tph_ops(const struct tph_mods *tm, __u64 *addr, char *names, size_t len)
{
	struct ksym_want w = { .name = "vfio_pci_dmabuf_ops" };
	int i, k, n = 0;

	names[0] = '\0';
	if (!tm->n || ksyms_lookup(NULL, &w, 1))
		return 0;
	for (i = 0; i < w.nhits && n < MAX_TPH_MODS; i++) {
		for (k = 0; k < tm->n; k++) {
			size_t l = strlen(names);

			if (!w.hit[i].addr || strcmp(w.hit[i].module, tm->name[k]))
				continue;
			addr[n++] = w.hit[i].addr;
			snprintf(names + l, len - l, "%s%s", l ? ", " : "",
				 tm->name[k][0] ? tm->name[k] : "vmlinux");
		}
	}
	return n;
}

static int load(struct inventory *inv, struct btf *vml, bool tags, char *why, size_t len)
{
	struct tph_mods tm = {};
	struct bpf_program *prog;
	char mods[128] = "";
	int ntph = 0, ret;

	inv->skel = iter_bpf__open();
	if (!inv->skel) {
		ret = -errno;
		snprintf(why, len, "iter/dmabuf: cannot open the BPF object: %s", strerror(-ret));
		return ret;
	}
	if (tags) {
		find_tph_layouts(vml, &tm);
		ntph = find_tph_ops(&tm, inv->skel->rodata->tph_ops, mods, sizeof(mods));
	}
	tags = tags && ntph > 0;
	inv->with_tags = tags;
	bpf_program__set_autoload(inv->skel->progs.iter_dmabuf, tags);
	bpf_program__set_autoload(inv->skel->progs.iter_dmabuf_plain, !tags);
	libbpf_last[0] = '\0';
	ret = iter_bpf__load(inv->skel);
	if (ret == -EPERM || ret == -EACCES) {
		snprintf(why, len, "iter/dmabuf: loading the iterator was refused (%s): "
			 "needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN", strerror(-ret));
		return ret;
	}
	if (ret) {
		/* libbpf's own last word (e.g. a CO-RE relocation it could not place) */
		snprintf(why, len, "iter/dmabuf: loading failed: %s", libbpf_last[0] ?
			 libbpf_last : strerror(-ret));
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
	else if (!tm.n)
		snprintf(inv->tags, sizeof(inv->tags), "no TPH-publishing exporter loaded "
			 "(no BTF has the TPH series' struct vfio_pci_dma_buf: vfio-pci with "
			 "the series, tphsim)");
	else
		snprintf(inv->tags, sizeof(inv->tags), "not read: %s%s has the TPH layout but "
			 "its vfio_pci_dmabuf_ops is not in /proc/kallsyms "
			 "(CONFIG_KALLSYMS_ALL?)", tm.name[0][0] ? "module " : "",
			 tm.name[0][0] ? tm.name[0] : "vmlinux");
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
	if (ret && inv->with_tags && ret != -EPERM && ret != -EACCES) {
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
