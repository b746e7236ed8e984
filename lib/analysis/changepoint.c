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

/* z^2 >= CONFIRM_PENALTY log(n) confirms a change point (see confirm) */
#define CONFIRM_PENALTY 2.5

typedef struct detector {
	const double *x;
	size_t n;
	perfdb_changepoint_options o;
	double *scratch;       /* n entries, for medians */
	double *wl, *wr;       /* scratch for one window, window + 1 entries */
	double *ranks, *pairs; /* scratch: ranks of a window, {value, index} pairs */
	size_t *cand;
	size_t ncand, capcand;
	double penalty;	 /* see confirm */
	double lrsd;	 /* long-run standard deviation of the noise in use */
	double lr_diff;	 /* that the differences give (diff_model) */
	double phi_diff; /* their AR(1) coefficient */
	double s_diff;	 /* the scale of the lag-1 differences */
	double *resid;	 /* 2n scratch entries for resid_model */
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

/* Scale of x[0, m) around its median, as a normal's standard deviation:
 * the root mean square of the deviations clipped at 2.5 robust scales
 * (MAD, or the mean absolute deviation when more than half the values are
 * equal, as in a quantised series), so a few steps or spikes barely move
 * it while it keeps most of the efficiency of a standard deviation.
 * Overwrites x. */
static double robust_scale(double *x, size_t m)
{
	double med, s0, mean_abs = 0, ss = 0, lim;
	size_t i;
	if (m == 0)
		return 0;
	med = perfdb_stats_median_inplace(x, m);
	for (i = 0; i < m; i++) {
		x[i] = fabs(x[i] - med);
		mean_abs += x[i];
	}
	mean_abs /= (double)m;
	/* the deviations are reordered, which the sum below does not mind */
	s0 = 1.4826 * perfdb_stats_median_inplace(x, m);
	if (!(s0 > 0))
		s0 = 1.2533 * mean_abs;
	if (!(s0 > 0))
		return 0;
	lim = 2.5 * s0;
	for (i = 0; i < m; i++) {
		double v = x[i] < lim ? x[i] : lim;
		ss += v * v;
	}
	/* E[min(Z^2, 2.5^2)] for a standard normal Z */
	return sqrt(ss / (double)m / 0.97756);
}

/*
 * The noise of a benchmark history is rarely independent from point to
 * point: warm-up and noisy neighbours carry over, and some series wander
 * (a random walk) or trend. A step test that counts every point as
 * independent finds "steps" all along such a series (a random walk got 11
 * to 19 of them). The noise is modelled as AR(1) with coefficient phi; the
 * long-run standard deviation - what the error of a segment's level
 * shrinks with, as 1/sqrt(m) for m points - is sd sqrt((1 + phi) / (1 - phi)).
 *
 * PHI_GATE: a series whose differences say phi is at least this looks
 * integrated (a random walk, a smooth trend); there a level shift is judged
 * by its jump (jump_z) rather than by levels, which such a series does not
 * keep. PHI_MAX bounds the long-run factor at about 14.
 */
#define PHI_MAX	 0.99
#define PHI_GATE 0.75
static double long_run(double sd, double phi)
{
	if (phi < 0)
		phi = 0;
	if (phi > PHI_MAX)
		phi = PHI_MAX;
	return sd * sqrt((1 + phi) / (1 - phi));
}

/* From the differences at lags 1, 2, 4, 8 and 16 (up to n / 8; a few steps
 * touch few of them, a linear trend only shifts them): Var(d_k) / Var(d_1)
 * is (1 - phi^k) / (1 - phi) for AR(1) and k for a random walk; phi is
 * fitted to those ratios on a log scale (a grid of 0.01). Sets phi_diff,
 * s_diff (the scale of d_1) and lr_diff. */
static void diff_model(detector *d)
{
	static const size_t lags[] = {1, 2, 4, 8, 16};
	size_t i, k, n = d->n, nl = 0;
	double s[5], phi_d = 0, best = INFINITY;
	for (k = 0; k < 5 && n >= 8 * lags[k]; k++) {
		for (i = lags[k]; i < n; i++)
			d->scratch[i - lags[k]] = d->x[i] - d->x[i - lags[k]];
		s[k] = robust_scale(d->scratch, n - lags[k]);
		nl = k + 1;
	}
	d->lr_diff = 0;
	d->phi_diff = 0;
	d->s_diff = 0;
	if (nl < 2)
		return;
	if (!(s[0] > 0)) {
		d->lr_diff = s[1] > 0 ? INFINITY : 0;
		return;
	}
	for (i = 0; i <= 100; i++) {
		double phi = (double)i / 100, err = 0;
		for (k = 1; k < nl; k++) {
			double model =
			    phi < 1 ? (1 - pow(phi, (double)lags[k])) / (1 - phi) : (double)lags[k];
			double obs = s[k] * s[k] / (s[0] * s[0]);
			double e = log(obs > 1e-12 ? obs : 1e-12) - log(model);
			err += e * e;
		}
		if (err < best) {
			best = err;
			phi_d = phi;
		}
	}
	d->phi_diff = phi_d;
	d->s_diff = s[0];
	if (phi_d > PHI_MAX)
		phi_d = PHI_MAX;
	/* Var(d_1) = 2 sd^2 (1 - phi) */
	d->lr_diff = long_run(s[0] / sqrt(2 * (1 - phi_d)), phi_d);
}

/* From the residuals of the segment medians of cp[0..ncp): their lag-1
 * autocorrelation (clipped like robust_scale). A slope, a wave or a
 * wandering inside segments is noise that persists; once a random walk
 * or a trend has lost its spurious steps, its long segments show it. */
static double resid_model(detector *d, const size_t *cp, size_t ncp, size_t lo, size_t hi)
{
	size_t i, k, n = hi - lo;
	double *e = d->resid, *tmp = d->resid + d->n, lim, sd, num = 0, den = 0;
	for (k = 0; k <= ncp; k++) {
		size_t a = k ? cp[k - 1] : lo, b = k < ncp ? cp[k] : hi;
		double med = seg_level(d, a, b);
		for (i = a; i < b; i++)
			e[i - lo] = d->x[i] - med;
	}
	memcpy(tmp, e, n * sizeof(*tmp));
	sd = robust_scale(tmp, n);
	lim = 2.5 * sd;
	for (i = 0; i < n; i++)
		e[i] = e[i] > lim ? lim : (e[i] < -lim ? -lim : e[i]);
	for (k = 0; k <= ncp; k++) {
		size_t a = k ? cp[k - 1] : lo, b = k < ncp ? cp[k] : hi;
		for (i = a; i < b; i++) {
			den += e[i - lo] * e[i - lo];
			if (i > a)
				num += e[i - lo] * e[i - lo - 1];
		}
	}
	return long_run(sd, den > 0 ? num / den : 0);
}

/*
 * How many standard errors apart the levels (medians) of [a, b) and
 * [b, c) are, with the long-run noise of the series (a median is
 * sqrt(pi / 2) less precise than a mean, for what it gains against
 * outliers).
 */
static double level_z(detector *d, size_t a, size_t b, size_t c)
{
	double diff = fabs(seg_level(d, b, c) - seg_level(d, a, b));
	double se = d->lrsd * 1.2533 * sqrt(1.0 / (double)(b - a) + 1.0 / (double)(c - b));
	if (diff == 0)
		return 0;
	return se > 0 ? diff / se : INFINITY;
}

/* For a series that looks integrated: the largest one-point difference at
 * the change point (or a point either side), in scales of the differences.
 * A random walk's increments are all alike; a step is one that is not. */
static double jump_z(const detector *d, size_t b)
{
	size_t i, lo = b > 1 ? b - 1 : 1, hi = b + 1 < d->n ? b + 1 : d->n - 1;
	double j = 0;
	for (i = lo; i <= hi; i++)
		if (fabs(d->x[i] - d->x[i - 1]) > j)
			j = fabs(d->x[i] - d->x[i - 1]);
	if (j == 0)
		return 0;
	return d->s_diff > 0 ? j / d->s_diff : INFINITY;
}

/*
 * Confirmation: a change point stays when its step is large against the
 * series' own noise, z^2 >= CONFIRM_PENALTY log(n) (the best of about n
 * places was picked: a BIC-like penalty), where z is the distance of the
 * two segment medians in long-run standard errors, with the larger of the
 * two persistence estimates for a series that does not look integrated
 * (the residuals' alone for one that does, and its jump then too). The
 * weakest failing change points go first; their neighbours are judged
 * again on the merged segments, until all pass.
 */
#define BATCH_FROM 32
static int confirm(detector *d, size_t *cp, size_t *ncp)
{
	size_t n = *ncp, k, m, j;
	int integrated, dropped = 1;
	double *z = malloc((n + 1) * sizeof(*z)), pen = d->penalty;
	if (!z)
		return perfdb_error__oom();
	diff_model(d);
	integrated = d->phi_diff >= PHI_GATE;
	while (n && dropped) {
		/* the residuals' persistence is measured anew each round: once
		 * a wandering series has lost some spurious steps, its longer
		 * segments show it */
		double lr_e = resid_model(d, cp, n, 0, d->n);
		d->lrsd = !integrated && d->lr_diff > lr_e ? d->lr_diff : lr_e;
		for (k = 0; k < n; k++) {
			size_t a = k > 0 ? cp[k - 1] : 0, c = k + 1 < n ? cp[k + 1] : d->n;
			z[k] = level_z(d, a, cp[k], c);
			if (integrated) {
				double zj = jump_z(d, cp[k]);
				z[k] = zj < z[k] ? zj : z[k];
			}
		}
		/* Every failing change point weaker than its failing neighbours
		 * goes (of two neighbours, one at most per round: their segments
		 * merge and the other is judged again on the merged one). One at
		 * a time, the weakest first, takes as many rounds as there are
		 * failures, each O(n log n): that is kept for few change points. */
		dropped = 0;
		for (k = 0, m = 0; k < n; k++) {
			int fails = z[k] * z[k] < pen;
			if (n <= BATCH_FROM) {
				/* few: the weakest alone */
				for (j = 0; j < n && fails; j++)
					if (z[j] < z[k] || (z[j] == z[k] && j < k))
						fails = 0;
			} else {
				if (fails && k > 0 && z[k - 1] * z[k - 1] < pen && z[k - 1] < z[k])
					fails = 0;
				if (fails && k + 1 < n && z[k + 1] * z[k + 1] < pen &&
				    z[k + 1] <= z[k])
					fails = 0;
			}
			if (fails)
				dropped = 1;
			else
				cp[m++] = cp[k];
		}
		n = m;
	}
	free(z);
	*ncp = n;
	return 0;
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

int perfdb_changepoints_confirm(const double *values, size_t n, size_t a, size_t b, size_t c)
{
	detector d;
	size_t i;
	double z, lr_e;
	int ok;
	if (!values || !(a < b && b < c && c <= n))
		return perfdb_error__set(PERFDB_EINVAL,
					 "change points: confirm needs a < b < c <= n and values");
	for (i = 0; i < n; i++)
		if (!isfinite(values[i]))
			return perfdb_error__set(PERFDB_EINVAL,
						 "change points: value %zu is not finite", i);
	memset(&d, 0, sizeof(d));
	d.x = values;
	d.n = n;
	d.scratch = malloc(n * sizeof(*d.scratch));
	d.resid = malloc(2 * n * sizeof(*d.resid));
	if (!d.scratch || !d.resid) {
		free(d.scratch);
		free(d.resid);
		return perfdb_error__oom();
	}
	diff_model(&d);
	lr_e = resid_model(&d, &b, 1, a, c);
	d.lrsd = d.phi_diff < PHI_GATE && d.lr_diff > lr_e ? d.lr_diff : lr_e;
	z = level_z(&d, a, b, c);
	if (d.phi_diff >= PHI_GATE) {
		double zj = jump_z(&d, b);
		z = zj < z ? zj : z;
	}
	ok = z * z >= CONFIRM_PENALTY * log((double)n);
	free(d.scratch);
	free(d.resid);
	return ok;
}

void perfdb_changepoint_options_init(perfdb_changepoint_options *opts)
{
	perfdb_changepoint_options d = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	*opts = d;
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
	if (d.o.version != PERFDB_CHANGEPOINT_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "change points: unknown options version %u",
					 d.o.version);
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
	d.resid = malloc(2 * n * sizeof(*d.resid));
	d.wl = malloc((d.o.window + 2) * sizeof(*d.wl));
	d.wr = malloc((d.o.window + 2) * sizeof(*d.wr));
	d.ranks = malloc((d.o.window + 2) * sizeof(*d.ranks));
	d.pairs = malloc(2 * (d.o.window + 2) * sizeof(*d.pairs));
	if (!d.scratch || !d.resid || !d.wl || !d.wr || !d.ranks || !d.pairs) {
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
		d.penalty = CONFIRM_PENALTY * log((double)n);
		if ((err = confirm(&d, d.cand, &ncp)) < 0)
			goto done;
	}
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
	free(d.resid);
	free(d.wl);
	free(d.wr);
	free(d.ranks);
	free(d.pairs);
	free(d.cand);
	return err;
}
