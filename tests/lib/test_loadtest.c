/*
 * Unit tests of lib/instrument/loadtest.c with real threads and real sleeps.
 * Timing checks assert structure with wide margins (a sleep never ends early;
 * a stall shows in the corrected latency and not in the service time), never
 * a speed, and each test takes well under 2 s.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "perfdb/loadtest.h"

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(double ms)
{
	struct timespec ts;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	nanosleep(&ts, NULL);
}

typedef struct counter {
	atomic_ulong calls;
	unsigned fail_every; /* call n (1-based) fails with code 42 when n % fail_every == 0 */
} counter;

static int count_fn(void *arg)
{
	counter *c = arg;
	unsigned long n = atomic_fetch_add(&c->calls, 1) + 1;
	return c->fail_every && n % c->fail_every == 0 ? 42 : 0;
}

static int noop_fn(void *arg)
{
	(void)arg;
	return 0;
}

static void test_loadtest__counts_exact(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	counter c = {0, 7};
	(void)state;

	o.users = 4;
	o.requests = 10000;
	assert_int_equal(perfdb_loadtest_run(&r, count_fn, &c, &o), 0);
	assert_int_equal(atomic_load(&c.calls), 10000);
	assert_int_equal(r.requests, 10000);
	assert_int_equal(r.failures, 10000 / 7);
	assert_int_equal(r.successes + r.failures, r.requests);
	assert_int_equal(r.latency.count, 10000);
	assert_int_equal(r.latency_histogram->count, 10000);
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.errors[0].code, 42);
	assert_int_equal(r.errors[0].count, 10000 / 7);
	assert_int_equal(r.other_errors, 0);
	assert_true(fabs(r.success_rate - (10000.0 - 1428) / 10000) < 1e-12);
	assert_int_equal(r.model, PERFDB_LOADTEST_CLOSED);
	assert_int_equal(r.users, 4);
	assert_int_equal(r.workers, 4);
	assert_true(r.duration > 0);
	assert_true(fabs(r.throughput - r.requests / r.duration) < 1e-6 * r.throughput);
	assert_true(r.latency.min <= r.latency.p50 && r.latency.p50 <= r.latency.p99 &&
		    r.latency.p99 <= r.latency.max);
	/* the closed model's latency is its service time */
	assert_true(r.service.p99 == r.latency.p99 && r.service.count == r.latency.count);
	assert_int_equal(r.nuser_start, 4);
	perfdb_loadtest_result_release(&r);
	assert_null(r.errors);
	perfdb_loadtest_result_release(NULL);
}

/* 1 ms per call, so that both threads are surely running before the end. */
static int count_sleep_fn(void *arg)
{
	sleep_ms(1);
	return count_fn(arg);
}

static void test_loadtest__more_users_than_workers(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	counter c = {0, 0};
	size_t i;
	(void)state;

	o.users = 5;
	o.max_workers = 2;
	o.requests = 41;
	assert_int_equal(perfdb_loadtest_run(&r, count_sleep_fn, &c, &o), 0);
	assert_int_equal(atomic_load(&c.calls), 41);
	assert_int_equal(r.requests, 41);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.successes, 41);
	assert_int_equal(r.nerrors, 0);
	assert_null(r.errors);
	assert_int_equal(r.workers, 2);
	assert_int_equal(r.users, 5);
	/* every user got a turn: a thread serves its users in turn */
	assert_int_equal(r.nuser_start, 5);
	for (i = 0; i < 5; i++)
		assert_false(isnan(r.user_start[i]));
	perfdb_loadtest_result_release(&r);
}

static int code_fn(void *arg)
{
	counter *c = arg;
	unsigned long n = atomic_fetch_add(&c->calls, 1);
	return (int)(n % c->fail_every); /* 0, 1, 2, ... fail_every-1 */
}

