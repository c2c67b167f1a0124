// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The rule table and the findings store. Every rule is one entry of
 * tph_rules[] with its check function right above it; the catalogue with
 * examples is docs/rules.md. E-numbers refer to the misconfiguration list
 * of the research notes (tph-series.md, section E).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define VFIO_TPH_FLAGS	(M_PUB_ST | M_PUB_ST_EXT)

struct rule_ctx {
	struct rules *rs;
	const struct model *m;
	uint16_t rule;
};

const char *rule_sev_name(enum rule_sev sev)
{
	static const char *const n[SEV_MAX] = { "info", "warning", "error" };

	return sev < SEV_MAX ? n[sev] : "?";
}

/* ---- findings store --------------------------------------------------------- */

static uint64_t finding_key(uint16_t rule, uint64_t ino, uint16_t dev)
{
	/* dma-buf inodes come from get_next_ino(): 32 bits */
	return (uint64_t)rule << 48 | (uint64_t)dev << 32 |
	       ((ino ^ (ino >> 32)) & 0xffffffffull);
}

/*
 * Record a finding of the current rule keyed by (@ino, @dev); @h (may be
 * NULL) names the process. Returns the finding, or NULL when the store is
 * full. A repeat only counts: the first evidence is kept.
 */
static struct finding *emit(struct rule_ctx *c, uint64_t ino, uint16_t dev,
			    uint32_t mkey, const struct tph_hdr *h,
			    const char *fmt, ...)
{
	struct rules *rs = c->rs;
	const struct model *m = c->m;
	uint64_t key = finding_key(c->rule, ino, dev);
	uint64_t ts = h ? h->ts_ns : m->last_ns;
	struct finding *f;
	uint32_t i, bi;
	va_list ap;

	i = oa_find(&rs->ix, key);
	if (i != M_NONE) {
		f = &rs->f[i];
		f->count++;
		if (ts > f->last_ns)
			f->last_ns = ts;
		return f;
	}
	if (rs->n >= rs->cap) {
		rs->dropped++;
		return NULL;
	}
	i = rs->n++;
	f = &rs->f[i];
	memset(f, 0, sizeof(*f));
	rs->keys[i] = key;
	oa_insert(&rs->ix, key, i);
	f->rule = c->rule;
	f->dev = dev;
	f->ino = ino;
	f->mkey = mkey;
	f->count = 1;
	f->first_ns = f->last_ns = ts;
	if (h) {
		f->tgid = h->tgid;
		memcpy(f->comm, h->comm, TPH_COMM_LEN);
		f->comm[TPH_COMM_LEN - 1] = '\0';
	}
	bi = model_find_buf(m, ino);
	if (bi != M_NONE) {
		const struct m_buf *b = M_BUF(m, bi);

		memcpy(f->exp_name, b->exp_name, TPH_NAME_LEN);
		if (b->exporter != M_NODEV)
			model_dev_str(m, b->exporter, f->exporter, sizeof(f->exporter));
	}
	if (dev != M_NODEV)
		model_dev_str(m, dev, f->device, sizeof(f->device));
	va_start(ap, fmt);
	vsnprintf(f->values, sizeof(f->values), fmt, ap);
	va_end(ap);
	rs->by_sev[tph_rules[c->rule].sev]++;
	return f;
}

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

static bool ext_of(uint8_t req_type, uint8_t extended)
{
	if (req_type == TPH_REQ_EXT_TPH)
		return true;
	if (req_type == TPH_REQ_TPH_ONLY)
		return false;
	return extended;
}

static const char *pub_str(uint8_t pub_flags)
{
	switch (pub_flags & VFIO_TPH_FLAGS) {
	case M_PUB_ST:
		return "8";
	case M_PUB_ST_EXT:
		return "16";
	case M_PUB_ST | M_PUB_ST_EXT:
		return "8+16";
	default:
		return "none";
	}
}

static const char *completer_str(uint8_t c)
{
	switch (c) {
	case TPH_REQ_DISABLE:
		return "none";
	case TPH_REQ_TPH_ONLY:
		return "tph";
	case TPH_REQ_EXT_TPH:
		return "ext";
	case TPH_UNKNOWN_U8:
		return "unknown";
	default:
		return "reserved";
	}
}

/* the other width is published but not the one the MR asked for */
static bool only_other_width(const struct m_buf *b, bool ext)
{
	if (!b || !(b->bflags & MB_PUB_KNOWN))
		return false;
	return ext ? (b->pub_flags & M_PUB_ST) && !(b->pub_flags & M_PUB_ST_EXT) :
		     (b->pub_flags & M_PUB_ST_EXT) && !(b->pub_flags & M_PUB_ST);
}

static bool mr_rec_ok(const struct tph_ev_mr *r)
{
	return r->hdr.kind == TPH_EV_MR_REG && r->ret >= 0 && r->mkey;
}

static bool mr_tph_from_dmabuf(const struct m_mr *x)
{
	return x->ph != TPH_NO_PH && x->source == TPH_SRC_DMABUF;
}

static uint16_t nic_of(const struct model *m, const struct tph_ev_mr *r)
{
	return model_find_dev(m, &r->nic);
}

