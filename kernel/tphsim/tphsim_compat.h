/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tphsim builds for (Debian 6.1, 6.12 and
 * the newest series, 7.3 today). The Makefile force-includes this file
 * before every source file, so it comes before any kernel header.
 */
#ifndef _TPHSIM_COMPAT_H
#define _TPHSIM_COMPAT_H

#include <linux/types.h>
#include <linux/version.h>

/*
 * <linux/pci-tph.h> (v6.13; included by <rdma/ib_verbs.h> since the DMAH
 * series, v6.17) declares pcie_enable_tph() and friends, and defines them
 * as static inline stubs without CONFIG_PCIE_TPH, which no kernel tphsim
 * runs on has. tphsim *is* that PCI TPH core (tphsim_pci.c, the series'
 * names, so fentry/kprobe attach to them by name): keep the header out and
 * define the one type it would have provided.
 */
#define LINUX_PCI_TPH_H
enum tph_mem_type {
	TPH_MEM_TYPE_VM,	/* volatile memory */
	TPH_MEM_TYPE_PM,	/* persistent memory */
};

/*
 * struct ib_dmah, the RDMA DMA handle carrying a CPU's steering tag and a
 * PH, is upstream since the DMAH series (v6.17, <rdma/ib_verbs.h>); before
 * that tphsim defines it with upstream's fields less uobject and restrack.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
struct ib_device;

enum {
	IB_DMAH_CPU_ID_EXISTS,
	IB_DMAH_MEM_TYPE_EXISTS,
	IB_DMAH_PH_EXISTS,
};

struct ib_dmah {
	struct ib_device *device;
	u32 cpu_id;
	enum tph_mem_type mem_type;
	atomic_t usecnt;
	u8 ph;
	u8 valid_fields;
};
#endif

/*
 * v7.0 renamed dma_buf_move_notify() to dma_buf_invalidate_mappings() and
 * the importer's dma_buf_attach_ops.move_notify to .invalidate_mappings
 * ("dma-buf: Rename .move_notify() callback to a clearer identifier");
 * tphsim uses the new names, which the TPH series (v7) is based on.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#define dma_buf_invalidate_mappings(dmabuf)	dma_buf_move_notify(dmabuf)
#define TPHSIM_ATTACH_OPS_INVALIDATE(fn)	.move_notify = (fn)
#else
#define TPHSIM_ATTACH_OPS_INVALIDATE(fn)	.invalidate_mappings = (fn)
#endif

/* v6.13 made symbol namespaces string literals: MODULE_IMPORT_NS("DMA_BUF") */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define TPHSIM_NS_DMA_BUF	DMA_BUF
#else
#define TPHSIM_NS_DMA_BUF	"DMA_BUF"
#endif

#endif /* _TPHSIM_COMPAT_H */
