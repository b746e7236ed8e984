/*
 * chart.c - the one chart code: trend's panels and the report's charts.
 *
 * Everything is drawn here, as SVG: the report embeds a panel per series
 * and its script only reads the data attributes to show a point's commit
 * on hover or focus. A chart stays cheap for a browser with a thousand of
 * them on a page: one polygon for the band, one polyline for the level,
 * one path for all the points (round caps of zero-length segments), a
 * handful of axis elements; no element per point.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "history.h"

/* The plot: PLOT_W wide, PLOT_H high; a heading above it in trend's
 * panels, the commit labels below. */
enum { PLOT_W = 660, PLOT_H = 130, HEAD = 24, TOP = 8, BELOW = 26, RIGHT = 50, MAX_TICKS = 8 };

const char cli_chart_css[] =
    "svg.perfdb-chart{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--frame:#f6f8fa;--grid:#d0d7de;"
    "--level:#0969da;--band:rgba(9,105,218,.18);--bad:#cf222e;--good:#1a7f37;"
    "--base:rgba(130,80,223,.13)}\n"
    "@media (prefers-color-scheme:dark){svg.perfdb-chart{--fg:#e6edf3;--muted:#8d96a0;"
    "--bg:#0d1117;--frame:#161b22;--grid:#30363d;--level:#4493f8;--band:rgba(68,147,248,.24);"
    "--bad:#f85149;--good:#3fb950;--base:rgba(163,113,247,.16)}}\n"
    ".perfdb-chart text{fill:var(--muted);font:11px system-ui,sans-serif}"
    ".perfdb-chart .heading{fill:var(--fg);font-weight:600}.perfdb-chart .bg{fill:var(--bg)}\n"
    ".perfdb-chart .frame{fill:var(--frame);stroke:var(--grid)}.perfdb-chart "
    ".grid{stroke:var(--grid)}.perfdb-chart .baseline{fill:var(--base)}"
    ".perfdb-chart .band{fill:var(--band)}\n"
    ".perfdb-chart .level{fill:none;stroke:var(--level);stroke-width:1.6;stroke-linejoin:round}"
    ".perfdb-chart .pts{fill:none;stroke:var(--level);stroke-width:5;stroke-linecap:round}\n"
    ".perfdb-chart .regression,.perfdb-chart .improvement{stroke-dasharray:4 3;stroke-width:1.5}"
    ".perfdb-chart .regression{stroke:var(--bad)}.perfdb-chart .improvement{stroke:var(--good)}\n"
    ".perfdb-chart .regression+.step-label{fill:var(--bad);font-weight:600}"
    ".perfdb-chart .improvement+.step-label{fill:var(--good);font-weight:600}\n";

/* Untrusted text as XML text or attribute value (the one escaper). */
static void xml(FILE *f, const char *s)
{
	char buf[4096];
	cli_xml_text(buf, sizeof(buf), s);
	fputs(buf, f);
}

/* A coordinate, rounded to the pixel: half a pixel is less than a line is
 * wide, and a thousand charts of a hundred points stay a few MB. */
static long px(double v)
{
	return lround(v);
}

static void coord(FILE *f, double v)
{
	fprintf(f, "%ld", px(v));
}

/* About how wide text is at 11 px (sans-serif digits and letters average
 * ~6.2 px): enough to keep a y label inside the chart. */
static int text_width(const char *s)
{
	return (int)(cli_width(s) * 6.6 + 0.5);
}

/* A panel's scale: its levels and their spread band with 5% of room above
 * and below, never empty. */
static void y_range(const perfdb_trend_series *s, double *lo, double *hi)
{
	double pad;
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
	pad = (*hi - *lo) * 0.05;
	*lo -= pad;
	*hi += pad;
}

/* The gridlines: the multiples inside [lo, hi] of a step of 1, 2 or 5
 * times a power of ten, the largest step that gives at least three, so the
 * labels are round numbers in human units. Returns how many (<= MAX_TICKS). */
static size_t y_ticks(double t[MAX_TICKS], double lo, double hi)
{
	static const double mult[] = {5, 2, 1};
	double p = pow(10, floor(log10(hi - lo)));
	int tries;
	for (tries = 0; tries < 8; tries++, p /= 10) {
		size_t m;
		for (m = 0; m < 3; m++) {
			double step = mult[m] * p, k0 = ceil(lo / step), k1 = floor(hi / step);
			size_t n = 0;
			if (k1 - k0 + 1 < 3)
				continue;
			for (; k0 <= k1 && n < MAX_TICKS; k0++) {
				double v = k0 * step;
				t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
			}
			return n;
		}
	}
	t[0] = lo;
	t[1] = hi;
	return 2;
}

