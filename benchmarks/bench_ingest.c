/*
 * ingest: generate a Google Benchmark JSON file of N results (N/2 benchmarks
 * x real_time and cpu_time), parse it and record it into a fresh database,
 * end to end; then do the same rows with sqlite3's own CSV .import into a
 * plain table, side by side, and compare speed and file size.
 *
 * Then the parse speed of each harness format, in MB/s of input: a large
 * file of each (16 MB, 1 MB with --quick) is generated in the shape its tool
 * writes and read from memory with perfdb_ingest_buffer, format detection
 * included, nothing stored, gbench first as the reference: each format's
 * MB/s is also given as a ratio to gbench's in the same run, and the note
 * flags a ratio below 1/3. Each parse runs in a forked child and is timed
 * by its CPU time, the best of three rounds over every format (see
 * bench_formats). A generated file that does not parse into its expected
 * number of results fails the case instead of reporting a speed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* --- per-format parse speed ------------------------------------------------- */

/* The calling thread's CPU time (user and system) in nanoseconds. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parses buf (detecting its format) in a forked child, which checks that
 * it gives `want` results: t[0] its wall time, t[1] its CPU time, in ns.
 * 0, or -1 after printing why. */
static int parse_in_child(const bench_gen_buf *buf, const char *name, long want, uint64_t t[2])
{
	int fd[2], status;
	pid_t pid;
	ssize_t got;

	if (pipe(fd) != 0) {
		perror("perfdb-bench: pipe");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("perfdb-bench: fork");
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		perfdb_resultset *rs = NULL;
		uint64_t r[2], t0, c0;
		int err;
		close(fd[0]);
		if (perfdb_resultset_new(&rs))
			_exit(1);
		t0 = bench_now_ns();
		c0 = thread_cpu_ns();
		err = perfdb_ingest_buffer(rs, buf->p, buf->len, name, PERFDB_FORMAT_AUTO);
		r[1] = thread_cpu_ns() - c0;
		r[0] = bench_now_ns() - t0;
		if (err) {
			fprintf(stderr, "perfdb-bench: %s\n", perfdb_error_last()->message);
			_exit(1);
		}
		if ((long)perfdb_resultset_count(rs) != want) {
			fprintf(stderr,
				"perfdb-bench: generated %s should give %ld results, the reader "
				"gave %zu\n",
				name, want, perfdb_resultset_count(rs));
			_exit(1);
		}
		_exit(write(fd[1], r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(fd[1]);
	got = read(fd[0], t, 2 * sizeof(*t));
	close(fd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    got != (ssize_t)(2 * sizeof(*t))) {
		fprintf(stderr, "perfdb-bench: parsing generated %s failed\n", name);
		return -1;
	}
	return 0;
}

static int bench_formats(const bench_ctx *ctx)
{
	/* per: results each record adds; extra: results the header and footer
	 * add. A reader that parses fewer or more fails the benchmark. */
	const bench_format_gen *formats = bench_format_gens;
	enum { NFORMATS = BENCH_FORMAT_GENS, ROUNDS = 3 };
	bench_gen_buf bufs[NFORMATS];
	long records[NFORMATS];
	uint64_t best[NFORMATS], best_wall[NFORMATS];
	const size_t target = ctx->quick ? (1u << 20) : (16u << 20);
	double gbench_mbps = 0;
	size_t f, round;
	int rc = 1;

	memset(bufs, 0, sizeof(bufs));
	for (f = 0; f < NFORMATS; f++) {
		bench_gen_buf *b = &bufs[f];
		long i;
		best[f] = best_wall[f] = UINT64_MAX;
		if (formats[f].gen(b, -1))
			goto oom;
		for (i = 0; b->len < target; i++)
			if (formats[f].gen(b, i))
				goto oom;
		if (formats[f].gen(b, -2))
			goto oom;
		records[f] = i;
		if (perfdb_ingest_detect(b->p, b->len) != formats[f].fmt) {
			fprintf(stderr, "perfdb-bench: generated %s is detected as %s\n",
				formats[f].name,
				perfdb_format_name(perfdb_ingest_detect(b->p, b->len)));
			goto out;
		}
		continue;
	oom:
		fprintf(stderr, "perfdb-bench: out of memory generating %s\n", formats[f].name);
		goto out;
	}
	/* Rounds over every format in turn, the best time of each, and the
	 * speeds from the parsing thread's CPU time: on a shared machine a
	 * reader that waits for a core is not slower, and a burst of other work
	 * slows one round of a format, not the format against gbench. On a
	 * quiet machine CPU and wall time agree (the note gives both). Each
	 * parse runs in a child of its own, from the fresh heap `perfdb record`
	 * starts with: in one process a reader would find the memory the
	 * previous one freed and skip the page faults a real run takes. */
	for (round = 0; round < ROUNDS; round++)
		for (f = 0; f < NFORMATS; f++) {
			uint64_t t[2];
			if (parse_in_child(&bufs[f], formats[f].name,
					   records[f] * formats[f].per + formats[f].extra, t))
				goto out;
			if (t[1] < best[f])
				best[f] = t[1];
			if (t[0] < best_wall[f])
				best_wall[f] = t[0];
		}
	for (f = 0; f < NFORMATS; f++) {
		char name[96];
		long nresults = records[f] * formats[f].per + formats[f].extra;
		double mbps = (double)bufs[f].len / 1e6 / ((double)best[f] / 1e9);
		if (f == 0)
			gbench_mbps = mbps;
		snprintf(name, sizeof(name), "ingest/parse/%s", formats[f].name);
		bench_report_higher(ctx, name, "throughput", "MB/s", mbps);
		snprintf(name, sizeof(name), "ingest/parse_vs_gbench/%s", formats[f].name);
		bench_report_higher(ctx, name, "ratio", "x", mbps / gbench_mbps);
		bench_note(
		    ctx,
		    "%s: %.1f MB, %ld results in %.1f ms of CPU (%.1f ms wall; best of %d "
		    "rounds): %.1f MB/s, %.2fx gbench%s",
		    formats[f].name, (double)bufs[f].len / 1e6, nresults, (double)best[f] / 1e6,
		    (double)best_wall[f] / 1e6, ROUNDS, mbps, mbps / gbench_mbps,
		    mbps * 3 < gbench_mbps ? " (MORE THAN 3x SLOWER PER BYTE THAN GBENCH)" : "");
	}
	rc = 0;
out:
	for (f = 0; f < NFORMATS; f++)
		free(bufs[f].p);
	return rc;
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
		perfdb_store_free(store);
		perfdb_resultset_free(rs);
		return 1;
	}
	perfdb_store_free(store); /* checkpoints the WAL into the file */
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
			perfdb_store_free(store);
			perfdb_resultset_free(rs);
			return 1;
		}
		perfdb_store_free(store);
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
	return bench_formats(ctx);
}
