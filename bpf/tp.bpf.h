/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points on the tracepoints of the kernel patches (kernel/tree/, the
 * same files tphsim fires). Their TP_PROTO passes the objects themselves
 * (struct dma_buf, pci_dev, vfio_pci_dma_buf, mlx5_ib_dev, mlx5_ib_mr, ...)
 * and the decision's scalars; the fields are read here with CO-RE, through
 * the ___tph flavors of bpf/core.bpf.h for module types, every module read
 * behind an existence guard. tp_btf and raw_tp run the same code: ctx[i] is
 * the i-th TP_PROTO argument in both (typed for tp_btf, a u64 for raw_tp),
 * and every read goes through RD()/RD_PTR() (bpf/core.bpf.h): plain loads
 * of tp_btf's typed arguments' fields, probe reads across struct pointers
 * and for raw_tp's u64s.
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
 * enum mlx5_ib_tph_reason and enum mlx5_ib_tph_source of mr_tracepoint.h:
 * the kernel's values are the kernel's, matched here by enumerator name
 * (CO-RE enum value relocations), never by number.
 */
enum mlx5_ib_tph_reason___tph {
	MLX5_IB_TPH_OK___tph,
	MLX5_IB_TPH_DMAH___tph,
	MLX5_IB_TPH_REQ_DISABLED___tph,
	MLX5_IB_TPH_UNAVAILABLE___tph,
	MLX5_IB_TPH_QUERY_ERROR___tph,
	MLX5_IB_TPH_NO_ST_TABLE___tph,
	MLX5_IB_TPH_ST_TABLE_FULL___tph,
	MLX5_IB_TPH_ST_ERROR___tph,
	MLX5_IB_TPH_TAG0_DIRECT___tph,
};

enum mlx5_ib_tph_source___tph {
	MLX5_IB_TPH_SRC_NONE___tph,
	MLX5_IB_TPH_SRC_DMAH___tph,
	MLX5_IB_TPH_SRC_DMABUF___tph,
};

