/*
 * A one-pass JSON parser with positions (see json_parse.h for why and what).
 *
 * The input is copied once; strings are decoded in place in that copy and
 * NUL-terminated where their closing quote was (an escape sequence is never
 * shorter than what it decodes to, so decoding in place cannot overrun).
 * Nodes come from an arena. Children of a container are gathered on a shared
 * stack (one for array items, one for object members) while the container is
 * open and copied into the arena when it closes, so each container's children
 * are one array and nothing is resized per value.
 *
 * Columns count characters: for every multi-byte UTF-8 character read in a
 * string, line_start moves forward by its extra bytes, so `p - line_start`
 * stays a character count at no cost for ASCII text.
 */
#include "ingest/json_parse.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

typedef struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
} arena_block;

/* A packed array (json_parse.h): where its text is, and its nodes once
 * perfdb_jnode_item asked for them. */
struct perfdb_jpacked {
	const char *open; /* the '[' in the doc's text */
	_Atomic(perfdb_jnode **) items;
	perfdb_jpacked *next; /* the doc's packed arrays */
};

struct perfdb_jdoc {
	char *text;    /* the private, NUL-terminated copy, or the caller's */
	bool own_text; /* text is the private copy */
	arena_block *blocks;
	perfdb_jpacked *packed; /* every packed array, to free their nodes */
	size_t next_block;	/* size of the next block: doubles up to a limit */
	perfdb_jnode *root;
};

typedef struct parser {
	perfdb_jdoc *doc;
	char *p;		/* the next character; the copy is NUL-terminated */
	const char *end;	/* the terminating NUL */
	const char *line_start; /* minus the extra bytes of multi-byte characters */
	uint32_t line;
	int depth;
	/* Columns on line bias_line are `bias` further right than line_start
	 * says: a piece of a document that starts inside a line, or the text
	 * after a gap (perfdb_jparse_at). */
	uint32_t bias_line, bias;
	char *gap; /* where the text jumps to gap_line:gap_column, or NULL */
	uint32_t gap_line, gap_column;
	/* Where the white space before the end of the input began, so an error
	 * at the end is placed after the last token (set by skip_space). */
	const char *tail, *tail_line_start;
	uint32_t tail_line;
	/* The first error. */
	const char *error;
	int error_line, error_column;
	char detail[160];
	/* Children of the open containers. */
	perfdb_jnode **items;
	size_t items_top, items_cap;
	perfdb_jmember *members;
	size_t members_top, members_cap;
	/* Syntax only (perfdb_jdoc_check): every value is made in `scratch`
	 * and forgotten, containers keep no children; object members stay on
	 * their stack while the object is open, for duplicate keys. */
	bool check;
	perfdb_jnode scratch;
	/* The items of an array being scanned for packing are made in
	 * `scratch` too; arrays of pack_min numbers or more are packed. */
	bool scratch_items;
	/* perfdb_jparse_at's max_values (0: none), the nodes made, and whether
	 * that limit was passed (the first error then) */
	size_t max_values, values;
	bool limit;
	size_t pack_min;
	/* perfdb_jparse_at's skip, for the members of an object at depth
	 * skip_depth (the top value's) */
	bool (*skip)(const char *key, size_t len);
	int skip_depth;
	size_t made; /* tree nodes, for perfdb_jparse__nodes_made */
} parser;

/* perfdb_jparse__set_pack_min: 0 for PERFDB_JPARSE_PACK_MIN. */
static _Thread_local size_t pack_min_override;

/* perfdb_jparse__nodes_made: the tree nodes this thread's parses made. */
static _Thread_local size_t nodes_made;

size_t perfdb_jparse__nodes_made(void)
{
	return nodes_made;
}

void perfdb_jparse__set_pack_min(size_t n)
{
	pack_min_override = n;
}

/* Object size from which duplicate keys are found with a hash table instead
 * of comparing with every earlier key. */
#define DUP_LINEAR_MAX 16

/* Zero bytes after the copy's terminator, for word-at-a-time scanning. */
#define TEXT_PADDING (PERFDB_JPARSE_PADDING - 1)

/* Word-at-a-time (SWAR) helpers: eight bytes of text in one uint64_t, the
 * first byte in the lowest bits (x86-64 and other little-endian targets; on a
 * big-endian one the scans fall back to a byte at a time). */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load8(const char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline bool little_endian(void)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return true;
#else
	return false;
#endif
}

/* The high bit of each byte of x equal to c; exact for the lowest such byte
 * (borrows only reach bytes above a match). */
static inline uint64_t bytes_equal(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (ONES * c);
	return (y - ONES) & ~y & HIGHS;
}

/* --- memory -------------------------------------------------------------------- */

static void *arena_alloc(perfdb_jdoc *doc, size_t size)
{
	arena_block *b = doc->blocks;
	/* Nodes and members hold pointers and doubles: 8-byte alignment. */
	size = (size + 7) & ~(size_t)7;
	if (!b || b->cap - b->used < size) {
		size_t cap = doc->next_block;
		if (cap < size)
			cap = size;
		if (doc->next_block < ((size_t)8 << 20))
			doc->next_block *= 2;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = doc->blocks;
		b->used = 0;
		b->cap = cap;
		doc->blocks = b;
	}
	b->used += size;
	return (char *)b->data + b->used - size;
}

static bool grow(void **stack, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : 256;
	void *s = realloc(*stack, n * size);
	if (!s)
		return false;
	*stack = s;
	*cap = n;
	return true;
}

/* --- errors ---------------------------------------------------------------------- */

