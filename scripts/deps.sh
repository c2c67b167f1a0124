#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian 12 package tphtrace's build, tests, demo and benchmarks need.
# Idempotent. Kernel images/headers are pinned by *series* (6.12, 6.1): the mirror keeps
# only the last few point releases, so the newest available of each is installed and
# printed (and recorded in .output/kernels.env for the test harness).
#
# The newest Debian kernel series (scripts/deps-newest.sh, from trixie-backports) is for the
# QEMU guests only and never goes through the host's package manager: its packages are
# fetched by name with a private apt configuration (/var/lib/tphtrace/apt) and unpacked,
# vmlinuz into /boot and the modules into /lib/modules; out-of-tree modules for it are
# built in a Debian 13 build root (/var/lib/tphtrace/trixie-root, debootstrap from the
# same mirror), since its kbuild tools need trixie's glibc and its compiler.
#
# arm64 (scripts/deps-arm64.sh): dpkg's arm64 architecture for the cross build's -dev
# packages, and the Debian arm64 6.12 kernel unpacked under /var/lib/tphtrace/arm64 (never
# into the host's /boot) for the qemu-system-aarch64 guest.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
APT="apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

pkgs=(
	make gcc pkg-config git ca-certificates
	clang-19 llvm-19 lld-19
	libbpf-dev bpftool libelf-dev zlib1g-dev
	libmicrohttpd-dev libjson-c-dev libcmocka-dev libcap-dev
	libgnutls28-dev libyaml-dev libcrypt-dev openssl libcap2-bin util-linux
	qemu-system-x86 busybox-static dwarves kmod cpio xz-utils zstd
	pciutils jq curl prometheus python3 python3-jsonschema
	libclang-rt-19-dev
	linux-source-6.12 perl
	sparse	# kernel/scripts/compile-check.sh: C=1
	debootstrap
	libdrm-dev
	# RDMA netlink (src/rdma_nl.c) and the soft-RoCE guest test's MRs
	# (tests/vm/mkmr.c through libibverbs; rdma from iproute2 as the reference)
	libnl-3-dev iproute2 rdma-core ibverbs-providers ibverbs-utils libibverbs-dev
)

want_extra=()
case "${1:-}" in
bench) want_extra+=(bpftrace) ;;
esac

stamp=/var/lib/tphtrace-deps.stamp
need_update=1
if [ -f "$stamp" ] && [ "$(find "$stamp" -mmin -360 2>/dev/null)" ]; then
	need_update=0
fi
[ "$need_update" -eq 0 ] || $SUDO apt-get update -q >/dev/null

newest() { # newest package whose name matches an extended regex
	apt-cache search --names-only "$1" | awk '{print $1}' | grep -E "$1" | sort -V | tail -n 1
}

k612=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$')
k61=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$')
[ -n "$k612" ] || { echo "deps: no linux-image-6.12.*-amd64-unsigned on the mirror" >&2; exit 1; }
[ -n "$k61" ] || { echo "deps: no linux-image-6.1.0-*-amd64-unsigned on the mirror" >&2; exit 1; }
v612=${k612#linux-image-}; v612=${v612%-unsigned}
v61=${k61#linux-image-}; v61=${v61%-unsigned}

$SUDO $APT install "${pkgs[@]}" "${want_extra[@]}" \
	"$k612" "linux-headers-$v612" "$k61" "linux-headers-$v61" >/tmp/tphtrace-deps.log 2>&1 || {
	tail -n 30 /tmp/tphtrace-deps.log >&2
	exit 1
}
$SUDO touch "$stamp"

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/.output"
cat >"$top/.output/kernels.env" <<KEOF
KVER_612=$v612
KVER_61=$v61
KEOF
echo "deps: kernel 6.12 series -> $v612"
echo "deps: kernel 6.1 series  -> $v61"

# ---- the newest Debian kernel series: guest kernel + Debian 13 build root ----------
bash "$top/scripts/deps-newest.sh" "$top/.output/kernels.env"

# ---- arm64: cross toolchain, arm64 libraries (multiarch), arm64 6.12 guest ----------
bash "$top/scripts/deps-arm64.sh" "$top/.output/kernels.env"