static void test_loadtest__errors_by_code(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	counter c = {0, 4};
	uint64_t sum = 0;
	size_t i;
	(void)state;

	o.requests = 4000; /* one user: codes 1, 2, 3 a thousand times each */
	assert_int_equal(perfdb_loadtest_run(&r, code_fn, &c, &o), 0);
	assert_int_equal(r.failures, 3000);
	assert_int_equal(r.nerrors, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r.errors[i].code, (int)i + 1); /* equal counts: by code */
		assert_int_equal(r.errors[i].count, 1000);
	}
	perfdb_loadtest_result_release(&r);

	/* 40 codes: 16 distinct ones are kept per worker, the rest counted apart */
	atomic_store(&c.calls, 0);
	c.fail_every = 40;
	o.requests = 4000;
	assert_int_equal(perfdb_loadtest_run(&r, code_fn, &c, &o), 0);
	assert_int_equal(r.failures, 3900);
	assert_int_equal(r.nerrors, 16);
	for (i = 0; i < r.nerrors; i++)
		sum += r.errors[i].count;
	assert_int_equal(sum + r.other_errors, r.failures);
	assert_int_equal(r.other_errors, 3900 - 1600);
	perfdb_loadtest_result_release(&r);
}

/* Every third call is discarded, every other one of the rest fails. */
static int discard_fn(void *arg)
{
	counter *c = arg;
	unsigned long n = atomic_fetch_add(&c->calls, 1);
	if (n % 3 == 2)
		return PERFDB_LOADTEST_DISCARD;
	return (int)(n % 2);
}

static void test_loadtest__discarded_calls_do_not_count(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	counter c = {0, 0};
	(void)state;

	/* closed model by count, one user: calls 0..2999, 1000 discarded; of the
	 * 2000 kept (n % 3 in {0, 1}) those with n odd fail: 1000 */
	o.requests = 3000;
	assert_int_equal(perfdb_loadtest_run(&r, discard_fn, &c, &o), 0);
	assert_int_equal(atomic_load(&c.calls), 3000);
	assert_int_equal(r.requests, 2000);
	assert_int_equal(r.failures, 1000);
	assert_int_equal(r.successes, 1000);
	assert_int_equal(r.latency.count, 2000);
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.errors[0].code, 1);
	assert_int_equal(r.errors[0].count, 1000);
	perfdb_loadtest_result_release(&r);

	/* open model: 300 slots, every third discarded */
	atomic_store(&c.calls, 0);
	o.requests = 300;
	o.rate = 100000;
	assert_int_equal(perfdb_loadtest_run(&r, discard_fn, &c, &o), 0);
	assert_int_equal(r.requests, 200);
	assert_int_equal(r.failures, 100);
	assert_int_equal(r.latency.count, 200);
	assert_int_equal(r.service.count, 200);
	assert_true(r.late_starts <= 200);
	perfdb_loadtest_result_release(&r);
}

static void test_loadtest__bad_options(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	(void)state;

	/* defaults alone: neither a count nor a duration */
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, NULL), PERFDB_EINVAL);
	assert_int_equal(perfdb_error_last()->code, PERFDB_EINVAL);
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.requests = 10;
	o.duration = 1;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.duration = 0;
	o.users = 0;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.users = 1;
	o.think_time = -1;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.think_time = NAN;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.think_time = 0.01;
	o.rate = 100; /* think time means nothing in the open model */
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.think_time = 0;
	o.rate = -5;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.rate = 10;
	o.requests = 0;
	o.duration = 0.01; /* 0.1 request scheduled */
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.rate = 0;
	o.version = 99;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), PERFDB_EINVAL);
	o.version = PERFDB_LOADTEST_OPTIONS_VERSION;
	assert_int_equal(perfdb_loadtest_run(&r, NULL, NULL, &o), PERFDB_EINVAL);
	assert_int_equal(perfdb_loadtest_run(NULL, noop_fn, NULL, &o), PERFDB_EINVAL);
	/* the valid one runs */
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), 0);
	assert_true(r.requests > 0);
	perfdb_loadtest_result_release(&r);
}

