/*
 * bench_http.c - the HTTP load tester (perfdb load --url) against wrk, and
 * its coordinated-omission correction on a server that stalls.
 *
 *  1. Throughput: nginx serving a small static file on loopback (Debian's
 *     nginx; tests/progs/httpd_test when nginx is missing), closed model,
 *     the same connections and threads for wrk and for perfdb (32 on 1
 *     thread, 64 on 2), alternated; every neighbouring pair is printed with
 *     its ratio perfdb / wrk (target >= 0.9), then the median pair and best
 *     over best.
 *  2. Latency at a fixed rate well under capacity: perfdb's open model at
 *     1,000 req/s on 8 connections beside wrk --latency held near the same
 *     rate by a Lua delay() on 8 connections (wrk has no rate: each
 *     connection waits a random 3-11 ms before its next request). Both
 *     measure from the actual send, so perfdb's uncorrected service time is
 *     the figure to set against wrk's; p50 and p99 each with their ratio
 *     (target within 10%). Also both back to back on one connection. wrk 4
 *     corrects its percentiles after the run (stats_correct adds synthetic
 *     samples for a latency above the mean interval per connection): at
 *     about 8 ms that changes nothing under capacity, back to back (an
 *     interval of tens of µs) it inflates wrk's tail.
 *  3. Coordinated omission: httpd_test stops answering for 1 s in the middle
 *     of a 10 s run at 1,000 req/s (quick: 0.5 s of a 3 s run); perfdb's
 *     corrected p99 must be about half the stall and up, while its
 *     uncorrected service time hides it; wrk at the same rate (16
 *     connections, a random 7-23 ms delay) beside them, whose after-the-run
 *     correction shows the stall too.
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

/* A self-signed certificate for localhost (tls.pem, tls.key in the work
 * directory), made with the openssl command: true when it is there. */
static bool make_cert(const bench_ctx *ctx)
{
	return bench_system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
			    "-nodes -days 2 -subj /CN=localhost -addext "
			    "subjectAltName=DNS:localhost -keyout '%s/tls.key' -out '%s/tls.pem' "
			    "> /dev/null 2>&1",
			    ctx->workdir, ctx->workdir) == 0;
}

/* Whether this perfdb speaks https:// (a build without TLS refuses it
 * before connecting; one with it counts the refused port 1 as an error). */
static bool perfdb_has_tls(void)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_target tg = {NULL, "https://127.0.0.1:1/"};
	perfdb_loadtest_http_result r;
	o.targets = &tg;
	o.ntargets = 1;
	o.requests = 1;
	o.insecure = true;
	if (perfdb_loadtest_http_run(&r, &o) != 0)
		return false;
	perfdb_loadtest_http_result_release(&r);
	return true;
}

/* nginx with one worker on a free port, serving a 104-byte index.html; with
 * tls_port, also over TLS on a second port (the certificate of make_cert). */
