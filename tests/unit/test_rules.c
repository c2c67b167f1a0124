// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Rules: each fires on a minimal crafted record sequence and stays quiet
 * on the happy path and on near misses; the table itself is well formed;
 * findings are deduplicated, bounded and rendered.
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
#include "record.h"
#include "rules.h"

#include "jw.h"

/* a finding's evidence as text ("key=value ...") */
static const char *vals(const struct finding *f)
{
	static char buf[512];

	rules_values_str(f, buf, sizeof(buf));
	return buf;
}

/* the findings as check -j writes them, parsed back */
static struct json_object *rules_json_obj(const struct rules *rs)
{
	struct json_object *o;
	char *text = NULL;
	size_t len = 0;
	struct jw w;
	FILE *mem = open_memstream(&text, &len);

	jw_init(&w, mem);
	jw_obj(&w);
	rules_json(&w, rs, 0, M_NODEV);
	jw_obj_end(&w);
	fclose(mem);
	o = json_tokener_parse(text);
	free(text);
	return o;
}

/* MR(...) gives defaults, later designators override them */
#pragma GCC diagnostic ignored "-Woverride-init"

#define NIC_BDF		(0x3b << 8)
#define EXP_BDF		(0x17 << 8)
#define ST8		M_PUB_ST
#define ST16		M_PUB_ST_EXT
#define INO		101

struct fx {
	struct model m;
	struct rules rs;
	uint64_t ts;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct model_limits lim;

	model_default_limits(&lim);
	lim.bufs = lim.mrs = lim.attachments = 1024;
	lim.holders = 2048;
	lim.st_entries = 256;
	if (!x || model_init(&x->m, &lim) || rules_init(&x->rs, &x->m, 64))
		return -1;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	rules_free(&x->rs);
	model_free(&x->m);
	free(x);
	return 0;
}

static union tph_record rec(struct fx *x, unsigned int kind)
{
	union tph_record r;

	memset(&r, 0, sizeof(r));
	r.hdr.kind = kind;
	r.hdr.hook = TPH_HOOK_TP_BTF;
	r.hdr.ts_ns = ++x->ts;
	r.hdr.pid = r.hdr.tgid = 4242;
	strcpy(r.hdr.comm, "p2p-app");
	return r;
}

static void feed(struct fx *x, union tph_record *r)
{
	assert_int_equal(model_apply(&x->m, r), 0);
	rules_on_record(&x->rs, r);
}

static void nic(struct tph_dev *d)
{
	d->valid = TPH_DEV_PCI | TPH_DEV_NAME;
	d->bdf = NIC_BDF;
	strcpy(d->name, "mlx5_0");
}

/* ---- record builders --------------------------------------------------------- */

static void enable(struct fx *x, uint8_t req, uint8_t dev_req, uint8_t rp, int ret)
{
	union tph_record r = rec(x, TPH_EV_PCI_TPH);

	r.pci.dev.valid = TPH_DEV_PCI;
	r.pci.dev.bdf = NIC_BDF;
	r.pci.op = TPH_PCI_ENABLE;
	r.pci.mode = 2;
	r.pci.req_type = ret ? TPH_REQ_DISABLE : req;
	r.pci.dev_req_type = dev_req;
	r.pci.rp_completer = rp;
	r.pci.ret = ret;
	feed(x, &r);
}

static void pci_op(struct fx *x, uint8_t op, int ret)
{
	union tph_record r = rec(x, TPH_EV_PCI_TPH);

	r.pci.dev.valid = TPH_DEV_PCI;
	r.pci.dev.bdf = NIC_BDF;
	r.pci.op = op;
	r.pci.index = 1;
	r.pci.tag = 0x1234;
	r.pci.ret = ret;
	feed(x, &r);
}

static void export(struct fx *x, uint64_t ino)
{
	union tph_record r = rec(x, TPH_EV_DMABUF_EXPORT);

	r.dmabuf.buf.ino = ino;
	r.dmabuf.buf.size = 2 << 20;
	strcpy(r.dmabuf.buf.exp_name, "vfio_pci_core");
	feed(x, &r);
}

static void publish_c(struct fx *x, uint64_t ino, uint32_t flags, uint8_t st,
		      uint16_t st_ext, uint8_t ph, int ret, uint8_t completer)
{
	union tph_record r = rec(x, TPH_EV_TPH_PUBLISH);

	r.publish.exporter.valid = TPH_DEV_PCI;
	r.publish.exporter.bdf = EXP_BDF;
	r.publish.ino = ino;
	r.publish.flags = flags;
	r.publish.st = st;
	r.publish.st_ext = st_ext;
	r.publish.ph = ph;
	r.publish.completer = completer;
	r.publish.ret = ret;
	feed(x, &r);
}

