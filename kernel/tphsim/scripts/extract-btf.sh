#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# extract-btf.sh VMLINUZ OUT
#
# Writes the raw .BTF section of the kernel image VMLINUZ to OUT: the base
# against which `pahole -J --btf_base OUT` encodes an out-of-tree module's
# split BTF when the kernel headers ship no vmlinux (Debian 6.1). The
# compressed payload is found by its magic, like scripts/extract-vmlinux.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 VMLINUZ OUT" >&2; exit 2; }
img=$1
out=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/extract-btf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

try() { # magic (grep -P escapes) decompressor...
	magic=$1
	shift
	for pos in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
		tail -c+"$((pos + 1))" "$img" | "$@" >"$tmp/vmlinux" 2>/dev/null || true
		if readelf -S "$tmp/vmlinux" 2>/dev/null | grep -q '\.BTF '; then
			return 0
		fi
	done
	return 1
}

if readelf -S "$img" 2>/dev/null | grep -q '\.BTF '; then
	cp "$img" "$tmp/vmlinux"
elif try '\xfd7zXZ\x00' xz -dc ||
	try '\x1f\x8b\x08' gzip -dc ||
	try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\x5d\x00\x00\x00' xz -F lzma -dc ||
	try 'BZh' bzip2 -dc; then
	:
else
	echo "extract-btf: no vmlinux with .BTF found in $img" >&2
	exit 1
fi
objcopy --dump-section .BTF="$out" "$tmp/vmlinux" "$tmp/discard"
echo "extract-btf: $out ($(wc -c <"$out") bytes) from $img" >&2
