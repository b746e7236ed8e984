/*
 * Library-internal: a small, strict XML pull tokenizer for the result files
 * of test frameworks (Catch2's XML reporter). Not a general XML parser: no
 * DTD (a <!DOCTYPE> is refused, so no entity can be declared), no namespaces
 * processing (a prefix is part of the name). What it does check: well-formed
 * tags, matching end tags, quoted attributes without duplicates (at most
 * PERFDB_XML_MAX_ATTRS a tag), the five
 * predefined entities and numeric character references (decoded to UTF-8;
 * anything else after '&' is an error), comments, processing instructions
 * and CDATA, nesting no deeper than PERFDB_XML_MAX_DEPTH, exactly one root
 * element and nothing but white space, comments and PIs around it.
 *
 *	perfdb_xml x;
 *	perfdb_xml_event ev;
 *	perfdb_xml__init(&x, data, len, name);
 *	while ((err = perfdb_xml__next(&x, &ev)) == 0 && ev.type != PERFDB_XML_EOF)
 *		...;              // ev.name, ev.attrs, ev.line, ev.column
 *	perfdb_xml__release(&x);
 *
 * Errors are PERFDB_EINPUT "NAME:LINE:COL: invalid XML: ..." (columns count
 * characters) or PERFDB_ENOMEM. Strings in an event are borrowed until the
 * next call.
 */
#ifndef PERFDB_INGEST_XML_H
#define PERFDB_INGEST_XML_H

#include <stdbool.h>
#include <stddef.h>

#define PERFDB_XML_MAX_DEPTH 256
/* The most attributes one tag may have (a test framework's have a dozen):
 * each is checked against the tag's others. */
#define PERFDB_XML_MAX_ATTRS 1024

typedef enum perfdb_xml_type {
	PERFDB_XML_START, /* <name attr="v"...> or the start of <name/> */
	PERFDB_XML_END,	  /* </name>, or the end of <name/> (name set) */
	PERFDB_XML_TEXT,  /* character data, entities decoded (not all white space) */
	PERFDB_XML_EOF
} perfdb_xml_type;

typedef struct perfdb_xml_attr {
	const char *name, *value; /* NUL-terminated; value decoded */
	int line, column;	  /* of the attribute name */
} perfdb_xml_attr;

/* Where an event starts, to read from there again (perfdb_xml__init_at). */
typedef struct perfdb_xml_mark {
	size_t pos, line_start;
	int line;
} perfdb_xml_mark;

typedef struct perfdb_xml_event {
	perfdb_xml_type type;
	const char *name; /* element name (START, END); text (TEXT) */
	const perfdb_xml_attr *attrs;
	size_t nattrs;
	int line, column;   /* of the '<' (or of the text) */
	int depth;	    /* of the element: the root is 1 */
	perfdb_xml_mark at; /* of the '<' (START) */
} perfdb_xml_event;

typedef struct perfdb_xml {
	const char *data, *name;
	size_t len, pos;
	int line;
	size_t line_start;
	/* the last column worked out (column_at): at col_pos of the line that
	 * starts at col_line; a later one counts on from there, so a file on
	 * one line is not counted from its start at every tag (quadratic) */
	size_t col_line, col_pos;
	int col;
	char *buf; /* decoded names and values of the current event */
	size_t buflen, bufcap;
	perfdb_xml_attr *attrs;
	size_t *attr_off; /* offsets into buf while buf may move */
	size_t nattrs, capattrs;
	size_t stack[PERFDB_XML_MAX_DEPTH]; /* offsets into names of open elements */
	char *names;
	size_t nameslen, namescap;
	int depth;
	bool seen_root, pending_end; /* <x/>: the END comes on the next call */
} perfdb_xml;

void perfdb_xml__init(perfdb_xml *x, const char *data, size_t len, const char *name);
void perfdb_xml__release(perfdb_xml *x);
/* Reads data again from the START event marked `at`, as if its element were
 * the root (depth 1; the caller stops at its END), its positions as before. */
void perfdb_xml__init_at(perfdb_xml *x, const char *data, size_t len, const char *name,
			 const perfdb_xml_mark *at);

/* The next event in *ev. 0, PERFDB_EINPUT or PERFDB_ENOMEM (error set). */
int perfdb_xml__next(perfdb_xml *x, perfdb_xml_event *ev);

/* The value of attribute `name` of ev, or NULL. */
const perfdb_xml_attr *perfdb_xml__attr(const perfdb_xml_event *ev, const char *name);

#endif
