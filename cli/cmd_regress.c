/* perfdb regress: the verdict, for people (text), PRs (markdown), CI panels
 * (junit) and programs (json, csv). Exit 1 when an open regression is found. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "history.h"

enum {
	OPT_SINCE = CLI_OPT_FIRST_FREE,
	OPT_UNTIL,
	OPT_COMMIT,
	OPT_BASELINE,
	OPT_WINDOW,
	OPT_THRESHOLD,
	OPT_CONFIDENCE,
	OPT_METHOD,
	OPT_MACHINE,
	OPT_BENCHMARK,
	OPT_FORMAT,
	OPT_CONFIG,
	OPT_DRY_RUN,
	OPT_NO_GIT,
	OPT_OUTPUT
};

static const cli_option options[] = {
    {"since", OPT_SINCE, "REV", "check the commits after REV (default: the newest commit only)"},
    {"until", OPT_UNTIL, "REV", "last commit to check (default: the newest recorded)"},
    {"commit", OPT_COMMIT, "REV", "check only REV against the baseline (the PR gate)"},
    {"baseline", OPT_BASELINE, "NAME|REV", "compare with a named baseline or a revision"},
    {"window", OPT_WINDOW, "N", "baseline: the N commits before the range (default 20)"},
    {"threshold", OPT_THRESHOLD, "PCT", "minimal relative change, percent (default 5)"},
    {"confidence", OPT_CONFIDENCE, "C", "confidence level of the tests (default 0.99)"},
    {"method", OPT_METHOD, "M", "auto, percent, ttest, mannwhitney, zscore or changepoint"},
    CLI_MACHINE_OPTION(OPT_MACHINE),
    CLI_BENCHMARK_OPTION(OPT_BENCHMARK),
    {"format", OPT_FORMAT, "FORMAT",
     "text, json, markdown, junit or csv (default: text); may be repeated"},
    {"output", OPT_OUTPUT, "FILE", "write the --format before it to FILE (default: stdout)"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION(OPT_CONFIG),
    {"dry-run", OPT_DRY_RUN, NULL, "do not store the findings as alerts"},
    CLI_NO_GIT_OPTION(OPT_NO_GIT),
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
	perfdb_regress_options o;
	const char *db, *config;
	regress_output out[MAX_OUTPUTS];
	size_t nout;
	cli_tuning tune;
	int dry_run;
} regress_args;

static int parse_double(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	*out = strtod(s, &end);
	if (*end == '%' && end[1] == '\0')
		end++;
	return *end || !isfinite(*out) ? -1 : 0;
}

int cli_tuning_parse(const cli_command_info *cmd, cli_tuning *t, cli_tune which, const char *arg)
{
	switch (which) {
	case CLI_TUNE_THRESHOLD:
		if (parse_double(arg, &t->threshold) < 0 || t->threshold < 0) {
			cli_usage_error(cmd, "--threshold '%s': expected a percentage >= 0", arg);
			return 1;
		}
		break;
	case CLI_TUNE_CONFIDENCE:
		if (parse_double(arg, &t->confidence) < 0 || !(t->confidence > 0) ||
		    !(t->confidence < 1)) {
			cli_usage_error(cmd, "--confidence '%s': expected a number in (0, 1)", arg);
			return 1;
		}
		break;
	case CLI_TUNE_WINDOW: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || end == arg || v < 1 || v > 1000000) {
			cli_usage_error(cmd, "--window '%s': expected a number of commits >= 1",
					arg);
			return 1;
		}
		t->window = (size_t)v;
		break;
	}
	case CLI_TUNE_METHOD:
		if (perfdb_method_parse(&t->method, arg) < 0) {
			cli_usage_error(
			    cmd,
			    "--method '%s': expected auto, percent, ttest, mannwhitney, "
			    "zscore or changepoint",
			    arg);
			return 1;
		}
		break;
	}
	t->set[which] = true;
	return 0;
}

void cli_tuning_apply(const cli_tuning *t, const perfdb_config *cfg, perfdb_regress_options *o)
{
	perfdb_config_apply_defaults(cfg, o);
	if (t->set[CLI_TUNE_WINDOW])
		o->window = t->window;
	if (t->set[CLI_TUNE_THRESHOLD])
		o->threshold = t->threshold;
	if (t->set[CLI_TUNE_CONFIDENCE])
		o->confidence = t->confidence;
	if (t->set[CLI_TUNE_METHOD])
		o->method = t->method;
}

static int on_option(void *ctx, int id, const char *arg)
{
	regress_args *a = ctx;
	size_t i;
	switch (id) {
	case OPT_SINCE: a->o.since = arg; return 0;
	case OPT_UNTIL: a->o.until = arg; return 0;
	case OPT_COMMIT: a->o.commit = arg; return 0;
	case OPT_BASELINE: a->o.baseline = arg; return 0;
	case OPT_MACHINE: a->o.machine = arg; return 0;
	case OPT_BENCHMARK: a->o.benchmark_glob = arg; return 0;
	case CLI_OPT_DB: a->db = arg; return 0;
	case OPT_CONFIG: a->config = arg; return 0;
	case OPT_DRY_RUN: a->dry_run = 1; return 0;
	case OPT_NO_GIT: a->o.use_git = 0; return 0;
	case OPT_WINDOW: return cli_tuning_parse(&info, &a->tune, CLI_TUNE_WINDOW, arg);
	case OPT_THRESHOLD: return cli_tuning_parse(&info, &a->tune, CLI_TUNE_THRESHOLD, arg);
	case OPT_CONFIDENCE: return cli_tuning_parse(&info, &a->tune, CLI_TUNE_CONFIDENCE, arg);
	case OPT_METHOD: return cli_tuning_parse(&info, &a->tune, CLI_TUNE_METHOD, arg);
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

/* ---- shared helpers (declared in history.h) ------------------------------------- */

