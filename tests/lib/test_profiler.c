/*
 * Tests of the in-process profiler (lib/instrument/profiler*.c).
 *
 * Most tests time scopes on a custom clock that the test moves by hand, so
 * every duration, sum and percentile is known exactly; a few use the real
 * clocks and then assert only what holds whatever the machine's speed
 * (counts, internal consistency, lower bounds set by sleeps).
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "perfdb/histogram.h"
#include "perfdb/profiler.h"
#include "perfdb/resultset.h"

/* ---- clocks ---------------------------------------------------------------- */

static uint64_t fake_now;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void advance(uint64_t ns)
{
	fake_now += ns;
}

/* Every read advances this thread's time by 1 ns: a scope with no children
 * lasts exactly 1 ns, a scope around one such child exactly 3 ns. */
static _Thread_local uint64_t ticks;

static uint64_t tick_clock(void *ctx)
{
	(void)ctx;
	return ++ticks;
}

static perfdb_profiler *new_profiler(uint64_t (*fn)(void *), uint64_t slow_ns)
{
	perfdb_profiler_options o = PERFDB_PROFILER_OPTIONS_INIT;
	perfdb_profiler *p = NULL;
	o.clock = fn ? PERFDB_PROFILER_CLOCK_CUSTOM : PERFDB_PROFILER_CLOCK_AUTO;
	o.clock_fn = fn;
	o.slow_threshold_ns = slow_ns;
	assert_int_equal(perfdb_profiler_new(&p, &o), 0);
	assert_non_null(p);
	return p;
}

static perfdb_profiler_snapshot *snap(const perfdb_profiler *p)
{
	perfdb_profiler_snapshot *s = NULL;
	assert_int_equal(perfdb_profiler_snapshot_new(&s, p), 0);
	assert_non_null(s);
	return s;
}

static const perfdb_profiler_metrics *must_find(const perfdb_profiler_snapshot *s, const char *name)
{
	const perfdb_profiler_metrics *m = perfdb_profiler_snapshot_find(s, name);
	if (!m)
		fail_msg("no metrics for '%s'", name);
	return m;
}

