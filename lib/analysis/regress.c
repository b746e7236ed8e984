/*
 * regress.c - the verdict over a range of commits (see perfdb/regress.h).
 *
 * The plan of one run:
 *  1. order the recorded commits (git first-parent order, else recorded);
 *  2. resolve the range, the baseline window or baseline commit;
 *  3. read every series over those commits in one pass (lib/store/series.c);
 *  4. per series: change points over window + range name the first commit
 *     of each step; a step is kept when significant, beyond the threshold,
 *     in the bad (or good) direction, and still there at the end of the range;
 *  5. store the findings as alerts and read back their status, so an
 *     acknowledged regression does not fail the build again.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_internal.h"
#include "perfdb/changepoint.h"
#include "perfdb/config.h"
#include "perfdb/context.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "util/error.h"
#include "util/git.h"

static const char *const method_names[] = {"auto",	  "percent", "ttest",
					   "mannwhitney", "zscore",  "changepoint"};

const char *perfdb_method_name(perfdb_method m)
{
	return (unsigned)m < sizeof(method_names) / sizeof(method_names[0]) ? method_names[m]
									    : "unknown";
}

int perfdb_method_parse(perfdb_method *out, const char *name)
{
	size_t i;
	for (i = 0; name && i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (strcmp(name, method_names[i]) == 0) {
			*out = (perfdb_method)i;
			return 0;
		}
	return perfdb_error__set(PERFDB_EINVAL,
				 "unknown method '%s' (auto, percent, ttest, mannwhitney, zscore, "
				 "changepoint)",
				 name ? name : "");
}

/* ---- commit order ------------------------------------------------------------- */

/* `git rev-list --first-parent TIP` in dir: the shas, newest first, as one
 * buffer split into lines. NULL when git is missing or says no. */
static char *git_rev_list(const char *dir, const char *tip)
{
	const char *args[] = {"rev-list", "--first-parent", tip, "--", NULL};
	if (tip[0] == '-')
		return NULL;
	return perfdb_util__git_output(dir, args, NULL);
}

/* Index of commits (by sha) for the git order lookup. */
typedef struct sha_index {
	const char *sha;
	size_t i;
} sha_index;

static int cmp_sha_index(const void *a, const void *b)
{
	return strcmp(((const sha_index *)a)->sha, ((const sha_index *)b)->sha);
}

/*
 * Fills order[] with indexes into commits, oldest first. git's first-parent
 * history from tip decides when the repository holds at least one recorded
 * commit; commits it does not reach (other branches) are left out then.
 */
int perfdb_regress__order(size_t **out, size_t *nout, const char **how,
			  const perfdb_commit_list *commits, const char *repo_dir, const char *tip,
			  int use_git)
{
	size_t *order, n = 0, i;
	char *list = NULL;
	*out = NULL;
	*nout = 0;
	*how = "recorded";
	if (!(order = malloc((commits->count ? commits->count : 1) * sizeof(*order))))
		return perfdb_error__oom();
	if (use_git && commits->count)
		list = git_rev_list(repo_dir ? repo_dir : ".", tip ? tip : "HEAD");
	if (list) {
		sha_index *idx = malloc(commits->count * sizeof(*idx));
		char *line, *save = NULL;
		if (!idx) {
			free(list);
			free(order);
			return perfdb_error__oom();
		}
		for (i = 0; i < commits->count; i++)
			idx[i] = (sha_index){commits->items[i].sha, i};
		qsort(idx, commits->count, sizeof(*idx), cmp_sha_index);
		/* rev-list prints newest first: collect, then reverse */
		for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			sha_index key = {line, 0}, *hit;
			hit = bsearch(&key, idx, commits->count, sizeof(*idx), cmp_sha_index);
			if (hit && n < commits->count)
				order[n++] = hit->i;
		}
		free(idx);
		free(list);
		if (n) {
			for (i = 0; i < n / 2; i++) {
				size_t t = order[i];
				order[i] = order[n - 1 - i];
				order[n - 1 - i] = t;
			}
			*how = "git";
			*out = order;
			*nout = n;
			return 0;
		}
	}
	for (i = 0; i < commits->count; i++)
		order[i] = i;
	*out = order;
	*nout = commits->count;
	return 0;
}

/* `git merge-base --is-ancestor a b` in dir: 1 yes, 0 no (or git failed). */
static int git_is_ancestor(const char *dir, const char *a, const char *b)
{
	const char *args[] = {"merge-base", "--is-ancestor", a, b, NULL};
	char *out;
	if (a[0] == '-' || b[0] == '-')
		return 0;
	out = perfdb_util__git_output(dir, args, NULL);
	free(out);
	return out != NULL;
}

