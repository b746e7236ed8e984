/* perfdb load: load-test a command (closed, open-rate or stress model) or an
 * HTTP server (--url: keep-alive connections, open or closed model). */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "launch.h"

enum {
	OPT_REQUESTS = 'n',
	OPT_DURATION = 'd',
	OPT_USERS = 'u',
	OPT_RATE = 'r',
	OPT_RAMP_UP = CLI_LAUNCH_OPT_FIRST_FREE,
	OPT_THINK_MS,
	OPT_MAX_WORKERS,
	OPT_LATE_MS,
	OPT_STRESS,
	OPT_MAX_ERROR_RATE,
	OPT_MAX_P99_MS,
	OPT_URL,
	OPT_CONNECTIONS = 'c',
	OPT_THREADS = 't',
	OPT_METHOD = 'X',
	OPT_HEADER = 'H',
	OPT_BODY = OPT_URL + 1,
	OPT_TIMEOUT,
	OPT_EXPECT_STATUS,
	OPT_INSECURE,
	OPT_CACERT
};

/* --url and --header may be repeated up to this many times. */
#define MAX_URLS    64
#define MAX_HEADERS 64

static const cli_option options[] = {
    {"requests", OPT_REQUESTS, "N", "total requests (default: 100 unless --duration)"},
    {"duration", OPT_DURATION, "S", "run for S seconds instead of a request count"},
    {"users", OPT_USERS, "U", "concurrent users (with --rate: workers sharing it; default 1)"},
    {"ramp-up", OPT_RAMP_UP, "S", "start the users evenly spread over S seconds"},
    {"think-ms", OPT_THINK_MS, "T", "each user waits T ms between its requests"},
    {"max-workers", OPT_MAX_WORKERS, "N", "threads at most (default: one per user, up to 256)"},
    {"rate", OPT_RATE, "R",
     "open model: R requests/s (>= 0.001) on a fixed schedule (default -d 10)"},
    {"late-ms", OPT_LATE_MS, "MS", "open model: a start later than MS ms counts late (default 1)"},
    {"stress", OPT_STRESS, "START:MAX:STEP:SECONDS", "stress test: step the users up"},
    {"max-error-rate", OPT_MAX_ERROR_RATE, "PCT", "stress: stop when a step's errors exceed PCT %"},
    {"max-p99-ms", OPT_MAX_P99_MS, "MS", "stress: stop when a step's p99 latency exceeds MS ms"},
    CLI_NAME_OPTION("benchmark name for --record and JSON (default: command or URL)"),
    CLI_LAUNCH_FORMAT_OPTION("text or json (default: text)"),
    CLI_SHOW_OUTPUT_OPTION,
    {"url", OPT_URL, "[NAME=]URL",
     "load an http[s]:// URL instead of a command (repeatable: round-robin, a series each)"},
    {"connections", OPT_CONNECTIONS, "N", "--url: keep-alive connections (default 1)"},
    {"threads", OPT_THREADS, "T", "--url: threads, each with its share of connections (default 1)"},
    {"method", OPT_METHOD, "METHOD", "--url: request method (default GET)"},
    {"header", OPT_HEADER, "K:V", "--url: request header (repeatable)"},
    {"body", OPT_BODY, "FILE", "--url: send FILE's bytes as the request body"},
    {"timeout", OPT_TIMEOUT, "S",
     "a request not answered (a command not ended) in S seconds fails (default 30)"},
    {"expect-status", OPT_EXPECT_STATUS, "LIST",
     "--url: statuses that succeed, e.g. 2xx,404 (default 2xx,3xx)"},
    {"insecure", OPT_INSECURE, NULL, "--url https://: do not verify the server's certificate"},
    {"cacert", OPT_CACERT, "FILE", "--url https://: trust the CAs in FILE (PEM), not the system's"},
    CLI_RECORD_OPTION("store the result in the database (see --db ...)"),
    CLI_RECORD_OPTIONS,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "load",
    "[options] -- CMD [ARGS...]  |  --url [NAME=]URL [options]",
    "Load-test a command (each request runs CMD, no shell; exit status 0 is a success)\n"
    "or an HTTP server (--url).",
    "Closed model (default): --users run CMD back to back, --requests in total or for\n"
    "--duration seconds, started over --ramp-up, pausing --think-ms between requests.\n"
    "Open model (--rate R): requests start on a fixed schedule, R per second; latency is\n"
    "measured from the intended start (no coordinated omission) and the service time,\n"
    "from the actual start, is shown beside it; late starts are counted, never dropped.\n"
    "Stress test (--stress 1:64:4:10): 1, 5, 9, ... 64 users, 10 s each, stopping at the\n"
    "first step over --max-error-rate or --max-p99-ms.\n"
    "CMD's output goes to /dev/null unless --show-output. A progress line is shown on a\n"
    "terminal. --record stores throughput, success rate and latency percentiles so that\n"
    "'perfdb regress' tracks them per commit. Failed requests are a result (exit 0).\n"
    "HTTP (--url, http:// or https://): HTTP/1.1 keep-alive over --connections on\n"
    "--threads event loops. Closed model: each connection sends its next request when\n"
    "the response arrives. Open model (--rate): latency from the intended send time\n"
    "(corrected as wrk2 does) beside the service time. Several --url go round-robin,\n"
    "each a series of its own (NAME=URL names it). Statuses other than 2xx/3xx fail\n"
    "unless --expect-status lists them; connect errors, timeouts, connections closed\n"
    "mid-response and malformed responses are counted apart. At the end of --duration\n"
    "requests in flight get min(--timeout, 1 s), then are ended as unfinished.\n"
    "https:// verifies the server's certificate against the system's CAs (--cacert FILE:\n"
    "those of FILE; --insecure: none); a failed handshake is a connect error, and the\n"
    "first one's reason is printed.",
    options,
};

