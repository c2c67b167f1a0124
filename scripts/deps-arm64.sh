#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps-arm64.sh [KERNELS_ENV]
#
# What the arm64 build and the arm64 QEMU guest need (called by scripts/deps.sh;
# idempotent, a few seconds when everything is in place):
#  1. dpkg's arm64 architecture (multiarch) and, through apt: Debian's cross compiler
#     (gcc-aarch64-linux-gnu), the arm64 -dev packages tphtrace links against
#     (libbpf-dev:arm64 ... libmicrohttpd-dev:arm64, with static libraries), the
#     arm64 run-time libraries of the guest's bash and jq, and qemu-system-arm
#     (qemu-system-aarch64). Multi-Arch: same packages keep the amd64 ones at the
#     same version: nothing comes from another suite.
#  2. the newest Debian arm64 6.12 kernel, fetched BY NAME (apt-get download
#     linux-image-<ver>-unsigned:arm64 linux-headers-<ver>:arm64) and unpacked with
#     dpkg-deb -x under $ARM64_ROOT as if it were a root: boot/vmlinuz-<ver>,
#     lib/modules/<ver> (depmod -b), usr/src/linux-headers-<ver> (its vmlinux is the
#     BTF of `make vmlinux ARCH=arm64`). Never installed into the host's /boot (an
#     arm64 vmlinuz there would become a boot loader entry). The headers' scripts/
#     and tools/ links reach $ARM64_ROOT/usr/lib/linux-kbuild-<series>, a link to the
#     host's own amd64 linux-kbuild of the same version: kbuild runs amd64 modpost,
#     fixdep and resolve_btfids and the cross compiler the headers name
#     (aarch64-linux-gnu-gcc-12).
#  3. the guest's userland, $ARM64_ROOT/guest: arm64 busybox (static), bash and jq
#     from their arm64 packages (dpkg-deb -x), usr-merged, busybox applets linked in
#     usr/bin and usr/sbin. tests/vm/run-guest.sh stacks it over the host root, whose
#     /usr/lib/aarch64-linux-gnu holds the arm64 libraries from step 1.
# Prints the version and appends KVER_ARM64 and ARM64_ROOT to KERNELS_ENV.
#
# Environment: TPHTRACE_STATE (default /var/lib/tphtrace).
set -euo pipefail

STATE=${TPHTRACE_STATE:-/var/lib/tphtrace}
ROOT=$STATE/arm64
envf=${1:-}
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600 --no-install-recommends"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
log=/tmp/tphtrace-deps-arm64.log

die() { echo "deps-arm64: $*" >&2; exit 1; }

# ---- 1. multiarch, cross compiler, arm64 libraries, QEMU ----------------------------
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
	$SUDO apt-get update -q >/dev/null
fi
pkgs=(
	gcc-aarch64-linux-gnu qemu-system-arm
	libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64
	libjson-c-dev:arm64 libmicrohttpd-dev:arm64 libcap-dev:arm64
	libgnutls28-dev:arm64 libyaml-dev:arm64 libcrypt-dev:arm64 libnl-3-dev:arm64
	libtinfo6:arm64 libjq1:arm64 libonig5:arm64
)
$SUDO $APT install "${pkgs[@]}" >"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }

