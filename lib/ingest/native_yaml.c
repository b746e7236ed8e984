/*
 * perfdb native format, YAML syntax. yaml_load.c builds libyaml's document
 * tree from the event stream, with a nesting limit (every node keeps its
 * start mark, so errors have a line and column); the validator in native.c
 * does the rest, exactly as for JSON.
 *
 * Plain scalars are resolved by the YAML 1.2 core schema (null, booleans,
 * integers, floats, .inf, .nan); quoted scalars are always strings, so
 * `value: "12.5"` is refused like the JSON string "12.5" is. Where a string
 * belongs, any scalar is taken as written: `commit: 1234567` is the commit
 * "1234567", not a number.
 *
 * The items of `results` are not all held as libyaml nodes (about 23 times
 * the file): a first pass checks the whole stream and keeps the rest of the
 * document, `results` empty; the validator reads that, and a second pass
 * hands it the items one at a time, each dropped once read (as native_json.c
 * does through json_stream.c). A file where an alias names `results` itself
 * is loaded whole as before.
 *
 * Sequences are kept packed (yaml_load.h): a plain scalar read as a number
 * makes no node, only its value (8 bytes, not about 280), so a result of
 * millions of samples costs its numbers. The validator takes a sequence of
 * numbers whole (op_numbers); an item asked for alone is made on demand,
 * and its position and text are read again from the input only when asked
 * for (an error names it: rare).
 *
 * A file by name is not held whole either (its text beside the numbers of
 * a long sequence was above twice the file): libyaml reads it through a
 * small window (window.h) from its start for each pass, and again up to an
 * item an error names. A buffer is libyaml's string input (through the
 * input handler when spanning, below).
 *
 * Samples not held: when the caller's resultset takes a result's samples
 * unheld (perfdb_resultset__unheld_from), a sequence of that many numbers
 * or more keeps none of them (yaml_load.h, "spanning"), only its count and
 * where its text is; op_unheld hands the validator a source that reads
 * just that text again, a chunk of numbers at a time: a small scanner of
 * the simple text such a sequence is (fast_next: libyaml takes five times
 * as long, and the store reads them a dozen times), or from the first
 * thing it does not know on a parser of its own, both through the same
 * perfdb_ingest__yaml_packable_plain as the loader. libyaml's marks count
 * characters, so the input handler notes the byte and character where each
 * read starts (a UTF-16 file is not spanned). A block sequence's text is
 * given after as many spaces as its column, so that its lines keep their
 * indentation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ingest/ingest.h"
#include "ingest/native.h"
#include "ingest/reader.h"
#include "ingest/window.h"
#include "ingest/yaml_load.h"
#include "util/error.h"

/* A packed number handed out as an item (op_item): valid until the next. */
typedef struct made_item {
	yaml_node_t node;	/* a plain scalar; its text and marks once `read` */
	const yaml_node_t *seq; /* the sequence, and the item's index in it */
	size_t index;
	double value; /* unless the sequence's numbers were taken: then from the text */
	bool valued;
	bool read;
} made_item;

/* The input, read from its start by every parser that reads it: a buffer,
 * or `size` bytes of the file fd from `from` through a window of `window`
 * bytes (0: the default). */
typedef struct yaml_text {
	const char *data; /* fd < 0: the buffer, len bytes */
	size_t len;
	int fd;
	uint64_t from, size;
	size_t window;
	const char *name;
} yaml_text;

/* Where the last reads of a parser's input started (yaml_input.marks). */
#define READ_MARKS 64

/* A parser's input read from a file (or, when spanning, a buffer). */
typedef struct yaml_input {
	perfdb_ingest_window w;
	size_t pos;	     /* the next byte libyaml is given */
	perfdb_error failed; /* what a failed read raised (w.ioerr) */
	/* Spanning (locate): the characters started before pos, and that
	 * count and the byte at the start of each of the last READ_MARKS
	 * reads. A BOM is no character to libyaml's marks. */
	bool count, utf16;
	uint64_t chars;
	struct {
		uint64_t byte, chr;
	} marks[READ_MARKS];
	size_t reads;
} yaml_input;

/* A spanned sequence's numbers read again from its text (op_unheld,
 * op_numbers): the input from the sequence's first character, after `pad`
 * spaces, to before its end, through a window of its own, read by a
 * scanner of the simple text such a sequence is (fast_next) or, from the
 * first thing that scanner does not know on, by a libyaml parser. */
