/*
 * The JSON layer: perfdb's parser (json_parse.c) plus what the readers need
 * around it: errors in perfdb's form, typed member reads, positions and
 * paths. Every node carries its own position and its place in its parent
 * (parent pointer and index), so nothing here scans the text again.
 */
#include "ingest/json.h"
#include "ingest/reader.h"

#include <jansson.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct perfdb_json_doc {
	perfdb_jdoc *tree;
	char name[]; /* "" when none */
};

int perfdb_json__load(perfdb_json_doc **out, const char *data, size_t len, const char *name)
{
	return perfdb_json__load_at(out, data, len, name, NULL);
}

/* The error of a parse that did not give 0, in perfdb's form. */
static int parse_error(int rc, const char *name, const perfdb_jerror *jerr)
{
	switch (rc) {
	case PERFDB_JPARSE_EMPTY:
		return perfdb_error__input(PERFDB_EINPUT, name, 0, 0, NULL, "empty input");
	case PERFDB_JPARSE_SYNTAX:
		return perfdb_error__input(PERFDB_EINPUT, name, jerr->line, jerr->column, NULL,
					   "invalid JSON: %s", jerr->message);
	case PERFDB_JPARSE_LIMIT:
		perfdb_error__input(PERFDB_EINPUT, name, jerr->line, jerr->column, NULL, "%s",
				    jerr->message);
		return PERFDB_JSON__LIMIT;
	default: return perfdb_error__oom();
	}
}

int perfdb_json__check(char *text, size_t len, const char *name)
{
	perfdb_jerror jerr;
	int rc = perfdb_jdoc_check(text, len, &jerr);
	return rc ? parse_error(rc, name ? name : "", &jerr) : 0;
}

int perfdb_json__load_at(perfdb_json_doc **out, const char *data, size_t len, const char *name,
			 const perfdb_jparse_at *at)
{
	perfdb_json_doc *doc;
	perfdb_jerror jerr;
	size_t nlen;
	int rc;

	*out = NULL;
	if (!name)
		name = "";
	nlen = strlen(name) + 1;
	if (!(doc = malloc(sizeof(*doc) + nlen)))
		return perfdb_error__oom();
	memcpy(doc->name, name, nlen);
	rc = perfdb_jdoc_parse_at(&doc->tree, data, len, at, &jerr);
	if (rc) {
		free(doc);
		return parse_error(rc, name, &jerr);
	}
	*out = doc;
	return 0;
}

int perfdb_json__load_bounded(perfdb_json_doc **out, const char *data, size_t len, const char *name,
			      size_t max_values, const char *why)
{
	perfdb_jparse_at at;
	int err;
	memset(&at, 0, sizeof(at));
	at.max_values = max_values;
	if ((err = perfdb_json__load_at(out, data, len, name, &at)) != PERFDB_JSON__LIMIT)
		return err;
	return perfdb_error__input(PERFDB_EINPUT, name ? name : "", perfdb_error_last()->line,
				   perfdb_error_last()->column, NULL, "more than %zu values (%s)",
				   max_values, why);
}

void perfdb_json__free(perfdb_json_doc *doc)
{
	if (!doc)
		return;
	perfdb_jdoc_free(doc->tree);
	free(doc);
}

const perfdb_jnode *perfdb_json__root(const perfdb_json_doc *doc)
{
	return perfdb_jdoc_root(doc->tree);
}

const char *perfdb_json__name(const perfdb_json_doc *doc)
{
	return doc->name;
}

bool perfdb_json__integer(const perfdb_jnode *v, int64_t *out)
{
	/* -2^63 is exact in a double; 2^63 is the first value that is too big. */
	if (!v || v->type != PERFDB_JNUMBER || !v->integer || v->nonfinite ||
	    !(v->u.number >= -9223372036854775808.0 && v->u.number < 9223372036854775808.0))
		return false;
	*out = (int64_t)v->u.number;
	return true;
}

