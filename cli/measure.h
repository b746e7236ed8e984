/* Pieces shared by the commands that measure a command: run and load. */
#ifndef PERFDB_CLI_MEASURE_H
#define PERFDB_CLI_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* A whole number in [min, max]; 0, or -1 when s is not one. */
int cli_parse_count(const char *s, unsigned long long min, unsigned long long max,
		    unsigned long long *out);

/* A finite number of seconds >= 0 (at most a year); 0, or -1. */
int cli_parse_seconds(const char *s, double *out);

/* "--format text|json" (table is taken as text); 0, or -1. */
int cli_parse_text_json(const char *s, bool *json);

/* The command line as one string (arguments with spaces or shell
 * characters single-quoted), as a benchmark name. Caller frees; NULL when
 * out of memory. */
char *cli_command_name(char *const *argv);

/* The progress line on stderr: shown only when stderr is a terminal and
 * NO_COLOR is unset; cli_progress rewrites it, cli_progress_clear erases it
 * before other output. */
bool cli_progress_enabled(void);
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_progress_clear(void);

#endif
