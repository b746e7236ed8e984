/*
 * db.c - the statement layer (db.h): SQLite here, PostgreSQL in db_pg.c.
 * SQLite is called directly from each function (a branch on the engine and
 * the sqlite3_* call), so recording and reading an SQLite file cost what
 * they did before the layer.
 */
#include "store/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_pg.h"
#include "util/error.h"

struct perfdb_db {
	perfdb_db_kind kind;
	sqlite3 *lite;
	perfdb_pg *pg;
};

struct perfdb_stmt {
	perfdb_db *db;
	sqlite3_stmt *lite;
	perfdb_pg_stmt *pg;
	perfdb_row_texts texts; /* SQLite: the current row's blobs as text */
};

const char *perfdb_db__hex_text(perfdb_row_texts *t, const unsigned char *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s;
	size_t k;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4;
		char **p = realloc(t->p, cap * sizeof(*p));
		if (!p)
			return NULL;
		t->p = p;
		t->cap = cap;
	}
	if (n > (SIZE_MAX - 3) / 2 || !(s = malloc(2 * n + 3)))
		return NULL;
	s[0] = '\\';
	s[1] = 'x';
	for (k = 0; k < n; k++) {
		s[2 + 2 * k] = digits[bytes[k] >> 4];
		s[3 + 2 * k] = digits[bytes[k] & 15];
	}
	s[2 + 2 * n] = '\0';
	t->p[t->n++] = s;
	return s;
}

void perfdb_db__row_texts_clear(perfdb_row_texts *t)
{
	while (t->n)
		free(t->p[--t->n]);
}

int perfdb_db__adopt_sqlite(perfdb_db **out, sqlite3 *handle)
{
	perfdb_db *db = calloc(1, sizeof(*db));
	*out = NULL;
	if (!db) {
		sqlite3_close_v2(handle);
		return perfdb_error__oom();
	}
	db->kind = PERFDB_DB_SQLITE;
	db->lite = handle;
	*out = db;
	return 0;
}

int perfdb_db__is_server_dsn(const char *dsn)
{
	return dsn &&
	       (strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0);
}

char *perfdb_db__redact_dsn(const char *dsn)
{
	size_t n = strlen(dsn), j = 0;
	char *out = malloc(2 * n + 8);
	const char *p = strstr(dsn, "://"), *at, *colon, *q;
	if (!out)
		return NULL;
	if (p && (at = strchr(p + 3, '@')) && (!(q = strchr(p + 3, '/')) || at < q) &&
	    (colon = memchr(p + 3, ':', (size_t)(at - (p + 3))))) {
		memcpy(out, dsn, (size_t)(colon + 1 - dsn));
		j = (size_t)(colon + 1 - dsn);
		memcpy(out + j, "***", 3);
		j += 3;
		p = at;
	} else {
		p = dsn;
	}
	memcpy(out + j, p, strlen(p) + 1);
	/* password=... among the parameters */
	for (q = out; (q = strstr(q, "password=")) != NULL; q += 9) {
		char *v = (char *)q + 9;
		size_t len = strcspn(v, "&");
		if (q > out && q[-1] != '?' && q[-1] != '&')
			continue;
		memmove(v + 3, v + len, strlen(v + len) + 1);
		memcpy(v, "***", 3);
	}
	return out;
}

int perfdb_db__open_postgresql(perfdb_db **out, const char *dsn)
{
	perfdb_db *db;
	int err;
	*out = NULL;
	if (!(db = calloc(1, sizeof(*db))))
		return perfdb_error__oom();
	db->kind = PERFDB_DB_POSTGRESQL;
	if ((err = perfdb_pg__connect(&db->pg, dsn))) {
		free(db);
		return err;
	}
	*out = db;
	return 0;
}

void perfdb_db__close(perfdb_db *db)
{
	if (!db)
		return;
	if (db->lite)
		sqlite3_close_v2(db->lite);
	perfdb_pg__close(db->pg);
	free(db);
}

perfdb_db_kind perfdb_db__kind(const perfdb_db *db)
{
	return db->kind;
}

sqlite3 *perfdb_db__sqlite(perfdb_db *db)
{
	return db->lite;
}

const char *perfdb_db__errmsg(perfdb_db *db)
{
	return db->lite ? sqlite3_errmsg(db->lite) : perfdb_pg__errmsg(db->pg);
}

int perfdb_db__error_readonly(perfdb_db *db)
{
	if (db->lite)
		return (sqlite3_extended_errcode(db->lite) & 0xff) == SQLITE_READONLY;
	return perfdb_pg__error_is(db->pg, "25006");
}

int perfdb_db__error_timeout(perfdb_db *db)
{
	if (db->lite)
		return (sqlite3_extended_errcode(db->lite) & 0xff) == SQLITE_INTERRUPT;
	return perfdb_pg__error_is(db->pg, "57014");
}

