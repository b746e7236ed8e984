/*
 * Library-internal: the JSON parser behind every JSON reader (json.h is the
 * layer the readers use; this is the tree it hands them).
 *
 * Why not jansson for reading: benchmark files are large (a Google Benchmark
 * file of 100,000 results is ~14 MB) and jansson builds a hash table per
 * object and a heap block per value, which alone takes longer than perfdb's
 * whole ingest budget; nor does it keep where a value was, which every input
 * error must name. This parser makes one pass over a private copy of the
 * input, allocates nodes from an arena, decodes strings in place, and keeps
 * line and column for every value and every object key. jansson is still
 * perfdb's JSON *writer*.
 *
 * What it accepts: RFC 8259 JSON text (any value at the top), plus
 *  - a leading UTF-8 byte order mark (editors write it);
 *  - the bare tokens NaN, -NaN, -nan, Infinity and -Infinity as numbers with
 *    `nonfinite` set, because Google Benchmark prints them. A quoted "NaN"
 *    is a string.
 * What it refuses, each with the position of the offending token: invalid
 * UTF-8 and control characters in strings, \u0000 (readers use C strings, so
 * it would silently cut a name short), lone UTF-16 surrogates, numbers that
 * overflow a double (1e999), duplicate keys in one object, nesting deeper
 * than PERFDB_JSON_MAX_DEPTH, a NUL byte or any text after the value.
 *
 * Positions are 1-based; columns count characters (UTF-8 code points), as
 * an editor shows them, and a byte order mark is not a column. An error at
 * the end of the input ("not closed") is placed just after the last token,
 * where the text was cut, not after trailing white space.
 *
 * Numbers: the value is exact (correctly rounded): Clinger's fast path when
 * the decimal mantissa is below 2^53 and the power of ten within 10^22, else
 * strtod in the C locale. `integer` says the number was written without a
 * fraction or exponent (jansson's integer/real distinction), whatever its
 * size: read it with care past 2^53.
 *
 * Packed arrays: an array of PERFDB_JPARSE_PACK_MIN items or more that are
 * all numbers (NaN and Infinity tokens included) gets no node per item (a
 * node and its pointer take 48 bytes; "1.5," takes 4): the array node keeps
 * its count, `packed` is set, and its items are read again from the text
 * when asked for, by the same conversion. perfdb_jnode_numbers reads them
 * all at once, perfdb_jitems_next one at a time with positions, and
 * perfdb_jnode_item makes nodes for all of them the first time it is
 * called (for readers that walk any array). The parser decides in its one
 * pass: an array whose first item is a number is scanned without nodes;
 * when an item that is not a number comes, or the array closes with fewer
 * items, it is parsed again from its '[' (each array at most twice, only
 * its numbers: still linear).
 */
#ifndef PERFDB_INGEST_JSON_PARSE_H
#define PERFDB_INGEST_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERFDB_JSON_MAX_DEPTH 512

typedef enum perfdb_jtype {
	PERFDB_JNULL = 0,
	PERFDB_JFALSE,
	PERFDB_JTRUE,
	PERFDB_JNUMBER,
	PERFDB_JSTRING,
	PERFDB_JARRAY,
	PERFDB_JOBJECT
} perfdb_jtype;

typedef struct perfdb_jnode perfdb_jnode;
typedef struct perfdb_jmember perfdb_jmember;
typedef struct perfdb_jpacked perfdb_jpacked;

struct perfdb_jnode {
	uint8_t type;	      /* perfdb_jtype */
	uint8_t nonfinite;    /* a NaN/Infinity token */
	uint8_t integer;      /* a number written without fraction or exponent */
	uint8_t packed;	      /* an array kept as its text: see "Packed arrays" */
	uint32_t index;	      /* position among the parent's items or members; 0 for the root */
	uint32_t line;	      /* 1-based position of the value's first character */
	uint32_t column;      /* 1-based, in characters */
	perfdb_jnode *parent; /* NULL for the root */
	union {
		double number;
		struct {
			const char *s; /* NUL-terminated, valid UTF-8, no NUL inside */
			size_t len;
		} str;
		struct {
			union {
				perfdb_jnode **items;	/* when !packed */
				perfdb_jpacked *packed; /* when packed: the parser's */
			};
			size_t count;
		} arr;
		struct {
			perfdb_jmember *members; /* in document order; keys are unique */
			size_t count;
		} obj;
	} u;
};

struct perfdb_jmember {
	const char *key; /* NUL-terminated, as str.s */
	uint32_t key_len;
	uint32_t line, column; /* of the key's opening quote */
	perfdb_jnode *value;   /* value->parent is the object, value->index this member's */
};