int cli_chart_init(cli_chart *c, const perfdb_trend *t)
{
	size_t i, j, n = perfdb_trend_count(t);
	int maxsha = 0;

	memset(c, 0, sizeof(*c));
	c->left = 50;
	c->every = 1;
	for (i = 0; i < n; i++) {
		const perfdb_trend_series *s = perfdb_trend_get(t, i);
		double lo, hi, tk[MAX_TICKS];
		size_t k, nt;
		c->naxis = s->axis > c->naxis ? s->axis : c->naxis;
		y_range(s, &lo, &hi);
		nt = y_ticks(tk, lo, hi);
		for (k = 0; k < nt; k++) {
			char lab[64];
			cli_format_value(lab, sizeof(lab), tk[k], s->unit);
			if (text_width(lab) + 12 > c->left)
				c->left = text_width(lab) + 12;
		}
	}
	if (c->naxis && !(c->axis = calloc(c->naxis, sizeof(*c->axis))))
		return -1;
	for (i = 0; i < n; i++) {
		const perfdb_trend_series *s = perfdb_trend_get(t, i);
		for (j = 0; j < s->n; j++)
			if (s->positions[j] < c->naxis)
				c->axis[s->positions[j]] = s->commits[j];
	}
	for (i = 0; i < c->naxis; i++) {
		char sha[CLI_SHA_CAP];
		int tw = c->axis[i] ? text_width(cli_short_sha(sha, sizeof(sha), c->axis[i])) : 0;
		maxsha = tw > maxsha ? tw : maxsha;
	}
	/* every k-th commit labelled, so that the labels never overlap */
	if (c->naxis > 1)
		while ((double)PLOT_W / (double)(c->naxis - 1) * (double)c->every < maxsha + 8)
			c->every++;
	return 0;
}

void cli_chart_release(cli_chart *c)
{
	free(c->axis);
	memset(c, 0, sizeof(*c));
}

int cli_chart_width(const cli_chart *c)
{
	return c->left + PLOT_W + RIGHT; /* room for the newest sha, centred on the right edge */
}

int cli_chart_height(unsigned flags)
{
	return (flags & CLI_CHART_HEADING ? HEAD : TOP) + PLOT_H + BELOW;
}

int cli_chart_is_regression(const perfdb_trend_series *s, double change)
{
	return s->direction == PERFDB_HIGHER_IS_BETTER ? change < 0 : change > 0;
}

/* x of commit p of the axis */
static double x_of(const cli_chart *c, double p)
{
	return c->left + (c->naxis > 1 ? p * PLOT_W / (double)(c->naxis - 1) : 0);
}

/* x: the commits by short sha, every k-th, the newest always; id names
 * the group when it is shared (the report's charts) */
