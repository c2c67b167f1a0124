// SPDX-License-Identifier: GPL-2.0
/*
 * tphsim: hardware-free simulator of PCIe TPH on peer-to-peer dma-bufs.
 *
 * /dev/tphsim control interface (tphsim_uapi.h). Each open file is a
 * context owning the objects created through it; closing it tears them
 * down (MRs, DMA handles, NICs, exporters, in that order). Every ioctl
 * argument is validated: unknown commands get -ENOTTY, bad pointers
 * -EFAULT, non-zero reserved fields or out of range values -EINVAL,
 * unknown handles -ENOENT, objects still in use -EBUSY.
 */
#include <linux/build_bug.h>
#include <linux/compat.h>
#include <linux/ctype.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "tphsim.h"

#define TPHSIM_MAX_DMABUF_SIZE	(64UL << 20)
#define TPHSIM_MAX_ST_SIZE	2048
#define TPHSIM_MAX_POOL_DEPTH	1024
#define TPHSIM_BURST_BATCH	256

struct device *tphsim_root;
atomic64_t tphsim_fired[TPHSIM_EV_MAX];
atomic_t tphsim_live = ATOMIC_INIT(0);
const struct tphsim_upstream_tp __rcu *tphsim_upstream;
static DEFINE_MUTEX(tphsim_upstream_lock);

