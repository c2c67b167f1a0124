#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs INSIDE the guest (busybox sh or bash): real dma-bufs from udmabuf and
# the system heap, traced by tphtrace through each stock hook family; every
# field checked against what the exporter created. Prints ok/not ok lines
# ("# SKIP" for what this kernel cannot do); the host counts them.
# TPHTRACE, MKDMABUF: the binaries (another architecture's build); DMABUF_VGEM=1:
# a vgem (DRM PRIME) dma-buf too, the stock exporter of kernels without heaps.
T=${TPHTRACE:-.output/tphtrace}
MK=${MKDMABUF:-.output/tests/mkdmabuf}
W=/tmp/tphtrace-vm
mkdir -p $W
n=0
ok() { n=$((n + 1)); echo "ok $n - [${KSERIES:-?}] $*"; }
skip() { n=$((n + 1)); echo "ok $n - [${KSERIES:-?}] $1 # SKIP $2"; }
nok() { n=$((n + 1)); echo "not ok $n - [${KSERIES:-?}] $*"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

echo "# kernel $(uname -r)"
$T probe -j > $W/probe.json 2>$W/probe.err
for ev in dmabuf_export dmabuf_release map unmap attach detach invalidate; do
	check "probe: $ev hooked on a stock kernel" \
		"jq -e '.events[] | select(.event==\"$ev\") | .hook != null' $W/probe.json >/dev/null"
done
$T probe > $W/probe.txt 2>&1
sed 's/^/# /' $W/probe.txt

# the stock exporters user space can drive here (mkdmabuf modes)
exps=""
[ ! -e /dev/udmabuf ] || exps="$exps udmabuf:1048576"
[ ! -e /dev/dma_heap/system ] || exps="$exps heap:2097152"
if [ "${DMABUF_VGEM:-0}" = 1 ]; then
	modprobe vgem 2>/dev/null
	exps="$exps vgem:3145728"
fi
# Debian 6.1 has neither CONFIG_UDMABUF nor dma-heaps: no stock exporter
# user space can drive; attaching is still checked there.
if [ -z "$exps" ]; then
	for fam in fentry kprobe; do
		timeout 30 $T trace -j --hooks all=$fam -D 1 > $W/trace.$fam 2> $W/err.$fam
		rc=$?
		check "$fam: attaches and exits cleanly (no stock exporter to drive)" \
			"[ $rc -eq 0 ] && grep -q 'ready: [1-9]' $W/err.$fam"
	done
	skip "udmabuf and system-heap dma-bufs traced" \
		"no /dev/udmabuf or /dev/dma_heap/system on $(uname -r)"
	exit 0
fi
# Debian's arm64 6.12 has udmabuf but no dma-buf heaps (CONFIG_DMABUF_HEAPS)
[ -e /dev/dma_heap/system ] ||
	skip "system heap dma-buf export, size, exporter through fentry and kprobe" \
		"no /dev/dma_heap/system on $(uname -r) (CONFIG_DMABUF_HEAPS is not set)"

for fam in fentry kprobe; do
	$T trace -j --hooks all=$fam > $W/trace.$fam 2> $W/err.$fam &
	pid=$!
	i=0
	while ! grep -q 'ready:' $W/err.$fam && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
	check "$fam: tphtrace ready" "grep -q ready: $W/err.$fam" || sed "s/^/# /" $W/err.$fam
	for e in $exps; do
		$MK ${e%%:*} ${e#*:} > $W/${e%%:*}.$fam
	done
	sleep 0.3
	kill -INT $pid
	wait $pid
	rc=$?
	check "$fam: clean exit on SIGINT" "[ $rc -eq 0 ]"
	check "$fam: no lost records" "! grep -q '\"kind\":\"lost\",\"records\":[1-9]' $W/trace.$fam"
	for e in $exps; do
		f=$W/${e%%:*}.$fam
		exp=$(sed -n 's/.*exporter=\([^ ]*\).*/\1/p' $f)
		ino=$(sed -n 's/.*ino=\([0-9]*\).*/\1/p' $f)
		size=$(sed -n 's/.*size=\([0-9]*\).*/\1/p' $f)
		[ -n "$ino" ] || { nok "$fam: ${exp:-${e%%:*}} dma-buf created"; continue; }
		sel="select(.kind==\"dmabuf_export\" and .ino==$ino)"
		check "$fam: $exp export seen (ino $ino)" \
			"jq -e -s 'map($sel) | length == 1' $W/trace.$fam >/dev/null"
		check "$fam: $exp export size $size, exporter $exp, hook $fam, ret 0" \
			"jq -e -s 'map($sel)[0] | .size == $size and .exp_name == \"$exp\" and .hook == \"$fam\" and .ret == 0 and .comm == \"mkdmabuf\"' $W/trace.$fam >/dev/null"
		check "$fam: $exp release seen with the same identity" \
			"jq -e -s 'map(select(.kind==\"dmabuf_release\" and .ino==$ino))[0] | .size == $size and .exp_name == \"$exp\"' $W/trace.$fam >/dev/null"
	done
done
# text mode, and a filter that must drop everything else, on one live stream
$T trace -T > $W/text.out 2> $W/text.err &
pid=$!
$T trace -i 1 > $W/filt.out 2> $W/filt.err &
pid2=$!
i=0
while ! { grep -q 'ready:' $W/text.err && grep -q 'ready:' $W/filt.err; } && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
# 64 KiB: a whole number of pages on 4K, 16K and 64K kernels (udmabuf wants that)
$MK udmabuf 65536 > $W/t.u
ino=$(sed -n 's/.*ino=\([0-9]*\).*/\1/p' $W/t.u)
sleep 0.3
kill -TERM $pid $pid2
wait $pid
rc=$?
wait $pid2
check "text: clean exit on SIGTERM" "[ $rc -eq 0 ]"
check "text: export line with timestamp, inode, size, exporter" \
	"grep -E '^[0-9]+\.[0-9]{6} dmabuf_export +mkdmabuf .* ino=$ino size=65536 exp_name=udmabuf' $W/text.out >/dev/null"
check "filter -i 1: other dma-bufs filtered out" "! grep -q 'dmabuf' $W/filt.out"

# names in the release record (as tests/vm/guest-dmabuf-families.sh): the
# release program's reads of the dma-buf through this JIT
$T trace -j > $W/names.json 2> $W/names.err &
pid=$!
i=0
while ! grep -q 'ready:' $W/names.err && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
names="abcdefg abcdefgh abcdefghijklmno abcdefghijklmnop abcdefghijklmnopqrstuvwx abcdefghijklmnopqrstuvwxyz01234"
for nm in $names; do
	$MK -n $nm udmabuf 65536 > $W/n.$nm
done
sleep 0.3
kill -INT $pid
wait $pid
for nm in $names; do
	ino=$(sed -n 's/.*ino=\([0-9]*\).*/\1/p' $W/n.$nm)
	check "names: the ${#nm}-character name '$nm' whole in the release record (ino ${ino:-?})" \
		"[ -n '$ino' ] && jq -e -s 'map(select(.kind==\"dmabuf_release\" and .ino==${ino:-0})) | length == 1 and .[0].name == \"$nm\" and .[0].exp_name == \"udmabuf\"' $W/names.json >/dev/null"
done
echo "# done"
