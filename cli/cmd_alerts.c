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

/* Rows into the table; text shows the values in their unit, as regress does
 * (CSV and JSON keep them exact). */
typedef struct alert_rows {
	cli_table *t;
	long unit, value[2], change, p, sha; /* column indexes, -1 when absent */
} alert_rows;

static long column(size_t ncols, const char *const *names, const char *name)
{
	size_t i;
	for (i = 0; i < ncols; i++)
		if (strcmp(names[i], name) == 0)
			return (long)i;
	return -1;
}

static int alert_row(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	alert_rows *a = ctx;
	const char *shown[64] = {NULL};
	char v[2][64], change[32], p[32], sha[CLI_SHA_CAP];
	size_t k;
	if (!row) {
		a->unit = column(ncols, names, "unit");
		a->value[0] = column(ncols, names, "baseline_value");
		a->value[1] = column(ncols, names, "value");
		a->change = column(ncols, names, "change_pct");
		a->p = column(ncols, names, "p_value");
		a->sha = column(ncols, names, "sha");
		return cli_table_row_fn(a->t, ncols, names, row);
	}
	if (ncols > 64)
		return cli_table_row_fn(a->t, ncols, names, row);
	for (k = 0; k < 2; k++)
		if (a->value[k] >= 0 && row[a->value[k]].type == PERFDB_VALUE_REAL) {
			cli_format_value(v[k], sizeof(v[k]), row[a->value[k]].d,
					 a->unit >= 0 ? row[a->unit].text : "");
			shown[a->value[k]] = v[k];
		}
	if (a->change >= 0 && row[a->change].type == PERFDB_VALUE_REAL) {
		snprintf(change, sizeof(change), "%+.1f%%", row[a->change].d);
		shown[a->change] = change;
	}
	if (a->p >= 0 && row[a->p].type == PERFDB_VALUE_REAL) {
		cli_format_p(p, sizeof(p), row[a->p].d);
		shown[a->p] = p;
	}
	if (a->sha >= 0 && row[a->sha].type == PERFDB_VALUE_TEXT)
		shown[a->sha] = cli_short_sha(sha, sizeof(sha), row[a->sha].text);
	return cli_table_add(a->t, ncols, names, row, shown);
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
		alert_rows rows = {t, -1, {-1, -1}, -1, -1, -1};
		cli_table_tags_as_objects(t);
		err = perfdb_store_alert_list(store, a.all, alert_row, &rows);
		if (err == 0)
			cli_table_print(t);
		cli_table_free(t);
	}
	rc = err ? cli_fail() : CLI_EXIT_OK;
	return rc;
}
