#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make stress: the exporter under abuse on loopback (tests/stress/exporter_stress.py,
# profile full: 1000 idle keep-alive connections, 10 000 malformed requests,
# 500 slowloris connections for 60 s, each from 127.0.0.2 and from 250
# addresses), with default limits, serving a replayed trace (no root needed).
# Then SIGTERM with connections open: it must exit 0 at once.
# STRESS_PROFILE=short runs the reduced counts (what make check runs).
set -u
cd "$(dirname "$0")/../.."
T=$(realpath "${TPHTRACE:-.output/tphtrace}")
PROFILE=${STRESS_PROFILE:-full}
W=$(mktemp -d /tmp/tphtrace-stress.XXXXXX)
trap 'kill "$PID" 2>/dev/null; rm -rf "$W"' EXIT

cat tests/data/traces/*.jsonl >"$W/all.jsonl"
"$T" exporter --replay "$W/all.jsonl" --web.listen-address=127.0.0.1:0 "$@" \
	>"$W/out" 2>"$W/err" &
PID=$!
PORT=""
for i in $(seq 1 100); do
	PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$W/err")
	[ -n "$PORT" ] && break
	sleep 0.1
done
if [ -z "$PORT" ]; then
	echo "not ok 1 - the exporter starts"
	sed 's/^/# /' "$W/err"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "# exporter pid $PID on 127.0.0.1:$PORT, profile $PROFILE, $(nproc) CPUs"
python3 tests/stress/exporter_stress.py --port "$PORT" --pid "$PID" --profile "$PROFILE" |
	tee "$W/tap"
rc=${PIPESTATUS[0]}
p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$W/tap")
f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$W/tap")
n=$((p + f))
p=${p:-0} f=${f:-1}

# SIGTERM while 100 idle connections are open: the exporter used to take
# 8-9 s (libmicrohttpd waited for them); now it closes them and exits 0
python3 - "$PORT" <<'EOF' &
import socket, sys, time
s = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(100)]
time.sleep(30)
EOF
HOLD=$!
sleep 1
t0=$(date +%s%N)
kill -TERM "$PID"
wait "$PID"
rc_term=$?
t1=$(date +%s%N)
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
ms=$(((t1 - t0) / 1000000))
n=$((n + 1))
if [ "$rc_term" -eq 0 ] && [ "$ms" -lt 20000 ]; then
	p=$((p + 1))
	echo "ok $n - SIGTERM with 100 connections open: exit 0"
else
	f=$((f + 1))
	echo "not ok $n - SIGTERM with 100 connections open: exit 0 (exit $rc_term after $ms ms)"
fi
echo "# SIGTERM to exit with 100 connections open: $ms ms"
echo "$p passed, $f failed, 0 skipped"
[ "$rc" -eq 0 ] && [ "$f" -eq 0 ]
