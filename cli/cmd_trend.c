/* perfdb trend [GLOB]: a sparkline per series, or a standalone SVG chart. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "history.h"

enum { OPT_SVG = CLI_HISTORY_OPT_FIRST_FREE };

static const cli_option options[] = {
    CLI_LAST_OPTION,
    CLI_MACHINE_OPTION,
    CLI_METRIC_OPTION,
    {"svg", OPT_SVG, "FILE", "also write a standalone SVG chart, one panel per series"},
    {"threshold", CLI_OPT_THRESHOLD, "PCT", "smallest step marked, percent (default 5)"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION,
    CLI_NO_GIT_OPTION,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "trend",
    "[GLOB] [--last N] [--machine M] [--svg FILE]",
    "Sparklines of every series over the last commits, with their steps.",
    "One line per series: a sparkline (a '|' before each step), the newest value, the\n"
    "change against the level at the start, and the steps. The steps are regress's:\n"
    "those 'perfdb regress --since C --window 1' finds, C the oldest commit shown, on\n"
    "the same levels (a commit's median). --svg writes a chart a browser opens, drawn by\n"
    "the code that draws the report's: the levels and their points, the spread band\n"
    "(25th to 75th percentile), steps as dashed lines with their change (regressions\n"
    "red, improvements green), gridlines at round values labelled in human units, the\n"
    "reference commit shaded, a commit axis of short shas, a text alternative per\n"
    "panel, and dark mode. A GLOB or --machine that matches nothing ever recorded is\n"
    "a usage error (exit 2).",
    options,
};

typedef struct trend_args {
	cli_history_args h;
	const char *svg;
} trend_args;

static int on_option(void *ctx, int id, const char *arg)
{
	trend_args *a = ctx;
	if (id == OPT_SVG)
		a->svg = arg;
	return 0;
}

/* Column widths shared by every line, so the sparklines and values line up. */
typedef struct widths {
	int name, machine;
	size_t points;
} widths;

static void print_line(const perfdb_trend_series *s, bool color, const widths *w)
{
	double lo = INFINITY, hi = -INFINITY;
	char name[1024], v[48], sha[CLI_SHA_CAP], shown[CLI_SHA_CAP], machine[512];
	size_t i, k = 0, pos, cells = 0;
	for (i = 0; i < s->n; i++) {
		if (s->levels[i] < lo)
			lo = s->levels[i];
		if (s->levels[i] > hi)
			hi = s->levels[i];
	}
	cli_series_name(name, sizeof(name), s->benchmark, s->metric, s->tags);
	cli_text(machine, sizeof(machine), s->machine);
	{
		char c1[1100], c2[600];
		cli_out("%s  %s  ", cli_pad(c1, sizeof(c1), name, -w->name),
			cli_pad(c2, sizeof(c2), machine, -w->machine));
	}
	/* one cell per commit of the common axis: a commit without this
	 * series is a blank, so every line's cells are the same commits */
	for (i = 0, pos = 0; i < s->n; i++, pos++) {
		for (; pos < s->positions[i]; pos++, cells++)
			cli_out(" ");
		if (k < s->nsteps && s->steps[k].index == i) {
			const char *c =
			    !color ? ""
				   : (cli_chart_is_regression(s, s->steps[k].change) ? "\033[31m"
										     : "\033[32m");
			cli_out("%s|%s", c, color ? "\033[0m" : "");
			cells++;
			k++;
		}
		cli_out("%s", cli_spark_bar(s->levels[i], lo, hi));
		cells++;
	}
	for (; cells < w->points; cells++)
		cli_out(" ");
	cli_format_value(v, sizeof(v), s->latest, s->unit);
	cli_out("  %s", v);
	if (!isnan(s->change_pct))
		cli_out("  %+.1f%%", s->change_pct);
	for (k = 0; k < s->nsteps; k++)
		cli_out("%s %+.1f%% at %s", k ? "," : "  steps:", 100 * s->steps[k].change,
			cli_text(shown, sizeof(shown),
				 cli_short_sha(sha, sizeof(sha), s->commits[s->steps[k].index])));
	cli_out("\n");
}

/* One panel per series, drawn by the chart code the report uses, in one
 * picture that a browser opens; its style sheet inside (dark mode too). */
static int write_svg(const char *path, const perfdb_trend *t)
{
	size_t i, n = perfdb_trend_count(t);
	int ph = cli_chart_height(CLI_CHART_HEADING), w;
	cli_chart c;
	FILE *f;

	if (cli_chart_init(&c, t) != 0) {
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	if (!(f = fopen(path, "w"))) {
		cli_err("cannot write '%s': %s", path, strerror(errno));
		cli_chart_release(&c);
		return CLI_EXIT_DB;
	}
	w = cli_chart_width(&c);
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"perfdb-chart\" width=\"%d\" "
		"height=\"%zu\" viewBox=\"0 0 %d %zu\" font-family=\"sans-serif\" "
		"font-size=\"11\">\n<style>\n%s</style>\n"
		"<rect class=\"bg\" width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		w, (size_t)ph * (n ? n : 1) + 10, w, (size_t)ph * (n ? n : 1) + 10, cli_chart_css);
	for (i = 0; i < n; i++)
		cli_chart_panel(f, &c, perfdb_trend_get(t, i), 5 + (double)i * ph,
				CLI_CHART_HEADING);
	fprintf(f, "</svg>\n");
	cli_chart_release(&c);
	/* A write that failed earlier (a full disk) sets the error flag even
	 * when the final flush succeeds; a partial chart is removed. */
	if (ferror(f) | (fclose(f) != 0)) {
		cli_err("cannot write '%s': %s", path, errno ? strerror(errno) : "write error");
		unlink(path);
		return CLI_EXIT_DB;
	}
	return 0;
}

int cmd_trend(cli_session *session, int argc, char **argv)
{
	trend_args a;
	perfdb_trend *t = NULL;
	int first, rc, err;
	size_t i;

	memset(&a, 0, sizeof(a));
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (argc - first > 1)
		return cli_usage_error(&info, "expected at most one GLOB");
	if (first < argc)
		a.h.o.benchmark_glob = argv[first];
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	err = perfdb_trend_run(&t, session->store, a.h.last, &a.h.o);
	if (err) {
		rc = cli_history_fail("benchmark");
	} else {
		bool color = cli_color();
		widths w = {0, 0, 0};
		char name[1024], machine[512];
		for (i = 0; i < perfdb_trend_count(t); i++) {
			const perfdb_trend_series *s = perfdb_trend_get(t, i);
			cli_series_name(name, sizeof(name), s->benchmark, s->metric, s->tags);
			cli_text(machine, sizeof(machine), s->machine);
			if ((int)cli_width(name) > w.name)
				w.name = (int)cli_width(name);
			if ((int)cli_width(machine) > w.machine)
				w.machine = (int)cli_width(machine);
			if (s->axis + s->nsteps > w.points)
				w.points = s->axis + s->nsteps;
		}
		for (i = 0; i < perfdb_trend_count(t); i++)
			print_line(perfdb_trend_get(t, i), color, &w);
		if (!perfdb_trend_count(t))
			cli_out("no series\n");
		rc = a.svg ? write_svg(a.svg, t) : CLI_EXIT_OK;
		if (a.svg && rc == 0)
			cli_err("wrote %zu panel%s to %s", perfdb_trend_count(t),
				perfdb_trend_count(t) == 1 ? "" : "s", a.svg);
	}
	perfdb_trend_free(t);
	return rc;
}