static void sleep_ns(long ns)
{
	struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* ---- options --------------------------------------------------------------- */

static void test_profiler__new_rejects_bad_options(void **state)
{
	perfdb_profiler_options o = PERFDB_PROFILER_OPTIONS_INIT;
	perfdb_profiler *p = (perfdb_profiler *)&o;
	(void)state;

	o.version = 99;
	assert_int_equal(perfdb_profiler_new(&p, &o), PERFDB_EINVAL);
	assert_null(p);
	assert_non_null(strstr(perfdb_error_last()->message, "version"));

	o.version = PERFDB_PROFILER_OPTIONS_VERSION;
	o.name_limit = 0;
	assert_int_equal(perfdb_profiler_new(&p, &o), PERFDB_EINVAL);
	o.name_limit = ((size_t)1 << 20) + 1;
	assert_int_equal(perfdb_profiler_new(&p, &o), PERFDB_EINVAL);

	o.name_limit = 16;
	o.clock = PERFDB_PROFILER_CLOCK_CUSTOM;
	assert_int_equal(perfdb_profiler_new(&p, &o), PERFDB_EINVAL);
	assert_non_null(strstr(perfdb_error_last()->message, "clock_fn"));
	o.clock = (perfdb_profiler_clock)42;
	assert_int_equal(perfdb_profiler_new(&p, &o), PERFDB_EINVAL);

	assert_int_equal(perfdb_profiler_new(NULL, NULL), PERFDB_EINVAL);
	perfdb_profiler_free(NULL);
	perfdb_profiler_snapshot_free(NULL);

	/* Defaults work, and say which clock they picked. */
	assert_int_equal(perfdb_profiler_new(&p, NULL), 0);
	assert_true(strcmp(perfdb_profiler_clock_name(p), "tsc") == 0 ||
		    strcmp(perfdb_profiler_clock_name(p), "clock_monotonic") == 0);
	assert_true(perfdb_profiler_enabled(p));
	perfdb_profiler_free(p);
}

static void test_profiler__stat_parse(void **state)
{
	perfdb_profiler_stat st = PERFDB_PROFILER_STAT_CALLS;
	(void)state;
	assert_int_equal(perfdb_profiler_stat_parse(&st, "p99"), 0);
	assert_int_equal(st, PERFDB_PROFILER_STAT_P99);
	assert_int_equal(perfdb_profiler_stat_parse(&st, "total"), 0);
	assert_int_equal(st, PERFDB_PROFILER_STAT_TOTAL);
	assert_int_equal(perfdb_profiler_stat_parse(&st, "P99"), PERFDB_EINVAL);
	assert_int_equal(perfdb_profiler_stat_parse(&st, ""), PERFDB_EINVAL);
	assert_int_equal(perfdb_profiler_stat_parse(&st, NULL), PERFDB_EINVAL);
}

/* ---- disabled ----------------------------------------------------------------- */

static void work_scope(perfdb_profiler *p)
{
	PERFDB_SCOPE(p, "work");
	advance(7);
}

static void test_profiler__disabled_records_nothing(void **state)
{
	perfdb_profiler_options o = PERFDB_PROFILER_OPTIONS_INIT;
	perfdb_profiler *p = NULL;
	perfdb_profiler_snapshot *s;
	int i;
	(void)state;

	o.enabled = false;
	o.clock = PERFDB_PROFILER_CLOCK_CUSTOM;
	o.clock_fn = fake_clock;
	assert_int_equal(perfdb_profiler_new(&p, &o), 0);
	assert_false(perfdb_profiler_enabled(p));
	for (i = 0; i < 100; i++) {
		PERFDB_BEGIN(sc, p, "explicit");
		assert_null(sc.frame);
		perfdb_profiler_end(&sc, 1);
		work_scope(p);
		PERFDB_CALL(p, "call", advance(1));
	}
	s = snap(p);
	assert_int_equal(perfdb_profiler_snapshot_count(s), 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->calls, 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->total_ns, 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->dropped, 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->threads, 0);
	perfdb_profiler_snapshot_free(s);

	/* Turned on at run time it records; off again it stops. */
	perfdb_profiler_set_enabled(p, true);
	work_scope(p);
	perfdb_profiler_set_enabled(p, false);
	work_scope(p);
	s = snap(p);
	assert_int_equal(perfdb_profiler_snapshot_count(s), 1);
	assert_int_equal(must_find(s, "work")->calls, 1);
	assert_int_equal(must_find(s, "work")->total_ns, 7);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

/* ---- exact counts and sums on two threads ---------------------------------------- */

#define ITERATIONS 1000000

static void *tick_worker(void *arg)
{
	perfdb_profiler *p = arg;
	long i;
	for (i = 0; i < ITERATIONS; i++) {
		PERFDB_SCOPE(p, "outer");
		{
			PERFDB_SCOPE(p, "inner");
		}
	}
	return NULL;
}

static void test_profiler__two_threads_exact_counts_and_sums(void **state)
{
	perfdb_profiler *p = new_profiler(tick_clock, 0);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_metrics *outer, *inner;
	const perfdb_profiler_summary *sum;
	pthread_t t[2];
	int i;
	(void)state;

	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, tick_worker, p), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);

	s = snap(p);
	outer = must_find(s, "outer");
	inner = must_find(s, "inner");
	assert_int_equal(outer->calls, 2 * ITERATIONS);
	assert_int_equal(inner->calls, 2 * ITERATIONS);
	assert_int_equal(outer->total_ns, 3ull * 2 * ITERATIONS);
	assert_int_equal(outer->self_ns, 2ull * 2 * ITERATIONS);
	assert_int_equal(inner->total_ns, 1ull * 2 * ITERATIONS);
	assert_int_equal(inner->self_ns, 1ull * 2 * ITERATIONS);
	assert_int_equal(outer->min_ns, 3);
	assert_int_equal(outer->max_ns, 3);
	assert_int_equal(outer->p99_ns, 3);
	assert_true(outer->mean_ns == 3.0);
	assert_true(outer->stddev_ns == 0.0);
	assert_int_equal(outer->errors, 0);
	sum = perfdb_profiler_snapshot_summary(s);
	assert_int_equal(sum->calls, 4ull * ITERATIONS);
	assert_int_equal(sum->total_ns, 6ull * ITERATIONS); /* self times: 2 + 1 per pair */
	assert_int_equal(sum->threads, 2);
	assert_int_equal(sum->names, 2);
	assert_int_equal(sum->dropped, 0);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static void *real_worker(void *arg)
{
	perfdb_profiler *p = arg;
	long i;
	for (i = 0; i < ITERATIONS / 2; i++) {
		PERFDB_SCOPE(p, "outer");
		{
			PERFDB_SCOPE(p, "inner");
		}
	}
	return NULL;
}

/* The real clock: times are unknown, but counts are exact and the sums must
 * agree with each other to the nanosecond. */
static void test_profiler__two_threads_real_clock_consistent(void **state)
{
	perfdb_profiler *p = new_profiler(NULL, 0);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_metrics *outer, *inner;
	pthread_t t[2];
	int i;
	(void)state;

	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, real_worker, p), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	s = snap(p);
	outer = must_find(s, "outer");
	inner = must_find(s, "inner");
	assert_int_equal(outer->calls, ITERATIONS);
	assert_int_equal(inner->calls, ITERATIONS);
	assert_int_equal(outer->self_ns + inner->total_ns, outer->total_ns);
	assert_int_equal(inner->self_ns, inner->total_ns);
	assert_true(outer->min_ns >= inner->min_ns);
	assert_true(outer->max_ns >= outer->p999_ns && outer->p999_ns >= outer->p99_ns &&
		    outer->p99_ns >= outer->p95_ns && outer->p95_ns >= outer->p90_ns &&
		    outer->p90_ns >= outer->p50_ns && outer->p50_ns >= outer->min_ns);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->total_ns,
			 outer->self_ns + inner->self_ns);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

/* ---- percentiles -------------------------------------------------------------- */

static uint64_t lcg_state = 88172645463325252ull;

