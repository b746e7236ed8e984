/* util/arena: allocations aligned for a double and never overlapping,
 * large ones in a chunk of their own without wasting the current chunk,
 * copies, one arena taken into another, release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"

static void test_arena__aligned_and_apart(void **state)
{
	perfdb_arena a = PERFDB_ARENA_INIT;
	unsigned char *p[1000];
	size_t i, j;
	(void)state;
	for (i = 0; i < 1000; i++) {
		size_t n = 1 + i % 37;
		assert_non_null(p[i] = perfdb_arena__alloc(&a, n));
		assert_int_equal((uintptr_t)p[i] % 8, 0);
		memset(p[i], (int)(i & 0xff), n);
	}
	for (i = 0; i < 1000; i++)
		for (j = 0; j < 1 + i % 37; j++)
			assert_int_equal(p[i][j], i & 0xff);
	assert_int_equal(perfdb_arena__chunks(&a), 1);
	perfdb_arena__release(&a);
	assert_null(a.head);
}

static void test_arena__large_apart(void **state)
{
	perfdb_arena a = PERFDB_ARENA_INIT;
	char *s, *big, *t;
	(void)state;
	assert_non_null(s = perfdb_arena__alloc(&a, 16));
	assert_non_null(big = perfdb_arena__alloc(&a, 200000));
	memset(big, 'x', 200000);
	assert_int_equal(perfdb_arena__chunks(&a), 2);
	/* the next small one still goes into the first chunk */
	assert_non_null(t = perfdb_arena__alloc(&a, 16));
	assert_int_equal(perfdb_arena__chunks(&a), 2);
	assert_ptr_equal(t, s + 16);
	assert_null(perfdb_arena__alloc(&a, SIZE_MAX - 4));
	perfdb_arena__release(&a);
}

static void test_arena__strdup_and_take(void **state)
{
	perfdb_arena a = PERFDB_ARENA_INIT, b = PERFDB_ARENA_INIT;
	char *x, *y, *z;
	(void)state;
	assert_null(perfdb_arena__strdup(&a, NULL));
	assert_non_null(x = perfdb_arena__strdup(&a, "BM_one"));
	assert_non_null(y = perfdb_arena__strdup(&b, "BM_two"));
	assert_non_null(perfdb_arena__alloc(&b, 100000));
	assert_string_equal(x, "BM_one");
	perfdb_arena__take(&a, &b);
	assert_null(b.head);
	assert_int_equal(perfdb_arena__chunks(&a), 3);
	/* what b made is still there, and a goes on filling its own chunk */
	assert_string_equal(y, "BM_two");
	assert_non_null(z = perfdb_arena__strdup(&a, "BM_three"));
	assert_ptr_equal(z, x + 8);
	perfdb_arena__take(&b, &a);
	assert_int_equal(perfdb_arena__chunks(&b), 3);
	perfdb_arena__release(&b);
	perfdb_arena__release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arena__aligned_and_apart),
	    cmocka_unit_test(test_arena__large_apart),
	    cmocka_unit_test(test_arena__strdup_and_take),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
