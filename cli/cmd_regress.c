/* perfdb regress: the verdict, for people (text), PRs (markdown), CI panels
 * (junit) and programs (json, csv). Exit 1 when an open regression is found. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "history.h"

enum { OPT_FORMAT = CLI_HISTORY_OPT_FIRST_FREE, OPT_DRY_RUN, OPT_OUTPUT };

static const cli_option options[] = {
    CLI_SCOPE_OPTIONS,
    {"window", CLI_OPT_WINDOW, "N", "baseline: the N commits before the range (default 20)"},
    {"threshold", CLI_OPT_THRESHOLD, "PCT", "minimal relative change, percent (default 5)"},
    {"confidence", CLI_OPT_CONFIDENCE, "C",
     "the findings' gate: printed p below 1 - C (default 0.99)"},
    {"method", CLI_OPT_METHOD, "M", "auto, percent, ttest, mannwhitney, zscore or changepoint"},
    {"format", OPT_FORMAT, "FORMAT",
     "text, json, markdown, junit or csv (default: text); may be repeated"},
    {"output", OPT_OUTPUT, "FILE", "write the --format before it to FILE (default: stdout)"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION,
    {"dry-run", OPT_DRY_RUN, NULL, "do not store the findings as alerts"},
    CLI_NO_GIT_OPTION,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "regress",
    "[options]",
    "Flag the series that got worse, with the commit that did it.",
    "A step is flagged when it is statistically significant (p < 1 - confidence), larger\n"
    "than the threshold, in the bad direction for the metric, and still there at the end\n"
    "of the range. Improvements are reported too. Findings are stored as alerts (not\n"
    "with --dry-run, which opens the database read-only); an acknowledged or ignored\n"
    "alert (perfdb ack) no longer fails the check. A --machine or --benchmark that\n"
    "matches nothing ever recorded is a usage error, never \"0 series checked\".\n"
    "A --since that is the newest commit itself (a push to main checked with --since\n"
    "origin/main) checks that commit against the window before it: an empty range is\n"
    "never a pass. Several outputs in one call: --format markdown --output summary.md\n"
    "--format junit --output junit.xml (each --output takes the --format before it; at\n"
    "most one format goes to stdout); the exit code is the verdict's either way.\n"
    "Exit codes: 0 nothing regressed, 1 regression found, 2 bad usage or input,\n"
    "3 database error.",
    options,
};

typedef enum out_format { OUT_TEXT, OUT_JSON, OUT_MARKDOWN, OUT_JUNIT, OUT_CSV } out_format;
static const char *const format_names[] = {"text", "json", "markdown", "junit", "csv"};

/* One output: a format and its file (NULL: stdout). */
typedef struct regress_output {
	out_format format;
	const char *path;
} regress_output;

#define MAX_OUTPUTS 8

typedef struct regress_args {
	cli_history_args h;
	regress_output out[MAX_OUTPUTS];
	size_t nout;
	int dry_run;
} regress_args;

static int on_option(void *ctx, int id, const char *arg)
{
	regress_args *a = ctx;
	size_t i;
	switch (id) {
	case OPT_DRY_RUN: a->dry_run = 1; return 0;
	case OPT_FORMAT:
		for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
			if (strcmp(arg, format_names[i]) == 0)
				break;
		if (i == sizeof(format_names) / sizeof(format_names[0])) {
			cli_usage_error(
			    &info, "--format '%s': expected text, json, markdown, junit or csv",
			    arg);
			return 1;
		}
		if (a->nout == MAX_OUTPUTS) {
			cli_usage_error(&info, "more than %d outputs", MAX_OUTPUTS);
			return 1;
		}
		a->out[a->nout].format = (out_format)i;
		a->out[a->nout++].path = NULL;
		return 0;
	case OPT_OUTPUT:
		if (!*arg) {
			cli_usage_error(&info, "--output '': expected a file name");
			return 1;
		}
		/* --output before any --format: the text */
		if (a->nout == 0)
			a->out[a->nout++].format = OUT_TEXT;
		if (a->out[a->nout - 1].path) {
			cli_usage_error(&info,
					"--output '%s': the --format before it already has "
					"--output '%s'",
					arg, a->out[a->nout - 1].path);
			return 1;
		}
		a->out[a->nout - 1].path = arg;
		return 0;
	}
	return 0;
}

/* ---- renderers ----------------------------------------------------------------------- */

