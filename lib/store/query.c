/*
 * Read-only SQL for people: perfdb query and perfdb list. A statement is
 * refused before it runs if it could change anything, whatever mode the file
 * was opened in: the authorizer denies writes, ATTACH/DETACH, transactions
 * and writing PRAGMAs, and sqlite3_stmt_readonly() catches the rest (VACUUM).
 * The connection itself is defensive (store.c), and a query that runs too
 * long is interrupted by a progress handler.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/error.h"

typedef struct auth_state {
	const char *denied; /* what was refused, for the message */
	int read_pragma;    /* the statement is a PRAGMA of read_pragmas, without a value */
} auth_state;

/* PRAGMAs that only read when given no value. Anything else (and any of
 * these with a value, PRAGMA user_version = 7) is refused: a PRAGMA that
 * changes state is a write. */
static const char *const read_pragmas[] = {
    "user_version",    "schema_version",  "page_count",	       "page_size",	 "freelist_count",
    "database_list",   "compile_options", "function_list",     "pragma_list",	 "table_list",
    "collation_list",  "module_list",	  "encoding",	       "application_id", "journal_mode",
    "integrity_check", "quick_check",	  "foreign_key_check", "data_version",
};

/* PRAGMAs whose argument names what to read: PRAGMA table_info(runs). */
static const char *const read_pragmas_of[] = {
    "table_info",	"table_xinfo",	   "index_list",  "index_info",	       "index_xinfo",
    "foreign_key_list", "integrity_check", "quick_check", "foreign_key_check", "table_list",
};

static int listed(const char *name, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; name && i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

static int authorize(void *ctx, int action, const char *a, const char *b, const char *db,
		     const char *trigger)
{
	auth_state *st = ctx;
	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE: return SQLITE_OK;
	case SQLITE_FUNCTION:
		/* fts3_tokenizer returns (and with two arguments takes) a C
		 * pointer: never from a query. */
		if (b && sqlite3_stricmp(b, "fts3_tokenizer") == 0) {
			st->denied = "fts3_tokenizer()";
			return SQLITE_DENY;
		}
		return SQLITE_OK;
	case SQLITE_UPDATE:
		/* A table-valued function (json_each, pragma_table_info) is an
		 * eponymous virtual table, and preparing it asks for an UPDATE of
		 * the schema table that never runs. A real UPDATE of it would
		 * not be read-only, which sqlite3_stmt_readonly() refuses, and
		 * defensive mode forbids it anyway. */
		if (a && (strcmp(a, "sqlite_master") == 0 || strcmp(a, "sqlite_schema") == 0)) {
			return SQLITE_OK;
		}
		st->denied = "a statement that writes";
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		if (b ? listed(a, read_pragmas_of,
			       sizeof(read_pragmas_of) / sizeof(read_pragmas_of[0]))
		      : listed(a, read_pragmas, sizeof(read_pragmas) / sizeof(read_pragmas[0]))) {
			st->read_pragma = 1;
			return SQLITE_OK;
		}
		st->denied = "a PRAGMA that can change state";
		return SQLITE_DENY;
	case SQLITE_ATTACH: st->denied = "ATTACH"; return SQLITE_DENY;
	case SQLITE_DETACH: st->denied = "DETACH"; return SQLITE_DENY;
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT: st->denied = "a transaction statement"; return SQLITE_DENY;
	default: st->denied = "a statement that writes"; return SQLITE_DENY;
	}
}

/* Whether s holds nothing but white space, semicolons and comments. */
static int only_space(const char *s)
{
	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == ';')
			continue;
		if (s[0] == '-' && s[1] == '-') { /* line comment */
			while (*s && *s != '\n')
				s++;
			if (!*s)
				break;
			continue;
		}
		if (s[0] == '/' && s[1] == '*') { /* block comment, to its end or the text's */
			const char *end = strstr(s + 2, "*/");
			if (!end)
				break;
			s = end + 1;
			continue;
		}
		return 0;
	}
	return 1;
}

/* The progress handler: checks the clock every few thousand VM steps. */
typedef struct deadline {
	struct timespec end;
	int expired;
} deadline;

