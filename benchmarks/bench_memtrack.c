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
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	bench_note(ctx,
		   "targets: full <= 4x, sampling <= 1.3x the untracked workload; both faster "
		   "than heaptrack%s",
		   have_heaptrack ? "" : " (heaptrack not installed: not compared)");
	return 0;
}
