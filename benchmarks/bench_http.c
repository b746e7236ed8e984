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
 *     connection waits a random 3-11 ms before its next request); then both
 *     back to back on one connection. Five alternated pairs each (quick:
 *     one), every pair printed, the medians reported. Both time a request
 *     from its first byte sent to its response parsed, so perfdb's
 *     uncorrected service time is the figure to set against wrk's, taken
 *     through wrk's rules (whole µs; wrk 4's after-the-run correction,
 *     stats_correct, which adds synthetic samples for a latency of twice
 *     the mean interval per connection and up: nothing at ~8 ms intervals,
 *     much of the tail back to back at tens of µs; wrk's percentile).
 *     The referee: with tcpdump (root), each run is captured on lo and
 *     every request timed from its packet to its response's last packet,
 *     the latency as the kernel saw it, printed beside each tool's figure.
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
#include <math.h>
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
	double runtime_us;	/* the run's length as wrk took it */
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
			out->runtime_us = wrk_time(strstr(line, " requests in ") + 13) / 1e3;
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

/* ---- the referee: packet times on lo ----------------------------------------------------- */

/* tcpdump on lo keeps the packets with a payload to or from the server's
 * port: a request's packet and its response's last packet, timed by the
 * kernel as they pass lo, give a latency neither client's clock took. It
 * starts after the client's send has entered the kernel and ends before the
 * client wakes up to read, so a client's figure should be a little above
 * it; the server's own time varies with what the client does on the same
 * cores, and the referee shows that too. */
typedef struct referee {
	pid_t pid;
	int port;
	char pcap[4200];
} referee;

static bool referee_start(const bench_ctx *ctx, referee *rf, int port)
{
	char cmd[9000], err[4200], line[256];
	char *argv[] = {"sh", "-c", cmd, NULL};
	int i;

	rf->port = port;
	snprintf(rf->pcap, sizeof(rf->pcap), "%s/referee.pcap", ctx->workdir);
	snprintf(err, sizeof(err), "%s/referee.err", ctx->workdir);
	unlink(err);
	snprintf(cmd, sizeof(cmd),
		 "exec tcpdump -i lo --immediate-mode -n -s 128 -B 16384 "
		 "--time-stamp-precision=nano -w '%s' "
		 "'tcp port %d and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) "
		 "!= 0' 2> '%s'",
		 rf->pcap, port, err);
	/* --immediate-mode: otherwise the packets wait in a block of the ring
	 * for up to 1 s, and the block not yet handed over is lost at the stop
	 * (up to 5% of a 3 s run). */
	rf->pid = spawn(argv);
	/* Capturing once it says so (it needs root or CAP_NET_RAW). */
	for (i = 0; rf->pid > 0 && i < 500; i++) {
		FILE *f = fopen(err, "r");
		bool up = false;
		while (f && !up && fgets(line, sizeof(line), f))
			up = strstr(line, "listening on") != NULL;
		if (f)
			fclose(f);
		if (up)
			return true;
		if (waitpid(rf->pid, NULL, WNOHANG) == rf->pid)
			break;
		nap_ms(10);
	}
	if (rf->pid > 0 && i == 500)
		stop(rf->pid);
	rf->pid = -1;
	return false;
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4); /* pcap headers: the writer's (this machine's) order */
	return v;
}

static unsigned get_be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Stops the capture and reads it into h (ns): per client port, from a
 * request's packet to the last response packet before its next request;
 * *bunched: the share of requests sent less than 50 µs after the one
 * before (on any connection), which queue behind it at a one-worker
 * server. 0, or -1 when the file cannot be read. */
