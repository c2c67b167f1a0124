#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# guest-iter.sh TPHSIM_KO TPHSIM_CTL   (runs INSIDE the guest, from the repo root)
#
# iter/dmabuf, asserted field by field against what this script created:
#   iter_inventory  (kernels with iter/dmabuf) dma-bufs created before tphtrace
#                   started - udmabuf (named), system heap, tphsim with and
#                   without published tags, one with an importer - in
#                   `tphtrace list -j`: exporter, size, name, importers, tags,
#                   holders; no line says the iterator is unused
#   iter_polling    (kernels with iter/dmabuf) `trace --hooks
#                   dmabuf_export=iter --hooks dmabuf_release=iter`: every
#                   dma-buf living two intervals is reported once as sampled
#                   export and release with its fields, the release after it
#                   is gone; dma-bufs older than the tracer are not exports
#   iter_fallback   (kernels without it) list says so in text and JSON and
#                   recovers from /proc and debugfs; probe names the limit
# Prints "check NAME kernel=K hooks=H what=W result=PASS|FAIL|SKIP [detail]".
set -u
KO=${1:-}
CTL=${2:-}
T=$PWD/.output/tphtrace
MK=$PWD/.output/tests/mkdmabuf
W=${VM_JOBDIR:-/tmp}/iter
IVAL=0.5		# --poll-interval of the polling check
mkdir -p "$W"
kver=$(uname -r)
# shellcheck source=tests/lib/guest-check.sh
. tests/lib/guest-check.sh
# wait_for FILE REGEX SECONDS (tests/lib/suite.sh)
. tests/lib/suite.sh

echo "# kernel $kver"
# the plan's events array (probe -j: docs/json.md)
$T probe -j 2>/dev/null | jq '.events' > "$W/probe.json"
$T probe -j --hooks dmabuf_export=iter --hooks dmabuf_release=iter 2>/dev/null |
	jq '.events' > "$W/probe-iter.json"
# the hook matrix rows of this kernel: default, and iter forced
jq -r '.[] | select(.event | test("^dmabuf_(export|release)$")) |
	"# probe: \(.event) \(.hook // "-") \(.source // .why)"' "$W/probe.json" "$W/probe-iter.json"
sim=0
if [ -n "$KO" ] && [ -r "$KO" ] && insmod "$KO" 2>"$W/insmod.err"; then
	sim=1
elif [ -n "$KO" ]; then
	check tphsim_load - insmod FAIL "$KO: $(cat "$W/insmod.err" 2>/dev/null)"
else
	echo "# no tphsim module given: dma-bufs from udmabuf and the system heap only"
fi
has_iter=0
jq -e '.[] | select(.event == "dmabuf_export") | .hook == "iter"' "$W/probe-iter.json" \
	>/dev/null 2>&1 && has_iter=1

# a tphsim scenario that keeps its objects until killed (they go with its fd)
held_scenario() { # FILE LINES...
	local f=$1
	shift
	printf '%s\n' "name iter_held" "$@" "say ready" "pause 600000" > "$f"
}
start_ctl() { # SCN OUT: runs it, waits for "ready"
	"$CTL" run "$1" > "$2" 2>&1 &
	ctl_pid=$!
	wait_for "$2" '^ready' 120
}
bind_ino() { sed -n "s/^bind $1 .*ino=\([0-9]*\).*/\1/p" "$2"; }

if [ $has_iter = 0 ]; then
	# ---- iter_fallback ----------------------------------------------------------
	why=$(jq -r '.[] | select(.event == "dmabuf_export") | .why' "$W/probe-iter.json")
	case $why in
	*"iter/dmabuf needs v6.16+"*) check iter_fallback iter probe PASS ;;
	*) check iter_fallback iter probe FAIL "forced iter: why='$why'" ;;
	esac
	hino="" sino=""
	if [ -e /dev/dma_heap/system ]; then
		$MK -w "$W/release" heap 16384 > "$W/h.out" &
		wait_for "$W/h.out" 'ino=' 30
		hino=$(field ino "$W/h.out")
	fi
	if [ $sim = 1 ]; then
		held_scenario "$W/fb.scn" "exporter gpu0 addr=0000:3a:00.0 completer=tph" \
			"export buf0 gpu0 size=64k" "set gpu0 buf0 st=0x2a ph=2"
		start_ctl "$W/fb.scn" "$W/fb.ctl"
		sino=$(bind_ino buf0 "$W/fb.ctl")
	fi
	$T list -j > "$W/list.json" 2> "$W/list.err"
	$T list -v > "$W/list.txt" 2>&1
	jcheck iter_fallback - json "$W/list.json" \
		'.recovery.sources | map(select(.source == "iter" and .what == "dmabufs"))[0] | .ok == false and (.detail | test("not in this kernel \\(needs v6.16\\+\\)"))'
	if grep -q 'iter/dmabuf: not in this kernel (needs v6.16+)' "$W/list.txt"; then
		check iter_fallback - text PASS
	else
		check iter_fallback - text FAIL "no line says the iterator is missing"
	fi
	if [ -n "$hino" ]; then
		jcheck iter_fallback - heap "$W/list.json" \
			".dmabufs[] | select(.ino == $hino) | .exp_name == \"system\" and .size == 16384 and .before_start and (.holders | map(.pid) | index($(field pid "$W/h.out")) != null)"
	else
		check iter_fallback - heap SKIP "no /dev/dma_heap/system on $kver"
	fi
	# what the fallback cannot know: the published tags (exporter-private)
	jcheck iter_fallback - tags "$W/list.json" '.recovery.not_seen | index("tags") != null'
	if [ -n "$sino" ]; then
		jcheck iter_fallback - tphsim "$W/list.json" \
			".dmabufs[] | select(.ino == $sino) | .exp_name == \"gpu0\" and .size == 65536 and .tag.known == false"
	fi
	touch "$W/release"
	[ $sim = 1 ] && kill "$ctl_pid" 2>/dev/null
	wait
	check_totals
	exit
