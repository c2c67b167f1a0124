/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What existed before tphtrace started: the one place where every
 * pre-start source (iter/dmabuf, /proc, debugfs bufinfo, sysfs PCI config
 * space, RDMA netlink) says what it recovered and what it could not. Each source adds one entry per kind of state it looked at;
 * a kind no source could see is a gap, which list, top and check print
 * (text and JSON) so that a view started after the set-up never reads as
 * "nothing wrong" when it simply could not see.
 *
 * A source feeds what it recovers to the model as records with hook "iter"
 * (state.c); this report only says what was looked at and how it went.
 */
#ifndef TPHTRACE_RECOVERY_H
#define TPHTRACE_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw;

/* kinds of state that existed before start */
enum recov_what {
	RV_DMABUFS = 0,		/* dma-bufs: inode, size, exporter name */
	RV_HOLDERS,		/* processes holding them */
	RV_ATTACHMENTS,		/* importer devices attached */
	RV_TAGS,		/* steering tags published on them */
	RV_MRS,			/* MRs (RDMA netlink: any memory, dma-bufs too) */
	RV_MR_TPH,		/* the TPH outcome of those MRs */
	RV_ST_ENTRIES,		/* NIC steering-tag table entries in use */
	RV_PCI_TPH,		/* PCI TPH state (requester enabled, ST table size) */
	RV_MAX,
};

#define RECOVERY_MAX_SOURCES	24

struct recov_source {
	uint8_t what;		/* enum recov_what */
	bool ok;		/* the source could look (count may be 0) */
	uint64_t count;		/* entries it recovered */
	char source[24];	/* "proc-fd", "debugfs", "sysfs-pci", ... */
	char detail[320];	/* what happened, for people */
};

struct recovery {
	bool ran;
	uint64_t records;	/* synthetic records fed to the model */
	unsigned int n;
	struct recov_source s[RECOVERY_MAX_SOURCES];
};

void recovery_init(struct recovery *r);
/* one entry; @fmt may be NULL */
void recovery_add(struct recovery *r, enum recov_what what, const char *source,
		  bool ok, uint64_t count, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* at least one source could see @what */
bool recovery_seen(const struct recovery *r, enum recov_what what);
/* the entry of @source about @what, NULL if it did not report one */
const struct recov_source *recovery_find(const struct recovery *r, enum recov_what what,
					 const char *source);
/* number of kinds no source could see */
unsigned int recovery_gaps(const struct recovery *r);

const char *recovery_what_key(enum recov_what what);	/* "dmabufs" */
const char *recovery_what_text(enum recov_what what);	/* "dma-bufs" */

/* "published tags, MRs and ST table entries" (what no source saw); "" if none */
void recovery_gaps_str(const struct recovery *r, char *buf, size_t len);

/*
 * Text: one summary line ("from before start: ...; not seen: ..."), and with
 * @verbose one line per source.
 */
void recovery_print(FILE *out, const struct recovery *r, bool verbose);
/* "recovery": {...} member (docs/json.md) */
void recovery_json(struct jw *w, const struct recovery *r);

#endif /* TPHTRACE_RECOVERY_H */
