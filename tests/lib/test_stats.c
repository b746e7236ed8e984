/* Unit tests of lib/analysis/stats.c against published and closed-form values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "perfdb/stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void near(double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol)) {
		print_error("got %.12g, want %.12g (tol %g)\n", got, want, tol);
		fail();
	}
}

static void test_stats__descriptive(void **state)
{
	/* The classic example with population sd 2: sample sd sqrt(32/7). */
	const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
	(void)state;
	near(perfdb_stats_mean(x, N(x)), 5, 1e-12);
	near(perfdb_stats_variance(x, N(x)), 32.0 / 7, 1e-12);
	near(perfdb_stats_stddev(x, N(x)), sqrt(32.0 / 7), 1e-12);
	assert_true(isnan(perfdb_stats_mean(x, 0)));
	assert_true(isnan(perfdb_stats_stddev(x, 1)));
}

static void test_stats__variance_large_offset(void **state)
{
	/* Benchmark-like values: a naive sum-of-squares formula loses it all. */
	const double x[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
	(void)state;
	near(perfdb_stats_variance(x, N(x)), 30, 1e-6);
}

static void test_stats__median_and_quantiles(void **state)
{
	double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2}, dup[] = {5, 5, 5, 1, 5, 9};
	const double sorted[] = {1, 2, 3, 4};
	(void)state;
	near(perfdb_stats_median_inplace(odd, 3), 2, 0);
	near(perfdb_stats_median_inplace(even, 4), 2.5, 0);
	near(perfdb_stats_median_inplace(dup, 6), 5, 0);
	/* numpy.quantile([1,2,3,4], q) (linear, type 7) */
	near(perfdb_stats_quantile_sorted(sorted, 4, 0.25), 1.75, 1e-12);
	near(perfdb_stats_quantile_sorted(sorted, 4, 0.5), 2.5, 1e-12);
	near(perfdb_stats_quantile_sorted(sorted, 4, 0.9), 3.7, 1e-12);
	near(perfdb_stats_quantile_sorted(sorted, 4, 0), 1, 0);
	near(perfdb_stats_quantile_sorted(sorted, 4, 1), 4, 0);
	assert_true(isnan(perfdb_stats_quantile_sorted(sorted, 4, 1.5)));
	assert_true(isnan(perfdb_stats_median_inplace(odd, 0)));
}

static void test_stats__median_many(void **state)
{
	/* Selection against sorting, on a shuffled sequence with duplicates. */
	double x[101], y[101];
	size_t i;
	(void)state;
	for (i = 0; i < 101; i++)
		x[i] = y[i] = (double)((i * 37) % 101 / 3);
	perfdb_stats_sort(y, 101);
	near(perfdb_stats_median_inplace(x, 101), y[50], 0);
	for (i = 0; i < 100; i++)
		x[i] = y[i] = (double)((i * 13) % 100);
	perfdb_stats_sort(y, 100);
	near(perfdb_stats_median_inplace(x, 100), (y[49] + y[50]) / 2, 0);
}

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double sorted_median(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : s[n / 2 - 1] + (s[n / 2] - s[n / 2 - 1]) / 2;
}

/*
 * perfdb_stats_median and perfdb_stats_mad (a radix selection, x left as it
 * is) give exactly the in-place selection's values: odd and even lengths,
 * short and long arrays (the gathering of the last 64 and the full eight
 * passes), ties, negatives, zeros of both signs, wide and narrow ranges.
 */