static int past_deadline(void *ctx)
{
	deadline *d = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > d->end.tv_sec ||
	    (now.tv_sec == d->end.tv_sec && now.tv_nsec >= d->end.tv_nsec))
		d->expired = 1;
	return d->expired;
}

void perfdb_store_set_query_timeout(perfdb_store *store, double seconds)
{
	store->query_timeout = seconds > 0 ? seconds : 0;
}

int perfdb_store__stream(perfdb_store *store, perfdb_stmt *st, perfdb_row_fn fn, void *ctx)
{
	int ncols = perfdb_stmt__column_count(st), i, rc;
	const char **names = calloc((size_t)ncols + 1, sizeof(*names));
	perfdb_value *row = calloc((size_t)ncols + 1, sizeof(*row));
	int err = 0;

	if (!names || !row) {
		err = perfdb_error__oom();
		goto out;
	}
	for (i = 0; i < ncols; i++)
		names[i] = perfdb_stmt__column_name(st, i);
	if (fn(ctx, (size_t)ncols, names, NULL))
		goto out;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		for (i = 0; i < ncols; i++) {
			perfdb_value *v = &row[i];
			const char *text;
			memset(v, 0, sizeof(*v));
			v->type = perfdb_stmt__column_type(st, i);
			if (v->type == PERFDB_VALUE_INTEGER) {
				v->i = perfdb_stmt__column_int64(st, i);
				v->d = (double)v->i;
			} else if (v->type == PERFDB_VALUE_REAL) {
				v->d = perfdb_stmt__column_double(st, i);
			}
			/* Text last: it converts the value in place for numbers. */
			text = perfdb_stmt__column_text(st, i);
			v->text = text ? text : "";
		}
		if (fn(ctx, (size_t)ncols, names, row))
			goto out;
	}
	if (rc != PERFDB_DB_DONE)
		err = perfdb_error__set(perfdb_db__error_readonly(store->db) ? PERFDB_EREADONLY
									     : PERFDB_EINVAL,
					"query failed: %s", perfdb_db__errmsg(store->db));
out:
	free(names);
	free(row);
	return err;
}

static int refused_write(void)
{
	return perfdb_error__set(PERFDB_EREADONLY,
				 "query refused: a statement that writes is not allowed "
				 "(queries are read-only)");
}

static int timed_out(const perfdb_store *store)
{
	return perfdb_error__set(PERFDB_EDB,
				 "query stopped after %g s (its time limit); narrow it "
				 "with WHERE or LIMIT",
				 store->query_timeout);
}

/* An SQLite file: the authorizer and sqlite3_stmt_readonly() look at the
 * compiled statement before it runs; a progress handler keeps the time. */
static int query_file(perfdb_store *store, const char *sql, perfdb_row_fn fn, void *ctx)
{
	sqlite3 *db = perfdb_db__sqlite(store->db);
	auth_state auth = {0};
	deadline limit = {{0, 0}, 0};
	sqlite3_stmt *check = NULL;
	perfdb_stmt *st = NULL;
	const char *tail = NULL;
	int rc, err;

	sqlite3_set_authorizer(db, authorize, &auth);
	rc = sqlite3_prepare_v2(db, sql, -1, &check, &tail);
	sqlite3_set_authorizer(db, NULL, NULL);
	if (rc != SQLITE_OK) {
		if (auth.denied)
			return perfdb_error__set(PERFDB_EREADONLY,
						 "query refused: %s is not allowed (queries are "
						 "read-only)",
						 auth.denied);
		return perfdb_error__set(PERFDB_EINVAL, "bad query: %s", sqlite3_errmsg(db));
	}
	if (!check)
		return perfdb_error__set(PERFDB_EINVAL, "empty query");
	if (tail && !only_space(tail)) {
		sqlite3_finalize(check);
		return perfdb_error__set(PERFDB_EINVAL, "query has more than one statement");
	}
	/* PRAGMA journal_mode is "not read-only" to SQLite even without a
	 * value; the authorizer let through only the listed ones, value-less. */
	if (!sqlite3_stmt_readonly(check) && !auth.read_pragma) {
		sqlite3_finalize(check);
		return refused_write();
	}
	sqlite3_finalize(check);
	/* The statement that runs is the one checked (the same text, and the
	 * authorizer again). */
	sqlite3_set_authorizer(db, authorize, &auth);
	rc = perfdb_db__prepare(store->db, &st, sql);
	sqlite3_set_authorizer(db, NULL, NULL);
	if (rc != 0)
		return perfdb_error__set(PERFDB_EINVAL, "bad query: %s", sqlite3_errmsg(db));
	if (store->query_timeout > 0) {
		double whole = (double)(time_t)store->query_timeout;
		clock_gettime(CLOCK_MONOTONIC, &limit.end);
		limit.end.tv_sec += (time_t)whole;
		limit.end.tv_nsec += (long)((store->query_timeout - whole) * 1e9);
		if (limit.end.tv_nsec >= 1000000000L) {
			limit.end.tv_sec++;
			limit.end.tv_nsec -= 1000000000L;
		}
		sqlite3_progress_handler(db, 10000, past_deadline, &limit);
	}
	err = perfdb_store__stream(store, st, fn, ctx);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	perfdb_stmt__free(st);
	if (err && limit.expired)
		return timed_out(store);
	return err;
}

