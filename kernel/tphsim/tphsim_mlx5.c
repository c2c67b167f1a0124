// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated mlx5 importer: the steering-tag table of mlx5_core
 * (lib/st.c) and the dma-buf MR path of mlx5_ib (mr.c, dmah.c) as changed
 * by the TPH series in the build's shape (v5, v7, v8+: tphsim.h), firing
 * the tracepoint patches' mlx5 events (v8+ builds).
 *
 * A simulated NIC is a struct device (the DMA device that attaches to
 * dma-bufs, named by its PCI address), a PCI function with a TPH requester
 * capability, an mlx5_core_dev with its ST table and an IB device with one
 * PD. MR registration attaches dynamically and peer-to-peer to the
 * dma-buf, maps it under the reservation lock, takes the TPH decision with
 * every fallback of the series and gets an mkey from an FRMR-like pool
 * keyed by (ST index, PH).
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "tphsim.h"
#include "diag/st_tracepoint.h"
#include "mr_tracepoint.h"

#define mlx5_ib_dbg(dev, fmt, ...)					\
	dev_dbg((dev)->dma_device, "%s: " fmt, __func__, ##__VA_ARGS__)

/* ------------------------------------------------------------------ */
/* mlx5_core lib/st.c                                                  */

/*
 * @idx_data: the entry, read by the event under st->lock (its refcount is
 * the users after the operation); NULL when there is none
 */
static void mlx5_st_trace(struct mlx5_core_dev *dev, int ev, u16 tag,
			  u16 st_index, struct mlx5_st_idx_data *idx_data,
			  int ret)
{
	tphsim_count(ev);
	switch (ev) {
	case TPHSIM_EV_MLX5_ST_INDEX_ALLOC:
		trace_mlx5_st_index_alloc(dev, tag, st_index, idx_data, ret);
		break;
	case TPHSIM_EV_MLX5_ST_INDEX_GET:
		trace_mlx5_st_index_get(dev, tag, st_index, idx_data, ret);
		break;
	default:
		trace_mlx5_st_index_put(dev, tag, st_index, idx_data, ret);
		break;
	}
}

/**
 * mlx5_st_create - set up steering-tag support for a function
 * @dev: mlx5 core device
 *
 * Return: the ST state, or NULL when the function cannot use steering
 * tags (no firmware support, no TPH capability, an ST table too small for
 * the reserved entry 0, or TPH cannot be enabled).
 */
noinline struct mlx5_st *mlx5_st_create(struct mlx5_core_dev *dev)
{
	struct pci_dev *pdev = dev->pdev;
	struct mlx5_st *st;
	u8 direct_mode = 0;
	u16 num_entries = 0;
	u32 tbl_loc;
	int ret;

	if (!dev->fw_tph)
		return NULL;

	/* Checking whether the device is capable */
	if (!to_pcifn(pdev)->tph_cap)
		return NULL;

	tbl_loc = pcie_tph_get_st_table_loc(pdev);
	if (tbl_loc == PCI_TPH_LOC_NONE)
		direct_mode = 1;

	if (!direct_mode) {
		num_entries = pcie_tph_get_st_table_size(pdev);
		/* We need a reserved entry for non TPH cases */
		if (num_entries < 2)
			return NULL;
	}

	/* The OS doesn't support ST */
	ret = pcie_enable_tph(pdev, PCI_TPH_ST_DS_MODE);
	if (ret)
		return NULL;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		goto end;

	mutex_init(&st->lock);
	xa_init_flags(&st->idx_xa, XA_FLAGS_ALLOC);
	st->direct_mode = direct_mode;
	if (st->direct_mode)
		return st;

	/* entry 0 is reserved for non TPH cases */
	st->index_limit.min = MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX + 1;
	st->index_limit.max = num_entries - 1;

	return st;

end:
	pcie_disable_tph(dev->pdev);
	return NULL;
}

noinline void mlx5_st_destroy(struct mlx5_core_dev *dev)
{
	struct mlx5_st *st = dev->st;

	if (!st)
		return;

	pcie_disable_tph(dev->pdev);
	WARN_ON_ONCE(!xa_empty(&st->idx_xa));
	xa_destroy(&st->idx_xa);
	mutex_destroy(&st->lock);
	kfree(st);
	dev->st = NULL;
}

/**
 * mlx5_st_alloc_index_by_tag - get an ST table index holding @tag
 * @dev: mlx5 core device
 * @tag: steering tag
 * @st_index: returns the index (the tag itself in direct mode)
 *
 * Entries are shared by tag with a reference count; a new entry is
 * written to the function's ST table.
 *
 * Return: 0; -EOPNOTSUPP without ST support; -EBUSY when the table is
 * full; the ST write's error (TPH is then disabled on the function).
 */
noinline int mlx5_st_alloc_index_by_tag(struct mlx5_core_dev *dev, u16 tag,
					u16 *st_index)
{
	struct mlx5_st_idx_data *idx_data = NULL;
	struct mlx5_st *st = dev->st;
	unsigned long index;
	u32 xa_id = 0;
	int ret = 0;

	if (!st) {
		ret = -EOPNOTSUPP;
		goto trace;
	}

	if (st->direct_mode) {
		*st_index = tag;
		xa_id = tag;
		goto trace;
	}

	mutex_lock(&st->lock);

	xa_for_each(&st->idx_xa, index, idx_data) {
		if (tag == idx_data->tag) {
			refcount_inc(&idx_data->usecount);
			*st_index = index;
			xa_id = index;
			goto end;
		}
	}

	idx_data = NULL;
	ret = tphsim_fault_hit(&dev->st_alloc_fault);
	if (ret)
		goto end;

	idx_data = kzalloc(sizeof(*idx_data), GFP_KERNEL);
	if (!idx_data) {
		ret = -ENOMEM;
		goto end;
	}

	refcount_set(&idx_data->usecount, 1);
	idx_data->tag = tag;

	ret = xa_alloc(&st->idx_xa, &xa_id, idx_data, st->index_limit,
		       GFP_KERNEL);
	if (ret)
		goto clean_idx_data;

	ret = pcie_tph_set_st_entry(dev->pdev, xa_id, tag);
	if (ret)
		goto clean_idx_xa;

	*st_index = xa_id;
	goto end;

clean_idx_xa:
	xa_erase(&st->idx_xa, xa_id);
clean_idx_data:
	kfree(idx_data);
	idx_data = NULL;
end:
	mlx5_st_trace(dev, TPHSIM_EV_MLX5_ST_INDEX_ALLOC, tag,
		      ret ? 0 : xa_id, idx_data, ret);
	mutex_unlock(&st->lock);
	return ret;
trace:
	mlx5_st_trace(dev, TPHSIM_EV_MLX5_ST_INDEX_ALLOC, tag,
		      ret ? 0 : xa_id, NULL, ret);
	return ret;
}
EXPORT_SYMBOL_GPL(mlx5_st_alloc_index_by_tag);

#if TPHSIM_SHAPE >= 7
/**
 * mlx5_st_get_index - take another reference on a known ST index (v7)
 * @dev: mlx5 core device
 * @st_index: index returned by mlx5_st_alloc_index_by_tag()
 *
 * Return: 0, -EOPNOTSUPP without ST support, -EINVAL for an unknown index.
 */
noinline int mlx5_st_get_index(struct mlx5_core_dev *dev, u16 st_index)
{
	struct mlx5_st_idx_data *idx_data;
	struct mlx5_st *st = dev->st;
	u16 tag = 0;
	int ret = 0;

	if (!st) {
		ret = -EOPNOTSUPP;
		goto trace;
	}

	if (st->direct_mode) {
		tag = st_index;
		goto trace;
	}

	mutex_lock(&st->lock);
	idx_data = xa_load(&st->idx_xa, st_index);
	if (WARN_ON_ONCE(!idx_data))
		ret = -EINVAL;
	else
		refcount_inc(&idx_data->usecount);
	mlx5_st_trace(dev, TPHSIM_EV_MLX5_ST_INDEX_GET, 0, st_index, idx_data,
		      ret);
	mutex_unlock(&st->lock);
	return ret;
trace:
	mlx5_st_trace(dev, TPHSIM_EV_MLX5_ST_INDEX_GET, tag, st_index, NULL,
		      ret);
	return ret;
}
EXPORT_SYMBOL_GPL(mlx5_st_get_index);
#endif

/**
 * mlx5_st_dealloc_index - drop a reference on an ST index
 * @dev: mlx5 core device
 * @st_index: index
 *
 * The last reference frees the entry (the ST table itself is left as it
 * is: no mkey refers to it any more).
 *
 * Return: 0, -EOPNOTSUPP without ST support, -EINVAL for an unknown index.
 */
noinline int mlx5_st_dealloc_index(struct mlx5_core_dev *dev, u16 st_index)
{
	struct mlx5_st_idx_data *idx_data;
	struct mlx5_st *st = dev->st;
	u16 tag = 0;
	int ret = 0;

	if (!st) {
		ret = -EOPNOTSUPP;
		goto trace;
	}

	if (st->direct_mode) {
		tag = st_index;
		goto trace;
	}

	mutex_lock(&st->lock);
	idx_data = xa_load(&st->idx_xa, st_index);
	if (WARN_ON_ONCE(!idx_data)) {
		ret = -EINVAL;
		goto end;
	}

	if (refcount_dec_and_test(&idx_data->usecount)) {
		xa_erase(&st->idx_xa, st_index);
		/* the event reads the entry (refcount 0) before it is freed */
		mlx5_st_trace(dev, TPHSIM_EV_MLX5_ST_INDEX_PUT, 0, st_index,
			      idx_data, ret);
		kfree(idx_data);
		/* We leave PCI config space as was before, no mkey refers to it */
		mutex_unlock(&st->lock);
		return ret;
	}

end:
	mlx5_st_trace(dev, TPHSIM_EV_MLX5_ST_INDEX_PUT, 0, st_index, idx_data,
		      ret);
	mutex_unlock(&st->lock);
	return ret;
trace:
	mlx5_st_trace(dev, TPHSIM_EV_MLX5_ST_INDEX_PUT, tag, st_index, NULL,
		      ret);
	return ret;
}
EXPORT_SYMBOL_GPL(mlx5_st_dealloc_index);

/* The tag the function's ST table holds at @st_index (0 if none). */
u16 tphsim_st_entry(struct mlx5_core_dev *dev, u16 st_index)
{
	struct tphsim_pcifn *fn = to_pcifn(dev->pdev);

	if (dev->st && dev->st->direct_mode)
		return st_index;
	if (!fn->st_table || st_index >= fn->st_size)
		return 0;
	return fn->st_table[st_index];
}

/* ------------------------------------------------------------------ */
/* mlx5_ib mr.c: who owns the ST reference an mkey uses                 */
/*
 * v5: the MR owns the reference of a tag it got from the dma-buf
 *     (dmabuf_st_owned) and drops it when its mkey is cleaned up, pooled
 *     or not (v5 4/4: mlx5_ib_mr_put_dmabuf_st()); DMAH MRs take none.
 * v7: the pooled mkey's handle owns it ("make the extra ST-table
 *     reference belong to the hardware mkey handle"): a reused mkey hands
 *     the new MR's reference back, destroying the mkey drops it.
 * v8+: "keep the extra ST-table reference tied to MR lifetime rather
 *     than pooled mkey lifetime ... release it again when the MR is
 *     returned to the pool or the backing mkey is destroyed" (v9, v11
 *     commit message); DMAH MRs take one with mlx5_st_get_index().
 */

#if TPHSIM_SHAPE >= 7
static int mlx5_ib_get_frmr_st_handle_ref(struct mlx5_ib_dev *dev,
					  u16 st_index)
{
	if (st_index == MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX)
		return 0;

	return mlx5_st_get_index(dev->mdev, st_index);
}
#endif

static void mlx5_ib_put_st_index_ref(struct mlx5_ib_dev *dev, u16 st_index)
{
	if (st_index == MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX)
		return;

	mlx5_st_dealloc_index(dev->mdev, st_index);
}

static void mlx5_ib_put_frmr_st_handle_ref(struct mlx5_ib_dev *dev,
					   u64 kernel_vendor_key)
{
	u16 st_index = kernel_vendor_key &
		       MLX5_FRMR_POOLS_KERNEL_KEY_ST_INDEX_MASK;

	mlx5_ib_put_st_index_ref(dev, st_index);
}

/* The MR's own reference (v5, v8+), when its mkey is cleaned up. */
static void mlx5_ib_mr_put_st_ref(struct mlx5_ib_mr *mr)
{
#if TPHSIM_SHAPE == 5
	if (mr->dmabuf_st_owned) {
		mlx5_st_dealloc_index(mr->dev->mdev, mr->dmabuf_st_index);
		mr->dmabuf_st_owned = 0;
	}
#elif TPHSIM_SHAPE >= 8
	mlx5_ib_put_frmr_st_handle_ref(mr->dev, mr->kernel_vendor_key);
#endif
}

/*
 * Pop an mkey for @key from the pool, or create one. A reused mkey keeps
 * the ST index of its pool key; in v7 its handle already owns a reference
 * on that index, and the caller's extra reference is dropped.
 */
static int mlx5_frmr_pool_alloc(struct mlx5_ib_dev *dev, struct mlx5_ib_mr *mr,
				u64 key)
{
	struct mlx5_frmr_handle *h;
	int err;

	mr->kernel_vendor_key = key;
	list_for_each_entry(h, &dev->pool, node) {
		if (h->kernel_vendor_key != key)
			continue;
		list_del(&h->node);
		dev->nr_pooled--;
		mr->ibmr.lkey = h->mkey;
		mr->mmkey.key = h->mkey;
		kfree(h);
		tphsim_live_dec();
		mr->frmr_reused = true;
		if (TPHSIM_SHAPE == 7)
			mlx5_ib_put_frmr_st_handle_ref(dev, key);
		return 0;
	}

	err = tphsim_fault_hit(&dev->mkey_fault);
	if (err)
		return err;

	dev->mkey_seq = (dev->mkey_seq + 1) & 0xffffff;
	if (!dev->mkey_seq)
		dev->mkey_seq = 1;
	mr->ibmr.lkey = (dev->mkey_seq << 8) | 0x42;
	mr->mmkey.key = mr->ibmr.lkey;
	mr->frmr_reused = false;
	return 0;
}

/* Destroy an mkey: in v7 its handle's ST reference goes with it. */
static void mlx5r_destroy_mkey(struct mlx5_ib_dev *dev, u64 key)
{
	if (TPHSIM_SHAPE == 7)
		mlx5_ib_put_frmr_st_handle_ref(dev, key);
}

static void mlx5_ib_trace_dmabuf_mr_dereg(struct mlx5_ib_mr *mr, bool pooled,
					  int ret)
{
	tphsim_count(TPHSIM_EV_MLX5_IB_DMABUF_MR_DEREG);
	trace_mlx5_ib_dmabuf_mr_dereg(mr, mlx5_mr_st_index(mr), pooled, ret);
}

/*
 * Return true if the mkey went back to the pool (keeping its ST index).
 * The dereg event fires where the kernel patch has it: before the handle
 * is pushed (another registration may pop it right after), and after a
 * destroy with its result.
 */
static bool mlx5r_handle_mkey_cleanup(struct mlx5_ib_dev *dev,
				      struct mlx5_ib_mr *mr)
{
	struct mlx5_frmr_handle *h;

	mlx5_ib_mr_put_st_ref(mr);
	if (dev->nr_pooled < dev->pool_depth) {
		h = kzalloc(sizeof(*h), GFP_KERNEL);
		if (h) {
			h->mkey = mr->ibmr.lkey;
			h->kernel_vendor_key = mr->kernel_vendor_key;
			mlx5_ib_trace_dmabuf_mr_dereg(mr, true, 0);
			list_add_tail(&h->node, &dev->pool);
			dev->nr_pooled++;
			tphsim_live_inc();
			return true;
		}
	}
	mlx5r_destroy_mkey(dev, mr->kernel_vendor_key);
	mlx5_ib_trace_dmabuf_mr_dereg(mr, false, 0);
	return false;
}

static void mlx5_frmr_pools_cleanup(struct mlx5_ib_dev *dev)
{
	struct mlx5_frmr_handle *h, *tmp;

	list_for_each_entry_safe(h, tmp, &dev->pool, node) {
		list_del(&h->node);
		mlx5r_destroy_mkey(dev, h->kernel_vendor_key);
		kfree(h);
		tphsim_live_dec();
	}
	dev->nr_pooled = 0;
}

/* ------------------------------------------------------------------ */
/* dma-buf importer                                                    */

static void mlx5_ib_dmabuf_invalidate_cb(struct dma_buf_attachment *attach)
{
	struct mlx5_ib_mr *mr = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);

	if (!mr->sgt)
		return;

	dma_buf_unmap_attachment(attach, mr->sgt, DMA_BIDIRECTIONAL);
	mr->sgt = NULL;
	mr->invalidations++;
}

