// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Prometheus text rendering: escaping, HELP/TYPE once per family and before
 * the samples, contiguous families, ordering, series cap and its overflow
 * counter, number formats, golden text; the record-fed metrics.
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
#include "metrics.h"
#include "prom.h"
#include "record.h"
#include "feed.h"
#include "hooks.h"

static const char *esc_label(const char *in)
{
	static struct prom_buf b;

	prom_buf_reset(&b);
	prom_escape_label(&b, in);
	return b.p ? b.p : "";
}

static const char *esc_help(const char *in)
{
	static struct prom_buf b;

	prom_buf_reset(&b);
	prom_escape_help(&b, in);
	return b.p ? b.p : "";
}

static void test_escape_label(void **state)
{
	assert_string_equal(esc_label("plain"), "plain");
	assert_string_equal(esc_label("a\\b"), "a\\\\b");
	assert_string_equal(esc_label("say \"hi\""), "say \\\"hi\\\"");
	assert_string_equal(esc_label("two\nlines"), "two\\nlines");
	assert_string_equal(esc_label("\\\"\n"), "\\\\\\\"\\n");
	/* control characters and invalid UTF-8 never reach the output */
	assert_string_equal(esc_label("tab\there\r"), "tab?here?");
	assert_string_equal(esc_label("bad\xff\xfe"), "bad??");
	assert_string_equal(esc_label("trunc\xc3"), "trunc?");
	assert_string_equal(esc_label("overlong\xc0\xaf"), "overlong??");
	assert_string_equal(esc_label("surrogate\xed\xa0\x80"), "surrogate???");
	/* valid UTF-8 passes unchanged */
	assert_string_equal(esc_label("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(esc_label(""), "");
	assert_string_equal(esc_label(NULL), "");
}

static void test_escape_help(void **state)
{
	/* help: backslash and newline escaped, quotes are not */
	assert_string_equal(esc_help("a \"quoted\" \\ word\nnext"),
			    "a \"quoted\" \\\\ word\\nnext");
}

static void test_names(void **state)
{
	assert_true(prom_valid_metric_name("tphtrace_records_total"));
	assert_true(prom_valid_metric_name("a:b_c9"));
	assert_false(prom_valid_metric_name("9abc"));
	assert_false(prom_valid_metric_name("a-b"));
	assert_false(prom_valid_metric_name(""));
	assert_true(prom_valid_label_name("exporter"));
	assert_false(prom_valid_label_name("__name__"));
	assert_false(prom_valid_label_name("a:b"));
	assert_false(prom_valid_label_name("1a"));
}

static void test_numbers(void **state)
{
	struct prom_buf b;
	struct prom_writer w;
	char num[40];

	prom_format_double(0.1, num, sizeof(num));
	assert_string_equal(num, "0.1");
	prom_format_double(1795511530.0, num, sizeof(num));
	assert_string_equal(num, "1795511530");
	prom_format_double(1.0 / 0.0, num, sizeof(num));
	assert_string_equal(num, "+Inf");
	prom_format_double(-1.0 / 0.0, num, sizeof(num));
	assert_string_equal(num, "-Inf");
	prom_format_double(0.0 / 0.0, num, sizeof(num));
	assert_string_equal(num, "NaN");
	prom_format_double(1.0 / 3.0, num, sizeof(num));
	assert_true(strtod(num, NULL) == 1.0 / 3.0);

	prom_buf_init(&b);
	prom_writer_init(&w, &b, 0, NULL, NULL);
	prom_family(&w, "t_seconds_total", PROM_COUNTER, "h");
	prom_sample_ns(&w, NULL, 0, 12000000345ull);
	prom_sample_ns(&w, NULL, 0, 7);
	prom_sample_u64(&w, NULL, 0, UINT64_MAX);
	prom_writer_finish(&w);
	assert_string_equal(b.p, "# HELP t_seconds_total h\n# TYPE t_seconds_total counter\n"
			    "t_seconds_total 12.000000345\nt_seconds_total 0.000000007\n"
			    "t_seconds_total 18446744073709551615\n");
	prom_buf_free(&b);
}

struct drops {
	char family[64];
	unsigned int n, calls;
};

static void record_drop(void *ctx, const char *family, unsigned int dropped)
{
	struct drops *d = ctx;

	snprintf(d->family, sizeof(d->family), "%s", family);
	d->n += dropped;
	d->calls++;
}

static const char golden_writer[] =
	"# HELP demo_requests_total Requests by code.\n"
	"# TYPE demo_requests_total counter\n"
	"demo_requests_total{code=\"200\",path=\"/metrics\"} 3\n"
	"demo_requests_total{code=\"404\",path=\"/x\\\"y\\\\z\\n\"} 1\n"
	"# HELP demo_temperature_celsius A \\\\ gauge\\nwith two lines.\n"
	"# TYPE demo_temperature_celsius gauge\n"
	"demo_temperature_celsius 21.5\n"
	"# HELP demo_empty Family without samples.\n"
	"# TYPE demo_empty untyped\n";

static void test_writer_golden(void **state)
{
	struct prom_label l[2];
	struct prom_buf b;
	struct prom_writer w;

	prom_buf_init(&b);
	prom_writer_init(&w, &b, 0, NULL, NULL);
	assert_true(prom_family(&w, "demo_requests_total", PROM_COUNTER, "Requests by code."));
	l[0] = (struct prom_label){ "code", "200" };
	l[1] = (struct prom_label){ "path", "/metrics" };
	prom_sample_u64(&w, l, 2, 3);
	/* beginning the current family again continues it: HELP/TYPE once */
	assert_true(prom_family(&w, "demo_requests_total", PROM_COUNTER, "Requests by code."));
	l[0].value = "404";
	l[1].value = "/x\"y\\z\n";
	prom_sample_u64(&w, l, 2, 1);
	prom_family(&w, "demo_temperature_celsius", PROM_GAUGE, "A \\ gauge\nwith two lines.");
	prom_sample_f64(&w, NULL, 0, 21.5);
	prom_family(&w, "demo_empty", PROM_UNTYPED, "Family without samples.");
	prom_writer_finish(&w);
	assert_false(w.error);
	assert_string_equal(b.p, golden_writer);
	assert_int_equal(b.len, strlen(golden_writer));
	prom_buf_free(&b);
}

static void test_family_not_split(void **state)
{
	struct prom_buf b;
	struct prom_writer w;

	prom_buf_init(&b);
	prom_writer_init(&w, &b, 0, NULL, NULL);
	prom_family(&w, "a_total", PROM_COUNTER, "a");
	prom_sample_u64(&w, NULL, 0, 1);
	prom_family(&w, "b_total", PROM_COUNTER, "b");
	prom_sample_u64(&w, NULL, 0, 2);
	/* a_total again would split it: refused, its samples dropped */
	assert_false(prom_family(&w, "a_total", PROM_COUNTER, "a"));
	assert_false(prom_sample_u64(&w, NULL, 0, 3));
	assert_true(w.error);
	assert_null(strstr(b.p, "a_total 3"));
	/* invalid names are refused too */
	prom_writer_init(&w, &b, 0, NULL, NULL);
	assert_false(prom_family(&w, "bad-name", PROM_GAUGE, "x"));
	assert_true(w.error);
	prom_writer_init(&w, &b, 0, NULL, NULL);
	prom_family(&w, "ok_total", PROM_COUNTER, "x");
	prom_sample_u64(&w, &(struct prom_label){ "__bad", "v" }, 1, 1);
	assert_true(w.error);
	prom_buf_free(&b);
}

static void test_writer_series_cap(void **state)
{
	struct drops d = {};
	struct prom_label l = { "n", NULL };
	struct prom_buf b;
	struct prom_writer w;
	char v[8];
	int i;

	prom_buf_init(&b);
	prom_writer_init(&w, &b, 2, record_drop, &d);
	prom_family(&w, "capped", PROM_GAUGE, "c");
	for (i = 0; i < 5; i++) {
		snprintf(v, sizeof(v), "%d", i);
		l.value = v;
		assert_int_equal(prom_sample_u64(&w, &l, 1, i), i < 2);
	}
	prom_family(&w, "next", PROM_GAUGE, "n");
	prom_sample_u64(&w, NULL, 0, 1);
	prom_writer_finish(&w);
	assert_string_equal(d.family, "capped");
	assert_int_equal(d.n, 3);
	assert_int_equal(d.calls, 1);
	assert_non_null(strstr(b.p, "capped{n=\"1\"} 1\n# HELP next"));
	assert_null(strstr(b.p, "n=\"2\""));
	prom_buf_free(&b);
}

static void test_buf_reuse(void **state)
{
	struct prom_buf b;
	size_t cap;
	char *p;
	int i, r;

	prom_buf_init(&b);
	for (r = 0; r < 3; r++) {
		prom_buf_reset(&b);
		for (i = 0; i < 2000; i++)
			prom_buf_printf(&b, "line %d of a long exposition\n", i);
		if (r == 0) {
			cap = b.cap;
			p = b.p;
		}
	}
	/* the memory of the first render is reused as it is */
	assert_int_equal(b.cap, cap);
	assert_ptr_equal(b.p, p);
	assert_false(b.oom);
	assert_int_equal(strlen(b.p), b.len);
	prom_buf_free(&b);
}

/* ---- metrics ---- */

static void fill(union tph_record *r, unsigned int kind)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_TP_BTF;
	r->hdr.pid = 1234;		/* never a label */
}

static void pci(struct tph_dev *d, unsigned int bus, const char *name)
{
	d->domain = 0;
	d->bdf = bus << 8;
	d->valid = TPH_DEV_PCI | (name ? TPH_DEV_NAME : 0);
	if (name)
		snprintf(d->name, sizeof(d->name), "%s", name);
}

static void mr(union tph_record *r, uint64_t ino, unsigned int reason, int ret)
{
	fill(r, TPH_EV_MR_REG);
	pci(&r->mr.nic, 0x3b, "mlx5_0");
	r->mr.ino = ino;
	r->mr.mkey = 0x1234 + ino;	/* never a label */
	r->mr.req_type = TPH_REQ_EXT_TPH;
	r->mr.extended = 1;
	r->mr.source = TPH_SRC_DMABUF;
	r->mr.reason = reason;
	r->mr.ret = ret;
}

static struct metrics M;
static struct prom_buf B;

static int setup(void **state)
{
	prom_buf_init(&B);
	return metrics_init(&M, METRICS_DEFAULT_MAX_SERIES);
}

static int teardown(void **state)
{
	metrics_free(&M);
	prom_buf_free(&B);
	return 0;
}

static void test_metrics_records(void **state)
{
	union tph_record r;
	const char *k[5];
	struct feed_opts fo;
	struct feed f;

	/* the exporter applies each record to the model first: the counters
	 * name a dma-buf's exporter through it */
	feed_default_opts(&fo);
	assert_int_equal(feed_init(&f, &fo), 0);
	M.model = &f.m;
#define REC(r) do { feed_record(&f, &(r)); metrics_record(&M, &(r)); } while (0)

	/* publish on 0000:17:00.0 for dma-buf 77 → MRs on it name that exporter */
	fill(&r, TPH_EV_TPH_PUBLISH);
	pci(&r.publish.exporter, 0x17, NULL);
	r.publish.ino = 77;
	REC(r);
	r.publish.ret = -EINVAL;
	REC(r);
	mr(&r, 77, TPH_REASON_OK, 0);
	REC(r);
	REC(r);
	mr(&r, 77, TPH_REASON_WIDTH_MISMATCH, 0);
	REC(r);
	mr(&r, 99, TPH_REASON_NOT_PUBLISHED, 0);	/* exporter never seen */
	r.mr.req_type = TPH_REQ_DISABLE;
	REC(r);
	mr(&r, 77, TPH_REASON_OK, -ENOMEM);
	REC(r);

	k[0] = "0000:3b:00.0"; k[1] = "0000:17:00.0"; k[2] = "16"; k[3] = "dmabuf";
	k[4] = "ok";
	assert_int_equal(metrics_get(&M, MF_MR_REG, k), 3);
	k[4] = "width_mismatch";
	assert_int_equal(metrics_get(&M, MF_MR_REG, k), 1);
	k[1] = "unknown"; k[2] = "0"; k[4] = "not_published";
	assert_int_equal(metrics_get(&M, MF_MR_REG, k), 1);
	k[1] = "ENOMEM";
	assert_int_equal(metrics_get(&M, MF_MR_FAIL, k), 1);
	k[0] = "0000:17:00.0"; k[1] = "ok";
	assert_int_equal(metrics_get(&M, MF_PUBLISHES, k), 1);
	k[1] = "EINVAL";
	assert_int_equal(metrics_get(&M, MF_PUBLISHES, k), 1);
	k[0] = "mr_reg";
	assert_int_equal(metrics_get(&M, MF_RECORDS, k), 5);

	/* a query names the exporter device when the exporter callback ran,
	 * else the exporter the model learned from the publish */
	fill(&r, TPH_EV_TPH_QUERY);
	r.query.buf.ino = 77;
	r.query.extended = 0;
	r.query.ret = -ENOENT;
	REC(r);
	k[0] = "0000:17:00.0"; k[1] = "8"; k[2] = "ENOENT";
	assert_int_equal(metrics_get(&M, MF_QUERIES, k), 1);
	/* release forgets the dma-buf */
	fill(&r, TPH_EV_DMABUF_RELEASE);
	r.dmabuf.buf.ino = 77;
	REC(r);
	mr(&r, 77, TPH_REASON_OK, 0);
	REC(r);
	k[0] = "0000:3b:00.0"; k[1] = "unknown"; k[2] = "16"; k[3] = "dmabuf"; k[4] = "ok";
	assert_int_equal(metrics_get(&M, MF_MR_REG, k), 1);

	/* ST and PCI operations */
	fill(&r, TPH_EV_ST_INDEX);
	pci(&r.st.nic, 0x3b, NULL);
	r.st.op = TPH_ST_ALLOC;
	r.st.ret = -ENOSPC;
	REC(r);
	k[0] = "0000:3b:00.0"; k[1] = "alloc"; k[2] = "ENOSPC";
	assert_int_equal(metrics_get(&M, MF_ST_OPS, k), 1);
	fill(&r, TPH_EV_PCI_TPH);
	pci(&r.pci.dev, 0x3b, NULL);
	r.pci.op = TPH_PCI_ENABLE;
	REC(r);
	k[1] = "enable"; k[2] = "ok";
	assert_int_equal(metrics_get(&M, MF_PCI_OPS, k), 1);

	/* no pid, mkey or inode ever becomes a label value */
	metrics_render(&M, &B, NULL, 0, NULL, NULL);
	assert_null(strstr(B.p, "1234"));
	assert_null(strstr(B.p, "\"77\""));
	assert_null(strstr(B.p, "ino"));
	assert_null(strstr(B.p, "mkey"));
	assert_null(strstr(B.p, "pid"));
	M.model = NULL;
	feed_close(&f);
#undef REC
}

static void test_metrics_ordering(void **state)
{
	const char *k[1];
	const char *order[] = { "zeta", "alpha", "mid", "beta", "alpha" };
	const char *a, *b, *c, *z;
	size_t i;

	for (i = 0; i < 5; i++) {
		k[0] = order[i];
		metrics_inc(&M, MF_MR_DEREG, k, 1);
	}
	metrics_render(&M, &B, NULL, 0, NULL, NULL);
	a = strstr(B.p, "tphtrace_mr_deregistrations_total{importer=\"alpha\"} 2\n");
	b = strstr(B.p, "tphtrace_mr_deregistrations_total{importer=\"beta\"} 1\n");
	c = strstr(B.p, "tphtrace_mr_deregistrations_total{importer=\"mid\"} 1\n");
	z = strstr(B.p, "tphtrace_mr_deregistrations_total{importer=\"zeta\"} 1\n");
	assert_non_null(a);
	assert_true(a < b && b < c && c < z);
}

/* Parse the exposition: every family has HELP then TYPE once, before its
 * samples; its samples are contiguous; the text ends in a newline. */
static void check_exposition(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;
	char fams[PROM_MAX_FAMILIES][96];
	char cur[96] = "", help[96] = "";
	int nf = 0, i;

	assert_non_null(copy);
	assert_true(text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96];

		if (!strncmp(line, "# HELP ", 7)) {
			sscanf(line + 7, "%95s", help);
			for (i = 0; i < nf; i++)
				assert_string_not_equal(fams[i], help);
			assert_true(nf < PROM_MAX_FAMILIES);
			snprintf(fams[nf++], sizeof(fams[0]), "%s", help);
			cur[0] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%95s", name);
			assert_string_equal(name, help);
			snprintf(cur, sizeof(cur), "%s", name);
			if (strstr(line, " counter"))
				assert_non_null(strstr(name, "_total"));
			continue;
		}
		assert_true(line[0] != '#');
		sscanf(line, "%95[^{ ]", name);
		assert_string_equal(name, cur);
	}
	free(copy);
}

