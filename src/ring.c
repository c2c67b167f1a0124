// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A BPF ring buffer's consumer, over the kernel's mmap layout
 * (kernel/bpf/ringbuf.c, since 5.8): page 0 holds consumer_pos (writable),
 * page 1 producer_pos, then the data pages, mapped twice in a row so that a
 * record wrapping the end reads as one. Each record starts with an 8-byte
 * header: its length, with BUSY (still being written) and DISCARD bits, and
 * the page offset the kernel uses to find the ring from the record.
 *
 * Why not libbpf's ring_buffer__consume(): it stores consumer_pos after
 * every record, and every bpf_ringbuf_reserve() on another CPU reads that
 * cache line (to see whether the record fits), so a consumer keeping up
 * with a fast producer moved the line between the two CPUs once per record.
 * This consumer stores it every PUBLISH_BYTES and at the end of a pass:
 * the producer sees space freed a little later, never anything unsafe
 * (bench/README.md P4 has the figures).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "ring.h"

struct ring {
	ring_fn fn;
	void *ctx;
	unsigned long *consumer_pos;	/* page 0, ours to write */
	const unsigned long *producer_pos;	/* page 1 */
	const uint8_t *data;		/* mask + 1 bytes, mapped twice */
	unsigned long mask;
	size_t page_size;
};

int ring_open(int map_fd, ring_fn fn, void *ctx, struct ring **out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct ring *r;
	void *p;
	int ret;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1)))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fn = fn;
	r->ctx = ctx;
	r->mask = info.max_entries - 1;
	r->page_size = sysconf(_SC_PAGESIZE);
	p = mmap(NULL, r->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto cleanup;
	}
	r->consumer_pos = p;
	/* the producer page and the data twice: read-only */
	p = mmap(NULL, r->page_size + 2 * (size_t)info.max_entries, PROT_READ, MAP_SHARED,
		 map_fd, r->page_size);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto cleanup;
	}
	r->producer_pos = p;
	r->data = (const uint8_t *)p + r->page_size;
	*out = r;
	return 0;
cleanup:
	ring_close(r);
	return ret;
}

/*
 * Published at least this often within a pass: a producer that finds the
 * ring full loses records, so space is handed back before the pass ends
 * (1/64 of tphtrace's 4 MiB ring, ~500 query records).
 */
#define PUBLISH_BYTES	(64 << 10)

int ring_consume(struct ring *r)
{
	unsigned long cons = __atomic_load_n(r->consumer_pos, __ATOMIC_RELAXED);
	unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	unsigned long published = cons;
	int n = 0, ret = 0;

	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(r->data + (cons & r->mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint32_t size = len & ~BPF_RINGBUF_DISCARD_BIT;

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;	/* still being written: the next pass takes it */
		cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			ret = r->fn(r->ctx, (void *)(hdr + 2), size);
			if (ret < 0)
				break;	/* that record is consumed, as libbpf does */
			n++;
		}
		if (cons - published >= PUBLISH_BYTES) {
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
			published = cons;
		}
	}
	if (cons != published)
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return ret < 0 ? ret : n;
}

void ring_close(struct ring *r)
{
	if (!r)
		return;
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page_size);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page_size + 2 * (r->mask + 1));
	free(r);
}
