/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio-pci dma-buf TPH tracepoints: the exporter's answer to a PCIe TPH
 * query and the VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET that publishes it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vfio_pci

#if !defined(_TRACE_VFIO_PCI_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_VFIO_PCI_H

#include <linux/tracepoint.h>

struct vfio_device_feature_dma_buf_tph;
struct vfio_pci_core_device;
struct vfio_pci_dma_buf;

#define show_vfio_pci_tph_completer(c)					\
	__print_symbolic(c,						\
			 { PCI_EXP_DEVCAP2_TPH_COMP_NONE,	"none" },	\
			 { PCI_EXP_DEVCAP2_TPH_COMP_TPH_ONLY,	"tph" },	\
			 { PCI_EXP_DEVCAP2_TPH_COMP_EXT_TPH,	"ext" })

/*
 * vfio_pci_tph_query - vfio_pci_dma_buf_get_pci_tph() returned
 * @st_valid, @st_ext_valid: which namespaces the last SET published, so
 * that "nothing published" can be told from "only the other width"
 *
 * Runs under the dma-buf's reservation lock. It does not name the device:
 * vfio_pci_dma_buf_cleanup() may clear and release priv->vdev concurrently.
 */
TRACE_EVENT(vfio_pci_tph_query,

	TP_PROTO(struct vfio_pci_dma_buf *priv, bool extended, int ret),

	TP_ARGS(priv, extended, ret),

	TP_STRUCT__entry(
		__field(ino_t, ino)
		__field(bool, extended)
		__field(bool, st_valid)
		__field(bool, st_ext_valid)
		__field(u16, steering_tag)
		__field(u8, ph)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->ino = priv->dmabuf->file->f_inode->i_ino;
		__entry->extended = extended;
		__entry->st_valid = priv->tph_st_valid;
		__entry->st_ext_valid = priv->tph_st_ext_valid;
		__entry->steering_tag = ret ? 0 :
					extended ? priv->tph_st_ext : priv->tph_st;
		__entry->ph = ret ? 0 : priv->tph_ph;
		__entry->ret = ret;
	),

	TP_printk("ino=%lu extended=%d st_valid=%d st_ext_valid=%d st=0x%x ph=%u ret=%d",
		  __entry->ino, __entry->extended, __entry->st_valid,
		  __entry->st_ext_valid, __entry->steering_tag, __entry->ph,
		  __entry->ret)
);

/*
 * vfio_pci_tph_set - a VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET returned
 * @req: the request, NULL when it was refused before being copied in
 *       (the device is no TPH completer)
 * @dmabuf: the dma-buf @req names, NULL until it is resolved
 * @completer: pcie_tph_completer_type() of the device
 */
TRACE_EVENT(vfio_pci_tph_set,

	TP_PROTO(struct vfio_pci_core_device *vdev,
		 const struct vfio_device_feature_dma_buf_tph *req,
		 struct dma_buf *dmabuf, u8 completer, int ret),

	TP_ARGS(vdev, req, dmabuf, completer, ret),

	TP_STRUCT__entry(
		__string(dev, pci_name(vdev->pdev))
		__field(ino_t, ino)
		__field(u32, flags)
		__field(u8, steering_tag)
		__field(u16, steering_tag_ext)
		__field(u8, ph)
		__field(u8, completer)
		__field(int, ret)
	),

	TP_fast_assign(
		__assign_str(dev);
		__entry->ino = dmabuf ? dmabuf->file->f_inode->i_ino : 0;
		__entry->flags = req ? req->flags : 0;
		__entry->steering_tag = req ? req->steering_tag : 0;
		__entry->steering_tag_ext = req ? req->steering_tag_ext : 0;
		__entry->ph = req ? req->ph : 0;
		__entry->completer = completer;
		__entry->ret = ret;
	),

	TP_printk("dev=%s ino=%lu flags=0x%x st=0x%x st_ext=0x%x ph=%u completer=%s ret=%d",
		  __get_str(dev), __entry->ino, __entry->flags,
		  __entry->steering_tag, __entry->steering_tag_ext, __entry->ph,
		  show_vfio_pci_tph_completer(__entry->completer),
		  __entry->ret)
);

#endif /* _TRACE_VFIO_PCI_H */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH ../../drivers/vfio/pci
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vfio_pci_trace
#include <trace/define_trace.h>
