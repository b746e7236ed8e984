/*
 * The store: open, migrate, record. The only code in perfdb that speaks SQL
 * (with the other files of lib/store/).
 */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "perfdb/context.h"
#include "perfdb/stats.h"
#include "store/blocks.h"
#include "store/id_set.h"
#include "store/schema.h"
#include "util/error.h"

/* How long a writer waits for another process's transaction to finish. CI
 * jobs recording into one shared file must queue, not fail. */
#define BUSY_TIMEOUT_MS 30000

/* SQLite's page cache (KiB): big for the reads of a wide history, small
 * while perfdb_store_record writes (see there). */
#define OPEN_CACHE_KIB	 "65536"
#define RECORD_CACHE_KIB "8192"

int perfdb_store__fail(perfdb_store *store, const char *what)
{
	const char *msg = perfdb_db__errmsg(store->db);
	if (perfdb_db__error_readonly(store->db))
		return perfdb_error__set(PERFDB_EREADONLY, "cannot write '%s': %s", store->path,
					 msg);
	return perfdb_error__set(PERFDB_EDB, "%s '%s': %s", what, store->path, msg);
}

int perfdb_store__prepare(perfdb_store *store, perfdb_stmt **out, const char *sql)
{
	if (perfdb_db__prepare(store->db, out, sql) != 0)
		return perfdb_store__fail(store, "cannot prepare a statement on");
	return 0;
}

int64_t perfdb_store__count(perfdb_store *store, const char *sql)
{
	perfdb_stmt *st = NULL;
	int64_t n = -1;
	if (perfdb_store__prepare(store, &st, sql) == 0 && perfdb_stmt__step(st) == PERFDB_DB_ROW)
		n = perfdb_stmt__column_int64(st, 0);
	perfdb_stmt__free(st);
	return n;
}

int perfdb_store__grow(void **items, size_t *cap, size_t count, size_t size)
{
	size_t ncap = *cap ? 2 * *cap : 8;
	void *p;
	if (count < *cap)
		return 0;
	if (!(p = realloc(*items, ncap * size)))
		return -1;
	*items = p;
	*cap = ncap;
	return 0;
}

char *perfdb_store__column_dup(perfdb_stmt *st, int i, int *oom)
{
	const char *s = perfdb_stmt__column_text(st, i);
	char *copy;
	if (!s || perfdb_stmt__column_type(st, i) == PERFDB_VALUE_NULL)
		return NULL;
	if (!(copy = strdup(s)))
		*oom = 1;
	return copy;
}

double perfdb_store__column_real(perfdb_stmt *st, int i)
{
	if (perfdb_stmt__column_type(st, i) == PERFDB_VALUE_NULL)
		return NAN;
	return perfdb_stmt__column_double(st, i);
}

int perfdb_store__is_server(const perfdb_store *store)
{
	return perfdb_db__kind(store->db) == PERFDB_DB_POSTGRESQL;
}

int perfdb_store__begin(perfdb_store *store)
{
	if (perfdb_db__exec(store->db,
			    perfdb_store__is_server(store) ? "BEGIN" : "BEGIN IMMEDIATE") != 0)
		return perfdb_store__fail(store, "cannot write");
	return 0;
}

int perfdb_store__commit(perfdb_store *store)
{
	if (perfdb_db__exec(store->db, "COMMIT") != 0) {
		int err = perfdb_store__fail(store, "cannot commit to");
		perfdb_store__rollback(store);
		return err;
	}
	return 0;
}

void perfdb_store__rollback(perfdb_store *store)
{
	if (perfdb_db__in_transaction(store->db))
		perfdb_db__exec(store->db, "ROLLBACK");
}

int perfdb_store__snapshot_begin(perfdb_store *store, int *began)
{
	*began = 0;
	if (!perfdb_store__is_server(store) || perfdb_db__in_transaction(store->db))
		return 0;
	if (perfdb_db__exec(store->db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0)
		return perfdb_store__fail(store, "cannot read");
	*began = 1;
	return 0;
}

void perfdb_store__snapshot_end(perfdb_store *store, int began)
{
	if (began)
		perfdb_db__exec(store->db, "ROLLBACK");
}

int perfdb_store_schema_version(void)
{
	return perfdb_schema__count ? perfdb_schema__migrations[perfdb_schema__count - 1].version
				    : 0;
}

/* The schema version: PRAGMA user_version in a file; on a server, the
 * newest row of perfdb_schema (0 before the first migration). */
static int user_version(perfdb_store *store, int *out)
{
	perfdb_stmt *st;
	int err, rc;
	*out = 0; /* out-parameters are written at entry */
	if (perfdb_store__is_server(store)) {
		if ((err = perfdb_store__prepare(
			 store, &st, "SELECT to_regclass('perfdb_schema') IS NOT NULL")))
			return err;
		rc = perfdb_stmt__step(st);
		err = rc == PERFDB_DB_ROW && perfdb_stmt__column_int64(st, 0);
		perfdb_stmt__free(st);
		if (rc != PERFDB_DB_ROW)
			return perfdb_store__fail(store, "cannot read the schema version of");
		if (!err)
			return 0;
	}
	if ((err = perfdb_store__prepare(store, &st,
					 perfdb_store__is_server(store)
					     ? "SELECT coalesce(max(version), 0) FROM perfdb_schema"
					     : "PRAGMA user_version")))
		return err;
	rc = perfdb_stmt__step(st);
	if (rc == PERFDB_DB_ROW)
		*out = (int)perfdb_stmt__column_int64(st, 0);
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_ROW)
		return perfdb_store__fail(store, "cannot read the schema version of");
	return 0;
}

/* perfdb_run_uuid(...): a version-8 UUID from two FNV-1a hashes of its
 * arguments' text (NULL as nothing, each followed by a 0x1f byte). Migration
 * 0002 gives runs recorded before it their ids with it: the same run in two
 * copies of one file gets the same id. */
static void sql_run_uuid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint64_t h1 = 14695981039346656037ull, h2 = 0x84222325cbf29ce4ull;
	unsigned char b[16];
	char out[37];
	static const char hex[] = "0123456789abcdef";
	int i, k = 0;
	for (i = 0; i < argc; i++) {
		const unsigned char *t = sqlite3_value_text(argv[i]);
		int n = sqlite3_value_bytes(argv[i]), j;
		for (j = 0; t && j <= n; j++) {
			unsigned char c = j < n ? t[j] : 0x1f;
			h1 = (h1 ^ c) * 1099511628211ull;
			h2 = (h2 ^ c) * 1099511628211ull;
			h2 ^= h2 >> 29;
		}
		if (!t) {
			h1 = (h1 ^ 0x1e) * 1099511628211ull;
			h2 = (h2 ^ 0x1e) * 1099511628211ull;
		}
	}
	for (i = 0; i < 8; i++) {
		b[i] = (unsigned char)(h1 >> (8 * i));
		b[8 + i] = (unsigned char)(h2 >> (8 * i));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x80); /* version 8: vendor-defined */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[b[i] >> 4];
		out[k++] = hex[b[i] & 15];
	}
	out[k] = '\0';
	sqlite3_result_text(ctx, out, k, SQLITE_TRANSIENT);
}

/* Applies every migration newer than user_version in one transaction, so a
 * file is either at the old version or at the new one. */
static int migrate(perfdb_store *store)
{
	int server = perfdb_store__is_server(store);
	const perfdb_schema_migration *list =
	    server ? perfdb_schema__pg_migrations : perfdb_schema__migrations;
	int count = server ? perfdb_schema__pg_count : perfdb_schema__count;
	int latest = count ? list[count - 1].version : 0;
	int version, err, i;
	char sql[128];

	if ((err = user_version(store, &version)))
		return err;
	if (version > latest)
		return perfdb_error__set(PERFDB_EDB,
					 "'%s' has schema version %d, newer than this perfdb (%d); "
					 "upgrade perfdb",
					 store->path, version, latest);
	if (version == latest)
		return 0;
	if (store->flags & PERFDB_STORE_READONLY)
		return perfdb_error__set(PERFDB_EDB,
					 "'%s' has schema version %d and needs migrating to %d; "
					 "open it once read-write (perfdb record)",
					 store->path, version, latest);
	if (!server && sqlite3_create_function(perfdb_db__sqlite(store->db), "perfdb_run_uuid", -1,
					       SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
					       sql_run_uuid, NULL, NULL) != SQLITE_OK)
		return perfdb_store__fail(store, "cannot prepare the migration of");
	if ((err = perfdb_store__begin(store)))
		return err;
	/* On a server, two first runs must not both create the tables: the
	 * second waits here for the first's transaction and then finds the
	 * schema made. The key is "PfDB" (the application id of the files). */
	if (server &&
	    perfdb_db__exec(store->db,
			    "SELECT pg_advisory_xact_lock(1348879426);"
			    "CREATE TABLE IF NOT EXISTS perfdb_schema ("
			    "version integer PRIMARY KEY, applied_at text NOT NULL)") != 0) {
		err = perfdb_store__fail(store, "cannot migrate");
		perfdb_store__rollback(store);
		return err;
	}
	/* Another process may have migrated while we waited for the lock. */
	if ((err = user_version(store, &version))) {
		perfdb_store__rollback(store);
		return err;
	}
	for (i = 0; i < count; i++) {
		const perfdb_schema_migration *m = &list[i];
		if (m->version <= version)
			continue;
		if (perfdb_db__exec(store->db, m->sql) != 0) {
			perfdb_error__set(PERFDB_EDB, "migration %s failed on '%s': %s", m->name,
					  store->path, perfdb_db__errmsg(store->db));
			perfdb_store__rollback(store);
			return PERFDB_EDB;
		}
		/* the runs already there get their result blocks (schema/0009) */
		if (m->version == 9 && (err = perfdb_store__write_all_blocks(store))) {
			perfdb_store__rollback(store);
			return err;
		}
		if (server)
			snprintf(
			    sql, sizeof(sql),
			    "INSERT INTO perfdb_schema(version, applied_at) VALUES (%d, "
			    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
			    m->version);
		else
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
		if (perfdb_db__exec(store->db, sql) != 0) {
			err = perfdb_store__fail(store, "cannot set the schema version of");
			perfdb_store__rollback(store);
			return err;
		}
	}
	return perfdb_store__commit(store);
}

