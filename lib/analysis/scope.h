/*
 * Library-internal: the one answer to "which commits, in what order, which
 * baseline, which series, and what is a point's level" that regress,
 * compare and trend (and any later reader of the history, such as a
 * report) share, so that they cannot disagree about a history.
 *
 * A scope is built in three steps:
 *  1. perfdb_scope__open: the recorded commits;
 *  2. one of perfdb_scope__range (regress: --since/--until/--commit and a
 *     baseline or window), perfdb_scope__last (trend: the last N commits)
 *     or perfdb_scope__pair (compare: two revisions and the window before
 *     the first): the commit order and the commit ids to read, in order;
 *  3. perfdb_scope__read: every series of those commits that the machine
 *     and benchmark filters select (a filter that selects nothing recorded
 *     is an error, PERFDB_ENOTFOUND).
 * Then, per series, perfdb_scope__series_config says how it is judged and
 * perfdb_scope__level gives each point's level.
 */
#ifndef PERFDB_ANALYSIS_SCOPE_H
#define PERFDB_ANALYSIS_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/history.h"
#include "perfdb/regress.h"

typedef struct perfdb_scope_commit_index {
	int64_t id;
	size_t idx;
} perfdb_scope_commit_index;

typedef struct perfdb_scope {
	perfdb_commit_list *commits;
	perfdb_scope_commit_index *by_id; /* commit id -> index into commits, by id */
	size_t *order;			  /* indexes into commits, oldest first */
	size_t norder;
	/* the commit ids read, in order: [baseline] window range */
	int64_t *ids;
	size_t nids;
	size_t range_pos;	  /* index in ids of the first commit of the range */
	size_t base_pos;	  /* index in ids of the baseline commit, SIZE_MAX if none */
	int base_separate;	  /* the baseline commit is ids[0], read apart before the window */
	int gate;		  /* the newest commit alone against a baseline (--commit) */
	size_t start;		  /* position in order of ids[base_separate] */
	perfdb_regress_scope pub; /* what the range was compared with, for reports */
	perfdb_baseline baseline;
	char *since_sha; /* --since found by git: the fork point (pub.since) */
	char *until_sha; /* --until found by git: its full sha (the order's tip) */
	perfdb_series_set *set;
	/* Every commit of the history being checked, benchmarked or not,
	 * oldest first: git's first-parent list when git gave the order, else
	 * the recorded order. all_pos[i] is the place of order[i] in it. The
	 * commits between two measured ones are the candidates of a step. */
	char *all_buf;
	const char **all;
	size_t nall;
	size_t *all_pos;
} perfdb_scope;

/* The options regress, compare and trend share, checked once: version,
 * threshold >= 0, confidence in (0, 1). Errors: PERFDB_EINVAL. */
int perfdb_scope__check(const perfdb_regress_options *o);

/* Reads the recorded commits into a new scope (*out owned, _free). */
int perfdb_scope__open(perfdb_scope **out, perfdb_store *store);
void perfdb_scope__free(perfdb_scope *sc);

/* The recorded commit with this id, or NULL. Borrowed from sc. */
const perfdb_commit_info *perfdb_scope__commit(const perfdb_scope *sc, int64_t id);

/* The candidates of a step whose first measured commit is id and whose
 * previous measured commit is prev_id (0: none): the commits after prev_id up
 * to id in the history checked, *count of them (1 when none was skipped),
 * *first the oldest, *next the one to benchmark to halve the range (NULL
 * when count is 1). Strings borrowed from sc. */
void perfdb_scope__candidates(const perfdb_scope *sc, int64_t prev_id, int64_t id,
			      const char **first, size_t *count, const char **next);

/* A revision to a recorded commit id: the store's shas (exact or prefix),
 * then git in repo_dir. Errors: PERFDB_ENOTFOUND, PERFDB_EINVAL (ambiguous). */
int perfdb_scope__resolve(perfdb_store *store, const char *repo_dir, const char *rev, int64_t *id);

/*
 * regress's scope from o: the range (o->since, o->until, o->commit; none:
 * the newest commit), the baseline (o->baseline, else the o->window commits
 * before the range). An empty history or range leaves nids 0 or range_pos
 * == nids. Errors: PERFDB_ENOTFOUND, PERFDB_EINVAL, PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_scope__range(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o);

/*
 * trend's scope: the last `last` commits up to o->until (default the
 * newest). The oldest of them is the reference the others are judged
 * against, as regress --since <that commit> --window 1 judges them: the range
 * starts at ids[1]. Errors as perfdb_scope__range.
 */
int perfdb_scope__last(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o,
		       size_t last);

/*
 * compare's scope: revisions a and b (*ida, *idb), in the order of b's
 * history; ids are the o->window commits before a (when a is in that
 * history), a, then b. Errors as perfdb_scope__range.
 */
int perfdb_scope__pair(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o,
		       const char *a, const char *b, int64_t *ida, int64_t *idb);

/*
 * Reads sc->set: the series of sc->ids selected by o->machine and
 * o->benchmark_glob, with their raw samples. A machine or glob
 * that selects no recorded benchmark at all is PERFDB_ENOTFOUND, the
 * message starting "no series matches machine '" or "no series matches
 * benchmark '" (callers that name the filter their own way rely on it:
 * "no series matches benchmark 'X' (3 benchmarks recorded on machine
 * 'm1')"); one that selects recorded benchmarks without data in these
 * commits reads an empty set. flags: PERFDB_SCOPE_SAMPLES, read the raw
 * samples too (for perfdb_scope__observations' values; the levels and
 * spreads come either way); PERFDB_SCOPE_LAZY, make each series' points
 * only when asked for (perfdb_store__read_series): for one pass over every
 * series, which then takes each through perfdb_series_set__view, and the
 * few it looks at again through perfdb_series_set__load; names alone through
 * perfdb_series_set__head.
 */
enum { PERFDB_SCOPE_SAMPLES = 1, PERFDB_SCOPE_LAZY = 2 };
int perfdb_scope__read(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o,
		       unsigned flags);

/* How one series is judged: o's settings with the config's overrides. */
typedef struct perfdb_scope_series {
	int ignore;
	double threshold; /* percent */
	perfdb_direction direction;
	perfdb_method method;
} perfdb_scope_series;

void perfdb_scope__series_config(perfdb_scope_series *out, const perfdb_regress_options *o,
				 const perfdb_series *s);

/*
 * A point's level, the one rule: the median of its raw samples; else, when
 * several runs stored no samples, the median of the runs' values (a run's
 * single value is its one sample); else its value. The store computes it
 * (perfdb_series_point.level, with the observations' mad beside it).
 */
double perfdb_scope__level(const perfdb_series_point *p);

/* The observations behind a point's level: its samples, else its runs'
 * values (*n may be 1: one run). The samples' values only when the scope
 * was read with_samples (NULL otherwise; *n is right either way). */
const double *perfdb_scope__observations(const perfdb_series_point *p, size_t *n);

/* The independent observations of a point: one per run, its value (the
 * repetitions of one run share that run's noise: the machine's state, the
 * build, the warm-up, so they are one observation, not several). *n >= 1. */
const double *perfdb_scope__runs(const perfdb_series_point *p, size_t *n);

#endif
