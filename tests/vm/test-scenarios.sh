#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-scenarios.sh [--record] [-k 6.12|6.1|new|all|arm64] [-P N] [-l LEG,...] [SCENARIO.scn...]
#
# Every tphsim scenario (kernel/tphsim/scenarios/*.scn) in QEMU guests with
# `tphtrace trace -j` running, the JSON asserted field by field against the
# scenario's expect/expect!/expect-count lines (tests/vm/scenarios/
# tph-expect.awk; extra expectations on the dma-buf lifetime events in
# tests/vm/scenarios/expect/NAME.exp). One guest boot per kernel x leg; a
# leg runs all scenarios once, one tphsim-ctl process each, under one or
# more tracers started before (waited for through their "ready:" line) and
# stopped with SIGINT after; each tracer's lines are split per scenario by
# the tgid of its tphsim-ctl. Which kinds a leg's hooks can observe comes
# from `tphtrace probe -j` with the same options, in the guest.
#
# tphsim is built as the TPH series' newest shape (v8+) for every kernel and
# also as v5 and v7 for 6.12 (TPHSIM_SHAPE, kernel/tphsim/README.md): the
# function hooks read the series' arguments per shape, the tracepoints are
# v8+ only. Legs (make check's time budget, tests/vm/README.md: the families
# share a boot where they can, their tracers side by side over one run of
# the scenarios):
#   6.12  tp_btf    (two CPUs: tphtrace's parallel load, src/collect.c)
#                   default hooks: the TPH tracepoints (tp_btf), stock
#                   dma-buf functions (fentry) for dma-buf lifetime; also
#                   tphtrace started before insmod tphsim.ko (re-resolution),
#                   a burst larger than the ring buffer (lost-record
#                   accounting), the recordings (--record:
#                   tests/data/traces/recorded/), invalid ioctls
#         families  --hooks all=raw_tp, all=fentry, all=kprobe side by side
#         upstream  tphsim_dmabuf_tp.ko loaded too (simulated upstream
#                   dma_buf:* tracepoints): default hooks (tp_btf on them),
#                   all=raw_tp, and the stock dma-buf functions forced
#                   (--hooks EVENT=fentry)
#         v5, v7    tphsim built as that revision, no tracepoints:
#                   all=fentry and all=kprobe side by side; the default plan
#                   (probe) must hook every series event by fentry
#   6.1   families  (two CPUs, as 6.12 tp_btf)
#                   default (tp_btf), all=raw_tp, all=fentry (mr_reg and
#                   tph_query on kprobe, see the output), all=kprobe
#   7.3   families  default (tp_btf: the REAL upstream dma_buf:* tracepoints
#   (new)           for export/attach/detach), all=raw_tp, all=fentry,
#                   all=kprobe. No tphsim_dmabuf_tp.ko there: the kernel has
#                   the real events.
# -l LEG,... runs those legs instead: also tp_btf and upstream on 6.1, and
# one family per boot anywhere (raw_tp, fentry, kprobe).
# -k arm64 (never part of "all"): the Debian arm64 6.12 guest
# (qemu-system-aarch64), with .output/arm64/tphtrace, tphsim cross-built
# against the arm64 headers (as v8+) and tphsim-ctl built static for arm64;
# one leg, tp_btf, whose tracers are the four families side by side (default
# hooks, all=raw_tp, all=fentry, all=kprobe); its recordings are replayed by
# the host's tphtrace check. Artifacts: .output/vm/scenarios-tphtrace-arm64/.
#
# A scenario file given as an argument is judged by its own expect lines
# (plus tests/vm/scenarios/expect/NAME.exp only for the scenarios of
# kernel/tphsim/scenarios/); a file without any expectation FAILs.
#
# Prints one line per scenario and tracer
#   scenario NAME kernel=K hooks=FAMILY shape=v5|v7|v8 expected=REASON observed=REASON result=PASS|FAIL|SKIP
# (SKIP: the scenario needs what the kernel lacks, or these hooks observe
# none of its expectations), one "check ..." line per extra check, wall
# times, and "N passed, N failed, N skipped" last; exits non-zero on any
# failure, 77 when it cannot run at all (no QEMU, no kernel). A kernel of -k
# that is missing is a SKIP line (FAIL under CI=true).
# Artifacts: .output/vm/scenarios-tphtrace/ (SCENARIOS_OUT=DIR: there).
#   -k  kernels: 6.12, 6.1, new (the newest series), all (default: those
#       three) or arm64
#   -P  guests run at once (default 2)
#   -l  only these legs            --record  refresh the recordings
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
# shellcheck source=tests/lib/suite.sh
. "$top/tests/lib/suite.sh"
T=$top/.output/tphtrace
SD=$here/scenarios
REC_DIR=$top/tests/data/traces/recorded
out=${SCENARIOS_OUT:-$top/.output/vm/scenarios-tphtrace}
BURST=${TPHSIM_BURST:-200000}