typedef struct span_reader {
	const yaml_text *text;
	const perfdb_yaml_packing *pack;
	perfdb_yaml_seq seq; /* a copy, for where it is */
	perfdb_ingest_window w;
	yaml_parser_t parser;
	uint64_t pos, chr; /* the next byte; the characters started before it */
	size_t pad;
	bool open, started, in, done;
	bool slow;	 /* read by libyaml (from the first item fast_next refused on) */
	size_t at, skip; /* numbers given in this pass; to skip when slow starts */
	/* fast_next's: the bytes read (chunk[ci..cn)), whether the last was
	 * white space, flow: past '[' and past an item; block: at a line's start */
	unsigned char chunk[1 << 12];
	size_t ci, cn;
	bool white, opened, item;
} span_reader;

typedef struct yaml_ctx {
	yaml_document_t *doc;	   /* the nodes the validator is given are this one's */
	perfdb_yaml_packing *pack; /* doc's packed sequences; NULL: none */
	const char *name;
	const yaml_text *text; /* the input, for the second pass */
	made_item made;
	span_reader span; /* op_unheld's */
} yaml_ctx;

/* libyaml's read handler: the next `size` bytes, all of them unless the
 * input ends first, as libyaml's own string input gives them. libyaml
 * decodes what it is given before it parses it, so the first error of a
 * text that has two (invalid UTF-8 past a syntax error) depends on how
 * much it was given at once: given less, it would name another. */