static void render_model(void *ctx, struct prom_writer *w)
{
	struct prom_label l = { "nic", NULL };
	char v[16];
	int i;

	prom_family(w, "tphtrace_test_model_entries", PROM_GAUGE, "model gauge");
	for (i = 0; i < 12; i++) {
		snprintf(v, sizeof(v), "n%02d", i);
		l.value = v;
		prom_sample_u64(w, &l, 1, i);
	}
}

static void test_metrics_series_cap(void **state)
{
	struct metrics m;
	struct prom_buf b;
	struct prog_stats prog = { "tp_btf_mr_reg", 1500000000ull, 3, 0 };
	struct hook_plan plan;
	const char *k[1];
	char v[16];
	int i;

	assert_int_equal(metrics_init(&m, 10), 0);
	prom_buf_init(&b);
	for (i = 0; i < 15; i++) {
		snprintf(v, sizeof(v), "dev%02d", i);
		k[0] = v;
		assert_int_equal(metrics_inc(&m, MF_MR_DEREG, k, 1), i < 10);
	}
	/* existing series keep counting at the cap */
	k[0] = "dev03";
	assert_true(metrics_inc(&m, MF_MR_DEREG, k, 1));
	assert_int_equal(metrics_get(&m, MF_MR_DEREG, k), 2);

	memset(&plan, 0, sizeof(plan));
	for (i = 0; i < TPH_EV_MAX; i++)
		plan.ev[i].cand = -1;
	{
		unsigned char fam[TPH_EV_MAX];

		hooks_families(&plan, fam);
		metrics_set_hooks(&m, fam);
	}
	metrics_http_request(&m, 404);
	metrics_http_request(&m, 200);
	metrics_http_request(&m, 200);
	metrics_render(&m, &b, &prog, 1, render_model, NULL);
	check_exposition(b.p);
	assert_non_null(strstr(b.p, "tphtrace_metric_series_dropped_total{family="
				    "\"tphtrace_mr_deregistrations_total\"} 5\n"));
	/* the model family was cut at 10 of 12 in this scrape */
	assert_non_null(strstr(b.p, "tphtrace_test_model_entries{nic=\"n09\"} 9\n"));
	assert_null(strstr(b.p, "n10"));
	assert_non_null(strstr(b.p, "tphtrace_metric_series_dropped_total{family="
				    "\"tphtrace_test_model_entries\"} 2\n"));
	assert_non_null(strstr(b.p, "tphtrace_bpf_program_run_time_seconds_total"
				    "{program=\"tp_btf_mr_reg\"} 1.500000000\n"));
	assert_non_null(strstr(b.p, "tphtrace_bpf_program_runs_total"
				    "{program=\"tp_btf_mr_reg\"} 3\n"));
	assert_non_null(strstr(b.p, "tphtrace_hooks_attached{event=\"mr_reg\","
				    "family=\"none\"} 0\n"));
	assert_non_null(strstr(b.p, "tphtrace_http_requests_total{code=\"200\"} 2\n"
				    "tphtrace_http_requests_total{code=\"404\"} 1\n"));
	assert_non_null(strstr(b.p, "tphtrace_build_info{version=\"" TPHTRACE_VERSION
				    "\",revision=\""));
	/* a second scrape counts the cut series again: the counter only grows */
	metrics_render(&m, &b, NULL, 0, render_model, NULL);
	assert_non_null(strstr(b.p, "tphtrace_metric_series_dropped_total{family="
				    "\"tphtrace_test_model_entries\"} 4\n"));
	prom_buf_free(&b);
	metrics_free(&m);
}