record=0 series=all par=2 only=""
while [ $# -gt 0 ]; do
	case $1 in
	--record) record=1; shift ;;
	-k) series=$2; shift 2 ;;
	-P) par=$2; shift 2 ;;
	-l) only=$2; shift 2 ;;
	-h | --help) sed -n '3,66p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "test-scenarios: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -gt 0 ]; then
	scns=()
	for s in "$@"; do
		[ -f "$s" ] || { echo "test-scenarios: no such scenario file: $s" >&2; exit 2; }
		scns+=("$(cd "$(dirname "$s")" && pwd)/$(basename "$s")")
	done
else
	scns=("$top"/kernel/tphsim/scenarios/*.scn)
fi
# the file each scenario NAME (the guest reports names) was read from
declare -A scn_file=()
for s in "${scns[@]}"; do
	name=$(basename "$s" .scn)
	if [ -n "${scn_file[$name]:-}" ]; then
		echo "test-scenarios: two scenario files named $name.scn: ${scn_file[$name]} and $s" >&2
		exit 2
	fi
	scn_file[$name]=$s
done

pass=0 fail=0 skipped=0
leg_shape=""	# set while judging a leg: its checks name the shape
check() { # NAME KERNEL HOOKS PASS|FAIL|SKIP DETAIL
	echo "check $1 kernel=$2 hooks=$3${leg_shape:+ shape=$leg_shape} result=$4${5:+ $5}"
	case $4 in
	PASS) pass=$((pass + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}
finish() {
	echo "$pass passed, $fail failed, $skipped skipped"
	[ "$fail" -eq 0 ]
	exit
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# tests/bpf/core_same.c, x86 only (not cross-built)
core_same=$top/.output/tests/core_same
[ -x "$core_same" ] || core_same=""
# -k arm64: the cross-built binaries, an arm64 guest, its own artifacts
TG=$T CTL_MAKE=() QEMU=qemu-system-x86_64
if [ "$series" = arm64 ]; then
	core_same=""
	TG=$top/.output/arm64/tphtrace
	CTL_MAKE=(CC=aarch64-linux-gnu-gcc LDFLAGS=-static)
	QEMU=qemu-system-aarch64
	[ -n "${SCENARIOS_OUT:-}" ] || out=$out-arm64
fi
need_cmd $QEMU "scripts/deps.sh"
[ -x "$T" ] || skip_suite "no $T (make)"
[ -x "$TG" ] || skip_suite "no $TG (make arm64)"
need_cmd jq "scripts/deps.sh"
envf=$top/.output/kernels.env
kroot_of() { # KVER: the root its kernel is unpacked in ("" = the host's)
	case $1 in
	*-arm64) local r
		r=$(sed -n 's/^ARM64_ROOT=//p' "$envf" 2>/dev/null | tail -n 1)
		echo "${r:-/var/lib/tphtrace/arm64}" ;;
	esac
}
kver_of() {
	local v=""
	[ -f "$envf" ] && v=$(sed -n "s/^$1=//p" "$envf")
	if [ -z "$v" ]; then
		case $1 in
		KVER_612) v=$(ls /lib/modules 2>/dev/null | grep -E '^6\.12\.' | sort -V | tail -n 1) ;;
		KVER_61) v=$(ls /lib/modules 2>/dev/null | grep -E '^6\.1\.' | sort -V | tail -n 1) ;;
		KVER_ARM64) v=$(ls "$(kroot_of -arm64)/lib/modules" 2>/dev/null | sort -V | tail -n 1) ;;
		esac
	fi
	echo "$v"
}
kvers=()
case $series in
6.12) kvers=("$(kver_of KVER_612)") ;;
6.1) kvers=("$(kver_of KVER_61)") ;;
new | "$(sed -n 's/^KSERIES_NEW=//p' "$envf" 2>/dev/null)") kvers=("$(series_kver new)") ;;
all) kvers=("$(kver_of KVER_612)" "$(kver_of KVER_61)" "$(series_kver new)") ;;
arm64) kvers=("$(kver_of KVER_ARM64)") ;;
*) echo "test-scenarios: -k wants 6.12, 6.1, new, all or arm64" >&2; exit 2 ;;
esac

knew=$(series_kver new)
# the kernel image and headers of KVER: an unpacked root (arm64), the host,
# or for the newest series the Debian 13 build root (kernel_headers)
kernel_ready() { # KVER
	local kr
	kr=$(kroot_of "$1")
	[ -n "$1" ] && [ -r "$kr/boot/vmlinuz-$1" ] || return 1
	[ -d "$kr/lib/modules/$1/build" ] || { [ -z "$kr" ] && kernel_headers "$1" >/dev/null; }
}
have=0
for kver in "${kvers[@]}"; do
	kernel_ready "$kver" && have=1
done
[ $have = 1 ] || skip_suite "no kernel image and headers for -k $series (scripts/deps.sh)"

t_start=$(now)
rm -rf "$out"
mkdir -p "$out"

# Every tracepoint of the kernel patches exists in the guest, and every
# symbolic value in its print fmt is resolved: the __print_symbolic()
# entries of macros are numbers at build time, those of enums
# (TRACE_DEFINE_ENUM) once the kernel rewrote the format at module load. A
# name left there leaves tools that parse the format unable to decode it.
check_formats() { # FORMATS_FILE (event TAB print-fmt line, from the guest)
	local ev fmt v bad="" n=0 syms=0
	while IFS=$'\t' read -r ev fmt; do
		n=$((n + 1))
		if [ "$fmt" = missing ]; then
			bad="$bad missing:$ev"
			continue
		fi
		while read -r v; do
			[ -n "$v" ] || continue
			syms=$((syms + 1))
			[[ $v =~ ^(0x[0-9a-fA-F]+|-?[0-9]+)$ ]] || bad="$bad $ev:$v"
		done < <(grep -oE '\{ *[^,{}]+ *, *"' <<<"$fmt" | sed -E 's/^\{ *//; s/ *, *"$//')
	done <"$1"
	if [ -z "$bad" ] && [ "$n" -gt 0 ] && [ "$syms" -gt 0 ]; then
		check tracepoint_formats "$kver" "$leg" PASS "$n events, $syms symbolic values, each a number"
	else
		check tracepoint_formats "$kver" "$leg" FAIL "unresolved:${bad:- none read}"
	fi
}

