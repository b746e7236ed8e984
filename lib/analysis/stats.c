/*
 * stats.c - descriptive statistics, distributions and two-sample tests.
 *
 * Written from the textbook definitions; the unit tests pin every function to
 * published values (textbook t and U examples, scipy's documented outputs).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* lgamma_r, where the file is built alone (tests' samples) */
#endif
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb/stats.h"
#include "util/error.h"

double perfdb_stats_mean(const double *x, size_t n)
{
	double s = 0;
	size_t i;
	if (!x || n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

double perfdb_stats_variance(const double *x, size_t n)
{
	/* Two passes: the one-pass sum-of-squares formula cancels badly for
	 * benchmark values (large mean, small spread). */
	double m, s = 0, c = 0;
	size_t i;
	if (!x || n < 2)
		return NAN;
	m = perfdb_stats_mean(x, n);
	for (i = 0; i < n; i++) {
		double d = x[i] - m;
		s += d * d;
		c += d;
	}
	/* c corrects the rounding error of the mean (Chan, Golub, LeVeque). */
	return (s - c * c / (double)n) / (double)(n - 1);
}

double perfdb_stats_stddev(const double *x, size_t n)
{
	double v = perfdb_stats_variance(x, n);
	return isnan(v) ? NAN : sqrt(v < 0 ? 0 : v);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

void perfdb_stats_sort(double *x, size_t n)
{
	if (x && n > 1)
		qsort(x, n, sizeof(*x), cmp_double);
}

double perfdb_stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, lo;
	size_t i;
	if (!sorted || n == 0 || !(q >= 0 && q <= 1))
		return NAN;
	h = (double)(n - 1) * q;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

/* Places the k-th smallest element at x[k], smaller ones before, larger
 * after (Wirth's selection; signed indices because j runs below lo). */
static void select_kth(double *x, size_t n, size_t kk)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, k = (ptrdiff_t)kk;
	while (lo < hi) {
		double pivot = x[k];
		ptrdiff_t i = lo, j = hi;
		do {
			while (x[i] < pivot)
				i++;
			while (pivot < x[j])
				j--;
			if (i <= j) {
				double t = x[i];
				x[i] = x[j];
				x[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < k)
			lo = i;
		if (k < i)
			hi = j;
	}
}

/*
 * The order-preserving 64-bit key of a double (NaN excluded): flip every bit
 * of a negative number, only the sign bit of a positive one. -0 reads as +0,
 * as the comparisons of select_kth see them.
 */
static uint64_t order_key(double v)
{
	uint64_t u;
	if (v == 0)
		v = 0; /* -0 */
	memcpy(&u, &v, sizeof(u));
	return u >> 63 ? ~u : u | UINT64_C(1) << 63;
}

static double from_order_key(uint64_t u)
{
	double v;
	u = u >> 63 ? u & ~(UINT64_C(1) << 63) : ~u;
	memcpy(&v, &u, sizeof(v));
	return v;
}

/* The values an array holds, as one chunk (perfdb_stats_chunks). */
typedef struct {
	const double *x;
	size_t n;
	bool given;
} one_chunk;

static const double *array_chunk(void *ctx, size_t *n)
{
	one_chunk *a = ctx;
	a->given = !a->given;
	*n = a->n;
	return a->given ? a->x : NULL;
}

/* A value read, or its distance from c when dev. */
static inline double value_of(double v, bool dev, double c)
{
	return dev ? fabs(v - c) : v;
}

/*
 * The k-th smallest (0-based) of the n values next reads (or of their
 * distances |v - c| when dev), nothing written and nothing allocated: a
 * radix selection on the keys' bytes, most significant first, each pass
 * counting the values that share the bytes chosen so far; once 64 or fewer
 * are left, they are gathered and sorted. At most eight passes whatever the
 * order of the values: the linear bound that a comparison selection on
 * hostile input does not have.
 */
static double radix_kth(perfdb_stats_chunks next, void *ctx, size_t k, bool dev, double c)
{
	uint64_t prefix = 0, mask = 0, few[64];
	const double *x;
	size_t i, m, got;
	int shift;
	for (shift = 56; shift >= 0; shift -= 8) {
		size_t count[256] = {0}, b;
		while ((x = next(ctx, &got)))
			for (i = 0; i < got; i++) {
				uint64_t key = order_key(value_of(x[i], dev, c));
				if ((key & mask) == prefix)
					count[(key >> shift) & 0xff]++;
			}
		for (b = 0; k >= count[b]; b++)
			k -= count[b];
		prefix |= (uint64_t)b << shift;
		mask |= (uint64_t)0xff << shift;
		if (count[b] <= 64 && shift > 0)
			break; /* few left: gather them and sort */
	}
	if (shift < 0)
		return from_order_key(prefix);
	m = 0;
	while ((x = next(ctx, &got)))
		for (i = 0; i < got; i++) {
			uint64_t key = order_key(value_of(x[i], dev, c));
			size_t j;
			if ((key & mask) != prefix)
				continue;
			for (j = m++; j > 0 && few[j - 1] > key; j--)
				few[j] = few[j - 1];
			few[j] = key;
		}
	return from_order_key(few[k]);
}

/* The median of the n values next reads (or of their distances from c),
 * as perfdb_stats_median_inplace computes it: the middle value, or the
 * midpoint of the two. */
static double radix_median(perfdb_stats_chunks next, void *ctx, size_t n, bool dev, double c)
{
	const double *x;
	size_t k, i, got, le = 0;
	double lo, hi = INFINITY;
	if (n % 2 == 1)
		return radix_kth(next, ctx, n / 2, dev, c);
	k = n / 2 - 1;
	lo = radix_kth(next, ctx, k, dev, c);
	/* the next one up: lo again when more than k + 1 values are <= lo */
	while ((x = next(ctx, &got)))
		for (i = 0; i < got; i++) {
			double v = value_of(x[i], dev, c);
			if (v <= lo)
				le++;
			else if (v < hi)
				hi = v;
		}
	if (le > k + 1)
		hi = lo;
	return lo + (hi - lo) / 2;
}

double perfdb_stats_median(const double *x, size_t n)
{
	one_chunk a = {x, n, false};
	if (!x || n == 0)
		return NAN;
	return radix_median(array_chunk, &a, n, false, 0);
}

double perfdb_stats_mad(const double *x, size_t n, double median)
{
	one_chunk a = {x, n, false};
	if (!x || n == 0)
		return NAN;
	return radix_median(array_chunk, &a, n, true, median);
}

double perfdb_stats_median_chunks(perfdb_stats_chunks next, void *ctx, size_t n)
{
	return n ? radix_median(next, ctx, n, false, 0) : NAN;
}

double perfdb_stats_mad_chunks(perfdb_stats_chunks next, void *ctx, size_t n, double median)
{
	return n ? radix_median(next, ctx, n, true, median) : NAN;
}

/* From this length on, the in-place median is the radix selection's: a
 * comparison selection has a quadratic worst case, and samples may come
 * from an untrusted file. Below it, the selection is faster. */
#define RADIX_FROM 4096

double perfdb_stats_median_inplace(double *x, size_t n)
{
	size_t k, i;
	double lo, hi;
	if (!x || n == 0)
		return NAN;
	if (n >= RADIX_FROM)
		return perfdb_stats_median(x, n);
	if (n % 2 == 1) {
		select_kth(x, n, n / 2);
		return x[n / 2];
	}
	k = n / 2 - 1;
	select_kth(x, n, k);
	lo = x[k];
	hi = x[k + 1];
	for (i = k + 2; i < n; i++)
		if (x[i] < hi)
			hi = x[i];
	return lo + (hi - lo) / 2;
}

double perfdb_stats_mad_inplace(double *x, size_t n)
{
	double med;
	size_t i;
	if (!x || n == 0)
		return NAN;
	med = perfdb_stats_median_inplace(x, n);
	for (i = 0; i < n; i++)
		x[i] = fabs(x[i] - med);
	return perfdb_stats_median_inplace(x, n);
}

int perfdb_stats_summarize(perfdb_summary *out, const double *x, size_t n)
{
	double *s;
	size_t i;
	if (!out || !x || n == 0)
		return perfdb_error__set(PERFDB_EINVAL, "summary of an empty sample");
	for (i = 0; i < n; i++)
		if (isnan(x[i]))
			return perfdb_error__set(PERFDB_EINVAL, "summary of a sample with NAN");
	s = malloc(n * sizeof(*s));
	if (!s)
		return perfdb_error__oom();
	memcpy(s, x, n * sizeof(*s));
	perfdb_stats_sort(s, n);
	out->n = n;
	out->mean = perfdb_stats_mean(x, n);
	out->stddev = perfdb_stats_stddev(x, n);
	out->min = s[0];
	out->max = s[n - 1];
	out->median = perfdb_stats_quantile_sorted(s, n, 0.5);
	out->q1 = perfdb_stats_quantile_sorted(s, n, 0.25);
	out->q3 = perfdb_stats_quantile_sorted(s, n, 0.75);
	out->mad = perfdb_stats_mad_inplace(s, n);
	free(s);
	return 0;
}

/* ---- distributions ------------------------------------------------------------ */

double perfdb_stats_normal_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

/* Continued fraction of the incomplete beta function, evaluated with the
 * modified Lentz method; converges quickly for x < (a + 1) / (a + b + 2). */
static double incbeta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 10000; m++) {
		double m2 = 2.0 * m, num, delta;
		/* even step: d_{2m} */
		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		/* odd step: d_{2m+1} */
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < eps)
			break;
	}
	return h;
}

/* ln |Gamma(x)| without lgamma's global sign (signgam): two threads
 * judging series at once raced on it. */
static double log_gamma(double x)
{
	int sign;
	return lgamma_r(x, &sign);
}

double perfdb_stats_incbeta(double a, double b, double x)
{
	double front;
	if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1))
		return NAN;
	if (x == 0)
		return 0;
	if (x == 1)
		return 1;
	front = exp(log_gamma(a + b) - log_gamma(a) - log_gamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * incbeta_cf(a, b, x) / a;
	/* symmetry I_x(a, b) = 1 - I_{1-x}(b, a) keeps the fraction convergent */
	return 1 - front * incbeta_cf(b, a, 1 - x) / b;
}

