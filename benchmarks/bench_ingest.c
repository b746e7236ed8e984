/*
 * ingest: generate a Google Benchmark JSON file of N results (N/2 benchmarks
 * x real_time and cpu_time), parse it and record it into a fresh database,
 * end to end; then do the same rows with sqlite3's own CSV .import into a
 * plain table, side by side, and compare speed and file size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int write_inputs(const char *json_path, const char *csv_path, int nbench)
{
	FILE *j = fopen(json_path, "w"), *c = fopen(csv_path, "w");
	int i;
	if (!j || !c) {
		if (j)
			fclose(j);
		if (c)
			fclose(c);
		return -1;
	}
	fprintf(j, "{\n  \"context\": {\"date\": \"2026-11-25T09:00:00+00:00\", \"host_name\": "
		   "\"bench\", \"executable\": \"./gen\", \"num_cpus\": 2, \"mhz_per_cpu\": 2000, "
		   "\"cpu_scaling_enabled\": false, \"caches\": [], \"load_avg\": [0.1], "
		   "\"library_build_type\": \"release\"},\n  \"benchmarks\": [\n");
	fprintf(c, "benchmark,metric,unit,value\n");
	for (i = 0; i < nbench; i++) {
		double real = 1000.0 + (i % 977) * 1.25, cpu = real * 0.98;
		fprintf(
		    j,
		    "    {\n      \"name\": \"BM_Case/%d\",\n      \"family_index\": %d,\n"
		    "      \"per_family_instance_index\": 0,\n      \"run_name\": \"BM_Case/%d\",\n"
		    "      \"run_type\": \"iteration\",\n      \"repetitions\": 1,\n"
		    "      \"repetition_index\": 0,\n      \"threads\": 1,\n"
		    "      \"iterations\": 100000,\n      \"real_time\": %.6f,\n"
		    "      \"cpu_time\": %.6f,\n      \"time_unit\": \"ns\"\n    }%s\n",
		    i, i, i, real, cpu, i + 1 < nbench ? "," : "");
		fprintf(c, "BM_Case/%d,real_time,ns,%.6f\nBM_Case/%d,cpu_time,ns,%.6f\n", i, real,
			i, cpu);
	}
	fprintf(j, "  ]\n}\n");
	fclose(j);
	fclose(c);
	return 0;
}

int bench_ingest(const bench_ctx *ctx)
{
	const int nbench = ctx->quick ? 5000 : 50000, nresults = nbench * 2;
	char json_path[512], csv_path[512], db_path[512], plain_path[512];
	perfdb_resultset *rs = NULL;
	perfdb_store *store = NULL;
	uint64_t t0, t1, t2, t3;
	long long db_size, plain_size;
	double second_s;
	int rc;

	snprintf(json_path, sizeof(json_path), "%s/gbench.json", ctx->workdir);
	snprintf(csv_path, sizeof(csv_path), "%s/rows.csv", ctx->workdir);
	snprintf(db_path, sizeof(db_path), "%s/ingest.db", ctx->workdir);
	snprintf(plain_path, sizeof(plain_path), "%s/plain.db", ctx->workdir);
	if (write_inputs(json_path, csv_path, nbench) != 0)
		return 1;

	t0 = bench_now_ns();
	if (perfdb_resultset_new(&rs) != 0 ||
	    perfdb_ingest_file(rs, json_path, PERFDB_FORMAT_AUTO) ||
	    perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "0123456789abcdef") ||
	    perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "bench")) {
		fprintf(stderr, "perfdb-bench: %s\n", perfdb_error_last()->message);
		perfdb_resultset_free(rs);
		return 1;
	}
	t1 = bench_now_ns();
	if (perfdb_store_open(&store, db_path, PERFDB_STORE_READWRITE) ||
	    perfdb_store_record(store, rs, NULL)) {
		fprintf(stderr, "perfdb-bench: %s\n", perfdb_error_last()->message);
		perfdb_store_close(store);
		perfdb_resultset_free(rs);
		return 1;
	}
	perfdb_store_close(store); /* checkpoints the WAL into the file */
	t2 = bench_now_ns();
	db_size = file_size(db_path); /* the rows of one run, as in the plain table */
	if (perfdb_resultset_count(rs) != (size_t)nresults)
		fprintf(stderr, "perfdb-bench: expected %d results, parsed %zu\n", nresults,
			perfdb_resultset_count(rs));

	/* The steady state of CI: the same benchmarks again, for the next
	 * commit, into the database that already knows them. */
	{
		uint64_t r0, r1;
		perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "fedcba9876543210");
		r0 = bench_now_ns();
		if (perfdb_store_open(&store, db_path, PERFDB_STORE_READWRITE) ||
		    perfdb_store_record(store, rs, NULL)) {
			fprintf(stderr, "perfdb-bench: %s\n", perfdb_error_last()->message);
			perfdb_store_close(store);
			perfdb_resultset_free(rs);
			return 1;
		}
		perfdb_store_close(store);
		r1 = bench_now_ns();
		second_s = (double)(r1 - r0) / 1e9;
	}
	perfdb_resultset_free(rs);

	/* sqlite3's own CSV import into a plain table: the reference. */
	t3 = bench_now_ns();
	rc =
	    bench_system("sqlite3 '%s' 'CREATE TABLE plain(benchmark TEXT, metric TEXT, unit TEXT, "
			 "value REAL)' '.mode csv' '.import --skip 1 %s plain' >/dev/null",
			 plain_path, csv_path);
	{
		uint64_t t4 = bench_now_ns();
		double parse_s = (double)(t1 - t0) / 1e9, store_s = (double)(t2 - t1) / 1e9;
		double total_s = (double)(t2 - t0) / 1e9;
		bench_report(ctx, "ingest/results", "count", "", nresults);
		bench_report(ctx, "ingest/parse", "wall_time", "ms", parse_s * 1e3);
		bench_report(ctx, "ingest/store", "wall_time", "ms", store_s * 1e3);
		bench_report(ctx, "ingest/end_to_end", "throughput", "results/s",
			     nresults / total_s);
		bench_report(ctx, "ingest/store_second_commit", "wall_time", "ms", second_s * 1e3);
		bench_report(ctx, "ingest/store_second_commit", "throughput", "results/s",
			     nresults / second_s);
		bench_report(ctx, "ingest/db_size", "size", "B", (double)db_size);
		if (rc == 0) {
			double import_s = (double)(t4 - t3) / 1e9;
			plain_size = file_size(plain_path);
			bench_report(ctx, "ingest/sqlite3_import", "throughput", "results/s",
				     nresults / import_s);
			bench_report(ctx, "ingest/plain_table_size", "size", "B",
				     (double)plain_size);
			bench_report(ctx, "ingest/size_ratio", "ratio", "x",
				     (double)db_size / (double)plain_size);
			bench_note(
			    ctx,
			    "perfdb end to end %.0f results/s vs sqlite3 .import %.0f rows/s "
			    "(%.2fx); database %.2fx the plain table",
			    nresults / total_s, nresults / import_s,
			    (nresults / total_s) / (nresults / import_s),
			    (double)db_size / (double)plain_size);
		} else {
			bench_note(ctx, "sqlite3 not available: no .import comparison");
		}
	}
	return 0;
}