static int input_read(void *ctx, unsigned char *buf, size_t size, size_t *got)
{
	yaml_input *in = ctx;
	size_t i, skip = 0;
	*got = 0;
	if (in->count && in->pos == 0 && perfdb_ingest__window_have(&in->w, 2, 0)) {
		const unsigned char *b = (const unsigned char *)perfdb_ingest__window_at(&in->w, 0);
		in->utf16 = (b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff);
		if (b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
			skip = 3;
	}
	if (in->count) {
		in->marks[in->reads % READ_MARKS].byte = in->pos + skip;
		in->marks[in->reads % READ_MARKS].chr = in->chars;
		in->reads++;
	}
	while (*got < size) {
		size_t n;
		if (!perfdb_ingest__window_have(&in->w, in->pos, in->pos)) {
			if (!in->w.ioerr)
				return 1; /* the end */
			in->failed = *perfdb_error_last();
			return 0;
		}
		n = in->w.end - in->pos < size - *got ? in->w.end - in->pos : size - *got;
		memcpy(buf + *got, perfdb_ingest__window_at(&in->w, in->pos), n);
		in->pos += n;
		*got += n;
	}
	for (i = skip; in->count && i < *got; i++)
		in->chars += (buf[i] & 0xc0) != 0x80;
	return 1;
}

/* perfdb_yaml_packing.locate: the start of the newest read at or before
 * character `index`. */
static bool locate(void *ctx, uint64_t index, uint64_t *byte, uint64_t *chr)
{
	const yaml_input *in = ctx;
	size_t k;
	for (k = in->reads; !in->utf16 && k > 0 && in->reads - k < READ_MARKS; k--)
		if (in->marks[(k - 1) % READ_MARKS].chr <= index) {
			*byte = in->marks[(k - 1) % READ_MARKS].byte;
			*chr = in->marks[(k - 1) % READ_MARKS].chr;
			return true;
		}
	return false;
}

/* A new parser whose input is t from its start (in: a file's window,
 * released with input_close); count: for locate. PERFDB_ENOMEM. */
static int input_open(yaml_parser_t *parser, yaml_input *in, const yaml_text *t, bool count)
{
	int err;
	memset(in, 0, sizeof(*in));
	in->w.fd = -1;
	in->count = count;
	if (!yaml_parser_initialize(parser))
		return perfdb_error__oom();
	if (t->fd < 0 && !count) {
		yaml_parser_set_input_string(parser, (const unsigned char *)t->data, t->len);
		return 0;
	}
	if (t->fd < 0) {
		perfdb_ingest__window_buffer(&in->w, t->data, t->len, t->name);
		yaml_parser_set_input(parser, input_read, in);
		return 0;
	}
	if ((err =
		 perfdb_ingest__window_file(&in->w, t->fd, t->from, t->size, t->name, t->window))) {
		yaml_parser_delete(parser);
		return err;
	}
	yaml_parser_set_input(parser, input_read, in);
	return 0;
}

/* err, a parser's, or the error of the failed read that made it (libyaml
 * only says "input error"); the parser and the window released. */
static int input_close(yaml_parser_t *parser, yaml_input *in, int err)
{
	if (err < 0 && parser->error == YAML_READER_ERROR && in->w.ioerr)
		err = perfdb_error__set(in->failed.code, "%s", in->failed.message);
	yaml_parser_delete(parser);
	perfdb_ingest__window_release(&in->w);
	return err;
}

/* The span's input: its pad, then its bytes from its first character to
 * before its end. */
static int span_input(void *ctx, unsigned char *buf, size_t size, size_t *got)
{
	span_reader *r = ctx;
	*got = 0;
	while (*got < size && r->pad) {
		buf[(*got)++] = ' ';
		r->pad--;
	}
	while (*got < size) {
		const unsigned char *b;
		size_t n, i;
		if (!perfdb_ingest__window_have(&r->w, r->pos, r->pos))
			return !r->w.ioerr; /* the end, or a failed read */
		b = (const unsigned char *)perfdb_ingest__window_at(&r->w, r->pos);
		n = r->w.end - r->pos;
		if (r->started) {
			/* at once when no character of these bytes is the end */
			size_t m = n < size - *got ? n : size - *got, starts = 0;
			for (i = 0; i < m; i++)
				starts += (b[i] & 0xc0) != 0x80;
			if (r->chr + starts <= r->seq.end) {
				memcpy(buf + *got, b, m);
				*got += m;
				r->chr += starts;
				r->pos += m;
				continue;
			}
		}
		for (i = 0; i < n && *got < size; i++) {
			if ((b[i] & 0xc0) != 0x80) {
				if (r->chr == (r->started ? r->seq.end : r->seq.start)) {
					if (r->started)
						return 1; /* the span's end */
					r->started = true;
				} else {
					r->chr++;
				}
			}
			if (r->started)
				buf[(*got)++] = b[i];
		}
		r->pos += i;
	}
	return 1;
}

static void span_close(span_reader *r)
{
	if (r->open) {
		if (r->slow)
			yaml_parser_delete(&r->parser);
		perfdb_ingest__window_release(&r->w);
	}
	r->open = r->done = false;
}

/* Reads the span from its start again: false when out of memory (set). */
static bool span_open(span_reader *r)
{
	const yaml_text *t = r->text;
	if (r->slow && !yaml_parser_initialize(&r->parser)) {
		perfdb_error__oom();
		return false;
	}
	if (t->fd < 0)
		perfdb_ingest__window_buffer(&r->w, t->data, t->len, t->name);
	else if (perfdb_ingest__window_file(&r->w, t->fd, t->from, t->size, t->name,
					    (size_t)1 << 16)) {
		if (r->slow)
			yaml_parser_delete(&r->parser);
		return false;
	}
	r->at = r->skip = r->ci = r->cn = 0;
	r->white = true;
	r->opened = r->item = false;
	perfdb_ingest__window_seek(&r->w, r->seq.place_byte);
	r->pos = r->seq.place_byte;
	r->chr = r->seq.place_char;
	r->pad = r->seq.column;
	r->started = r->in = false;
	if (r->slow)
		yaml_parser_set_input(&r->parser, span_input, r);
	r->open = true;
	return true;
}

/* perfdb_unheld.read of a span: its numbers, cap at a time; 0 after the
 * last (or when the text no longer reads as it did: fewer numbers, which
 * perfdb_resultset__add_unheld refuses), and from the first again after. */
/* The next byte of the span (-1 at its end), taken when take. */
static int fast_byte(span_reader *r, bool take)
{
	if (r->ci == r->cn) {
		if (!span_input(r, r->chunk, sizeof(r->chunk), &r->cn) || !r->cn)
			return -1;
		r->ci = 0;
	}
	return take ? r->chunk[r->ci++] : r->chunk[r->ci];
}

/* Skips blanks (spaces; line breaks too when lines) and a comment after
 * them, to the next byte, which it returns (not taken), or -2 for what
 * fast_next does not know (a tab, a comment right after a token). */
static int fast_skip(span_reader *r, bool lines)
{
	int c;
	for (;;) {
		c = fast_byte(r, false);
		if (c == ' ' || (lines && (c == '\n' || c == '\r'))) {
			r->white = true;
		} else if (c == '#') {
			if (!r->white)
				return -2;
			while ((c = fast_byte(r, false)) >= 0 && c != '\n' && c != '\r')
				fast_byte(r, true);
			continue;
		} else {
			return c == '\t' ? -2 : c;
		}
		fast_byte(r, true);
	}
}

/* A number's plain scalar, as libyaml reads it when it is written only of
 * these (no quote, tag, anchor, indicator, non-ASCII or multi-line scalar):
 * 1, a number (its value at *out); -1, anything else. */
static int fast_token(span_reader *r, double *out)
{
	char tok[64];
	size_t n = 0;
	int c;
	while ((c = fast_byte(r, false)) >= 0 &&
	       ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		c == '+' || c == '-' || c == '.' || c == '_')) {
		if (n == sizeof(tok) - 1)
			return -1;
		tok[n++] = (char)fast_byte(r, true);
	}
	tok[n] = '\0';
	r->white = false;
	return n && perfdb_ingest__yaml_packable_plain(r->pack, tok, out) ? 1 : -1;
}