typedef struct load_args {
	perfdb_loadtest_options lt;
	perfdb_loadtest_stress_options stress;
	bool stress_set, rate_set, requests_set, duration_set;
	bool stress_limit_set, users_set, late_set;
	bool closed_only_set, http_only_set; /* options of one mode, for check_args */
	cli_launch_opts l;
	/* --url mode */
	perfdb_loadtest_http_options http;
	perfdb_loadtest_http_target urls[MAX_URLS];
	char *url_names[MAX_URLS]; /* NAME of NAME=URL, owned */
	size_t nurls;
	const char *headers[MAX_HEADERS];
	size_t nheaders;
	const char *body_path;
	unsigned short expect[500];
	size_t nexpect;
} load_args;

static int bad_value(const char *opt, const char *arg, const char *what)
{
	return cli_bad_value(&info, opt, arg, what);
}

static int parse_stress(load_args *a, const char *arg)
{
	unsigned long long v[3];
	double secs;
	char buf[128], *parts[4], *save = NULL, *p;
	int n = 0;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return bad_value("stress", arg, "START:MAX:STEP:SECONDS");
	for (p = strtok_r(buf, ":", &save); p && n < 4; p = strtok_r(NULL, ":", &save))
		parts[n++] = p;
	if (n != 4 || p || cli_parse_count(parts[0], 1, 100000, &v[0]) ||
	    cli_parse_count(parts[1], 1, 100000, &v[1]) ||
	    cli_parse_count(parts[2], 1, 100000, &v[2]) || cli_parse_seconds(parts[3], &secs) ||
	    secs <= 0 || v[1] < v[0])
		return bad_value("stress", arg,
				 "START:MAX:STEP:SECONDS with 1 <= START <= MAX, STEP >= 1, "
				 "SECONDS > 0");
	a->stress.start_users = (unsigned)v[0];
	a->stress.max_users = (unsigned)v[1];
	a->stress.step_users = (unsigned)v[2];
	a->stress.step_duration = secs;
	a->stress_set = true;
	return 0;
}

/* [NAME=]URL: a NAME is what comes before an '=' that precedes "://". */
static int add_url(load_args *a, const char *arg)
{
	const char *eq = strchr(arg, '='), *scheme = strstr(arg, "://");
	if (a->nurls == MAX_URLS)
		return bad_value("url", arg, "at most 64 URLs");
	if (eq && scheme && eq < scheme) {
		if (eq == arg)
			return bad_value("url", arg, "NAME=URL with a non-empty NAME");
		a->url_names[a->nurls] = strndup(arg, (size_t)(eq - arg));
		if (!a->url_names[a->nurls]) {
			cli_err("out of memory");
			return 1;
		}
		a->urls[a->nurls].name = a->url_names[a->nurls];
		a->urls[a->nurls].url = eq + 1;
	} else {
		a->urls[a->nurls].name = NULL;
		a->urls[a->nurls].url = arg;
	}
	a->nurls++;
	return 0;
}

