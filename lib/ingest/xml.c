/*
 * The strict XML subset of xml.h. Positions are tracked as the cursor moves
 * (adv), so every error names the line and column where the input went wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
#include "ingest/xml.h"
#include "util/error.h"

#define PERFDB_XML_STR_(n) #n
#define PERFDB_XML_STR(n)  PERFDB_XML_STR_(n)

void perfdb_xml__init(perfdb_xml *x, const char *data, size_t len, const char *name)
{
	memset(x, 0, sizeof(*x));
	x->data = data;
	x->len = len;
	x->name = name ? name : "";
	x->line = 1;
	x->col = 1; /* of line_start 0 */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		x->pos = x->line_start = 3;
}

void perfdb_xml__init_at(perfdb_xml *x, const char *data, size_t len, const char *name,
			 const perfdb_xml_mark *at)
{
	perfdb_xml__init(x, data, len, name);
	x->pos = at->pos;
	x->line = at->line;
	x->line_start = at->line_start;
}

void perfdb_xml__release(perfdb_xml *x)
{
	free(x->buf);
	free(x->attrs);
	free(x->attr_off);
	free(x->names);
	memset(x, 0, sizeof(*x));
}

static int column_at(perfdb_xml *x, size_t pos)
{
	if (pos < x->line_start) /* never: callers keep marks of earlier lines */
		return 0;
	if (x->col_line != x->line_start || x->col_pos > pos) {
		x->col_line = x->col_pos = x->line_start;
		x->col = 1;
	}
	x->col += perfdb_ingest__columns(x->data + x->col_pos, pos - x->col_pos);
	x->col_pos = pos;
	return x->col;
}

/* pos must be on the current line (at or after line_start). */
static int fail_at(perfdb_xml *x, size_t pos, const char *what)
{
	return perfdb_error__input(PERFDB_EINPUT, x->name, x->line, column_at(x, pos), NULL,
				   "invalid XML: %s", what);
}

/* A failure at a line and column remembered before the cursor moved on
 * (maybe past a newline). */
static int fail_mark(const perfdb_xml *x, int line, int column, const char *what)
{
	return perfdb_error__input(PERFDB_EINPUT, x->name, line, column, NULL, "invalid XML: %s",
				   what);
}

static void adv(perfdb_xml *x, size_t n)
{
	size_t end = x->pos + n;
	for (; x->pos < end; x->pos++)
		if (x->data[x->pos] == '\n') {
			x->line++;
			x->line_start = x->pos + 1;
		}
}

static bool at(const perfdb_xml *x, const char *s)
{
	size_t n = strlen(s);
	return x->len - x->pos >= n && memcmp(x->data + x->pos, s, n) == 0;
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(perfdb_xml *x)
{
	while (x->pos < x->len && space(x->data[x->pos]))
		adv(x, 1);
}

static bool name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       c >= 0x80;
}

static bool name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int put(perfdb_xml *x, const char *s, size_t n)
{
	if (x->buflen + n + 1 > x->bufcap) {
		size_t cap = x->bufcap ? x->bufcap * 2 : 256;
		char *p;
		while (cap < x->buflen + n + 1)
			cap *= 2;
		if (!(p = realloc(x->buf, cap)))
			return perfdb_error__oom();
		x->buf = p;
		x->bufcap = cap;
	}
	memcpy(x->buf + x->buflen, s, n);
	x->buflen += n;
	x->buf[x->buflen] = '\0';
	return 0;
}

/* A name at the cursor into buf (NUL-terminated); its offset in *off. */
static int read_name(perfdb_xml *x, size_t *off, const char *what)
{
	size_t start = x->pos;
	int err;
	if (x->pos >= x->len || !name_start((unsigned char)x->data[x->pos]))
		return fail_at(x, x->pos, what);
	while (x->pos < x->len && name_char((unsigned char)x->data[x->pos]))
		x->pos++; /* names hold no newline */
	*off = x->buflen;
	if ((err = put(x, x->data + start, x->pos - start)))
		return err;
	x->buflen++; /* keep the NUL */
	return 0;
}

