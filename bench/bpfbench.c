// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfbench: the C half of `make bench` (bench/README.md). Subcommands:
 *
 *   p1 [-n ITER] [-r ROUNDS] [-c CPU]
 *       Host. Drives tphtrace's raw_tp handlers and the floor/empty handlers
 *       of bpf/bench.bpf.c with BPF_PROG_TEST_RUN on argument arrays
 *       generated from the trace headers (tests/bpf/tp_args.h), in the order
 *       a real dma-buf's life fires them (export, publish, MR registration
 *       with its query / ST / decision steps, deregistration), each handler
 *       followed by its floor. Kernel BPF stats (bpf_enable_stats) are on
 *       only inside a round. Prints one line per handler and round medians.
 *   produce -p PID -n COUNT [-c CPU] [-S]
 *       Host, P4. Finds raw_tp__dma_buf_get_pci_tph in tphtrace process PID
 *       (started with TPHTRACE_BENCH_DETACHED=1), fires it COUNT times from
 *       CPU, waits until tphtrace has consumed the ring, and prints fired,
 *       received (from the ring's consumer position), lost (tphtrace's drops
 *       map), the consumer's rate and CPU time, the fullest the ring got and
 *       the longest the consumer left waiting records untouched (sampled
 *       every 256 records). -S: tphtrace is stopped while the records are
 *       fired (the ring overflows).
 *   progstats [-c] [-w] [-t TRACEPOINT] [-r ROUNDS] [-s SETTLE] -o LABEL=PID... -- CMD...
 *       Guest, P2. ROUNDS times: BPF stats on, run CMD (a tphsim burst),
 *       stats off; prints, for every program of those processes that ran,
 *       its owner, name, runs, median ns per run and each round's. With -t,
 *       first attaches the tp_btf floor and empty handlers to TRACEPOINT;
 *       -c: a process of its own reads the floor's ring as tphtrace reads
 *       its own (src/ring.c, a pass every 0.5 ms), and the floor submits
 *       without wake-ups (BPF_RB_NO_WAKEUP). -P (with -c): a third handler,
 *       the floor through a perf buffer (bpf_perf_event_output(), woken at
 *       half full), read by that process too: the ring against bpftrace's
 *       transport. -w: CMD runs once unmeasured first.
 *   startup [-t] PATTERN -- CMD...
 *       Seconds from exec to the first output line containing PATTERN;
 *       then stops CMD (SIGINT, repeated; SIGKILL after 5 s). -t: CMD is
 *       tphtrace trace, told its exec time (TPHTRACE_BENCH_T0); its line
 *       "startup ..." (where the time went) goes to stderr.
 *   startparts [TRACEPOINT]
 *       Times the parts of tphtrace's start-up (BTF, kallsyms, probe, plan,
 *       collector_open) and, with TRACEPOINT, one empty tp_btf attach.
 *   gen -n NBUFS [-m EVERY] -o FILE
 *       A `tphtrace trace -j` file with NBUFS live dma-bufs (export +
 *       publish each, an MR every EVERY dma-bufs), written with tphtrace's
 *       own JSON writer.
 *   rss -- CMD...
 *       Runs CMD, prints its peak RSS in KiB (getrusage of the child).
 *   scrape -u HOST:PORT [-p PATH] [-n N]
 *       GETs PATH N times, prints each time in ms and the bytes.
 *   cputime -p PID -t SECS
 *       CPU time (utime+stime ticks, and schedstat ns) PID used in SECS.
 *   p7mr [-n N], p7dmabuf [-n N]
 *       Guest, P7: an MR registration + deregistration through tphsim, a
 *       dma-buf's whole life (udmabuf, imported by vgem), N times each,
 *       timed one by one (bench/p7ops.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "tp_args.h"
#include "record.h"
#include "ring.h"
#include "collect.h"
#include "hooks.h"
#include "tphtrace.skel.h"
#include "bench.skel.h"
#include "p7ops.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bpfbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double *c;
	double m;

	if (n <= 0)
		return 0;
	c = malloc(n * sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* run_time_ns and run_cnt of one program */
struct pstat {
	uint64_t ns, cnt;
};

static struct pstat prog_stat(int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	struct pstat s = { 0, 0 };

	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		s.ns = info.run_time_ns;
		s.cnt = info.run_cnt;
	}
	return s;
}

/* full name of a program: BTF name of its first function, else info.name */
static void prog_name(int fd, char *out, size_t len)
{
	struct bpf_prog_info info = {};
	struct bpf_func_info fi = {};
	uint32_t ilen = sizeof(info);
	struct btf *btf;

	out[0] = '\0';
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return;
	snprintf(out, len, "%s", info.name);
	if (!info.btf_id || !info.nr_func_info)
		return;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi);
	info.func_info = (uintptr_t)&fi;
	ilen = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || !info.nr_func_info)
		return;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return;
	{
		const struct btf_type *t = btf__type_by_id(btf, fi.type_id);

		if (t)
			snprintf(out, len, "%s", btf__name_by_offset(btf, t->name_off));
	}
	btf__free(btf);
}

/* ---- P1: handler cost against the floor, BPF_PROG_TEST_RUN ------------- */

static int drain_cb(void *ctx, void *data, size_t len)
{
	(*(long *)ctx)++;
	return 0;
}

