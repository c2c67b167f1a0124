#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make bench, guest half (bench/README.md): runs in a Debian 6.12 QEMU guest
# (tests/vm/run-guest.sh) with tphsim loaded. Prints "key=value" lines that
# bench/bench.sh turns into P1 (the handlers on real objects), P2, P3 and
# P7a (bench/guest-p7.sh p7mr). Arguments: ROUNDS BURST P7_N
set -u
rounds=${1:-5}
burst=${2:-2000}
p7n=${3:-2000}
top=$(pwd)
out=$top/.output/bench
tph=$top/.output/tphtrace
bb=$out/bpfbench
ctl=$out/tphsim-ctl
bt=$top/bench/tph_query.bt
export BPFTRACE_PERF_RB_PAGES=1024	# 4 MiB per CPU: no bpftrace losses in a burst

echo "guest kernel=$(uname -r) cpus=$(nproc)"
insmod "$out/kbuild/tphsim/tphsim.ko" || { echo "guest error=insmod"; exit 1; }
cat >"$VM_JOBDIR/burst.scn" <<SCN
name bench
exporter gpu0 addr=0000:3a:00.0 completer=tph
export buf0 gpu0
set gpu0 buf0 st=0x2a ph=2
burst buf0 count=$burst fired=$burst
SCN

# P3: start-up to attached, one tool at a time, alternating
for i in $(seq "$rounds"); do
	t=$("$bb" startup -t 'ready:' -- "$tph" trace) && echo "p3 tool=tphtrace s=$t"
	t=$("$bb" startup 'Attaching' -- bpftrace -B line "$bt") && echo "p3 tool=bpftrace s=$t"
done
# what tphtrace's start-up is made of, and the least a libbpf tool pays
"$bb" startparts dma_buf_get_pci_tph

# P2 (+ P1 on the real hook): both tools attached at once, then bursts
# (their output goes to the guest's tmpfs: the job share is 9p, slow)
"$tph" trace -j >/dev/null 2>/tmp/tphtrace.err &
tpid=$!
bpftrace -B line "$bt" >/tmp/bpftrace.out 2>/tmp/bpftrace.err &
bpid=$!
for _ in $(seq 300); do
	grep -q 'ready:' /tmp/tphtrace.err && grep -q 'Attaching' /tmp/bpftrace.out && break
	sleep 0.2
done
# P1 takes at least 9 rounds (bench/README.md), after one unmeasured burst (-w)
"$bb" progstats -c -w -t dma_buf_get_pci_tph -r $((rounds < 9 ? 9 : rounds)) \
	-o tphtrace=$tpid -o bpftrace=$bpid \
	-- "$ctl" run "$VM_JOBDIR/burst.scn"
"$ctl" stats | sed 's/^/tphsim /'
kill -TERM "$tpid" "$bpid"
wait "$tpid" "$bpid"
sed 's/^/tphtrace-stderr /' /tmp/tphtrace.err | tail -n 3
echo "bpftrace lines=$(wc -l </tmp/bpftrace.out)"
grep -i 'lost' /tmp/bpftrace.out /tmp/bpftrace.err | sed 's/^/bpftrace-lost /'
# P7a: MR registration + deregistration through tphsim, alone and watched
bash "$top/bench/guest-p7.sh" mr "$p7n" "$rounds" "$top/bench/p7_mr.bt"
rmmod tphsim
echo "guest done"
