/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced ahead of every unit of the EXACT-file compile check
 * (compile-check.sh): what the newest Debian kernel's headers lack for the
 * series' base.
 *   - CONFIG_PCIE_TPH: Debian builds without it, which drops the TPH
 *     fields of struct pci_dev that drivers/pci/tph.c uses;
 *   - the events the series adds to include/trace/events/pci.h: the
 *     patched header (copied next to this file by compile-check.sh) takes
 *     the place of the kernel's own through its include guard;
 *   - the VFIO_DEVICE_FEATURE_DMA_BUF_TPH uapi of the TPH series (v6+),
 *     which no kernel has (../uapi_stubs.h, copied next to this file);
 *   - vfio_pci_core_setup_barmap(), which the series' base still has and
 *     the newest kernel replaced by vfio_pci_core_get_iomap().
 */
#define CONFIG_PCIE_TPH 1
#include <linux/pci.h>
#include "include/trace/events/pci.h"

#include "uapi_stubs.h"

struct vfio_pci_core_device;
int vfio_pci_core_setup_barmap(struct vfio_pci_core_device *vdev, int bar);