static const char golden_counters[] =
	"# HELP tphtrace_records_total Records received from the BPF programs, by event.\n"
	"# TYPE tphtrace_records_total counter\n"
	"tphtrace_records_total{event=\"mr_reg\"} 2\n"
	"tphtrace_records_total{event=\"tph_publish\"} 1\n"
	"# HELP tphtrace_tph_publishes_total Steering tags published on a dma-buf by its "
	"exporter (VFIO DMA_BUF_TPH SET), by exporter device and result (ok or errno name).\n"
	"# TYPE tphtrace_tph_publishes_total counter\n"
	"tphtrace_tph_publishes_total{exporter=\"0000:17:00.0\",result=\"ok\"} 1\n"
	"# HELP tphtrace_tph_queries_total Steering-tag queries of an importer to a "
	"dma-buf's exporter (get_tph), by exporter, ST width in bits and result.\n"
	"# TYPE tphtrace_tph_queries_total counter\n"
	"# HELP tphtrace_mr_registrations_total mlx5 dma-buf MR registrations, by "
	"importer NIC, exporter, ST width in bits (0: TPH requester off), tag source and "
	"the reason the MR did or did not get the dma-buf's steering tag (ok: it did).\n"
	"# TYPE tphtrace_mr_registrations_total counter\n"
	"tphtrace_mr_registrations_total{importer=\"0000:3b:00.0\",exporter=\"0000:17:00.0\","
	"width=\"16\",source=\"dmabuf\",reason=\"ok\"} 1\n"
	"tphtrace_mr_registrations_total{importer=\"0000:3b:00.0\",exporter=\"0000:17:00.0\","
	"width=\"16\",source=\"dmabuf\",reason=\"st_table_full\"} 1\n"
	"# HELP tphtrace_mr_registration_failures_total mlx5 dma-buf MR registrations "
	"that failed, by importer NIC and errno name.\n"
	"# TYPE tphtrace_mr_registration_failures_total counter\n"
	"# HELP tphtrace_mr_deregistrations_total mlx5 dma-buf MR deregistrations, by "
	"importer NIC.\n"
	"# TYPE tphtrace_mr_deregistrations_total counter\n"
	"# HELP tphtrace_st_index_operations_total mlx5 steering-tag table index "
	"operations (alloc, get, put), by NIC, operation and result.\n"
	"# TYPE tphtrace_st_index_operations_total counter\n"
	"# HELP tphtrace_pci_tph_operations_total PCI TPH operations (enable, disable, "
	"st_write), by device, operation and result.\n"
	"# TYPE tphtrace_pci_tph_operations_total counter\n"
	"# HELP tphtrace_build_info ";

