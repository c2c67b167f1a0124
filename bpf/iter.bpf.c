// SPDX-License-Identifier: GPL-2.0
/*
 * iter/dmabuf: every dma-buf that exists, as one snapshot stream (the
 * entries of include/tphtrace/tphtrace.h, struct tph_iter_*). The iterator
 * came with v6.16 (kernel/bpf/dmabuf_iter.c, "bpf: Add dmabuf iterator");
 * it holds a reference on each dma-buf while the program runs, so the
 * dma_buf itself cannot go away under us, but nothing else is locked.
 *
 * Per dma-buf: inode, size, exporter name, name; the importers attached to
 * it; for exporters whose private state is known (vfio-pci with the TPH
 * series, and tphsim, which carries the same struct vfio_pci_dma_buf), the
 * published steering tags. src/inventory.c loads this object on its own
 * (it must not make the main object fail on kernels before 6.16).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tphtrace/tphtrace.h"
#include "core.bpf.h"

/* not in vmlinux.h (generated from 6.12): the v6.16 context */
struct bpf_iter__dmabuf___tph {
	struct bpf_iter_meta *meta;
	struct dma_buf *dmabuf;
} __attribute__((preserve_access_index));

/*
 * Set by user space before load: the addresses of vfio_pci_dmabuf_ops
 * (/proc/kallsyms) in the modules whose BTF has struct vfio_pci_dma_buf
 * with the TPH fields. A dma-buf's private data is read as that struct
 * only when its ops pointer is one of these: the ops table is the
 * exporter's implementation (VFIO's SET and tphsim's get_tph lookup test
 * it the same way), while exp_name is any string an exporter chose
 * (tphsim names dma-bufs after the device) and the owner module may
 * export other kinds (tphsim's "plain" exporter, which publishes nothing).
 */
const volatile __u64 tph_ops[2];

/* dev->bus is pci_bus_type: its name is "pci" (drivers/pci/pci-driver.c) */
static __always_inline bool on_pci_bus(struct device *dev)
{
	const char *bus = BPF_CORE_READ(dev, bus, name);
	char name[5];

	/* 4: "pci" and its NUL; a longer name would read 5 */
	return bus && bpf_probe_read_kernel_str(name, sizeof(name), bus) == 4 &&
	       name[0] == 'p' && name[1] == 'c' && name[2] == 'i';
}

static __always_inline void read_importer(struct tph_iter_attach *e,
					  struct dma_buf_attachment *a)
{
	struct device *dev = BPF_CORE_READ(a, dev);

	e->peer2peer = BPF_CORE_READ(a, peer2peer);
	/* dma_buf_attachment_is_dynamic() */
	e->dynamic = BPF_CORE_READ(a, importer_ops) != NULL;
	if (!dev)
		return;
	read_device_name(&e->importer, dev, RD_PROBE);
	if (on_pci_bus(dev))
		read_pci_dev(&e->importer, (struct pci_dev *)((void *)dev -
			     bpf_core_field_offset(struct pci_dev, dev)), RD_PROBE);
}

/*
 * dmabuf->attachments is protected by the dma-buf's reservation lock,
 * which a BPF program cannot take: the walk reads through fault-safe
 * copies and is bounded, so an attachment added or removed meanwhile can
 * be missed or seen once more, never followed into a loop.
 */
static __always_inline __u16 walk_attachments(struct seq_file *seq, struct dma_buf *d,
					      __u8 *truncated)
{
	struct list_head *head = (void *)d + bpf_core_field_offset(struct dma_buf, attachments);
	__u32 node_off = bpf_core_field_offset(struct dma_buf_attachment, node);
	struct list_head *pos = BPF_CORE_READ(d, attachments.next);
	struct tph_iter_attach e;
	__u16 n = 0;
	int i;

	for (i = 0; i < TPH_ITER_MAX_ATTACH; i++) {
		struct dma_buf_attachment *a;

		if (!pos || pos == head)
			return n;
		a = (void *)pos - node_off;
		__builtin_memset(&e, 0, sizeof(e));
		e.type = TPH_ITER_ATTACH;
		e.size = sizeof(e);
		e.cookie = (__u64)a;
		read_importer(&e, a);
		bpf_seq_write(seq, &e, sizeof(e));
		n++;
		pos = BPF_CORE_READ(pos, next);
	}
	*truncated = pos && pos != head;
	return n;
}

