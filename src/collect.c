// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE	/* memfd_create() */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/capability.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "btf_attach.h"
#include "collect.h"
#include "core_btf.h"
#include "poller.h"
#include "record.h"
#include "ring.h"
#include "tphtrace.skel.h"

#define MAX_OBJS	8	/* one or two per plan applied: start + module loads */
#define TPH_MAX_LINKS	128

struct collector {
	struct collector_opts opts;
	bool bench_detached;		/* TPHTRACE_BENCH_DETACHED=1, see below */
	struct sys_probe *probe;
	struct hook_plan plan;
	struct tphtrace_bpf *objs[MAX_OBJS];
	int nobjs;
	struct bpf_link *links[TPH_MAX_LINKS];
	int nlinks;
	struct ring *rb;
	const uint64_t *drops;		/* the drops map, mmap'ed (bpf/common.bpf.h) */
	size_t drops_len;
	uint32_t *wake;			/* the wake map, mmap'ed: see "Wake-ups" */
	size_t wake_len;
	enum ring_state { RING_ACTIVE, RING_ARMING, RING_ASLEEP } ring_state;
	double last_record_s;		/* when a drain last found records */
	double last_drain_s;		/* when the last drain ended */
	double busy_s;			/* when records last came faster than ACTIVE_RATE */
	double armed_s;			/* when the wake flag was set */
	int epfd;
	int uevent_fd;
	struct poller *poller;		/* events planned on hook "iter" */
	uint64_t bad_records;
	struct collector_times times;	/* of the first plan applied */
	struct core_roots roots;	/* of the object's CO-RE relocations */
	bool core_btf;			/* roots known: libbpf gets core_btf.c's BTF */
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* epoll data.u32 of each source */
enum { SRC_RING, SRC_UEVENT, SRC_POLLER };

int check_privileges(char *err, size_t errlen)
{
	cap_flag_value_t bpf = CAP_CLEAR, perfmon = CAP_CLEAR, admin = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (!caps) {
		snprintf(err, errlen, "cannot read capabilities: %s", strerror(errno));
		return -errno;
	}
	cap_get_flag(caps, CAP_BPF, CAP_EFFECTIVE, &bpf);
	cap_get_flag(caps, CAP_PERFMON, CAP_EFFECTIVE, &perfmon);
	cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
	cap_free(caps);
	if (admin == CAP_SET || (bpf == CAP_SET && perfmon == CAP_SET))
		return 0;
	/* name what is missing, never an empty list */
	snprintf(err, errlen,
		 "missing privileges: tracing needs CAP_BPF and CAP_PERFMON "
		 "(or CAP_SYS_ADMIN); this process lacks %s%s%s; run as root or "
		 "grant them", bpf == CAP_SET ? "" : "CAP_BPF",
		 bpf != CAP_SET && perfmon != CAP_SET ? " and " : "",
		 perfmon == CAP_SET ? "" : "CAP_PERFMON");
	return -EPERM;
}

int collector_deliver(const struct collector_opts *opts, const void *data, size_t len)
{
	union tph_record rec;
	size_t n;

	if (tph_record_check(data, len))
		return -EINVAL;
	/*
	 * The kind's own size (at most sizeof(rec); a longer record from a
	 * newer object has nothing more that we read). Not len clamped to
	 * sizeof(rec): GCC inlines a copy of a size it can bound as
	 * `rep movsq`, several times slower than libc's memcpy() (record.c).
	 */
	n = tph_record_size(((const struct tph_hdr *)data)->kind);
	memcpy(&rec, data, n);
	memset((char *)&rec + n, 0, sizeof(rec) - n);
	/* as the JSON reader does, so that live and replay see one device */
	tph_record_normalise(&rec);
	return opts->on_record ? opts->on_record(opts->ctx, &rec) : 0;
}

static int on_rb(void *ctx, void *data, size_t len)
{
	struct collector *c = ctx;
	int ret = collector_deliver(&c->opts, data, len);

	if (ret == -EINVAL) {
		c->bad_records++;
		return 0;
	}
	return ret;
}

/*
 * Wake-ups. A BPF program that commits a record can wake the consumer:
 * irq_work, an IPI to the consumer's CPU and a context switch, paid by the
 * traced task. The kernel's rule (wake when the ring was empty before the
 * record) did so for the first record after every drain, once or twice per
 * MR registration (bench P7: ~9 us of 45 us in the 6.12 TCG guest). So the
 * consumer says, in the mmap'ed wake map, whether it sleeps:
 *  - ACTIVE: records keep coming; it drains every ACTIVE_POLL_MS and the
 *    programs never wake it (BPF_RB_NO_WAKEUP). Records wait at most that
 *    long in the ring. The ring holds ~28 000 query records in 4 MiB, 10 ms
 *    of a producer at full speed (2.8 M/s, bench P4): above ACTIVE_RATE,
 *    on the first drain after sleeping (the rate is not known yet) and for
 *    BUSY_HOLD_S after (a producer pausing for one interval is no slower),
 *    it drains every BUSY_POLL_MS. Not always: in the TCG guests a 1 ms timer
 *    made the traced operation itself slower (bench P7b 0.29 -> 0.42 of
 *    bpftrace's added cost).
 *  - ARMING: nothing for QUIET_S: it sets the flag and drains once more
 *    after ARM_GRACE_MS, for records whose program read the flag just
 *    before it was set.
 *  - ASLEEP: it blocks until a record wakes it (BPF_RB_FORCE_WAKEUP while
 *    the flag is set): an idle tracer has no timer. Woken, it is ACTIVE
 *    again before it drains (ring_woken()).
 * Nothing is lost either way; a record whose program read the flag before
 * it was set and was preempted past the grace drain is delivered with the
 * next record, or by the last drain when tphtrace stops (collector_drain).
 */
#define ACTIVE_POLL_MS	10
#define BUSY_POLL_MS	1
#define ACTIVE_RATE	500000.0	/* records/s: 5 000 per interval, ~1/6 of the ring */
#define BUSY_HOLD_S	0.2
#define QUIET_S		0.2
#define ARM_GRACE_MS	20

static void set_wake(struct collector *c, enum ring_state st)
{
	c->ring_state = st;
	if (c->wake)
		__atomic_store_n(c->wake, st != RING_ACTIVE, __ATOMIC_SEQ_CST);
}

/*
 * A record woke the sleeping consumer: clear the flag before draining, not
 * after. The first drain can be long (what came while it was waking up) and
 * every record committed meanwhile would force a wake-up of a consumer that
 * is already awake (bench P7a, 6.12 guest: MR cycles 35 -> 55 us for a whole
 * run, the first drain having taken 0.12 s). True if it was asleep.
 */
static bool ring_woken(struct collector *c)
{
	if (c->ring_state != RING_ASLEEP)
		return false;
	set_wake(c, RING_ACTIVE);
	return true;
}

/* after a drain, ended at NOW, that found N records (WOKE: see ring_woken()) */
static void ring_step(struct collector *c, int n, double now, bool woke)
{
	if (woke || n > ACTIVE_RATE * (now - c->last_drain_s))
		c->busy_s = now;
	c->last_drain_s = now;
	if (n > 0) {
		c->last_record_s = now;
		if (c->ring_state != RING_ACTIVE)
			set_wake(c, RING_ACTIVE);
	} else if (c->ring_state == RING_ACTIVE && now - c->last_record_s >= QUIET_S) {
		set_wake(c, RING_ARMING);
		c->armed_s = now;
	} else if (c->ring_state == RING_ARMING && now - c->armed_s >= ARM_GRACE_MS / 1000.0) {
		c->ring_state = RING_ASLEEP;	/* the flag stays set */
	}
}

/* the whole of @map, mapped into *@out (the drops and wake arrays) */
static int map_mmap(struct bpf_map *map, size_t len, int prot, void **out,
		    const char *what, char *err, size_t errlen)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, bpf_map__fd(map), 0);
	int ret;

	if (p == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "cannot map the %s: %s", what, strerror(-ret));
		return ret;
	}
	*out = p;
	return 0;
}

