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

/* One series in 100 gets 10% slower 20 commits before the end; 2% noise. */
static double regress_sample(int c, int b, int k, void *ctx)
{
	int commits = *(const int *)ctx;
	double level = 1000 + b;
	(void)k;
	if (b % 100 == 7 && c >= commits - 20)
		level *= 1.10;
	return level * (1 + 0.02 * gauss());
}

static int build(const char *path, int commits, int series)
{
	bench_history h = {commits, series, 0, "bench", "BM_Bench", regress_sample, &commits};
	return bench_build_history(path, &h);
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
	if (bench_regress_times(&rep, s, &o, times, 5) != 0) {
		perfdb_store_free(s);
		return 1;
	}
	found = perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION);
	bench_report(ctx, "regress/since_last_50", "wall_time", "ms", times[2]);
	bench_note(ctx,
		   "regress (library): %zu series checked over the last 50 commits, median of 5 "
		   "runs %.1f ms (min %.1f); %zu regressions (%d injected)",
		   perfdb_regress_series_checked(rep), times[2], times[0], found, series / 100);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);

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
