/*
 * perfdb-bench merge: `perfdb merge` of one CI job's shard of 100,000
 * results (10 runs x 10,000 series, 5 samples each) into an empty database
 * and into a history that already holds 10 other runs of the same series,
 * then the same shard again (every run already present: the idempotent
 * path). Library calls, timed end to end (the shard's private copy and
 * migration included).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static double merge_sample(int c, int b, int k, void *ctx)
{
	(void)c;
	(void)ctx;
	return 1000 + b + k;
}

static int build(const char *path, int runs, int series, int first_commit, const char *machine)
{
	bench_history h = {runs, series, first_commit, machine, "BM_Merge", merge_sample, NULL};
	return bench_build_history(path, &h);
}

static int timed_merge(const bench_ctx *ctx, const char *dest, const char *shard, const char *label,
		       size_t want_runs)
{
	perfdb_store *s = NULL;
	perfdb_merge_stats st;
	uint64_t t0;
	int err;
	if (perfdb_store_open(&s, dest, PERFDB_STORE_READWRITE) != 0)
		return -1;
	t0 = bench_now_ns();
	err = perfdb_store_merge(&st, s, shard);
	bench_report(ctx, label, "wall_time", "ms", (double)(bench_now_ns() - t0) / 1e6);
	perfdb_store_free(s);
	if (err) {
		fprintf(stderr, "merge: %s\n", perfdb_error_last()->message);
		return -1;
	}
	if (st.runs_added != want_runs) {
		fprintf(stderr, "merge: %zu runs added, expected %zu\n", st.runs_added, want_runs);
		return -1;
	}
	return 0;
}

int bench_merge(const bench_ctx *ctx)
{
	char shard[512], empty[512], hist[512];
	int series = ctx->quick ? 1000 : 10000, runs = 10;
	snprintf(shard, sizeof(shard), "%s/merge-shard.db", ctx->workdir);
	snprintf(empty, sizeof(empty), "%s/merge-empty.db", ctx->workdir);
	snprintf(hist, sizeof(hist), "%s/merge-history.db", ctx->workdir);
	unlink(shard);
	unlink(empty);
	unlink(hist);
	if (build(shard, runs, series, 100, "ci-shard") != 0 ||
	    build(hist, runs, series, 0, "ci-history") != 0)
		return -1;
	bench_note(ctx, "a shard of %d runs x %d series (%d results, 5 samples each)", runs, series,
		   runs * series);
	if (timed_merge(ctx, empty, shard, "merge/into_empty", (size_t)runs) != 0 ||
	    timed_merge(ctx, hist, shard, "merge/into_history", (size_t)runs) != 0 ||
	    timed_merge(ctx, hist, shard, "merge/again_idempotent", 0) != 0)
		return -1;
	return 0;
}
