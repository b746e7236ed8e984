/* The perfdb command line: shared pieces for cli/cmd_<name>.c. */
#ifndef PERFDB_CLI_H
#define PERFDB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "perfdb.h"
#include "perfdb/config.h"

/* Exit codes, documented once (README "Exit codes"). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_REGRESSION = 1,
	CLI_EXIT_USAGE = 2, /* bad usage or bad input */
	CLI_EXIT_DB = 3	    /* database or system error */
};

/* What main.c opens for a command (see "commands" below). */
typedef struct cli_session cli_session;

/* ---- options: one table per command; it also prints --help ------------- */
typedef struct cli_option {
	const char *name; /* long name without "--" */
	int id;		  /* short letter, or a value > 255 for long-only */
	const char *arg;  /* argument name for --help, NULL for a flag */
	const char *help; /* one line */
} cli_option;

#define CLI_OPT_END                                                                                \
	{                                                                                          \
		NULL, 0, NULL, NULL                                                                \
	}

typedef struct cli_command_info {
	const char *name;    /* "record" */
	const char *usage;   /* "[options] FILE...|-" */
	const char *summary; /* one line */
	const char *details; /* extra paragraphs for --help, may be NULL */
	const cli_option *options;
} cli_command_info;

/* Parses argv against info->options (getopt_long, permuting unless a "--"
 * is seen). Calls on_option for each option; returns the index of the first
 * operand, or -1 after printing --help (exit 0), or -2 after a usage error
 * (exit 2) already reported as one line plus "try 'perfdb CMD --help'".
 * on_option returns 0, or non-zero to stop with a usage error (it has
 * reported it with cli_usage_error). */
int cli_parse(const cli_command_info *info, int argc, char **argv,
	      int (*on_option)(void *ctx, int id, const char *arg), void *ctx);

/* The exit code for cli_parse's -1 (0: --help was printed) or -2 (2). */
int cli_parse_exit(int first);

/* Prints "perfdb: CMD: message" and the try line; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command_info *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_usage_error for an option's value: "--OPT 'ARG': expected WHAT". */
int cli_bad_value(const cli_command_info *info, const char *opt, const char *arg, const char *what);

void cli_print_help(const cli_command_info *info);

/* ---- output: everything printed goes through these ------------------------ */
void cli_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_out_str(const char *s);
/* Sends what cli_out prints to f (stdout: back to stdout); returns the
 * previous sink. The caller opens and closes f. Not a terminal: no colour. */
FILE *cli_out_sink(FILE *f);
/* "perfdb: message" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "perfdb: warning: message" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints perfdb_error_last() as one line and returns the exit code for it. */
int cli_fail(void);
/* cli_fail, adding "; HINT" (what to do, in the CLI's words: the library's
 * messages never name an option) when the error's code is code (0: any). */
int cli_fail_hint(int code, const char *hint);
/* The exit code for a library error code. */
int cli_exit_code(int err);
/* True when stdout is a terminal and NO_COLOR is unset. */
bool cli_color(void);
bool cli_stdout_tty(void);

/* ---- numbers for people and for programs (cli/format.c) ------------------- */
/* What text and Markdown show for a value that is missing (NAN). */
#define CLI_MISSING "n/a"
/* A value in a canonical unit as people write it, about four significant
 * digits: durations "812 ns", "10.30 µs", "1.234 ms", "2.500 s"; bytes "812 B",
 * "12.50 MiB"; byte rates "1.500 GiB/s"; counts and rates with SI prefixes
 * from 10 000 on, "1500 items/s", "135.8 M items/s"; CLI_MISSING for NAN. */
void cli_format_value(char *buf, size_t cap, double v, const char *unit);
/* cli_format_value for "ns" and for "B". */
void cli_format_ns(char *buf, size_t cap, double ns);
void cli_format_bytes(char *buf, size_t cap, double bytes);
/* A p-value for people: two significant digits in scientific notation when
 * small ("0.012", "3.1e-05"), "< 1e-300" below that (never "0": a test
 * gives no certainty), CLI_MISSING for NAN. */