/* the ring buffer of the first object, polled through epfd */
static int open_ring(struct collector *c, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = SRC_RING };
	int ret;

	ret = ring_open(bpf_map__fd(c->objs[0]->maps.rb), on_rb, c, &c->rb);
	if (ret) {
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(-ret));
		return ret;
	}
	/* the map's fd polls readable when a record wakes its waiters */
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, bpf_map__fd(c->objs[0]->maps.rb), &ev)) {
		ret = -errno;
		snprintf(err, errlen, "cannot poll the ring buffer: %s", strerror(-ret));
		return ret;
	}
	/* the first object's drop counters, read without a syscall (collector_lost) */
	c->drops_len = TPH_DROP_MAX * sizeof(uint64_t);
	ret = map_mmap(c->objs[0]->maps.drops, c->drops_len, PROT_READ, (void **)&c->drops,
		       "drop counters", err, errlen);
	if (ret)
		return ret;
	c->wake_len = sizeof(uint32_t);
	ret = map_mmap(c->objs[0]->maps.wake, c->wake_len, PROT_READ | PROT_WRITE,
		       (void **)&c->wake, "wake-up flag", err, errlen);
	if (ret)
		return ret;
	set_wake(c, RING_ASLEEP);
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

/*
 * make bench only (bench/README.md, P4 and P6): with TPHTRACE_BENCH_DETACHED=1
 * every tracepoint counts as present for the raw_tp family and the chosen
 * programs are loaded but not attached, so that bench/bpfbench can fire them
 * with BPF_PROG_TEST_RUN on a host without tphtrace's tracepoints while this
 * process consumes the ring buffer as it always does. Not a user feature.
 */
static struct probe_ops bench_ops;

static bool bench_target_ok(void *ctx, enum tph_hook_family fam, const char *sym,
			    char *module, size_t len)
{
	if (fam == TPH_HOOK_RAW_TP) {
		if (len)
			module[0] = '\0';
		return true;
	}
	return bench_ops.target_ok(ctx, fam, sym, module, len);
}

