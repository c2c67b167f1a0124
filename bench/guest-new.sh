#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make bench, newest-kernel guest (bench/README.md): Debian's newest kernel
# (KVER_NEW, scripts/deps.sh) with its own upstream dma_buf tracepoints and
# no tphsim. P3 on this kernel (start-up to attached, tphtrace against
# bpftrace running bench/p3_dmabuf.bt, one tracepoint as tph_query.bt is on
# 6.12), where the start-up goes, and P7b (bench/guest-p7.sh p7dmabuf).
# Arguments: ROUNDS P7_N
set -u
rounds=${1:-5}
p7n=${2:-2000}
top=$(pwd)
tph=$top/.output/tphtrace
bb=$top/.output/bench/bpfbench
export BPFTRACE_PERF_RB_PAGES=1024	# as bench/guest.sh: a lost event would flatter bpftrace

echo "guest kernel=$(uname -r) cpus=$(nproc)"
modprobe vgem 2>/dev/null
[ -e /dev/udmabuf ] || modprobe udmabuf 2>/dev/null
for i in $(seq "$rounds"); do
	t=$("$bb" startup -t 'ready:' -- "$tph" trace) && echo "p3 tool=tphtrace s=$t"
	t=$("$bb" startup 'Attaching' -- bpftrace -B line "$top/bench/p3_dmabuf.bt") &&
		echo "p3 tool=bpftrace s=$t"
done
"$bb" startparts dma_buf_export
bash "$top/bench/guest-p7.sh" dmabuf "$p7n" "$rounds" "$top/bench/p7_dmabuf.bt"
echo "guest done"
