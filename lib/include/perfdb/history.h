/*
 * perfdb/history.h - reading the history back: commits, series, baselines
 * and alerts.
 *
 * The store side of `perfdb regress`, `trend`, `compare`, `baseline`,
 * `alerts` and `ack`. A series is (benchmark, metric, unit, machine,
 * configuration tags); its points are commits, and several runs of one
 * commit pool their values and samples into one point. Series are read in a
 * few large queries for all series at once, never one query per series.
 */
#ifndef PERFDB_HISTORY_H
#define PERFDB_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/common.h"
#include "perfdb/resultset.h"
#include "perfdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- commits ---------------------------------------------------------------- */

/** A recorded commit. Strings are owned by the list it came from. */
typedef struct perfdb_commit_info {
	int64_t id;
	int64_t seq;		  /**< first-recorded order */
	const char *sha;	  /**< as recorded (a full sha when git knew it) */
	const char *committed_at; /**< ISO 8601 or NULL */
	const char *subject;	  /**< or NULL */
	const char *author;	  /**< or NULL */
} perfdb_commit_info;

/** The recorded commits: a plain value list. The list owns items and every
 *  string they point to; perfdb_commit_list_free releases them all. It has no
 *  hidden storage: nothing but items and count is behind it. */
typedef struct perfdb_commit_list {
	perfdb_commit_info *items;
	size_t count;
} perfdb_commit_list;

/**
 * Every recorded commit into *out (owned, perfdb_commit_list_free), in
 * recorded order: by commit time when every commit has one, then by seq;
 * by seq alone otherwise. Errors: PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_store_commits(perfdb_commit_list **out, perfdb_store *store);

/** Frees a commit list. Accepts NULL. */
void perfdb_commit_list_free(perfdb_commit_list *list);

/** Where perfdb_commit_resolve looks for a revision (flags, or-ed). */
typedef enum perfdb_resolve_flags {
	/** the store's recorded shas: exact, or an unambiguous prefix of at
	 *  least 4 characters */
	PERFDB_RESOLVE_RECORDED = 1 << 0,
	/** git in repo_dir: a branch, a tag, HEAD~3, a sha prefix git knows */
	PERFDB_RESOLVE_GIT = 1 << 1
} perfdb_resolve_flags;

/**
 * The one commit resolver. Turns a revision into a commit:
 *  - PERFDB_RESOLVE_RECORDED alone: a recorded commit found by its sha or
 *    prefix; git is never run;
 *  - PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT: the recorded shas first,
 *    then whatever git resolves in repo_dir (NULL: ".") if that sha was
 *    recorded (what regress, compare and trend do with a revision);
 *  - PERFDB_RESOLVE_GIT alone: git's full sha of rev, recorded or not;
 *    store may be NULL and *out_id is 0.
 * *out_id (may be NULL) receives the recorded commit's id; *out_sha (may be
 * NULL) a new string owned by the caller (free()): the recorded sha, or
 * git's with PERFDB_RESOLVE_GIT alone. Errors: PERFDB_ENOTFOUND (nothing
 * recorded for it, or git does not know it), PERFDB_EINVAL (an ambiguous
 * prefix; no flag, or no store with PERFDB_RESOLVE_RECORDED), PERFDB_EDB,
 * PERFDB_ENOMEM.
 */
int perfdb_commit_resolve(int64_t *out_id, char **out_sha, perfdb_store *store, const char *rev,
			  const char *repo_dir, unsigned flags);

/* ---- series ----------------------------------------------------------------- */

/** Which series perfdb_store_read_series reads. */
typedef struct perfdb_series_query {
	unsigned version;	    /**< PERFDB_SERIES_QUERY_VERSION */
	const int64_t *commit_ids;  /**< points only for these commits, in this order */
	size_t ncommits;	    /**< 0: every commit, in recorded order */
	const char *machine;	    /**< NULL: every machine */
	const char *benchmark_glob; /**< NULL: every benchmark; shell glob on the name */
	/** read raw samples too (point->samples); without them a point still
	 *  has its sample count, level and mad */
	int with_samples;
} perfdb_series_query;