static void publish(struct fx *x, uint64_t ino, uint32_t flags, uint8_t st,
		    uint16_t st_ext, uint8_t ph, int ret)
{
	publish_c(x, ino, flags, st, st_ext, ph, ret, TPH_REQ_EXT_TPH);
}

static void attach(struct fx *x, unsigned int kind, uint64_t ino, bool p2p, int ret)
{
	union tph_record r = rec(x, kind);

	r.attach.buf.ino = ino;
	r.attach.importer.valid = TPH_DEV_PCI;
	r.attach.importer.bdf = NIC_BDF;
	r.attach.attach = 0xffff888100a1c000ull + ino;
	r.attach.peer2peer = p2p;
	r.attach.dynamic = 1;
	r.attach.ret = ret;
	feed(x, &r);
}

static void invalidate(struct fx *x, uint64_t ino)
{
	union tph_record r = rec(x, TPH_EV_INVALIDATE);

	r.attach.buf.ino = ino;
	feed(x, &r);
}

static void st_op(struct fx *x, uint8_t op, uint16_t tag, uint16_t idx, uint32_t ref,
		  int ret, bool direct)
{
	union tph_record r = rec(x, TPH_EV_ST_INDEX);

	r.st.nic.valid = TPH_DEV_PCI;
	r.st.nic.bdf = NIC_BDF;
	r.st.op = op;
	r.st.tag = tag;
	r.st.st_index = idx;
	r.st.refcount = ref;
	r.st.direct = direct;
	r.st.ret = ret;
	feed(x, &r);
}

struct mr_spec {
	uint64_t ino;
	uint32_t mkey;
	uint8_t reason;
	uint16_t st;
	uint16_t st_index;
	uint8_t ph;		/* 0xff: no TPH */
	uint8_t req;		/* TPH_REQ_* */
	uint8_t source;		/* 0xff: derive */
	bool reused;
	int ret;
};

static void mr(struct fx *x, struct mr_spec s)
{
	union tph_record r = rec(x, TPH_EV_MR_REG);

	nic(&r.mr.nic);
	r.mr.ino = s.ino ? s.ino : INO;
	r.mr.mkey = s.mkey ? s.mkey : 0x1a00;
	r.mr.reason = s.reason;
	r.mr.st = s.st;
	r.mr.st_index = s.st_index;
	r.mr.ph = s.ph;
	r.mr.req_type = s.req ? s.req : TPH_REQ_EXT_TPH;
	r.mr.extended = r.mr.req_type == TPH_REQ_EXT_TPH;
	if (s.source != 0xff)
		r.mr.source = s.source;
	else if (s.reason == TPH_REASON_OK || s.reason == TPH_REASON_TAG0_DIRECT)
		r.mr.source = TPH_SRC_DMABUF;
	else if (s.reason == TPH_REASON_DMAH)
		r.mr.source = TPH_SRC_DMAH;
	r.mr.reused = s.reused;
	r.mr.ret = s.ret;
	feed(x, &r);
}

#define MR(...) mr(x, (struct mr_spec){ .source = 0xff, .ph = TPH_NO_PH, __VA_ARGS__ })
#define MR_OK(tag, idx, ...)						\
	MR(.reason = TPH_REASON_OK, .st = (tag), .st_index = (idx), .ph = 2, ##__VA_ARGS__)

static void dereg(struct fx *x, uint32_t mkey, bool pooled)
{
	union tph_record r = rec(x, TPH_EV_MR_DEREG);

	r.mr_dereg.nic.valid = TPH_DEV_NAME;
	strcpy(r.mr_dereg.nic.name, "mlx5_0");
	r.mr_dereg.mkey = mkey;
	r.mr_dereg.pooled = pooled;
	feed(x, &r);
}

/* ---- assertions ----------------------------------------------------------------- */

static const struct finding *find(struct fx *x, const char *id)
{
	uint32_t i;

	for (i = 0; i < x->rs.n; i++)
		if (!strcmp(tph_rules[x->rs.f[i].rule].id, id))
			return &x->rs.f[i];
	return NULL;
}

/* exactly the rule ids given (NULL-terminated), each at least once */
static void expect(struct fx *x, ...)
{
	char got[512] = "", want[512] = "";
	const char *id;
	uint32_t i;
	va_list ap;

	rules_eval_state(&x->rs);
	for (i = 0; i < tph_nrules; i++)
		if (find(x, tph_rules[i].id))
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s ",
				 tph_rules[i].id);
	va_start(ap, x);
	while ((id = va_arg(ap, const char *)))
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s ", id);
	va_end(ap);
	assert_string_equal(got, want);
}

