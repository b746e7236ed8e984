/* compare.c - two revisions side by side (see perfdb/regress.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_internal.h"
#include "analysis/scope.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "util/error.h"

struct perfdb_comparison {
	perfdb_comparison_row *rows;
	size_t count;
	perfdb_scope *sc;
};

void perfdb_comparison_free(perfdb_comparison *c)
{
	if (!c)
		return;
	free(c->rows);
	perfdb_scope__free(c->sc);
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

const char *perfdb_comparison_verdict_name(perfdb_comparison_verdict v)
{
	switch (v) {
	case PERFDB_COMPARISON_SAME: return "same";
	case PERFDB_COMPARISON_REGRESSION: return "regression";
	case PERFDB_COMPARISON_IMPROVEMENT: return "improvement";
	case PERFDB_COMPARISON_ONLY_A: return "only_a";
	case PERFDB_COMPARISON_ONLY_B: return "only_b";
	}
	return "unknown";
}

const char *perfdb_comparison_sha(const perfdb_comparison *c, int which)
{
	if (!c)
		return NULL;
	return which ? c->sc->pub.until : c->sc->pub.since;
}

/* The window's spread for series without samples: how far apart two
 * commits of this series usually are. */
static double window_p(const perfdb_series *s, size_t ia, double la, double lb, double *scratch)
{
	size_t n = 0, i;
	double med, sigma, z;
	for (i = 0; i < s->npoints; i++)
		if (s->points[i].pos < s->points[ia].pos)
			scratch[n++] = perfdb_scope__level(&s->points[i]);
	if (n < 3)
		return NAN;
	med = perfdb_stats_median_inplace(scratch, n);
	(void)med;
	sigma = 1.4826 * perfdb_stats_mad_inplace(scratch, n);
	if (!(sigma > 0))
		return la == lb ? 1 : 0;
	z = (lb - la) / (sigma * sqrt(2.0));
	/* a spread from n commits: Student's t, as regress reads its z-scores */
	return 2 * perfdb_stats_t_cdf(-fabs(z), (double)(n - 1));
}

int perfdb_compare_run(perfdb_comparison **out, perfdb_store *store, const char *a, const char *b,
		       const perfdb_regress_options *opts)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_comparison *c;
	int64_t ida, idb;
	double *scratch = NULL;
	size_t cap = 0, i;
	int err;

	*out = NULL;
	if (opts)
		o = *opts;
	if ((err = perfdb_scope__check(&o)) < 0)
		return err;
	if (!(c = calloc(1, sizeof(*c))))
		return perfdb_error__oom();
	if ((err = perfdb_scope__open(&c->sc, store)) < 0 ||
	    (err = perfdb_scope__pair(c->sc, store, &o, a, b, &ida, &idb)) < 0 ||
	    (err = perfdb_scope__read(c->sc, store, &o, 0)) < 0)
		goto done;
	if (!(c->rows = calloc(perfdb_series_set_count(c->sc->set) + 1, sizeof(*c->rows)))) {
		err = perfdb_error__oom();
		goto done;
	}
	for (i = 0; i < perfdb_series_set_count(c->sc->set); i++) {
		const perfdb_series *s = perfdb_series_set_get(c->sc->set, i);
		perfdb_comparison_row *r = &c->rows[c->count];
		const perfdb_series_point *xa = NULL, *xb = NULL;
		perfdb_scope_series cfg;
		size_t k, ia = 0, need = 2 * s->npoints + 8, na, nb;
		const double *oa, *ob;
		perfdb_scope__series_config(&cfg, &o, s);
		if (cfg.ignore)
			continue;
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
		r->direction = cfg.direction;
		r->value_a = xa ? perfdb_scope__level(xa) : NAN;
		r->value_b = xb ? perfdb_scope__level(xb) : NAN;
		r->samples_a = xa ? xa->nsamples : 0;
		r->samples_b = xb ? xb->nsamples : 0;
		r->p_value = NAN;
		r->method = PERFDB_METHOD_NONE;
		r->change_pct = NAN;
		if (!xa || !xb) {
			r->verdict = xa ? PERFDB_COMPARISON_ONLY_A : PERFDB_COMPARISON_ONLY_B;
			continue;
		}
		if (r->value_a != 0)
			r->change_pct = 100 * (r->value_b - r->value_a) / fabs(r->value_a);
		/* the runs are the independent observations, not the
		 * repetitions of one run (see regress's pool) */
		oa = perfdb_scope__runs(xa, &na);
		ob = perfdb_scope__runs(xb, &nb);
		if (na >= 2 && nb >= 2) {
			r->p_value =
			    perfdb_regress__samples_p(oa, na, ob, nb, 1 - o.confidence, &r->method);
		} else {
			/* one run a side: in a series of repeated commits, the
			 * two levels against its two-level noise (as regress
			 * judges one commit against one); else the window's
			 * spread */
			double tau, tdf;
			perfdb_regress__level_noise(&tau, &tdf, s->points, s->npoints, scratch);
			if (tau > 0)
				r->p_value =
				    2 * perfdb_stats_t_cdf(
					    -fabs(r->value_b - r->value_a) / (tau * M_SQRT2), tdf);
			else
				r->p_value = window_p(s, ia, r->value_a, r->value_b, scratch);
			if (!isnan(r->p_value))
				r->method = PERFDB_METHOD_ZSCORE;
		}
		/* nothing estimates the noise (one run a side, fewer than 3
		 * commits before a): the threshold alone decides, as in regress */
		if (isnan(r->p_value))
			r->method = PERFDB_METHOD_PERCENT;
		r->verdict = PERFDB_COMPARISON_SAME;
		if (!isnan(r->change_pct) && fabs(r->change_pct) >= cfg.threshold &&
		    (isnan(r->p_value) || r->p_value < 1 - o.confidence)) {
			int worse = r->direction == PERFDB_HIGHER_IS_BETTER ? r->change_pct < 0
									    : r->change_pct > 0;
			r->verdict =
			    worse ? PERFDB_COMPARISON_REGRESSION : PERFDB_COMPARISON_IMPROVEMENT;
		}
	}
	*out = c;
	c = NULL;
done:
	free(scratch);
	perfdb_comparison_free(c);
	return err;
}