void cli_format_p(char *buf, size_t cap, double p);
/* The shortest text that reads back as exactly d (CSV). */
void cli_format_double(char *buf, size_t cap, double d);
/* A JSON number, or null for NAN and infinities (JSON has neither). */
json_t *cli_json_number(double v);
/* The one JSON writer: indented, numbers with 17 significant digits (they
 * read back exactly). cli_json_dumps returns a new string (free()) or NULL;
 * cli_json_print prints doc and a newline on stdout and frees doc: 0, or
 * -1 when out of memory. */
char *cli_json_dumps(const json_t *doc);
int cli_json_print(json_t *doc);
/* A full hex sha as its first 12 characters; any other commit label whole. */
const char *cli_short_sha(char *buf, size_t cap, const char *sha);
/* Big enough for cli_short_sha of any label perfdb keeps in its messages. */
#define CLI_SHA_CAP 256

/* The Unicode bar (U+2581..U+2588) of value v on the scale lo..hi: the
 * lowest bar at lo, the highest at hi, a middle one when hi <= lo. Shared
 * by trend's lines and regress's Markdown. */
const char *cli_spark_bar(double v, double lo, double hi);

/* Columns of UTF-8 text s takes (code points: "µs" is 2, not 3). */
size_t cli_width(const char *s);
/* s padded to width columns: right-aligned for width > 0, left for < 0. */
const char *cli_pad(char *buf, size_t cap, const char *s, int width);

/* ---- text from result files (names, machines, subjects, tags: untrusted) ---- */
/* s for a terminal or a CI log: control characters, bidirectional overrides
 * and bytes that are not UTF-8 shown as escapes ("\n", "\x1b", "\u202e"),
 * never acted on, so a name cannot retitle a terminal or forge a line.
 * Cuts (at cap) only between characters. Returns buf. */
const char *cli_text(char *buf, size_t cap, const char *s);
/* s as one Markdown code span, fence and all: cli_text, then a fence longer
 * than any backtick run in it; in a table cell (cell) '|' escaped too. */
void cli_md_code(char *buf, size_t cap, const char *s, bool cell);
/* s as XML 1.0 text or attribute value: cli_text, then &<>"' as entities. */
void cli_xml_text(char *buf, size_t cap, const char *s);
/* Drops an incomplete UTF-8 sequence at the end of s (snprintf cut it). */
void cli_utf8_trim(char *s);

