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

#include <jansson.h>

#include "core/resultset_internal.h"
#include "ingest/reader.h"
#include "util/arena.h"
#include "util/error.h"

/* The window's first size; it grows to hold the largest item. */
#define WINDOW_SIZE ((size_t)1 << 20)

/* The members of the top-level object: a member this long whose value is an
 * object is read in pieces of about this size (the tree of a piece takes
 * several times its text). */
#define PIECE_SIZE WINDOW_SIZE

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
	/* perfdb_json__members: the items are the top-level object's members */
	bool members;
	size_t piece;  /* a member this long whose value is an object comes in pieces */
	uint64_t *big; /* where those members start, in order */
	size_t nbig, capbig;
	/* Duplicate keys, which each item parsed alone cannot see: fingerprints
	 * (perfdb_ingest__hash_pair's top half) of the keys of the top-level
	 * object and of the objects read in pieces that occur more than once,
	 * sorted; such keys are kept whole as the items are read. */
	uint32_t *repeated;
	size_t nrepeated;
	perfdb_ingest_index top_keys, inner_keys;
	perfdb_arena key_names;
	/* perfdb_json__stream_skip's: an item's members its reader ignores */
	bool (*skip)(const char *key, size_t len);
};

const char perfdb_json__members[] = "{members}";

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

/* A key's bytes decoded as the parser decodes them (to UTF-8), to compare
 * or hash keys without it. What the parser refuses (a bad escape, \u0000, a
 * lone surrogate) sets bad: such a key matches nothing, and the syntax
 * check names it. */
typedef struct key_decoder {
	unsigned code; /* the \u code unit so far */
	unsigned high; /* a high surrogate waiting for its low half, or 0 */
	int hex;       /* \u digits still to come */
	bool esc;
	bool bad;
} key_decoder;

static int put_utf8(unsigned cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A character of the key (not a \u escape): out, after any surrogate left
 * waiting (lone: bad). */
static int key_char(key_decoder *k, unsigned char c, unsigned char *out)
{
	if (k->high) {
		k->high = 0;
		k->bad = true;
	}
	out[0] = c;
	return 1;
}

/* A \u escape's code unit, complete. */
static int key_unit(key_decoder *k, unsigned char *out)
{
	unsigned cp = k->code;
	if (k->high) {
		unsigned high = k->high;
		k->high = 0;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return put_utf8(0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00), out);
		k->bad = true;
	}
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		k->high = cp;
		return 0;
	}
	if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
		k->bad = true;
		return 0;
	}
	return put_utf8(cp, out);
}

/* The next byte c of a key, after its opening quote: -1 when c closes it
 * (bad is then set too for a surrogate left waiting), else how many decoded
 * bytes were written to out (at most 4). */
static int key_byte(key_decoder *k, unsigned char c, unsigned char *out)
{
	if (k->hex) {
		int d = hex_digit(c);
		if (d >= 0) {
			k->code = k->code * 16 + (unsigned)d;
			return --k->hex ? 0 : key_unit(k, out);
		}
		/* a bad \u escape is the parser's to name; c is read as any other */
		k->hex = 0;
		k->bad = true;
	}
	if (k->esc) {
		int u = unescape(c);
		k->esc = false;
		if (u < 0) {
			k->hex = 4;
			k->code = 0;
			return 0;
		}
		if (u == 0) {
			k->bad = true;
			return 0;
		}
		return key_char(k, (unsigned char)u, out);
	}
	if (c == '\\') {
		k->esc = true;
		return 0;
	}
	if (c == '"') {
		k->bad = k->bad || k->high;
		return -1;
	}
	return key_char(k, c, out);
}

/* The array (or object) the items are in opens at off, line:column. */
static void opens_at(perfdb_json_stream *s, uint64_t off, uint32_t line, uint32_t column)
{
	s->open = off;
	s->open_line = line;
	s->open_column = column;
}

