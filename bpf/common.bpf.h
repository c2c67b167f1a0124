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
/* ring bytes pending when a record is alone in it: the ring was empty */
#define TPH_MAX_PENDING_ALONE	(sizeof(union tph_record) + 8)

/* Set by user space before load. */
const volatile __u32 filter_tgid;	/* 0: every process */
/*
 * Wake the consumer only when this much is pending, or when the ring was
 * empty before this record (the consumer may be asleep). In between, the
 * consumer is awake and draining anyway, so a wake-up would be wasted.
 */
const volatile __u64 wakeup_bytes = 256 * 1024;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TPH_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/*
 * What one task has seen of an in-flight TPH query / MR registration.
 * Keyed by thread id: every step of one registration runs in the
 * registering task (mlx5_ib_reg_user_mr_dmabuf -> get_tph_mr_dmabuf ->
 * dma_buf_get_tph -> exporter callback; mlx5_st_alloc_index_by_tag ->
 * pcie_tph_set_st_entry).
 */
#define TS_MR		0x01	/* a registration is in flight */
#define TS_QUERY	0x02	/* query result recorded */
#define TS_EXPORTER	0x04	/* exporter callback seen */
#define TS_ST		0x08	/* ST index allocation seen */
#define TS_ST_WFAIL	0x10	/* an ST entry write failed */
#define TS_DECISION	0x20	/* mlx5_ib_mr_tph tracepoint seen */
#define TS_REQ		0x40	/* requester type seen */

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
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct task_state);
} tstate SEC(".maps");

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
		*n += 1;
}

static __always_inline __u32 cur_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline bool filtered(void)
{
	return filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid;
}

/* Reserve a record and fill the common header; NULL (counted) when full. */
static __always_inline void *rec_reserve(__u32 size, __u16 kind, __u8 hook)
{
	struct tph_hdr *h;
	__u64 id;

	h = bpf_ringbuf_reserve(&rb, size, 0);
	if (!h) {
		count_drop(TPH_DROP_RINGBUF);
		return NULL;
	}
	id = bpf_get_current_pid_tgid();
	h->kind = kind;
	h->hook = hook;
	h->flags = 0;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = (__u32)id;
	h->tgid = id >> 32;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	return h;
}

static __always_inline void rec_submit(void *rec, __s32 ret)
{
	__u64 pending = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	__u64 flags;

	if (ret < 0)
		((struct tph_hdr *)rec)->flags |= TPH_F_ERR;
	/* pending counts this (still reserved) record: its size + 8 header */
	if (pending <= TPH_MAX_PENDING_ALONE || pending >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	else
		flags = BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

static __always_inline struct task_state *state_get(void)
{
	__u32 tid = cur_tid();

	return bpf_map_lookup_elem(&tstate, &tid);
}

static __always_inline struct task_state *state_get_or_create(void)
{
	static const struct task_state zero;
	struct task_state *s;
	__u32 tid = cur_tid();

	s = bpf_map_lookup_elem(&tstate, &tid);
	if (s)
		return s;
	if (bpf_map_update_elem(&tstate, &tid, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&tstate, &tid)) {
		count_drop(TPH_DROP_STATE);
		return NULL;
	}
	return bpf_map_lookup_elem(&tstate, &tid);
}

static __always_inline void state_drop(void)
{
	__u32 tid = cur_tid();

	bpf_map_delete_elem(&tstate, &tid);
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
