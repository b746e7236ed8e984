/*
 * perfdb/regress.h - the verdict: which series got worse, by how much, how
 * sure we are, and which commit did it.
 *
 * A series (benchmark, metric, unit, machine, tags) is a sequence of
 * commits, in git's first-parent order when the repository is at hand and
 * in recorded order otherwise; several runs of one commit pool their
 * samples (a run that stored none counts its value as its one sample), and
 * a point's level is the median of those samples. regress, compare and
 * trend share this, and the commit order, range and window: they give one
 * answer per history.
 * perfdb_regress_run checks the commits of a range against a baseline and
 * reports every step that is
 *  - significant: its p-value is below 1 - confidence (the test counts runs,
 *    not the repetitions of one run; a step whose place change-point search
 *    chose among several carries the Bonferroni-corrected p: p_raw,
 *    p_correction, p_family; the search itself is the same at every
 *    confidence, which only gates its findings); when nothing
 *    estimates the noise (no samples or repeated runs, fewer than 3 commits
 *    before the change) the threshold alone decides: method "percent",
 *    p_value NAN, and every new commit must lie beyond the threshold from
 *    every commit before it,
 *  - larger than the threshold (a relative change, percent), and
 *  - lasting: the new level holds for at least two commits, so a
 *    one-commit spike inside a range is never a step (the newest commit
 *    alone is tested against the level before it: a step is reported the
 *    day it lands);
 * in the bad direction for the metric a regression, in the good one an
 * improvement. The culprit is the first commit of the step, found by
 * change-point detection (perfdb/changepoint.h).
 */
#ifndef PERFDB_REGRESS_H
#define PERFDB_REGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/changepoint.h"
#include "perfdb/common.h"
#include "perfdb/history.h"
#include "perfdb/resultset.h"
#include "perfdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* perfdb_method (how a change is judged) is declared in perfdb/history.h: stored
 * alerts carry it too. */

typedef struct perfdb_config perfdb_config; /* perfdb/config.h */

typedef struct perfdb_regress_options {
	unsigned version;     /**< PERFDB_REGRESS_OPTIONS_VERSION */
	const char *since;    /**< range: the commits after this revision */
	const char *until;    /**< range end (default: the newest commit) */
	const char *commit;   /**< check only this commit (the PR gate) */
	const char *baseline; /**< a baseline name or a revision; NULL: the window */
	size_t window;	      /**< commits before the range that form the baseline */
	double threshold_pct; /**< minimal relative change, percent (5: 5%) */
	double confidence;    /**< 1 - the significance level */
	perfdb_method method;
	const char *machine;	     /**< NULL: every machine */
	const char *benchmark_glob;  /**< NULL: every benchmark */
	const char *repo_dir;	     /**< where git is asked for the order; NULL: "." */
	int use_git;		     /**< 0: recorded order even inside a repository */
	const perfdb_config *config; /**< per-benchmark overrides, may be NULL */
	const char *metric_glob;     /**< NULL: every metric; a shell glob on the metric */
} perfdb_regress_options;

#define PERFDB_REGRESS_OPTIONS_VERSION	  4
#define PERFDB_REGRESS_DEFAULT_WINDOW	  20
#define PERFDB_REGRESS_DEFAULT_THRESHOLD  5.0
#define PERFDB_REGRESS_DEFAULT_CONFIDENCE 0.99
#define PERFDB_REGRESS_OPTIONS_INIT                                                                \
	{                                                                                          \
		.version = PERFDB_REGRESS_OPTIONS_VERSION, .since = NULL, .until = NULL,           \
		.commit = NULL, .baseline = NULL, .window = PERFDB_REGRESS_DEFAULT_WINDOW,         \
		.threshold_pct = PERFDB_REGRESS_DEFAULT_THRESHOLD,                                 \
		.confidence = PERFDB_REGRESS_DEFAULT_CONFIDENCE, .method = PERFDB_METHOD_AUTO,     \
		.machine = NULL, .benchmark_glob = NULL, .repo_dir = NULL, .use_git = 1,           \
		.config = NULL, .metric_glob = NULL                                                \
	}