static int scan(perfdb_json_stream *s)
{
	enum { K_NONE, K_EXPECT, K_IN, K_AFTER, K_VALUE } ks = K_NONE;
	size_t key_len = strlen(s->key), kpos = 0;
	bool in_str = false, esc = false, kmatch = false, found = false, started = false;
	bool root = !*s->key; /* the document is the array (JMH) */
	key_decoder kd;
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
		if (in_str && ks != K_IN) {
			string_char(&in_str, &esc, c);
		} else if (in_str) {
			/* A key is compared as the parser decodes it ("bench\u006darks"
			 * is "benchmarks"): the key it looks up in the skeleton. */
			unsigned char dec[4];
			int k, n = key_byte(&kd, c, dec);
			if (n < 0) {
				in_str = false;
				kmatch = kmatch && !kd.bad && kpos == key_len;
				ks = K_AFTER;
			}
			for (k = 0; k < n; k++, kpos++)
				kmatch = kmatch && kpos < key_len &&
					 (unsigned char)s->key[kpos] == dec[k];
		} else if (!is_space(c)) {
			if (!started && c != (root ? '[' : '{')) {
				rc = PERFDB_JSON__FALLBACK;
				goto done;
			}
			if (!started && root) {
				found = true;
				opens_at(s, off, line, column);
			}
			started = true;
			if (depth == 1 && ks == K_VALUE && !root) {
				if (c != '[' || found) {
					rc = PERFDB_JSON__FALLBACK;
					goto done;
				}
				found = true;
				opens_at(s, off, line, column);
			}
			switch (c) {
			case '"':
				in_str = true;
				if (depth == 1 && ks == K_EXPECT) {
					ks = K_IN;
					kpos = 0;
					kmatch = true;
					memset(&kd, 0, sizeof(kd));
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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static uint32_t key_fingerprint(const char *a, const char *b)
{
	return (uint32_t)(perfdb_ingest__hash_pair(a, b) >> 32);
}

/* A growing decoded key, NUL-terminated. */
typedef struct key_text {
	char *s;
	size_t len, cap;
} key_text;

static int key_text_put(key_text *k, const unsigned char *b, size_t n)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)&k->s, &k->cap, k->len + n + 1, 1)))
		return err;
	if (n)
		memcpy(k->s + k->len, b, n);
	k->len += n;
	k->s[k->len] = '\0';
	return 0;
}

/* Keeps the fingerprints of fps that occur more than once, once each,
 * sorted, as s's; fps is taken. */
static void keep_repeated(perfdb_json_stream *s, uint32_t *fps, size_t n)
{
	size_t i, k = 0;
	uint32_t *small;
	if (n)
		qsort(fps, n, sizeof(*fps), cmp_u32);
	for (i = 1; i < n; i++)
		if (fps[i] == fps[i - 1] && (k == 0 || fps[k - 1] != fps[i]))
			fps[k++] = fps[i];
	if (k && (small = realloc(fps, k * sizeof(*fps))))
		fps = small;
	if (!k) {
		free(fps);
		fps = NULL;
	}
	s->repeated = fps;
	s->nrepeated = k;
}

/*
 * Pass 1 for the members of the top-level object: where the object is;
 * where each member starts that is s->piece bytes or more and whose value
 * is an object (read in pieces); and which keys may repeat, from a
 * fingerprint of every key of the object and of those members' objects (4
 * bytes a key), so that pass 3 keeps only those keys to find duplicates.
 */
