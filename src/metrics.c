// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Exporter metrics: record-fed counters, self-metrics, rendering. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "metrics.h"
#include "record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct metrics_family family_defs[MF_COUNT] = {
	[MF_RECORDS] = {
		"tphtrace_records_total",
		"Records received from the BPF programs, by event.",
		{ "event" }, 1 },
	[MF_PUBLISHES] = {
		"tphtrace_tph_publishes_total",
		"Steering tags published on a dma-buf by its exporter (VFIO "
		"DMA_BUF_TPH SET), by exporter device and result (ok or errno name).",
		{ "exporter", "result" }, 2 },
	[MF_QUERIES] = {
		"tphtrace_tph_queries_total",
		"Steering-tag queries of an importer to a dma-buf's exporter "
		"(get_tph), by exporter, ST width in bits and result.",
		{ "exporter", "width", "result" }, 3 },
	[MF_MR_REG] = {
		"tphtrace_mr_registrations_total",
		"mlx5 dma-buf MR registrations, by importer NIC, exporter, ST width "
		"in bits (0: TPH requester off), tag source and the reason the MR "
		"did or did not get the dma-buf's steering tag (ok: it did).",
		{ "importer", "exporter", "width", "source", "reason" }, 5 },
	[MF_MR_FAIL] = {
		"tphtrace_mr_registration_failures_total",
		"mlx5 dma-buf MR registrations that failed, by importer NIC and "
		"errno name.",
		{ "importer", "result" }, 2 },
	[MF_MR_DEREG] = {
		"tphtrace_mr_deregistrations_total",
		"mlx5 dma-buf MR deregistrations, by importer NIC.",
		{ "importer" }, 1 },
	[MF_ST_OPS] = {
		"tphtrace_st_index_operations_total",
		"mlx5 steering-tag table index operations (alloc, get, put), by NIC, "
		"operation and result.",
		{ "nic", "op", "result" }, 3 },
	[MF_PCI_OPS] = {
		"tphtrace_pci_tph_operations_total",
		"PCI TPH operations (enable, disable, st_write), by device, "
		"operation and result.",
		{ "device", "op", "result" }, 3 },
};

static const char *const lost_causes[TPH_DROP_MAX] = {
	[TPH_DROP_RINGBUF] = "ringbuf",
	[TPH_DROP_STATE] = "state",
};

int metrics_init(struct metrics *m, unsigned int max_series)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->max_series = max_series;
	for (i = 0; i < MF_COUNT; i++) {
		m->fam[i] = family_defs[i];
		m->fam[i].s = NULL;
		m->fam[i].n = m->fam[i].cap = 0;
		metrics_dropped(m, m->fam[i].name, 0);
	}
	return 0;
}

void metrics_free(struct metrics *m)
{
	int i;

	for (i = 0; i < MF_COUNT; i++)
		free(m->fam[i].s);
	free(m->agg.r);
	memset(m, 0, sizeof(*m));
}

void metrics_dropped(struct metrics *m, const char *family, uint64_t n)
{
	unsigned int i;

	for (i = 0; i < m->ndrops; i++) {
		if (!strcmp(m->drops[i].family, family)) {
			m->drops[i].n += n;
			return;
		}
	}
	if (m->ndrops < ARRAY_SIZE(m->drops))
		m->drops[m->ndrops++] = (struct metrics_drop){ family, n };
}

static int cmp_series(const struct metrics_series *a, const struct metrics_series *b,
		      unsigned int n)
{
	unsigned int i;
	int c;

	for (i = 0; i < n; i++) {
		c = strcmp(a->lv[i], b->lv[i]);
		if (c)
			return c;
	}
	return 0;
}

