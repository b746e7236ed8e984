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

#endif
