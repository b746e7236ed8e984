/*
 * A one-pass JSON parser with positions (see json_parse.h for why).
 *
 * The input is copied once; strings are decoded in place in that copy and
 * NUL-terminated where their closing quote was (an escape sequence is never
 * shorter than what it decodes to, so decoding in place cannot overrun).
 * Nodes come from an arena. Children of a container are gathered on one
 * shared stack while the container is open and copied into the arena when it
 * closes, so each container's items are one array and nothing is resized per
 * value.
 */
#include "ingest/json_parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

typedef struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
} arena_block;

struct perfdb_jdoc {
	char *text; /* the private, NUL-terminated copy */
	arena_block *blocks;
	perfdb_jnode *root;
};

typedef struct parser {
	perfdb_jdoc *doc;
	const char *p, *end, *line_start;
	char *text;
	uint32_t line;
	const char *error;
	const char *error_at;
	uint32_t error_line;
	const char *error_line_start;
	/* the shared child stack: values and, for objects, members */
	void **stack;
	size_t depth_used, stack_cap;
	int depth;
} parser;

static void *arena_alloc(perfdb_jdoc *doc, size_t size)
{
	arena_block *b = doc->blocks;
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!b || b->cap - b->used < size) {
		size_t cap = size > 65536 ? size : 65536;
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

static int fail(parser *ps, const char *at, const char *msg)
{
	if (!ps->error) {
		ps->error = msg;
		ps->error_at = at;
		ps->error_line = ps->line;
		ps->error_line_start = ps->line_start;
	}
	return -1;
}

static void skip_space(parser *ps)
{
	const char *p = ps->p;
	for (;;) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r') {
			p++;
		} else if (c == '\n') {
			p++;
			ps->line++;
			ps->line_start = p;
		} else {
			break;
		}
	}
	ps->p = p;
}

static perfdb_jnode *new_node(parser *ps, perfdb_jtype type, const char *at)
{
	perfdb_jnode *n = arena_alloc(ps->doc, sizeof(*n));
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->type = (uint8_t)type;
	n->line = ps->line;
	n->column = (uint32_t)(at - ps->line_start) + 1;
	return n;
}

static int push(parser *ps, void *item)
{
	if (ps->depth_used == ps->stack_cap) {
		size_t cap = ps->stack_cap ? ps->stack_cap * 2 : 256;
		void **s = realloc(ps->stack, cap * sizeof(*s));
		if (!s)
			return -2;
		ps->stack = s;
		ps->stack_cap = cap;
	}
	ps->stack[ps->depth_used++] = item;
	return 0;
}

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

/* Parses the string at ps->p (the opening quote), decoding in place in the
 * private copy. */
static int parse_string(parser *ps, const char **out, size_t *len)
{
	const char *start = ps->p + 1;
	char *r = ps->text + (start - ps->text), *w = r;
	for (;;) {
		unsigned char c = (unsigned char)*r;
		if (c == '"') {
			break;
		} else if (c == '\\') {
			char e = r[1];
			r += 2;
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
				if (hex4(r, &cp))
					return fail(ps, r - 2, "invalid \\u escape");
				r += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (r[0] != '\\' || r[1] != 'u' || hex4(r + 2, &lo) ||
					    lo < 0xDC00 || lo > 0xDFFF)
						return fail(ps, r - 6, "invalid UTF-16 surrogate pair");
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					r += 6;
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					return fail(ps, r - 6, "invalid UTF-16 surrogate");
				}
				w = put_utf8(w, cp);
				break;
			}
			default: return fail(ps, r - 2, "invalid escape in string");
			}
		} else if (c < 0x20) {
			if (c == 0 && r >= ps->text + (ps->end - ps->text))
				return fail(ps, r, "unterminated string");
			return fail(ps, r, c == '\n' ? "unterminated string (newline inside)"
						      : "control character in string");
		} else {
			*w++ = (char)c;
			r++;
		}
	}
	*w = '\0';
	*out = ps->text + (start - ps->text);
	*len = (size_t)(w - (ps->text + (start - ps->text)));
	ps->p = ps->text + (r - ps->text) + 1;
	return 0;
}

