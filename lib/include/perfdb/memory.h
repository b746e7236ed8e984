/*
 * perfdb/memory.h - process memory (RSS, peak RSS, the delta of a block) and
 * the allocation tracker's figures (heap by call site, peak heap, leaks).
 *
 * Process memory is read from /proc/self/statm, /proc/self/status and
 * getrusage; it needs nothing else. A block's own peak needs the kernel to
 * let the process reset its high-water mark (/proc/self/clear_refs, "5");
 * where it cannot, the peak is reported unavailable, never guessed.
 *
 * Allocation tracking needs libperfdb_memtrack.so in the process
 * (LD_PRELOAD, as `perfdb memtrack -- CMD` does). The perfdb_memtrack_*
 * control functions find it at run time and fail with PERFDB_ENOTFOUND when
 * it is not loaded. A snapshot is the tracker's figures at one moment (or a
 * report file it wrote at exit); two snapshots compare site by site.
 *
 * Example:
 *
 *     perfdb_memory_block b;
 *     perfdb_memory_begin(&b, PERFDB_MEMORY_PEAK);
 *     build_index();
 *     perfdb_memory_end(&b);
 *     printf("rss %+lld B, peak %s\n", (long long)b.rss_delta,
 *            b.peak_available ? "known" : "unavailable");
 *
 *     perfdb_memtrack_snapshot *a, *z;
 *     perfdb_memtrack_diff *d;
 *     perfdb_memtrack_snapshot_take(&a);     // PERFDB_ENOTFOUND unless preloaded
 *     run_a_while();
 *     perfdb_memtrack_snapshot_take(&z);
 *     perfdb_memtrack_compare(&d, a, z);     // sites sorted by live-byte growth
 */
#ifndef PERFDB_MEMORY_H
#define PERFDB_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfdb/common.h"
#include "perfdb/resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- process memory ---------------------------------------------------------- */

/** Current resident set size in bytes (/proc/self/statm). Errors: PERFDB_EIO. */
int perfdb_memory_rss(uint64_t *out);

/** Peak resident set size of the process since it started, in bytes
 *  (getrusage ru_maxrss; never reset). Errors: PERFDB_EIO. */
int perfdb_memory_peak_rss(uint64_t *out);

/** Flags for perfdb_memory_begin. */
enum {
	PERFDB_MEMORY_PEAK = 1 /**< also measure the block's own peak RSS (resets the
				    process's high-water mark, VmHWM, when the kernel allows) */
};

/** The library's bookkeeping of an open block: storage the caller provides
 *  (inside perfdb_memory_block, so a block needs no allocation), read and
 *  written only by perfdb_memory_begin and _end. */
typedef struct perfdb_memory_block_state {
	uint64_t carried;		  /**< the highest mark folded in by other blocks' resets */
	struct perfdb_memory_block *next; /**< the next open peak block */
	bool active;			  /**< begun and not yet ended */
} perfdb_memory_block_state;

/** A measured block: caller-owned, filled by perfdb_memory_begin and _end. */
typedef struct perfdb_memory_block {
	uint64_t rss_begin;		 /**< bytes at begin */
	uint64_t rss_end;		 /**< bytes at end */
	int64_t rss_delta;		 /**< rss_end - rss_begin (may be negative) */
	bool peak_available;		 /**< false: the kernel did not let the peak be reset */
	uint64_t peak_rss;		 /**< highest RSS during the block, when peak_available */
	int64_t peak_delta;		 /**< peak_rss - rss_begin, when peak_available */
	unsigned flags;			 /**< as passed to perfdb_memory_begin */
	perfdb_memory_block_state state; /**< the library's (above); never touched by callers */
} perfdb_memory_block;

/**
 * Starts measuring a block. With PERFDB_MEMORY_PEAK the process's RSS
 * high-water mark is reset so the block's own peak can be read at the end;
 * nested and concurrent peak blocks stay correct (each reset first folds the
 * mark into every open block). Errors: PERFDB_EIO (RSS unreadable).
 */
int perfdb_memory_begin(perfdb_memory_block *b, unsigned flags);

/** Ends the block and fills rss_end, rss_delta and the peak fields.
 *  Errors: PERFDB_EINVAL (not begun), PERFDB_EIO. */
int perfdb_memory_end(perfdb_memory_block *b);

/** For PERFDB_MEMORY_SCOPE: ends b if it is still open. */
void perfdb_memory_scope_end_(perfdb_memory_block *b);

