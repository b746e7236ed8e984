/*
 * Library-internal: reading a JSON file whose bulk is one array, the value of
 * a member of the top-level object (Google Benchmark's `benchmarks`, perfdb
 * native's `results`), in bounded memory.
 *
 * The file is read three times through a window, never whole:
 *  1. a structural scan (strings and brackets only, no tree) finds where the
 *     array's '[' and its ']' are, and their lines and columns;
 *  2. the rest of the document, with the array's items cut out, is parsed
 *     into a tree (the "skeleton"): its array is empty, and positions after
 *     the cut are the file's (perfdb_jparse_at's gap);
 *  3. perfdb_json__stream_items parses one item at a time into a tree of its
 *     own (positions, depth and path "benchmarks[3]" as in the whole
 *     document), hands it to a callback and frees it.
 *
 * The members of the top-level object (BMF's benchmarks) are read the same
 * way, each member an item: pass 1 also notes the members to read in
 * pieces and fingerprints the keys, pass 2's skeleton is the empty object,
 * and pass 3 parses each member as "{member}" on its own (the top-level
 * object holding that one member, positions and paths the document's).
 * A member whose value is an object of a piece's size or more (one
 * benchmark of a million measures) comes in pieces: runs of that object's
 * members, each parsed alone into an object whose parent is the one-member
 * top-level object. Duplicate keys that no item sees whole (two members of
 * the top-level object, two members of an object read in pieces) are found
 * from pass 1's 4-byte fingerprints: only the keys whose fingerprint
 * repeats are kept whole in pass 3, and a duplicate is the fallback.
 *
 * What the whole-file parser would refuse is never explained here: any
 * syntax error, anything unusual gives
 * PERFDB_JSON__FALLBACK. The caller then checks the file's syntax with the
 * whole-file parser's scanner and no tree (perfdb_json__stream_check), which
 * names a syntax error in memory of the file's size, and reads the file whole
 * as before only when it is valid, so errors are word for word the whole-file
 * reader's.
 */
#ifndef PERFDB_INGEST_JSON_STREAM_H
#define PERFDB_INGEST_JSON_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "ingest/json.h"
#include "perfdb/resultset.h"

/* "Read the file whole instead": not an error, never raised. */
#define PERFDB_JSON__FALLBACK (-1000)

/* The most values (tree nodes: packed numbers are not) held for the
 * document besides its array's items, and for one item. A real file holds a
 * few hundred outside the items and a few dozen in one; a node takes 40-80
 * bytes and may be written in 2 ("{},"), so past these a file is refused at
 * the value that passes rather than held at up to 40 times its size. */
#define PERFDB_JSON_STREAM_REST_MAX 250000
#define PERFDB_JSON_STREAM_ITEM_MAX 1000000

/* The key that asks perfdb_json__stream_open for the members of the
 * top-level object, each an item (told by its address, not its text). */
extern const char perfdb_json__members[];

typedef struct perfdb_json_stream perfdb_json_stream;

/*
 * Scans the regular file fd (read with pread; not closed) for the array of
 * top-level member `key` (static; "": the document is the array, as JMH's)
 * and parses the skeleton. name is used in
 * errors (copied). max: the most bytes to read (the file's size was checked).
 * Returns 0 and *out, PERFDB_JSON__FALLBACK, or PERFDB_EIO / PERFDB_ENOMEM /
 * PERFDB_ETOOBIG (set).
 */
int perfdb_json__stream_open(perfdb_json_stream **out, int fd, const char *name, const char *key,
			     size_t max);

/* As perfdb_json__stream_open for perfdb_json__members, a member of piece
 * bytes or more whose value is an object being read in pieces of about
 * piece bytes (0: the default, a megabyte; tests use a few bytes). */
int perfdb_json__stream_open_members(perfdb_json_stream **out, int fd, const char *name, size_t max,
				     size_t piece);

/*
 * After PERFDB_JSON__FALLBACK for a file whose syntax is good (no such
 * array): the document with the contents of its largest top-level member's
 * value (or of the whole document, when it is an array) cut out, for a
 * reader whose first look at the top level then fails (the array is not
 * there), in the words of the file read whole but without its tree. The
 * stream has no items: reading them gives PERFDB_JSON__FALLBACK. Returns as
 * perfdb_json__stream_open.
 */
int perfdb_json__stream_open_gutted(perfdb_json_stream **out, int fd, const char *name, size_t max);

