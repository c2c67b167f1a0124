#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-exporter.sh [-k 6.12|6.1|new|all] (default: 6.12 and new)
#
# tphtrace exporter end to end in QEMU guests (Debian 6.12 and the newest
# series, 7.3, where dma-buf lifetime comes from the real dma_buf:*
# tracepoints): the tphsim simulator module is loaded, `tphtrace exporter`
# hooks every event, a real Prometheus server (loopback, 1 s scrapes)
# scrapes it while tphsim-ctl runs scenarios, and the test asks Prometheus
# over /api/v1/query for the MR registration counter by reason and compares
# it, value by value, with what the scenarios did (and with what `tphtrace
# trace -j` recorded meanwhile). The kernels' guests run side by side.
# Prints "check NAME kernel=K hooks=default result=PASS|FAIL ..." per check
# and "N passed, N failed, N skipped"; exits 1 on any failure, 77 when it
# cannot run at all.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)

# The scenarios and what they do, from their .scn files: reason per "reg".
SCENARIOS="st_table_full width_mismatch not_published req_disabled dmah ok_ext"
#   st_table_full   mr0 mr1 mr3 ok, mr2 st_table_full (3-entry table)
#   width_mismatch  mr0 width_mismatch
#   not_published   mr0 not_published
#   req_disabled    mr0..mr3 req_disabled (four NICs)
#   dmah            mr0 mr1 dmah, mr2 ok
#   ok_ext          mr0 mr1 ok
EXPECT='{"ok":"6","st_table_full":"1","width_mismatch":"1","not_published":"1","req_disabled":"4","dmah":"2"}'

