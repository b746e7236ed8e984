/*
 * Library-internal: the JSON layer shared by the JSON readers (Google
 * Benchmark, hyperfine, perfdb native).
 *
 * perfdb_json__load parses a buffer with jansson and builds a position index,
 * so a reader that finds a wrong value while walking the tree can name the
 * line, column and path (`benchmarks[3].real_time`) of that value:
 *
 *	perfdb_json_doc *doc;
 *	if ((err = perfdb_json__load(&doc, data, len, name)))
 *		return err;                          // EINPUT / EFORMAT / ENOMEM set
 *	json_t *b = ...;                             // some object inside doc
 *	double t;
 *	if ((err = perfdb_json__member_number(doc, b, "real_time", 1, &t)) < 0)
 *		goto fail;                           // "f.json:12:20: field
 *	                                             //  'benchmarks[3].real_time': ..."
 *	...
 *	perfdb_json__free(doc);
 *
 * Non-finite numbers: Google Benchmark prints bare NaN, -NaN, Infinity and
 * -Infinity, which JSON does not have. They are accepted (outside strings
 * only) and read back through perfdb_json__number as NAN / +-INFINITY, so a
 * reader sees them and refuses or skips them on purpose; a quoted "NaN" stays
 * a string. jansson sees such a token as a placeholder string: never read
 * numbers with json_number_value, always with perfdb_json__number.
 *
 * Duplicate object keys are a syntax error (the position index pairs the
 * text with jansson's insertion-ordered objects, and a duplicate would be a
 * silently dropped value anyway).
 *
 * All positions are 1-based; columns count Unicode characters, as jansson's.
 *
 * Cost: parsing is jansson's plus one copy of the text, kept until the
 * position index is first needed (perfdb_json__where/path/error, or at load
 * when the text has bare NaN/Infinity tokens); the index is then built in one
 * pass and the copy freed. Building it lazily changes the doc, so one doc must
 * not be used from two threads at once.
 */
#ifndef PERFDB_INGEST_JSON_H
#define PERFDB_INGEST_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

typedef struct perfdb_json_doc perfdb_json_doc;

/**
 * Parses len bytes of data (need not be NUL-terminated) into *out.
 * `name` (a path, "<stdin>"; may be NULL) is copied and used in errors.
 * Errors: PERFDB_EFORMAT "empty input" (nothing but white space),
 * PERFDB_EINPUT for a syntax error (jansson's line and column),
 * PERFDB_ENOMEM. On error *out is NULL.
 */
int perfdb_json__load(perfdb_json_doc **out, const char *data, size_t len, const char *name);

/** Frees doc and its tree. Accepts NULL. */
void perfdb_json__free(perfdb_json_doc *doc);

/** The root value (any JSON type), borrowed from doc. */
json_t *perfdb_json__root(const perfdb_json_doc *doc);

/** The name given to perfdb_json__load ("" when none), borrowed. */
const char *perfdb_json__name(const perfdb_json_doc *doc);

/**
 * Reads a number: true with *out set when v is a JSON integer or real, or one
 * of the bare tokens NaN/-NaN (*out = NAN) and Infinity/-Infinity (+-INFINITY).
 * False (out untouched) for anything else, including NULL and strings.
 */
bool perfdb_json__number(const perfdb_json_doc *doc, const json_t *v, double *out);

/**
 * Reads member `key` of object obj as a number (see perfdb_json__number).
 * Returns 0 and sets *out when present; when absent, returns 1 and sets *out
 * to NAN if !required, else fails. A present value of another type
 * (including null) fails. Errors: PERFDB_EINPUT naming the position and path.
 */
int perfdb_json__member_number(const perfdb_json_doc *doc, const json_t *obj, const char *key,
			       bool required, double *out);

/**
 * Reads member `key` of object obj as a string (borrowed from doc). Same
 * return convention as perfdb_json__member_number (*out = NULL when absent).
 */
int perfdb_json__member_string(const perfdb_json_doc *doc, const json_t *obj, const char *key,
			       bool required, const char **out);

/**
 * Where a value is. node is a value inside doc (NULL: the root). With key
 * NULL: the position of node itself. With key: the position of member `key`
 * of object node, or of node itself when it has no such member.
 * Writes line and column (1-based; 0 when node is not from doc, or is a
 * true/false/null literal passed directly, which jansson shares between
 * documents; pass its parent and key instead).
 */
void perfdb_json__where(const perfdb_json_doc *doc, const json_t *node, const char *key, int *line,
			int *column);

/**
 * The path of node (NULL: root), followed by ".key" when key is given:
 * "benchmarks[3].real_time"; "" for the root. Writes at most cap bytes
 * (always NUL-terminated when cap > 0), truncating long paths.
 */
void perfdb_json__path(const perfdb_json_doc *doc, const json_t *node, const char *key, char *buf,
		       size_t cap);

/**
 * Raises PERFDB_EINPUT about node (and member key, as for perfdb_json__where
 * and perfdb_json__path): "NAME:LINE:COL: field 'PATH': MESSAGE". Returns
 * PERFDB_EINPUT so readers can write `return perfdb_json__error(...)`.
 */
int perfdb_json__error(const perfdb_json_doc *doc, const json_t *node, const char *key,
		       const char *fmt, ...) PERFDB_PRINTF(4, 5);

/** As perfdb_json__error, about item `index` of array `array`. */
int perfdb_json__error_item(const perfdb_json_doc *doc, const json_t *array, size_t index,
			    const char *fmt, ...) PERFDB_PRINTF(4, 5);

/** The position of item `index` of array (as perfdb_json__where). */
void perfdb_json__where_item(const perfdb_json_doc *doc, const json_t *array, size_t index,
			     int *line, int *column);

/** A short name of v's JSON type for messages: "object", "string", "null", "NaN", ... */
const char *perfdb_json__type_name(const perfdb_json_doc *doc, const json_t *v);

#endif