fi

# ---- iter_inventory -------------------------------------------------------------
$MK -n inv-udmabuf -w "$W/release" udmabuf 8192 > "$W/u.out" &
$MK -w "$W/release" heap 16384 > "$W/h.out" &
if [ $sim = 1 ]; then
	held_scenario "$W/inv.scn" \
		"exporter gpu0 addr=0000:3a:00.0 completer=ext" \
		"nic nic0 addr=0000:3b:00.0 ibdev=tphsim_ib0 req=tph rp=ext st=table:8" \
		"export bufA gpu0 size=64k" "set gpu0 bufA st=0x2a ph=2" \
		"export bufB gpu0 size=128k" "set gpu0 bufB st=0x11 st_ext=0x1234 ph=1" \
		"export bufC gpu0 size=32k" \
		"reg mr0 nic0 bufA"
	start_ctl "$W/inv.scn" "$W/inv.ctl" || sed 's/^/# ctl: /' "$W/inv.ctl"
fi
wait_for "$W/u.out" 'ino=' 30
wait_for "$W/h.out" 'ino=' 30
t0=$(date +%s.%N)
$T list -j > "$W/list.json" 2> "$W/list.err"
t1=$(date +%s.%N)
$T list -v > "$W/list.txt" 2>&1
echo "# list -j with the inventory: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
uino=$(field ino "$W/u.out") hino=$(field ino "$W/h.out")
jcheck iter_inventory iter source "$W/list.json" \
	'(.recovery.sources | map(select(.source == "iter" and .what == "dmabufs"))[0] | .ok and .count >= 2) and (.recovery.sources | map(select(.source == "debugfs")) | length) == 0'
if grep -Eiq 'iter/dmabuf.*(not used|unused|not in this kernel|does not use)' "$W/list.txt"; then
	check iter_inventory iter text FAIL "a line says the iterator is unused: $(grep -Ei 'iter/dmabuf' "$W/list.txt" | head -n 1)"
else
	check iter_inventory iter text PASS
fi
jcheck iter_inventory iter udmabuf "$W/list.json" \
	".dmabufs[] | select(.ino == $uino) | .exp_name == \"udmabuf\" and .size == 8192 and .name == \"inv-udmabuf\" and .before_start and .sampled == false and .importers == [] and (.holders | map(.pid) | index($(field pid "$W/u.out")) != null)"
jcheck iter_inventory iter heap "$W/list.json" \
	".dmabufs[] | select(.ino == $hino) | .exp_name == \"system\" and .size == 16384 and .name == \"\" and .before_start and .importers == [] and (.holders | map(.pid) | index($(field pid "$W/h.out")) != null)"
if [ $sim = 1 ]; then
	a=$(bind_ino bufA "$W/inv.ctl") b=$(bind_ino bufB "$W/inv.ctl") c=$(bind_ino bufC "$W/inv.ctl")
	jcheck iter_inventory iter tphsim_8bit_importer "$W/list.json" \
		".dmabufs[] | select(.ino == ${a:-0}) | .exp_name == \"gpu0\" and .size == 65536 and (.exporter | startswith(\"0000:3a:00.0\")) and .tag == {known: true, published_8: true, published_16: false, st: 42, st_ext: 0, ph: 2, sets: 0, last_set_ret: 0} and (.importers | length == 1) and (.importers[0] | (.importer | startswith(\"0000:3b:00.0\")) and .p2p == true and .dynamic == true and .before_start == true)"
	jcheck iter_inventory iter tphsim_both_widths "$W/list.json" \
		".dmabufs[] | select(.ino == ${b:-0}) | .exp_name == \"gpu0\" and .size == 131072 and .tag.known and .tag.published_8 and .tag.published_16 and .tag.st == 17 and .tag.st_ext == 4660 and .tag.ph == 1 and .importers == []"
	jcheck iter_inventory iter tphsim_unpublished "$W/list.json" \
		".dmabufs[] | select(.ino == ${c:-0}) | .exp_name == \"gpu0\" and .size == 32768 and .tag.known and (.tag.published_8 | not) and (.tag.published_16 | not)"
	jcheck iter_inventory iter tags_source "$W/list.json" \
		'.recovery.sources | map(select(.source == "iter" and .what == "tags"))[0] | .ok and .count >= 3 and (.detail | test("tphsim"))'
	kill "$ctl_pid" 2>/dev/null
	wait "$ctl_pid" 2>/dev/null
