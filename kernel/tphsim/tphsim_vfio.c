// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated dma-buf exporter: vfio-pci's dma-buf export with the TPH
 * series (drivers/vfio/pci/vfio_pci_dmabuf.c) in the shape of the build
 * (v5, v7 or v8+, see tphsim.h), backed by system pages instead of a BAR,
 * plus the dma-buf core's wrapper (v7 dma_buf_get_tph(), v8+
 * dma_buf_get_pci_tph()) that these kernels lack.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "tphsim.h"
#include "tphsim_trace_dma_buf.h"
#include "vfio_pci_trace.h"

MODULE_IMPORT_NS(TPHSIM_NS_DMA_BUF);

unsigned long tphsim_dmabuf_ino(struct dma_buf *dmabuf)
{
	return file_inode(dmabuf->file)->i_ino;
}

static int vfio_pci_dma_buf_attach(struct dma_buf *dmabuf,
				   struct dma_buf_attachment *attachment)
{
	struct vfio_pci_dma_buf *priv = dmabuf->priv;

	if (!attachment->peer2peer)
		return -EOPNOTSUPP;

	if (priv->revoked)
		return -ENODEV;

	return 0;
}

/*
 * A vfio dma-buf cannot be pinned, but the core only calls map_dma_buf()
 * on every dma_buf_map_attachment() (instead of once at attach time) for
 * exporters it considers dynamic, i.e. with pin/unpin. The simulator needs
 * the per-map call so that a revoked dma-buf fails to map with -ENODEV, as
 * on kernels where vfio exports MMIO; its pages never move, so pinning is
 * a no-op.
 */
static int vfio_pci_dma_buf_pin(struct dma_buf_attachment *attachment)
{
	return 0;
}

static void vfio_pci_dma_buf_unpin(struct dma_buf_attachment *attachment)
{
}

static struct sg_table *
vfio_pci_dma_buf_map(struct dma_buf_attachment *attachment,
		     enum dma_data_direction dir)
{
	struct vfio_pci_dma_buf *priv = attachment->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	dma_resv_assert_held(priv->dmabuf->resv);

	if (priv->revoked)
		return ERR_PTR(-ENODEV);

	ret = tphsim_fault_hit(&priv->owner->map_fault);
	if (ret)
		return ERR_PTR(ret);

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);

	ret = sg_alloc_table_from_pages(sgt, priv->pages, priv->nr_pages, 0,
					priv->size, GFP_KERNEL);
	if (ret)
		goto err_free;

	ret = dma_map_sgtable(attachment->dev, sgt, dir, 0);
	if (ret)
		goto err_table;

	atomic_inc(&priv->nr_mapped);
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void vfio_pci_dma_buf_unmap(struct dma_buf_attachment *attachment,
				   struct sg_table *sgt,
				   enum dma_data_direction dir)
{
	struct vfio_pci_dma_buf *priv = attachment->dmabuf->priv;

	dma_resv_assert_held(priv->dmabuf->resv);

