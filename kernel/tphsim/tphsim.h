/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tphsim: hardware-free simulator of the TPH series (v7) for peer-to-peer
 * dma-bufs: a vfio-pci like exporter publishing steering tags, an mlx5 like
 * importer asking for them at MR registration, the mlx5 ST table and the
 * PCI TPH requester core.
 *
 * The struct type names and field names below are the ones tphtrace's BPF
 * CO-RE code reads (docs/symbols.md); only the fields the simulator needs
 * exist. The function names and signatures of the series' attachable
 * symbols are kept so fentry/kprobe attach to them by name.
 */
#ifndef _TPHSIM_H
#define _TPHSIM_H

#include <linux/bits.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <rdma/ib_umem.h>
#include <rdma/ib_verbs.h>

/*
 * The revision of the TPH series simulated (make TPHSIM_SHAPE=v5|v7|v8):
 *   5  v5 (2026-05-26): no dma-buf core wrapper; mlx5 checks for and calls
 *      ops->get_tph(dmabuf, u16 *st, u8 *ph, u8 st_width) itself, without
 *      the resv lock; vfio keeps the TPH state under a per-dma-buf mutex;
 *      SET checks no completer capability and refuses flags == 0; MRs
 *      own their dma-buf ST reference; no mlx5_st_get_index()
 *   7  v7 (2026-06-11): dma_buf_get_tph(dmabuf, bool extended, st, ph)
 *      under resv; state under resv; SET checks the completer after the
 *      payload; ST references owned by pooled mkey handles
 *   8  v8+ (v9, v11 as quoted in review, 2026-06-22..07-02):
 *      dma_buf_get_pci_tph() and vfio_pci_dma_buf_get_pci_tph(); SET
 *      checks the completer first (PROBE included); ST references belong
 *      to the MR again (released when it goes back to the pool), DMAH MRs
 *      take one too
 * Only v8+ carries tphtrace's tracepoint patches: the v5 and v7 builds
 * compile the trace calls away (-DNOTRACE, see Makefile), as on a kernel
 * running those revisions, so that tphtrace hooks their functions.
 */
#ifndef TPHSIM_SHAPE
#define TPHSIM_SHAPE	8
#endif
#if TPHSIM_SHAPE == 5
#define TPHSIM_SHAPE_NAME	"v5"
#elif TPHSIM_SHAPE == 7
#define TPHSIM_SHAPE_NAME	"v7"
#elif TPHSIM_SHAPE == 8
#define TPHSIM_SHAPE_NAME	"v8+"
#else
#error "TPHSIM_SHAPE must be 5, 7 or 8"
#endif

#include "tphsim_uapi.h"
#include "tphsim_upstream_tp.h"

/* uapi pci_regs.h values from kernels with PCI TPH (v6.13+). */
#ifndef PCI_TPH_REQ_DISABLE
#define PCI_TPH_REQ_DISABLE		0x0
#define PCI_TPH_REQ_TPH_ONLY		0x1
#define PCI_TPH_REQ_EXT_TPH		0x3
#endif
#ifndef PCI_TPH_ST_NS_MODE
#define PCI_TPH_ST_NS_MODE		0x0
#define PCI_TPH_ST_IV_MODE		0x1
#define PCI_TPH_ST_DS_MODE		0x2
#endif
#ifndef PCI_TPH_CTRL_MODE_SEL_MASK
#define PCI_TPH_CTRL_MODE_SEL_MASK	0x00000007
#endif
#ifndef PCI_TPH_CAP_ST_NS
#define PCI_TPH_CAP_ST_NS		0x00000001
#define PCI_TPH_CAP_ST_IV		0x00000002
#define PCI_TPH_CAP_ST_DS		0x00000004
#endif
#ifndef PCI_EXP_DEVCAP2_TPH_COMP_MASK
#define PCI_EXP_DEVCAP2_TPH_COMP_MASK		0x00003000
#define PCI_EXP_DEVCAP2_TPH_COMP_NONE		0x0
#define PCI_EXP_DEVCAP2_TPH_COMP_TPH_ONLY	0x1
#define PCI_EXP_DEVCAP2_TPH_COMP_EXT_TPH	0x3
#endif

#define MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX	0
#define MLX5_IB_NO_PH				0xff

/* Cross-version BPF reads give up on the tph_* fields of struct pci_dev
 * (absent before v6.13); the simulated requester state lives here.
 */
struct tphsim_fault_point {
	int err;
	u32 skip;
	u32 count;
};

