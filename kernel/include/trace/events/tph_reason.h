/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Closed set of outcomes of the mlx5 dma-buf MR TPH decision, shared by the
 * tracepoints in <trace/events/mlx5_ib_tph.h> and by user-space tools that
 * decode them. Every value names one way the series' get_tph_mr_dmabuf()
 * ends; the values are ABI once released: only append.
 */
#ifndef _TRACE_TPH_REASON_H
#define _TRACE_TPH_REASON_H

enum mlx5_ib_tph_reason {
	MLX5_IB_TPH_OK = 0,		/* dma-buf tag programmed */
	MLX5_IB_TPH_DMAH = 1,		/* DMAH given: dma-buf not queried */
	MLX5_IB_TPH_REQ_DISABLED = 2,	/* NIC requester TPH not enabled */
	MLX5_IB_TPH_NO_OP = 3,		/* exporter has no get_tph() */
	MLX5_IB_TPH_NOT_PUBLISHED = 4,	/* no tag for the requested width */
	MLX5_IB_TPH_QUERY_ERROR = 5,	/* get_tph() failed otherwise */
	MLX5_IB_TPH_NO_ST_TABLE = 6,	/* mlx5 has no steering-tag support */
	MLX5_IB_TPH_ST_TABLE_FULL = 7,	/* no free ST table entry */
	MLX5_IB_TPH_ST_ERROR = 8,	/* ST index allocation failed otherwise */
	MLX5_IB_TPH_TAG0_DIRECT = 9,	/* direct mode, tag 0: PH without ST */
};

enum mlx5_ib_tph_source {
	MLX5_IB_TPH_SRC_NONE = 0,
	MLX5_IB_TPH_SRC_DMAH = 1,
	MLX5_IB_TPH_SRC_DMABUF = 2,
};

#endif /* _TRACE_TPH_REASON_H */
