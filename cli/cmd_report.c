/* perfdb report: one self-contained HTML file (inline CSS, script, data
 * and charts, no network) with the findings and a chart per series, for
 * people to look at, from disk or as a CI artifact.
 *
 * The data is perfdb_trend_run's: the same levels, commit axis and steps as
 * `perfdb trend` (which are `perfdb regress --since C --window 1`'s, C the
 * oldest commit shown), plus each point's spread and count and each
 * commit's subject, author and date. The charts are drawn here, by the
 * chart code trend --svg uses (chart.c), one <svg> per series inside a
 * <template> that the page inserts when the chart scrolls into view, so
 * thousands of series stay usable. The rest is JSON inside a
 * <script type="application/json"> block with '<', '>' and '&' escaped, so
 * nothing a result file names can end the block or become markup; names in
 * the charts are escaped by cli_xml_text. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chart.h"
#include "history.h"
#include "report_assets.h"

enum { OPT_OUT = 'o' };

static const cli_option options[] = {
    CLI_LAST_OPTION,
    {"since", CLI_OPT_SINCE, "REV", "the commits after REV instead, REV the reference"},
    CLI_BENCHMARK_OPTION,
    CLI_MACHINE_OPTION,
    {"threshold", CLI_OPT_THRESHOLD, "PCT", "smallest step marked, percent (default 5)"},
    {"confidence", CLI_OPT_CONFIDENCE, "C", "confidence of the tests (default 0.99)"},
    {"out", OPT_OUT, "FILE", "the HTML file to write (default perfdb-report.html; - for stdout)"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION,
    CLI_NO_GIT_OPTION,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "report",
    "[--last N | --since REV] [--benchmark GLOB] [--machine M] [--out FILE.html]",
    "Write one self-contained HTML report: the findings and a chart per series.",
    "The file has its style, script and data inline and loads nothing from the network,\n"
    "so it opens from disk or as a CI artifact. The overview lists the regressions and\n"
    "improvements (regressions first), each linked to its chart, and the machines with\n"
    "their fingerprints. Each chart shows the per-commit level (the median, as regress\n"
    "takes it), a band for the spread of the samples (25th to 75th percentile), the steps\n"
    "at their commits with their change, the reference commit shaded, and a commit axis,\n"
    "drawn by the code that draws 'perfdb trend --svg'. Hovering a point, or focusing a\n"
    "chart (Tab) and moving with the arrow keys, shows the commit, subject, author, date,\n"
    "value and n.\n"
    "The steps are trend's: what 'perfdb regress --since C --window 1' finds, C the\n"
    "oldest commit shown. With --since REV the commits are those after REV, REV the\n"
    "reference, and the steps are what 'perfdb regress --since REV --window 1' finds.\n"
    "A GLOB or --machine that matches nothing is a usage error.",
    options,
};

typedef struct report_args {
	cli_history_args h;
	const char *out;
} report_args;

static int on_option(void *ctx, int id, const char *arg)
{
	report_args *a = ctx;
	if (id == OPT_OUT)
		a->out = arg;
	return 0;
}

/* A double for the page: 6 significant digits are more than a chart or a
 * tooltip shows, and keep 1,000 series x 100 commits small. */
static json_t *num(double v)
{
	char buf[32];
	if (!isfinite(v))
		return json_null();
	snprintf(buf, sizeof(buf), "%.6g", v);
	return json_real(strtod(buf, NULL));
}

static json_t *str(const char *s)
{
	json_t *j = json_string(s ? s : "");
	/* not UTF-8 (names are checked on the way in; this is belt and braces) */
	return j ? j : json_string("\xef\xbf\xbd");
}

/* A value as people read it ("133.2 µs"): the page formats no number. */
static json_t *value_text(double v, const char *unit)
{
	char buf[96];
	cli_format_value(buf, sizeof(buf), v, unit);
	return str(buf);
}

typedef struct machine_rows {
	json_t *list;
	size_t runs;
} machine_rows;