static void test_stats__median_without_copy(void **state)
{
	enum { MAXN = 9000 };
	static double x[MAXN], copy[MAXN], scratch[MAXN];
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int round;
	(void)state;
	assert_true(isnan(perfdb_stats_median(x, 0)));
	assert_true(isnan(perfdb_stats_mad(x, 0, 0)));
	for (round = 0; round < 600; round++) {
		size_t n = round < 200 ? (size_t)round % 70 + 1 : next_rand(&seed) % MAXN + 1, i;
		int shape = round % 6;
		double med, want_med, want_mad;
		for (i = 0; i < n; i++) {
			uint64_t r = next_rand(&seed);
			switch (shape) {
			case 0: x[i] = (double)(r % 7); break;			    /* many ties */
			case 1: x[i] = (double)(int64_t)(r % 2001) - 1000.5; break; /* negatives */
			case 2: x[i] = (r & 1 ? -0.0 : 0.0) + (double)(r % 3); break;
			case 3: x[i] = ldexp((double)(r >> 11), (int)(r % 200) - 100); break;
			case 4: x[i] = 1e9 + (double)(r % 1000) * 1e-3; break; /* narrow */
			default: x[i] = (r & 2 ? -1 : 1) * (double)(r >> 12) / 3.0; break;
			}
		}
		memcpy(copy, x, n * sizeof(*x));
		memcpy(scratch, x, n * sizeof(*x));
		want_med = perfdb_stats_median_inplace(scratch, n);
		memcpy(scratch, x, n * sizeof(*x));
		want_mad = perfdb_stats_mad_inplace(scratch, n);
		med = perfdb_stats_median(x, n);
		/* and both are the sorted array's middle (the in-place one is the
		 * radix selection too from 4,096 values on) */
		memcpy(scratch, x, n * sizeof(*x));
		perfdb_stats_sort(scratch, n);
		assert_true(want_med == sorted_median(scratch, n));
		for (i = 0; i < n; i++)
			scratch[i] = fabs(x[i] - want_med);
		perfdb_stats_sort(scratch, n);
		assert_true(want_mad == sorted_median(scratch, n));
		if (!(med == want_med) || !(perfdb_stats_mad(x, n, med) == want_mad)) {
			print_error("round %d, n %zu, shape %d: median %.17g (want %.17g), "
				    "mad %.17g (want %.17g)\n",
				    round, n, shape, med, want_med, perfdb_stats_mad(x, n, med),
				    want_mad);
			fail();
		}
		assert_memory_equal(x, copy, n * sizeof(*x));
	}
}

/* Values a chunk at a time for perfdb_stats_median_chunks: chunks of 1 to
 * 37 values, NULL after the last, then again from the first; passes
 * counted, and each pass checked to read every value. */
typedef struct {
	const double *x;
	size_t n, at, passes;
	uint64_t seed;
} chunked;

static const double *next_chunk(void *ctx, size_t *n)
{
	chunked *c = ctx;
	size_t k;
	if (c->at == c->n) {
		c->at = 0;
		c->passes++;
		*n = 0;
		return NULL;
	}
	k = (size_t)(next_rand(&c->seed) % 37) + 1;
	if (k > c->n - c->at)
		k = c->n - c->at;
	c->at += k;
	*n = k;
	return c->x + c->at - k;
}

/*
 * The chunked median and MAD (values too many to hold, read again where
 * they are) are exactly the array's, whatever the chunks, in at most nine
 * passes each; each pass reads to the end, so the next starts afresh.
 */
static void test_stats__median_in_chunks(void **state)
{
	enum { MAXN = 9000 };
	static double x[MAXN];
	uint64_t seed = 0x2545f4914f6cdd1du;
	int round;
	(void)state;
	assert_true(isnan(perfdb_stats_median_chunks(next_chunk, NULL, 0)));
	for (round = 0; round < 300; round++) {
		size_t n = round < 100 ? (size_t)round % 70 + 1 : next_rand(&seed) % MAXN + 1, i;
		chunked c = {x, n, 0, 0, seed};
		double med, mad;
		for (i = 0; i < n; i++) {
			uint64_t r = next_rand(&seed);
			x[i] = round % 3 == 0	? (double)(r % 5)
			       : round % 3 == 1 ? 1e9 + (double)(r % 1000) * 1e-3
						: (r & 2 ? -1 : 1) * (double)(r >> 12) / 3.0;
		}
		med = perfdb_stats_median_chunks(next_chunk, &c, n);
		assert_true(c.at == 0 && c.passes >= 1 && c.passes <= 9);
		assert_true(med == perfdb_stats_median(x, n));
		c.passes = 0;
		mad = perfdb_stats_mad_chunks(next_chunk, &c, n, med);
		assert_true(c.at == 0 && c.passes >= 1 && c.passes <= 9);
		assert_true(mad == perfdb_stats_mad(x, n, med));
	}
}

