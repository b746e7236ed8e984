/*
 * perfdb/loadtest.h - a load tester for a C function.
 *
 * The function under test is `int fn(void *ctx)`; 0 means the request
 * succeeded, any other value is a failure counted under that code. Three
 * models:
 *
 *  - closed (perfdb_loadtest_run, rate == 0): U users each issue a request,
 *    wait for it, think, and issue the next, until N requests are done in
 *    total or a duration has passed. Users start evenly spread over a ramp-up
 *    period. Users run on threads, at most max_workers of them; when there are
 *    more users than threads, a thread serves several users in turn (a user
 *    that is thinking leaves its thread to the others).
 *  - open (perfdb_loadtest_run, rate > 0): requests are scheduled at a
 *    constant arrival rate, request k intended to start at t0 + k / rate. Each
 *    worker owns every W-th slot of the schedule, sleeps until its next slot
 *    and, when it is already past it, starts at once and counts a late start.
 *    Latency is measured from the intended start (free of coordinated
 *    omission, as wrk2 does); the service time, measured from the actual
 *    start, is reported beside it.
 *  - stress (perfdb_loadtest_stress): closed runs of a fixed duration with
 *    start, start + step, ... users, stopping at the first step whose error
 *    rate or p99 latency crosses a limit.
 *
 * Latencies go into per-worker log-linear histograms (perfdb/histogram.h,
 * relative error of a percentile at most 1/128), merged at the end: the
 * request path takes no lock and does not allocate.
 *
 * fn is called concurrently from several threads with the same ctx: it must
 * be thread-safe. Results can be compared with a baseline result and exported
 * to a resultset so `perfdb regress` tracks them per commit.
 */
#ifndef PERFDB_LOADTEST_H
#define PERFDB_LOADTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfdb/common.h"
#include "perfdb/histogram.h"
#include "perfdb/resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The function under load: 0 success, PERFDB_LOADTEST_DISCARD not a request
 * at all, anything else a failure with that code.
 */
typedef int (*perfdb_loadtest_fn)(void *ctx);

/**
 * Returned by the function under load for a call that must not count: it is
 * left out of the requests, the failures and the latencies. For a request cut
 * short by the test's own teardown, e.g. a command killed by the Ctrl-C that
 * also stops `perfdb load`; never for a real failure. In the closed model by
 * count the call still uses up its request, so fewer are counted.
 */
#define PERFDB_LOADTEST_DISCARD INT32_MIN

/** Progress of a running test, passed to the progress callback. */
typedef struct perfdb_loadtest_progress {
	double elapsed;	     /**< seconds since the run (or step) started */
	uint64_t requests;   /**< requests completed so far */
	uint64_t failures;   /**< of which failed */
	double current_rate; /**< requests/s over the last progress interval */
	unsigned users;	     /**< users of this run or step */
	unsigned step;	     /**< stress step, 0-based (0 outside a stress test) */
} perfdb_loadtest_progress;

/**
 * Called on the caller's thread about every progress_interval seconds while
 * a test runs. Return 0 to go on, non-zero to stop the test early (the
 * requests in flight complete and are counted; the result says it stopped).
 */
typedef int (*perfdb_loadtest_progress_fn)(void *arg, const perfdb_loadtest_progress *p);

#define PERFDB_LOADTEST_OPTIONS_VERSION 1
/** Default and upper bound of threads when max_workers is 0. */
#define PERFDB_LOADTEST_DEFAULT_MAX_WORKERS 256

typedef struct perfdb_loadtest_options {
	unsigned version; /**< PERFDB_LOADTEST_OPTIONS_VERSION */
	/** Concurrent users (closed model) or workers sharing the schedule
	 *  (open model). Default 1. */
	unsigned users;
	/** Threads at most; 0 means one per user, up to
	 *  PERFDB_LOADTEST_DEFAULT_MAX_WORKERS. */
	unsigned max_workers;
	/** Closed model: total requests. 0 means run for `duration` instead.
	 *  Exactly one of requests and duration must be set in the closed model. */
	uint64_t requests;
	/** Seconds: the closed model's run time when requests is 0, or the open
	 *  model's schedule length (it issues round(rate * duration) requests). */
	double duration;
	/** Closed model: seconds over which the users start; user i (0-based)
	 *  starts at ramp_up * i / users. */
	double ramp_up;
	/** Closed model: seconds a user waits between the end of a request and
	 *  the start of its next one. */
	double think_time;
	/** Open model when > 0: the arrival rate in requests per second. */
	double rate;
	/** Open model: a request that starts more than this many seconds after
	 *  its intended start counts as a late start. Default 0.001 (1 ms). */
	double late_threshold;
	/** Optional progress callback, called on the caller's thread. */
	perfdb_loadtest_progress_fn progress;
	void *progress_arg;
	/** Seconds between progress calls; default 0.25. */
	double progress_interval;
} perfdb_loadtest_options;

