#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-arm64.sh: the arm64 leg of make check. tphtrace cross-built for arm64
# (make arm64) runs in Debian's arm64 6.12 kernel under qemu-system-aarch64
# (TCG, -M virt -cpu max; tests/vm/run-guest.sh -k arm64), two guests side by
# side:
#  1. dma-bufs, the static build (tests/vm/guest-dmabuf.sh): `tphtrace probe`
#     (this kernel's event x hook-family matrix, printed), udmabuf and vgem
#     (DRM PRIME) dma-bufs traced through fentry and kprobe, inode, size and
#     exporter checked field by field. The system heap is a SKIP: Debian's
#     arm64 6.12 has no CONFIG_DMABUF_HEAPS; vgem is the second stock exporter
#     in its place. Then what each build offers: the exporter command in the
#     dynamic build, a clear refusal in the static one.
#  2. tphsim scenarios, the dynamic build (tests/vm/test-scenarios.sh -k
#     arm64): tphsim.ko cross-built against the arm64 headers, tphsim-ctl
#     static for arm64, one guest with the four hook families side by side,
#     every scenario judged field by field (tph-expect.awk), the recordings
#     replayed by the host's tphtrace check.
#  3. on the host, from (2)'s artifacts: each family recorded every event its
#     probe hooked, each record named the family it came from: the matrix.
# The scenario subset: one scenario per reason (all 12), the 16-bit namespace
# (ok_ext), a udmabuf exporter under tphsim (no_op_udmabuf) and a revoke
# (stale_after_revoke: invalidate, failed map and attach): every reason and
# every event kind, so that each kprobe/fentry handler and the argument
# registers it reads run on arm64. The other scenarios check arch-neutral
# decision logic the x86 guests already cover (TPHTRACE_ARM64_ALL=1 plays
# all 30: measured back to back on a loaded 2-core machine, the scenario
# guest took 53 s instead of 34 s).
# Prints "check NAME kernel=K hooks=H result=PASS|FAIL|SKIP ..." and
# "scenario ..." lines and "N passed, N failed, N skipped" last; exits 1 on
# any failure, 77 when it cannot run at all (scripts/deps.sh installs what
# it needs). Artifacts: .output/vm/arm64/, .output/vm/scenarios-tphtrace-arm64/.
set -u
cd "$(dirname "$0")/../.." || exit 2
top=$PWD
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh

SUBSET="ok_8bit dmah req_disabled no_op_plain not_published query_error no_st_table
	st_table_full st_error tag0_direct width_mismatch st_write_failed ok_ext no_op_udmabuf
	stale_after_revoke"
D=.output/arm64/tphtrace
S=.output/arm64/static/tphtrace
MK=.output/arm64/tests/mkdmabuf

need_cmd qemu-system-aarch64 "scripts/deps.sh"
need_cmd aarch64-linux-gnu-gcc "scripts/deps.sh"
need_cmd jq "scripts/deps.sh"
for f in $D $S $MK .output/tphtrace; do
	[ -x "$f" ] || skip_suite "no $f (make check-all builds it)"
done
kver=$(sed -n 's/^KVER_ARM64=//p' .output/kernels.env 2>/dev/null | tail -n 1)
kroot=$(sed -n 's/^ARM64_ROOT=//p' .output/kernels.env 2>/dev/null | tail -n 1)
[ -n "$kver" ] && [ -r "$kroot/boot/vmlinuz-$kver" ] && [ -d "$kroot/lib/modules/$kver/build" ] ||
	skip_suite "no Debian arm64 6.12 kernel (KVER_ARM64/ARM64_ROOT in .output/kernels.env: scripts/deps.sh)"

out=.output/vm/arm64
rm -rf "$out"
mkdir -p "$out"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
t0=$(now)