#if defined(__GNUC__)
/**
 * Measures the rest of the enclosing C scope as a block named var (GCC and
 * Clang): `PERFDB_MEMORY_SCOPE(m, PERFDB_MEMORY_PEAK); work(); ...` and read
 * m after perfdb_memory_end(&m) or let the scope end it.
 */
#define PERFDB_MEMORY_SCOPE(var, flags)                                                            \
	perfdb_memory_block var __attribute__((cleanup(perfdb_memory_scope_end_)));                \
	perfdb_memory_begin(&var, (flags))
#endif

/**
 * Adds a block's figures to rs as results of benchmark `name`: metric
 * "rss_delta" (B) and, when available, "peak_rss" (B), lower is better.
 * Errors: PERFDB_EINVAL, PERFDB_ENOMEM.
 */
int perfdb_memory_export(perfdb_resultset *rs, const perfdb_memory_block *b, const char *name);

/* ---- the allocation tracker ------------------------------------------------------- */

/** True when libperfdb_memtrack.so is loaded in this process. */
bool perfdb_memtrack_available(void);

/** Starts (true) or stops (false) tracking new allocations; frees of tracked
 *  blocks are always counted. Errors: PERFDB_ENOTFOUND (tracker not loaded). */
int perfdb_memtrack_enable(bool on);

/** Restarts the peak-heap measurement from the current heap.
 *  Errors: PERFDB_ENOTFOUND. */
int perfdb_memtrack_reset_peak(void);

typedef struct perfdb_memtrack_snapshot perfdb_memtrack_snapshot;

/** One stack frame of a site. Strings are "" when unknown. */
typedef struct perfdb_memtrack_frame {
	uint64_t address;     /**< return address in the tracked process */
	uint64_t offset;      /**< address relative to its module's load address */
	const char *module;   /**< path of the executable or shared library */
	const char *function; /**< symbol name (dladdr, or debug info once symbolized) */
	const char *file;     /**< source file, from debug info (symbolize) */
	unsigned line;	      /**< source line, 0 when unknown */
	/** for inlined code (function is then the inlined function), the
	 *  function it was inlined into; "" otherwise */
	const char *inlined_into;
	const char *call_file; /**< where in inlined_into the call is, "" unknown */
	unsigned call_line;    /**< its line, 0 when unknown */
} perfdb_memtrack_frame;

/** An allocation site (a call stack) and its figures. In sampling mode the
 *  figures are unbiased estimates. */
typedef struct perfdb_memtrack_site {
	uint64_t id;	    /**< the tracker's id (stable within one process) */
	int64_t live_bytes; /**< allocated and not yet freed */
	int64_t live_count;
	int64_t total_bytes; /**< everything ever allocated here */
	int64_t total_count;
	size_t nframes;			     /**< 0 for the "site table full" pseudo-site */
	const perfdb_memtrack_frame *frames; /**< innermost (the allocation's caller) first */
} perfdb_memtrack_site;

/** Whole-process figures of a snapshot. */
typedef struct perfdb_memtrack_summary {
	long pid;
	const char *exe;	  /**< the program's path */
	bool sampled;		  /**< figures are estimates from sampling */
	uint64_t sample_interval; /**< mean bytes between samples, 0 in full mode */
	unsigned depth;		  /**< frames recorded per site */
	const char *unwind;	  /**< "fp" or "dwarf" */
	uint64_t elapsed_ns;	  /**< since the tracker started */
	int64_t heap;		  /**< live heap bytes (at exit: leaked) */
	int64_t live;		  /**< live allocations (at exit: leaked) */
	int64_t peak_heap;	  /**< highest live heap, bytes */
	uint64_t peak_time_ns;	  /**< when the heap left its peak, since start */
	int64_t allocs;		  /**< allocations made */
	int64_t frees;
	int64_t alloc_bytes;	/**< bytes allocated in total */
	uint64_t rss;		/**< resident set size at the snapshot, bytes */
	uint64_t peak_rss;	/**< the process's RSS high-water mark, bytes */
	uint64_t sites_dropped; /**< allocations that found the site table full */
} perfdb_memtrack_summary;

/** Takes a snapshot of the tracker in this process. The snapshot is owned by
 *  the caller (perfdb_memtrack_snapshot_free).
 *  Errors: PERFDB_ENOTFOUND (tracker not loaded), PERFDB_EIO, PERFDB_ENOMEM. */
int perfdb_memtrack_snapshot_take(perfdb_memtrack_snapshot **out);

