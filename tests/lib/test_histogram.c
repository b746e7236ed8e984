/*
 * Tests of the log-linear histogram (lib/instrument/histogram.c) against a
 * sorted reference: every reported percentile must be within 1/128 of the
 * exact one, by the same rank definition (the smallest value with at least
 * p% of the values at or below it).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "perfdb/histogram.h"

static const double percentiles[] = {0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99};

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_u64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform01(void)
{
	return (double)(next_u64() >> 11) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t reference(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static perfdb_histogram *new_hist(void)
{
	perfdb_histogram *h = malloc(sizeof(*h));
	assert_non_null(h);
	perfdb_histogram_init(h);
	return h;
}

/* Records v[0..n) into a fresh histogram and checks every percentile, min,
 * max and mean against the sorted values. */
static void check_against_reference(uint64_t *v, size_t n, const char *what)
{
	perfdb_histogram *h = new_hist();
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		perfdb_histogram_record(h, v[i]);
		sum += (double)v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	assert_int_equal(h->count, n);
	assert_int_equal(h->min, v[0]);
	assert_int_equal(h->max, v[n - 1]);
	assert_true(fabs(perfdb_histogram_mean(h) - sum / (double)n) <= 1e-9 * (sum / (double)n));
	for (i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++) {
		uint64_t want = reference(v, n, percentiles[i]);
		uint64_t got = perfdb_histogram_quantile(h, percentiles[i] / 100);
		double err = fabs((double)got - (double)want);
		if (err > (double)want / 128.0)
			fail_msg("%s: p%g = %llu, reference %llu (relative error %.5f > 1/128)",
				 what, percentiles[i], (unsigned long long)got,
				 (unsigned long long)want, want ? err / (double)want : err);
	}
	assert_int_equal(perfdb_histogram_quantile(h, 0), v[0]);
	assert_int_equal(perfdb_histogram_quantile(h, 1), v[n - 1]);
	free(h);
}

static void test_histogram__empty(void **state)
{
	perfdb_histogram *h = new_hist();
	(void)state;
	assert_int_equal(h->count, 0);
	assert_int_equal(h->min, UINT64_MAX);
	assert_int_equal(h->max, 0);
	assert_int_equal(perfdb_histogram_quantile(h, 0.5), 0);
	assert_int_equal(perfdb_histogram_quantile(h, 1), 0);
	assert_true(perfdb_histogram_mean(h) == 0.0);
	assert_true(perfdb_histogram_stddev(h) == 0.0);
	free(h);
}

static void test_histogram__small_values_are_exact(void **state)
{
	perfdb_histogram *h = new_hist();
	uint64_t v;
	(void)state;
	for (v = 0; v < 64; v++) {
		assert_int_equal(perfdb_histogram_index(v), v);
		perfdb_histogram_record(h, v);
	}
	/* 64 values 0..63: the value at rank ceil(p/100 * 64), exactly. */
	assert_int_equal(perfdb_histogram_quantile(h, 0.5), 31);
	assert_int_equal(perfdb_histogram_quantile(h, 0.25), 15);
	assert_int_equal(perfdb_histogram_quantile(h, 0.9), 57);
	assert_int_equal(perfdb_histogram_quantile(h, 0.99), 63);
	assert_int_equal(perfdb_histogram_quantile(h, 0.01), 0);
	assert_int_equal(perfdb_histogram_quantile(h, -0.05), 0);
	assert_int_equal(perfdb_histogram_quantile(h, 2.5), 63);
	free(h);
}

static void test_histogram__uniform_vs_sorted_reference(void **state)
{
	enum { N = 100000 };
	uint64_t *v = malloc(N * sizeof(*v));
	size_t i;
	(void)state;
	assert_non_null(v);
	for (i = 0; i < N; i++)
		v[i] = next_u64() % 1000000;
	check_against_reference(v, N, "uniform 0..1e6");
	free(v);
}

static void test_histogram__log_uniform_vs_sorted_reference(void **state)
{
	enum { N = 100000 };
	uint64_t *v = malloc(N * sizeof(*v));
	size_t i;
	(void)state;
	assert_non_null(v);
	/* 1 .. 2^40: every octave the histogram resolves. */
	for (i = 0; i < N; i++)
		v[i] = (uint64_t)exp2(uniform01() * 40.0);
	check_against_reference(v, N, "log-uniform 1..2^40");
	free(v);
}

static void test_histogram__bimodal_and_constant_vs_sorted_reference(void **state)
{
	enum { N = 50000 };
	uint64_t *v = malloc(N * sizeof(*v));
	size_t i;
	(void)state;
	assert_non_null(v);
	/* 99% fast around 20 us, 1% slow around 3 ms: the tail is what p99.9 sees. */
	for (i = 0; i < N; i++)
		v[i] = i % 100 == 7 ? 3000000 + next_u64() % 500000 : 20000 + next_u64() % 2000;
	check_against_reference(v, N, "bimodal");
	for (i = 0; i < N; i++)
		v[i] = 123457;
	check_against_reference(v, N, "constant");
	free(v);
}