/* Programs of @plan not yet loaded from an earlier plan's objects. */
static bool wanted(struct collector *c, const struct hook_plan *plan,
		   const char *name)
{
	int g;

	if (!hooks_prog_selected(plan, name))
		return false;
	for (g = 0; g < c->nobjs; g++) {
		struct bpf_program *p =
			bpf_object__find_program_by_name(c->objs[g]->obj, name);

		if (p && bpf_program__autoload(p))
			return false;
	}
	return true;
}

static void set_rodata(struct collector *c, struct tphtrace_bpf *s,
		       const struct hook_plan *plan, bool split_load)
{
	int k, nargs;
	__u32 kfunc;

	for (k = 1; k < TPH_EV_MAX; k++) {
		const struct hook_cand *cd = hooks_chosen(plan, k);

		s->rodata->event_family[k] = cd ? cd->family : TPH_HOOK_NONE;
	}
	s->rodata->filter_tgid = c->opts.filter_tgid;
	/*
	 * tp_btf crosses struct pointers with plain loads (bpf/core.bpf.h)
	 * where the kernel verifies that quickly (sorted BTF) or two CPUs
	 * verify the programs in parallel (apply_plan())
	 */
	s->rodata->tp_walk = sys_probe_btf_sorted(c->probe) || split_load;
	/* the typed programs' cast (bpf/fn.bpf.h), its calls made by btf_attach.c */
	sys_probe_cast_ids(c->probe, &kfunc, &s->rodata->btf_id_dma_buf);
	/* 6.17 added struct ib_dmah *dmah before attrs (8 args, else 7) */
	if (sys_probe_func_nargs(c->probe, "mlx5_ib_reg_user_mr_dmabuf", &nargs))
		s->rodata->reg_mr_has_dmah = nargs >= 8;
	/* where the series' functions have their arguments (src/shape.c) */
	s->rodata->series_shape = plan->shape;
	s->rodata->mr_req_type_hooked =
		hooks_prog_selected(plan, "fexit__pcie_tph_enabled_req_type") ||
		hooks_prog_selected(plan, "kretprobe__pcie_tph_enabled_req_type");
}

/*
 * A program of @plan could not attach: an event that needs it has no hook
 * after all (what probe could not know, e.g. a trampoline limit), and one
 * that only used it for refinement loses that refinement.
 */
static void unplan_prog(struct hook_plan *plan, const char *prog, int err)
{
	const struct hook_cand *c;
	int k, i;

	for (k = 1; k < TPH_EV_MAX; k++) {
		c = hooks_chosen(plan, k);
		for (i = 0; c && i < HOOK_MAX_TARGETS && c->t[i].prog; i++) {
			if (strcmp(c->t[i].prog, prog))
				continue;
			if (c->t[i].optional) {
				plan->ev[k].optional_missing |= 1u << i;
				continue;
			}
			plan->ev[k].cand = -1;
			snprintf(plan->ev[k].why, sizeof(plan->ev[k].why),
				 "%s: attaching %s failed: %s", tph_hook_name(c->family),
				 prog, strerror(-err));
			break;
		}
	}
}

/*
 * The CO-RE relocations of every object of a plan are searched in the
 * small BTF of core_btf.c (written once into a memfd, kept open until the
 * objects are loaded) rather than in all of the kernel's. Without it
 * libbpf searches as usual. @path gets the memfd's name; -1: none.
 */
static int core_btf_memfd(struct collector *c, char *path, size_t len)
{
	int memfd = c->core_btf ? memfd_create("tphtrace-core-btf", MFD_CLOEXEC) : -1;

	path[0] = '\0';
	if (memfd < 0)
		return -1;
	snprintf(path, len, "/proc/self/fd/%d", memfd);
	if (access(path, R_OK) || sys_probe_core_btf(c->probe, &c->roots, memfd)) {
		close(memfd);
		path[0] = '\0';
		return -1;
	}
	return memfd;
}

static struct tphtrace_bpf *open_object(const char *core_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, o, .btf_custom_path = *core_path ? core_path : NULL);

	return tphtrace_bpf__open_opts(&o);
}

/*
 * One plan's programs are loaded from one object or, with two CPUs to run
 * them, from two objects in two threads. Verification is most of a load
 * (6.12 guest: 0.24 s for the tp_btf programs that walk struct pointers,
 * bench/README.md, P3), and the kernel verifies privileged loads in
 * parallel: bpf_check() takes bpf_verifier_lock only for unprivileged ones.
 * The second object shares the first's maps, which libbpf has created by
 * the time it prepares the first's first program (btf_attach_on_prepare()),
 * or else once the first is loaded.
 */
#define SPLIT_MIN_PROGS	4