/* P(T > t) for Student's t, computed without cancellation for large |t|. */
static double t_sf(double t, double df)
{
	double tail;
	if (isinf(t))
		return t > 0 ? 0 : 1;
	tail = 0.5 * perfdb_stats_incbeta(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? tail : 1 - tail;
}

double perfdb_stats_t_cdf(double t, double df)
{
	if (!(df > 0) || isnan(t))
		return NAN;
	/* the lower tail directly: 1 - (1 - tiny) is 0, and a p-value of 0 */
	return t < 0 ? t_sf(-t, df) : 1 - t_sf(t, df);
}

/* ---- tests ------------------------------------------------------------------- */

static int check_sample(const double *x, size_t n, size_t min, const char *what)
{
	size_t i;
	if (!x || n < min)
		return perfdb_error__set(PERFDB_EINVAL, "%s: needs at least %zu values, got %zu",
					 what, min, x ? n : 0);
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return perfdb_error__set(PERFDB_EINVAL, "%s: value %zu is not finite", what,
						 i);
	return 0;
}

static double p_from_sf(double sf_stat, double cdf_stat, perfdb_alternative alt)
{
	double p;
	switch (alt) {
	case PERFDB_LESS: p = cdf_stat; break;
	case PERFDB_GREATER: p = sf_stat; break;
	default: p = 2 * (sf_stat < cdf_stat ? sf_stat : cdf_stat); break;
	}
	return p > 1 ? 1 : (p < 0 ? 0 : p);
}

int perfdb_stats_welch(perfdb_test_result *out, const double *a, size_t na, const double *b,
		       size_t nb, perfdb_alternative alt)
{
	double ma, mb, va, vb, sa, sb, se2;
	int err;
	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "welch: NULL result");
	if ((err = check_sample(a, na, 2, "welch: sample a")) < 0 ||
	    (err = check_sample(b, nb, 2, "welch: sample b")) < 0)
		return err;
	ma = perfdb_stats_mean(a, na);
	mb = perfdb_stats_mean(b, nb);
	va = perfdb_stats_variance(a, na);
	vb = perfdb_stats_variance(b, nb);
	sa = va / (double)na;
	sb = vb / (double)nb;
	se2 = sa + sb;
	out->exact = 0;
	if (!(se2 > 0)) {
		/* Two constant samples: either identical or certainly different. */
		out->df = NAN;
		if (ma == mb) {
			out->statistic = 0;
			out->p_value = 1;
		} else {
			out->statistic = ma > mb ? INFINITY : -INFINITY;
			out->p_value = alt == PERFDB_TWO_SIDED			? 0
				       : ((alt == PERFDB_GREATER) == (ma > mb)) ? 0
										: 1;
		}
		return 0;
	}
	out->statistic = (ma - mb) / sqrt(se2);
	out->df = se2 * se2 / (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
	{
		double sf = t_sf(out->statistic, out->df);
		double cdf = t_sf(-out->statistic, out->df);
		out->p_value = p_from_sf(sf, cdf, alt);
	}
	return 0;
}

typedef struct ranked {
	double v;
	int from_a;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	return (a->v > b->v) - (a->v < b->v);
}

/* Counts of U = 0..m*n over all C(m+n, m) arrangements without ties: the
 * coefficients of the Gaussian binomial [m+n choose m]_q, built as
 * prod_{i=1..m} (1 - q^{n+i}) / (1 - q^i). Every intermediate is an integer
 * below 2^53 for m + n <= 40, so the doubles are exact. */
static double *u_counts(size_t m, size_t n)
{
	size_t cap = m * n + m + 2, deg = 0, i, k;
	double *c = calloc(cap, sizeof(*c));
	if (!c)
		return NULL;
	c[0] = 1;
	for (i = 1; i <= m; i++) {
		size_t shift = n + i;
		for (k = deg + 1; k-- > 0;)
			c[k + shift] -= c[k];
		deg += shift;
		for (k = i; k <= deg; k++)
			c[k] += c[k - i];
		deg -= i;
	}
	return c;
}

int perfdb_stats_mannwhitney(perfdb_test_result *out, const double *a, size_t na, const double *b,
			     size_t nb, perfdb_alternative alt)
{
	size_t n = na + nb, i, j;
	ranked *r;
	double ra = 0, tie_sum = 0, u1, u2;
	int err, ties = 0;
	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "mann-whitney: NULL result");
	if ((err = check_sample(a, na, 1, "mann-whitney: sample a")) < 0 ||
	    (err = check_sample(b, nb, 1, "mann-whitney: sample b")) < 0)
		return err;
	r = malloc(n * sizeof(*r));
	if (!r)
		return perfdb_error__oom();
	for (i = 0; i < na; i++)
		r[i] = (ranked){a[i], 1};
	for (i = 0; i < nb; i++)
		r[na + i] = (ranked){b[i], 0};
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (i = 0; i < n; i = j) {
		double rank, t;
		size_t k;
		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		rank = (double)(i + 1 + j) / 2; /* mean of ranks i+1 .. j */
		t = (double)(j - i);
		if (t > 1) {
			ties = 1;
			tie_sum += t * t * t - t;
		}
		for (k = i; k < j; k++)
			if (r[k].from_a)
				ra += rank;
	}
	free(r);
	u1 = ra - (double)na * (double)(na + 1) / 2;
	u2 = (double)na * (double)nb - u1;
	out->statistic = u1;
	out->df = NAN;
	out->exact = 0;
	if (!ties && n <= 40) {
		size_t m = na < nb ? na : nb, nn = na < nb ? nb : na, u, ui = (size_t)llround(u1);
		double *c = u_counts(m, nn), total = 0, le = 0, ge = 0;
		if (!c)
			return perfdb_error__oom();
		/* The distribution of U is symmetric and the same for either
		 * sample, so the counts of the smaller size serve both. */
		for (u = 0; u <= m * nn; u++) {
			total += c[u];
			if (u <= ui)
				le += c[u];
			if (u >= ui)
				ge += c[u];
		}
		free(c);
		out->exact = 1;
		out->p_value = p_from_sf(ge / total, le / total, alt);
		return 0;
	}
	{
		double mu = (double)na * (double)nb / 2, dn = (double)n;
		double var = (double)na * (double)nb / 12 * ((dn + 1) - tie_sum / (dn * (dn - 1)));
		double s = sqrt(var), u, z;
		if (!(s > 0)) {
			out->p_value = 1; /* every value equal: no evidence at all */
			return 0;
		}
		switch (alt) {
		case PERFDB_GREATER: u = u1; break;
		case PERFDB_LESS: u = u2; break;
		default: u = u1 > u2 ? u1 : u2; break;
		}
		z = (u - mu - 0.5) / s;
		out->p_value = (alt == PERFDB_TWO_SIDED ? 2 : 1) * perfdb_stats_normal_cdf(-z);
		if (out->p_value > 1)
			out->p_value = 1;
	}
	return 0;
}

