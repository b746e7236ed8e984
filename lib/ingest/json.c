/*
 * The JSON layer: jansson for parsing, plus a position index.
 *
 * jansson forgets where values were, but a reader that finds a wrong type
 * must say where. After jansson has parsed the text, a second light pass
 * walks the raw text and the tree together, in document order (jansson keeps
 * object members in insertion order, and duplicates are refused, so the i-th
 * member in the text is the i-th member of the object). Each value becomes a
 * node (position, key position, parent, key or index); a pointer hash maps a
 * json_t back to its node. true/false/null are singletons in jansson, so they
 * are reached through their parent and key instead of by pointer.
 *
 * The index is built when a position is first asked for (most files are
 * read without one), or at once when the text has bare NaN/Infinity tokens.
 *
 * Bare NaN/Infinity tokens (Google Benchmark prints them) are rewritten into
 * strings of the same length before jansson sees them, so every line and
 * column stays where it was; the walk notices the token in the original text
 * and marks the placeholder's node with the non-finite value it stood for.
 */
#include "ingest/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum special { SPECIAL_NONE = 0, SPECIAL_NAN, SPECIAL_INF, SPECIAL_NEG_INF };

typedef struct jnode {
	const json_t *v;
	const char *key; /* member name (borrowed from the tree), NULL for items and root */
	size_t index;	 /* position among the parent's children */
	int parent, first_child, next_sibling;
	int line, column;
	int key_line, key_column;
	int special;
} jnode;

struct perfdb_json_doc {
	char *name;
	json_t *root;
	/* The text, kept for building the index on first use; NULL once built.
	 * Without bare specials it is the input unchanged. */
	char *text;
	size_t len;
	size_t nspecials; /* bare NaN/Infinity tokens in the input */
	int index_error;  /* the index could not be built (out of memory) */
	jnode *nodes;
	size_t count, cap;
	int *hash; /* node index + 1, 0 empty; open addressing on the json_t pointer */
	size_t hcap;
};

typedef struct scanner {
	const unsigned char *p, *end;
	int line, column;
} scanner;

/* --- rewriting bare non-finite tokens ---------------------------------------- */

typedef struct token {
	const char *text;
	size_t len;
	int special;
} token;

static const token specials[] = {
    {"-Infinity", 9, SPECIAL_NEG_INF},
    {"Infinity", 8, SPECIAL_INF},
    {"-NaN", 4, SPECIAL_NAN},
    {"NaN", 3, SPECIAL_NAN},
};

static const token *special_at(const unsigned char *p, const unsigned char *end)
{
	size_t i;
	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if ((size_t)(end - p) >= specials[i].len &&
		    memcmp(p, specials[i].text, specials[i].len) == 0)
			return &specials[i];
	return NULL;
}

/* Outside strings, NaN -> "N", -NaN -> "-N", Infinity -> "Infini", ...: same
 * length, so jansson's error positions are positions in the original text. */
static size_t rewrite_specials(unsigned char *buf, size_t len)
{
	unsigned char *p = buf, *end = buf + len;
	size_t count = 0;
	while (p < end) {
		const token *t;
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			p++;
			continue;
		}
		if ((*p == 'N' || *p == 'I' || *p == '-') && (t = special_at(p, end))) {
			size_t i;
			for (i = t->len - 2; i > 0; i--)
				p[i] = p[i - 1];
			p[0] = '"';
			p[t->len - 1] = '"';
			p += t->len;
			count++;
			continue;
		}
		p++;
	}
	return count;
}

/* --- scanning the original text --------------------------------------------- */

static void advance(scanner *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->column = 1;
	} else if ((*s->p & 0xC0) != 0x80) {
		s->column++;
	}
	s->p++;
	/* A UTF-8 continuation byte belongs to the character just counted. */
	while (s->p < s->end && (*s->p & 0xC0) == 0x80)
		s->p++;
}

static void skip_ws(scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		advance(s);
}

static void skip_string(scanner *s)
{
	advance(s); /* opening quote */
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end)
			advance(s);
		advance(s);
	}
	if (s->p < s->end)
		advance(s);
}

