// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model: every record kind applied, releases remove entries, bounds
 * and eviction counting, the open-addressing index, device identity
 * merging, the recovered-state parsers, replay errors, and memory per
 * entry.
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "model.h"
#include "record.h"
#include "replay.h"
#include "rules.h"
#include "state.h"

/*
 * A counting allocator: this binary is linked with -Wl,--wrap=malloc etc.
 * (tests/tests.mk TEST_LDFLAGS_test_model), so every allocation the library
 * and this file make goes through these wrappers, which count it and pass
 * it on (to ASan's allocator in the sanitizer build, where mallinfo2()
 * reports nothing).
 */
static volatile unsigned long allocs;	/* malloc is a builtin: GCC assumes it leaves globals alone */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_reallocarray(void *p, size_t n, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);

void *__wrap_malloc(size_t size)
{
	allocs++;
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	allocs++;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	allocs++;
	return __real_realloc(p, size);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
	allocs++;
	return __real_reallocarray(p, n, size);
}

#define NIC_BDF		(0x3b << 8)
#define EXP_BDF		(0x17 << 8)

static uint64_t ts;

static void hdr(union tph_record *r, unsigned int kind, uint32_t tgid, const char *comm)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_TP_BTF;
	r->hdr.ts_ns = ++ts;
	r->hdr.pid = r->hdr.tgid = tgid;
	snprintf(r->hdr.comm, sizeof(r->hdr.comm), "%s", comm);
}

static void pci(struct tph_dev *d, uint16_t bdf)
{
	d->valid |= TPH_DEV_PCI;
	d->bdf = bdf;
}

static void name(struct tph_dev *d, const char *n)
{
	d->valid |= TPH_DEV_NAME;
	snprintf(d->name, sizeof(d->name), "%s", n);
}

static void apply(struct model *m, union tph_record *r)
{
	assert_int_equal(model_apply(m, r), 0);
}

static void export(struct model *m, uint64_t ino, uint32_t tgid)
{
	union tph_record r;

	hdr(&r, TPH_EV_DMABUF_EXPORT, tgid, "app");
	r.dmabuf.buf.ino = ino;
	r.dmabuf.buf.size = 4096;
	strcpy(r.dmabuf.buf.exp_name, "vfio_pci_core");
	apply(m, &r);
}

static void release(struct model *m, uint64_t ino)
{
	union tph_record r;

	hdr(&r, TPH_EV_DMABUF_RELEASE, 1, "app");
	r.dmabuf.buf.ino = ino;
	apply(m, &r);
}

static void attach(struct model *m, unsigned int kind, uint64_t ino, uint64_t cookie, int ret)
{
	union tph_record r;

	hdr(&r, kind, 10, "app");
	r.attach.buf.ino = ino;
	pci(&r.attach.importer, NIC_BDF);
	r.attach.attach = cookie;
	r.attach.peer2peer = 1;
	r.attach.dynamic = 1;
	r.attach.ret = ret;
	apply(m, &r);
}

static void publish(struct model *m, uint64_t ino, uint32_t flags, uint8_t st,
		    uint16_t st_ext, uint8_t ph, int ret)
{
	union tph_record r;

	hdr(&r, TPH_EV_TPH_PUBLISH, 10, "app");
	pci(&r.publish.exporter, EXP_BDF);
	r.publish.ino = ino;
	r.publish.flags = flags;
	r.publish.st = st;
	r.publish.st_ext = st_ext;
	r.publish.ph = ph;
	r.publish.completer = TPH_REQ_EXT_TPH;
	r.publish.ret = ret;
	apply(m, &r);
}

static void mr(struct model *m, uint64_t ino, uint32_t mkey, uint8_t ph, int ret)
{
	union tph_record r;

	hdr(&r, TPH_EV_MR_REG, 10, "app");
	pci(&r.mr.nic, NIC_BDF);
	name(&r.mr.nic, "mlx5_0");
	r.mr.ino = ino;
	r.mr.mkey = mkey;
	r.mr.st = 0x1234;
	r.mr.st_index = 1;
	r.mr.ph = ph;
	r.mr.req_type = TPH_REQ_EXT_TPH;
	r.mr.extended = 1;
	r.mr.source = ph == TPH_NO_PH ? TPH_SRC_NONE : TPH_SRC_DMABUF;
	r.mr.reason = ph == TPH_NO_PH ? TPH_REASON_NOT_PUBLISHED : TPH_REASON_OK;
	r.mr.ret = ret;
	apply(m, &r);
}

static void dereg(struct model *m, uint32_t mkey)
{
	union tph_record r;

	hdr(&r, TPH_EV_MR_DEREG, 10, "app");
	name(&r.mr_dereg.nic, "mlx5_0");	/* dereg knows only the IB name */
	r.mr_dereg.mkey = mkey;
	apply(m, &r);
}

