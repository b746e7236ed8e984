/* perfdb trend [GLOB]: a sparkline per series, or a standalone SVG chart. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    "the same levels (a commit's median). --svg writes a chart a browser opens, as the\n"
    "report draws it: the levels, the spread band (25th to 75th percentile), steps as\n"
    "dashed lines with their change (regressions red, improvements green), y labels in\n"
    "human units and a commit axis of short shas. A GLOB or --machine that\n"
    "matches nothing ever recorded is a usage error (exit 2).",
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

static int is_bad(const perfdb_trend_series *s, double change)
{
	return s->direction == PERFDB_HIGHER_IS_BETTER ? change < 0 : change > 0;
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
			    !color ? "" : (is_bad(s, s->steps[k].change) ? "\033[31m" : "\033[32m");
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

/* Untrusted text as XML (the one escaper, cli_xml_text). */
static void xml(FILE *f, const char *s)
{
	char buf[4096];
	cli_xml_text(buf, sizeof(buf), s);
	fputs(buf, f);
}

/* x of point j in a panel pw wide: its commit's place on the common axis,
 * so the panels of one chart line up commit by commit */
static double svg_x(const perfdb_trend_series *s, size_t j, int pw)
{
	return s->axis > 1 ? (double)s->positions[j] * pw / (double)(s->axis - 1) : 0;
}

/* About how wide text is at font-size 11 (sans-serif digits and letters
 * average ~6.2 px): enough to keep a y label inside the chart. */
static int svg_text_width(const char *s)
{
	return (int)(cli_width(s) * 6.6 + 0.5);
}

/* The three y labels of a series (its top, middle and bottom level), in
 * human units. */
static void svg_y_labels(char lab[3][48], const perfdb_trend_series *s, double lo, double hi)
{
	cli_format_value(lab[0], sizeof(lab[0]), hi, s->unit);
	cli_format_value(lab[1], sizeof(lab[1]), (lo + hi) / 2, s->unit);
	cli_format_value(lab[2], sizeof(lab[2]), lo, s->unit);
}

/* The scale of a panel: its levels and their spread band, never empty. */
static void svg_range(const perfdb_trend_series *s, double *lo, double *hi)
{
	size_t j;
	*lo = INFINITY;
	*hi = -INFINITY;
	for (j = 0; j < s->n; j++) {
		*lo = fmin(*lo, fmin(s->levels[j], s->lo[j]));
		*hi = fmax(*hi, fmax(s->levels[j], s->hi[j]));
	}
	if (!(*hi > *lo)) {
		*hi = *lo + fmax(fabs(*lo) * 0.01, 1e-9);
		*lo -= fmax(fabs(*lo) * 0.01, 1e-9);
	}
}

/*
 * One panel per series, as the report draws a chart: the levels, the
 * spread band (25th to 75th percentile of each point's observations), the
 * steps dashed at their commits with their change and short sha, y labels
 * in human units (the left margin fits the widest), and an x axis of the
 * common commits by short sha (every k-th when they would overlap, the
 * newest always).
 */
