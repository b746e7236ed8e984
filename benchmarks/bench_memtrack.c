/*
 * perfdb-bench memtrack: the allocation tracker's slowdown on an
 * allocation-heavy workload (prog_memtrack_workload: N small malloc/free
 * pairs over 2 threads) in full and in sampling mode, against the same
 * workload untracked and under heaptrack, in one run.
 *
 * Two figures per mode: the workload's own time (the program times its
 * loop: the tracker's hot path alone) and the wall time of the whole command
 * (start-up, the report and symbolization included; for heaptrack, its
 * recording without the analysis). Each is the best of R interleaved runs,
 * as the machine is shared. Sampling runs twice: with the default
 * --lines embedded, and with --lines all, which also reads separate debug
 * files (glibc's, where libc6-dbg is installed) for file:line.
 *
 * Then a real distribution binary, the sqlite3 shell (no frame pointers),
 * on a generated SQL workload, in fp, dwarf and sampled dwarf mode beside
 * heaptrack: the case --unwind dwarf is for (memtrack_unwind.c).
 */
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

typedef struct mode {
	const char *name;
	char cmd[16384];
	double work_ns, wall_ns; /* best of the runs */
	int ok;
} mode;

/* Runs cmd; the workload prints its time as a line holding only digits
 * (under perfdb memtrack --format json the command's output is on stderr,
 * so those commands end in 2>&1). */
static int run_once(const char *cmd, double *work_ns, double *wall_ns)
{
	char line[4096];
	FILE *p;
	uint64_t t0 = bench_now_ns();
	double work = -1;
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *end;
		double v;
		line[strcspn(line, "\n")] = 0;
		if (!*line || strspn(line, "0123456789") != strlen(line))
			continue;
		v = strtod(line, &end);
		if (work < 0)
			work = v;
	}
	if (pclose(p) != 0 || work < 0)
		return -1;
	*wall_ns = (double)(bench_now_ns() - t0);
	*work_ns = work;
	return 0;
}

/* Runs the workload of `pairs` pairs untracked, under perfdb memtrack in
 * full and sampling mode, and (heaptrack != 0) under heaptrack, interleaved,
 * reps times; reports the best of each under memtrack/<label><mode>. */
static int measure(const bench_ctx *ctx, const char *prog, const char *perfdb, const char *lib,
		   long pairs, int reps, int heaptrack, const char *label)
{
	mode modes[5];
	size_t nmodes = 0;
	int r, i;

	memset(modes, 0, sizeof(modes));
	modes[nmodes].name = "none";
	snprintf(modes[nmodes++].cmd, sizeof(modes[0].cmd), "'%s' %ld", prog, pairs);
	modes[nmodes].name = "full";
	snprintf(modes[nmodes++].cmd, sizeof(modes[0].cmd),
		 "PERFDB_MEMTRACK_LIB='%s' '%s' memtrack --format json -- '%s' %ld 2>&1", lib,
		 perfdb, prog, pairs);
	modes[nmodes].name = "sample_512K";
	snprintf(modes[nmodes++].cmd, sizeof(modes[0].cmd),
		 "PERFDB_MEMTRACK_LIB='%s' '%s' memtrack --sample 512K --format json -- '%s' %ld "
		 "2>&1",
		 lib, perfdb, prog, pairs);
	/* What file:line from a distribution's separate debug files costs:
	 * glibc's (libc6-dbg) is read for the thread-start frames. */
	modes[nmodes].name = "sample_512K_lines_all";
	snprintf(
	    modes[nmodes++].cmd, sizeof(modes[0].cmd),
	    "PERFDB_MEMTRACK_LIB='%s' '%s' memtrack --sample 512K --lines all --format json -- "
	    "'%s' %ld 2>&1",
	    lib, perfdb, prog, pairs);
	if (heaptrack) {
		modes[nmodes].name = "heaptrack";
		snprintf(modes[nmodes++].cmd, sizeof(modes[0].cmd),
			 "heaptrack -o '%s/heaptrack.out' '%s' %ld 2>/dev/null; rm -f "
			 "'%s'/heaptrack.out*",
			 ctx->workdir, prog, pairs, ctx->workdir);
	}
	for (r = 0; r < reps; r++) {
		for (i = 0; i < (int)nmodes; i++) {
			double work, wall;
			if (run_once(modes[i].cmd, &work, &wall) != 0) {
				fprintf(stderr, "perfdb-bench memtrack: '%s' failed\n",
					modes[i].cmd);
				continue;
			}
			if (!modes[i].ok || work < modes[i].work_ns)
				modes[i].work_ns = work;
			if (!modes[i].ok || wall < modes[i].wall_ns)
				modes[i].wall_ns = wall;
			modes[i].ok = 1;
		}
	}
	if (!modes[0].ok)
		return 1;
	for (i = 0; i < (int)nmodes; i++) {
		char name[128];
		if (!modes[i].ok)
			return 1;
		snprintf(name, sizeof(name), "memtrack/%s%s", label, modes[i].name);
		bench_report(ctx, name, "workload_time", "ns", modes[i].work_ns);
		bench_report(ctx, name, "wall_time", "ns", modes[i].wall_ns);
		if (i > 0) {
			bench_report(ctx, name, "workload_slowdown", "x",
				     modes[i].work_ns / modes[0].work_ns);
			bench_report(ctx, name, "wall_slowdown", "x",
				     modes[i].wall_ns / modes[0].wall_ns);
		}
	}
	bench_note(ctx,
		   "%s%ld malloc/free pairs (16-79 B) over 2 threads; best of %d interleaved runs",
		   label, pairs, reps);
	return 0;
}

