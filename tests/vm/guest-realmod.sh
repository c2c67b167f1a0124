#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs INSIDE a newest-series guest for tests/vm/test-dmabuf.sh (after
# guest-dmabuf-families.sh, same boot): the kernel's real mlx5_ib, mlx5_core, ib_core
# and vfio-pci(-core) modules, no tphsim. Writes to $VM_JOBDIR/realmod/:
#   env.txt               modprobe results
#   btf/NAME.btf          /sys/kernel/btf/* (the judge reads them with bpftool)
#   core-load.{out,log}   every kprobe program of tphtrace.bpf.o loaded, not
#                         attached (tests/vm/core-load): CO-RE against the
#                         real module BTF for every flavor, libbpf's log
#   probe.F.json, trace.F.{log,rc}   tphtrace probe -j and trace -v -D 1 with
#                         --hooks mr_reg=F (F = fentry, kprobe): what attaches
# Module autoload does not work in these guests: every module is modprobe'd.
set -u
W=$VM_JOBDIR/realmod
T=.output/tphtrace
mkdir -p "$W/btf"
{
	for m in mlx5_ib vfio-pci; do
		modprobe "$m"
		echo "modprobe_${m//-/_}=$?"
	done
} >"$W/env.txt"
t0=$EPOCHREALTIME
mark() { echo "t_$1=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" >>"$W/env.txt"; }
mark modprobed
for f in /sys/kernel/btf/*; do cp "$f" "$W/btf/${f##*/}.btf"; done
.output/tests/core-load .output/tphtrace.bpf.o >"$W/core-load.out" 2>"$W/core-load.log"
echo "core_load=$?" >>"$W/env.txt"
mark core_load
for f in fentry kprobe; do
	$T probe -j --hooks mr_reg=$f >"$W/probe.$f.json" 2>"$W/probe.$f.err"
	$T trace -v --hooks mr_reg=$f -D 1 >/dev/null 2>"$W/trace.$f.log"
	echo $? >"$W/trace.$f.rc"
	mark $f
done
exit 0