/* one step of the lifecycle: tphtrace's handler, its floor, its arguments */
struct step {
	const char *name;		/* tracepoint */
	struct bpf_program *h;		/* tphtrace raw_tp handler */
	struct bpf_program *floor;	/* floor of the record size it emits */
	u64 args[12];
	int nargs;
	/* per round */
	struct pstat h0, f0;
	double *h_ns, *f_ns, *ratio;
};

static void test_run(struct bpf_program *p, const u64 *args, int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = n * sizeof(u64));

	if (bpf_prog_test_run_opts(bpf_program__fd(p), &o))
		die("test run of %s: %s", bpf_program__name(p), strerror(errno));
}

static int cmd_p1(int argc, char **argv)
{
	int iters = 20000, rounds = 7, cpu = 0, opt, r, i, k, nsteps = 0;
	struct tphtrace_bpf *t;
	struct bench_bpf *b;
	struct ring_buffer *rb;
	struct bpf_program *p;
	struct step st[20];
	double *e_ns, *hq_ns, worst = 0;
	const char *worst_name = "";
	long drained = 0;
	u64 ea[1] = { 0 };

	while ((opt = getopt(argc, argv, "n:r:c:")) != -1) {
		switch (opt) {
		case 'n': iters = atoi(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		default: die("p1 [-n ITER] [-r ROUNDS] [-c CPU]");
		}
	}
	pin_cpu(cpu);
	libbpf_set_print(quiet);
	t = tphtrace_bpf__open();
	if (!t)
		die("open tphtrace: %s", strerror(errno));
	bpf_object__for_each_program(p, t->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__name(p), "raw_tp__", 8));
	for (k = 1; k < TPH_EV_MAX; k++)
		t->rodata->event_family[k] = TPH_HOOK_RAW_TP;
	if (tphtrace_bpf__load(t))
		die("load tphtrace raw_tp programs: %s", strerror(errno));
	b = bench_bpf__open();
	if (!b)
		die("open bench: %s", strerror(errno));
	bpf_program__set_autoload(b->progs.floor_tp_btf_query, false);
	bpf_program__set_autoload(b->progs.floor_perf_tp_btf_query, false);
	bpf_program__set_autoload(b->progs.empty_tp_btf, false);
	if (bench_bpf__load(b))
		die("load bench: %s", strerror(errno));
	rb = ring_buffer__new(bpf_map__fd(t->maps.rb), drain_cb, &drained, NULL);
	if (!rb || ring_buffer__add(rb, bpf_map__fd(b->maps.bench_rb), drain_cb, &drained))
		die("ring buffers: %s", strerror(errno));

#define STEP(tp, fl, ...) do {						\
		struct step *s_ = &st[nsteps++];			\
		memset(s_, 0, sizeof(*s_));				\
		s_->name = #tp;						\
		s_->h = t->progs.raw_tp__##tp;				\
		s_->floor = b->progs.floor_##fl;			\
		s_->nargs = tp_pack_##tp(s_->args, __VA_ARGS__);	\
	} while (0)
#define STEP_RAW(tp, fl, n, ...) do {					\
		struct step *s_ = &st[nsteps++];			\
		const u64 v_[] = { __VA_ARGS__ };			\
		memset(s_, 0, sizeof(*s_));				\
		s_->name = #tp;						\
		s_->h = t->progs.raw_tp__##tp;				\
		s_->floor = b->progs.floor_##fl;			\
		memcpy(s_->args, v_, sizeof(v_));			\
		s_->nargs = n;						\
	} while (0)
	/*
	 * One dma-buf's life, in the order tphsim fires the events: export,
	 * publish (VFIO SET), PCI TPH enable, attach, MR registration (exporter
	 * callback, wrapper query, ST entry write, ST index alloc, decision,
	 * registration outcome), ST get by a second MR, deregistration (MR,
	 * ST put), detach, PCI TPH disable. The kernel objects the tracepoints
	 * pass are NULL: the host has none, so these figures are the handlers
	 * without their object reads (CO-RE guards compile the module-type
	 * reads out here). The handlers on real objects are measured in the
	 * 6.12 guest on tphsim (bench/guest.sh, the per-program table of P2).
	 */
	STEP_RAW(dma_buf_export, dmabuf, 1, 0);
	STEP(vfio_pci_tph_set, publish, NULL, NULL, NULL, 1, 0);
	STEP(pcie_tph_enable, pci, NULL, 2, 1, 1, 1, 0);
	STEP_RAW(dma_buf_dynamic_attach, attach, 4, 0, 0, 1, 0);
	STEP(vfio_pci_tph_query, query, NULL, false, 0);
	STEP(dma_buf_get_pci_tph, query, NULL, false, NULL, NULL, 0);
	STEP(pcie_tph_st_write, pci, NULL, 1, 0x2a, 0x200, 0);
	STEP(mlx5_st_index_alloc, st, NULL, 0x2a, 1, NULL, 0);
	STEP(mlx5_ib_mr_tph, mr, NULL, NULL, 1, false, 2, 0x2a, 1, 2, 0, 0);
	STEP(mlx5_ib_dmabuf_mr, mr, NULL, NULL, NULL, 65536, 7, 1, 2);
	STEP(mlx5_st_index_get, st, NULL, 0, 1, NULL, 0);
	STEP(mlx5_ib_dmabuf_mr_dereg, mr_dereg, NULL, 1, false, 0);
	STEP(mlx5_st_index_put, st, NULL, 0, 1, NULL, 0);
	STEP_RAW(dma_buf_detach, attach, 4, 0, 0, 1, 0);
	STEP(pcie_tph_disable, pci, NULL, 2, 1);
