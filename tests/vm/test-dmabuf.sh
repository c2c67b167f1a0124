#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-dmabuf.sh [-k 6.12|6.1|new|all] [-P N]
#
# Guest tests on Debian 6.12, 6.1 and the newest series (7.3): tphtrace
# reports real dma-bufs of the kernel's own exporters (udmabuf, system heap,
# DRM PRIME of vgem) and importer (vgem) under every hook family the kernel
# has, side by side: on 7.3 the REAL upstream dma_buf:* tracepoints (tp_btf,
# raw_tp) for export/attach/detach, fentry/kprobe for release/map/unmap, and
# the stock functions (fentry, kprobe); on 6.x the stock functions. Every
# record is checked field by field against what the test created (inode,
# size, exporter, importer, pid) and counted against the kernel's own account
# of the run (tracefs: function tracer on dma_buf_release and
# dma_buf_{map,unmap}_attachment, the dma_buf_put tracepoint on 7.3).
# On 7.3 the same boot then loads the real mlx5_ib/mlx5_core/ib_core/vfio-pci
# modules and checks tphtrace's CO-RE relocations against their BTF
# (tests/vm/guest-realmod.sh, tests/vm/btf-relo-check.py).
# Guest collectors: tests/vm/guest-dmabuf-families.sh, guest-realmod.sh; this script
# judges. Prints "check NAME kernel=K hooks=H result=PASS|FAIL|SKIP ..." per
# check and "N passed, N failed, N skipped" last; exits 1 on any failure, 77
# when it cannot run at all. Artifacts: .output/vm/dmabuf/KVER/.
#   -k  kernels (default all)      -P  guests at once (default 2)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
out=$top/.output/vm/dmabuf
series=all par=2
while [ $# -gt 0 ]; do
	case $1 in
	-k) series=$2; shift 2 ;;
	-P) par=$2; shift 2 ;;
	-h | --help) sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "test-dmabuf: unknown argument $1" >&2; exit 2 ;;
	esac
done

pass=0 fail=0 skipped=0
check() { # NAME KERNEL HOOKS PASS|FAIL|SKIP DETAIL
	echo "check $1 kernel=$2 hooks=$3 result=$4${5:+ $5}"
	case $4 in
	PASS) pass=$((pass + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}
ok_if() { # NAME KERNEL HOOKS DETAIL COMMAND...: PASS when COMMAND succeeds
	local n=$1 k=$2 h=$3 d=$4
	shift 4
	if "$@"; then check "$n" "$k" "$h" PASS "$d"; else check "$n" "$k" "$h" FAIL "$d"; fi
}
for c in qemu-system-x86_64 jq bpftool python3; do need_cmd $c "scripts/deps.sh"; done
for f in .output/tphtrace .output/tphtrace.bpf.o .output/tests/mkdmabuf .output/tests/core-load; do
	[ -e "$f" ] || skip_suite "no $f (make check-all builds it)"
done
case $series in
6.12 | 6.1 | new) want=("$series") ;;
all) want=(6.12 6.1 new) ;;
*)
	[ "$series" = "$(sed -n 's/^KSERIES_NEW=//p' .output/kernels.env 2>/dev/null)" ] ||
		{ echo "test-dmabuf: -k wants 6.12, 6.1, new or all" >&2; exit 2; }
	want=(new)
	;;
esac
kvers=()
for v in "${want[@]}"; do
	k=$(series_kver "$v")
	if [ -n "$k" ] && [ -r "/boot/vmlinuz-$k" ]; then
		kvers+=("$k")
	else
		check kernel "${k:-$v}" - "$(skip_or_fail)" "no kernel image for series $v (scripts/deps.sh)"
	fi
