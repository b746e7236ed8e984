/*
 * YAML documents from libyaml's event stream, with a nesting limit and
 * bounded aliases. See yaml_load.h for why yaml_parser_load is not used.
 */
#include "ingest/yaml_load.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
#include "util/error.h"

/* Aliases may expand the tree, but to no more than this many nodes beyond
 * four times the nodes written: enough for any real file's `*defaults`, far
 * from the 10^9 nodes nine nested aliases of ten make. */
#define EXPANSION_ALLOWANCE 1000000u

/* The nodes of the cut sequence's items that hold an anchor, kept (cut_item). */
#define KEPT_NODES 100000u

/* The nodes held at once when the items of the cut sequence are read one at
 * a time: the rest of the document, kept items and the item being read. A
 * node takes 100-200 bytes and may be written in 2, so a run's tags or an
 * item of millions of values would otherwise hold 50 times the file; a real
 * file holds a few hundred (packed numbers are not nodes). */
#define HELD_NODES 250000u

/* A node among a packed sequence's numbers: its id in the low 32 bits of a
 * signalling NaN, which no number() gives (a number of these bits is kept
 * as a node). */
#define NODE_BITS 0xfff4000000000000ull
#define NODE_MASK 0xffffffff00000000ull

typedef struct frame {
	int node;      /* the open collection */
	int key;       /* a mapping's key waiting for its value, 0 when none */
	char *anchor;  /* registered when the collection ends */
	size_t size;   /* nodes in the subtree, aliases expanded */
	int height;    /* levels of collections below and including this one */
	size_t seq;    /* a packed sequence: 1 + its index in pack->seqs; else 0 */
	bool anchored; /* it or a collection holding it has an anchor */
	/* A packed sequence before its first item: its record, made (seq set)
	 * only when an item comes, so that an empty one costs none. */
	bool pending;
	perfdb_yaml_seq opened;
	/* cut->items_only: the first node of the child being read (an item,
	 * or a key and its value), whether it holds an anchor, and whether a
	 * child that did was kept */
	int child_first;
	bool child_kept, kept;
} frame;

typedef struct anchor {
	char *name; /* NULL: an empty slot */
	uint64_t hash;
	int node;
	size_t size;
	int height;
} anchor;

typedef struct loader {
	yaml_document_t *doc;
	const char *name;
	frame stack[PERFDB_YAML_MAX_DEPTH];
	int depth;
	anchor *anchors; /* open addressing, a power of two */
	size_t cap, count;
	size_t nodes, expanded;
	/* perfdb_ingest__yaml_load_cut: the items of the top-level mapping's
	 * sequence cut_key, handed to each (may be NULL) and dropped */
	perfdb_yaml_cut *cut;
	int cut_node;		   /* that sequence, once open; 0 before */
	int item_first;		   /* the first node of the item being read; 0 between items */
	size_t items;		   /* items read */
	bool item_kept;		   /* the item being read holds an anchor: it stays in doc */
	size_t kept;		   /* the nodes of such items */
	bool fallback;		   /* an alias to the cut sequence, or a second such sequence */
	perfdb_yaml_packing *pack; /* NULL: every item a node */
} loader;

static int syntax_error(const yaml_parser_t *p, const char *name)
{
	if (p->error == YAML_MEMORY_ERROR)
		return perfdb_error__oom();
	if (p->context)
		return perfdb_error__input(PERFDB_EINPUT, name, (int)p->problem_mark.line + 1,
					   (int)p->problem_mark.column + 1, NULL,
					   "invalid YAML: %s %s (line %d)",
					   p->problem ? p->problem : "syntax error", p->context,
					   (int)p->context_mark.line + 1);
	return perfdb_error__input(PERFDB_EINPUT, name, (int)p->problem_mark.line + 1,
				   (int)p->problem_mark.column + 1, NULL, "invalid YAML: %s",
				   p->problem ? p->problem : "syntax error");
}

static int fail_at(const loader *l, yaml_mark_t m, const char *what, const char *arg)
{
	return perfdb_error__input(PERFDB_EINPUT, l->name, (int)m.line + 1, (int)m.column + 1, NULL,
				   what, arg);
}

static uint64_t hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static anchor *anchor_slot(anchor *table, size_t cap, const char *name, uint64_t h)
{
	size_t j;
	for (j = h & (cap - 1); table[j].name; j = (j + 1) & (cap - 1))
		if (table[j].hash == h && strcmp(table[j].name, name) == 0)
			break;
	return &table[j];
}