/* The first word of sql, past white space, comments and parentheses,
 * lower-cased into word. */
static void first_word(const char *sql, char *word, size_t size)
{
	size_t j = 0;
	while (*sql) {
		if (isspace((unsigned char)*sql) || *sql == '(') {
			sql++;
		} else if (sql[0] == '-' && sql[1] == '-') {
			sql += strcspn(sql, "\n");
		} else if (sql[0] == '/' && sql[1] == '*') {
			const char *end = strstr(sql + 2, "*/");
			sql = end ? end + 2 : sql + strlen(sql);
		} else {
			break;
		}
	}
	while (j + 1 < size && isalpha((unsigned char)sql[j])) {
		word[j] = (char)tolower((unsigned char)sql[j]);
		j++;
	}
	word[j] = '\0';
}

/* A server: only statements that read are run (SELECT, WITH, VALUES,
 * TABLE, EXPLAIN, SHOW; any other is only parsed, to tell a refusal from a
 * typo), one at a time (the extended protocol runs one
 * statement), inside a READ ONLY transaction that refuses any write a
 * function or a data-modifying WITH would make, with a statement_timeout.
 * The transaction is rolled back whatever happened. */
static int query_server(perfdb_store *store, const char *sql, perfdb_row_fn fn, void *ctx)
{
	static const char *const reading[] = {"select", "with",	   "values",
					      "table",	"explain", "show"};
	perfdb_stmt *st = NULL;
	char word[16], begin[128];
	size_t i;
	int err;

	first_word(sql, word, sizeof(word));
	for (i = 0; i < sizeof(reading) / sizeof(reading[0]); i++)
		if (strcmp(word, reading[i]) == 0)
			break;
	if (i == sizeof(reading) / sizeof(reading[0])) {
		/* not a reading statement: refused when it is one the server
		 * understands, bad input when it is no SQL at all */
		if (perfdb_db__parse_only(store->db, sql) != 0)
			return perfdb_error__set(PERFDB_EINVAL, "bad query: %s",
						 perfdb_db__errmsg(store->db));
		return refused_write();
	}
	snprintf(begin, sizeof(begin),
		 "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
		 "SET LOCAL statement_timeout = %lld",
		 (long long)(store->query_timeout * 1000.0 + 0.5));
	if (perfdb_db__exec(store->db, begin) != 0)
		return perfdb_store__fail(store, "cannot read");
	if (perfdb_db__prepare(store->db, &st, sql) != 0) {
		err =
		    perfdb_error__set(PERFDB_EINVAL, "bad query: %s", perfdb_db__errmsg(store->db));
	} else {
		err = perfdb_store__stream(store, st, fn, ctx);
		if (err && perfdb_db__error_timeout(store->db))
			err = timed_out(store);
		else if (err == PERFDB_EREADONLY)
			err = refused_write();
		else if (err == PERFDB_EINVAL)
			err = perfdb_error__set(PERFDB_EINVAL, "bad query: %s",
						perfdb_db__errmsg(store->db));
	}
	perfdb_stmt__free(st);
	perfdb_db__exec(store->db, "ROLLBACK");
	return err;
}