/* tphsim_dmabuf_tp.ko: its trace callbacks, see tphsim_upstream_tp.h */
int tphsim_register_upstream_tp(const struct tphsim_upstream_tp *tp)
{
	int ret = 0;

	mutex_lock(&tphsim_upstream_lock);
	if (rcu_access_pointer(tphsim_upstream))
		ret = -EBUSY;
	else
		rcu_assign_pointer(tphsim_upstream, tp);
	mutex_unlock(&tphsim_upstream_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(tphsim_register_upstream_tp);

void tphsim_unregister_upstream_tp(const struct tphsim_upstream_tp *tp)
{
	mutex_lock(&tphsim_upstream_lock);
	if (rcu_access_pointer(tphsim_upstream) == tp)
		RCU_INIT_POINTER(tphsim_upstream, NULL);
	mutex_unlock(&tphsim_upstream_lock);
	/* no callback of the leaving module runs after this */
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(tphsim_unregister_upstream_tp);

enum tphsim_obj_type {
	TPHSIM_OBJ_EXPORTER = 1,
	TPHSIM_OBJ_NIC,
	TPHSIM_OBJ_DMAH,
	TPHSIM_OBJ_MR,
};

struct tphsim_obj {
	enum tphsim_obj_type type;
	u32 handle;
	u32 users;			/* DMAHs and MRs of a NIC, MRs of a DMAH */
	struct tphsim_obj *nic;		/* DMAH, MR */
	struct tphsim_obj *dmah;	/* MR, optional */
	union {
		struct vfio_pci_core_device *vdev;
		struct mlx5_ib_dev *dev;
		struct mlx5_ib_dmah *mdmah;
		struct mlx5_ib_mr *mr;
	};
};

struct tphsim_ctx {
	struct mutex lock;		/* serializes this context's ioctls */
	struct xarray objs;		/* handle -> struct tphsim_obj */
};

int tphsim_check_name(const char *name)
{
	size_t len = strnlen(name, TPHSIM_NAME_LEN);
	size_t i;

	if (!len || len == TPHSIM_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.' && c != ':')
			return -EINVAL;
	}
	for (; i < TPHSIM_NAME_LEN; i++)
		if (name[i])
			return -EINVAL;
	return 0;
}

static bool tphsim_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static bool tphsim_tph_type_ok(u8 t)
{
	return t == TPHSIM_TPH_NONE || t == TPHSIM_TPH_ONLY ||
	       t == TPHSIM_TPH_EXT;
}

static struct tphsim_obj *tphsim_get(struct tphsim_ctx *ctx, u32 handle,
				     enum tphsim_obj_type type)
{
	struct tphsim_obj *obj = xa_load(&ctx->objs, handle);

	if (!obj)
		return ERR_PTR(-ENOENT);
	if (obj->type != type)
		return ERR_PTR(-EINVAL);
	return obj;
}

static struct tphsim_obj *tphsim_obj_new(struct tphsim_ctx *ctx,
					 enum tphsim_obj_type type)
{
	struct tphsim_obj *obj;
	int ret;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	ret = xa_alloc(&ctx->objs, &obj->handle, obj,
		       XA_LIMIT(1, INT_MAX), GFP_KERNEL);
	if (ret) {
		kfree(obj);
		return ERR_PTR(ret);
	}
	tphsim_live_inc();
	return obj;
}

static void tphsim_obj_free(struct tphsim_ctx *ctx, struct tphsim_obj *obj)
{
	xa_erase(&ctx->objs, obj->handle);
	kfree(obj);
	tphsim_live_dec();
}

/* Destroy one object; its users must be gone. */
static int tphsim_obj_destroy(struct tphsim_ctx *ctx, struct tphsim_obj *obj,
			      bool *pooled)
{
	int ret = 0;

	if (obj->users)
		return -EBUSY;

	switch (obj->type) {
	case TPHSIM_OBJ_MR:
		mlx5_ib_dereg_mr(&obj->mr->ibmr, NULL);
		if (pooled)
			*pooled = obj->nic->dev->last_dereg_pooled;
		if (obj->dmah) {
			atomic_dec(&obj->dmah->mdmah->ibdmah.usecnt);
			obj->dmah->users--;
		}
		obj->nic->users--;
		break;
	case TPHSIM_OBJ_DMAH:
		ret = mlx5_ib_dealloc_dmah(&obj->mdmah->ibdmah);
		kfree(obj->mdmah);
		tphsim_live_dec();
		obj->nic->users--;
		break;
	case TPHSIM_OBJ_NIC:
		tphsim_nic_destroy(obj->dev);
		break;
	case TPHSIM_OBJ_EXPORTER:
		vfio_pci_dma_buf_cleanup(obj->vdev);
		tphsim_exporter_put(obj->vdev);
		break;
	}
	tphsim_obj_free(ctx, obj);
	return ret;
}

static long tphsim_ioc_exporter_create(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_exporter_create *arg = buf;
	struct vfio_pci_core_device *vdev;
	struct tphsim_obj *obj;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) || arg->pad ||
	    arg->handle)
		return -EINVAL;
	if (tphsim_check_name(arg->name) || arg->domain > 0xffff ||
	    arg->completer > 3 || arg->kind > TPHSIM_EXP_PLAIN)
		return -EINVAL;

	obj = tphsim_obj_new(ctx, TPHSIM_OBJ_EXPORTER);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	vdev = tphsim_exporter_create(arg);
	if (IS_ERR(vdev)) {
		tphsim_obj_free(ctx, obj);
		return PTR_ERR(vdev);
	}
	obj->vdev = vdev;
	arg->handle = obj->handle;
	return 0;
}

static long tphsim_ioc_export(struct tphsim_ctx *ctx, void *buf,
			      void __user *uarg)
{
	struct tphsim_export *arg = buf;
	struct tphsim_obj *obj;
	struct dma_buf *dmabuf;
	int fd;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) || arg->pad ||
	    arg->fd || arg->ino)
		return -EINVAL;
	if (arg->fd_flags & ~O_CLOEXEC)
		return -EINVAL;
	if (!arg->size || arg->size > TPHSIM_MAX_DMABUF_SIZE ||
	    !PAGE_ALIGNED(arg->size))
		return -EINVAL;

	obj = tphsim_get(ctx, arg->exporter, TPHSIM_OBJ_EXPORTER);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	dmabuf = tphsim_export(obj->vdev, arg->size);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	fd = get_unused_fd_flags(arg->fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	arg->fd = fd;
	arg->ino = tphsim_dmabuf_ino(dmabuf);
	if (copy_to_user(uarg, arg, sizeof(*arg))) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	tphsim_upstream_tp(dma_buf_fd, TPHSIM_EV_DMA_BUF_FD, dmabuf, fd);
	/* The file now belongs to user space: no access after this */
	fd_install(fd, dmabuf->file);
	return 0;
}

