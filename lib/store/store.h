/* Library-internal: the store handle, shared by the files of lib/store only. */
#ifndef PERFDB_STORE_INTERNAL_H
#define PERFDB_STORE_INTERNAL_H

#include "perfdb/store.h"
#include "store/db.h"

struct perfdb_store {
	perfdb_db *db;
	char *path; /* as opened; a server's DSN without its password */
	unsigned flags;
	double query_timeout; /* seconds, 0: none (perfdb_store_set_query_timeout) */
};

/* Raises PERFDB_EDB (or PERFDB_EREADONLY for a write the database refused
 * as read-only) with "what 'path': the engine's message" and returns it. */
int perfdb_store__fail(perfdb_store *store, const char *what);

/* BEGIN / COMMIT / ROLLBACK. On SQLite, writes take the lock up front
 * (BEGIN IMMEDIATE) so two writers never deadlock on a read-to-write
 * upgrade; on PostgreSQL rows lock as they are written and ON CONFLICT
 * settles concurrent inserts of one key. */
int perfdb_store__begin(perfdb_store *store);
int perfdb_store__commit(perfdb_store *store);
void perfdb_store__rollback(perfdb_store *store);

/* Reads that must agree with each other (commits, runs, results of one
 * series read) see one snapshot: on a server, a REPEATABLE READ READ ONLY
 * transaction, begun unless one is open (*began says whether it was). On a
 * file, SQLite's transaction of each statement, as before. */
int perfdb_store__snapshot_begin(perfdb_store *store, int *began);
void perfdb_store__snapshot_end(perfdb_store *store, int began);

/* Streams the rows of a prepared statement to fn (names first, then typed
 * rows); fn returning non-zero stops early. Errors: PERFDB_EINVAL (the
 * statement failed), PERFDB_ENOMEM. */
int perfdb_store__stream(perfdb_store *store, perfdb_stmt *st, perfdb_row_fn fn, void *ctx);

/* The id a benchmark (name, metric, unit) is stored under when no other
 * holds it: a 47-bit FNV-1a hash. Stored ids depend on it: never change it.
 * A collision is probed forward (the next free id), see store.c. */
int64_t perfdb_store__benchmark_hash(const char *name, const char *metric, const char *unit);

/* A benchmark to find or add; the strings are borrowed. */
typedef struct perfdb_bench_key {
	const char *name, *metric, *unit;
	int higher_is_better;
} perfdb_bench_key;

/* The benchmarks to find or add: an array of keys, or (array NULL) the
 * results of a resultset, read in place so that a big run is not copied. */
typedef struct perfdb_bench_keys {
	const perfdb_bench_key *array;
	const perfdb_resultset *rs;
} perfdb_bench_keys;

/* Gives each of the n benchmarks of keys its id here (ids[i], n of them):
 * the id it is stored under, or, for one this database does not have, its
 * hash or the next free id after it, under which it is added (in id order;
 * on a server by COPY). *added receives how many were added (may be NULL).
 * Runs in the caller's transaction. Errors: PERFDB_EDB, PERFDB_ENOMEM. */
int perfdb_store__benchmark_ids(perfdb_store *store, const perfdb_bench_keys *keys, size_t n,
				int64_t *ids, size_t *added);

/* A random version-4 UUID, 36 characters and a NUL, for runs.uuid.
 * Errors: PERFDB_EIO (no randomness). */
int perfdb_store__uuid(char out[37]);

/* INSERT ... ON CONFLICT of one commit (?1 sha, ?2 parent, ?3 time, ?4
 * subject, ?5 author) RETURNING its id, in store's dialect: new commits come
 * last in the recorded order (a seq no other commit has, even with writers
 * at once on a server), known ones learn the details they lacked. Static
 * text. */
const char *perfdb_store__upsert_commit_sql(const perfdb_store *store);

/* The integer in the first column of sql's first row (a count), or -1
 * when sql fails or gives no row. */
int64_t perfdb_store__count(perfdb_store *store, const char *sql);

/* Prepares sql or raises PERFDB_EDB. */
int perfdb_store__prepare(perfdb_store *store, perfdb_stmt **out, const char *sql);

/* Makes room for one more item in *items (count used of *cap, each size
 * bytes), doubling it. Returns 0, or -1 (nothing changed) when out of memory. */
int perfdb_store__grow(void **items, size_t *cap, size_t count, size_t size);

/* Column i of the current row as a new string (free), NULL for SQL NULL;
 * *oom is set to 1 when a copy failed. */
char *perfdb_store__column_dup(perfdb_stmt *st, int i, int *oom);

/* Column i of the current row as a double, NAN for SQL NULL. */
double perfdb_store__column_real(perfdb_stmt *st, int i);

/* Whether the store is on a PostgreSQL server. */
int perfdb_store__is_server(const perfdb_store *store);

#endif