struct tphsim_pcifn {
	struct pci_dev pdev;		/* never registered */
	struct pci_bus bus;		/* bus->number, devfn: PCI identity */
#ifdef CONFIG_X86
	struct pci_sysdata sysdata;	/* pci_domain_nr() */
#endif
	u32 domain;
	struct list_head node;		/* tphsim_pcifns */
	u8 completer;			/* DEVCAP2 TPH completer (exporters) */
	/* TPH requester capability */
	bool tph_cap;
	bool ext_cap;
	bool notph;
	u8 st_modes;
	u32 st_loc;			/* PCI_TPH_LOC_* */
	u16 st_size;
	u16 *st_table;
	u8 rp_completer;		/* Root Port DEVCAP2 TPH completer */
	/* TPH requester state: pci_dev::tph_* on v6.13+ */
	u8 tph_mode;
	u8 tph_req_type;
	bool tph_enabled;
	struct tphsim_fault_point st_write_fault;
};

static inline struct tphsim_pcifn *to_pcifn(struct pci_dev *pdev)
{
	return container_of(pdev, struct tphsim_pcifn, pdev);
}

static inline u16 tphsim_devid(struct pci_dev *pdev)
{
	return PCI_DEVID(pdev->bus->number, pdev->devfn);
}

static inline u32 tphsim_domain(struct pci_dev *pdev)
{
	return to_pcifn(pdev)->domain;
}

struct tphsim_pcifn *tphsim_pcifn_create(u32 domain, u8 bus, u8 devfn);
void tphsim_pcifn_destroy(struct tphsim_pcifn *fn);
int tphsim_fault_hit(struct tphsim_fault_point *f);
void tphsim_fault_set(struct tphsim_fault_point *f, int err, u32 skip,
		      u32 count);

/* PCI TPH core (drivers/pci/tph.c) */
int pcie_enable_tph(struct pci_dev *pdev, int mode);
void pcie_disable_tph(struct pci_dev *pdev);
int pcie_tph_set_st_entry(struct pci_dev *pdev, unsigned int index, u16 tag);
u32 pcie_tph_get_st_table_loc(struct pci_dev *pdev);
u16 pcie_tph_get_st_table_size(struct pci_dev *pdev);
u8 pcie_tph_enabled_req_type(struct pci_dev *pdev);
u8 pcie_tph_completer_type(struct pci_dev *pdev);

/* ------------------------------------------------------------------ */
/* Exporter: drivers/vfio/pci/vfio_pci_dmabuf.c                        */

struct vfio_pci_core_device {
	struct pci_dev *pdev;
	struct tphsim_pcifn *fn;
	char name[TPHSIM_NAME_LEN];
	u8 kind;			/* TPHSIM_EXP_* */
	/* serializes the dma-buf list against release (memory_lock) */
	struct mutex lock;
	struct list_head dmabufs;
	bool revoked;
	struct kref kref;
	struct tphsim_fault_point query_fault;
	struct tphsim_fault_point map_fault;
};

struct vfio_pci_dma_buf {
	struct dma_buf *dmabuf;
	struct vfio_pci_core_device *vdev;	/* NULL once the device is gone */
	struct list_head dmabufs_elm;
	size_t size;
	u32 nr_ranges;
#if TPHSIM_SHAPE == 5
	/* serializes TPH SET vs get_tph and the vdev clear in cleanup (v5) */
	struct mutex lock;
#endif
#if TPHSIM_SHAPE >= 8
	/* Updates protected by dmabuf->resv (v9's layout) */
	u16 tph_st_ext;
	u8 tph_st;
	u8 revoked:1;
	u8 tph_st_valid:1;
	u8 tph_st_ext_valid:1;
	u8 tph_ph:2;
#else
	u8 tph_st_valid:1;
	u8 tph_st_ext_valid:1;
	u8 tph_ph:2;
	u8 tph_st;
	u16 tph_st_ext;
	u8 revoked:1;
#endif
	/* simulator: lifetime reference, backing pages, exp_name storage */
	struct vfio_pci_core_device *owner;
	struct page **pages;
	unsigned int nr_pages;
	atomic_t nr_mapped;
	char exp_name[TPHSIM_NAME_LEN];
};

int vfio_pci_core_feature_dma_buf_tph(struct vfio_pci_core_device *vdev,
				      u32 flags,
				      struct vfio_device_feature_dma_buf_tph __user *arg,
				      size_t argsz);
#if TPHSIM_SHAPE == 5
int vfio_pci_dma_buf_get_tph(struct dma_buf *dmabuf, u16 *steering_tag,
			     u8 *ph, u8 st_width);
#elif TPHSIM_SHAPE == 7
int vfio_pci_dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,
			     u16 *steering_tag, u8 *ph);
#else
int vfio_pci_dma_buf_get_pci_tph(struct dma_buf *dmabuf, bool extended,
				 u16 *steering_tag, u8 *ph);
#endif
void vfio_pci_dma_buf_move(struct vfio_pci_core_device *vdev, bool revoked);
void vfio_pci_dma_buf_cleanup(struct vfio_pci_core_device *vdev);

