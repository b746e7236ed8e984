/*
 * perfdb-bench report: `perfdb report` of 1,000 series x 100 commits (5
 * samples a point, a 10% step in one series in 50): the time to write the
 * file through the CLI, its size, and, when Chromium is installed, the time
 * headless Chromium takes to load it and run its script (first screen of
 * charts; and with every chart drawn, #render-all), beside the time it
 * takes for an empty page, so the browser's own start-up can be told apart.
 */
#include <libgen.h>
#include <stdio.h>
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

int bench_html_report(const bench_ctx *ctx)
{
	char self[4096], perfdb[4200], db[600], html[600], blank[600], cmd[5000];
	int series = ctx->quick ? 100 : 1000, commits = ctx->quick ? 30 : 100;
	const char *browser = NULL;
	static const char *const browsers[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
					       "/usr/bin/google-chrome"};
	struct stat st;
	double ms;
	size_t i;

	snprintf(self, sizeof(self), "%s", ctx->self);
	snprintf(perfdb, sizeof(perfdb), "%s/perfdb", dirname(self));
	snprintf(db, sizeof(db), "%s/report.db", ctx->workdir);
	snprintf(html, sizeof(html), "%s/report.html", ctx->workdir);
	snprintf(blank, sizeof(blank), "%s/blank.html", ctx->workdir);
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
	snprintf(cmd, sizeof(cmd),
		 "'%s' --headless --no-sandbox --disable-gpu --dump-dom 'file://%%s%%s' "
		 ">/dev/null 2>&1",
		 browser);
	/* best of 3 each, interleaved */
	{
		double best[3] = {1e300, 1e300, 1e300};
		int r, k;
		for (r = 0; r < 3; r++) {
			const char *pages[3][2] = {{blank, ""}, {html, ""}, {html, "#render-all"}};
			for (k = 0; k < 3; k++) {
				double t = timed(cmd, pages[k][0], pages[k][1]);
				if (t < 0)
					return -1;
				if (t < best[k])
					best[k] = t;
			}
		}
		bench_report(ctx, "report/chromium_blank_page", "wall_time", "ms", best[0]);
		bench_report(ctx, "report/chromium_load", "wall_time", "ms", best[1]);
		bench_report(ctx, "report/chromium_load_render_all", "wall_time", "ms", best[2]);
	}
	return 0;
}