static void test_metrics_golden(void **state)
{
	struct metrics m;
	struct prom_buf b;
	union tph_record r;
	struct feed_opts fo;
	struct feed f;

	assert_int_equal(metrics_init(&m, 100), 0);
	feed_default_opts(&fo);
	assert_int_equal(feed_init(&f, &fo), 0);
	m.model = &f.m;
	prom_buf_init(&b);
	fill(&r, TPH_EV_TPH_PUBLISH);
	pci(&r.publish.exporter, 0x17, NULL);
	r.publish.ino = 5;
	feed_record(&f, &r);
	metrics_record(&m, &r);
	mr(&r, 5, TPH_REASON_ST_TABLE_FULL, 0);
	feed_record(&f, &r);
	metrics_record(&m, &r);
	mr(&r, 5, TPH_REASON_OK, 0);
	feed_record(&f, &r);
	metrics_record(&m, &r);
	metrics_render(&m, &b, NULL, 0, NULL, NULL);
	assert_memory_equal(b.p, golden_counters, strlen(golden_counters));
	check_exposition(b.p);
	prom_buf_free(&b);
	metrics_free(&m);
	feed_close(&f);
}

/* gauges from the live model: the same records the views see */
static void test_model_gauges(void **state)
{
	struct feed_opts fo;
	struct feed f;
	struct metrics m;
	struct prom_buf b;
	union tph_record r;
	struct prom_writer w;

	feed_default_opts(&fo);
	fo.lim.bufs = fo.lim.mrs = fo.lim.attachments = fo.lim.holders = 64;
	fo.lim.st_entries = 64;
	assert_int_equal(feed_init(&f, &fo), 0);
	assert_int_equal(metrics_init(&m, 2), 0);
	m.model = &f.m;
	prom_buf_init(&b);

#define FEED(r) do { feed_record(&f, &(r)); metrics_record(&m, &(r)); } while (0)
	/* dma-buf 7 from 0000:17:00.0, ext tag 0x11, attached by the NIC */
	fill(&r, TPH_EV_DMABUF_EXPORT);
	r.dmabuf.buf.ino = 7;
	strcpy(r.dmabuf.buf.exp_name, "vfio_pci_core");
	FEED(r);
	fill(&r, TPH_EV_TPH_PUBLISH);
	pci(&r.publish.exporter, 0x17, NULL);
	r.publish.ino = 7;
	r.publish.flags = 2;
	r.publish.st_ext = 0x11;
	r.publish.ph = 2;
	FEED(r);
	fill(&r, TPH_EV_ATTACH);
	r.attach.buf.ino = 7;
	r.attach.attach = 0xffff888000001000ull;
	pci(&r.attach.importer, 0x3b, NULL);
	FEED(r);
	fill(&r, TPH_EV_ST_INDEX);
	pci(&r.st.nic, 0x3b, "mlx5_0");
	r.st.op = TPH_ST_ALLOC;
	r.st.tag = 0x11;
	r.st.st_index = 1;
	r.st.refcount = 1;
	FEED(r);
	mr(&r, 7, TPH_REASON_OK, 0);
	r.mr.st = 0x11;
	r.mr.st_index = 1;
	r.mr.ph = 2;
	FEED(r);
	/* a second dma-buf of a name-only exporter, no tag */
	fill(&r, TPH_EV_DMABUF_EXPORT);
	r.dmabuf.buf.ino = 8;
	strcpy(r.dmabuf.buf.exp_name, "udmabuf");
	FEED(r);
	fill(&r, TPH_EV_PCI_TPH);
	pci(&r.pci.dev, 0x3b, "mlx5_0");
	r.pci.op = TPH_PCI_ENABLE;
	r.pci.req_type = TPH_REQ_EXT_TPH;
	FEED(r);

	prom_writer_init(&w, &b, 0, NULL, NULL);
	metrics_render_model(&m, &w, &f.m, &f.rs);
	prom_writer_finish(&w);
	assert_false(w.error);
	check_exposition(b.p);
	assert_non_null(strstr(b.p, "tphtrace_dmabufs{exporter=\"0000:17:00.0\"} 1\n"
				    "tphtrace_dmabufs{exporter=\"udmabuf\"} 1\n"));
	assert_non_null(strstr(b.p, "tphtrace_published_tags{exporter=\"0000:17:00.0\","
				    "width=\"16\"} 1\n"));
	assert_non_null(strstr(b.p, "tphtrace_dmabuf_attachments{exporter=\"0000:17:00.0\","
				    "importer=\"0000:3b:00.0\"} 1\n"));
	assert_non_null(strstr(b.p, "tphtrace_mrs{importer=\"0000:3b:00.0\",exporter="
				    "\"0000:17:00.0\",tph=\"true\"} 1\n"));
	assert_null(strstr(b.p, "tphtrace_mrs_stale{"));
	assert_non_null(strstr(b.p, "tphtrace_st_table_used_entries{nic=\"0000:3b:00.0\"} 1\n"));
	assert_non_null(strstr(b.p, "tphtrace_pci_tph_requester_type{device=\"0000:3b:00.0\"} 3\n"));
	assert_non_null(strstr(b.p, "tphtrace_findings{rule=\"TPH001\",severity=\"warning\"} 0\n"));
	assert_non_null(strstr(b.p, "tphtrace_model_entries{pool=\"dmabufs\"} 2\n"));
	assert_non_null(strstr(b.p, "tphtrace_model_capacity_entries{pool=\"mrs\"} 64\n"));

	/* SET again with another tag: the MR keeps the old one, it is stale */
	fill(&r, TPH_EV_TPH_PUBLISH);
	pci(&r.publish.exporter, 0x17, NULL);
	r.publish.ino = 7;
	r.publish.flags = 2;
	r.publish.st_ext = 0x22;
	r.publish.ph = 2;
	FEED(r);
	prom_buf_reset(&b);
	prom_writer_init(&w, &b, 0, NULL, NULL);
	metrics_render_model(&m, &w, &f.m, &f.rs);
	prom_writer_finish(&w);
	assert_non_null(strstr(b.p, "tphtrace_mrs_stale{importer=\"0000:3b:00.0\","
				    "exporter=\"0000:17:00.0\"} 1\n"));
	assert_non_null(strstr(b.p, "tphtrace_findings{rule=\"TPH009\",severity=\"warning\"} 1\n"));
	/* the MR counter named the exporter through the model */
	{
		const char *k[5] = { "0000:3b:00.0", "0000:17:00.0", "16", "dmabuf", "ok" };

		assert_int_equal(metrics_get(&m, MF_MR_REG, k), 1);
	}

	/* the series cap (2) applies to model families: dmabufs has 2, a third
	 * exporter is cut and counted */
	fill(&r, TPH_EV_DMABUF_EXPORT);
	r.dmabuf.buf.ino = 9;
	strcpy(r.dmabuf.buf.exp_name, "zz_heap");
	FEED(r);
	prom_buf_reset(&b);
	prom_writer_init(&w, &b, 2, NULL, NULL);
	metrics_render_model(&m, &w, &f.m, &f.rs);
	prom_writer_finish(&w);
	assert_null(strstr(b.p, "zz_heap"));
	assert_non_null(strstr(b.p, "tphtrace_dmabufs{exporter=\"udmabuf\"} 1\n"));
#undef FEED
	prom_buf_free(&b);
	metrics_free(&m);
	feed_close(&f);
}

static void test_result_names(void **state)
{
	char buf[16];

	assert_string_equal(tph_errno_name(0, buf, sizeof(buf)), "ok");
	assert_string_equal(tph_errno_name(-ENOENT, buf, sizeof(buf)), "ENOENT");
	assert_string_equal(tph_errno_name(-EOPNOTSUPP, buf, sizeof(buf)), "EOPNOTSUPP");
	assert_string_equal(tph_errno_name(-4000, buf, sizeof(buf)), "E4000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_label),
		cmocka_unit_test(test_escape_help),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_writer_golden),
		cmocka_unit_test(test_family_not_split),
		cmocka_unit_test(test_writer_series_cap),
		cmocka_unit_test(test_buf_reuse),
		cmocka_unit_test_setup_teardown(test_metrics_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_ordering, setup, teardown),
		cmocka_unit_test(test_metrics_series_cap),
		cmocka_unit_test(test_metrics_golden),
		cmocka_unit_test(test_model_gauges),
		cmocka_unit_test(test_result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