struct part {
	struct collector *c;
	struct tphtrace_bpf *s;
	const char *core_path;
	struct tphtrace_bpf *maps_from;	/* whose maps to share; NULL: its own */
	const char *progs[TPH_MAX_LINKS];	/* the second part's programs */
	int nprogs;
	struct tphtrace_bpf__rodata rodata;	/* the second part's, as the first's */
	struct bpf_link *links[TPH_MAX_LINKS];
	int nlinks;
	const char *failed[TPH_MAX_LINKS];	/* programs that did not attach */
	int failed_err[TPH_MAX_LINKS];
	int nfailed;
	double load_s, loaded_s, attached_s;	/* when its load began and ended, attach ended */
	int ret;
	char err[256];
};

/*
 * The second part's thread opens its object while the first is opened,
 * then waits for the first part's choice of programs (GATE_PLANNED) and its
 * maps (GATE_MAPS); < 0: no second part after all, or the first failed
 * before it made its maps.
 */
enum { GATE_PLANNED = 1, GATE_MAPS };

static struct maps_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct bpf_object *obj;		/* the first part's */
	int state;
} gate = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/* once the maps exist (or the second part is called off) the gate stays */
static void gate_set(int state)
{
	pthread_mutex_lock(&gate.lock);
	if (gate.state >= 0 && gate.state < GATE_MAPS && (state < 0 || state > gate.state))
		gate.state = state;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
}

/* 0 once the gate reached @state, -ECANCELED if it never will */
static int gate_wait(int state)
{
	int ret;

	pthread_mutex_lock(&gate.lock);
	while (gate.state >= 0 && gate.state < state)
		pthread_cond_wait(&gate.cond, &gate.lock);
	ret = gate.state < 0 ? -ECANCELED : 0;
	pthread_mutex_unlock(&gate.lock);
	return ret;
}

/* btf_attach_on_prepare(): a program is about to load; the first part's? */
static void gate_prepare(const struct bpf_program *prog)
{
	pthread_mutex_lock(&gate.lock);
	if (gate.state == GATE_PLANNED && gate.obj &&
	    bpf_object__find_program_by_name(gate.obj, bpf_program__name(prog)) == prog) {
		gate.state = GATE_MAPS;
		pthread_cond_broadcast(&gate.cond);
	}
	pthread_mutex_unlock(&gate.lock);
}

static int share_maps(struct tphtrace_bpf *s, struct tphtrace_bpf *f)
{
	return bpf_map__reuse_fd(s->maps.rb, bpf_map__fd(f->maps.rb)) ?:
	       bpf_map__reuse_fd(s->maps.drops, bpf_map__fd(f->maps.drops)) ?:
	       bpf_map__reuse_fd(s->maps.wake, bpf_map__fd(f->maps.wake)) ?:
	       bpf_map__reuse_fd(s->maps.tstate, bpf_map__fd(f->maps.tstate)) ?:
	       bpf_map__reuse_fd(s->maps.stash, bpf_map__fd(f->maps.stash)) ?:
	       bpf_map__reuse_fd(s->maps.qhand, bpf_map__fd(f->maps.qhand));
}

/* Load @pt->s (its maps shared from @pt->maps_from) and attach its programs. */
static int load_part(struct part *pt)
{
	struct bpf_program *p;
	struct bpf_link *l;
	int ret;

	if (pt->maps_from) {
		ret = share_maps(pt->s, pt->maps_from);
		if (ret) {
			snprintf(pt->err, sizeof(pt->err), "cannot share maps: %s", strerror(-ret));
			return ret;
		}
	}
	if (*pt->core_path)	/* CO-RE from core_btf.c: libbpf needs no vmlinux BTF */
		btf_attach_hide_tracing(pt->s->obj);
	pt->load_s = mono_s();
	ret = tphtrace_bpf__load(pt->s);
	pt->loaded_s = mono_s();
	if (ret) {
		snprintf(pt->err, sizeof(pt->err),
			 "loading BPF programs failed: %s (run with -v for the verifier log)",
			 strerror(-ret));
		return ret;
	}
	bpf_object__for_each_program(p, pt->s->obj) {
		if (!bpf_program__autoload(p) || pt->c->bench_detached)
			continue;
		l = bpf_program__attach(p);
		if (!l) {
			ret = -errno;
			fprintf(stderr, "tphtrace: cannot attach %s: %s\n",
				bpf_program__name(p), strerror(-ret));
			pt->failed[pt->nfailed] = bpf_program__name(p);
			pt->failed_err[pt->nfailed++] = ret;
			continue;
		}
		pt->links[pt->nlinks++] = l;
	}
	pt->attached_s = mono_s();
	return 0;
}

/*
 * The second part's thread: open its object, take the programs and the
 * read-only data the first part chose, load_part() once its maps exist.
 */
static void *second_part(void *arg)
{
	struct part *pt = arg;
	struct bpf_program *p;
	int i;

	pt->s = open_object(pt->core_path);
	if (!pt->s) {
		pt->ret = -errno;
		snprintf(pt->err, sizeof(pt->err), "cannot open the BPF object: %s",
			 strerror(-pt->ret));
		return NULL;
	}
	pt->ret = gate_wait(GATE_PLANNED);
	if (pt->ret)
		return NULL;
	bpf_object__for_each_program(p, pt->s->obj) {
		bool on = false;

		for (i = 0; i < pt->nprogs && !on; i++)
			on = !strcmp(pt->progs[i], bpf_program__name(p));
		bpf_program__set_autoload(p, on);
	}
	*pt->s->rodata = pt->rodata;
	pt->ret = gate_wait(GATE_MAPS) ?: load_part(pt);
	return NULL;
}