	dma_unmap_sgtable(attachment->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
	atomic_dec(&priv->nr_mapped);
}

/*
 * The published value for one namespace, as every revision's callback
 * reads it: -EOPNOTSUPP when nothing is published for that namespace.
 */
static int tphsim_tph_lookup(struct vfio_pci_dma_buf *priv, bool extended,
			     u16 *steering_tag, u8 *ph)
{
	/* Fault injection only: the series' callback has no other error */
	int ret = tphsim_fault_hit(&priv->owner->query_fault);

	if (ret)
		return ret;
	if (extended) {
		if (!priv->tph_st_ext_valid)
			return -EOPNOTSUPP;
		*steering_tag = priv->tph_st_ext;
	} else {
		if (!priv->tph_st_valid)
			return -EOPNOTSUPP;
		*steering_tag = priv->tph_st;
	}
	*ph = priv->tph_ph;
	return 0;
}

static void tphsim_trace_query(struct dma_buf *dmabuf, bool extended, int ret)
{
	tphsim_count(TPHSIM_EV_VFIO_PCI_TPH_QUERY);
	trace_vfio_pci_tph_query(dmabuf->priv, extended, ret);
}

#if TPHSIM_SHAPE == 5
/**
 * vfio_pci_dma_buf_get_tph - dma_buf_ops.get_tph of vfio-pci (v5)
 * @dmabuf: DMA buffer to query
 * @steering_tag: returns the raw steering tag for @st_width
 * @ph: returns the processing hint
 * @st_width: the importer's steering tag width in bits, 8 or 16
 *
 * Called by the importer without the reservation lock: the TPH state is
 * read under the dma-buf's own mutex, as SET writes it.
 *
 * Return: 0, -EOPNOTSUPP if nothing is published for that width, -EINVAL
 * for a width other than 8 or 16.
 */
noinline int vfio_pci_dma_buf_get_tph(struct dma_buf *dmabuf, u16 *steering_tag,
				      u8 *ph, u8 st_width)
{
	struct vfio_pci_dma_buf *priv = dmabuf->priv;
	int ret;

	mutex_lock(&priv->lock);
	switch (st_width) {
	case 8:
	case 16:
		ret = tphsim_tph_lookup(priv, st_width == 16, steering_tag, ph);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	tphsim_trace_query(dmabuf, st_width == 16, ret);
	mutex_unlock(&priv->lock);
	return ret;
}
#else
/* v7 and v8+: the callback runs under the dma-buf's reservation lock */
static int tphsim_get_tph_locked(struct dma_buf *dmabuf, bool extended,
				 u16 *steering_tag, u8 *ph)
{
	int ret;

	dma_resv_assert_held(dmabuf->resv);
	ret = tphsim_tph_lookup(dmabuf->priv, extended, steering_tag, ph);
	tphsim_trace_query(dmabuf, extended, ret);
	return ret;
}

#if TPHSIM_SHAPE == 7
/**
 * vfio_pci_dma_buf_get_tph - dma_buf_ops.get_tph of vfio-pci (v7)
 * @dmabuf: DMA buffer to query
 * @extended: false for the 8-bit ST, true for the 16-bit Extended ST
 * @steering_tag: returns the tag of the requested namespace
 * @ph: returns the processing hint
 *
 * Called with the dma-buf's reservation lock held.
 *
 * Return: 0, or -EOPNOTSUPP if nothing is published for that namespace.
 */
noinline int vfio_pci_dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,
				      u16 *steering_tag, u8 *ph)
{
	return tphsim_get_tph_locked(dmabuf, extended, steering_tag, ph);
}
#else
/**
 * vfio_pci_dma_buf_get_pci_tph - dma_buf_ops.get_pci_tph of vfio-pci (v8+)
 * @dmabuf: DMA buffer to query
 * @extended: false for the 8-bit ST, true for the 16-bit Extended ST
 * @steering_tag: returns the tag of the requested namespace
 * @ph: returns the processing hint
 *
 * Called with the dma-buf's reservation lock held.
 *
 * Return: 0, or -EOPNOTSUPP if nothing is published for that namespace.
 */
noinline int vfio_pci_dma_buf_get_pci_tph(struct dma_buf *dmabuf, bool extended,
					  u16 *steering_tag, u8 *ph)
{
	return tphsim_get_tph_locked(dmabuf, extended, steering_tag, ph);
}
#endif
#endif

static void vfio_pci_dma_buf_release(struct dma_buf *dmabuf)
{
	struct vfio_pci_dma_buf *priv = dmabuf->priv;
	struct vfio_pci_core_device *owner = priv->owner;
	unsigned int i;

	/* Either this or vfio_pci_dma_buf_cleanup() removes it from the list */
	mutex_lock(&owner->lock);
	list_del_init(&priv->dmabufs_elm);
	mutex_unlock(&owner->lock);

	for (i = 0; i < priv->nr_pages; i++)
		__free_page(priv->pages[i]);
	kvfree(priv->pages);
#if TPHSIM_SHAPE == 5
	mutex_destroy(&priv->lock);
#endif
	kfree(priv);
	tphsim_live_dec();
	tphsim_exporter_put(owner);
}

static const struct dma_buf_ops vfio_pci_dmabuf_ops = {
	.attach = vfio_pci_dma_buf_attach,
	.pin = vfio_pci_dma_buf_pin,
	.unpin = vfio_pci_dma_buf_unpin,
	.map_dma_buf = vfio_pci_dma_buf_map,
	.unmap_dma_buf = vfio_pci_dma_buf_unmap,
	.release = vfio_pci_dma_buf_release,
};

/*
 * Another exporter of the same shape that does not implement get_tph(),
 * e.g. a driver the series did not touch: dma_buf_get_tph() answers
 * -EOPNOTSUPP for it and VFIO's SET rejects its dma-bufs as foreign.
 */
static const struct dma_buf_ops tphsim_plain_dmabuf_ops = {
	.attach = vfio_pci_dma_buf_attach,
	.pin = vfio_pci_dma_buf_pin,
	.unpin = vfio_pci_dma_buf_unpin,
	.map_dma_buf = vfio_pci_dma_buf_map,
	.unmap_dma_buf = vfio_pci_dma_buf_unmap,
	.release = vfio_pci_dma_buf_release,
};

/*
 * struct dma_buf_ops of these kernels has no get_tph (v5, v7) or
 * get_pci_tph (v8+) member: it is emulated by this table, which maps an
 * exporter's ops to its callback.
 */
static const struct {
	const struct dma_buf_ops *ops;
	tphsim_get_tph_fn get_tph;
} tphsim_get_tph_ops[] = {
#if TPHSIM_SHAPE >= 8
	{ &vfio_pci_dmabuf_ops, vfio_pci_dma_buf_get_pci_tph },
#else
	{ &vfio_pci_dmabuf_ops, vfio_pci_dma_buf_get_tph },
#endif
};

tphsim_get_tph_fn tphsim_dma_buf_get_tph_op(struct dma_buf *dmabuf)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tphsim_get_tph_ops); i++)
		if (dmabuf->ops == tphsim_get_tph_ops[i].ops)
			return tphsim_get_tph_ops[i].get_tph;
	return NULL;
}

