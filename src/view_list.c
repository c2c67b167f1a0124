// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace list: every dma-buf (exporter, size, published tag, holders,
 * importers, MRs with and without TPH, findings), every MR, every device
 * and the model's limits, as text (rows wrap to the terminal) or as one
 * JSON document streamed one entry at a time (100 000 dma-bufs cost no more
 * memory than one).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "jw.h"
#include "record.h"
#include "state.h"
#include "text.h"
#include "views.h"

/* ---- shared by text and JSON ------------------------------------------------- */

static const char *stale_str(unsigned int stale)
{
	switch (stale) {
	case RULES_STALE_SET:
		return "stale-after-set";
	case RULES_STALE_INVAL:
		return "stale-after-invalidate";
	case RULES_STALE_SET | RULES_STALE_INVAL:
		return "stale-after-set+invalidate";
	default:
		return NULL;
	}
}

static const char *u8_name(uint8_t v, const char *(*name)(unsigned int))
{
	return v == TPH_UNKNOWN_U8 ? "?" : name(v);
}

/* "used=3 of 7 (size 8) FULL-SEEN", "direct (no table)", "-" */
static void st_str(const struct m_dev *d, char *buf, size_t len)
{
	uint32_t cap = rules_st_capacity(d);
	size_t off;

	if (d->st_direct == 1) {
		snprintf(buf, len, "direct (no table)");
		return;
	}
	if (d->st_direct != 0 && !d->st_used && !d->st_full && !cap) {
		snprintf(buf, len, "-");
		return;
	}
	off = snprintf(buf, len, "used=%u", d->st_used);
	if (cap && off < len)
		off += snprintf(buf + off, len - off, "/%u size=%u", cap, cap + 1);
	else if (off < len)
		off += snprintf(buf + off, len - off, " max_index=%u size=?", d->st_max_index);
	if (d->st_full && off < len)
		off += snprintf(buf + off, len - off, " FULL-SEEN");
	else if (rules_st_nearly_full(d) && off < len)
		snprintf(buf + off, len - off, " NEARLY-FULL");
}

/* ---- text ---------------------------------------------------------------------- */

static void row(FILE *out, const struct view_sel *sel, const char *line)
{
	text_wrap(out, line, 0, 11, sel->width);
}

static void text_bufs(FILE *out, const struct feed *f, const struct view_sel *sel,
		      const uint32_t *nfind)
{
	const struct model *m = &f->m;
	char exp[96], dev[64], size[16], tag[64], line[1024], list[640];
	uint32_t *v, n, i, bi;

	fprintf(out, "\nDMA-BUFS\n");
	snprintf(line, sizeof(line), "%-10s %-34s %7s %-26s %6s %6s %4s  %s", "INODE",
		 "EXPORTER", "SIZE", "TAG", "TPH", "NO-TPH", "FIND", "STATE");
	row(out, sel, line);
	v = view_sel_sorted(sel, m, MP_BUF, &n);
	for (i = 0; v && i < n; i++) {
		const struct m_buf *b;
		size_t off;

		bi = v[i];
		b = M_BUF(m, bi);
		model_dev_str(m, b->exporter, dev, sizeof(dev));
		snprintf(exp, sizeof(exp), "%s%s%s", b->exp_name[0] ? b->exp_name : "?",
			 b->exporter != M_NODEV ? " " : "",
			 b->exporter != M_NODEV ? dev : "");
		model_size_str(b->size, size, sizeof(size));
		model_buf_tag_str(b, tag, sizeof(tag));
		off = snprintf(line, sizeof(line), "%-10" PRIu64 " %-34s %7s %-26s %6u %6u %4u  "
			       "%s%s%s", model_buf_ino(m, bi), exp, size, tag, b->mrs_tph,
			       b->mrs_notph, nfind ? nfind[bi] : 0,
			       b->bflags & MB_SAMPLED ? "sampled" :
			       b->bflags & MB_EXPORT_SEEN ? "traced" : "before-start",
			       b->bflags & MB_REVOKED ? ",revoked" : "",
			       b->pub_ret ? ",last-set-failed" : "");
		if (b->inval_count && off < sizeof(line))
			off += snprintf(line + off, sizeof(line) - off, ",invalidated=%u",
					b->inval_count);
		if (b->name[0] && off < sizeof(line))
			snprintf(line + off, sizeof(line) - off, ",name=%s", b->name);
		row(out, sel, line);
		model_holders_str(m, bi, list, sizeof(list));
		snprintf(line, sizeof(line), "%-10s holders: %s", "", list);
		row(out, sel, line);
		model_importers_str(m, bi, list, sizeof(list));
		snprintf(line, sizeof(line), "%-10s importers: %s", "", list);
		row(out, sel, line);
	}
	if (!n)
		fprintf(out, "(none)\n");
	free(v);
}