static double later(double a, double b)
{
	return a > b ? a : b;
}

/* CPUs this process may run on, for the second part's thread */
static int load_cpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
}

static int by_insns(const void *a, const void *b)
{
	size_t na = bpf_program__insn_cnt(*(struct bpf_program *const *)a);
	size_t nb = bpf_program__insn_cnt(*(struct bpf_program *const *)b);

	return na < nb ? 1 : na > nb ? -1 : 0;
}

/* fentry/fexit: attached through a BPF trampoline */
static bool trampoline(const struct bpf_program *p)
{
	enum bpf_attach_type t = bpf_program__expected_attach_type(p);

	return bpf_program__type(p) == BPF_PROG_TYPE_TRACING &&
	       (t == BPF_TRACE_FENTRY || t == BPF_TRACE_FEXIT);
}

/*
 * Move about half of @s's programs to @second, by instruction count (what
 * the verifier walks). The second part begins verifying later, once the
 * first has created the maps and relocated its programs (6.12 guest:
 * ~0.025 s of ~0.15 s): it starts with a tenth of the total. It takes
 * every fentry/fexit program: they verify fast (no trusted pointers,
 * bpf/core.bpf.h) but attaching one updates a BPF trampoline (6.12 guest:
 * ~6.5 ms each, against ~0.5 ms for a tp_btf), which it then does while
 * the first part is still being verified; each counts at its full
 * instructions (at half, the 6.12 guest's second part ended 55-75 ms after
 * the first once the query handler had grown by its cheap-to-verify name
 * cache, d4afdfa). The rest go largest first, each to the lighter side.
 */
static void split_programs(struct tphtrace_bpf *s, struct part *second)
{
	struct bpf_program *p, *v[TPH_MAX_LINKS];
	size_t w[2] = { 0, 0 };
	int i, n = 0;

	bpf_object__for_each_program(p, s->obj) {
		if (!bpf_program__autoload(p))
			continue;
		w[1] += bpf_program__insn_cnt(p) / 10;
		if (!trampoline(p)) {
			if (n < TPH_MAX_LINKS)
				v[n++] = p;
			continue;
		}
		w[1] += bpf_program__insn_cnt(p);
		bpf_program__set_autoload(p, false);
		second->progs[second->nprogs++] = bpf_program__name(p);
	}
	qsort(v, n, sizeof(v[0]), by_insns);
	for (i = 0; i < n; i++) {
		int side = w[1] < w[0];

		w[side] += bpf_program__insn_cnt(v[i]);
		if (side) {
			bpf_program__set_autoload(v[i], false);
			second->progs[second->nprogs++] = bpf_program__name(v[i]);
		}
	}
}

/* Load and attach the programs of @plan not loaded yet, sharing maps with the first objects. */
static int apply_plan(struct collector *c, struct hook_plan *plan,
		      char *err, size_t errlen)
{
	struct part *pt = calloc(2, sizeof(*pt));
	struct bpf_program *p;
	char core_path[64];
	double t = mono_s();
	pthread_t thread;
	bool parallel, split = false, threaded;
	int n = 0, ret, i, k, memfd = -1;

	if (!pt)
		return -ENOMEM;
	if (c->nobjs + 2 > MAX_OBJS) {
		ret = -E2BIG;
		snprintf(err, errlen, "too many BPF objects (%d)", c->nobjs);
		goto cleanup;
	}
	memfd = core_btf_memfd(c, core_path, sizeof(core_path));
	for (k = 0; k < 2; k++) {
		pt[k].c = c;
		pt[k].core_path = core_path;
		pt[k].maps_from = c->nobjs ? c->objs[0] : NULL;
	}
	gate.obj = NULL;
	gate.state = 0;
	parallel = load_cpus() >= 2;
	threaded = parallel && !pthread_create(&thread, NULL, second_part, &pt[1]);
	pt[0].s = open_object(core_path);
	if (!pt[0].s) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(-ret));
		goto join;
	}
	bpf_object__for_each_program(p, pt[0].s->obj) {
		bool on = wanted(c, plan, bpf_program__name(p));

		bpf_program__set_autoload(p, on);
		n += on;
	}
	ret = 0;
	if (!n)
		goto join;
	split = parallel && n >= SPLIT_MIN_PROGS;
	set_rodata(c, pt[0].s, plan, split);
	if (split) {
		split_programs(pt[0].s, &pt[1]);
		pt[1].rodata = *pt[0].s->rodata;
		if (!pt[1].maps_from)
			pt[1].maps_from = pt[0].s;
		gate.obj = pt[0].s->obj;
		btf_attach_on_prepare(gate_prepare);
		gate_set(c->nobjs ? GATE_MAPS : GATE_PLANNED);
	} else {
		gate_set(-ECANCELED);
	}
	if (!c->nobjs)
		c->times.open_s = mono_s() - t;
	pt[0].ret = load_part(&pt[0]);
	gate_set(pt[0].ret ?: GATE_MAPS);
	if (split && !threaded)		/* no thread for it: after the first */
		second_part(&pt[1]);