int cli_history_open(perfdb_store **store, perfdb_config **cfg, const char *db_flag,
		     const char *config_flag, unsigned flags)
{
	int err;
	*store = NULL;
	*cfg = NULL;
	err = config_flag ? perfdb_config_load(cfg, config_flag) : perfdb_config_find(cfg, NULL);
	if (err < 0) {
		cli_fail();
		return CLI_EXIT_USAGE; /* a bad config is bad input */
	}
	/* A history command reads a history: a path with none (a typo in CI)
	 * is an error, never a new empty database that passes every check. */
	if ((err = cli_open_store_at(store, cli_db_path(db_flag, *cfg),
				     flags | PERFDB_STORE_MUST_EXIST)) != 0) {
		perfdb_config_free(*cfg);
		*cfg = NULL;
		return err;
	}
	return 0;
}

int cli_history_fail(const char *bench_opt)
{
	static const char prefix[] = "no series matches ";
	static const char *const filters[][2] = {{"machine '", "--machine"}, {"benchmark '", NULL}};
	const perfdb_error *e = perfdb_error_last();
	size_t i, n = sizeof(prefix) - 1;
	if (e->code == PERFDB_ENOTFOUND && strncmp(e->message, prefix, n) == 0)
		for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
			size_t k = strlen(filters[i][0]);
			const char *opt = filters[i][1] ? filters[i][1] : bench_opt;
			if (opt && strncmp(e->message + n, filters[i][0], k) == 0) {
				/* "machine 'x' (...)" -> "--machine 'x' (...)" */
				cli_err("%s%s %s", prefix, opt, e->message + n + k - 1);
				return CLI_EXIT_USAGE;
			}
		}
	return cli_fail();
}

void cli_tags_text(char *buf, size_t cap, const char *tags)
{
	json_error_t e;
	json_t *o = tags ? json_loads(tags, 0, &e) : NULL;
	cli_tags_object_text(buf, cap, o);
	json_decref(o);
}

/* ---- renderers ----------------------------------------------------------------------- */

static json_t *finding_json(const perfdb_finding *f)
{
	json_error_t e;
	json_t *tags = json_loads(f->tags ? f->tags : "{}", 0, &e), *o = json_object();
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
	json_object_set_new(o, "method", json_string(f->method));
	json_object_set_new(o, "threshold_pct", cli_json_number(f->threshold));
	json_object_set_new(o, "commits_after", json_integer((json_int_t)f->commits_after));
	json_object_set_new(o, "direction", json_string(perfdb_direction_name(f->direction)));
	json_object_set_new(o, "alert_id", f->alert_id ? json_integer(f->alert_id) : json_null());
	json_object_set_new(o, "status", json_string(f->status));
	return o;
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
	json_object_set_new(base, "kind", json_string(sc->baseline_kind));
	json_object_set_new(base, "name",
			    sc->baseline_name ? json_string(sc->baseline_name) : json_null());
	json_object_set_new(base, "commit",
			    sc->baseline_commit ? json_string(sc->baseline_commit) : json_null());
	json_object_set_new(base, "window", json_integer((json_int_t)sc->window));
	json_object_set_new(root, "baseline", base);
	json_object_set_new(root, "since", sc->since ? json_string(sc->since) : json_null());
	json_object_set_new(root, "until", sc->until ? json_string(sc->until) : json_null());
	json_object_set_new(root, "order", json_string(sc->order ? sc->order : "recorded"));
	json_object_set_new(root, "since_is_end", json_boolean(sc->since_is_end));
	cli_json_print(root);
}

