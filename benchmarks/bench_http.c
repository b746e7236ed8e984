/*
 * bench_http.c - the HTTP load tester (perfdb load --url) against wrk, and
 * its coordinated-omission correction on a server that stalls.
 *
 *  1. Throughput: nginx serving a small static file on loopback (Debian's
 *     nginx; tests/progs/httpd_test when nginx is missing), closed model,
 *     the same connections and threads for wrk and for perfdb, alternated,
 *     best of each; the ratio perfdb / wrk (target >= 0.9).
 *  2. Latency at a fixed rate well under capacity (perfdb's open model) beside
 *     wrk --latency on the same connection (closed loop: it measures the
 *     same unloaded service time, but wrk has no rate and no correction).
 *  3. Coordinated omission: httpd_test stops answering for 1 s in the middle
 *     of a 10 s run at 1,000 req/s (quick: 0.5 s of a 3 s run); corrected
 *     p99 must be about half the stall and up, the uncorrected service time
 *     hides it.
 * Everything runs on 127.0.0.1 with bounded durations; the servers started
 * here are stopped by their pid.
 */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_ARGS 16

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static pid_t spawn(char *const argv[])
{
	pid_t pid;
	fflush(stdout); /* the child must not flush our buffer a second time */
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool can_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool wait_port(int port)
{
	int i;
	for (i = 0; i < 300; i++) {
		if (can_connect(port))
			return true;
		nap_ms(10);
	}
	return false;
}

/* nginx with one worker on a free port, serving a 104-byte index.html. */
static pid_t start_nginx(const bench_ctx *ctx, int *port)
{
	char conf[4200], path[4200];
	char *argv[] = {"nginx", "-c", conf, "-p", (char *)ctx->workdir, "-e", path, NULL};
	FILE *f;
	int i;
	pid_t pid;

	if (bench_system("command -v nginx > /dev/null 2>&1 || test -x /usr/sbin/nginx") != 0)
		return -1;
	if (access("/usr/sbin/nginx", X_OK) == 0)
		argv[0] = "/usr/sbin/nginx";
	*port = free_port();
	snprintf(path, sizeof(path), "%s/index.html", ctx->workdir);
	if (!(f = fopen(path, "w")))
		return -1;
	for (i = 0; i < 8; i++)
		fputs("hello perfdb\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "%s/nginx.conf", ctx->workdir);
	if (!(f = fopen(conf, "w")))
		return -1;
	fprintf(f,
		"daemon off; master_process off; worker_processes 1;\n"
		"pid %s/nginx.pid; error_log %s/nginx-error.log;\n"
		"events { worker_connections 1024; }\n"
		"http { access_log off; keepalive_requests 1000000;\n"
		"  client_body_temp_path %s/t1; proxy_temp_path %s/t2; fastcgi_temp_path %s/t3;\n"
		"  uwsgi_temp_path %s/t4; scgi_temp_path %s/t5;\n"
		"  server { listen 127.0.0.1:%d; root %s; } }\n",
		ctx->workdir, ctx->workdir, ctx->workdir, ctx->workdir, ctx->workdir, ctx->workdir,
		ctx->workdir, *port, ctx->workdir);
	fclose(f);
	snprintf(path, sizeof(path), "%s/nginx-error.log", ctx->workdir);
	pid = spawn(argv);
	if (pid > 0 && !wait_port(*port)) {
		stop(pid);
		return -1;
	}
	return pid;
}

/* tests/progs/httpd_test beside perfdb-bench's build tree. */
static pid_t start_httpd_test(const bench_ctx *ctx, int *port, const char *stall_after,
			      const char *stall_for)
{
	char self[4096], prog[4200], pf[4200];
	char *argv[MAX_ARGS] = {prog, "--port-file", pf, "--lifetime", "60", NULL};
	pid_t pid;
	int i;

	snprintf(self, sizeof(self), "%s", ctx->self);
	snprintf(prog, sizeof(prog), "%s/tests/prog_httpd_test", dirname(self));
	snprintf(pf, sizeof(pf), "%s/httpd.port", ctx->workdir);
	unlink(pf);
	if (stall_after) {
		argv[5] = "--stall-after";
		argv[6] = (char *)stall_after;
		argv[7] = "--stall-for";
		argv[8] = (char *)stall_for;
		argv[9] = NULL;
	}
	pid = spawn(argv);
	for (i = 0; pid > 0 && i < 300; i++) {
		FILE *f = fopen(pf, "r");
		if (f) {
			int ok = fscanf(f, "%d", port) == 1;
			fclose(f);
			if (ok)
				return pid;
		}
		nap_ms(10);
	}
	stop(pid);
	return -1;
}

/* "1.23ms" -> ns */
static double wrk_time(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (strncmp(end, "us", 2) == 0)
		return v * 1e3;
	if (strncmp(end, "ms", 2) == 0)
		return v * 1e6;
	if (strncmp(end, "s", 1) == 0)
		return v * 1e9;
	return -1;
}

typedef struct wrk_figures {
	double rps, p50, p99;
	double requests, cpu_s; /* requests done, CPU seconds wrk used */
} wrk_figures;

static double cpu_seconds(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int run_wrk(const char *url, unsigned c, unsigned t, double secs, wrk_figures *out)
{
	char cmd[1024], line[512];
	FILE *p;
	double cpu0 = cpu_seconds(RUSAGE_CHILDREN);
	memset(out, 0, sizeof(*out));
	snprintf(cmd, sizeof(cmd), "wrk -t%u -c%u -d%.0fs --latency '%s' 2>&1", t, c, secs, url);
	if (!(p = popen(cmd, "r")))
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char pct[16], v[32];
		if (sscanf(line, " Requests/sec: %lf", &out->rps) == 1)
			continue;
		/* (not sscanf " %lf requests": it matches "50%" as 50) */
		if (strstr(line, " requests in ")) {
			out->requests = strtod(line, NULL);
			continue;
		}
		if (sscanf(line, " %15s %31s", pct, v) == 2) {
			if (strcmp(pct, "50%") == 0)
				out->p50 = wrk_time(v);
			else if (strcmp(pct, "99%") == 0)
				out->p99 = wrk_time(v);
		}
	}
	if (pclose(p) != 0 || out->rps <= 0)
		return -1;
	/* pclose waited for wrk: its CPU time is in the children's now */
	out->cpu_s = cpu_seconds(RUSAGE_CHILDREN) - cpu0;
	return 0;
}

static int run_perfdb(perfdb_loadtest_http_result *r, const char *url, unsigned c, unsigned t,
		      double rate, double secs)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_target tg = {NULL, url};
	o.targets = &tg;
	o.ntargets = 1;
	o.connections = c;
	o.threads = t;
	o.rate = rate;
	o.duration = secs;
	if (perfdb_loadtest_http_run(r, &o) != 0) {
		fprintf(stderr, "perfdb-bench: http: %s\n", perfdb_error_last()->message);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int throughput(const bench_ctx *ctx, const char *url, bool have_wrk)
{
	enum { MAX_ROUNDS = 8 };
	const unsigned c = 32, t = 1;
	const double secs = ctx->quick ? 1.0 : 3.0;
	int rounds = ctx->quick ? 1 : 6, i, npairs = 0;
	double best_perfdb = 0, best_wrk = 0, cpu_perfdb = 0, cpu_wrk = 0, pair[MAX_ROUNDS];

	/* Alternated, wrk first then perfdb, then the other way round: the
	 * machine's load drifts, and a pair of neighbours sees about the same. */
	for (i = 0; i < rounds; i++) {
		perfdb_loadtest_http_result r;
		wrk_figures w = {0};
		double cpu0, cpu;
		int wrk_ok = -1;
		if (have_wrk && i % 2 == 0)
			wrk_ok = run_wrk(url, c, t, secs, &w);
		cpu0 = cpu_seconds(RUSAGE_SELF);
		if (run_perfdb(&r, url, c, t, 0.0, secs) != 0)
			return -1;
		cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
		if (have_wrk && i % 2 == 1)
			wrk_ok = run_wrk(url, c, t, secs, &w);
		if (r.total.failures)
			bench_note(ctx, "perfdb saw %llu failures",
				   (unsigned long long)r.total.failures);
		if (r.total.throughput > best_perfdb && r.total.requests) {
			best_perfdb = r.total.throughput;
			cpu_perfdb = cpu / (double)r.total.requests * 1e9;
		}
		if (wrk_ok == 0) {
			if (w.rps > best_wrk) {
				best_wrk = w.rps;
				cpu_wrk = w.requests > 0 ? w.cpu_s / w.requests * 1e9 : 0;
			}
			pair[npairs++] = r.total.throughput / w.rps;
		}
		perfdb_loadtest_http_result_release(&r);
	}
	bench_report_higher(ctx, "http/closed_c32_t1", "perfdb_throughput", "req/s", best_perfdb);
	bench_report(ctx, "http/closed_c32_t1", "perfdb_cpu_per_request", "ns", cpu_perfdb);
	if (best_wrk > 0) {
		bench_report_higher(ctx, "http/closed_c32_t1", "wrk_throughput", "req/s", best_wrk);
		bench_report(ctx, "http/closed_c32_t1", "wrk_cpu_per_request", "ns", cpu_wrk);
		bench_report_higher(ctx, "http/closed_c32_t1", "perfdb_vs_wrk", "x",
				    best_perfdb / best_wrk);
		qsort(pair, (size_t)npairs, sizeof(pair[0]), cmp_double);
		bench_report_higher(ctx, "http/closed_c32_t1", "perfdb_vs_wrk_median_pair", "x",
				    npairs % 2 ? pair[npairs / 2]
					       : (pair[npairs / 2 - 1] + pair[npairs / 2]) / 2);
	}
	bench_note(ctx,
		   "throughput: 32 connections, 1 thread, %.0f s a run, %d runs each, alternated; "
		   "perfdb_vs_wrk is best over best, the median pair is the median of the ratios "
		   "of neighbouring runs; CPU per request is the client's own user+sys time",
		   secs, rounds);
	return 0;
}

static int latency(const bench_ctx *ctx, const char *url, bool have_wrk)
{
	const double rate = 1000, secs = ctx->quick ? 1.0 : 5.0;
	perfdb_loadtest_http_result r;
	wrk_figures w;

	if (run_perfdb(&r, url, 8, 1, rate, secs) != 0)
		return -1;
	bench_report(ctx, "http/rate_1000_c8", "perfdb_p50", "ns", r.total.latency.p50);
	bench_report(ctx, "http/rate_1000_c8", "perfdb_p99", "ns", r.total.latency.p99);
	bench_report(ctx, "http/rate_1000_c8", "perfdb_service_p50", "ns", r.total.service.p50);
	bench_report(ctx, "http/rate_1000_c8", "perfdb_service_p99", "ns", r.total.service.p99);
	perfdb_loadtest_http_result_release(&r);
	/* The same closed loop as wrk's: back to back on one connection. */
	if (run_perfdb(&r, url, 1, 1, 0.0, secs) != 0)
		return -1;
	bench_report(ctx, "http/closed_c1", "perfdb_p50", "ns", r.total.latency.p50);
	bench_report(ctx, "http/closed_c1", "perfdb_p99", "ns", r.total.latency.p99);
	perfdb_loadtest_http_result_release(&r);
	if (have_wrk && run_wrk(url, 1, 1, secs, &w) == 0) {
		bench_report(ctx, "http/closed_c1", "wrk_p50", "ns", w.p50);
		bench_report(ctx, "http/closed_c1", "wrk_p99", "ns", w.p99);
	}
	bench_note(ctx,
		   "latency: perfdb open model at 1,000 req/s on 8 connections (corrected, and "
		   "service time); wrk --latency on 1 connection is closed-loop (back to back, "
		   "%.0f s)",
		   secs);
	return 0;
}

static int stall(const bench_ctx *ctx)
{
	/* Full: 10 s at 1,000 req/s, the server silent for 1 s from 4.5 s.
	 * Quick: 3 s, silent for 0.5 s from 1.25 s. */
	const double secs = ctx->quick ? 3.0 : 10.0;
	const char *after = ctx->quick ? "1.25" : "4.5", *len = ctx->quick ? "0.5" : "1";
	perfdb_loadtest_http_result r;
	char url[128];
	int port = 0, rc;
	pid_t pid = start_httpd_test(ctx, &port, after, len);

	if (pid < 0) {
		bench_note(ctx, "stall: cannot start tests/progs/httpd_test (build the tests)");
		return 0;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", port);
	rc = run_perfdb(&r, url, 16, 1, 1000, secs);
	stop(pid);
	if (rc != 0)
		return -1;
	bench_report(ctx, "http/stall", "corrected_p50", "ns", r.total.latency.p50);
	bench_report(ctx, "http/stall", "corrected_p99", "ns", r.total.latency.p99);
	bench_report(ctx, "http/stall", "corrected_max", "ns", r.total.latency.max);
	bench_report(ctx, "http/stall", "uncorrected_p50", "ns", r.total.service.p50);
	bench_report(ctx, "http/stall", "uncorrected_p99", "ns", r.total.service.p99);
	bench_report(ctx, "http/stall", "uncorrected_max", "ns", r.total.service.max);
	bench_report(ctx, "http/stall", "requests", "", (double)r.total.requests);
	bench_note(ctx,
		   "stall: %.0f s at 1,000 req/s on 16 connections, the server silent for %s s "
		   "from %s s; corrected p99 should be about %s s / 2 and up",
		   secs, len, after, len);
	perfdb_loadtest_http_result_release(&r);
	return 0;
}

int bench_http(const bench_ctx *ctx)
{
	bool have_wrk = bench_system("command -v wrk > /dev/null 2>&1") == 0;
	char url[128];
	int port = 0, rc = 0;
	pid_t pid = start_nginx(ctx, &port);
	const char *server = "nginx (1 worker)";

	if (pid < 0) {
		pid = start_httpd_test(ctx, &port, NULL, NULL);
		server = "tests/progs/httpd_test";
	}
	if (pid < 0) {
		bench_note(ctx,
			   "no server: install nginx (Debian package nginx) or build the tests");
		return 1;
	}
	if (!have_wrk)
		bench_note(ctx, "wrk is not installed (Debian package wrk): perfdb figures only");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s", port,
		 strcmp(server, "tests/progs/httpd_test") == 0 ? "ok" : "index.html");
	bench_note(ctx, "server: %s on 127.0.0.1", server);
	if (throughput(ctx, url, have_wrk) != 0 || latency(ctx, url, have_wrk) != 0)
		rc = 1;
	stop(pid);
	if (rc == 0 && stall(ctx) != 0)
		rc = 1;
	return rc;
}
