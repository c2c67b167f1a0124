/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps and helpers shared by every tphtrace handler: the ring buffer with
 * counted drops, the per-task state that pieces a registration together
 * from several functions, and record emission.
 */
#ifndef TPHTRACE_COMMON_BPF_H
#define TPHTRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tphtrace/tphtrace.h"
#include "core.bpf.h"

#ifndef EOPNOTSUPP
#define EOPNOTSUPP	95
#endif
#define EBUSY		16
#define ENOSPC		28
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

/* Set by user space before load. */
const volatile __u32 filter_tgid;	/* 0: every process */
const volatile bool tp_walk;		/* tp_btf crosses struct pointers (core.bpf.h) */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} rb SEC(".maps");

/*
 * Drop counters. User space reads them after every ring-buffer poll
 * through mmap, never with a map syscall: a map syscall runs with
 * bpf_disable_instrumentation() (bpf_prog_active raised on its CPU), and a
 * kprobe program that fires there meanwhile -- the tracer preempted inside
 * the syscall -- is skipped by the kernel (recursion_misses): measured in a
 * 7.3 guest, 408 TPH queries and an MR registration lost by the kprobe
 * programs over 60 tphsim scenarios, none with the counters mmap'ed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TPH_DROP_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/*
 * Whether the consumer sleeps (src/collect.c, "Wake-ups"): non-zero while
 * it waits for the next record, 0 while records keep coming and it drains
 * on a short timer. A record wakes the consumer only in the first case: a
 * steady stream costs the traced task no wake-up (irq_work, an IPI and a
 * context switch for every record that found the ring drained: ~9 us per
 * MR registration + deregistration in the 6.12 TCG guest, bench P7).
 * Written by the consumer through mmap, like drops.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u32);
} wake SEC(".maps");

/*
 * What one task has seen of an in-flight TPH query / MR registration, in
 * the task's own BPF storage: every step of one registration runs in the
 * registering task (mlx5_ib_reg_user_mr_dmabuf -> get_tph_mr_dmabuf ->
 * dma_buf_get_tph -> exporter callback; mlx5_st_alloc_index_by_tag ->
 * pcie_tph_set_st_entry). Task storage is found from the task directly
 * (the LRU hash keyed by thread id it replaces cost ~15 ns more per
 * lookup on the bench host, bench/README.md P1, and when full it evicted
 * registrations in flight) and goes away with the task.
 */
#define TS_MR		0x01	/* a registration is in flight */
#define TS_QUERY	0x02	/* query result recorded */
#define TS_EXPORTER	0x04	/* exporter callback seen */
#define TS_ST		0x08	/* ST index allocation seen */
#define TS_ST_WFAIL	0x10	/* an ST entry write failed */
#define TS_DECISION	0x20	/* mlx5_ib_mr_tph tracepoint seen */
#define TS_REQ		0x40	/* requester type seen */
#define TS_MR_FAILED	0x80	/* the registration failed (function exit) */

struct task_state {
	__u32 seen;		/* TS_* */
	__s32 fd;
	__u64 length;
	__s32 access;
	__u8 dmah;
	__u8 req_type;
	__u8 qflags;		/* TPH_Q_* from the exporter callback */
	__u8 ph;
	__u64 ino;
	__u16 st;
	__u16 st_index;
	__s32 query_ret;
	__s32 st_ret;
	__u8 source;
	__u8 reason;
	__u8 extended;
	__u8 direct;
	struct tph_dev exporter;
	struct tph_dev nic;
	__u64 exp_buf;		/* struct dma_buf * of the exporter answer (tracepoints) */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tstate SEC(".maps");

/*
 * The exporter's answer to a query, handed on this CPU from the exporter
 * tracepoint (vfio_pci_tph_query) to the wrapper's (dma_buf_get_pci_tph),
 * which fires right after it in the same call chain: the hottest handler
 * then needs no task-storage lookup. A miss (another query came in between
 * on this CPU, or the task moved) falls back to the task state.
 */
struct qhand {
	__u64 task;		/* current task (as a number), 0: empty */
	__u64 buf;		/* the struct dma_buf * queried */
	struct tph_dev exporter;
	__u16 st;		/* the tag and hint it returned, when */
	__u8 ph;
	__u8 has_tag;		/* it succeeded and they could be read */
	__u8 qflags;
	/*
	 * The exporter name of the dma-buf last queried on this CPU, for the
	 * wrapper's record (query_rec_name()). A dma-buf's exp_name is set
	 * at export and never changes, and its address and inode number
	 * name it (dma-buf inodes take get_next_ino(), never reused in its
	 * life). Tracepoint programs run with preemption off today, but not
	 * on every kernel (PREEMPT_RT): name_seq counts rewrites, so that a
	 * copy that a rewrite interrupted is not taken (query_rec_buf_cached()).
	 */
	__u32 name_seq;
	__u64 name_buf;
	__u64 name_ino;
	__u64 name[TPH_NAME_LEN / 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct qhand);
} qhand SEC(".maps");

/* kprobe entry arguments, for the matching kretprobe: key = tid, fn */
struct stash_key {
	__u32 tid;
	__u32 fn;
};

#define TPH_MAX_ARGS	7
struct stash_val {
	__u64 arg[TPH_MAX_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct stash_key);
	__type(value, struct stash_val);
} stash SEC(".maps");

static __always_inline void count_drop(__u32 why)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &why);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline __u32 cur_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline bool filtered(void)
{
	return filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid;
}