/* Registers (or redefines: the latest wins, as in YAML) an anchor; takes name. */
static int anchor_set(loader *l, char *name, int node, size_t size, int height)
{
	uint64_t h = hash_name(name);
	anchor *a;
	if ((l->count + 1) * 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16, i;
		anchor *t = calloc(cap, sizeof(*t));
		if (!t) {
			free(name);
			return perfdb_error__oom();
		}
		for (i = 0; i < l->cap; i++)
			if (l->anchors[i].name)
				*anchor_slot(t, cap, l->anchors[i].name, l->anchors[i].hash) =
				    l->anchors[i];
		free(l->anchors);
		l->anchors = t;
		l->cap = cap;
	}
	a = anchor_slot(l->anchors, l->cap, name, h);
	if (a->name)
		free(a->name);
	else
		l->count++;
	a->name = name;
	a->hash = h;
	a->node = node;
	a->size = size;
	a->height = height;
	return 0;
}

static const anchor *anchor_find(const loader *l, const char *name)
{
	const anchor *a;
	if (!l->cap)
		return NULL;
	a = anchor_slot(l->anchors, l->cap, name, hash_name(name));
	return a->name ? a : NULL;
}

static char *take_anchor(yaml_char_t **anchor_text)
{
	char *a = (char *)*anchor_text;
	*anchor_text = NULL; /* yaml_event_delete must not free it now */
	return a;
}

/* An event's scalar text, for a node of the document (which frees it). */
static yaml_char_t *take_text(yaml_char_t **text)
{
	yaml_char_t *t = *text;
	*text = NULL; /* yaml_event_delete must not free it now */
	return t;
}

/* --- nodes ------------------------------------------------------------------- */

static const yaml_char_t *tag_of(yaml_char_t *tag)
{
	/* The non-specific "!" takes the default tag, as yaml_parser_load does. */
	return tag && strcmp((const char *)tag, "!") != 0 ? tag : NULL;
}

/*
 * The loader writes its nodes itself rather than by yaml_document_add_*,
 * which copy every node's tag (the default one too: 32 bytes a node) and
 * give every collection room for 16 items at once (64 or 128 bytes), so
 * that a file of 240,000 `[]` held 77 MB a pass. A node with the default
 * tag has none (NULL: yaml_document_delete frees nothing), any other takes
 * the event's; a collection's items are allocated as they come and sized
 * exactly when it ends; the document's nodes too, at the end of the load.
 */
static int add_node(loader *l, yaml_node_type_t type, yaml_char_t **tag, const yaml_event_t *ev,
		    int *id)
{
	yaml_document_t *doc = l->doc;
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start),
	       cap = (size_t)(doc->nodes.end - doc->nodes.start);
	yaml_node_t *node;
	int err;

	if (n >= INT_MAX - 1)
		return perfdb_error__oom(); /* ids are ints */
	if ((err = perfdb_ingest__grow((void **)&doc->nodes.start, &cap, n + 1,
				       sizeof(*doc->nodes.start))))
		return err;
	doc->nodes.top = doc->nodes.start + n;
	doc->nodes.end = doc->nodes.start + cap;
	node = doc->nodes.top++;
	memset(node, 0, sizeof(*node));
	node->type = type;
	node->tag = tag_of(*tag) ? take_text(tag) : NULL;
	node->start_mark = ev->start_mark;
	node->end_mark = ev->end_mark;
	*id = (int)n + 1;
	return 0;
}

/* Appends item (a node's id) to the sequence node seq. */
static int append_item(loader *l, int seq, int item)
{
	yaml_node_t *s = &l->doc->nodes.start[seq - 1];
	size_t n = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start),
	       cap = (size_t)(s->data.sequence.items.end - s->data.sequence.items.start);
	int err;
	if ((err = perfdb_ingest__grow((void **)&s->data.sequence.items.start, &cap, n + 1,
				       sizeof(*s->data.sequence.items.start))))
		return err;
	s->data.sequence.items.top = s->data.sequence.items.start + n;
	s->data.sequence.items.end = s->data.sequence.items.start + cap;
	*s->data.sequence.items.top++ = item;
	return 0;
}

