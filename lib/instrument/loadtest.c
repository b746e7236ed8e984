/*
 * loadtest.c - closed, open and stress load tests of a C function.
 *
 * The request path of a worker reads the clock twice, calls fn, records into
 * its own histogram and bumps its own counters: no lock, no allocation, no
 * shared write except a ticket claimed in batches (closed model with a
 * request count). Everything is merged on the caller's thread at the end.
 */
#include "perfdb/loadtest.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>

#include "instrument/timer.h"
#include "util/error.h"

/* Distinct failure codes a worker tells apart; more go to other_errors. */
#define MAX_CODES 16
/* A wait shorter than this is spun rather than slept: a sleep costs a
 * system call and a wake-up that is far longer than the wait itself. */
#define SPIN_NS	 2000u
#define NS_PER_S 1000000000.0

typedef struct user_state {
	uint64_t next_ns;  /* the user may start its next request at this time */
	uint64_t first_ns; /* start of its first request, 0 until then */
} user_state;

struct shared;

typedef struct worker {
	perfdb_histogram latency;
	perfdb_histogram service; /* open model only */
	struct shared *sh;
	unsigned index;
	user_state *users; /* this worker's users, contiguous */
	unsigned nusers;
	uint64_t requests, failures, late, other_errors;
	int codes[MAX_CODES];
	uint64_t code_count[MAX_CODES];
	unsigned ncodes;
	uint64_t end_ns; /* end of its last request */
	pthread_t thread;
	/* Read by the progress loop on another thread: on a line of its own so
	 * that the reads do not slow the writes of the fields above. */
	alignas(64) _Atomic uint64_t done;
	_Atomic uint64_t failed;
} worker;

typedef struct shared {
	perfdb_loadtest_fn fn;
	void *ctx;
	bool open;
	unsigned nworkers, nusers;
	uint64_t t0;
	uint64_t deadline; /* closed model by duration; UINT64_MAX otherwise */
	uint64_t total;	   /* closed model by count; 0 otherwise */
	uint64_t batch;	   /* tickets claimed at once, at most */
	uint64_t think_ns, ramp_ns;
	uint64_t nslots;    /* open model: scheduled requests */
	double interval_ns; /* open model: 1e9 / rate */
	uint64_t late_ns;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned ready, finished;
	int state; /* 0 wait, 1 go, 2 abort */
	alignas(64) _Atomic uint64_t ticket;
	alignas(64) _Atomic int stop;
} shared;