/* struct vfio_pci_dma_buf of the TPH series (v5+: same names in v7, v9) */
static __always_inline void read_published(struct tph_iter_buf *e, struct dma_buf *d)
{
	struct vfio_pci_dma_buf___tph *priv;
	struct vfio_pci_core_device___tph *vdev;
	__u64 ops = (__u64)BPF_CORE_READ(d, ops);

	if (!ops || (ops != tph_ops[0] && ops != tph_ops[1]))
		return;
	e->tph |= TPH_ITER_TPH_EXPORTER;
	if (!bpf_core_type_exists(struct vfio_pci_dma_buf___tph))
		return;
	priv = BPF_CORE_READ(d, priv);
	if (!priv || !bpf_core_field_exists(priv->tph_st_valid) ||
	    !bpf_core_field_exists(priv->tph_st_ext_valid) ||
	    !bpf_core_field_exists(priv->tph_ph))
		return;
	/* written under the reservation lock (v7 SET); read unlocked, as one snapshot */
	e->pub_flags = (BPF_CORE_READ_BITFIELD_PROBED(priv, tph_st_valid) ? 0x1 : 0) |
		       (BPF_CORE_READ_BITFIELD_PROBED(priv, tph_st_ext_valid) ? 0x2 : 0);
	e->ph = BPF_CORE_READ_BITFIELD_PROBED(priv, tph_ph);
	e->st = BPF_CORE_READ(priv, tph_st);
	e->st_ext = BPF_CORE_READ(priv, tph_st_ext);
	e->tph |= TPH_ITER_TPH_READ;
	/* vdev is NULL once the device went away (vfio_pci_dma_buf_cleanup()) */
	vdev = BPF_CORE_READ(priv, vdev);
	if (vdev)
		read_pci_dev(&e->exporter, BPF_CORE_READ(vdev, pdev), RD_PROBE);
}

static __always_inline int show(struct bpf_iter__dmabuf___tph *ctx, bool tags)
{
	struct seq_file *seq = ctx->meta->seq;
	struct dma_buf *d = ctx->dmabuf;
	struct tph_iter_buf e;
	__u8 truncated = 0;

	if (!d)		/* the end-of-iteration call */
		return 0;
	__builtin_memset(&e, 0, sizeof(e));
	e.nattach = walk_attachments(seq, d, &truncated);
	e.type = TPH_ITER_BUF;
	e.size = sizeof(e);
	e.truncated = truncated;
	e.cookie = (__u64)d;
	read_buf(&e.buf, d, RD_PROBE);
	read_buf_name(e.name, sizeof(e.name), d, RD_PROBE);
	if (tags)
		read_published(&e, d);
	bpf_seq_write(seq, &e, sizeof(e));
	return 0;
}

SEC("iter/dmabuf")
int iter_dmabuf(struct bpf_iter__dmabuf___tph *ctx)
{
	return show(ctx, true);
}

/*
 * The same without the exporter-private reads: what src/inventory.c loads
 * when CO-RE cannot place them (e.g. two loaded modules define
 * struct vfio_pci_core_device with different layouts and libbpf refuses
 * the ambiguous relocation).
 */
SEC("iter/dmabuf")
int iter_dmabuf_plain(struct bpf_iter__dmabuf___tph *ctx)
{
	return show(ctx, RD_PROBE);
}

char LICENSE[] SEC("license") = "GPL";