/*
 * The NIC's ST write failed (and TPH was torn down): an ST allocation error
 * or a disabled requester on a later MR is that failure, not a new one.
 * The kernel reports st_error when the BPF side could not tie the failed
 * write to the registration.
 */
static bool st_write_explains(const struct m_dev *d, uint8_t reason)
{
	if (!d)
		return false;
	return (reason == TPH_REASON_ST_ERROR && d->st_write_failed) ||
	       (reason == TPH_REASON_REQ_DISABLED && d->disabled_by_st_fail);
}

/* ---- rules ------------------------------------------------------------------- */

/* TPH001 (E1): nothing published for the MR's width, importer wanted TPH */
static void chk_not_published(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_buf *b;

	if (!mr_rec_ok(r) || r->source == TPH_SRC_DMAH ||
	    (r->reason != TPH_REASON_NOT_PUBLISHED && r->reason != TPH_REASON_NO_OP))
		return;
	b = buf_of(c->m, r->ino);
	if (r->reason == TPH_REASON_NOT_PUBLISHED &&
	    only_other_width(b, ext_of(r->req_type, r->extended)))
		return;		/* TPH002 */
	emit(c, r->ino, nic_of(c->m, r), r->mkey, &r->hdr,
	     "mkey=0x%x reason=%s width=%u published=%s", r->mkey,
	     tph_reason_name(r->reason), ext_of(r->req_type, r->extended) ? 16 : 8,
	     b && (b->bflags & MB_PUB_KNOWN) ? pub_str(b->pub_flags) : "unknown");
}

/* TPH002 (E2): the exporter publishes only the other ST width */
static void chk_width(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_buf *b;
	bool ext;

	if (!mr_rec_ok(r))
		return;
	ext = ext_of(r->req_type, r->extended);
	b = buf_of(c->m, r->ino);
	if (r->reason != TPH_REASON_WIDTH_MISMATCH &&
	    !(r->reason == TPH_REASON_NOT_PUBLISHED && r->source != TPH_SRC_DMAH &&
	      only_other_width(b, ext)))
		return;
	emit(c, r->ino, nic_of(c->m, r), r->mkey, &r->hdr,
	     "mkey=0x%x req_type=%s wanted=%u published=%s", r->mkey,
	     tph_req_type_name(r->req_type), ext ? 16 : 8,
	     b && (b->bflags & MB_PUB_KNOWN) ? pub_str(b->pub_flags) :
	     (ext ? "8" : "16"));
}