static void sleep_until(uint64_t t)
{
	struct timespec ts;
	ts.tv_sec = (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Waits until t: sleeps for long waits, spins the last few microseconds. */
static uint64_t wait_until(uint64_t t)
{
	uint64_t now = perfdb_timer__monotonic_ns();
	if (now >= t)
		return now;
	if (t - now > SPIN_NS) {
		sleep_until(t);
		now = perfdb_timer__monotonic_ns();
	}
	while (now < t)
		now = perfdb_timer__monotonic_ns();
	return now;
}

static void count_failure(worker *w, int rc)
{
	unsigned i;
	w->failures++;
	for (i = 0; i < w->ncodes; i++) {
		if (w->codes[i] == rc) {
			w->code_count[i]++;
			return;
		}
	}
	if (w->ncodes < MAX_CODES) {
		w->codes[w->ncodes] = rc;
		w->code_count[w->ncodes++] = 1;
		return;
	}
	w->other_errors++;
}

/* The user of this worker that may start soonest. */
static inline user_state *pick_user(worker *w)
{
	user_state *best = &w->users[0];
	unsigned i;
	for (i = 1; i < w->nusers; i++)
		if (w->users[i].next_ns < best->next_ns)
			best = &w->users[i];
	return best;
}

static void closed_loop(worker *w)
{
	shared *sh = w->sh;
	const bool counted = sh->total != 0;
	uint64_t tickets = 0; /* claimed and not yet used */
	uint64_t batch = 1, claimed_at = 0;
	perfdb_loadtest_fn fn = sh->fn;
	void *ctx = sh->ctx;

	for (;;) {
		user_state *u = pick_user(w);
		uint64_t start, end;
		int rc;

		if (u->next_ns >= sh->deadline)
			break; /* no user of ours starts again before the end */
		start = wait_until(u->next_ns);
		if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
			break;
		if (counted) {
			if (tickets == 0) {
				uint64_t t;
				/* Aim at a batch lasting 20-200 µs: big enough that
				 * the shared counter costs nothing per request, small
				 * enough that no worker sits on many requests at the
				 * end while the others have run out. */
				if (claimed_at && start - claimed_at < 20000u && batch < sh->batch)
					batch *= 2;
				else if (start - claimed_at > 200000u && batch > 1)
					batch /= 2;
				claimed_at = start;
				t = atomic_fetch_add_explicit(&sh->ticket, batch,
							      memory_order_relaxed);
				if (t >= sh->total)
					break;
				tickets = sh->total - t < batch ? sh->total - t : batch;
			}
			tickets--;
		} else if (start >= sh->deadline) {
			break;
		}
		if (u->first_ns == 0)
			u->first_ns = start;
		rc = fn(ctx);
		end = perfdb_timer__monotonic_ns();
		u->next_ns = end + sh->think_ns;
		if (__builtin_expect(rc == PERFDB_LOADTEST_DISCARD, 0))
			continue;
		perfdb_histogram_record(&w->latency, end - start);
		w->requests++;
		if (rc != 0) {
			count_failure(w, rc);
			atomic_store_explicit(&w->failed, w->failures, memory_order_relaxed);
		}
		atomic_store_explicit(&w->done, w->requests, memory_order_relaxed);
		w->end_ns = end;
	}
	/* Tickets claimed and unused are simply not run: requests counts what
	 * was done, and the total is reached by the other workers' claims. */
}

static void open_loop(worker *w)
{
	shared *sh = w->sh;
	perfdb_loadtest_fn fn = sh->fn;
	void *ctx = sh->ctx;
	uint64_t k;

	/* Wake-ups within 1 ns of the requested time, not the default 50 µs
	 * slack: at 100k requests/s the slack alone would exceed the gaps. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	for (k = w->index; k < sh->nslots; k += sh->nworkers) {
		uint64_t intended = sh->t0 + (uint64_t)((double)k * sh->interval_ns);
		uint64_t start, end;
		int rc;

		if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
			break;
		start = wait_until(intended);
		rc = fn(ctx);
		end = perfdb_timer__monotonic_ns();
		if (__builtin_expect(rc == PERFDB_LOADTEST_DISCARD, 0))
			continue;
		if (start - intended > sh->late_ns)
			w->late++;
		perfdb_histogram_record(&w->latency, end - intended);
		perfdb_histogram_record(&w->service, end - start);
		w->requests++;
		if (rc != 0) {
			count_failure(w, rc);
			atomic_store_explicit(&w->failed, w->failures, memory_order_relaxed);
		}
		atomic_store_explicit(&w->done, w->requests, memory_order_relaxed);
		w->end_ns = end;
	}
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	shared *sh = w->sh;
	int state;

	/* Touch the histograms before the clock starts. */
	perfdb_histogram_init(&w->latency);
	perfdb_histogram_init(&w->service);
	pthread_mutex_lock(&sh->mu);
	sh->ready++;
	pthread_cond_broadcast(&sh->cv);
	while (sh->state == 0)
		pthread_cond_wait(&sh->cv, &sh->mu);
	state = sh->state;
	pthread_mutex_unlock(&sh->mu);
	if (state != 1)
		return NULL;

	w->end_ns = sh->t0;
	if (sh->open) {
		open_loop(w);
	} else {
		unsigned i;
		/* User g = slot * nworkers + index starts at ramp * g / users. */
		for (i = 0; i < w->nusers; i++) {
			uint64_t g = (uint64_t)i * sh->nworkers + w->index;
			w->users[i].next_ns =
			    sh->t0 + (uint64_t)((double)sh->ramp_ns * (double)g / sh->nusers);
			w->users[i].first_ns = 0;
		}
		closed_loop(w);
	}

	pthread_mutex_lock(&sh->mu);
	sh->finished++;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

/* ---- options ------------------------------------------------------------------- */

void perfdb_loadtest_options_init(perfdb_loadtest_options *opts)
{
	perfdb_loadtest_options d = PERFDB_LOADTEST_OPTIONS_INIT;
	*opts = d;
}

void perfdb_loadtest_stress_options_init(perfdb_loadtest_stress_options *opts)
{
	perfdb_loadtest_stress_options d = PERFDB_LOADTEST_STRESS_OPTIONS_INIT;
	*opts = d;
}

static bool bad_seconds(double s)
{
	return !(s >= 0.0) || !isfinite(s) || s > 1e6;
}

static int check_options(const perfdb_loadtest_options *o)
{
	if (o->version != PERFDB_LOADTEST_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "loadtest: unknown options version %u",
					 o->version);
	if (o->users == 0)
		return perfdb_error__set(PERFDB_EINVAL, "loadtest: users must be at least 1");
	if (bad_seconds(o->duration) || bad_seconds(o->ramp_up) || bad_seconds(o->think_time) ||
	    bad_seconds(o->late_threshold) || bad_seconds(o->progress_interval))
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: durations must be finite, 0 or more seconds");
	if ((o->requests == 0) == (o->duration <= 0.0))
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: set exactly one of requests and duration");
	if (!(o->rate >= 0.0) || !isfinite(o->rate) || o->rate > 1e9)
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: rate must be between 0 and 1e9 requests/s");
	if (o->rate > 0.0 && (o->ramp_up > 0.0 || o->think_time > 0.0))
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: ramp-up and think time apply to the closed "
					 "model only, not with a rate");
	if (o->rate > 0.0 && o->requests == 0 && llround(o->rate * o->duration) < 1)
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: rate * duration schedules no request");
	return 0;
}

/* ---- results ------------------------------------------------------------------- */

void perfdb_loadtest_result_init(perfdb_loadtest_result *r)
{
	memset(r, 0, sizeof(*r));
}

void perfdb_loadtest_result_release(perfdb_loadtest_result *r)
{
	if (!r)
		return;
	free(r->errors);
	free(r->user_start);
	free(r->latency_histogram);
	free(r->service_histogram);
	memset(r, 0, sizeof(*r));
}

void perfdb_loadtest_latency_from_histogram(perfdb_loadtest_latency *out, const perfdb_histogram *h)
{
	out->count = h->count;
	if (h->count == 0) {
		/* No request, no latency: NAN, never a made-up zero. */
		out->min = out->mean = out->stddev = out->p50 = out->p90 = out->p95 = out->p99 =
		    out->p999 = out->max = NAN;
		return;
	}
	out->min = (double)h->min;
	out->max = (double)h->max;
	out->mean = perfdb_histogram_mean(h);
	out->stddev = perfdb_histogram_stddev(h);
	out->p50 = (double)perfdb_histogram_quantile(h, 0.5);
	out->p90 = (double)perfdb_histogram_quantile(h, 0.9);
	out->p95 = (double)perfdb_histogram_quantile(h, 0.95);
	out->p99 = (double)perfdb_histogram_quantile(h, 0.99);
	out->p999 = (double)perfdb_histogram_quantile(h, 0.999);
}

static int cmp_error(const void *a, const void *b)
{
	const perfdb_loadtest_error *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->code > y->code) - (x->code < y->code);
}

static int merge_results(perfdb_loadtest_result *out, const shared *sh, worker *ws)
{
	unsigned i, j;
	size_t k, ncodes = 0;
	uint64_t end = sh->t0;
	perfdb_loadtest_error *errs;

	out->latency_histogram = malloc(sizeof(perfdb_histogram));
	out->service_histogram = malloc(sizeof(perfdb_histogram));
	errs = calloc((size_t)sh->nworkers * MAX_CODES + 1, sizeof(*errs));
	if (!sh->open)
		out->user_start = malloc(sizeof(double) * sh->nusers);
	if (!out->latency_histogram || !out->service_histogram || !errs ||
	    (!sh->open && !out->user_start)) {
		free(errs);
		return perfdb_error__oom();
	}
	perfdb_histogram_init(out->latency_histogram);
	perfdb_histogram_init(out->service_histogram);
	for (i = 0; i < sh->nworkers; i++) {
		worker *w = &ws[i];
		perfdb_histogram_merge(out->latency_histogram, &w->latency);
		if (sh->open)
			perfdb_histogram_merge(out->service_histogram, &w->service);
		out->requests += w->requests;
		out->failures += w->failures;
		out->late_starts += w->late;
		out->other_errors += w->other_errors;
		if (w->end_ns > end)
			end = w->end_ns;
		for (j = 0; j < w->ncodes; j++) {
			for (k = 0; k < ncodes; k++)
				if (errs[k].code == w->codes[j])
					break;
			if (k == ncodes) {
				errs[ncodes].code = w->codes[j];
				errs[ncodes++].count = 0;
			}
			errs[k].count += w->code_count[j];
		}
		if (!sh->open) {
			for (j = 0; j < w->nusers; j++) {
				size_t g = (size_t)j * sh->nworkers + w->index;
				out->user_start[g] =
				    w->users[j].first_ns
					? (double)(w->users[j].first_ns - sh->t0) / NS_PER_S
					: NAN;
			}
		}
	}
	if (!sh->open) {
		out->nuser_start = sh->nusers;
		memcpy(out->service_histogram, out->latency_histogram, sizeof(perfdb_histogram));
	}
	qsort(errs, ncodes, sizeof(*errs), cmp_error);
	if (ncodes == 0) {
		free(errs);
		errs = NULL;
	}
	out->errors = errs;
	out->nerrors = ncodes;
	out->successes = out->requests - out->failures;
	out->success_rate = out->requests ? (double)out->successes / (double)out->requests : 0.0;
	out->duration = (double)(end - sh->t0) / NS_PER_S;
	out->throughput = out->duration > 0.0 ? (double)out->requests / out->duration : 0.0;
	perfdb_loadtest_latency_from_histogram(&out->latency, out->latency_histogram);
	perfdb_loadtest_latency_from_histogram(&out->service, out->service_histogram);
	return 0;
}

/* ---- running ---------------------------------------------------------------------- */

static uint64_t seconds_ns(double s)
{
	return (uint64_t)llround(s * NS_PER_S);
}

/* Waits for the workers, calling the progress callback meanwhile. */
static void supervise(shared *sh, worker *ws, const perfdb_loadtest_options *o, unsigned step)
{
	uint64_t interval = seconds_ns(o->progress_interval > 0.0 ? o->progress_interval : 0.25);
	uint64_t prev_t = sh->t0, prev_done = 0, next = sh->t0 + interval;

	pthread_mutex_lock(&sh->mu);
	while (sh->finished < sh->nworkers) {
		struct timespec ts;
		int rc = 0;
		if (!o->progress) {
			pthread_cond_wait(&sh->cv, &sh->mu);
			continue;
		}
		ts.tv_sec = (time_t)(next / 1000000000u);
		ts.tv_nsec = (long)(next % 1000000000u);
		rc = pthread_cond_timedwait(&sh->cv, &sh->mu, &ts);
		if (rc == ETIMEDOUT) {
			perfdb_loadtest_progress p;
			uint64_t t, done = 0, failed = 0;
			unsigned i;
			pthread_mutex_unlock(&sh->mu);
			for (i = 0; i < sh->nworkers; i++) {
				done += atomic_load_explicit(&ws[i].done, memory_order_relaxed);
				failed += atomic_load_explicit(&ws[i].failed, memory_order_relaxed);
			}
			t = perfdb_timer__monotonic_ns();
			p.elapsed = (double)(t - sh->t0) / NS_PER_S;
			p.requests = done;
			p.failures = failed;
			p.current_rate = t > prev_t ? (double)(done - prev_done) * NS_PER_S /
							  (double)(t - prev_t)
						    : 0.0;
			p.users = sh->nusers;
			p.step = step;
			if (o->progress(o->progress_arg, &p) != 0)
				atomic_store(&sh->stop, 1);
			prev_t = t;
			prev_done = done;
			next = t + interval;
			pthread_mutex_lock(&sh->mu);
		}
	}
	pthread_mutex_unlock(&sh->mu);
}

static int run_test(perfdb_loadtest_result *out, perfdb_loadtest_fn fn, void *ctx,
		    const perfdb_loadtest_options *o, unsigned step)
{
	shared *sh = NULL;
	worker *ws = NULL;
	pthread_condattr_t ca;
	unsigned max_workers, nworkers, i, created = 0;
	int err = 0;

	max_workers = o->max_workers ? o->max_workers : PERFDB_LOADTEST_DEFAULT_MAX_WORKERS;
	nworkers = o->users < max_workers ? o->users : max_workers;

	sh = aligned_alloc(64, (sizeof(shared) + 63) / 64 * 64);
	ws = aligned_alloc(64, sizeof(worker) * nworkers);
	if (!sh || !ws) {
		free(sh);
		free(ws);
		return perfdb_error__oom();
	}
	memset(sh, 0, sizeof(*sh));
	memset(ws, 0, sizeof(worker) * nworkers);
	sh->fn = fn;
	sh->ctx = ctx;
	sh->open = o->rate > 0.0;
	sh->nworkers = nworkers;
	sh->nusers = o->users;
	sh->deadline = UINT64_MAX;
	sh->think_ns = seconds_ns(o->think_time);
	sh->ramp_ns = seconds_ns(o->ramp_up);
	sh->late_ns = seconds_ns(o->late_threshold);
	atomic_init(&sh->ticket, 0);
	atomic_init(&sh->stop, 0);
	if (sh->open) {
		sh->interval_ns = NS_PER_S / o->rate;
		sh->nslots = o->requests ? o->requests : (uint64_t)llround(o->rate * o->duration);
	} else if (o->requests) {
		uint64_t b = o->requests / ((uint64_t)nworkers * 64u);
		sh->total = o->requests;
		/* A worker never claims more than 1/64 of its share at once, so
		 * the split stays fair. With think time every request is one
		 * ticket: a thinking user never holds tickets others could use. */
		sh->batch = b < 1 ? 1 : b > 1024 ? 1024 : b;
		if (sh->think_ns || nworkers < o->users)
			sh->batch = 1;
	}

	for (i = 0; i < nworkers; i++) {
		worker *w = &ws[i];
		w->sh = sh;
		w->index = i;
		atomic_init(&w->done, 0);
		atomic_init(&w->failed, 0);
		if (!sh->open) {
			size_t bytes;
			w->nusers = o->users / nworkers + (i < o->users % nworkers ? 1 : 0);
			bytes = (sizeof(user_state) * w->nusers + 63) / 64 * 64;
			w->users = aligned_alloc(64, bytes);
			if (!w->users) {
				err = perfdb_error__oom();
				goto done;
			}
		}
	}

	pthread_mutex_init(&sh->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sh->cv, &ca);
	pthread_condattr_destroy(&ca);

	for (i = 0; i < nworkers; i++) {
		int rc = pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]);
		if (rc != 0) {
			err =
			    perfdb_error__set(PERFDB_ERROR, "loadtest: cannot create thread %u: %s",
					      i + 1, strerror(rc));
			break;
		}
		created++;
	}
	pthread_mutex_lock(&sh->mu);
	while (err == 0 && sh->ready < created)
		pthread_cond_wait(&sh->cv, &sh->mu);
	sh->state = err ? 2 : 1;
	sh->t0 = perfdb_timer__monotonic_ns();
	if (!sh->open && !o->requests)
		sh->deadline = sh->t0 + seconds_ns(o->duration);
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);

	if (err == 0)
		supervise(sh, ws, o, step);
	for (i = 0; i < created; i++)
		pthread_join(ws[i].thread, NULL);
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->mu);

	if (err == 0) {
		out->model = sh->open ? PERFDB_LOADTEST_OPEN : PERFDB_LOADTEST_CLOSED;
		out->users = o->users;
		out->workers = nworkers;
		out->target_rate = sh->open ? o->rate : 0.0;
		out->stopped = atomic_load(&sh->stop) != 0;
		err = merge_results(out, sh, ws);
	}
