// SPDX-License-Identifier: GPL-2.0
/*
 * tphsim_dmabuf_tp.ko: simulated upstream dma_buf:* tracepoints for tphsim.
 *
 * Defines the events of tphsim_dma_buf_trace.h (upstream's TRACE_SYSTEM
 * dma_buf names and TP_PROTO, see there) and hands tphsim one callback per
 * event (tphsim_upstream_tp.h). They fire only at tphsim's own call sites:
 * its exports and fd installs, its importer's get, attach, detach and put.
 * Load it after tphsim.ko to exercise tphtrace's "upstream dma_buf
 * tracepoints" candidates; without it, tphtrace hooks the stock dma-buf
 * functions and sees every exporter.
 */
#include <linux/module.h>

#define CREATE_TRACE_POINTS
#include "tphsim_dma_buf_trace.h"

#include "tphsim_upstream_tp.h"

static void tp_export(struct dma_buf *dmabuf)
{
	trace_dma_buf_export(dmabuf);
}

static void tp_put(struct dma_buf *dmabuf)
{
	trace_dma_buf_put(dmabuf);
}

static void tp_fd(struct dma_buf *dmabuf, int fd)
{
	trace_dma_buf_fd(dmabuf, fd);
}

static void tp_get(struct dma_buf *dmabuf, int fd)
{
	trace_dma_buf_get(dmabuf, fd);
}

static void tp_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach,
		      bool is_dynamic, struct device *dev)
{
	trace_dma_buf_dynamic_attach(dmabuf, attach, is_dynamic, dev);
}

static void tp_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach,
		      bool is_dynamic, struct device *dev)
{
	trace_dma_buf_detach(dmabuf, attach, is_dynamic, dev);
}

static const struct tphsim_upstream_tp tphsim_dmabuf_tp = {
	.dma_buf_export = tp_export,
	.dma_buf_put = tp_put,
	.dma_buf_fd = tp_fd,
	.dma_buf_get = tp_get,
	.dma_buf_dynamic_attach = tp_attach,
	.dma_buf_detach = tp_detach,
};

static int __init tphsim_dmabuf_tp_init(void)
{
	return tphsim_register_upstream_tp(&tphsim_dmabuf_tp);
}

static void __exit tphsim_dmabuf_tp_exit(void)
{
	tphsim_unregister_upstream_tp(&tphsim_dmabuf_tp);
}

module_init(tphsim_dmabuf_tp_init);
module_exit(tphsim_dmabuf_tp_exit);

MODULE_DESCRIPTION("tphsim: simulated upstream dma_buf:* tracepoints");
MODULE_LICENSE("GPL");