static const struct dma_buf_attach_ops mlx5_ib_dmabuf_attach_ops = {
	.allow_peer2peer = true,
	TPHSIM_ATTACH_OPS_INVALIDATE(mlx5_ib_dmabuf_invalidate_cb),
};

/* An importer that cannot do peer-to-peer (misconfiguration E11). */
static const struct dma_buf_attach_ops tphsim_nop2p_attach_ops = {
	.allow_peer2peer = false,
	TPHSIM_ATTACH_OPS_INVALIDATE(mlx5_ib_dmabuf_invalidate_cb),
};

/* (Re)map the MR's attachment, as mlx5's page-fault path does. */
int tphsim_mr_map(struct mlx5_ib_mr *mr)
{
	struct sg_table *sgt;
	int ret = 0;

	dma_resv_lock(mr->dmabuf->resv, NULL);
	if (!mr->sgt) {
		sgt = dma_buf_map_attachment(mr->attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt))
			ret = PTR_ERR(sgt);
		else
			mr->sgt = sgt;
	}
	dma_resv_unlock(mr->dmabuf->resv);
	return ret;
}

static void tphsim_umem_release(struct mlx5_ib_mr *mr)
{
	struct mlx5_ib_dev *dev = mr->dev;

	if (mr->attach) {
		dma_resv_lock(mr->dmabuf->resv, NULL);
		if (mr->sgt)
			dma_buf_unmap_attachment(mr->attach, mr->sgt,
						 DMA_BIDIRECTIONAL);
		mr->sgt = NULL;
		dma_resv_unlock(mr->dmabuf->resv);

		tphsim_upstream_tp(dma_buf_detach, TPHSIM_EV_DMA_BUF_DETACH,
				   mr->dmabuf, mr->attach, true, dev->dma_device);
		dma_buf_detach(mr->dmabuf, mr->attach);
		mr->attach = NULL;
		mr->umem = NULL;
		mr->umem_dmabuf.attach = NULL;
	}
	if (mr->dmabuf) {
		tphsim_upstream_tp(dma_buf_put, TPHSIM_EV_DMA_BUF_PUT, mr->dmabuf);
		dma_buf_put(mr->dmabuf);
		mr->dmabuf = NULL;
	}
}

