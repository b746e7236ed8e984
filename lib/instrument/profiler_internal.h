/*
 * Library-internal: the profiler's structures, shared by profiler.c (the hot
 * path and the lifecycle), profiler_snapshot.c (merging and queries),
 * profiler_json.c and profiler_export.c.
 */
#ifndef PERFDB_INSTRUMENT_PROFILER_INTERNAL_H
#define PERFDB_INSTRUMENT_PROFILER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "perfdb/histogram.h"
#include "perfdb/profiler.h"

/* The parent id of a top-level scope. */
#define PROF_NO_PARENT UINT32_MAX
/* A site whose name did not fit under the name limit. */
#define PROF_REJECTED (UINT32_MAX - 1)

enum prof_clock { PROF_CLOCK_MONOTONIC, PROF_CLOCK_TSC, PROF_CLOCK_CUSTOM };

/* One (parent name -> child name) pair in one thread, kept in the child's
 * slot. Allocated the first time the thread sees the pair, never freed
 * before the profiler. */
struct prof_edge {
	struct prof_edge *next;
	uint32_t parent; /* parent's id or PROF_NO_PARENT */
	uint32_t active; /* open frames of this pair on the thread */
	uint64_t calls;
	uint64_t inclusive_ns; /* added at the outermost open frame of the pair only */
	uint64_t self_ns;
};

/* One name in one thread: allocated the first time the thread uses the
 * name. The fields every end touches come first, next to the histogram's
 * own count/min/max/sum. */
struct prof_slot {
	uint32_t active; /* open frames of this name on the thread (recursion) */
	uint32_t unused_;
	uint64_t errors;
	uint64_t slow;
	uint64_t total_ns; /* added at the outermost open frame of the name only */
	uint64_t self_ns;
	struct prof_edge *last_edge; /* one-entry cache of the pair used last */
	struct prof_edge *edges;     /* published with release; readers acquire */
	perfdb_histogram hist;	     /* durations of every call, ns */
};

/* An open scope on a thread's stack. */
struct perfdb_profiler_frame {
	uint64_t start;	   /* clock reading at begin */
	uint64_t child_ns; /* time in direct child scopes so far */
	perfdb_profiler_site *site;
	struct prof_slot *slot;
	struct prof_edge *edge;
	uint64_t seq; /* matches the handle; a stale handle does not */
	uint32_t id;
	uint16_t index; /* position on the shard's stack */
	uint16_t error;
};

/* One thread's figures for one profiler. Owned by the profiler and never
 * freed before it: a thread that exits leaves its figures behind (owner 0),
 * and the next thread that registers adopts the shard. */
struct prof_shard {
	struct prof_shard *next; /* the profiler's list; only ever prepended */
	perfdb_profiler *prof;
	uint64_t owner; /* thread token, 0 when its thread has exited */
	uint32_t depth;
	uint64_t seq;
	uint64_t dropped;
	uint64_t unbalanced;
	struct prof_slot **slots; /* [name_limit]; entries published with release */
	struct perfdb_profiler_frame stack[PERFDB_PROFILER_MAX_DEPTH];
};

struct perfdb_profiler {
	/* Read by every begin/end. */
	uint32_t serial; /* unique per profiler in the process, never 0 */
	int enabled;	 /* accessed with __atomic builtins */
	enum prof_clock clock;
	uint64_t tsc_mult;
	uint64_t (*clock_fn)(void *ctx);
	void *clock_ctx;
	uint64_t slow_threshold_ns;
	bool slow_report;
	perfdb_profiler_slow_fn on_slow;
	void *on_slow_ctx;
	FILE *slow_log;
	size_t name_limit;

	/* Slow paths, under lock. */
	pthread_mutex_t lock;
	struct prof_shard *shards; /* head published with release */
	char **names;		   /* [nnames], id -> name */
	size_t nnames;
	size_t names_cap;
	uint32_t *hash;			   /* open addressing: id + 1, 0 empty */
	size_t hash_cap;		   /* a power of two */
	struct perfdb_profiler *live_next; /* all live profilers, for thread exit */
};

#endif
