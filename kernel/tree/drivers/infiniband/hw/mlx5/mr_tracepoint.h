/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * mlx5_ib dma-buf MR TPH tracepoints (mr.c). Every way the exporter's
 * steering tag can fail to reach the mkey falls back silently to an MR
 * without TPH: mlx5_ib_mr_tph records the decision and its reason,
 * mlx5_ib_dmabuf_mr what the MR got (a pooled mkey keeps the ST index of
 * its pool key), mlx5_ib_dmabuf_mr_dereg how it went away.
 */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM mlx5_ib

#if !defined(_MLX5_IB_MR_TP_) || defined(TRACE_HEADER_MULTI_READ)
#define _MLX5_IB_MR_TP_

#include <linux/tracepoint.h>

struct dma_buf;
struct mlx5_ib_dev;
struct mlx5_ib_mr;

/* Outcome of the TPH decision for a dma-buf MR */
#define MLX5_IB_TPH_REASONS						\
	EM(MLX5_IB_TPH_OK,		"ok")				\
	EM(MLX5_IB_TPH_DMAH,		"dmah")				\
	EM(MLX5_IB_TPH_REQ_DISABLED,	"req_disabled")			\
	EM(MLX5_IB_TPH_UNAVAILABLE,	"unavailable")			\
	EM(MLX5_IB_TPH_QUERY_ERROR,	"query_error")			\
	EM(MLX5_IB_TPH_NO_ST_TABLE,	"no_st_table")			\
	EM(MLX5_IB_TPH_ST_TABLE_FULL,	"st_table_full")		\
	EM(MLX5_IB_TPH_ST_ERROR,	"st_error")			\
	EMe(MLX5_IB_TPH_TAG0_DIRECT,	"tag0_direct")

/* Where the ST/PH that go into the mkey came from */
#define MLX5_IB_TPH_SOURCES						\
	EM(MLX5_IB_TPH_SRC_NONE,	"none")				\
	EM(MLX5_IB_TPH_SRC_DMAH,	"dmah")				\
	EMe(MLX5_IB_TPH_SRC_DMABUF,	"dmabuf")

#ifndef __MLX5_IB_MR_TP_ENUMS_ONCE_ONLY
#define __MLX5_IB_MR_TP_ENUMS_ONCE_ONLY

#undef EM
#undef EMe
#define EM(a, ...)	a,
#define EMe(a, ...)	a

enum mlx5_ib_tph_reason { MLX5_IB_TPH_REASONS };
enum mlx5_ib_tph_source { MLX5_IB_TPH_SOURCES };

#endif /* __MLX5_IB_MR_TP_ENUMS_ONCE_ONLY */

/* Export the enum values to user space, for tools that parse the format */
TRACE_DEFINE_ENUM(MLX5_IB_TPH_OK);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_DMAH);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_REQ_DISABLED);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_UNAVAILABLE);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_QUERY_ERROR);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_NO_ST_TABLE);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_ST_TABLE_FULL);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_ST_ERROR);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_TAG0_DIRECT);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_SRC_NONE);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_SRC_DMAH);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_SRC_DMABUF);

/* and map them to the strings printed */
#undef EM
#undef EMe
#define EM(a, b)	{ a, b },
#define EMe(a, b)	{ a, b }

#define show_mlx5_ib_tph_req_type(t)					\
	__print_symbolic(t,						\
			 { PCI_TPH_REQ_DISABLE,		"disabled" },	\
			 { PCI_TPH_REQ_TPH_ONLY,	"tph" },	\
			 { PCI_TPH_REQ_EXT_TPH,		"ext" })

/*
 * mlx5_ib_mr_tph - the TPH decision for a dma-buf MR
 * @req_type: requester type the NIC has enabled; selects @extended
 * @steering_tag: what the exporter returned (0 when the query failed)
 * @st_index, @ph: what goes into the mkey (0, MLX5_IB_NO_PH: none)
 * @ret: errno of the step that failed, 0 on success
 */