/* ib_umem_dmabuf_get(): get the dma-buf and attach dynamically. */
static int tphsim_umem_dmabuf_get(struct mlx5_ib_mr *mr, u64 offset,
				  u64 length, int fd)
{
	struct mlx5_ib_dev *dev = mr->dev;
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	u64 end;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	mr->dmabuf = dmabuf;
	mr->ino = tphsim_dmabuf_ino(dmabuf);
	tphsim_upstream_tp(dma_buf_get, TPHSIM_EV_DMA_BUF_GET, dmabuf, fd);

	if (check_add_overflow(offset, length, &end) || end > dmabuf->size)
		return -EINVAL;

	attach = dma_buf_dynamic_attach(dmabuf, dev->dma_device,
					dev->p2p ? &mlx5_ib_dmabuf_attach_ops :
						   &tphsim_nop2p_attach_ops,
					mr);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	mr->attach = attach;
	/* what the real MR has: an ib_umem_dmabuf whose attach leads here */
	mr->umem_dmabuf.attach = attach;
	mr->umem_dmabuf.umem.is_dmabuf = 1;
	mr->umem_dmabuf.umem.length = length;
	mr->umem = &mr->umem_dmabuf.umem;
	tphsim_upstream_tp(dma_buf_dynamic_attach, TPHSIM_EV_DMA_BUF_DYNAMIC_ATTACH,
			   dmabuf, attach, true, dev->dma_device);
	return 0;
}

