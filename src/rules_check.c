// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The rule table: one entry of tph_rules[] per rule with its check function
 * right above it; docs/rules.md is the catalogue with examples. A check
 * judges one record against the model (or the model's state for RULE_STATE
 * rules) and files typed evidence. The MR's reason comes from the record as
 * the BPF side derived it over the steps of that one registration
 * (bpf/handlers.bpf.h); the rules add what only records of other tasks and
 * other times show (rules_facts.c): the published widths known from an
 * earlier SET, a device's state explaining later MRs, stale and
 * inconsistent tags.
 */
#include <errno.h>
#include <string.h>
#include "record.h"
#include "rules_impl.h"

#define VFIO_TPH_FLAGS	(M_PUB_ST | M_PUB_ST_EXT)

/* ---- helpers ------------------------------------------------------------------ */

static const struct m_buf *buf_of(const struct model *m, uint64_t ino)
{
	uint32_t i = model_find_buf(m, ino);

	return i == M_NONE ? NULL : M_BUF(m, i);
}

static const struct m_dev *dev_of(const struct model *m, uint16_t d)
{
	return d == M_NODEV ? NULL : &m->devs[d];
}

static bool mr_wants_ext(uint8_t req_type, uint8_t extended)
{
	return rules_mr_width(req_type, extended) == 16;
}

static const char *pub_of(const struct m_buf *b)
{
	return b && (b->bflags & MB_PUB_KNOWN) ? rules_pub_str(b->pub_flags) : "unknown";
}

static bool mr_rec_ok(const struct tph_ev_mr *r)
{
	return r->hdr.kind == TPH_EV_MR_REG && r->ret >= 0 && r->mkey;
}

static bool mr_tph_from_dmabuf(const struct m_mr *x)
{
	return model_mr_has_tph(x) && x->source == TPH_SRC_DMABUF;
}

static uint16_t nic_of(const struct model *m, const struct tph_ev_mr *r)
{
	return model_find_dev(m, &r->nic);
}

/*
 * The NIC's ST write failed (and TPH was torn down): an ST allocation error
 * or a disabled requester on a later MR is that failure, not a new one. This
 * judges the device's state across registrations; the reason of one
 * registration (st_write_failed when the write failed inside it) is the BPF
 * side's.
 */
static bool st_write_explains(const struct m_dev *d, uint8_t reason)
{
	if (!d)
		return false;
	return (reason == TPH_REASON_ST_ERROR && d->st_write_failed) ||
	       (reason == TPH_REASON_REQ_DISABLED && d->disabled_by_st_fail);
}

/* ---- rules ------------------------------------------------------------------- */

/* TPH001: nothing published for the MR's width, importer wanted TPH */
static void chk_not_published(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	struct finding *f;

	if (!mr_rec_ok(r) || r->source == TPH_SRC_DMAH ||
	    (r->reason != TPH_REASON_NOT_PUBLISHED && r->reason != TPH_REASON_NO_OP) ||
	    rules_mr_width_mismatch(c->m, r))	/* TPH002 */
		return;
	f = rule_emit(c, r->ino, nic_of(c->m, r), r->mkey, &r->hdr);
	fv_hex(f, "mkey", r->mkey);
	fv_str(f, "reason", tph_reason_name(r->reason));
	fv_u64(f, "width", rules_mr_width(r->req_type, r->extended));
	fv_str(f, "published", pub_of(buf_of(c->m, r->ino)));
}

/* TPH002: the exporter publishes only the other ST width */
static void chk_width(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_buf *b;
	struct finding *f;
	bool ext;

	if (!mr_rec_ok(r) || !rules_mr_width_mismatch(c->m, r))
		return;
	ext = mr_wants_ext(r->req_type, r->extended);
	b = buf_of(c->m, r->ino);
	f = rule_emit(c, r->ino, nic_of(c->m, r), r->mkey, &r->hdr);
	fv_hex(f, "mkey", r->mkey);
	fv_str(f, "req_type", tph_req_type_name(r->req_type));
	fv_u64(f, "wanted", ext ? 16 : 8);
	fv_str(f, "published", b && (b->bflags & MB_PUB_KNOWN) ? rules_pub_str(b->pub_flags) :
			       ext ? "8" : "16");
}

