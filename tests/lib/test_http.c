/*
 * Unit tests of the HTTP load tester: the response parser and URL/request
 * pieces (lib/instrument/http_parse.c) fed directly, and the engine
 * (lib/instrument/http.c) against tests/progs/httpd_test on 127.0.0.1 with
 * an ephemeral port. Counts are asserted exactly; nothing is timed.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "instrument/http_internal.h"
#include "instrument/timer.h"
#include "perfdb/loadtest.h"

/* ---- the parser ------------------------------------------------------------------------------ */

/* Feeds s in pieces of `step` bytes (0: all at once) the way a connection
 * does (keeping unconsumed bytes); returns the final parser result. */
static int feed(perfdb_http_parser *p, const char *s, size_t step, size_t *left)
{
	char buf[256];
	size_t len = 0, off = 0, n = strlen(s);
	int rc = PERFDB_HTTP_MORE;
	while (off < n || (rc == PERFDB_HTTP_MORE && len > 0 && off == n)) {
		size_t take = step ? step : n;
		size_t used = 0;
		if (take > n - off)
			take = n - off;
		assert_true(len + take <= sizeof(buf));
		memcpy(buf + len, s + off, take);
		len += take;
		off += take;
		rc = perfdb_http__parse(p, buf, len, sizeof(buf), &used);
		memmove(buf, buf + used, len - used);
		len -= used;
		if (rc != PERFDB_HTTP_MORE || take == 0)
			break;
	}
	if (left)
		*left = len + (n - off);
	return rc;
}

static void expect_response(const char *s, bool head, int status, bool close)
{
	size_t steps[] = {0, 1, 3, 7}, i;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		perfdb_http_parser p;
		size_t left = 99;
		perfdb_http__parser_reset(&p, head);
		assert_int_equal(feed(&p, s, steps[i], &left), PERFDB_HTTP_DONE);
		assert_int_equal(p.status, status);
		assert_int_equal(p.close, close);
		assert_int_equal(left, 0);
	}
}

static void expect_malformed(const char *s)
{
	size_t steps[] = {0, 1, 5}, i;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		perfdb_http_parser p;
		perfdb_http__parser_reset(&p, false);
		assert_int_equal(feed(&p, s, steps[i], NULL), PERFDB_HTTP_ERROR);
	}
}

static void test_http__parse_content_length(void **state)
{
	(void)state;
	expect_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200, false);
	expect_response("HTTP/1.1 404 Not Found\r\ncontent-length:0\r\n\r\n", false, 404, false);
	/* a reason phrase may be empty; bare LF line ends are read */
	expect_response("HTTP/1.1 503\nContent-Length: 2\n\nok", false, 503, false);
	/* the same value twice is allowed */
	expect_response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
			false, 200, false);
}

static void test_http__parse_chunked(void **state)
{
	(void)state;
	expect_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\n\r\n",
			false, 200, false);
	/* a trailer after the last chunk */
	expect_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
			"3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n",
			false, 200, false);
}

static void test_http__parse_close(void **state)
{
	perfdb_http_parser p;
	size_t left;
	(void)state;
	expect_response("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
			false, 200, true);
	expect_response("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: "
			"0\r\n\r\n",
			false, 200, true);
	/* HTTP/1.0 closes unless it says keep-alive */
	expect_response("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, 200, true);
	expect_response("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
			false, 200, false);
	/* no length: the body ends with the connection */
	perfdb_http__parser_reset(&p, false);
	assert_int_equal(feed(&p, "HTTP/1.1 200 OK\r\n\r\nuntil the end", 0, &left),
			 PERFDB_HTTP_MORE);
	assert_true(p.close);
	assert_int_equal(perfdb_http__parse_eof(&p), PERFDB_HTTP_DONE);
	/* an end of file in the middle of a sized body is an error */
	perfdb_http__parser_reset(&p, false);
	assert_int_equal(feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 0, &left),
			 PERFDB_HTTP_MORE);
	assert_int_equal(perfdb_http__parse_eof(&p), PERFDB_HTTP_ERROR);
	perfdb_http__parser_reset(&p, false);
	assert_true(perfdb_http__parser_fresh(&p));
	assert_int_equal(perfdb_http__parse_eof(&p), PERFDB_HTTP_ERROR);
}

static void test_http__parse_no_body(void **state)
{
	(void)state;
	/* HEAD, 204 and 304 have no body whatever the headers say */
	expect_response("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", true, 200, false);
	expect_response("HTTP/1.1 204 No Content\r\n\r\n", false, 204, false);
	expect_response("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", false, 304,
			false);
	/* an interim 100 Continue is skipped */
	expect_response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: "
			"1\r\n\r\nx",
			false, 201, false);
}

static void test_http__parse_leaves_following_bytes(void **state)
{
	perfdb_http_parser p;
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1";
	size_t used = 0;
	(void)state;
	perfdb_http__parser_reset(&p, false);
	assert_int_equal(perfdb_http__parse(&p, s, strlen(s), 1024, &used), PERFDB_HTTP_DONE);
	assert_int_equal(used, strlen(s) - strlen("HTTP/1.1"));
}

