/* Tests of lib/store: open and migrate, record, read-only queries. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_server.h"

#include "perfdb.h"
#include "perfdb/stats.h"
#include "store/history.h"
#include "store/schema.h"
#include "store/store.h"

#include <sqlite3.h>

static int atoi_safe(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

static char dir[] = "/tmp/perfdb-test-store.XXXXXX";

/* A new database: the file name in the temporary folder, or a new database
 * on the server when the tests run on one (test_server.h). */
static void db_path(char *buf, size_t cap, const char *name)
{
	if (on_server())
		test_server_new_db(buf, cap, "store");
	else
		snprintf(buf, cap, "%s/%s", dir, name);
}

/* The schema version as SQL reads it on either engine. */
static const char *version_sql(void)
{
	return on_server() ? "SELECT max(version) FROM perfdb_schema" : "PRAGMA user_version";
}

/* Collects rows as text, one "a|b|c" line per row. */
typedef struct rows {
	char text[8192];
	size_t nrows;
	char names[512];
} rows;

static int collect(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	rows *r = ctx;
	size_t i, n = strlen(r->text);
	if (!row) {
		for (i = 0; i < ncols; i++) {
			size_t m = strlen(r->names);
			snprintf(r->names + m, sizeof(r->names) - m, "%s%s", i ? "|" : "",
				 names[i]);
		}
		return 0;
	}
	for (i = 0; i < ncols; i++) {
		snprintf(r->text + n, sizeof(r->text) - n, "%s%s", i ? "|" : "", row[i].text);
		n = strlen(r->text);
	}
	snprintf(r->text + n, sizeof(r->text) - n, "\n");
	r->nrows++;
	return 0;
}

static void query(perfdb_store *s, const char *sql, rows *out)
{
	memset(out, 0, sizeof(*out));
	assert_int_equal(perfdb_store_query(s, sql, collect, out), 0);
}

static perfdb_resultset *sample_resultset(const char *commit)
{
	perfdb_resultset *rs;
	perfdb_result r;
	static const double samples[] = {1.0, 2.0, 3.0};

	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, commit), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_BRANCH, "main"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "ci-1"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "test"), 0);
	assert_int_equal(perfdb_resultset_set_tag(rs, "opt", "O2"), 0);
	assert_int_equal(perfdb_resultset_set_tag(rs, "cc", "gcc"), 0);

	perfdb_result_init(&r);
	r.benchmark = "BM_Sort/1024";
	r.metric = "real_time";
	r.unit = "us";
	r.samples = samples;
	r.nsamples = 3;
	r.stddev = 1.0;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);

	perfdb_result_init(&r);
	r.benchmark = "BM_Sort/1024";
	r.metric = "items_per_second";
	r.unit = "items/s";
	r.value = 5e6;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	return rs;
}

static void test_store__creates_and_migrates(void **state)
{
	char path[256];
	perfdb_store *s;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "new.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	query(s, "PRAGMA user_version", &r);
	assert_int_equal(atoi_safe(r.text), perfdb_store_schema_version());
	{
		/* WAL is recorded in the file header: bytes 18 and 19 are 2. */
		unsigned char header[20];
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fread(header, 1, sizeof(header), f), sizeof(header));
		fclose(f);
		assert_int_equal(header[18], 2);
		assert_int_equal(header[19], 2);
	}
	query(s, "SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name", &r);
	assert_string_equal(r.text, "history\nlatest\n");
	perfdb_store_free(s);
	/* Opening again does not migrate twice. */
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READONLY), 0);
	perfdb_store_free(s);
}

static void test_store__records_values_units_and_samples(void **state)
{
	char path[256];
	perfdb_store *s;
	perfdb_resultset *rs = sample_resultset("abc123");
	int64_t run = 0;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "record.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, &run), 0);
	assert_int_equal(run, 1);

	query(s,
	      "SELECT sha, branch, machine, benchmark, metric, unit, direction, value, n, stddev "
	      "FROM history ORDER BY metric",
	      &r);
	/* us are stored as ns: the mean of 1,2,3 us is 2000 ns. */
	assert_string_equal(r.text, "abc123|main|ci-1|BM_Sort/1024|items_per_second|items/s|"
				    "higher_is_better|5000000.0|1|\n"
				    "abc123|main|ci-1|BM_Sort/1024|real_time|ns|lower_is_better|"
				    "2000.0|3|1000.0\n");
	query(s, "SELECT value FROM samples ORDER BY idx", &r);
	assert_string_equal(r.text, "1000.0\n2000.0\n3000.0\n");
	query(s, "SELECT tags, source FROM runs", &r);
	assert_string_equal(r.text, "{\"cc\":\"gcc\",\"opt\":\"O2\"}|test\n");

	/* A second run of the same commit adds evidence, not a duplicate commit. */
	assert_int_equal(perfdb_store_record(s, rs, &run), 0);
	assert_int_equal(run, 2);
	query(s, "SELECT count(*) FROM commits", &r);
	assert_string_equal(r.text, "1\n");
	query(s, "SELECT count(*) FROM latest", &r);
	assert_string_equal(r.text, "2\n");
	query(s, "SELECT DISTINCT run_id FROM latest", &r);
	assert_string_equal(r.text, "2\n");
	perfdb_resultset_free(rs);
	perfdb_store_free(s);
}

