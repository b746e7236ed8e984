/*
 * db_pg.c - the PostgreSQL half of the statement layer, through libpq.
 *
 * Statements are written for SQLite (`?` and `?N` placeholders) and turned
 * into PostgreSQL's `$N` here. Parameters and results travel as text. A
 * statement runs unnamed (PQexecParams) the first time and is prepared on
 * the server the second time, so the statements run once per call (most of
 * them) cost one round trip and the ones run in a loop are parsed once.
 * A statement run again whose columns are all integers, doubles or
 * booleans gets its rows in binary from then on: regress reads millions of
 * such numbers per run, and parsing each one's text was most of its reading.
 * Values come back with the types the server says; a double's text is
 * written the way SQLite writes it (15 significant digits, "2.0" for a
 * whole number), so `perfdb query` prints the same on both engines.
 */
#include "store/db_pg.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/db.h"
#include "util/error.h"

/* OIDs of the built-in types (pg_type.h, stable across releases). */
#define OID_BOOL    16
#define OID_BYTEA   17
#define OID_INT8    20
#define OID_INT2    21
#define OID_INT4    23
#define OID_TEXT    25
#define OID_OID	    26
#define OID_FLOAT4  700
#define OID_FLOAT8  701
#define OID_NUMERIC 1700

#define NUM_LEN 40 /* a number as text */

struct perfdb_pg {
	PGconn *conn;
	char err[512];
	char state[6];
	int64_t changes;
	unsigned next_name;
};

struct perfdb_pg_stmt {
	perfdb_pg *pg;
	char *sql; /* with $N placeholders */
	int nparams;
	const char **values;
	Oid *types;
	int *lengths, *formats; /* of each parameter: a blob's, in binary */
	char *nums;		/* nparams numbers as text, NUM_LEN each */
	unsigned runs;
	char name[24]; /* set once prepared on the server */
	PGresult *res;
	int row, nrows, ran;
	int binary;	      /* every column a fixed-size number or bytea: rows come in binary */
	char *texts;	      /* the current row's doubles as text, NUM_LEN per column */
	unsigned char *bytes; /* a bytea column read as text, unescaped */
	perfdb_row_texts hex; /* bytea columns read in binary, as text */
};

/* One line of libpq's message, without the trailing newline. */
static void keep_error(perfdb_pg *pg, const char *msg, const char *state)
{
	size_t n;
	if (!msg || !*msg)
		msg = "unknown error";
	if (strncmp(msg, "ERROR:  ", 8) == 0 || strncmp(msg, "FATAL:  ", 8) == 0)
		msg += 8;
	n = strcspn(msg, "\n");
	if (n >= sizeof(pg->err))
		n = sizeof(pg->err) - 1;
	memcpy(pg->err, msg, n);
	pg->err[n] = '\0';
	snprintf(pg->state, sizeof(pg->state), "%s", state ? state : "");
}

static void keep_result_error(perfdb_pg *pg, const PGresult *res)
{
	if (res)
		keep_error(pg,
			   PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			       ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			       : PQresultErrorMessage(res),
			   PQresultErrorField(res, PG_DIAG_SQLSTATE));
	else
		keep_error(pg, PQerrorMessage(pg->conn), NULL);
}

/* Server notices would go to stderr: the library never prints. */
static void no_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int perfdb_pg__connect(perfdb_pg **out, const char *dsn)
{
	perfdb_pg *pg = calloc(1, sizeof(*pg));
	char *shown;
	int err;
	*out = NULL;
	if (!pg)
		return perfdb_error__oom();
	pg->conn = PQconnectdb(dsn);
	if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
		keep_error(pg, pg->conn ? PQerrorMessage(pg->conn) : "out of memory", NULL);
		shown = perfdb_db__redact_dsn(dsn);
		err = perfdb_error__set(PERFDB_EDB, "cannot connect to '%s': %s",
					shown ? shown : "postgresql://", pg->err);
		free(shown);
		PQfinish(pg->conn);
		free(pg);
		return err;
	}
	PQsetNoticeProcessor(pg->conn, no_notice, NULL);
	*out = pg;
	return 0;
}

void perfdb_pg__close(perfdb_pg *pg)
{
	if (!pg)
		return;
	PQfinish(pg->conn);
	free(pg);
}

