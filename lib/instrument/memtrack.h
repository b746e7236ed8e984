/*
 * Internal to the allocation tracker (libperfdb_memtrack.so) and to its
 * reader in memory.c: the shared state of the tracker's files and the report
 * format both sides agree on. Nothing here is public API.
 *
 * Report format (text, one record a line, fields separated by one space;
 * `frame` lines use tabs so that module paths may hold spaces):
 *
 *   perfdb-memtrack 1
 *   pid 1234
 *   exe /path/to/program
 *   mode full|sample
 *   sample_interval 0
 *   depth 6
 *   unwind fp|dwarf
 *   elapsed_ns N          since the tracker started
 *   heap N                live heap bytes now
 *   live N                live allocations now
 *   peak_heap N
 *   peak_time_ns N        when the heap left its peak (0: never)
 *   allocs N              allocations made (estimated in sampling mode)
 *   frees N
 *   alloc_bytes N
 *   rss N                 VmRSS now, bytes
 *   peak_rss N            VmHWM, bytes
 *   sites_dropped N       allocations that found the site table full
 *   unwind_fallbacks N    dwarf mode: stacks our unwinder left to backtrace()
 *   unwind_mismatches N   with PERFDB_MEMTRACK_VERIFY=1 only: stacks where
 *                         backtrace() disagreed with our unwinder
 *   site ID LIVE_BYTES LIVE_COUNT TOTAL_BYTES TOTAL_COUNT NFRAMES
 *   frame\tADDR\tOFFSET\tMODULE\tSYMBOL       (NFRAMES lines, hex numbers)
 *   end
 *
 * Counts and bytes are plain integers; in sampling mode they are the
 * unbiased estimates, rounded. A report without the final `end` line is
 * truncated (the process died while writing it).
 */
#ifndef PERFDB_INSTRUMENT_MEMTRACK_H
#define PERFDB_INSTRUMENT_MEMTRACK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Everything here is internal to the tracker: hidden, so the hot path reaches
 * its state without going through the GOT. (memory.c only uses the macros.) */
#pragma GCC visibility push(hidden)

#define MT_FORMAT_MAGIC	  "perfdb-memtrack"
#define MT_FORMAT_VERSION 1

/* Environment read by the tracker at start. */
#define MT_ENV_OUT "PERFDB_MEMTRACK_OUT" /* report path prefix; ".PID" is appended */
/* With PERFDB_MEMTRACK_MARK=1, beside each report while its process runs:
 * PREFIX.PID.run, holding the program's path and a write lock (fcntl) that
 * ends with the process; removed once the report is written. */
#define MT_ENV_MARK   "PERFDB_MEMTRACK_MARK"
#define MT_RUN_SUFFIX ".run"
#define MT_ENV_SAMPLE "PERFDB_MEMTRACK_SAMPLE" /* mean sampling interval in bytes; 0: full */
#define MT_ENV_DEPTH  "PERFDB_MEMTRACK_DEPTH"  /* frames per site, 1..MT_MAX_DEPTH */
#define MT_ENV_UNWIND "PERFDB_MEMTRACK_UNWIND" /* "fp" or "dwarf" */
#define MT_ENV_SEED   "PERFDB_MEMTRACK_SEED"   /* sampling RNG seed (tests) */
#define MT_ENV_START  "PERFDB_MEMTRACK_START"  /* "0": start with tracking stopped */
#define MT_ENV_VERIFY "PERFDB_MEMTRACK_VERIFY" /* "1": check every dwarf stack (tests) */

/* Control entry points the .so exports for the library (found with dlsym). */
#define MT_SYM_ABI	  "perfdb_memtrack__abi"
#define MT_SYM_WRITE	  "perfdb_memtrack__write"
#define MT_SYM_ENABLE	  "perfdb_memtrack__enable"
#define MT_SYM_RESET_PEAK "perfdb_memtrack__reset_peak"
/* int (void) / void (int): the calling thread's allocations go untracked
 * between the two (the library's own, while it reads a snapshot) */
#define MT_SYM_QUIET_ENTER "perfdb_memtrack__quiet_enter"
#define MT_SYM_QUIET_LEAVE "perfdb_memtrack__quiet_leave"

