/*
 * Library-internal: the JSON layer shared by the JSON readers (Google
 * Benchmark, hyperfine, perfdb native).
 *
 * perfdb_json__load parses a buffer with perfdb's own parser (json_parse.h)
 * into a tree of perfdb_jnode that knows where every value is, so a reader
 * that finds a wrong value while walking the tree names its line, column and
 * path (`benchmarks[3].real_time`):
 *
 *	perfdb_json_doc *doc;
 *	if ((err = perfdb_json__load(&doc, data, len, name)))
 *		return err;                          // EINPUT / EFORMAT / ENOMEM set
 *	const perfdb_jnode *b = ...;                 // some object inside doc
 *	double t;
 *	if ((err = perfdb_json__member_number(doc, b, "real_time", true, &t)) < 0)
 *		goto fail;                           // "f.json:12:20: field
 *	                                             //  'benchmarks[3].real_time': ..."
 *	...
 *	perfdb_json__free(doc);
 *
 * Non-finite numbers: Google Benchmark prints bare NaN, -NaN, Infinity and
 * -Infinity, which JSON does not have. They are numbers here (nonfinite set,
 * read as NAN / +-INFINITY by perfdb_json__number), so a reader sees them and
 * refuses or skips them on purpose; a quoted "NaN" is a string.
 *
 * Duplicate object keys are a syntax error at the repeated key (a second
 * value would otherwise be one a reader silently never looks at).
 *
 * All positions are 1-based; columns count Unicode characters. A doc is
 * immutable once loaded: it may be read from several threads.
 */
#ifndef PERFDB_INGEST_JSON_H
#define PERFDB_INGEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/resultset_internal.h"
#include "ingest/json_parse.h"
#include "util/error.h"

typedef struct perfdb_json_doc perfdb_json_doc;

/**
 * Parses len bytes of data (need not be NUL-terminated) into *out.
 * `name` (a path, "<stdin>"; may be NULL) is copied and used in errors.
 * Errors: PERFDB_EINPUT "empty input" (nothing but white space and perhaps
 * a byte order mark), PERFDB_EINPUT "NAME:LINE:COL: invalid JSON: ..." for a
 * syntax error (see json_parse.h for what is refused), PERFDB_ENOMEM. On
 * error *out is NULL.
 */
int perfdb_json__load(perfdb_json_doc **out, const char *data, size_t len, const char *name);

/* What perfdb_json__load_at returns when the tree passed at->max_values:
 * the error is raised (PERFDB_EINPUT, "NAME:LINE:COL: more than N values"),
 * for the caller that set the limit to say more and return PERFDB_EINPUT. */
#define PERFDB_JSON__LIMIT (-1001)

/**
 * perfdb_json__load of a document whose tree may hold at most max_values
 * values (packed numbers aside): past them, PERFDB_EINPUT "NAME:LINE:COL:
 * more than MAX values (WHY)" at the value that passes, why saying what such
 * a document holds ("a k6 summary holds a few thousand"). For the readers
 * that take a whole document of a kind that is always small.
 */
int perfdb_json__load_bounded(perfdb_json_doc **out, const char *data, size_t len, const char *name,
			      size_t max_values, const char *why);

/** perfdb_json__load of a piece of a document (json_parse.h; at may be NULL). */
int perfdb_json__load_at(perfdb_json_doc **out, const char *data, size_t len, const char *name,
			 const perfdb_jparse_at *at);

/**
 * perfdb_json__load's verdict on the syntax of a whole document, without a
 * tree: 0 or the same error (json_parse.h's perfdb_jdoc_check: text is
 * followed by PERFDB_JPARSE_PADDING zero bytes and is changed).
 */
int perfdb_json__check(char *text, size_t len, const char *name);

/** Frees doc and its tree. Accepts NULL. */
void perfdb_json__free(perfdb_json_doc *doc);

/** The root value (any JSON type), borrowed from doc. */
const perfdb_jnode *perfdb_json__root(const perfdb_json_doc *doc);

/** The name given to perfdb_json__load ("" when none), borrowed. */
const char *perfdb_json__name(const perfdb_json_doc *doc);

/* --- reading values (all accept NULL for "absent") ---------------------------- */

static inline bool perfdb_json__is_object(const perfdb_jnode *v)
{
	return v && v->type == PERFDB_JOBJECT;
}

static inline bool perfdb_json__is_array(const perfdb_jnode *v)
{
	return v && v->type == PERFDB_JARRAY;
}

static inline bool perfdb_json__is_string(const perfdb_jnode *v)
{
	return v && v->type == PERFDB_JSTRING;
}