static int referee_stop(referee *rf, perfdb_histogram *h, double *bunched)
{
	unsigned char gh[24], rh[16], pkt[128];
	uint64_t *req = calloc(65536, sizeof(*req)), *resp = calloc(65536, sizeof(*resp));
	uint32_t link, magic;
	uint64_t last_req = 0, nreq = 0, nclose = 0;
	size_t ll;
	FILE *f = NULL;
	int rc = -1, port;

	perfdb_histogram_init(h);
	nap_ms(100); /* the last packets reach the file */
	stop(rf->pid);
	rf->pid = -1;
	if (!req || !resp || !(f = fopen(rf->pcap, "rb")) || fread(gh, sizeof(gh), 1, f) != 1)
		goto out;
	magic = get_u32(gh);
	link = get_u32(gh + 20);
	ll = link == 1 ? 14 : link == 113 ? 16 : link == 276 ? 20 : link == 0 ? 4 : 0;
	if ((magic != 0xa1b23c4du && magic != 0xa1b2c3d4u) || ll == 0)
		goto out;
	while (fread(rh, sizeof(rh), 1, f) == 1) {
		uint64_t ts = (uint64_t)get_u32(rh) * 1000000000u +
			      (uint64_t)get_u32(rh + 4) * (magic == 0xa1b23c4du ? 1u : 1000u);
		uint32_t incl = get_u32(rh + 8);
		size_t take = incl < sizeof(pkt) ? incl : sizeof(pkt);
		const unsigned char *ip = pkt + ll, *tcp;
		unsigned ihl, sport, dport;
		long payload;
		if (fread(pkt, take, 1, f) != 1 || (incl > take && fseek(f, incl - take, SEEK_CUR)))
			break;
		if (take < ll + 20 || (ip[0] >> 4) != 4 || ip[9] != 6)
			continue;
		ihl = (ip[0] & 0xfu) * 4;
		tcp = ip + ihl;
		if (take < ll + ihl + 20)
			continue;
		sport = get_be16(tcp);
		dport = get_be16(tcp + 2);
		payload = (long)get_be16(ip + 2) - (long)ihl - (long)((tcp[12] >> 4) * 4);
		if (payload <= 0)
			continue;
		if ((int)dport == rf->port) {
			nclose += last_req && ts - last_req < 50000u;
			nreq++;
			last_req = ts;
			if (req[sport] && resp[sport])
				perfdb_histogram_record(h, resp[sport] - req[sport]);
			req[sport] = ts;
			resp[sport] = 0;
		} else if ((int)sport == rf->port && req[dport]) {
			resp[dport] = ts;
		}
	}
	for (port = 0; port < 65536; port++)
		if (req[port] && resp[port])
			perfdb_histogram_record(h, resp[port] - req[port]);
	*bunched = nreq > 1 ? (double)nclose / (double)(nreq - 1) : 0.0;
	rc = 0;
out:
	if (f)
		fclose(f);
	free(req);
	free(resp);
	unlink(rf->pcap);
	return rc;
}

/* ---- wrk's rules ---------------------------------------------------------------------------- */

/* p50 and p99 (ns) of h as wrk 4 would print them: each value in whole µs
 * (wrk's clock), then with interval_us > 0 its after-the-run correction
 * (stats_correct: a value n of at least twice the interval adds a synthetic
 * sample at n - interval, n - 2 intervals, ... while above one interval;
 * wrk's interval is runtime / (requests / connections), in whole µs), and
 * its percentile: the smallest value whose cumulative count reaches
 * round(p * count + 0.5). Values above 2 s count as 2 s. */
static int wrk_rule(const perfdb_histogram *h, uint64_t interval_us, double *p50, double *p99)
{
	const size_t cap = 2000000;
	size_t n = h->count ? (size_t)(h->max / 1000) + 1 : 1, i, v, m;
	uint64_t *us, count = 0;
	double want[2] = {0.50, 0.99}, *got[2] = {p50, p99};
	int k;

	if (n > cap)
		n = cap;
	if (!(us = calloc(n, sizeof(*us))))
		return -1;
	for (i = 0; i < PERFDB_HISTOGRAM_BUCKETS; i++) {
		uint64_t lo, hi, mid;
		if (!h->buckets[i])
			continue;
		perfdb_histogram_bucket_range(i, &lo, &hi);
		mid = lo + (hi - lo) / 2;
		mid = mid < h->min ? h->min : mid > h->max ? h->max : mid;
		v = (size_t)(mid / 1000) < n ? (size_t)(mid / 1000) : n - 1;
		us[v] += h->buckets[i];
		count += h->buckets[i];
	}
	if (interval_us > 0)
		for (v = 2 * interval_us; v < n; v++)
			for (m = v - interval_us; us[v] && m > interval_us; m -= interval_us) {
				us[m] += us[v];
				count += us[v];
			}
	for (k = 0; k < 2; k++) {
		uint64_t rank = (uint64_t)llround(want[k] * (double)count + 0.5), seen = 0;
		*got[k] = 0;
		for (v = 0; v < n && count; v++) {
			seen += us[v];
			if (seen >= rank) {
				*got[k] = (double)v * 1e3;
				break;
			}
		}
	}
	free(us);
	return 0;
}

/* ---- latency pairs ----------------------------------------------------------------------------
 */