/* binary search: index of the series or of where it would go */
static size_t find_series(const struct metrics_family *f,
			  const struct metrics_series *key, bool *found)
{
	size_t lo = 0, hi = f->n, mid;
	int c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = cmp_series(&f->s[mid], key, f->nlabels);
		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void make_key(const struct metrics_family *f, const char *const *values,
		     struct metrics_series *key)
{
	unsigned int i;

	for (i = 0; i < f->nlabels; i++)
		snprintf(key->lv[i], METRICS_LV_LEN, "%s", values[i] ? values[i] : "");
	key->v = 0;
}

bool metrics_inc(struct metrics *m, enum metrics_family_id id,
		 const char *const *values, uint64_t by)
{
	struct metrics_family *f = &m->fam[id];
	struct metrics_series key, *ns;
	size_t pos, cap;
	bool found;

	make_key(f, values, &key);
	pos = find_series(f, &key, &found);
	if (found) {
		f->s[pos].v += by;
		return true;
	}
	if (m->max_series && f->n >= m->max_series) {
		metrics_dropped(m, f->name, 1);
		return false;
	}
	if (f->n == f->cap) {
		cap = f->cap ? f->cap * 2 : 16;
		ns = realloc(f->s, cap * sizeof(*ns));
		if (!ns) {
			metrics_dropped(m, f->name, 1);
			return false;
		}
		f->s = ns;
		f->cap = cap;
	}
	memmove(&f->s[pos + 1], &f->s[pos], (f->n - pos) * sizeof(*f->s));
	key.v = by;
	f->s[pos] = key;
	f->n++;
	return true;
}

uint64_t metrics_get(const struct metrics *m, enum metrics_family_id id,
		     const char *const *values)
{
	const struct metrics_family *f = &m->fam[id];
	struct metrics_series key;
	size_t pos;
	bool found;

	make_key(f, values, &key);
	pos = find_series(f, &key, &found);
	return found ? f->s[pos].v : 0;
}

/*
 * A device as a label: its PCI address, else its name. A record that names
 * a device only by name (an IB device on MR deregistration) gets the PCI
 * address the model learned for that name, so that one NIC is one label.
 */
static const char *dev_label(const struct metrics *m, const struct tph_dev *d,
			     char *out, size_t len)
{
	uint16_t i;

	if (!(d->valid & TPH_DEV_PCI) && m->model) {
		i = model_find_dev(m->model, d);
		if (i != M_NODEV) {
			tph_dev_str(&m->model->devs[i].id, out, len);
			if (*out)
				return out;
		}
	}
	tph_dev_str(d, out, len);
	return *out ? out : "unknown";
}

static char *width_label(unsigned int width, char *buf, size_t len)
{
	snprintf(buf, len, "%u", width);
	return buf;
}

/* the exporter of dma-buf @ino as the model knows it, NULL if it does not */
static const char *model_exporter(const struct model *md, uint64_t ino, char *out,
				  size_t len)
{
	uint32_t i = md ? model_find_buf(md, ino) : M_NONE;

	return i == M_NONE ? NULL : model_buf_exporter(md, M_BUF(md, i), out, len);
}

static const char *const st_ops[] = { "unknown", "alloc", "get", "put" };
static const char *const pci_ops[] = { "unknown", "enable", "disable", "st_write" };

void metrics_record(struct metrics *m, const union tph_record *rec)
{
	char dev[METRICS_LV_LEN], exp[METRICS_LV_LEN], res[16], wl[8];
	const char *v[METRICS_MAX_LABELS];
	const char *e;
	unsigned int kind = rec->hdr.kind;

	v[0] = tph_kind_name(kind);
	metrics_inc(m, MF_RECORDS, v, 1);

	switch (kind) {
	case TPH_EV_TPH_PUBLISH:
		v[0] = dev_label(m, &rec->publish.exporter, exp, sizeof(exp));
		/* hook iter: published state read at start, not a SET */
		if (rec->hdr.hook == TPH_HOOK_ITER)
			break;
		v[1] = tph_errno_name(rec->publish.ret, res, sizeof(res));
		metrics_inc(m, MF_PUBLISHES, v, 1);
		break;
	case TPH_EV_TPH_QUERY:
		/* the exporter callback names the device; else what the model knows */
		if ((rec->query.qflags & TPH_Q_EXPORTER_SEEN) && rec->query.exporter.valid)
			e = dev_label(m, &rec->query.exporter, exp, sizeof(exp));
		else
			e = model_exporter(m->model, rec->query.buf.ino, exp, sizeof(exp));
		v[0] = e && *e ? e : "unknown";
		v[1] = width_label(rec->query.extended ? 16 : 8, wl, sizeof(wl));
		v[2] = tph_errno_name(rec->query.ret, res, sizeof(res));
		metrics_inc(m, MF_QUERIES, v, 1);
		break;
	case TPH_EV_MR_REG:
		/* an MR from before start (RDMA netlink) is not a registration seen */
		if (rec->hdr.hook == TPH_HOOK_ITER)
			break;
		v[0] = dev_label(m, &rec->mr.nic, dev, sizeof(dev));
		e = model_exporter(m->model, rec->mr.ino, exp, sizeof(exp));
		v[1] = e ? e : "unknown";
		v[2] = width_label(rules_mr_width(rec->mr.req_type, rec->mr.extended), wl,
				   sizeof(wl));
		v[3] = tph_source_name(rec->mr.source);
		v[4] = tph_reason_name(rec->mr.reason);
		metrics_inc(m, MF_MR_REG, v, 1);
		if (rec->mr.ret) {
			v[1] = tph_errno_name(rec->mr.ret, res, sizeof(res));
			metrics_inc(m, MF_MR_FAIL, v, 1);
		}
		break;
	case TPH_EV_MR_DEREG:
		v[0] = dev_label(m, &rec->mr_dereg.nic, dev, sizeof(dev));
		metrics_inc(m, MF_MR_DEREG, v, 1);
		break;
	case TPH_EV_ST_INDEX:
		v[0] = dev_label(m, &rec->st.nic, dev, sizeof(dev));
		v[1] = st_ops[rec->st.op < ARRAY_SIZE(st_ops) ? rec->st.op : 0];
		v[2] = tph_errno_name(rec->st.ret, res, sizeof(res));
		metrics_inc(m, MF_ST_OPS, v, 1);
		break;
	case TPH_EV_PCI_TPH:
		/* the state read at start is not an operation */
		if (rec->hdr.hook == TPH_HOOK_ITER)
			break;
		v[0] = dev_label(m, &rec->pci.dev, dev, sizeof(dev));
		v[1] = pci_ops[rec->pci.op < ARRAY_SIZE(pci_ops) ? rec->pci.op : 0];
		v[2] = tph_errno_name(rec->pci.ret, res, sizeof(res));
		metrics_inc(m, MF_PCI_OPS, v, 1);
		break;
	}
}

void metrics_set_hooks(struct metrics *m, const unsigned char family[TPH_EV_MAX])
{
	int k;

	m->have_hooks = family != NULL;
	for (k = 0; k < TPH_EV_MAX; k++)
		m->hook_family[k] = family ? family[k] : TPH_HOOK_NONE;
}

void metrics_set_lost(struct metrics *m, const uint64_t lost[TPH_DROP_MAX])
{
	memcpy(m->lost, lost, sizeof(m->lost));
}

void metrics_http_request(struct metrics *m, unsigned int code)
{
	unsigned int i;

	for (i = 0; i < m->nhttp; i++) {
		if (m->http[i].code == code) {
			m->http[i].n++;
			return;
		}
	}
	if (m->nhttp >= METRICS_MAX_CODES)
		return;
	/* keep them sorted by code */
	for (i = m->nhttp; i > 0 && m->http[i - 1].code > code; i--)
		m->http[i] = m->http[i - 1];
	m->http[i].code = code;
	m->http[i].n = 1;
	m->nhttp++;
}

static void on_drop(void *ctx, const char *family, unsigned int dropped)
{
	metrics_dropped(ctx, family, dropped);
}

static void render_family(struct prom_writer *w, const struct metrics_family *f)
{
	struct prom_label l[METRICS_MAX_LABELS];
	unsigned int j;
	size_t i;

	prom_family(w, f->name, PROM_COUNTER, f->help);
	for (i = 0; i < f->n; i++) {
		for (j = 0; j < f->nlabels; j++)
			l[j] = (struct prom_label){ f->labels[j], f->s[i].lv[j] };
		prom_sample_u64(w, l, f->nlabels, f->s[i].v);
	}
}

static int cmp_prog(const void *a, const void *b)
{
	return strcmp(((const struct prog_stats *)a)->name,
		      ((const struct prog_stats *)b)->name);
}

static void render_progs(struct prom_writer *w, const struct prog_stats *progs,
			 size_t n)
{
	struct prog_stats sorted[METRICS_MAX_PROGS];
	struct prom_label l;
	size_t i;

	if (n > METRICS_MAX_PROGS)
		n = METRICS_MAX_PROGS;
	if (n)
		memcpy(sorted, progs, n * sizeof(*progs));
	qsort(sorted, n, sizeof(*sorted), cmp_prog);
	prom_family(w, "tphtrace_bpf_program_run_time_seconds_total", PROM_COUNTER,
		    "Time the kernel spent running each tphtrace BPF program "
		    "(bpf_prog_info run_time_ns; counts only while BPF statistics "
		    "are enabled, see tphtrace_bpf_stats_enabled).");
	for (i = 0; i < n; i++) {
		l = (struct prom_label){ "program", sorted[i].name };
		prom_sample_ns(w, &l, 1, sorted[i].run_time_ns);
	}
	prom_family(w, "tphtrace_bpf_program_runs_total", PROM_COUNTER,
		    "Runs of each tphtrace BPF program (bpf_prog_info run_cnt; "
		    "counts only while BPF statistics are enabled).");
	for (i = 0; i < n; i++) {
		l = (struct prom_label){ "program", sorted[i].name };
		prom_sample_u64(w, &l, 1, sorted[i].run_cnt);
	}
	prom_family(w, "tphtrace_bpf_program_recursion_misses_total", PROM_COUNTER,
		    "Runs of each tphtrace BPF program the kernel skipped because "
		    "the program was already running on that CPU.");
	for (i = 0; i < n; i++) {
		l = (struct prom_label){ "program", sorted[i].name };
		prom_sample_u64(w, &l, 1, sorted[i].recursion_misses);
	}
}

/* the exporter itself: build, start, collector, hooks, links, BPF stats */
static void render_self(struct prom_writer *w, const struct metrics *m)
{
	struct prom_label l[3];
	int k;

	prom_family(w, "tphtrace_build_info", PROM_GAUGE,
		    "tphtrace build: version, git revision and libbpf version; "
		    "always 1.");
	l[0] = (struct prom_label){ "version", TPHTRACE_VERSION };
	l[1] = (struct prom_label){ "revision", TPHTRACE_GIT };
	l[2] = (struct prom_label){ "libbpf", libbpf_version_string() };
	prom_sample_u64(w, l, 3, 1);

	prom_family(w, "tphtrace_start_time_seconds", PROM_GAUGE,
		    "When the exporter started, seconds since the Unix epoch.");
	prom_sample_f64(w, NULL, 0, m->start_time);

	prom_family(w, "tphtrace_collector_up", PROM_GAUGE,
		    "1 if BPF programs are loaded and records are collected, 0 "
		    "if no event could be hooked on this kernel (self-metrics only).");
	prom_sample_u64(w, NULL, 0, m->collector_up);

	prom_family(w, "tphtrace_hooks_attached", PROM_GAUGE,
		    "1 for each event with the hook family that observes it; 0 "
		    "with family=\"none\" for an event nothing on this kernel can "
		    "observe (see 'tphtrace probe').");
	if (m->have_hooks) {
		for (k = 1; k < TPH_EV_MAX; k++) {
			l[0] = (struct prom_label){ "event", tph_kind_name(k) };
			l[1] = (struct prom_label){ "family", tph_hook_name(m->hook_family[k]) };
			prom_sample_u64(w, l, 2, m->hook_family[k] != TPH_HOOK_NONE);
		}
	}

	prom_family(w, "tphtrace_bpf_links", PROM_GAUGE,
		    "BPF programs attached (links held by the collector).");
	prom_sample_u64(w, NULL, 0, m->nlinks > 0 ? m->nlinks : 0);

	prom_family(w, "tphtrace_bpf_stats_enabled", PROM_GAUGE,
		    "1 while the exporter holds kernel BPF run-time statistics "
		    "enabled (BPF_ENABLE_STATS), which the program run time and "
		    "run counts need.");
	prom_sample_u64(w, NULL, 0, m->stats_enabled);
}

/* what was lost on the way: records (by cause), HTTP answers by status */
static void render_lost_http(struct prom_writer *w, const struct metrics *m)
{
	struct prom_label l[1];
	char num[16];
	unsigned int i;
	int k;

	prom_family(w, "tphtrace_records_lost_total", PROM_COUNTER,
		    "Records the BPF programs could not deliver, by cause "
		    "(ringbuf: ring buffer full; state: per-task state map full).");
	for (k = 0; k < TPH_DROP_MAX; k++) {
		l[0] = (struct prom_label){ "cause", lost_causes[k] };
		prom_sample_u64(w, l, 1, m->lost[k]);
	}

	prom_family(w, "tphtrace_http_requests_total", PROM_COUNTER,
		    "HTTP requests answered by the exporter, by status code.");
	for (i = 0; i < m->nhttp; i++) {
		snprintf(num, sizeof(num), "%u", m->http[i].code);
		l[0] = (struct prom_label){ "code", num };
		prom_sample_u64(w, l, 1, m->http[i].n);
	}
}

void metrics_render(struct metrics *m, struct prom_buf *buf,
		    const struct prog_stats *progs, size_t nprogs,
		    metrics_model_fn model_render, void *model_ctx)
{
	struct prom_writer w;
	struct prom_label l[1];
	unsigned int i;

	prom_buf_reset(buf);
	prom_writer_init(&w, buf, m->max_series, on_drop, m);

	for (i = 0; i < MF_COUNT; i++)
		render_family(&w, &m->fam[i]);
	if (model_render)
		model_render(model_ctx, &w);
	render_self(&w, m);
	render_progs(&w, progs, progs ? nprogs : 0);
	render_lost_http(&w, m);

	/* last, so that series cut from the families above are counted */
	prom_writer_finish(&w);
	w.max_series = 0;
	prom_family(&w, "tphtrace_metric_series_dropped_total", PROM_COUNTER,
		    "Series left out because their family reached the series cap "
		    "(--metrics.max-series): updates that would have created a new "
		    "series, plus series cut from a scrape.");
	for (i = 0; i < m->ndrops; i++) {
		l[0] = (struct prom_label){ "family", m->drops[i].family };
		prom_sample_u64(&w, l, 1, m->drops[i].n);
	}
	prom_writer_finish(&w);
}

/* ---- gauges from the model ---- */

static void agg_reset(struct metrics_agg *a, unsigned int nl)
{
	a->n = 0;
	a->nl = nl;
	a->oom = false;
}

static int cmp_agg(const struct metrics_agg_row *r, const char *const *v,
		   unsigned int nl)
{
	unsigned int i;
	int c;

	for (i = 0; i < nl; i++) {
		c = strncmp(r->lv[i], v[i], METRICS_LV_LEN - 1);
		if (c)
			return c;
	}
	return 0;
}

/* add @by to the row with these label values (binary search, sorted) */
static void agg_add(struct metrics_agg *a, const char *const *v, uint64_t by)
{
	size_t lo = 0, hi = a->n, mid, cap;
	struct metrics_agg_row *nr;
	unsigned int i;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = cmp_agg(&a->r[mid], v, a->nl);
		if (!c) {
			a->r[mid].v += by;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 64;
		nr = realloc(a->r, cap * sizeof(*nr));
		if (!nr) {
			a->oom = true;
			return;
		}
		a->r = nr;
		a->cap = cap;
	}
	memmove(&a->r[lo + 1], &a->r[lo], (a->n - lo) * sizeof(*a->r));
	for (i = 0; i < a->nl; i++)
		snprintf(a->r[lo].lv[i], METRICS_LV_LEN, "%s", v[i]);
	a->r[lo].v = by;
	a->n++;
}

static void agg_render(struct prom_writer *w, const struct metrics_agg *a,
		       const char *name, const char *help, const char *const *labels)
{
	struct prom_label l[METRICS_AGG_LABELS];
	unsigned int j;
	size_t i;

	prom_family(w, name, PROM_GAUGE, help);
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->nl; j++)
			l[j] = (struct prom_label){ labels[j], a->r[i].lv[j] };
		prom_sample_u64(w, l, a->nl, a->r[i].v);
	}
}

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

