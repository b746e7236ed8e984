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
			    SQLITE_OK ||
		    sqlite3_exec(store->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL) !=
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
					 "SELECT name, metric, unit FROM benchmarks WHERE id = ?1")) ||
	    (err = perfdb_store__prepare(store, &s->insert_bench,
					 "INSERT INTO benchmarks(id, name, metric, unit, direction) "
					 "VALUES (?1, ?2, ?3, ?4, ?5)")) ||
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

/* FNV-1a over name, metric and unit (NUL-separated), folded to 47 bits:
 * SQLite stores such an integer in 6 bytes instead of 8, in every result
 * row. Collisions only cost a probe (see plan_id). Ids are stored, so the
 * function must never change. */
#define ID_MASK ((1ull << 47) - 1)

static int64_t benchmark_hash(const perfdb_result *r)
{
	const char *parts[3] = {r->benchmark, r->metric, r->unit};
	uint64_t h = 14695981039346656037ull;
	size_t i;
	for (i = 0; i < 3; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];
		for (; *p; p++) {
			h ^= *p;
			h *= 1099511628211ull;
		}
		h *= 1099511628211ull; /* the separator: a 0 byte */
	}
	h = (h ^ (h >> 47)) & ID_MASK;
	return h ? (int64_t)h : 1;
}

static int column_is(sqlite3_stmt *st, int col, const char *s)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	return v && strcmp(v, s) == 0;
}

static int same_benchmark(const perfdb_result *a, const perfdb_result *b)
{
	return strcmp(a->benchmark, b->benchmark) == 0 && strcmp(a->metric, b->metric) == 0 &&
	       strcmp(a->unit, b->unit) == 0;
}

/* Benchmarks of one record call: their ids, and which are new. New ids are
 * claimed in an open-addressing table first and inserted in id order later,
 * so hash collisions between two new benchmarks probe like any other. */
typedef struct id_plan {
	int64_t *ids;     /* ids[i]: the benchmark id of result i */
	size_t *claim;    /* table of result index + 1 that claimed a slot, 0 empty */
	int64_t *claimed; /* the id in that slot */
	size_t cap;       /* table size, a power of two */
} id_plan;

static size_t *plan_slot(id_plan *p, int64_t id)
{
	size_t mask = p->cap - 1, i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull) & mask;
	while (p->claim[i] && p->claimed[i] != id)
		i = (i + 1) & mask;
	return &p->claim[i];
}

/* The id of result i: its hash, or the next free id after it when another
 * benchmark (stored, or new in this call) already holds that hash. */
static int plan_id(perfdb_store *store, record_stmts *s, const perfdb_resultset *rs, id_plan *p,
		   size_t i)
{
	const perfdb_result *r = perfdb_resultset_get(rs, i);
	int64_t h = benchmark_hash(r);
	size_t *slot;
	int rc;

	for (;; h = (uint64_t)h == ID_MASK ? 1 : h + 1) {
		slot = plan_slot(p, h);
		if (*slot) {
			if (same_benchmark(perfdb_resultset_get(rs, *slot - 1), r))
				break;
			continue;
		}
		sqlite3_reset(s->find_bench);
		sqlite3_bind_int64(s->find_bench, 1, h);
		rc = sqlite3_step(s->find_bench);
		if (rc == SQLITE_DONE) {
			*slot = i + 1; /* new: claim it */
			p->claimed[slot - p->claim] = h;
			break;
		}
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s->find_bench);
			return perfdb_store__fail(store, "cannot read benchmarks from");
		}
		if (column_is(s->find_bench, 0, r->benchmark) &&
		    column_is(s->find_bench, 1, r->metric) && column_is(s->find_bench, 2, r->unit))
			break;
	}
	sqlite3_reset(s->find_bench);
	p->ids[i] = h;
	return 0;
}

