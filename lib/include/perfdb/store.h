/*
 * perfdb/store.h - the history database.
 *
 * The store is the only code in perfdb that speaks SQL. It opens (creating
 * and migrating) an SQLite file, records resultsets as runs, and answers
 * read-only queries. Opening applies pending schema migrations in one
 * transaction; the file is in WAL mode with foreign keys on and a busy
 * timeout, and every write takes the lock up front (BEGIN IMMEDIATE), so
 * several processes can record into one file at once without losing a run.
 */
#ifndef PERFDB_STORE_H
#define PERFDB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/common.h"
#include "perfdb/resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct perfdb_store perfdb_store;

/** Flags for perfdb_store_open. */
enum {
	PERFDB_STORE_READWRITE = 0, /**< create the file if missing, migrate */
	PERFDB_STORE_READONLY = 1,  /**< the file must exist; nothing is ever written */
	/** with READWRITE: the file must exist (for what reads a history and
	 *  writes beside it, e.g. alerts: a mistyped path is an error, not a new
	 *  empty history) */
	PERFDB_STORE_MUST_EXIST = 2
};

/**
 * Opens the database at path into *out (owned by the caller, released with
 * perfdb_store_free). Read-write opens create the file and apply pending
 * migrations; read-only opens refuse a file whose schema is older than this
 * build. Errors: PERFDB_EDB (cannot open, corrupt, locked past the busy
 * timeout, newer schema than this build), PERFDB_ENOTFOUND (read-only or
 * MUST_EXIST, and no file), PERFDB_ENOMEM.
 */
int perfdb_store_open(perfdb_store **out, const char *path, unsigned flags);

/** Closes the store. Accepts NULL. */
void perfdb_store_free(perfdb_store *store);

/** The schema version this build writes (PRAGMA user_version after open). */
int perfdb_store_schema_version(void);

/** The path the store was opened with, borrowed. */
const char *perfdb_store_path(const perfdb_store *store);

/**
 * Records rs as one run in one transaction: its commit (created when new),
 * machine, tags, benchmarks, results and samples. rs must carry at least
 * PERFDB_META_COMMIT and PERFDB_META_MACHINE (see perfdb_resultset_fill_context).
 * On any error nothing is written. *run_id (may be NULL) receives the run's id.
 * Errors: PERFDB_EINVAL (missing metadata, empty resultset), PERFDB_EDB,
 * PERFDB_EREADONLY, PERFDB_ENOMEM.
 */
int perfdb_store_record(perfdb_store *store, const perfdb_resultset *rs, int64_t *run_id);

/** A run being recorded a batch of results at a time. */
typedef struct perfdb_recording perfdb_recording;

/**
 * Starts recording rs's run in one transaction: writes its commit (created
 * when new), machine and run (tags, context), not its results, which come
 * with perfdb_recording_add; perfdb_recording_finish keeps them all, and
 * anything else (perfdb_recording_free, an error, the process killed) leaves
 * nothing written. rs's metadata is taken now: it must carry
 * PERFDB_META_COMMIT and PERFDB_META_MACHINE. The store is used for nothing
 * else until the recording is freed. *out belongs to the caller
 * (perfdb_recording_free). Errors: PERFDB_EINVAL (missing metadata),
 * PERFDB_EDB, PERFDB_EREADONLY, PERFDB_ENOMEM.
 */
int perfdb_store_record_begin(perfdb_recording **out, perfdb_store *store,
			      const perfdb_resultset *rs);

/**
 * Writes rs's results (not its metadata) into the run; rs may be emptied
 * after. A benchmark (name, metric, unit) that the run has twice is
 * PERFDB_EINVAL ("benchmark 'x' metric 'y' appears twice in one run"): from
 * this call when both are in rs (or, on a server, when an earlier call gave
 * the other), else from perfdb_recording_finish (an SQLite file keeps the
 * results of later calls aside until then, to write them in key order).
 * After any error only perfdb_recording_free is left.
 * Errors: PERFDB_EINVAL, PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_recording_add(perfdb_recording *rec, const perfdb_resultset *rs);

/**
 * Commits the run; *run_id (may be NULL) receives its id. PERFDB_EINVAL when
 * no result was added, or a result was added twice (see perfdb_recording_add). Then (whatever it
 * returns) only perfdb_recording_free is left. Errors: PERFDB_EINVAL, PERFDB_EDB.
 */
int perfdb_recording_finish(perfdb_recording *rec, int64_t *run_id);

/** Frees rec; rolls its run back unless it was finished. Accepts NULL. */
void perfdb_recording_free(perfdb_recording *rec);

