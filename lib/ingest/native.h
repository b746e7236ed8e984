/*
 * Library-internal: the perfdb native format, independent of its syntax.
 *
 * native_json.c (perfdb's JSON parser, through json.h) and native_yaml.c (libyaml) each
 * describe their parsed tree through a perfdb_native_ops table; one validator
 * (native.c) walks it. So the two syntaxes accept exactly the same documents
 * and report the same errors, word for word, with the same field paths
 * ("results[2].value"); only the line and column come from the syntax.
 */
#ifndef PERFDB_INGEST_NATIVE_H
#define PERFDB_INGEST_NATIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/resultset_internal.h"
#include "perfdb/resultset.h"

/* The kinds of values the validator distinguishes. */
typedef enum perfdb_native_kind {
	PERFDB_NATIVE_NULL,
	PERFDB_NATIVE_BOOL,
	PERFDB_NATIVE_NUMBER, /* including NaN and infinities, which are refused later */
	PERFDB_NATIVE_STRING,
	PERFDB_NATIVE_MAP,
	PERFDB_NATIVE_SEQ
} perfdb_native_kind;

/* One member of a map, filled by ops->next. */
typedef struct perfdb_native_entry {
	const char *key;      /* NUL-terminated, borrowed from the tree */
	const void *key_node; /* where the key is (YAML), or NULL (JSON) */
	const void *value;
	const void *it; /* the backend's iteration state; NULL before the first call */
} perfdb_native_entry;

typedef struct perfdb_native_ops {
	perfdb_native_kind (*kind)(void *ctx, const void *node);
	/* The text of a scalar: a string's value, "true"/"false" for a boolean
	 * (as written in YAML), a number as written when the syntax keeps it
	 * (YAML; JSON gives NULL and the validator formats the value). NULL for
	 * null, maps and sequences. */
	const char *(*text)(void *ctx, const void *node);
	/* A number's value (NaN and infinities included); false for non-numbers. */
	bool (*number)(void *ctx, const void *node, double *out);
	size_t (*length)(void *ctx, const void *seq);
	/* Item i of seq. A backend that keeps a long sequence of numbers packed
	 * (see numbers) may make the item on demand: the pointer is then valid
	 * only until the next call to item. */
	const void *(*item)(void *ctx, const void *seq, size_t i);
	/* Optional (may be NULL). When the backend keeps seq as packed numbers
	 * (no node an item), writes its length(seq) values, NaN and infinities
	 * included, to out and returns 1; returns 0 for any other seq (the
	 * validator then reads item by item), or a negative PERFDB_E* error
	 * already raised. The values are exactly what number() would give for
	 * each item. */
	int (*numbers)(void *ctx, const void *seq, double *out);
	/* Optional (may be NULL). When seq is kept as packed numbers that rs
	 * takes unheld (perfdb_resultset__unheld_ok): sets src to read them
	 * again, the values numbers() would give, until the next call, and
	 * returns true; false for any other seq. */
	bool (*unheld)(void *ctx, const void *seq, const perfdb_resultset *rs, perfdb_unheld *src);
	/* Advances e through map: 1 with e filled, 0 at the end, or a negative
	 * PERFDB_E* error already raised (a key that is not a scalar). */
	int (*next)(void *ctx, const void *map, perfdb_native_entry *e);
	/* Where a value is: node itself, or (when node is NULL or the backend
	 * prefers it) member `key` of parent, or item `index` of parent when
	 * key is NULL. For an unknown key the validator passes the entry's
	 * key_node as node. 1-based; 0 when unknown. */
	void (*where)(void *ctx, const void *node, const void *parent, const char *key,
		      size_t index, int *line, int *column);
	/* YAML: a plain scalar written where a string belongs is that string
	 * (`commit: 1234567`); JSON: only strings are strings. */
	bool scalars_are_text;
} perfdb_native_ops;

/* The items of `results` read one at a time, outside the tree (a JSON file
 * in bounded memory: json_stream.h); the tree's `results` is then empty. */
typedef struct perfdb_native_stream {
	/* Calls each(vctx, item, index) for every item in order and sets
	 * *count: 0, each's error, or an error of its own. */
	int (*items)(void *ctx, int (*each)(void *vctx, const void *item, size_t index), void *vctx,
		     size_t *count);
	/* The error to return instead of err, found before the items were read
	 * (perfdb_json__stream_fail). */
	int (*fail)(void *ctx, int err);
	void *ctx;
} perfdb_native_stream;

/*
 * Validates the document rooted at root and, when all of it is valid, merges
 * its run metadata, tags, context and results into rs. `name` names the
 * input in errors. stream: NULL, or where the items of results come from.
 * Errors: PERFDB_EINPUT (position and field path set), PERFDB_ENOMEM, and
 * stream's. On error rs is unchanged.
 */
int perfdb_ingest__native(perfdb_resultset *rs, const perfdb_native_ops *ops, void *ctx,
			  const void *root, const char *name, const perfdb_native_stream *stream);

#endif
