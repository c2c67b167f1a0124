# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make bench: the performance figures of bench/README.md (never part of
# make check). Installs what it needs (bpftrace included), builds tphtrace,
# bench/bpfbench and the simulator, then runs bench/bench.sh: host figures,
# one 6.12 guest for the side-by-side ones, a table and the "bench:" line.

BENCH_OUT	:= $(OUTPUT)/bench
BENCH_CFLAGS	:= $(filter-out -Wmissing-prototypes,$(CFLAGS)) $(TP_TREE_CFLAGS) \
		   -Itests -Itests/bpf -Itests/bpf/include -Ikernel -I/usr/include/libdrm

$(BENCH_OUT):
	$(Q)mkdir -p $@

$(BENCH_OUT)/bpfbench: bench/bpfbench.c bench/p7ops.c bench/p7ops.h tests/vm/vgem.h tests/bpf/tp_args.h \
		       $(LIB_OBJS) | $(BENCH_OUT)
	$(call msg,BENCH-CC,$@)
	$(Q)$(CC) $(BENCH_CFLAGS) bench/bpfbench.c bench/p7ops.c $(LIB_OBJS) $(LDLIBS) -o $@

bench:
	$(Q)bash scripts/deps.sh bench
	$(Q)$(MAKE) --no-print-directory $(BIN) $(BENCH_OUT)/bpfbench
	$(Q)bash bench/bench.sh
