/*
 * Library-internal: the statement layer under lib/store. The files of
 * lib/store write their SQL once, with `?` or `?N` placeholders, and run it
 * through these calls on either engine: SQLite (a file) or PostgreSQL (a
 * server, through libpq, when the build has it). Where the two dialects must
 * differ, the caller keeps both spellings side by side and picks one with
 * perfdb_db__kind.
 *
 * What only one engine has stays with that engine's code in lib/store
 * (opening and identifying an SQLite file, its authorizer, merge's ATTACH of
 * an SQLite shard): perfdb_db__sqlite gives the handle for that, NULL on a
 * server.
 */
#ifndef PERFDB_STORE_DB_H
#define PERFDB_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "perfdb/store.h"

typedef struct perfdb_db perfdb_db;
typedef struct perfdb_stmt perfdb_stmt;

typedef enum perfdb_db_kind { PERFDB_DB_SQLITE = 0, PERFDB_DB_POSTGRESQL } perfdb_db_kind;

/* What perfdb_stmt__step returns besides a negative error. */
enum { PERFDB_DB_DONE = 0, PERFDB_DB_ROW = 1 };

/* Takes over an open SQLite connection (closed by perfdb_db__close).
 * Returns 0 or PERFDB_ENOMEM (the handle is then closed). */
int perfdb_db__adopt_sqlite(perfdb_db **out, sqlite3 *handle);

/* Whether dsn names a PostgreSQL server: postgresql://... or postgres://... */
int perfdb_db__is_server_dsn(const char *dsn);

/* A copy of dsn without its password (postgresql://user:***@host/db, and
 * password=*** in its parameters), for messages; NULL when out of memory.
 * The caller frees it. */
char *perfdb_db__redact_dsn(const char *dsn);

/* Connects to the PostgreSQL server dsn names. Errors: PERFDB_EDB with
 * libpq's message (never the password), PERFDB_EINVAL when this build has
 * no PostgreSQL support, PERFDB_ENOMEM. */
int perfdb_db__open_postgresql(perfdb_db **out, const char *dsn);

/* Closes the connection and every statement still open on it. Accepts NULL. */
void perfdb_db__close(perfdb_db *db);

perfdb_db_kind perfdb_db__kind(const perfdb_db *db);

/* The SQLite handle, or NULL on PostgreSQL. Borrowed. */
sqlite3 *perfdb_db__sqlite(perfdb_db *db);

/* The last error on db as one line (no password, no trailing newline). */
const char *perfdb_db__errmsg(perfdb_db *db);

/* Whether the last error was a write refused by a read-only database or
 * transaction. */
int perfdb_db__error_readonly(perfdb_db *db);

/* Whether the last error was a query cancelled by its time limit. */
int perfdb_db__error_timeout(perfdb_db *db);

/* Whether the last error was a row refused as a duplicate key (UNIQUE or
 * PRIMARY KEY). */
int perfdb_db__error_duplicate(perfdb_db *db);

/* Runs sql (several statements allowed, no parameters, rows discarded).
 * Returns 0 or -1 (perfdb_db__errmsg says why). */
int perfdb_db__exec(perfdb_db *db, const char *sql);

/* Whether a transaction is open on db. */
int perfdb_db__in_transaction(perfdb_db *db);

/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t perfdb_db__changes(perfdb_db *db);

/* Prepares one statement. Returns 0 or -1 (perfdb_db__errmsg). */
int perfdb_db__prepare(perfdb_db *db, perfdb_stmt **out, const char *sql);

/* Finalizes a statement. Accepts NULL. */
void perfdb_stmt__free(perfdb_stmt *st);

/* Parameters are numbered from 1. Text is borrowed until the statement is
 * next stepped or reset (NULL binds NULL); a non-finite double binds NULL. */
void perfdb_stmt__bind_int64(perfdb_stmt *st, int i, int64_t v);
void perfdb_stmt__bind_double(perfdb_stmt *st, int i, double v);
void perfdb_stmt__bind_text(perfdb_stmt *st, int i, const char *s);
void perfdb_stmt__bind_null(perfdb_stmt *st, int i);
/* n bytes (SQLite BLOB, PostgreSQL bytea, sent in binary), borrowed like
 * text. */