const char *perfdb_pg__errmsg(perfdb_pg *pg)
{
	if (PQstatus(pg->conn) == CONNECTION_BAD && !pg->err[0])
		return "the connection to the server was lost";
	return pg->err;
}

int perfdb_pg__error_is(perfdb_pg *pg, const char *sqlstate)
{
	return strcmp(pg->state, sqlstate) == 0;
}

static int result_ok(perfdb_pg *pg, PGresult *res)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		const char *n = PQcmdTuples(res);
		pg->changes = n && *n ? strtoll(n, NULL, 10) : 0;
		return 1;
	}
	keep_result_error(pg, res);
	return 0;
}

int perfdb_pg__exec(perfdb_pg *pg, const char *sql)
{
	PGresult *res = PQexec(pg->conn, sql);
	int ok = result_ok(pg, res);
	PQclear(res);
	return ok ? 0 : -1;
}

int perfdb_pg__in_transaction(perfdb_pg *pg)
{
	return PQtransactionStatus(pg->conn) != PQTRANS_IDLE;
}

int64_t perfdb_pg__changes(perfdb_pg *pg)
{
	return pg->changes;
}

/* `?N` -> `$N`, `?` -> the next number; strings, quoted names and comments
 * are copied as they are. *nparams receives the highest number. */
static char *rewrite_placeholders(const char *sql, int *nparams)
{
	size_t n = strlen(sql), j = 0;
	char *out = malloc(n * 4 + 1);
	const char *p = sql;
	int next = 0, top = 0;
	if (!out)
		return NULL;
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			out[j++] = *p++;
			while (*p && *p != q)
				out[j++] = *p++;
			if (*p)
				out[j++] = *p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				out[j++] = *p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			size_t k = end ? (size_t)(end + 2 - p) : strlen(p);
			memcpy(out + j, p, k);
			j += k;
			p += k;
		} else if (*p == '?') {
			int num;
			p++;
			if (isdigit((unsigned char)*p)) {
				num = (int)strtol(p, (char **)&p, 10);
			} else {
				num = ++next;
			}
			if (num > top)
				top = num;
			j += (size_t)snprintf(out + j, n * 4 + 1 - j, "$%d", num);
		} else {
			out[j++] = *p++;
		}
	}
	out[j] = '\0';
	*nparams = top;
	return out;
}

int perfdb_pg__prepare(perfdb_pg *pg, perfdb_pg_stmt **out, const char *sql)
{
	perfdb_pg_stmt *st = calloc(1, sizeof(*st));
	*out = NULL;
	if (!st || !(st->sql = rewrite_placeholders(sql, &st->nparams))) {
		free(st);
		keep_error(pg, "out of memory", NULL);
		return -1;
	}
	st->pg = pg;
	if (st->nparams) {
		st->values = calloc((size_t)st->nparams, sizeof(*st->values));
		st->types = calloc((size_t)st->nparams, sizeof(*st->types));
		st->nums = calloc((size_t)st->nparams, NUM_LEN);
		st->lengths = calloc((size_t)st->nparams, sizeof(*st->lengths));
		st->formats = calloc((size_t)st->nparams, sizeof(*st->formats));
		if (!st->values || !st->types || !st->nums || !st->lengths || !st->formats) {
			perfdb_pg__stmt_free(st);
			keep_error(pg, "out of memory", NULL);
			return -1;
		}
	}
	*out = st;
	return 0;
}

void perfdb_pg__stmt_free(perfdb_pg_stmt *st)
{
	if (!st)
		return;
	PQclear(st->res);
	/* A statement prepared on the server lives as long as the session:
	 * drop it, unless the transaction is failed (then it stays, unused,
	 * under a name never given again). */
	if (st->name[0] && PQtransactionStatus(st->pg->conn) != PQTRANS_INERROR) {
		char sql[64];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		PQclear(PQexec(st->pg->conn, sql));
	}
	free(st->sql);
	free(st->values);
	free(st->types);
	free(st->nums);
	free(st->lengths);
	free(st->formats);
	free(st->texts);
	PQfreemem(st->bytes);
	perfdb_db__row_texts_clear(&st->hex);
	free(st->hex.p);
	free(st);
}

