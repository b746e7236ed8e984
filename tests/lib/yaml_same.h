/*
 * Native YAML read both ways: with sequences packed (a plain number makes no
 * libyaml node: lib/ingest/yaml_load.h) and with every item a node, as before
 * packing. The two texts (resultset_text.h) must be the same byte for byte.
 * Shared by test_yaml_load, the acceptance suite's corpus check and the
 * ingest_yaml_pack fuzz target. Include after resultset_text.h.
 */
#ifndef PERFDB_TESTS_YAML_SAME_H
#define PERFDB_TESTS_YAML_SAME_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"

/* The text of len bytes of data read as native YAML one way (malloc'ed). */
static inline char *yaml_text(const char *data, size_t len, const char *name, bool packed)
{
	perfdb_resultset *rs;
	char *out;
	int rc;
	if (perfdb_resultset_new(&rs) != 0)
		abort();
	rc = packed ? perfdb_ingest__native_yaml(rs, data, len, name)
		    : perfdb_ingest__native_yaml_nodes(rs, data, len, name);
	out = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	return out;
}

/* Whether data reads the same both ways; when not, says how on stderr. */
static inline bool yaml_same(const char *data, size_t len, const char *name)
{
	char *nodes = yaml_text(data, len, name, false), *packed = yaml_text(data, len, name, true);
	bool same = strcmp(nodes, packed) == 0;
	if (!same)
		fprintf(stderr, "%s:\n%.*s\nnodes:\n%.2000s\npacked:\n%.2000s\n", name,
			(int)(len > 600 ? 600 : len), data, nodes, packed);
	free(nodes);
	free(packed);
	return same;
}

#endif
