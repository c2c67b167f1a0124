#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-scenarios.sh [-k 6.12|6.1|all] [-t SECONDS] [SCENARIO.scn...]
#
# Phase-one end-to-end test of the tphsim simulator. On the host: builds
# tphsim.ko for the guest kernel (module BTF included: kbuild on 6.12,
# pahole --btf_base with the BTF extracted from /boot/vmlinuz on 6.1) and
# tphsim-ctl, then runs itself in a QEMU guest (tests/vm/run-guest.sh).
# In the guest, for every scenario (default: kernel/tphsim/scenarios/*.scn):
# insmod (tphsim.ko and tphsim_dmabuf_tp.ko, whose simulated upstream
# dma_buf:* events are the only attach/detach tracefs can see), enable the
# modules' tracepoints, `tphsim-ctl run`, read the trace, rmmod, and check
# the scenario's expectations against the events with tph-expect.awk.
# `make check` runs tests/vm/test-scenarios.sh (the same scenarios through
# tphtrace) instead; this phase-one test stays runnable by hand. Also proves that fentry-style attachment works:
# module BTF in /sys/kernel/btf/tphsim, the series' symbols in
# /proc/kallsyms and available_filter_functions, and (when clang and
# libbpf-dev are installed) tphsim-probe: fentry/fexit/tp_btf programs with
# CO-RE reads of module types attached for real while a scenario runs.
#
# Prints one line per scenario
#   scenario NAME kernel=K hooks=tracefs shape=v8 expected=REASON observed=REASON result=PASS|FAIL|SKIP
# one "check ..." line per extra check, "N passed, N failed, N skipped" last per kernel
# (and over all kernels with -k all), and exits non-zero on any failure.
# Artifacts (ctl output and trace of each scenario): .output/vm/scenarios/KVER/job/
# (the guest can only write to its job directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../../.." && pwd)
sim=$top/kernel/tphsim

