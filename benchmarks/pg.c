/* A PostgreSQL server for the cases that compare the store on a server with
 * an SQLite file (store-postgres, scale): $PERFDB_BENCH_DSN, or a throwaway
 * cluster (tests/pg/cluster.sh), and a new database on it per measurement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#ifdef PERFDB_HAVE_POSTGRESQL
#include <libpq-fe.h>

int bench_pg_start(bench_pg *pg)
{
	const char *env = getenv("PERFDB_BENCH_DSN");
	char name[160];
	FILE *f;
	pg->started = 0;
	pg->dsn[0] = '\0';
	snprintf(pg->cluster, sizeof(pg->cluster), "/tmp/perfdb-bench-pg-%ld", (long)getpid());
	if (env && *env) {
		snprintf(pg->dsn, sizeof(pg->dsn), "%s", env);
		return 0;
	}
	if (bench_system("bash '%s/tests/pg/cluster.sh' start '%s'", PERFDB_SOURCE_DIR,
			 pg->cluster) != 0)
		return -1;
	pg->started = 1;
	snprintf(name, sizeof(name), "%s/dsn", pg->cluster);
	if (!(f = fopen(name, "r")) || !fgets(pg->dsn, sizeof(pg->dsn), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	pg->dsn[strcspn(pg->dsn, "\r\n")] = '\0';
	return 0;
}

void bench_pg_stop(bench_pg *pg)
{
	if (pg->started)
		bench_system("bash '%s/tests/pg/cluster.sh' stop '%s'", PERFDB_SOURCE_DIR,
			     pg->cluster);
	pg->started = 0;
}

#endif

int bench_new_database(const char *workdir, const char *server, const char *what, char *out,
		       size_t cap)
{
	if (!server) {
		snprintf(out, cap, "%s/sp-%s.db", workdir, what);
		unlink(out);
		return 0;
	}
#ifdef PERFDB_HAVE_POSTGRESQL
	{
		static int n;
		PGconn *c;
		PGresult *res;
		char sql[128], name[64];
		const char *q;
		int ok;
		snprintf(name, sizeof(name), "bench_%s_%ld_%d", what, (long)getpid(), n++);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		c = PQconnectdb(server);
		res = PQexec(c, sql);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			fprintf(stderr, "%s: %s", what, PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
		q = strchr(server, '?');
		snprintf(out, cap, "postgresql:///%s%s", name, q ? q : "");
		return ok ? 0 : -1;
	}
#else
	return -1;
#endif
}