/*
 * The next number of the span without libyaml (a dozen passes over
 * millions of numbers: libyaml takes about five times as long): 1 with
 * *out, 0 at the sequence's end, -1 where the text is not of the simple
 * shape this knows, which libyaml then reads: flow `[` numbers separated
 * by `,` `]`, or block lines `- number` at the sequence's column; spaces,
 * line breaks (flow), empty and comment lines (block) and comments after
 * white space between them.
 */
static int fast_next(span_reader *r, double *out)
{
	int c;
	if (r->seq.flow) {
		if ((c = fast_skip(r, true)) == '[' && !r->opened) {
			r->opened = true;
			fast_byte(r, true);
			r->white = true;
			c = fast_skip(r, true);
		}
		if (!r->opened)
			return -1;
		if (c == ',' && r->item) {
			r->item = false;
			fast_byte(r, true);
			r->white = true;
			c = fast_skip(r, true);
		}
		if (c == ']') {
			fast_byte(r, true);
			r->white = true;
			return fast_skip(r, true) == -1 ? 0 : -1;
		}
		if (r->item || fast_token(r, out) < 0)
			return -1;
		r->item = true;
		c = fast_byte(r, false);
		return c == ' ' || c == '\n' || c == '\r' || c == ',' || c == ']' ? 1 : -1;
	}
	for (;;) { /* at a line's start */
		size_t col = 0;
		while ((c = fast_byte(r, false)) == ' ') {
			fast_byte(r, true);
			col++;
		}
		r->white = true;
		if (c == '#')
			c = fast_skip(r, false);
		if (c == -1)
			return 0;
		if (c == '\r' || c == '\n') {
			fast_byte(r, true);
			if (c == '\r' && fast_byte(r, false) == '\n')
				fast_byte(r, true);
			continue;
		}
		if (col != r->seq.column || c != '-')
			return -1;
		fast_byte(r, true);
		if (fast_byte(r, false) != ' ' || fast_skip(r, false) < 0 || fast_token(r, out) < 0)
			return -1;
		c = fast_skip(r, false);
		if (c == '\r' || c == '\n' || c == -1)
			return 1;
		return -1;
	}
}

/* libyaml's next number of the span: 1 with *out, 0 at its end (or at what
 * is no number: the text changed). */
static int slow_next(span_reader *r, double *out)
{
	yaml_event_t ev;
	int got = -1;
	while (got < 0) {
		if (!yaml_parser_parse(&r->parser, &ev))
			return 0;
		if (ev.type == YAML_SCALAR_EVENT && perfdb_ingest__yaml_packable(r->pack, &ev, out))
			got = 1;
		else if (ev.type == YAML_SEQUENCE_START_EVENT && !r->in)
			r->in = true;
		else if (ev.type != YAML_STREAM_START_EVENT && ev.type != YAML_DOCUMENT_START_EVENT)
			got = 0; /* its end, or what is no number */
		yaml_event_delete(&ev);
	}
	return got;
}

