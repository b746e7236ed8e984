/*
 * perfdb-bench report: `perfdb report` of 1,000 series x 100 commits (5
 * samples a point, a 10% step in one series in 50): the time to write the
 * file through the CLI and its size; then, when Chromium is installed, what
 * the page itself takes in headless Chromium, read from its own performance
 * timing (navigation start to the load event, and to the first frame after
 * the first charts are in), apart from the browser's start-up (the whole
 * process for an empty page, and for the report). The same again with
 * #render-all, every chart inserted at once.
 *
 * The page's timing is read by a probe script the benchmark adds to a copy
 * of the report (the page's policy allows inline scripts): on the load
 * event it notes the navigation timing, and, once the first frame after it
 * is done (a requestAnimationFrame callback, then a task), the time and
 * the number of charts in the page. The benchmark drives Chromium over the
 * DevTools protocol on a pipe (--remote-debugging-pipe: NUL-terminated JSON
 * on fds 3 and 4), navigates, and asks for those figures; --dump-dom
 * would print the page before that frame.
 */
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* A 10% step in one series in 50, 30 commits before the end; 1% of
 * deterministic wobble. */
static double report_sample(int c, int b, int k, void *ctx)
{
	int commits = *(const int *)ctx;
	double level = (1000 + b) * (b % 50 == 7 && c >= commits - 30 ? 1.10 : 1);
	return level * (1 + 0.01 * (double)((c * 7 + b * 13 + k * 29) % 11 - 5) / 5);
}

static int build(const char *path, int commits, int series)
{
	bench_history h = {commits, series, 0, "bench", "BM_Report", report_sample, &commits};
	return bench_build_history(path, &h);
}

static double cpu_ms(const struct timeval *user, const struct timeval *sys)
{
	return (double)(user->tv_sec + sys->tv_sec) * 1e3 +
	       (double)(user->tv_usec + sys->tv_usec) / 1e3;
}

static double timed(const char *fmt, const char *a, const char *b)
{
	uint64_t t0 = bench_now_ns();
	if (bench_system(fmt, a, b) != 0)
		return -1;
	return (double)(bench_now_ns() - t0) / 1e6;
}

/* Added before </body> of the copy: the page's own times, in ms from
 * navigation start: its load event, and the end of the first frame after
 * it (the first charts, or every chart with #render-all, are in the page
 * by the load event); and how many charts are in. */
static const char probe[] =
    "<script>addEventListener('load',function(){"
    "var n=performance.getEntriesByType('navigation')[0],load=n.loadEventStart;"
    "requestAnimationFrame(function(){setTimeout(function(){"
    "window.perfdbTimes=load.toFixed(1)+' '+performance.now().toFixed(1)+' '+"
    "document.querySelectorAll('.chart svg').length;},0);});});</script>";

/* What the benchmark asks once the page has loaded: the probe's figures. */
static const char wait_times[] =
    "new Promise(function(r){(function w(){if(window.perfdbTimes)r(window.perfdbTimes);"
    "else setTimeout(w,5);})();})";

/* ---- a DevTools protocol session over --remote-debugging-pipe ---------- */
typedef struct cdp {
	pid_t pid;
	int to, from; /* our ends of fd 3 (Chromium reads) and fd 4 (it writes) */
	char buf[1 << 16];
	size_t len;
	int next_id;
} cdp;