/* Frees what the current row's column_blob or column_text made. */
static void forget_row(perfdb_pg_stmt *st)
{
	PQfreemem(st->bytes);
	st->bytes = NULL;
	/* each column's its own: a row of two bytea columns read as text
	 * kept the first's text freed under it */
	perfdb_db__row_texts_clear(&st->hex);
}

static void unrun(perfdb_pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->ran = 0;
	forget_row(st);
}

/* A parameter bound as text (numbers are sent as their text too). */
static void bind_as_text(perfdb_pg_stmt *st, int i, const char *v, Oid type)
{
	st->values[i - 1] = v;
	st->types[i - 1] = type;
	st->lengths[i - 1] = 0;
	st->formats[i - 1] = 0;
}

void perfdb_pg__bind_int64(perfdb_pg_stmt *st, int i, int64_t v)
{
	if (i < 1 || i > st->nparams)
		return;
	unrun(st);
	snprintf(st->nums + (size_t)(i - 1) * NUM_LEN, NUM_LEN, "%lld", (long long)v);
	bind_as_text(st, i, st->nums + (size_t)(i - 1) * NUM_LEN, OID_INT8);
}

void perfdb_pg__bind_double(perfdb_pg_stmt *st, int i, double v)
{
	if (i < 1 || i > st->nparams)
		return;
	unrun(st);
	snprintf(st->nums + (size_t)(i - 1) * NUM_LEN, NUM_LEN, "%.17g", v);
	bind_as_text(st, i, st->nums + (size_t)(i - 1) * NUM_LEN, OID_FLOAT8);
}

void perfdb_pg__bind_text(perfdb_pg_stmt *st, int i, const char *s)
{
	if (i < 1 || i > st->nparams)
		return;
	unrun(st);
	bind_as_text(st, i, s, s ? OID_TEXT : 0);
}

void perfdb_pg__bind_blob(perfdb_pg_stmt *st, int i, const void *data, size_t n)
{
	if (i < 1 || i > st->nparams)
		return;
	unrun(st);
	if (n > INT32_MAX) { /* more than libpq sends as one value: NULL, refused */
		bind_as_text(st, i, NULL, 0);
		return;
	}
	/* in binary, as it is: no escaping to hex and back */
	st->values[i - 1] = data ? data : "";
	st->types[i - 1] = OID_BYTEA;
	st->lengths[i - 1] = (int)n;
	st->formats[i - 1] = 1;
}

static PGresult *run(perfdb_pg_stmt *st)
{
	perfdb_pg *pg = st->pg;
	if (st->name[0])
		return PQexecPrepared(pg->conn, st->name, st->nparams, st->values, st->lengths,
				      st->formats, st->binary);
	if (st->runs > 0) {
		char name[sizeof(st->name)];
		PGresult *res;
		snprintf(name, sizeof(name), "perfdb_%u", ++pg->next_name);
		res = PQprepare(pg->conn, name, st->sql, st->nparams, st->types);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		memcpy(st->name, name, sizeof(name));
		return PQexecPrepared(pg->conn, st->name, st->nparams, st->values, st->lengths,
				      st->formats, st->binary);
	}
	return PQexecParams(pg->conn, st->sql, st->nparams, st->types, st->values, st->lengths,
			    st->formats, 0);
}

/* Whether every column of res has a binary form read below: a fixed-size
 * number, or bytea (its bytes as they are, instead of twice as many in hex). */
static int all_binary(const PGresult *res)
{
	int i, n = PQnfields(res);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		switch (PQftype(res, i)) {
		case OID_BOOL:
		case OID_INT2:
		case OID_INT4:
		case OID_INT8:
		case OID_OID:
		case OID_FLOAT4:
		case OID_FLOAT8:
		case OID_BYTEA: break;
		default: return 0;
		}
	}
	return 1;
}

/* Runs the statement; the rows are then stepped through from before the
 * first. */
static int execute(perfdb_pg_stmt *st)
{
	{
		st->res = run(st);
		st->runs++;
		st->ran = 1;
		if (!result_ok(st->pg, st->res)) {
			PQclear(st->res);
			st->res = NULL;
			st->nrows = 0;
			st->row = 0;
			return -1;
		}
		st->nrows = PQresultStatus(st->res) == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
		st->row = -1;
		if (st->runs == 1)
			st->binary = all_binary(st->res);
		if (PQnfields(st->res) > 0) {
			char *t = realloc(st->texts, (size_t)PQnfields(st->res) * NUM_LEN);
			if (!t) {
				keep_error(st->pg, "out of memory", NULL);
				return -1;
			}
			st->texts = t;
		}
	}
	return 0;
}