static const double pow10_table[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Strict JSON number grammar; the value by Clinger's fast path when it is
 * exact (mantissa below 2^53, power of ten within 10^22), else strtod. */
static int parse_number(parser *ps, perfdb_jnode *n)
{
	const char *p = ps->p, *start = p;
	uint64_t mant = 0;
	int digits = 0, exp10 = 0, neg = 0, exact = 1;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '0') {
		p++;
		digits = 1;
	} else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9') {
			if (mant < (1ull << 53) / 10)
				mant = mant * 10 + (uint64_t)(*p - '0');
			else
				exact = 0;
			p++;
			digits++;
		}
	} else {
		return fail(ps, start, "invalid number");
	}
	n->integer = 1;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return fail(ps, p, "invalid number: digit expected after '.'");
		while (*p >= '0' && *p <= '9') {
			if (mant < (1ull << 53) / 10) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				exp10--;
			} else if (*p != '0') {
				exact = 0;
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
		if (!(*p >= '0' && *p <= '9'))
			return fail(ps, p, "invalid number: digit expected in exponent");
		while (*p >= '0' && *p <= '9') {
			if (e < 100000)
				e = e * 10 + (*p - '0');
			p++;
		}
		exp10 += esign * e;
		n->integer = 0;
	}
	(void)digits;
	if (exact && exp10 >= -22 && exp10 <= 22) {
		double v = (double)mant;
		v = exp10 < 0 ? v / pow10_table[-exp10] : v * pow10_table[exp10];
		n->u.number = neg ? -v : v;
	} else {
		/* The private copy is NUL-terminated, and strtod stops where the
		 * grammar above stopped. */
		errno = 0;
		n->u.number = strtod(start, NULL);
	}
	ps->p = p;
	return 0;
}

static int literal(parser *ps, const char *word, size_t len)
{
	if ((size_t)(ps->end - ps->p) >= len && memcmp(ps->p, word, len) == 0) {
		ps->p += len;
		return 1;
	}
	return 0;
}

static int parse_value(parser *ps, perfdb_jnode *parent, perfdb_jnode **out);