static json_t *finding_json(const perfdb_finding *f)
{
	json_t *tags = cli_tags_json(f->tags), *o = json_object(), *range;
	json_object_set_new(o, "benchmark", json_string(f->benchmark));
	json_object_set_new(o, "metric", json_string(f->metric));
	json_object_set_new(o, "unit", json_string(f->unit));
	json_object_set_new(o, "machine", json_string(f->machine));
	json_object_set_new(o, "tags", tags ? tags : json_object());
	json_object_set_new(o, "commit", json_string(f->commit));
	json_object_set_new(o, "subject", json_string(f->subject ? f->subject : ""));
	json_object_set_new(o, "baseline_value", cli_json_number(f->baseline_value));
	json_object_set_new(o, "value", cli_json_number(f->value));
	json_object_set_new(o, "change_pct", cli_json_number(f->change_pct));
	json_object_set_new(o, "p_value", cli_json_number(f->p_value));
	json_object_set_new(o, "p_raw", cli_json_number(f->p_raw));
	json_object_set_new(o, "p_correction",
			    f->p_correction ? json_string(f->p_correction) : json_null());
	json_object_set_new(o, "p_family", json_integer((json_int_t)f->p_family));
	json_object_set_new(o, "method", json_string(perfdb_method_name(f->method)));
	json_object_set_new(o, "threshold_pct", cli_json_number(f->threshold_pct));
	json_object_set_new(o, "commits_after", json_integer((json_int_t)f->commits_after));
	json_object_set_new(o, "direction", json_string(perfdb_direction_name(f->direction)));
	json_object_set_new(o, "alert_id", f->alert_id ? json_integer(f->alert_id) : json_null());
	json_object_set_new(o, "status", json_string(perfdb_alert_status_name(f->status)));
	range = json_object();
	json_object_set_new(range, "first",
			    json_string(f->range_first ? f->range_first : f->commit));
	json_object_set_new(range, "last", json_string(f->commit));
	json_object_set_new(range, "count", json_integer((json_int_t)f->range_count));
	json_object_set_new(range, "bisect_next",
			    f->bisect_next ? json_string(f->bisect_next) : json_null());
	json_object_set_new(o, "range", range);
	json_object_set_new(o, "suspect", f->suspect ? json_string(f->suspect) : json_null());
	json_object_set_new(o, "time_ratio", cli_json_number(f->time_ratio));
	json_object_set_new(o, "time_ratio_history", cli_json_number(f->time_ratio_history));
	json_object_set_new(o, "suspected", json_boolean(f->suspected));
	return o;
}

/* The events: per kind, the benchmark, commit and the metrics that moved. */
static json_t *events_json(const perfdb_regress_report *r)
{
	json_t *arr = json_array();
	size_t k, i, j;
	for (k = 0; k < 2; k++)
		for (i = 0; i < perfdb_regress_event_count(r, (perfdb_finding_kind)k); i++) {
			const perfdb_regress_event *e =
			    perfdb_regress_event_get(r, (perfdb_finding_kind)k, i);
			json_t *o = json_object(), *metrics = json_array();
			json_t *tags = cli_tags_json(e->tags);
			for (j = 0; j < e->nfindings; j++)
				json_array_append_new(
				    metrics,
				    json_string(
					perfdb_regress_get(r, e->kind, e->findings[j])->metric));
			json_object_set_new(o, "kind",
					    json_string(k ? "improvement" : "regression"));
			json_object_set_new(o, "benchmark", json_string(e->benchmark));
			json_object_set_new(o, "machine", json_string(e->machine));
			json_object_set_new(o, "tags", tags ? tags : json_object());
			json_object_set_new(o, "commit", json_string(e->commit));
			json_object_set_new(o, "subject",
					    json_string(e->subject ? e->subject : ""));
			json_object_set_new(o, "metrics", metrics);
			json_object_set_new(o, "open",
					    json_boolean(perfdb_regress_event_open(r, e)));
			json_array_append_new(arr, o);
		}
	return arr;
}

static json_t *not_compared_json(const perfdb_regress_report *r)
{
	json_t *arr = json_array();
	size_t i;
	for (i = 0; i < perfdb_regress_series_checked(r); i++) {
		const perfdb_series_verdict *v = perfdb_regress_series(r, i);
		json_t *o, *tags;
		if (!v->not_compared)
			continue;
		o = json_object();
		tags = cli_tags_json(v->tags);
		json_object_set_new(o, "benchmark", json_string(v->benchmark));
		json_object_set_new(o, "metric", json_string(v->metric));
		json_object_set_new(o, "unit", json_string(v->unit));
		json_object_set_new(o, "machine", json_string(v->machine));
		json_object_set_new(o, "tags", tags ? tags : json_object());
		json_array_append_new(arr, o);
	}
	return arr;
}

