// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * iter/dmabuf snapshots without a kernel: the entry stream as
 * bpf/iter.bpf.c writes it (parsed in pieces), the pre-start records, the
 * diff of two snapshots into sampled export/release records, and what the
 * model and the JSON lines make of them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model.h"
#include "record.h"
#include "snapshot.h"

/* ---- a stream as the BPF program writes it -------------------------------- */

struct stream {
	unsigned char b[16384];
	size_t len;
};

static void put_attach(struct stream *s, uint64_t cookie, const char *dev, int p2p, int dyn)
{
	struct tph_iter_attach a = { .type = TPH_ITER_ATTACH, .size = sizeof(a) };

	a.cookie = cookie;
	a.peer2peer = p2p;
	a.dynamic = dyn;
	snprintf(a.importer.name, sizeof(a.importer.name), "%s", dev);
	a.importer.valid = TPH_DEV_NAME;
	memcpy(s->b + s->len, &a, sizeof(a));
	s->len += sizeof(a);
}

static void put_buf(struct stream *s, uint64_t cookie, uint64_t ino, uint64_t size,
		    const char *exp, const char *name, uint16_t nattach)
{
	struct tph_iter_buf e = { .type = TPH_ITER_BUF, .size = sizeof(e) };

	e.cookie = cookie;
	e.nattach = nattach;
	e.buf.ino = ino;
	e.buf.size = size;
	snprintf(e.buf.exp_name, sizeof(e.buf.exp_name), "%s", exp);
	snprintf(e.name, sizeof(e.name), "%s", name);
	memcpy(s->b + s->len, &e, sizeof(e));
	s->len += sizeof(e);
}

/* the published state of the last dma-buf put */
static void put_tags(struct stream *s, uint32_t flags, uint8_t st, uint16_t st_ext,
		     uint8_t ph)
{
	struct tph_iter_buf *e = (void *)(s->b + s->len - sizeof(*e));

	e->tph = TPH_ITER_TPH_EXPORTER | TPH_ITER_TPH_READ;
	e->pub_flags = flags;
	e->st = st;
	e->st_ext = st_ext;
	e->ph = ph;
	e->exporter.domain = 0;
	e->exporter.bdf = 0x2a << 8 | 0x08;	/* 0000:2a:01.0 */
	e->exporter.valid = TPH_DEV_PCI;
}