#undef STEP
#undef STEP_RAW
	for (k = 0; k < nsteps; k++) {
		st[k].h_ns = calloc(rounds, sizeof(double));
		st[k].f_ns = calloc(rounds, sizeof(double));
		st[k].ratio = calloc(rounds, sizeof(double));
	}
	e_ns = calloc(rounds, sizeof(double));
	hq_ns = calloc(rounds, sizeof(double));

	/* warm up: JIT images, map entries, ring pages */
	for (i = 0; i < 2000; i++) {
		for (k = 0; k < nsteps; k++) {
			test_run(st[k].h, st[k].args, st[k].nargs);
			test_run(st[k].floor, st[k].args, st[k].nargs);
		}
		if (i % 64 == 63)
			ring_buffer__consume(rb);
	}
	ring_buffer__consume(rb);
	for (r = 0; r < rounds; r++) {
		struct pstat e0, e1, q0, q1;
		int sfd = bpf_enable_stats(BPF_STATS_RUN_TIME);

		if (sfd < 0)
			die("bpf_enable_stats: %s", strerror(errno));
		for (k = 0; k < nsteps; k++) {
			st[k].h0 = prog_stat(bpf_program__fd(st[k].h));
			st[k].f0 = prog_stat(bpf_program__fd(st[k].floor));
		}
		e0 = prog_stat(bpf_program__fd(b->progs.empty_raw_tp));
		q0 = prog_stat(bpf_program__fd(b->progs.floor_helpers_query));
		for (i = 0; i < iters; i++) {
			for (k = 0; k < nsteps; k++) {
				test_run(st[k].h, st[k].args, st[k].nargs);
				test_run(st[k].floor, st[k].args, st[k].nargs);
			}
			test_run(b->progs.empty_raw_tp, ea, 1);
			test_run(b->progs.floor_helpers_query, ea, 1);
			/* keep both rings below tphtrace's wake-up threshold */
			if (i % 64 == 63)
				ring_buffer__consume(rb);
		}
		/*
		 * A floor serves several handlers (its counts add up): its cost
		 * per run is taken over all its runs in the round.
		 */
		for (k = 0; k < nsteps; k++) {
			struct pstat h1 = prog_stat(bpf_program__fd(st[k].h));
			struct pstat f1 = prog_stat(bpf_program__fd(st[k].floor));

			st[k].h_ns[r] = (double)(h1.ns - st[k].h0.ns) / (h1.cnt - st[k].h0.cnt);
			st[k].f_ns[r] = (double)(f1.ns - st[k].f0.ns) / (f1.cnt - st[k].f0.cnt);
		}
		e1 = prog_stat(bpf_program__fd(b->progs.empty_raw_tp));
		q1 = prog_stat(bpf_program__fd(b->progs.floor_helpers_query));
		close(sfd);
		e_ns[r] = (double)(e1.ns - e0.ns) / (e1.cnt - e0.cnt);
		hq_ns[r] = (double)(q1.ns - q0.ns) / (q1.cnt - q0.cnt);
		for (k = 0; k < nsteps; k++)
			st[k].ratio[r] = st[k].h_ns[r] / st[k].f_ns[r];
		ring_buffer__consume(rb);
	}
	printf("p1 where=host hook=raw_tp driver=BPF_PROG_TEST_RUN iters=%d rounds=%d cpu=%d\n",
	       iters, rounds, cpu);
	printf("p1 empty ns=%.1f\n", median(e_ns, rounds));
	printf("p1 floor_helpers_query ns=%.1f\n", median(hq_ns, rounds));
	for (k = 0; k < nsteps; k++) {
		double m = median(st[k].ratio, rounds);

		printf("p1 handler=%s floor=floor_%s handler_ns=%.1f floor_ns=%.1f ratio=%.3f\n",
		       st[k].name, bpf_program__name(st[k].floor) + 6,
		       median(st[k].h_ns, rounds), median(st[k].f_ns, rounds), m);
		if (m > worst) {
			worst = m;
			worst_name = st[k].name;
		}
	}
	printf("p1 worst handler=%s ratio=%.3f records_drained=%ld\n", worst_name, worst,
	       drained);
	ring_buffer__free(rb);
	bench_bpf__destroy(b);
	tphtrace_bpf__destroy(t);
	return 0;
}

/* ---- helpers over another process's BPF objects ------------------------ */