static void csv_field(const char *s)
{
	const char *p;
	if (!strpbrk(s, ",\"\r\n")) {
		cli_out_str(s);
		return;
	}
	cli_out_str("\"");
	for (p = s; *p; p++) {
		if (*p == '"')
			cli_out_str("\"\"");
		else
			cli_out("%c", *p);
	}
	cli_out_str("\"");
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
		    "change_pct,p_value,method,status,alert_id\r\n");
	for (k = 0; k < 2; k++)
		for (i = 0; i < perfdb_regress_count(r, (perfdb_finding_kind)k); i++) {
			const perfdb_finding *f = perfdb_regress_get(r, (perfdb_finding_kind)k, i);
			const char *cols[] = {f->benchmark, f->metric, f->unit,
					      f->machine,   f->tags,   f->commit};
			size_t c;
			cli_out_str(k ? "improvement" : "regression");
			for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
				cli_out_str(",");
				csv_field(cols[c]);
			}
			csv_num(f->baseline_value);
			csv_num(f->value);
			csv_num(f->change_pct);
			csv_num(f->p_value);
			cli_out_str(",");
			csv_field(f->method);
			cli_out(",%s,", f->status);
			if (f->alert_id)
				cli_out("%lld", (long long)f->alert_id);
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

static void series_name(char *buf, size_t cap, const char *bench, const char *metric,
			const char *tags)
{
	char t[256], b[512], m[256];
	cli_tags_text(t, sizeof(t), tags);
	snprintf(buf, cap, "%s %s%s%s%s", cli_text(b, sizeof(b), bench),
		 cli_text(m, sizeof(m), metric), *t ? " [" : "", t, *t ? "]" : "");
	cli_utf8_trim(buf);
}

static void finding_line(char *buf, size_t cap, const perfdb_finding *f)
{
	char a[48], b[48], sha[CLI_SHA_CAP], shown[CLI_SHA_CAP];
	cli_format_value(a, sizeof(a), f->baseline_value, f->unit);
	cli_format_value(b, sizeof(b), f->value, f->unit);
	cli_text(shown, sizeof(shown), cli_short_sha(sha, sizeof(sha), f->commit));
	if (isnan(f->p_value))
		snprintf(buf, cap, "%+.1f%% (%s -> %s) at %s, %s", f->change_pct, a, b, shown,
			 f->method);
	else
		snprintf(buf, cap, "%+.1f%% (%s -> %s) at %s, p=%.2g (%s)", f->change_pct, a, b,
			 shown, f->p_value, f->method);
	cli_utf8_trim(buf);
}

static void print_junit(const perfdb_regress_report *r)
{
	size_t i, k, n = perfdb_regress_series_checked(r), failures = 0;
	for (i = 0; i < n; i++)
		if (perfdb_regress_series(r, i)->regressions)
			failures++;
	cli_out("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	cli_out("<testsuites name=\"perfdb\" tests=\"%zu\" failures=\"%zu\">\n", n, failures);
	cli_out("  <testsuite name=\"perfdb regress\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"0\">\n",
		n, failures);
	for (i = 0; i < n; i++) {
		const perfdb_series_verdict *v = perfdb_regress_series(r, i);
		char name[1024];
		series_name(name, sizeof(name), v->benchmark, v->metric, v->tags);
		cli_out("    <testcase classname=\"perfdb.");
		xml_text(v->machine);
		cli_out("\" name=\"");
		xml_text(name);
		cli_out("\"");
		if (!v->regressions) {
			cli_out("/>\n");
			continue;
		}
		cli_out(">\n");
		for (k = 0; k < perfdb_regress_count(r, PERFDB_FINDING_REGRESSION); k++) {
			const perfdb_finding *f =
			    perfdb_regress_get(r, PERFDB_FINDING_REGRESSION, k);
			char line[512];
			if (f->benchmark != v->benchmark || f->metric != v->metric ||
			    f->machine != v->machine || f->tags != v->tags || f->unit != v->unit ||
			    strcmp(f->status, "open") != 0)
				continue;
			finding_line(line, sizeof(line), f);
			cli_out("      <failure type=\"regression\" message=\"");
			xml_text(line);
			cli_out("\">");
			xml_text(f->commit);
			cli_out(" ");
			xml_text(f->subject);
			cli_out("</failure>\n");
		}
		cli_out("    </testcase>\n");
	}
	cli_out("  </testsuite>\n</testsuites>\n");
}

