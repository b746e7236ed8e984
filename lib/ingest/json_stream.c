/*
 * One big array of a JSON file, an item at a time (see json_stream.h).
 *
 * Positions: a column counts characters, as the parser does: every byte but
 * a UTF-8 continuation byte moves it on (for valid UTF-8 that is the
 * parser's count; invalid UTF-8 is a syntax error, and so a fallback).
 */
#include "ingest/json_stream.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/resultset_internal.h"
#include "util/error.h"

/* The window's first size; it grows to hold the largest item. */
#define WINDOW_SIZE ((size_t)1 << 20)

struct perfdb_json_stream {
	int fd;
	const char *key;
	char *name;
	size_t max;
	perfdb_json_doc *skeleton;
	const perfdb_jnode *array;
	uint64_t open, close; /* offsets of the array's '[' and ']' */
	uint32_t open_line, open_column;
	uint32_t close_line, close_column;
	bool checked; /* every item's syntax is known to be good */
	bool gutted;  /* perfdb_json__stream_open_gutted: no array, no items */
};

/* --- reading through a window ---------------------------------------------------- */

typedef struct window {
	int fd;
	const char *name;
	char *buf;
	size_t cap, len; /* buf holds len bytes of the file from offset base */
	uint64_t base;
	uint64_t limit; /* nothing at or after this offset is read */
} window;

/* Reads more, dropping the bytes before offset keep: 1, 0 at the end (or the
 * limit), or an error. */
static int window_more(window *w, uint64_t keep)
{
	size_t drop, room;
	ssize_t n;

	if (keep > w->base + w->len)
		keep = w->base + w->len;
	drop = (size_t)(keep - w->base);
	if (drop) {
		memmove(w->buf, w->buf + drop, w->len - drop);
		w->len -= drop;
		w->base += drop;
	}
	if (w->len == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : WINDOW_SIZE;
		char *b = realloc(w->buf, cap);
		if (!b)
			return perfdb_error__oom();
		w->buf = b;
		w->cap = cap;
	}
	room = w->cap - w->len;
	if (w->base + w->len >= w->limit)
		return 0;
	if (room > w->limit - (w->base + w->len))
		room = (size_t)(w->limit - (w->base + w->len));
	do
		n = pread(w->fd, w->buf + w->len, room, (off_t)(w->base + w->len));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", w->name,
					 strerror(errno));
	if (n == 0)
		return 0;
	w->len += (size_t)n;
	return 1;
}

/* The byte at offset off into *c, keeping the window from keep (<= off) on:
 * 1, 0 past the end, or an error. */
static inline int window_byte(window *w, uint64_t off, uint64_t keep, unsigned char *c)
{
	int rc;
	while (off >= w->base + w->len)
		if ((rc = window_more(w, keep)) <= 0)
			return rc;
	*c = (unsigned char)w->buf[off - w->base];
	return 1;
}

static void window_init(window *w, const perfdb_json_stream *s, uint64_t from, uint64_t limit)
{
	memset(w, 0, sizeof(*w));
	w->fd = s->fd;
	w->name = s->name;
	w->base = from;
	w->limit = limit;
}

static inline void advance(unsigned char c, uint32_t *line, uint32_t *column)
{
	if (c == '\n') {
		++*line;
		*column = 1;
	} else if ((c & 0xC0) != 0x80) {
		++*column;
	}
}

static inline bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* --- 1. where the array is ----------------------------------------------------------- */

/* A window on the whole file, and in *off where its text starts: after a
 * byte order mark (no column, as for the parser). 0, or an error. */
static int window_start(window *w, perfdb_json_stream *s, uint64_t *off)
{
	unsigned char c;
	int rc;
	window_init(w, s, 0, s->max);
	if ((rc = window_byte(w, 2, 0, &c)) < 0)
		return rc;
	*off = rc && memcmp(w->buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	return 0;
}

/* Moves the string state on by c: true when c is in a string or one of its
 * quotes (not structure). */
static bool string_char(bool *in_str, bool *esc, unsigned char c)
{
	if (*in_str) {
		if (*esc)
			*esc = false;
		else if (c == '\\')
			*esc = true;
		else if (c == '"')
			*in_str = false;
		return true;
	}
	if (c == '"')
		*in_str = true;
	return c == '"';
}

/* The character an escape in a key stands for (after the backslash: c), for
 * comparing keys as the parser decodes them: -1 for \u, whose four hex
 * digits follow; 0 for what the parser refuses (the syntax check names it). */
static int unescape(unsigned char c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/': return c;
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': return -1;
	default: return 0;
	}
}

