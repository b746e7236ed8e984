/*
 * The input of a reader that takes a big file in passes, and its table of
 * fingerprints: see window.h.
 */
#include "ingest/window.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/resultset_internal.h"
#include "util/error.h"

void perfdb_ingest__window_buffer(perfdb_ingest_window *w, const char *data, size_t len,
				  const char *name)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->data = data;
	w->end = w->size = len;
	w->name = name;
}

int perfdb_ingest__window_file(perfdb_ingest_window *w, int fd, uint64_t from, uint64_t size,
			       const char *name, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->from = from;
	w->size = size;
	w->name = name;
	w->cap = cap ? cap : PERFDB_INGEST_WINDOW;
	if (!(w->buf = malloc(w->cap)))
		return perfdb_error__oom();
	w->data = w->buf;
	return 0;
}

void perfdb_ingest__window_release(perfdb_ingest_window *w)
{
	free(w->buf);
	w->buf = NULL;
}

int perfdb_ingest__window_changed(const perfdb_ingest_window *w)
{
	return perfdb_error__set(PERFDB_EIO, "cannot read '%s': it changed while it was read",
				 w->name);
}

bool perfdb_ingest__window_more(perfdb_ingest_window *w, size_t keep)
{
	size_t drop = keep - w->base, len, room;
	ssize_t n;

	if (w->fd < 0 || w->ioerr || w->end >= w->size)
		return false;
	if (drop) {
		memmove(w->buf, w->buf + drop, w->end - keep);
		w->base += drop;
	}
	len = w->end - w->base;
	if (len == w->cap) {
		size_t cap = w->cap * 2;
		char *b = realloc(w->buf, cap);
		if (!b) {
			w->ioerr = perfdb_error__oom();
			return false;
		}
		w->buf = b;
		w->cap = cap;
	}
	w->data = w->buf;
	room = w->cap - len;
	if (room > w->size - w->end)
		room = (size_t)(w->size - w->end);
	do
		n = pread(w->fd, w->buf + len, room, (off_t)(w->from + w->end));
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* the file was cut since its size was taken */
		w->ioerr = n < 0 ? perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", w->name,
						     strerror(errno))
				 : perfdb_ingest__window_changed(w);
		return false;
	}
	w->end += (size_t)n;
	return true;
}

void perfdb_ingest__window_rewind(perfdb_ingest_window *w)
{
	if (w->fd >= 0) {
		w->base = w->end = 0;
		w->data = w->buf;
	}
}

void perfdb_ingest__window_seek(perfdb_ingest_window *w, size_t off)
{
	if (w->fd >= 0 && (off < w->base || off > w->end)) {
		w->base = w->end = off;
		w->data = w->buf;
	}
}

int perfdb_ingest__window_line(perfdb_ingest_window *w, size_t *pos, const char **s, size_t *n)
{
	size_t start = *pos, scan = start;

	if (!perfdb_ingest__window_have(w, start, start))
		return w->ioerr;
	for (;;) {
		const char *p = perfdb_ingest__window_at(w, scan);
		const char *nl = memchr(p, '\n', w->end - scan);
		if (nl) {
			scan += (size_t)(nl - p);
			break;
		}
		scan = w->end;
		if (!perfdb_ingest__window_more(w, start)) {
			if (w->ioerr)
				return w->ioerr;
			break;
		}
	}
	*s = perfdb_ingest__window_at(w, start);
	*n = scan - start;
	*pos = scan < w->end ? scan + 1 : scan;
	return 1;
}

/* --- fingerprints -------------------------------------------------------------------- */

uint32_t perfdb_ingest__fingerprint(uint64_t h)
{
	uint32_t f = (uint32_t)(h >> 32) & ~1u;
	return f ? f : 2;
}

int perfdb_ingest__fingerprints_init(perfdb_ingest_fingerprints *t, size_t keys)
{
	unsigned bits = 6;
	while (bits < 31 && ((size_t)1 << bits) * 3 < keys * 4)
		bits++;
	free(t->slots);
	t->count = 0;
	t->bits = bits;
	t->cap = (size_t)1 << bits;
	if (!(t->slots = calloc(t->cap, sizeof(*t->slots))))
		return perfdb_error__oom();
	return 0;
}

/* The slot of fingerprint f: where it is, or the empty one where it goes.
 * Slots are taken from f's top bits, so the table can grow without the
 * hashes. */
