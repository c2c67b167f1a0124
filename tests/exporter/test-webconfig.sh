#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tphtrace exporter --web.config.file (the Prometheus exporter-toolkit format),
# with curl on loopback: basic auth (401 without or with wrong credentials,
# 200 with the right ones, $2b$ and $2y$ bcrypt), over HTTPS with a CA and
# certificates made here with openssl, client certificates for each
# client_auth_type, client_allowed_sans, min/max_version, cipher_suites,
# headers, rate_limit; a flood of wrong passwords does not hold out a
# scraper; and every malformed configuration is refused with exit 2 naming
# FILE:LINE and the key. Runs unprivileged (--replay): no root needed.
# Prints "ok N - ..." / "not ok N - ..." and "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../.."
T=$(realpath "${TPHTRACE:-.output/tphtrace}")
W=$(mktemp -d /tmp/tphtrace-webconfig.XXXXXX)
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
pids=()
# shellcheck source=tests/lib/exporter.sh
. tests/lib/exporter.sh
trap exporter_cleanup EXIT

. tests/lib/suite.sh
need_cmd openssl "scripts/deps.sh"
need_cmd curl "scripts/deps.sh"
TRACE=tests/data/traces/width-mismatch.jsonl

# start NAME CONFIG [ARGS...]: the exporter on a free loopback port; PID, PORT
start() {
	local name=$1 cfg=$2
	shift 2
	exporter_start "$name" "$T" exporter --replay "$TRACE" --web.listen-address=127.0.0.1:0 \
		--web.config.file="$cfg" "$@"
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }

# ------------------------------------------------ certificates (openssl, here)
cd "$W"
sslq() { openssl "$@" >/dev/null 2>&1; }
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
sslq req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj "/CN=tphtrace test CA"
signed() { # NAME EXTFILE-LINES...: a key and a certificate signed by ca
	local name=$1
	shift
	printf '%s\n' "$@" >"$name.ext"
	sslq req $ec -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" &&
	sslq x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-out "$name.crt" -days 2 -extfile "$name.ext"
}
signed server "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth"
signed scraper "subjectAltName=DNS:scraper.example" "extendedKeyUsage=clientAuth"
signed intruder "subjectAltName=DNS:intruder.example" "extendedKeyUsage=clientAuth"
sslq req -x509 $ec -keyout rogue.key -out rogue.crt -days 2 -subj "/CN=rogue" \
	-addext "subjectAltName=DNS:scraper.example"
sslq req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=IP:127.0.0.1"
cd - >/dev/null
check "openssl made a CA, a server, client and rogue certificates" \
	"[ -s $W/ca.crt ] && [ -s $W/server.crt ] && [ -s $W/scraper.crt ] && [ -s $W/rogue.crt ] && [ -s $W/rsa.crt ]"

# bcrypt hashes made with Python's crypt(3) for these passwords (not by tphtrace)
ALICE='$2b$10$3z7gmUG33ZkKH4JS7n/KD.8Ngt5DHCoOc23pD.mRDmEHXyvu1uCc6'	# s3cret
BOB='$2y$04$mz.OQ0nD36CSq2UHVowon.yawCDjqn1.9IfjqPOxP7gEtaoGPA/f.'	# other-pass

# --------------------------------------------------- basic auth, plain HTTP
cat >"$W/auth.yml" <<EOF
basic_auth_users:
  alice: $ALICE
  bob: "$BOB"
