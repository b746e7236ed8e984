/*
 * Reading a profiler: merge every thread's shard once into a snapshot, then
 * answer queries (one name, all, top N, summary, call tree, critical path)
 * from the snapshot, so that they are cheap and agree with each other.
 */
#include "instrument/profiler_snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

struct stat_name {
	const char *name;
	perfdb_profiler_stat stat;
};

static const struct stat_name stat_names[] = {
    {"calls", PERFDB_PROFILER_STAT_CALLS}, {"errors", PERFDB_PROFILER_STAT_ERRORS},
    {"slow", PERFDB_PROFILER_STAT_SLOW},   {"total", PERFDB_PROFILER_STAT_TOTAL},
    {"self", PERFDB_PROFILER_STAT_SELF},   {"mean", PERFDB_PROFILER_STAT_MEAN},
    {"max", PERFDB_PROFILER_STAT_MAX},	   {"p50", PERFDB_PROFILER_STAT_P50},
    {"p90", PERFDB_PROFILER_STAT_P90},	   {"p95", PERFDB_PROFILER_STAT_P95},
    {"p99", PERFDB_PROFILER_STAT_P99},	   {"p999", PERFDB_PROFILER_STAT_P999},
};

int perfdb_profiler_stat_parse(perfdb_profiler_stat *out, const char *text)
{
	size_t i;
	for (i = 0; text && i < sizeof(stat_names) / sizeof(stat_names[0]); i++) {
		if (strcmp(stat_names[i].name, text) == 0) {
			*out = stat_names[i].stat;
			return 0;
		}
	}
	return perfdb_error__set(PERFDB_EINVAL,
				 "unknown statistic '%s' (calls, errors, slow, total, self, mean, "
				 "max, p50, p90, p95, p99, p999)",
				 text ? text : "");
}

/* ---- merging ---------------------------------------------------------------- */

static int push_edge(perfdb_profiler_snapshot *s, const struct snap_edge *e)
{
	if (s->nedges == s->edges_cap) {
		size_t cap = s->edges_cap ? s->edges_cap * 2 : 64;
		struct snap_edge *edges = realloc(s->edges, cap * sizeof(*edges));
		if (!edges)
			return perfdb_error__oom();
		s->edges = edges;
		s->edges_cap = cap;
	}
	s->edges[s->nedges++] = *e;
	return 0;
}

/* Merges name `id` of every shard into s; under p->lock. */
static int merge_name(perfdb_profiler_snapshot *s, const perfdb_profiler *p, uint32_t id,
		      perfdb_histogram *h)
{
	struct prof_shard *sh;
	perfdb_profiler_metrics *m = &s->by_id[id];
	size_t first_edge = s->nedges, k;
	int rc;

	perfdb_histogram_init(h);
	for (sh = __atomic_load_n(&p->shards, __ATOMIC_ACQUIRE); sh; sh = sh->next) {
		const struct prof_slot *slot = __atomic_load_n(&sh->slots[id], __ATOMIC_ACQUIRE);
		const struct prof_edge *e;
		if (!slot)
			continue;
		perfdb_histogram_merge(h, &slot->hist);
		m->errors += slot->errors;
		m->slow += slot->slow;
		m->total_ns += slot->total_ns;
		m->self_ns += slot->self_ns;
		for (e = __atomic_load_n(&slot->edges, __ATOMIC_ACQUIRE); e; e = e->next) {
			struct snap_edge ne;
			if (e->calls == 0)
				continue;
			for (k = first_edge; k < s->nedges; k++)
				if (s->edges[k].parent == e->parent)
					break;
			if (k < s->nedges) {
				s->edges[k].calls += e->calls;
				s->edges[k].inclusive_ns += e->inclusive_ns;
				s->edges[k].self_ns += e->self_ns;
				continue;
			}
			ne.parent = e->parent;
			ne.child = id;
			ne.calls = e->calls;
			ne.inclusive_ns = e->inclusive_ns;
			ne.self_ns = e->self_ns;
			rc = push_edge(s, &ne);
			if (rc)
				return rc;
		}
	}
	m->calls = h->count;
	if (h->count) {
		m->min_ns = h->min;
		m->max_ns = h->max;
		m->mean_ns = perfdb_histogram_mean(h);
		m->stddev_ns = perfdb_histogram_stddev(h);
		m->p50_ns = perfdb_histogram_quantile(h, 0.5);
		m->p90_ns = perfdb_histogram_quantile(h, 0.9);
		m->p95_ns = perfdb_histogram_quantile(h, 0.95);
		m->p99_ns = perfdb_histogram_quantile(h, 0.99);
		m->p999_ns = perfdb_histogram_quantile(h, 0.999);
	}
	return 0;
}

