/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Text for people: the width to fit (the terminal's, else $COLUMNS, else
 * the view's default), wrapping long text at word boundaries (nothing is
 * lost), eliding table cells (the full text is in -v and -j), and the
 * highlight of what is wrong (terminals only).
 */
#ifndef TPHTRACE_TEXT_H
#define TPHTRACE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* columns of @f's terminal; else $COLUMNS; else @dflt (0: no limit) */
unsigned int text_width(FILE *f, unsigned int dflt);
/* rows of @f's terminal, 0 if not a terminal */
unsigned int text_rows(FILE *f);
/* @f is a terminal that takes ANSI attributes */
bool text_tty(FILE *f);

/*
 * Write @s starting at column @col, wrapping at @width (0: never) with
 * continuation lines indented by @indent spaces; ends with a newline.
 */
void text_wrap(FILE *out, const char *s, unsigned int col, unsigned int indent,
	       unsigned int width);

/* @s cut to @w columns, the last one '~' when cut; @w < 1 copies nothing */
void text_cell(char *dst, size_t cap, const char *s, unsigned int w);

/* ANSI bold/reverse around what is wrong, when @on */
#define TEXT_HL_ON	"\033[1;7m"
#define TEXT_HL_OFF	"\033[0m"

#endif /* TPHTRACE_TEXT_H */
