// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: reference handlers that tphtrace's own are measured against
 * (bench/README.md). Not part of tphtrace; only bench/bpfbench loads them.
 *
 *   empty_*   returns at once: what the hook and the BPF stats cost alone
 *   floor_*   the least a record-emitting handler can do: reserve a record
 *             of the size tphtrace emits on that hook, fill the common header
 *             (kind, hook, cpu, ts, pid/tgid, comm) the way tphtrace does,
 *             submit it with the kernel's default wake-up policy (wake when
 *             the consumer has caught up). No state, no argument decoding,
 *             no payload.
 *   floor_perf_tp_btf_query  the tp_btf query floor through a perf buffer
 *             instead of the ring: the header filled in a per-CPU scratch
 *             record and copied out by bpf_perf_event_output() (the
 *             transport bpftrace uses), to weigh one against the other
 *             (progstats -P)
 *   floor_helpers_query  the query floor with the header from the helpers
 *             (bpf_get_current_pid_tgid, bpf_get_current_comm): shows what
 *             tphtrace's header fill saves.
 *
 * The raw_tp variants have no target: they are driven with
 * BPF_PROG_TEST_RUN on the host. The tp_btf variants get their target
 * (a tphsim tracepoint) from bpf_program__set_attach_target() in the guest.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tphtrace/tphtrace.h"

/* same size as tphtrace's ring, so both see the same fill level */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} bench_rb SEC(".maps");

/* one per CPU, opened by bpfbench progstats -P */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} bench_pe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tph_ev_query);
} bench_scratch SEC(".maps");

__u64 floor_dropped;
/*
 * Flags of the floors' bpf_ringbuf_submit(): the kernel's default rule, or
 * BPF_RB_NO_WAKEUP where a consumer reads the ring on a timer (progstats -c):
 * the least a handler can do then.
 */
const volatile __u64 floor_submit_flags;

/*
 * The header exactly as tphtrace's rec_reserve() fills it (pid, tgid and
 * comm loaded from the current task), so a floor is the cheapest record
 * of that size known, not a strawman.
 */
static __always_inline void floor_hdr(struct tph_hdr *h, __u16 kind, __u8 hook)
{
	struct task_struct *t = bpf_get_current_task_btf();
	const __u64 *comm;

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
}

static __always_inline int floor_emit(void *rec, __u16 kind, __u8 hook)
{
	floor_hdr(rec, kind, hook);
	bpf_ringbuf_submit(rec, floor_submit_flags);
	return 0;
}

/* the same with the helpers a first version would use (pid/tgid, comm) */
static __always_inline int floor_emit_helpers(void *rec, __u16 kind, __u8 hook)
{
	struct tph_hdr *h = rec;
	__u64 id = bpf_get_current_pid_tgid();

	h->kind = kind;
	h->hook = hook;
	h->flags = 0;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = (__u32)id;
	h->tgid = id >> 32;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	bpf_ringbuf_submit(rec, floor_submit_flags);
	return 0;
}

/* one floor per record size: bpf_ringbuf_reserve() wants a constant */
#define FLOOR_AS(sec, name, type, kind, hook, fill)			\
SEC(sec)								\
int floor_##name(void *ctx)						\
{									\
	void *r = bpf_ringbuf_reserve(&bench_rb, sizeof(type), 0);	\
									\
	if (!r) {							\
		__sync_fetch_and_add(&floor_dropped, 1);		\
		return 0;						\
	}								\
	return fill(r, kind, hook);					\
}
#define FLOOR(sec, name, type, kind, hook)				\
	FLOOR_AS(sec, name, type, kind, hook, floor_emit)

FLOOR("raw_tp", query, struct tph_ev_query, TPH_EV_TPH_QUERY, TPH_HOOK_RAW_TP)
FLOOR("raw_tp", publish, struct tph_ev_publish, TPH_EV_TPH_PUBLISH, TPH_HOOK_RAW_TP)
FLOOR("raw_tp", mr, struct tph_ev_mr, TPH_EV_MR_REG, TPH_HOOK_RAW_TP)
FLOOR("raw_tp", mr_dereg, struct tph_ev_mr_dereg, TPH_EV_MR_DEREG, TPH_HOOK_RAW_TP)
FLOOR("raw_tp", st, struct tph_ev_st, TPH_EV_ST_INDEX, TPH_HOOK_RAW_TP)
FLOOR("raw_tp", pci, struct tph_ev_pci, TPH_EV_PCI_TPH, TPH_HOOK_RAW_TP)
FLOOR("raw_tp", dmabuf, struct tph_ev_dmabuf, TPH_EV_DMABUF_EXPORT, TPH_HOOK_RAW_TP)
FLOOR("raw_tp", attach, struct tph_ev_attach, TPH_EV_ATTACH, TPH_HOOK_RAW_TP)
FLOOR("tp_btf", tp_btf_query, struct tph_ev_query, TPH_EV_TPH_QUERY, TPH_HOOK_TP_BTF)
FLOOR_AS("raw_tp", helpers_query, struct tph_ev_query, TPH_EV_TPH_QUERY, TPH_HOOK_RAW_TP,
	 floor_emit_helpers)

SEC("tp_btf")
int floor_perf_tp_btf_query(void *ctx)
{
	__u32 zero = 0;
	struct tph_ev_query *r = bpf_map_lookup_elem(&bench_scratch, &zero);

	if (!r)
		return 0;
	floor_hdr(&r->hdr, TPH_EV_TPH_QUERY, TPH_HOOK_TP_BTF);
	if (bpf_perf_event_output(ctx, &bench_pe, BPF_F_CURRENT_CPU, r, sizeof(*r)))
		__sync_fetch_and_add(&floor_dropped, 1);
	return 0;
}

SEC("raw_tp")
int empty_raw_tp(void *ctx)
{
	return 0;
}

SEC("tp_btf")
int empty_tp_btf(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
