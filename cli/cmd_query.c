/* perfdb query: read-only SQL over the history. */
#include <string.h>

#include "cli.h"
#include "measure.h"

enum { OPT_FORMAT = 'f', OPT_NO_HEADER = CLI_OPT_FIRST_FREE, OPT_TIMEOUT };

/* A query over an untrusted or large history must not run for ever. */
#define DEFAULT_TIMEOUT 60.0

static const cli_option options[] = {
    CLI_DB_OPTION,
    CLI_LIST_FORMAT_OPTION(OPT_FORMAT),
    CLI_NO_HEADER_OPTION(OPT_NO_HEADER),
    {"timeout", OPT_TIMEOUT, "SECONDS",
     "stop the query after SECONDS, exit 3 (default: 60; 0: no limit)"},
    CLI_OPT_END,
};

static const cli_command_info info = {
    "query",
    "[options] SQL",
    "Run one read-only SQL statement on the history database.",
    "Statements that could change the database (INSERT, UPDATE, DELETE, CREATE, DROP,\n"
    "ATTACH, DETACH, transactions, writing PRAGMAs, VACUUM) are refused. The views\n"
    "'history' and 'latest' are the stable interface; see schema/README.md for their columns.\n"
    "Table-valued functions (json_each, pragma_table_info) and reading PRAGMAs work.\n"
    "json prints one array of objects, one per row; csv follows RFC 4180.",
    options,
};

typedef struct query_args {
	const char *db;
	cli_format format;
	bool no_header;
	double timeout;
	const char *sql;
} query_args;

static int on_option(void *ctx, int id, const char *arg)
{
	query_args *a = ctx;
	switch (id) {
	case CLI_OPT_DB: a->db = arg; return 0;
	case OPT_NO_HEADER: a->no_header = true; return 0;
	case OPT_TIMEOUT:
		if (cli_parse_seconds(arg, &a->timeout) == 0)
			return 0;
		cli_usage_error(&info, "--timeout '%s': expected seconds (0: no limit)", arg);
		return 1;
	case OPT_FORMAT: return cli_format_option(&info, &a->format, arg);
	}
	return 0;
}

static int run_sql(perfdb_store *store, void *arg, perfdb_row_fn fn, void *ctx)
{
	const query_args *a = arg;
	perfdb_store_set_query_timeout(store, a->timeout);
	return perfdb_store_query(store, a->sql, fn, ctx);
}

int cmd_query(cli_session *session, int argc, char **argv)
{
	int rc;
	query_args a;
	int first;

	memset(&a, 0, sizeof(a));
	a.timeout = DEFAULT_TIMEOUT;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first >= argc)
		return cli_usage_error(&info, "no SQL given");
	if (first + 1 < argc)
		return cli_usage_error(&info, "give the SQL as one argument (quote it)");
	a.sql = argv[first];
	if ((rc = cli_session_open(session, a.db, NULL)))
		return rc;
	return cli_query_print(session->store, a.format, !a.no_header, false, run_sql, &a);
}