/* TPH003: the NIC's TPH requester is disabled */
static void chk_req_disabled(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_dev *d;
	const struct m_buf *b;
	struct finding *f;
	uint16_t nic;

	if (rec->hdr.kind == TPH_EV_PCI_TPH) {
		const struct tph_ev_pci *p = &rec->pci;

		if (p->op != TPH_PCI_ENABLE || !p->ret)
			return;
		f = rule_emit(c, 0, model_find_dev(c->m, &p->dev), 0, &p->hdr);
		fv_errno(f, "enable_ret", p->ret);
		fv_str(f, "dev_req_type", tph_req_type_name(p->dev_req_type));
		fv_str(f, "rp_completer", tph_completer_name(p->rp_completer));
		return;
	}
	if (!mr_rec_ok(&rec->mr) || rec->mr.reason != TPH_REASON_REQ_DISABLED)
		return;
	nic = nic_of(c->m, &rec->mr);
	d = dev_of(c->m, nic);
	if (st_write_explains(d, TPH_REASON_REQ_DISABLED))
		return;		/* TPH012 */
	b = buf_of(c->m, rec->mr.ino);
	/* only when the dma-buf carries a tag: plain dma-bufs need no TPH */
	if (!b || !(b->pub_flags & VFIO_TPH_FLAGS))
		return;
	f = rule_emit(c, rec->mr.ino, nic, rec->mr.mkey, &rec->hdr);
	fv_hex(f, "mkey", rec->mr.mkey);
	fv_str(f, "req_type", tph_req_type_name(rec->mr.req_type));
	fv_str(f, "published", rules_pub_str(b->pub_flags));
	fv_str(f, "rp_completer", tph_completer_name(d ? d->rp_completer : TPH_UNKNOWN_U8));
}

/* TPH004: the root port caps an extended requester to 8-bit tags */
static void chk_rp_cap(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_pci *p = &rec->pci;
	struct finding *f;

	if (p->op != TPH_PCI_ENABLE || p->ret || p->dev_req_type != TPH_REQ_EXT_TPH ||
	    p->req_type != TPH_REQ_TPH_ONLY)
		return;
	f = rule_emit(c, 0, model_find_dev(c->m, &p->dev), 0, &p->hdr);
	fv_str(f, "dev_req_type", "ext");
	fv_str(f, "req_type", "tph");
	fv_str(f, "rp_completer", tph_completer_name(p->rp_completer));
}

/* TPH005: the exporting device cannot consume TPH as a completer */
static void chk_completer(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	struct finding *f;
	bool bad;

	bad = p->ret == -EOPNOTSUPP ||
	      (!p->ret && p->completer == TPH_REQ_DISABLE && (p->flags & VFIO_TPH_FLAGS)) ||
	      (!p->ret && p->completer == TPH_REQ_TPH_ONLY && (p->flags & M_PUB_ST_EXT));
	if (!bad)
		return;
	f = rule_emit(c, p->ino, model_find_dev(c->m, &p->exporter), 0, &p->hdr);
	fv_errno(f, "ret", p->ret);
	fv_str(f, "completer", tph_completer_name(p->completer));
	fv_hex(f, "flags", p->flags);
	fv_hex(f, "st", p->st);
	fv_hex(f, "st_ext", p->st_ext);
}