#define PERFDB_SERIES_QUERY_VERSION 1
#define PERFDB_SERIES_QUERY_INIT                                                                   \
	{                                                                                          \
		.version = PERFDB_SERIES_QUERY_VERSION, .commit_ids = NULL, .ncommits = 0,         \
		.machine = NULL, .benchmark_glob = NULL, .with_samples = 1                         \
	}

/** Fills opts with the defaults (the same as PERFDB_SERIES_QUERY_INIT), for callers that
 *  cannot use the macro (other languages, a struct on the heap). */
void perfdb_series_query_init(perfdb_series_query *opts);

/** One commit of a series: the pooled evidence of all its runs. */
typedef struct perfdb_series_point {
	size_t pos; /**< index of the commit in the query's commit order */
	int64_t commit_id;
	double value; /**< mean of the runs' headline values */
	size_t nruns;
	/** pooled raw samples, NULL when none were stored or the query did not
	 *  ask for them (with_samples 0) */
	const double *samples;
	size_t nsamples; /**< how many samples its runs stored, read or not */
	/** each run's headline value, nruns of them, in run order: a run that
	 *  stored no samples has its value as its one observation */
	const double *run_values;
	/** its level: the median of its observations (its pooled samples;
	 *  without samples its runs' values) */
	double level;
	/** the median absolute deviation of those observations around level,
	 *  unscaled (0 for a single observation) */
	double mad;
} perfdb_series_point;

/**
 * A series' configuration tags: key = value pairs, sorted by key. Borrowed
 * from the series set (or the report) it came from. Every function accepts
 * NULL, read as no tags.
 */
typedef struct perfdb_tags perfdb_tags;

/** How many pairs. */
size_t perfdb_tags_count(const perfdb_tags *t);
/** Key and value of pair i (i < count; NULL otherwise). */
const char *perfdb_tags_key(const perfdb_tags *t, size_t i);
const char *perfdb_tags_value(const perfdb_tags *t, size_t i);
/** The value of key, or NULL when the tags have no such key. */
const char *perfdb_tags_get(const perfdb_tags *t, const char *key);
/** The tags as the store keeps them and output formats show them: a JSON
 *  object with sorted keys, "{}" when none. Equal tags have equal text. */
const char *perfdb_tags_json(const perfdb_tags *t);

typedef struct perfdb_series {
	int64_t benchmark_id, machine_id;
	const char *benchmark, *metric, *unit, *machine;
	const perfdb_tags *tags; /**< configuration tags; perfdb_tags_json for the text */
	perfdb_direction direction;
	perfdb_series_point *points; /**< in commit order */
	size_t npoints;
} perfdb_series;

typedef struct perfdb_series_set perfdb_series_set;

/**
 * Reads every series matching q (NULL: all) into *out (owned,
 * perfdb_series_set_free), sorted by benchmark, metric, machine, tags.
 * Errors: PERFDB_ENOTFOUND (q->machine is not a recorded machine),
 * PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_store_read_series(perfdb_series_set **out, perfdb_store *store,
			     const perfdb_series_query *q);

size_t perfdb_series_set_count(const perfdb_series_set *set);
/** Series i, borrowed from the set. */
const perfdb_series *perfdb_series_set_get(const perfdb_series_set *set, size_t i);
void perfdb_series_set_free(perfdb_series_set *set);

/** What a series filter selects over the whole history. */
typedef struct perfdb_filter_count {
	size_t machines;   /**< machines recorded */
	int machine_known; /**< the machine asked for is one of them (1 when none asked) */
	size_t benchmarks; /**< distinct benchmark names with results on that machine (any) */
	size_t matching;   /**< of those, the names the glob matches (all when no glob) */
} perfdb_filter_count;

/**
 * Counts into *out what machine (NULL: any) and benchmark_glob (NULL: every
 * name; a shell glob as in perfdb_series_query) select among everything
 * recorded, whatever the commits. Used to tell a filter that matches nothing
 * (a typo) from one whose benchmarks have no data in some commits. It reads
 * every result: call it when a read came back empty. Errors: PERFDB_EDB,
 * PERFDB_ENOMEM.
 */
int perfdb_store_count_filter(perfdb_filter_count *out, perfdb_store *store, const char *machine,
			      const char *benchmark_glob);