join:
	gate_set(-ECANCELED);
	if (threaded)
		pthread_join(thread, NULL);
	btf_attach_on_prepare(NULL);
	gate.obj = NULL;
	if (ret || !n)
		goto cleanup;
	/* the first part's failure first: the second's is then -ECANCELED */
	for (k = 0; k < 1 + split && !ret; k++) {
		ret = pt[k].ret;
		if (ret)
			snprintf(err, errlen, "%s", pt[k].err);
	}
	if (!c->nobjs) {
		double loaded = later(pt[0].loaded_s, pt[1].loaded_s);

		c->times.load_s = loaded - pt[0].load_s;
		c->times.attach_s = later(pt[0].attached_s, pt[1].attached_s) - loaded;
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < pt[k].nlinks; i++) {
			if (!ret && c->nlinks < TPH_MAX_LINKS)
				c->links[c->nlinks++] = pt[k].links[i];
			else
				bpf_link__destroy(pt[k].links[i]);
		}
		for (i = 0; !ret && i < pt[k].nfailed; i++)
			unplan_prog(plan, pt[k].failed[i], pt[k].failed_err[i]);
	}
	if (ret)
		goto cleanup;
	for (k = 0; k < 1 + split; k++) {
		c->objs[c->nobjs++] = pt[k].s;
		pt[k].s = NULL;
	}
cleanup:
	for (k = 1; k >= 0; k--)
		tphtrace_bpf__destroy(pt[k].s);
	if (memfd >= 0)
		close(memfd);
	free(pt);
	return ret;
}

/* events of @plan whose chosen hook is "iter", as (1 << kind) bits */
static unsigned int iter_kinds(const struct hook_plan *plan)
{
	unsigned int k, kinds = 0;

	for (k = 1; k < TPH_EV_MAX; k++) {
		const struct hook_cand *cd = hooks_chosen(plan, k);

		if (cd && cd->family == TPH_HOOK_ITER)
			kinds |= 1u << k;
	}
	return kinds;
}

/*
 * The sampled fallback: iter/dmabuf snapshots diffed at an interval. If
 * the iterator cannot run after all, the events it was to serve have no
 * hook (the plan says why).
 */
static void start_poller(struct collector *c)
{
	unsigned int kinds = iter_kinds(&c->plan), k;
	char why[200];
	int ret;

	if (!kinds)
		return;
	ret = poller_open(&c->poller, kinds, c->opts.poll_interval_s, c->opts.verbose,
			  why, sizeof(why));
	if (!ret)
		return;
	c->poller = NULL;
	for (k = 1; k < TPH_EV_MAX; k++) {
		if (!(kinds & (1u << k)))
			continue;
		c->plan.ev[k].cand = -1;
		snprintf(c->plan.ev[k].why, sizeof(c->plan.ev[k].why), "iter: %.170s", why);
	}
}

/* sampled records carry no process: a pid filter cannot keep them */
static int on_sampled(void *ctx, const union tph_record *rec)
{
	struct collector *c = ctx;

	if (c->opts.filter_tgid)
		return 0;
	return collector_deliver(&c->opts, rec, tph_record_size(rec->hdr.kind));
}

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* A module was loaded: rescan and attach what became possible. */
static void on_module_loaded(struct collector *c, const char *module)
{
	struct sys_probe *np;
	struct probe_ops ops;
	struct hook_plan plan;
	char err[256];
	int k, better = 0;

	if (sys_probe_new_core(&np, c->core_btf ? &c->roots : NULL, err, sizeof(err)))
		return;
	sys_probe_ops(np, &ops);
	hooks_plan(&ops, c->opts.force, &plan);
	for (k = 1; k < TPH_EV_MAX; k++) {
		if (c->plan.ev[k].cand < 0 && plan.ev[k].cand >= 0)
			better++;
		else
			plan.ev[k] = c->plan.ev[k];	/* keep what runs */
	}
	sys_probe_free(c->probe);
	c->probe = np;
	btf_attach_use(np);
	if (!better)
		return;
	if (apply_plan(c, &plan, err, sizeof(err)) || (!c->rb && c->nobjs &&
						       open_ring(c, err, sizeof(err)))) {
		fprintf(stderr, "tphtrace: module %s loaded, re-attach failed: %s\n",
			module, err);
		return;
	}
	c->plan = plan;
	if (!c->poller && iter_kinds(&c->plan)) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = SRC_POLLER };

		start_poller(c);
		if (c->poller)
			epoll_ctl(c->epfd, EPOLL_CTL_ADD, poller_fd(c->poller), &ev);
	}
	fprintf(stderr, "tphtrace: module %s loaded: %d more event(s) hooked\n",
		module, better);
}