/* TPH006: the NIC's ST table is full */
static void chk_st_full(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_dev *d;
	struct finding *f;
	uint16_t nic;

	if (rec->hdr.kind == TPH_EV_ST_INDEX) {
		const struct tph_ev_st *s = &rec->st;

		if (s->op != TPH_ST_ALLOC || (s->ret != -ENOSPC && s->ret != -EBUSY))
			return;
		nic = model_find_dev(c->m, &s->nic);
		d = dev_of(c->m, nic);
		f = rule_emit(c, 0, nic, 0, &s->hdr);
		fv_hex(f, "tag", s->tag);
		fv_errno(f, "ret", s->ret);
	} else {
		if (!mr_rec_ok(&rec->mr) || rec->mr.reason != TPH_REASON_ST_TABLE_FULL)
			return;
		nic = nic_of(c->m, &rec->mr);
		d = dev_of(c->m, nic);
		f = rule_emit(c, 0, nic, rec->mr.mkey, &rec->hdr);
		fv_u64(f, "ino", rec->mr.ino);
		fv_hex(f, "mkey", rec->mr.mkey);
		fv_hex(f, "tag", rec->mr.st);
		fv_errno(f, "st_ret", rec->mr.st_ret);
	}
	fv_u64(f, "used", d ? d->st_used : 0);
	fv_u64(f, "capacity", d ? rules_st_capacity(d) : 0);
}

/* TPH007: tag 0 in direct mode: PH without a steering tag */
static void chk_tag0(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_dev *d;
	struct finding *f;
	uint16_t nic;

	if (!mr_rec_ok(r))
		return;
	nic = nic_of(c->m, r);
	d = dev_of(c->m, nic);
	if (r->reason != TPH_REASON_TAG0_DIRECT &&
	    !(r->reason == TPH_REASON_OK && r->source == TPH_SRC_DMABUF &&
	      r->ph != TPH_NO_PH && !r->st && !r->st_index && d && d->st_direct == 1))
		return;
	f = rule_emit(c, r->ino, nic, r->mkey, &r->hdr);
	fv_hex(f, "mkey", r->mkey);
	fv_hex(f, "st", r->st);
	fv_u64(f, "st_index", r->st_index);
	fv_u64(f, "ph", r->ph);
}

/* TPH008: a DMAH overrides the tag the dma-buf publishes */
static void chk_dmah(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_buf *b;
	struct finding *f;

	if (!mr_rec_ok(r) || (r->source != TPH_SRC_DMAH && r->reason != TPH_REASON_DMAH))
		return;
	b = buf_of(c->m, r->ino);
	if (!b || !(b->pub_flags & VFIO_TPH_FLAGS))
		return;
	f = rule_emit(c, r->ino, nic_of(c->m, r), r->mkey, &r->hdr);
	fv_hex(f, "mkey", r->mkey);
	fv_u64(f, "dmah_st_index", r->st_index);
	fv_u64(f, "dmah_ph", r->ph);
	fv_str(f, "published", rules_pub_str(b->pub_flags));
	fv_hex(f, "pub_st", b->st);
	fv_hex(f, "pub_st_ext", b->st_ext);
	fv_u64(f, "pub_ph", b->ph);
}

/* TPH009: a SET changed the tag after MRs were registered */
static void chk_stale_set(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	const struct m_buf *b;
	const struct m_mr *x;
	struct finding *f;
	uint16_t cur = 0;
	uint32_t i;

	if (p->ret || !(b = buf_of(c->m, p->ino)))
		return;
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (!(rules_mr_stale(c->m, x) & RULES_STALE_SET))
			continue;
		f = rule_emit(c, p->ino, x->nic, x->mkey, &p->hdr);
		fv_hex(f, "mkey", x->mkey);
		fv_hex(f, "mr_st", x->st);
		fv_u64(f, "mr_ph", x->ph);
		if (model_buf_tag(b, mr_wants_ext(x->req_type, x->extended), &cur)) {
			fv_hex(f, "now_st", cur);
			fv_u64(f, "now_ph", b->ph);
		} else {
			fv_str(f, "now_st", "none");
		}
	}
}