/* 200,404 or classes 2xx,3xx, comma-separated. */
static int parse_expect(load_args *a, const char *arg)
{
	const char *p = arg;
	a->nexpect = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 3 && p[0] >= '1' && p[0] <= '5' && p[1] == 'x' && p[2] == 'x') {
			unsigned short c;
			for (c = 0; c < 100; c++)
				a->expect[a->nexpect++ % 500] =
				    (unsigned short)((p[0] - '0') * 100 + c);
		} else if (n == 3 && p[0] >= '1' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
			   p[2] >= '0' && p[2] <= '9') {
			a->expect[a->nexpect++ % 500] =
			    (unsigned short)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
		} else {
			return bad_value("expect-status", arg,
					 "statuses (100 to 599) or classes (2xx), comma-separated");
		}
		if (a->nexpect > 500)
			return bad_value("expect-status", arg, "at most 500 statuses");
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static int on_option(void *ctx, int id, const char *arg)
{
	load_args *a = ctx;
	unsigned long long n;
	double d;
	int r;

	if (id == CLI_OPT_SHOW_OUTPUT)
		a->closed_only_set = true;
	if ((r = cli_launch_option(&info, &a->l, id, arg)) != 0)
		return r < 0;
	switch (id) {
	case OPT_REQUESTS:
		if (cli_parse_count(arg, 1, 1000000000000ull, &n))
			return bad_value("requests", arg, "a whole number >= 1");
		a->lt.requests = n;
		a->requests_set = true;
		return 0;
	case OPT_DURATION:
		if (cli_parse_seconds(arg, &d) || d <= 0)
			return bad_value("duration", arg, "seconds > 0");
		a->lt.duration = d;
		a->duration_set = true;
		return 0;
	case OPT_USERS:
		if (cli_parse_count(arg, 1, 100000, &n))
			return bad_value("users", arg, "a whole number from 1 to 100000");
		a->lt.users = (unsigned)n;
		a->users_set = true;
		a->closed_only_set = true;
		return 0;
	case OPT_MAX_WORKERS:
		if (cli_parse_count(arg, 1, 4096, &n))
			return bad_value("max-workers", arg, "a whole number from 1 to 4096");
		a->lt.max_workers = (unsigned)n;
		a->closed_only_set = true;
		return 0;
	case OPT_RAMP_UP:
		if (cli_parse_seconds(arg, &d))
			return bad_value("ramp-up", arg, "seconds >= 0");
		a->lt.ramp_up = d;
		a->closed_only_set = true;
		return 0;
	case OPT_THINK_MS:
		if (cli_parse_seconds(arg, &d))
			return bad_value("think-ms", arg, "milliseconds >= 0");
		a->lt.think_time = d / 1000.0;
		a->closed_only_set = true;
		return 0;
	case OPT_RATE: {
		char *end;
		errno = 0;
		d = strtod(arg, &end);
		if (!*arg || *end || errno || !isfinite(d) || d < 1e-3 || d > 1e9)
			return bad_value("rate", arg, "requests per second from 0.001 to 1e9");
		a->lt.rate = d;
		a->rate_set = true;
		return 0;
	}
	case OPT_LATE_MS:
		if (cli_parse_seconds(arg, &d))
			return bad_value("late-ms", arg, "milliseconds >= 0");
		a->lt.late_threshold = d / 1000.0;
		a->late_set = true;
		return 0;
	case OPT_STRESS: return parse_stress(a, arg);
	case OPT_MAX_ERROR_RATE:
		if (cli_parse_seconds(arg, &d) || d > 100)
			return bad_value("max-error-rate", arg, "a percentage from 0 to 100");
		a->stress.max_error_rate = d / 100.0;
		a->stress_limit_set = true;
		return 0;
	case OPT_MAX_P99_MS:
		if (cli_parse_seconds(arg, &d) || d <= 0)
			return bad_value("max-p99-ms", arg, "milliseconds > 0");
		a->stress.max_p99_ns = d * 1e6;
		a->stress_limit_set = true;
		return 0;
	case OPT_URL: return add_url(a, arg);
	case OPT_CONNECTIONS:
		if (cli_parse_count(arg, 1, 1000000, &n))
			return bad_value("connections", arg, "a whole number from 1 to 1000000");
		a->http.connections = (unsigned)n;
		a->http_only_set = true;
		return 0;
	case OPT_THREADS:
		if (cli_parse_count(arg, 1, 4096, &n))
			return bad_value("threads", arg, "a whole number from 1 to 4096");
		a->http.threads = (unsigned)n;
		a->http_only_set = true;
		return 0;
	case OPT_METHOD:
		a->http.method = arg;
		a->http_only_set = true;
		return 0;
	case OPT_HEADER:
		if (!strchr(arg, ':') || arg[0] == ':')
			return bad_value("header", arg, "NAME:VALUE");
		if (a->nheaders == MAX_HEADERS)
			return bad_value("header", arg, "at most 64 headers");
		a->headers[a->nheaders++] = arg;
		a->http_only_set = true;
		return 0;
	case OPT_BODY:
		a->body_path = arg;
		a->http_only_set = true;
		return 0;
	case OPT_TIMEOUT:
		if (cli_parse_seconds(arg, &d) || d <= 0)
			return bad_value("timeout", arg, "seconds > 0");
		a->http.timeout = d; /* a command's too (cmd_load) */
		return 0;
	case OPT_EXPECT_STATUS: a->http_only_set = true; return parse_expect(a, arg);
	case OPT_INSECURE:
		a->http.insecure = true;
		a->http_only_set = true;
		return 0;
	case OPT_CACERT:
		a->http.ca_file = arg;
		a->http_only_set = true;
		return 0;
	default: return 0;
	}
}

/* Checks the combinations no single option can; returns 0 or the exit code. */
static int check_args(load_args *a)
{
	if (a->requests_set && a->duration_set)
		return cli_usage_error(&info, "give --requests or --duration, not both");
	if (a->nurls == 0 && a->http_only_set)
		return cli_usage_error(&info,
				       "--connections, --threads, --method, --header, --body, "
				       "--expect-status, --insecure and --cacert need --url");
	if (a->nurls > 0 && (a->closed_only_set || a->stress_set || a->stress_limit_set))
		return cli_usage_error(
		    &info, "--users, --ramp-up, --think-ms, --max-workers, --stress and "
			   "--show-output are for a command, not with --url (use "
			   "--connections and --threads)");
	if (a->stress_set) {
		if (a->requests_set || a->duration_set || a->rate_set || a->users_set)
			return cli_usage_error(&info,
					       "--stress sets its own users and step duration: "
					       "no --users, --requests, --duration or --rate "
					       "with it");
		return 0;
	}
	if (a->late_set && !a->rate_set)
		return cli_usage_error(&info,
				       "--late-ms applies to the open model: it needs --rate");
	if (a->stress_limit_set)
		return cli_usage_error(&info, "--max-error-rate and --max-p99-ms need --stress");
	if (a->rate_set && (a->lt.ramp_up > 0 || a->lt.think_time > 0))
		return cli_usage_error(&info, "--ramp-up and --think-ms apply to the closed model, "
					      "not with --rate");
	if (!a->requests_set && !a->duration_set) {
		if (a->rate_set)
			a->lt.duration = 10.0;
		else
			a->lt.requests = 100;
	}
	return 0;
}

/* ---- running ------------------------------------------------------------------ */

static volatile sig_atomic_t interrupted;
/* Set with interrupted, and when --duration (and its grace) is over: the
 * commands still running are ended (perfdb_command_set_limits). */