static int hex_digit(unsigned char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

static int scan(perfdb_json_stream *s)
{
	enum { K_NONE, K_EXPECT, K_IN, K_AFTER, K_VALUE } ks = K_NONE;
	size_t key_len = strlen(s->key), kpos = 0;
	bool in_str = false, esc = false, kmatch = false, found = false, started = false;
	bool root = !*s->key; /* the document is the array (JMH) */
	int hex = 0;	      /* \u digits still to come in a key */
	unsigned code = 0;    /* and the code point so far */
	uint32_t line = 1, column = 1;
	uint64_t off = 0;
	int depth = 0, rc;
	unsigned char c;
	window w;

	if ((rc = window_start(&w, s, &off)) < 0)
		goto done;
	for (;; off++) {
		if ((rc = window_byte(&w, off, off, &c)) <= 0) {
			if (rc == 0)
				rc = PERFDB_JSON__FALLBACK;
			goto done;
		}
		if (in_str) {
			/* A key is compared as the parser decodes it ("bench\u006darks"
			 * is "benchmarks"): the key it looks up in the skeleton. A
			 * bad \u escape is the parser's to name; the character is
			 * scanned as any other. */
			if (hex && hex_digit(c) < 0) {
				hex = 0;
				kmatch = false;
			}
			if (hex) {
				code = code * 16 + (unsigned)hex_digit(c);
				if (--hex == 0) {
					/* a key of the reader is ASCII: any other code
					 * point (a surrogate too) does not match */
					kmatch = kmatch && code > 0 && code < 0x80 &&
						 kpos < key_len && s->key[kpos] == (char)code;
					kpos++;
				}
			} else if (esc) {
				esc = false;
				if (ks == K_IN) {
					int u = unescape(c);
					if (u < 0) {
						hex = 4;
						code = 0;
					} else {
						kmatch = kmatch && u > 0 && kpos < key_len &&
							 s->key[kpos] == (char)u;
						kpos++;
					}
				}
			} else if (c == '\\') {
				esc = true;
			} else if (c == '"') {
				in_str = false;
				if (ks == K_IN) {
					kmatch = kmatch && kpos == key_len;
					ks = K_AFTER;
				}
			} else if (ks == K_IN) {
				kmatch = kmatch && kpos < key_len && s->key[kpos] == (char)c;
				kpos++;
			}
		} else if (!is_space(c)) {
			if (!started && c != (root ? '[' : '{')) {
				rc = PERFDB_JSON__FALLBACK;
				goto done;
			}
			if (!started && root) {
				found = true;
				s->open = off;
				s->open_line = line;
				s->open_column = column;
			}
			started = true;
			if (depth == 1 && ks == K_VALUE && !root) {
				if (c != '[' || found) {
					rc = PERFDB_JSON__FALLBACK;
					goto done;
				}
				found = true;
				s->open = off;
				s->open_line = line;
				s->open_column = column;
			}
			switch (c) {
			case '"':
				in_str = true;
				if (depth == 1 && ks == K_EXPECT) {
					ks = K_IN;
					kpos = 0;
					kmatch = true;
				}
				break;
			case '{':
			case '[':
				if (++depth == 1)
					ks = K_EXPECT;
				break;
			case '}':
			case ']':
				if (--depth == (root ? 0 : 1) && found) {
					s->close = off;
					s->close_line = line;
					s->close_column = column;
					rc = 0;
					goto done;
				}
				if (depth < 1) {
					rc = PERFDB_JSON__FALLBACK;
					goto done;
				}
				break;
			case ',':
				if (depth == 1)
					ks = K_EXPECT;
				break;
			case ':':
				if (depth == 1)
					ks = ks == K_AFTER && kmatch ? K_VALUE : K_NONE;
				break;
			default:
				if (depth == 1)
					ks = K_NONE;
				break;
			}
		}
		advance(c, &line, &column);
	}
done:
	free(w.buf);
	return rc;
}

/* For perfdb_json__stream_open_gutted: the largest object or array that is a
 * top-level member's value (or the whole document, when it is an array), as
 * the range to cut out. The syntax is known to be good. */
static int scan_largest(perfdb_json_stream *s)
{
	bool in_str = false, esc = false, found = false, root_array = false;
	uint32_t line = 1, column = 1, at_line[2] = {0, 0}, at_column[2] = {0, 0};
	uint64_t off = 0, at[2] = {0, 0}; /* where the open containers of depth 0 and 1 start */
	int depth = 0, rc;
	unsigned char c;
	window w;

	if ((rc = window_start(&w, s, &off)) < 0)
		goto done;
	for (;; off++) {
		if ((rc = window_byte(&w, off, off, &c)) <= 0) {
			rc = rc ? rc : found ? 0 : PERFDB_JSON__FALLBACK;
			goto done;
		}
		if (string_char(&in_str, &esc, c)) {
			/* nothing */
		} else if (c == '{' || c == '[') {
			if (depth == 0)
				root_array = c == '[';
			if (depth < 2) {
				at[depth] = off;
				at_line[depth] = line;
				at_column[depth] = column;
			}
			depth++;
		} else if (c == '}' || c == ']') {
			int d = --depth;
			if ((d == 1 || (d == 0 && root_array)) &&
			    (!found || off - at[d] > s->close - s->open)) {
				found = true;
				s->open = at[d];
				s->close = off;
				s->open_line = at_line[d];
				s->open_column = at_column[d];
				s->close_line = line;
				s->close_column = column;
			}
		}
		advance(c, &line, &column);
	}
done:
	free(w.buf);
	return rc;
}

/* --- 2. the rest of the document ---------------------------------------------------- */

static int read_at(int fd, const char *name, char *buf, size_t len, uint64_t off, size_t *got)
{
	size_t n = 0;
	while (n < len) {
		ssize_t k = pread(fd, buf + n, len - n, (off_t)(off + n));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", name,
						 strerror(errno));
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*got = n;
	return 0;
}

static int skeleton(perfdb_json_stream *s)
{
	perfdb_jparse_at at;
	size_t head = (size_t)s->open + 1, len, cap = head + WINDOW_SIZE, got = 0;
	uint64_t off = s->close;
	const perfdb_jnode *root;
	char *buf = malloc(cap);
	int err;

	if (!buf)
		return perfdb_error__oom();
	if ((err = read_at(s->fd, s->name, buf, head, 0, &got)))
		goto done;
	if (got != head) {
		err = PERFDB_JSON__FALLBACK;
		goto done;
	}
	len = head;
	for (;;) {
		if (len == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				err = perfdb_error__oom();
				goto done;
			}
			buf = b;
			cap *= 2;
		}
		if ((err = read_at(s->fd, s->name, buf + len, cap - len, off, &got)))
			goto done;
		if (!got)
			break;
		len += got;
		off += got;
		if (off > s->max) {
			/* grew past the limit: the whole-file reader says so */
			err = PERFDB_JSON__FALLBACK;
			goto done;
		}
	}
	memset(&at, 0, sizeof(at));
	at.gap = head;
	at.gap_line = s->close_line;
	at.gap_column = s->close_column;
	if ((err = perfdb_json__load_at(&s->skeleton, buf, len, s->name, &at))) {
		if (err != PERFDB_ENOMEM)
			err = PERFDB_JSON__FALLBACK;
		goto done;
	}
	if (s->gutted)
		goto done; /* a member cut out: nothing to check */
	root = perfdb_json__root(s->skeleton);
	s->array = *s->key ? perfdb_json__get(root, s->key) : root;
	/* The array the scan found must be the one the parser read there. */
	if (!perfdb_json__is_array(s->array) || perfdb_json__size(s->array) != 0 ||
	    s->array->line != s->open_line || s->array->column != s->open_column)
		err = PERFDB_JSON__FALLBACK;
done:
	free(buf);
	return err;
}