static int scan_members(perfdb_json_stream *s)
{
	bool in_str = false, esc = false, started = false, in_key = false;
	bool expect1 = false, expect2 = false, object2 = false, member = false;
	key_text key1 = {NULL, 0, 0}, key2 = {NULL, 0, 0}, *key = NULL;
	uint32_t line = 1, column = 1, *fps = NULL;
	size_t nfps = 0, capfps = 0, mark = 0;
	uint64_t off = 0, mstart = 0;
	int depth = 0, rc;
	key_decoder kd;
	unsigned char c;
	window w;

	if ((rc = window_start(&w, s, &off)) < 0)
		goto done;
	for (;; off++) {
		if ((rc = window_byte(&w, off, off, &c)) <= 0) {
			rc = rc ? rc : PERFDB_JSON__FALLBACK;
			goto done;
		}
		if (in_key) {
			unsigned char dec[4];
			int n = key_byte(&kd, c, dec);
			if (n > 0 && (rc = key_text_put(key, dec, (size_t)n)))
				goto done;
			if (n < 0) {
				in_key = false;
				if ((rc = perfdb_ingest__grow((void **)&fps, &capfps, nfps + 1,
							      sizeof(*fps))))
					goto done;
				fps[nfps++] = key_fingerprint(key1.s, key == &key1 ? "" : key2.s);
				if (key == &key1)
					mark = nfps; /* the member's object's keys go after */
			}
		} else if (in_str) {
			string_char(&in_str, &esc, c);
		} else if (!is_space(c)) {
			if (!started) {
				if (c != '{') {
					rc = PERFDB_JSON__FALLBACK;
					goto done;
				}
				started = true;
				opens_at(s, off, line, column);
			}
			switch (c) {
			case '"':
				if ((depth == 1 && expect1) || (depth == 2 && expect2)) {
					in_key = true;
					memset(&kd, 0, sizeof(kd));
					key = depth == 1 ? &key1 : &key2;
					key->len = 0;
					if ((rc = key_text_put(key, NULL, 0)))
						goto done;
					if (depth == 1) {
						member = true;
						mstart = off;
						object2 = expect1 = false;
					} else {
						expect2 = false;
					}
				} else {
					string_char(&in_str, &esc, c);
				}
				break;
			case '{':
			case '[':
				if (++depth == 1)
					expect1 = true;
				else if (depth == 2)
					expect2 = object2 = c == '{' && member;
				break;
			case ',':
			case '}':
			case ']':
				if (depth == 1 && member) {
					/* the member ends: its object's keys are kept
					 * when it is read in pieces */
					member = false;
					if (object2 && off - mstart >= s->piece) {
						if ((rc = perfdb_ingest__grow(
							 (void **)&s->big, &s->capbig, s->nbig + 1,
							 sizeof(*s->big))))
							goto done;
						s->big[s->nbig++] = mstart;
					} else {
						nfps = mark;
					}
				}
				if (c == ',') {
					if (depth == 1)
						expect1 = true;
					else if (depth == 2)
						expect2 = object2;
				} else if (--depth == 0) {
					s->close = off;
					s->close_line = line;
					s->close_column = column;
					rc = 0;
					goto done;
				}
				break;
			default: break;
			}
		}
		advance(c, &line, &column);
	}
done:
	free(w.buf);
	free(key1.s);
	free(key2.s);
	if (rc)
		free(fps);
	else
		keep_repeated(s, fps, nfps);
	return rc;
}

/* The error of a part of the document past its values limit (at line and
 * column): where says which part, why what it usually holds. */
static int too_many_values(const perfdb_json_stream *s, size_t max, const char *where,
			   const char *why, int line, int column)
{
	if (s->members) /* the items are the document's members */
		return perfdb_error__input(PERFDB_EINPUT, s->name, line, column, NULL,
					   "more than %zu values %s the document's members (%s)",
					   max, where, why);
	return perfdb_error__input(PERFDB_EINPUT, s->name, line, column, NULL,
				   "more than %zu values %s '%s' (%s)", max, where,
				   *s->key ? s->key : "the document", why);
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
	at.max_values = PERFDB_JSON_STREAM_REST_MAX;
	if ((err = perfdb_json__load_at(&s->skeleton, buf, len, s->name, &at))) {
		if (err == PERFDB_JSON__LIMIT)
			err =
			    too_many_values(s, PERFDB_JSON_STREAM_REST_MAX, "outside the items of",
					    "a results file holds a few hundred there",
					    perfdb_error_last()->line, perfdb_error_last()->column);
		else if (err != PERFDB_ENOMEM)
			err = PERFDB_JSON__FALLBACK;
		goto done;
	}
	if (s->gutted)
		goto done; /* a member cut out: nothing to check */
	root = perfdb_json__root(s->skeleton);
	s->array = *s->key && !s->members ? perfdb_json__get(root, s->key) : root;
	/* The array (object) the scan found must be the one the parser read there. */
	if (!(s->members ? perfdb_json__is_object(s->array) : perfdb_json__is_array(s->array)) ||
	    perfdb_json__size(s->array) != 0 || s->array->line != s->open_line ||
	    s->array->column != s->open_column)
		err = PERFDB_JSON__FALLBACK;
done:
	free(buf);
	return err;
}