done:
	for (i = 0; i < nworkers; i++)
		free(ws[i].users);
	free(ws);
	free(sh);
	if (err)
		perfdb_loadtest_result_release(out);
	return err;
}

int perfdb_loadtest_run(perfdb_loadtest_result *out, perfdb_loadtest_fn fn, void *ctx,
			const perfdb_loadtest_options *opts)
{
	perfdb_loadtest_options d = PERFDB_LOADTEST_OPTIONS_INIT;
	int err;

	if (!out || !fn)
		return perfdb_error__set(PERFDB_EINVAL, "loadtest: out and fn are required");
	perfdb_loadtest_result_init(out);
	if (!opts)
		opts = &d;
	if ((err = check_options(opts)) != 0)
		return err;
	return run_test(out, fn, ctx, opts, 0);
}

/* ---- stress ----------------------------------------------------------------------- */

const char *perfdb_loadtest_break_name(perfdb_loadtest_break reason)
{
	switch (reason) {
	case PERFDB_LOADTEST_BREAK_NONE: return "none";
	case PERFDB_LOADTEST_BREAK_ERROR_RATE: return "error_rate";
	case PERFDB_LOADTEST_BREAK_P99: return "p99";
	case PERFDB_LOADTEST_BREAK_STOPPED: return "stopped";
	}
	return "unknown";
}