static const char *const l_exp[] = { "exporter" };
static const char *const l_exp_imp[] = { "exporter", "importer" };
static const char *const l_exp_w[] = { "exporter", "width" };
static const char *const l_imp_exp_tph[] = { "importer", "exporter", "tph" };
static const char *const l_imp_exp[] = { "importer", "exporter" };
static const char *const l_nic[] = { "nic" };

/* dma-bufs and published tags per exporter */
static void render_bufs(struct metrics_agg *a, struct prom_writer *w, const struct model *md)
{
	char e[METRICS_LV_LEN];
	const char *v[METRICS_AGG_LABELS];
	const struct m_buf *b;
	uint32_t i;

	agg_reset(a, 1);
	MODEL_FOR_EACH(md, MP_BUF, i) {
		v[0] = or_unknown(model_buf_exporter(md, M_BUF(md, i), e, sizeof(e)));
		agg_add(a, v, 1);
	}
	agg_render(w, a, "tphtrace_dmabufs",
		   "Live dma-bufs, by exporter (device, else exporter name).", l_exp);

	agg_reset(a, 2);
	MODEL_FOR_EACH(md, MP_BUF, i) {
		b = M_BUF(md, i);
		v[0] = or_unknown(model_buf_exporter(md, b, e, sizeof(e)));
		if (b->pub_flags & M_PUB_ST) {
			v[1] = "8";
			agg_add(a, v, 1);
		}
		if (b->pub_flags & M_PUB_ST_EXT) {
			v[1] = "16";
			agg_add(a, v, 1);
		}
	}
	agg_render(w, a, "tphtrace_published_tags",
		   "Live dma-bufs with a published steering tag, by exporter and "
		   "ST width in bits.", l_exp_w);

	agg_reset(a, 2);
	MODEL_FOR_EACH(md, MP_ATTACH, i) {
		const struct m_attach *at = M_ATTACH(md, i);
		char d[METRICS_LV_LEN];

		b = model_used(md, MP_BUF, at->buf) ? M_BUF(md, at->buf) : NULL;
		v[0] = or_unknown(b ? model_buf_exporter(md, b, e, sizeof(e)) : NULL);
		v[1] = or_unknown(model_dev_label(md, at->importer, d, sizeof(d)));
		agg_add(a, v, 1);
	}
	agg_render(w, a, "tphtrace_dmabuf_attachments",
		   "Live dma-buf attachments, by exporter and importer device.", l_exp_imp);
}

