/*
 * perfdb/common.h - error codes, the last-error record and ownership rules.
 *
 * Every library function that can fail returns int: 0 on success or one of the
 * negative PERFDB_E* codes below. The message that goes with the failure is
 * read with perfdb_error_last(); it is thread-local and stays valid until the
 * next failing perfdb call on the same thread.
 *
 * Ownership, everywhere in the API:
 *  - a `T **out` parameter receives a new object owned by the caller, released
 *    with that type's _free (every _free accepts NULL);
 *  - a returned `const T *` is borrowed from the object it came from and lives
 *    as long as that object is not modified or freed;
 *  - strings passed in are copied when the library keeps them.
 *
 * Units, everywhere in the API (one rule per quantity; lib/README.md has the
 * table):
 *  - a ratio (a relative change, a rate, a share) is a fraction, 0.12 for
 *    12%, unless its name ends in `_pct`: then it is in percent (12);
 *  - a quantile is a fraction 0..1 (0.99 for the 99th percentile), in
 *    perfdb/stats.h and perfdb/histogram.h alike;
 *  - the latency of one operation (a call, a request, a profiled scope), its
 *    statistics and any limit on it are in nanoseconds;
 *  - the time a whole run, step or command takes or waits (durations,
 *    timeouts, intervals, a command's wall/user/system time) is in seconds,
 *    as a double;
 *  - sizes are in bytes.
 * Metric values in a resultset carry their own unit and are stored in the
 * canonical one (perfdb_unit_normalize: ns, B).
 */
#ifndef PERFDB_COMMON_H
#define PERFDB_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes. Callers branch on these; the text is for people. */
enum {
	PERFDB_OK = 0,
	PERFDB_ERROR = -1,     /**< generic failure */
	PERFDB_ENOMEM = -2,    /**< out of memory */
	PERFDB_EINVAL = -3,    /**< invalid argument or usage */
	PERFDB_EINPUT = -4,    /**< malformed input file (see file/line/column/field) */
	PERFDB_EIO = -5,       /**< a file or system call failed */
	PERFDB_EDB = -6,       /**< the database failed (corrupt, locked, read-only) */
	PERFDB_ENOTFOUND = -7, /**< a named thing (commit, baseline, file) does not exist */
	PERFDB_EREADONLY = -8, /**< a write was refused because the handle is read-only */
	PERFDB_EFORMAT = -9    /**< input of an unknown or unsupported format */
};

/** The last error on this thread. Input errors fill file, line, column and field. */
typedef struct perfdb_error {
	int code;	   /**< one of PERFDB_E*, PERFDB_OK when there is none */
	char message[768]; /**< one line, complete: "FILE:LINE:COL: field 'F': what" */
	char file[256];	   /**< input file name, "" when not about a file */
	int line;	   /**< 1-based, 0 when unknown */
	int column;	   /**< 1-based, 0 when unknown */
	char field[128];   /**< the field or key at fault, "" when unknown */
} perfdb_error;

/** The last error raised on this thread; never NULL (code is 0 when none). */
const perfdb_error *perfdb_error_last(void);

/** Forget the last error of this thread. */
void perfdb_error_clear(void);

/** A short, static English name for an error code ("input error", ...). */
const char *perfdb_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
