#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps-newest.sh [KERNELS_ENV]
#
# The newest Debian kernel series for the QEMU guests (called by scripts/deps.sh;
# idempotent, a few seconds when everything is in place):
#  1. the newest point release of the pinned series NEW_SERIES from NEW_SUITE, fetched
#     BY NAME (linux-binary-, linux-modules-, linux-base-<ver>) with a private apt
#     configuration under $STATE/apt (its own sources list, lists and cache, an empty
#     dpkg status), so the host's own packages are never upgraded from that suite;
#     unpacked: vmlinuz to /boot/vmlinuz-<ver>, the modules to /lib/modules/<ver>, depmod;
#  2. a Debian 13 build root at $STATE/trixie-root (debootstrap --variant=minbase from
#     the same mirror + make, gcc, dwarves, linux-headers-<ver> from NEW_SUITE): the
#     7.x kbuild tools (modpost, objtool, resolve_btfids) need trixie's glibc 2.38+ and
#     its gcc 14, which built the kernel; kernel/tphsim/scripts/build.sh uses it.
# Prints the version and appends KVER_NEW, KSERIES_NEW and KROOT_NEW to KERNELS_ENV.
#
# Environment: TPHTRACE_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# TPHTRACE_STATE (default /var/lib/tphtrace).
set -euo pipefail

# Pinned series: a new series is a new kernel for every test, so it is taken on
# purpose (this line), not by surprise; the script says when the suite has a newer one.
NEW_SERIES=7.3
NEW_SUITE=trixie-backports
NEW_CODENAME=trixie
NEW_ABI=deb13

