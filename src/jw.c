// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Streaming JSON writer: compact, one document per line. */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "jw.h"

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

/* the separator before a value (or a key) at the current level */
static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
}

static void open(struct jw *w, char c)
{
	sep(w);
	fputc(c, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
	if (!w->depth) {
		fputc('\n', w->f);
		w->first[0] = true;
	}
}

void jw_obj(struct jw *w)
{
	open(w, '{');
}

void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}

void jw_arr(struct jw *w)
{
	open(w, '[');
}

void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

static void put_escaped(FILE *f, const char *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < ' ') {
				fputs("\\u00", f);
				fputc(hx[c >> 4], f);
				fputc(hx[c & 0xf], f);
			} else {
				fputc(c, f);
			}
		}
	}
	fputc('"', f);
}

void jw_key(struct jw *w, const char *key)
{
	sep(w);
	put_escaped(w->f, key, strlen(key));
	fputc(':', w->f);
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	put_escaped(w->f, s, strnlen(s, n));
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	sep(w);
	put_escaped(w->f, s, strlen(s));
}

void jw_u64(struct jw *w, uint64_t v)
{
	sep(w);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_i64(struct jw *w, int64_t v)
{
	sep(w);
	fprintf(w->f, "%" PRId64, v);
}

void jw_f64(struct jw *w, double v)
{
	sep(w);
	if (isfinite(v))
		fprintf(w->f, "%.9g", v);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
	sep(w);
	fputs("null", w->f);
}

void jw_doc(struct jw *w, const char *command)
{
	jw_obj(w);
	jw_kstr(w, "command", command);
	jw_kstr(w, "version", TPHTRACE_VERSION);
}