void perfdb_loadtest_stress_result_init(perfdb_loadtest_stress_result *r)
{
	memset(r, 0, sizeof(*r));
	r->broke_at = -1;
}

void perfdb_loadtest_stress_result_release(perfdb_loadtest_stress_result *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->nsteps; i++)
		perfdb_loadtest_result_release(&r->steps[i]);
	free(r->steps);
	perfdb_loadtest_stress_result_init(r);
}

int perfdb_loadtest_stress(perfdb_loadtest_stress_result *out, perfdb_loadtest_fn fn, void *ctx,
			   const perfdb_loadtest_options *base,
			   const perfdb_loadtest_stress_options *stress)
{
	perfdb_loadtest_options o = PERFDB_LOADTEST_OPTIONS_INIT;
	size_t nsteps, i;
	unsigned users;
	int err;

	if (!out || !fn || !stress)
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: out, fn and stress are required");
	perfdb_loadtest_stress_result_init(out);
	if (base)
		o = *base;
	if (stress->version != PERFDB_LOADTEST_STRESS_OPTIONS_VERSION)
		return perfdb_error__set(
		    PERFDB_EINVAL, "loadtest: unknown stress options version %u", stress->version);
	if (stress->start_users < 1 || stress->step_users < 1 ||
	    stress->max_users < stress->start_users)
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: stress needs 1 <= start_users <= max_users "
					 "and step_users >= 1");
	if (!(stress->step_duration > 0.0) || bad_seconds(stress->step_duration))
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: stress step_duration must be > 0 seconds");
	if (isnan(stress->max_error_rate) || stress->max_error_rate > 1.0 ||
	    !(stress->max_p99_ns >= 0.0) || !isfinite(stress->max_p99_ns))
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: stress limits: max_error_rate at most 1 "
					 "(negative: off), max_p99_ns 0 (off) or more");
	o.rate = 0.0;
	o.requests = 0;
	o.duration = stress->step_duration;
	o.users = stress->start_users;
	if ((err = check_options(&o)) != 0)
		return err;

	nsteps = (stress->max_users - stress->start_users + stress->step_users - 1) /
		     stress->step_users +
		 1;
	out->steps = calloc(nsteps, sizeof(*out->steps));
	if (!out->steps)
		return perfdb_error__oom();

	for (i = 0, users = stress->start_users; i < nsteps; i++) {
		perfdb_loadtest_result *r = &out->steps[i];
		double error_rate;
		o.users = users;
		err = run_test(r, fn, ctx, &o, (unsigned)i);
		if (err) {
			perfdb_loadtest_stress_result_release(out);
			return err;
		}
		out->nsteps++;
		error_rate = r->requests ? (double)r->failures / (double)r->requests : 0.0;
		if (r->stopped) {
			out->reason = PERFDB_LOADTEST_BREAK_STOPPED;
		} else if (stress->max_error_rate >= 0.0 && error_rate > stress->max_error_rate) {
			out->reason = PERFDB_LOADTEST_BREAK_ERROR_RATE;
		} else if (stress->max_p99_ns > 0.0 && r->latency.count &&
			   r->latency.p99 > stress->max_p99_ns) {
			out->reason = PERFDB_LOADTEST_BREAK_P99;
		} else {
			out->capacity_users = users;
			/* The last step runs max_users even when the steps do
			 * not land on it exactly. */
			users = stress->max_users - users < stress->step_users
				    ? stress->max_users
				    : users + stress->step_users;
			continue;
		}
		if (out->reason != PERFDB_LOADTEST_BREAK_STOPPED) {
			out->broke_at = (long)i;
			out->broke_at_users = users;
		}
		out->stopped_early = i + 1 < nsteps || out->reason == PERFDB_LOADTEST_BREAK_STOPPED;
		break;
	}
	return 0;
}

