/* perfdb alerts: what regress found and stored. */
#include <stdio.h>
#include <string.h>

#include "history.h"

enum { OPT_ALL = 'a', OPT_FORMAT = 'f', OPT_NO_HEADER = CLI_HISTORY_OPT_FIRST_FREE };

static const cli_option options[] = {
    {"all", OPT_ALL, NULL, "also list acknowledged and ignored alerts"},
    CLI_LIST_FORMAT_OPTION(OPT_FORMAT),
    CLI_NO_HEADER_OPTION(OPT_NO_HEADER),
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "alerts",
    "[--all] [options]",
    "List the regressions and improvements perfdb regress stored, newest first.",
    "Without --all only open regressions are listed: what is to act on. 'perfdb ack ID'\n"
    "acknowledges one so it no longer fails 'perfdb regress'. An improvement is never\n"
    "open: --all lists it as noted (or acknowledged or ignored).",
    options,
};

typedef struct alerts_args {
	cli_history_args h;
	int all;
	bool no_header;
	cli_format format;
} alerts_args;

static int on_option(void *ctx, int id, const char *arg)
{
	alerts_args *a = ctx;
	switch (id) {
	case OPT_ALL: a->all = 1; return 0;
	case OPT_NO_HEADER: a->no_header = true; return 0;
	case OPT_FORMAT: return cli_format_option(&info, &a->format, arg);
	}
	return 0;
}

/* One alert into the table; text shows the values in their unit, as regress
 * does (CSV and JSON keep them exact). */
static const char *const names[] = {
    "id",  "status",	     "kind",  "benchmark",  "metric",  "unit",	 "machine",    "tags",
    "sha", "baseline_value", "value", "change_pct", "p_value", "method", "created_at", "note"};
enum { NCOLS = sizeof(names) / sizeof(names[0]) };

static int alert_row(cli_table *t, const perfdb_alert *al)
{
	perfdb_value row[NCOLS];
	const char *shown[NCOLS] = {NULL};
	char v[2][64], change[32], p[32], sha[CLI_SHA_CAP];
	size_t k;
	row[0] = cli_value_int(al->id);
	row[1] = cli_value_text(perfdb_alert_status_label(al));
	row[2] = cli_value_text(perfdb_alert_kind_name(al->kind));
	row[3] = cli_value_text(al->benchmark);
	row[4] = cli_value_text(al->metric);
	row[5] = cli_value_text(al->unit);
	row[6] = cli_value_text(al->machine);
	row[7] = cli_value_text(perfdb_tags_json(al->tags));
	row[8] = cli_value_text(al->sha);
	row[9] = cli_value_real(al->baseline_value);
	row[10] = cli_value_real(al->value);
	row[11] = cli_value_real(al->change_pct);
	row[12] = cli_value_real(al->p_value);
	row[13] = cli_value_text(al->method != PERFDB_METHOD_NONE ? perfdb_method_name(al->method)
								  : NULL);
	row[14] = cli_value_text(al->created_at);
	row[15] = cli_value_text(al->note);
	for (k = 0; k < 2; k++)
		if (row[9 + k].type == PERFDB_VALUE_REAL) {
			cli_format_value(v[k], sizeof(v[k]), row[9 + k].d,
					 al->unit ? al->unit : "");
			shown[9 + k] = v[k];
		}
	if (row[11].type == PERFDB_VALUE_REAL) {
		snprintf(change, sizeof(change), "%+.1f%%", al->change_pct);
		shown[11] = change;
	}
	if (row[12].type == PERFDB_VALUE_REAL) {
		cli_format_p(p, sizeof(p), al->p_value);
		shown[12] = p;
	}
	if (al->sha)
		shown[8] = cli_short_sha(sha, sizeof(sha), al->sha);
	return cli_table_add(t, NCOLS, names, row, shown);
}

int cmd_alerts(cli_session *session, int argc, char **argv)
{
	alerts_args a;
	perfdb_store *store;
	cli_table *t;
	int first, rc, err;

	memset(&a, 0, sizeof(a));
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first < argc)
		return cli_usage_error(&info, "unexpected argument '%s'", argv[first]);
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	store = session->store;
	if (!(t = cli_table_new(a.format, !a.no_header))) {
		err = PERFDB_ENOMEM;
	} else {
		perfdb_alert_list *list = NULL;
		size_t i;
		cli_table_tags_as_objects(t);
		err = perfdb_store_alert_list(&list, store, a.all);
		if (err == 0 && cli_table_add(t, NCOLS, names, NULL, NULL))
			err = PERFDB_ENOMEM;
		for (i = 0; err == 0 && i < perfdb_alert_list_count(list); i++)
			if (alert_row(t, perfdb_alert_list_get(list, i)))
				err = PERFDB_ENOMEM;
		if (err == 0)
			cli_table_print(t);
		perfdb_alert_list_free(list);
		cli_table_free(t);
	}
	rc = err ? cli_fail() : CLI_EXIT_OK;
	return rc;
}
