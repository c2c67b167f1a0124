/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One handler per logical step. Every hook variant (tp_btf, raw_tp,
 * fentry/fexit, kprobe/kretprobe) of a step calls the same handler with the
 * arguments as an array of u64 and the hook family it came from, so the
 * variants differ only in how they get their arguments.
 */
#ifndef TPHTRACE_HANDLERS_BPF_H
#define TPHTRACE_HANDLERS_BPF_H

#include "common.bpf.h"

/*
 * Family chosen for each event by user space (enum tph_hook_family). A
 * program that serves several events (a helper of the MR state machine
 * that also reports its own event) emits its record only when its family
 * is the one chosen for that record's event, so nothing is reported twice.
 */
const volatile __u8 event_family[TPH_EV_MAX];
/* mlx5_ib_reg_user_mr_dmabuf() has the struct ib_dmah *dmah argument (6.17+) */
const volatile bool reg_mr_has_dmah = true;
/* enum tph_series_shape: where the series' functions have their arguments */
const volatile __u8 series_shape;
/* the registration hooks pcie_tph_enabled_req_type() (see derive_reason) */
const volatile bool mr_req_type_hooked;

static __always_inline bool emits(__u16 kind, __u8 hook)
{
	return kind < TPH_EV_MAX && event_family[kind] == hook && !filtered();
}

/*
 * MR registrations are traced by tracepoints (patched kernels, tphsim): a
 * registration's state starts at its decision (mlx5_ib_mr_tph), which
 * carries the query and ST results itself, so steps before it (query, ST
 * index alloc) have nothing to record for it (TS_MR is never set then).
 */
static __always_inline bool mr_by_tracepoint(void)
{
	return event_family[TPH_EV_MR_REG] == TPH_HOOK_TP_BTF ||
	       event_family[TPH_EV_MR_REG] == TPH_HOOK_RAW_TP;
}

/* ---- TPH query ------------------------------------------------------- */

static __always_inline __u8 exporter_qflags(bool st_valid, bool st_ext_valid)
{
	return TPH_Q_EXPORTER_SEEN | TPH_Q_VALID_KNOWN |
	       (st_valid ? TPH_Q_ST_VALID : 0) | (st_ext_valid ? TPH_Q_ST_EXT_VALID : 0);
}

/* exporter callback: remember which namespaces are published */
static __always_inline struct task_state *on_exporter_query_t(struct task_struct *t,
							       struct tph_dev *exp,
							       bool extended, bool st_valid,
							       bool st_ext_valid, int ret)
{
	struct task_state *s = state_get_or_create_t(t);

	if (!s)
		return NULL;
	s->seen |= TS_EXPORTER;
	s->qflags = exporter_qflags(st_valid, st_ext_valid);
	s->exporter = *exp;
	return s;
}

static __always_inline void on_exporter_query(struct tph_dev *exp, bool extended,
					      bool st_valid, bool st_ext_valid, int ret)
{
	on_exporter_query_t(cur_task(), exp, extended, st_valid, st_ext_valid, ret);
}

/* The task's side of a query (@s: its state, NULL if none). */
static __always_inline void query_state(struct task_state *s, __u64 ino, bool extended,
					__u16 st, __u8 ph, int ret)
{
	if (!s)
		return;
	/* an exporter answer from an earlier query must not leak into this one */
	if (!(s->seen & TS_EXPORTER))
		s->qflags = 0;
	/* nor an ST write failure of an earlier registration */
	s->seen &= ~TS_ST_WFAIL;
	if (s->seen & TS_MR) {
		s->seen |= TS_QUERY;
		s->query_ret = ret;
		s->st = ret ? 0 : st;
		s->ph = ph;
		s->ino = ino;
		s->extended = extended;
	}
}

/*
 * Reserve the query record and fill everything but r->buf and the exporter's
 * answer, which the caller writes in place (no copy through the stack).
 * NULL: not emitted.
 */
