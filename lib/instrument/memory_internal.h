/* Library-internal: the snapshot of an allocation tracker report, shared by
 * the files that read (memsnapshot.c), name (memsymbolize.c) and compare
 * (memdiff.c) it. */
#ifndef PERFDB_INSTRUMENT_MEMORY_INTERNAL_H
#define PERFDB_INSTRUMENT_MEMORY_INTERNAL_H

#include "perfdb/memory.h"

struct perfdb_memtrack_snapshot {
	perfdb_memtrack_summary sum;
	char *exe;
	char unwind[8];
	perfdb_memtrack_site *sites;
	size_t nsites, cap;
	perfdb_memtrack_frame *frames; /* all sites' frames, in order */
	size_t nframes, fcap;
	char **strings; /* every string the frames point to */
	size_t nstrings, scap;
};

/* A copy of text kept with the snapshot (frames point at it), the same
 * copy for a repeated string; NULL when out of memory. */
const char *perfdb_memory__keep_string(perfdb_memtrack_snapshot *s, const char *text);

/* Parses the size bytes at data as a tracker report (the reader of
 * perfdb_memtrack_snapshot_load; name is the file its errors name). */
int perfdb_memory__snapshot_parse(perfdb_memtrack_snapshot **out, const char *data, size_t size,
				  const char *name);

/* Adds one lower-is-better result (name, metric, unit, value) to rs. */
int perfdb_memory__add_metric(perfdb_resultset *rs, const char *name, const char *metric,
			      const char *unit, double value);

/* The tracker's exported symbol name in this process (LD_PRELOADed), or
 * NULL; and the error for when the tracker is not loaded. */
void *perfdb_memory__tracker_sym(const char *name);
int perfdb_memory__not_loaded(void);

#endif