#if TPHSIM_SHAPE >= 7
/* The wrapper's body, the same in v7 and v8+ but for the names. */
static int tphsim_dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,
				  u16 *steering_tag, u8 *ph)
{
	tphsim_get_tph_fn get_tph = tphsim_dma_buf_get_tph_op(dmabuf);
	int ret;

	dma_resv_assert_held(dmabuf->resv);
	/* lockdep is off in distribution kernels: check the lock itself */
	WARN_ON_ONCE(!ww_mutex_is_locked(&dmabuf->resv->lock));

	if (!get_tph)
		ret = -EOPNOTSUPP;
	else
		ret = get_tph(dmabuf, extended, steering_tag, ph);

	tphsim_count(TPHSIM_EV_DMA_BUF_TPH_QUERY);
	trace_dma_buf_get_pci_tph(dmabuf, extended, steering_tag, ph, ret);
	return ret;
}
#endif

#if TPHSIM_SHAPE == 7
/**
 * dma_buf_get_tph - Retrieve TPH metadata from an exporter (v7 wrapper)
 * @dmabuf: DMA buffer to query
 * @extended: false for 8-bit ST, true for 16-bit Extended ST
 * @steering_tag: returns the raw steering tag for the requested namespace
 * @ph: returns the TPH processing hint
 *
 * Must be called with &dma_buf.resv held.
 *
 * Return: the callback's result, or -EOPNOTSUPP if the exporter does not
 * implement it.
 */
noinline int dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,
			     u16 *steering_tag, u8 *ph)
{
	return tphsim_dma_buf_get_tph(dmabuf, extended, steering_tag, ph);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_get_tph, TPHSIM_NS_DMA_BUF);
#elif TPHSIM_SHAPE >= 8
/**
 * dma_buf_get_pci_tph - Retrieve PCIe TLP Processing Hint (TPH) metadata
 * @dmabuf: DMA buffer to query
 * @extended: false for 8-bit ST, true for 16-bit Extended ST
 * @steering_tag: returns the raw steering tag for the requested namespace
 * @ph: returns the TPH processing hint
 *
 * The v8+ wrapper for &dma_buf_ops.get_pci_tph. Must be called with
 * &dma_buf.resv held.
 *
 * Return: the callback's result, or -EOPNOTSUPP if the exporter does not
 * implement it.
 */
noinline int dma_buf_get_pci_tph(struct dma_buf *dmabuf, bool extended,
				 u16 *steering_tag, u8 *ph)
{
	return tphsim_dma_buf_get_tph(dmabuf, extended, steering_tag, ph);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_get_pci_tph, TPHSIM_NS_DMA_BUF);
#endif

void tphsim_query_lock(struct dma_buf *dmabuf)
{
	if (TPHSIM_SHAPE >= 7)
		dma_resv_lock(dmabuf->resv, NULL);
}