/* TPH003 (E3, E4): the NIC's TPH requester is disabled */
static void chk_req_disabled(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_dev *d;
	const struct m_buf *b;
	uint16_t nic;

	if (rec->hdr.kind == TPH_EV_PCI_TPH) {
		const struct tph_ev_pci *p = &rec->pci;

		if (p->op != TPH_PCI_ENABLE || !p->ret)
			return;
		emit(c, 0, model_find_dev(c->m, &p->dev), 0, &p->hdr,
		     "enable_ret=%d dev_req_type=%s rp_completer=%s", p->ret,
		     tph_req_type_name(p->dev_req_type), completer_str(p->rp_completer));
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
	emit(c, rec->mr.ino, nic, rec->mr.mkey, &rec->hdr,
	     "mkey=0x%x req_type=%s published=%s rp_completer=%s", rec->mr.mkey,
	     tph_req_type_name(rec->mr.req_type), pub_str(b->pub_flags),
	     completer_str(d ? d->rp_completer : TPH_UNKNOWN_U8));
}

/* TPH004 (E3): the root port caps an extended requester to 8-bit tags */
static void chk_rp_cap(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_pci *p = &rec->pci;

	if (p->op != TPH_PCI_ENABLE || p->ret || p->dev_req_type != TPH_REQ_EXT_TPH ||
	    p->req_type != TPH_REQ_TPH_ONLY)
		return;
	emit(c, 0, model_find_dev(c->m, &p->dev), 0, &p->hdr,
	     "dev_req_type=ext req_type=tph rp_completer=%s",
	     completer_str(p->rp_completer));
}

/* TPH005 (E12): the exporting device cannot consume TPH as a completer */
static void chk_completer(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	bool bad;

	bad = p->ret == -EOPNOTSUPP ||
	      (!p->ret && p->completer == TPH_REQ_DISABLE && (p->flags & VFIO_TPH_FLAGS)) ||
	      (!p->ret && p->completer == TPH_REQ_TPH_ONLY && (p->flags & M_PUB_ST_EXT));
	if (!bad)
		return;
	emit(c, p->ino, model_find_dev(c->m, &p->exporter), 0, &p->hdr,
	     "ret=%d completer=%s flags=0x%x st=0x%x st_ext=0x%x", p->ret,
	     completer_str(p->completer), p->flags, p->st, p->st_ext);
}

/* TPH006 (E6): the NIC's ST table is full */
static void chk_st_full(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_dev *d;
	uint16_t nic;

	if (rec->hdr.kind == TPH_EV_ST_INDEX) {
		const struct tph_ev_st *s = &rec->st;

		if (s->op != TPH_ST_ALLOC || (s->ret != -ENOSPC && s->ret != -EBUSY))
			return;
		nic = model_find_dev(c->m, &s->nic);
		d = dev_of(c->m, nic);
		emit(c, 0, nic, 0, &s->hdr, "tag=0x%x ret=%d used=%u capacity=%u",
		     s->tag, s->ret, d ? d->st_used : 0, d ? d->st_capacity : 0);
		return;
	}
	if (!mr_rec_ok(&rec->mr) || rec->mr.reason != TPH_REASON_ST_TABLE_FULL)
		return;
	nic = nic_of(c->m, &rec->mr);
	d = dev_of(c->m, nic);
	emit(c, 0, nic, rec->mr.mkey, &rec->hdr,
	     "ino=%" PRIu64 " mkey=0x%x tag=0x%x st_ret=%d used=%u capacity=%u",
	     (uint64_t)rec->mr.ino, rec->mr.mkey, rec->mr.st, rec->mr.st_ret,
	     d ? d->st_used : 0, d ? d->st_capacity : 0);
}

/* TPH007 (E7): tag 0 in direct mode: PH without a steering tag */
static void chk_tag0(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_dev *d;
	uint16_t nic;

	if (!mr_rec_ok(r))
		return;
	nic = nic_of(c->m, r);
	d = dev_of(c->m, nic);
	if (r->reason != TPH_REASON_TAG0_DIRECT &&
	    !(r->reason == TPH_REASON_OK && r->source == TPH_SRC_DMABUF &&
	      r->ph != TPH_NO_PH && !r->st && !r->st_index && d && d->st_direct == 1))
		return;
	emit(c, r->ino, nic, r->mkey, &r->hdr, "mkey=0x%x st=0x%x st_index=%u ph=%u",
	     r->mkey, r->st, r->st_index, r->ph);
}

/* TPH008 (E9): a DMAH overrides the tag the dma-buf publishes */
static void chk_dmah(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_buf *b;

	if (!mr_rec_ok(r) || (r->source != TPH_SRC_DMAH && r->reason != TPH_REASON_DMAH))
		return;
	b = buf_of(c->m, r->ino);
	if (!b || !(b->pub_flags & VFIO_TPH_FLAGS))
		return;
	emit(c, r->ino, nic_of(c->m, r), r->mkey, &r->hdr,
	     "mkey=0x%x dmah_st_index=%u dmah_ph=%u published=%s pub_st=0x%x pub_st_ext=0x%x pub_ph=%u",
	     r->mkey, r->st_index, r->ph, pub_str(b->pub_flags), b->st, b->st_ext, b->ph);
}

/* TPH009 (E10): a SET changed the tag after MRs were registered */
static void chk_stale_set(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	const struct m_buf *b;
	const struct m_mr *x;
	uint16_t cur = 0;
	uint32_t i;
	bool have;

	if (p->ret || !(b = buf_of(c->m, p->ino)))
		return;
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (!mr_tph_from_dmabuf(x) || x->pub_gen >= b->pub_gen)
			continue;
		have = model_buf_tag(b, ext_of(x->req_type, x->extended), &cur);
		if (have && cur == x->st && b->ph == x->ph)
			continue;
		if (have)
			emit(c, p->ino, x->nic, x->mkey, &p->hdr,
			     "mkey=0x%x mr_st=0x%x mr_ph=%u now_st=0x%x now_ph=%u", x->mkey,
			     x->st, x->ph, cur, b->ph);
		else
			emit(c, p->ino, x->nic, x->mkey, &p->hdr,
			     "mkey=0x%x mr_st=0x%x mr_ph=%u now_st=none", x->mkey, x->st,
			     x->ph);
	}
}

/* TPH010 (E10): an MR with the dma-buf's tag outlives an invalidation */
static void chk_stale_inval(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_buf *b = buf_of(c->m, rec->attach.buf.ino);
	const struct m_mr *x;
	uint32_t i;

	if (!b)
		return;
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (!mr_tph_from_dmabuf(x) || x->inval_count >= b->inval_count)
			continue;
		emit(c, rec->attach.buf.ino, x->nic, x->mkey, &rec->hdr,
		     "mkey=0x%x st=0x%x st_index=%u ph=%u invalidations=%u", x->mkey,
		     x->st, x->st_index, x->ph, b->inval_count - x->inval_count);
	}
}

/* TPH011 (E10): a reused pooled mkey keeps an ST index that no longer fits */
static void chk_stale_reuse(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct model *m = c->m;
	const struct m_dev *d;
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
	emit(c, r->ino, nic, r->mkey, &r->hdr,
	     "mkey=0x%x tag=0x%x st_index=%u needed_index=%d index_holds=%d", r->mkey,
	     r->st, r->st_index, need, holds);
}

