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
 * event it writes the figures into attributes of <html>, which
 * --dump-dom prints.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static double timed(const char *fmt, const char *a, const char *b)
{
	uint64_t t0 = bench_now_ns();
	if (bench_system(fmt, a, b) != 0)
		return -1;
	return (double)(bench_now_ns() - t0) / 1e6;
}

/* Added before </body> of the copy: the page's own times, in ms from
 * navigation start: its load event (the first screen of charts is in the
 * page by then, or every chart with #render-all); that moment plus the
 * style and layout of what is in the page (forced, as a paint would); and
 * how many charts are in. A frame painted after the load is not waited
 * for: --dump-dom prints the page about one frame after its load event. */
static const char probe[] =
    "<script>addEventListener('load',function(){var h=document.documentElement,"
    "n=performance.getEntriesByType('navigation')[0];"
    "h.setAttribute('data-load-ms',n.loadEventStart.toFixed(1));"
    "document.body.getBoundingClientRect();"
    "h.setAttribute('data-layout-ms',performance.now().toFixed(1));"
    "h.setAttribute('data-charts',String(document.querySelectorAll('.chart svg').length));"
    "});</script>";

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

/* The value of attribute name of <html> in the dumped page, or -1. */
static double html_attr(const char *dom, const char *name)
{
	FILE *f = fopen(dom, "rb");
	char buf[4096], key[64], *p, *tag;
	size_t n;
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	snprintf(key, sizeof(key), " %s=\"", name);
	if (!(tag = strstr(buf, "<html")) || !(p = strstr(tag, key)) || p > strchr(tag, '>'))
		return -1;
	return strtod(p + strlen(key), NULL);
}

/* Best of 3 of each figure, the pages interleaved. */
typedef struct page_times {
	double process, load, layout, charts;
} page_times;

int bench_html_report(const bench_ctx *ctx)
{
	char self[4096], perfdb[4200], db[600], html[600], probed[600], blank[600], dom[600],
	    cmd[5000];
	int series = ctx->quick ? 100 : 1000, commits = ctx->quick ? 30 : 100;
	const char *browser = NULL;
	static const char *const browsers[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
					       "/usr/bin/google-chrome"};
	page_times best[3];
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
	snprintf(dom, sizeof(dom), "%s/report-dom.html", ctx->workdir);
	unlink(db);
	if (build(db, commits, series) != 0)
		return -1;
	bench_note(ctx, "%d series x %d commits, 5 samples a point", series, commits);
	snprintf(cmd, sizeof(cmd), "'%s' report --db '%%s' --last %d --out '%%s' 2>/dev/null",
		 perfdb, commits);
	if ((ms = timed(cmd, db, html)) < 0)
		return -1;
	bench_report(ctx, "report/write", "wall_time", "ms", ms);
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
		 ">'%s' 2>/dev/null",
		 browser, dom);
	for (k = 0; k < 3; k++)
		best[k] = (page_times){1e300, 1e300, 1e300, 0};
	for (r = 0; r < 3; r++) {
		const char *pages[3][2] = {{blank, ""}, {probed, ""}, {probed, "#render-all"}};
		for (k = 0; k < 3; k++) {
			double t = timed(cmd, pages[k][0], pages[k][1]), load, layout;
			if (t < 0)
				return -1;
			best[k].process = t < best[k].process ? t : best[k].process;
			if (k == 0)
				continue;
			load = html_attr(dom, "data-load-ms");
			layout = html_attr(dom, "data-layout-ms");
			if (load >= 0 && load < best[k].load)
				best[k].load = load;
			if (layout >= 0 && layout < best[k].layout) {
				best[k].layout = layout;
				best[k].charts = html_attr(dom, "data-charts");
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
		if (best[k].layout < 1e300) {
			snprintf(name, sizeof(name), "%s_page_load_and_layout", what);
			bench_report(ctx, name, "wall_time", "ms", best[k].layout);
			bench_note(ctx, "%s: %.0f charts in the page at its load event", what,
				   best[k].charts);
		}
	}
	return 0;
}