TRACE_EVENT(mlx5_ib_mr_tph,

	TP_PROTO(struct mlx5_ib_dev *dev, struct dma_buf *dmabuf,
		 u8 req_type, bool extended,
		 enum mlx5_ib_tph_source source, u16 steering_tag,
		 u16 st_index, u8 ph, enum mlx5_ib_tph_reason reason, int ret),

	TP_ARGS(dev, dmabuf, req_type, extended, source, steering_tag,
		st_index, ph, reason, ret),

	TP_STRUCT__entry(
		__string(ibdev, dev_name(&dev->ib_dev.dev))
		__string(dev, pci_name(dev->mdev->pdev))
		__field(ino_t, ino)
		__field(u8, req_type)
		__field(bool, extended)
		__field(u8, source)
		__field(u16, steering_tag)
		__field(u16, st_index)
		__field(u8, ph)
		__field(u8, reason)
		__field(int, ret)
	),

	TP_fast_assign(
		__assign_str(ibdev);
		__assign_str(dev);
		__entry->ino = dmabuf->file->f_inode->i_ino;
		__entry->req_type = req_type;
		__entry->extended = extended;
		__entry->source = source;
		__entry->steering_tag = steering_tag;
		__entry->st_index = st_index;
		__entry->ph = ph;
		__entry->reason = reason;
		__entry->ret = ret;
	),

	TP_printk("ibdev=%s dev=%s ino=%lu req_type=%s extended=%d source=%s st=0x%x st_index=%u ph=%u reason=%s ret=%d",
		  __get_str(ibdev), __get_str(dev), __entry->ino,
		  show_mlx5_ib_tph_req_type(__entry->req_type),
		  __entry->extended,
		  __print_symbolic(__entry->source, MLX5_IB_TPH_SOURCES),
		  __entry->steering_tag, __entry->st_index, __entry->ph,
		  __print_symbolic(__entry->reason, MLX5_IB_TPH_REASONS),
		  __entry->ret)
);

/*
 * mlx5_ib_dmabuf_mr - alloc_cacheable_mr() returned for a dma-buf MR
 * @mr: the MR, or an ERR_PTR()
 * @st_index, @ph: what the mkey was asked to carry
 *
 * A reused mkey came out of an FRMR pool: it keeps the ST index of its
 * pool key, which is how a stale steering tag outlives a SET or a revoke.
 */
TRACE_EVENT(mlx5_ib_dmabuf_mr,

	TP_PROTO(struct mlx5_ib_dev *dev, struct dma_buf *dmabuf,
		 struct mlx5_ib_mr *mr, u64 length, int access_flags,
		 u16 st_index, u8 ph),

	TP_ARGS(dev, dmabuf, mr, length, access_flags, st_index, ph),

	TP_STRUCT__entry(
		__string(ibdev, dev_name(&dev->ib_dev.dev))
		__field(u32, mkey)
		__field(ino_t, ino)
		__field(u64, length)
		__field(int, access_flags)
		__field(u16, st_index)
		__field(u8, ph)
		__field(bool, reused)
		__field(int, ret)
	),

	TP_fast_assign(
		__assign_str(ibdev);
		__entry->mkey = IS_ERR(mr) ? 0 : mr->mmkey.key;
		__entry->ino = dmabuf->file->f_inode->i_ino;
		__entry->length = length;
		__entry->access_flags = access_flags;
		__entry->st_index = IS_ERR(mr) ? 0 : st_index;
		__entry->ph = IS_ERR(mr) ? MLX5_IB_NO_PH : ph;
		__entry->reused = !IS_ERR(mr) && mr->frmr_reused;
		__entry->ret = PTR_ERR_OR_ZERO(mr);
	),

	TP_printk("ibdev=%s mkey=0x%x ino=%lu length=%llu access=0x%x st_index=%u ph=%u reused=%d ret=%d",
		  __get_str(ibdev), __entry->mkey, __entry->ino,
		  __entry->length, __entry->access_flags, __entry->st_index,
		  __entry->ph, __entry->reused, __entry->ret)
);

/*
 * mlx5_ib_dmabuf_mr_dereg - a dma-buf MR's mkey is released
 * @st_index: ST index of the mkey's pool key
 * @pooled: revoked and handed back to its FRMR pool, ST index still set;
 *          otherwise destroyed, with @ret the result
 */
TRACE_EVENT_CONDITION(mlx5_ib_dmabuf_mr_dereg,

	TP_PROTO(struct mlx5_ib_mr *mr, u16 st_index, bool pooled, int ret),

	TP_ARGS(mr, st_index, pooled, ret),

	TP_CONDITION(is_dmabuf_mr(mr)),

	TP_STRUCT__entry(
		__string(ibdev, dev_name(&mr->ibmr.device->dev))
		__field(u32, mkey)
		__field(ino_t, ino)
		__field(u16, st_index)
		__field(bool, pooled)
		__field(int, ret)
	),

	TP_fast_assign(
		__assign_str(ibdev);
		__entry->mkey = mr->mmkey.key;
		__entry->ino = to_ib_umem_dmabuf(mr->umem)->attach->dmabuf->file->f_inode->i_ino;
		__entry->st_index = st_index;
		__entry->pooled = pooled;
		__entry->ret = ret;
	),

	TP_printk("ibdev=%s mkey=0x%x ino=%lu st_index=%u pooled=%d ret=%d",
		  __get_str(ibdev), __entry->mkey, __entry->ino,
		  __entry->st_index, __entry->pooled, __entry->ret)
);

#endif /* _MLX5_IB_MR_TP_ */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH ../../drivers/infiniband/hw/mlx5
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mr_tracepoint
#include <trace/define_trace.h>
