/*
 * libFuzzer target, differential: native YAML read with its sequences
 * packed (lib/ingest/yaml_load.h: a plain number is kept as its value, no
 * libyaml node; an item alone is made on demand, its position read again
 * from the input), with every item a node, the way before packing, and
 * from a file by its descriptor, never held whole (through a window of 1
 * to 61 bytes after 0 to 2 other bytes, as the input's size says), must
 * give the same results, warnings, context and metadata, or the same error
 * with the same position, byte for byte (tests/lib/yaml_same.h); and a
 * third way, from the buffer and from the file, into a sink that takes
 * samples unheld from 16 on (tests/lib/unheld_same.h: a sequence of that
 * many numbers is not held, its text parsed again when read), the same
 * text again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"
#include "../lib/resultset_text.h"
#include "../lib/unheld_same.h"
#include "../lib/yaml_same.h"
#include "core/resultset_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	const char *data;
	size_t size;
	FILE *file; /* NULL: the buffer */
} input;

static int read_input(perfdb_resultset *rs, void *ctx)
{
	const input *in = ctx;
	if (!in->file)
		return perfdb_ingest__native_yaml(rs, in->data, in->size, "fuzz");
	return perfdb_ingest__native_yaml_file(rs, fileno(in->file), in->size % 3, in->size, "fuzz",
					       1 + in->size % 61);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	input in = {(const char *)data, size, NULL};
	char *nodes, *unheld[2];
	size_t i, n;
	if (!yaml_same_window((const char *)data, size, "fuzz", size % 3, 1 + size % 61))
		abort();
	if (!(in.file = tmpfile()))
		abort();
	for (i = 0; i < size % 3; i++)
		fputc('#', in.file);
	if ((size && fwrite(data, 1, size, in.file) != size) || fflush(in.file) != 0)
		abort();
	nodes = yaml_text((const char *)data, size, "fuzz", false);
	perfdb_resultset__set_unheld_from(16);
	unheld[0] = unheld_read_text(read_input, &in, PERFDB_SINK_UNHELD_SAMPLES, &n);
	fclose(in.file);
	in.file = NULL;
	unheld[1] = unheld_read_text(read_input, &in, PERFDB_SINK_UNHELD_SAMPLES, &n);
	perfdb_resultset__set_unheld_from(0);
	for (i = 0; i < 2; i++)
		if (strcmp(nodes, unheld[i]) != 0) {
			fprintf(stderr, "with nodes:\n%.2000s\nunheld (%s):\n%.2000s\n", nodes,
				i ? "buffer" : "file", unheld[i]);
			abort();
		}
	free(nodes);
	free(unheld[0]);
	free(unheld[1]);
	return 0;
}