static void test_loadtest__ramp_up_spacing(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	size_t i;
	(void)state;

	/* 5 users over 2 s: first requests at 0, 0.4, 0.8, 1.2, 1.6 s (spaced
	 * far apart, so a loaded runner's scheduling delays cannot blur them) */
	o.users = 5;
	o.ramp_up = 2.0;
	o.duration = 2.5;
	o.think_time = 0.01;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), 0);
	assert_int_equal(r.nuser_start, 5);
	for (i = 0; i < 5; i++) {
		double want = 0.4 * (double)i;
		/* never early; late by at most a (generous) scheduling delay */
		assert_true(r.user_start[i] >= want - 1e-4);
		assert_true(r.user_start[i] < want + 0.2);
		if (i > 0)
			assert_true(r.user_start[i] - r.user_start[i - 1] > 0.2);
	}
	perfdb_loadtest_result_release(&r);

	/* a user whose start falls after the end never starts: NAN, not 0 */
	o.users = 2;
	o.ramp_up = 1.0;
	o.duration = 0.2;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), 0);
	assert_false(isnan(r.user_start[0]));
	assert_true(isnan(r.user_start[1]));
	perfdb_loadtest_result_release(&r);
}

typedef struct stamps {
	double t[16];
	int n;
} stamps;

static int stamp_fn(void *arg)
{
	stamps *s = arg;
	if (s->n < 16)
		s->t[s->n++] = mono_s();
	return 0;
}

static void test_loadtest__think_time(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	stamps s = {{0}, 0};
	int i;
	(void)state;

	o.requests = 6; /* one user: six calls on one thread, 30 ms apart at least */
	o.think_time = 0.03;
	assert_int_equal(perfdb_loadtest_run(&r, stamp_fn, &s, &o), 0);
	assert_int_equal(s.n, 6);
	for (i = 1; i < 6; i++)
		assert_true(s.t[i] - s.t[i - 1] >= 0.03);
	assert_true(r.duration >= 5 * 0.03);
	/* think time is not latency */
	assert_true(r.latency.max < 0.03e9);
	perfdb_loadtest_result_release(&r);
}

static int sleep1_fn(void *arg)
{
	(void)arg;
	sleep_ms(1);
	return 0;
}

static void test_loadtest__duration_mode(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	(void)state;

	o.users = 2;
	o.duration = 0.2;
	assert_int_equal(perfdb_loadtest_run(&r, sleep1_fn, NULL, &o), 0);
	assert_true(r.requests >= 2);
	assert_int_equal(r.successes, r.requests);
	/* the last requests start before the end and are counted */
	assert_true(r.duration >= 0.2);
	assert_true(r.duration < 1.5);
	assert_true(r.latency.min >= 1e6); /* a 1 ms sleep is never shorter */
	perfdb_loadtest_result_release(&r);
}

static int stop_after(void *arg, const perfdb_loadtest_progress *p)
{
	int *calls = arg;
	assert_true(p->elapsed > 0);
	assert_true(p->requests >= p->failures);
	return ++*calls >= 3;
}

static void test_loadtest__progress_stops(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	int calls = 0;
	(void)state;

	o.users = 2;
	o.duration = 30; /* stopped long before */
	o.progress = stop_after;
	o.progress_arg = &calls;
	o.progress_interval = 0.05;
	assert_int_equal(perfdb_loadtest_run(&r, sleep1_fn, NULL, &o), 0);
	assert_int_equal(calls, 3);
	assert_true(r.stopped);
	assert_true(r.duration < 5);
	assert_true(r.requests > 0);
	assert_int_equal(r.successes + r.failures, r.requests);
	perfdb_loadtest_result_release(&r);
}

/* Fails when more than two requests are in flight: breaks at three users. */
typedef struct inflight {
	atomic_int now;
	int limit;
	double slow_ms; /* sleep this long above the limit instead of failing */
} inflight;

static int inflight_fn(void *arg)
{
	inflight *f = arg;
	int n = atomic_fetch_add(&f->now, 1) + 1;
	int rc = 0;
	if (n > f->limit && f->slow_ms > 0)
		sleep_ms(f->slow_ms);
	else
		sleep_ms(1);
	if (n > f->limit && f->slow_ms == 0)
		rc = 7;
	atomic_fetch_sub(&f->now, 1);
	return rc;
}