static void test_stats__mad(void **state)
{
	/* Wikipedia's example: {1,1,2,2,4,6,9} has median 2 and MAD 1. */
	double x[] = {1, 1, 2, 2, 4, 6, 9};
	(void)state;
	near(perfdb_stats_mad_inplace(x, N(x)), 1, 0);
}

static void test_stats__summarize(void **state)
{
	const double x[] = {9, 1, 6, 2, 4, 1, 2};
	perfdb_summary s;
	(void)state;
	assert_int_equal(perfdb_stats_summarize(&s, x, N(x)), 0);
	assert_int_equal(s.n, 7);
	near(s.min, 1, 0);
	near(s.max, 9, 0);
	near(s.median, 2, 0);
	near(s.mad, 1, 0);
	near(s.q1, 1.5, 1e-12);
	near(s.q3, 5, 1e-12);
	near(s.mean, 25.0 / 7, 1e-12);
	assert_int_equal(x[0], 9); /* input left alone */
	assert_int_equal(perfdb_stats_summarize(&s, x, 0), PERFDB_EINVAL);
}

static void test_stats__incbeta(void **state)
{
	(void)state;
	near(perfdb_stats_incbeta(1, 1, 0.3), 0.3, 1e-14);	  /* uniform */
	near(perfdb_stats_incbeta(3, 1, 0.5), 0.125, 1e-14);	  /* x^a */
	near(perfdb_stats_incbeta(1, 4, 0.5), 1 - 0.0625, 1e-14); /* 1-(1-x)^b */
	near(perfdb_stats_incbeta(7.5, 7.5, 0.5), 0.5, 1e-13);	  /* symmetry */
	/* I_0.2(2,3) = 1 - sum_{j<2} C(4,j) .2^j .8^(4-j) = 0.1808 */
	near(perfdb_stats_incbeta(2, 3, 0.2), 0.1808, 1e-13);
	assert_true(isnan(perfdb_stats_incbeta(-1, 1, 0.5)));
	assert_true(isnan(perfdb_stats_incbeta(1, 1, 1.5)));
}

static void test_stats__t_cdf(void **state)
{
	const double ts[] = {-30, -2.5, -1, 0, 0.3, 1.7, 12};
	size_t i;
	(void)state;
	for (i = 0; i < N(ts); i++) {
		double t = ts[i];
		/* df 1 is Cauchy, df 2 has a closed form too. */
		near(perfdb_stats_t_cdf(t, 1), 0.5 + atan(t) / M_PI, 1e-13);
		near(perfdb_stats_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-13);
	}
	/* Table values: t_{0.975, 10} = 2.228139, t_{0.95, 30} = 1.697261 */
	near(perfdb_stats_t_cdf(2.228139, 10), 0.975, 1e-6);
	near(perfdb_stats_t_cdf(1.697261, 30), 0.95, 1e-6);
	/* Large df tends to the normal. */
	near(perfdb_stats_t_cdf(1.959964, 1e7), 0.975, 1e-6);
	near(perfdb_stats_normal_cdf(1.959964), 0.975, 1e-7);
	assert_true(isnan(perfdb_stats_t_cdf(1, 0)));
}

static void test_stats__welch_wikipedia(void **state)
{
	/* Wikipedia "Welch's t-test", example 1: t -2.46, df 24.9, p 0.021. */
	const double a[] = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			    21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
	const double b[] = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			    24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
	/* example 2: t -1.57, df 9.9, p 0.149 */
	const double c[] = {17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8};
	const double d[] = {21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8,
			    20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8};
	perfdb_test_result r;
	(void)state;
	assert_int_equal(perfdb_stats_welch(&r, a, N(a), b, N(b), PERFDB_TWO_SIDED), 0);
	near(r.statistic, -2.455356398286, 1e-9);
	near(r.df, 24.988529290231, 1e-9);
	near(r.p_value, 0.021378, 1e-5);
	assert_int_equal(perfdb_stats_welch(&r, a, N(a), b, N(b), PERFDB_LESS), 0);
	near(r.p_value, 0.021378 / 2, 1e-5);
	assert_int_equal(perfdb_stats_welch(&r, a, N(a), b, N(b), PERFDB_GREATER), 0);
	near(r.p_value, 1 - 0.021378 / 2, 1e-5);
	assert_int_equal(perfdb_stats_welch(&r, c, N(c), d, N(d), PERFDB_TWO_SIDED), 0);
	near(r.statistic, -1.565433523599, 1e-9);
	near(r.df, 9.904741248651, 1e-9);
	near(r.p_value, 0.148842, 1e-5);
}