static int unexpected(const perfdb_json_doc *doc, const scanner *s, const char *what)
{
	return perfdb_error__input(PERFDB_EINPUT, doc->name, s->line, s->column, NULL, "%s", what);
}

static int push_node(perfdb_json_doc *doc, const json_t *v, int parent, const char *key,
		     size_t index, int line, int column, int key_line, int key_column)
{
	jnode *n;
	if (doc->count == doc->cap) {
		size_t cap = doc->cap ? doc->cap * 2 : 256;
		jnode *nodes = realloc(doc->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return perfdb_error__oom();
		doc->nodes = nodes;
		doc->cap = cap;
	}
	if (doc->count >= INT32_MAX)
		return perfdb_error__set(PERFDB_EINPUT, "%s: too many JSON values", doc->name);
	n = &doc->nodes[doc->count];
	n->v = v;
	n->key = key;
	n->index = index;
	n->parent = parent;
	n->first_child = n->next_sibling = -1;
	n->line = line;
	n->column = column;
	n->key_line = key_line;
	n->key_column = key_column;
	n->special = SPECIAL_NONE;
	return (int)doc->count++;
}

static void link_child(perfdb_json_doc *doc, int parent, int *prev, int child)
{
	if (*prev < 0)
		doc->nodes[parent].first_child = child;
	else
		doc->nodes[*prev].next_sibling = child;
	*prev = child;
}

/* Walks the text of one value and the tree value v together; returns the
 * node index or a negative error. The text is valid JSON once the specials
 * are placeholders (jansson said so), so a mismatch can only be a special
 * token where no value may stand (a key, say). */
static int walk(perfdb_json_doc *doc, scanner *s, const json_t *v, int parent, const char *key,
		size_t index, int key_line, int key_column)
{
	const token *t;
	int self, prev = -1, child;
	size_t i = 0;

	skip_ws(s);
	if (s->p >= s->end || !v)
		return unexpected(doc, s, "unexpected end of the JSON text");
	self = push_node(doc, v, parent, key, index, s->line, s->column, key_line, key_column);
	if (self < 0)
		return self;

	switch (*s->p) {
	case '{': {
		void *it = json_object_iter((json_t *)v);
		if (!json_is_object(v))
			return unexpected(doc, s, "unexpected object");
		advance(s);
		skip_ws(s);
		if (s->p < s->end && *s->p == '}') {
			advance(s);
			return self;
		}
		for (;;) {
			int kl, kc;
			skip_ws(s);
			if (s->p >= s->end || *s->p != '"' || !it)
				return unexpected(doc, s, "expected a quoted object key");
			kl = s->line;
			kc = s->column;
			skip_string(s);
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return unexpected(doc, s, "expected ':'");
			advance(s);
			child = walk(doc, s, json_object_iter_value(it), self,
				     json_object_iter_key(it), i++, kl, kc);
			if (child < 0)
				return child;
			link_child(doc, self, &prev, child);
			it = json_object_iter_next((json_t *)v, it);
			skip_ws(s);
			if (s->p < s->end && *s->p == ',') {
				advance(s);
				continue;
			}
			if (s->p < s->end && *s->p == '}') {
				advance(s);
				break;
			}
			return unexpected(doc, s, "expected ',' or '}'");
		}
		if (it)
			return unexpected(doc, s, "object members out of step with the parser");
		return self;
	}
	case '[':
		if (!json_is_array(v))
			return unexpected(doc, s, "unexpected array");
		advance(s);
		skip_ws(s);
		if (s->p < s->end && *s->p == ']') {
			advance(s);
			return self;
		}
		for (;;) {
			child = walk(doc, s, json_array_get(v, i), self, NULL, i, 0, 0);
			if (child < 0)
				return child;
			i++;
			link_child(doc, self, &prev, child);
			skip_ws(s);
			if (s->p < s->end && *s->p == ',') {
				advance(s);
				continue;
			}
			if (s->p < s->end && *s->p == ']') {
				advance(s);
				break;
			}
			return unexpected(doc, s, "expected ',' or ']'");
		}
		if (i != json_array_size(v))
			return unexpected(doc, s, "array items out of step with the parser");
		return self;
	case '"':
		if (!json_is_string(v))
			return unexpected(doc, s, "unexpected string");
		skip_string(s);
		return self;
	default: break;
	}

	if ((t = special_at(s->p, s->end))) {
		size_t k;
		if (!json_is_string(v))
			return unexpected(doc, s, "unexpected NaN or Infinity");
		doc->nodes[self].special = t->special;
		for (k = 0; k < t->len; k++)
			advance(s);
		return self;
	}
	if (*s->p == 't' || *s->p == 'f' || *s->p == 'n') {
		if (!json_is_true(v) && !json_is_false(v) && !json_is_null(v))
			return unexpected(doc, s, "unexpected literal");
		while (s->p < s->end && *s->p >= 'a' && *s->p <= 'z')
			advance(s);
		return self;
	}
	if (!json_is_number(v))
		return unexpected(doc, s, "unexpected number");
	while (s->p < s->end && (strchr("+-.eE", *s->p) || (*s->p >= '0' && *s->p <= '9')))
		advance(s);
	return self;
}

/* --- pointer index ------------------------------------------------------------ */

static size_t hash_ptr(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

static bool shared_literal(const json_t *v)
{
	return json_is_true(v) || json_is_false(v) || json_is_null(v);
}

static int build_hash(perfdb_json_doc *doc)
{
	size_t i, cap = 16;
	while (cap < doc->count * 2)
		cap *= 2;
	doc->hash = calloc(cap, sizeof(*doc->hash));
	if (!doc->hash)
		return perfdb_error__oom();
	doc->hcap = cap;
	for (i = 0; i < doc->count; i++) {
		size_t h;
		if (shared_literal(doc->nodes[i].v))
			continue;
		h = hash_ptr(doc->nodes[i].v, cap);
		while (doc->hash[h] && doc->nodes[doc->hash[h] - 1].v != doc->nodes[i].v)
			h = (h + 1) & (cap - 1);
		if (!doc->hash[h])
			doc->hash[h] = (int)i + 1;
	}
	return 0;
}

static bool ensure_index(const perfdb_json_doc *cdoc);

/* Node index of v; 0 (the root) for NULL; -1 when v is not in doc. */
static int find(const perfdb_json_doc *doc, const json_t *v)
{
	size_t h;
	if (!ensure_index(doc))
		return -1;
	if (!v)
		return doc->count ? 0 : -1;
	if (!doc->hcap)
		return -1;
	h = hash_ptr(v, doc->hcap);
	while (doc->hash[h]) {
		if (doc->nodes[doc->hash[h] - 1].v == v)
			return doc->hash[h] - 1;
		h = (h + 1) & (doc->hcap - 1);
	}
	return -1;
}

static int find_member(const perfdb_json_doc *doc, int n, const char *key)
{
	int c;
	if (n < 0)
		return -1;
	for (c = doc->nodes[n].first_child; c >= 0; c = doc->nodes[c].next_sibling)
		if (doc->nodes[c].key && strcmp(doc->nodes[c].key, key) == 0)
			return c;
	return -1;
}

static int find_item(const perfdb_json_doc *doc, int n, size_t index)
{
	int c;
	if (n < 0)
		return -1;
	for (c = doc->nodes[n].first_child; c >= 0; c = doc->nodes[c].next_sibling)
		if (doc->nodes[c].index == index)
			return c;
	return -1;
}

static int build_index(perfdb_json_doc *doc, const char *text, size_t len)
{
	scanner s;
	int err;
	s.p = (const unsigned char *)text;
	s.end = s.p + len;
	s.line = 1;
	s.column = 1;
	if ((err = walk(doc, &s, doc->root, -1, NULL, 0, 0, 0)) < 0 || (err = build_hash(doc)))
		return err;
	return 0;
}

/* Builds the index on first use. The doc is logically const: only the index,
 * a cache of facts about the text, changes. */
static bool ensure_index(const perfdb_json_doc *cdoc)
{
	perfdb_json_doc *doc = (perfdb_json_doc *)cdoc;
	if (!doc->text)
		return !doc->index_error;
	if (build_index(doc, doc->text, doc->len)) {
		doc->index_error = 1;
		doc->count = 0;
		free(doc->hash);
		doc->hash = NULL;
		doc->hcap = 0;
	}
	free(doc->text);
	doc->text = NULL;
	return !doc->index_error;
}

/* jansson's column is that of the last character it read; 0 means it had
 * just read a newline (typically: the text ends too early). Point at that
 * newline instead: the end of the previous line, in the same column count. */
static int syntax_error(const perfdb_json_doc *doc, const char *data, size_t len,
			const json_error_t *jerr)
{
	int line = jerr->line, column = jerr->column;
	if (column <= 0 && line > 1) {
		scanner s;
		s.p = (const unsigned char *)data;
		s.end = s.p + len;
		s.line = 1;
		s.column = 1;
		while (s.p < s.end && (s.line < line - 1 || *s.p != '\n'))
			advance(&s);
		line = s.line;
		column = s.column;
	}
	return perfdb_error__input(PERFDB_EINPUT, doc->name, line, column, NULL, "invalid JSON: %s",
				   jerr->text);
}

/* --- public (library-internal) API ---------------------------------------------- */

void perfdb_json__free(perfdb_json_doc *doc)
{
	if (!doc)
		return;
	json_decref(doc->root);
	free(doc->nodes);
	free(doc->hash);
	free(doc->name);
	free(doc->text);
	free(doc);
}

int perfdb_json__load(perfdb_json_doc **out, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc;
	unsigned char *copy;
	json_error_t jerr;
	size_t i, nlen;
	int err;

	*out = NULL;
	if (!name)
		name = "";
	for (i = 0; i < len; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
			break;
	if (i == len)
		return perfdb_error__input(PERFDB_EFORMAT, name, 0, 0, NULL, "empty input");

	doc = calloc(1, sizeof(*doc));
	nlen = strlen(name) + 1;
	if (!doc || !(doc->name = malloc(nlen))) {
		free(doc);
		return perfdb_error__oom();
	}
	memcpy(doc->name, name, nlen);

	if (!(copy = malloc(len))) {
		perfdb_json__free(doc);
		return perfdb_error__oom();
	}
	memcpy(copy, data, len);
	doc->nspecials = rewrite_specials(copy, len);
	doc->root =
	    json_loadb((const char *)copy, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!doc->root) {
		free(copy);
		/* jansson reports out of memory as a parse error too. */
		if (json_error_code(&jerr) == json_error_out_of_memory)
			err = perfdb_error__oom();
		else
			err = syntax_error(doc, data, len, &jerr);
		perfdb_json__free(doc);
		return err;
	}
	if (doc->nspecials) {
		/* Placeholders must be told from real strings now, against the
		 * original text (a NaN standing as a key is an error, too). */
		free(copy);
		if ((err = build_index(doc, data, len))) {
			perfdb_json__free(doc);
			return err;
		}
	} else {
		/* The common case: positions are wanted only when something is
		 * wrong, so the index waits for its first use. */
		doc->text = (char *)copy;
		doc->len = len;
	}
	*out = doc;
	return 0;
}

json_t *perfdb_json__root(const perfdb_json_doc *doc)
{
	return doc->root;
}

const char *perfdb_json__name(const perfdb_json_doc *doc)
{
	return doc->name;
}

static int special_of(const perfdb_json_doc *doc, const json_t *v)
{
	int n;
	if (!doc->nspecials || !json_is_string(v))
		return SPECIAL_NONE;
	n = find(doc, v);
	return n >= 0 ? doc->nodes[n].special : SPECIAL_NONE;
}

bool perfdb_json__number(const perfdb_json_doc *doc, const json_t *v, double *out)
{
	if (!v)
		return false;
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return true;
	}
	switch (special_of(doc, v)) {
	case SPECIAL_NAN: *out = NAN; return true;
	case SPECIAL_INF: *out = INFINITY; return true;
	case SPECIAL_NEG_INF: *out = -INFINITY; return true;
	default: return false;
	}
}

const char *perfdb_json__type_name(const perfdb_json_doc *doc, const json_t *v)
{
	if (!v)
		return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING:
		switch (special_of(doc, v)) {
		case SPECIAL_NAN: return "NaN";
		case SPECIAL_INF: return "Infinity";
		case SPECIAL_NEG_INF: return "-Infinity";
		default: return "a string";
		}
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "a value";
}

int perfdb_json__member_number(const perfdb_json_doc *doc, const json_t *obj, const char *key,
			       bool required, double *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		*out = NAN;
		if (required)
			return perfdb_json__error(doc, obj, key, "missing (a number is required)");
		return 1;
	}
	if (!perfdb_json__number(doc, v, out))
		return perfdb_json__error(doc, obj, key, "expected a number, found %s",
					  perfdb_json__type_name(doc, v));
	return 0;
}

int perfdb_json__member_string(const perfdb_json_doc *doc, const json_t *obj, const char *key,
			       bool required, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return perfdb_json__error(doc, obj, key, "missing (a string is required)");
		return 1;
	}
	if (!json_is_string(v) || special_of(doc, v) != SPECIAL_NONE)
		return perfdb_json__error(doc, obj, key, "expected a string, found %s",
					  perfdb_json__type_name(doc, v));
	*out = json_string_value(v);
	return 0;
}