/*
 * MRs, those that existed before start (RDMA netlink: their TPH outcome is
 * not known, so they are in neither tph="true" nor "false"), and those
 * carrying a tag the dma-buf no longer publishes (rules)
 */
static void render_mrs(struct metrics_agg *a, struct prom_writer *w, const struct model *md)
{
	char e[METRICS_LV_LEN], d[METRICS_LV_LEN];
	const char *v[METRICS_AGG_LABELS];
	const struct m_buf *b;
	uint32_t i;

	agg_reset(a, 3);
	MODEL_FOR_EACH(md, MP_MR, i) {
		const struct m_mr *x = M_MR(md, i);

		if (x->pre_start)
			continue;
		b = model_mr_buf(md, x);
		v[0] = or_unknown(model_dev_label(md, x->nic, d, sizeof(d)));
		v[1] = or_unknown(b ? model_buf_exporter(md, b, e, sizeof(e)) : NULL);
		v[2] = model_mr_has_tph(x) ? "true" : "false";
		agg_add(a, v, 1);
	}
	agg_render(w, a, "tphtrace_mrs",
		   "Live mlx5 dma-buf MRs, by importer NIC, exporter and whether the "
		   "mkey has TPH.", l_imp_exp_tph);

	agg_reset(a, 1);
	MODEL_FOR_EACH(md, MP_MR, i) {
		const struct m_mr *x = M_MR(md, i);

		if (!x->pre_start)
			continue;
		v[0] = or_unknown(model_dev_label(md, x->nic, d, sizeof(d)));
		agg_add(a, v, 1);
	}
	agg_render(w, a, "tphtrace_mrs_pre_start",
		   "MRs that existed when tphtrace started, by RDMA device (RDMA netlink "
		   "resource dump, any memory, not only dma-bufs); their TPH outcome is "
		   "not known.", l_nic);

	agg_reset(a, 2);
	MODEL_FOR_EACH(md, MP_MR, i) {
		const struct m_mr *x = M_MR(md, i);

		if (!rules_mr_stale(md, x))
			continue;
		v[0] = or_unknown(model_dev_label(md, x->nic, d, sizeof(d)));
		v[1] = or_unknown(model_buf_exporter(md, model_mr_buf(md, x), e, sizeof(e)));
		agg_add(a, v, 1);
	}
	agg_render(w, a, "tphtrace_mrs_stale",
		   "Live MRs programmed with a tag their dma-buf no longer publishes "
		   "(SET again with another tag, or invalidated since: rules TPH009, "
		   "TPH010).", l_imp_exp);
}