# ---- 2. scenarios (in the background: the longer one) -------------------------
scns=()
if [ "${TPHTRACE_ARM64_ALL:-0}" = 1 ]; then
	scns=(kernel/tphsim/scenarios/*.scn)
else
	for s in $SUBSET; do scns+=("kernel/tphsim/scenarios/$s.scn"); done
fi
sout=$top/.output/vm/scenarios-tphtrace-arm64
SCENARIOS_OUT=$sout bash tests/vm/test-scenarios.sh -k arm64 "${scns[@]}" >"$out/scenarios.log" 2>&1 &
spid=$!

# ---- 1. dma-bufs and the two builds, one guest ---------------------------------
cat >"$out/job.sh" <<EOF
#!/bin/sh
TPHTRACE=$S MKDMABUF=$MK DMABUF_VGEM=1 KSERIES=$kver sh tests/vm/guest-dmabuf.sh
$S probe -j >"\$VM_JOBDIR/probe.json" 2>/dev/null
$S version >"\$VM_JOBDIR/static.version" 2>&1
$S --help >"\$VM_JOBDIR/static.help" 2>&1
$S exporter >"\$VM_JOBDIR/static.exporter" 2>&1
echo \$? >"\$VM_JOBDIR/static.exporter.rc"
$D version >"\$VM_JOBDIR/dynamic.version" 2>&1
$D exporter --help >"\$VM_JOBDIR/dynamic.exporter" 2>&1
echo \$? >"\$VM_JOBDIR/dynamic.exporter.rc"
exit 0
EOF
grc=0
bash tests/vm/run-guest.sh -k arm64 -t 300 -q -J "$out/job" -s "$out/job.sh" \
	>"$out/dmabuf.log" 2>&1 || grc=$?
gsecs=$(secs "$t0")

wait $spid
src=$?
ssecs=$(secs "$t0")

# ---- judge ------------------------------------------------------------------
{
	# guest-dmabuf.sh's TAP lines as check lines; the family leads the text
	awk -v k="$kver" '
	/^(ok|not ok) [0-9]+ - / {
		res = /^not ok/ ? "FAIL" : "PASS"
		sub(/^(ok|not ok) [0-9]+ - (\[[^]]*\] )?/, "")
		if (match($0, / # SKIP .*$/)) { res = "SKIP"; why = substr($0, RSTART + 8); $0 = substr($0, 1, RSTART - 1) " (" why ")" }
		hooks = "-"
		if (match($0, /^(fentry|kprobe|text|probe|filter -i 1):/)) hooks = substr($0, 1, RLENGTH - 1)
		if (hooks == "text" || hooks == "filter -i 1") hooks = "default"
		if (hooks == "probe") hooks = "all"
		printf "check dmabuf kernel=%s hooks=%s result=%s %s\n", k, hooks, res, $0
		next
	}
	/^# / { print }' "$out/dmabuf.log"
	if [ "$grc" != 0 ]; then
		echo "check dmabuf_guest kernel=$kver hooks=- result=FAIL run-guest exit $grc (124: time limit, 125: guest died): $(tail -n 3 "$out/dmabuf.log" | tr '\n' ' ')"
	fi

	j=$out/job
	if grep -q 'static build: no exporter command' "$j/static.version" 2>/dev/null &&
		grep -q '^  exporter  not in this static build' "$j/static.help" 2>/dev/null &&
		[ "$(cat "$j/static.exporter.rc" 2>/dev/null)" = 2 ] &&
		grep -q 'not in this static build' "$j/static.exporter" 2>/dev/null; then
		echo "check static_build kernel=$kver hooks=- result=PASS version, --help and 'exporter' (exit 2) say the static build has no exporter: $(cat "$j/static.version")"
	else
		echo "check static_build kernel=$kver hooks=- result=FAIL version '$(cat "$j/static.version" 2>/dev/null)', exporter exit '$(cat "$j/static.exporter.rc" 2>/dev/null)': $(head -c 200 "$j/static.exporter" 2>/dev/null)"
	fi
	if [ "$(cat "$j/dynamic.exporter.rc" 2>/dev/null)" = 0 ] && grep -q '^Usage: tphtrace exporter' "$j/dynamic.exporter" &&
		! grep -q 'static build' "$j/dynamic.version"; then
		echo "check dynamic_build kernel=$kver hooks=- result=PASS the dynamic build (Debian arm64 libraries) runs and has the exporter command: $(cat "$j/dynamic.version")"
	else
		echo "check dynamic_build kernel=$kver hooks=- result=FAIL exporter --help exit '$(cat "$j/dynamic.exporter.rc" 2>/dev/null)': $(head -c 200 "$j/dynamic.exporter" 2>/dev/null)"
	fi

	# the scenario run's own lines (its closing line is recounted below)
	grep -E '^(scenario|check|wall|#) ' "$out/scenarios.log"
	if [ "$src" != 0 ] && ! grep -q 'result=FAIL' "$out/scenarios.log"; then
		echo "check scenarios kernel=$kver hooks=- result=FAIL test-scenarios.sh -k arm64 exit $src: $(tail -n 3 "$out/scenarios.log" | tr '\n' ' ')"
	fi

	# ---- 3. the event x hook-family matrix of the scenario guest ------------
	sj=$sout/$kver/tp_btf
	declare -A cell=()
	for tr in tp_btf raw_tp fentry kprobe; do
		p=$sj/probe.$tr.json t=$sj/trace.$tr.jsonl
		label=$tr
		[ "$tr" != tp_btf ] || label=default
		if [ ! -s "$p" ] || [ ! -f "$t" ]; then
			echo "check events_seen kernel=$kver hooks=$label result=FAIL no probe/trace of the $tr tracer in $sj"
			continue
		fi
		# per event: the family its probe chose (or none) and the records
		# of its kind, those naming another family counted apart
		while read -r ev fam n wrong; do
			cell[$ev.$tr]=-
			[ "$fam" = - ] && continue
			cell[$ev.$tr]=$fam:$n
			if [ "$n" -eq 0 ]; then
				unseen="${unseen:-} $ev"
			elif [ "$wrong" -gt 0 ]; then
				other="${other:-} $ev:$wrong"
			fi
			hooked=$((${hooked:-0} + 1))
		done < <(jq -r -n --slurpfile p "$p" --slurpfile t <(grep -v '"kind":"lost"' "$t") '
			$p[0][] | .event as $e | (.hook // "-") as $f
			| ($t | map(select(.kind == $e))) as $r
			| "\($e) \($f) \($r | length) \($r | map(select(.hook != $f)) | length)"')
		if [ "${hooked:-0}" -gt 0 ] && [ -z "${unseen:-}" ] && [ -z "${other:-}" ]; then
			echo "check events_seen kernel=$kver hooks=$label result=PASS every one of the $hooked events its probe hooked was recorded, each record from that family"
		else
			echo "check events_seen kernel=$kver hooks=$label result=FAIL hooked ${hooked:-0}; never recorded:${unseen:- -}; records from another family:${other:- -}"
		fi
		unset hooked unseen other
	done
	echo "# event x hook family in the arm64 scenario guest (tphsim loaded; FAMILY:RECORDS per tracer, - = no hook):"
	printf '#   %-15s %-16s %-16s %-16s %-16s\n' EVENT default raw_tp fentry kprobe
	for ev in $(jq -r '.[].event' "$sj/probe.tp_btf.json" 2>/dev/null); do
		printf '#   %-15s %-16s %-16s %-16s %-16s\n' "$ev" "${cell[$ev.tp_btf]:--}" \
			"${cell[$ev.raw_tp]:--}" "${cell[$ev.fentry]:--}" "${cell[$ev.kprobe]:--}"
	done
} >"$out/all.log"
cat "$out/all.log"
echo "wall arm64 dmabuf_guest=${gsecs}s scenarios=${ssecs}s (side by side)"
read -r p f s < <(awk '
	/^ok / { if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) s++; else p++ }
	/^not ok / { f++ }
	/^(scenario|check) .*result=PASS/ { p++ }
	/^(scenario|check) .*result=FAIL/ { f++ }
	/^(scenario|check) .*result=SKIP/ { s++ }
	END { printf "%d %d %d\n", p, f, s }' "$out/all.log")
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
