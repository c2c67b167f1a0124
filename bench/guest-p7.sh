#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make bench, P7 in a guest (bench/README.md): the traced operation OP
# (bpfbench p7mr or p7dmabuf, N timed operations) with
# `tphtrace trace -j >/dev/null` attached and with bpftrace running SCRIPT
# attached, ROUNDS times in turn (at least 9), each watched run between two
# runs with no tracer (none, tphtrace, none, bpftrace, none, ...): bench.sh
# divides a watched run by the mean of the two around it, so that a drift
# of the guest's speed cancels. Run by bench/guest.sh (6.12, p7mr, tphsim
# loaded) and bench/guest-new.sh (newest kernel, p7dmabuf). Prints, in
# the order run,
#   p7 tool=none|tphtrace|bpftrace op=OP n=N median_us=X p10_us=X p90_us=X
# Arguments: OP(mr|dmabuf) N ROUNDS SCRIPT
set -u
op=$1 n=$2 rounds=$3 bt=$4
top=$(pwd)
tph=$top/.output/tphtrace
bb=$top/.output/bench/bpfbench

wait_for() { # FILE PATTERN: up to 60 s
	for _ in $(seq 300); do
		grep -qs "$2" "$1" && return 0
		sleep 0.2
	done
	echo "p7 error=not-attached file=$1: $(tail -n 3 "$1" "${1%.*}.err" 2>/dev/null | tr '\n' ' ')"
	return 1
}

running() { # PID: alive and not yet a zombie
	local st
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]
}

stop() { # PID: SIGINT, again every 0.1 s (bpftrace 0.17 can miss one), SIGKILL after 10 s
	local i
	for i in $(seq 100); do
		running "$1" || break
		kill -INT "$1" 2>/dev/null
		sleep 0.1
	done
	running "$1" && kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

timed() { # TOOL: one run of the operation, tagged
	"$bb" "p7$op" -n "$n" | sed "s/^p7 /p7 tool=$1 /"
}

timed none
for _ in $(seq $((rounds < 9 ? 9 : rounds))); do
	# tphtrace as a user runs it: JSON lines to /dev/null
	"$tph" trace -j >/dev/null 2>/tmp/p7-tph.err &
	pid=$!
	wait_for /tmp/p7-tph.err 'ready:' && timed tphtrace
	stop "$pid"
	grep -h 'lost' /tmp/p7-tph.err | sed 's/^/p7 tphtrace-stderr /'
	timed none
	# bpftrace: its lines to the guest's tmpfs (its BEGIN line marks it attached)
	bpftrace -B line "$bt" >/tmp/p7-bt.out 2>/tmp/p7-bt.err &
	pid=$!
	wait_for /tmp/p7-bt.out 'attached' && timed bpftrace
	stop "$pid"
	echo "p7 bpftrace-lines op=$op lines=$(wc -l </tmp/p7-bt.out)"
	grep -hi 'lost' /tmp/p7-bt.out /tmp/p7-bt.err | head -n 3 | sed 's/^/p7 bpftrace-lost /'
	timed none
done