/**
 * Compares the hardware rs describes (context keys cpu, cores, memory in
 * whole GiB, os) with what the store last recorded for rs's machine name.
 * *out receives NULL when they agree (or nothing is known), else a
 * description of what differs ("cpu 'X' (before: 'Y')"), owned by the
 * caller (free()): two kinds of hardware under one machine name, whose
 * results should not be compared. Errors: PERFDB_EDB, PERFDB_ENOMEM.
 */
int perfdb_store_machine_check(char **out, perfdb_store *store, const perfdb_resultset *rs);

/** What perfdb_store_merge did. */
typedef struct perfdb_merge_stats {
	size_t runs_added;	 /**< runs copied */
	size_t runs_present;	 /**< runs of the shard the store already had (by uuid) */
	size_t results_added;	 /**< results of the copied runs */
	size_t commits_added;	 /**< commits new to the store */
	size_t benchmarks_added; /**< benchmarks new to the store */
	size_t baselines_added;	 /**< baselines whose name was new to the store */
	size_t alerts_added;	 /**< alerts new to the store */
} perfdb_merge_stats;

/**
 * Merges the perfdb database at src_path (a shard) into store, in one
 * transaction: every run the store does not have (runs are identified by
 * their uuid, so merging a shard twice, or A into B and B into C, copies a
 * run once), with its commit, machine, benchmarks, results, samples and
 * tags. Commits new to the store follow its own in their recorded order,
 * and known commits get the details the store lacked. A baseline name the
 * store already has keeps its commit. An alert both have takes the shard's
 * status when the store's is open and the shard's is not (a decision wins
 * over open; of two decisions the store keeps its own).
 *
 * The store may be a file or a PostgreSQL server; shards are files. On a
 * server, rows that identify themselves go in with ON CONFLICT, so a merge
 * beside another merge or a record doubles nothing.
 *
 * The shard is read through a private temporary copy, never written. A
 * shard that is corrupt, not a perfdb database or of a newer schema fails
 * before the store is touched. *out receives the counts.
 * Errors: PERFDB_ENOTFOUND (no file), PERFDB_EINPUT (not a perfdb
 * database), PERFDB_EINVAL (not a regular file), PERFDB_EDB (corrupt,
 * newer schema, a failed write), PERFDB_EREADONLY, PERFDB_EIO, PERFDB_ENOMEM.
 */
int perfdb_store_merge(perfdb_merge_stats *out, perfdb_store *store, const char *src_path);

/** A value in a query row. */
typedef enum perfdb_value_type {
	PERFDB_VALUE_NULL = 0,
	PERFDB_VALUE_INTEGER,
	PERFDB_VALUE_REAL,
	PERFDB_VALUE_TEXT
} perfdb_value_type;

typedef struct perfdb_value {
	perfdb_value_type type;
	int64_t i;
	double d;
	const char *text; /**< always set: the value as text ("" for NULL) */
} perfdb_value;

/**
 * Called once with the column names (row == NULL), then once per row. All
 * pointers are borrowed for the duration of the call. Return non-zero to stop.
 */
typedef int (*perfdb_row_fn)(void *ctx, size_t ncols, const char *const *names,
			     const perfdb_value *row);

/**
 * Runs one read-only SQL statement and streams its rows to fn. Statements
 * that would change the database (INSERT, UPDATE, DELETE, CREATE, DROP, a
 * writing PRAGMA, ATTACH, DETACH, VACUUM, transactions) are refused with
 * PERFDB_EREADONLY before they run, whatever the open mode. Only one
 * statement is allowed. Errors: PERFDB_EINVAL (SQL error, with SQLite's
 * message), PERFDB_EREADONLY, PERFDB_EDB.
 */
int perfdb_store_query(perfdb_store *store, const char *sql, perfdb_row_fn fn, void *ctx);

/**
 * Interrupts perfdb_store_query and perfdb_store_list once they have run for
 * `seconds` (fractions allowed; 0, the default, means never): the call then
 * fails with PERFDB_EDB and a message naming the limit. A statement over
 * untrusted or large history can otherwise run for ever.
 */
void perfdb_store_set_query_timeout(perfdb_store *store, double seconds);

/** What perfdb_store_list lists. */
typedef enum perfdb_list_kind {
	PERFDB_LIST_COMMITS = 0,
	PERFDB_LIST_BENCHMARKS,
	PERFDB_LIST_MACHINES,
	PERFDB_LIST_RUNS
} perfdb_list_kind;

/** Parses "commits", "benchmarks", "machines", "runs". PERFDB_EINVAL otherwise. */
int perfdb_list_kind_parse(perfdb_list_kind *out, const char *name);

/** Streams a fixed, documented listing (columns as in cli/README.md, "perfdb list") to fn. */
int perfdb_store_list(perfdb_store *store, perfdb_list_kind kind, perfdb_row_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