static __always_inline struct tph_ev_query *query_rec(struct task_struct *t,
						      bool extended, __u16 st,
						      __u8 ph, int ret, __u8 hook)
{
	struct tph_ev_query *r;

	if (!emits(TPH_EV_TPH_QUERY, hook))
		return NULL;
	r = rec_reserve_t(t, sizeof(*r), TPH_EV_TPH_QUERY, hook);
	if (!r)
		return NULL;
	r->st = ret ? 0 : st;
	r->ph = ret ? 0 : ph;
	r->extended = extended;
	r->ret = ret;
	return r;
}

/* the exporter's answer of this query, as the task state has it */
static __always_inline void query_rec_exporter(struct tph_ev_query *r,
					       struct task_state *s)
{
	if (s && (s->seen & TS_EXPORTER)) {
		r->exporter = s->exporter;
		r->qflags = s->qflags;
	} else {
		__builtin_memset(&r->exporter, 0, sizeof(r->exporter));
		r->qflags = 0;
	}
}

static __always_inline void query_done(struct task_state *s)
{
	/*
	 * Keep qflags: on patched kernels the importer's decision tracepoint
	 * comes after the query and needs them to tell width mismatch from
	 * "not published". The state lives as long as the task (task storage).
	 */
	if (s)
		s->seen &= ~TS_EXPORTER;
}

static __always_inline int on_query(struct tph_buf *buf, bool extended, __u16 st,
				    __u8 ph, int ret, __u8 hook)
{
	struct task_struct *t = cur_task();
	struct task_state *s = state_get_t(t);
	struct tph_ev_query *r;

	query_state(s, buf->ino, extended, st, ph, ret);
	r = query_rec(t, extended, st, ph, ret, hook);
	if (r) {
		query_rec_exporter(r, s);
		r->buf = *buf;
		rec_submit(r, ret);
	}
	query_done(s);
	return 0;
}

/* ---- TPH publish ----------------------------------------------------- */

static __always_inline int on_publish(struct tph_dev *exp, __u64 ino, __u32 flags,
				      __u8 st, __u16 st_ext, __u8 ph,
				      __u8 completer, int ret, __u8 hook)
{
	struct tph_ev_publish *r;

	if (!emits(TPH_EV_TPH_PUBLISH, hook))
		return 0;
	r = rec_reserve(sizeof(*r), TPH_EV_TPH_PUBLISH, hook);
	if (!r)
		return 0;
	r->exporter = *exp;
	r->ino = ino;
	r->flags = flags;
	r->st = st;
	r->st_ext = st_ext;
	r->ph = ph;
	r->completer = completer;
	r->ret = ret;
	rec_submit(r, ret);
	return 0;
}

/* ---- MR registration --------------------------------------------------- */

/* Reason from the pieces a series-only kernel shows (no decision tracepoint). */
static __always_inline __u8 derive_reason(struct task_state *s)
{
	if (s->dmah)
		return TPH_REASON_DMAH;
	if ((s->seen & TS_REQ) && s->req_type != TPH_REQ_TPH_ONLY &&
	    s->req_type != TPH_REQ_EXT_TPH)
		return TPH_REASON_REQ_DISABLED;
	/*
	 * v5's get_tph_mr_dmabuf() returns before it asks for the requester
	 * type when the exporter has no get_tph (v5 4/4): a registration
	 * that succeeded without either call had no op (one that failed may
	 * have failed before). v7+ ask the wrapper, which says so itself.
	 */
	if (series_shape == TPH_SHAPE_V5 && mr_req_type_hooked &&
	    !(s->seen & (TS_REQ | TS_QUERY | TS_MR_FAILED)))
		return TPH_REASON_NO_OP;
	if (!(s->seen & TS_QUERY))
		return TPH_REASON_UNKNOWN;
	if (s->query_ret == -EOPNOTSUPP)
		return (s->qflags & TPH_Q_EXPORTER_SEEN) ? TPH_REASON_NOT_PUBLISHED :
							   TPH_REASON_NO_OP;
	if (s->query_ret)
		return TPH_REASON_QUERY_ERROR;
	if (!(s->seen & TS_ST))
		return TPH_REASON_UNKNOWN;
	if (s->st_ret == -EOPNOTSUPP)
		return TPH_REASON_NO_ST_TABLE;
	if (s->st_ret == -EBUSY || s->st_ret == -ENOSPC)
		return TPH_REASON_ST_TABLE_FULL;
	if (s->st_ret)
		return TPH_REASON_ST_ERROR;
	if (s->st_index == 0)
		return TPH_REASON_TAG0_DIRECT;
	return TPH_REASON_OK;
}