/** Fills opts with the defaults (the same as PERFDB_REGRESS_OPTIONS_INIT), for callers that
 *  cannot use the macro (other languages, a struct on the heap). */
void perfdb_regress_options_init(perfdb_regress_options *opts);

typedef enum perfdb_finding_kind {
	PERFDB_FINDING_REGRESSION = 0,
	PERFDB_FINDING_IMPROVEMENT = 1
} perfdb_finding_kind;

/** One step. Strings are borrowed from the report. */
typedef struct perfdb_finding {
	perfdb_finding_kind kind;
	const char *benchmark, *metric, *unit, *machine;
	const perfdb_tags *tags; /**< borrowed, as the strings */
	perfdb_direction direction;
	const char *commit;    /**< full sha of the first commit of the step */
	const char *subject;   /**< its subject, "" when unknown */
	size_t commits_after;  /**< commits from the step to the end of the range */
	double baseline_value; /**< level before the step (or of the named baseline) */
	double value;	       /**< level after the step */
	double change_pct;     /**< value / baseline_value - 1, percent */
	double p_value;	       /**< NAN when method is PERFDB_METHOD_PERCENT */
	/** the test that decided: PERFDB_METHOD_MANNWHITNEY, _TTEST, _ZSCORE,
	 *  _CHANGEPOINT, or _PERCENT (the threshold alone: the method asked for,
	 *  or no noise estimate existed); perfdb_method_name spells it */
	perfdb_method method;
	double threshold_pct;	    /**< the threshold applied to this series, percent */
	int64_t alert_id;	    /**< the stored alert, 0 when none (yet) */
	perfdb_alert_status status; /**< of the stored alert; PERFDB_ALERT_OPEN when none */
	/** The candidates: when commits between the step's first measured
	 *  commit and the measured one before it were not benchmarked (for
	 *  this series), any of them may have caused it. range_first is the
	 *  oldest candidate, `commit` the newest, range_count how many (1: the
	 *  culprit is `commit` alone). Needs git's history; in recorded order,
	 *  the recorded commits that lack this series. */
	const char *range_first;
	size_t range_count;
	/** the candidate to benchmark next to halve the range (as asv find
	 *  bisects), NULL when range_count is 1 */
	const char *bisect_next;
	/** NULL, or why the step is not blamed on its commit: "loaded" when
	 *  the newest commit alone made it, in real_time, while its cpu_time
	 *  stayed (real_time / cpu_time departs from the ratio of its history
	 *  far more than that ratio ever moved: a busy machine, not the code).
	 *  Such a regression is reported but does not fail the check;
	 *  re-run the commit. */
	const char *suspect;
	double time_ratio;	   /**< real_time / cpu_time at the step (NAN if not judged) */
	double time_ratio_history; /**< its median before the step (NAN if not judged) */
	/** 1: the step rests on one run of the newest commit alone (the next
	 *  commit, or a re-run of this one, confirms it): re-run to be sure. */
	int suspected;
	/** The test's own p-value, before any correction (NAN with p_value).
	 *  p_value is the one compared with 1 - confidence: p_raw times
	 *  p_family (at most 1) when a correction applies. */
	double p_raw;
	/** NULL, or the correction p_value carries: "bonferroni" when the
	 *  step's commit was chosen by change-point search among p_family
	 *  places between its neighbouring steps. */
	const char *p_correction;
	size_t p_family; /**< places (tests) the correction counts; 1 when none */
} perfdb_finding;

