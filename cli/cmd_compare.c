/* perfdb compare REV_A REV_B: every series side by side, with a verdict. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

enum { OPT_FORMAT = 'f' };

static const cli_option options[] = {
    {"format", OPT_FORMAT, "FORMAT", "table, csv or json (default: table)"},
    CLI_MACHINE_OPTION,
    CLI_BENCHMARK_OPTION,
    CLI_METRIC_OPTION,
    {"threshold", CLI_OPT_THRESHOLD, "PCT", "minimal relative change for a verdict (default 5)"},
    {"confidence", CLI_OPT_CONFIDENCE, "C", "confidence level of the tests (default 0.99)"},
    {"window", CLI_OPT_WINDOW, "N",
     "commits before REV_A whose spread judges series without samples"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION,
    CLI_NO_GIT_OPTION,
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
	cli_history_args h;
	cli_format format;
} compare_args;

static int on_option(void *ctx, int id, const char *arg)
{
	compare_args *a = ctx;
	if (id == OPT_FORMAT)
		return cli_format_option(&info, &a->format, arg);
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

int cmd_compare(cli_session *session, int argc, char **argv)
{
	static const char *const names[] = {"benchmark", "metric",  "unit",    "machine",
					    "tags",	 "value_a", "value_b", "change_pct",
					    "p_value",	 "method",  "verdict"};
	compare_args a;
	perfdb_comparison *cmp = NULL;
	cli_table *t = NULL;
	int first, rc, err;
	size_t i;

	memset(&a, 0, sizeof(a));
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (argc - first != 2)
		return cli_usage_error(&info, "expected two revisions, REV_A REV_B");
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	err = perfdb_compare_run(&cmp, session->store, argv[first], argv[first + 1], &a.h.o);
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
			row[4] = text(perfdb_tags_json(r->tags));
			row[5] = cli_value_real(r->value_a);
			row[6] = cli_value_real(r->value_b);
			row[7] = cli_value_real(r->change_pct);
			row[8] = cli_value_real(r->p_value);
			row[9] = text(perfdb_method_name(r->method));
			row[10] = text(perfdb_comparison_verdict_name(r->verdict));
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