http_server_config:
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
EOF
if start auth "$W/auth.yml"; then
	U=http://127.0.0.1:$PORT/metrics
	check "basic auth: no credentials -> 401 with WWW-Authenticate: Basic" \
		"curl -s -D $W/h401 -o /dev/null --max-time 10 $U && grep -q '^HTTP/1.1 401' $W/h401 &&
		 grep -qi '^WWW-Authenticate: Basic' $W/h401"
	check "basic auth: wrong password -> 401" "[ \$(code -u alice:wrong $U) = 401 ]"
	check "basic auth: unknown user -> 401" "[ \$(code -u mallory:s3cret $U) = 401 ]"
	check "basic auth: right password (\$2b\$, cost 10) -> 200" "[ \$(code -u alice:s3cret $U) = 200 ]"
	check "basic auth: \$2y\$ hash (htpasswd's) -> 200" "[ \$(code -u bob:other-pass $U) = 200 ]"
	check "basic auth: the landing page and 404s need it too" \
		"[ \$(code http://127.0.0.1:$PORT/) = 401 ] && [ \$(code -u alice:s3cret http://127.0.0.1:$PORT/) = 200 ] &&
		 [ \$(code -u alice:s3cret http://127.0.0.1:$PORT/nope) = 404 ]"
	curl -s -D "$W/h200" -o "$W/m.txt" --max-time 10 -u alice:s3cret "$U"
	check "headers from http_server_config on 200 and on 401" \
		"grep -qi '^X-Frame-Options: deny' $W/h200 && grep -qi '^X-Content-Type-Options: nosniff' $W/h200 &&
		 grep -qi '^X-Frame-Options: deny' $W/h401"
	check "the authorized scrape is the exposition" "grep -q '^tphtrace_build_info{' $W/m.txt"
	# a flood of wrong passwords (each a bcrypt check of cost 10) from
	# 127.0.0.2 does not hold out a scraper whose credentials are known
	fl=()
	for i in $(seq 1 40); do
		curl -s -o /dev/null --max-time 30 --interface 127.0.0.2 -u "alice:wrong$i" "$U" & fl+=($!)
	done
	sleep 0.2
	t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 30 -u alice:s3cret "$U")
	wait "${fl[@]}"
	check "40 wrong passwords at once: the scraper is still answered (200)" "[ '${t% *}' = 200 ]"
	echo "# scrape during the flood of wrong passwords: ${t#* } s"
	stop "$PID"
else
	nok "exporter starts with basic_auth_users"
	sed 's/^/# /' "$W/auth.err"
fi

# ----------------------------------------------------- HTTPS + basic auth
cat >"$W/tls.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  alice: $ALICE
EOF
if start tls "$W/tls.yml"; then
	U=https://127.0.0.1:$PORT/metrics
	C="--cacert $W/ca.crt"
	check "HTTPS: server certificate verified by curl against the test CA, 401 without credentials" \
		"[ \$(code $C $U) = 401 ]"
	check "HTTPS: wrong password -> 401" "[ \$(code $C -u alice:nope $U) = 401 ]"
	check "HTTPS: right password -> 200" "[ \$(code $C -u alice:s3cret $U) = 200 ]"
	check "HTTPS by name (localhost SAN) -> 200" \
		"[ \$(code $C -u alice:s3cret https://localhost:$PORT/metrics) = 200 ]"
	check "plain HTTP to the TLS port gets no answer" \
		"[ \$(code -u alice:s3cret http://127.0.0.1:$PORT/metrics) = 000 ]"
	check "the listening line says TLS and basic auth" "grep -q '(metrics at /metrics, TLS, basic auth)' $W/tls.err"
	stop "$PID"
else
	nok "exporter starts with TLS"
	sed 's/^/# /' "$W/tls.err"
fi

# a full table of stalled TLS handshakes (from 4 addresses) does not keep a
# scraper out until their deadline (60 s here): the oldest without a request
# is evicted
if start tlsfull "$W/tls.yml" --web.max-connections=4 --web.request-timeout=60s; then
	(trap - EXIT; exec python3 -c '
import socket, sys, time
s = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), source_address=("127.0.0.%d" % (2 + i), 0))
     for i in range(4)]
open(sys.argv[2], "w").write("held\n")
time.sleep(60)' "$PORT" "$W/held") &
	holder=$!
	pids+=("$holder")
	for i in $(seq 1 100); do [ -s "$W/held" ] && break; sleep 0.1; done
	t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 30 --cacert "$W/ca.crt" \
		-u alice:s3cret "https://127.0.0.1:$PORT/metrics")
	check "4 of 4 connections stalled in the TLS handshake: a scrape is answered (200) before their 60 s deadline" \
		"[ '${t% *}' = 200 ]"
	echo "# scrape with the table full of stalled handshakes: ${t#* } s"
	kill "$holder" 2>/dev/null
	stop "$PID"
else
	nok "exporter starts with TLS and 4 connections"
fi

# ------------------------------------------- client certificates and SANs
cat >"$W/mtls.yml" <<EOF
tls_server_config:
  cert_file: $W/server.crt
  key_file: $W/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  client_allowed_sans:
    - scraper.example
EOF
if start mtls "$W/mtls.yml"; then
	U=https://127.0.0.1:$PORT/metrics
	C="--cacert $W/ca.crt"
	check "RequireAndVerifyClientCert: no client certificate -> refused" "[ \$(code $C $U) = 000 ]"
	check "RequireAndVerifyClientCert: CA-signed, allowed SAN -> 200" \
		"[ \$(code $C --cert $W/scraper.crt --key $W/scraper.key $U) = 200 ]"
	check "client_allowed_sans: CA-signed with another SAN -> refused" \
		"[ \$(code $C --cert $W/intruder.crt --key $W/intruder.key $U) = 000 ]"
	check "RequireAndVerifyClientCert: self-signed with the allowed SAN -> refused" \
		"[ \$(code $C --cert $W/rogue.crt --key $W/rogue.key $U) = 000 ]"
	stop "$PID"
else
	nok "exporter starts with client certificates"
	sed 's/^/# /' "$W/mtls.err"