static void st(struct model *m, uint8_t op, uint16_t tag, uint16_t idx, uint32_t ref,
	       int ret, bool direct)
{
	union tph_record r;

	hdr(&r, TPH_EV_ST_INDEX, 10, "app");
	pci(&r.st.nic, NIC_BDF);
	r.st.op = op;
	r.st.tag = tag;
	r.st.st_index = idx;
	r.st.refcount = ref;
	r.st.ret = ret;
	r.st.direct = direct;
	apply(m, &r);
}

static uint32_t buf(struct model *m, uint64_t ino)
{
	return model_find_buf(m, ino);
}

static void test_export_release(void **state)
{
	struct model m;
	uint32_t b;

	assert_int_equal(model_init(&m, NULL), 0);
	export(&m, 100, 10);
	export(&m, 101, 11);
	b = buf(&m, 100);
	assert_int_not_equal(b, M_NONE);
	assert_int_equal(M_BUF(&m, b)->size, 4096);
	assert_string_equal(M_BUF(&m, b)->exp_name, "vfio_pci_core");
	assert_true(M_BUF(&m, b)->bflags & MB_EXPORT_SEEN);
	assert_int_equal(M_BUF(&m, b)->nholders, 1);
	attach(&m, TPH_EV_ATTACH, 100, 0xa1, 0);
	mr(&m, 100, 0x1a00, 2, 0);
	assert_int_equal(m.p[MP_HOLDER].used, 2);
	assert_int_equal(m.p[MP_ATTACH].used, 1);

	release(&m, 100);
	assert_int_equal(buf(&m, 100), M_NONE);
	assert_int_equal(m.p[MP_BUF].used, 1);
	assert_int_equal(m.p[MP_HOLDER].used, 1);	/* only 101's exporter */
	assert_int_equal(m.p[MP_ATTACH].used, 0);
	assert_int_equal(m.devs[model_find_dev(&m, &(struct tph_dev){ .valid = TPH_DEV_PCI,
								  .bdf = NIC_BDF })].attachments,
			 0);
	/* the MR outlives its dma-buf entry (its dereg was not seen yet) */
	assert_int_equal(m.p[MP_MR].used, 1);
	assert_int_equal(M_MR(&m, model_find_mr(&m, 0, 0x1a00))->buf, M_NONE);
	dereg(&m, 0x1a00);
	assert_int_equal(m.p[MP_MR].used, 0);
	release(&m, 101);
	release(&m, 999);			/* unknown: counted, no harm */
	assert_int_equal(m.orphans, 1);
	assert_int_equal(m.p[MP_BUF].used, 0);
	assert_int_equal(m.p[MP_HOLDER].used, 0);
	model_free(&m);
}

static void test_attach_map_invalidate(void **state)
{
	struct model m;
	union tph_record r;
	struct m_buf *b;
	struct m_attach *a;

	assert_int_equal(model_init(&m, NULL), 0);
	export(&m, 5, 10);
	attach(&m, TPH_EV_ATTACH, 5, 0xa1, 0);
	attach(&m, TPH_EV_ATTACH, 5, 0xa2, -EOPNOTSUPP);	/* failed: not tracked */
	attach(&m, TPH_EV_MAP, 5, 0xa1, 0);
	attach(&m, TPH_EV_MAP, 5, 0xa1, 0);
	b = M_BUF(&m, buf(&m, 5));
	assert_int_equal(b->nattach, 1);
	a = M_ATTACH(&m, b->attach_head);
	assert_int_equal(a->maps, 2);
	assert_true(a->p2p && a->dynamic);
	attach(&m, TPH_EV_UNMAP, 5, 0xa1, 0);
	assert_int_equal(a->maps, 1);

	hdr(&r, TPH_EV_INVALIDATE, 10, "vfio");
	r.attach.buf.ino = 5;
	apply(&m, &r);
	assert_int_equal(b->inval_count, 1);
	assert_true(b->bflags & MB_REVOKED);
	attach(&m, TPH_EV_MAP, 5, 0xa1, 0);		/* mapped again: restored */
	assert_false(b->bflags & MB_REVOKED);

	attach(&m, TPH_EV_DETACH, 5, 0xa1, 0);
	assert_int_equal(b->nattach, 0);
	assert_int_equal(m.p[MP_ATTACH].used, 0);
	attach(&m, TPH_EV_DETACH, 5, 0xa1, 0);		/* twice: orphan */
	assert_int_equal(m.orphans, 1);
	/* a map of an attachment made before start creates it */
	attach(&m, TPH_EV_MAP, 6, 0xb1, 0);
	assert_int_equal(m.p[MP_ATTACH].used, 1);
	assert_int_equal(M_BUF(&m, buf(&m, 6))->nattach, 1);
	model_free(&m);
}

