/*
 * Library-internal: a fast JSON parser for the readers.
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
 * Accepted beyond RFC 8259, because Google Benchmark prints them: the bare
 * tokens NaN, -NaN, Infinity and -Infinity as numbers (flagged nonfinite).
 * Duplicate keys are kept in order; lookups return the first.
 */
#ifndef PERFDB_INGEST_JSON_PARSE_H
#define PERFDB_INGEST_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct perfdb_jnode {
	uint8_t type;       /* perfdb_jtype */
	uint8_t nonfinite;  /* a NaN/Infinity token */
	uint8_t integer;    /* a number written without fraction or exponent */
	uint32_t line;      /* 1-based position of the value's first character */
	uint32_t column;    /* 1-based, in bytes */
	perfdb_jnode *parent;
	union {
		double number;
		struct {
			const char *s; /* NUL-terminated, may contain NUL if escaped \u0000 */
			size_t len;
		} str;
		struct {
			perfdb_jnode **items;
			size_t count;
		} arr;
		struct {
			perfdb_jmember *members;
			size_t count;
		} obj;
	} u;
};

struct perfdb_jmember {
	const char *key;
	size_t key_len;
	uint32_t line, column; /* of the key */
	perfdb_jnode *value;
};

typedef struct perfdb_jdoc perfdb_jdoc;

/* Parses len bytes of data. On success *out owns everything (free with
 * perfdb_jdoc_free) and perfdb_jdoc_root is the top value. On a syntax error
 * returns -1 and fills line, column and a static message; *out is NULL.
 * Returns -2 when out of memory. Empty input (white space only) is a syntax
 * error "empty input" at 1:1 — callers check for it first if they want a
 * different error. */
int perfdb_jdoc_parse(perfdb_jdoc **out, const char *data, size_t len, int *line, int *column,
		      const char **message);
void perfdb_jdoc_free(perfdb_jdoc *doc);
perfdb_jnode *perfdb_jdoc_root(const perfdb_jdoc *doc);

/* Member `key` of an object, or NULL (also when obj is not an object). */
perfdb_jnode *perfdb_jnode_get(const perfdb_jnode *obj, const char *key);
/* The member record of key (for its position), or NULL. */
const perfdb_jmember *perfdb_jnode_member(const perfdb_jnode *obj, const char *key);

#endif