/* TPH010: an MR with the dma-buf's tag outlives an invalidation */
static void chk_stale_inval(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_buf *b = buf_of(c->m, rec->attach.buf.ino);
	const struct m_mr *x;
	struct finding *f;
	uint32_t i;

	if (!b)
		return;
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (!(rules_mr_stale(c->m, x) & RULES_STALE_INVAL))
			continue;
		f = rule_emit(c, rec->attach.buf.ino, x->nic, x->mkey, &rec->hdr);
		fv_hex(f, "mkey", x->mkey);
		fv_hex(f, "st", x->st);
		fv_u64(f, "st_index", x->st_index);
		fv_u64(f, "ph", x->ph);
		fv_u64(f, "invalidations", b->inval_count - x->inval_count);
	}
}

/* TPH011: a reused pooled mkey keeps an ST index that no longer fits */
static void chk_stale_reuse(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct model *m = c->m;
	const struct m_dev *d;
	struct finding *f;
	uint32_t e, at;
	uint16_t nic;
	int need = -1, holds = -1;

	if (!mr_rec_ok(r) || !r->reused || r->ph == TPH_NO_PH ||
	    r->source != TPH_SRC_DMABUF)
		return;
	nic = nic_of(m, r);
	d = dev_of(m, nic);
	if (!d)
		return;
	if (d->st_direct == 1) {
		need = r->st;
	} else {
		e = model_find_st_tag(m, nic, r->st);
		if (e != M_NONE)
			need = model_st_index(m, e);
		at = model_find_st(m, nic, r->st_index);
		if (at != M_NONE)
			holds = M_ST(m, at)->tag;
	}
	if ((need < 0 || need == r->st_index) && (holds < 0 || holds == r->st))
		return;
	f = rule_emit(c, r->ino, nic, r->mkey, &r->hdr);
	fv_hex(f, "mkey", r->mkey);
	fv_hex(f, "tag", r->st);
	fv_u64(f, "st_index", r->st_index);
	fv_i64(f, "needed_index", need);
	fv_i64(f, "index_holds", holds);
}

/* TPH012: an ST entry write failed and TPH is off on the whole NIC */
static void chk_st_write(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_dev *d;
	struct finding *f;
	uint16_t nic;

	if (rec->hdr.kind == TPH_EV_PCI_TPH) {
		const struct tph_ev_pci *p = &rec->pci;

		if (p->op != TPH_PCI_ST_WRITE || !p->ret)
			return;
		f = rule_emit(c, 0, model_find_dev(c->m, &p->dev), 0, &p->hdr);
		fv_u64(f, "index", p->index);
		fv_hex(f, "tag", p->tag);
		fv_errno(f, "ret", p->ret);
		fv_u64(f, "loc", p->loc);
		return;
	}
	if (!mr_rec_ok(&rec->mr))
		return;
	nic = nic_of(c->m, &rec->mr);
	d = dev_of(c->m, nic);
	if (rec->mr.reason != TPH_REASON_ST_WRITE_FAILED && !st_write_explains(d, rec->mr.reason))
		return;
	f = rule_emit(c, 0, nic, rec->mr.mkey, &rec->hdr);
	fv_u64(f, "ino", rec->mr.ino);
	fv_hex(f, "mkey", rec->mr.mkey);
	fv_str(f, "reason", tph_reason_name(rec->mr.reason));
	fv_u64(f, "fail_index", d ? d->st_fail_index : 0);
	fv_hex(f, "fail_tag", d ? d->st_fail_tag : 0);
}

/* TPH013: SET rejected: PH out of range or undefined flag bits */
static void chk_bad_ph(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	struct finding *f;

	if (p->ret != -EINVAL || (p->ph <= 3 && !(p->flags & ~VFIO_TPH_FLAGS)))
		return;
	f = rule_emit(c, p->ino, model_find_dev(c->m, &p->exporter), 0, &p->hdr);
	fv_errno(f, "ret", p->ret);
	fv_u64(f, "ph", p->ph);
	fv_hex(f, "flags", p->flags);
}