static void test_loadtest__stress_steps(void **state)
{
	perfdb_loadtest_stress_options so = PERFDB_LOADTEST_STRESS_OPTIONS_INIT;
	perfdb_loadtest_stress_result sr;
	(void)state;

	so.start_users = 1;
	so.max_users = 6;
	so.step_users = 2;
	so.step_duration = 0.1;
	assert_int_equal(perfdb_loadtest_stress(&sr, sleep1_fn, NULL, NULL, &so), 0);
	/* 1, 3, 5, then the last step runs max_users */
	assert_int_equal(sr.nsteps, 4);
	assert_int_equal(sr.steps[0].users, 1);
	assert_int_equal(sr.steps[1].users, 3);
	assert_int_equal(sr.steps[2].users, 5);
	assert_int_equal(sr.steps[3].users, 6);
	assert_int_equal(sr.reason, PERFDB_LOADTEST_BREAK_NONE);
	assert_int_equal(sr.broke_at, -1);
	assert_int_equal(sr.broke_at_users, 0);
	assert_int_equal(sr.capacity_users, 6);
	assert_false(sr.stopped_early);
	assert_true(sr.steps[3].requests > 0 && sr.steps[3].duration >= 0.1);
	assert_string_equal(perfdb_loadtest_break_name(sr.reason), "none");
	perfdb_loadtest_stress_result_release(&sr);
	assert_null(sr.steps);
	perfdb_loadtest_stress_result_release(NULL);
}

static void test_loadtest__stress_stops_on_error_rate(void **state)
{
	perfdb_loadtest_stress_options so = PERFDB_LOADTEST_STRESS_OPTIONS_INIT;
	perfdb_loadtest_stress_result sr;
	inflight f = {0, 2, 0};
	(void)state;

	so.start_users = 1;
	so.max_users = 6;
	so.step_users = 1;
	so.step_duration = 0.15;
	so.max_error_rate = 0.10;
	assert_int_equal(perfdb_loadtest_stress(&sr, inflight_fn, &f, NULL, &so), 0);
	assert_int_equal(sr.nsteps, 3);
	assert_int_equal(sr.reason, PERFDB_LOADTEST_BREAK_ERROR_RATE);
	assert_int_equal(sr.broke_at, 2);
	assert_int_equal(sr.broke_at_users, 3);
	assert_int_equal(sr.capacity_users, 2);
	assert_true(sr.stopped_early);
	assert_int_equal(sr.steps[0].failures, 0);
	assert_int_equal(sr.steps[1].failures, 0);
	assert_true(sr.steps[2].failures > sr.steps[2].requests / 10);
	assert_int_equal(sr.steps[2].errors[0].code, 7);
	assert_string_equal(perfdb_loadtest_break_name(sr.reason), "error_rate");
	perfdb_loadtest_stress_result_release(&sr);
}

static void test_loadtest__stress_stops_on_p99(void **state)
{
	perfdb_loadtest_stress_options so = PERFDB_LOADTEST_STRESS_OPTIONS_INIT;
	perfdb_loadtest_stress_result sr;
	/* 150 ms per request above two in flight, a limit of 75 ms: far from
	 * both, so a loaded machine's scheduling delays (tens of ms on a shared
	 * 2-core runner) cannot break the first step */
	inflight f = {0, 2, 150};
	(void)state;

	so.start_users = 2;
	so.max_users = 10;
	so.step_users = 2;
	so.step_duration = 0.5;
	so.max_p99_ns = 75e6;
	assert_int_equal(perfdb_loadtest_stress(&sr, inflight_fn, &f, NULL, &so), 0);
	assert_int_equal(sr.reason, PERFDB_LOADTEST_BREAK_P99);
	assert_int_equal(sr.nsteps, 2);
	assert_int_equal(sr.broke_at, 1);
	assert_int_equal(sr.broke_at_users, 4);
	assert_int_equal(sr.capacity_users, 2);
	assert_true(sr.stopped_early);
	assert_true(sr.steps[1].latency.p99 > 0.075e9);
	assert_int_equal(sr.steps[1].failures, 0);
	perfdb_loadtest_stress_result_release(&sr);
}

