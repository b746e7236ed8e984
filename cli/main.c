/*
 * perfdb - the command line. One file per subcommand (cmd_<name>.c); this
 * file holds the command table and the top-level help.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
	const char *name;
	cli_command_fn fn;
	const char *summary;
} command;

static const command commands[] = {
    {"record", cmd_record, "store benchmark results for a commit"},
    {"query", cmd_query, "run a read-only SQL query on the history"},
    {"list", cmd_list, "list commits, benchmarks, machines or runs"},
    {"regress", cmd_regress, "flag regressions since a revision (exit 1 when found)"},
    {"compare", cmd_compare, "compare two revisions side by side"},
    {"trend", cmd_trend, "sparklines (or an SVG chart) of series over commits"},
    {"report", cmd_report, "write a self-contained HTML report with a chart per series"},
    {"baseline", cmd_baseline, "set, list or remove named baselines"},
    {"bisect-plan", cmd_bisect_plan, "the commits to benchmark next to narrow a finding's range"},
    {"alerts", cmd_alerts, "list stored regression alerts"},
    {"ack", cmd_ack, "acknowledge or ignore an alert"},
    {"merge", cmd_merge, "copy the runs of other perfdb databases into this one"},
    {"run", cmd_run, "benchmark a command (wall, user, sys, peak RSS)"},
    {"load", cmd_load, "load-test a command (closed, open-rate or stress model)"},
    {"memtrack", cmd_memtrack, "track a command's heap allocations by call site"},
};

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
			return commands[i].fn(argc - 1, argv + 1);
	cli_err("'%s' is not a perfdb command; try 'perfdb --help'", argv[1]);
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	return finish(run(argc, argv));
}
