/*
 * perfdb/profiler.h - an in-process profiler you can leave on in production.
 *
 * Named scopes are timed on the thread that runs them and aggregated per name:
 * calls, errors, slow calls, total (inclusive) time, self (exclusive) time,
 * min, max, mean, standard deviation and percentiles from a log-linear
 * histogram (perfdb/histogram.h, at most 1/128 = 0.78% relative error). Scopes
 * nest per thread; every (parent, child) pair of names keeps its own calls,
 * inclusive and self time, from which a snapshot builds the call tree and the
 * critical path. perfdb_profiler_export turns the figures into a resultset
 * that `perfdb record` or perfdb_store_record stores like any benchmark.
 *
 *	static void handle(request *r)
 *	{
 *		PERFDB_SCOPE(NULL, "handle");          // NULL: the global profiler
 *		parse(r);
 *		if (reply(r) != 0)
 *			perfdb_profiler_fail(NULL);     // marks "handle" as failed
 *	}                                              // timed however it is left
 *
 * Cost. The hot path (begin/end) never allocates, locks or formats, except
 * the first time a thread uses a name or a (parent, child) pair, which
 * allocates that thread's record for it once. Each call site keeps the id of
 * its name in a static (resolved once per profiler under a lock), so no
 * string is hashed or compared per call. Each thread writes its own shard;
 * readers merge the shards. A disabled profiler costs a call and a branch.
 *
 * Threads. Any number of threads may time scopes at once. Figures of threads
 * that have exited are kept (a later thread reuses an exited thread's shard,
 * so memory is bounded by the number of threads alive at once). A snapshot
 * or a reset taken while other threads are timing scopes is approximate:
 * it sees each counter either before or after a concurrent update, and may
 * see one call's count without its time. Take them when writers are quiet
 * (after joining threads, between requests) when exact figures matter.
 *
 * Recursion. When a name is already open on the thread, its inner calls are
 * counted (calls, histogram, self time) but their time is not added again to
 * the name's total; likewise a (parent, child) pair adds inclusive time only
 * at its outermost open frame. So total time is the time during which the
 * name was on the stack, never more than the wall time.
 *
 * Footprint (see perfdb_profiler_bytes_per_name): one record per name per
 * thread that used it, about 19 KiB (the histogram is most of it), plus 64
 * bytes per (parent, child) pair per thread, plus 8 bytes per allowed name
 * and a 7 KiB nesting stack per thread. Per-thread records are cache-line
 * aligned so that threads never write to a shared line.
 *
 * Not async-signal-safe: the first use of a site, a name or a profiler by a
 * thread may take a lock or allocate. The macros use the GCC/Clang `cleanup`
 * attribute and `__COUNTER__`.
 */
#ifndef PERFDB_PROFILER_H
#define PERFDB_PROFILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "perfdb/common.h"
#include "perfdb/resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct perfdb_profiler perfdb_profiler;
typedef struct perfdb_profiler_snapshot perfdb_profiler_snapshot;

/** For per-site overrides: take the profiler's setting. */
#define PERFDB_PROFILER_INHERIT (-1)

/** Which clock times the scopes. */
typedef enum perfdb_profiler_clock {
	/** the TSC when it is invariant and the kernel's clock source is "tsc", else
	 *  CLOCK_MONOTONIC */
	PERFDB_PROFILER_CLOCK_AUTO = 0,
	/** clock_gettime(CLOCK_MONOTONIC) */
	PERFDB_PROFILER_CLOCK_MONOTONIC,
	/** the TSC; perfdb_profiler_new fails with PERFDB_ENOTFOUND where it is not usable */
	PERFDB_PROFILER_CLOCK_TSC,
	/** options.clock_fn (simulated time, tests) */
	PERFDB_PROFILER_CLOCK_CUSTOM
} perfdb_profiler_clock;

/** One slow call, as handed to the slow-call callback (borrowed for the call). */
typedef struct perfdb_profiler_slow_call {
	const char *name;      /**< the scope's name */
	const char *parent;    /**< the enclosing scope's name, NULL at the top */
	uint64_t duration_ns;  /**< how long the call took */
	uint64_t threshold_ns; /**< the threshold it exceeded */
	bool error;	       /**< the call was marked failed */
	unsigned depth;	       /**< nesting depth, 0 at the top */
} perfdb_profiler_slow_call;

/**
 * Called on the thread that ran the scope, after the call was recorded, for
 * every call longer than its threshold whose site reports slow calls. It may
 * time scopes itself. Keep it short: it runs inside the measured program.
 */