static void test_stats__welch_degenerate(void **state)
{
	const double a[] = {5, 5, 5}, b[] = {5, 5}, c[] = {7, 7}, one[] = {1};
	const double bad[] = {1, NAN};
	perfdb_test_result r;
	(void)state;
	assert_int_equal(perfdb_stats_welch(&r, a, 3, b, 2, PERFDB_TWO_SIDED), 0);
	near(r.p_value, 1, 0);
	assert_int_equal(perfdb_stats_welch(&r, a, 3, c, 2, PERFDB_TWO_SIDED), 0);
	near(r.p_value, 0, 0);
	assert_int_equal(perfdb_stats_welch(&r, a, 3, c, 2, PERFDB_GREATER), 0);
	near(r.p_value, 1, 0);
	assert_int_equal(perfdb_stats_welch(&r, a, 3, one, 1, PERFDB_TWO_SIDED), PERFDB_EINVAL);
	assert_int_equal(perfdb_stats_welch(&r, a, 3, bad, 2, PERFDB_TWO_SIDED), PERFDB_EINVAL);
}

static void test_stats__mannwhitney_scipy_example(void **state)
{
	/* scipy.stats.mannwhitneyu docs: U 17, exact p 0.1111 (= 2*7/126),
	 * asymptotic p 0.11134688653314041. */
	const double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
	perfdb_test_result r;
	(void)state;
	assert_int_equal(perfdb_stats_mannwhitney(&r, males, 5, females, 4, PERFDB_TWO_SIDED), 0);
	near(r.statistic, 17, 0);
	assert_int_equal(r.exact, 1);
	near(r.p_value, 14.0 / 126, 1e-14);
	assert_int_equal(perfdb_stats_mannwhitney(&r, males, 5, females, 4, PERFDB_GREATER), 0);
	near(r.p_value, 7.0 / 126, 1e-14);
	assert_int_equal(perfdb_stats_mannwhitney(&r, males, 5, females, 4, PERFDB_LESS), 0);
	near(r.p_value, 1 - 4.0 / 126, 1e-14); /* P(U <= 17) = 1 - P(U >= 18) */
	assert_int_equal(perfdb_stats_mannwhitney(&r, females, 4, males, 5, PERFDB_TWO_SIDED), 0);
	near(r.statistic, 3, 0);
	near(r.p_value, 14.0 / 126, 1e-14);
}

static void test_stats__mannwhitney_asymptotic_ties(void **state)
{
	/* Ties force the normal approximation (tie and continuity corrected);
	 * values worked by hand from the textbook formula. */
	const double x[] = {1, 2, 2, 3, 4, 5, 5, 6}, y[] = {3, 4, 4, 7, 8, 8, 9};
	perfdb_test_result r;
	(void)state;
	assert_int_equal(perfdb_stats_mannwhitney(&r, x, N(x), y, N(y), PERFDB_TWO_SIDED), 0);
	assert_int_equal(r.exact, 0);
	near(r.statistic, 11.5, 0);
	near(r.p_value, 0.0621800562848156, 1e-12);
	assert_int_equal(perfdb_stats_mannwhitney(&r, x, N(x), y, N(y), PERFDB_LESS), 0);
	near(r.p_value, 0.0310900281424078, 1e-12);
	assert_int_equal(perfdb_stats_mannwhitney(&r, x, N(x), y, N(y), PERFDB_GREATER), 0);
	near(r.p_value, 0.9762364583999246, 1e-12);
}

