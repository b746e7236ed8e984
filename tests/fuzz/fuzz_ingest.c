/*
 * libFuzzer target: one reader (PERFDB_FUZZ_FORMAT, a perfdb_format) or, for
 * PERFDB_FORMAT_AUTO, format detection and dispatch. Besides not crashing,
 * a reader must leave the resultset as it was when it fails and keep its
 * warnings bounded.
 */
#include <stdint.h>
#include <stdlib.h>

#include "perfdb.h"

#ifndef PERFDB_FUZZ_FORMAT
#define PERFDB_FUZZ_FORMAT PERFDB_FORMAT_AUTO
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	perfdb_resultset *rs;
	int rc;
	if (perfdb_resultset_new(&rs) != 0)
		return 0;
	if (PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_AUTO)
		(void)perfdb_ingest_detect((const char *)data, size);
	rc = perfdb_ingest_buffer(rs, (const char *)data, size, "fuzz", PERFDB_FUZZ_FORMAT);
	if (rc != 0 && perfdb_resultset_count(rs) != 0)
		abort(); /* a failed read must leave rs unchanged */
	if (perfdb_resultset_warning_count(rs) > 11)
		abort(); /* warnings are capped */
	perfdb_resultset_free(rs);
	return 0;
}