/* TPH014: SET rejected: the dma-buf is not this VFIO device's */
static void chk_foreign(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	struct finding *f;

	if (!((p->ret == -EINVAL && p->ph <= 3 && !(p->flags & ~VFIO_TPH_FLAGS)) ||
	      p->ret == -EBADF))
		return;
	f = rule_emit(c, p->ino, model_find_dev(c->m, &p->exporter), 0, &p->hdr);
	fv_errno(f, "ret", p->ret);
	fv_u64(f, "ino", p->ino);
	fv_hex(f, "flags", p->flags);
	fv_u64(f, "ph", p->ph);
}

/* TPH015: MRs of one dma-buf carry different tags of one width */
static void chk_inconsistent(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_buf *b;
	const struct m_mr *x;
	struct finding *f;
	unsigned int width;
	uint32_t i;

	if (!mr_rec_ok(r) || r->ph == TPH_NO_PH || r->source != TPH_SRC_DMABUF ||
	    !(b = buf_of(c->m, r->ino)))
		return;
	width = rules_mr_width(r->req_type, r->extended);
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (x->mkey == r->mkey || !mr_tph_from_dmabuf(x) ||
		    rules_mr_width(x->req_type, x->extended) != width)
			continue;
		if (x->st == r->st && x->ph == r->ph)
			continue;
		f = rule_emit(c, r->ino, M_NODEV, r->mkey, &r->hdr);
		fv_u64(f, "width", width);
		fv_hex(f, "mkey", r->mkey);
		fv_hex(f, "st", r->st);
		fv_u64(f, "ph", r->ph);
		fv_hex(f, "other_mkey", x->mkey);
		fv_hex(f, "other_st", x->st);
		fv_u64(f, "other_ph", x->ph);
		return;
	}
}

/* TPH016: tphtrace lost records: findings may be incomplete */
static void chk_lost(struct rule_ctx *c, const union tph_record *rec)
{
	struct finding *f;

	if (!c->m->lost)
		return;
	f = rule_emit_state(c, c->m->lost);
	fv_u64(f, "lost", c->m->lost);
	fv_u64(f, "ringbuf", c->m->lost_ringbuf);
	fv_u64(f, "state", c->m->lost_state);
}

/* TPH017: the MR was registered before the tag was published */
static void chk_order(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	const struct m_buf *b;
	const struct m_mr *x;
	struct finding *f;
	uint16_t cur;
	uint32_t i;

	if (p->ret || !(p->flags & VFIO_TPH_FLAGS) || !(b = buf_of(c->m, p->ino)))
		return;
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (model_mr_has_tph(x) || x->pub_gen >= b->pub_gen ||
		    (x->reason != TPH_REASON_NOT_PUBLISHED &&
		     x->reason != TPH_REASON_WIDTH_MISMATCH))
			continue;
		if (!model_buf_tag(b, mr_wants_ext(x->req_type, x->extended), &cur))
			continue;
		f = rule_emit(c, p->ino, x->nic, x->mkey, &p->hdr);
		fv_hex(f, "mkey", x->mkey);
		fv_str(f, "mr_reason", tph_reason_name(x->reason));
		fv_hex(f, "now_st", cur);
		fv_u64(f, "now_ph", b->ph);
	}
}

/* TPH018: mlx5 has no steering-tag support on this NIC */
static void chk_no_st(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	struct finding *f;

	if (!mr_rec_ok(r) || r->reason != TPH_REASON_NO_ST_TABLE)
		return;
	f = rule_emit(c, 0, nic_of(c->m, r), r->mkey, &r->hdr);
	fv_u64(f, "ino", r->ino);
	fv_hex(f, "mkey", r->mkey);
	fv_hex(f, "tag", r->st);
	fv_errno(f, "st_ret", r->st_ret);
}

/*
 * An import that failed with @err: the attach or map itself, or, as the
 * attach failure is often not traced, the MR registration it failed. The
 * finding names the operation and the error; NULL when @rec is not one.
 */