/* Appends the pair key: value to the mapping node map. */
static int append_pair(loader *l, int map, int key, int value)
{
	yaml_node_t *m = &l->doc->nodes.start[map - 1];
	size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start),
	       cap = (size_t)(m->data.mapping.pairs.end - m->data.mapping.pairs.start);
	int err;
	if ((err = perfdb_ingest__grow((void **)&m->data.mapping.pairs.start, &cap, n + 1,
				       sizeof(*m->data.mapping.pairs.start))))
		return err;
	m->data.mapping.pairs.top = m->data.mapping.pairs.start + n;
	m->data.mapping.pairs.end = m->data.mapping.pairs.start + cap;
	m->data.mapping.pairs.top->key = key;
	m->data.mapping.pairs.top->value = value;
	m->data.mapping.pairs.top++;
	return 0;
}

/* Gives back the spare room of an array of `size`-byte entries, n of them
 * in use (of *cap); an empty one is freed. A shrink: it cannot fail but
 * may, and then keeps its room. */
static void *fit(void *start, size_t n, size_t *cap, size_t size)
{
	void *t;
	if (n == *cap)
		return start;
	if (!n) {
		free(start);
		*cap = 0;
		return NULL;
	}
	if (!(t = realloc(start, n * size)))
		return start;
	*cap = n;
	return t;
}

/* A collection node is complete: its items sized exactly. An empty one
 * has none (NULL, and no arithmetic on it). */
static void fit_node(yaml_node_t *node)
{
	size_t n, cap;
	if (node->type == YAML_SEQUENCE_NODE && node->data.sequence.items.start) {
		yaml_node_item_t *start = node->data.sequence.items.start;
		n = (size_t)(node->data.sequence.items.top - start);
		cap = (size_t)(node->data.sequence.items.end - start);
		start = fit(start, n, &cap, sizeof(*start));
		node->data.sequence.items.start = start;
		node->data.sequence.items.top = start ? start + n : NULL;
		node->data.sequence.items.end = start ? start + cap : NULL;
	} else if (node->type == YAML_MAPPING_NODE && node->data.mapping.pairs.start) {
		yaml_node_pair_t *start = node->data.mapping.pairs.start;
		n = (size_t)(node->data.mapping.pairs.top - start);
		cap = (size_t)(node->data.mapping.pairs.end - start);
		start = fit(start, n, &cap, sizeof(*start));
		node->data.mapping.pairs.start = start;
		node->data.mapping.pairs.top = start ? start + n : NULL;
		node->data.mapping.pairs.end = start ? start + cap : NULL;
	}
}

/* --- packed sequences --------------------------------------------------------- */

perfdb_yaml_seq *perfdb_ingest__yaml_packed(perfdb_yaml_packing *p, int node)
{
	size_t lo = 0, hi = p ? p->count : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->seqs[mid].node == node)
			return &p->seqs[mid];
		if (p->seqs[mid].node < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int perfdb_ingest__yaml_seq_item(const perfdb_yaml_seq *s, size_t i, double *value)
{
	uint64_t bits = s->items[i];
	if ((bits & NODE_MASK) == NODE_BITS)
		return (int)(bits & ~NODE_MASK);
	memcpy(value, &bits, sizeof(*value));
	return 0;
}

/* What perfdb_ingest__yaml_seq_take copies before it gives the room back. */
#define TAKE_CHUNK ((size_t)1 << 17)

void perfdb_ingest__yaml_seq_take(perfdb_yaml_seq *s, double *out)
{
	size_t n = s->length;
	while (n > TAKE_CHUNK) {
		uint64_t *t;
		n -= TAKE_CHUNK;
		memcpy(out + n, s->items + n, TAKE_CHUNK * sizeof(*out));
		if ((t = realloc(s->items, n * sizeof(*t))))
			s->items = t; /* a shrink: it cannot fail but may */
	}
	if (n)
		memcpy(out, s->items, n * sizeof(*out));
	free(s->items);
	s->items = NULL;
	s->cap = 0;
	s->taken = true;
}

void perfdb_ingest__yaml_packing_release(perfdb_yaml_packing *p)
{
	size_t i;
	for (i = 0; i < p->count; i++)
		free(p->seqs[i].items);
	free(p->seqs);
	p->seqs = NULL;
	p->count = p->cap = 0;
}

static int seq_push(perfdb_yaml_seq *s, uint64_t bits)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)&s->items, &s->cap, s->length + 1,
				       sizeof(*s->items))))
		return err;
	s->items[s->length++] = bits;
	return 0;
}

/* A sequence node just added from the event ev, whose frame is f: packed,
 * unless it is the cut one (its items are handed on) or nothing is packed.
 * Its record is made at its first item (seq_record): the records stay in
 * the order of their nodes, as no node after it can have one before. */
