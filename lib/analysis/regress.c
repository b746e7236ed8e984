/*
 * regress.c - the verdict over a range of commits (see perfdb/regress.h).
 *
 * The plan of one run:
 *  1. the scope (analysis/scope.c): the commit order, the range, the
 *     baseline window or commit, every series over those commits;
 *  2. per series: change points over window + range name the first commit
 *     of each step; a step is kept when significant, beyond the threshold,
 *     in the bad (or good) direction, and still there at the end of the range
 *     (perfdb_regress__steps, which trend uses too);
 *  3. read the stored status of each finding, so an acknowledged regression
 *     does not fail the build again. Nothing is written: recording the
 *     findings as alerts is perfdb_store_record_findings.
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

static const char *const method_names[] = {"auto",   "percent",	    "ttest", "mannwhitney",
					   "zscore", "changepoint", "none"};

const char *perfdb_method_name(perfdb_method m)
{
	return (unsigned)m < sizeof(method_names) / sizeof(method_names[0]) ? method_names[m]
									    : "unknown";
}

int perfdb_method_parse(perfdb_method *out, const char *name)
{
	size_t i;
	/* "none" is what a comparison says when it could not test, not a method */
	for (i = 0; name && i < PERFDB_METHOD_NONE; i++)
		if (strcmp(name, method_names[i]) == 0) {
			*out = (perfdb_method)i;
			return 0;
		}
	return perfdb_error__set(PERFDB_EINVAL,
				 "unknown method '%s' (auto, percent, ttest, mannwhitney, zscore, "
				 "changepoint)",
				 name ? name : "");
}

/* ---- the report ------------------------------------------------------------------ */

/* A finding and what recording it needs: its series and commit. */
typedef struct finding_list {
	perfdb_finding *items;
	size_t *series; /* index into the scope's series set */
	int64_t *commit_ids;
	size_t count, cap;
} finding_list;

/* The events of a kind: findings grouped by benchmark, machine, tags and
 * commit. idx holds every event's finding indexes, back to back. */
typedef struct event_list {
	perfdb_regress_event *items;
	size_t count;
	size_t *idx;
} event_list;

struct perfdb_regress_report {
	finding_list found[2];
	event_list events[2];
	perfdb_series_verdict *verdicts;
	size_t nverdicts, capverdicts;
	perfdb_scope *sc;
	perfdb_alert_state *states; /* per finding, regressions first */
};

static int push_finding(finding_list *l, const perfdb_finding *f, size_t series, int64_t cid)
{
	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		perfdb_finding *p = realloc(l->items, ncap * sizeof(*p));
		size_t *ps;
		int64_t *pc;
		if (!p)
			return perfdb_error__oom();
		l->items = p;
		if (!(ps = realloc(l->series, ncap * sizeof(*ps))))
			return perfdb_error__oom();
		l->series = ps;
		if (!(pc = realloc(l->commit_ids, ncap * sizeof(*pc))))
			return perfdb_error__oom();
		l->commit_ids = pc;
		l->cap = ncap;
	}
	l->series[l->count] = series;
	l->commit_ids[l->count] = cid;
	l->items[l->count++] = *f;
	return 0;
}

void perfdb_regress_report_free(perfdb_regress_report *r)
{
	size_t k;
	if (!r)
		return;
	for (k = 0; k < 2; k++) {
		free(r->events[k].items);
		free(r->events[k].idx);
		free(r->found[k].items);
		free(r->found[k].series);
		free(r->found[k].commit_ids);
	}
	free(r->verdicts);
	perfdb_scope__free(r->sc);
	free(r->states);
	free(r);
}

size_t perfdb_regress_count(const perfdb_regress_report *r, perfdb_finding_kind kind)
{
	return r && (unsigned)kind < 2 ? r->found[kind].count : 0;
}

const perfdb_finding *perfdb_regress_get(const perfdb_regress_report *r, perfdb_finding_kind kind,
					 size_t i)
{
	if (!r || (unsigned)kind >= 2 || i >= r->found[kind].count)
		return NULL;
	return &r->found[kind].items[i];
}

