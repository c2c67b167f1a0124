/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * mlx5 core steering-tag table tracepoints.
 *
 * mlx5 shares ST table entries between MRs by tag with a refcount; a full
 * table or a failed ST entry write makes the MR fall back to no TPH, and a
 * failed write disables TPH on the whole function. These events make the
 * table's occupancy and every failure visible.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mlx5_st

#if !defined(_TRACE_MLX5_ST_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MLX5_ST_H

#include <linux/tracepoint.h>

/*
 * @direct: the function has no ST table (PCI_TPH_LOC_NONE): the tag itself
 *          is the index and nothing is refcounted
 * @refcount: users of @st_index after the operation (0: entry freed)
 */
DECLARE_EVENT_CLASS(mlx5_st_index_class,

	TP_PROTO(u32 domain, u16 devid, u16 tag, u16 st_index, u32 refcount,
		 bool direct, int ret),

	TP_ARGS(domain, devid, tag, st_index, refcount, direct, ret),

	TP_STRUCT__entry(
		__field(u32, domain)
		__field(u16, devid)
		__field(u16, tag)
		__field(u16, st_index)
		__field(u32, refcount)
		__field(bool, direct)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->domain = domain;
		__entry->devid = devid;
		__entry->tag = tag;
		__entry->st_index = st_index;
		__entry->refcount = refcount;
		__entry->direct = direct;
		__entry->ret = ret;
	),

	TP_printk("dev=%04x:%02x:%02x.%u tag=0x%x st_index=%u refcount=%u direct=%d ret=%d",
		  __entry->domain, __entry->devid >> 8,
		  (__entry->devid >> 3) & 0x1f, __entry->devid & 0x7,
		  __entry->tag, __entry->st_index, __entry->refcount,
		  __entry->direct, __entry->ret)
);

DEFINE_EVENT(mlx5_st_index_class, mlx5_st_index_alloc,
	TP_PROTO(u32 domain, u16 devid, u16 tag, u16 st_index, u32 refcount,
		 bool direct, int ret),
	TP_ARGS(domain, devid, tag, st_index, refcount, direct, ret)
);

DEFINE_EVENT(mlx5_st_index_class, mlx5_st_index_get,
	TP_PROTO(u32 domain, u16 devid, u16 tag, u16 st_index, u32 refcount,
		 bool direct, int ret),
	TP_ARGS(domain, devid, tag, st_index, refcount, direct, ret)
);

DEFINE_EVENT(mlx5_st_index_class, mlx5_st_index_put,
	TP_PROTO(u32 domain, u16 devid, u16 tag, u16 st_index, u32 refcount,
		 bool direct, int ret),
	TP_ARGS(domain, devid, tag, st_index, refcount, direct, ret)
);

#endif /* _TRACE_MLX5_ST_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