#define PERFDB_LOADTEST_OPTIONS_INIT                                                               \
	{                                                                                          \
		.version = PERFDB_LOADTEST_OPTIONS_VERSION, .users = 1, .max_workers = 0,          \
		.requests = 0, .duration = 0.0, .ramp_up = 0.0, .think_time = 0.0, .rate = 0.0,    \
		.late_threshold = 0.001, .progress = NULL, .progress_arg = NULL,                   \
		.progress_interval = 0.25                                                          \
	}

/** Fills opts with the defaults (the same as PERFDB_LOADTEST_OPTIONS_INIT). */
void perfdb_loadtest_options_init(perfdb_loadtest_options *opts);

/** Latency statistics in nanoseconds, from a merged histogram. Percentiles
 *  are within 1/128 relative error; min, max, mean and stddev are exact. */
typedef struct perfdb_loadtest_latency {
	uint64_t count;
	double min, mean, stddev, p50, p90, p95, p99, p999, max;
} perfdb_loadtest_latency;

/** Failures with one return code. */
typedef struct perfdb_loadtest_error {
	int code;
	uint64_t count;
} perfdb_loadtest_error;

/** Which model produced a result. */
typedef enum perfdb_loadtest_model {
	PERFDB_LOADTEST_CLOSED = 0,
	PERFDB_LOADTEST_OPEN = 1
} perfdb_loadtest_model;

/**
 * The result of one run (or one stress step). Caller-owned: initialise with
 * perfdb_loadtest_result_init (the run functions do it), free what it holds
 * with perfdb_loadtest_result_release.
 */
typedef struct perfdb_loadtest_result {
	perfdb_loadtest_model model;
	unsigned users;	   /**< users (closed) or workers (open) */
	unsigned workers;  /**< threads used */
	uint64_t requests; /**< completed requests = successes + failures */
	uint64_t successes;
	uint64_t failures;
	double success_rate;  /**< successes / requests, 0..1 (0 when no request) */
	double duration;      /**< seconds from start to the last completion */
	double throughput;    /**< requests / duration, per second */
	double target_rate;   /**< open model: the requested rate; 0 otherwise */
	uint64_t late_starts; /**< open model: starts later than late_threshold */
	bool stopped;	      /**< the progress callback stopped the run early */
	/** Latency: from the intended start in the open model, the service time
	 *  in the closed model. */
	perfdb_loadtest_latency latency;
	/** Service time (from the actual start). Equal to latency in the closed
	 *  model; in the open model the uncorrected figure. */
	perfdb_loadtest_latency service;
	/** Failures by return code, most frequent first. Owned. */
	perfdb_loadtest_error *errors;
	size_t nerrors;
	/** Failures whose code did not fit the per-worker code table (more than
	 *  16 distinct codes); counted in failures, never dropped. */
	uint64_t other_errors;
	/** Seconds from the start of the run to each user's first request, by
	 *  user index (closed model; NULL in the open model). Owned. */
	double *user_start;
	size_t nuser_start;
	/** The merged histograms (ns) behind latency and service. Owned. */
	perfdb_histogram *latency_histogram;
	perfdb_histogram *service_histogram;
} perfdb_loadtest_result;

/** Zeroes r so that release is safe on it. */
void perfdb_loadtest_result_init(perfdb_loadtest_result *r);

/** Frees what r holds and zeroes it. Accepts NULL. */
void perfdb_loadtest_result_release(perfdb_loadtest_result *r);

/** Fills out from a histogram of nanosecond values. */
void perfdb_loadtest_latency_from_histogram(perfdb_loadtest_latency *out,
					    const perfdb_histogram *h);

/**
 * Runs a closed-model (opts->rate == 0) or open-model (opts->rate > 0) load
 * test of fn(ctx). opts NULL means the defaults, which are invalid on their
 * own (a count or a duration is needed).
 * out is initialised first and holds the result on success; release it.
 * Errors: PERFDB_EINVAL (bad options: no users, both or neither of requests
 * and duration in the closed model, no duration or a rate too high to
 * schedule in the open model, negative times, unknown version),
 * PERFDB_ENOMEM, PERFDB_ERROR (a thread could not be created).
 */
