#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the tracepoint patch series in kernel/patches/ (see kernel/README.md):
#   1. the series is complete: a cover letter that is not the template and
#      names the revision it is on top of (v11), numbered patches, one
#      sender (From: = Signed-off-by:) in every patch;
#   2. checkpatch.pl --strict --show-types from Debian's linux-source-6.12
#      on every patch: no ERROR or WARNING except COMPLEX_MACRO on an
#      EM()/EMe() list; CHECKs only in trace headers, of the kinds named in
#      series_check.py and explained in kernel/README.md;
#   3. the patches apply in order to the series' base (kref_base.py: the v7
#      reference tree ../shared/kernel-ref with the public v8+ changes and
#      the public files it lacks): every hunk on an EXACT or public file
#      applies; on a SKELETON file a hunk may fail only where its pre-image
#      falls on KREF-SKELETON placeholders and matches every known line;
#   4. every tracepoint line the patches add is kernel/tree's (new headers
#      byte-identical, fragments inserted as one block), nothing else;
#   5. in the patched tree each driver-local header has CREATE_TRACE_POINTS
#      in exactly one .c file and every event is fired somewhere;
#   6. the committed series is what kernel/scripts/gen_series.py generates
#      (with the identity and date it carries): no hand edits;
#   7. compile checks (kernel/scripts/compile-check.sh): the trace headers
#      with CREATE_TRACE_POINTS against the Debian 6.1, 6.12 and newest
#      kernel headers, the patched EXACT files with W=1 (and sparse) against
#      6.12 with the stubs of kernel/scripts/compile/.
# Prints one "ok - ..." / "not ok - ..." line per check and ends with
# "N passed, N failed"; exits non-zero on any failure. Works from any
# directory; needs perl, python3, git, tar and xz, no network.
#
# Inputs (environment, for the self-tests in tests/kernel/):
#   TPH_PATCH_DIR   series to check          (kernel/patches)
#   TPH_TREE_DIR    the tracepoint sources   (kernel/tree)
#   TPH_README      exceptions documented in (kernel/README.md)
#   KREF_TAR        reference tree tarball   (../shared/kernel-ref/kernel-ref.tar.gz)
#   LINUX_SRC_TAR   checkpatch comes from    (/usr/src/linux-source-6.12.tar.xz)
#   NEWEST_HEADERS  newest Debian headers    (found by gen_series.py)
#   KERNEL_CHECK_CACHE  extraction cache     (.output/kernel-check)
#   TPH_STEPS       steps to run, of: checkpatch apply headers regen compile
#                   (default all; the series step always runs; the self-tests
#                   of tests/kernel/ run only the step each case breaks)
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PATCH_DIR=${TPH_PATCH_DIR:-$ROOT/kernel/patches}
TREE_DIR=${TPH_TREE_DIR:-$ROOT/kernel/tree}
README=${TPH_README:-$ROOT/kernel/README.md}
KREF_TAR=${KREF_TAR:-$ROOT/../shared/kernel-ref/kernel-ref.tar.gz}
LINUX_SRC_TAR=${LINUX_SRC_TAR:-/usr/src/linux-source-6.12.tar.xz}
CACHE=${KERNEL_CHECK_CACHE:-$ROOT/.output/kernel-check}
HELPER="$ROOT/kernel/scripts/series_check.py"
PY=${PYTHON:-python3}
# the newest revision of the TPH series (v11 0/4), which the series is on top of
BASE_MSGID="20260702181025.2694961-1-zhipingz@meta.com"
NEWEST_HEADERS=${NEWEST_HEADERS:-$("$PY" "$ROOT/kernel/scripts/gen_series.py" --print-newest-headers)}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-series.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/log
: >"$LOG"

say() { printf '%s\n' "$*" | tee -a "$LOG"; }
ok() { say "ok - $*"; }
notok() { say "not ok - $*"; }
# a check that cannot run here: skipped, but a failure under CI=true
cannot() { # WHAT WHY
	if [ "${CI:-}" = true ]; then
		notok "$1: $2 (CI=true: required)"
	else
		say "ok - $1 # SKIP $2"
	fi
}
# run a helper step, keep its ok/not ok lines in the log
step() { "$@" 2>&1 | tee -a "$LOG" | grep -v '^#stats '; }

want() { case " ${TPH_STEPS:-checkpatch apply headers regen compile} " in *" $1 "*) return 0 ;; esac; return 1; }

# --- 1. the series ---------------------------------------------------------
shopt -s nullglob
PATCHES=("$PATCH_DIR"/[0-9][0-9][0-9][0-9]-*.patch)
SERIES=()
COVER=""
for p in "${PATCHES[@]}"; do
	case "$(basename "$p")" in
	0000-cover-letter.patch) COVER=$p ;;
	*) SERIES+=("$p") ;;
	esac
