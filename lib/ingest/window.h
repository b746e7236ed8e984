/*
 * Library-internal: what the readers that take a big file in several passes
 * share (CSV, Go, libtest; lib/ingest/README.md, "Big files").
 *
 *  - perfdb_ingest_window: the input, either a buffer that is all there or
 *    `size` bytes of a regular file read with pread through a window that
 *    keeps the bytes from a point the reader names and grows only to hold
 *    what it keeps (the longest field or line). Offsets count from the
 *    input's first byte; a pass starts again at 0.
 *  - perfdb_ingest_fingerprints: which keys occur more than once, in 4
 *    bytes a key (31 bits of its hash, a bit for "seen twice"). Two keys of
 *    one fingerprint only make a key a candidate; nothing is merged by it.
 */
#ifndef PERFDB_INGEST_WINDOW_H
#define PERFDB_INGEST_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfdb/resultset.h"

/* The first size of a file's window. */
#define PERFDB_INGEST_WINDOW ((size_t)1 << 20)

typedef struct perfdb_ingest_window {
	/* bytes [base, end) of the input are at data */
	const char *data;
	size_t base, end;
	int fd; /* -1: a buffer */
	uint64_t from, size;
	char *buf; /* a file's window */
	size_t cap;
	int ioerr;	  /* a read failed (its error is set): nothing more comes */
	const char *name; /* for messages */
} perfdb_ingest_window;

/* The len bytes at data (borrowed). */
void perfdb_ingest__window_buffer(perfdb_ingest_window *w, const char *data, size_t len,
				  const char *name);
/* `size` bytes of fd from offset `from`, through a window of cap bytes (0:
 * PERFDB_INGEST_WINDOW). PERFDB_ENOMEM. */
int perfdb_ingest__window_file(perfdb_ingest_window *w, int fd, uint64_t from, uint64_t size,
			       const char *name, size_t cap);
void perfdb_ingest__window_release(perfdb_ingest_window *w);

/* Reads on, dropping the bytes before `keep`: true when bytes came (false at
 * the end, or after a failed read: w->ioerr). */
bool perfdb_ingest__window_more(perfdb_ingest_window *w, size_t keep);

/* Whether the byte at off is there, reading on (keeping from `keep`). */
static inline bool perfdb_ingest__window_have(perfdb_ingest_window *w, size_t off, size_t keep)
{
	while (off >= w->end)
		if (!perfdb_ingest__window_more(w, keep))
			return false;
	return true;
}

static inline const char *perfdb_ingest__window_at(const perfdb_ingest_window *w, size_t off)
{
	return w->data + (off - w->base);
}

/* Back to the input's first byte, for another pass. */
void perfdb_ingest__window_rewind(perfdb_ingest_window *w);

/* Reading goes on from offset off, before or after what the window holds
 * (a line read again): a file's window keeps what it holds when off is in
 * it, else starts empty at off. */
void perfdb_ingest__window_seek(perfdb_ingest_window *w, size_t off);

/* PERFDB_EIO "cannot read 'NAME': it changed while it was read" (set). */
int perfdb_ingest__window_changed(const perfdb_ingest_window *w);

/*
 * The line at *pos (its bytes up to, not with, the '\n'; all that is left
 * when no '\n' follows), and *pos past it: 1; 0 at the end of the input; or
 * the error of a failed read. *s stays valid until the next call.
 */
int perfdb_ingest__window_line(perfdb_ingest_window *w, size_t *pos, const char **s, size_t *n);

/* The passes of a reader that takes its input three times (gotest.c,
 * libtest.c; csv.c has its own): fingerprints of the keys, every check with
 * the values of the keys seen twice, the results at their first lines. */
enum { PERFDB_INGEST_PASS_FINGERPRINTS = 1, PERFDB_INGEST_PASS_CHECKS, PERFDB_INGEST_PASS_RESULTS };

struct perfdb_ingest_fingerprints;

/* What a three-pass reader counts to see that pass 3 read what pass 2 did
 * (else the file changed in between). */
typedef struct perfdb_ingest_tally {
	size_t singles, made; /* keys on one line only: seen by pass 2, made by pass 3 */
	size_t next;	      /* pass 3: the repeated key to make next */
} perfdb_ingest_tally;

/* The three passes of such a reader: *own (the reader's resultset) made,
 * with the source, its results going on to rs's sink as they are added;
 * then pass(reader, n) for n = 1, 2, 3, with the fingerprint table *seen
 * made empty before pass 1, cut to the keys seen twice after it and freed
 * after pass 2 (pass 3 finds the keys that repeat kept by pass 2); then t
 * checked against *nrepeated, the repeated keys pass 2 kept (PERFDB_EIO
 * when the file changed). The first error; *own is the caller's to free
 * either way. */
int perfdb_ingest__three_passes(perfdb_resultset **own, perfdb_resultset *rs, const char *source,
				struct perfdb_ingest_fingerprints *seen,
				int (*pass)(void *reader, int n), void *reader,
				const perfdb_ingest_tally *t, const size_t *nrepeated,
				const perfdb_ingest_window *w);

/* A reader of the lines of w (its own from the call: it releases it), as
 * text or as JSON lines. */
typedef int (*perfdb_ingest_lines_fn)(perfdb_resultset *rs, const perfdb_ingest_window *w,
				      const char *name, bool json);
/* read on the len bytes at data, or on `size` bytes of fd from `from`
 * through a window of `window` bytes (0: the default). */
int perfdb_ingest__lines_buffer(perfdb_ingest_lines_fn read, perfdb_resultset *rs, const char *data,
				size_t len, const char *name, bool json);
int perfdb_ingest__lines_file(perfdb_ingest_lines_fn read, perfdb_resultset *rs, int fd,
			      uint64_t from, uint64_t size, const char *name, size_t window,
			      bool json);

typedef struct perfdb_ingest_fingerprints {
	uint32_t *slots;
	size_t cap, count;
	unsigned bits; /* cap is 1 << bits */
} perfdb_ingest_fingerprints;

/* The fingerprint of a key of 64-bit hash h (well mixed: the top bits count). */
uint32_t perfdb_ingest__fingerprint(uint64_t h);
/* An empty table for about `keys` keys (it grows). PERFDB_ENOMEM. */
int perfdb_ingest__fingerprints_init(perfdb_ingest_fingerprints *t, size_t keys);
/* Adds f, or marks it seen twice. PERFDB_ENOMEM. */
int perfdb_ingest__fingerprints_add(perfdb_ingest_fingerprints *t, uint32_t f);
/* Keeps only the fingerprints seen twice, in a table of their size. */
int perfdb_ingest__fingerprints_keep_repeated(perfdb_ingest_fingerprints *t);
/* Whether f was seen twice (after keep_repeated, or before it). */
bool perfdb_ingest__fingerprints_repeated(const perfdb_ingest_fingerprints *t, uint32_t f);
void perfdb_ingest__fingerprints_release(perfdb_ingest_fingerprints *t);

#endif
