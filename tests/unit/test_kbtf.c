// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for btf_names_sorted() (src/kbtf.c), which decides whether
 * tp_btf programs cross struct pointers with plain loads (bpf/core.bpf.h).
 * The BTF objects are built here with libbpf's writer, in the two layouts
 * the kernels have: build order (6.12) and anonymous types first, then
 * names in byte order (7.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/btf.h>

#include <cmocka.h>

#include "kbtf.h"

/* @n named structs "t%05u" (in order, or every pair swapped), after @anon anonymous ones */
static struct btf *make_btf(unsigned int anon, unsigned int n, bool swapped)
{
	struct btf *b = btf__new_empty();
	char name[16];
	unsigned int i, k;

	assert_non_null(b);
	for (i = 0; i < anon; i++)
		assert_true(btf__add_struct(b, NULL, 8) > 0);
	for (i = 0; i < n; i++) {
		k = swapped ? (i ^ 1) : i;
		snprintf(name, sizeof(name), "t%05u", k);
		assert_true(btf__add_struct(b, name, 8) > 0);
	}
	return b;
}

static void test_sorted(void **state)
{
	struct btf *b = make_btf(10, 5000, false);

	(void)state;
	assert_true(btf_names_sorted(b));
	btf__free(b);
}

static void test_build_order(void **state)
{
	struct btf *b = make_btf(10, 5000, true);

	(void)state;
	assert_false(btf_names_sorted(b));
	btf__free(b);
}

/* an anonymous type among the named ones: not the sorted layout */
static void test_anon_inside(void **state)
{
	struct btf *b = make_btf(0, 100, false);

	(void)state;
	assert_true(btf_names_sorted(b));
	assert_true(btf__add_struct(b, NULL, 8) > 0);
	assert_true(btf__add_struct(b, "zzz", 8) > 0);
	assert_false(btf_names_sorted(b));
	btf__free(b);
}

/* too few names to tell: not sorted (plain loads only where it is known) */
static void test_too_small(void **state)
{
	struct btf *b = make_btf(3, 10, false);

	(void)state;
	assert_false(btf_names_sorted(b));
	btf__free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_build_order),
		cmocka_unit_test(test_anon_inside),
		cmocka_unit_test(test_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