static void mlx5_ib_trace_mr_tph(struct mlx5_ib_dev *dev,
				 struct dma_buf *dmabuf, u8 req_type,
				 bool extended,
				 enum mlx5_ib_tph_source source,
				 u16 steering_tag, u16 st_index, u8 ph,
				 enum mlx5_ib_tph_reason reason, int ret)
{
	tphsim_count(TPHSIM_EV_MLX5_IB_MR_TPH);
	trace_mlx5_ib_mr_tph(dev, dmabuf, req_type, extended, source,
			     steering_tag, st_index, ph, reason, ret);
}

/*
 * The series' get_tph_mr_dmabuf() in the build's shape, with the decision
 * point of the tracepoint patch: every way it ends has its reason.
 *   v5:  no exporter callback -> no TPH, before the requester type is
 *        asked; the callback is called with the width, unlocked
 *   v7:  dma_buf_get_tph() under the dma-buf's reservation lock
 *   v8+: dma_buf_get_pci_tph() under the dma-buf's reservation lock
 */
static void get_tph_mr_dmabuf(struct mlx5_ib_dev *dev, struct dma_buf *dmabuf,
			      u16 *st_index, u8 *ph)
{
	u16 local_st_index = MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX;
	enum mlx5_ib_tph_source source = MLX5_IB_TPH_SRC_NONE;
	enum mlx5_ib_tph_reason reason;
	u8 local_ph = MLX5_IB_NO_PH;
	u16 steering_tag = 0;
	bool extended = false;
	u8 req_type = PCI_TPH_REQ_DISABLE;
	int ret = 0;

	/* v5 4/4: "if (!dmabuf->ops->get_tph) return;" comes first */
	if (TPHSIM_SHAPE == 5 && !tphsim_dma_buf_get_tph_op(dmabuf)) {
		ret = -EOPNOTSUPP;
		reason = MLX5_IB_TPH_UNAVAILABLE;
		goto out;
	}

	req_type = pcie_tph_enabled_req_type(dev->mdev->pdev);
	switch (req_type) {
	case PCI_TPH_REQ_TPH_ONLY:
		extended = false;
		break;
	case PCI_TPH_REQ_EXT_TPH:
		extended = true;
		break;
	default:
		reason = MLX5_IB_TPH_REQ_DISABLED;
		goto out;
	}

	tphsim_query_lock(dmabuf);
	ret = tphsim_query_tph(dmabuf, extended, &steering_tag, &local_ph);
	tphsim_query_unlock(dmabuf);
	if (ret) {
		/*
		 * -EOPNOTSUPP: no callback, or nothing for this namespace;
		 * the wrapper does not tell them apart, nor does the event
		 */
		if (ret != -EOPNOTSUPP) {
			mlx5_ib_dbg(dev, "get_tph failed (%d)\n", ret);
			reason = MLX5_IB_TPH_QUERY_ERROR;
		} else {
			reason = MLX5_IB_TPH_UNAVAILABLE;
		}
		steering_tag = 0;
		local_ph = MLX5_IB_NO_PH;
		goto out;
	}

	ret = mlx5_st_alloc_index_by_tag(dev->mdev, steering_tag,
					 &local_st_index);
	if (ret) {
		mlx5_ib_dbg(dev, "st_alloc_index_by_tag failed (%d)\n", ret);
		if (ret == -EOPNOTSUPP)
			reason = MLX5_IB_TPH_NO_ST_TABLE;
		else if (ret == -EBUSY)	/* xa_alloc(): no free index */
			reason = MLX5_IB_TPH_ST_TABLE_FULL;
		else
			reason = MLX5_IB_TPH_ST_ERROR;
		local_st_index = MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX;
		local_ph = MLX5_IB_NO_PH;
		goto out;
	}

	*st_index = local_st_index;
	*ph = local_ph;
	source = MLX5_IB_TPH_SRC_DMABUF;
	if (dev->mdev->st->direct_mode &&
	    local_st_index == MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX)
		reason = MLX5_IB_TPH_TAG0_DIRECT;
	else
		reason = MLX5_IB_TPH_OK;
out:
	mlx5_ib_trace_mr_tph(dev, dmabuf, req_type, extended, source,
			     steering_tag, local_st_index, local_ph, reason,
			     ret);
}

