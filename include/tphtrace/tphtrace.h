/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tphtrace record ABI: the one definition shared by the BPF programs and
 * user space. Every record starts with struct tph_hdr; hdr.kind selects the
 * payload. Records are fixed-size per kind, naturally aligned, and carry no
 * pointers that user space would dereference (pointers are cookies only).
 *
 * Trace files (`tphtrace trace -j`) are the JSON rendering of these records;
 * the model and every view are fed only by them.
 */
#ifndef TPHTRACE_TPHTRACE_H
#define TPHTRACE_TPHTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TPH_COMM_LEN		16
#define TPH_NAME_LEN		32	/* exporter names, device names */
/*
 * The helper id the programs call bpf_rdonly_cast() by (bpf/fn.bpf.h):
 * no helper has it; the loader makes each such call the kfunc call before
 * the program is loaded (src/btf_attach.c).
 */
#define TPH_CALL_RDONLY_CAST	0x54504801

/* Logical events: one record kind each. */
enum tph_kind {
	TPH_EV_DMABUF_EXPORT = 1,	/* dma-buf created by an exporter */
	TPH_EV_DMABUF_RELEASE,		/* last reference dropped */
	TPH_EV_ATTACH,			/* importer device attached */
	TPH_EV_DETACH,
	TPH_EV_MAP,			/* attachment mapped for DMA */
	TPH_EV_UNMAP,
	TPH_EV_INVALIDATE,		/* exporter revoked/moved: importers notified */
	TPH_EV_TPH_PUBLISH,		/* VFIO DMA_BUF_TPH SET */
	TPH_EV_TPH_QUERY,		/* importer asked the exporter for a tag */
	TPH_EV_MR_REG,			/* mlx5 dma-buf MR registration outcome */
	TPH_EV_MR_DEREG,
	TPH_EV_ST_INDEX,		/* mlx5 ST table alloc/get/put */
	TPH_EV_PCI_TPH,			/* PCI TPH enable/disable/ST write */
	TPH_EV_MAX,
};

/* Hook families a record can come from (hdr.hook). */
enum tph_hook_family {
	TPH_HOOK_NONE = 0,
	TPH_HOOK_TP_BTF,	/* tp_btf on a tracepoint */
	TPH_HOOK_RAW_TP,	/* raw_tp on a tracepoint */
	TPH_HOOK_FENTRY,	/* fentry/fexit on a function */
	TPH_HOOK_KPROBE,	/* kprobe/kretprobe on a function */
	TPH_HOOK_ITER,		/* iter/dmabuf snapshots, procfs: state at start
				 * (pre-start) or a later snapshot's diff
				 * (TPH_F_SAMPLED) */
	TPH_HOOK_MAX,
};

/*
 * API shape of the TPH series on the running kernel, detected from BTF
 * (src/hooks.c) and handed to the BPF programs, which read the series'
 * function arguments at the positions of that shape:
 *   V5  no wrapper; mlx5 calls ops->get_tph(dmabuf, u16 *st, u8 *ph,
 *       u8 st_width) itself; exporter callback vfio_pci_dma_buf_get_tph
 *   V7  dma_buf_get_tph(dmabuf, bool extended, u16 *st, u8 *ph) wrapper
 *       over ops->get_tph of the same prototype (v6, v7)
 *   V8  renamed get_pci_tph: dma_buf_get_pci_tph() (resv held),
 *       vfio_pci_dma_buf_get_pci_tph() (v8 to v11)
 */
enum tph_series_shape {
	TPH_SHAPE_NONE = 0,	/* no series function found */
	TPH_SHAPE_V5,
	TPH_SHAPE_V7,
	TPH_SHAPE_V8,
	TPH_SHAPE_UNKNOWN,	/* series names, prototypes of no known revision */
	TPH_SHAPE_MAX,
};

