/*
 * perfdb-bench store-postgres: the store on a PostgreSQL server beside the
 * same work on an SQLite file, in one run: recording 100,000 results in one
 * run (new benchmarks, then the same ones again for the next commit), 4
 * jobs recording one new commit on one machine at once beside one by one
 * (the CI matrix of one runner type), regress
 * over a 1,000,000-result history (100 commits x 10,000
 * series, 5 samples each; the newest commit against its window), and merging
 * a 100,000-result shard (10 runs x 10,000 series). Library calls, timed end
 * to end: open included; record into an existing database (as in CI), merge
 * into a new one (its creation included).
 *
 * The server is $PERFDB_BENCH_DSN, or a throwaway cluster this case starts
 * and stops (tests/pg/cluster.sh: a Unix socket, no fsync, as in the tests:
 * the figures are the engine's and the protocol's, not a disk's). Each
 * measurement gets a new database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#ifdef PERFDB_HAVE_POSTGRESQL
typedef struct target {
	const char *engine; /* "sqlite", "postgresql" */
	const char *workdir;
	const char *server; /* base DSN, NULL for files */
} target;

/* A new, empty database for `what`: a file, or a database on the server. */
static int new_database(const target *t, const char *what, char *out, size_t cap)
{
	return bench_new_database(t->workdir, t->server, what, out, cap);
}

static double sample_of(int c, int b, int k, void *ctx)
{
	(void)ctx;
	return 1000 + 10 * b + k + (c == 99 && b % 100 == 0 ? 200 : 0);
}

/* Opens db and records rs into it with commit sha; *rate: results/s, open
 * included. */
static int timed_record(const char *db, perfdb_resultset *rs, const char *sha, double *rate)
{
	perfdb_store *s = NULL;
	uint64_t t0;
	int err;
	perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, sha);
	t0 = bench_now_ns();
	err = perfdb_store_open(&s, db, PERFDB_STORE_READWRITE) || perfdb_store_record(s, rs, NULL);
	*rate = (double)perfdb_resultset_count(rs) / ((double)(bench_now_ns() - t0) / 1e9);
	if (err)
		fprintf(stderr, "store-postgres: record: %s\n", perfdb_error_last()->message);
	perfdb_store_free(s);
	return err ? -1 : 0;
}

/* A run of n results (a value each) on machine "bench", its commit unset;
 * NULL when out of memory. */
static perfdb_resultset *make_run(int n)
{
	perfdb_resultset *rs = NULL;
	char name[64];
	int i;
	if (perfdb_resultset_new(&rs) ||
	    perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "bench")) {
		perfdb_resultset_free(rs);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		perfdb_result r;
		snprintf(name, sizeof(name), "BM_Record/%d", i);
		perfdb_result_init(&r);
		r.benchmark = name;
		r.metric = "real_time";
		r.unit = "ns";
		r.value = 1000 + i;
		if (perfdb_resultset_add(rs, &r)) {
			perfdb_resultset_free(rs);
			return NULL;
		}
	}
	return rs;
}

/* Results/s recording one run of n results into an existing database:
 * *fresh with all benchmarks new, then *known the same benchmarks again
 * for the next commit, as every CI record after the first does (their ids
 * are looked up, none inserted). */
static int time_record(const target *t, int n, double *fresh, double *known)
{
	perfdb_resultset *rs = NULL;
	perfdb_store *s = NULL;
	char db[1024];
	int err;
	if (new_database(t, "record", db, sizeof(db)) || !(rs = make_run(n)))
		return -1;
	/* the database exists (a CI history does): its creation is not timed */
	if (perfdb_store_open(&s, db, PERFDB_STORE_READWRITE) != 0) {
		perfdb_resultset_free(rs);
		return -1;
	}
	perfdb_store_free(s);
	err = timed_record(db, rs, "c1", fresh) || timed_record(db, rs, "c2", known);
	perfdb_resultset_free(rs);
	return err ? -1 : 0;
}

