/*
 * perfdb native format, JSON syntax. The shared JSON layer (json.h) parses
 * and knows where every value is; the validator in native.c does the rest,
 * exactly as for YAML. Bare NaN/Infinity tokens (tolerated by the layer for
 * Google Benchmark) read as numbers here and are then refused as values.
 */
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/native.h"

static perfdb_native_kind op_kind(void *ctx, const void *node)
{
	const json_t *v = node;
	double d;

	if (perfdb_json__number(ctx, v, &d))
		return PERFDB_NATIVE_NUMBER;
	switch (json_typeof(v)) {
	case JSON_OBJECT: return PERFDB_NATIVE_MAP;
	case JSON_ARRAY: return PERFDB_NATIVE_SEQ;
	case JSON_STRING: return PERFDB_NATIVE_STRING;
	case JSON_TRUE:
	case JSON_FALSE: return PERFDB_NATIVE_BOOL;
	default: return PERFDB_NATIVE_NULL;
	}
}

static const char *op_text(void *ctx, const void *node)
{
	const json_t *v = node;
	double d;

	if (perfdb_json__number(ctx, v, &d))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	return NULL;
}

static bool op_number(void *ctx, const void *node, double *out)
{
	return perfdb_json__number(ctx, node, out);
}

static size_t op_length(void *ctx, const void *seq)
{
	(void)ctx;
	return json_array_size(seq);
}

static const void *op_item(void *ctx, const void *seq, size_t i)
{
	(void)ctx;
	return json_array_get(seq, i);
}

static int op_next(void *ctx, const void *map, perfdb_native_entry *e)
{
	/* jansson's iterators do not modify the object; its API is not const. */
	json_t *obj = (json_t *)map;
	void *it = e->it ? json_object_iter_next(obj, (void *)e->it) : json_object_iter(obj);

	(void)ctx;
	if (!it)
		return 0;
	e->it = it;
	e->key = json_object_iter_key(it);
	e->key_node = NULL;
	e->value = json_object_iter_value(it);
	return 1;
}

static void op_where(void *ctx, const void *node, const void *parent, const char *key, size_t index,
		     int *line, int *column)
{
	/* true/false/null are shared jansson singletons with no position of
	 * their own: locate a member through its parent whenever there is one. */
	if (parent && key)
		perfdb_json__where(ctx, parent, key, line, column);
	else if (parent)
		perfdb_json__where_item(ctx, parent, index, line, column);
	else
		perfdb_json__where(ctx, node, NULL, line, column);
}

static const perfdb_native_ops json_ops = {
    op_kind, op_text, op_number, op_length, op_item, op_next, op_where, false,
};

int perfdb_ingest__native_json(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc;
	int err;

	if (!name)
		name = "<input>";
	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	err = perfdb_ingest__native(rs, &json_ops, doc, perfdb_json__root(doc), name);
	perfdb_json__free(doc);
	return err;
}