done
if [ -z "$COVER" ] || [ ${#SERIES[@]} -eq 0 ]; then
	notok "series in ${PATCH_DIR#"$ROOT"/}: cover letter and patches expected, found ${#PATCHES[@]} file(s)"
elif grep -q '\*\*\* SUBJECT HERE \*\*\*\|\*\*\* BLURB HERE \*\*\*' "$COVER"; then
	notok "series: the cover letter is still the format-patch template"
elif ! grep -q "$BASE_MSGID" "$COVER"; then
	notok "series: the cover letter does not name the revision it is on top of <$BASE_MSGID>"
else
	ok "series: cover letter + ${#SERIES[@]} patches, on top of <$BASE_MSGID>"
fi
# one sender, who certifies the DCO: From: and Signed-off-by: agree
senders=$(for p in "${SERIES[@]}"; do
	from=$(sed -n '/^From: /{N;s/\n / /;s/^From: //p;q}' "$p")
	sob=$(sed -n 's/^Signed-off-by: //p' "$p" | tail -n 1)
	[ "$from" = "$sob" ] && echo "$from" || echo "MISMATCH $from / $sob"
done | sort -u)
if [ "$(echo "$senders" | wc -l)" = 1 ] && [ -n "$senders" ] && [[ $senders != MISMATCH* ]]; then
	ok "series: one sender, From: = Signed-off-by: ($senders)"
else
	notok "series: From:/Signed-off-by: differ: $(echo "$senders" | tr '\n' ';')"
fi

# --- 2. checkpatch -----------------------------------------------------------
# Extract checkpatch.pl and the data files it reads next to itself once;
# --no-tree, so nothing else of the kernel source is needed.
CP_DIR=$CACHE/checkpatch
CP=$CP_DIR/scripts/checkpatch.pl
# also the two files of linux-source-6.12 the series' base takes (kref_base.py)
SRC_FILES=(drivers/infiniband/hw/mlx5/mlx5_ib.h MAINTAINERS)
cp_stamp() { echo "v2 $(stat -c '%n %s %Y' "$LINUX_SRC_TAR" 2>/dev/null)"; }
if [ -f "$LINUX_SRC_TAR" ] && { [ ! -f "$CP" ] || [ "$(cat "$CP_DIR/.stamp" 2>/dev/null)" != "$(cp_stamp)" ]; }; then
	rm -rf "$CP_DIR" && mkdir -p "$CP_DIR/scripts"
	top=$(tar -tJf "$LINUX_SRC_TAR" 2>/dev/null | head -n 1 | cut -d/ -f1)
	if tar -xJf "$LINUX_SRC_TAR" -C "$WORK" "$top/scripts/checkpatch.pl" \
		"$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch" \
		"${SRC_FILES[@]/#/$top/}" 2>"$WORK/tar.err"; then
		cp "$WORK/$top/scripts/"{checkpatch.pl,spelling.txt,const_structs.checkpatch} "$CP_DIR/scripts/"
		for f in "${SRC_FILES[@]}"; do
			mkdir -p "$CP_DIR/$(dirname "$f")" && cp "$WORK/$top/$f" "$CP_DIR/$f"
		done
		cp_stamp >"$CP_DIR/.stamp"
	else
		cat "$WORK/tar.err" >&2
		rm -rf "$CP_DIR"
	fi
fi
if ! want checkpatch; then
	:
elif [ ! -f "$CP" ]; then
	cannot "checkpatch" "$LINUX_SRC_TAR not found and nothing cached in ${CP_DIR#"$ROOT"/} (apt-get install linux-source-6.12)"
else
	for p in "${SERIES[@]}"; do
		out=$WORK/checkpatch.$(basename "$p").txt
		# from $WORK: in a git checkout checkpatch leaves a CamelCase cache behind
		(cd "$WORK" && perl "$CP" --strict --show-types --no-tree --no-color "$p") >"$out" 2>&1
		step "$PY" "$HELPER" checkpatch "$p" "$out" "$README"
	done
fi

# --- 3. apply-check against the reference tree -------------------------------
KREF_DIR=$CACHE/kref
kref_stamp() { stat -c '%n %s %Y' "$KREF_TAR" 2>/dev/null; }
if [ -f "$KREF_TAR" ] && { [ ! -d "$KREF_DIR/kernel-ref/.git" ] || [ "$(cat "$KREF_DIR/.stamp" 2>/dev/null)" != "$(kref_stamp)" ]; }; then
	rm -rf "$KREF_DIR" && mkdir -p "$KREF_DIR"
	if tar -xzf "$KREF_TAR" -C "$KREF_DIR"; then
		kref_stamp >"$KREF_DIR/.stamp"
	else
		rm -rf "$KREF_DIR"
	fi
fi
TREE=$WORK/tree
APPLIED=0
if ! want apply && ! want compile; then
	:
elif [ ! -d "$KREF_DIR/kernel-ref/.git" ]; then
	notok "apply: reference tree $KREF_TAR not found and nothing cached in ${KREF_DIR#"$ROOT"/}"
elif [ -z "$NEWEST_HEADERS" ] || [ ! -f "$CP_DIR/MAINTAINERS" ]; then
	cannot "apply" "the series' base needs the newest Debian kernel headers and $LINUX_SRC_TAR (scripts/deps.sh)"
else
	cp -a "$KREF_DIR/kernel-ref" "$TREE"
	git -C "$TREE" checkout -q -f HEAD && git -C "$TREE" clean -fdxq
	head_subj=$(git -C "$TREE" log -1 --format=%s)
	nseries=$(git -C "$TREE" rev-list --count HEAD~5..HEAD 2>/dev/null || echo 0)
	if [ "$nseries" = 5 ] && [ "$head_subj" = "RDMA/mlx5: get tph for p2p access when registering dma-buf mr" ] &&
		"$PY" "$ROOT/kernel/scripts/kref_base.py" "$TREE" --newest-headers "$NEWEST_HEADERS" \
			--linux-src "$CP_DIR" >"$WORK/kref_base.log" 2>&1; then
		ok "series base: v7 reference ($(git -C "$TREE" rev-parse --short HEAD)) + the public v8+ changes + public files (kref_base.py; newest headers $(basename "$NEWEST_HEADERS"))"
		step "$PY" "$HELPER" apply "$TREE" "${SERIES[@]}"
		APPLIED=1
	else
		notok "series base: reference HEAD \"$head_subj\" or kref_base.py failed: $(tail -n 3 "$WORK/kref_base.log" 2>/dev/null | tr '\n' ' ')"
	fi
fi

# --- 4. every tracepoint line is kernel/tree's --------------------------------
want headers && step "$PY" "$HELPER" headers "$TREE_DIR" "${SERIES[@]}"

# --- 5. CREATE_TRACE_POINTS and call sites in the patched tree ---------------
if [ "$APPLIED" = 1 ] && want headers; then
	step "$PY" "$HELPER" tracepoints "$TREE" "$TREE_DIR"
fi

# --- 6. the committed series is the generated one ------------------------------
if ! want regen; then
	:
elif [ ${#SERIES[@]} -gt 0 ] && [ -n "$NEWEST_HEADERS" ] && [ -f "$KREF_TAR" ]; then
	ident=$(sed -n '/^From: /{N;s/\n / /;s/^From: //p;q}' "${SERIES[0]}")
	date=$(sed -n 's/^Date: //p' "${SERIES[0]}" | head -n 1)
	if "$PY" "$ROOT/kernel/scripts/gen_series.py" -o "$WORK/gen" --ident "$ident" \
		--date "$date" --kref "$KREF_TAR" --newest-headers "$NEWEST_HEADERS" \
		--linux-src "$CP_DIR" >"$WORK/gen.log" 2>&1; then
		diffs=$(diff -r "$WORK/gen" "$PATCH_DIR" 2>&1 | head -n 8)
		if [ -z "$diffs" ]; then
			ok "series: kernel/patches is what gen_series.py generates from kernel/tree and kernel/series (From: $ident)"
		else
			notok "series: kernel/patches differs from what gen_series.py generates (run it: python3 kernel/scripts/gen_series.py)"
			printf '    %s\n' "$diffs" | tee -a "$LOG"
		fi
	else
		notok "series: gen_series.py failed: $(tail -n 3 "$WORK/gen.log" | tr '\n' ' ')"
	fi
else
	cannot "series: regeneration" "needs $KREF_TAR and the newest Debian kernel headers (scripts/deps.sh)"
fi

# --- 7. compile checks -----------------------------------------------------------
if want compile; then
	if [ "$APPLIED" = 1 ]; then
		step bash "$ROOT/kernel/scripts/compile-check.sh" "$TREE"
	else
		cannot "compile checks" "no patched tree (see the apply step)"
	fi
fi

stats=$(grep '^#stats ' "$LOG" | tail -n 1)
[ -z "$stats" ] || say "# hunks: ${stats#\#stats }"
skipped=$(grep -cE '^ok .*# SKIP' "$LOG")
pass=$(($(grep -c '^ok ' "$LOG") - skipped))
fail=$(grep -c '^not ok ' "$LOG")
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