/* ids of the BPF programs (@want_maps: maps) process @pid holds */
static int pid_bpf_ids(int pid, bool want_maps, uint32_t *ids, int max)
{
	char path[320], line[256];
	const char *key = want_maps ? "map_id:" : "prog_id:";
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, key, strlen(key))) {
				uint32_t id = strtoul(line + strlen(key), NULL, 10);
				int j;

				for (j = 0; j < n && ids[j] != id; j++)
					;
				if (j == n)
					ids[n++] = id;
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

static int find_prog(int pid, const char *name)
{
	uint32_t ids[256];
	char pn[128];
	int n, i, fd;

	n = pid_bpf_ids(pid, false, ids, 256);
	for (i = 0; i < n; i++) {
		fd = bpf_prog_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		prog_name(fd, pn, sizeof(pn));
		if (!strcmp(pn, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

static int find_map(int pid, const char *name, struct bpf_map_info *out)
{
	uint32_t ids[256];
	int n, i, fd;

	n = pid_bpf_ids(pid, true, ids, 256);
	for (i = 0; i < n; i++) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name)) {
			if (out)
				*out = info;
			return fd;
		}
		close(fd);
	}
	return -ENOENT;
}

/* one of tphtrace's drop counters (an array map, bpf/common.bpf.h) */
static uint64_t drop_count(int fd, uint32_t key)
{
	uint64_t v = 0;

	return bpf_map_lookup_elem(fd, &key, &v) ? 0 : v;
}

static int proc_cpu(int pid, unsigned long long *ticks, unsigned long long *ns);

/* ---- P4 producer ---------------------------------------------------------- */

/* CPU seconds this process used (user + system: the test runs are syscalls) */
static double self_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_produce(int argc, char **argv)
{
	int pid = 0, cpu = 1, opt, pfd, rbfd, dfd;
	bool stop = false;
	unsigned long long k0, k1, ns0 = 0, ns1 = 0;
	long count = 1000000, i, page = sysconf(_SC_PAGESIZE);
	struct bpf_map_info rinfo;
	volatile unsigned long *cons, *prod;
	unsigned long c0, c1;
	uint64_t lost0, lost1, stride;
	double t0, t1, t2, deadline, c_0, c_1, cs, max_stall = 0;
	unsigned long cl, max_fill = 0;
	u64 a[12];
	int n;

	while ((opt = getopt(argc, argv, "p:n:c:S")) != -1) {
		switch (opt) {
		case 'p': pid = atoi(optarg); break;
		case 'n': count = atol(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'S': stop = true; break;
		default: die("produce -p PID -n COUNT [-c CPU] [-S]");
		}
	}
	if (!pid)
		die("produce: -p PID of a 'tphtrace trace' started with TPHTRACE_BENCH_DETACHED=1");
	pin_cpu(cpu);
	pfd = find_prog(pid, "raw_tp__dma_buf_get_pci_tph");
	if (pfd < 0)
		die("no raw_tp__dma_buf_get_pci_tph in process %d", pid);
	rbfd = find_map(pid, "rb", &rinfo);
	dfd = find_map(pid, "drops", NULL);
	if (rbfd < 0 || dfd < 0)
		die("no rb/drops map in process %d", pid);
	/* consumer and producer positions: first two pages of the ring map */
	cons = mmap(NULL, page, PROT_READ, MAP_SHARED, rbfd, 0);
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, rbfd, page);
	if (cons == MAP_FAILED || prod == MAP_FAILED)
		die("mmap ring positions: %s", strerror(errno));
	stride = (sizeof(struct tph_ev_query) + 8 + 7) & ~7ull;
	n = tp_pack_dma_buf_get_pci_tph(a, NULL, false, NULL, NULL, 0);
	lost0 = drop_count(dfd, TPH_DROP_RINGBUF);
	c0 = *cons;
	if (c0 != *prod)
		die("ring not empty at start");
	/* -S: the consumer is stopped while we produce: the ring overflows */
	if (stop && kill(pid, SIGSTOP))
		die("SIGSTOP %d: %s", pid, strerror(errno));
	proc_cpu(pid, &k0, &ns0);
	c_0 = self_cpu_s();
	t0 = now();
	cs = t0;
	cl = c0;
	for (i = 0; i < count; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = a, .ctx_size_in = n * sizeof(u64));

		if (bpf_prog_test_run_opts(pfd, &o))
			die("test run: %s", strerror(errno));
		/*
		 * Every 256 records (~0.1 ms): how full the ring is, and how long
		 * the consumer has not moved while records waited. A record is
		 * lost only when the ring is full, so a loss comes with a fill of
		 * 100 % and a stall as long as the ring lasts at this rate.
		 */
		if ((i & 255) == 255) {
			unsigned long c = *cons, p = *prod;
			double t = now();

			if (p - c > max_fill)
				max_fill = p - c;
			if (c != cl || c == p) {
				cl = c;
				cs = t;
			} else if (t - cs > max_stall) {
				max_stall = t - cs;
			}
		}
	}
	t1 = now();
	c_1 = self_cpu_s();
	if (stop)
		kill(pid, SIGCONT);
	deadline = t1 + 30;
	while (*cons != *prod && now() < deadline)
		usleep(20);
	t2 = now();
	proc_cpu(pid, &k1, &ns1);
	c1 = *cons;
	lost1 = drop_count(dfd, TPH_DROP_RINGBUF);
	if (c1 != *prod)
		die("tphtrace did not drain the ring within 30 s");
	/*
	 * consumer_per_s: records consumed per second of the run; per_cpu_s:
	 * per second of CPU the consumer used, i.e. what it could take if the
	 * producer were faster; producer_per_cpu_s: records fired per second
	 * of CPU this producer used (P4's capacity ratio divides by it).
	 */
	printf("p4 fired=%ld received=%lu lost_map=%llu produce_s=%.4f consume_s=%.4f "
	       "producer_per_s=%.0f consumer_per_s=%.0f consumer_cpu_s=%.4f per_cpu_s=%.0f "
	       "producer_cpu_s=%.4f producer_per_cpu_s=%.0f max_fill_pct=%.1f "
	       "max_stall_ms=%.2f\n",
	       count, (unsigned long)((c1 - c0) / stride),
	       (unsigned long long)(lost1 - lost0), t1 - t0, t2 - t0,
	       count / (t1 - t0), ((c1 - c0) / stride) / (t2 - t0), (ns1 - ns0) / 1e9,
	       ns1 > ns0 ? ((c1 - c0) / stride) / ((ns1 - ns0) / 1e9) : 0,
	       c_1 - c_0, c_1 > c_0 ? count / (c_1 - c_0) : 0,
	       100.0 * max_fill / rinfo.max_entries, max_stall * 1e3);
	return 0;
}

/* ---- P2: per-program stats around a command (guest) --------------------- */

struct pentry {
	uint32_t id;
	int fd;
	char owner[32];
	char name[128];
	struct pstat s0;
	double *ns;
	uint64_t cnt;
};

/* run @argv with stdout on /dev/null; its wait status */
static int run_quiet(char **argv)
{
	pid_t c = fork();
	int st = 0;

	if (c == 0) {
		int dn = open("/dev/null", O_WRONLY);

		dup2(dn, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (c < 0 || waitpid(c, &st, 0) < 0)
		die("progstats: cannot run %s: %s", argv[0], strerror(errno));
	return st;
}

static int drop_record(void *ctx, void *data, size_t len)
{
	return 0;
}

/*
 * progstats -c: the floor's ring (and -P's perf buffers, @pb) is read the
 * way tphtrace reads its own (src/ring.c, a pass every DRAIN_NAP) by a
 * process of its own, so that the floor's records, like the handler's, land
 * in a ring a consumer is reading on another CPU. Returns the consumer's pid.
 */
static pid_t floor_consumer(int map_fd, struct perf_buffer *pb)
{
	struct timespec nap = { 0, 500 * 1000 };
	struct ring *ring;
	pid_t c = fork();

	if (c)
		return c;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ring_open(map_fd, drop_record, NULL, &ring))
		_exit(1);
	for (;;) {
		ring_consume(ring);
		if (pb)
			perf_buffer__consume(pb);
		nanosleep(&nap, NULL);
	}
}

static enum bpf_perf_event_ret drop_event(void *ctx, int cpu, struct perf_event_header *e)
{
	return LIBBPF_PERF_EVENT_CONT;
}

/*
 * progstats -P: per-CPU perf buffers for the perf floor, woken only at half
 * full (a consumer on a timer, as tphtrace's), as bench_pe's entries
 */
static struct perf_buffer *floor_perf_buffer(int map_fd)
{
	const size_t pages = 256;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.size = sizeof(attr),
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
		.wakeup_watermark = pages * 4096 / 2,
	};
	struct perf_buffer *pb = perf_buffer__new_raw(map_fd, pages, &attr, drop_event,
						      NULL, NULL);

	if (!pb)
		die("perf buffer: %s", strerror(errno));
	return pb;
}

static int cmd_progstats(int argc, char **argv)
{
	const char *tp = NULL;
	int rounds = 5, opt, r, i, np = 0, k;
	struct pentry pe[256];
	struct bench_bpf *b = NULL;
	char *owners[16];
	int pids[16], nown = 0;
	double settle = 1.0;
	bool consume = false, warm = false, perf = false;
	struct perf_buffer *pb = NULL;
	pid_t cons = 0;

	while ((opt = getopt(argc, argv, "cPwt:r:o:s:")) != -1) {
		switch (opt) {
		case 'c': consume = true; break;
		case 'P': perf = true; break;
		case 'w': warm = true; break;
		case 't': tp = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 's': settle = atof(optarg); break;
		case 'o': {	/* LABEL=PID */
			char *eq = strchr(optarg, '=');

			if (!eq || nown >= 16)
				die("-o LABEL=PID");
			*eq = '\0';
			owners[nown] = optarg;
			pids[nown++] = atoi(eq + 1);
			break;
		}
		default: die("progstats [-c [-P]] [-w] [-t TRACEPOINT] [-r ROUNDS] [-s SETTLE] -o LABEL=PID... -- CMD...");
		}
	}
	if (optind >= argc)
		die("progstats: no command");
	if (perf && (!tp || !consume))
		die("progstats: -P needs -t and -c (a perf buffer nobody reads fills)");
	libbpf_set_print(quiet);
	if (tp) {
		struct bpf_program *p;

		b = bench_bpf__open();
		if (!b)
			die("open bench: %s", strerror(errno));
		bpf_object__for_each_program(p, b->obj)
			bpf_program__set_autoload(p, false);
		bpf_program__set_autoload(b->progs.floor_tp_btf_query, true);
		bpf_program__set_autoload(b->progs.empty_tp_btf, true);
		if (consume)
			b->rodata->floor_submit_flags = BPF_RB_NO_WAKEUP;
		if (perf && (bpf_program__set_autoload(b->progs.floor_perf_tp_btf_query, true) ||
			     bpf_program__set_attach_target(b->progs.floor_perf_tp_btf_query, 0, tp)))
			die("perf floor on tp_btf/%s: %s", tp, strerror(errno));
		if (bpf_program__set_attach_target(b->progs.floor_tp_btf_query, 0, tp) ||
		    bpf_program__set_attach_target(b->progs.empty_tp_btf, 0, tp) ||
		    bench_bpf__load(b) || bench_bpf__attach(b))
			die("floor on tp_btf/%s: %s", tp, strerror(errno));
		owners[nown] = "bench";
		pids[nown++] = getpid();
		if (perf)
			pb = floor_perf_buffer(bpf_map__fd(b->maps.bench_pe));
		if (consume)
			cons = floor_consumer(bpf_map__fd(b->maps.bench_rb), pb);
	}
	for (k = 0; k < nown; k++) {
		uint32_t ids[256];
		int n = pid_bpf_ids(pids[k], false, ids, 256);

		for (i = 0; i < n && np < 256; i++) {
			struct pentry *e = &pe[np];
			int j;

			for (j = 0; j < np && pe[j].id != ids[i]; j++)
				;
			if (j < np)
				continue;	/* our own fd of another tool's program */

			e->fd = bpf_prog_get_fd_by_id(ids[i]);
			if (e->fd < 0)
				continue;
			e->id = ids[i];
			snprintf(e->owner, sizeof(e->owner), "%s", owners[k]);
			prog_name(e->fd, e->name, sizeof(e->name));
			e->ns = calloc(rounds, sizeof(double));
			e->cnt = 0;
			np++;
		}
	}
	/*
	 * -w: once unmeasured, so that no round pays for first runs (under
	 * TCG the guest translates each newly JIT'ed program on its first runs)
	 */
	if (warm) {
		int st = run_quiet(argv + optind);

		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("command failed (status %d)", st);
		usleep((useconds_t)(settle * 1e6));
	}
	for (r = 0; r < rounds; r++) {
		int sfd = bpf_enable_stats(BPF_STATS_RUN_TIME), st;

		if (sfd < 0)
			die("bpf_enable_stats: %s", strerror(errno));
		for (i = 0; i < np; i++)
			pe[i].s0 = prog_stat(pe[i].fd);
		st = run_quiet(argv + optind);
		for (i = 0; i < np; i++) {
			struct pstat s1 = prog_stat(pe[i].fd);
			uint64_t dc = s1.cnt - pe[i].s0.cnt;

			pe[i].ns[r] = dc ? (double)(s1.ns - pe[i].s0.ns) / dc : 0;
			pe[i].cnt += dc;
		}
		close(sfd);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("command failed (status %d)", st);
		/* let the consumers drain before the next round */
		usleep((useconds_t)(settle * 1e6));
	}
	for (i = 0; i < np; i++) {
		if (!pe[i].cnt)
			continue;
		printf("p2 owner=%s id=%u prog=%s runs=%llu ns=%.1f", pe[i].owner, pe[i].id,
		       pe[i].name, (unsigned long long)pe[i].cnt, median(pe[i].ns, rounds));
		printf(" rounds=");
		for (r = 0; r < rounds; r++)
			printf("%s%.0f", r ? "," : "", pe[i].ns[r]);
		printf("\n");
	}
	if (cons > 0) {
		kill(cons, SIGKILL);
		waitpid(cons, NULL, 0);
	}
	perf_buffer__free(pb);
	if (b)
		bench_bpf__destroy(b);
	return 0;
}

/* ---- P3: time to a line --------------------------------------------------- */

static int cmd_startup(int argc, char **argv)
{
	const char *pat;
	int pfd[2], st, a = 1;
	bool times = false;
	char buf[8192], t0[32];
	double t0s, t;
	pid_t c;
	FILE *f;

	if (argc > 1 && !strcmp(argv[1], "-t")) {
		times = true;
		a++;
	}
	if (argc < a + 3 || strcmp(argv[a + 1], "--"))
		die("startup [-t] PATTERN -- CMD...");
	pat = argv[a];
	if (pipe(pfd))
		die("pipe: %s", strerror(errno));
	t0s = now();
	c = fork();
	if (c == 0) {
		int dn = open("/dev/null", O_RDONLY);

		/* tphtrace says where its start-up went (src/cmd_trace.c) */
		snprintf(t0, sizeof(t0), "%.6f", t0s);
		if (times)
			setenv("TPHTRACE_BENCH_T0", t0, 1);
		dup2(dn, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[a + 2], argv + a + 2);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	t = -1;
	while (fgets(buf, sizeof(buf), f)) {
		if (strstr(buf, pat)) {
			t = now() - t0s;
			break;
		}
		fputs(buf, stderr);
	}
	/* its next line: "tphtrace: startup exec_to_cmd_s=... ready_s=..." */
	if (t >= 0 && times && fgets(buf, sizeof(buf), f) && strstr(buf, "startup "))
		fprintf(stderr, "%s", strstr(buf, "startup "));
	fclose(f);
	/*
	 * Stop it: SIGINT, again every 100 ms (bpftrace 0.17 misses one that
	 * arrives while it attaches), SIGKILL after 5 s.
	 */
	for (int i = 0; ; i++) {
		if (waitpid(c, &st, WNOHANG) == c)
			break;
		kill(c, i < 50 ? SIGINT : SIGKILL);
		usleep(100000);
	}
	if (t < 0)
		die("'%s' never printed '%s' (status %d)", argv[a + 2], pat, st);
	printf("%.4f\n", t);
	return 0;
}

/* ---- P5: trace generator, peak RSS, scrape -------------------------------- */

static void hdr(union tph_record *r, unsigned int kind, uint64_t ts)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_TP_BTF;
	r->hdr.ts_ns = ts;
	r->hdr.pid = r->hdr.tgid = 4242;
	snprintf(r->hdr.comm, sizeof(r->hdr.comm), "trainer");
}

/* tphtrace's own JSON line writer (what `trace -j` writes) */
static void emit(FILE *f, const union tph_record *r)
{
	char line[4096];
	int n = tph_record_json(r, line, sizeof(line));

	if (n < 0)
		die("record too long for a line");
	line[n] = '\n';
	fwrite(line, 1, n + 1, f);
}

static int cmd_gen(int argc, char **argv)
{
	long nbufs = 100000, every = 10, i;
	const char *out = NULL;
	union tph_record r;
	uint64_t ts = 1000000000ull;
	FILE *f;
	int opt;

	while ((opt = getopt(argc, argv, "n:m:o:")) != -1) {
		switch (opt) {
		case 'n': nbufs = atol(optarg); break;
		case 'm': every = atol(optarg); break;
		case 'o': out = optarg; break;
		default: die("gen -n NBUFS [-m EVERY] -o FILE");
		}
	}
	if (!out)
		die("gen: -o FILE");
	f = fopen(out, "w");
	if (!f)
		die("%s: %s", out, strerror(errno));
	/* the NIC's PCI TPH, once */
	hdr(&r, TPH_EV_PCI_TPH, ts++);
	r.pci.dev.domain = 0;
	r.pci.dev.bdf = 0x3b00;
	r.pci.dev.valid = TPH_DEV_PCI;
	r.pci.op = TPH_PCI_ENABLE;
	r.pci.mode = 2;
	r.pci.req_type = r.pci.dev_req_type = TPH_REQ_TPH_ONLY;
	r.pci.rp_completer = 1;
	emit(f, &r);
	for (i = 0; i < nbufs; i++) {
		uint64_t ino = 100000 + i;
		/* 16 exporter functions, so the labels stay bounded */
		uint16_t bdf = (0x10 + (i % 16)) << 8;

		hdr(&r, TPH_EV_DMABUF_EXPORT, ts++);
		r.dmabuf.buf.ino = ino;
		r.dmabuf.buf.size = 2 << 20;
		snprintf(r.dmabuf.buf.exp_name, sizeof(r.dmabuf.buf.exp_name), "vfio-pci");
		emit(f, &r);
		hdr(&r, TPH_EV_TPH_PUBLISH, ts++);
		r.publish.exporter.bdf = bdf;
		r.publish.exporter.valid = TPH_DEV_PCI;
		r.publish.ino = ino;
		r.publish.flags = 1;
		r.publish.st = 0x20 + (i % 8);
		r.publish.ph = 2;
		r.publish.completer = 1;
		emit(f, &r);
		if (every > 0 && i % every == 0) {
			hdr(&r, TPH_EV_ATTACH, ts++);
			r.attach.buf.ino = ino;
			r.attach.buf.size = 2 << 20;
			snprintf(r.attach.buf.exp_name, sizeof(r.attach.buf.exp_name), "vfio-pci");
			r.attach.importer.bdf = 0x3b00;
			r.attach.importer.valid = TPH_DEV_PCI;
			r.attach.attach = 0xffff888000000000ull + (uint64_t)i * 64;
			r.attach.peer2peer = 1;
			r.attach.dynamic = 1;
			emit(f, &r);
			hdr(&r, TPH_EV_TPH_QUERY, ts++);
			r.query.buf.ino = ino;
			r.query.buf.size = 2 << 20;
			snprintf(r.query.buf.exp_name, sizeof(r.query.buf.exp_name), "vfio-pci");
			r.query.exporter.bdf = bdf;
			r.query.exporter.valid = TPH_DEV_PCI;
			r.query.st = 0x20 + (i % 8);
			r.query.ph = 2;
			r.query.qflags = TPH_Q_EXPORTER_SEEN | TPH_Q_VALID_KNOWN | TPH_Q_ST_VALID;
			emit(f, &r);
			hdr(&r, TPH_EV_MR_REG, ts++);
			r.mr.nic.bdf = 0x3b00;
			r.mr.nic.valid = TPH_DEV_PCI | TPH_DEV_NAME;
			snprintf(r.mr.nic.name, sizeof(r.mr.nic.name), "mlx5_0");
			r.mr.ino = ino;
			r.mr.length = 2 << 20;
			r.mr.mkey = 0x100 + i;
			r.mr.access = 7;
			r.mr.st = 0x20 + (i % 8);
			r.mr.st_index = 1 + (i % 8);
			r.mr.ph = 2;
			r.mr.req_type = TPH_REQ_TPH_ONLY;
			r.mr.source = TPH_SRC_DMABUF;
			r.mr.reason = TPH_REASON_OK;
			emit(f, &r);
		}
	}
	if (fclose(f))
		die("%s: %s", out, strerror(errno));
	return 0;
}

static int cmd_rss(int argc, char **argv)
{
	struct rusage ru;
	int st;
	pid_t c;

	if (argc < 3 || strcmp(argv[1], "--"))
		die("rss -- CMD...");
	c = fork();
	if (c == 0) {
		int dn = open("/dev/null", O_WRONLY);

		dup2(dn, 1);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(c, &st, 0, &ru) < 0)
		die("wait: %s", strerror(errno));
	printf("rss_kib=%ld status=%d\n", ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

static int cmd_scrape(int argc, char **argv)
{
	const char *hostport = "127.0.0.1:10435", *path = "/metrics";
	int n = 20, opt, i;
	char host[64], req[256];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static char buf[1 << 16];

	while ((opt = getopt(argc, argv, "u:p:n:")) != -1) {
		switch (opt) {
		case 'u': hostport = optarg; break;
		case 'p': path = optarg; break;
		case 'n': n = atoi(optarg); break;
		default: die("scrape -u HOST:PORT [-p PATH] [-n N]");
		}
	}
	snprintf(host, sizeof(host), "%s", hostport);
	if (!strchr(host, ':'))
		die("scrape: HOST:PORT");
	*strchr(host, ':') = '\0';
	sa.sin_port = htons(atoi(strchr(hostport, ':') + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("scrape: bad address %s", host);
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, hostport);
	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		size_t total = 0;
		double t0 = now();
		ssize_t k;

		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			die("connect %s: %s", hostport, strerror(errno));
		if (write(fd, req, strlen(req)) < 0)
			die("write: %s", strerror(errno));
		while ((k = read(fd, buf, sizeof(buf))) > 0)
			total += k;
		printf("scrape ms=%.3f bytes=%zu\n", (now() - t0) * 1e3, total);
		close(fd);
	}
	return 0;
}

/* ---- P6: CPU time of an idle process -------------------------------------- */

static int proc_cpu(int pid, unsigned long long *ticks, unsigned long long *ns)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, stt;
	struct dirent *de;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -1;
	fclose(f);
	p = strrchr(buf, ')');
	/* fields after ")": state(3) ... utime(14) stime(15) */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &stt) != 2)
		return -1;
	*ticks = ut + stt;
	*ns = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		unsigned long long x;

		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/schedstat", pid, de->d_name);
		f = fopen(buf, "re");
		if (f && fscanf(f, "%llu", &x) == 1)
			*ns += x;
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return 0;
}