static volatile sig_atomic_t stop_commands;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	stop_commands = 1;
}

/* Each request: run the command once. A spawn that fails is code -1.
 *
 * The command leads a process group of its own, so a terminal's Ctrl-C
 * reaches perfdb only; perfdb then ends the commands in flight, as it does
 * when --duration is over. Those are not failures of the system under test:
 * they are discarded. One that outlives --timeout is a failure. */
static int request(void *ctx)
{
	perfdb_command_sample s;
	if (stop_commands)
		return PERFDB_LOADTEST_DISCARD;
	if (perfdb_command_exec(&s, ctx) != 0)
		return -1;
	if (s.ended == PERFDB_COMMAND_ENDED_STOP)
		return PERFDB_LOADTEST_DISCARD;
	return s.exit_code ? s.exit_code : s.ended != 0;
}

static int progress(void *arg, const perfdb_loadtest_progress *p)
{
	const load_args *a = arg;
	char step[64] = "";
	if (a->stress_set)
		snprintf(step, sizeof(step), "step %u (%u users)  ", p->step + 1, p->users);
	cli_progress("%s%.1f s  %llu requests  %.1f req/s  %llu errors", step, p->elapsed,
		     (unsigned long long)p->requests, p->current_rate,
		     (unsigned long long)p->failures);
	/* --duration is kept: the commands in flight get min(--timeout, 1 s) more,
	 * as HTTP requests do, then are ended */
	if (!a->stress_set && a->nurls == 0 && a->lt.requests == 0 && a->lt.duration > 0 &&
	    p->elapsed >= a->lt.duration + (a->http.timeout < 1.0 ? a->http.timeout : 1.0))
		stop_commands = 1;
	return interrupted != 0;
}

/* ---- text output ----------------------------------------------------------------- */

static void latency_row(const char *label, const perfdb_loadtest_latency *l)
{
	const double v[] = {l->min, l->mean, l->stddev, l->p50, l->p90,
			    l->p95, l->p99,  l->p999,	l->max};
	size_t i;
	cli_out("  %-9s", label);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char b[32], col[48];
		cli_format_ns(b, sizeof(b), v[i]);
		cli_out(" %s", cli_pad(col, sizeof(col), b, 10));
	}
	cli_out("\n");
}

static const char *http_error_name(int code)
{
	switch (code) {
	case PERFDB_LOADTEST_HTTP_ECONNECT: return "connect";
	case PERFDB_LOADTEST_HTTP_ETIMEOUT: return "timeout";
	case PERFDB_LOADTEST_HTTP_ECLOSED: return "closed";
	case PERFDB_LOADTEST_HTTP_EMALFORMED: return "malformed";
	default: return NULL;
	}
}

/* The failures by code: a command's exit status (-1: it could not start),
 * or with http an HTTP status or a transport error. */
static void print_errors(const perfdb_loadtest_result *r, bool http)
{
	size_t i;
	if (r->failures == 0)
		return;
	cli_out("  errors:  ");
	for (i = 0; i < r->nerrors; i++) {
		int code = r->errors[i].code;
		const char *n = http	     ? http_error_name(code)
				: code == -1 ? "could not start"
					     : NULL;
		cli_out("%s", i ? ", " : "");
		if (n)
			cli_out("%s", n);
		else
			cli_out("%s %d", http ? "status" : "exit", code);
		cli_out(": %llu", (unsigned long long)r->errors[i].count);
	}
	if (r->other_errors)
		cli_out("%sother%s: %llu", r->nerrors ? ", " : "", http ? "" : " codes",
			(unsigned long long)r->other_errors);
	cli_out("\n");
}

static void print_http_counts(const perfdb_loadtest_http_counts *c)
{
	cli_out("  status     1xx %llu  2xx %llu  3xx %llu  4xx %llu  5xx %llu\n",
		(unsigned long long)c->status[1], (unsigned long long)c->status[2],
		(unsigned long long)c->status[3], (unsigned long long)c->status[4],
		(unsigned long long)c->status[5]);
	cli_out("  transport  connect errors %llu  timeouts %llu  closed %llu  malformed %llu  "
		"unfinished %llu\n",
		(unsigned long long)c->connect_errors, (unsigned long long)c->timeouts,
		(unsigned long long)c->closed, (unsigned long long)c->malformed,
		(unsigned long long)c->unfinished);
}

/* Several URLs: a line each. */
static void print_http_series(const perfdb_loadtest_http_result *hr)
{
	size_t i;
	cli_out("\n  %-20s %10s %8s %11s %10s %10s %10s %10s %10s\n", "series", "requests",
		"failed", "req/s", "p50", "p90", "p99", "p99.9", "max");
	for (i = 0; i < hr->nseries; i++) {
		const perfdb_loadtest_result *s = &hr->series[i].result;
		const double v[] = {s->latency.p50, s->latency.p90, s->latency.p99, s->latency.p999,
				    s->latency.max};
		char name[256], col[300], rate[48];
		size_t j;
		cli_text(name, sizeof(name), hr->series[i].name);
		cli_format_value(rate, sizeof(rate), s->throughput, "");
		cli_out("  %s %10llu %8llu %11s", cli_pad(col, sizeof(col), name, -20),
			(unsigned long long)s->requests, (unsigned long long)s->failures, rate);
		for (j = 0; j < sizeof(v) / sizeof(v[0]); j++) {
			char b[32];
			cli_format_ns(b, sizeof(b), v[j]);
			cli_out(" %s", cli_pad(col, sizeof(col), s->requests ? b : "-", 10));
		}
		cli_out("\n");
	}
}