/* ---- comparison ------------------------------------------------------------------- */

const char *perfdb_loadtest_verdict_name(perfdb_loadtest_verdict v)
{
	switch (v) {
	case PERFDB_LOADTEST_PASS: return "pass";
	case PERFDB_LOADTEST_IMPROVEMENT: return "improvement";
	case PERFDB_LOADTEST_REGRESSION: return "regression";
	}
	return "unknown";
}

static void add_change(perfdb_loadtest_comparison *c, const char *metric, perfdb_direction dir,
		       double baseline, double current, double threshold)
{
	perfdb_loadtest_change *ch = &c->changes[c->nchanges++];
	double worse; /* the change in percent, positive when worse */

	ch->metric = metric;
	ch->direction = dir;
	ch->baseline = baseline;
	ch->current = current;
	ch->threshold_pct = threshold;
	if (isnan(baseline) || isnan(current))
		ch->change_pct = NAN;
	else if (baseline == current)
		ch->change_pct = 0.0;
	else if (baseline == 0.0)
		ch->change_pct = current > 0.0 ? INFINITY : -INFINITY;
	else
		ch->change_pct = (current - baseline) / fabs(baseline) * 100.0;
	worse = dir == PERFDB_HIGHER_IS_BETTER ? -ch->change_pct : ch->change_pct;
	/* A metric that cannot be read on one side (NAN) passes: there is no
	 * evidence of a change, and the caller sees the NAN. */
	if (worse > threshold)
		ch->verdict = PERFDB_LOADTEST_REGRESSION;
	else if (worse < -threshold)
		ch->verdict = PERFDB_LOADTEST_IMPROVEMENT;
	else
		ch->verdict = PERFDB_LOADTEST_PASS;
	if (ch->verdict == PERFDB_LOADTEST_REGRESSION)
		c->verdict = PERFDB_LOADTEST_REGRESSION;
	else if (ch->verdict == PERFDB_LOADTEST_IMPROVEMENT && c->verdict == PERFDB_LOADTEST_PASS)
		c->verdict = PERFDB_LOADTEST_IMPROVEMENT;
}