/** Reads a report the tracker wrote (at exit: PERFDB_MEMTRACK_OUT.PID).
 *  Errors: PERFDB_EIO (unreadable), PERFDB_EINPUT (malformed or truncated:
 *  file and line in perfdb_error_last()), PERFDB_ENOMEM. */
int perfdb_memtrack_snapshot_load(perfdb_memtrack_snapshot **out, const char *path);

/** Frees a snapshot. Accepts NULL. */
void perfdb_memtrack_snapshot_free(perfdb_memtrack_snapshot *s);

/** The whole-process figures, borrowed from s. */
const perfdb_memtrack_summary *perfdb_memtrack_snapshot_summary(const perfdb_memtrack_snapshot *s);

size_t perfdb_memtrack_snapshot_site_count(const perfdb_memtrack_snapshot *s);

/** Site i (0-based), borrowed from s; NULL when out of range. */
const perfdb_memtrack_site *perfdb_memtrack_snapshot_site(const perfdb_memtrack_snapshot *s,
							  size_t i);

/** What to rank sites by. */
typedef enum perfdb_memtrack_order {
	PERFDB_MEMTRACK_BY_TOTAL_BYTES = 0,
	PERFDB_MEMTRACK_BY_TOTAL_COUNT,
	PERFDB_MEMTRACK_BY_LIVE_BYTES,
	PERFDB_MEMTRACK_BY_LIVE_COUNT
} perfdb_memtrack_order;

/**
 * The indices of the top `max` sites by `order` (largest first, ties by id),
 * written to out; *count receives how many (<= max). Sites whose figure is 0
 * are left out. Errors: PERFDB_EINVAL, PERFDB_ENOMEM.
 */
int perfdb_memtrack_snapshot_top(size_t *out, size_t *count, const perfdb_memtrack_snapshot *s,
				 perfdb_memtrack_order order, size_t max);

/** Where perfdb_memtrack_snapshot_symbolize looks for file:line. */
typedef enum perfdb_memtrack_lines {
	/** DWARF inside the modules themselves (a program or library built
	 *  with -g); the default */
	PERFDB_MEMTRACK_LINES_EMBEDDED = 0,
	/** also separate debug files (/usr/lib/debug, found by build-id or
	 *  .gnu_debuglink: a distribution's -dbg/-dbgsym packages); reading
	 *  glibc's takes ~10 ms */
	PERFDB_MEMTRACK_LINES_ALL,
	/** no file:line: function names only, no addr2line */
	PERFDB_MEMTRACK_LINES_NONE
} perfdb_memtrack_lines;

/**
 * Names the frames of the given sites (all sites when idx is NULL).
 * Function names come from each module's ELF symbol table, or from its
 * separate debug file's when the module is stripped (so static functions are
 * named right, where dladdr sees exported symbols only); C++ names are
 * demangled with c++filt. Where `lines` says DWARF is read (in-process;
 * zlib-compressed sections inflated), file and line come from its line
 * tables and the function from .debug_info, which names inlined code by its
 * own function; addr2line (binutils) is asked only for tables perfdb cannot
 * read (zstd). Frames nothing resolves keep what the report had. Missing
 * tools or debug info are not errors.
 * Errors: PERFDB_ENOMEM, PERFDB_EINVAL.
 */
int perfdb_memtrack_snapshot_symbolize(perfdb_memtrack_snapshot *s, const size_t *idx, size_t n,
				       perfdb_memtrack_lines lines);

/**
 * Merges the sites whose stacks are the same in the source: frame by frame
 * the same function, file and line (a frame without a line: the same module
 * and offset). A loop the compiler unrolled, or two calls on one line, then
 * make one site, as a user reads the code. Call after symbolizing all sites
 * (idx NULL). Figures add up; the merged site keeps the id and frames of its
 * part with the lowest id. The "site table full" pseudo-site is left alone.
 * Errors: PERFDB_ENOMEM, PERFDB_EINVAL.
 */
int perfdb_memtrack_snapshot_coalesce(perfdb_memtrack_snapshot *s);

/** The difference of one site between two snapshots. */
typedef struct perfdb_memtrack_site_diff {
	const perfdb_memtrack_site *site; /**< from the newer snapshot (older when gone) */
	int64_t live_bytes;		  /**< in the newer snapshot */
	int64_t live_bytes_diff;	  /**< newer - older */
	int64_t live_count_diff;
	int64_t total_bytes_diff;
	int64_t total_count_diff;
} perfdb_memtrack_site_diff;

