/*
 * Library-internal: loads a YAML document from libyaml's event stream, for
 * the native YAML reader and perfdb.yaml.
 *
 * libyaml's own loader (yaml_parser_load) builds the whole tree before a
 * caller can look at it and is quadratic in flow nesting: 100,000 nested
 * '[' take half a minute. This one builds the same yaml_document_t node by
 * node and stops at the first node nested deeper than PERFDB_YAML_MAX_DEPTH
 * (the JSON reader's limit), so hostile input costs time linear in what was
 * read. Aliases resolve to the anchored node, as with yaml_parser_load, but
 * only to a node already complete (no cycles), and the tree they expand to
 * is bounded (no "billion laughs").
 */
#ifndef PERFDB_INGEST_YAML_LOAD_H
#define PERFDB_INGEST_YAML_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define PERFDB_YAML_MAX_DEPTH 512

/*
 * Loads the one document of `parser` (its input already set) into *doc.
 * On success returns 0 and *doc must be freed with yaml_document_delete; an
 * empty stream gives a document without a root node. Unlike
 * yaml_parser_load's, a node with the default tag has none (tag NULL), and
 * an empty collection no items array (its start NULL): a file of 240,000
 * `[]` made 240,000 copies of "tag:yaml.org,2002:seq" and room for 16
 * items in each. A second document is an
 * error "a second YAML document: one file holds one <one_what>". Errors
 * (PERFDB_EINPUT with name, line and column; PERFDB_ENOMEM) leave *doc
 * untouched and need no cleanup.
 */
int perfdb_ingest__yaml_load(yaml_document_t *doc, yaml_parser_t *parser, const char *name,
			     const char *one_what);

/* The items of one sequence, read without the tree of all of them: see
 * perfdb_ingest__yaml_load_cut. */
typedef struct perfdb_yaml_cut {
	const char *key; /* the top-level mapping's key whose sequence is cut */
	/* Called with each item (a node of doc, valid until the call returns)
	 * and its index; may be NULL. A non-zero return stops the load with it. */
	int (*each)(void *ctx, yaml_document_t *doc, yaml_node_t *item, size_t index);
	void *ctx;
	size_t items; /* out: the items read */
	bool found;   /* out: there was such a sequence */
	/* in: the rest of the document is not kept, only what an item may
	 * name: a top-level key and its value that hold no anchor are dropped
	 * once read (native_yaml.c's second pass, whose reader keeps the
	 * first pass's document for the rest: two of it were held at once) */
	bool items_only;
} perfdb_yaml_cut;

/*
 * Sequences kept packed (a native YAML result of millions of samples: a
 * libyaml node an item is about 280 bytes a number). With a packing given,
 * every sequence the loader builds but the cut one keeps its items in a
 * perfdb_yaml_seq, 8 bytes each, and none in its node (which then has no
 * items): a plain scalar without tag or anchor that `number` reads as a
 * number is kept as that value and makes no node; any other item (quoted,
 * tagged, anchored, an alias, a collection, a scalar `number` refuses) is a
 * node as before, its id kept in its place. Packed numbers count as nodes
 * for every limit (aliases, the anchored items of the cut sequence).
 */
typedef struct perfdb_yaml_seq {
	int node;      /* the sequence's node */
	size_t length; /* its items */
	size_t nodes;  /* of which nodes; the others are numbers */
	size_t cap;
	uint64_t *items; /* read with perfdb_ingest__yaml_seq_item */
	bool shared;	 /* it or a collection holding it has an anchor: an alias may
			  * reach it again */
	bool taken;	 /* its numbers were taken (perfdb_ingest__yaml_seq_take) */
	/* Spanned (below): its numbers are not kept (items is NULL), only
	 * where its text is, to be read again (perfdb_ingest__yaml_span_next). */
	bool spanned;
	bool spannable;			 /* it may be spanned: no tag, anchor or node, and placed */
	uint64_t place_byte, place_char; /* a place at or before its start */
	uint64_t start, end;		 /* its first and past its last character */
	size_t column;			 /* its first character's */
	bool flow;			 /* in flow style ([...]), else block (- lines) */
} perfdb_yaml_seq;

