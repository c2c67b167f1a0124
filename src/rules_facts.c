// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The judgements the rules own, one function each (rules.h). The rules'
 * checks, list, top, check, the metrics and the trace writer call these;
 * none of them derives a width, a staleness or an ST table's capacity on
 * its own.
 */
#include "rules.h"

unsigned int rules_mr_width(uint8_t req_type, uint8_t extended)
{
	switch (req_type) {
	case TPH_REQ_EXT_TPH:
		return 16;
	case TPH_REQ_TPH_ONLY:
		return 8;
	case TPH_REQ_DISABLE:
		return 0;
	default:
		/* not observed (no hook on pcie_tph_enabled_req_type()): the
		 * query asked the exporter for this width */
		return extended ? 16 : 8;
	}
}

bool rules_mr_width_mismatch(const struct model *m, const struct tph_ev_mr *r)
{
	uint32_t bi;
	const struct m_buf *b;
	bool ext;

	if (r->reason == TPH_REASON_WIDTH_MISMATCH)
		return true;
	if (r->reason != TPH_REASON_NOT_PUBLISHED || r->source == TPH_SRC_DMAH)
		return false;
	bi = model_find_buf(m, r->ino);
	if (bi == M_NONE)
		return false;
	b = M_BUF(m, bi);
	if (!(b->bflags & MB_PUB_KNOWN))
		return false;
	ext = rules_mr_width(r->req_type, r->extended) == 16;
	return ext ? (b->pub_flags & M_PUB_ST) && !(b->pub_flags & M_PUB_ST_EXT) :
		     (b->pub_flags & M_PUB_ST_EXT) && !(b->pub_flags & M_PUB_ST);
}

unsigned int rules_mr_stale(const struct model *m, const struct m_mr *x)
{
	const struct m_buf *b = model_mr_buf(m, x);
	unsigned int stale = 0;
	uint16_t cur;

	/* only a tag that came from the dma-buf can go stale with it */
	if (!b || !model_mr_has_tph(x) || x->source != TPH_SRC_DMABUF)
		return 0;
	if (x->inval_count < b->inval_count)
		stale |= RULES_STALE_INVAL;
	/* mlx5 reads the tag once, at registration (get_tph_mr_dmabuf()) */
	if (x->pub_gen < b->pub_gen &&
	    (!model_buf_tag(b, rules_mr_width(x->req_type, x->extended) == 16, &cur) ||
	     cur != x->st || b->ph != x->ph))
		stale |= RULES_STALE_SET;
	return stale;
}

uint32_t rules_st_capacity(const struct m_dev *d)
{
	/* the table's size wins over what the first overflow suggested;
	 * mlx5 keeps entry 0 for "no steering tag" (mlx5_st_create()) */
	uint32_t size = d->st_table_size ? d->st_table_size : d->st_size_at_full;

	return size > 1 ? size - 1 : 0;
}

bool rules_st_nearly_full(const struct m_dev *d)
{
	uint32_t cap = rules_st_capacity(d);

	/* as the TphStTableNearlyFull alert (deploy/tphtrace.rules.yml) */
	return cap && ((uint64_t)d->st_used * 10 >= (uint64_t)cap * 9 || d->st_used + 1 >= cap);
}

const char *rules_pub_str(uint8_t pub_flags)
{
	switch (pub_flags & (M_PUB_ST | M_PUB_ST_EXT)) {
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