/** The verdict on one checked series. */
typedef struct perfdb_series_verdict {
	const char *benchmark, *metric, *unit, *machine;
	const perfdb_tags *tags; /**< borrowed, as the strings */
	size_t points;		 /**< commits with data, baseline included */
	double baseline_value;	 /**< NAN when the series has no baseline data */
	double value;		 /**< the newest value in the range */
	int regressions;	 /**< open regressions (those that fail the check) */
	int improvements;
	int acknowledged; /**< regressions found but acknowledged or ignored */
	/** 1: the series has no data at the baseline (a named baseline or
	 *  revision it did not exist at: renamed or new since; with the window,
	 *  no commit before the range) and nothing was found in the range:
	 *  it was not compared, which is not a pass. */
	int not_compared;
} perfdb_series_verdict;

typedef struct perfdb_regress_report perfdb_regress_report;

/**
 * Runs the check described by opts (NULL: defaults, the newest commit
 * against the window before it) into *out (owned, perfdb_regress_report_free).
 * It only reads: each finding carries the status of its stored alert
 * (alert_id 0 and PERFDB_ALERT_OPEN when it was never recorded), and nothing is
 * written; perfdb_store_record_findings stores the findings. Finding a
 * regression is a result, not an error.
 * Errors: PERFDB_ENOTFOUND (a revision or baseline with no recorded
 * results; a machine or benchmark_glob that selects no recorded series: the
 * message starts "no series matches machine '" or "no series matches
 * benchmark '"; a metric_glob that matches no series read: "no series
 * matches metric '"), PERFDB_EINVAL (bad options,
 * an ambiguous revision), PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_regress_run(perfdb_regress_report **out, perfdb_store *store,
		       const perfdb_regress_options *opts);

/**
 * Stores the findings of report as alerts, in one transaction: a new
 * finding becomes an open alert; one already stored (same series, commit
 * and kind) keeps its id and status and gets the new figures. The report's
 * findings then carry their alert ids and status. Errors: PERFDB_EREADONLY,
 * PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_store_record_findings(perfdb_store *store, perfdb_regress_report *report);

void perfdb_regress_report_free(perfdb_regress_report *r);

/** Findings of a kind, in series order. */
size_t perfdb_regress_count(const perfdb_regress_report *r, perfdb_finding_kind kind);
const perfdb_finding *perfdb_regress_get(const perfdb_regress_report *r, perfdb_finding_kind kind,
					 size_t i);

/** Open (unacknowledged) regressions that are not suspect (a loaded
 *  machine): the number that fails a build. */
size_t perfdb_regress_failures(const perfdb_regress_report *r);

/**
 * One event: the metrics of one benchmark (on one machine, with one set of
 * tags) that moved at one commit, in one kind. A change shows in real_time,
 * cpu_time and bytes_per_second at once: one event, three findings.
 * Strings and the index array are borrowed from the report.
 */
typedef struct perfdb_regress_event {
	perfdb_finding_kind kind;
	const char *benchmark, *machine;
	const perfdb_tags *tags; /**< borrowed, as the strings */
	const char *commit;	 /**< full sha of the step's first commit */
	const char *subject;	 /**< its subject, "" when unknown */
	size_t nfindings;	 /**< metrics that moved, at least 1 */
	const size_t *findings;	 /**< their indexes: perfdb_regress_get(r, kind, findings[i]) */
} perfdb_regress_event;

/** Events of a kind, in the order of their first finding. */
size_t perfdb_regress_event_count(const perfdb_regress_report *r, perfdb_finding_kind kind);
const perfdb_regress_event *perfdb_regress_event_get(const perfdb_regress_report *r,
						     perfdb_finding_kind kind, size_t i);
/** Regression events with at least one open finding: what a build fails for
 *  and what the summaries count ("2 regressions" for 6 moved metrics). */
size_t perfdb_regress_event_failures(const perfdb_regress_report *r);
/** Whether the event has an open finding (a regression event that fails). */
int perfdb_regress_event_open(const perfdb_regress_report *r, const perfdb_regress_event *e);

/** Series checked but not compared (perfdb_series_verdict.not_compared). */
size_t perfdb_regress_not_compared(const perfdb_regress_report *r);

/** Series that had data in the range. */
size_t perfdb_regress_series_checked(const perfdb_regress_report *r);
const perfdb_series_verdict *perfdb_regress_series(const perfdb_regress_report *r, size_t i);

