/* perfdb-bench: named benchmark cases that print figures (never timed tests). */
#ifndef PERFDB_BENCH_H
#define PERFDB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfdb.h"

typedef struct bench_ctx {
	bool json;	       /* --json: collect perfdb native JSON instead of a table */
	bool quick;	       /* --quick: smaller sizes, for a smoke run in CI */
	const char *workdir;   /* a scratch directory the case may use */
	const char *self;      /* argv[0], to find sibling binaries */
	perfdb_resultset *out; /* where bench_report collects results */
} bench_ctx;

/* Reports one figure: printed as a table row, and added to ctx->out so
 * --json prints perfdb native JSON that `perfdb record` reads. */
void bench_report(const bench_ctx *ctx, const char *name, const char *metric, const char *unit,
		  double value);

/* As bench_report, for a figure where higher is better that the unit does
 * not say (a percentage of a target, a ratio of throughputs). */
void bench_report_higher(const bench_ctx *ctx, const char *name, const char *metric,
			 const char *unit, double value);

/* A note printed under the table (never part of the JSON numbers). */
void bench_note(const bench_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/* Runs a shell command, returns its exit status (or -1). Output is not captured. */
int bench_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A generated history (benchmarks/history.c): commits first_commit ..
 * first_commit + commits - 1 (shas "%040d" of the number), each with one
 * run of `series` results NAME/0, NAME/1, ... (metric real_time, ns, 5
 * samples from sample(commit index, series, k, ctx)) on machine. */
typedef struct bench_history {
	int commits, series, first_commit;
	const char *machine, *name;
	double (*sample)(int commit, int series, int k, void *ctx);
	void *ctx;
} bench_history;

/* Records the history into the database at path. 0, or -1 after printing why. */
int bench_build_history(const char *path, const bench_history *h);

/* Runs regress `runs` times on the open store: times[] gets each run's
 * wall time in ms, sorted; *rep the last report (owned). 0, or -1 after
 * printing why (*rep NULL). */
typedef struct perfdb_regress_options perfdb_regress_options;
typedef struct perfdb_regress_report perfdb_regress_report;
int bench_regress_times(perfdb_regress_report **rep, perfdb_store *s,
			const perfdb_regress_options *o, double *times, int runs);

/* A PostgreSQL server for a case (benchmarks/pg.c): $PERFDB_BENCH_DSN, or a
 * throwaway cluster started in /tmp (started = 1: bench_pg_stop stops it). */
typedef struct bench_pg {
	char cluster[128];
	char dsn[1024];
	int started;
} bench_pg;

/* Fills pg->dsn; 0, or -1 when no server can be had (stop it even then). */
int bench_pg_start(bench_pg *pg);
void bench_pg_stop(bench_pg *pg);

/* A new, empty database for `what` into out: a file in workdir when server is
 * NULL, else a new database on the server at base DSN `server`. 0 or -1. */
int bench_new_database(const char *workdir, const char *server, const char *what, char *out,
		       size_t cap);

/* Generated inputs of each harness format (benchmarks/formats.c). */
typedef struct bench_gen_buf {
	char *p;
	size_t len, cap;
} bench_gen_buf;

/* Appends printf output to b (grown as needed). 0, or -1 out of memory. */
int bench_gen_put(bench_gen_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One record of a format into b; i numbers it. The header and footer calls
 * pass i = -1 (start) and -2 (end). 0 or -1. */
typedef int (*bench_gen_fn)(bench_gen_buf *b, long i);

/* per: results each record gives; extra: results the header and footer
 * give. A reader that gives fewer or more fails the case. */
typedef struct bench_format_gen {
	const char *name;
	bench_gen_fn gen;
	perfdb_format fmt;
	long per, extra;
} bench_format_gen;

/* gbench first (the reference of `ingest`), then every other harness format. */
enum { BENCH_FORMAT_GENS = 15 };
extern const bench_format_gen bench_format_gens[BENCH_FORMAT_GENS];

/* The cases (benchmarks/bench_<case>.c); each returns 0 or non-zero on failure. */
int bench_ingest(const bench_ctx *ctx);
int bench_regress(const bench_ctx *ctx);
int bench_changepoint(const bench_ctx *ctx);
int bench_median(const bench_ctx *ctx);
int bench_detect(const bench_ctx *ctx);
int bench_profiler(const bench_ctx *ctx);
int bench_memtrack(const bench_ctx *ctx);
int bench_loadtest(const bench_ctx *ctx);
int bench_symbolize(const bench_ctx *ctx);
int bench_merge(const bench_ctx *ctx);
int bench_html_report(const bench_ctx *ctx);
int bench_http(const bench_ctx *ctx);
int bench_untrusted(const bench_ctx *ctx);
int bench_store_postgres(const bench_ctx *ctx);
int bench_scale(const bench_ctx *ctx);

#endif
