// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace list --tree: a small drawing of what is connected to what
 * (exporter -> dma-buf -> importers and their MRs) and of each MR's path
 * (exporter -> tag -> query -> width -> ST index -> mkey), with the step
 * where the MR went without TPH marked "X reason". Text only: list -j has
 * the same facts as data.
 */
#define _GNU_SOURCE	/* qsort_r */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "text.h"
#include "views.h"

enum path_step { STEP_EXPORTER, STEP_TAG, STEP_QUERY, STEP_WIDTH, STEP_INDEX, STEP_MKEY,
		 STEP_NONE };

/* where the path of an MR stopped, by the reason of its registration */
static enum path_step failed_step(uint8_t reason)
{
	switch (reason) {
	case TPH_REASON_OK:
	case TPH_REASON_DMAH:
		return STEP_NONE;
	case TPH_REASON_NOT_PUBLISHED:
		return STEP_TAG;
	case TPH_REASON_NO_OP:
	case TPH_REASON_QUERY_ERROR:
	case TPH_REASON_UNKNOWN:
		return STEP_QUERY;
	case TPH_REASON_REQ_DISABLED:
	case TPH_REASON_WIDTH_MISMATCH:
		return STEP_WIDTH;
	default:	/* no ST table, table full, ST errors, tag 0 in direct mode */
		return STEP_INDEX;
	}
}

/* the published tag of @width the MR's dma-buf had at its registration */
static void tag_str(const struct m_mr *x, unsigned int width, char *buf, size_t len)
{
	bool ext = width == 16;

	if (x->source == TPH_SRC_DMAH)
		snprintf(buf, len, "tag from a DMAH");
	else if (!x->pub_known)
		snprintf(buf, len, "tag ?");
	else if (ext ? x->pub_flags & M_PUB_ST_EXT : x->pub_flags & M_PUB_ST)
		snprintf(buf, len, "tag 0x%x ph %u (%s-bit published)",
			 ext ? x->pub_st_ext : x->pub_st, x->pub_ph, rules_pub_str(x->pub_flags));
	else
		snprintf(buf, len, "tag: %s-bit published", rules_pub_str(x->pub_flags));
}

static void path_line(FILE *out, const struct model *m, const struct m_mr *x,
		      unsigned int width_cols)
{
	const struct m_buf *b = model_mr_buf(m, x);
	enum path_step fail = failed_step(x->reason);
	unsigned int width = rules_mr_width(x->req_type, x->extended);
	char step[6][96], line[768], exp[64];
	size_t off = 0;
	int i;

	snprintf(step[STEP_EXPORTER], sizeof(step[0]), "%s",
		 b && model_buf_exporter(m, b, exp, sizeof(exp)) ? exp : "exporter ?");
	tag_str(x, width, step[STEP_TAG], sizeof(step[0]));
	if (x->source == TPH_SRC_DMAH)
		snprintf(step[STEP_QUERY], sizeof(step[0]), "exporter not asked");
	else if (!width)
		snprintf(step[STEP_QUERY], sizeof(step[0]), "no query");
	else
		snprintf(step[STEP_QUERY], sizeof(step[0]), "asked for the %u-bit tag", width);
	if (width)
		snprintf(step[STEP_WIDTH], sizeof(step[0]), "%u-bit requester", width);
	else
		snprintf(step[STEP_WIDTH], sizeof(step[0]), "requester off");
	snprintf(step[STEP_INDEX], sizeof(step[0]), x->st_index ? "ST index %u" :
		 "no ST index", x->st_index);
	snprintf(step[STEP_MKEY], sizeof(step[0]), "mkey 0x%x %s", x->mkey,
		 model_mr_has_tph(x) ? "with TPH" : "without TPH");
	for (i = 0; i <= STEP_MKEY && off < sizeof(line); i++) {
		if (i > (int)fail && i < STEP_MKEY) {
			off += snprintf(line + off, sizeof(line) - off, " -> -");
			continue;
		}
		off += snprintf(line + off, sizeof(line) - off, "%s%s", i ? " -> " : "",
				step[i]);
		if (i == (int)fail && off < sizeof(line))
			off += snprintf(line + off, sizeof(line) - off, " [X %s]",
					tph_reason_name(x->reason));
	}
	fputs("    ", out);
	text_wrap(out, line, 4, 6, width_cols);
}

static void nic_str(const struct model *m, uint16_t d, char *buf, size_t len)
{
	const struct m_dev *dv = d < m->ndevs ? &m->devs[d] : NULL;
	char name[64];
	size_t off;

	model_dev_str(m, d, name, sizeof(name));
	off = snprintf(buf, len, "%s", name);
	if (!dv || off >= len)
		return;
	if (dv->req_type != TPH_UNKNOWN_U8)
		off += snprintf(buf + off, len - off, ", requester %s",
				tph_req_type_name(dv->req_type));
	if (off < len && dv->st_direct == 1)
		snprintf(buf + off, len - off, ", direct ST");
	else if (off < len && rules_st_capacity(dv))
		snprintf(buf + off, len - off, ", ST table %u/%u", dv->st_used,
			 rules_st_capacity(dv));
}

