/*
 * perfdb - the command line. One file per subcommand (cmd_<name>.c); this
 * file holds the command table and the top-level help.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/*
 * The commands. `needs` says what a command's session gets opened for it
 * (cli_session_open, session.c): which database flags, and whether perfdb.yaml
 * is read. A command calls cli_session_open once it has parsed its --db and
 * --config (and, for those that record, once it has something to record, so
 * that a failed run or a bad input creates no database); main closes what
 * was opened after the command returns. `fn` is for a command main opens
 * nothing for: memtrack records through cli_record_resultset, which opens a
 * session of its own, until it takes a cli_session as the others do.
 */
typedef struct command {
	const char *name;
	cli_session_fn session_fn;
	cli_command_fn fn;
	unsigned needs;
	const char *summary;
} command;

/* A history command: perfdb.yaml read, and a database that must exist. */
#define HISTORY (CLI_DB_CONFIG | CLI_DB_MUST_EXIST)

static const command commands[] = {
    {"record", cmd_record, NULL, CLI_DB_WRITE, "store benchmark results for a commit"},
    {"query", cmd_query, NULL, CLI_DB_READ, "run a read-only SQL query on the history"},
    {"list", cmd_list, NULL, CLI_DB_READ, "list commits, benchmarks, machines or runs"},
    {"regress", cmd_regress, NULL, CLI_DB_WRITE | HISTORY,
     "flag regressions since a revision (exit 1 when found)"},
    {"compare", cmd_compare, NULL, CLI_DB_READ | HISTORY, "compare two revisions side by side"},
    {"trend", cmd_trend, NULL, CLI_DB_READ | HISTORY,
     "sparklines (or an SVG chart) of series over commits"},
    {"report", cmd_report, NULL, CLI_DB_READ | HISTORY,
     "write a self-contained HTML report with a chart per series"},
    {"baseline", cmd_baseline, NULL, CLI_DB_WRITE | HISTORY, "set, list or remove named baselines"},
    {"bisect-plan", cmd_bisect_plan, NULL, CLI_DB_READ | HISTORY,
     "the commits to benchmark next to narrow a finding's range"},
    {"alerts", cmd_alerts, NULL, CLI_DB_READ | HISTORY, "list stored regression alerts"},
    {"ack", cmd_ack, NULL, CLI_DB_WRITE | HISTORY, "acknowledge or ignore an alert"},
    {"merge", cmd_merge, NULL, CLI_DB_WRITE,
     "copy the runs of other perfdb databases into this one"},
    {"run", cmd_run, NULL, CLI_DB_WRITE, "benchmark a command (wall, user, sys, peak RSS)"},
    {"load", cmd_load, NULL, CLI_DB_WRITE,
     "load-test a command (closed, open-rate or stress model)"},
    {"memtrack", NULL, cmd_memtrack, CLI_NO_DB, "track a command's heap allocations by call site"},
};

static int run_command(const command *c, int argc, char **argv)
{
	cli_session s = {c->needs, NULL, NULL};
	int rc;
	if (!c->session_fn)
		return c->fn(argc, argv);
	rc = c->session_fn(&s, argc, argv);
	cli_session_close(&s);
	return rc;
}

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "usage: perfdb [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'perfdb COMMAND --help' describes a command's options.\n"
		   "exit codes: 0 ok, 1 regression found, 2 usage or input error, "
		   "3 database or system error\n");
}

/*
 * Every command's answer goes to stdout, through stdio's buffer: a full disk
 * or /dev/full shows only when the buffer is flushed, which for a short
 * answer is at exit, after the command returned 0. So the flush and close
 * are checked here, once for all commands: output nobody could write is a
 * system error (exit 3), not success with a 0-byte file.
 */
static int finish(int rc)
{
	int failed = 0, err = 0;
	if (fflush(stdout) != 0) {
		failed = 1;
		err = errno;
	}
	if (ferror(stdout))
		failed = 1;
	if (fclose(stdout) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	if (!failed)
		return rc;
	cli_err("cannot write the output: %s", err ? strerror(err) : "write error");
	return rc == CLI_EXIT_USAGE ? rc : CLI_EXIT_DB;
}

static int run(int argc, char **argv)
{
	size_t i;
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		cli_out("perfdb %s (schema %d)\n", PERFDB_VERSION_STRING,
			perfdb_store_schema_version());
		return CLI_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return run_command(&commands[i], argc - 1, argv + 1);
	cli_err("'%s' is not a perfdb command; try 'perfdb --help'", argv[1]);
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	return finish(run(argc, argv));
}