# ---- build: tphsim.ko + tphsim_dmabuf_tp.ko per kernel and shape, ctl ---
# from a copy of the sources, so kernel/tphsim/ keeps no build products
mkdir -p "$out/src/kernel"
cp -r "$top/kernel/tphsim" "$top/kernel/tree" "$out/src/kernel/"
sim=$out/src/kernel/tphsim
ctl=$sim/ctl/tphsim-ctl
if make -s -C "$sim/ctl" clean >/dev/null 2>&1; make -s -C "$sim/ctl" ${CTL_MAKE[@]+"${CTL_MAKE[@]}"} >"$out/ctl-build.log" 2>&1; then
	check build_tphsim_ctl host - PASS "${CTL_MAKE[*]}"
else
	check build_tphsim_ctl host - FAIL "$(tail -n 3 "$out/ctl-build.log" | tr '\n' ' ')"
	finish
fi
# older shapes on one kernel only: the function hooks are what differs
shapes_of() { # KVER
	case $1 in
	*-arm64) echo "v8" ;;
	6.12.*) echo "v8 v5 v7" ;;
	*) echo "v8" ;;
	esac
}
built=()
for kver in "${kvers[@]}"; do
	if ! kernel_ready "$kver"; then
		check kernel "${kver:-?}" - "$(skip_or_fail)" "no kernel image/headers (make deps): its legs not run"
		continue
	fi
	kok=1
	for shape in $(shapes_of "$kver"); do
		# kernel/tphsim/scripts/build.sh: host kbuild, pahole split BTF
		# (6.1), cross (arm64), or the Debian 13 build root (newest);
		# cached per kernel and shape
		ko=$out/$kver/ko-$shape
		log=$out/$kver/build-$shape.txt
		mkdir -p "$ko"
		if bash "$top/kernel/tphsim/scripts/build.sh" -o "$ko" "$kver" TPHSIM_SHAPE="$shape" >"$log" 2>&1; then
			check build_modules "$kver" - PASS "TPHSIM_SHAPE=$shape: $(sed -n 's|^tphsim build: .*/\([^/ ]*\.ko\) for [^ ]* |\1 |p' "$log" | tr '\n' ' ')"
		else
			check build_modules "$kver" - FAIL "TPHSIM_SHAPE=$shape: $(tail -n 3 "$log" | tr '\n' ' ')"
			kok=0
		fi
	done
	[ $kok = 1 ] && built+=("$kver")
