/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tphsim control interface: /dev/tphsim ioctls.
 *
 * Every object (exporter, NIC, DMAH, MR) belongs to the file description
 * that created it and is torn down when that file is closed. Objects are
 * named by small integer handles; dma-bufs by ordinary file descriptors.
 *
 * Versioning: TPHSIM_IOC_VERSION returns TPHSIM_UAPI_VERSION. Structures
 * only grow by using their reserved fields, which must be zero on input;
 * a new layout gets a new ioctl number (the size is part of the number).
 */
#ifndef _UAPI_TPHSIM_H
#define _UAPI_TPHSIM_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#ifdef __KERNEL__
#include <uapi/linux/vfio.h>
#else
#include <linux/vfio.h>
#endif

#define TPHSIM_UAPI_VERSION	1
#define TPHSIM_NAME_LEN		32

/*
 * The VFIO feature this simulator mirrors (TPH series, not upstream).
 * Layout and flag values are exactly the series' include/uapi/linux/vfio.h:
 * v6 to v11 below; v5 had steering_tag_ext last (struct
 * tphsim_dma_buf_tph_v5; its tail is inferred from v4, Alex Williamson's
 * v5 review quotes the struct up to ph), and a module built as v5
 * (TPHSIM_SHAPE, ask TPHSIM_IOC_SHAPE) takes that layout.
 */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_TPH
#define VFIO_DEVICE_FEATURE_DMA_BUF_TPH	13
#define VFIO_DMA_BUF_TPH_ST		(1 << 0)
#define VFIO_DMA_BUF_TPH_ST_EXT		(1 << 1)

#if defined(__KERNEL__) && TPHSIM_SHAPE == 5
struct vfio_device_feature_dma_buf_tph {
	__s32	dmabuf_fd;
	__u32	flags;
	__u8	steering_tag;
	__u8	ph;
	__u16	steering_tag_ext;
};
#else
struct vfio_device_feature_dma_buf_tph {
	__s32	dmabuf_fd;
	__u32	flags;
	__u16	steering_tag_ext;
	__u8	steering_tag;
	__u8	ph;
};
#endif
#endif

struct tphsim_dma_buf_tph_v5 {
	__s32	dmabuf_fd;
	__u32	flags;
	__u8	steering_tag;
	__u8	ph;
	__u16	steering_tag_ext;
};

/* PCI TPH encodings used below (uapi pci_regs.h values). */
#define TPHSIM_TPH_NONE		0	/* completer / requester: none */
#define TPHSIM_TPH_ONLY		1	/* 8-bit ST */
#define TPHSIM_TPH_EXT		3	/* 8-bit and 16-bit extended ST */

struct tphsim_version {
	__u32 version;		/* out: TPHSIM_UAPI_VERSION */
	__u32 nr_events;	/* out: entries used in tphsim_stats.fired */
};

/* The TPH series revision the module was built as (make TPHSIM_SHAPE=). */
#define TPHSIM_SHAPE_V5		5
#define TPHSIM_SHAPE_V7		7
#define TPHSIM_SHAPE_V8		8	/* v8 to v11 */

struct tphsim_shape {
	__u32 shape;		/* out: TPHSIM_SHAPE_* */
	__u32 reserved[3];
};

/* Exporter kinds */
#define TPHSIM_EXP_VFIO		0	/* vfio-pci like: get_tph + DMA_BUF_TPH */
#define TPHSIM_EXP_PLAIN	1	/* another exporter: no get_tph callback */

struct tphsim_exporter_create {
	char name[TPHSIM_NAME_LEN];	/* NUL-terminated, [A-Za-z0-9_.:-] */
	__u32 domain;			/* PCI domain, <= 0xffff */
	__u8 bus;
	__u8 devfn;
	__u8 completer;			/* DEVCAP2 TPH completer: TPHSIM_TPH_* */
	__u8 kind;			/* TPHSIM_EXP_* */
	__u32 reserved[4];
	__u32 handle;			/* out */
	__u32 pad;
};

struct tphsim_export {
	__u32 exporter;			/* exporter handle */
	__u32 fd_flags;			/* 0 or O_CLOEXEC */
	__u64 size;			/* bytes, page multiple, <= 64 MiB */
	__u32 reserved[2];
	__s32 fd;			/* out: dma-buf file descriptor */
	__u32 pad;
	__u64 ino;			/* out: the dma-buf's inode number */
};

/*
 * VFIO_DEVICE_FEATURE on an exporter: @flags and @argsz as in struct
 * vfio_device_feature; @data points at the feature payload (for
 * VFIO_DEVICE_FEATURE_DMA_BUF_TPH a struct vfio_device_feature_dma_buf_tph).
 */
struct tphsim_feature {
	__u32 exporter;
	__u32 flags;			/* VFIO_DEVICE_FEATURE_* | feature index */
	__u64 argsz;			/* bytes readable at @data */
	__u64 data;			/* user pointer */
	__u32 reserved[2];
};