const char *perfdb_json__type_name(const perfdb_jnode *v)
{
	if (!v)
		return "nothing";
	switch ((perfdb_jtype)v->type) {
	case PERFDB_JOBJECT: return "an object";
	case PERFDB_JARRAY: return "an array";
	case PERFDB_JSTRING: return "a string";
	case PERFDB_JNUMBER:
		if (v->nonfinite)
			return isnan(v->u.number) ? "NaN"
			       : v->u.number > 0  ? "Infinity"
						  : "-Infinity";
		return v->integer ? "an integer" : "a number";
	case PERFDB_JTRUE: return "true";
	case PERFDB_JFALSE: return "false";
	case PERFDB_JNULL: return "null";
	}
	return "a value";
}

int perfdb_json__value_number(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			      const perfdb_jnode *v, bool required, double *out)
{
	if (!v) {
		*out = NAN;
		if (required)
			return perfdb_json__error(doc, obj, key, "missing (a number is required)");
		return 1;
	}
	if (!perfdb_json__number(v, out))
		return perfdb_json__error(doc, v, NULL, "expected a number, found %s",
					  perfdb_json__type_name(v));
	return 0;
}

int perfdb_json__value_string(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			      const perfdb_jnode *v, bool required, const char **out)
{
	*out = NULL;
	if (!v) {
		if (required)
			return perfdb_json__error(doc, obj, key, "missing (a string is required)");
		return 1;
	}
	if (v->type != PERFDB_JSTRING)
		return perfdb_json__error(doc, v, NULL, "expected a string, found %s",
					  perfdb_json__type_name(v));
	*out = v->u.str.s;
	return 0;
}

int perfdb_json__member_number(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			       bool required, double *out)
{
	return perfdb_json__value_number(doc, obj, key, perfdb_jnode_get(obj, key), required, out);
}

int perfdb_json__member_string(const perfdb_json_doc *doc, const perfdb_jnode *obj, const char *key,
			       bool required, const char **out)
{
	return perfdb_json__value_string(doc, obj, key, perfdb_jnode_get(obj, key), required, out);
}

/* --- writing ---------------------------------------------------------------------- */

static json_t *to_jansson(const perfdb_jnode *v)
{
	json_t *j = NULL, *child;
	size_t i;
	int64_t k;

	switch ((perfdb_jtype)v->type) {
	case PERFDB_JNULL: return json_null();
	case PERFDB_JTRUE: return json_true();
	case PERFDB_JFALSE: return json_false();
	case PERFDB_JSTRING: return json_stringn(v->u.str.s, v->u.str.len);
	case PERFDB_JNUMBER:
		if (v->nonfinite)
			return json_null();
		if (perfdb_json__integer(v, &k))
			return json_integer((json_int_t)k);
		return json_real(v->u.number);
	case PERFDB_JARRAY: {
		perfdb_jitems it;
		const perfdb_jnode *item;
		if (!(j = json_array()))
			return NULL;
		perfdb_jitems_init(&it, v);
		while ((item = perfdb_jitems_next(&it)))
			if (!(child = to_jansson(item)) || json_array_append_new(j, child))
				goto fail;
		return j;
	}
	case PERFDB_JOBJECT:
		if (!(j = json_object()))
			return NULL;
		for (i = 0; i < v->u.obj.count; i++) {
			const perfdb_jmember *m = &v->u.obj.members[i];
			if (!(child = to_jansson(m->value)) ||
			    json_object_set_new(j, m->key, child))
				goto fail;
		}
		return j;
	}
	return NULL;
fail:
	json_decref(j);
	return NULL;
}

int perfdb_json__dump(const perfdb_jnode *v, char **out)
{
	json_t *j = to_jansson(v);
	*out = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(j);
	return *out ? 0 : perfdb_error__oom();
}

/* --- positions and paths ------------------------------------------------------------ */

static const perfdb_jnode *node_or_root(const perfdb_json_doc *doc, const perfdb_jnode *node)
{
	return node ? node : perfdb_json__root(doc);
}