/* One result, a command's (hr NULL) or the total of --url's hr (r is
 * &hr->total): an HTTP result adds its error rate, its status and
 * transport counts and its series, and says "send" where a command's says
 * "start". */
static void print_result(const perfdb_loadtest_result *r, const perfdb_loadtest_http_result *hr)
{
	bool open = r->model == PERFDB_LOADTEST_OPEN;
	char dur[32], got[48], asked[48];
	cli_out("  requests   %llu (%llu succeeded, %llu failed)\n",
		(unsigned long long)r->requests, (unsigned long long)r->successes,
		(unsigned long long)r->failures);
	cli_out("  success    %.2f %%", r->success_rate * 100.0);
	if (hr)
		cli_out("  (error rate %.2f %%)",
			r->requests ? 100.0 - r->success_rate * 100.0 : 0.0);
	cli_format_ns(dur, sizeof(dur), r->duration * 1e9);
	cli_out("\n  duration   %s\n", dur);
	cli_format_value(got, sizeof(got), r->throughput, "req/s");
	cli_format_value(asked, sizeof(asked), r->target_rate, "req/s");
	if (open) {
		cli_out("  rate       %s achieved of %s asked (%.2f %%)\n", got, asked,
			r->target_rate > 0 ? r->throughput / r->target_rate * 100.0 : 0.0);
		cli_out("  late       %llu %s later than the threshold\n",
			(unsigned long long)r->late_starts, hr ? "sends" : "starts");
	} else {
		cli_out("  throughput %s\n", got);
	}
	if (hr)
		print_http_counts(&hr->counts);
	if (hr && hr->connect_error) {
		char why[600];
		cli_out("  first connect error: %s\n",
			cli_text(why, sizeof(why), hr->connect_error));
	}
	cli_out("\n  %-9s %10s %10s %10s %10s %10s %10s %10s %10s %10s\n", "latency", "min", "mean",
		"stddev", "p50", "p90", "p95", "p99", "p99.9", "max");
	if (r->requests == 0) {
		cli_out("  (no request completed)\n");
		return;
	}
	latency_row(open ? "corrected" : "request", &r->latency);
	if (open)
		latency_row("service", &r->service);
	print_errors(r, hr != NULL);
	if (hr && hr->nseries > 1)
		print_http_series(hr);
	if (open && r->latency.p99 > 2 * r->service.p99 && r->late_starts > 0) {
		char lat[32];
		cli_format_ns(lat, sizeof(lat), r->latency.p99);
		cli_out(
		    "  note: p99 from the intended %s (%s) is far above the service time:\n%s",
		    hr ? "send" : "start", lat,
		    hr ? "        sends were late, waiting for a free connection or for the CPU;\n"
			 "        more --connections (or --threads, with idle cores) may keep up.\n"
		       : "        requests queued behind slow ones; more --users may keep up.\n");
	}
}

static void print_stress(const perfdb_loadtest_stress_result *sr,
			 const perfdb_loadtest_stress_options *so)
{
	size_t i;
	cli_out("  %6s %10s %8s %8s %11s %10s %10s %10s  %s\n", "users", "requests", "failed",
		"errors", "req/s", "p50", "p99", "max", "step");
	for (i = 0; i < sr->nsteps; i++) {
		const perfdb_loadtest_result *r = &sr->steps[i];
		char p50[32], p99[32], mx[32], rate[32];
		const char *verdict = "ok";
		cli_format_ns(p50, sizeof(p50), r->latency.p50);
		cli_format_ns(p99, sizeof(p99), r->latency.p99);
		cli_format_ns(mx, sizeof(mx), r->latency.max);
		cli_format_value(rate, sizeof(rate), r->throughput, "");
		if ((long)i == sr->broke_at)
			verdict = sr->reason == PERFDB_LOADTEST_BREAK_P99
				      ? "BROKE: p99 over the limit"
				      : "BROKE: error rate over the limit";
		else if (i + 1 == sr->nsteps && sr->reason == PERFDB_LOADTEST_BREAK_STOPPED)
			verdict = "interrupted";
		char c1[48], c2[48], c3[48];
		cli_out("  %6u %10llu %8llu %7.2f%% %11s %s %s %s  %s\n", r->users,
			(unsigned long long)r->requests, (unsigned long long)r->failures,
			r->requests ? 100.0 * (double)r->failures / (double)r->requests : 0.0, rate,
			cli_pad(c1, sizeof(c1), p50, 10), cli_pad(c2, sizeof(c2), p99, 10),
			cli_pad(c3, sizeof(c3), mx, 10), verdict);
	}
	cli_out("\n");
	if (sr->broke_at >= 0) {
		cli_out("  the system broke at %u users (%s", sr->broke_at_users,
			sr->reason == PERFDB_LOADTEST_BREAK_P99 ? "p99 over " : "error rate over ");
		if (sr->reason == PERFDB_LOADTEST_BREAK_P99) {
			char limit[32];
			cli_format_ns(limit, sizeof(limit), so->max_p99_ns);
			cli_out("%s", limit);
		} else
			cli_out("%.3g %%", so->max_error_rate * 100.0);
		cli_out("); stopped early. capacity: %u users\n", sr->capacity_users);
	} else if (sr->reason == PERFDB_LOADTEST_BREAK_STOPPED) {
		cli_out("  interrupted; capacity so far: %u users\n", sr->capacity_users);
	} else {
		cli_out("  every step passed; capacity: at least %u users\n", sr->capacity_users);
	}
	if (sr->nsteps)
		print_errors(&sr->steps[sr->nsteps - 1], false);
}