static void drain_uevents(struct collector *c)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(c->uevent_fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		if (!strncmp(buf, "add@/module/", 12))
			on_module_loaded(c, buf + 12);
	}
}

int collector_open(struct collector **out, const struct collector_opts *opts,
		   char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct probe_ops ops;
	struct collector *c;
	double t;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->opts = *opts;
	c->epfd = -1;
	c->uevent_fd = -1;
	t = mono_s();
	libbpf_set_print(opts->verbose ? libbpf_verbose : libbpf_quiet);
	ret = check_privileges(err, errlen);
	if (ret)
		goto cleanup;
	/* before the BPF object is opened: its sections take the handlers */
	ret = btf_attach_install();
	if (ret) {
		snprintf(err, errlen, "cannot register libbpf section handlers: %s",
			 strerror(-ret));
		goto cleanup;
	}
	{
		size_t sz;
		const void *elf = tphtrace_bpf__elf_bytes(&sz);

		c->core_btf = !core_roots_from_elf(elf, sz, &c->roots);
	}
	c->times.setup_s = mono_s() - t;
	t = mono_s();
	ret = sys_probe_new_core(&c->probe, c->core_btf ? &c->roots : NULL, err, errlen);
	if (ret)
		goto cleanup;
	c->times.probe_s = mono_s() - t;
	btf_attach_use(c->probe);
	sys_probe_ops(c->probe, &ops);
	c->bench_detached = getenv("TPHTRACE_BENCH_DETACHED") &&
			    !strcmp(getenv("TPHTRACE_BENCH_DETACHED"), "1");
	if (c->bench_detached) {
		bench_ops = ops;
		ops.target_ok = bench_target_ok;
	}
	t = mono_s();
	hooks_plan(&ops, opts->force, &c->plan);
	c->times.plan_s = mono_s() - t;
	ret = apply_plan(c, &c->plan, err, errlen);
	if (ret)
		goto cleanup;
	t = mono_s();
	start_poller(c);
	c->times.poller_s = mono_s() - t;
	if (!c->nobjs && !c->poller && !opts->keep_waiting) {
		snprintf(err, errlen, "no event has a usable hook on this kernel "
			 "(see 'tphtrace probe')");
		ret = -ENOENT;
		goto cleanup;
	}
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "epoll: %s", strerror(-ret));
		goto cleanup;
	}
	if (c->nobjs) {
		ret = open_ring(c, err, errlen);
		if (ret)
			goto cleanup;
	}
	if (c->poller) {
		ev.data.u32 = SRC_POLLER;
		epoll_ctl(c->epfd, EPOLL_CTL_ADD, poller_fd(c->poller), &ev);
	}
	c->uevent_fd = uevent_open();
	if (c->uevent_fd >= 0) {
		ev.data.u32 = SRC_UEVENT;
		epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->uevent_fd, &ev);
	}
	*out = c;
	return 0;
cleanup:
	collector_close(c);
	return ret;
}

int collector_plan_only(const struct hook_force *force, struct hook_plan *plan,
			char *err, size_t errlen)
{
	struct sys_probe *p;
	struct probe_ops ops;
	int ret;

	ret = check_privileges(err, errlen);
	if (!ret)
		ret = sys_probe_new(&p, err, errlen);
	if (ret)
		return ret;
	sys_probe_ops(p, &ops);
	hooks_plan(&ops, force, plan);
	sys_probe_free(p);
	return 0;
}

/*
 * Records keep coming: let some accumulate before the next drain instead of
 * sleeping in epoll_wait() as soon as the ring is empty. A record committed
 * to an empty ring wakes the consumer (an IPI and a context switch, ~1-7 us,
 * paid by the traced task); one committed behind others does not. So under
 * load the consumer drains, naps, drains again, and the producers see an
 * empty ring once per nap instead of once per record. A drain that finds
 * nothing ends the batch: an idle tracer is blocked in epoll_wait() and
 * costs nothing (no timer). The nap is what one drain costs beyond its
 * records (a syscall, two context switches, the timer): 0.5 ms is ~1 500
 * records at a producer's full speed (3 M/s, bench P4), 5 % of the ring,
 * and took the consumer from 5.9 to 6.5 M JSON records per CPU-second
 * against 50 us.
 */
#define DRAIN_NAP_NS	500000
#define DRAIN_BATCH_MS	20		/* return to the caller at least this often */

static int drain(struct collector *c)
{
	struct timespec nap = { 0, DRAIN_NAP_NS }, t0, t;
	int n, total = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		n = ring_consume(c->rb);
		if (n < 0)
			return n;
		total += n;
		if (n == 0)
			return total;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >=
		    DRAIN_BATCH_MS)
			return total;
		nanosleep(&nap, NULL);
	}
}

int collector_fd(struct collector *c)
{
	return c->epfd;
}