typedef struct perfdb_jdoc perfdb_jdoc;

/* perfdb_jdoc_parse's results other than 0. */
enum {
	PERFDB_JPARSE_SYNTAX = -1, /* err filled */
	PERFDB_JPARSE_NOMEM = -2,
	PERFDB_JPARSE_EMPTY = -3, /* nothing but white space (and a byte order mark) */
	PERFDB_JPARSE_LIMIT = -4  /* more values than perfdb_jparse_at's max_values; err filled */
};

/* Where and why a parse failed. message is NUL-terminated. */
typedef struct perfdb_jerror {
	int line, column;
	char message[160];
} perfdb_jerror;

/*
 * Parses len bytes of data (need not be NUL-terminated; the input is copied).
 * On success returns 0 and *out owns the whole tree (free with
 * perfdb_jdoc_free). Otherwise returns one of PERFDB_JPARSE_* and *out is
 * NULL; err (may be NULL) is filled for PERFDB_JPARSE_SYNTAX.
 */
int perfdb_jdoc_parse(perfdb_jdoc **out, const char *data, size_t len, perfdb_jerror *err);

/*
 * Where the text given to perfdb_jdoc_parse_at sits in a bigger document, so
 * that positions, depth limit and paths are the document's. For the big
 * arrays of a file read in pieces (json_stream.c): each item is parsed on
 * its own, and the rest of the document with the items cut out.
 */
typedef struct perfdb_jparse_at {
	uint32_t line, column; /* of the text's first byte; 0: the start of a document
				  (1:1, a byte order mark skipped) */
	int depth;	       /* containers open around the text */
	perfdb_jnode *parent;  /* parent and index of the text's top value (for paths) */
	uint32_t index;
	/* When not 0: the offset in the text just after a '[' or '{' whose
	 * contents were cut out; the text goes on there as at
	 * gap_line:gap_column. */
	size_t gap;
	uint32_t gap_line, gap_column;
	/* When not 0: the most values (nodes) the tree may have. A node takes
	 * 40-80 bytes and may be written in 2, so a part of a file that is
	 * never results (a context, a run's tags, ignored members) is bounded
	 * by this rather than by the file's size; packed numbers are not
	 * nodes. Past it: PERFDB_JPARSE_LIMIT at the value that passes. */
	size_t max_values;
	/* When not NULL: whether the member of key (len bytes, decoded) of the
	 * text's top value, an object, is one its reader ignores. Such a
	 * member's array or object is checked and its values counted (the same
	 * errors at the same places) but not built: the tree has it empty, at
	 * its place (an item's ignored member of a million values was held as
	 * a million nodes). */
	bool (*skip)(const char *key, size_t len);
} perfdb_jparse_at;

/* perfdb_jdoc_parse of a piece of a document (at may be NULL: a whole one).
 * at->parent is borrowed: it must outlive *out. */
int perfdb_jdoc_parse_at(perfdb_jdoc **out, const char *data, size_t len,
			 const perfdb_jparse_at *at, perfdb_jerror *err);

/* Zero bytes that a text given to perfdb_jdoc_check must have after its end
 * (its terminator and room for 8-byte loads). */
#define PERFDB_JPARSE_PADDING 9

/* perfdb_jdoc_parse_at of the caller's text, without a copy: text is
 * followed by PERFDB_JPARSE_PADDING zero bytes, is changed (strings are
 * decoded in place), and must outlive *out, whose strings and packed arrays
 * are in it. For an item of a file read in pieces, already in memory once. */
int perfdb_jdoc_parse_in_place(perfdb_jdoc **out, char *text, size_t len,
			       const perfdb_jparse_at *at, perfdb_jerror *err);

/* perfdb_jdoc_parse_in_place of text allocated with malloc, which *out then
 * owns (freed with it, or here when the parse fails): a piece the caller
 * put together is held once, not copied again. */
int perfdb_jdoc_parse_owned(perfdb_jdoc **out, char *text, size_t len, const perfdb_jparse_at *at,
			    perfdb_jerror *err);

/*
 * Syntax only: what perfdb_jdoc_parse would answer for the same bytes (0,
 * PERFDB_JPARSE_SYNTAX with the same err, PERFDB_JPARSE_EMPTY or
 * PERFDB_JPARSE_NOMEM), by the same scanner, without a tree or a copy. The
 * caller's text must be followed by PERFDB_JPARSE_PADDING zero bytes, and is
 * changed (strings are decoded in place). Memory: the keys of the objects
 * open at any one time, not the document. For a whole document, before
 * deciding to build its tree (json_stream.h's fallback).
 */