done
[ ${#built[@]} -gt 0 ] || finish
t_built=$(now)

# ---- legs -----------------------------------------------------------------
stock_fentry=""
for ev in dmabuf_export dmabuf_release attach detach map unmap invalidate; do
	stock_fentry="$stock_fentry --hooks $ev=fentry"
done
# DEFAULT|LEG|SHAPE|MODULES|TRACERS (NAME=ARGS;...)|SC_LATE|SC_BURST|SC_SELFTEST
legs_of() { # KVER
	local late=0 burst=0 fentry="fentry=--hooks all=fentry" shape fams
	case $1 in
	*-arm64)
		# one boot (TCG emulates another ISA here): every family at once
		echo "1|tp_btf|v8|tphsim|tp_btf=;raw_tp=--hooks all=raw_tp;fentry=--hooks all=fentry;kprobe=--hooks all=kprobe|0|0|1"
		return ;;
	6.12.*) late=1 burst=$BURST ;;
	# x86 trampolines take 6 arguments before v6.5: the 8-argument
	# mlx5_ib_reg_user_mr_dmabuf() cannot have fentry/fexit there
	# (and fentry on the query with kprobe on the MR mixes families on
	# one registration, which tphtrace gets wrong: see
	# tests/vm/scenarios/repro-tphtrace.sh)
	6.1.*) fentry="fentry=--hooks all=fentry --hooks mr_reg=kprobe --hooks tph_query=kprobe" ;;
	esac
	fams="raw_tp=--hooks all=raw_tp;$fentry;kprobe=--hooks all=kprobe"
	# make check's time budget (tests/vm/README.md): the families share
	# one boot, their tracers side by side over one run of the scenarios
	if [ "$1" = "$knew" ]; then
		echo "1|families|v8|tphsim|tp_btf=;$fams|0|0|1"
	elif [[ $1 == 6.12.* ]]; then
		echo "1|tp_btf|v8|tphsim|tp_btf=|$late|$burst|1"
		echo "1|families|v8|tphsim|$fams|0|0|0"
		echo "1|upstream|v8|tphsim tphsim_dmabuf_tp|upstream_tp=;upstream_raw_tp=--hooks all=raw_tp;stock_fentry=$stock_fentry|0|0|0"
	else
		echo "1|families|v8|tphsim|tp_btf=;$fams|0|0|1"
		echo "0|tp_btf|v8|tphsim|tp_btf=|0|0|1"
		echo "0|upstream|v8|tphsim tphsim_dmabuf_tp|upstream_tp=;upstream_raw_tp=--hooks all=raw_tp;stock_fentry=$stock_fentry|0|0|0"
	fi
	# one family per boot, on request (-l)
	echo "0|raw_tp|v8|tphsim|raw_tp=--hooks all=raw_tp|0|0|0"
	echo "0|fentry|v8|tphsim|$fentry|0|0|0"
	echo "0|kprobe|v8|tphsim|kprobe=--hooks all=kprobe|0|0|0"
	# the older shapes: function hooks only (their kernels carry no
	# tracepoint patch), both families in one guest
	for shape in $(shapes_of "$1"); do
		[ "$shape" = v8 ] && continue
		echo "1|$shape|$shape|tphsim|${fentry};kprobe=--hooks all=kprobe|0|0|1"
	done
}
want_leg() { # DEFAULT LEG: run it? (-l names legs, else the default ones)
	if [ -n "$only" ]; then [[ ",$only," == *",$2,"* ]]; else [ "$1" = 1 ]; fi
}
shape_label() { # v5|v7|v8 -> what tphtrace probe prints
	case $1 in v8) echo "v8+" ;; *) echo "$1" ;; esac
}
label_of() { # KVER TRACER
	case $2 in
	fentry) case $1 in 6.1.*) echo "fentry(mr_reg,tph_query=kprobe)" ;; *) echo fentry ;; esac ;;
	stock_fentry) echo "stock-fentry" ;;
	*) echo "$2" ;;
	esac
}

run_leg() { # KVER LEG SHAPE MODULES TRACERS LATE BURST SELFTEST
	local kver=$1 leg=$2 job=$out/$1/$2 t0 t1 rc=0 cpus=1
	# the 6.12 tp_btf and 6.1 families legs boot two CPUs: tphtrace then
	# loads its programs from two objects in two threads and walks struct
	# pointers in tp_btf (src/collect.c, apply_plan()); every other leg has
	# one, the serial load (walking in tp_btf on 7.3 only: sorted BTF)
	[[ ($kver == 6.12.* && $leg == tp_btf) || ($kver == 6.1.* && $leg == families) ]] &&
		cpus=2
	mkdir -p "$job"
	t0=$(now)
	"$top/tests/vm/run-guest.sh" -K "$kver" -c "$cpus" -t 300 -m 1G -q -J "$job" \
		-e SC_T="$TG" -e SC_CTL="$ctl" -e SC_KO="$out/$kver/ko-$3" -e SC_TOP="$top" \
		-e SC_MODULES="$4" -e SC_TRACERS="$5" -e SC_LATE="$6" -e SC_BURST="$7" \
		-e SC_SELFTEST="$8" -e SC_PROBE_DEFAULT="$([ "$3" = v8 ] || echo 1)" \
		-e SC_CORE_SAME="$core_same" \
		-e SC_SCNS="${scns[*]}" \
		-s "$SD/guest-scenarios.sh" >"$job.guest.log" 2>&1 || rc=$?
	t1=$(now)
	echo "$rc $(secs "$t0" "$t1")" >"$job.status"
}

todo=()
for kver in "${built[@]}"; do
	while IFS='|' read -r def leg shape mods tracers late burst selftest; do
		want_leg "$def" "$leg" || continue
		todo+=("$kver|$leg|$shape|$mods|$tracers|$late|$burst|$selftest")
	done < <(legs_of "$kver")
