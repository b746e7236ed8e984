/*
 * libFuzzer target, differential: native YAML read with its sequences
 * packed (lib/ingest/yaml_load.h: a plain number is kept as its value, no
 * libyaml node; an item alone is made on demand, its position read again
 * from the input) and with every item a node, the way before packing, must
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
	if (!yaml_same((const char *)data, size, "fuzz"))
		abort();
	return 0;
}
