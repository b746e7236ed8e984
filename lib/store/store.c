/*
 * The store: open, migrate, record. The only code in perfdb that speaks SQL
 * (with the other files of lib/store/).
 */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "perfdb/context.h"
#include "store/schema.h"
#include "util/error.h"

/* How long a writer waits for another process's transaction to finish. CI
 * jobs recording into one shared file must queue, not fail. */
#define BUSY_TIMEOUT_MS 30000

int perfdb_store__fail(perfdb_store *store, const char *what)
{
	int rc = sqlite3_extended_errcode(store->db);
	const char *msg = sqlite3_errmsg(store->db);
	if ((rc & 0xff) == SQLITE_READONLY)
		return perfdb_error__set(PERFDB_EREADONLY, "cannot write '%s': %s", store->path, msg);
	return perfdb_error__set(PERFDB_EDB, "%s '%s': %s", what, store->path, msg);
}

int perfdb_store__prepare(perfdb_store *store, sqlite3_stmt **out, const char *sql)
{
	if (sqlite3_prepare_v2(store->db, sql, -1, out, NULL) != SQLITE_OK)
		return perfdb_store__fail(store, "cannot prepare a statement on");
	return 0;
}

int perfdb_store__begin(perfdb_store *store)
{
	if (sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return perfdb_store__fail(store, "cannot write");
	return 0;
}

int perfdb_store__commit(perfdb_store *store)
{
	if (sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int err = perfdb_store__fail(store, "cannot commit to");
		perfdb_store__rollback(store);
		return err;
	}
	return 0;
}

void perfdb_store__rollback(perfdb_store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

int perfdb_store_schema_version(void)
{
	return perfdb_schema__count ? perfdb_schema__migrations[perfdb_schema__count - 1].version : 0;
}

static int user_version(perfdb_store *store, int *out)
{
	sqlite3_stmt *st;
	int err, rc;
	if ((err = perfdb_store__prepare(store, &st, "PRAGMA user_version")))
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return perfdb_store__fail(store, "cannot read the schema version of");
	return 0;
}

/* Applies every migration newer than user_version in one transaction, so a
 * file is either at the old version or at the new one. */
static int migrate(perfdb_store *store)
{
	int version, err, i;
	char pragma[64];

	if ((err = user_version(store, &version)))
		return err;
	if (version > perfdb_store_schema_version())
		return perfdb_error__set(PERFDB_EDB,
					 "'%s' has schema version %d, newer than this perfdb (%d); "
					 "upgrade perfdb",
					 store->path, version, perfdb_store_schema_version());
	if (version == perfdb_store_schema_version())
		return 0;
	if (store->flags & PERFDB_STORE_READONLY)
		return perfdb_error__set(PERFDB_EDB,
					 "'%s' has schema version %d and needs migrating to %d; "
					 "open it once read-write (perfdb record)",
					 store->path, version, perfdb_store_schema_version());
	if ((err = perfdb_store__begin(store)))
		return err;
	/* Another process may have migrated while we waited for the lock. */
	if ((err = user_version(store, &version))) {
		perfdb_store__rollback(store);
		return err;
	}
	for (i = 0; i < perfdb_schema__count; i++) {
		const perfdb_schema_migration *m = &perfdb_schema__migrations[i];
		char *msg = NULL;
		if (m->version <= version)
			continue;
		if (sqlite3_exec(store->db, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
			perfdb_error__set(PERFDB_EDB, "migration %s failed on '%s': %s", m->name,
					  store->path, msg ? msg : "unknown error");
			sqlite3_free(msg);
			perfdb_store__rollback(store);
			return PERFDB_EDB;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (sqlite3_exec(store->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
			err = perfdb_store__fail(store, "cannot set the schema version of");
			perfdb_store__rollback(store);
			return err;
		}
	}
	return perfdb_store__commit(store);
}

int perfdb_store_open(perfdb_store **out, const char *path, unsigned flags)
{
	perfdb_store *store;
	int oflags, rc, err;
	size_t n;

	*out = NULL;
	if (!path || !*path)
		return perfdb_error__set(PERFDB_EINVAL, "no database path");
	if ((flags & PERFDB_STORE_READONLY) && access(path, F_OK) != 0)
		return perfdb_error__set(PERFDB_ENOTFOUND, "cannot open '%s': %s", path,
					 strerror(errno));
	if (!(store = calloc(1, sizeof(*store))))
		return perfdb_error__oom();
	n = strlen(path) + 1;
	if (!(store->path = malloc(n))) {
		free(store);
		return perfdb_error__oom();
	}
	memcpy(store->path, path, n);
	store->flags = flags;

	oflags = (flags & PERFDB_STORE_READONLY) ? SQLITE_OPEN_READONLY
						 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &store->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err = perfdb_error__set(PERFDB_EDB, "cannot open '%s': %s", path,
					store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
		perfdb_store_close(store);
		return err;
	}
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS);

	/* Touch the file's header first: a file that is not a database fails
	 * here with "file is not a database" rather than half-way through. */
	if (sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(store->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		err = perfdb_store__fail(store, "cannot open");
		perfdb_store_close(store);
		return err;
	}
	if (!(flags & PERFDB_STORE_READONLY)) {
		/* WAL lets readers run beside one writer; NORMAL sync is durable
		 * across application crashes, which is what a CI history needs. */
		if (sqlite3_exec(store->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) !=
			    SQLITE_OK ||
		    sqlite3_exec(store->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) !=
			    SQLITE_OK) {
			err = perfdb_store__fail(store, "cannot open");
			perfdb_store_close(store);
			return err;
		}
	}
	if ((err = migrate(store))) {
		perfdb_store_close(store);
		return err;
	}
	*out = store;
	return 0;
}

void perfdb_store_close(perfdb_store *store)
{
	if (!store)
		return;
	sqlite3_close_v2(store->db);
	free(store->path);
	free(store);
}

const char *perfdb_store_path(const perfdb_store *store)
{
	return store->path;
}

/* ---- recording ------------------------------------------------------------ */

/* A JSON object of a resultset's key/value list with sorted keys, so equal
 * tag sets compare equal as text in SQL. */
static char *kv_json(const perfdb_resultset *rs, int tags)
{
	json_t *obj = json_object();
	size_t i, n = tags ? perfdb_resultset_tag_count(rs) : perfdb_resultset_context_count(rs);
	char *text;
	if (!obj)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *k, *v;
		if (tags)
			perfdb_resultset_tag(rs, i, &k, &v);
		else
			perfdb_resultset_context(rs, i, &k, &v);
		json_object_set_new(obj, k, json_string(v));
	}
	text = json_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(obj);
	return text;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_real_or_null(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns one id (INSERT ... RETURNING or SELECT). */
static int step_id(perfdb_store *store, sqlite3_stmt *st, int64_t *id, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		return perfdb_store__fail(store, what);
	return 0;
}

static int upsert_commit(perfdb_store *store, const perfdb_resultset *rs, int64_t *id)
{
	/* A commit recorded again keeps its first seq (its place in the
	 * fallback order) but learns details it did not have. */
	static const char sql[] =
		"INSERT INTO commits(sha, parent_sha, committed_at, subject, author, seq) "
		"VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(seq), 0) + 1 FROM commits)) "
		"ON CONFLICT(sha) DO UPDATE SET "
		"parent_sha = coalesce(commits.parent_sha, excluded.parent_sha), "
		"committed_at = coalesce(commits.committed_at, excluded.committed_at), "
		"subject = coalesce(commits.subject, excluded.subject), "
		"author = coalesce(commits.author, excluded.author) "
		"RETURNING id";
	sqlite3_stmt *st;
	int err;
	if ((err = perfdb_store__prepare(store, &st, sql)))
		return err;
	bind_text_or_null(st, 1, perfdb_resultset_meta(rs, PERFDB_META_COMMIT));
	bind_text_or_null(st, 2, perfdb_resultset_meta(rs, PERFDB_META_PARENT));
	bind_text_or_null(st, 3, perfdb_resultset_meta(rs, PERFDB_META_COMMITTED_AT));
	bind_text_or_null(st, 4, perfdb_resultset_meta(rs, PERFDB_META_SUBJECT));
	bind_text_or_null(st, 5, perfdb_resultset_meta(rs, PERFDB_META_AUTHOR));
	err = step_id(store, st, id, "cannot record a commit in");
	sqlite3_finalize(st);
	return err;
}

static int upsert_machine(perfdb_store *store, const perfdb_resultset *rs, int64_t *id)
{
	/* The fingerprint is refreshed on every record: a machine that was
	 * upgraded shows its current description. */
	static const char sql[] = "INSERT INTO machines(name, fingerprint) VALUES (?1, ?2) "
				  "ON CONFLICT(name) DO UPDATE SET fingerprint = excluded.fingerprint "
				  "RETURNING id";
	sqlite3_stmt *st;
	char *fingerprint = kv_json(rs, 0);
	int err;
	if (!fingerprint)
		return perfdb_error__oom();
	if ((err = perfdb_store__prepare(store, &st, sql))) {
		free(fingerprint);
		return err;
	}
	bind_text_or_null(st, 1, perfdb_resultset_meta(rs, PERFDB_META_MACHINE));
	sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
	err = step_id(store, st, id, "cannot record a machine in");
	sqlite3_finalize(st);
	free(fingerprint);
	return err;
}

static int insert_run(perfdb_store *store, const perfdb_resultset *rs, int64_t commit_id,
		      int64_t machine_id, int64_t *id)
{
	static const char sql[] = "INSERT INTO runs(commit_id, branch, machine_id, started_at, source, "
				  "tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
	sqlite3_stmt *st;
	char *tags = kv_json(rs, 1);
	const char *source = perfdb_resultset_meta(rs, PERFDB_META_SOURCE);
	const char *started = perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT);
	char now[32];
	int err;

	if (!tags)
		return perfdb_error__oom();
	if (!started) {
		perfdb_time_now_iso(now, sizeof(now));
		started = now;
	}
	if ((err = perfdb_store__prepare(store, &st, sql))) {
		free(tags);
		return err;
	}
	sqlite3_bind_int64(st, 1, commit_id);
	bind_text_or_null(st, 2, perfdb_resultset_meta(rs, PERFDB_META_BRANCH));
	sqlite3_bind_int64(st, 3, machine_id);
	sqlite3_bind_text(st, 4, started, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, source && *source ? source : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, tags, -1, SQLITE_STATIC);
	err = step_id(store, st, id, "cannot record a run in");
	sqlite3_finalize(st);
	free(tags);
	return err;
}

typedef struct record_stmts {
	sqlite3_stmt *find_bench, *insert_bench, *insert_result, *insert_sample;
} record_stmts;

static void stmts_release(record_stmts *s)
{
	sqlite3_finalize(s->find_bench);
	sqlite3_finalize(s->insert_bench);
	sqlite3_finalize(s->insert_result);
	sqlite3_finalize(s->insert_sample);
}

static int stmts_prepare(perfdb_store *store, record_stmts *s)
{
	int err;
	if ((err = perfdb_store__prepare(store, &s->find_bench,
					 "SELECT id, direction FROM benchmarks "
					 "WHERE name = ?1 AND metric = ?2 AND unit = ?3")) ||
	    (err = perfdb_store__prepare(store, &s->insert_bench,
					 "INSERT INTO benchmarks(name, metric, unit, direction) "
					 "VALUES (?1, ?2, ?3, ?4) RETURNING id")) ||
	    (err = perfdb_store__prepare(store, &s->insert_result,
					 "INSERT INTO results(run_id, benchmark_id, value, n, mean, "
					 "median, stddev, min, max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
					 "?8, ?9)")) ||
	    (err = perfdb_store__prepare(store, &s->insert_sample,
					 "INSERT INTO samples(run_id, benchmark_id, idx, value) "
					 "VALUES (?1, ?2, ?3, ?4)")))
		return err;
	return 0;
}

static int benchmark_id(perfdb_store *store, record_stmts *s, const perfdb_result *r, int64_t *id)
{
	int rc, err;
	sqlite3_reset(s->find_bench);
	sqlite3_bind_text(s->find_bench, 1, r->benchmark, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->find_bench, 2, r->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->find_bench, 3, r->unit, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->find_bench);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s->find_bench, 0);
		sqlite3_reset(s->find_bench);
		return 0;
	}
	if (rc != SQLITE_DONE)
		return perfdb_store__fail(store, "cannot read benchmarks from");
	sqlite3_reset(s->insert_bench);
	sqlite3_bind_text(s->insert_bench, 1, r->benchmark, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert_bench, 2, r->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert_bench, 3, r->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert_bench, 4, perfdb_direction_name(r->direction), -1,
			  SQLITE_STATIC);
	err = step_id(store, s->insert_bench, id, "cannot record a benchmark in");
	sqlite3_reset(s->insert_bench);
	return err;
}

static int insert_result(perfdb_store *store, record_stmts *s, int64_t run_id, int64_t bench_id,
			 const perfdb_result *r)
{
	sqlite3_stmt *st = s->insert_result;
	size_t i;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, bench_id);
	sqlite3_bind_double(st, 3, r->value);
	sqlite3_bind_int64(st, 4, r->n);
	bind_real_or_null(st, 5, r->mean);
	bind_real_or_null(st, 6, r->median);
	bind_real_or_null(st, 7, r->stddev);
	bind_real_or_null(st, 8, r->min);
	bind_real_or_null(st, 9, r->max);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(store->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			return perfdb_error__set(PERFDB_EINVAL,
						 "benchmark '%s' metric '%s' appears twice in one run",
						 r->benchmark, r->metric);
		return perfdb_store__fail(store, "cannot record a result in");
	}
	st = s->insert_sample;
	for (i = 0; i < r->nsamples; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_int64(st, 2, bench_id);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		sqlite3_bind_double(st, 4, r->samples[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return perfdb_store__fail(store, "cannot record a sample in");
	}
	return 0;
}

int perfdb_store_record(perfdb_store *store, const perfdb_resultset *rs, int64_t *run_id)
{
	record_stmts s = {0};
	int64_t commit_id = 0, machine_id = 0, rid = 0, bid = 0;
	size_t i, n = perfdb_resultset_count(rs);
	int err;

	if (store->flags & PERFDB_STORE_READONLY)
		return perfdb_error__set(PERFDB_EREADONLY, "'%s' is open read-only", store->path);
	if (!perfdb_resultset_meta(rs, PERFDB_META_COMMIT))
		return perfdb_error__set(PERFDB_EINVAL, "no commit to record for (use --commit)");
	if (!perfdb_resultset_meta(rs, PERFDB_META_MACHINE))
		return perfdb_error__set(PERFDB_EINVAL, "no machine to record for (use --machine)");
	if (n == 0)
		return perfdb_error__set(PERFDB_EINVAL, "nothing to record: no results");

	if ((err = perfdb_store__begin(store)))
		return err;
	if ((err = stmts_prepare(store, &s)) || (err = upsert_commit(store, rs, &commit_id)) ||
	    (err = upsert_machine(store, rs, &machine_id)) ||
	    (err = insert_run(store, rs, commit_id, machine_id, &rid)))
		goto fail;
	for (i = 0; i < n; i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if ((err = benchmark_id(store, &s, r, &bid)) ||
		    (err = insert_result(store, &s, rid, bid, r)))
			goto fail;
	}
	stmts_release(&s);
	if ((err = perfdb_store__commit(store)))
		return err;
	if (run_id)
		*run_id = rid;
	return 0;
fail:
	stmts_release(&s);
	perfdb_store__rollback(store);
	return err;
}