static int merge(perfdb_profiler_snapshot *s, const perfdb_profiler *p)
{
	struct prof_shard *sh;
	perfdb_histogram *h;
	uint32_t id;
	int rc = 0;

	s->nnames = p->nnames;
	if (s->nnames) {
		s->names = calloc(s->nnames, sizeof(*s->names));
		s->by_id = calloc(s->nnames, sizeof(*s->by_id));
		s->list = calloc(s->nnames, sizeof(*s->list));
		if (!s->names || !s->by_id || !s->list)
			return perfdb_error__oom();
	}
	h = malloc(sizeof(*h));
	if (!h)
		return perfdb_error__oom();
	for (id = 0; id < s->nnames && rc == 0; id++) {
		s->names[id] = strdup(p->names[id]);
		if (!s->names[id]) {
			rc = perfdb_error__oom();
			break;
		}
		s->by_id[id].name = s->names[id];
		rc = merge_name(s, p, id, h);
	}
	free(h);
	if (rc)
		return rc;
	s->summary.names = s->nnames;
	for (sh = __atomic_load_n(&p->shards, __ATOMIC_ACQUIRE); sh; sh = sh->next) {
		s->summary.threads++;
		s->summary.dropped += sh->dropped;
		s->summary.unbalanced += sh->unbalanced;
	}
	for (id = 0; id < s->nnames; id++) {
		const perfdb_profiler_metrics *m = &s->by_id[id];
		if (m->calls == 0)
			continue;
		s->list[s->count++] = m;
		s->summary.calls += m->calls;
		s->summary.errors += m->errors;
		s->summary.slow += m->slow;
		s->summary.total_ns += m->self_ns;
	}
	return 0;
}

/* ---- tree and critical path --------------------------------------------------- */

/* Edges grouped by parent (roots first), children by inclusive time
 * descending, ties by name, so every walk below is deterministic. qsort has
 * no context argument; the names come through this pointer, set only while
 * the snapshot's own qsort runs (callers serialise on nothing else, so it is
 * thread-local). */
static __thread const perfdb_profiler_snapshot *sort_snapshot;

static int cmp_edge(const void *a, const void *b)
{
	const struct snap_edge *x = a, *y = b;
	uint64_t px = x->parent == PROF_NO_PARENT ? 0 : (uint64_t)x->parent + 1;
	uint64_t py = y->parent == PROF_NO_PARENT ? 0 : (uint64_t)y->parent + 1;
	if (px != py)
		return px < py ? -1 : 1;
	if (x->inclusive_ns != y->inclusive_ns)
		return x->inclusive_ns > y->inclusive_ns ? -1 : 1;
	return strcmp(sort_snapshot->names[x->child], sort_snapshot->names[y->child]);
}

static int push_node(perfdb_profiler_node **nodes, size_t *n, size_t *cap,
		     const perfdb_profiler_snapshot *s, const struct snap_edge *e, size_t parent,
		     unsigned depth)
{
	perfdb_profiler_node *node;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		perfdb_profiler_node *grown = realloc(*nodes, ncap * sizeof(*grown));
		if (!grown)
			return perfdb_error__oom();
		*nodes = grown;
		*cap = ncap;
	}
	node = &(*nodes)[(*n)++];
	node->name = s->names[e->child];
	node->parent = parent;
	node->depth = depth;
	node->calls = e->calls;
	node->inclusive_ns = e->inclusive_ns;
	node->self_ns = e->self_ns;
	return 0;
}

struct walk {
	uint32_t id; /* the name whose children are being listed */
	size_t next; /* next edge index among them */
	size_t end;
	size_t node; /* the node of `id` */
};

/* Depth-first, iteratively: a chain of distinct names may be as long as the
 * name limit. */