static void test_publish_and_query(void **state)
{
	struct model m;
	union tph_record r;
	struct m_buf *b;
	uint16_t tag;

	assert_int_equal(model_init(&m, NULL), 0);
	export(&m, 7, 10);
	b = M_BUF(&m, buf(&m, 7));
	assert_false(b->bflags & MB_PUB_KNOWN);
	publish(&m, 7, M_PUB_ST | M_PUB_ST_EXT, 0xf0, 0x1234, 2, 0);
	assert_true(b->bflags & MB_PUB_KNOWN);
	assert_int_equal(b->pub_gen, 1);
	assert_true(model_buf_tag(b, false, &tag));
	assert_int_equal(tag, 0xf0);
	assert_true(model_buf_tag(b, true, &tag));
	assert_int_equal(tag, 0x1234);
	assert_int_not_equal(b->exporter, M_NODEV);
	assert_int_equal(m.devs[b->exporter].completer, TPH_REQ_EXT_TPH);

	/* a rejected SET names nothing about the dma-buf's exporter */
	export(&m, 70, 10);
	publish(&m, 70, M_PUB_ST, 0xf0, 0, 2, -EINVAL);
	assert_int_equal(M_BUF(&m, buf(&m, 70))->exporter, M_NODEV);
	b = M_BUF(&m, buf(&m, 7));
	publish(&m, 7, M_PUB_ST, 0xf0, 0, 9, -EINVAL);	/* rejected: unchanged */
	assert_int_equal(b->pub_gen, 1);
	assert_int_equal(b->pub_ret, -EINVAL);
	assert_true(model_buf_tag(b, true, &tag));

	publish(&m, 7, 0, 0, 0, 0, 0);			/* flags 0 clears */
	assert_int_equal(b->pub_gen, 2);
	assert_false(model_buf_tag(b, false, &tag));
	assert_false(model_buf_tag(b, true, &tag));

	/* a query seen from the exporter side teaches what was missed */
	hdr(&r, TPH_EV_TPH_QUERY, 10, "app");
	r.query.buf.ino = 8;
	r.query.extended = 1;
	r.query.st = 0x4321;
	r.query.ph = 1;
	r.query.qflags = TPH_Q_VALID_KNOWN | TPH_Q_ST_EXT_VALID | TPH_Q_EXPORTER_SEEN;
	pci(&r.query.exporter, EXP_BDF);
	apply(&m, &r);
	b = M_BUF(&m, buf(&m, 8));
	assert_true(b->bflags & MB_PUB_KNOWN);
	assert_true(model_buf_tag(b, true, &tag));
	assert_int_equal(tag, 0x4321);
	assert_false(model_buf_tag(b, false, &tag));
	assert_int_equal(b->ph, 1);
	model_free(&m);
}

static void test_mr_snapshot_and_dev_identity(void **state)
{
	struct model m;
	struct m_mr *x;
	struct m_buf *b;
	uint32_t i;

	assert_int_equal(model_init(&m, NULL), 0);
	/* ST records know the NIC by PCI address only */
	st(&m, TPH_ST_ALLOC, 0x1234, 1, 1, 0, false);
	export(&m, 9, 10);
	publish(&m, 9, M_PUB_ST_EXT, 0, 0x1234, 2, 0);
	mr(&m, 9, 0x1a00, 2, 0);
	mr(&m, 9, 0x1b00, TPH_NO_PH, 0);
	mr(&m, 9, 0, 2, -ENOMEM);			/* failed: not stored */
	assert_int_equal(m.mr_failed, 1);
	/* one device: PCI from the ST record, name learned from the MR */
	assert_int_equal(m.ndevs, 2);
	i = model_find_mr(&m, 0, 0x1a00);
	assert_int_not_equal(i, M_NONE);
	x = M_MR(&m, i);
	assert_string_equal(m.devs[x->nic].id.name, "mlx5_0");
	assert_true(m.devs[x->nic].id.valid & TPH_DEV_PCI);
	assert_int_equal(x->pub_gen, 1);
	assert_int_equal(x->pub_st_ext, 0x1234);
	assert_int_equal(x->pub_flags, M_PUB_ST_EXT);
	assert_true(x->pub_known);
	b = M_BUF(&m, buf(&m, 9));
	assert_int_equal(b->mrs_tph, 1);
	assert_int_equal(b->mrs_notph, 1);
	assert_int_equal(m.devs[x->nic].mrs, 2);
	assert_int_equal(m.devs[x->nic].mrs_tph, 1);
	/* dereg names the NIC by its IB name only */
	dereg(&m, 0x1a00);
	assert_int_equal(model_find_mr(&m, 0, 0x1a00), M_NONE);
	assert_int_equal(b->mrs_tph, 0);
	assert_int_equal(b->mrs_notph, 1);
	/* same mkey registered again without a dereg: replaced */
	mr(&m, 9, 0x1b00, 2, 0);
	assert_int_equal(m.p[MP_MR].used, 1);
	assert_int_equal(b->mrs_tph, 1);
	assert_int_equal(b->mrs_notph, 0);
	model_free(&m);
}