static struct finding *import_failed(struct rule_ctx *c, const union tph_record *rec, int err)
{
	const struct tph_ev_attach *a = &rec->attach;
	struct finding *f;

	if (rec->hdr.kind == TPH_EV_MR_REG) {
		if (rec->mr.ret != err)
			return NULL;
		f = rule_emit(c, rec->mr.ino, nic_of(c->m, &rec->mr), 0, &rec->hdr);
		fv_str(f, "op", "mr_reg");
		fv_errno(f, "ret", rec->mr.ret);
		return f;
	}
	if (a->ret != err)
		return NULL;
	f = rule_emit(c, a->buf.ino, model_find_dev(c->m, &a->importer), 0, &a->hdr);
	fv_str(f, "op", tph_kind_name(a->hdr.kind));
	fv_errno(f, "ret", a->ret);
	return f;
}

/* TPH019: the importer is not peer-to-peer capable */
static void chk_p2p(struct rule_ctx *c, const union tph_record *rec)
{
	struct finding *f = import_failed(c, rec, -EOPNOTSUPP);

	if (f && rec->hdr.kind != TPH_EV_MR_REG) {
		fv_str(f, "p2p", rec->attach.peer2peer ? "true" : "false");
		fv_str(f, "dynamic", rec->attach.dynamic ? "true" : "false");
	}
}

/* TPH020: attach or map of a revoked dma-buf */
static void chk_revoked(struct rule_ctx *c, const union tph_record *rec)
{
	import_failed(c, rec, -ENODEV);
}

/* TPH021: the tag query or the ST allocation failed unexpectedly */
static void chk_error(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	struct finding *f;
	uint16_t nic;

	if (!mr_rec_ok(r) || (r->reason != TPH_REASON_QUERY_ERROR &&
			      r->reason != TPH_REASON_ST_ERROR))
		return;
	nic = nic_of(c->m, r);
	if (st_write_explains(dev_of(c->m, nic), r->reason))
		return;		/* TPH012 */
	f = rule_emit(c, r->ino, nic, r->mkey, &r->hdr);
	fv_hex(f, "mkey", r->mkey);
	fv_str(f, "reason", tph_reason_name(r->reason));
	fv_errno(f, "query_ret", r->query_ret);
	fv_errno(f, "st_ret", r->st_ret);
}

/* TPH022: the model's limits were reached: entries were evicted */
static void chk_evicted(struct rule_ctx *c, const union tph_record *rec)
{
	const struct model *m = c->m;
	uint64_t n = model_evictions(m);
	struct finding *f;
	int p;

	if (!n)
		return;
	f = rule_emit_state(c, n);
	for (p = 0; p < MP_MAX; p++)
		fv_u64(f, model_pool_name(p), model_evicted(m, p));
	fv_u64(f, "devices", m->devs_dropped);
}

#define K(x) RULE_KIND(TPH_EV_##x)

