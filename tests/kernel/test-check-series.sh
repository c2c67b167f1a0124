#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Negative self-test of kernel/scripts/check-series.sh: the check must pass on
# an unmodified copy of the series and fail, with the matching "not ok" line,
# on each deliberately broken copy. Works on temporary copies only (the
# script's TPH_PATCH_DIR / TPH_TREE_DIR), runs only the step each case
# breaks (TPH_STEPS; the compile checks run in the kernel suite itself),
# reuses the extraction cache in .output/kernel-check, needs no network. Prints one ok/not ok line per case
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

fresh() { # case [STEPS]: $T/case/{patches,tree} copies of the real ones
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1"
	cp -a kernel/patches "$T/$1/patches"
	cp -a kernel/tree "$T/$1/tree"
	echo "${2:-checkpatch apply headers regen}" >"$T/$1/steps"
}

run() { # case
	TPH_PATCH_DIR=$T/$1/patches TPH_TREE_DIR=$T/$1/tree \
		TPH_STEPS=$(cat "$T/$1/steps") bash "$CHECK" >"$T/$1.out" 2>&1
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

# 1. a fragment in kernel/tree differs from the lines the patch inserts
fresh fragment headers
edit "$T/fragment/tree/include/trace/events/pci-tph.inc" \
	' * pcie_tph_disable - TPH is being turned off on a function where it was on' \
	' * pcie_tph_disable - TPH is being turned off!'
expect_fail fragment 'fragment kernel/tree/include/trace/events/pci-tph.inc' \
	"a fragment of kernel/tree that the patch does not insert is detected"

# 2. a driver-local header in kernel/tree differs from the one the patch adds
fresh header headers
edit "$T/header/tree/drivers/vfio/pci/vfio_pci_trace.h" '#define TRACE_SYSTEM vfio_pci' \
	'#define TRACE_SYSTEM vfio_pci_tph'
expect_fail header 'header kernel/tree/drivers/vfio/pci/vfio_pci_trace.h' \
	"a modified trace header is detected"

# 3. an EXACT file (drivers/pci/tph.c) hunk whose context does not match
fresh exact apply
edit "$(patch_of exact 0001)" ' #include "pci.h"' ' #include "pcie.h"'
expect_fail exact 'apply 0001-' "a hunk not applying on an EXACT file fails"

# 4. a SKELETON file (dma-buf.c) hunk contradicting a line the reference knows
fresh skeleton apply
edit "$(patch_of skeleton 0002)" ' 	dma_resv_assert_held(dmabuf->resv);' ' 	dma_resv_assert_held(dmabuf->resv2);'
expect_fail skeleton 'apply 0002-' "a SKELETON hunk mismatching a known line fails (not inconclusive)"

# 5. an ERROR-level checkpatch finding (trailing whitespace on an added line)
fresh error checkpatch
edit "$(patch_of error 0003)" '+	struct dma_buf *dmabuf = NULL;' '+	struct dma_buf *dmabuf = NULL; '
expect_fail error 'checkpatch --strict 0003-' "a checkpatch ERROR fails"

# 6. a --strict CHECK in driver code (only named trace-header CHECKs are excepted)
fresh check checkpatch
edit "$(patch_of check 0001)" '+			      ret ? PCI_TPH_REQ_DISABLE : pdev->tph_req_type,' \
	'+			ret ? PCI_TPH_REQ_DISABLE : pdev->tph_req_type,'
expect_fail check 'checkpatch --strict 0001-' "a checkpatch CHECK outside the trace headers fails"

# 7. the cover letter is still the format-patch template
fresh cover none
edit "$(patch_of cover 0000)" 'This RFC adds tracepoints at the points where the TPH flow for' '*** BLURB HERE ***'
expect_fail cover 'series' "a template cover letter fails"

# 8. a patch edited by hand: not what gen_series.py generates
fresh regen regen
edit "$(patch_of regen 0004)" 'reference count. When the table is full, or the ST entry write fails' \
	'reference count. When the table is full or the ST entry write fails'
expect_fail regen 'series: kernel/patches differs' "a hand-edited patch is detected by regeneration"

# 9. a Signed-off-by: that is not the sender's
fresh sob none
sob=$(sed -n 's/^Signed-off-by: //p' "$(patch_of sob 0002)" | tail -n 1)
edit "$(patch_of sob 0002)" "Signed-off-by: $sob" 'Signed-off-by: Someone Else <someone@example.org>'
expect_fail sob 'series: From:/Signed-off-by: differ' "a Signed-off-by: other than the sender fails"

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
