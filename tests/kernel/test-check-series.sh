#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Negative self-test of kernel/scripts/check-series.sh: the check must pass on
# an unmodified copy of the series and fail, with the matching "not ok" line,
# on each deliberately broken copy. Works on temporary copies only (the
# script's TPH_PATCH_DIR / TPH_HEADER_DIR), reuses the extraction cache in
# .output/kernel-check, needs no network. Prints one ok/not ok line per case
# and "N passed, N failed, N skipped"; a case whose check the control run
# skipped (no checkpatch, no reference tree) is skipped too.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
CHECK=$ROOT/kernel/scripts/check-series.sh
T=$(mktemp -d "${TMPDIR:-/tmp}/test-check-series.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
skipped=0

result() { # rc description
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2"
		fail=$((fail + 1))
	fi
}

fresh() { # case: $T/case/{patches,headers} copies of the real ones
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1"
	cp -a kernel/patches "$T/$1/patches"
	cp -a kernel/include/trace/events "$T/$1/headers"
}

run() { # case
	TPH_PATCH_DIR=$T/$1/patches TPH_HEADER_DIR=$T/$1/headers \
		bash "$CHECK" >"$T/$1.out" 2>&1
}

show() { # case: the nested run's verdict lines, indented so they are not counted
	grep -E '^(not ok|[0-9]+ passed)' "$T/$1.out" | sed 's/^/    | /'
}

# edit FILE OLD NEW: replace the first line equal to OLD (must exist)
edit() {
	python3 - "$@" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
with open(path, encoding="utf-8") as f:
    lines = f.read().split("\n")
i = lines.index(old)
lines[i] = new
with open(path, "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
EOF
}

expect_fail() { # case pattern description
	local rc what=${2%% *}
	if grep -q "^ok - $what # SKIP" "$T/control.out"; then
		echo "ok - $3 # SKIP $what: $(sed -n "s/^ok - $what # SKIP //p" "$T/control.out")"
		skipped=$((skipped + 1))
		return
	fi
	run "$1"
	rc=$?
	if [ "$rc" -ne 0 ] && grep -qE "^not ok - $2" "$T/$1.out"; then
		result 0 "$3"
	else
		result 1 "$3 (exit $rc, expected a 'not ok - $2' line)"
		show "$1"
	fi
}

patch_of() { # case number -> path of patch NNNN-*.patch in the copy
	ls "$T/$1/patches/$2"-*.patch
}

# 0. control: the unmodified copy passes
fresh control
run control
rc=$?
if [ "$rc" -eq 0 ] && tail -n 1 "$T/control.out" | grep -qE '^[1-9][0-9]* passed, 0 failed, [0-9]+ skipped$'; then
	result 0 "unmodified series passes ($(tail -n 1 "$T/control.out"))"
else
	result 1 "unmodified series passes (exit $rc)"
	show control
fi

# 1. a header in kernel/include differs from the one the patch adds
fresh header
edit "$T/header/headers/pci_tph.h" ' * PCIe TPH requester tracepoints.' ' * PCIe TPH requester tracepoints!'
expect_fail header 'header pci_tph.h' "a modified trace header is detected"

# 2. a header the patches add is missing from kernel/include
fresh header-missing
rm "$T/header-missing/headers/tph_reason.h"
expect_fail header-missing 'header include/trace/events/tph_reason.h' \
	"a header added by the series but absent from kernel/include is detected"

# 3. an EXACT file (drivers/pci/tph.c) hunk whose context does not match
fresh exact
edit "$(patch_of exact 0001)" ' #include "pci.h"' ' #include "pcie.h"'
expect_fail exact 'apply 0001-' "a hunk not applying on an EXACT file fails"

# 4. a SKELETON file (dma-buf.c) hunk contradicting a line the reference knows
fresh skeleton
edit "$(patch_of skeleton 0002)" ' 	dma_resv_assert_held(dmabuf->resv);' ' 	dma_resv_assert_held(dmabuf->resv2);'
expect_fail skeleton 'apply 0002-' "a SKELETON hunk mismatching a known line fails (not inconclusive)"

# 5. an ERROR-level checkpatch finding (trailing whitespace on an added line)
fresh error
edit "$(patch_of error 0003)" '+	unsigned long ino = 0;' '+	unsigned long ino = 0; '
expect_fail error 'checkpatch --strict 0003-' "a checkpatch ERROR fails"

# 6. a --strict CHECK in driver code (only trace-header layout CHECKs are excepted)
fresh check
edit "$(patch_of check 0004)" '+				  pci_dev_id(dev->pdev), tag,' '+			  pci_dev_id(dev->pdev), tag,'
expect_fail check 'checkpatch --strict 0004-' "a checkpatch CHECK outside the trace headers fails"

# 7. the cover letter is still the format-patch template
fresh cover
edit "$(patch_of cover 0000)" 'This series adds tracepoints at every point where the TPH flow for' '*** BLURB HERE ***'
expect_fail cover 'series' "a template cover letter fails"

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
