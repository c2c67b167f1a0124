/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO PCI dma-buf TPH tracepoints: the exporter side of the TPH query and
 * the VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET that publishes the tags.
 *
 * The exporter PCI function is passed as (domain, pci_dev_id()) scalars.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vfio_pci_tph

#if !defined(_TRACE_VFIO_PCI_TPH_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_VFIO_PCI_TPH_H

#include <linux/tracepoint.h>

/*
 * vfio_pci_tph_query - the exporter answered a get_tph() callback
 * @st_valid/@st_ext_valid tell which namespaces are published at all, so a
 * -EOPNOTSUPP for one width can be told apart from "nothing published".
 */
TRACE_EVENT(vfio_pci_tph_query,

	TP_PROTO(u32 domain, u16 devid, unsigned long ino, bool extended,
		 bool st_valid, bool st_ext_valid, u16 steering_tag, u8 ph,
		 int ret),

	TP_ARGS(domain, devid, ino, extended, st_valid, st_ext_valid,
		steering_tag, ph, ret),

	TP_STRUCT__entry(
		__field(u32, domain)
		__field(u16, devid)
		__field(unsigned long, ino)
		__field(bool, extended)
		__field(bool, st_valid)
		__field(bool, st_ext_valid)
		__field(u16, steering_tag)
		__field(u8, ph)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->domain = domain;
		__entry->devid = devid;
		__entry->ino = ino;
		__entry->extended = extended;
		__entry->st_valid = st_valid;
		__entry->st_ext_valid = st_ext_valid;
		__entry->steering_tag = steering_tag;
		__entry->ph = ph;
		__entry->ret = ret;
	),

	TP_printk("dev=%04x:%02x:%02x.%u ino=%lu extended=%d st_valid=%d st_ext_valid=%d st=0x%x ph=%u ret=%d",
		  __entry->domain, __entry->devid >> 8,
		  (__entry->devid >> 3) & 0x1f, __entry->devid & 0x7, __entry->ino,
		  __entry->extended, __entry->st_valid, __entry->st_ext_valid,
		  __entry->steering_tag, __entry->ph, __entry->ret)
);

/*
 * vfio_pci_tph_set - VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET finished
 * @ino is 0 when the request failed before the dma-buf was resolved.
 * @completer is the device's DEVCAP2 TPH Completer Supported field as
 * decoded by pcie_tph_completer_type(), the gate behind -EOPNOTSUPP.
 */
TRACE_EVENT(vfio_pci_tph_set,

	TP_PROTO(u32 domain, u16 devid, unsigned long ino, u32 flags,
		 u8 steering_tag, u16 steering_tag_ext, u8 ph, u8 completer,
		 int ret),

	TP_ARGS(domain, devid, ino, flags, steering_tag, steering_tag_ext, ph,
		completer, ret),

	TP_STRUCT__entry(
		__field(u32, domain)
		__field(u16, devid)
		__field(unsigned long, ino)
		__field(u32, flags)
		__field(u8, steering_tag)
		__field(u16, steering_tag_ext)
		__field(u8, ph)
		__field(u8, completer)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->domain = domain;
		__entry->devid = devid;
		__entry->ino = ino;
		__entry->flags = flags;
		__entry->steering_tag = steering_tag;
		__entry->steering_tag_ext = steering_tag_ext;
		__entry->ph = ph;
		__entry->completer = completer;
		__entry->ret = ret;
	),

	TP_printk("dev=%04x:%02x:%02x.%u ino=%lu flags=0x%x st=0x%x st_ext=0x%x ph=%u completer=%u ret=%d",
		  __entry->domain, __entry->devid >> 8,
		  (__entry->devid >> 3) & 0x1f, __entry->devid & 0x7, __entry->ino,
		  __entry->flags, __entry->steering_tag,
		  __entry->steering_tag_ext, __entry->ph, __entry->completer,
		  __entry->ret)
);

#endif /* _TRACE_VFIO_PCI_TPH_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