/* ---- a real distribution binary: the sqlite3 shell ----------------------------------
 * Debian's sqlite3 and libsqlite3 are built without frame pointers, as most
 * programs users track are: the fp default then records one-frame stacks,
 * and --unwind dwarf is what gives whole ones. The workload: a ROWS-row
 * insert from a recursive CTE (a printf'ed text column), an index build and
 * a LIKE query with GROUP BY, in memory (~1M allocations, ~110 MiB for 300k
 * rows). Wall time of the whole command, and its user + system CPU time, the
 * medians of R interleaved runs, heaptrack (recording only) in the same run. */
#define SQ_MODES 5

/* User + system CPU time of the waited-for children so far: on a shared
 * machine it moves less than the wall time. */
static double children_cpu_ns(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return 0;
	return ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e9 +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int measure_sqlite(const bench_ctx *ctx, const char *perfdb, const char *lib, int heaptrack)
{
	static const char *names[SQ_MODES] = {"none", "fp", "dwarf", "dwarf_sample_512K",
					      "heaptrack"};
	char sql[4400], cmd[SQ_MODES][16384];
	double times[SQ_MODES][16], cpus[SQ_MODES][16], med[SQ_MODES], cpu[SQ_MODES];
	long rows = ctx->quick ? 20000 : 300000;
	int reps = ctx->quick ? 1 : 3, nmodes = heaptrack ? SQ_MODES : SQ_MODES - 1, r, i;
	FILE *f;

	snprintf(sql, sizeof(sql), "%s/memtrack_sqlite.sql", ctx->workdir);
	if (!(f = fopen(sql, "w")))
		return 1;
	fprintf(f,
		"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, val REAL, grp INTEGER);\n"
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<%ld)\n"
		"INSERT INTO t SELECT x, printf('name-%%d-%%08x', x, abs(random()) %% "
		"4294967296), x*1.5, x%%1000 FROM c;\n"
		"CREATE INDEX t_name ON t(name);\n"
		"SELECT grp, count(*), avg(val) FROM t WHERE name LIKE 'name-1%%' GROUP BY grp "
		"ORDER BY 2 DESC LIMIT 3;\n",
		rows);
	if (fclose(f) != 0)
		return 1;
	snprintf(cmd[0], sizeof(cmd[0]), "sqlite3 :memory: <'%s' >/dev/null", sql);
	for (i = 1; i < 4; i++)
		snprintf(cmd[i], sizeof(cmd[i]),
			 "PERFDB_MEMTRACK_LIB='%s' '%s' memtrack %s --format json -- sqlite3 "
			 ":memory: <'%s' >/dev/null 2>&1",
			 lib, perfdb,
			 i == 1	  ? "--unwind fp"
			 : i == 2 ? "--unwind dwarf"
				  : "--unwind dwarf --sample 512K",
			 sql);
	snprintf(cmd[4], sizeof(cmd[4]),
		 "heaptrack -o '%s/heaptrack_sqlite.out' sqlite3 :memory: <'%s' >/dev/null "
		 "2>&1; rm -f '%s'/heaptrack_sqlite.out*",
		 ctx->workdir, sql, ctx->workdir);
	for (r = 0; r < reps; r++)
		for (i = 0; i < nmodes; i++) {
			double c0 = children_cpu_ns();
			uint64_t t0 = bench_now_ns();
			if (bench_system("%s", cmd[i]) != 0) {
				fprintf(stderr, "perfdb-bench memtrack: '%s' failed\n", cmd[i]);
				return 1;
			}
			times[i][r] = (double)(bench_now_ns() - t0);
			cpus[i][r] = children_cpu_ns() - c0;
		}
	for (i = 0; i < nmodes; i++) {
		qsort(times[i], (size_t)reps, sizeof(double), cmp_double);
		qsort(cpus[i], (size_t)reps, sizeof(double), cmp_double);
		med[i] = times[i][reps / 2];
		cpu[i] = cpus[i][reps / 2];
	}
	for (i = 0; i < nmodes; i++) {
		char name[128];
		snprintf(name, sizeof(name), "memtrack/sqlite3/%s", names[i]);
		bench_report(ctx, name, "wall_time", "ns", med[i]);
		bench_report(ctx, name, "cpu_time", "ns", cpu[i]);
		if (i > 0)
			bench_report(ctx, name, "wall_slowdown", "x", med[i] / med[0]);
		if (heaptrack && i > 0 && i < 4) {
			bench_report(ctx, name, "vs_heaptrack", "x", med[i] / med[4]);
			bench_report(ctx, name, "cpu_vs_heaptrack", "x", cpu[i] / cpu[4]);
		}
	}
	bench_note(
	    ctx,
	    "sqlite3/: the Debian sqlite3 shell (no frame pointers), %ld-row insert, index, "
	    "query; wall and CPU time, medians of %d interleaved runs. Target: dwarf <= 0.5x "
	    "heaptrack%s",
	    rows, reps, heaptrack ? "" : " (heaptrack not installed: not compared)");
	return 0;
}