/* One run of either tool. */
typedef struct lat_run {
	double p50, p99;	   /* its own figures (perfdb: the service time) */
	double rule_p50, rule_p99; /* under wrk's rules (wrk: its own) */
	double corr_p50, corr_p99; /* perfdb's open model: from the intended send */
	double rate;
	/* The referee's over the same run, raw and under wrk's rules with the
	 * run's interval; has_ref false without it. */
	bool has_ref;
	double ref_p50, ref_p99, ref_rule_p50, ref_rule_p99;
	double requests, ref_requests; /* the tool's count, the referee's */
	double bunched;		       /* see referee_stop */
} lat_run;

static void referee_figures(referee *rf, lat_run *out, uint64_t interval_us)
{
	perfdb_histogram *h = malloc(sizeof(*h));
	out->has_ref = h && referee_stop(rf, h, &out->bunched) == 0 && h->count > 0 &&
		       wrk_rule(h, interval_us, &out->ref_rule_p50, &out->ref_rule_p99) == 0;
	if (out->has_ref) {
		out->ref_requests = (double)h->count;
		out->ref_p50 = (double)perfdb_histogram_quantile(h, 0.50);
		out->ref_p99 = (double)perfdb_histogram_quantile(h, 0.99);
	}
	free(h);
}

static uint64_t interval_us(double runtime_us, double requests, unsigned conns)
{
	double per_conn = floor(requests / conns);
	return per_conn > 0 ? (uint64_t)(runtime_us / per_conn) : 0;
}

static int lat_perfdb(const bench_ctx *ctx, const char *url, int port, bool use_ref, unsigned c,
		      double rate, double secs, lat_run *out)
{
	perfdb_loadtest_http_result r;
	referee rf;
	bool ref = use_ref && referee_start(ctx, &rf, port);
	uint64_t iv;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = run_perfdb(&r, url, NULL, c, 1, rate, secs);
	if (rc != 0) {
		if (ref)
			stop(rf.pid);
		return -1;
	}
	iv = interval_us(r.total.duration * 1e6, (double)r.total.requests, c);
	out->p50 = r.total.service.p50;
	out->p99 = r.total.service.p99;
	out->corr_p50 = r.total.latency.p50;
	out->corr_p99 = r.total.latency.p99;
	out->rate = r.total.throughput;
	out->requests = (double)r.total.requests;
	rc = wrk_rule(r.total.service_histogram, iv, &out->rule_p50, &out->rule_p99);
	perfdb_loadtest_http_result_release(&r);
	if (ref)
		referee_figures(&rf, out, iv);
	return rc;
}

static int lat_wrk(const bench_ctx *ctx, const char *url, int port, bool use_ref, unsigned c,
		   const char *script, double secs, lat_run *out)
{
	wrk_figures w;
	referee rf;
	bool ref = use_ref && referee_start(ctx, &rf, port);
	int rc = run_wrk(url, c, 1, secs, script, &w);

	memset(out, 0, sizeof(*out));
	if (rc != 0) {
		if (ref)
			stop(rf.pid);
		return -1;
	}
	out->p50 = out->rule_p50 = w.p50;
	out->p99 = out->rule_p99 = w.p99;
	out->rate = w.rps;
	out->requests = w.requests;
	if (ref)
		referee_figures(&rf, out, interval_us(w.runtime_us, w.requests, c));
	return 0;
}

enum { MAX_PAIRS = 8 };

/* Per figure, its value in every pair, reported as the median. */
typedef struct lat_series {
	const char *metric, *unit;
	double v[MAX_PAIRS];
} lat_series;

static void report_median(const bench_ctx *ctx, const char *name, lat_series *s, int n)
{
	if (n > 0)
		bench_report(ctx, name, s->metric, s->unit, median(s->v, n));
}

/* Alternated pairs of perfdb and wrk on c connections (rate > 0: perfdb's
 * open model, wrk held near the rate by the delay script); every pair
 * printed, the medians reported. */
