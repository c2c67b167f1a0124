#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Untrusted input files (issue 12 items 0 and 4): what other people send —
# a `trace -j` recording, an `lspci -xxxx` dump — given to --replay and
# --config-dump as truncated, binary, huge-line (larger than the memory
# limit), /dev/zero, a directory, a sparse 1 GB file, NUL bytes, values that
# do not fit the record. Each must end with exit 2 and "FILE:LINE: why" on
# stderr, in bounded memory (prlimit --as) and time (timeout), and never
# present a partial input as a complete result (nothing on stdout).
# Also: write errors (>/dev/full) exit 2; a closed pipe does not.
# Expected messages and exit codes are the documented ones (docs/reliability.md,
# tphtrace(8)), written here by hand.
set -u
cd "$(dirname "$0")/../.."
T=$(realpath "${TPHTRACE:-.output/tphtrace}")
W=$(mktemp -d /tmp/tphtrace-untrusted.XXXXXX)
trap 'rm -rf "$W"' EXIT
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

# Memory and time every run gets: 256 MiB of address space (the binary with
# its libraries and the model's pools need ~60 MiB), 20 s.
MEM=$((256 << 20))
run() { # OUT ERR CMD...: bounded run, exit status in RC
	local out=$1 err=$2
	shift 2
	timeout 20 prlimit --as=$MEM -- "$@" >"$out" 2>"$err"
	RC=$?
}

# refused FILE LINE WHY NAME: every command that reads FILE refuses it with
# exit 2, "FILE:LINE: ..." naming WHY, and prints nothing on stdout
replay_refused() {
	local f=$1 line=$2 why=$3 what=$4 cmd bad=""
	for cmd in "check --replay" "list --replay" "top --once --replay" "exporter --check --replay"; do
		# shellcheck disable=SC2086
		run "$W/out" "$W/err" "$T" $cmd "$f"
		if [ "$RC" -ne 2 ] || [ -s "$W/out" ] || ! grep -qF "$f:$line: " "$W/err" ||
		   ! grep -qF -- "$why" "$W/err"; then
			bad="$bad [$cmd: rc=$RC $(head -c 160 "$W/err" | tr '\n' ' ')]"
		fi
	done
	check "$what: check, list, top, exporter --replay exit 2 with '$f:$line: $why', no output" "[ -z \"\$bad\" ]"
	[ -z "$bad" ] || echo "# $bad"
}

dump_refused() {
	local f=$1 line=$2 why=$3 what=$4 loc
	loc="$f:$line: "
	[ "$line" = 0 ] && loc="$f: "
	run "$W/out" "$W/err" "$T" devices --config-dump "$f"
	check "$what: devices --config-dump exits 2 with '$loc$why'" \
		"[ $RC -eq 2 ] && [ ! -s $W/out ] && grep -qF -- '$loc' $W/err && grep -qF -- '$why' $W/err"
	[ "$RC" -eq 2 ] || sed 's/^/# /' "$W/err" | head -3
}

good=tests/data/traces/width-mismatch.jsonl
dump=tests/data/lspci/dump-256.txt

# ------------------------------------------------------------------ sanity
run "$W/out" "$W/err" "$T" check --replay "$good"
check "a good recording replays under the limits (exit 1: it has findings)" "[ $RC -eq 1 ] && [ -s $W/out ]"
run "$W/out" "$W/err" "$T" devices --config-dump "$dump"
check "a good dump loads under the limits" "[ $RC -eq 0 ] && [ -s $W/out ]"