/* feed @s in chunks of @step bytes, as read() may return it */
static int feed(struct snapshot *snap, const struct stream *s, size_t step, uint64_t ts)
{
	size_t have = 0, off = 0;
	unsigned char buf[16384];
	long used;

	snap_reset(snap);
	snap->ts_ns = ts;
	while (off < s->len) {
		size_t n = s->len - off < step ? s->len - off : step;

		memcpy(buf + have, s->b + off, n);
		off += n;
		have += n;
		used = snap_feed(snap, buf, have);
		if (used < 0)
			return (int)used;
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	return have ? -EINVAL : snap_finish(snap);
}

/* ---- collected records -------------------------------------------------------- */

#define MAX_RECS 32
struct sink {
	union tph_record r[MAX_RECS];
	int n;
};

static int collect(void *ctx, const union tph_record *rec)
{
	struct sink *k = ctx;

	assert_true(k->n < MAX_RECS);
	k->r[k->n++] = *rec;
	return 0;
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_stream_in_pieces(void **state)
{
	static const size_t steps[] = { 1, 3, 7, 64, 1000, 16384 };
	struct stream s = {};
	struct snapshot snap;
	size_t i;

	/* ino 30 with two importers, ino 10 alone, ino 20 named (kernel order) */
	put_attach(&s, 0xa1, "0000:3b:00.0", 1, 1);
	put_attach(&s, 0xa2, "nic1", 0, 0);
	put_buf(&s, 0xb30, 30, 8192, "tphsim-gpu0", "", 2);
	put_buf(&s, 0xb10, 10, 4096, "udmabuf", "", 0);
	put_buf(&s, 0xb20, 20, 65536, "system", "frames", 0);
	snap_init(&snap);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(feed(&snap, &s, steps[i], 5), 0);
		assert_int_equal(snap.nbufs, 3);
		assert_int_equal(snap.natt, 2);
		/* sorted by inode; attachments stay with their dma-buf */
		assert_int_equal(snap.bufs[0].e.buf.ino, 10);
		assert_int_equal(snap.bufs[1].e.buf.ino, 20);
		assert_string_equal(snap.bufs[1].e.name, "frames");
		assert_int_equal(snap.bufs[2].e.buf.ino, 30);
		assert_int_equal(snap.bufs[2].e.nattach, 2);
		assert_int_equal(snap.att[snap.bufs[2].first_attach].cookie, 0xa1);
		assert_int_equal(snap.att[snap.bufs[2].first_attach + 1].cookie, 0xa2);
	}
	snap_free(&snap);
}

static void test_malformed_streams(void **state)
{
	struct stream s = {};
	struct snapshot snap;
	struct tph_iter_buf *e;

	snap_init(&snap);
	/* a dma-buf claiming more attachments than were written */
	put_attach(&s, 1, "a", 0, 0);
	put_buf(&s, 2, 3, 4, "x", "", 2);
	assert_int_equal(feed(&snap, &s, 4096, 0), -EINVAL);
	/* attachments left without their dma-buf */
	memset(&s, 0, sizeof(s));
	put_attach(&s, 1, "a", 0, 0);
	assert_int_equal(feed(&snap, &s, 4096, 0), -EINVAL);
	/* a size that is not the entry's */
	memset(&s, 0, sizeof(s));
	put_buf(&s, 2, 3, 4, "x", "", 0);
	e = (void *)s.b;
	e->size = 12;
	assert_int_equal(feed(&snap, &s, 4096, 0), -EINVAL);
	/* an unknown type */
	e->size = sizeof(*e);
	e->type = 9;
	assert_int_equal(feed(&snap, &s, 4096, 0), -EINVAL);
	/* a truncated last entry */
	memset(&s, 0, sizeof(s));
	put_buf(&s, 2, 3, 4, "x", "", 0);
	s.len -= 5;
	assert_int_equal(feed(&snap, &s, 4096, 0), -EINVAL);
	snap_free(&snap);
}

static void test_prestart_records(void **state)
{
	struct stream s = {};
	struct snapshot snap;
	struct sink k = {};

	put_attach(&s, 0xa1, "0000:3b:00.0", 1, 1);
	put_buf(&s, 0xb30, 30, 8192, "gpu0", "bar2", 1);
	put_tags(&s, 0x1 | 0x2, 0x2a, 0x1234, 2);
	put_buf(&s, 0xb10, 10, 4096, "udmabuf", "", 0);
	snap_init(&snap);
	assert_int_equal(feed(&snap, &s, 100, 777), 0);
	assert_int_equal(snap.tags_read, 1);
	assert_int_equal(snap_records(&snap, collect, &k), 4);
	assert_int_equal(k.n, 4);
	/* ino 10: the export alone */
	assert_int_equal(k.r[0].hdr.kind, TPH_EV_DMABUF_EXPORT);
	assert_int_equal(k.r[0].hdr.hook, TPH_HOOK_ITER);
	assert_int_equal(k.r[0].hdr.flags, 0);		/* pre-start, not sampled */
	assert_int_equal(k.r[0].hdr.ts_ns, 777);
	assert_int_equal(k.r[0].dmabuf.buf.ino, 10);
	assert_int_equal(k.r[0].dmabuf.buf.size, 4096);
	assert_string_equal(k.r[0].dmabuf.buf.exp_name, "udmabuf");
	/* ino 30: export, its importer, its published tags */
	assert_int_equal(k.r[1].hdr.kind, TPH_EV_DMABUF_EXPORT);
	assert_string_equal(k.r[1].dmabuf.name, "bar2");
	assert_int_equal(k.r[2].hdr.kind, TPH_EV_ATTACH);
	assert_int_equal(k.r[2].attach.buf.ino, 30);
	assert_int_equal(k.r[2].attach.attach, 0xa1);
	assert_string_equal(k.r[2].attach.importer.name, "0000:3b:00.0");
	assert_int_equal(k.r[2].attach.peer2peer, 1);
	assert_int_equal(k.r[2].attach.dynamic, 1);
	assert_int_equal(k.r[3].hdr.kind, TPH_EV_TPH_PUBLISH);
	assert_int_equal(k.r[3].hdr.hook, TPH_HOOK_ITER);
	assert_int_equal(k.r[3].publish.ino, 30);
	assert_int_equal(k.r[3].publish.flags, 3);
	assert_int_equal(k.r[3].publish.st, 0x2a);
	assert_int_equal(k.r[3].publish.st_ext, 0x1234);
	assert_int_equal(k.r[3].publish.ph, 2);
	assert_int_equal(k.r[3].publish.exporter.bdf, 0x2a08);
	assert_int_equal(k.r[3].publish.completer, TPH_UNKNOWN_U8);
	snap_free(&snap);
}

static void test_diff(void **state)
{
	struct stream a = {}, b = {};
	struct snapshot old, cur;
	struct sink k = {};

	/* before: 1, 2, 3 (dma_buf at 0x300); after: 2, 3 (another dma_buf), 4 */
	put_buf(&a, 0x100, 1, 4096, "udmabuf", "gone", 0);
	put_buf(&a, 0x200, 2, 8192, "system", "", 0);
	put_buf(&a, 0x300, 3, 4096, "udmabuf", "", 0);
	put_buf(&b, 0x200, 2, 8192, "system", "", 0);
	put_buf(&b, 0x050, 3, 12288, "system", "reused", 0);
	put_buf(&b, 0x400, 4, 16384, "gpu0", "", 0);
	snap_init(&old);
	snap_init(&cur);
	assert_int_equal(feed(&old, &a, 64, 1000), 0);
	assert_int_equal(feed(&cur, &b, 64, 2000), 0);

	assert_int_equal(snap_diff(&old, &cur, 1u << TPH_EV_DMABUF_EXPORT |
				   1u << TPH_EV_DMABUF_RELEASE, collect, &k), 4);
	/* every release first: the reused inode 3 ends up alive */
	assert_int_equal(k.r[0].hdr.kind, TPH_EV_DMABUF_RELEASE);
	assert_int_equal(k.r[0].dmabuf.buf.ino, 1);
	assert_int_equal(k.r[0].dmabuf.buf.size, 4096);
	assert_string_equal(k.r[0].dmabuf.buf.exp_name, "udmabuf");
	assert_string_equal(k.r[0].dmabuf.name, "gone");
	assert_int_equal(k.r[1].hdr.kind, TPH_EV_DMABUF_RELEASE);
	assert_int_equal(k.r[1].dmabuf.buf.ino, 3);
	assert_int_equal(k.r[1].dmabuf.buf.size, 4096);
	assert_int_equal(k.r[2].hdr.kind, TPH_EV_DMABUF_EXPORT);
	assert_int_equal(k.r[2].dmabuf.buf.ino, 3);
	assert_int_equal(k.r[2].dmabuf.buf.size, 12288);
	assert_string_equal(k.r[2].dmabuf.name, "reused");
	assert_int_equal(k.r[3].hdr.kind, TPH_EV_DMABUF_EXPORT);
	assert_int_equal(k.r[3].dmabuf.buf.ino, 4);
	assert_string_equal(k.r[3].dmabuf.buf.exp_name, "gpu0");
	for (int i = 0; i < 4; i++) {
		assert_int_equal(k.r[i].hdr.hook, TPH_HOOK_ITER);
		assert_int_equal(k.r[i].hdr.flags, TPH_F_SAMPLED);
		assert_int_equal(k.r[i].hdr.ts_ns, 2000);	/* the later snapshot's */
		assert_int_equal(k.r[i].hdr.tgid, 0);
	}
	k.n = 0;
	/* only the kinds asked for */
	assert_int_equal(snap_diff(&old, &cur, 1u << TPH_EV_DMABUF_RELEASE, collect, &k), 2);
	assert_int_equal(k.r[0].hdr.kind, TPH_EV_DMABUF_RELEASE);
	assert_int_equal(k.r[1].hdr.kind, TPH_EV_DMABUF_RELEASE);
	k.n = 0;
	/* nothing changed: nothing */
	assert_int_equal(snap_diff(&cur, &cur, ~0u, collect, &k), 0);
	snap_free(&old);
	snap_free(&cur);
}

/* the model: pre-start vs sampled, and a published state that is not a SET */
static void test_model_and_json(void **state)
{
	struct stream s = {};
	struct snapshot snap, later;
	struct model m;
	struct sink k = {};
	const struct m_buf *b;
	struct json_object *o;
	union tph_record back;
	char line[2048], err[128];
	uint32_t bi;
	int i;

	put_buf(&s, 0x100, 7, 4096, "gpu0", "", 0);
	put_tags(&s, 0x1, 0xf0, 0, 2);
	snap_init(&snap);
	snap_init(&later);
	assert_int_equal(feed(&snap, &s, 4096, 10), 0);
	assert_int_equal(model_init(&m, NULL), 0);
	snap_records(&snap, collect, &k);
	for (i = 0; i < k.n; i++)
		assert_int_equal(model_apply(&m, &k.r[i]), 0);
	bi = model_find_buf(&m, 7);
	assert_int_not_equal(bi, M_NONE);
	b = M_BUF(&m, bi);
	assert_true(b->bflags & MB_ITER);
	assert_false(b->bflags & (MB_EXPORT_SEEN | MB_SAMPLED));
	assert_true(b->bflags & MB_PUB_KNOWN);
	assert_int_equal(b->pub_flags, M_PUB_ST);
	assert_int_equal(b->st, 0xf0);
	assert_int_equal(b->ph, 2);
	assert_int_equal(b->pub_gen, 0);		/* state, not a SET seen */

	/* later: 7 still there (no news), 8 born, then 7 gone */
	memset(&s, 0, sizeof(s));
	put_buf(&s, 0x100, 7, 4096, "gpu0", "", 0);
	put_buf(&s, 0x200, 8, 8192, "udmabuf", "n8", 0);
	assert_int_equal(feed(&later, &s, 4096, 20), 0);
	k.n = 0;
	assert_int_equal(snap_diff(&snap, &later, ~0u, collect, &k), 1);
	assert_int_equal(model_apply(&m, &k.r[0]), 0);
	b = M_BUF(&m, model_find_buf(&m, 8));
	assert_true(b->bflags & MB_SAMPLED);
	assert_int_equal(b->created_ns, 20);
	assert_string_equal(b->name, "n8");
	memset(&s, 0, sizeof(s));
	put_buf(&s, 0x200, 8, 8192, "udmabuf", "n8", 0);
	assert_int_equal(feed(&snap, &s, 4096, 30), 0);
	k.n = 0;
	assert_int_equal(snap_diff(&later, &snap, ~0u, collect, &k), 1);
	assert_int_equal(k.r[0].hdr.kind, TPH_EV_DMABUF_RELEASE);
	assert_int_equal(model_apply(&m, &k.r[0]), 0);
	assert_int_equal(model_find_buf(&m, 7), M_NONE);

	/* JSON lines: "sampled" and "name" go out and come back */
	assert_true(tph_record_json(&k.r[0], line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "\"hook\":\"iter\",\"sampled\":true"));
	o = json_tokener_parse(line);
	assert_non_null(o);
	assert_int_equal(tph_record_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	assert_int_equal(back.hdr.flags, TPH_F_SAMPLED);
	assert_int_equal(back.dmabuf.buf.ino, 7);
	assert_true(tph_record_format(&k.r[0], false, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " iter   sampled ino=7 "));
	k.r[0].hdr.flags = 0;
	snprintf(k.r[0].dmabuf.name, TPH_NAME_LEN, "bar2");
	assert_true(tph_record_json(&k.r[0], line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "\"sampled\":false"));
	assert_non_null(strstr(line, "\"name\":\"bar2\""));
	o = json_tokener_parse(line);
	assert_int_equal(tph_record_from_json(o, &back, err, sizeof(err)), 0);
	json_object_put(o);
	assert_int_equal(back.hdr.flags, 0);
	assert_string_equal(back.dmabuf.name, "bar2");
	model_free(&m);
	snap_free(&snap);
	snap_free(&later);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_in_pieces),
		cmocka_unit_test(test_malformed_streams),
		cmocka_unit_test(test_prestart_records),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_model_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