static void print_json(const perfdb_regress_report *r)
{
	const perfdb_regress_scope *sc = perfdb_regress_scope_get(r);
	json_t *root = json_object(), *arr[2], *base = json_object();
	size_t k, i;
	for (k = 0; k < 2; k++) {
		arr[k] = json_array();
		for (i = 0; i < perfdb_regress_count(r, (perfdb_finding_kind)k); i++)
			json_array_append_new(
			    arr[k], finding_json(perfdb_regress_get(r, (perfdb_finding_kind)k, i)));
	}
	json_object_set_new(root, "regressions", arr[0]);
	json_object_set_new(root, "improvements", arr[1]);
	json_object_set_new(root, "series_checked",
			    json_integer((json_int_t)perfdb_regress_series_checked(r)));
	json_object_set_new(root, "failures", json_integer((json_int_t)perfdb_regress_failures(r)));
	json_object_set_new(base, "kind",
			    json_string(perfdb_baseline_kind_name(sc->baseline_kind)));
	json_object_set_new(base, "name",
			    sc->baseline_name ? json_string(sc->baseline_name) : json_null());
	json_object_set_new(base, "commit",
			    sc->baseline_commit ? json_string(sc->baseline_commit) : json_null());
	json_object_set_new(base, "window", json_integer((json_int_t)sc->window));
	json_object_set_new(root, "baseline", base);
	json_object_set_new(root, "since", sc->since ? json_string(sc->since) : json_null());
	json_object_set_new(root, "until", sc->until ? json_string(sc->until) : json_null());
	json_object_set_new(root, "order", json_string(perfdb_commit_order_name(sc->order)));
	json_object_set_new(root, "since_is_end", json_boolean(sc->since_is_end));
	json_object_set_new(root, "events", events_json(r));
	json_object_set_new(root, "event_failures",
			    json_integer((json_int_t)perfdb_regress_event_failures(r)));
	json_object_set_new(root, "not_compared", not_compared_json(r));
	cli_json_print(root);
}

static void csv_num(double v)
{
	char num[64];
	if (isfinite(v)) {
		cli_format_double(num, sizeof(num), v);
		cli_out(",%s", num);
	} else {
		cli_out_str(",");
	}
}

static void print_csv(const perfdb_regress_report *r)
{
	size_t k, i;
	cli_out_str("kind,benchmark,metric,unit,machine,tags,commit,baseline_value,value,"
		    "change_pct,p_value,method,status,alert_id,p_raw,p_correction,p_family\r\n");
	for (k = 0; k < 2; k++)
		for (i = 0; i < perfdb_regress_count(r, (perfdb_finding_kind)k); i++) {
			const perfdb_finding *f = perfdb_regress_get(r, (perfdb_finding_kind)k, i);
			const char *cols[] = {
			    f->benchmark, f->metric, f->unit, f->machine, perfdb_tags_json(f->tags),
			    f->commit};
			size_t c;
			cli_out_str(k ? "improvement" : "regression");
			for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
				cli_out_str(",");
				cli_csv_field(cols[c]);
			}
			csv_num(f->baseline_value);
			csv_num(f->value);
			csv_num(f->change_pct);
			csv_num(f->p_value);
			cli_out_str(",");
			cli_csv_field(perfdb_method_name(f->method));
			cli_out(",%s,", perfdb_alert_status_name(f->status));
			if (f->alert_id)
				cli_out("%lld", (long long)f->alert_id);
			csv_num(f->p_raw);
			cli_out(",%s,%zu", f->p_correction ? f->p_correction : "", f->p_family);
			cli_out_str("\r\n");
		}
}

/* Untrusted text as XML (the one escaper, cli_xml_text). */
static void xml_text(const char *s)
{
	char buf[4096];
	cli_xml_text(buf, sizeof(buf), s);
	cli_out_str(buf);
}

/* What the printed p-value was corrected for, after sep: "Bonferroni over 8
 * places" (the places the change-point search chose the step among); ""
 * when it is the test's own. */
static void p_correction_text(char *buf, size_t cap, const perfdb_finding *f, const char *sep)
{
	*buf = '\0';
	if (f->p_correction && strcmp(f->p_correction, "bonferroni") == 0)
		snprintf(buf, cap, "%sBonferroni over %zu places", sep, f->p_family);
}