int perfdb_store_query(perfdb_store *store, const char *sql, perfdb_row_fn fn, void *ctx)
{
	if (!sql || only_space(sql))
		return perfdb_error__set(PERFDB_EINVAL, "empty query");
	return perfdb_store__is_server(store) ? query_server(store, sql, fn, ctx)
					      : query_file(store, sql, fn, ctx);
}

int perfdb_list_kind_parse(perfdb_list_kind *out, const char *name)
{
	static const char *const names[] = {"commits", "benchmarks", "machines", "runs"};
	size_t i;
	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (perfdb_list_kind)i;
			return 0;
		}
	}
	return perfdb_error__set(PERFDB_EINVAL,
				 "cannot list '%s': expected commits, benchmarks, machines or runs",
				 name ? name : "");
}

/* The listing's other spelling, for a server (see the table below). */
#define PERFDB_LIST_MACHINES_SERVER (PERFDB_LIST_RUNS + 1)

int perfdb_store_list(perfdb_store *store, perfdb_list_kind kind, perfdb_row_fn fn, void *ctx)
{
	static const char *const sql[] = {
	    [PERFDB_LIST_COMMITS] =
		"SELECT c.sha, c.committed_at, c.author, c.subject, count(r.id) AS runs "
		"FROM commits c LEFT JOIN runs r ON r.commit_id = c.id "
		"GROUP BY c.id ORDER BY c.seq",
	    [PERFDB_LIST_BENCHMARKS] =
		"SELECT b.name AS benchmark, b.metric, b.unit, CASE b.higher_is_better WHEN 1 "
		"THEN 'higher_is_better' ELSE 'lower_is_better' END AS direction, "
		"count(res.run_id) AS results FROM benchmarks b "
		"LEFT JOIN results res ON res.benchmark_id = b.id "
		"GROUP BY b.id ORDER BY b.name, b.metric",
	    /* hardware: how many different machines (CPU, cores, memory, OS)
	     * recorded under the name; more than 1 is two runner types under one
	     * label, whose results should not be compared */
	    [PERFDB_LIST_MACHINES] =
		"SELECT m.name AS machine, count(r.id) AS runs, "
		"count(DISTINCT CASE WHEN r.context != '{}' THEN json_array("
		"json_extract(r.context, '$.cpu'), json_extract(r.context, '$.cores'), "
		"round(CAST(json_extract(r.context, '$.memory') AS INTEGER) / 1048576.0), "
		"json_extract(r.context, '$.os')) END) AS hardware, m.fingerprint "
		"FROM machines m LEFT JOIN runs r ON r.machine_id = m.id "
		"GROUP BY m.id ORDER BY m.name",
	    /* the same on a server: memory is "N kB", whose number CAST takes
	     * in SQLite and a regular expression here */
	    [PERFDB_LIST_MACHINES_SERVER] =
		"SELECT m.name AS machine, count(r.id) AS runs, "
		"count(DISTINCT CASE WHEN r.context != '{}' THEN jsonb_build_array("
		"r.context::jsonb -> 'cpu', r.context::jsonb -> 'cores', "
		"round(substring(r.context::jsonb ->> 'memory' from '^[0-9]+')::numeric / "
		"1048576.0), r.context::jsonb -> 'os')::text END) AS hardware, m.fingerprint "
		"FROM machines m LEFT JOIN runs r ON r.machine_id = m.id "
		"GROUP BY m.id ORDER BY m.name",
	    [PERFDB_LIST_RUNS] =
		"SELECT r.id AS run, c.sha, r.branch, m.name AS machine, r.started_at, "
		"r.source, r.tags, (SELECT count(*) FROM results res WHERE res.run_id = r.id) "
		"AS results FROM runs r JOIN commits c ON c.id = r.commit_id "
		"JOIN machines m ON m.id = r.machine_id ORDER BY r.id",
	};
	unsigned k = (unsigned)kind;
	if (k > PERFDB_LIST_RUNS)
		return perfdb_error__set(PERFDB_EINVAL, "unknown listing");
	if (kind == PERFDB_LIST_MACHINES && perfdb_store__is_server(store))
		k = PERFDB_LIST_MACHINES_SERVER;
	return perfdb_store_query(store, sql[k], fn, ctx);
}