else
	check iter_inventory iter tphsim SKIP "tphsim not loaded"
fi
touch "$W/release"
wait

# ---- iter_polling ---------------------------------------------------------------
H="--hooks dmabuf_export=iter --hooks dmabuf_release=iter"
$MK -w "$W/release2" heap 4096 > "$W/old.out" &		# older than the tracer
wait_for "$W/old.out" 'ino=' 30
# shellcheck disable=SC2086
$T trace -j $H --poll-interval $IVAL > "$W/poll.jsonl" 2> "$W/poll.err" &
tpid=$!
if ! wait_for "$W/poll.err" 'ready:' 120; then
	check iter_polling iter ready FAIL "$(tr '\n' ' ' < "$W/poll.err")"
else
	grep -q "dmabuf_export, dmabuf_release sampled from iter/dmabuf snapshots every $IVAL s" \
		"$W/poll.err" && check iter_polling iter ready PASS ||
		check iter_polling iter ready FAIL "$(tr '\n' ' ' < "$W/poll.err")"
fi
$MK -n poll-u -w "$W/release3" udmabuf 12288 > "$W/pu.out" &
$MK -w "$W/release3" heap 20480 > "$W/ph.out" &
if [ $sim = 1 ]; then
	held_scenario "$W/poll.scn" "exporter gpu1 addr=0000:3c:00.0 completer=tph" \
		"export bufP gpu1 size=256k"
	start_ctl "$W/poll.scn" "$W/poll.ctl"
	pino=$(bind_ino bufP "$W/poll.ctl")
fi
wait_for "$W/pu.out" 'ino=' 30
wait_for "$W/ph.out" 'ino=' 30
puino=$(field ino "$W/pu.out") phino=$(field ino "$W/ph.out")
# they live two intervals at least, and until their export was reported
sleep 1
for i in $puino $phino ${pino:-}; do
	wait_for "$W/poll.jsonl" "\"kind\":\"dmabuf_export\".*\"ino\":$i," 60
done
touch "$W/release3"
[ $sim = 1 ] && { kill "$ctl_pid" 2>/dev/null; wait "$ctl_pid" 2>/dev/null; }
wait_for "$W/pu.out" 'closed_ns=' 30
wait_for "$W/ph.out" 'closed_ns=' 30
for i in $puino $phino ${pino:-}; do
	wait_for "$W/poll.jsonl" "\"kind\":\"dmabuf_release\".*\"ino\":$i," 60
done
kill -INT $tpid
wait $tpid
rc=$?
[ $rc -eq 0 ] && check iter_polling iter exit PASS || check iter_polling iter exit FAIL "rc=$rc"
jq -s . "$W/poll.jsonl" > "$W/poll.json" 2>/dev/null || echo '[]' > "$W/poll.json"
# one sampled export and one release per dma-buf, every field right
# A snapshot taken between UDMABUF_CREATE and DMA_BUF_SET_NAME (a loaded
# machine can deschedule mkdmabuf there) sees the dma-buf still unnamed: a
# sampled export carries the name at sampling time, "" or the one set.
poll_one() { # WHAT INO SIZE EXP NAME CLOSED_NS
	jcheck iter_polling iter "$1" "$W/poll.json" \
		"(map(select(.kind == \"dmabuf_export\" and .ino == $2)) | length == 1 and
		  (.[0] | .hook == \"iter\" and .sampled == true and .size == $3 and .exp_name == \"$4\" and (.name == \"$5\" or .name == \"\") and .tgid == 0)) and
		 (map(select(.kind == \"dmabuf_release\" and .ino == $2)) | length == 1 and
		  (.[0] | .hook == \"iter\" and .sampled == true and .size == $3 and .exp_name == \"$4\" and .ts >= $6)) and
		 (map(select(.kind == \"dmabuf_release\" and .ino == $2))[0].ts > map(select(.kind == \"dmabuf_export\" and .ino == $2))[0].ts)"
}
poll_one udmabuf "$puino" 12288 udmabuf poll-u "$(field closed_ns "$W/pu.out")"
poll_one heap "$phino" 20480 system "" "$(field closed_ns "$W/ph.out")"
if [ $sim = 1 ]; then
	poll_one tphsim "${pino:-0}" 262144 gpu1 "" 0
else
	check iter_polling iter tphsim SKIP "tphsim not loaded"
fi
oino=$(field ino "$W/old.out")
jcheck iter_polling iter baseline "$W/poll.json" \
	"map(select(.ino == $oino)) | length == 0"
jcheck iter_polling iter hooks "$W/poll.json" \
	'map(select(.kind == "dmabuf_export" or .kind == "dmabuf_release") | .hook == "iter" and .sampled) | all'
touch "$W/release2"
wait
check_totals