static int cdp_start(cdp *c, const char *browser)
{
	int in[2], out[2];
	memset(c, 0, sizeof(*c));
	if (pipe(in) != 0)
		return -1;
	if (pipe(out) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if ((c->pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(in[0], 3);
		dup2(out[1], 4);
		dup2(null, 1);
		dup2(null, 2);
		execl(browser, browser, "--headless", "--no-sandbox", "--disable-gpu",
		      "--remote-debugging-pipe", "about:blank", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to = in[1];
	c->from = out[0];
	c->next_id = 1;
	return c->pid > 0 ? 0 : -1;
}

/* The next message (NUL-terminated on the pipe) into c->buf, or -1 after
 * 120 s without one or at the end of the pipe. */
static int cdp_read(cdp *c)
{
	for (;;) {
		char *end = memchr(c->buf, 0, c->len);
		struct pollfd p = {c->from, POLLIN, 0};
		ssize_t n;
		if (end && end != c->buf + c->len)
			return (int)(end - c->buf);
		if (c->len + 1 >= sizeof(c->buf) || poll(&p, 1, 120000) != 1)
			return -1;
		if ((n = read(c->from, c->buf + c->len, sizeof(c->buf) - c->len - 1)) <= 0)
			return -1;
		c->len += (size_t)n;
	}
}

/* Drops the message at the front of the buffer (msglen bytes and its NUL). */
static void cdp_drop(cdp *c, int msglen)
{
	size_t n = (size_t)msglen + 1;
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* Sends method with params (JSON text or NULL) in session (or NULL) and
 * waits for its answer, or, when event is not NULL, for that event; the
 * value of a string field `field` of it is copied to out. 0 or -1. */
static int cdp_call(cdp *c, const char *session, const char *method, const char *params,
		    const char *event, const char *field, char *out, size_t cap)
{
	char msg[2048], want[64];
	int id = c->next_id++, n;
	n = snprintf(msg, sizeof(msg), "{\"id\":%d,%s%s%s\"method\":\"%s\"%s%s}", id,
		     session ? "\"sessionId\":\"" : "", session ? session : "",
		     session ? "\"," : "", method, params ? ",\"params\":" : "",
		     params ? params : "");
	if (n < 0 || (size_t)n >= sizeof(msg) || write(c->to, msg, (size_t)n + 1) != n + 1)
		return -1;
	if (event)
		snprintf(want, sizeof(want), "\"method\":\"%s\"", event);
	else
		snprintf(want, sizeof(want), "{\"id\":%d,", id);
	for (;;) {
		int len = cdp_read(c);
		char *hit, key[64];
		if (len < 0)
			return -1;
		if (!(hit = strstr(c->buf, want)) || hit > c->buf + len) {
			cdp_drop(c, len);
			continue;
		}
		if (strstr(c->buf, "\"error\":{") && !event) {
			cdp_drop(c, len);
			return -1;
		}
		if (field) {
			char *v, *e;
			snprintf(key, sizeof(key), "\"%s\":\"", field);
			if (!(v = strstr(c->buf, key)) || !(e = strchr(v + strlen(key), '"'))) {
				cdp_drop(c, len);
				return -1;
			}
			v += strlen(key);
			snprintf(out, cap, "%.*s", (int)(e - v), v);
		}
		cdp_drop(c, len);
		return 0;
	}
}

static void cdp_stop(cdp *c)
{
	int status;
	cdp_call(c, NULL, "Browser.close", NULL, NULL, NULL, NULL, 0);
	close(c->to);
	close(c->from);
	if (waitpid(c->pid, &status, WNOHANG) == 0) {
		sleep(1);
		if (waitpid(c->pid, &status, WNOHANG) == 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
		}
	}
}

/* Loads url in a new tab of a fresh headless Chromium, 1100 x 900 or (tall)
 * 1100 x 400,000; the probe's load and frame times (ms) and chart count.
 * 0 or -1. */
static int page_times_of(const char *browser, const char *url, int tall, double *load,
			 double *frame, double *charts)
{
	char target[128], session[128], params[1024], value[256];
	cdp c;
	int rc = -1;
	if (cdp_start(&c, browser) != 0)
		return -1;
	snprintf(params, sizeof(params), "{\"url\":\"about:blank\"}");
	if (cdp_call(&c, NULL, "Target.createTarget", params, NULL, "targetId", target,
		     sizeof(target)) != 0)
		goto done;
	snprintf(params, sizeof(params), "{\"targetId\":\"%s\",\"flatten\":true}", target);
	if (cdp_call(&c, NULL, "Target.attachToTarget", params, NULL, "sessionId", session,
		     sizeof(session)) != 0 ||
	    cdp_call(&c, session, "Page.enable", NULL, NULL, NULL, NULL, 0) != 0)
		goto done;
	/* every chart on screen at once: a viewport taller than the page, so
	 * that the first frame lays out and paints them all */
	snprintf(params, sizeof(params),
		 "{\"width\":1100,\"height\":%d,\"deviceScaleFactor\":1,\"mobile\":false}",
		 tall ? 400000 : 900);
	if (cdp_call(&c, session, "Emulation.setDeviceMetricsOverride", params, NULL, NULL, NULL,
		     0) != 0)
		goto done;
	snprintf(params, sizeof(params), "{\"url\":\"%s\"}", url);
	if (cdp_call(&c, session, "Page.navigate", params, "Page.loadEventFired", NULL, NULL, 0) !=
	    0)
		goto done;
	snprintf(params, sizeof(params),
		 "{\"expression\":\"%s\",\"awaitPromise\":true,\"returnByValue\":true}",
		 wait_times);
	if (cdp_call(&c, session, "Runtime.evaluate", params, NULL, "value", value,
		     sizeof(value)) != 0 ||
	    sscanf(value, "%lf %lf %lf", load, frame, charts) != 3)
		goto done;
	rc = 0;
done:
	cdp_stop(&c);
	return rc;
}

/* A copy of the report at `to` with the probe before its </body>. */
static int add_probe(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = NULL;
	char *text = NULL, *body;
	long n;
	int rc = -1;
	if (!in || fseek(in, 0, SEEK_END) != 0 || (n = ftell(in)) < 0 ||
	    fseek(in, 0, SEEK_SET) != 0)
		goto done;
	if (!(text = malloc((size_t)n + 1)) || fread(text, 1, (size_t)n, in) != (size_t)n)
		goto done;
	text[n] = 0;
	if (!(body = strstr(text, "</body>")) || !(out = fopen(to, "wb")))
		goto done;
	fwrite(text, 1, (size_t)(body - text), out);
	fputs(probe, out);
	fputs(body, out);
	rc = ferror(out) ? -1 : 0;
done:
	if (out && fclose(out) != 0)
		rc = -1;
	if (in)
		fclose(in);
	free(text);
	return rc;
}

/* Best of 3 of each figure, the pages interleaved. */
typedef struct page_times {
	double process, load, frame, charts;
} page_times;

int bench_html_report(const bench_ctx *ctx)
{
	char self[4096], perfdb[4200], db[600], html[600], probed[600], blank[600], cmd[5000];
	int series = ctx->quick ? 100 : 1000, commits = ctx->quick ? 30 : 100;
	const char *browser = NULL;
	static const char *const browsers[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
					       "/usr/bin/google-chrome"};
	page_times best[3];
	struct rusage ru0, ru1;
	struct stat st;
	double ms;
	size_t i;
	int r, k;

	snprintf(self, sizeof(self), "%s", ctx->self);
	snprintf(perfdb, sizeof(perfdb), "%s/perfdb", dirname(self));
	snprintf(db, sizeof(db), "%s/report.db", ctx->workdir);
	snprintf(html, sizeof(html), "%s/report.html", ctx->workdir);
	snprintf(probed, sizeof(probed), "%s/report-probed.html", ctx->workdir);
	snprintf(blank, sizeof(blank), "%s/blank.html", ctx->workdir);
	unlink(db);
	if (build(db, commits, series) != 0)
		return -1;
	bench_note(ctx, "%d series x %d commits, 5 samples a point", series, commits);
	snprintf(cmd, sizeof(cmd), "'%s' report --db '%%s' --last %d --out '%%s' 2>/dev/null",
		 perfdb, commits);
	getrusage(RUSAGE_CHILDREN, &ru0);
	if ((ms = timed(cmd, db, html)) < 0)
		return -1;
	getrusage(RUSAGE_CHILDREN, &ru1);
	bench_report(ctx, "report/write", "wall_time", "ms", ms);
	/* on a shared machine the CPU time says more than the wall time */
	bench_report(ctx, "report/write", "cpu_time", "ms",
		     cpu_ms(&ru1.ru_utime, &ru1.ru_stime) - cpu_ms(&ru0.ru_utime, &ru0.ru_stime));
	if (stat(html, &st) != 0)
		return -1;
	bench_report(ctx, "report/file", "size", "B", (double)st.st_size);
	for (i = 0; i < sizeof(browsers) / sizeof(browsers[0]) && !browser; i++)
		if (access(browsers[i], X_OK) == 0)
			browser = browsers[i];
	if (!browser) {
		bench_note(ctx, "no Chromium: the load time was not measured");
		return 0;
	}
	{
		FILE *f = fopen(blank, "w");
		if (!f)
			return -1;
		fputs("<!DOCTYPE html><html><body>blank</body></html>\n", f);
		fclose(f);
	}
	if (add_probe(html, probed) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "'%s' --headless --no-sandbox --disable-gpu --dump-dom 'file://%%s%%s' "
		 ">/dev/null 2>&1",
		 browser);
	for (k = 0; k < 3; k++)
		best[k] = (page_times){1e300, 1e300, 1e300, 0};
	for (r = 0; r < 3; r++) {
		const char *pages[3][2] = {{blank, ""}, {html, ""}, {html, "#render-all"}};
		for (k = 0; k < 3; k++) {
			double t = timed(cmd, pages[k][0], pages[k][1]), load, frame, charts;
			char url[700];
			if (t < 0)
				return -1;
			best[k].process = t < best[k].process ? t : best[k].process;
			if (k == 0)
				continue;
			snprintf(url, sizeof(url), "file://%s%s", probed, pages[k][1]);
			if (page_times_of(browser, url, k == 2, &load, &frame, &charts) != 0)
				continue;
			best[k].load = load < best[k].load ? load : best[k].load;
			if (frame < best[k].frame) {
				best[k].frame = frame;
				best[k].charts = charts;
			}
		}
	}
	bench_report(ctx, "report/chromium_blank_page", "wall_time", "ms", best[0].process);
	for (k = 1; k < 3; k++) {
		const char *what = k == 1 ? "report/chromium" : "report/chromium_render_all";
		char name[96];
		snprintf(name, sizeof(name), "%s_process", what);
		bench_report(ctx, name, "wall_time", "ms", best[k].process);
		if (best[k].load >= 1e300) {
			bench_note(ctx, "%s: the page's timing was not read", what);
			continue;
		}
		snprintf(name, sizeof(name), "%s_page_load", what);
		bench_report(ctx, name, "wall_time", "ms", best[k].load);
		snprintf(name, sizeof(name), "%s_page_first_frame", what);
		bench_report(ctx, name, "wall_time", "ms", best[k].frame);
		bench_note(ctx, "%s: %.0f charts in the page at its first frame", what,
			   best[k].charts);
	}
	return 0;
}