/* TPH012 (E15): an ST entry write failed and TPH is off on the whole NIC */
static void chk_st_write(struct rule_ctx *c, const union tph_record *rec)
{
	const struct m_dev *d;
	uint16_t nic;

	if (rec->hdr.kind == TPH_EV_PCI_TPH) {
		const struct tph_ev_pci *p = &rec->pci;

		if (p->op != TPH_PCI_ST_WRITE || !p->ret)
			return;
		emit(c, 0, model_find_dev(c->m, &p->dev), 0, &p->hdr,
		     "index=%u tag=0x%x ret=%d loc=%u", p->index, p->tag, p->ret, p->loc);
		return;
	}
	if (!mr_rec_ok(&rec->mr))
		return;
	nic = nic_of(c->m, &rec->mr);
	d = dev_of(c->m, nic);
	if (rec->mr.reason != TPH_REASON_ST_WRITE_FAILED && !st_write_explains(d, rec->mr.reason))
		return;
	emit(c, 0, nic, rec->mr.mkey, &rec->hdr,
	     "ino=%" PRIu64 " mkey=0x%x reason=%s fail_index=%u fail_tag=0x%x",
	     (uint64_t)rec->mr.ino, rec->mr.mkey, tph_reason_name(rec->mr.reason),
	     d ? d->st_fail_index : 0, d ? d->st_fail_tag : 0);
}

/* TPH013 (E8): SET rejected: PH out of range or undefined flag bits */
static void chk_bad_ph(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;

	if (p->ret != -EINVAL || (p->ph <= 3 && !(p->flags & ~VFIO_TPH_FLAGS)))
		return;
	emit(c, p->ino, model_find_dev(c->m, &p->exporter), 0, &p->hdr,
	     "ret=%d ph=%u flags=0x%x", p->ret, p->ph, p->flags);
}

/* TPH014 (E11): SET rejected: the dma-buf is not this VFIO device's */
static void chk_foreign(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;

	if (!((p->ret == -EINVAL && p->ph <= 3 && !(p->flags & ~VFIO_TPH_FLAGS)) ||
	      p->ret == -EBADF))
		return;
	emit(c, p->ino, model_find_dev(c->m, &p->exporter), 0, &p->hdr,
	     "ret=%d ino=%" PRIu64 " flags=0x%x ph=%u", p->ret, (uint64_t)p->ino,
	     p->flags, p->ph);
}

/* TPH015 (E10, E13): MRs of one dma-buf carry different tags of one width */
static void chk_inconsistent(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;
	const struct m_buf *b;
	const struct m_mr *x;
	bool ext;
	uint32_t i;

	if (!mr_rec_ok(r) || r->ph == TPH_NO_PH || r->source != TPH_SRC_DMABUF ||
	    !(b = buf_of(c->m, r->ino)))
		return;
	ext = ext_of(r->req_type, r->extended);
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (x->mkey == r->mkey || !mr_tph_from_dmabuf(x) ||
		    ext_of(x->req_type, x->extended) != ext)
			continue;
		if (x->st == r->st && x->ph == r->ph)
			continue;
		emit(c, r->ino, M_NODEV, r->mkey, &r->hdr,
		     "width=%u mkey=0x%x st=0x%x ph=%u other_mkey=0x%x other_st=0x%x other_ph=%u",
		     ext ? 16 : 8, r->mkey, r->st, r->ph, x->mkey, x->st, x->ph);
		return;
	}
}

/* TPH016: tphtrace lost records: findings may be incomplete */
static void chk_lost(struct rule_ctx *c, const union tph_record *rec)
{
	struct finding *f;

	if (!c->m->lost)
		return;
	f = emit(c, 0, M_NODEV, 0, NULL, "lost=%" PRIu64 " ringbuf=%" PRIu64
		 " state=%" PRIu64, c->m->lost, c->m->lost_ringbuf, c->m->lost_state);
	if (f) {
		f->count = c->m->lost;
		snprintf(f->values, sizeof(f->values), "lost=%" PRIu64 " ringbuf=%" PRIu64
			 " state=%" PRIu64, c->m->lost, c->m->lost_ringbuf,
			 c->m->lost_state);
	}
}

/* TPH017 (E13): the MR was registered before the tag was published */
static void chk_order(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_publish *p = &rec->publish;
	const struct m_buf *b;
	const struct m_mr *x;
	uint16_t cur;
	uint32_t i;

	if (p->ret || !(p->flags & VFIO_TPH_FLAGS) || !(b = buf_of(c->m, p->ino)))
		return;
	for (i = b->mr_head; i != M_NONE; i = x->next) {
		x = M_MR(c->m, i);
		if (x->ph != TPH_NO_PH || x->pub_gen >= b->pub_gen ||
		    (x->reason != TPH_REASON_NOT_PUBLISHED &&
		     x->reason != TPH_REASON_WIDTH_MISMATCH))
			continue;
		if (!model_buf_tag(b, ext_of(x->req_type, x->extended), &cur))
			continue;
		emit(c, p->ino, x->nic, x->mkey, &p->hdr,
		     "mkey=0x%x mr_reason=%s now_st=0x%x now_ph=%u", x->mkey,
		     tph_reason_name(x->reason), cur, b->ph);
	}
}

/* TPH018 (E5, E14): mlx5 has no steering-tag support on this NIC */
static void chk_no_st(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;

	if (!mr_rec_ok(r) || r->reason != TPH_REASON_NO_ST_TABLE)
		return;
	emit(c, 0, nic_of(c->m, r), r->mkey, &r->hdr,
	     "ino=%" PRIu64 " mkey=0x%x tag=0x%x st_ret=%d", (uint64_t)r->ino, r->mkey,
	     r->st, r->st_ret);
}