/* A stream of fd for key: gutted, or the array's, or the members' (see the
 * callers). */
static int stream_open(perfdb_json_stream **out, int fd, const char *name, const char *key,
		       size_t max, bool gutted, size_t piece)
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
	s->members = key == perfdb_json__members;
	s->piece = piece ? piece : PIECE_SIZE;
	if ((err = gutted	? scan_largest(s)
		   : s->members ? scan_members(s)
				: scan(s)) ||
	    (err = skeleton(s))) {
		perfdb_json__stream_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int perfdb_json__stream_open(perfdb_json_stream **out, int fd, const char *name, const char *key,
			     size_t max)
{
	return stream_open(out, fd, name, key, max, false, 0);
}

int perfdb_json__stream_open_members(perfdb_json_stream **out, int fd, const char *name, size_t max,
				     size_t piece)
{
	return stream_open(out, fd, name, perfdb_json__members, max, false, piece);
}

int perfdb_json__stream_open_gutted(perfdb_json_stream **out, int fd, const char *name, size_t max)
{
	return stream_open(out, fd, name, "", max, true, 0);
}

const perfdb_json_doc *perfdb_json__stream_doc(const perfdb_json_stream *s)
{
	return s->skeleton;
}

const perfdb_jnode *perfdb_json__stream_array(const perfdb_json_stream *s)
{
	return s->array;
}

void perfdb_json__stream_skip(perfdb_json_stream *s, bool (*skip)(const char *key, size_t len))
{
	s->skip = skip;
}

/* --- 3. the items ------------------------------------------------------------------------ */

/* Finds the end of the value whose first byte is at start (at *line:*column):
 * its last byte into *last, the position moved past it; the window keeps
 * the bytes from keep (<= start) on. A value that is no object or array (a
 * number, a string, true, ...) ends before the ',', ']', '}' or space after
 * it, outside a string; the parser judges it (a reader says when an item is
 * not an object). 0, PERFDB_JSON__FALLBACK, or an error. */
static int value_end(const perfdb_json_stream *s, window *w, uint64_t start, uint64_t keep,
		     uint64_t *last, uint32_t *line, uint32_t *column)
{
	bool in_str = false, esc = false, scalar;
	uint64_t off = start;
	int depth = 0, rc;
	unsigned char c;

	if ((rc = window_byte(w, start, keep, &c)) <= 0)
		return rc ? rc : PERFDB_JSON__FALLBACK;
	scalar = c != '{' && c != '[';
	for (;; off++) {
		if ((rc = window_byte(w, off, keep, &c)) <= 0)
			return rc ? rc : PERFDB_JSON__FALLBACK;
		if (scalar && !in_str && off > start &&
		    (off >= s->close || c == ',' || c == ']' || c == '}' || is_space(c))) {
			off--; /* the value is [start, off] */
			break;
		}
		if (off >= s->close)
			return PERFDB_JSON__FALLBACK;
		advance(c, line, column);
		if (string_char(&in_str, &esc, c)) {
			/* nothing */
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			break;
		}
	}
	*last = off;
	return 0;
}

/* What holds more values than this in one item is refused: */
#define ITEM_WHY "a result holds a few dozen, long arrays of numbers aside"

/*
 * Parses text (len bytes, padded: perfdb_jdoc_parse_in_place) as at says,
 * bounded as an item is. An item of more bytes than the bound whose values
 * (perfdb_jparse__values) pass it is refused by a count without a tree
 * (perfdb_jdoc_count: the same refusal at the same value, or the same
 * syntax error), so that refusing it takes its text only, not the 40-80
 * bytes a value of a tree (60 MB for 3 MB of "[],"). own: text was
 * malloc'd and is the doc's (freed here on failure), else borrowed. The
 * parser's refusal is the fallback.
 */
static int parse_item(perfdb_json_stream *s, perfdb_jdoc **out, char *text, size_t len,
		      perfdb_jparse_at *at, bool own)
{
	perfdb_jerror jerr;
	int rc;

	*out = NULL;
	at->max_values = PERFDB_JSON_STREAM_ITEM_MAX;
	if (len > PERFDB_JSON_STREAM_ITEM_MAX &&
	    perfdb_jparse__values(text, len) > PERFDB_JSON_STREAM_ITEM_MAX) {
		rc = perfdb_jdoc_count(text, len, at, &jerr);
		if (own)
			free(text);
		if (!rc) /* cannot be (the scan is exact for valid JSON), but
			    the text was changed: the whole-file reader looks */
			return PERFDB_JSON__FALLBACK;
	} else if (own) {
		rc = perfdb_jdoc_parse_owned(out, text, len, at, &jerr);
	} else {
		rc = perfdb_jdoc_parse_in_place(out, text, len, at, &jerr);
	}
	if (rc == PERFDB_JPARSE_LIMIT)
		return too_many_values(s, PERFDB_JSON_STREAM_ITEM_MAX, "in one item of", ITEM_WHY,
				       jerr.line, jerr.column);
	if (rc)
		return rc == PERFDB_JPARSE_NOMEM ? perfdb_error__oom() : PERFDB_JSON__FALLBACK;
	return 0;
}

/* The reader's callback over a pass: after its first error, the rest is
 * only read for its syntax. */
typedef struct items {
	perfdb_json_item_fn fn;
	void *ctx;
	int err; /* fn's first error */
} items;

static int give(items *it, const perfdb_jnode *v, size_t index);

/* Parses the item from offset start (at *line:*column) where it is in the
 * window, not in a copy of its own (an item of a hundred megabytes would be
 * held twice), and gives it to it; *end and the position are moved past it. */
static int item(perfdb_json_stream *s, window *w, uint64_t start, uint64_t *end, uint32_t *line,
		uint32_t *column, size_t index, items *it)
{
	perfdb_jparse_at at;
	perfdb_jdoc *doc = NULL;
	uint32_t l = *line, col = *column;
	uint64_t last;
	char *text, saved[PERFDB_JPARSE_PADDING];
	size_t len, after, keep;
	int rc;

	if ((rc = value_end(s, w, start, start, &last, &l, &col)))
		return rc;
	if (index >= UINT32_MAX)
		return PERFDB_JSON__FALLBACK;
	memset(&at, 0, sizeof(at));
	at.line = *line;
	at.column = *column;
	at.depth = *s->key ? 2 : 1; /* the top-level object and the array, or the array */
	at.parent = (perfdb_jnode *)s->array;
	at.index = (uint32_t)index;
	at.skip = s->members ? NULL : s->skip;
	/* The parser needs zero bytes after the text: the window's next bytes
	 * are kept aside meanwhile. */
	len = (size_t)(last + 1 - start);
	after = (size_t)(last + 1 - w->base);
	if ((rc = perfdb_ingest__grow((void **)&w->buf, &w->cap, after + sizeof(saved), 1)))
		return rc;
	keep = w->len > after ? w->len - after : 0;
	if (keep > sizeof(saved))
		keep = sizeof(saved);
	memcpy(saved, w->buf + after, keep);
	memset(w->buf + after, 0, sizeof(saved));
	text = w->buf + (start - w->base);
	if (!(rc = parse_item(s, &doc, text, len, &at, false)))
		rc = give(it, perfdb_jdoc_root(doc), index);
	perfdb_jdoc_free(doc);
	memcpy(w->buf + after, saved, keep);
	if (rc)
		return rc;
	*end = last + 1;
	*line = l;
	*column = col;
	return 0;
}

/* fn with item v: 0, or the fallback fn asked for. */
static int give(items *it, const perfdb_jnode *v, size_t index)
{
	int rc;
	if (!it->fn || !(rc = it->fn(it->ctx, v, index)))
		return 0;
	it->err = rc;
	it->fn = NULL;
	return rc == PERFDB_JSON__FALLBACK ? rc : 0;
}

/* --- 3'. the members of the top-level object --------------------------------------------- */

/* Whether the key of the top-level object a (b NULL), or key b of the
 * object of member a (read in pieces), came before in this pass: 1, 0, or
 * PERFDB_ENOMEM. Only the keys whose fingerprint repeats are kept. */
static int seen_key(perfdb_json_stream *s, const char *a, const char *b)
{
	uint32_t f = key_fingerprint(a, b ? b : "");
	const char *ka, *kb;
	size_t found;

	if (!s->nrepeated || !bsearch(&f, s->repeated, s->nrepeated, sizeof(f), cmp_u32))
		return 0;
	if (!(ka = perfdb_arena__strdup(&s->key_names, a)) ||
	    !(kb = perfdb_arena__strdup(&s->key_names, b ? b : "")))
		return perfdb_error__oom();
	return perfdb_ingest__index_add(b ? &s->inner_keys : &s->top_keys, ka, kb, 0, &found);
}

/* From a member's key at start (its opening quote, at *line:*column) to its
 * value's first byte: into *value, the position moved there. The window
 * keeps the bytes from keep (<= start) on. */
static int member_value(const perfdb_json_stream *s, window *w, uint64_t start, uint64_t keep,
			uint64_t *value, uint32_t *line, uint32_t *column)
{
	bool in_str = false, esc = false, colon = false;
	uint64_t off;
	unsigned char c;
	int rc;

	for (off = start;; off++) {
		if ((rc = window_byte(w, off, keep, &c)) <= 0)
			return rc ? rc : PERFDB_JSON__FALLBACK;
		if (off >= s->close)
			return PERFDB_JSON__FALLBACK;
		if (in_str || off == start)
			string_char(&in_str, &esc, c);
		else if (colon && !is_space(c))
			break;
		else if (c == ':')
			colon = true;
		else if (!is_space(c))
			return PERFDB_JSON__FALLBACK;
		advance(c, line, column);
	}
	*value = off;
	return 0;
}

/* Parses "{", the window's bytes [from, to] and tail, the '{' and the gap
 * after it as at says. The text is put together once and given to the doc
 * (a member of a huge value was held twice besides the window: this text
 * and the parser's copy of it). */
static int parse_braced(perfdb_json_stream *s, const window *w, uint64_t from, uint64_t to,
			const char *tail, perfdb_jparse_at *at, perfdb_jdoc **out)
{
	size_t n = (size_t)(to + 1 - from), t = strlen(tail), len = n + t + 1;
	char *text;

	if (len > SIZE_MAX - PERFDB_JPARSE_PADDING || !(text = malloc(len + PERFDB_JPARSE_PADDING)))
		return perfdb_error__oom();
	text[0] = '{';
	memcpy(text + 1, w->buf + (from - w->base), n);
	memcpy(text + 1 + n, tail, t);
	memset(text + len, 0, PERFDB_JPARSE_PADDING);
	return parse_item(s, out, text, len, at, true);
}

/* The member whose key starts at *off (at *line:*column) as "{member}":
 * the top-level '{' where it is, the member after the gap. */
static int member_doc(perfdb_json_stream *s, const window *w, uint64_t start, uint64_t last,
		      const char *tail, uint32_t line, uint32_t column, perfdb_jdoc **out)
{
	perfdb_jparse_at at;
	memset(&at, 0, sizeof(at));
	at.line = s->open_line;
	at.column = s->open_column;
	at.gap = 1;
	at.gap_line = line;
	at.gap_column = column;
	return parse_braced(s, w, start, last, tail, &at, out);
}

/*
 * The whole-file parser's error for key k repeated at line:column, in its
 * own words: it is the file's first syntax error, since everything before
 * it was parsed. The parser is given {K:{ and, after a gap to just before
 * line:column, },K:0} (K the key as JSON text), so that the second K is where
 * the repeated key is. Returns PERFDB_EINPUT (set), PERFDB_ENOMEM, or the
 * fallback should the parser say anything else.
 */
static int duplicate(const perfdb_json_stream *s, const char *k, uint32_t line, uint32_t column)
{
	json_t *j = json_string(k);
	char *key = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL, *text = NULL;
	size_t n = key ? strlen(key) : 0, len = 0;
	perfdb_json_doc *doc = NULL;
	perfdb_jparse_at at;
	int err = PERFDB_ENOMEM;

	json_decref(j);
	if (key && (text = malloc(2 * n + 16))) {
		memset(&at, 0, sizeof(at));
		len = (size_t)snprintf(text, 2 * n + 16, "{%s:{", key);
		at.gap = len;
		/* "}," before the key on its line, or on the line before */
		at.gap_line = column >= 3 ? line : line - 1;
		at.gap_column = column >= 3 ? column - 2 : 1;
		len += (size_t)snprintf(text + len, 2 * n + 16 - len, "},%s%s:0}",
					column >= 3   ? ""
					: column == 2 ? "\n "
						      : "\n",
					key);
		err = perfdb_json__load_at(&doc, text, len, s->name, &at);
	}
	free(key);
	free(text);
	perfdb_json__free(doc);
	if (err == PERFDB_ENOMEM)
		return perfdb_error__oom();
	return err == PERFDB_EINPUT ? err : PERFDB_JSON__FALLBACK;
}

/* The key of the member of a member_doc: the parser's error when it came
 * before. */
static int member_key(perfdb_json_stream *s, const perfdb_jdoc *doc, const perfdb_jmember **m)
{
	int rc;
	*m = perfdb_json__member_at(perfdb_jdoc_root(doc), 0);
	if (!*m)
		return PERFDB_JSON__FALLBACK;
	rc = seen_key(s, (*m)->key, NULL);
	return rc > 0 ? duplicate(s, (*m)->key, (*m)->line, (*m)->column) : rc;
}

/* A member parsed whole; *off and the position are moved past it. */
static int member_whole(perfdb_json_stream *s, window *w, uint64_t *off, uint32_t *line,
			uint32_t *column, size_t index, items *it)
{
	uint64_t start = *off, value, last;
	uint32_t kline = *line, kcolumn = *column;
	const perfdb_jmember *m;
	perfdb_jdoc *doc = NULL;
	int rc;

	if ((rc = member_value(s, w, start, start, &value, line, column)) ||
	    (rc = value_end(s, w, value, start, &last, line, column)))
		return rc;
	if (!(rc = member_doc(s, w, start, last, "}", kline, kcolumn, &doc)) &&
	    !(rc = member_key(s, doc, &m)))
		rc = give(it, m->value, index);
	perfdb_jdoc_free(doc);
	*off = last + 1;
	return rc;
}

/* A piece of the object of member m (whose '{' is at at->line:at->column):
 * its members [from, last], which start at line:column. */
static int piece(perfdb_json_stream *s, const window *w, perfdb_jparse_at *at, uint64_t from,
		 uint64_t last, uint32_t line, uint32_t column, const perfdb_jmember *m,
		 size_t index, items *it)
{
	const perfdb_jmember *k;
	perfdb_jdoc *doc = NULL;
	size_t i;
	int rc;

	at->gap_line = line;
	at->gap_column = column;
	if ((rc = parse_braced(s, w, from, last, "}", at, &doc)))
		return rc;
	for (i = 0; !rc && (k = perfdb_json__member_at(perfdb_jdoc_root(doc), i)); i++)
		if ((rc = seen_key(s, m->key, k->key)) > 0)
			rc = duplicate(s, k->key, k->line, k->column);
	if (!rc)
		rc = give(it, perfdb_jdoc_root(doc), index);
	perfdb_jdoc_free(doc);
	return rc;
}

/*
 * A member whose value is a big object, in pieces of about s->piece bytes:
 * the member with its object empty (so that a piece's path goes through
 * the key), then runs of the object's members, each parsed on its own with
 * that object as parent (a member of the object that is bigger than a piece
 * is a piece alone). The object's keys that repeat across pieces were
 * fingerprinted in pass 1. An empty object is given as it is.
 */
static int member_pieces(perfdb_json_stream *s, window *w, uint64_t *off, uint32_t *line,
			 uint32_t *column, size_t index, items *it)
{
	enum { START, AFTER_ITEM, AFTER_COMMA } state = START;
	uint64_t start = *off, value, at_off, from = 0, last = 0;
	uint32_t kline = *line, kcolumn = *column, pline = 0, pcolumn = 0;
	const perfdb_jmember *m = NULL;
	perfdb_jdoc *skeleton = NULL;
	perfdb_jparse_at at;
	bool open = false, any = false;
	unsigned char c;
	int rc;

	if ((rc = member_value(s, w, start, start, &value, line, column)) ||
	    (rc = window_byte(w, value, start, &c)) < 0)
		goto done;
	if (!rc || c != '{') {
		rc = PERFDB_JSON__FALLBACK; /* not what pass 1 saw */
		goto done;
	}
	if ((rc = member_doc(s, w, start, value, "}}", kline, kcolumn, &skeleton)) ||
	    (rc = member_key(s, skeleton, &m)))
		goto done;
	memset(&at, 0, sizeof(at));
	at.line = *line;
	at.column = *column;
	at.depth = 1;
	at.parent = (perfdb_jnode *)perfdb_jdoc_root(skeleton);
	at.gap = 1;
	++*column;
	for (at_off = value + 1;;) {
		if ((rc = window_byte(w, at_off, open ? from : at_off, &c)) <= 0) {
			rc = rc ? rc : PERFDB_JSON__FALLBACK;
			goto done;
		}
		if (is_space(c)) {
			advance(c, line, column);
			at_off++;
		} else if (c == '}' && state != AFTER_COMMA) {
			break;
		} else if (state == AFTER_ITEM) {
			if (c != ',') {
				rc = PERFDB_JSON__FALLBACK;
				goto done;
			}
			state = AFTER_COMMA;
			++*column;
			at_off++;
		} else if (c != '"') {
			rc = PERFDB_JSON__FALLBACK;
			goto done;
		} else {
			uint64_t v;
			if (!open) {
				open = true;
				from = at_off;
				pline = *line;
				pcolumn = *column;
			}
			if ((rc = member_value(s, w, at_off, from, &v, line, column)) ||
			    (rc = value_end(s, w, v, from, &last, line, column)))
				goto done;
			at_off = last + 1;
			state = AFTER_ITEM;
			if (last + 1 - from >= s->piece) {
				open = false;
				any = true;
				if ((rc = piece(s, w, &at, from, last, pline, pcolumn, m, index,
						it)))
					goto done;
			}
		}
	}
	rc = 0;
	if (open) {
		any = true;
		if ((rc = piece(s, w, &at, from, last, pline, pcolumn, m, index, it)))
			goto done;
	}
	if (!any && (rc = give(it, m->value, index)))
		goto done;
	++*column;
	*off = at_off + 1;
done:
	perfdb_jdoc_free(skeleton);
	return rc;
}

int perfdb_json__stream_items(perfdb_json_stream *s, perfdb_json_item_fn fn, void *ctx,
			      size_t *count)
{
	enum { START, AFTER_ITEM, AFTER_COMMA } state = START;
	uint32_t line = s->open_line, column = s->open_column + 1;
	uint64_t off = s->open + 1;
	size_t n = 0, next_big = 0;
	items it = {fn, ctx, 0};
	int err = 0, rc;
	unsigned char c;
	window w;

	if (s->gutted)
		return PERFDB_JSON__FALLBACK; /* the reader got past the document's top */
	/* the keys that may repeat, as this pass meets them */
	perfdb_ingest__index_release(&s->top_keys);
	perfdb_ingest__index_release(&s->inner_keys);
	perfdb_arena__release(&s->key_names);
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
		} else if (s->members) {
			bool pieces = next_big < s->nbig && s->big[next_big] == off;
			if (c != '"' || n >= UINT32_MAX) {
				err = PERFDB_JSON__FALLBACK;
				break;
			}
			next_big += pieces;
			if ((err = (pieces ? member_pieces : member_whole)(s, &w, &off, &line,
									   &column, n, &it)))
				break;
			n++;
			state = AFTER_ITEM;
		} else {
			if ((err = item(s, &w, off, &off, &line, &column, n, &it)))
				break;
			n++;
			state = AFTER_ITEM;
		}
	}
	free(w.buf);
	if (!err)
		err = it.err;
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
	const perfdb_jmember *m;
	int err;
	if (s)
		return perfdb_json__stream_items(s, fn, ctx, count);
	for (i = 0; i < n; i++)
		if ((err = fn(ctx,
			      (m = perfdb_json__member_at(list, i)) ? m->value
								    : perfdb_json__item(list, i),
			      i)))
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
	free(s->big);
	free(s->repeated);
	perfdb_ingest__index_release(&s->top_keys);
	perfdb_ingest__index_release(&s->inner_keys);
	perfdb_arena__release(&s->key_names);
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
