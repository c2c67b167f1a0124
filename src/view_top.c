// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace top: one frame, one row per dma-buf, fitted to the width (80
 * columns unless the terminal is wider: the flexible columns grow and a
 * HOLDERS column appears); rows with findings are marked '!' and, on a
 * terminal, highlighted; the worst findings follow. -j: one JSON document
 * per frame.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "jw.h"
#include "record.h"
#include "text.h"
#include "views.h"

const char *const top_sort_names[SORT_MAX] = {
	[SORT_INODE] = "inode",
	[SORT_SIZE] = "size",
	[SORT_MRS] = "mrs",
	[SORT_NOTPH] = "no-tph",
	[SORT_EXPORTER] = "exporter",
};

/* ---- rows -------------------------------------------------------------------- */

struct sort_ctx {
	const struct model *m;
	enum top_sort k;
};

static struct sort_ctx sort_ctx;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct model *m = sort_ctx.m;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	const struct m_buf *a = M_BUF(m, ia), *b = M_BUF(m, ib);
	uint64_t x = model_buf_ino(m, ia), y = model_buf_ino(m, ib);
	int c = 0;

	switch (sort_ctx.k) {
	case SORT_SIZE:
		c = a->size < b->size ? 1 : a->size > b->size ? -1 : 0;
		break;
	case SORT_MRS:
		c = (b->mrs_tph + b->mrs_notph) - (a->mrs_tph + a->mrs_notph);
		break;
	case SORT_NOTPH:
		c = b->mrs_notph - a->mrs_notph;
		break;
	case SORT_EXPORTER:
		/* by exporter name, then device (in the order devices were seen) */
		c = strcmp(a->exp_name, b->exp_name);
		if (!c)
			c = (int)a->exporter - (int)b->exporter;
		break;
	default:
		break;
	}
	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/* the selected dma-bufs in the frame's order; caller frees */
static uint32_t *rows_of(const struct model *m, const struct view_sel *sel,
			 enum top_sort k, uint32_t *n)
{
	uint32_t *v = view_sel_sorted(sel, m, MP_BUF, n);

	sort_ctx = (struct sort_ctx){ m, k };
	if (v)
		qsort(v, *n, sizeof(*v), cmp_rows);
	return v;
}

static void holders_short(const struct model *m, const struct m_buf *b, char *s, size_t len)
{
	const struct m_holder *h;

	if (b->holder_head == M_NONE) {
		snprintf(s, len, "-");
		return;
	}
	h = M_HOLDER(m, b->holder_head);
	if (b->nholders > 1)
		snprintf(s, len, "%u:%s,+%u", h->tgid, h->comm, b->nholders - 1);
	else
		snprintf(s, len, "%u:%s", h->tgid, h->comm);
}

static void importers_short(const struct model *m, const struct m_buf *b, char *s,
			    size_t len)
{
	char dev[96];

	if (b->attach_head == M_NONE) {
		snprintf(s, len, "-");
		return;
	}
	model_dev_str(m, M_ATTACH(m, b->attach_head)->importer, dev, sizeof(dev));
	if (b->nattach > 1)
		snprintf(s, len, "%s,+%u", dev, b->nattach - 1);
	else
		snprintf(s, len, "%s", dev);
}

/* ---- layout ------------------------------------------------------------------- */

/*
 * Fixed columns: mark, INODE, SIZE and the MR counts (TPH: MRs whose mkey
 * has the tag, NONE: MRs without, FIND: findings) with the blanks between
 * them; the rest goes to EXPORTER, TAG and IMPORTERS, and from 120 columns
 * to HOLDERS too. The last column is left free: no line ends at the edge.
 */
struct layout {
	unsigned int exp, tag, imp, hold;	/* 0: column not shown */
};

#define TOP_FIXED	(2 + 10 + 1 + 6 + 1 + 1 + 4 + 5 + 5)
#define TOP_MIN_WIDTH	80

static void layout_of(unsigned int width, bool verbose, struct layout *l)
{
	unsigned int flex;

	if (verbose || !width) {
		*l = (struct layout){ 40, 28, 40, 28 };
		return;
	}
	if (width < TOP_MIN_WIDTH)
		width = TOP_MIN_WIDTH;
	flex = width - 1 - TOP_FIXED;
	l->hold = 0;
	if (width >= 120) {
		l->hold = (flex - 1) / 5;
		flex -= l->hold + 1;
	}
	l->exp = flex * 7 / 20;
	l->tag = flex * 7 / 20;
	l->imp = flex - l->exp - l->tag;
}

/* ---- text frame ----------------------------------------------------------------- */

/* one header line, cut to the width (-v: whole) */
static void header_line(FILE *out, const char *line, unsigned int width)
{
	char cell[512];

	text_cell(cell, sizeof(cell), line, width ? width - 1 : sizeof(cell) - 1);
	fprintf(out, "%s\n", cell);
}

