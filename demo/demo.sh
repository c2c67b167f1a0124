#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make demo: install what is needed, build tphtrace and the simulator, boot the
# Debian 6.12 guest, tell a narrated scenario with tphtrace, and copy the
# recording out so that `tphtrace check --replay .output/demo.jsonl` works here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make --no-print-directory
# shellcheck disable=SC1091
. .output/kernels.env
make --no-print-directory -s -C kernel/tphsim KDIR="/lib/modules/$KVER_612/build" >/dev/null
make --no-print-directory -s -C kernel/tphsim/ctl >/dev/null
echo "Booting the Debian $KVER_612 guest (QEMU, software emulation: a few seconds)..."
job=.output/demo-job
rm -rf "$job"
rc=0
bash tests/vm/run-guest.sh -k 6.12 -t 300 -L -J "$job" -s demo/guest-demo.sh || rc=$?
if [ -s "$job/demo.jsonl" ]; then
	cp "$job/demo.jsonl" .output/demo.jsonl
	echo
	echo "The recording is in .output/demo.jsonl; on this host:"
	echo "  .output/tphtrace check --replay .output/demo.jsonl"
	echo "  .output/tphtrace list --replay .output/demo.jsonl --at $(cat "$job/at" 2>/dev/null) --tree"
	echo "  .output/tphtrace trace --replay .output/demo.jsonl -T"
fi
rm -rf "$job"
exit $rc