static void test_http__parse_malformed(void **state)
{
	(void)state;
	expect_malformed("hello, this is not HTTP\r\n\r\n");
	expect_malformed("HTTP/1.1 2x0 Bad\r\n\r\n");
	expect_malformed("HTTP/2 200 OK\r\n\r\n");
	expect_malformed("HTTP/1.1 099 Low\r\n\r\n");
	expect_malformed("HTTP/1.1 600 High\r\n\r\n");
	expect_malformed("HTTP/1.1 2000 OK\r\n\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx");
	expect_malformed("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx");
	expect_malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: "
			 "3\r\n\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n");
	expect_malformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			 "fffffffffffffffffff\r\n");
}

static void test_http__parse_header_too_large(void **state)
{
	char buf[512];
	perfdb_http_parser p;
	size_t used = 0;
	(void)state;
	/* A header block that fills the buffer with no end is refused, not
	 * waited for. */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
	perfdb_http__parser_reset(&p, false);
	assert_int_equal(perfdb_http__parse(&p, buf, 300, sizeof(buf), &used), PERFDB_HTTP_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(perfdb_http__parse(&p, buf, sizeof(buf), sizeof(buf), &used),
			 PERFDB_HTTP_ERROR);
}

/* ---- URLs and requests
 * --------------------------------------------------------------------------- */

static void test_http__url(void **state)
{
	perfdb_http_url u;
	(void)state;
	assert_int_equal(perfdb_http__url_parse(&u, "http://127.0.0.1:8080/a/b?x=1#frag"), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "8080");
	assert_string_equal(u.target, "/a/b?x=1");
	assert_string_equal(u.hostport, "127.0.0.1:8080");
	perfdb_http__url_release(&u);
	assert_int_equal(perfdb_http__url_parse(&u, "HTTP://example.org"), 0);
	assert_string_equal(u.port, "80");
	assert_string_equal(u.target, "/");
	perfdb_http__url_release(&u);
	assert_int_equal(perfdb_http__url_parse(&u, "http://h?q=1"), 0);
	assert_string_equal(u.target, "/?q=1");
	perfdb_http__url_release(&u);
	assert_int_equal(perfdb_http__url_parse(&u, "http://[::1]:81/"), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.hostport, "[::1]:81");
	perfdb_http__url_release(&u);

	/* https:// is read whatever the build: the engine says whether it can */
	assert_int_equal(perfdb_http__url_parse(&u, "HTTPS://example.org/x"), 0);
	assert_true(u.tls);
	assert_string_equal(u.host, "example.org");
	assert_string_equal(u.port, "443");
	assert_string_equal(u.target, "/x");
	assert_string_equal(u.hostport, "example.org");
	perfdb_http__url_release(&u);
	assert_int_equal(perfdb_http__url_parse(&u, "https://[::1]:8443"), 0);
	assert_true(u.tls);
	assert_string_equal(u.port, "8443");
	perfdb_http__url_release(&u);
	assert_int_equal(perfdb_http__url_parse(&u, "http://h/"), 0);
	assert_false(u.tls);
	perfdb_http__url_release(&u);
	assert_int_equal(perfdb_http__url_parse(&u, "https:/h/"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "ftp://example.org/"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "example.org"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "http://h:0/"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "http://h:65536/"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "http://h:/"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "http:///path"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "http://u:p@h/"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "http://h/a b"), PERFDB_EINVAL);
	assert_int_equal(perfdb_http__url_parse(&u, "http://[::1/"), PERFDB_EINVAL);
}

static void test_http__request_build(void **state)
{
	perfdb_http_url u;
	const char *h[] = {"X-Test: one", "Accept:text/plain"}, *host[] = {"Host: other"};
	const char *bad[] = {"No colon"}, *crlf[] = {"X: a\r\nY: b"};
	char *req;
	size_t len;
	(void)state;
	assert_int_equal(perfdb_http__url_parse(&u, "http://127.0.0.1:8080/p"), 0);
	assert_int_equal(perfdb_http__request_build(&req, &len, "POST", &u, h, 2, "abc", 3), 0);
	assert_int_equal(len, strlen(req));
	assert_string_equal(req, "POST /p HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Test: one\r\n"
				 "Accept: text/plain\r\nContent-Length: 3\r\n\r\nabc");
	free(req);
	assert_int_equal(perfdb_http__request_build(&req, &len, "GET", &u, host, 1, NULL, 0), 0);
	assert_string_equal(req, "GET /p HTTP/1.1\r\nHost: other\r\n\r\n");
	free(req);
	assert_int_equal(perfdb_http__request_build(&req, &len, "GET", &u, bad, 1, NULL, 0),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_http__request_build(&req, &len, "GET", &u, crlf, 1, NULL, 0),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_http__request_build(&req, &len, "GE T", &u, NULL, 0, NULL, 0),
			 PERFDB_EINVAL);
	perfdb_http__url_release(&u);
}

/* ---- the engine against a real server
 * -------------------------------------------------------------- */

typedef struct server {
	pid_t pid;
	int port;
	char dir[64];
	char log[128];
	char base[64]; /* http://127.0.0.1:PORT */
} server;

static server srv;

static int start_server(void **state)
{
	char prog[4096], pf[128];
	int i;
	(void)state;
	snprintf(prog, sizeof(prog), "%s/tests/prog_httpd_test", PERFDB_BUILD_DIR);
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/perfdb-http.XXXXXX");
	if (!mkdtemp(srv.dir))
		return -1;
	snprintf(pf, sizeof(pf), "%s/port", srv.dir);
	snprintf(srv.log, sizeof(srv.log), "%s/log", srv.dir);
	srv.pid = fork();
	if (srv.pid == 0) {
		execl(prog, prog, "--port-file", pf, "--log", srv.log, "--lifetime", "120",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		FILE *f = fopen(pf, "r");
		struct timespec ts = {0, 10000000};
		if (f) {
			int ok = fscanf(f, "%d", &srv.port) == 1;
			fclose(f);
			if (ok) {
				snprintf(srv.base, sizeof(srv.base), "http://127.0.0.1:%d",
					 srv.port);
				return 0;
			}
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int stop_server(void **state)
{
	char cmd[128];
	(void)state;
	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", srv.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs opts against paths (NAME=PATH or PATH) of the test server. */
static void run(perfdb_loadtest_http_result *r, perfdb_loadtest_http_options *o,
		const char *const *paths, size_t n)
{
	perfdb_loadtest_http_target tg[8];
	static char urls[8][256];
	size_t i;
	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		snprintf(urls[i], sizeof(urls[i]), "%s%s", srv.base, paths[i]);
		tg[i].name = NULL;
		tg[i].url = urls[i];
	}
	o->targets = tg;
	o->ntargets = n;
	assert_int_equal(perfdb_loadtest_http_run(r, o), 0);
}

static uint64_t error_count(const perfdb_loadtest_result *r, int code)
{
	size_t i;
	for (i = 0; i < r->nerrors; i++)
		if (r->errors[i].code == code)
			return r->errors[i].count;
	return 0;
}

static void test_http__closed_counts(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/ok"};
	(void)state;
	o.requests = 200;
	o.connections = 4;
	o.threads = 2;
	run(&r, &o, p, 1);
	assert_int_equal(r.total.requests, 200);
	assert_int_equal(r.total.successes, 200);
	assert_int_equal(r.total.failures, 0);
	assert_int_equal(r.counts.status[2], 200);
	/* keep-alive: every connection opened once */
	assert_int_equal(r.counts.connects, 4);
	assert_int_equal(r.counts.unfinished, 0);
	assert_int_equal(r.counts.bytes_read, 200 * strlen("HTTP/1.1 200 OK\r\nContent-Length: "
							   "2\r\n\r\nok"));
	assert_int_equal(r.total.model, PERFDB_LOADTEST_CLOSED);
	assert_int_equal(r.total.users, 4);
	assert_int_equal(r.total.workers, 2);
	assert_int_equal(r.total.latency.count, 200);
	assert_true(r.total.latency.p50 <= r.total.latency.p99);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.series[0].result.requests, 200);
	assert_string_equal(r.series[0].name, r.series[0].url);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__round_robin_and_status_classes(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/ok", "/status/500", "/status/404", "/status/302"};
	(void)state;
	o.requests = 120;
	o.connections = 3;
	o.threads = 1;
	run(&r, &o, p, 4);
	assert_int_equal(r.nseries, 4);
	assert_int_equal(r.series[0].result.requests, 30);
	assert_int_equal(r.series[1].result.requests, 30);
	assert_int_equal(r.series[2].result.requests, 30);
	assert_int_equal(r.series[3].result.requests, 30);
	assert_int_equal(r.counts.status[2], 30);
	assert_int_equal(r.counts.status[3], 30);
	assert_int_equal(r.counts.status[4], 30);
	assert_int_equal(r.counts.status[5], 30);
	/* 500 and 404 fail, counted under their status; 302 succeeds */
	assert_int_equal(r.series[1].result.failures, 30);
	assert_int_equal(error_count(&r.series[1].result, 500), 30);
	assert_int_equal(r.series[2].result.failures, 30);
	assert_int_equal(error_count(&r.total, 404), 30);
	assert_int_equal(r.series[3].result.failures, 0);
	assert_int_equal(r.total.failures, 60);
	assert_int_equal(r.total.successes, 60);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__expect_status(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const unsigned short ok[] = {200, 404};
	const char *p[] = {"/status/404", "/status/500", "/status/302"};
	(void)state;
	o.requests = 30;
	o.expect_status = ok;
	o.nexpect_status = 2;
	run(&r, &o, p, 3);
	assert_int_equal(r.series[0].result.successes, 10);
	assert_int_equal(r.series[1].result.failures, 10);
	/* the list replaces the default: 302 is not in it */
	assert_int_equal(r.series[2].result.failures, 10);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__chunked_close_and_eof(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *chunked[] = {"/chunked"}, *close_[] = {"/close"}, *eof[] = {"/eof"};
	(void)state;
	o.requests = 20;
	run(&r, &o, chunked, 1);
	assert_int_equal(r.total.successes, 20);
	assert_int_equal(r.counts.connects, 1); /* chunked keeps the connection */
	perfdb_loadtest_http_result_release(&r);

	run(&r, &o, close_, 1);
	assert_int_equal(r.total.successes, 20);
	assert_int_equal(r.counts.connects, 20); /* Connection: close: a new one each time */
	assert_int_equal(r.counts.closed, 0);
	perfdb_loadtest_http_result_release(&r);

	run(&r, &o, eof, 1);
	assert_int_equal(r.total.successes, 20);
	assert_int_equal(r.counts.connects, 20);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__timeout(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *silent[] = {"/silent"}, *partial[] = {"/partial"};
	(void)state;
	o.requests = 3;
	o.connections = 2;
	o.timeout = 0.2;
	run(&r, &o, silent, 1);
	assert_int_equal(r.total.requests, 3);
	assert_int_equal(r.total.failures, 3);
	assert_int_equal(r.counts.timeouts, 3);
	assert_int_equal(error_count(&r.total, PERFDB_LOADTEST_HTTP_ETIMEOUT), 3);
	/* a timeout is measured: at least the timeout */
	assert_true(r.total.latency.min >= 0.2e9);
	perfdb_loadtest_http_result_release(&r);

	o.requests = 2;
	o.connections = 1;
	run(&r, &o, partial, 1);
	assert_int_equal(r.counts.timeouts, 2);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__duration_ends_requests_in_flight(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/silent", "/ok"};
	(void)state;
	/* The server never answers /silent and the timeout is long: the run
	 * still ends, and the requests it cut are unfinished, not requests. */
	o.duration = 0.3;
	o.connections = 2;
	o.timeout = 30;
	run(&r, &o, p, 2);
	/* one thread, slots in order: /silent on the first connection, /ok on
	 * the second, then /silent on the second too */
	assert_int_equal(r.series[0].counts.unfinished, 2);
	assert_int_equal(r.series[0].result.requests, 0);
	assert_int_equal(r.series[0].counts.timeouts, 0);
	assert_int_equal(r.series[1].result.successes, 1);
	assert_int_equal(r.series[1].result.requests, 1);
	assert_int_equal(r.counts.unfinished, 2);
	assert_int_equal(r.total.requests, 1);
	perfdb_loadtest_http_result_release(&r);
}

static int stop_at_once(void *arg, const perfdb_loadtest_progress *p)
{
	(void)p;
	++*(int *)arg;
	return 1;
}

static void test_http__stop_ends_requests_in_flight(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/silent"};
	int calls = 0;
	(void)state;
	/* By count everything is sent at once; the progress callback stops
	 * the run, and the requests in flight are ended after the drain
	 * instead of their 30 s timeout. */
	o.requests = 2;
	o.connections = 2;
	o.progress = stop_at_once;
	o.progress_arg = &calls;
	o.progress_interval = 0.05;
	run(&r, &o, p, 1);
	assert_true(calls >= 1);
	assert_true(r.total.stopped);
	assert_int_equal(r.total.requests, 0);
	assert_int_equal(r.counts.unfinished, 2);
	assert_int_equal(r.counts.timeouts, 0);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__malformed(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/malformed", "/garbage", "/huge-header", "/bad-length", "/ok"};
	(void)state;
	o.requests = 25;
	run(&r, &o, p, 5);
	assert_int_equal(r.total.requests, 25);
	assert_int_equal(r.counts.malformed, 20);
	assert_int_equal(error_count(&r.total, PERFDB_LOADTEST_HTTP_EMALFORMED), 20);
	assert_int_equal(r.series[4].result.successes, 5);
	/* each malformed response cost its connection */
	assert_int_equal(r.counts.connects, 21);
	perfdb_loadtest_http_result_release(&r);

	/* A HEAD response has no body; a server that sends one anyway sent
	 * bytes nobody asked for. */
	o.requests = 3;
	o.method = "HEAD";
	run(&r, &o, p + 4, 1);
	assert_int_equal(r.total.requests, 3);
	assert_int_equal(r.counts.malformed, 3);
	assert_int_equal(r.counts.status[2], 0);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__method_header_body_sent(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/echo"}, *h[] = {"X-Test: from perfdb"};
	char line[512];
	FILE *f;
	int n = 0;
	(void)state;
	assert_int_equal(truncate(srv.log, 0), 0);
	o.requests = 3;
	o.method = "PUT";
	o.headers = h;
	o.nheaders = 1;
	o.body = "hello body";
	o.body_len = 10;
	run(&r, &o, p, 1);
	assert_int_equal(r.total.successes, 3);
	/* the body came back: 3 x (headers + 10 bytes) */
	assert_int_equal(r.counts.bytes_read,
			 3 * strlen("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello body"));
	perfdb_loadtest_http_result_release(&r);
	f = fopen(srv.log, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		assert_string_equal(line, "PUT /echo body=10 x-test=from perfdb\n");
		n++;
	}
	fclose(f);
	assert_int_equal(n, 3);
}

static void test_http__open_model(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/ok", "/chunked"};
	(void)state;
	o.rate = 400;
	o.requests = 40;
	o.connections = 2;
	run(&r, &o, p, 2);
	assert_int_equal(r.total.model, PERFDB_LOADTEST_OPEN);
	assert_int_equal(r.total.requests, 40);
	assert_int_equal(r.total.successes, 40);
	assert_int_equal(r.counts.unfinished, 0);
	assert_true(r.total.target_rate == 400.0);
	assert_true(r.series[0].result.target_rate == 200.0);
	assert_int_equal(r.series[0].result.requests, 20);
	assert_int_equal(r.total.service.count, 40);
	/* latency from the intended send is never below the service time */
	assert_true(r.total.latency.max >= r.total.service.max);
	/* the schedule spans 39 intervals of 2.5 ms */
	assert_true(r.total.duration >= 39 * 0.0025);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__open_model_accounts_every_slot(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	const char *p[] = {"/silent", "/ok"};
	(void)state;
	/* More than the server can take: thread 0 owns the even slots (all
	 * /silent, timing out), thread 1 the odd ones (/ok). Whatever was not
	 * done by the end is unfinished: every scheduled slot is accounted. */
	o.rate = 100000;
	o.duration = 0.5;
	o.connections = 2;
	o.threads = 2;
	o.timeout = 0.1;
	run(&r, &o, p, 2);
	assert_int_equal(r.series[0].result.requests + r.series[0].counts.unfinished, 25000);
	assert_int_equal(r.series[1].result.requests + r.series[1].counts.unfinished, 25000);
	assert_int_equal(r.series[0].result.failures, r.series[0].counts.timeouts);
	assert_true(r.series[0].counts.timeouts >= 1);
	assert_int_equal(r.series[1].result.failures, 0);
	assert_true(r.total.late_starts >= 1);
	perfdb_loadtest_http_result_release(&r);
}

/* A TCP socket bound to 127.0.0.1 and an ephemeral port (*port). */
static int loopback_socket(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void test_http__connect_error(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	perfdb_loadtest_http_target tg;
	char url[64];
	int port;
	/* a port that is bound and not listening refuses connections */
	int fd = loopback_socket(&port);
	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	tg.name = "refused";
	tg.url = url;
	o.targets = &tg;
	o.ntargets = 1;
	o.requests = 3;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), 0);
	close(fd);
	assert_int_equal(r.total.requests, 3);
	assert_int_equal(r.counts.connect_errors, 3);
	assert_int_equal(error_count(&r.total, PERFDB_LOADTEST_HTTP_ECONNECT), 3);
	assert_string_equal(r.series[0].name, "refused");
	/* the first one's reason, one line naming the address */
	snprintf(url, sizeof(url), "127.0.0.1:%d: cannot connect: Connection refused", port);
	assert_string_equal(r.connect_error, url);
	assert_string_equal(r.series[0].connect_error, url);
	perfdb_loadtest_http_result_release(&r);
}

/* ---- the service time is the request's own ------------------------------------------------- */

/* A listener whose accept queue is full (backlog 0, one connection already
 * queued): the kernel drops a new SYN, and the client sends it again after
 * its initial retransmission timeout, 1 s on Linux. */
typedef struct slow_listener {
	int ls, filler, port;
	pthread_t th;
} slow_listener;

/* True once a socket to port is in SYN_SENT (state 02 in /proc/net/tcp):
 * its SYN was sent and, the queue being full, dropped. */
static bool syn_sent_to(int port)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/net/tcp", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned rport, st;
		if (sscanf(line, " %*d: %*x:%*x %*x:%x %x", &rport, &st) == 2)
			found = (int)rport == port && st == 2;
	}
	fclose(f);
	return found;
}

/* Waits for the client's dropped SYN, then frees the queue (accepting the
 * filler), accepts the client's retried connect and answers one request. */
static void *answer_after_retry(void *arg)
{
	slow_listener *l = arg;
	char buf[1024];
	size_t len = 0;
	int fd, i;
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	for (i = 0; i < 1000 && !syn_sent_to(l->port); i++) {
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
	close(accept(l->ls, NULL, NULL)); /* the filler */
	fd = accept(l->ls, NULL, NULL);
	if (fd < 0)
		return NULL;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n")) {
			if (write(fd, ok, sizeof(ok) - 1) < 0)
				break;
			len = 0;
		}
	}
	close(fd);
	return NULL;
}

/* Runs o against http://127.0.0.1:port/ (its targets set here); *wall:
 * the run's wall time, ns. */
static void run_port(perfdb_loadtest_http_result *r, perfdb_loadtest_http_options *o, int port,
		     uint64_t *wall)
{
	perfdb_loadtest_http_target tg;
	char url[64];
	uint64_t t0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	tg.name = NULL;
	tg.url = url;
	o->targets = &tg;
	o->ntargets = 1;
	t0 = perfdb_timer__monotonic_ns();
	assert_int_equal(perfdb_loadtest_http_run(r, o), 0);
	*wall = perfdb_timer__monotonic_ns() - t0;
	o->targets = NULL; /* tg ends here */
	o->ntargets = 0;
}

static void test_http__service_time_starts_at_the_send(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	slow_listener l;
	struct sockaddr_in sa;
	uint64_t wall;
	(void)state;

	l.ls = loopback_socket(&l.port);
	assert_int_equal(listen(l.ls, 0), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)l.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l.filler = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(l.filler, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(pthread_create(&l.th, NULL, answer_after_retry, &l), 0);
	o.requests = 1;
	run_port(&r, &o, l.port, &wall);
	pthread_join(l.th, NULL);
	close(l.filler);
	close(l.ls);

	assert_int_equal(r.total.successes, 1);
	assert_int_equal(r.counts.connects, 1);
	/* The connect took the SYN's retry, at least 1 s after the run began;
	 * the request was sent after it, so its latency (closed model: the
	 * service time) is at most the run's wall time - 1 s. Counted from
	 * before the connect, it would be nearly all of it. */
	assert_true(wall >= 900000000u);
	assert_true(r.total.latency.max <= wall - 900000000u);
	perfdb_loadtest_http_result_release(&r);
}

/* Accepts and at once closes n connections. */
typedef struct closer {
	int ls, n;
	pthread_t th;
} closer;

static void *close_at_once(void *arg)
{
	closer *cl = arg;
	int i;
	for (i = 0; i < cl->n; i++) {
		int fd = accept(cl->ls, NULL, NULL);
		if (fd < 0)
			break;
		close(fd);
	}
	return NULL;
}

static void test_http__closed_before_the_response_is_timed_from_the_send(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	closer cl;
	uint64_t wall;
	int port;
	(void)state;

	cl.ls = loopback_socket(&port);
	cl.n = 100;
	assert_int_equal(listen(cl.ls, 16), 0);
	assert_int_equal(pthread_create(&cl.th, NULL, close_at_once, &cl), 0);
	o.requests = 100;
	run_port(&r, &o, port, &wall);
	pthread_join(cl.th, NULL);
	close(cl.ls);

	assert_int_equal(r.total.requests, 100);
	assert_int_equal(r.total.failures, 100);
	assert_int_equal(r.counts.closed + r.counts.connect_errors, 100);
	/* A close seen in the loop turn that sent the request (the FIN came
	 * with the connect's completion) is timed after the send, never
	 * before it: no latency longer than the whole run. */
	assert_true(r.total.latency.max <= wall);
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__options_refused(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	perfdb_loadtest_http_target tg = {NULL, "http://127.0.0.1:1/"};
	(void)state;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL); /* no target */
	o.targets = &tg;
	o.ntargets = 1;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL); /* no amount */
	o.requests = 1;
	o.rate = 1e-4;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL);
	o.rate = NAN;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL);
	o.rate = INFINITY;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL);
	o.rate = -1;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL);
	o.rate = 0;
	o.threads = 2;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL); /* threads > conns */
	o.threads = 1;
	o.timeout = 0;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL);
	o.timeout = 1;
	tg.url = "https://127.0.0.1:1/";
#ifdef PERFDB_HAVE_TLS
	o.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL);
	assert_string_equal(perfdb_error_last()->message,
			    "ca file '/nonexistent/ca.pem': No such file or directory");
	o.ca_file = NULL;
#else
	/* a build without TLS refuses https:// with one line saying why */
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_EINVAL);
	assert_non_null(strstr(perfdb_error_last()->message,
			       "https:// needs TLS, and this perfdb was built without it"));
#endif
	tg.url = "http://perfdb-no-such-host.invalid/";
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), PERFDB_ENOTFOUND);
	assert_int_equal(r.nseries, 0);
}

