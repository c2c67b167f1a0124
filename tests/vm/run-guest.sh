#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-guest.sh [options] -- COMMAND [ARG...]
# run-guest.sh [options] -s SCRIPTFILE [ARG...]   (- reads the script from stdin)
#
# Runs one job in a throw-away QEMU (TCG) guest whose root is the host's root
# (read-only 9p + tmpfs overlay), so host-built binaries run unchanged.
#   -k SERIES     kernel series: 6.12, 6.1, or new (the newest Debian series, also
#                 by its number, e.g. 7.3); versions from .output/kernels.env
#                 (KVER_612, KVER_61, KVER_NEW/KSERIES_NEW); default 6.12
#   -K KVER       exact kernel version (/boot/vmlinuz-KVER, /lib/modules/KVER)
#   -k arm64      the Debian arm64 6.12 kernel (KVER_ARM64): qemu-system-aarch64
#                 -M virt; a KVER ending in -arm64 (-16k) is one too (kernel, modules
#                 and guest userland under ARM64_ROOT, see scripts/deps-arm64.sh)
#   -t SECONDS    wall-clock limit for the whole boot + job (default 300)
#   -m MEM        guest memory (default 1G)
#   -c CPUS       guest CPUs (default 1; make bench's P7 runs the traced
#                 operation and the tracer on CPUs of their own)
#   -C DIR        the job's working directory (default: the caller's cwd)
#   -J DIR        use DIR as the job directory and keep it (default: a temporary
#                 one under .output/vm/jobs/, removed afterwards)
#   -e VAR=VALUE  export VAR in the job (repeatable); nothing else is inherited
#   -q            do not print the console tail on failure (one line still says why)
#   -Q ARG        one more QEMU argument (repeatable; e.g. -Q -device -Q edu)
#   -A TEXT       more kernel command line (e.g. -A 'intel_iommu=on')
#   -L            live: show what the job writes to /dev/console (after a line
#                 @@live@@) on stdout while it runs (make demo)
# The job sees $VM_JOBDIR (the job directory, same path as on the host; files it
# writes there come back) and $VM_KVER. It runs as root with
# PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root.
# Prints the job's stdout+stderr on stdout. Exit code: the job's; 124 when the
# time limit hit before the job finished; 125 when the guest died without a
# result (kernel panic, oops, init failure) or QEMU failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/.output/vm

usage() { sed -n '3,33p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "run-guest: $*" >&2; exit 125; }

series=6.12 kver="" timeout_s=300 mem=1G cpus=1 cwd=$PWD jobdir="" script="" quiet=0 live=0
envs=() qextra=() append=""
while getopts "k:K:t:m:c:C:J:e:s:qLQ:A:h" o; do
	case $o in
	k) series=$OPTARG ;;
	K) kver=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	C) cwd=$OPTARG ;;
	J) jobdir=$OPTARG ;;
	e) envs+=("$OPTARG") ;;
	s) script=$OPTARG ;;
	q) quiet=1 ;;
	L) live=1 ;;
	Q) qextra+=("$OPTARG") ;;
	A) append+=" $OPTARG" ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$script" ] || [ $# -gt 0 ] || usage
[[ $timeout_s =~ ^[0-9]+$ ]] || die "-t wants whole seconds"
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die "-c wants a number of CPUs"

if [ -z "$kver" ]; then
	envf=$top/.output/kernels.env
	[ -f "$envf" ] || die "$envf missing: run scripts/deps.sh"
	newser=$(sed -n 's/^KSERIES_NEW=//p' "$envf")
	case $series in
	6.12) var=KVER_612 ;;
	6.1) var=KVER_61 ;;
	new | "${newser:-new}") var=KVER_NEW ;;
	arm64) var=KVER_ARM64 ;;
	*) die "-k wants 6.12, 6.1, new${newser:+ ($newser)} or arm64" ;;
	esac
	kver=$(sed -n "s/^$var=//p" "$envf")
	[ -n "$kver" ] || die "$var not set in $envf"
fi
# the machine: x86_64 kernels from the host's /boot; arm64 ones from their own
# root, with a userland of their own stacked over the host's (mkinitramfs.sh)
kroot="" qemu=qemu-system-x86_64 serial=ttyS0
machine=(-cpu max)
case $kver in
*-arm64 | *-arm64-16k)
	kroot=$(sed -n 's/^ARM64_ROOT=//p' "$top/.output/kernels.env" 2>/dev/null | tail -n 1)
	kroot=${kroot:-/var/lib/tphtrace/arm64}
	[ -d "$kroot/guest/usr/bin" ] || die "$kroot/guest missing: run scripts/deps.sh"
	qemu=qemu-system-aarch64 serial=ttyAMA0
	# pauth-impdef: QEMU's cheap pointer-authentication algorithm (the
	# kernel signs every return address; QARMA under TCG costs 2-3x)
	machine=(-M virt -cpu max,pauth-impdef=on)
	export MODROOT=$kroot BUSYBOX=$kroot/guest/usr/bin/busybox LOWER_TOP=$kroot/guest
	;;