static long tphsim_ioc_feature(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_feature *arg = buf;
	struct tphsim_obj *obj;
	u32 flags = arg->flags;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;
	/* vfio_ioctl_device_feature() */
	if (flags & ~(VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	/* GET & SET are mutually exclusive except with PROBE */
	if (!(flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (flags & VFIO_DEVICE_FEATURE_SET) &&
	    (flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;
	if (arg->argsz > INT_MAX)
		return -EINVAL;

	obj = tphsim_get(ctx, arg->exporter, TPHSIM_OBJ_EXPORTER);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (obj->vdev->kind != TPHSIM_EXP_VFIO)
		return -ENOTTY;

	switch (flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_DMA_BUF_TPH:
		return vfio_pci_core_feature_dma_buf_tph(obj->vdev, flags,
							 u64_to_user_ptr(arg->data),
							 arg->argsz);
	default:
		return -ENOTTY;
	}
}

static long tphsim_ioc_revoke(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_revoke *arg = buf;
	struct tphsim_obj *obj;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) ||
	    arg->revoked > 1)
		return -EINVAL;
	obj = tphsim_get(ctx, arg->exporter, TPHSIM_OBJ_EXPORTER);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	vfio_pci_dma_buf_move(obj->vdev, arg->revoked);
	return 0;
}

static long tphsim_ioc_nic_create(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_nic_create *arg = buf;
	struct tphsim_obj *obj;
	struct mlx5_ib_dev *dev;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) || arg->pad0 ||
	    arg->pad1 || arg->handle || arg->req_type || arg->has_st)
		return -EINVAL;
	if (tphsim_check_name(arg->ibdev) || arg->domain > 0xffff ||
	    !tphsim_tph_type_ok(arg->req_cap) ||
	    !tphsim_tph_type_ok(arg->rp_completer) ||
	    (arg->flags & ~TPHSIM_NIC_FLAGS) ||
	    arg->pool_depth > TPHSIM_MAX_POOL_DEPTH)
		return -EINVAL;
	switch (arg->st_mode) {
	case TPHSIM_ST_NONE:
	case TPHSIM_ST_DIRECT:
		if (arg->st_size)
			return -EINVAL;
		break;
	case TPHSIM_ST_TABLE:
		if (!arg->st_size || arg->st_size > TPHSIM_MAX_ST_SIZE)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	obj = tphsim_obj_new(ctx, TPHSIM_OBJ_NIC);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	dev = tphsim_nic_create(arg);
	if (IS_ERR(dev)) {
		tphsim_obj_free(ctx, obj);
		return PTR_ERR(dev);
	}
	obj->dev = dev;
	arg->handle = obj->handle;
	return 0;
}

static long tphsim_ioc_dmah_create(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_dmah_create *arg = buf;
	struct tphsim_obj *nic, *obj;
	struct mlx5_ib_dmah *mdmah;
	int ret;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) || arg->pad ||
	    arg->handle || arg->st_index)
		return -EINVAL;
	if ((arg->flags & ~(TPHSIM_DMAH_CPU | TPHSIM_DMAH_PH)) ||
	    arg->ph > 3 || arg->mem_type > TPH_MEM_TYPE_PM)
		return -EINVAL;

	nic = tphsim_get(ctx, arg->nic, TPHSIM_OBJ_NIC);
	if (IS_ERR(nic))
		return PTR_ERR(nic);

	mdmah = kzalloc(sizeof(*mdmah), GFP_KERNEL);
	if (!mdmah)
		return -ENOMEM;
	tphsim_live_inc();
	mdmah->ibdmah.device = &nic->dev->ib_dev;
	if (arg->flags & TPHSIM_DMAH_CPU) {
		mdmah->ibdmah.cpu_id = arg->cpu_id;
		mdmah->ibdmah.mem_type = arg->mem_type;
		mdmah->ibdmah.valid_fields |= BIT(IB_DMAH_CPU_ID_EXISTS) |
					      BIT(IB_DMAH_MEM_TYPE_EXISTS);
	}
	if (arg->flags & TPHSIM_DMAH_PH) {
		mdmah->ibdmah.ph = arg->ph;
		mdmah->ibdmah.valid_fields |= BIT(IB_DMAH_PH_EXISTS);
	}

	ret = mlx5_ib_alloc_dmah(&mdmah->ibdmah, arg->cpu_tag);
	if (ret)
		goto err_free;

	obj = tphsim_obj_new(ctx, TPHSIM_OBJ_DMAH);
	if (IS_ERR(obj)) {
		mlx5_ib_dealloc_dmah(&mdmah->ibdmah);
		ret = PTR_ERR(obj);
		goto err_free;
	}
	obj->mdmah = mdmah;
	obj->nic = nic;
	nic->users++;
	arg->handle = obj->handle;
	arg->st_index = mdmah->st_index;
	return 0;

err_free:
	kfree(mdmah);
	tphsim_live_dec();
	return ret;
}

