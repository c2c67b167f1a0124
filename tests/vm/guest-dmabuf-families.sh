#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs INSIDE the guest for tests/vm/test-dmabuf.sh, which judges what it
# writes to $VM_JOBDIR (the guest starts as few processes as it can: each
# costs tens of ms under TCG). Real dma-bufs from the kernel's own exporters
# and importer, traced by tphtrace under every hook family at once:
#   - udmabuf (1 MiB) and system-heap (2 MiB) dma-bufs, where the kernel has them;
#   - a udmabuf imported into vgem with PRIME (a real in-tree importer:
#     dma_buf_attach [+ map] by the DRM core, unmap + detach on GEM close);
#   - a vgem dumb buffer exported with PRIME (exporter "drm": the one stock
#     exporter Debian 6.1 has).
# Tracers (run side by side, started before and stopped with SIGINT after):
#   kernels with the upstream dma_buf:* tracepoints (tracefs says so):
#     tp_btf  default hooks (export/attach/detach on the tracepoints)
#     raw_tp  --hooks all=raw_tp, release/map/unmap/invalidate on kprobes
#     fentry, kprobe  --hooks all=FAMILY (the stock functions)
#   others: fentry, kprobe.
# Also, where udmabuf exists, one text-mode tracer and one filtered to
# inode 2 (-i 2). The kernel's own account of the run comes from tracefs:
# the function tracer on dma_buf_{map,unmap}_attachment and dma_buf_release,
# and the dma_buf:dma_buf_put events where they exist.
# Files: env.txt, tracers.txt, bufs.txt (mkdmabuf lines), names.txt (named
# udmabufs: name=NAME and the mkdmabuf line), probe.tp_btf.json,
# trace.T.jsonl, trace.T.err, trace.T.rc, text.*, filt.*, ftrace.txt.
set -u
W=$VM_JOBDIR
T=.output/tphtrace
MK=.output/tests/mkdmabuf
TR=/sys/kernel/tracing

# (on the tmpfs of /dev/shm: /tmp is the host's, over 9p)
mkfifo /dev/shm/nap.fifo
exec {NAPFD}<>/dev/shm/nap.fifo
nap() { read -r -t "$1" -u "$NAPFD" _ || true; }
wait_ready() { # FILE: up to 60 s for tphtrace's "ready:" line
	local i l
	for ((i = 0; i < 1200; i++)); do
		if [ -f "$1" ]; then
			while IFS= read -r l; do
				case $l in *ready:* | "tphtrace trace:"*) return 0 ;; esac
			done <"$1"
		fi
		nap 0.05
	done
	return 1
}

t0=$EPOCHREALTIME
mark() { echo "t_$1=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" >>"$W/env.txt"; }
upstream=0
[ -d $TR/events/dma_buf/dma_buf_export ] && upstream=1
stock=0
[ -e /dev/udmabuf ] && [ -e /dev/dma_heap/system ] && stock=1
modprobe vgem
vgem=$?
{
	echo "kernel=$(uname -r)"
	echo "upstream_tp=$upstream"
	echo "udmabuf_heap=$stock"
	echo "modprobe_vgem=$vgem"
} >"$W/env.txt"

if [ $upstream = 1 ]; then
	tracers="tp_btf raw_tp fentry kprobe"
else
	tracers="fentry kprobe"
fi
args_of() {
	case $1 in
	tp_btf) echo "" ;;
	raw_tp) echo "--hooks all=raw_tp --hooks dmabuf_release=kprobe --hooks map=kprobe --hooks unmap=kprobe --hooks invalidate=kprobe" ;;
	*) echo "--hooks all=$1" ;;
	esac
}
echo "$tracers" >"$W/tracers.txt"
pids=()
for t in $tracers; do
	# the default plan (the others' records carry their hook family)
	[ "$t" != tp_btf ] || $T probe -j >"$W/probe.$t.json" 2>"$W/probe.$t.err"
	# shellcheck disable=SC2046 # the arguments are words
	$T trace -j $(args_of "$t") >"$W/trace.$t.jsonl" 2>"$W/trace.$t.err" &
	pids+=($!)
done
if [ $stock = 1 ]; then
	$T trace -T >"$W/text.out" 2>"$W/text.err" &
	pids+=($!)
	$T trace -i 2 >"$W/filt.out" 2>"$W/filt.err" &
	pids+=($!)
fi
mark probes_started
for t in $tracers; do wait_ready "$W/trace.$t.err"; done
if [ $stock = 1 ]; then
	wait_ready "$W/text.err"
	wait_ready "$W/filt.err"
fi
mark ready
# the kernel's own account, for the judge: function tracer on the functions
# tphtrace hooks for release/map/unmap, and the dma_buf_put tracepoint
echo "dma_buf_map_attachment dma_buf_unmap_attachment dma_buf_release" >$TR/set_ftrace_filter
echo function >$TR/current_tracer
[ $upstream = 0 ] || echo 1 >$TR/events/dma_buf/dma_buf_put/enable
: >$TR/trace

: >"$W/bufs.txt"
if [ $stock = 1 ]; then
	$MK udmabuf 1048576 >>"$W/bufs.txt"
	$MK heap 2097152 >>"$W/bufs.txt"
	[ $vgem = 0 ] && $MK -i udmabuf 65536 >>"$W/bufs.txt"
	# named (DMA_BUF_SET_NAME): the release record reads the name through
	# the dma-buf that fentry's typed program (7.x) loads plainly and the
	# others probe-read (bpf/fn.bpf.h); lengths around 8-byte words, up to
	# the 31 characters DMA_BUF_NAME_LEN holds
	: >"$W/names.txt"
	for nm in abcdefg abcdefgh abcdefghijklmno abcdefghijklmnop \
		abcdefghijklmnopqrstuvwx abcdefghijklmnopqrstuvwxyz01234; do
		echo "name=$nm $($MK -n $nm udmabuf 65536)" >>"$W/names.txt"
	done
fi
[ $vgem = 0 ] && $MK vgem 1048576 >>"$W/bufs.txt"
nap 0.5

mark workload
# read before the tracer changes: that empties the buffer
echo 0 >$TR/tracing_on
cat $TR/trace >"$W/ftrace.txt"
echo nop >$TR/current_tracer
[ $upstream = 0 ] || echo 0 >$TR/events/dma_buf/dma_buf_put/enable
echo 1 >$TR/tracing_on
for p in "${pids[@]}"; do kill -INT "$p"; done
i=0
for t in $tracers; do
	wait "${pids[$i]}"
	echo $? >"$W/trace.$t.rc"
	i=$((i + 1))
done
if [ $stock = 1 ]; then
	wait "${pids[$i]}"
	echo $? >"$W/text.rc"
	wait "${pids[$((i + 1))]}"
	echo $? >"$W/filt.rc"
fi
mark stopped
exit 0