static void test_store__latest_follows_commit_order(void **state)
{
	char path[256];
	perfdb_store *s;
	perfdb_resultset *a = sample_resultset("c1"), *b = sample_resultset("c2");
	rows r;
	(void)state;
	db_path(path, sizeof(path), "latest.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, a, NULL), 0);
	assert_int_equal(perfdb_store_record(s, b, NULL), 0);
	assert_int_equal(perfdb_store_record(s, a, NULL), 0); /* c1 again: still older */
	query(s, "SELECT DISTINCT sha FROM latest", &r);
	assert_string_equal(r.text, "c2\n");
	query(s, "SELECT sha, seq FROM commits ORDER BY seq", &r);
	assert_string_equal(r.text, "c1|1\nc2|2\n");
	perfdb_resultset_free(a);
	perfdb_resultset_free(b);
	perfdb_store_free(s);
}

static void test_store__query_refuses_writes(void **state)
{
	static const char *const refused[] = {
	    "INSERT INTO commits(sha, seq) VALUES ('x', 1)",
	    "DELETE FROM results",
	    "UPDATE alerts SET status = 'ignored'",
	    "DROP VIEW history",
	    "CREATE TABLE t(x INTEGER)",
	    "ATTACH DATABASE '/tmp/x.db' AS x",
	    "PRAGMA user_version = 7",
	    "PRAGMA journal_mode = DELETE",
	    "BEGIN",
	    "VACUUM",
	    "WITH x AS (SELECT 1) DELETE FROM runs",
	};
	char path[256];
	perfdb_store *s;
	rows r;
	size_t i;
	(void)state;
	db_path(path, sizeof(path), "ro.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(&r, 0, sizeof(r));
		/* SQLite's own statements are no SQL to a server: bad input */
		if (on_server() && (strncmp(refused[i], "ATTACH", 6) == 0 ||
				    strncmp(refused[i], "PRAGMA", 6) == 0)) {
			assert_int_equal(perfdb_store_query(s, refused[i], collect, &r),
					 PERFDB_EINVAL);
			continue;
		}
		assert_int_equal(perfdb_store_query(s, refused[i], collect, &r), PERFDB_EREADONLY);
		assert_non_null(strstr(perfdb_error_last()->message, "read-only"));
	}
	/* Two statements: refused, the second never runs. */
	assert_int_equal(perfdb_store_query(s, "SELECT 1; DELETE FROM runs", collect, &r),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_store_query(s, "SELEC 1", collect, &r), PERFDB_EINVAL);
	query(s, version_sql(), &r);
	assert_int_equal(atoi_safe(r.text), perfdb_store_schema_version());
	query(s, "SELECT 1 AS one; ", &r);
	assert_string_equal(r.names, "one");
	perfdb_store_free(s);
}

/* A store at path holding one run (commit guard1), open read-write. */
static perfdb_store *store_with_one_run(const char *path)
{
	perfdb_store *s = NULL;
	perfdb_resultset *rs = sample_resultset("guard1");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	perfdb_resultset_free(rs);
	return s;
}

/* A blob reads as a server writes a bytea, \x and hex, on both engines
 * (SQLite gave its bytes cut at the first NUL), and two blob columns of one
 * row keep their own text (on a server the first was freed under the
 * second). */
static void test_store__query_reads_blobs_alike(void **state)
{
	char path[256], want[600];
	perfdb_store *s;
	rows r;
	long long len;
	size_t k;
	(void)state;
	db_path(path, sizeof(path), "blobs.db");
	s = store_with_one_run(path);
	query(s, "SELECT length(data) FROM result_blocks", &r);
	assert_int_equal(r.nrows, 1);
	len = strtoll(r.text, NULL, 10);
	assert_true(len > 20 && len < 250);
	query(s, "SELECT data, data FROM result_blocks", &r);
	assert_int_equal(r.nrows, 1);
	assert_int_equal(strlen(r.text), 2 * (2 + 2 * (size_t)len) + 2);
	assert_memory_equal(r.text, "\\x", 2);
	for (k = 2; k < 2 + 2 * (size_t)len; k++)
		assert_non_null(strchr("0123456789abcdef", r.text[k]));
	memcpy(want, r.text, 2 + 2 * (size_t)len);
	want[2 + 2 * (size_t)len] = '\0';
	assert_memory_equal(r.text + 2 + 2 * (size_t)len + 1, want, 2 + 2 * (size_t)len);
	perfdb_store_free(s);
}

/* sql, which runs for ever, is stopped at a 0.2 s limit, and the handle
 * still works after it (s holds one run). */
static void check_time_limit(perfdb_store *s, const char *sql)
{
	rows r;
	perfdb_store_set_query_timeout(s, 0.2);
	assert_int_equal(perfdb_store_query(s, sql, collect, &r), PERFDB_EDB);
	assert_non_null(strstr(perfdb_error_last()->message, "query stopped after 0.2 s"));
	query(s, "SELECT count(*) FROM runs", &r);
	assert_string_equal(r.text, "1\n");
}

/* Issue 12: the guard refused reads (table-valued functions, reading
 * PRAGMAs, a trailing comment) and let fts3_tokenizer through; a runaway
 * query ran for ever. */
static void test_store__query_guard_both_ways(void **state)
{
	char path[256];
	perfdb_store *s;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "guard.db");
	perfdb_store_free(store_with_one_run(path));
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READONLY), 0);

	query(s, "SELECT key, value FROM runs, json_each(runs.tags) ORDER BY key", &r);
	assert_string_equal(r.text, "cc|gcc\nopt|O2\n");
	query(s, "SELECT name FROM pragma_table_info('commits') WHERE pk", &r);
	assert_string_equal(r.text, "id\n");
	query(s, "PRAGMA journal_mode", &r);
	assert_string_equal(r.text, "wal\n");
	query(s, "PRAGMA main.table_info(machines)", &r);
	assert_true(r.nrows >= 2);
	query(s, "SELECT 1 AS one; /* c */ -- d\n ; ", &r);
	assert_string_equal(r.text, "1\n");

	memset(&r, 0, sizeof(r));
	assert_int_equal(perfdb_store_query(s, "SELECT fts3_tokenizer('simple')", collect, &r),
			 PERFDB_EREADONLY);
	assert_non_null(strstr(perfdb_error_last()->message, "fts3_tokenizer"));
	assert_int_equal(perfdb_store_query(s, "SELECT 1; /* c */ DELETE FROM runs", collect, &r),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_store_query(s, "PRAGMA journal_mode = DELETE", collect, &r),
			 PERFDB_EREADONLY);
	assert_int_equal(perfdb_store_query(s, "UPDATE sqlite_master SET sql = ''", collect, &r),
			 PERFDB_EINVAL);
	assert_int_equal(r.nrows, 0);

	/* Interrupted, not left running: the test's own timeout is the check. */
	check_time_limit(s, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
			    "SELECT count(*) FROM c");
	perfdb_store_free(s);
}

/* The whole file, for "unchanged" checks. */
static size_t slurp(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void sqlite_exec_file(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Issue 12: another application's SQLite file was switched to WAL and given
 * perfdb's tables before anything noticed; a FIFO hung the open; /dev/null
 * was opened (and, as root, /dev/null-journal created). */
static void test_store__refuses_what_is_not_perfdb(void **state)
{
	static unsigned char before[65536], after[65536];
	char path[256];
	perfdb_store *s = NULL;
	size_t n;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "foreign.db");
	sqlite_exec_file(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
	n = slurp(path, before, sizeof(before));
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), PERFDB_EDB);
	assert_null(s);
	assert_non_null(strstr(perfdb_error_last()->message, "is not a perfdb database"));
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READONLY), PERFDB_EDB);
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);

	db_path(path, sizeof(path), "other-app.db");
	sqlite_exec_file(path, "PRAGMA application_id = 42; CREATE TABLE runs(x);");
	n = slurp(path, before, sizeof(before));
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), PERFDB_EDB);
	assert_non_null(strstr(perfdb_error_last()->message, "id 0x0000002a"));
	assert_int_equal(slurp(path, after, sizeof(after)), n);
	assert_memory_equal(before, after, n);

	db_path(path, sizeof(path), "fifo.db");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READONLY), PERFDB_EDB);
	assert_non_null(strstr(perfdb_error_last()->message, "it is a FIFO"));
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), PERFDB_EDB);
	assert_int_equal(perfdb_store_open(&s, "/dev/null", PERFDB_STORE_READWRITE), PERFDB_EDB);
	assert_non_null(strstr(perfdb_error_last()->message, "character device"));
	assert_int_equal(perfdb_store_open(&s, dir, PERFDB_STORE_READONLY), PERFDB_EDB);

	/* A new database carries perfdb's id. */
	db_path(path, sizeof(path), "mine.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	query(s, "PRAGMA application_id", &r);
	assert_string_equal(r.text, "1348879426\n");
	perfdb_store_free(s);
}

/* A database made before the application id (schema version 1) is still
 * perfdb's: migrating gives it the id and the results(benchmark_id) index. */
static void test_store__migrates_a_version_1_file(void **state)
{
	char path[256], sql[128];
	perfdb_store *s = NULL;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "v1.db");
	assert_int_equal(perfdb_schema__migrations[0].version, 1);
	sqlite_exec_file(path, perfdb_schema__migrations[0].sql);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = 1");
	sqlite_exec_file(path, sql);
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READONLY), PERFDB_EDB);
	assert_non_null(strstr(perfdb_error_last()->message, "needs migrating"));
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	query(s, "PRAGMA application_id", &r);
	assert_string_equal(r.text, "1348879426\n");
	query(s, "PRAGMA user_version", &r);
	assert_int_equal(atoi_safe(r.text), perfdb_store_schema_version());
	query(s, "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'results'",
	      &r);
	assert_string_equal(r.text, "results_benchmark\n");
	perfdb_store_free(s);
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READONLY), 0);
	perfdb_store_free(s);
}

/* Results whose samples' statistics are worth checking: an even count
 * (the median is a mean of two), an odd one, none. */
static perfdb_resultset *stats_resultset(void)
{
	static const double a[] = {0.1, 0.7, 0.05, 5}, b[] = {1e-3, 3.3, 2.2};
	const struct {
		const char *name;
		const double *x;
		size_t n;
	} table[] = {{"BM_A", a, 4}, {"BM_B", b, 3}, {"BM_C", NULL, 0}};
	perfdb_resultset *rs;
	perfdb_result r;
	size_t i;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "st1"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "ci-1"), 0);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		perfdb_result_init(&r);
		r.benchmark = table[i].name;
		r.metric = "real_time";
		r.unit = "ns";
		r.samples = table[i].x;
		r.nsamples = table[i].n;
		if (!table[i].n)
			r.value = 7;
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	}
	return rs;
}

/* What stats_resultset's results must carry (schema/0008): each one's
 * sample count, and whether its median and mad are, to the bit, those
 * lib/analysis/stats.c computes from its samples. */
