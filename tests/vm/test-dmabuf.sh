#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Guest tests (Debian 6.12 and 6.1 in QEMU): tphtrace reports real dma-bufs
# from udmabuf and the system heap through the fentry and (forced) kprobe
# hook families with the right inode, size and exporter
# (tests/vm/guest-dmabuf.sh runs in each guest). Prints the guests' "ok N -
# [K] ..." lines and "N passed, N failed, N skipped"; exits 1 on any
# failure, 77 when it cannot run at all.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_guest 6.12 6.1
need_cmd jq "scripts/deps.sh"
for f in .output/tphtrace .output/tests/mkdmabuf; do
	[ -x "$f" ] || skip_suite "no $f (make check-all builds it)"
done
out=.output/vm/dmabuf
rm -rf "$out"
mkdir -p "$out"
for k in 6.12 6.1; do
	rc=0
	bash tests/vm/run-guest.sh -k "$k" -t 240 -e "KSERIES=$k" \
		-s tests/vm/guest-dmabuf.sh >"$out/$k.log" 2>&1 || rc=$?
	cat "$out/$k.log"
	[ "$rc" -eq 0 ] || echo "not ok - [$k] the guest job exited $rc (124: time limit, 125: guest died)"
done >"$out/all.log"
cat "$out/all.log"
read -r p f s < <(tap_count "$out/all.log")
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
