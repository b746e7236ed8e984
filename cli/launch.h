/*
 * What the commands that run a program share (run and load; memtrack's
 * options are laid out to take it): the options of how the result is
 * printed and recorded, starting the program, the signals that end it, and
 * recording the result (cli/launch.c). Values, names and the progress line
 * are measure.h's.
 */
#ifndef PERFDB_CLI_LAUNCH_H
#define PERFDB_CLI_LAUNCH_H

#include <signal.h>
#include <stdbool.h>

#include "cli.h"
#include "measure.h"

/* The ids of the shared options; a command numbers its own long-only
 * options from CLI_LAUNCH_OPT_FIRST_FREE. */
enum {
	CLI_OPT_LAUNCH_FORMAT = 'f', /* -f, as every command with --format */
	CLI_OPT_NAME = CLI_OPT_FIRST_FREE,
	CLI_OPT_SHOW_OUTPUT,
	CLI_OPT_RECORD,
	CLI_LAUNCH_OPT_FIRST_FREE
};

/* The option lines; name, format and record say what they mean for the
 * command in its own words (help). */
#define CLI_NAME_OPTION(help)                                                                      \
	{                                                                                          \
		"name", CLI_OPT_NAME, "NAME", help                                                 \
	}
#define CLI_LAUNCH_FORMAT_OPTION(help)                                                             \
	{                                                                                          \
		"format", CLI_OPT_LAUNCH_FORMAT, "FORMAT", help                                    \
	}
#define CLI_SHOW_OUTPUT_OPTION                                                                     \
	{                                                                                          \
		"show-output", CLI_OPT_SHOW_OUTPUT, NULL, "let the command write to stdout/stderr" \
	}
#define CLI_RECORD_OPTION(help)                                                                    \
	{                                                                                          \
		"record", CLI_OPT_RECORD, NULL, help                                               \
	}

typedef struct cli_launch_opts {
	bool json;	     /* --format json (text otherwise) */
	bool show_output;    /* --show-output */
	bool record;	     /* --record */
	const char *name;    /* --name, NULL when not given */
	cli_record_opts rec; /* --db, --commit, --branch, --machine, --tag, --time */
} cli_launch_opts;

/* Reads one of the options above or of CLI_RECORD_OPTIONS into o: 1 when
 * id was one of them, 0 if not, -1 after printing a usage error. */
int cli_launch_option(const cli_command_info *info, cli_launch_opts *o, int id, const char *arg);

/* Warns that --db, --commit, ... take effect only with --record, when some
 * were given without it. */
void cli_launch_warn_unused(const cli_launch_opts *o);

/* The program argv (NULL-terminated) as a perfdb_command (flags:
 * PERFDB_COMMAND_*) whose runs end after timeout seconds (0: never) or
 * once *stop is set, and its command line as a name (cli_command_name).
 * 0, or the exit code after printing why; nothing to free then. */
int cli_launch_command(perfdb_command **cmd, char **cmdline, char **argv, unsigned flags,
		       double timeout, volatile sig_atomic_t *stop);

/* SIGINT and SIGTERM go to handler (no SA_RESTART: a wait wakes) until
 * cli_launch_signals_restore puts back what was there. */
typedef struct cli_launch_signals {
	struct sigaction old_int, old_term;
} cli_launch_signals;
void cli_launch_signals_catch(cli_launch_signals *saved, void (*handler)(int));
void cli_launch_signals_restore(const cli_launch_signals *saved);

/* Prints doc (cli_json_print, which frees it): 0, or CLI_EXIT_DB after
 * saying that memory ran out. */
int cli_launch_print_json(json_t *doc);

/* Records rs, the exported result, with --record's options into s (its
 * warnings first; the "recorded ..." line on stderr when stdout carries
 * JSON). empty, when not NULL, is why rs may hold nothing: then nothing is
 * recorded and "nothing to record: EMPTY" is a usage error. Returns an exit
 * code. */
int cli_launch_record(cli_session *s, const cli_launch_opts *o, perfdb_resultset *rs,
		      const char *empty);

#endif