/* TPH019 (E11): the importer is not peer-to-peer capable */
static void chk_p2p(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_attach *a = &rec->attach;

	/* the attach failure itself is often not traced: the MR's is */
	if (rec->hdr.kind == TPH_EV_MR_REG) {
		if (rec->mr.ret != -EOPNOTSUPP)
			return;
		emit(c, rec->mr.ino, nic_of(c->m, &rec->mr), 0, &rec->hdr,
		     "op=mr_reg ret=%d", rec->mr.ret);
		return;
	}
	if (a->ret != -EOPNOTSUPP)
		return;
	emit(c, a->buf.ino, model_find_dev(c->m, &a->importer), 0, &a->hdr,
	     "ret=%d p2p=%s dynamic=%s", a->ret, a->peer2peer ? "true" : "false",
	     a->dynamic ? "true" : "false");
}

/* TPH020 (E11): attach or map of a revoked dma-buf */
static void chk_revoked(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_attach *a = &rec->attach;

	if (rec->hdr.kind == TPH_EV_MR_REG) {
		if (rec->mr.ret != -ENODEV)
			return;
		emit(c, rec->mr.ino, nic_of(c->m, &rec->mr), 0, &rec->hdr,
		     "op=mr_reg ret=%d", rec->mr.ret);
		return;
	}
	if (a->ret != -ENODEV)
		return;
	emit(c, a->buf.ino, model_find_dev(c->m, &a->importer), 0, &a->hdr,
	     "op=%s ret=%d", tph_kind_name(a->hdr.kind), a->ret);
}

/* TPH021: the tag query or the ST allocation failed unexpectedly */
static void chk_error(struct rule_ctx *c, const union tph_record *rec)
{
	const struct tph_ev_mr *r = &rec->mr;

	uint16_t nic;

	if (!mr_rec_ok(r) || (r->reason != TPH_REASON_QUERY_ERROR &&
			      r->reason != TPH_REASON_ST_ERROR))
		return;
	nic = nic_of(c->m, r);
	if (st_write_explains(dev_of(c->m, nic), r->reason))
		return;		/* TPH012 */
	emit(c, r->ino, nic, r->mkey, &r->hdr,
	     "mkey=0x%x reason=%s query_ret=%d st_ret=%d", r->mkey,
	     tph_reason_name(r->reason), r->query_ret, r->st_ret);
}

/* TPH022: the model's limits were reached: entries were evicted */
static void chk_evicted(struct rule_ctx *c, const union tph_record *rec)
{
	const struct model *m = c->m;
	struct finding *f;
	uint64_t n = model_evictions(m);

	if (!n)
		return;
	f = emit(c, 0, M_NODEV, 0, NULL, "x");
	if (!f)
		return;
	f->count = n;
	snprintf(f->values, sizeof(f->values),
		 "dmabufs=%" PRIu64 " holders=%" PRIu64 " attachments=%" PRIu64
		 " mrs=%" PRIu64 " st_entries=%" PRIu64 " devices=%" PRIu64,
		 m->p[MP_BUF].evicted, m->p[MP_HOLDER].evicted, m->p[MP_ATTACH].evicted,
		 m->p[MP_MR].evicted, m->p[MP_ST].evicted, m->devs_dropped);
}

#define K(x) RULE_KIND(TPH_EV_##x)