/* ---- baselines ------------------------------------------------------------------ */

/** A named baseline. Strings owned by the struct (perfdb_baseline_release). */
typedef struct perfdb_baseline {
	char *name, *sha, *branch, *created_at, *note;
	int64_t commit_id;
} perfdb_baseline;

/**
 * Sets baseline name to the recorded commit commit_id (replacing an
 * existing one of that name). branch and note may be NULL.
 * Errors: PERFDB_EINVAL (empty name), PERFDB_EREADONLY, PERFDB_EDB.
 */
int perfdb_store_baseline_set(perfdb_store *store, const char *name, int64_t commit_id,
			      const char *branch, const char *note);

/** Reads baseline name into *out. Errors: PERFDB_ENOTFOUND, PERFDB_EDB, PERFDB_ENOMEM. */
int perfdb_store_baseline_get(perfdb_baseline *out, perfdb_store *store, const char *name);

/** Frees the strings of b and zeroes it. Accepts NULL. */
void perfdb_baseline_release(perfdb_baseline *b);

/** Removes baseline name. Errors: PERFDB_ENOTFOUND, PERFDB_EREADONLY, PERFDB_EDB. */
int perfdb_store_baseline_remove(perfdb_store *store, const char *name);

/** Every baseline, by name (perfdb_store_baseline_list). */
typedef struct perfdb_baseline_list perfdb_baseline_list;

/**
 * Reads every baseline into *out (owned, perfdb_baseline_list_free), sorted
 * by name. Errors: PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_store_baseline_list(perfdb_baseline_list **out, perfdb_store *store);

size_t perfdb_baseline_list_count(const perfdb_baseline_list *list);
/** Baseline i (i < count; NULL otherwise), borrowed from the list: name, sha
 *  and created_at are set, branch and note NULL when none was given. */
const perfdb_baseline *perfdb_baseline_list_get(const perfdb_baseline_list *list, size_t i);
/** Frees the list and every string in it. Accepts NULL. */
void perfdb_baseline_list_free(perfdb_baseline_list *list);

/* ---- alerts ------------------------------------------------------------------- */

/** How a change is judged significant: regress options (perfdb/regress.h), its
 *  findings and the alerts stored from them. */
typedef enum perfdb_method {
	PERFDB_METHOD_AUTO = 0,	   /**< change points; samples when there are any, else values */
	PERFDB_METHOD_PERCENT,	   /**< threshold only, no significance test */
	PERFDB_METHOD_TTEST,	   /**< Welch's t-test of the samples and runs (levels without) */
	PERFDB_METHOD_MANNWHITNEY, /**< Mann-Whitney U of the samples and runs (levels without) */
	PERFDB_METHOD_ZSCORE,	   /**< the new value against the baseline window's spread */
	PERFDB_METHOD_CHANGEPOINT, /**< change points judged on per-commit values only */
	/** no test could be made (a comparison row with a side absent); never
	 *  asked for: perfdb_method_parse refuses "none" */
	PERFDB_METHOD_NONE
} perfdb_method;

/** "auto", "percent", "ttest", "mannwhitney", "zscore", "changepoint", "none";
 *  "unknown" for a value out of range. Static strings. */
const char *perfdb_method_name(perfdb_method m);
/** Parses a method that can be asked for (every name but "none").
 *  Errors: PERFDB_EINVAL. */
int perfdb_method_parse(perfdb_method *out, const char *name);

/** What people decided about an alert. */
typedef enum perfdb_alert_status {
	PERFDB_ALERT_OPEN = 0,	   /**< to act on (a new finding) */
	PERFDB_ALERT_ACKNOWLEDGED, /**< known and accepted: no longer fails a check */
	PERFDB_ALERT_IGNORED	   /**< noise or irrelevant: no longer fails a check */
} perfdb_alert_status;

/** "open", "acknowledged", "ignored"; "unknown" out of range. Static strings. */
const char *perfdb_alert_status_name(perfdb_alert_status s);
/** Parses "open", "acknowledged" or "ignored". Errors: PERFDB_EINVAL. */
int perfdb_alert_status_parse(perfdb_alert_status *out, const char *name);

