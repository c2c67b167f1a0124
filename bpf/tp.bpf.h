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

/*
 * The exporter hands its answer to the wrapper's event on this CPU (struct
 * qhand) when the MR registration is traced by tracepoints too: the query
 * then has nothing to record in the task state (mr_by_tracepoint()), and
 * the exporter handler does the state's part of the query (qflags, ST
 * write failure cleared).
 */
static __always_inline bool query_handoff(void)
{
	return mr_by_tracepoint();
}

/* dma_buf_tph_query(ino, exp_name, size, extended, st, ph, ret) */
static __always_inline int tp_dma_buf_tph_query(__u64 *ctx, __u8 hook)
{
	struct task_struct *t = cur_task();
	struct task_state *s = NULL;
	struct tph_ev_query *r;
	struct qhand *h = NULL;
	__u32 zero = 0;

	if (query_handoff()) {
		h = bpf_map_lookup_elem(&qhand, &zero);
		if (h && (h->task != (__u64)t || h->ino != A(0)))
			h = NULL;
	}
	if (!h) {
		s = state_get_t(t);
		/* an exporter answer handed to an earlier query is not ours */
		if (s && s->exp_ino != A(0))
			s->seen &= ~TS_EXPORTER;
		query_state(s, A(0), A(3), A(4), A(5), (int)A(6));
	}
	r = query_rec(t, A(3), A(4), A(5), (int)A(6), hook);
	/* the hottest event: its dma-buf is written straight into the record */
	if (r) {
		if (h) {
			r->exporter = h->exporter;
			r->qflags = h->qflags;
		} else {
			query_rec_exporter(r, s);
		}
		r->buf.ino = A(0);
		r->buf.size = A(2);
		__builtin_memset(r->buf.exp_name, 0, sizeof(r->buf.exp_name));
		if (A(1))
			bpf_probe_read_kernel_str(r->buf.exp_name, sizeof(r->buf.exp_name),
						  (void *)A(1));
		rec_submit(r, (int)A(6));
	}
	if (h)
		h->task = 0;
	query_done(s);
	return 0;
}
TP_HOOKS(dma_buf_tph_query)

/* vfio_pci_tph_query(domain, devid, ino, extended, st_valid, st_ext_valid, st, ph, ret) */
static __always_inline int tp_vfio_pci_tph_query(__u64 *ctx, __u8 hook)
{
	struct task_struct *t = cur_task();
	struct task_state *s;
	struct tph_dev d = {};
	struct qhand *h;
	__u32 zero = 0;

	dev_pci(&d, A(0), A(1));
	s = on_exporter_query_t(t, &d, A(3), A(4), A(5), (int)A(8));
	if (s)
		s->exp_ino = A(2);
	if (!query_handoff())
		return 0;
	/* what the wrapper's query would do to the state (query_state) */
	if (s)
		s->seen &= ~TS_ST_WFAIL;
	h = bpf_map_lookup_elem(&qhand, &zero);
	if (h) {
		h->task = (__u64)t;
		h->ino = A(2);
		h->exporter = d;
		h->qflags = exporter_qflags(A(4), A(5));
	}
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
	struct task_struct *t = cur_task();
	struct task_state *s = state_get_or_create_t(t);
	struct tph_ev_mr *r;

	if (!s)
		return 0;
	if (!(s->seen & TS_DECISION))
		dev_name(&s->nic, (void *)A(0));
	/* the arguments are read once the record is there: no spills */
	r = mr_rec(t, s, hook);
	if (r) {
		r->ino = A(2) ? A(2) : s->ino;
		r->length = A(3);
		r->mkey = A(1);
		r->access = (int)A(4);
		r->st_index = A(5);
		r->ph = A(6);
		r->reused = A(7);
		r->ret = (int)A(8);
		rec_submit(r, (int)A(8));
	}
	state_drop(s);
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
