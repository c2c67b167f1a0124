/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one JSON style of every command's -j output (docs/json.md): each
 * document is one line of compact JSON, written as it is produced (no tree
 * is built, so a model of 100 000 dma-bufs costs no more memory than one of
 * them). Keys are snake_case, unknown values are null, numbers are numbers.
 * `trace -j` writes the same style with its own fast writer (record.c),
 * which the benchmark needs.
 */
#ifndef TPHTRACE_JW_H
#define TPHTRACE_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH	16

struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH];	/* nothing written yet at this level */
	bool after_key;
};

void jw_init(struct jw *w, FILE *f);

void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);	/* ends the line when the document ends */
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);

void jw_str(struct jw *w, const char *s);	/* NULL: null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_f64(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

/* "key": value */
static inline void jw_kstr(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

static inline void jw_ku64(struct jw *w, const char *k, uint64_t v)
{
	jw_key(w, k);
	jw_u64(w, v);
}

static inline void jw_ki64(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_i64(w, v);
}

static inline void jw_kf64(struct jw *w, const char *k, double v)
{
	jw_key(w, k);
	jw_f64(w, v);
}

static inline void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

static inline void jw_knull(struct jw *w, const char *k)
{
	jw_key(w, k);
	jw_null(w);
}

static inline void jw_kobj(struct jw *w, const char *k)
{
	jw_key(w, k);
	jw_obj(w);
}

static inline void jw_karr(struct jw *w, const char *k)
{
	jw_key(w, k);
	jw_arr(w);
}

/*
 * The common head of every document: {"tphtrace":"0.1.0","command":CMD,
 * the caller's members follow. Ended with jw_obj_end().
 */
void jw_doc(struct jw *w, const char *command);

#endif /* TPHTRACE_JW_H */