typedef struct perfdb_yaml_packing {
	/* in: whether a plain scalar is a number, and its value */
	bool (*number)(const char *plain, double *out);
	/*
	 * in: spanning (0: none). A sequence that is not shared and has no tag
	 * and whose first span_from items are all packed numbers keeps no
	 * more numbers from then on (a result's millions of samples, read
	 * again from the text a chunk at a time instead: native_yaml.c), only
	 * its count and where its text is, which locate gives: the byte and
	 * character index of a place at or before the character `index` the
	 * parser has just read (libyaml's marks count characters, not bytes),
	 * or false (the sequence is then kept). An item that is not a packed
	 * number coming after that stops the load with PERFDB_YAML__HOLD:
	 * load it again without spanning.
	 */
	size_t span_from;
	bool (*locate)(void *ctx, uint64_t index, uint64_t *byte, uint64_t *chr);
	void *locate_ctx;
	/* out: the packed sequences, in the order of their nodes */
	perfdb_yaml_seq *seqs;
	size_t count, cap;
} perfdb_yaml_packing;

/* Whether the scalar event ev is a number p packs (what native_yaml.c reads
 * as a number from a node: a plain scalar without tag or anchor), and its
 * value. */
bool perfdb_ingest__yaml_packable(const perfdb_yaml_packing *p, const yaml_event_t *ev,
				  double *out);

/* Whether the plain scalar `plain`, without tag or anchor, is a number p
 * packs, and its value. */
bool perfdb_ingest__yaml_packable_plain(const perfdb_yaml_packing *p, const char *plain,
					double *out);

/* The packed sequence whose node is `node`, or NULL (borrowed from p). */
perfdb_yaml_seq *perfdb_ingest__yaml_packed(perfdb_yaml_packing *p, int node);

/* Item i of s: its node's id, or 0 for a number, whose value goes to *value. */
int perfdb_ingest__yaml_seq_item(const perfdb_yaml_seq *s, size_t i, double *value);

/*
 * Writes the numbers of s, which holds no node, to out (s->length of them)
 * and frees them from the end as they are written, so that the two are
 * not held whole at once: s is then `taken` and items() no longer reads
 * it. For a sequence that is read once (not shared).
 */
void perfdb_ingest__yaml_seq_take(perfdb_yaml_seq *s, double *out);

/* Frees what a load put in p (not p; p->number stays). */
void perfdb_ingest__yaml_packing_release(perfdb_yaml_packing *p);

/*
 * Reads the text of a document again with parser (its input set to the
 * text from its start), as far as item `index` of the sequence `seq` of the
 * document loaded from it (seq from its marks): a number packed has no
 * node, and so no position or text of its own. Sets *mark to where the item
 * starts and, when it is a scalar, *text to its value (the caller frees it;
 * NULL otherwise). Returns 0, PERFDB_ENOMEM, or 1 when there is no such
 * item (not the text's sequence, or the text could not be read again).
 */
int perfdb_ingest__yaml_find_item(yaml_parser_t *parser, const yaml_node_t *seq, size_t index,
				  yaml_mark_t *mark, char **text);

/* "Load the document whole instead": not an error, never raised. */
#define PERFDB_YAML__FALLBACK 1
/* "Load it again without spanning" (perfdb_yaml_packing.span_from): not an
 * error, never raised. */
#define PERFDB_YAML__HOLD 2

/*
 * As perfdb_ingest__yaml_load, with the items of the sequence that is the
 * value of the top-level mapping's key cut->key handed to cut->each as each
 * is read and then dropped: *doc holds the rest, that sequence empty (a big
 * native YAML file: its results are not all held in libyaml's nodes, 23
 * times the file). Returns PERFDB_YAML__FALLBACK (nothing to free) when an
 * alias names that sequence, or the key is there twice: load it whole.
 * cut may be NULL (nothing cut). With pack (may be NULL), sequences are
 * kept packed (above): on success pack holds them, to release after
 * yaml_document_delete; on error it holds nothing. Returns PERFDB_YAML__HOLD
 * (nothing to free) when a spanned sequence meets an item that is not a
 * packed number.
 */
int perfdb_ingest__yaml_load_cut(yaml_document_t *doc, yaml_parser_t *parser, const char *name,
				 const char *one_what, perfdb_yaml_cut *cut,
				 perfdb_yaml_packing *pack);

#endif