static void expect_sample_stats(perfdb_store *s)
{
	static const double a[] = {0.1, 0.7, 0.05, 5}, b[] = {1e-3, 3.3, 2.2};
	double x[4];
	char sql[1024];
	double ma, da, mb, db;
	rows r;
	memcpy(x, a, sizeof(a));
	ma = perfdb_stats_median_inplace(x, 4);
	memcpy(x, a, sizeof(a));
	da = perfdb_stats_mad_inplace(x, 4);
	memcpy(x, b, sizeof(b));
	mb = perfdb_stats_median_inplace(x, 3);
	memcpy(x, b, sizeof(b));
	db = perfdb_stats_mad_inplace(x, 3);
	snprintf(sql, sizeof(sql),
		 "SELECT b.name, r.sample_count, "
		 "CASE b.name WHEN 'BM_A' THEN r.sample_median = %.17g AND r.sample_mad = %.17g "
		 "WHEN 'BM_B' THEN r.sample_median = %.17g AND r.sample_mad = %.17g "
		 "ELSE r.sample_median IS NULL AND r.sample_mad IS NULL END "
		 "FROM results r JOIN benchmarks b ON b.id = r.benchmark_id ORDER BY b.name",
		 ma, da, mb, db);
	query(s, sql, &r);
	/* a boolean is 1 in a file, t on a server */
	assert_true(strcmp(r.text, "BM_A|4|1\nBM_B|3|1\nBM_C|0|1\n") == 0 ||
		    strcmp(r.text, "BM_A|4|t\nBM_B|3|t\nBM_C|0|t\n") == 0);
}

/* The migration to version 9 gave the one run its result block, made from
 * its rows (statistics and all), and the series reader reads it. */
static void expect_blocks_made(perfdb_store *s)
{
	perfdb_series_set *set = NULL;
	rows r;
	query(s, "SELECT run_id, chunk FROM result_blocks", &r);
	assert_string_equal(r.text, "1|0\n");
	assert_int_equal(perfdb_store_read_series(&set, s, NULL), 0);
	assert_int_equal(perfdb_series_set__runs_from_blocks(set), 1);
	assert_int_equal(perfdb_series_set_count(set), 3);
	assert_int_equal(perfdb_series_set_get(set, 0)->points[0].nsamples, 4);
	perfdb_series_set_free(set);
}

/* A new database at path holding one run of stats_resultset. */
static perfdb_store *store_with_stats(const char *path)
{
	perfdb_store *s = NULL;
	perfdb_resultset *rs = stats_resultset();
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	perfdb_resultset_free(rs);
	return s;
}

/* record keeps each result's sample count, median and mad beside it, so
 * regress need not read the samples back. */
static void test_store__records_sample_stats(void **state)
{
	char path[1024];
	perfdb_store *s;
	(void)state;
	db_path(path, sizeof(path), "stats");
	s = store_with_stats(path);
	expect_sample_stats(s);
	perfdb_store_free(s);
}

/* Migration 0008 fills the statistics of results recorded before it, in
 * SQL, to the bit what record computes in C. */
static void test_store__migration_backfills_sample_stats(void **state)
{
	char path[1024];
	perfdb_store *s;
	(void)state;
	db_path(path, sizeof(path), "v5.db");
	/* the database as version 5 left it: a server made by its first
	 * migration, stats_resultset's rows written by hand */
	if (on_server()) {
		assert_int_equal(perfdb_schema__pg_migrations[0].version, 5);
		test_server_exec(path, perfdb_schema__pg_migrations[0].sql);
		test_server_exec(
		    path, "CREATE TABLE perfdb_schema (version integer PRIMARY KEY, "
			  "applied_at text NOT NULL); "
			  "INSERT INTO perfdb_schema VALUES (5, 'then'); "
			  "INSERT INTO commits(id, sha, seq) VALUES (1, 'st1', 1); "
			  "INSERT INTO machines(id, name) VALUES (1, 'ci-1'); "
			  "INSERT INTO runs(id, commit_id, machine_id, started_at, source) "
			  "VALUES (1, 1, 1, 'then', 'test'); "
			  "INSERT INTO benchmarks VALUES (1, 'BM_A', 'real_time', 'ns', 0), "
			  "(2, 'BM_B', 'real_time', 'ns', 0), (3, 'BM_C', 'real_time', 'ns', 0); "
			  "INSERT INTO results(run_id, benchmark_id, value, n) "
			  "VALUES (1, 1, 1, 4), (1, 2, 1, 3), (1, 3, 7, 1); "
			  "INSERT INTO samples VALUES (1, 1, 0, 0.1), (1, 1, 1, 0.7), "
			  "(1, 1, 2, 0.05), (1, 1, 3, 5), (1, 2, 0, 1e-3), (1, 2, 1, 3.3), "
			  "(1, 2, 2, 2.2)");
	} else {
		perfdb_store_free(store_with_stats(path));
		sqlite_exec_file(path, "DROP TRIGGER results_insert_blocks; "
				       "DROP TRIGGER results_update_blocks; "
				       "DROP TRIGGER results_delete_blocks; "
				       "DROP TRIGGER runs_delete_blocks; DROP TABLE result_blocks; "
				       "ALTER TABLE results DROP COLUMN sample_count; "
				       "ALTER TABLE results DROP COLUMN sample_median; "
				       "ALTER TABLE results DROP COLUMN sample_mad; "
				       "PRAGMA user_version = 5;");
	}
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	expect_sample_stats(s);
	expect_blocks_made(s);
	perfdb_store_free(s);
}

/* A statement run again reads its numbers as the first run did, though
 * on a server they then come in binary (db_pg.c): integers of each size,
 * doubles to the last bit, booleans, NULL, bytes; and their text as before. */
static void test_store__numbers_read_alike_every_run(void **state)
{
	char path[1024], first[3][64];
	perfdb_store *s = NULL;
	perfdb_stmt *st = NULL;
	int k;
	(void)state;
	db_path(path, sizeof(path), "numbers");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(
	    perfdb_store__prepare(s, &st,
				  "SELECT CAST(?1 AS bigint), CAST(?2 AS double precision), "
				  "CAST(?1 AS integer) < 0, CAST(-7 AS smallint), "
				  "CAST(NULL AS double precision), CAST(2.5 AS real), ?3"),
	    0);
	for (k = 0; k < 3; k++) {
		size_t n = 0;
		perfdb_stmt__bind_int64(st, 1, -1234567890 - k);
		perfdb_stmt__bind_double(st, 2, 0.1 + 0.2);
		perfdb_stmt__bind_blob(st, 3, "\0\377A", 3);
		assert_int_equal(perfdb_stmt__step(st), PERFDB_DB_ROW);
		assert_true(perfdb_stmt__column_int64(st, 0) == -1234567890 - k);
		assert_true(perfdb_stmt__column_double(st, 1) == 0.1 + 0.2);
		assert_int_equal(perfdb_stmt__column_type(st, 1), PERFDB_VALUE_REAL);
		assert_int_equal(perfdb_stmt__column_int64(st, 2), 1);
		assert_int_equal(perfdb_stmt__column_int64(st, 3), -7);
		assert_int_equal(perfdb_stmt__column_type(st, 4), PERFDB_VALUE_NULL);
		assert_true(perfdb_stmt__column_double(st, 5) == 2.5);
		/* bytea: sent and read in binary from the second run on */
		assert_memory_equal(perfdb_stmt__column_blob(st, 6, &n), "\0\377A", 3);
		assert_int_equal(n, 3);
		assert_string_equal(perfdb_stmt__column_text(st, 6), "\\x00ff41");
		if (k == 0) {
			snprintf(first[0], sizeof(first[0]), "%s", perfdb_stmt__column_text(st, 1));
			snprintf(first[1], sizeof(first[1]), "%s", perfdb_stmt__column_text(st, 2));
			snprintf(first[2], sizeof(first[2]), "%s", perfdb_stmt__column_text(st, 5));
		} else {
			assert_string_equal(perfdb_stmt__column_text(st, 1), first[0]);
			assert_string_equal(perfdb_stmt__column_text(st, 2), first[1]);
			assert_string_equal(perfdb_stmt__column_text(st, 5), first[2]);
		}
		assert_string_equal(first[0], "0.3");
		assert_string_equal(first[1], "1");
		assert_int_equal(perfdb_stmt__step(st), PERFDB_DB_DONE);
		perfdb_stmt__reset(st);
	}
	perfdb_stmt__free(st);
	perfdb_store_free(s);
}

