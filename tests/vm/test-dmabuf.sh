#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Guest tests (Debian 6.12 and 6.1 in QEMU): tphtrace reports real dma-bufs
# from udmabuf and the system heap through the fentry and (forced) kprobe
# hook families with the right inode, size and exporter.
set -u
cd "$(dirname "$0")/../.."
rc=0
for k in 6.12 6.1; do
	bash tests/vm/run-guest.sh -k "$k" -t 240 -e "KSERIES=$k" \
		-s tests/vm/guest-dmabuf.sh || rc=$?
done
exit $rc