static int put_utf8(perfdb_xml *x, uint32_t c)
{
	char b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xC0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	return put(x, b, n);
}

/* An entity or character reference at the cursor ('&'), decoded into buf. */
static int entity(perfdb_xml *x)
{
	static const struct {
		const char *name;
		char c;
	} predefined[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
	size_t start = x->pos, i, n;
	const char *s = x->data + x->pos + 1;
	const char *semi = memchr(s, ';', x->len - x->pos - 1 < 16 ? x->len - x->pos - 1 : 16);
	if (!semi)
		return fail_at(x, start, "'&' that starts no entity (write &amp;)");
	n = (size_t)(semi - s);
	if (n >= 2 && s[0] == '#') {
		uint32_t c = 0;
		bool hex = s[1] == 'x';
		size_t k = hex ? 2 : 1;
		if (k == n)
			return fail_at(x, start, "empty character reference");
		for (; k < n; k++) {
			char d = s[k];
			uint32_t v;
			if (d >= '0' && d <= '9')
				v = (uint32_t)(d - '0');
			else if (hex && d >= 'a' && d <= 'f')
				v = (uint32_t)(d - 'a' + 10);
			else if (hex && d >= 'A' && d <= 'F')
				v = (uint32_t)(d - 'A' + 10);
			else
				return fail_at(x, start, "bad character reference");
			c = c * (hex ? 16 : 10) + v;
			if (c > 0x10FFFF)
				return fail_at(x, start, "character reference out of range");
		}
		if (!(c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
		      (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000))
			return fail_at(x, start, "character reference to a character XML forbids");
		adv(x, n + 2);
		return put_utf8(x, c);
	}
	for (i = 0; i < sizeof(predefined) / sizeof(predefined[0]); i++)
		if (strlen(predefined[i].name) == n && memcmp(s, predefined[i].name, n) == 0) {
			adv(x, n + 2);
			return put(x, &predefined[i].c, 1);
		}
	return fail_at(x, start, "unknown entity (only &lt; &gt; &amp; &quot; &apos; and &#...;)");
}

static int add_attr(perfdb_xml *x, size_t name_off, size_t value_off, int line, int column)
{
	if (x->nattrs == x->capattrs) {
		size_t cap = x->capattrs ? x->capattrs * 2 : 8;
		perfdb_xml_attr *a = realloc(x->attrs, cap * sizeof(*a));
		size_t *o;
		if (a)
			x->attrs = a;
		o = realloc(x->attr_off, cap * 2 * sizeof(*o));
		if (!a || !o)
			return perfdb_error__oom();
		x->attr_off = o;
		x->capattrs = cap;
	}
	x->attr_off[2 * x->nattrs] = name_off;
	x->attr_off[2 * x->nattrs + 1] = value_off;
	x->attrs[x->nattrs].line = line;
	x->attrs[x->nattrs].column = column;
	x->nattrs++;
	return 0;
}

static int start_tag(perfdb_xml *x, perfdb_xml_event *ev)
{
	size_t lt = x->pos, name_off, i, j;
	int err;

	if (x->depth == 0 && x->seen_root)
		return fail_at(x, lt, "a second root element");
	if (x->depth == PERFDB_XML_MAX_DEPTH)
		return fail_at(x, lt, "elements nested too deep");
	adv(x, 1);
	if ((err = read_name(x, &name_off, "expected an element name after '<'")))
		return err;
	for (;;) {
		size_t before = x->pos, an, av;
		int aline, acol;
		char q;
		skip_space(x);
		if (x->pos >= x->len)
			return fail_at(x, x->pos, "unexpected end of input in a tag");
		if (at(x, "/>") || at(x, ">"))
			break;
		if (x->pos == before)
			return fail_at(x, x->pos, "expected white space, '>' or '/>'");
		if (x->nattrs == PERFDB_XML_MAX_ATTRS)
			return fail_at(x, x->pos,
				       "more than " PERFDB_XML_STR(
					   PERFDB_XML_MAX_ATTRS) " attributes in one tag");
		aline = x->line;
		acol = column_at(x, x->pos);
		if ((err = read_name(x, &an, "expected an attribute name")))
			return err;
		skip_space(x);
		if (x->pos >= x->len || x->data[x->pos] != '=')
			return fail_at(x, x->pos, "expected '=' after an attribute name");
		adv(x, 1);
		skip_space(x);
		if (x->pos >= x->len || (x->data[x->pos] != '"' && x->data[x->pos] != '\''))
			return fail_at(x, x->pos, "expected a quoted attribute value");
		q = x->data[x->pos];
		adv(x, 1);
		av = x->buflen;
		while (x->pos < x->len && x->data[x->pos] != q) {
			char c = x->data[x->pos];
			if (c == '<')
				return fail_at(x, x->pos, "'<' in an attribute value");
			if (c == '&') {
				if ((err = entity(x)))
					return err;
				continue;
			}
			if ((err = put(x, &c, 1)))
				return err;
			adv(x, 1);
		}
		if (x->pos >= x->len)
			return fail_at(x, x->pos, "unexpected end of input in an attribute value");
		adv(x, 1);
		x->buflen++; /* keep the NUL */
		for (i = 0; i < x->nattrs; i++)
			if (strcmp(x->buf + x->attr_off[2 * i], x->buf + an) == 0)
				return perfdb_error__input(
				    PERFDB_EINPUT, x->name, aline, acol, NULL,
				    "invalid XML: attribute '%s' repeated", x->buf + an);
		if ((err = add_attr(x, an, av, aline, acol)))
			return err;
	}
	/* push the name */
	{
		size_t n = strlen(x->buf + name_off) + 1;
		if (x->nameslen + n > x->namescap) {
			size_t cap = (x->nameslen + n) * 2;
			char *p = realloc(x->names, cap);
			if (!p)
				return perfdb_error__oom();
			x->names = p;
			x->namescap = cap;
		}
		x->stack[x->depth++] = x->nameslen;
		memcpy(x->names + x->nameslen, x->buf + name_off, n);
		x->nameslen += n;
	}
	x->seen_root = true;
	if (at(x, "/>")) {
		x->pending_end = true;
		adv(x, 2);
	} else {
		adv(x, 1);
	}
	for (j = 0; j < x->nattrs; j++) {
		x->attrs[j].name = x->buf + x->attr_off[2 * j];
		x->attrs[j].value = x->buf + x->attr_off[2 * j + 1];
	}
	ev->type = PERFDB_XML_START;
	ev->name = x->buf + name_off;
	ev->attrs = x->attrs;
	ev->nattrs = x->nattrs;
	ev->depth = x->depth;
	return 0;
}

static void pop(perfdb_xml *x, perfdb_xml_event *ev)
{
	size_t off = x->stack[--x->depth];
	size_t n = strlen(x->names + off);
	/* the name stays readable in buf until the next call */
	x->buflen = 0;
	(void)put(x, x->names + off, n); /* cannot fail: buf holds the name already */
	x->nameslen = off;
	ev->type = PERFDB_XML_END;
	ev->name = x->buf ? x->buf : "";
	ev->depth = x->depth + 1;
}

static int end_tag(perfdb_xml *x, perfdb_xml_event *ev)
{
	size_t off;
	int err, line = x->line, column = column_at(x, x->pos);
	adv(x, 2);
	if ((err = read_name(x, &off, "expected an element name after '</'")))
		return err;
	skip_space(x);
	if (x->pos >= x->len || x->data[x->pos] != '>')
		return fail_at(x, x->pos, "expected '>'");
	if (x->depth == 0)
		return fail_mark(x, line, column, "end tag without a start tag");
	if (strcmp(x->names + x->stack[x->depth - 1], x->buf + off) != 0)
		return perfdb_error__input(PERFDB_EINPUT, x->name, line, column, NULL,
					   "invalid XML: </%s> closes <%s>", x->buf + off,
					   x->names + x->stack[x->depth - 1]);
	adv(x, 1);
	pop(x, ev);
	return 0;
}

/* Skips from the cursor past `close`; fails naming `what` at its start. */
static int skip_past(perfdb_xml *x, const char *close, const char *what)
{
	size_t n = strlen(close);
	int line = x->line, column = column_at(x, x->pos);
	while (x->pos < x->len && !at(x, close))
		adv(x, 1);
	if (x->pos >= x->len)
		return fail_mark(x, line, column, what);
	adv(x, n);
	return 0;
}

int perfdb_xml__next(perfdb_xml *x, perfdb_xml_event *ev)
{
	int err;
	memset(ev, 0, sizeof(*ev));
	x->buflen = 0;
	x->nattrs = 0;
	if (x->pending_end) {
		x->pending_end = false;
		ev->line = x->line;
		ev->column = column_at(x, x->pos);
		pop(x, ev);
		return 0;
	}
	for (;;) {
		ev->line = x->line;
		ev->column = column_at(x, x->pos);
		ev->at.pos = x->pos;
		ev->at.line = x->line;
		ev->at.line_start = x->line_start;
		if (x->pos >= x->len) {
			if (x->depth > 0) {
				char what[160];
				snprintf(what, sizeof(what),
					 "unexpected end of input: <%.100s> is not closed",
					 x->names + x->stack[x->depth - 1]);
				return fail_at(x, x->pos, what);
			}
			if (!x->seen_root)
				return fail_at(x, x->pos, "no element in the input");
			ev->type = PERFDB_XML_EOF;
			return 0;
		}
		if (x->data[x->pos] == '<') {
			if (at(x, "<?")) {
				if ((err =
					 skip_past(x, "?>", "unterminated processing instruction")))
					return err;
				continue;
			}
			if (at(x, "<!--")) {
				if ((err = skip_past(x, "-->", "unterminated comment")))
					return err;
				continue;
			}
			if (at(x, "<![CDATA[")) {
				size_t start;
				if (x->depth == 0)
					return fail_at(x, x->pos, "CDATA outside the root element");
				adv(x, 9);
				start = x->pos;
				if ((err = skip_past(x, "]]>", "unterminated CDATA section")))
					return err;
				if ((err = put(x, x->data + start, x->pos - 3 - start)))
					return err;
				ev->type = PERFDB_XML_TEXT;
				ev->name = x->buf;
				ev->depth = x->depth;
				return 0;
			}
			if (at(x, "<!"))
				return fail_at(x, x->pos,
					       "DTDs and declarations are not supported");
			if (at(x, "</"))
				return end_tag(x, ev);
			return start_tag(x, ev);
		}
		/* character data up to the next '<' */
		{
			bool blank = true;
			while (x->pos < x->len && x->data[x->pos] != '<') {
				char c = x->data[x->pos];
				if (c == '&') {
					if (x->depth == 0)
						return fail_at(x, x->pos,
							       "text outside the root element");
					if ((err = entity(x)))
						return err;
					blank = false;
					continue;
				}
				if (!space(c)) {
					if (x->depth == 0)
						return fail_at(x, x->pos,
							       "text outside the root element");
					blank = false;
				}
				if ((err = put(x, &c, 1)))
					return err;
				adv(x, 1);
			}
			if (blank) {
				x->buflen = 0;
				continue;
			}
			ev->type = PERFDB_XML_TEXT;
			ev->name = x->buf;
			ev->depth = x->depth;
			return 0;
		}
	}
}

const perfdb_xml_attr *perfdb_xml__attr(const perfdb_xml_event *ev, const char *name)
{
	size_t i;
	for (i = 0; i < ev->nattrs; i++)
		if (strcmp(ev->attrs[i].name, name) == 0)
			return &ev->attrs[i];
	return NULL;
}