static void happy_setup(struct fx *x, uint32_t flags)
{
	enable(x, TPH_REQ_EXT_TPH, TPH_REQ_EXT_TPH, TPH_REQ_EXT_TPH, 0);
	export(x, INO);
	publish(x, INO, flags, 0xf0, 0x1234, 2, 0);
	attach(x, TPH_EV_ATTACH, INO, true, 0);
	attach(x, TPH_EV_MAP, INO, true, 0);
}

/* ---- the table ------------------------------------------------------------------ */

static void test_table(void **state)
{
	char id[16];
	unsigned int i, j;

	assert_true(tph_nrules >= 12);
	for (i = 0; i < tph_nrules; i++) {
		const struct rule *r = &tph_rules[i];

		snprintf(id, sizeof(id), "TPH%03u", i + 1);
		assert_string_equal(r->id, id);		/* stable, dense ids */
		assert_non_null(r->check);
		assert_true(r->sev < SEV_MAX);
		assert_true(strlen(r->title) > 10);
		assert_true(strlen(r->hint) > 30);
		assert_true(r->kinds != 0);
		assert_ptr_equal(rule_by_id(r->id), r);
		for (j = 0; j < i; j++)
			assert_string_not_equal(tph_rules[j].title, r->title);
	}
	assert_null(rule_by_id("TPH999"));
}

/* ---- happy paths: nothing at all --------------------------------------------------- */

static void test_happy_ext(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	st_op(x, TPH_ST_ALLOC, 0x1234, 1, 1, 0, false);
	MR_OK(0x1234, 1);
	st_op(x, TPH_ST_ALLOC, 0x1234, 1, 2, 0, false);
	MR_OK(0x1234, 1, .mkey = 0x1b00);
	/* an unrelated dma-buf without TPH, no importer wanting it */
	export(x, 102);
	dereg(x, 0x1a00, true);
	st_op(x, TPH_ST_PUT, 0x1234, 1, 1, 0, false);
	/* a pooled mkey reused for the same tag keeps a valid index */
	st_op(x, TPH_ST_ALLOC, 0x1234, 1, 2, 0, false);
	MR_OK(0x1234, 1, .mkey = 0x1a00, .reused = true);
	pci_op(x, TPH_PCI_ST_WRITE, 0);		/* a successful ST write */
	expect(x, NULL);
	assert_int_equal(x->rs.n, 0);
}

static void test_happy_8bit_direct(void **state)
{
	struct fx *x = *state;

	enable(x, TPH_REQ_TPH_ONLY, TPH_REQ_TPH_ONLY, TPH_REQ_EXT_TPH, 0);
	export(x, INO);
	publish(x, INO, ST8 | ST16, 0xf0, 0x10f0, 2, 0);
	st_op(x, TPH_ST_ALLOC, 0xf0, 0xf0, UINT32_MAX, 0, true);
	MR_OK(0xf0, 0xf0, .req = TPH_REQ_TPH_ONLY);
	/* same SET again (same values): no staleness */
	publish(x, INO, ST8 | ST16, 0xf0, 0x10f0, 2, 0);
	pci_op(x, TPH_PCI_DISABLE, 0);		/* normal teardown */
	expect(x, NULL);
}

/* ---- one test per rule: fires, then near misses -------------------------------------- */

static void test_tph001_not_published(void **state)
{
	struct fx *x = *state;
	const struct finding *f;

	happy_setup(x, 0);			/* SET with flags 0: nothing */
	MR(.reason = TPH_REASON_NOT_PUBLISHED);
	MR(.reason = TPH_REASON_NOT_PUBLISHED, .mkey = 0x1b00);
	expect(x, "TPH001", NULL);
	f = find(x, "TPH001");
	assert_int_equal(f->count, 2);		/* one finding, counted */
	assert_int_equal(f->ino, INO);
	assert_int_equal(f->mkey, 0x1a00);
	assert_string_equal(f->exp_name, "vfio_pci_core");
	assert_string_equal(f->exporter, "0000:17:00.0");
	assert_non_null(strstr(vals(f), "reason=not_published"));
	assert_non_null(strstr(vals(f), "published=none"));
}

static void test_tph001_no_op_and_misses(void **state)
{
	struct fx *x = *state;

	export(x, 301);
	MR(.ino = 301, .reason = TPH_REASON_NO_OP);
	expect(x, "TPH001", NULL);
}

