/* perfdb list: commits, benchmarks, machines or runs. */
#include <string.h>

#include "cli.h"

enum { OPT_FORMAT = 'f', OPT_NO_HEADER = CLI_OPT_FIRST_FREE };

static const cli_option options[] = {
    CLI_DB_OPTION,
    CLI_LIST_FORMAT_OPTION(OPT_FORMAT),
    CLI_NO_HEADER_OPTION(OPT_NO_HEADER),
    CLI_OPT_END,
};

static const cli_command_info info = {
    "list",
    "[options] commits|benchmarks|machines|runs",
    "List what the history holds.",
    "commits:    sha, committed_at, author, subject, runs (in recorded order)\n"
    "benchmarks: benchmark, metric, unit, direction, results\n"
    "machines:   machine, runs, fingerprint (JSON)\n"
    "runs:       run, sha, branch, machine, started_at, source, tags, results",
    options,
};

typedef struct list_args {
	const char *db;
	cli_format format;
	bool no_header;
} list_args;

static int on_option(void *ctx, int id, const char *arg)
{
	list_args *a = ctx;
	if (id == CLI_OPT_DB) {
		a->db = arg;
		return 0;
	}
	if (id == OPT_NO_HEADER) {
		a->no_header = true;
		return 0;
	}
	if (id == OPT_FORMAT)
		return cli_format_option(&info, &a->format, arg);
	return 0;
}

static int run_list(perfdb_store *store, void *arg, perfdb_row_fn fn, void *ctx)
{
	return perfdb_store_list(store, *(perfdb_list_kind *)arg, fn, ctx);
}

int cmd_list(cli_session *session, int argc, char **argv)
{
	list_args a;
	perfdb_list_kind kind;
	int first, rc;

	memset(&a, 0, sizeof(a));
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first + 1 != argc)
		return cli_usage_error(&info,
				       "expected one of commits, benchmarks, machines, runs");
	if (perfdb_list_kind_parse(&kind, argv[first]) != 0)
		return cli_usage_error(&info, "%s", perfdb_error_last()->message);
	if ((rc = cli_session_open(session, a.db, NULL)))
		return rc;
	return cli_query_print(session->store, a.format, !a.no_header, true, run_list, &kind);
}
