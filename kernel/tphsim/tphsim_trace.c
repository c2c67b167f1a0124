// SPDX-License-Identifier: GPL-2.0
/*
 * Instantiates the tracepoints tphsim fires: the TPH series' trace headers
 * from kernel/include/trace/events (the same files the kernel patches add,
 * never copies). The simulated upstream dma_buf:* events are defined by
 * tphsim_dmabuf_tp.ko (tphsim_upstream_tp.c), not here.
 */
#define CREATE_TRACE_POINTS
#include <trace/events/dma_buf_tph.h>
#include <trace/events/vfio_pci_tph.h>
#include <trace/events/mlx5_ib_tph.h>
#include <trace/events/mlx5_st.h>
#include <trace/events/pci_tph.h>