done
# longest first: the 6.12 tp_btf leg carries the burst and the late load
running=0
for item in "${todo[@]}"; do
	IFS='|' read -r kver leg shape mods tracers late burst selftest <<<"$item"
	run_leg "$kver" "$leg" "$shape" "$mods" "$tracers" "$late" "$burst" "$selftest" &
	running=$((running + 1))
	if [ $running -ge "$par" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
t_vm=$(now)

# ---- judge ----------------------------------------------------------------
reasons_612=""	# reasons expected by passing 6.12 scenarios (headlines and others)
probe_hook() { # PROBE.json KIND -> family or "null"
	jq -r --arg k "$2" '.[] | select(.event == $k) | .hook // "null"' "$1" 2>/dev/null
}
split_by_tgid() { # LIST JSONL OUTDIR: OUTDIR/NAME.jsonl per "NAME PID RC" line
	mkdir -p "$3"
	awk -v dir="$3" 'FNR == NR { name[$2] = $1; printf "" > (dir "/" $1 ".jsonl"); next }
		match($0, /"tgid":[0-9]+/) {
			t = substr($0, RSTART + 7, RLENGTH - 7)
			if (t in name) print > (dir "/" name[t] ".jsonl")
		}' "$1" "$2"
}
judge_tracer() { # KVER LEG JOB TRACER SHAPE
	local kver=$1 leg=$2 job=$3 tr=$4 shape=$5 label unobs khooks line rc name hooked n
	label=$(label_of "$kver" "$tr")
	if ! grep -q 'ready:' "$job/trace.$tr.err" 2>/dev/null; then
		check "tracer_ready" "$kver" "$label" FAIL "$(head -c 300 "$job/trace.$tr.err" 2>/dev/null | tr '\n' ' ')"
		return
	fi
	unobs=$(jq -r '[.[] | select(.hook == null) | .event] | join(" ")' "$job/probe.$tr.json")
	khooks=$(jq -r '[.[] | select(.hook != null) | "\(.event)=\(.hook)/\(if (.module // "") == "" then "vmlinux" else .module end)"] | join(" ")' "$job/probe.$tr.json")
	hooked=$(sed -n 's/.*ready: .*, \([0-9]*\) of \([0-9]*\) events hooked.*/\1/p' "$job/trace.$tr.err" | head -n 1)
	n=$(jq '[.[] | select(.hook != null)] | length' "$job/probe.$tr.json")
	rc=$(cat "$job/trace.$tr.rc" 2>/dev/null)
	if [ "$hooked" = "$n" ] && [ "$rc" = 0 ]; then
		check tracer "$kver" "$label" PASS "probe and trace agree: $n of 13 events hooked${unobs:+ (none for: $unobs)}; exit 0 on SIGINT"
	else
		check tracer "$kver" "$label" FAIL "trace hooked '$hooked', probe $n, exit '$rc'"
	fi
	# the series shape probe told from BTF, and the series' events on
	# functions where the tracer asked for a function family
	sh=$(jq -r '.series_shape' "$job/probe.$tr.doc.json" 2>/dev/null)
	case $tr in
	fentry | kprobe)
		bad=$(jq -r --arg f "$tr" '[.[] | select(.event == "tph_publish" or .event == "tph_query" or
			.event == "mr_reg" or .event == "st_index" or .event == "pci_tph") |
			select(.hook != $f) | "\(.event)=\(.hook)"] | join(" ")' "$job/probe.$tr.json") ||
			bad="(unreadable $job/probe.$tr.json)"
		[[ $kver == 6.1.* ]] && [ "$tr" = fentry ] &&
			bad=$(echo "$bad" | tr ' ' '\n' | grep -vx -e mr_reg=kprobe -e tph_query=kprobe | tr '\n' ' ' | sed 's/ $//')
		if [ "$sh" = "$(shape_label "$shape")" ] && [ -z "$bad" ]; then
			check series_shape "$kver" "$label" PASS "probe: series shape $sh; tph_publish, tph_query, mr_reg, st_index, pci_tph on $tr"
		else
			check series_shape "$kver" "$label" FAIL "probe: series shape '$sh' (want $(shape_label "$shape")); not on $tr: ${bad:--}"
		fi
		;;
	*)
		if [ "$sh" = "$(shape_label "$shape")" ]; then
			check series_shape "$kver" "$label" PASS "probe: series shape $sh"
		else
			check series_shape "$kver" "$label" FAIL "probe: series shape '$sh' (want $(shape_label "$shape"))"
		fi
		;;
	esac
	if [ -n "$core_same" ]; then
		line=$(cat "$job/core_same.$tr.txt" 2>/dev/null)
		case $line in
		*result=PASS*) check core_btf_same "$kver" "$label" PASS "${line#*result=PASS }: relocations as libbpf's own CO-RE search makes them" ;;
		*) check core_btf_same "$kver" "$label" FAIL "${line:-no output}" ;;
		esac
	fi
	split_by_tgid "$job/scn.list" "$job/trace.$tr.jsonl" "$job/split.$tr"
	while read -r name _ rc; do
		if [ "$rc" = 77 ]; then
			echo "scenario $name kernel=$kver hooks=$label shape=$shape expected=- observed=- result=SKIP ($(grep -m1 '^skip' "$job/ctl.$name.out"))"
			skipped=$((skipped + 1))
			continue
		fi
		# the expectations of the file that was played, never another's
		if [ "${scn_file[$name]}" = "$top/kernel/tphsim/scenarios/$name.scn" ] &&
			[ -f "$SD/expect/$name.exp" ]; then
			cat "${scn_file[$name]}" "$SD/expect/$name.exp" >"$job/split.$tr/$name.expect"
		else
			cat "${scn_file[$name]}" >"$job/split.$tr/$name.expect"
		fi
		line=$(awk -f "$SD/tph-expect.awk" -v fmt=json -v scn="$name" -v kernel="$kver" \
			-v hooks="$label" -v shape="$shape" -v ctl_rc="$rc" -v unobs="$unobs" -v khooks="$khooks" \
			"$job/split.$tr/$name.expect" "$job/ctl.$name.out" "$job/split.$tr/$name.jsonl" 2>&1)
		printf '%s\n' "$line" >"$job/split.$tr/$name.result"
		printf '%s\n' "$line" | grep '^scenario '
		case $line in
		*result=SKIP)
			skipped=$((skipped + 1))
			printf '%s\n' "$line" | grep '^# skip' | head -n 5
			;;
		*result=PASS)
			pass=$((pass + 1))
			if [ "$tr" = tp_btf ] && [[ $kver == 6.12.* ]]; then
				reasons_612="$reasons_612 $(grep -E '^expect(!)? ' "$job/split.$tr/$name.expect" |
					sed -n 's/.* reason=\([a-z_0-9]*\).*/\1/p' | tr '\n' ' ')"
			fi
			;;
		*)
			fail=$((fail + 1))
			printf '%s\n' "$line" | grep '^#' | head -n 20
			grep 'status=FAIL' "$job/ctl.$name.out" | sed 's/^/# ctl: /' | head -n 5
			;;
		esac
	done <"$job/scn.list"
}

