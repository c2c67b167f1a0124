#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tphtrace exporter on the host (few or no hooks here: self-metrics must still
# be served): HTTP behaviour and malformed requests, promtool on the scraped
# text and on the rules, capabilities after the drop, the systemd unit, the
# dashboard's metric names, make install/uninstall, and a real Prometheus
# server on loopback scraping the exporter, queried over its HTTP API.
# Every check asserts the exact exit code. Prints "ok N - ..." / "not ok N -
# ..." and "N passed, N failed, N skipped"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.."
T=$(realpath "${TPHTRACE:-.output/tphtrace}")
for tool in "$T" curl jq python3 promtool prometheus; do
	if ! command -v "$tool" >/dev/null; then
		echo "# skip: no $tool (make; scripts/deps.sh)"
		echo "0 passed, 0 failed, 1 skipped"
		exit 77
	fi
done
W=$(mktemp -d /tmp/tphtrace-exporter-test.XXXXXX)
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
pids=()

finish() { echo "$pass passed, $fail failed, $skipped skipped"; [ "$fail" -eq 0 ]; exit; }

# shellcheck source=tests/lib/exporter.sh
. tests/lib/exporter.sh
trap exporter_cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_exporter NAME [ARGS...]: runs it in the background on a free loopback
# port; sets PID and PORT (from its "listening on" line) or returns 1
start_exporter() { exporter_start "$@"; }

stop() { # PID: SIGTERM, wait; the exit status in RC
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	RC=$?
}

stats_fd() { # PID holds a BPF_ENABLE_STATS fd
	ls -l /proc/"$1"/fd 2>/dev/null | grep -q 'anon_inode:bpf-stats'
}