static long tphsim_ioc_mr_reg(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_mr_reg *arg = buf;
	struct tphsim_obj *nic, *dmah = NULL, *obj;
	struct ib_dmah *ibdmah = NULL;
	struct mlx5_ib_mr *mr;
	struct ib_mr *ibmr;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) || arg->pad ||
	    arg->handle || arg->mkey || arg->ino || arg->st_index ||
	    arg->ph || arg->reused)
		return -EINVAL;

	nic = tphsim_get(ctx, arg->nic, TPHSIM_OBJ_NIC);
	if (IS_ERR(nic))
		return PTR_ERR(nic);
	if (arg->dmah) {
		dmah = tphsim_get(ctx, arg->dmah, TPHSIM_OBJ_DMAH);
		if (IS_ERR(dmah))
			return PTR_ERR(dmah);
		if (dmah->nic != nic)
			return -EINVAL;
		ibdmah = &dmah->mdmah->ibdmah;
	}

	obj = tphsim_obj_new(ctx, TPHSIM_OBJ_MR);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	ibmr = mlx5_ib_reg_user_mr_dmabuf(&nic->dev->pd, arg->offset,
					  arg->length, arg->iova, arg->fd,
					  arg->access, ibdmah, NULL);
	if (IS_ERR(ibmr)) {
		tphsim_obj_free(ctx, obj);
		return PTR_ERR(ibmr);
	}
	mr = container_of(ibmr, struct mlx5_ib_mr, ibmr);
	obj->mr = mr;
	obj->nic = nic;
	nic->users++;
	if (dmah) {
		obj->dmah = dmah;
		dmah->users++;
	}

	arg->handle = obj->handle;
	arg->mkey = ibmr->lkey;
	arg->ino = mr->ino;
	arg->st_index = mlx5_mr_st_index(mr);
	arg->ph = mlx5_mr_ph(mr);
	arg->reused = mr->frmr_reused;
	return 0;
}

static int tphsim_mr_args(struct tphsim_ctx *ctx, struct tphsim_mr_info *arg,
			  struct tphsim_obj **obj)
{
	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) ||
	    !tphsim_zero(&arg->mkey, offsetof(struct tphsim_mr_info, reserved) -
				     offsetof(struct tphsim_mr_info, mkey)))
		return -EINVAL;
	*obj = tphsim_get(ctx, arg->handle, TPHSIM_OBJ_MR);
	return PTR_ERR_OR_ZERO(*obj);
}

static void tphsim_mr_fill(struct tphsim_obj *obj, struct tphsim_mr_info *arg)
{
	struct mlx5_ib_mr *mr = obj->mr;

	arg->mkey = mr->ibmr.lkey;
	arg->ino = mr->ino;
	arg->st_index = mlx5_mr_st_index(mr);
	arg->ph = mlx5_mr_ph(mr);
	arg->reused = mr->frmr_reused;
	arg->st_tag = tphsim_st_entry(obj->nic->dev->mdev, arg->st_index);
	dma_resv_lock(mr->dmabuf->resv, NULL);
	arg->mapped = !!mr->sgt;
	arg->invalidations = mr->invalidations;
	dma_resv_unlock(mr->dmabuf->resv);
}

