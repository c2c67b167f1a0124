#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# selftest.sh: proves the guest harness (tests/vm/run-guest.sh) end to end.
# Prints "ok - NAME" / "not ok - NAME" per check, "# ..." notes, and finally
# "N passed, N failed, N skipped"; exits non-zero on any failure, 77 without
# QEMU or the 6.12 and 6.1 kernels. About 25 s under TCG: the timeout check
# runs in the background while the others boot.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_guest 6.12 6.1

RG=tests/vm/run-guest.sh
envf=.output/kernels.env
tmp=.output/vm/selftest
rm -rf "$tmp"
mkdir -p "$tmp"

pass=0 fail=0
check() { # name command...
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		fail=$((fail + 1))
	fi
}
note() { sed 's/^/# /'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
guest() { # outfile command... ; sets grc and gsec
	local out=$1 t0
	shift
	t0=$(now)
	grc=0
	"$RG" "$@" >"$out" 2>"$out.err" || grc=$?
	gsec=$(since "$t0")
}

kv612=$(sed -n 's/^KVER_612=//p' "$envf" 2>/dev/null || true)
kv61=$(sed -n 's/^KVER_61=//p' "$envf" 2>/dev/null || true)
kvnew=$(sed -n 's/^KVER_NEW=//p' "$envf" 2>/dev/null || true)
knewser=$(sed -n 's/^KSERIES_NEW=//p' "$envf" 2>/dev/null || true)
echo "# kernels: 6.12=${kv612:-?} 6.1=${kv61:-?} new=${kvnew:-?}"

# build both initramfs images up front so that parallel boots do not race on it
for k in "$kv612" "$kv61" "$kvnew"; do
	[ -z "$k" ] || [ -s ".output/vm/initramfs-$k.cpio.gz" ] ||
		bash tests/vm/mkinitramfs.sh "$k" ".output/vm/initramfs-$k.cpio.gz" 2>/dev/null || true
done

# (c) timeout, in the background: a job that sleeps 100 s under -t 20 -> 124
(
	t0=$(now)
	rc=0
	"$RG" -q -t 20 -- sleep 100 >"$tmp/c.out" 2>&1 || rc=$?
	echo "$rc $(since "$t0")" >"$tmp/c.rc"
) &
cpid=$!

# (a) (e) (g) in one 6.12 boot
token=tok-$$-$RANDOM
cat >"$tmp/g.sh" <<'EOF'
echo "uname=$(uname -r)"
printf '%s\n' "$TOKEN" >"$VM_JOBDIR/payload.txt"
mkdir -p "$VM_JOBDIR/sub" && echo nested >"$VM_JOBDIR/sub/file"
if [ -d /sys/kernel/tracing/events ]; then
	echo "tracing_events=yes $(ls /sys/kernel/tracing/events | wc -l) systems"
else
	echo "tracing_events=no"
fi
echo "bpffs=$(awk '$2 == "/sys/fs/bpf" { print $3 }' /proc/mounts)"
if [ -c /dev/udmabuf ] && { exec 3<>/dev/udmabuf; } 2>/dev/null; then
	exec 3>&-
	echo "udmabuf=opened"
else
	echo "udmabuf=missing"
fi
echo "dma_heap=$(ls /dev/dma_heap 2>/dev/null | tr '\n' ' ')"
echo "kprobes=$(cat /sys/kernel/debug/kprobes/enabled 2>/dev/null || echo none)"
echo "module_btf=$(ls /sys/kernel/btf | grep -vc '^vmlinux$')"
echo "jit=$(cat /proc/sys/net/core/bpf_jit_enable)"
exit 0
EOF
guest "$tmp/g.out" -t 120 -J "$tmp/jd" -e "TOKEN=$token" -s "$tmp/g.sh"
echo "# 6.12 boot + job + poweroff: ${gsec}s (rc $grc)"
note <"$tmp/g.out"
val() { sed -n "s/^$1=//p" "$tmp/g.out"; }
check "uname -r in the 6.12 guest is $kv612" test "$grc" -eq 0 -a -n "$kv612" -a "$(val uname)" = "$kv612"
check "files written into the job dir come back" \
	test "$(cat "$tmp/jd/payload.txt" 2>/dev/null)" = "$token" -a "$(cat "$tmp/jd/sub/file" 2>/dev/null)" = nested
check "6.12 guest: /sys/kernel/tracing/events exists" grep -q '^tracing_events=yes' "$tmp/g.out"
check "6.12 guest: /sys/fs/bpf is bpffs" test "$(val bpffs)" = bpf
check "6.12 guest: /dev/udmabuf opens" test "$(val udmabuf)" = opened

# (b) exit code passes through
guest "$tmp/b.out" -t 60 -- sh -c 'echo seven; exit 7'
echo "# exit-7 boot: ${gsec}s"
check "a job that exits 7 returns 7" test "$grc" -eq 7 -a "$(cat "$tmp/b.out")" = seven

# (d) a kernel panic -> 125
guest "$tmp/d.out" -q -t 60 -- sh -c 'echo before; echo c >/proc/sysrq-trigger; echo after'
echo "# panic boot: ${gsec}s (rc $grc)"
check "a kernel panic returns 125" test "$grc" -eq 125 -a "$(cat "$tmp/d.out")" = before

# (f) the 6.1 kernel
# shellcheck disable=SC2016 # expanded in the guest
guest "$tmp/f.out" -k 6.1 -t 120 -- sh -c 'uname -r; echo "module BTF: $(ls /sys/kernel/btf | tr "\n" " ")"; ls /dev/udmabuf /dev/dma_heap 2>&1; true'
echo "# 6.1 boot + job + poweroff: ${gsec}s (rc $grc)"
note <"$tmp/f.out"
check "uname -r in the 6.1 guest is $kv61" test "$grc" -eq 0 -a -n "$kv61" -a "$(head -n 1 "$tmp/f.out")" = "$kv61"

# (h) the newest series, by its number (-k 7.3; "-k new" is the same case)
# shellcheck disable=SC2016 # expanded in the guest
guest "$tmp/h.out" -k "${knewser:-new}" -t 120 -- sh -c 'uname -r; ls /sys/kernel/tracing/events/dma_buf'
echo "# newest ($knewser) boot + job + poweroff: ${gsec}s (rc $grc)"
check "uname -r in the newest-series guest (-k ${knewser:-?}) is $kvnew" \
	test "$grc" -eq 0 -a -n "$kvnew" -a "$(head -n 1 "$tmp/h.out")" = "$kvnew"
check "newest-series guest: upstream dma_buf:dma_buf_export tracepoint" grep -qx dma_buf_export "$tmp/h.out"

# (c) collect the timeout check
wait "$cpid" || true
read -r crc csec <"$tmp/c.rc" || crc=x
echo "# timeout run: ${csec:-?}s (rc $crc)"
check "a job that outlives -t 20 returns 124" test "$crc" = 124

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
