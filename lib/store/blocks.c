/*
 * blocks.c - result blocks (schema/0009, blocks.h): a run's results packed
 * for the readers, written beside the rows and read instead of them.
 *
 * Why: `perfdb regress` over 100,000 series reads 2.1M results, and
 * stepping SQLite (or libpq) through 2.1M rows of five columns costs more
 * than the whole read may. A block is a run's results in one blob, read at
 * memory speed. The rows stay the truth: triggers drop a run's blocks when
 * its rows change by other means, and a block that does not check is not
 * read (the database is a file anyone may hand over).
 */
#include "store/blocks.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#define HEADER	   12
#define MIN_RECORD 17 /* flags, id, value */
#define VERSION	   1
#define ALL_NULLS  (PERFDB_BLOCK_NO_COUNT | PERFDB_BLOCK_NO_MEDIAN | PERFDB_BLOCK_NO_MAD)
#define ZERO_COUNT 8 /* sample_count is 0, not stored */

static void put_u32(unsigned char *p, uint32_t v)
{
	int k;
	for (k = 0; k < 4; k++)
		p[k] = (unsigned char)(v >> (8 * k));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	int k;
	for (k = 0; k < 8; k++)
		p[k] = (unsigned char)(v >> (8 * k));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void put_double(unsigned char *p, double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	put_u64(p, u);
}

static double get_double(const unsigned char *p)
{
	uint64_t u = get_u64(p);
	double d;
	memcpy(&d, &u, sizeof(d));
	return d;
}

size_t perfdb_store__block_size(int64_t len)
{
	return len > HEADER ? (size_t)(len - HEADER) / MIN_RECORD : 0;
}

/* The size of a record with these flags. */
static size_t record_size(unsigned flags)
{
	return MIN_RECORD + (flags & (PERFDB_BLOCK_NO_COUNT | ZERO_COUNT) ? 0 : 4) +
	       (flags & PERFDB_BLOCK_NO_MEDIAN ? 0 : 8) + (flags & PERFDB_BLOCK_NO_MAD ? 0 : 8);
}

int perfdb_store__block_check(const void *data, size_t len, size_t *count)
{
	const unsigned char *p = data;
	size_t n, i, off = HEADER;
	int64_t last = 0;
	*count = 0;
	if (!p || len < HEADER || memcmp(p, "PDBK", 4) != 0 || p[4] != VERSION || p[5] || p[6] ||
	    p[7])
		return 0;
	n = get_u32(p + 8);
	if (!n || n > (len - HEADER) / MIN_RECORD)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned flags;
		int64_t id;
		if (len - off < MIN_RECORD)
			return 0;
		flags = p[off];
		if ((flags & ~(ALL_NULLS | ZERO_COUNT)) ||
		    ((flags & ZERO_COUNT) && (flags & PERFDB_BLOCK_NO_COUNT)) ||
		    len - off < record_size(flags))
			return 0;
		id = (int64_t)get_u64(p + off + 1);
		if (i && id <= last)
			return 0;
		last = id;
		off += record_size(flags);
	}
	if (off != len)
		return 0;
	*count = n;
	return 1;
}

size_t perfdb_store__block_get(const void *data, size_t off, perfdb_block_result *out)
{
	const unsigned char *r = (const unsigned char *)data + (off ? off : HEADER);
	unsigned flags = r[0];
	const unsigned char *q = r + MIN_RECORD;
	out->benchmark_id = (int64_t)get_u64(r + 1);
	out->value = get_double(r + 9);
	out->nulls = flags & ALL_NULLS;
	out->sample_count = 0;
	out->sample_median = out->sample_mad = 0;
	if (!(flags & (PERFDB_BLOCK_NO_COUNT | ZERO_COUNT))) {
		out->sample_count = get_u32(q);
		q += 4;
	}
	if (!(flags & PERFDB_BLOCK_NO_MEDIAN)) {
		out->sample_median = get_double(q);
		q += 8;
	}
	if (!(flags & PERFDB_BLOCK_NO_MAD)) {
		out->sample_mad = get_double(q);
		q += 8;
	}
	return (size_t)(q - (const unsigned char *)data);
}

/* A double as the row gives it back: a block reads as its rows do. */
static double as_stored(const perfdb_block_writer *w, double d)
{
	return w->positive_zero && d == 0 ? 0.0 : d;
}

