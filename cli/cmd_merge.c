/* perfdb merge SHARD.db...: copies the runs of other perfdb databases into
 * this one (the artifacts-and-merge recipe for CI jobs that each record into
 * their own file). Each shard is merged in its own transaction. */
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
    CLI_DB_OPTION,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "merge",
    "[--db DEST] SHARD.db...",
    "Copy the runs of other perfdb databases (shards) into this one.",
    "Each run is copied once: merging a shard twice, or A into B and then B into C,\n"
    "never duplicates a run. Commits, machines, benchmarks, results, samples and tags\n"
    "come with the runs; a baseline name the destination has keeps its commit; an\n"
    "alert's acknowledged or ignored status wins over open. Each shard is merged in one\n"
    "transaction, and a corrupt, foreign or newer shard leaves the destination unchanged.\n"
    "The destination is created when missing.",
    options,
};

static int on_option(void *ctx, int id, const char *arg)
{
	const char **db = ctx;
	if (id == CLI_OPT_DB)
		*db = arg;
	return 0;
}

int cmd_merge(cli_session *session, int argc, char **argv)
{
	const char *db = NULL;
	perfdb_store *store;
	int first, rc, i;

	first = cli_parse(&info, argc, argv, on_option, &db);
	if (first < 0)
		return cli_parse_exit(first);
	if (first >= argc)
		return cli_usage_error(&info, "no shard to merge");
	if ((rc = cli_session_open(session, db, NULL)))
		return rc;
	store = session->store;
	for (i = first; i < argc; i++) {
		perfdb_merge_stats st;
		if (strcmp(argv[i], perfdb_store_path(store)) == 0) {
			rc = cli_usage_error(&info, "'%s' is the destination itself", argv[i]);
			break;
		}
		if (perfdb_store_merge(&st, store, argv[i]) != 0) {
			rc = cli_fail();
			break;
		}
		cli_out("merged %s: %zu runs added (%zu already present), %zu results, %zu new "
			"commits, %zu new benchmarks, %zu baselines, %zu alerts\n",
			argv[i], st.runs_added, st.runs_present, st.results_added, st.commits_added,
			st.benchmarks_added, st.baselines_added, st.alerts_added);
	}
	return rc;
}
