#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# guest-vfio.sh   (runs INSIDE the newest-kernel guest, from the repo root; the
# guest is q35 + QEMU's intel-iommu + an `edu` device, booted with
# intel_iommu=on: tests/vm/test-vfio.sh)
#
# The real vfio-pci exporter on a stock kernel (issue 10 item 5): the edu
# device is bound to vfio-pci (driver_override), opened through the legacy
# container (type1) and a range of its BAR0 exported with
# VFIO_DEVICE_FEATURE_DMA_BUF (tests/vm/mkvfiobuf). Checked against what
# mkvfiobuf created and against the kernel's own /sys/kernel/debug/dma_buf/bufinfo:
#   vfio_bind     the device is bound to vfio-pci, its IOMMU group is /dev/vfio/N
#   vfio_export   `tphtrace trace -j` reports the export and the release: inode
#                 (fstat of the fd), size (the range), exp_name vfio_pci_core, comm
#   vfio_inventory  `tphtrace list -j` (iter/dmabuf) shows the held dma-buf with
#                 the same identity, created before it started, held by its pid
# No importer: the one importer of a vfio-pci dma-buf in the kernel is iommufd
# (IOMMU_IOAS_MAP_FILE), and Debian's 7.3 has CONFIG_IOMMUFD unset.
# Prints "check NAME kernel=K hooks=H what=W result=PASS|FAIL|SKIP [detail]".
set -u
T=$PWD/.output/tphtrace
MK=$PWD/.output/tests/mkvfiobuf
W=${VM_JOBDIR:-/tmp}/vfio
VENDOR=0x1234 DEVICE=0x11e8	# QEMU's edu (hw/misc/edu.c)
BAR=0 OFF=0x1000 LEN=65536	# a page-aligned range inside its 1 MiB BAR0
mkdir -p "$W"
kver=$(uname -r)
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh	# wait_for

# shellcheck source=tests/lib/guest-check.sh
. tests/lib/guest-check.sh
finish() {
	check_totals
	exit
}

echo "# kernel $kver, cmdline: $(cat /proc/cmdline)"
bdf=""
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = $VENDOR ] && [ "$(cat "$d/device")" = $DEVICE ]; then
		bdf=${d##*/}
	fi
done
grp=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group" 2>/dev/null)" 2>/dev/null)
if [ -z "$bdf" ] || [ -z "$grp" ]; then
	check vfio_bind - device FAIL "edu device ${bdf:-absent}, IOMMU group ${grp:-none} (QEMU -device intel-iommu, intel_iommu=on?)"
	finish
fi
modprobe vfio-pci 2>"$W/modprobe.err"
echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
echo "$bdf" > /sys/bus/pci/drivers_probe
drv=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/driver")")
if [ "$drv" = vfio-pci ] && [ -c "/dev/vfio/$grp" ]; then
	check vfio_bind - device PASS "$bdf group $grp"
else
	check vfio_bind - device FAIL "$bdf driver '$drv', /dev/vfio/$grp $(ls /dev/vfio 2>&1 | tr '\n' ' ') $(cat "$W/modprobe.err")"
	finish
fi

# ---- vfio_export: trace sees the export and the release ----------------------
$T trace -j > "$W/trace.json" 2> "$W/trace.err" &
tpid=$!
if ! wait_for "$W/trace.err" 'ready:' 120; then
	check vfio_export - trace FAIL "trace not ready: $(head -3 "$W/trace.err")"
	kill $tpid 2>/dev/null
	finish
fi
$MK "$bdf" $BAR $OFF $LEN > "$W/mk1.out" 2> "$W/mk1.err"
sleep 0.5
kill -INT $tpid
wait $tpid
jq -s . "$W/trace.json" > "$W/trace.arr" 2>/dev/null
hook() { jq -r "map(select(.kind==\"$1\"))[0].hook // \"-\"" "$W/trace.arr" 2>/dev/null; }
ino=$(field ino "$W/mk1.out")
if [ -z "$ino" ]; then
	check vfio_export - dmabuf FAIL "mkvfiobuf: $(cat "$W/mk1.err")"
else
	sel="select(.kind==\"dmabuf_export\" and .ino==$ino)"
	jcheck vfio_export "$(hook dmabuf_export)" export "$W/trace.arr" \
		"map($sel) | length == 1 and (.[0] | .size == $LEN and .exp_name == \"vfio_pci_core\" and .ret == 0 and .comm == \"mkvfiobuf\" and .pid == $(field pid "$W/mk1.out"))"
	jcheck vfio_export "$(hook dmabuf_release)" release "$W/trace.arr" \
		"map(select(.kind==\"dmabuf_release\" and .ino==$ino)) | length == 1 and (.[0] | .size == $LEN and .exp_name == \"vfio_pci_core\")"
fi

# ---- vfio_inventory: list shows the held dma-buf ------------------------------
rm -f "$W/release"
$MK -w "$W/release" "$bdf" $BAR $OFF $LEN > "$W/mk2.out" 2> "$W/mk2.err" &
mpid=$!
if ! wait_for "$W/mk2.out" 'ino=' 60; then
	check vfio_inventory iter list FAIL "mkvfiobuf: $(cat "$W/mk2.err")"
	finish
fi
ino=$(field ino "$W/mk2.out")
# the kernel's own account (dma_buf_debug_show(): size exp_name ino per line)
cp /sys/kernel/debug/dma_buf/bufinfo "$W/bufinfo" 2>/dev/null
$T list -j > "$W/list.json" 2> "$W/list.err"
touch "$W/release"
wait $mpid
jcheck vfio_inventory iter list "$W/list.json" \
	".dmabufs | map(select(.ino == $ino)) | length == 1 and (.[0] | .exp_name == \"vfio_pci_core\" and .size == $LEN and .before_start and (.holders | map(.pid) | index($mpid) != null))"
if awk -v ino="$ino" -v len=$LEN '$6 + 0 == ino && $1 + 0 == len && $5 == "vfio_pci_core" { f = 1 } END { exit !f }' "$W/bufinfo"; then
	check vfio_inventory - bufinfo PASS
else
	check vfio_inventory - bufinfo FAIL "debugfs bufinfo has no ino $ino size $LEN vfio_pci_core: $(grep vfio "$W/bufinfo")"
fi
# the importer the kernel has for it: iommufd's IOMMU_IOAS_MAP_FILE (v6.19)
if [ -e /dev/iommu ]; then
	check vfio_import - iommufd SKIP "/dev/iommu exists on $kver: the iommufd importer check is not written yet"
else
	echo "# no importer: $(sed -n 's/^# \(CONFIG_IOMMUFD is not set\)/\1/p' "/lib/modules/$kver/config" 2>/dev/null | grep . || echo 'no /dev/iommu'): iommufd's IOMMU_IOAS_MAP_FILE cannot import it"
fi
finish