int perfdb_pg__step(perfdb_pg_stmt *st)
{
	if (!st->ran && execute(st) < 0)
		return -1;
	if (!st->res)
		return -1;
	forget_row(st);
	if (st->row + 1 < st->nrows) {
		st->row++;
		return PERFDB_DB_ROW;
	}
	st->row = st->nrows;
	return PERFDB_DB_DONE;
}

void perfdb_pg__reset(perfdb_pg_stmt *st)
{
	unrun(st);
}

int perfdb_pg__column_count(perfdb_pg_stmt *st)
{
	/* SQLite knows the columns before the first step: run the statement
	 * here, and its rows are still to be stepped through. */
	if (!st->ran && execute(st) < 0)
		return 0;
	return st->res ? PQnfields(st->res) : 0;
}

const char *perfdb_pg__column_name(perfdb_pg_stmt *st, int i)
{
	const char *n = st->res ? PQfname(st->res, i) : NULL;
	return n ? n : "";
}

static int have(perfdb_pg_stmt *st, int i)
{
	return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < PQnfields(st->res) &&
	       !PQgetisnull(st->res, st->row, i);
}

perfdb_value_type perfdb_pg__column_type(perfdb_pg_stmt *st, int i)
{
	if (!have(st, i))
		return PERFDB_VALUE_NULL;
	switch (PQftype(st->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID: return PERFDB_VALUE_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC: return PERFDB_VALUE_REAL;
	default: return PERFDB_VALUE_TEXT;
	}
}

/* A value in binary (network byte order): the integer of its n bytes. */
static uint64_t big_endian(const char *p, int n)
{
	uint64_t v = 0;
	int k;
	for (k = 0; k < n; k++)
		v = v << 8 | (unsigned char)p[k];
	return v;
}

/* Column i of the current row in binary, as a double (*is_int: an integer,
 * also in *iv). */
static double binary_number(perfdb_pg_stmt *st, int i, int *is_int, int64_t *iv)
{
	const char *p = PQgetvalue(st->res, st->row, i);
	uint64_t u;
	uint32_t w;
	double d;
	float f;
	*is_int = 1;
	switch (PQftype(st->res, i)) {
	case OID_BOOL: *iv = p[0] != 0; break;
	case OID_INT2: *iv = (int16_t)big_endian(p, 2); break;
	case OID_INT4: *iv = (int32_t)big_endian(p, 4); break;
	case OID_OID: *iv = (int64_t)big_endian(p, 4); break;
	case OID_FLOAT4:
		w = (uint32_t)big_endian(p, 4);
		memcpy(&f, &w, sizeof(f));
		*is_int = 0;
		return f;
	case OID_FLOAT8:
		u = big_endian(p, 8);
		memcpy(&d, &u, sizeof(d));
		*is_int = 0;
		return d;
	default: *iv = (int64_t)big_endian(p, 8); break; /* OID_INT8 */
	}
	return (double)*iv;
}

int64_t perfdb_pg__column_int64(perfdb_pg_stmt *st, int i)
{
	const char *t;
	if (!have(st, i))
		return 0;
	if (PQfformat(st->res, i) == 1) {
		int is_int;
		int64_t iv = 0;
		double d = binary_number(st, i, &is_int, &iv);
		return is_int ? iv : (int64_t)d;
	}
	t = PQgetvalue(st->res, st->row, i);
	if (PQftype(st->res, i) == OID_BOOL)
		return t[0] == 't';
	if (perfdb_pg__column_type(st, i) == PERFDB_VALUE_REAL)
		return (int64_t)strtod(t, NULL);
	return strtoll(t, NULL, 10);
}

double perfdb_pg__column_double(perfdb_pg_stmt *st, int i)
{
	if (!have(st, i))
		return 0;
	if (PQfformat(st->res, i) == 1) {
		int is_int;
		int64_t iv;
		return binary_number(st, i, &is_int, &iv);
	}
	if (PQftype(st->res, i) == OID_BOOL)
		return PQgetvalue(st->res, st->row, i)[0] == 't';
	return strtod(PQgetvalue(st->res, st->row, i), NULL);
}

/* A double as SQLite writes it: 15 significant digits, and a ".0" on a
 * whole number, so the text of a value is the same on both engines. */
static void sqlite_style(char *buf, double v)
{
	char *e;
	if (isnan(v)) {
		snprintf(buf, NUM_LEN, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, NUM_LEN, v > 0 ? "Inf" : "-Inf");
		return;
	}
	snprintf(buf, NUM_LEN, "%.15g", v);
	if (strchr(buf, '.'))
		return;
	if ((e = strchr(buf, 'e'))) {
		size_t tail = strlen(e) + 1;
		memmove(e + 2, e, tail);
		e[0] = '.';
		e[1] = '0';
		return;
	}
	snprintf(buf + strlen(buf), NUM_LEN - strlen(buf), ".0");
}

const void *perfdb_pg__column_blob(perfdb_pg_stmt *st, int i, size_t *n)
{
	*n = 0;
	if (!have(st, i))
		return NULL;
	if (PQfformat(st->res, i) == 1) {
		*n = (size_t)PQgetlength(st->res, st->row, i);
		return PQgetvalue(st->res, st->row, i);
	}
	if (PQftype(st->res, i) != OID_BYTEA)
		return NULL;
	PQfreemem(st->bytes);
	st->bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i), n);
	if (!st->bytes)
		*n = 0;
	return st->bytes;
}

