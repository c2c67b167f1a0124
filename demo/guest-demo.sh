#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs INSIDE the QEMU guest for `make demo`: loads the simulator, shows the
# hook plan, records the narrated scenario with `tphtrace trace -j`, then tells
# it step by step: each step's heading, the records it produced (as `tphtrace
# trace` prints them), a drawing of what is connected to what and of each MR's
# path after the steps that change them, and the diagnosis. The order is that
# of the recording, not of two programs racing for the console, so two runs
# print the same text but for pids (and the kernel's attach cookies, left out).
T=.output/tphtrace
CTL=kernel/tphsim/ctl/tphsim-ctl
W=/tmp/demo
mkdir -p $W
con=/dev/console
say() { echo "$*" > $con; }
# the width the text views wrap to on the console
export COLUMNS=100

say "@@live@@"
say "tphtrace demo on $(uname -r) (QEMU guest, no TPH hardware: tphsim simulates"
say "a VFIO exporter and mlx5 NICs running the TPH series' code paths)"
say ""
insmod kernel/tphsim/tphsim.ko || { say "insmod tphsim.ko failed"; exit 1; }
say "== tphtrace probe: the hook chosen for each event on this kernel"
$T probe > $W/probe.txt 2>&1
cat $W/probe.txt > $con
say ""

# record the session; the narration's lines carry the time they were said
$T trace -j > $W/demo.jsonl 2> $W/trace.err &
tpid=$!
i=0
while ! grep -q ready: $W/trace.err && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
TPHSIM_SAY_CLOCK=1 $CTL run demo/demo.scn > $W/ctl.out 2>&1
sleep 0.5
kill -INT $tpid
wait $tpid

# steps: a heading "== N. ..." and the lines after it, until the next one
awk '/^@[0-9]+ == [0-9]+\./ { n++; t[n] = substr($1, 2) }
     END { for (i = 1; i <= n; i++) print i, t[i], (i < n ? t[i + 1] : "18446744073709551615") }' \
	$W/ctl.out > $W/steps
first=1
while read -r step from to; do
	say ""
	awk -v s="$step" '/^@[0-9]+ / { if ($2 == "==" && $3 ~ /^[0-9]+\.$/) n++
	     if (n == s) { sub(/^@[0-9]+ /, ""); print } }' $W/ctl.out > $con
	# this step's records, as 'tphtrace trace' prints them (header once)
	jq -c "select(.ts >= $from and .ts < $to)" $W/demo.jsonl |
		$T trace --replay - 2>/dev/null | sed 's/ attach=0x[0-9a-f]*//' |
		if [ $first -eq 1 ]; then cat; else tail -n +2; fi > $con
	first=0
	# what is connected to what, and each MR's path, after the MRs and the revoke
	case $step in
	3|6)
		at=$(echo "$to" | awk '{ printf "%.9f", ($1 - 1) / 1e9 }')
		echo "$at" > $W/at.$step
		$T list --replay $W/demo.jsonl --at "$at" --tree > $con 2>&1 ;;
	esac
done < $W/steps

say ""
say "== tphtrace check --replay: diagnosis of the recording ($(wc -l < $W/demo.jsonl) records)"
$T check --replay $W/demo.jsonl > $W/check.txt 2>&1
sed "s|$W/|.output/|" $W/check.txt > $con
cp $W/demo.jsonl "$VM_JOBDIR/demo.jsonl"
cp $W/at.3 "$VM_JOBDIR/at"
rmmod tphsim
exit 0
