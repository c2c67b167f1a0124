#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs INSIDE the guest (Debian 6.12, stock kernel: the dma-buf events are
# hooked through fentry/kprobe): the lifecycle of tphtrace with BPF programs
# really attached (issue 12 item 3).
#   - SIGINT, SIGTERM, SIGHUP end `trace` with exit 0; after each, no BPF
#     program or link of tphtrace is left (bpftool, against the set before);
#   - `trace | head -1` ends trace with exit 0 and no error once the reader
#     is gone (SIGPIPE is ignored; EPIPE stops it);
#   - after SIGKILL of trace and of the exporter, nothing of theirs is left;
#   - the exporter's effective and permitted sets after attaching are what
#     --capabilities.keep says, in every thread.
# Prints ok/not ok lines; the host counts them.
T=${TPHTRACE:-.output/tphtrace}
MK=${MKDMABUF:-.output/tests/mkdmabuf}
W=/tmp/tphtrace-vm-life
. tests/lib/exporter.sh	# caps_are
mkdir -p $W
n=0
ok() { n=$((n + 1)); echo "ok $n - [${KSERIES:-?}] $*"; }
nok() { n=$((n + 1)); echo "not ok $n - [${KSERIES:-?}] $*"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

echo "# kernel $(uname -r)"
# ids of every BPF program and link now
ids() { bpftool -j "$1" show 2>/dev/null | jq -r '.[].id' | sort; }
ours() { # prog|link BEFORE-FILE: ids that were not there before
	ids "$1" | comm -13 "$2" -
}
ids prog >$W/prog.before
ids link >$W/link.before

wait_ready() { # ERRFILE PID
	local i=0
	while ! grep -q "$3" "$1" && [ $i -lt 600 ] && kill -0 "$2" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$3" "$1"
}
gone() { # nothing new, within 5 s (the kernel frees them as the fds close)
	local i=0
	while [ $i -lt 50 ]; do
		[ -z "$(ours prog $W/prog.before)" ] && [ -z "$(ours link $W/link.before)" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# SIGTERM takes the path of SIGINT (one handler; the host suite sends all three)
for sig in INT HUP KILL; do
	$T trace -j >$W/trace.out 2>$W/trace.err &
	pid=$!
	if ! wait_ready $W/trace.err $pid 'ready:'; then
		nok "trace attaches (for SIG$sig)"
		sed 's/^/# /' $W/trace.err | head -5
		continue
	fi
	np=$(ours prog $W/prog.before | wc -l)
	nl=$(ours link $W/link.before | wc -l)
	[ -e /dev/udmabuf ] && $MK udmabuf 1048576 >/dev/null
	kill -$sig $pid
	wait $pid
	rc=$?
	if [ $sig = KILL ]; then
		check "trace SIGKILL: killed (137)" "[ $rc -eq 137 ]"
	else
		check "trace SIG$sig: exit 0, no error" "[ $rc -eq 0 ] && ! grep -qi 'error' $W/trace.err"
	fi
	check "trace SIG$sig: its $np programs and $nl links (bpftool) are gone" \
		"[ $np -gt 0 ] && [ $nl -gt 0 ] && gone"
done

# a reader that goes away: trace stops at its next write, exit 0, no error
(
	$T trace 2>$W/pipe.err
	echo $? >$W/pipe.rc
) | head -n 1 >$W/pipe.out &
i=0
while ! grep -q 'ready:' $W/pipe.err 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
# events until trace notices the closed pipe (its first line goes to head)
j=0
while [ ! -s $W/pipe.rc ] && [ $j -lt 40 ]; do
	[ -e /dev/udmabuf ] && $MK udmabuf 1048576 >/dev/null
	sleep 0.25
	j=$((j + 1))
done
wait
check "trace | head -1: trace exits 0 once head is gone, without an error message" \
	"[ \"\$(cat $W/pipe.rc 2>/dev/null)\" = 0 ] && [ -s $W/pipe.out ] && ! grep -qi 'error\|broken pipe' $W/pipe.err"
check "trace | head -1: its programs are gone" "gone"

# the exporter: capability sets after attach, then SIGKILL
# the host suite checks every --capabilities.keep without programs; here one, attached
for keep in reattach; do
	case $keep in
	none) want=0 ;;
	cap_bpf,cap_perfmon) want=$(((1 << 38) | (1 << 39))) ;;
	reattach) want=$(((1 << 21) | (1 << 38) | (1 << 39))) ;;
	esac
	$T exporter --web.listen-address=127.0.0.1:0 --capabilities.keep=$keep \
		>$W/exp.out 2>$W/exp.err &
	pid=$!
	if ! wait_ready $W/exp.err $pid 'listening on'; then
		nok "exporter --capabilities.keep=$keep starts"
		sed 's/^/# /' $W/exp.err | head -5
		continue
	fi
	np=$(ours prog $W/prog.before | wc -l)
	check "exporter --capabilities.keep=$keep: $np programs attached, CapEff = CapPrm = $(printf '%#x' $want) in every thread" \
		"[ $np -gt 0 ] && grep -q 'programs attached' $W/exp.err && caps_are $pid $want"
	kill -KILL $pid
	wait $pid 2>/dev/null
	check "exporter --capabilities.keep=$keep, SIGKILL: its programs and links are gone" "gone"
done