const struct rule tph_rules[] = {
	{ "TPH001", SEV_WARNING, "MR registered without TPH: no tag published on the dma-buf",
	  K(MR_REG), chk_not_published,
	  "publish the tag before registering the MR: VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET on "
	  "the exporting VFIO device with flags=VFIO_DMA_BUF_TPH_ST (8-bit) and/or "
	  "VFIO_DMA_BUF_TPH_ST_EXT (16-bit), the ST from the device's firmware ST table and "
	  "ph 0-3; reason no_op means the exporter has no get_tph (only vfio-pci dma-bufs "
	  "carry a tag): ignore it if this dma-buf is not meant for TPH" },
	{ "TPH002", SEV_ERROR, "Steering-tag width mismatch: only the other width is published",
	  K(MR_REG), chk_width,
	  "8-bit ST and 16-bit extended ST are separate namespaces: publish the width the NIC "
	  "requests (wanted=16: SET with flags=VFIO_DMA_BUF_TPH_ST_EXT and st_ext; wanted=8: "
	  "flags=VFIO_DMA_BUF_TPH_ST and st), or publish both; the NIC's width follows its "
	  "enabled requester type (extended needs the root port to complete extended TPH)" },
	{ "TPH003", SEV_ERROR, "NIC TPH requester disabled",
	  K(MR_REG) | K(PCI_TPH), chk_req_disabled,
	  "TPH is off for the NIC: boot without pci=notph, build with CONFIG_PCIE_TPH=y, and "
	  "make sure the root port above the NIC reports TPH completer support "
	  "(DEVCAP2 bits 13:12; rp_completer=none caps the requester to nothing); check with "
	  "'tphtrace devices' and 'lspci -vvv'" },
	{ "TPH004", SEV_WARNING, "Requester capped to 8-bit tags by the root port",
	  K(PCI_TPH), chk_rp_cap,
	  "the NIC offers extended (16-bit) TPH but its root port only completes 8-bit TPH, so "
	  "mlx5 asks for 8-bit tags: publish an 8-bit ST (flags=VFIO_DMA_BUF_TPH_ST), or move "
	  "the NIC under a root port with extended TPH completer support" },
	{ "TPH005", SEV_ERROR, "Exporting device cannot consume TPH as a completer",
	  K(TPH_PUBLISH), chk_completer,
	  "the VFIO device's DEVCAP2 TPH completer field says it ignores (or cannot take "
	  "extended) steering tags: do not publish a tag for it, publish only an 8-bit ST for "
	  "an 8-bit completer, or enable TPH completion in the device's firmware" },
	{ "TPH006", SEV_ERROR, "mlx5 steering-tag table full",
	  K(MR_REG) | K(ST_INDEX), chk_st_full,
	  "the NIC's ST table has no free entry for another distinct tag: use fewer distinct "
	  "tags (MRs with the same tag share an entry), deregister MRs whose tags are no "
	  "longer needed, or use a NIC/function with a larger ST table" },
	{ "TPH007", SEV_WARNING, "Tag 0 in direct mode: PH without a steering tag",
	  K(MR_REG), chk_tag0,
	  "in direct mode (no ST table) the tag is the index and index 0 means 'no steering "
	  "tag': the mkey gets the PH only; publish a non-zero ST for this exporter" },
	{ "TPH008", SEV_WARNING, "DMAH overrides the dma-buf's published tag",
	  K(MR_REG), chk_dmah,
	  "the MR was registered with a DMAH, which has priority over the dma-buf's tag: "
	  "register the dma-buf MR without a DMAH so the exporter's tag is used" },
	{ "TPH009", SEV_WARNING, "Stale tag after SET: MR keeps the tag it was registered with",
	  K(TPH_PUBLISH), chk_stale_set,
	  "mlx5 reads the tag once, at registration; a later SET does not reach existing "
	  "mkeys: re-register (dereg + reg) the MRs after changing the tag, or SET before "
	  "registering" },
	{ "TPH010", SEV_WARNING, "Stale tag after invalidate/revoke",
	  K(INVALIDATE), chk_stale_inval,
	  "the tag is only valid until the exporter invalidates its mappings (revoke, reset, "
	  "memory disable); the mkey keeps its ST: re-register the MR after the dma-buf is "
	  "restored so the tag is queried again" },
	{ "TPH011", SEV_WARNING, "Stale ST index after pooled-mkey reuse",
	  K(MR_REG), chk_stale_reuse,
	  "an FRMR-pool mkey was reused with an ST index that does not hold the MR's tag: "
	  "drain the mkey pool (or disable mkey caching for dma-buf MRs) after tag changes; "
	  "kernel fix: key pooled mkeys by tag and re-validate the ST index on reuse" },
	{ "TPH012", SEV_ERROR, "TPH disabled on the NIC after an ST entry write failed",
	  K(MR_REG) | K(PCI_TPH), chk_st_write,
	  "pcie_tph_set_st_entry() failed and disabled TPH on the whole function: every later "
	  "MR gets no TPH; check the ST table location/size ('tphtrace devices'), then reload "
	  "mlx5_core (or reset the function) to re-enable TPH" },
	{ "TPH013", SEV_ERROR, "SET rejected: PH out of range or undefined flag bits",
	  K(TPH_PUBLISH), chk_bad_ph,
	  "ph is a 2-bit value (0-3) and flags may only hold VFIO_DMA_BUF_TPH_ST (0x1) and "
	  "VFIO_DMA_BUF_TPH_ST_EXT (0x2); fix the SET arguments" },
	{ "TPH014", SEV_ERROR, "SET rejected: dma-buf not exported by this VFIO device",
	  K(TPH_PUBLISH), chk_foreign,
	  "VFIO_DEVICE_FEATURE_DMA_BUF_TPH only accepts a dma-buf fd exported by the same "
	  "VFIO device (VFIO_DEVICE_FEATURE_DMA_BUF): pass that fd to SET on that device" },
	{ "TPH015", SEV_WARNING, "Inconsistent tags across MRs of one dma-buf",
	  K(MR_REG), chk_inconsistent,
	  "MRs of the same dma-buf and width carry different tags because the tag changed "
	  "between registrations: SET once before handing the fd to importers, then "
	  "re-register the older MRs" },
	{ "TPH016", SEV_WARNING, "tphtrace lost records: findings may be incomplete",
	  RULE_STATE, chk_lost,
	  "the ring buffer or the per-task state map overflowed: trace fewer processes (-p), "
	  "or re-run; absent findings are not proof of absence" },
	{ "TPH017", SEV_WARNING, "MR registered before the tag was published",
	  K(TPH_PUBLISH), chk_order,
	  "SET must happen before the dma-buf fd is handed to the importer: reorder so "
	  "VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET precedes ibv_reg_dmabuf_mr(), or re-register "
	  "the MR" },
	{ "TPH018", SEV_ERROR, "mlx5 has no steering-tag support on this NIC",
	  K(MR_REG), chk_no_st,
	  "mlx5_st_create() gave up: needs firmware cap mkey_pcie_tph, a TPH capability with "
	  "Device-Specific ST mode, an ST table with >= 2 entries (or none: direct mode) and "
	  "CONFIG_PCIE_TPH=y; check 'tphtrace devices' and the firmware version" },
	{ "TPH019", SEV_ERROR, "Importer is not peer-to-peer capable (attach refused)",
	  K(ATTACH) | K(MR_REG), chk_p2p,
	  "VFIO dma-bufs are MMIO and need an importer with allow_peer2peer: use a "
	  "P2P-capable importer (mlx5 dynamic attach) and check the PCI topology (ACS, "
	  "pci_p2pdma_distance)" },
	{ "TPH020", SEV_WARNING, "Access to a revoked dma-buf",
	  K(ATTACH) | K(MAP) | K(MR_REG), chk_revoked,
	  "the exporter revoked the dma-buf (memory disabled, reset, device closed): "
	  "re-enable the device's memory or export a new dma-buf, then re-register" },
	{ "TPH021", SEV_WARNING, "Tag query or ST allocation failed unexpectedly",
	  K(MR_REG), chk_error,
	  "the errno is in query_ret/st_ret; enable mlx5_ib dynamic debug "
	  "(echo 'module mlx5_ib +p' > /sys/kernel/debug/dynamic_debug/control) for details" },
	{ "TPH022", SEV_INFO, "Model limits reached: entries were evicted",
	  RULE_STATE, chk_evicted,
	  "raise the limits (--max-dmabufs, --max-mrs, --max-attachments) so nothing is "
	  "evicted; evicted entries cannot be judged" },
};

const unsigned int tph_nrules = sizeof(tph_rules) / sizeof(tph_rules[0]);