static void text_mrs(FILE *out, const struct feed *f, const struct view_sel *sel)
{
	const struct model *m = &f->m;
	char nic[64], ph[8], line[512];
	const char *stale;
	uint32_t *v, n, i, shown = 0;

	fprintf(out, "\nMRS\n");
	snprintf(line, sizeof(line), "%-26s %-10s %-10s %-4s %-7s %5s %3s %-7s %-15s %-6s %s",
		 "NIC", "MKEY", "INODE", "TPH", "ST", "INDEX", "PH", "SOURCE", "REASON",
		 "REUSED", "PROCESS");
	row(out, sel, line);
	v = view_sel_sorted(sel, m, MP_MR, &n);
	for (i = 0; v && i < n; i++) {
		const struct m_mr *x = M_MR(m, v[i]);

		if (x->pre_start)
			continue;	/* their own section: no TPH outcome */
		shown++;
		model_dev_str(m, x->nic, nic, sizeof(nic));
		if (x->ph == TPH_NO_PH)
			snprintf(ph, sizeof(ph), "-");
		else
			snprintf(ph, sizeof(ph), "%u", x->ph);
		stale = stale_str(rules_mr_stale(m, x));
		snprintf(line, sizeof(line), "%-26s 0x%-8x %-10" PRIu64 " %-4s 0x%-5x %5u %3s "
			 "%-7s %-15s %-6s %u %s%s%s", nic, x->mkey, x->ino,
			 model_mr_has_tph(x) ? "yes" : "no", x->st, x->st_index, ph,
			 tph_source_name(x->source), tph_reason_name(x->reason),
			 x->reused ? "yes" : "no", x->tgid, x->comm, stale ? " " : "",
			 stale ? stale : "");
		row(out, sel, line);
	}
	if (!shown)
		fprintf(out, "(none)\n");
	free(v);
}

/*
 * MRs that existed before start: what the RDMA netlink dump said (keys,
 * length, PD, owner); nothing of their TPH, registered before tphtrace
 * watched. Only when the state was recovered (a replay has none).
 */
static void text_mrs_pre_start(FILE *out, const struct feed *f, const struct view_src *s,
			       const struct view_sel *sel)
{
	const struct model *m = &f->m;
	const struct recov_source *src;
	char nic[64], pdn[16], pid[16], line[512];
	uint32_t *v, n, i, shown = 0;

	if (!s->rv)
		return;
	fprintf(out, "\nMRS FROM BEFORE START (" MR_ORIGIN_PRE_START "; TPH outcome not "
		"known: registered before start)\n");
	src = recovery_find(s->rv, RV_MRS, "rdma-netlink");
	if (src && !src->ok) {
		snprintf(line, sizeof(line), "(not recovered: %s)", src->detail);
		row(out, sel, line);
		return;
	}
	snprintf(line, sizeof(line), "%-26s %-10s %-10s %12s %6s %6s %s", "NIC", "LKEY", "RKEY",
		 "LENGTH", "PDN", "MRN", "PROCESS");
	row(out, sel, line);
	v = view_sel_sorted(sel, m, MP_MR, &n);
	for (i = 0; v && i < n; i++) {
		const struct m_mr *x = M_MR(m, v[i]);

		if (!x->pre_start)
			continue;
		shown++;
		model_dev_str(m, x->nic, nic, sizeof(nic));
		snprintf(pdn, sizeof(pdn), x->pdn_known ? "%u" : "-", x->pdn);
		snprintf(pid, sizeof(pid), x->tgid ? "%u" : "-", x->tgid);
		snprintf(line, sizeof(line), "%-26s 0x%-8x 0x%-8x %12" PRIu64 " %6s %6u %s %s",
			 nic, x->mkey, x->rkey, x->length, pdn, x->mrn, pid, x->comm);
		row(out, sel, line);
	}
	if (!shown)
		fprintf(out, "(none)\n");
	free(v);
}