static size_t span_read(void *ctx, double *out, size_t cap)
{
	span_reader *r = ctx;
	size_t k = 0;
	if (!r->done && !r->open && !span_open(r))
		r->done = true;
	while (!r->done && k < cap) {
		int got = r->slow ? slow_next(r, &out[k]) : fast_next(r, &out[k]);
		if (got > 0 && r->skip) {
			r->skip--;
		} else if (got > 0) {
			k++;
			r->at++;
		} else if (got < 0) {
			/* libyaml from here on: from the start, past the numbers
			 * given */
			size_t at = r->at;
			span_close(r);
			r->slow = true;
			if (!span_open(r))
				r->done = true;
			r->at = r->skip = at;
		} else {
			r->done = true;
		}
	}
	if (r->done && !k)
		span_close(r);
	return k;
}

/* r reading the numbers of s, spanned, in the input of c. */
static void span_init(span_reader *r, const yaml_text *text, const perfdb_yaml_packing *pack,
		      const perfdb_yaml_seq *s)
{
	span_close(r);
	r->text = text;
	r->pack = pack;
	r->seq = *s;
	r->slow = false;
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool one_of(const char *s, const char *a, const char *b, const char *c)
{
	return strcmp(s, a) == 0 || strcmp(s, b) == 0 || strcmp(s, c) == 0;
}

/* Resolves a plain scalar; *out gets the number for PERFDB_NATIVE_NUMBER. */
static perfdb_native_kind resolve(const char *s, double *out)
{
	const char *p = s;
	double sign = 1.0;
	int r;

	/* None of the words starts with a digit, as most numbers do: not
	 * compared with them (millions of samples, read a dozen times). */
	if (*s >= '0' && *s <= '9')
		goto number;
	if (!*s || one_of(s, "~", "null", "Null") || strcmp(s, "NULL") == 0)
		return PERFDB_NATIVE_NULL;
	if (one_of(s, "true", "True", "TRUE") || one_of(s, "false", "False", "FALSE"))
		return PERFDB_NATIVE_BOOL;
	if (one_of(s, ".nan", ".NaN", ".NAN")) {
		*out = NAN;
		return PERFDB_NATIVE_NUMBER;
	}
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1.0 : 1.0;
	if (one_of(p, ".inf", ".Inf", ".INF")) {
		*out = sign * INFINITY;
		return PERFDB_NATIVE_NUMBER;
	}
number:
	if (p == s && s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2]) {
		/* 0x1F, 0o17: core-schema integers, unsigned. */
		int base = s[1] == 'x' ? 16 : 8;
		double v = 0;
		for (p = s + 2; *p; p++) {
			int d = *p >= '0' && *p <= '9'	 ? *p - '0'
				: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
				: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
							 : 99;
			if (d >= base)
				return PERFDB_NATIVE_STRING;
			v = v * base + d;
		}
		*out = v;
		return PERFDB_NATIVE_NUMBER;
	}
	r = perfdb_ingest__number(s, out);
	if (r == -2)
		*out = sign * INFINITY; /* 1e999: a number, refused as infinite */
	return r == -1 ? PERFDB_NATIVE_STRING : PERFDB_NATIVE_NUMBER;
}

static perfdb_native_kind node_kind(const yaml_node_t *n, double *out)
{
	const char *tag = (const char *)n->tag;
	double ignored;

	if (!out)
		out = &ignored;
	switch (n->type) {
	case YAML_MAPPING_NODE: return PERFDB_NATIVE_MAP;
	case YAML_SEQUENCE_NODE: return PERFDB_NATIVE_SEQ;
	case YAML_SCALAR_NODE: break;
	default: return PERFDB_NATIVE_NULL;
	}
	/* An explicit !!int or !!float forces a number, !!null and !!bool their
	 * kind; the loader gives every other scalar the str tag, so the style
	 * tells a plain scalar (to resolve) from a quoted one (a string). */
	if (tag && (strcmp(tag, YAML_INT_TAG) == 0 || strcmp(tag, YAML_FLOAT_TAG) == 0)) {
		perfdb_native_kind k = resolve(scalar(n), out);
		return k == PERFDB_NATIVE_NUMBER ? k : PERFDB_NATIVE_STRING;
	}
	if (tag && strcmp(tag, YAML_NULL_TAG) == 0)
		return PERFDB_NATIVE_NULL;
	if (tag && strcmp(tag, YAML_BOOL_TAG) == 0)
		return PERFDB_NATIVE_BOOL;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return PERFDB_NATIVE_STRING;
	return resolve(scalar(n), out);
}