struct vfio_pci_core_device *tphsim_exporter_create(const struct tphsim_exporter_create *arg);
void tphsim_exporter_put(struct vfio_pci_core_device *vdev);
struct dma_buf *tphsim_export(struct vfio_pci_core_device *vdev, size_t size);

/*
 * dma-buf core: the dma_buf_ops member of the shape (get_tph,
 * get_pci_tph), emulated by a table ops -> callback, and the v7/v8+
 * wrapper over it.
 */
#if TPHSIM_SHAPE == 5
typedef int (*tphsim_get_tph_fn)(struct dma_buf *dmabuf, u16 *steering_tag,
				 u8 *ph, u8 st_width);
#else
typedef int (*tphsim_get_tph_fn)(struct dma_buf *dmabuf, bool extended,
				 u16 *steering_tag, u8 *ph);
#endif
tphsim_get_tph_fn tphsim_dma_buf_get_tph_op(struct dma_buf *dmabuf);
#if TPHSIM_SHAPE == 7
int dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,
		    u16 *steering_tag, u8 *ph);
#elif TPHSIM_SHAPE >= 8
int dma_buf_get_pci_tph(struct dma_buf *dmabuf, bool extended,
			u16 *steering_tag, u8 *ph);
#endif
/*
 * What an importer does to ask, in the shape's way: v5 checks for the
 * callback and calls it with the width, unlocked; v7/v8+ call the wrapper
 * under the reservation lock (tphsim_query_lock()).
 */
int tphsim_query_tph(struct dma_buf *dmabuf, bool extended, u16 *steering_tag,
		     u8 *ph);
void tphsim_query_lock(struct dma_buf *dmabuf);
void tphsim_query_unlock(struct dma_buf *dmabuf);
unsigned long tphsim_dmabuf_ino(struct dma_buf *dmabuf);

/* ------------------------------------------------------------------ */
/* mlx5 core: drivers/net/ethernet/mellanox/mlx5/core/lib/st.c          */

struct mlx5_st_idx_data {
	refcount_t usecount;
	u16 tag;
};

struct mlx5_st {
	/* serialize access upon alloc/free flows */
	struct mutex lock;
	struct xa_limit index_limit;
	struct xarray idx_xa;
	u8 direct_mode:1;
};

struct mlx5_core_dev {
	struct device *device;
	struct pci_dev *pdev;
	struct mlx5_st *st;
	/* simulator */
	bool fw_tph;			/* MLX5_CAP_GEN(dev, mkey_pcie_tph) */
	struct tphsim_fault_point st_alloc_fault;
};

int mlx5_st_alloc_index_by_tag(struct mlx5_core_dev *dev, u16 tag,
			       u16 *st_index);
#if TPHSIM_SHAPE >= 7
int mlx5_st_get_index(struct mlx5_core_dev *dev, u16 st_index);
#endif
int mlx5_st_dealloc_index(struct mlx5_core_dev *dev, u16 st_index);
struct mlx5_st *mlx5_st_create(struct mlx5_core_dev *dev);
void mlx5_st_destroy(struct mlx5_core_dev *dev);
u16 tphsim_st_entry(struct mlx5_core_dev *dev, u16 st_index);

/* ------------------------------------------------------------------ */
/* RDMA: the few ib_verbs.h / mlx5_ib.h types the flow needs           */

/*
 * struct ib_device, ib_pd and ib_mr are the kernel's own (<rdma/ib_verbs.h>):
 * vmlinux BTF of both Debian kernels has them, and libbpf resolves CO-RE
 * relocations against vmlinux candidates first, so tphtrace's reads of
 * pd->device->dev and mr->lkey on the fentry/kprobe paths use the real
 * layout. A look-alike struct here would be read with the wrong offsets.
 * tphsim uses a few of their fields and calls nothing of ib_core.
 */
#define TPHSIM_IB_ACCESS_SUPPORTED	(IB_ACCESS_LOCAL_WRITE | \
					 IB_ACCESS_REMOTE_WRITE | \
					 IB_ACCESS_REMOTE_READ | \
					 IB_ACCESS_REMOTE_ATOMIC | \
					 IB_ACCESS_RELAXED_ORDERING)

/* struct ib_dmah: <rdma/ib_verbs.h> since v6.17, else tphsim_compat.h */
struct ib_udata;
struct uverbs_attr_bundle;

struct mlx5_ib_dmah {
	struct ib_dmah ibdmah;
	u16 st_index;
};

/* FRMR-like pool of mkeys keyed by (st_index, ph) */
struct mlx5_frmr_handle {
	struct list_head node;
	u32 mkey;
	u64 kernel_vendor_key;
};