static void finding_line(char *buf, size_t cap, const perfdb_finding *f)
{
	char a[48], b[48], sha[CLI_SHA_CAP], shown[CLI_SHA_CAP], p[48], corr[64];
	cli_format_value(a, sizeof(a), f->baseline_value, f->unit);
	cli_format_value(b, sizeof(b), f->value, f->unit);
	cli_text(shown, sizeof(shown), cli_short_sha(sha, sizeof(sha), f->commit));
	cli_format_p(p, sizeof(p), f->p_value);
	p_correction_text(corr, sizeof(corr), f, ", ");
	if (isnan(f->p_value))
		snprintf(buf, cap, "%+.1f%% (%s -> %s) at %s, %s", f->change_pct, a, b, shown,
			 perfdb_method_name(f->method));
	else
		snprintf(buf, cap, "%+.1f%% (%s -> %s) at %s, p=%s (%s%s)", f->change_pct, a, b,
			 shown, p, perfdb_method_name(f->method), corr);
	cli_utf8_trim(buf);
}

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Series i and j belong to one benchmark (machine, tags): one testcase. */
static bool same_benchmark(const perfdb_series_verdict *a, const perfdb_series_verdict *b)
{
	return same_str(a->benchmark, b->benchmark) && same_str(a->machine, b->machine) &&
	       same_str(perfdb_tags_json(a->tags), perfdb_tags_json(b->tags));
}

/* "real_time +23.4% (1.0 us -> 1.2 us), cpu_time ... at abc, p=..." for an
 * event: its findings' lines joined. */
static void event_line(char *buf, size_t cap, const perfdb_regress_report *r,
		       const perfdb_regress_event *e)
{
	size_t j, len = 0;
	buf[0] = '\0';
	for (j = 0; j < e->nfindings && len + 1 < cap; j++) {
		const perfdb_finding *f = perfdb_regress_get(r, e->kind, e->findings[j]);
		char line[512], m[256];
		finding_line(line, sizeof(line), f);
		snprintf(buf + len, cap - len, "%s%s %s", j ? "; " : "",
			 cli_text(m, sizeof(m), f->metric), line);
		len = strlen(buf);
	}
	cli_utf8_trim(buf);
}

/* One testcase per benchmark (machine, tags) checked, one <failure> per open
 * regression event (the metrics of the benchmark that moved at one commit),
 * <skipped> when none of its series could be compared: failures count
 * events, and a series without a baseline is never a pass. */
static void print_junit(const perfdb_regress_report *r)
{
	size_t i, j, k, n = perfdb_regress_series_checked(r), tests = 0, skipped = 0;
	size_t failures = perfdb_regress_event_failures(r);
	unsigned char *taken = calloc(n ? n : 1, 1), *skip = calloc(n ? n : 1, 1);
	if (!taken || !skip) {
		free(taken);
		free(skip);
		return;
	}
	/* the testcases: the first series of each benchmark, and whether all
	 * of its series went uncompared */
	for (i = 0; i < n; i++) {
		const perfdb_series_verdict *v = perfdb_regress_series(r, i);
		bool all_nc = true;
		if (taken[i])
			continue;
		tests++;
		for (j = i; j < n; j++) {
			const perfdb_series_verdict *w = perfdb_regress_series(r, j);
			if (j != i && (taken[j] || !same_benchmark(v, w)))
				continue;
			taken[j] = (unsigned char)(j == i ? 2 : 1);
			all_nc = all_nc && w->not_compared && !w->regressions;
		}
		skip[i] = all_nc;
		skipped += all_nc;
	}
	cli_out("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	cli_out("<testsuites name=\"perfdb\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
		tests, failures, skipped);
	cli_out("  <testsuite name=\"perfdb regress\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"%zu\">\n",
		tests, failures, skipped);
	for (i = 0; i < n; i++) {
		const perfdb_series_verdict *v = perfdb_regress_series(r, i);
		char name[1024];
		bool open_tag = false;
		if (taken[i] != 2)
			continue;
		cli_series_name(name, sizeof(name), v->benchmark, NULL, v->tags);
		cli_out("    <testcase classname=\"perfdb.");
		xml_text(v->machine);
		cli_out("\" name=\"");
		xml_text(name);
		cli_out("\"");
		if (skip[i]) {
			cli_out(">\n      <skipped message=\"not compared: no data at the baseline "
				"(renamed or new?)\"/>\n    </testcase>\n");
			continue;
		}
		for (k = 0; k < perfdb_regress_event_count(r, PERFDB_FINDING_REGRESSION); k++) {
			const perfdb_regress_event *e =
			    perfdb_regress_event_get(r, PERFDB_FINDING_REGRESSION, k);
			char line[2048];
			if (!same_str(e->benchmark, v->benchmark) ||
			    !same_str(e->machine, v->machine) ||
			    !same_str(perfdb_tags_json(e->tags), perfdb_tags_json(v->tags)) ||
			    !perfdb_regress_event_open(r, e))
				continue;
			if (!open_tag)
				cli_out(">\n");
			open_tag = true;
			event_line(line, sizeof(line), r, e);
			cli_out("      <failure type=\"regression\" message=\"");
			xml_text(line);
			cli_out("\">");
			xml_text(e->commit);
			cli_out(" ");
			xml_text(e->subject);
			cli_out("</failure>\n");
		}
		cli_out(open_tag ? "    </testcase>\n" : "/>\n");
	}
	cli_out("  </testsuite>\n</testsuites>\n");
	free(taken);
	free(skip);
}

