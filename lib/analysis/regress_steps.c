/*
 * regress_steps.c - the steps of one series (analysis/regress_internal.h):
 * the evidence of a group of commits (runs, not repetitions), the tests that
 * judge two groups, the two-level noise of a commit's level, and the search
 * for steps over window + range, gated and corrected. regress and trend
 * share it; it knows nothing of stores, reports or alerts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_internal.h"
#include "analysis/scope.h"
#include "perfdb/changepoint.h"
#include "perfdb/config.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "util/error.h"

/*
 * The level at which candidate steps are searched for, whatever the
 * confidence asked: the change-point search (and the choice between a rank
 * test and Welch's t) at one fixed level, the findings then gated at
 * 1 - confidence by their p-values. So the candidates, and with them every
 * p-value, are the same at every confidence: a step is reported at 0.95
 * exactly when its printed p is below 0.05, and one with p < 0.01 is
 * reported at 0.99 too (issue 18: searching at the confidence made 0.95
 * split a range where 0.99 did not, and print p = 0.0006 for a step 0.99
 * never reported). It is the default level: at the default confidence
 * nothing changes.
 */
#define SEARCH_LEVEL (1 - PERFDB_REGRESS_DEFAULT_CONFIDENCE)

/* ---- evidence and tests ----------------------------------------------------------- */

/* One series prepared for analysis: its points in order (the separate
 * baseline point, when there is one, apart), each point's location. */
typedef struct sview {
	const perfdb_series_point *pts; /* window + range, in order */
	size_t n;
	double *loc;			 /* per point: its level (perfdb_scope__level) */
	const perfdb_series_point *base; /* the baseline commit's point, or NULL */
	double base_loc;
	double *buf, *buf2; /* scratch for pooled samples and values */
	size_t bufcap;
	perfdb_method method;
	double alpha; /* the significance level the findings are gated at */
	double thr;   /* the series' threshold, percent */
	/* the two-level noise of a commit's level (see level_noise): 0 when
	 * the series' commits are not repeated */
	double tau, tau_df;
} sview;

/* A group of evidence: points [a, b) of the view, or the baseline point. */
typedef struct group {
	const perfdb_series_point *pts;
	const double *loc;
	size_t n;
} group;

/*
 * The independent observations of a group, pooled: one per run, its value
 * (perfdb_scope__runs). The repetitions of one run share that run's noise
 * (the machine's state, the build's layout, the warm-up): 3 repetitions of
 * one run against 3 of another are two observations, and a test that took
 * them for six would be certain of run-to-run noise it never saw (p =
 * 7e-66 for a +8% step on a machine whose runs move by 1%). So the samples
 * give a point its level, and its runs the evidence of a test; three runs
 * of a commit are three observations. Without runs (inside change-point
 * detection) a group of single-run commits pools nothing (0): it is judged
 * on its commit levels.
 */
static size_t pool(const group *g, double *out, int runs)
{
	size_t i, k = 0, several = 0;
	for (i = 0; i < g->n; i++) {
		size_t m;
		const double *x = perfdb_scope__runs(&g->pts[i], &m);
		memcpy(out + k, x, m * sizeof(*out));
		k += m;
		several += m > 1;
	}
	return runs || several ? k : 0;
}

static double median_of(const double *x, size_t n, double *scratch)
{
	memcpy(scratch, x, n * sizeof(*scratch));
	return perfdb_stats_median_inplace(scratch, n);
}

/* Robust z-score of the new group's level against the commit-to-commit
 * noise of ref, around center (the level of ncenter commits). The noise is
 * 1.4826 MAD of successive differences over sqrt 2: unlike the MAD of the
 * values it is not inflated by a step inside the window (a window often
 * holds the start of the regression it judges). That noise is itself
 * estimated from ref->n - 1 differences, so the score is read against a
 * Student t with that many degrees of freedom, not the normal: 4 commits
 * cannot make a 9-sigma step 1e-19 unlikely. */
