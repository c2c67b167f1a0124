/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CO-RE views of the types tphtrace reads. dma-buf and PCI types come from
 * vmlinux.h; module types (vfio-pci, mlx5, ib_core) are not in it, so they
 * are declared here as minimal ___tph flavors that libbpf matches by name
 * against module BTF at load time. See docs/symbols.md for the contract.
 */
#ifndef TPHTRACE_CORE_BPF_H
#define TPHTRACE_CORE_BPF_H

struct pci_bus___tph {
	unsigned char number;
	int domain_nr;		/* CONFIG_PCI_DOMAINS_GENERIC only */
	void *sysdata;
} __attribute__((preserve_access_index));

/* x86: pci_domain_nr() is the host bridge's sysdata->domain */
struct pci_sysdata___tph {
	int domain;
} __attribute__((preserve_access_index));

struct vfio_pci_core_device___tph {
	struct pci_dev *pdev;
} __attribute__((preserve_access_index));

/* drivers/vfio/pci/vfio_pci_dmabuf.c, TPH series v5+ */
struct vfio_pci_dma_buf___tph {
	struct dma_buf *dmabuf;
	struct vfio_pci_core_device___tph *vdev;
	__u8 tph_st_valid:1;
	__u8 tph_st_ext_valid:1;
	__u8 tph_ph:2;
	__u8 tph_st;
	__u16 tph_st_ext;
} __attribute__((preserve_access_index));

/*
 * include/uapi/linux/vfio.h of the series: the SET payload. v6+ has
 * steering_tag_ext after flags, v5 after ph; CO-RE finds either.
 */
struct vfio_device_feature_dma_buf_tph___tph {
	__s32 dmabuf_fd;
	__u32 flags;
	__u16 steering_tag_ext;
	__u8 steering_tag;
	__u8 ph;
} __attribute__((preserve_access_index));

struct mlx5_st___tph {
	__u8 direct_mode:1;
} __attribute__((preserve_access_index));

/* drivers/net/ethernet/mellanox/mlx5/core/lib/st.c */
struct mlx5_st_idx_data___tph {
	refcount_t usecount;
	__u16 tag;
} __attribute__((preserve_access_index));

struct mlx5_core_dev___tph {
	struct device *device;
	struct pci_dev *pdev;
	struct mlx5_st___tph *st;
} __attribute__((preserve_access_index));

struct ib_device___tph {
	struct device dev;
} __attribute__((preserve_access_index));

struct ib_pd___tph {
	struct ib_device___tph *device;
} __attribute__((preserve_access_index));

struct ib_mr___tph {
	__u32 lkey;
	__u32 rkey;
	struct ib_device___tph *device;
} __attribute__((preserve_access_index));

/* include/rdma/ib_umem.h (ib_core) */
struct ib_umem___tph {
	__u32 is_dmabuf:1;
} __attribute__((preserve_access_index));

struct ib_umem_dmabuf___tph {
	struct ib_umem___tph umem;
	struct dma_buf_attachment *attach;
} __attribute__((preserve_access_index));

/* drivers/infiniband/hw/mlx5/mlx5_ib.h */
struct mlx5_ib_dev___tph {
	struct ib_device___tph ib_dev;
	struct mlx5_core_dev___tph *mdev;
} __attribute__((preserve_access_index));

struct mlx5_ib_mkey___tph {
	__u32 key;
} __attribute__((preserve_access_index));

struct mlx5_ib_mr___tph {
	struct ib_mr___tph ibmr;
	struct mlx5_ib_mkey___tph mmkey;
	struct ib_umem___tph *umem;
	__u8 frmr_reused:1;	/* the tracepoint patch's bit */
} __attribute__((preserve_access_index));

/* PCI TPH fields of struct pci_dev (v6.13+, CONFIG_PCIE_TPH) */
struct pci_dev___tph {
	__u8 tph_mode:3;
	__u8 tph_req_type:2;
} __attribute__((preserve_access_index));

/*
 * Reading a field, three ways. fentry/fexit programs see their pointer
 * arguments typed by BTF, and so every struct pointer reached from them: a
 * plain load of a field is a BPF_PROBE_MEM load, which the JIT emits as one
 * instruction with an exception-table entry (x86 also skips, without a
 * fault, addresses below the kernel's, such as NULL plus a field offset).
 * raw_tp and kprobe see u64s, and so does any pointer read out of a void *
 * field or through a probe read: those need bpf_probe_read_kernel(), a
 * helper call each. Under QEMU TCG a helper call costs ~0.25 us against a
 * few ns for the load (make bench, issue 14).
 *
 * tp_btf arguments are typed too, but trusted (prog_args_trusted()): the
 * verifier checks every struct pointer loaded from a trusted one against up
 * to four "<type>__safe_trusted"-like names in vmlinux BTF
 * (check_ptr_to_btf_access()). A kernel whose BTF is in build order (6.12)
 * scans all ~120 000 types per name: 5-20 ms a program under TCG, 0.18 s
 * more for the tracer's 19 programs in the 6.12 guest. A kernel whose BTF
 * is sorted by name (7.3) bisects. So tp_btf crosses struct pointers with
 * plain loads there, or where two CPUs verify the programs in parallel
 * (tp_walk, set from kbtf_names_sorted() and src/collect.c's split load),
 * and elsewhere loads plain only the fields that are not struct pointers
 * (RD_LEAF); fentry/fexit, whose arguments are not trusted, always load
 * everything plain (RD_WALK). Per MR registration + deregistration in the
 * 6.12 guest, walking saves ~7 us of 35 (bench P7a); either way the fields
 * read are the same.
 *
 *   RD(m, src, a, b)      a field reached without crossing a struct pointer
 *                         (embedded structs, scalars, char * and void *)
 *   RD_PTR(m, src, a, b)  a struct pointer, or a field reached through one
 *   hop_mode(m)           the mode for what RD_PTR() returned
 *
 * The mode is a constant at every call site: rd_mode(hook), or RD_PROBE
 * where the pointer came through void *. Clang folds the hook family; what
 * depends on tp_walk (rodata) the verifier prunes as a known value, so it
 * never walks a plain load of an untyped pointer.
 * ___arrow() is bpf_core_read.h's own chain builder (a, b, c -> a->b->c);
 * the vmlinux.h and ___tph types carry preserve_access_index, so the plain
 * loads are CO-RE relocated exactly like BPF_CORE_READ()'s.
 */