/* "baseline 'NAME' (SHA)", "commit SHA" or "the N commits before"; the
 * names as text for a terminal, or as Markdown code spans. */
static void baseline_text(char *buf, size_t cap, const perfdb_regress_scope *sc, bool md)
{
	char sha[CLI_SHA_CAP], a[CLI_SHA_CAP + 16], b[CLI_SHA_CAP + 16];
	const char *commit = cli_short_sha(sha, sizeof(sha), sc->baseline_commit);
	if (md) {
		cli_md_code(a, sizeof(a), sc->baseline_name, false);
		cli_md_code(b, sizeof(b), commit, false);
	} else {
		snprintf(a, sizeof(a), "'%s'", cli_text(b, sizeof(b), sc->baseline_name));
		cli_text(b, sizeof(b), commit);
	}
	if (sc->baseline_kind == PERFDB_BASELINE_NAMED)
		snprintf(buf, cap, "baseline %s (%s)", a, b);
	else if (sc->baseline_kind == PERFDB_BASELINE_COMMIT)
		snprintf(buf, cap, "commit %s", b);
	else
		snprintf(buf, cap, "the %zu commit%s before", sc->window,
			 sc->window == 1 ? "" : "s");
}

/* Untrusted text in Markdown: always a code span (cli_md_code), where no
 * mention, link, image or HTML is made and, in a table cell, '|' cannot end
 * the cell. */
static void md_code(const char *s, bool cell)
{
	char buf[2048];
	cli_md_code(buf, sizeof(buf), s, cell);
	cli_out_str(buf);
}

/* The series checked but not compared, named (at most a few), as text or
 * Markdown code spans. */
static void print_not_compared(const perfdb_regress_report *r, bool md)
{
	size_t i, shown = 0, nc = perfdb_regress_not_compared(r);
	if (!nc)
		return;
	cli_out(md ? "\n**%zu series not compared**: no data at the baseline (renamed or new? "
		     "`renames:` in `perfdb.yaml` joins a renamed series to its history): "
		   : "%zu series not compared: no data at the baseline (renamed or new?): ",
		nc);
	for (i = 0; i < perfdb_regress_series_checked(r) && shown < 10; i++) {
		const perfdb_series_verdict *v = perfdb_regress_series(r, i);
		char name[1024];
		if (!v->not_compared)
			continue;
		cli_series_name(name, sizeof(name), v->benchmark, v->metric, v->tags);
		cli_out_str(shown++ ? ", " : "");
		if (md)
			md_code(name, false);
		else
			cli_out_str(name);
	}
	cli_out("%s\n", nc > shown ? ", ..." : "");
}

/* The series of f in the trend over the checked commits, or NULL. */
static const perfdb_trend_series *shape_of(const perfdb_trend *t, const perfdb_finding *f)
{
	size_t i;
	for (i = 0; i < perfdb_trend_count(t); i++) {
		const perfdb_trend_series *s = perfdb_trend_get(t, i);
		if (strcmp(s->benchmark, f->benchmark) == 0 && strcmp(s->metric, f->metric) == 0 &&
		    strcmp(s->machine, f->machine) == 0 &&
		    strcmp(perfdb_tags_json(s->tags), perfdb_tags_json(f->tags)) == 0)
			return s;
	}
	return NULL;
}

/* A sparkline of f's levels over the checked commits (one bar per commit
 * with data, lowest to highest level), so a PR comment shows the shape. */
static void md_sparkline(const perfdb_trend *t, const perfdb_finding *f)
{
	const perfdb_trend_series *s = shape_of(t, f);
	double lo = INFINITY, hi = -INFINITY;
	size_t i;
	if (!s || !s->n) {
		cli_out(" %s |", CLI_MISSING);
		return;
	}
	for (i = 0; i < s->n; i++) {
		lo = fmin(lo, s->levels[i]);
		hi = fmax(hi, s->levels[i]);
	}
	cli_out(" ");
	for (i = 0; i < s->n; i++)
		cli_out_str(cli_spark_bar(s->levels[i], lo, hi));
	cli_out(" |");
}

/* shape: the series over the checked commits (the reference and the
 * range), for each finding's sparkline; NULL leaves the column out. */