done
[ ${#kvers[@]} -gt 0 ] || skip_suite "no guest kernel (scripts/deps.sh)"
rm -rf "$out"
mkdir -p "$out"

# ---- guests ----------------------------------------------------------------
t0=$(date +%s.%N)
running=0
for k in "${kvers[@]}"; do
	(
		s=$(date +%s.%N)
		rc=0
		bash tests/vm/run-guest.sh -K "$k" -t 400 -q -J "$out/$k" -- bash -c \
			'bash tests/vm/guest-dmabuf-families.sh; if [ -d /sys/kernel/tracing/events/dma_buf ]; then bash tests/vm/guest-realmod.sh; fi' \
			>"$out/$k.guest.log" 2>&1 || rc=$?
		echo "$rc $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" >"$out/$k.status"
	) &
	running=$((running + 1))
	if [ $running -ge "$par" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

# ---- judge -----------------------------------------------------------------
# expected family of EVENT under TRACER (guest-dmabuf-families.sh's tracers)
fam_of() { # TRACER EVENT
	case $1:$2 in
	tp_btf:dmabuf_export | tp_btf:attach | tp_btf:detach) echo tp_btf ;;
	tp_btf:*) echo fentry ;;
	raw_tp:dmabuf_export | raw_tp:attach | raw_tp:detach) echo raw_tp ;;
	raw_tp:*) echo kprobe ;;
	*) echo "$1" ;;
	esac
}
# the kernel's own count (function tracer) of FUNC called by PID
fcount() { # JOB PID FUNC
	grep -cE -- "-$2 +\[[0-9]+\].*: $3 <-" "$1/ftrace.txt" 2>/dev/null
}
nrec() { # FILE JQ-SELECT
	jq -s "map(select($2)) | length" "$1" 2>/dev/null
}

