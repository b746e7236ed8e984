/*
 * libFuzzer target: the allocation tracker's report reader (what `perfdb
 * memtrack` and perfdb_memtrack_snapshot_load read back), then what is done
 * with a report: ranking, comparing, coalescing and exporting. A failed
 * read gives no snapshot. Symbolizing is left out: it opens the modules the
 * report names.
 */
#include <stdint.h>
#include <stdlib.h>

#include "instrument/memory_internal.h"
#include "perfdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	perfdb_memtrack_snapshot *s = NULL, *t = NULL;
	perfdb_memtrack_diff *d = NULL;
	perfdb_resultset *rs;
	size_t top[8], count, i, n;

	if (perfdb_memory__snapshot_parse(&s, (const char *)data, size, "fuzz") != 0) {
		if (s)
			abort(); /* a failed read gives nothing */
		return 0;
	}
	(void)perfdb_memtrack_snapshot_summary(s);
	n = perfdb_memtrack_snapshot_site_count(s);
	for (i = 0; i < n; i++)
		if (!perfdb_memtrack_snapshot_site(s, i))
			abort();
	for (i = PERFDB_MEMTRACK_BY_TOTAL_BYTES; i <= PERFDB_MEMTRACK_BY_LIVE_COUNT; i++)
		if (perfdb_memtrack_snapshot_top(top, &count, s, (perfdb_memtrack_order)i, 8) ==
			0 &&
		    (count > 8 || (count && top[0] >= n)))
			abort(); /* indices of sites, at most max */
	/* The same report twice, one of them coalesced: compared both ways. */
	if (perfdb_memory__snapshot_parse(&t, (const char *)data, size, "fuzz") != 0)
		abort(); /* the same bytes read once */
	if (perfdb_memtrack_snapshot_coalesce(t) == 0) {
		if (perfdb_memtrack_compare(&d, s, t) == 0) {
			n = perfdb_memtrack_diff_count(d);
			for (i = 0; i < n; i++)
				(void)perfdb_memtrack_diff_get(d, i);
			perfdb_memtrack_diff_free(d);
		}
		if (perfdb_memtrack_compare(&d, t, s) == 0)
			perfdb_memtrack_diff_free(d);
	}
	if (perfdb_resultset_new(&rs) == 0) {
		(void)perfdb_memtrack_export(rs, t, "fuzz");
		perfdb_resultset_free(rs);
	}
	perfdb_memtrack_snapshot_free(t);
	perfdb_memtrack_snapshot_free(s);
	return 0;
}
