/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points on the tracepoints of kernel/include/trace/events/ (our
 * kernel patches, or the tphsim simulator). Argument positions follow the
 * TP_PROTO lists there; tests/bpf drives the raw_tp variants with argument
 * arrays generated from those headers.
 */
#ifndef TPHTRACE_TP_BPF_H
#define TPHTRACE_TP_BPF_H

#include "handlers.bpf.h"

/* One tp_btf and one raw_tp program per tracepoint, over one handler. */
#define TP_HOOKS(ev)							\
SEC("tp_btf/" #ev)							\
int tp_btf__##ev(__u64 *ctx) { return tp_##ev(ctx, TPH_HOOK_TP_BTF); }	\
SEC("raw_tp/" #ev)							\
int raw_tp__##ev(__u64 *ctx) { return tp_##ev(ctx, TPH_HOOK_RAW_TP); }

#define A(i)	(ctx[i])

/* dma_buf_tph_query(ino, exp_name, size, extended, st, ph, ret) */
static __always_inline int tp_dma_buf_tph_query(__u64 *ctx, __u8 hook)
{
	struct tph_buf b = { .ino = A(0), .size = A(2) };

	if (A(1))
		bpf_probe_read_kernel_str(b.exp_name, sizeof(b.exp_name), (void *)A(1));
	return on_query(&b, A(3), A(4), A(5), (int)A(6), hook);
}
TP_HOOKS(dma_buf_tph_query)

/* vfio_pci_tph_query(domain, devid, ino, extended, st_valid, st_ext_valid, st, ph, ret) */
static __always_inline int tp_vfio_pci_tph_query(__u64 *ctx, __u8 hook)
{
	struct tph_dev d = {};

	dev_pci(&d, A(0), A(1));
	on_exporter_query(&d, A(3), A(4), A(5), (int)A(8));
	return 0;
}
TP_HOOKS(vfio_pci_tph_query)

/* vfio_pci_tph_set(domain, devid, ino, flags, st, st_ext, ph, completer, ret) */
static __always_inline int tp_vfio_pci_tph_set(__u64 *ctx, __u8 hook)
{
	struct tph_dev d = {};

	dev_pci(&d, A(0), A(1));
	return on_publish(&d, A(2), A(3), A(4), A(5), A(6), A(7), (int)A(8), hook);
}
TP_HOOKS(vfio_pci_tph_set)

/*
 * mlx5_ib_mr_tph(ibdev, domain, devid, ino, req_type, extended, source, st,
 *                st_index, ph, reason, ret)
 */
static __always_inline int tp_mlx5_ib_mr_tph(__u64 *ctx, __u8 hook)
{
	on_mr_decision((void *)A(0), A(1), A(2), A(3), A(4), A(5), A(6), A(7),
		       A(8), A(9), A(10), (int)A(11));
	return 0;
}
TP_HOOKS(mlx5_ib_mr_tph)

/* mlx5_ib_dmabuf_mr(ibdev, mkey, ino, length, access_flags, st_index, ph, reused, ret) */
static __always_inline int tp_mlx5_ib_dmabuf_mr(__u64 *ctx, __u8 hook)
{
	struct task_state *s = state_get_or_create();

	if (!s)
		return 0;
	if (!(s->seen & TS_DECISION))
		dev_name(&s->nic, (void *)A(0));
	emit_mr(s, A(1), A(2), A(3), (int)A(4), A(5), A(6), A(7), (int)A(8), hook);
	state_drop();
	return 0;
}
TP_HOOKS(mlx5_ib_dmabuf_mr)

/* mlx5_ib_dmabuf_mr_dereg(ibdev, mkey, ino, st_index, pooled, ret) */
static __always_inline int tp_mlx5_ib_dmabuf_mr_dereg(__u64 *ctx, __u8 hook)
{
	return on_mr_dereg((void *)A(0), A(1), A(2), A(3), A(4), (int)A(5), hook);
}
TP_HOOKS(mlx5_ib_dmabuf_mr_dereg)

/* mlx5_st_index_{alloc,get,put}(domain, devid, tag, st_index, refcount, direct, ret) */
static __always_inline int tp_st(__u64 *ctx, __u8 op, __u8 hook)
{
	struct tph_dev d = {};

	dev_pci(&d, A(0), A(1));
	return on_st(op, &d, A(2), A(3), A(4), A(5), (int)A(6), hook);
}

static __always_inline int tp_mlx5_st_index_alloc(__u64 *ctx, __u8 hook)
{
	return tp_st(ctx, TPH_ST_ALLOC, hook);
}
TP_HOOKS(mlx5_st_index_alloc)

static __always_inline int tp_mlx5_st_index_get(__u64 *ctx, __u8 hook)
{
	return tp_st(ctx, TPH_ST_GET, hook);
}
TP_HOOKS(mlx5_st_index_get)

static __always_inline int tp_mlx5_st_index_put(__u64 *ctx, __u8 hook)
{
	return tp_st(ctx, TPH_ST_PUT, hook);
}
TP_HOOKS(mlx5_st_index_put)

/* pcie_tph_enable(domain, devid, mode, dev_req_type, rp_completer, req_type, ret) */
static __always_inline int tp_pcie_tph_enable(__u64 *ctx, __u8 hook)
{
	struct pci_args a = { .op = TPH_PCI_ENABLE, .mode = A(2), .dev_req_type = A(3),
			      .rp_completer = A(4), .req_type = A(5) };
	struct tph_dev d = {};

	dev_pci(&d, A(0), A(1));
	return on_pci(&d, &a, (int)A(6), hook);
}
TP_HOOKS(pcie_tph_enable)

/* pcie_tph_disable(domain, devid, mode, req_type) */
static __always_inline int tp_pcie_tph_disable(__u64 *ctx, __u8 hook)
{
	struct pci_args a = { .op = TPH_PCI_DISABLE, .mode = A(2), .req_type = A(3),
			      .rp_completer = TPH_UNKNOWN_U8,
			      .dev_req_type = TPH_UNKNOWN_U8 };
	struct tph_dev d = {};

	dev_pci(&d, A(0), A(1));
	return on_pci(&d, &a, 0, hook);
}
TP_HOOKS(pcie_tph_disable)

/* pcie_tph_st_write(domain, devid, index, tag, loc, ret) */
static __always_inline int tp_pcie_tph_st_write(__u64 *ctx, __u8 hook)
{
	struct pci_args a = { .op = TPH_PCI_ST_WRITE, .index = A(2), .tag = A(3),
			      .loc = A(4), .req_type = TPH_UNKNOWN_U8,
			      .rp_completer = TPH_UNKNOWN_U8,
			      .dev_req_type = TPH_UNKNOWN_U8 };
	struct tph_dev d = {};

	dev_pci(&d, A(0), A(1));
	return on_pci(&d, &a, (int)A(5), hook);
}
TP_HOOKS(pcie_tph_st_write)

/* upstream dma_buf:* (~v7.0): (dmabuf) and (dmabuf, attach, is_dynamic, dev) */
static __always_inline int tp_dma_buf_export(__u64 *ctx, __u8 hook)
{
	return on_dmabuf(TPH_EV_DMABUF_EXPORT, (void *)A(0), 0, hook);
}
TP_HOOKS(dma_buf_export)

static __always_inline int tp_dma_buf_dynamic_attach(__u64 *ctx, __u8 hook)
{
	return on_attach(TPH_EV_ATTACH, (void *)A(0), (void *)A(1), (void *)A(3),
			 (bool)A(2), 0, 0, hook);
}
TP_HOOKS(dma_buf_dynamic_attach)

static __always_inline int tp_dma_buf_detach(__u64 *ctx, __u8 hook)
{
	return on_attach(TPH_EV_DETACH, (void *)A(0), (void *)A(1), (void *)A(3),
			 (bool)A(2), 0, 0, hook);
}
TP_HOOKS(dma_buf_detach)

#undef A
#endif /* TPHTRACE_TP_BPF_H */