static double uniform01(void)
{
	lcg_state ^= lcg_state << 13;
	lcg_state ^= lcg_state >> 7;
	lcg_state ^= lcg_state << 17;
	return (double)(lcg_state >> 11) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The same definition as the histogram: the smallest value with at least p%
 * of the values at or below it. */
static uint64_t reference_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static void assert_within(uint64_t got, uint64_t want, const char *what)
{
	double err = fabs((double)got - (double)want);
	if (err > (double)want / 128.0)
		fail_msg("%s: %llu vs reference %llu (relative error %.5f > 1/128)", what,
			 (unsigned long long)got, (unsigned long long)want, err / (double)want);
}

static void test_profiler__percentiles_within_error(void **state)
{
	enum { N = 200000 };
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_metrics *m;
	uint64_t *v = malloc(N * sizeof(*v));
	double sum = 0, sumsq = 0, mean, sd;
	size_t i;
	(void)state;

	assert_non_null(v);
	for (i = 0; i < N; i++) {
		/* Log-uniform over 1 ns .. 10 ms: every octave gets values. */
		v[i] = (uint64_t)exp(uniform01() * log(1e7)) + 1;
		PERFDB_BEGIN(sc, p, "latency");
		advance(v[i]);
		perfdb_profiler_end(&sc, 0);
		sum += (double)v[i];
	}
	mean = sum / N;
	for (i = 0; i < N; i++)
		sumsq += ((double)v[i] - mean) * ((double)v[i] - mean);
	sd = sqrt(sumsq / N);
	qsort(v, N, sizeof(*v), cmp_u64);

	s = snap(p);
	m = must_find(s, "latency");
	assert_int_equal(m->calls, N);
	assert_int_equal(m->min_ns, v[0]);
	assert_int_equal(m->max_ns, v[N - 1]);
	assert_true(fabs(m->mean_ns - mean) <= mean * 1e-9);
	assert_true(fabs(m->stddev_ns - sd) <= sd * 1e-6);
	assert_within(m->p50_ns, reference_percentile(v, N, 50), "p50");
	assert_within(m->p90_ns, reference_percentile(v, N, 90), "p90");
	assert_within(m->p95_ns, reference_percentile(v, N, 95), "p95");
	assert_within(m->p99_ns, reference_percentile(v, N, 99), "p99");
	assert_within(m->p999_ns, reference_percentile(v, N, 99.9), "p99.9");
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
	free(v);
}

/* ---- call tree and critical path ----------------------------------------------------- */

/* main 1 self -> parse 10 self (lex 3, tokenize 5) -> compute 2 self (step 20, step 20)
 *             -> write 5.  main = 1 + 18 + 42 + 5 = 66. */
static void leaf(perfdb_profiler *p, uint64_t cost, int which)
{
	switch (which) {
	case 0: {
		PERFDB_SCOPE(p, "lex");
		advance(cost);
		break;
	}
	case 1: {
		PERFDB_SCOPE(p, "tokenize");
		advance(cost);
		break;
	}
	case 2: {
		PERFDB_SCOPE(p, "step");
		advance(cost);
		break;
	}
	default: {
		PERFDB_SCOPE(p, "write");
		advance(cost);
		break;
	}
	}
}

static void parse(perfdb_profiler *p)
{
	PERFDB_SCOPE(p, "parse");
	advance(4);
	leaf(p, 3, 0);
	advance(6);
	leaf(p, 5, 1);
}

static void compute(perfdb_profiler *p)
{
	PERFDB_SCOPE(p, "compute");
	leaf(p, 20, 2);
	advance(2);
	leaf(p, 20, 2);
}

static void known_workload(perfdb_profiler *p)
{
	PERFDB_SCOPE(p, "main");
	parse(p);
	compute(p);
	advance(1);
	leaf(p, 5, 3);
}

static void assert_node(const perfdb_profiler_node *n, const char *name, unsigned depth,
			uint64_t calls, uint64_t incl, uint64_t self)
{
	if (strcmp(n->name, name) != 0)
		fail_msg("node '%s', expected '%s'", n->name, name);
	assert_int_equal(n->depth, depth);
	assert_int_equal(n->calls, calls);
	assert_int_equal(n->inclusive_ns, incl);
	assert_int_equal(n->self_ns, self);
}

static void test_profiler__critical_path_known_workload(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_node *nodes;
	size_t n;
	bool truncated = true;
	(void)state;

	known_workload(p);
	known_workload(p);
	s = snap(p);
	assert_int_equal(must_find(s, "main")->total_ns, 2 * 66);
	assert_int_equal(must_find(s, "main")->self_ns, 2 * 1);
	assert_int_equal(must_find(s, "parse")->self_ns, 2 * 10);
	assert_int_equal(must_find(s, "step")->calls, 4);
	assert_int_equal(must_find(s, "step")->total_ns, 80);

	perfdb_profiler_snapshot_critical_path(s, &nodes, &n);
	assert_int_equal(n, 3);
	assert_node(&nodes[0], "main", 0, 2, 132, 2);
	assert_node(&nodes[1], "compute", 1, 2, 84, 4);
	assert_node(&nodes[2], "step", 2, 4, 80, 80);
	assert_int_equal(nodes[0].parent, SIZE_MAX);
	assert_int_equal(nodes[1].parent, 0);
	assert_int_equal(nodes[2].parent, 1);

	perfdb_profiler_snapshot_tree(s, &nodes, &n, &truncated);
	assert_false(truncated);
	assert_int_equal(n, 7);
	assert_node(&nodes[0], "main", 0, 2, 132, 2);
	assert_node(&nodes[1], "compute", 1, 2, 84, 4);
	assert_node(&nodes[2], "step", 2, 4, 80, 80);
	assert_node(&nodes[3], "parse", 1, 2, 36, 20);
	assert_node(&nodes[4], "tokenize", 2, 2, 10, 10);
	assert_node(&nodes[5], "lex", 2, 2, 6, 6);
	assert_node(&nodes[6], "write", 1, 2, 10, 10);
	assert_int_equal(nodes[3].parent, 0);
	assert_int_equal(nodes[4].parent, 3);
	assert_int_equal(nodes[6].parent, 0);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

/* The same shape on the real clock, with sleeps: the structure must come out,
 * and no scope can be shorter than the sleep inside it. */
static void test_profiler__critical_path_real_sleeps(void **state)
{
	perfdb_profiler *p = new_profiler(NULL, 0);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_node *nodes;
	size_t n;
	(void)state;

	{
		PERFDB_SCOPE(p, "request");
		{
			PERFDB_SCOPE(p, "db");
			{
				PERFDB_SCOPE(p, "query");
				sleep_ns(30000000);
			}
			{
				PERFDB_SCOPE(p, "connect");
				sleep_ns(2000000);
			}
		}
		{
			PERFDB_SCOPE(p, "render");
			sleep_ns(5000000);
		}
	}
	s = snap(p);
	perfdb_profiler_snapshot_critical_path(s, &nodes, &n);
	assert_int_equal(n, 3);
	assert_string_equal(nodes[0].name, "request");
	assert_string_equal(nodes[1].name, "db");
	assert_string_equal(nodes[2].name, "query");
	assert_true(nodes[0].inclusive_ns >= 37000000);
	assert_true(nodes[1].inclusive_ns >= 32000000);
	assert_true(nodes[2].inclusive_ns >= 30000000);
	assert_true(nodes[1].self_ns < nodes[1].inclusive_ns);
	assert_int_equal(nodes[0].self_ns + must_find(s, "db")->total_ns +
			     must_find(s, "render")->total_ns,
			 nodes[0].inclusive_ns);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static void recurse(perfdb_profiler *p, int levels)
{
	PERFDB_SCOPE(p, "f");
	advance(10);
	if (levels > 1)
		recurse(p, levels - 1);
}

static void ping(perfdb_profiler *p, int n);

static void pong(perfdb_profiler *p, int n)
{
	PERFDB_SCOPE(p, "g");
	advance(1);
	if (n > 0)
		ping(p, n - 1);
}

static void ping(perfdb_profiler *p, int n)
{
	PERFDB_SCOPE(p, "h");
	advance(2);
	pong(p, n);
}

static void test_profiler__recursion_not_double_counted(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_metrics *m;
	const perfdb_profiler_node *nodes;
	size_t n;
	(void)state;

	recurse(p, 3); /* f 30 { f 20 { f 10 } } */
	s = snap(p);
	m = must_find(s, "f");
	assert_int_equal(m->calls, 3);
	assert_int_equal(m->total_ns, 30); /* not 30 + 20 + 10 */
	assert_int_equal(m->self_ns, 30);
	assert_int_equal(m->min_ns, 10);
	assert_int_equal(m->max_ns, 30);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->total_ns, 30);

	perfdb_profiler_snapshot_tree(s, &nodes, &n, NULL);
	assert_int_equal(n, 2);
	assert_node(&nodes[0], "f", 0, 1, 30, 10);
	assert_node(&nodes[1], "f", 1, 2, 20, 20); /* the outermost f -> f only */
	perfdb_profiler_snapshot_critical_path(s, &nodes, &n);
	assert_int_equal(n, 1);
	assert_node(&nodes[0], "f", 0, 1, 30, 10);
	perfdb_profiler_snapshot_free(s);

	/* Mutual recursion h -> g -> h -> g -> h -> g: each 3 ns deep. */
	perfdb_profiler_reset(p);
	ping(p, 2);
	s = snap(p);
	assert_int_equal(must_find(s, "h")->calls, 3);
	assert_int_equal(must_find(s, "h")->total_ns, 9);
	assert_int_equal(must_find(s, "g")->total_ns, 7);
	assert_int_equal(must_find(s, "g")->self_ns, 3);
	assert_int_equal(must_find(s, "h")->self_ns, 6);
	perfdb_profiler_snapshot_critical_path(s, &nodes, &n);
	assert_int_equal(n, 2);
	assert_node(&nodes[0], "h", 0, 1, 9, 2);
	assert_node(&nodes[1], "g", 1, 3, 7, 3);
	perfdb_profiler_snapshot_tree(s, &nodes, &n, NULL);
	assert_int_equal(n, 3);
	assert_node(&nodes[2], "h", 2, 2, 6, 4); /* shown, not expanded */
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

/* ---- slow calls -------------------------------------------------------------------- */

#define MAX_SLOW 16
struct slow_log {
	int n;
	char name[MAX_SLOW][32];
	char parent[MAX_SLOW][32];
	uint64_t dur[MAX_SLOW];
	uint64_t threshold[MAX_SLOW];
	bool error[MAX_SLOW];
};

static void on_slow(void *ctx, const perfdb_profiler_slow_call *c)
{
	struct slow_log *log = ctx;
	assert_true(log->n < MAX_SLOW);
	snprintf(log->name[log->n], sizeof(log->name[0]), "%s", c->name);
	snprintf(log->parent[log->n], sizeof(log->parent[0]), "%s", c->parent ? c->parent : "-");
	log->dur[log->n] = c->duration_ns;
	log->threshold[log->n] = c->threshold_ns;
	log->error[log->n] = c->error;
	log->n++;
}

static void timed(perfdb_profiler *p, uint64_t d, int error)
{
	PERFDB_BEGIN(sc, p, "op");
	advance(d);
	perfdb_profiler_end(&sc, error);
}

static void timed_strict(perfdb_profiler *p, uint64_t d)
{
	PERFDB_SCOPE_OPTS(p, "op", 50, PERFDB_PROFILER_INHERIT);
	advance(d);
}

static void timed_quiet(perfdb_profiler *p, uint64_t d)
{
	PERFDB_SCOPE_OPTS(p, "quiet", PERFDB_PROFILER_INHERIT, 0);
	advance(d);
}

static void timed_never(perfdb_profiler *p, uint64_t d)
{
	PERFDB_BEGIN_OPTS(sc, p, "never", 0, PERFDB_PROFILER_INHERIT);
	advance(d);
	perfdb_profiler_end(&sc, 0);
}

static void timed_loud(perfdb_profiler *p, uint64_t d)
{
	PERFDB_SCOPE_OPTS(p, "loud", PERFDB_PROFILER_INHERIT, 1);
	advance(d);
}

static void test_profiler__slow_callback_fires_exactly_for_slow_calls(void **state)
{
	static const uint64_t durations[] = {5, 15, 10, 11, 100, 9, 10};
	perfdb_profiler_options o = PERFDB_PROFILER_OPTIONS_INIT;
	struct slow_log log;
	perfdb_profiler *p = NULL;
	perfdb_profiler_snapshot *s;
	FILE *f = tmpfile();
	char line[256];
	size_t i;
	(void)state;

	memset(&log, 0, sizeof(log));
	assert_non_null(f);
	o.clock = PERFDB_PROFILER_CLOCK_CUSTOM;
	o.clock_fn = fake_clock;
	o.slow_threshold_ns = 10;
	o.on_slow = on_slow;
	o.on_slow_ctx = &log;
	o.slow_log = f;
	assert_int_equal(perfdb_profiler_new(&p, &o), 0);

	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		timed(p, durations[i], i == 4);
	/* Strictly above the threshold: 15, 11, 100 - not 10. */
	assert_int_equal(log.n, 3);
	assert_string_equal(log.name[0], "op");
	assert_int_equal(log.dur[0], 15);
	assert_int_equal(log.dur[1], 11);
	assert_int_equal(log.dur[2], 100);
	assert_int_equal(log.threshold[2], 10);
	assert_true(log.error[2]);
	assert_false(log.error[0]);
	assert_string_equal(log.parent[0], "-");

	/* A site with its own threshold (50): only 100 is slow there. */
	log.n = 0;
	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		timed_strict(p, durations[i]);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.dur[0], 100);
	assert_int_equal(log.threshold[0], 50);

	/* A site that never reports counts its slow calls all the same; a site
	 * with threshold 0 has none. */
	log.n = 0;
	timed_quiet(p, 500);
	timed_never(p, 500);
	assert_int_equal(log.n, 0);

	/* Nested: the parent is named; the slow child is reported before its
	 * parent ends. */
	{
		PERFDB_SCOPE(p, "outer");
		timed(p, 12, 0);
	}
	assert_int_equal(log.n, 2);
	assert_string_equal(log.name[0], "op");
	assert_string_equal(log.parent[0], "outer");
	assert_string_equal(log.name[1], "outer");

	s = snap(p);
	assert_int_equal(must_find(s, "op")->slow, 3 + 1 + 1);
	assert_int_equal(must_find(s, "quiet")->slow, 1);
	assert_int_equal(must_find(s, "never")->slow, 0);
	assert_int_equal(must_find(s, "op")->errors, 1);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->slow, 3 + 1 + 1 + 1 + 1);
	perfdb_profiler_snapshot_free(s);

	/* The log has one line per reported call. */
	rewind(f);
	i = 0;
	while (fgets(line, sizeof(line), f)) {
		if (i == 0)
			assert_string_equal(line, "perfdb: slow scope 'op': 15 ns > 10 ns\n");
		if (i == 2)
			assert_string_equal(line,
					    "perfdb: slow scope 'op': 100 ns > 10 ns (failed)\n");
		i++;
	}
	assert_int_equal(i, 3 + 1 + 2);
	fclose(f);
	perfdb_profiler_free(p);

	/* Reporting off by default: only a site that asks reports. */
	memset(&log, 0, sizeof(log));
	o.slow_report = false;
	o.slow_log = NULL;
	assert_int_equal(perfdb_profiler_new(&p, &o), 0);
	timed(p, 100, 0);
	timed_loud(p, 100);
	assert_int_equal(log.n, 1);
	assert_string_equal(log.name[0], "loud");
	perfdb_profiler_free(p);
}

/* ---- reset, errors, limits ----------------------------------------------------------- */

static void test_profiler__reset_empties_figures(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 5);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_node *nodes;
	size_t n;
	(void)state;

	known_workload(p);
	timed(p, 100, 1);
	perfdb_profiler_reset(p);
	s = snap(p);
	assert_int_equal(perfdb_profiler_snapshot_count(s), 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->calls, 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->slow, 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->errors, 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->names, 8); /* names stay */
	perfdb_profiler_snapshot_tree(s, &nodes, &n, NULL);
	assert_int_equal(n, 0);
	assert_null(perfdb_profiler_snapshot_find(s, "main"));
	perfdb_profiler_snapshot_free(s);

	/* Recording goes on after a reset, from zero. */
	known_workload(p);
	s = snap(p);
	assert_int_equal(must_find(s, "main")->calls, 1);
	assert_int_equal(must_find(s, "main")->total_ns, 66);
	assert_null(perfdb_profiler_snapshot_find(s, "op"));
	perfdb_profiler_snapshot_free(s);

	/* A scope open across a reset ends into the emptied figures. */
	{
		PERFDB_SCOPE(p, "across");
		advance(3);
		perfdb_profiler_reset(p);
		advance(4);
	}
	s = snap(p);
	assert_int_equal(perfdb_profiler_snapshot_count(s), 1);
	assert_int_equal(must_find(s, "across")->total_ns, 7);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static int failing_call(int x)
{
	advance(4);
	return x < 0 ? -1 : x;
}

static void test_profiler__errors_from_end_call_wrapper_and_fail(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	int rc = 0, i;
	(void)state;

	for (i = -3; i < 5; i++)
		PERFDB_CALL_ERR(p, "call", rc = failing_call(i), rc < 0);
	PERFDB_CALL(p, "plain", rc = failing_call(-1));
	assert_int_equal(rc, -1);
	for (i = 0; i < 4; i++) {
		PERFDB_SCOPE(p, "scoped");
		advance(1);
		if (i % 2)
			perfdb_profiler_fail(p);
	}
	/* fail() with no open scope does nothing. */
	perfdb_profiler_fail(p);
	s = snap(p);
	assert_int_equal(must_find(s, "call")->calls, 8);
	assert_int_equal(must_find(s, "call")->errors, 3);
	assert_int_equal(must_find(s, "call")->total_ns, 32);
	assert_int_equal(must_find(s, "plain")->errors, 0);
	assert_int_equal(must_find(s, "scoped")->calls, 4);
	assert_int_equal(must_find(s, "scoped")->errors, 2);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->errors, 5);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static void test_profiler__name_limit_drops_new_names(void **state)
{
	perfdb_profiler_options o = PERFDB_PROFILER_OPTIONS_INIT;
	static perfdb_profiler_site sites[4] = {
	    PERFDB_PROFILER_SITE_INIT("a"), PERFDB_PROFILER_SITE_INIT("b"),
	    PERFDB_PROFILER_SITE_INIT("c"), PERFDB_PROFILER_SITE_INIT("a")};
	perfdb_profiler *p = NULL;
	perfdb_profiler_snapshot *s;
	int i, k;
	(void)state;

	o.clock = PERFDB_PROFILER_CLOCK_CUSTOM;
	o.clock_fn = fake_clock;
	o.name_limit = 2;
	assert_int_equal(perfdb_profiler_new(&p, &o), 0);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 4; k++) {
			perfdb_profiler_scope sc = perfdb_profiler_begin(p, &sites[k]);
			if (k == 2)
				assert_null(sc.frame);
			advance(1);
			perfdb_profiler_end(&sc, 0);
		}
	}
	s = snap(p);
	assert_int_equal(perfdb_profiler_snapshot_count(s), 2);
	/* Two sites with the same name share it. */
	assert_int_equal(must_find(s, "a")->calls, 6);
	assert_int_equal(must_find(s, "b")->calls, 3);
	assert_null(perfdb_profiler_snapshot_find(s, "c"));
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->dropped, 3);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->names, 2);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static void nest(perfdb_profiler *p, int n)
{
	PERFDB_SCOPE(p, "deep");
	advance(1);
	if (n > 1)
		nest(p, n - 1);
}