static void test_tph001_near_misses(void **state)
{
	struct fx *x = *state;

	happy_setup(x, 0);
	/* a DMAH-sourced MR never asks the dma-buf */
	MR(.reason = TPH_REASON_NOT_PUBLISHED, .source = TPH_SRC_DMAH);
	/* a failed registration is not judged */
	MR(.reason = TPH_REASON_NOT_PUBLISHED, .mkey = 0x1b00, .ret = -ENOMEM);
	/* outcome unknown: counted, not a finding */
	MR(.reason = TPH_REASON_UNKNOWN, .mkey = 0x1c00);
	expect(x, NULL);
	assert_int_equal(x->rs.unobserved, 1);
}

static void test_tph002_width(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST8);
	MR(.reason = TPH_REASON_WIDTH_MISMATCH);
	expect(x, "TPH002", NULL);
}

static void test_tph002_derived_from_model(void **state)
{
	struct fx *x = *state;

	/* the kernel only said "not published"; the model knows 8-bit exists */
	happy_setup(x, ST8);
	MR(.reason = TPH_REASON_NOT_PUBLISHED);
	expect(x, "TPH002", NULL);
	assert_non_null(strstr(vals(find(x, "TPH002")), "wanted=16 published=8"));
}

static void test_tph002_near_miss(void **state)
{
	struct fx *x = *state;

	/* both widths published and the MR got its tag */
	happy_setup(x, ST8 | ST16);
	MR_OK(0x1234, 1);
	/* 8-bit requester, 8-bit published */
	MR_OK(0xf0, 2, .mkey = 0x1b00, .req = TPH_REQ_TPH_ONLY);
	expect(x, NULL);
}

static void test_tph003_req_disabled(void **state)
{
	struct fx *x = *state;

	enable(x, 0, TPH_REQ_EXT_TPH, TPH_REQ_DISABLE, -EINVAL);
	export(x, INO);
	publish(x, INO, ST16, 0, 0x1234, 2, 0);
	MR(.reason = TPH_REASON_REQ_DISABLED, .req = TPH_REQ_DISABLE);
	expect(x, "TPH003", NULL);
	assert_int_equal(x->rs.n, 2);		/* the NIC, and the dma-buf's MR */
}

static void test_tph003_near_miss(void **state)
{
	struct fx *x = *state;

	/* no tag on the dma-buf: a NIC without TPH is not a problem */
	export(x, INO);
	MR(.reason = TPH_REASON_REQ_DISABLED, .req = TPH_REQ_DISABLE);
	expect(x, NULL);
}

static void test_tph004_rp_cap(void **state)
{
	struct fx *x = *state;

	enable(x, TPH_REQ_TPH_ONLY, TPH_REQ_EXT_TPH, TPH_REQ_TPH_ONLY, 0);
	expect(x, "TPH004", NULL);
	assert_non_null(strstr(vals(find(x, "TPH004")), "rp_completer=tph"));
}

static void test_tph004_near_miss(void **state)
{
	struct fx *x = *state;

	/* a function that only offers 8-bit TPH is not capped */
	enable(x, TPH_REQ_TPH_ONLY, TPH_REQ_TPH_ONLY, TPH_REQ_TPH_ONLY, 0);
	enable(x, TPH_REQ_EXT_TPH, TPH_REQ_EXT_TPH, TPH_REQ_EXT_TPH, 0);
	expect(x, NULL);
}

static void test_tph005_completer(void **state)
{
	struct fx *x = *state;

	export(x, INO);
	publish_c(x, INO, ST16, 0, 0x1234, 2, -EOPNOTSUPP, TPH_REQ_DISABLE);
	expect(x, "TPH005", NULL);
}

static void test_tph005_v5_accepts(void **state)
{
	struct fx *x = *state;

	/* v5 has no completer check: SET succeeds for a non-completer */
	export(x, INO);
	publish_c(x, INO, ST8, 0xf0, 0, 2, 0, TPH_REQ_DISABLE);
	/* an extended tag for an 8-bit completer */
	export(x, 102);
	publish_c(x, 102, ST16, 0, 0x1234, 2, 0, TPH_REQ_TPH_ONLY);
	expect(x, "TPH005", NULL);
	assert_int_equal(x->rs.n, 2);
}

static void test_tph005_near_miss(void **state)
{
	struct fx *x = *state;

	export(x, INO);
	publish_c(x, INO, ST8, 0xf0, 0, 2, 0, TPH_REQ_TPH_ONLY);	/* 8-bit on 8-bit */
	publish_c(x, INO, ST16, 0, 0x1, 2, 0, TPH_UNKNOWN_U8);	/* completer unknown */
	publish_c(x, INO, 0, 0, 0, 0, 0, TPH_REQ_DISABLE);		/* clearing is fine */
	expect(x, NULL);
}