/* Wall ms of `jobs` records of rs for commit sha into db: one after another
 * (parallel 0), or at once, one process each, as the jobs of a CI matrix
 * on one runner type (one machine name) record one commit. */
static int time_jobs(const char *db, perfdb_resultset *rs, const char *sha, int jobs, int parallel,
		     double *ms)
{
	pid_t pids[16];
	uint64_t t0 = bench_now_ns();
	double rate;
	int i, status, err = 0;
	if (jobs > 16)
		return -1;
	for (i = 0; i < jobs; i++) {
		if (!parallel) {
			if (timed_record(db, rs, sha, &rate))
				return -1;
			continue;
		}
		if ((pids[i] = fork()) < 0)
			return -1;
		if (pids[i] == 0)
			_exit(timed_record(db, rs, sha, &rate) ? 1 : 0);
	}
	for (i = 0; parallel && i < jobs; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			err = -1;
	*ms = (double)(bench_now_ns() - t0) / 1e6;
	return err;
}

/* The same `jobs` records of n results for a new commit on a known machine
 * (its benchmarks known), one after another (*seq) and at once (*par). When
 * each record locked the machine's and the commit's rows until it
 * committed, the ones at once ran one after another all the same. */
static int time_fleet(const target *t, int jobs, int n, double *seq, double *par)
{
	perfdb_resultset *rs = NULL;
	char db[1024];
	int err;
	if (new_database(t, "fleet", db, sizeof(db)) || !(rs = make_run(n)))
		return -1;
	err = time_jobs(db, rs, "f0", 1, 0, seq) || time_jobs(db, rs, "f1", jobs, 0, seq) ||
	      time_jobs(db, rs, "f2", jobs, 1, par);
	perfdb_resultset_free(rs);
	return err ? -1 : 0;
}

/* The median of 3 regress runs (ms) over a history of commits x series. */
static int time_regress(const bench_ctx *ctx, const target *t, int commits, int series, double *ms)
{
	bench_history h = {commits, series, 0, "bench", "BM_Regress", sample_of, NULL};
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	perfdb_store *s = NULL;
	char db[1024];
	double times[3];
	uint64_t t0;
	if (new_database(t, "regress", db, sizeof(db)))
		return -1;
	t0 = bench_now_ns();
	if (bench_build_history(db, &h) != 0)
		return -1;
	bench_note(ctx, "%s: built %d commits x %d series x 5 samples in %.1f s", t->engine,
		   commits, series, (double)(bench_now_ns() - t0) / 1e9);
	o.use_git = 0;
	if (perfdb_store_open(&s, db, PERFDB_STORE_READONLY) != 0)
		return -1;
	if (bench_regress_times(&rep, s, &o, times, 3) != 0) {
		perfdb_store_free(s);
		return -1;
	}
	bench_note(ctx, "%s: regress checked %zu series, %zu regressions", t->engine,
		   perfdb_regress_series_checked(rep),
		   perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION));
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
	*ms = times[1];
	return 0;
}

/* ms to merge the shard into a new database. */
static int time_merge(const target *t, const char *shard, double *ms)
{
	perfdb_store *s = NULL;
	perfdb_merge_stats st;
	char db[1024];
	uint64_t t0;
	int err;
	if (new_database(t, "merge", db, sizeof(db)))
		return -1;
	t0 = bench_now_ns();
	err =
	    perfdb_store_open(&s, db, PERFDB_STORE_READWRITE) || perfdb_store_merge(&st, s, shard);
	*ms = (double)(bench_now_ns() - t0) / 1e6;
	if (err)
		fprintf(stderr, "store-postgres: merge: %s\n", perfdb_error_last()->message);
	perfdb_store_free(s);
	return err ? -1 : 0;
}

