// SPDX-License-Identifier: GPL-2.0
/*
 * Instantiates the tracepoints tphsim fires, from the files the kernel
 * patches add (kernel/tree/, never copies): the pci and dma_buf events
 * through the wrappers that give the patch's fragments of
 * <trace/events/pci.h> and <trace/events/dma_buf.h> a header each, the
 * driver-local vfio-pci, mlx5 core and mlx5_ib headers as they are. The
 * simulated upstream dma_buf:* events are defined by tphsim_dmabuf_tp.ko
 * (tphsim_upstream_tp.c), not here.
 */
#include "tphsim.h"

#define CREATE_TRACE_POINTS
#include "tphsim_trace_pci.h"
#include "tphsim_trace_dma_buf.h"
#include "vfio_pci_trace.h"
#include "diag/st_tracepoint.h"
#include "mr_tracepoint.h"