typedef struct perfdb_memtrack_diff perfdb_memtrack_diff;

/**
 * Compares two snapshots site by site (like Python's tracemalloc
 * Snapshot.compare_to): sites are matched by their frames (module and offset,
 * so reports of two runs of one program match too), sorted by live-byte
 * growth, largest first. The diff borrows from both snapshots: free it first.
 * Errors: PERFDB_EINVAL, PERFDB_ENOMEM.
 */
int perfdb_memtrack_compare(perfdb_memtrack_diff **out, const perfdb_memtrack_snapshot *older,
			    const perfdb_memtrack_snapshot *newer);

size_t perfdb_memtrack_diff_count(const perfdb_memtrack_diff *d);
/** Entry i (0-based), borrowed; NULL when out of range. */
const perfdb_memtrack_site_diff *perfdb_memtrack_diff_get(const perfdb_memtrack_diff *d, size_t i);
/** Frees a diff. Accepts NULL. */
void perfdb_memtrack_diff_free(perfdb_memtrack_diff *d);

/**
 * Adds the snapshot's regression metrics to rs as results of benchmark
 * `name`, all lower-is-better: "peak_heap" (B), "peak_rss" (B),
 * "allocations" (count) and "leaked_bytes" (B, the live heap of the
 * snapshot). `perfdb memtrack --record` records exactly these.
 * Errors: PERFDB_EINVAL, PERFDB_ENOMEM.
 */
int perfdb_memtrack_export(perfdb_resultset *rs, const perfdb_memtrack_snapshot *s,
			   const char *name);

/* ---- running a program under the tracker ------------------------------------------ */

/** How the tracker walks stacks. */
typedef enum perfdb_memtrack_unwind {
	/** frame pointers, or .eh_frame when sampling (rare enough to afford it) */
	PERFDB_MEMTRACK_UNWIND_DEFAULT = 0,
	/** frame pointers: a few loads a stack; code built without them (the
	 *  -O2 default) gives one-frame stacks */
	PERFDB_MEMTRACK_UNWIND_FP,
	/** .eh_frame unwinding rules, cached per return address: whole stacks
	 *  without frame pointers */
	PERFDB_MEMTRACK_UNWIND_DWARF
} perfdb_memtrack_unwind;

/** Which process of the run the snapshot is of, when the command starts others. */
typedef enum perfdb_memtrack_which {
	PERFDB_MEMTRACK_PROCESS_MAIN = 0,   /**< the command itself */
	PERFDB_MEMTRACK_PROCESS_LARGEST = 1 /**< the one with the highest peak heap */
} perfdb_memtrack_which;

#define PERFDB_MEMTRACK_RUN_OPTIONS_VERSION 1

/** Options of perfdb_memtrack_run; NULL means all defaults. */
typedef struct perfdb_memtrack_run_options {
	unsigned version; /**< PERFDB_MEMTRACK_RUN_OPTIONS_VERSION */
	/** path of libperfdb_memtrack.so; NULL: $PERFDB_MEMTRACK_LIB, else
	 *  ../lib/libperfdb_memtrack.so beside this program's directory, else
	 *  the one built with this library, else the installed one */
	const char *tracker;
	uint64_t sample; /**< mean bytes between samples; 0: every allocation */
	unsigned depth;	 /**< frames recorded per site, 1-16; 0: 6 */
	perfdb_memtrack_unwind unwind;
	perfdb_memtrack_which process;
	/** where the command's output goes: PERFDB_COMMAND_SHOW_OUTPUT,
	 *  _KEEP_STDIN, _STDOUT_TO_STDERR (perfdb/cmdbench.h); 0: /dev/null */
	unsigned command_flags;
	/** directory for the reports (a scratch directory is made in it and
	 *  removed); NULL: $TMPDIR, else /tmp */
	const char *scratch_dir;
} perfdb_memtrack_run_options;

#define PERFDB_MEMTRACK_RUN_OPTIONS_INIT                                                           \
	{                                                                                          \
		.version = PERFDB_MEMTRACK_RUN_OPTIONS_VERSION, .tracker = NULL, .sample = 0,      \
		.depth = 0, .unwind = PERFDB_MEMTRACK_UNWIND_DEFAULT,                              \
		.process = PERFDB_MEMTRACK_PROCESS_MAIN, .command_flags = 0, .scratch_dir = NULL   \
	}

/** Fills opts with the defaults (the same as PERFDB_MEMTRACK_RUN_OPTIONS_INIT). */
void perfdb_memtrack_run_options_init(perfdb_memtrack_run_options *opts);