/*
 * Why an MR did (not) get the dma-buf's tag. Values 0..31 are what the
 * kernel's decision (enum mlx5_ib_tph_reason of the mlx5_ib trace header,
 * kernel/tree/drivers/infiniband/hw/mlx5/mr_tracepoint.h) can say, matched
 * by name in bpf/tp.bpf.h, never by number (a unit test compares the
 * names); the kernel's "unavailable" becomes no_op or not_published by
 * whether the exporter answered. Values from 32 on are derived by tphtrace
 * from several events of one registration.
 */
enum tph_reason {
	TPH_REASON_OK = 0,
	TPH_REASON_DMAH = 1,
	TPH_REASON_REQ_DISABLED = 2,
	TPH_REASON_NO_OP = 3,
	TPH_REASON_NOT_PUBLISHED = 4,
	TPH_REASON_QUERY_ERROR = 5,
	TPH_REASON_NO_ST_TABLE = 6,
	TPH_REASON_ST_TABLE_FULL = 7,
	TPH_REASON_ST_ERROR = 8,
	TPH_REASON_TAG0_DIRECT = 9,
	TPH_REASON_KERNEL_MAX,
	/* derived: the exporter publishes only the other width */
	TPH_REASON_WIDTH_MISMATCH = 32,
	/* derived: the ST entry write failed, TPH is now off on the NIC */
	TPH_REASON_ST_WRITE_FAILED = 33,
	/* the hooks in use could not observe the decision */
	TPH_REASON_UNKNOWN = 63,
};

enum tph_source {
	TPH_SRC_NONE = 0,
	TPH_SRC_DMAH = 1,
	TPH_SRC_DMABUF = 2,
};

/* PCI_TPH_REQ_* (uapi pci_regs.h) */
enum tph_req_type {
	TPH_REQ_DISABLE = 0,
	TPH_REQ_TPH_ONLY = 1,
	TPH_REQ_EXT_TPH = 3,
};

#define TPH_NO_PH		0xff	/* MLX5_IB_NO_PH: mkey without TPH */
#define TPH_UNKNOWN_U8		0xff

/* hdr.flags */
#define TPH_F_ERR		0x01	/* the operation failed (ret < 0) */
/*
 * hook ITER only: seen by diffing two iter/dmabuf snapshots while tracing
 * (no export/release hook on this kernel), not state found at start.
 * ts_ns is the snapshot's time: the event happened within the interval
 * before it, and a dma-buf living shorter than the interval is not seen.
 */
#define TPH_F_SAMPLED		0x02

/* Common header (40 bytes). */
struct tph_hdr {
	__u16 kind;		/* enum tph_kind */
	__u8 hook;		/* enum tph_hook_family */
	__u8 flags;		/* TPH_F_* */
	__u32 cpu;
	__u64 ts_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 pid;		/* thread id */
	__u32 tgid;		/* process id */
	char comm[TPH_COMM_LEN];
};

/* A PCI function, or a non-PCI device known only by name. */
#define TPH_DEV_PCI		0x1	/* domain/bdf valid */
#define TPH_DEV_NAME		0x2	/* name valid */
struct tph_dev {
	__u32 domain;
	__u16 bdf;		/* bus << 8 | devfn (pci_dev_id()) */
	__u16 valid;		/* TPH_DEV_* */
	char name[TPH_NAME_LEN];
};

/* dma-buf identity: inode number of its file, stable for its lifetime. */
struct tph_buf {
	__u64 ino;
	__u64 size;
	char exp_name[TPH_NAME_LEN];
};

/* EXPORT, RELEASE */
struct tph_ev_dmabuf {
	struct tph_hdr hdr;
	struct tph_buf buf;
	__s32 ret;
	__u32 pad;
	char name[TPH_NAME_LEN];	/* DMA_BUF_SET_NAME name, "" if none or unread */
};

/* ATTACH, DETACH, MAP, UNMAP, INVALIDATE */
struct tph_ev_attach {
	struct tph_hdr hdr;
	struct tph_buf buf;
	struct tph_dev importer;	/* empty for INVALIDATE */
	__u64 attach;			/* attachment cookie (kernel address) */
	__u8 peer2peer;
	__u8 dynamic;			/* importer has invalidate_mappings */
	__u8 dir;			/* MAP/UNMAP: enum dma_data_direction */
	__u8 pad;
	__s32 ret;
};