static void seq_open(loader *l, int id, const yaml_event_t *ev, frame *f)
{
	perfdb_yaml_packing *p = l->pack;
	perfdb_yaml_seq *s = &f->opened;
	bool anchored = f->anchored;
	f->pending = p && id != l->cut_node;
	if (!f->pending)
		return;
	memset(s, 0, sizeof(*s));
	s->node = id;
	s->shared = anchored;
	/* Its text alone, read again, must give the same items: a tag handle
	 * may be the document's (%TAG), an anchor may be aliased. */
	s->spannable =
	    p->span_from && !anchored && !ev->data.sequence_start.tag &&
	    !l->doc->nodes.start[id - 1].tag && /* the node took it */
	    p->locate(p->locate_ctx, ev->start_mark.index, &s->place_byte, &s->place_char);
	s->start = ev->start_mark.index;
	s->column = ev->start_mark.column;
	s->flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
}

/* The first item of f's sequence comes: its record is made. */
static int seq_record(loader *l, frame *f)
{
	perfdb_yaml_packing *p = l->pack;
	int err;
	if ((err = perfdb_ingest__grow((void **)&p->seqs, &p->cap, p->count + 1, sizeof(*p->seqs))))
		return err;
	p->seqs[p->count] = f->opened;
	f->seq = ++p->count;
	f->pending = false;
	return 0;
}

/* The sequence is complete (ev its end): give back its spare room. */
static void seq_close(loader *l, size_t seq, const yaml_event_t *ev)
{
	perfdb_yaml_seq *s = &l->pack->seqs[seq - 1];
	uint64_t *t;
	s->end = ev->end_mark.index;
	/* spanned, or only counted (pack_number): no numbers to fit */
	if (s->spanned || !s->items || s->cap == s->length)
		return;
	if (!s->length) {
		free(s->items);
		s->items = NULL;
		s->cap = 0;
	} else if ((t = realloc(s->items, s->length * sizeof(*t)))) {
		s->items = t;
		s->cap = s->length;
	}
}

/* The numbers packed in the sequences of the nodes from first on (they come
 * last). */
static size_t packed_from(const loader *l, int first)
{
	size_t n = 0, i;
	for (i = l->pack ? l->pack->count : 0; i > 0 && l->pack->seqs[i - 1].node >= first; i--)
		n += l->pack->seqs[i - 1].length - l->pack->seqs[i - 1].nodes;
	return n;
}

/* The node ids from first to the last in doc, freed (what yaml_document_delete
 * frees of each) and taken off, with their packed sequences: an item of the
 * cut sequence once read. */
static void drop_nodes(loader *l, int first)
{
	yaml_document_t *doc = l->doc;
	while (l->pack && l->pack->count && l->pack->seqs[l->pack->count - 1].node >= first)
		free(l->pack->seqs[--l->pack->count].items);
	while (doc->nodes.top > doc->nodes.start + first - 1) {
		yaml_node_t *n = --doc->nodes.top;
		free(n->tag);
		if (n->type == YAML_SCALAR_NODE)
			free(n->data.scalar.value);
		else if (n->type == YAML_SEQUENCE_NODE)
			free(n->data.sequence.items.start);
		else if (n->type == YAML_MAPPING_NODE)
			free(n->data.mapping.pairs.start);
	}
}

/* Whether a node added now is an item of the cut sequence (depth: the
 * frames open, the sequence's included). */
static bool in_cut(const loader *l)
{
	return l->cut_node && l->depth == 2 && l->stack[1].node == l->cut_node;
}

/* A sequence opening at depth 1 (l->depth before its frame is pushed) as
 * the value of the top-level key cut->key: the one whose items are cut. */
static void find_cut(loader *l, int id)
{
	const yaml_node_t *key;
	if (!l->cut || l->depth != 1 || !l->stack[0].key ||
	    l->doc->nodes.start[l->stack[0].node - 1].type != YAML_MAPPING_NODE)
		return;
	key = &l->doc->nodes.start[l->stack[0].key - 1];
	if (key->type != YAML_SCALAR_NODE ||
	    strcmp((const char *)key->data.scalar.value, l->cut->key) != 0)
		return;
	if (l->cut_node)
		l->fallback = true; /* the key twice: the validator names it, read whole */
	l->cut_node = id;
}