const struct rule tph_rules[] = {
	{ "TPH001", SEV_WARNING, "MR registered without TPH: no tag published on the dma-buf",
	  "E1", K(MR_REG), chk_not_published,
	  "publish the tag before registering the MR: VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET on "
	  "the exporting VFIO device with flags=VFIO_DMA_BUF_TPH_ST (8-bit) and/or "
	  "VFIO_DMA_BUF_TPH_ST_EXT (16-bit), the ST from the device's firmware ST table and "
	  "ph 0-3; reason no_op means the exporter has no get_tph (only vfio-pci dma-bufs "
	  "carry a tag): ignore it if this dma-buf is not meant for TPH" },
	{ "TPH002", SEV_ERROR, "Steering-tag width mismatch: only the other width is published",
	  "E2", K(MR_REG), chk_width,
	  "8-bit ST and 16-bit extended ST are separate namespaces: publish the width the NIC "
	  "requests (wanted=16: SET with flags=VFIO_DMA_BUF_TPH_ST_EXT and st_ext; wanted=8: "
	  "flags=VFIO_DMA_BUF_TPH_ST and st), or publish both; the NIC's width follows its "
	  "enabled requester type (extended needs the root port to complete extended TPH)" },
	{ "TPH003", SEV_ERROR, "NIC TPH requester disabled", "E3 E4",
	  K(MR_REG) | K(PCI_TPH), chk_req_disabled,
	  "TPH is off for the NIC: boot without pci=notph, build with CONFIG_PCIE_TPH=y, and "
	  "make sure the root port above the NIC reports TPH completer support "
	  "(DEVCAP2 bits 13:12; rp_completer=none caps the requester to nothing); check with "
	  "'tphtrace devices' and 'lspci -vvv'" },
	{ "TPH004", SEV_WARNING, "Requester capped to 8-bit tags by the root port", "E3",
	  K(PCI_TPH), chk_rp_cap,
	  "the NIC offers extended (16-bit) TPH but its root port only completes 8-bit TPH, so "
	  "mlx5 asks for 8-bit tags: publish an 8-bit ST (flags=VFIO_DMA_BUF_TPH_ST), or move "
	  "the NIC under a root port with extended TPH completer support" },
	{ "TPH005", SEV_ERROR, "Exporting device cannot consume TPH as a completer", "E12",
	  K(TPH_PUBLISH), chk_completer,
	  "the VFIO device's DEVCAP2 TPH completer field says it ignores (or cannot take "
	  "extended) steering tags: do not publish a tag for it, publish only an 8-bit ST for "
	  "an 8-bit completer, or enable TPH completion in the device's firmware" },
	{ "TPH006", SEV_ERROR, "mlx5 steering-tag table full", "E6",
	  K(MR_REG) | K(ST_INDEX), chk_st_full,
	  "the NIC's ST table has no free entry for another distinct tag: use fewer distinct "
	  "tags (MRs with the same tag share an entry), deregister MRs whose tags are no "
	  "longer needed, or use a NIC/function with a larger ST table" },
	{ "TPH007", SEV_WARNING, "Tag 0 in direct mode: PH without a steering tag", "E7",
	  K(MR_REG), chk_tag0,
	  "in direct mode (no ST table) the tag is the index and index 0 means 'no steering "
	  "tag': the mkey gets the PH only; publish a non-zero ST for this exporter" },
	{ "TPH008", SEV_WARNING, "DMAH overrides the dma-buf's published tag", "E9",
	  K(MR_REG), chk_dmah,
	  "the MR was registered with a DMAH, which has priority over the dma-buf's tag: "
	  "register the dma-buf MR without a DMAH so the exporter's tag is used" },
	{ "TPH009", SEV_WARNING, "Stale tag after SET: MR keeps the tag it was registered with",
	  "E10", K(TPH_PUBLISH), chk_stale_set,
	  "mlx5 reads the tag once, at registration; a later SET does not reach existing "
	  "mkeys: re-register (dereg + reg) the MRs after changing the tag, or SET before "
	  "registering" },
	{ "TPH010", SEV_WARNING, "Stale tag after invalidate/revoke", "E10",
	  K(INVALIDATE), chk_stale_inval,
	  "the tag is only valid until the exporter invalidates its mappings (revoke, reset, "
	  "memory disable); the mkey keeps its ST: re-register the MR after the dma-buf is "
	  "restored so the tag is queried again" },
	{ "TPH011", SEV_WARNING, "Stale ST index after pooled-mkey reuse", "E10",
	  K(MR_REG), chk_stale_reuse,
	  "an FRMR-pool mkey was reused with an ST index that does not hold the MR's tag: "
	  "drain the mkey pool (or disable mkey caching for dma-buf MRs) after tag changes; "
	  "kernel fix: key pooled mkeys by tag and re-validate the ST index on reuse" },
	{ "TPH012", SEV_ERROR, "TPH disabled on the NIC after an ST entry write failed", "E15",
	  K(MR_REG) | K(PCI_TPH), chk_st_write,
	  "pcie_tph_set_st_entry() failed and disabled TPH on the whole function: every later "
	  "MR gets no TPH; check the ST table location/size ('tphtrace devices'), then reload "
	  "mlx5_core (or reset the function) to re-enable TPH" },
	{ "TPH013", SEV_ERROR, "SET rejected: PH out of range or undefined flag bits", "E8",
	  K(TPH_PUBLISH), chk_bad_ph,
	  "ph is a 2-bit value (0-3) and flags may only hold VFIO_DMA_BUF_TPH_ST (0x1) and "
	  "VFIO_DMA_BUF_TPH_ST_EXT (0x2); fix the SET arguments" },
	{ "TPH014", SEV_ERROR, "SET rejected: dma-buf not exported by this VFIO device", "E11",
	  K(TPH_PUBLISH), chk_foreign,
	  "VFIO_DEVICE_FEATURE_DMA_BUF_TPH only accepts a dma-buf fd exported by the same "
	  "VFIO device (VFIO_DEVICE_FEATURE_DMA_BUF): pass that fd to SET on that device" },
	{ "TPH015", SEV_WARNING, "Inconsistent tags across MRs of one dma-buf", "E10 E13",
	  K(MR_REG), chk_inconsistent,
	  "MRs of the same dma-buf and width carry different tags because the tag changed "
	  "between registrations: SET once before handing the fd to importers, then "
	  "re-register the older MRs" },
	{ "TPH016", SEV_WARNING, "tphtrace lost records: findings may be incomplete", "-",
	  RULE_STATE, chk_lost,
	  "the ring buffer or the per-task state map overflowed: trace fewer processes (-p), "
	  "or re-run; absent findings are not proof of absence" },
	{ "TPH017", SEV_WARNING, "MR registered before the tag was published", "E13",
	  K(TPH_PUBLISH), chk_order,
	  "SET must happen before the dma-buf fd is handed to the importer: reorder so "
	  "VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET precedes ibv_reg_dmabuf_mr(), or re-register "
	  "the MR" },
	{ "TPH018", SEV_ERROR, "mlx5 has no steering-tag support on this NIC", "E5 E14",
	  K(MR_REG), chk_no_st,
	  "mlx5_st_create() gave up: needs firmware cap mkey_pcie_tph, a TPH capability with "
	  "Device-Specific ST mode, an ST table with >= 2 entries (or none: direct mode) and "
	  "CONFIG_PCIE_TPH=y; check 'tphtrace devices' and the firmware version" },
	{ "TPH019", SEV_ERROR, "Importer is not peer-to-peer capable (attach refused)", "E11",
	  K(ATTACH) | K(MR_REG), chk_p2p,
	  "VFIO dma-bufs are MMIO and need an importer with allow_peer2peer: use a "
	  "P2P-capable importer (mlx5 dynamic attach) and check the PCI topology (ACS, "
	  "pci_p2pdma_distance)" },
	{ "TPH020", SEV_WARNING, "Access to a revoked dma-buf", "E11",
	  K(ATTACH) | K(MAP) | K(MR_REG), chk_revoked,
	  "the exporter revoked the dma-buf (memory disabled, reset, device closed): "
	  "re-enable the device's memory or export a new dma-buf, then re-register" },
	{ "TPH021", SEV_WARNING, "Tag query or ST allocation failed unexpectedly", "-",
	  K(MR_REG), chk_error,
	  "the errno is in query_ret/st_ret; enable mlx5_ib dynamic debug "
	  "(echo 'module mlx5_ib +p' > /sys/kernel/debug/dynamic_debug/control) for details" },
	{ "TPH022", SEV_INFO, "Model limits reached: entries were evicted", "-",
	  RULE_STATE, chk_evicted,
	  "raise the limits (--max-dmabufs, --max-mrs, --max-attachments) so nothing is "
	  "evicted; evicted entries cannot be judged" },
};

