#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Guest test (Debian 6.12 in QEMU): tphtrace's lifecycle with BPF programs
# attached — signals, a closed pipe, SIGKILL leaving no program or link
# (bpftool), capability sets after attach (tests/vm/guest-lifecycle.sh runs
# in the guest; the host half is tests/reliability/test-lifecycle.sh).
# Prints the guest's "ok N - [6.12] ..." lines and "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_guest 6.12
need_cmd jq "scripts/deps.sh"
need_cmd bpftool "scripts/deps.sh"
for f in .output/tphtrace .output/tests/mkdmabuf; do
	[ -x "$f" ] || skip_suite "no $f (make check-all builds it)"
done
out=.output/vm/lifecycle
rm -rf "$out"
mkdir -p "$out"
rc=0
bash tests/vm/run-guest.sh -k 6.12 -t 400 -e KSERIES=6.12 \
	-s tests/vm/guest-lifecycle.sh >"$out/6.12.log" 2>&1 || rc=$?
cat "$out/6.12.log"
[ "$rc" -eq 0 ] || echo "not ok - [6.12] the guest job exited $rc (124: time limit, 125: guest died)"
read -r p f s < <( (cat "$out/6.12.log"; [ "$rc" -eq 0 ] || echo "not ok - job") | tap_count /dev/stdin)
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