/* Sharpen what the importer alone can tell with what other steps saw. */
static __always_inline __u8 refine_reason(struct task_state *s, __u8 reason)
{
	bool other;

	if (reason == TPH_REASON_NOT_PUBLISHED && (s->qflags & TPH_Q_VALID_KNOWN)) {
		other = s->extended ? (s->qflags & TPH_Q_ST_VALID) :
				      (s->qflags & TPH_Q_ST_EXT_VALID);
		if (other)
			return TPH_REASON_WIDTH_MISMATCH;
	}
	if (reason == TPH_REASON_ST_ERROR && (s->seen & TS_ST_WFAIL))
		return TPH_REASON_ST_WRITE_FAILED;
	return reason;
}

/*
 * patched kernel: mlx5_ib_mr_tph (the decision), @reason and @source in
 * tphtrace's terms; the caller has put the NIC in s->nic
 */
static __always_inline void on_mr_decision(struct task_state *s, __u64 ino,
					   __u8 req_type, bool extended,
					   __u8 source, __u16 st, __u16 st_index,
					   __u8 ph, __u8 reason, int ret)
{
	s->seen |= TS_DECISION | TS_MR | TS_REQ;
	s->ino = ino;
	s->req_type = req_type;
	s->extended = extended;
	s->source = source;
	s->st = st;
	s->st_index = st_index;
	s->ph = ph;
	s->reason = reason;
	/* @ret is the errno of the step that failed: attribute it */
	s->query_ret = 0;
	s->st_ret = 0;
	switch (reason) {
	case TPH_REASON_NO_OP:
	case TPH_REASON_NOT_PUBLISHED:
	case TPH_REASON_QUERY_ERROR:
		s->query_ret = ret;
		s->seen |= TS_QUERY;
		break;
	case TPH_REASON_NO_ST_TABLE:
	case TPH_REASON_ST_TABLE_FULL:
	case TPH_REASON_ST_ERROR:
		s->st_ret = ret;
		s->seen |= TS_QUERY | TS_ST;
		break;
	case TPH_REASON_OK:
	case TPH_REASON_TAG0_DIRECT:
		s->seen |= TS_QUERY | TS_ST;
		break;
	default:
		break;
	}
}

/* series-only kernel: registration entry */
static __always_inline void on_mr_enter(struct ib_pd___tph *pd, __u64 length, int fd,
					int access, bool dmah)
{
	struct task_state *s = state_get_or_create();

	if (!s)
		return;
	__builtin_memset(s, 0, sizeof(*s));
	s->seen = TS_MR;
	s->fd = fd;
	s->length = length;
	s->access = access;
	s->dmah = dmah;
	s->req_type = TPH_UNKNOWN_U8;
	if (pd && bpf_core_field_exists(pd->device) &&
	    bpf_core_field_exists(pd->device->dev))
		dev_name(&s->nic, BPF_CORE_READ(pd, device, dev.kobj.name));
}

/*
 * Reserve the MR record of task @t and fill what the task state knows
 * (reason, NIC, tag, requester, source, step results); the caller writes
 * the registration's own fields and submits. NULL: not emitted.
 */