# ------------------------------------------------------ /dev/zero, sparse 1 GB
replay_refused /dev/zero 1 "NUL byte" "/dev/zero"
dump_refused /dev/zero 1 "NUL byte" "/dev/zero"
truncate -s 1G "$W/sparse"
replay_refused "$W/sparse" 1 "NUL byte" "sparse 1 GB file"
dump_refused "$W/sparse" 1 "NUL byte" "sparse 1 GB file"
# a good first line, then 1 GB of holes: refused at line 2, not an empty trace
head -n 1 "$good" >"$W/sparse2"
truncate -s 1G "$W/sparse2"
replay_refused "$W/sparse2" 2 "NUL byte" "one record then a 1 GB hole"
# a NUL byte at the start of a line used to make the line vanish silently
{ head -n 2 "$good"; printf '\0'; sed -n 3p "$good"; } >"$W/nul"
replay_refused "$W/nul" 3 "NUL byte" "NUL at the start of line 3"
{ head -n 3 "$dump"; printf '\0\n'; } >"$W/nuldump"
dump_refused "$W/nuldump" 4 "NUL byte" "dump with a NUL line"

# ------------------------------------------------------------------ binary
replay_refused "$T" 1 "NUL byte" "an ELF binary"
dump_refused "$T" 1 "NUL byte" "an ELF binary"

# ---------------------------------------------------------------- directory
replay_refused_dir() {
	local cmd bad=""
	for cmd in "check --replay" "list --replay" "top --once --replay" "exporter --check --replay"; do
		# shellcheck disable=SC2086
		run "$W/out" "$W/err" "$T" $cmd "$W"
		[ "$RC" -eq 2 ] && grep -qF "$W: is a directory" "$W/err" || bad="$bad [$cmd: rc=$RC]"
	done
	check "a directory: every --replay says '$W: is a directory', exit 2" "[ -z \"\$bad\" ]"
}
replay_refused_dir
dump_refused "$W" 0 "is a directory" "a directory"

# ------------------------------------------------- huge line, larger than memory
# 512 MiB without a newline through a pipe, under a 256 MiB address-space limit:
# the limit of the line reader ends it at once, memory never grows
# (a pipe: a file would cost disk; `cat | tphtrace` is what a user does)
t0=$(date +%s)
head -c $((512 << 20)) /dev/zero 2>/dev/null | tr '\0' a 2>/dev/null |
	timeout 20 prlimit --as=$MEM -- "$T" check --replay - >"$W/out" 2>"$W/err"
RC=${PIPESTATUS[2]}
t1=$(date +%s)
check "512 MiB line on stdin under 256 MiB: exit 2, '<stdin>:1: line longer than 16384 bytes'" \
	"[ $RC -eq 2 ] && [ ! -s $W/out ] && grep -qF '<stdin>:1: line longer than 16384 bytes' $W/err"
echo "# huge line: refused in $((t1 - t0)) s"
{ head -n 3 "$good"; head -c 100000 /dev/zero | tr '\0' x; echo; } >"$W/long"
replay_refused "$W/long" 4 "line longer than 16384 bytes" "a 100 kB line 4"
{ head -n 3 "$dump"; head -c 5000 /dev/zero | tr '\0' 0; echo; } >"$W/longdump"
dump_refused "$W/longdump" 4 "line longer than 4096 bytes" "a 5000-byte dump line"

# ---------------------------------------------------------------- truncated
lines=$(wc -l <"$good")
head -c $(( $(head -n $((lines - 1)) "$good" | wc -c) + 40 )) "$good" >"$W/trunc"
replay_refused "$W/trunc" "$lines" "not a JSON object" "cut inside the last line"
head -c 200 "$dump" >"$W/truncdump"
dump_refused "$W/truncdump" 4 "bytes of config space" "dump cut after 200 bytes"