static int write_svg(const char *path, const perfdb_trend *t)
{
	const int ph = 180, top = 10, pw = 660;
	const double plot_h = ph - 70;
	size_t i, j, n = perfdb_trend_count(t), naxis = 0, every = 1;
	const char **axis = NULL;
	int left = 50, w, maxsha = 0;
	FILE *f;

	/* the commit axis every series shares, and the widest labels */
	for (i = 0; i < n; i++) {
		const perfdb_trend_series *s = perfdb_trend_get(t, i);
		char lab[3][48];
		double lo, hi;
		size_t k;
		naxis = s->axis > naxis ? s->axis : naxis;
		svg_range(s, &lo, &hi);
		svg_y_labels(lab, s, lo, hi);
		for (k = 0; k < 3; k++)
			if (svg_text_width(lab[k]) + 12 > left)
				left = svg_text_width(lab[k]) + 12;
	}
	if (naxis && !(axis = calloc(naxis, sizeof(*axis)))) {
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	for (i = 0; i < n; i++) {
		const perfdb_trend_series *s = perfdb_trend_get(t, i);
		for (j = 0; j < s->n; j++)
			if (s->positions[j] < naxis)
				axis[s->positions[j]] = s->commits[j];
	}
	for (i = 0; i < naxis; i++) {
		char sha[CLI_SHA_CAP];
		int tw = axis[i] ? svg_text_width(cli_short_sha(sha, sizeof(sha), axis[i])) : 0;
		maxsha = tw > maxsha ? tw : maxsha;
	}
	if (naxis > 1)
		while ((double)pw / (double)(naxis - 1) * (double)every < maxsha + 8)
			every++;
	w = left + pw + 50; /* room for the newest sha, centred on the right edge */
	if (!(f = fopen(path, "w"))) {
		cli_err("cannot write '%s': %s", path, strerror(errno));
		free(axis);
		return CLI_EXIT_DB;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
		"viewBox=\"0 0 %d %zu\" font-family=\"sans-serif\" font-size=\"11\">\n",
		w, (size_t)ph * (n ? n : 1) + 20, w, (size_t)ph * (n ? n : 1) + 20);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	for (i = 0; i < n; i++) {
		const perfdb_trend_series *s = perfdb_trend_get(t, i);
		double lo, hi, y0 = (double)(top + (int)i * ph) + 22;
		char tags[256], lab[3][48], sha[CLI_SHA_CAP];
		size_t k;
#define SVG_Y(v) (y0 + plot_h - ((v)-lo) / (hi - lo) * plot_h)
		svg_range(s, &lo, &hi);
		svg_y_labels(lab, s, lo, hi);
		cli_tags_text(tags, sizeof(tags), s->tags);
		fprintf(f, "<g class=\"series\">\n<text x=\"%d\" y=\"%.1f\" font-weight=\"bold\">",
			left, y0 - 8);
		xml(f, s->benchmark);
		fputc(' ', f);
		xml(f, s->metric);
		if (*tags) {
			fputs(" [", f);
			xml(f, tags);
			fputc(']', f);
		}
		fputs(" on ", f);
		xml(f, s->machine);
		fprintf(f, "</text>\n");
		fprintf(f,
			"<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#f7f7f7\" "
			"stroke=\"#ccc\"/>\n",
			left, y0, pw, plot_h);
		/* y axis: top, middle, bottom (axes in their own groups: a
		 * panel's own lines and +/-% labels are its steps) */
		fprintf(f, "<g class=\"y-axis\">\n");
		for (k = 0; k < 3; k++) {
			double y = y0 + plot_h * (double)k / 2;
			fprintf(
			    f,
			    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\"/>"
			    "<text class=\"y-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
			    left - 3, y, left, y, left - 5, y + 4);
			xml(f, lab[k]);
			fprintf(f, "</text>\n");
		}
		fprintf(f, "</g>\n");
		/* x axis: the commits by short sha */
		fprintf(f, "<g class=\"x-axis\">\n");
		for (k = 0; k < naxis; k++) {
			double x = left + (naxis > 1 ? (double)k * pw / (double)(naxis - 1) : 0);
			if (!axis[k] || (naxis - 1 - k) % every)
				continue;
			fprintf(
			    f,
			    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#999\"/>"
			    "<text class=\"x-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			    x, y0 + plot_h, x, y0 + plot_h + 4, x, y0 + plot_h + 16);
			xml(f, cli_short_sha(sha, sizeof(sha), axis[k]));
			fprintf(f, "</text>\n");
		}
		fprintf(f, "</g>\n");
		/* the spread band: along hi, back along lo */
		if (s->n > 1) {
			fprintf(f, "<polygon class=\"band\" fill=\"#1f77b4\" fill-opacity=\"0.18\" "
				   "stroke=\"none\" points=\"");
			for (j = 0; j < s->n; j++)
				fprintf(f, "%.1f,%.1f ", left + svg_x(s, j, pw), SVG_Y(s->hi[j]));
			for (j = s->n; j-- > 0;)
				fprintf(f, "%.1f,%.1f ", left + svg_x(s, j, pw), SVG_Y(s->lo[j]));
			fprintf(f, "\"/>\n");
		}
		for (j = 0; j < s->nsteps; j++) {
			double x = left + svg_x(s, s->steps[j].index, pw);
			int bad = is_bad(s, s->steps[j].change);
			const char *col = bad ? "#d62728" : "#2ca02c";
			cli_short_sha(sha, sizeof(sha), s->commits[s->steps[j].index]);
			/* a step is a line (class: its kind) and a text, children
			 * of the panel, both naming the commit */
			fprintf(f, "<line class=\"%s\" data-commit=\"",
				bad ? "regression" : "improvement");
			xml(f, sha);
			fprintf(f,
				"\" data-change=\"%.1f\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>",
				100 * s->steps[j].change, x, y0, x, y0 + plot_h, col);
			/* the label inside the plot, on the side with room */
			fprintf(f,
				"<text class=\"step-label\" x=\"%.1f\" y=\"%.1f\" "
				"fill=\"%s\"%s>%+.1f%% ",
				x > left + pw / 2 ? x - 3 : x + 3, y0 + 12 + 12 * (double)(j % 2),
				col, x > left + pw / 2 ? " text-anchor=\"end\"" : "",
				100 * s->steps[j].change);
			/* the short sha people read everywhere else, not 40 hex digits */
			xml(f, sha);
			fprintf(f, "</text>\n");
		}
		fprintf(
		    f, "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
		for (j = 0; j < s->n; j++)
			fprintf(f, "%.1f,%.1f ", left + svg_x(s, j, pw), SVG_Y(s->levels[j]));
		fprintf(f, "\"/>\n");
		for (j = 0; j < s->n; j++)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"#1f77b4\"/>\n",
				left + svg_x(s, j, pw), SVG_Y(s->levels[j]));
		fprintf(f, "</g>\n");
#undef SVG_Y
	}
	fprintf(f, "</svg>\n");
	free(axis);
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
