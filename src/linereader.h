/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Bounded line reader for files other people send (a `trace -j` recording
 * attached to a bug report, an `lspci -xxxx` dump): one fixed buffer of
 * @max bytes, the limit checked while reading (a file without a newline,
 * /dev/zero, a sparse 1 GB file cannot grow memory), NUL bytes refused (a
 * text format never has them: binary input is named as such, never skipped),
 * a directory named as one, and an optional stop flag (a signal handler's)
 * checked between lines and when a read is interrupted; where a read can
 * wait (a pipe, a terminal), it waits in ppoll() with SIGINT, SIGTERM and
 * SIGHUP blocked from the look at the flag to the wait (linereader.c).
 *
 * Errors say what went wrong without the location; callers print
 * "NAME:LINE: why" with line_reader_lineno().
 */
#ifndef TPHTRACE_LINEREADER_H
#define TPHTRACE_LINEREADER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct line_reader {
	FILE *f;
	size_t max;			/* longest line accepted, newline excluded */
	char *buf;			/* max + 1 bytes */
	unsigned long lineno;		/* of the line last returned (or failing) */
	const volatile sig_atomic_t *stop;
	bool may_wait;			/* not a regular file: read() may wait */
	char why[128];
};

/*
 * Read lines of at most @max bytes from @f (not closed by the reader).
 * @stop, if not NULL, ends reading with -EINTR once it is non-zero.
 * Returns 0, -ENOMEM, or -EISDIR when @f is a directory.
 */
int line_reader_init(struct line_reader *lr, FILE *f, size_t max,
		     const volatile sig_atomic_t *stop);
void line_reader_free(struct line_reader *lr);

/*
 * The next line, without its newline ("\r\n" keeps the '\r'), NUL-terminated
 * in a buffer the reader owns until the next call. Returns 1 with @line and
 * @len, 0 at the end of the input, or a negative code with
 * line_reader_error() saying why:
 *   -E2BIG   the line is longer than max bytes (nothing past max is kept)
 *   -EILSEQ  a NUL byte (binary data)
 *   -EINTR   *stop became non-zero
 *   -EISDIR  the input is a directory
 *   -errno   a read error
 * After an error the reader stays failed.
 */
int line_reader_next(struct line_reader *lr, char **line, size_t *len);
const char *line_reader_error(const struct line_reader *lr);
static inline unsigned long line_reader_lineno(const struct line_reader *lr)
{
	return lr->lineno;
}

#endif /* TPHTRACE_LINEREADER_H */