/* SQLite's memory statistics take a global mutex on every allocation; perfdb
 * never reads them. This must run before SQLite initialises, so it is done
 * once, before the first open; if the process already used SQLite the call
 * is refused and changes nothing. */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* What a perfdb database says in its header (PRAGMA application_id): "PfDB".
 * Set by migration 0004. */
#define PERFDB_APPLICATION_ID 0x50664442

/* A database path must be a regular file, or nothing yet: a FIFO blocks the
 * open for ever, and a device is no database (as root, --db /dev/null would
 * even create /dev/null-journal). */
static int check_path(const char *path, unsigned flags, off_t *size)
{
	struct stat sb;
	const char *what;
	*size = 0;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT && !(flags & (PERFDB_STORE_READONLY | PERFDB_STORE_MUST_EXIST)))
			return 0;
		return perfdb_error__set(errno == ENOENT ? PERFDB_ENOTFOUND : PERFDB_EDB,
					 "cannot open '%s': %s", path, strerror(errno));
	}
	if (S_ISREG(sb.st_mode)) {
		*size = sb.st_size;
		return 0;
	}
	what = S_ISFIFO(sb.st_mode)   ? "a FIFO"
	       : S_ISDIR(sb.st_mode)  ? "a directory"
	       : S_ISCHR(sb.st_mode)  ? "a character device"
	       : S_ISBLK(sb.st_mode)  ? "a block device"
	       : S_ISSOCK(sb.st_mode) ? "a socket"
				      : "not a regular file";
	return perfdb_error__set(PERFDB_EDB, "cannot open '%s': it is %s, not a database file",
				 path, what);
}

static int one_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;
	*out = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Whether the open file is perfdb's: its application_id says so, or it was
 * made before there was one (user_version 1 or more and perfdb's tables), or
 * it is empty (a new database). Anything else is someone else's SQLite
 * database, refused before anything (WAL mode, tables) is written to it.
 * Returns 0, or PERFDB_EDB set; -1 from SQLite is left to the caller.
 */
static int identify(sqlite3 *db, const char *path)
{
	int app_id, version, objects, ours;
	if (one_int(db, "PRAGMA application_id", &app_id) ||
	    one_int(db, "PRAGMA user_version", &version) ||
	    one_int(db, "SELECT count(*) FROM sqlite_schema", &objects) ||
	    one_int(db,
		    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
		    "('commits', 'machines', 'runs', 'benchmarks', 'results', 'samples')",
		    &ours))
		return -1;
	if (app_id == PERFDB_APPLICATION_ID)
		return 0;
	if (app_id == 0 && ((version == 0 && objects == 0) || (version >= 1 && ours == 6)))
		return 0;
	if (app_id != 0)
		return perfdb_error__set(PERFDB_EDB,
					 "'%s' is not a perfdb database (an SQLite database of "
					 "another application, id 0x%08x); it was left unchanged",
					 path, (unsigned)app_id);
	return perfdb_error__set(PERFDB_EDB,
				 "'%s' is not a perfdb database (an SQLite database with %d "
				 "schema object%s, but not perfdb's tables); it was left unchanged",
				 path, objects, objects == 1 ? "" : "s");
}

/* file:PATH?immutable=1, PATH percent-encoded: a read-only open of a file
 * on a read-only file system, where a WAL database cannot make its -shm. */
static char *immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path), j = 0;
	char *uri = malloc(3 * n + 32);
	const unsigned char *p;
	if (!uri)
		return NULL;
	memcpy(uri, "file:", 5);
	j = 5;
	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p)) {
			uri[j++] = (char)*p;
		} else {
			uri[j++] = '%';
			uri[j++] = hex[*p >> 4];
			uri[j++] = hex[*p & 15];
		}
	}
	memcpy(uri + j, "?immutable=1", sizeof("?immutable=1"));
	return uri;
}

/* Opens the connection and reads the header: a file that is not a database
 * fails here with "file is not a database" rather than half-way through. */