newest() { # newest package whose name matches an extended regex
	apt-cache search --names-only "$1" | awk '{print $1}' | grep -E "$1" | sort -V | tail -n 1
}
k=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$')
[ -n "$k" ] || die "no linux-image-6.12.*-arm64-unsigned on the mirror"
kver=${k#linux-image-}
kver=${kver%-unsigned}
abi=${kver%-arm64}			# 6.12.118+deb12
# the host tools of the same version build modules for it (amd64, same source)
$SUDO $APT install "linux-kbuild-$abi" "linux-headers-$abi-common" >>"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; exit 1; }

# ---- 2. the kernel, unpacked under $ROOT ----------------------------------------------
stamp=$ROOT/.kernel-$kver
if [ ! -f "$stamp" ]; then
	$SUDO mkdir -p "$ROOT/debs"
	(cd "$ROOT/debs" && $SUDO apt-get download -q \
		"linux-image-$kver-unsigned:arm64" "linux-headers-$kver:arm64") >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get download of the $kver packages failed"; }
	for d in "$ROOT/debs/linux-image-$kver-unsigned_"*_arm64.deb \
		"$ROOT/debs/linux-headers-${kver}_"*_arm64.deb; do
		[ -f "$d" ] || die "missing $d"
		$SUDO dpkg-deb -x "$d" "$ROOT"
	done
	# kbuild tools: the host's amd64 linux-kbuild of the same version
	$SUDO mkdir -p "$ROOT/usr/lib"
	$SUDO ln -sfn "/usr/lib/linux-kbuild-$abi" "$ROOT/usr/lib/linux-kbuild-$abi"
	$SUDO ln -sfn "$ROOT/usr/src/linux-headers-$kver" "$ROOT/lib/modules/$kver/build"
	$SUDO depmod -b "$ROOT" "$kver"
	# the device trees (virt gets its own from QEMU) and the packages
	$SUDO rm -rf "$ROOT/usr/lib/linux-image-$kver" "$ROOT/debs"
	$SUDO touch "$stamp"
fi
# older point releases go: the mirror keeps a few, a guest uses the newest
for old in "$ROOT"/.kernel-*; do
	[ -e "$old" ] || continue
	o=${old##*/.kernel-}
	[ "$o" != "$kver" ] || continue
	$SUDO rm -rf "$ROOT/boot/"*"-$o" "$ROOT/lib/modules/$o" "$ROOT/usr/src/linux-headers-$o" \
		"$ROOT/usr/lib/linux-kbuild-${o%-arm64}" "$old"
done
[ -r "$ROOT/boot/vmlinuz-$kver" ] && [ -f "$ROOT/lib/modules/$kver/modules.dep" ] &&
	[ -f "$ROOT/usr/src/linux-headers-$kver/vmlinux" ] || die "incomplete $ROOT for $kver"

# ---- 3. the guest's userland --------------------------------------------------------
G=$ROOT/guest
gpkgs=(busybox-static bash jq)
want=""
for p in "${gpkgs[@]}"; do
	want="$want $p=$(apt-cache policy "$p:arm64" | sed -n 's/^ *Candidate: //p')"
done
if [ "$(cat "$G/.packages" 2>/dev/null)" != "$want" ]; then
	tmp=$ROOT/guest.new
	$SUDO rm -rf "$tmp" "$ROOT/guest.debs"
	$SUDO mkdir -p "$tmp/usr/bin" "$tmp/usr/sbin" "$ROOT/guest.debs"
	(cd "$ROOT/guest.debs" && $SUDO apt-get download -q "${gpkgs[@]/%/:arm64}") >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get download of the guest's packages failed"; }
	x=$ROOT/guest.x
	$SUDO rm -rf "$x"
	for d in "$ROOT/guest.debs"/*.deb; do $SUDO dpkg-deb -x "$d" "$x"; done
	$SUDO cp "$x/bin/busybox" "$x/bin/bash" "$x/usr/bin/jq" "$tmp/usr/bin/"
	# every applet in both bin directories: the job's PATH starts with
	# /usr/sbin, and whatever the guest does not shadow is the host's amd64.
	# The applet list comes from the host's amd64 busybox-static: same
	# Debian source and configuration (the arm64 one cannot run here).
	for a in $(/bin/busybox --list); do
		case $a in busybox | bash) continue ;; esac
		[ -e "$tmp/usr/bin/$a" ] || $SUDO ln -s busybox "$tmp/usr/bin/$a"
		[ -e "$tmp/usr/sbin/$a" ] || $SUDO ln -s ../bin/busybox "$tmp/usr/sbin/$a"
	done
	echo "$want" | $SUDO tee "$tmp/.packages" >/dev/null
	$SUDO rm -rf "$G" "$x" "$ROOT/guest.debs"
	$SUDO mv "$tmp" "$G"
fi

if [ -n "$envf" ]; then
	{
		echo "KVER_ARM64=$kver"
		echo "ARM64_ROOT=$ROOT"
	} >>"$envf"
fi
echo "deps: kernel arm64 6.12 series -> $kver (guest only, unpacked under $ROOT)"