static void test_loadtest__stress_bad_options(void **state)
{
	perfdb_loadtest_stress_options so = PERFDB_LOADTEST_STRESS_OPTIONS_INIT;
	perfdb_loadtest_stress_result sr;
	(void)state;

	so.start_users = 4;
	so.max_users = 2;
	assert_int_equal(perfdb_loadtest_stress(&sr, noop_fn, NULL, NULL, &so), PERFDB_EINVAL);
	so.max_users = 4;
	so.step_users = 0;
	assert_int_equal(perfdb_loadtest_stress(&sr, noop_fn, NULL, NULL, &so), PERFDB_EINVAL);
	so.step_users = 1;
	so.step_duration = 0;
	assert_int_equal(perfdb_loadtest_stress(&sr, noop_fn, NULL, NULL, &so), PERFDB_EINVAL);
	so.step_duration = 0.01;
	so.max_error_rate = 2;
	assert_int_equal(perfdb_loadtest_stress(&sr, noop_fn, NULL, NULL, &so), PERFDB_EINVAL);
	so.max_error_rate = -1;
	so.max_p99_ns = -1;
	assert_int_equal(perfdb_loadtest_stress(&sr, noop_fn, NULL, NULL, &so), PERFDB_EINVAL);
	so.max_p99_ns = 0;
	assert_int_equal(perfdb_loadtest_stress(&sr, noop_fn, NULL, NULL, NULL), PERFDB_EINVAL);
	assert_int_equal(perfdb_loadtest_stress(&sr, noop_fn, NULL, NULL, &so), 0);
	assert_int_equal(sr.nsteps, 1);
	perfdb_loadtest_stress_result_release(&sr);
}

typedef struct stall {
	atomic_int calls;
	int at; /* the call that stalls */
	double ms;
} stall;

static int stall_fn(void *arg)
{
	stall *s = arg;
	if (atomic_fetch_add(&s->calls, 1) == s->at)
		sleep_ms(s->ms);
	return 0;
}

static void test_loadtest__open_model_stall(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	stall s = {0, 100, 200};
	(void)state;

	/* 1,000 requests/s for 1 s on two workers; one request stalls 200 ms.
	 * The stalled worker's next ~100 requests start late: measured from
	 * their intended start they show the stall, their service time not. */
	o.users = 2;
	o.rate = 1000;
	o.duration = 1.0;
	assert_int_equal(perfdb_loadtest_run(&r, stall_fn, &s, &o), 0);
	assert_int_equal(r.model, PERFDB_LOADTEST_OPEN);
	assert_int_equal(r.requests, 1000); /* late, never dropped */
	assert_int_equal(atomic_load(&s.calls), 1000);
	assert_true(r.target_rate == 1000);
	assert_true(r.latency.p99 >= 150e6);
	assert_true(r.service.p99 < 50e6);
	assert_true(r.latency.max >= 200e6);
	assert_true(r.service.max >= 200e6); /* the stalled request itself */
	assert_true(r.late_starts >= 50);
	assert_int_equal(r.latency.count, r.service.count);
	assert_null(r.user_start);
	perfdb_loadtest_result_release(&r);
}

typedef struct starts {
	double t[200];
	atomic_int n;
} starts;

static int start_fn(void *arg)
{
	starts *s = arg;
	int i = atomic_fetch_add(&s->n, 1);
	if (i < 200)
		s->t[i] = mono_s();
	return 0;
}

static void test_loadtest__open_model_schedule(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	starts *s = calloc(1, sizeof(*s));
	double before;
	int k;
	(void)state;

	/* 200 requests at 2,000/s on one worker: request k never starts
	 * before its intended time, t0 + k / 2000 s. t0 is not known here, but
	 * it is not before the call; measuring from the first request instead
	 * would fail whenever that one started late (a busy machine). */
	assert_non_null(s);
	o.rate = 2000;
	o.requests = 200;
	before = mono_s();
	assert_int_equal(perfdb_loadtest_run(&r, start_fn, s, &o), 0);
	assert_int_equal(r.requests, 200);
	assert_int_equal(atomic_load(&s->n), 200);
	for (k = 1; k < 200; k++)
		assert_true(s->t[k] - before >= k / 2000.0 - 1e-6);
	assert_true(r.duration >= 199 / 2000.0);
	assert_true(r.throughput <= 2000 * 1.01);
	perfdb_loadtest_result_release(&r);
	free(s);
}

static int slow_fn(void *arg)
{
	(void)arg;
	sleep_ms(3);
	return 0;
}

