// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* iter/dmabuf snapshots: parse, pre-start records, sampled lifetimes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"

void snap_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void snap_free(struct snapshot *s)
{
	free(s->bufs);
	free(s->att);
	snap_init(s);
}

void snap_reset(struct snapshot *s)
{
	s->nbufs = s->natt = s->pending = 0;
	s->truncated = s->tags_read = 0;
	s->ts_ns = 0;
}

static int grow(void **arr, size_t *cap, size_t want, size_t esz)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	p = realloc(*arr, ncap * esz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

long snap_feed(struct snapshot *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t off = 0;
	uint16_t type, size;

	while (len - off >= 4) {
		memcpy(&type, p + off, 2);
		memcpy(&size, p + off + 2, 2);
		if ((type == TPH_ITER_ATTACH && size != sizeof(struct tph_iter_attach)) ||
		    (type == TPH_ITER_BUF && size != sizeof(struct tph_iter_buf)) ||
		    (type != TPH_ITER_ATTACH && type != TPH_ITER_BUF))
			return -EINVAL;
		if (len - off < size)
			break;
		if (type == TPH_ITER_ATTACH) {
			if (grow((void **)&s->att, &s->att_cap, s->natt + 1, sizeof(*s->att)))
				return -ENOMEM;
			memcpy(&s->att[s->natt++], p + off, size);
			s->pending++;
		} else {
			struct snap_buf *b;

			if (grow((void **)&s->bufs, &s->bufs_cap, s->nbufs + 1, sizeof(*s->bufs)))
				return -ENOMEM;
			b = &s->bufs[s->nbufs];
			memcpy(&b->e, p + off, size);
			/* the attachments written just before belong to it, all of them */
			if (b->e.nattach != s->pending)
				return -EINVAL;
			b->e.buf.exp_name[TPH_NAME_LEN - 1] = '\0';
			b->e.name[TPH_NAME_LEN - 1] = '\0';
			b->first_attach = (uint32_t)(s->natt - s->pending);
			s->pending = 0;
			s->truncated += !!b->e.truncated;
			s->tags_read += !!(b->e.tph & TPH_ITER_TPH_READ);
			s->nbufs++;
		}
		off += size;
	}
	return (long)off;
}

static int cmp_buf(const void *a, const void *b)
{
	const struct snap_buf *x = a, *y = b;

	if (x->e.buf.ino != y->e.buf.ino)
		return x->e.buf.ino < y->e.buf.ino ? -1 : 1;
	if (x->e.cookie != y->e.cookie)
		return x->e.cookie < y->e.cookie ? -1 : 1;
	return 0;
}

int snap_finish(struct snapshot *s)
{
	if (s->pending)
		return -EINVAL;
	if (s->nbufs)
		qsort(s->bufs, s->nbufs, sizeof(*s->bufs), cmp_buf);
	return 0;
}

static void rec_hdr(union tph_record *r, unsigned int kind, uint64_t ts, uint8_t flags)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_ITER;
	r->hdr.flags = flags;
	r->hdr.ts_ns = ts;
}

static void buf_record(union tph_record *r, unsigned int kind, const struct snap_buf *b,
		       uint64_t ts, uint8_t flags)
{
	rec_hdr(r, kind, ts, flags);
	r->dmabuf.buf = b->e.buf;
	memcpy(r->dmabuf.name, b->e.name, TPH_NAME_LEN);
}

uint64_t snap_records(const struct snapshot *s, snap_record_fn fn, void *ctx)
{
	union tph_record r;
	uint64_t n = 0;
	size_t i, k;

	for (i = 0; i < s->nbufs; i++) {
		const struct snap_buf *b = &s->bufs[i];

		buf_record(&r, TPH_EV_DMABUF_EXPORT, b, s->ts_ns, 0);
		fn(ctx, &r);
		n++;
		for (k = 0; k < b->e.nattach; k++) {
			const struct tph_iter_attach *a = &s->att[b->first_attach + k];

			rec_hdr(&r, TPH_EV_ATTACH, s->ts_ns, 0);
			r.attach.buf = b->e.buf;
			r.attach.importer = a->importer;
			r.attach.attach = a->cookie;
			r.attach.peer2peer = a->peer2peer;
			r.attach.dynamic = a->dynamic;
			fn(ctx, &r);
			n++;
		}
		if (!(b->e.tph & TPH_ITER_TPH_READ))
			continue;
		/* the exporter's published state, as a SET that succeeded would leave it */
		rec_hdr(&r, TPH_EV_TPH_PUBLISH, s->ts_ns, 0);
		r.publish.exporter = b->e.exporter;
		r.publish.ino = b->e.buf.ino;
		r.publish.flags = b->e.pub_flags;
		r.publish.st = b->e.st;
		r.publish.st_ext = b->e.st_ext;
		r.publish.ph = b->e.ph;
		r.publish.completer = TPH_UNKNOWN_U8;
		fn(ctx, &r);
		n++;
	}
	return n;
}

/* emit @kind for every entry of @a missing from @b (both sorted) */
static uint64_t missing(const struct snapshot *a, const struct snapshot *b,
			unsigned int kind, uint64_t ts, snap_record_fn fn, void *ctx)
{
	union tph_record r;
	size_t i, j = 0;
	uint64_t n = 0;
	int c = 1;

	for (i = 0; i < a->nbufs; i++) {
		while (j < b->nbufs && (c = cmp_buf(&b->bufs[j], &a->bufs[i])) < 0)
			j++;
		if (j < b->nbufs && c == 0)
			continue;
		buf_record(&r, kind, &a->bufs[i], ts, TPH_F_SAMPLED);
		fn(ctx, &r);
		n++;
	}
	return n;
}

uint64_t snap_diff(const struct snapshot *old, const struct snapshot *cur,
		   unsigned int kinds, snap_record_fn fn, void *ctx)
{
	uint64_t n = 0;

	/*
	 * Every release before any export: an inode number reused within one
	 * interval (another struct dma_buf) must leave the model with the new
	 * dma-buf, not remove it.
	 */
	if (kinds & (1u << TPH_EV_DMABUF_RELEASE))
		n += missing(old, cur, TPH_EV_DMABUF_RELEASE, cur->ts_ns, fn, ctx);
	if (kinds & (1u << TPH_EV_DMABUF_EXPORT))
		n += missing(cur, old, TPH_EV_DMABUF_EXPORT, cur->ts_ns, fn, ctx);
	return n;
}