#define KREASON(name, ours)						\
	if (bpf_core_enum_value_exists(enum mlx5_ib_tph_reason___tph,	\
				       MLX5_IB_TPH_##name##___tph) &&	\
	    v == bpf_core_enum_value(enum mlx5_ib_tph_reason___tph,	\
				     MLX5_IB_TPH_##name##___tph))	\
		return ours

/*
 * tphtrace's reason for the kernel's; UNAVAILABLE is -EOPNOTSUPP from
 * dma_buf_get_pci_tph(), which does not say whether the exporter has no
 * callback or nothing for this namespace: the exporter's own event does.
 */
static __always_inline __u8 kernel_reason(__u64 v, struct task_state *s)
{
	KREASON(OK, TPH_REASON_OK);
	KREASON(DMAH, TPH_REASON_DMAH);
	KREASON(REQ_DISABLED, TPH_REASON_REQ_DISABLED);
	KREASON(UNAVAILABLE, (s->qflags & TPH_Q_EXPORTER_SEEN) ?
			     TPH_REASON_NOT_PUBLISHED : TPH_REASON_NO_OP);
	KREASON(QUERY_ERROR, TPH_REASON_QUERY_ERROR);
	KREASON(NO_ST_TABLE, TPH_REASON_NO_ST_TABLE);
	KREASON(ST_TABLE_FULL, TPH_REASON_ST_TABLE_FULL);
	KREASON(ST_ERROR, TPH_REASON_ST_ERROR);
	KREASON(TAG0_DIRECT, TPH_REASON_TAG0_DIRECT);
	return TPH_REASON_UNKNOWN;
}

static __always_inline __u8 kernel_source(__u64 v)
{
	if (bpf_core_enum_value_exists(enum mlx5_ib_tph_source___tph,
				       MLX5_IB_TPH_SRC_DMAH___tph) &&
	    v == bpf_core_enum_value(enum mlx5_ib_tph_source___tph,
				     MLX5_IB_TPH_SRC_DMAH___tph))
		return TPH_SRC_DMAH;
	if (bpf_core_enum_value_exists(enum mlx5_ib_tph_source___tph,
				       MLX5_IB_TPH_SRC_DMABUF___tph) &&
	    v == bpf_core_enum_value(enum mlx5_ib_tph_source___tph,
				     MLX5_IB_TPH_SRC_DMABUF___tph))
		return TPH_SRC_DMABUF;
	return TPH_SRC_NONE;
}

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

/*
 * The queried dma-buf's identity, read once before the handler's paths
 * split: each struct pointer the verifier walks costs it a search of the
 * kernel's BTF on 6.12 (bpf/core.bpf.h), once per path it explores.
 */
struct query_buf {
	__u64 ino;
	__u64 size;
};

static __always_inline void query_buf_read(struct query_buf *q, struct dma_buf *d, __u8 hook)
{
	q->ino = d ? dmabuf_ino(d, rd_mode(hook)) : 0;
	q->size = d ? RD(rd_mode(hook), d, size) : 0;
}

/* the query record's dma-buf, written straight into the ring (the hottest event) */
static __always_inline void query_rec_buf(struct tph_ev_query *r, struct dma_buf *d,
					  const struct query_buf *q, __u8 hook)
{
	r->buf.ino = q->ino;
	r->buf.size = q->size;
	__builtin_memset(r->buf.exp_name, 0, sizeof(r->buf.exp_name));
	if (d)
		bpf_probe_read_kernel_str(r->buf.exp_name, sizeof(r->buf.exp_name),
					  RD(rd_mode(hook), d, exp_name));
}

/* the tag and hint the query returned: the pointers in TP_PROTO read back */
static __always_inline void query_read_tag(__u64 *ctx, __u16 *st, __u8 *ph)
{
	bpf_probe_read_kernel(st, sizeof(*st), (void *)A(2));
	bpf_probe_read_kernel(ph, sizeof(*ph), (void *)A(3));
}

/*
 * The dma-buf of the query record when the exporter's event handed its
 * answer over (@h): the exporter name from the cache in @h when it holds
 * this dma-buf's, which saves the string copy (bpf_probe_read_kernel_str())
 * on every query but the first of a dma-buf on a CPU.
 */
static __always_inline void query_rec_buf_cached(struct tph_ev_query *r,
						 struct dma_buf *d,
						 const struct query_buf *q,
						 struct qhand *h, __u8 hook)
{
	__u64 *name = (__u64 *)r->buf.exp_name;
	__u32 seq;
	int i;

	if (!d)
		return query_rec_buf(r, d, q, hook);
	r->buf.ino = q->ino;
	r->buf.size = q->size;
	seq = h->name_seq;
	barrier();
	if (h->name_buf == (__u64)d && h->name_ino == q->ino) {
		for (i = 0; i < TPH_NAME_LEN / 8; i++)
			name[i] = h->name[i];
		barrier();
		if (h->name_seq == seq && h->name_buf == (__u64)d)
			return;
	}
	query_rec_buf(r, d, q, hook);
	/*
	 * Rewrite: invalidate, count, fill, and validate only if no other
	 * rewrite began meanwhile. One that slips in after that check leaves
	 * its name with its inode number, which names no other dma-buf.
	 */
	h->name_buf = 0;
	barrier();
	seq = h->name_seq + 1;
	h->name_seq = seq;
	for (i = 0; i < TPH_NAME_LEN / 8; i++)
		h->name[i] = name[i];
	h->name_ino = q->ino;
	barrier();
	if (h->name_seq == seq)
		h->name_buf = (__u64)d;
}

/*
 * The query when the exporter's event handed its answer over (@h is this
 * task's query of this dma-buf): no task state. The wrapper returns what
 * the exporter wrote (v7 1/4), which that event read with plain loads,
 * where the pointers in TP_PROTO are scalars to the verifier and cost two
 * probe reads. A straight path of its own: it is the hottest handler.
 */
static __always_inline int query_handed(__u64 *ctx, struct task_struct *t,
					struct dma_buf *d, const struct query_buf *q,
					struct qhand *h, bool extended, int ret, __u8 hook)
{
	struct tph_ev_query *r;
	__u16 st = 0;
	__u8 ph = 0;

	if (!ret && h->has_tag) {
		st = h->st;
		ph = h->ph;
	} else if (!ret) {
		query_read_tag(ctx, &st, &ph);
	}
	r = query_rec(t, extended, st, ph, ret, hook);
	if (r) {
		r->exporter = h->exporter;
		r->qflags = h->qflags;
		query_rec_buf_cached(r, d, q, h, hook);
		rec_submit(r, ret);
	}
	h->task = 0;
	return 0;
}

/* dma_buf_get_pci_tph(dmabuf, extended, *steering_tag, *ph, ret) */
static __always_inline int tp_dma_buf_get_pci_tph(__u64 *ctx, __u8 hook)
{
	struct task_struct *t = cur_task();
	struct dma_buf *d = (void *)A(0);
	struct task_state *s;
	struct tph_ev_query *r;
	bool extended = A(1);
	struct query_buf q;
	struct qhand *h;
	int ret = (int)A(4);
	__u16 st = 0;
	__u32 zero = 0;
	__u8 ph = 0;

	query_buf_read(&q, d, hook);
	if (query_handoff()) {
		h = bpf_map_lookup_elem(&qhand, &zero);
		if (h && h->task == (__u64)t && h->buf == (__u64)d)
			return query_handed(ctx, t, d, &q, h, extended, ret, hook);
	}
	if (!ret)
		query_read_tag(ctx, &st, &ph);
	s = state_get_t(t);
	/* an exporter answer handed to an earlier query is not ours */
	if (s && s->exp_buf != (__u64)d)
		s->seen &= ~TS_EXPORTER;
	query_state(s, q.ino, extended, st, ph, ret);
	r = query_rec(t, extended, st, ph, ret, hook);
	if (r) {
		query_rec_exporter(r, s);
		query_rec_buf(r, d, &q, hook);
		rec_submit(r, ret);
	}
	query_done(s);
	return 0;
}
TP_HOOKS(dma_buf_get_pci_tph)

/*
 * The exporting function of a vfio dma-buf; none once the device is gone
 * (vfio_pci_dma_buf_cleanup() clears priv->vdev).
 */
static __always_inline void read_vfio_exporter(struct tph_dev *d,
					       struct vfio_pci_dma_buf___tph *priv, int m)
{
	struct vfio_pci_core_device___tph *vdev;

	if (!bpf_core_field_exists(priv->vdev) ||
	    !bpf_core_field_exists(struct vfio_pci_core_device___tph, pdev))
		return;
	vdev = RD_PTR(m, priv, vdev);
	if (vdev)
		read_pci_dev(d, RD_PTR(hop_mode(m), vdev, pdev), hop_mode(m));
}

/* vfio_pci_tph_query(priv, extended, ret) */
static __always_inline int tp_vfio_pci_tph_query(__u64 *ctx, __u8 hook)
{
	struct vfio_pci_dma_buf___tph *priv = (void *)A(0);
	struct task_struct *t = cur_task();
	bool st_valid = false, st_ext_valid = false;
	bool has_tag = false;
	struct task_state *s;
	__u16 st = 0;
	__u8 ph = 0;
	struct tph_dev d = {};
	struct dma_buf *buf = NULL;
	struct qhand *h;
	__u32 zero = 0;

	if (priv && bpf_core_field_exists(priv->tph_st_valid) &&
	    bpf_core_field_exists(priv->tph_st_ext_valid)) {
		st_valid = RD_BITFIELD(rd_mode(hook), priv, tph_st_valid);
		st_ext_valid = RD_BITFIELD(rd_mode(hook), priv, tph_st_ext_valid);
	}
	if (priv && bpf_core_field_exists(priv->dmabuf))
		buf = RD_PTR(rd_mode(hook), priv, dmabuf);
	if (priv)
		read_vfio_exporter(&d, priv, rd_mode(hook));
	/*
	 * what it returned on success, handed to the wrapper's event below
	 * where it costs plain loads (tp_btf, fentry), not probe reads
	 */
	if (priv && !A(2) && rd_mode(hook) != RD_PROBE &&
	    bpf_core_field_exists(priv->tph_st) &&
	    bpf_core_field_exists(priv->tph_st_ext) &&
	    bpf_core_field_exists(priv->tph_ph)) {
		st = A(1) ? RD(rd_mode(hook), priv, tph_st_ext) :
			    RD(rd_mode(hook), priv, tph_st);
		ph = RD_BITFIELD(rd_mode(hook), priv, tph_ph);
		has_tag = true;
	}
	s = on_exporter_query_t(t, &d, A(1), st_valid, st_ext_valid, (int)A(2));
	if (s)
		s->exp_buf = (__u64)buf;
	if (!query_handoff())
		return 0;
	/* what the wrapper's query would do to the state (query_state) */
	if (s)
		s->seen &= ~TS_ST_WFAIL;
	h = bpf_map_lookup_elem(&qhand, &zero);
	if (h) {
		h->task = (__u64)t;
		h->buf = (__u64)buf;
		h->exporter = d;
		h->st = st;
		h->ph = ph;
		h->has_tag = has_tag;
		h->qflags = exporter_qflags(st_valid, st_ext_valid);
	}
	return 0;
}
TP_HOOKS(vfio_pci_tph_query)

/* vfio_pci_tph_set(vdev, req, dmabuf, completer, ret) */
static __always_inline int tp_vfio_pci_tph_set(__u64 *ctx, __u8 hook)
{
	struct vfio_device_feature_dma_buf_tph___tph *req = (void *)A(1);
	struct vfio_pci_core_device___tph *vdev = (void *)A(0);
	struct dma_buf *d = (void *)A(2);
	int m = rd_mode(hook);
	struct tph_dev dev = {};
	__u32 flags = 0;
	__u16 st_ext = 0;
	__u8 st = 0, ph = 0;

	if (vdev && bpf_core_field_exists(vdev->pdev))
		read_pci_dev(&dev, RD_PTR(m, vdev, pdev), hop_mode(m));
	if (req && bpf_core_type_exists(struct vfio_device_feature_dma_buf_tph___tph)) {
		flags = RD(m, req, flags);
		st = RD(m, req, steering_tag);
		st_ext = RD(m, req, steering_tag_ext);
		ph = RD(m, req, ph);
	}
	return on_publish(&dev, d ? dmabuf_ino(d, m) : 0, flags, st, st_ext, ph, A(3),
			  (int)A(4), hook);
}
TP_HOOKS(vfio_pci_tph_set)

/* The NIC of an mlx5_ib device: its IB name and its PCI function. */
static __always_inline void read_mlx5_ib_dev(struct tph_dev *d,
					     struct mlx5_ib_dev___tph *dev, int m)
{
	if (!dev || !bpf_core_field_exists(dev->ib_dev) ||
	    !bpf_core_field_exists(dev->mdev))
		return;
	dev_name(d, RD(m, dev, ib_dev.dev.kobj.name));
	read_pci_dev(d, RD_PTR(m, dev, mdev, pdev), hop_mode(m));
}

/*
 * mlx5_ib_mr_tph(dev, dmabuf, req_type, extended, source, st, st_index,
 *                ph, reason, ret)
 */
static __always_inline int tp_mlx5_ib_mr_tph(__u64 *ctx, __u8 hook)
{
	struct dma_buf *d = (void *)A(1);
	struct task_state *s = state_get_or_create();

	if (!s)
		return 0;
	__builtin_memset(&s->nic, 0, sizeof(s->nic));
	read_mlx5_ib_dev(&s->nic, (void *)A(0), rd_mode(hook));
	on_mr_decision(s, d ? dmabuf_ino(d, rd_mode(hook)) : 0, A(2), A(3), kernel_source(A(4)),
		       A(5), A(6), A(7), kernel_reason(A(8), s), (int)A(9));
	return 0;
}
TP_HOOKS(mlx5_ib_mr_tph)

/*
 * An MR argument as a plain number: the verifier allows no IS_ERR() test
 * on a tp_btf pointer argument (see fexit_ret()).
 */
static __always_inline __u64 arg_value(__u64 *ctx, int i)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &ctx[i]);
	return v;
}

/* mlx5_ib_dmabuf_mr(dev, dmabuf, mr, length, access_flags, st_index, ph) */
static __always_inline int tp_mlx5_ib_dmabuf_mr(__u64 *ctx, __u8 hook)
{
	struct task_struct *t = cur_task();
	struct task_state *s = state_get_or_create_t(t);
	struct mlx5_ib_mr___tph *mr;
	struct dma_buf *d = (void *)A(1);
	struct tph_ev_mr *r;
	__u64 v;
	int ret;

	if (!s)
		return 0;
	if (!(s->seen & TS_DECISION))
		read_mlx5_ib_dev(&s->nic, (void *)A(0), rd_mode(hook));
	v = arg_value(ctx, 2);
	ret = IS_ERR_VALUE(v) ? (int)v : 0;
	mr = ret ? NULL : (void *)v;
	/* the arguments are read once the record is there: no spills */
	r = mr_rec(t, s, hook);
	if (r) {
		r->ino = d ? dmabuf_ino(d, rd_mode(hook)) : s->ino;
		r->length = A(3);
		r->access = (int)A(4);
		r->mkey = 0;
		r->reused = 0;
		if (mr && bpf_core_field_exists(mr->mmkey))
			r->mkey = BPF_CORE_READ(mr, mmkey.key);
		if (mr && bpf_core_field_exists(mr->frmr_reused))
			r->reused = BPF_CORE_READ_BITFIELD_PROBED(mr, frmr_reused);
		r->st_index = ret ? 0 : A(5);
		r->ph = ret ? 0xff : A(6);
		r->ret = ret;
		rec_submit(r, ret);
	}
	state_drop(s);
	return 0;
}
TP_HOOKS(mlx5_ib_dmabuf_mr)

/*
 * The dma-buf under a dma-buf MR: to_ib_umem_dmabuf(mr->umem)->attach->dmabuf.
 * container_of() is a negative offset the verifier refuses for a plain
 * load of a typed pointer: from the umem on, probe reads (untyped result).
 */
static __always_inline struct dma_buf *mr_dmabuf(struct mlx5_ib_mr___tph *mr, int m)
{
	struct ib_umem_dmabuf___tph *ud;
	struct ib_umem___tph *umem;

	if (!bpf_core_field_exists(mr->umem) ||
	    !bpf_core_field_exists(struct ib_umem_dmabuf___tph, attach))
		return NULL;
	umem = RD_PTR(m, mr, umem);
	if (!umem)
		return NULL;
	ud = (void *)umem - bpf_core_field_offset(struct ib_umem_dmabuf___tph, umem);
	return BPF_CORE_READ(ud, attach, dmabuf);
}

/* mlx5_ib_dmabuf_mr_dereg(mr, st_index, pooled, ret) */
static __always_inline int tp_mlx5_ib_dmabuf_mr_dereg(__u64 *ctx, __u8 hook)
{
	struct mlx5_ib_mr___tph *mr = (void *)A(0);
	int m = rd_mode(hook);
	struct dma_buf *d = NULL;
	const char *ibdev = NULL;
	__u32 mkey = 0;

	if (!emits(TPH_EV_MR_DEREG, hook))
		return 0;
	if (mr && bpf_core_field_exists(mr->ibmr.device))
		ibdev = RD_PTR(m, mr, ibmr.device, dev.kobj.name);
	if (mr && bpf_core_field_exists(mr->mmkey))
		mkey = RD(m, mr, mmkey.key);
	if (mr)
		d = mr_dmabuf(mr, m);
	return on_mr_dereg(ibdev, mkey, d ? dmabuf_ino(d, RD_PROBE) : 0, A(1), A(2),
			   (int)A(3), hook);
}
TP_HOOKS(mlx5_ib_dmabuf_mr_dereg)

/* mlx5_st_index_{alloc,get,put}(dev, tag, st_index, idx_data, ret) */
static __always_inline int tp_st(__u64 *ctx, __u8 op, __u8 hook)
{
	struct mlx5_st_idx_data___tph *e = (void *)A(3);
	struct mlx5_core_dev___tph *dev = (void *)A(0);
	int m = rd_mode(hook);
	struct tph_dev d = {};
	struct mlx5_st___tph *st;
	__u32 refcount = 0;
	bool direct = false;
	__u16 tag = A(1);

	if (dev && bpf_core_field_exists(dev->pdev))
		read_pci_dev(&d, RD_PTR(m, dev, pdev), hop_mode(m));
	if (dev && bpf_core_field_exists(dev->st) &&
	    bpf_core_field_exists(struct mlx5_st___tph, direct_mode)) {
		st = RD_PTR(m, dev, st);
		if (st)
			direct = RD_BITFIELD(hop_mode(m), st, direct_mode);
	}
	if (e && bpf_core_type_exists(struct mlx5_st_idx_data___tph)) {
		tag = RD(m, e, tag);
		refcount = RD(m, e, usecount.refs.counter);
	}
	return on_st(op, &d, tag, A(2), refcount, direct, (int)A(4), hook);
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

/* pcie_tph_enable(pdev, mode, dev_req_type, rp_req_type, req_type, ret) */
static __always_inline int tp_pcie_tph_enable(__u64 *ctx, __u8 hook)
{
	struct pci_args a = { .op = TPH_PCI_ENABLE, .mode = A(1) & 0x7,
			      .dev_req_type = A(2), .rp_completer = A(3),
			      .req_type = A(4) };
	struct tph_dev d = {};

	read_pci_dev(&d, (void *)A(0), rd_mode(hook));
	return on_pci(&d, &a, (int)A(5), hook);
}
TP_HOOKS(pcie_tph_enable)

/* pcie_tph_disable(pdev, mode, req_type) */
static __always_inline int tp_pcie_tph_disable(__u64 *ctx, __u8 hook)
{
	struct pci_args a = { .op = TPH_PCI_DISABLE, .mode = A(1), .req_type = A(2),
			      .rp_completer = TPH_UNKNOWN_U8,
			      .dev_req_type = TPH_UNKNOWN_U8 };
	struct tph_dev d = {};

	read_pci_dev(&d, (void *)A(0), rd_mode(hook));
	return on_pci(&d, &a, 0, hook);
}
TP_HOOKS(pcie_tph_disable)

/* pcie_tph_st_write(pdev, index, tag, loc, ret) */
static __always_inline int tp_pcie_tph_st_write(__u64 *ctx, __u8 hook)
{
	struct pci_args a = { .op = TPH_PCI_ST_WRITE, .index = A(1), .tag = A(2),
			      .loc = A(3), .req_type = TPH_UNKNOWN_U8,
			      .rp_completer = TPH_UNKNOWN_U8,
			      .dev_req_type = TPH_UNKNOWN_U8 };
	struct tph_dev d = {};

	read_pci_dev(&d, (void *)A(0), rd_mode(hook));
	return on_pci(&d, &a, (int)A(4), hook);
}
TP_HOOKS(pcie_tph_st_write)

/* upstream dma_buf:* (~v7.0): (dmabuf) and (dmabuf, attach, is_dynamic, dev) */
static __always_inline int tp_dma_buf_export(__u64 *ctx, __u8 hook)
{
	return on_dmabuf(TPH_EV_DMABUF_EXPORT, (void *)A(0), rd_mode(hook), 0, hook);
}
TP_HOOKS(dma_buf_export)

static __always_inline int tp_dma_buf_dynamic_attach(__u64 *ctx, __u8 hook)
{
	return on_attach(TPH_EV_ATTACH, (void *)A(0), (void *)A(1), (void *)A(3),
			 rd_mode(hook), (bool)A(2), 0, 0, hook);
}
TP_HOOKS(dma_buf_dynamic_attach)

static __always_inline int tp_dma_buf_detach(__u64 *ctx, __u8 hook)
{
	return on_attach(TPH_EV_DETACH, (void *)A(0), (void *)A(1), (void *)A(3),
			 rd_mode(hook), (bool)A(2), 0, 0, hook);
}
TP_HOOKS(dma_buf_detach)

#undef KREASON
#undef A
#endif /* TPHTRACE_TP_BPF_H */
