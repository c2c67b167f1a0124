/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The series' lines of include/trace/events/pci.h, for kernels whose own
 * pci.h cannot take them (before the upstream events it extends): the
 * fragment as a trace system of its own, as tphsim builds it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pci

#if !defined(_TP_FRAG_PCI_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TP_FRAG_PCI_H

#include <linux/tracepoint.h>

#include "frag_pci.inc"

#endif

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tp_frag_pci
#include <trace/define_trace.h>