#define MT_MAX_DEPTH	 16
#define MT_DEFAULT_DEPTH 6
#define MT_MAX_SITES	 (1u << 17)
#define MT_SLOTS	 (MT_MAX_SITES * 2u)
#define MT_SITE_OVERFLOW 1u /* where allocations go once the table is full */
#define MT_FIRST_SITE	 2u

/* Counts are kept in fixed point so that sampling weights below one
 * allocation add up without bias. */
#define MT_COUNT_ONE 1024

typedef struct mt_site {
	uint64_t hash;
	uint32_t depth;
	uint32_t pad;
	uintptr_t frames[MT_MAX_DEPTH];
} mt_site;

typedef struct mt_counters {
	int64_t live_bytes;
	int64_t live_count; /* MT_COUNT_ONE per allocation */
	int64_t total_bytes;
	int64_t total_count;
} mt_counters;

/* One writer thread at a time owns a shard; readers sum all shards. */
typedef struct mt_shard {
	struct mt_shard *next_all;
	struct mt_shard *next_free;
	int in_use;
	int64_t pending; /* heap delta not yet published to the global counter */
	mt_counters *c;	 /* MT_MAX_SITES entries, mmap'ed (pages appear when touched) */
} mt_shard;

typedef struct mt_state {
	int sample;	  /* sampling mode */
	int64_t interval; /* mean sampling interval, bytes */
	unsigned depth;
	int dwarf; /* unwind by .eh_frame (memtrack_unwind.c) instead of frame pointers */
	uint64_t seed;
	int enabled; /* atomic: track new allocations */
	uint64_t t0_ns;

	int64_t heap; /* atomic: published live heap bytes */
	int64_t peak; /* atomic */
	uint64_t peak_time_ns;
	int peak_untimed; /* atomic: the peak moved and its time is not taken yet */

	pthread_mutex_t lock; /* site insertion, shard list */
	mt_site *sites;
	uint32_t *slots;  /* atomic site ids, 0 = empty */
	uint32_t nsites;  /* atomic: next free id */
	uint64_t dropped; /* atomic */

	mt_shard *shards;
	mt_shard *free_shards;
	int active;	 /* atomic: shards in use (threads that allocate) */
	mt_shard orphan; /* for threads that cannot get a shard (updated atomically) */

	char out[4096]; /* report path prefix, "" = no exit report */

	/* Last: the fields above keep the layout the hot path was tuned with. */
	uint64_t unwind_fallbacks;  /* atomic */
	int verify;		    /* compare each dwarf stack with backtrace()'s */
	uint64_t unwind_mismatches; /* atomic */
} mt_state;

extern mt_state mt_g;

/* Sums the counters of site id over all shards. */
void mt_site_sum(uint32_t id, mt_counters *out);

/* Serialises report writing; held across fork. */
extern pthread_mutex_t mt_report_lock;

/* Writes the report to fd; returns 0 or -1. Callers hold the reentrancy
 * guard (mt_guard_enter). */
int mt_report_write(int fd);

/* Monotonic clock in ns. */
uint64_t mt_now_ns(void);

/* The reentrancy guard: while held, this thread's allocations go straight to
 * the real allocator. Returns the previous value for mt_guard_leave. */
int mt_guard_enter(void);
void mt_guard_leave(int prev);

/* The DWARF unwinder (memtrack_unwind.c). mt_unwind_init maps its rule
 * table; returns 0 or -1. mt_unwind_eh walks from a frame whose return
 * address is pc, whose caller's stack pointer (its CFA) is sp and whose
 * caller's %rbp is fp, past the tracker's own frames to the one whose return
 * address is first, and writes up to max return addresses from there (first
 * first) to out; lo and hi bound the thread's stack. Returns the frames
 * written, or 0 when the stack needs the general unwinder (backtrace()).
 * Never allocates. */
int mt_unwind_init(void);
unsigned mt_unwind_eh(uintptr_t *out, unsigned max, uintptr_t pc, uintptr_t sp, uintptr_t fp,
		      uintptr_t lo, uintptr_t hi, uintptr_t first);

#pragma GCC visibility pop

#endif