/* "baseline 'NAME' (SHA)", "commit SHA" or "the N commits before"; the
 * names as text for a terminal, or as Markdown code spans. */
static void baseline_text(char *buf, size_t cap, const perfdb_regress_scope *sc, bool md)
{
	char sha[CLI_SHA_CAP], a[CLI_SHA_CAP + 16], b[CLI_SHA_CAP + 16];
	const char *commit = cli_short_sha(sha, sizeof(sha), sc->baseline_commit);
	if (md) {
		cli_md_code(a, sizeof(a), sc->baseline_name);
		cli_md_code(b, sizeof(b), commit);
	} else {
		snprintf(a, sizeof(a), "'%s'", cli_text(b, sizeof(b), sc->baseline_name));
		cli_text(b, sizeof(b), commit);
	}
	if (strcmp(sc->baseline_kind, "named") == 0)
		snprintf(buf, cap, "baseline %s (%s)", a, b);
	else if (strcmp(sc->baseline_kind, "commit") == 0)
		snprintf(buf, cap, "commit %s", b);
	else
		snprintf(buf, cap, "the %zu commit%s before", sc->window,
			 sc->window == 1 ? "" : "s");
}

/* Untrusted text in Markdown: always a code span (cli_md_code), where no
 * mention, link, image or HTML is made and '|' cannot end the cell. */
static void md_code(const char *s)
{
	char buf[2048];
	cli_md_code(buf, sizeof(buf), s);
	cli_out_str(buf);
}

static void print_markdown(const perfdb_regress_report *r)
{
	const perfdb_regress_scope *sc = perfdb_regress_scope_get(r);
	size_t k, i, fails = perfdb_regress_failures(r);
	char base[2 * CLI_SHA_CAP + 160], sha[CLI_SHA_CAP];
	baseline_text(base, sizeof(base), sc, true);
	cli_out("### perfdb: %s\n\n",
		fails ? (fails == 1 ? "1 regression" : "regressions found") : "no regression");
	if (fails > 1)
		cli_out("**%zu regressions**, ", fails);
	cli_out("%zu series checked against %s", perfdb_regress_series_checked(r), base);
	if (sc->since_is_end) {
		cli_out(", the newest commit ");
		md_code(cli_short_sha(sha, sizeof(sha), sc->until));
		cli_out(" (nothing after the `--since` commit: the newest is checked)");
	} else if (sc->since) {
		cli_out(", commits after ");
		md_code(cli_short_sha(sha, sizeof(sha), sc->since));
	}
	if (sc->until && !sc->since_is_end) {
		cli_out(" up to ");
		md_code(cli_short_sha(sha, sizeof(sha), sc->until));
	}
	cli_out(".\n");
	for (k = 0; k < 2; k++) {
		size_t n = perfdb_regress_count(r, (perfdb_finding_kind)k);
		if (!n)
			continue;
		cli_out("\n#### %s\n\n", k ? "Improvements" : "Regressions");
		cli_out("| benchmark | metric | machine | commit | baseline | value | change | p | "
			"method |%s\n",
			k ? "" : " status |");
		cli_out("|---|---|---|---|---:|---:|---:|---:|---|%s\n", k ? "" : "---|");
		for (i = 0; i < n; i++) {
			const perfdb_finding *f = perfdb_regress_get(r, (perfdb_finding_kind)k, i);
			char a[48], b[48], t[256], p[32];
			cli_format_value(a, sizeof(a), f->baseline_value, f->unit);
			cli_format_value(b, sizeof(b), f->value, f->unit);
			cli_tags_text(t, sizeof(t), f->tags);
			if (isnan(f->p_value))
				snprintf(p, sizeof(p), "%s", CLI_MISSING);
			else
				snprintf(p, sizeof(p), "%.2g", f->p_value);
			cli_out("| ");
			md_code(f->benchmark);
			if (*t) {
				cli_out(" ");
				md_code(t);
			}
			cli_out(" | ");
			md_code(f->metric);
			cli_out(" | ");
			md_code(f->machine);
			cli_out(" | ");
			md_code(cli_short_sha(sha, sizeof(sha), f->commit));
			cli_out(" | %s | %s | **%+.1f%%** | %s | %s |", a, b, f->change_pct, p,
				f->method);
			if (!k)
				cli_out(" %s |", f->status);
			cli_out("\n");
		}
	}
}