static void where_node(const perfdb_json_doc *doc, int n, int *line, int *column)
{
	*line = n >= 0 ? doc->nodes[n].line : 0;
	*column = n >= 0 ? doc->nodes[n].column : 0;
}

void perfdb_json__where(const perfdb_json_doc *doc, const json_t *node, const char *key, int *line,
			int *column)
{
	int n = find(doc, node);
	if (key) {
		int m = find_member(doc, n, key);
		if (m >= 0)
			n = m;
	}
	where_node(doc, n, line, column);
}

void perfdb_json__where_item(const perfdb_json_doc *doc, const json_t *array, size_t index,
			     int *line, int *column)
{
	int n = find(doc, array);
	int m = find_item(doc, n, index);
	where_node(doc, m >= 0 ? m : n, line, column);
}

/* Appends with truncation; *len tracks what was written. */
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...) PERFDB_PRINTF(4, 5);
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (*len + 1 >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = (*len + (size_t)n >= cap) ? cap - 1 : *len + (size_t)n;
}

static void path_of(const perfdb_json_doc *doc, int n, char *buf, size_t cap, size_t *len)
{
	const jnode *x;
	if (n < 0 || doc->nodes[n].parent < 0)
		return; /* the root has the empty path */
	x = &doc->nodes[n];
	path_of(doc, x->parent, buf, cap, len);
	if (x->key)
		put(buf, cap, len, "%s%s", *len ? "." : "", x->key);
	else
		put(buf, cap, len, "[%zu]", x->index);
}

