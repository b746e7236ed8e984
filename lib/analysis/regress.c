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
 * The steps of one series and the tests behind them are regress_steps.c;
 * the report and its accessors regress_report.c.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/regress_internal.h"
#include "analysis/scope.h"
#include "perfdb/changepoint.h"
#include "perfdb/config.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "util/error.h"
#include "store/history.h"

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

/* ---- one series ---------------------------------------------------------------------- */

static int bad_direction(perfdb_direction dir, double change)
{
	return dir == PERFDB_HIGHER_IS_BETTER ? change < 0 : change > 0;
}

/* Series si judged: its verdict in its slot, its findings into found (a
 * pass's own, see check_series). */
static int analyse_series(perfdb_regress_report *rep, finding_list found[2],
			  const perfdb_regress_options *o, size_t si, const perfdb_series *s)
{
	const perfdb_scope *sc = rep->sc;
	perfdb_scope_series cfg;
	perfdb_series_verdict *verdict;
	perfdb_regress_step *steps = NULL;
	const perfdb_series_point *pts = s->points, *base = NULL;
	size_t i, r, n = s->npoints, nsteps = 0;
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
	/* a slot a series, packed in set order afterwards (verdicts_in_order) */
	rep->verdict_of[si] = si;
	verdict = &rep->verdicts[si];
	memset(verdict, 0, sizeof(*verdict));
	verdict->benchmark = s->benchmark;
	verdict->metric = s->metric;
	verdict->unit = s->unit;
	verdict->machine = s->machine;
	verdict->tags = s->tags;
	verdict->points = s->npoints;
	verdict->value = perfdb_scope__level(&pts[n - 1]);
	verdict->baseline_value = NAN;
	if (base) {
		verdict->baseline_value = perfdb_scope__level(base);
	} else if (r) {
		/* the window's levels: on the stack for a window of the usual size */
		double small[64], *levels = r <= 64 ? small : malloc(r * sizeof(*levels));
		if (!levels)
			return perfdb_error__oom();
		for (i = 0; i < r; i++)
			levels[i] = perfdb_scope__level(&pts[i]);
		verdict->baseline_value = perfdb_stats_median_inplace(levels, r);
		if (levels != small)
			free(levels);
	}
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
		err =
		    perfdb_regress__push_finding(&found[f.kind], &f, si, pts[st->point].commit_id);
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
		if (strcmp(perfdb_series_set__head(set, mid)->benchmark, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- a loaded machine ----------------------------------------------------------------------- */

/* The level of series s at commit position pos, NAN when it has none. */
static double level_at(const perfdb_series *s, size_t pos)
{
	size_t i;
	for (i = 0; i < s->npoints; i++)
		if (s->points[i].pos == pos)
			return perfdb_scope__level(&s->points[i]);
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
		const perfdb_series *real = perfdb_series_set__head(set, fl->series[i]),
				    *cpu = NULL;
		size_t step_pos = SIZE_MAX, nr = 0, need, cj = 0;
		double rnew, cnow, med, mad, cpu_med;
		if (strcmp(f->metric, "real_time") != 0 || f->commits_after != 1)
			continue;
		/* the set is sorted by benchmark: only real's name's series */
		for (j = first_named(set, real->benchmark); j < nset && !cpu; j++) {
			const perfdb_series *c = perfdb_series_set__head(set, j);
			if (strcmp(c->benchmark, real->benchmark) != 0)
				break;
			if (strcmp(c->metric, "cpu_time") == 0 &&
			    strcmp(c->machine, real->machine) == 0 &&
			    strcmp(perfdb_tags_json(c->tags), perfdb_tags_json(real->tags)) == 0)
				cpu = c, cj = j;
		}
		if (!cpu)
			continue;
		/* (their points made now in a set read lazily) */
		if ((err = perfdb_series_set__load(&real, set, fl->series[i])) < 0 ||
		    (err = perfdb_series_set__load(&cpu, set, cj)) < 0)
			break;
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
		rnew = level_at(real, step_pos) / level_at(cpu, step_pos);
		cnow = level_at(cpu, step_pos);
		/* the history: ratios and cpu levels at the commits before */
		for (j = 0; j < real->npoints && real->points[j].pos < step_pos; j++) {
			double rl = perfdb_scope__level(&real->points[j]);
			double cl = level_at(cpu, real->points[j].pos);
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
		const perfdb_series *b = perfdb_series_set__head(set, i);
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
		const perfdb_series *s = perfdb_series_set__head(set, i);
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
	const perfdb_series *s = perfdb_series_set__head(set, si), *o;
	size_t i, j, n = perfdb_series_set_count(set), total = s->npoints, k = 0;
	perfdb_series_point *p;
	int err;
	*pts = NULL;
	for (i = 0; i < n; i++)
		if (target[i] == si)
			total += perfdb_series_set__head(set, i)->npoints;
	if (total == s->npoints)
		return 0;
	/* the joined series' points, made now in a set read lazily (and kept
	 * with it: the points copied refer to their runs' values) */
	if ((err = perfdb_series_set__load(&s, set, si)) < 0)
		return err;
	if (!(p = malloc(total * sizeof(*p))))
		return perfdb_error__oom();
	for (i = 0; i < n; i++) {
		if (i != si && target[i] != si)
			continue;
		if ((err = perfdb_series_set__load(&o, set, i)) < 0) {
			free(p);
			return err;
		}
		memcpy(p + k, o->points, o->npoints * sizeof(*p));
		k += o->npoints;
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

typedef struct finding_at {
	size_t series, index;
} finding_at;

static int cmp_finding_at(const void *pa, const void *pb)
{
	const finding_at *a = pa, *b = pb;
	if (a->series != b->series)
		return (a->series > b->series) - (a->series < b->series);
	return (a->index > b->index) - (a->index < b->index);
}

/* Puts the findings of list l in the order of their series in the set,
 * each series' own in the order they were found. */
static int findings_in_set_order(finding_list *l)
{
	finding_at *at;
	perfdb_finding *items;
	int64_t *cids;
	size_t i;
	if (l->count < 2)
		return 0;
	at = malloc(l->count * sizeof(*at));
	items = malloc(l->count * sizeof(*items));
	cids = malloc(l->count * sizeof(*cids));
	if (!at || !items || !cids) {
		free(at);
		free(items);
		free(cids);
		return perfdb_error__oom();
	}
	for (i = 0; i < l->count; i++)
		at[i] = (finding_at){l->series[i], i};
	qsort(at, l->count, sizeof(*at), cmp_finding_at);
	for (i = 0; i < l->count; i++) {
		items[i] = l->items[at[i].index];
		cids[i] = l->commit_ids[at[i].index];
		l->series[i] = at[i].series;
	}
	free(at);
	free(l->items);
	free(l->commit_ids);
	l->items = items;
	l->commit_ids = cids;
	l->cap = l->count;
	return 0;
}

/* The verdicts, made each in its series' slot, packed in the set's order
 * (by name) in place. */
static void verdicts_in_order(perfdb_regress_report *rep)
{
	size_t i, k = 0, n = perfdb_series_set_count(rep->sc->set);
	for (i = 0; i < n; i++)
		if (rep->verdict_of[i] != SIZE_MAX) {
			if (k != i)
				rep->verdicts[k] = rep->verdicts[i];
			rep->verdict_of[i] = k++;
		}
	rep->nverdicts = k;
}

/* The findings in the set's order (by name), after a pass that took the
 * series in another (perfdb_series_set__visit_order). */
static int in_set_order(perfdb_regress_report *rep)
{
	int err;
	if ((err = findings_in_set_order(&rep->found[0])) < 0 ||
	    (err = findings_in_set_order(&rep->found[1])) < 0)
		return err;
	return 0;
}

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
			    perfdb_series_set__head(rep->sc->set, rep->found[k].series[i]);
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
		size_t vi = rep->verdict_of[rep->found[0].series[i]];
		if (rep->found[0].items[i].status == PERFDB_ALERT_OPEN || vi == SIZE_MAX ||
		    rep->verdicts[vi].regressions == 0)
			continue;
		rep->verdicts[vi].regressions--;
		rep->verdicts[vi].acknowledged++;
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

/* ---- the series checked, in parallel ------------------------------------------------------ */

/* One pass over series k = from .. to - 1 of the visit order: its own view
 * buffer, findings and error; the verdicts go to each series' own slot. */
typedef struct check_pass {
	perfdb_regress_report *rep;
	const perfdb_regress_options *o;
	const size_t *visit, *target;
	const unsigned char *has_joined;
	size_t from, to;
	finding_list found[2];
	int err;
	perfdb_error error; /* err's message, from the thread that met it */
} check_pass;

static void *check_series(void *arg)
{
	check_pass *p = arg;
	perfdb_series_view view = PERFDB_SERIES_VIEW_INIT;
	const perfdb_series_set *set = p->rep->sc->set;
	size_t k;
	for (k = p->from; k < p->to && p->err == 0; k++) {
		size_t i = p->visit ? p->visit[k] : k;
		const perfdb_series *s = NULL;
		perfdb_series joined;
		perfdb_series_point *pts = NULL;
		/* an old name whose new name has data: checked there */
		if (p->target[i] != SIZE_MAX)
			continue;
		/* a joined series' points and the names joined onto it are
		 * made in the set: each belongs to this one series, so no
		 * other pass touches them */
		if (p->has_joined[i] &&
		    (p->err = join_renamed(&joined, &pts, set, p->target, i)) < 0)
			break;
		/* each series' points made in one buffer in turn (the set is
		 * read lazily) */
		if (!pts && (p->err = perfdb_series_set__view(&s, set, i, &view)) < 0)
			break;
		p->err = analyse_series(p->rep, p->found, p->o, i, pts ? &joined : s);
		free(pts);
	}
	if (p->err < 0)
		p->error = *perfdb_error_last();
	perfdb_series_set__view_release(&view);
	return NULL;
}

/* Series below this many points are checked on one thread: a thread costs
 * more than they take. (perfdb_regress__set_parallel_from: tests.) */
static size_t parallel_from = 200000;

size_t perfdb_regress__set_parallel_from(size_t points)
{
	size_t was = parallel_from;
	parallel_from = points;
	return was;
}

/* The processors this process may run on (its affinity, as a CI runner's
 * container sets it), else those online. */
static long processors(void)
{
	cpu_set_t cpus;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		return CPU_COUNT(&cpus);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* Passes for the series of the set: one per processor, at most four, when
 * the read is wide enough to pay for them. */
static size_t passes_for(const perfdb_series_set *set)
{
	size_t i, points = 0, n = perfdb_series_set_count(set);
	long cpus = processors();
	if (parallel_from == 0 && n >= 3)
		return 3; /* (tests: passes whatever the processors) */
	for (i = 0; i < n && points < parallel_from; i++)
		points += perfdb_series_set__head(set, i)->npoints;
	if (points < parallel_from || cpus < 2 || n < 2)
		return 1;
	return cpus < 4 ? (size_t)cpus : 4;
}

/* Appends src's findings to dst's, in their order. */
static int take_findings(finding_list *dst, finding_list *src)
{
	size_t i;
	int err = 0;
	for (i = 0; i < src->count && err == 0; i++)
		err = perfdb_regress__push_finding(dst, &src->items[i], src->series[i],
						   src->commit_ids[i]);
	return err;
}

/*
 * Judges every series, each in its own slot: the series split into passes
 * over consecutive runs of the visit order (the set's memory read in turn),
 * each pass on its own thread but the first; the findings then joined and
 * put in the set's order (in_set_order), so the report is the same for any
 * number of passes. A pass that cannot start runs here after the others.
 */
static int check_all(perfdb_regress_report *rep, const perfdb_regress_options *o,
		     const size_t *target, const unsigned char *has_joined)
{
	const perfdb_series_set *set = rep->sc->set;
	size_t n = perfdb_series_set_count(set), np = passes_for(set), k, j;
	check_pass pass[4];
	pthread_t tid[4];
	int started[4] = {0}, err = 0;
	memset(pass, 0, sizeof(pass));
	for (k = 0; k < np; k++) {
		pass[k].rep = rep;
		pass[k].o = o;
		pass[k].visit = perfdb_series_set__visit_order(set);
		pass[k].target = target;
		pass[k].has_joined = has_joined;
		pass[k].from = n * k / np;
		pass[k].to = n * (k + 1) / np;
	}
	for (k = 1; k < np; k++)
		started[k] = pthread_create(&tid[k], NULL, check_series, &pass[k]) == 0;
	check_series(&pass[0]);
	for (k = 1; k < np; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			check_series(&pass[k]);
	}
	for (k = 0; k < np && err == 0; k++)
		if (pass[k].err < 0) {
			err = perfdb_error__set(pass[k].error.code, "%s", pass[k].error.message);
			if (err >= 0)
				err = pass[k].err;
		}
	for (k = 0; k < np; k++)
		for (j = 0; j < 2; j++) {
			if (err == 0)
				err = take_findings(&rep->found[j], &pass[k].found[j]);
			perfdb_regress__finding_list_release(&pass[k].found[j]);
		}
	return err;
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
	    (err = perfdb_scope__read(rep->sc, store, &o, PERFDB_SCOPE_LAZY)) < 0)
		goto done;
	if (rep->sc->range_pos >= rep->sc->nids)
		goto done; /* an empty history or range: nothing to check */
	if ((err = rename_targets(&target, &has_joined, rep->sc->set, o.config)) < 0)
		goto done;
	/* a verdict slot for every series at once: grown by doubling, 100k
	 * verdicts were 16 MB of memory faulted in, not 8 */
	if (!(rep->verdict_of =
		  malloc((perfdb_series_set_count(rep->sc->set) + 1) * sizeof(*rep->verdict_of))) ||
	    !(rep->verdicts =
		  malloc((perfdb_series_set_count(rep->sc->set) + 1) * sizeof(*rep->verdicts)))) {
		err = perfdb_error__oom();
		goto done;
	}
	rep->capverdicts = perfdb_series_set_count(rep->sc->set) + 1;
	for (i = 0; i < perfdb_series_set_count(rep->sc->set); i++)
		rep->verdict_of[i] = SIZE_MAX;
	if ((err = check_all(rep, &o, target, has_joined)) < 0)
		goto done;
	verdicts_in_order(rep);
	if ((err = in_set_order(rep)) < 0 || (err = mark_loaded(rep, &o)) < 0 ||
	    (err = perfdb_regress__group_events(rep)) < 0)
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
