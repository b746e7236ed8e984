/*
 * Library-internal: a check the text readers (go, libtest, Catch2 XML)
 * share. Their names and values become C strings, so a NUL byte in the input
 * would silently cut one short; it is refused up front, where it is.
 */
#ifndef PERFDB_INGEST_TEXTPOS_H
#define PERFDB_INGEST_TEXTPOS_H

#include <stddef.h>

/* 0, or PERFDB_EINPUT "NAME:LINE:COL: NUL byte in the input" at the first NUL. */
int perfdb_ingest__refuse_nul(const char *data, size_t len, const char *name);
/* The same for the n bytes at s, line `line` of the input (a reader that
 * reads a line at a time). */
int perfdb_ingest__refuse_nul_line(const char *s, size_t n, const char *name, int line);

#endif