static pid_t start_nginx(const bench_ctx *ctx, int *port, int *tls_port)
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
		"  server { listen 127.0.0.1:%d; root %s; }\n",
		ctx->workdir, ctx->workdir, ctx->workdir, ctx->workdir, ctx->workdir, ctx->workdir,
		ctx->workdir, *port, ctx->workdir);
	if (tls_port) {
		*tls_port = free_port();
		fprintf(f,
			"  server { listen 127.0.0.1:%d ssl; server_name localhost; root %s;\n"
			"    ssl_certificate %s/tls.pem; ssl_certificate_key %s/tls.key; }\n",
			*tls_port, ctx->workdir, ctx->workdir, ctx->workdir);
	}
	fputs("}\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/nginx-error.log", ctx->workdir);
	pid = spawn(argv);
	if (pid > 0 && (!wait_port(*port) || (tls_port && !wait_port(*tls_port)))) {
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

/* wrk on url; script: a Lua file for -s, or NULL. */
static int run_wrk(const char *url, unsigned c, unsigned t, double secs, const char *script,
		   wrk_figures *out)
{
	char cmd[5200], line[512];
	FILE *p;
	double cpu0 = cpu_seconds(RUSAGE_CHILDREN);
	memset(out, 0, sizeof(*out));
	snprintf(cmd, sizeof(cmd), "wrk -t%u -c%u -d%.0fs --latency %s%s%s '%s' 2>&1", t, c, secs,
		 script ? "-s '" : "", script ? script : "", script ? "'" : "", url);
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

/* ca_file: for https://, the certificate to trust (NULL for http://). */
static int run_perfdb(perfdb_loadtest_http_result *r, const char *url, const char *ca_file,
		      unsigned c, unsigned t, double rate, double secs)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_target tg = {NULL, url};
	o.ca_file = ca_file;
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

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* label: "http", or "https" with the certificate to trust in ca_file. */
static int throughput(const bench_ctx *ctx, const char *label, const char *url, const char *ca_file,
		      bool have_wrk, unsigned c, unsigned t)
{
	enum { MAX_ROUNDS = 8 };
	const double secs = ctx->quick ? 1.0 : 3.0;
	int rounds = ctx->quick ? 1 : 6, i, npairs = 0;
	double best_perfdb = 0, best_wrk = 0, cpu_perfdb = 0, cpu_wrk = 0, pair[MAX_ROUNDS];
	char name[64];

	snprintf(name, sizeof(name), "%s/closed_c%u_t%u", label, c, t);
	/* Alternated, wrk first then perfdb, then the other way round: the
	 * machine's load drifts, and a pair of neighbours sees about the same. */
	for (i = 0; i < rounds; i++) {
		perfdb_loadtest_http_result r;
		wrk_figures w = {0};
		double cpu0, cpu;
		int wrk_ok = -1;
		if (have_wrk && i % 2 == 0)
			wrk_ok = run_wrk(url, c, t, secs, NULL, &w);
		cpu0 = cpu_seconds(RUSAGE_SELF);
		if (run_perfdb(&r, url, ca_file, c, t, 0.0, secs) != 0)
			return -1;
		cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
		if (have_wrk && i % 2 == 1)
			wrk_ok = run_wrk(url, c, t, secs, NULL, &w);
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
			bench_note(ctx,
				   "%s pair %d (%s first): perfdb %.0f req/s, wrk %.0f req/s, "
				   "perfdb/wrk %.3f",
				   name, npairs, i % 2 ? "perfdb" : "wrk", r.total.throughput,
				   w.rps, pair[npairs - 1]);
		}
		perfdb_loadtest_http_result_release(&r);
	}
	bench_report_higher(ctx, name, "perfdb_throughput", "req/s", best_perfdb);
	bench_report(ctx, name, "perfdb_cpu_per_request", "ns", cpu_perfdb);
	if (best_wrk > 0) {
		bench_report_higher(ctx, name, "wrk_throughput", "req/s", best_wrk);
		bench_report(ctx, name, "wrk_cpu_per_request", "ns", cpu_wrk);
		bench_report_higher(ctx, name, "perfdb_vs_wrk", "x", best_perfdb / best_wrk);
		bench_report_higher(ctx, name, "perfdb_vs_wrk_median_pair", "x",
				    median(pair, npairs));
	}
	bench_note(ctx,
		   "throughput: %u connections, %u thread%s, %.0f s a run, %d runs each, "
		   "alternated; perfdb_vs_wrk is best over best, the median pair is the median "
		   "of the ratios of neighbouring runs; CPU per request is the client's own "
		   "user+sys time",
		   c, t, t == 1 ? "" : "s", secs, rounds);
	return 0;
}

/* A wrk script that waits a random lo..hi milliseconds before each request
 * on each connection: c connections then send about
 * c / ((lo + hi) / 2 + service time) requests per second, wrk's nearest to
 * a fixed rate. A constant delay would keep the connections in step, all
 * sending at once every period, and the burst would queue at the server:
 * random delays spread them out as a schedule does. */
static const char *delay_script(const bench_ctx *ctx, int lo, int hi)
{
	static char path[4200];
	FILE *f;
	snprintf(path, sizeof(path), "%s/delay_%d_%d.lua", ctx->workdir, lo, hi);
	if (!(f = fopen(path, "w")))
		return NULL;
	fprintf(f, "function delay()\n  return math.random(%d, %d)\nend\n", lo, hi);
	fclose(f);
	return path;
}

static void report_pair(const bench_ctx *ctx, const char *name, const char *what, double perfdb,
			double wrk)
{
	char metric[64];
	snprintf(metric, sizeof(metric), "perfdb_%s", what);
	bench_report(ctx, name, metric, "ns", perfdb);
	snprintf(metric, sizeof(metric), "wrk_%s", what);
	bench_report(ctx, name, metric, "ns", wrk);
	snprintf(metric, sizeof(metric), "%s_perfdb_vs_wrk", what);
	bench_report(ctx, name, metric, "x", wrk > 0 ? perfdb / wrk : 0);
}

static int latency(const bench_ctx *ctx, const char *url, bool have_wrk)
{
	const double rate = 1000, secs = ctx->quick ? 1.0 : 5.0;
	const char *script = have_wrk ? delay_script(ctx, 3, 11) : NULL;
	perfdb_loadtest_http_result r;
	wrk_figures w;
	bool wrk_ok;

	if (run_perfdb(&r, url, NULL, 8, 1, rate, secs) != 0)
		return -1;
	wrk_ok = script && run_wrk(url, 8, 1, secs, script, &w) == 0;
	bench_report(ctx, "http/rate_1000_c8", "perfdb_corrected_p50", "ns", r.total.latency.p50);
	bench_report(ctx, "http/rate_1000_c8", "perfdb_corrected_p99", "ns", r.total.latency.p99);
	bench_report_higher(ctx, "http/rate_1000_c8", "perfdb_rate", "req/s", r.total.throughput);
	if (wrk_ok) {
		bench_report_higher(ctx, "http/rate_1000_c8", "wrk_rate", "req/s", w.rps);
		report_pair(ctx, "http/rate_1000_c8", "p50", r.total.service.p50, w.p50);
		report_pair(ctx, "http/rate_1000_c8", "p99", r.total.service.p99, w.p99);
	} else {
		bench_report(ctx, "http/rate_1000_c8", "perfdb_p50", "ns", r.total.service.p50);
		bench_report(ctx, "http/rate_1000_c8", "perfdb_p99", "ns", r.total.service.p99);
	}
	perfdb_loadtest_http_result_release(&r);
	/* The same closed loop as wrk's: back to back on one connection. */
	if (run_perfdb(&r, url, NULL, 1, 1, 0.0, secs) != 0)
		return -1;
	if (have_wrk && run_wrk(url, 1, 1, secs, NULL, &w) == 0) {
		report_pair(ctx, "http/closed_c1", "p50", r.total.latency.p50, w.p50);
		report_pair(ctx, "http/closed_c1", "p99", r.total.latency.p99, w.p99);
	}
	perfdb_loadtest_http_result_release(&r);
	bench_note(ctx,
		   "latency: perfdb's open model at 1,000 req/s on 8 connections (p50/p99: its "
		   "uncorrected service time, corrected_*: from the intended send) beside wrk "
		   "--latency on 8 connections each waiting 3-11 ms (random) between requests (a "
		   "Lua delay(): wrk has no rate); closed_c1: both back to back on 1 connection; "
		   "%.0f s each",
		   secs);
	return 0;
}

static int stall(const bench_ctx *ctx, bool have_wrk)
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
	rc = run_perfdb(&r, url, NULL, 16, 1, 1000, secs);
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
	perfdb_loadtest_http_result_release(&r);
	/* wrk at about the same rate on a fresh server with the same stall:
	 * closed loop, it sends nothing while its connections wait, so it
	 * measures only 16 slow requests, but its after-the-run correction
	 * adds the ones it did not send. */
	if (have_wrk) {
		const char *script = delay_script(ctx, 7, 23);
		wrk_figures w;
		pid = start_httpd_test(ctx, &port, after, len);
		if (pid > 0 && script) {
			snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", port);
			if (run_wrk(url, 16, 1, secs, script, &w) == 0) {
				bench_report(ctx, "http/stall", "wrk_p50", "ns", w.p50);
				bench_report(ctx, "http/stall", "wrk_p99", "ns", w.p99);
				bench_report(ctx, "http/stall", "wrk_requests", "", w.requests);
			}
		}
		stop(pid);
	}
	bench_note(ctx,
		   "stall: %.0f s at 1,000 req/s on 16 connections, the server silent for %s s "
		   "from %s s; corrected p99 should be about %s s / 2 and up; wrk_*: wrk "
		   "--latency at about the same rate (16 connections, a random 7-23 ms delay()); "
		   "wrk 4 corrects its percentiles after the run (stats_correct: synthetic "
		   "samples for the mean interval per connection), so it shows the stall too",
		   secs, len, after, len);
	return 0;
}