typedef void (*perfdb_profiler_slow_fn)(void *ctx, const perfdb_profiler_slow_call *call);

#define PERFDB_PROFILER_OPTIONS_VERSION 1

/** Options for perfdb_profiler_new. */
typedef struct perfdb_profiler_options {
	unsigned version; /**< PERFDB_PROFILER_OPTIONS_VERSION */
	bool enabled;	  /**< record from the start (default true) */
	/** a call longer than this (strictly) is slow; 0: no call is slow (default 0) */
	uint64_t slow_threshold_ns;
	/** report slow calls (callback and log) unless a site says otherwise (default true) */
	bool slow_report;
	perfdb_profiler_slow_fn on_slow; /**< slow-call callback, NULL for none */
	void *on_slow_ctx;		 /**< passed to on_slow */
	/** when not NULL, each reported slow call is also written to this stream as one
	 *  line: "perfdb: slow scope 'NAME': 12.345 ms > 10.000 ms" (" (failed)") */
	FILE *slow_log;
	/** most distinct names (1..1048576, default 1024); calls of further names are
	 *  not recorded and are counted in the summary's `dropped` */
	size_t name_limit;
	perfdb_profiler_clock clock; /**< default PERFDB_PROFILER_CLOCK_AUTO */
	/** PERFDB_PROFILER_CLOCK_CUSTOM: returns monotonic time in ns; called from every
	 *  thread that times scopes */
	uint64_t (*clock_fn)(void *ctx);
	void *clock_ctx;
} perfdb_profiler_options;

#define PERFDB_PROFILER_OPTIONS_INIT                                                               \
	{                                                                                          \
		.version = PERFDB_PROFILER_OPTIONS_VERSION, .enabled = true,                       \
		.slow_threshold_ns = 0, .slow_report = true, .on_slow = NULL, .on_slow_ctx = NULL, \
		.slow_log = NULL, .name_limit = 1024, .clock = PERFDB_PROFILER_CLOCK_AUTO,         \
		.clock_fn = NULL, .clock_ctx = NULL                                                \
	}

/** Fills opts with the defaults (the same as PERFDB_PROFILER_OPTIONS_INIT), for callers that
 *  cannot use the macro (other languages, a struct on the heap). */
void perfdb_profiler_options_init(perfdb_profiler_options *opts);

/**
 * Creates a profiler in *out (owned by the caller, released with
 * perfdb_profiler_free). opts NULL means PERFDB_PROFILER_OPTIONS_INIT. The
 * first profiler of a process that may use the TSC calibrates it (about 10 ms).
 * Errors: PERFDB_EINVAL (bad version, name_limit out of range, CUSTOM clock
 * without clock_fn), PERFDB_ENOTFOUND (CLOCK_TSC where the TSC is not usable;
 * the message says why), PERFDB_ENOMEM.
 */
int perfdb_profiler_new(perfdb_profiler **out, const perfdb_profiler_options *opts);

/**
 * Frees p and all its figures. Accepts NULL. No thread may be timing a scope
 * of p, or start one, during or after the call. Never free the global profiler.
 */
void perfdb_profiler_free(perfdb_profiler *p);

/**
 * The process-wide profiler that NULL stands for everywhere in this API,
 * created on first use with perfdb_profiler_global_init's options or the
 * defaults, and never freed. NULL only when it could not be created (out of
 * memory).
 */
perfdb_profiler *perfdb_profiler_global(void);

/**
 * Creates the global profiler with opts. Call it once, at start-up, before any
 * scope of the global profiler runs. Errors: PERFDB_EINVAL (it exists already,
 * or bad options), and those of perfdb_profiler_new.
 */
int perfdb_profiler_global_init(const perfdb_profiler_options *opts);

/** Turns recording on or off at run time (scopes already open still end
 *  normally). p NULL: the global profiler. */
void perfdb_profiler_set_enabled(perfdb_profiler *p, bool enabled);
bool perfdb_profiler_enabled(const perfdb_profiler *p);

/** "tsc", "clock_monotonic" or "custom": the clock p uses. Static string. */
const char *perfdb_profiler_clock_name(const perfdb_profiler *p);

/** Bytes one name costs in one thread's shard (its record with histogram),
 *  and one (parent, child) pair. */
size_t perfdb_profiler_bytes_per_name(void);
size_t perfdb_profiler_bytes_per_edge(void);

/* ---- measuring ------------------------------------------------------------ */

/**
 * A call site: a static per site, written by the macros below. `name` must
 * live as long as the process (a string literal). `resolved` is private: the
 * name's id in the last profiler that used the site, set on first use.
 */
