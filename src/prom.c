// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Prometheus text format 0.0.4 rendering (see prom.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prom.h"

void prom_buf_init(struct prom_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void prom_buf_free(struct prom_buf *b)
{
	free(b->p);
	prom_buf_init(b);
}

void prom_buf_reset(struct prom_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

/* room for @n more bytes plus a NUL */
static bool buf_reserve(struct prom_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->oom)
		return false;
	want = b->len + n + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < want)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void prom_buf_put(struct prom_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void prom_buf_puts(struct prom_buf *b, const char *s)
{
	prom_buf_put(b, s, strlen(s));
}

static void buf_putc(struct prom_buf *b, char c)
{
	prom_buf_put(b, &c, 1);
}

void prom_buf_printf(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!buf_reserve(b, 64))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!buf_reserve(b, n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += n;
}

/* length of the valid UTF-8 sequence at @s (1..4), 0 if invalid */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && s[1] > 0x9f)
			return 0;	/* surrogates */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] > 0x8f)
			return 0;
		return 4;
	}
	return 0;
}

static void escape(struct prom_buf *b, const char *str, bool quote)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s) {
		switch (*s) {
		case '\\':
			prom_buf_put(b, "\\\\", 2);
			s++;
			continue;
		case '\n':
			prom_buf_put(b, "\\n", 2);
			s++;
			continue;
		case '"':
			if (quote)
				prom_buf_put(b, "\\\"", 2);
			else
				buf_putc(b, '"');
			s++;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			buf_putc(b, '?');
			s++;
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			buf_putc(b, '?');
			s++;
			continue;
		}
		prom_buf_put(b, (const char *)s, n);
		s += n;
	}
}

void prom_escape_label(struct prom_buf *b, const char *s)
{
	escape(b, s ? s : "", true);
}

void prom_escape_help(struct prom_buf *b, const char *s)
{
	escape(b, s ? s : "", false);
}

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (c == ':')
		return colon;
	return !first && c >= '0' && c <= '9';
}

bool prom_valid_metric_name(const char *s)
{
	const char *p;

	if (!s || !*s)
		return false;
	for (p = s; *p; p++)
		if (!name_char(*p, p == s, true))
			return false;
	return true;
}

bool prom_valid_label_name(const char *s)
{
	const char *p;

	if (!s || !*s || !strncmp(s, "__", 2))
		return false;
	for (p = s; *p; p++)
		if (!name_char(*p, p == s, false))
			return false;
	return true;
}

void prom_format_double(double v, char *buf, size_t len)
{
	int prec;

	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

void prom_writer_init(struct prom_writer *w, struct prom_buf *buf,
		      unsigned int max_series, prom_drop_fn on_drop, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->max_series = max_series;
	w->on_drop = on_drop;
	w->ctx = ctx;
}

static void end_family(struct prom_writer *w)
{
	if (w->family && w->dropped && w->on_drop)
		w->on_drop(w->ctx, w->family, w->dropped);
	w->family = NULL;
	w->nseries = 0;
	w->dropped = 0;
}

static const char *const type_names[] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
	[PROM_UNTYPED] = "untyped",
};

bool prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help)
{
	unsigned int i;

	if (w->family && !strcmp(w->family, name))
		return true;
	end_family(w);
	if (!prom_valid_metric_name(name) || (unsigned int)type > PROM_UNTYPED) {
		w->error = true;
		return false;
	}
	for (i = 0; i < w->nseen; i++) {
		if (!strcmp(w->seen[i], name)) {
			w->error = true;	/* would split the family */
			return false;
		}
	}
	if (w->nseen < PROM_MAX_FAMILIES)
		w->seen[w->nseen++] = name;
	w->family = name;
	prom_buf_printf(w->buf, "# HELP %s ", name);
	prom_escape_help(w->buf, help);
	prom_buf_printf(w->buf, "\n# TYPE %s %s\n", name, type_names[type]);
	return true;
}

/* name{labels} and a space, or false when the sample is left out */
static bool sample_head(struct prom_writer *w, const struct prom_label *labels,
			size_t nlabels)
{
	size_t i;
	bool any = false;

	if (!w->family)
		return false;
	if (w->max_series && w->nseries >= w->max_series) {
		w->dropped++;
		return false;
	}
	w->nseries++;
	prom_buf_puts(w->buf, w->family);
	for (i = 0; i < nlabels; i++) {
		if (!labels[i].name)
			continue;
		if (!prom_valid_label_name(labels[i].name)) {
			w->error = true;
			continue;
		}
		buf_putc(w->buf, any ? ',' : '{');
		any = true;
		prom_buf_puts(w->buf, labels[i].name);
		prom_buf_put(w->buf, "=\"", 2);
		prom_escape_label(w->buf, labels[i].value);
		buf_putc(w->buf, '"');
	}
	if (any)
		buf_putc(w->buf, '}');
	buf_putc(w->buf, ' ');
	return true;
}

bool prom_sample_u64(struct prom_writer *w, const struct prom_label *labels,
		     size_t nlabels, uint64_t value)
{
	if (!sample_head(w, labels, nlabels))
		return false;
	prom_buf_printf(w->buf, "%llu\n", (unsigned long long)value);
	return true;
}

bool prom_sample_f64(struct prom_writer *w, const struct prom_label *labels,
		     size_t nlabels, double value)
{
	char num[40];

	if (!sample_head(w, labels, nlabels))
		return false;
	prom_format_double(value, num, sizeof(num));
	prom_buf_puts(w->buf, num);
	buf_putc(w->buf, '\n');
	return true;
}

bool prom_sample_ns(struct prom_writer *w, const struct prom_label *labels,
		    size_t nlabels, uint64_t ns)
{
	if (!sample_head(w, labels, nlabels))
		return false;
	prom_buf_printf(w->buf, "%llu.%09llu\n",
			(unsigned long long)(ns / 1000000000ull),
			(unsigned long long)(ns % 1000000000ull));
	return true;
}

void prom_writer_finish(struct prom_writer *w)
{
	end_family(w);
}
