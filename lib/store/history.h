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

/* How many runs of a read were read from their result blocks (blocks.h)
 * rather than their rows; 0 for NULL. For tests. */
size_t perfdb_series_set__runs_from_blocks(const perfdb_series_set *set);

#endif