static void test_tph006_st_full(void **state)
{
	struct fx *x = *state;
	const struct finding *f;

	happy_setup(x, ST16);
	st_op(x, TPH_ST_ALLOC, 0x11, 1, 1, 0, false);
	st_op(x, TPH_ST_ALLOC, 0x22, 2, 1, 0, false);
	st_op(x, TPH_ST_ALLOC, 0x1234, 0, 0, -ENOSPC, false);
	MR(.reason = TPH_REASON_ST_TABLE_FULL, .st = 0x1234);
	expect(x, "TPH006", NULL);
	f = find(x, "TPH006");
	assert_int_equal(f->count, 2);		/* alloc failure + MR: one NIC */
	/* a table found full at index 2 has 3 entries, 2 of them for tags */
	assert_non_null(strstr(vals(f), "used=2 capacity=2"));
}

static void test_tph006_near_miss(void **state)
{
	struct fx *x = *state;

	/* other ST allocation errors are not "full" */
	st_op(x, TPH_ST_ALLOC, 0x11, 0, 0, -EINVAL, false);
	st_op(x, TPH_ST_GET, 0x11, 1, 0, -ENOSPC, false);
	expect(x, NULL);
}

static void test_tph007_tag0(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR(.reason = TPH_REASON_TAG0_DIRECT, .ph = 2);
	expect(x, "TPH007", NULL);
}

static void test_tph007_derived_direct(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	st_op(x, TPH_ST_ALLOC, 0, 0, UINT32_MAX, 0, true);
	MR_OK(0, 0);
	expect(x, "TPH007", NULL);
}

static void test_tph007_near_miss(void **state)
{
	struct fx *x = *state;

	/* tag 0 in table mode gets a real index */
	happy_setup(x, ST16);
	st_op(x, TPH_ST_ALLOC, 0, 1, 1, 0, false);
	MR_OK(0, 1);
	expect(x, NULL);
}

static void test_tph008_dmah(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR(.reason = TPH_REASON_DMAH, .st_index = 5, .ph = 1);
	expect(x, "TPH008", NULL);
}

static void test_tph008_near_miss(void **state)
{
	struct fx *x = *state;

	/* DMAH on a dma-buf that publishes nothing overrides nothing */
	happy_setup(x, 0);
	MR(.reason = TPH_REASON_DMAH, .st_index = 5, .ph = 1);
	expect(x, NULL);
}

static void test_tph009_stale_set(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR_OK(0x1234, 1);
	publish(x, INO, ST16, 0, 0x5678, 2, 0);
	expect(x, "TPH009", NULL);
	assert_non_null(strstr(vals(find(x, "TPH009")), "now_st=0x5678"));
}

static void test_tph009_cleared(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR_OK(0x1234, 1);
	publish(x, INO, 0, 0, 0, 0, 0);		/* cleared: the MR still tags */
	expect(x, "TPH009", NULL);
	assert_non_null(strstr(vals(find(x, "TPH009")), "now_st=none"));
}

static void test_tph009_near_misses(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR_OK(0x1234, 1);
	/* the other width changed: this MR's tag did not */
	publish(x, INO, ST8 | ST16, 0x77, 0x1234, 2, 0);
	/* a rejected SET changes nothing */
	publish(x, INO, ST16, 0, 0x9999, 7, -EINVAL);
	/* MR gone before the change */
	dereg(x, 0x1a00, false);
	publish(x, INO, ST16, 0, 0x5678, 2, 0);
	expect(x, "TPH013", NULL);		/* only the rejected SET */
}

static void test_tph010_stale_inval(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR_OK(0x1234, 1);
	invalidate(x, INO);
	expect(x, "TPH010", NULL);
}

static void test_tph010_near_misses(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	invalidate(x, INO);			/* before any MR */
	MR_OK(0x1234, 1);			/* registered after: fresh */
	MR(.reason = TPH_REASON_UNKNOWN, .mkey = 0x1b00);	/* no TPH on it */
	dereg(x, 0x1b00, false);
	export(x, 102);
	MR(.ino = 102, .mkey = 0x1c00, .reason = TPH_REASON_DMAH, .st_index = 4, .ph = 1);
	invalidate(x, 102);			/* DMAH tag: not the dma-buf's */
	expect(x, NULL);
}