/* Records the first error at `at`, on line `line` that started at line_start. */
static int fail_at(parser *ps, const char *at, uint32_t line, const char *line_start,
		   const char *msg)
{
	if (ps->error)
		return PERFDB_JPARSE_SYNTAX;
	if (at >= ps->end && ps->tail) {
		/* The input ended: say so after the last token, where it was cut. */
		at = ps->tail;
		line = ps->tail_line;
		line_start = ps->tail_line_start;
	}
	ps->error = msg;
	ps->error_line = (int)line;
	ps->error_column = (int)(at - line_start) + 1 + (int)(line == ps->bias_line ? ps->bias : 0);
	return PERFDB_JPARSE_SYNTAX;
}

/* The column of p on the current line. */
static inline uint32_t column_of(const parser *ps, const char *p)
{
	return (uint32_t)(p - ps->line_start) + 1 + (ps->line == ps->bias_line ? ps->bias : 0);
}

static int fail(parser *ps, const char *at, const char *msg)
{
	return fail_at(ps, at, ps->line, ps->line_start, msg);
}

/* An error at ps->p, where `what` was expected; at the end of the input the
 * message is `at_end`, and a NUL byte is named as such. */
static int unexpected(parser *ps, const char *what, const char *at_end)
{
	if (ps->p >= ps->end)
		return fail(ps, ps->p, at_end);
	if (*ps->p == '\0')
		return fail(ps, ps->p, "NUL byte in input");
	return fail(ps, ps->p, what);
}

/* --- white space ------------------------------------------------------------------ */

static void skip_space_slow(parser *ps)
{
	char *p = ps->p, *start = p;
	uint32_t line0 = ps->line;
	const char *line_start0 = ps->line_start;
	for (;;) {
		char c = *p;
		if (c == ' ') {
			/* Indentation comes in runs of spaces. */
			uint64_t y;
			if (!little_endian()) {
				p++;
				continue;
			}
			y = load8(p) ^ (ONES * ' ');
			p += y ? __builtin_ctzll(y) >> 3 : 8;
		} else if (c == '\t' || c == '\r') {
			p++;
		} else if (c == '\n') {
			p++;
			ps->line++;
			ps->line_start = p;
		} else {
			break;
		}
	}
	if (p >= ps->end && p != start) {
		ps->tail = start;
		ps->tail_line = line0;
		ps->tail_line_start = line_start0;
	}
	ps->p = p;
}

static inline void skip_space(parser *ps)
{
	/* Most tokens follow their predecessor directly. */
	if ((unsigned char)*ps->p > ' ')
		return;
	skip_space_slow(ps);
}

/* --- strings ------------------------------------------------------------------------ */

/* Bytes that a string copies as they are: not '"', '\\', a control character
 * or the start of a multi-byte UTF-8 character. */
/* clang-format off */
static const uint8_t plain_byte[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0),
    R16(0),
    /* 0x20 */ 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    R16(1),
    R16(1),
    /* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    R16(1),
    R16(1),
    R16(0),
    R16(0),
    R16(0),
    R16(0),
    R16(0),
    R16(0),
    R16(0),
    R16(0),
#undef R16
};
/* clang-format on */

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xC0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xE0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*w++ = (char)(0xF0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	}
	return w;
}

/* The first byte from p that is not plain (see plain_byte); the padded
 * copy ends in NUL, which is not. */
static inline char *skip_plain(char *p)
{
	if (little_endian()) {
		for (;;) {
			uint64_t x = load8(p);
			/* control characters (and NUL), '"', '\\', and non-ASCII */
			uint64_t m = ((x - ONES * 0x20) & ~x & HIGHS) | bytes_equal(x, '"') |
				     bytes_equal(x, '\\') | (x & HIGHS);
			if (m)
				return p + (__builtin_ctzll(m) >> 3);
			p += 8;
		}
	}
	while (plain_byte[(unsigned char)*p])
		p++;
	return p;
}

/* The rest of a string from r, the first byte that is not plain: escapes,
 * UTF-8, and the errors. start is the first byte of the content. */
static int parse_string_slow(parser *ps, char *quote, char *r, const char **out, uint32_t *len)
{
	char *start = quote + 1, *w = r;
	/* for errors at the opening quote, before any column adjustment */
	const char *quote_line_start = ps->line_start;
	for (;;) {
		unsigned char c = (unsigned char)*r;
		if (plain_byte[c]) {
			char *q = skip_plain(r);
			if (w != r)
				memmove(w, r, (size_t)(q - r));
			w += q - r;
			r = q;
		} else if (c == '"') {
			break;
		} else if (c == '\\') {
			char e = r[1];
			switch (e) {
			case '"': *w++ = '"'; break;
			case '\\': *w++ = '\\'; break;
			case '/': *w++ = '/'; break;
			case 'b': *w++ = '\b'; break;
			case 'f': *w++ = '\f'; break;
			case 'n': *w++ = '\n'; break;
			case 'r': *w++ = '\r'; break;
			case 't': *w++ = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				if (hex4(r + 2, &cp))
					return fail(
					    ps, r, "invalid \\u escape (four hex digits expected)");
				if (cp == 0)
					return fail(
					    ps, r,
					    "\\u0000 (a NUL character) is not allowed in a string");
				if (cp >= 0xDC00 && cp <= 0xDFFF)
					return fail(
					    ps, r,
					    "invalid \\u escape: a lone UTF-16 low surrogate");
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (r[6] != '\\' || r[7] != 'u' || hex4(r + 8, &lo) ||
					    lo < 0xDC00 || lo > 0xDFFF)
						return fail(
						    ps, r,
						    "invalid \\u escape: a UTF-16 high surrogate "
						    "without its low surrogate");
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					r += 6;
				}
				w = put_utf8(w, cp);
				r += 4;
				break;
			}
			default:
				if (r + 1 >= ps->end)
					return fail_at(ps, quote, ps->line, quote_line_start,
						       "unterminated string");
				return fail(ps, r, "invalid escape in string");
			}
			r += 2;
		} else if (c >= 0x80) {
			/* the copy is NUL-terminated: 4 never reads past it */
			int n = perfdb_utf8_length((const unsigned char *)r, 4);
			if (!n)
				return fail(ps, r, "invalid UTF-8 in string");
			if (w != r)
				memmove(w, r, (size_t)n);
			w += n;
			r += n;
			/* n bytes, one column */
			ps->line_start += n - 1;
		} else if (r >= ps->end) {
			return fail_at(ps, quote, ps->line, quote_line_start,
				       "unterminated string");
		} else if (c == '\n') {
			return fail(ps, r, "newline in string (unterminated string?)");
		} else if (c == '\0') {
			return fail(ps, r, "NUL byte in string");
		} else {
			return fail(ps, r, "control character in string (escape it)");
		}
	}
	*w = '\0';
	*out = start;
	*len = (uint32_t)(w - start);
	ps->p = r + 1;
	return 0;
}

