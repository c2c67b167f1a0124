/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Argument arrays for BPF_PROG_TEST_RUN of the raw_tp handlers, generated
 * from the TRACE_EVENT definitions of the kernel patches (kernel/tree/):
 * every tracepoint NAME gets tp_pack_NAME(u64 *ctx, <its TP_PROTO>) that
 * stores the arguments the way the kernel hands them to raw_tp programs,
 * one u64 each, in TP_ARGS order. Nothing is declared twice by hand. The
 * kernel objects the TP_PROTO lists pass are opaque here: the host can only
 * pass NULL (the guests run the handlers on real objects).
 */
#ifndef TPHTRACE_TEST_TP_ARGS_H
#define TPHTRACE_TEST_TP_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

/* keep the lists parenthesised until TP_PACK opens them */
#define TP_PROTO(...)		(__VA_ARGS__)
#define TP_ARGS(...)		(__VA_ARGS__)
#define TP_OPEN(...)		__VA_ARGS__
#define TRACE_DEFINE_ENUM(x)
#define DECLARE_EVENT_CLASS(...)

struct dma_buf;
struct pci_dev;
struct vfio_pci_dma_buf;
struct vfio_pci_core_device;
struct vfio_device_feature_dma_buf_tph;
struct mlx5_core_dev;
struct mlx5_st_idx_data;
struct mlx5_ib_dev;
struct mlx5_ib_mr;

#define TPA_1(x)		(u64)(uintptr_t)(x)
#define TPA_2(x, ...)		TPA_1(x), TPA_1(__VA_ARGS__)
#define TPA_3(x, ...)		TPA_1(x), TPA_2(__VA_ARGS__)
#define TPA_4(x, ...)		TPA_1(x), TPA_3(__VA_ARGS__)
#define TPA_5(x, ...)		TPA_1(x), TPA_4(__VA_ARGS__)
#define TPA_6(x, ...)		TPA_1(x), TPA_5(__VA_ARGS__)
#define TPA_7(x, ...)		TPA_1(x), TPA_6(__VA_ARGS__)
#define TPA_8(x, ...)		TPA_1(x), TPA_7(__VA_ARGS__)
#define TPA_9(x, ...)		TPA_1(x), TPA_8(__VA_ARGS__)
#define TPA_10(x, ...)		TPA_1(x), TPA_9(__VA_ARGS__)
#define TPA_11(x, ...)		TPA_1(x), TPA_10(__VA_ARGS__)
#define TPA_12(x, ...)		TPA_1(x), TPA_11(__VA_ARGS__)
#define TPA_N(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, N, ...) TPA_##N
#define TPA(...)	TPA_N(__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)(__VA_ARGS__)

/* store the args; return how many (the raw_tp ctx size in u64s) */
#define TP_PACK(name, proto, args)					\
static inline int tp_pack_##name(u64 *ctx, TP_OPEN proto)		\
{									\
	const u64 v[] = { TPA(TP_OPEN args) };				\
									\
	memcpy(ctx, v, sizeof(v));					\
	return sizeof(v) / sizeof(v[0]);				\
}

#define TRACE_EVENT(name, proto, args, tstruct, assign, print)	\
	TP_PACK(name, proto, args)
#define TRACE_EVENT_CONDITION(name, proto, args, cond, tstruct, assign, print) \
	TP_PACK(name, proto, args)
#define DEFINE_EVENT(class, name, proto, args)	TP_PACK(name, proto, args)

#include <trace/events/pci-tph.inc>
#include <trace/events/dma_buf-tph.inc>
#include "vfio_pci_trace.h"
#include "diag/st_tracepoint.h"
#include "mr_tracepoint.h"

#endif /* TPHTRACE_TEST_TP_ARGS_H */
