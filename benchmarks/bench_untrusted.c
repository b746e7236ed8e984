/*
 * untrusted: the inputs of issue 12 that were quadratic, timed end to end
 * through the library: `perfdb list benchmarks` over 2,000 benchmarks x 100
 * runs (12.7 s before the results(benchmark_id) index; target < 0.2 s),
 * 100,000 levels of YAML flow nesting (36 s), an 80,000-column CSV line
 * (11 s) and a Google Benchmark file of 40,000 NaN rows (2.7 s).
 *
 * Then the memory of `perfdb record` on a big input (issue 12: "a 1 GB
 * gbench file peaks at 8.4 GB resident; goal: peak RSS <= 2x the input"):
 * a generated Google Benchmark file and a perfdb native JSON file of 100 MB
 * (10 MB with --quick; PERFDB_BENCH_BIG_MB sets another size), and a native
 * file of 1M tiny results (about 43 MB; 100k with --quick;
 * PERFDB_BENCH_TINY_RESULTS=10000000 for the 408 MB file of issue 12's
 * table) are recorded by the perfdb binary in a child, and its peak resident
 * set (wait4's ru_maxrss) is reported beside the file's size, as a ratio, with
 * the wall and CPU time; $PERFDB_BENCH_BASELINE (another perfdb binary, e.g.
 * main's) records each file too, side by side.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* The big inputs: Google Benchmark rows (3 repetitions of each benchmark, a
 * user counter) or perfdb native results (5 samples), about `size` MB; or
 * `size` tiny native results ({"benchmark": "bN", "value": N}, 10M of them
 * the 408 MB file of issue 12's table). */
enum { BIG_GBENCH, BIG_NATIVE, BIG_TINY, BIG_KINDS };

static int write_big(const char *path, int kind, size_t size)
{
	FILE *f = fopen(path, "w");
	size_t n = 0, i;
	int k;
	if (!f)
		return -1;
	n += (size_t)fprintf(f, kind == BIG_GBENCH
				    ? "{\"context\": {\"date\": \"2026-12-05T23:42:47+00:00\", "
				      "\"num_cpus\": 2}, \"benchmarks\": [\n"
				    : "{\"results\": [\n");
	for (i = 0; kind == BIG_TINY ? i < size : n < size * 1000000; i++)
		for (k = 0; k < (kind == BIG_GBENCH ? 3 : 1); k++)
			n +=
			    (size_t)(kind == BIG_GBENCH
					 ? fprintf(f,
						   "%s{\"name\": \"BM_Sort/%zu\", \"run_name\": "
						   "\"BM_Sort/%zu\", \"run_type\": \"iteration\", "
						   "\"repetitions\": 3, \"repetition_index\": %d, "
						   "\"threads\": 1, \"iterations\": 1000, "
						   "\"real_time\": "
						   "%zu.25, \"cpu_time\": %zu.5, \"time_unit\": "
						   "\"ns\", "
						   "\"items_per_second\": 1.5e6}",
						   i + (size_t)k ? ",\n" : "", i, i, k,
						   1000 + i % 97 + k, 990 + i % 89)
				     : kind == BIG_NATIVE
					 ? fprintf(f,
						   "%s{\"benchmark\": \"parse/%zu\", \"metric\": "
						   "\"wall_time\", \"unit\": \"ns\", \"samples\": "
						   "[%zu, "
						   "%zu.5, %zu, %zu.25, %zu]}",
						   i + (size_t)k ? ",\n" : "", i, 1000 + i % 97,
						   1001 + i % 89, 999 + i % 83, 1002 + i % 79,
						   1000 + i % 73)
					 : fprintf(f, "%s{\"benchmark\": \"b%zu\", \"value\": %zu}",
						   i ? ",\n" : "", i, i));
	fprintf(f, "\n]}\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* How a child ran: wall and CPU (user + system) time in seconds. On a
 * loaded machine the CPU time is the figure to compare. */
typedef struct run_times {
	double wall, cpu;
} run_times;

/* Standard input from a pipe that a grandchild fills with the file at path
 * (perfdb does not wait for it, so its memory is not in wait4's figures):
 * what `cat path | perfdb record -` does. In the child, before exec. */
static int stdin_piped_from(const char *path)
{
	int fds[2];
	pid_t pid;
	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		char buf[65536];
		ssize_t n;
		int in = open(path, O_RDONLY);
		close(fds[0]);
		while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(fds[1], buf, (size_t)n) != n)
				break;
		_exit(0);
	}
	close(fds[1]);
	return dup2(fds[0], 0) < 0 ? -1 : 0;
}

/* `perfdb record` of path (given as its name, or on a pipe as standard
 * input when from_stdin) into a fresh database in a child that must exit
 * with status want: its peak RSS in bytes, or -1; its times into *t (may be
 * NULL). */
static double run_peak(const char *perfdb, const char *path, const char *db, bool from_stdin,
		       int want, run_times *t)
{
	struct rusage ru;
	uint64_t t0 = bench_now_ns();
	int status;
	pid_t pid;
	unlink(db);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (from_stdin && stdin_piped_from(path) != 0)
			_exit(127);
		execl(perfdb, perfdb, "record", "--db", db, "--commit", "c0ffee", "--machine", "m",
		      from_stdin ? "-" : path, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != want)
		return -1;
	if (t) {
		t->wall = (double)(bench_now_ns() - t0) / 1e9;
		t->cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	}
	unlink(db);
	return (double)ru.ru_maxrss * 1024.0;
}

/* `perfdb record` of path by perfdb and, when baseline is set, by it (each
 * into a fresh db, expecting exit status want), then path removed: perfdb's
 * peak RSS (-1: it failed) and the baseline's in *other (-1: none, or it
 * failed), with their times. */
static double record_beside(const char *perfdb, const char *baseline, const char *path,
			    const char *db, int want, run_times *t, double *other, run_times *bt)
{
	double peak = run_peak(perfdb, path, db, false, want, t);
	*other = -1;
	if (peak >= 0 && baseline)
		*other = run_peak(baseline, path, db, false, want, bt);
	unlink(path);
	return peak;
}

/* The size of the big inputs in MB. */
static size_t big_mb(const bench_ctx *ctx)
{
	const char *env = getenv("PERFDB_BENCH_BIG_MB");
	unsigned long want = env ? strtoul(env, NULL, 10) : 0;
	return want > 0 ? (size_t)want : ctx->quick ? 10 : 100;
}

/* The perfdb binary beside perfdb-bench into perfdb; false (after a note)
 * when there is none. */