static void test_profiler__depth_limit_and_unbalanced_ends(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	(void)state;

	nest(p, PERFDB_PROFILER_MAX_DEPTH + 3);
	s = snap(p);
	assert_int_equal(must_find(s, "deep")->calls, PERFDB_PROFILER_MAX_DEPTH);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->dropped, 3);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_reset(p);

	{
		PERFDB_BEGIN(a, p, "a");
		PERFDB_BEGIN(b, p, "b");
		advance(5);
		perfdb_profiler_end(&a, 0); /* b never ended: discarded */
		assert_null(a.frame);
		perfdb_profiler_end(&a, 0); /* a second end: nothing */
		{
			PERFDB_BEGIN(x, p, "x");
			PERFDB_BEGIN(c, p, "c"); /* takes b's place on the stack */
			advance(2);
			perfdb_profiler_end(&b, 0); /* stale: must not end c */
			perfdb_profiler_end(&c, 0);
			perfdb_profiler_end(&x, 0);
		}
	}
	s = snap(p);
	assert_int_equal(must_find(s, "a")->calls, 1);
	assert_int_equal(must_find(s, "a")->self_ns, 5);
	assert_null(perfdb_profiler_snapshot_find(s, "b"));
	assert_int_equal(must_find(s, "c")->calls, 1);
	assert_int_equal(must_find(s, "c")->total_ns, 2);
	assert_int_equal(must_find(s, "x")->total_ns, 2);
	assert_int_equal(must_find(s, "x")->self_ns, 0);
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->unbalanced, 1);
	perfdb_profiler_snapshot_free(s);

	/* b's name is free of open frames again: it records normally. */
	{
		PERFDB_BEGIN(b2, p, "b");
		advance(1);
		perfdb_profiler_end(&b2, 0);
	}
	s = snap(p);
	assert_int_equal(must_find(s, "b")->total_ns, 1);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