static __always_inline struct tph_ev_mr *mr_rec(struct task_struct *t,
						struct task_state *s, __u8 hook)
{
	struct tph_ev_mr *r;
	__u8 reason;

	if (!emits(TPH_EV_MR_REG, hook))
		return NULL;
	r = rec_reserve_t(t, sizeof(*r), TPH_EV_MR_REG, hook);
	if (!r)
		return NULL;
	reason = (s->seen & TS_DECISION) ? s->reason : derive_reason(s);
	r->reason = refine_reason(s, reason);
	r->nic = s->nic;
	r->st = s->st;
	r->req_type = s->req_type;
	r->extended = s->extended;
	if (s->seen & TS_DECISION)
		r->source = s->source;
	else
		r->source = s->dmah ? TPH_SRC_DMAH :
			    (r->reason == TPH_REASON_OK ||
			     r->reason == TPH_REASON_TAG0_DIRECT) ? TPH_SRC_DMABUF :
								    TPH_SRC_NONE;
	r->query_ret = (s->seen & TS_QUERY) ? s->query_ret : 0;
	r->st_ret = (s->seen & TS_ST) ? s->st_ret : 0;
	return r;
}

/* Emit the MR record of task @t; @mkey 0 and @ret < 0 on failure. */
static __always_inline void emit_mr_t(struct task_struct *t, struct task_state *s,
				      __u32 mkey, __u64 ino, __u64 length, int access,
				      __u16 st_index, __u8 ph, bool reused, int ret,
				      __u8 hook)
{
	struct tph_ev_mr *r = mr_rec(t, s, hook);

	if (!r)
		return;
	r->ino = ino ? ino : s->ino;
	r->length = length;
	r->mkey = mkey;
	r->access = access;
	r->st_index = st_index;
	r->ph = ph;
	r->reused = reused;
	r->ret = ret;
	rec_submit(r, ret);
}

static __always_inline void emit_mr(struct task_state *s, __u32 mkey, __u64 ino,
				    __u64 length, int access, __u16 st_index,
				    __u8 ph, bool reused, int ret, __u8 hook)
{
	emit_mr_t(cur_task(), s, mkey, ino, length, access, st_index, ph, reused, ret,
		  hook);
}

static __always_inline int on_mr_dereg(const char *ibdev, __u32 mkey, __u64 ino,
				       __u16 st_index, bool pooled, int ret, __u8 hook)
{
	struct tph_ev_mr_dereg *r;

	if (!emits(TPH_EV_MR_DEREG, hook))
		return 0;
	r = rec_reserve(sizeof(*r), TPH_EV_MR_DEREG, hook);
	if (!r)
		return 0;
	__builtin_memset(&r->nic, 0, sizeof(r->nic));
	dev_name(&r->nic, ibdev);
	r->ino = ino;
	r->mkey = mkey;
	r->st_index = st_index;
	r->pooled = pooled;
	r->ret = ret;
	rec_submit(r, ret);
	return 0;
}

/* ---- ST index table ---------------------------------------------------- */

static __always_inline int on_st(__u8 op, struct tph_dev *nic, __u16 tag, __u16 idx,
				 __u32 refcount, bool direct, int ret, __u8 hook)
{
	struct task_struct *t = cur_task();
	struct task_state *s;
	struct tph_ev_st *r;

	if (op == TPH_ST_ALLOC && !mr_by_tracepoint()) {
		s = state_get_t(t);
		if (s && (s->seen & TS_MR)) {
			s->seen |= TS_ST;
			s->st_ret = ret;
			s->st_index = ret ? 0 : idx;
			s->direct = direct;
		}
	}
	if (!emits(TPH_EV_ST_INDEX, hook))
		return 0;
	r = rec_reserve_t(t, sizeof(*r), TPH_EV_ST_INDEX, hook);
	if (!r)
		return 0;
	r->nic = *nic;
	r->op = op;
	r->tag = tag;
	r->st_index = idx;
	r->refcount = refcount;
	r->direct = direct;
	r->ret = ret;
	rec_submit(r, ret);
	return 0;
}