enum { RD_PROBE, RD_LEAF, RD_WALK };
#define rd_mode(hook)	((hook) == TPH_HOOK_FENTRY ? RD_WALK :			\
			 (hook) == TPH_HOOK_TP_BTF ? (tp_walk ? RD_WALK : RD_LEAF) :	\
			 RD_PROBE)
#define hop_mode(m)	((m) == RD_WALK ? RD_WALK : RD_PROBE)

#define RD(m, src, a, ...)						\
	((m) != RD_PROBE ? ___arrow(src, a, ##__VA_ARGS__) :		\
			   BPF_CORE_READ(src, a, ##__VA_ARGS__))
#define RD_PTR(m, src, a, ...)						\
	((m) == RD_WALK ? ___arrow(src, a, ##__VA_ARGS__) :		\
			  BPF_CORE_READ(src, a, ##__VA_ARGS__))
/* a bitfield: the load of its containing bytes, or their probe read */
#define RD_BITFIELD(m, src, field)					\
	((m) != RD_PROBE ? BPF_CORE_READ_BITFIELD(src, field) :	\
			   BPF_CORE_READ_BITFIELD_PROBED(src, field))

static __always_inline __u64 dmabuf_ino(struct dma_buf *d, int m)
{
	return RD_PTR(m, d, file, f_inode, i_ino);
}

/* M: how @d may be read (RD() above) */
static __always_inline void read_buf(struct tph_buf *b, struct dma_buf *d, int m)
{
	const char *name;

	if (!d)
		return;
	b->ino = dmabuf_ino(d, m);
	b->size = RD(m, d, size);
	name = RD(m, d, exp_name);
	if (name)
		bpf_probe_read_kernel_str(b->exp_name, sizeof(b->exp_name), name);
}

/*
 * dmabuf->name (DMA_BUF_SET_NAME). dma_buf_set_name() swaps the pointer
 * under dmabuf->name_lock, a spinlock BPF cannot take on a kernel object,
 * and frees the old string: like the kernel's own iterator selftest
 * (tools/testing/selftests/bpf/progs/dmabuf_iter.c) this reads it without
 * the lock through a fault-safe copy, so a rename racing with the read can
 * give the old or a torn name, never a crash. "" when unnamed.
 */
static __always_inline void read_buf_name(char *dst, __u32 len, struct dma_buf *d,
					  int m)
{
	const char *name = d ? RD(m, d, name) : NULL;

	dst[0] = '\0';
	if (name && bpf_probe_read_kernel_str(dst, len, name) < 0)
		dst[0] = '\0';
}

/*
 * The PCI identity of a function: pci_domain_nr() (bus->domain_nr where
 * the kernel keeps it there, else x86's sysdata->domain), bus << 8 | devfn.
 * Its device name is not read: for a PCI function it is that same address
 * (pci_name()), and a name already known (an MR's IB device) is kept.
 */
static __always_inline void read_pci_dev(struct tph_dev *d, struct pci_dev *pdev, int m)
{
	struct pci_sysdata___tph *sd;
	struct pci_bus___tph *bus;

	if (!pdev)
		return;
	/* one hop to the bus: the verifier's name lookups and the probe reads are per hop */
	bus = (void *)RD_PTR(m, pdev, bus);
	d->bdf = (RD(hop_mode(m), bus, number) << 8) | RD(m, pdev, devfn);
	if (bpf_core_field_exists(bus->domain_nr)) {
		d->domain = RD(hop_mode(m), bus, domain_nr);
	} else if (bpf_core_type_exists(struct pci_sysdata___tph)) {
		/* sysdata is a void *: loaded as a number, read through */
		sd = RD(hop_mode(m), bus, sysdata);
		if (sd)
			d->domain = BPF_CORE_READ(sd, domain);
	}
	d->valid |= TPH_DEV_PCI;
}

static __always_inline void read_device_name(struct tph_dev *d, struct device *dev, int m)
{
	const char *name;

	if (!dev)
		return;
	name = RD(m, dev, kobj.name);
	if (name && bpf_probe_read_kernel_str(d->name, sizeof(d->name), name) > 1)
		d->valid |= TPH_DEV_NAME;
}

#endif /* TPHTRACE_CORE_BPF_H */
