/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel's own list of dma-bufs: iter/dmabuf (v6.16+) through
 * bpf/iter.bpf.c, loaded as its own BPF object. One inventory serves any
 * number of snapshots (src/snapshot.h): the state at start (list, top,
 * check, exporter) and the polling fallback of the collector.
 */
#ifndef TPHTRACE_INVENTORY_H
#define TPHTRACE_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include "snapshot.h"

struct inventory;

/*
 * Load and attach the iterator. -ENOENT: this kernel has no iter/dmabuf;
 * other -errno: it failed. @why says which, for people.
 */
int inventory_open(struct inventory **out, bool verbose, char *why, size_t len);
/* take a snapshot into @s (reset first); 0 or -errno */
int inventory_snapshot(struct inventory *inv, struct snapshot *s);
/* which exporters' published tags the iterator reads, or why none */
const char *inventory_tags(const struct inventory *inv);
void inventory_close(struct inventory *inv);

#endif /* TPHTRACE_INVENTORY_H */
