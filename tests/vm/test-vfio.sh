#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-vfio.sh: the real vfio-pci dma-buf exporter (issue 10 item 5) in the
# newest-kernel guest (Debian 7.3: CONFIG_VFIO_PCI_DMABUF=y), on QEMU's q35
# with an emulated Intel IOMMU (intel_iommu=on) and QEMU's `edu` PCI device
# bound to vfio-pci; tests/vm/guest-vfio.sh exports a range of its BAR0 with
# VFIO_DEVICE_FEATURE_DMA_BUF (tests/vm/mkvfiobuf) and checks tphtrace's trace
# and list against it and debugfs bufinfo (check vfio_bind, vfio_export,
# vfio_inventory). One boot, about 20 s.
# Prints the guest's "check ..." lines and "N passed, N failed, N skipped";
# exits 1 on any failure, 77 when it cannot run at all (tests/lib/suite.sh).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_cmd qemu-system-x86_64 "scripts/deps.sh"
need_cmd jq "scripts/deps.sh"
kver=$(series_kver new)
# the image and modules only: nothing is built for this kernel
if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ] || [ ! -d "/lib/modules/$kver" ]; then
	skip_suite "no newest Debian kernel${kver:+ ($kver)} (scripts/deps.sh)"
fi
for f in .output/tphtrace .output/tests/mkvfiobuf; do
	[ -x "$f" ] || skip_suite "no $f (make check-all builds it)"
done
out=$top/.output/vm/vfio
rm -rf "$out"
mkdir -p "$out"
# the IOMMU before edu: QEMU gives a PCI device its DMA address space when
# the device is realized; caching-mode=on as for any assigned device
bash "$here/run-guest.sh" -K "$kver" -t 300 -J "$out/job" \
	-Q -machine -Q q35 -Q -device -Q intel-iommu,caching-mode=on -Q -device -Q edu \
	-A "intel_iommu=on iommu=pt" -s "$here/guest-vfio.sh" >"$out/guest.log" 2>&1
guest_result vfio_guest "$kver" $? "$out/guest.log" >"$out/all.log"
cat "$out/all.log"
guest_close "$out/all.log"