static bool perfdb_binary(const bench_ctx *ctx, char *perfdb, size_t cap)
{
	char self[4096];
	snprintf(self, sizeof(self), "%s", ctx->self);
	snprintf(perfdb, cap, "%s/perfdb", dirname(self));
	if (access(perfdb, X_OK) == 0)
		return true;
	bench_note(ctx, "big inputs skipped: no perfdb binary at %s (build perfdb_cli)", perfdb);
	return false;
}

/* A size from the environment variable name, or dflt. */
static size_t env_size(const char *name, size_t dflt)
{
	const char *env = getenv(name);
	unsigned long want = env ? strtoul(env, NULL, 10) : 0;
	return want > 0 ? (size_t)want : dflt;
}

static int big_inputs(const bench_ctx *ctx)
{
	static const char *const kinds[] = {"gbench", "native", "tiny"};
	static const char *const what[] = {"Google Benchmark", "perfdb native JSON",
					   "perfdb native JSON, tiny results,"};
	const char *baseline = getenv("PERFDB_BENCH_BASELINE");
	size_t mb = big_mb(ctx);
	size_t tiny = env_size("PERFDB_BENCH_TINY_RESULTS", ctx->quick ? 100000 : 1000000);
	char perfdb[4200], path[4200], db[4200], name[128];
	int k;

	if (!perfdb_binary(ctx, perfdb, sizeof(perfdb)))
		return 0;
	snprintf(db, sizeof(db), "%s/big.db", ctx->workdir);
	for (k = 0; k < BIG_KINDS; k++) {
		size_t size = k == BIG_TINY ? tiny : mb;
		run_times t, bt = {0, 0};
		struct stat st;
		double peak, other = 0, piped = 0;
		snprintf(path, sizeof(path), "%s/big.json", ctx->workdir);
		if (write_big(path, k, size) != 0 || stat(path, &st) != 0) {
			unlink(path);
			return -1;
		}
		peak = run_peak(perfdb, path, db, false, 0, &t);
		/* the same bytes on a pipe (spooled to a temporary file) */
		if (peak >= 0 && k != BIG_TINY &&
		    (piped = run_peak(perfdb, path, db, true, 0, NULL)) < 0)
			peak = -1;
		if (peak >= 0 && baseline)
			other = run_peak(baseline, path, db, false, 0, &bt);
		unlink(path);
		if (peak < 0 || other < 0)
			return -1;
		snprintf(name, sizeof(name), "untrusted/record_%s_%zu%s", kinds[k], size,
			 k == BIG_TINY ? "" : "MB");
		bench_report(ctx, name, "peak_rss", "MB", peak / 1e6);
		bench_report(ctx, name, "peak_rss_per_input_byte", "", peak / (double)st.st_size);
		bench_report(ctx, name, "wall", "s", t.wall);
		bench_report(ctx, name, "cpu", "s", t.cpu);
		bench_note(ctx,
			   "record of a %.0f MB %s file: peak RSS %.0f MB, %.2fx the input "
			   "(target <= 2x), %.1f s (CPU %.1f s)",
			   (double)st.st_size / 1e6, what[k], peak / 1e6, peak / (double)st.st_size,
			   t.wall, t.cpu);
		if (k != BIG_TINY) {
			bench_report(ctx, name, "peak_rss_stdin_per_input_byte", "",
				     piped / (double)st.st_size);
			bench_note(ctx, "  the same bytes piped to standard input: %.0f MB, %.2fx",
				   piped / 1e6, piped / (double)st.st_size);
		}
		if (!baseline)
			continue;
		bench_report(ctx, name, "peak_rss_baseline_per_input_byte", "",
			     other / (double)st.st_size);
		bench_report(ctx, name, "cpu_baseline", "s", bt.cpu);
		bench_report(ctx, name, "peak_rss_vs_baseline", "", peak / other);
		bench_report(ctx, name, "cpu_vs_baseline", "", t.cpu / bt.cpu);
		bench_note(
		    ctx,
		    "  the same file with %s: peak RSS %.0f MB, %.2fx the input, %.1f s (CPU "
		    "%.1f s); this one's peak %.2fx, CPU %.2fx",
		    baseline, other / 1e6, other / (double)st.st_size, bt.wall, bt.cpu,
		    peak / other, t.cpu / bt.cpu);
	}
	return 0;
}

/*
 * A big Google Benchmark file with a syntax error in its last item (issue
 * 12: a file read an item at a time goes back to the whole-file reader on any
 * syntax error, which built the whole file's tree only to name the error:
 * about 7x the file). perfdb record of the file by name, where the error is
 * now found without a tree, beside the same bytes on a pipe as standard
 * input (read whole before standard input was spooled), and beside
 * $PERFDB_BENCH_BASELINE (another perfdb binary, e.g. main's) when set.
 */
