/*
 * perfdb-bench scale: regress on the newest commit of a wide history,
 * 100,000 series x 30 commits (3M results, 5 samples each) in the issue's
 * size. Building it by `record` takes minutes, so the default is 10,000
 * series (300k results); PERFDB_BENCH_SCALE_SERIES=100000 gives the full
 * size (--quick: 2,000). The history is built once per engine, outside the
 * timed part; each figure is the median of 3 runs through the library, the
 * store opened once: the default check (the newest commit against its
 * window) and the PR gate (`commit` set to the newest commit). On an SQLite
 * file, and on a PostgreSQL server when one can be had (see store-postgres).
 * Then the same default check with the result blocks dropped (schema/0009:
 * each run read from its rows, as before blocks), side by side, and the
 * database's size with the blocks and their share of it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "store/store.h"

#define SCALE_COMMITS 30

/* Levels spread over series; one series in 100 is 10% slower at the newest
 * commit; a small deterministic jitter per sample. */
static double scale_sample(int c, int b, int k, void *ctx)
{
	unsigned h = (unsigned)(c * 2654435761u) ^ (unsigned)(b * 40503u) ^ (unsigned)(k * 97u);
	double level = 1000 + b % 1000;
	(void)ctx;
	h ^= h >> 13;
	h *= 0x5bd1e995u;
	h ^= h >> 15;
	if (c == SCALE_COMMITS - 1 && b % 100 == 3)
		level *= 1.10;
	return level * (1 + 0.01 * ((double)(h % 1000) / 1000 - 0.5));
}

/* Median of 3 regress runs (ms) on the open store; commit NULL: the default. */
static int time_regress(const bench_ctx *ctx, perfdb_store *s, const char *engine,
			const char *commit, double *ms)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	double times[3];
	o.use_git = 0;
	o.commit = commit;
	if (bench_regress_times(&rep, s, &o, times, 3) != 0)
		return -1;
	bench_note(ctx, "%s: regress%s checked %zu series, %zu regressions", engine,
		   commit ? " --commit" : "", perfdb_regress_series_checked(rep),
		   perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION));
	perfdb_regress_report_free(rep);
	*ms = times[1];
	return 0;
}

/* The database's size and its blocks' (MB), then the blocks dropped. */
static int drop_blocks(const bench_ctx *ctx, const char *engine, const char *db, int server)
{
	perfdb_store *s = NULL;
	double total, blocks;
	int err;
	if (perfdb_store_open(&s, db, PERFDB_STORE_READWRITE) != 0) {
		fprintf(stderr, "scale: %s\n", perfdb_error_last()->message);
		return -1;
	}
	total = (double)perfdb_store__count(
	    s, server ? "SELECT pg_database_size(current_database())"
		      : "SELECT page_count * page_size FROM pragma_page_count(), "
			"pragma_page_size()");
	blocks =
	    (double)perfdb_store__count(s, server ? "SELECT pg_total_relation_size('result_blocks')"
						  : "SELECT sum(length(data)) FROM result_blocks");
	bench_note(ctx, "%s: database %.0f MB, of which result blocks %.0f MB", engine, total / 1e6,
		   blocks / 1e6);
	err = perfdb_db__exec(s->db, "DELETE FROM result_blocks");
	perfdb_store_free(s);
	return err;
}

static int measure(const bench_ctx *ctx, const char *engine, const char *server, int series)
{
	bench_history h = {SCALE_COMMITS, series, 0, "scale", "BM_Scale", scale_sample, NULL};
	perfdb_store *s = NULL;
	char db[1024], name[128], newest[64];
	double ms[3];
	uint64_t t0;
	int err;
	if (bench_new_database(ctx->workdir, server, "scale", db, sizeof(db)) != 0)
		return -1;
	t0 = bench_now_ns();
	if (bench_build_history(db, &h) != 0)
		return -1;
	bench_note(ctx, "%s: built %d commits x %d series x 5 samples in %.1f s", engine,
		   SCALE_COMMITS, series, (double)(bench_now_ns() - t0) / 1e9);
	snprintf(newest, sizeof(newest), "%040d", SCALE_COMMITS - 1);
	if (perfdb_store_open(&s, db, PERFDB_STORE_READONLY) != 0) {
		fprintf(stderr, "scale: %s\n", perfdb_error_last()->message);
		return -1;
	}
	err = time_regress(ctx, s, engine, NULL, &ms[0]) ||
	      time_regress(ctx, s, engine, newest, &ms[1]);
	perfdb_store_free(s);
	s = NULL;
	if (err || drop_blocks(ctx, engine, db, server != NULL) != 0 ||
	    perfdb_store_open(&s, db, PERFDB_STORE_READONLY) != 0)
		return -1;
	err = time_regress(ctx, s, engine, NULL, &ms[2]);
	perfdb_store_free(s);
	if (err)
		return -1;
	snprintf(name, sizeof(name), "scale/%s/regress_newest_%dx%dk", engine, SCALE_COMMITS,
		 series / 1000);
	bench_report(ctx, name, "wall_time", "ms", ms[0]);
	snprintf(name, sizeof(name), "scale/%s/regress_commit_%dx%dk", engine, SCALE_COMMITS,
		 series / 1000);
	bench_report(ctx, name, "wall_time", "ms", ms[1]);
	snprintf(name, sizeof(name), "scale/%s/regress_newest_rows_%dx%dk", engine, SCALE_COMMITS,
		 series / 1000);
	bench_report(ctx, name, "wall_time", "ms", ms[2]);
	snprintf(name, sizeof(name), "scale/%s/rows_vs_blocks", engine);
	bench_report(ctx, name, "ratio", "x", ms[2] / ms[0]);
	return 0;
}

int bench_scale(const bench_ctx *ctx)
{
	const char *env = getenv("PERFDB_BENCH_SCALE_SERIES");
	long n = env ? strtol(env, NULL, 10) : 0;
	int series = n > 0 && n <= 10000000 ? (int)n : ctx->quick ? 2000 : 10000;
	if (measure(ctx, "sqlite", NULL, series) != 0)
		return 1;
#ifdef PERFDB_HAVE_POSTGRESQL
	{
		bench_pg pg;
		int rc = 0;
		if (bench_pg_start(&pg) == 0)
			rc = measure(ctx, "postgresql", pg.dsn, series);
		else
			bench_note(ctx, "scale: no PostgreSQL server (set PERFDB_BENCH_DSN, or "
					"install Debian's postgresql); the server not measured");
		bench_pg_stop(&pg);
		if (rc)
			return 1;
	}
#endif
	bench_note(ctx,
		   "scale: %d commits x %d series (%d results); targets for 100k series: "
		   "< 300 ms on SQLite, < 1 s on PostgreSQL",
		   SCALE_COMMITS, series, SCALE_COMMITS * series);
	return 0;
}
