/* Library-internal: raising errors. Public reading is in perfdb/common.h. */
#ifndef PERFDB_UTIL_ERROR_H
#define PERFDB_UTIL_ERROR_H
#include "perfdb/common.h"

#if defined(__GNUC__)
#define PERFDB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PERFDB_PRINTF(a, b)
#endif

/* Sets the thread's last error and returns code, so callers can write
 * `return perfdb_error__set(PERFDB_EINVAL, "...")`. */
int perfdb_error__set(int code, const char *fmt, ...) PERFDB_PRINTF(2, 3);

/* An error about input: message becomes "FILE:LINE:COL: field 'F': text"
 * (parts that are unknown - NULL file, line 0, NULL field - are left out). */
int perfdb_error__input(int code, const char *file, int line, int column, const char *field,
			const char *fmt, ...) PERFDB_PRINTF(6, 7);

/* Out of memory: sets PERFDB_ENOMEM and returns it. */
int perfdb_error__oom(void);

#endif
