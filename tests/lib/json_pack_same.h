/*
 * A document parsed with a node an item and with every array of numbers
 * packed (lib/ingest/json_parse.h, "Packed arrays"): the same answer, value
 * for value (through every accessor: perfdb_json__numbers, perfdb_jitems,
 * perfdb_json__item_at, perfdb_json__item's nodes made on demand, the dump)
 * and error for error. Shared by test_json_pack and the json_pack fuzz
 * target; a difference is printed to stderr and answered false.
 */
#ifndef PERFDB_TESTS_JSON_PACK_SAME_H
#define PERFDB_TESTS_JSON_PACK_SAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/json.h"
#include "ingest/json_parse.h"

#define PACK_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: not so: %s\n", __FILE__, __LINE__, #cond);         \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static bool pack_same_node(const perfdb_jnode *a, const perfdb_jnode *b);

/* a and b are the same value at the same place (not looking inside). */
static bool pack_same_here(const perfdb_jnode *a, const perfdb_jnode *b)
{
	PACK_CHECK(a && b);
	PACK_CHECK(a->type == b->type);
	PACK_CHECK(a->line == b->line && a->column == b->column);
	PACK_CHECK(a->index == b->index);
	if (a->type == PERFDB_JNUMBER) {
		PACK_CHECK(a->integer == b->integer && a->nonfinite == b->nonfinite);
		PACK_CHECK(memcmp(&a->u.number, &b->u.number, sizeof(double)) == 0);
	}
	return true;
}

/* Array b (perhaps packed) has a's items, whichever way they are read. */
static bool pack_same_items(const perfdb_jnode *a, const perfdb_jnode *b)
{
	size_t i, n = perfdb_json__size(a), ka, kb;
	double *va = calloc(n + 1, sizeof(double)), *vb = calloc(n + 1, sizeof(double));
	perfdb_jitems wa, wb, walk;
	bool ok = false;
	if (!va || !vb)
		abort();
	if (perfdb_json__size(b) != n)
		goto done;
	ka = perfdb_json__numbers(a, va);
	kb = perfdb_json__numbers(b, vb);
	if (ka != kb || memcmp(va, vb, ka * sizeof(double)) != 0)
		goto done;
	perfdb_jitems_init(&wa, a);
	perfdb_jitems_init(&wb, b);
	for (i = 0; i < n; i++) {
		const perfdb_jnode *x = perfdb_jitems_next(&wa), *y = perfdb_jitems_next(&wb);
		if (x != perfdb_json__item(a, i) || !pack_same_node(x, y) || y->parent != b ||
		    !pack_same_here(x, perfdb_json__item_at(b, i, &walk)))
			goto done;
	}
	if (perfdb_jitems_next(&wa) || perfdb_jitems_next(&wb))
		goto done;
	/* the nodes made on demand, the same each time */
	for (i = 0; i < n; i++)
		if (!pack_same_here(perfdb_json__item(a, i), perfdb_json__item(b, i)) ||
		    perfdb_json__item(b, i)->parent != b)
			goto done;
	ok = (n == 0 || perfdb_json__item(b, 0) == perfdb_json__item(b, 0)) &&
	     !perfdb_json__item(b, n);
done:
	if (!ok)
		fprintf(stderr, "array at %u:%u: not the same\n", (unsigned)a->line,
			(unsigned)a->column);
	free(va);
	free(vb);
	return ok;
}

static bool pack_same_node(const perfdb_jnode *a, const perfdb_jnode *b)
{
	size_t i;
	if (!pack_same_here(a, b))
		return false;
	switch ((perfdb_jtype)a->type) {
	case PERFDB_JSTRING: PACK_CHECK(strcmp(a->u.str.s, b->u.str.s) == 0); break;
	case PERFDB_JARRAY: return pack_same_items(a, b);
	case PERFDB_JOBJECT:
		PACK_CHECK(a->u.obj.count == b->u.obj.count);
		for (i = 0; i < a->u.obj.count; i++) {
			PACK_CHECK(strcmp(a->u.obj.members[i].key, b->u.obj.members[i].key) == 0);
			if (!pack_same_node(a->u.obj.members[i].value, b->u.obj.members[i].value))
				return false;
		}
		break;
	default: break;
	}
	return true;
}

/* How many arrays under v are packed. */
static size_t packed_arrays(const perfdb_jnode *v)
{
	size_t i, n = 0;
	if (v->type == PERFDB_JARRAY && v->packed)
		return 1;
	if (v->type == PERFDB_JARRAY)
		for (i = 0; i < v->u.arr.count; i++)
			n += packed_arrays(v->u.arr.items[i]);
	if (v->type == PERFDB_JOBJECT)
		for (i = 0; i < v->u.obj.count; i++)
			n += packed_arrays(v->u.obj.members[i].value);
	return n;
}

/* len bytes of text parsed with nodes and with every array of numbers
 * packed: true when the answers are the same (*packed: the packed arrays,
 * may be NULL). The thread's threshold is the default again after. */
static bool pack_parse_both(const char *text, size_t len, size_t *packed)
{
	perfdb_jdoc *a = NULL, *b = NULL;
	perfdb_jerror ea, eb;
	int ra, rb;
	bool ok = true;
	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	perfdb_jparse__set_pack_min(SIZE_MAX);
	ra = perfdb_jdoc_parse(&a, text, len, &ea);
	perfdb_jparse__set_pack_min(1);
	rb = perfdb_jdoc_parse(&b, text, len, &eb);
	perfdb_jparse__set_pack_min(0);
	if (packed)
		*packed = 0;
	if (ra != rb) {
		fprintf(stderr, "%d with nodes, %d packed\n", ra, rb);
		ok = false;
	} else if (ra == PERFDB_JPARSE_SYNTAX) {
		if (ea.line != eb.line || ea.column != eb.column ||
		    strcmp(ea.message, eb.message) != 0) {
			fprintf(stderr, "%d:%d: %s with nodes, %d:%d: %s packed\n", ea.line,
				ea.column, ea.message, eb.line, eb.column, eb.message);
			ok = false;
		}
	} else if (ra == 0) {
		char *da = NULL, *db = NULL;
		ok = pack_same_node(perfdb_jdoc_root(a), perfdb_jdoc_root(b)) &&
		     packed_arrays(perfdb_jdoc_root(a)) == 0;
		if (ok && packed)
			*packed = packed_arrays(perfdb_jdoc_root(b));
		if (ok &&
		    (perfdb_json__dump(perfdb_jdoc_root(a), &da) != 0 ||
		     perfdb_json__dump(perfdb_jdoc_root(b), &db) != 0 || strcmp(da, db) != 0)) {
			fprintf(stderr, "dumps differ\n");
			ok = false;
		}
		free(da);
		free(db);
	}
	perfdb_jdoc_free(a);
	perfdb_jdoc_free(b);
	return ok;
}

#endif
