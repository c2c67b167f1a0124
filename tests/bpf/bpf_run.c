// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Host BPF tests: every program type the host allows (raw_tp, kprobe)
 * passes the verifier (the module-type reads of the tracepoint handlers are
 * compiled out by their CO-RE existence guards: the host has no such
 * modules), the raw_tp handlers, run with BPF_PROG_TEST_RUN on argument
 * arrays generated from the trace headers with NULL objects, emit their
 * records with the scalar arguments in place, drops are counted exactly
 * when the ring buffer overflows, and tphtrace's ring consumer (src/ring.c)
 * hands over every record in order across many wraps of the ring.
 */
#define _GNU_SOURCE	/* memfd_create(), core_same.h */
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
#include "ring.h"
#include "tphtrace.skel.h"
#include "core_same.h"

#define EOPNOTSUPP_ 95

struct ctx {
	struct tphtrace_bpf *skel;
	struct ring *rb;
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

/* pass after pass until a pass finds nothing, as the collector's last drain */
static void consume_all(struct ring *r)
{
	int k;

	while ((k = ring_consume(r)) > 0)
		;
	assert_int_equal(k, 0);
}

static void drain(struct ctx *c)
{
	c->n = 0;
	consume_all(c->rb);
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
	assert_int_equal(ring_open(bpf_map__fd(c.skel->maps.rb), on_rec, &c, &c.rb), 0);
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	ring_close(c->rb);
	tphtrace_bpf__destroy(c->skel);
	return 0;
}

/*
 * What the host can still prove about the handlers. The tracepoints pass
 * kernel objects (dma-buf, PCI function, mlx5 device, MR) that
 * BPF_PROG_TEST_RUN cannot hand over: here every object is NULL, the
 * handlers must emit their records anyway, with the scalar arguments in
 * place and nothing read from the objects. Every field read from an object
 * (ino, size, exporter, NIC, mkey, reused, refcount, reasons, which need the
 * kernel's enum) is checked field by field by the guest scenarios on real
 * objects (tests/vm/test-scenarios.sh, the .scn files of kernel/tphsim/scenarios).
 */
static void test_query_record_without_objects(void **state)
{
	struct ctx *c = *state;
	u64 a[12];
	int n;

	n = tp_pack_dma_buf_get_pci_tph(a, NULL, true, NULL, NULL, -EOPNOTSUPP_);
	run(c, c->skel->progs.raw_tp__dma_buf_get_pci_tph, a, n);
	drain(c);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->got[0].hdr.kind, TPH_EV_TPH_QUERY);
	assert_int_equal(c->got[0].hdr.hook, TPH_HOOK_RAW_TP);
	assert_int_equal(c->got[0].hdr.tgid, getpid());
	assert_true(c->got[0].hdr.flags & TPH_F_ERR);
	assert_int_equal(c->got[0].query.extended, 1);
	assert_int_equal(c->got[0].query.ret, -EOPNOTSUPP_);
	assert_int_equal(c->got[0].query.buf.ino, 0);
	assert_int_equal(c->got[0].query.st, 0);
	assert_int_equal(c->got[0].query.qflags, 0);
}

static void test_scalar_fields_without_objects(void **state)
{
	struct ctx *c = *state;
	u64 a[12];
	int n;

	n = tp_pack_mlx5_st_index_alloc(a, NULL, 0xf0, 3, NULL, 0);
	run(c, c->skel->progs.raw_tp__mlx5_st_index_alloc, a, n);
	n = tp_pack_pcie_tph_enable(a, NULL, 2, 3, 1, 1, 0);
	run(c, c->skel->progs.raw_tp__pcie_tph_enable, a, n);
	n = tp_pack_pcie_tph_st_write(a, NULL, 5, 0x42, 0x200, -5);
	run(c, c->skel->progs.raw_tp__pcie_tph_st_write, a, n);
	n = tp_pack_vfio_pci_tph_set(a, NULL, NULL, NULL, 3, -EOPNOTSUPP_);
	run(c, c->skel->progs.raw_tp__vfio_pci_tph_set, a, n);
	drain(c);
	assert_int_equal(c->n, 4);
	assert_int_equal(c->got[0].st.op, TPH_ST_ALLOC);
	assert_int_equal(c->got[0].st.tag, 0xf0);
	assert_int_equal(c->got[0].st.st_index, 3);
	assert_int_equal(c->got[0].st.refcount, 0);
	assert_int_equal(c->got[1].pci.op, TPH_PCI_ENABLE);
	assert_int_equal(c->got[1].pci.mode, 2);
	assert_int_equal(c->got[1].pci.dev_req_type, 3);
	assert_int_equal(c->got[1].pci.rp_completer, 1);
	assert_int_equal(c->got[1].pci.req_type, 1);
	assert_int_equal(c->got[2].pci.op, TPH_PCI_ST_WRITE);
	assert_int_equal(c->got[2].pci.index, 5);
	assert_int_equal(c->got[2].pci.tag, 0x42);
	assert_int_equal(c->got[2].pci.loc, 0x200);
	assert_int_equal(c->got[2].pci.ret, -5);
	assert_int_equal(c->got[3].publish.completer, 3);
	assert_int_equal(c->got[3].publish.ino, 0);
	assert_int_equal(c->got[3].publish.ret, -EOPNOTSUPP_);
}

