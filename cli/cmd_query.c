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
	case OPT_FORMAT:
		if (cli_format_parse(&a->format, arg) == 0)
			return 0;
		cli_usage_error(&info, "--format '%s': expected table, csv or json", arg);
		return 1;
	}
	return 0;
}

/* Shared by query and list: run fn over a read-only store and print a table. */
int cli_query_print(const char *db, cli_format format, bool header, bool tags_objects,
		    int (*run)(perfdb_store *store, void *arg, perfdb_row_fn fn, void *ctx),
		    void *arg)
{
	perfdb_store *store = NULL;
	cli_table *table;
	int rc, err;

	if ((rc = cli_open_store(&store, db, PERFDB_STORE_READONLY)))
		return rc;
	if (!(table = cli_table_new(format, header))) {
		perfdb_store_free(store);
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	if (tags_objects)
		cli_table_tags_as_objects(table);
	/* csv and json rows go out as they come (a table needs every width first) */
	cli_table_stream(table);
	err = run(store, arg, cli_table_row_fn, table);
	if (err == PERFDB_EREADONLY) {
		/* A refused statement is bad usage, not a database fault. */
		cli_err("%s", perfdb_error_last()->message);
		rc = CLI_EXIT_USAGE;
	} else if (err) {
		/* the library says the query ran out of time; the option is ours */
		rc = strncmp(perfdb_error_last()->message, "query stopped after", 19) == 0
			 ? cli_fail_hint(0, "or give a longer --timeout")
			 : cli_fail();
	} else {
		cli_table_print(table);
		rc = CLI_EXIT_OK;
	}
	cli_table_free(table);
	perfdb_store_free(store);
	return rc;
}

static int run_sql(perfdb_store *store, void *arg, perfdb_row_fn fn, void *ctx)
{
	const query_args *a = arg;
	perfdb_store_set_query_timeout(store, a->timeout);
	return perfdb_store_query(store, a->sql, fn, ctx);
}

int cmd_query(int argc, char **argv)
{
	query_args a;
	int first;

	memset(&a, 0, sizeof(a));
	a.timeout = DEFAULT_TIMEOUT;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error(&info, "no SQL given");
	if (first + 1 < argc)
		return cli_usage_error(&info, "give the SQL as one argument (quote it)");
	a.sql = argv[first];
	return cli_query_print(a.db, a.format, !a.no_header, false, run_sql, &a);
}
