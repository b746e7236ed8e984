/*
 * changepoint.c - E-Divisive means candidates in sliding windows, pruned
 * against their neighbours (see perfdb/changepoint.h for the method).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb/changepoint.h"
#include "perfdb/stats.h"
#include "util/error.h"

/* Each side of a candidate split holds at least this many points: a t-test
 * needs two per side, and a one-point "segment" is an outlier, not a step. */
#define MIN_SIDE 2

typedef struct detector {
	const double *x;
	size_t n;
	perfdb_changepoint_options o;
	double *scratch;       /* n entries, for medians */
	double *wl, *wr;       /* scratch for one window, window + 1 entries */
	double *ranks, *pairs; /* scratch: ranks of a window, {value, index} pairs */
	size_t *cand;
	size_t ncand, capcand;
} detector;

/* The default test is Mann-Whitney on the values: a single wild point (a
 * one-commit anomaly) neither hides a step nor makes one. */
static double ranks_values(void *ctx, size_t a, size_t b, size_t c)
{
	const detector *d = ctx;
	perfdb_test_result r;
	if (b - a < 2 || c - b < 2)
		return 1;
	if (perfdb_stats_mannwhitney(&r, d->x + a, b - a, d->x + b, c - b, PERFDB_TWO_SIDED) < 0)
		return 1;
	return r.p_value;
}

static double segment_test(detector *d, size_t a, size_t b, size_t c)
{
	if (d->o.test)
		return d->o.test(d->o.test_ctx, a, b, c);
	return ranks_values(d, a, b, c);
}

/* A segment's level is its median, for the same reason. */
static double seg_level(detector *d, size_t a, size_t b)
{
	memcpy(d->scratch, d->x + a, (b - a) * sizeof(*d->scratch));
	return perfdb_stats_median_inplace(d->scratch, b - a);
}

static int add_candidate(detector *d, size_t idx)
{
	if (d->ncand == d->capcand) {
		size_t cap = d->capcand ? d->capcand * 2 : 32;
		size_t *p = realloc(d->cand, cap * sizeof(*p));
		if (!p)
			return perfdb_error__oom();
		d->cand = p;
		d->capcand = cap;
	}
	d->cand[d->ncand++] = idx;
	return 0;
}

/*
 * The split of x[s, e) that maximises the E-Divisive statistic (on ranks)
 *   Q(tau) = pq/(p+q) * (2/(pq) sum|x-y| - sum_{i<k}|x_i-x_k|/C(p,2)
 *                                          - sum_{j<k}|y_j-y_k|/C(q,2))
 * with p = tau - s points on the left and q = e - tau on the right. The
 * within-side sums grow by one row at a time from either end and the
 * between-side sum is the total less both, so the scan is O(m^2).
 * Returns 0 when no split leaves MIN_SIDE points on both sides.
 */
static int cmp_rank(const void *pa, const void *pb)
{
	const double *a = pa, *b = pb; /* {value, index} pairs */
	return (a[0] > b[0]) - (a[0] < b[0]);
}

static size_t best_split(detector *d, size_t s, size_t e)
{
	double *x = d->ranks;
	size_t m = e - s, t, i, j, best = 0;
	double *wl = d->wl, *wr = d->wr, total, bestq = -INFINITY;
	if (m < 2 * MIN_SIDE)
		return 0;
	/* The divergence is computed on the ranks of the segment's values
	 * (ties share their mean rank): one wild point then weighs like any
	 * other extreme point and cannot pull the split onto itself. */
	for (i = 0; i < m; i++) {
		d->pairs[2 * i] = d->x[s + i];
		d->pairs[2 * i + 1] = (double)i;
	}
	qsort(d->pairs, m, 2 * sizeof(double), cmp_rank);
	for (i = 0; i < m; i = j) {
		for (j = i + 1; j < m && d->pairs[2 * j] == d->pairs[2 * i]; j++)
			;
		for (t = i; t < j; t++)
			x[(size_t)d->pairs[2 * t + 1]] = (double)(i + j + 1) / 2;
	}
	wl[0] = wl[1] = 0;
	for (t = 1; t < m; t++) {
		double row = 0;
		for (i = 0; i < t; i++)
			row += fabs(x[i] - x[t]);
		wl[t + 1] = wl[t] + row;
	}
	wr[m] = wr[m - 1] = 0;
	for (t = m - 1; t-- > 0;) {
		double row = 0;
		for (i = t + 1; i < m; i++)
			row += fabs(x[t] - x[i]);
		wr[t] = wr[t + 1] + row;
	}
	total = wl[m];
	for (t = MIN_SIDE; t + MIN_SIDE <= m; t++) {
		double p = (double)t, q = (double)(m - t);
		double between = total - wl[t] - wr[t];
		double e_stat =
		    2 * between / (p * q) - 2 * wl[t] / (p * (p - 1)) - 2 * wr[t] / (q * (q - 1));
		double qv = p * q / (p + q) * e_stat;
		if (qv > bestq) {
			bestq = qv;
			best = t;
		}
	}
	return best ? s + best : 0;
}

