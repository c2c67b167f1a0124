/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One iter/dmabuf snapshot (struct tph_iter_* entries, tphtrace.h) held in
 * memory, and what user space derives from it without BPF:
 *  - snap_records(): the state at start as records with hook "iter"
 *    (dmabuf_export, attach, tph_publish), marked pre-start;
 *  - snap_diff(): two snapshots' difference as sampled dmabuf_export and
 *    dmabuf_release records (hook "iter", TPH_F_SAMPLED), the lifetime
 *    fallback of kernels without an export/release hook.
 */
#ifndef TPHTRACE_SNAPSHOT_H
#define TPHTRACE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tphtrace/tphtrace.h"

struct snap_buf {
	struct tph_iter_buf e;
	uint32_t first_attach;		/* index of its first entry in att[] */
};

struct snapshot {
	struct snap_buf *bufs;		/* sorted by (ino, cookie) after snap_finish() */
	size_t nbufs, bufs_cap;
	struct tph_iter_attach *att;
	size_t natt, att_cap;
	size_t pending;			/* attachments not yet closed by a dma-buf */
	uint64_t ts_ns;			/* CLOCK_MONOTONIC of the snapshot */
	uint32_t truncated;		/* dma-bufs with more attachments than walked */
	uint32_t tags_read;		/* dma-bufs whose published state was read */
};

void snap_init(struct snapshot *s);
void snap_free(struct snapshot *s);
/* forget the entries, keep the memory */
void snap_reset(struct snapshot *s);
/*
 * Take the complete entries at the head of @data; returns the bytes used
 * (the rest is an incomplete entry: call again with more), -EINVAL for a
 * malformed stream, -ENOMEM.
 */
long snap_feed(struct snapshot *s, const void *data, size_t len);
/* after the last snap_feed(): -EINVAL if attachments are left unclosed; sorts */
int snap_finish(struct snapshot *s);

typedef int (*snap_record_fn)(void *ctx, const union tph_record *rec);

/* records of the state at start (pre-start); returns how many */
uint64_t snap_records(const struct snapshot *s, snap_record_fn fn, void *ctx);

/*
 * Sampled records for what changed from @old to @cur (both finished):
 * dmabuf_release for a dma-buf gone (from @old's entry), dmabuf_export for
 * a new one, stamped with @cur's time. An inode number seen again with
 * another struct dma_buf address is a new dma-buf (release + export).
 * @kinds: bit (1 << kind) for each of the two kinds wanted.
 * Returns the number of records emitted.
 */
uint64_t snap_diff(const struct snapshot *old, const struct snapshot *cur,
		   unsigned int kinds, snap_record_fn fn, void *ctx);

#endif /* TPHTRACE_SNAPSHOT_H */