int perfdb_loadtest_run(perfdb_loadtest_result *out, perfdb_loadtest_fn fn, void *ctx,
			const perfdb_loadtest_options *opts);

/* ---- stress test ------------------------------------------------------------- */

#define PERFDB_LOADTEST_STRESS_OPTIONS_VERSION 2

typedef struct perfdb_loadtest_stress_options {
	unsigned version;     /**< PERFDB_LOADTEST_STRESS_OPTIONS_VERSION */
	unsigned start_users; /**< users of the first step (>= 1) */
	unsigned max_users;   /**< users of the last step (>= start_users) */
	unsigned step_users;  /**< users added per step (>= 1) */
	double step_duration; /**< seconds per step (> 0) */
	/** The system is broken when a step's failures / requests exceeds this
	 *  fraction (0..1); a negative value disables the limit (the default). */
	double max_error_rate;
	/** ... or when a step's p99 latency exceeds this many nanoseconds
	 *  (a latency, so ns as every latency); 0 disables the limit (the
	 *  default). Version 1 had max_p99, in seconds. */
	double max_p99_ns;
} perfdb_loadtest_stress_options;

#define PERFDB_LOADTEST_STRESS_OPTIONS_INIT                                                        \
	{                                                                                          \
		.version = PERFDB_LOADTEST_STRESS_OPTIONS_VERSION, .start_users = 1,               \
		.max_users = 1, .step_users = 1, .step_duration = 1.0, .max_error_rate = -1.0,     \
		.max_p99_ns = 0.0                                                                  \
	}

/** Fills opts with the defaults (the same as PERFDB_LOADTEST_STRESS_OPTIONS_INIT), for callers that
 *  cannot use the macro (other languages, a struct on the heap). */
void perfdb_loadtest_stress_options_init(perfdb_loadtest_stress_options *opts);

/** Why a stress test stopped. */
typedef enum perfdb_loadtest_break {
	PERFDB_LOADTEST_BREAK_NONE = 0,	      /**< every step passed */
	PERFDB_LOADTEST_BREAK_ERROR_RATE = 1, /**< a step's error rate crossed max_error_rate */
	PERFDB_LOADTEST_BREAK_P99 = 2,	      /**< a step's p99 crossed max_p99_ns */
	PERFDB_LOADTEST_BREAK_STOPPED = 3     /**< the progress callback stopped it */
} perfdb_loadtest_break;

/** "none", "error_rate", "p99", "stopped". Static string. */
const char *perfdb_loadtest_break_name(perfdb_loadtest_break reason);

/** The result of a stress test. Release with perfdb_loadtest_stress_result_release. */
typedef struct perfdb_loadtest_stress_result {
	perfdb_loadtest_result *steps; /**< one per step run, in order; owned */
	size_t nsteps;
	perfdb_loadtest_break reason; /**< why it stopped */
	/** Index of the step that broke (the last one in steps), or -1. */
	long broke_at;
	/** Users of the step that broke, 0 when none did. */
	unsigned broke_at_users;
	/** Users of the last step that passed, 0 when the first step broke:
	 *  the capacity found. */
	unsigned capacity_users;
	/** True when it stopped before max_users (a break, or the callback). */
	bool stopped_early;
} perfdb_loadtest_stress_result;

void perfdb_loadtest_stress_result_init(perfdb_loadtest_stress_result *r);
/** Frees what r holds and zeroes it. Accepts NULL. */
void perfdb_loadtest_stress_result_release(perfdb_loadtest_stress_result *r);

/**
 * Runs a stress test: for users = start_users, start_users + step_users, ...
 * up to max_users, a closed-model run of step_duration seconds, using the
 * think time, ramp-up, max_workers and progress callback of base (NULL for
 * defaults; its users, requests, duration and rate are ignored). Stops after
 * the first step that crosses a limit.
 * Errors: PERFDB_EINVAL (bad options), PERFDB_ENOMEM, PERFDB_ERROR.
 */
int perfdb_loadtest_stress(perfdb_loadtest_stress_result *out, perfdb_loadtest_fn fn, void *ctx,
			   const perfdb_loadtest_options *base,
			   const perfdb_loadtest_stress_options *stress);

/* ---- comparison with a baseline ------------------------------------------------ */