static void test_st_table(void **state)
{
	struct model m;
	struct m_dev *d;
	uint32_t e;

	assert_int_equal(model_init(&m, NULL), 0);
	st(&m, TPH_ST_ALLOC, 0x11, 1, 1, 0, false);
	st(&m, TPH_ST_ALLOC, 0x22, 2, 1, 0, false);
	st(&m, TPH_ST_GET, 0x11, 1, 2, 0, false);
	st(&m, TPH_ST_ALLOC, 0x33, 3, UINT32_MAX, 0, false);	/* refcount unknown */
	d = &m.devs[0];
	assert_int_equal(d->st_used, 3);
	assert_int_equal(d->st_max_index, 3);
	assert_int_equal(d->st_direct, 0);
	e = model_find_st(&m, 0, 1);
	assert_int_equal(M_ST(&m, e)->refcount, 2);
	assert_int_equal(model_find_st_tag(&m, 0, 0x33), model_find_st(&m, 0, 3));
	assert_int_equal(M_ST(&m, model_find_st(&m, 0, 3))->refcount, 1);
	st(&m, TPH_ST_ALLOC, 0x44, 0, 0, -ENOSPC, false);
	assert_int_equal(d->st_full, 1);
	assert_int_equal(d->st_size_at_full, 4);	/* max index 3 + reserved 0 */
	assert_int_equal(rules_st_capacity(d), 3);	/* entry 0 holds no tag */
	st(&m, TPH_ST_PUT, 0x11, 1, 1, 0, false);
	assert_int_equal(d->st_used, 3);
	st(&m, TPH_ST_PUT, 0x11, 1, 0, 0, false);
	assert_int_equal(d->st_used, 2);
	assert_int_equal(model_find_st(&m, 0, 1), M_NONE);
	st(&m, TPH_ST_PUT, 0x33, 3, UINT32_MAX, 0, false);
	assert_int_equal(d->st_used, 1);
	st(&m, TPH_ST_PUT, 0x55, 9, 0, 0, false);	/* unknown index */
	assert_int_equal(m.orphans, 1);
	/* direct mode: nothing is refcounted */
	st(&m, TPH_ST_ALLOC, 0xf0, 0xf0, UINT32_MAX, 0, true);
	assert_int_equal(d->st_direct, 1);
	assert_int_equal(m.p[MP_ST].used, 1);
	model_free(&m);
}

static void test_pci_tph(void **state)
{
	struct model m;
	union tph_record r;
	struct m_dev *d;

	assert_int_equal(model_init(&m, NULL), 0);
	hdr(&r, TPH_EV_PCI_TPH, 1, "kworker");
	pci(&r.pci.dev, NIC_BDF);
	r.pci.op = TPH_PCI_ENABLE;
	r.pci.mode = 2;
	r.pci.req_type = TPH_REQ_TPH_ONLY;
	r.pci.dev_req_type = TPH_REQ_EXT_TPH;
	r.pci.rp_completer = TPH_REQ_TPH_ONLY;
	apply(&m, &r);
	d = &m.devs[0];
	assert_int_equal(d->enabled, 1);
	assert_int_equal(d->mode, 2);
	assert_int_equal(d->req_type, TPH_REQ_TPH_ONLY);
	assert_int_equal(d->dev_req_type, TPH_REQ_EXT_TPH);
	assert_int_equal(d->rp_completer, TPH_REQ_TPH_ONLY);
	/* an ordinary disable is not a failure */
	r.pci.op = TPH_PCI_DISABLE;
	apply(&m, &r);
	assert_int_equal(d->enabled, 0);
	assert_int_equal(d->disabled_by_st_fail, 0);
	r.pci.op = TPH_PCI_ENABLE;
	apply(&m, &r);
	r.pci.op = TPH_PCI_ST_WRITE;
	r.pci.index = 3;
	r.pci.tag = 0x77;
	r.pci.ret = -EIO;
	apply(&m, &r);
	assert_int_equal(d->enabled, 0);
	assert_int_equal(d->disabled_by_st_fail, 1);
	assert_int_equal(d->st_write_fails, 1);
	assert_int_equal(d->st_fail_index, 3);
	assert_int_equal(d->st_fail_tag, 0x77);
	r.pci.op = TPH_PCI_ENABLE;
	r.pci.ret = -EINVAL;
	apply(&m, &r);
	assert_int_equal(d->enable_ret, -EINVAL);
	assert_int_equal(d->req_type, TPH_REQ_DISABLE);
	assert_int_equal(m.by_kind[TPH_EV_PCI_TPH], 5);
	model_free(&m);
}