/* ---- JSON output ------------------------------------------------------------------- */

static json_t *latency_json(const perfdb_loadtest_latency *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "count", json_integer((json_int_t)l->count));
	json_object_set_new(o, "min", cli_json_number(l->min));
	json_object_set_new(o, "mean", cli_json_number(l->mean));
	json_object_set_new(o, "stddev", cli_json_number(l->stddev));
	json_object_set_new(o, "p50", cli_json_number(l->p50));
	json_object_set_new(o, "p90", cli_json_number(l->p90));
	json_object_set_new(o, "p95", cli_json_number(l->p95));
	json_object_set_new(o, "p99", cli_json_number(l->p99));
	json_object_set_new(o, "p99_9", cli_json_number(l->p999));
	json_object_set_new(o, "max", cli_json_number(l->max));
	return o;
}

static json_t *result_json(const perfdb_loadtest_result *r)
{
	json_t *o = json_object(), *errs = json_array();
	size_t i;
	json_object_set_new(o, "model",
			    json_string(r->model == PERFDB_LOADTEST_OPEN ? "open" : "closed"));
	json_object_set_new(o, "users", json_integer(r->users));
	json_object_set_new(o, "workers", json_integer(r->workers));
	json_object_set_new(o, "requests", json_integer((json_int_t)r->requests));
	json_object_set_new(o, "successes", json_integer((json_int_t)r->successes));
	json_object_set_new(o, "failures", json_integer((json_int_t)r->failures));
	json_object_set_new(o, "success_rate", cli_json_number(r->success_rate));
	json_object_set_new(o, "duration_s", cli_json_number(r->duration));
	json_object_set_new(o, "throughput_rps", cli_json_number(r->throughput));
	if (r->model == PERFDB_LOADTEST_OPEN) {
		json_object_set_new(o, "target_rate_rps", cli_json_number(r->target_rate));
		json_object_set_new(o, "late_starts", json_integer((json_int_t)r->late_starts));
	}
	json_object_set_new(o, "latency_ns", latency_json(&r->latency));
	if (r->model == PERFDB_LOADTEST_OPEN)
		json_object_set_new(o, "service_ns", latency_json(&r->service));
	for (i = 0; i < r->nerrors; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "code", json_integer(r->errors[i].code));
		json_object_set_new(e, "count", json_integer((json_int_t)r->errors[i].count));
		json_array_append_new(errs, e);
	}
	json_object_set_new(o, "errors", errs);
	json_object_set_new(o, "other_errors", json_integer((json_int_t)r->other_errors));
	json_object_set_new(o, "stopped", json_boolean(r->stopped));
	return o;
}

static json_t *stress_json(const perfdb_loadtest_stress_result *sr)
{
	json_t *o = json_object(), *steps = json_array();
	size_t i;
	json_object_set_new(o, "model", json_string("stress"));
	for (i = 0; i < sr->nsteps; i++)
		json_array_append_new(steps, result_json(&sr->steps[i]));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "reason", json_string(perfdb_loadtest_break_name(sr->reason)));
	json_object_set_new(o, "broke_at_users",
			    sr->broke_at >= 0 ? json_integer(sr->broke_at_users) : json_null());
	json_object_set_new(o, "capacity_users", json_integer(sr->capacity_users));
	json_object_set_new(o, "stopped_early", json_boolean(sr->stopped_early));
	return o;
}

/* ---- the command ---------------------------------------------------------------------- */

/* What is about to run (for --url: what ran). */
static void describe(const load_args *a, const char *name)
{
	char amount[64], model[64] = "closed model";
	if (a->lt.rate > 0)
		snprintf(model, sizeof(model), "open model, %.6g req/s", a->lt.rate);
	if (a->lt.requests)
		snprintf(amount, sizeof(amount), "%llu requests",
			 (unsigned long long)a->lt.requests);
	else
		snprintf(amount, sizeof(amount), "%.6g s", a->lt.duration);
	if (a->nurls > 0)
		cli_out("load test of '%s': %s, %s, %u connection%s, %u thread%s\n\n", name, model,
			amount, a->http.connections, a->http.connections == 1 ? "" : "s",
			a->http.threads, a->http.threads == 1 ? "" : "s");
	else if (a->stress_set)
		cli_out("stress test of '%s': %u to %u users, step %u, %.6g s a step\n\n", name,
			a->stress.start_users, a->stress.max_users, a->stress.step_users,
			a->stress.step_duration);
	else if (a->lt.rate > 0)
		cli_out("load test of '%s': %s, %s, %u worker%s\n\n", name, model, amount,
			a->lt.users, a->lt.users == 1 ? "" : "s");
	else
		cli_out("load test of '%s': %s, %s, %u user%s, ramp-up %.6g s, think %.6g ms\n\n",
			name, model, amount, a->lt.users, a->lt.users == 1 ? "" : "s",
			a->lt.ramp_up, a->lt.think_time * 1000.0);
}

/* ---- --url: an HTTP server ------------------------------------------------------------------ */

