// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one hook table. Order is preference: our tracepoints (tp_btf, else
 * raw_tp), the TPH series' attachable functions (fentry/fexit), upstream
 * dma_buf:* tracepoints, stock functions (fentry/fexit), then
 * kprobe/kretprobe on the same functions, then (lifetimes only) sampled
 * iter/dmabuf snapshots. Program names are those of bpf/tp.bpf.h,
 * bpf/fn.bpf.h and bpf/iter.bpf.c.
 */
#include "hooks.h"

#define TP(fam, ev)		{ #fam "__" #ev, #ev, false }
#define TP_OPT(fam, ev)		{ #fam "__" #ev, #ev, true }
#define FEXIT(fn)		{ "fexit__" #fn, #fn, false }
#define FEXIT_OPT(fn)		{ "fexit__" #fn, #fn, true }
#define FENTRY(fn)		{ "fentry__" #fn, #fn, false }
/* the same entry, its untyped pointer cast with bpf_rdonly_cast() (v6.2+) */
#define FENTRY_TYPED(fn)	{ "fentry__" #fn "_typed", #fn, false }
#define KRET(fn)		{ "kprobe__" #fn, #fn, false }, \
				{ "kretprobe__" #fn, #fn, false }
#define KRET_OPT(fn)		{ "kprobe__" #fn, #fn, true }, \
				{ "kretprobe__" #fn, #fn, true }
#define KENTRY(fn)		{ "kprobe_entry__" #fn, #fn, false }

/* MR registration: entry and exit, requester type, ST index and write */
#define MR_FENTRY		FENTRY(mlx5_ib_reg_user_mr_dmabuf), \
				FEXIT(mlx5_ib_reg_user_mr_dmabuf), \
				FEXIT_OPT(pcie_tph_enabled_req_type)
#define MR_FENTRY_ST		FEXIT_OPT(mlx5_st_alloc_index_by_tag), \
				FEXIT_OPT(pcie_tph_set_st_entry)
#define MR_KPROBE		KENTRY(mlx5_ib_reg_user_mr_dmabuf), \
				KRET(mlx5_ib_reg_user_mr_dmabuf), \
				KRET_OPT(pcie_tph_enabled_req_type)

#define OURS	"tphtrace tracepoints (kernel/patches, tphsim)"
#define SERIES	"TPH series functions"
#define SERIES8	"TPH series functions (v8+)"
#define SERIES7	"TPH series functions (v7)"
#define SERIES5	"TPH series functions (v5)"
#define UPSTREAM "upstream dma_buf tracepoints"
#define STOCK	"stock dma-buf functions"

/*
 * Last resort for lifetimes (kernels that refuse fentry and lack kprobes
 * and the dma_buf tracepoints, e.g. v6.16+ with function tracing off):
 * the collector diffs iter/dmabuf snapshots (bpf/iter.bpf.c) every
 * --poll-interval and reports what appeared or went away, marked sampled.
 */
#define SAMPLED	"iter/dmabuf snapshots, diffed (sampled)"
#define ITER_SAMPLED { TPH_HOOK_ITER, SAMPLED, { { "iter_dmabuf", "dmabuf", false } }, \
		       .limit = "sampled every --poll-interval (default 1 s): a dma-buf " \
				"living shorter than the interval is not seen; times are " \
				"the snapshot's" }


const struct event_def tph_events[TPH_EV_MAX] = {
	[TPH_EV_DMABUF_EXPORT] = { TPH_EV_DMABUF_EXPORT, "dma-buf exported", {
		{ TPH_HOOK_TP_BTF, UPSTREAM, { TP(tp_btf, dma_buf_export) } },
		{ TPH_HOOK_RAW_TP, UPSTREAM, { TP(raw_tp, dma_buf_export) } },
		{ TPH_HOOK_FENTRY, STOCK, { FEXIT(dma_buf_export) } },
		{ TPH_HOOK_KPROBE, STOCK, { KRET(dma_buf_export) } },
		ITER_SAMPLED,
	} },
	[TPH_EV_DMABUF_RELEASE] = { TPH_EV_DMABUF_RELEASE, "dma-buf released", {
		{ TPH_HOOK_FENTRY, STOCK, { FENTRY_TYPED(dma_buf_release) },
		  .kfunc = "bpf_rdonly_cast" },
		{ TPH_HOOK_FENTRY, STOCK, { FENTRY(dma_buf_release) } },
		{ TPH_HOOK_KPROBE, STOCK, { KENTRY(dma_buf_release) } },
		ITER_SAMPLED,
	} },
	[TPH_EV_ATTACH] = { TPH_EV_ATTACH, "importer attached", {
		{ TPH_HOOK_TP_BTF, UPSTREAM, { TP(tp_btf, dma_buf_dynamic_attach) } },
		{ TPH_HOOK_RAW_TP, UPSTREAM, { TP(raw_tp, dma_buf_dynamic_attach) } },
		{ TPH_HOOK_FENTRY, STOCK, { FEXIT(dma_buf_dynamic_attach) } },
		{ TPH_HOOK_KPROBE, STOCK, { KRET(dma_buf_dynamic_attach) } },
	} },
	[TPH_EV_DETACH] = { TPH_EV_DETACH, "importer detached", {
		{ TPH_HOOK_TP_BTF, UPSTREAM, { TP(tp_btf, dma_buf_detach) } },
		{ TPH_HOOK_RAW_TP, UPSTREAM, { TP(raw_tp, dma_buf_detach) } },
		{ TPH_HOOK_FENTRY, STOCK, { FENTRY(dma_buf_detach) } },
		{ TPH_HOOK_KPROBE, STOCK, { KENTRY(dma_buf_detach) } },
	} },
	[TPH_EV_MAP] = { TPH_EV_MAP, "attachment mapped", {
		{ TPH_HOOK_FENTRY, STOCK, { FEXIT(dma_buf_map_attachment) } },
		{ TPH_HOOK_KPROBE, STOCK, { KRET(dma_buf_map_attachment) } },
	} },
	[TPH_EV_UNMAP] = { TPH_EV_UNMAP, "attachment unmapped", {
		{ TPH_HOOK_FENTRY, STOCK, { FENTRY(dma_buf_unmap_attachment) } },
		{ TPH_HOOK_KPROBE, STOCK, { KENTRY(dma_buf_unmap_attachment) } },
	} },
	[TPH_EV_INVALIDATE] = { TPH_EV_INVALIDATE, "mappings invalidated (revoke/move)", {
		{ TPH_HOOK_FENTRY, STOCK, { FENTRY(dma_buf_invalidate_mappings) } },
		{ TPH_HOOK_FENTRY, STOCK, { FENTRY(dma_buf_move_notify) } },
		{ TPH_HOOK_KPROBE, STOCK, { KENTRY(dma_buf_invalidate_mappings) } },
		{ TPH_HOOK_KPROBE, STOCK, { KENTRY(dma_buf_move_notify) } },
	} },
	[TPH_EV_TPH_PUBLISH] = { TPH_EV_TPH_PUBLISH, "TPH published (VFIO SET)", {
		{ TPH_HOOK_TP_BTF, OURS, { TP(tp_btf, vfio_pci_tph_set) } },
		{ TPH_HOOK_RAW_TP, OURS, { TP(raw_tp, vfio_pci_tph_set) } },
		{ TPH_HOOK_FENTRY, SERIES, { FEXIT(vfio_pci_core_feature_dma_buf_tph) } },
		{ TPH_HOOK_KPROBE, SERIES, { KRET(vfio_pci_core_feature_dma_buf_tph) } },
	} },
	[TPH_EV_TPH_QUERY] = { TPH_EV_TPH_QUERY, "TPH queried (get_tph)", {
		{ TPH_HOOK_TP_BTF, OURS, { TP(tp_btf, dma_buf_get_pci_tph),
					   TP_OPT(tp_btf, vfio_pci_tph_query) } },
		{ TPH_HOOK_RAW_TP, OURS, { TP(raw_tp, dma_buf_get_pci_tph),
					   TP_OPT(raw_tp, vfio_pci_tph_query) } },
		/*
		 * v8+ and v7: the importer's wrapper, refined by the exporter
		 * callback; v5 has no wrapper: the callback is the query.
		 */
		{ TPH_HOOK_FENTRY, SERIES8, { FEXIT(dma_buf_get_pci_tph),
					      FEXIT_OPT(vfio_pci_dma_buf_get_pci_tph) },
		  SHAPE(V8) },
		{ TPH_HOOK_FENTRY, SERIES7, { FEXIT(dma_buf_get_tph),
					      FEXIT_OPT(vfio_pci_dma_buf_get_tph) },
		  SHAPE(V7) },
		{ TPH_HOOK_FENTRY, SERIES5, { FEXIT(vfio_pci_dma_buf_get_tph) },
		  SHAPE(V5) },
		{ TPH_HOOK_KPROBE, SERIES8, { KRET(dma_buf_get_pci_tph),
					      KRET_OPT(vfio_pci_dma_buf_get_pci_tph) },
		  SHAPE(V8) },
		{ TPH_HOOK_KPROBE, SERIES7, { KRET(dma_buf_get_tph),
					      KRET_OPT(vfio_pci_dma_buf_get_tph) },
		  SHAPE(V7) },
		{ TPH_HOOK_KPROBE, SERIES5, { KRET(vfio_pci_dma_buf_get_tph) },
		  SHAPE(V5) },
	} },
	[TPH_EV_MR_REG] = { TPH_EV_MR_REG, "MR registered (mlx5 dma-buf)", {
		{ TPH_HOOK_TP_BTF, OURS, { TP(tp_btf, mlx5_ib_mr_tph),
					   TP(tp_btf, mlx5_ib_dmabuf_mr),
					   TP_OPT(tp_btf, vfio_pci_tph_query),
					   TP_OPT(tp_btf, pcie_tph_st_write) } },
		{ TPH_HOOK_RAW_TP, OURS, { TP(raw_tp, mlx5_ib_mr_tph),
					   TP(raw_tp, mlx5_ib_dmabuf_mr),
					   TP_OPT(raw_tp, vfio_pci_tph_query),
					   TP_OPT(raw_tp, pcie_tph_st_write) } },
		/*
		 * The registration's entry and exit, and the steps inside it
		 * a per-task state machine pieces the outcome from: the
		 * requester type, the query (per shape), the ST index. The
		 * last candidates, for no or an unknown shape, see no query.
		 */
		{ TPH_HOOK_FENTRY, SERIES8, { MR_FENTRY, FEXIT_OPT(dma_buf_get_pci_tph),
					      FEXIT_OPT(vfio_pci_dma_buf_get_pci_tph),
					      MR_FENTRY_ST }, SHAPE(V8) },
		{ TPH_HOOK_FENTRY, SERIES7, { MR_FENTRY, FEXIT_OPT(dma_buf_get_tph),
					      FEXIT_OPT(vfio_pci_dma_buf_get_tph),
					      MR_FENTRY_ST }, SHAPE(V7) },
		{ TPH_HOOK_FENTRY, SERIES5, { MR_FENTRY, FEXIT_OPT(vfio_pci_dma_buf_get_tph),
					      MR_FENTRY_ST }, SHAPE(V5) },
		{ TPH_HOOK_FENTRY, "mlx5 functions", { MR_FENTRY, MR_FENTRY_ST } },
		{ TPH_HOOK_KPROBE, SERIES8, { MR_KPROBE, KRET_OPT(dma_buf_get_pci_tph),
					      KRET_OPT(mlx5_st_alloc_index_by_tag) },
		  SHAPE(V8) },
		{ TPH_HOOK_KPROBE, SERIES7, { MR_KPROBE, KRET_OPT(dma_buf_get_tph),
					      KRET_OPT(mlx5_st_alloc_index_by_tag) },
		  SHAPE(V7) },
		{ TPH_HOOK_KPROBE, SERIES5, { MR_KPROBE, KRET_OPT(vfio_pci_dma_buf_get_tph),
					      KRET_OPT(mlx5_st_alloc_index_by_tag) },
		  SHAPE(V5) },
		{ TPH_HOOK_KPROBE, "mlx5 functions", { MR_KPROBE,
					      KRET_OPT(mlx5_st_alloc_index_by_tag) } },
	} },
	[TPH_EV_MR_DEREG] = { TPH_EV_MR_DEREG, "MR deregistered", {
		{ TPH_HOOK_TP_BTF, OURS, { TP(tp_btf, mlx5_ib_dmabuf_mr_dereg) } },
		{ TPH_HOOK_RAW_TP, OURS, { TP(raw_tp, mlx5_ib_dmabuf_mr_dereg) } },
	} },
	[TPH_EV_ST_INDEX] = { TPH_EV_ST_INDEX, "ST table index alloc/get/put", {
		{ TPH_HOOK_TP_BTF, OURS, { TP(tp_btf, mlx5_st_index_alloc),
					   TP(tp_btf, mlx5_st_index_put),
					   TP_OPT(tp_btf, mlx5_st_index_get) } },
		{ TPH_HOOK_RAW_TP, OURS, { TP(raw_tp, mlx5_st_index_alloc),
					   TP(raw_tp, mlx5_st_index_put),
					   TP_OPT(raw_tp, mlx5_st_index_get) } },
		/* mlx5_st_get_index() came with v7 (ST refs of DMAH MRs) */
		{ TPH_HOOK_FENTRY, SERIES, { FEXIT(mlx5_st_alloc_index_by_tag),
					     FEXIT(mlx5_st_dealloc_index),
					     FEXIT(mlx5_st_get_index) },
		  SHAPE(V7) | SHAPE(V8) },
		{ TPH_HOOK_FENTRY, SERIES5, { FEXIT(mlx5_st_alloc_index_by_tag),
					      FEXIT(mlx5_st_dealloc_index) }, SHAPE(V5) },
		{ TPH_HOOK_FENTRY, SERIES, { FEXIT(mlx5_st_alloc_index_by_tag),
					     FEXIT(mlx5_st_dealloc_index),
					     FEXIT_OPT(mlx5_st_get_index) } },
		{ TPH_HOOK_KPROBE, SERIES, { KRET(mlx5_st_alloc_index_by_tag),
					     KRET(mlx5_st_dealloc_index),
					     KRET(mlx5_st_get_index) },
		  SHAPE(V7) | SHAPE(V8) },
		{ TPH_HOOK_KPROBE, SERIES5, { KRET(mlx5_st_alloc_index_by_tag),
					      KRET(mlx5_st_dealloc_index) }, SHAPE(V5) },
		{ TPH_HOOK_KPROBE, SERIES, { KRET(mlx5_st_alloc_index_by_tag),
					     KRET(mlx5_st_dealloc_index),
					     KRET_OPT(mlx5_st_get_index) } },
	} },
	[TPH_EV_PCI_TPH] = { TPH_EV_PCI_TPH, "PCI TPH enable/disable/ST write", {
		{ TPH_HOOK_TP_BTF, OURS, { TP(tp_btf, pcie_tph_enable),
					   TP(tp_btf, pcie_tph_disable),
					   TP(tp_btf, pcie_tph_st_write) } },
		{ TPH_HOOK_RAW_TP, OURS, { TP(raw_tp, pcie_tph_enable),
					   TP(raw_tp, pcie_tph_disable),
					   TP(raw_tp, pcie_tph_st_write) } },
		{ TPH_HOOK_FENTRY, "PCI TPH functions", { FEXIT(pcie_enable_tph),
					     FENTRY(pcie_disable_tph),
					     FEXIT(pcie_tph_set_st_entry) } },
		{ TPH_HOOK_KPROBE, "PCI TPH functions", { KRET(pcie_enable_tph),
					     KENTRY(pcie_disable_tph),
					     KRET(pcie_tph_set_st_entry) } },
	} },
};