typedef struct perfdb_profiler_site {
	const char *name;
	/** PERFDB_PROFILER_INHERIT, 0 (never slow) or a threshold in ns */
	int64_t slow_threshold_ns;
	/** PERFDB_PROFILER_INHERIT, 0 (count slow calls but do not report them) or 1 */
	int slow_report;
	uint64_t resolved;
} perfdb_profiler_site;

#define PERFDB_PROFILER_SITE_INIT(name)                                                            \
	{                                                                                          \
		(name), PERFDB_PROFILER_INHERIT, PERFDB_PROFILER_INHERIT, 0                        \
	}
#define PERFDB_PROFILER_SITE_INIT_OPTS(name, slow_threshold_ns, slow_report)                       \
	{                                                                                          \
		(name), (slow_threshold_ns), (slow_report), 0                                      \
	}

struct perfdb_profiler_frame;

/** An open scope. frame is NULL when nothing is being recorded (disabled
 *  profiler, name limit reached, nesting deeper than PERFDB_PROFILER_MAX_DEPTH). */
typedef struct perfdb_profiler_scope {
	struct perfdb_profiler_frame *frame;
	uint64_t seq; /**< private: tells a stale handle from the frame's new owner */
} perfdb_profiler_scope;

/** Scopes nested deeper than this on one thread are not recorded (counted as dropped). */
#define PERFDB_PROFILER_MAX_DEPTH 128

/**
 * Opens a scope of site on the calling thread; p NULL is the global
 * profiler. Close it with perfdb_profiler_end on the same thread. Scopes
 * must close innermost first; closing an outer scope first discards the
 * inner ones still open (they are counted in the summary's `unbalanced`).
 */
perfdb_profiler_scope perfdb_profiler_begin(perfdb_profiler *p, perfdb_profiler_site *site);

/**
 * Closes scope s and records it; error non-zero counts the call as failed.
 * Clears s->frame, so a second end of the same scope does nothing.
 */
void perfdb_profiler_end(perfdb_profiler_scope *s, int error);

/** Marks the innermost open scope of p on the calling thread as failed (for
 *  PERFDB_SCOPE, whose end has no error argument). No effect without one. */
void perfdb_profiler_fail(perfdb_profiler *p);

/** The cleanup function of PERFDB_SCOPE. */
static inline void perfdb_profiler_scope_cleanup(perfdb_profiler_scope *s)
{
	if (s->frame)
		perfdb_profiler_end(s, 0);
}

#define PERFDB_PROFILER__CAT2(a, b) a##b
#define PERFDB_PROFILER__CAT(a, b)  PERFDB_PROFILER__CAT2(a, b)
#define PERFDB_PROFILER__SCOPE(p, init, n)                                                         \
	static perfdb_profiler_site PERFDB_PROFILER__CAT(perfdb_site__, n) = init;                 \
	perfdb_profiler_scope PERFDB_PROFILER__CAT(perfdb_scope__, n)                              \
	    __attribute__((cleanup(perfdb_profiler_scope_cleanup), unused)) =                      \
		perfdb_profiler_begin((p), &PERFDB_PROFILER__CAT(perfdb_site__, n))

/**
 * PERFDB_SCOPE(p, "name"): times the rest of the enclosing block, however it
 * is left (return, break, goto, end of block). A declaration: use it where a
 * declaration may stand. p NULL is the global profiler.
 */
#define PERFDB_SCOPE(p, name)                                                                      \
	PERFDB_PROFILER__SCOPE(p, PERFDB_PROFILER_SITE_INIT(name), __COUNTER__)

/** PERFDB_SCOPE with this site's own slow threshold (ns, 0 never,
 *  PERFDB_PROFILER_INHERIT) and slow reporting (0, 1, PERFDB_PROFILER_INHERIT). */
#define PERFDB_SCOPE_OPTS(p, name, slow_threshold_ns, slow_report)                                 \
	PERFDB_PROFILER__SCOPE(                                                                    \
	    p, PERFDB_PROFILER_SITE_INIT_OPTS(name, slow_threshold_ns, slow_report), __COUNTER__)

/**
 * PERFDB_BEGIN(var, p, "name") declares `perfdb_profiler_scope var` and opens
 * it; close it with perfdb_profiler_end(&var, error).
 */
#define PERFDB_BEGIN(var, p, name)                                                                 \
	PERFDB_PROFILER__BEGIN(var, p, PERFDB_PROFILER_SITE_INIT(name), __COUNTER__)