/* Hierarchical E-Divisive inside one window: split while significant. */
static int divide(detector *d, size_t s, size_t e, int depth)
{
	size_t tau;
	int err;
	if (depth > 64)
		return 0;
	tau = best_split(d, s, e);
	if (!tau)
		return 0;
	/* The split is the best of (e - s - 2 * MIN_SIDE + 1) tried: its p-value
	 * is Bonferroni-corrected for that choice, or short edge segments of
	 * pure noise would pass as steps. */
	if (!(segment_test(d, s, tau, e) * (double)(e - s - 2 * MIN_SIDE + 1) < d->o.max_p_value))
		return 0;
	if ((err = add_candidate(d, tau)) < 0)
		return err;
	if ((err = divide(d, s, tau, depth + 1)) < 0)
		return err;
	return divide(d, tau, e, depth + 1);
}

static int cmp_size(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	return (a > b) - (a < b);
}

static void evaluate(detector *d, const size_t *cp, size_t k, size_t ncp, perfdb_change_point *r)
{
	size_t a = k > 0 ? cp[k - 1] : 0, b = cp[k], c = k + 1 < ncp ? cp[k + 1] : d->n;
	r->index = b;
	r->level_before = seg_level(d, a, b);
	r->level_after = seg_level(d, b, c);
	if (r->level_before != 0)
		r->change = (r->level_after - r->level_before) / fabs(r->level_before);
	else
		r->change = r->level_after == 0 ? 0 : (r->level_after > 0 ? INFINITY : -INFINITY);
	r->p_value = segment_test(d, a, b, c);
}

static int failing(const detector *d, const perfdb_change_point *r)
{
	return !(r->p_value < d->o.max_p_value) || fabs(r->change) < d->o.min_magnitude;
}

/* Sum of absolute deviations of x[a, b) from its median. */
static double abs_cost(detector *d, size_t a, size_t b)
{
	double med = seg_level(d, a, b), c = 0;
	size_t i;
	for (i = a; i < b; i++)
		c += fabs(d->x[i] - med);
	return c;
}

/* Pruning: drop the weakest failing change point, judge its neighbours
 * again with the merged segment, repeat. */
static void prune(detector *d, size_t *cp, perfdb_change_point *res, size_t *ncp)
{
	size_t k, n = *ncp;
	for (;;) {
		size_t worst = n;
		for (k = 0; k < n; k++) {
			if (!failing(d, &res[k]))
				continue;
			if (worst == n || res[k].p_value > res[worst].p_value ||
			    (res[k].p_value == res[worst].p_value &&
			     fabs(res[k].change) < fabs(res[worst].change)))
				worst = k;
		}
		if (worst == n)
			break;
		memmove(&cp[worst], &cp[worst + 1], (n - worst - 1) * sizeof(*cp));
		memmove(&res[worst], &res[worst + 1], (n - worst - 1) * sizeof(*res));
		n--;
		if (worst > 0)
			evaluate(d, cp, worst - 1, n, &res[worst - 1]);
		if (worst < n)
			evaluate(d, cp, worst, n, &res[worst]);
	}
	*ncp = n;
}

/*
 * One step whose last old-level point and first new-level point sit on
 * opposite sides of a window's edge can come out as two change points with
 * a two-point segment between them, one point of each level (E-Divisive
 * favours the more balanced split, a point early, and the segment left
 * over splits again). Both pass the tests: a side of two points that
 * disagree counts as precise as the pooled spread says. So two
 * neighbouring change points are replaced by one between them when one
 * step fits the points from the change point before to the one after at
 * least as well (the same sum of absolute deviations from the medians that
 * places a step, see refine): a model with one step fewer that fits no
 * worse is the better model, with no constant to tune. A true two-commit
 * level (a spike, a staircase) fits far better with both steps and stays.
 * Returns the number of merges.
 */
static size_t merge_straddles(detector *d, size_t *cp, size_t *ncp)
{
	size_t k, merged = 0;
	for (k = 0; k + 1 < *ncp;) {
		size_t a = k > 0 ? cp[k - 1] : 0, c = k + 2 < *ncp ? cp[k + 2] : d->n;
		size_t b1 = cp[k], b2 = cp[k + 1], t, best = 0;
		double two, bestc = INFINITY;
		/* Only a middle segment too short to hold a step of its own (fewer
		 * than two sides of MIN_SIDE) can be such a leftover; a longer one
		 * is a level the tests already judged. This also keeps the scan
		 * below linear in the series length. */
		if (b2 - b1 >= 2 * MIN_SIDE) {
			k++;
			continue;
		}
		two = abs_cost(d, a, b1) + abs_cost(d, b1, b2) + abs_cost(d, b2, c);
		for (t = b1; t <= b2; t++) {
			double cost;
			if (t < a + MIN_SIDE || t + MIN_SIDE > c)
				continue;
			cost = abs_cost(d, a, t) + abs_cost(d, t, c);
			if (cost < bestc) {
				bestc = cost;
				best = t;
			}
		}
		if (best && bestc <= two) {
			cp[k] = best;
			memmove(&cp[k + 1], &cp[k + 2], (*ncp - k - 2) * sizeof(*cp));
			(*ncp)--;
			merged++;
			continue; /* the merged point may pair with the next */
		}
		k++;
	}
	return merged;
}

