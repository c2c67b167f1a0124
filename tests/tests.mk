# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make check: unit (cmocka, also under ASan+UBSan), host BPF, kernel series,
# devices corpus, guest (QEMU) tests. tests/run-all.sh runs each suite and
# prints the closing "N passed, N failed, N skipped" (its header: how it
# counts, and which suites CI=true requires).

TEST_OUT	:= $(OUTPUT)/tests
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(TEST_OUT)/%,$(UNIT_SRCS))
ASAN_BINS	:= $(patsubst tests/unit/%.c,$(TEST_OUT)/asan/%,$(UNIT_SRCS))
ASAN_FLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
LIB_SRCS	:= $(filter-out src/main.c,$(SRCS))
TEST_CFLAGS	:= $(filter-out -Wmissing-prototypes,$(CFLAGS)) -Itests
# the tracepoint definitions of the kernel patches, for tests/bpf/tp_args.h
TP_TREE_CFLAGS	:= -Ikernel/tree/include -Ikernel/tree/drivers/vfio/pci \
		   -Ikernel/tree/drivers/net/ethernet/mellanox/mlx5/core \
		   -Ikernel/tree/drivers/infiniband/hw/mlx5
TP_TREE_HDRS	:= $(shell find kernel/tree -name '*.h' -o -name '*.inc')

# test_model counts the allocations the library makes (a counting wrapper of
# the allocator: works under ASan too, where mallinfo2() reports nothing)
WRAP_ALLOC	:= -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=reallocarray
TEST_LDFLAGS_test_model := $(WRAP_ALLOC)

$(TEST_OUT) $(TEST_OUT)/asan:
	$(Q)mkdir -p $@

$(TEST_OUT)/%: tests/unit/%.c $(LIB_OBJS) | $(TEST_OUT)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(TEST_CFLAGS) $< $(LIB_OBJS) $(TEST_LDFLAGS_$*) $(LDLIBS) -lcmocka -o $@

# sanitizer builds: the library compiled once more with instrumentation
ASAN_OBJS	:= $(patsubst src/%.c,$(TEST_OUT)/asan/obj/%.o,$(LIB_SRCS))

$(TEST_OUT)/asan/obj: | $(TEST_OUT)/asan
	$(Q)mkdir -p $@

$(TEST_OUT)/asan/obj/%.o: src/%.c $(wildcard src/*.h) include/tphtrace/tphtrace.h \
			  $(SKELS) | $(TEST_OUT)/asan/obj
	$(call msg,ASAN-CC,$@)
	$(Q)$(CC) $(CFLAGS) $(ASAN_FLAGS) -c $< -o $@

$(TEST_OUT)/asan/%: tests/unit/%.c $(ASAN_OBJS) | $(TEST_OUT)/asan
	$(call msg,ASAN-LD,$@)
	$(Q)$(CC) $(TEST_CFLAGS) $(ASAN_FLAGS) $< $(ASAN_OBJS) $(TEST_LDFLAGS_$*) $(LDLIBS) -lcmocka -o $@

$(TEST_OUT)/bpf_run: tests/bpf/bpf_run.c tests/bpf/tp_args.h tests/bpf/core_same.h $(TP_TREE_HDRS) \
		    $(LIB_OBJS) | $(TEST_OUT)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(TEST_CFLAGS) $(TP_TREE_CFLAGS) -Itests/bpf/include $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# run in the guests by test-scenarios (tests/bpf/core_same.c)
$(TEST_OUT)/core_same: tests/bpf/core_same.c tests/bpf/core_same.h $(LIB_OBJS) | $(TEST_OUT)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -Itests/bpf $< $(LIB_OBJS) $(LDLIBS) -o $@

$(TEST_OUT)/mkdmabuf: tests/vm/mkdmabuf.c tests/vm/vgem.h | $(TEST_OUT)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -I/usr/include/libdrm $< $(LDFLAGS) -o $@

# the arm64 leg (tests/vm/test-arm64.sh): both arm64 builds, mkdmabuf for arm64
check-arm64-build:
	$(Q)$(MAKE) -s --no-print-directory arm64
	$(Q)$(MAKE) -s --no-print-directory ARCH=arm64 $(abspath .output/arm64/tests/mkdmabuf)

# loads every kprobe program of the BPF object (CO-RE against a guest's BTF)
$(TEST_OUT)/core-load: tests/vm/core-load.c | $(TEST_OUT)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 $< -lbpf -o $@

# registers real MRs through libibverbs for the soft-RoCE guest test
$(TEST_OUT)/mkmr: tests/vm/mkmr.c | $(TEST_OUT)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 $< -libverbs -o $@

# exports a BAR range of a vfio-pci device as a dma-buf (tests/vm/test-vfio.sh)
$(TEST_OUT)/mkvfiobuf: tests/vm/mkvfiobuf.c | $(TEST_OUT)
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 $< -o $@

# the README's test command installs what it needs first (idempotent)
check:
	$(Q)bash scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory -j$$(nproc) check-all

check-all: $(BIN) $(UNIT_BINS) $(ASAN_BINS) $(TEST_OUT)/bpf_run $(TEST_OUT)/mkdmabuf \
	   $(TEST_OUT)/mkmr $(TEST_OUT)/core_same $(TEST_OUT)/core-load $(TEST_OUT)/mkvfiobuf \
	   check-arm64-build
	$(Q)bash tests/run-all.sh

check-unit: $(UNIT_BINS) $(ASAN_BINS)
	$(Q)SUITES=unit bash tests/run-all.sh

# the exporter under abuse, full counts (tests/stress/stress-exporter.sh:
# 1 000 idle connections, 10 000 malformed requests, 500 slowloris
# connections for 60 s; about 3 minutes). make check runs the short form.
stress: $(BIN)
	$(Q)bash tests/stress/stress-exporter.sh