/** What became of one process of a tracked run. */
typedef enum perfdb_memtrack_process_state {
	PERFDB_MEMTRACK_PROCESS_EXITED = 0, /**< it exited and wrote its report */
	/** still running when the command ended: not tracked to the end, no figures */
	PERFDB_MEMTRACK_PROCESS_RUNNING,
	/** it ended without a report (killed by a signal, or _exit()): no figures */
	PERFDB_MEMTRACK_PROCESS_NO_REPORT
} perfdb_memtrack_process_state;

/** One process of a tracked run: the command and every process it started
 *  that loaded the tracker (a forked child, or what it exec'd). */
typedef struct perfdb_memtrack_process {
	long pid;
	/** the program it ran: the file it exec'd last (a forked child that did
	 *  not exec runs its parent's) */
	const char *exe;
	perfdb_memtrack_process_state state;
	bool reported;	   /**< the process the run's snapshot is of */
	int64_t peak_heap; /**< bytes; the figures are 0 unless state is EXITED */
	uint64_t peak_rss; /**< bytes */
	int64_t allocs;	   /**< allocations made */
	int64_t leaked;	   /**< live heap bytes at exit */
} perfdb_memtrack_process;

/** How the command itself ended, and what is known of the others. */
typedef struct perfdb_memtrack_outcome {
	long pid;	/**< the command's own process id */
	int exit_code;	/**< its exit status, or 128 + signal when killed */
	int signal;	/**< the signal that killed it, 0 when it exited */
	size_t running; /**< processes still running when it ended (not tracked to the end) */
	/** "" or why the report of the process asked for could not be read (a
	 *  process killed while writing it): file, line and field */
	const char *report_error;
} perfdb_memtrack_outcome;

typedef struct perfdb_memtrack_result perfdb_memtrack_result;

/**
 * Runs argv (argv[0] looked up on $PATH unless it holds a '/'; NULL-ended)
 * with the tracker preloaded (LD_PRELOAD, ahead of any already set), waits
 * for it and reads the reports of every process of the run. The snapshot is
 * of the process opts->process names; its peak RSS is the larger of the
 * tracker's and the kernel's (wait4) when that is the command itself. The
 * run is a result even when the command fails or wrote no report
 * (perfdb_memtrack_result_snapshot is then NULL). *out belongs to the caller
 * (perfdb_memtrack_result_free).
 * Errors: PERFDB_EINVAL (NULL or empty argv, options of another version, a
 * depth above 16), PERFDB_ENOTFOUND (the tracker or the program not found),
 * PERFDB_EIO (no scratch directory, spawn failed), PERFDB_ENOMEM.
 */
int perfdb_memtrack_run(perfdb_memtrack_result **out, const char *const *argv,
			const perfdb_memtrack_run_options *opts);

/** Frees a result and its snapshot. Accepts NULL. */
void perfdb_memtrack_result_free(perfdb_memtrack_result *r);

/** The snapshot of the process reported, borrowed from r (symbolize and
 *  coalesce it in place); NULL when that process wrote no readable report. */
perfdb_memtrack_snapshot *perfdb_memtrack_result_snapshot(perfdb_memtrack_result *r);

/** How the command ended, borrowed from r. */
const perfdb_memtrack_outcome *perfdb_memtrack_result_outcome(const perfdb_memtrack_result *r);

/** The processes of the run: those with figures by peak heap, largest first
 *  (ties by pid), then those still running, then those without a report. */
size_t perfdb_memtrack_result_process_count(const perfdb_memtrack_result *r);

/** Process i (0-based), borrowed from r; NULL when out of range. */
const perfdb_memtrack_process *perfdb_memtrack_result_process(const perfdb_memtrack_result *r,
							      size_t i);

/**
 * A new resultset (*out, the caller's: perfdb_resultset_free) with the
 * snapshot's metrics as perfdb_memtrack_export adds them, under benchmark
 * `name`, and the series identity every tracked run records: source
 * "memtrack", and tag memtrack=sampled when the figures are estimates (so
 * sampled and exact figures are never compared with each other). Context
 * (commit, machine) is left to the caller.
 * Errors: PERFDB_EINVAL (no snapshot, empty name), PERFDB_ENOMEM.
 */
int perfdb_memtrack_result_export(perfdb_resultset **out, const perfdb_memtrack_result *r,
				  const char *name);

#ifdef __cplusplus
}
#endif
#endif