/* What yaml_load.c packs: a plain scalar without tag that reads as a number. */
static bool plain_number(const char *plain, double *out)
{
	return resolve(plain, out) == PERFDB_NATIVE_NUMBER;
}

/* The packed items of seq, a node of c->doc; NULL when it has none. */
static perfdb_yaml_seq *packed(const yaml_ctx *c, const yaml_node_t *seq)
{
	if (!c->pack || seq->type != YAML_SEQUENCE_NODE || seq < c->doc->nodes.start ||
	    seq >= c->doc->nodes.top)
		return NULL;
	return perfdb_ingest__yaml_packed(c->pack, (int)(seq - c->doc->nodes.start) + 1);
}

/* A made item's text and marks, read again from the input. */
static const yaml_node_t *made_read(yaml_ctx *c)
{
	made_item *m = &c->made;
	yaml_parser_t parser;
	yaml_input in;
	char *text;
	int rc;
	if (!m->read && input_open(&parser, &in, c->text, false) == 0) {
		rc = perfdb_ingest__yaml_find_item(&parser, m->seq, m->index, &m->node.start_mark,
						   &text);
		input_close(&parser, &in, 0);
		if (rc != 0)
			return NULL;
		m->node.data.scalar.value = (yaml_char_t *)text;
		m->node.data.scalar.length = text ? strlen(text) : 0;
		m->node.end_mark = m->node.start_mark;
		m->read = true;
	}
	return m->read ? &m->node : NULL;
}

static perfdb_native_kind op_kind(void *ctx, const void *node)
{
	yaml_ctx *c = ctx;
	return node == &c->made.node ? PERFDB_NATIVE_NUMBER : node_kind(node, NULL);
}

static const char *op_text(void *ctx, const void *node)
{
	yaml_ctx *c = ctx;
	const yaml_node_t *n = node;
	if (n == &c->made.node)
		return (n = made_read(c)) ? scalar(n) : NULL;
	if (n->type != YAML_SCALAR_NODE || node_kind(n, NULL) == PERFDB_NATIVE_NULL)
		return NULL;
	return scalar(n);
}

static bool op_number(void *ctx, const void *node, double *out)
{
	yaml_ctx *c = ctx;
	double d;
	if (node == &c->made.node && !c->made.valued) {
		const yaml_node_t *n = made_read(c);
		if (!n || resolve(scalar(n), &c->made.value) != PERFDB_NATIVE_NUMBER)
			return false; /* out of memory */
		c->made.valued = true;
	}
	if (node == &c->made.node)
		d = c->made.value;
	else if (node_kind(node, &d) != PERFDB_NATIVE_NUMBER)
		return false;
	*out = d;
	return true;
}