/* ---- threads that exit ----------------------------------------------------------------- */

static void *short_lived(void *arg)
{
	perfdb_profiler *p = arg;
	int i;
	for (i = 0; i < 1000; i++) {
		PERFDB_SCOPE(p, "job");
	}
	return NULL;
}

static void *exits_inside_scope(void *arg)
{
	perfdb_profiler *p = arg;
	PERFDB_BEGIN(sc, p, "job");
	(void)sc;
	return NULL; /* never ended: the next owner of the shard must not see it */
}

static void test_profiler__exited_threads_keep_figures(void **state)
{
	perfdb_profiler *p = new_profiler(tick_clock, 0);
	perfdb_profiler_snapshot *s;
	pthread_t t;
	int i;
	(void)state;

	for (i = 0; i < 5; i++) {
		assert_int_equal(pthread_create(&t, NULL, short_lived, p), 0);
		assert_int_equal(pthread_join(t, NULL), 0);
	}
	assert_int_equal(pthread_create(&t, NULL, exits_inside_scope, p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, short_lived, p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	s = snap(p);
	assert_int_equal(must_find(s, "job")->calls, 6000);
	assert_int_equal(must_find(s, "job")->total_ns, 6000);
	/* One thread at a time: each new thread took over the shard of the last. */
	assert_int_equal(perfdb_profiler_snapshot_summary(s)->threads, 1);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

/* ---- queries ---------------------------------------------------------------------- */

static void test_profiler__top_n_by_statistic(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	const perfdb_profiler_metrics *top[8];
	size_t n, i;
	(void)state;

	/* many: 100 calls x 1 ns; few: 2 x 500 ns; mid: 10 x 30 ns, one 1000. */
	for (i = 0; i < 100; i++) {
		PERFDB_BEGIN(a, p, "many");
		advance(1);
		perfdb_profiler_end(&a, 0);
	}
	for (i = 0; i < 2; i++) {
		PERFDB_BEGIN(b, p, "few");
		advance(500);
		perfdb_profiler_end(&b, 0);
	}
	for (i = 0; i < 10; i++) {
		PERFDB_BEGIN(c, p, "mid");
		advance(i == 9 ? 1000 : 30);
		perfdb_profiler_end(&c, 0);
	}
	s = snap(p);
	n = perfdb_profiler_snapshot_top(top, 2, s, PERFDB_PROFILER_STAT_CALLS);
	assert_int_equal(n, 2);
	assert_string_equal(top[0]->name, "many");
	assert_string_equal(top[1]->name, "mid");
	n = perfdb_profiler_snapshot_top(top, 8, s, PERFDB_PROFILER_STAT_TOTAL);
	assert_int_equal(n, 3);
	assert_string_equal(top[0]->name, "mid"); /* 1270 */
	assert_string_equal(top[1]->name, "few"); /* 1000 */
	assert_string_equal(top[2]->name, "many");
	n = perfdb_profiler_snapshot_top(top, 1, s, PERFDB_PROFILER_STAT_MEAN);
	assert_int_equal(n, 1);
	assert_string_equal(top[0]->name, "few");
	n = perfdb_profiler_snapshot_top(top, 1, s, PERFDB_PROFILER_STAT_MAX);
	assert_string_equal(top[0]->name, "mid");
	n = perfdb_profiler_snapshot_top(top, 3, s, PERFDB_PROFILER_STAT_P99);
	assert_string_equal(top[0]->name, "mid");
	assert_string_equal(top[1]->name, "few");
	n = perfdb_profiler_snapshot_top(top, 3, s, PERFDB_PROFILER_STAT_P50);
	assert_string_equal(top[0]->name, "few");
	assert_string_equal(top[1]->name, "mid");
	/* Ties rank by name. */
	n = perfdb_profiler_snapshot_top(top, 3, s, PERFDB_PROFILER_STAT_ERRORS);
	assert_int_equal(n, 3);
	assert_string_equal(top[0]->name, "few");
	assert_string_equal(top[1]->name, "many");
	assert_int_equal(perfdb_profiler_snapshot_top(top, 0, s, PERFDB_PROFILER_STAT_CALLS), 0);
	/* All metrics, in registration order. */
	assert_int_equal(perfdb_profiler_snapshot_count(s), 3);
	assert_string_equal(perfdb_profiler_snapshot_get(s, 0)->name, "many");
	assert_null(perfdb_profiler_snapshot_get(s, 3));
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static void test_profiler__json_dump(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	json_error_t jerr;
	json_t *root, *metrics, *m, *path;
	char *text = NULL;
	size_t i;
	(void)state;

	known_workload(p);
	s = snap(p);
	assert_int_equal(perfdb_profiler_snapshot_json(&text, s), 0);
	root = json_loads(text, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "clock")), "custom");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(root, "summary"), "calls")), 8);
	metrics = json_object_get(root, "metrics");
	assert_int_equal(json_array_size(metrics), 7);
	m = NULL;
	for (i = 0; i < json_array_size(metrics); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(metrics, i), "name")),
			   "main") == 0)
			m = json_array_get(metrics, i);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "total_ns")), 66);
	assert_int_equal(json_integer_value(json_object_get(m, "p99_ns")), 66);
	path = json_object_get(root, "critical_path");
	assert_int_equal(json_array_size(path), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(path, 2), "name")),
			    "step");
	assert_true(json_is_null(json_object_get(json_array_get(path, 0), "parent")));
	assert_int_equal(json_array_size(json_object_get(root, "tree")), 7);
	json_decref(root);
	free(text);
	assert_int_equal(perfdb_profiler_snapshot_json(&text, NULL), PERFDB_EINVAL);
	assert_null(text);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static const perfdb_result *find_result(const perfdb_resultset *rs, const char *bench,
					const char *metric)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if (strcmp(r->benchmark, bench) == 0 && strcmp(r->metric, metric) == 0)
			return r;
	}
	fail_msg("no result %s/%s", bench, metric);
	return NULL;
}