void perfdb_json__where(const perfdb_json_doc *doc, const perfdb_jnode *node, const char *key,
			int *line, int *column)
{
	const perfdb_jnode *n = node_or_root(doc, node), *m;
	if (key && (m = perfdb_jnode_get(n, key)))
		n = m;
	*line = (int)n->line;
	*column = (int)n->column;
}

int perfdb_json__placed(int err, const perfdb_json_doc *doc, const perfdb_jnode *node,
			const char *key)
{
	int line, column;
	perfdb_json__where(doc, node, key, &line, &column);
	return perfdb_ingest__placed(err, perfdb_json__name(doc), line, column);
}

void perfdb_json__where_item(const perfdb_json_doc *doc, const perfdb_jnode *array, size_t index,
			     int *line, int *column)
{
	const perfdb_jnode *n = node_or_root(doc, array), *item;
	perfdb_jitems walk;
	if ((item = perfdb_json__item_at(n, index, &walk)))
		n = item;
	*line = (int)n->line;
	*column = (int)n->column;
}

const perfdb_jnode *perfdb_json__item_at(const perfdb_jnode *arr, size_t i, perfdb_jitems *walk)
{
	const perfdb_jnode *item = NULL;
	if (!perfdb_json__is_array(arr) || i >= arr->u.arr.count)
		return NULL;
	if (!arr->packed)
		return arr->u.arr.items[i];
	perfdb_jitems_init(walk, arr);
	while (walk->i <= i)
		item = perfdb_jitems_next(walk);
	return item;
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

/* The path of n from its parent chain: a member's key from the parent's
 * member array at n->index, an item's index itself. */
static void path_of(const perfdb_jnode *n, char *buf, size_t cap, size_t *len)
{
	const perfdb_jnode *p = n->parent;
	if (!p)
		return; /* the root has the empty path */
	path_of(p, buf, cap, len);
	if (p->type == PERFDB_JOBJECT)
		put(buf, cap, len, "%s%s", *len ? "." : "", p->u.obj.members[n->index].key);
	else
		put(buf, cap, len, "[%u]", (unsigned)n->index);
}

void perfdb_json__path(const perfdb_json_doc *doc, const perfdb_jnode *node, const char *key,
		       char *buf, size_t cap)
{
	size_t len = 0;
	if (!cap)
		return;
	buf[0] = '\0';
	path_of(node_or_root(doc, node), buf, cap, &len);
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

int perfdb_json__root_array(const perfdb_jnode **out, const perfdb_json_doc *doc, const char *key,
			    const char *what)
{
	const perfdb_jnode *root = perfdb_json__root(doc), *list;
	*out = NULL;
	if (!perfdb_json__is_object(root))
		return perfdb_json__error(doc, NULL, NULL,
					  "expected an object with \"%s\", found %s", key,
					  perfdb_json__type_name(root));
	list = perfdb_json__get(root, key);
	if (!list)
		return perfdb_json__error(doc, NULL, key, "missing (%s)", what);
	if (!perfdb_json__is_array(list))
		return perfdb_json__error(doc, list, NULL, "expected an array, found %s",
					  perfdb_json__type_name(list));
	*out = list;
	return 0;
}

int perfdb_json__error(const perfdb_json_doc *doc, const perfdb_jnode *node, const char *key,
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

int perfdb_json__error_item(const perfdb_json_doc *doc, const perfdb_jnode *array, size_t index,
			    const char *fmt, ...)
{
	char path[256];
	size_t len = 0;
	int line, column, err;
	va_list ap;
	perfdb_json__where_item(doc, array, index, &line, &column);
	path[0] = '\0';
	path_of(node_or_root(doc, array), path, sizeof(path), &len);
	put(path, sizeof(path), &len, "[%zu]", index);
	va_start(ap, fmt);
	err = verror(doc, line, column, path, fmt, ap);
	va_end(ap);
	return err;
}

static int append(char **buf, size_t *cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 1 > *cap) {
		size_t want = (*len + n + 1) * 2;
		char *p = realloc(*buf, want);
		if (!p)
			return perfdb_error__oom();
		*buf = p;
		*cap = want;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp((*(const perfdb_jmember *const *)a)->key,
		      (*(const perfdb_jmember *const *)b)->key);
}

int perfdb_json__name_with_params(const perfdb_json_doc *doc, const perfdb_jnode *params,
				  const char *base, bool numbers, char **buf, size_t *cap)
{
	const perfdb_jmember **list;
	size_t n, i, len = 0;
	int err;

	if ((err = append(buf, cap, &len, base)))
		return err;
	if (!params || perfdb_json__is_null(params))
		return 0;
	if (!perfdb_json__is_object(params))
		return perfdb_json__error(doc, params, NULL, "expected an object, found %s",
					  perfdb_json__type_name(params));
	if ((n = perfdb_json__size(params)) == 0)
		return 0;
	if (!(list = malloc(n * sizeof(*list))))
		return perfdb_error__oom();
	for (i = 0; i < n; i++)
		list[i] = perfdb_json__member_at(params, i);
	qsort(list, n, sizeof(*list), cmp_member);
	err = append(buf, cap, &len, " [");
	for (i = 0; !err && i < n; i++) {
		const perfdb_jnode *v = list[i]->value;
		char num[64];
		const char *text;
		int64_t k;
		if (v->type == PERFDB_JSTRING) {
			text = v->u.str.s;
		} else if (numbers && perfdb_json__integer(v, &k)) {
			snprintf(num, sizeof(num), "%" PRId64, k);
			text = num;
		} else if (numbers && v->type == PERFDB_JNUMBER && !v->nonfinite) {
			snprintf(num, sizeof(num), "%.17g", v->u.number);
			text = num;
		} else {
			err = perfdb_json__error(doc, v, NULL, "expected a string, found %s",
						 perfdb_json__type_name(v));
			break;
		}
		if ((i && (err = append(buf, cap, &len, ","))) ||
		    (err = append(buf, cap, &len, list[i]->key)) ||
		    (err = append(buf, cap, &len, "=")) || (err = append(buf, cap, &len, text)))
			break;
	}
	if (!err)
		err = append(buf, cap, &len, "]");
	free(list);
	return err;
}

static size_t read_numbers(void *ctx, double *out, size_t cap)
{
	perfdb_json_unheld *u = ctx;
	size_t got;
	if (!u->outer)
		return perfdb_jnumbers_read(&u->it, out, cap);
	/* an inner array at its end starts again by itself: on to the next */
	while (!(got = perfdb_jnumbers_read(&u->it, out, cap))) {
		if (u->next == u->outer->u.arr.count) {
			u->next = 1;
			perfdb_jnumbers_init(&u->it, perfdb_jnode_item(u->outer, 0));
			return 0;
		}
		perfdb_jnumbers_init(&u->it, perfdb_jnode_item(u->outer, u->next++));
	}
	return got;
}

static bool is_packed(const perfdb_jnode *arr)
{
	return arr && arr->type == PERFDB_JARRAY && arr->packed;
}

bool perfdb_json__unheld(const perfdb_resultset *rs, const perfdb_jnode *arr, bool nested,
			 perfdb_json_unheld *u, size_t *n)
{
	size_t i, total = 0;
	if (!nested) {
		if (!is_packed(arr) || !perfdb_resultset__unheld_ok(rs, arr->u.arr.count))
			return false;
		u->outer = NULL;
		perfdb_jnumbers_init(&u->it, arr);
		total = arr->u.arr.count;
	} else {
		if (!arr || arr->type != PERFDB_JARRAY || arr->packed || !arr->u.arr.count)
			return false;
		for (i = 0; i < arr->u.arr.count; i++) {
			const perfdb_jnode *in = perfdb_jnode_item(arr, i);
			if (!is_packed(in))
				return false;
			total += in->u.arr.count;
		}
		if (!perfdb_resultset__unheld_ok(rs, total))
			return false;
		u->outer = arr;
		u->next = 1;
		perfdb_jnumbers_init(&u->it, perfdb_jnode_item(arr, 0));
	}
	u->src.read = read_numbers;
	u->src.ctx = u;
	*n = total;
	return true;
}