static inline bool perfdb_json__is_bool(const perfdb_jnode *v)
{
	return v && (v->type == PERFDB_JTRUE || v->type == PERFDB_JFALSE);
}

static inline bool perfdb_json__is_null(const perfdb_jnode *v)
{
	return v && v->type == PERFDB_JNULL;
}

/** A string's value (NUL-terminated, borrowed from the doc), or NULL for anything else. */
static inline const char *perfdb_json__string(const perfdb_jnode *v)
{
	return v && v->type == PERFDB_JSTRING ? v->u.str.s : NULL;
}

/** Member `key` of object obj, or NULL (also when obj is not an object). */
static inline const perfdb_jnode *perfdb_json__get(const perfdb_jnode *obj, const char *key)
{
	return perfdb_jnode_get(obj, key);
}

/** The number of items of an array or members of an object; 0 for anything else. */
static inline size_t perfdb_json__size(const perfdb_jnode *v)
{
	if (v && v->type == PERFDB_JARRAY)
		return v->u.arr.count;
	if (v && v->type == PERFDB_JOBJECT)
		return v->u.obj.count;
	return 0;
}

/** Item i of an array, or NULL (not an array, or i out of range). A packed
 *  array of numbers (json_parse.h) gets a node an item the first time: a
 *  reader of a long array of numbers reads it with perfdb_json__numbers, or
 *  walks it with perfdb_jitems, and asks for no item. */
static inline const perfdb_jnode *perfdb_json__item(const perfdb_jnode *arr, size_t i)
{
	if (!arr || arr->type != PERFDB_JARRAY || i >= arr->u.arr.count)
		return NULL;
	return arr->packed ? perfdb_jnode_item(arr, i) : arr->u.arr.items[i];
}

/**
 * The values of arr's items into out (room for perfdb_json__size(arr)),
 * from the first up to the first item that is not a number (NaN and
 * infinities are numbers, as for perfdb_json__number): returns how many
 * were written, perfdb_json__size(arr) when all are numbers. Makes no node
 * for a packed array. 0 when arr is not an array.
 */
/* Numbers a reader takes unheld (perfdb_json__unheld; caller-owned). */
typedef struct perfdb_json_unheld {
	bool on;		   /* for the reader: taken so */
	double maxabs;		   /* for the reader: perfdb_ingest__scan_unheld's */
	perfdb_unheld src;	   /* reads them */
	const perfdb_jnode *outer; /* nested: the array of arrays; else NULL */
	size_t next;		   /* nested: the inner array after it's */
	perfdb_jnumbers it;
} perfdb_json_unheld;

/* When arr is a packed array (json_parse.h) of as many numbers as rs takes
 * unheld (perfdb_resultset__unheld_ok), or, nested, an array of packed
 * arrays with as many in all (JMH's rawData forks, read one after another):
 * u->src set to read them again from the text (as long as u lives), *n
 * their count, and true. False otherwise: the reader takes them the usual
 * way. */
bool perfdb_json__unheld(const perfdb_resultset *rs, const perfdb_jnode *arr, bool nested,
			 perfdb_json_unheld *u, size_t *n);

static inline size_t perfdb_json__numbers(const perfdb_jnode *arr, double *out)
{
	return perfdb_jnode_numbers(arr, out);
}

/** Member i (document order) of an object, or NULL: for walking every member,
 *  `for (i = 0; (m = perfdb_json__member_at(obj, i)); i++)`. */
static inline const perfdb_jmember *perfdb_json__member_at(const perfdb_jnode *obj, size_t i)
{
	return obj && obj->type == PERFDB_JOBJECT && i < obj->u.obj.count ? &obj->u.obj.members[i]
									  : NULL;
}

/**
 * Item i of arr as perfdb_json__item, but for a packed array made in walk
 * (valid until walk is used again) by reading the text up to it, so no
 * node is made for the others: for naming an item in an error. NULL when
 * there is no such item.
 */
const perfdb_jnode *perfdb_json__item_at(const perfdb_jnode *arr, size_t i, perfdb_jitems *walk);

/**
 * Reads a number: true with *out set when v is a JSON number, or one of the
 * bare tokens NaN/-NaN (*out = NAN) and Infinity/-Infinity (+-INFINITY).
 * False (out untouched) for anything else, including NULL and strings.
 */
static inline bool perfdb_json__number(const perfdb_jnode *v, double *out)
{
	if (!v || v->type != PERFDB_JNUMBER)
		return false;
	*out = v->u.number;
	return true;
}

/**
 * Reads an integer: true with *out set when v is a number written without
 * fraction or exponent ("3", not "3.0" or "3e0") whose value fits int64_t.
 */
bool perfdb_json__integer(const perfdb_jnode *v, int64_t *out);