static void test_stats__mannwhitney_exact_larger(void **state)
{
	/* Complete separation of 10 vs 10: the exact one-sided p is 1/C(20,10). */
	double a[10], b[10];
	perfdb_test_result r;
	size_t i;
	(void)state;
	for (i = 0; i < 10; i++) {
		a[i] = (double)i;
		b[i] = 100.0 + (double)i;
	}
	assert_int_equal(perfdb_stats_mannwhitney(&r, a, 10, b, 10, PERFDB_LESS), 0);
	assert_int_equal(r.exact, 1);
	near(r.statistic, 0, 0);
	near(r.p_value, 1.0 / 184756, 1e-18);
	assert_int_equal(perfdb_stats_mannwhitney(&r, a, 10, b, 10, PERFDB_TWO_SIDED), 0);
	near(r.p_value, 2.0 / 184756, 1e-18);
}

static void test_stats__mannwhitney_bad_input(void **state)
{
	const double a[] = {1, 2}, allsame[] = {3, 3, 3};
	perfdb_test_result r;
	(void)state;
	assert_int_equal(perfdb_stats_mannwhitney(&r, a, 2, a, 0, PERFDB_TWO_SIDED), PERFDB_EINVAL);
	assert_int_equal(perfdb_stats_mannwhitney(&r, NULL, 2, a, 2, PERFDB_TWO_SIDED),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_stats_mannwhitney(&r, allsame, 3, allsame, 3, PERFDB_TWO_SIDED), 0);
	near(r.p_value, 1, 0);
}

static void test_stats__bootstrap(void **state)
{
	/* b is a exactly 10% higher: every resample pair centres on +10%. */
	double a[40], b[40];
	perfdb_interval ci, again;
	perfdb_bootstrap_options o = PERFDB_BOOTSTRAP_OPTIONS_INIT;
	size_t i;
	(void)state;
	for (i = 0; i < 40; i++) {
		a[i] = 100 + (double)((i * 7) % 11) - 5;
		b[i] = 110 + (double)((i * 5) % 11) - 5;
	}
	assert_int_equal(perfdb_stats_bootstrap_change(&ci, a, 40, b, 40, NULL), 0);
	near(ci.estimate, 0.1, 0.005);
	assert_true(ci.lower < ci.estimate && ci.estimate < ci.upper);
	assert_true(ci.lower > 0.08 && ci.upper < 0.12);
	/* deterministic for a seed */
	assert_int_equal(perfdb_stats_bootstrap_change(&again, a, 40, b, 40, NULL), 0);
	near(again.lower, ci.lower, 0);
	near(again.upper, ci.upper, 0);
	/* equal samples: the interval straddles 0 */
	o.location = PERFDB_LOCATION_MEDIAN;
	assert_int_equal(perfdb_stats_bootstrap_change(&ci, a, 40, a, 40, &o), 0);
	near(ci.estimate, 0, 0);
	assert_true(ci.lower < 0 && ci.upper > 0);
	o.confidence = 1.5;
	assert_int_equal(perfdb_stats_bootstrap_change(&ci, a, 40, b, 40, &o), PERFDB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats__descriptive),
	    cmocka_unit_test(test_stats__variance_large_offset),
	    cmocka_unit_test(test_stats__median_and_quantiles),
	    cmocka_unit_test(test_stats__median_many),
	    cmocka_unit_test(test_stats__median_without_copy),
	    cmocka_unit_test(test_stats__median_in_chunks),
	    cmocka_unit_test(test_stats__mad),
	    cmocka_unit_test(test_stats__summarize),
	    cmocka_unit_test(test_stats__incbeta),
	    cmocka_unit_test(test_stats__t_cdf),
	    cmocka_unit_test(test_stats__welch_wikipedia),
	    cmocka_unit_test(test_stats__welch_degenerate),
	    cmocka_unit_test(test_stats__mannwhitney_scipy_example),
	    cmocka_unit_test(test_stats__mannwhitney_asymptotic_ties),
	    cmocka_unit_test(test_stats__mannwhitney_exact_larger),
	    cmocka_unit_test(test_stats__mannwhitney_bad_input),
	    cmocka_unit_test(test_stats__bootstrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