static void test_profiler__export_to_resultset(void **state)
{
	perfdb_profiler *p = new_profiler(fake_clock, 0);
	perfdb_resultset *rs = NULL;
	const perfdb_result *r;
	(void)state;

	known_workload(p);
	known_workload(p);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_profiler_export(rs, p), 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "profiler");
	assert_int_equal(perfdb_resultset_count(rs), 7 * 6);
	r = find_result(rs, "main", "calls");
	assert_true(r->value == 2.0);
	assert_string_equal(r->unit, "calls");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	r = find_result(rs, "main", "mean");
	assert_true(r->value == 66.0);
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_int_equal(r->n, 2);
	assert_true(r->min == 66.0 && r->max == 66.0 && r->stddev == 0.0 && r->median == 66.0);
	r = find_result(rs, "step", "p99");
	assert_true(r->value == 20.0);
	r = find_result(rs, "parse", "self");
	assert_true(r->value == 10.0);
	r = find_result(rs, "compute", "max");
	assert_true(r->value == 42.0);
	r = find_result(rs, "compute", "p50");
	assert_true(r->value == 42.0);
	assert_int_equal(perfdb_profiler_export(NULL, p), PERFDB_EINVAL);
	perfdb_resultset_free(rs);

	/* A source the caller set is kept. */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "myservice"), 0);
	assert_int_equal(perfdb_profiler_export(rs, p), 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "myservice");
	perfdb_resultset_free(rs);
	perfdb_profiler_free(p);
}

