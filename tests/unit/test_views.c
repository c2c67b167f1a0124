// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live and replay agree: the same records fed the way the ring buffer
 * delivers them (collector_deliver(), as BPF wrote them) and as a
 * `trace -j` file read back (replay_stream()) give the same `list -j`,
 * byte for byte. Once on records written as the fentry hooks write them (a
 * device BPF could only name: "0000:3b:00.0" as a name, which live `list`
 * used to show as a second device), once on every recorded trace of
 * tests/data/traces.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "collect.h"
#include "feed.h"
#include "record.h"
#include "replay.h"
#include "views.h"

#define TRACES "tests/data/traces"

struct two {
	struct feed live, replay;
	char *file;		/* the trace -j rendering of the live records */
	size_t flen;
	FILE *f;
};

static void two_init(struct two *t)
{
	struct feed_opts o;

	feed_default_opts(&o);
	o.lim.bufs = o.lim.mrs = o.lim.attachments = 4096;
	o.lim.holders = 8192;
	assert_int_equal(feed_init(&t->live, &o), 0);
	assert_int_equal(feed_init(&t->replay, &o), 0);
	t->file = NULL;
	t->flen = 0;
	t->f = open_memstream(&t->file, &t->flen);
	assert_non_null(t->f);
}

/* one record: into the live feed as the ring buffer delivers it, and into
 * the file as `trace -j` writes it */
static void two_record(struct two *t, const union tph_record *r)
{
	struct collector_opts co = { .on_record = feed_record, .ctx = &t->live };
	char line[4096];
	int n;

	assert_int_equal(collector_deliver(&co, r, tph_record_size(r->hdr.kind)), 0);
	n = tph_record_json(r, line, sizeof(line));
	assert_true(n > 0);
	fprintf(t->f, "%s\n", line);
}

static char *list_json(struct feed *f)
{
	struct view_src src = {};
	struct view_sel sel = { .dev = M_NODEV };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	view_list_json(mem, f, &src, &sel);
	fclose(mem);
	return text;
}

/* replay the file, then both list -j must be the same bytes */
static void two_compare(struct two *t, const char *what)
{
	struct replay_ops ops = { .on_record = feed_record, .on_lost = feed_lost,
				  .ctx = &t->replay };
	char err[256], *a, *b;
	FILE *in;

	fclose(t->f);
	in = fmemopen(t->file, t->flen ? t->flen : 1, "r");
	assert_non_null(in);
	assert_true(replay_stream(in, what, &ops, err, sizeof(err)) >= 0);
	fclose(in);
	a = list_json(&t->live);
	b = list_json(&t->replay);
	if (strcmp(a, b))
		fail_msg("%s: live and replay differ:\nlive:   %s\nreplay: %s", what, a, b);
	free(a);
	free(b);
	free(t->file);
	feed_close(&t->live);
	feed_close(&t->replay);
}

static void hdr(union tph_record *r, unsigned int kind, uint64_t ts)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_FENTRY;
	r->hdr.ts_ns = ts;
	r->hdr.pid = r->hdr.tgid = 4242;
	snprintf(r->hdr.comm, sizeof(r->hdr.comm), "p2p-app");
}

static void pci(struct tph_dev *d, unsigned int bus, const char *name)
{
	d->domain = 0;
	d->bdf = bus << 8;
	d->valid = TPH_DEV_PCI;
	if (name) {
		snprintf(d->name, sizeof(d->name), "%s", name);
		d->valid |= TPH_DEV_NAME;
	}
}

/* a device the fentry hooks name by dev_name() only */
static void named(struct tph_dev *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->valid = TPH_DEV_NAME;
}

static void test_fentry_names_one_device(void **state)
{
	union tph_record r;
	struct two t;
	char *a;

	two_init(&t);
	hdr(&r, TPH_EV_PCI_TPH, 1);
	pci(&r.pci.dev, 0x3b, NULL);
	r.pci.op = TPH_PCI_ENABLE;
	r.pci.mode = 2;
	r.pci.req_type = r.pci.dev_req_type = TPH_REQ_EXT_TPH;
	r.pci.rp_completer = 3;
	two_record(&t, &r);
	hdr(&r, TPH_EV_DMABUF_EXPORT, 2);
	r.dmabuf.buf.ino = 101;
	r.dmabuf.buf.size = 1 << 20;
	snprintf(r.dmabuf.buf.exp_name, sizeof(r.dmabuf.buf.exp_name), "vfio_pci_core");
	two_record(&t, &r);
	hdr(&r, TPH_EV_TPH_PUBLISH, 3);
	named(&r.publish.exporter, "0000:17:00.0");
	r.publish.ino = 101;
	r.publish.flags = 2;
	r.publish.st_ext = 0x1234;
	r.publish.ph = 2;
	r.publish.completer = 3;
	two_record(&t, &r);
	hdr(&r, TPH_EV_ATTACH, 4);
	r.attach.buf.ino = 101;
	named(&r.attach.importer, "0000:3b:00.0");	/* the NIC, by dev_name() */
	r.attach.attach = 0xffff888012345678ull;
	r.attach.peer2peer = r.attach.dynamic = 1;
	two_record(&t, &r);
	hdr(&r, TPH_EV_MR_REG, 5);
	pci(&r.mr.nic, 0x3b, "mlx5_0");
	r.mr.ino = 101;
	r.mr.mkey = 0x1a00;
	r.mr.length = 1 << 20;
	r.mr.req_type = TPH_REQ_EXT_TPH;
	r.mr.extended = 1;
	r.mr.source = TPH_SRC_DMABUF;
	r.mr.st = 0x1234;
	r.mr.st_index = 1;
	r.mr.ph = 2;
	two_record(&t, &r);

	/* the NIC is one device, as replay has always shown it */
	a = list_json(&t.live);
	{
		struct json_object *o = json_tokener_parse(a);
		struct json_object *d;

		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "devices", &d));
		assert_int_equal(json_object_array_length(d), 2);
		json_object_put(o);
	}
	free(a);
	two_compare(&t, "fentry records");
}

static int is_trace(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 6 && !strcmp(de->d_name + n - 6, ".jsonl");
}

/* the records of a file, fed both ways */
static int to_both(void *ctx, const union tph_record *r)
{
	two_record(ctx, r);
	return 0;
}

static void test_every_recorded_trace(void **state)
{
	struct dirent **ent;
	char path[512], err[256];
	int n, i;

	n = scandir(TRACES, &ent, is_trace, alphasort);
	assert_true(n > 20);
	for (i = 0; i < n; i++) {
		struct two t;
		struct replay_ops ops = { .on_record = to_both, .ctx = &t };

		two_init(&t);
		snprintf(path, sizeof(path), TRACES "/%s", ent[i]->d_name);
		assert_true(replay_file(path, &ops, err, sizeof(err)) >= 0);
		two_compare(&t, ent[i]->d_name);
		free(ent[i]);
	}
	free(ent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fentry_names_one_device),
		cmocka_unit_test(test_every_recorded_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