static void test_store__bad_files(void **state)
{
	char path[256];
	perfdb_store *s = NULL;
	FILE *f;
	(void)state;
	db_path(path, sizeof(path), "corrupt.db");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not an sqlite database, but it is long enough to have a header ......"
	      "..............................................................................",
	      f);
	fclose(f);
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), PERFDB_EDB);
	assert_null(s);
	assert_non_null(strstr(perfdb_error_last()->message, "corrupt.db"));

	db_path(path, sizeof(path), "missing.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READONLY), PERFDB_ENOTFOUND);
	assert_int_equal(access(path, F_OK), -1); /* read-only never creates */
	assert_int_equal(
	    perfdb_store_open(&s, path, PERFDB_STORE_READWRITE | PERFDB_STORE_MUST_EXIST),
	    PERFDB_ENOTFOUND);
	assert_int_equal(access(path, F_OK), -1); /* nor does MUST_EXIST */

	db_path(path, sizeof(path), "nodir/x.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), PERFDB_EDB);
}

static void test_store__record_needs_commit_machine_and_results(void **state)
{
	char path[256];
	perfdb_store *s;
	perfdb_resultset *rs;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "needs.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), PERFDB_EINVAL);
	perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "c");
	assert_int_equal(perfdb_store_record(s, rs, NULL), PERFDB_EINVAL);
	perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m");
	assert_int_equal(perfdb_store_record(s, rs, NULL), PERFDB_EINVAL); /* no results */
	query(s, "SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM commits)", &r);
	assert_string_equal(r.text, "0\n");
	perfdb_resultset_free(rs);
	perfdb_store_free(s);
}

static void test_store__duplicate_result_rolls_back_whole_run(void **state)
{
	char path[256];
	perfdb_store *s;
	perfdb_resultset *rs = sample_resultset("dup");
	perfdb_result r;
	rows out;
	(void)state;
	perfdb_result_init(&r);
	r.benchmark = "BM_Sort/1024";
	r.metric = "items_per_second";
	r.unit = "items/s";
	r.value = 1;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	db_path(path, sizeof(path), "dup.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), PERFDB_EINVAL);
	query(s,
	      "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM commits), "
	      "(SELECT count(*) FROM results), (SELECT count(*) FROM samples)",
	      &out);
	assert_string_equal(out.text, "0|0|0|0\n");
	perfdb_resultset_free(rs);
	perfdb_store_free(s);
}

static void test_store__many_results_with_samples(void **state)
{
	/* More rows than one insert batch holds, each with samples: samples
	 * must never reach the table before their result. */
	char path[256], name[64];
	perfdb_store *s;
	perfdb_resultset *rs;
	perfdb_result r;
	double samples[7];
	size_t i, k;
	rows out;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "many");
	perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m");
	for (i = 0; i < 300; i++) {
		for (k = 0; k < 7; k++)
			samples[k] = (double)(i * 10 + k);
		snprintf(name, sizeof(name), "BM_%zu", i);
		perfdb_result_init(&r);
		r.benchmark = name;
		r.unit = "ns";
		r.samples = samples;
		r.nsamples = 7;
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	}
	db_path(path, sizeof(path), "many.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	query(s,
	      "SELECT (SELECT count(*) FROM results), (SELECT count(*) FROM samples), "
	      "(SELECT sum(value) FROM samples), (SELECT value FROM history WHERE benchmark = "
	      "'BM_299')",
	      &out);
	/* sum over i<300, k<7 of 10i+k = 10*7*44850 + 300*21 = 3145800; mean of BM_299 = 2993 */
	assert_string_equal(out.text, "300|2100|3145800.0|2993.0\n");
	perfdb_resultset_free(rs);
	perfdb_store_free(s);
}

/* Results BM_<from>..BM_<to - 1> (value i, 3 samples from 2 on every
 * other one) in a resultset without metadata. */
static perfdb_resultset *batch_of(size_t from, size_t to)
{
	static const double samples[] = {1.0, 2.0, 4.0};
	perfdb_resultset *rs;
	perfdb_result r;
	char name[32];
	size_t i;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "BM_%zu", i);
		perfdb_result_init(&r);
		r.benchmark = name;
		r.unit = "ns";
		r.value = (double)i;
		if (i % 2) {
			r.samples = samples;
			r.nsamples = 3;
		}
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	}
	return rs;
}

static const char counts_sql[] =
    "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM commits), "
    "(SELECT count(*) FROM results), (SELECT count(*) FROM samples), "
    "(SELECT count(*) FROM benchmarks)";

static void test_store__recording_in_batches(void **state)
{
	char path[256];
	perfdb_store *s;
	perfdb_resultset *meta = sample_resultset("batches"), *a = batch_of(0, 100),
			 *b = batch_of(100, 250);
	perfdb_recording *rec;
	int64_t id = 0;
	rows out;
	(void)state;
	db_path(path, sizeof(path), "batches.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record_begin(&rec, s, meta), 0);
	assert_int_equal(perfdb_recording_add(rec, a), 0);
	assert_int_equal(perfdb_recording_add(rec, b), 0);
	assert_int_equal(perfdb_recording_finish(rec, &id), 0);
	perfdb_recording_free(rec);
	assert_true(id > 0);
	/* the run's metadata is the first resultset's; its two results are
	 * not written (only the batches' are) */
	query(s, counts_sql, &out);
	assert_string_equal(out.text, "1|1|250|375|250\n");
	query(s,
	      "SELECT r.branch, r.source, r.tags, sum(h.value) FROM runs r JOIN history h "
	      "ON h.run_id = r.id GROUP BY r.id",
	      &out);
	/* sum of 0..249 */
	assert_string_equal(out.text, "main|test|{\"cc\":\"gcc\",\"opt\":\"O2\"}|31125.0\n");
	perfdb_resultset_free(meta);
	perfdb_resultset_free(a);
	perfdb_resultset_free(b);
	perfdb_store_free(s);
}

static void test_store__recording_refuses_a_result_of_an_earlier_batch(void **state)
{
	char path[256];
	perfdb_store *s;
	perfdb_resultset *meta = sample_resultset("again"), *a = batch_of(0, 100),
			 *b = batch_of(150, 300), *again[2];
	perfdb_recording *rec;
	rows out;
	int rc, k;
	(void)state;
	/* BM_99 of the first batch, BM_200 of the second */
	again[0] = batch_of(99, 100);
	again[1] = batch_of(200, 201);
	db_path(path, sizeof(path), "again.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	for (k = 0; k < 2; k++) {
		char want[128];
		assert_int_equal(perfdb_store_record_begin(&rec, s, meta), 0);
		assert_int_equal(perfdb_recording_add(rec, a), 0);
		assert_int_equal(perfdb_recording_add(rec, b), 0);
		/* the same message as within one batch, when it is added (a
		 * server) or when the run is finished (a file, where later
		 * batches are staged) */
		rc = perfdb_recording_add(rec, again[k]);
		if (rc == 0)
			rc = perfdb_recording_finish(rec, NULL);
		assert_int_equal(rc, PERFDB_EINVAL);
		snprintf(want, sizeof(want),
			 "benchmark 'BM_%d' metric 'value' appears twice in one run", k ? 200 : 99);
		assert_string_equal(perfdb_error_last()->message, want);
		assert_int_equal(perfdb_recording_finish(rec, NULL), PERFDB_EINVAL);
		perfdb_recording_free(rec);
		query(s, counts_sql, &out);
		assert_string_equal(out.text, "0|0|0|0|0\n");
	}

	/* a recording freed unfinished leaves nothing either */
	assert_int_equal(perfdb_store_record_begin(&rec, s, meta), 0);
	assert_int_equal(perfdb_recording_add(rec, a), 0);
	perfdb_recording_free(rec);
	query(s, counts_sql, &out);
	assert_string_equal(out.text, "0|0|0|0|0\n");
	/* and the store records again after both */
	assert_int_equal(perfdb_store_record(s, meta, NULL), 0);
	query(s, counts_sql, &out);
	assert_string_equal(out.text, "1|1|2|3|2\n");
	perfdb_resultset_free(meta);
	perfdb_resultset_free(a);
	perfdb_resultset_free(b);
	perfdb_resultset_free(again[0]);
	perfdb_resultset_free(again[1]);
	perfdb_store_free(s);
}

/* ---- on a PostgreSQL server only ------------------------------------------ */

/* The column names of a query's result, "a|b|c". */
static void columns_of(perfdb_store *s, const char *sql, char *out, size_t cap)
{
	rows r;
	query(s, sql, &r);
	snprintf(out, cap, "%s", r.names);
}

static void test_store__server_schema_and_views(void **state)
{
	char dsn[1024], file[256], a[512], b[512];
	perfdb_store *s, *f;
	rows r;
	(void)state;
	db_path(dsn, sizeof(dsn), "server");
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), 0);
	query(s, version_sql(), &r);
	assert_int_equal(atoi_safe(r.text), perfdb_store_schema_version());
	/* the views have the columns a file's have, in the same order */
	snprintf(file, sizeof(file), "%s/views.db", dir);
	assert_int_equal(perfdb_store_open(&f, file, PERFDB_STORE_READWRITE), 0);
	columns_of(s, "SELECT * FROM history LIMIT 0", a, sizeof(a));
	columns_of(f, "SELECT * FROM history LIMIT 0", b, sizeof(b));
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "sha|branch|machine|benchmark|metric|unit|direction|value"));
	columns_of(s, "SELECT * FROM latest LIMIT 0", a, sizeof(a));
	columns_of(f, "SELECT * FROM latest LIMIT 0", b, sizeof(b));
	assert_string_equal(a, b);
	perfdb_store_free(f);
	perfdb_store_free(s);
	/* opened again: nothing to migrate, and a read-only open works */
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READONLY), 0);
	perfdb_store_free(s);
}