/* overflow the ring: produced - received == lost, exactly */
static void test_drops_counted_exactly(void **state)
{
	struct ctx *c = *state;
	uint64_t lost = 0;
	const long runs = 40000;
	int i;
	uint32_t key = TPH_DROP_RINGBUF;
	u64 a[12];
	int n;

	drain(c);
	c->total = 0;
	/* the query handler needs no object to emit its record */
	n = tp_pack_dma_buf_get_pci_tph(a, NULL, false, NULL, NULL, 0);
	for (i = 0; i < runs; i++)
		run(c, c->skel->progs.raw_tp__dma_buf_get_pci_tph, a, n);
	drain(c);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.drops), &key, &lost), 0);
	printf("# produced %ld received %ld lost %llu\n", runs, c->total,
	       (unsigned long long)lost);
	assert_true(lost > 0);
	assert_int_equal(c->total + (long)lost, runs);
}

/*
 * Three and a half times the ring, a quarter of it at a time, each batch
 * drained before the next: every record arrives once, in order, whole
 * (the query's ret carries its sequence number), also those that wrap the
 * ring's end.
 */
static int on_seq(void *c_, void *data, size_t len)
{
	struct ctx *c = c_;
	const struct tph_ev_query *q = data;

	assert_int_equal(tph_record_check(data, len), 0);
	assert_int_equal(q->hdr.kind, TPH_EV_TPH_QUERY);
	assert_int_equal(q->ret, -(int)(c->total % 4000) - 1);
	c->total++;
	return 0;
}

static void test_ring_consumer_wraps(void **state)
{
	struct ctx *c = *state;
	const long per_ring = bpf_map__max_entries(c->skel->maps.rb) /
			      (sizeof(struct tph_ev_query) + 8);
	const long runs = per_ring * 7 / 2, batch = per_ring / 4;
	struct ring *seq;
	long i = 0, j;
	u64 a[12];
	int n;

	drain(c);
	assert_int_equal(ring_open(bpf_map__fd(c->skel->maps.rb), on_seq, c, &seq), 0);
	c->total = 0;
	while (i < runs) {
		for (j = 0; j < batch && i < runs; j++, i++) {
			n = tp_pack_dma_buf_get_pci_tph(a, NULL, false, NULL, NULL,
							-(int)(i % 4000) - 1);
			run(c, c->skel->progs.raw_tp__dma_buf_get_pci_tph, a, n);
		}
		consume_all(seq);
		assert_int_equal(c->total, i);
	}
	ring_close(seq);
}

/* what this host loads: every raw_tp and kprobe program, raw_tp hooks */
static bool host_prog(void *ctx, const char *n)
{
	return !strncmp(n, "raw_tp__", 8) || !strncmp(n, "kprobe", 6) ||
	       !strncmp(n, "kretprobe", 9);
}

static void host_rodata(void *ctx, struct tphtrace_bpf *s)
{
	int k;

	for (k = 1; k < TPH_EV_MAX; k++)
		s->rodata->event_family[k] = TPH_HOOK_RAW_TP;
}

/*
 * CO-RE relocated against core_btf.c's small BTF exactly as against the
 * kernel's (vmlinux types here; module types in the guests, core_same).
 */
static void test_core_btf_same_relocations(void **state)
{
	char why[256];
	int nprogs, nroots;

	if (core_same(host_prog, host_rodata, NULL, &nprogs, &nroots, why, sizeof(why)))
		fail_msg("%s", why);
	assert_true(nprogs > 20);
	assert_true(nroots > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_record_without_objects),
		cmocka_unit_test(test_scalar_fields_without_objects),
		cmocka_unit_test(test_drops_counted_exactly),
		cmocka_unit_test(test_ring_consumer_wraps),
		cmocka_unit_test(test_core_btf_same_relocations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