fi
cat >"$W/any.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAnyClientCert
EOF
if start any "$W/any.yml"; then
	U=https://127.0.0.1:$PORT/metrics
	check "RequireAnyClientCert: none -> refused, a self-signed one -> 200" \
		"[ \$(code --cacert $W/ca.crt $U) = 000 ] &&
		 [ \$(code --cacert $W/ca.crt --cert $W/rogue.crt --key $W/rogue.key $U) = 200 ]"
	stop "$PID"
else
	nok "exporter starts with RequireAnyClientCert"
fi
cat >"$W/ifgiven.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: ca.crt
EOF
if start ifgiven "$W/ifgiven.yml"; then
	U=https://127.0.0.1:$PORT/metrics
	check "VerifyClientCertIfGiven: none -> 200, CA-signed -> 200, self-signed -> refused" \
		"[ \$(code --cacert $W/ca.crt $U) = 200 ] &&
		 [ \$(code --cacert $W/ca.crt --cert $W/scraper.crt --key $W/scraper.key $U) = 200 ] &&
		 [ \$(code --cacert $W/ca.crt --cert $W/rogue.crt --key $W/rogue.key $U) = 000 ]"
	stop "$PID"
else
	nok "exporter starts with VerifyClientCertIfGiven"
fi

# ----------------------------------------- versions, cipher suites, curves
cat >"$W/v13.yml" <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  min_version: TLS13
EOF
if start v13 "$W/v13.yml"; then
	U=https://127.0.0.1:$PORT/metrics
	check "min_version TLS13: a TLS 1.2 client is refused, TLS 1.3 -> 200" \
		"[ \$(code --cacert $W/ca.crt --tls-max 1.2 $U) = 000 ] && [ \$(code --cacert $W/ca.crt --tlsv1.3 $U) = 200 ]"
	stop "$PID"
else
	nok "exporter starts with min_version TLS13"
fi
# RSA server key; two suites whose GnuTLS product would also allow
# ECDHE-RSA-AES256-GCM-SHA384: that one must still be refused
cat >"$W/ciph.yml" <<EOF
tls_server_config:
  cert_file: rsa.crt
  key_file: rsa.key
  max_version: TLS12
  cipher_suites:
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
EOF
if start ciph "$W/ciph.yml"; then
	U=https://127.0.0.1:$PORT/metrics
	C="--cacert $W/rsa.crt --tls-max 1.2"
	check "cipher_suites: a listed suite -> 200" "[ \$(code $C --ciphers ECDHE-RSA-AES128-GCM-SHA256 $U) = 200 ]"
	check "cipher_suites: an unlisted suite (in GnuTLS's product of the lists) -> no answer" \
		"[ \$(code $C --ciphers ECDHE-RSA-AES256-GCM-SHA384 $U) = 000 ]"
	check "cipher_suites: an unlisted key exchange -> refused" \
		"[ \$(code $C --ciphers AES128-GCM-SHA256 $U) = 000 ]"
	check "curve_preferences [X25519, CurveP256]: a P-384-only client is refused, X25519 -> 200" \
		"[ \$(code $C --curves P-384 --ciphers ECDHE-RSA-AES128-GCM-SHA256 $U) = 000 ] &&
		 [ \$(code $C --curves X25519 --ciphers ECDHE-RSA-AES128-GCM-SHA256 $U) = 200 ]"
	stop "$PID"
else
	nok "exporter starts with cipher_suites and curve_preferences"
	sed 's/^/# /' "$W/ciph.err"
fi

# -------------------------------------------------------------- rate_limit
cat >"$W/rate.yml" <<EOF
rate_limit:
  interval: 1h
  burst: 2
EOF
if start rate "$W/rate.yml"; then
	U=http://127.0.0.1:$PORT/metrics
	check "rate_limit burst 2 per hour: 200, 200, then 429 with Retry-After" \
		"[ \$(code $U) = 200 ] && [ \$(code $U) = 200 ] && curl -s -D $W/h429 -o /dev/null $U &&
		 grep -q '^HTTP/1.1 429' $W/h429 && grep -qi '^Retry-After:' $W/h429"
	stop "$PID"
else
	nok "exporter starts with rate_limit"
fi

# http2: true is accepted with a notice (HTTP/2 is a negotiation offer;
# clients fall back to HTTP/1.1 over ALPN)
printf 'http_server_config:\n  http2: true\n' >"$W/h2.yml"
if start h2 "$W/h2.yml"; then
	check "http2: true: starts, says HTTP/2 is not offered, serves HTTP/1.1" \
		"grep -q 'http_server_config.http2: HTTP/2 is not offered' $W/h2.err && [ \$(code http://127.0.0.1:$PORT/metrics) = 200 ]"
	stop "$PID"