static void test_tph011_stale_reuse(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	st_op(x, TPH_ST_ALLOC, 0x1234, 1, 1, 0, false);
	MR_OK(0x1234, 1);
	dereg(x, 0x1a00, true);
	st_op(x, TPH_ST_PUT, 0x1234, 1, 0, 0, false);
	publish(x, INO, ST16, 0, 0x5678, 2, 0);
	st_op(x, TPH_ST_ALLOC, 0x5678, 2, 1, 0, false);
	MR_OK(0x5678, 1, .reused = true);	/* pooled mkey kept index 1 */
	expect(x, "TPH011", NULL);
	assert_non_null(strstr(vals(find(x, "TPH011")), "needed_index=2"));
}

static void test_tph011_direct(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	st_op(x, TPH_ST_ALLOC, 0x1234, 0x1234, UINT32_MAX, 0, true);
	MR_OK(0x5678, 0x1234, .reused = true);
	expect(x, "TPH011", NULL);
}

static void test_tph011_near_miss(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	st_op(x, TPH_ST_ALLOC, 0x1234, 1, 1, 0, false);
	MR_OK(0x1234, 1, .reused = true);	/* right index */
	MR_OK(0x1234, 7, .mkey = 0x1b00);	/* not reused: not this rule */
	expect(x, NULL);
}

static void test_tph012_st_write(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	pci_op(x, TPH_PCI_ST_WRITE, -EIO);
	pci_op(x, TPH_PCI_DISABLE, 0);
	MR(.reason = TPH_REASON_ST_WRITE_FAILED, .st = 0x1234);
	/* every later registration sees TPH off: same cause, not TPH003 */
	MR(.reason = TPH_REASON_REQ_DISABLED, .req = TPH_REQ_DISABLE, .mkey = 0x1b00);
	expect(x, "TPH012", NULL);
	assert_int_equal(find(x, "TPH012")->count, 3);
}

static void test_tph012_st_error_after_write_failure(void **state)
{
	struct fx *x = *state;

	/* the kernel says st_error when the failed write was not tied to the MR */
	happy_setup(x, ST16);
	pci_op(x, TPH_PCI_DISABLE, 0);		/* disable comes first, inside the write */
	pci_op(x, TPH_PCI_ST_WRITE, -EIO);
	MR(.reason = TPH_REASON_ST_ERROR, .st = 0x1234);
	MR(.reason = TPH_REASON_REQ_DISABLED, .req = TPH_REQ_DISABLE, .mkey = 0x1b00);
	expect(x, "TPH012", NULL);
}

static void test_tph012_near_miss(void **state)
{
	struct fx *x = *state;

	/* re-enabled after the failure: later REQ_DISABLED is a new cause */
	happy_setup(x, ST16);
	pci_op(x, TPH_PCI_ST_WRITE, -EIO);
	enable(x, TPH_REQ_EXT_TPH, TPH_REQ_EXT_TPH, TPH_REQ_EXT_TPH, 0);
	pci_op(x, TPH_PCI_DISABLE, 0);
	MR(.reason = TPH_REASON_REQ_DISABLED, .req = TPH_REQ_DISABLE);
	expect(x, "TPH003", "TPH012", NULL);
	assert_int_equal(find(x, "TPH012")->count, 1);
}

static void test_tph013_ph(void **state)
{
	struct fx *x = *state;

	export(x, INO);
	publish(x, INO, ST8, 0xf0, 0, 4, -EINVAL);
	publish(x, INO, 0x4, 0xf0, 0, 1, -EINVAL);	/* undefined flag bit */
	expect(x, "TPH013", NULL);
	assert_int_equal(find(x, "TPH013")->count, 2);
}

static void test_tph014_foreign(void **state)
{
	struct fx *x = *state;

	publish(x, 0, ST8, 0xf0, 0, 2, -EINVAL);
	expect(x, "TPH014", NULL);
	assert_int_equal(find(x, "TPH014")->ino, 0);
}

static void test_tph013_014_near_miss(void **state)
{
	struct fx *x = *state;

	export(x, INO);
	publish(x, INO, ST8, 0xf0, 0, 3, 0);	/* ph 3 is fine */
	publish(x, INO, ST8, 0xf0, 0, 3, -EFAULT);
	expect(x, NULL);
}

static void test_tph015_inconsistent(void **state)
{
	struct fx *x = *state;

	/* a dma-buf from before start: its SET history is unknown */
	attach(x, TPH_EV_ATTACH, 501, true, 0);
	MR_OK(0x10, 1, .ino = 501);
	MR_OK(0x20, 2, .ino = 501, .mkey = 0x1b00);
	expect(x, "TPH015", NULL);
}