static __always_inline struct task_struct *cur_task(void)
{
	return bpf_get_current_task_btf();
}

/*
 * Reserve a record and fill the common header; NULL (counted) when full.
 * pid, tgid and comm are loaded from @t (the current task) rather than
 * through bpf_get_current_pid_tgid()/bpf_get_current_comm(): the comm
 * helper alone cost ~40 ns per record (bench/README.md, P1).
 */
static __always_inline void *rec_reserve_t(struct task_struct *t, __u32 size,
					   __u16 kind, __u8 hook)
{
	struct tph_hdr *h;
	const __u64 *comm;

	h = bpf_ringbuf_reserve(&rb, size, 0);
	if (!h) {
		count_drop(TPH_DROP_RINGBUF);
		return NULL;
	}
	h->kind = kind;
	h->hook = hook;
	h->flags = 0;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = t->pid;
	h->tgid = t->tgid;
	comm = (const __u64 *)t->comm;
	((__u64 *)h->comm)[0] = comm[0];
	((__u64 *)h->comm)[1] = comm[1];
	return h;
}

static __always_inline void *rec_reserve(__u32 size, __u16 kind, __u8 hook)
{
	return rec_reserve_t(cur_task(), size, kind, hook);
}

/*
 * Submit, waking the consumer only when it said it sleeps (the wake map
 * above). The kernel's own rule (wake when the ring was empty before this
 * record) woke it for the first record after every drain: under a steady
 * stream of registrations, once or twice per registration.
 */
static __always_inline void rec_submit(void *rec, __s32 ret)
{
	__u32 zero = 0, *asleep = bpf_map_lookup_elem(&wake, &zero);
	__u64 flags = 0;	/* the kernel's rule, should the map be missing */

	if (ret < 0)
		((struct tph_hdr *)rec)->flags |= TPH_F_ERR;
	/*
	 * Forced while the consumer sleeps: a record committed behind one it
	 * has not seen yet would not wake it under the kernel's rule.
	 */
	if (asleep)
		flags = *(volatile __u32 *)asleep ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

static __always_inline struct task_state *state_get_t(struct task_struct *t)
{
	return bpf_task_storage_get(&tstate, t, 0, 0);
}

static __always_inline struct task_state *state_get_or_create_t(struct task_struct *t)
{
	struct task_state *s;

	s = bpf_task_storage_get(&tstate, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		count_drop(TPH_DROP_STATE);
	return s;
}

static __always_inline struct task_state *state_get(void)
{
	return state_get_t(cur_task());
}

static __always_inline struct task_state *state_get_or_create(void)
{
	return state_get_or_create_t(cur_task());
}

/*
 * The registration is over: forget it. The state is zeroed in place, not
 * deleted, which every reader treats alike (they all test s->seen) and which
 * spares the task's next registration a delete and a new allocation; it is
 * freed with the task.
 */
static __always_inline void state_drop(struct task_state *s)
{
	__builtin_memset(s, 0, sizeof(*s));
}

static __always_inline void stash_put(__u32 fn, struct stash_val *v)
{
	struct stash_key k = { .tid = cur_tid(), .fn = fn };

	if (bpf_map_update_elem(&stash, &k, v, BPF_ANY))
		count_drop(TPH_DROP_STATE);
}

/* Copy and remove the stashed entry arguments; false if none. */
static __always_inline bool stash_take(__u32 fn, struct stash_val *out)
{
	struct stash_key k = { .tid = cur_tid(), .fn = fn };
	struct stash_val *v = bpf_map_lookup_elem(&stash, &k);

	if (!v)
		return false;
	*out = *v;
	bpf_map_delete_elem(&stash, &k);
	return true;
}

static __always_inline void dev_pci(struct tph_dev *d, __u32 domain, __u16 bdf)
{
	d->domain = domain;
	d->bdf = bdf;
	d->valid |= TPH_DEV_PCI;
}

static __always_inline void dev_name(struct tph_dev *d, const char *name)
{
	if (name && bpf_probe_read_kernel_str(d->name, sizeof(d->name), name) > 1)
		d->valid |= TPH_DEV_NAME;
}

#endif /* TPHTRACE_COMMON_BPF_H */
