#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# vfio-import-experiment.sh: can anything in the Debian 7.3 guest IMPORT a
# real vfio-pci dma-buf? (issue 10 item 5; not a make-check suite: the answer
# today is no, see tests/vm/README.md "Real VFIO exporter").
# Boots the guest of test-vfio.sh, exports 64 KiB of edu's BAR0
# (tests/vm/mkvfiobuf), registers it as a tphsim dma-buf MR
# (tests/vm/tphsim-import: the mlx5 look-alike, a p2p dynamic importer) and
# prints the chain from tracefs: the dma_buf:* tracepoints plus kretprobes on
# dma_buf_attach_revocable, dma_buf_dynamic_attach, pci_p2pdma_map_type,
# dma_buf_phys_vec_to_sgt, dma_buf_map_attachment. Also notes /dev/iommu.
# Builds tphsim for the newest kernel first (kernel/tphsim/scripts/build.sh).
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"
. tests/lib/suite.sh
kver=$(series_kver new)
out=$top/.output/vm/vfio-import
mkdir -p "$out" .output/tests
make -s "$top/.output/tphtrace" "$top/.output/tests/mkvfiobuf"
gcc -std=gnu11 -Wall -Wextra -Werror -O2 tests/vm/tphsim-import.c -o .output/tests/tphsim-import
[ -r "$out/tphsim.ko" ] || bash kernel/tphsim/scripts/build.sh -o "$out" "$kver"
cat >"$out/guest.sh" <<'GUEST'
#!/bin/bash
. tests/lib/suite.sh
W=$VM_JOBDIR/w; mkdir -p $W
bdf=$(grep -l 0x11e8 /sys/bus/pci/devices/*/device | head -n 1 | xargs dirname | xargs basename)
modprobe vfio-pci
echo vfio-pci > /sys/bus/pci/devices/$bdf/driver_override
echo $bdf > /sys/bus/pci/drivers_probe
insmod "$KO"
echo "# /dev/iommu: $(ls /dev/iommu 2>&1)"
echo "# $(grep -h 'CONFIG_IOMMUFD' /lib/modules/$(uname -r)/config)"
timeout 120 .output/tphtrace trace -j -D 1 >/dev/null 2>$W/t.err
echo "# tphtrace trace with tphsim and vfio_pci_core loaded: exit $? $(grep -m 1 ambiguity $W/t.err)"
cd /sys/kernel/tracing
for f in dma_buf_attach_revocable dma_buf_dynamic_attach pci_p2pdma_map_type \
	dma_buf_phys_vec_to_sgt dma_buf_map_attachment; do
	echo "r:r_$f $f ret=\$retval:s32" >> kprobe_events
done
echo 1 > events/kprobes/enable
echo 1 > events/dma_buf/enable
cd - >/dev/null
.output/tests/mkvfiobuf -w $W/rel "$bdf" 0 0x1000 65536 > $W/mk.out 2>&1 &
mp=$!
wait_for $W/mk.out ino= 60
cat $W/mk.out
fd=$(sed -n 's/.*fd=\([0-9]*\).*/\1/p' $W/mk.out)
timeout 30 .output/tests/tphsim-import $mp $fd 65536
echo 0 > /sys/kernel/tracing/events/kprobes/enable
grep -v '^#' /sys/kernel/tracing/trace | sed 's/^ *//'
touch $W/rel
wait $mp
GUEST
bash tests/vm/run-guest.sh -K "$kver" -t 300 -e "KO=$out/tphsim.ko" \
	-Q -machine -Q q35 -Q -device -Q intel-iommu,caching-mode=on -Q -device -Q edu \
	-A "intel_iommu=on iommu=pt" -s "$out/guest.sh"
