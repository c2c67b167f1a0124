// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * MRs that existed before start (src/state_rdma.c): a dumped MR becomes a
 * pre-start mr_reg record (device and PCI function from a fake sysfs,
 * owner's comm from a fake /proc, lkey as the mkey, no TPH outcome); the
 * model keeps it marked, counts it apart, lets a deregistration traced
 * later remove it, never lets it replace a traced MR and never counts a
 * traced MR that replaces it as an orphan; rules do not judge it; the
 * exporter shows it as tphtrace_mrs_pre_start only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "metrics.h"
#include "prom.h"
#include "rdma_nl.h"
#include "record.h"
#include "feed.h"
#include "state.h"

static char root[] = "/tmp/tphtrace-prestart-XXXXXX";
static char proc[600], sysfs[600];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdir_p(const char *fmt, const char *a)
{
	char p[700];

	snprintf(p, sizeof(p), fmt, a);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* /proc/4242/comm, sysfs: mlx5_0 -> a PCI function, rxe0 without a parent,
 * siw0 with a parent that is not PCI */
static int setup(void **state)
{
	char p[700];

	assert_non_null(mkdtemp(root));
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(sysfs, sizeof(sysfs), "%s/infiniband", root);
	mkdir_p("%s", proc);
	mkdir_p("%s/4242", proc);
	snprintf(p, sizeof(p), "%s/4242/comm", proc);
	write_file(p, "rdma-app\n");
	mkdir_p("%s", sysfs);
	mkdir_p("%s/mlx5_0", sysfs);
	snprintf(p, sizeof(p), "%s/mlx5_0/device", sysfs);
	assert_int_equal(symlink("../../../0000:3b:00.1", p), 0);
	mkdir_p("%s/rxe0", sysfs);
	mkdir_p("%s/siw0", sysfs);
	snprintf(p, sizeof(p), "%s/siw0/device", sysfs);
	assert_int_equal(symlink("../../../virtual/net/siw", p), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? -1 : 0;
}

static struct rdma_mr dumped(const char *dev, uint32_t lkey, uint32_t pid)
{
	struct rdma_mr mr = { .mrn = 11, .length = 2097152, .lkey = lkey, .rkey = lkey + 1,
			      .pdn = 3, .pid = pid,
			      .has = RMR_LKEY | RMR_RKEY | RMR_PDN | RMR_PID };

	snprintf(mr.dev, sizeof(mr.dev), "%s", dev);
	return mr;
}

static void test_record(void **state)
{
	struct rdma_mr mr = dumped("mlx5_0", 0x1a2b00, 4242);
	union tph_record r;
	char s[64];

	memset(&r, 0x5a, sizeof(r));	/* every byte the record holds is written */
	assert_int_equal(state_rdma_record(&mr, proc, sysfs, 777, &r), 0);
	assert_int_equal(r.hdr.kind, TPH_EV_MR_REG);
	assert_int_equal(r.hdr.hook, TPH_HOOK_ITER);
	assert_int_equal(r.hdr.flags, 0);
	assert_int_equal(r.hdr.ts_ns, 777);
	assert_int_equal(r.hdr.tgid, 4242);
	assert_string_equal(r.hdr.comm, "rdma-app");
	assert_int_equal(r.mr.nic.valid, TPH_DEV_PCI | TPH_DEV_NAME);
	tph_dev_str(&r.mr.nic, s, sizeof(s));
	assert_string_equal(s, "0000:3b:00.1");
	assert_string_equal(r.mr.nic.name, "mlx5_0");
	assert_int_equal(r.mr.mkey, 0x1a2b00);
	assert_int_equal(r.mr.rkey, 0x1a2b01);
	assert_int_equal(r.mr.pdn, 3);
	assert_int_equal(r.mr.nl_flags, TPH_MR_NL_PDN);
	assert_int_equal(r.mr.mrn, 11);
	assert_int_equal(r.mr.length, 2097152);
	assert_int_equal(r.mr.ino, 0);
	assert_int_equal(r.mr.ph, TPH_NO_PH);
	assert_int_equal(r.mr.reason, TPH_REASON_UNKNOWN);
	assert_int_equal(r.mr.source, TPH_SRC_NONE);
	assert_int_equal(r.mr.req_type, TPH_UNKNOWN_U8);
	assert_int_equal(r.mr.st, 0);
	assert_int_equal(r.mr.st_index, 0);
	assert_int_equal(r.mr.ret, 0);
	assert_int_equal(r.mr.access, 0);

	/* soft-RoCE: no parent device, the IB name alone */
	mr = dumped("rxe0", 0x3d4, 4242);
	assert_int_equal(state_rdma_record(&mr, proc, sysfs, 1, &r), 0);
	assert_int_equal(r.mr.nic.valid, TPH_DEV_NAME);
	assert_string_equal(r.mr.nic.name, "rxe0");
	/* a parent that is not a PCI function is not taken for one */
	mr = dumped("siw0", 0x10, 4242);
	assert_int_equal(state_rdma_record(&mr, proc, sysfs, 1, &r), 0);
	assert_int_equal(r.mr.nic.valid, TPH_DEV_NAME);
	assert_string_equal(r.mr.nic.name, "siw0");

	/* a kernel MR: its owner's name, no process */
	mr = dumped("mlx5_0", 0x77, 0);
	mr.has = RMR_LKEY | RMR_RKEY | RMR_KERN;
	snprintf(mr.kern_name, sizeof(mr.kern_name), "ib_core");
	assert_int_equal(state_rdma_record(&mr, proc, sysfs, 1, &r), 0);
	assert_int_equal(r.hdr.tgid, 0);
	assert_string_equal(r.hdr.comm, "ib_core");
	assert_int_equal(r.mr.pdn, 0);
	assert_int_equal(r.mr.nl_flags, 0);

	/* an owner gone (or another pid namespace): no comm */
	mr = dumped("mlx5_0", 0x78, 999999);
	assert_int_equal(state_rdma_record(&mr, proc, sysfs, 1, &r), 0);
	assert_int_equal(r.hdr.tgid, 999999);
	assert_string_equal(r.hdr.comm, "");

	/* without its lkey (no CAP_NET_ADMIN) nothing can know it by its key */
	mr = dumped("mlx5_0", 0x79, 4242);
	mr.has &= ~(RMR_LKEY | RMR_RKEY);
	assert_int_equal(state_rdma_record(&mr, proc, sysfs, 1, &r), -ENOKEY);
}

static struct feed F;

static void feed_new(void)
{
	struct feed_opts fo;

	feed_default_opts(&fo);
	fo.lim.bufs = fo.lim.mrs = fo.lim.attachments = fo.lim.holders = 64;
	fo.lim.st_entries = 64;
	assert_int_equal(feed_init(&F, &fo), 0);
}

static void pre_start(union tph_record *r, const char *dev, uint32_t lkey)
{
	struct rdma_mr mr = dumped(dev, lkey, 4242);

	assert_int_equal(state_rdma_record(&mr, proc, sysfs, 100, r), 0);
}

/* a traced record of mlx5_0 (0000:3b:00.1) */
static void traced(union tph_record *r, unsigned int kind, uint32_t mkey)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_FENTRY;
	r->hdr.ts_ns = 200;
	r->hdr.tgid = 4242;
	if (kind == TPH_EV_MR_DEREG) {
		tph_dev_parse(&r->mr_dereg.nic, "0000:3b:00.1");
		r->mr_dereg.mkey = mkey;
		return;
	}
	tph_dev_parse(&r->mr.nic, "0000:3b:00.1");
	tph_dev_parse(&r->mr.nic, "mlx5_0");
	r->mr.mkey = mkey;
	r->mr.ino = 5;
	r->mr.length = 4096;
	r->mr.ph = TPH_NO_PH;
	r->mr.reason = TPH_REASON_NOT_PUBLISHED;
	r->mr.source = TPH_SRC_DMABUF;
	/* what the BPF programs leave in these: anything */
	r->mr.rkey = 0xdead;
	r->mr.pdn = 0xbeef;
	r->mr.mrn = 0xf00d;
	r->mr.nl_flags = 0xffffffff;
}

static const struct m_mr *mr_of(uint32_t mkey)
{
	uint16_t nic;
	uint32_t i;
	struct tph_dev d = {};

	tph_dev_parse(&d, "0000:3b:00.1");
	nic = model_find_dev(&F.m, &d);
	if (nic == M_NODEV)
		return NULL;
	i = model_find_mr(&F.m, nic, mkey);
	return i == M_NONE ? NULL : M_MR(&F.m, i);
}

static const struct m_dev *mlx5(void)
{
	struct tph_dev d = {};
	uint16_t nic;

	tph_dev_parse(&d, "0000:3b:00.1");
	nic = model_find_dev(&F.m, &d);
	assert_int_not_equal(nic, M_NODEV);
	return &F.m.devs[nic];
}

static void test_model(void **state)
{
	const struct m_mr *x;
	union tph_record r;

	feed_new();
	pre_start(&r, "mlx5_0", 0x100);
	feed_record(&F, &r);
	pre_start(&r, "mlx5_0", 0x200);
	feed_record(&F, &r);
	x = mr_of(0x100);
	assert_non_null(x);
	assert_true(x->pre_start);
	assert_int_equal(x->rkey, 0x101);
	assert_int_equal(x->pdn, 3);
	assert_true(x->pdn_known);
	assert_int_equal(x->mrn, 11);
	assert_int_equal(x->length, 2097152);
	assert_int_equal(x->tgid, 4242);
	assert_string_equal(x->comm, "rdma-app");
	assert_int_equal(x->buf, M_NONE);
	assert_int_equal(x->ph, TPH_NO_PH);
	assert_int_equal(x->reason, TPH_REASON_UNKNOWN);
	assert_int_equal(F.m.mrs_pre_start, 2);
	assert_int_equal(mlx5()->mrs, 2);
	assert_int_equal(mlx5()->mrs_pre_start, 2);
	assert_int_equal(mlx5()->mrs_tph, 0);
	assert_true(mlx5()->roles & MD_NIC);
	/* nothing to judge: no finding, not an unobserved outcome either */
	assert_int_equal(F.rs.n, 0);
	assert_int_equal(F.rs.unobserved, 0);

	/* deregistered while traced: mlx5's mkey is the lkey, the entry goes */
	traced(&r, TPH_EV_MR_DEREG, 0x100);
	feed_record(&F, &r);
	assert_null(mr_of(0x100));
	assert_int_equal(F.m.mrs_pre_start, 1);
	assert_int_equal(mlx5()->mrs_pre_start, 1);
	assert_int_equal(mlx5()->mrs, 1);
	assert_int_equal(F.m.orphans, 0);

	/* the dump ran after tracing began: a registration it listed arrives
	 * as a traced record afterwards and takes over, not an orphan */
	traced(&r, TPH_EV_MR_REG, 0x200);
	feed_record(&F, &r);
	x = mr_of(0x200);
	assert_non_null(x);
	assert_false(x->pre_start);
	assert_int_equal(x->rkey, 0);	/* never taken from a traced record */
	assert_int_equal(x->pdn, 0);
	assert_false(x->pdn_known);
	assert_int_equal(x->mrn, 0);
	assert_int_equal(x->reason, TPH_REASON_NOT_PUBLISHED);
	assert_int_equal(F.m.orphans, 0);
	assert_int_equal(F.m.mrs_pre_start, 0);
	assert_int_equal(mlx5()->mrs, 1);
	assert_int_equal(mlx5()->mrs_pre_start, 0);

	/* ... and a dumped MR never replaces a traced one */
	pre_start(&r, "mlx5_0", 0x200);
	feed_record(&F, &r);
	x = mr_of(0x200);
	assert_false(x->pre_start);
	assert_int_equal(x->reason, TPH_REASON_NOT_PUBLISHED);
	assert_int_equal(F.m.mrs_pre_start, 0);
	assert_int_equal(mlx5()->mrs, 1);

	/* a traced key registered twice is still an orphan */
	traced(&r, TPH_EV_MR_REG, 0x200);
	feed_record(&F, &r);
	assert_int_equal(F.m.orphans, 1);
	feed_close(&F);
}

/* the pool full of dumped MRs: evicted ones leave every count */
static void test_eviction(void **state)
{
	struct feed_opts fo;
	union tph_record r;
	uint32_t k;

	feed_default_opts(&fo);
	fo.lim.bufs = fo.lim.attachments = fo.lim.holders = fo.lim.st_entries = 16;
	fo.lim.mrs = 16;
	assert_int_equal(feed_init(&F, &fo), 0);
	for (k = 1; k <= 40; k++) {
		pre_start(&r, "mlx5_0", k << 8);
		feed_record(&F, &r);
	}
	assert_int_equal(F.m.p[MP_MR].used, 16);
	assert_int_equal(F.m.mrs_pre_start, 16);
	assert_int_equal(mlx5()->mrs_pre_start, 16);
	assert_int_equal(mlx5()->mrs, 16);
	assert_int_equal(F.m.p[MP_MR].evicted, 24);
	feed_close(&F);
}

static void test_metrics(void **state)
{
	struct metrics m;
	struct prom_buf b;
	struct prom_writer w;
	union tph_record r;

	feed_new();
	assert_int_equal(metrics_init(&m, METRICS_DEFAULT_MAX_SERIES), 0);
	m.model = &F.m;
	prom_buf_init(&b);
	pre_start(&r, "mlx5_0", 0x100);
	feed_record(&F, &r);
	pre_start(&r, "mlx5_0", 0x200);
	feed_record(&F, &r);
	pre_start(&r, "rxe0", 0x300);
	feed_record(&F, &r);
	traced(&r, TPH_EV_MR_REG, 0x400);
	feed_record(&F, &r);
	prom_writer_init(&w, &b, 0, NULL, NULL);
	metrics_render_model(&m, &w, &F.m, &F.rs);
	prom_writer_finish(&w);
	assert_false(w.error);
	assert_non_null(strstr(b.p, "# TYPE tphtrace_mrs_pre_start gauge\n"
				    "tphtrace_mrs_pre_start{nic=\"0000:3b:00.1\"} 2\n"
				    "tphtrace_mrs_pre_start{nic=\"rxe0\"} 1\n"));
	/* tphtrace_mrs has the traced MR only, and says whether it has TPH */
	assert_non_null(strstr(b.p, "tphtrace_mrs{importer=\"0000:3b:00.1\",exporter="
				    "\"unknown\",tph=\"false\"} 1\n"));
	assert_null(strstr(b.p, "tphtrace_mrs{importer=\"rxe0\""));
	prom_buf_free(&b);
	metrics_free(&m);
	feed_close(&F);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
