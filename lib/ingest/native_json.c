/*
 * perfdb native format, JSON syntax. The shared JSON layer (json.h) parses
 * and knows where every value is; the validator in native.c does the rest,
 * exactly as for YAML. Bare NaN/Infinity tokens (tolerated by the layer for
 * Google Benchmark) read as numbers here and are then refused as values.
 */
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/json_stream.h"
#include "ingest/native.h"

/* The ops' ctx: the doc, and the walk that makes the items of a packed
 * array of numbers one at a time (op_item). */
typedef struct json_ctx {
	const perfdb_json_doc *doc;
	perfdb_jitems walk;
	perfdb_json_unheld numbers; /* op_unheld's */
} json_ctx;

static perfdb_native_kind op_kind(void *ctx, const void *node)
{
	const perfdb_jnode *v = node;
	(void)ctx;
	switch ((perfdb_jtype)v->type) {
	case PERFDB_JNUMBER: return PERFDB_NATIVE_NUMBER;
	case PERFDB_JOBJECT: return PERFDB_NATIVE_MAP;
	case PERFDB_JARRAY: return PERFDB_NATIVE_SEQ;
	case PERFDB_JSTRING: return PERFDB_NATIVE_STRING;
	case PERFDB_JTRUE:
	case PERFDB_JFALSE: return PERFDB_NATIVE_BOOL;
	case PERFDB_JNULL: break;
	}
	return PERFDB_NATIVE_NULL;
}

static const char *op_text(void *ctx, const void *node)
{
	const perfdb_jnode *v = node;
	(void)ctx;
	switch ((perfdb_jtype)v->type) {
	case PERFDB_JSTRING: return v->u.str.s;
	case PERFDB_JTRUE: return "true";
	case PERFDB_JFALSE: return "false";
	default: return NULL;
	}
}

static bool op_number(void *ctx, const void *node, double *out)
{
	(void)ctx;
	return perfdb_json__number(node, out);
}

static size_t op_length(void *ctx, const void *seq)
{
	(void)ctx;
	return perfdb_json__size(seq);
}

/* A packed array's item is made in ctx's walk, valid until the next call
 * (native.h allows it): the validator asks for the items of samples in
 * order, and only for those it refuses. */
static const void *op_item(void *ctx, const void *seq, size_t i)
{
	json_ctx *c = ctx;
	const perfdb_jnode *arr = seq, *item = NULL;
	if (!arr->packed)
		return perfdb_json__item(arr, i);
	if (i >= perfdb_json__size(arr))
		return NULL;
	if (c->walk.arr != arr || c->walk.i > i)
		perfdb_jitems_init(&c->walk, arr);
	while (c->walk.i <= i)
		item = perfdb_jitems_next(&c->walk);
	return item ? item : &c->walk.item;
}

static int op_numbers(void *ctx, const void *seq, double *out)
{
	json_ctx *c = ctx;
	const perfdb_jnode *arr = seq;
	if (arr->type != PERFDB_JARRAY || !arr->packed)
		return 0;
	/* op_item's walk starts again: a streamed item's array may have the
	 * address of an earlier item's, which is gone. */
	perfdb_jitems_init(&c->walk, arr);
	perfdb_json__numbers(arr, out);
	return 1;
}

static bool op_unheld(void *ctx, const void *seq, const perfdb_resultset *rs, perfdb_unheld *src)
{
	json_ctx *c = ctx;
	size_t n;
	if (!perfdb_json__unheld(rs, seq, false, &c->numbers, &n))
		return false;
	*src = c->numbers.src;
	return true;
}

static int op_next(void *ctx, const void *map, perfdb_native_entry *e)
{
	const perfdb_jnode *obj = map;
	const perfdb_jmember *m;
	size_t next;

	(void)ctx;
	/* The cursor is the member last returned; counted as an index, since an
	 * empty object has no members array (NULL + 0 is undefined in C). */
	if (obj->type != PERFDB_JOBJECT)
		return 0;
	next = e->it ? (size_t)((const perfdb_jmember *)e->it - obj->u.obj.members) + 1 : 0;
	if (next >= obj->u.obj.count)
		return 0;
	m = &obj->u.obj.members[next];
	e->it = m;
	e->key = m->key;
	e->key_node = NULL; /* errors about a member point at its value */
	e->value = m->value;
	return 1;
}

static void op_where(void *ctx, const void *node, const void *parent, const char *key, size_t index,
		     int *line, int *column)
{
	/* Every node knows its position; a member or item is found through its
	 * parent only when the validator has no node for it. */
	const perfdb_json_doc *doc = ((const json_ctx *)ctx)->doc;
	if (node)
		perfdb_json__where(doc, node, NULL, line, column);
	else if (parent && key)
		perfdb_json__where(doc, parent, key, line, column);
	else if (parent)
		perfdb_json__where_item(doc, parent, index, line, column);
	else
		perfdb_json__where(doc, NULL, NULL, line, column);
}

static const perfdb_native_ops json_ops = {
    .kind = op_kind,
    .text = op_text,
    .number = op_number,
    .length = op_length,
    .item = op_item,
    .numbers = op_numbers,
    .unheld = op_unheld,
    .next = op_next,
    .where = op_where,
    .scalars_are_text = false,
};

int perfdb_ingest__native_json(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc;
	json_ctx ctx = {0};
	int err;

	if (!name)
		name = "<input>";
	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	ctx.doc = doc;
	err = perfdb_ingest__native(rs, &json_ops, &ctx, perfdb_json__root(doc), name, NULL);
	perfdb_json__free(doc);
	return err;
}

/* --- a file read an item at a time ----------------------------------------------- */

typedef struct each_ctx {
	int (*each)(void *vctx, const void *item, size_t index);
	void *vctx;
} each_ctx;

static int each_item(void *ctx, const perfdb_jnode *item, size_t index)
{
	const each_ctx *e = ctx;
	return e->each(e->vctx, item, index);
}

static int stream_items(void *ctx, int (*each)(void *vctx, const void *item, size_t index),
			void *vctx, size_t *count)
{
	each_ctx e = {each, vctx};
	return perfdb_json__stream_items(ctx, each_item, &e, count);
}

static int stream_fail(void *ctx, int err)
{
	return perfdb_json__stream_fail(ctx, err);
}

/* A result's members that the validator passes over ("x-", at every level):
 * not built when read an item at a time. */
static bool extension(const char *key, size_t len)
{
	return len >= 2 && key[0] == 'x' && key[1] == '-';
}

int perfdb_ingest__native_json_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	const perfdb_json_doc *doc = perfdb_json__stream_doc(stream);
	perfdb_native_stream items = {stream_items, stream_fail, stream};
	json_ctx ctx = {0};
	int err;
	ctx.doc = doc;
	perfdb_json__stream_skip(stream, extension);
	err = perfdb_ingest__native(rs, &json_ops, &ctx, perfdb_json__root(doc),
				    perfdb_json__name(doc), &items);
	/* The file is to be read whole after all, from its start: batches
	 * already written are not the run's. */
	if (err == PERFDB_JSON__FALLBACK)
		perfdb_resultset__discard(rs);
	return err;
}
