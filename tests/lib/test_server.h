/* The store's tests on a PostgreSQL server: the same test code, with a
 * database on a server in place of a file when PERFDB_TEST_DSN (a DSN) or
 * PERFDB_TEST_DSN_FILE (a file holding one, written by
 * tests/pg/cluster.sh) is set. CTest runs the suites that include this
 * twice, the second time with PERFDB_TEST_DSN_FILE (the *_pg tests).
 *
 * Each store gets a database of its own, created here through libpq, so the
 * cases do not see each other's rows. Include after <cmocka.h>. */
#ifndef PERFDB_TESTS_TEST_SERVER_H
#define PERFDB_TESTS_TEST_SERVER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef PERFDB_HAVE_POSTGRESQL
#include <libpq-fe.h>
#endif

/* The server's base DSN ("" when the tests run on files). */
static char test_server[1024];

/* Reads the DSN from the environment. A server asked for but not there
 * ends the process: exit 77 (CTest's skip), or 1 with CI=true, where a
 * missing server is a failure. */
static inline void test_server_init(void)
{
	const char *dsn = getenv("PERFDB_TEST_DSN"), *file = getenv("PERFDB_TEST_DSN_FILE");
	const char *ci = getenv("CI");
	int ci_run = ci && strcmp(ci, "true") == 0;
	if (file && *file && !(dsn && *dsn)) {
		FILE *f = fopen(file, "r");
		if (!f || !fgets(test_server, sizeof(test_server), f)) {
			fprintf(stderr, "no PostgreSQL server (no DSN in '%s')%s\n", file,
				ci_run ? "; CI=true: a failure" : ": skipped");
			exit(ci_run ? 1 : 77);
		}
		fclose(f);
		test_server[strcspn(test_server, "\r\n")] = '\0';
	} else if (dsn && *dsn) {
		snprintf(test_server, sizeof(test_server), "%s", dsn);
	}
#ifndef PERFDB_HAVE_POSTGRESQL
	if (test_server[0]) {
		fprintf(stderr, "this build has no PostgreSQL support%s\n",
			ci_run ? "; CI=true: a failure" : ": skipped");
		exit(ci_run ? 1 : 77);
	}
#endif
}

static inline int on_server(void)
{
	return test_server[0] != '\0';
}

/* Runs sql on the database dsn names (an assertion). */
static inline void test_server_exec(const char *dsn, const char *sql)
{
#ifdef PERFDB_HAVE_POSTGRESQL
	PGconn *c = PQconnectdb(dsn);
	PGresult *res;
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
#else
	(void)dsn;
	(void)sql;
	fail_msg("no PostgreSQL support");
#endif
}

/* Runs sql on the database dsn names and writes the SQLSTATE it failed
 * with into state ("" when it succeeded). */
static inline void test_server_try(const char *dsn, const char *sql, char state[6])
{
#ifdef PERFDB_HAVE_POSTGRESQL
	PGconn *c = PQconnectdb(dsn);
	PGresult *res;
	const char *code;
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, sql);
	code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	snprintf(state, 6, "%s", code ? code : "");
	PQclear(res);
	PQfinish(c);
#else
	(void)dsn;
	(void)sql;
	(void)state;
	fail_msg("no PostgreSQL support");
#endif
}

/* A DSN for a new, empty database on the server, named after tag. */
static inline void test_server_new_db(char *out, size_t cap, const char *tag)
{
	static int n;
	char name[96], sql[160];
	const char *query = strchr(test_server, '?');
	size_t i;
	snprintf(name, sizeof(name), "t_%s_%ld_%d", tag, (long)getpid(), n++);
	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			name[i] = '_';
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	test_server_exec(test_server, sql);
	/* postgresql:///NAME?host=...: the base DSN's parameters, this database */
	snprintf(out, cap, "postgresql:///%s%s", name, query ? query : "");
}

#endif