static int machine_row(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	machine_rows *m = ctx;
	json_t *o;
	(void)names;
	if (!row) /* the column names come first */
		return 0;
	if (ncols < 3 || !(o = json_object()))
		return -1;
	json_object_set_new(o, "name", str(row[0].text));
	json_object_set_new(o, "runs", json_integer(row[1].i));
	json_object_set_new(o, "fingerprint", str(row[2].text));
	m->runs += (size_t)row[1].i;
	return json_array_append_new(m->list, o);
}

static const perfdb_commit_info *find_commit(const perfdb_commit_list *cl, const char *sha)
{
	size_t i;
	for (i = 0; sha && i < cl->count; i++)
		if (strcmp(cl->items[i].sha, sha) == 0)
			return &cl->items[i];
	return NULL;
}

/* The page's data: the commits of the axis, the series (what the overview,
 * the findings and the filter need; the points are in the charts) and the
 * machines. */
static json_t *report_data(perfdb_store *store, const perfdb_trend *t, const cli_chart *chart,
			   const report_args *a)
{
	json_t *root = json_object(), *commits = json_array(), *series = json_array();
	machine_rows m = {json_array(), 0};
	perfdb_commit_list *cl = NULL;
	size_t i, k;
	char now[32];

	if (!root || !commits || !series || !m.list)
		goto fail;
	if (perfdb_store_commits(&cl, store) != 0 ||
	    perfdb_store_query(store,
			       "SELECT m.name, count(r.id), m.fingerprint FROM machines m "
			       "JOIN runs r ON r.machine_id = m.id GROUP BY m.id ORDER BY m.name",
			       machine_row, &m) != 0)
		goto fail;
	for (i = 0; i < chart->naxis; i++) {
		const perfdb_commit_info *c = find_commit(cl, chart->axis[i]);
		json_t *o = json_object();
		char sh[CLI_SHA_CAP];
		json_object_set_new(o, "sha", str(chart->axis[i]));
		json_object_set_new(
		    o, "short",
		    str(chart->axis[i] ? cli_short_sha(sh, sizeof(sh), chart->axis[i]) : NULL));
		json_object_set_new(o, "subject", str(c ? c->subject : NULL));
		json_object_set_new(o, "author", str(c ? c->author : NULL));
		json_object_set_new(o, "date", str(c ? c->committed_at : NULL));
		json_array_append_new(commits, o);
	}
	for (i = 0; i < perfdb_trend_count(t); i++) {
		const perfdb_trend_series *s = perfdb_trend_get(t, i);
		json_t *o = json_object(), *steps = json_array();
		char tags[1024];
		cli_tags_text(tags, sizeof(tags), s->tags);
		for (k = 0; k < s->nsteps; k++) {
			const perfdb_change_point *c = &s->steps[k];
			json_t *st = json_object();
			json_object_set_new(st, "c",
					    json_integer((json_int_t)s->positions[c->index]));
			json_object_set_new(st, "change", num(100 * c->change));
			json_object_set_new(st, "before", value_text(c->level_before, s->unit));
			json_object_set_new(st, "after", value_text(c->level_after, s->unit));
			json_object_set_new(st, "p", num(c->p_value));
			json_object_set_new(st, "kind",
					    str(cli_chart_is_regression(s, c->change)
						    ? "regression"
						    : "improvement"));
			json_array_append_new(steps, st);
		}
		json_object_set_new(o, "id", json_integer((json_int_t)i));
		json_object_set_new(o, "benchmark", str(s->benchmark));
		json_object_set_new(o, "metric", str(s->metric));
		json_object_set_new(o, "unit", str(s->unit));
		json_object_set_new(o, "machine", str(s->machine));
		json_object_set_new(o, "tags", str(tags));
		json_object_set_new(o, "direction", str(perfdb_direction_name(s->direction)));
		json_object_set_new(o, "latest", value_text(s->latest, s->unit));
		json_object_set_new(o, "change_pct", num(s->change_pct));
		json_object_set_new(o, "steps", steps);
		json_array_append_new(series, o);
	}
	perfdb_time_now_iso(now, sizeof(now));
	json_object_set_new(root, "generated", str(now));
	json_object_set_new(root, "threshold", num(a->h.o.threshold_pct));
	json_object_set_new(root, "confidence", num(a->h.o.confidence));
	json_object_set_new(root, "runs", json_integer((json_int_t)m.runs));
	json_object_set_new(root, "commits", commits);
	json_object_set_new(root, "series", series);
	json_object_set_new(root, "machines", m.list);
	perfdb_commit_list_free(cl);
	return root;
fail:
	perfdb_commit_list_free(cl);
	json_decref(root);
	json_decref(commits);
	json_decref(series);
	json_decref(m.list);
	return NULL;
}

