#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make demo: install what is needed, build tphtrace and the simulator, boot the
# Debian 6.12 guest and show tphtrace live on a narrated scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make --no-print-directory
# shellcheck disable=SC1091
. .output/kernels.env
make --no-print-directory -s -C kernel/tphsim KDIR="/lib/modules/$KVER_612/build" >/dev/null
make --no-print-directory -s -C kernel/tphsim/ctl >/dev/null
echo "Booting the Debian $KVER_612 guest (QEMU, software emulation: a few seconds)..."
exec bash tests/vm/run-guest.sh -k 6.12 -t 300 -L -s demo/guest-demo.sh
