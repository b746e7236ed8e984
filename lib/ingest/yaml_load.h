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
#include <yaml.h>

#define PERFDB_YAML_MAX_DEPTH 512

/*
 * Loads the one document of `parser` (its input already set) into *doc.
 * On success returns 0 and *doc must be freed with yaml_document_delete; an
 * empty stream gives a document without a root node. A second document is an
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
} perfdb_yaml_cut;

/* "Load the document whole instead": not an error, never raised. */
#define PERFDB_YAML__FALLBACK 1

/*
 * As perfdb_ingest__yaml_load, with the items of the sequence that is the
 * value of the top-level mapping's key cut->key handed to cut->each as each
 * is read and then dropped: *doc holds the rest, that sequence empty (a big
 * native YAML file: its results are not all held in libyaml's nodes, 23
 * times the file). Returns PERFDB_YAML__FALLBACK (nothing to free) when the
 * document has an anchor or an alias, or the key twice: load it whole.
 */
int perfdb_ingest__yaml_load_cut(yaml_document_t *doc, yaml_parser_t *parser, const char *name,
				 const char *one_what, perfdb_yaml_cut *cut);

#endif