static void test_every_kind_counted(void **state)
{
	struct model m;
	union tph_record r;
	unsigned int k;

	assert_int_equal(model_init(&m, NULL), 0);
	for (k = 1; k < TPH_EV_MAX; k++) {
		hdr(&r, k, 10, "app");
		/* every kind names the same dma-buf / NIC where it has one */
		r.dmabuf.buf.ino = 3;
		switch (k) {
		case TPH_EV_TPH_PUBLISH:
			r.publish.ino = 3;
			break;
		case TPH_EV_MR_REG:
			r.mr.ino = 3;
			r.mr.mkey = 1;
			name(&r.mr.nic, "mlx5_0");
			r.mr.ph = TPH_NO_PH;
			break;
		case TPH_EV_MR_DEREG:
			name(&r.mr_dereg.nic, "mlx5_0");
			r.mr_dereg.mkey = 1;
			break;
		case TPH_EV_ST_INDEX:
			name(&r.st.nic, "mlx5_0");
			r.st.op = TPH_ST_ALLOC;
			r.st.st_index = 1;
			r.st.refcount = 1;
			break;
		case TPH_EV_PCI_TPH:
			name(&r.pci.dev, "mlx5_0");
			r.pci.op = TPH_PCI_ENABLE;
			break;
		}
		apply(&m, &r);
		assert_int_equal(m.by_kind[k], 1);
	}
	assert_int_equal(m.records, TPH_EV_MAX - 1);
	hdr(&r, TPH_EV_MAX, 10, "app");
	assert_int_equal(model_apply(&m, &r), -EINVAL);
	hdr(&r, 0, 10, "app");
	assert_int_equal(model_apply(&m, &r), -EINVAL);
	assert_int_equal(m.records, TPH_EV_MAX - 1);
	model_free(&m);
}

static void test_bounds_and_eviction(void **state)
{
	struct model_limits lim;
	struct model m;
	uint32_t i, linked, n;
	uint64_t ino;

	model_default_limits(&lim);
	lim.bufs = 4;
	lim.holders = 6;
	lim.mrs = 3;
	lim.attachments = 2;
	lim.devices = 2;
	assert_int_equal(model_init(&m, &lim), 0);
	for (ino = 1; ino <= 10; ino++)
		export(&m, ino, 100 + (uint32_t)ino);
	assert_int_equal(m.p[MP_BUF].used, 4);
	assert_int_equal(m.p[MP_BUF].evicted, 6);
	assert_int_not_equal(buf(&m, 10), M_NONE);	/* the newest stays */
	/* evicted dma-bufs took their holders with them */
	assert_int_equal(m.p[MP_HOLDER].used, 4);
	assert_int_equal(m.p[MP_HOLDER].evicted, 0);

	for (i = 0; i < 5; i++)
		attach(&m, TPH_EV_ATTACH, 10, 0xa0 + i, 0);
	assert_int_equal(m.p[MP_ATTACH].used, 2);
	assert_int_equal(m.p[MP_ATTACH].evicted, 3);
	assert_int_equal(M_BUF(&m, buf(&m, 10))->nattach, 2);

	for (i = 0; i < 5; i++)
		mr(&m, 10, 0x100 + i, i % 2 ? 2 : TPH_NO_PH, 0);
	assert_int_equal(m.p[MP_MR].used, 3);
	assert_int_equal(m.p[MP_MR].evicted, 2);
	/* per-dma-buf counters follow evictions */
	linked = 0;
	for (i = M_BUF(&m, buf(&m, 10))->mr_head; i != M_NONE; i = M_MR(&m, i)->next)
		linked++;
	assert_int_equal(linked, 3);
	assert_int_equal(M_BUF(&m, buf(&m, 10))->mrs_tph + M_BUF(&m, buf(&m, 10))->mrs_notph, 3);

	/* devices past the limit are counted, not tracked */
	for (i = 0; i < 4; i++) {
		union tph_record r;

		hdr(&r, TPH_EV_PCI_TPH, 1, "k");
		pci(&r.pci.dev, 0x100 + i);
		r.pci.op = TPH_PCI_DISABLE;
		apply(&m, &r);
	}
	assert_int_equal(m.ndevs, 2);
	assert_true(m.devs_dropped >= 2);
	assert_true(model_evictions(&m) >= 11);

	/* holders: 6 processes on one dma-buf with room for 6 minus the others */
	for (i = 0; i < 8; i++) {
		union tph_record r;

		hdr(&r, TPH_EV_TPH_QUERY, 500 + i, "q");
		r.query.buf.ino = 10;
		apply(&m, &r);
	}
	assert_int_equal(m.p[MP_HOLDER].used, 6);
	assert_true(m.p[MP_HOLDER].evicted > 0);
	n = 0;
	for (i = M_BUF(&m, buf(&m, 10))->holder_head; i != M_NONE; i = M_HOLDER(&m, i)->next)
		n++;
	assert_int_equal(n, M_BUF(&m, buf(&m, 10))->nholders);
	model_free(&m);
}

