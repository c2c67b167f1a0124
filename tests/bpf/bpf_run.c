// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Host BPF tests: every program type the host allows (raw_tp, kprobe)
 * passes the verifier, and the raw_tp handlers, run with BPF_PROG_TEST_RUN
 * on argument arrays generated from the trace headers, produce the
 * expected records, including reasons derived across several events and
 * exact drop accounting when the ring buffer overflows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tp_args.h"
#include "record.h"
#include "tphtrace.skel.h"

#define EOPNOTSUPP_ 95

struct ctx {
	struct tphtrace_bpf *skel;
	struct ring_buffer *rb;
	union tph_record got[64];
	int n;
	long total;
};

static int on_rec(void *c_, void *data, size_t len)
{
	struct ctx *c = c_;

	c->total++;
	assert_int_equal(tph_record_check(data, len), 0);
	if (c->n < 64)
		memcpy(&c->got[c->n++], data, len);
	return 0;
}

static void run(struct ctx *c, struct bpf_program *p, u64 *args, int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args,
		    .ctx_size_in = n * sizeof(u64));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(p), &o), 0);
}

static void drain(struct ctx *c)
{
	c->n = 0;
	assert_true(ring_buffer__consume(c->rb) >= 0);
}

static int setup(void **state)
{
	static struct ctx c;
	struct bpf_program *p;
	int k;

	memset(&c, 0, sizeof(c));
	c.skel = tphtrace_bpf__open();
	assert_non_null(c.skel);
	bpf_object__for_each_program(p, c.skel->obj) {
		const char *n = bpf_program__name(p);

		bpf_program__set_autoload(p, !strncmp(n, "raw_tp__", 8) ||
					     !strncmp(n, "kprobe", 6) ||
					     !strncmp(n, "kretprobe", 9));
	}
	for (k = 1; k < TPH_EV_MAX; k++)
		c.skel->rodata->event_family[k] = TPH_HOOK_RAW_TP;
	/* every raw_tp and kprobe program must pass the host's verifier */
	if (tphtrace_bpf__load(c.skel)) {
		fprintf(stderr, "load failed\n");
		fail();
	}
	c.rb = ring_buffer__new(bpf_map__fd(c.skel->maps.rb), on_rec, &c, NULL);
	assert_non_null(c.rb);
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	ring_buffer__free(c->rb);
	tphtrace_bpf__destroy(c->skel);
	return 0;
}

static void test_query_record(void **state)
{
	struct ctx *c = *state;
	u64 a[12];
	int n;

	n = tp_pack_dma_buf_tph_query(a, 77, NULL, 4096, true, 0x1234, 2, 0);
	run(c, c->skel->progs.raw_tp__dma_buf_tph_query, a, n);
	drain(c);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->got[0].hdr.kind, TPH_EV_TPH_QUERY);
	assert_int_equal(c->got[0].hdr.hook, TPH_HOOK_RAW_TP);
	assert_int_equal(c->got[0].hdr.tgid, getpid());
	assert_int_equal(c->got[0].query.buf.ino, 77);
	assert_int_equal(c->got[0].query.buf.size, 4096);
	assert_int_equal(c->got[0].query.extended, 1);
	assert_int_equal(c->got[0].query.st, 0x1234);
	assert_int_equal(c->got[0].query.ph, 2);
	assert_int_equal(c->got[0].query.qflags, 0);
}