const unsigned int tph_nrules = ARRAY_SIZE(tph_rules);

const struct rule *rule_by_id(const char *id)
{
	unsigned int i;

	for (i = 0; i < tph_nrules; i++)
		if (!strcmp(tph_rules[i].id, id))
			return &tph_rules[i];
	return NULL;
}

/* ---- engine ------------------------------------------------------------------- */

int rules_init(struct rules *rs, const struct model *m, uint32_t max_findings)
{
	memset(rs, 0, sizeof(*rs));
	rs->m = m;
	rs->cap = max_findings ? max_findings : 1;
	rs->f = calloc(rs->cap, sizeof(*rs->f));
	rs->keys = calloc(rs->cap, sizeof(*rs->keys));
	if (!rs->f || !rs->keys || oa_init(&rs->ix, rs->cap, rs->keys)) {
		rules_free(rs);
		return -ENOMEM;
	}
	return 0;
}

void rules_free(struct rules *rs)
{
	free(rs->f);
	free(rs->keys);
	oa_free(&rs->ix);
	rs->f = NULL;
	rs->keys = NULL;
}

void rules_on_record(struct rules *rs, const union tph_record *rec)
{
	struct rule_ctx c = { .rs = rs, .m = rs->m };
	unsigned int kind = rec->hdr.kind;
	unsigned int i;

	if (!kind || kind >= TPH_EV_MAX)
		return;
	/* an MR from before start (RDMA netlink): no outcome was seen to judge */
	if (kind == TPH_EV_MR_REG && rec->hdr.hook == TPH_HOOK_ITER)
		return;
	if (kind == TPH_EV_MR_REG && rec->mr.ret >= 0 &&
	    rec->mr.reason == TPH_REASON_UNKNOWN)
		rs->unobserved++;
	for (i = 0; i < tph_nrules; i++) {
		if (!(tph_rules[i].kinds & RULE_KIND(kind)))
			continue;
		c.rule = i;
		tph_rules[i].check(&c, rec);
	}
}

void rules_eval_state(struct rules *rs)
{
	struct rule_ctx c = { .rs = rs, .m = rs->m };
	unsigned int i;

	for (i = 0; i < tph_nrules; i++) {
		if (!(tph_rules[i].kinds & RULE_STATE))
			continue;
		c.rule = i;
		tph_rules[i].check(&c, NULL);
	}
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;

	if (tph_rules[x->rule].sev != tph_rules[y->rule].sev)
		return tph_rules[y->rule].sev - tph_rules[x->rule].sev;
	if (x->rule != y->rule)
		return x->rule - y->rule;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

const struct finding **rules_sorted(const struct rules *rs, uint32_t *n)
{
	const struct finding **v = calloc(rs->n ? rs->n : 1, sizeof(*v));
	uint32_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < rs->n; i++)
		v[i] = &rs->f[i];
	qsort(v, rs->n, sizeof(*v), cmp_finding);
	*n = rs->n;
	return v;
}

/* ---- output -------------------------------------------------------------------- */

/* the device as known now (a name learned later is shown too) */
static const char *finding_device(const struct rules *rs, const struct finding *f,
				  char *buf, size_t len)
{
	if (f->dev == M_NODEV || f->dev >= rs->m->ndevs)
		return f->device;
	model_dev_str(rs->m, f->dev, buf, len);
	return buf;
}