# ----------------------------------------------- values that do not fit the record
# each: field, a line of the recording with one value replaced, why
bad_value() { # NAME SED-EXPR WHY
	local name=$1 expr=$2 why=$3 lineno
	lineno=$(grep -n "\"$name\":" "$good" | head -n 1 | cut -d: -f1)
	sed "${lineno}s/$expr/" "$good" >"$W/val"
	if cmp -s "$good" "$W/val"; then
		nok "\"$name\": the test could not place the value"
		return
	fi
	replay_refused "$W/val" "$lineno" "bad value for \"$name\": $why" "\"$name\" $why"
}
bad_value mkey '"mkey":[0-9]*/"mkey":4294967297' "4294967297 is out of range (0..4294967295)"
bad_value st_index '"st_index":[0-9]*/"st_index":70000' "70000 is out of range (0..65535)"
bad_value ino '"ino":[0-9]*/"ino":-1' "-1 is out of range"
bad_value cpu '"cpu":[0-9]*/"cpu":4294967296' "4294967296 is out of range (0..4294967295)"
bad_value ret '"ret":[-0-9]*/"ret":2147483648' "2147483648 is out of range (-2147483648..2147483647)"
bad_value comm '"comm":"[^"]*"/"comm":"seventeen-chars-x"' "string of 17 bytes, longer than 16"
bad_value comm '"comm":"[^"]*"/"comm":"a\\u0000b"' "NUL character in a string"
# the publish record: an 8-bit st and ph
pub=$(grep -n '"kind":"tph_publish"' tests/data/traces/*.jsonl | head -n 1)
pf=${pub%%:*}; rest=${pub#*:}; pl=${rest%%:*}
sed "${pl}s/\"st\":[0-9]*/\"st\":70000/" "$pf" >"$W/st"
replay_refused "$W/st" "$pl" 'bad value for "st": 70000 is out of range (0..255)' '"st":70000 in tph_publish'
sed "${pl}s/\"ph\":[0-9]*/\"ph\":300/" "$pf" >"$W/ph"
replay_refused "$W/ph" "$pl" 'bad value for "ph": 300 is out of range (0..255)' '"ph":300 in tph_publish'

# ------------------------------------------------ partial never shown as complete
# Under address-space limits from too small to enough, check --replay either
# prints exactly what it prints without a limit, or exits 2 with a message:
# never exit 0/1 with less (issue 12: "0 record(s)" under a limit).
cat tests/data/traces/*.jsonl >"$W/all"
"$T" check --replay "$W/all" >"$W/ref" 2>/dev/null
bad=""
for mb in 8 16 24 32 40 48 52 56 58 59 60 61 62 64 72 96; do
	timeout 20 prlimit --as=$((mb << 20)) -- "$T" check --replay "$W/all" >"$W/out" 2>"$W/err"
	rc=$?
	if [ $rc -le 1 ]; then
		cmp -s "$W/out" "$W/ref" || bad="$bad ${mb}M:rc=$rc-incomplete"
	elif [ $rc -ne 2 ] || [ ! -s "$W/err" ] || [ -s "$W/out" ]; then
		[ $rc -eq 127 ] || bad="$bad ${mb}M:rc=$rc"	# 127: the loader could not map a library
	fi
done
check "check --replay under 8..96 MiB: the full result or exit 2 with a message, never a partial one" "[ -z \"\$bad\" ]"
[ -z "$bad" ] || echo "# $bad"

# ------------------------------------------------------------- write errors
"$T" devices --config-dump "$dump" -j >/dev/full 2>"$W/err"; rc=$?
check "devices -j >/dev/full: exit 2, says so" "[ $rc -eq 2 ] && grep -q 'error writing to standard output' $W/err"
"$T" list -j --replay "$good" >/dev/full 2>"$W/err"; rc=$?
check "list -j --replay >/dev/full: exit 2, says so" "[ $rc -eq 2 ] && grep -q 'error writing to standard output' $W/err"
"$T" check --replay "$good" >/dev/full 2>"$W/err"; rc=$?
check "check --replay >/dev/full: exit 2, says so" "[ $rc -eq 2 ] && grep -q 'error writing to standard output' $W/err"
"$T" check --help >/dev/full 2>"$W/err"; rc=$?
check "check --help >/dev/full: exit 2 (argp's own exit too)" "[ $rc -eq 2 ] && grep -q 'error writing to standard output' $W/err"
# a reader that goes away is not an error: the command keeps its exit status
"$T" check --replay "$W/all" 2>"$W/err" | head -n 1 >/dev/null
rc=${PIPESTATUS[0]}
check "check --replay | head -1: exit 1 as without the pipe, no error message" "[ $rc -eq 1 ] && [ ! -s $W/err ]"

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