/* Whether a node added now is inside an item of the cut sequence, or is one. */
static bool in_item(const loader *l)
{
	return l->cut_node && l->depth >= 2 && l->stack[1].node == l->cut_node;
}

/* An item of the cut sequence is read: handed on, then dropped, unless an
 * alias may still name a node of it (it holds an anchor) or it is an alias
 * itself (its nodes are another's). Such items stay, up to KEPT_NODES nodes:
 * a file that anchors every item would otherwise be held whole again. */
static int cut_item(loader *l, int id)
{
	yaml_mark_t mark = yaml_document_get_node(l->doc, id)->start_mark;
	int err = 0;
	if (l->cut->each)
		err =
		    l->cut->each(l->cut->ctx, l->doc, yaml_document_get_node(l->doc, id), l->items);
	l->items++;
	if (l->item_first && !l->item_kept)
		drop_nodes(l, l->item_first);
	else if (l->item_first)
		l->kept += (size_t)(l->doc->nodes.top - l->doc->nodes.start) + 1 -
			   (size_t)l->item_first + packed_from(l, l->item_first);
	l->item_first = 0;
	l->item_kept = false;
	if (!err && l->kept > KEPT_NODES)
		err = perfdb_error__input(PERFDB_EINPUT, l->name, (int)mark.line + 1,
					  (int)mark.column + 1, NULL,
					  "the anchored items of '%s' hold more than 100,000 nodes "
					  "(anchor what items share outside '%s')",
					  l->cut->key, l->cut->key);
	return err;
}

/* A child of the open collection f is read, outside the cut sequence
 * (cut->items_only): no alias can reach f (nor any collection around it)
 * nor read its items, so the child is not added to it, and its nodes are
 * dropped unless it holds an anchor (the aliases after may name them).
 * Not for the cut sequence, a mapping's key (dropped with its value), or
 * in an anchored collection (an alias may name it whole). Returns whether
 * the child was so taken. */
static bool drop_child(loader *l, frame *f, int id)
{
	bool seq = l->doc->nodes.start[f->node - 1].type == YAML_SEQUENCE_NODE;
	if (!l->cut || !l->cut->items_only || in_item(l) || f->anchored || id == l->cut_node ||
	    (!seq && !f->key))
		return false;
	if (f->child_kept)
		f->kept = true;
	else
		drop_nodes(l, f->child_first);
	f->key = 0;
	return true;
}

/* Counts a finished node (or an alias to one, or a packed number) into the
 * open collection. */
static int count_child(loader *l, size_t size, int height, size_t added, yaml_mark_t mark)
{
	frame *f;

	/* added: the nodes new to the expanded tree (a collection's children
	 * were counted as they ended, an alias brings its whole subtree). */
	l->expanded += added;
	if (l->expanded > EXPANSION_ALLOWANCE + 4 * l->nodes)
		return fail_at(l, mark, "%s",
			       "aliases expand the document to too many nodes (more than "
			       "1,000,000 beyond four times those written)");
	if (!l->depth)
		return 0; /* the root: the first node added, which the document knows */
	f = &l->stack[l->depth - 1];
	f->size += size;
	if (height + 1 > f->height)
		f->height = height + 1;
	return 0;
}

/* Adds a finished node (or an alias to one) to the open collection. */
static int add_child(loader *l, int id, size_t size, int height, size_t added, yaml_mark_t mark)
{
	frame *f;
	int err;

	if ((err = count_child(l, size, height, added, mark)) || !l->depth)
		return err;
	f = &l->stack[l->depth - 1];
	if (in_cut(l))
		return cut_item(l, id);
	if (drop_child(l, f, id))
		return 0;
	if (f->seq) {
		perfdb_yaml_seq *s = &l->pack->seqs[f->seq - 1];
		if (s->spanned)
			return PERFDB_YAML__HOLD; /* its numbers are gone */
		if ((err = seq_push(s, NODE_BITS | (uint64_t)id)))
			return err;
		s->nodes++;
		s->spannable = false;
		return 0;
	}
	if (l->doc->nodes.start[f->node - 1].type == YAML_SEQUENCE_NODE)
		return append_item(l, f->node, id);
	if (!f->key) {
		f->key = id;
		return 0;
	}
	err = append_pair(l, f->node, f->key, id);
	f->key = 0;
	return err;
}

/* The style a scalar node is given: an explicit !!str on a plain scalar
 * makes it a string as a quoted one is (`!!str 5` is "5", not 5), since the
 * node's tag cannot tell it from the default one. */