void tphsim_query_unlock(struct dma_buf *dmabuf)
{
	if (TPHSIM_SHAPE >= 7)
		dma_resv_unlock(dmabuf->resv);
}

int tphsim_query_tph(struct dma_buf *dmabuf, bool extended, u16 *steering_tag,
		     u8 *ph)
{
#if TPHSIM_SHAPE == 5
	tphsim_get_tph_fn get_tph = tphsim_dma_buf_get_tph_op(dmabuf);

	if (!get_tph)
		return -EOPNOTSUPP;
	return get_tph(dmabuf, steering_tag, ph, extended ? 16 : 8);
#elif TPHSIM_SHAPE == 7
	return dma_buf_get_tph(dmabuf, extended, steering_tag, ph);
#else
	return dma_buf_get_pci_tph(dmabuf, extended, steering_tag, ph);
#endif
}

static int tphsim_check_feature(u32 flags, size_t argsz, u32 supported_ops,
				size_t minsz)
{
	if ((flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)) &
	    ~supported_ops)
		return -EINVAL;
	if (flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	/* Without PROBE one of GET or SET must be requested */
	if (!(flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)))
		return -EINVAL;
	if (argsz < minsz)
		return -EINVAL;
	return 1;
}

static void tphsim_trace_set(struct vfio_pci_core_device *vdev,
			     const struct vfio_device_feature_dma_buf_tph *s,
			     struct dma_buf *dmabuf, int ret)
{
	tphsim_count(TPHSIM_EV_VFIO_PCI_TPH_SET);
	trace_vfio_pci_tph_set(vdev, s, dmabuf,
			       pcie_tph_completer_type(vdev->pdev), ret);
}

/* Store a SET's values: both namespaces' validity come from its flags. */
static void tphsim_store_tph(struct vfio_pci_dma_buf *priv,
			     const struct vfio_device_feature_dma_buf_tph *set_tph)
{
	priv->tph_st = set_tph->steering_tag;
	priv->tph_st_ext = set_tph->steering_tag_ext;
	priv->tph_ph = set_tph->ph;
	priv->tph_st_valid = !!(set_tph->flags & VFIO_DMA_BUF_TPH_ST);
	priv->tph_st_ext_valid = !!(set_tph->flags & VFIO_DMA_BUF_TPH_ST_EXT);
}

/**
 * vfio_pci_core_feature_dma_buf_tph - VFIO_DEVICE_FEATURE_DMA_BUF_TPH
 * @vdev: the exporting device
 * @flags: VFIO_DEVICE_FEATURE_* of the request
 * @arg: user payload
 * @argsz: bytes available at @arg
 *
 * The checks in the order of the build's revision:
 *   v5:  feature flags (PROBE -> 0), payload copy, undefined flag bits,
 *        @flags == 0, PH range, dma-buf lookup, foreign exporter, other
 *        device (under the dma-buf's mutex); no completer check
 *   v7:  feature flags, payload copy, undefined flag bits, PH range,
 *        completer none, extended ST without the extended completer,
 *        dma-buf lookup, foreign exporter, other device
 *   v8+: completer none first (PROBE fails too: "Make PROBE follow the
 *        same hardware gate"), then as v7 without it
 * From v7 on @flags == 0 clears both namespaces and the values are stored
 * under the dma-buf's reservation lock. vfio_pci_tph_set fires for every
 * SET (not PROBE) that gets past the feature flags; before the payload
 * is copied it carries zeros, before the dma-buf is resolved no dma-buf.
 *
 * Return: 0 or -errno.
 */
