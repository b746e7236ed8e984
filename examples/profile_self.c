/*
 * example_profile_self - a program that profiles itself with perfdb's
 * in-process profiler and records the profile into a perfdb database, so
 * that profiles of two commits can be compared with `perfdb regress`.
 *
 *	example_profile_self                          # print the profile
 *	example_profile_self --json                   # the profile as JSON
 *	example_profile_self --db perf.db [--commit REV] [--branch NAME]
 *
 * The workload is a toy request handler: parse, then a lookup that is slow
 * one time in fifty, then render; one request in ten fails validation.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"

/* Busy work of a known size, so the profile has a stable shape. */
static uint64_t churn(unsigned rounds)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	unsigned i;
	for (i = 0; i < rounds; i++)
		x = (x ^ (x >> 29)) * 0xBF58476D1CE4E5B9ull + i;
	return x;
}

static volatile uint64_t sink;

static int parse(int request)
{
	PERFDB_SCOPE(NULL, "parse");
	{
		PERFDB_SCOPE(NULL, "parse.tokenize");
		sink += churn(2000);
	}
	{
		PERFDB_SCOPE(NULL, "parse.validate");
		sink += churn(500);
		if (request % 10 == 9) {
			perfdb_profiler_fail(NULL); /* marks parse.validate failed */
			return -1;
		}
	}
	return 0;
}

static void lookup(int request)
{
	/* This site has its own slow threshold. */
	PERFDB_SCOPE_OPTS(NULL, "lookup", 200000, PERFDB_PROFILER_INHERIT);
	sink += churn(request % 50 == 0 ? 400000 : 8000);
}

static int format_reply(int request)
{
	sink += churn(3000);
	return request % 7 == 0 ? -1 : 0;
}

static int render(int request)
{
	int rc;
	/* Times one call; counts it failed when it returns < 0. */
	PERFDB_CALL_ERR(NULL, "render", rc = format_reply(request), rc < 0);
	return rc;
}

static void handle(int request)
{
	PERFDB_SCOPE(NULL, "handle");
	if (parse(request) != 0) {
		perfdb_profiler_fail(NULL); /* marks handle failed */
		return;
	}
	lookup(request);
	render(request);
}

static void on_slow(void *ctx, const perfdb_profiler_slow_call *call)
{
	unsigned *count = ctx;
	(*count)++;
	(void)call;
}

static void print_profile(const perfdb_profiler_snapshot *s)
{
	const perfdb_profiler_summary *sum = perfdb_profiler_snapshot_summary(s);
	const perfdb_profiler_metrics *top[5];
	const perfdb_profiler_node *nodes;
	size_t n, i;

	printf("%llu calls, %.3f ms profiled, %llu slow, %llu failed, %zu names, %zu thread(s)\n",
	       (unsigned long long)sum->calls, (double)sum->total_ns / 1e6,
	       (unsigned long long)sum->slow, (unsigned long long)sum->errors, sum->names,
	       sum->threads);
	printf("\n%-16s %8s %7s %12s %12s %12s %12s\n", "slowest by total", "calls", "errors",
	       "total ms", "self ms", "p50 us", "p99 us");
	n = perfdb_profiler_snapshot_top(top, 5, s, PERFDB_PROFILER_STAT_TOTAL);
	for (i = 0; i < n; i++)
		printf("%-16s %8llu %7llu %12.3f %12.3f %12.3f %12.3f\n", top[i]->name,
		       (unsigned long long)top[i]->calls, (unsigned long long)top[i]->errors,
		       (double)top[i]->total_ns / 1e6, (double)top[i]->self_ns / 1e6,
		       (double)top[i]->p50_ns / 1e3, (double)top[i]->p99_ns / 1e3);
	printf("\ncritical path (inclusive / self ms):\n");
	perfdb_profiler_snapshot_critical_path(s, &nodes, &n);
	for (i = 0; i < n; i++)
		printf("  %*s%s  %.3f / %.3f\n", (int)nodes[i].depth * 2, "", nodes[i].name,
		       (double)nodes[i].inclusive_ns / 1e6, (double)nodes[i].self_ns / 1e6);
}

static int record(const char *db, const char *commit, const char *branch)
{
	perfdb_resultset *rs = NULL;
	perfdb_store *store = NULL;
	int64_t run = 0;
	int rc;

	rc = perfdb_resultset_new(&rs);
	if (rc == 0 && commit)
		rc = perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, commit);
	if (rc == 0 && branch)
		rc = perfdb_resultset_set_meta(rs, PERFDB_META_BRANCH, branch);
	if (rc == 0)
		rc = perfdb_profiler_export(rs, NULL);
	if (rc == 0)
		rc = perfdb_resultset_fill_context(rs, NULL);
	if (rc == 0)
		rc = perfdb_store_open(&store, db, PERFDB_STORE_READWRITE);
	if (rc == 0)
		rc = perfdb_store_record(store, rs, &run);
	if (rc == 0)
		printf("\nrecorded %zu results as run %lld of commit %s into %s\n",
		       perfdb_resultset_count(rs), (long long)run,
		       perfdb_resultset_meta(rs, PERFDB_META_COMMIT), db);
	else
		fprintf(stderr, "example_profile_self: %s\n", perfdb_error_last()->message);
	perfdb_store_free(store);
	perfdb_resultset_free(rs);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: example_profile_self [--requests N] [--json] [--db PATH [--commit REV] "
		   "[--branch NAME]]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
						 {"commit", required_argument, NULL, 'c'},
						 {"branch", required_argument, NULL, 'b'},
						 {"requests", required_argument, NULL, 'n'},
						 {"json", no_argument, NULL, 'j'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	perfdb_profiler_options o = PERFDB_PROFILER_OPTIONS_INIT;
	const char *db = NULL, *commit = NULL, *branch = NULL;
	perfdb_profiler_snapshot *s = NULL;
	unsigned slow_calls = 0;
	long requests = 500;
	int json = 0, c, i;
	char *end;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'c': commit = optarg; break;
		case 'b': branch = optarg; break;
		case 'j': json = 1; break;
		case 'n':
			requests = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || requests < 1 ||
			    requests > 10000000) {
				fprintf(stderr, "example_profile_self: bad --requests '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* The global profiler, configured once at start-up: calls over 1 ms are slow. */
	o.slow_threshold_ns = 1000000;
	o.on_slow = on_slow;
	o.on_slow_ctx = &slow_calls;
	if (perfdb_profiler_global_init(&o) != 0) {
		fprintf(stderr, "example_profile_self: %s\n", perfdb_error_last()->message);
		return 3;
	}
	for (i = 0; i < requests; i++)
		handle(i);

	if (perfdb_profiler_snapshot_new(&s, NULL) != 0) {
		fprintf(stderr, "example_profile_self: %s\n", perfdb_error_last()->message);
		return 3;
	}
	if (json) {
		char *text = NULL;
		if (perfdb_profiler_snapshot_json(&text, s) != 0) {
			perfdb_profiler_snapshot_free(s);
			return 3;
		}
		printf("%s\n", text);
		free(text);
	} else {
		printf("profiled %ld requests with the %s clock; the slow-call callback fired %u "
		       "times\n",
		       requests, perfdb_profiler_clock_name(NULL), slow_calls);
		print_profile(s);
	}
	perfdb_profiler_snapshot_free(s);
	if (db && record(db, commit, branch) != 0)
		return 3;
	return 0;
}