static yaml_scalar_style_t scalar_style(const yaml_event_t *ev)
{
	const yaml_char_t *tag = tag_of(ev->data.scalar.tag);
	if (tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    strcmp((const char *)tag, YAML_STR_TAG) == 0)
		return YAML_SINGLE_QUOTED_SCALAR_STYLE;
	return ev->data.scalar.style;
}

bool perfdb_ingest__yaml_packable_plain(const perfdb_yaml_packing *p, const char *plain,
					double *out)
{
	uint64_t bits;
	if (!p->number(plain, out))
		return false;
	memcpy(&bits, out, sizeof(bits));
	return (bits & NODE_MASK) != NODE_BITS;
}

bool perfdb_ingest__yaml_packable(const perfdb_yaml_packing *p, const yaml_event_t *ev, double *out)
{
	/* What native_yaml.c reads as a number from a node: a plain scalar
	 * whose tag is the default one (see tag_of). */
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       !tag_of(ev->data.scalar.tag) && !ev->data.scalar.anchor &&
	       perfdb_ingest__yaml_packable_plain(p, (const char *)ev->data.scalar.value, out);
}

/* A scalar event kept as a number in the open packed sequence: 1, else 0
 * (it is to be a node), or an error. */
static int pack_number(loader *l, const yaml_event_t *ev)
{
	const frame *f = l->depth ? &l->stack[l->depth - 1] : NULL;
	perfdb_yaml_seq *s;
	uint64_t bits;
	double d;
	int err;

	if (!f || !f->seq || !perfdb_ingest__yaml_packable(l->pack, ev, &d))
		return 0;
	l->nodes++;
	if ((err = count_child(l, 1, 0, 1, ev->start_mark)))
		return err;
	s = &l->pack->seqs[f->seq - 1];
	/* spanned, or no alias can reach it (drop_child): only counted */
	if (s->spanned || (l->cut && l->cut->items_only && !in_item(l) && !f->anchored)) {
		s->length++;
		return 1;
	}
	memcpy(&bits, &d, sizeof(bits));
	if ((err = seq_push(s, bits)))
		return err;
	if (s->spannable && s->length == l->pack->span_from) {
		/* From now on only counted: its text is read again. */
		free(s->items);
		s->items = NULL;
		s->cap = 0;
		s->spanned = true;
	}
	return 1;
}

/* After a node was added: refused when the document reading an item at a
 * time, numbers packed, holds more than HELD_NODES (the way without packing
 * is only the tests' reference). */
static int check_held(const loader *l, yaml_mark_t mark)
{
	if (!l->cut || !l->pack || (size_t)(l->doc->nodes.top - l->doc->nodes.start) <= HELD_NODES)
		return 0;
	return perfdb_error__input(PERFDB_EINPUT, l->name, (int)mark.line + 1, (int)mark.column + 1,
				   NULL,
				   "more than 250,000 values held at once (the document besides "
				   "the items of '%s', and the item being read)",
				   l->cut->key);
}