/* exporter says: only the 16-bit tag exists; the NIC asked for 8 bits */
static void test_width_mismatch_derived(void **state)
{
	struct ctx *c = *state;
	u64 a[12];
	int n;

	n = tp_pack_vfio_pci_tph_query(a, 0, 0x1000, 77, false, false, true, 0, 0,
				       -EOPNOTSUPP_);
	run(c, c->skel->progs.raw_tp__vfio_pci_tph_query, a, n);
	n = tp_pack_dma_buf_tph_query(a, 77, NULL, 4096, false, 0, 0, -EOPNOTSUPP_);
	run(c, c->skel->progs.raw_tp__dma_buf_tph_query, a, n);
	n = tp_pack_mlx5_ib_mr_tph(a, NULL, 0, 0x3b00, 77, 1, false,
				   MLX5_IB_TPH_SRC_NONE, 0, 0, 0xff,
				   MLX5_IB_TPH_NOT_PUBLISHED, -EOPNOTSUPP_);
	run(c, c->skel->progs.raw_tp__mlx5_ib_mr_tph, a, n);
	n = tp_pack_mlx5_ib_dmabuf_mr(a, NULL, 0x100, 77, 4096, 1, 0, 0xff, false, 0);
	run(c, c->skel->progs.raw_tp__mlx5_ib_dmabuf_mr, a, n);
	drain(c);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->got[0].hdr.kind, TPH_EV_TPH_QUERY);
	assert_int_equal(c->got[0].query.qflags, TPH_Q_EXPORTER_SEEN |
			 TPH_Q_VALID_KNOWN | TPH_Q_ST_EXT_VALID);
	assert_int_equal(c->got[0].query.exporter.bdf, 0x1000);
	assert_int_equal(c->got[0].query.ret, -EOPNOTSUPP_);
	assert_int_equal(c->got[1].hdr.kind, TPH_EV_MR_REG);
	assert_int_equal(c->got[1].mr.reason, TPH_REASON_WIDTH_MISMATCH);
	assert_int_equal(c->got[1].mr.mkey, 0x100);
	assert_int_equal(c->got[1].mr.ino, 77);
	assert_int_equal(c->got[1].mr.nic.bdf, 0x3b00);
	assert_int_equal(c->got[1].mr.ph, 0xff);
	assert_int_equal(c->got[1].mr.req_type, 1);
	assert_int_equal(c->got[1].mr.query_ret, -EOPNOTSUPP_);
	assert_int_equal(c->got[1].mr.st_ret, 0);
}

/*
 * An ST entry write fails inside a registration (query, ST write, decision,
 * MR): st_write_failed. The next registration's query clears it, so a plain
 * ST error afterwards stays st_error.
 */
static void test_st_write_failed_derived(void **state)
{
	struct ctx *c = *state;
	u64 a[12];
	int n;

	n = tp_pack_dma_buf_tph_query(a, 78, NULL, 8192, false, 0x42, 1, 0);
	run(c, c->skel->progs.raw_tp__dma_buf_tph_query, a, n);
	n = tp_pack_pcie_tph_st_write(a, 0, 0x3b00, 5, 0x42, 0x200, -5);
	run(c, c->skel->progs.raw_tp__pcie_tph_st_write, a, n);
	n = tp_pack_mlx5_ib_mr_tph(a, NULL, 0, 0x3b00, 78, 1, false,
				   MLX5_IB_TPH_SRC_NONE, 0x42, 0, 0xff,
				   MLX5_IB_TPH_ST_ERROR, -5);
	run(c, c->skel->progs.raw_tp__mlx5_ib_mr_tph, a, n);
	n = tp_pack_mlx5_ib_dmabuf_mr(a, NULL, 0x200, 78, 8192, 0, 0, 0xff, false, 0);
	run(c, c->skel->progs.raw_tp__mlx5_ib_dmabuf_mr, a, n);

	n = tp_pack_dma_buf_tph_query(a, 79, NULL, 8192, false, 0x43, 1, 0);
	run(c, c->skel->progs.raw_tp__dma_buf_tph_query, a, n);
	n = tp_pack_mlx5_ib_mr_tph(a, NULL, 0, 0x3b00, 79, 1, false,
				   MLX5_IB_TPH_SRC_NONE, 0x43, 0, 0xff,
				   MLX5_IB_TPH_ST_ERROR, -12);
	run(c, c->skel->progs.raw_tp__mlx5_ib_mr_tph, a, n);
	n = tp_pack_mlx5_ib_dmabuf_mr(a, NULL, 0x201, 79, 8192, 0, 0, 0xff, false, 0);
	run(c, c->skel->progs.raw_tp__mlx5_ib_dmabuf_mr, a, n);
	drain(c);
	assert_int_equal(c->n, 5);
	assert_int_equal(c->got[1].pci.op, TPH_PCI_ST_WRITE);
	assert_int_equal(c->got[1].pci.ret, -5);
	assert_int_equal(c->got[1].pci.tag, 0x42);
	assert_int_equal(c->got[2].mr.reason, TPH_REASON_ST_WRITE_FAILED);
	assert_int_equal(c->got[2].mr.st_ret, -5);
	assert_int_equal(c->got[2].mr.query_ret, 0);
	assert_int_equal(c->got[2].mr.length, 8192);
	assert_int_equal(c->got[4].mr.reason, TPH_REASON_ST_ERROR);
	assert_int_equal(c->got[4].mr.st_ret, -12);
}

