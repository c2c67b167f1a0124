/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest stand-ins the trace headers of the series need to compile
 * outside the drivers: the driver-private types their TP_fast_assign()
 * reads (only the fields it reads, with the drivers' names and types) and
 * the uapi PCI TPH values kernels before v6.13 lack. Nothing here is code
 * of the patches: compile-check.sh compiles the patches' own headers.
 */
#ifndef _TPH_COMPILE_STUBS_H
#define _TPH_COMPILE_STUBS_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/pci.h>
#include <linux/refcount.h>
#include <rdma/ib_umem.h>
#include <rdma/ib_verbs.h>

#include "uapi_stubs.h"

/* drivers/vfio/pci: include/linux/vfio_pci_core.h, vfio_pci_dmabuf.c */
struct vfio_pci_core_device {
	struct pci_dev *pdev;
};

struct vfio_pci_dma_buf {
	struct dma_buf *dmabuf;
	u16 tph_st_ext;
	u8 tph_st;
	u8 tph_st_valid:1;
	u8 tph_st_ext_valid:1;
	u8 tph_ph:2;
};

/* drivers/net/ethernet/mellanox/mlx5/core: include/linux/mlx5/driver.h, lib/st.c */
struct mlx5_st {
	u8 direct_mode:1;
};

struct mlx5_core_dev {
	struct device *device;
	struct pci_dev *pdev;
	struct mlx5_st *st;
};

struct mlx5_st_idx_data {
	refcount_t usecount;
	u16 tag;
};

/* drivers/infiniband/hw/mlx5/mlx5_ib.h */
#define MLX5_IB_NO_PH	0xff

struct mlx5_ib_dev {
	struct ib_device ib_dev;
	struct mlx5_core_dev *mdev;
};

struct mlx5_ib_mkey {
	u32 key;
};

struct mlx5_ib_mr {
	struct ib_mr ibmr;
	struct mlx5_ib_mkey mmkey;
	struct ib_umem *umem;
	u8 frmr_reused:1;
};

static inline bool is_dmabuf_mr(struct mlx5_ib_mr *mr)
{
	return mr->umem && mr->umem->is_dmabuf;
}

#endif /* _TPH_COMPILE_STUBS_H */