noinline int
vfio_pci_core_feature_dma_buf_tph(struct vfio_pci_core_device *vdev,
				  u32 flags,
				  struct vfio_device_feature_dma_buf_tph __user *arg,
				  size_t argsz)
{
	struct vfio_device_feature_dma_buf_tph set_tph = {};
	struct vfio_pci_dma_buf *priv;
	struct dma_buf *dmabuf = NULL;
	u8 comp = pcie_tph_completer_type(vdev->pdev);
	int ret;

	if (TPHSIM_SHAPE >= 8 && comp == PCI_EXP_DEVCAP2_TPH_COMP_NONE) {
		ret = -EOPNOTSUPP;
		if (!(flags & VFIO_DEVICE_FEATURE_SET) ||
		    (flags & VFIO_DEVICE_FEATURE_PROBE))
			return ret;
		goto out;
	}

	ret = tphsim_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				   sizeof(set_tph));
	if (ret != 1)
		return ret;

	if (copy_from_user(&set_tph, arg, sizeof(set_tph)))
		return -EFAULT;

	if (set_tph.flags & ~(VFIO_DMA_BUF_TPH_ST | VFIO_DMA_BUF_TPH_ST_EXT)) {
		ret = -EINVAL;
		goto out;
	}

	/*
	 * v5 refused to clear; dropped in v6 at review ("blocks the path to
	 * marking both steering tags invalid")
	 */
	if (TPHSIM_SHAPE == 5 && !set_tph.flags) {
		ret = -EINVAL;
		goto out;
	}

	if (set_tph.ph & ~0x3) {
		ret = -EINVAL;
		goto out;
	}

	if (TPHSIM_SHAPE == 7 && comp == PCI_EXP_DEVCAP2_TPH_COMP_NONE) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (TPHSIM_SHAPE >= 7 && (set_tph.flags & VFIO_DMA_BUF_TPH_ST_EXT) &&
	    comp != PCI_EXP_DEVCAP2_TPH_COMP_EXT_TPH) {
		ret = -EOPNOTSUPP;
		goto out;
	}

	dmabuf = dma_buf_get(set_tph.dmabuf_fd);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		dmabuf = NULL;
		goto out;
	}

	if (dmabuf->ops != &vfio_pci_dmabuf_ops) {
		ret = -EINVAL;
		goto out;
	}

	priv = dmabuf->priv;
#if TPHSIM_SHAPE == 5
	mutex_lock(&priv->lock);
	if (priv->vdev != vdev) {
		ret = -EINVAL;
	} else {
		tphsim_store_tph(priv, &set_tph);
		ret = 0;
	}
	mutex_unlock(&priv->lock);
#else
	if (priv->vdev != vdev) {
		ret = -EINVAL;
		goto out;
	}

	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret)
		goto out;
	tphsim_store_tph(priv, &set_tph);
	dma_resv_unlock(dmabuf->resv);
#endif

out:
	/* before the put: the event reads the dma-buf */
	tphsim_trace_set(vdev, &set_tph, dmabuf, ret);
	if (dmabuf)
		dma_buf_put(dmabuf);
	return ret;
}

static void tphsim_revoke_locked(struct vfio_pci_dma_buf *priv, bool revoked,
				 bool gone)
{
#if TPHSIM_SHAPE == 5
	/* v5: the vdev clear is serialized with SET by the dma-buf's mutex */
	if (gone) {
		mutex_lock(&priv->lock);
		priv->vdev = NULL;
		mutex_unlock(&priv->lock);
	}
#endif
	dma_resv_lock(priv->dmabuf->resv, NULL);
	if (TPHSIM_SHAPE >= 7 && gone)
		priv->vdev = NULL;
	if (priv->revoked != revoked) {
		priv->revoked = revoked;
		if (revoked)
			dma_buf_invalidate_mappings(priv->dmabuf);
	}
	dma_resv_unlock(priv->dmabuf->resv);

	if (revoked && atomic_read(&priv->nr_mapped))
		pr_warn("tphsim: %s: %d mapping(s) left after invalidation, importer has a broken move_notify()\n",
			priv->exp_name, atomic_read(&priv->nr_mapped));
}

/**
 * vfio_pci_dma_buf_move - revoke or restore every dma-buf of a device
 * @vdev: the exporting device
 * @revoked: true when memory gets disabled (importers are notified)
 */
noinline void vfio_pci_dma_buf_move(struct vfio_pci_core_device *vdev,
				    bool revoked)
{
	struct vfio_pci_dma_buf *priv;

	mutex_lock(&vdev->lock);
	vdev->revoked = revoked;
	list_for_each_entry(priv, &vdev->dmabufs, dmabufs_elm)
		tphsim_revoke_locked(priv, revoked, false);
	mutex_unlock(&vdev->lock);
}

/**
 * vfio_pci_dma_buf_cleanup - the device goes away: revoke its dma-bufs for
 * good and detach them from it (priv->vdev becomes NULL)
 * @vdev: the exporting device
 */