static void test_loadtest__open_model_late_starts(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r;
	(void)state;

	/* one worker, 3 ms per request, asked for 1,000/s: it cannot keep up;
	 * every scheduled request still runs, late, and is counted so */
	o.rate = 1000;
	o.requests = 60;
	o.late_threshold = 0.001;
	assert_int_equal(perfdb_loadtest_run(&r, slow_fn, NULL, &o), 0);
	assert_int_equal(r.requests, 60);
	assert_true(r.late_starts >= 50);
	assert_true(r.latency.max > 100e6); /* the queue grew to ~120 ms */
	assert_true(r.service.max < 100e6);
	assert_true(r.throughput < 500);
	perfdb_loadtest_result_release(&r);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void test_loadtest__histogram_accuracy(void **state)
{
	perfdb_histogram *h = malloc(sizeof(*h));
	perfdb_loadtest_latency l;
	uint64_t *v = malloc(100000 * sizeof(*v));
	const double ps[] = {50, 90, 95, 99, 99.9};
	double sum = 0;
	size_t i, j;
	uint64_t x = 88172645463325252ull, mx = 0, mn = UINT64_MAX;
	(void)state;

	assert_non_null(h);
	assert_non_null(v);
	perfdb_histogram_init(h);
	/* log-uniform values from 100 ns to 1 s */
	for (i = 0; i < 100000; i++) {
		double u;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		u = (double)(x >> 11) / 9007199254740992.0;
		v[i] = (uint64_t)(100.0 * pow(1e7, u));
		perfdb_histogram_record(h, v[i]);
		sum += (double)v[i];
		mx = v[i] > mx ? v[i] : mx;
		mn = v[i] < mn ? v[i] : mn;
	}
	qsort(v, 100000, sizeof(*v), cmp_u64); /* exact order statistics */
	perfdb_loadtest_latency_from_histogram(&l, h);
	assert_int_equal(l.count, 100000);
	assert_true(l.min == (double)mn && l.max == (double)mx);
	assert_true(fabs(l.mean - sum / 100000) < 1e-6 * l.mean);
	for (j = 0; j < 5; j++) {
		double want = (double)v[(size_t)ceil(ps[j] / 100 * 100000) - 1];
		double got = j == 0   ? l.p50
			     : j == 1 ? l.p90
			     : j == 2 ? l.p95
			     : j == 3 ? l.p99
				      : l.p999;
		if (!(fabs(got - want) <= want / 128 + 1)) {
			print_error("p%g: got %g want %g\n", ps[j], got, want);
			fail();
		}
	}
	/* empty: NAN, never 0 */
	perfdb_histogram_init(h);
	perfdb_loadtest_latency_from_histogram(&l, h);
	assert_int_equal(l.count, 0);
	assert_true(isnan(l.p99) && isnan(l.mean) && isnan(l.min));
	free(v);
	free(h);
}

static perfdb_loadtest_result fake(double tput, double success, double lat)
{
	perfdb_loadtest_result r;
	perfdb_loadtest_result_init(&r);
	r.requests = 1000;
	r.throughput = tput;
	r.success_rate = success;
	r.latency.count = 1000;
	r.latency.mean = lat;
	r.latency.p50 = lat;
	r.latency.p90 = lat * 2;
	r.latency.p95 = lat * 3;
	r.latency.p99 = lat * 4;
	return r;
}

static const perfdb_loadtest_change *change(const perfdb_loadtest_comparison *c, const char *metric)
{
	size_t i;
	for (i = 0; i < c->nchanges; i++)
		if (strcmp(c->changes[i].metric, metric) == 0)
			return &c->changes[i];
	fail_msg("no metric %s", metric);
	return NULL;
}

static void test_loadtest__compare_verdicts(void **state)
{
	perfdb_loadtest_comparison c;
	perfdb_loadtest_result base = fake(1000, 1.0, 1e6);
	perfdb_loadtest_result same = fake(1020, 1.0, 1.05e6);
	perfdb_loadtest_result slow = fake(1000, 1.0, 1.2e6);
	perfdb_loadtest_result fast = fake(1500, 1.0, 0.5e6);
	perfdb_loadtest_result fewer = fake(850, 1.0, 1e6);
	perfdb_loadtest_result mixed = fake(1500, 1.0, 2e6);
	perfdb_loadtest_result errs = fake(1000, 0.5, 1e6);
	perfdb_loadtest_result zero = fake(0, 1.0, 1e6);
	(void)state;

	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &same, &base, 10, 10), 0);
	assert_int_equal(c.verdict, PERFDB_LOADTEST_PASS);
	assert_int_equal(c.nchanges, 7);
	assert_true(fabs(change(&c, "throughput")->change_pct - 2.0) < 1e-9);
	assert_true(fabs(change(&c, "latency_p99")->change_pct - 5.0) < 1e-9);
	assert_int_equal(change(&c, "throughput")->direction, PERFDB_HIGHER_IS_BETTER);
	assert_int_equal(change(&c, "latency_mean")->direction, PERFDB_LOWER_IS_BETTER);

	/* latency +20% over a 10% threshold: a regression; not over 25% */
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &slow, &base, 10, 10), 0);
	assert_int_equal(c.verdict, PERFDB_LOADTEST_REGRESSION);
	assert_int_equal(change(&c, "latency_p50")->verdict, PERFDB_LOADTEST_REGRESSION);
	assert_int_equal(change(&c, "throughput")->verdict, PERFDB_LOADTEST_PASS);
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &slow, &base, 25, 10), 0);
	assert_int_equal(c.verdict, PERFDB_LOADTEST_PASS);

	/* better throughput and latency: an improvement */
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &fast, &base, 10, 10), 0);
	assert_int_equal(c.verdict, PERFDB_LOADTEST_IMPROVEMENT);
	assert_int_equal(change(&c, "throughput")->verdict, PERFDB_LOADTEST_IMPROVEMENT);
	assert_int_equal(change(&c, "latency_p99")->verdict, PERFDB_LOADTEST_IMPROVEMENT);
	assert_true(fabs(change(&c, "latency_p99")->change_pct + 50.0) < 1e-9);

	/* throughput -15% over a 10% threshold */
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &fewer, &base, 10, 10), 0);
	assert_int_equal(c.verdict, PERFDB_LOADTEST_REGRESSION);
	assert_int_equal(change(&c, "throughput")->verdict, PERFDB_LOADTEST_REGRESSION);
	assert_true(fabs(change(&c, "throughput")->change_pct + 15.0) < 1e-9);

	/* one regression outweighs any improvement */
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &mixed, &base, 10, 10), 0);
	assert_int_equal(c.verdict, PERFDB_LOADTEST_REGRESSION);
	assert_int_equal(change(&c, "throughput")->verdict, PERFDB_LOADTEST_IMPROVEMENT);

	/* success rate halves */
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &errs, &base, 10, 10), 0);
	assert_int_equal(change(&c, "success_rate")->verdict, PERFDB_LOADTEST_REGRESSION);

	/* from a zero baseline: an infinite change, in the right direction */
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &base, &zero, 10, 10), 0);
	assert_true(isinf(change(&c, "throughput")->change_pct));
	assert_int_equal(change(&c, "throughput")->verdict, PERFDB_LOADTEST_IMPROVEMENT);

	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &base, &base, -1, 10),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, &base, &base, 10, NAN),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_loadtest_compare_with_baseline(&c, NULL, &base, 10, 10),
			 PERFDB_EINVAL);
	assert_string_equal(perfdb_loadtest_verdict_name(PERFDB_LOADTEST_REGRESSION), "regression");
}