/* Revoke (memory disabled, reset) or restore an exporter's dma-bufs. */
struct tphsim_revoke {
	__u32 exporter;
	__u32 revoked;			/* 1: revoke, 0: restore */
	__u32 reserved[2];
};

/* ST table modes */
#define TPHSIM_ST_NONE		0	/* mlx5 has no steering-tag support */
#define TPHSIM_ST_DIRECT	1	/* no ST table: the tag is the index */
#define TPHSIM_ST_TABLE		2	/* ST table in the TPH capability */

/* NIC flags */
#define TPHSIM_NIC_NO_FW_TPH	_BITUL(0)	/* firmware lacks mkey_pcie_tph */
#define TPHSIM_NIC_NO_P2P	_BITUL(1)	/* importer without allow_peer2peer */
#define TPHSIM_NIC_NOTPH	_BITUL(2)	/* as if booted with pci=notph */
#define TPHSIM_NIC_FLAGS	(TPHSIM_NIC_NO_FW_TPH | TPHSIM_NIC_NO_P2P | \
				 TPHSIM_NIC_NOTPH)

struct tphsim_nic_create {
	char ibdev[TPHSIM_NAME_LEN];	/* IB device name, e.g. "tphsim_ib0" */
	__u32 domain;
	__u8 bus;
	__u8 devfn;
	__u8 req_cap;			/* TPH requester capability: TPHSIM_TPH_* */
	__u8 rp_completer;		/* Root Port DEVCAP2 completer: TPHSIM_TPH_* */
	__u8 st_mode;			/* TPHSIM_ST_* */
	__u8 pad0;
	__u16 st_size;			/* TPHSIM_ST_TABLE: entries, 1..2048 */
	__u32 flags;			/* TPHSIM_NIC_* */
	__u32 pool_depth;		/* pooled mkeys kept, 0..1024 */
	__u32 reserved[4];
	__u32 handle;			/* out */
	__u8 req_type;			/* out: enabled requester type */
	__u8 has_st;			/* out: mlx5 ST support created */
	__u16 pad1;
};

#define TPHSIM_DMAH_CPU		_BITUL(0)	/* @cpu_id/@cpu_tag valid */
#define TPHSIM_DMAH_PH		_BITUL(1)	/* @ph valid */

struct tphsim_dmah_create {
	__u32 nic;
	__u32 flags;			/* TPHSIM_DMAH_* */
	__u32 cpu_id;
	__u16 cpu_tag;			/* tag the firmware reports for @cpu_id */
	__u8 ph;
	__u8 mem_type;			/* 0 volatile, 1 persistent */
	__u32 reserved[2];
	__u32 handle;			/* out */
	__u16 st_index;			/* out */
	__u16 pad;
};

struct tphsim_mr_reg {
	__u32 nic;
	__u32 dmah;			/* 0: none */
	__s32 fd;			/* dma-buf fd */
	__s32 access;			/* IB_ACCESS_* */
	__u64 offset;
	__u64 length;
	__u64 iova;
	__u32 reserved[2];
	__u32 handle;			/* out */
	__u32 mkey;			/* out */
	__u64 ino;			/* out */
	__u16 st_index;			/* out */
	__u8 ph;			/* out: 0xff = no TPH */
	__u8 reused;			/* out: pooled mkey reused */
	__u32 pad;
};

struct tphsim_mr_info {
	__u32 handle;
	__u32 mkey;			/* out */
	__u64 ino;			/* out */
	__u16 st_index;			/* out */
	__u8 ph;			/* out */
	__u8 mapped;			/* out: attachment currently mapped */
	__u16 st_tag;			/* out: ST table entry at st_index */
	__u8 reused;			/* out */
	__u8 pad;
	__u32 invalidations;		/* out: invalidate callbacks seen */
	__u8 pooled;			/* out (DEREG): mkey went back to pool */
	__u8 pad2[3];
	__u32 reserved[2];
};

/* Query a dma-buf through dma_buf_get_tph() as an importer would. */
struct tphsim_query {
	__s32 fd;
	__u32 extended;
	__u32 reserved[2];
	__u16 steering_tag;		/* out */
	__u8 ph;			/* out */
	__u8 pad;
	__s32 ret;			/* out: dma_buf_get_tph() result */
};

/* Fault points */
#define TPHSIM_FAULT_ST_WRITE	1	/* NIC: pcie_tph_set_st_entry() */
#define TPHSIM_FAULT_ST_ALLOC	2	/* NIC: ST index bookkeeping alloc */
#define TPHSIM_FAULT_MKEY	3	/* NIC: mkey creation */
#define TPHSIM_FAULT_QUERY	4	/* exporter: get_tph() callback */
#define TPHSIM_FAULT_MAP	5	/* exporter: map_dma_buf() */
#define TPHSIM_FAULT_MAX	5

