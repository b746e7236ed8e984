/*
 * Library-internal: result blocks (schema/0009), a packed copy of a run's
 * results for the readers: what lib/store/series.c reads of a result, for
 * many results in one blob, instead of one row each.
 *
 * A block is little-endian: a 12-byte header ("PDBK", the format version 1,
 * three zero bytes, the number of results n > 0 as 32 bits), then n records
 * in increasing benchmark id, each: a flags byte (PERFDB_BLOCK_NO_* for the
 * statistics that are NULL, 8 for a sample_count of 0), benchmark_id
 * (64-bit integer), value (IEEE double), then what is not NULL or 0 of
 * sample_count (32 bits), sample_median and sample_mad (doubles): 17 bytes
 * for a result without samples, 37 with them. Anything else (a record
 * past the end, bytes after the last, ids out of order, unknown flag bits)
 * is not a block: the run's rows are read instead.
 *
 * Writing: a run's blocks go in the transaction that writes its results.
 * perfdb_store__blocks_open, before the first result, marks the run (a row
 * of chunk -1) so that the results written next keep the blocks already
 * written (any other insert into results drops the run's blocks, by
 * trigger); each perfdb_store__write_block writes the results added since
 * the one before as the next chunk (before or after their rows);
 * perfdb_store__blocks_close removes the mark. A run whose mark is there
 * (never committed by perfdb) is read from its rows.
 */
#ifndef PERFDB_STORE_BLOCKS_H
#define PERFDB_STORE_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum {
	PERFDB_BLOCK_NO_COUNT = 1,  /* sample_count is NULL */
	PERFDB_BLOCK_NO_MEDIAN = 2, /* sample_median is NULL */
	PERFDB_BLOCK_NO_MAD = 4	    /* sample_mad is NULL */
};

/* Results per block, at most, that perfdb writes: a run's block is held in
 * memory until written (2.4 MB). A run's chunks, written in id order, read
 * back in order without a merge. */
#define PERFDB_BLOCK_ROWS 65536

/* The chunk of the mark of a run whose blocks are being written. */
#define PERFDB_BLOCK_OPEN_CHUNK (-1)

/* One result as a block holds it. */
typedef struct perfdb_block_result {
	int64_t benchmark_id;
	double value, sample_median, sample_mad;
	uint32_t sample_count;
	unsigned nulls; /* PERFDB_BLOCK_NO_* */
} perfdb_block_result;

/* The blocks of one run on their way into the database. Zero it, or
 * perfdb_store__blocks_open; perfdb_store__block_release frees it. */
typedef struct perfdb_block_writer {
	int64_t run_id;
	int64_t chunk; /* the next chunk's number */
	unsigned char *data;
	size_t len, cap, count;
	int64_t last;	   /* the last benchmark id added */
	int open;	   /* the run's mark is written */
	int positive_zero; /* -0.0 is stored as 0.0 (SQLite does so in a REAL column) */
} perfdb_block_writer;

/* Starts the blocks of run_id: writes its mark. Errors: PERFDB_EDB. */
int perfdb_store__blocks_open(perfdb_store *store, perfdb_block_writer *w, int64_t run_id);

/* Adds one result, after the one added before it in benchmark id order
 * (within a chunk). Errors: PERFDB_ENOMEM, PERFDB_EINVAL (out of order, a
 * bug of the caller). */
int perfdb_store__block_add(perfdb_block_writer *w, const perfdb_block_result *r);

/* Writes the results added since the last write as the run's next chunk
 * (nothing when none were). Errors: PERFDB_EDB. */
int perfdb_store__write_block(perfdb_store *store, perfdb_block_writer *w);

/* Ends the run's blocks: removes its mark. Errors: PERFDB_EDB. */
int perfdb_store__blocks_close(perfdb_store *store, perfdb_block_writer *w);

/* Frees the writer's memory (accepts a zeroed one). */
void perfdb_store__block_release(perfdb_block_writer *w);

/* Writes the blocks of run_id, whose results are already in the table, from
 * the rows of from_run in from: store itself, or the shard a merge copied
 * the run's rows from as they are (the same benchmark ids; a row whose
 * values there are text is read back from store instead). Errors:
 * PERFDB_EDB, PERFDB_ENOMEM. */
int perfdb_store__write_blocks_from_rows(perfdb_store *store, int64_t run_id, perfdb_store *from,
					 int64_t from_run);

/* Writes the blocks of every run from its rows (the migration to version
 * 9). Errors: PERFDB_EDB, PERFDB_ENOMEM. */
int perfdb_store__write_all_blocks(perfdb_store *store);

/* A result from a row of (benchmark_id, value, sample_count, sample_median,
 * sample_mad), as the readers take it. */
void perfdb_store__block_result_of_row(perfdb_block_result *out, perfdb_stmt *st);

/* How many results a block of len bytes holds at most (0 if none). */
size_t perfdb_store__block_size(int64_t len);

/* Whether data (len bytes) is a block; *count receives its number of
 * results. Reads nothing outside data. */
int perfdb_store__block_check(const void *data, size_t len, size_t *count);

/* The result at byte off of a checked block (0: its first), into *out;
 * returns the offset of the next. Call it no more times than the count
 * perfdb_store__block_check gave. */
size_t perfdb_store__block_get(const void *data, size_t off, perfdb_block_result *out);

#endif