static int insert_benchmark(perfdb_store *store, record_stmts *s, const perfdb_result *r, int64_t id)
{
	int rc;
	sqlite3_reset(s->insert_bench);
	sqlite3_bind_int64(s->insert_bench, 1, id);
	sqlite3_bind_text(s->insert_bench, 2, r->benchmark, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert_bench, 3, r->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert_bench, 4, r->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->insert_bench, 5, perfdb_direction_name(r->direction), -1,
			  SQLITE_STATIC);
	rc = sqlite3_step(s->insert_bench);
	sqlite3_reset(s->insert_bench);
	return rc == SQLITE_DONE ? 0 : perfdb_store__fail(store, "cannot record a benchmark in");
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
	/* For one observation, mean, median, min and max are the value itself:
	 * they are not stored twice (the views show the value for them). */
	bind_real_or_null(st, 5, r->n > 1 ? r->mean : NAN);
	bind_real_or_null(st, 6, r->n > 1 ? r->median : NAN);
	bind_real_or_null(st, 7, r->stddev);
	bind_real_or_null(st, 8, r->n > 1 ? r->min : NAN);
	bind_real_or_null(st, 9, r->n > 1 ? r->max : NAN);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(store->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			return perfdb_error__set(PERFDB_EINVAL,
						 "benchmark '%s' metric '%s' appears twice in one run",
						 r->benchmark, r->metric);
		return perfdb_store__fail(store, "cannot record a result in");
	}
	/* One sample says no more than the value: samples are kept from two
	 * repetitions on, which is where the statistical tests can use them. */
	if (r->nsamples < 2)
		return 0;
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

/* Sorting result indexes by benchmark id: rows then go into the B-trees in
 * key order, which fills pages instead of splitting them at random. */
static const int64_t *sort_ids;

static int by_id(const void *a, const void *b)
{
	int64_t x = sort_ids[*(const size_t *)a], y = sort_ids[*(const size_t *)b];
	return (x > y) - (x < y);
}

int perfdb_store_record(perfdb_store *store, const perfdb_resultset *rs, int64_t *run_id)
{
	record_stmts s = {0};
	id_plan plan = {0};
	int64_t commit_id = 0, machine_id = 0, rid = 0;
	size_t i, k, nnew = 0, n = perfdb_resultset_count(rs);
	size_t *order = NULL;
	int err;

	if (store->flags & PERFDB_STORE_READONLY)
		return perfdb_error__set(PERFDB_EREADONLY, "'%s' is open read-only", store->path);
	if (!perfdb_resultset_meta(rs, PERFDB_META_COMMIT))
		return perfdb_error__set(PERFDB_EINVAL, "no commit to record for (use --commit)");
	if (!perfdb_resultset_meta(rs, PERFDB_META_MACHINE))
		return perfdb_error__set(PERFDB_EINVAL, "no machine to record for (use --machine)");
	if (n == 0)
		return perfdb_error__set(PERFDB_EINVAL, "nothing to record: no results");

	for (plan.cap = 16; plan.cap < 2 * n; plan.cap *= 2)
		;
	plan.ids = malloc(n * sizeof(*plan.ids));
	plan.claim = calloc(plan.cap, sizeof(*plan.claim));
	plan.claimed = malloc(plan.cap * sizeof(*plan.claimed));
	order = malloc(n * sizeof(*order));
	if (!plan.ids || !plan.claim || !plan.claimed || !order) {
		err = perfdb_error__oom();
		goto out;
	}

	if ((err = perfdb_store__begin(store)))
		goto out;
	if ((err = stmts_prepare(store, &s)) || (err = upsert_commit(store, rs, &commit_id)) ||
	    (err = upsert_machine(store, rs, &machine_id)) ||
	    (err = insert_run(store, rs, commit_id, machine_id, &rid)))
		goto fail;
	for (i = 0; i < n; i++)
		if ((err = plan_id(store, &s, rs, &plan, i)))
			goto fail;

	/* New benchmarks, in id order. */
	for (k = 0; k < plan.cap; k++)
		if (plan.claim[k])
			order[nnew++] = plan.claim[k] - 1;
	sort_ids = plan.ids;
	qsort(order, nnew, sizeof(*order), by_id);
	for (i = 0; i < nnew; i++)
		if ((err = insert_benchmark(store, &s, perfdb_resultset_get(rs, order[i]),
					    plan.ids[order[i]])))
			goto fail;

	/* Results, in benchmark id order. */
	for (i = 0; i < n; i++)
		order[i] = i;
	qsort(order, n, sizeof(*order), by_id);
	for (i = 0; i < n; i++)
		if ((err = insert_result(store, &s, rid, plan.ids[order[i]],
					 perfdb_resultset_get(rs, order[i]))))
			goto fail;
	stmts_release(&s);
	if ((err = perfdb_store__commit(store)))
		goto out;
	if (run_id)
		*run_id = rid;
	goto out;
fail:
	stmts_release(&s);
	perfdb_store__rollback(store);
out:
	free(plan.ids);
	free(plan.claim);
	free(plan.claimed);
	free(order);
	return err;
}