# ------------------------------------------------------------------ guest side
guest() {
	local ko=$1 ctl=$2 work=$3
	shift 3
	local T=/sys/kernel/tracing kver pass=0 fail=0 skip=0
	local sys name rc line result warn_before warn_after
	kver=$(uname -r)
	local -a systems=(dma_buf vfio_pci mlx5 mlx5_ib pci)

	check() { # name result detail
		echo "check $1 kernel=$kver result=$2 $3"
		if [ "$2" = PASS ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	}
	nwarn() { dmesg | grep -cE 'WARNING:|BUG:|general protection|refcount_t:|objects leaked' || true; }

	[ -d "$T/events" ] || { echo "tracefs missing"; exit 1; }
	echo 16384 >"$T/buffer_size_kb"
	echo nop >"$T/current_tracer"

	# fentry-style attachment prerequisites
	warn_before=$(nwarn)
	if insmod "$ko"; then
		if [ -s /sys/kernel/btf/tphsim ]; then
			check module_btf PASS "size=$(stat -c %s /sys/kernel/btf/tphsim)"
		else
			check module_btf FAIL "no /sys/kernel/btf/tphsim"
		fi
		local missing="" s
		for s in dma_buf_get_pci_tph vfio_pci_dma_buf_get_pci_tph vfio_pci_core_feature_dma_buf_tph \
			mlx5_ib_reg_user_mr_dmabuf pcie_tph_enabled_req_type mlx5_st_alloc_index_by_tag \
			mlx5_st_get_index mlx5_st_dealloc_index pcie_enable_tph pcie_disable_tph \
			pcie_tph_set_st_entry; do
			grep -qw "$s" /proc/kallsyms || missing="$missing $s"
			grep -qw "$s" "$T/available_filter_functions" || missing="$missing ftrace:$s"
		done
		if [ -z "$missing" ]; then
			check kallsyms PASS "$(grep -w dma_buf_get_pci_tph /proc/kallsyms | tr '\t' ' ')"
		else
			check kallsyms FAIL "missing:$missing"
		fi
		"$ctl" selftest >"$work/selftest.out" 2>&1 && rc=0 || rc=$?
		check ioctl_validation "$([ $rc -eq 0 ] && echo PASS || echo FAIL)" \
			"$(tail -n 1 "$work/selftest.out")"
		rmmod tphsim && check rmmod_after_selftest PASS "" ||
			check rmmod_after_selftest FAIL "refcnt=$(cat /sys/module/tphsim/refcnt 2>/dev/null)"
		warn_after=$(nwarn)
		if [ "$warn_after" = "$warn_before" ]; then
			check selftest_no_kernel_warning PASS ""
		else
			dmesg >"$work/selftest.dmesg"
			check selftest_no_kernel_warning FAIL "see $work/selftest.dmesg"
		fi
	else
		check insmod FAIL "$ko"
	fi

	# fentry/fexit/tp_btf + CO-RE on the module, attached for real
	local probe=${TPHSIM_PROBE:-} refused="" ma mi
	IFS=. read -r ma mi _ <<<"$kver"
	# x86 BPF trampolines take at most 6 arguments before v6.5:
	# mlx5_ib_reg_user_mr_dmabuf() has 8
	if [ "$ma" -lt 6 ] || { [ "$ma" -eq 6 ] && [ "$mi" -lt 5 ]; }; then
		refused=fentry_reg
	fi
	if [ -n "$probe" ] && [ -x "$probe" ] && insmod "$ko"; then
		"$probe" "$probe.bpf.o" "$here/../../../kernel/tphsim/scenarios/ok_8bit.scn" "$ctl" \
			$refused >"$work/probe.out" 2>&1 && rc=0 || rc=$?
		rmmod tphsim || rc=1
		check fentry_attach "$([ $rc -eq 0 ] && echo PASS || echo FAIL)" \
			"$(grep -E '^(program|core|attach)' "$work/probe.out" | sed 's/^program //; s/ hits=/=/' | tr '\n' ' ')"
	else
		echo "check fentry_attach kernel=$kver result=SKIP (no tphsim-probe: clang or libbpf-dev missing)"
	fi

	for scn in "$@"; do
		name=$(basename "$scn" .scn)
		warn_before=$(nwarn)
		# tphsim_dmabuf_tp.ko: the dma_buf:* events (simulated upstream
		# tracepoints), the only way tracefs sees attach/detach/export
		if ! insmod "$ko" || ! insmod "${ko%/*}/tphsim_dmabuf_tp.ko"; then
			echo "scenario $name kernel=$kver hooks=tracefs shape=v8 expected=- observed=insmod-failed result=FAIL"
			fail=$((fail + 1))
			rmmod tphsim 2>/dev/null
			continue
		fi
		for sys in "${systems[@]}"; do echo 1 >"$T/events/$sys/enable"; done
		echo >"$T/trace"
		echo 1 >"$T/tracing_on"
		"$ctl" run "$scn" >"$work/$name.ctl" 2>&1 && rc=0 || rc=$?
		echo 0 >"$T/tracing_on"
		cat "$T/trace" >"$work/$name.trace"
		for sys in "${systems[@]}"; do echo 0 >"$T/events/$sys/enable"; done
		local rm_ok=1
		rmmod tphsim_dmabuf_tp || rm_ok=0
		rmmod tphsim || rm_ok=0
		if [ $rc -eq 77 ]; then
			echo "scenario $name kernel=$kver hooks=tracefs shape=v8 expected=- observed=- result=SKIP ($(grep -m1 '^skip' "$work/$name.ctl"))"
			skip=$((skip + 1))
			[ $rm_ok -eq 1 ] || { echo "# rmmod failed after $name"; fail=$((fail + 1)); }
			continue
		fi
		line=$(awk -f "$here/tph-expect.awk" -v fmt=tracefs -v scn="$name" \
			-v kernel="$kver" -v hooks=tracefs -v shape=v8 -v ctl_rc="$rc" \
			"$scn" "$work/$name.ctl" "$work/$name.trace") || true
		warn_after=$(nwarn)
		result=PASS
		case $line in *result=PASS) ;; *result=SKIP) result=SKIP ;; *) result=FAIL ;; esac
		if [ $rm_ok -eq 0 ]; then
			line="$line (rmmod failed)"
			result=FAIL
		fi
		if [ "$warn_after" != "$warn_before" ]; then
			line="$line (kernel warning: see $work/$name.dmesg)"
			dmesg >"$work/$name.dmesg"
			result=FAIL
		fi
		if [ $result = FAIL ]; then
			line=${line/result=PASS/result=FAIL}
			printf '%s\n' "$line" | grep '^#' || true
			grep 'status=FAIL' "$work/$name.ctl" | sed 's/^/# ctl: /' || true
			fail=$((fail + 1))
		elif [ $result = SKIP ]; then
			printf '%s\n' "$line" | grep '^# skip' || true
			skip=$((skip + 1))
		else
			pass=$((pass + 1))
		fi
		printf '%s\n' "$line" | grep -v '^#'
	done
	echo "$pass passed, $fail failed, $skip skipped"
	[ $fail -eq 0 ]
}

if [ "${1:-}" = --guest ]; then
	shift
	guest "$@"
	exit
