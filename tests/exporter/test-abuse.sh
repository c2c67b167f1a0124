#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The exporter under abuse, short form (make check; the full form is
# make stress): the HTTP findings of issue 12, each with its request —
# 240 query parameters, malformed Content-Length answered once, /metrics%00,
# 431 only above the documented limit, keep-alive, per-address limit,
# deadline for a trickling client — then tests/stress/exporter_stress.py
# --profile short: 200 idle connections held open, 1000 malformed requests,
# 500 slowloris connections (8 s), from 127.0.0.2 and from 250 addresses, while a
# scraper on 127.0.0.1 must get every answer (latencies printed, not judged).
# Runs unprivileged (--replay).
set -u
cd "$(dirname "$0")/../.."
T=$(realpath "${TPHTRACE:-.output/tphtrace}")
W=$(mktemp -d /tmp/tphtrace-abuse.XXXXXX)
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
pids=()
# shellcheck source=tests/lib/exporter.sh
. tests/lib/exporter.sh
trap exporter_cleanup EXIT

start() { # NAME ARGS...: PID, PORT
	local name=$1
	shift
	exporter_start "$name" "$T" exporter --replay tests/data/traces/width-mismatch.jsonl \
		--web.listen-address=127.0.0.1:0 "$@"
}

# raw PORT PY-BYTES-EXPR [SRC]: send the bytes, print the whole answer (latin-1)
raw() {
	python3 - "$@" <<'EOF'
import socket, sys
port, expr = int(sys.argv[1]), sys.argv[2]
src = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
s = socket.socket(); s.bind((src, 0)); s.connect(("127.0.0.1", port)); s.settimeout(10)
s.sendall(eval(expr))
out = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
except Exception:
    pass
sys.stdout.write(out.decode("latin-1"))
EOF
}
status_lines() { grep -c '^HTTP/1\.[01] [0-9][0-9][0-9]' "$1"; }

start main || { nok "exporter starts"; sed 's/^/# /' "$W/main.err"; echo "$pass passed, $fail failed, 0 skipped"; exit 1; }
P=$PORT

raw $P 'b"GET /metrics?" + b"&".join(b"a%d=1" % i for i in range(240)) + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"' >"$W/a"
check "240 query parameters (1.9 KB): 200 (no answer at all before)" "head -n1 $W/a | grep -q '^HTTP/1.1 200'"
for cl in -1 1e3 99999999999999999999999 '' '5, 6'; do
	raw $P "b\"GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: $cl\\r\\n\\r\\n\"" >"$W/cl"
	check "Content-Length '$cl': one status line, 400" \
		"[ \$(status_lines $W/cl) -eq 1 ] && head -n1 $W/cl | grep -q '^HTTP/1.1 400'"
done
raw $P 'b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"' >"$W/cl"
check "Content-Length above --web.max-request-bytes: one status line, 413" \
	"[ \$(status_lines $W/cl) -eq 1 ] && head -n1 $W/cl | grep -q '^HTTP/1.1 413'"
raw $P 'b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"' >"$W/te"
check "Content-Length with Transfer-Encoding: 400" "head -n1 $W/te | grep -q '^HTTP/1.1 400'"
raw $P 'b"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"' >"$W/te"
check "Transfer-Encoding other than chunked: 501" "head -n1 $W/te | grep -q '^HTTP/1.1 501'"
raw $P 'b"GET /metrics%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"' >"$W/nul"
check "/metrics%00: 404, not the metrics" "head -n1 $W/nul | grep -q '^HTTP/1.1 404'"
# the documented limit: request line + headers of 16384 bytes pass, 16385 do not
req() { # a request head of exactly $1 bytes
	echo "(lambda h: h + b'X: ' + b'a' * ($1 - len(h) - 7) + b'\\r\\n\\r\\n')(b'GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n')"
}
raw $P "$(req 16384)" >"$W/l1"
raw $P "$(req 16385)" >"$W/l2"
check "request head of exactly 16384 bytes: 200; 16385: 431" \
	"head -n1 $W/l1 | grep -q '^HTTP/1.1 200' && head -n1 $W/l2 | grep -q '^HTTP/1.1 431'"
raw $P "b\"GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\" + b\"\".join(b\"X-%d: 1\\r\\n\" % i for i in range(400)) + b\"\\r\\n\"" >"$W/h400"
check "400 header lines within 16 KiB: 200" "head -n1 $W/h400 | grep -q '^HTTP/1.1 200'"
raw $P "b\"GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\" + b\"\".join(b\"X%d:\\r\\n\" % i for i in range(2000)) + b\"\\r\\n\"" >"$W/h2000"
check "2000 header lines (more than the pool holds): one status line, 431" \
	"[ \$(status_lines $W/h2000) -eq 1 ] && head -n1 $W/h2000 | grep -q '^HTTP/1.1 431'"