static void test_http__export(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	perfdb_loadtest_http_target tg[2];
	perfdb_resultset *rs;
	char u1[128], u2[128];
	size_t i, n, per_a = 0, per_b = 0;
	(void)state;
	snprintf(u1, sizeof(u1), "%s/ok", srv.base);
	snprintf(u2, sizeof(u2), "%s/status/500", srv.base);
	tg[0].name = "a";
	tg[0].url = u1;
	tg[1].name = "b";
	tg[1].url = u2;
	o.targets = tg;
	o.ntargets = 2;
	o.requests = 10;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_loadtest_http_export(rs, &r, "svc"), 0);
	n = perfdb_resultset_count(rs);
	for (i = 0; i < n; i++) {
		const perfdb_result *x = perfdb_resultset_get(rs, i);
		if (strcmp(x->benchmark, "svc/a") == 0)
			per_a++;
		else if (strcmp(x->benchmark, "svc/b") == 0)
			per_b++;
		else
			fail_msg("unexpected benchmark %s", x->benchmark);
		if (strcmp(x->benchmark, "svc/b") == 0 && strcmp(x->metric, "success_rate") == 0)
			assert_true(x->value == 0.0);
	}
	/* throughput, success rate, 7 latencies, 3 HTTP counts */
	assert_int_equal(per_a, 12);
	assert_int_equal(per_b, 12);
	perfdb_resultset_free(rs);
	perfdb_loadtest_http_result_release(&r);
}