static void test_store__server_newer_schema_refused(void **state)
{
	char dsn[1024], sql[128];
	perfdb_store *s = NULL;
	(void)state;
	db_path(dsn, sizeof(dsn), "newer");
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), 0);
	perfdb_store_free(s);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO perfdb_schema(version, applied_at) VALUES (%d, 'later')",
		 perfdb_store_schema_version() + 1);
	test_server_exec(dsn, sql);
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), PERFDB_EDB);
	assert_null(s);
	assert_non_null(strstr(perfdb_error_last()->message, "upgrade perfdb"));
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READONLY), PERFDB_EDB);
}

static void test_store__server_bad_dsn_hides_password(void **state)
{
	char dsn[1024];
	const char *q = strchr(test_server, '?');
	perfdb_store *s = NULL;
	(void)state;
	/* a database that does not exist, with a password in the DSN */
	snprintf(dsn, sizeof(dsn), "postgresql://someone:s3cret-pw@/no_such_db%s", q ? q : "");
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), PERFDB_EDB);
	assert_null(s);
	assert_non_null(strstr(perfdb_error_last()->message, "cannot connect to"));
	assert_non_null(strstr(perfdb_error_last()->message, "someone:***@"));
	assert_null(strstr(perfdb_error_last()->message, "s3cret"));
}

/* The body of a writer process: records sample_resultset(sha), on machine
 * and branch when they are set, into dsn, and exits 0 when that worked.
 * With gate >= 0 it connects, says so with a byte on ready and records once
 * gate is closed. */
static void writer(const char *dsn, const char *sha, const char *machine, const char *branch,
		   int ready, int gate)
{
	perfdb_resultset *rs = sample_resultset(sha);
	perfdb_store *w = NULL;
	char c;
	int rc;
	if (machine)
		assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, machine), 0);
	if (branch)
		assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_BRANCH, branch), 0);
	rc = perfdb_store_open(&w, dsn, PERFDB_STORE_READWRITE);
	if (gate >= 0 && (write(ready, "r", 1) != 1 || read(gate, &c, 1) != 0))
		rc = -1;
	rc = rc || perfdb_store_record(w, rs, NULL);
	if (rc)
		fprintf(stderr, "writer %s: %s\n", sha, perfdb_error_last()->message);
	perfdb_store_free(w);
	perfdb_resultset_free(rs);
	_exit(rc ? 1 : 0);
}

/* Waits for n writers; each must have succeeded. */
static void wait_writers(const pid_t *pids, int n)
{
	int i, status;
	for (i = 0; i < n; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* Several first runs at once on an empty database: one migrates, the
 * others wait for it (the advisory lock); their commit, machine and
 * benchmarks are created once (ON CONFLICT), and every run is kept. */
static void test_store__server_concurrent_first_records(void **state)
{
	enum { WRITERS = 6 };
	char dsn[1024], want[64];
	perfdb_store *s;
	pid_t pids[WRITERS];
	rows r;
	int i;
	(void)state;
	db_path(dsn, sizeof(dsn), "race");
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			writer(dsn, "race", NULL, NULL, -1, -1);
	}
	wait_writers(pids, WRITERS);
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READONLY), 0);
	query(s,
	      "SELECT (SELECT count(*) FROM commits), (SELECT count(*) FROM machines), "
	      "(SELECT count(*) FROM benchmarks), (SELECT count(*) FROM runs), "
	      "(SELECT count(*) FROM results), (SELECT count(*) FROM samples), "
	      "(SELECT count(*) FROM perfdb_schema)",
	      &r);
	/* each migration applied once */
	snprintf(want, sizeof(want), "1|1|2|6|12|18|%d\n", perfdb_schema__pg_count);
	assert_string_equal(r.text, want);
	perfdb_store_free(s);
}

/* Writers recording different new commits at the same instant, on
 * machines of their own: each commit gets a seq of its own (the commit
 * order). With max(seq) + 1 read in each transaction, two writers both read
 * the max before either committed and stored the same seq. The writers
 * connect first and wait on a pipe, so their records start together; all
 * of them add the same two new benchmarks at once, which are stored once. */
static void test_store__server_concurrent_new_commits_get_distinct_seqs(void **state)
{
	enum { WRITERS = 12 };
	char dsn[1024], c;
	perfdb_store *s;
	pid_t pids[WRITERS];
	int ready[2], gate[2], i;
	rows r;
	(void)state;
	db_path(dsn, sizeof(dsn), "seq");
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), 0);
	perfdb_store_free(s);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(gate), 0);
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char sha[32];
			close(ready[0]);
			close(gate[1]);
			snprintf(sha, sizeof(sha), "seq-%d", i);
			writer(dsn, sha, sha, NULL, ready[1], gate[0]);
		}
	}
	close(ready[1]);
	close(gate[0]);
	for (i = 0; i < WRITERS; i++)
		assert_int_equal(read(ready[0], &c, 1), 1);
	close(gate[1]); /* all at once */
	close(ready[0]);
	wait_writers(pids, WRITERS);
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READONLY), 0);
	query(s,
	      "SELECT count(*), count(DISTINCT seq), min(seq) > 0, "
	      "(SELECT count(*) FROM benchmarks), (SELECT count(*) FROM results) FROM commits",
	      &r);
	assert_string_equal(r.text, "12|12|1|2|24\n");
	perfdb_store_free(s);
}

#ifdef PERFDB_HAVE_POSTGRESQL
/* The first column of the first row sql returns on c, as a number (an
 * assertion). */
static long long pg_number(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	long long v;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	v = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return v;
}

/* A record held inside its transaction on the server dsn: a trigger makes
 * the insert of a run on branch 'held' wait for an advisory lock that the
 * returned connection holds (after the record wrote its commit and
 * machine). Starts writer(dsn, sha, machine, "held") in *pid and returns
 * once it waits there; *backend is its server process. */
static PGconn *hold_record(const char *dsn, const char *sha, const char *machine, pid_t *pid,
			   long long *backend)
{
	PGconn *c = PQconnectdb(dsn);
	int i;
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	test_server_exec(dsn, "CREATE OR REPLACE FUNCTION hold() RETURNS trigger "
			      "LANGUAGE plpgsql AS $$BEGIN "
			      "PERFORM pg_advisory_xact_lock_shared(1313); RETURN NEW; END$$; "
			      "CREATE TRIGGER hold BEFORE INSERT ON runs FOR EACH ROW "
			      "WHEN (NEW.branch = 'held') EXECUTE FUNCTION hold()");
	assert_int_equal(pg_number(c, "SELECT 1 FROM pg_advisory_lock(1313)"), 1);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0)
		writer(dsn, sha, machine, "held", -1, -1);
	*backend = 0;
	for (i = 0; i < 6000 && !*backend; i++) {
		*backend = pg_number(c, "SELECT pid FROM pg_stat_activity WHERE "
					"wait_event_type = 'Lock' AND wait_event = 'advisory' "
					"AND datname = current_database()");
		if (!*backend)
			usleep(10000);
	}
	assert_true(*backend > 0);
	return c;
}