# ------------------------------------------------------------------ guest side
guest() {
	local ko=$1 ctl=$2 work=$3 T=$top/.output/tphtrace K
	local pass=0 fail=0 i rc s total PP=9090 EP=10435
	K=$(uname -r)
	# check NAME DETAIL COMMAND: one suite line
	check() {
		if eval "$3"; then
			pass=$((pass + 1))
			echo "check $1 kernel=$K hooks=default result=PASS $2"
		else
			fail=$((fail + 1))
			echo "check $1 kernel=$K hooks=default result=FAIL $2"
		fi
	}
	q() { curl -s --max-time 10 --data-urlencode "query=$1" "http://127.0.0.1:$PP/api/v1/query"; }
	finish() {
		kill $TP $EP_PID $PROM 2>/dev/null
		wait 2>/dev/null
		echo "$pass passed, $fail failed, 0 skipped"
		[ "$fail" -eq 0 ]
		exit
	}
	TP="" EP_PID="" PROM=""
	cd "$top" || exit 1

	insmod "$ko"
	check insmod "tphsim" "[ $? -eq 0 ]"
	"$T" exporter --web.listen-address=127.0.0.1:$EP 2>"$work/exporter.err" &
	EP_PID=$!
	for i in $(seq 1 150); do grep -q 'listening on' "$work/exporter.err" && break; sleep 0.2; done
	check exporter_ready "every event hooked, capabilities dropped" \
		"grep -q '13 of 13 events hooked; BPF statistics on; capabilities kept: none' $work/exporter.err"
	grep -q 'listening on' "$work/exporter.err" || { sed 's/^/# /' "$work/exporter.err"; finish; }
	"$T" trace -j >"$work/trace.jsonl" 2>"$work/trace.err" &
	TP=$!
	for i in $(seq 1 150); do grep -q 'ready:' "$work/trace.err" && break; sleep 0.2; done

	mkdir -p /tmp/prom
	cat >/tmp/prom/prometheus.yml <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $top/deploy/tphtrace.rules.yml
scrape_configs:
  - job_name: tphtrace
    static_configs:
      - targets: ['127.0.0.1:$EP']
EOF
	prometheus --config.file=/tmp/prom/prometheus.yml --storage.tsdb.path=/tmp/prom/data \
		--web.listen-address=127.0.0.1:$PP --log.level=warn >"$work/prometheus.log" 2>&1 &
	PROM=$!
	for i in $(seq 1 300); do
		[ "$(q 'up{job="tphtrace"}' | jq -r '.data.result[0].value[1]' 2>/dev/null)" = 1 ] && break
		sleep 0.5
	done
	check prometheus_up "Prometheus in the guest scrapes the exporter (up == 1)" \
		"[ \"\$(q 'up{job=\"tphtrace\"}' | jq -r '.data.result[0].value[1]')\" = 1 ]"

	for s in $SCENARIOS; do
		"$ctl" run "$top/kernel/tphsim/scenarios/$s.scn" >"$work/$s.ctl" 2>&1
		rc=$?
		check scenario_run "tphsim-ctl run $s" "[ $rc -eq 0 ] && grep -q '^done failures=0' $work/$s.ctl"
	done

	# wait for a scrape that has seen every registration (15: waiting for 16
	# made every run sit out the whole loop, past the guest's limit under load)
	total=$(jq -n --argjson w "$EXPECT" '[$w[] | tonumber] | add')
	for i in $(seq 1 120); do
		[ "$(q 'sum(tphtrace_mr_registrations_total)' | jq -r '.data.result[0].value[1]')" = "$total" ] && break
		sleep 0.5
	done
	q 'sum by (reason) (tphtrace_mr_registrations_total)' >"$work/q.json"
	jq -c '.data.result | map({key: .metric.reason, value: .value[1]}) | from_entries' \
		"$work/q.json" >"$work/got.json"
	echo "# prometheus: sum by (reason) (tphtrace_mr_registrations_total) -> $(cat "$work/got.json")"
	echo "# scenarios:  $EXPECT"
	check mr_by_reason "Prometheus: MR registrations by reason == what the scenarios did, value by value: $(cat "$work/got.json")" \
		"jq -e --argjson w '$EXPECT' '. == \$w' $work/got.json >/dev/null"

	kill -INT $TP 2>/dev/null
	wait $TP 2>/dev/null
	TP=""
	jq -s -c '[.[] | select(.kind == "mr_reg")] | group_by(.reason) |
		map({key: .[0].reason, value: (length | tostring)}) | from_entries' \
		"$work/trace.jsonl" >"$work/trace-by-reason.json"
	check mr_by_reason_trace "… and == what tphtrace trace -j recorded meanwhile" \
		"jq -e --slurpfile t $work/trace-by-reason.json '. == \$t[0]' $work/got.json >/dev/null"
	q 'tphtrace_mr_registrations_total{reason="req_disabled"}' >"$work/q2.json"
	check req_disabled_labels "req_disabled per importer: four NICs, one each, width 0, source none" \
		"jq -e '.data.result | length == 4 and all(.value[1] == \"1\" and .metric.width == \"0\" and .metric.source == \"none\")' $work/q2.json >/dev/null"
	q 'tphtrace_mr_registrations_total{reason="width_mismatch"}' >"$work/q3.json"
	check width_mismatch_labels "width_mismatch: importer 0000:3b:00.0, exporter 0000:3a:00.0, width 16" \
		"jq -e '.data.result[0].metric | .importer == \"0000:3b:00.0\" and .exporter == \"0000:3a:00.0\" and .width == \"16\"' $work/q3.json >/dev/null"
	q 'sum(tphtrace_tph_publishes_total{result="ok"})' >"$work/q4.json"
	check tph_publishes "TPH publishes: as many as the scenarios' successful SETs (trace -j)" \
		"[ \"\$(jq -r '.data.result[0].value[1]' $work/q4.json)\" = \"\$(jq -s '[.[] | select(.kind == \"tph_publish\" and .ret == 0)] | length' $work/trace.jsonl)\" ]"
	q 'tphtrace_findings{rule="TPH006"}' >"$work/q5.json"
	check finding_tph006 "findings: ST table full (TPH006) counted" \
		"jq -e '.data.result[0].value[1] | tonumber >= 1' $work/q5.json >/dev/null"
	q 'sum(tphtrace_bpf_program_runs_total) > 0 and sum(tphtrace_bpf_program_run_time_seconds_total) > 0' >"$work/q6.json"
	check self_metrics_bpf "BPF program runs and run time counted (statistics on)" \
		"jq -e '.data.result | length == 1' $work/q6.json >/dev/null"
	echo "# prometheus: BPF runs $(q 'sum(tphtrace_bpf_program_runs_total)' | jq -r '.data.result[0].value[1]'), run time $(q 'sum(tphtrace_bpf_program_run_time_seconds_total)' | jq -r '.data.result[0].value[1]') s"
	q 'count(tphtrace_bpf_program_runs_total) == count(count by (program) (tphtrace_bpf_program_runs_total))' >"$work/q7.json"
	check self_metrics_series "one series per program (full names, no duplicates)" \
		"jq -e '.data.result | length == 1' $work/q7.json >/dev/null"
	curl -s --max-time 10 http://127.0.0.1:$EP/metrics >"$work/metrics.txt"
	promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1
	check promtool "promtool check metrics on the guest exporter's text" "[ $? -eq 0 ]"
	check no_capabilities "every thread of the exporter without capabilities" \
		"! grep -hE '^CapEff:' /proc/$EP_PID/task/*/status | grep -vqE ':\s+0+$'"
	finish
}