static void test_eviction_unlinks_mrs(void **state)
{
	struct model_limits lim;
	struct model m;
	uint32_t i;

	model_default_limits(&lim);
	lim.bufs = 1;
	assert_int_equal(model_init(&m, &lim), 0);
	export(&m, 1, 10);
	mr(&m, 1, 0x10, 2, 0);
	export(&m, 2, 10);				/* evicts dma-buf 1 */
	assert_int_equal(m.p[MP_BUF].evicted, 1);
	i = model_find_mr(&m, 0, 0x10);
	assert_int_not_equal(i, M_NONE);
	assert_int_equal(M_MR(&m, i)->buf, M_NONE);
	assert_int_equal(M_MR(&m, i)->ino, 1);
	dereg(&m, 0x10);
	assert_int_equal(m.p[MP_MR].used, 0);
	model_free(&m);
}

static void test_reexport_and_iter(void **state)
{
	struct model m;
	union tph_record r;
	struct m_buf *b;

	assert_int_equal(model_init(&m, NULL), 0);
	/* recovered at start: one record per holding fd */
	hdr(&r, TPH_EV_DMABUF_EXPORT, 77, "holder");
	r.hdr.hook = TPH_HOOK_ITER;
	r.dmabuf.buf.ino = 50;
	r.dmabuf.buf.size = 8192;
	apply(&m, &r);
	apply(&m, &r);
	b = M_BUF(&m, buf(&m, 50));
	assert_true(b->bflags & MB_ITER);
	assert_false(b->bflags & MB_EXPORT_SEEN);
	assert_int_equal(M_HOLDER(&m, b->holder_head)->refs, 2);
	assert_int_equal(m.iter_records, 2);
	/* the live export of the same dma-buf merges */
	export(&m, 50, 10);
	b = M_BUF(&m, buf(&m, 50));
	assert_true(b->bflags & MB_EXPORT_SEEN);
	assert_int_equal(b->nholders, 2);
	/* exported again while alive: the release was lost, start afresh */
	export(&m, 50, 10);
	b = M_BUF(&m, buf(&m, 50));
	assert_int_equal(b->nholders, 1);
	assert_int_equal(m.orphans, 1);
	model_free(&m);
}

static void test_oa_index(void **state)
{
	enum { N = 3000 };
	uint64_t *keys = calloc(N, sizeof(*keys));
	bool *in = calloc(N, sizeof(*in));
	struct oa_index ix;
	uint32_t i, round;

	assert_non_null(keys);
	assert_int_equal(oa_init(&ix, N, keys), 0);
	for (i = 0; i < N; i++) {
		/* clustered keys stress the linear probing */
		keys[i] = (uint64_t)i * 1024 + (i % 7);
		oa_insert(&ix, keys[i], i);
		in[i] = true;
	}
	for (round = 0; round < 3; round++) {
		for (i = round; i < N; i += 3 + round) {
			if (in[i]) {
				oa_remove(&ix, keys[i]);
				in[i] = false;
			}
		}
		for (i = 0; i < N; i++)
			assert_int_equal(oa_find(&ix, keys[i]), in[i] ? i : M_NONE);
		for (i = 0; i < N; i += 2) {
			if (!in[i]) {
				oa_insert(&ix, keys[i], i);
				in[i] = true;
			}
		}
	}
	assert_int_equal(oa_find(&ix, 0xdeadbeefull), M_NONE);
	oa_remove(&ix, 0xdeadbeefull);		/* absent: no-op */
	oa_free(&ix);
	free(keys);
	free(in);
}

/* the counter sees what the library allocates, and what this file does */
static void test_allocation_counter_counts(void **state)
{
	static void *volatile p;	/* kept, so the compiler cannot elide them */
	unsigned long before = allocs;
	struct model m;

	assert_int_equal(model_init(&m, NULL), 0);
	assert_true(allocs > before);		/* the pools (model.c) */
	model_free(&m);
	before = allocs;
	p = malloc(16);
	p = realloc(p, 32);
	free(p);
	p = calloc(1, 8);
	free(p);
	assert_int_equal(allocs - before, 3);
}

/* no allocation at all, not only no net growth, per record in steady state */
static void test_no_allocation_per_record(void **state)
{
	unsigned long before;
	struct model m;
	uint64_t ino;

	assert_int_equal(model_init(&m, NULL), 0);
	/* warm up, then a steady state of create/use/destroy */
	for (ino = 1; ino <= 1000; ino++) {
		export(&m, ino, 10);
		release(&m, ino);
	}
	before = allocs;
	for (ino = 1; ino <= 20000; ino++) {
		export(&m, ino, 10);
		attach(&m, TPH_EV_ATTACH, ino, ino, 0);
		mr(&m, ino, (uint32_t)ino, 2, 0);
		dereg(&m, (uint32_t)ino);
		attach(&m, TPH_EV_DETACH, ino, ino, 0);
		release(&m, ino);
	}
	assert_int_equal(allocs - before, 0);
	model_free(&m);
}