static void mr_line(FILE *out, const struct model *m, const struct m_mr *x)
{
	unsigned int stale = rules_mr_stale(m, x);

	fprintf(out, "            mkey 0x%x %s (%s%s)\n", x->mkey,
		model_mr_has_tph(x) ? "with TPH" : "without TPH", tph_reason_name(x->reason),
		stale & RULES_STALE_INVAL ? "; stale: invalidated since" :
		stale & RULES_STALE_SET ? "; stale: SET again since" : "");
}

/* by exporter (its device index), then by inode */
static int cmp_exporter(const void *pa, const void *pb, void *ctx)
{
	const struct model *m = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	uint16_t ea = M_BUF(m, a)->exporter, eb = M_BUF(m, b)->exporter;
	uint64_t ia = model_buf_ino(m, a), ib = model_buf_ino(m, b);

	if (ea != eb)
		return ea < eb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* exporter -> dma-buf -> importer (its MRs) */
static void topology(FILE *out, const struct feed *f, const struct view_sel *sel)
{
	const struct model *m = &f->m;
	char exp[96], size[16], tag[64], nic[160];
	uint32_t *v, n, i, a, k;
	uint16_t last = M_NODEV - 1;	/* no device has this index */

	fprintf(out, "\nTOPOLOGY (exporter, its dma-bufs, their importers and MRs)\n");
	v = view_sel_sorted(sel, m, MP_BUF, &n);
	if (v)
		qsort_r(v, n, sizeof(*v), cmp_exporter, (void *)m);
	for (i = 0; v && i < n; i++) {
		const struct m_buf *b = M_BUF(m, v[i]);

		if (b->exporter != last) {
			model_dev_str(m, b->exporter, exp, sizeof(exp));
			if (b->exporter != M_NODEV &&
			    m->devs[b->exporter].completer != TPH_UNKNOWN_U8)
				fprintf(out, "%s (TPH completer %s)\n", exp,
					tph_completer_name(m->devs[b->exporter].completer));
			else
				fprintf(out, "%s\n", b->exporter == M_NODEV ? "exporter ?" : exp);
			last = b->exporter;
		}
		model_size_str(b->size, size, sizeof(size));
		model_buf_tag_str(b, tag, sizeof(tag));
		fprintf(out, "  `- dma-buf %" PRIu64 " %s %s, tag %s%s\n", model_buf_ino(m, v[i]),
			b->exp_name[0] ? b->exp_name : "?", size, tag,
			b->bflags & MB_REVOKED ? ", revoked" : "");
		for (a = b->attach_head; a != M_NONE; a = M_ATTACH(m, a)->next) {
			uint32_t e;

			/* one line per importer, however many attachments it has */
			for (e = b->attach_head; e != a; e = M_ATTACH(m, e)->next)
				if (M_ATTACH(m, e)->importer == M_ATTACH(m, a)->importer)
					break;
			if (e != a)
				continue;
			nic_str(m, M_ATTACH(m, a)->importer, nic, sizeof(nic));
			fprintf(out, "       `- %s\n", nic);
			for (k = b->mr_head; k != M_NONE; k = M_MR(m, k)->next) {
				const struct m_mr *x = M_MR(m, k);

				if (x->nic != M_ATTACH(m, a)->importer)
					continue;
				mr_line(out, m, x);
			}
		}
		/* MRs of a NIC whose attachment was not seen (before start) */
		for (k = b->mr_head; k != M_NONE; k = M_MR(m, k)->next) {
			const struct m_mr *x = M_MR(m, k);

			for (a = b->attach_head; a != M_NONE; a = M_ATTACH(m, a)->next)
				if (M_ATTACH(m, a)->importer == x->nic)
					break;
			if (a != M_NONE)
				continue;
			nic_str(m, x->nic, nic, sizeof(nic));
			fprintf(out, "       `- %s (attachment not seen)\n", nic);
			mr_line(out, m, x);
		}
	}
	if (!n)
		fprintf(out, "(none)\n");
	free(v);
}

void view_tree_text(FILE *out, struct feed *f, const struct view_sel *sel)
{
	const struct model *m = &f->m;
	uint32_t *v, n, i;
	char nic[64];

	topology(out, f, sel);
	fputc('\n', out);
	text_wrap(out, "MR PATHS (exporter -> tag -> query -> width -> ST index -> mkey; "
		  "[X reason]: where the tag was lost)", 0, 2, sel->width);
	v = view_sel_sorted(sel, m, MP_MR, &n);
	for (i = 0; v && i < n; i++) {
		const struct m_mr *x = M_MR(m, v[i]);

		model_dev_str(m, x->nic, nic, sizeof(nic));
		fprintf(out, "  mkey 0x%x on %s, dma-buf %" PRIu64 ":\n", x->mkey, nic, x->ino);
		path_line(out, m, x, sel->width);
	}
	if (!n)
		fprintf(out, "(none)\n");
	free(v);
}