static void text_devices(FILE *out, const struct feed *f, const struct view_sel *sel)
{
	const struct model *m = &f->m;
	char name[64], roles[64], tph[160], st[96], line[512];
	uint32_t i, shown = 0;

	fprintf(out, "\nDEVICES\n");
	snprintf(line, sizeof(line), "%-26s %-22s %-44s %-30s %s", "DEVICE", "ROLES",
		 "PCI TPH", "ST TABLE", "MRS (TPH)");
	row(out, sel, line);
	for (i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];
		size_t off;

		if (!view_sel_dev(sel, i))
			continue;
		model_dev_str(m, i, name, sizeof(name));
		model_roles_str(d->roles, roles, sizeof(roles));
		if (d->enabled == TPH_UNKNOWN_U8 && d->req_type == TPH_UNKNOWN_U8)
			off = snprintf(tph, sizeof(tph), "?");
		else
			off = snprintf(tph, sizeof(tph), "%s mode=%s req=%s offers=%s rp=%s%s",
				       d->enabled == 1 ? "on" : d->enabled == 0 ? "off" : "?",
				       u8_name(d->mode, tph_mode_name),
				       u8_name(d->req_type, tph_req_type_name),
				       u8_name(d->dev_req_type, tph_req_type_name),
				       u8_name(d->rp_completer, tph_completer_name),
				       d->disabled_by_st_fail ?
				       " DISABLED-AFTER-ST-WRITE-FAILURE" : "");
		if (d->completer != TPH_UNKNOWN_U8 && (d->roles & MD_EXPORTER) &&
		    off < sizeof(tph))
			snprintf(tph + off, sizeof(tph) - off, " completer=%s",
				 tph_completer_name(d->completer));
		st_str(d, st, sizeof(st));
		off = snprintf(line, sizeof(line), "%-26s %-22s %-44s %-30s %u (%u)", name, roles,
			       tph, st, d->mrs - d->mrs_pre_start, d->mrs_tph);
		if (d->mrs_pre_start && off < sizeof(line))
			snprintf(line + off, sizeof(line) - off, " + %u pre-start",
				 d->mrs_pre_start);
		row(out, sel, line);
		shown++;
	}
	if (!shown)
		fprintf(out, "(none)\n");
}

static void text_limits(FILE *out, const struct feed *f, const struct view_sel *sel)
{
	const struct model *m = &f->m;
	char line[512];
	size_t off;
	int p;

	off = snprintf(line, sizeof(line), "LIMITS");
	for (p = 0; p < MP_MAX && off < sizeof(line); p++)
		off += snprintf(line + off, sizeof(line) - off, " %s %u/%u (evicted %" PRIu64
				")%s", model_pool_name(p), model_count(m, p), model_capacity(m, p),
				model_evicted(m, p), p + 1 < MP_MAX ? "," : "");
	if (off < sizeof(line))
		snprintf(line + off, sizeof(line) - off, ", devices %u/%u (dropped %" PRIu64 ")",
			 m->ndevs, m->lim.devices, m->devs_dropped);
	fputc('\n', out);
	row(out, sel, line);
	fprintf(out, "lost records: %" PRIu64 " (ring buffer %" PRIu64 ", state map %" PRIu64
		")\n", m->lost, m->lost_ringbuf, m->lost_state);
}