typedef enum perfdb_loadtest_verdict {
	PERFDB_LOADTEST_PASS = 0,	 /**< within the thresholds */
	PERFDB_LOADTEST_IMPROVEMENT = 1, /**< better by more than the threshold */
	PERFDB_LOADTEST_REGRESSION = 2	 /**< worse by more than the threshold */
} perfdb_loadtest_verdict;

/** "pass", "improvement", "regression". Static string. */
const char *perfdb_loadtest_verdict_name(perfdb_loadtest_verdict v);

/** One compared metric. */
typedef struct perfdb_loadtest_change {
	const char *metric; /**< "throughput", "success_rate", "latency_p99", ... (static) */
	perfdb_direction direction; /**< which way is better */
	double baseline, current;   /**< req/s, fraction, or ns */
	/** (current - baseline) / baseline * 100; +/-INFINITY when the baseline
	 *  is 0 and current is not, 0 when both are 0. */
	double change_pct;
	double threshold_pct; /**< the threshold applied */
	perfdb_loadtest_verdict verdict;
} perfdb_loadtest_change;

#define PERFDB_LOADTEST_MAX_CHANGES 8

typedef struct perfdb_loadtest_comparison {
	/** REGRESSION when any metric regressed, else IMPROVEMENT when any
	 *  improved, else PASS. */
	perfdb_loadtest_verdict verdict;
	size_t nchanges;
	perfdb_loadtest_change changes[PERFDB_LOADTEST_MAX_CHANGES];
} perfdb_loadtest_comparison;

/**
 * Compares current with baseline: throughput and success rate (higher is
 * better) against throughput_threshold_pct, latency mean, p50, p90, p95 and
 * p99 (lower is better) against latency_threshold_pct. A metric regresses
 * when it is worse by more than its threshold (in percent of the baseline),
 * improves when better by more. Writes *out; allocates nothing.
 * Errors: PERFDB_EINVAL (NULL argument, negative or NaN threshold).
 */
int perfdb_loadtest_compare_with_baseline(perfdb_loadtest_comparison *out,
					  const perfdb_loadtest_result *current,
					  const perfdb_loadtest_result *baseline,
					  double latency_threshold_pct,
					  double throughput_threshold_pct);

/* ---- export to a resultset ------------------------------------------------------ */

/**
 * Adds r to rs as benchmark `name` with the metrics throughput (req/s,
 * higher is better), success_rate (%, higher is better), latency_mean,
 * latency_p50, latency_p90, latency_p95, latency_p99, latency_p999 and
 * latency_max (ns, lower is better); open-model results add service_mean,
 * service_p50 and service_p99 (ns) and late_starts (count, lower is better).
 * Sets the resultset's source to "loadtest" when unset. A result with no
 * request exports no latency (there is none to read) and adds a warning.
 * Errors: PERFDB_EINVAL (NULL or empty name), PERFDB_ENOMEM.
 */
int perfdb_loadtest_result_export(perfdb_resultset *rs, const perfdb_loadtest_result *r,
				  const char *name);

/**
 * Adds every step as benchmark "NAME/users:U" (as above) and benchmark NAME
 * with the metric capacity_users (users, higher is better): the users of the
 * last step that passed. Errors: as perfdb_loadtest_result_export.
 */
int perfdb_loadtest_stress_export(perfdb_resultset *rs, const perfdb_loadtest_stress_result *r,
				  const char *name);

/* ---- HTTP load test ------------------------------------------------------------- */

/*
 * perfdb_loadtest_http_run drives an HTTP/1.1 server over keep-alive
 * connections on epoll event loops: `threads` threads, each with its own
 * epoll instance and its share of `connections`. One request is in flight on
 * a connection at a time (no pipelining). http:// and, when perfdb is built
 * with TLS (OpenSSL, the PERFDB_TLS build option), https://: the handshake
 * runs inside the same event loops, the server name goes in SNI, the
 * certificate is verified against the system's trusted CAs (or ca_file's)
 * unless insecure is set, and a reconnect resumes the connection's last TLS
 * session. A failed handshake or verification is a connect error, and the
 * reason of the first one is kept (connect_error).
 *
 *  - open model (rate > 0): request k is intended to be sent at
 *    t0 + k / rate, on the first idle connection of its thread; when none is
 *    idle it waits for one, and its latency still counts from the intended
 *    time (coordinated-omission correction, as wrk2 does). The service time,
 *    from the actual send, is reported beside it.
 *  - closed model (rate == 0): every connection sends its next request as
 *    soon as the response to the previous one has arrived, for `requests`
 *    requests in total or for `duration` seconds; the latency is the
 *    service time.
 *
 * The service time runs from the request's first byte sent (after the
 * connect and any TLS handshake it needed) to its response read and parsed,
 * each clock read for that request alone, as wrk measures.
 *
 * Requests go round-robin over the targets (request k to target k % ntargets)
 * and each target gets a result of its own. A response whose status is not
 * expected (default: 2xx and 3xx succeed), a connect error, a timeout, a
 * connection closed before the response was complete and a malformed
 * response are failures, each counted apart. When the run ends (the
 * schedule or duration is over, or the progress callback stops it) no
 * request is sent any more; the requests in flight get min(timeout, 1 s) to
 * complete and are then ended and counted as unfinished: never waited for
 * forever, never counted as requests.
 *
 * The event loops never allocate, lock or format (but OpenSSL, on a TLS
 * connect): requests are built once
 * before the start, every buffer is allocated before the start, and results
 * go into per-thread, per-target histograms merged at the end.
 */

