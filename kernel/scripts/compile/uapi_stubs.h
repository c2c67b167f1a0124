/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uapi values the compile checks need that kernels lack: PCI TPH register
 * values before v6.13, and the VFIO_DEVICE_FEATURE_DMA_BUF_TPH uapi of the
 * TPH series (v6+), which no kernel has.
 */
#ifndef _TPH_COMPILE_UAPI_STUBS_H
#define _TPH_COMPILE_UAPI_STUBS_H

#include <linux/types.h>

/* include/uapi/linux/pci_regs.h, v6.13+ */
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
#ifndef PCI_EXP_DEVCAP2_TPH_COMP_NONE
#define PCI_EXP_DEVCAP2_TPH_COMP_NONE		0x0
#define PCI_EXP_DEVCAP2_TPH_COMP_TPH_ONLY	0x1
#define PCI_EXP_DEVCAP2_TPH_COMP_EXT_TPH	0x3
#endif

/* include/uapi/linux/vfio.h of the TPH series (v6+) */
#define VFIO_DEVICE_FEATURE_DMA_BUF_TPH	13
#define VFIO_DMA_BUF_TPH_ST		(1 << 0)
#define VFIO_DMA_BUF_TPH_ST_EXT		(1 << 1)

struct vfio_device_feature_dma_buf_tph {
	__s32 dmabuf_fd;
	__u32 flags;
	__u16 steering_tag_ext;
	__u8 steering_tag;
	__u8 ph;
};

#endif /* _TPH_COMPILE_UAPI_STUBS_H */
