#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the tracepoint patch series in kernel/patches/ (see kernel/README.md):
#   1. the series is complete (cover letter naming the v7 base, numbered patches);
#   2. checkpatch.pl --strict --show-types from Debian's linux-source-6.12 on
#      every patch: no ERROR or WARNING except the trace-macro idioms
#      COMPLEX_MACRO, MACRO_ARG_UNUSED, MACRO_ARG_REUSE,
#      MULTISTATEMENT_MACRO_USE_DO_WHILE, TRAILING_SEMICOLON and
#      FILE_PATH_CHANGES, each of which must be explained in kernel/README.md
#      when it occurs; no CHECK except PARENTHESIS_ALIGNMENT and
#      OPEN_ENDED_LINE inside include/trace/events/ (TRACE_EVENT() layout);
#   3. the patches apply in order to a fresh copy of the v7 reference tree
#      (../shared/kernel-ref): every hunk on an EXACT file applies; on a
#      SKELETON file a hunk may fail only where its pre-image falls on
#      KREF-SKELETON placeholder lines and matches every known line;
#      MAINTAINERS and files the tree lacks are skipped and reported;
#   4. the trace headers the patches add are byte-identical to
#      kernel/include/trace/events/*.h;
#   5. in the patched tree each trace system has CREATE_TRACE_POINTS in
#      exactly one .c file and every event is fired somewhere.
# Prints one "ok - ..." / "not ok - ..." line per check and ends with
# "N passed, N failed, N skipped"; exits non-zero on any failure. Without
# checkpatch (linux-source-6.12) or the reference tree (../shared/kernel-ref)
# those checks print "ok - ... # SKIP why", and under CI=true "not ok": CI
# must run them. Works from any directory; needs perl, python3, git, tar and
# xz, no network.
#
# Inputs (environment, for the self-tests in tests/kernel/):
#   TPH_PATCH_DIR   series to check          (kernel/patches)
#   TPH_HEADER_DIR  the trace headers        (kernel/include/trace/events)
#   TPH_README      exceptions documented in (kernel/README.md)
#   KREF_TAR        reference tree tarball   (../shared/kernel-ref/kernel-ref.tar.gz)
#   LINUX_SRC_TAR   checkpatch comes from    (/usr/src/linux-source-6.12.tar.xz)
#   KERNEL_CHECK_CACHE  extraction cache     (.output/kernel-check)
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PATCH_DIR=${TPH_PATCH_DIR:-$ROOT/kernel/patches}
HEADER_DIR=${TPH_HEADER_DIR:-$ROOT/kernel/include/trace/events}
README=${TPH_README:-$ROOT/kernel/README.md}
KREF_TAR=${KREF_TAR:-$ROOT/../shared/kernel-ref/kernel-ref.tar.gz}
LINUX_SRC_TAR=${LINUX_SRC_TAR:-/usr/src/linux-source-6.12.tar.xz}
CACHE=${KERNEL_CHECK_CACHE:-$ROOT/.output/kernel-check}
HELPER="$ROOT/kernel/scripts/series_check.py"
PY=${PYTHON:-python3}
V7_BASE_MSGID="20260611161546.4075580-1-zhipingz@meta.com"

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
elif ! grep -q "$V7_BASE_MSGID" "$COVER"; then
	notok "series: the cover letter does not name the v7 base <$V7_BASE_MSGID>"
else
	ok "series: cover letter + ${#SERIES[@]} patches, based on v7 <$V7_BASE_MSGID>"
fi

# --- 2. checkpatch -----------------------------------------------------------
# Extract checkpatch.pl and the data files it reads next to itself once;
# --no-tree, so nothing else of the kernel source is needed.
CP_DIR=$CACHE/checkpatch
CP=$CP_DIR/scripts/checkpatch.pl
cp_stamp() { stat -c '%n %s %Y' "$LINUX_SRC_TAR" 2>/dev/null; }
if [ -f "$LINUX_SRC_TAR" ] && { [ ! -f "$CP" ] || [ "$(cat "$CP_DIR/.stamp" 2>/dev/null)" != "$(cp_stamp)" ]; }; then
	rm -rf "$CP_DIR" && mkdir -p "$CP_DIR/scripts"
	top=$(tar -tJf "$LINUX_SRC_TAR" 2>/dev/null | head -n 1 | cut -d/ -f1)
	if tar -xJf "$LINUX_SRC_TAR" -C "$WORK" "$top/scripts/checkpatch.pl" \
		"$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch" 2>"$WORK/tar.err"; then
		cp "$WORK/$top/scripts/"{checkpatch.pl,spelling.txt,const_structs.checkpatch} "$CP_DIR/scripts/"
		cp_stamp >"$CP_DIR/.stamp"
	else
		cat "$WORK/tar.err" >&2
		rm -rf "$CP_DIR"
	fi
fi
if [ ! -f "$CP" ]; then
	cannot "checkpatch" "$LINUX_SRC_TAR not found and nothing cached in ${CP_DIR#"$ROOT"/} (apt-get install linux-source-6.12)"
else
	for p in "${SERIES[@]}"; do
		out=$WORK/checkpatch.$(basename "$p").txt
		perl "$CP" --strict --show-types --no-tree --no-color "$p" >"$out" 2>&1
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
if [ ! -d "$KREF_DIR/kernel-ref/.git" ]; then
	cannot "apply" "reference tree $KREF_TAR not found and nothing cached in ${KREF_DIR#"$ROOT"/}"
	cannot "tracepoints" "no reference tree to apply the series to"
else
	cp -a "$KREF_DIR/kernel-ref" "$TREE"
	git -C "$TREE" checkout -q -f HEAD && git -C "$TREE" clean -fdxq
	head_subj=$(git -C "$TREE" log -1 --format=%s)
	nseries=$(git -C "$TREE" rev-list --count HEAD~5..HEAD 2>/dev/null || echo 0)
	if [ "$nseries" = 5 ] && [ "$head_subj" = "RDMA/mlx5: get tph for p2p access when registering dma-buf mr" ]; then
		ok "reference tree: fresh copy at v7 ($(git -C "$TREE" rev-parse --short HEAD), 5 series commits over the base)"
		step "$PY" "$HELPER" apply "$TREE" "${SERIES[@]}"
		APPLIED=1
	else
		notok "reference tree: HEAD is not v7 5/5 (\"$head_subj\")"
	fi
fi

# --- 4. the headers are the ones in kernel/include ---------------------------
step "$PY" "$HELPER" headers "$HEADER_DIR" "${SERIES[@]}"

# --- 5. CREATE_TRACE_POINTS and call sites in the patched tree ---------------
if [ "$APPLIED" = 1 ]; then
	step "$PY" "$HELPER" tracepoints "$TREE" "$HEADER_DIR"
fi

stats=$(grep '^#stats ' "$LOG" | tail -n 1)
[ -z "$stats" ] || say "# hunks: ${stats#\#stats }"
skipped=$(grep -cE '^ok .*# SKIP' "$LOG")
pass=$(($(grep -c '^ok ' "$LOG") - skipped))
fail=$(grep -c '^not ok ' "$LOG")
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