struct tphsim_fault {
	__u32 handle;			/* NIC or exporter */
	__u32 point;			/* TPHSIM_FAULT_* */
	__s32 err;			/* -errno to return, -4095..-1 */
	__u32 skip;			/* let this many calls pass first */
	__u32 count;			/* then fail this many (0: disarm) */
	__u32 reserved[3];
};

/* Fire @count TPH queries on a dma-buf as fast as possible. */
struct tphsim_burst {
	__s32 fd;
	__u32 extended;
	__u64 count;			/* <= TPHSIM_BURST_MAX */
	__u32 reserved[2];
	__u64 fired;			/* out: dma_buf_get_pci_tph events fired */
};

#define TPHSIM_BURST_MAX	_BITULL(30)

/* Events the module fired since load, indexed by TPHSIM_EV_*. */
enum {
	TPHSIM_EV_DMA_BUF_TPH_QUERY,
	TPHSIM_EV_VFIO_PCI_TPH_QUERY,
	TPHSIM_EV_VFIO_PCI_TPH_SET,
	TPHSIM_EV_MLX5_IB_MR_TPH,
	TPHSIM_EV_MLX5_IB_DMABUF_MR,
	TPHSIM_EV_MLX5_IB_DMABUF_MR_DEREG,
	TPHSIM_EV_MLX5_ST_INDEX_ALLOC,
	TPHSIM_EV_MLX5_ST_INDEX_GET,
	TPHSIM_EV_MLX5_ST_INDEX_PUT,
	TPHSIM_EV_PCIE_TPH_ENABLE,
	TPHSIM_EV_PCIE_TPH_DISABLE,
	TPHSIM_EV_PCIE_TPH_ST_WRITE,
	TPHSIM_EV_DMA_BUF_EXPORT,
	TPHSIM_EV_DMA_BUF_FD,
	TPHSIM_EV_DMA_BUF_GET,
	TPHSIM_EV_DMA_BUF_PUT,
	TPHSIM_EV_DMA_BUF_DYNAMIC_ATTACH,
	TPHSIM_EV_DMA_BUF_DETACH,
	TPHSIM_EV_MAX,
};

#define TPHSIM_STATS_MAX	32
struct tphsim_stats {
	__u64 fired[TPHSIM_STATS_MAX];
};

struct tphsim_destroy {
	__u32 handle;
	__u32 reserved;
};

#define TPHSIM_IOC_MAGIC	0xB7

#define TPHSIM_IOC_VERSION	 _IOR(TPHSIM_IOC_MAGIC, 0x00, struct tphsim_version)
#define TPHSIM_IOC_EXPORTER_CREATE _IOWR(TPHSIM_IOC_MAGIC, 0x01, struct tphsim_exporter_create)
#define TPHSIM_IOC_EXPORT	 _IOWR(TPHSIM_IOC_MAGIC, 0x02, struct tphsim_export)
#define TPHSIM_IOC_FEATURE	 _IOW(TPHSIM_IOC_MAGIC, 0x03, struct tphsim_feature)
#define TPHSIM_IOC_REVOKE	 _IOW(TPHSIM_IOC_MAGIC, 0x04, struct tphsim_revoke)
#define TPHSIM_IOC_NIC_CREATE	 _IOWR(TPHSIM_IOC_MAGIC, 0x05, struct tphsim_nic_create)
#define TPHSIM_IOC_DMAH_CREATE	 _IOWR(TPHSIM_IOC_MAGIC, 0x06, struct tphsim_dmah_create)
#define TPHSIM_IOC_MR_REG	 _IOWR(TPHSIM_IOC_MAGIC, 0x07, struct tphsim_mr_reg)
#define TPHSIM_IOC_MR_DEREG	 _IOWR(TPHSIM_IOC_MAGIC, 0x08, struct tphsim_mr_info)
#define TPHSIM_IOC_MR_MAP	 _IOWR(TPHSIM_IOC_MAGIC, 0x09, struct tphsim_mr_info)
#define TPHSIM_IOC_MR_INFO	 _IOWR(TPHSIM_IOC_MAGIC, 0x0a, struct tphsim_mr_info)
#define TPHSIM_IOC_QUERY	 _IOWR(TPHSIM_IOC_MAGIC, 0x0b, struct tphsim_query)
#define TPHSIM_IOC_FAULT	 _IOW(TPHSIM_IOC_MAGIC, 0x0c, struct tphsim_fault)
#define TPHSIM_IOC_BURST	 _IOWR(TPHSIM_IOC_MAGIC, 0x0d, struct tphsim_burst)
#define TPHSIM_IOC_STATS	 _IOR(TPHSIM_IOC_MAGIC, 0x0e, struct tphsim_stats)
#define TPHSIM_IOC_DESTROY	 _IOW(TPHSIM_IOC_MAGIC, 0x0f, struct tphsim_destroy)
#define TPHSIM_IOC_SHAPE	 _IOR(TPHSIM_IOC_MAGIC, 0x10, struct tphsim_shape)

#endif /* _UAPI_TPHSIM_H */