/*
 * The kernel patch fires this right after alloc_cacheable_mr(), where the
 * dma-buf is attached; tphsim also on the failures after dma_buf_get()
 * (attach refused, first map), where the dma-buf is known too. Failures
 * before it (bad fd, bad access flags) have no dma-buf to name: no event.
 */
static void mlx5_ib_trace_dmabuf_mr(struct mlx5_ib_dev *dev,
				    struct mlx5_ib_mr *mr, u64 length,
				    int access_flags, int ret)
{
	if (!mr->dmabuf)
		return;
	tphsim_count(TPHSIM_EV_MLX5_IB_DMABUF_MR);
	trace_mlx5_ib_dmabuf_mr(dev, mr->dmabuf, ret ? ERR_PTR(ret) : mr,
				length, access_flags, mlx5_mr_st_index(mr),
				mlx5_mr_ph(mr));
}

/* Tear down a created MR: mkey back to the pool or destroyed, umem gone. */
static bool tphsim_mr_destroy(struct mlx5_ib_mr *mr)
{
	struct mlx5_ib_dev *dev = mr->dev;
	bool pooled;

	/* as __mlx5_ib_dereg_mr(): the mkey first, then the umem */
	pooled = mlx5r_handle_mkey_cleanup(dev, mr);
	tphsim_umem_release(mr);
	return pooled;
}

