/*
 * perfdb-bench - perfdb's own benchmarks. `perfdb-bench CASE` prints a table;
 * `perfdb-bench --json CASE` prints perfdb native JSON so perfdb can record
 * its own figures. Targets are in the issues; nothing here asserts a time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "bench.h"

typedef struct bench_case {
	const char *name;
	int (*fn)(const bench_ctx *ctx);
	const char *summary;
} bench_case;

static const bench_case cases[] = {
    {"ingest", bench_ingest, "parse + store 100,000 Google Benchmark results; vs sqlite3 .import"},
    {"regress", bench_regress, "perfdb regress over 1,000 commits x 1,000 series"},
    {"changepoint", bench_changepoint, "change-point detection over one 10,000-point series"},
    {"median", bench_median, "median and MAD of 10M samples in place vs copy and select"},
    {"detect", bench_detect,
     "change points scored: TCPD (TCPDBench's metrics), CI-shaped families, random walks"},
    {"profiler", bench_profiler, "profiler scope cost vs bare timer reads, 1 and 2 threads"},
    {"memtrack", bench_memtrack, "allocation tracker slowdown vs none and vs heaptrack"},
    {"loadtest", bench_loadtest,
     "load tester dispatch capacity, open-model rate, perfdb run vs hyperfine"},
    {"symbolize", bench_symbolize, "naming sites: ELF symbols and DWARF lines vs addr2line"},
    {"report", bench_html_report,
     "perfdb report of 1,000 series x 100 commits: write time, size, Chromium load time"},
    {"merge", bench_merge, "perfdb merge of a 100,000-result shard, and again (idempotent)"},
    {"http", bench_http, "perfdb load --url vs wrk on nginx; latency at a fixed rate; a 1 s stall"},
    {"store-postgres", bench_store_postgres,
     "the store on a PostgreSQL server beside an SQLite file: record, regress over 1M, merge"},
    {"scale", bench_scale,
     "regress on the newest commit of 30 commits x 10,000 series (env: 100k)"},
    {"untrusted", bench_untrusted,
     "issue 12's hostile inputs: list benchmarks 2,000 x 100, deep YAML, wide CSV, NaN rows"},
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void report(const bench_ctx *ctx, const char *name, const char *metric, const char *unit,
		   perfdb_direction dir, double value)
{
	perfdb_result r;
	if (!ctx->json)
		printf("  %-40s %-22s %16.3f %s\n", name, metric, value, unit ? unit : "");
	perfdb_result_init(&r);
	r.benchmark = name;
	r.metric = metric;
	r.unit = unit;
	r.direction = dir;
	r.value = value;
	if (perfdb_resultset_add(ctx->out, &r) != 0)
		fprintf(stderr, "perfdb-bench: %s\n", perfdb_error_last()->message);
}

void bench_report(const bench_ctx *ctx, const char *name, const char *metric, const char *unit,
		  double value)
{
	report(ctx, name, metric, unit, PERFDB_DIRECTION_UNSET, value);
}

void bench_report_higher(const bench_ctx *ctx, const char *name, const char *metric,
			 const char *unit, double value)
{
	report(ctx, name, metric, unit, PERFDB_HIGHER_IS_BETTER, value);
}

void bench_note(const bench_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	FILE *f = ctx->json ? stderr : stdout;
	va_start(ap, fmt);
	fputs("  note: ", f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	va_end(ap);
}

int bench_system(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* perfdb native JSON, written with jansson (perfdb's one JSON writer). */
static void print_json(const perfdb_resultset *rs)
{
	size_t i, n = perfdb_resultset_count(rs);
	json_t *root = json_object(), *results = json_array();
	char *text;
	for (i = 0; i < n; i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		json_t *o = json_object();
		json_object_set_new(o, "benchmark", json_string(r->benchmark));
		json_object_set_new(o, "metric", json_string(r->metric));
		json_object_set_new(o, "unit", json_string(r->unit));
		json_object_set_new(o, "direction",
				    json_string(perfdb_direction_name(r->direction)));
		json_object_set_new(o, "value", json_real(r->value));
		json_array_append_new(results, o);
	}
	json_object_set_new(root, "results", results);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (text) {
		puts(text);
		free(text);
	}
}

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "usage: perfdb-bench [--json] [--quick] [--keep] CASE...\n\n  --keep  leave the "
		   "scratch directory (its databases) in /tmp and name it\n\ncases:\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		fprintf(f, "  %-12s %s\n", cases[i].name, cases[i].summary);
}

int main(int argc, char **argv)
{
	bench_ctx ctx = {0};
	char workdir[] = "/tmp/perfdb-bench.XXXXXX";
	int i, rc = 0, ran = 0;
	bool keep = false;

	ctx.self = argv[0];
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			ctx.json = true;
		else if (strcmp(argv[i], "--quick") == 0)
			ctx.quick = true;
		else if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "perfdb-bench: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	if (!mkdtemp(workdir)) {
		fprintf(stderr, "perfdb-bench: cannot create a scratch directory: %s\n",
			strerror(errno));
		return 3;
	}
	ctx.workdir = workdir;
	if (perfdb_resultset_new(&ctx.out) != 0)
		return 3;
	for (; i < argc; i++) {
		const bench_case *c = NULL;
		size_t k;
		for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			if (strcmp(cases[k].name, argv[i]) == 0)
				c = &cases[k];
		if (!c) {
			fprintf(stderr, "perfdb-bench: unknown case '%s'\n", argv[i]);
			rc = 2;
			continue;
		}
		if (!ctx.json)
			printf("%s\n", c->name);
		if (c->fn(&ctx) != 0) {
			fprintf(stderr, "perfdb-bench: case '%s' failed\n", c->name);
			rc = 1;
		}
		ran++;
	}
	if (ctx.json && ran)
		print_json(ctx.out);
	perfdb_resultset_free(ctx.out);
	if (keep)
		fprintf(stderr, "perfdb-bench: kept %s\n", workdir);
	else
		bench_system("rm -rf '%s'", workdir);
	return rc;
}