#define PERFDB_BEGIN_OPTS(var, p, name, slow_threshold_ns, slow_report)                            \
	PERFDB_PROFILER__BEGIN(                                                                    \
	    var, p, PERFDB_PROFILER_SITE_INIT_OPTS(name, slow_threshold_ns, slow_report),          \
	    __COUNTER__)
#define PERFDB_PROFILER__BEGIN(var, p, init, n)                                                    \
	static perfdb_profiler_site PERFDB_PROFILER__CAT(perfdb_site__, n) = init;                 \
	perfdb_profiler_scope var =                                                                \
	    perfdb_profiler_begin((p), &PERFDB_PROFILER__CAT(perfdb_site__, n))

/**
 * PERFDB_CALL(p, "name", expr): times one expression, typically a function
 * call: PERFDB_CALL(NULL, "compress", n = compress(buf, len));
 * PERFDB_CALL_ERR also counts the call as failed when `failed` (evaluated
 * after expr) is true: PERFDB_CALL_ERR(NULL, "read", n = read(fd, b, len), n < 0);
 */
#define PERFDB_CALL(p, name, expr)                                                                 \
	do {                                                                                       \
		PERFDB_BEGIN(perfdb_call__, p, name);                                              \
		expr;                                                                              \
		perfdb_profiler_end(&perfdb_call__, 0);                                            \
	} while (0)
#define PERFDB_CALL_ERR(p, name, expr, failed)                                                     \
	do {                                                                                       \
		PERFDB_BEGIN(perfdb_call__, p, name);                                              \
		expr;                                                                              \
		perfdb_profiler_end(&perfdb_call__, (failed) ? 1 : 0);                             \
	} while (0)

/* ---- reading -------------------------------------------------------------- */

/** Empties every figure of p (names stay registered; scopes open now record
 *  into the emptied figures when they end). p NULL: the global profiler. */
void perfdb_profiler_reset(perfdb_profiler *p);

/** The figures of one name. Times in ns; all 0 for a name without calls. */
typedef struct perfdb_profiler_metrics {
	const char *name; /**< borrowed from the snapshot */
	uint64_t calls;
	uint64_t errors;   /**< calls marked failed */
	uint64_t slow;	   /**< calls above their slow threshold */
	uint64_t total_ns; /**< inclusive time, recursion counted once */
	uint64_t self_ns;  /**< exclusive time: total minus time in child scopes */
	uint64_t min_ns, max_ns;
	double mean_ns;	  /**< mean duration of one call */
	double stddev_ns; /**< population standard deviation of one call's duration */
	uint64_t p50_ns, p90_ns, p95_ns, p99_ns, p999_ns; /**< within 1/128 relative error */
} perfdb_profiler_metrics;

/** What perfdb_profiler_snapshot_top sorts by (descending). */
typedef enum perfdb_profiler_stat {
	PERFDB_PROFILER_STAT_CALLS = 0, /**< most called */
	PERFDB_PROFILER_STAT_ERRORS,
	PERFDB_PROFILER_STAT_SLOW,
	PERFDB_PROFILER_STAT_TOTAL,
	PERFDB_PROFILER_STAT_SELF,
	PERFDB_PROFILER_STAT_MEAN,
	PERFDB_PROFILER_STAT_MAX,
	PERFDB_PROFILER_STAT_P50,
	PERFDB_PROFILER_STAT_P90,
	PERFDB_PROFILER_STAT_P95,
	PERFDB_PROFILER_STAT_P99,
	PERFDB_PROFILER_STAT_P999
} perfdb_profiler_stat;

/** Parses "calls", "errors", "slow", "total", "self", "mean", "max", "p50",
 *  "p90", "p95", "p99", "p999". Errors: PERFDB_EINVAL. */
int perfdb_profiler_stat_parse(perfdb_profiler_stat *out, const char *text);

/** Totals over all names. */
typedef struct perfdb_profiler_summary {
	uint64_t calls; /**< recorded calls of all names */
	uint64_t errors;
	uint64_t slow;	     /**< slow calls */
	uint64_t total_ns;   /**< time inside any scope (the sum of self times) */
	size_t names;	     /**< names tracked (registered, with or without calls) */
	size_t threads;	     /**< thread shards (threads that ever timed a scope, less reuse) */
	uint64_t dropped;    /**< calls not recorded: name limit, depth, out of memory */
	uint64_t unbalanced; /**< scopes discarded because an outer scope ended first */
} perfdb_profiler_summary;