static void x_axis(FILE *f, const cli_chart *c, double y0, const char *id)
{
	char sha[CLI_SHA_CAP];
	size_t k;
	fprintf(f, "<g class=\"x-axis\"%s%s%s>", id ? " id=\"" : "", id ? id : "", id ? "\"" : "");
	for (k = 0; k < c->naxis; k++) {
		long x = px(x_of(c, (double)k));
		if (!c->axis[k] || (c->naxis - 1 - k) % c->every)
			continue;
		fprintf(f,
			"<line class=\"grid\" x1=\"%ld\" x2=\"%ld\" y1=\"%ld\" y2=\"%ld\"/><text "
			"class=\"x-label\" x=\"%ld\" y=\"%ld\" text-anchor=\"middle\">",
			x, x, px(y0 + PLOT_H), px(y0 + PLOT_H + 4), x, px(y0 + PLOT_H + 16));
		xml(f, cli_short_sha(sha, sizeof(sha), c->axis[k]));
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
}

void cli_chart_axis_defs(FILE *f, const cli_chart *c)
{
	fputs("<svg class=\"perfdb-chart perfdb-defs\" xmlns=\"http://www.w3.org/2000/svg\" "
	      "width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>",
	      f);
	x_axis(f, c, TOP, "perfdb-x-axis");
	fputs("</defs></svg>\n", f);
}

/* "BM_Sort real_time [k=v]": the name as every panel and card shows it. */
static void series_name(char *buf, size_t cap, const perfdb_trend_series *s)
{
	char tags[1024];
	cli_tags_text(tags, sizeof(tags), s->tags);
	snprintf(buf, cap, "%s %s%s%s%s", s->benchmark, s->metric, *tags ? " [" : "", tags,
		 *tags ? "]" : "");
}

/* The text alternative: what the chart shows, in one sentence. */
static void alt_text(FILE *f, const perfdb_trend_series *s)
{
	char name[2048], a[64], b[64], sha[CLI_SHA_CAP];
	size_t k;
	series_name(name, sizeof(name), s);
	cli_format_value(a, sizeof(a), s->levels[0], s->unit);
	cli_format_value(b, sizeof(b), s->levels[s->n - 1], s->unit);
	fputs("<title>", f);
	xml(f, name);
	fputs(" on ", f);
	xml(f, s->machine);
	fprintf(f, ": %zu commit%s, from %s to %s", s->n, s->n == 1 ? "" : "s", a, b);
	for (k = 0; k < s->nsteps; k++) {
		fprintf(f, "%s%+.1f%% at ", k ? ", " : "; steps: ", 100 * s->steps[k].change);
		xml(f, cli_short_sha(sha, sizeof(sha), s->commits[s->steps[k].index]));
	}
	fputs(s->nsteps ? "</title>\n" : "; no step</title>\n", f);
}

/* The hover data on the level line: data-x the points' commits on the axis
 * (the first alone when they follow one another), data-n their counts (one
 * when all are equal), data-v their values as cli_format_value writes them,
 * the number alone, and data-u the rest (" µs"), a JSON array of the
 * distinct rests, data-s each point's index in it when there are several. */
static void hover_data(FILE *f, const perfdb_trend_series *s)
{
	enum { MAX_UNITS = 16 };
	char units[MAX_UNITS][256], rest[256], v[320];
	unsigned char *which = calloc(s->n ? s->n : 1, 1);
	size_t k, nu = 0, contiguous = 1, same_n = 1;
	json_t *arr = json_array();
	char *text;

	for (k = 1; k < s->n; k++) {
		contiguous &= s->positions[k] == s->positions[0] + k;
		same_n &= s->nobs[k] == s->nobs[0];
	}
	fputs(" data-x=\"", f);
	for (k = 0; k < (contiguous ? 1 : s->n); k++)
		fprintf(f, "%s%zu", k ? " " : "", s->positions[k]);
	fputs("\" data-n=\"", f);
	for (k = 0; k < (same_n ? 1 : s->n); k++)
		fprintf(f, "%s%zu", k ? " " : "", s->nobs[k]);
	fputs("\" data-v=\"", f);
	for (k = 0; k < s->n; k++) {
		char *sp;
		size_t u;
		cli_format_value(v, sizeof(v), s->levels[k], s->unit);
		sp = strchr(v, ' ');
		/* shown as every name is: control characters as escapes */
		cli_text(rest, sizeof(rest), sp ? sp : "");
		for (u = 0; u < nu && strcmp(units[u], rest) != 0; u++)
			;
		if (u == nu && nu < MAX_UNITS)
			memcpy(units[nu++], rest, sizeof(rest));
		if (which)
			which[k] = (unsigned char)(u < nu ? u : 0);
		if (sp)
			*sp = 0;
		fprintf(f, "%s%s", k ? " " : "", v);
	}
	fputs("\" data-u=\"", f);
	for (k = 0; arr && k < nu; k++) {
		json_t *u = json_string(units[k]);
		json_array_append_new(arr, u ? u : json_string("?"));
	}
	text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	xml(f, text ? text : "[\"\"]");
	free(text);
	json_decref(arr);
	fputc('"', f);
	if (nu > 1 && which) {
		fputs(" data-s=\"", f);
		for (k = 0; k < s->n; k++)
			fprintf(f, "%s%u", k ? " " : "", which[k]);
		fputc('"', f);
	}
	free(which);
}

void cli_chart_panel(FILE *f, const cli_chart *c, const perfdb_trend_series *s, double top,
		     unsigned flags)
{
	double lo, hi, tk[MAX_TICKS], y0 = top + (flags & CLI_CHART_HEADING ? HEAD : TOP);
	char sha[CLI_SHA_CAP], lab[64];
	size_t j, k, nt;
	long lx = 0, ly = 0;
#define Y(v) (y0 + PLOT_H - ((v)-lo) / (hi - lo) * PLOT_H)

	y_range(s, &lo, &hi);
	nt = y_ticks(tk, lo, hi);
	if (flags & CLI_CHART_SVG) {
		fprintf(f,
			"<svg class=\"perfdb-chart\" xmlns=\"http://www.w3.org/2000/svg\" "
			"viewBox=\"0 0 %d %d\" role=\"img\">",
			cli_chart_width(c), cli_chart_height(flags));
		alt_text(f, s);
		fputs("<g class=\"series\">\n", f);
	} else {
		fputs("<g class=\"series\">", f);
		alt_text(f, s);
	}
	if (flags & CLI_CHART_HEADING) {
		char tags[1024];
		cli_tags_text(tags, sizeof(tags), s->tags);
		fprintf(f, "<text class=\"heading\" x=\"%d\" y=\"", c->left);
		coord(f, y0 - 8);
		fputs("\">", f);
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
		fputs("</text>\n", f);
	}
	fprintf(f, "<rect class=\"frame\" x=\"%d\" y=\"", c->left);
	coord(f, y0);
	fprintf(f, "\" width=\"%d\" height=\"%d\"/>\n", PLOT_W, PLOT_H);
	/* the reference: the oldest commit, against which the steps are judged */
	if (c->naxis > 1) {
		fprintf(f, "<rect class=\"baseline\" x=\"%d\" y=\"", c->left);
		coord(f, y0);
		fputs("\" width=\"", f);
		fprintf(f, "%ld", px(x_of(c, 1)) - px(x_of(c, 0)));
		fprintf(f, "\" height=\"%d\"/>\n", PLOT_H);
	}
	/* y: gridlines at round values, labelled in human units (axes in
	 * their own groups: a panel's own lines and +/-% labels are its steps) */
	fputs("<g class=\"y-axis\">", f);
	for (k = 0; k < nt; k++) {
		double y = Y(tk[k]);
		fprintf(f, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"", c->left - 3,
			c->left + PLOT_W);
		coord(f, y);
		fputs("\" y2=\"", f);
		coord(f, y);
		fprintf(f, "\"/><text class=\"y-label\" x=\"%d\" y=\"", c->left - 5);
		coord(f, y + 4);
		fputs("\" text-anchor=\"end\">", f);
		cli_format_value(lab, sizeof(lab), tk[k], s->unit);
		xml(f, lab);
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
	if (flags & CLI_CHART_AXIS_REF)
		fputs("<use href=\"#perfdb-x-axis\"/>\n", f);
	else
		x_axis(f, c, y0, NULL);
	/* the spread band: along hi, back along lo */
	if (s->n > 1) {
		fputs("<polygon class=\"band\" points=\"", f);
		for (j = 0; j < 2 * s->n; j++) {
			size_t p = j < s->n ? j : 2 * s->n - 1 - j;
			if (j)
				fputc(' ', f);
			coord(f, x_of(c, (double)s->positions[p]));
			fputc(',', f);
			coord(f, Y(j < s->n ? s->hi[p] : s->lo[p]));
		}
		fputs("\"/>\n", f);
	}
	/* a step is a line (class: its kind) and a text, children of the
	 * panel, both naming the commit by its short sha */
	for (j = 0; j < s->nsteps; j++) {
		double x = x_of(c, (double)s->positions[s->steps[j].index]);
		int right = x > c->left + PLOT_W / 2;
		cli_short_sha(sha, sizeof(sha), s->commits[s->steps[j].index]);
		fprintf(f, "<line class=\"%s\" data-commit=\"",
			cli_chart_is_regression(s, s->steps[j].change) ? "regression"
								       : "improvement");
		xml(f, sha);
		fprintf(f, "\" data-change=\"%.1f\" x1=\"", 100 * s->steps[j].change);
		coord(f, x);
		fputs("\" x2=\"", f);
		coord(f, x);
		fputs("\" y1=\"", f);
		coord(f, y0);
		fputs("\" y2=\"", f);
		coord(f, y0 + PLOT_H);
		/* the label inside the plot, on the side with room */
		fputs("\"/><text class=\"step-label\" x=\"", f);
		coord(f, right ? x - 3 : x + 3);
		fputs("\" y=\"", f);
		coord(f, y0 + 12 + 12 * (double)(j % 2));
		fprintf(f, "\"%s>%+.1f%% ", right ? " text-anchor=\"end\"" : "",
			100 * s->steps[j].change);
		xml(f, sha);
		fputs("</text>\n", f);
	}
	/* the level, carrying the points' data; the points, one path */
	fputs("<polyline class=\"level\"", f);
	hover_data(f, s);
	fputs(" points=\"", f);
	for (j = 0; j < s->n; j++) {
		if (j)
			fputc(' ', f);
		coord(f, x_of(c, (double)s->positions[j]));
		fputc(',', f);
		coord(f, Y(s->levels[j]));
	}
	/* each point a zero-length segment that its round cap draws as a dot,
	 * relative to the one before: "M72 97h0m7-3h0" */
	fputs("\"/>\n<path class=\"pts\" d=\"", f);
	for (j = 0; j < s->n; j++) {
		long x = px(x_of(c, (double)s->positions[j])), y = px(Y(s->levels[j]));
		if (j)
			fprintf(f, "m%ld%s%ldh0", x - lx, y - ly < 0 ? "" : " ", y - ly);
		else
			fprintf(f, "M%ld %ldh0", x, y);
		lx = x;
		ly = y;
	}
	fputs(flags & CLI_CHART_SVG ? "\"/>\n</g></svg>" : "\"/>\n</g>\n", f);
#undef Y
}