static const perfdb_result *find(const perfdb_resultset *rs, const char *bench, const char *metric)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if (strcmp(r->benchmark, bench) == 0 && strcmp(r->metric, metric) == 0)
			return r;
	}
	return NULL;
}

static void test_loadtest__export(void **state)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	perfdb_loadtest_result r, empty;
	perfdb_resultset *rs;
	const perfdb_result *x;
	counter c = {0, 4};
	(void)state;

	o.users = 2;
	o.requests = 1000;
	assert_int_equal(perfdb_loadtest_run(&r, count_fn, &c, &o), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_loadtest_result_export(rs, &r, "api"), 0);
	assert_int_equal(perfdb_resultset_count(rs), 9);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "loadtest");
	x = find(rs, "api", "throughput");
	assert_non_null(x);
	assert_int_equal(x->direction, PERFDB_HIGHER_IS_BETTER);
	assert_true(fabs(x->value - r.throughput) < 1e-9 * r.throughput);
	x = find(rs, "api", "success_rate");
	assert_non_null(x);
	assert_int_equal(x->direction, PERFDB_HIGHER_IS_BETTER);
	assert_true(fabs(x->value - 75.0) < 1e-9);
	assert_string_equal(x->unit, "%");
	x = find(rs, "api", "latency_p99");
	assert_non_null(x);
	assert_int_equal(x->direction, PERFDB_LOWER_IS_BETTER);
	assert_string_equal(x->unit, "ns");
	assert_true(x->value == r.latency.p99);
	x = find(rs, "api", "latency_mean");
	assert_non_null(x);
	assert_int_equal(x->n, 1000);
	assert_null(find(rs, "api", "late_starts"));
	perfdb_loadtest_result_release(&r);

	/* the open model adds the service time and late starts */
	o.rate = 5000;
	o.requests = 100;
	o.users = 1;
	assert_int_equal(perfdb_loadtest_run(&r, noop_fn, NULL, &o), 0);
	assert_int_equal(perfdb_loadtest_result_export(rs, &r, "open"), 0);
	assert_non_null(find(rs, "open", "service_p99"));
	x = find(rs, "open", "late_starts");
	assert_non_null(x);
	assert_int_equal(x->direction, PERFDB_LOWER_IS_BETTER);
	perfdb_loadtest_result_release(&r);

	/* no request: throughput 0 and a warning, no made-up latency */
	perfdb_loadtest_result_init(&empty);
	assert_int_equal(perfdb_loadtest_result_export(rs, &empty, "none"), 0);
	assert_non_null(find(rs, "none", "throughput"));
	assert_null(find(rs, "none", "latency_p50"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	assert_int_equal(perfdb_loadtest_result_export(rs, &empty, ""), PERFDB_EINVAL);
	perfdb_resultset_free(rs);
}

static void test_loadtest__stress_export(void **state)
{
	perfdb_loadtest_stress_options so = PERFDB_LOADTEST_STRESS_OPTIONS_INIT;
	perfdb_loadtest_stress_result sr;
	perfdb_resultset *rs;
	const perfdb_result *x;
	(void)state;

	so.start_users = 1;
	so.max_users = 2;
	so.step_duration = 0.05;
	assert_int_equal(perfdb_loadtest_stress(&sr, sleep1_fn, NULL, NULL, &so), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_loadtest_stress_export(rs, &sr, "svc"), 0);
	assert_non_null(find(rs, "svc/users:1", "throughput"));
	assert_non_null(find(rs, "svc/users:2", "latency_p99"));
	x = find(rs, "svc", "capacity_users");
	assert_non_null(x);
	assert_true(x->value == 2);
	assert_int_equal(x->direction, PERFDB_HIGHER_IS_BETTER);
	perfdb_resultset_free(rs);
	perfdb_loadtest_stress_result_release(&sr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loadtest__counts_exact),
	    cmocka_unit_test(test_loadtest__more_users_than_workers),
	    cmocka_unit_test(test_loadtest__errors_by_code),
	    cmocka_unit_test(test_loadtest__discarded_calls_do_not_count),
	    cmocka_unit_test(test_loadtest__bad_options),
	    cmocka_unit_test(test_loadtest__ramp_up_spacing),
	    cmocka_unit_test(test_loadtest__think_time),
	    cmocka_unit_test(test_loadtest__duration_mode),
	    cmocka_unit_test(test_loadtest__progress_stops),
	    cmocka_unit_test(test_loadtest__stress_steps),
	    cmocka_unit_test(test_loadtest__stress_stops_on_error_rate),
	    cmocka_unit_test(test_loadtest__stress_stops_on_p99),
	    cmocka_unit_test(test_loadtest__stress_bad_options),
	    cmocka_unit_test(test_loadtest__open_model_stall),
	    cmocka_unit_test(test_loadtest__open_model_schedule),
	    cmocka_unit_test(test_loadtest__open_model_late_starts),
	    cmocka_unit_test(test_loadtest__histogram_accuracy),
	    cmocka_unit_test(test_loadtest__compare_verdicts),
	    cmocka_unit_test(test_loadtest__export),
	    cmocka_unit_test(test_loadtest__stress_export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
