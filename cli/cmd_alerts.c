/* perfdb alerts: what regress found and stored. */
#include <string.h>

#include "history.h"

enum { OPT_ALL = 'a', OPT_FORMAT = 'f', OPT_CONFIG = CLI_OPT_FIRST_FREE, OPT_NO_HEADER };

static const cli_option options[] = {
    {"all", OPT_ALL, NULL, "also list acknowledged and ignored alerts"},
    CLI_LIST_FORMAT_OPTION(OPT_FORMAT),
    CLI_NO_HEADER_OPTION(OPT_NO_HEADER),
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION(OPT_CONFIG),
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
	const char *db, *config;
	int all;
	bool no_header;
	cli_format format;
} alerts_args;

static int on_option(void *ctx, int id, const char *arg)
{
	alerts_args *a = ctx;
	switch (id) {
	case CLI_OPT_DB: a->db = arg; return 0;
	case OPT_CONFIG: a->config = arg; return 0;
	case OPT_ALL: a->all = 1; return 0;
	case OPT_NO_HEADER: a->no_header = true; return 0;
	case OPT_FORMAT:
		if (cli_format_parse(&a->format, arg) == 0)
			return 0;
		cli_usage_error(&info, "--format '%s': expected table, csv or json", arg);
		return 1;
	}
	return 0;
}

int cmd_alerts(int argc, char **argv)
{
	alerts_args a;
	perfdb_store *store = NULL;
	perfdb_config *cfg = NULL;
	cli_table *t;
	int first, rc, err;

	memset(&a, 0, sizeof(a));
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (first < argc)
		return cli_usage_error(&info, "unexpected argument '%s'", argv[first]);
	if ((rc = cli_history_open(&store, &cfg, a.db, a.config, PERFDB_STORE_READONLY)))
		return rc;
	if (!(t = cli_table_new(a.format, !a.no_header))) {
		err = PERFDB_ENOMEM;
	} else {
		cli_table_tags_as_objects(t);
		err = perfdb_store_alert_list(store, a.all, cli_table_row_fn, t);
		if (err == 0)
			cli_table_print(t);
		cli_table_free(t);
	}
	rc = err ? cli_fail() : CLI_EXIT_OK;
	perfdb_store_close(store);
	perfdb_config_free(cfg);
	return rc;
}