static void test_tph015_near_miss(void **state)
{
	struct fx *x = *state;

	/* different widths are different namespaces */
	attach(x, TPH_EV_ATTACH, 501, true, 0);
	MR_OK(0x10, 1, .ino = 501, .req = TPH_REQ_TPH_ONLY);
	MR_OK(0x1010, 2, .ino = 501, .mkey = 0x1b00);
	/* same tag, other MR */
	MR_OK(0x1010, 2, .ino = 501, .mkey = 0x1c00);
	expect(x, NULL);
}

static void test_tph016_lost(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	expect(x, NULL);			/* none lost: quiet */
	model_set_lost(&x->m, 17, 17, 0);
	expect(x, "TPH016", NULL);
	assert_int_equal(find(x, "TPH016")->count, 17);
	model_set_lost(&x->m, 20, 19, 1);
	rules_eval_state(&x->rs);		/* idempotent: one finding, updated */
	assert_int_equal(x->rs.n, 1);
	assert_int_equal(find(x, "TPH016")->count, 20);
	assert_non_null(strstr(vals(find(x, "TPH016")), "lost=20 ringbuf=19 state=1"));
}

static void test_tph017_order(void **state)
{
	struct fx *x = *state;

	happy_setup(x, 0);
	MR(.reason = TPH_REASON_NOT_PUBLISHED);
	publish(x, INO, ST16, 0, 0x1234, 2, 0);
	expect(x, "TPH001", "TPH017", NULL);
}

static void test_tph017_near_miss(void **state)
{
	struct fx *x = *state;

	happy_setup(x, 0);
	MR(.reason = TPH_REASON_NOT_PUBLISHED);
	publish(x, INO, ST8, 0xf0, 0, 2, 0);	/* still not the MR's width */
	expect(x, "TPH001", NULL);
}

static void test_tph018_no_st(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR(.reason = TPH_REASON_NO_ST_TABLE, .st = 0x1234);
	expect(x, "TPH018", NULL);
}

static void test_tph019_p2p(void **state)
{
	struct fx *x = *state;

	export(x, INO);
	attach(x, TPH_EV_ATTACH, INO, false, -EOPNOTSUPP);
	expect(x, "TPH019", NULL);
}

static void test_tph020_revoked(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	invalidate(x, INO);
	attach(x, TPH_EV_MAP, INO, true, -ENODEV);
	expect(x, "TPH020", NULL);
}

static void test_tph019_020_mr_reg(void **state)
{
	struct fx *x = *state;

	/* the failed attach is not always traced: the failed MR is */
	happy_setup(x, ST16);
	MR(.reason = TPH_REASON_UNKNOWN, .mkey = 0, .ret = -EOPNOTSUPP);
	export(x, 102);
	MR(.ino = 102, .reason = TPH_REASON_UNKNOWN, .mkey = 0, .ret = -ENODEV);
	MR(.ino = 102, .reason = TPH_REASON_UNKNOWN, .mkey = 0, .ret = -ENOMEM);
	expect(x, "TPH019", "TPH020", NULL);
	assert_int_equal(x->rs.unobserved, 0);	/* failed MRs are not counted */
}

static void test_tph019_020_near_miss(void **state)
{
	struct fx *x = *state;

	export(x, INO);
	attach(x, TPH_EV_ATTACH, INO, true, -ENOMEM);	/* other errors */
	attach(x, TPH_EV_ATTACH, INO, true, 0);
	invalidate(x, INO);
	attach(x, TPH_EV_MAP, INO, true, 0);		/* restored */
	expect(x, NULL);
}

static void test_tph021_errors(void **state)
{
	struct fx *x = *state;

	happy_setup(x, ST16);
	MR(.reason = TPH_REASON_QUERY_ERROR);
	MR(.reason = TPH_REASON_ST_ERROR, .mkey = 0x1b00);
	expect(x, "TPH021", NULL);
	assert_int_equal(find(x, "TPH021")->count, 2);
}

static void test_tph022_evicted(void **state)
{
	struct model_limits lim;
	struct fx y = {}, *x = &y;

	model_default_limits(&lim);
	lim.bufs = 2;
	assert_int_equal(model_init(&x->m, &lim), 0);
	assert_int_equal(rules_init(&x->rs, &x->m, 16), 0);
	export(x, 1);
	export(x, 2);
	expect(x, NULL);
	export(x, 3);
	expect(x, "TPH022", NULL);
	assert_non_null(strstr(vals(find(x, "TPH022")), "dmabufs=1"));
	rules_free(&x->rs);
	model_free(&x->m);
}

/* ---- store: bounds and output ----------------------------------------------------- */

