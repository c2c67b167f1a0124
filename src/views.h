/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What list, top and check show, as functions of the model, the rules and
 * where the records came from, so that the commands only parse options and
 * run (runner.h), and tests can render a view of any model.
 */
#ifndef TPHTRACE_VIEWS_H
#define TPHTRACE_VIEWS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "feed.h"
#include "recovery.h"

struct jw;
struct runner;

/* where the records of a view came from */
struct view_src {
	const char *replay;		/* file, NULL: none */
	uint64_t replay_records;
	bool have_at;			/* --at: only records up to... */
	bool at_relative;
	uint64_t at_ns;
	bool live_requested;
	bool live;			/* traced live */
	const char *live_err;		/* why not, NULL */
	int hooked;			/* events hooked live */
	double traced_s;
	const struct recovery *rv;	/* NULL: no recovery ran */
};

/* what to show: everything, or one dma-buf / one device */
struct view_sel {
	uint64_t ino;			/* 0: every dma-buf */
	uint16_t dev;			/* M_NODEV: every device; OPTS_NO_DEVICE: none */
	unsigned int width;		/* text: columns, 0 no limit */
	bool verbose;			/* text: nothing elided */
};

struct cmd_opts;
void view_src_init(struct view_src *s, const struct runner *r, const struct cmd_opts *o);
void view_sel_init(struct view_sel *s, const struct cmd_opts *o, const struct feed *f,
		   unsigned int dflt_width);

/* "source" and "recovery" members of a view's JSON document */
void view_src_json(struct jw *w, const struct view_src *s, const struct model *m);
/* one or two lines: replay / live / recovered, and what was not seen */
void view_src_text(FILE *out, const struct view_src *s, const struct model *m,
		   bool verbose);
/* the what-could-not-be-seen note of a live view started late, "" if none */
void view_gaps_note(const struct view_src *s, char *buf, size_t len);

/* list */
void view_list_text(FILE *out, struct feed *f, const struct view_src *s,
		    const struct view_sel *sel);
void view_list_json(FILE *out, struct feed *f, const struct view_src *s,
		    const struct view_sel *sel);

/* list --tree: the topology and each MR's path */
void view_tree_text(FILE *out, struct feed *f, const struct view_sel *sel);

/* top: one frame */
enum top_sort { SORT_INODE, SORT_SIZE, SORT_MRS, SORT_NOTPH, SORT_EXPORTER, SORT_MAX };
extern const char *const top_sort_names[SORT_MAX];
struct top_frame {
	enum top_sort sort;
	bool tty;			/* clear the screen, highlight */
	unsigned int rows;		/* terminal rows, 0: no limit */
	const char *clock;		/* "12:00:00" */
};
void view_top_text(FILE *out, struct feed *f, const struct view_src *s,
		   const struct view_sel *sel, const struct top_frame *tf);
void view_top_json(FILE *out, struct feed *f, const struct view_src *s,
		   const struct view_sel *sel, const struct top_frame *tf);

/* the selection matches this dma-buf / device */
bool view_sel_buf(const struct view_sel *sel, const struct model *m, uint32_t bi);
bool view_sel_mr(const struct view_sel *sel, const struct m_mr *x);
bool view_sel_dev(const struct view_sel *sel, uint16_t d);
/* the selected dma-bufs (MP_BUF) or MRs (MP_MR) in key order; caller frees */
uint32_t *view_sel_sorted(const struct view_sel *sel, const struct model *m,
			  enum model_pool pool, uint32_t *n);

#endif /* TPHTRACE_VIEWS_H */