static void print_markdown(const perfdb_regress_report *r, const perfdb_trend *shape)
{
	const perfdb_regress_scope *sc = perfdb_regress_scope_get(r);
	size_t k, i, j, fails = perfdb_regress_event_failures(r);
	char base[2 * CLI_SHA_CAP + 160], sha[CLI_SHA_CAP];
	baseline_text(base, sizeof(base), sc, true);
	cli_out("### perfdb: %s\n\n",
		fails ? (fails == 1 ? "1 regression" : "regressions found") : "no regression");
	if (fails > 1)
		cli_out("**%zu regressions**, ", fails);
	cli_out("%zu series checked against %s", perfdb_regress_series_checked(r), base);
	if (sc->since_is_end) {
		cli_out(", the newest commit ");
		md_code(cli_short_sha(sha, sizeof(sha), sc->until), false);
		cli_out(" (nothing after the `--since` commit: the newest is checked)");
	} else if (sc->since) {
		cli_out(", commits after ");
		md_code(cli_short_sha(sha, sizeof(sha), sc->since), false);
	}
	if (sc->until && !sc->since_is_end) {
		cli_out(" up to ");
		md_code(cli_short_sha(sha, sizeof(sha), sc->until), false);
	}
	cli_out(".\n");
	print_not_compared(r, true);
	for (k = 0; k < 2; k++) {
		size_t n = perfdb_regress_event_count(r, (perfdb_finding_kind)k);
		if (!n)
			continue;
		cli_out("\n#### %s\n\n", k ? "Improvements" : "Regressions");
		cli_out("| benchmark | metric | machine | commit | baseline | value | change | p | "
			"method |%s%s\n",
			k ? "" : " status |", shape ? " shape |" : "");
		cli_out("|---|---|---|---|---:|---:|---:|---:|---|%s%s\n", k ? "" : "---|",
			shape ? "---|" : "");
		/* rows event by event: the metrics of one benchmark that moved at
		 * one commit follow each other */
		for (i = 0; i < n; i++)
			for (j = 0;
			     j < perfdb_regress_event_get(r, (perfdb_finding_kind)k, i)->nfindings;
			     j++) {
				const perfdb_regress_event *e =
				    perfdb_regress_event_get(r, (perfdb_finding_kind)k, i);
				const perfdb_finding *f =
				    perfdb_regress_get(r, e->kind, e->findings[j]);
				char a[48], b[48], t[256], p[112], pv[32], corr[64];
				cli_format_value(a, sizeof(a), f->baseline_value, f->unit);
				cli_format_value(b, sizeof(b), f->value, f->unit);
				cli_tags_text(t, sizeof(t), f->tags);
				cli_format_p(pv, sizeof(pv), f->p_value);
				p_correction_text(corr, sizeof(corr), f, "");
				snprintf(p, sizeof(p), *corr ? "%s (%s)" : "%s", pv, corr);
				cli_out("| ");
				md_code(f->benchmark, true);
				if (*t) {
					cli_out(" ");
					md_code(t, true);
				}
				cli_out(" | ");
				md_code(f->metric, true);
				cli_out(" | ");
				md_code(f->machine, true);
				cli_out(" | ");
				if (f->range_count > 1) {
					/* a range: first..last, and how many */
					char first[CLI_SHA_CAP];
					md_code(cli_short_sha(first, sizeof(first), f->range_first),
						true);
					cli_out("..");
				}
				md_code(cli_short_sha(sha, sizeof(sha), f->commit), true);
				if (f->range_count > 1)
					cli_out(" (%zu commits)", f->range_count);
				cli_out(" | %s | %s | **%+.1f%%** | %s | %s |", a, b, f->change_pct,
					p, perfdb_method_name(f->method));
				if (!k)
					cli_out(" %s |", f->suspect ? "suspect (loaded machine?)"
							 : f->suspected
							     ? "open, suspected (one run)"
							     : perfdb_alert_status_name(f->status));
				if (shape)
					md_sparkline(shape, f);
				cli_out("\n");
			}
	}
}

/* "one of 5 commits a1b2c3d4e5f6..7b82423a1c0e (not benchmarked between);
 * benchmark 4d5e6f7a8b9c next" under a finding whose culprit is a range */
static void range_note(const perfdb_finding *f)
{
	char a[CLI_SHA_CAP], b[CLI_SHA_CAP], c[CLI_SHA_CAP], ta[CLI_SHA_CAP], tb[CLI_SHA_CAP],
	    tc[CLI_SHA_CAP];
	cli_out("\n             one of %zu commits %s..%s (not benchmarked between)",
		f->range_count,
		cli_text(ta, sizeof(ta), cli_short_sha(a, sizeof(a), f->range_first)),
		cli_text(tb, sizeof(tb), cli_short_sha(b, sizeof(b), f->commit)));
	if (f->bisect_next)
		cli_out("; benchmark %s next",
			cli_text(tc, sizeof(tc), cli_short_sha(c, sizeof(c), f->bisect_next)));
}

