# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by the exporter and reliability suites (and by the guest jobs):
#
#   exporter_start NAME CMD...  runs CMD (a `tphtrace exporter` command line
#                               listening on port 0) in the background with its
#                               output in $W/NAME.out and $W/NAME.err; sets PID
#                               and PORT from its "listening on" line and adds
#                               PID to the pids array; returns 1 if it died or
#                               said nothing within 15 s
#   caps_are PID MASK           CapEff and CapPrm of every thread of PID are MASK
#                               (and the HTTP thread exists)
#   wait_or_kill PID [SECS]     wait for PID, SIGKILL it after SECS (10) so that
#                               a process ignoring a signal cannot hang a suite;
#                               its exit status in RC
#   exporter_cleanup            the EXIT trap of a suite that starts them:
#                               kill and reap every pid in the pids array,
#                               remove $W (in the suite's own shell only: a
#                               subshell of it ending must not)

exporter_start() {
	local name=$1 i
	shift
	# a file left by an earlier start must not answer for this one (the
	# child truncates it only once it runs)
	rm -f "$W/$name.out" "$W/$name.err"
	"$@" >"$W/$name.out" 2>"$W/$name.err" &
	PID=$!
	pids+=("$PID")
	PORT=""
	for i in $(seq 1 150); do
		PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$W/$name.err" 2>/dev/null)
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

caps_are() {
	local t e p
	for t in /proc/"$1"/task/*; do
		e=$(awk '/^CapEff:/{print $2}' "$t/status")
		p=$(awk '/^CapPrm:/{print $2}' "$t/status")
		[ "$((16#$e))" -eq "$(($2))" ] && [ "$((16#$p))" -eq "$(($2))" ] || return 1
	done
	[ "$(ls /proc/"$1"/task | wc -l)" -ge 2 ]
}

wait_or_kill() {
	local wd
	(trap - EXIT; sleep "${2:-10}"; kill -9 "$1" 2>/dev/null) &
	wd=$!
	wait "$1"
	RC=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	return 0
}

exporter_cleanup() {
	[ "$BASHPID" = "$$" ] || return 0
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