/* ---- https:// against openssl s_server ------------------------------------------------------- */

#ifdef PERFDB_HAVE_TLS
/* tests/progs/tls_server.sh: a CA, a certificate for localhost it signed,
 * another CA, and `openssl s_server -www` on 127.0.0.1 (HTTP/1.0, a close
 * after every response). */
typedef struct tls_server {
	char dir[64];
	int port;
	pid_t pid;
} tls_server;

static tls_server tsrv;

static int read_int(const char *dir, const char *name, int *out)
{
	char path[128];
	FILE *f;
	int ok;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return -1;
	ok = fscanf(f, "%d", out) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int start_tls_server(void **state)
{
	char cmd[4300];
	int pid;
	(void)state;
	snprintf(tsrv.dir, sizeof(tsrv.dir), "/tmp/perfdb-tls.XXXXXX");
	if (!mkdtemp(tsrv.dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/progs/tls_server.sh' '%s'", PERFDB_SOURCE_DIR,
		 tsrv.dir);
	if (system(cmd) != 0 || read_int(tsrv.dir, "port", &tsrv.port) != 0 ||
	    read_int(tsrv.dir, "pid", &pid) != 0)
		return -1;
	tsrv.pid = pid;
	return 0;
}

static int stop_tls_server(void **state)
{
	char cmd[128];
	(void)state;
	if (tsrv.pid > 0)
		kill(tsrv.pid, SIGTERM);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tsrv.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* n requests on one connection to https://HOST:PORT/ with the CA file
 * `ca` of the server's directory (NULL: the system's). */
static void run_tls(perfdb_loadtest_http_result *r, const char *host, const char *ca, bool insecure,
		    uint64_t n)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_target tg;
	char url[128], cafile[128];
	snprintf(url, sizeof(url), "https://%s:%d/", host, tsrv.port);
	snprintf(cafile, sizeof(cafile), "%s/%s", tsrv.dir, ca ? ca : "");
	tg.name = NULL;
	tg.url = url;
	o.targets = &tg;
	o.ntargets = 1;
	o.requests = n;
	o.timeout = 10;
	o.ca_file = ca ? cafile : NULL;
	o.insecure = insecure;
	assert_int_equal(perfdb_loadtest_http_run(r, &o), 0);
}

static void test_http__https_trusted_ca(void **state)
{
	perfdb_loadtest_http_result r;
	(void)state;
	run_tls(&r, "localhost", "ca.pem", false, 5);
	assert_int_equal(r.total.requests, 5);
	assert_int_equal(r.total.successes, 5);
	assert_int_equal(r.counts.status[2], 5);
	assert_int_equal(r.counts.connect_errors, 0);
	assert_null(r.connect_error);
	/* s_server closes after each response: a handshake per request, and
	 * every one after the first resumes the session of the one before */
	assert_int_equal(r.counts.connects, 5);
	assert_int_equal(r.counts.tls_resumed, 4);
	assert_true(r.counts.bytes_read > 5 * 100);
	perfdb_loadtest_http_result_release(&r);
}

static void expect_verify_failure(perfdb_loadtest_http_result *r, const char *host, const char *why)
{
	char want[256];
	assert_int_equal(r->total.requests, 3);
	assert_int_equal(r->total.failures, 3);
	assert_int_equal(r->counts.connect_errors, 3);
	assert_int_equal(r->counts.status[2], 0);
	assert_int_equal(r->total.nerrors, 1);
	assert_int_equal(r->total.errors[0].code, PERFDB_LOADTEST_HTTP_ECONNECT);
	snprintf(want, sizeof(want), "%s:%d: TLS certificate verification failed: %s", host,
		 tsrv.port, why);
	assert_non_null(r->connect_error);
	assert_string_equal(r->connect_error, want);
	assert_string_equal(r->series[0].connect_error, want);
}

static void test_http__https_untrusted_is_a_connect_error(void **state)
{
	perfdb_loadtest_http_result r;
	(void)state;
	/* the system's CAs did not sign the test CA */
	run_tls(&r, "localhost", NULL, false, 3);
	expect_verify_failure(&r, "localhost", "unable to get local issuer certificate");
	perfdb_loadtest_http_result_release(&r);
	/* nor did another CA */
	run_tls(&r, "localhost", "other-ca.pem", false, 3);
	expect_verify_failure(&r, "localhost", "unable to get local issuer certificate");
	perfdb_loadtest_http_result_release(&r);
	/* a trusted chain for another name: the certificate names localhost */
	run_tls(&r, "127.0.0.1", "ca.pem", false, 3);
	expect_verify_failure(&r, "127.0.0.1", "IP address mismatch");
	perfdb_loadtest_http_result_release(&r);
}

static void test_http__https_insecure(void **state)
{
	perfdb_loadtest_http_result r;
	(void)state;
	run_tls(&r, "127.0.0.1", NULL, true, 3);
	assert_int_equal(r.total.successes, 3);
	assert_int_equal(r.counts.status[2], 3);
	assert_int_equal(r.counts.connect_errors, 0);
	assert_null(r.connect_error);
	perfdb_loadtest_http_result_release(&r);
}

/* https:// to a server that answers in plain HTTP: the handshake fails,
 * counted as connect errors with OpenSSL's reason, never a crash or a hang.
 * The server is a child that answers each of n connections and closes. */
static void test_http__https_to_plain_http(void **state)
{
	perfdb_loadtest_http_options o = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	perfdb_loadtest_http_target tg;
	char url[128];
	int port, lfd = loopback_socket(&port), i;
	pid_t child;
	(void)state;
	assert_int_equal(listen(lfd, 8), 0);
	child = fork();
	if (child == 0) {
		static const char resp[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
		alarm(20);
		for (i = 0; i < 2; i++) {
			char buf[512];
			int fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				_exit(1);
			if (read(fd, buf, sizeof(buf)) <= 0 ||
			    write(fd, resp, sizeof(resp) - 1) != (ssize_t)(sizeof(resp) - 1))
				_exit(1);
			close(fd);
		}
		_exit(0);
	}
	close(lfd);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", port);
	tg.name = NULL;
	tg.url = url;
	o.targets = &tg;
	o.ntargets = 1;
	o.requests = 2;
	o.timeout = 10;
	o.insecure = true;
	assert_int_equal(perfdb_loadtest_http_run(&r, &o), 0);
	assert_int_equal(waitpid(child, &i, 0), child);
	assert_true(WIFEXITED(i) && WEXITSTATUS(i) == 0);
	assert_int_equal(r.total.requests, 2);
	assert_int_equal(r.counts.connect_errors, 2);
	assert_int_equal(r.counts.status[4], 0);
	assert_non_null(r.connect_error);
	assert_non_null(strstr(r.connect_error, ": TLS handshake failed: "));
	perfdb_loadtest_http_result_release(&r);
}

/* A caller built against version 1 of the options (before insecure and
 * ca_file) still runs: its struct ends before them, they keep defaults. */
static void test_http__options_version_1(void **state)
{
	const size_t v1_size = offsetof(perfdb_loadtest_http_options, insecure);
	perfdb_loadtest_http_options d = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_result r;
	perfdb_loadtest_http_target tg;
	char url[128];
	void *o = malloc(v1_size); /* exactly what an old caller has */
	(void)state;
	assert_non_null(o);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", tsrv.port);
	tg.name = NULL;
	tg.url = url;
	d.version = 1;
	d.targets = &tg;
	d.ntargets = 1;
	d.requests = 1;
	d.timeout = 10;
	memcpy(o, &d, v1_size);
	assert_int_equal(perfdb_loadtest_http_run(&r, o), 0);
	/* verification on (the default), so the name check fails */
	assert_int_equal(r.counts.connect_errors, 1);
	assert_non_null(strstr(r.connect_error, "TLS certificate verification failed"));
	perfdb_loadtest_http_result_release(&r);
	d.version = 3;
	memcpy(o, &d, v1_size);
	assert_int_equal(perfdb_loadtest_http_run(&r, o), PERFDB_EINVAL);
	free(o);
}
#endif

int main(void)
{
	const struct CMUnitTest parser[] = {
	    cmocka_unit_test(test_http__parse_content_length),
	    cmocka_unit_test(test_http__parse_chunked),
	    cmocka_unit_test(test_http__parse_close),
	    cmocka_unit_test(test_http__parse_no_body),
	    cmocka_unit_test(test_http__parse_leaves_following_bytes),
	    cmocka_unit_test(test_http__parse_malformed),
	    cmocka_unit_test(test_http__parse_header_too_large),
	    cmocka_unit_test(test_http__url),
	    cmocka_unit_test(test_http__request_build),
	};
	const struct CMUnitTest engine[] = {
	    cmocka_unit_test(test_http__closed_counts),
	    cmocka_unit_test(test_http__round_robin_and_status_classes),
	    cmocka_unit_test(test_http__expect_status),
	    cmocka_unit_test(test_http__chunked_close_and_eof),
	    cmocka_unit_test(test_http__timeout),
	    cmocka_unit_test(test_http__duration_ends_requests_in_flight),
	    cmocka_unit_test(test_http__stop_ends_requests_in_flight),
	    cmocka_unit_test(test_http__malformed),
	    cmocka_unit_test(test_http__method_header_body_sent),
	    cmocka_unit_test(test_http__open_model),
	    cmocka_unit_test(test_http__open_model_accounts_every_slot),
	    cmocka_unit_test(test_http__connect_error),
	    cmocka_unit_test(test_http__service_time_starts_at_the_send),
	    cmocka_unit_test(test_http__closed_before_the_response_is_timed_from_the_send),
	    cmocka_unit_test(test_http__options_refused),
	    cmocka_unit_test(test_http__export),
	};
	int rc = cmocka_run_group_tests_name("http_parser", parser, NULL, NULL);
#ifdef PERFDB_HAVE_TLS
	const struct CMUnitTest tls[] = {
	    cmocka_unit_test(test_http__https_trusted_ca),
	    cmocka_unit_test(test_http__https_untrusted_is_a_connect_error),
	    cmocka_unit_test(test_http__https_insecure),
	    cmocka_unit_test(test_http__https_to_plain_http),
	    cmocka_unit_test(test_http__options_version_1),
	};
	rc += cmocka_run_group_tests_name("http_tls", tls, start_tls_server, stop_tls_server);
#endif
	return rc + cmocka_run_group_tests_name("http_engine", engine, start_server, stop_server);
}
