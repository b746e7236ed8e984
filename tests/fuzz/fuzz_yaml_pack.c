/*
 * libFuzzer target, differential: native YAML read with its sequences
 * packed (lib/ingest/yaml_load.h: a plain number is kept as its value, no
 * libyaml node; an item alone is made on demand, its position read again
 * from the input), with every item a node, the way before packing, and
 * from a file by its descriptor, never held whole (through a window of 1
 * to 61 bytes after 0 to 2 other bytes, as the input's size says), must
 * give the same results, warnings, context and metadata, or the same error
 * with the same position, byte for byte (tests/lib/yaml_same.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"
#include "../lib/resultset_text.h"
#include "../lib/yaml_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!yaml_same_window((const char *)data, size, "fuzz", size % 3, 1 + size % 61))
		abort();
	return 0;
}