for kver in "${built[@]}"; do
	while IFS='|' read -r def leg shape mods tracers late burst selftest; do
		want_leg "$def" "$leg" || continue
		job=$out/$kver/$leg
		leg_shape=$shape
		read -r grc gsecs <"$job.status"
		echo "# ---- kernel $kver, leg $leg (tphsim as $shape): guest ${gsecs}s (run-guest exit $grc)"
		if [ "$grc" != 0 ] || [ ! -f "$job/scn.list" ]; then
			check guest "$kver" "$leg" FAIL "run-guest exit $grc: $(tail -n 5 "$job.guest.log" | tr '\n' ' ')"
			continue
		fi
		get() { sed -n "s/^$1=//p" "$job/env.txt" | tail -n 1; }
		# modules: loaded, module BTF present, removed, nothing leaked or warned
		bad=""
		for m in $mods; do
			[ "$(get "insmod_$m")" = 0 ] || bad="$bad insmod_$m=$(get "insmod_$m")"
			[ "$(get "btf_$m")" != 0 ] || bad="$bad no_/sys/kernel/btf/$m"
			[ "$(get "rmmod_$m")" = 0 ] || bad="$bad rmmod_$m=$(get "rmmod_$m")"
		done
		[ "$(get warn_before)" = "$(get warn_after)" ] || bad="$bad kernel_warning_or_leak(see $job/dmesg.txt)"
		if [ -z "$bad" ]; then
			check modules "$kver" "$leg" PASS "insmod $mods, module BTF, rmmod, no warning or leak"
		else
			check modules "$kver" "$leg" FAIL "$bad"
		fi
		if [ "$selftest" = 1 ]; then
			# v5 and v7 carry no tracepoint patch
			[ "$shape" != v8 ] || check_formats "$job/formats.txt"
			if [ "$(get selftest)" = 0 ]; then
				check ioctl_validation "$kver" "$leg" PASS "tphsim-ctl selftest: $(tail -n 1 "$job/selftest.out")"
			else
				check ioctl_validation "$kver" "$leg" FAIL "tphsim-ctl selftest exit '$(get selftest)': $(tail -n 2 "$job/selftest.out" | tr '\n' ' ')"
			fi
		fi
		if [ "$leg" = upstream ]; then
			# the simulated upstream tracepoints are what tp_btf/raw_tp pick
			h=$(jq -r '[.[] | select(.event == "dmabuf_export" or .event == "attach" or .event == "detach") | "\(.hook)/\(.module)"] | unique | join(",")' "$job/probe.upstream_tp.json")
			if [ "$h" = "tp_btf/tphsim_dmabuf_tp" ]; then
				check upstream_tracepoints "$kver" upstream_tp PASS "export/attach/detach on tp_btf in tphsim_dmabuf_tp.ko: simulated upstream tracepoint"
			else
				check upstream_tracepoints "$kver" upstream_tp FAIL "export/attach/detach hooked as $h"
			fi
			echo "# leg upstream: results of the upstream_tp/upstream_raw_tp tracers come from the simulated upstream tracepoint (tphsim_dmabuf_tp.ko); udmabuf exports are invisible to it"
		elif [ "$kver" = "$knew" ] && [ -f "$job/probe.tp_btf.json" ]; then
			# the real upstream tracepoints, in vmlinux
			h=$(jq -r '[.[] | select(.event == "dmabuf_export" or .event == "attach" or .event == "detach") | "\(.hook)/\(.module)"] | unique | join(",")' "$job/probe.tp_btf.json")
			if [ "$h" = "tp_btf/" ]; then
				check upstream_tracepoints "$kver" tp_btf PASS "export/attach/detach on tp_btf in vmlinux: the kernel's own dma_buf:* tracepoints"
			else
				check upstream_tracepoints "$kver" tp_btf FAIL "export/attach/detach hooked as $h"
			fi
		elif [ -f "$job/probe.tp_btf.json" ]; then
			# tphsim alone leaves dma-buf lifetime on the stock functions
			h=$(jq -r '[.[] | select(.event == "dmabuf_export" or .event == "attach" or .event == "detach") | "\(.hook)/\(.module)"] | unique | join(",")' "$job/probe.tp_btf.json")
			if [ "$h" = "fentry/" ]; then
				check stock_lifetime_hooks "$kver" tp_btf PASS "tphsim alone: export/attach/detach on the stock functions (fentry), every exporter visible"
			else
				check stock_lifetime_hooks "$kver" tp_btf FAIL "export/attach/detach hooked as $h"
			fi
		fi
		IFS=';' read -r -a specs <<<"$tracers"
		for spec in "${specs[@]}"; do
			judge_tracer "$kver" "$leg" "$job" "${spec%%=*}" "$shape"
		done
		# no tracepoint patch on the older shapes: tphtrace's own plan
		# hooks every series event by function
		if [ -f "$job/probe.default.json" ]; then
			sh=$(sed -n '1s/^series shape: \([^ ]*\).*/\1/p' "$job/probe.default.txt")
			# the whole document (probe -j), not its events array as above
			bad=$(jq -r '[.events[] | select(.event == "tph_publish" or .event == "tph_query" or
				.event == "mr_reg" or .event == "st_index" or .event == "pci_tph") |
				select(.hook != "fentry") | "\(.event)=\(.hook)"] | join(" ")' \
				"$job/probe.default.json") || bad="(unreadable $job/probe.default.json)"
			if [ "$sh" = "$(shape_label "$shape")" ] && [ -z "$bad" ]; then
				check default_plan "$kver" default PASS "tphtrace probe: '$(head -n 1 "$job/probe.default.txt")'; every series event on fentry"
			else
				check default_plan "$kver" default FAIL "shape '$sh' (want $(shape_label "$shape")); not on fentry: ${bad:--}"
			fi
		fi
		if [ -f "$job/probe.fentry.json" ] && [[ $kver == 6.1.* ]]; then
			why=$(jq -r '.[] | select(.event == "mr_reg") | .why // empty' \
				"$job/probe.fentry.json" 2>/dev/null)
			echo "# 6.1 untestable: fentry/fexit on mlx5_ib_reg_user_mr_dmabuf (8 arguments, x86 BPF trampolines take 6 before v6.5; -ENOTSUPP): mr_reg runs on kprobe in this leg, and so does tph_query (fentry on the query with kprobe on the MR gives wrong reasons: tphtrace bug, tests/vm/scenarios/repro-tphtrace.sh)${why:+; probe: $why}"
		fi
		# module loaded after tphtrace started
		if [ "$late" = 1 ]; then
			read -r _ lpid lrc <"$job/late.list"
			msg=$(grep -m1 'module tphsim loaded' "$job/late.err")
			mr=$(jq -c --argjson p "$lpid" 'select(.tgid == $p and .kind == "mr_reg") | {reason, hook, ret, st_index, ph}' "$job/late.jsonl" 2>/dev/null | head -n 1)
			if [[ $msg =~ module\ tphsim\ loaded:\ [1-9][0-9]*\ more\ event ]] && [ "$lrc" = 0 ] &&
				[ "$(cat "$job/late.rc")" = 0 ] && [ "$(get late_rmmod)" = 0 ] &&
				[ "$mr" = '{"reason":"ok","hook":"tp_btf","ret":0,"st_index":1,"ph":2}' ]; then
				check module_loaded_later "$kver" tp_btf PASS "${msg#tphtrace: }; ok_8bit mr_reg $mr"
			else
				check module_loaded_later "$kver" tp_btf FAIL "message '$msg', ctl $lrc, mr_reg '$mr'; $(grep -v ready "$job/late.err" | head -n 3 | tr '\n' ' ')"
			fi
		fi
		# lost records: fired (module counter) - received == lost
		if [ "$burst" -gt 0 ]; then
			counted=$(sed -n 's/.* verb=burst .*counted=\([0-9]*\).*/\1/p' "$job/burst.ctl")
			got=$(sed -n 's/^tph_query=//p' "$job/burst.counts")
			lost=$(jq -s '[.[] | select(.kind == "lost")] | last | .records // empty' "$job/burst.other.jsonl")
			ringbuf=$(jq -s '[.[] | select(.kind == "lost")] | last | .ringbuf // empty' "$job/burst.other.jsonl")
			# the scenario's other records, one each: export, publish (before
			# the burst), invalidate and release (teardown, after a pause)
			others=$(jq -s '[.[] | select(.kind == "dmabuf_export" or .kind == "tph_publish" or
				.kind == "invalidate" or .kind == "dmabuf_release")] | length' "$job/burst.other.jsonl")
			detail="burst count=$burst: module fired $counted, tphtrace received $got, lost $lost (ring buffer $ringbuf); $(get burst_ctl_s)s burst, drained at $(get burst_drain_s)s"
			echo "burst kernel=$kver fired=$counted received=$got lost=$lost others_received=$others/4" >"$out/burst.txt"
			if [ -n "$counted" ] && [ -n "$got" ] && [ -n "$lost" ] && [ -n "$others" ] && [ "$lost" -gt 0 ] &&
				[ $((counted - got + 4 - others)) -eq "$lost" ] && [ "$(cat "$job/burst.rc")" = 0 ]; then
				if [ "$others" = 4 ]; then
					check lost_records "$kver" tp_btf PASS "$detail: fired - received == lost"
				else
					check lost_records "$kver" tp_btf PASS "$detail: fired - received + $((4 - others)) other record(s) of the teardown == lost"
				fi
			else
				check lost_records "$kver" tp_btf FAIL "$detail; other records $others of 4, exit $(cat "$job/burst.rc" 2>/dev/null)"
			fi
		fi
	done < <(legs_of "$kver")
