/* Links perfdb::instrument alone (core + instrument, no SQLite, libyaml or
 * jansson): profiles a loop, exports it to a resultset and prints what it
 * measured; exits 0 only when it counted the 100 calls and exported them. */
#include <stdio.h>

#include "perfdb.h"

int main(void)
{
	perfdb_profiler_snapshot *snap = NULL;
	const perfdb_profiler_metrics *m;
	perfdb_resultset *rs = NULL;
	volatile unsigned long sink = 0;
	int i;
	for (i = 0; i < 100; i++) {
		PERFDB_SCOPE(NULL, "layer.loop");
		sink += (unsigned long)i;
	}
	if (perfdb_profiler_snapshot_new(&snap, perfdb_profiler_global()) != 0)
		return 1;
	m = perfdb_profiler_snapshot_find(snap, "layer.loop");
	if (perfdb_resultset_new(&rs) != 0 ||
	    perfdb_profiler_export(rs, perfdb_profiler_global()) != 0)
		return 1;
	printf("calls %llu results %zu\n", m ? (unsigned long long)m->calls : 0ULL,
	       perfdb_resultset_count(rs));
	i = m && m->calls == 100 && perfdb_resultset_count(rs) > 0 && sink == 4950 ? 0 : 2;
	perfdb_resultset_free(rs);
	perfdb_profiler_snapshot_free(snap);
	return i;
}