size_t perfdb_regress_failures(const perfdb_regress_report *r)
{
	size_t i, n = 0;
	if (!r)
		return 0;
	for (i = 0; i < r->found[0].count; i++)
		if (r->found[0].items[i].status == PERFDB_ALERT_OPEN &&
		    !r->found[0].items[i].suspect)
			n++;
	return n;
}

size_t perfdb_regress_event_count(const perfdb_regress_report *r, perfdb_finding_kind kind)
{
	return r && (unsigned)kind < 2 ? r->events[kind].count : 0;
}

const perfdb_regress_event *perfdb_regress_event_get(const perfdb_regress_report *r,
						     perfdb_finding_kind kind, size_t i)
{
	if (!r || (unsigned)kind >= 2 || i >= r->events[kind].count)
		return NULL;
	return &r->events[kind].items[i];
}

int perfdb_regress_event_open(const perfdb_regress_report *r, const perfdb_regress_event *e)
{
	size_t i;
	if (!r || !e)
		return 0;
	for (i = 0; i < e->nfindings; i++) {
		const perfdb_finding *f = &r->found[e->kind].items[e->findings[i]];
		if (f->status == PERFDB_ALERT_OPEN && !f->suspect)
			return 1;
	}
	return 0;
}

size_t perfdb_regress_event_failures(const perfdb_regress_report *r)
{
	size_t i, n = 0;
	if (!r)
		return 0;
	for (i = 0; i < r->events[0].count; i++)
		n += (size_t)perfdb_regress_event_open(r, &r->events[0].items[i]);
	return n;
}

/* One event per benchmark, machine, tags and commit of each kind, in the
 * order of their first finding. Series of one benchmark differ in metric
 * (and unit); the strings of one benchmark, machine and tags are the same
 * pointers only within a series, so they are compared by value. */
static int group_events(perfdb_regress_report *rep)
{
	size_t k, i, j;
	for (k = 0; k < 2; k++) {
		const finding_list *fl = &rep->found[k];
		event_list *el = &rep->events[k];
		size_t n = fl->count, pos = 0;
		unsigned char *taken;
		if (!n)
			continue;
		el->items = calloc(n, sizeof(*el->items));
		el->idx = malloc(n * sizeof(*el->idx));
		taken = calloc(n, 1);
		if (!el->items || !el->idx || !taken) {
			free(taken);
			return perfdb_error__oom();
		}
		for (i = 0; i < n; i++) {
			const perfdb_finding *f = &fl->items[i];
			perfdb_regress_event *e;
			if (taken[i])
				continue;
			e = &el->items[el->count++];
			e->kind = (perfdb_finding_kind)k;
			e->benchmark = f->benchmark;
			e->machine = f->machine;
			e->tags = f->tags;
			e->commit = f->commit;
			e->subject = f->subject;
			e->findings = &el->idx[pos];
			for (j = i; j < n; j++) {
				const perfdb_finding *g = &fl->items[j];
				if (taken[j] || fl->commit_ids[j] != fl->commit_ids[i] ||
				    strcmp(g->benchmark, f->benchmark) != 0 ||
				    strcmp(g->machine, f->machine) != 0 ||
				    strcmp(perfdb_tags_json(g->tags), perfdb_tags_json(f->tags)) !=
					0)
					continue;
				taken[j] = 1;
				el->idx[pos++] = j;
				e->nfindings++;
			}
		}
		free(taken);
	}
	return 0;
}

size_t perfdb_regress_series_checked(const perfdb_regress_report *r)
{
	return r ? r->nverdicts : 0;
}

size_t perfdb_regress_not_compared(const perfdb_regress_report *r)
{
	size_t i, n = 0;
	for (i = 0; r && i < r->nverdicts; i++)
		n += r->verdicts[i].not_compared != 0;
	return n;
}

const perfdb_series_verdict *perfdb_regress_series(const perfdb_regress_report *r, size_t i)
{
	return r && i < r->nverdicts ? &r->verdicts[i] : NULL;
}