/* How many server processes wait for backend's transaction. */
static long long waiting_for(PGconn *c, long long backend)
{
	char sql[128];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM pg_stat_activity WHERE %lld = ANY(pg_blocking_pids(pid))",
		 backend);
	return pg_number(c, sql);
}

/* Lets the held record go on; it must succeed. */
static void release_record(PGconn *c, pid_t pid)
{
	assert_int_equal(pg_number(c, "SELECT 1 FROM pg_advisory_unlock(1313)"), 1);
	PQfinish(c);
	wait_writers(&pid, 1);
}
#endif

/* Records of one machine name and one commit at once, as the jobs of a CI
 * matrix on one runner type make them (on CI the machine's name comes from
 * its hardware, so they share it). The commit and the machine are there
 * already. On a server one record is held inside its transaction, after it
 * wrote its commit and machine (a trigger makes its run wait for a lock the
 * test holds); the others must finish meanwhile: none of them may wait for
 * the held one. When the records upserted the two rows (ON CONFLICT DO
 * UPDATE), each locked them until it committed, and all the others queued
 * behind it. On a file the writers take turns, correctly. Either way there
 * is one commit, one machine and every run. */
static void test_store__concurrent_records_of_one_machine_and_commit(void **state)
{
	enum { OTHERS = 5 };
	char dsn[1024], want[64];
	perfdb_resultset *rs = sample_resultset("fleet");
	perfdb_store *s;
	pid_t others[OTHERS];
	int i, waited = 0, done = 0, runs = OTHERS + 1;
	rows r;
	(void)state;
	db_path(dsn, sizeof(dsn), "fleet.db");
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	perfdb_store_free(s);
	perfdb_resultset_free(rs);
#ifdef PERFDB_HAVE_POSTGRESQL
	PGconn *c = NULL;
	long long held_pid = 0;
	pid_t held = -1;
	int status;
	if (on_server()) {
		c = hold_record(dsn, "fleet", NULL, &held, &held_pid);
		runs++;
	}
#endif
	for (i = 0; i < OTHERS; i++) {
		others[i] = fork();
		assert_true(others[i] >= 0);
		if (others[i] == 0)
			writer(dsn, "fleet", NULL, NULL, -1, -1);
	}
#ifdef PERFDB_HAVE_POSTGRESQL
	if (on_server()) {
		/* the others end one by one, or one of them waits for the held
		 * record: ordering, no time limit */
		while (done < OTHERS && !waited) {
			for (i = 0; i < OTHERS; i++) {
				if (others[i] <= 0 || waitpid(others[i], &status, WNOHANG) == 0)
					continue;
				assert_true(WIFEXITED(status));
				assert_int_equal(WEXITSTATUS(status), 0);
				others[i] = 0;
				done++;
			}
			if (done < OTHERS && !(waited = waiting_for(c, held_pid) > 0))
				usleep(10000);
		}
		/* the held record cannot have finished: its lock is still held */
		assert_int_equal(waitpid(held, &status, WNOHANG), 0);
		release_record(c, held);
	}
#endif
	for (i = 0; i < OTHERS; i++)
		if (others[i] > 0)
			wait_writers(&others[i], 1);
	if (waited)
		fail_msg("%d of %d records finished while one held its transaction open; "
			 "the others waited for it",
			 done, OTHERS);
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READONLY), 0);
	query(s,
	      "SELECT (SELECT count(*) FROM commits), (SELECT count(*) FROM machines), "
	      "(SELECT count(*) FROM benchmarks), (SELECT count(*) FROM runs), "
	      "(SELECT count(*) FROM results)",
	      &r);
	snprintf(want, sizeof(want), "1|1|2|%d|%d\n", runs, 2 * runs);
	assert_string_equal(r.text, want);
	perfdb_store_free(s);
}

/* A commit recorded again keeps the details it has and learns the ones it
 * lacks (its row is written only then: see the concurrent case above). */
static void test_store__commit_learns_missing_details(void **state)
{
	char path[256];
	perfdb_resultset *rs = sample_resultset("learn");
	perfdb_store *s;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "learn.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SUBJECT, "first subject"), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SUBJECT, "another subject"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_AUTHOR, "someone"), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	query(s,
	      "SELECT count(*), max(subject), max(author), "
	      "(SELECT count(*) FROM runs) FROM commits",
	      &r);
	assert_string_equal(r.text, "1|first subject|someone|3\n");
	perfdb_resultset_free(rs);
	perfdb_store_free(s);
}

/* The ids of a run's known benchmarks are looked up in one statement, in
 * the order of the ids, not of the results: every result must still get its
 * own benchmark's id. One benchmark's first-choice id (its hash) is held by
 * another benchmark, so it takes the next free one, and finds it there
 * again the second time. */
static void test_store__known_and_taken_ids_found_again(void **state)
{
	enum { N = 40 };
	char path[256], sql[256], name[N][16];
	perfdb_resultset *rs;
	perfdb_result r;
	perfdb_store *s;
	int i, k;
	rows q;
	(void)state;
	db_path(path, sizeof(path), "ids.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO benchmarks(id, name, metric, unit, higher_is_better) "
		 "VALUES (%lld, 'someone else', 'real_time', 'ns', 0)",
		 (long long)perfdb_store__benchmark_hash("BM_taken", "real_time", "ns"));
	if (on_server())
		test_server_exec(path, sql);
	else
		sqlite_exec_file(path, sql);
	for (k = 0; k < 2; k++) {
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, k ? "c2" : "c1"),
				 0);
		assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m"), 0);
		for (i = 0; i <= N; i++) {
			perfdb_result_init(&r);
			snprintf(name[i % N], sizeof(name[i % N]), "BM_%d", i);
			r.benchmark = i < N ? name[i] : "BM_taken";
			r.metric = "real_time";
			r.unit = "ns";
			r.value = i < N ? i + 1 : 1000;
			assert_int_equal(perfdb_resultset_add(rs, &r), 0);
		}
		assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
		perfdb_resultset_free(rs);
	}
	query(s,
	      "SELECT (SELECT count(*) FROM benchmarks), "
	      "(SELECT count(*) FROM history WHERE benchmark = 'BM_' || CAST(value - 1 AS INTEGER) "
	      "OR (benchmark = 'BM_taken' AND value = 1000)), "
	      "(SELECT count(*) FROM benchmarks WHERE name = 'BM_taken' AND id = "
	      "(SELECT min(id) FROM benchmarks WHERE name = 'someone else') + 1)",
	      &q);
	/* 41 benchmarks and the stranger; every result under its own name,
	 * twice; the taken one on the next id */
	assert_string_equal(q.text, "42|82|1\n");
	perfdb_store_free(s);
}

/* Two names of one id hash (47 bits of FNV-1a: found among 2^26 names in
 * seconds), each in its own batch of one run, and the second batch again in
 * a second run: each keeps its own benchmark (on a file the later batch is
 * staged, and its collision is looked up among the staged benchmarks). */
static perfdb_resultset *one_result(const char *name, double value)
{
	perfdb_resultset *rs;
	perfdb_result r;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_result_init(&r);
	r.benchmark = name;
	r.metric = "time";
	r.unit = "ns";
	r.value = value;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	return rs;
}