# every thread's capability sets are zero
caps_zero() {
	local t
	for t in /proc/"$1"/task/*; do
		grep -qE '^CapEff:\s+0+$' "$t/status" || return 1
		grep -qE '^CapPrm:\s+0+$' "$t/status" || return 1
		grep -qE '^CapAmb:\s+0+$' "$t/status" || return 1
	done
}

# every thread has exactly this effective set (hex, as in /proc/PID/status)
caps_eff() {
	local t v
	for t in /proc/"$1"/task/*; do
		v=$(awk '/^CapEff:/{print $2}' "$t/status")
		[ "$((16#$v))" -eq "$((16#$2))" ] || return 1
	done
}

code() { # curl args...: prints the HTTP status
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"
}

raw() { # PORT BYTES: status line of the answer to a raw request ("" if closed)
	python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
try:
    d = s.recv(4096)
except Exception:
    d = b"timeout"
print(d.split(b"\r\n")[0].decode("latin-1"))
EOF
}

root=0
[ "$(id -u)" -eq 0 ] && root=1

# ---------------------------------------------------------------- usage errors
"$T" exporter --web.telemetry-path=metrics >/dev/null 2>"$W/e2"; rc2=$?
check "bad telemetry path: exit 2 with message" "[ $rc2 -eq 2 ] && grep -q 'invalid telemetry path' $W/e2"
"$T" exporter --capabilities.keep=cap_bogus >/dev/null 2>"$W/e3"; rc3=$?
check "unknown capability: exit 2 naming it" "[ $rc3 -eq 2 ] && grep -q \"unknown capability 'cap_bogus'\" $W/e3"
"$T" exporter --metrics.max-series=lots >/dev/null 2>"$W/e4"; rc4=$?
check "bad series cap: exit 2" "[ $rc4 -eq 2 ] && grep -q 'invalid series cap' $W/e4"
"$T" exporter --help >"$W/help" 2>&1; rc=$?
check "exporter --help: exit 0, documents --web.listen-address" \
	"[ $rc -eq 0 ] && grep -q -- '--web.listen-address=ADDR' $W/help"

if [ $root -eq 0 ]; then
	skip "the rest needs root (BPF, capabilities)" "not root"
	finish
fi

"$T" exporter --web.listen-address=bogus >/dev/null 2>"$W/e"; rc=$?
check "bad listen address: exit 2 with message" "[ $rc -eq 2 ] && grep -q 'invalid listen address' $W/e"

# ------------------------------------------- HTTP libraries only for exporter
# libmicrohttpd and GnuTLS are dlopen()ed by the exporter (src/httplib.h):
# exec() of every other command maps libc (and ld.so) alone (issue 14, P3)
needed=$(readelf -d "$T" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "the binary needs libc alone (NEEDED: $needed)" \
	"[ '$needed' = 'libc.so.6 ' ] || [ '$needed' = 'libc.so.6 ld-linux-x86-64.so.2 ' ]"
for lib in libmicrohttpd.so.12:libmicrohttpd12 libgnutls.so.30:libgnutls30; do
	so=${lib%%:*} pkg=${lib#*:}
	path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	unshare -m sh -c "mount --bind /dev/null '$(readlink -f "$path")' &&
		'$T' exporter --web.listen-address=127.0.0.1:0" >/dev/null 2>"$W/nolib.err"; rc=$?
	check "$so unloadable: exporter exits 2 naming it and $pkg before any BPF" \
		"[ $rc -eq 2 ] && [ \$(wc -l <$W/nolib.err) -eq 1 ] && grep -q \"needs $so (Debian package $pkg)\" $W/nolib.err"
	unshare -m sh -c "mount --bind /dev/null '$(readlink -f "$path")' &&
		'$T' list -j" >/dev/null 2>"$W/nolib-list.err"; rc=$?
	check "$so unloadable: list still works (exit $rc)" "[ $rc -eq 0 ]"
done

# --------------------------------------------------------------------- --check
stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
"$T" exporter --check >"$W/check.out" 2>"$W/check.err"; rc=$?
# exit 0 with every event hooked, 1 (degraded) with fewer: which follows from the line
erc=1; grep -q ' 13 of 13 events hooked' "$W/check.out" && erc=0
check "--check: exit $erc ($(grep -o '[0-9]* of 13 events hooked' "$W/check.out")) and one summary line" \
	"[ $rc -eq $erc ] && [ \$(wc -l <$W/check.out) -eq 1 ] && grep -q '^tphtrace exporter: check: .* events hooked, BPF statistics on, capabilities kept: none$' $W/check.out"

# unprivileged: clear message, exit 2
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$T" exporter --check >/dev/null 2>"$W/unpriv.err"; rc=$?
check "unprivileged exporter: exit 2 naming CAP_BPF" "[ $rc -eq 2 ] && grep -q CAP_BPF $W/unpriv.err"

# ------------------------------------------------------------- serve, scrape
if ! start_exporter main "$T" exporter --web.listen-address=127.0.0.1:0; then
	nok "exporter starts on a loopback port"
	sed 's/^/# /' "$W/main.err"
	finish
fi
ok "exporter starts on a loopback port ($PORT)"
MAIN_PID=$PID MAIN_PORT=$PORT
U=http://127.0.0.1:$PORT

curl -s -D "$W/h" -o "$W/metrics.txt" --max-time 5 "$U/metrics"
check "GET /metrics: 200 text/plain version=0.0.4" \
	"grep -q '^HTTP/1.1 200' $W/h && grep -qi '^Content-Type: text/plain; version=0.0.4' $W/h"
promtool check metrics <"$W/metrics.txt" >"$W/promtool.out" 2>&1; rc=$?
check "promtool check metrics accepts the scraped text" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || sed 's/^/# /' "$W/promtool.out"
check "self-metrics present (build info, collector, hooks, lost, stats)" \
	"grep -q '^tphtrace_build_info{version=\"[0-9.]*\",revision=\"[^\"]*\",libbpf=\"[^\"]*\"} 1$' $W/metrics.txt &&
	 grep -qE '^tphtrace_collector_up [01]$' $W/metrics.txt &&
	 [ \$(grep -c '^tphtrace_hooks_attached{' $W/metrics.txt) -eq 13 ] &&
	 grep -q '^tphtrace_records_lost_total{cause=\"ringbuf\"} ' $W/metrics.txt &&
	 grep -q '^tphtrace_bpf_stats_enabled 1$' $W/metrics.txt"
check "every family has HELP and TYPE, once" \
	"[ \$(grep -c '^# HELP ' $W/metrics.txt) -eq \$(grep -c '^# TYPE ' $W/metrics.txt) ] &&
	 [ -z \"\$(grep '^# HELP ' $W/metrics.txt | awk '{print \$3}' | sort | uniq -d)\" ]"
check "no pid/inode/mkey labels" "! grep -qE '[{,](pid|tgid|ino|inode|mkey|attach)=' $W/metrics.txt"
check "no series twice" "[ -z \"\$(grep -v '^#' $W/metrics.txt | awk '{print \$1}' | sort | uniq -d)\" ]"
check "kernel BPF statistics enabled while it runs (holds a bpf-stats fd)" "stats_fd $MAIN_PID"
check "capabilities after the drop: none, in every thread" \
	"[ \$(ls /proc/$MAIN_PID/task | wc -l) -ge 2 ] && caps_zero $MAIN_PID &&
	 grep -qE '^CapBnd:\s+0+$' /proc/$MAIN_PID/status && grep -qE '^NoNewPrivs:\s+1$' /proc/$MAIN_PID/status"

# ------------------------------------------------------------ HTTP behaviour
check "GET / is the landing page linking to /metrics" \
	"curl -s --max-time 5 $U/ | grep -q 'href=\"/metrics\"'"
check "HEAD /metrics: 200, no body" \
	"[ \$(code -I $U/metrics) = 200 ] && [ -z \"\$(curl -s --max-time 5 -I $U/metrics | sed '1,/^\r$/d')\" ]"
check "unknown paths: 404" \
	"[ \$(code $U/nope) = 404 ] && [ \$(code $U/metrics/) = 404 ] && [ \$(code $U/metricsx) = 404 ] &&
	 [ \$(code '$U/../../etc/passwd' --path-as-is) = 404 ]"
check "query string ignored: 200" "[ \$(code '$U/metrics?x=1') = 200 ]"
curl -s -D "$W/h405" -o /dev/null --max-time 5 -X POST -d 'a=1' "$U/metrics"
check "POST: 405 with Allow: GET, HEAD" \
	"grep -q '^HTTP/1.1 405' $W/h405 && grep -qi '^Allow: GET, HEAD' $W/h405"
check "PUT, DELETE, OPTIONS, PATCH: 405" \
	"[ \$(code -X PUT $U/metrics) = 405 ] && [ \$(code -X DELETE $U/) = 405 ] &&
	 [ \$(code -X OPTIONS $U/metrics) = 405 ] && [ \$(code -X PATCH $U/x) = 405 ]"
big=$(head -c 20000 /dev/zero | tr '\0' a)
check "20 KB header: 431" "[ \$(code -H 'X-Big: $big' $U/metrics) = 431 ]"
many=()
for i in $(seq 1 400); do many+=(-H "X-H$i: $(head -c 60 /dev/zero | tr '\0' b)"); done
check "400 headers (24 KB): 431" "[ \$(code \"\${many[@]}\" $U/metrics) = 431 ]"
check "8 KB header within the limit: 200" "[ \$(code -H 'X-Ok: ${big:0:8000}' $U/metrics) = 200 ]"
check "garbage request line: 400" "[ \"\$(raw $PORT 'FOO BAR BAZ\r\n\r\n')\" = 'HTTP/1.1 400 Bad Request' ]"
check "request line without version: 400" "[ \"\$(raw $PORT 'GET /metrics\r\n\r\n')\" = 'HTTP/1.1 400 Bad Request' ]"
check "malformed header line: 400" \
	"[ \"\$(raw $PORT 'GET /metrics HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n')\" = 'HTTP/1.1 400 Bad Request' ]"
check "HTTP/9.9: 505" \
	"[ \"\$(raw $PORT 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n')\" = 'HTTP/1.1 505 HTTP Version Not Supported' ]"
check "single-token garbage: connection closed, no crash" "[ -z \"\$(raw $PORT 'GARBAGE\r\n\r\n')\" ] && kill -0 $MAIN_PID"
# a client that never finishes its request does not block the others
exec 7<>/dev/tcp/127.0.0.1/"$PORT"
printf 'GET /metr' >&7
check "a stalled client does not block scrapes" "[ \$(code $U/metrics) = 200 ]"
exec 7>&-
cpids=()
for i in $(seq 1 20); do curl -s -o /dev/null --max-time 5 "$U/metrics" & cpids+=($!); done
wait "${cpids[@]}"
check "20 concurrent scrapes, then still serving and alive" "[ \$(code $U/metrics) = 200 ] && kill -0 $MAIN_PID"
curl -s --max-time 5 "$U/metrics" >"$W/metrics2.txt"
check "http_requests_total counts 200, 404, 405" \
	"grep -qE '^tphtrace_http_requests_total\{code=\"200\"\} [0-9]+$' $W/metrics2.txt &&
	 grep -qE '^tphtrace_http_requests_total\{code=\"404\"\} [1-9]' $W/metrics2.txt &&
	 grep -qE '^tphtrace_http_requests_total\{code=\"405\"\} [1-9]' $W/metrics2.txt"
promtool check metrics <"$W/metrics2.txt" >/dev/null 2>&1
check "promtool still accepts it after the abuse" "[ $? -eq 0 ]"

# port already in use
"$T" exporter --web.listen-address=127.0.0.1:"$PORT" >/dev/null 2>"$W/inuse.err"; rc=$?
check "port in use: exit 2 naming the address" "[ $rc -eq 2 ] && grep -q 'cannot listen on 127.0.0.1:$PORT' $W/inuse.err"

# --------------------------------------- --replay: recorded traces, no privileges
cat tests/data/traces/*.jsonl >"$W/all.jsonl"
chmod 0644 "$W/all.jsonl"; chmod 0755 "$W"
REPLAY_PORT=""
if start_exporter replay setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$T" exporter --replay "$W/all.jsonl" --web.listen-address=127.0.0.1:0; then
	REPLAY_PID=$PID REPLAY_PORT=$PORT
	curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$W/replay.txt"
	check "--replay of the crafted traces ($(wc -l <"$W/all.jsonl") records) as uid 65534 without capabilities: serves metrics" \
		"grep -q '^tphtrace_build_info{' $W/replay.txt"
	promtool check metrics <"$W/replay.txt" >"$W/promtool2.out" 2>&1
	check "promtool check metrics accepts the replay's metrics (model gauges included)" "[ $? -eq 0 ]"
	check "replay: no series twice, no pid/inode/mkey labels" \
		"[ -z \"\$(grep -v '^#' $W/replay.txt | awk '{print \$1}' | sort | uniq -d)\" ] &&
		 ! grep -qE '[{,](pid|tgid|ino|inode|mkey|attach)=' $W/replay.txt"
	check "the model's gauges are there (dma-bufs, published tags, MRs, model pools)" \
		"grep -q '^tphtrace_dmabufs{exporter=\"0000:17:00.0\"} [1-9]' $W/replay.txt &&
		 grep -q '^tphtrace_published_tags{exporter=\"0000:17:00.0\",width=\"16\"} [1-9]' $W/replay.txt &&
		 grep -q '^tphtrace_mrs{importer=\"0000:3b:00.0\",' $W/replay.txt &&
		 grep -q '^tphtrace_model_entries{pool=\"dmabufs\"} [1-9]' $W/replay.txt"
	rules=$(awk '!/^#/ && NF == 2 && $2 != "-" {print $2}' tests/data/traces/expected.txt | tr ',' '\n' | sort -u)
	bad=""
	for r in $rules; do grep -qE "^tphtrace_findings\{rule=\"$r\",severity=\"[a-z]+\"\} [1-9]" "$W/replay.txt" || bad="$bad $r"; done
	check "tphtrace_findings: every rule the crafted traces trigger is counted ($(echo $rules | wc -w) rules)" \
		"[ -n \"$rules\" ] && [ -z \"$bad\" ]"
	[ -z "$bad" ] || echo "# no finding for:$bad"
else
	nok "--replay of the crafted traces"
	sed 's/^/# /' "$W/replay.err"
fi

# ----------------------------------------------------- Prometheus, for real
PP=$(free_port)
mkdir -p "$W/prom"
cat >"$W/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $PWD/deploy/tphtrace.rules.yml
scrape_configs:
  - job_name: tphtrace
    scrape_interval: 1s
    static_configs:
      - targets: ['127.0.0.1:$MAIN_PORT']
  - job_name: tphtrace-replay
    scrape_interval: 1s
    static_configs:
      - targets: ['127.0.0.1:${REPLAY_PORT:-1}']
EOF
prometheus --config.file="$W/prom/prometheus.yml" --storage.tsdb.path="$W/prom/data" \
	--web.listen-address=127.0.0.1:"$PP" --log.level=warn >"$W/prom/log" 2>&1 &
PROM_PID=$!
pids+=("$PROM_PID")
q() { # PromQL -> JSON
	curl -s --max-time 5 --data-urlencode "query=$1" "http://127.0.0.1:$PP/api/v1/query"
}
ready=0
for i in $(seq 1 150); do
	if [ "$(q 'tphtrace_build_info == 1' | jq -r '.data.result | length' 2>/dev/null)" = 2 ]; then
		ready=1
		break
	fi
	sleep 0.2
done
check "Prometheus (loopback) scraped the exporter" "[ $ready -eq 1 ]"
[ $ready -eq 1 ] || tail -n 5 "$W/prom/log" | sed 's/^/# /'
q 'tphtrace_build_info{job="tphtrace"} == 1' >"$W/q1.json"
check "query tphtrace_build_info == 1: one series, value 1, version label" \
	"jq -e '.status == \"success\" and (.data.result | length) == 1 and .data.result[0].value[1] == \"1\"
	        and (.data.result[0].metric.version | test(\"^[0-9]+\\\\.[0-9]+\"))
	        and .data.result[0].metric.job == \"tphtrace\"' $W/q1.json >/dev/null"
echo "# prometheus: tphtrace_build_info == 1 -> $(jq -c '.data.result[0] | {metric, value: .value[1]}' "$W/q1.json")"
q 'up{job="tphtrace"}' >"$W/q2.json"
check "query up{job=\"tphtrace\"} == 1" "jq -e '.data.result[0].value[1] == \"1\"' $W/q2.json >/dev/null"
q 'count(tphtrace_hooks_attached{job="tphtrace"})' >"$W/q3.json"
check "query count(tphtrace_hooks_attached) == 13 (one per event)" \
	"jq -e '.data.result[0].value[1] == \"13\"' $W/q3.json >/dev/null"
q 'tphtrace_bpf_stats_enabled{job="tphtrace"}' >"$W/q4.json"
check "query tphtrace_bpf_stats_enabled == 1" "jq -e '.data.result[0].value[1] == \"1\"' $W/q4.json >/dev/null"
echo "# prometheus: up=$(jq -r '.data.result[0].value[1]' "$W/q2.json") hooks=$(jq -r '.data.result[0].value[1]' "$W/q3.json") stats=$(jq -r '.data.result[0].value[1]' "$W/q4.json")"
# the MR registration counter by reason, value by value, against the records
jq -s -c '[.[] | select(.kind == "mr_reg")] | group_by(.reason) |
	map({key: .[0].reason, value: (length | tostring)}) | from_entries' "$W/all.jsonl" >"$W/want.json"
q 'sum by (reason) (tphtrace_mr_registrations_total{job="tphtrace-replay"})' >"$W/q5.json"
jq -c '.data.result | map({key: .metric.reason, value: .value[1]}) | from_entries' "$W/q5.json" >"$W/got.json"
check "Prometheus: MR registrations by reason == the replayed records, value by value ($(jq -r 'length' "$W/want.json") reasons)" \
	"[ -n \"\$(jq -r 'keys[]' $W/want.json)\" ] && jq -e --slurpfile w $W/want.json '. == \$w[0]' $W/got.json >/dev/null"
echo "# prometheus: sum by (reason) (tphtrace_mr_registrations_total) -> $(cat "$W/got.json")"
echo "# records:    mr_reg by reason                                  -> $(cat "$W/want.json")"
want_ok=$(jq -s '[.[] | select(.kind == "tph_publish" and .ret == 0)] | length' "$W/all.jsonl")
want_err=$(jq -s '[.[] | select(.kind == "tph_publish" and .ret != 0)] | length' "$W/all.jsonl")
got_ok=$(q 'sum(tphtrace_tph_publishes_total{job="tphtrace-replay",result="ok"})' | jq -r '.data.result[0].value[1]')
got_err=$(q 'sum(tphtrace_tph_publishes_total{job="tphtrace-replay",result!="ok"})' | jq -r '.data.result[0].value[1]')
check "Prometheus: TPH publishes ok/failed == the replayed records ($want_ok/$want_err)" \
	"[ '$got_ok' = '$want_ok' ] && [ '$got_err' = '$want_err' ]"
curl -s --max-time 5 "http://127.0.0.1:$PP/api/v1/rules" >"$W/rules.json"
check "Prometheus loaded every alert rule, all healthy" \
	"jq -e '[.data.groups[].rules[]] | length == $(grep -c '^      - alert:' deploy/tphtrace.rules.yml) and all(.health == \"ok\")' $W/rules.json >/dev/null"
curl -s --max-time 5 "http://127.0.0.1:$PP/api/v1/targets" >"$W/targets.json"
check "both scrape targets are healthy" \
	"jq -e '[.data.activeTargets[].health] == [\"up\", \"up\"]' $W/targets.json >/dev/null"
kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null
[ -z "$REPLAY_PORT" ] || { stop "$REPLAY_PID"; check "--replay exporter: SIGTERM, exit 0" "[ $RC -eq 0 ]"; }

stop "$MAIN_PID"
check "SIGTERM: exit 0" "[ $RC -eq 0 ]"

# ------------------------------------------------- other flags, other caps
if start_exporter custom "$T" exporter --web.listen-address=127.0.0.1:0 \
	--web.telemetry-path=/tph/metrics --capabilities.keep=reattach --no-bpf-stats; then
	check "--web.telemetry-path: served there, /metrics is 404" \
		"[ \$(code http://127.0.0.1:$PORT/tph/metrics) = 200 ] && [ \$(code http://127.0.0.1:$PORT/metrics) = 404 ] &&
		 curl -s --max-time 5 http://127.0.0.1:$PORT/ | grep -q 'href=\"/tph/metrics\"'"
	# CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39
	check "--capabilities.keep=reattach: exactly CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN in every thread" \
		"caps_eff $PID c000200000"
	check "--no-bpf-stats: no bpf-stats fd, reported as such" \
		"! stats_fd $PID &&
		 curl -s --max-time 5 http://127.0.0.1:$PORT/tph/metrics | grep -q '^tphtrace_bpf_stats_enabled $stats_before$'"
	stop "$PID"
else
	nok "exporter with --web.telemetry-path, reattach, --no-bpf-stats starts"
fi

# the systemd unit's privilege model: unprivileged uid, exactly three ambient
# capabilities, no_new_privs (what DynamicUser + AmbientCapabilities +
# NoNewPrivileges give it)
if start_exporter unit setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all,+bpf,+perfmon,+sys_admin --ambient-caps=-all,+bpf,+perfmon,+sys_admin \
	--bounding-set=-all,+bpf,+perfmon,+sys_admin --no-new-privs \
	"$T" exporter --web.listen-address=127.0.0.1:0; then
	curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$W/unit.txt"
	check "as the unit runs it (uid 65534, ambient caps, no_new_privs): serves, stats on, no caps left" \
		"grep -q '^tphtrace_bpf_stats_enabled 1$' $W/unit.txt && stats_fd $PID && caps_zero $PID &&
		 [ \$(awk '/^Uid:/{print \$2}' /proc/$PID/status) = 65534 ]"
	promtool check metrics <"$W/unit.txt" >/dev/null 2>&1
	check "promtool accepts what the unprivileged exporter serves" "[ $? -eq 0 ]"
	stop "$PID"
else
	nok "exporter starts under the unit's privilege model"
	sed 's/^/# /' "$W/unit.err"
fi

# ------------------------------------------------------------- deploy files
out=$(promtool check rules deploy/*rules*.yml 2>&1); rc=$?
check "promtool check rules deploy/*rules*.yml" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || echo "$out" | sed 's/^/# /'
out=$(promtool check config deploy/prometheus-scrape.yml 2>&1); rc=$?
check "promtool check config on the scrape example, as shipped" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || echo "$out" | sed 's/^/# /'
out=$(promtool test rules tests/exporter/st-alert.test.yml 2>&1); rc=$?
check "promtool test rules: the ST-table alert fires before the first overflow" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || echo "$out" | sed 's/^/# /'
check "the dashboard's ST-table panel: ratio in percent, operations in ops/s" \
	"jq -e '.panels[] | select(.title == \"ST table use per NIC\") | .fieldConfig.defaults.unit == \"percentunit\" and (.fieldConfig.overrides | map(select(.matcher.options == \"B\")) | .[0].properties | map(select(.id == \"unit\")) | .[0].value == \"ops\")' deploy/grafana-dashboard.json >/dev/null"
sed "s|@SBINDIR@|$(dirname "$T")|; /^Documentation=/d" deploy/tphtrace-exporter.service.in \
	>"$W/tphtrace-exporter.service"
out=$(systemd-analyze verify "$W/tphtrace-exporter.service" 2>&1); rc=$?
check "systemd-analyze verify on the unit" "[ $rc -eq 0 ] && [ -z \"\$out\" ]"
[ $rc -eq 0 ] || echo "$out" | sed 's/^/# /'

documented() { # metric name: exposed in a scrape or listed in docs/exporter.md
	grep -q "^# HELP $1 " "$W/metrics.txt" || grep -q "^| \`$1\` |" docs/exporter.md
}
jq empty deploy/grafana-dashboard.json 2>/dev/null
check "the Grafana dashboard is valid JSON" "[ $? -eq 0 ]"
names=$(jq -r '[.. | objects | (.expr?, .definition?) | strings] | .[]' deploy/grafana-dashboard.json |
	grep -oE 'tphtrace_[a-z0-9_]+' | sort -u)
bad=""
for m in $names; do documented "$m" || bad="$bad $m"; done
check "every metric in the dashboard's queries is exposed or documented ($(echo $names | wc -w) names)" \
	"[ -n \"$names\" ] && [ -z \"$bad\" ]"
[ -z "$bad" ] || echo "# undocumented:$bad"
check "the dashboard has the required panels" \
	"jq -e '[.panels[].title] as \$t | [\"Published tags per dma-buf exporter\", \"MR registrations by reason\",
	 \"ST table use per NIC\", \"Findings by rule\", \"BPF overhead (share of one CPU)\"] | all(. as \$x | \$t | index(\$x))' \
	 deploy/grafana-dashboard.json >/dev/null"
rnames=$(grep -oE 'tphtrace_[a-z0-9_]+' deploy/tphtrace.rules.yml | sort -u)
bad=""
for m in $rnames; do documented "$m" || bad="$bad $m"; done
check "every metric in the alert rules is exposed or documented" "[ -z \"$bad\" ]"
[ -z "$bad" ] || echo "# undocumented:$bad"
exposed=$(grep '^# HELP ' "$W/metrics.txt" | awk '{print $3}')
bad=""
for m in $exposed; do grep -q "^| \`$m\` |" docs/exporter.md || bad="$bad $m"; done
check "every exposed family is documented in docs/exporter.md" "[ -z \"$bad\" ]"
[ -z "$bad" ] || echo "# not in docs/exporter.md:$bad"

# the man page covers every command
cmds=$("$T" --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}')
bad=""
for c in $cmds; do grep -q "^\.SS $c\$" docs/tphtrace.8 || bad="$bad $c"; done
check "tphtrace(8) has a section for every command" "[ -z \"$bad\" ]"
[ -z "$bad" ] || echo "# missing in docs/tphtrace.8:$bad"
MANWIDTH=200 man -l docs/tphtrace.8 2>/dev/null >"$W/man.txt"
bad=""
for c in $cmds; do
	for o in $("$T" "$c" --help 2>/dev/null | awk '/^ +-/ { for (i = 1; i <= NF; i++) {
		w = $i; sub(/,$/, "", w); if (w == "-?") continue
		if (w !~ /^--?[[:alnum:]]/) break
		sub(/=.*/, "", w); if (w ~ /^--/) print w } }'); do
		case $o in --help|--usage) continue ;; esac
		grep -q -- "$o" "$W/man.txt" || bad="$bad $c:$o"
	done