static int latency_pairs(const bench_ctx *ctx, const char *name, const char *url, int port,
			 unsigned c, double rate, const char *script, bool have_ref)
{
	enum {
		P50,
		P99,
		RULE_P50,
		RULE_P99,
		CORR_P50,
		CORR_P99,
		WRK_P50,
		WRK_P99,
		R_P50,
		R_P99,
		REF_P_P50,
		REF_P_P99,
		REF_W_P50,
		REF_W_P99,
		RP_P50,
		RP_P99,
		RW_P50,
		RW_P99,
		BUNCH_P,
		BUNCH_W,
		NSERIES
	};
	lat_series s[NSERIES] = {
	    {"perfdb_p50", "ns", {0}},
	    {"perfdb_p99", "ns", {0}},
	    {"perfdb_wrk_rules_p50", "ns", {0}},
	    {"perfdb_wrk_rules_p99", "ns", {0}},
	    {"perfdb_corrected_p50", "ns", {0}},
	    {"perfdb_corrected_p99", "ns", {0}},
	    {"wrk_p50", "ns", {0}},
	    {"wrk_p99", "ns", {0}},
	    {"p50_perfdb_vs_wrk", "x", {0}},
	    {"p99_perfdb_vs_wrk", "x", {0}},
	    {"referee_p50_perfdb_run", "ns", {0}},
	    {"referee_p99_perfdb_run", "ns", {0}},
	    {"referee_p50_wrk_run", "ns", {0}},
	    {"referee_p99_wrk_run", "ns", {0}},
	    {"p50_perfdb_above_referee", "ns", {0}},
	    {"p99_perfdb_above_referee", "ns", {0}},
	    {"p50_wrk_above_referee", "ns", {0}},
	    {"p99_wrk_above_referee", "ns", {0}},
	    {"referee_bunched_perfdb_run", "%", {0}},
	    {"referee_bunched_wrk_run", "%", {0}},
	};
	const double secs = ctx->quick ? 1.0 : 3.0;
	int rounds = ctx->quick ? 1 : 5, i, k, n = 0, nref = 0;

	for (i = 0; i < rounds; i++) {
		lat_run p, w;
		bool wrk_first = i % 2 == 1;
		int wrc = 0;
		if (wrk_first)
			wrc = lat_wrk(ctx, url, port, have_ref, c, script, secs, &w);
		if (lat_perfdb(ctx, url, port, have_ref, c, rate, secs, &p) != 0)
			return -1;
		if (!wrk_first)
			wrc = lat_wrk(ctx, url, port, have_ref, c, script, secs, &w);
		if (wrc != 0 || w.p50 <= 0 || w.p99 <= 0)
			continue;
		s[P50].v[n] = p.p50;
		s[P99].v[n] = p.p99;
		s[RULE_P50].v[n] = p.rule_p50;
		s[RULE_P99].v[n] = p.rule_p99;
		s[CORR_P50].v[n] = p.corr_p50;
		s[CORR_P99].v[n] = p.corr_p99;
		s[WRK_P50].v[n] = w.p50;
		s[WRK_P99].v[n] = w.p99;
		s[R_P50].v[n] = p.rule_p50 / w.p50;
		s[R_P99].v[n] = p.rule_p99 / w.p99;
		bench_note(ctx,
			   "%s pair %d (%s first): perfdb %.0f req/s p50 %.1f µs p99 %.1f µs "
			   "(under wrk's rules %.1f / %.1f µs), wrk %.0f req/s p50 %.1f µs p99 "
			   "%.1f µs; perfdb/wrk p50 %.2f p99 %.2f",
			   name, n + 1, wrk_first ? "wrk" : "perfdb", p.rate, p.p50 / 1e3,
			   p.p99 / 1e3, p.rule_p50 / 1e3, p.rule_p99 / 1e3, w.rate, w.p50 / 1e3,
			   w.p99 / 1e3, s[R_P50].v[n], s[R_P99].v[n]);
		if (p.has_ref && w.has_ref) {
			/* Each tool against the referee of its own run, under the
			 * same rules (perfdb's raw, wrk's corrected): what the
			 * client adds above the packets' time. */
			s[REF_P_P50].v[nref] = p.ref_p50;
			s[REF_P_P99].v[nref] = p.ref_p99;
			s[REF_W_P50].v[nref] = w.ref_p50;
			s[REF_W_P99].v[nref] = w.ref_p99;
			s[RP_P50].v[nref] = p.p50 - p.ref_p50;
			s[RP_P99].v[nref] = p.p99 - p.ref_p99;
			s[RW_P50].v[nref] = w.p50 - w.ref_rule_p50;
			s[RW_P99].v[nref] = w.p99 - w.ref_rule_p99;
			s[BUNCH_P].v[nref] = p.bunched * 100;
			s[BUNCH_W].v[nref] = w.bunched * 100;
			bench_note(
			    ctx,
			    "%s pair %d referee (packets on lo): perfdb's run p50 %.1f µs "
			    "p99 %.1f µs, wrk's run p50 %.1f µs p99 %.1f µs (under wrk's "
			    "rules %.1f / %.1f µs); above it: p50 perfdb %+.1f wrk %+.1f µs, "
			    "p99 perfdb %+.1f wrk %+.1f µs; sent within 50 µs of the request "
			    "before: perfdb %.0f%%, wrk %.0f%%; it saw %.0f of perfdb's %.0f "
			    "requests, %.0f of wrk's %.0f",
			    name, n + 1, p.ref_p50 / 1e3, p.ref_p99 / 1e3, w.ref_p50 / 1e3,
			    w.ref_p99 / 1e3, w.ref_rule_p50 / 1e3, w.ref_rule_p99 / 1e3,
			    s[RP_P50].v[nref] / 1e3, s[RW_P50].v[nref] / 1e3,
			    s[RP_P99].v[nref] / 1e3, s[RW_P99].v[nref] / 1e3, p.bunched * 100,
			    w.bunched * 100, p.ref_requests, p.requests, w.ref_requests,
			    w.requests);
			nref++;
		}
		n++;
	}
	for (k = 0; k < NSERIES; k++) {
		if ((k == CORR_P50 || k == CORR_P99) && rate <= 0)
			continue;
		report_median(ctx, name, &s[k], k >= REF_P_P50 ? nref : n);
	}
	bench_note(ctx,
		   "%s: %d alternated pairs of %.0f s runs on %u connection%s, medians; "
		   "p50/p99_perfdb_vs_wrk set perfdb's service time under wrk's rules (whole "
		   "µs, its after-the-run correction, its percentile) against wrk's figure",
		   name, n, secs, c, c == 1 ? "" : "s");
	return 0;
}