int bench_http(const bench_ctx *ctx)
{
	bool have_wrk = bench_system("command -v wrk > /dev/null 2>&1") == 0;
	bool tls = perfdb_has_tls() && make_cert(ctx);
	char url[128], tls_url[128], ca_file[4200];
	int port = 0, tls_port = 0, rc = 0;
	pid_t pid = start_nginx(ctx, &port, tls ? &tls_port : NULL);
	const char *server = "nginx (1 worker)";

	if (pid < 0 && tls) {
		tls = false; /* an nginx without TLS: plain http:// only */
		pid = start_nginx(ctx, &port, NULL);
	}
	if (pid < 0) {
		tls = false;
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
	snprintf(tls_url, sizeof(tls_url), "https://localhost:%d/index.html", tls_port);
	snprintf(ca_file, sizeof(ca_file), "%s/tls.pem", ctx->workdir);
	if (throughput(ctx, "http", url, NULL, have_wrk, 32, 1) != 0 ||
	    (!ctx->quick && throughput(ctx, "http", url, NULL, have_wrk, 64, 2) != 0) ||
	    (tls && throughput(ctx, "https", tls_url, ca_file, have_wrk, 32, 1) != 0) ||
	    latency(ctx, url, have_wrk) != 0)
		rc = 1;
	if (!tls)
		bench_note(ctx, "https: not measured (perfdb built without TLS, or no openssl "
				"command or TLS in nginx)");
	else
		bench_note(ctx, "https: the same nginx over TLS (a self-signed certificate for "
				"localhost that perfdb is told to trust; wrk does not verify)");
	stop(pid);
	if (rc == 0 && stall(ctx, have_wrk) != 0)
		rc = 1;
	return rc;
}