int bench_memtrack(const bench_ctx *ctx)
{
	char self[4096], dir[4096], prog[4400], perfdb[4400], lib[4400];
	long pairs = ctx->quick ? 1000000 : 10000000;
	int have_heaptrack;

	snprintf(self, sizeof(self), "%s", ctx->self);
	snprintf(dir, sizeof(dir), "%s", dirname(self));
	snprintf(prog, sizeof(prog), "%s/tests/prog_memtrack_workload", dir);
	snprintf(perfdb, sizeof(perfdb), "%s/perfdb", dir);
	snprintf(lib, sizeof(lib), "%s/libperfdb_memtrack.so", dir);
	if (access(prog, X_OK) != 0 || access(perfdb, X_OK) != 0 || access(lib, R_OK) != 0) {
		fprintf(stderr,
			"perfdb-bench memtrack: needs %s, %s and %s (build the targets "
			"prog_memtrack_workload, perfdb_cli and perfdb_memtrack)\n",
			prog, perfdb, lib);
		return 1;
	}
	have_heaptrack = bench_system("command -v heaptrack >/dev/null 2>&1") == 0;
	if (measure(ctx, prog, perfdb, lib, pairs, ctx->quick ? 1 : 5, have_heaptrack, ""))
		return 1;
	/* The wall time carries a fixed cost (start-up, reading the report,
	 * symbolizing the shown sites) that a 50 ms workload cannot hide: ten
	 * times the work shows the per-allocation cost in the wall time too.
	 * heaptrack is left out there: at ~45x it would take minutes. */
	if (!ctx->quick && measure(ctx, prog, perfdb, lib, pairs * 10, 3, 0, "x10/"))
		return 1;
	if (bench_system("command -v sqlite3 >/dev/null 2>&1") == 0) {
		if (measure_sqlite(ctx, perfdb, lib, have_heaptrack))
			return 1;
	} else {
		bench_note(ctx, "sqlite3 not installed: the sqlite3/ case did not run");
	}
	bench_note(ctx,
		   "targets: full <= 4x, sampling <= 1.3x the untracked workload; both faster "
		   "than heaptrack%s",
		   have_heaptrack ? "" : " (heaptrack not installed: not compared)");
	return 0;
}