static long rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void test_memory_100k_dmabufs(void **state)
{
	struct model m;
	long before, after;
	uint64_t ino;

	/* per entry: dma-buf and MR stay small */
	assert_int_equal(model_init(&m, NULL), 0);
	assert_true(model_entry_bytes(&m, MP_BUF) <= 160);
	assert_true(model_entry_bytes(&m, MP_MR) <= 160);
	before = rss_kib();
	for (ino = 1; ino <= 100000; ino++)
		export(&m, ino, 1000 + (uint32_t)(ino % 500));
	after = rss_kib();
	assert_int_equal(m.p[MP_BUF].used, 100000);
	assert_int_equal(m.p[MP_BUF].evicted, 0);
	print_message("100000 dma-bufs (one holder each): +%ld KiB RSS, %zu B/dma-buf, "
		      "%zu B/holder, %zu B/MR\n", after - before,
		      model_entry_bytes(&m, MP_BUF), model_entry_bytes(&m, MP_HOLDER),
		      model_entry_bytes(&m, MP_MR));
	if (before > 0 && after > 0)
		assert_true(after - before <= 32 * 1024);
	model_free(&m);
}

/* ---- recovered state ------------------------------------------------------- */

struct sink {
	struct model m;
	unsigned int n;
};

static int sink_rec(void *ctx, const union tph_record *r)
{
	struct sink *s = ctx;

	assert_int_equal(r->hdr.hook, TPH_HOOK_ITER);
	s->n++;
	return model_apply(&s->m, r);
}