noinline void vfio_pci_dma_buf_cleanup(struct vfio_pci_core_device *vdev)
{
	struct vfio_pci_dma_buf *priv, *tmp;

	mutex_lock(&vdev->lock);
	vdev->revoked = true;
	list_for_each_entry_safe(priv, tmp, &vdev->dmabufs, dmabufs_elm) {
		/*
		 * A dma-buf whose release waits for vdev->lock is still
		 * fully valid here and has no attachments left.
		 */
		tphsim_revoke_locked(priv, true, true);
		list_del_init(&priv->dmabufs_elm);
	}
	mutex_unlock(&vdev->lock);
}

static void tphsim_exporter_free(struct kref *kref)
{
	struct vfio_pci_core_device *vdev =
		container_of(kref, struct vfio_pci_core_device, kref);

	mutex_destroy(&vdev->lock);
	tphsim_pcifn_destroy(vdev->fn);
	kfree(vdev);
	tphsim_live_dec();
}

void tphsim_exporter_put(struct vfio_pci_core_device *vdev)
{
	kref_put(&vdev->kref, tphsim_exporter_free);
}

struct vfio_pci_core_device *
tphsim_exporter_create(const struct tphsim_exporter_create *arg)
{
	struct vfio_pci_core_device *vdev;
	struct tphsim_pcifn *fn;

	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return ERR_PTR(-ENOMEM);

	fn = tphsim_pcifn_create(arg->domain, arg->bus, arg->devfn);
	if (IS_ERR(fn)) {
		kfree(vdev);
		return ERR_CAST(fn);
	}
	fn->completer = arg->completer;

	vdev->fn = fn;
	vdev->pdev = &fn->pdev;
	vdev->kind = arg->kind;
	strscpy(vdev->name, arg->name, sizeof(vdev->name));
	mutex_init(&vdev->lock);
	INIT_LIST_HEAD(&vdev->dmabufs);
	kref_init(&vdev->kref);
	tphsim_live_inc();
	return vdev;
}

/**
 * tphsim_export - export a dma-buf of @size bytes backed by system pages
 * @vdev: the exporting device
 * @size: bytes, page aligned
 *
 * Return: the dma-buf (one reference, owned by the caller) or ERR_PTR.
 */
struct dma_buf *tphsim_export(struct vfio_pci_core_device *vdev, size_t size)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct vfio_pci_dma_buf *priv;
	struct dma_buf *dmabuf;
	unsigned int i;
	int ret;

	priv = kzalloc(sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return ERR_PTR(-ENOMEM);
	tphsim_live_inc();
#if TPHSIM_SHAPE == 5
	mutex_init(&priv->lock);
#endif

	priv->nr_pages = size >> PAGE_SHIFT;
	priv->pages = kvcalloc(priv->nr_pages, sizeof(*priv->pages),
			       GFP_KERNEL);
	if (!priv->pages) {
		ret = -ENOMEM;
		goto err_priv;
	}
	for (i = 0; i < priv->nr_pages; i++) {
		priv->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!priv->pages[i]) {
			ret = -ENOMEM;
			goto err_pages;
		}
	}

	priv->size = size;
	priv->nr_ranges = 1;
	priv->vdev = vdev;
	priv->owner = vdev;
	INIT_LIST_HEAD(&priv->dmabufs_elm);
	strscpy(priv->exp_name, vdev->name, sizeof(priv->exp_name));

	exp_info.ops = vdev->kind == TPHSIM_EXP_PLAIN ?
		       &tphsim_plain_dmabuf_ops : &vfio_pci_dmabuf_ops;
	exp_info.exp_name = priv->exp_name;
	exp_info.size = size;
	exp_info.flags = O_RDWR;
	exp_info.priv = priv;

	kref_get(&vdev->kref);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		kref_put(&vdev->kref, tphsim_exporter_free);
		goto err_pages;
	}
	/* From here on release() frees priv and drops the vdev reference */
	priv->dmabuf = dmabuf;

	mutex_lock(&vdev->lock);
	priv->revoked = vdev->revoked;
	list_add_tail(&priv->dmabufs_elm, &vdev->dmabufs);
	mutex_unlock(&vdev->lock);

	tphsim_upstream_tp(dma_buf_export, TPHSIM_EV_DMA_BUF_EXPORT, dmabuf);
	return dmabuf;

err_pages:
	while (i--)
		__free_page(priv->pages[i]);
	kvfree(priv->pages);
err_priv:
#if TPHSIM_SHAPE == 5
	mutex_destroy(&priv->lock);
#endif
	kfree(priv);
	tphsim_live_dec();
	return ERR_PTR(ret);
}