static int malformed_big_input(const bench_ctx *ctx)
{
	static const char broken_tail[] = ", \"x\": }\n]}\n";
	const char *baseline = getenv("PERFDB_BENCH_BASELINE");
	size_t mb = big_mb(ctx);
	char perfdb[4200], path[4200], db[4200], name[128];
	double named, piped, other = -1, no_array = -1, no_array_other = -1;
	struct stat st;
	FILE *f;
	int ok, fd;

	if (!perfdb_binary(ctx, perfdb, sizeof(perfdb)))
		return 0;
	snprintf(path, sizeof(path), "%s/big-malformed.json", ctx->workdir);
	snprintf(db, sizeof(db), "%s/big-malformed.db", ctx->workdir);
	/* write_big ends in "}\n]}\n": the last item's '}' becomes a member
	 * with no value */
	ok = write_big(path, BIG_GBENCH, mb) == 0 && stat(path, &st) == 0 &&
	     truncate(path, st.st_size - 5) == 0 && (f = fopen(path, "a")) &&
	     fputs(broken_tail, f) >= 0 && fclose(f) == 0 && stat(path, &st) == 0;
	named = ok ? run_peak(perfdb, path, db, false, 2, NULL) : -1;
	piped = ok ? run_peak(perfdb, path, db, true, 2, NULL) : -1;
	if (ok && baseline)
		other = run_peak(baseline, path, db, false, 2, NULL);
	/* The same file with the syntax mended and its key misspelled
	 * ("benchmarkz"): good syntax, no array (the reader's error, which
	 * took the file's tree). */
	ok = ok && truncate(path, st.st_size - (off_t)strlen(broken_tail)) == 0 &&
	     (f = fopen(path, "a")) && fputs("}\n]}\n", f) >= 0 && fclose(f) == 0 &&
	     (fd = open(path, O_RDWR)) >= 0;
	if (ok) {
		char head[256];
		ssize_t n = pread(fd, head, sizeof(head), 0);
		const char *key = n > 0 ? memmem(head, (size_t)n, "benchmarks\"", 11) : NULL;
		ok = key && pwrite(fd, "z", 1, (off_t)(key - head) + 9) == 1;
		close(fd);
	}
	no_array = ok ? run_peak(perfdb, path, db, false, 2, NULL) : -1;
	if (ok && baseline)
		no_array_other = run_peak(baseline, path, db, false, 2, NULL);
	unlink(path);
	if (named < 0 || piped < 0 || no_array < 0 ||
	    (baseline && (other < 0 || no_array_other < 0)))
		return -1;
	snprintf(name, sizeof(name), "untrusted/record_gbench_malformed_%zuMB", mb);
	bench_report(ctx, name, "peak_rss", "MB", named / 1e6);
	bench_report(ctx, name, "peak_rss_per_input_byte", "", named / (double)st.st_size);
	bench_report(ctx, name, "peak_rss_stdin_per_input_byte", "", piped / (double)st.st_size);
	bench_note(ctx,
		   "record of a %.0f MB Google Benchmark file with a syntax error in its last "
		   "item (exit 2): peak RSS %.0f MB, %.2fx the input (target <= 2x); the same "
		   "bytes piped to standard input: %.0f MB, %.2fx",
		   (double)st.st_size / 1e6, named / 1e6, named / (double)st.st_size, piped / 1e6,
		   piped / (double)st.st_size);
	if (baseline) {
		bench_report(ctx, name, "peak_rss_baseline_per_input_byte", "",
			     other / (double)st.st_size);
		bench_note(ctx, "  the same file by name with %s: %.0f MB, %.2fx (%.2fx this one)",
			   baseline, other / 1e6, other / (double)st.st_size, other / named);
	}
	bench_report(ctx, name, "peak_rss_no_array_per_input_byte", "",
		     no_array / (double)st.st_size);
	bench_note(ctx,
		   "  the file mended with its key misspelled ('benchmarkz': no array, the "
		   "reader's error, exit 2): %.0f MB, %.2fx",
		   no_array / 1e6, no_array / (double)st.st_size);
	if (baseline)
		bench_note(ctx, "  the same with %s: %.0f MB, %.2fx", baseline,
			   no_array_other / 1e6, no_array_other / (double)st.st_size);
	return 0;
}

/* The formats read whole that `ingest` has no generator for, and the load
 * tools' files that grow with the run (ab -g and hey -o csv: a row per
 * request; Locust's history: a row per request name every few seconds). */
static int gen_hyperfine(bench_gen_buf *b, long i)
{
	long k;
	if (i == -1)
		return bench_gen_put(b, "{\n  \"results\": [\n");
	if (i == -2)
		return bench_gen_put(b, "    {\"command\": \"end\", \"mean\": 0.1, \"stddev\": "
					"null, \"median\": 0.1, \"min\": 0.1, \"max\": 0.1, "
					"\"times\": [0.1]}\n  ]\n}\n");
	if (bench_gen_put(b,
			  "    {\n      \"command\": \"sleep 0.%ld\",\n      \"mean\": "
			  "0.0117643156,\n      \"stddev\": 0.0000803725,\n      \"median\": "
			  "0.011754147,\n      \"user\": 0.0005668,\n      \"system\": 0.0001508,\n"
			  "      \"min\": 0.011680,\n      \"max\": 0.011891,\n      \"times\": [",
			  i))
		return -1;
	for (k = 0; k < 10; k++)
		if (bench_gen_put(b, "%s\n        0.0117%02ld%03ld", k ? "," : "", k, i % 1000))
			return -1;
	if (bench_gen_put(b, "\n      ],\n      \"exit_codes\": ["))
		return -1;
	for (k = 0; k < 10; k++)
		if (bench_gen_put(b, "%s\n        0", k ? "," : ""))
			return -1;
	return bench_gen_put(b, "\n      ]\n    },\n");
}

static int gen_yaml(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "results:\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b,
			     "  - benchmark: parse/%ld\n    metric: wall_time\n    unit: ns\n"
			     "    samples: [%ld, %ld.5, %ld, %ld.25, %ld]\n",
			     i, 1000 + i % 97, 1001 + i % 89, 999 + i % 83, 1002 + i % 79,
			     1000 + i % 73);
}

/* One result of millions of samples (a sequence of numbers, kept packed:
 * lib/ingest/yaml_load.h), in flow style and in block style. */
static int gen_yaml_samples_flow(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "results:\n- benchmark: big\n  unit: ns\n  samples: [1.5");
	if (i == -2)
		return bench_gen_put(b, "]\n");
	return bench_gen_put(b, ", %ld.%ld", 1 + i % 97, i % 10);
}

static int gen_yaml_samples_block(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "results:\n- benchmark: big\n  unit: ns\n  samples:\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b, "  - %ld.%ld\n", 1 + i % 97, i % 10);
}

/* Samples of one character (`1`), flow and block: the shapes whose doubles,
 * held, cost the most per byte of text. */
static int gen_yaml_ones_flow(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "results:\n- benchmark: big\n  unit: ns\n  samples: [1");
	if (i == -2)
		return bench_gen_put(b, "]\n");
	return bench_gen_put(b, ", 1");
}

static int gen_yaml_ones_block(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "results:\n- benchmark: big\n  unit: ns\n  samples:\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b, "  - 1\n");
}

static int gen_ab_gnuplot(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "starttime\tseconds\tctime\tdtime\tttime\twait\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b, "Sun Dec 06 01:41:18 2026\t%ld\t0\t%ld\t%ld\t%ld\n",
			     1796521278 + i / 1000, i % 3, 1 + i % 7, i % 5);
}

static int gen_hey_csv(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "response-time,DNS+dialup,DNS,Request-write,Response-delay,"
					"Response-read,status-code,offset\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b, "0.00%02ld,0.0012,0.0000,0.0000,0.0012,0.0001,%d,0.%04ld\n",
			     10 + i % 89, i % 50 ? 200 : 404, i % 10000);
}

