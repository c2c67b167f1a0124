/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCIe TPH requester tracepoints.
 *
 * pcie_enable_tph() caps the requester type by the Root Port's completer
 * support, and a failed ST entry write silently disables TPH on the
 * function; both change what every later user of the device gets.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pci_tph

#if !defined(_TRACE_PCI_TPH_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_PCI_TPH_H

#include <linux/tracepoint.h>

/*
 * pcie_tph_enable - pcie_enable_tph() finished
 * @dev_req_type: requester type the function's TPH capability offers
 * @rp_completer: Root Port DEVCAP2 TPH completer type (0xff: not checked,
 *                e.g. RCiEP)
 * @req_type: requester type enabled (PCI_TPH_REQ_*), 0 on failure
 */
TRACE_EVENT(pcie_tph_enable,

	TP_PROTO(u32 domain, u16 devid, u8 mode, u8 dev_req_type,
		 u8 rp_completer, u8 req_type, int ret),

	TP_ARGS(domain, devid, mode, dev_req_type, rp_completer, req_type,
		ret),

	TP_STRUCT__entry(
		__field(u32, domain)
		__field(u16, devid)
		__field(u8, mode)
		__field(u8, dev_req_type)
		__field(u8, rp_completer)
		__field(u8, req_type)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->domain = domain;
		__entry->devid = devid;
		__entry->mode = mode;
		__entry->dev_req_type = dev_req_type;
		__entry->rp_completer = rp_completer;
		__entry->req_type = req_type;
		__entry->ret = ret;
	),

	TP_printk("dev=%04x:%02x:%02x.%u mode=%u dev_req_type=%u rp_completer=%u req_type=%u ret=%d",
		  __entry->domain, __entry->devid >> 8,
		  (__entry->devid >> 3) & 0x1f, __entry->devid & 0x7,
		  __entry->mode, __entry->dev_req_type, __entry->rp_completer,
		  __entry->req_type, __entry->ret)
);

/*
 * pcie_tph_disable - TPH is being disabled on a function
 * @mode/@req_type: the state being torn down
 */
TRACE_EVENT(pcie_tph_disable,

	TP_PROTO(u32 domain, u16 devid, u8 mode, u8 req_type),

	TP_ARGS(domain, devid, mode, req_type),

	TP_STRUCT__entry(
		__field(u32, domain)
		__field(u16, devid)
		__field(u8, mode)
		__field(u8, req_type)
	),

	TP_fast_assign(
		__entry->domain = domain;
		__entry->devid = devid;
		__entry->mode = mode;
		__entry->req_type = req_type;
	),

	TP_printk("dev=%04x:%02x:%02x.%u mode=%u req_type=%u",
		  __entry->domain, __entry->devid >> 8,
		  (__entry->devid >> 3) & 0x1f, __entry->devid & 0x7,
		  __entry->mode, __entry->req_type)
);

/*
 * pcie_tph_st_write - pcie_tph_set_st_entry() finished
 * @loc: ST table location (PCI_TPH_LOC_*)
 * @ret: on error TPH has been disabled on the function
 */
TRACE_EVENT(pcie_tph_st_write,

	TP_PROTO(u32 domain, u16 devid, u32 index, u16 tag, u32 loc, int ret),

	TP_ARGS(domain, devid, index, tag, loc, ret),

	TP_STRUCT__entry(
		__field(u32, domain)
		__field(u16, devid)
		__field(u32, index)
		__field(u16, tag)
		__field(u32, loc)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->domain = domain;
		__entry->devid = devid;
		__entry->index = index;
		__entry->tag = tag;
		__entry->loc = loc;
		__entry->ret = ret;
	),

	TP_printk("dev=%04x:%02x:%02x.%u index=%u tag=0x%x loc=0x%x ret=%d",
		  __entry->domain, __entry->devid >> 8,
		  (__entry->devid >> 3) & 0x1f, __entry->devid & 0x7,
		  __entry->index, __entry->tag, __entry->loc, __entry->ret)
);

#endif /* _TRACE_PCI_TPH_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
