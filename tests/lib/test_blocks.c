/* Unit tests of the result block format (lib/store/blocks.c): what is
 * written reads back bit for bit, NULLs included, and anything that is not
 * a block, however it was cut or changed, is refused without reading
 * outside it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/blocks.h"

/* The block of w's results, as perfdb_store__write_block would store it. */
static unsigned char *finish(perfdb_block_writer *w, size_t *n)
{
	unsigned char *b = malloc(w->len);
	assert_non_null(b);
	memcpy(b, w->data, w->len);
	memcpy(b, "PDBK", 4);
	b[4] = 1;
	b[5] = b[6] = b[7] = 0;
	b[8] = (unsigned char)w->count;
	b[9] = (unsigned char)(w->count >> 8);
	b[10] = b[11] = 0;
	*n = w->len;
	return b;
}

static const perfdb_block_result some[] = {
    {-5, 1.5, 0, 0, 0, 0},
    {3, -0.0, 2.25, 0.125, 5, 0},
    {1ll << 46, INFINITY, 0, 0, 7, PERFDB_BLOCK_NO_MEDIAN | PERFDB_BLOCK_NO_MAD},
    {(1ll << 46) + 1, 1e-300, 9, 0, 0, PERFDB_BLOCK_NO_COUNT | PERFDB_BLOCK_NO_MAD},
};
#define NSOME (sizeof(some) / sizeof(some[0]))

static unsigned char *some_block(size_t *n)
{
	perfdb_block_writer w = {0};
	unsigned char *b;
	size_t i;
	for (i = 0; i < NSOME; i++)
		assert_int_equal(perfdb_store__block_add(&w, &some[i]), 0);
	b = finish(&w, n);
	perfdb_store__block_release(&w);
	return b;
}

static void test_blocks__read_back_bit_for_bit(void **state)
{
	size_t n, count, i, off = 0;
	unsigned char *b = some_block(&n);
	(void)state;
	/* a header, then 17 bytes a result and what is not NULL or 0 of its
	 * statistics: count 0 (not stored) with both, all three, the count
	 * alone, the median alone */
	assert_int_equal(n, 12 + (17 + 16) + (17 + 20) + (17 + 4) + (17 + 8));
	assert_true(perfdb_store__block_check(b, n, &count));
	assert_int_equal(count, NSOME);
	for (i = 0; i < NSOME; i++) {
		perfdb_block_result x;
		off = perfdb_store__block_get(b, off, &x);
		assert_true(x.benchmark_id == some[i].benchmark_id);
		assert_memory_equal(&x.value, &some[i].value, sizeof(double));
		assert_int_equal(x.nulls, some[i].nulls);
		if (!(x.nulls & PERFDB_BLOCK_NO_COUNT))
			assert_int_equal(x.sample_count, some[i].sample_count);
		if (!(x.nulls & PERFDB_BLOCK_NO_MEDIAN))
			assert_memory_equal(&x.sample_median, &some[i].sample_median,
					    sizeof(double));
		if (!(x.nulls & PERFDB_BLOCK_NO_MAD))
			assert_memory_equal(&x.sample_mad, &some[i].sample_mad, sizeof(double));
	}
	assert_int_equal(off, n);
	free(b);
}

/* SQLite gives -0.0 back as 0.0: a block meant for a file does so too. */
static void test_blocks__zero_as_the_file_stores_it(void **state)
{
	perfdb_block_writer w = {0};
	perfdb_block_result x;
	unsigned char *b;
	size_t n, count;
	(void)state;
	w.positive_zero = 1;
	assert_int_equal(perfdb_store__block_add(&w, &some[1]), 0);
	b = finish(&w, &n);
	assert_true(perfdb_store__block_check(b, n, &count));
	assert_int_equal(perfdb_store__block_get(b, 0, &x), n);
	assert_false(signbit(x.value));
	free(b);
	perfdb_store__block_release(&w);
}

static void test_blocks__out_of_order_is_a_bug(void **state)
{
	perfdb_block_writer w = {0};
	(void)state;
	assert_int_equal(perfdb_store__block_add(&w, &some[1]), 0);
	assert_int_equal(perfdb_store__block_add(&w, &some[0]), PERFDB_EINVAL);
	assert_int_equal(perfdb_store__block_add(&w, &some[1]), PERFDB_EINVAL);
	perfdb_store__block_release(&w);
}

/* Every cut of a block is refused (each in a buffer of its own size, so
 * a read past it is the sanitizers' to find), and so is every change of a
 * header byte, a flag byte with a bit no block has or that says a count
 * both NULL and 0, a byte after the last record, and two ids out of
 * order. */
static void test_blocks__refuses_what_is_not_a_block(void **state)
{
	size_t n, k, count;
	unsigned char *b = some_block(&n);
	(void)state;
	for (k = 0; k < n; k++) {
		unsigned char *cut = malloc(k ? k : 1);
		memcpy(cut, b, k);
		assert_false(perfdb_store__block_check(k ? cut : NULL, k, &count));
		assert_int_equal(count, 0);
		free(cut);
	}
	for (k = 0; k < 12; k++) {
		b[k] ^= 0x10;
		assert_false(perfdb_store__block_check(b, n, &count));
		b[k] ^= 0x10;
	}
	/* the second record starts at 12 + 33 */
	b[45] = 0x10;
	assert_false(perfdb_store__block_check(b, n, &count));
	b[45] = 1 | 8;
	assert_false(perfdb_store__block_check(b, n, &count));
	b[45] = 0;
	assert_true(perfdb_store__block_check(b, n, &count));
	b = realloc(b, n + 1);
	b[n] = 0;
	assert_false(perfdb_store__block_check(b, n + 1, &count));
	b[45 + 8] = 0x40; /* the second id now above the third */
	assert_false(perfdb_store__block_check(b, n, &count));
	free(b);
	/* a block of no results is none (perfdb never writes one) */
	assert_false(perfdb_store__block_check("PDBK\1\0\0\0\0\0\0\0", 12, &count));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks__read_back_bit_for_bit),
	    cmocka_unit_test(test_blocks__zero_as_the_file_stores_it),
	    cmocka_unit_test(test_blocks__out_of_order_is_a_bug),
	    cmocka_unit_test(test_blocks__refuses_what_is_not_a_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