static int build_tree(perfdb_profiler_snapshot *s, bool *on_path)
{
	struct walk *stack;
	size_t depth, cap = 0;
	int rc = 0;

	stack = malloc((s->nnames + 1) * sizeof(*stack));
	if (!stack)
		return perfdb_error__oom();
	stack[0].id = PROF_NO_PARENT;
	stack[0].next = s->roots_begin;
	stack[0].end = s->roots_end;
	stack[0].node = SIZE_MAX;
	depth = 1;
	while (depth && rc == 0) {
		struct walk *w = &stack[depth - 1];
		const struct snap_edge *e;
		if (w->next >= w->end) {
			if (w->id != PROF_NO_PARENT)
				on_path[w->id] = false;
			depth--;
			continue;
		}
		e = &s->edges[w->next++];
		if (s->ntree >= PERFDB_PROFILER_TREE_MAX_NODES) {
			s->tree_truncated = true;
			break;
		}
		rc = push_node(&s->tree, &s->ntree, &cap, s, e, w->node, (unsigned)(depth - 1));
		if (rc || on_path[e->child])
			continue; /* recursion: shown, not expanded */
		on_path[e->child] = true;
		stack[depth].id = e->child;
		stack[depth].next = s->child_begin[e->child];
		stack[depth].end = s->child_end[e->child];
		stack[depth].node = s->ntree - 1;
		depth++;
	}
	free(stack);
	memset(on_path, 0, s->nnames * sizeof(*on_path));
	return rc;
}

static int build_critical_path(perfdb_profiler_snapshot *s, bool *on_path, uint32_t *ids)
{
	size_t r, cap = 0, k, nids;
	int rc = 0;

	for (r = s->roots_begin; r < s->roots_end && rc == 0; r++) {
		const struct snap_edge *e = &s->edges[r];
		size_t parent = SIZE_MAX;
		unsigned depth = 0;
		nids = 0;
		for (;;) {
			const struct snap_edge *best = NULL;
			rc = push_node(&s->path, &s->npath, &cap, s, e, parent, depth);
			if (rc)
				break;
			on_path[e->child] = true;
			ids[nids++] = e->child;
			parent = s->npath - 1;
			depth++;
			/* Children are sorted: the first one not already on the path
			 * is the largest. A recursive call folds into the frame of
			 * the same name that is on the path. */
			for (k = s->child_begin[e->child]; k < s->child_end[e->child]; k++) {
				if (!on_path[s->edges[k].child]) {
					best = &s->edges[k];
					break;
				}
			}
			if (!best)
				break;
			e = best;
		}
		for (k = 0; k < nids; k++)
			on_path[ids[k]] = false;
	}
	return rc;
}

static int build_graph(perfdb_profiler_snapshot *s)
{
	bool *on_path = NULL;
	uint32_t *ids = NULL;
	size_t i;
	int rc = 0;

	s->child_begin = calloc(s->nnames + 1, sizeof(*s->child_begin));
	s->child_end = calloc(s->nnames + 1, sizeof(*s->child_end));
	on_path = calloc(s->nnames + 1, sizeof(*on_path));
	ids = calloc(s->nnames + 1, sizeof(*ids));
	if (!s->child_begin || !s->child_end || !on_path || !ids) {
		rc = perfdb_error__oom();
		goto out;
	}
	sort_snapshot = s;
	if (s->nedges)
		qsort(s->edges, s->nedges, sizeof(*s->edges), cmp_edge);
	sort_snapshot = NULL;
	/* Sorted by parent with the roots first: find each parent's range. */
	for (i = 0; i < s->nedges; i++) {
		uint32_t pa = s->edges[i].parent;
		if (pa == PROF_NO_PARENT) {
			s->roots_end = i + 1;
			continue;
		}
		if (s->child_end[pa] == 0)
			s->child_begin[pa] = i;
		s->child_end[pa] = i + 1;
	}
	rc = build_tree(s, on_path);
	if (rc == 0)
		rc = build_critical_path(s, on_path, ids);
out:
	free(on_path);
	free(ids);
	return rc;
}

/* ---- the snapshot --------------------------------------------------------------- */