/** Failure codes of HTTP requests in perfdb_loadtest_result.errors, beside
 *  the unexpected HTTP statuses (100..599) that are counted under their own
 *  number. */
#define PERFDB_LOADTEST_HTTP_ECONNECT	(-1001) /**< could not connect */
#define PERFDB_LOADTEST_HTTP_ETIMEOUT	(-1002) /**< no complete response within the timeout */
#define PERFDB_LOADTEST_HTTP_ECLOSED	(-1003) /**< closed or reset before the response ended */
#define PERFDB_LOADTEST_HTTP_EMALFORMED (-1004) /**< not a valid HTTP/1.x response */

/** A response header block larger than this is malformed. */
#define PERFDB_LOADTEST_HTTP_MAX_HEADER_BYTES 16384

/** One request target: a URL and the name of its series. */
typedef struct perfdb_loadtest_http_target {
	const char *name; /**< series name; NULL or "" means the URL */
	const char *url;  /**< http[s]://HOST[:PORT][/PATH[?QUERY]] */
} perfdb_loadtest_http_target;

/** Version 2 added insecure and ca_file; a version 1 struct is still
 *  accepted (as if they were unset). */
#define PERFDB_LOADTEST_HTTP_OPTIONS_VERSION 2

typedef struct perfdb_loadtest_http_options {
	unsigned version; /**< PERFDB_LOADTEST_HTTP_OPTIONS_VERSION */
	/** The targets, at least one; borrowed for the call. */
	const perfdb_loadtest_http_target *targets;
	size_t ntargets;
	/** Request method; NULL means "GET". */
	const char *method;
	/** Extra request headers, each "Name: value" (or "Name:value"). A Host
	 *  header replaces the one made from the URL; Content-Length is added
	 *  when there is a body and no such header. */
	const char *const *headers;
	size_t nheaders;
	/** Request body sent with every request (body_len bytes; may be NULL
	 *  when body_len is 0). */
	const void *body;
	size_t body_len;
	/** Connections kept open (default 1) over threads (default 1, at most
	 *  connections). */
	unsigned connections;
	unsigned threads;
	/** Open model when > 0: requests per second, at least 0.001. */
	double rate;
	/** Total requests (closed model; in the open model the schedule's
	 *  length is requests / rate). 0 means run for duration. */
	uint64_t requests;
	/** Seconds (closed: run time; open: schedule length when requests is 0). */
	double duration;
	/** Seconds a request may take, from its send, before it is a timeout
	 *  (default 30). */
	double timeout;
	/** Open model: a send later than this many seconds after its intended
	 *  time counts as a late start (default 0.001). */
	double late_threshold;
	/** Statuses that count as success; NULL (nexpect_status 0) means
	 *  200..399. Borrowed for the call. */
	const unsigned short *expect_status;
	size_t nexpect_status;
	/** Progress callback on the caller's thread, as in
	 *  perfdb_loadtest_options; users in the progress is the connections. */
	perfdb_loadtest_progress_fn progress;
	void *progress_arg;
	double progress_interval; /**< seconds, default 0.25 */
	/** https://: do not verify the server's certificate or name (default
	 *  false: a certificate that does not verify is a connect error). */
	bool insecure;
	/** https://: trust the CA certificates of this PEM file instead of the
	 *  system's; NULL means the system's. Borrowed for the call. */
	const char *ca_file;
} perfdb_loadtest_http_options;

