/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Prometheus text exposition format 0.0.4: a growable output buffer that is
 * reused from scrape to scrape, and a writer that emits HELP and TYPE once
 * per family, escapes help text and label values, keeps every family's
 * samples contiguous and enforces a cap on the series of one family.
 *
 * Nothing here allocates per series: the buffer grows geometrically and is
 * kept between scrapes.
 */
#ifndef TPHTRACE_PROM_H
#define TPHTRACE_PROM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct prom_buf {
	char *p;
	size_t len, cap;
	bool oom;		/* an append failed: the content is truncated */
};

void prom_buf_init(struct prom_buf *b);
void prom_buf_free(struct prom_buf *b);
/* empty it, keeping the memory */
void prom_buf_reset(struct prom_buf *b);
void prom_buf_put(struct prom_buf *b, const char *s, size_t n);
void prom_buf_puts(struct prom_buf *b, const char *s);
void prom_buf_printf(struct prom_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_UNTYPED,
};

struct prom_label {
	const char *name;
	const char *value;
};

#define PROM_MAX_FAMILIES	128

/*
 * Called when a family ends with series left out by the cap (@dropped > 0),
 * so the owner can account them in tphtrace_metric_series_dropped_total.
 */
typedef void (*prom_drop_fn)(void *ctx, const char *family, unsigned int dropped);

struct prom_writer {
	struct prom_buf *buf;
	unsigned int max_series;	/* per family; 0: no cap */
	prom_drop_fn on_drop;
	void *ctx;
	/* state */
	const char *family;		/* current family, NULL before the first */
	unsigned int nseries, dropped;
	const char *seen[PROM_MAX_FAMILIES];
	unsigned int nseen;
	bool error;			/* misuse: a family begun twice, a bad name */
};

void prom_writer_init(struct prom_writer *w, struct prom_buf *buf,
		      unsigned int max_series, prom_drop_fn on_drop, void *ctx);
/*
 * Begin family @name: writes "# HELP" and "# TYPE". Beginning the current
 * family again continues it; beginning a family that already ended (its
 * samples would not be contiguous) or one with an invalid name sets
 * w->error and drops its samples. Returns false in that case.
 */
bool prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help);
/*
 * One sample of the current family: name{labels} value. Returns false when
 * the sample was left out (series cap reached, no valid family).
 */
bool prom_sample_u64(struct prom_writer *w, const struct prom_label *labels,
		     size_t nlabels, uint64_t value);
bool prom_sample_f64(struct prom_writer *w, const struct prom_label *labels,
		     size_t nlabels, double value);
/* a count of nanoseconds written exactly as seconds ("12.000000345") */
bool prom_sample_ns(struct prom_writer *w, const struct prom_label *labels,
		    size_t nlabels, uint64_t ns);
/* end the last family (reports its drops); call once after the last sample */
void prom_writer_finish(struct prom_writer *w);

/* Escaping, exposed for tests. Label values: \ " and newline; help: \ and
 * newline. Bytes that are not valid UTF-8, and control characters other than
 * newline, become '?' (the format is UTF-8 text). */
void prom_escape_label(struct prom_buf *b, const char *s);
void prom_escape_help(struct prom_buf *b, const char *s);
/* [a-zA-Z_:][a-zA-Z0-9_:]* ; labels: no colon, not starting with "__" */
bool prom_valid_metric_name(const char *s);
bool prom_valid_label_name(const char *s);
/* shortest text that reads back as @v; +Inf, -Inf, NaN */
void prom_format_double(double v, char *buf, size_t len);

#endif /* TPHTRACE_PROM_H */