/** What regress found, as stored in alerts. */
typedef struct perfdb_alert_input {
	int64_t benchmark_id, machine_id, commit_id;
	const perfdb_tags *tags;			   /**< NULL: none */
	int improvement;				   /**< 0: regression, 1: improvement */
	double baseline_value, value, change_pct, p_value; /**< NAN stored as NULL */
	perfdb_method method; /**< the test that decided; PERFDB_METHOD_NONE stored as NULL */
} perfdb_alert_input;

/** The stored alert's id and status. */
typedef struct perfdb_alert_state {
	int64_t id;
	perfdb_alert_status status;
} perfdb_alert_state;

/**
 * Stores n findings in one transaction: a new finding becomes an open
 * alert; one already stored (same series, commit and kind) keeps its id and
 * status and gets the new figures. states[i] receives the outcome for
 * items[i]. Errors: PERFDB_EREADONLY, PERFDB_EDB.
 */
int perfdb_store_alerts_record(perfdb_store *store, const perfdb_alert_input *items, size_t n,
			       perfdb_alert_state *states);

/**
 * Reads the stored status of a finding without writing (for read-only runs):
 * states->id is 0 and status PERFDB_ALERT_OPEN when it was never stored.
 */
int perfdb_store_alert_lookup(perfdb_store *store, const perfdb_alert_input *item,
			      perfdb_alert_state *state);

/** Which way a stored alert moved. */
typedef enum perfdb_alert_kind {
	PERFDB_ALERT_REGRESSION = 0, /**< worse: open ones fail a check */
	PERFDB_ALERT_IMPROVEMENT     /**< better: never to act on */
} perfdb_alert_kind;

/** "regression", "improvement"; "unknown" out of range. Static strings. */
const char *perfdb_alert_kind_name(perfdb_alert_kind k);

/** A stored alert. Strings and tags are borrowed from the list it came from. */
typedef struct perfdb_alert {
	int64_t id;
	const char *benchmark, *metric, *unit, *machine; /**< the series */
	const perfdb_tags *tags;			 /**< never NULL ("{}": none) */
	const char *sha;				 /**< the commit it was found at */
	perfdb_alert_kind kind;
	perfdb_alert_status status;
	perfdb_method method;	      /**< the test that decided; PERFDB_METHOD_NONE when none */
	double baseline_value, value; /**< in unit; NAN when not stored */
	double change_pct;	      /**< percent; NAN when not stored */
	double p_value;		      /**< NAN when no test gave one */
	const char *created_at;	      /**< ISO 8601 UTC, when first found */
	const char *note;	      /**< NULL when none */
} perfdb_alert;

/** The word a listing shows for a's status: "noted" for an improvement that is
 *  open (nobody acknowledged or ignored it; open is for things to act on),
 *  else perfdb_alert_status_name(a->status). Static strings. */
const char *perfdb_alert_status_label(const perfdb_alert *a);

/** Alerts read from the store (perfdb_store_alert_list). */
typedef struct perfdb_alert_list perfdb_alert_list;

/**
 * Reads the stored alerts into *out (owned, perfdb_alert_list_free), newest
 * first. all == 0 reads only what is to act on: open regressions; all != 0
 * reads every alert, improvements and settled ones included.
 * Errors: PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_store_alert_list(perfdb_alert_list **out, perfdb_store *store, int all);

size_t perfdb_alert_list_count(const perfdb_alert_list *list);
/** Alert i (i < count; NULL otherwise), borrowed from the list. */
const perfdb_alert *perfdb_alert_list_get(const perfdb_alert_list *list, size_t i);
/** Frees the list, its strings and tags. Accepts NULL. */
void perfdb_alert_list_free(perfdb_alert_list *list);

/**
 * Sets alert id's status and, when note is not NULL, its note.
 * Errors: PERFDB_ENOTFOUND, PERFDB_EINVAL (not a perfdb_alert_status),
 * PERFDB_EREADONLY, PERFDB_EDB.
 */
int perfdb_store_alert_set_status(perfdb_store *store, int64_t id, perfdb_alert_status status,
				  const char *note);

#ifdef __cplusplus
}
#endif
#endif