int collector_timeout_ms(struct collector *c)
{
	if (!c->rb || c->ring_state == RING_ASLEEP)
		return -1;
	if (c->ring_state == RING_ARMING)
		return ARM_GRACE_MS;
	return mono_s() - c->busy_s < BUSY_HOLD_S ? BUSY_POLL_MS : ACTIVE_POLL_MS;
}

/*
 * The last drain: pass after pass while records keep arriving (one pass
 * stops where the producer was when it began), at most LAST_DRAIN_PASSES,
 * so that a producer faster than us cannot hold up the exit.
 */
#define LAST_DRAIN_PASSES	64

int collector_drain(struct collector *c)
{
	int n, i, total = 0;

	if (!c->rb)
		return 0;
	for (i = 0; i < LAST_DRAIN_PASSES; i++) {
		n = ring_consume(c->rb);
		if (n < 0)
			return n;
		if (!n)
			break;
		total += n;
	}
	return total;
}

int collector_poll(struct collector *c, int timeout_ms)
{
	struct epoll_event evs[3];
	int n, i, ret = 0, got = 0;
	bool ring = false;
	long s;

	n = epoll_wait(c->epfd, evs, 3, timeout_ms);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		switch (evs[i].data.u32) {
		case SRC_UEVENT:
			drain_uevents(c);
			continue;
		case SRC_POLLER:
			s = poller_tick(c->poller, on_sampled, c);
			if (s < 0)
				fprintf(stderr, "tphtrace: iter/dmabuf snapshot failed: %s\n",
					strerror((int)-s));
			else
				got += (int)s;
			continue;
		}
		ring = true;
	}
	/* awake, the ring is drained on the timer: no record wakes us then */
	if (c->rb && (ring || c->ring_state != RING_ASLEEP)) {
		bool woke = ring_woken(c);

		ret = drain(c);
		if (ret < 0)
			return ret;
		ring_step(c, ret, mono_s(), woke);
		got += ret;
	}
	return got;
}

/* from the mmap'ed counters: no syscall (see bpf/common.bpf.h) */
int collector_lost(struct collector *c, uint64_t lost[TPH_DROP_MAX])
{
	int k;

	if (!c->drops) {	/* only the sampled fallback: nothing to lose */
		memset(lost, 0, sizeof(lost[0]) * TPH_DROP_MAX);
		return 0;
	}
	for (k = 0; k < TPH_DROP_MAX; k++)
		lost[k] = __atomic_load_n(&c->drops[k], __ATOMIC_RELAXED);
	return 0;
}

const struct hook_plan *collector_plan(struct collector *c)
{
	return &c->plan;
}

void collector_sampled_str(struct collector *c, char *buf, size_t len)
{
	unsigned int kinds = c->poller ? iter_kinds(&c->plan) : 0, k;
	size_t off = 0;

	buf[0] = '\0';
	for (k = 1; kinds && k < TPH_EV_MAX && off < len; k++)
		if (kinds & (1u << k))
			off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
					tph_kind_name(k));
	if (kinds && off < len)
		snprintf(buf + off, len - off, " sampled from iter/dmabuf snapshots every %g s "
			 "(dma-bufs living shorter are not seen)",
			 c->opts.poll_interval_s > 0 ? c->opts.poll_interval_s :
			 POLL_INTERVAL_DEFAULT_S);
}

int collector_parse_interval(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0.01) || v > 86400)
		return -EINVAL;
	*out = v;
	return 0;
}

int collector_nlinks(struct collector *c)
{
	return c->nlinks;
}

int collector_hooked(struct collector *c)
{
	return c->nobjs || c->poller ? TPH_EV_MAX - 1 - hooks_unavailable(&c->plan) : 0;
}

int collector_enable_stats(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

int collector_prog_stats(struct collector *c, struct prog_stats *out, int max)
{
	struct bpf_prog_info info;
	struct bpf_program *p;
	uint32_t len;
	int g, n = 0, fd;

	for (g = 0; g < c->nobjs; g++) {
		bpf_object__for_each_program(p, c->objs[g]->obj) {
			fd = bpf_program__fd(p);
			if (n >= max || !bpf_program__autoload(p) || fd < 0)
				continue;
			memset(&info, 0, sizeof(info));
			len = sizeof(info);
			if (bpf_obj_get_info_by_fd(fd, &info, &len))
				continue;
			snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(p));
			out[n].run_time_ns = info.run_time_ns;
			out[n].run_cnt = info.run_cnt;
			out[n].recursion_misses = info.recursion_misses;
			n++;
		}
	}
	return n;
}

const struct collector_times *collector_times(struct collector *c)
{
	return &c->times;
}

void collector_close(struct collector *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	poller_close(c->poller);
	ring_close(c->rb);
	if (c->drops)
		munmap((void *)c->drops, c->drops_len);
	if (c->wake)
		munmap(c->wake, c->wake_len);
	for (i = c->nobjs - 1; i >= 0; i--)
		tphtrace_bpf__destroy(c->objs[i]);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->uevent_fd >= 0)
		close(c->uevent_fd);
	btf_attach_use(NULL);
	sys_probe_free(c->probe);
	core_roots_free(&c->roots);
	free(c);
}
