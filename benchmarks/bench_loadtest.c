/*
 * perfdb-bench loadtest: the load tester's own costs.
 *  - dispatch capacity: a no-op function on 1 and 2 threads, latency
 *    recording included (target: >= 10M requests/s in total on 2 threads,
 *    <= 200 ns per request per thread);
 *  - open model: the rate achieved when 100k requests/s are asked
 *    (target: within 1%);
 *  - `perfdb run -- true` against `hyperfine -N --runs 200 true` in the same
 *    run (target: perfdb's mean at most 10% above hyperfine's).
 */
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static int noop(void *ctx)
{
	(void)ctx;
	return 0;
}

static int dispatch(const bench_ctx *ctx, unsigned threads, uint64_t requests)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	char name[64];

	o.users = threads;
	o.requests = requests;
	if (perfdb_loadtest_run(&r, noop, NULL, &o) != 0) {
		fprintf(stderr, "loadtest: %s\n", perfdb_error_last()->message);
		return 1;
	}
	snprintf(name, sizeof(name), "loadtest/dispatch/threads:%u", threads);
	bench_report(ctx, name, "throughput", "req/s", r.throughput);
	bench_report(ctx, name, "time_per_request_per_thread", "ns",
		     r.duration * 1e9 * threads / (double)r.requests);
	bench_report(ctx, name, "latency_p50", "ns", r.latency.p50);
	if (r.requests != requests)
		bench_note(ctx, "dispatch on %u threads ran %llu of %llu requests", threads,
			   (unsigned long long)r.requests, (unsigned long long)requests);
	perfdb_loadtest_result_release(&r);
	return 0;
}

static int open_rate(const bench_ctx *ctx, double rate, double seconds)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;

	o.users = 2;
	o.rate = rate;
	o.duration = seconds;
	if (perfdb_loadtest_run(&r, noop, NULL, &o) != 0) {
		fprintf(stderr, "loadtest: %s\n", perfdb_error_last()->message);
		return 1;
	}
	bench_report(ctx, "loadtest/open/rate:100000", "achieved_rate", "req/s", r.throughput);
	bench_report_higher(ctx, "loadtest/open/rate:100000", "achieved_pct", "%",
			    r.throughput / rate * 100.0);
	bench_report(ctx, "loadtest/open/rate:100000", "late_starts", "", (double)r.late_starts);
	bench_report(ctx, "loadtest/open/rate:100000", "latency_p99", "ns", r.latency.p99);
	bench_report(ctx, "loadtest/open/rate:100000", "service_p99", "ns", r.service.p99);
	bench_note(ctx, "open model: %llu requests scheduled over %.1f s on 2 workers",
		   (unsigned long long)r.requests, seconds);
	perfdb_loadtest_result_release(&r);
	return 0;
}

/* The "mean" of the first result of a hyperfine-shaped JSON file, or NAN. */
static double json_mean(const char *path)
{
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	double v = NAN;
	if (doc) {
		json_t *m =
		    json_object_get(json_array_get(json_object_get(doc, "results"), 0), "mean");
		if (json_is_number(m))
			v = json_number_value(m);
		json_decref(doc);
	}
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int run_vs_hyperfine(const bench_ctx *ctx)
{
	char self[4096], perfdb[4200], out[4200];
	double ours[5], theirs[5];
	int rounds = ctx->quick ? 1 : 5, i;

	snprintf(self, sizeof(self), "%s", ctx->self);
	snprintf(perfdb, sizeof(perfdb), "%s/perfdb", dirname(self));
	if (access(perfdb, X_OK) != 0) {
		bench_note(ctx,
			   "perfdb run vs hyperfine skipped: no perfdb binary at %s "
			   "(build perfdb_cli)",
			   perfdb);
		return 0;
	}
	if (bench_system("hyperfine --version > /dev/null 2>&1") != 0) {
		bench_note(ctx, "perfdb run vs hyperfine skipped: hyperfine is not installed");
		return 0;
	}
	snprintf(out, sizeof(out), "%s/run.json", ctx->workdir);
	/* Alternate the two tools so a change in the machine's load hits both. */
	for (i = 0; i < rounds; i++) {
		if (bench_system("'%s' run --runs 200 --format json -- true > '%s' 2> /dev/null",
				 perfdb, out) != 0)
			return 1;
		ours[i] = json_mean(out);
		if (bench_system("hyperfine -N --runs 200 --export-json '%s' true > /dev/null 2>&1",
				 out) != 0)
			return 1;
		theirs[i] = json_mean(out);
		if (isnan(ours[i]) || isnan(theirs[i]))
			return 1;
	}
	qsort(ours, (size_t)rounds, sizeof(double), cmp_double);
	qsort(theirs, (size_t)rounds, sizeof(double), cmp_double);
	/* The median round, and the least disturbed round of each tool: on a
	 * shared machine a burst of other work moves a 200-run mean by 2x. */
	bench_report(ctx, "loadtest/run_true/perfdb", "mean", "us", ours[rounds / 2] * 1e6);
	bench_report(ctx, "loadtest/run_true/hyperfine", "mean", "us", theirs[rounds / 2] * 1e6);
	bench_report(ctx, "loadtest/run_true", "perfdb_over_hyperfine_pct", "%",
		     (ours[rounds / 2] / theirs[rounds / 2] - 1.0) * 100.0);
	bench_report(ctx, "loadtest/run_true/perfdb", "best_round_mean", "us", ours[0] * 1e6);
	bench_report(ctx, "loadtest/run_true/hyperfine", "best_round_mean", "us", theirs[0] * 1e6);
	bench_report(ctx, "loadtest/run_true", "best_perfdb_over_best_hyperfine_pct", "%",
		     (ours[0] / theirs[0] - 1.0) * 100.0);
	bench_note(ctx,
		   "run vs hyperfine: %d alternating rounds of 200 runs each; median and best "
		   "round",
		   rounds);
	return 0;
}

int bench_loadtest(const bench_ctx *ctx)
{
	uint64_t n = ctx->quick ? 2000000 : 20000000;
	if (dispatch(ctx, 1, n / 2) || dispatch(ctx, 2, n))
		return 1;
	if (open_rate(ctx, 100000, ctx->quick ? 0.5 : 2.0))
		return 1;
	return run_vs_hyperfine(ctx);
}