else
	nok "http2: true starts"
fi

# ------------------------------------------------------ refused configurations
# each: a file, then the exact "FILE:LINE: key: why" (or part of it)
refused() { # NAME EXPECTED-MESSAGE-PART: FILE is $W/NAME.yml (already written)
	local f=$W/$1.yml
	"$T" exporter --replay "$TRACE" --web.listen-address=127.0.0.1:0 --web.config.file="$f" \
		>"$W/r.out" 2>"$W/r.err" &
	local p=$! i
	for i in $(seq 1 50); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
	if kill -0 $p 2>/dev/null; then
		kill $p; wait $p
		nok "$1: refused (it started)"
		return
	fi
	wait $p
	local rc=$?
	WANT=$2
	check "$1: exit 2, '$2'" "[ $rc -eq 2 ] && grep -qF -- \"\$WANT\" $W/r.err"
	[ $rc -eq 2 ] && grep -qF -- "$2" "$W/r.err" || sed 's/^/# /' "$W/r.err"
}
printf 'tls_server_config:\n  cert_filse: "server.crt"\n' >"$W/junkkey.yml"
refused junkkey "junkkey.yml:2: tls_server_config: unknown key 'cert_filse'"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS111\n' >"$W/badver.yml"
refused badver "badver.yml:4: tls_server_config.min_version: unknown TLS version 'TLS111'"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n    - TLS_RSA_WITH_RC4_128_SHA\n' >"$W/badciph.yml"
refused badciph "badciph.yml:5: tls_server_config.cipher_suites: unknown cipher 'TLS_RSA_WITH_RC4_128_SHA'"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  curve_preferences: [CurveP224]\n' >"$W/badcurve.yml"
refused badcurve "badcurve.yml:4: tls_server_config.curve_preferences: unknown curve 'CurveP224'"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Maybe\n' >"$W/badauth.yml"
refused badauth "badauth.yml:4: tls_server_config.client_auth_type: invalid ClientAuth 'Maybe'"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n' >"$W/canoauth.yml"
refused canoauth "canoauth.yml:4: tls_server_config: client CA's have been configured without a Client Auth Policy"
printf 'tls_server_config:\n  cert_file: server.crt\n' >"$W/nokey.yml"
refused nokey "nokey.yml:2: tls_server_config: missing one of key or key_file"
printf 'tls_server_config:\n  cert_file: nothere.crt\n  key_file: server.key\n' >"$W/nofile.yml"
refused nofile "nofile.yml:2: cert_file: $W/nothere.crt: No such file or directory"
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: scraper.key\n' >"$W/mismatch.yml"
refused mismatch "mismatch.yml:2: tls_server_config: cert/cert_file and key/key_file:"
printf 'tls_server_config:\n  cert_file: server.crt\n  cert: "x"\n  key_file: server.key\n' >"$W/both.yml"
refused both "both.yml:3: tls_server_config: both cert_file and cert are given"
printf 'http_server_config:\n  headers:\n    X-Powered-By: tphtrace\n' >"$W/badhdr.yml"
refused badhdr 'badhdr.yml:3: http_server_config.headers: HTTP header "X-Powered-By" can not be configured'
printf 'http_server_config:\n  headers:\n    X-Frame-Options: allow\n' >"$W/badhval.yml"
refused badhval "badhval.yml:3: http_server_config.headers.X-Frame-Options: invalid value 'allow' (want deny or sameorigin)"
printf 'basic_auth_users:\n  alice: s3cret\n' >"$W/plainpw.yml"
refused plainpw "plainpw.yml:2: basic_auth_users.alice: not a bcrypt hash"
printf 'basic_auth_users:\n  alice: %s\n  alice: %s\n' "$ALICE" "$ALICE" >"$W/dup.yml"
refused dup "dup.yml:3: basic_auth_users: key 'alice' given twice"
printf 'rate_limit:\n  interval: soon\n  burst: 1\n' >"$W/badrate.yml"
refused badrate "badrate.yml:2: rate_limit.interval: not a duration ('soon'"
printf 'tls_server_config: [a, b\n' >"$W/syntax.yml"
refused syntax "syntax.yml:2: YAML:"
printf 'bogus_section: {}\n' >"$W/badtop.yml"
refused badtop "badtop.yml:1: unknown key 'bogus_section'"
printf 'http_server_config:\n  http2: maybe\n' >"$W/badbool.yml"
refused badbool "badbool.yml:2: http_server_config.http2: want true or false, got 'maybe'"
"$T" exporter --replay "$TRACE" --web.config.file="$W/absent.yml" >/dev/null 2>"$W/r.err"; rc=$?
check "a missing file: exit 2 naming it" "[ $rc -eq 2 ] && grep -qF '$W/absent.yml: No such file or directory' $W/r.err"

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
