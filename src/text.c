// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Terminal width, wrapping and eliding for the text views. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "text.h"

bool text_tty(FILE *f)
{
	const char *term = getenv("TERM");

	return isatty(fileno(f)) && !(term && !strcmp(term, "dumb"));
}

unsigned int text_width(FILE *f, unsigned int dflt)
{
	struct winsize ws;
	const char *c;
	char *end;
	long v;

	if (isatty(fileno(f)) && !ioctl(fileno(f), TIOCGWINSZ, &ws) && ws.ws_col > 0)
		return ws.ws_col;
	c = getenv("COLUMNS");
	if (c && *c) {
		v = strtol(c, &end, 10);
		if (!*end && v > 0 && v < 100000)
			return (unsigned int)v;
	}
	return dflt;
}

unsigned int text_rows(FILE *f)
{
	struct winsize ws;

	if (isatty(fileno(f)) && !ioctl(fileno(f), TIOCGWINSZ, &ws))
		return ws.ws_row;
	return 0;
}

void text_wrap(FILE *out, const char *s, unsigned int col, unsigned int indent,
	       unsigned int width)
{
	size_t n = strlen(s), room, cut;

	/*
	 * Break at the last blank that fits, keeping the text's own spacing
	 * (columns stay aligned); a word longer than a line is written whole:
	 * nothing is cut.
	 */
	while (width && col + n > width) {
		room = width > col ? width - col : 0;
		for (cut = room; cut > 0 && s[cut] != ' '; cut--)
			;
		if (!cut)
			cut = strcspn(s, " ");
		if (cut >= n)
			break;
		while (cut > 0 && s[cut - 1] == ' ')
			cut--;
		fwrite(s, 1, cut, out);
		s += cut;
		n -= cut;
		while (*s == ' ') {
			s++;
			n--;
		}
		if (!n)
			break;
		fprintf(out, "\n%*s", (int)indent, "");
		col = indent;
	}
	fprintf(out, "%s\n", s);
}

void text_cell(char *dst, size_t cap, const char *s, unsigned int w)
{
	size_t n = strlen(s);

	if (!cap)
		return;
	if (w + 1 > cap)
		w = (unsigned int)cap - 1;
	if (n > w) {
		n = w;
		memcpy(dst, s, n);
		if (n)
			dst[n - 1] = '~';
	} else {
		memcpy(dst, s, n);
	}
	dst[n] = '\0';
}