static int latency(const bench_ctx *ctx, const char *url, int port, bool have_wrk)
{
	bool have_ref = bench_system("command -v tcpdump > /dev/null 2>&1") == 0;
	char spread[4200], one_ms[4200];
	const char *sc;

	if (!have_wrk) {
		bench_note(ctx, "latency: not compared (no wrk)");
		return 0;
	}
	if (!have_ref) {
		bench_note(ctx, "referee: tcpdump is not installed (Debian package tcpdump): "
				"no packet times beside the tools' figures");
	} else {
		referee rf;
		if (referee_start(ctx, &rf, port)) {
			stop(rf.pid);
		} else {
			have_ref = false;
			bench_note(ctx, "referee: tcpdump cannot capture on lo (it needs root or "
					"CAP_NET_RAW): no packet times beside the tools' figures");
		}
	}
	/* (delay_script's path is static: each copied before the next) */
	if (!(sc = delay_script(ctx, 3, 11)))
		return -1;
	snprintf(spread, sizeof(spread), "%s", sc);
	if (!(sc = delay_script(ctx, 1, 1)))
		return -1;
	snprintf(one_ms, sizeof(one_ms), "%s", sc);
	if (latency_pairs(ctx, "http/rate_1000_c8", url, port, 8, 1000, spread, have_ref) != 0 ||
	    latency_pairs(ctx, "http/rate_900_c1", url, port, 1, 900, one_ms, have_ref) != 0 ||
	    latency_pairs(ctx, "http/closed_c1", url, port, 1, 0.0, NULL, have_ref) != 0)
		return -1;
	bench_note(ctx,
		   "latency: rate_1000_c8 is perfdb's open model at 1,000 req/s on 8 connections "
		   "(p50/p99: its service time, from the actual send; corrected_*: from the "
		   "intended send) beside wrk --latency on 8 connections each waiting a random "
		   "3-11 ms between requests (a Lua delay(): wrk has no rate). wrk's delays are "
		   "whole-ms timers, several of which fire in the same loop turn, so its requests "
		   "come in bunches (referee_bunched) that queue at the one nginx worker, where "
		   "perfdb's schedule spaces them 1 ms apart: the two load the server differently "
		   "and the server's own time (referee_p50_*) differs; what each tool adds above "
		   "the referee (*_above_referee) is what to compare there. rate_900_c1: one "
		   "connection, perfdb at 900 req/s, wrk with a 1 ms delay(): the same pattern "
		   "for both, so p50/p99_perfdb_vs_wrk apply. closed_c1: both back to back on 1 "
		   "connection, where wrk's correction (an interval of tens of µs) makes its p99. "
		   "The referee times each request from its packet to its response's on lo "
		   "(tcpdump), for each tool's own run");
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
	    latency(ctx, url, port, have_wrk) != 0)
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