/* Parses the string whose opening quote is at ps->p. */
static inline int parse_string(parser *ps, const char **out, uint32_t *len)
{
	char *quote = ps->p, *r = skip_plain(quote + 1);
	if (*r == '"') {
		*r = '\0';
		*out = quote + 1;
		*len = (uint32_t)(r - quote - 1);
		ps->p = r + 1;
		return 0;
	}
	return parse_string_slow(ps, quote, r, out, len);
}

/* --- numbers ---------------------------------------------------------------------- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* strtod in the C locale: a program that called setlocale() must not read
 * "1.5" as 1. */
static double strtod_c(const char *s)
{
	pthread_once(&c_locale_once, make_c_locale);
	return c_locale ? strtod_l(s, NULL, c_locale) : strtod(s, NULL);
}

static const double pow10_table[] = {1e0,  1e1,	 1e2,  1e3,  1e4,  1e5,	 1e6,  1e7,
				     1e8,  1e9,	 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Strict JSON number grammar from p into n (type, value, integer): the end
 * of the number, or NULL with *err set (the error is at the number's
 * start). Also how a packed array's items are read again, so they get the
 * very same values. The text is NUL-terminated after the number. */
static const char *scan_number(const char *p, perfdb_jnode *n, const char **err)
{
	const char *start = p;
	uint64_t mant = 0;
	int exp10 = 0, neg = 0, exact = 1;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '0') {
		p++;
		if (is_digit(*p)) {
			*err = "invalid number: leading zeros are not allowed";
			return NULL;
		}
	} else if (is_digit(*p)) {
		while (is_digit(*p)) {
			/* mant * 10 + 9 stays below 2^53: exact in a double. */
			if (mant < (1ull << 53) / 10)
				mant = mant * 10 + (uint64_t)(*p - '0');
			else
				exact = 0;
			p++;
		}
	} else {
		*err = "invalid number";
		return NULL;
	}
	n->type = PERFDB_JNUMBER;
	n->integer = 1;
	if (*p == '.') {
		p++;
		if (!is_digit(*p)) {
			*err = "invalid number: a digit must follow '.'";
			return NULL;
		}
		while (is_digit(*p)) {
			if (mant < (1ull << 53) / 10) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				exp10--;
			} else if (*p != '0') {
				exact =
				    0; /* digits past the mantissa: trailing zeros change nothing */
			}
			p++;
		}
		n->integer = 0;
	}
	if (*p == 'e' || *p == 'E') {
		int esign = 1, e = 0;
		p++;
		if (*p == '+' || *p == '-')
			esign = *p++ == '-' ? -1 : 1;
		if (!is_digit(*p)) {
			*err = "invalid number: a digit must follow the exponent";
			return NULL;
		}
		while (is_digit(*p)) {
			if (e < 100000)
				e = e * 10 + (*p - '0');
			p++;
		}
		exp10 += esign * e;
		n->integer = 0;
	}
	if (exact && exp10 >= -22 && exp10 <= 22) {
		/* Clinger: both operands exact, so one correctly rounded operation. */
		double v = (double)mant;
		v = exp10 < 0 ? v / pow10_table[-exp10] : v * pow10_table[exp10];
		n->u.number = neg ? -v : v;
	} else {
		/* The copy is NUL-terminated, and strtod stops where the grammar
		 * above stopped. Underflow to zero or a subnormal is a value. */
		n->u.number = strtod_c(start);
		if (isinf(n->u.number)) {
			*err = "number out of range (overflows a double)";
			return NULL;
		}
	}
	return p;
}

static int parse_number(parser *ps, perfdb_jnode *n)
{
	const char *err, *end = scan_number(ps->p, n, &err);
	if (!end)
		return fail(ps, ps->p, err);
	ps->p = (char *)end;
	return 0;
}

/* --- values --------------------------------------------------------------------------- */

static perfdb_jnode *new_node(parser *ps, perfdb_jnode *parent, uint32_t index)
{
	perfdb_jnode *n;
	/* A check with max_values (perfdb_jdoc_count) counts as the tree
	 * would: every value but the items of a packed array. */
	if (!ps->scratch_items && ps->max_values && ++ps->values > ps->max_values) {
		snprintf(ps->detail, sizeof(ps->detail), "more than %zu values", ps->max_values);
		fail(ps, ps->p, ps->detail);
		ps->limit = true;
		return NULL; /* its callers give up, as when out of memory */
	}
	n = ps->check || ps->scratch_items ? &ps->scratch : arena_alloc(ps->doc, sizeof(*n));
	if (!n)
		return NULL;
	if (n != &ps->scratch)
		ps->made++;
	memset(n, 0, sizeof(*n));
	n->index = index;
	n->line = ps->line;
	n->column = column_of(ps, ps->p);
	n->parent = parent;
	return n;
}

static bool word(const parser *ps, const char *w, size_t len)
{
	return (size_t)(ps->end - ps->p) >= len && memcmp(ps->p, w, len) == 0;
}

static int parse_value(parser *ps, perfdb_jnode *parent, uint32_t index, perfdb_jnode **out);