static void dev_sample(struct prom_writer *w, const struct model *md, uint16_t k,
		       const char *label, uint64_t v)
{
	char d[METRICS_LV_LEN];
	struct prom_label l = { label, or_unknown(model_dev_label(md, k, d, sizeof(d))) };

	prom_sample_u64(w, &l, 1, v);
}

/* ST tables (the capacity is the rules' judgement) and PCI TPH state */
static void render_devices(struct prom_writer *w, const struct model *md)
{
	unsigned int k;

	prom_family(w, "tphtrace_st_table_used_entries", PROM_GAUGE,
		    "Steering-tag table entries in use, per NIC (0 for a table known "
		    "from config space before its first use).");
	for (k = 0; k < md->ndevs; k++) {
		const struct m_dev *dv = &md->devs[k];

		/* a table: known in size, or a NIC that has used or filled one */
		if (dv->st_direct == 1 ||
		    (!rules_st_capacity(dv) && (!(dv->roles & MD_NIC) ||
						(dv->st_direct == TPH_UNKNOWN_U8 &&
						 !dv->st_used && !dv->st_full))))
			continue;
		dev_sample(w, md, k, "nic", dv->st_used);
	}
	prom_family(w, "tphtrace_st_table_capacity_entries", PROM_GAUGE,
		    "Steering-tag table entries that can hold a tag, per NIC: the PCI ST "
		    "Table Size less the reserved entry 0 (from config space at start, "
		    "else learned when the table was first found full).");
	for (k = 0; k < md->ndevs; k++)
		if (rules_st_capacity(&md->devs[k]))
			dev_sample(w, md, k, "nic", rules_st_capacity(&md->devs[k]));
	prom_family(w, "tphtrace_pci_tph_requester_type", PROM_GAUGE,
		    "TPH requester type enabled per PCI function: 0 disabled, 1 TPH, "
		    "3 extended TPH (devices whose state tphtrace has seen).");
	for (k = 0; k < md->ndevs; k++) {
		const struct m_dev *dv = &md->devs[k];

		if (dv->req_type != TPH_REQ_DISABLE && dv->req_type != TPH_REQ_TPH_ONLY &&
		    dv->req_type != TPH_REQ_EXT_TPH)
			continue;
		dev_sample(w, md, k, "device", dv->enabled == 0 ? 0 : dv->req_type);
	}
}