int perfdb_profiler_snapshot_new(perfdb_profiler_snapshot **out, const perfdb_profiler *cp)
{
	perfdb_profiler *p = cp ? (perfdb_profiler *)cp : perfdb_profiler_global();
	perfdb_profiler_snapshot *s;
	int rc;

	if (!out)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_profiler_snapshot_new: out is NULL");
	*out = NULL;
	if (!p)
		return perfdb_error__set(PERFDB_EINVAL, "no global profiler");
	s = calloc(1, sizeof(*s));
	if (!s)
		return perfdb_error__oom();
	s->clock = perfdb_profiler_clock_name(p);
	pthread_mutex_lock(&p->lock);
	rc = merge(s, p);
	pthread_mutex_unlock(&p->lock);
	if (rc == 0)
		rc = build_graph(s);
	if (rc) {
		perfdb_profiler_snapshot_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void perfdb_profiler_snapshot_free(perfdb_profiler_snapshot *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; s->names && i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	free(s->by_id);
	free(s->list);
	free(s->edges);
	free(s->child_begin);
	free(s->child_end);
	free(s->tree);
	free(s->path);
	free(s);
}

size_t perfdb_profiler_snapshot_count(const perfdb_profiler_snapshot *s)
{
	return s ? s->count : 0;
}

const perfdb_profiler_metrics *perfdb_profiler_snapshot_get(const perfdb_profiler_snapshot *s,
							    size_t i)
{
	return s && i < s->count ? s->list[i] : NULL;
}

const perfdb_profiler_metrics *perfdb_profiler_snapshot_find(const perfdb_profiler_snapshot *s,
							     const char *name)
{
	size_t i;
	if (!s || !name)
		return NULL;
	for (i = 0; i < s->count; i++)
		if (strcmp(s->list[i]->name, name) == 0)
			return s->list[i];
	return NULL;
}

const perfdb_profiler_summary *perfdb_profiler_snapshot_summary(const perfdb_profiler_snapshot *s)
{
	static const perfdb_profiler_summary none;
	return s ? &s->summary : &none;
}

/* The value a statistic sorts by; integers fit a double exactly up to 2^53 ns. */
static double stat_value(const perfdb_profiler_metrics *m, perfdb_profiler_stat by)
{
	switch (by) {
	case PERFDB_PROFILER_STAT_CALLS: return (double)m->calls;
	case PERFDB_PROFILER_STAT_ERRORS: return (double)m->errors;
	case PERFDB_PROFILER_STAT_SLOW: return (double)m->slow;
	case PERFDB_PROFILER_STAT_TOTAL: return (double)m->total_ns;
	case PERFDB_PROFILER_STAT_SELF: return (double)m->self_ns;
	case PERFDB_PROFILER_STAT_MEAN: return m->mean_ns;
	case PERFDB_PROFILER_STAT_MAX: return (double)m->max_ns;
	case PERFDB_PROFILER_STAT_P50: return (double)m->p50_ns;
	case PERFDB_PROFILER_STAT_P90: return (double)m->p90_ns;
	case PERFDB_PROFILER_STAT_P95: return (double)m->p95_ns;
	case PERFDB_PROFILER_STAT_P99: return (double)m->p99_ns;
	case PERFDB_PROFILER_STAT_P999: return (double)m->p999_ns;
	}
	return 0.0;
}

/* True when a ranks before b. */
static bool ranks_before(const perfdb_profiler_metrics *a, const perfdb_profiler_metrics *b,
			 perfdb_profiler_stat by)
{
	double va = stat_value(a, by), vb = stat_value(b, by);
	if (va != vb)
		return va > vb;
	return strcmp(a->name, b->name) < 0;
}

size_t perfdb_profiler_snapshot_top(const perfdb_profiler_metrics **out, size_t n,
				    const perfdb_profiler_snapshot *s, perfdb_profiler_stat by)
{
	size_t i, k, len = 0;
	if (!s || !out)
		return 0;
	/* Insertion into a sorted prefix of length <= n: O(count * n), no
	 * allocation; n is a "top N", small. */
	for (i = 0; i < s->count; i++) {
		const perfdb_profiler_metrics *m = s->list[i];
		if (len == n && (n == 0 || !ranks_before(m, out[n - 1], by)))
			continue;
		k = len < n ? len++ : n - 1;
		while (k > 0 && ranks_before(m, out[k - 1], by)) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = m;
	}
	return len;
}

void perfdb_profiler_snapshot_tree(const perfdb_profiler_snapshot *s,
				   const perfdb_profiler_node **nodes, size_t *count,
				   bool *truncated)
{
	*nodes = s ? s->tree : NULL;
	*count = s ? s->ntree : 0;
	if (truncated)
		*truncated = s && s->tree_truncated;
}

void perfdb_profiler_snapshot_critical_path(const perfdb_profiler_snapshot *s,
					    const perfdb_profiler_node **nodes, size_t *count)
{
	*nodes = s ? s->path : NULL;
	*count = s ? s->npath : 0;
}