static int parse_array(parser *ps, perfdb_jnode *n)
{
	size_t base = ps->depth_used, i, count;
	int err;
	ps->p++; /* [ */
	skip_space(ps);
	if (*ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		perfdb_jnode *item;
		if ((err = parse_value(ps, n, &item)) || (err = push(ps, item)))
			return err;
		skip_space(ps);
		if (*ps->p == ',') {
			ps->p++;
			skip_space(ps);
			if (*ps->p == ']')
				return fail(ps, ps->p, "trailing comma in array");
			continue;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		return fail(ps, ps->p, *ps->p ? "expected ',' or ']' in array" : "unexpected end of input: array not closed");
	}
	count = ps->depth_used - base;
	n->u.arr.items = arena_alloc(ps->doc, count * sizeof(*n->u.arr.items));
	if (!n->u.arr.items)
		return -2;
	for (i = 0; i < count; i++)
		n->u.arr.items[i] = ps->stack[base + i];
	n->u.arr.count = count;
	ps->depth_used = base;
	return 0;
}

static int parse_object(parser *ps, perfdb_jnode *n)
{
	size_t base = ps->depth_used, i, count;
	int err;
	ps->p++; /* { */
	skip_space(ps);
	if (*ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		perfdb_jmember *m;
		if (*ps->p != '"')
			return fail(ps, ps->p, *ps->p ? "expected a string key in object"
						      : "unexpected end of input: object not closed");
		if (!(m = arena_alloc(ps->doc, sizeof(*m))))
			return -2;
		m->line = ps->line;
		m->column = (uint32_t)(ps->p - ps->line_start) + 1;
		if ((err = parse_string(ps, &m->key, &m->key_len)))
			return err;
		skip_space(ps);
		if (*ps->p != ':')
			return fail(ps, ps->p, "expected ':' after object key");
		ps->p++;
		if ((err = parse_value(ps, n, &m->value)) || (err = push(ps, m)))
			return err;
		skip_space(ps);
		if (*ps->p == ',') {
			ps->p++;
			skip_space(ps);
			if (*ps->p == '}')
				return fail(ps, ps->p, "trailing comma in object");
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			break;
		}
		return fail(ps, ps->p, *ps->p ? "expected ',' or '}' in object" : "unexpected end of input: object not closed");
	}
	count = ps->depth_used - base;
	n->u.obj.members = arena_alloc(ps->doc, count * sizeof(*n->u.obj.members));
	if (!n->u.obj.members)
		return -2;
	for (i = 0; i < count; i++)
		n->u.obj.members[i] = *(perfdb_jmember *)ps->stack[base + i];
	n->u.obj.count = count;
	ps->depth_used = base;
	return 0;
}

static int parse_value(parser *ps, perfdb_jnode *parent, perfdb_jnode **out)
{
	perfdb_jnode *n;
	const char *at;
	int err = 0;

	skip_space(ps);
	at = ps->p;
	if (at >= ps->end)
		return fail(ps, at, "unexpected end of input: value expected");
	if (!(n = new_node(ps, PERFDB_JNULL, at)))
		return -2;
	n->parent = parent;
	*out = n;
	switch (*at) {
	case '{':
	case '[':
		if (++ps->depth > MAX_DEPTH)
			return fail(ps, at, "nesting too deep");
		n->type = *at == '{' ? PERFDB_JOBJECT : PERFDB_JARRAY;
		err = *at == '{' ? parse_object(ps, n) : parse_array(ps, n);
		ps->depth--;
		return err;
	case '"':
		n->type = PERFDB_JSTRING;
		return parse_string(ps, &n->u.str.s, &n->u.str.len);
	case 't':
		if (literal(ps, "true", 4)) {
			n->type = PERFDB_JTRUE;
			return 0;
		}
		break;
	case 'f':
		if (literal(ps, "false", 5)) {
			n->type = PERFDB_JFALSE;
			return 0;
		}
		break;
	case 'n':
		if (literal(ps, "null", 4))
			return 0;
		break;
	case 'N':
		if (literal(ps, "NaN", 3)) {
			n->type = PERFDB_JNUMBER;
			n->nonfinite = 1;
			n->u.number = NAN;
			return 0;
		}
		break;
	case 'I':
		if (literal(ps, "Infinity", 8)) {
			n->type = PERFDB_JNUMBER;
			n->nonfinite = 1;
			n->u.number = INFINITY;
			return 0;
		}
		break;
	case '-':
		if (literal(ps, "-NaN", 4) || literal(ps, "-nan", 4)) {
			n->type = PERFDB_JNUMBER;
			n->nonfinite = 1;
			n->u.number = NAN;
			return 0;
		}
		if (literal(ps, "-Infinity", 9)) {
			n->type = PERFDB_JNUMBER;
			n->nonfinite = 1;
			n->u.number = -INFINITY;
			return 0;
		}
		/* fall through */
	default:
		if (*at == '-' || (*at >= '0' && *at <= '9')) {
			n->type = PERFDB_JNUMBER;
			return parse_number(ps, n);
		}
		break;
	}
	return fail(ps, at, "invalid value");
}

static void doc_free_blocks(perfdb_jdoc *doc)
{
	arena_block *b = doc->blocks, *next;
	for (; b; b = next) {
		next = b->next;
		free(b);
	}
}

int perfdb_jdoc_parse(perfdb_jdoc **out, const char *data, size_t len, int *line, int *column,
		      const char **message)
{
	parser ps;
	perfdb_jdoc *doc;
	int err;

	*out = NULL;
	if (!(doc = calloc(1, sizeof(*doc))))
		return -2;
	if (!(doc->text = malloc(len + 1))) {
		free(doc);
		return -2;
	}
	if (len)
		memcpy(doc->text, data, len);
	doc->text[len] = '\0';

	memset(&ps, 0, sizeof(ps));
	ps.doc = doc;
	ps.text = doc->text;
	ps.p = ps.line_start = doc->text;
	ps.end = doc->text + len;
	ps.line = 1;
	/* A UTF-8 byte order mark is not JSON, but editors write it. */
	if (len >= 3 && memcmp(ps.p, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3;

	skip_space(&ps);
	if (ps.p >= ps.end) {
		fail(&ps, ps.p, "empty input");
		err = -1;
	} else {
		err = parse_value(&ps, NULL, &doc->root);
		if (!err) {
			skip_space(&ps);
			if (ps.p < ps.end)
				err = fail(&ps, ps.p, *ps.p ? "unexpected text after the JSON value"
							    : "NUL byte in input");
		}
	}
	free(ps.stack);
	if (err) {
		if (err == -1) {
			*line = (int)ps.error_line;
			*column = (int)(ps.error_at - ps.error_line_start) + 1;
			*message = ps.error;
		}
		perfdb_jdoc_free(doc);
		return err;
	}
	*out = doc;
	return 0;
}

void perfdb_jdoc_free(perfdb_jdoc *doc)
{
	if (!doc)
		return;
	doc_free_blocks(doc);
	free(doc->text);
	free(doc);
}

perfdb_jnode *perfdb_jdoc_root(const perfdb_jdoc *doc)
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

perfdb_jnode *perfdb_jnode_get(const perfdb_jnode *obj, const char *key)
{
	const perfdb_jmember *m = perfdb_jnode_member(obj, key);
	return m ? m->value : NULL;
}