static void header(FILE *out, const struct feed *f, const struct view_src *s,
		   const struct top_frame *tf, unsigned int width)
{
	const struct model *m = &f->m;
	const struct rules *rs = &f->rs;
	char line[512], src[320], note[320], pre[32] = "";
	uint32_t i, tph = 0;

	MODEL_FOR_EACH(m, MP_MR, i)
		tph += model_mr_has_tph(M_MR(m, i));
	if (s->replay)
		snprintf(src, sizeof(src), "replay %s (%" PRIu64 " records)", s->replay,
			 s->replay_records);
	else if (s->live)
		snprintf(src, sizeof(src), "live: %d/%d events hooked", s->hooked,
			 TPH_EV_MAX - 1);
	else
		snprintf(src, sizeof(src), "live: unavailable (%s)",
			 s->live_err ? s->live_err : "?");
	snprintf(line, sizeof(line), "tphtrace top %s  sort %s%s  %s", tf->clock,
		 top_sort_names[tf->sort], tf->tty ? " (s)  q quits" : "", src);
	header_line(out, line, width);
	/* MRs from before start have no TPH outcome: neither TPH nor not */
	if (m->mrs_pre_start)
		snprintf(pre, sizeof(pre), ", pre-start %u", m->mrs_pre_start);
	snprintf(line, sizeof(line), "dma-bufs %u  attach %u  MRs %u (TPH %u%s)  findings %u "
		 "(%" PRIu64 " err, %" PRIu64 " warn)  lost %" PRIu64 "  evicted %" PRIu64,
		 model_count(m, MP_BUF), model_count(m, MP_ATTACH), model_count(m, MP_MR), tph,
		 pre, rs->n, rs->by_sev[SEV_ERROR], rs->by_sev[SEV_WARNING], m->lost,
		 model_evictions(m));
	/* counts are never cut: wrapped */
	text_wrap(out, line, 0, 2, width ? width - 1 : 0);
	view_gaps_note(s, note, sizeof(note));
	if (note[0]) {
		/* what this frame cannot show, on a terminal highlighted */
		fputs(tf->tty ? TEXT_HL_ON : "", out);
		text_wrap(out, note, 0, 2, width ? width - 1 : 0);
		fputs(tf->tty ? TEXT_HL_OFF : "", out);
	}
}

static void table(FILE *out, const struct feed *f, const struct view_sel *sel,
		  const struct top_frame *tf, const struct layout *l, unsigned int budget)
{
	const struct model *m = &f->m;
	char exp[96], dev[64], size[16], tag[48], hold[64], imp[128];
	char c_exp[96], c_tag[64], c_hold[64], c_imp[96];
	uint32_t *v, *nf, n, i, shown = 0;

	fprintf(out, "\n  %-10s %-*s %5s %-*s %-*s%s%-*s %3s %4s %4s\n", "INODE", l->exp,
		"EXPORTER", "SIZE", l->tag, "TAG", l->imp, "IMPORTERS", l->hold ? " " : "",
		l->hold, l->hold ? "HOLDERS" : "", "TPH", "NONE", "FIND");
	v = rows_of(m, sel, tf->sort, &n);
	nf = rules_count_by_buf(&f->rs);
	for (i = 0; v && i < n && (!budget || i < budget); i++) {
		const struct m_buf *b = M_BUF(m, v[i]);
		uint32_t find = nf ? nf[v[i]] : 0;
		bool bad = find || (b->bflags & MB_REVOKED);

		model_size_str(b->size, exp, sizeof(exp));
		text_cell(size, sizeof(size), exp, 5);
		model_dev_str(m, b->exporter, dev, sizeof(dev));
		snprintf(exp, sizeof(exp), "%s%s%s", b->exp_name[0] ? b->exp_name : "?",
			 b->exporter != M_NODEV ? " " : "", b->exporter != M_NODEV ? dev : "");
		model_buf_tag_str(b, tag, sizeof(tag));
		importers_short(m, b, imp, sizeof(imp));
		holders_short(m, b, hold, sizeof(hold));
		text_cell(c_exp, sizeof(c_exp), exp, l->exp);
		text_cell(c_tag, sizeof(c_tag), b->bflags & MB_REVOKED ? "revoked" : tag, l->tag);
		text_cell(c_imp, sizeof(c_imp), imp, l->imp);
		text_cell(c_hold, sizeof(c_hold), hold, l->hold);
		fprintf(out, "%s%c %-10" PRIu64 " %-*s %5s %-*s %-*s%s%-*s %3u %4u %4u%s\n",
			bad && tf->tty ? TEXT_HL_ON : "", bad ? '!' : ' ', model_buf_ino(m, v[i]),
			l->exp, c_exp, size, l->tag, c_tag, l->imp, c_imp, l->hold ? " " : "",
			l->hold, c_hold, b->mrs_tph, b->mrs_notph, find,
			bad && tf->tty ? TEXT_HL_OFF : "");
		shown++;
	}
	if (!n)
		fprintf(out, "  (no dma-bufs)\n");
	else if (shown < n)
		fprintf(out, "  ... %u more (a taller terminal, or 'tphtrace list')\n",
			n - shown);
	free(v);
	free(nf);
}