/* ---- the global profiler and several profilers -------------------------------------- */

static void global_work(void)
{
	PERFDB_SCOPE(NULL, "global.work");
}

static void test_profiler__global_profiler(void **state)
{
	perfdb_profiler_snapshot *s;
	perfdb_profiler *g;
	int i;
	(void)state;

	for (i = 0; i < 10; i++)
		global_work();
	g = perfdb_profiler_global();
	assert_non_null(g);
	assert_ptr_equal(g, perfdb_profiler_global());
	assert_int_equal(perfdb_profiler_global_init(NULL), PERFDB_EINVAL);
	assert_int_equal(perfdb_profiler_snapshot_new(&s, NULL), 0);
	assert_int_equal(must_find(s, "global.work")->calls, 10);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_reset(NULL);
	s = snap(g);
	assert_null(perfdb_profiler_snapshot_find(s, "global.work"));
	perfdb_profiler_snapshot_free(s);
}

static void test_profiler__one_site_several_profilers(void **state)
{
	perfdb_profiler *a = new_profiler(fake_clock, 0);
	perfdb_profiler *b = new_profiler(fake_clock, 0);
	perfdb_profiler_snapshot *s;
	int i;
	(void)state;

	/* b registers another name first, so the site's id differs per profiler. */
	timed(b, 1, 0);
	for (i = 0; i < 6; i++)
		work_scope(i % 3 ? a : b);
	s = snap(a);
	assert_int_equal(must_find(s, "work")->calls, 4);
	perfdb_profiler_snapshot_free(s);
	s = snap(b);
	assert_int_equal(must_find(s, "work")->calls, 2);
	assert_int_equal(must_find(s, "op")->calls, 1);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(a);
	/* A new profiler (maybe at a's address) must not inherit the site's id. */
	a = new_profiler(fake_clock, 0);
	timed(a, 1, 0);
	work_scope(a);
	s = snap(a);
	assert_int_equal(must_find(s, "work")->calls, 1);
	assert_int_equal(must_find(s, "op")->calls, 1);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(a);
	perfdb_profiler_free(b);
}