/* ---- tables (query, list, and any command that prints rows) --------------- */
typedef enum cli_format { CLI_FORMAT_TABLE = 0, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;
int cli_format_parse(cli_format *out, const char *name);
/* A command's --format of the table formats (cli_format_parse): 0, or 1
 * after printing the usage error. */
int cli_format_option(const cli_command_info *info, cli_format *out, const char *arg);

typedef struct cli_table cli_table;
/* A table collects rows (column names first), then prints them in one format:
 * aligned text, RFC 4180 CSV, or one JSON array of objects. */
cli_table *cli_table_new(cli_format fmt, bool header);
void cli_table_free(cli_table *t);
/* A perfdb_row_fn that adds to a cli_table (ctx is the table). */
int cli_table_row_fn(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row);
/* Adds a row; in aligned text, shown[i] (when shown and it are not NULL) is
 * displayed instead of cell i (a value in its unit for people), while CSV and
 * JSON keep the value. Non-zero when out of memory. */
int cli_table_add(cli_table *t, size_t ncols, const char *const *names, const perfdb_value *row,
		  const char *const *shown);
int cli_table_print(cli_table *t);
/* Cells for cli_table_add from typed values: text (NULL: an SQL-like NULL
 * cell), a double (NAN: NULL) and an integer. The text is borrowed. */
perfdb_value cli_value_text(const char *s);
perfdb_value cli_value_real(double d);
perfdb_value cli_value_int(int64_t i);
/* One RFC 4180 field on stdout, quoted when it holds , " CR or LF. */
void cli_csv_field(const char *s);
/* From now on a column named "tags" holding a JSON object (perfdb's tags)
 * is one: nested in JSON output, k=v,k2=v2 in text, compact JSON in CSV. */
void cli_table_tags_as_objects(cli_table *t);
/* csv and json: print each row as cli_table_add gets it and keep none (the
 * same bytes as printing the whole table); cli_table_print then ends the
 * output. No effect on aligned text, which needs every width first. */
void cli_table_stream(cli_table *t);
/* Tags as people read them: k=v,k2=v2 ("" for anything but an object). */
void cli_tags_object_text(char *buf, size_t cap, const json_t *o);
/* Tags as "cc=gcc" ("" for none). */
void cli_tags_text(char *buf, size_t cap, const perfdb_tags *tags);
/* Tags as a new JSON object of strings (for --format json), from the
 * accessors; never NULL but when out of memory. */
json_t *cli_tags_json(const perfdb_tags *tags);
/* A series for a terminal: "BENCHMARK METRIC [k=v,...]" (metric NULL: left
 * out; no tags: no brackets), names escaped with cli_text. */
void cli_series_name(char *buf, size_t cap, const char *benchmark, const char *metric,
		     const perfdb_tags *tags);

/* Runs `run` on store into a table and prints it (csv and json rows as
 * they come); returns an exit code: 2 for a statement the store refuses
 * as not read-only. Shared by query and list. */
int cli_query_print(perfdb_store *store, cli_format format, bool header, bool tags_objects,
		    int (*run)(perfdb_store *store, void *arg, perfdb_row_fn fn, void *ctx),
		    void *arg);

/* ---- recording, shared by record, run, load and memtrack ------------------- */
typedef struct cli_record_opts {
	const char *db;
	const char *commit;
	const char *branch;
	const char *machine;
	const char *time;
	const char *tags[64];
	size_t ntags;
	bool status_to_stderr; /* the "recorded ..." line goes to stderr: stdout
				* carries another answer (e.g. --format json) */
} cli_record_opts;

enum {
	CLI_OPT_DB = 1000,
	CLI_OPT_COMMIT,
	CLI_OPT_BRANCH,
	CLI_OPT_MACHINE,
	CLI_OPT_TAG,
	CLI_OPT_TIME,
	CLI_OPT_FIRST_FREE /* commands number their own long-only options from here */
};

/* The --db option, the same line in every command that opens the database. */
#define CLI_DB_OPTION                                                                              \
	{                                                                                          \
		"db", CLI_OPT_DB, "PATH",                                                          \
		    "database file (default: $PERFDB_DB, perfdb.yaml's database, perfdb.db)"       \
	}

#define CLI_RECORD_OPTIONS                                                                         \
	CLI_DB_OPTION,                                                                             \
	    {"commit", CLI_OPT_COMMIT, "REV",                                                      \
	     "commit to record for (default: CI variables, then git HEAD)"},                       \
	    {"branch", CLI_OPT_BRANCH, "NAME", "branch (default: CI variables, then git)"},        \
	    {"machine", CLI_OPT_MACHINE, "NAME", "machine name (default: the host name)"},         \
	    {"tag", CLI_OPT_TAG, "K=V",                                                            \
	     "configuration tag, part of the series identity (repeatable)"},                       \
	{                                                                                          \
		"time", CLI_OPT_TIME, "ISO8601", "when the run was made (default: now)"            \
	}

/* The output options every listing command (query, list, alerts) shares. */
#define CLI_LIST_FORMAT_OPTION(id)                                                                 \
	{                                                                                          \
		"format", id, "FORMAT", "table, csv or json (default: table)"                      \
	}
#define CLI_NO_HEADER_OPTION(id)                                                                   \
	{                                                                                          \
		"no-header", id, NULL, "leave out the header line (table and csv)"                 \
	}

/* Handles one of CLI_RECORD_OPTIONS; returns 1 when id was one of them, 0 if
 * not, -1 after reporting a usage error. */
int cli_record_option(const cli_command_info *info, cli_record_opts *o, int id, const char *arg);

/* Fills rs's context from the options (then CI, git, host), opens s's
 * store with o->db (cli_session_open: only now, so that nothing is
 * created before there is something to record), records rs, and prints
 * the one-line summary "recorded N results (…) for COMMIT on BRANCH,
 * machine M, run R into DB". Returns an exit code. */
int cli_record_into(cli_session *s, const cli_record_opts *o, perfdb_resultset *rs);

/* The steps of cli_record_into, for `perfdb record`, which writes a big run
 * in batches as it reads (cmd_record.c): */
/* Options over rs's metadata, its context filled, the store opened and the
 * machine checked; *differs (NULL, or for cli_record_warn_machine) is what
 * the check found. Returns 0, or an exit code with its message printed. */
int cli_record_prepare(cli_session *s, const cli_record_opts *o, perfdb_resultset *rs,
		       char **differs);
/* Warns that rs's machine name was recorded on other hardware (differs,
 * freed; NULL: nothing). */
void cli_record_warn_machine(const perfdb_resultset *rs, char *differs);
/* The samples of rs's results the store keeps (from two a result on). */
size_t cli_record_samples(const perfdb_resultset *rs);
/* The line "recorded N results (…) for COMMIT on BRANCH, machine M, run R
 * in DB", the metadata from run. */
void cli_record_report(cli_session *s, const cli_record_opts *o, const perfdb_resultset *run,
		       size_t n, size_t nsamples, int64_t run_id);

/* Prints the resultset's warnings on stderr. */
void cli_print_warnings(const perfdb_resultset *rs);

/* ---- commands --------------------------------------------------------------- */
/* What a command needs from the database, said once in main.c's table. */
enum cli_needs {
	CLI_DB_READ = 1 << 0,	    /* the database read-only */
	CLI_DB_WRITE = 1 << 1,	    /* the database read-write */
	CLI_DB_MUST_EXIST = 1 << 2, /* a missing database is an error, not a new file */
	CLI_DB_CONFIG = 1 << 3,	    /* with perfdb.yaml (or --config), which may name it */
};

/* A command of the table that main.c opens the database for: the command
 * parses its options, then calls cli_session_open with its --db and
 * --config; main.c closes the store and frees the configuration after it
 * returns. */
struct cli_session {
	unsigned needs;	       /* the table's CLI_DB_* flags; a command may drop
				  CLI_DB_WRITE for a subcommand that only reads */
	perfdb_store *store;   /* set by cli_session_open */
	perfdb_config *config; /* set with CLI_DB_CONFIG (NULL when there is none) */
};
typedef int (*cli_session_fn)(cli_session *s, int argc, char **argv);

/* Opens s->store (and s->config) as s->needs says, db_flag and
 * config_flag being the command's --db and --config (NULL when not
 * given); the only place the CLI opens a database (session.c). A second
 * call does nothing. Returns 0 or the exit code after printing the error:
 * 3 for a database that cannot be used (missing, with CLI_DB_MUST_EXIST),
 * 2 for a configuration that does not read. */
int cli_session_open(cli_session *s, const char *db_flag, const char *config_flag);
/* Closes the store and frees the configuration (main.c, after the command). */
void cli_session_close(cli_session *s);

int cmd_record(cli_session *s, int argc, char **argv);
int cmd_query(cli_session *s, int argc, char **argv);
int cmd_list(cli_session *s, int argc, char **argv);
int cmd_regress(cli_session *s, int argc, char **argv);
int cmd_compare(cli_session *s, int argc, char **argv);
int cmd_trend(cli_session *s, int argc, char **argv);
int cmd_report(cli_session *s, int argc, char **argv);
int cmd_baseline(cli_session *s, int argc, char **argv);
int cmd_alerts(cli_session *s, int argc, char **argv);
int cmd_bisect_plan(cli_session *s, int argc, char **argv);
int cmd_ack(cli_session *s, int argc, char **argv);
int cmd_merge(cli_session *s, int argc, char **argv);
int cmd_run(cli_session *s, int argc, char **argv);
int cmd_load(cli_session *s, int argc, char **argv);
int cmd_memtrack(cli_session *s, int argc, char **argv);

#endif