static double robust_z_p(const sview *v, const group *ref, const group *cur, double center,
			 size_t ncenter)
{
	double sigma, level, z;
	size_t i;
	for (i = 1; i < ref->n; i++)
		v->buf2[i - 1] = fabs(ref->loc[i] - ref->loc[i - 1]);
	sigma =
	    ref->n >= 2 ? 1.4826 * perfdb_stats_median_inplace(v->buf2, ref->n - 1) / M_SQRT2 : 0;
	if (!(sigma > 0))
		sigma = perfdb_stats_stddev(ref->loc, ref->n);
	level = median_of(cur->loc, cur->n, v->buf2);
	if (!(sigma > 0))
		return level == center ? 1 : 0;
	z = (level - center) / (sigma * sqrt(1.0 / (double)cur->n + 1.0 / (double)ncenter));
	return 2 * perfdb_stats_t_cdf(-fabs(z), (double)(ref->n > 2 ? ref->n - 1 : 1));
}

/*
 * The variance of a group's median level when it is one commit: sigma^2
 * (the commits' spread), unless its own repetitions scatter more. The
 * pooled spread is of commits around their group's median; a lone commit
 * has no residual of its own, so without this it would count as precise as
 * a typical commit whatever its repetitions say. When 2 or 3 of its 5
 * repetitions are slow outliers its median is one of them, a level no
 * other commit has, yet its repetitions (half at the old level, half far
 * above) show how little that median is worth: (pi/2) (1.4826 MAD)^2 / k,
 * the variance of the median of its k samples. As in Welch's t, each side
 * then brings its own variance. Several commits need no such care: their
 * median ignores one wild commit, and their residuals enter sigma.
 */
static double level_var(const group *g, double sigma)
{
	const perfdb_series_point *p = g->pts;
	double mad, own;
	if (g->n != 1 || p->nsamples < 3)
		return sigma * sigma;
	mad = 1.4826 * p->mad; /* of its samples: nsamples > 1 */
	own = M_PI / 2 * mad * mad / (double)p->nsamples;
	return own > sigma * sigma ? own : sigma * sigma;
}

/*
 * The noise of one commit's level in a series whose commits are repeated,
 * from the whole series (a two-level model: each commit's level carries the
 * between-commit noise its runs share, plus the within-run noise of its
 * repetitions averaged over them): tau^2 = sigma_b^2 + sigma_w^2 / r.
 * Estimated from successive differences of the levels (1.4826 median |d| /
 * sqrt 2: a step is one difference among many, unlike a segment's residuals,
 * which a step not yet split off inflates), never below what the commits'
 * median within-run variance (robust, per commit) alone gives a median of r
 * repetitions. It is what
 * lets 4 commits a side count: their 12 repetitions and the series' other
 * commits tell how far a level moves by chance, which 8 levels alone
 * cannot (a rank test on 4 against 4 never reaches p < 0.01). Degrees of
 * freedom: those of the differences, n - 2. A series with fewer than 6
 * commits or mostly single-value commits gets none (tau 0): there the
 * repetitions are the only evidence and the tests below use them directly.
 */
static void noise_of(double *tau, double *df, const perfdb_series_point *pts, const double *loc,
		     size_t n, double *buf2)
{
	size_t i, k = 0, nrep = 0, reps = 0;
	double sd, within;
	*tau = *df = 0;
	if (n < 6)
		return;
	/* per repeated commit, its repetitions' robust variance (1.4826 MAD
	 * squared: one slow repetition does not make every commit noisy) */
	for (i = 0; i < n; i++) {
		size_t m;
		double mad;
		perfdb_scope__observations(&pts[i], &m);
		if (m < 2)
			continue;
		mad = 1.4826 * pts[i].mad; /* the store's, of those m observations */
		buf2[nrep++] = mad * mad;
		reps += m;
	}
	if (2 * nrep < n)
		return;
	within = perfdb_stats_median_inplace(buf2, nrep);
	for (i = 1; i < n; i++)
		buf2[k++] = fabs(loc[i] - loc[i - 1]);
	sd = 1.4826 * perfdb_stats_median_inplace(buf2, k) / M_SQRT2;
	*tau = sqrt(fmax(sd * sd, M_PI / 2 * within / ((double)reps / (double)nrep)));
	*df = (double)(n - 2);
}