static int cmd_cputime(int argc, char **argv)
{
	int pid = 0, opt;
	double secs = 10, t0, t1;
	unsigned long long k0, k1, n0, n1;
	long hz = sysconf(_SC_CLK_TCK);

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p': pid = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		default: die("cputime -p PID -t SECS");
		}
	}
	if (proc_cpu(pid, &k0, &n0))
		die("no process %d", pid);
	t0 = now();
	usleep((useconds_t)(secs * 1e6));
	t1 = now();
	if (proc_cpu(pid, &k1, &n1))
		die("process %d went away", pid);
	printf("p6 secs=%.3f ticks=%llu hz=%ld stat_pct=%.4f schedstat_ns=%llu sched_pct=%.5f\n",
	       t1 - t0, k1 - k0, hz, (double)(k1 - k0) / hz / (t1 - t0) * 100,
	       n1 - n0, (double)(n1 - n0) / 1e9 / (t1 - t0) * 100);
	return 0;
}


/* ---- P3: where tphtrace's start-up goes ------------------------------------ */

static int cmd_startparts(int argc, char **argv)
{
	struct bpf_program *prog;
	struct sys_probe *sp;
	struct probe_ops ops;
	struct hook_plan plan;
	struct collector *c;
	struct collector_opts o = {};
	struct hook_force force = {};
	struct bench_bpf *b;
	struct btf *btf;
	char err[256], buf[1 << 16];
	double t;
	int fd;

	libbpf_set_print(quiet);
	t = now();
	btf = btf__load_vmlinux_btf();
	printf("p3part vmlinux_btf_parse_s=%.4f\n", now() - t);
	btf__free(btf);
	t = now();
	fd = open("/proc/kallsyms", O_RDONLY);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	printf("p3part kallsyms_read_s=%.4f\n", now() - t);
	t = now();
	if (sys_probe_new(&sp, err, sizeof(err)))
		die("%s", err);
	printf("p3part sys_probe_new_s=%.4f\n", now() - t);
	t = now();
	sys_probe_ops(sp, &ops);
	hooks_plan(&ops, &force, &plan);
	printf("p3part hooks_plan_s=%.4f\n", now() - t);
	sys_probe_free(sp);
	t = now();
	o.force = &force;
	if (collector_open(&c, &o, err, sizeof(err)))
		die("%s", err);
	printf("p3part collector_open_s=%.4f links=%d\n", now() - t, collector_nlinks(c));
	printf("p3part  probe_s=%.4f plan_s=%.4f bpf_open_s=%.4f bpf_load_s=%.4f attach_s=%.4f\n",
	       collector_times(c)->probe_s, collector_times(c)->plan_s,
	       collector_times(c)->open_s, collector_times(c)->load_s,
	       collector_times(c)->attach_s);
	collector_close(c);
	if (argc > 1) {
		t = now();
		b = bench_bpf__open();
		if (!b)
			die("open bench: %s", strerror(errno));
		bpf_object__for_each_program(prog, b->obj)
			bpf_program__set_autoload(prog, false);
		bpf_program__set_autoload(b->progs.empty_tp_btf, true);
		if (bpf_program__set_attach_target(b->progs.empty_tp_btf, 0, argv[1]) ||
		    bench_bpf__load(b) || bench_bpf__attach(b))
			die("empty tp_btf on %s: %s", argv[1], strerror(errno));
		printf("p3part empty_tp_btf_attach_s=%.4f\n", now() - t);
		bench_bpf__destroy(b);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "p1", cmd_p1 }, { "produce", cmd_produce }, { "progstats", cmd_progstats },
		{ "startup", cmd_startup }, { "gen", cmd_gen }, { "rss", cmd_rss },
		{ "scrape", cmd_scrape }, { "cputime", cmd_cputime },
		{ "startparts", cmd_startparts }, { "p7mr", cmd_p7mr },
		{ "p7dmabuf", cmd_p7dmabuf },
	};
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		die("usage: bpfbench p1|produce|progstats|startup|startparts|gen|rss|scrape|cputime|p7mr|p7dmabuf ...");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	die("unknown subcommand '%s'", argv[1]);
	return 2;
}