#define MLX5_FRMR_POOLS_KERNEL_KEY_PH_SHIFT		16
#define MLX5_FRMR_POOLS_KERNEL_KEY_PH_MASK		0xFF0000
#define MLX5_FRMR_POOLS_KERNEL_KEY_ST_INDEX_MASK	0xFFFF

struct mlx5_ib_dev {
	struct ib_device ib_dev;
	struct mlx5_core_dev *mdev;
	struct ib_pd pd;		/* the simulator's one PD per device */
	struct device *dma_device;	/* what attaches to dma-bufs */
	bool p2p;
	u32 pool_depth;
	u32 nr_pooled;
	struct list_head pool;		/* struct mlx5_frmr_handle */
	u32 mkey_seq;
	bool last_dereg_pooled;
	struct tphsim_fault_point mkey_fault;
};

struct mlx5_ib_mkey {
	u32 key;
};

/*
 * The fields the mlx5_ib tracepoints read (mr_tracepoint.h) have the real
 * kernel's paths: mmkey.key, frmr_reused (the tracepoint patch's bit),
 * umem (an ib_umem_dmabuf's, whose attach leads to the dma-buf).
 */
struct mlx5_ib_mr {
	struct ib_mr ibmr;
	struct mlx5_ib_mkey mmkey;
	struct ib_umem *umem;		/* &umem_dmabuf.umem once attached */
	struct ib_umem_dmabuf umem_dmabuf;
	struct mlx5_ib_dev *dev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	u64 kernel_vendor_key;		/* (st_index, ph) the mkey carries */
#if TPHSIM_SHAPE == 5
	u8 dmabuf_st_owned:1;		/* v5: the MR owns a dma-buf ST ref */
	u16 dmabuf_st_index;
#endif
	unsigned long ino;
	bool frmr_reused;
	u32 invalidations;
};

/* mlx5_ib.h: every simulated MR is a dma-buf MR once its umem exists */
static inline bool is_dmabuf_mr(struct mlx5_ib_mr *mr)
{
	return mr->umem && mr->umem->is_dmabuf;
}

static inline struct mlx5_ib_dev *to_mdev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct mlx5_ib_dev, ib_dev);
}

static inline u16 mlx5_mr_st_index(const struct mlx5_ib_mr *mr)
{
	return mr->kernel_vendor_key & MLX5_FRMR_POOLS_KERNEL_KEY_ST_INDEX_MASK;
}

static inline u8 mlx5_mr_ph(const struct mlx5_ib_mr *mr)
{
	return (mr->kernel_vendor_key & MLX5_FRMR_POOLS_KERNEL_KEY_PH_MASK) >>
	       MLX5_FRMR_POOLS_KERNEL_KEY_PH_SHIFT;
}

struct ib_mr *mlx5_ib_reg_user_mr_dmabuf(struct ib_pd *pd, u64 offset,
					 u64 length, u64 virt_addr, int fd,
					 int access_flags,
					 struct ib_dmah *dmah,
					 struct uverbs_attr_bundle *attrs);
int mlx5_ib_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata);
int mlx5_ib_alloc_dmah(struct ib_dmah *ibdmah, u16 cpu_tag);
int mlx5_ib_dealloc_dmah(struct ib_dmah *ibdmah);
int tphsim_mr_map(struct mlx5_ib_mr *mr);

struct mlx5_ib_dev *tphsim_nic_create(struct tphsim_nic_create *arg);
void tphsim_nic_destroy(struct mlx5_ib_dev *dev);

/* ------------------------------------------------------------------ */
/* misc                                                                */

extern struct device *tphsim_root;
extern atomic64_t tphsim_fired[TPHSIM_EV_MAX];
extern atomic_t tphsim_live;

/* Live simulator objects, checked at module exit (leak detection). */
static inline void tphsim_live_inc(void)
{
	atomic_inc(&tphsim_live);
}

static inline void tphsim_live_dec(void)
{
	atomic_dec(&tphsim_live);
}

static inline void tphsim_count(int ev)
{
	atomic64_inc(&tphsim_fired[ev]);
}

/*
 * Simulated upstream dma_buf:* tracepoints (tphsim_upstream_tp.h): fired,
 * and counted, only while tphsim_dmabuf_tp.ko has registered them.
 */
extern const struct tphsim_upstream_tp __rcu *tphsim_upstream;

#define tphsim_upstream_tp(cb, ev, ...)					\
do {									\
	const struct tphsim_upstream_tp *__tp;				\
									\
	rcu_read_lock();						\
	__tp = rcu_dereference(tphsim_upstream);			\
	if (__tp) {							\
		tphsim_count(ev);					\
		__tp->cb(__VA_ARGS__);					\
	}								\
	rcu_read_unlock();						\
} while (0)

int tphsim_check_name(const char *name);

#endif /* _TPHSIM_H */