fi

# ------------------------------------------------------------------- host side
series=all timeout_s=300
while getopts "k:t:h" o; do
	case $o in
	k) series=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	*) sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then
	scns=()
	for s in "$@"; do scns+=("$(cd "$(dirname "$s")" && pwd)/$(basename "$s")"); done
else
	scns=("$sim"/scenarios/*.scn)
fi

envf=$top/.output/kernels.env
kver_of() {
	local var=$1 v=""
	[ -f "$envf" ] && v=$(sed -n "s/^$var=//p" "$envf")
	if [ -z "$v" ]; then
		case $var in
		KVER_612) v=$(ls /lib/modules | grep -E '^6\.12\.' | sort -V | tail -n 1) ;;
		KVER_61) v=$(ls /lib/modules | grep -E '^6\.1\.' | sort -V | tail -n 1) ;;
		esac
	fi
	echo "$v"
}
case $series in
6.12) kvers=("$(kver_of KVER_612)") ;;
6.1) kvers=("$(kver_of KVER_61)") ;;
all) kvers=("$(kver_of KVER_612)" "$(kver_of KVER_61)") ;;
*) echo "run-scenarios: -k wants 6.12, 6.1 or all" >&2; exit 2 ;;
esac

make -s -C "$sim/ctl" >/dev/null

# the BPF probe (optional: needs clang and libbpf-dev)
probe=$top/.output/vm/scenarios/probe/tphsim-probe
mkdir -p "$(dirname "$probe")"
if command -v clang >/dev/null && [ -f /usr/include/bpf/libbpf.h ] &&
	clang -O2 -g -target bpf -idirafter /usr/include/x86_64-linux-gnu \
		-c "$here/tphsim-probe.bpf.c" -o "$probe.bpf.o" &&
	${CC:-gcc} -Wall -Wextra -Werror -O2 -o "$probe" "$here/tphsim-probe.c" -lbpf; then
	:
else
	echo "run-scenarios: tphsim-probe not built (clang/libbpf-dev missing?)" >&2
	probe=""
fi

total_pass=0 total_fail=0 total_skip=0 status=0 noresult=0
for kver in "${kvers[@]}"; do
	[ -n "$kver" ] && [ -d "/lib/modules/$kver/build" ] || {
		echo "run-scenarios: kernel headers for '$kver' missing" >&2
		exit 2
	}
	out=$top/.output/vm/scenarios/$kver
	rm -rf "$out"
	mkdir -p "$out"
	kdir=/lib/modules/$kver/build
	t0=$(date +%s.%N)
	# one kbuild tree per kernel, built in place one after the other
	make -s -C "$sim" KDIR="$kdir" clean >/dev/null
	if ! make -s -C "$sim" KDIR="$kdir" modules >"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		exit 1
	fi
	if [ ! -f "$kdir/vmlinux" ]; then
		# no BTF base in the headers: take it from the kernel image
		"$sim/scripts/extract-btf.sh" "/boot/vmlinuz-$kver" "$out/vmlinux.btf" 2>>"$out/build.log"
		make -s -C "$sim" KDIR="$kdir" VMLINUX_BTF="$out/vmlinux.btf" btf >>"$out/build.log" 2>&1
	fi
	cp "$sim/tphsim.ko" "$sim/tphsim_dmabuf_tp.ko" "$out/"
	make -s -C "$sim" KDIR="$kdir" clean >/dev/null
	t1=$(date +%s.%N)

	rc=0
	"$top/tests/vm/run-guest.sh" -K "$kver" -t "$timeout_s" -J "$out/job" -e TPHSIM_PROBE="$probe" -- \
		"$here/run-scenarios.sh" --guest "$out/tphsim.ko" "$sim/ctl/tphsim-ctl" "$out/job" \
		"${scns[@]}" | tee "$out/result.txt" || rc=$?
	t2=$(date +%s.%N)
	awk -v b="$t0" -v m="$t1" -v e="$t2" -v k="$kver" 'BEGIN {
		printf "wall kernel=%s build=%.1fs guest=%.1fs total=%.1fs\n", k, m - b, e - m, e - b }'
	read -r p f s < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$out/result.txt")
	if [ -z "$p" ]; then
		echo "not ok - guest on $kver gave no result (run-guest exit $rc)"
		p=0 f=1 s=0 noresult=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	[ "$rc" -eq 0 ] || status=1
done
if [ ${#kvers[@]} -gt 1 ] || [ $noresult -eq 1 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
fi
[ "$total_fail" -eq 0 ] || status=1
exit $status