/* After an opening bracket: when the contents were cut out here, the text
 * goes on at the closing bracket's place. */
static void at_gap(parser *ps)
{
	if (ps->p == ps->gap) {
		ps->line = ps->gap_line;
		ps->line_start = ps->p;
		ps->bias_line = ps->gap_line;
		ps->bias = ps->gap_column - 1;
	}
}

/* Whether an array item starting at c is read as a number (or is an error
 * that parse_value names the same way in either scan). */
static inline bool number_start(char c)
{
	return is_digit(c) || c == '-' || c == 'N' || c == 'I';
}

/* After an item of an array (close ']') or a member of an object ('}'): 1
 * past a ',' (another follows), 0 past the closing bracket, or the error. */
static int next_or_close(parser *ps, char close)
{
	bool array = close == ']';
	skip_space(ps);
	if (*ps->p == ',') {
		const char *comma = ps->p, *comma_line_start = ps->line_start;
		uint32_t comma_line = ps->line;
		ps->p++;
		skip_space(ps);
		if (*ps->p == close)
			return fail_at(ps, comma, comma_line, comma_line_start,
				       array ? "trailing comma in array"
					     : "trailing comma in object");
		return 1;
	}
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	return array ? unexpected(ps, "expected ',' or ']' after an array item",
				  "unexpected end of input: an array is not closed")
		     : unexpected(ps, "expected ',' or '}' after an object member",
				  "unexpected end of input: an object is not closed");
}

/* parse_array's answer: the array is to be parsed again, with nodes. */
#define RESCAN 1

/* The items of array n, whose first item (at ps->p) starts as a number,
 * without nodes: 0 with n packed, RESCAN (at a non-number, or too few
 * items), or the error the scan with nodes would give, as it would. */
static int parse_packed(parser *ps, perfdb_jnode *n, const char *open)
{
	perfdb_jpacked *pk;
	size_t count;
	int err;

	for (count = 0;; count++) {
		perfdb_jnode *item;
		if (count >= UINT32_MAX)
			return fail(ps, ps->p, "too many items in one array");
		skip_space(ps);
		if (!number_start(*ps->p))
			return RESCAN;
		ps->scratch_items = true;
		err = parse_value(ps, n, (uint32_t)count, &item);
		ps->scratch_items = false;
		if (err || (err = next_or_close(ps, ']')) < 0)
			return err;
		if (!err) {
			count++;
			break;
		}
	}
	if (count < ps->pack_min)
		return RESCAN;
	if (ps->check)
		return 0;
	if (!(pk = arena_alloc(ps->doc, sizeof(*pk))))
		return PERFDB_JPARSE_NOMEM;
	pk->open = open;
	atomic_init(&pk->items, NULL);
	pk->next = ps->doc->packed;
	ps->doc->packed = pk;
	n->packed = 1;
	n->u.arr.packed = pk;
	n->u.arr.count = count;
	return 0;
}

static int parse_array(parser *ps, perfdb_jnode *n)
{
	size_t base = ps->items_top, count = 0;
	const char *open = ps->p;
	bool gap;
	int err;

	ps->p++; /* [ */
	gap = ps->p == ps->gap;
	at_gap(ps);
	skip_space(ps);
	if (*ps->p == ']') {
		ps->p++;
		return 0;
	}
	/* Not after a gap: a packed array's positions are counted from its
	 * '[' in the text. */
	if ((!ps->check || ps->max_values) && !gap && number_start(*ps->p)) {
		char *p = ps->p;
		const char *line_start = ps->line_start, *tail = ps->tail;
		const char *tail_line_start = ps->tail_line_start;
		uint32_t line = ps->line, tail_line = ps->tail_line;
		if ((err = parse_packed(ps, n, open)) != RESCAN)
			return err;
		ps->p = p;
		ps->line_start = line_start;
		ps->line = line;
		ps->tail = tail;
		ps->tail_line = tail_line;
		ps->tail_line_start = tail_line_start;
	}
	for (;; count++) {
		perfdb_jnode *item;
		if (count >= UINT32_MAX)
			return fail(ps, ps->p, "too many items in one array");
		if ((err = parse_value(ps, n, (uint32_t)count, &item)))
			return err;
		if (!ps->check) {
			if (ps->items_top == ps->items_cap &&
			    !grow((void **)&ps->items, &ps->items_cap, sizeof(*ps->items)))
				return PERFDB_JPARSE_NOMEM;
			ps->items[ps->items_top++] = item;
		}
		if ((err = next_or_close(ps, ']')) < 0)
			return err;
		if (!err)
			break;
	}
	if (ps->check)
		return 0;
	count = ps->items_top - base;
	if (!(n->u.arr.items = arena_alloc(ps->doc, count * sizeof(*n->u.arr.items))))
		return PERFDB_JPARSE_NOMEM;
	memcpy(n->u.arr.items, ps->items + base, count * sizeof(*n->u.arr.items));
	n->u.arr.count = count;
	ps->items_top = base;
	return 0;
}

