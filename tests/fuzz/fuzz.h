/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer harnesses (make fuzz: clang-19, -fsanitize=fuzzer,address,
 * undefined) over tphtrace's parsers of untrusted input. Each file defines
 * LLVMFuzzerTestOneInput; driver.c gives the same harness a main() that
 * replays files, which make check builds with gcc's ASan+UBSan objects to
 * run the committed corpus and every past crash (tests/fuzz/test-corpus.sh).
 */
#ifndef TPHTRACE_FUZZ_H
#define TPHTRACE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