/*
 * E-Divisive finds a step but can place it a point early or late when the
 * points beside it are noisy. Between its neighbours, the location with
 * the least absolute deviation of both sides from their medians (the
 * maximum-likelihood location of a level shift under Laplace noise, robust
 * to outliers) is taken within REFINE points.
 */
#define REFINE 3
static void refine(detector *d, size_t *cp, size_t ncp)
{
	size_t k;
	for (k = 0; k < ncp; k++) {
		size_t a = k > 0 ? cp[k - 1] : 0, c = k + 1 < ncp ? cp[k + 1] : d->n, b = cp[k];
		size_t lo = b > a + MIN_SIDE + REFINE ? b - REFINE : a + MIN_SIDE;
		size_t hi = b + REFINE + MIN_SIDE < c ? b + REFINE : c - MIN_SIDE;
		size_t t, best = b;
		double bestc = abs_cost(d, a, b) + abs_cost(d, b, c);
		for (t = lo; t <= hi; t++) {
			double cost;
			if (t == b)
				continue;
			cost = abs_cost(d, a, t) + abs_cost(d, t, c);
			if (cost < bestc - 1e-12 * fabs(bestc)) {
				bestc = cost;
				best = t;
			}
		}
		cp[k] = best;
	}
}

int perfdb_changepoints_detect(perfdb_change_point **out, size_t *nout, const double *values,
			       size_t n, const perfdb_changepoint_options *opts)
{
	detector d;
	perfdb_change_point *res = NULL;
	size_t i, k, start, step, ncp;
	int err = 0;
	if (!out || !nout || (!values && n))
		return perfdb_error__set(PERFDB_EINVAL, "change points: NULL argument");
	*out = NULL;
	*nout = 0;
	memset(&d, 0, sizeof(d));
	d.o = (perfdb_changepoint_options)PERFDB_CHANGEPOINT_OPTIONS_INIT;
	if (opts)
		d.o = *opts;
	if (d.o.window < 6 || !(d.o.max_p_value > 0 && d.o.max_p_value <= 1) ||
	    !(d.o.min_magnitude >= 0))
		return perfdb_error__set(PERFDB_EINVAL,
					 "change points: window must be >= 6, max p-value in "
					 "(0, 1], min magnitude >= 0");
	for (i = 0; i < n; i++)
		if (!isfinite(values[i]))
			return perfdb_error__set(PERFDB_EINVAL,
						 "change points: value %zu is not finite", i);
	if (n < 2 * MIN_SIDE)
		return 0;
	d.x = values;
	d.n = n;
	d.scratch = malloc(n * sizeof(*d.scratch));
	d.wl = malloc((d.o.window + 2) * sizeof(*d.wl));
	d.wr = malloc((d.o.window + 2) * sizeof(*d.wr));
	d.ranks = malloc((d.o.window + 2) * sizeof(*d.ranks));
	d.pairs = malloc(2 * (d.o.window + 2) * sizeof(*d.pairs));
	if (!d.scratch || !d.wl || !d.wr || !d.ranks || !d.pairs) {
		err = perfdb_error__oom();
		goto done;
	}

	/* Candidates, window by window. Like Otava, the next window starts at
	 * the last change point found (so a step is seen with all of its
	 * right side) or half a window on, whichever is further. */
	step = d.o.window / 2;
	for (start = 0;;) {
		size_t end = start + d.o.window < n ? start + d.o.window : n, first = d.ncand, last;
		if ((err = divide(&d, start, end, 0)) < 0)
			goto done;
		if (end == n)
			break;
		last = 0;
		for (k = first; k < d.ncand; k++)
			if (d.cand[k] > last)
				last = d.cand[k];
		start = last > start + step ? last : start + step;
	}
	if (d.ncand == 0)
		goto done;
	qsort(d.cand, d.ncand, sizeof(*d.cand), cmp_size);
	for (i = 1, ncp = 1; i < d.ncand; i++)
		if (d.cand[i] != d.cand[ncp - 1])
			d.cand[ncp++] = d.cand[i];

	/* Prune until every change point passes, merge the pairs that are
	 * one step (which changes the segments: judge and prune again). */
	res = malloc(ncp * sizeof(*res));
	if (!res) {
		err = perfdb_error__oom();
		goto done;
	}
	do {
		for (k = 0; k < ncp; k++)
			evaluate(&d, d.cand, k, ncp, &res[k]);
		prune(&d, d.cand, res, &ncp);
	} while (merge_straddles(&d, d.cand, &ncp));
	if (ncp) {
		refine(&d, d.cand, ncp);
		for (k = 0; k < ncp; k++)
			evaluate(&d, d.cand, k, ncp, &res[k]);
	} else {
		free(res);
		res = NULL;
	}
	*out = res;
	*nout = ncp;
	res = NULL;
done:
	free(res);
	free(d.scratch);
	free(d.wl);
	free(d.wr);
	free(d.ranks);
	free(d.pairs);
	free(d.cand);
	return err;
}