static long tphsim_ioc_mr(struct tphsim_ctx *ctx, unsigned int cmd, void *buf)
{
	struct tphsim_mr_info *arg = buf;
	struct tphsim_obj *obj;
	bool pooled = false;
	int ret;

	ret = tphsim_mr_args(ctx, arg, &obj);
	if (ret)
		return ret;

	switch (cmd) {
	case TPHSIM_IOC_MR_DEREG:
		tphsim_mr_fill(obj, arg);
		ret = tphsim_obj_destroy(ctx, obj, &pooled);
		arg->pooled = pooled;
		arg->mapped = 0;
		return ret;
	case TPHSIM_IOC_MR_MAP:
		ret = tphsim_mr_map(obj->mr);
		tphsim_mr_fill(obj, arg);
		return ret;
	default:
		tphsim_mr_fill(obj, arg);
		return 0;
	}
}

static long tphsim_ioc_query(void *buf)
{
	struct tphsim_query *arg = buf;
	struct dma_buf *dmabuf;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) ||
	    arg->extended > 1 || arg->steering_tag || arg->ph || arg->pad ||
	    arg->ret)
		return -EINVAL;

	dmabuf = dma_buf_get(arg->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	tphsim_query_lock(dmabuf);
	arg->ret = tphsim_query_tph(dmabuf, arg->extended, &arg->steering_tag,
				    &arg->ph);
	tphsim_query_unlock(dmabuf);
	dma_buf_put(dmabuf);
	return 0;
}

static long tphsim_ioc_fault(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_fault *arg = buf;
	struct tphsim_fault_point *f;
	struct tphsim_obj *obj;
	bool nic;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;
	if (arg->count && (arg->err >= 0 || arg->err < -MAX_ERRNO))
		return -EINVAL;

	switch (arg->point) {
	case TPHSIM_FAULT_ST_WRITE:
	case TPHSIM_FAULT_ST_ALLOC:
	case TPHSIM_FAULT_MKEY:
		nic = true;
		break;
	case TPHSIM_FAULT_QUERY:
	case TPHSIM_FAULT_MAP:
		nic = false;
		break;
	default:
		return -EINVAL;
	}

	obj = tphsim_get(ctx, arg->handle,
			 nic ? TPHSIM_OBJ_NIC : TPHSIM_OBJ_EXPORTER);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	switch (arg->point) {
	case TPHSIM_FAULT_ST_WRITE:
		f = &to_pcifn(obj->dev->mdev->pdev)->st_write_fault;
		break;
	case TPHSIM_FAULT_ST_ALLOC:
		f = &obj->dev->mdev->st_alloc_fault;
		break;
	case TPHSIM_FAULT_MKEY:
		f = &obj->dev->mkey_fault;
		break;
	case TPHSIM_FAULT_QUERY:
		f = &obj->vdev->query_fault;
		break;
	default:
		f = &obj->vdev->map_fault;
		break;
	}
	tphsim_fault_set(f, arg->err, arg->skip, arg->count);
	return 0;
}