const char *perfdb_pg__column_text(perfdb_pg_stmt *st, int i)
{
	const char *t;
	char *buf;
	if (!have(st, i))
		return NULL;
	t = PQgetvalue(st->res, st->row, i);
	if (PQfformat(st->res, i) == 1 && PQftype(st->res, i) == OID_BYTEA)
		return perfdb_db__hex_text(&st->hex, (const unsigned char *)t,
					   (size_t)PQgetlength(st->res, st->row, i));
	if (PQfformat(st->res, i) == 1) {
		int is_int;
		int64_t iv = 0;
		double d = binary_number(st, i, &is_int, &iv);
		buf = st->texts + (size_t)i * NUM_LEN;
		if (PQftype(st->res, i) == OID_BOOL)
			return iv ? "1" : "0";
		if (is_int)
			snprintf(buf, NUM_LEN, "%lld", (long long)iv);
		else
			sqlite_style(buf, d);
		return buf;
	}
	switch (PQftype(st->res, i)) {
	case OID_BOOL: return t[0] == 't' ? "1" : "0";
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		buf = st->texts + (size_t)i * NUM_LEN;
		sqlite_style(buf, strtod(t, NULL));
		return buf;
	default: return t;
	}
}

int perfdb_pg__parse_only(perfdb_pg *pg, const char *sql)
{
	PGresult *res = PQprepare(pg->conn, "", sql, 0, NULL);
	int ok = result_ok(pg, res);
	PQclear(res);
	return ok ? 0 : -1;
}

int perfdb_pg__copy_begin(perfdb_pg *pg, const char *sql)
{
	PGresult *res = PQexec(pg->conn, sql);
	int ok = res && PQresultStatus(res) == PGRES_COPY_IN;
	if (!ok)
		keep_result_error(pg, res);
	PQclear(res);
	return ok ? 0 : -1;
}

int perfdb_pg__copy_data(perfdb_pg *pg, const char *text, size_t len)
{
	size_t off = 0;
	/* in pieces libpq's int length takes */
	while (off < len) {
		size_t n = len - off > (1u << 20) ? (1u << 20) : len - off;
		if (PQputCopyData(pg->conn, text + off, (int)n) != 1) {
			keep_error(pg, PQerrorMessage(pg->conn), NULL);
			return -1;
		}
		off += n;
	}
	return 0;
}

int perfdb_pg__copy_end(perfdb_pg *pg, int ok)
{
	PGresult *res;
	if (PQputCopyEnd(pg->conn, ok ? NULL : "perfdb stopped") != 1 && ok) {
		keep_error(pg, PQerrorMessage(pg->conn), NULL);
		ok = 0;
	}
	while ((res = PQgetResult(pg->conn))) {
		if (ok && !result_ok(pg, res))
			ok = 0;
		PQclear(res);
	}
	return ok ? 0 : -1;
}