/* A stream of fd for key: gutted, or the array's (see the two callers). */
static int stream_open(perfdb_json_stream **out, int fd, const char *name, const char *key,
		       size_t max, bool gutted)
{
	perfdb_json_stream *s;
	int err;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))) || !(s->name = strdup(name ? name : ""))) {
		free(s);
		return perfdb_error__oom();
	}
	s->fd = fd;
	s->key = key;
	s->max = max;
	s->gutted = s->checked = gutted;
	if ((err = gutted ? scan_largest(s) : scan(s)) || (err = skeleton(s))) {
		perfdb_json__stream_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int perfdb_json__stream_open(perfdb_json_stream **out, int fd, const char *name, const char *key,
			     size_t max)
{
	return stream_open(out, fd, name, key, max, false);
}

int perfdb_json__stream_open_gutted(perfdb_json_stream **out, int fd, const char *name, size_t max)
{
	return stream_open(out, fd, name, "", max, true);
}

const perfdb_json_doc *perfdb_json__stream_doc(const perfdb_json_stream *s)
{
	return s->skeleton;
}

const perfdb_jnode *perfdb_json__stream_array(const perfdb_json_stream *s)
{
	return s->array;
}

/* --- 3. the items ------------------------------------------------------------------------ */

/* Parses the item from offset start (a '{' at *line:*column) to its closing
 * bracket; *end and the position are moved past it. */
static int item(perfdb_json_stream *s, window *w, uint64_t start, uint64_t *end, uint32_t *line,
		uint32_t *column, size_t index, perfdb_jdoc **out)
{
	perfdb_jparse_at at;
	bool in_str = false, esc = false, scalar;
	uint32_t l = *line, c0 = *column, col = *column;
	uint64_t off = start;
	int depth = 0, rc;
	unsigned char c;

	if ((rc = window_byte(w, start, start, &c)) <= 0)
		return rc ? rc : PERFDB_JSON__FALLBACK;
	/* An item that is no object or array (a number, a string, true, ...)
	 * ends before the ',', ']' or space after it, outside a string; the
	 * parser judges it, and the reader says it is not an object. */
	scalar = c != '{' && c != '[';
	for (;; off++) {
		if ((rc = window_byte(w, off, start, &c)) <= 0)
			return rc ? rc : PERFDB_JSON__FALLBACK;
		if (scalar && !in_str && off > start &&
		    (off >= s->close || c == ',' || c == ']' || is_space(c))) {
			off--; /* the item is [start, off] */
			break;
		}
		if (off >= s->close)
			return PERFDB_JSON__FALLBACK;
		advance(c, &l, &col);
		if (string_char(&in_str, &esc, c)) {
			/* nothing */
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			break;
		}
	}
	if (index >= UINT32_MAX)
		return PERFDB_JSON__FALLBACK;
	memset(&at, 0, sizeof(at));
	at.line = *line;
	at.column = c0;
	at.depth = *s->key ? 2 : 1; /* the top-level object and the array, or the array */
	at.parent = (perfdb_jnode *)s->array;
	at.index = (uint32_t)index;
	rc = perfdb_jdoc_parse_at(out, w->buf + (start - w->base), (size_t)(off + 1 - start), &at,
				  NULL);
	if (rc)
		return rc == PERFDB_JPARSE_NOMEM ? perfdb_error__oom() : PERFDB_JSON__FALLBACK;
	*end = off + 1;
	*line = l;
	*column = col;
	return 0;
}

int perfdb_json__stream_items(perfdb_json_stream *s, perfdb_json_item_fn fn, void *ctx,
			      size_t *count)
{
	enum { START, AFTER_ITEM, AFTER_COMMA } state = START;
	uint32_t line = s->open_line, column = s->open_column + 1;
	uint64_t off = s->open + 1;
	size_t n = 0;
	int err = 0, rc;
	unsigned char c;
	window w;

	if (s->gutted)
		return PERFDB_JSON__FALLBACK; /* the reader got past the document's top */
	window_init(&w, s, off, s->close + 1);
	for (;;) {
		if ((rc = window_byte(&w, off, off, &c)) <= 0) {
			err = rc ? rc : PERFDB_JSON__FALLBACK;
			break;
		}
		if (off == s->close) {
			if (state == AFTER_COMMA)
				err = PERFDB_JSON__FALLBACK; /* a trailing comma */
			break;
		}
		if (is_space(c)) {
			advance(c, &line, &column);
			off++;
		} else if (state == AFTER_ITEM) {
			if (c != ',') {
				err = PERFDB_JSON__FALLBACK;
				break;
			}
			state = AFTER_COMMA;
			column++;
			off++;
		} else {
			perfdb_jdoc *doc = NULL;
			if ((rc = item(s, &w, off, &off, &line, &column, n, &doc))) {
				err = rc;
				break;
			}
			if (fn && (rc = fn(ctx, perfdb_jdoc_root(doc), n))) {
				/* the rest is still read for its syntax */
				err = rc;
				fn = NULL;
			}
			perfdb_jdoc_free(doc);
			if (rc == PERFDB_JSON__FALLBACK)
				break;
			n++;
			state = AFTER_ITEM;
		}
	}
	free(w.buf);
	if (err == PERFDB_JSON__FALLBACK || err == PERFDB_ENOMEM || err == PERFDB_EIO)
		return err;
	s->checked = true;
	if (count)
		*count = n;
	return err;
}

int perfdb_json__each_item(perfdb_json_stream *s, const perfdb_jnode *list, perfdb_json_item_fn fn,
			   void *ctx, size_t *count)
{
	size_t i, n = perfdb_json__size(list);
	int err;
	if (s)
		return perfdb_json__stream_items(s, fn, ctx, count);
	for (i = 0; i < n; i++)
		if ((err = fn(ctx, perfdb_json__item(list, i), i)))
			return err;
	*count = n;
	return 0;
}

int perfdb_json__read_items(perfdb_resultset *rs, perfdb_resultset *own, const perfdb_json_doc *doc,
			    perfdb_json_stream *s, const perfdb_jnode *list, perfdb_json_item_fn fn,
			    void *ctx, const char *what)
{
	size_t n;
	int err;
	perfdb_resultset__stream_into(own, rs);
	if ((err = perfdb_json__each_item(s, list, fn, ctx, &n))) {
		if (err == PERFDB_JSON__FALLBACK)
			perfdb_resultset__discard(own);
		return err;
	}
	if (n == 0 && (err = perfdb_resultset_warn(own, "%s: no %s in the file",
						   perfdb_json__name(doc), what)))
		return err;
	return perfdb_resultset_merge(rs, own);
}

int perfdb_json__read_array(perfdb_resultset *rs, perfdb_resultset *own, const perfdb_json_doc *doc,
			    perfdb_json_stream *s, const char *key, const char *hint,
			    const char *source, perfdb_json_item_fn fn, void *ctx, const char *what)
{
	const perfdb_jnode *list;
	int err;
	if ((err = perfdb_json__root_array(&list, doc, key, hint)) ||
	    (err = perfdb_resultset_set_meta(own, PERFDB_META_SOURCE, source)))
		return perfdb_json__stream_fail(s, err);
	return perfdb_json__read_items(rs, own, doc, s, list, fn, ctx, what);
}

int perfdb_json__stream_fail(perfdb_json_stream *s, int err)
{
	int rc;
	if (!s || s->checked || err == PERFDB_ENOMEM || err == PERFDB_JSON__FALLBACK)
		return err;
	rc = perfdb_json__stream_items(s, NULL, NULL, NULL);
	return rc ? rc : err;
}

void perfdb_json__stream_close(perfdb_json_stream *s)
{
	if (!s)
		return;
	perfdb_json__free(s->skeleton);
	free(s->name);
	free(s);
}

/* --- after a fallback ------------------------------------------------------------------- */

int perfdb_json__stream_check(int fd, const char *name, size_t max)
{
	struct stat st;
	size_t len, got = 0;
	char *text, extra;
	int err;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max)
		return PERFDB_JSON__FALLBACK;
	len = (size_t)st.st_size;
	if (!(text = malloc(len + PERFDB_JPARSE_PADDING)))
		return perfdb_error__oom();
	if ((err = read_at(fd, name, text, len, 0, &got)))
		goto done;
	/* A file that changed size since is the whole-file reader's to read. */
	if (got != len || (err = read_at(fd, name, &extra, 1, len, &got)) || got) {
		err = err ? err : PERFDB_JSON__FALLBACK;
		goto done;
	}
	memset(text + len, 0, PERFDB_JPARSE_PADDING);
	/* Valid: the whole-file reader has more to say. Empty input is named as
	 * perfdb_ingest_buffer names it. */
	if (!(err = perfdb_json__check(text, len, name)))
		err = PERFDB_JSON__FALLBACK;
done:
	free(text);
	return err;
}