if [ "${1:-}" = --guest ]; then
	shift
	guest "$@"
	exit
fi

# ------------------------------------------------------------------- host side
# shellcheck source=tests/lib/suite.sh
. "$top/tests/lib/suite.sh"
series="6.12 new"
case ${1:-} in
-k) series=$2; [ "$series" = all ] && series="6.12 6.1 new" ;;
"") ;;
*) echo "test-exporter: unknown argument $1" >&2; exit 2 ;;
esac
need_cmd qemu-system-x86_64 "scripts/deps.sh"
for c in prometheus promtool curl jq; do need_cmd "$c" "scripts/deps.sh"; done
[ -x "$top/.output/tphtrace" ] || skip_suite "no .output/tphtrace (make)"
out=$top/.output/vm/exporter
rm -rf "$out"
mkdir -p "$out/src/kernel"
cp -r "$top/kernel/tphsim" "$top/kernel/tree" "$out/src/kernel/"
sim=$out/src/kernel/tphsim
pass=0 fail=0 skipped=0
line() { # NAME KERNEL RESULT DETAIL
	echo "check $1 kernel=$2 hooks=default result=$3 $4"
	case $3 in PASS) pass=$((pass + 1)) ;; SKIP) skipped=$((skipped + 1)) ;; *) fail=$((fail + 1)) ;; esac
}
if make -s -C "$sim/ctl" >"$out/ctl-build.log" 2>&1; then
	line build_tphsim_ctl host PASS "tphsim-ctl"
else
	line build_tphsim_ctl host FAIL "$(tail -n 3 "$out/ctl-build.log" | tr '\n' ' ')"
fi
kvers=()
for sr in $series; do
	k=$(series_kver "$sr")
	if [ -z "$k" ] || [ ! -r "/boot/vmlinuz-$k" ] || ! kernel_headers "$k" >/dev/null; then
		line kernel "${k:-$sr}" "$(skip_or_fail)" "no kernel image/headers for series $sr (scripts/deps.sh)"
	elif bash "$top/kernel/tphsim/scripts/build.sh" -o "$out/$k/ko" "$k" >"$out/$k.build.txt" 2>&1; then
		kvers+=("$k")
	else
		line build_modules "$k" FAIL "$(tail -n 3 "$out/$k.build.txt" | tr '\n' ' ')"
	fi
done
[ ${#kvers[@]} -gt 0 ] || [ "$fail" -gt 0 ] || skip_suite "no guest kernel (scripts/deps.sh)"
for k in "${kvers[@]}"; do
	mkdir -p "$out/$k/job"
	(
		rc=0
		"$top/tests/vm/run-guest.sh" -K "$k" -t 420 -m 2G -q -J "$out/$k/job" -- \
			bash "$here/test-exporter.sh" --guest "$out/$k/ko/tphsim.ko" "$sim/ctl/tphsim-ctl" "$out/$k/job" \
			>"$out/$k/guest.log" 2>&1 || rc=$?
		echo "$rc" >"$out/$k/rc"
	) &
done
wait
for k in "${kvers[@]}"; do
	rc=$(cat "$out/$k/rc")
	# the guest's lines without its closing line; the count is made here, so
	# a guest that died half way still counts what it did and fails
	grep -E '^(check|#) ' "$out/$k/guest.log"
	pass=$((pass + $(grep -c '^check .* result=PASS' "$out/$k/guest.log")))
	fail=$((fail + $(grep -c '^check .* result=FAIL' "$out/$k/guest.log")))
	case $rc in
	0 | 1) ;;
	124) line guest "$k" FAIL "the guest ran past its time limit" ;;
	125) line guest "$k" FAIL "the guest died without a result (panic, QEMU failure)" ;;
	*) line guest "$k" FAIL "the guest job exited $rc" ;;
	esac
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
