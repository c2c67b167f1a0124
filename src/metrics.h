/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The exporter's metrics: counters fed by records (TPH publishes and
 * queries, MR registrations by importer/exporter/width/source/reason, ST
 * index and PCI TPH operations), the self-metrics (hooks, lost records, BPF
 * program run time, build info) and their rendering in the Prometheus text
 * format (prom.h). Gauges describing current state (dma-bufs, attachments,
 * published tags, ST tables, findings) come from the model.
 *
 * Cardinality is bounded: labels are devices, enums and errno names, never
 * pids, inodes or mkeys; a family holds at most max_series series and an
 * update that would create one more is counted in
 * tphtrace_metric_series_dropped_total{family} instead.
 *
 * Not thread-safe: the exporter serialises every call with one mutex.
 */
#ifndef TPHTRACE_METRICS_H
#define TPHTRACE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "collect.h"
#include "model.h"
#include "prom.h"
#include "rules.h"
#include "tphtrace/tphtrace.h"

#define METRICS_MAX_LABELS	5
#define METRICS_LV_LEN		48	/* a label value, NUL included */
#define METRICS_DEFAULT_MAX_SERIES 1000
#define METRICS_MAX_PROGS	128
#define METRICS_MAX_CODES	8

struct metrics_series {
	char lv[METRICS_MAX_LABELS][METRICS_LV_LEN];
	uint64_t v;
};

/* A counter family kept here; series sorted by label values. */
struct metrics_family {
	const char *name;
	const char *help;
	const char *labels[METRICS_MAX_LABELS];
	unsigned int nlabels;
	struct metrics_series *s;
	size_t n, cap;
};

enum metrics_family_id {
	MF_RECORDS,
	MF_PUBLISHES,
	MF_QUERIES,
	MF_MR_REG,
	MF_MR_FAIL,
	MF_MR_DEREG,
	MF_ST_OPS,
	MF_PCI_OPS,
	MF_COUNT,
};

struct metrics_drop {
	const char *family;
	uint64_t n;
};

/* Scratch rows for gauges aggregated from the model at scrape time; the
 * array is kept and reused from scrape to scrape. */
#define METRICS_AGG_LABELS	3
struct metrics_agg_row {
	char lv[METRICS_AGG_LABELS][METRICS_LV_LEN];
	uint64_t v;
};

struct metrics_agg {
	struct metrics_agg_row *r;
	size_t n, cap;
	unsigned int nl;
	bool oom;
};

struct metrics {
	unsigned int max_series;
	struct metrics_family fam[MF_COUNT];
	/* the live model (the feed applies a record before the metrics count
	 * it): names a dma-buf's exporter and a device known only by name */
	const struct model *model;
	struct metrics_agg agg;

	/* self-metrics, set by the exporter */
	double start_time;		/* unix seconds */
	bool collector_up;
	bool stats_enabled;
	int nlinks;
	bool have_hooks;
	unsigned char hook_family[TPH_EV_MAX];	/* enum tph_hook_family */
	uint64_t lost[TPH_DROP_MAX];
	struct {
		unsigned int code;
		uint64_t n;
	} http[METRICS_MAX_CODES];
	unsigned int nhttp;
	struct metrics_drop drops[PROM_MAX_FAMILIES];
	unsigned int ndrops;
};

int metrics_init(struct metrics *m, unsigned int max_series);
void metrics_free(struct metrics *m);

/* Count one record (counters by device, width, source, reason, result). */
void metrics_record(struct metrics *m, const union tph_record *rec);

/* Self-metrics inputs. */
/* the hook family of each event (enum tph_hook_family; NULL: none known) */
void metrics_set_hooks(struct metrics *m, const unsigned char family[TPH_EV_MAX]);
void metrics_set_lost(struct metrics *m, const uint64_t lost[TPH_DROP_MAX]);
void metrics_http_request(struct metrics *m, unsigned int code);
/* series left out of @family (store full, or cut at rendering) */
void metrics_dropped(struct metrics *m, const char *family, uint64_t n);

/*
 * Increment the series of family @id with these label values (nlabels of
 * the family). Returns false when the family is full (counted as dropped).
 */
bool metrics_inc(struct metrics *m, enum metrics_family_id id,
		 const char *const *values, uint64_t by);
/* value of a series, 0 if absent (tests) */
uint64_t metrics_get(const struct metrics *m, enum metrics_family_id id,
		     const char *const *values);

/*
 * Render every family into @buf (reset first). @progs: per-program BPF
 * statistics gathered by the caller (may be NULL). Model-derived gauges are
 * rendered by the caller-supplied @model_render between the counters and
 * the self-metrics (may be NULL).
 */
typedef void (*metrics_model_fn)(void *ctx, struct prom_writer *w);
void metrics_render(struct metrics *m, struct prom_buf *buf,
		    const struct prog_stats *progs, size_t nprogs,
		    metrics_model_fn model_render, void *model_ctx);

/*
 * Gauges from the live model and the rules engine (dma-bufs, attachments,
 * published tags, MRs, stale MRs, ST tables, PCI TPH state, findings, model
 * pools), written with @w's series cap. @rs may be NULL.
 */
void metrics_render_model(struct metrics *m, struct prom_writer *w,
			  const struct model *md, const struct rules *rs);

#endif /* TPHTRACE_METRICS_H */
