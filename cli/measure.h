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

/* A duration in ns as "812 ns", "10.3 us", "1.234 ms", "2.500 s" (4
 * significant digits); "n/a" for NAN. */
void cli_format_ns(char *buf, size_t cap, double ns);

/* A byte count as "812 B", "1.4 KiB", "12.5 MiB"; "n/a" for NAN. */
void cli_format_bytes(char *buf, size_t cap, double bytes);

/* The command line as one string (arguments with spaces or shell
 * characters single-quoted), as a benchmark name. Caller frees; NULL when
 * out of memory. */
char *cli_command_name(char *const *argv);

/* A JSON number, or null for NAN and infinities (JSON has neither). */
json_t *cli_json_number(double v);

/* Prints a JSON document and a newline on stdout, and frees it. Returns 0,
 * or -1 when out of memory. */
int cli_json_print(json_t *doc);

/* The progress line on stderr: shown only when stderr is a terminal and
 * NO_COLOR is unset; cli_progress rewrites it, cli_progress_clear erases it
 * before other output. */
bool cli_progress_enabled(void);
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_progress_clear(void);

#endif
