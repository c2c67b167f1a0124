#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE the QEMU guest for tests/vm/test-scenarios.sh: one "leg" (one
# kernel x one set of hook families) per boot. Everything is written to
# $VM_JOBDIR; the host judges it afterwards (tph-expect.awk), so the guest
# starts as few processes as it can (each costs 25-40 ms under TCG).
#
# Environment (run-guest.sh -e):
#   SC_TOP      the repository (the job runs there)
#   SC_T        tphtrace binary
#   SC_CTL      tphsim-ctl binary
#   SC_KO       directory with tphsim.ko and tphsim_dmabuf_tp.ko
#   SC_MODULES  modules to load before the scenarios, in order
#               ("tphsim" or "tphsim tphsim_dmabuf_tp")
#   SC_TRACERS  tracers run side by side over all scenarios, ';'-separated
#               NAME=ARGS (ARGS: tphtrace trace/probe options, e.g.
#               "raw_tp=--hooks all=raw_tp"; "default=" for none)
#   SC_SCNS     scenario files, space-separated
#   SC_LATE     1: first, tphtrace is started BEFORE insmod tphsim.ko and
#               must hook the TPH events when the module appears
#   SC_BURST    N > 0: last, a burst of N queries against a slow consumer
#   SC_SELFTEST 1: tphsim-ctl selftest (invalid ioctls) before the tracers
#   SC_PROBE_DEFAULT 1: tphtrace probe (text and -j) without options too
#   SC_CORE_SAME .output/tests/core_same: per tracer, its programs relocated
#               the same with tphtrace's small CO-RE BTF as with libbpf's
#               own search (tests/bpf/core_same.c)
#
# Output files in $VM_JOBDIR:
#   env.txt                      kernel, module BTF, rc of insmod/rmmod, dmesg counts
#   probe.NAME.json              tphtrace probe -j with the tracer's options: its events
#   probe.NAME.doc.json          the whole document (series_shape)
#   probe.default.{txt,json}     tphtrace probe without options (SC_PROBE_DEFAULT)
#   core_same.NAME.txt           core_same with the tracer's options
#   trace.NAME.jsonl, .err, .rc  the tracer's JSON lines, stderr, exit status
#   scn.list                     "NAME PID RC" per scenario (PID = tgid of its
#                                tphsim-ctl, which splits the JSON lines)
#   ctl.NAME.out                 tphsim-ctl run output (binds, ops)
#   late.*                       the module-load-later check
#   burst.*                      the lost-record check (counts only)
set -u
cd "$SC_TOP" || exit 1
W=$VM_JOBDIR
T=$SC_T
CTL=$SC_CTL

# fork-free sleep and line search (process starts are expensive under TCG)
mkfifo /tmp/nap.fifo
exec {NAPFD}<>/tmp/nap.fifo
nap() { read -r -t "$1" -u "$NAPFD" _ || true; }
has_line() { # FILE SUBSTRING
	local l
	[ -f "$1" ] || return 1
	while IFS= read -r l; do
		[[ $l == *"$2"* ]] && return 0
	done <"$1"
	return 1
}
wait_line() { # FILE SUBSTRING TIMEOUT_S (also stops on "tphtrace trace:" errors)
	local i n=$(($3 * 20))
	for ((i = 0; i < n; i++)); do
		has_line "$1" "$2" && return 0
		has_line "$1" "tphtrace trace:" && return 1
		nap 0.05
	done
	return 1
}
# wait until PID's written byte count (/proc/PID/io wchar) stops growing
wait_quiet() { # PID QUIET_S MAX_S
	local k v last=-1 same=0 i n=$(($3 * 10)) need
	need=$(awk -v q="$2" 'BEGIN { printf "%d", q * 10 }')
	for ((i = 0; i < n; i++)); do
		v=-2
		while read -r k rest; do
			[ "$k" = wchar: ] && v=$rest
		done <"/proc/$1/io"
		if [ "$v" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge "$need" ] && return 0
		else
			same=0
			last=$v
		fi
		nap 0.1
	done
	return 1
}
nwarn() { dmesg | grep -cE 'WARNING:|BUG:|general protection|refcount_t:|objects leaked' || true; }

env_line() { echo "$*" >>"$W/env.txt"; }
env_line "kernel=$(uname -r)"
env_line "warn_before=$(nwarn)"

# ---- module loaded after tphtrace started (re-resolution) ----------------
if [ "${SC_LATE:-0}" = 1 ]; then
	"$T" trace -j >"$W/late.jsonl" 2>"$W/late.err" &
	lp=$!
	wait_line "$W/late.err" "ready:" 60
	insmod "$SC_KO/tphsim.ko"
	env_line "late_insmod=$?"
	wait_line "$W/late.err" "module tphsim loaded" 60
	"$CTL" run kernel/tphsim/scenarios/ok_8bit.scn >"$W/late.ctl" 2>&1 &
	cp=$!
	wait $cp
	echo "ok_8bit $cp $?" >"$W/late.list"
	nap 0.5
	kill -INT $lp
	wait $lp
	echo $? >"$W/late.rc"
	rmmod tphsim
	env_line "late_rmmod=$?"
fi

# ---- the scenarios under every tracer of this leg ------------------------
for m in $SC_MODULES; do
	insmod "$SC_KO/$m.ko"
	env_line "insmod_$m=$?"
	[ -s "/sys/kernel/btf/$m" ] && env_line "btf_$m=$(wc -c <"/sys/kernel/btf/$m")" ||
		env_line "btf_$m=0"
