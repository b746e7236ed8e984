/*
 * perfdb-bench regress: `perfdb regress --since` over the last 50 commits of
 * a history of 1,000 commits x 1,000 series (1M results, 5 samples each).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"

static uint64_t state = 777;

static double gauss(void)
{
	double u, v;
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	u = ((double)(state >> 11) + 0.5) / 9007199254740992.0;
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	v = ((double)(state >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int build(const char *path, int commits, int series)
{
	perfdb_store *s = NULL;
	char name[64], sha[64], t[32];
	int c, b, k;
	if (perfdb_store_open(&s, path, PERFDB_STORE_READWRITE) != 0)
		return -1;
	for (c = 0; c < commits; c++) {
		perfdb_resultset *rs = NULL;
		if (perfdb_resultset_new(&rs) != 0)
			return -1;
		snprintf(sha, sizeof(sha), "%040d", c);
		snprintf(t, sizeof(t), "2026-01-01T%02d:%02d:00Z", c / 60 % 24, c % 60);
		perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, sha);
		perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "bench");
		perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, t);
		perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "bench");
		for (b = 0; b < series; b++) {
			perfdb_result r;
			double x[5];
			/* one series in 100 gets 10% slower 20 commits before the end */
			double level = 1000 + b;
			if (b % 100 == 7 && c >= commits - 20)
				level *= 1.10;
			for (k = 0; k < 5; k++)
				x[k] = level * (1 + 0.02 * gauss());
			snprintf(name, sizeof(name), "BM_Bench/%d", b);
			perfdb_result_init(&r);
			r.benchmark = name;
			r.metric = "real_time";
			r.unit = "ns";
			r.samples = x;
			r.nsamples = 5;
			if (perfdb_resultset_add(rs, &r) != 0)
				return -1;
		}
		if (perfdb_store_record(s, rs, NULL) != 0) {
			fprintf(stderr, "record: %s\n", perfdb_error_last()->message);
			return -1;
		}
		perfdb_resultset_free(rs);
	}
	perfdb_store_close(s);
	return 0;
}

int bench_regress(const bench_ctx *ctx)
{
	const int commits = ctx->quick ? 200 : 1000, series = ctx->quick ? 200 : 1000;
	char path[512], since[64], cmd[1200], self_dir[512];
	perfdb_store *s = NULL;
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	double times[5], cli[3];
	uint64_t t0;
	int r;
	size_t found = 0;

	snprintf(path, sizeof(path), "%s/regress.db", ctx->workdir);
	t0 = bench_now_ns();
	if (build(path, commits, series) != 0)
		return 1;
	bench_note(ctx, "regress: built %d commits x %d series x 5 samples in %.1f s", commits,
		   series, (double)(bench_now_ns() - t0) / 1e9);
	snprintf(since, sizeof(since), "%040d", commits - 51);
	o.since = since;
	o.use_git = 0;
	if (perfdb_store_open(&s, path, PERFDB_STORE_READONLY) != 0)
		return 1;
	for (r = 0; r < 5; r++) {
		perfdb_regress_report_free(rep);
		rep = NULL;
		t0 = bench_now_ns();
		if (perfdb_regress_run(&rep, s, &o) != 0) {
			fprintf(stderr, "regress: %s\n", perfdb_error_last()->message);
			perfdb_store_close(s);
			return 1;
		}
		times[r] = (double)(bench_now_ns() - t0) / 1e6;
	}
	found = perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION);
	perfdb_stats_sort(times, 5);
	bench_report(ctx, "regress/since_last_50", "wall_time", "ms", times[2]);
	bench_note(ctx,
		   "regress (library): %zu series checked over the last 50 commits, median of 5 "
		   "runs %.1f ms (min %.1f); %zu regressions (%d injected)",
		   perfdb_regress_series_checked(rep), times[2], times[0], found, series / 100);
	perfdb_regress_report_free(rep);
	perfdb_store_close(s);

	/* the same through the command line, process start and open included */
	snprintf(self_dir, sizeof(self_dir), "%s", ctx->self ? ctx->self : "./perfdb-bench");
	{
		char *slash = strrchr(self_dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(self_dir, sizeof(self_dir), ".");
	}
	for (r = 0; r < 3; r++) {
		int rc;
		snprintf(cmd, sizeof(cmd),
			 "'%s/perfdb' regress --db '%s' --since %s --dry-run --no-git "
			 "--format json > /dev/null",
			 self_dir, path, since);
		t0 = bench_now_ns();
		rc = bench_system("%s", cmd);
		cli[r] = (double)(bench_now_ns() - t0) / 1e6;
		if (rc != 0 && rc != 1) {
			bench_note(ctx, "regress: the CLI run failed (%d); no CLI figure", rc);
			return 0;
		}
	}
	perfdb_stats_sort(cli, 3);
	bench_report(ctx, "regress/cli_since_last_50", "wall_time", "ms", cli[1]);
	return 0;
}