MIRROR=${TPHTRACE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
STATE=${TPHTRACE_STATE:-/var/lib/tphtrace}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
envf=${1:-}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

die() { echo "deps-newest: $*" >&2; exit 1; }

# ---- private apt: nothing of it touches the host's package state ------------------
A=$STATE/apt
napt_opts=(-o "Dir::Etc=$A/etc" -o "Dir::Etc::sourcelist=$A/etc/sources.list"
	-o "Dir::Etc::sourceparts=-" -o "Dir::State=$A/state" -o "Dir::Cache=$A/cache"
	-o "Dir::State::status=/dev/null" -o "Debug::NoLocking=1"
	-o "APT::Sandbox::User=root" -q)
napt_setup() {
	$SUDO mkdir -p "$A/etc/apt.conf.d" "$A/etc/preferences.d" "$A/state/lists/partial" \
		"$A/cache/archives/partial" "$A/debs"
	echo "deb [signed-by=$KEYRING] $MIRROR $NEW_SUITE main" |
		$SUDO tee "$A/etc/sources.list.new" >/dev/null
	if ! cmp -s "$A/etc/sources.list.new" "$A/etc/sources.list" 2>/dev/null; then
		$SUDO mv "$A/etc/sources.list.new" "$A/etc/sources.list"
		$SUDO rm -f "$A/state/lists/"*_Packages* "$A/state/lists/"*Release*
	else
		$SUDO rm -f "$A/etc/sources.list.new"
	fi
	# refresh the lists at most every 6 hours (as scripts/deps.sh does)
	if [ -z "$(find "$A/state/lists" -maxdepth 1 -name '*_Packages' -mmin -360 2>/dev/null)" ]; then
		$SUDO apt-get "${napt_opts[@]}" update >"$A/update.log" 2>&1 ||
			{ tail -n 20 "$A/update.log" >&2; return 1; }
		$SUDO touch "$A"/state/lists/*_Packages
	fi
}
napt_newest() { # newest package of the private suite matching an extended regex
	apt-cache "${napt_opts[@]}" search --names-only "$1" 2>/dev/null |
		awk '{print $1}' | grep -E "$1" | sort -V | tail -n 1
}

# ---- 1. the kernel ------------------------------------------------------------------
ser_re=${NEW_SERIES//./\\.}
kver=""
if napt_setup; then
	pkg=$(napt_newest "^linux-binary-$ser_re\.[0-9]+\+$NEW_ABI-amd64$")
	[ -z "$pkg" ] || kver=${pkg#linux-binary-}
	newer=$(napt_newest "^linux-binary-[0-9]+\.[0-9]+\.[0-9]+\+$NEW_ABI-amd64$")
	newer=${newer#linux-binary-}
	newer_ser=$(echo "$newer" | cut -d. -f1,2)
	if [ -n "$newer_ser" ] && [ "$newer_ser" != "$NEW_SERIES" ] &&
		[ "$(printf '%s\n%s\n' "$NEW_SERIES" "$newer_ser" | sort -V | tail -n 1)" = "$newer_ser" ]; then
		echo "deps: note: $NEW_SUITE has the $newer_ser series now ($newer); the pinned one is" \
			"NEW_SERIES=$NEW_SERIES (scripts/deps-newest.sh)"
	fi
else
	echo "deps-newest: could not read $NEW_SUITE from $MIRROR" >&2
fi
if [ -z "$kver" ]; then
	# the mirror dropped the series (or is unreachable): keep what is unpacked, if any
	kver=$(ls /lib/modules 2>/dev/null | grep -E "^$ser_re\.[0-9]+\+$NEW_ABI-amd64$" | sort -V | tail -n 1)
	[ -n "$kver" ] || die "no linux-binary-$NEW_SERIES.*+$NEW_ABI-amd64 in $NEW_SUITE ($MIRROR): bump NEW_SERIES in scripts/deps-newest.sh"
	echo "deps: warning: $NEW_SUITE has no $NEW_SERIES kernel now; using the unpacked $kver" >&2
fi

mods=/lib/modules/$kver
stamp=$mods/.tphtrace-unpacked
if [ ! -f "$stamp" ] || [ ! -s "/boot/vmlinuz-$kver" ] || [ ! -s "$mods/modules.dep" ]; then
	debs=()
	for p in "linux-binary-$kver" "linux-modules-$kver" "linux-base-$kver"; do
		(cd "$A/debs" && $SUDO apt-get "${napt_opts[@]}" download "$p" >>"$A/download.log" 2>&1) ||
			{ tail -n 20 "$A/download.log" >&2; die "apt-get download $p failed"; }
		got=("$A/debs/${p}_"*.deb)	# one: the debs go once unpacked
		debs+=("${got[-1]}")
	done
	tmp=$($SUDO mktemp -d "$STATE/unpack.XXXXXX")
	for d in "${debs[@]}"; do $SUDO dpkg-deb -x "$d" "$tmp"; done
	src=$tmp/usr/lib/modules/$kver
	[ -d "$src" ] || src=$tmp/lib/modules/$kver
	[ -s "$src/vmlinuz" ] || die "no vmlinuz in linux-binary-$kver"
	$SUDO rm -rf "$mods"
	$SUDO mkdir -p "$mods"
	$SUDO cp -a "$src/." "$mods/"
	$SUDO mv "$mods/vmlinuz" "/boot/vmlinuz-$kver.new"
	$SUDO mv "/boot/vmlinuz-$kver.new" "/boot/vmlinuz-$kver"
	$SUDO depmod -a "$kver"
	$SUDO rm -rf "$tmp" "${debs[@]}"
	$SUDO touch "$stamp"
fi
echo "deps: kernel $NEW_SERIES series -> $kver (guest only: /boot/vmlinuz-$kver, $mods; from $NEW_SUITE)"

# ---- 2. the Debian 13 build root -------------------------------------------------
root=$STATE/$NEW_CODENAME-root
rstamp=$root/.tphtrace-ready
root_pkgs=(make gcc dwarves "linux-headers-$kver")
if [ ! -f "$rstamp" ]; then
	$SUDO rm -rf "$root.tmp"
	$SUDO debootstrap --variant=minbase "$NEW_CODENAME" "$root.tmp" "$MIRROR" \
		>"$STATE/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$STATE/debootstrap.log" >&2; die "debootstrap $NEW_CODENAME failed"; }
	echo "deb $MIRROR $NEW_SUITE main" | $SUDO tee "$root.tmp/etc/apt/sources.list.d/$NEW_SUITE.list" >/dev/null
	$SUDO rm -rf "$root"
	$SUDO mv "$root.tmp" "$root"
	echo none | $SUDO tee "$rstamp" >/dev/null
fi
if [ "$(cat "$rstamp")" != "$kver" ]; then
	# a new point release: its headers (the previous ones stay, for old modules)
	{
		$SUDO chroot "$root" apt-get -q update &&
			DEBIAN_FRONTEND=noninteractive $SUDO chroot "$root" apt-get -y -q \
				--no-install-recommends install "${root_pkgs[@]}" &&
			$SUDO chroot "$root" apt-get -q clean
	} >"$STATE/root-apt.log" 2>&1 ||
		{ tail -n 20 "$STATE/root-apt.log" >&2; die "build root: apt-get install ${root_pkgs[*]} failed"; }
	echo "$kver" | $SUDO tee "$rstamp" >/dev/null
fi
[ -d "$root/lib/modules/$kver/build/" ] || die "build root: no /lib/modules/$kver/build"
echo "deps: Debian 13 build root -> $root ($(chroot "$root" gcc -dumpfullversion 2>/dev/null | sed 's/^/gcc /'), headers $kver)"

if [ -n "$envf" ]; then
	{
		echo "KVER_NEW=$kver"
		echo "KSERIES_NEW=$NEW_SERIES"
		echo "KROOT_NEW=$root"
	} >>"$envf"
fi