int perfdb_store__block_add(perfdb_block_writer *w, const perfdb_block_result *r)
{
	unsigned flags = r->nulls & ALL_NULLS;
	unsigned char *p;
	size_t size;
	if (!(flags & PERFDB_BLOCK_NO_COUNT) && r->sample_count == 0)
		flags |= ZERO_COUNT;
	size = record_size(flags);
	if (w->count && w->last >= r->benchmark_id)
		return perfdb_error__set(PERFDB_EINVAL, "a result block's benchmarks out of order");
	if (w->count == UINT32_MAX)
		return perfdb_error__set(PERFDB_EINVAL, "a result block of more than 2^32 results");
	if (w->len + size + HEADER > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 65536;
		unsigned char *np;
		while (cap < w->len + size + HEADER)
			cap *= 2;
		if (!(np = realloc(w->data, cap)))
			return perfdb_error__oom();
		w->data = np;
		w->cap = cap;
	}
	if (!w->len) /* the header, its count set when written */
		w->len = HEADER;
	p = w->data + w->len;
	p[0] = (unsigned char)flags;
	put_u64(p + 1, (uint64_t)r->benchmark_id);
	put_double(p + 9, as_stored(w, r->value));
	p += MIN_RECORD;
	if (!(flags & (PERFDB_BLOCK_NO_COUNT | ZERO_COUNT))) {
		put_u32(p, r->sample_count);
		p += 4;
	}
	if (!(flags & PERFDB_BLOCK_NO_MEDIAN)) {
		put_double(p, as_stored(w, r->sample_median));
		p += 8;
	}
	if (!(flags & PERFDB_BLOCK_NO_MAD))
		put_double(p, as_stored(w, r->sample_mad));
	w->len += size;
	w->last = r->benchmark_id;
	w->count++;
	return 0;
}

/* Runs one write of the blocks' table: ?1 run, ?2 chunk, ?3 data (NULL: not
 * bound). */
static int blocks_exec(perfdb_store *store, const char *sql, int64_t run_id, int64_t chunk,
		       const perfdb_block_writer *data)
{
	perfdb_stmt *st = NULL;
	int err;
	if ((err = perfdb_store__prepare(store, &st, sql)))
		return err;
	perfdb_stmt__bind_int64(st, 1, run_id);
	perfdb_stmt__bind_int64(st, 2, chunk);
	if (data)
		perfdb_stmt__bind_blob(st, 3, data->data, data->len);
	if (perfdb_stmt__step(st) != PERFDB_DB_DONE)
		err = perfdb_store__fail(store, "cannot write the result blocks of");
	perfdb_stmt__free(st);
	return err;
}

int perfdb_store__blocks_open(perfdb_store *store, perfdb_block_writer *w, int64_t run_id)
{
	int err;
	w->run_id = run_id;
	w->chunk = 0;
	w->len = w->count = 0;
	w->positive_zero = !perfdb_store__is_server(store);
	if ((err = blocks_exec(store,
			       "INSERT INTO result_blocks(run_id, chunk, data) VALUES (?1, ?2, '')",
			       run_id, PERFDB_BLOCK_OPEN_CHUNK, NULL)))
		return err;
	w->open = 1;
	return 0;
}

int perfdb_store__write_block(perfdb_store *store, perfdb_block_writer *w)
{
	int err;
	if (!w->count)
		return 0;
	memcpy(w->data, "PDBK", 4);
	w->data[4] = VERSION;
	w->data[5] = w->data[6] = w->data[7] = 0;
	put_u32(w->data + 8, (uint32_t)w->count);
	if ((err = blocks_exec(store,
			       "INSERT INTO result_blocks(run_id, chunk, data) VALUES (?1, ?2, ?3)",
			       w->run_id, w->chunk, w)))
		return err;
	w->chunk++;
	w->len = w->count = 0;
	return 0;
}

int perfdb_store__blocks_close(perfdb_store *store, perfdb_block_writer *w)
{
	int err;
	if (!w->open)
		return 0;
	if ((err = blocks_exec(store, "DELETE FROM result_blocks WHERE run_id = ?1 AND chunk = ?2",
			       w->run_id, PERFDB_BLOCK_OPEN_CHUNK, NULL)))
		return err;
	w->open = 0;
	return 0;
}

