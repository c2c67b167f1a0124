/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tphsim <-> tphsim_dmabuf_tp.ko: the simulated upstream dma_buf:*
 * tracepoints live in their own small module so that loading tphsim alone
 * leaves the dma_buf:* event names free. Were tphsim to define them,
 * tphtrace would prefer them (tp_btf, "upstream dma_buf tracepoints") over
 * the stock dma_buf_export/dma_buf_dynamic_attach/dma_buf_detach functions
 * for export, attach and detach, and every other exporter (udmabuf, dma
 * heaps) would become invisible while tphsim is loaded: these copies fire
 * only at tphsim's own call sites.
 *
 * tphsim_dmabuf_tp.ko registers its trace callbacks at load and
 * unregisters them at unload; tphsim calls them (and counts the events in
 * TPHSIM_EV_DMA_BUF_*) only while they are registered. The callbacks run
 * under rcu_read_lock(); unregistering waits for a grace period, so none
 * runs once the small module's exit returns. The small module uses
 * tphsim's symbols, so it is removed before tphsim.
 */
#ifndef _TPHSIM_UPSTREAM_TP_H
#define _TPHSIM_UPSTREAM_TP_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/types.h>

/* One callback per upstream event, with upstream's TP_PROTO. */
struct tphsim_upstream_tp {
	void (*dma_buf_export)(struct dma_buf *dmabuf);
	void (*dma_buf_put)(struct dma_buf *dmabuf);
	void (*dma_buf_fd)(struct dma_buf *dmabuf, int fd);
	void (*dma_buf_get)(struct dma_buf *dmabuf, int fd);
	void (*dma_buf_dynamic_attach)(struct dma_buf *dmabuf,
				       struct dma_buf_attachment *attach,
				       bool is_dynamic, struct device *dev);
	void (*dma_buf_detach)(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attach,
			       bool is_dynamic, struct device *dev);
};

/* -EBUSY if another set is registered */
int tphsim_register_upstream_tp(const struct tphsim_upstream_tp *tp);
void tphsim_unregister_upstream_tp(const struct tphsim_upstream_tp *tp);

#endif /* _TPHSIM_UPSTREAM_TP_H */
