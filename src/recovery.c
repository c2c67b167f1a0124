// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The report of what the pre-start sources recovered. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include "jw.h"
#include "recovery.h"

static const char *const what_keys[RV_MAX] = {
	[RV_DMABUFS] = "dmabufs",
	[RV_HOLDERS] = "holders",
	[RV_ATTACHMENTS] = "attachments",
	[RV_TAGS] = "tags",
	[RV_MRS] = "mrs",
	[RV_MR_TPH] = "mr_tph",
	[RV_ST_ENTRIES] = "st_entries",
	[RV_PCI_TPH] = "pci_tph",
};

static const char *const what_texts[RV_MAX] = {
	[RV_DMABUFS] = "dma-bufs",
	[RV_HOLDERS] = "their processes",
	[RV_ATTACHMENTS] = "attachments",
	[RV_TAGS] = "published tags",
	[RV_MRS] = "MRs",
	[RV_MR_TPH] = "MRs' TPH outcome",
	[RV_ST_ENTRIES] = "ST table entries",
	[RV_PCI_TPH] = "PCI TPH state",
};

const char *recovery_what_key(enum recov_what what)
{
	return what < RV_MAX ? what_keys[what] : "?";
}

const char *recovery_what_text(enum recov_what what)
{
	return what < RV_MAX ? what_texts[what] : "?";
}

void recovery_init(struct recovery *r)
{
	memset(r, 0, sizeof(*r));
}

void recovery_add(struct recovery *r, enum recov_what what, const char *source,
		  bool ok, uint64_t count, const char *fmt, ...)
{
	struct recov_source *s;
	va_list ap;

	r->ran = true;
	if (r->n >= RECOVERY_MAX_SOURCES)
		return;
	s = &r->s[r->n++];
	memset(s, 0, sizeof(*s));
	s->what = what;
	s->ok = ok;
	s->count = count;
	snprintf(s->source, sizeof(s->source), "%s", source);
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
		va_end(ap);
	}
}

bool recovery_seen(const struct recovery *r, enum recov_what what)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->s[i].what == what && r->s[i].ok)
			return true;
	return false;
}

const struct recov_source *recovery_find(const struct recovery *r, enum recov_what what,
					 const char *source)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->s[i].what == what && !strcmp(r->s[i].source, source))
			return &r->s[i];
	return NULL;
}

unsigned int recovery_gaps(const struct recovery *r)
{
	unsigned int w, n = 0;

	for (w = 0; w < RV_MAX; w++)
		n += !recovery_seen(r, w);
	return n;
}

/* text: a gap another gap already says (no MRs seen: nor their outcome) */
static bool gap_shown(const struct recovery *r, enum recov_what w)
{
	return !recovery_seen(r, w) && !(w == RV_MR_TPH && !recovery_seen(r, RV_MRS));
}

void recovery_gaps_str(const struct recovery *r, char *buf, size_t len)
{
	unsigned int w, left = 0;
	size_t off = 0;

	buf[0] = '\0';
	for (w = 0; w < RV_MAX; w++)
		left += gap_shown(r, w);
	for (w = 0; w < RV_MAX && off < len; w++) {
		if (!gap_shown(r, w))
			continue;
		left--;
		off += snprintf(buf + off, len - off, "%s%s", recovery_what_text(w),
				!left ? "" : left == 1 ? " and " : ", ");
	}
}

static uint64_t count_of(const struct recovery *r, enum recov_what what)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->s[i].what == what && r->s[i].ok && r->s[i].count > n)
			n = r->s[i].count;
	return n;
}

void recovery_print(FILE *out, const struct recovery *r, bool verbose)
{
	char gaps[256];
	unsigned int i;

	if (!r->ran)
		return;
	recovery_gaps_str(r, gaps, sizeof(gaps));
	fprintf(out, "from before start: %" PRIu64 " dma-buf(s), %" PRIu64 " attachment(s), %"
		PRIu64 " MR(s), %" PRIu64 " PCI TPH function(s) recovered",
		count_of(r, RV_DMABUFS), count_of(r, RV_ATTACHMENTS), count_of(r, RV_MRS),
		count_of(r, RV_PCI_TPH));
	if (gaps[0])
		fprintf(out, "; not seen: %s%s", gaps,
			verbose ? "" : " (-v says why)");
	fputc('\n', out);
	if (!verbose)
		return;
	for (i = 0; i < r->n; i++)
		fprintf(out, "  %-16s %-12s %s%s\n", recovery_what_text(r->s[i].what),
			r->s[i].source, r->s[i].ok ? "" : "not seen: ", r->s[i].detail);
}

void recovery_json(struct jw *w, const struct recovery *r)
{
	unsigned int i;

	jw_key(w, "recovery");
	if (!r->ran) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_ku64(w, "records", r->records);
	jw_karr(w, "not_seen");
	for (i = 0; i < RV_MAX; i++)
		if (!recovery_seen(r, i))
			jw_str(w, recovery_what_key(i));
	jw_arr_end(w);
	jw_karr(w, "sources");
	for (i = 0; i < r->n; i++) {
		jw_obj(w);
		jw_kstr(w, "what", recovery_what_key(r->s[i].what));
		jw_kstr(w, "source", r->s[i].source);
		jw_kbool(w, "ok", r->s[i].ok);
		jw_ku64(w, "count", r->s[i].count);
		jw_kstr(w, "detail", r->s[i].detail);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}
