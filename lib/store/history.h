/* Library-internal: shared by lib/store/{series,baselines,alerts}.c. */
#ifndef PERFDB_STORE_HISTORY_INTERNAL_H
#define PERFDB_STORE_HISTORY_INTERNAL_H

#include "store/store.h"

/* Streams the rows of a prepared statement to fn (column names first, as
 * perfdb_store_query does). Does not finalize st. */
int perfdb_store__stream(perfdb_store *store, sqlite3_stmt *st, perfdb_row_fn fn, void *ctx);

#endif