/* one family with a sample per rule (0 when it has none) */
static void by_rule(struct prom_writer *w, const char *name, enum prom_type type,
		    const char *help, const uint64_t *v)
{
	struct prom_label rl[2];
	unsigned int k;

	prom_family(w, name, type, help);
	for (k = 0; k < tph_nrules && k < 64; k++) {
		rl[0] = (struct prom_label){ "rule", tph_rules[k].id };
		rl[1] = (struct prom_label){ "severity", rule_sev_name(tph_rules[k].sev) };
		prom_sample_u64(w, rl, 2, v[k]);
	}
}

/* findings: every rule, 0 when it has none */
static void render_findings(struct prom_writer *w, const struct rules *rs)
{
	uint64_t distinct[64] = {}, occ[64] = {};
	uint32_t f;

	for (f = 0; f < rs->n; f++) {
		if (rs->f[f].rule < 64) {
			distinct[rs->f[f].rule]++;
			occ[rs->f[f].rule] += rs->f[f].count;
		}
	}
	by_rule(w, "tphtrace_findings", PROM_GAUGE,
		"Distinct findings of the rules engine (kept since start; "
		"'tphtrace check' explains each rule), by rule id and severity.", distinct);
	by_rule(w, "tphtrace_finding_occurrences_total", PROM_COUNTER,
		"Occurrences of findings (a finding seen again counts again), "
		"by rule id and severity.", occ);
	prom_family(w, "tphtrace_findings_dropped_total", PROM_COUNTER,
		    "Findings not kept because the findings store was full "
		    "(--max-findings).");
	prom_sample_u64(w, NULL, 0, rs->dropped);
}