static int gen_locust_history(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%%,66%%,75%%,80%%,"
		       "90%%,95%%,98%%,99%%,99.9%%,99.99%%,100%%,Total Request Count,Total Failure "
		       "Count,Total Median Response Time,Total Average Response Time,Total Min "
		       "Response Time,Total Max Response Time,Total Average Content Size\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b,
			     "%ld,50,GET,/api/%ld,%ld.5,0.000000,%ld,4,5,5,6,8,9,11,15,20,42,%ld,0,"
			     "3,6.45,2.07,42.7,6.0\n",
			     1796521942 + i / 8, i % 8, 100 + i % 37, 3 + i % 5, i * 10);
}

/* Locust histories of the shapes a history allows, only the columns read
 * (the shortest rows): requests of one, two and three rows each, each
 * request's rows 1,000 rows apart (lib/ingest/locust.c holds the places of
 * the rows of a name seen twice); three requests of a million rows each;
 * names of 1,000 characters, two rows each. And a _stats.csv of millions
 * of requests. */
static int locust_history_row(bench_gen_buf *b, long i, long rows, const char *pad)
{
	if (i == -1)
		return bench_gen_put(b,
				     "Timestamp,User Count,Type,Name,Requests/s,50%%,95%%,99%%\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b, "%ld,5,GET,/%s%ld,%ld.5,%ld,8,11\n", 1796521942 + i / 8, pad,
			     rows ? i / (1000 * rows) * 1000 + i % 1000 : i % 3, i % 97, 3 + i % 5);
}

static int gen_locust_rows1(bench_gen_buf *b, long i)
{
	return locust_history_row(b, i, 1, "");
}

static int gen_locust_rows2(bench_gen_buf *b, long i)
{
	return locust_history_row(b, i, 2, "");
}

static int gen_locust_rows3(bench_gen_buf *b, long i)
{
	return locust_history_row(b, i, 3, "");
}

static int gen_locust_few(bench_gen_buf *b, long i)
{
	return locust_history_row(b, i, 0, "");
}

static int gen_locust_longnames(bench_gen_buf *b, long i)
{
	static char pad[1001];
	if (!pad[0])
		memset(pad, 'x', sizeof(pad) - 1);
	return locust_history_row(b, i, 2, pad);
}

static int gen_locust_stats(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "Type,Name,Request Count,Failure Count,Median Response Time,Average "
		       "Response Time,Min Response Time,Max Response Time,Average Content "
		       "Size,Requests/s,Failures/s,50%%,66%%,75%%,80%%,90%%,95%%,98%%,99%%,99.9%%,"
		       "99.99%%,100%%\n");
	if (i == -2)
		return 0;
	return bench_gen_put(b,
			     "GET,/r/%ld,%ld,0,5,6.2,1,40,100,%ld.5,0.0,5,6,7,8,9,10,11,12,20,30,"
			     "40\n",
			     i, 10 + i % 7, i % 97);
}

/* Go and libtest files of other shapes than benchmarks/formats.c's one
 * line per distinct benchmark (their readers keep the values of the
 * benchmarks that repeat, lib/ingest/README.md "Big files"): go test
 * -count=10 (repetitions adjacent), 100,000 names each repeated about ten
 * times far apart, 12 metrics a line, names of 200 characters. */
static int gen_go_count10(bench_gen_buf *b, long i)
{
	if (i < 0)
		return i == -1 ? bench_gen_put(b, "goos: linux\npkg: example.com/gen\n") : 0;
	return bench_gen_put(
	    b,
	    "BenchmarkCase/n=%ld-2         \t  %7ld\t     %ld.%ld ns/op\t  %ld B/op\t"
	    "       2 allocs/op\n",
	    i / 10, 1000 + i % 977, 100 + i % 991, i % 10, 64 + i % 8);
}

static int gen_go_far(bench_gen_buf *b, long i)
{
	if (i < 0)
		return 0;
	return bench_gen_put(b, "BenchmarkCase/n=%ld-2 \t %ld\t %ld.%ld ns/op\t %ld B/op\n",
			     i % 100000, 1000 + i % 977, 100 + i % 991, i % 10, 64 + i % 8);
}

static int gen_go_metrics(bench_gen_buf *b, long i)
{
	long k;
	int err;
	if (i < 0)
		return 0;
	if ((err = bench_gen_put(b, "BenchmarkCase/n=%ld-2 %ld", i, 1000 + i % 977)))
		return err;
	for (k = 0; k < 12; k++)
		if ((err = bench_gen_put(b, " %ld.%ld m%ld/op", 100 + (i + k) % 991, k, k)))
			return err;
	return bench_gen_put(b, "\n");
}

static int gen_go_longnames(bench_gen_buf *b, long i)
{
	if (i < 0)
		return 0;
	return bench_gen_put(b, "BenchmarkCase/%0190ld-2 %ld %ld.%ld ns/op\n", i, 1000 + i % 977,
			     100 + i % 991, i % 10);
}

static int gen_go_json_count10(bench_gen_buf *b, long i)
{
	if (i < 0)
		return 0;
	return bench_gen_put(
	    b,
	    "{\"Action\":\"output\",\"Package\":\"example.com/gen\",\"Output\":"
	    "\"BenchmarkCase/n=%ld-2 \\t  %ld\\t  %ld.%ld ns/op\\t  64 B/op\\n\"}\n",
	    i / 10, 1000 + i % 977, 100 + i % 991, i % 10);
}

/* libtest lines of benchmark `name` (-count=10 style, or far apart with a
 * throughput) */
static int libtest_line(bench_gen_buf *b, long name, long i, bool mbs)
{
	return bench_gen_put(b, "test bench::case_%ld ... bench:  %ld,%03ld ns/iter (+/- %ld)%s\n",
			     name, 1 + i % 97, i % 1000, 10 + i % 50, mbs ? " = 100 MB/s" : "");
}

static int gen_libtest_count10(bench_gen_buf *b, long i)
{
	return i < 0 ? 0 : libtest_line(b, i / 10, i, false);
}

static int gen_libtest_far(bench_gen_buf *b, long i)
{
	return i < 0 ? 0 : libtest_line(b, i % 100000, i, true);
}

static int gen_libtest_json_far(bench_gen_buf *b, long i)
{
	if (i < 0)
		return 0;
	return bench_gen_put(b,
			     "{ \"type\": \"bench\", \"name\": \"case_%ld\", \"median\": %ld.%ld, "
			     "\"deviation\": 2.5 }\n",
			     i % 100000, 100 + i % 991, i % 10);
}