static void findings(FILE *out, const struct feed *f, const struct view_sel *sel,
		     const struct top_frame *tf, unsigned int width, unsigned int budget)
{
	const struct finding **fv;
	char line[256], cell[256];
	uint32_t i, n, shown = 0, match = 0;

	fv = rules_sorted(&f->rs, &n);
	for (i = 0; fv && i < n; i++)
		match += rules_finding_matches(fv[i], sel->ino, sel->dev);
	if (!fv || !match) {
		free(fv);
		return;
	}
	fprintf(out, "\n  %-7s %-7s %-10s %s\n", "RULE", "SEV", "INODE", "FINDING");
	for (i = 0; i < n && shown < budget; i++) {
		const struct rule *r = &tph_rules[fv[i]->rule];
		bool err = r->sev == SEV_ERROR;

		if (!rules_finding_matches(fv[i], sel->ino, sel->dev))
			continue;
		snprintf(line, sizeof(line), "%s%s%s", r->title, fv[i]->device[0] ? " @ " : "",
			 fv[i]->device);
		text_cell(cell, sizeof(cell), line, width ? width - 30 : sizeof(cell) - 1);
		fprintf(out, "%s%c %-7s %-7s %-10" PRIu64 " %s%s\n",
			err && tf->tty ? TEXT_HL_ON : "", err ? '!' : ' ', r->id,
			rule_sev_name(r->sev), fv[i]->ino, cell,
			err && tf->tty ? TEXT_HL_OFF : "");
		shown++;
	}
	if (match > shown)
		fprintf(out, "  ... %u more ('tphtrace check' explains each)\n", match - shown);
	free(fv);
}

void view_top_text(FILE *out, struct feed *f, const struct view_src *s,
		   const struct view_sel *sel, const struct top_frame *tf)
{
	unsigned int width = sel->verbose ? 0 : sel->width ? sel->width : TOP_MIN_WIDTH;
	unsigned int rows = 0;
	struct layout l;

	if (width && width < TOP_MIN_WIDTH)
		width = TOP_MIN_WIDTH;
	rules_eval_state(&f->rs);
	layout_of(width, sel->verbose, &l);
	/* header 3-4 lines, two table heads, the findings: what is left is rows */
	if (tf->rows > 16)
		rows = tf->rows - 14;
	else if (tf->rows)
		rows = 2;
	if (tf->tty)
		fputs("\033[H\033[2J", out);
	header(out, f, s, tf, width);
	table(out, f, sel, tf, &l, rows);
	findings(out, f, sel, tf, width, 5);
	fflush(out);
}

/* ---- JSON frame ------------------------------------------------------------------- */

void view_top_json(FILE *out, struct feed *f, const struct view_src *s,
		   const struct view_sel *sel, const struct top_frame *tf)
{
	const struct model *m = &f->m;
	char exp[96], tag[48];
	uint32_t *v, *nf, n, i;
	struct jw w;

	rules_eval_state(&f->rs);
	jw_init(&w, out);
	jw_doc(&w, "top");
	jw_kstr(&w, "sort", top_sort_names[tf->sort]);
	view_src_json(&w, s, m);
	jw_karr(&w, "rows");
	v = rows_of(m, sel, tf->sort, &n);
	nf = rules_count_by_buf(&f->rs);
	for (i = 0; v && i < n; i++) {
		const struct m_buf *b = M_BUF(m, v[i]);

		jw_obj(&w);
		jw_ku64(&w, "ino", model_buf_ino(m, v[i]));
		jw_kstr(&w, "exporter", model_buf_exporter(m, b, exp, sizeof(exp)));
		jw_ku64(&w, "size", b->size);
		model_buf_tag_str(b, tag, sizeof(tag));
		jw_kstr(&w, "tag", tag);
		jw_ku64(&w, "holders", b->nholders);
		jw_ku64(&w, "importers", b->nattach);
		jw_ku64(&w, "mrs_tph", b->mrs_tph);
		jw_ku64(&w, "mrs_no_tph", b->mrs_notph);
		jw_ku64(&w, "findings", nf ? nf[v[i]] : 0);
		jw_kbool(&w, "revoked", b->bflags & MB_REVOKED);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	free(v);
	free(nf);
	rules_json(&w, &f->rs, sel->ino, sel->dev);
	jw_obj_end(&w);
	fflush(out);
}