static uint32_t *fingerprint_slot(const perfdb_ingest_fingerprints *t, uint32_t f)
{
	size_t mask = t->cap - 1, j = (size_t)(f >> (32 - t->bits));
	while (t->slots[j] && (t->slots[j] & ~1u) != f)
		j = (j + 1) & mask;
	return &t->slots[j];
}

int perfdb_ingest__fingerprints_add(perfdb_ingest_fingerprints *t, uint32_t f)
{
	uint32_t *slot;
	if ((t->count + 1) * 4 > t->cap * 3) {
		perfdb_ingest_fingerprints bigger = {NULL, 0, 0, 0};
		size_t i;
		int err;
		if (t->bits >= 31 || (err = perfdb_ingest__fingerprints_init(&bigger, t->cap)))
			return t->bits >= 31 ? perfdb_error__oom() : err;
		for (i = 0; i < t->cap; i++)
			if (t->slots[i])
				*fingerprint_slot(&bigger, t->slots[i] & ~1u) = t->slots[i];
		bigger.count = t->count;
		free(t->slots);
		*t = bigger;
	}
	slot = fingerprint_slot(t, f);
	if (*slot)
		*slot |= 1;
	else {
		*slot = f;
		t->count++;
	}
	return 0;
}

int perfdb_ingest__fingerprints_keep_repeated(perfdb_ingest_fingerprints *t)
{
	perfdb_ingest_fingerprints kept = {NULL, 0, 0, 0};
	size_t i, n = 0;
	int err;
	for (i = 0; i < t->cap; i++)
		n += t->slots[i] & 1;
	if ((err = perfdb_ingest__fingerprints_init(&kept, n)))
		return err;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i] & 1)
			*fingerprint_slot(&kept, t->slots[i] & ~1u) = t->slots[i];
	kept.count = n;
	free(t->slots);
	*t = kept;
	return 0;
}

bool perfdb_ingest__fingerprints_repeated(const perfdb_ingest_fingerprints *t, uint32_t f)
{
	return t->count && (*fingerprint_slot(t, f) & 1);
}

void perfdb_ingest__fingerprints_release(perfdb_ingest_fingerprints *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

int perfdb_ingest__three_passes(perfdb_resultset **own, perfdb_resultset *rs, const char *source,
				perfdb_ingest_fingerprints *seen, int (*pass)(void *reader, int n),
				void *reader, const perfdb_ingest_tally *t, const size_t *nrepeated,
				const perfdb_ingest_window *w)
{
	int err;
	if ((err = perfdb_resultset_new(own)) ||
	    (err = perfdb_resultset_set_meta(*own, PERFDB_META_SOURCE, source)))
		return err;
	/* results are final as they are made: on to rs's sink a batch at a
	 * time, the source set first, since the run is written with the
	 * first batch */
	perfdb_resultset__stream_into(*own, rs);
	if ((err = perfdb_ingest__fingerprints_init(seen, 0)) ||
	    (err = pass(reader, PERFDB_INGEST_PASS_FINGERPRINTS)) ||
	    (err = perfdb_ingest__fingerprints_keep_repeated(seen)) ||
	    (err = pass(reader, PERFDB_INGEST_PASS_CHECKS)))
		return err;
	/* pass 3 knows the keys that repeat from what pass 2 kept */
	perfdb_ingest__fingerprints_release(seen);
	if ((err = pass(reader, PERFDB_INGEST_PASS_RESULTS)))
		return err;
	return t->made == t->singles && t->next == *nrepeated ? 0
							      : perfdb_ingest__window_changed(w);
}

int perfdb_ingest__lines_buffer(perfdb_ingest_lines_fn read, perfdb_resultset *rs, const char *data,
				size_t len, const char *name, bool json)
{
	perfdb_ingest_window w;
	perfdb_ingest__window_buffer(&w, data, len, name);
	return read(rs, &w, name, json);
}

int perfdb_ingest__lines_file(perfdb_ingest_lines_fn read, perfdb_resultset *rs, int fd,
			      uint64_t from, uint64_t size, const char *name, size_t window,
			      bool json)
{
	perfdb_ingest_window w;
	int err = perfdb_ingest__window_file(&w, fd, from, size, name, window);
	return err ? err : read(rs, &w, name, json);
}
