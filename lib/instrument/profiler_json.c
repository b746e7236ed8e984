/*
 * The profiler snapshot as JSON. A file of its own so that a program which
 * never dumps JSON does not pull jansson in from the static library.
 */
#include "instrument/profiler_snapshot.h"

#include <jansson.h>
#include <stdlib.h>

#include "util/error.h"

/* json_integer is signed: figures beyond INT64_MAX (never reached by real
 * times or counts) are clamped rather than wrapped. */
static json_t *u64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static int set(json_t *obj, const char *key, json_t *value)
{
	return value && json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

static json_t *metrics_json(const perfdb_profiler_metrics *m)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (set(o, "name", json_string(m->name)) || set(o, "calls", u64(m->calls)) ||
	    set(o, "errors", u64(m->errors)) || set(o, "slow", u64(m->slow)) ||
	    set(o, "total_ns", u64(m->total_ns)) || set(o, "self_ns", u64(m->self_ns)) ||
	    set(o, "min_ns", u64(m->min_ns)) || set(o, "max_ns", u64(m->max_ns)) ||
	    set(o, "mean_ns", json_real(m->mean_ns)) ||
	    set(o, "stddev_ns", json_real(m->stddev_ns)) || set(o, "p50_ns", u64(m->p50_ns)) ||
	    set(o, "p90_ns", u64(m->p90_ns)) || set(o, "p95_ns", u64(m->p95_ns)) ||
	    set(o, "p99_ns", u64(m->p99_ns)) || set(o, "p999_ns", u64(m->p999_ns))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *nodes_json(const perfdb_profiler_node *nodes, size_t n)
{
	json_t *a = json_array();
	size_t i;
	if (!a)
		return NULL;
	for (i = 0; i < n; i++) {
		const perfdb_profiler_node *nd = &nodes[i];
		json_t *o = json_object();
		if (!o || set(o, "name", json_string(nd->name)) ||
		    set(o, "parent", nd->parent == SIZE_MAX ? json_null() : u64(nd->parent)) ||
		    set(o, "depth", u64(nd->depth)) || set(o, "calls", u64(nd->calls)) ||
		    set(o, "inclusive_ns", u64(nd->inclusive_ns)) ||
		    set(o, "self_ns", u64(nd->self_ns)) || json_array_append_new(a, o)) {
			json_decref(o);
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int perfdb_profiler_snapshot_json(char **out, const perfdb_profiler_snapshot *s)
{
	const perfdb_profiler_summary *sum;
	json_t *root, *summary, *metrics;
	size_t i;
	int bad;

	if (out)
		*out = NULL;
	if (!out || !s)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_profiler_snapshot_json: NULL argument");
	sum = &s->summary;
	root = json_object();
	summary = json_object();
	metrics = json_array();
	bad = !root || !summary || !metrics;
	for (i = 0; !bad && i < s->count; i++) {
		json_t *m = metrics_json(s->list[i]);
		bad = !m || json_array_append_new(metrics, m) != 0;
	}
	bad = bad || set(summary, "calls", u64(sum->calls)) ||
	      set(summary, "errors", u64(sum->errors)) || set(summary, "slow", u64(sum->slow)) ||
	      set(summary, "total_ns", u64(sum->total_ns)) ||
	      set(summary, "names", u64(sum->names)) ||
	      set(summary, "threads", u64(sum->threads)) ||
	      set(summary, "dropped", u64(sum->dropped)) ||
	      set(summary, "unbalanced", u64(sum->unbalanced));
	if (!bad) {
		bad = set(root, "clock", json_string(s->clock)) || set(root, "summary", summary);
		summary = NULL;
		bad = bad || set(root, "metrics", metrics);
		metrics = NULL;
		bad = bad || set(root, "tree", nodes_json(s->tree, s->ntree)) ||
		      set(root, "tree_truncated", json_boolean(s->tree_truncated)) ||
		      set(root, "critical_path", nodes_json(s->path, s->npath));
	}
	if (!bad)
		*out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	json_decref(summary);
	json_decref(metrics);
	return *out ? 0 : perfdb_error__oom();
}