static json_t *http_counts_json(const perfdb_loadtest_http_counts *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "status_1xx", json_integer((json_int_t)c->status[1]));
	json_object_set_new(o, "status_2xx", json_integer((json_int_t)c->status[2]));
	json_object_set_new(o, "status_3xx", json_integer((json_int_t)c->status[3]));
	json_object_set_new(o, "status_4xx", json_integer((json_int_t)c->status[4]));
	json_object_set_new(o, "status_5xx", json_integer((json_int_t)c->status[5]));
	json_object_set_new(o, "connect_errors", json_integer((json_int_t)c->connect_errors));
	json_object_set_new(o, "timeouts", json_integer((json_int_t)c->timeouts));
	json_object_set_new(o, "closed", json_integer((json_int_t)c->closed));
	json_object_set_new(o, "malformed", json_integer((json_int_t)c->malformed));
	json_object_set_new(o, "unfinished", json_integer((json_int_t)c->unfinished));
	json_object_set_new(o, "bytes_read", json_integer((json_int_t)c->bytes_read));
	json_object_set_new(o, "connects", json_integer((json_int_t)c->connects));
	json_object_set_new(o, "tls_resumed", json_integer((json_int_t)c->tls_resumed));
	return o;
}

static json_t *http_json(const perfdb_loadtest_http_result *hr, const load_args *a)
{
	json_t *o = result_json(&hr->total), *series = json_array();
	size_t i;
	json_object_set_new(o, "connections", json_integer(a->http.connections));
	json_object_set_new(o, "threads", json_integer(a->http.threads));
	json_object_set_new(
	    o, "error_rate",
	    cli_json_number(hr->total.requests ? 1.0 - hr->total.success_rate : 0.0));
	json_object_set_new(o, "http", http_counts_json(&hr->counts));
	if (hr->connect_error)
		json_object_set_new(o, "connect_error", json_string(hr->connect_error));
	for (i = 0; i < hr->nseries; i++) {
		json_t *s = result_json(&hr->series[i].result);
		json_object_set_new(s, "name", json_string(hr->series[i].name));
		json_object_set_new(s, "url", json_string(hr->series[i].url));
		json_object_set_new(s, "error_rate",
				    cli_json_number(hr->series[i].result.requests
							? 1.0 - hr->series[i].result.success_rate
							: 0.0));
		json_object_set_new(s, "http", http_counts_json(&hr->series[i].counts));
		if (hr->series[i].connect_error)
			json_object_set_new(s, "connect_error",
					    json_string(hr->series[i].connect_error));
		json_array_append_new(series, s);
	}
	json_object_set_new(o, "series", series);
	return o;
}

