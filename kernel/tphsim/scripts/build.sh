#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build.sh [-o OUTDIR] KVER [MAKEVAR=VALUE...]
#
# Builds tphsim.ko (and tphsim_dmabuf_tp.ko where the kernel lacks the real
# dma_buf:* tracepoints) for kernel KVER, with module BTF, from a copy of
# kernel/tphsim + kernel/tree (the source tree keeps no build products),
# and copies the .ko files to OUTDIR (default .output/tphsim/KVER). MAKEVAR=VALUE
# pairs go to make. Where it builds:
#   - /lib/modules/KVER/build on this host (Debian 6.12 and 6.1): kbuild here;
#     module BTF by kbuild when the headers ship vmlinux (6.12), else split BTF
#     encoded with pahole against the base extracted from /boot/vmlinuz-KVER (6.1);
#   - else the Debian 13 build root of scripts/deps-newest.sh (KROOT_NEW in
#     .output/kernels.env, or $TPHSIM_BUILD_ROOT): kbuild under chroot, with the
#     compiler and tools the kernel was built with (the newest series, 7.3);
#   - a KVER ending in -arm64: cross-built here against the arm64 headers that
#     scripts/deps-arm64.sh unpacks (ARM64_ROOT in .output/kernels.env); they
#     name the compiler (aarch64-linux-gnu-gcc-12), kbuild's tools are the
#     host's amd64 ones of the same version.
# Fails unless every module has a .BTF section. Prints one line per module.
# The result is kept in .output/tphsim/KVER[/MAKEVARS]/ and reused while no
# file of kernel/tphsim (ctl/ aside), kernel/tree or this script is newer
# ("cached" in the line); builds of one KVER and MAKEVARS take turns (flock).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ksrc=$(cd "$here/../.." && pwd)		# kernel/
top=$(cd "$ksrc/.." && pwd)
out=""
while getopts "o:h" o; do
	case $o in
	o) out=$OPTARG ;;
	*) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
kver=$1
shift
die() { echo "tphsim build: $*" >&2; exit 1; }

vars=""
[ $# -eq 0 ] || vars=$(printf '%s_' "$@" | tr -c 'A-Za-z0-9=._-' '_')
cache=$top/.output/tphsim/$kver${vars:+/$vars}
out=${out:-$cache}
mkdir -p "$cache" "$out"
exec 9>"$cache/.lock"
flock 9
stamp=$cache/.built
if [ -f "$stamp" ] && [ -f "$cache/.how" ] &&
	[ -z "$(find "$ksrc/tphsim" "$ksrc/tree" "$0" -newer "$stamp" -not -path '*/ctl/*' -print -quit)" ]; then
	n=0
	for ko in "$cache"/*.ko; do
		[ -e "$ko" ] || break
		[ "$out" = "$cache" ] || cp "$ko" "$out/"
		echo "tphsim build: $out/$(basename "$ko") for $kver (cached: $(cat "$cache/.how"))"
		n=$((n + 1))
	done
	[ $n = 0 ] || exit 0
fi
rm -f "$stamp"

root="" kdir=/lib/modules/$kver/build
if [[ $kver == *-arm64 ]]; then
	a=$(sed -n 's/^ARM64_ROOT=//p' "$top/.output/kernels.env" 2>/dev/null | tail -n 1)
	kdir=${a:-/var/lib/tphtrace/arm64}/lib/modules/$kver/build
	[ -d "$kdir/" ] || die "no arm64 headers $kdir (scripts/deps.sh)"
	where="host kbuild, cross to arm64"
elif [ -d "/lib/modules/$kver/build/" ]; then
	where="host kbuild"
else
	root=${TPHSIM_BUILD_ROOT:-}
	[ -n "$root" ] || root=$(sed -n 's/^KROOT_NEW=//p' "$top/.output/kernels.env" 2>/dev/null | tail -n 1)
	[ -n "$root" ] && [ -d "$root/lib/modules/$kver/build/" ] ||
		die "no headers for $kver here or in a build root (scripts/deps.sh)"
	where="chroot $root"
fi

# a private copy of the sources (inside the build root when there is one)
if [ -n "$root" ]; then
	tmp=$(mktemp -d "$root/tmp/tphsim-build.XXXXXX")
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tphsim-build.XXXXXX")
fi
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/kernel"
cp -r "$ksrc/tphsim" "$ksrc/tree" "$tmp/kernel/"
rm -f "$tmp"/kernel/tphsim/*.ko "$tmp"/kernel/tphsim/*.o
sim=$tmp/kernel/tphsim
log=$cache/build.log

kmake() { # in the build root or here
	if [ -n "$root" ]; then
		# objtool wants /proc: mounted in a private mount namespace,
		# gone with it
		unshare --mount --fork sh -c 'r=$1; shift; mount -t proc proc "$r/proc" &&
			exec chroot "$r" "$@"' sh "$root" \
			make -C "${sim#"$root"}" KDIR="/lib/modules/$kver/build" "$@"
	else
		make -C "$sim" KDIR="$kdir" "$@"
	fi
}
kmake "$@" modules >"$log" 2>&1 || { tail -n 25 "$log" >&2; die "make modules failed for $kver (log: $log)"; }

btf="kbuild"
kdir_vmlinux=${root}$kdir/vmlinux
if [ ! -f "$kdir_vmlinux" ]; then
	# no BTF base in the headers (6.1): the one of the image the module runs on
	btf="pahole --btf_base, base from /boot/vmlinuz-$kver"
	"$here/extract-btf.sh" "/boot/vmlinuz-$kver" "$tmp/vmlinux.btf" >>"$log" 2>&1 &&
		make -C "$sim" KDIR="/lib/modules/$kver/build" VMLINUX_BTF="$tmp/vmlinux.btf" "$@" btf >>"$log" 2>&1 ||
		{ tail -n 25 "$log" >&2; die "module BTF failed for $kver (log: $log)"; }
fi
rm -f "$cache"/*.ko
[ "$out" = "$cache" ] || rm -f "$out"/*.ko
for ko in "$sim"/*.ko; do
	[ -e "$ko" ] || die "no module built for $kver (log: $log)"
	# not grep -q: under pipefail, readelf killed by SIGPIPE would fail the check
	readelf -S "$ko" | grep ' \.BTF ' >/dev/null || die "$(basename "$ko") has no .BTF section ($kver)"
	cp "$ko" "$cache/"
	[ "$out" = "$cache" ] || cp "$ko" "$out/"
	echo "tphsim build: $out/$(basename "$ko") for $kver ($where; module BTF: $btf)"
done
echo "$where; module BTF: $btf" >"$cache/.how"
touch "$stamp"
