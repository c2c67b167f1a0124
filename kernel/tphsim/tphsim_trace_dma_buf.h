/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dma_buf:dma_buf_get_pci_tph event for tphsim. Upstream it is part of
 * <trace/events/dma_buf.h> (the kernel patch inserts it there); this
 * wrapper gives the very same lines,
 * kernel/tree/include/trace/events/dma_buf-tph.inc, a trace system of their
 * own in this module. The other dma_buf:* events are not defined here
 * (tphsim_dma_buf_trace.h, tphsim_dmabuf_tp.ko).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dma_buf

#if !defined(_TPHSIM_TRACE_DMA_BUF_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TPHSIM_TRACE_DMA_BUF_H

#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/tracepoint.h>

#include <trace/events/dma_buf-tph.inc>

#endif /* _TPHSIM_TRACE_DMA_BUF_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tphsim_trace_dma_buf
#include <trace/define_trace.h>