static void level_noise(sview *v)
{
	noise_of(&v->tau, &v->tau_df, v->pts, v->loc, v->n, v->buf2);
}

void perfdb_regress__level_noise(double *tau, double *df, const perfdb_series_point *pts, size_t n,
				 double *scratch)
{
	double *loc = scratch, *buf2 = scratch + n;
	size_t i;
	for (i = 0; i < n; i++)
		loc[i] = perfdb_scope__level(&pts[i]);
	noise_of(tau, df, pts, loc, n, buf2);
}

/* Two groups of commit locations: the difference of their medians over
 * the robust spread (1.4826 MAD) of both groups' residuals, against a
 * Student t with nA + nB - 2 degrees of freedom; in a series of repeated
 * commits that spread is capped at the series' two-level noise, with its
 * degrees of freedom (see level_noise). A
 * median of n >= 3 has about pi/2 times the variance of a mean; a lone
 * commit's level is as precise as its own repetitions allow (see
 * level_var). */
static double robust_t_p(const sview *v, const group *a, const group *b)
{
	double ma = median_of(a->loc, a->n, v->buf2), mb = median_of(b->loc, b->n, v->buf2);
	double sigma, se, tt, ca, cb;
	double df;
	size_t i, k = 0, n = a->n + b->n;
	/* A lone commit is its own median: its residual is 0 by construction,
	 * no evidence of spread (the n - 2 degrees of freedom already give it
	 * none), and counted it would pull the MAD down, by much in a short
	 * window (3 commits and a head: the MAD of 0, 0, d1, d2 is d1 / 2). */
	for (i = 0; a->n > 1 && i < a->n; i++)
		v->buf2[k++] = fabs(a->loc[i] - ma);
	for (i = 0; b->n > 1 && i < b->n; i++)
		v->buf2[k++] = fabs(b->loc[i] - mb);
	sigma = 1.4826 * perfdb_stats_median_inplace(v->buf2, k);
	if (!(sigma > 0)) {
		for (i = 0, k = 0; a->n > 1 && i < a->n; i++)
			v->buf2[k++] = a->loc[i] - ma;
		for (i = 0; b->n > 1 && i < b->n; i++)
			v->buf2[k++] = b->loc[i] - mb;
		sigma = perfdb_stats_stddev(v->buf2, k);
	}
	df = (double)(n - 2);
	/* In a series of repeated commits, the series' two-level noise
	 * decides, either way: the two sides' residuals include any step not
	 * split off yet (4 commits against 8 of two levels), and around short
	 * sides' medians they shrink by construction (a median of 3 leaves a
	 * residual of 0): 12 commits whose runs move by 1% gave a residual
	 * spread of 0.39% and p = 3e-10 for +7%, where a t-test of the 12
	 * runs gives 5e-5 (issue 18). */
	if (v->tau > 0) {
		sigma = v->tau;
		df = v->tau_df;
	}
	if (!(sigma > 0))
		return ma == mb ? 1 : 0;
	ca = a->n >= 3 ? M_PI / 2 : 1;
	cb = b->n >= 3 ? M_PI / 2 : 1;
	se =
	    sqrt(ca * level_var(a, sigma) / (double)a->n + cb * level_var(b, sigma) / (double)b->n);
	tt = fabs(mb - ma) / se;
	return 2 * perfdb_stats_t_cdf(-tt, df);
}

