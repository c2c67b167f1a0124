/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Simulated upstream dma_buf:* tracepoints.
 *
 * Upstream commit 281a2263 ("dma-buf: add some tracepoints to debug.",
 * about v7.0) adds TRACE_SYSTEM dma_buf events to the dma-buf core. The
 * Debian 6.1 and 6.12 kernels lack them, so tphsim defines events with the
 * same system, names and TP_PROTO and fires them for the attaches,
 * exports, fds, gets and puts it performs itself, which lets tphtrace's
 * tp_btf/raw_tp path for them run in a guest. Results obtained this way
 * are "simulated upstream tracepoints": the dma-buf core of these kernels
 * fires nothing.
 *
 * Only the prototypes (what tp_btf and raw_tp see) match upstream. The
 * entry layout uses fixed-size strings instead of __string() so the header
 * builds before and after the v6.10 __assign_str() change.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dma_buf

#if !defined(_TPHSIM_DMA_BUF_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TPHSIM_DMA_BUF_TRACE_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(dma_buf,

	TP_PROTO(struct dma_buf *dmabuf),

	TP_ARGS(dmabuf),

	TP_STRUCT__entry(
		__array(char,		exp_name,	32)
		__field(size_t,		size)
		__field(ino_t,		ino)
	),

	TP_fast_assign(
		strscpy(__entry->exp_name, dmabuf->exp_name ?: "",
			sizeof(__entry->exp_name));
		__entry->size	= dmabuf->size;
		__entry->ino	= file_inode(dmabuf->file)->i_ino;
	),

	TP_printk("exp_name=%s size=%zu ino=%lu",
		  __entry->exp_name, __entry->size, __entry->ino)
);

DEFINE_EVENT(dma_buf, dma_buf_export,
	TP_PROTO(struct dma_buf *dmabuf),
	TP_ARGS(dmabuf)
);

DEFINE_EVENT(dma_buf, dma_buf_put,
	TP_PROTO(struct dma_buf *dmabuf),
	TP_ARGS(dmabuf)
);

DECLARE_EVENT_CLASS(dma_buf_attach_dev,

	TP_PROTO(struct dma_buf *dmabuf, struct dma_buf_attachment *attach,
		 bool is_dynamic, struct device *dev),

	TP_ARGS(dmabuf, attach, is_dynamic, dev),

	TP_STRUCT__entry(
		__array(char,		dev_name,	32)
		__array(char,		exp_name,	32)
		__field(size_t,		size)
		__field(ino_t,		ino)
		__field(struct dma_buf_attachment *, attach)
		__field(bool,		is_dynamic)
	),

	TP_fast_assign(
		strscpy(__entry->dev_name, dev_name(dev) ?: "",
			sizeof(__entry->dev_name));
		strscpy(__entry->exp_name, dmabuf->exp_name ?: "",
			sizeof(__entry->exp_name));
		__entry->size		= dmabuf->size;
		__entry->ino		= file_inode(dmabuf->file)->i_ino;
		__entry->is_dynamic	= is_dynamic;
		__entry->attach		= attach;
	),

	TP_printk("exp_name=%s size=%zu ino=%lu attachment:%p is_dynamic=%d dev_name=%s",
		  __entry->exp_name, __entry->size, __entry->ino,
		  __entry->attach, __entry->is_dynamic, __entry->dev_name)
);

DEFINE_EVENT(dma_buf_attach_dev, dma_buf_dynamic_attach,
	TP_PROTO(struct dma_buf *dmabuf, struct dma_buf_attachment *attach,
		 bool is_dynamic, struct device *dev),
	TP_ARGS(dmabuf, attach, is_dynamic, dev)
);

DEFINE_EVENT(dma_buf_attach_dev, dma_buf_detach,
	TP_PROTO(struct dma_buf *dmabuf, struct dma_buf_attachment *attach,
		 bool is_dynamic, struct device *dev),
	TP_ARGS(dmabuf, attach, is_dynamic, dev)
);

DECLARE_EVENT_CLASS(dma_buf_fd,

	TP_PROTO(struct dma_buf *dmabuf, int fd),

	TP_ARGS(dmabuf, fd),

	TP_STRUCT__entry(
		__array(char,		exp_name,	32)
		__field(size_t,		size)
		__field(ino_t,		ino)
		__field(int,		fd)
	),

	TP_fast_assign(
		strscpy(__entry->exp_name, dmabuf->exp_name ?: "",
			sizeof(__entry->exp_name));
		__entry->size	= dmabuf->size;
		__entry->ino	= file_inode(dmabuf->file)->i_ino;
		__entry->fd	= fd;
	),

	TP_printk("exp_name=%s size=%zu ino=%lu fd=%d",
		  __entry->exp_name, __entry->size, __entry->ino, __entry->fd)
);

DEFINE_EVENT(dma_buf_fd, dma_buf_fd,
	TP_PROTO(struct dma_buf *dmabuf, int fd),
	TP_ARGS(dmabuf, fd)
);

DEFINE_EVENT(dma_buf_fd, dma_buf_get,
	TP_PROTO(struct dma_buf *dmabuf, int fd),
	TP_ARGS(dmabuf, fd)
);

#endif /* _TPHSIM_DMA_BUF_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tphsim_dma_buf_trace

/* This part must be outside protection */
#include <trace/define_trace.h>