static void test_bufinfo(void **state)
{
	static const char txt[] =
		"\nDma-buf Objects:\n"
		"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
		"00004096\t00000002\t00080007\t00000003\tudmabuf\t00001234\t<none>\n"
		"\tAttached Devices:\n"
		"Total 0 devices attached\n\n"
		"02097152\t00000002\t00080007\t00000002\tvfio_pci_core\t00001240\tbar2\n"
		"\tExclusive fence: foo\n"
		"\tAttached Devices:\n"
		"\t0000:3b:00.0\n"
		"\tmlx5_1\n"
		"Total 2 devices attached\n\n"
		"\nTotal 2 objects, 2101248 bytes\n";
	struct state_report rep = {};
	struct sink s = {};
	struct m_buf *b;
	FILE *f = fmemopen((void *)txt, sizeof(txt) - 1, "r");

	assert_non_null(f);
	assert_int_equal(model_init(&s.m, NULL), 0);
	state_parse_bufinfo(f, 1, sink_rec, &s, &rep);
	fclose(f);
	assert_int_equal(rep.bufs_debugfs, 2);
	assert_int_equal(rep.attach_debugfs, 2);
	assert_int_equal(s.n, 4);
	b = M_BUF(&s.m, model_find_buf(&s.m, 1234));
	assert_int_equal(b->size, 4096);
	assert_string_equal(b->exp_name, "udmabuf");
	assert_int_equal(b->nholders, 0);
	b = M_BUF(&s.m, model_find_buf(&s.m, 1240));
	assert_int_equal(b->size, 2097152);
	assert_int_equal(b->nattach, 2);
	assert_true(M_ATTACH(&s.m, b->attach_head)->iter);
	model_free(&s.m);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_proc_scan(void **state)
{
	char root[] = "/tmp/tphtrace-proc-XXXXXX", p[512], target[512];
	struct state_opts o = {};
	struct state_report rep;
	struct sink s = {};
	struct stat st;
	struct m_buf *b;
	uint32_t bi;

	assert_non_null(mkdtemp(root));
	/* pid 321 holds one dma-buf by fd 5 and maps another */
	snprintf(p, sizeof(p), "%s/321", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/321/fd", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/321/fdinfo", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/321/comm", root);
	write_file(p, "p2p-app\n");
	snprintf(target, sizeof(target), "%s/dmabuf:bar2", root);
	write_file(target, "x");
	assert_int_equal(stat(target, &st), 0);
	snprintf(p, sizeof(p), "%s/321/fd/5", root);
	assert_int_equal(symlink(target, p), 0);
	snprintf(p, sizeof(p), "%s/321/fd/6", root);
	assert_int_equal(symlink("/dev/null", p), 0);
	snprintf(p, sizeof(p), "%s/321/fdinfo/5", root);
	write_file(p, "pos:\t0\nflags:\t02000002\nmnt_id:\t9\nino:\t1\nsize:\t2097152\n"
		      "count:\t2\nexp_name:\tvfio_pci_core\nname:\tbar2\n");
	snprintf(p, sizeof(p), "%s/321/maps", root);
	write_file(p, "7f0000000000-7f0000200000 rw-s 00000000 00:0d 777         "
		      "/dmabuf:\n7f0000300000-7f0000301000 r--p 00000000 08:01 12 /usr/lib/x\n");
	snprintf(p, sizeof(p), "%s/self", root);	/* not a pid: skipped */
	assert_int_equal(mkdir(p, 0755), 0);

	o.proc = root;
	o.bufinfo = "/nonexistent/bufinfo";
	o.no_iter = true;	/* the /proc scan alone, wherever this runs */
	o.pci = "";	/* not this host's PCI functions */
	assert_int_equal(model_init(&s.m, NULL), 0);
	state_recover(&o, sink_rec, &s, &rep);
	assert_int_equal(rep.procs, 1);
	assert_int_equal(rep.fds, 1);
	assert_int_equal(rep.maps, 1);
	assert_int_equal(rep.holders, 1);
	assert_false(rep.debugfs_ok);
	assert_false(recovery_seen(&rep.rv, RV_ATTACHMENTS));
	assert_true(recovery_seen(&rep.rv, RV_DMABUFS));
	/* what no source could see is said, not silently missing */
	assert_false(recovery_seen(&rep.rv, RV_TAGS));
	/* the RDMA netlink source reads this host's kernel: either outcome is
	 * reported, and an MR's TPH outcome from before start is never seen */
	assert_non_null(recovery_find(&rep.rv, RV_MRS, "rdma-netlink"));
	assert_int_equal(recovery_seen(&rep.rv, RV_MRS), rep.mrs_ok);
	assert_int_equal(recovery_seen(&rep.rv, RV_MR_TPH), rep.mrs_ok && !rep.mrs_netlink);
	{
		char gaps[256];

		recovery_gaps_str(&rep.rv, gaps, sizeof(gaps));
		assert_non_null(strstr(gaps, "attachments"));
		assert_non_null(strstr(gaps, rep.mrs_ok ? "ST table entries" : "MRs"));
	}
	/* the inode comes from the fd's stat, not fdinfo's "ino:" */
	bi = model_find_buf(&s.m, st.st_ino);
	assert_int_not_equal(bi, M_NONE);
	b = M_BUF(&s.m, bi);
	assert_int_equal(b->size, 2097152);
	assert_string_equal(b->exp_name, "vfio_pci_core");
	assert_int_equal(M_HOLDER(&s.m, b->holder_head)->tgid, 321);
	assert_string_equal(M_HOLDER(&s.m, b->holder_head)->comm, "p2p-app");
	assert_int_not_equal(model_find_buf(&s.m, 777), M_NONE);
	model_free(&s.m);

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

/* ---- replay ------------------------------------------------------------------ */

static int count_rec(void *ctx, const union tph_record *r)
{
	(*(int *)ctx)++;
	return 0;
}

static uint64_t lost_seen;

static void on_lost(void *ctx, uint64_t total, uint64_t rb, uint64_t st)
{
	lost_seen = total;
}

static long replay_text(const char *text, int *n, char *err, size_t len)
{
	struct replay_ops ops = { .on_record = count_rec, .on_lost = on_lost, .ctx = n };
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	long ret;

	assert_non_null(f);
	ret = replay_stream(f, "t.jsonl", &ops, err, len);
	fclose(f);
	return ret;
}

static void test_replay_errors(void **state)
{
	char err[256];
	int n = 0;

	assert_int_equal(replay_text("{\"kind\":\"dmabuf_export\",\"ino\":1}\n\n"
				     "{\"kind\":\"lost\",\"records\":5,\"ringbuf\":5,\"state\":0}\n"
				     "{\"kind\":\"dmabuf_release\",\"ino\":1}\n", &n, err,
				     sizeof(err)), 2);
	assert_int_equal(n, 2);
	assert_int_equal(lost_seen, 5);
	n = 0;
	assert_int_equal(replay_text("{\"kind\":\"dmabuf_export\",\"ino\":1}\n{\"kind\":\n",
				     &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.jsonl:2:"));
	assert_int_equal(replay_text("{\"kind\":\"nope\"}\n", &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.jsonl:1: missing or unknown \"kind\""));
	assert_int_equal(replay_text("\n{\"kind\":\"mr_reg\",\"mkey\":\"x\"}\n", &n, err,
				     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.jsonl:2: bad value for \"mkey\""));
	assert_int_equal(replay_text("[1,2]\n", &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.jsonl:1:"));
	assert_int_equal(replay_text("{\"kind\":\"map\"} trailing\n", &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "t.jsonl:1:"));
	assert_int_equal(replay_text("{\"kind\":\"lost\",\"records\":\"many\"}\n", &n, err,
				     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad \"lost\" line"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_release),
		cmocka_unit_test(test_attach_map_invalidate),
		cmocka_unit_test(test_publish_and_query),
		cmocka_unit_test(test_mr_snapshot_and_dev_identity),
		cmocka_unit_test(test_st_table),
		cmocka_unit_test(test_pci_tph),
		cmocka_unit_test(test_every_kind_counted),
		cmocka_unit_test(test_bounds_and_eviction),
		cmocka_unit_test(test_eviction_unlinks_mrs),
		cmocka_unit_test(test_reexport_and_iter),
		cmocka_unit_test(test_oa_index),
		cmocka_unit_test(test_allocation_counter_counts),
		cmocka_unit_test(test_no_allocation_per_record),
		cmocka_unit_test(test_memory_100k_dmabufs),
		cmocka_unit_test(test_bufinfo),
		cmocka_unit_test(test_proc_scan),
		cmocka_unit_test(test_replay_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
