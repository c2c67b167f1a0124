/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pci:pcie_tph_* events for tphsim. Upstream they are part of
 * <trace/events/pci.h> (the kernel patch inserts them there); this wrapper
 * gives the very same lines, kernel/tree/include/trace/events/pci-tph.inc,
 * a trace system of their own in this module, without redefining the
 * kernel's other pci:* events.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pci

#if !defined(_TPHSIM_TRACE_PCI_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TPHSIM_TRACE_PCI_H

#include <linux/pci.h>
#include <linux/tracepoint.h>

#include "tphsim.h"

#include <trace/events/pci-tph.inc>

#endif /* _TPHSIM_TRACE_PCI_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tphsim_trace_pci
#include <trace/define_trace.h>
