/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * mlx5_ib dma-buf MR TPH tracepoints.
 *
 * Every failure on the way from an exporter's published steering tag to
 * the mkey falls back silently to an MR without TPH. mlx5_ib_mr_tph
 * records the decision with a closed reason code; mlx5_ib_dmabuf_mr
 * records what the MR finally got, including whether a pooled mkey (which
 * keeps its old ST index) was reused.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mlx5_ib_tph

#if !defined(_TRACE_MLX5_IB_TPH_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MLX5_IB_TPH_H

#include <linux/tracepoint.h>
#include <trace/events/tph_reason.h>

#define show_mlx5_ib_tph_reason(r)					\
	__print_symbolic(r,						\
		{ MLX5_IB_TPH_OK,		"ok" },			\
		{ MLX5_IB_TPH_DMAH,		"dmah" },		\
		{ MLX5_IB_TPH_REQ_DISABLED,	"req_disabled" },	\
		{ MLX5_IB_TPH_NO_OP,		"no_op" },		\
		{ MLX5_IB_TPH_NOT_PUBLISHED,	"not_published" },	\
		{ MLX5_IB_TPH_QUERY_ERROR,	"query_error" },	\
		{ MLX5_IB_TPH_NO_ST_TABLE,	"no_st_table" },	\
		{ MLX5_IB_TPH_ST_TABLE_FULL,	"st_table_full" },	\
		{ MLX5_IB_TPH_ST_ERROR,		"st_error" },		\
		{ MLX5_IB_TPH_TAG0_DIRECT,	"tag0_direct" })

TRACE_DEFINE_ENUM(MLX5_IB_TPH_OK);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_DMAH);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_REQ_DISABLED);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_NO_OP);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_NOT_PUBLISHED);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_QUERY_ERROR);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_NO_ST_TABLE);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_ST_TABLE_FULL);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_ST_ERROR);
TRACE_DEFINE_ENUM(MLX5_IB_TPH_TAG0_DIRECT);

/*
 * mlx5_ib_mr_tph - outcome of the TPH decision for a dma-buf MR
 * @req_type: PCI_TPH_REQ_* the NIC has enabled; selects @extended
 * @source: enum mlx5_ib_tph_source the ST/PH came from
 * @st_index: ST index that goes into the mkey (0: none)
 * @ret: errno of the failing step, 0 on success
 */
TRACE_EVENT(mlx5_ib_mr_tph,

	TP_PROTO(const char *ibdev, u32 domain, u16 devid, unsigned long ino,
		 u8 req_type, bool extended, u8 source, u16 steering_tag,
		 u16 st_index, u8 ph, u8 reason, int ret),

	TP_ARGS(ibdev, domain, devid, ino, req_type, extended, source,
		steering_tag, st_index, ph, reason, ret),

	TP_STRUCT__entry(
		__array(char, ibdev, 32)
		__field(u32, domain)
		__field(u16, devid)
		__field(unsigned long, ino)
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
		strscpy(__entry->ibdev, ibdev ?: "", sizeof(__entry->ibdev));
		__entry->domain = domain;
		__entry->devid = devid;
		__entry->ino = ino;
		__entry->req_type = req_type;
		__entry->extended = extended;
		__entry->source = source;
		__entry->steering_tag = steering_tag;
		__entry->st_index = st_index;
		__entry->ph = ph;
		__entry->reason = reason;
		__entry->ret = ret;
	),

	TP_printk("ibdev=%s dev=%04x:%02x:%02x.%u ino=%lu req_type=%u extended=%d source=%u st=0x%x st_index=%u ph=%u reason=%s ret=%d",
		  __entry->ibdev, __entry->domain, __entry->devid >> 8,
		  (__entry->devid >> 3) & 0x1f, __entry->devid & 0x7,
		  __entry->ino, __entry->req_type, __entry->extended,
		  __entry->source, __entry->steering_tag, __entry->st_index,
		  __entry->ph, show_mlx5_ib_tph_reason(__entry->reason),
		  __entry->ret)
);

/*
 * mlx5_ib_dmabuf_mr - a dma-buf MR was created (or failed to be)
 * @mkey: 0 when @ret is an error
 * @ph: MLX5_IB_NO_PH (0xff) when the mkey has TPH disabled
 * @reused: the mkey came from an FRMR pool and keeps its pool key's ST
 */
TRACE_EVENT(mlx5_ib_dmabuf_mr,

	TP_PROTO(const char *ibdev, u32 mkey, unsigned long ino, u64 length,
		 int access_flags, u16 st_index, u8 ph, bool reused, int ret),

	TP_ARGS(ibdev, mkey, ino, length, access_flags, st_index, ph, reused,
		ret),

	TP_STRUCT__entry(
		__array(char, ibdev, 32)
		__field(u32, mkey)
		__field(unsigned long, ino)
		__field(u64, length)
		__field(int, access_flags)
		__field(u16, st_index)
		__field(u8, ph)
		__field(bool, reused)
		__field(int, ret)
	),

	TP_fast_assign(
		strscpy(__entry->ibdev, ibdev ?: "", sizeof(__entry->ibdev));
		__entry->mkey = mkey;
		__entry->ino = ino;
		__entry->length = length;
		__entry->access_flags = access_flags;
		__entry->st_index = st_index;
		__entry->ph = ph;
		__entry->reused = reused;
		__entry->ret = ret;
	),

	TP_printk("ibdev=%s mkey=0x%x ino=%lu length=%llu access=0x%x st_index=%u ph=%u reused=%d ret=%d",
		  __entry->ibdev, __entry->mkey, __entry->ino, __entry->length,
		  __entry->access_flags, __entry->st_index, __entry->ph,
		  __entry->reused, __entry->ret)
);

/*
 * mlx5_ib_dmabuf_mr_dereg - a dma-buf MR is being deregistered
 * @pooled: the mkey goes back to an FRMR pool with its ST index still set
 */
TRACE_EVENT(mlx5_ib_dmabuf_mr_dereg,

	TP_PROTO(const char *ibdev, u32 mkey, unsigned long ino, u16 st_index,
		 bool pooled, int ret),

	TP_ARGS(ibdev, mkey, ino, st_index, pooled, ret),

	TP_STRUCT__entry(
		__array(char, ibdev, 32)
		__field(u32, mkey)
		__field(unsigned long, ino)
		__field(u16, st_index)
		__field(bool, pooled)
		__field(int, ret)
	),

	TP_fast_assign(
		strscpy(__entry->ibdev, ibdev ?: "", sizeof(__entry->ibdev));
		__entry->mkey = mkey;
		__entry->ino = ino;
		__entry->st_index = st_index;
		__entry->pooled = pooled;
		__entry->ret = ret;
	),

	TP_printk("ibdev=%s mkey=0x%x ino=%lu st_index=%u pooled=%d ret=%d",
		  __entry->ibdev, __entry->mkey, __entry->ino,
		  __entry->st_index, __entry->pooled, __entry->ret)
);

#endif /* _TRACE_MLX5_IB_TPH_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