esac
vmlinuz=$kroot/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || die "$vmlinuz not found"
[ -d "$cwd" ] || die "no such directory: $cwd"
cwd=$(cd "$cwd" && pwd)
command -v $qemu >/dev/null || die "$qemu not found"

# initramfs cache: rebuilt when missing or older than its generator, the modules
# or (arm64) the guest's userland
mkdir -p "$out/jobs"
initrd=$out/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/mkinitramfs.sh" -nt "$initrd" ] ||
	[ "$kroot/lib/modules/$kver/modules.dep" -nt "$initrd" ] ||
	{ [ -n "$kroot" ] && [ "$kroot/guest/.packages" -nt "$initrd" ]; }; then
	bash "$here/mkinitramfs.sh" "$kver" "$initrd" 2>"$out/initramfs-$kver.log" || {
		cat "$out/initramfs-$kver.log" >&2
		die "initramfs build failed"
	}
fi

# the job directory (shared read-write with the guest as 9p tag "job")
keep=1
if [ -z "$jobdir" ]; then
	jobdir=$(mktemp -d "$out/jobs/job.XXXXXX")
	keep=0
else
	mkdir -p "$jobdir"
	jobdir=$(cd "$jobdir" && pwd)
	rm -f "$jobdir/rc" "$jobdir/rc.tmp" "$jobdir/output"
fi
console=$(mktemp "$out/jobs/console.XXXXXX")
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	if [ "$keep" -eq 0 ]; then rm -rf "$jobdir"; fi
	rm -f "$console"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sq() { # quote for /bin/sh (dash): 'a'\''b'
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
printf '%s\n' "$jobdir" >"$jobdir/jobdir"
printf '%s\n' "$cwd" >"$jobdir/cwd"
{
	echo "# generated by tests/vm/run-guest.sh"
	for e in ${envs[@]+"${envs[@]}"}; do
		[[ $e == *=* ]] || die "-e wants VAR=VALUE: $e"
		[[ ${e%%=*} =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "bad variable name in -e $e"
		echo "export ${e%%=*}=$(sq "${e#*=}")"
	done
	if [ -n "$script" ]; then
		if [ "$script" = - ]; then cat >"$jobdir/script"; else cp "$script" "$jobdir/script"; fi
		chmod 755 "$jobdir/script"
		if head -c 2 "$jobdir/script" | grep -q '^#!'; then
			printf 'exec %s' "$(sq "$jobdir/script")"
		else
			printf 'exec /bin/sh %s' "$(sq "$jobdir/script")"
		fi
		for a in "$@"; do printf ' %s' "$(sq "$a")"; done
		echo
	else
		printf 'exec'
		for a in "$@"; do printf ' %s' "$(sq "$a")"; done
		echo
	fi
} >"$jobdir/job.sh"

esc() { printf '%s' "${1//,/,,}"; } # qemu option values: ',' is written ',,'
qemu_run() {
	timeout -k 5 "$timeout_s" $qemu \
		-accel tcg "${machine[@]}" -m "$mem" -smp "$cpus" -nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=$serial quiet panic=-1 oops=panic nokaslr$append" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$(esc "$jobdir"),mount_tag=job,security_model=none,multidevs=remap" \
		${qextra[@]+"${qextra[@]}"} \
		</dev/null 2>&1
}
qrc=0
if [ "$live" -eq 1 ]; then
	# the console as it comes, from the job's marker on, escapes dropped
	set +e
	qemu_run | tee "$console" |
		sed -u 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r$//' |
		awk '/@@live@@/ { on = 1; next } /^\[ *[0-9]+\.[0-9]+\]/ { next } on { print; fflush() }'
	qrc=${PIPESTATUS[0]}
	set -e
else
	qemu_run >"$console" || qrc=$?
fi
cp -f "$console" "$out/console.log" 2>/dev/null || true
# a kept job keeps its own console: guests run two at a time (test-scenarios)
[ "$keep" -eq 0 ] || cp -f "$console" "$jobdir/console.log" 2>/dev/null || true

[ ! -f "$jobdir/output" ] || cat "$jobdir/output"

if [ -f "$jobdir/rc" ] && rc=$(cat "$jobdir/rc") && [[ $rc =~ ^[0-9]+$ ]]; then
	exit "$rc"
fi
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	rc=124
	why="timed out after ${timeout_s}s"
else
	rc=125
	why="guest died without a result (qemu exit $qrc)"
fi
if [ "$quiet" -eq 0 ]; then
	{
		echo "run-guest: $why; kernel $kver; console tail ($out/console.log):"
		# drop SeaBIOS' terminal escapes
		tail -n 40 "$console" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/^/  | /'
	} >&2
else
	# -q still says why, with the kernel's first complaint (panic=-1 oops=panic)
	echo "run-guest: $why; kernel $kver; $(grep -m1 -aE 'BUG:|Oops|Kernel panic|WARNING:|general protection' \
		"$console" | tr -d '\r' | cut -c1-200)" >&2
fi
exit "$rc"