int perfdb_jdoc_check(char *text, size_t len, perfdb_jerror *err);

/*
 * perfdb_jdoc_check of a piece of a document placed as at says (NULL: a
 * whole one), whose values are counted as perfdb_jdoc_parse_at counts its
 * nodes (packed numbers are not), so that it answers what
 * perfdb_jdoc_parse_in_place would (PERFDB_JPARSE_LIMIT and err at the value
 * that passes at->max_values, or the same syntax error) without a tree: an
 * item too big to hold is refused in memory of its text. text as for
 * perfdb_jdoc_check (padded, changed: parse it no more).
 */
int perfdb_jdoc_count(char *text, size_t len, const perfdb_jparse_at *at, perfdb_jerror *err);

/* The values (nodes) perfdb_jdoc_parse_at would make of text[0, len),
 * packed numbers not counted, found by a scan of strings and brackets
 * alone: exact for valid JSON, anything for text that is not (the parser
 * then gives the error), SIZE_MAX when out of memory. For deciding, before
 * any tree, whether a piece of a document passes perfdb_jparse_at's
 * max_values. */
size_t perfdb_jparse__values(const char *text, size_t len);

/* The fewest items of an array kept packed (see "Packed arrays"). */
#define PERFDB_JPARSE_PACK_MIN 16

/* For tests that compare packed arrays with nodes: the fewest items of a
 * packed array in this thread's parses from now on (0: the default, SIZE_MAX:
 * never pack). */
void perfdb_jparse__set_pack_min(size_t n);

/* For tests of what is held: the tree nodes made by this thread's parses so
 * far (packed numbers and a check's values are not made). */
size_t perfdb_jparse__nodes_made(void);

/* Item i of array arr (packed or not), or NULL (not an array, i out of
 * range, or out of memory making the items of a packed array: it cannot be
 * told from out of range, so readers that must tell use perfdb_jitems).
 * Borrowed from the doc; the nodes of a packed array are made once, safely
 * from several threads. */
const perfdb_jnode *perfdb_jnode_item(const perfdb_jnode *arr, size_t i);

/* The values of the leading items of arr that are numbers (NaN and
 * infinities included), into out (room for perfdb_json__size(arr)), up to
 * the first item that is not one: returns how many were written (all of a
 * packed array's). 0 when arr is not an array. No node is made. */
size_t perfdb_jnode_numbers(const perfdb_jnode *arr, double *out);

/* The same values read a piece at a time, as often as asked, no node made
 * and nothing allocated: for a reader that does not hold all of a long
 * array's numbers at once (perfdb_resultset__add_unheld). Caller-owned. */
typedef struct perfdb_jnumbers {
	const perfdb_jnode *arr; /* NULL: not an array */
	size_t i;
	const char *p; /* packed: the text after item i - 1 */
} perfdb_jnumbers;

void perfdb_jnumbers_init(perfdb_jnumbers *it, const perfdb_jnode *arr);

/* The next up to cap of those values into out: how many. 0 after the last
 * (or at an item that is no number), and the call after that starts again
 * from the first. */
size_t perfdb_jnumbers_read(perfdb_jnumbers *it, double *out, size_t cap);

/* A walk over the items of an array, packed or not, that makes no node for
 * good: each item of a packed array is made in the walk's own node (type,
 * number, integer, nonfinite, position, parent and index as a node of the
 * tree would have), valid until the next call. Caller-owned; nothing to
 * release. */
typedef struct perfdb_jitems {
	const perfdb_jnode *arr;
	size_t i;
	const char *p; /* packed: the text after item i - 1 */
	uint32_t line, column;
	perfdb_jnode item;
} perfdb_jitems;

void perfdb_jitems_init(perfdb_jitems *it, const perfdb_jnode *arr);

/* The next item, or NULL after the last (and for what is not an array). */
const perfdb_jnode *perfdb_jitems_next(perfdb_jitems *it);

/* Frees doc and every node in it. Accepts NULL. */
void perfdb_jdoc_free(perfdb_jdoc *doc);

/* The top value, borrowed from doc. */
const perfdb_jnode *perfdb_jdoc_root(const perfdb_jdoc *doc);

/* The member record of `key` in obj (for its position), or NULL (also when
 * obj is NULL or not an object). */
const perfdb_jmember *perfdb_jnode_member(const perfdb_jnode *obj, const char *key);

/* Member `key` of an object, or NULL (as perfdb_jnode_member). */
const perfdb_jnode *perfdb_jnode_get(const perfdb_jnode *obj, const char *key);

#endif
