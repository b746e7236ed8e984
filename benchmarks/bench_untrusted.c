/*
 * untrusted: the inputs of issue 12 that were quadratic, timed end to end
 * through the library: `perfdb list benchmarks` over 2,000 benchmarks x 100
 * runs (12.7 s before the results(benchmark_id) index; target < 0.2 s),
 * 100,000 levels of YAML flow nesting (36 s), an 80,000-column CSV line
 * (11 s) and a Google Benchmark file of 40,000 NaN rows (2.7 s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static int count_rows(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	(void)ncols;
	(void)names;
	if (row)
		++*(size_t *)ctx;
	return 0;
}

static int list_benchmarks(const bench_ctx *ctx)
{
	const int nbench = ctx->quick ? 200 : 2000, nruns = ctx->quick ? 10 : 100;
	char path[512], name[64], commit[32];
	perfdb_store *store = NULL;
	size_t rows = 0;
	uint64_t t0;
	int run, b, err = 0;

	snprintf(path, sizeof(path), "%s/untrusted-list.db", ctx->workdir);
	unlink(path);
	if (perfdb_store_open(&store, path, PERFDB_STORE_READWRITE))
		return -1;
	for (run = 0; run < nruns && !err; run++) {
		perfdb_resultset *rs;
		if (perfdb_resultset_new(&rs))
			break;
		snprintf(commit, sizeof(commit), "c%04d", run);
		perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, commit);
		perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "bench");
		for (b = 0; b < nbench; b++) {
			perfdb_result r;
			perfdb_result_init(&r);
			snprintf(name, sizeof(name), "BM_Case/%d", b);
			r.benchmark = name;
			r.unit = "ns";
			r.value = 100.0 + b + run;
			perfdb_resultset_add(rs, &r);
		}
		err = perfdb_store_record(store, rs, NULL);
		perfdb_resultset_free(rs);
	}
	if (err) {
		perfdb_store_free(store);
		return -1;
	}
	t0 = bench_now_ns();
	err = perfdb_store_list(store, PERFDB_LIST_BENCHMARKS, count_rows, &rows);
	bench_report(ctx, "untrusted/list_benchmarks", "wall_time", "ms",
		     (double)(bench_now_ns() - t0) / 1e6);
	bench_note(ctx, "list benchmarks: %zu rows, %d benchmarks x %d runs (target < 200 ms)",
		   rows, nbench, nruns);
	perfdb_store_free(store);
	unlink(path);
	return err || rows != (size_t)nbench ? -1 : 0;
}

/* Times one buffer through perfdb_ingest_buffer; the result does not matter. */
static void ingest(const bench_ctx *ctx, const char *name, const char *text, size_t len,
		   perfdb_format fmt)
{
	perfdb_resultset *rs;
	uint64_t t0;
	if (perfdb_resultset_new(&rs))
		return;
	t0 = bench_now_ns();
	perfdb_ingest_buffer(rs, text, len, "bench", fmt);
	bench_report(ctx, name, "wall_time", "ms", (double)(bench_now_ns() - t0) / 1e6);
	perfdb_resultset_free(rs);
}

int bench_untrusted(const bench_ctx *ctx)
{
	const size_t levels = 100000, columns = 80000, rows = 40000;
	size_t cap = rows * 120 + columns * 8 + 2 * levels + 64, n, i;
	char *text = malloc(cap);
	int err;

	if (!text)
		return -1;
	err = list_benchmarks(ctx);

	n = (size_t)snprintf(text, cap, "results: ");
	memset(text + n, '[', levels);
	memset(text + n + levels, ']', levels);
	n += 2 * levels;
	ingest(ctx, "untrusted/yaml_100k_levels", text, n, PERFDB_FORMAT_NATIVE_YAML);

	for (n = 0, i = 0; i < columns; i++)
		n += (size_t)snprintf(text + n, cap - n, "x-%zu,", i % 10);
	n += (size_t)snprintf(text + n, cap - n, "benchmark,value\n");
	memset(text + n, ',', columns);
	n += columns;
	n += (size_t)snprintf(text + n, cap - n, "a,1\n");
	ingest(ctx, "untrusted/csv_80k_columns", text, n, PERFDB_FORMAT_CSV);

	n = (size_t)snprintf(text, cap, "{\"benchmarks\": [");
	for (i = 0; i < rows; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "%s{\"name\": \"BM_%zu\", \"run_type\": \"iteration\", "
				      "\"iterations\": 1, \"real_time\": NaN, \"cpu_time\": 1, "
				      "\"time_unit\": \"ns\"}",
				      i ? "," : "", i);
	n += (size_t)snprintf(text + n, cap - n, "]}");
	ingest(ctx, "untrusted/gbench_40k_nan_rows", text, n, PERFDB_FORMAT_GBENCH);
	free(text);
	return err;
}
