/* Library-internal: the snapshot's structure, shared with profiler_json.c and
 * profiler_export.c. */
#ifndef PERFDB_INSTRUMENT_PROFILER_SNAPSHOT_H
#define PERFDB_INSTRUMENT_PROFILER_SNAPSHOT_H

#include "instrument/profiler_internal.h"

/* A (parent, child) pair merged over all threads. */
struct snap_edge {
	uint32_t parent; /* id or PROF_NO_PARENT */
	uint32_t child;
	uint64_t calls;
	uint64_t inclusive_ns;
	uint64_t self_ns;
};

struct perfdb_profiler_snapshot {
	const char *clock;		      /* static */
	size_t nnames;			      /* every registered name */
	char **names;			      /* [nnames], owned */
	perfdb_profiler_metrics *by_id;	      /* [nnames] */
	const perfdb_profiler_metrics **list; /* the names with calls, by id */
	size_t count;
	perfdb_profiler_summary summary;
	struct snap_edge *edges; /* sorted by parent, roots first */
	size_t nedges, edges_cap;
	size_t roots_begin, roots_end;
	size_t *child_begin, *child_end; /* [nnames]: edges whose parent is id */
	perfdb_profiler_node *tree;
	size_t ntree;
	bool tree_truncated;
	perfdb_profiler_node *path;
	size_t npath;
};

#endif