static void print_text(const perfdb_regress_report *r)
{
	const perfdb_regress_scope *sc = perfdb_regress_scope_get(r);
	bool color = cli_color();
	size_t k, i, fails = perfdb_regress_failures(r);
	size_t nreg = perfdb_regress_count(r, PERFDB_FINDING_REGRESSION);
	size_t nimp = perfdb_regress_count(r, PERFDB_FINDING_IMPROVEMENT);
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
	cli_out(" (%s order)\n", sc->order ? sc->order : "recorded");
	for (k = 0; k < 2; k++)
		for (i = 0; i < perfdb_regress_count(r, (perfdb_finding_kind)k); i++) {
			const perfdb_finding *f = perfdb_regress_get(r, (perfdb_finding_kind)k, i);
			char name[1024], line[1024], machine[512], subject[80];
			int open = strcmp(f->status, "open") == 0;
			const char *label = k ? "improvement" : (open ? "REGRESSION" : f->status);
			const char *on =
			    !color ? "" : (k ? "\033[32m" : (open ? "\033[1;31m" : "\033[33m"));
			series_name(name, sizeof(name), f->benchmark, f->metric, f->tags);
			finding_line(line, sizeof(line), f);
			cli_out("%s%-12s%s %s on %s: %s", on, label, color ? "\033[0m" : "", name,
				cli_text(machine, sizeof(machine), f->machine), line);
			if (f->alert_id)
				cli_out(" [alert %lld]", (long long)f->alert_id);
			if (f->subject && *f->subject)
				cli_out("\n             %s", cli_text(subject, 73, f->subject));
			cli_out("\n");
		}
	cli_out("%zu regression%s", fails, fails == 1 ? "" : "s");
	if (nreg > fails)
		cli_out(" (+%zu acknowledged or ignored)", nreg - fails);
	cli_out(", %zu improvement%s\n", nimp, nimp == 1 ? "" : "s");
}

static void print_report(const perfdb_regress_report *rep, out_format format)
{
	switch (format) {
	case OUT_JSON: print_json(rep); break;
	case OUT_MARKDOWN: print_markdown(rep); break;
	case OUT_JUNIT: print_junit(rep); break;
	case OUT_CSV: print_csv(rep); break;
	default: print_text(rep); break;
	}
}

/* One output, to stdout or its file (replaced). -1 after saying why the
 * file could not be written. */
static int write_output(const perfdb_regress_report *rep, const regress_output *out)
{
	FILE *f, *old;
	int bad;
	if (!out->path) {
		print_report(rep, out->format);
		return 0;
	}
	if (!(f = fopen(out->path, "w"))) {
		cli_err("cannot write '%s': %s", out->path, strerror(errno));
		return -1;
	}
	old = cli_out_sink(f);
	print_report(rep, out->format);
	cli_out_sink(old);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		cli_err("cannot write '%s': %s", out->path, strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_regress(int argc, char **argv)
{
	regress_args a;
	perfdb_store *store = NULL;
	perfdb_config *cfg = NULL;
	perfdb_regress_report *rep = NULL;
	size_t i, nstdout;
	int first, rc, err;

	memset(&a, 0, sizeof(a));
	a.o = (perfdb_regress_options)PERFDB_REGRESS_OPTIONS_INIT;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (first < argc)
		return cli_usage_error(&info, "unexpected argument '%s'", argv[first]);
	if (a.o.commit && a.o.since)
		return cli_usage_error(&info, "--commit and --since exclude each other");
	if (a.nout == 0)
		a.out[a.nout++].format = OUT_TEXT;
	for (i = 0, nstdout = 0; i < a.nout; i++)
		if (!a.out[i].path && ++nstdout > 1)
			return cli_usage_error(&info, "two formats for stdout: give each but one "
						      "an --output FILE");
	if ((rc = cli_history_open(&store, &cfg, a.db, a.config,
				   a.dry_run ? PERFDB_STORE_READONLY : PERFDB_STORE_READWRITE)))
		return rc;
	/* precedence: built-in defaults < perfdb.yaml < options */
	cli_tuning_apply(&a.tune, cfg, &a.o);
	a.o.config = cfg;
	err = perfdb_regress_run(&rep, store, &a.o);
	if (err == 0 && !a.dry_run)
		err = perfdb_store_record_findings(store, rep);
	if (err < 0) {
		rc = cli_history_fail("--benchmark");
	} else {
		rc = perfdb_regress_failures(rep) ? CLI_EXIT_REGRESSION : CLI_EXIT_OK;
		for (i = 0; i < a.nout; i++)
			if (write_output(rep, &a.out[i]) < 0)
				rc = CLI_EXIT_DB;
	}
	perfdb_regress_report_free(rep);
	perfdb_store_close(store);
	perfdb_config_free(cfg);
	return rc;
}