#define PERFDB_LOADTEST_HTTP_OPTIONS_INIT                                                          \
	{                                                                                          \
		.version = PERFDB_LOADTEST_HTTP_OPTIONS_VERSION, .targets = NULL, .ntargets = 0,   \
		.method = NULL, .headers = NULL, .nheaders = 0, .body = NULL, .body_len = 0,       \
		.connections = 1, .threads = 1, .rate = 0.0, .requests = 0, .duration = 0.0,       \
		.timeout = 30.0, .late_threshold = 0.001, .expect_status = NULL,                   \
		.nexpect_status = 0, .progress = NULL, .progress_arg = NULL,                       \
		.progress_interval = 0.25, .insecure = false, .ca_file = NULL                      \
	}

/** Fills opts with the defaults (the same as PERFDB_LOADTEST_HTTP_OPTIONS_INIT). */
void perfdb_loadtest_http_options_init(perfdb_loadtest_http_options *opts);

/** HTTP counts of a target or of the whole run. */
typedef struct perfdb_loadtest_http_counts {
	/** Responses by status class: status[1] 1xx (only a final 101), status[2]
	 *  2xx, ... status[5] 5xx. status[0] is unused. */
	uint64_t status[6];
	uint64_t connect_errors; /**< PERFDB_LOADTEST_HTTP_ECONNECT failures */
	uint64_t timeouts;	 /**< PERFDB_LOADTEST_HTTP_ETIMEOUT failures */
	uint64_t closed;	 /**< PERFDB_LOADTEST_HTTP_ECLOSED failures */
	uint64_t malformed;	 /**< PERFDB_LOADTEST_HTTP_EMALFORMED failures */
	/** Requests in flight, or due and not sent, when the run ended: not in
	 *  the result's requests. */
	uint64_t unfinished;
	uint64_t bytes_read;  /**< response bytes received */
	uint64_t connects;    /**< connections opened (first ones and reconnects) */
	uint64_t tls_resumed; /**< https://: connections that resumed a TLS session */
} perfdb_loadtest_http_counts;

/** The result of one target. */
typedef struct perfdb_loadtest_http_series {
	char *name; /**< the target's name (its URL when unnamed); owned */
	char *url;  /**< owned */
	perfdb_loadtest_result result;
	perfdb_loadtest_http_counts counts;
	/** Why its first connect error happened, one line ("127.0.0.1:8443: TLS
	 *  certificate verification failed: ..."); NULL when there was none.
	 *  Owned. */
	char *connect_error;
} perfdb_loadtest_http_series;

/** The result of an HTTP load test. Release with
 *  perfdb_loadtest_http_result_release. */
typedef struct perfdb_loadtest_http_result {
	/** Every target together; users is the connections, workers the
	 *  threads. */
	perfdb_loadtest_result total;
	perfdb_loadtest_http_counts counts;
	/** The reason of the run's first connect error, as in a series; NULL
	 *  when there was none. Owned. */
	char *connect_error;
	/** One per target, in the order given. Owned. */
	perfdb_loadtest_http_series *series;
	size_t nseries;
} perfdb_loadtest_http_result;

void perfdb_loadtest_http_result_init(perfdb_loadtest_http_result *r);
/** Frees what r holds and zeroes it. Accepts NULL. */
void perfdb_loadtest_http_result_release(perfdb_loadtest_http_result *r);

/**
 * Runs an HTTP load test. out is initialised first and holds the result on
 * success; release it.
 * Errors: PERFDB_EINVAL (bad options: no target, a URL that is not
 * http[s]://HOST[:PORT]/..., https:// in a build without TLS, a ca_file
 * that cannot be read, a bad method or header, rate below 0.001
 * or not finite, neither or both of requests and duration in the closed
 * model, unknown version), PERFDB_ENOTFOUND (a host that does not resolve),
 * PERFDB_ENOMEM, PERFDB_ERROR (a thread or epoll instance could not be
 * created). Connect errors are results (counted), not errors.
 */
int perfdb_loadtest_http_run(perfdb_loadtest_http_result *out,
			     const perfdb_loadtest_http_options *opts);

/**
 * Adds every target's result to rs (as perfdb_loadtest_result_export does),
 * as benchmark PREFIX/NAME when prefix is set and there are several targets,
 * PREFIX when there is one, and the target's name when prefix is NULL; each
 * also gets the metrics timeouts, connect_errors and unfinished (count,
 * lower is better).
 * Errors: PERFDB_EINVAL, PERFDB_ENOMEM.
 */
int perfdb_loadtest_http_export(perfdb_resultset *rs, const perfdb_loadtest_http_result *r,
				const char *prefix);

#ifdef __cplusplus
}
#endif
#endif