/* Reads the whole of --body FILE. */
static int read_body(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	*out = NULL;
	*len = 0;
	if (!f) {
		cli_err("cannot open '%s': %s", path, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	for (;;) {
		char *nb;
		size_t got;
		if (n == cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > ((size_t)1 << 30) || !(nb = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				cli_err("cannot read '%s': too large", path);
				return CLI_EXIT_USAGE;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		cli_err("cannot read '%s': %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return CLI_EXIT_USAGE;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

static int run_http(cli_session *s, load_args *a)
{
	perfdb_loadtest_http_result hr;
	perfdb_resultset *rs = NULL;
	struct sigaction sa, old_sa;
	char *body = NULL, what[64];
	const char *name;
	int err, rc = CLI_EXIT_OK;

	a->http.targets = a->urls;
	a->http.ntargets = a->nurls;
	a->http.headers = a->headers;
	a->http.nheaders = a->nheaders;
	a->http.rate = a->lt.rate;
	a->http.requests = a->lt.requests;
	a->http.duration = a->lt.duration;
	a->http.late_threshold = a->lt.late_threshold;
	a->http.expect_status = a->nexpect ? a->expect : NULL;
	a->http.nexpect_status = a->nexpect;
	if (a->http.threads > a->http.connections)
		return cli_usage_error(&info, "--threads %u is more than --connections %u",
				       a->http.threads, a->http.connections);
	{
		/* A socket per connection, plus an epoll per thread and a few:
		 * raise the soft limit up to the hard one rather than count
		 * EMFILE as connect errors. */
		struct rlimit rl;
		rlim_t need = (rlim_t)a->http.connections + a->http.threads + 64;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < need) {
			if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
				return cli_usage_error(
				    &info,
				    "--connections %u needs %llu open files; the "
				    "limit is %llu (ulimit -n)",
				    a->http.connections, (unsigned long long)need,
				    (unsigned long long)rl.rlim_max);
			rl.rlim_cur = need;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (a->body_path && (rc = read_body(a->body_path, &body, &a->http.body_len)) != 0)
		return rc;
	a->http.body = body;
	if (a->nurls == 1)
		name = a->urls[0].name ? a->urls[0].name : a->urls[0].url;
	else {
		snprintf(what, sizeof(what), "%zu URLs", a->nurls);
		name = what;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	a->http.progress = progress;
	a->http.progress_arg = a;
	a->http.progress_interval = 0.2;

	cli_launch_warn_unused(&a->l);
	err = perfdb_loadtest_http_run(&hr, &a->http);
	cli_progress_clear();
	sigaction(SIGINT, &old_sa, NULL);
	free(body);
	if (err)
		return cli_fail();
	/* Described after the run: a URL the library refuses gets its one
	 * error line alone. */
	if (!a->l.json)
		describe(a, name);
	if (a->l.json) {
		json_t *doc = http_json(&hr, a);
		json_object_set_new(doc, "name", json_string(a->l.name ? a->l.name : name));
		rc = cli_launch_print_json(doc);
	} else {
		print_result(&hr.total, &hr);
	}
	if (interrupted) {
		cli_warn("interrupted: the figures cover the requests done%s",
			 a->l.record ? "; nothing recorded" : "");
		goto out;
	}
	if (hr.total.requests && hr.total.failures == hr.total.requests)
		cli_warn("every request failed: check the URL and --expect-status");
	if (a->l.record && rc == CLI_EXIT_OK) {
		if (perfdb_resultset_new(&rs) != 0 ||
		    perfdb_loadtest_http_export(rs, &hr, a->l.name) != 0) {
			rc = cli_fail();
			goto out;
		}
		rc = cli_launch_record(s, &a->l, rs, NULL);
	}
out:
	perfdb_resultset_free(rs);
	perfdb_loadtest_http_result_release(&hr);
	return rc;
}

/* Checks the operands and runs --url; for a command (no --url) only checks
 * that there is one and returns 0. */
static int load_url(cli_session *s, load_args *a, int first, int argc)
{
	int rc;
	if (a->nurls > 0 && first < argc)
		return cli_usage_error(&info, "give --url or -- CMD, not both");
	if (a->nurls == 0) {
		if (first >= argc)
			return cli_usage_error(&info, "no command to run (give -- CMD [ARGS...] "
						      "or --url URL)");
		return CLI_EXIT_OK;
	}
	if ((rc = check_args(a)) != 0)
		return rc;
	return run_http(s, a);
}

int cmd_load(cli_session *session, int argc, char **argv)
{
	load_args a;
	perfdb_loadtest_stress_options so = PERFDB_LOADTEST_STRESS_OPTIONS_INIT;
	perfdb_loadtest_result r;
	perfdb_loadtest_stress_result sr;
	perfdb_command *cmd = NULL;
	perfdb_resultset *rs = NULL;
	cli_launch_signals saved;
	char *cmdname = NULL;
	const char *name;
	int first, err, rc = CLI_EXIT_OK;

	memset(&a, 0, sizeof(a));
	perfdb_loadtest_options_init(&a.lt);
	perfdb_loadtest_http_options_init(&a.http);
	a.stress = so;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first >= 0 || a.nurls > 0) {
		/* --url: the names of NAME=URL are freed here, whatever happens. */
		rc = first < 0 ? cli_parse_exit(first) : load_url(session, &a, first, argc);
		for (size_t i = 0; i < a.nurls; i++)
			free(a.url_names[i]);
		if (a.nurls > 0 || rc != CLI_EXIT_OK)
			return rc;
	}
	if (first < 0)
		return cli_parse_exit(first);
	if ((rc = check_args(&a)) != 0)
		return rc;
	/* No peak RSS here, so no floor to read: the request path stays short. */
	if ((rc = cli_launch_command(&cmd, &cmdname, argv + first,
				     PERFDB_COMMAND_NO_RSS_FLOOR |
					 (a.l.show_output ? PERFDB_COMMAND_SHOW_OUTPUT : 0),
				     a.http.timeout, &stop_commands)))
		return rc;
	name = a.l.name ? a.l.name : cmdname;

	/* Ctrl-C or SIGTERM ends the test cleanly: the commands in flight are
	 * ended and the summary covers what was done. */
	cli_launch_signals_catch(&saved, on_sigint);
	a.lt.progress = progress;
	a.lt.progress_arg = &a;
	a.lt.progress_interval = 0.2;

	cli_launch_warn_unused(&a.l);
	if (!a.l.json)
		describe(&a, name);
	if (a.stress_set) {
		err = perfdb_loadtest_stress(&sr, request, cmd, &a.lt, &a.stress);
	} else {
		err = perfdb_loadtest_run(&r, request, cmd, &a.lt);
	}
	cli_progress_clear();
	cli_launch_signals_restore(&saved);
	if (err) {
		rc = cli_fail();
		goto out;
	}

	if (a.l.json) {
		json_t *doc = a.stress_set ? stress_json(&sr) : result_json(&r);
		json_t *argv_json = json_array();
		int i;
		for (i = first; i < argc; i++)
			json_array_append_new(argv_json, json_string(argv[i]));
		json_object_set_new(doc, "name", json_string(name));
		json_object_set_new(doc, "command", argv_json);
		rc = cli_launch_print_json(doc);
	} else if (a.stress_set) {
		print_stress(&sr, &a.stress);
	} else {
		print_result(&r, NULL);
	}
	if (interrupted) {
		cli_warn("interrupted: the figures cover the requests done%s",
			 a.l.record ? "; nothing recorded" : "");
		goto release;
	}
	if (!a.stress_set && r.requests && r.failures == r.requests)
		cli_warn("every request failed: check the command (try --show-output)");
	if (a.l.record && rc == CLI_EXIT_OK) {
		err = perfdb_resultset_new(&rs);
		if (err == 0)
			err = a.stress_set ? perfdb_loadtest_stress_export(rs, &sr, name)
					   : perfdb_loadtest_result_export(rs, &r, name);
		rc = err ? cli_fail() : cli_launch_record(session, &a.l, rs, NULL);
	}
release:
	if (a.stress_set)
		perfdb_loadtest_stress_result_release(&sr);
	else
		perfdb_loadtest_result_release(&r);
out:
	perfdb_resultset_free(rs);
	perfdb_command_free(cmd);
	free(cmdname);
	return rc;
}
