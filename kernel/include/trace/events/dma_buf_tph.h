/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-buf TPH query tracepoint: fires at the end of dma_buf_get_tph(), the
 * single importer entry point to an exporter's optional get_tph() callback.
 * No importer identity exists at this layer; importers trace their own side.
 *
 * Strings are copied into fixed arrays rather than __string() so that the
 * same header builds unchanged on kernels before and after the
 * __assign_str() signature change (v6.10), which the hardware-free
 * simulator relies on.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dma_buf_tph

#if !defined(_TRACE_DMA_BUF_TPH_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_DMA_BUF_TPH_H

#include <linux/tracepoint.h>

TRACE_EVENT(dma_buf_tph_query,

	TP_PROTO(unsigned long ino, const char *exp_name, size_t size,
		 bool extended, u16 steering_tag, u8 ph, int ret),

	TP_ARGS(ino, exp_name, size, extended, steering_tag, ph, ret),

	TP_STRUCT__entry(
		__field(unsigned long, ino)
		__array(char, exp_name, 32)
		__field(size_t, size)
		__field(bool, extended)
		__field(u16, steering_tag)
		__field(u8, ph)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->ino = ino;
		strscpy(__entry->exp_name, exp_name ?: "", sizeof(__entry->exp_name));
		__entry->size = size;
		__entry->extended = extended;
		__entry->steering_tag = steering_tag;
		__entry->ph = ph;
		__entry->ret = ret;
	),

	TP_printk("ino=%lu exp_name=%s size=%zu extended=%d st=0x%x ph=%u ret=%d",
		  __entry->ino, __entry->exp_name, __entry->size,
		  __entry->extended, __entry->steering_tag, __entry->ph,
		  __entry->ret)
);

#endif /* _TRACE_DMA_BUF_TPH_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