# keep-alive: two requests, one connection, no Connection: close on the first
raw $P 'b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"' >"$W/ka"
check "keep-alive: two requests answered on one connection, the first without Connection: close" \
	"[ \$(grep -c '^HTTP/1.1 200' $W/ka) -eq 2 ] && [ \$(grep -ci '^Connection: close' $W/ka) -eq 1 ]"
curl -sv -o /dev/null -o /dev/null "http://127.0.0.1:$P/metrics" "http://127.0.0.1:$P/" 2>"$W/curl"
check "keep-alive: curl re-uses the connection for its second request" \
	"grep -q 'Re-using existing connection' $W/curl"
start noka --web.keepalive-timeout=0 || nok "exporter starts with keep-alive off"
raw $PORT 'b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"' >"$W/noka"
check "--web.keepalive-timeout=0: Connection: close, one answer per connection" \
	"[ \$(status_lines $W/noka) -eq 1 ] && grep -qi '^Connection: close' $W/noka"

# keep-alive lasts --web.keepalive-timeout, past --web.request-timeout
start kat --web.request-timeout=2s --web.keepalive-timeout=8s || nok "exporter starts with keep-alive 8 s"
python3 - "$PORT" >"$W/kat" <<'EOF'
import socket, sys, time
def ask(s):
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    d = b""
    while b"</html>" not in d:
        x = s.recv(65536)
        if not x:
            return "closed"
        d += x
    return d.split(b"\r\n")[0].decode()
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(10)
first = ask(s)
time.sleep(4)             # past the 2 s request deadline, within the 8 s keep-alive
second = ask(s)
time.sleep(12)            # past the keep-alive deadline
s.settimeout(2)
try:
    third = "closed" if s.recv(1) == b"" else "open"
except socket.timeout:
    third = "open"
except OSError:
    third = "closed"
print(first, "|", second, "|", third)
EOF
check "keep-alive 8 s: a second request 4 s later is answered on the same connection; 12 s later it is closed" \
	"[ \"\$(cat $W/kat)\" = 'HTTP/1.1 200 OK | HTTP/1.1 200 OK | closed' ]"

# per-address limit and deadline, on an exporter with small limits
start small --web.max-connections-per-ip=4 --web.request-timeout=2s || nok "exporter starts with small limits"
python3 - "$PORT" >"$W/perip" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(8):
    s = socket.socket(); s.bind(("127.0.0.2", 0)); s.connect(("127.0.0.1", port))
    socks.append(s)
time.sleep(0.5)
closed = 0
for s in socks:
    try:
        closed += s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b""
    except BlockingIOError:
        pass	# open, nothing to read: accepted
    except OSError:
        closed += 1
print(closed)
EOF
check "--web.max-connections-per-ip=4: 8 connections from 127.0.0.2, 4 closed at once" "[ \$(cat $W/perip) -eq 4 ]"
python3 - "$PORT" >"$W/trickle" <<'EOF'
import socket, sys, time
# one byte every 0.5 s for up to 30 s: an inactivity timeout would never fire
s = socket.socket(); s.bind(("127.0.0.2", 0)); s.connect(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.5)
t0 = time.monotonic()
req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 1000
for b in req:
    if time.monotonic() - t0 > 30:
        break
    try:
        s.send(bytes([b]))
        if s.recv(1) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
print("%.1f" % (time.monotonic() - t0))
EOF
secs=$(cat "$W/trickle")
check "--web.request-timeout=2s: a client trickling a byte every 0.5 s is closed (before 30 s)" \
	"awk 'BEGIN{exit !($secs < 29)}'"
echo "# trickling client closed after $secs s (deadline 2 s)"
check "while 4 idle connections from 127.0.0.2 fill its share, 127.0.0.1 is served" \
	"[ \$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://127.0.0.1:$PORT/metrics) = 200 ]"

# ---- the short stress run (figures printed, answers asserted)
STRESS_PROFILE=short bash tests/stress/stress-exporter.sh >"$W/stress" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "stress: ${line#ok [0-9]* - }" ;;
	"not ok "*) nok "stress: ${line#not ok [0-9]* - }" ;;
	"# "*) echo "$line" ;;
	esac
done <"$W/stress"
[ $rc -eq 0 ] || { [ "$fail" -gt 0 ] || nok "stress run exit status $rc"; tail -n 5 "$W/stress" | sed 's/^/# /'; }

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