/* ---- PCI TPH ----------------------------------------------------------- */

struct pci_args {
	__u8 op;
	__u8 mode;
	__u8 req_type;
	__u8 dev_req_type;
	__u8 rp_completer;
	__u16 tag;
	__u32 index;
	__u32 loc;
};

static __always_inline int on_pci(struct tph_dev *dev, struct pci_args *a, int ret,
				  __u8 hook)
{
	struct task_state *s;
	struct tph_ev_pci *r;

	/*
	 * A failed ST write inside a registration comes before its decision
	 * tracepoint (patched kernels) or its fexit (series-only): remember it
	 * for this task; the task's next query starts a new registration.
	 */
	if (a->op == TPH_PCI_ST_WRITE && ret) {
		s = state_get_or_create();
		if (s)
			s->seen |= TS_ST_WFAIL;
	}
	if (!emits(TPH_EV_PCI_TPH, hook))
		return 0;
	r = rec_reserve(sizeof(*r), TPH_EV_PCI_TPH, hook);
	if (!r)
		return 0;
	r->dev = *dev;
	r->op = a->op;
	r->mode = a->mode;
	r->req_type = a->req_type;
	r->dev_req_type = a->dev_req_type;
	r->rp_completer = a->rp_completer;
	r->index = a->index;
	r->tag = a->tag;
	r->loc = a->loc;
	r->ret = ret;
	r->st_entries = 0;	/* the hooks do not read the table size yet */
	rec_submit(r, ret);
	return 0;
}

/* ---- dma-buf lifetime and attachments ---------------------------------- */

/* M: how @d may be read (bpf/core.bpf.h, RD()) */
static __always_inline int on_dmabuf(__u16 kind, struct dma_buf *d, int m, int ret,
				     __u8 hook)
{
	struct tph_ev_dmabuf *r;

	if (!emits(kind, hook))
		return 0;
	r = rec_reserve(sizeof(*r), kind, hook);
	if (!r)
		return 0;
	__builtin_memset(&r->buf, 0, sizeof(r->buf));
	read_buf(&r->buf, d, m);
	read_buf_name(r->name, sizeof(r->name), d, m);
	r->ret = ret;
	rec_submit(r, ret);
	return 0;
}

/* M: how @d, @a and @dev may be read (bpf/core.bpf.h, RD()) */
static __always_inline int on_attach(__u16 kind, struct dma_buf *d,
				     struct dma_buf_attachment *a,
				     struct device *dev, int m, int dynamic,
				     __u8 dir, int ret, __u8 hook)
{
	int dm = m, devm = m;
	struct tph_ev_attach *r;

	if (!emits(kind, hook))
		return 0;
	r = rec_reserve(sizeof(*r), kind, hook);
	if (!r)
		return 0;
	__builtin_memset(&r->buf, 0, sizeof(r->buf));
	__builtin_memset(&r->importer, 0, sizeof(r->importer));
	if (!d && a) {
		d = RD_PTR(m, a, dmabuf);
		dm = hop_mode(m);
	}
	if (!dev && a) {
		dev = RD_PTR(m, a, dev);
		devm = hop_mode(m);
	}
	read_buf(&r->buf, d, dm);
	read_device_name(&r->importer, dev, devm);
	r->attach = (__u64)a;
	r->peer2peer = a ? RD(m, a, peer2peer) : 0;
	if (dynamic < 0)
		dynamic = a && RD_PTR(m, a, importer_ops);
	r->dynamic = dynamic;
	r->dir = dir;
	r->ret = ret;
	rec_submit(r, ret);
	return 0;
}

#endif /* TPHTRACE_HANDLERS_BPF_H */