static void test_histogram__buckets_tile_the_range(void **state)
{
	uint64_t lo, hi, prev_hi = 0;
	size_t i;
	(void)state;
	for (i = 0; i < PERFDB_HISTOGRAM_BUCKETS; i++) {
		perfdb_histogram_bucket_range(i, &lo, &hi);
		if (i > 0)
			assert_int_equal(lo, prev_hi + 1);
		assert_true(hi >= lo);
		/* A bucket is at most 1/64 of its lower bound wide, so its middle is
		 * within 1/128 of any value in it. */
		if (lo >= 64)
			assert_true((double)(hi - lo + 1) <= (double)lo / 64.0);
		assert_int_equal(perfdb_histogram_index(lo), i);
		if (i + 1 < PERFDB_HISTOGRAM_BUCKETS)
			assert_int_equal(perfdb_histogram_index(hi), i);
		prev_hi = hi;
	}
	/* Random values land in the bucket whose range holds them. */
	for (i = 0; i < 100000; i++) {
		uint64_t v = next_u64() >> (next_u64() % 64);
		size_t k = perfdb_histogram_index(v);
		assert_true(k < PERFDB_HISTOGRAM_BUCKETS);
		perfdb_histogram_bucket_range(k, &lo, &hi);
		if (k + 1 < PERFDB_HISTOGRAM_BUCKETS)
			assert_true(lo <= v && v <= hi);
		else
			assert_true(v >= lo);
	}
}

static void test_histogram__huge_values_keep_exact_max(void **state)
{
	perfdb_histogram *h = new_hist();
	uint64_t huge = (uint64_t)1 << 50;
	int i;
	(void)state;
	for (i = 0; i < 99; i++)
		perfdb_histogram_record(h, 1000);
	perfdb_histogram_record(h, huge);
	assert_int_equal(perfdb_histogram_index(huge), PERFDB_HISTOGRAM_BUCKETS - 1);
	assert_int_equal(perfdb_histogram_index(UINT64_MAX), PERFDB_HISTOGRAM_BUCKETS - 1);
	/* The first octave past the resolved range must not index past the array. */
	assert_int_equal(perfdb_histogram_index((uint64_t)1 << 42), PERFDB_HISTOGRAM_BUCKETS - 1);
	assert_int_equal(perfdb_histogram_index(((uint64_t)1 << 43) - 1),
			 PERFDB_HISTOGRAM_BUCKETS - 1);
	assert_true(perfdb_histogram_index(((uint64_t)1 << 42) - 1) ==
		    PERFDB_HISTOGRAM_BUCKETS - 1);
	assert_int_equal(h->max, huge);
	assert_int_equal(perfdb_histogram_quantile(h, 1), huge);
	/* p99.5 falls in the last bucket: clamped to max, never beyond. */
	assert_true(perfdb_histogram_quantile(h, 0.995) <= huge);
	assert_true(fabs((double)perfdb_histogram_quantile(h, 0.5) - 1000.0) <= 1000.0 / 128);
	free(h);
}

static void test_histogram__merge_equals_one_histogram(void **state)
{
	perfdb_histogram *a = new_hist(), *b = new_hist(), *all = new_hist(), *empty = new_hist();
	size_t i;
	(void)state;
	for (i = 0; i < 20000; i++) {
		uint64_t v = next_u64() % 5000000;
		perfdb_histogram_record(i % 3 ? a : b, v);
		perfdb_histogram_record(all, v);
	}
	perfdb_histogram_merge(a, b);
	perfdb_histogram_merge(a, empty); /* merging nothing changes nothing */
	assert_int_equal(a->count, all->count);
	assert_int_equal(a->min, all->min);
	assert_int_equal(a->max, all->max);
	assert_true(a->sum == all->sum); /* integers below 2^53: exact in any order */
	assert_memory_equal(a->buckets, all->buckets, sizeof(a->buckets));
	assert_int_equal(perfdb_histogram_quantile(a, 0.99), perfdb_histogram_quantile(all, 0.99));
	/* Merging into an empty histogram copies min as well. */
	perfdb_histogram_merge(empty, b);
	assert_int_equal(empty->min, b->min);
	assert_int_equal(empty->count, b->count);
	free(a);
	free(b);
	free(all);
	free(empty);
}

static void test_histogram__mean_and_stddev(void **state)
{
	perfdb_histogram *h = new_hist();
	static const uint64_t v[] = {2, 4, 4, 4, 5, 5, 7, 9};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		perfdb_histogram_record(h, v[i]);
	assert_true(perfdb_histogram_mean(h) == 5.0);
	assert_true(fabs(perfdb_histogram_stddev(h) - 2.0) < 1e-12); /* population */
	perfdb_histogram_init(h);
	perfdb_histogram_record(h, 42);
	assert_true(perfdb_histogram_stddev(h) == 0.0);
	assert_int_equal(perfdb_histogram_quantile(h, 0.5), 42);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_histogram__empty),
	    cmocka_unit_test(test_histogram__small_values_are_exact),
	    cmocka_unit_test(test_histogram__uniform_vs_sorted_reference),
	    cmocka_unit_test(test_histogram__log_uniform_vs_sorted_reference),
	    cmocka_unit_test(test_histogram__bimodal_and_constant_vs_sorted_reference),
	    cmocka_unit_test(test_histogram__buckets_tile_the_range),
	    cmocka_unit_test(test_histogram__huge_values_keep_exact_max),
	    cmocka_unit_test(test_histogram__merge_equals_one_histogram),
	    cmocka_unit_test(test_histogram__mean_and_stddev),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
