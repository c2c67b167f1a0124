#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-check.sh [--record] [SCENARIO.scn...]
# (without scenarios: a subset covering every rule; TPHTRACE_VM_ALL=1 or
# --record: all of them)
#
# `tphtrace check` against the simulator, end to end, in a Debian 6.12
# guest: for every kernel/tphsim/scenarios/*.scn the guest loads tphsim.ko,
# runs `tphtrace check -j` live and `tphtrace trace -j` side by side while
# `tphsim-ctl run` plays the scenario, then stops both with SIGINT. On the
# host, for every scenario listed in tests/data/traces/expected.txt as
# sim-NAME.jsonl:
#   - the live check reports exactly the expected rule ids (exit 0/1),
#   - `check --replay` of the trace just recorded reports the same ids.
# Before the scenarios, `tphtrace list -j` must recover two heap dma-bufs a
# process held before it started (by fd and by mmap, plus debugfs).
# --record copies the recordings to tests/data/traces/sim-NAME.jsonl (the
# files test-views.sh replays on every `make check`).
# tphsim.ko is built from a copy of the sources under .output/vm/check/, so
# a build here never touches kernel/tphsim/.
# Prints "ok N - ..." / "not ok N - ..." ("# SKIP" for a scenario without an
# expectation in expected.txt) and "N passed, N failed, N skipped"; exits 1
# on any failure, 77 when it cannot run at all.
set -u

guest() { # OUT CTL KO TPHTRACE HOLDER SCN...
	local out=$1 ctl=$2 ko=$3 T=$4 holder=$5 name scn tp cp i rc hp
	shift 5
	# state from before start: a process holding heap dma-bufs (fd + mmap)
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	"$holder" >"$out/holder.out" 2>&1 &
	hp=$!
	for i in $(seq 50); do grep -q ready "$out/holder.out" && break; sleep 0.1; done
	"$T" list -j >"$out/list.json" 2>"$out/list.err"
	echo $? >"$out/list.rc"
	kill "$hp"
	wait "$hp" 2>/dev/null
	for scn in "$@"; do
		name=$(basename "$scn" .scn)
		insmod "$ko" || { echo "guest: insmod $name failed"; continue; }
		"$T" trace -j >"$out/$name.jsonl" 2>"$out/$name.trace.err" &
		tp=$!
		"$T" check -j >"$out/$name.check.json" 2>"$out/$name.check.err" &
		cp=$!
		for i in $(seq 150); do
			grep -q 'ready:' "$out/$name.trace.err" 2>/dev/null &&
				grep -q 'tracing' "$out/$name.check.err" 2>/dev/null && break
			sleep 0.2
		done
		"$ctl" run "$scn" >"$out/$name.ctl" 2>&1
		rc=$?
		sleep 0.5
		kill -INT "$tp" "$cp"
		wait "$tp"
		wait "$cp"
		echo $? >"$out/$name.check.rc"
		rmmod tphsim || echo "guest: rmmod after $name failed"
		echo "guest: $name ctl=$rc records=$(grep -vc '"kind":"lost"' "$out/$name.jsonl")"
	done
}

if [ "${1:-}" = --guest ]; then
	shift
	guest "$@"
	exit 0
fi

cd "$(dirname "$0")/../.."
top=$PWD
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
T=$top/.output/tphtrace
D=$top/tests/data/traces
record=0
if [ "${1:-}" = --record ]; then
	record=1
	shift
fi
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
finish() { echo "$pass passed, $fail failed, $skipped skipped"; [ "$fail" -eq 0 ]; exit; }

need_guest 6.12
kver=$(series_kver 6.12)
[ -f "/lib/modules/$kver/build/vmlinux" ] ||
	skip_suite "no Debian 6.12 kernel headers with vmlinux (make deps)"
[ -f kernel/tphsim/Makefile ] && [ -d kernel/tphsim/scenarios ] || skip_suite "no kernel/tphsim"
[ -x "$T" ] || skip_suite "no $T (make)"
need_cmd jq "scripts/deps.sh"