/* The auto method's choice of test (see test_groups). */
static double auto_test(const sview *v, const group *ref, const group *cur, const group *spread,
			const double *sa, size_t na, const double *sb, size_t nb,
			perfdb_method *name)
{
	perfdb_test_result t;
	/* auto: decide on per-commit locations, whose spread includes the
	 * run-to-run noise that repetitions of one run share (pooling raw
	 * repetitions would take 5 correlated samples for 5 independent ones
	 * and flag noise). Long sides: Mann-Whitney on the locations; a short
	 * side: a robust t on the medians with the commits' MAD; only when no
	 * commit-level spread exists at all: the raw samples. */
	if (ref->n >= 6 && cur->n >= 6 &&
	    perfdb_stats_mannwhitney(&t, ref->loc, ref->n, cur->loc, cur->n, PERFDB_TWO_SIDED) ==
		0) {
		*name = PERFDB_METHOD_MANNWHITNEY;
		return t.p_value;
	}
	/* (in a series of repeated commits, the two-level noise also judges
	 * one commit against one: its degrees of freedom are the series') */
	if ((ref->n + cur->n >= 5 && (ref->n >= 3 || cur->n >= 3)) || v->tau > 0) {
		*name = PERFDB_METHOD_ZSCORE;
		return robust_t_p(v, ref, cur);
	}
	if (spread && spread->n >= 3) {
		*name = PERFDB_METHOD_ZSCORE;
		return robust_z_p(v, spread, cur, median_of(ref->loc, ref->n, v->buf2), ref->n);
	}
	/* one commit against one commit: their runs, by Mann-Whitney U when there are enough of
	 * them for it to ever reach alpha, else Welch; one run a side is no test (its repetitions
	 * cannot tell how far a run moves by chance) */
	if (na >= 2 && nb >= 2)
		return perfdb_regress__samples_p(sa, na, sb, nb, SEARCH_LEVEL, name);
	*name = PERFDB_METHOD_NONE;
	return 1;
}

/*
 * The p-value of "cur differs from ref" by the view's method, and the name
 * of the test used; *name is NULL (and 1 returned) when the evidence holds
 * no test for the method. spread (may be NULL) is a window whose values give
 * the noise when ref is a single commit without samples. runs: pool the
 * values of runs without samples (see pool).
 */