int perfdb_loadtest_compare_with_baseline(perfdb_loadtest_comparison *out,
					  const perfdb_loadtest_result *current,
					  const perfdb_loadtest_result *baseline,
					  double latency_threshold_pct,
					  double throughput_threshold_pct)
{
	const perfdb_direction lo = PERFDB_LOWER_IS_BETTER, hi = PERFDB_HIGHER_IS_BETTER;
	const double lt = latency_threshold_pct, tt = throughput_threshold_pct;

	if (!out || !current || !baseline)
		return perfdb_error__set(PERFDB_EINVAL, "loadtest: compare needs two results");
	if (!(lt >= 0.0) || !(tt >= 0.0))
		return perfdb_error__set(PERFDB_EINVAL,
					 "loadtest: compare thresholds must be 0 or more percent");
	memset(out, 0, sizeof(*out));
	out->verdict = PERFDB_LOADTEST_PASS;
	add_change(out, "throughput", hi, baseline->throughput, current->throughput, tt);
	add_change(out, "success_rate", hi, baseline->success_rate, current->success_rate, tt);
	add_change(out, "latency_mean", lo, baseline->latency.mean, current->latency.mean, lt);
	add_change(out, "latency_p50", lo, baseline->latency.p50, current->latency.p50, lt);
	add_change(out, "latency_p90", lo, baseline->latency.p90, current->latency.p90, lt);
	add_change(out, "latency_p95", lo, baseline->latency.p95, current->latency.p95, lt);
	add_change(out, "latency_p99", lo, baseline->latency.p99, current->latency.p99, lt);
	return 0;
}