/* One event inside the document. */
static int on_node(loader *l, yaml_event_t *ev)
{
	bool anchored = (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.anchor) ||
			(ev->type == YAML_SEQUENCE_START_EVENT && ev->data.sequence_start.anchor) ||
			(ev->type == YAML_MAPPING_START_EVENT && ev->data.mapping_start.anchor);
	int id, err;

	/* An item with an anchor is kept (cut_item): an alias can name no node
	 * of a dropped item. */
	if (in_item(l) && anchored)
		l->item_kept = true;
	if (l->depth && (ev->type == YAML_SCALAR_EVENT || ev->type == YAML_SEQUENCE_START_EVENT ||
			 ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_ALIAS_EVENT)) {
		/* A child of the open collection: where it starts (drop_child),
		 * and a packed sequence's first item makes its record. */
		frame *f = &l->stack[l->depth - 1];
		if (!f->key) {
			f->child_first = (int)(l->doc->nodes.top - l->doc->nodes.start) + 1;
			f->child_kept = false;
		}
		if (anchored)
			f->child_kept = true;
		if (f->pending && (err = seq_record(l, f)))
			return err;
	}

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.length > INT_MAX)
			return fail_at(l, ev->start_mark, "%s", "a scalar longer than 2 GiB");
		/* "a\0b" would be read as the C string "a": another name */
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
			return fail_at(l, ev->start_mark, "%s",
				       "a NUL character (\\0) in a scalar");
		if ((err = pack_number(l, ev)))
			return err < 0 ? err : 0;
		{
			/* the node takes the event's text, not a copy of it: a
			 * scalar of 100 MB was held twice */
			yaml_scalar_style_t style = scalar_style(ev); /* before the tag is taken */
			yaml_node_t *n;
			if ((err = add_node(l, YAML_SCALAR_NODE, &ev->data.scalar.tag, ev, &id)))
				return err;
			n = yaml_document_get_node(l->doc, id);
			n->data.scalar.value = take_text(&ev->data.scalar.value);
			n->data.scalar.length = ev->data.scalar.length;
			n->data.scalar.style = style;
		}
		l->nodes++;
		if ((err = check_held(l, ev->start_mark)))
			return err;
		if (in_cut(l))
			l->item_first = id;
		if (ev->data.scalar.anchor &&
		    (err = anchor_set(l, take_anchor(&ev->data.scalar.anchor), id, 1, 0)))
			return err;
		return add_child(l, id, 1, 0, 1, ev->start_mark);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		frame *f;
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		if (l->depth >= PERFDB_YAML_MAX_DEPTH)
			return fail_at(l, ev->start_mark, "%s",
				       "nesting too deep (more than 512 levels)");
		if ((err =
			 add_node(l, seq ? YAML_SEQUENCE_NODE : YAML_MAPPING_NODE,
				  seq ? &ev->data.sequence_start.tag : &ev->data.mapping_start.tag,
				  ev, &id)))
			return err;
		if (seq)
			l->doc->nodes.start[id - 1].data.sequence.style =
			    ev->data.sequence_start.style;
		else
			l->doc->nodes.start[id - 1].data.mapping.style =
			    ev->data.mapping_start.style;
		l->nodes++;
		if ((err = check_held(l, ev->start_mark)))
			return err;
		if (in_cut(l))
			l->item_first = id;
		if (seq)
			find_cut(l, id);
		f = &l->stack[l->depth];
		f->anchor = take_anchor(seq ? &ev->data.sequence_start.anchor
					    : &ev->data.mapping_start.anchor);
		f->anchored = f->anchor || (l->depth && l->stack[l->depth - 1].anchored);
		f->pending = f->kept = false;
		if (seq)
			seq_open(l, id, ev, f);
		l->depth++;
		f->seq = 0;
		f->node = id;
		f->key = 0;
		f->size = 1;
		f->height = 1;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		frame f = l->stack[--l->depth];
		if (l->depth && (f.anchor || f.kept))
			l->stack[l->depth - 1].child_kept = true;
		l->doc->nodes.start[f.node - 1].end_mark = ev->end_mark;
		fit_node(&l->doc->nodes.start[f.node - 1]);
		if (f.seq)
			seq_close(l, f.seq, ev);
		/* Registered only now: an alias inside cannot reach its ancestor. */
		if (f.anchor && (err = anchor_set(l, f.anchor, f.node, f.size, f.height)))
			return err;
		return add_child(l, f.node, f.size, f.height, 1, ev->start_mark);
	}
	case YAML_ALIAS_EVENT: {
		const anchor *a = anchor_find(l, (const char *)ev->data.alias.anchor);
		if (!a)
			return fail_at(l, ev->start_mark,
				       "alias '*%s' names no anchor before it (or one that "
				       "contains the alias)",
				       (const char *)ev->data.alias.anchor);
		if (l->cut_node && a->node == l->cut_node) {
			l->fallback = true; /* the sequence whose items are gone */
			return 0;
		}
		if (l->depth + a->height > PERFDB_YAML_MAX_DEPTH)
			return fail_at(l, ev->start_mark, "%s",
				       "nesting too deep (more than 512 levels)");
		return add_child(l, a->node, a->size, a->height, a->size, ev->start_mark);
	}
	default: return 0;
	}
}

/* A load is complete: the document's nodes, and the records of its packed
 * sequences, sized exactly. The nodes of the items cut and dropped left
 * their room, which the first pass of native_yaml.c would otherwise hold
 * on while the second reads them again. */
static void fit_document(yaml_document_t *doc, perfdb_yaml_packing *pack)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start),
	       cap = (size_t)(doc->nodes.end - doc->nodes.start);
	if (n) {
		doc->nodes.start = fit(doc->nodes.start, n, &cap, sizeof(*doc->nodes.start));
		doc->nodes.top = doc->nodes.start + n;
		doc->nodes.end = doc->nodes.start + cap;
	}
	if (pack && pack->count)
		pack->seqs = fit(pack->seqs, pack->count, &pack->cap, sizeof(*pack->seqs));
}