static long tphsim_ioc_burst(void *buf)
{
	struct tphsim_burst *arg = buf;
	struct dma_buf *dmabuf;
	u64 fired = 0;
	u16 st;
	u8 ph;

	if (!tphsim_zero(arg->reserved, sizeof(arg->reserved)) ||
	    arg->extended > 1 || arg->fired || arg->count > TPHSIM_BURST_MAX)
		return -EINVAL;

	dmabuf = dma_buf_get(arg->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	while (fired < arg->count) {
		u64 n = min_t(u64, arg->count - fired, TPHSIM_BURST_BATCH);

		tphsim_query_lock(dmabuf);
		while (n--) {
			tphsim_query_tph(dmabuf, arg->extended, &st, &ph);
			fired++;
		}
		tphsim_query_unlock(dmabuf);
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	dma_buf_put(dmabuf);
	arg->fired = fired;
	return 0;
}

static long tphsim_ioc_stats(void *buf)
{
	struct tphsim_stats *arg = buf;
	int i;

	memset(arg, 0, sizeof(*arg));
	for (i = 0; i < TPHSIM_EV_MAX; i++)
		arg->fired[i] = atomic64_read(&tphsim_fired[i]);
	return 0;
}

static long tphsim_ioc_destroy(struct tphsim_ctx *ctx, void *buf)
{
	struct tphsim_destroy *arg = buf;
	struct tphsim_obj *obj;

	if (arg->reserved)
		return -EINVAL;
	obj = xa_load(&ctx->objs, arg->handle);
	if (!obj)
		return -ENOENT;
	return tphsim_obj_destroy(ctx, obj, NULL);
}

static long tphsim_ioctl(struct file *file, unsigned int cmd,
			 unsigned long uarg)
{
	struct tphsim_ctx *ctx = file->private_data;
	void __user *up = (void __user *)uarg;
	union {
		struct tphsim_version version;
		struct tphsim_exporter_create exporter;
		struct tphsim_export export;
		struct tphsim_feature feature;
		struct tphsim_revoke revoke;
		struct tphsim_nic_create nic;
		struct tphsim_dmah_create dmah;
		struct tphsim_mr_reg mr_reg;
		struct tphsim_mr_info mr;
		struct tphsim_query query;
		struct tphsim_fault fault;
		struct tphsim_burst burst;
		struct tphsim_stats stats;
		struct tphsim_destroy destroy;
		struct tphsim_shape shape;
	} *buf;
	unsigned int size = _IOC_SIZE(cmd);
	long ret;

	switch (cmd) {
	case TPHSIM_IOC_VERSION:
	case TPHSIM_IOC_EXPORTER_CREATE:
	case TPHSIM_IOC_EXPORT:
	case TPHSIM_IOC_FEATURE:
	case TPHSIM_IOC_REVOKE:
	case TPHSIM_IOC_NIC_CREATE:
	case TPHSIM_IOC_DMAH_CREATE:
	case TPHSIM_IOC_MR_REG:
	case TPHSIM_IOC_MR_DEREG:
	case TPHSIM_IOC_MR_MAP:
	case TPHSIM_IOC_MR_INFO:
	case TPHSIM_IOC_QUERY:
	case TPHSIM_IOC_FAULT:
	case TPHSIM_IOC_BURST:
	case TPHSIM_IOC_STATS:
	case TPHSIM_IOC_DESTROY:
	case TPHSIM_IOC_SHAPE:
		break;
	default:
		return -ENOTTY;
	}

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(buf, up, size)) {
		ret = -EFAULT;
		goto out;
	}

	mutex_lock(&ctx->lock);
	switch (cmd) {
	case TPHSIM_IOC_VERSION:
		buf->version.version = TPHSIM_UAPI_VERSION;
		buf->version.nr_events = TPHSIM_EV_MAX;
		ret = 0;
		break;
	case TPHSIM_IOC_SHAPE:
		buf->shape.shape = TPHSIM_SHAPE;
		ret = 0;
		break;
	case TPHSIM_IOC_EXPORTER_CREATE:
		ret = tphsim_ioc_exporter_create(ctx, buf);
		break;
	case TPHSIM_IOC_EXPORT:
		/* copies its result out itself: the fd must not leak */
		ret = tphsim_ioc_export(ctx, buf, up);
		mutex_unlock(&ctx->lock);
		goto out;
	case TPHSIM_IOC_FEATURE:
		ret = tphsim_ioc_feature(ctx, buf);
		break;
	case TPHSIM_IOC_REVOKE:
		ret = tphsim_ioc_revoke(ctx, buf);
		break;
	case TPHSIM_IOC_NIC_CREATE:
		ret = tphsim_ioc_nic_create(ctx, buf);
		break;
	case TPHSIM_IOC_DMAH_CREATE:
		ret = tphsim_ioc_dmah_create(ctx, buf);
		break;
	case TPHSIM_IOC_MR_REG:
		ret = tphsim_ioc_mr_reg(ctx, buf);
		break;
	case TPHSIM_IOC_MR_DEREG:
	case TPHSIM_IOC_MR_MAP:
	case TPHSIM_IOC_MR_INFO:
		ret = tphsim_ioc_mr(ctx, cmd, buf);
		break;
	case TPHSIM_IOC_QUERY:
		ret = tphsim_ioc_query(buf);
		break;
	case TPHSIM_IOC_FAULT:
		ret = tphsim_ioc_fault(ctx, buf);
		break;
	case TPHSIM_IOC_BURST:
		mutex_unlock(&ctx->lock);
		ret = tphsim_ioc_burst(buf);
		mutex_lock(&ctx->lock);
		break;
	case TPHSIM_IOC_STATS:
		ret = tphsim_ioc_stats(buf);
		break;
	default:
		ret = tphsim_ioc_destroy(ctx, buf);
		break;
	}
	mutex_unlock(&ctx->lock);

	/*
	 * Results go back even with an error: MR_MAP and MR_DEREG report the
	 * state they leave. A failed copy after a successful create leaves
	 * the object to be torn down on close.
	 */
	if ((_IOC_DIR(cmd) & _IOC_READ) && (ret == 0 || cmd == TPHSIM_IOC_MR_MAP) &&
	    copy_to_user(up, buf, size))
		ret = -EFAULT;
out:
	kfree(buf);
	return ret;
}

static int tphsim_open(struct inode *inode, struct file *file)
{
	struct tphsim_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->lock);
	xa_init_flags(&ctx->objs, XA_FLAGS_ALLOC1);
	file->private_data = ctx;
	return 0;
}

