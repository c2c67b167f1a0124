#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs INSIDE the QEMU guest for `make demo`: loads the simulator, shows the
# hook plan, traces the narrated scenario live, then diagnoses the trace.
T=.output/tphtrace
CTL=kernel/tphsim/ctl/tphsim-ctl
W=/tmp/demo
mkdir -p $W
con=/dev/console
say() { echo "$*" > $con; }

say "@@live@@"
say "tphtrace demo on $(uname -r) (QEMU guest, no TPH hardware: tphsim simulates"
say "a VFIO exporter and mlx5 NICs running the TPH series' code paths)"
say ""
insmod kernel/tphsim/tphsim.ko || { say "insmod tphsim.ko failed"; exit 1; }
say "== tphtrace probe: the hook chosen for each event on this kernel"
$T probe > $con 2>&1
say ""
say "== tphtrace trace: every event, live"
$T trace > $con 2>$W/trace.err &
tpid=$!
$T trace -j > $W/demo.jsonl 2>$W/json.err &
jpid=$!
i=0
while ! { grep -q ready: $W/trace.err && grep -q ready: $W/json.err; } && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
$CTL run demo/demo.scn 2>&1 | grep --line-buffered -vE '^(op|bind) ' > $con
sleep 0.5
kill -INT $tpid $jpid
wait $tpid $jpid
say ""
say "== tphtrace check --replay: diagnosis of the recorded trace ($(wc -l < $W/demo.jsonl) records)"
$T check --replay $W/demo.jsonl > $con 2>&1
say ""
say "== done: 'tphtrace COMMAND --help' for more; README.md for the rest"
rmmod tphsim
exit 0
