/*
 * Native YAML read three ways: from a buffer with sequences packed (a plain
 * number makes no libyaml node: lib/ingest/yaml_load.h), from a buffer with
 * every item a node, as before packing, and from a file by its descriptor
 * with sequences packed, the text never held whole (libyaml reads it
 * through a window for each pass: perfdb_ingest__native_yaml_file). The
 * three texts (resultset_text.h) must be the same byte for byte. Shared by
 * test_yaml_load, the acceptance suite's corpus check and the
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

/* The text of the same bytes read from an unlinked temporary file after
 * `skip` other bytes, through a window of `window` bytes (0: the default). */
static inline char *yaml_text_file(const char *data, size_t len, const char *name, size_t skip,
				   size_t window)
{
	perfdb_resultset *rs;
	FILE *f = tmpfile();
	char *out;
	size_t i;
	int rc;
	if (!f || perfdb_resultset_new(&rs) != 0)
		abort();
	for (i = 0; i < skip; i++)
		fputc('#', f);
	if ((len && fwrite(data, 1, len, f) != len) || fflush(f) != 0)
		abort();
	rc = perfdb_ingest__native_yaml_file(rs, fileno(f), skip, len, name, window);
	out = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	fclose(f);
	return out;
}

/* Whether data reads the same the three ways, the file's through a window
 * of `window` bytes (0: the default) after `skip` other bytes; when not,
 * says how on stderr. */
static inline bool yaml_same_window(const char *data, size_t len, const char *name, size_t skip,
				    size_t window)
{
	char *nodes = yaml_text(data, len, name, false), *packed = yaml_text(data, len, name, true),
	     *file = yaml_text_file(data, len, name, skip, window);
	bool same = strcmp(nodes, packed) == 0 && strcmp(nodes, file) == 0;
	if (!same)
		fprintf(
		    stderr,
		    "%s:\n%.*s\nnodes:\n%.2000s\npacked:\n%.2000s\nfile (window %zu):\n%.2000s\n",
		    name, (int)(len > 600 ? 600 : len), data, nodes, packed, window, file);
	free(nodes);
	free(packed);
	free(file);
	return same;
}

static inline bool yaml_same(const char *data, size_t len, const char *name)
{
	return yaml_same_window(data, len, name, 0, 0);
}

#endif