static int tphsim_release(struct inode *inode, struct file *file)
{
	static const enum tphsim_obj_type order[] = {
		TPHSIM_OBJ_MR, TPHSIM_OBJ_DMAH, TPHSIM_OBJ_NIC,
		TPHSIM_OBJ_EXPORTER,
	};
	struct tphsim_ctx *ctx = file->private_data;
	struct tphsim_obj *obj;
	unsigned long handle;
	unsigned int i;

	mutex_lock(&ctx->lock);
	for (i = 0; i < ARRAY_SIZE(order); i++)
		xa_for_each(&ctx->objs, handle, obj)
			if (obj->type == order[i])
				WARN_ON(tphsim_obj_destroy(ctx, obj, NULL) == -EBUSY);
	mutex_unlock(&ctx->lock);

	WARN_ON(!xa_empty(&ctx->objs));
	xa_destroy(&ctx->objs);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	return 0;
}

static const struct file_operations tphsim_fops = {
	.owner = THIS_MODULE,
	.open = tphsim_open,
	.release = tphsim_release,
	.unlocked_ioctl = tphsim_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice tphsim_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "tphsim",
	.fops = &tphsim_fops,
	.mode = 0600,
};

static int __init tphsim_init(void)
{
	int ret;

	BUILD_BUG_ON(TPHSIM_EV_MAX > TPHSIM_STATS_MAX);

	tphsim_root = root_device_register("tphsim");
	if (IS_ERR(tphsim_root))
		return PTR_ERR(tphsim_root);

	ret = misc_register(&tphsim_misc);
	if (ret) {
		root_device_unregister(tphsim_root);
		return ret;
	}
	return 0;
}

static void __exit tphsim_exit(void)
{
	misc_deregister(&tphsim_misc);
	root_device_unregister(tphsim_root);
	if (atomic_read(&tphsim_live))
		pr_err("tphsim: %d objects leaked\n", atomic_read(&tphsim_live));
}

module_init(tphsim_init);
module_exit(tphsim_exit);

MODULE_DESCRIPTION("Hardware-free simulator of PCIe TPH on peer-to-peer dma-bufs");
MODULE_LICENSE("GPL");
/* modinfo shows which revision of the TPH series this build simulates */
MODULE_INFO(tph_series, TPHSIM_SHAPE_NAME);
