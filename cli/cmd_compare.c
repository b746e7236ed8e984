/* perfdb compare REV_A REV_B: every series side by side, with a verdict. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

enum {
	OPT_FORMAT = 'f',
	OPT_MACHINE = CLI_OPT_FIRST_FREE,
	OPT_BENCHMARK,
	OPT_THRESHOLD,
	OPT_CONFIDENCE,
	OPT_WINDOW,
	OPT_CONFIG,
	OPT_NO_GIT,
	OPT_METRIC
};

static const cli_option options[] = {
    {"format", OPT_FORMAT, "FORMAT", "table, csv or json (default: table)"},
    CLI_MACHINE_OPTION(OPT_MACHINE),
    CLI_BENCHMARK_OPTION(OPT_BENCHMARK),
    CLI_METRIC_OPTION(OPT_METRIC),
    {"threshold", OPT_THRESHOLD, "PCT", "minimal relative change for a verdict (default 5)"},
    {"confidence", OPT_CONFIDENCE, "C", "confidence level of the tests (default 0.99)"},
    {"window", OPT_WINDOW, "N", "commits before REV_A whose spread judges series without samples"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION(OPT_CONFIG),
    CLI_NO_GIT_OPTION(OPT_NO_GIT),
    CLI_OPT_END,
};

static const cli_command_info info = {
    "compare",
    "[options] REV_A REV_B",
    "Compare two revisions side by side: change, p-value and verdict per series.",
    "With samples on both sides Mann-Whitney U decides (Welch's t when too few samples\n"
    "for U to reach the confidence); without, the spread of the commits before REV_A.\n"
    "The verdict (regression, improvement, same, only_a, only_b) needs p < 1 - confidence\n"
    "and a change beyond the threshold. Levels are regress's (a commit's median). Exits\n"
    "0: a report, not a gate; 2 when --machine or --benchmark matches nothing recorded.",
    options,
};

typedef struct compare_args {
	perfdb_regress_options o;
	const char *db, *config;
	cli_format format;
	cli_tuning tune;
} compare_args;

static int on_option(void *ctx, int id, const char *arg)
{
	compare_args *a = ctx;
	switch (id) {
	case CLI_OPT_DB: a->db = arg; return 0;
	case OPT_CONFIG: a->config = arg; return 0;
	case OPT_MACHINE: a->o.machine = arg; return 0;
	case OPT_BENCHMARK: a->o.benchmark_glob = arg; return 0;
	case OPT_METRIC: a->o.metric_glob = arg; return 0;
	case OPT_NO_GIT: a->o.use_git = 0; return 0;
	case OPT_THRESHOLD: return cli_tuning_parse(&info, &a->tune, CLI_TUNE_THRESHOLD, arg);
	case OPT_CONFIDENCE: return cli_tuning_parse(&info, &a->tune, CLI_TUNE_CONFIDENCE, arg);
	case OPT_WINDOW: return cli_tuning_parse(&info, &a->tune, CLI_TUNE_WINDOW, arg);
	case OPT_FORMAT:
		if (cli_format_parse(&a->format, arg) == 0)
			return 0;
		cli_usage_error(&info, "--format '%s': expected table, csv or json", arg);
		return 1;
	}
	return 0;
}

static perfdb_value text(const char *s)
{
	perfdb_value v;
	memset(&v, 0, sizeof(v));
	v.type = PERFDB_VALUE_TEXT;
	v.text = s ? s : "";
	return v;
}

static perfdb_value real(double d)
{
	perfdb_value v;
	memset(&v, 0, sizeof(v));
	v.type = isnan(d) ? PERFDB_VALUE_NULL : PERFDB_VALUE_REAL;
	v.d = d;
	v.text = "";
	return v;
}

int cmd_compare(cli_session *session, int argc, char **argv)
{
	static const char *const names[] = {"benchmark", "metric",  "unit",    "machine",
					    "tags",	 "value_a", "value_b", "change_pct",
					    "p_value",	 "method",  "verdict"};
	compare_args a;
	perfdb_store *store;
	perfdb_config *cfg;
	perfdb_comparison *cmp = NULL;
	cli_table *t = NULL;
	int first, rc, err;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.o = (perfdb_regress_options)PERFDB_REGRESS_OPTIONS_INIT;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (argc - first != 2)
		return cli_usage_error(&info, "expected two revisions, REV_A REV_B");
	if ((rc = cli_session_open(session, a.db, a.config)))
		return rc;
	store = session->store;
	cfg = session->config;
	cli_tuning_apply(&a.tune, cfg, &a.o);
	a.o.config = cfg;
	err = perfdb_compare_run(&cmp, store, argv[first], argv[first + 1], &a.o);
	if (err == 0 && !(t = cli_table_new(a.format, true)))
		err = PERFDB_ENOMEM;
	if (err == 0) {
		cli_table_row_fn(t, 11, names, NULL);
		cli_table_tags_as_objects(t);
		for (i = 0; i < perfdb_comparison_count(cmp); i++) {
			const perfdb_comparison_row *r = perfdb_comparison_get(cmp, i);
			char b1[64], b2[64], b3[64], b4[64];
			const char *shown[11] = {NULL, NULL, NULL, NULL, NULL, b1,
						 b2,   b3,   b4,   NULL, NULL};
			perfdb_value row[11];
			row[0] = text(r->benchmark);
			row[1] = text(r->metric);
			row[2] = text(r->unit);
			row[3] = text(r->machine);
			row[4] = text(r->tags);
			row[5] = real(r->value_a);
			row[6] = real(r->value_b);
			row[7] = real(r->change_pct);
			row[8] = real(r->p_value);
			row[9] = text(r->method);
			row[10] = text(r->verdict);
			/* text shows values in their unit; CSV and JSON keep them */
			cli_format_value(b1, sizeof(b1), r->value_a, r->unit);
			cli_format_value(b2, sizeof(b2), r->value_b, r->unit);
			if (isnan(r->change_pct))
				snprintf(b3, sizeof(b3), "%s", CLI_MISSING);
			else
				snprintf(b3, sizeof(b3), "%+.1f%%", r->change_pct);
			cli_format_p(b4, sizeof(b4), r->p_value);
			if (cli_table_add(t, 11, names, row, shown)) {
				err = PERFDB_ENOMEM;
				break;
			}
		}
		if (a.format == CLI_FORMAT_TABLE) {
			char sa[CLI_SHA_CAP], sb[CLI_SHA_CAP], ta[CLI_SHA_CAP], tb[CLI_SHA_CAP];
			cli_out(
			    "%s -> %s\n",
			    cli_text(ta, sizeof(ta),
				     cli_short_sha(sa, sizeof(sa), perfdb_comparison_sha(cmp, 0))),
			    cli_text(tb, sizeof(tb),
				     cli_short_sha(sb, sizeof(sb), perfdb_comparison_sha(cmp, 1))));
		}
		cli_table_print(t);
	}
	rc = err ? cli_history_fail("--benchmark") : CLI_EXIT_OK;
	cli_table_free(t);
	perfdb_comparison_free(cmp);
	return rc;
}
