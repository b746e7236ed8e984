/*
 * Library-internal: pieces the load-tool readers share (wrk.c, ab.c, hey.c,
 * k6.c, locust.c, vegeta.c).
 *
 * The text reports of wrk, ab and hey are read line by line: a cursor gives
 * each line with its number, words are taken with their column, and numbers
 * go through perfdb_ingest__number, so "-nan" or "12abc" is never a value.
 * Every load-tool result is added through perfdb_load__add, which names the
 * metric's unit and direction the same way for every tool (lib/ingest/README.md,
 * "Load-test input").
 */
#ifndef PERFDB_INGEST_LOADTOOL_H
#define PERFDB_INGEST_LOADTOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "perfdb/resultset.h"
#include "util/error.h"

struct perfdb_ingest_window;

/* A line cursor over a text buffer, or over a window (lib/ingest/window.h):
 * `s`/`n` is the current line without its line break, `at` the offset of
 * its first byte; `line` its 1-based number. */
typedef struct perfdb_load_text {
	const char *data, *name;
	size_t len, pos, at;
	struct perfdb_ingest_window *w; /* NULL: the buffer data */
	const char *s;
	size_t n;
	int line;
	perfdb_resultset *rs; /* where warnings go */
	/* perfdb_load__pairs_begin: the pairs perfdb_load__put added, shared by
	 * copies of the cursor; NULL: every put searches every result */
	struct perfdb_load_pairs *pairs;
} perfdb_load_text;

void perfdb_load__text_init(perfdb_load_text *t, const char *data, size_t len, const char *name,
			    perfdb_resultset *rs);

/* The same over the input of w (borrowed), from its first byte. A failed
 * read ends the lines (w->ioerr). */
void perfdb_load__text_window(perfdb_load_text *t, struct perfdb_ingest_window *w, const char *name,
			      perfdb_resultset *rs);

/* Moves t so that the next line is the one at offset `at` (an offset a line
 * had in `at`), numbered line + 1. */
void perfdb_load__seek(perfdb_load_text *t, size_t at, int line);

/* From now on, perfdb_load__put of t (and of copies of it made after) finds
 * a pair given a second time through the fingerprints of the pairs it
 * added, not by searching every earlier result: a report of many lines is
 * not quadratic. 0 or PERFDB_ENOMEM; perfdb_load__pairs_end frees them. */
int perfdb_load__pairs_begin(perfdb_load_text *t);
void perfdb_load__pairs_end(perfdb_load_text *t);

/* The lines of t's input after the current one: at least the rows still to
 * come, to size their samples at once (perfdb_resultset__samples). A buffer's
 * only. */
size_t perfdb_load__lines_left(const perfdb_load_text *t);

/* Moves to the next line: true, or false at the end of the input. */
bool perfdb_load__next_line(perfdb_load_text *t);

/* Whether the current line, without leading blanks, starts with prefix; *rest
 * (may be NULL) is the offset just after it. */
bool perfdb_load__starts(const perfdb_load_text *t, const char *prefix, size_t *rest);

/* Whether the current line holds only blanks. */
bool perfdb_load__blank(const perfdb_load_text *t);

/* The next blank-separated word of the current line from *i: sets *start and
 * *wlen and moves *i past it; false when the line has no more words. */
bool perfdb_load__word(const perfdb_load_text *t, size_t *i, size_t *start, size_t *wlen);

/* The 1-based column (in characters) of byte offset off of the current line. */
int perfdb_load__column(const perfdb_load_text *t, size_t off);

/* PERFDB_EINPUT at the current line, byte offset off ("FILE:LINE:COL: ..."). */
int perfdb_load__fail(const perfdb_load_text *t, size_t off, const char *field, const char *fmt,
		      ...) PERFDB_PRINTF(4, 5);

/* A warning "FILE:LINE:COL: ..." at the current line, byte offset off. */
int perfdb_load__warn(const perfdb_load_text *t, size_t off, const char *fmt, ...)
    PERFDB_PRINTF(3, 4);

/*
 * Reads len bytes at s as a number: 0 and *out, 1 when it is a spelling of
 * NaN or infinity ("-nan", "NaN", "inf", "+Inf"), -1 when it is not a number.
 */
int perfdb_load__number(const char *s, size_t len, double *out);

/*
 * Reads "<number><unit>" (e.g. "4.42ms", "1.73k", "14.49MB"): the number as
 * perfdb_load__number, and the unit's offset and length.
 */
int perfdb_load__number_unit(const char *s, size_t len, double *out, size_t *unit_off);

/* Nanoseconds per unit for "ns", "us", "µs", "ms", "s", "m", "h"; 0 when not a time unit. */
double perfdb_load__time_unit(const char *unit, size_t len);

/* A metric name for a percentile given as text ("99.900" -> "latency_p99.9"):
 * prefix, then the number without trailing zeros. out has room for size bytes. */
void perfdb_load__percentile_metric(char *out, size_t size, const char *prefix, const char *pct,
				    size_t len);

/* How each load-test metric is stored. */
typedef enum perfdb_load_kind {
	PERFDB_LOAD_LATENCY,	/* ns, lower is better */
	PERFDB_LOAD_THROUGHPUT, /* req/s, higher is better */
	PERFDB_LOAD_RATE,	/* B/s or another per-second rate, higher is better */
	PERFDB_LOAD_COUNT,	/* unitless count of requests done, higher is better */
	PERFDB_LOAD_ERRORS,	/* unitless count of failures, lower is better */
	PERFDB_LOAD_ERROR_RATE, /* %, lower is better */
	PERFDB_LOAD_SUCCESS	/* %, higher is better */
} perfdb_load_kind;

/* Adds (benchmark, metric) = value of kind to rs. `unit` overrides the kind's
 * unit when not NULL (a rate other than B/s). n: observations (0 unknown). */
int perfdb_load__add(perfdb_resultset *rs, const char *benchmark, const char *metric,
		     perfdb_load_kind kind, double value, const char *unit, long long n);

/*
 * As perfdb_load__add, for a value read at byte offset off of the current
 * line of t: a (benchmark, metric) that rs already holds is refused there
 * (a report that repeats a section), and so is a value the resultset refuses.
 */
int perfdb_load__put(const perfdb_load_text *t, size_t off, perfdb_resultset *rs,
		     const char *benchmark, const char *metric, perfdb_load_kind kind, double value,
		     const char *unit, long long n);

/*
 * err of adding a result whose samples v (n) are one a non-blank row of t
 * from the row after (at, line) (the current position and line of t after
 * its header: as perfdb_load__seek takes them), such as ab's -g and hey's
 * CSV: a refusal (a sample not finite once scaled to ns) raised again at the
 * row of the first sample that is not finite (perfdb_ingest__placed). t is
 * moved. For the error path only.
 */
int perfdb_load__placed_row(perfdb_load_text *t, size_t at, int line, const double *v, size_t n,
			    int err);

#endif