/* TPH_PUBLISH: VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET */
struct tph_ev_publish {
	struct tph_hdr hdr;
	struct tph_dev exporter;
	__u64 ino;			/* 0: dma-buf not resolved */
	__u32 flags;			/* VFIO_DMA_BUF_TPH_ST | _ST_EXT */
	__u16 st_ext;
	__u8 st;
	__u8 ph;
	__u8 completer;			/* DEVCAP2 TPH completer, 0xff unknown */
	__u8 pad[3];
	__s32 ret;
};

/* TPH_QUERY: get_tph() as seen by the wrapper and the exporter */
#define TPH_Q_VALID_KNOWN	0x1	/* st_valid/st_ext_valid observed */
#define TPH_Q_ST_VALID		0x2	/* 8-bit ST published */
#define TPH_Q_ST_EXT_VALID	0x4	/* 16-bit extended ST published */
#define TPH_Q_EXPORTER_SEEN	0x8	/* exporter callback ran */
struct tph_ev_query {
	struct tph_hdr hdr;
	struct tph_buf buf;
	struct tph_dev exporter;	/* from the exporter callback, if seen */
	__u16 st;
	__u8 ph;
	__u8 extended;
	__u8 qflags;			/* TPH_Q_* */
	__u8 pad[3];
	__s32 ret;
	__u32 pad2;
};

/* MR_REG: what an mlx5 dma-buf MR got and why */
struct tph_ev_mr {
	struct tph_hdr hdr;
	struct tph_dev nic;		/* PCI function + IB device name */
	__u64 ino;
	__u64 length;
	__u32 mkey;
	__s32 access;
	__u16 st;			/* tag returned by the query */
	__u16 st_index;			/* what the mkey got (0: none) */
	__u8 ph;			/* TPH_NO_PH: TPH off on the mkey */
	__u8 req_type;			/* enum tph_req_type, 0xff unknown */
	__u8 extended;
	__u8 source;			/* enum tph_source */
	__u8 reason;			/* enum tph_reason */
	__u8 reused;			/* pooled mkey reused */
	__u8 pad[2];
	__s32 query_ret;		/* get_tph() result, 0 if not asked */
	__s32 st_ret;			/* ST index allocation result */
	__s32 ret;			/* registration result */
	/*
	 * Hook ITER only: an MR that existed before start, from the RDMA
	 * netlink resource dump (src/state_rdma.c); its mkey is the lkey, its
	 * TPH outcome is not known (reason TPH_REASON_UNKNOWN, ph TPH_NO_PH).
	 * The BPF programs leave these unset: read them only from ITER
	 * records (they are not part of the trace -j format either).
	 */
	__u32 rkey;
	__u32 pdn;			/* restrack id of the MR's PD */
	__u32 mrn;			/* restrack id of the MR */
	__u32 nl_flags;			/* TPH_MR_NL_* */
};

/* tph_ev_mr.nl_flags (hook ITER) */
#define TPH_MR_NL_PDN		0x1	/* pdn given (user MRs; kernel MRs have none) */

/* MR_DEREG */
struct tph_ev_mr_dereg {
	struct tph_hdr hdr;
	struct tph_dev nic;
	__u64 ino;
	__u32 mkey;
	__u16 st_index;
	__u8 pooled;
	__u8 pad;
	__s32 ret;
	__u32 pad2;
};

/* ST_INDEX */
enum tph_st_op {
	TPH_ST_ALLOC = 1,
	TPH_ST_GET = 2,
	TPH_ST_PUT = 3,
};
struct tph_ev_st {
	struct tph_hdr hdr;
	struct tph_dev nic;
	__u16 tag;
	__u16 st_index;
	__u32 refcount;			/* users after the op, 0xffffffff unknown */
	__u8 op;			/* enum tph_st_op */
	__u8 direct;
	__u8 pad[2];
	__s32 ret;
};