static uint64_t hash_key(const char *s, uint32_t len)
{
	uint64_t h = 14695981039346656037ull;
	uint32_t i;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Duplicate keys of one large object: an open-addressing table of member
 * numbers (+1) relative to the object's base on the member stack. */
typedef struct key_table {
	uint32_t *slots;
	size_t cap;
} key_table;

/* Adds member k (already on the stack) to t; true when its key was there. */
static bool table_add(const parser *ps, size_t base, key_table *t, size_t k)
{
	const perfdb_jmember *m = &ps->members[base + k];
	size_t h = (size_t)hash_key(m->key, m->key_len) & (t->cap - 1);
	for (; t->slots[h]; h = (h + 1) & (t->cap - 1)) {
		const perfdb_jmember *o = &ps->members[base + t->slots[h] - 1];
		if (o->key_len == m->key_len && memcmp(o->key, m->key, m->key_len) == 0)
			return true;
	}
	t->slots[h] = (uint32_t)k + 1;
	return false;
}

static int table_rebuild(const parser *ps, size_t base, key_table *t, size_t count)
{
	size_t cap = t->cap ? t->cap * 2 : 64, k;
	while (cap < count * 2)
		cap *= 2;
	free(t->slots);
	if (!(t->slots = calloc(cap, sizeof(*t->slots))))
		return PERFDB_JPARSE_NOMEM;
	t->cap = cap;
	for (k = 0; k < count; k++)
		table_add(ps, base, t, k);
	return 0;
}

/* Whether the key of the member just pushed (the last of count) repeats an
 * earlier key of the same object. */
static int duplicate_key(const parser *ps, size_t base, size_t count, key_table *t, bool *dup)
{
	const perfdb_jmember *m = &ps->members[base + count - 1];
	size_t k;
	int err;

	*dup = false;
	if (count <= DUP_LINEAR_MAX) {
		for (k = base; k < base + count - 1; k++) {
			const perfdb_jmember *o = &ps->members[k];
			if (o->key_len == m->key_len && o->key[0] == m->key[0] &&
			    memcmp(o->key, m->key, m->key_len) == 0) {
				*dup = true;
				break;
			}
		}
		return 0;
	}
	if ((count - 1) * 2 >= t->cap) {
		/* Rebuilds with every member but the new one, then adds it. */
		if ((err = table_rebuild(ps, base, t, count - 1)))
			return err;
	}
	*dup = table_add(ps, base, t, count - 1);
	return 0;
}

static void duplicate_error(parser *ps, const perfdb_jmember *m)
{
	char key[48];
	size_t i, n = m->key_len < sizeof(key) - 4 ? m->key_len : sizeof(key) - 4;
	/* One line, whatever the key holds. */
	for (i = 0; i < n; i++)
		key[i] = (unsigned char)m->key[i] < 0x20 ? '?' : m->key[i];
	if (n < m->key_len)
		memcpy(key + n, "...", 4);
	else
		key[n] = '\0';
	snprintf(ps->detail, sizeof(ps->detail), "duplicate key '%s' in an object", key);
	if (!ps->error) {
		ps->error = ps->detail;
		ps->error_line = (int)m->line;
		ps->error_column = (int)m->column;
	}
}

/* The value of a member its reader ignores (perfdb_jparse_at's skip): an
 * array or object is checked and its values counted as parse_value would,
 * and only its own node made, empty. */
static int parse_skipped(parser *ps, perfdb_jnode *parent, uint32_t index, perfdb_jnode **out)
{
	perfdb_jnode *n;
	uint32_t line, column;
	char open;
	int err;

	skip_space(ps);
	open = *ps->p;
	if (ps->p >= ps->end || (open != '[' && open != '{'))
		return parse_value(ps, parent, index, out);
	line = ps->line;
	column = column_of(ps, ps->p);
	ps->check = true; /* counted there, made here */
	err = parse_value(ps, parent, index, out);
	ps->check = false;
	if (err)
		return err;
	if (!(n = arena_alloc(ps->doc, sizeof(*n))))
		return PERFDB_JPARSE_NOMEM;
	ps->made++;
	memset(n, 0, sizeof(*n));
	n->type = open == '[' ? PERFDB_JARRAY : PERFDB_JOBJECT;
	n->index = index;
	n->line = line;
	n->column = column;
	n->parent = parent;
	*out = n;
	return 0;
}

static int parse_object(parser *ps, perfdb_jnode *n)
{
	size_t base = ps->members_top, count;
	key_table table = {NULL, 0};
	int err = 0;

	ps->p++; /* { */
	at_gap(ps);
	skip_space(ps);
	if (*ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		perfdb_jmember *m;
		perfdb_jnode *value;
		bool dup;
		if (*ps->p != '"') {
			err = unexpected(ps, "expected a quoted object key",
					 "unexpected end of input: an object is not closed");
			goto done;
		}
		count = ps->members_top - base;
		if (count >= UINT32_MAX) {
			err = fail(ps, ps->p, "too many members in one object");
			goto done;
		}
		if (ps->members_top == ps->members_cap &&
		    !grow((void **)&ps->members, &ps->members_cap, sizeof(*ps->members))) {
			err = PERFDB_JPARSE_NOMEM;
			goto done;
		}
		/* Pushed now (its key is compared with its siblings'); nested
		 * objects push above it while its value is parsed. */
		m = &ps->members[ps->members_top++];
		m->line = ps->line;
		m->column = column_of(ps, ps->p);
		if ((err = parse_string(ps, &m->key, &m->key_len)) ||
		    (err = duplicate_key(ps, base, count + 1, &table, &dup)))
			goto done;
		if (dup) {
			duplicate_error(ps, &ps->members[base + count]);
			err = PERFDB_JPARSE_SYNTAX;
			goto done;
		}
		skip_space(ps);
		if (*ps->p != ':') {
			err = unexpected(ps, "expected ':' after an object key",
					 "unexpected end of input: an object is not closed");
			goto done;
		}
		ps->p++;
		if (ps->skip && !ps->check && ps->depth == ps->skip_depth)
			skip_space(ps); /* (parse_value's first step) */
		if (ps->skip && !ps->check && ps->depth == ps->skip_depth &&
		    (*ps->p == '[' || *ps->p == '{') && ps->p < ps->end &&
		    ps->skip(ps->members[base + count].key, ps->members[base + count].key_len))
			err = parse_skipped(ps, n, (uint32_t)count, &value);
		else
			err = parse_value(ps, n, (uint32_t)count, &value);
		if (err)
			goto done;
		/* (the stack may have moved while the value was parsed) */
		ps->members[base + count].value = value;
		if ((err = next_or_close(ps, '}')) < 0)
			goto done;
		if (!err)
			break;
	}
	err = 0;
	count = ps->members_top - base;
	if (ps->check) {
		ps->members_top = base;
		goto done;
	}
	if (!(n->u.obj.members = arena_alloc(ps->doc, count * sizeof(*n->u.obj.members)))) {
		err = PERFDB_JPARSE_NOMEM;
		goto done;
	}
	memcpy(n->u.obj.members, ps->members + base, count * sizeof(*n->u.obj.members));
	n->u.obj.count = count;
	ps->members_top = base;
done:
	free(table.slots);
	return err;
}

static int nonfinite(perfdb_jnode *n, double v)
{
	n->type = PERFDB_JNUMBER;
	n->nonfinite = 1;
	n->u.number = v;
	return 0;
}

static int parse_value(parser *ps, perfdb_jnode *parent, uint32_t index, perfdb_jnode **out)
{
	perfdb_jnode *n;
	int err;

	skip_space(ps);
	if (ps->p >= ps->end)
		return unexpected(ps, "expected a value",
				  "unexpected end of input: a value is missing");
	if (!(n = new_node(ps, parent, index)))
		return PERFDB_JPARSE_NOMEM;
	*out = n;
	switch (*ps->p) {
	case '"': {
		uint32_t len;
		n->type = PERFDB_JSTRING;
		if ((err = parse_string(ps, &n->u.str.s, &len)))
			return err;
		n->u.str.len = len;
		return 0;
	}
	case '{':
	case '[':
		if (ps->depth >= PERFDB_JSON_MAX_DEPTH)
			return fail(ps, ps->p, "nesting too deep (more than 512 levels)");
		ps->depth++;
		if (*ps->p == '{') {
			n->type = PERFDB_JOBJECT;
			err = parse_object(ps, n);
		} else {
			n->type = PERFDB_JARRAY;
			err = parse_array(ps, n);
		}
		ps->depth--;
		return err;
	case 't':
		if (word(ps, "true", 4)) {
			n->type = PERFDB_JTRUE;
			ps->p += 4;
			return 0;
		}
		break;
	case 'f':
		if (word(ps, "false", 5)) {
			n->type = PERFDB_JFALSE;
			ps->p += 5;
			return 0;
		}
		break;
	case 'n':
		if (word(ps, "null", 4)) {
			ps->p += 4;
			return 0;
		}
		break;
	case 'N':
		if (word(ps, "NaN", 3)) {
			ps->p += 3;
			return nonfinite(n, NAN);
		}
		break;
	case 'I':
		if (word(ps, "Infinity", 8)) {
			ps->p += 8;
			return nonfinite(n, INFINITY);
		}
		break;
	case '-':
		if (word(ps, "-NaN", 4) || word(ps, "-nan", 4)) {
			ps->p += 4;
			return nonfinite(n, NAN);
		}
		if (word(ps, "-Infinity", 9)) {
			ps->p += 9;
			return nonfinite(n, -INFINITY);
		}
		n->type = PERFDB_JNUMBER;
		return parse_number(ps, n);
	default:
		if (is_digit(*ps->p)) {
			n->type = PERFDB_JNUMBER;
			return parse_number(ps, n);
		}
		break;
	}
	if ((*ps->p >= 'a' && *ps->p <= 'z') || (*ps->p >= 'A' && *ps->p <= 'Z'))
		return fail(ps, ps->p,
			    "invalid literal (expected true, false, null or a quoted string)");
	return unexpected(ps, "expected a value", "unexpected end of input: a value is missing");
}

/* --- the document ---------------------------------------------------------------------- */

int perfdb_jdoc_parse(perfdb_jdoc **out, const char *data, size_t len, perfdb_jerror *err)
{
	return perfdb_jdoc_parse_at(out, data, len, NULL, err);
}

/* Parses text[0, len), which is NUL-terminated and padded (TEXT_PADDING)
 * and may be changed, from ps (zeroed but for doc and check): 0 (the top
 * value in *root) or a PERFDB_JPARSE_* code, err filled for a syntax error. */
static int run(parser *ps, char *text, size_t len, const perfdb_jparse_at *at, perfdb_jnode **root,
	       perfdb_jerror *err)
{
	int rc;

	ps->p = text;
	ps->end = text + len;
	ps->line = 1;
	/* A UTF-8 byte order mark is not JSON, but editors write it; it is no
	 * column either. A piece of a document has none. */
	if ((!at || !at->line) && len >= 3 && memcmp(ps->p, "\xEF\xBB\xBF", 3) == 0)
		ps->p += 3;
	ps->line_start = ps->p;
	if (at && at->line) {
		ps->line = at->line;
		ps->bias_line = at->line;
		ps->bias = at->column - 1;
	}
	if (at) {
		ps->max_values = at->max_values;
		ps->depth = at->depth;
		ps->skip = at->skip;
		ps->skip_depth = at->depth + 1;
		if (at->gap && at->gap <= len) {
			ps->gap = text + at->gap;
			ps->gap_line = at->gap_line;
			ps->gap_column = at->gap_column;
		}
	}

	skip_space(ps);
	if (ps->p >= ps->end) {
		rc = PERFDB_JPARSE_EMPTY;
	} else {
		rc = parse_value(ps, at ? at->parent : NULL, at ? at->index : 0, root);
		if (!rc) {
			skip_space(ps);
			if (ps->p < ps->end)
				rc = *ps->p
					 ? fail(ps, ps->p, "unexpected text after the JSON value")
					 : fail(ps, ps->p, "NUL byte in input");
		}
	}
	free(ps->items);
	free(ps->members);
	nodes_made += ps->made;
	if (ps->limit)
		rc = PERFDB_JPARSE_LIMIT;
	if ((rc == PERFDB_JPARSE_SYNTAX || rc == PERFDB_JPARSE_LIMIT) && err) {
		err->line = ps->error_line;
		err->column = ps->error_column;
		snprintf(err->message, sizeof(err->message), "%s", ps->error);
	}
	return rc;
}

static int input_too_big(perfdb_jerror *err)
{
	if (err) {
		err->line = 1;
		err->column = 1;
		snprintf(err->message, sizeof(err->message), "input larger than 4 GiB");
	}
	return PERFDB_JPARSE_SYNTAX;
}

/* The parse of text, which doc->text already is. */
static int parse_doc(perfdb_jdoc **out, perfdb_jdoc *doc, size_t len, const perfdb_jparse_at *at,
		     perfdb_jerror *err)
{
	parser ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.doc = doc;
	ps.pack_min = pack_min_override ? pack_min_override : PERFDB_JPARSE_PACK_MIN;
	if ((rc = run(&ps, doc->text, len, at, &doc->root, err))) {
		perfdb_jdoc_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

/* The parse of the caller's text (padded, changed, borrowed, or the doc's
 * when own), or, when text is NULL, of a private copy of data. */
static int parse_text(perfdb_jdoc **out, char *text, bool own, const char *data, size_t len,
		      const perfdb_jparse_at *at, perfdb_jerror *err)
{
	perfdb_jdoc *doc;

	*out = NULL;
	if (len >= UINT32_MAX) {
		if (own)
			free(text);
		return input_too_big(err);
	}
	if (!(doc = calloc(1, sizeof(*doc)))) {
		if (own)
			free(text);
		return PERFDB_JPARSE_NOMEM;
	}
	doc->next_block = 64 << 10;
	doc->text = text;
	doc->own_text = own;
	if (!text) {
		/* NUL-terminated, and zero-padded so that 8-byte loads
		 * anywhere up to the terminator stay inside the block. */
		if (!(doc->text = malloc(len + 1 + TEXT_PADDING))) {
			free(doc);
			return PERFDB_JPARSE_NOMEM;
		}
		doc->own_text = true;
		if (len)
			memcpy(doc->text, data, len);
		memset(doc->text + len, 0, 1 + TEXT_PADDING);
	}
	return parse_doc(out, doc, len, at, err);
}

int perfdb_jdoc_parse_at(perfdb_jdoc **out, const char *data, size_t len,
			 const perfdb_jparse_at *at, perfdb_jerror *err)
{
	return parse_text(out, NULL, false, data, len, at, err);
}

int perfdb_jdoc_parse_in_place(perfdb_jdoc **out, char *text, size_t len,
			       const perfdb_jparse_at *at, perfdb_jerror *err)
{
	return parse_text(out, text, false, text, len, at, err);
}

int perfdb_jdoc_parse_owned(perfdb_jdoc **out, char *text, size_t len, const perfdb_jparse_at *at,
			    perfdb_jerror *err)
{
	return parse_text(out, text, true, text, len, at, err);
}

/* A syntax-only pass over text (no tree), arrays of pack_min numbers or
 * more counted as packed (0: none), bounded as at says (NULL: not). */
static int check_text(char *text, size_t len, const perfdb_jparse_at *at, size_t pack_min,
		      perfdb_jerror *err)
{
	parser ps;
	perfdb_jnode *root;

	if (len >= UINT32_MAX)
		return input_too_big(err);
	memset(&ps, 0, sizeof(ps));
	ps.check = true;
	ps.pack_min = pack_min;
	return run(&ps, text, len, at, &root, err);
}

int perfdb_jdoc_check(char *text, size_t len, perfdb_jerror *err)
{
	return check_text(text, len, NULL, 0, err);
}

/* An array or object open in perfdb_jparse__values: its items so far, how
 * many were numbers, and whether all were. */
typedef struct values_frame {
	bool array, key; /* key: an object's next string is a key */
	bool all_numbers;
	size_t items, numbers;
} values_frame;

size_t perfdb_jparse__values(const char *text, size_t len)
{
	size_t pack_min = pack_min_override ? pack_min_override : PERFDB_JPARSE_PACK_MIN;
	size_t i, values = 0, top = 0, cap = 0;
	values_frame *st = NULL, *f = NULL;
	bool in_str = false, esc = false, expect = true;

	for (i = 0; i < len; i++) {
		char c = text[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ']' || c == '}') {
			if (!top)
				break;
			/* the numbers of an array the parser packs are no nodes */
			if (f->array && !(f->all_numbers && f->items >= pack_min))
				values += f->numbers;
			f = --top ? &st[top - 1] : NULL;
			expect = false;
			continue;
		}
		if (c == ',') {
			expect = true;
			if (f && !f->array)
				f->key = true;
			continue;
		}
		if (c == ':') {
			expect = true;
			if (f)
				f->key = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
			if (f && !f->array && f->key)
				continue;
		}
		if (!expect)
			continue; /* the rest of a number or a word */
		expect = false;
		if (f && f->array) {
			f->items++;
			if (number_start(c)) {
				f->numbers++;
				continue;
			}
			f->all_numbers = false;
		}
		values++;
		if (c == '[' || c == '{') {
			if (top == cap && !grow((void **)&st, &cap, sizeof(*st))) {
				values = SIZE_MAX;
				break;
			}
			f = &st[top++];
			f->array = c == '[';
			f->key = c == '{';
			f->all_numbers = true;
			f->items = f->numbers = 0;
			expect = true;
		}
	}
	free(st);
	return values;
}

int perfdb_jdoc_count(char *text, size_t len, const perfdb_jparse_at *at, perfdb_jerror *err)
{
	return check_text(text, len, at,
			  pack_min_override ? pack_min_override : PERFDB_JPARSE_PACK_MIN, err);
}

void perfdb_jdoc_free(perfdb_jdoc *doc)
{
	arena_block *b, *next;
	perfdb_jpacked *pk;
	if (!doc)
		return;
	for (pk = doc->packed; pk; pk = pk->next)
		free(atomic_load_explicit(&pk->items, memory_order_relaxed));
	for (b = doc->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	if (doc->own_text)
		free(doc->text);
	free(doc);
}

const perfdb_jnode *perfdb_jdoc_root(const perfdb_jdoc *doc)
{
	return doc->root;
}

const perfdb_jmember *perfdb_jnode_member(const perfdb_jnode *obj, const char *key)
{
	size_t i, klen;
	if (!obj || obj->type != PERFDB_JOBJECT)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < obj->u.obj.count; i++) {
		const perfdb_jmember *m = &obj->u.obj.members[i];
		if (m->key_len == klen && memcmp(m->key, key, klen) == 0)
			return m;
	}
	return NULL;
}

const perfdb_jnode *perfdb_jnode_get(const perfdb_jnode *obj, const char *key)
{
	const perfdb_jmember *m = perfdb_jnode_member(obj, key);
	return m ? m->value : NULL;
}

/* --- packed arrays --------------------------------------------------------------------- */

/* The item of a packed array at p (the parser read it: its grammar is good)
 * into n's type and value: the end of its text. */
static const char *reread(const char *p, perfdb_jnode *n)
{
	const char *err;
	n->type = PERFDB_JNUMBER;
	n->nonfinite = 0;
	n->integer = 0;
	switch (p[*p == '-']) {
	case 'N':
	case 'n':
		n->nonfinite = 1;
		n->u.number = NAN;
		return p + (*p == '-' ? 4 : 3);
	case 'I':
		n->nonfinite = 1;
		n->u.number = *p == '-' ? -INFINITY : INFINITY;
		return p + (*p == '-' ? 9 : 8);
	default: return scan_number(p, n, &err);
	}
}

/* White space and a comma between a packed array's items. */
static inline bool between(char c)
{
	return c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r';
}

void perfdb_jitems_init(perfdb_jitems *it, const perfdb_jnode *arr)
{
	memset(it, 0, sizeof(*it));
	if (!arr || arr->type != PERFDB_JARRAY)
		return;
	it->arr = arr;
	if (arr->packed) {
		it->p = arr->u.arr.packed->open + 1;
		it->line = arr->line;
		it->column = arr->column + 1;
	}
}

const perfdb_jnode *perfdb_jitems_next(perfdb_jitems *it)
{
	const perfdb_jnode *arr = it->arr;
	const char *p, *end;

	if (!arr || it->i >= arr->u.arr.count)
		return NULL;
	if (!arr->packed)
		return arr->u.arr.items[it->i++];
	/* The text holds only ASCII here: a byte is a column. */
	for (p = it->p; between(*p); p++) {
		if (*p == '\n') {
			it->line++;
			it->column = 1;
		} else {
			it->column++;
		}
	}
	memset(&it->item, 0, sizeof(it->item));
	it->item.index = (uint32_t)it->i;
	it->item.line = it->line;
	it->item.column = it->column;
	it->item.parent = (perfdb_jnode *)arr;
	end = reread(p, &it->item);
	it->column += (uint32_t)(end - p);
	it->p = end;
	it->i++;
	return &it->item;
}

void perfdb_jnumbers_init(perfdb_jnumbers *it, const perfdb_jnode *arr)
{
	it->arr = arr && arr->type == PERFDB_JARRAY ? arr : NULL;
	it->i = 0;
	it->p = it->arr && arr->packed ? arr->u.arr.packed->open + 1 : NULL;
}

size_t perfdb_jnumbers_read(perfdb_jnumbers *it, double *out, size_t cap)
{
	const perfdb_jnode *arr = it->arr;
	size_t k = 0, n;
	perfdb_jnode v;
	const char *p;

	if (!arr)
		return 0;
	n = arr->u.arr.count;
	if (!arr->packed) {
		for (; k < cap && it->i < n && arr->u.arr.items[it->i]->type == PERFDB_JNUMBER; k++)
			out[k] = arr->u.arr.items[it->i++]->u.number;
	} else {
		for (p = it->p; k < cap && it->i < n; k++, it->i++) {
			while (between(*p))
				p++;
			p = reread(p, &v);
			out[k] = v.u.number;
		}
		it->p = p;
	}
	if (k == 0) /* the end: the next call starts again */
		perfdb_jnumbers_init(it, arr);
	return k;
}

size_t perfdb_jnode_numbers(const perfdb_jnode *arr, double *out)
{
	perfdb_jnumbers it;
	perfdb_jnumbers_init(&it, arr);
	return perfdb_jnumbers_read(&it, out, SIZE_MAX);
}

const perfdb_jnode *perfdb_jnode_item(const perfdb_jnode *arr, size_t i)
{
	perfdb_jpacked *pk;
	perfdb_jnode **items, **mine, *nodes;
	perfdb_jitems it;
	size_t k, n;

	if (!arr || arr->type != PERFDB_JARRAY || i >= arr->u.arr.count)
		return NULL;
	if (!arr->packed)
		return arr->u.arr.items[i];
	pk = arr->u.arr.packed;
	if ((items = atomic_load_explicit(&pk->items, memory_order_acquire)))
		return items[i];
	/* A reader that walks any array: the nodes, made once. Two threads may
	 * both make them; the first to publish wins. */
	n = arr->u.arr.count;
	if (n > SIZE_MAX / (sizeof(*mine) + sizeof(*nodes)) ||
	    !(mine = malloc(n * (sizeof(*mine) + sizeof(*nodes)))))
		return NULL;
	nodes = (perfdb_jnode *)(mine + n);
	perfdb_jitems_init(&it, arr);
	for (k = 0; k < n; k++) {
		nodes[k] = *perfdb_jitems_next(&it);
		mine[k] = &nodes[k];
	}
	items = NULL;
	if (!atomic_compare_exchange_strong_explicit(&pk->items, &items, mine, memory_order_acq_rel,
						     memory_order_acquire)) {
		free(mine);
		return items[i];
	}
	return mine[i];
}