int bench_store_postgres(const bench_ctx *ctx)
{
	const int nrecord = ctx->quick ? 10000 : 100000, commits = ctx->quick ? 20 : 100,
		  series = ctx->quick ? 1000 : 10000, jobs = 4, njob = ctx->quick ? 2000 : 20000;
	char shard[512], name[160];
	bench_pg pg;
	target t[2];
	double rate[2], known[2], regress[2], merge[2], seq[2], par[2];
	int rc = -1, i;
	bench_history sh = {10, series, 1000, "shard", "BM_Regress", sample_of, NULL};

	if (bench_pg_start(&pg) != 0)
		goto none;
	t[0] = (target){"sqlite", ctx->workdir, NULL};
	t[1] = (target){"postgresql", ctx->workdir, pg.dsn};
	snprintf(shard, sizeof(shard), "%s/sp-shard.db", ctx->workdir);
	unlink(shard);
	if (bench_build_history(shard, &sh) != 0)
		goto out;
	for (i = 0; i < 2; i++) {
		if (time_record(&t[i], nrecord, &rate[i], &known[i]) ||
		    time_fleet(&t[i], jobs, njob, &seq[i], &par[i]) ||
		    time_regress(ctx, &t[i], commits, series, &regress[i]) ||
		    time_merge(&t[i], shard, &merge[i]))
			goto out;
		snprintf(name, sizeof(name), "store/%s/record", t[i].engine);
		bench_report_higher(ctx, name, "throughput", "results/s", rate[i]);
		snprintf(name, sizeof(name), "store/%s/record_known", t[i].engine);
		bench_report_higher(ctx, name, "throughput", "results/s", known[i]);
		snprintf(name, sizeof(name), "store/%s/jobs_%d_one_by_one", t[i].engine, jobs);
		bench_report(ctx, name, "wall_time", "ms", seq[i]);
		snprintf(name, sizeof(name), "store/%s/jobs_%d_at_once", t[i].engine, jobs);
		bench_report(ctx, name, "wall_time", "ms", par[i]);
		snprintf(name, sizeof(name), "store/%s/jobs_at_once_vs_one_by_one", t[i].engine);
		bench_report(ctx, name, "ratio", "x", par[i] / seq[i]);
		snprintf(name, sizeof(name), "store/%s/regress_%dk_results", t[i].engine,
			 commits * series / 1000);
		bench_report(ctx, name, "wall_time", "ms", regress[i]);
		snprintf(name, sizeof(name), "store/%s/merge_%dk_shard", t[i].engine,
			 10 * series / 1000);
		bench_report(ctx, name, "wall_time", "ms", merge[i]);
	}
	bench_report(ctx, "store/postgresql_vs_sqlite/record", "ratio", "x", rate[0] / rate[1]);
	bench_report(ctx, "store/postgresql_vs_sqlite/record_known", "ratio", "x",
		     known[0] / known[1]);
	bench_report(ctx, "store/postgresql_vs_sqlite/regress", "ratio", "x",
		     regress[1] / regress[0]);
	bench_report(ctx, "store/postgresql_vs_sqlite/merge", "ratio", "x", merge[1] / merge[0]);
	bench_note(ctx,
		   "record %d results in one run (record_known: the same benchmarks again, for "
		   "the next commit); %d jobs recording %d results each for one new commit on one "
		   "machine, at once and one by one (below 1: they ran side by side); regress over "
		   "%d commits x %d series; merge a "
		   "shard of 10 runs x %d series; ratios: how many times slower the server is",
		   nrecord, jobs, njob, commits, series, series);
	rc = 0;
	goto out;
none:
	bench_note(ctx, "store-postgres: no PostgreSQL server (set PERFDB_BENCH_DSN, or install "
			"Debian's postgresql for a throwaway cluster); nothing measured");
	rc = 0;
out:
	bench_pg_stop(&pg);
	return rc;
}

#else

int bench_store_postgres(const bench_ctx *ctx)
{
	bench_note(ctx, "store-postgres: this perfdb-bench was built without PostgreSQL (libpq)");
	return 0;
}

#endif
