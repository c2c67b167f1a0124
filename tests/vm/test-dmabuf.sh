#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Guest test (Debian 6.12 in QEMU): tphtrace reports real dma-bufs from
# udmabuf and the system heap through the fentry and (forced) kprobe hook
# families with the right inode, size and exporter.
set -u
cd "$(dirname "$0")/../.."
bash tests/vm/run-guest.sh -k 6.12 -t 240 -s tests/vm/guest-dmabuf.sh