/*
 * --since REV where REV is not a recorded commit of the history being
 * checked: a revision git knows that nobody benchmarked (origin/main's tip
 * when main is measured nightly), or a branch that moved on after the
 * checked branch forked from it (origin/main in a pull request). The range
 * then starts after the fork point, `git merge-base REV TIP`. The commits of
 * order (a first-parent history of TIP, oldest first) that are ancestors of
 * the fork point form a prefix of it; *first is its length, found by
 * bisection, and *fork git's full sha of the fork point (owned).
 * Errors: PERFDB_ENOTFOUND (git does not know REV, or no common history).
 */
static int git_since(size_t *first, char **fork, const perfdb_commit_list *commits,
		     const size_t *order, size_t norder, const char *dir, const char *rev,
		     const char *tip)
{
	char *full = NULL, *base;
	const char *args[] = {"merge-base", NULL, tip ? tip : "HEAD", NULL};
	size_t lo = 0, hi = norder, len = 0;
	*first = 0;
	*fork = NULL;
	if (perfdb_git_resolve(&full, dir, rev) != 0)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for revision '%s'",
					 rev);
	args[1] = full;
	base = args[2][0] == '-' ? NULL : perfdb_util__git_output(dir, args, &len);
	free(full);
	while (base && len && (base[len - 1] == '\n' || base[len - 1] == '\r'))
		base[--len] = '\0';
	if (!base || !len) {
		free(base);
		return perfdb_error__set(
		    PERFDB_ENOTFOUND, "'%s' shares no history with the commits being checked", rev);
	}
	/* the first position that is not an ancestor of the fork point */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (git_is_ancestor(dir, commits->items[order[mid]].sha, base))
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	*fork = base;
	return 0;
}

/* A revision to a recorded commit: the store's shas first (exact or
 * prefix), then git (branches, tags, HEAD~3), then the store again. */
int perfdb_regress__resolve(perfdb_store *store, const char *repo_dir, const char *rev, int64_t *id)
{
	char *full = NULL;
	int err = perfdb_store_find_commit(store, rev, id, NULL);
	if (err != PERFDB_ENOTFOUND)
		return err;
	if (perfdb_git_resolve(&full, repo_dir, rev) == 0) {
		err = perfdb_store_find_commit(store, full, id, NULL);
		free(full);
		if (err != PERFDB_ENOTFOUND)
			return err;
	}
	return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for revision '%s'", rev);
}

int perfdb_commit_resolve(int64_t *id, char **sha, perfdb_store *store, const char *repo_dir,
			  const char *rev)
{
	int err;
	if (sha)
		*sha = NULL;
	if ((err = perfdb_regress__resolve(store, repo_dir, rev, id)) < 0)
		return err;
	if (sha) {
		perfdb_commit_list *l = NULL;
		size_t i;
		if ((err = perfdb_store_commits(&l, store)) < 0)
			return err;
		for (i = 0; i < l->count; i++)
			if (l->items[i].id == *id) {
				size_t n = strlen(l->items[i].sha) + 1;
				if ((*sha = malloc(n)))
					memcpy(*sha, l->items[i].sha, n);
				break;
			}
		perfdb_commit_list_free(l);
		if (!*sha)
			return perfdb_error__oom();
	}
	return 0;
}

/* ---- the report ------------------------------------------------------------------ */

typedef struct id_index {
	int64_t id;
	size_t idx;
} id_index;

typedef struct finding_list {
	perfdb_finding *items;
	size_t count, cap;
} finding_list;

struct perfdb_regress_report {
	finding_list found[2];
	perfdb_series_verdict *verdicts;
	size_t nverdicts, capverdicts;
	perfdb_regress_scope scope;
	perfdb_series_set *set;
	perfdb_commit_list *commits;
	perfdb_baseline baseline;
	id_index *by_id; /* commit id -> index into commits, sorted by id */
	size_t ncommit_ids;
	perfdb_alert_state *states;
	char *since_sha; /* --since found by git: the fork point (scope.since) */
	char *until_sha; /* --until found by git: its full sha (the order's tip) */
};

static int push_finding(finding_list *l, const perfdb_finding *f)
{
	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		perfdb_finding *p = realloc(l->items, ncap * sizeof(*p));
		if (!p)
			return perfdb_error__oom();
		l->items = p;
		l->cap = ncap;
	}
	l->items[l->count++] = *f;
	return 0;
}

static int cmp_by_id(const void *a, const void *b)
{
	int64_t x = ((const id_index *)a)->id, y = ((const id_index *)b)->id;
	return (x > y) - (x < y);
}

/* The recorded commit with this id, or NULL (ids are not dense). */
static const perfdb_commit_info *commit_by_id(const perfdb_regress_report *r, int64_t id)
{
	id_index key, *hit;
	key.id = id;
	hit = bsearch(&key, r->by_id, r->ncommit_ids, sizeof(key), cmp_by_id);
	return hit ? &r->commits->items[hit->idx] : NULL;
}

