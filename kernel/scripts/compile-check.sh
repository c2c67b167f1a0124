#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# compile-check.sh PATCHED_TREE
#
# The trace headers the series adds compile with CREATE_TRACE_POINTS, each
# in a compilation unit of its own of an out-of-tree module built with W=1
# (kernel/scripts/compile/: the driver-private types the events read,
# stubbed with the drivers' field names), against the Debian kernels the
# project tests on: 6.1 and 6.12 (host kbuild; before v6.10 from a copy
# with the old __assign_str(dst, src), made by tphsim's
# scripts/assign-str-compat.py) and the newest series (its Debian 13 build
# root, scripts/deps-newest.sh). The driver-local headers are taken from
# PATCHED_TREE (what the patches create); the events the series inserts
# into include/trace/events/{pci,dma_buf}.h compile as the whole patched
# upstream header on the newest kernel, and as the inserted lines alone on
# older kernels, whose own headers lack the upstream events around them.
#
# Then the files the series patches that the reference tree has exactly
# (drivers/pci/tph.c, mlx5 core lib/st.c, vfio_pci_dmabuf.c with its
# vfio_pci_priv.h), as the patches leave them, with W=1 against the newest
# kernel's headers: the base is a mid-2026 tree (about v7.1-rc), which
# 6.12 predates by the PCI TPH core (6.13), the mlx5 ST table (6.17) and
# vfio-pci's dma-buf export (6.19), so against 6.12 the "stubs" would be
# those subsystems. The stubs (kernel/scripts/compile/exact/) are what the
# newest headers lack: CONFIG_PCIE_TPH (Debian has it off), the few
# declarations of the drivers' private headers these files use, the TPH
# series' uapi and, generated here, the get_pci_tph member of struct
# dma_buf_ops (v10 2/4) in a copy of the kernel's <linux/dma-buf.h>.
#
# The 6.1 and 6.12 builds run sparse too (C=1, Debian's sparse 0.6.4). The
# newest kernel's cannot: Debian's 7.3 headers package lacks
# scripts/checker-valid.sh, so its kbuild says "C=1 specified, but sparse is
# not available or not up to date" and builds without it.
#
# Prints one ok/not ok line per kernel and one for the EXACT files; a
# kernel that is not installed is skipped, and a failure under CI=true
# (scripts/deps.sh installs all three).
set -u

tree=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
envf=$top/.output/kernels.env
get() { [ -f "$envf" ] && sed -n "s/^$1=//p" "$envf" | tail -n 1; }
k61=$(get KVER_61)
k612=$(get KVER_612)
knew=$(get KVER_NEW)
root=$(get KROOT_NEW)
[ -n "$k61" ] || k61=$(ls /lib/modules 2>/dev/null | grep -E '^6\.1\.' | sort -V | tail -n 1)
[ -n "$k612" ] || k612=$(ls /lib/modules 2>/dev/null | grep -E '^6\.12\.' | sort -V | tail -n 1)
[ -n "$root" ] || root=${TPHTRACE_STATE:-/var/lib/tphtrace}/trixie-root
[ -n "$knew" ] || knew=$(ls "$root/lib/modules" 2>/dev/null | sort -V | tail -n 1)

DRIVER_HEADERS=(drivers/vfio/pci/vfio_pci_trace.h
	drivers/net/ethernet/mellanox/mlx5/core/diag/st_tracepoint.h
	drivers/infiniband/hw/mlx5/mr_tracepoint.h)

# a check whose kernel is not installed: skipped, and a failure under CI=true
missing() { # WHAT
	if [ "${CI:-}" = true ]; then
		echo "not ok - compile: $1: no kernel headers (scripts/deps.sh; CI=true: required)"
	else
		echo "ok - compile: $1 # SKIP no kernel headers (scripts/deps.sh)"
	fi
}

# unit NAME: a .c file that instantiates one header
unit() { # NAME INCLUDE [PRE]
	{
		echo "// SPDX-License-Identifier: GPL-2.0"
		[ -z "${3:-}" ] || printf '%s\n' "$3"
		echo "#define CREATE_TRACE_POINTS"
		echo "#include \"$2\""
	} >"$w/$1.c"
}