/* PCI_TPH */
enum tph_pci_op {
	TPH_PCI_ENABLE = 1,
	TPH_PCI_DISABLE = 2,
	TPH_PCI_ST_WRITE = 3,
};
struct tph_ev_pci {
	struct tph_hdr hdr;
	struct tph_dev dev;
	__u32 index;			/* ST_WRITE */
	__u32 loc;			/* ST_WRITE: PCI_TPH_LOC_* */
	__u16 tag;			/* ST_WRITE */
	__u8 op;			/* enum tph_pci_op */
	__u8 mode;			/* PCI_TPH_ST_*_MODE */
	__u8 req_type;			/* enabled (ENABLE) / torn down (DISABLE) */
	__u8 dev_req_type;		/* ENABLE: what the function offers */
	__u8 rp_completer;		/* ENABLE: root port completer, 0xff n/a */
	__u8 pad;
	__s32 ret;
	__u32 st_entries;		/* ENABLE: ST table size, 0 unknown/none */
};

/* Any record; user space decodes into it and sizes buffers by it. */
union tph_record {
	struct tph_hdr hdr;
	struct tph_ev_dmabuf dmabuf;
	struct tph_ev_attach attach;
	struct tph_ev_publish publish;
	struct tph_ev_query query;
	struct tph_ev_mr mr;
	struct tph_ev_mr_dereg mr_dereg;
	struct tph_ev_st st;
	struct tph_ev_pci pci;
};

/*
 * iter/dmabuf snapshot stream (bpf/iter.bpf.c -> src/inventory.c): these
 * are not records. Per dma-buf, the program writes one struct
 * tph_iter_attach per attachment it walked, then the struct tph_iter_buf
 * that closes them (nattach counts them). Every entry starts with its type
 * and size so a reader can check the stream.
 */
enum tph_iter_type {
	TPH_ITER_ATTACH = 1,
	TPH_ITER_BUF = 2,
};

#define TPH_ITER_MAX_ATTACH	64	/* attachments walked per dma-buf */

struct tph_iter_attach {
	__u16 type;			/* TPH_ITER_ATTACH */
	__u16 size;			/* sizeof(struct tph_iter_attach) */
	__u8 peer2peer;
	__u8 dynamic;			/* importer_ops set */
	__u8 pad[2];
	__u64 cookie;			/* struct dma_buf_attachment address */
	struct tph_dev importer;
};

/* tph_iter_buf.tph */
#define TPH_ITER_TPH_EXPORTER	0x1	/* ops is a TPH-publishing exporter's */
#define TPH_ITER_TPH_READ	0x2	/* its published state was read */

struct tph_iter_buf {
	__u16 type;			/* TPH_ITER_BUF */
	__u16 size;			/* sizeof(struct tph_iter_buf) */
	__u16 nattach;			/* attachment entries just before */
	__u8 truncated;			/* more than TPH_ITER_MAX_ATTACH */
	__u8 tph;			/* TPH_ITER_TPH_* */
	__u64 cookie;			/* struct dma_buf address */
	struct tph_buf buf;
	char name[TPH_NAME_LEN];
	struct tph_dev exporter;	/* TPH_ITER_TPH_READ: the exporting function */
	__u32 pub_flags;		/* VFIO_DMA_BUF_TPH_ST | _ST_EXT valid bits */
	__u16 st_ext;
	__u8 st;
	__u8 ph;
};

/*
 * Drop accounting (per-CPU array "drops", indexed by enum tph_drop). Every
 * record that could not be produced is counted here and reported.
 */
enum tph_drop {
	TPH_DROP_RINGBUF = 0,	/* bpf_ringbuf_reserve() failed: ring full */
	TPH_DROP_STATE,		/* per-task state map full */
	TPH_DROP_MAX,
};

#endif /* TPHTRACE_TPHTRACE_H */