static const char *sha_of(const perfdb_regress_report *r, int64_t id)
{
	const perfdb_commit_info *c = commit_by_id(r, id);
	return c ? c->sha : NULL;
}

void perfdb_regress_report_free(perfdb_regress_report *r)
{
	if (!r)
		return;
	free(r->found[0].items);
	free(r->found[1].items);
	free(r->verdicts);
	perfdb_series_set_free(r->set);
	perfdb_commit_list_free(r->commits);
	perfdb_baseline_release(&r->baseline);
	free(r->by_id);
	free(r->states);
	free(r->since_sha);
	free(r->until_sha);
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
		if (strcmp(r->found[0].items[i].status, "open") == 0)
			n++;
	return n;
}

size_t perfdb_regress_series_checked(const perfdb_regress_report *r)
{
	return r ? r->nverdicts : 0;
}

const perfdb_series_verdict *perfdb_regress_series(const perfdb_regress_report *r, size_t i)
{
	return r && i < r->nverdicts ? &r->verdicts[i] : NULL;
}

const perfdb_regress_scope *perfdb_regress_scope_get(const perfdb_regress_report *r)
{
	return r ? &r->scope : NULL;
}

/* ---- evidence and tests ----------------------------------------------------------- */

/* One series prepared for analysis: its points in order (the separate
 * baseline point, when there is one, apart), each point's location. */
typedef struct sview {
	const perfdb_series_point *pts; /* window + range, in order */
	size_t n;
	double *loc;			 /* per point: median of its samples, else its value */
	const perfdb_series_point *base; /* the baseline commit's point, or NULL */
	double base_loc;
	double *buf, *buf2; /* scratch for pooled samples and values */
	size_t bufcap;
	perfdb_method method;
	double alpha;
	double thr; /* the series' threshold, percent */
} sview;

/* A run that stored no samples has its value as its one sample, so the level
 * of a commit run several times that way is the median of the runs' values. */
static double point_location(const perfdb_series_point *p, double *scratch)
{
	if (p->nsamples) {
		memcpy(scratch, p->samples, p->nsamples * sizeof(*scratch));
		return perfdb_stats_median_inplace(scratch, p->nsamples);
	}
	if (p->nruns >= 2 && p->run_values) {
		memcpy(scratch, p->run_values, p->nruns * sizeof(*scratch));
		return perfdb_stats_median_inplace(scratch, p->nruns);
	}
	return p->value;
}

/* A group of evidence: points [a, b) of the view, or the baseline point. */
typedef struct group {
	const perfdb_series_point *pts;
	const double *loc;
	size_t n;
} group;

/*
 * The observations of a group, pooled: each point's stored samples. With
 * runs, a point that stored none gives each run's value instead (a run's
 * single value is its one sample), so three single-value runs of a commit
 * are three observations. Without runs (inside change-point detection) it
 * is all or nothing: there a group of single-value commits is judged on its
 * commit levels, never as if they were repetitions.
 */
static size_t pool(const group *g, double *out, int runs)
{
	size_t i, k = 0;
	for (i = 0; i < g->n; i++) {
		const perfdb_series_point *p = &g->pts[i];
		if (p->nsamples) {
			memcpy(out + k, p->samples, p->nsamples * sizeof(*out));
			k += p->nsamples;
		} else if (!runs) {
			return 0;
		} else if (p->run_values) {
			memcpy(out + k, p->run_values, p->nruns * sizeof(*out));
			k += p->nruns;
		} else {
			out[k++] = p->value;
		}
	}
	return k;
}

static double median_of(const double *x, size_t n, double *scratch)
{
	memcpy(scratch, x, n * sizeof(*scratch));
	return perfdb_stats_median_inplace(scratch, n);
}

/* Robust z-score of the new group's level against the commit-to-commit
 * noise of ref. The noise is 1.4826 MAD of successive differences over
 * sqrt 2: unlike the MAD of the values it is not inflated by a step inside
 * the window (a window often holds the start of the regression it judges). */
static double robust_z_p(const sview *v, const group *ref, const group *cur, double center)
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
	z = (level - center) / (sigma * sqrt(1.0 / (double)cur->n + 1.0 / (double)ref->n));
	return 2 * perfdb_stats_normal_cdf(-fabs(z));
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

/* Two groups of commit locations: the difference of their medians over
 * the robust spread (1.4826 MAD) of both groups' residuals, against a
 * Student t with nA + nB - 2 degrees of freedom. A median of n >= 3 has
 * about pi/2 times the variance of a mean; a lone commit's level is as
 * precise as its own repetitions allow (see level_var). */