void view_list_text(FILE *out, struct feed *f, const struct view_src *s,
		    const struct view_sel *sel)
{
	const struct model *m = &f->m;
	uint32_t *nfind;
	char note[320];

	rules_eval_state(&f->rs);
	nfind = rules_count_by_buf(&f->rs);
	fprintf(out, "tphtrace list: %u dma-buf(s), %u MR(s)", model_count(m, MP_BUF),
		model_count(m, MP_MR));
	if (m->mrs_pre_start)
		fprintf(out, " (%u pre-start)", m->mrs_pre_start);
	fprintf(out, ", %u device(s), %u finding(s)\n", m->ndevs, f->rs.n);
	view_src_text(out, s, m, sel->verbose);
	text_bufs(out, f, sel, nfind);
	text_mrs(out, f, sel);
	text_mrs_pre_start(out, f, s, sel);
	text_devices(out, f, sel);
	text_limits(out, f, sel);
	if (f->rs.n)
		fprintf(out, "\n%u finding(s): run 'tphtrace check%s%s' for details\n",
			f->rs.n, s->replay ? " --replay " : "", s->replay ? s->replay : "");
	view_gaps_note(s, note, sizeof(note));
	if (note[0] && s->live) {
		fputs("note: ", out);
		text_wrap(out, note, 6, 6, sel->width);
	}
	free(nfind);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void kdev(struct jw *w, const char *key, const struct model *m, uint16_t d)
{
	char s[96];

	if (d == M_NODEV) {
		jw_knull(w, key);
		return;
	}
	model_dev_str(m, d, s, sizeof(s));
	jw_kstr(w, key, s);
}

static void ku8(struct jw *w, const char *key, uint8_t v)
{
	jw_key(w, key);
	v == TPH_UNKNOWN_U8 ? jw_null(w) : jw_u64(w, v);
}

static void kname(struct jw *w, const char *key, uint8_t v, const char *(*name)(unsigned int))
{
	jw_kstr(w, key, v == TPH_UNKNOWN_U8 ? NULL : name(v));
}

static void json_tag(struct jw *w, const struct m_buf *b)
{
	jw_kobj(w, "tag");
	jw_kbool(w, "known", b->bflags & MB_PUB_KNOWN);
	if (b->bflags & MB_PUB_KNOWN) {
		jw_kbool(w, "published_8", b->pub_flags & M_PUB_ST);
		jw_kbool(w, "published_16", b->pub_flags & M_PUB_ST_EXT);
		jw_ku64(w, "st", b->st);
		jw_ku64(w, "st_ext", b->st_ext);
		jw_ku64(w, "ph", b->ph);
	}
	jw_ku64(w, "sets", b->pub_gen);
	jw_ki64(w, "last_set_ret", b->pub_ret);
	jw_obj_end(w);
}

static void json_buf(struct jw *w, const struct model *m, uint32_t bi, uint32_t nfind)
{
	const struct m_buf *b = M_BUF(m, bi);
	uint32_t i;

	jw_obj(w);
	jw_ku64(w, "ino", model_buf_ino(m, bi));
	jw_kstr(w, "exp_name", b->exp_name);
	jw_kstr(w, "name", b->name);
	kdev(w, "exporter", m, b->exporter);
	jw_ku64(w, "size", b->size);
	jw_key(w, "created_ts");
	b->created_ns ? jw_u64(w, b->created_ns) : jw_null(w);
	jw_kbool(w, "before_start", !(b->bflags & MB_EXPORT_SEEN));
	jw_kbool(w, "sampled", b->bflags & MB_SAMPLED);
	json_tag(w, b);
	jw_kbool(w, "revoked", b->bflags & MB_REVOKED);
	jw_ku64(w, "invalidations", b->inval_count);
	jw_karr(w, "holders");
	for (i = b->holder_head; i != M_NONE; i = M_HOLDER(m, i)->next) {
		const struct m_holder *h = M_HOLDER(m, i);

		jw_obj(w);
		jw_ku64(w, "pid", h->tgid);
		jw_kstr(w, "comm", h->comm);
		jw_ku64(w, "refs", h->refs);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_karr(w, "importers");
	for (i = b->attach_head; i != M_NONE; i = M_ATTACH(m, i)->next) {
		const struct m_attach *at = M_ATTACH(m, i);

		jw_obj(w);
		kdev(w, "importer", m, at->importer);
		jw_key(w, "p2p");
		at->kind_known ? jw_bool(w, at->p2p) : jw_null(w);
		jw_key(w, "dynamic");
		at->kind_known ? jw_bool(w, at->dynamic) : jw_null(w);
		jw_ku64(w, "maps", at->maps);
		jw_kbool(w, "before_start", at->iter);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_ku64(w, "mrs_tph", b->mrs_tph);
	jw_ku64(w, "mrs_no_tph", b->mrs_notph);
	jw_ku64(w, "findings", nfind);
	jw_obj_end(w);
}

/*
 * One MR. Every MR has the same keys: a traced one has its TPH outcome and
 * no netlink fields (null), one from before start (RDMA netlink) the
 * netlink fields and null for everything of the TPH outcome, never a
 * guessed value.
 */
static void json_mr(struct jw *w, const struct model *m, uint32_t i)
{
	const struct m_mr *x = M_MR(m, i);
	unsigned int stale = rules_mr_stale(m, x);
	bool pre = x->pre_start, traced = !pre;

	jw_obj(w);
	kdev(w, "nic", m, x->nic);
	jw_ku64(w, "mkey", x->mkey);
	jw_kstr(w, "origin", pre ? MR_ORIGIN_PRE_START : "traced");
	jw_kstr(w, "tph_outcome", pre ? "not known: registered before start" : "traced");
	jw_key(w, "ino");
	traced ? jw_u64(w, x->ino) : jw_null(w);
	jw_ku64(w, "length", x->length);
	jw_key(w, "tph");
	traced ? jw_bool(w, model_mr_has_tph(x)) : jw_null(w);
	jw_key(w, "st");
	traced ? jw_u64(w, x->st) : jw_null(w);
	jw_key(w, "st_index");
	traced ? jw_u64(w, x->st_index) : jw_null(w);
	ku8(w, "ph", pre ? TPH_UNKNOWN_U8 : x->ph);
	jw_key(w, "width");
	traced ? jw_u64(w, rules_mr_width(x->req_type, x->extended)) : jw_null(w);
	jw_kstr(w, "source", traced ? tph_source_name(x->source) : NULL);
	jw_kstr(w, "reason", traced ? tph_reason_name(x->reason) : NULL);
	jw_key(w, "reused");
	traced ? jw_bool(w, x->reused) : jw_null(w);
	jw_karr(w, "stale");
	if (stale & RULES_STALE_SET)
		jw_str(w, "set");
	if (stale & RULES_STALE_INVAL)
		jw_str(w, "invalidated");
	jw_arr_end(w);
	/* the kernel names no process for a kernel MR */
	jw_key(w, "pid");
	x->tgid || traced ? jw_u64(w, x->tgid) : jw_null(w);
	jw_kstr(w, "comm", x->comm);
	jw_key(w, "reg_ts");
	traced ? jw_u64(w, x->reg_ns) : jw_null(w);
	jw_key(w, "published_at_registration");
	if (traced) {
		jw_obj(w);
		jw_kbool(w, "known", x->pub_known);
		jw_kbool(w, "published_8", x->pub_flags & M_PUB_ST);
		jw_kbool(w, "published_16", x->pub_flags & M_PUB_ST_EXT);
		jw_ku64(w, "st", x->pub_st);
		jw_ku64(w, "st_ext", x->pub_st_ext);
		jw_ku64(w, "ph", x->pub_ph);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	/* what the RDMA netlink dump reports (mlx5: lkey is the mkey) */
	jw_key(w, "lkey");
	pre ? jw_u64(w, x->mkey) : jw_null(w);
	jw_key(w, "rkey");
	pre ? jw_u64(w, x->rkey) : jw_null(w);
	jw_key(w, "pdn");
	pre && x->pdn_known ? jw_u64(w, x->pdn) : jw_null(w);
	jw_key(w, "mrn");
	pre ? jw_u64(w, x->mrn) : jw_null(w);
	jw_obj_end(w);
}

static void json_dev(struct jw *w, const struct model *m, uint16_t i)
{
	const struct m_dev *d = &m->devs[i];
	uint32_t cap = rules_st_capacity(d);
	char roles[64];

	jw_obj(w);
	kdev(w, "device", m, i);
	model_roles_str(d->roles, roles, sizeof(roles));
	jw_kstr(w, "roles", roles);
	jw_kobj(w, "pci_tph");
	jw_key(w, "enabled");
	d->enabled == TPH_UNKNOWN_U8 ? jw_null(w) : jw_bool(w, d->enabled);
	ku8(w, "mode", d->mode);
	kname(w, "req_type", d->req_type, tph_req_type_name);
	kname(w, "dev_req_type", d->dev_req_type, tph_req_type_name);
	kname(w, "rp_completer", d->rp_completer, tph_completer_name);
	kname(w, "completer", d->completer, tph_completer_name);
	jw_ku64(w, "st_write_failures", d->st_write_fails);
	jw_kbool(w, "disabled_after_st_write_failure", d->disabled_by_st_fail);
	jw_obj_end(w);
	jw_kobj(w, "st_table");
	jw_key(w, "direct");
	d->st_direct == TPH_UNKNOWN_U8 ? jw_null(w) : jw_bool(w, d->st_direct);
	jw_ku64(w, "used", d->st_used);
	jw_ku64(w, "max_index", d->st_max_index);
	jw_key(w, "size");
	cap ? jw_u64(w, cap + 1) : jw_null(w);
	jw_key(w, "capacity");
	cap ? jw_u64(w, cap) : jw_null(w);
	jw_ku64(w, "full_seen", d->st_full);
	jw_kbool(w, "nearly_full", rules_st_nearly_full(d));
	jw_obj_end(w);
	jw_ku64(w, "mrs", d->mrs);
	jw_ku64(w, "mrs_tph", d->mrs_tph);
	jw_ku64(w, "mrs_pre_start", d->mrs_pre_start);
	jw_ku64(w, "attachments", d->attachments);
	jw_obj_end(w);
}

static void json_limits(struct jw *w, const struct model *m)
{
	int p;

	jw_kobj(w, "limits");
	for (p = 0; p < MP_MAX; p++) {
		jw_kobj(w, model_pool_name(p));
		jw_ku64(w, "used", model_count(m, p));
		jw_ku64(w, "limit", model_capacity(m, p));
		jw_ku64(w, "evicted", model_evicted(m, p));
		jw_obj_end(w);
	}
	jw_kobj(w, "devices");
	jw_ku64(w, "used", m->ndevs);
	jw_ku64(w, "limit", m->lim.devices);
	jw_ku64(w, "evicted", m->devs_dropped);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_kobj(w, "lost");
	jw_ku64(w, "records", m->lost);
	jw_ku64(w, "ringbuf", m->lost_ringbuf);
	jw_ku64(w, "state", m->lost_state);
	jw_obj_end(w);
}

void view_list_json(FILE *out, struct feed *f, const struct view_src *s,
		    const struct view_sel *sel)
{
	const struct model *m = &f->m;
	uint32_t *v, *nfind, n, i;
	struct jw w;

	rules_eval_state(&f->rs);
	nfind = rules_count_by_buf(&f->rs);
	jw_init(&w, out);
	jw_doc(&w, "list");
	view_src_json(&w, s, m);
	jw_karr(&w, "dmabufs");
	v = view_sel_sorted(sel, m, MP_BUF, &n);
	for (i = 0; v && i < n; i++)
		json_buf(&w, m, v[i], nfind ? nfind[v[i]] : 0);
	free(v);
	jw_arr_end(&w);
	jw_karr(&w, "mrs");
	v = view_sel_sorted(sel, m, MP_MR, &n);
	for (i = 0; v && i < n; i++)
		json_mr(&w, m, v[i]);
	free(v);
	jw_arr_end(&w);
	jw_karr(&w, "devices");
	for (i = 0; i < m->ndevs; i++)
		if (view_sel_dev(sel, i))
			json_dev(&w, m, i);
	jw_arr_end(&w);
	json_limits(&w, m);
	jw_kobj(&w, "findings");
	jw_ku64(&w, "errors", f->rs.by_sev[SEV_ERROR]);
	jw_ku64(&w, "warnings", f->rs.by_sev[SEV_WARNING]);
	jw_ku64(&w, "infos", f->rs.by_sev[SEV_INFO]);
	jw_obj_end(&w);
	jw_obj_end(&w);
	free(nfind);
}
