/* Library-internal: the PostgreSQL half of the statement layer (db_pg.c,
 * built when libpq is found; see PERFDB_POSTGRESQL in CMakeLists.txt). Only
 * db.c calls these; the rest of lib/store uses db.h. */
#ifndef PERFDB_STORE_DB_PG_H
#define PERFDB_STORE_DB_PG_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/store.h"

typedef struct perfdb_pg perfdb_pg;
typedef struct perfdb_pg_stmt perfdb_pg_stmt;

#ifdef PERFDB_HAVE_POSTGRESQL

int perfdb_pg__connect(perfdb_pg **out, const char *dsn);
void perfdb_pg__close(perfdb_pg *pg);
const char *perfdb_pg__errmsg(perfdb_pg *pg);
int perfdb_pg__error_is(perfdb_pg *pg, const char *sqlstate);
int perfdb_pg__exec(perfdb_pg *pg, const char *sql);
int64_t perfdb_pg__changes(perfdb_pg *pg);
int perfdb_pg__in_transaction(perfdb_pg *pg);
int perfdb_pg__prepare(perfdb_pg *pg, perfdb_pg_stmt **out, const char *sql);
void perfdb_pg__stmt_free(perfdb_pg_stmt *st);
void perfdb_pg__bind_int64(perfdb_pg_stmt *st, int i, int64_t v);
void perfdb_pg__bind_double(perfdb_pg_stmt *st, int i, double v);
void perfdb_pg__bind_text(perfdb_pg_stmt *st, int i, const char *s);
void perfdb_pg__bind_blob(perfdb_pg_stmt *st, int i, const void *data, size_t n);
int perfdb_pg__step(perfdb_pg_stmt *st);
void perfdb_pg__reset(perfdb_pg_stmt *st);
int perfdb_pg__column_count(perfdb_pg_stmt *st);
const char *perfdb_pg__column_name(perfdb_pg_stmt *st, int i);
perfdb_value_type perfdb_pg__column_type(perfdb_pg_stmt *st, int i);
int64_t perfdb_pg__column_int64(perfdb_pg_stmt *st, int i);
double perfdb_pg__column_double(perfdb_pg_stmt *st, int i);
const char *perfdb_pg__column_text(perfdb_pg_stmt *st, int i);
const void *perfdb_pg__column_blob(perfdb_pg_stmt *st, int i, size_t *n);
int perfdb_pg__parse_only(perfdb_pg *pg, const char *sql);
int perfdb_pg__copy_begin(perfdb_pg *pg, const char *sql);
int perfdb_pg__copy_data(perfdb_pg *pg, const char *text, size_t len);
int perfdb_pg__copy_end(perfdb_pg *pg, int ok);

#else /* a build without libpq: a server DSN is refused at connect, and no                         \
       * other call is ever reached (there is no perfdb_pg to call it on) */

#include "util/error.h"

static inline int perfdb_pg__connect(perfdb_pg **out, const char *dsn)
{
	(void)dsn;
	*out = NULL;
	return perfdb_error__set(PERFDB_EINVAL,
				 "this perfdb was built without PostgreSQL support (libpq); "
				 "rebuild with PERFDB_POSTGRESQL=ON to use a server");
}
static inline void perfdb_pg__close(perfdb_pg *pg)
{
	(void)pg;
}
static inline const char *perfdb_pg__errmsg(perfdb_pg *pg)
{
	(void)pg;
	return "no PostgreSQL support";
}
/* never reached without a connection: each says it failed */
static inline int perfdb_pg__error_is(perfdb_pg *pg, const char *s)
{
	(void)pg;
	(void)s;
	return 0;
}
static inline int perfdb_pg__exec(perfdb_pg *pg, const char *sql)
{
	(void)pg;
	(void)sql;
	return -1;
}
static inline int perfdb_pg__in_transaction(perfdb_pg *pg)
{
	(void)pg;
	return 0;
}
static inline int64_t perfdb_pg__changes(perfdb_pg *pg)
{
	(void)pg;
	return 0;
}
static inline int perfdb_pg__prepare(perfdb_pg *pg, perfdb_pg_stmt **out, const char *sql)
{
	(void)pg;
	(void)sql;
	*out = NULL;
	return -1;
}
static inline void perfdb_pg__stmt_free(perfdb_pg_stmt *st)
{
	(void)st;
}
static inline void perfdb_pg__bind_int64(perfdb_pg_stmt *st, int i, int64_t v)
{
	(void)st;
	(void)i;
	(void)v;
}
static inline void perfdb_pg__bind_double(perfdb_pg_stmt *st, int i, double v)
{
	(void)st;
	(void)i;
	(void)v;
}
static inline void perfdb_pg__bind_text(perfdb_pg_stmt *st, int i, const char *s)
{
	(void)st;
	(void)i;
	(void)s;
}
static inline void perfdb_pg__bind_blob(perfdb_pg_stmt *st, int i, const void *d, size_t n)
{
	(void)st;
	(void)i;
	(void)d;
	(void)n;
}
static inline int perfdb_pg__step(perfdb_pg_stmt *st)
{
	(void)st;
	return -1;
}
static inline void perfdb_pg__reset(perfdb_pg_stmt *st)
{
	(void)st;
}
static inline int perfdb_pg__column_count(perfdb_pg_stmt *st)
{
	(void)st;
	return 0;
}
static inline const char *perfdb_pg__column_name(perfdb_pg_stmt *st, int i)
{
	(void)st;
	(void)i;
	return "";
}
static inline perfdb_value_type perfdb_pg__column_type(perfdb_pg_stmt *st, int i)
{
	(void)st;
	(void)i;
	return PERFDB_VALUE_NULL;
}
static inline int64_t perfdb_pg__column_int64(perfdb_pg_stmt *st, int i)
{
	(void)st;
	(void)i;
	return 0;
}
static inline double perfdb_pg__column_double(perfdb_pg_stmt *st, int i)
{
	(void)st;
	(void)i;
	return 0;
}
static inline const char *perfdb_pg__column_text(perfdb_pg_stmt *st, int i)
{
	(void)st;
	(void)i;
	return NULL;
}
static inline const void *perfdb_pg__column_blob(perfdb_pg_stmt *st, int i, size_t *n)
{
	(void)st;
	(void)i;
	*n = 0;
	return NULL;
}
static inline int perfdb_pg__parse_only(perfdb_pg *pg, const char *sql)
{
	(void)pg;
	(void)sql;
	return -1;
}
static inline int perfdb_pg__copy_begin(perfdb_pg *pg, const char *sql)
{
	(void)pg;
	(void)sql;
	return -1;
}
static inline int perfdb_pg__copy_data(perfdb_pg *pg, const char *t, size_t n)
{
	(void)pg;
	(void)t;
	(void)n;
	return -1;
}
static inline int perfdb_pg__copy_end(perfdb_pg *pg, int ok)
{
	(void)pg;
	(void)ok;
	return -1;
}

#endif
#endif