static const bench_format_gen whole_more[] = {
    {"hyperfine", gen_hyperfine, PERFDB_FORMAT_HYPERFINE, 1, 1},
    {"yaml", gen_yaml, PERFDB_FORMAT_NATIVE_YAML, 1, 0},
    {"yaml-samples-flow", gen_yaml_samples_flow, PERFDB_FORMAT_NATIVE_YAML, 0, 1},
    {"yaml-samples-block", gen_yaml_samples_block, PERFDB_FORMAT_NATIVE_YAML, 0, 1},
    {"yaml-ones-flow", gen_yaml_ones_flow, PERFDB_FORMAT_NATIVE_YAML, 0, 1},
    {"yaml-ones-block", gen_yaml_ones_block, PERFDB_FORMAT_NATIVE_YAML, 0, 1},
    {"ab-gnuplot", gen_ab_gnuplot, PERFDB_FORMAT_AB, 0, 2},
    {"hey-csv", gen_hey_csv, PERFDB_FORMAT_HEY, 0, 3},
    {"locust-history", gen_locust_history, PERFDB_FORMAT_LOCUST, 0, 32},
    {"locust-rows1", gen_locust_rows1, PERFDB_FORMAT_LOCUST, 0, 4},
    {"locust-rows2", gen_locust_rows2, PERFDB_FORMAT_LOCUST, 0, 4},
    {"locust-rows3", gen_locust_rows3, PERFDB_FORMAT_LOCUST, 0, 4},
    {"locust-few", gen_locust_few, PERFDB_FORMAT_LOCUST, 0, 4},
    {"locust-longnames", gen_locust_longnames, PERFDB_FORMAT_LOCUST, 0, 4},
    {"locust-stats", gen_locust_stats, PERFDB_FORMAT_LOCUST, 0, 16},
    {"go-count10", gen_go_count10, PERFDB_FORMAT_GO, 3, 0},
    {"go-far", gen_go_far, PERFDB_FORMAT_GO, 2, 0},
    {"go-metrics", gen_go_metrics, PERFDB_FORMAT_GO, 12, 0},
    {"go-longnames", gen_go_longnames, PERFDB_FORMAT_GO, 1, 0},
    {"go-json-count10", gen_go_json_count10, PERFDB_FORMAT_GO_JSON, 2, 0},
    {"libtest-count10", gen_libtest_count10, PERFDB_FORMAT_LIBTEST, 1, 0},
    {"libtest-far", gen_libtest_far, PERFDB_FORMAT_LIBTEST, 2, 0},
    {"libtest-json-far", gen_libtest_json_far, PERFDB_FORMAT_LIBTEST_JSON, 1, 0},
};

/* A file of about mb MB of format g at path: 0 or -1. */
static int write_format(const char *path, const bench_format_gen *g, size_t mb)
{
	bench_gen_buf b = {NULL, 0, 0};
	size_t written = 0;
	FILE *f = fopen(path, "w");
	long i;
	int err = !f || g->gen(&b, -1);
	for (i = 0; !err && written + b.len < mb * 1000000; i++) {
		if ((err = g->gen(&b, i)))
			break;
		if (b.len >= (1u << 20)) {
			err = fwrite(b.p, 1, b.len, f) != b.len;
			written += b.len;
			b.len = 0;
		}
	}
	err = err || g->gen(&b, -2) || fwrite(b.p, 1, b.len, f) != b.len;
	free(b.p);
	if (f && fclose(f) != 0)
		err = 1;
	return err ? -1 : 0;
}

/*
 * Every reader that reads its input whole (issue 12: peak RSS <= 2x the
 * input for every format): `perfdb record` of a generated file of about
 * 100 MB (PERFDB_BENCH_BIG_MB; 10 with --quick) of each harness format and
 * of the load tools' files that grow with the run, its peak RSS as a ratio
 * to the file's size. gbench (read item at a time) comes first, for
 * reference. PERFDB_BENCH_FORMATS=go,jmh measures only those formats (and
 * nothing else of the case); $PERFDB_BENCH_BASELINE records each file too.
 */
static int whole_run_readers(const bench_ctx *ctx)
{
	const char *only = getenv("PERFDB_BENCH_FORMATS");
	const char *baseline = getenv("PERFDB_BENCH_BASELINE");
	size_t mb = big_mb(ctx), f,
	       n = BENCH_FORMAT_GENS + sizeof(whole_more) / sizeof(whole_more[0]);
	char perfdb[4200], path[4200], db[4200], name[128];

	if (!perfdb_binary(ctx, perfdb, sizeof(perfdb)))
		return 0;
	snprintf(path, sizeof(path), "%s/whole.in", ctx->workdir);
	snprintf(db, sizeof(db), "%s/whole.db", ctx->workdir);
	for (f = 0; f < n; f++) {
		const bench_format_gen *g = f < BENCH_FORMAT_GENS
						? &bench_format_gens[f]
						: &whole_more[f - BENCH_FORMAT_GENS];
		struct stat st;
		run_times t, bt;
		double peak, other = 0;
		if (only && !strstr(only, g->name))
			continue;
		if (write_format(path, g, mb) != 0 || stat(path, &st) != 0) {
			fprintf(stderr, "perfdb-bench: cannot write a generated %s file\n",
				g->name);
			unlink(path);
			return -1;
		}
		peak = record_beside(perfdb, baseline, path, db, 0, &t, &other, &bt);
		if (peak < 0) {
			fprintf(stderr,
				"perfdb-bench: perfdb record of a generated %s file failed\n",
				g->name);
			return -1;
		}
		snprintf(name, sizeof(name), "untrusted/record_whole/%s", g->name);
		bench_report(ctx, name, "peak_rss_per_input_byte", "", peak / (double)st.st_size);
		bench_report(ctx, name, "cpu", "s", t.cpu);
		bench_note(ctx,
			   "%s: %.0f MB file, peak RSS %.0f MB, %.2fx the input%s (CPU %.1f s)",
			   g->name, (double)st.st_size / 1e6, peak / 1e6, peak / (double)st.st_size,
			   peak > 2.0 * (double)st.st_size ? " (OVER 2x)" : "", t.cpu);
		if (!baseline)
			continue;
		if (other < 0) {
			/* the baseline may not read what this one does (memory) */
			bench_note(ctx, "  with %s: its record failed", baseline);
			continue;
		}
		bench_report(ctx, name, "peak_rss_baseline_per_input_byte", "",
			     other / (double)st.st_size);
		bench_report(ctx, name, "peak_rss_vs_baseline", "", peak / other);
		bench_note(ctx,
			   "  with %s: peak RSS %.0f MB, %.2fx the input (CPU %.1f s); this one's "
			   "peak %.2fx",
			   baseline, other / 1e6, other / (double)st.st_size, bt.cpu, peak / other);
	}
	return 0;
}