done
leg_shape=""

# the kernel the lines below name: the 6.12 series, or the arm64 kernel
rk=6.12
[ "$series" != arm64 ] || rk=${kvers[0]}
# every reason value (docs/trace-format.md) expected by a passing 6.12 scenario
if [ -n "$reasons_612" ]; then
	all=$(sed -n '/^`reason` names (stable)/,/^$/p' "$top/docs/trace-format.md" |
		grep -o '`[a-z_0-9]*`' | tr -d '`' | grep -vx -e reason -e unknown | sort -u)
	missing=""
	for r in $all; do
		[[ " $reasons_612 " == *" $r "* ]] || missing="$missing $r"
	done
	if [ -z "$missing" ]; then
		check every_reason_expected "$rk" tp_btf PASS "$(echo "$all" | wc -l) reasons, each expected by a passing scenario"
	else
		check every_reason_expected "$rk" tp_btf FAIL "not expected by any passing scenario:$missing"
	fi
fi

# ---- recordings (default hooks, 6.12) and check --replay --------------------
k612=""
for kver in "${built[@]}"; do [[ $kver == 6.12.* ]] && k612=$kver; done
rec_src=$out/$k612/tp_btf/split.tp_btf
# (the committed recordings come from the x86 guest)
if [ "$record" = 1 ] && [ "$series" != arm64 ] && [ -n "$k612" ] && [ -d "$rec_src" ]; then
	mkdir -p "$REC_DIR"
	nrec=0
	for f in "$rec_src"/*.jsonl; do
		# lines as tphtrace wrote them (those of the scenario's
		# tphsim-ctl); small ones only (burst: 5000 queries)
		if [ "$(stat -c %s "$f")" -le 65536 ]; then
			cp "$f" "$REC_DIR/"
			nrec=$((nrec + 1))
		else
			echo "# $(basename "$f"): $(stat -c %s "$f") bytes, not recorded"
		fi
	done
	echo "# recorded $nrec traces into ${REC_DIR#"$top"/}"
fi
if "$T" check --help >/dev/null 2>&1; then
	want_rc() { # NAME: 0 when expected.txt lists no finding for sim-NAME (else 1)
		local w
		w=$(awk -v f="sim-$1.jsonl" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' \
			"$top/tests/data/traces/expected.txt" 2>/dev/null)
		case $w in
		"") echo "?" ;;
		-) echo 0 ;;
		*) echo 1 ;;
		esac
	}
	dirs=("$REC_DIR" "$rec_src")
	# arm64: its own recordings, replayed by the host's (x86) tphtrace
	[ "$series" != arm64 ] || dirs=("$rec_src")
	for dir in "${dirs[@]}"; do
		[ -d "$dir" ] || continue
		what=committed
		[ "$dir" = "$rec_src" ] && what=fresh
		bad="" n=0
		for f in "$dir"/*.jsonl; do
			[ -e "$f" ] || continue
			name=$(basename "$f" .jsonl)
			w=$(want_rc "$name")
			[ "$w" != "?" ] || continue
			"$T" check --replay "$f" >/dev/null 2>&1
			r=$?
			n=$((n + 1))
			[ "$r" = "$w" ] || bad="$bad $name(exit $r, want $w)"
		done
		if [ $n -eq 0 ]; then
			echo "# check --replay: no $what recording with an expectation"
		elif [ -z "$bad" ]; then
			check replay_$what "$rk" tp_btf PASS "tphtrace check --replay on $n $what recordings: exit 0 for happy paths, 1 for fallbacks (tests/data/traces/expected.txt)"
		else
			check replay_$what "$rk" tp_btf FAIL "$bad"
		fi
	done
else
	echo "# tphtrace check is not available: recordings not replayed"
fi

t_end=$(now)
for kver in "${built[@]}"; do
	for f in "$out/$kver"/*.status; do
		[ -e "$f" ] || continue
		read -r grc gsecs <"$f"
		echo "wall kernel=$kver leg=$(basename "$f" .status) guest=${gsecs}s"
	done
done
echo "wall build=$(secs "$t_start" "$t_built")s vm=$(secs "$t_built" "$t_vm")s (up to $par guests at once) total=$(secs "$t_start" "$t_end")s"
finish