/* Why a finding is not blamed on its commit, or is not sure yet. */
static void advice_note(const perfdb_finding *f, bool regression)
{
	if (f->suspect && strcmp(f->suspect, "loaded") == 0)
		cli_out("\n             not blamed: real_time is %.2fx cpu_time here, %.2fx in its "
			"history, and cpu_time did not move: a loaded machine? Re-run this commit",
			f->time_ratio, f->time_ratio_history);
	else if (regression && f->suspected)
		cli_out(
		    "\n             suspected: rests on one run of the newest commit; re-run it "
		    "(or the next commit) to confirm");
}

static void print_text(const perfdb_regress_report *r)
{
	const perfdb_regress_scope *sc = perfdb_regress_scope_get(r);
	bool color = cli_color();
	size_t k, i, j, fails = perfdb_regress_event_failures(r), nack = 0, nsuspect = 0;
	size_t nreg = perfdb_regress_event_count(r, PERFDB_FINDING_REGRESSION);
	size_t nimp = perfdb_regress_event_count(r, PERFDB_FINDING_IMPROVEMENT);
	char base[2 * CLI_SHA_CAP + 160], sha[CLI_SHA_CAP], shown[CLI_SHA_CAP];
	baseline_text(base, sizeof(base), sc, false);
	cli_out("%zu series checked against %s", perfdb_regress_series_checked(r), base);
	if (sc->since_is_end)
		cli_out(", the newest commit %s (nothing after the --since commit: the newest is "
			"checked)",
			cli_text(shown, sizeof(shown), cli_short_sha(sha, sizeof(sha), sc->until)));
	else if (sc->since)
		cli_out(", commits after %s",
			cli_text(shown, sizeof(shown), cli_short_sha(sha, sizeof(sha), sc->since)));
	if (sc->until && !sc->since_is_end)
		cli_out(" up to %s",
			cli_text(shown, sizeof(shown), cli_short_sha(sha, sizeof(sha), sc->until)));
	cli_out(" (%s order)\n", perfdb_commit_order_name(sc->order));
	print_not_compared(r, false);
	/* one event a line: a benchmark whose metrics moved at one commit is
	 * one finding, its metrics listed under it */
	for (k = 0; k < 2; k++)
		for (i = 0; i < perfdb_regress_event_count(r, (perfdb_finding_kind)k); i++) {
			const perfdb_regress_event *e =
			    perfdb_regress_event_get(r, (perfdb_finding_kind)k, i);
			const perfdb_finding *f = perfdb_regress_get(r, e->kind, e->findings[0]);
			char name[1024], line[1024], machine[512], subject[80];
			int open = k ? 0 : perfdb_regress_event_open(r, e);
			const char *label =
			    k ? "improvement"
			      : (open ? "REGRESSION"
				      : (f->suspect && f->status == PERFDB_ALERT_OPEN
					     ? "SUSPECT"
					     : perfdb_alert_status_name(f->status)));
			const char *on =
			    !color ? "" : (k ? "\033[32m" : (open ? "\033[1;31m" : "\033[33m"));
			cli_text(machine, sizeof(machine), f->machine);
			if (e->nfindings == 1) {
				cli_series_name(name, sizeof(name), f->benchmark, f->metric,
						f->tags);
				finding_line(line, sizeof(line), f);
				cli_out("%s%-12s%s %s on %s: %s", on, label, color ? "\033[0m" : "",
					name, machine, line);
				if (f->alert_id)
					cli_out(" [alert %lld]", (long long)f->alert_id);
			} else {
				cli_series_name(name, sizeof(name), f->benchmark, NULL, f->tags);
				cli_out("%s%-12s%s %s on %s: %zu metrics at %s", on, label,
					color ? "\033[0m" : "", name, machine, e->nfindings,
					cli_text(shown, sizeof(shown),
						 cli_short_sha(sha, sizeof(sha), e->commit)));
				for (j = 0; j < e->nfindings; j++) {
					const perfdb_finding *g =
					    perfdb_regress_get(r, e->kind, e->findings[j]);
					char m[256];
					finding_line(line, sizeof(line), g);
					cli_out("\n             %s: %s",
						cli_text(m, sizeof(m), g->metric), line);
					if (g->alert_id)
						cli_out(" [alert %lld]", (long long)g->alert_id);
				}
			}
			if (f->range_count > 1)
				range_note(f);
			for (j = 0; j < e->nfindings; j++)
				advice_note(perfdb_regress_get(r, e->kind, e->findings[j]), k == 0);
			if (e->subject && *e->subject)
				cli_out("\n             %s", cli_text(subject, 73, e->subject));
			cli_out("\n");
		}
	for (i = 0; i < nreg; i++) {
		const perfdb_regress_event *e =
		    perfdb_regress_event_get(r, PERFDB_FINDING_REGRESSION, i);
		if (perfdb_regress_event_open(r, e))
			continue;
		for (j = 0; j < e->nfindings; j++)
			if (perfdb_regress_get(r, e->kind, e->findings[j])->status ==
			    PERFDB_ALERT_OPEN)
				break;
		if (j < e->nfindings)
			nsuspect++; /* open, but a loaded machine's */
		else
			nack++;
	}
	cli_out("%zu regression%s", fails, fails == 1 ? "" : "s");
	if (nack)
		cli_out(" (+%zu acknowledged or ignored)", nack);
	if (nsuspect)
		cli_out(" (+%zu suspect, not blamed)", nsuspect);
	cli_out(", %zu improvement%s\n", nimp, nimp == 1 ? "" : "s");
}