void perfdb_stmt__bind_blob(perfdb_stmt *st, int i, const void *data, size_t n);

/* Runs the statement on the first call after a bind or reset and returns
 * PERFDB_DB_ROW for each row, then PERFDB_DB_DONE; -1 on error
 * (perfdb_db__errmsg). */
int perfdb_stmt__step(perfdb_stmt *st);

/* Makes the statement ready to run again; bindings are kept. */
void perfdb_stmt__reset(perfdb_stmt *st);

/* The current row, columns numbered from 0. Text is borrowed until the next
 * step or reset; NULL for an SQL NULL. */
int perfdb_stmt__column_count(perfdb_stmt *st);
const char *perfdb_stmt__column_name(perfdb_stmt *st, int i);
perfdb_value_type perfdb_stmt__column_type(perfdb_stmt *st, int i);
int64_t perfdb_stmt__column_int64(perfdb_stmt *st, int i);
double perfdb_stmt__column_double(perfdb_stmt *st, int i);
const char *perfdb_stmt__column_text(perfdb_stmt *st, int i);
/* The bytes of a BLOB (bytea) column, *n of them; borrowed like text. NULL
 * (*n = 0) for an SQL NULL, or for a value the engine cannot give as bytes
 * (out of memory). */
const void *perfdb_stmt__column_blob(perfdb_stmt *st, int i, size_t *n);

/* Texts a statement makes for its current row (a blob as text), each
 * column's its own, freed when the statement moves on. */
typedef struct perfdb_row_texts {
	char **p;
	size_t n, cap;
} perfdb_row_texts;

/* n bytes as text the way PostgreSQL writes a bytea: \x and two lowercase
 * hex digits a byte; kept in t until perfdb_db__row_texts_clear. NULL when
 * out of memory. */
const char *perfdb_db__hex_text(perfdb_row_texts *t, const unsigned char *bytes, size_t n);
void perfdb_db__row_texts_clear(perfdb_row_texts *t);

/* ---- PostgreSQL only ------------------------------------------------------- */

/* Parses and analyses sql on the server without running it. Returns 0 or
 * -1 (perfdb_db__errmsg). */
int perfdb_db__parse_only(perfdb_db *db, const char *sql);

/* Bulk rows for COPY ... FROM STDIN, built in memory in COPY's text format
 * (so rows of two tables can be gathered at once and sent one table after
 * the other). */
typedef struct perfdb_copy_rows {
	char *text;
	size_t len, cap;
	size_t count;
} perfdb_copy_rows;

/* Adds a row of ncols fields (NULL for an SQL NULL). Errors: PERFDB_ENOMEM. */
int perfdb_db__copy_add(perfdb_copy_rows *rows, const char *const *fields, int ncols);

/* Sends rows with sql ("COPY t(a, b) FROM STDIN"); they stay, to be sent
 * again, until perfdb_db__copy_clear. Returns 0 or -1 (perfdb_db__errmsg). */
int perfdb_db__copy(perfdb_db *db, const char *sql, const perfdb_copy_rows *rows);

/* Empties rows (their memory is kept for the next). */
void perfdb_db__copy_clear(perfdb_copy_rows *rows);

/* One COPY sent in pieces, so that the server stores rows while the next
 * ones are being made: perfdb_db__copy_begin with sql, then
 * perfdb_db__copy_send (sends rows and empties them) as often as needed,
 * then perfdb_db__copy_end, which says whether the server took every row
 * (ok = 0 abandons the COPY: none of its rows are kept). Nothing else may
 * run on db in between. Each returns 0 or -1 (perfdb_db__errmsg). */
int perfdb_db__copy_begin(perfdb_db *db, const char *sql);
int perfdb_db__copy_send(perfdb_db *db, perfdb_copy_rows *rows);
int perfdb_db__copy_end(perfdb_db *db, int ok);

/* Frees the rows' memory and zeroes them. */
void perfdb_db__copy_release(perfdb_copy_rows *rows);

#endif
