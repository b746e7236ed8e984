/* trend.c - the recent history of every series with its steps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_internal.h"
#include "perfdb/changepoint.h"
#include "perfdb/config.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "util/error.h"

typedef struct trend_item {
	perfdb_trend_series pub;
	double *levels;
	const char **commits;
	size_t *positions;
	perfdb_change_point *steps;
} trend_item;

struct perfdb_trend {
	trend_item *items;
	size_t count;
	perfdb_series_set *set;
	perfdb_commit_list *commits;
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
		free((void *)t->items[i].commits);
		free(t->items[i].positions);
		free(t->items[i].steps);
	}
	free(t->items);
	perfdb_series_set_free(t->set);
	perfdb_commit_list_free(t->commits);
	free(t);
}

int perfdb_trend_run(perfdb_trend **out, perfdb_store *store, size_t last,
		     const perfdb_regress_options *opts)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	perfdb_trend *t;
	size_t *order = NULL, norder = 0, i, start, nids = 0;
	int64_t *ids = NULL;
	const char *how;
	double *scratch = NULL;
	size_t cap = 0;
	int err;

	*out = NULL;
	if (opts)
		o = *opts;
	if (!last)
		last = 30;
	if (!(t = calloc(1, sizeof(*t))))
		return perfdb_error__oom();
	if ((err = perfdb_store_commits(&t->commits, store)) < 0 ||
	    (err = perfdb_regress__order(&order, &norder, &how, t->commits, o.repo_dir, o.until,
					 o.use_git)) < 0)
		goto done;
	start = norder > last ? norder - last : 0;
	if (!(ids = malloc((norder - start + 1) * sizeof(*ids)))) {
		err = perfdb_error__oom();
		goto done;
	}
	for (i = start; i < norder; i++)
		ids[nids++] = t->commits->items[order[i]].id;
	if (!nids)
		goto done;
	q.commit_ids = ids;
	q.ncommits = nids;
	q.machine = o.machine;
	q.benchmark_glob = o.benchmark_glob;
	if ((err = perfdb_store_read_series(&t->set, store, &q)) < 0)
		goto done;
	if (!(t->items = calloc(perfdb_series_set_count(t->set) + 1, sizeof(*t->items)))) {
		err = perfdb_error__oom();
		goto done;
	}
	for (i = 0; i < perfdb_series_set_count(t->set); i++) {
		const perfdb_series *s = perfdb_series_set_get(t->set, i);
		trend_item *it = &t->items[t->count];
		perfdb_trend_series *p = &it->pub;
		perfdb_changepoint_options co = PERFDB_CHANGEPOINT_OPTIONS_INIT;
		perfdb_benchmark_config bc;
		size_t k, need = 8 + s->npoints, first_end; /* samples, then the levels */
		perfdb_config_match(o.config, s->benchmark, s->metric, &bc);
		if (bc.ignore || !s->npoints)
			continue;
		for (k = 0; k < s->npoints; k++)
			need += s->points[k].nsamples;
		if (need > cap) {
			double *ns = realloc(scratch, need * sizeof(*ns));
			if (!ns) {
				err = perfdb_error__oom();
				goto done;
			}
			scratch = ns;
			cap = need;
		}
		it->levels = malloc(s->npoints * sizeof(*it->levels));
		it->commits = malloc(s->npoints * sizeof(*it->commits));
		it->positions = malloc(s->npoints * sizeof(*it->positions));
		if (!it->levels || !it->commits || !it->positions) {
			free(it->levels);
			free((void *)it->commits);
			free(it->positions);
			err = perfdb_error__oom();
			goto done;
		}
		t->count++;
		for (k = 0; k < s->npoints; k++) {
			const perfdb_series_point *pt = &s->points[k];
			if (pt->nsamples) {
				memcpy(scratch, pt->samples, pt->nsamples * sizeof(*scratch));
				it->levels[k] = perfdb_stats_median_inplace(scratch, pt->nsamples);
			} else {
				it->levels[k] = pt->value;
			}
			it->commits[k] = t->commits->items[order[start + pt->pos]].sha;
			it->positions[k] = pt->pos;
		}
		co.max_p_value = 1 - o.confidence;
		co.min_magnitude = (isnan(bc.threshold) ? o.threshold : bc.threshold) / 100;
		if ((err = perfdb_changepoints_detect(&it->steps, &p->nsteps, it->levels,
						      s->npoints, &co)) < 0)
			goto done;
		p->benchmark = s->benchmark;
		p->metric = s->metric;
		p->unit = s->unit;
		p->machine = s->machine;
		p->tags = s->tags;
		p->direction = bc.direction != PERFDB_DIRECTION_UNSET ? bc.direction : s->direction;
		p->n = s->npoints;
		p->levels = it->levels;
		p->commits = it->commits;
		p->positions = it->positions;
		p->axis = nids;
		p->steps = it->steps;
		first_end = p->nsteps ? it->steps[0].index : s->npoints;
		memcpy(scratch, it->levels, first_end * sizeof(*scratch));
		p->baseline = perfdb_stats_median_inplace(scratch, first_end);
		p->latest = it->levels[s->npoints - 1];
		p->change_pct =
		    p->baseline != 0 ? 100 * (p->latest - p->baseline) / fabs(p->baseline) : NAN;
	}
	*out = t;
	t = NULL;
done:
	free(scratch);
	free(ids);
	free(order);
	perfdb_trend_free(t);
	return err;
}