/*
 * Big CSV files (issue 12: a 106 MB file of 4M distinct rows peaked at
 * 1.77 GB, 16.7x): `perfdb record` of a generated file of about 100 MB (10
 * MB with --quick; PERFDB_BENCH_BIG_MB) of each shape, its peak RSS over the
 * file's size and its CPU time, beside $PERFDB_BENCH_BASELINE (another perfdb
 * binary, e.g. main's, which read a CSV file whole) when set: (a) distinct
 * names, one row each; (b) a shell loop's file, 5 names and millions of rows
 * (samples); (c) a mix, every other row one of 10 names; (d) the statistics
 * columns filled, one row each.
 */
enum { CSV_DISTINCT, CSV_LOOP, CSV_MIX, CSV_STATS, CSV_KINDS };

static int write_csv(const char *path, int kind, size_t mb)
{
	FILE *f = fopen(path, "w");
	size_t n = 0, i;
	if (!f)
		return -1;
	n += (size_t)fprintf(f, kind == CSV_STATS ? "benchmark,unit,value,n,stddev,min,max\n"
						  : "benchmark,value\n");
	for (i = 0; n < mb * 1000000; i++) {
		size_t name = kind == CSV_LOOP		      ? i % 5
			      : kind == CSV_MIX && i % 2 == 0 ? i / 2 % 10
							      : i;
		n += (size_t)(kind == CSV_STATS
				  ? fprintf(f, "bench_%zu,us,%zu.5,10,0.25,%zu,%zu\n", name,
					    1000 + i % 97, 990 + i % 7, 1100 + i % 11)
				  : fprintf(f, "bench_%zu,%zu.%zu\n", name, 1000 + i % 97, i % 10));
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int csv_big_inputs(const bench_ctx *ctx)
{
	static const char *const kinds[] = {"distinct", "loop", "mix", "stats"};
	static const char *const what[] = {
	    "distinct names, one row each", "a shell loop's, 5 names and millions of samples",
	    "a mix, every other row one of 10 names", "statistics columns, one row each"};
	const char *baseline = getenv("PERFDB_BENCH_BASELINE");
	size_t mb = big_mb(ctx);
	char perfdb[4200], path[4200], db[4200], name[128];
	int k;

	if (!perfdb_binary(ctx, perfdb, sizeof(perfdb)))
		return 0;
	snprintf(path, sizeof(path), "%s/big.csv", ctx->workdir);
	snprintf(db, sizeof(db), "%s/big-csv.db", ctx->workdir);
	for (k = 0; k < CSV_KINDS; k++) {
		run_times t, bt = {0, 0};
		struct stat st;
		double peak, other = -1, size;
		if (write_csv(path, k, mb) != 0 || stat(path, &st) != 0) {
			unlink(path);
			return -1;
		}
		size = (double)st.st_size;
		peak = record_beside(perfdb, baseline, path, db, 0, &t, &other, &bt);
		if (peak < 0 || (baseline && other < 0))
			return -1;
		snprintf(name, sizeof(name), "untrusted/record_csv_%s_%zuMB", kinds[k], mb);
		bench_report(ctx, name, "peak_rss_per_input_byte", "", peak / size);
		bench_report(ctx, name, "cpu", "s", t.cpu);
		if (baseline) {
			bench_report(ctx, name, "peak_rss_baseline_per_input_byte", "",
				     other / size);
			bench_report(ctx, name, "cpu_vs_baseline", "", t.cpu / bt.cpu);
		}
		bench_note(ctx,
			   "record of a %.0f MB CSV file (%s): peak RSS %.0f MB, %.2fx the input "
			   "(target <= 2x), CPU %.1f s%s",
			   size / 1e6, what[k], peak / 1e6, peak / size, t.cpu,
			   baseline ? ""
				    : " (PERFDB_BENCH_BASELINE=main's perfdb for before/after)");
		if (baseline)
			bench_note(ctx, "  %s: %.2fx the input, CPU %.1f s; this one's CPU %.2fx",
				   baseline, other / size, bt.cpu, t.cpu / bt.cpu);
	}
	return 0;
}

/*
 * One result of a long array of numbers (issue 12: a native JSON file of 10M
 * samples, 40 MB, peaked at 800 MB: a tree node an item), 10M numbers of 4
 * characters ("3.7,"; 1M with --quick; PERFDB_BENCH_ARRAY_N) as native
 * JSON samples, hyperfine times and pytest-benchmark stats.data, and twice
 * as many numbers of one digit ("1,") as native samples: `perfdb record`'s
 * peak RSS over the file's size (its samples are read again from the text,
 * not held: PERFDB_SINK_UNHELD_SAMPLES), beside $PERFDB_BENCH_BASELINE when
 * set. PERFDB_BENCH_ARRAYS=1 runs only this part of the case.
 */
static int write_long_array(const char *path, int kind, size_t n)
{
	static const char *const head[] = {
	    "{\"results\": [{\"benchmark\": \"big\", \"unit\": \"ns\", \"samples\": [",
	    "{\"results\": [{\"command\": \"big\", \"mean\": 4.5, \"times\": [",
	    ("{\"benchmarks\": [{\"name\": \"big\", \"fullname\": \"t::big\", \"stats\": "
	     "{\"mean\": 4.5, \"data\": [")};
	FILE *f = fopen(path, "w");
	size_t i;
	if (!f)
		return -1;
	fputs(head[kind % 3], f);
	for (i = 0; i < n; i++) {
		if (kind == 3)
			fputs(i ? ",1" : "1", f);
		else
			fprintf(f, "%s%zu.%zu", i ? "," : "", 1 + i % 9, i % 10);
	}
	fputs(kind == 2 ? "]}}]}\n" : "]}]}\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

static int long_arrays(const bench_ctx *ctx)
{
	static const char *const kinds[] = {"native", "hyperfine", "pytest", "native_ones"};
	const char *baseline = getenv("PERFDB_BENCH_BASELINE");
	size_t n = env_size("PERFDB_BENCH_ARRAY_N", ctx->quick ? 1000000 : 10000000);
	char perfdb[4200], path[4200], db[4200], name[128];
	int k;

	if (!perfdb_binary(ctx, perfdb, sizeof(perfdb)))
		return 0;
	snprintf(path, sizeof(path), "%s/array.json", ctx->workdir);
	snprintf(db, sizeof(db), "%s/array.db", ctx->workdir);
	for (k = 0; k < 4; k++) {
		run_times t, bt = {0, 0};
		struct stat st;
		size_t m = k == 3 ? 2 * n : n;
		double peak, other = -1, size;
		if (write_long_array(path, k, m) != 0 || stat(path, &st) != 0) {
			unlink(path);
			return -1;
		}
		size = (double)st.st_size;
		peak = record_beside(perfdb, baseline, path, db, 0, &t, &other, &bt);
		if (peak < 0 || (baseline && other < 0))
			return -1;
		snprintf(name, sizeof(name), "untrusted/record_array_%s_%zu", kinds[k], m);
		bench_report(ctx, name, "peak_rss", "MB", peak / 1e6);
		bench_report(ctx, name, "peak_rss_per_input_byte", "", peak / size);
		bench_report(ctx, name, "cpu", "s", t.cpu);
		bench_note(ctx,
			   "record of one %s result of %zu numbers (%.0f MB): peak RSS %.0f MB, "
			   "%.2fx the input, CPU %.1f s",
			   kinds[k], m, size / 1e6, peak / 1e6, peak / size, t.cpu);
		if (!baseline)
			continue;
		bench_report(ctx, name, "peak_rss_vs_baseline", "", peak / other);
		bench_report(ctx, name, "cpu_vs_baseline", "", t.cpu / bt.cpu);
		bench_note(ctx,
			   "  %s: peak RSS %.0f MB, %.2fx the input; this one's %.2fx, CPU %.2fx",
			   baseline, other / 1e6, other / size, peak / other, t.cpu / bt.cpu);
	}
	return 0;
}

/*
 * Native YAML of many small nodes (the ninth session on issue 12: a 0.7 MB
 * file whose one result held 240,000 `[]` peaked at 128 MB, each node
 * costing 300 bytes or more a pass, two passes held at once): 240,000
 * (PERFDB_BENCH_YAML_NODES_N; below the 250,000 nodes held) empty
 * sequences, empty mappings and one-character scalars in flow style, and
 * `- []` lines, in the result and outside results, recorded by the perfdb
 * binary: its peak RSS, over the file's size and above a tiny file's,
 * beside $PERFDB_BENCH_BASELINE's. PERFDB_BENCH_YAML_NODES=1 runs only
 * this part of the case.
 */
static int write_yaml_nodes(const char *path, int shape, bool in_result, size_t n)
{
	static const char *const item[] = {"[]", "{}", "a"};
	FILE *f = fopen(path, "w");
	size_t i;
	if (!f)
		return -1;
	if (in_result)
		fputs("results:\n- benchmark: big\n  value: 1\n  unit: ns\n  x-junk:", f);
	else
		fputs("x-junk:", f);
	for (i = 0; i < n; i++) {
		if (shape == 3)
			fputs(in_result ? "\n  - []" : "\n- []", f);
		else
			fprintf(f, "%s%s", i ? "," : " [", item[shape]);
	}
	fputs(shape == 3 ? "\n" : "]\n", f);
	if (!in_result)
		fputs("results:\n- {benchmark: big, value: 1, unit: ns}\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

static int yaml_nodes(const bench_ctx *ctx)
{
	static const char *const shapes[] = {"seqs", "maps", "scalars", "block_seqs"};
	const char *baseline = getenv("PERFDB_BENCH_BASELINE");
	size_t n = env_size("PERFDB_BENCH_YAML_NODES_N", 240000);
	char perfdb[4200], path[4200], db[4200], name[160];
	double tiny = -1, tiny_base = -1;
	int k;

	if (!perfdb_binary(ctx, perfdb, sizeof(perfdb)))
		return 0;
	snprintf(path, sizeof(path), "%s/nodes.yaml", ctx->workdir);
	snprintf(db, sizeof(db), "%s/nodes.db", ctx->workdir);
	/* what any file costs: the process, SQLite, the store */
	if (write_yaml_nodes(path, 0, true, 1) != 0 ||
	    (tiny = run_peak(perfdb, path, db, false, 0, NULL)) < 0 ||
	    (baseline && (tiny_base = run_peak(baseline, path, db, false, 0, NULL)) < 0)) {
		unlink(path);
		return -1;
	}
	for (k = 0; k < 8; k++) {
		bool in_result = k % 2 == 0;
		run_times t, bt = {0, 0};
		struct stat st;
		double peak, other = -1, size;
		if (write_yaml_nodes(path, k / 2, in_result, n) != 0 || stat(path, &st) != 0) {
			unlink(path);
			return -1;
		}
		size = (double)st.st_size;
		peak = record_beside(perfdb, baseline, path, db, 0, &t, &other, &bt);
		if (peak < 0 || (baseline && other < 0))
			return -1;
		snprintf(name, sizeof(name), "untrusted/record_yaml_%zu_%s_%s", n, shapes[k / 2],
			 in_result ? "in_result" : "outside");
		bench_report(ctx, name, "peak_rss", "MB", peak / 1e6);
		bench_report(ctx, name, "peak_rss_above_tiny_per_input_byte", "",
			     (peak - tiny) / size);
		bench_report(ctx, name, "cpu", "s", t.cpu);
		bench_note(ctx,
			   "record of %zu %s %s (%.2f MB): peak RSS %.1f MB, %.1f MB above a "
			   "tiny file's (%.1fx the input), CPU %.2f s",
			   n, shapes[k / 2], in_result ? "in the result" : "outside results",
			   size / 1e6, peak / 1e6, (peak - tiny) / 1e6, (peak - tiny) / size,
			   t.cpu);
		if (!baseline)
			continue;
		bench_report(ctx, name, "peak_rss_vs_baseline", "", peak / other);
		bench_report(ctx, name, "cpu_vs_baseline", "", t.cpu / bt.cpu);
		bench_note(ctx,
			   "  %s: peak RSS %.1f MB, %.1f MB above a tiny file's (%.1fx the "
			   "input); this one's %.2fx, CPU %.2fx",
			   baseline, other / 1e6, (other - tiny_base) / 1e6,
			   (other - tiny_base) / size, peak / other, t.cpu / bt.cpu);
	}
	return 0;
}

/*
 * An item read whole that holds about as many values as its bound allows
 * (json_stream.h: 1,000,000), in a member its reader ignores, written in 3
 * bytes each ("[],"): a Google Benchmark row's "junk" and a native result's
 * "x-junk" of 999,900 empty arrays (read) and of 1,000,001 (refused at the
 * value that passes), and a BMF benchmark of 13M empty arrays (39 MB; 2M
 * with --quick; refused at the 1,000,001st). Before the ninth session on
 * issue 12 each was a tree node of 40-80 bytes (3 MB files peaked at
 * 59-67 MB). `perfdb record`'s peak RSS and its ratio to the file's size,
 * beside $PERFDB_BENCH_BASELINE when set. PERFDB_BENCH_HELD=1 runs only
 * this part of the case.
 */
enum { HELD_GBENCH, HELD_NATIVE, HELD_BMF };

static int write_held(const char *path, int kind, size_t n)
{
	static const char *const head[] = {
	    "{\"benchmarks\": [{\"name\": \"BM_a\", \"run_type\": \"iteration\", \"iterations\": "
	    "10, \"real_time\": 1.5, \"cpu_time\": 1.5, \"time_unit\": \"ns\", \"junk\": [",
	    "{\"results\": [{\"benchmark\": \"b1\", \"value\": 1.5, \"x-junk\": [",
	    "{\"b0\": {\"latency\": {\"value\": 1.0}},\n\"b1\": {\"latency\": {\"value\": 1.0}, "
	    "\"junk\": ["};
	FILE *f = fopen(path, "w");
	size_t i;
	if (!f)
		return -1;
	fputs(head[kind], f);
	for (i = 0; i < n; i++)
		fputs(i ? ",[]" : "[]", f);
	fputs(kind == HELD_BMF ? "]}}\n" : "]}]}\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

static int held_items(const bench_ctx *ctx)
{
	static const struct {
		const char *name;
		int kind;
		size_t n, quick_n;
		int want; /* exit status */
	} shapes[] = {
	    {"gbench_read", HELD_GBENCH, 999900, 999900, 0},
	    {"gbench_refused", HELD_GBENCH, 1000001, 1000001, 2},
	    {"native_read", HELD_NATIVE, 999900, 999900, 0},
	    {"native_refused", HELD_NATIVE, 1000001, 1000001, 2},
	    {"bmf_refused", HELD_BMF, 13000000, 2000000, 2},
	};
	const char *baseline = getenv("PERFDB_BENCH_BASELINE");
	char perfdb[4200], path[4200], db[4200], name[128];
	size_t k;

	if (!perfdb_binary(ctx, perfdb, sizeof(perfdb)))
		return 0;
	snprintf(path, sizeof(path), "%s/held.json", ctx->workdir);
	snprintf(db, sizeof(db), "%s/held.db", ctx->workdir);
	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		size_t n = ctx->quick ? shapes[k].quick_n : shapes[k].n;
		run_times t, bt = {0, 0};
		struct stat st;
		double peak, other = -1, size;
		if (write_held(path, shapes[k].kind, n) != 0 || stat(path, &st) != 0) {
			unlink(path);
			return -1;
		}
		size = (double)st.st_size;
		peak = record_beside(perfdb, baseline, path, db, shapes[k].want, &t, &other, &bt);
		if (peak < 0 || (baseline && other < 0))
			return -1;
		snprintf(name, sizeof(name), "untrusted/record_held_%s_%zu", shapes[k].name, n);
		bench_report(ctx, name, "peak_rss", "MB", peak / 1e6);
		bench_report(ctx, name, "peak_rss_per_input_byte", "", peak / size);
		bench_report(ctx, name, "cpu", "s", t.cpu);
		bench_note(ctx,
			   "record of %s, %zu empty arrays (%.1f MB, exit %d): peak RSS %.1f MB, "
			   "%.2fx the input, CPU %.2f s",
			   shapes[k].name, n, size / 1e6, shapes[k].want, peak / 1e6, peak / size,
			   t.cpu);
		if (!baseline)
			continue;
		bench_report(ctx, name, "peak_rss_vs_baseline", "", peak / other);
		bench_note(ctx,
			   "  %s: peak RSS %.1f MB, %.2fx the input, CPU %.2f s; this one's %.2fx",
			   baseline, other / 1e6, other / size, bt.cpu, peak / other);
	}
	return 0;
}

int bench_untrusted(const bench_ctx *ctx)
{
	const size_t levels = 100000, columns = 80000, rows = 40000;
	size_t cap = rows * 120 + columns * 8 + 2 * levels + 64, n, i;
	char *text = malloc(cap);
	int err;

	if (!text)
		return -1;
	if (getenv("PERFDB_BENCH_FORMATS")) {
		free(text);
		return whole_run_readers(ctx);
	}
	if (getenv("PERFDB_BENCH_ARRAYS")) {
		free(text);
		return long_arrays(ctx);
	}
	if (getenv("PERFDB_BENCH_YAML_NODES")) {
		free(text);
		return yaml_nodes(ctx);
	}
	if (getenv("PERFDB_BENCH_HELD")) {
		free(text);
		return held_items(ctx);
	}
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

	/* XML on one line: each tag's column was counted from the line's start
	 * (1.9 MB took 64 s); a tag of 100,000 attributes was checked for
	 * repeats against all the others (27 s), now refused past 1,024 */
	n = (size_t)snprintf(text, cap, "<Catch2TestRun name=\"x\"><TestCase name=\"t\">");
	for (i = 0; i < 100000; i++)
		n += (size_t)snprintf(text + n, cap - n, "<Section name=\"s\"/>");
	n += (size_t)snprintf(text + n, cap - n, "</TestCase></Catch2TestRun>");
	ingest(ctx, "untrusted/catch2_xml_100k_tags_one_line", text, n, PERFDB_FORMAT_CATCH2);
	n = (size_t)snprintf(text, cap, "<Catch2TestRun name=\"x\"><TestCase");
	for (i = 0; i < 100000; i++)
		n += (size_t)snprintf(text + n, cap - n, " a%zu=\"1\"", i);
	n += (size_t)snprintf(text + n, cap - n, "/></Catch2TestRun>");
	ingest(ctx, "untrusted/catch2_xml_100k_attributes", text, n, PERFDB_FORMAT_CATCH2);
	free(text);
	if (!err)
		err = big_inputs(ctx);
	if (!err)
		err = malformed_big_input(ctx);
	if (!err)
		err = csv_big_inputs(ctx);
	if (!err)
		err = whole_run_readers(ctx);
	if (!err)
		err = long_arrays(ctx);
	if (!err)
		err = yaml_nodes(ctx);
	if (!err)
		err = held_items(ctx);
	return err;
}
