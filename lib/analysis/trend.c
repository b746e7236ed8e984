/*
 * trend.c - the recent history of every series with its steps.
 *
 * The commits are the scope's last N (analysis/scope.c) and the steps are
 * regress's (perfdb_regress__steps) over those commits, the oldest the
 * reference: the steps trend marks are the findings of
 * `regress --since <the oldest commit shown> --window 1`, no more, no fewer.
 * With opts->since the commits are regress's range itself (the commits
 * after since, since the reference), the same question asked as a chart.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_internal.h"
#include "analysis/scope.h"
#include "perfdb/changepoint.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "util/error.h"

typedef struct trend_item {
	perfdb_trend_series pub;
	double *levels, *lo, *hi;
	const char **commits;
	size_t *positions, *nobs;
	perfdb_change_point *steps;
} trend_item;

struct perfdb_trend {
	trend_item *items;
	size_t count;
	perfdb_scope *sc;
};

size_t perfdb_trend_count(const perfdb_trend *t)
{
	return t ? t->count : 0;
}

const perfdb_trend_series *perfdb_trend_get(const perfdb_trend *t, size_t i)
{
	return t && i < t->count ? &t->items[i].pub : NULL;
}

void perfdb_trend_free(perfdb_trend *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < t->count; i++) {
		free(t->items[i].levels);
		free(t->items[i].lo);
		free(t->items[i].hi);
		free(t->items[i].nobs);
		free((void *)t->items[i].commits);
		free(t->items[i].positions);
		free(t->items[i].steps);
	}
	free(t->items);
	perfdb_scope__free(t->sc);
	free(t);
}

/* One series: its levels, commits, axis positions and steps. */
static int trend_series(trend_item *it, const perfdb_scope *sc, const perfdb_series *s,
			const perfdb_scope_series *cfg, double alpha)
{
	perfdb_trend_series *p = &it->pub;
	perfdb_regress_step *steps = NULL;
	size_t k, r, nsteps = 0, maxobs = 1, first_end;
	double *scratch;
	int err;

	for (k = 0; k < s->npoints; k++) {
		size_t m;
		perfdb_scope__observations(&s->points[k], &m);
		maxobs = m > maxobs ? m : maxobs;
	}
	it->levels = malloc(s->npoints * sizeof(*it->levels));
	it->commits = malloc(s->npoints * sizeof(*it->commits));
	it->positions = malloc(s->npoints * sizeof(*it->positions));
	it->lo = malloc(s->npoints * sizeof(*it->lo));
	it->hi = malloc(s->npoints * sizeof(*it->hi));
	it->nobs = malloc(s->npoints * sizeof(*it->nobs));
	scratch = malloc((maxobs + s->npoints) * sizeof(*scratch));
	if (!it->levels || !it->commits || !it->positions || !it->lo || !it->hi || !it->nobs ||
	    !scratch) {
		free(scratch);
		return perfdb_error__oom();
	}
	for (k = 0; k < s->npoints; k++) {
		const perfdb_series_point *pt = &s->points[k];
		const double *obs;
		size_t m;
		it->levels[k] = perfdb_scope__level(pt);
		it->commits[k] = sc->commits->items[sc->order[sc->start + pt->pos]].sha;
		it->positions[k] = pt->pos;
		obs = perfdb_scope__observations(pt, &m);
		it->nobs[k] = m;
		it->lo[k] = it->hi[k] = it->levels[k];
		if (m >= 2) {
			memcpy(scratch, obs, m * sizeof(*scratch));
			perfdb_stats_sort(scratch, m);
			it->lo[k] = perfdb_stats_quantile_sorted(scratch, m, 0.25);
			it->hi[k] = perfdb_stats_quantile_sorted(scratch, m, 0.75);
		}
	}
	for (r = 0; r < s->npoints && s->points[r].pos < sc->range_pos; r++)
		;
	if ((err = perfdb_regress__steps(&steps, &nsteps, s->points, s->npoints, r, NULL, 0, cfg,
					 alpha)) < 0) {
		free(scratch);
		return err;
	}
	if (nsteps && !(it->steps = calloc(nsteps, sizeof(*it->steps)))) {
		free(steps);
		free(scratch);
		return perfdb_error__oom();
	}
	for (k = 0; k < nsteps; k++) {
		it->steps[k].index = steps[k].point;
		it->steps[k].level_before = steps[k].before;
		it->steps[k].level_after = steps[k].after;
		it->steps[k].change = steps[k].change;
		it->steps[k].p_value = steps[k].p_value;
	}
	free(steps);
	p->benchmark = s->benchmark;
	p->metric = s->metric;
	p->unit = s->unit;
	p->machine = s->machine;
	p->tags = s->tags;
	p->direction = cfg->direction;
	p->n = s->npoints;
	p->levels = it->levels;
	p->commits = it->commits;
	p->positions = it->positions;
	p->lo = it->lo;
	p->hi = it->hi;
	p->nobs = it->nobs;
	p->axis = sc->nids;
	p->steps = it->steps;
	p->nsteps = nsteps;
	first_end = nsteps ? it->steps[0].index : s->npoints;
	if (!first_end)
		first_end = 1;
	memcpy(scratch, it->levels, first_end * sizeof(*scratch));
	p->baseline = perfdb_stats_median_inplace(scratch, first_end);
	p->latest = it->levels[s->npoints - 1];
	p->change_pct =
	    p->baseline != 0 ? 100 * (p->latest - p->baseline) / fabs(p->baseline) : NAN;
	free(scratch);
	return 0;
}

int perfdb_trend_run(perfdb_trend **out, perfdb_store *store, size_t last,
		     const perfdb_regress_options *opts)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_trend *t;
	size_t i;
	int err;

	*out = NULL;
	if (opts)
		o = *opts;
	if ((err = perfdb_scope__check(&o)) < 0)
		return err;
	if (!last)
		last = 30;
	if (!(t = calloc(1, sizeof(*t))))
		return perfdb_error__oom();
	if (o.since) {
		/* regress --since REV --window 1: REV (or the last measured commit
		 * before the range) alone before the range, the reference */
		o.window = 1;
		o.baseline = NULL;
		o.commit = NULL;
	}
	if ((err = perfdb_scope__open(&t->sc, store)) < 0 ||
	    (err = o.since ? perfdb_scope__range(t->sc, store, &o)
			   : perfdb_scope__last(t->sc, store, &o, last)) < 0 ||
	    (err = perfdb_scope__read(t->sc, store, &o, PERFDB_SCOPE_SAMPLES)) < 0)
		goto done;
	if (!(t->items = calloc(perfdb_series_set_count(t->sc->set) + 1, sizeof(*t->items)))) {
		err = perfdb_error__oom();
		goto done;
	}
	for (i = 0; i < perfdb_series_set_count(t->sc->set); i++) {
		const perfdb_series *s = perfdb_series_set_get(t->sc->set, i);
		perfdb_scope_series cfg;
		perfdb_scope__series_config(&cfg, &o, s);
		if (cfg.ignore || !s->npoints)
			continue;
		/* counted first: a half-built item is freed with the others */
		if ((err = trend_series(&t->items[t->count++], t->sc, s, &cfg, 1 - o.confidence)) <
		    0)
			goto done;
	}
	*out = t;
	t = NULL;
done:
	perfdb_trend_free(t);
	return err;
}