static void test_store__names_of_one_hash_in_two_batches(void **state)
{
	static const char *const one = "BM_c8898590", *const other = "BM_c39610453";
	char path[256];
	perfdb_store *s;
	perfdb_resultset *a, *b;
	perfdb_recording *rec;
	int64_t id = 0;
	int k;
	rows out;
	(void)state;
	assert_int_equal(perfdb_store__benchmark_hash(one, "time", "ns"),
			 perfdb_store__benchmark_hash(other, "time", "ns"));
	db_path(path, sizeof(path), "onehash.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	a = one_result(one, 1);
	b = one_result(other, 2);
	for (k = 0; k < 2; k++) {
		perfdb_resultset *meta = sample_resultset(k ? "onehash2" : "onehash1");
		assert_int_equal(perfdb_store_record_begin(&rec, s, meta), 0);
		assert_int_equal(perfdb_recording_add(rec, k ? b : a), 0);
		assert_int_equal(perfdb_recording_add(rec, k ? a : b), 0);
		assert_int_equal(perfdb_recording_finish(rec, &id), 0);
		perfdb_recording_free(rec);
		perfdb_resultset_free(meta);
	}
	query(s,
	      "SELECT b.name, b.id - (SELECT min(id) FROM benchmarks), count(*), sum(r.value) "
	      "FROM benchmarks b JOIN results r ON r.benchmark_id = b.id GROUP BY b.id "
	      "ORDER BY b.id",
	      &out);
	assert_string_equal(out.text, "BM_c8898590|0|2|2.0\nBM_c39610453|1|2|4.0\n");
	perfdb_resultset_free(a);
	perfdb_resultset_free(b);
	perfdb_store_free(s);
}

/* A benchmark whose hash and the 63 ids after it are taken gets the 64th;
 * one more taken and it is refused as input (names made to collide would
 * each probe past all the others), and nothing of the run is written. */
static void test_store__id_probes_bounded(void **state)
{
	char path[256], *sql;
	perfdb_resultset *rs;
	perfdb_store *s;
	perfdb_result r;
	int64_t h = perfdb_store__benchmark_hash("BM_crowded", "real_time", "ns");
	size_t len = 0, cap = 64 * 96 + 256;
	int taken, i;
	rows q;
	(void)state;
	assert_non_null(sql = malloc(cap));
	for (taken = 64; taken <= 65; taken++) {
		char name[32];
		snprintf(name, sizeof(name), "crowded%d.db", taken);
		db_path(path, sizeof(path), name);
		assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
		len = (size_t)snprintf(sql, cap,
				       "INSERT INTO benchmarks(id, name, metric, unit, "
				       "higher_is_better) VALUES ");
		for (i = 0; i < taken; i++)
			len += (size_t)snprintf(sql + len, cap - len,
						"%s(%lld, 'other %d', 't', 'ns', 0)", i ? ", " : "",
						(long long)(h + i), i);
		if (on_server())
			test_server_exec(path, sql);
		else
			sqlite_exec_file(path, sql);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "c1"), 0);
		assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m"), 0);
		perfdb_result_init(&r);
		r.benchmark = "BM_crowded";
		r.metric = "real_time";
		r.unit = "ns";
		r.value = 5;
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
		if (taken == 64) {
			assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
			query(s,
			      "SELECT id - (SELECT min(id) FROM benchmarks) FROM benchmarks "
			      "WHERE name = 'BM_crowded'",
			      &q);
			assert_string_equal(q.text, "64\n");
		} else {
			assert_int_equal(perfdb_store_record(s, rs, NULL), PERFDB_EINPUT);
			assert_string_equal(
			    perfdb_error_last()->message,
			    "benchmark 'BM_crowded' (real_time, ns): the 64 ids after "
			    "its hash are all taken; names made to share a hash are "
			    "refused");
			query(s,
			      "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM "
			      "benchmarks)",
			      &q);
			assert_string_equal(q.text, "0|65\n");
		}
		perfdb_resultset_free(rs);
		perfdb_store_free(s);
	}
	free(sql);
}

/* The first records of a new commit on a new machine: one inserts them and
 * is held inside its transaction; another one must wait for it (it cannot
 * know whether the rows stay), and then finds them on a second look, which
 * is the path a writer takes when another inserted the row meanwhile. One
 * commit, one machine, both runs. */
static void test_store__server_second_look_finds_a_new_commit(void **state)
{
	char dsn[1024];
	perfdb_store *s;
	pid_t held, other;
	long long held_pid = 0;
	int i, status;
	rows r;
	(void)state;
#ifdef PERFDB_HAVE_POSTGRESQL
	PGconn *c;
	db_path(dsn, sizeof(dsn), "second");
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), 0);
	perfdb_store_free(s);
	c = hold_record(dsn, "new", "fresh", &held, &held_pid);
	other = fork();
	assert_true(other >= 0);
	if (other == 0)
		writer(dsn, "new", "fresh", NULL, -1, -1);
	/* it waits for the held record, and only for it */
	for (i = 0; i < 6000 && !waiting_for(c, held_pid); i++) {
		assert_int_equal(waitpid(other, &status, WNOHANG), 0);
		usleep(10000);
	}
	assert_int_equal(waiting_for(c, held_pid), 1);
	release_record(c, held);
	wait_writers(&other, 1);
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READONLY), 0);
	query(s,
	      "SELECT (SELECT count(*) FROM commits), (SELECT count(*) FROM machines), "
	      "(SELECT count(*) FROM runs), (SELECT count(DISTINCT commit_id) FROM runs), "
	      "(SELECT count(DISTINCT machine_id) FROM runs)",
	      &r);
	assert_string_equal(r.text, "1|1|2|1|1\n");
	perfdb_store_free(s);
#else
	(void)dsn, (void)s, (void)held, (void)other, (void)held_pid, (void)i, (void)status, (void)r;
	fail_msg("no PostgreSQL support");
#endif
}

/* Records sample_resultset(sha) into s with the context's keys and values
 * (NULL-terminated pairs). */
static void record_on(perfdb_store *s, const char *sha, const char *const *context)
{
	perfdb_resultset *rs = sample_resultset(sha);
	for (; context && context[0]; context += 2)
		assert_int_equal(perfdb_resultset_set_context(rs, context[0], context[1]), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	perfdb_resultset_free(rs);
}

/* A machine's stored fingerprint changes only when its hardware does (cpu,
 * cores, memory in GiB, os) or when it tells more than the stored one: a
 * record that writes nothing there takes no lock on the machine's row
 * (see the case above). It is what the warning of another machine under
 * the name compares with. */
static void test_store__machine_fingerprint_follows_its_hardware(void **state)
{
	static const char *const first[] = {"cpu",    "CPU A",	     "cores", "4",
					    "memory", "16384000 kB", "os",    "Debian 12",
					    "kernel", "Linux 6.1",   NULL};
	static const char *const upgraded[] = {
	    "cpu",	 "CPU A",  "cores",	"4",	"memory", "16384100 kB", "os",
	    "Debian 12", "kernel", "Linux 6.2", "date", "today",  NULL};
	static const char *const other[] = {"cpu", "CPU B", "cores", "4", NULL};
	static const char first_fp[] =
	    "{\"cores\":\"4\",\"cpu\":\"CPU A\",\"kernel\":\"Linux 6.1\","
	    "\"memory\":\"16384000 kB\",\"os\":\"Debian 12\"}\n";
	char path[256], *differs = NULL;
	perfdb_resultset *rs = sample_resultset("fp-3");
	perfdb_store *s;
	rows r;
	(void)state;
	db_path(path, sizeof(path), "fingerprint.db");
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	/* a machine recorded without a description learns it */
	record_on(s, "fp-0", NULL);
	query(s, "SELECT fingerprint FROM machines", &r);
	assert_string_equal(r.text, "{}\n");
	record_on(s, "fp-1", first);
	query(s, "SELECT fingerprint FROM machines", &r);
	assert_string_equal(r.text, first_fp);
	/* the same hardware (memory within its GiB) with another kernel and
	 * a producer's date: kept as it was */
	record_on(s, "fp-2", upgraded);
	query(s, "SELECT fingerprint FROM machines", &r);
	assert_string_equal(r.text, first_fp);
	/* another CPU under the name: warned about, and stored */
	assert_int_equal(perfdb_resultset_set_context(rs, "cpu", "CPU B"), 0);
	assert_int_equal(perfdb_store_machine_check(&differs, s, rs), 0);
	assert_non_null(differs);
	assert_string_equal(differs, "cpu 'CPU B' (before: 'CPU A')");
	free(differs);
	perfdb_resultset_free(rs);
	record_on(s, "fp-3", other);
	query(s, "SELECT fingerprint, (SELECT count(*) FROM runs) FROM machines", &r);
	assert_string_equal(r.text, "{\"cores\":\"4\",\"cpu\":\"CPU B\"}|4\n");
	perfdb_store_free(s);
}

/* sql, run on dsn through the store (read-only), returns want. */
static void server_rows(const char *dsn, const char *sql, const char *want)
{
	perfdb_store *s;
	rows r;
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READONLY), 0);
	query(s, sql, &r);
	assert_string_equal(r.text, want);
	perfdb_store_free(s);
}

/* A server at version 5 with commits in it, migrated by a record: new
 * commits come after the highest seq there (the sequence starts above it). */