/**
 * Reads member `key` of object obj as a number (see perfdb_json__number).
 * Returns 0 and sets *out when present; when absent, returns 1 and sets *out
 * to NAN if !required, else fails. A present value of another type
 * (including null) fails. Errors: PERFDB_EINPUT naming the position and path.
 */
int perfdb_json__member_number(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			       bool required, double *out);

/**
 * Reads member `key` of object obj as a string (borrowed from doc). Same
 * return convention as perfdb_json__member_number (*out = NULL when absent).
 */
int perfdb_json__member_string(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			       bool required, const char **out);

/**
 * As perfdb_json__member_number and perfdb_json__member_string, for a member
 * the caller has already found: v is member `key` of obj, or NULL when obj has
 * no such member (obj and key then place the "missing" error). For readers
 * that look a row's members up in one pass.
 */
int perfdb_json__value_number(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			      const perfdb_jnode *v, bool required, double *out);
int perfdb_json__value_string(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			      const perfdb_jnode *v, bool required, const char **out);

/**
 * Writes v as compact JSON text into *out (malloc'd, the caller frees it),
 * through jansson, perfdb's one JSON writer. Numbers keep 15 significant
 * digits; NaN and infinities, which JSON cannot carry, become null.
 * Errors: PERFDB_ENOMEM.
 */
int perfdb_json__dump(const perfdb_jnode *v, char **out);

/* --- positions and errors ----------------------------------------------------- */

/**
 * Where a value is. node is a value inside doc (NULL: the root). With key
 * NULL: the position of node itself. With key: the position of the value of
 * member `key` of object node, or of node itself when it has no such member.
 * Writes line and column (1-based).
 */
void perfdb_json__where(const perfdb_json_doc *doc, const perfdb_jnode *node, const char *key,
			int *line, int *column);

/** The position of item `index` of array (of array itself when there is no such item).
 *  Makes no node for a packed array (it reads its text up to the item). */
void perfdb_json__where_item(const perfdb_json_doc *doc, const perfdb_jnode *array, size_t index,
			     int *line, int *column);

/**
 * The path of node (NULL: root), followed by ".key" when key is given:
 * "benchmarks[3].real_time"; "" for the root. Writes at most cap bytes
 * (always NUL-terminated when cap > 0), truncating long paths.
 */
void perfdb_json__path(const perfdb_json_doc *doc, const perfdb_jnode *node, const char *key,
		       char *buf, size_t cap);

/**
 * Raises PERFDB_EINPUT about node (and member key, as for perfdb_json__where
 * and perfdb_json__path): "NAME:LINE:COL: field 'PATH': MESSAGE". Returns
 * PERFDB_EINPUT so readers can write `return perfdb_json__error(...)`.
 */
/* The array under key in the document's root object, into *out: the
 * shape gbench, hyperfine, pytest-benchmark and BenchmarkDotNet files share.
 * A root that is not an object, a missing key (what says which tool's file
 * was expected: "not hyperfine --export-json output?") or a value that is
 * not an array is an input error at its place. */
int perfdb_json__root_array(const perfdb_jnode **out, const perfdb_json_doc *doc, const char *key,
			    const char *what);

int perfdb_json__error(const perfdb_json_doc *doc, const perfdb_jnode *node, const char *key,
		       const char *fmt, ...) PERFDB_PRINTF(4, 5);

/**
 * perfdb_ingest__placed (reader.h) at node (and member key, as for
 * perfdb_json__where) of doc: a resultset's refusal of what a reader made
 * of that value, raised again at its place. For the error path only.
 */
int perfdb_json__placed(int err, const perfdb_json_doc *doc, const perfdb_jnode *node,
			const char *key);

/** As perfdb_json__error, about item `index` of array `array`. */
int perfdb_json__error_item(const perfdb_json_doc *doc, const perfdb_jnode *array, size_t index,
			    const char *fmt, ...) PERFDB_PRINTF(4, 5);

/**
 * "BASE [k=v,...]" into *buf (grown as needed; *cap its size): base, then the
 * members of the object params sorted by key, the shape hyperfine's
 * parameters and JMH's params give a series name. A NULL, null or empty
 * params gives base alone. Values must be strings, or, when `numbers`,
 * finite numbers too (written as integers or with %.17g); anything else is
 * an input error at the value. Errors: PERFDB_EINPUT, PERFDB_ENOMEM.
 */
int perfdb_json__name_with_params(const perfdb_json_doc *doc, const perfdb_jnode *params,
				  const char *base, bool numbers, char **buf, size_t *cap);

/** A short name of v's JSON type for messages: "an object", "a string", "null", "NaN", ... */
const char *perfdb_json__type_name(const perfdb_jnode *v);

#endif