/**
 * mlx5_ib_reg_user_mr_dmabuf - register a dma-buf MR (ib_device_ops)
 * @pd: protection domain of the simulated IB device
 * @offset: offset into the dma-buf
 * @length: bytes
 * @virt_addr: iova
 * @fd: dma-buf file descriptor
 * @access_flags: IB_ACCESS_*
 * @dmah: DMA handle whose TPH settings take priority, or NULL
 * @attrs: unused
 *
 * Return: the MR (mkey in ->lkey) or ERR_PTR.
 */
noinline struct ib_mr *mlx5_ib_reg_user_mr_dmabuf(struct ib_pd *pd, u64 offset,
						  u64 length, u64 virt_addr,
						  int fd, int access_flags,
						  struct ib_dmah *dmah,
						  struct uverbs_attr_bundle *attrs)
{
	struct mlx5_ib_dev *dev = to_mdev(pd->device);
	u16 st_index = MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX;
	u8 req_type = PCI_TPH_REQ_DISABLE;
	struct mlx5_ib_dmah *mdmah;
	u8 ph = MLX5_IB_NO_PH;
	struct mlx5_ib_mr *mr;
	int err;

	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	tphsim_live_inc();
	mr->dev = dev;

	if ((access_flags & ~TPHSIM_IB_ACCESS_SUPPORTED) || !length) {
		err = -EINVAL;
		goto err_trace;
	}

	err = tphsim_umem_dmabuf_get(mr, offset, length, fd);
	if (err)
		goto err_umem;

	if (dmah) {
		mdmah = container_of(dmah, struct mlx5_ib_dmah, ibdmah);
		ph = dmah->ph;
		if (dmah->valid_fields & BIT(IB_DMAH_CPU_ID_EXISTS))
			st_index = mdmah->st_index;

#if TPHSIM_SHAPE >= 7
		/* v5 MRs take no reference for a DMAH's index */
		err = mlx5_ib_get_frmr_st_handle_ref(dev, st_index);
#endif
		/*
		 * The DMAH path does not need the requester type: it is read
		 * for the event only, and only while the event is enabled.
		 */
		if (trace_mlx5_ib_mr_tph_enabled())
			req_type = pcie_tph_enabled_req_type(dev->mdev->pdev);
		mlx5_ib_trace_mr_tph(dev, mr->dmabuf, req_type, false,
				     MLX5_IB_TPH_SRC_DMAH, 0, st_index, ph,
				     MLX5_IB_TPH_DMAH, err);
		if (err)
			goto err_umem;
	} else {
		get_tph_mr_dmabuf(dev, mr->dmabuf, &st_index, &ph);
	}