static void loader_release(loader *l)
{
	size_t i;
	int d;
	for (i = 0; i < l->cap; i++)
		free(l->anchors[i].name);
	free(l->anchors);
	for (d = 0; d < l->depth; d++)
		free(l->stack[d].anchor);
}

static int load(yaml_document_t *doc, yaml_parser_t *parser, const char *name, const char *one_what,
		perfdb_yaml_cut *cut, perfdb_yaml_packing *pack)
{
	loader *l;
	yaml_event_t ev;
	int err = 0, docs = 0;
	bool done = false;

	/* The frames take 12 KiB: not on the stack of a library call. */
	if (!(l = calloc(1, sizeof(*l))))
		return perfdb_error__oom();
	l->doc = doc;
	l->name = name;
	l->cut = cut;
	l->pack = pack;
	if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1)) {
		free(l);
		return perfdb_error__oom();
	}
	while (!done && !err && !l->fallback) {
		if (!yaml_parser_parse(parser, &ev)) {
			err = syntax_error(parser, name);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT: done = true; break;
		case YAML_DOCUMENT_START_EVENT:
			if (docs++ == 0)
				break;
			/* Name the second document's first node, as a reader sees it. */
			yaml_event_delete(&ev);
			if (!yaml_parser_parse(parser, &ev)) {
				err = syntax_error(parser, name);
				continue;
			}
			err = perfdb_error__input(PERFDB_EINPUT, name, (int)ev.start_mark.line + 1,
						  (int)ev.start_mark.column + 1, NULL,
						  "a second YAML document: one file holds one %s",
						  one_what);
			break;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT: break;
		default: err = on_node(l, &ev); break;
		}
		yaml_event_delete(&ev);
	}
	if (cut) {
		cut->items = l->items;
		cut->found = l->cut_node != 0;
		if (!err && l->fallback)
			err = PERFDB_YAML__FALLBACK;
	}
	loader_release(l);
	free(l);
	if (!err)
		fit_document(doc, pack);
	if (err) {
		yaml_document_delete(doc);
		if (pack)
			perfdb_ingest__yaml_packing_release(pack);
	}
	return err;
}

int perfdb_ingest__yaml_load(yaml_document_t *doc, yaml_parser_t *parser, const char *name,
			     const char *one_what)
{
	return load(doc, parser, name, one_what, NULL, NULL);
}

int perfdb_ingest__yaml_load_cut(yaml_document_t *doc, yaml_parser_t *parser, const char *name,
				 const char *one_what, perfdb_yaml_cut *cut,
				 perfdb_yaml_packing *pack)
{
	if (cut) {
		cut->items = 0;
		cut->found = false;
	}
	return load(doc, parser, name, one_what, cut, pack);
}

int perfdb_ingest__yaml_find_item(yaml_parser_t *parser, const yaml_node_t *seq, size_t index,
				  yaml_mark_t *mark, char **text)
{
	yaml_event_t ev;
	int depth = -1, rc = 1; /* depth -1: before the sequence; 0: among its items */
	size_t i = 0;

	*text = NULL;
	while (rc == 1 && depth >= -1 && yaml_parser_parse(parser, &ev)) {
		bool opens =
		    ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
		bool node = opens || ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT;
		if (ev.type == YAML_STREAM_END_EVENT) {
			depth = -2;
		} else if (depth < 0) {
			/* a node's start mark is its event's */
			if (ev.type == YAML_SEQUENCE_START_EVENT &&
			    ev.start_mark.index == seq->start_mark.index)
				depth = 0;
		} else if (depth == 0 && node && i++ == index) {
			*mark = ev.start_mark;
			rc = 0;
			if (ev.type == YAML_SCALAR_EVENT) {
				if ((*text = malloc(ev.data.scalar.length + 1)))
					memcpy(*text, ev.data.scalar.value,
					       ev.data.scalar.length + 1);
				else
					rc = perfdb_error__oom();
			}
		} else if (opens) {
			depth++;
		} else if (ev.type == YAML_SEQUENCE_END_EVENT ||
			   ev.type == YAML_MAPPING_END_EVENT) {
			depth = depth ? depth - 1 : -2; /* -2: the sequence ended */
		}
		yaml_event_delete(&ev);
	}
	return rc;
}
