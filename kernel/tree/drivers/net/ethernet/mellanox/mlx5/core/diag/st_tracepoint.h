/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Steering-tag table tracepoints (lib/st.c). Entries are shared by tag with
 * a reference count; a full table or a failed ST entry write makes the
 * requester fall back to no TPH, and a failed write disables TPH on the
 * whole function.
 */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM mlx5

#if !defined(_MLX5_ST_TP_) || defined(TRACE_HEADER_MULTI_READ)
#define _MLX5_ST_TP_

#include <linux/tracepoint.h>

struct mlx5_core_dev;
struct mlx5_st_idx_data;

/*
 * @idx_data: the table entry, NULL in direct mode (the tag is the index,
 *            nothing is shared) and when there is none; read under st->lock
 * @tag: the tag asked for (alloc), or the index in direct mode (get, put)
 * @refcount: users of the entry after the operation, 0 once it is freed
 */
DECLARE_EVENT_CLASS(mlx5_st_index_class,

	TP_PROTO(struct mlx5_core_dev *dev, u16 tag, u16 st_index,
		 struct mlx5_st_idx_data *idx_data, int ret),

	TP_ARGS(dev, tag, st_index, idx_data, ret),

	TP_STRUCT__entry(__string(dev, dev_name(dev->device))
			 __field(u16, tag)
			 __field(u16, st_index)
			 __field(u32, refcount)
			 __field(bool, direct)
			 __field(int, ret)
	),

	TP_fast_assign(__assign_str(dev);
		       __entry->tag = idx_data ? idx_data->tag : tag;
		       __entry->st_index = st_index;
		       __entry->refcount = idx_data ?
				refcount_read(&idx_data->usecount) : 0;
		       __entry->direct = dev->st && dev->st->direct_mode;
		       __entry->ret = ret;
	),

	TP_printk("dev=%s tag=0x%x st_index=%u refcount=%u direct=%d ret=%d",
		  __get_str(dev), __entry->tag, __entry->st_index,
		  __entry->refcount, __entry->direct, __entry->ret)
);

DEFINE_EVENT(mlx5_st_index_class, mlx5_st_index_alloc,
	TP_PROTO(struct mlx5_core_dev *dev, u16 tag, u16 st_index,
		 struct mlx5_st_idx_data *idx_data, int ret),
	TP_ARGS(dev, tag, st_index, idx_data, ret)
);

DEFINE_EVENT(mlx5_st_index_class, mlx5_st_index_get,
	TP_PROTO(struct mlx5_core_dev *dev, u16 tag, u16 st_index,
		 struct mlx5_st_idx_data *idx_data, int ret),
	TP_ARGS(dev, tag, st_index, idx_data, ret)
);

DEFINE_EVENT(mlx5_st_index_class, mlx5_st_index_put,
	TP_PROTO(struct mlx5_core_dev *dev, u16 tag, u16 st_index,
		 struct mlx5_st_idx_data *idx_data, int ret),
	TP_ARGS(dev, tag, st_index, idx_data, ret)
);

#endif /* _MLX5_ST_TP_ */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH ./diag
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE st_tracepoint
#include <trace/define_trace.h>
