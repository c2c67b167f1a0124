// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Where a view's records came from, what it could not see, what it shows. */
#include <inttypes.h>
#include <string.h>
#include "jw.h"
#include "opts.h"
#include "runner.h"
#include "views.h"

void view_src_init(struct view_src *s, const struct runner *r, const struct cmd_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->replay = r->replay;
	s->replay_records = r->replay_records;
	s->have_at = o->have_at;
	s->at_relative = o->at_relative;
	s->at_ns = o->at_ns;
	s->live_requested = !o->replay && (r->cfg.live != RUN_LIVE_IF_DURATION ||
					   o->duration > 0);
	s->live = runner_live(r);
	s->live_err = r->live_err[0] ? r->live_err : NULL;
	s->hooked = runner_hooked(r);
	s->traced_s = r->traced_s;
	s->rv = r->recovered ? &r->st.rv : NULL;
}

void view_sel_init(struct view_sel *s, const struct cmd_opts *o, const struct feed *f,
		   unsigned int width)
{
	s->ino = o->filter.ino;
	s->dev = opts_device(o, &f->m);
	s->width = width;
	s->verbose = o->verbose;
}

bool view_sel_dev(const struct view_sel *sel, uint16_t d)
{
	return sel->dev == M_NODEV || sel->dev == d;
}

bool view_sel_mr(const struct view_sel *sel, const struct m_mr *x)
{
	return (!sel->ino || x->ino == sel->ino) && view_sel_dev(sel, x->nic);
}

bool view_sel_buf(const struct view_sel *sel, const struct model *m, uint32_t bi)
{
	const struct m_buf *b = M_BUF(m, bi);
	uint32_t i;

	if (sel->ino && model_buf_ino(m, bi) != sel->ino)
		return false;
	if (sel->dev == M_NODEV || b->exporter == sel->dev)
		return true;
	for (i = b->attach_head; i != M_NONE; i = M_ATTACH(m, i)->next)
		if (M_ATTACH(m, i)->importer == sel->dev)
			return true;
	for (i = b->mr_head; i != M_NONE; i = M_MR(m, i)->next)
		if (M_MR(m, i)->nic == sel->dev)
			return true;
	return false;
}

uint32_t *view_sel_sorted(const struct view_sel *sel, const struct model *m,
			  enum model_pool pool, uint32_t *n)
{
	uint32_t *v = model_sorted(m, pool, n), i, j = 0;

	for (i = 0; v && i < *n; i++)
		if (pool == MP_MR ? view_sel_mr(sel, M_MR(m, v[i])) : view_sel_buf(sel, m, v[i]))
			v[j++] = v[i];
	*n = j;
	return v;
}

void view_gaps_note(const struct view_src *s, char *buf, size_t len)
{
	char gaps[256];

	buf[0] = '\0';
	if (!s->rv || !recovery_gaps(s->rv))
		return;
	recovery_gaps_str(s->rv, gaps, sizeof(gaps));
	snprintf(buf, len, "started after the set-up: %s from before start could not be "
		 "seen and are not judged", gaps);
}

void view_src_json(struct jw *w, const struct view_src *s, const struct model *m)
{
	jw_kobj(w, "source");
	jw_kstr(w, "replay", s->replay);
	jw_ku64(w, "records", m->records);
	jw_key(w, "at");
	if (s->have_at) {
		jw_obj(w);
		jw_kbool(w, "relative", s->at_relative);
		jw_ku64(w, "ns", s->at_ns);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_kobj(w, "live");
	jw_kbool(w, "requested", s->live_requested);
	jw_kbool(w, "ok", s->live);
	jw_kstr(w, "error", s->live_err);
	jw_ki64(w, "events_hooked", s->hooked);
	jw_kf64(w, "traced_s", s->traced_s);
	jw_obj_end(w);
	jw_ku64(w, "lost", m->lost);
	jw_obj_end(w);
	recovery_json(w, s->rv ? s->rv : &(struct recovery){ 0 });
}

void view_src_text(FILE *out, const struct view_src *s, const struct model *m,
		   bool verbose)
{
	if (s->replay) {
		fprintf(out, "source: replay %s (%" PRIu64 " records", s->replay,
			s->replay_records);
		if (s->have_at)
			fprintf(out, ", up to %s%.6f s", s->at_relative ? "+" : "",
				s->at_ns / 1e9);
		fputs(")\n", out);
	} else if (s->live) {
		fprintf(out, "live: %d of %d events hooked, %" PRIu64 " record(s) traced%s",
			s->hooked, TPH_EV_MAX - 1, m->records - m->iter_records,
			s->traced_s > 0 ? "" : "\n");
		if (s->traced_s > 0)
			fprintf(out, " in %.1f s\n", s->traced_s);
	} else if (s->live_requested) {
		fprintf(out, "live: unavailable: %s\n", s->live_err ? s->live_err : "?");
	} else {
		fprintf(out, "live: not traced (-D SECONDS traces first)\n");
	}
	if (s->rv)
		recovery_print(out, s->rv, verbose);
}