/* The TSC calibration: a scope timed on the TSC must agree with
 * CLOCK_MONOTONIC readings taken just outside it. */
static void test_profiler__tsc_agrees_with_monotonic(void **state)
{
	perfdb_profiler_options o = PERFDB_PROFILER_OPTIONS_INIT;
	perfdb_profiler *p = NULL;
	perfdb_profiler_snapshot *s;
	struct timespec t0, t1;
	uint64_t outside, measured;
	int rc;
	(void)state;

	o.clock = PERFDB_PROFILER_CLOCK_TSC;
	rc = perfdb_profiler_new(&p, &o);
	if (rc == PERFDB_ENOTFOUND) {
		print_message("no usable TSC here (%s): skipped\n", perfdb_error_last()->message);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_string_equal(perfdb_profiler_clock_name(p), "tsc");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	{
		PERFDB_SCOPE(p, "sleep");
		sleep_ns(50000000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	outside = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
		  (uint64_t)t0.tv_nsec;
	s = snap(p);
	measured = must_find(s, "sleep")->total_ns;
	assert_true(measured >= 50000000u * 0.995);
	assert_true(measured <= outside * 1.005);
	perfdb_profiler_snapshot_free(s);
	perfdb_profiler_free(p);
}

static void test_profiler__bytes_per_name(void **state)
{
	(void)state;
	assert_true(perfdb_profiler_bytes_per_name() >= PERFDB_HISTOGRAM_BYTES);
	assert_true(perfdb_profiler_bytes_per_name() < PERFDB_HISTOGRAM_BYTES + 256);
	assert_true(perfdb_profiler_bytes_per_edge() <= 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_profiler__new_rejects_bad_options),
	    cmocka_unit_test(test_profiler__stat_parse),
	    cmocka_unit_test(test_profiler__disabled_records_nothing),
	    cmocka_unit_test(test_profiler__two_threads_exact_counts_and_sums),
	    cmocka_unit_test(test_profiler__two_threads_real_clock_consistent),
	    cmocka_unit_test(test_profiler__percentiles_within_error),
	    cmocka_unit_test(test_profiler__critical_path_known_workload),
	    cmocka_unit_test(test_profiler__critical_path_real_sleeps),
	    cmocka_unit_test(test_profiler__recursion_not_double_counted),
	    cmocka_unit_test(test_profiler__slow_callback_fires_exactly_for_slow_calls),
	    cmocka_unit_test(test_profiler__reset_empties_figures),
	    cmocka_unit_test(test_profiler__errors_from_end_call_wrapper_and_fail),
	    cmocka_unit_test(test_profiler__name_limit_drops_new_names),
	    cmocka_unit_test(test_profiler__depth_limit_and_unbalanced_ends),
	    cmocka_unit_test(test_profiler__exited_threads_keep_figures),
	    cmocka_unit_test(test_profiler__top_n_by_statistic),
	    cmocka_unit_test(test_profiler__json_dump),
	    cmocka_unit_test(test_profiler__export_to_resultset),
	    cmocka_unit_test(test_profiler__global_profiler),
	    cmocka_unit_test(test_profiler__one_site_several_profilers),
	    cmocka_unit_test(test_profiler__tsc_agrees_with_monotonic),
	    cmocka_unit_test(test_profiler__bytes_per_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