static double test_groups(const sview *v, const group *ref, const group *cur, const group *spread,
			  int runs, perfdb_method *name)
{
	perfdb_test_result t;
	size_t na = 0, nb = 0;
	double *sa = v->buf, *sb = NULL;
	perfdb_method m = v->method;

	if (m == PERFDB_METHOD_PERCENT) {
		*name = PERFDB_METHOD_PERCENT;
		return NAN;
	}
	if (m != PERFDB_METHOD_CHANGEPOINT && m != PERFDB_METHOD_ZSCORE) {
		na = pool(ref, sa, runs);
		sb = sa + na;
		nb = na ? pool(cur, sb, runs) : 0;
	}
	switch (m) {
	case PERFDB_METHOD_TTEST:
		*name = PERFDB_METHOD_TTEST;
		if (na >= 2 && nb >= 2 &&
		    perfdb_stats_welch(&t, sa, na, sb, nb, PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		if (ref->n >= 2 && cur->n >= 2 &&
		    perfdb_stats_welch(&t, ref->loc, ref->n, cur->loc, cur->n, PERFDB_TWO_SIDED) ==
			0)
			return t.p_value;
		break;
	case PERFDB_METHOD_MANNWHITNEY:
		*name = PERFDB_METHOD_MANNWHITNEY;
		if (na >= 2 && nb >= 2 &&
		    perfdb_stats_mannwhitney(&t, sa, na, sb, nb, PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		if (ref->n >= 2 && cur->n >= 2 &&
		    perfdb_stats_mannwhitney(&t, ref->loc, ref->n, cur->loc, cur->n,
					     PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		break;
	case PERFDB_METHOD_ZSCORE: {
		const group *s = ref->n >= 3 ? ref : spread;
		*name = PERFDB_METHOD_ZSCORE;
		if (!s || s->n < 3)
			break;
		return robust_z_p(v, s, cur, median_of(ref->loc, ref->n, v->buf2), ref->n);
	}
	case PERFDB_METHOD_CHANGEPOINT:
		*name = PERFDB_METHOD_CHANGEPOINT;
		if (ref->n >= 2 && cur->n >= 2 &&
		    perfdb_stats_mannwhitney(&t, ref->loc, ref->n, cur->loc, cur->n,
					     PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		break;
	default: return auto_test(v, ref, cur, spread, sa, na, sb, nb, name);
	}
	*name = PERFDB_METHOD_NONE;
	return 1;
}

/*
 * Without any noise estimate, the only evidence of a change is leaving what
 * was seen: every commit of cur beyond the threshold from every commit of
 * ref, all in one direction. So 100, 50, 100 is a dip at the middle commit,
 * not a +33% step at the last against the level of the first two.
 */
static int separated(const sview *v, const group *ref, const group *cur)
{
	double rlo = INFINITY, rhi = -INFINITY, clo = INFINITY, chi = -INFINITY, lb;
	size_t i;
	for (i = 0; i < ref->n; i++) {
		rlo = fmin(rlo, ref->loc[i]);
		rhi = fmax(rhi, ref->loc[i]);
	}
	for (i = 0; i < cur->n; i++) {
		clo = fmin(clo, cur->loc[i]);
		chi = fmax(chi, cur->loc[i]);
	}
	lb = fabs(median_of(ref->loc, ref->n, v->buf2));
	if (!(lb > 0))
		return 0;
	return (clo > rhi && (clo - rhi) / lb * 100 >= v->thr) ||
	       (rlo > chi && (rlo - chi) / lb * 100 >= v->thr);
}

/*
 * The verdict's test: test_groups with the runs pooled, and when the
 * evidence holds no test for the method, the new level against the noise of
 * ref's commits, or of spread's, or of noise's (the commits before the
 * step; a robust z, at least 3 commits). When nothing estimates the noise
 * at all (no repetitions, fewer than 3 commits to compare with: the first
 * days of a history, or a deterministic metric recorded once per commit)
 * the threshold alone decides, "percent" with p NAN, provided the two sides
 * do not overlap (see separated; 1 otherwise): a real change must not pass
 * unnoticed for want of a test.
 */
static double judge(const sview *v, const group *ref, const group *cur, const group *spread,
		    const group *noise, perfdb_method *name)
{
	double p = test_groups(v, ref, cur, spread, 1, name);
	const group *s = ref->n >= 3		    ? ref
			 : spread && spread->n >= 3 ? spread
			 : noise && noise->n >= 3   ? noise
						    : NULL;
	if (*name != PERFDB_METHOD_NONE)
		return p;
	if (v->tau > 0) {
		/* the method's test had too few runs: the levels against the
		 * series' two-level noise (see level_noise) */
		*name = PERFDB_METHOD_ZSCORE;
		return robust_t_p(v, ref, cur);
	}
	if (s) {
		*name = PERFDB_METHOD_ZSCORE;
		return robust_z_p(v, s, cur, median_of(ref->loc, ref->n, v->buf2), ref->n);
	}
	*name = PERFDB_METHOD_PERCENT;
	return separated(v, ref, cur) ? NAN : 1;
}

double perfdb_regress__samples_p(const double *a, size_t na, const double *b, size_t nb,
				 double alpha, perfdb_method *name)
{
	perfdb_test_result t;
	double ways = 1;
	size_t i;
	/* two-sided, every value of one side below every value of the other:
	 * 2 / C(na + nb, na), the smallest p-value the exact test can give */
	for (i = 1; i <= na && ways < 1e300; i++)
		ways = ways * (double)(nb + i) / (double)i;
	*name = PERFDB_METHOD_MANNWHITNEY;
	if (na < 2 || nb < 2)
		return 1;
	if (2 / ways < alpha) {
		if (perfdb_stats_mannwhitney(&t, a, na, b, nb, PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		return 1;
	}
	*name = PERFDB_METHOD_TTEST;
	if (perfdb_stats_welch(&t, a, na, b, nb, PERFDB_TWO_SIDED) == 0)
		return t.p_value;
	return 1;
}

static group span(const sview *v, size_t a, size_t b)
{
	group g = {v->pts + a, v->loc + a, b - a};
	return g;
}

/* The baseline's point as a group of one in *bg, or NULL without a baseline. */
static const group *base_of(const sview *v, group *bg)
{
	if (!v->base)
		return NULL;
	bg->pts = v->base;
	bg->loc = &v->base_loc;
	bg->n = 1;
	return bg;
}

static double segment_test(void *ctx, size_t a, size_t b, size_t c)
{
	const sview *v = ctx;
	group l = span(v, a, b), r = span(v, b, c);
	perfdb_method name;
	double p = test_groups(v, &l, &r, NULL, 0, &name);
	if (name == PERFDB_METHOD_NONE)
		return 1; /* no test: no evidence of a step */
	return isnan(p) ? 0 : p;
}

/* ---- the steps of one series ----------------------------------------------------------- */

/* p Bonferroni-corrected for a choice among `family` places, at most 1
 * (NAN stays NAN: the threshold alone decided). */
static double corrected(double p, size_t family)
{
	return family > 1 ? fmin(1, p * (double)family) : p;
}

typedef struct step_ctx {
	sview v;
	perfdb_regress_step *steps;
	size_t nsteps, cap;
} step_ctx;

static int add_step(step_ctx *c, size_t point, double before, double after, double p, size_t family,
		    perfdb_method method, size_t commits_after)
{
	perfdb_regress_step *st;
	if (c->nsteps == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 4;
		perfdb_regress_step *ns = realloc(c->steps, ncap * sizeof(*ns));
		if (!ns)
			return perfdb_error__oom();
		c->steps = ns;
		c->cap = ncap;
	}
	st = &c->steps[c->nsteps++];
	st->point = point;
	st->before = before;
	st->after = after;
	st->change = before != 0 ? (after - before) / fabs(before) : 0;
	st->p_raw = p;
	st->family = family;
	st->p_value = corrected(p, family);
	st->method = method;
	st->commits_after = commits_after;
	return 0;
}

/* Sum of absolute deviations of the locations [a, b) from their median. */
static double abs_cost(const sview *v, size_t a, size_t b)
{
	double med = median_of(v->loc + a, b - a, v->buf2), c = 0;
	size_t i;
	for (i = a; i < b; i++)
		c += fabs(v->loc[i] - med);
	return c;
}

static int significant(double p, double alpha)
{
	return isnan(p) || p < alpha;
}

/* Change points over window + range; keep the steps that start in the range. */
static int analyse_range(step_ctx *c, size_t r)
{
	sview *v = &c->v;
	double thr = v->thr;
	perfdb_changepoint_options co = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	perfdb_change_point *cps = NULL;
	size_t ncp = 0, *cut = NULL, ncut = 0, i, n = v->n, newest_cut = SIZE_MAX;
	double base_level = NAN;
	int err;
	group bg;
	const group *base_group = base_of(v, &bg);

	if (base_group)
		base_level = v->base_loc;
	if (v->method == PERFDB_METHOD_AUTO || v->method == PERFDB_METHOD_CHANGEPOINT) {
		co.max_p_value = SEARCH_LEVEL;
		co.min_magnitude = thr / 100;
		co.test = segment_test;
		co.test_ctx = v;
		if ((err = perfdb_changepoints_detect(&cps, &ncp, v->loc, n, &co)) < 0)
			return err;
		if (!(cut = malloc((ncp + 2) * sizeof(*cut)))) {
			free(cps);
			return perfdb_error__oom();
		}
		for (i = 0; i < ncp; i++)
			cut[ncut++] = cps[i].index;
		free(cps);
		/* A step needs two points after it, so one that lands on the
		 * newest commit is first seen a commit early, with the last
		 * old-level commit as its "culprit" and half of it in its new
		 * level. When that commit sits better with the points before,
		 * the step is left to the newest-commit test below (auto) or to
		 * the next commit (changepoint). */
		if (ncut && cut[ncut - 1] == n - 2 && n >= 4) {
			size_t a = ncut > 1 ? cut[ncut - 2] : 0;
			if (n - 2 - a >= 2 &&
			    abs_cost(v, a, n - 1) < abs_cost(v, a, n - 2) + abs_cost(v, n - 2, n))
				ncut--;
		}
		/* The newest commit alone is never a change point (a step needs
		 * two points on each side): it is tested against the segment
		 * before it here, so CI hears of a step the day it lands. */
		if (v->method == PERFDB_METHOD_AUTO && n >= 2 && n - 1 >= r &&
		    (!ncut || cut[ncut - 1] < n - 1)) {
			size_t a = ncut ? cut[ncut - 1] : 0, b = n - 1;
			/* The commit before the newest may already be at the new
			 * level: a step of two commits, too short to be confirmed
			 * as a change point. It starts there then, and is not the
			 * newest commit's doing (before the range: it was reported
			 * when it landed). */
			if (n - 1 - a >= 3) {
				double l0 = median_of(v->loc + a, n - 2 - a, v->buf2);
				double d1 = v->loc[n - 2] - l0, dn = v->loc[n - 1] - l0;
				if (l0 != 0 && fabs(d1) / fabs(l0) * 100 >= thr && d1 * dn > 0 &&
				    fabs(v->loc[n - 2] - v->loc[n - 1]) < fabs(d1))
					b = n - 2;
			}
			/* a level needs two commits, unless the whole history is
			 * one commit before the newest (their repetitions decide) */
			if (b >= r && (b - a >= 2 || n == 2)) {
				group l = span(v, a, b), h = span(v, b, n);
				perfdb_method name;
				double lb = median_of(l.loc, l.n, v->buf2);
				double la = median_of(h.loc, h.n, v->buf2);
				/* noise for a short level: the commits before */
				group w = span(v, 0, b);
				double p = judge(v, &l, &h, NULL, &w, &name);
				double ch = lb != 0 ? (la - lb) / fabs(lb) : 0;
				/* and the bar change points pass: a step against the
				 * series' own (autocorrelated) noise */
				if (significant(p, SEARCH_LEVEL) && fabs(ch) * 100 >= thr &&
				    perfdb_changepoints_confirm(v->loc, n, a, b, n) == 1) {
					newest_cut = ncut;
					cut[ncut++] = b;
				}
			}
		}
	} else {
		/* Without change points: the culprit is the first commit of the
		 * trailing run beyond the threshold against the baseline. */
		group w = span(v, 0, r);
		double ref = base_group ? base_level : (r ? median_of(w.loc, w.n, v->buf2) : NAN);
		size_t k = n - 1;
		double last;
		if (isnan(ref) || n == r)
			return 0;
		last = v->loc[n - 1];
		if (fabs(last - ref) / fabs(ref) * 100 < thr)
			return 0;
		while (k > r && fabs(v->loc[k - 1] - ref) / fabs(ref) * 100 >= thr &&
		       (v->loc[k - 1] > ref) == (last > ref))
			k--;
		{
			group cur = span(v, k, n);
			perfdb_method name;
			double lvl = median_of(cur.loc, cur.n, v->buf2);
			double p = judge(v, base_group ? base_group : &w, &cur, &w, NULL, &name);
			if (significant(p, v->alpha) && fabs(lvl - ref) / fabs(ref) * 100 >= thr)
				return add_step(c, k, ref, lvl, p, 1, name, n - k);
		}
		return 0;
	}

	for (i = 0; i < ncut; i++) {
		size_t a = i ? cut[i - 1] : 0, b = cut[i], e = i + 1 < ncut ? cut[i + 1] : n;
		group before = span(v, a, b), after = span(v, b, e);
		double lb, la, p, step;
		perfdb_method name;
		/* the places the search chose b among: two points or more on
		 * each side between its neighbours; none for the newest-commit
		 * test, whose place the rule fixed */
		size_t family = i == newest_cut ? 1 : (e - a >= 5 ? e - a - 3 : 1);
		if (b < r)
			continue;
		lb = median_of(before.loc, before.n, v->buf2);
		la = median_of(after.loc, after.n, v->buf2);
		if (base_group) {
			/* against a named baseline: the level it pinned */
			group w = span(v, 0, r);
			lb = base_level;
			p = judge(v, base_group, &after, r >= 3 ? &w : NULL, NULL, &name);
		} else {
			group w = span(v, 0, b);
			p = judge(v, &before, &after, NULL, &w, &name);
		}
		if (lb == 0)
			continue;
		step = (la - lb) / fabs(lb);
		if (!significant(corrected(p, family), v->alpha) || fabs(step) * 100 < thr)
			continue;
		if ((err = add_step(c, b, lb, la, p, family, name, n - b)) < 0) {
			free(cut);
			return err;
		}
	}
	free(cut);
	return 0;
}

/* The gate: the newest commit of the view against the baseline. */
static int analyse_gate(step_ctx *c, size_t r)
{
	sview *v = &c->v;
	double thr = v->thr;
	group cur = span(v, v->n - 1, v->n), w = span(v, 0, r), bg;
	const group *ref;
	double lb, la, p;
	perfdb_method name;
	ref = base_of(v, &bg); /* the baseline's point, else the window */
	if (!ref && r > 0)
		ref = &w;
	if (!ref)
		return 0; /* nothing to compare with */
	lb = median_of(ref->loc, ref->n, v->buf2);
	la = v->loc[v->n - 1];
	if (lb == 0 || fabs(la - lb) / fabs(lb) * 100 < thr)
		return 0;
	p = judge(v, ref, &cur, r >= 3 ? &w : NULL, NULL, &name);
	if (!significant(p, v->alpha))
		return 0;
	return add_step(c, v->n - 1, lb, la, p, 1, name, 1);
}

/*
 * Whether no step of the series can reach the threshold, told from its levels
 * alone. Every step reported (analyse_range, analyse_gate) moves a level by
 * at least thr percent of the level before it, and both levels are medians of
 * the view's levels or the baseline's. A median lies between the least and
 * the greatest of what it is taken over, so when every level has one sign
 * and all lie within a band narrower than thr percent of the smallest
 * magnitude, no test can report a step, and the change-point search and its
 * tests need not run. Most series of a wide history are so (a quiet
 * benchmark moves by far less than the threshold): the same answer by
 * construction (tests/lib/test_regress_steps.c holds the analysis to it),
 * at the cost of one pass over the levels.
 */
static int below_threshold(const perfdb_series_point *pts, size_t n,
			   const perfdb_series_point *base, double thr)
{
	double lo = INFINITY, hi = -INFINITY, mag;
	size_t i;
	if (!(thr > 0))
		return 0;
	for (i = 0; i < n + (base != NULL); i++) {
		double x = perfdb_scope__level(i < n ? &pts[i] : base);
		if (!isfinite(x))
			return 0;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	if (lo > 0)
		mag = lo;
	else if (hi < 0)
		mag = -hi;
	else
		return 0;
	/* a margin for the rounding of the tests' own arithmetic */
	return (hi - lo) * 100 < thr * mag * (1 - 1e-9);
}

int perfdb_regress__steps(perfdb_regress_step **out, size_t *nout, const perfdb_series_point *pts,
			  size_t n, size_t r, const perfdb_series_point *base, int gate,
			  const perfdb_scope_series *cfg, double alpha)
{
	step_ctx c;
	sview *v = &c.v;
	size_t i, need = 8;
	int err;

	*out = NULL;
	*nout = 0;
	if (r >= n)
		return 0; /* no point in the range */
	if (below_threshold(pts, n, base, cfg->threshold))
		return 0;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++)
		need += (pts[i].nsamples > pts[i].nruns ? pts[i].nsamples : pts[i].nruns) + 1;
	if (base)
		need += (base->nsamples > base->nruns ? base->nsamples : base->nruns) + 1;
	v->buf = malloc(need * sizeof(*v->buf));
	v->buf2 = malloc(need * sizeof(*v->buf2));
	v->loc = malloc(n * sizeof(*v->loc));
	if (!v->buf || !v->buf2 || !v->loc) {
		err = perfdb_error__oom();
		goto done;
	}
	v->bufcap = need;
	for (i = 0; i < n; i++)
		v->loc[i] = perfdb_scope__level(&pts[i]);
	v->pts = pts;
	v->n = n;
	v->base = base;
	v->base_loc = base ? perfdb_scope__level(base) : NAN;
	v->method = cfg->method;
	v->thr = cfg->threshold;
	v->alpha = alpha;
	level_noise(v);
	err = gate ? analyse_gate(&c, r) : analyse_range(&c, r);
done:
	free(v->buf);
	free(v->buf2);
	free(v->loc);
	if (err < 0) {
		free(c.steps);
		return err;
	}
	*out = c.steps;
	*nout = c.nsteps;
	return 0;
}
