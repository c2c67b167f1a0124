/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef TPHTRACE_RING_H
#define TPHTRACE_RING_H

#include <stddef.h>

/*
 * The consumer side of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF), read
 * through mmap. libbpf's ring_buffer__consume() does the same, but publishes
 * its position after every record; this one every 64 KiB (see ring.c).
 */
struct ring;

typedef int (*ring_fn)(void *ctx, void *data, size_t len);

int ring_open(int map_fd, ring_fn fn, void *ctx, struct ring **out);
/*
 * One pass up to where the producer was when it began: records delivered
 * (>= 0), or the first negative return of @fn
 */
int ring_consume(struct ring *r);
void ring_close(struct ring *r);

#endif /* TPHTRACE_RING_H */
