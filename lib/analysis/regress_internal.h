/* Library-internal: pieces of regress.c that trend.c and compare.c share. */
#ifndef PERFDB_ANALYSIS_REGRESS_INTERNAL_H
#define PERFDB_ANALYSIS_REGRESS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/scope.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"

/* One step of a series: the first point at the new level. */
typedef struct perfdb_regress_step {
	size_t point;	      /* index into the points given */
	double before, after; /* the levels on either side (before: the baseline's) */
	double change;	      /* after / before - 1 */
	double
	    p_value;   /* the gated one, NAN for PERFDB_METHOD_PERCENT: p_raw * family, at most 1 */
	double p_raw;  /* the test's own */
	size_t family; /* places the change-point search chose the step among; 1 */
	perfdb_method method; /* the test that decided */
	size_t commits_after; /* points from the step to the end */
} perfdb_regress_step;

/*
 * The noise of one commit's level in a series of repeated commits (the
 * two-level model of regress: between-commit plus within-run noise,
 * estimated over the n points), into *tau, with its degrees of freedom in
 * *df; both 0 when the series is shorter than 6 commits or mostly
 * unrepeated. scratch holds 2 n doubles.
 */
void perfdb_regress__level_noise(double *tau, double *df, const perfdb_series_point *pts, size_t n,
				 double *scratch);

/*
 * The steps of one series, the one rule regress and trend share: pts[0..n)
 * in commit order, those from index r on the range (the ones before it the
 * window), base a baseline commit's point apart from them (may be NULL),
 * gate: only the newest point against the baseline. cfg's method and
 * threshold, significance level alpha. Every step returned is significant
 * and beyond the threshold, in either direction. *out (owned, free()) gets
 * *nout steps in point order. Errors: PERFDB_ENOMEM.
 */
int perfdb_regress__steps(perfdb_regress_step **out, size_t *nout, const perfdb_series_point *pts,
			  size_t n, size_t r, const perfdb_series_point *base, int gate,
			  const perfdb_scope_series *cfg, double alpha);

/*
 * The p-value (two-sided) that raw repetitions a and b differ: Mann-Whitney U
 * when the smallest p-value it can give with na and nb values is below alpha,
 * else Welch's t (3 against 3 repetitions can never reach p < 0.05 with U, so
 * a 50% step would pass unnoticed). *name is PERFDB_METHOD_MANNWHITNEY or
 * PERFDB_METHOD_TTEST. 1 when
 * a side has fewer than 2 values.
 */
double perfdb_regress__samples_p(const double *a, size_t na, const double *b, size_t nb,
				 double alpha, perfdb_method *name);

/* ---- the report (regress_report.c), filled by regress.c ---------------------------- */

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
	size_t *verdict_of; /* per series of the scope's set: its verdict, SIZE_MAX: none */
	perfdb_scope *sc;
	perfdb_alert_state *states; /* per finding, regressions first */
};

/* Appends finding f of series (index into the scope's set) at commit cid. Errors: PERFDB_ENOMEM. */
int perfdb_regress__push_finding(finding_list *l, const perfdb_finding *f, size_t series,
				 int64_t cid);

/* Frees l's findings; l is empty again. */
void perfdb_regress__finding_list_release(finding_list *l);

/* Reads of at least this many points are checked on several threads (one
 * per processor, at most four); SIZE_MAX: never; 0: always, in three passes
 * whatever the processors. For tests, which show a report is the same
 * either way; not thread-safe. Returns the setting it replaces. */
size_t perfdb_regress__set_parallel_from(size_t points);

/* Groups the report's findings into events (one per benchmark, machine,
 * tags and commit). Errors: PERFDB_ENOMEM. */
int perfdb_regress__group_events(perfdb_regress_report *rep);

#endif