void perfdb_store__block_release(perfdb_block_writer *w)
{
	free(w->data);
	memset(w, 0, sizeof(*w));
}

void perfdb_store__block_result_of_row(perfdb_block_result *out, perfdb_stmt *st)
{
	out->benchmark_id = perfdb_stmt__column_int64(st, 0);
	out->value = perfdb_stmt__column_double(st, 1);
	out->sample_count = (uint32_t)perfdb_stmt__column_int64(st, 2);
	out->sample_median = perfdb_stmt__column_double(st, 3);
	out->sample_mad = perfdb_stmt__column_double(st, 4);
	out->nulls =
	    (perfdb_stmt__column_type(st, 2) == PERFDB_VALUE_NULL ? PERFDB_BLOCK_NO_COUNT : 0) |
	    (perfdb_stmt__column_type(st, 3) == PERFDB_VALUE_NULL ? PERFDB_BLOCK_NO_MEDIAN : 0) |
	    (perfdb_stmt__column_type(st, 4) == PERFDB_VALUE_NULL ? PERFDB_BLOCK_NO_MAD : 0);
}

/* Whether the row's value and statistics are numbers or NULL, as they are
 * where perfdb wrote them (text would be converted by the destination's
 * own rules). */
static int plain_numbers(perfdb_stmt *st)
{
	int c;
	for (c = 1; c <= 4; c++)
		if (perfdb_stmt__column_type(st, c) == PERFDB_VALUE_TEXT)
			return 0;
	return 1;
}

int perfdb_store__write_blocks_from_rows(perfdb_store *store, int64_t run_id, perfdb_store *from,
					 int64_t from_run)
{
	perfdb_block_writer w = {0};
	perfdb_stmt *st = NULL;
	int rc, err, other = 0;
	w.run_id = run_id;
	if ((err = perfdb_store__prepare(from, &st,
					 "SELECT benchmark_id, value, sample_count, sample_median, "
					 "sample_mad FROM results WHERE run_id = ?1 "
					 "ORDER BY benchmark_id")))
		return err;
	perfdb_stmt__bind_int64(st, 1, from_run);
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		perfdb_block_result r;
		if (from != store && !plain_numbers(st)) {
			other = 1;
			break;
		}
		perfdb_store__block_result_of_row(&r, st);
		if ((err = perfdb_store__block_add(&w, &r)) ||
		    (w.count == PERFDB_BLOCK_ROWS && (err = perfdb_store__write_block(store, &w))))
			break;
	}
	if (!err && !other && rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(from, "cannot read results from");
	perfdb_stmt__free(st);
	if (!err && !other)
		err = perfdb_store__write_block(store, &w);
	perfdb_store__block_release(&w);
	if (!err && other) {
		/* what the destination made of the text is in its rows */
		if ((err = perfdb_store__prepare(store, &st,
						 "DELETE FROM result_blocks WHERE run_id = ?1")))
			return err;
		perfdb_stmt__bind_int64(st, 1, run_id);
		if (perfdb_stmt__step(st) != PERFDB_DB_DONE)
			err = perfdb_store__fail(store, "cannot write the result blocks of");
		perfdb_stmt__free(st);
		if (!err)
			err = perfdb_store__write_blocks_from_rows(store, run_id, store, run_id);
	}
	return err;
}

int perfdb_store__write_all_blocks(perfdb_store *store)
{
	perfdb_stmt *st = NULL;
	int64_t *runs = NULL;
	size_t n = 0, cap = 0, i;
	int rc, err;
	if ((err = perfdb_store__prepare(store, &st, "SELECT id FROM runs ORDER BY id")))
		return err;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		if (n == cap && perfdb_store__grow((void **)&runs, &cap, n, sizeof(*runs))) {
			err = perfdb_error__oom();
			break;
		}
		runs[n++] = perfdb_stmt__column_int64(st, 0);
	}
	if (!err && rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(store, "cannot read runs from");
	perfdb_stmt__free(st);
	for (i = 0; i < n && !err; i++)
		err = perfdb_store__write_blocks_from_rows(store, runs[i], store, runs[i]);
	free(runs);
	return err;
}