/* The skeleton document and its (empty) array node (members: its empty
 * top-level object), borrowed. */
const perfdb_json_doc *perfdb_json__stream_doc(const perfdb_json_stream *s);
const perfdb_jnode *perfdb_json__stream_array(const perfdb_json_stream *s);

/* The members of an item (an object) that its reader ignores, by key
 * (skip(key, len), decoded; NULL: none): their arrays and objects are
 * checked and counted against the bound as before but not built, and are
 * empty in the item's tree, at their places. Not for the members of the
 * top-level object. */
void perfdb_json__stream_skip(perfdb_json_stream *s, bool (*skip)(const char *key, size_t len));

/* Called with each item (any value: a reader says when it is not an object;
 * borrowed until the call returns) and its
 * index in the array. A non-zero return stops the calls. For the members of
 * the top-level object: each member's value and its index among them; its
 * key is item->parent's member item->index (the parent holds that one
 * member). A member read in pieces is several calls with one index, each
 * item an object of a run of its value's members (their parent's member
 * has an empty object for value); an empty object comes once, as it is. */
typedef int (*perfdb_json_item_fn)(void *ctx, const perfdb_jnode *item, size_t index);

/*
 * Reads the array's items in order, calling fn (may be NULL: syntax only)
 * with each. When fn fails, the remaining items are still parsed, since a
 * syntax error after them would be the whole-file reader's error. Returns 0
 * (*count, may be NULL, set to the number of items), fn's error,
 * PERFDB_JSON__FALLBACK, or PERFDB_EIO / PERFDB_ENOMEM. May be called again.
 */
int perfdb_json__stream_items(perfdb_json_stream *s, perfdb_json_item_fn fn, void *ctx,
			      size_t *count);

/* The items of list, an array of a document read whole (s NULL; an object:
 * its members' values), or of the stream s (list is then its empty array or
 * object): fn with each in order, stopping
 * at its first error (a stream still checks the rest's syntax, as
 * perfdb_json__stream_items). For the readers that read either way. */
int perfdb_json__each_item(perfdb_json_stream *s, const perfdb_jnode *list, perfdb_json_item_fn fn,
			   void *ctx, size_t *count);

/*
 * The rest of a reader whose results are the items of list, read by fn (as
 * perfdb_json__each_item), once the reader has its own resultset own: own's
 * results go on to rs's sink as they are made (they are final once read),
 * "NAME: no WHAT in the file" is warned when there is no item, and own is
 * merged into rs. After PERFDB_JSON__FALLBACK (the file is to be read whole)
 * the batches written are forgotten. Returns as perfdb_json__each_item, or
 * PERFDB_ENOMEM.
 */
int perfdb_json__read_items(perfdb_resultset *rs, perfdb_resultset *own, const perfdb_json_doc *doc,
			    perfdb_json_stream *s, const perfdb_jnode *list, perfdb_json_item_fn fn,
			    void *ctx, const char *what);

/* As perfdb_json__read_items for the array of top-level member key, which
 * must be there (else "... (hint)", perfdb_json__root_array), the source
 * set to source first. */
int perfdb_json__read_array(perfdb_resultset *rs, perfdb_resultset *own, const perfdb_json_doc *doc,
			    perfdb_json_stream *s, const char *key, const char *hint,
			    const char *source, perfdb_json_item_fn fn, void *ctx,
			    const char *what);

/* For a reader's error found outside the items (in the skeleton): the
 * items' syntax is checked first (the whole-file parser would have refused
 * it before), giving PERFDB_JSON__FALLBACK, PERFDB_EIO or PERFDB_ENOMEM
 * instead of err, or err. */
int perfdb_json__stream_fail(perfdb_json_stream *s, int err);

/*
 * After PERFDB_JSON__FALLBACK, before the file is read whole: its syntax,
 * checked by the whole-file parser's own scanner without a tree
 * (perfdb_json__check), in memory of the file's size. Returns the whole-file
 * reader's error, word for word (PERFDB_EINPUT: "NAME:LINE:COL: invalid
 * JSON: ..." or "empty input"), PERFDB_JSON__FALLBACK when the syntax is good
 * (or the file changed size: the whole-file reader must look), or
 * PERFDB_EIO / PERFDB_ENOMEM. fd as for perfdb_json__stream_open.
 */
int perfdb_json__stream_check(int fd, const char *name, size_t max);

/* Frees s (not the fd). Accepts NULL. */
void perfdb_json__stream_close(perfdb_json_stream *s);

#endif