void rules_print_text(FILE *out, const struct rules *rs, bool hints)
{
	const struct finding **v;
	const struct rule *r;
	char dev[96];
	uint32_t i, n;

	v = rules_sorted(rs, &n);
	if (!v)
		return;
	for (i = 0; i < n; i++) {
		const struct finding *f = v[i];

		r = &tph_rules[f->rule];
		fprintf(out, "%-7s %s  %s", rule_sev_name(r->sev), r->id, r->title);
		if (f->count > 1)
			fprintf(out, " (x%" PRIu64 ")", f->count);
		fputc('\n', out);
		fprintf(out, "        ");
		if (f->ino) {
			fprintf(out, "dma-buf %" PRIu64, f->ino);
			if (f->exp_name[0] || f->exporter[0])
				fprintf(out, " (%s%s%s)", f->exp_name[0] ? f->exp_name : "?",
					f->exporter[0] ? " on " : "", f->exporter);
			fputs("  ", out);
		}
		if (f->dev != M_NODEV || f->device[0])
			fprintf(out, "device %s  ", finding_device(rs, f, dev, sizeof(dev)));
		if (f->mkey)
			fprintf(out, "mkey 0x%x  ", f->mkey);
		if (f->tgid)
			fprintf(out, "pid %u (%s)", f->tgid, f->comm);
		fputc('\n', out);
		fprintf(out, "        %s\n", f->values);
		if (hints)
			fprintf(out, "        fix: %s\n", r->hint);
	}
	free(v);
}

/* "a=1 b=0x2 c=x" -> {"a":1,"b":"0x2","c":"x"} */
static struct json_object *values_json(const char *s)
{
	struct json_object *o = json_object_new_object();
	char buf[FINDING_VALUES_LEN], *save = NULL, *tok, *eq, *end;
	long long v;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		v = strtoll(eq, &end, 10);
		if (*eq && !*end && !(eq[0] == '0' && eq[1]))
			json_object_object_add(o, tok, json_object_new_int64(v));
		else
			json_object_object_add(o, tok, json_object_new_string(eq));
	}
	return o;
}

struct json_object *rules_finding_json(const struct rules *rs, const struct finding *f)
{
	const struct rule *r = &tph_rules[f->rule];
	struct json_object *o = json_object_new_object(), *e;
	char dev[96];

	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "severity", json_object_new_string(rule_sev_name(r->sev)));
	json_object_object_add(o, "title", json_object_new_string(r->title));
	json_object_object_add(o, "catalogue", json_object_new_string(r->eref));
	json_object_object_add(o, "count", json_object_new_uint64(f->count));
	json_object_object_add(o, "first_ts", json_object_new_uint64(f->first_ns));
	json_object_object_add(o, "last_ts", json_object_new_uint64(f->last_ns));
	e = json_object_new_object();
	json_object_object_add(e, "ino", f->ino ? json_object_new_uint64(f->ino) : NULL);
	json_object_object_add(e, "exp_name", f->exp_name[0] ?
			       json_object_new_string(f->exp_name) : NULL);
	json_object_object_add(e, "exporter", f->exporter[0] ?
			       json_object_new_string(f->exporter) : NULL);
	json_object_object_add(e, "device", f->dev != M_NODEV || f->device[0] ?
			       json_object_new_string(finding_device(rs, f, dev, sizeof(dev))) :
			       NULL);
	json_object_object_add(e, "mkey", f->mkey ? json_object_new_uint64(f->mkey) : NULL);
	json_object_object_add(e, "pid", f->tgid ? json_object_new_uint64(f->tgid) : NULL);
	json_object_object_add(e, "comm", f->tgid ? json_object_new_string(f->comm) : NULL);
	json_object_object_add(e, "values", values_json(f->values));
	json_object_object_add(o, "evidence", e);
	json_object_object_add(o, "hint", json_object_new_string(r->hint));
	return o;
}

struct json_object *rules_to_json(const struct rules *rs)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	struct json_object *s = json_object_new_object();
	const struct finding **v;
	uint32_t i, n;

	v = rules_sorted(rs, &n);
	for (i = 0; v && i < n; i++)
		json_object_array_add(a, rules_finding_json(rs, v[i]));
	free(v);
	json_object_object_add(o, "findings", a);
	json_object_object_add(s, "errors", json_object_new_uint64(rs->by_sev[SEV_ERROR]));
	json_object_object_add(s, "warnings", json_object_new_uint64(rs->by_sev[SEV_WARNING]));
	json_object_object_add(s, "infos", json_object_new_uint64(rs->by_sev[SEV_INFO]));
	json_object_object_add(s, "findings_dropped", json_object_new_uint64(rs->dropped));
	json_object_object_add(s, "mr_outcomes_unobserved",
			       json_object_new_uint64(rs->unobserved));
	json_object_object_add(o, "summary", s);
	return o;
}

uint32_t *rules_count_by_buf(const struct rules *rs)
{
	uint32_t *cnt = calloc(rs->m->p[MP_BUF].cap, sizeof(*cnt));
	uint32_t i, bi;

	if (!cnt)
		return NULL;
	for (i = 0; i < rs->n; i++) {
		bi = model_find_buf(rs->m, rs->f[i].ino);
		if (bi != M_NONE)
			cnt[bi]++;
	}
	return cnt;
}