int perfdb_db__error_duplicate(perfdb_db *db)
{
	if (db->lite)
		return sqlite3_extended_errcode(db->lite) == SQLITE_CONSTRAINT_PRIMARYKEY ||
		       sqlite3_extended_errcode(db->lite) == SQLITE_CONSTRAINT_UNIQUE;
	return perfdb_pg__error_is(db->pg, "23505");
}

int perfdb_db__exec(perfdb_db *db, const char *sql)
{
	if (db->lite)
		return sqlite3_exec(db->lite, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	return perfdb_pg__exec(db->pg, sql);
}

int perfdb_db__in_transaction(perfdb_db *db)
{
	return db->lite ? !sqlite3_get_autocommit(db->lite) : perfdb_pg__in_transaction(db->pg);
}

int64_t perfdb_db__changes(perfdb_db *db)
{
	return db->lite ? (int64_t)sqlite3_changes(db->lite) : perfdb_pg__changes(db->pg);
}

int perfdb_db__prepare(perfdb_db *db, perfdb_stmt **out, const char *sql)
{
	perfdb_stmt *st = calloc(1, sizeof(*st));
	*out = NULL;
	if (!st)
		return -1;
	st->db = db;
	if (db->lite ? sqlite3_prepare_v2(db->lite, sql, -1, &st->lite, NULL) != SQLITE_OK
		     : perfdb_pg__prepare(db->pg, &st->pg, sql) != 0) {
		sqlite3_finalize(st->lite);
		free(st);
		return -1;
	}
	*out = st;
	return 0;
}

void perfdb_stmt__free(perfdb_stmt *st)
{
	if (!st)
		return;
	if (st->lite)
		sqlite3_finalize(st->lite);
	perfdb_pg__stmt_free(st->pg);
	perfdb_db__row_texts_clear(&st->texts);
	free(st->texts.p);
	free(st);
}

void perfdb_stmt__bind_int64(perfdb_stmt *st, int i, int64_t v)
{
	if (st->lite)
		sqlite3_bind_int64(st->lite, i, v);
	else
		perfdb_pg__bind_int64(st->pg, i, v);
}

void perfdb_stmt__bind_double(perfdb_stmt *st, int i, double v)
{
	if (!isfinite(v))
		perfdb_stmt__bind_null(st, i);
	else if (st->lite)
		sqlite3_bind_double(st->lite, i, v);
	else
		perfdb_pg__bind_double(st->pg, i, v);
}

void perfdb_stmt__bind_text(perfdb_stmt *st, int i, const char *s)
{
	if (!s)
		perfdb_stmt__bind_null(st, i);
	else if (st->lite)
		sqlite3_bind_text(st->lite, i, s, -1, SQLITE_STATIC);
	else
		perfdb_pg__bind_text(st->pg, i, s);
}

void perfdb_stmt__bind_blob(perfdb_stmt *st, int i, const void *data, size_t n)
{
	if (st->lite)
		sqlite3_bind_blob64(st->lite, i, data ? data : "", n, SQLITE_STATIC);
	else
		perfdb_pg__bind_blob(st->pg, i, data, n);
}

void perfdb_stmt__bind_null(perfdb_stmt *st, int i)
{
	if (st->lite)
		sqlite3_bind_null(st->lite, i);
	else
		perfdb_pg__bind_text(st->pg, i, NULL);
}

int perfdb_stmt__step(perfdb_stmt *st)
{
	int rc;
	if (!st->lite)
		return perfdb_pg__step(st->pg);
	perfdb_db__row_texts_clear(&st->texts);
	rc = sqlite3_step(st->lite);
	return rc == SQLITE_ROW ? PERFDB_DB_ROW : rc == SQLITE_DONE ? PERFDB_DB_DONE : -1;
}

void perfdb_stmt__reset(perfdb_stmt *st)
{
	if (st->lite) {
		perfdb_db__row_texts_clear(&st->texts);
		sqlite3_reset(st->lite);
	} else {
		perfdb_pg__reset(st->pg);
	}
}

int perfdb_stmt__column_count(perfdb_stmt *st)
{
	return st->lite ? sqlite3_column_count(st->lite) : perfdb_pg__column_count(st->pg);
}

const char *perfdb_stmt__column_name(perfdb_stmt *st, int i)
{
	return st->lite ? sqlite3_column_name(st->lite, i) : perfdb_pg__column_name(st->pg, i);
}

perfdb_value_type perfdb_stmt__column_type(perfdb_stmt *st, int i)
{
	if (!st->lite)
		return perfdb_pg__column_type(st->pg, i);
	switch (sqlite3_column_type(st->lite, i)) {
	case SQLITE_INTEGER: return PERFDB_VALUE_INTEGER;
	case SQLITE_FLOAT: return PERFDB_VALUE_REAL;
	case SQLITE_NULL: return PERFDB_VALUE_NULL;
	default: return PERFDB_VALUE_TEXT;
	}
}

int64_t perfdb_stmt__column_int64(perfdb_stmt *st, int i)
{
	return st->lite ? sqlite3_column_int64(st->lite, i) : perfdb_pg__column_int64(st->pg, i);
}

double perfdb_stmt__column_double(perfdb_stmt *st, int i)
{
	return st->lite ? sqlite3_column_double(st->lite, i) : perfdb_pg__column_double(st->pg, i);
}

const char *perfdb_stmt__column_text(perfdb_stmt *st, int i)
{
	if (!st->lite)
		return perfdb_pg__column_text(st->pg, i);
	/* a blob as a server gives a bytea, not its bytes cut at the first
	 * NUL: a query reads the same on both engines */
	if (sqlite3_column_type(st->lite, i) == SQLITE_BLOB)
		return perfdb_db__hex_text(&st->texts, sqlite3_column_blob(st->lite, i),
					   (size_t)sqlite3_column_bytes(st->lite, i));
	return (const char *)sqlite3_column_text(st->lite, i);
}

const void *perfdb_stmt__column_blob(perfdb_stmt *st, int i, size_t *n)
{
	const void *p;
	if (!st->lite)
		return perfdb_pg__column_blob(st->pg, i, n);
	p = sqlite3_column_blob(st->lite, i);
	*n = p ? (size_t)sqlite3_column_bytes(st->lite, i) : 0;
	return p;
}

int perfdb_db__parse_only(perfdb_db *db, const char *sql)
{
	return db->pg ? perfdb_pg__parse_only(db->pg, sql) : -1;
}

static int copy_reserve(perfdb_copy_rows *rows, size_t more)
{
	size_t cap = rows->cap ? rows->cap : 65536;
	char *t;
	if (rows->len + more <= rows->cap)
		return 0;
	while (cap < rows->len + more)
		cap *= 2;
	if (!(t = realloc(rows->text, cap)))
		return perfdb_error__oom();
	rows->text = t;
	rows->cap = cap;
	return 0;
}

/* COPY's text format: tab-separated, \N for NULL, backslash escapes. */
int perfdb_db__copy_add(perfdb_copy_rows *rows, const char *const *fields, int ncols)
{
	int c;
	for (c = 0; c < ncols; c++) {
		const char *p = fields[c];
		/* at worst every byte doubles, plus a separator and \N */
		if (copy_reserve(rows, (p ? 2 * strlen(p) : 2) + 2))
			return PERFDB_ENOMEM;
		if (c)
			rows->text[rows->len++] = '\t';
		if (!p) {
			rows->text[rows->len++] = '\\';
			rows->text[rows->len++] = 'N';
			continue;
		}
		for (; *p; p++) {
			char e = *p == '\\'   ? '\\'
				 : *p == '\t' ? 't'
				 : *p == '\n' ? 'n'
				 : *p == '\r' ? 'r'
					      : 0;
			if (e) {
				rows->text[rows->len++] = '\\';
				rows->text[rows->len++] = e;
			} else {
				rows->text[rows->len++] = *p;
			}
		}
	}
	if (copy_reserve(rows, 1))
		return PERFDB_ENOMEM;
	rows->text[rows->len++] = '\n';
	rows->count++;
	return 0;
}

int perfdb_db__copy(perfdb_db *db, const char *sql, const perfdb_copy_rows *rows)
{
	int ok;
	if (!db->pg || perfdb_pg__copy_begin(db->pg, sql) != 0)
		return -1;
	ok = perfdb_pg__copy_data(db->pg, rows->text, rows->len) == 0;
	return perfdb_pg__copy_end(db->pg, ok) == 0 && ok ? 0 : -1;
}

int perfdb_db__copy_begin(perfdb_db *db, const char *sql)
{
	return db->pg ? perfdb_pg__copy_begin(db->pg, sql) : -1;
}

int perfdb_db__copy_send(perfdb_db *db, perfdb_copy_rows *rows)
{
	int rc = perfdb_pg__copy_data(db->pg, rows->text, rows->len);
	perfdb_db__copy_clear(rows);
	return rc;
}

int perfdb_db__copy_end(perfdb_db *db, int ok)
{
	return perfdb_pg__copy_end(db->pg, ok) == 0 && ok ? 0 : -1;
}

void perfdb_db__copy_clear(perfdb_copy_rows *rows)
{
	rows->len = 0;
	rows->count = 0;
}

void perfdb_db__copy_release(perfdb_copy_rows *rows)
{
	free(rows->text);
	memset(rows, 0, sizeof(*rows));
}
