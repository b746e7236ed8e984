/* Library-internal: shared by lib/store/{series,baselines,alerts}.c, and the
 * commit lookup perfdb_commit_resolve (lib/analysis/scope.c) builds on. */
#ifndef PERFDB_STORE_HISTORY_INTERNAL_H
#define PERFDB_STORE_HISTORY_INTERNAL_H

#include "perfdb/history.h"
#include "store/store.h"

/*
 * A recorded commit by its sha or an unambiguous prefix of at least 4
 * characters (an exact match wins). *out_id receives its id and *out_sha
 * (may be NULL) a new copy of the recorded sha (caller frees).
 * Errors: PERFDB_ENOTFOUND, PERFDB_EINVAL (ambiguous prefix), PERFDB_EDB,
 * PERFDB_ENOMEM.
 */
int perfdb_store__find_commit(int64_t *out_id, char **out_sha, perfdb_store *store,
			      const char *rev);

/*
 * Tags from their stored JSON text (NULL: none, "{}"): *out owned, released
 * with perfdb_store__tags_free (accepts NULL). Text that is not a JSON
 * object has no pairs. Errors: PERFDB_ENOMEM.
 */
int perfdb_store__tags_new(perfdb_tags **out, const char *json);
void perfdb_store__tags_free(perfdb_tags *t);

/*
 * perfdb_store_read_series; lazy: each series' points are made only when
 * asked for (perfdb_series_set__load, __view, or perfdb_series_set_get),
 * for one pass over many series that looks at each once (regress): the
 * points of a wide history are made one series at a time in one buffer
 * instead of all at once.
 */
int perfdb_store__read_series(perfdb_series_set **out, perfdb_store *store,
			      const perfdb_series_query *q, int lazy);

/* Series i's names, ids and point count without making its points (NULL
 * when a lazy set has not made them yet). */
const perfdb_series *perfdb_series_set__head(const perfdb_series_set *set, size_t i);

/* Series i with its points, made now in a lazy set and kept with the set.
 * Not thread-safe on a lazy set. Errors: PERFDB_EINVAL, PERFDB_ENOMEM. */
int perfdb_series_set__load(const perfdb_series **out, const perfdb_series_set *set, size_t i);

/* A series' points made in a buffer of the caller's, valid until the next
 * view into it (or the series' own, once loaded). */
typedef struct perfdb_series_view {
	perfdb_series series;
	void *mem;
	size_t cap;
	double *scratch;
	size_t capscratch;
} perfdb_series_view;

#define PERFDB_SERIES_VIEW_INIT                                                                    \
	{                                                                                          \
		0                                                                                  \
	}

/* *out: series i of set, its points made in v when the set is lazy. */
int perfdb_series_set__view(const perfdb_series **out, const perfdb_series_set *set, size_t i,
			    perfdb_series_view *v);
void perfdb_series_set__view_release(perfdb_series_view *v);

/* The series of a lazy set (set indexes) in the order their entries are
 * kept, the order in which viewing them one by one reads memory in turn
 * (in name order each series' results lie far apart: a wide history's view
 * waited on memory for most of its time); NULL: the set's own order. */
const size_t *perfdb_series_set__visit_order(const perfdb_series_set *set);

/* How many runs of a read were read from their result blocks (blocks.h)
 * rather than their rows; 0 for NULL. For tests. */
size_t perfdb_series_set__runs_from_blocks(const perfdb_series_set *set);

#endif