static void test_st_and_pci_records(void **state)
{
	struct ctx *c = *state;
	u64 a[12];
	int n;

	n = tp_pack_mlx5_st_index_alloc(a, 1, 0x3b00, 0xf0, 3, 2, false, 0);
	run(c, c->skel->progs.raw_tp__mlx5_st_index_alloc, a, n);
	n = tp_pack_pcie_tph_enable(a, 0, 0x3b00, 2, 3, 1, 1, 0);
	run(c, c->skel->progs.raw_tp__pcie_tph_enable, a, n);
	n = tp_pack_vfio_pci_tph_set(a, 0, 0x1000, 99, 3, 0xf0, 0x1f0, 2, 3, 0);
	run(c, c->skel->progs.raw_tp__vfio_pci_tph_set, a, n);
	drain(c);
	assert_int_equal(c->n, 3);
	assert_int_equal(c->got[0].st.op, TPH_ST_ALLOC);
	assert_int_equal(c->got[0].st.nic.domain, 1);
	assert_int_equal(c->got[0].st.st_index, 3);
	assert_int_equal(c->got[0].st.refcount, 2);
	assert_int_equal(c->got[1].pci.op, TPH_PCI_ENABLE);
	assert_int_equal(c->got[1].pci.dev_req_type, 3);
	assert_int_equal(c->got[1].pci.rp_completer, 1);
	assert_int_equal(c->got[1].pci.req_type, 1);
	assert_int_equal(c->got[2].publish.ino, 99);
	assert_int_equal(c->got[2].publish.st_ext, 0x1f0);
	assert_int_equal(c->got[2].publish.completer, 3);
}

/* overflow the ring: produced - received == lost, exactly */
static void test_drops_counted_exactly(void **state)
{
	struct ctx *c = *state;
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t lost = 0, v[512];
	const long runs = 40000;
	uint32_t key = TPH_DROP_RINGBUF;
	u64 a[12];
	int n;

	assert_true(ncpu > 0 && ncpu <= 512);
	drain(c);
	c->total = 0;
	n = tp_pack_dma_buf_tph_query(a, 1, NULL, 1, false, 1, 1, 0);
	for (i = 0; i < runs; i++)
		run(c, c->skel->progs.raw_tp__dma_buf_tph_query, a, n);
	drain(c);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.drops), &key, v), 0);
	for (i = 0; i < ncpu; i++)
		lost += v[i];
	printf("# produced %ld received %ld lost %llu\n", runs, c->total,
	       (unsigned long long)lost);
	assert_true(lost > 0);
	assert_int_equal(c->total + (long)lost, runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_record),
		cmocka_unit_test(test_width_mismatch_derived),
		cmocka_unit_test(test_st_write_failed_derived),
		cmocka_unit_test(test_st_and_pci_records),
		cmocka_unit_test(test_drops_counted_exactly),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
