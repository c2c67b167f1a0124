// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bounded line reader (see linereader.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "linereader.h"
#include "stopsig.h"

static int fail(struct line_reader *lr, int code, const char *why)
{
	snprintf(lr->why, sizeof(lr->why), "%s", why);
	return code;
}

int line_reader_init(struct line_reader *lr, FILE *f, size_t max,
		     const volatile sig_atomic_t *stop)
{
	struct stat st;

	memset(lr, 0, sizeof(*lr));
	lr->f = f;
	lr->max = max;
	lr->stop = stop;
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode))
		return fail(lr, -EISDIR, "is a directory, not a file");
	/*
	 * a regular file never makes read() wait; a FILE without a descriptor
	 * (fmemopen()) has nothing to wait on
	 */
	lr->may_wait = stop && fileno(f) >= 0 && !fstat(fileno(f), &st) &&
		       !S_ISREG(st.st_mode);
	lr->buf = malloc(max + 1);
	if (!lr->buf)
		return fail(lr, -ENOMEM, "out of memory");
	return 0;
}

void line_reader_free(struct line_reader *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

const char *line_reader_error(const struct line_reader *lr)
{
	return lr->why[0] ? lr->why : "no error";
}

static bool stopped(const struct line_reader *lr)
{
	return lr->stop && *lr->stop;
}

/* nothing left in stdio's buffer: the next getc() reads (glibc's FILE) */
static bool buffer_empty(FILE *f)
{
	return f->_IO_read_ptr >= f->_IO_read_end;
}

/* wait until @lr's input can be read without waiting, or it is stopped (-EINTR) */
static int wait_readable(struct line_reader *lr)
{
	struct pollfd pfd = { .fd = fileno(lr->f), .events = POLLIN };

	while (poll_unless_stopped(&pfd, 1, -1, lr->stop) < 0) {
		if (errno != EINTR)
			return -errno;
		if (stopped(lr))
			return -EINTR;
	}
	return 0;
}

int line_reader_next(struct line_reader *lr, char **line, size_t *len)
{
	size_t n = 0;
	int c;

	if (lr->why[0])
		return -EIO;	/* failed before: stays failed */
	if (!lr->buf)
		return fail(lr, -EINVAL, "reader not initialised");
	if (stopped(lr))
		return fail(lr, -EINTR, "interrupted");
	lr->lineno++;
	for (;;) {
		if (lr->may_wait && buffer_empty(lr->f)) {
			int err = wait_readable(lr);

			if (err == -EINTR)
				return fail(lr, -EINTR, "interrupted");
			/* another poll error: let the read say what is wrong */
		}
		c = getc_unlocked(lr->f);
		if (c == EOF) {
			if (ferror(lr->f)) {
				int e = errno ? errno : EIO;

				if (e == EINTR && !stopped(lr)) {
					clearerr(lr->f);
					continue;
				}
				if (e == EINTR)
					return fail(lr, -EINTR, "interrupted");
				snprintf(lr->why, sizeof(lr->why), "read error: %s",
					 e == EISDIR ? "is a directory, not a file" :
						       strerror(e));
				return -e;
			}
			if (!n) {
				lr->lineno--;
				return 0;
			}
			break;	/* last line without a newline */
		}
		if (c == '\n')
			break;
		if (c == '\0')
			return fail(lr, -EILSEQ, "NUL byte: binary data, not a text file");
		if (n == lr->max) {
			snprintf(lr->why, sizeof(lr->why),
				 "line longer than %zu bytes", lr->max);
			return -E2BIG;
		}
		lr->buf[n++] = (char)c;
	}
	lr->buf[n] = '\0';
	*line = lr->buf;
	*len = n;
	return 1;
}
