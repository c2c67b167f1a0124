# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make fuzz: libFuzzer harnesses (tests/fuzz/fuzz_*.c) over the parsers of
# untrusted input, built with clang-19 -fsanitize=fuzzer,address,undefined
# against the project's sources, each run for FUZZ_SECONDS (default 30: about
# three minutes for all) from the committed corpus (tests/fuzz/corpus/NAME)
# into a working corpus under .output/fuzz; prints execs and crashes per
# harness (tests/fuzz/run.sh). Crashes land in .output/fuzz/crashes/NAME: once
# fixed, each is committed to tests/fuzz/crashes/NAME, which make check
# replays with the committed corpus (tests/fuzz/test-corpus.sh, gcc ASan+UBSan
# build of the same harnesses, FUZZ_REPLAY_BINS below).
#   make fuzz FUZZ_SECONDS=600 FUZZ_ONLY="replay http"

FUZZ_OUT	:= $(OUTPUT)/fuzz
FUZZ_CC		?= clang-19
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS	:= -g -O1 -std=gnu11 -Wall -Wno-unused-parameter $(INCLUDES) $(NL_CFLAGS) \
		   -Itests/fuzz -DTPHTRACE_VERSION='"$(VERSION)"' \
		   -DTPHTRACE_GIT='"$(GIT_REV)"' -DTPHTRACE_FUZZING
FUZZ_NAMES	:= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJS	:= $(patsubst src/%.c,$(FUZZ_OUT)/obj/%.o,$(LIB_SRCS))
FUZZ_BINS	:= $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_NAMES))
FUZZ_SECONDS	?= 30
FUZZ_ONLY	?= $(FUZZ_NAMES)

$(FUZZ_OUT)/obj:
	$(Q)mkdir -p $@

$(FUZZ_OUT)/obj/%.o: src/%.c $(wildcard src/*.h) include/tphtrace/tphtrace.h \
		     $(SKELS) | $(FUZZ_OUT)/obj
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(wildcard tests/fuzz/fuzz_*.c) \
		    $(FUZZ_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer $< $(FUZZ_OBJS) \
		$(LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(FUZZ_ONLY)

# make check: the same harnesses with driver.c's main() on gcc's ASan objects
FUZZ_REPLAY_BINS := $(patsubst %,$(TEST_OUT)/fuzz/replay_%,$(FUZZ_NAMES))

$(TEST_OUT)/fuzz:
	$(Q)mkdir -p $@

$(TEST_OUT)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c tests/fuzz/fuzz.h \
			   $(wildcard tests/fuzz/fuzz_*.c) $(ASAN_OBJS) | $(TEST_OUT)/fuzz
	$(call msg,FUZZ-RP,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -Itests/fuzz $(ASAN_FLAGS) $< tests/fuzz/driver.c \
		$(ASAN_OBJS) $(LDLIBS) -o $@

.PHONY: fuzz fuzz-build

# replayed by make check (tests/fuzz/test-corpus.sh)
check-all: $(FUZZ_REPLAY_BINS)