/** One node of the call tree or the critical path. */
typedef struct perfdb_profiler_node {
	const char *name;      /**< borrowed from the snapshot */
	size_t parent;	       /**< index of the parent node, SIZE_MAX for a root */
	unsigned depth;	       /**< 0 for a root */
	uint64_t calls;	       /**< calls of name from its parent's name */
	uint64_t inclusive_ns; /**< their time, recursion counted once */
	uint64_t self_ns;      /**< their time outside child scopes */
} perfdb_profiler_node;

/**
 * Takes a snapshot of p into *out (owned by the caller, freed with
 * perfdb_profiler_snapshot_free): merges the shards of all threads once, so
 * the queries below are cheap and agree with each other. p NULL: the global
 * profiler. See the note on threads above. Errors: PERFDB_ENOMEM,
 * PERFDB_EINVAL (p NULL and no global profiler).
 */
int perfdb_profiler_snapshot_new(perfdb_profiler_snapshot **out, const perfdb_profiler *p);

/** Frees s. Accepts NULL. */
void perfdb_profiler_snapshot_free(perfdb_profiler_snapshot *s);

/** Number of names with at least one call, and name i of them (borrowed, in
 *  order of registration). */
size_t perfdb_profiler_snapshot_count(const perfdb_profiler_snapshot *s);
const perfdb_profiler_metrics *perfdb_profiler_snapshot_get(const perfdb_profiler_snapshot *s,
							    size_t i);

/** The figures of one name (borrowed), or NULL when it has no calls. */
const perfdb_profiler_metrics *perfdb_profiler_snapshot_find(const perfdb_profiler_snapshot *s,
							     const char *name);

/**
 * Writes the top n names by `by` (descending; ties by name) into out[0..],
 * borrowed, and returns how many it wrote (at most n and the name count).
 * Most-called N is PERFDB_PROFILER_STAT_CALLS; slowest N by p99 is
 * PERFDB_PROFILER_STAT_P99.
 */
size_t perfdb_profiler_snapshot_top(const perfdb_profiler_metrics **out, size_t n,
				    const perfdb_profiler_snapshot *s, perfdb_profiler_stat by);

/** Totals (borrowed). */
const perfdb_profiler_summary *perfdb_profiler_snapshot_summary(const perfdb_profiler_snapshot *s);

/**
 * The call tree in depth-first order, children by inclusive time descending:
 * each node is a name called from its parent node's name. A name already on
 * the path from the root is shown once more as a leaf and not expanded
 * (recursion). Pairs are aggregated by name, as in gprof: a name called from
 * two places shows the same children under both. At most
 * PERFDB_PROFILER_TREE_MAX_NODES nodes; *truncated (may be NULL) tells.
 * *nodes is borrowed from s.
 */
#define PERFDB_PROFILER_TREE_MAX_NODES 10000
void perfdb_profiler_snapshot_tree(const perfdb_profiler_snapshot *s,
				   const perfdb_profiler_node **nodes, size_t *count,
				   bool *truncated);

/**
 * The critical path: for each root (by inclusive time, descending), the root
 * and then, repeatedly, the child with the largest inclusive time, down to a
 * leaf (a name already on the path ends it). Nodes are in path order, a new
 * root starting at depth 0; *nodes is borrowed from s.
 */
void perfdb_profiler_snapshot_critical_path(const perfdb_profiler_snapshot *s,
					    const perfdb_profiler_node **nodes, size_t *count);

/**
 * The snapshot as one JSON document in *out (a NUL-terminated string owned
 * by the caller, free()): {"clock", "summary", "metrics": [...], "tree":
 * [...], "critical_path": [...]}, times in ns. Errors: PERFDB_ENOMEM,
 * PERFDB_EINVAL (NULL argument).
 */
int perfdb_profiler_snapshot_json(char **out, const perfdb_profiler_snapshot *s);

/**
 * Adds p's figures to rs as results, one benchmark per name with calls:
 * metrics "calls" (unit "calls"), "mean", "p50", "p99", "max" and "self"
 * (mean self time per call), in ns. All are lower-is-better: for the fixed
 * workload a profile is compared on, more calls of a scope means more work
 * for the same result (a lost cache, an N+1 query). "mean" carries n, median,
 * stddev, min and max. Sets PERFDB_META_SOURCE to "profiler" when unset.
 * p NULL: the global profiler. Errors: PERFDB_ENOMEM, PERFDB_EINVAL.
 */
int perfdb_profiler_export(perfdb_resultset *rs, const perfdb_profiler *p);

#ifdef __cplusplus
}
#endif
#endif