done
check "tphtrace(8) names every long option of every command's --help" "[ -z \"$bad\" ]"
[ -z "$bad" ] || echo "# missing in docs/tphtrace.8:$bad"
check "tphtrace(8) has an OVERHEAD section and renders without warnings" \
	"grep -q '^\.SH OVERHEAD' docs/tphtrace.8 &&
	 [ -z \"\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/tphtrace.8 2>&1 >/dev/null)\" ]"
bash -c "source contrib/bash-completion/tphtrace; PATH=$(dirname "$T"):\$PATH
	COMP_WORDS=(tphtrace exp); COMP_CWORD=1; _tphtrace; echo \"\${COMPREPLY[*]}\"
	COMP_WORDS=(tphtrace exporter --web.); COMP_CWORD=2; _tphtrace; echo \"\${COMPREPLY[*]}\"" >"$W/comp" 2>&1
check "bash completion: commands and exporter options" \
	"[ \"\$(sed -n 1p $W/comp)\" = exporter ] &&
	 [ \"\$(sed -n 2p $W/comp)\" = '--web.config.file= --web.keepalive-timeout= --web.listen-address= --web.max-connections-per-ip= --web.max-connections= --web.max-request-bytes= --web.request-timeout= --web.telemetry-path=' ]"

# ---------------------------------------------------- make install/uninstall
D=$W/destdir
make -s install DESTDIR="$D" >"$W/install.log" 2>&1; rc=$?
files="usr/local/sbin/tphtrace usr/local/share/man/man8/tphtrace.8
	usr/local/share/bash-completion/completions/tphtrace
	usr/local/lib/systemd/system/tphtrace-exporter.service
	usr/local/share/tphtrace/tphtrace.rules.yml usr/local/share/tphtrace/prometheus-scrape.yml
	usr/local/share/tphtrace/grafana-dashboard.json usr/local/share/doc/tphtrace/exporter.md
	$(for d in $(grep -ohE 'docs/[A-Za-z_.-]+\.md' src/*.c docs/tphtrace.8 | sort -u); do
		echo "usr/local/share/doc/tphtrace/${d#docs/}"; done)
	usr/local/share/doc/tphtrace/LICENSE
	$(for l in LICENSES/*; do echo "usr/local/share/doc/tphtrace/$l"; done)"
missing=""
for f in $files; do [ -f "$D/$f" ] || missing="$missing $f"; done
check "make install DESTDIR=…: every listed file, every document --help and tphtrace(8) name" \
	"[ $rc -eq 0 ] && [ -z \"$missing\" ]"
[ -z "$missing" ] || echo "# missing:$missing"
v=$("$D/usr/local/sbin/tphtrace" version 2>&1); rc=$?
check "installed binary is executable and runs (version: exit 0)" \
	"[ -x $D/usr/local/sbin/tphtrace ] && [ $rc -eq 0 ] && [[ \$v == 'tphtrace '* ]]"
check "installed unit runs the installed binary" \
	"grep -q '^ExecStart=/usr/local/sbin/tphtrace exporter ' $D/usr/local/lib/systemd/system/tphtrace-exporter.service &&
	 ! grep -q '@SBINDIR@' $D/usr/local/lib/systemd/system/tphtrace-exporter.service"
check "installed scrape example finds the installed rules (promtool check config)" \
	"promtool check config $D/usr/local/share/tphtrace/prometheus-scrape.yml >/dev/null 2>&1"
check "installed man page is tphtrace(8)" "MANPATH=$D/usr/local/share/man man -w tphtrace 2>/dev/null | grep -q 'man8/tphtrace.8'"
make -s uninstall DESTDIR="$D" >>"$W/install.log" 2>&1; rc=$?
left=$(find "$D" -type f | sed "s|^$D/||")
check "make uninstall removes them all" "[ $rc -eq 0 ] && [ -z \"$left\" ]"
[ -z "$left" ] || echo "# left:" $left
make -s install DESTDIR="$D" PREFIX=/usr >>"$W/install.log" 2>&1
check "PREFIX=/usr: /usr/sbin, /usr/lib/systemd/system, unit runs /usr/sbin/tphtrace" \
	"[ -x $D/usr/sbin/tphtrace ] && [ -f $D/usr/share/man/man8/tphtrace.8 ] &&
	 grep -q '^ExecStart=/usr/sbin/tphtrace ' $D/usr/lib/systemd/system/tphtrace-exporter.service"
make -s uninstall DESTDIR="$D" PREFIX=/usr >>"$W/install.log" 2>&1
check "PREFIX=/usr uninstall leaves nothing" "[ -z \"\$(find $D -type f)\" ]"

finish