static void test_store__server_migrates_version_5_seqs(void **state)
{
	char dsn[1024];
	perfdb_store *s;
	perfdb_resultset *rs = sample_resultset("after");
	(void)state;
	assert_true(perfdb_schema__pg_count > 0);
	assert_int_equal(perfdb_schema__pg_migrations[0].version, 5);
	db_path(dsn, sizeof(dsn), "v5");
	test_server_exec(dsn, perfdb_schema__pg_migrations[0].sql);
	test_server_exec(dsn, "CREATE TABLE perfdb_schema (version integer PRIMARY KEY, "
			      "applied_at text NOT NULL); "
			      "INSERT INTO perfdb_schema VALUES (5, 'then'); "
			      "INSERT INTO commits(sha, seq) VALUES ('one', 1), ('two', 7)");
	assert_int_equal(perfdb_store_open(&s, dsn, PERFDB_STORE_READWRITE), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	perfdb_resultset_free(rs);
	perfdb_store_free(s);
	server_rows(dsn, "SELECT sha, seq FROM commits ORDER BY seq", "one|1\ntwo|7\nafter|8\n");
}

/* The keys of results and samples on a server, checked once per statement
 * (schema/postgresql/0007): rows without their parents are refused,
 * deleting a run takes its results and samples along, a benchmark with
 * results cannot be deleted. */
static void test_store__server_keys_of_results_and_samples(void **state)
{
	static const char *const refused[] = {
	    "INSERT INTO results(run_id, benchmark_id, value, n) "
	    "SELECT 999, benchmark_id, 1, 1 FROM results LIMIT 1",
	    "INSERT INTO results(run_id, benchmark_id, value, n) "
	    "SELECT run_id, 12345, 1, 1 FROM results LIMIT 1",
	    "UPDATE results SET benchmark_id = 12345 "
	    "WHERE benchmark_id = (SELECT min(benchmark_id) FROM results)",
	    "INSERT INTO samples(run_id, benchmark_id, idx, value) "
	    "SELECT run_id, 12345, 99, 1 FROM results LIMIT 1",
	    "DELETE FROM benchmarks",
	    "TRUNCATE runs",
	    "UPDATE runs SET id = id + 100",
	};
	static const char counts[] =
	    "SELECT (SELECT count(*) FROM results), (SELECT count(*) FROM samples)";
	char dsn[1024], code[6];
	size_t i;
	(void)state;
	db_path(dsn, sizeof(dsn), "keys");
	perfdb_store_free(store_with_one_run(dsn));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		test_server_try(dsn, refused[i], code);
		assert_string_equal(code, "23503");
	}
	server_rows(dsn, counts, "2|3\n");
	/* a statement that deletes nothing passes its check */
	test_server_try(dsn, "DELETE FROM results WHERE value > 1e300", code);
	assert_string_equal(code, "");
	test_server_try(dsn, "DELETE FROM runs", code);
	assert_string_equal(code, "");
	server_rows(dsn, counts, "0|0\n");
	test_server_try(dsn, "DELETE FROM benchmarks", code);
	assert_string_equal(code, "");
}

/* query on a server: one statement, read-only, a time limit. */
static void test_store__server_query_guard(void **state)
{
	char dsn[1024];
	perfdb_store *s;
	rows r;
	(void)state;
	db_path(dsn, sizeof(dsn), "guard");
	s = store_with_one_run(dsn);
	/* writes inside a reading statement, and functions that write */
	assert_int_equal(perfdb_store_query(s,
					    "WITH d AS (DELETE FROM runs RETURNING id) "
					    "SELECT count(*) FROM d",
					    collect, &r),
			 PERFDB_EREADONLY);
	assert_int_equal(perfdb_store_query(s, "SELECT nextval('runs_id_seq')", collect, &r),
			 PERFDB_EREADONLY);
	assert_int_equal(perfdb_store_query(s, "COMMIT", collect, &r), PERFDB_EREADONLY);
	assert_int_equal(
	    perfdb_store_query(s, "SET default_transaction_read_only = off", collect, &r),
	    PERFDB_EREADONLY);
	assert_int_equal(perfdb_store_query(s, "SELECT 1; /* c */ DELETE FROM runs", collect, &r),
			 PERFDB_EINVAL);
	query(s, "SELECT count(*) FROM runs", &r);
	assert_string_equal(r.text, "1\n");
	query(s, "SELECT key, value FROM runs, jsonb_each_text(runs.tags::jsonb) ORDER BY key", &r);
	assert_string_equal(r.text, "cc|gcc\nopt|O2\n");
	check_time_limit(s, "SELECT pg_sleep(30)");
	perfdb_store_free(s);
}

static int setup(void **state)
{
	(void)state;
	test_server_init();
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	/* the same cases on a server, where they are not about a file */
	const struct CMUnitTest server_tests[] = {
	    cmocka_unit_test(test_store__server_schema_and_views),
	    cmocka_unit_test(test_store__records_values_units_and_samples),
	    cmocka_unit_test(test_store__latest_follows_commit_order),
	    cmocka_unit_test(test_store__query_refuses_writes),
	    cmocka_unit_test(test_store__query_reads_blobs_alike),
	    cmocka_unit_test(test_store__server_query_guard),
	    cmocka_unit_test(test_store__server_newer_schema_refused),
	    cmocka_unit_test(test_store__server_bad_dsn_hides_password),
	    cmocka_unit_test(test_store__server_concurrent_first_records),
	    cmocka_unit_test(test_store__server_concurrent_new_commits_get_distinct_seqs),
	    cmocka_unit_test(test_store__concurrent_records_of_one_machine_and_commit),
	    cmocka_unit_test(test_store__server_second_look_finds_a_new_commit),
	    cmocka_unit_test(test_store__machine_fingerprint_follows_its_hardware),
	    cmocka_unit_test(test_store__known_and_taken_ids_found_again),
	    cmocka_unit_test(test_store__names_of_one_hash_in_two_batches),
	    cmocka_unit_test(test_store__id_probes_bounded),
	    cmocka_unit_test(test_store__commit_learns_missing_details),
	    cmocka_unit_test(test_store__server_keys_of_results_and_samples),
	    cmocka_unit_test(test_store__server_migrates_version_5_seqs),
	    cmocka_unit_test(test_store__record_needs_commit_machine_and_results),
	    cmocka_unit_test(test_store__duplicate_result_rolls_back_whole_run),
	    cmocka_unit_test(test_store__many_results_with_samples),
	    cmocka_unit_test(test_store__recording_in_batches),
	    cmocka_unit_test(test_store__recording_refuses_a_result_of_an_earlier_batch),
	    cmocka_unit_test(test_store__records_sample_stats),
	    cmocka_unit_test(test_store__migration_backfills_sample_stats),
	    cmocka_unit_test(test_store__numbers_read_alike_every_run),
	};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_store__creates_and_migrates),
	    cmocka_unit_test(test_store__records_values_units_and_samples),
	    cmocka_unit_test(test_store__latest_follows_commit_order),
	    cmocka_unit_test(test_store__query_refuses_writes),
	    cmocka_unit_test(test_store__query_reads_blobs_alike),
	    cmocka_unit_test(test_store__query_guard_both_ways),
	    cmocka_unit_test(test_store__bad_files),
	    cmocka_unit_test(test_store__refuses_what_is_not_perfdb),
	    cmocka_unit_test(test_store__migrates_a_version_1_file),
	    cmocka_unit_test(test_store__migration_backfills_sample_stats),
	    cmocka_unit_test(test_store__records_sample_stats),
	    cmocka_unit_test(test_store__record_needs_commit_machine_and_results),
	    cmocka_unit_test(test_store__duplicate_result_rolls_back_whole_run),
	    cmocka_unit_test(test_store__many_results_with_samples),
	    cmocka_unit_test(test_store__concurrent_records_of_one_machine_and_commit),
	    cmocka_unit_test(test_store__machine_fingerprint_follows_its_hardware),
	    cmocka_unit_test(test_store__known_and_taken_ids_found_again),
	    cmocka_unit_test(test_store__names_of_one_hash_in_two_batches),
	    cmocka_unit_test(test_store__id_probes_bounded),
	    cmocka_unit_test(test_store__commit_learns_missing_details),
	    cmocka_unit_test(test_store__recording_in_batches),
	    cmocka_unit_test(test_store__recording_refuses_a_result_of_an_earlier_batch),
	};
	test_server_init();
	if (on_server())
		return cmocka_run_group_tests(server_tests, setup, teardown);
	return cmocka_run_group_tests(tests, setup, teardown);
}