/* Writes JSON text for a <script> block: '<', '>' and '&' (which JSON only
 * has inside strings) as \u escapes, so "</script>" or "<!--" in a name
 * cannot end or change the block. */
static void put_json_for_script(FILE *f, const char *text)
{
	for (; *text; text++) {
		if (*text == '<')
			fputs("\\u003c", f);
		else if (*text == '>')
			fputs("\\u003e", f);
		else if (*text == '&')
			fputs("\\u0026", f);
		else
			fputc(*text, f);
	}
}

static int write_report(const char *path, json_t *data, const perfdb_trend *t,
			const cli_chart *chart)
{
	char *text = json_dumps(data, JSON_COMPACT);
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	size_t i;
	int bad;
	if (!text) {
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	if (!f) {
		cli_err("cannot write '%s': %s", path, strerror(errno));
		free(text);
		return CLI_EXIT_DB;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"color-scheme\" content=\"light dark\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<title>perfdb report</title>\n<style>\n",
	      f);
	fputs(report_css, f);
	fputs(cli_chart_css, f);
	fputs("</style></head>\n<body>\n<header id=\"overview\"></header>\n"
	      "<main id=\"series\"></main>\n"
	      "<noscript>This report places its charts with JavaScript.</noscript>\n",
	      f);
	/* a chart per series, inert until the page inserts it; the commit
	 * axis, the same in every chart, once */
	cli_chart_axis_defs(f, chart);
	for (i = 0; i < perfdb_trend_count(t); i++) {
		fprintf(f, "<template id=\"t%zu\">", i);
		cli_chart_panel(f, chart, perfdb_trend_get(t, i), 0,
				CLI_CHART_SVG | CLI_CHART_AXIS_REF);
		fputs("</template>\n", f);
	}
	fputs("<script type=\"application/json\" id=\"perfdb-data\">", f);
	put_json_for_script(f, text);
	fputs("</script>\n<script>\n", f);
	fputs(report_js, f);
	fputs("</script>\n</body></html>\n", f);
	free(text);
	bad = ferror(f);
	if (f != stdout)
		bad |= fclose(f) != 0;
	else
		bad |= fflush(f) != 0;
	if (bad) {
		cli_err("cannot write '%s': %s", path, strerror(errno));
		if (f != stdout)
			remove(path);
		return CLI_EXIT_DB;
	}
	return CLI_EXIT_OK;
}

int cmd_report(cli_session *session, int argc, char **argv)
{
	report_args a;
	perfdb_store *store;
	perfdb_trend *t = NULL;
	json_t *data = NULL;
	cli_chart chart = {0};
	int first, rc;

	memset(&a, 0, sizeof(a));
	a.out = "perfdb-report.html";
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first < argc)
		return cli_usage_error(&info, "unexpected argument '%s'", argv[first]);
	if (a.h.last && a.h.o.since)
		return cli_usage_error(&info, "--last and --since exclude each other");
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	store = session->store;
	if (perfdb_trend_run(&t, store, a.h.last, &a.h.o) != 0) {
		rc = cli_history_fail("--benchmark");
	} else if (cli_chart_init(&chart, t) != 0) {
		cli_err("out of memory");
		rc = CLI_EXIT_DB;
	} else if (!(data = report_data(store, t, &chart, &a))) {
		rc = cli_fail();
	} else {
		rc = write_report(a.out, data, t, &chart);
		if (rc == CLI_EXIT_OK && strcmp(a.out, "-") != 0)
			cli_err("wrote %zu chart%s to %s", perfdb_trend_count(t),
				perfdb_trend_count(t) == 1 ? "" : "s", a.out);
	}
	json_decref(data);
	cli_chart_release(&chart);
	perfdb_trend_free(t);
	return rc;
}