	err = mlx5_frmr_pool_alloc(dev, mr, st_index |
				   ((u64)ph << MLX5_FRMR_POOLS_KERNEL_KEY_PH_SHIFT));
	if (err) {
		if (TPHSIM_SHAPE >= 7 || !dmah)
			mlx5_ib_put_st_index_ref(dev, st_index);
		goto err_umem;
	}
#if TPHSIM_SHAPE == 5
	if (!dmah && st_index != MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX) {
		mr->dmabuf_st_index = st_index;
		mr->dmabuf_st_owned = 1;
	}
#endif
	mr->ibmr.rkey = mr->ibmr.lkey;
	mr->ibmr.device = pd->device;
	mr->ibmr.pd = pd;
	mr->ibmr.iova = virt_addr;
	mr->ibmr.length = length;

	/* mlx5_ib_init_dmabuf_mr(): map the pages under the resv lock */
	err = tphsim_mr_map(mr);
	if (err) {
		/* the event names the dma-buf: before it is released */
		mlx5_ib_trace_dmabuf_mr(dev, mr, length, access_flags, err);
		tphsim_mr_destroy(mr);
		goto err_free;
	}

	if (dmah)
		atomic_inc(&dmah->usecnt);
	mlx5_ib_trace_dmabuf_mr(dev, mr, length, access_flags, 0);
	return &mr->ibmr;

err_umem:
	mlx5_ib_trace_dmabuf_mr(dev, mr, length, access_flags, err);
	tphsim_umem_release(mr);
	goto err_free;
err_trace:
	mlx5_ib_trace_dmabuf_mr(dev, mr, length, access_flags, err);
err_free:
	kfree(mr);
	tphsim_live_dec();
	return ERR_PTR(err);
}

/**
 * mlx5_ib_dereg_mr - deregister an MR
 * @ibmr: the MR
 * @udata: unused
 *
 * Whether the mkey went back to the pool is left in the device's
 * last_dereg_pooled for the control interface.
 *
 * Return: 0.
 */
noinline int mlx5_ib_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata)
{
	struct mlx5_ib_mr *mr = container_of(ibmr, struct mlx5_ib_mr, ibmr);
	struct mlx5_ib_dev *dev = mr->dev;

	dev->last_dereg_pooled = tphsim_mr_destroy(mr);
	kfree(mr);
	tphsim_live_dec();
	return 0;
}

/**
 * mlx5_ib_alloc_dmah - set up a DMA handle
 * @ibdmah: the handle, fields filled by the caller
 * @cpu_tag: the steering tag the platform reports for @ibdmah->cpu_id
 *
 * Return: 0 or -errno.
 */
noinline int mlx5_ib_alloc_dmah(struct ib_dmah *ibdmah, u16 cpu_tag)
{
	struct mlx5_ib_dmah *dmah = container_of(ibdmah, struct mlx5_ib_dmah,
						 ibdmah);
	struct mlx5_ib_dev *dev = to_mdev(ibdmah->device);

	/* PH is a must for TPH following PCIe spec 6.2-1.0 */
	if (!(ibdmah->valid_fields & BIT(IB_DMAH_PH_EXISTS)))
		return -EINVAL;

	/* ST is optional; however, partial data for it is not allowed */
	if (ibdmah->valid_fields & BIT(IB_DMAH_CPU_ID_EXISTS)) {
		if (!(ibdmah->valid_fields & BIT(IB_DMAH_MEM_TYPE_EXISTS)))
			return -EINVAL;
		/* mlx5_st_alloc_index(): the platform's tag, then by tag */
		return mlx5_st_alloc_index_by_tag(dev->mdev, cpu_tag,
						  &dmah->st_index);
	}
	return 0;
}

noinline int mlx5_ib_dealloc_dmah(struct ib_dmah *ibdmah)
{
	struct mlx5_ib_dmah *dmah = container_of(ibdmah, struct mlx5_ib_dmah,
						 ibdmah);
	struct mlx5_ib_dev *dev = to_mdev(ibdmah->device);

	if (atomic_read(&ibdmah->usecnt))
		return -EBUSY;

	if (ibdmah->valid_fields & BIT(IB_DMAH_CPU_ID_EXISTS))
		return mlx5_st_dealloc_index(dev->mdev, dmah->st_index);
	return 0;
}

/* ------------------------------------------------------------------ */
/* NIC lifetime                                                        */

static void tphsim_dma_device_release(struct device *dev)
{
	kfree(dev);
}