/** What a range is compared with. */
typedef enum perfdb_baseline_kind {
	PERFDB_BASELINE_WINDOW = 0, /**< the commits before the range */
	PERFDB_BASELINE_NAMED,	    /**< a baseline set with perfdb_store_baseline_set */
	PERFDB_BASELINE_COMMIT	    /**< one revision */
} perfdb_baseline_kind;

/** "window", "named", "commit"; "unknown" out of range. Static strings. */
const char *perfdb_baseline_kind_name(perfdb_baseline_kind k);

/** The order of the commits of a history. */
typedef enum perfdb_commit_order {
	PERFDB_ORDER_RECORDED = 0, /**< recorded order (perfdb_store_commits) */
	PERFDB_ORDER_GIT	   /**< git's first-parent history */
} perfdb_commit_order;

/** "recorded", "git"; "unknown" out of range. Static strings. */
const char *perfdb_commit_order_name(perfdb_commit_order o);

/** What the range was compared with. */
typedef struct perfdb_regress_scope {
	perfdb_baseline_kind baseline_kind;
	const char *baseline_name;   /**< the named baseline, or NULL */
	const char *baseline_commit; /**< its sha (named or commit), or NULL */
	size_t window;		     /**< commits in the baseline window */
	const char *since;	     /**< full sha, NULL when the range has no start */
	const char *until;	     /**< full sha of the last commit checked, or NULL */
	perfdb_commit_order order;
	/** 1 when the range after `since` was empty (since is the range's end:
	 *  a push to main checked with --since origin/main). The newest commit
	 *  is then checked against its window, as without since, instead of
	 *  passing an empty range. */
	int since_is_end;
} perfdb_regress_scope;

const perfdb_regress_scope *perfdb_regress_scope_get(const perfdb_regress_report *r);

/* ---- compare: two revisions side by side ---------------------------------------- */

/** What perfdb_compare_run says of one series. */
typedef enum perfdb_comparison_verdict {
	PERFDB_COMPARISON_SAME = 0,    /**< no significant change beyond the threshold */
	PERFDB_COMPARISON_REGRESSION,  /**< worse at b */
	PERFDB_COMPARISON_IMPROVEMENT, /**< better at b */
	PERFDB_COMPARISON_ONLY_A,      /**< the series has data at a only */
	PERFDB_COMPARISON_ONLY_B       /**< the series has data at b only */
} perfdb_comparison_verdict;

/** "same", "regression", "improvement", "only_a", "only_b"; "unknown" out of
 *  range. Static strings. */
const char *perfdb_comparison_verdict_name(perfdb_comparison_verdict v);

/** One series at two revisions. Strings are borrowed from the comparison. */
typedef struct perfdb_comparison_row {
	const char *benchmark, *metric, *unit, *machine;
	const perfdb_tags *tags; /**< borrowed, as the strings */
	perfdb_direction direction;
	double value_a, value_b; /**< levels (as in regress: the median of the samples, else of the
				   runs' values); NAN if absent */
	size_t samples_a, samples_b;
	double change_pct;    /**< value_b / value_a - 1, percent; NAN when a side is absent */
	double p_value;	      /**< NAN when no test was possible */
	perfdb_method method; /**< PERFDB_METHOD_MANNWHITNEY, _TTEST, _ZSCORE, _PERCENT (no test:
				the threshold alone) or _NONE (a side is absent) */
	perfdb_comparison_verdict verdict;
} perfdb_comparison_row;

typedef struct perfdb_comparison perfdb_comparison;