work=$top/.output/vm/check
rm -rf "$work"
mkdir -p "$work/src/tphsim" "$work/job"
cp -r kernel/tphsim/*.[ch] kernel/tphsim/Makefile kernel/tphsim/scripts "$work/src/tphsim/"
cp -r kernel/tree "$work/src/tree"
if ! make -s -C "$work/src/tphsim" KDIR="/lib/modules/$kver/build" modules \
	>"$work/build.log" 2>&1; then
	nok "tphsim.ko builds for $kver" "$(tail -n 5 "$work/build.log")"
	finish
fi
ok "tphsim.ko builds for $kver"
make -s -C kernel/tphsim/ctl >/dev/null 2>&1 || true
ctl=$top/kernel/tphsim/ctl/tphsim-ctl
[ -x "$ctl" ] || { nok "tphsim-ctl builds"; finish; }

# holds a 1 MiB dma-buf by fd and an 8 KiB one by mmap only
cat >"$work/holder.c" <<'HOLDER'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
int main(void)
{
	struct dma_heap_allocation_data a = { .len = 1 << 20, .fd_flags = O_RDWR };
	struct dma_heap_allocation_data b = { .len = 8192, .fd_flags = O_RDWR };
	int h = open("/dev/dma_heap/system", O_RDWR);

	if (h < 0 || ioctl(h, DMA_HEAP_IOCTL_ALLOC, &a) || ioctl(h, DMA_HEAP_IOCTL_ALLOC, &b) ||
	    mmap(NULL, 8192, PROT_READ, MAP_SHARED, b.fd, 0) == MAP_FAILED) {
		perror("holder");
		return 1;
	}
	close(b.fd);
	close(h);
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
HOLDER
gcc -O2 -o "$work/holder" "$work/holder.c" || { nok "holder builds"; finish; }

if [ $# -gt 0 ]; then
	scns=()
	for s in "$@"; do scns+=("$(cd "$(dirname "$s")" && pwd)/$(basename "$s")"); done
elif [ "${TPHTRACE_VM_ALL:-0}" = 1 ] || [ $record -eq 1 ]; then
	scns=("$top"/kernel/tphsim/scenarios/*.scn)
else
	# make check: one scenario per rule the simulator can trigger, plus a
	# happy path. Every scenario's recording is also replayed by
	# test-scenarios.sh and test-views.sh; TPHTRACE_VM_ALL=1 plays them all.
	scns=()
	for s in ok_8bit not_published width_mismatch req_disabled_rp \
		set_completer_none st_table_full tag0_direct dmah stale_after_set \
		exporter_gone st_write_failed ph_range set_foreign no_st_table \
		no_p2p st_error; do
		scns+=("$top/kernel/tphsim/scenarios/$s.scn")
	done
fi
tests/vm/run-guest.sh -K "$kver" -t 590 -J "$work/job" -- \
	"$top/tests/vm/test-check.sh" --guest "$work/job" "$ctl" \
	"$work/src/tphsim/tphsim.ko" "$T" "$work/holder" "${scns[@]}" >"$work/guest.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	nok "guest ran every scenario" "run-guest exit $rc: $(tail -n 5 "$work/guest.log")"
	finish
fi
ok "guest ran ${#scns[@]} scenario(s)"

# list recovered what the holder had before tphtrace started
if [ "$(cat "$work/job/list.rc" 2>/dev/null)" = 0 ] && jq -e '
	([.dmabufs[] | select(.exp_name == "system" and .before_start and
		(.holders | map(.comm) | index("holder")))] | map(.size) | sort) == [8192, 1048576]
	and (.recovery.sources | map(select(.source == "proc" and .what == "dmabufs"))[0].detail
	     | test("^[1-9][0-9]* fd\\(s\\) and [1-9][0-9]* mapping"))
	and (.recovery.sources | map(select(.source == "debugfs" and .what == "dmabufs"))[0].count >= 2)
	and (.recovery.not_seen | index("mrs") != null)' \
	"$work/job/list.json" >/dev/null; then
	ok "list recovers dma-bufs held before start (fd, mmap, debugfs)"
else
	nok "list recovers dma-bufs held before start (fd, mmap, debugfs)" \
		"$(head -c 300 "$work/job/list.json") $(cat "$work/job/list.err" 2>/dev/null)"
fi

for scn in "${scns[@]}"; do
	name=$(basename "$scn" .scn)
	j=$work/job
	if [ $record -eq 1 ] && [ -s "$j/$name.jsonl" ]; then
		if [ "$(stat -c %s "$j/$name.jsonl")" -le 262144 ]; then
			cp "$j/$name.jsonl" "$D/sim-$name.jsonl"
		else
			echo "# $name: recording over 256 KiB, not copied"
		fi
	fi
	want=$(awk -v f="sim-$name.jsonl" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' "$D/expected.txt")
	[ -n "$want" ] || { skip "$name: live check and replay" "no expectation for sim-$name.jsonl in expected.txt"; continue; }
	[ "$want" = "-" ] && want=""
	erc=1; [ -z "$want" ] && erc=0
	got=$(jq -r '[.findings[].id] | unique | join(" ")' "$j/$name.check.json" 2>/dev/null)
	lrc=$(cat "$j/$name.check.rc" 2>/dev/null)
	if [ "$got" = "$want" ] && [ "$lrc" = "$erc" ]; then
		ok "$name: live check reports [${want:-none}], exit $erc"
	else
		nok "$name: live check reports [${want:-none}], exit $erc" \
			"got [$got] exit $lrc: $(head -c 200 "$j/$name.check.err")"
	fi
	got=$("$T" check --replay "$j/$name.jsonl" -j 2>/dev/null |
		jq -r '[.findings[].id] | unique | join(" ")')
	if [ "$got" = "$want" ]; then
		ok "$name: replay of the recording reports the same"
	else
		nok "$name: replay of the recording reports the same" "got [$got]"
	fi
done

finish