const perfdb_regress_scope *perfdb_regress_scope_get(const perfdb_regress_report *r)
{
	return r ? &r->sc->pub : NULL;
}

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
static double level_var(const sview *v, const group *g, double sigma)
{
	const perfdb_series_point *p = g->pts;
	double med, mad, own;
	size_t i;
	if (g->n != 1 || p->nsamples < 3)
		return sigma * sigma;
	med = median_of(p->samples, p->nsamples, v->buf2);
	for (i = 0; i < p->nsamples; i++)
		v->buf2[i] = fabs(p->samples[i] - med);
	mad = 1.4826 * perfdb_stats_median_inplace(v->buf2, p->nsamples);
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
		     size_t n, double *buf, double *buf2)
{
	size_t i, k = 0, nrep = 0, reps = 0;
	double sd, within;
	*tau = *df = 0;
	if (n < 6)
		return;
	/* per repeated commit, its repetitions' robust variance (1.4826 MAD
	 * squared: one slow repetition does not make every commit noisy) */
	for (i = 0; i < n; i++) {
		size_t m, j;
		const double *x = perfdb_scope__observations(&pts[i], &m);
		double med;
		if (m < 2)
			continue;
		med = median_of(x, m, buf);
		for (j = 0; j < m; j++)
			buf[j] = fabs(x[j] - med);
		med = 1.4826 * perfdb_stats_median_inplace(buf, m);
		buf2[nrep++] = med * med;
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
	noise_of(&v->tau, &v->tau_df, v->pts, v->loc, v->n, v->buf, v->buf2);
}

void perfdb_regress__level_noise(double *tau, double *df, const perfdb_series_point *pts, size_t n,
				 double *scratch)
{
	double *loc = scratch, *buf2 = scratch + n, *buf = scratch + 2 * n;
	size_t i;
	for (i = 0; i < n; i++)
		loc[i] = perfdb_scope__level(&pts[i], buf);
	noise_of(tau, df, pts, loc, n, buf, buf2);
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
	se = sqrt(ca * level_var(v, a, sigma) / (double)a->n +
		  cb * level_var(v, b, sigma) / (double)b->n);
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
	const group *base_group = NULL;
	group bg;

	if (v->base) {
		bg.pts = v->base;
		bg.loc = &v->base_loc;
		bg.n = 1;
		base_group = &bg;
		base_level = v->base_loc;
	}
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
	if (v->base) {
		bg.pts = v->base;
		bg.loc = &v->base_loc;
		bg.n = 1;
		ref = &bg;
	} else if (r > 0) {
		ref = &w;
	} else {
		return 0; /* nothing to compare with */
	}
	lb = median_of(ref->loc, ref->n, v->buf2);
	la = v->loc[v->n - 1];
	if (lb == 0 || fabs(la - lb) / fabs(lb) * 100 < thr)
		return 0;
	p = judge(v, ref, &cur, r >= 3 ? &w : NULL, NULL, &name);
	if (!significant(p, v->alpha))
		return 0;
	return add_step(c, v->n - 1, lb, la, p, 1, name, 1);
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
		v->loc[i] = perfdb_scope__level(&pts[i], v->buf);
	v->pts = pts;
	v->n = n;
	v->base = base;
	v->base_loc = base ? perfdb_scope__level(base, v->buf) : NAN;
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

/* ---- one series ---------------------------------------------------------------------- */

static int bad_direction(perfdb_direction dir, double change)
{
	return dir == PERFDB_HIGHER_IS_BETTER ? change < 0 : change > 0;
}

static int analyse_series(perfdb_regress_report *rep, const perfdb_regress_options *o, size_t si,
			  const perfdb_series *s)
{
	const perfdb_scope *sc = rep->sc;
	perfdb_scope_series cfg;
	perfdb_series_verdict *verdict;
	perfdb_regress_step *steps = NULL;
	const perfdb_series_point *pts = s->points, *base = NULL;
	size_t i, r, n = s->npoints, nsteps = 0, maxobs = 1;
	double *scratch;
	int err;

	perfdb_scope__series_config(&cfg, o, s);
	if (cfg.ignore)
		return 0;
	/* the baseline commit's point, when it is not part of window + range */
	if (sc->base_pos != SIZE_MAX) {
		for (i = 0; i < n && pts[i].pos <= sc->base_pos; i++)
			if (pts[i].pos == sc->base_pos)
				base = &pts[i];
		if (base && sc->base_separate) {
			pts++; /* it is the first point, before the window */
			n--;
		}
	}
	for (r = 0; r < n && pts[r].pos < sc->range_pos; r++)
		;
	if (r == n)
		return 0; /* no data in the range: not checked */
	for (i = 0; i < s->npoints; i++) {
		size_t k;
		perfdb_scope__observations(&s->points[i], &k);
		maxobs = k > maxobs ? k : maxobs;
	}

	if (rep->nverdicts == rep->capverdicts) {
		size_t ncap = rep->capverdicts ? rep->capverdicts * 2 : 64;
		perfdb_series_verdict *nv = realloc(rep->verdicts, ncap * sizeof(*nv));
		if (!nv)
			return perfdb_error__oom();
		rep->verdicts = nv;
		rep->capverdicts = ncap;
	}
	if (!(scratch = malloc((maxobs + n + 1) * sizeof(*scratch))))
		return perfdb_error__oom();
	verdict = &rep->verdicts[rep->nverdicts++];
	memset(verdict, 0, sizeof(*verdict));
	verdict->benchmark = s->benchmark;
	verdict->metric = s->metric;
	verdict->unit = s->unit;
	verdict->machine = s->machine;
	verdict->tags = s->tags;
	verdict->points = s->npoints;
	verdict->value = perfdb_scope__level(&pts[n - 1], scratch);
	verdict->baseline_value = NAN;
	if (base) {
		verdict->baseline_value = perfdb_scope__level(base, scratch);
	} else if (r) {
		double *levels = scratch + maxobs; /* the window's levels */
		for (i = 0; i < r; i++)
			levels[i] = perfdb_scope__level(&pts[i], scratch);
		verdict->baseline_value = perfdb_stats_median_inplace(levels, r);
	}

	free(scratch);
	if (sc->base_pos != SIZE_MAX && !base) {
		/* a named baseline (or revision) this series did not exist at:
		 * renamed or new since. Judging it against the window instead
		 * would pass it silently under the baseline's name. */
		verdict->baseline_value = NAN;
		verdict->not_compared = 1;
		return 0;
	}
	if ((err = perfdb_regress__steps(&steps, &nsteps, pts, n, r, base, sc->gate, &cfg,
					 1 - o->confidence)) < 0)
		return err;
	for (i = 0; i < nsteps && err == 0; i++) {
		const perfdb_regress_step *st = &steps[i];
		const perfdb_commit_info *ci = perfdb_scope__commit(sc, pts[st->point].commit_id);
		perfdb_finding f;
		memset(&f, 0, sizeof(f));
		f.kind = bad_direction(cfg.direction, st->change) ? PERFDB_FINDING_REGRESSION
								  : PERFDB_FINDING_IMPROVEMENT;
		f.benchmark = s->benchmark;
		f.metric = s->metric;
		f.unit = s->unit;
		f.machine = s->machine;
		f.tags = s->tags;
		f.direction = cfg.direction;
		f.commit = ci ? ci->sha : "";
		f.subject = ci && ci->subject ? ci->subject : "";
		f.commits_after = st->commits_after;
		f.baseline_value = st->before;
		f.value = st->after;
		f.change_pct = 100 * st->change;
		f.p_value = st->p_value;
		f.p_raw = st->p_raw;
		f.p_family = st->family;
		f.p_correction = st->family > 1 && !isnan(st->p_raw) ? "bonferroni" : NULL;
		f.method = st->method;
		f.threshold_pct = cfg.threshold;
		f.status = PERFDB_ALERT_OPEN;
		perfdb_scope__candidates(sc, st->point ? pts[st->point - 1].commit_id : 0,
					 pts[st->point].commit_id, &f.range_first, &f.range_count,
					 &f.bisect_next);
		if (!f.range_first)
			f.range_first = f.commit;
		f.time_ratio = f.time_ratio_history = NAN;
		f.suspected = st->commits_after == 1 && pts[n - 1].nruns <= 1;
		if (f.kind == PERFDB_FINDING_REGRESSION)
			verdict->regressions++;
		else
			verdict->improvements++;
		err = push_finding(&rep->found[f.kind], &f, si, pts[st->point].commit_id);
	}
	/* nothing before the range and nothing found in it: not compared */
	verdict->not_compared = isnan(verdict->baseline_value) && nsteps == 0;
	free(steps);
	return err;
}

/* The first series of the set (sorted by benchmark) named name or after it. */
static size_t first_named(const perfdb_series_set *set, const char *name)
{
	size_t lo = 0, hi = perfdb_series_set_count(set);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(perfdb_series_set_get(set, mid)->benchmark, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- a loaded machine ----------------------------------------------------------------------- */

/* The level of series s at commit position pos, NAN when it has none. */
static double level_at(const perfdb_series *s, size_t pos, double *scratch)
{
	size_t i;
	for (i = 0; i < s->npoints; i++)
		if (s->points[i].pos == pos)
			return perfdb_scope__level(&s->points[i], scratch);
	return NAN;
}

/*
 * A real_time regression made by the newest commit alone, while the
 * benchmark's cpu_time stayed: when real_time / cpu_time there departs from
 * that ratio's history far more than it ever moved, the machine was busy
 * (two loops beside the benchmark double real_time, not cpu_time). Such a
 * finding is marked suspect, reported, and does not fail the check. A real
 * change of that shape (a new sleep, a lock) is confirmed by the next
 * commit, which leaves the newest-commit rule.
 */
static int mark_loaded(perfdb_regress_report *rep, const perfdb_regress_options *o)
{
	const perfdb_series_set *set = rep->sc->set;
	finding_list *fl = &rep->found[PERFDB_FINDING_REGRESSION];
	size_t i, j, k, nset = perfdb_series_set_count(set), cap = 0;
	double *ratios = NULL, *scratch = NULL;
	int err = 0;
	(void)o;
	for (i = 0; i < fl->count && err == 0; i++) {
		perfdb_finding *f = &fl->items[i];
		const perfdb_series *real = perfdb_series_set_get(set, fl->series[i]), *cpu = NULL;
		size_t step_pos = SIZE_MAX, nr = 0, need;
		double rnew, cnow, med, mad, cpu_med;
		if (strcmp(f->metric, "real_time") != 0 || f->commits_after != 1)
			continue;
		/* the set is sorted by benchmark: only real's name's series */
		for (j = first_named(set, real->benchmark); j < nset && !cpu; j++) {
			const perfdb_series *c = perfdb_series_set_get(set, j);
			if (strcmp(c->benchmark, real->benchmark) != 0)
				break;
			if (strcmp(c->metric, "cpu_time") == 0 &&
			    strcmp(c->machine, real->machine) == 0 &&
			    strcmp(perfdb_tags_json(c->tags), perfdb_tags_json(real->tags)) == 0)
				cpu = c;
		}
		if (!cpu)
			continue;
		need = 2 * (real->npoints + 1);
		for (j = 0; j < real->npoints; j++) {
			size_t m = real->points[j].nsamples > real->points[j].nruns
				       ? real->points[j].nsamples
				       : real->points[j].nruns;
			need += m;
		}
		for (j = 0; j < cpu->npoints; j++)
			need += cpu->points[j].nsamples + cpu->points[j].nruns;
		if (need > cap) {
			free(ratios);
			free(scratch);
			ratios = malloc(need * sizeof(*ratios));
			scratch = malloc(need * sizeof(*scratch));
			cap = need;
			if (!ratios || !scratch) {
				err = perfdb_error__oom();
				break;
			}
		}
		for (j = 0; j < real->npoints; j++)
			if (real->points[j].commit_id == fl->commit_ids[i])
				step_pos = real->points[j].pos;
		if (step_pos == SIZE_MAX)
			continue;
		rnew = level_at(real, step_pos, scratch) / level_at(cpu, step_pos, scratch);
		cnow = level_at(cpu, step_pos, scratch);
		/* the history: ratios and cpu levels at the commits before */
		for (j = 0; j < real->npoints && real->points[j].pos < step_pos; j++) {
			double rl = perfdb_scope__level(&real->points[j], scratch);
			double cl = level_at(cpu, real->points[j].pos, scratch);
			if (isfinite(rl) && cl > 0) {
				ratios[nr] = rl / cl;
				ratios[real->npoints + nr] = cl;
				nr++;
			}
		}
		if (nr < 3 || !isfinite(rnew) || !(cnow > 0))
			continue;
		cpu_med = perfdb_stats_median_inplace(ratios + real->npoints, nr);
		med = perfdb_stats_median_inplace(ratios, nr);
		for (k = 0; k < nr; k++)
			ratios[k] = fabs(ratios[k] - med);
		mad = 1.4826 * perfdb_stats_median_inplace(ratios, nr);
		f->time_ratio = rnew;
		f->time_ratio_history = med;
		/* cpu_time stayed within the threshold; the ratio moved beyond it
		 * and beyond 5 of its own historic spreads (at least 1%) */
		if (fabs(cnow / cpu_med - 1) * 100 < f->threshold_pct &&
		    (rnew / med - 1) * 100 >= f->threshold_pct &&
		    rnew - med > 5 * fmax(mad, 0.01 * med))
			f->suspect = "loaded";
	}
	free(ratios);
	free(scratch);
	return err;
}

/* ---- renames ------------------------------------------------------------------------------ */

static int same_series_but_name(const perfdb_series *a, const perfdb_series *b)
{
	return strcmp(a->metric, b->metric) == 0 && strcmp(a->unit, b->unit) == 0 &&
	       strcmp(a->machine, b->machine) == 0 &&
	       strcmp(perfdb_tags_json(a->tags), perfdb_tags_json(b->tags)) == 0;
}

/* The series named `name` with a's metric, unit, machine and tags, or SIZE_MAX. */
static size_t find_renamed(const perfdb_series_set *set, const char *name, const perfdb_series *a)
{
	size_t i, n = perfdb_series_set_count(set);
	for (i = first_named(set, name); i < n; i++) {
		const perfdb_series *b = perfdb_series_set_get(set, i);
		if (strcmp(b->benchmark, name) != 0)
			break;
		if (same_series_but_name(a, b))
			return i;
	}
	return SIZE_MAX;
}

/*
 * For each series, the series perfdb.yaml's renames map it onto (its new
 * name, with its metric, unit, machine and tags), or SIZE_MAX; and
 * joined[t] = 1 for each such target t. Only renamed series are looked up,
 * so a history without renames costs one pass. *out and *joined owned.
 */
static int rename_targets(size_t **out, unsigned char **joined, const perfdb_series_set *set,
			  const perfdb_config *cfg)
{
	size_t i, n = perfdb_series_set_count(set), *t;
	unsigned char *j;
	char name[1024];
	t = malloc((n ? n : 1) * sizeof(*t));
	j = calloc(n ? n : 1, 1);
	if (!t || !j) {
		free(t);
		free(j);
		return perfdb_error__oom();
	}
	for (i = 0; i < n; i++) {
		const perfdb_series *s = perfdb_series_set_get(set, i);
		t[i] = perfdb_config_rename(cfg, s->benchmark, name, sizeof(name))
			   ? find_renamed(set, name, s)
			   : SIZE_MAX;
		if (t[i] != SIZE_MAX)
			j[t[i]] = 1;
	}
	*out = t;
	*joined = j;
	return 0;
}

/*
 * Series si joined with the series that perfdb.yaml's renames map onto it
 * (target[i] == si; BM_UFlat/0 -> BM_UFlat/0/1): their points and its own in
 * commit order, its own winning a commit both have. *pts is NULL (and *out
 * untouched) when nothing was renamed to it; else owned by the caller.
 */
static int join_renamed(perfdb_series *out, perfdb_series_point **pts, const perfdb_series_set *set,
			const size_t *target, size_t si)
{
	const perfdb_series *s = perfdb_series_set_get(set, si);
	size_t i, j, n = perfdb_series_set_count(set), total = s->npoints, k = 0;
	perfdb_series_point *p;
	*pts = NULL;
	for (i = 0; i < n; i++)
		if (target[i] == si)
			total += perfdb_series_set_get(set, i)->npoints;
	if (total == s->npoints)
		return 0;
	if (!(p = malloc(total * sizeof(*p))))
		return perfdb_error__oom();
	for (i = 0; i < n; i++) {
		const perfdb_series *o = perfdb_series_set_get(set, i);
		if (i == si || target[i] == si) {
			memcpy(p + k, o->points, o->npoints * sizeof(*p));
			k += o->npoints;
		}
	}
	/* insertion sort by commit position: the joined parts barely overlap */
	for (i = 1; i < k; i++) {
		perfdb_series_point x = p[i];
		for (j = i; j > 0 && p[j - 1].pos > x.pos; j--)
			p[j] = p[j - 1];
		p[j] = x;
	}
	/* one point a commit: the series' own name wins */
	for (i = 0, j = 0; i < k; i++) {
		if (j && p[j - 1].pos == p[i].pos) {
			size_t m;
			for (m = 0; m < s->npoints; m++)
				if (s->points[m].pos == p[i].pos)
					p[j - 1] = s->points[m];
			continue;
		}
		p[j++] = p[i];
	}
	*out = *s;
	out->points = p;
	out->npoints = j;
	*pts = p;
	return 0;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* What recording the findings stores, regressions first. *out owned. */
static int alert_inputs(perfdb_alert_input **out, const perfdb_regress_report *rep)
{
	size_t total = rep->found[0].count + rep->found[1].count, k, i, j = 0;
	perfdb_alert_input *in;
	*out = NULL;
	if (!(in = calloc(total ? total : 1, sizeof(*in))))
		return perfdb_error__oom();
	for (k = 0; k < 2; k++)
		for (i = 0; i < rep->found[k].count; i++, j++) {
			const perfdb_finding *f = &rep->found[k].items[i];
			const perfdb_series *s =
			    perfdb_series_set_get(rep->sc->set, rep->found[k].series[i]);
			in[j].benchmark_id = s->benchmark_id;
			in[j].machine_id = s->machine_id;
			in[j].commit_id = rep->found[k].commit_ids[i];
			in[j].tags = s->tags;
			in[j].improvement = (int)k;
			in[j].baseline_value = f->baseline_value;
			in[j].value = f->value;
			in[j].change_pct = f->change_pct;
			in[j].p_value = f->p_value;
			in[j].method = f->method;
		}
	*out = in;
	return 0;
}

/* The findings take their alerts' ids and status (rep->states); an
 * acknowledged or ignored regression no longer counts in its verdict. */
static void apply_states(perfdb_regress_report *rep)
{
	size_t k, i, j = 0;
	for (i = 0; i < rep->nverdicts; i++) {
		rep->verdicts[i].regressions += rep->verdicts[i].acknowledged;
		rep->verdicts[i].acknowledged = 0;
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < rep->found[k].count; i++, j++) {
			perfdb_finding *f = &rep->found[k].items[i];
			f->alert_id = rep->states[j].id;
			f->status = rep->states[j].status;
		}
	for (i = 0; i < rep->found[0].count; i++) {
		perfdb_finding *f = &rep->found[0].items[i];
		size_t vi;
		if (f->status == PERFDB_ALERT_OPEN)
			continue;
		for (vi = 0; vi < rep->nverdicts; vi++) {
			perfdb_series_verdict *vd = &rep->verdicts[vi];
			if (vd->benchmark == f->benchmark && vd->machine == f->machine &&
			    vd->tags == f->tags && vd->metric == f->metric && vd->unit == f->unit &&
			    vd->regressions > 0) {
				vd->regressions--;
				vd->acknowledged++;
				break;
			}
		}
	}
}

/* The stored status of each finding, read only. */
static int lookup_alerts(perfdb_regress_report *rep, perfdb_store *store)
{
	size_t total = rep->found[0].count + rep->found[1].count, j;
	perfdb_alert_input *in;
	int err = 0;
	if (!total)
		return 0;
	if (!(rep->states = calloc(total, sizeof(*rep->states))))
		return perfdb_error__oom();
	if ((err = alert_inputs(&in, rep)) < 0)
		return err;
	for (j = 0; j < total && err == 0; j++)
		err = perfdb_store_alert_lookup(store, &in[j], &rep->states[j]);
	free(in);
	if (err < 0)
		return err;
	apply_states(rep);
	return 0;
}

int perfdb_store_record_findings(perfdb_store *store, perfdb_regress_report *report)
{
	size_t total = report ? report->found[0].count + report->found[1].count : 0, j, k, n = 0;
	perfdb_alert_input *in;
	perfdb_alert_state *states;
	size_t *map;
	int err;
	if (!total)
		return 0;
	if (!(states = calloc(total, sizeof(*states))))
		return perfdb_error__oom();
	if (!(map = malloc(total * sizeof(*map))) || (err = alert_inputs(&in, report)) < 0) {
		free(states);
		free(map);
		return map ? err : perfdb_error__oom();
	}
	/* a suspect finding (a loaded machine) is not blamed on its commit:
	 * it is not stored, and keeps the state it was read with */
	for (j = 0; j < total; j++) {
		const perfdb_finding *f = j < report->found[0].count
					      ? &report->found[0].items[j]
					      : &report->found[1].items[j - report->found[0].count];
		if (f->suspect) {
			states[j].id = f->alert_id;
			states[j].status = f->status;
			continue;
		}
		in[n] = in[j];
		map[n++] = j;
	}
	{
		perfdb_alert_state *rec = calloc(n ? n : 1, sizeof(*rec));
		err = rec ? perfdb_store_alerts_record(store, in, n, rec) : perfdb_error__oom();
		/* the stored states, back in finding order */
		for (k = 0; err == 0 && k < n; k++)
			states[map[k]] = rec[k];
		free(rec);
	}
	free(in);
	free(map);
	if (err < 0) {
		free(states);
		return err;
	}
	free(report->states);
	report->states = states;
	apply_states(report);
	return 0;
}

int perfdb_regress_run(perfdb_regress_report **out, perfdb_store *store,
		       const perfdb_regress_options *opts)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	size_t i, *target = NULL;
	unsigned char *has_joined = NULL;
	int err;

	*out = NULL;
	if (opts)
		o = *opts;
	if ((err = perfdb_scope__check(&o)) < 0)
		return err;
	if (o.commit && o.since)
		return perfdb_error__set(
		    PERFDB_EINVAL, "a commit to check and a range (since) exclude each other");
	if (!(rep = calloc(1, sizeof(*rep))))
		return perfdb_error__oom();
	if ((err = perfdb_scope__open(&rep->sc, store)) < 0 ||
	    (err = perfdb_scope__range(rep->sc, store, &o)) < 0 ||
	    (err = perfdb_scope__read(rep->sc, store, &o)) < 0)
		goto done;
	if (rep->sc->range_pos >= rep->sc->nids)
		goto done; /* an empty history or range: nothing to check */
	if ((err = rename_targets(&target, &has_joined, rep->sc->set, o.config)) < 0)
		goto done;
	for (i = 0; i < perfdb_series_set_count(rep->sc->set); i++) {
		const perfdb_series *s = perfdb_series_set_get(rep->sc->set, i);
		perfdb_series joined;
		perfdb_series_point *pts = NULL;
		/* an old name whose new name has data: checked there */
		if (target[i] != SIZE_MAX)
			continue;
		if (has_joined[i] &&
		    (err = join_renamed(&joined, &pts, rep->sc->set, target, i)) < 0)
			goto done;
		err = analyse_series(rep, &o, i, pts ? &joined : s);
		free(pts);
		if (err < 0)
			goto done;
	}
	if ((err = mark_loaded(rep, &o)) < 0 || (err = group_events(rep)) < 0)
		goto done;
	err = lookup_alerts(rep, store);
done:
	free(target);
	free(has_joined);
	if (err < 0) {
		perfdb_regress_report_free(rep);
		return err;
	}
	*out = rep;
	return 0;
}