static int open_db(sqlite3 **h, const char *name, int oflags)
{
	int rc;
	if (*h) {
		sqlite3_close_v2(*h);
		*h = NULL;
	}
	rc = sqlite3_open_v2(name, h, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_extended_result_codes(*h, 1);
	sqlite3_busy_timeout(*h, BUSY_TIMEOUT_MS);
	/* The file and the queries may come from anyone: no writes to the
	 * schema table or other ways to corrupt the file from SQL, no FTS3
	 * tokenizer pointers, no extensions, and a schema's views and triggers
	 * may call only innocuous functions. */
	sqlite3_db_config(*h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(*h, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, NULL);
	sqlite3_db_config(*h, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(*h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (sqlite3_exec(*h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(*h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite3_extended_errcode(*h);
	return SQLITE_OK;
}

static int open_failed(sqlite3 *h, const char *path, int rc)
{
	if (h && sqlite3_errcode(h) != SQLITE_OK)
		rc = sqlite3_extended_errcode(h);
	if ((rc & 0xff) == SQLITE_READONLY)
		return perfdb_error__set(PERFDB_EREADONLY, "cannot write '%s': %s", path,
					 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
	return perfdb_error__set(PERFDB_EDB, "cannot open '%s': %s", path,
				 h && sqlite3_errcode(h) != SQLITE_OK ? sqlite3_errmsg(h)
								      : sqlite3_errstr(rc));
}

/* 1 when the last failure on db was a lock another process held (the
 * busy handler does not cover every case: a read-only connection meeting a
 * file another process is just switching to WAL, or the switch itself). */
static int was_busy(sqlite3 *db, int rc)
{
	int code = (db && sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errcode(db) : rc) & 0xff;
	return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

/* The steps of perfdb_store_open after the path checks; *busy is set when
 * they failed on another process's lock, and may be tried again. */
static int open_steps(sqlite3 **h, const char *path, unsigned flags, off_t size, int *busy)
{
	int rc, err;
	*busy = 0;
	/* Look first, read-only: only a perfdb database (or an empty file) is
	 * then opened for writing, so another application's file is neither
	 * switched to WAL nor given tables before it is refused. */
	if (size > 0 || (flags & PERFDB_STORE_READONLY)) {
		rc = open_db(h, path, SQLITE_OPEN_READONLY);
		/* A WAL database on a read-only file system cannot make its
		 * shared-memory file: read it as immutable instead. */
		if ((flags & PERFDB_STORE_READONLY) &&
		    ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)) {
			char *uri = immutable_uri(path);
			if (!uri)
				return perfdb_error__oom();
			rc = open_db(h, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
			free(uri);
		}
		if (rc != SQLITE_OK || (err = identify(*h, path)) < 0) {
			*busy = (rc != SQLITE_OK || err == -1) && was_busy(*h, rc);
			return rc != SQLITE_OK || err == -1 ? open_failed(*h, path, rc) : err;
		}
	}
	if (!(flags & PERFDB_STORE_READONLY)) {
		if ((rc = open_db(h, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) !=
		    SQLITE_OK) {
			*busy = was_busy(*h, rc);
			return open_failed(*h, path, rc);
		}
		/* WAL lets readers run beside one writer; NORMAL sync is durable
		 * across application crashes, which is what a CI history needs. */
		if (sqlite3_exec(*h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(*h, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) !=
			SQLITE_OK ||
		    sqlite3_exec(*h, "PRAGMA cache_size = -" OPEN_CACHE_KIB, NULL, NULL, NULL) !=
			SQLITE_OK) {
			*busy = was_busy(*h, SQLITE_OK);
			return open_failed(*h, path, SQLITE_OK);
		}
	}
	return 0;
}

/* Opens an SQLite file into store->db. */
static int open_file(perfdb_store *store, const char *path, unsigned flags)
{
	sqlite3 *h = NULL;
	int err, waited, pause_ms = 5;
	off_t size;

	if ((err = check_path(path, flags, &size)))
		return err;
	/* Another process may hold a lock in a way the busy handler does not
	 * wait for (several CI jobs creating one file at once): try again, a
	 * little later each time, for as long as the busy timeout. */
	for (waited = 0;; waited += pause_ms, pause_ms = pause_ms < 200 ? pause_ms * 2 : 200) {
		int busy;
		if (!(err = open_steps(&h, path, flags, size, &busy)))
			break;
		if (!busy || waited >= BUSY_TIMEOUT_MS) {
			sqlite3_close_v2(h);
			return err;
		}
		perfdb_error_clear();
		{
			struct timespec ts = {0, (long)pause_ms * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	return perfdb_db__adopt_sqlite(&store->db, h);
}

int perfdb_store_open(perfdb_store **out, const char *path, unsigned flags)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int server = perfdb_db__is_server_dsn(path);
	perfdb_store *store;
	int err;

	*out = NULL;
	pthread_once(&once, configure_sqlite);
	if (!path || !*path)
		return perfdb_error__set(PERFDB_EINVAL, "no database path");
	if (!(store = calloc(1, sizeof(*store))))
		return perfdb_error__oom();
	if (!(store->path = server ? perfdb_db__redact_dsn(path) : strdup(path))) {
		free(store);
		return perfdb_error__oom();
	}
	store->flags = flags;
	err = server ? perfdb_db__open_postgresql(&store->db, path) : open_file(store, path, flags);
	if (err || (err = migrate(store))) {
		perfdb_store_free(store);
		return err;
	}
	*out = store;
	return 0;
}

void perfdb_store_free(perfdb_store *store)
{
	if (!store)
		return;
	perfdb_db__close(store->db);
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
/* Context keys that describe a run, not the machine: kept in runs.context
 * only, never in machines.fingerprint. */
static int run_only_key(const char *k)
{
	return strcmp(k, "load_avg") == 0 || strcmp(k, "cpu_governor") == 0;
}

/* The tags (tags 1), the machine's fingerprint (tags 0) or the run's whole
 * context (tags 2) as a JSON object with sorted keys. */
static char *kv_json(const perfdb_resultset *rs, int tags)
{
	json_t *obj = json_object();
	size_t i,
	    n = tags == 1 ? perfdb_resultset_tag_count(rs) : perfdb_resultset_context_count(rs);
	char *text;
	if (!obj)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *k, *v;
		if (tags == 1)
			perfdb_resultset_tag(rs, i, &k, &v);
		else
			perfdb_resultset_context(rs, i, &k, &v);
		if (tags == 0 && run_only_key(k))
			continue;
		json_object_set_new(obj, k, json_string(v));
	}
	text = json_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(obj);
	return text;
}

static void bind_text_or_null(perfdb_stmt *st, int i, const char *s)
{
	if (s && *s)
		perfdb_stmt__bind_text(st, i, s);
	else
		perfdb_stmt__bind_null(st, i);
}

/* Runs st (bound by the caller), a statement that returns at most one id
 * (INSERT ... RETURNING, SELECT): *found says whether it returned one. */
static int step_id(perfdb_store *store, perfdb_stmt *st, int64_t *id, int *found, const char *what)
{
	int rc = perfdb_stmt__step(st);
	*found = rc == PERFDB_DB_ROW;
	if (*found) {
		*id = perfdb_stmt__column_int64(st, 0);
		rc = perfdb_stmt__step(st);
	}
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(store, what);
	return 0;
}

/* A commit recorded again keeps its first seq (its place in the fallback
 * order) but learns details it did not have. A file's writers take turns
 * (BEGIN IMMEDIATE), so max(seq) + 1 is new; on a server two transactions
 * would both read the same max, so seq comes from a sequence there (its
 * column default, schema/postgresql/0007). COMMIT_LEARN(src) is the rule
 * for learning, with the new details in table src. */
#define COMMIT_LEARN(src)                                                                          \
	"parent_sha = coalesce(commits.parent_sha, " src ".parent_sha), "                          \
	"committed_at = coalesce(commits.committed_at, " src ".committed_at), "                    \
	"subject = coalesce(commits.subject, " src ".subject), "                                   \
	"author = coalesce(commits.author, " src ".author) "
#define INSERT_COMMIT_SQL(seq)                                                                     \
	"INSERT INTO commits(sha, parent_sha, committed_at, subject, author, seq) "                \
	"VALUES (?1, ?2, ?3, ?4, ?5, " seq ") "
#define FILE_SEQ   "(SELECT coalesce(max(seq), 0) + 1 FROM commits)"
#define SERVER_SEQ "DEFAULT"

const char *perfdb_store__upsert_commit_sql(const perfdb_store *store)
{
#define UPSERT(seq)                                                                                \
	INSERT_COMMIT_SQL(seq)                                                                     \
	"ON CONFLICT(sha) DO UPDATE SET " COMMIT_LEARN("excluded") "RETURNING id"
	return perfdb_store__is_server(store) ? UPSERT(SERVER_SEQ) : UPSERT(FILE_SEQ);
#undef UPSERT
}

/* A commit's details in the order of its statements' parameters. */
static const perfdb_meta commit_meta[] = {PERFDB_META_COMMIT, PERFDB_META_PARENT,
					  PERFDB_META_COMMITTED_AT, PERFDB_META_SUBJECT,
					  PERFDB_META_AUTHOR};

/* The commit's first n details bound as ?1 (sha) to ?n. */
static void bind_commit(perfdb_stmt *st, const perfdb_resultset *rs, int n)
{
	int i;
	for (i = 0; i < n; i++)
		bind_text_or_null(st, i + 1, perfdb_resultset_meta(rs, commit_meta[i]));
}

/* A commit's details that its row lacks, written only then: an UPDATE
 * whose WHERE is false for the row locks nothing. */
#define LEARN_COMMIT_SQL                                                                           \
	"UPDATE commits SET " COMMIT_LEARN(                                                        \
	    "d") "FROM (SELECT CAST(?2 AS TEXT) AS parent_sha, "                                   \
		 "CAST(?3 AS TEXT) AS committed_at, "                                              \
		 "CAST(?4 AS TEXT) AS subject, "                                                   \
		 "CAST(?5 AS TEXT) AS author) AS d "                                               \
		 "WHERE commits.sha = ?1 AND ("                                                    \
		 "(commits.parent_sha IS NULL AND d.parent_sha IS NOT NULL) OR "                   \
		 "(commits.committed_at IS NULL AND d.committed_at IS NOT NULL) OR "               \
		 "(commits.subject IS NULL AND d.subject IS NOT NULL) OR "                         \
		 "(commits.author IS NULL AND d.author IS NOT NULL)) RETURNING commits.id"

/* Runs sql with the commit's first n details bound; its one id, if any. */
static int commit_step(perfdb_store *store, const perfdb_resultset *rs, const char *sql, int n,
		       int64_t *id, int *found)
{
	perfdb_stmt *st;
	int err;
	if ((err = perfdb_store__prepare(store, &st, sql)))
		return err;
	bind_commit(st, rs, n);
	err = step_id(store, st, id, found, "cannot record a commit in");
	perfdb_stmt__free(st);
	return err;
}

/* Whether the commit's row is there (*found, its *id), and whether it lacks
 * a detail this record knows (*learns). */
static int find_commit(perfdb_store *store, const perfdb_resultset *rs, int64_t *id, int *found,
		       int *learns)
{
	perfdb_stmt *st;
	int err, rc, i;
	*found = *learns = 0;
	if ((err = perfdb_store__prepare(store, &st,
					 "SELECT id, parent_sha, committed_at, subject, author "
					 "FROM commits WHERE sha = ?1")))
		return err;
	bind_commit(st, rs, 1);
	rc = perfdb_stmt__step(st);
	if (rc == PERFDB_DB_ROW) {
		*found = 1;
		*id = perfdb_stmt__column_int64(st, 0);
		for (i = 1; i < 5; i++) {
			const char *v = perfdb_resultset_meta(rs, commit_meta[i]);
			if (v && *v && perfdb_stmt__column_type(st, i) == PERFDB_VALUE_NULL)
				*learns = 1;
		}
		rc = perfdb_stmt__step(st);
	}
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(store, "cannot read commits from");
	return 0;
}

/* The commit's id: the row there, which learns the details it lacks, or a
 * new one. An upsert (ON CONFLICT DO UPDATE) would lock the row until this
 * record commits, and on a server every other record of the commit (the
 * jobs of a CI matrix) would wait for it: the row is written only when it
 * is new or learns something. A new commit's row still makes the others
 * wait until its first record commits (they must know whether it stays),
 * once. Looking first costs one statement when the commit is known, as the
 * upsert did. */
static int upsert_commit(perfdb_store *store, const perfdb_resultset *rs, int64_t *id)
{
#define NEW_COMMIT(seq) INSERT_COMMIT_SQL(seq) "ON CONFLICT(sha) DO NOTHING RETURNING id"
	const char *insert =
	    perfdb_store__is_server(store) ? NEW_COMMIT(SERVER_SEQ) : NEW_COMMIT(FILE_SEQ);
#undef NEW_COMMIT
	int64_t learnt;
	int err, found, learns;
	if ((err = find_commit(store, rs, id, &found, &learns)))
		return err;
	/* not there: inserted, unless another writer inserted it meanwhile
	 * (its transaction committed while this one waited), which a second
	 * look then finds */
	if (!found && ((err = commit_step(store, rs, insert, 5, id, &found)) || found ||
		       (err = find_commit(store, rs, id, &found, &learns))))
		return err;
	if (!found)
		return perfdb_error__set(
		    PERFDB_EDB, "cannot record a commit in '%s': its row vanished", store->path);
	return learns ? commit_step(store, rs, LEARN_COMMIT_SQL, 5, &learnt, &found) : 0;
}

/* The value of key in rs's context, or NULL. */
static const char *context_value(const perfdb_resultset *rs, const char *key)
{
	size_t i, n = perfdb_resultset_context_count(rs);
	for (i = 0; i < n; i++) {
		const char *k, *v;
		perfdb_resultset_context(rs, i, &k, &v);
		if (strcmp(k, key) == 0)
			return v;
	}
	return NULL;
}

/* "12345 kB" as whole GiB, the granularity at which two runners are the
 * same machine (the kernel reserves a few MiB differently from boot to boot). */
static long long gib_of(const char *memory)
{
	return memory ? (strtoll(memory, NULL, 10) + 524288) / 1048576 : -1;
}

/* What a run's hardware (its context) says beside the fingerprint stored
 * for its machine: */
enum {
	HW_DIFFERS = 1, /* a key known on both sides differs (another CPU under
			 * the name, an upgraded machine) */
	HW_LEARNS = 2	/* the run knows a key the stored one does not */
};

/* Compares the keys that name a machine's hardware (the ones `list
 * machines` counts kinds of hardware by) in rs's context with the stored
 * fingerprint's (JSON text). When msg is given, it receives the keys that
 * differ, "cpu 'now' (before: 'was')", comma-separated. Returns HW_* bits. */
static int hardware_compare(const perfdb_resultset *rs, const char *stored_text, char *msg,
			    size_t cap)
{
	static const char *const keys[] = {"cpu", "cores", "memory", "os"};
	json_t *stored = stored_text ? json_loads(stored_text, 0, NULL) : NULL;
	size_t i, len = 0;
	int result = 0;
	if (msg && cap)
		*msg = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *now = context_value(rs, keys[i]);
		const char *was = json_string_value(json_object_get(stored, keys[i]));
		if (!now)
			continue; /* unknown in the run: no evidence either way */
		if (!was) {
			result |= HW_LEARNS;
			continue;
		}
		if (i == 2 ? gib_of(now) == gib_of(was) : strcmp(now, was) == 0)
			continue;
		result |= HW_DIFFERS;
		if (msg && len < cap)
			len += (size_t)snprintf(msg + len, cap - len, "%s%s '%s' (before: '%s')",
						len ? ", " : "", keys[i], now, was);
	}
	json_decref(stored);
	return result;
}

/* The stored fingerprint of machine `name` (*out NULL when there is no
 * such machine; the caller frees it) and its id. */
static int stored_machine(perfdb_store *store, const char *name, int64_t *id, char **out)
{
	perfdb_stmt *st;
	int err, rc, oom = 0;
	*out = NULL;
	if ((err = perfdb_store__prepare(store, &st,
					 "SELECT id, fingerprint FROM machines WHERE name = ?1")))
		return err;
	perfdb_stmt__bind_text(st, 1, name);
	rc = perfdb_stmt__step(st);
	if (rc == PERFDB_DB_ROW) {
		*id = perfdb_stmt__column_int64(st, 0);
		*out = perfdb_store__column_dup(st, 1, &oom);
		if (!*out && !oom)
			oom = !(*out = strdup("{}"));
	}
	perfdb_stmt__free(st);
	if (oom)
		return perfdb_error__oom();
	if (rc != PERFDB_DB_ROW && rc != PERFDB_DB_DONE)
		return perfdb_store__fail(store, "cannot read machines from");
	return 0;
}

int perfdb_store_machine_check(char **out, perfdb_store *store, const perfdb_resultset *rs)
{
	const char *name = perfdb_resultset_meta(rs, PERFDB_META_MACHINE);
	char msg[1024], *stored = NULL;
	int64_t id;
	int err, differs;

	*out = NULL;
	if (!name)
		return 0;
	if ((err = stored_machine(store, name, &id, &stored)))
		return err;
	differs = stored && (hardware_compare(rs, stored, msg, sizeof(msg)) & HW_DIFFERS);
	free(stored);
	if (differs && !(*out = strdup(msg)))
		return perfdb_error__oom();
	return 0;
}

/* The machine's id: inserted with the run's fingerprint if it is new. A
 * machine there keeps its row untouched unless the run's hardware differs
 * from the stored fingerprint or tells more (a merged machine's '{}'): an
 * upsert would lock the row until this record commits, and on a server
 * every other record under the name (the concurrent CI jobs of one runner
 * type, which share the name derived from their hardware) would wait for
 * it. So the stored fingerprint is the one of the run that last changed
 * the machine's hardware: what the warning of a changed machine compares
 * with (perfdb_store_machine_check). */
static int upsert_machine(perfdb_store *store, const perfdb_resultset *rs, int64_t *id)
{
	const char *name = perfdb_resultset_meta(rs, PERFDB_META_MACHINE);
	char *fingerprint = kv_json(rs, 0), *stored = NULL;
	perfdb_stmt *st = NULL;
	int err, found = 0;
	if (!fingerprint)
		return perfdb_error__oom();
	if ((err = stored_machine(store, name, id, &stored)))
		goto out;
	if (!stored) {
		/* not there: inserted, unless another writer inserted it
		 * meanwhile, which a second look then finds */
		if ((err = perfdb_store__prepare(
			 store, &st,
			 "INSERT INTO machines(name, fingerprint) VALUES (?1, ?2) "
			 "ON CONFLICT(name) DO NOTHING RETURNING id")))
			goto out;
		bind_text_or_null(st, 1, name);
		perfdb_stmt__bind_text(st, 2, fingerprint);
		err = step_id(store, st, id, &found, "cannot record a machine in");
		perfdb_stmt__free(st);
		st = NULL;
		if (err || found || (err = stored_machine(store, name, id, &stored)))
			goto out;
		if (!stored) {
			err = perfdb_error__set(PERFDB_EDB,
						"cannot record a machine in '%s': its row vanished",
						store->path);
			goto out;
		}
	}
	if (!hardware_compare(rs, stored, NULL, 0))
		goto out;
	if ((err = perfdb_store__prepare(store, &st,
					 "UPDATE machines SET fingerprint = ?2 WHERE id = ?1")))
		goto out;
	perfdb_stmt__bind_int64(st, 1, *id);
	perfdb_stmt__bind_text(st, 2, fingerprint);
	if (perfdb_stmt__step(st) != PERFDB_DB_DONE)
		err = perfdb_store__fail(store, "cannot record a machine in");
out:
	perfdb_stmt__free(st);
	free(stored);
	free(fingerprint);
	return err;
}

int perfdb_store__uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0, i, k = 0;
	static const char hex[] = "0123456789abcdef";
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return perfdb_error__set(PERFDB_EIO, "cannot make a run id: getrandom: %s",
						 strerror(errno));
		}
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[b[i] >> 4];
		out[k++] = hex[b[i] & 15];
	}
	out[k] = '\0';
	return 0;
}

static int insert_run(perfdb_store *store, const perfdb_resultset *rs, int64_t commit_id,
		      int64_t machine_id, int64_t *id)
{
	static const char sql[] =
	    "INSERT INTO runs(commit_id, branch, machine_id, started_at, source, "
	    "tags, uuid, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
	perfdb_stmt *st;
	char *tags = kv_json(rs, 1), *context = kv_json(rs, 2);
	const char *source = perfdb_resultset_meta(rs, PERFDB_META_SOURCE);
	const char *started = perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT);
	char now[32], uuid[37];
	int err, found;

	if (!tags || !context) {
		free(tags);
		free(context);
		return perfdb_error__oom();
	}
	if ((err = perfdb_store__uuid(uuid))) {
		free(tags);
		free(context);
		return err;
	}
	if (!started) {
		perfdb_time_now_iso(now, sizeof(now));
		started = now;
	}
	if ((err = perfdb_store__prepare(store, &st, sql))) {
		free(tags);
		free(context);
		return err;
	}
	perfdb_stmt__bind_int64(st, 1, commit_id);
	bind_text_or_null(st, 2, perfdb_resultset_meta(rs, PERFDB_META_BRANCH));
	perfdb_stmt__bind_int64(st, 3, machine_id);
	perfdb_stmt__bind_text(st, 4, started);
	perfdb_stmt__bind_text(st, 5, source && *source ? source : "unknown");
	perfdb_stmt__bind_text(st, 6, tags);
	perfdb_stmt__bind_text(st, 7, uuid);
	perfdb_stmt__bind_text(st, 8, context);
	err = step_id(store, st, id, &found, "cannot record a run in");
	perfdb_stmt__free(st);
	free(tags);
	free(context);
	return err;
}

/* Multi-row INSERTs: rows are buffered and written BATCH_ROWS at a time by
 * one statement, which spends SQLite's per-statement cost (reset, bind
 * dispatch, halt) once per batch instead of once per row. */
#define BATCH_ROWS     64
#define BATCH_MAX_COLS 12

/* How a batcher writes on a server (a file always uses INSERT): */
enum {
	BULK_INSERT = 0, /* multi-row INSERT, with its tail (ON CONFLICT) */
	BULK_COPY = 1,	 /* COPY: rows no other writer can have (this run's) */
	BULK_STAGED = 2	 /* COPY, or if another writer added one of the rows meanwhile,
			  * COPY into a temporary table, then INSERT ... ON CONFLICT */
};

typedef enum cell_type { CELL_NULL = 0, CELL_INT, CELL_REAL, CELL_TEXT } cell_type;

typedef struct cell {
	cell_type type;
	int64_t i;
	double d;
	const char *s; /* borrowed until the batch is flushed */
} cell;

typedef struct batcher {
	perfdb_stmt *many, *one;
	/* on a server, bulk rows go in with COPY instead: gathered here as
	 * text and sent at the flush (copy_sql is then set); staged_sql,
	 * when set, is the COPY into a temporary table that is sent instead
	 * when copy_sql's rows collide with another writer's, and then_sql
	 * moves them to their table */
	char copy_sql[160], staged_sql[160];
	const char *then_sql;
	perfdb_copy_rows copy;
	int ncols, rows;
	const char *what;	/* for errors: "a result" */
	struct batcher *parent; /* rows here reference rows there: flush it first */
	cell cells[BATCH_ROWS * BATCH_MAX_COLS];
} batcher;

static int batch_prepare(perfdb_store *store, batcher *b, const char *head, const char *tail,
			 int ncols, const char *what, int bulk)
{
	size_t cap =
		   strlen(head) + strlen(tail) + (size_t)BATCH_ROWS * (size_t)(ncols * 2 + 4) + 16,
	       len;
	char *sql;
	int r, c, err;

	b->ncols = ncols;
	b->rows = 0;
	b->what = what;
	if (bulk != BULK_INSERT && perfdb_store__is_server(store)) {
		/* "INSERT INTO t(a, b)" -> "COPY t(a, b) FROM STDIN" */
		snprintf(b->copy_sql, sizeof(b->copy_sql), "COPY %s FROM STDIN",
			 head + strlen("INSERT INTO "));
		if (bulk == BULK_COPY)
			return 0;
		/* COPY has no ON CONFLICT: when a row is there already (another
		 * writer added it since we looked), the rows go into a temporary
		 * table and from there with INSERT ... ON CONFLICT DO NOTHING,
		 * which costs twice a plain COPY; in id order, as the COPY, so
		 * two writers adding some of the same new benchmarks wait for
		 * each other in one direction only, never in a cycle (a
		 * deadlock) */
		b->then_sql = "INSERT INTO benchmarks SELECT * FROM perfdb_staged_benchmarks "
			      "ORDER BY id ON CONFLICT DO NOTHING; "
			      "DELETE FROM perfdb_staged_benchmarks";
		snprintf(b->staged_sql, sizeof(b->staged_sql),
			 "COPY perfdb_staged_benchmarks%s FROM STDIN",
			 strchr(head, '(') ? strchr(head, '(') : "");
		return 0;
	}
	if (!(sql = malloc(cap)))
		return perfdb_error__oom();
	len = (size_t)snprintf(sql, cap, "%s VALUES ", head);
	for (r = 0; r < BATCH_ROWS; r++) {
		sql[len++] = r ? ',' : ' ';
		sql[len++] = '(';
		for (c = 0; c < ncols; c++) {
			if (c)
				sql[len++] = ',';
			sql[len++] = '?';
		}
		sql[len++] = ')';
		if (r == 0) {
			snprintf(sql + len, cap - len, "%s", tail);
			if ((err = perfdb_store__prepare(store, &b->one, sql))) {
				free(sql);
				return err;
			}
		}
	}
	snprintf(sql + len, cap - len, "%s", tail);
	err = perfdb_store__prepare(store, &b->many, sql);
	free(sql);
	return err;
}

static void batch_release(batcher *b)
{
	perfdb_stmt__free(b->many);
	perfdb_stmt__free(b->one);
	b->many = b->one = NULL;
	perfdb_db__copy_release(&b->copy);
}

static void bind_cell(perfdb_stmt *st, int i, const cell *c)
{
	switch (c->type) {
	case CELL_INT: perfdb_stmt__bind_int64(st, i, c->i); break;
	case CELL_REAL: perfdb_stmt__bind_double(st, i, c->d); break;
	case CELL_TEXT: perfdb_stmt__bind_text(st, i, c->s); break;
	default: perfdb_stmt__bind_null(st, i); break;
	}
}

static int batch_step(perfdb_store *store, batcher *b, perfdb_stmt *st, int first, int nrows)
{
	int r, c, rc;
	perfdb_stmt__reset(st);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < b->ncols; c++)
			bind_cell(st, r * b->ncols + c + 1, &b->cells[(first + r) * b->ncols + c]);
	rc = perfdb_stmt__step(st);
	perfdb_stmt__reset(st);
	if (rc != PERFDB_DB_DONE) {
		char what[64];
		snprintf(what, sizeof(what), "cannot record %s in", b->what);
		return perfdb_store__fail(store, what);
	}
	return 0;
}

/* The pending row of a COPY batcher, as COPY text. */
static int copy_pending(batcher *b)
{
	char nums[BATCH_MAX_COLS][32];
	const char *fields[BATCH_MAX_COLS];
	int c;
	if (!b->rows)
		return 0;
	for (c = 0; c < b->ncols; c++) {
		const cell *x = &b->cells[c];
		fields[c] = NULL;
		if (x->type == CELL_INT)
			snprintf(nums[c], sizeof(nums[c]), "%lld", (long long)x->i);
		else if (x->type == CELL_REAL)
			snprintf(nums[c], sizeof(nums[c]), "%.17g", x->d);
		else if (x->type == CELL_TEXT)
			fields[c] = x->s;
		if (x->type == CELL_INT || x->type == CELL_REAL)
			fields[c] = nums[c];
	}
	b->rows = 0;
	return perfdb_db__copy_add(&b->copy, fields, b->ncols);
}

static int batch_flush(perfdb_store *store, batcher *b)
{
	int r, err = 0;
	/* Foreign keys are checked row by row: a sample's result must be in
	 * the table before the sample is. */
	if (b->parent && (b->parent->rows || b->parent->copy.count) &&
	    (err = batch_flush(store, b->parent)))
		return err;
	if (b->copy_sql[0]) {
		int failed;
		if ((err = copy_pending(b)) || !b->copy.count)
			return err;
		if (!b->staged_sql[0]) {
			failed = perfdb_db__copy(store->db, b->copy_sql, &b->copy) != 0;
		} else if (perfdb_db__exec(store->db, "SAVEPOINT perfdb_bulk") != 0) {
			failed = 1;
		} else if (perfdb_db__copy(store->db, b->copy_sql, &b->copy) == 0) {
			failed = perfdb_db__exec(store->db, "RELEASE perfdb_bulk") != 0;
		} else {
			failed = !perfdb_db__error_duplicate(store->db) ||
				 perfdb_db__exec(store->db,
						 "ROLLBACK TO perfdb_bulk; RELEASE perfdb_bulk; "
						 "CREATE TEMP TABLE IF NOT EXISTS "
						 "perfdb_staged_benchmarks (LIKE benchmarks) "
						 "ON COMMIT DELETE ROWS") != 0 ||
				 perfdb_db__copy(store->db, b->staged_sql, &b->copy) != 0 ||
				 perfdb_db__exec(store->db, b->then_sql) != 0;
		}
		perfdb_db__copy_clear(&b->copy);
		if (failed) {
			char what[64];
			snprintf(what, sizeof(what), "cannot record %s in", b->what);
			return perfdb_store__fail(store, what);
		}
		return 0;
	}
	if (b->rows == BATCH_ROWS)
		err = batch_step(store, b, b->many, 0, BATCH_ROWS);
	else
		for (r = 0; r < b->rows && !err; r++)
			err = batch_step(store, b, b->one, r, 1);
	b->rows = 0;
	return err;
}

/* The cells of the next row; flushes a full batch first. *out is NULL on error. */
static int batch_row(perfdb_store *store, batcher *b, cell **out)
{
	int err;
	*out = NULL;
	/* COPY: the row before becomes text, and the cells are reused */
	if (b->copy_sql[0] && (err = copy_pending(b)))
		return err;
	if (b->rows == BATCH_ROWS && (err = batch_flush(store, b)))
		return err;
	*out = &b->cells[b->rows++ * b->ncols];
	memset(*out, 0, (size_t)b->ncols * sizeof(cell));
	return 0;
}

static void cell_int(cell *c, int64_t v)
{
	c->type = CELL_INT;
	c->i = v;
}

static void cell_text(cell *c, const char *v)
{
	c->type = CELL_TEXT;
	c->s = v;
}

static void cell_real(cell *c, double v)
{
	/* NaN and infinities are unknown statistics: NULL. */
	if (isfinite(v)) {
		c->type = CELL_REAL;
		c->d = v;
	}
}

typedef struct bench_stmts {
	perfdb_stmt *find_bench;
	batcher bench;
} bench_stmts;

typedef struct record_stmts {
	batcher result, sample;
} record_stmts;

static void stmts_release(record_stmts *s)
{
	batch_release(&s->result);
	batch_release(&s->sample);
}

#define RESULT_COLUMNS                                                                             \
	"(run_id, benchmark_id, value, n, mean, median, stddev, min, max, sample_count, "          \
	"sample_median, sample_mad)"
#define SAMPLE_COLUMNS "(run_id, benchmark_id, idx, value)"

/* Inserts into results and samples, or (later) into the staging tables. */
static int stmts_prepare(perfdb_store *store, record_stmts *s, int later)
{
	int err;
	if ((err = batch_prepare(store, &s->result,
				 later ? "INSERT INTO temp.perfdb_later_results" RESULT_COLUMNS
				       : "INSERT INTO results" RESULT_COLUMNS,
				 "", 12, "a result", BULK_COPY)) ||
	    (err = batch_prepare(store, &s->sample,
				 later ? "INSERT INTO temp.perfdb_later_samples" SAMPLE_COLUMNS
				       : "INSERT INTO samples" SAMPLE_COLUMNS,
				 "", 4, "a sample", BULK_COPY)))
		return err;
	s->sample.parent = &s->result;
	return 0;
}

/* FNV-1a over name, metric and unit (NUL-separated), folded to 47 bits:
 * SQLite stores such an integer in 6 bytes instead of 8, in every result
 * row. Collisions only cost a probe (see plan_id). Ids are stored, so the
 * function must never change. */
#define ID_MASK ((1ull << 47) - 1)

int64_t perfdb_store__benchmark_hash(const char *name, const char *metric, const char *unit)
{
	const char *parts[3] = {name, metric, unit};
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

static int64_t benchmark_hash(const perfdb_bench_key *k)
{
	return perfdb_store__benchmark_hash(k->name, k->metric, k->unit);
}

/* Benchmark i of keys. */
static perfdb_bench_key key_at(const perfdb_bench_keys *keys, size_t i)
{
	perfdb_bench_key k;
	const perfdb_result *r;
	if (keys->array)
		return keys->array[i];
	r = perfdb_resultset_get(keys->rs, i);
	k.name = r->benchmark;
	k.metric = r->metric;
	k.unit = r->unit;
	k.higher_is_better = r->direction == PERFDB_HIGHER_IS_BETTER;
	return k;
}

static int column_is(perfdb_stmt *st, int col, const char *s)
{
	const char *v = perfdb_stmt__column_text(st, col);
	return v && strcmp(v, s) == 0;
}

/* Whether benchmark i of keys is b. */
static int same_benchmark(const perfdb_bench_keys *keys, size_t i, const perfdb_bench_key *b)
{
	perfdb_bench_key a = key_at(keys, i);
	return strcmp(a.name, b->name) == 0 && strcmp(a.metric, b->metric) == 0 &&
	       strcmp(a.unit, b->unit) == 0;
}

/* Rows go into the B-trees in key order, which fills pages instead of
 * splitting them at random: results are sorted by benchmark id first. */
typedef struct id_index {
	int64_t id;
	size_t index;
} id_index;

/* Sorts by id with an LSD radix sort over the 47-bit ids (three 16-bit
 * digits): linear, stable, and several times faster than qsort on the
 * hundreds of thousands of results a large file brings. tmp holds n items. */
static void sort_by_id(id_index *items, id_index *tmp, size_t n)
{
	static const unsigned shifts[] = {0, 16, 32};
	size_t *count = calloc(65536, sizeof(*count)), i, k, sum;
	id_index *from = items, *to = tmp, *swap;
	if (!count) {
		/* no memory for the counts: the unsorted order is still correct,
		 * only the B-tree pages fill less well */
		return;
	}
	for (k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++) {
		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[((uint64_t)from[i].id >> shifts[k]) & 0xffff]++;
		for (i = 0, sum = 0; i < 65536; i++) {
			size_t c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[((uint64_t)from[i].id >> shifts[k]) & 0xffff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != items) /* an odd number of passes ends in tmp */
		memcpy(items, from, n * sizeof(*items));
	free(count);
}

/* Benchmarks of one record call: their ids, and which are new. New ids are
 * claimed in an open-addressing table first and inserted in id order later,
 * so hash collisions between two new benchmarks probe like any other. */
typedef struct id_slot {
	int64_t id;
	size_t claim;
} id_slot;

typedef struct id_plan {
	int64_t *ids;	      /* ids[i]: the benchmark id of result i */
	id_slot *slots;	      /* open addressing: the id and result index + 1 that
			       * claimed it (0: empty), side by side for one cache miss */
	size_t cap;	      /* table size: a third more than the results */
	unsigned char *state; /* state[i]: what prefetch_ids found for result i's hash */
} id_plan;

static id_slot *plan_slot(id_plan *p, int64_t id)
{
	/* The hash's high bits scaled to the table (a size that is no power of
	 * two, so the table is never twice what it needs). */
	uint64_t h = ((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32;
	size_t i = (size_t)((h * (uint64_t)p->cap) >> 32);
	while (p->slots[i].claim && p->slots[i].id != id)
		if (++i == p->cap)
			i = 0;
	return &p->slots[i];
}

/* What one statement found out about each result's first-choice id. */
enum { ID_ABSENT = 0, ID_SAME = 1, ID_TAKEN = 2 };

/* Looks every result's hash up in one statement (the ids as one array
 * joined to the table), instead of one statement per result: for a large run
 * that is most of the cost of finding ids. The ids go in ascending order, so
 * the lookups walk the table's B-tree from left to right instead of jumping
 * around it: on a run of 100,000 known benchmarks that halved the lookup on
 * a server and took a sixth off it in a file. state[i] receives ID_ABSENT, ID_SAME (the stored
 * benchmark is this one) or ID_TAKEN (another benchmark has it). */
static int prefetch_ids(perfdb_store *store, const perfdb_bench_keys *keys, size_t n,
			unsigned char *state)
{
	int server = perfdb_store__is_server(store);
	size_t i, len = 0;
	char *ids = NULL;
	id_index *order = NULL, *tmp = NULL;
	perfdb_stmt *st = NULL;
	int rc, err = 0;

	memset(state, ID_ABSENT, n);
	/* A database without benchmarks (the first record into it) has
	 * nothing to look up. */
	if ((err = perfdb_store__prepare(store, &st, "SELECT 1 FROM benchmarks LIMIT 1")))
		return err;
	rc = perfdb_stmt__step(st);
	perfdb_stmt__free(st);
	st = NULL;
	if (rc == PERFDB_DB_DONE)
		return 0;
	if (rc != PERFDB_DB_ROW)
		return perfdb_store__fail(store, "cannot read benchmarks from");
	ids = malloc(n * 17 + 3);
	order = malloc(n * sizeof(*order));
	tmp = malloc(n * sizeof(*tmp));
	if (!ids || !order || !tmp) {
		err = perfdb_error__oom();
		goto out;
	}
	for (i = 0; i < n; i++) {
		perfdb_bench_key b = key_at(keys, i);
		order[i].id = benchmark_hash(&b);
		order[i].index = i;
	}
	sort_by_id(order, tmp, n);
	free(tmp);
	tmp = NULL;
	/* a JSON array for SQLite's json_each, an array literal for the
	 * server's unnest (which parses it faster than a JSON array) */
	ids[len++] = server ? '{' : '[';
	for (i = 0; i < n; i++) {
		/* ids are positive and below 2^47: at most 15 digits */
		char digits[24];
		int k = 0;
		uint64_t v = (uint64_t)order[i].id;
		do
			digits[k++] = (char)('0' + v % 10);
		while ((v /= 10) != 0);
		if (i)
			ids[len++] = ',';
		while (k)
			ids[len++] = digits[--k];
	}
	ids[len++] = server ? '}' : ']';
	ids[len] = '\0';
	/* the rows say the 0-based position of the id in the array */
	if ((err = perfdb_store__prepare(
		 store, &st,
		 server ? "SELECT j.ord - 1, b.name, b.metric, b.unit FROM "
			  "unnest(CAST(?1 AS bigint[])) WITH ORDINALITY AS j(id, ord) "
			  "JOIN benchmarks AS b ON b.id = j.id"
			: "SELECT j.key, b.name, b.metric, b.unit FROM json_each(?1) AS j "
			  "JOIN benchmarks AS b ON b.id = j.value")))
		goto out;
	perfdb_stmt__bind_text(st, 1, ids);
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		size_t k = (size_t)perfdb_stmt__column_int64(st, 0);
		perfdb_bench_key r;
		if (k >= n)
			continue;
		k = order[k].index;
		r = key_at(keys, k);
		state[k] = column_is(st, 1, r.name) && column_is(st, 2, r.metric) &&
				   column_is(st, 3, r.unit)
			       ? ID_SAME
			       : ID_TAKEN;
	}
	if (rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(store, "cannot read benchmarks from");
out:
	perfdb_stmt__free(st);
	free(ids);
	free(order);
	free(tmp);
	return err;
}

/* The new benchmarks of a recording's later batches wait in a temporary
 * table without an index until the run is finished (see perfdb_recording_add):
 * their ids are kept in memory (an id set, id_set.h), so that planning sees
 * them taken. */
typedef struct staging {
	perfdb_id_set claimed; /* ids of the benchmarks in temp.perfdb_later_benchmarks, and
				* when fresh, of the run's first batch's */
	perfdb_stmt *find;     /* a benchmark there by id (only on a hash collision) */
	int fresh;	       /* the table had no benchmarks before the run: what it has
				* now is in claimed, and nothing else needs looking up */
	int indexed;	       /* the table has an index on id (from the first collision) */
} staging;

/* Whether the staged benchmark `id` is r: 1, 0, or an error. */
static int staged_is(perfdb_store *store, staging *stg, int64_t id, const perfdb_bench_key *r)
{
	int rc, same;
	/* Without an index each lookup is a scan of all that is staged, and
	 * two names of one hash are found in seconds (47 bits): a file of a
	 * few thousand such pairs spread over its batches took a scan each.
	 * The first collision gives the table its index; the inserts after it
	 * keep it up to date, at a cost linear in the run. */
	if (!stg->indexed) {
		if (perfdb_db__exec(store->db, "CREATE INDEX temp.perfdb_later_benchmarks_id ON "
					       "perfdb_later_benchmarks(id)") != 0)
			return perfdb_store__fail(store, "cannot write");
		stg->indexed = 1;
	}
	perfdb_stmt__reset(stg->find);
	perfdb_stmt__bind_int64(stg->find, 1, id);
	rc = perfdb_stmt__step(stg->find);
	if (rc != PERFDB_DB_ROW && rc != PERFDB_DB_DONE) {
		perfdb_stmt__reset(stg->find);
		return perfdb_store__fail(store, "cannot read benchmarks from");
	}
	same = rc == PERFDB_DB_ROW && column_is(stg->find, 0, r->name) &&
	       column_is(stg->find, 1, r->metric) && column_is(stg->find, 2, r->unit);
	perfdb_stmt__reset(stg->find);
	return same;
}

/* The most ids after its hash a benchmark's id is looked for in. Ids are
 * 47 bits of a hash of the name: among millions of benchmarks, a run of 64
 * taken ids after one's hash does not happen by chance, only by names
 * found to share a hash (FNV-1a: a few seconds for a pair, minutes for
 * thousands), and each of k such names would probe past all the others
 * before it, a lookup each: k * k / 2 of them. */
#define ID_PROBES_MAX 64

/* The id of result i: its hash, or the next free id after it when another
 * benchmark (stored, or new in this call) already holds that hash. `state`
 * is what prefetch_ids found for the hash itself. */
static int plan_id(perfdb_store *store, bench_stmts *s, const perfdb_bench_keys *keys, id_plan *p,
		   size_t i, unsigned char state, staging *stg)
{
	const perfdb_bench_key key = key_at(keys, i), *r = &key;
	int64_t h = benchmark_hash(r);
	id_slot *slot;
	int rc, probes = 0;

	if (state == ID_SAME) {
		p->ids[i] = h;
		return 0;
	}
	if (state == ID_ABSENT) {
		slot = plan_slot(p, h);
		if (!slot->claim) {
			slot->claim = i + 1; /* new: claim it */
			slot->id = h;
			p->ids[i] = h;
			return 0;
		}
		if (same_benchmark(keys, slot->claim - 1, r)) {
			p->ids[i] = h;
			return 0;
		}
	}
	/* A collision: probe forward, asking the table one id at a time. */
	for (h = (uint64_t)h == ID_MASK ? 1 : h + 1;; h = (uint64_t)h == ID_MASK ? 1 : h + 1) {
		if (++probes > ID_PROBES_MAX)
			return perfdb_error__set(PERFDB_EINPUT,
						 "benchmark '%s' (%s, %s): the %d ids after its "
						 "hash are all taken; names made to share a hash "
						 "are refused",
						 r->name, r->metric, r->unit, ID_PROBES_MAX);
		slot = plan_slot(p, h);
		if (slot->claim) {
			if (same_benchmark(keys, slot->claim - 1, r))
				break;
			continue;
		}
		if (stg && perfdb_id_set__has(&stg->claimed, h)) {
			if ((rc = staged_is(store, stg, h, r)) < 0)
				return rc;
			if (rc)
				break;
			continue;
		}
		perfdb_stmt__reset(s->find_bench);
		perfdb_stmt__bind_int64(s->find_bench, 1, h);
		rc = perfdb_stmt__step(s->find_bench);
		if (rc == PERFDB_DB_DONE) {
			slot->claim = i + 1;
			slot->id = h;
			break;
		}
		if (rc != PERFDB_DB_ROW) {
			perfdb_stmt__reset(s->find_bench);
			return perfdb_store__fail(store, "cannot read benchmarks from");
		}
		if (column_is(s->find_bench, 0, r->name) &&
		    column_is(s->find_bench, 1, r->metric) && column_is(s->find_bench, 2, r->unit))
			break;
	}
	perfdb_stmt__reset(s->find_bench);
	p->ids[i] = h;
	return 0;
}

static int insert_benchmark(perfdb_store *store, bench_stmts *s, const perfdb_bench_key *r,
			    int64_t id)
{
	cell *c;
	int err;
	if ((err = batch_row(store, &s->bench, &c)))
		return err;
	cell_int(&c[0], id);
	cell_text(&c[1], r->name);
	cell_text(&c[2], r->metric);
	cell_text(&c[3], r->unit);
	cell_int(&c[4], r->higher_is_better);
	return 0;
}

/* A result's row (its cells) into the run's block: what the row holds. */
static int add_to_block(perfdb_block_writer *w, const cell *c)
{
	perfdb_block_result b;
	b.benchmark_id = c[1].i;
	b.value = c[2].d;
	b.sample_count = (uint32_t)c[9].i;
	b.sample_median = c[10].d;
	b.sample_mad = c[11].d;
	b.nulls = (c[9].type == CELL_NULL ? PERFDB_BLOCK_NO_COUNT : 0) |
		  (c[10].type == CELL_NULL ? PERFDB_BLOCK_NO_MEDIAN : 0) |
		  (c[11].type == CELL_NULL ? PERFDB_BLOCK_NO_MAD : 0);
	return perfdb_store__block_add(w, &b);
}

static int insert_result(perfdb_store *store, record_stmts *s, perfdb_block_writer *w,
			 int64_t run_id, int64_t bench_id, const perfdb_resultset *rs, size_t index)
{
	const perfdb_result *r = perfdb_resultset_get(rs, index);
	perfdb_samples_cursor cur; /* 8 KiB, a chunk's room: on the stack */
	const double *x;
	cell *c;
	double median;
	size_t i, k, n;
	int err;
	if ((err = batch_row(store, &s->result, &c)))
		return err;
	cell_int(&c[0], run_id);
	cell_int(&c[1], bench_id);
	cell_real(&c[2], r->value);
	cell_int(&c[3], r->n);
	/* For one observation, mean, median, min and max are the value itself:
	 * they are not stored twice (the views show the value for them). */
	if (r->n > 1) {
		cell_real(&c[4], r->mean);
		cell_real(&c[5], r->median);
		cell_real(&c[7], r->min);
		cell_real(&c[8], r->max);
	}
	cell_real(&c[6], r->stddev);
	/* One sample says no more than the value: samples are kept from two
	 * repetitions on, which is where the statistical tests can use them. */
	if (r->nsamples < 2) {
		cell_int(&c[9], 0);
		return add_to_block(w, c);
	}
	/* their median and median absolute deviation, as regress computes
	 * them (schema/0008): it then need not read the samples back. Selected
	 * where they are, a chunk at a time: a copy would hold a big result's
	 * samples twice, and samples a reader left in its input are read again
	 * from there (perfdb_resultset_samples_next). */
	perfdb_resultset_samples_open(rs, index, &cur);
	median = perfdb_stats_median_chunks(perfdb_resultset_samples_next, &cur, r->nsamples);
	cell_int(&c[9], (int64_t)r->nsamples);
	cell_real(&c[10], median);
	cell_real(&c[11], perfdb_stats_mad_chunks(perfdb_resultset_samples_next, &cur, r->nsamples,
						  median));
	if ((err = add_to_block(w, c)))
		return err;
	for (i = 0; (x = perfdb_resultset_samples_next(&cur, &n)); i += n)
		for (k = 0; k < n; k++) {
			if ((err = batch_row(store, &s->sample, &c)))
				return err;
			cell_int(&c[0], run_id);
			cell_int(&c[1], bench_id);
			cell_int(&c[2], (int64_t)(i + k));
			cell_real(&c[3], x[k]);
		}
	return 0;
}

/* perfdb_store__benchmark_ids; with stg, new benchmarks go to the staging
 * table (and stg's ids) instead of the benchmarks table. */
static int benchmark_ids(perfdb_store *store, const perfdb_bench_keys *keys, size_t n, int64_t *ids,
			 size_t *added, staging *stg)
{
	bench_stmts *st = NULL; /* large (buffered rows): on the heap */
	id_plan plan = {0};
	id_index *order = NULL, *tmp = NULL;
	size_t i, k, nnew = 0;
	int err;

	if (added)
		*added = 0;
	if (n == 0)
		return 0;
	/* A load of at most 3/4 (plan_slot scales a 32-bit hash to the size). */
	if (n >= UINT32_MAX / 2)
		return perfdb_error__oom();
	plan.cap = n + n / 3 + 16;
	plan.ids = ids;
	plan.slots = calloc(plan.cap, sizeof(*plan.slots));
	plan.state = malloc(n);
	st = calloc(1, sizeof(*st));
	if (!plan.slots || !plan.state || !st) {
		err = perfdb_error__oom();
		goto out;
	}
	if ((err = perfdb_store__prepare(
		 store, &st->find_bench,
		 "SELECT name, metric, unit FROM benchmarks WHERE id = ?1")) ||
	    /* two writers on a server may add one new benchmark at once:
	     * the second finds it there (the same id for the same name) */
	    (err = batch_prepare(
		 store, &st->bench,
		 stg ? "INSERT INTO temp.perfdb_later_benchmarks(id, name, metric, "
		       "unit, higher_is_better)"
		     : "INSERT INTO benchmarks(id, name, metric, unit, higher_is_better)",
		 stg ? "" : " ON CONFLICT DO NOTHING", 5, "a benchmark",
		 stg ? BULK_INSERT : BULK_STAGED)) ||
	    (stg && stg->fresh ? (memset(plan.state, ID_ABSENT, n), 0)
			       : (err = prefetch_ids(store, keys, n, plan.state))))
		goto out;
	for (i = 0; i < n; i++) {
		/* absent from the table, but maybe staged by an earlier batch */
		if (stg && plan.state[i] == ID_ABSENT) {
			const perfdb_bench_key key = key_at(keys, i);
			int64_t h = benchmark_hash(&key);
			if (perfdb_id_set__has(&stg->claimed, h)) {
				if ((err = staged_is(store, stg, h, &key)) < 0)
					goto out;
				plan.state[i] = err ? ID_SAME : ID_TAKEN;
				err = 0;
			}
		}
		if ((err = plan_id(store, st, keys, &plan, i, plan.state[i], stg)))
			goto out;
	}

	/* New benchmarks, in id order. What only planning needed goes first,
	 * and the sort's arrays are as big as the new benchmarks, not the run:
	 * beside a run of many small results they would be as big as it. */
	free(plan.state);
	plan.state = NULL;
	for (k = 0; k < plan.cap; k++)
		nnew += plan.slots[k].claim != 0;
	order = malloc((nnew ? nnew : 1) * sizeof(*order));
	tmp = malloc((nnew ? nnew : 1) * sizeof(*tmp));
	if (!order || !tmp) {
		err = perfdb_error__oom();
		goto out;
	}
	for (i = 0, k = 0; k < plan.cap; k++) {
		if (plan.slots[k].claim) {
			order[i].index = plan.slots[k].claim - 1;
			order[i++].id = plan.slots[k].id;
		}
	}
	free(plan.slots);
	plan.slots = NULL;
	sort_by_id(order, tmp, nnew);
	free(tmp);
	tmp = NULL;
	for (i = 0; i < nnew; i++) {
		const perfdb_bench_key key = key_at(keys, order[i].index);
		if ((err = insert_benchmark(store, st, &key, order[i].id)) ||
		    (stg && (err = perfdb_id_set__add(&stg->claimed, order[i].id))))
			goto out;
	}
	if ((err = batch_flush(store, &st->bench)))
		goto out;
	if (added)
		*added = nnew;
out:
	if (st) {
		perfdb_stmt__free(st->find_bench);
		batch_release(&st->bench);
	}
	free(plan.slots);
	free(plan.state);
	free(order);
	free(tmp);
	free(st);
	return err;
}

int perfdb_store__benchmark_ids(perfdb_store *store, const perfdb_bench_keys *keys, size_t n,
				int64_t *ids, size_t *added)
{
	return benchmark_ids(store, keys, n, ids, added, NULL);
}

/* ---- a run recorded a batch at a time ---------------------------------------- */

/* A run's first batch goes straight into its tables, sorted by benchmark id
 * so that it appends to them. A later batch's ids fall between the earlier
 * ones': written straight in, each result would land on a page of its own in
 * the middle of the run (the page cache is small), and ten million results in
 * 150 batches took many times as long. On a file, later batches therefore
 * wait in temporary tables without an index (appended), and the run's finish
 * moves them, sorted by SQLite in bounded memory, into benchmarks, results and
 * samples; only the ids of their new benchmarks are kept in memory (staging).
 * A server's B-trees live in its own buffers: there batches go straight in. */
struct perfdb_recording {
	perfdb_store *store;
	record_stmts st;	    /* large (buffered rows): the recording is on the heap */
	record_stmts later;	    /* into the temporary tables, once staged */
	perfdb_block_writer blocks; /* the run's results, packed for the readers */
	staging stage;
	int staged; /* the temporary tables exist */
	int64_t run_id;
	size_t count;  /* results written */
	int done;      /* finished or failed: only perfdb_recording_free is left */
	int committed; /* nothing to roll back */
	int fresh;     /* the store had no benchmarks when the run began */
};

/* What every record needs of rs before anything is written. */
static int record_check(perfdb_store *store, const perfdb_resultset *rs)
{
	if (store->flags & PERFDB_STORE_READONLY)
		return perfdb_error__set(PERFDB_EREADONLY, "'%s' is open read-only", store->path);
	if (!perfdb_resultset_meta(rs, PERFDB_META_COMMIT))
		return perfdb_error__set(PERFDB_EINVAL,
					 "no commit to record for (PERFDB_META_COMMIT is not set)");
	if (!perfdb_resultset_meta(rs, PERFDB_META_MACHINE))
		return perfdb_error__set(
		    PERFDB_EINVAL, "no machine to record for (PERFDB_META_MACHINE is not set)");
	return 0;
}

/* Whether the store has no benchmarks yet (*out 1). */
static int no_benchmarks(perfdb_store *store, int *out)
{
	perfdb_stmt *st = NULL;
	int rc, err;
	if ((err = perfdb_store__prepare(store, &st, "SELECT 1 FROM benchmarks LIMIT 1")))
		return err;
	rc = perfdb_stmt__step(st);
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_DONE && rc != PERFDB_DB_ROW)
		return perfdb_store__fail(store, "cannot read benchmarks from");
	*out = rc == PERFDB_DB_DONE;
	return 0;
}

/* The transaction, and the commit, machine and run rows of rs (checked). */
static int recording_open(perfdb_recording **out, perfdb_store *store, const perfdb_resultset *rs)
{
	perfdb_recording *rec = calloc(1, sizeof(*rec));
	int64_t commit_id = 0, machine_id = 0;
	int err;

	*out = NULL;
	if (!rec)
		return perfdb_error__oom();
	rec->store = store;
	/* The inserts come in id order, so they append to each B-tree: a small
	 * page cache does, and a big run's memory stays its results'. */
	if (!perfdb_store__is_server(store))
		perfdb_db__exec(store->db, "PRAGMA cache_size = -" RECORD_CACHE_KIB);
	if ((err = perfdb_store__begin(store))) {
		rec->committed = 1; /* no transaction to roll back */
		perfdb_recording_free(rec);
		return err;
	}
	if ((err = stmts_prepare(store, &rec->st, 0)) ||
	    (err = upsert_commit(store, rs, &commit_id)) ||
	    (err = upsert_machine(store, rs, &machine_id)) ||
	    (err = insert_run(store, rs, commit_id, machine_id, &rec->run_id)) ||
	    (err = perfdb_store__blocks_open(store, &rec->blocks, rec->run_id)) ||
	    (err = no_benchmarks(store, &rec->fresh))) {
		perfdb_recording_free(rec);
		return err;
	}
	*out = rec;
	return 0;
}

int perfdb_store_record_begin(perfdb_recording **out, perfdb_store *store,
			      const perfdb_resultset *rs)
{
	int err;
	*out = NULL;
	if ((err = record_check(store, rs)))
		return err;
	return recording_open(out, store, rs);
}

static int twice(const perfdb_result *r)
{
	return perfdb_error__set(PERFDB_EINVAL,
				 "benchmark '%s' metric '%s' appears twice in one run",
				 r->benchmark, r->metric);
}

/* The batch's insert failed on a result the run has already (an earlier
 * batch's): which one. The batch is rolled back to its savepoint first (a
 * server refuses every statement after an error until then). err when none
 * is found, or the lookup fails. */
static int twice_across(perfdb_recording *rec, const perfdb_resultset *rs, const id_index *order,
			size_t n, int err)
{
	perfdb_store *store = rec->store;
	perfdb_stmt *st = NULL;
	size_t i;
	int rc;

	if (perfdb_db__exec(store->db, "ROLLBACK TO perfdb_batch; RELEASE perfdb_batch") != 0 ||
	    perfdb_store__prepare(
		store, &st, "SELECT 1 FROM results WHERE run_id = ?1 AND benchmark_id = ?2") != 0)
		return err;
	for (i = 0; i < n; i++) {
		perfdb_stmt__reset(st);
		perfdb_stmt__bind_int64(st, 1, rec->run_id);
		perfdb_stmt__bind_int64(st, 2, order[i].id);
		if ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
			err = twice(perfdb_resultset_get(rs, order[i].index));
			break;
		}
		if (rc != PERFDB_DB_DONE)
			break;
	}
	perfdb_stmt__free(st);
	return err;
}

/* The temporary tables of later batches (in the transaction: a rollback
 * drops them). */
static int staging_open(perfdb_recording *rec)
{
	perfdb_store *store = rec->store;
	int err;
	if (perfdb_db__exec(
		store->db, "CREATE TEMP TABLE perfdb_later_benchmarks AS SELECT id, name, metric, "
			   "unit, higher_is_better FROM benchmarks WHERE 0; "
			   "CREATE TEMP TABLE perfdb_later_results AS SELECT run_id, benchmark_id, "
			   "value, n, mean, median, stddev, min, max, sample_count, sample_median, "
			   "sample_mad FROM results WHERE 0; "
			   "CREATE TEMP TABLE perfdb_later_samples AS SELECT run_id, benchmark_id, "
			   "idx, value FROM samples WHERE 0") != 0)
		return perfdb_store__fail(store, "cannot write");
	rec->staged = 1;
	if ((err = stmts_prepare(store, &rec->later, 1)) ||
	    (err = perfdb_store__prepare(store, &rec->stage.find,
					 "SELECT name, metric, unit FROM benchmarks WHERE id = ?1 "
					 "UNION ALL SELECT name, metric, unit FROM "
					 "temp.perfdb_later_benchmarks WHERE id = ?1")))
		return err;
	/* Into a store without benchmarks before the run, the table holds the
	 * first batch's: with them in claimed, later batches need not look
	 * their ids up in it (a lookup per result, most of what planning a
	 * batch of new benchmarks costs). */
	if (rec->fresh) {
		perfdb_stmt *st;
		int rc;
		if ((err = perfdb_store__prepare(store, &st, "SELECT id FROM benchmarks")))
			return err;
		while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW)
			if ((err = perfdb_id_set__add(&rec->stage.claimed,
						      perfdb_stmt__column_int64(st, 0))))
				break;
		perfdb_stmt__free(st);
		if (err)
			return err;
		if (rc != PERFDB_DB_DONE)
			return perfdb_store__fail(store, "cannot read benchmarks from");
		rec->stage.fresh = 1;
	}
	return 0;
}

static void staging_release(perfdb_recording *rec)
{
	stmts_release(&rec->later);
	perfdb_stmt__free(rec->stage.find);
	rec->stage.find = NULL;
	perfdb_id_set__release(&rec->stage.claimed);
}

/* The staged rows into their tables, in key order; a result that the run
 * has twice (in two batches) is found here, by the primary key. */
static int staging_finish(perfdb_recording *rec)
{
	static const char *const moves[] = {
	    "INSERT INTO benchmarks(id, name, metric, unit, higher_is_better) SELECT id, name, "
	    "metric, unit, higher_is_better FROM temp.perfdb_later_benchmarks ORDER BY id",
	    "INSERT INTO results" RESULT_COLUMNS " SELECT run_id, benchmark_id, value, n, mean, "
	    "median, stddev, min, max, sample_count, sample_median, sample_mad FROM "
	    "temp.perfdb_later_results ORDER BY run_id, benchmark_id",
	    "INSERT INTO samples" SAMPLE_COLUMNS " SELECT run_id, benchmark_id, idx, value FROM "
	    "temp.perfdb_later_samples ORDER BY run_id, benchmark_id, idx",
	    "DROP TABLE temp.perfdb_later_benchmarks; DROP TABLE temp.perfdb_later_results; "
	    "DROP TABLE temp.perfdb_later_samples"};
	perfdb_store *store = rec->store;
	size_t i;
	int err;

	staging_release(rec); /* a table is dropped only once nothing reads it */
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		perfdb_stmt *st;
		int rc;
		if (perfdb_db__exec(store->db, moves[i]) == 0)
			continue;
		err = perfdb_store__fail(store, "cannot record a result in");
		if (i != 1 || !perfdb_db__error_duplicate(store->db) ||
		    perfdb_store__prepare(
			store, &st,
			"SELECT b.name, b.metric FROM benchmarks b WHERE b.id = ("
			"SELECT s.benchmark_id FROM temp.perfdb_later_results s WHERE EXISTS ("
			"SELECT 1 FROM results r WHERE r.run_id = s.run_id AND "
			"r.benchmark_id = s.benchmark_id) UNION ALL "
			"SELECT benchmark_id FROM temp.perfdb_later_results GROUP BY benchmark_id "
			"HAVING count(*) > 1 LIMIT 1)") != 0)
			return err;
		if ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
			perfdb_result r;
			perfdb_result_init(&r);
			r.benchmark = perfdb_stmt__column_text(st, 0);
			r.metric = perfdb_stmt__column_text(st, 1);
			err = twice(&r);
		}
		perfdb_stmt__free(st);
		return err;
	}
	return 0;
}

int perfdb_recording_add(perfdb_recording *rec, const perfdb_resultset *rs)
{
	perfdb_store *store = rec->store;
	const perfdb_bench_keys keys = {NULL, rs};
	size_t i, n = perfdb_resultset_count(rs);
	/* A batch after the first can repeat a benchmark of an earlier one:
	 * the run's primary key refuses it, and the savepoint lets the
	 * lookup (twice_across) run after that. */
	int later = rec->count > 0;
	/* on a file, a later batch is staged (see struct perfdb_recording) */
	int stage = later && !perfdb_store__is_server(store);
	record_stmts *into = stage ? &rec->later : &rec->st;
	id_index *order = NULL, *tmp = NULL;
	int64_t *ids = NULL;
	int err;

	if (rec->done)
		return perfdb_error__set(PERFDB_EINVAL, "the recording of '%s' has ended",
					 store->path);
	if (n == 0)
		return 0;
	/* The arrays are allocated as late and freed as early as they can be:
	 * beside a run of many small results they are as big as the results. */
	if (!(ids = malloc(n * sizeof(*ids)))) {
		err = perfdb_error__oom();
		goto out;
	}
	if (stage && !rec->staged && (err = staging_open(rec)))
		goto out;
	if (later && !stage && perfdb_db__exec(store->db, "SAVEPOINT perfdb_batch") != 0) {
		err = perfdb_store__fail(store, "cannot write");
		goto out;
	}
	if ((err = benchmark_ids(store, &keys, n, ids, NULL, stage ? &rec->stage : NULL)))
		goto out;
	order = malloc(n * sizeof(*order));
	tmp = malloc(n * sizeof(*tmp));
	if (!order || !tmp) {
		err = perfdb_error__oom();
		goto out;
	}

	/* Results, in benchmark id order; one benchmark twice in a run is an
	 * input error, found here where it sorts next to itself. */
	for (i = 0; i < n; i++) {
		order[i].index = i;
		order[i].id = ids[i];
	}
	free(ids);
	ids = NULL;
	sort_by_id(order, tmp, n);
	free(tmp);
	tmp = NULL;
	for (i = 1; i < n; i++) {
		if (order[i].id == order[i - 1].id) {
			err = twice(perfdb_resultset_get(rs, order[i].index));
			goto out;
		}
	}
	/* The run's blocks (store/blocks.h): a batch's ids rise only within
	 * it, so each batch ends a chunk. */
	for (i = 0; i < n && !err; i++) {
		err = insert_result(store, into, &rec->blocks, rec->run_id, order[i].id, rs,
				    order[i].index);
		if (!err && rec->blocks.count == PERFDB_BLOCK_ROWS)
			err = perfdb_store__write_block(store, &rec->blocks);
	}
	if (!err)
		err = perfdb_store__write_block(store, &rec->blocks);
	/* Everything is sent before rs goes: rows borrow from it. */
	if (!err && !(err = batch_flush(store, &into->result)))
		err = batch_flush(store, &into->sample);
	if (err == PERFDB_EDB && later && !stage && perfdb_db__error_duplicate(store->db))
		err = twice_across(rec, rs, order, n, err);
	else if (!err && later && !stage && perfdb_db__exec(store->db, "RELEASE perfdb_batch") != 0)
		err = perfdb_store__fail(store, "cannot write");
	if (!err)
		rec->count += n;
out:
	if (err)
		rec->done = 1;
	free(ids);
	free(order);
	free(tmp);
	return err;
}

int perfdb_recording_finish(perfdb_recording *rec, int64_t *run_id)
{
	int err;
	if (rec->done)
		return perfdb_error__set(PERFDB_EINVAL, "the recording of '%s' has ended",
					 rec->store->path);
	rec->done = 1;
	if (!rec->count)
		return perfdb_error__set(PERFDB_EINVAL, "nothing to record: no results");
	if ((rec->staged && (err = staging_finish(rec))) ||
	    (err = perfdb_store__blocks_close(rec->store, &rec->blocks)))
		return err;
	stmts_release(&rec->st);
	/* a failed commit is rolled back */
	rec->committed = 1;
	if ((err = perfdb_store__commit(rec->store)))
		return err;
	if (run_id)
		*run_id = rec->run_id;
	return 0;
}

void perfdb_recording_free(perfdb_recording *rec)
{
	if (!rec)
		return;
	stmts_release(&rec->st);
	staging_release(rec);
	perfdb_store__block_release(&rec->blocks);
	if (!rec->committed)
		perfdb_store__rollback(rec->store);
	if (!perfdb_store__is_server(rec->store))
		perfdb_db__exec(rec->store->db, "PRAGMA cache_size = -" OPEN_CACHE_KIB);
	free(rec);
}

int perfdb_store_record(perfdb_store *store, const perfdb_resultset *rs, int64_t *run_id)
{
	perfdb_recording *rec = NULL;
	int err;

	if ((err = record_check(store, rs)))
		return err;
	if (perfdb_resultset_count(rs) == 0)
		return perfdb_error__set(PERFDB_EINVAL, "nothing to record: no results");
	if (!(err = recording_open(&rec, store, rs)) && !(err = perfdb_recording_add(rec, rs)))
		err = perfdb_recording_finish(rec, run_id);
	perfdb_recording_free(rec);
	return err;
}