/* splitmix64: small, fast, and good enough to drive a bootstrap. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double location(double *x, size_t n, perfdb_location loc)
{
	return loc == PERFDB_LOCATION_MEDIAN ? perfdb_stats_median_inplace(x, n)
					     : perfdb_stats_mean(x, n);
}

static double resampled_location(const double *x, size_t n, double *buf, uint64_t *rng,
				 perfdb_location loc)
{
	size_t i;
	for (i = 0; i < n; i++)
		buf[i] = x[next_random(rng) % n];
	return location(buf, n, loc);
}

void perfdb_bootstrap_options_init(perfdb_bootstrap_options *opts)
{
	perfdb_bootstrap_options d = PERFDB_BOOTSTRAP_OPTIONS_INIT;
	*opts = d;
}

int perfdb_stats_bootstrap_change(perfdb_interval *out, const double *a, size_t na, const double *b,
				  size_t nb, const perfdb_bootstrap_options *opts)
{
	perfdb_bootstrap_options o = PERFDB_BOOTSTRAP_OPTIONS_INIT;
	double *buf, *est, la, lb;
	uint64_t rng;
	unsigned i, kept = 0;
	int err;
	if (opts)
		o = *opts;
	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "bootstrap: NULL result");
	if (o.version != PERFDB_BOOTSTRAP_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "bootstrap: unknown options version %u",
					 o.version);
	if ((err = check_sample(a, na, 1, "bootstrap: sample a")) < 0 ||
	    (err = check_sample(b, nb, 1, "bootstrap: sample b")) < 0)
		return err;
	if (!(o.confidence > 0 && o.confidence < 1) || o.resamples < 10)
		return perfdb_error__set(
		    PERFDB_EINVAL, "bootstrap: confidence must be in (0, 1) and resamples >= 10");
	buf = malloc((na > nb ? na : nb) * sizeof(*buf));
	est = malloc(o.resamples * sizeof(*est));
	if (!buf || !est) {
		free(buf);
		free(est);
		return perfdb_error__oom();
	}
	memcpy(buf, a, na * sizeof(*buf));
	la = location(buf, na, o.location);
	memcpy(buf, b, nb * sizeof(*buf));
	lb = location(buf, nb, o.location);
	if (la == 0) {
		free(buf);
		free(est);
		return perfdb_error__set(PERFDB_EINVAL, "bootstrap: the location of a is 0");
	}
	rng = o.seed;
	for (i = 0; i < o.resamples; i++) {
		double ra = resampled_location(a, na, buf, &rng, o.location);
		double rb = resampled_location(b, nb, buf, &rng, o.location);
		if (ra != 0)
			est[kept++] = rb / ra - 1;
	}
	free(buf);
	if (kept < 10) {
		free(est);
		return perfdb_error__set(PERFDB_EINVAL, "bootstrap: resampled locations are 0");
	}
	perfdb_stats_sort(est, kept);
	out->estimate = lb / la - 1;
	out->lower = perfdb_stats_quantile_sorted(est, kept, (1 - o.confidence) / 2);
	out->upper = perfdb_stats_quantile_sorted(est, kept, (1 + o.confidence) / 2);
	free(est);
	return 0;
}