/* the model's own bounds */
static void render_pools(struct prom_writer *w, const struct model *md)
{
	struct prom_label l;
	int k;

	prom_family(w, "tphtrace_model_entries", PROM_GAUGE,
		    "Entries in use in each model pool.");
	for (k = 0; k < MP_MAX; k++) {
		l = (struct prom_label){ "pool", model_pool_name(k) };
		prom_sample_u64(w, &l, 1, model_count(md, k));
	}
	prom_family(w, "tphtrace_model_capacity_entries", PROM_GAUGE,
		    "Size of each model pool (--max-dmabufs, --max-mrs, ...).");
	for (k = 0; k < MP_MAX; k++) {
		l = (struct prom_label){ "pool", model_pool_name(k) };
		prom_sample_u64(w, &l, 1, model_capacity(md, k));
	}
	prom_family(w, "tphtrace_model_evictions_total", PROM_COUNTER,
		    "Model entries evicted because their pool was full.");
	for (k = 0; k < MP_MAX; k++) {
		l = (struct prom_label){ "pool", model_pool_name(k) };
		prom_sample_u64(w, &l, 1, model_evicted(md, k));
	}
}

void metrics_render_model(struct metrics *m, struct prom_writer *w,
			  const struct model *md, const struct rules *rs)
{
	render_bufs(&m->agg, w, md);
	render_mrs(&m->agg, w, md);
	render_devices(w, md);
	if (rs)
		render_findings(w, rs);
	render_pools(w, md);
}