static size_t op_length(void *ctx, const void *seq)
{
	const yaml_node_t *n = seq;
	const perfdb_yaml_seq *p = packed(ctx, n);
	return p ? p->length : (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static const void *op_item(void *ctx, const void *seq, size_t i)
{
	yaml_ctx *c = ctx;
	const yaml_node_t *n = seq;
	const perfdb_yaml_seq *p = packed(c, n);
	made_item *m = &c->made;
	double d = 0;
	int id;

	if (!p)
		return yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
	if (!p->taken && !p->spanned && (id = perfdb_ingest__yaml_seq_item(p, i, &d)))
		return yaml_document_get_node(c->doc, id);
	free(m->node.data.scalar.value);
	memset(m, 0, sizeof(*m));
	m->node.type = YAML_SCALAR_NODE;
	m->node.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
	m->seq = n;
	m->index = i;
	m->value = d;
	m->valued = !p->taken && !p->spanned; /* these hold numbers only */
	return &m->node;
}

/* PERFDB_EIO: the input `name` reads differently the second time. */
static int changed(const char *name)
{
	perfdb_ingest_window w; /* for its message */
	perfdb_ingest__window_buffer(&w, NULL, 0, name);
	return perfdb_ingest__window_changed(&w);
}

/* The numbers of s, spanned, read again into out: 0, or the error of a
 * text that no longer reads as it did. */
static int span_numbers(yaml_ctx *c, const perfdb_yaml_seq *s, double *out)
{
	size_t got, n = 0;
	span_init(&c->span, c->text, c->pack, s);
	while (n < s->length && (got = span_read(&c->span, out + n, s->length - n)))
		n += got;
	span_close(&c->span);
	if (n == s->length)
		return 0;
	return changed(c->name);
}

static int op_numbers(void *ctx, const void *seq, double *out)
{
	perfdb_yaml_seq *p = packed(ctx, seq);
	int err;
	/* Spanned, and the caller's set does not take it unheld after all:
	 * held, read from its text once. */
	if (p && p->spanned)
		return (err = span_numbers(ctx, p, out)) ? err : 1;
	/* A sequence not shared is read once (only an alias reaches a node
	 * again): its numbers are taken, not copied, so that a result of
	 * millions of samples is not held twice. */
	if (!p || p->nodes || p->taken)
		return 0;
	if (p->shared && p->length)
		memcpy(out, p->items, p->length * sizeof(*out));
	else if (!p->shared)
		perfdb_ingest__yaml_seq_take(p, out);
	return 1;
}

static bool op_unheld(void *ctx, const void *seq, const perfdb_resultset *rs, perfdb_unheld *src)
{
	yaml_ctx *c = ctx;
	const perfdb_yaml_seq *p = packed(c, seq);
	if (!p || !p->spanned || !perfdb_resultset__unheld_ok(rs, p->length))
		return false;
	span_init(&c->span, c->text, c->pack, p);
	src->read = span_read;
	src->ctx = &c->span;
	return true;
}

static int op_next(void *ctx, const void *map, perfdb_native_entry *e)
{
	yaml_ctx *c = ctx;
	const yaml_node_t *n = map;
	const yaml_node_pair_t *p;
	const yaml_node_t *key;

	p = e->it ? (const yaml_node_pair_t *)e->it + 1 : n->data.mapping.pairs.start;
	if (p >= n->data.mapping.pairs.top)
		return 0;
	e->it = p;
	key = yaml_document_get_node(c->doc, p->key);
	if (key->type != YAML_SCALAR_NODE)
		return perfdb_error__input(
		    PERFDB_EINPUT, c->name, (int)key->start_mark.line + 1,
		    (int)key->start_mark.column + 1, NULL, "a key must be a plain name, not %s",
		    key->type == YAML_MAPPING_NODE ? "a mapping" : "a sequence");
	e->key = scalar(key);
	e->key_node = key;
	e->value = yaml_document_get_node(c->doc, p->value);
	return 1;
}

static void op_where(void *ctx, const void *node, const void *parent, const char *key, size_t index,
		     int *line, int *column)
{
	yaml_ctx *c = ctx;
	const yaml_node_t *n = node ? node : parent;
	if (n == &c->made.node)
		n = made_read(c);
	(void)key;
	(void)index;
	*line = n ? (int)n->start_mark.line + 1 : 0;
	*column = n ? (int)n->start_mark.column + 1 : 0;
}

static const perfdb_native_ops yaml_ops = {
    .kind = op_kind,
    .text = op_text,
    .number = op_number,
    .length = op_length,
    .item = op_item,
    .numbers = op_numbers,
    .unheld = op_unheld,
    .next = op_next,
    .where = op_where,
    .scalars_are_text = true,
};

/* The document of t; with cut (may be NULL), its results cut out; with
 * pack (may be NULL), its sequences packed. */
static int load(yaml_document_t *doc, const yaml_text *t, perfdb_yaml_cut *cut,
		perfdb_yaml_packing *pack)
{
	yaml_parser_t parser;
	yaml_input in;
	int err;
	for (;;) {
		bool span = pack && pack->span_from;
		if ((err = input_open(&parser, &in, t, span)))
			return err;
		if (span) {
			pack->locate = locate;
			pack->locate_ctx = &in;
		}
		/* One file is one run: a second document would be silently
		 * dropped. */
		err = perfdb_ingest__yaml_load_cut(doc, &parser, t->name, "run", cut, pack);
		err = input_close(&parser, &in, err);
		/* A spanned sequence with more than numbers (rare): all held,
		 * unless items were handed on already (the second pass, which
		 * spans only when the first did not need this). */
		if (err != PERFDB_YAML__HOLD || (cut && cut->each))
			return err;
		pack->span_from = 0;
	}
}

typedef struct each_ctx {
	yaml_ctx *yc;
	perfdb_yaml_packing *pack; /* the second pass's */
	int (*each)(void *vctx, const void *item, size_t index);
	void *vctx;
	int err; /* each's error, which stopped the pass */
} each_ctx;

static int each_item(void *ctx, yaml_document_t *doc, yaml_node_t *item, size_t index)
{
	each_ctx *e = ctx;
	yaml_document_t *skeleton = e->yc->doc;
	perfdb_yaml_packing *skeleton_pack = e->yc->pack;
	int err;
	e->yc->doc = doc; /* the item's nodes are the second pass's */
	e->yc->pack = e->pack;
	err = e->err = e->each(e->vctx, item, index);
	e->yc->doc = skeleton;
	e->yc->pack = skeleton_pack;
	return err;
}

/* The second pass: the first checked the whole stream, so only the
 * validator's errors stop it, or a file that changed since. */
static int stream_items(void *ctx, int (*each)(void *vctx, const void *item, size_t index),
			void *vctx, size_t *count)
{
	yaml_ctx *yc = ctx;
	perfdb_yaml_packing pack = {.number = plain_number};
	each_ctx e = {yc, yc->pack ? &pack : NULL, each, vctx, 0};
	/* The rest of the document is the first pass's: this one keeps only
	 * what an item may name (an anchored node). */
	perfdb_yaml_cut cut = {"results", each_item, &e, 0, false, true};
	yaml_document_t doc;
	int err;
	pack.span_from = yc->pack ? yc->pack->span_from : 0;
	err = load(&doc, yc->text, &cut, e.pack);
	if (err && !e.err && err != PERFDB_ENOMEM && err != PERFDB_EIO && yc->text->fd >= 0)
		return changed(yc->name);
	if (err)
		return err == PERFDB_YAML__FALLBACK || err == PERFDB_YAML__HOLD
			   ? perfdb_error__set(PERFDB_ERROR, "%s: read differently the second time",
					       yc->name)
			   : err;
	yaml_document_delete(&doc);
	perfdb_ingest__yaml_packing_release(&pack);
	*count = cut.items;
	return 0;
}

static int stream_fail(void *ctx, int err)
{
	(void)ctx;
	return err; /* the first pass found no syntax error */
}

/* pack: whether to keep sequences packed (else every item is a node). */
static int read_yaml(perfdb_resultset *rs, yaml_text *t, bool pack)
{
	perfdb_yaml_cut cut = {"results", NULL, NULL, 0, false, false};
	perfdb_yaml_packing packing = {.number = plain_number};
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_ctx ctx = {0};
	perfdb_native_stream items = {stream_items, stream_fail, &ctx};
	const char *name = t->name ? t->name : "<input>";
	int err;

	t->name = name;
	ctx.pack = pack ? &packing : NULL;
	/* numbers that rs takes unheld are not held (not read into doubles) */
	packing.span_from = pack ? perfdb_resultset__unheld_from(rs) : 0;
	if ((err = load(&doc, t, &cut, ctx.pack)) == PERFDB_YAML__FALLBACK) {
		cut.found = false;
		err = load(&doc, t, NULL, ctx.pack);
	}
	if (err)
		return err;
	if (!(root = yaml_document_get_root_node(&doc))) {
		err = perfdb_error__input(PERFDB_EINPUT, name, 0, 0, NULL,
					  "no YAML document (expected a mapping with 'results')");
		goto out;
	}
	ctx.doc = &doc;
	ctx.name = name;
	ctx.text = t;
	/* nothing cut: the document is whole */
	err = perfdb_ingest__native(rs, &yaml_ops, &ctx, root, name, cut.found ? &items : NULL);
out:
	yaml_document_delete(&doc);
	perfdb_ingest__yaml_packing_release(&packing);
	free(ctx.made.node.data.scalar.value);
	span_close(&ctx.span);
	return err;
}

int perfdb_ingest__native_yaml(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	yaml_text t = {data, len, -1, 0, 0, 0, name};
	return read_yaml(rs, &t, true);
}

int perfdb_ingest__native_yaml_nodes(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name)
{
	yaml_text t = {data, len, -1, 0, 0, 0, name};
	return read_yaml(rs, &t, false);
}

int perfdb_ingest__native_yaml_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
				    const char *name, size_t window)
{
	yaml_text t = {NULL, 0, fd, from, size, window, name};
	return read_yaml(rs, &t, true);
}