/* ---- export --------------------------------------------------------------------------- */

static int add_metric(perfdb_resultset *rs, const char *bench, const char *metric, const char *unit,
		      perfdb_direction dir, double value)
{
	perfdb_result r;
	perfdb_result_init(&r);
	r.benchmark = bench;
	r.metric = metric;
	r.unit = unit;
	r.direction = dir;
	r.value = value;
	return perfdb_resultset_add(rs, &r);
}

int perfdb_loadtest_result_export(perfdb_resultset *rs, const perfdb_loadtest_result *r,
				  const char *name)
{
	const perfdb_direction lo = PERFDB_LOWER_IS_BETTER, hi = PERFDB_HIGHER_IS_BETTER;
	const perfdb_loadtest_latency *l = &r->latency;
	perfdb_result res;
	int err;

	if (!rs || !r || !name || !*name)
		return perfdb_error__set(PERFDB_EINVAL, "loadtest: export needs a resultset, a "
							"result and a name");
	if (!perfdb_resultset_meta(rs, PERFDB_META_SOURCE) &&
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "loadtest")) != 0)
		return err;
	if ((err = add_metric(rs, name, "throughput", "req/s", hi, r->throughput)) != 0)
		return err;
	if (r->requests == 0)
		return perfdb_resultset_warn(rs,
					     "%s: no request completed, so no success rate "
					     "or latency to record",
					     name);
	if ((err = add_metric(rs, name, "success_rate", "%", hi, r->success_rate * 100.0)) != 0)
		return err;
	perfdb_result_init(&res);
	res.benchmark = name;
	res.metric = "latency_mean";
	res.unit = "ns";
	res.direction = lo;
	res.value = l->mean;
	res.n = (int64_t)l->count;
	res.mean = l->mean;
	res.median = l->p50;
	res.stddev = l->stddev;
	res.min = l->min;
	res.max = l->max;
	if ((err = perfdb_resultset_add(rs, &res)) != 0 ||
	    (err = add_metric(rs, name, "latency_p50", "ns", lo, l->p50)) != 0 ||
	    (err = add_metric(rs, name, "latency_p90", "ns", lo, l->p90)) != 0 ||
	    (err = add_metric(rs, name, "latency_p95", "ns", lo, l->p95)) != 0 ||
	    (err = add_metric(rs, name, "latency_p99", "ns", lo, l->p99)) != 0 ||
	    (err = add_metric(rs, name, "latency_p999", "ns", lo, l->p999)) != 0 ||
	    (err = add_metric(rs, name, "latency_max", "ns", lo, l->max)) != 0)
		return err;
	if (r->model == PERFDB_LOADTEST_OPEN) {
		if ((err = add_metric(rs, name, "service_mean", "ns", lo, r->service.mean)) != 0 ||
		    (err = add_metric(rs, name, "service_p50", "ns", lo, r->service.p50)) != 0 ||
		    (err = add_metric(rs, name, "service_p99", "ns", lo, r->service.p99)) != 0 ||
		    (err = add_metric(rs, name, "late_starts", "", lo, (double)r->late_starts)) !=
			0)
			return err;
	}
	return 0;
}

int perfdb_loadtest_stress_export(perfdb_resultset *rs, const perfdb_loadtest_stress_result *r,
				  const char *name)
{
	size_t i;
	int err;

	if (!rs || !r || !name || !*name)
		return perfdb_error__set(PERFDB_EINVAL, "loadtest: export needs a resultset, a "
							"result and a name");
	for (i = 0; i < r->nsteps; i++) {
		char bench[512];
		int n = snprintf(bench, sizeof(bench), "%s/users:%u", name, r->steps[i].users);
		if (n < 0 || (size_t)n >= sizeof(bench))
			return perfdb_error__set(PERFDB_EINVAL, "loadtest: name too long");
		if ((err = perfdb_loadtest_result_export(rs, &r->steps[i], bench)) != 0)
			return err;
	}
	return add_metric(rs, name, "capacity_users", "users", PERFDB_HIGHER_IS_BETTER,
			  (double)r->capacity_users);
}