static void print_report(const perfdb_regress_report *rep, out_format format,
			 const perfdb_trend *shape)
{
	switch (format) {
	case OUT_JSON: print_json(rep); break;
	case OUT_MARKDOWN: print_markdown(rep, shape); break;
	case OUT_JUNIT: print_junit(rep); break;
	case OUT_CSV: print_csv(rep); break;
	default: print_text(rep); break;
	}
}

/* One output, to stdout or its file (replaced). -1 after saying why the
 * file could not be written. */
static int write_output(const perfdb_regress_report *rep, const regress_output *out,
			const perfdb_trend *shape)
{
	FILE *f, *old;
	int bad;
	if (!out->path) {
		print_report(rep, out->format, shape);
		return 0;
	}
	if (!(f = fopen(out->path, "w"))) {
		cli_err("cannot write '%s': %s", out->path, strerror(errno));
		return -1;
	}
	old = cli_out_sink(f);
	print_report(rep, out->format, shape);
	cli_out_sink(old);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		cli_err("cannot write '%s': %s", out->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The levels behind Markdown's sparklines: the series over the commits
 * checked, as trend reads them (the same levels as regress): with a range,
 * the commits after since and since; with one commit, it and its window. */
static int markdown_shape(perfdb_trend **out, perfdb_store *store, const perfdb_regress_report *rep,
			  const perfdb_regress_options *opts)
{
	const perfdb_regress_scope *sc = perfdb_regress_scope_get(rep);
	perfdb_regress_options o = *opts;
	o.commit = NULL;
	o.baseline = NULL;
	o.until = sc->until;
	o.since = sc->since && !sc->since_is_end ? sc->since : NULL;
	if (!sc->until)
		return 0;
	return perfdb_trend_run(out, store, sc->window + 1 > 2 ? sc->window + 1 : 2, &o);
}

int cmd_regress(cli_session *session, int argc, char **argv)
{
	regress_args a;
	perfdb_store *store;
	perfdb_regress_report *rep = NULL;
	perfdb_trend *shape = NULL;
	size_t i, nstdout;
	int first, rc, err;

	memset(&a, 0, sizeof(a));
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first < argc)
		return cli_usage_error(&info, "unexpected argument '%s'", argv[first]);
	if ((rc = cli_history_scope_check(&info, &a.h)))
		return rc;
	if (a.nout == 0)
		a.out[a.nout++].format = OUT_TEXT;
	for (i = 0, nstdout = 0; i < a.nout; i++)
		if (!a.out[i].path && ++nstdout > 1)
			return cli_usage_error(&info, "two formats for stdout: give each but one "
						      "an --output FILE");
	if (a.dry_run)
		session->needs &= ~CLI_DB_WRITE; /* --dry-run stores nothing */
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	store = session->store;
	err = perfdb_regress_run(&rep, store, &a.h.o);
	if (err == 0 && !a.dry_run)
		err = perfdb_store_record_findings(store, rep);
	if (err < 0) {
		rc = cli_history_fail("--benchmark");
	} else {
		rc = perfdb_regress_failures(rep) ? CLI_EXIT_REGRESSION : CLI_EXIT_OK;
		for (i = 0; i < a.nout; i++)
			if (a.out[i].format == OUT_MARKDOWN && !shape &&
			    markdown_shape(&shape, store, rep, &a.h.o) < 0)
				cli_err("warning: no sparklines: %s", perfdb_error_last()->message);
		for (i = 0; i < a.nout; i++)
			if (write_output(rep, &a.out[i], shape) < 0)
				rc = CLI_EXIT_DB;
	}
	perfdb_trend_free(shape);
	perfdb_regress_report_free(rep);
	return rc;
}