judge() { # KVER
	local k=$1 j=$out/$1 grc gsec up stock t f sel n exp ino size pid imp line fam \
		want got detail puts rel e nm
	read -r grc gsec <"$out/$k.status"
	echo "# ---- kernel $k: guest ${gsec}s (run-guest exit $grc)"
	if [ "$grc" != 0 ] || [ ! -f "$j/tracers.txt" ]; then
		check guest "$k" - FAIL "run-guest exit $grc: $(tail -n 5 "$out/$k.guest.log" | tr '\n' ' ')"
		return
	fi
	up=$(sed -n 's/^upstream_tp=//p' "$j/env.txt")
	stock=$(sed -n 's/^udmabuf_heap=//p' "$j/env.txt")
	ok_if vgem "$k" - "modprobe vgem (DRM PRIME exporter and importer)" \
		[ "$(sed -n 's/^modprobe_vgem=//p' "$j/env.txt")" = 0 ]
	want=1
	[ "$stock" = 1 ] && want=4
	ok_if workload "$k" - "$(wc -l <"$j/bufs.txt") of $want dma-bufs created: $(cut -d' ' -f1,2 "$j/bufs.txt" | tr '\n' ' ')" \
		[ "$(grep -c '^exporter=' "$j/bufs.txt")" = "$want" ]
	for t in $(cat "$j/tracers.txt"); do
		f=$j/trace.$t.jsonl
		# ready, clean exit, nothing lost
		line=$(grep -m1 'ready:' "$j/trace.$t.err" 2>/dev/null)
		detail="${line#tphtrace: }; exit $(cat "$j/trace.$t.rc" 2>/dev/null) on SIGINT; lost $(jq -s '[.[] | select(.kind == "lost")] | last | .records' "$f" 2>/dev/null)"
		ok_if tracer "$k" "$t" "$detail" eval \
			"[[ \$line == *' events hooked'* ]] && [ \"\$(cat $j/trace.$t.rc)\" = 0 ] &&
			 [ \"\$(jq -s '[.[] | select(.kind == \"lost\")] | last | .records' $f)\" = 0 ]"
		# the families the default plan chose for the lifetime events (the
		# other tracers' records carry their hook, checked below)
		if [ -s "$j/probe.$t.json" ]; then
			got=$(jq -r '[.events[] | select(.event | IN("dmabuf_export","dmabuf_release","attach","detach","map","unmap")) | "\(.event)=\(.hook)/\(.module // "")"] | join(" ")' "$j/probe.$t.json")
			want=""
			for e in dmabuf_export dmabuf_release attach detach map unmap; do
				want="$want $e=$(fam_of "$t" $e)/"	# module "": vmlinux
			done
			want=${want# }
			ok_if hooks "$k" "$t" "$got (the kernel has dma_buf:* tracepoints: tracefs)" [ "$got" = "$want" ]
		fi
		while read -r line; do
			exp=$(sed -n 's/.*exporter=\([^ ]*\).*/\1/p' <<<"$line")
			ino=$(sed -n 's/.*ino=\([0-9]*\).*/\1/p' <<<"$line")
			size=$(sed -n 's/.*size=\([0-9]*\).*/\1/p' <<<"$line")
			pid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line")
			imp=$(sed -n 's/.*importer=\([^ ]*\).*/\1/p' <<<"$line")
			[ -n "$ino" ] || continue
			detail="$exp ino=$ino size=$size pid=$pid"
			fam=$(fam_of "$t" dmabuf_export)
			sel=".kind == \"dmabuf_export\" and .ino == $ino"
			ok_if export "$k" "$t" "$detail hook=$fam" eval \
				"[ \"\$(nrec $f '$sel')\" = 1 ] &&
				 jq -e -s 'map(select($sel))[0] | .size == $size and .exp_name == \"$exp\" and .hook == \"$fam\" and .ret == 0 and .comm == \"mkdmabuf\" and .tgid == $pid' $f >/dev/null"
			fam=$(fam_of "$t" dmabuf_release)
			sel=".kind == \"dmabuf_release\" and .ino == $ino"
			n=$(fcount "$j" "$pid" dma_buf_release)
			ok_if release "$k" "$t" "$detail hook=$fam; the kernel called dma_buf_release $n time(s) in that process, tphtrace: $(nrec "$f" "$sel")" eval \
				"[ \"$n\" = 1 ] && [ \"\$(nrec $f '$sel')\" = 1 ] &&
				 jq -e -s 'map(select($sel))[0] | .size == $size and .exp_name == \"$exp\" and .hook == \"$fam\" and .tgid == $pid' $f >/dev/null"
			[ -n "$imp" ] || continue
			for e in attach detach; do
				fam=$(fam_of "$t" $e)
				sel=".kind == \"$e\" and .ino == $ino"
				ok_if $e "$k" "$t" "$detail importer=$imp hook=$fam" eval \
					"[ \"\$(nrec $f '$sel')\" = 1 ] &&
					 jq -e -s 'map(select($sel))[0] | .size == $size and .exp_name == \"$exp\" and .importer == \"$imp\" and .p2p == false and .dynamic == false and .hook == \"$fam\" and .ret == 0 and .tgid == $pid' $f >/dev/null"
			done
			for e in map unmap; do
				fam=$(fam_of "$t" $e)
				n=$(fcount "$j" "$pid" "dma_buf_${e}_attachment")
				sel=".kind == \"$e\" and .ino == $ino"
				ok_if $e "$k" "$t" "$detail importer=$imp hook=$fam; the kernel called dma_buf_${e}_attachment $n time(s), tphtrace: $(nrec "$f" "$sel")" eval \
					"[ \"\$(nrec $f '$sel')\" = \"$n\" ] &&
					 jq -e -s 'map(select($sel)) | all(.importer == \"$imp\" and .exp_name == \"$exp\" and .hook == \"$fam\" and .ret == 0 and .dir == 0)' $f >/dev/null"
			done
		done <"$j/bufs.txt"
		[ -s "$j/names.txt" ] || continue
		fam=$(fam_of "$t" dmabuf_release)
		while read -r line; do
			nm=$(sed -n 's/^name=\([^ ]*\) .*/\1/p' <<<"$line")
			ino=$(sed -n 's/.*ino=\([0-9]*\).*/\1/p' <<<"$line")
			sel=".kind == \"dmabuf_release\" and .ino == ${ino:-0}"
			ok_if name "$k" "$t" "the ${#nm}-character name '$nm' of ino=$ino whole in its release record, hook=$fam" eval \
				"[ -n '$ino' ] && [ \"\$(nrec $f '$sel')\" = 1 ] &&
				 jq -e -s 'map(select($sel))[0] | .name == \"$nm\" and .exp_name == \"udmabuf\" and .hook == \"$fam\"' $f >/dev/null"
		done <"$j/names.txt"
	done
	if [ "$stock" = 1 ]; then
		ino=$(sed -n '1s/.*ino=\([0-9]*\).*/\1/p' "$j/bufs.txt")
		ok_if text_line "$k" default "timestamp, event, comm, inode $ino, size 1048576, exporter udmabuf; exit $(cat "$j/text.rc") on SIGINT" eval \
			"grep -qE '^[0-9]+\.[0-9]{6} dmabuf_export +mkdmabuf .* ino=$ino size=1048576 exp_name=udmabuf' $j/text.out && [ \"\$(cat $j/text.rc)\" = 0 ]"
		if grep -q ' ino=2 ' "$j/bufs.txt"; then
			ok_if filter "$k" default "-i 2: inode 2's export and release, nothing else" eval \
				"grep -q 'dmabuf_export .* ino=2 ' $j/filt.out && grep -q 'dmabuf_release .* ino=2 ' $j/filt.out && ! grep -v -e ' ino=2 ' -e '^EVENT ' $j/filt.out | grep -q ."
		else
			ok_if filter "$k" default "-i 2: no such dma-buf, only the header shown" eval "! grep -v '^EVENT ' $j/filt.out | grep -q ."
		fi
	fi
	# upstream's dma_buf_put fires on every put (here the DRM core's import
	# reference), never on close(): only the final dma_buf_release is a release
	if [ "$up" = 1 ] && line=$(grep 'importer=' "$j/bufs.txt"); then
		ino=$(sed -n 's/.*ino=\([0-9]*\).*/\1/p' <<<"$line")
		puts=$(grep -c "dma_buf_put: .* ino=$ino\$" "$j/ftrace.txt")
		rel=""
		for t in $(cat "$j/tracers.txt"); do
			rel="$rel $t=$(nrec "$j/trace.$t.jsonl" ".kind == \"dmabuf_release\" and .ino == $ino")"
		done
		ok_if put_not_release "$k" all "dma_buf:dma_buf_put fired $puts time(s) for the imported ino $ino; tphtrace's releases:$rel" eval \
			"[ $puts -ge 1 ] && [ \"\$(tr ' ' '\n' <<<'$rel' | grep -cv '=1$')\" = 1 ]"
	fi
	[ -d "$j/realmod" ] && judge_realmod "$k" "$j/realmod"
}

judge_realmod() { # KVER DIR
	local k=$1 d=$2 f line n hook jobs=() rel
	ok_if real_modules "$k" - "$(grep -v '^t_' "$d/env.txt" | tr '\n' ' ')" eval \
		"grep -qx modprobe_mlx5_ib=0 $d/env.txt && grep -qx modprobe_vfio_pci=0 $d/env.txt &&
		 [ -s $d/btf/mlx5_ib.btf ] && [ -s $d/btf/mlx5_core.btf ] && [ -s $d/btf/ib_core.btf ] && [ -s $d/btf/vfio_pci_core.btf ]"
	# the CO-RE relocations of what tphtrace loaded (trace -v), and of every
	# kprobe program of the object (core-load), against the real BTF
	for f in fentry kprobe; do jobs+=("real_module_btf,$f,$d/trace.$f.log"); done
	grep -qx core_load=0 "$d/env.txt" && jobs+=("real_module_core,kprobe-all,$d/core-load.log")
	python3 tests/vm/btf-relo-check.py --btf-dir "$d/btf" --kernel "$k" "${jobs[@]}" >"$d/relo.txt" 2>&1
	grep '^#' "$d/relo.txt"
	# every hook that exists with the real modules loads and attaches, with
	# its relocations equal to the kernel's BTF
	for f in fentry kprobe; do
		hook=$(jq -r '.events[] | select(.event == "mr_reg") | "\(.hook)/\(.module)"' "$d/probe.$f.json" 2>/dev/null)
		n=$(jq '[.events[] | select(.hook != null)] | length' "$d/probe.$f.json" 2>/dev/null)
		line=$(grep -m1 'ready:' "$d/trace.$f.log")
		rel=$(grep "^check real_module_btf .*hooks=$f " "$d/relo.txt")
		if [ "$hook" = "$f/mlx5_ib" ] && [[ $line == *", $n of "*" events hooked"* ]] &&
			[ "$(cat "$d/trace.$f.rc")" = 0 ] && [[ $rel == *result=PASS* ]]; then
			check real_module_btf "$k" "$f" PASS "mr_reg on $hook (mlx5_ib_reg_user_mr_dmabuf) loads and attaches, ${line#tphtrace: }; ${rel#*result=PASS }"
		else
			check real_module_btf "$k" "$f" FAIL "mr_reg hooked as '$hook' (want $f/mlx5_ib); ready '$line', probe $n events; exit $(cat "$d/trace.$f.rc"); ${rel:-$(tail -n 2 "$d/relo.txt" | tr '\n' ' ')}"
		fi
	done
	# every flavor of bpf/core.bpf.h
	if ! grep -qx core_load=0 "$d/env.txt"; then
		check real_module_core "$k" kprobe-all FAIL "core-load: $(tail -n 3 "$d/core-load.log" | tr '\n' ' ')"
	elif rel=$(grep '^check real_module_core ' "$d/relo.txt") && [[ $rel == *result=PASS* ]]; then
		check real_module_core "$k" kprobe-all PASS "${rel#*result=PASS }"
	else
		check real_module_core "$k" kprobe-all FAIL "${rel#*result=FAIL }"
	fi
}

for k in "${kvers[@]}"; do judge "$k"; done
for k in "${kvers[@]}"; do
	read -r grc gsec <"$out/$k.status"
	echo "wall kernel=$k guest=${gsec}s"
done
echo "wall total=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s (up to $par guests at once)"
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