void perfdb_json__path(const perfdb_json_doc *doc, const json_t *node, const char *key, char *buf,
		       size_t cap)
{
	size_t len = 0;
	if (!cap)
		return;
	buf[0] = '\0';
	path_of(doc, find(doc, node), buf, cap, &len);
	if (key)
		put(buf, cap, &len, "%s%s", len ? "." : "", key);
}

static int verror(const perfdb_json_doc *doc, int line, int column, const char *path,
		  const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return perfdb_error__input(PERFDB_EINPUT, doc->name, line, column, path, "%s", msg);
}

int perfdb_json__error(const perfdb_json_doc *doc, const json_t *node, const char *key,
		       const char *fmt, ...)
{
	char path[256];
	int line, column, err;
	va_list ap;
	perfdb_json__where(doc, node, key, &line, &column);
	perfdb_json__path(doc, node, key, path, sizeof(path));
	va_start(ap, fmt);
	err = verror(doc, line, column, path, fmt, ap);
	va_end(ap);
	return err;
}

int perfdb_json__error_item(const perfdb_json_doc *doc, const json_t *array, size_t index,
			    const char *fmt, ...)
{
	char path[256];
	size_t len = 0;
	int line, column, err;
	va_list ap;
	perfdb_json__where_item(doc, array, index, &line, &column);
	path[0] = '\0';
	path_of(doc, find(doc, array), path, sizeof(path), &len);
	put(path, sizeof(path), &len, "[%zu]", index);
	va_start(ap, fmt);
	err = verror(doc, line, column, path, fmt, ap);
	va_end(ap);
	return err;
}