/**
 * Compares every series at revision b against revision a (both resolved as
 * perfdb_commit_resolve does with PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT; a series' level at
 * each is regress's). With two runs or more on both sides, Mann-Whitney U (or Welch's t) of the
 * runs' values decides: the repetitions of one run share its noise and are one observation;
 * without, in a series of repeated commits the two levels against its two-level noise (as
 * perfdb_regress_run judges one commit against one), else the spread of the opts->window commits
 * before a (a robust z-score, read against Student's t); without either, the threshold alone
 * (PERFDB_METHOD_PERCENT, p_value NAN). A verdict other than "same" needs p < 1 - confidence (or
 * no test) and a change beyond the threshold. opts (NULL: defaults) gives threshold, confidence,
 * window, machine, benchmark_glob, repo_dir, use_git and config; its range fields are ignored.
 * *out is owned (perfdb_comparison_free). Errors: PERFDB_ENOTFOUND (a revision; a machine or
 * benchmark_glob that selects no recorded series, as perfdb_regress_run), PERFDB_EINVAL,
 * PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_compare_run(perfdb_comparison **out, perfdb_store *store, const char *a, const char *b,
		       const perfdb_regress_options *opts);
size_t perfdb_comparison_count(const perfdb_comparison *c);
const perfdb_comparison_row *perfdb_comparison_get(const perfdb_comparison *c, size_t i);
/** Full shas of the two revisions, borrowed. */
const char *perfdb_comparison_sha(const perfdb_comparison *c, int which /* 0: a, 1: b */);
void perfdb_comparison_free(perfdb_comparison *c);

/* ---- trend: the recent history of every series ----------------------------------- */

/** One series over the last commits. Arrays and strings are borrowed. */
typedef struct perfdb_trend_series {
	const char *benchmark, *metric, *unit, *machine;
	const perfdb_tags *tags; /**< borrowed, as the strings */
	perfdb_direction direction;
	size_t n;		    /**< points (commits with data), oldest first */
	const double *levels;	    /**< per point: its level, as in regress (the median of its
				      samples, else of its runs' values) */
	const char *const *commits; /**< per point: the sha */
	const perfdb_change_point *steps; /**< regress's steps (index into levels; p_value NAN
					    when the threshold alone decided) */
	size_t nsteps;
	double baseline;   /**< level of the first segment (before the first step shown) */
	double latest;	   /**< level of the newest point */
	double change_pct; /**< latest / baseline - 1, percent */
	/** per point: its commit's place among the `axis` commits of the trend
	 *  (0 = the oldest), the same axis for every series, so a benchmark added
	 *  or dropped mid-way, or skipped at some commits, is drawn where it was */
	const size_t *positions;
	size_t axis; /**< commits on the common axis (at most `last`) */
	/** per point: the spread of the observations behind its level (its
	 *  samples, else its runs' values), as their 25th and 75th percentiles;
	 *  both the level when there is one observation */
	const double *lo, *hi;
	const size_t *nobs; /**< per point: how many observations */
} perfdb_trend_series;

typedef struct perfdb_trend perfdb_trend;

/**
 * The last `last` commits (0: 30) up to opts->until (NULL: the newest) of
 * every series matching opts's machine and benchmark_glob, with their steps:
 * exactly the findings, regressions and improvements, of perfdb_regress_run
 * with since = the oldest of those commits, window 1 (that commit alone
 * before the range: trend judges what it shows) and the same threshold,
 * confidence, method and config (opts; NULL: defaults). With opts->since
 * set, `last` is ignored and the commits are instead those after
 * opts->since up to opts->until, since the reference: exactly the findings
 * of perfdb_regress_run with that since and window 1 (opts->window,
 * baseline and commit are not used). *out is owned (perfdb_trend_free). Errors: PERFDB_ENOTFOUND (a
 * machine or benchmark_glob that selects no recorded series, as perfdb_regress_run), PERFDB_EINVAL,
 * PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_trend_run(perfdb_trend **out, perfdb_store *store, size_t last,
		     const perfdb_regress_options *opts);
size_t perfdb_trend_count(const perfdb_trend *t);
const perfdb_trend_series *perfdb_trend_get(const perfdb_trend *t, size_t i);
void perfdb_trend_free(perfdb_trend *t);

#ifdef __cplusplus
}
#endif
#endif