done
# the print fmt of every tracepoint of the kernel patches, as the kernel
# has rewritten it at module load (the host checks every symbolic value)
if [ "${SC_SELFTEST:-0}" = 1 ]; then
	for ev in dma_buf/dma_buf_get_pci_tph vfio_pci/vfio_pci_tph_query \
		vfio_pci/vfio_pci_tph_set mlx5/mlx5_st_index_alloc mlx5/mlx5_st_index_get \
		mlx5/mlx5_st_index_put mlx5_ib/mlx5_ib_mr_tph mlx5_ib/mlx5_ib_dmabuf_mr \
		mlx5_ib/mlx5_ib_dmabuf_mr_dereg pci/pcie_tph_enable pci/pcie_tph_disable \
		pci/pcie_tph_st_write; do
		f=/sys/kernel/tracing/events/$ev/format
		if [ -r "$f" ]; then
			printf '%s\t%s\n' "$ev" "$(grep '^print fmt:' "$f")"
		else
			printf '%s\tmissing\n' "$ev"
		fi
	done >"$W/formats.txt"
fi
# invalid input to every ioctl: errors, no crash (leaks: rmmod at the end)
if [ "${SC_SELFTEST:-0}" = 1 ] && [ -e /dev/tphsim ]; then
	"$CTL" selftest >"$W/selftest.out" 2>&1
	env_line "selftest=$?"
fi
if [ "${SC_PROBE_DEFAULT:-0}" = 1 ]; then
	"$T" probe >"$W/probe.default.txt" 2>"$W/probe.default.err"
	"$T" probe -j >"$W/probe.default.json" 2>/dev/null
fi
IFS=';' read -r -a specs <<<"$SC_TRACERS"
names=() pids=()
for spec in "${specs[@]}"; do
	name=${spec%%=*}
	args=${spec#*=}
	# shellcheck disable=SC2086 # ARGS are words
	# the plan's events array (probe -j: docs/json.md), what test-scenarios.sh reads
	"$T" probe -j $args 2>"$W/probe.$name.err" >"$W/probe.$name.doc.json"
	jq '.events' "$W/probe.$name.doc.json" >"$W/probe.$name.json"
	if [ -n "${SC_CORE_SAME:-}" ]; then
		# shellcheck disable=SC2086
		"$SC_CORE_SAME" $args >"$W/core_same.$name.txt" 2>&1
	fi
	# shellcheck disable=SC2086
	"$T" trace -j $args >"$W/trace.$name.jsonl" 2>"$W/trace.$name.err" &
	pids+=($!)
	names+=("$name")
done
for i in "${!names[@]}"; do
	wait_line "$W/trace.${names[$i]}.err" "ready:" 90
done
: >"$W/scn.list"
for scn in $SC_SCNS; do
	name=${scn##*/}
	name=${name%.scn}
	"$CTL" run "$scn" >"$W/ctl.$name.out" 2>&1 &
	cp=$!
	wait $cp
	echo "$name $cp $?" >>"$W/scn.list"
done
nap 0.5
for i in "${!names[@]}"; do kill -INT "${pids[$i]}"; done
for i in "${!names[@]}"; do
	wait "${pids[$i]}"
	echo $? >"$W/trace.${names[$i]}.rc"
done

# ---- lost records: a burst larger than the ring buffer -------------------
if [ "${SC_BURST:-0}" -gt 0 ] && [ -e /dev/tphsim ]; then
	cat >/tmp/burst.scn <<EOF
name burst_lost
exporter gpu0 addr=0000:3a:00.0 completer=tph
export buf0 gpu0
set gpu0 buf0 st=0x2a ph=2
stats
burst buf0 count=$SC_BURST
stats
# let the consumer drain before the teardown's records (invalidate,
# release) meet a full ring buffer
pause 2000
EOF
	# JSON to tmpfs: slower than the kernel's producer, not slow enough
	# to hide the drops behind the consumer's own scheduling
	"$T" trace -j >/tmp/burst.jsonl 2>"$W/burst.err" &
	bp=$!
	wait_line "$W/burst.err" "ready:" 60
	SECONDS=0
	"$CTL" run /tmp/burst.scn >"$W/burst.ctl" 2>&1 &
	cp=$!
	wait $cp
	echo "burst_lost $cp $?" >"$W/burst.list"
	env_line "burst_ctl_s=$SECONDS"
	wait_quiet $bp 1 120
	env_line "burst_drain_s=$SECONDS"
	kill -INT $bp
	wait $bp
	echo $? >"$W/burst.rc"
	# counts only (the full file is tens of MB)
	{
		echo "lines=$(wc -l </tmp/burst.jsonl)"
		echo "tph_query=$(grep -c '"kind":"tph_query"' /tmp/burst.jsonl)"
		echo "bytes=$(wc -c </tmp/burst.jsonl)"
	} >"$W/burst.counts"
	grep -v '"kind":"tph_query"' /tmp/burst.jsonl >"$W/burst.other.jsonl"
	rm -f /tmp/burst.jsonl
fi

for m in $(echo "$SC_MODULES" | tr ' ' '\n' | tac); do
	rmmod "$m"
	env_line "rmmod_$m=$?"
done
env_line "warn_after=$(nwarn)"
dmesg >"$W/dmesg.txt"
exit 0