check_kernel() { # LABEL KVER CHROOT(or empty) NEWEST(0/1)
	local label=$1 kver=$2 croot=$3 newest=$4 base log rc h units
	if [ -z "$kver" ] || [ ! -d "$croot/lib/modules/$kver/build" ]; then
		missing "trace headers, $label"
		return
	fi
	if [ -n "$croot" ]; then
		base=$(mktemp -d "$croot/tmp/tph-compile.XXXXXX")
	else
		base=$(mktemp -d "${TMPDIR:-/tmp}/tph-compile.XXXXXX")
	fi
	w=$base/m
	# include/trace: where TRACE_INCLUDE_PATH ../../drivers/... is looked up
	mkdir -p "$w/tree/include/trace"
	cp "$here"/compile/*.[ch] "$here"/compile/Makefile "$w/"
	for h in "${DRIVER_HEADERS[@]}"; do
		mkdir -p "$w/tree/$(dirname "$h")"
		cp "$tree/$h" "$w/tree/$h"
	done
	units="main.o tp_vfio.o tp_mlx5.o tp_mlx5_ib.o tp_pci.o tp_dma_buf.o"
	unit tp_vfio vfio_pci_trace.h
	unit tp_mlx5 diag/st_tracepoint.h
	unit tp_mlx5_ib mr_tracepoint.h
	for s in pci dma_buf; do
		if [ "$newest" = 1 ]; then
			# the whole upstream header as the patch leaves it
			cp "$tree/include/trace/events/$s.h" "$w/tree/patched_$s.h"
			unit "tp_$s" "patched_$s.h" "#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE patched_$s"
		else
			cp "$top/kernel/tree/include/trace/events/$s-tph.inc" "$w/tree/frag_$s.inc"
			unit "tp_$s" "tp_frag_$s.h"
		fi
	done
	mv "$w"/tp_frag_*.h "$w/tree/" 2>/dev/null
	if [ "$(printf '%s\n' "${kver%%[-+]*}" 6.10 | sort -V | head -n 1)" != 6.10 ] &&
		[ "${kver%%.*}" -lt 7 ]; then
		python3 "$top/kernel/tphsim/scripts/assign-str-compat.py" "$w/tree" "$w/tree.compat" &&
			rm -rf "$w/tree" && mv "$w/tree.compat" "$w/tree"
		mkdir -p "$w/tree/include/trace"
	fi
	local inc="${w#"$croot"}/tree"
	local cflags="-I$inc -I$inc/include/trace -I$inc/drivers/vfio/pci"
	cflags="$cflags -I$inc/drivers/net/ethernet/mellanox/mlx5/core -I$inc/drivers/infiniband/hw/mlx5"
	log=$base/build.log
	if [ -n "$croot" ]; then
		unshare --mount --fork sh -c 'r=$1; shift; mount -t proc proc "$r/proc" &&
			exec chroot "$r" "$@"' sh "$croot" \
			make -C "/lib/modules/$kver/build" M="${w#"$croot"}" W=1 \
			TPH_UNITS="$units" TPH_CFLAGS="$cflags" modules >"$log" 2>&1
	else
		make -C "/lib/modules/$kver/build" M="$w" W=1 C=1 TPH_UNITS="$units" \
			TPH_CFLAGS="$cflags" modules >"$log" 2>&1
	fi
	rc=$?
	local warn
	# the compiler's diagnostics (not make's own, e.g. about its jobserver)
	warn=$(grep -E '\.(c|h|inc):[0-9]+(:[0-9]+)?: (warning|error):|^cc1: (warning|error):' "$log" | head -n 5)
	# C=1 (host kernels): sparse checked every unit (kbuild's "CHECK" lines;
	# its warnings have the compiler's format, caught above)
	if [ $rc -eq 0 ] && [ -z "$warn" ] && [ -f "$w/tph_compile.ko" ] &&
		{ [ -n "$croot" ] || [ "$(grep -c '^  CHECK ' "$log")" -ge 6 ]; }; then
		local sp=", sparse"
		[ -z "$croot" ] || sp=" (no sparse: Debian's 7.3 headers lack scripts/checker-valid.sh)"
		echo "ok - compile: trace headers with CREATE_TRACE_POINTS, W=1$sp, $label ($kver): pci, dma_buf, vfio_pci, mlx5, mlx5_ib"
	else
		echo "not ok - compile: trace headers, $label ($kver): make exit $rc"
		{ [ -n "$warn" ] && echo "$warn" || tail -n 8 "$log"; } | sed 's/^/    /'
	fi
	rm -rf "$base"
}

check_exact() { # KVER CHROOT
	local kver=$1 croot=$2 base w log rc warn f objs="" hdrs
	if [ -z "$kver" ] || [ ! -d "$croot/lib/modules/$kver/build" ]; then
		missing "EXACT files, newest Debian"
		return
	fi
	base=$(mktemp -d "$croot/tmp/tph-exact.XXXXXX")
	w=$base/m
	mkdir -p "$w"
	cp -r "$here"/compile/exact/. "$here"/compile/uapi_stubs.h "$w/"
	for f in drivers/pci/tph.c drivers/net/ethernet/mellanox/mlx5/core/lib/st.c \
		drivers/vfio/pci/vfio_pci_dmabuf.c drivers/vfio/pci/vfio_pci_priv.h \
		"${DRIVER_HEADERS[@]}" include/linux/pci-tph.h include/trace/events/pci.h; do
		mkdir -p "$w/$(dirname "$f")"
		cp "$tree/$f" "$w/$f"
	done
	hdrs=$(ls -d "$croot"/usr/src/linux-headers-"${kver%-*}"-common 2>/dev/null | head -n 1)
	python3 - "$hdrs/include/linux/dma-buf.h" "$w/include/linux/dma-buf.h" <<'PY' || { echo "not ok - compile: EXACT files: no struct dma_buf_ops.unpin in $hdrs"; rm -rf "$base"; return; }
import sys
src, dst = sys.argv[1:]
s = open(src).read()
anchor = '\tvoid (*unpin)(struct dma_buf_attachment *attach);\n'
if anchor not in s:
    sys.exit(1)
s = s.replace(anchor, anchor + '\n\tint (*get_pci_tph)(struct dma_buf *dmabuf, bool extended,\n'
              '\t\t\t   u16 *steering_tag, u8 *ph);\n')
open(dst, 'w').write(s)
PY
	for f in drivers/pci/tph drivers/net/ethernet/mellanox/mlx5/core/lib/st drivers/vfio/pci/vfio_pci_dmabuf; do
		objs="$objs $f.o"
	done
	log=$base/build.log
	# one object at a time (no modpost: these files' exports belong to the kernel)
	# shellcheck disable=SC2086 # the object list
	unshare --mount --fork sh -c 'r=$1; shift; mount -t proc proc "$r/proc" &&
		exec chroot "$r" "$@"' sh "$croot" \
		make -C "/lib/modules/$kver/build" M="${w#"$croot"}" W=1 $objs >"$log" 2>&1
	rc=$?
	warn=$(grep -E '\.(c|h|inc):[0-9]+(:[0-9]+)?: (warning|error):|^cc1: (warning|error):' "$log" | head -n 5)
	if [ $rc -eq 0 ] && [ -z "$warn" ]; then
		echo "ok - compile: EXACT files as patched, W=1, newest Debian ($kver): drivers/pci/tph.c, mlx5 core lib/st.c, vfio_pci_dmabuf.c"
	else
		echo "not ok - compile: EXACT files as patched, newest Debian ($kver): make exit $rc"
		{ [ -n "$warn" ] && echo "$warn" || tail -n 8 "$log"; } | sed 's/^/    /'
	fi
	rm -rf "$base"
}

check_kernel "Debian 6.1" "$k61" "" 0
check_kernel "Debian 6.12" "$k612" "" 0
check_kernel "newest Debian" "$knew" "$root" 1
check_exact "$knew" "$root"