static double robust_t_p(const sview *v, const group *a, const group *b)
{
	double ma = median_of(a->loc, a->n, v->buf2), mb = median_of(b->loc, b->n, v->buf2);
	double sigma, se, tt, ca, cb;
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
	if (!(sigma > 0))
		return ma == mb ? 1 : 0;
	ca = a->n >= 3 ? M_PI / 2 : 1;
	cb = b->n >= 3 ? M_PI / 2 : 1;
	se = sqrt(ca * level_var(v, a, sigma) / (double)a->n +
		  cb * level_var(v, b, sigma) / (double)b->n);
	tt = fabs(mb - ma) / se;
	return 2 * (1 - perfdb_stats_t_cdf(tt, (double)(n - 2)));
}

/* The auto method's choice of test (see test_groups). */
static double auto_test(const sview *v, const group *ref, const group *cur, const group *spread,
			const double *sa, size_t na, const double *sb, size_t nb, const char **name)
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
		*name = "mannwhitney";
		return t.p_value;
	}
	if (ref->n + cur->n >= 5 && (ref->n >= 3 || cur->n >= 3)) {
		*name = "zscore";
		return robust_t_p(v, ref, cur);
	}
	if (spread && spread->n >= 3) {
		*name = "zscore";
		return robust_z_p(v, spread, cur, median_of(ref->loc, ref->n, v->buf2));
	}
	/* one commit against one commit: their repetitions (or runs), by
	 * Mann-Whitney U when there are enough of them for it to ever reach
	 * alpha, else Welch */
	if (na >= 2 && nb >= 2)
		return perfdb_regress__samples_p(sa, na, sb, nb, v->alpha, name);
	*name = NULL;
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
			  int runs, const char **name)
{
	perfdb_test_result t;
	size_t na = 0, nb = 0;
	double *sa = v->buf, *sb = NULL;
	perfdb_method m = v->method;

	if (m == PERFDB_METHOD_PERCENT) {
		*name = "percent";
		return NAN;
	}
	if (m != PERFDB_METHOD_CHANGEPOINT && m != PERFDB_METHOD_ZSCORE) {
		na = pool(ref, sa, runs);
		sb = sa + na;
		nb = na ? pool(cur, sb, runs) : 0;
	}
	switch (m) {
	case PERFDB_METHOD_TTEST:
		*name = "ttest";
		if (na >= 2 && nb >= 2 &&
		    perfdb_stats_welch(&t, sa, na, sb, nb, PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		if (ref->n >= 2 && cur->n >= 2 &&
		    perfdb_stats_welch(&t, ref->loc, ref->n, cur->loc, cur->n, PERFDB_TWO_SIDED) ==
			0)
			return t.p_value;
		break;
	case PERFDB_METHOD_MANNWHITNEY:
		*name = "mannwhitney";
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
		*name = "zscore";
		if (!s || s->n < 3)
			break;
		return robust_z_p(v, s, cur, median_of(ref->loc, ref->n, v->buf2));
	}
	case PERFDB_METHOD_CHANGEPOINT:
		*name = "changepoint";
		if (ref->n >= 2 && cur->n >= 2 &&
		    perfdb_stats_mannwhitney(&t, ref->loc, ref->n, cur->loc, cur->n,
					     PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		break;
	default: return auto_test(v, ref, cur, spread, sa, na, sb, nb, name);
	}
	*name = NULL;
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
		    const group *noise, const char **name)
{
	double p = test_groups(v, ref, cur, spread, 1, name);
	const group *s = ref->n >= 3		    ? ref
			 : spread && spread->n >= 3 ? spread
			 : noise && noise->n >= 3   ? noise
						    : NULL;
	if (*name)
		return p;
	if (s) {
		*name = "zscore";
		return robust_z_p(v, s, cur, median_of(ref->loc, ref->n, v->buf2));
	}
	*name = "percent";
	return separated(v, ref, cur) ? NAN : 1;
}

double perfdb_regress__samples_p(const double *a, size_t na, const double *b, size_t nb,
				 double alpha, const char **name)
{
	perfdb_test_result t;
	double ways = 1;
	size_t i;
	/* two-sided, every value of one side below every value of the other:
	 * 2 / C(na + nb, na), the smallest p-value the exact test can give */
	for (i = 1; i <= na && ways < 1e300; i++)
		ways = ways * (double)(nb + i) / (double)i;
	*name = "mannwhitney";
	if (na < 2 || nb < 2)
		return 1;
	if (2 / ways < alpha) {
		if (perfdb_stats_mannwhitney(&t, a, na, b, nb, PERFDB_TWO_SIDED) == 0)
			return t.p_value;
		return 1;
	}
	*name = "ttest";
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
	const char *name;
	double p = test_groups(v, &l, &r, NULL, 0, &name);
	if (!name)
		return 1; /* no test: no evidence of a step */
	return isnan(p) ? 0 : p;
}

/* ---- one series ---------------------------------------------------------------------- */

typedef struct run_ctx {
	perfdb_regress_report *rep;
	const perfdb_regress_options *o;
	size_t range_pos;  /* first position of the range in the id list */
	size_t base_pos;   /* position of the baseline commit, SIZE_MAX if none */
	int base_separate; /* the baseline commit is read apart, before the window */
	int gate;	   /* --commit (or the newest commit alone) */
	sview v;
} run_ctx;

static int bad_direction(perfdb_direction dir, double change)
{
	return dir == PERFDB_HIGHER_IS_BETTER ? change < 0 : change > 0;
}

static int add_finding(run_ctx *c, const perfdb_series *s, perfdb_series_verdict *verdict,
		       size_t point, double before, double after, double p, const char *method,
		       double threshold, perfdb_direction dir, size_t commits_after)
{
	perfdb_regress_report *rep = c->rep;
	perfdb_finding f;
	int64_t cid = c->v.pts[point].commit_id;
	double change = before != 0 ? (after - before) / fabs(before) : 0;
	memset(&f, 0, sizeof(f));
	f.kind =
	    bad_direction(dir, change) ? PERFDB_FINDING_REGRESSION : PERFDB_FINDING_IMPROVEMENT;
	f.benchmark = s->benchmark;
	f.metric = s->metric;
	f.unit = s->unit;
	f.machine = s->machine;
	f.tags = s->tags;
	f.direction = dir;
	{
		const perfdb_commit_info *ci = commit_by_id(rep, cid);
		f.commit = ci ? ci->sha : "";
		f.subject = ci && ci->subject ? ci->subject : "";
	}
	f.commits_after = commits_after;
	f.baseline_value = before;
	f.value = after;
	f.change_pct = 100 * change;
	f.p_value = p;
	f.method = method;
	f.threshold = threshold;
	f.status = "open";
	/* alert ids and status are filled after all series, in one transaction;
	 * stash the ids needed in the otherwise unused alert_id (series index). */
	f.alert_id = (int64_t)(s - perfdb_series_set_get(rep->set, 0));
	if (f.kind == PERFDB_FINDING_REGRESSION)
		verdict->regressions++;
	else
		verdict->improvements++;
	return push_finding(&rep->found[f.kind], &f);
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
static int analyse_range(run_ctx *c, const perfdb_series *s, perfdb_series_verdict *verdict,
			 size_t r, double thr, perfdb_direction dir)
{
	sview *v = &c->v;
	perfdb_changepoint_options co = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	perfdb_change_point *cps = NULL;
	size_t ncp = 0, *cut = NULL, ncut = 0, i, n = v->n;
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
		co.max_p_value = v->alpha;
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
				const char *name;
				double lb = median_of(l.loc, l.n, v->buf2);
				double la = median_of(h.loc, h.n, v->buf2);
				/* noise for a short level: the commits before */
				group w = span(v, 0, b);
				double p = judge(v, &l, &h, NULL, &w, &name);
				double ch = lb != 0 ? (la - lb) / fabs(lb) : 0;
				if (significant(p, v->alpha) && fabs(ch) * 100 >= thr)
					cut[ncut++] = b;
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
			const char *name;
			double lvl = median_of(cur.loc, cur.n, v->buf2);
			double p = judge(v, base_group ? base_group : &w, &cur, &w, NULL, &name);
			if (significant(p, v->alpha) && fabs(lvl - ref) / fabs(ref) * 100 >= thr)
				return add_finding(c, s, verdict, k, ref, lvl, p, name, thr, dir,
						   n - k);
		}
		return 0;
	}

	for (i = 0; i < ncut; i++) {
		size_t a = i ? cut[i - 1] : 0, b = cut[i], e = i + 1 < ncut ? cut[i + 1] : n;
		group before = span(v, a, b), after = span(v, b, e);
		double lb, la, p, step;
		const char *name;
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
		if (!significant(p, v->alpha) || fabs(step) * 100 < thr)
			continue;
		if ((err = add_finding(c, s, verdict, b, lb, la, p, name, thr, dir, n - b)) < 0) {
			free(cut);
			return err;
		}
	}
	free(cut);
	return 0;
}

/* The gate: the newest commit of the view against the baseline. */
static int analyse_gate(run_ctx *c, const perfdb_series *s, perfdb_series_verdict *verdict,
			size_t r, double thr, perfdb_direction dir)
{
	sview *v = &c->v;
	group cur = span(v, v->n - 1, v->n), w = span(v, 0, r), bg;
	const group *ref;
	double lb, la, p;
	const char *name;
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
	return add_finding(c, s, verdict, v->n - 1, lb, la, p, name, thr, dir, 1);
}

static int grow_view(sview *v, size_t need)
{
	if (need > v->bufcap) {
		double *a = realloc(v->buf, need * sizeof(*a));
		double *b;
		if (!a)
			return perfdb_error__oom();
		v->buf = a;
		b = realloc(v->buf2, need * sizeof(*b));
		if (!b)
			return perfdb_error__oom();
		v->buf2 = b;
		v->bufcap = need;
	}
	return 0;
}

static int analyse_series(run_ctx *c, const perfdb_series *s)
{
	perfdb_regress_report *rep = c->rep;
	perfdb_benchmark_config bc;
	perfdb_series_verdict *verdict;
	sview *v = &c->v;
	size_t i, r, total = 0, nloc = 0;
	double thr = c->o->threshold;
	perfdb_direction dir = s->direction;
	perfdb_series_point *pts = s->points;
	size_t n = s->npoints;
	int err;

	perfdb_config_match(c->o->config, s->benchmark, s->metric, &bc);
	if (bc.ignore)
		return 0;
	if (!isnan(bc.threshold))
		thr = bc.threshold;
	if (bc.direction != PERFDB_DIRECTION_UNSET)
		dir = bc.direction;
	v->method = bc.has_method ? bc.method : c->o->method;
	v->thr = thr;

	/* the baseline commit's point, when it is not part of window + range */
	v->base = NULL;
	if (c->base_pos != SIZE_MAX) {
		for (i = 0; i < n && pts[i].pos <= c->base_pos; i++)
			if (pts[i].pos == c->base_pos)
				v->base = &pts[i];
		if (v->base && c->base_separate) {
			pts++; /* it is the first point, before the window */
			n--;
		}
	}
	for (r = 0; r < n && pts[r].pos < c->range_pos; r++)
		;
	if (r == n)
		return 0; /* no data in the range: not checked */
	for (i = 0; i < s->npoints; i++)
		total += s->points[i].nsamples > 0 ? s->points[i].nsamples : s->points[i].nruns + 1;
	if ((err = grow_view(v, total + s->npoints + 8)) < 0)
		return err;
	free(v->loc);
	if (!(v->loc = malloc((n ? n : 1) * sizeof(*v->loc))))
		return perfdb_error__oom();
	for (i = 0; i < n; i++)
		v->loc[nloc++] = point_location(&pts[i], v->buf);
	v->pts = pts;
	v->n = n;
	if (v->base)
		v->base_loc = point_location(v->base, v->buf);

	if (rep->nverdicts == rep->capverdicts) {
		size_t ncap = rep->capverdicts ? rep->capverdicts * 2 : 64;
		perfdb_series_verdict *nv = realloc(rep->verdicts, ncap * sizeof(*nv));
		if (!nv)
			return perfdb_error__oom();
		rep->verdicts = nv;
		rep->capverdicts = ncap;
	}
	verdict = &rep->verdicts[rep->nverdicts++];
	memset(verdict, 0, sizeof(*verdict));
	verdict->benchmark = s->benchmark;
	verdict->metric = s->metric;
	verdict->unit = s->unit;
	verdict->machine = s->machine;
	verdict->tags = s->tags;
	verdict->points = s->npoints;
	verdict->value = v->loc[n - 1];
	verdict->baseline_value = v->base ? v->base_loc : (r ? median_of(v->loc, r, v->buf2) : NAN);
	if (c->gate)
		return analyse_gate(c, s, verdict, r, thr, dir);
	return analyse_range(c, s, verdict, r, thr, dir);
}

/* ---- the run ------------------------------------------------------------------------------ */

static size_t position_of(const size_t *order, size_t n, const perfdb_commit_list *commits,
			  int64_t id)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (commits->items[order[i]].id == id)
			return i;
	return SIZE_MAX;
}

static int fill_alerts(perfdb_regress_report *rep, perfdb_store *store, int record)
{
	size_t total = rep->found[0].count + rep->found[1].count, k, i, j = 0;
	perfdb_alert_input *in;
	int err = 0;
	if (!total)
		return 0;
	in = calloc(total, sizeof(*in));
	rep->states = calloc(total, sizeof(*rep->states));
	if (!in || !rep->states) {
		free(in);
		return perfdb_error__oom();
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < rep->found[k].count; i++) {
			perfdb_finding *f = &rep->found[k].items[i];
			const perfdb_series *s =
			    perfdb_series_set_get(rep->set, (size_t)f->alert_id);
			int64_t cid = 0;
			size_t c;
			for (c = 0; c < rep->commits->count; c++)
				if (rep->commits->items[c].sha == f->commit) {
					cid = rep->commits->items[c].id;
					break;
				}
			in[j].benchmark_id = s->benchmark_id;
			in[j].machine_id = s->machine_id;
			in[j].commit_id = cid;
			in[j].tags = s->tags;
			in[j].improvement = (int)k;
			in[j].baseline_value = f->baseline_value;
			in[j].value = f->value;
			in[j].change_pct = f->change_pct;
			in[j].p_value = f->p_value;
			in[j].method = f->method;
			j++;
		}
	if (record) {
		err = perfdb_store_alerts_record(store, in, total, rep->states);
	} else {
		for (j = 0; j < total && err == 0; j++)
			err = perfdb_store_alert_lookup(store, &in[j], &rep->states[j]);
	}
	free(in);
	if (err < 0)
		return err;
	j = 0;
	for (k = 0; k < 2; k++)
		for (i = 0; i < rep->found[k].count; i++, j++) {
			perfdb_finding *f = &rep->found[k].items[i];
			f->alert_id = rep->states[j].id;
			f->status = rep->states[j].status;
		}
	/* acknowledged regressions no longer fail; the verdicts say so */
	for (i = 0; i < rep->found[0].count; i++) {
		perfdb_finding *f = &rep->found[0].items[i];
		size_t vi;
		if (strcmp(f->status, "open") == 0)
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
	return 0;
}

int perfdb_regress_run(perfdb_regress_report **out, perfdb_store *store,
		       const perfdb_regress_options *opts)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	run_ctx c;
	size_t *order = NULL, norder = 0, i, first, last, wstart, nids = 0;
	int64_t *ids = NULL, since_id = 0, until_id = 0, commit_id = 0, base_id = 0;
	size_t since_pos = SIZE_MAX, until_pos, commit_pos = SIZE_MAX, base_order_pos = SIZE_MAX;
	const char *tip = NULL, *how;
	int err, have_base = 0;

	*out = NULL;
	if (opts)
		o = *opts;
	if (!(o.threshold >= 0) || !(o.confidence > 0 && o.confidence < 1))
		return perfdb_error__set(PERFDB_EINVAL,
					 "threshold must be >= 0 and confidence in (0, 1)");
	if (o.commit && o.since)
		return perfdb_error__set(PERFDB_EINVAL, "--commit and --since exclude each other");
	if (!(rep = calloc(1, sizeof(*rep))))
		return perfdb_error__oom();
	memset(&c, 0, sizeof(c));
	c.rep = rep;
	c.o = &o;

	if ((err = perfdb_store_commits(&rep->commits, store)) < 0)
		goto done;
	rep->ncommit_ids = rep->commits->count;
	if (!(rep->by_id =
		  malloc((rep->ncommit_ids ? rep->ncommit_ids : 1) * sizeof(*rep->by_id)))) {
		err = perfdb_error__oom();
		goto done;
	}
	for (i = 0; i < rep->ncommit_ids; i++) {
		rep->by_id[i].id = rep->commits->items[i].id;
		rep->by_id[i].idx = i;
	}
	qsort(rep->by_id, rep->ncommit_ids, sizeof(*rep->by_id), cmp_by_id);

	/* resolve the revisions; --until and --since need not be recorded
	 * when git knows them (see git_since) */
	if (o.until && (err = perfdb_regress__resolve(store, o.repo_dir, o.until, &until_id)) < 0) {
		if (err != PERFDB_ENOTFOUND || !o.use_git ||
		    perfdb_git_resolve(&rep->until_sha, o.repo_dir, o.until) != 0) {
			err = perfdb_error__set(PERFDB_ENOTFOUND,
						"no results recorded for revision '%s'", o.until);
			goto done;
		}
		perfdb_error_clear();
		err = 0;
	}
	if (o.commit &&
	    (err = perfdb_regress__resolve(store, o.repo_dir, o.commit, &commit_id)) < 0)
		goto done;
	if (o.since && (err = perfdb_regress__resolve(store, o.repo_dir, o.since, &since_id)) < 0) {
		if (err != PERFDB_ENOTFOUND || !o.use_git)
			goto done;
		perfdb_error_clear();
		err = 0;
		since_id = 0; /* placed by git below */
	}
	if (o.baseline) {
		err = perfdb_store_baseline_get(store, o.baseline, &rep->baseline);
		if (err == 0) {
			base_id = rep->baseline.commit_id;
			rep->scope.baseline_kind = "named";
			rep->scope.baseline_name = rep->baseline.name;
		} else if (err == PERFDB_ENOTFOUND) {
			if ((err = perfdb_regress__resolve(store, o.repo_dir, o.baseline,
							   &base_id)) < 0) {
				perfdb_error__set(PERFDB_ENOTFOUND,
						  "'%s' is neither a baseline nor a revision with "
						  "recorded results",
						  o.baseline);
				goto done;
			}
			rep->scope.baseline_kind = "commit";
		} else {
			goto done;
		}
		have_base = 1;
		rep->scope.baseline_commit = sha_of(rep, base_id);
	} else {
		rep->scope.baseline_kind = "window";
	}

	/* order, from the newest commit of interest */
	if (o.commit)
		tip = sha_of(rep, commit_id);
	else if (o.until)
		tip = rep->until_sha ? rep->until_sha : sha_of(rep, until_id);
	if ((err = perfdb_regress__order(&order, &norder, &how, rep->commits, o.repo_dir, tip,
					 o.use_git)) < 0)
		goto done;
	rep->scope.order = how;
	if (rep->until_sha && strcmp(how, "git") != 0) {
		err = perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for revision '%s'",
					o.until);
		goto done;
	}
	if (norder == 0)
		goto done; /* an empty history: nothing to check */

	until_pos = norder - 1;
	if (o.until && !rep->until_sha &&
	    (until_pos = position_of(order, norder, rep->commits, until_id)) == SIZE_MAX) {
		err = perfdb_error__set(PERFDB_ENOTFOUND,
					"'%s' is not in the history being checked", o.until);
		goto done;
	}
	if (o.commit) {
		commit_pos = position_of(order, norder, rep->commits, commit_id);
		if (commit_pos == SIZE_MAX) {
			err = perfdb_error__set(
			    PERFDB_ENOTFOUND, "'%s' is not in the history being checked", o.commit);
			goto done;
		}
		first = last = commit_pos;
		c.gate = have_base; /* see below */
	} else if (o.since) {
		since_pos =
		    since_id ? position_of(order, norder, rep->commits, since_id) : SIZE_MAX;
		if (since_pos != SIZE_MAX && since_pos <= until_pos) {
			first = since_pos + 1;
			rep->scope.since = sha_of(rep, since_id);
		} else if (strcmp(how, "git") == 0 && o.use_git) {
			/* not benchmarked, or not on this branch: after the fork point */
			if ((err = git_since(&first, &rep->since_sha, rep->commits, order, norder,
					     o.repo_dir ? o.repo_dir : ".", o.since, tip)) < 0)
				goto done;
			rep->scope.since = rep->since_sha;
		} else {
			err = perfdb_error__set(
			    PERFDB_ENOTFOUND,
			    since_id ? "'%s' is not an ancestor of the range's end in the "
				       "history being checked"
				     : "no results recorded for revision '%s'",
			    o.since);
			goto done;
		}
		last = until_pos;
	} else {
		/* no range: the newest commit. Against a baseline that is the
		 * gate (that commit against that level); against the window it
		 * is a range of one commit: a step that began inside the window
		 * is that earlier commit's doing, reported the day it landed, and
		 * must not fail every later commit until the window forgets it. */
		first = last = until_pos;
		c.gate = have_base;
	}
	rep->scope.until = rep->commits->items[order[last]].sha;
	wstart = first > o.window ? first - o.window : 0;
	rep->scope.window = first - wstart;
	if (have_base)
		base_order_pos = position_of(order, norder, rep->commits, base_id);

	/* the commit ids to read: [baseline] window range */
	if (!(ids = malloc((last - wstart + 2) * sizeof(*ids)))) {
		err = perfdb_error__oom();
		goto done;
	}
	c.base_pos = SIZE_MAX;
	if (have_base && !(base_order_pos >= wstart && base_order_pos <= last)) {
		ids[nids++] = base_id;
		c.base_pos = 0;
		c.base_separate = 1;
	}
	if (first > last) {
		/* --since the newest commit: an empty range */
		goto done;
	}
	for (i = wstart; i <= last; i++) {
		if (have_base && i == base_order_pos)
			c.base_pos = nids;
		ids[nids++] = rep->commits->items[order[i]].id;
	}
	c.range_pos = nids - (last - first + 1);
	if (c.base_pos != SIZE_MAX && c.base_pos != 0 && c.base_pos >= c.range_pos)
		c.base_pos = SIZE_MAX; /* a baseline inside the range is no baseline */

	q.commit_ids = ids;
	q.ncommits = nids;
	q.machine = o.machine;
	q.benchmark_glob = o.benchmark_glob;
	q.with_samples =
	    (o.method != PERFDB_METHOD_CHANGEPOINT && o.method != PERFDB_METHOD_ZSCORE) ||
	    perfdb_config__sets_method(o.config);
	if ((err = perfdb_store_read_series(&rep->set, store, &q)) < 0)
		goto done;

	c.v.alpha = 1 - o.confidence;
	for (i = 0; i < perfdb_series_set_count(rep->set); i++)
		if ((err = analyse_series(&c, perfdb_series_set_get(rep->set, i))) < 0)
			goto done;
	err = fill_alerts(rep, store, o.record_alerts);
done:
	free(c.v.loc);
	free(c.v.buf);
	free(c.v.buf2);
	free(order);
	free(ids);
	if (err < 0) {
		perfdb_regress_report_free(rep);
		return err;
	}
	*out = rep;
	return 0;
}