static void test_findings_bounded(void **state)
{
	struct fx y = {}, *x = &y;
	uint64_t ino;

	assert_int_equal(model_init(&x->m, NULL), 0);
	assert_int_equal(rules_init(&x->rs, &x->m, 4), 0);
	for (ino = 1; ino <= 10; ino++) {
		export(x, ino);
		MR(.ino = ino, .mkey = (uint32_t)ino, .reason = TPH_REASON_NO_OP);
	}
	assert_int_equal(x->rs.n, 4);
	assert_int_equal(x->rs.dropped, 6);
	rules_free(&x->rs);
	model_free(&x->m);
}

static void test_output(void **state)
{
	struct fx *x = *state;
	struct json_object *o, *f, *e, *v;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	happy_setup(x, ST8);
	MR(.reason = TPH_REASON_WIDTH_MISMATCH);
	enable(x, TPH_REQ_TPH_ONLY, TPH_REQ_EXT_TPH, TPH_REQ_TPH_ONLY, 0);
	mem = open_memstream(&text, &len);
	rules_print_text(mem, &x->rs, true, 0, 0, M_NODEV);
	fclose(mem);
	/* errors first, then warnings; evidence and the fix */
	assert_non_null(strstr(text, "error   TPH002"));
	assert_true(strstr(text, "TPH002") < strstr(text, "TPH004"));
	assert_non_null(strstr(text, "dma-buf 101 (vfio_pci_core on 0000:17:00.0)"));
	assert_non_null(strstr(text, "device 0000:3b:00.0 (mlx5_0)"));
	assert_non_null(strstr(text, "mkey 0x1a00"));
	assert_non_null(strstr(text, "fix: 8-bit ST and 16-bit"));
	free(text);

	o = rules_json_obj(&x->rs);
	f = json_object_array_get_idx(json_object_object_get(o, "findings"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(f, "id")), "TPH002");
	assert_string_equal(json_object_get_string(json_object_object_get(f, "severity")),
			    "error");
	e = json_object_object_get(f, "evidence");
	assert_int_equal(json_object_get_int64(json_object_object_get(e, "ino")), INO);
	assert_int_equal(json_object_get_int64(json_object_object_get(e, "mkey")), 0x1a00);
	v = json_object_object_get(e, "values");
	assert_int_equal(json_object_get_int(json_object_object_get(v, "wanted")), 16);
	/* typed evidence: numbers are JSON numbers (hex is for text) */
	assert_int_equal(json_object_get_int(json_object_object_get(v, "mkey")), 0x1a00);
	assert_string_equal(json_object_get_string(json_object_object_get(v, "published")),
			    "8");
	assert_int_equal(json_object_get_int(json_object_object_get(
		json_object_object_get(o, "summary"), "errors")), 1);
	json_object_put(o);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		T(test_happy_ext),
		T(test_happy_8bit_direct),
		T(test_tph001_not_published),
		T(test_tph001_no_op_and_misses),
		T(test_tph001_near_misses),
		T(test_tph002_width),
		T(test_tph002_derived_from_model),
		T(test_tph002_near_miss),
		T(test_tph003_req_disabled),
		T(test_tph003_near_miss),
		T(test_tph004_rp_cap),
		T(test_tph004_near_miss),
		T(test_tph005_completer),
		T(test_tph005_v5_accepts),
		T(test_tph005_near_miss),
		T(test_tph006_st_full),
		T(test_tph006_near_miss),
		T(test_tph007_tag0),
		T(test_tph007_derived_direct),
		T(test_tph007_near_miss),
		T(test_tph008_dmah),
		T(test_tph008_near_miss),
		T(test_tph009_stale_set),
		T(test_tph009_cleared),
		T(test_tph009_near_misses),
		T(test_tph010_stale_inval),
		T(test_tph010_near_misses),
		T(test_tph011_stale_reuse),
		T(test_tph011_direct),
		T(test_tph011_near_miss),
		T(test_tph012_st_write),
		T(test_tph012_st_error_after_write_failure),
		T(test_tph012_near_miss),
		T(test_tph013_ph),
		T(test_tph014_foreign),
		T(test_tph013_014_near_miss),
		T(test_tph015_inconsistent),
		T(test_tph015_near_miss),
		T(test_tph016_lost),
		T(test_tph017_order),
		T(test_tph017_near_miss),
		T(test_tph018_no_st),
		T(test_tph019_p2p),
		T(test_tph020_revoked),
		T(test_tph019_020_mr_reg),
		T(test_tph019_020_near_miss),
		T(test_tph021_errors),
		cmocka_unit_test(test_tph022_evicted),
		cmocka_unit_test(test_findings_bounded),
		T(test_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
