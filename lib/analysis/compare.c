/* compare.c - two revisions side by side (see perfdb/regress.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_internal.h"
#include "perfdb/config.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "util/error.h"

struct perfdb_comparison {
	perfdb_comparison_row *rows;
	size_t count;
	perfdb_series_set *set;
	char *sha[2];
};

/* A point's observations: its samples, or, when its runs stored none, the
 * runs' values (a run's single value is its one sample; see regress.c). */
static const double *observations(const perfdb_series_point *p, size_t *n)
{
	if (p->nsamples) {
		*n = p->nsamples;
		return p->samples;
	}
	*n = p->run_values ? p->nruns : 0;
	return p->run_values;
}

static double level(const perfdb_series_point *p, double *scratch)
{
	size_t n;
	const double *x = observations(p, &n);
	if (!p->nsamples && n < 2)
		return p->value;
	memcpy(scratch, x, n * sizeof(*scratch));
	return perfdb_stats_median_inplace(scratch, n);
}

void perfdb_comparison_free(perfdb_comparison *c)
{
	if (!c)
		return;
	free(c->rows);
	perfdb_series_set_free(c->set);
	free(c->sha[0]);
	free(c->sha[1]);
	free(c);
}

size_t perfdb_comparison_count(const perfdb_comparison *c)
{
	return c ? c->count : 0;
}

const perfdb_comparison_row *perfdb_comparison_get(const perfdb_comparison *c, size_t i)
{
	return c && i < c->count ? &c->rows[i] : NULL;
}

const char *perfdb_comparison_sha(const perfdb_comparison *c, int which)
{
	return c ? c->sha[which ? 1 : 0] : NULL;
}

/* The window's spread for series without samples: how far apart two
 * commits of this series usually are. */
static double window_p(const perfdb_series *s, size_t ia, double la, double lb, double *scratch)
{
	size_t n = 0, i;
	double med, sigma, z;
	for (i = 0; i < s->npoints; i++)
		if (s->points[i].pos < s->points[ia].pos)
			scratch[n++] = level(&s->points[i], scratch + s->npoints);
	if (n < 3)
		return NAN;
	med = perfdb_stats_median_inplace(scratch, n);
	(void)med;
	sigma = 1.4826 * perfdb_stats_mad_inplace(scratch, n);
	if (!(sigma > 0))
		return la == lb ? 1 : 0;
	z = (lb - la) / (sigma * sqrt(2.0));
	return 2 * perfdb_stats_normal_cdf(-fabs(z));
}

int perfdb_compare_run(perfdb_comparison **out, perfdb_store *store, const char *a, const char *b,
		       const perfdb_regress_options *opts)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	perfdb_comparison *c;
	perfdb_commit_list *commits = NULL;
	size_t *order = NULL, norder = 0, i, pa = SIZE_MAX, start, nids = 0;
	int64_t ida, idb, *ids = NULL;
	const char *how;
	double *scratch = NULL;
	size_t cap = 0;
	int err;

	*out = NULL;
	if (opts)
		o = *opts;
	if (!(c = calloc(1, sizeof(*c))))
		return perfdb_error__oom();
	if ((err = perfdb_commit_resolve(&ida, &c->sha[0], store, o.repo_dir, a)) < 0 ||
	    (err = perfdb_commit_resolve(&idb, &c->sha[1], store, o.repo_dir, b)) < 0 ||
	    (err = perfdb_store_commits(&commits, store)) < 0 ||
	    (err = perfdb_regress__order(&order, &norder, &how, commits, o.repo_dir, c->sha[1],
					 o.use_git)) < 0)
		goto done;
	for (i = 0; i < norder; i++) {
		if (commits->items[order[i]].id == ida)
			pa = i;
	}
	/* read a's window (for the spread), a and b */
	if (!(ids = malloc((o.window + 3) * sizeof(*ids)))) {
		err = perfdb_error__oom();
		goto done;
	}
	if (pa != SIZE_MAX) {
		start = pa > o.window ? pa - o.window : 0;
		for (i = start; i < pa; i++)
			ids[nids++] = commits->items[order[i]].id;
	}
	ids[nids++] = ida;
	if (idb != ida)
		ids[nids++] = idb;
	q.commit_ids = ids;
	q.ncommits = nids;
	q.machine = o.machine;
	q.benchmark_glob = o.benchmark_glob;
	if ((err = perfdb_store_read_series(&c->set, store, &q)) < 0)
		goto done;
	if (!(c->rows = calloc(perfdb_series_set_count(c->set) + 1, sizeof(*c->rows)))) {
		err = perfdb_error__oom();
		goto done;
	}
	for (i = 0; i < perfdb_series_set_count(c->set); i++) {
		const perfdb_series *s = perfdb_series_set_get(c->set, i);
		perfdb_comparison_row *r = &c->rows[c->count];
		const perfdb_series_point *xa = NULL, *xb = NULL;
		perfdb_benchmark_config bc;
		double thr = o.threshold;
		size_t k, ia = 0, need = 2 * s->npoints + 8, na, nb;
		perfdb_config_match(o.config, s->benchmark, s->metric, &bc);
		if (bc.ignore)
			continue;
		if (!isnan(bc.threshold))
			thr = bc.threshold;
		for (k = 0; k < s->npoints; k++) {
			need += s->points[k].nsamples + s->points[k].nruns;
			if (s->points[k].commit_id == ida) {
				xa = &s->points[k];
				ia = k;
			}
			if (s->points[k].commit_id == idb)
				xb = &s->points[k];
		}
		if (!xa && !xb)
			continue;
		if (need > cap) {
			double *ns = realloc(scratch, need * sizeof(*ns));
			if (!ns) {
				err = perfdb_error__oom();
				goto done;
			}
			scratch = ns;
			cap = need;
		}
		c->count++;
		r->benchmark = s->benchmark;
		r->metric = s->metric;
		r->unit = s->unit;
		r->machine = s->machine;
		r->tags = s->tags;
		r->direction = bc.direction != PERFDB_DIRECTION_UNSET ? bc.direction : s->direction;
		r->value_a = xa ? level(xa, scratch) : NAN;
		r->value_b = xb ? level(xb, scratch) : NAN;
		r->samples_a = xa ? xa->nsamples : 0;
		r->samples_b = xb ? xb->nsamples : 0;
		r->p_value = NAN;
		r->method = "none";
		r->change_pct = NAN;
		if (!xa || !xb) {
			r->verdict = xa ? "only_a" : "only_b";
			continue;
		}
		if (r->value_a != 0)
			r->change_pct = 100 * (r->value_b - r->value_a) / fabs(r->value_a);
		observations(xa, &na);
		observations(xb, &nb);
		if (na >= 2 && nb >= 2) {
			r->p_value = perfdb_regress__samples_p(observations(xa, &na), na,
							       observations(xb, &nb), nb,
							       1 - o.confidence, &r->method);
		} else {
			r->p_value = window_p(s, ia, r->value_a, r->value_b, scratch);
			if (!isnan(r->p_value))
				r->method = "zscore";
		}
		r->verdict = "same";
		if (!isnan(r->change_pct) && fabs(r->change_pct) >= thr && !isnan(r->p_value) &&
		    r->p_value < 1 - o.confidence) {
			int worse = r->direction == PERFDB_HIGHER_IS_BETTER ? r->change_pct < 0
									    : r->change_pct > 0;
			r->verdict = worse ? "regression" : "improvement";
		}
	}
	*out = c;
	c = NULL;
done:
	free(scratch);
	free(ids);
	free(order);
	perfdb_commit_list_free(commits);
	perfdb_comparison_free(c);
	return err;
}