static void tphsim_ib_device_release(struct device *d)
{
	struct ib_device *ibdev = container_of(d, struct ib_device, dev);

	kfree(to_mdev(ibdev));
}

struct mlx5_ib_dev *tphsim_nic_create(struct tphsim_nic_create *arg)
{
	struct mlx5_core_dev *mdev;
	struct tphsim_pcifn *fn;
	struct mlx5_ib_dev *dev;
	struct device *ddev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	ddev = kzalloc(sizeof(*ddev), GFP_KERNEL);
	if (!dev || !mdev || !ddev) {
		ret = -ENOMEM;
		goto err_free;
	}

	fn = tphsim_pcifn_create(arg->domain, arg->bus, arg->devfn);
	if (IS_ERR(fn)) {
		ret = PTR_ERR(fn);
		goto err_free;
	}
	fn->tph_cap = arg->req_cap != TPHSIM_TPH_NONE;
	fn->ext_cap = arg->req_cap == TPHSIM_TPH_EXT;
	fn->notph = arg->flags & TPHSIM_NIC_NOTPH;
	fn->st_modes = PCI_TPH_CAP_ST_NS | PCI_TPH_CAP_ST_IV | PCI_TPH_CAP_ST_DS;
	fn->rp_completer = arg->rp_completer;
	if (arg->st_mode == TPHSIM_ST_TABLE) {
		fn->st_loc = PCI_TPH_LOC_CAP;
		fn->st_size = arg->st_size;
		fn->st_table = kcalloc(arg->st_size, sizeof(u16), GFP_KERNEL);
		if (!fn->st_table) {
			tphsim_pcifn_destroy(fn);
			ret = -ENOMEM;
			goto err_free;
		}
	} else {
		fn->st_loc = PCI_TPH_LOC_NONE;
	}

	device_initialize(ddev);
	ddev->parent = tphsim_root;
	ddev->release = tphsim_dma_device_release;
	ddev->dma_mask = &ddev->coherent_dma_mask;
	ret = dev_set_name(ddev, "%04x:%02x:%02x.%d", arg->domain, arg->bus,
			   PCI_SLOT(arg->devfn), PCI_FUNC(arg->devfn));
	if (!ret)
		ret = dma_set_mask_and_coherent(ddev, DMA_BIT_MASK(64));
	if (!ret)
		ret = device_add(ddev);
	if (ret) {
		put_device(ddev);
		tphsim_pcifn_destroy(fn);
		kfree(mdev);
		kfree(dev);
		return ERR_PTR(ret);
	}

	mdev->device = ddev;
	mdev->pdev = &fn->pdev;
	mdev->fw_tph = !(arg->flags & TPHSIM_NIC_NO_FW_TPH);

	dev->mdev = mdev;
	dev->dma_device = ddev;
	dev->p2p = !(arg->flags & TPHSIM_NIC_NO_P2P);
	dev->pool_depth = arg->pool_depth;
	INIT_LIST_HEAD(&dev->pool);
	dev->pd.device = &dev->ib_dev;
	device_initialize(&dev->ib_dev.dev);
	dev->ib_dev.dev.release = tphsim_ib_device_release;
	ret = dev_set_name(&dev->ib_dev.dev, "%s", arg->ibdev);
	if (ret) {
		device_unregister(ddev);
		tphsim_pcifn_destroy(fn);
		kfree(mdev);
		put_device(&dev->ib_dev.dev);
		return ERR_PTR(ret);
	}

	if (arg->st_mode == TPHSIM_ST_NONE) {
		/*
		 * mlx5 without ST support while the function's TPH requester
		 * is enabled by someone else: st == NULL is then the only
		 * reason the tag cannot be used.
		 */
		if (fn->tph_cap)
			pcie_enable_tph(&fn->pdev, PCI_TPH_ST_DS_MODE);
	} else {
		mdev->st = mlx5_st_create(mdev);
	}

	arg->req_type = pcie_tph_enabled_req_type(&fn->pdev);
	arg->has_st = !!mdev->st;
	tphsim_live_inc();
	return dev;

err_free:
	kfree(ddev);
	kfree(mdev);
	kfree(dev);
	return ERR_PTR(ret);
}

void tphsim_nic_destroy(struct mlx5_ib_dev *dev)
{
	struct mlx5_core_dev *mdev = dev->mdev;
	struct tphsim_pcifn *fn = to_pcifn(mdev->pdev);

	mlx5_frmr_pools_cleanup(dev);
	if (mdev->st)
		mlx5_st_destroy(mdev);
	else
		pcie_disable_tph(mdev->pdev);
	device_unregister(dev->dma_device);
	tphsim_pcifn_destroy(fn);
	kfree(mdev);
	put_device(&dev->ib_dev.dev);
	tphsim_live_dec();
}
