/*
 * The profiler: lifecycle, name registry, per-thread shards and the hot path.
 *
 * The hot path (perfdb_profiler_begin/end) touches only memory of the calling
 * thread: its shard is found through a thread-local cache keyed by the
 * profiler's serial, and the name id comes from the call site's static. Locks
 * are taken only on first use: of a site (name lookup), of a profiler by a
 * thread (shard registration). Allocation happens only on the first use of a
 * name or a (parent, child) pair by a thread.
 */
#include "instrument/profiler_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "instrument/timer.h"
#include "util/error.h"

#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define NAME_LIMIT_MAX ((size_t)1 << 20)
#define TLS_CACHE      4

/* Serials make a site's cached id and a thread's cached shard specific to one
 * profiler, also when a freed profiler's address is reused. */
static uint32_t next_serial = 1;
static uint64_t next_token = 1;

/* The thread-local cache: which shard this thread writes for a profiler. */
struct tls_entry {
	uint32_t serial;
	struct prof_shard *shard;
};
/* initial-exec: a plain %fs-relative access, never a __tls_get_addr call. */
#define TLS __thread __attribute__((tls_model("initial-exec")))
static TLS struct tls_entry tls_cache[TLS_CACHE];
static TLS uint64_t tls_token;

/* Live profilers, so an exiting thread can hand its shards back. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static perfdb_profiler *live_head;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int exit_key_ok;

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static perfdb_profiler *global_prof;

/* ---- clock ------------------------------------------------------------------ */

static inline uint64_t clock_now(const perfdb_profiler *p)
{
	if (LIKELY(p->clock == PROF_CLOCK_TSC))
		return perfdb_timer__tsc_read();
	if (p->clock == PROF_CLOCK_CUSTOM)
		return p->clock_fn(p->clock_ctx);
	return perfdb_timer__monotonic_ns();
}

static inline uint64_t clock_span_ns(const perfdb_profiler *p, uint64_t from, uint64_t to)
{
	uint64_t d = to > from ? to - from : 0;
	return p->clock == PROF_CLOCK_TSC ? perfdb_timer__tsc_to_ns(d, p->tsc_mult) : d;
}

/* ---- lifecycle ------------------------------------------------------------- */

/* Everything a thread writes per call (its shard, slots and edges) sits on
 * cache lines of its own: malloc would pack two threads' 40-byte edges into
 * one line, and the threads would then fight over it on every call. */
#define CACHE_LINE 64

static size_t line_bytes(size_t size)
{
	return (size + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
}

size_t perfdb_profiler_bytes_per_name(void)
{
	return line_bytes(sizeof(struct prof_slot));
}

size_t perfdb_profiler_bytes_per_edge(void)
{
	return line_bytes(sizeof(struct prof_edge));
}

static int check_options(const perfdb_profiler_options *o)
{
	if (o->version != PERFDB_PROFILER_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "profiler options version %u, expected %u",
					 o->version, PERFDB_PROFILER_OPTIONS_VERSION);
	if (o->name_limit < 1 || o->name_limit > NAME_LIMIT_MAX)
		return perfdb_error__set(PERFDB_EINVAL, "profiler name limit %zu is not in 1..%zu",
					 o->name_limit, NAME_LIMIT_MAX);
	if (o->clock == PERFDB_PROFILER_CLOCK_CUSTOM && !o->clock_fn)
		return perfdb_error__set(PERFDB_EINVAL, "custom profiler clock without clock_fn");
	if ((unsigned)o->clock > PERFDB_PROFILER_CLOCK_CUSTOM)
		return perfdb_error__set(PERFDB_EINVAL, "unknown profiler clock %d", (int)o->clock);
	return 0;
}

void perfdb_profiler_options_init(perfdb_profiler_options *opts)
{
	perfdb_profiler_options d = PERFDB_PROFILER_OPTIONS_INIT;
	*opts = d;
}

int perfdb_profiler_new(perfdb_profiler **out, const perfdb_profiler_options *opts)
{
	static const perfdb_profiler_options defaults = PERFDB_PROFILER_OPTIONS_INIT;
	const perfdb_profiler_options *o = opts ? opts : &defaults;
	const perfdb_timer_tsc *tsc;
	perfdb_profiler *p;
	int rc;

	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_profiler_new: out is NULL");
	*out = NULL;
	rc = check_options(o);
	if (rc)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		return perfdb_error__oom();
	p->enabled = o->enabled;
	p->slow_threshold_ns = o->slow_threshold_ns;
	p->slow_report = o->slow_report;
	p->on_slow = o->on_slow;
	p->on_slow_ctx = o->on_slow_ctx;
	p->slow_log = o->slow_log;
	p->name_limit = o->name_limit;
	switch (o->clock) {
	case PERFDB_PROFILER_CLOCK_CUSTOM:
		p->clock = PROF_CLOCK_CUSTOM;
		p->clock_fn = o->clock_fn;
		p->clock_ctx = o->clock_ctx;
		break;
	case PERFDB_PROFILER_CLOCK_MONOTONIC: p->clock = PROF_CLOCK_MONOTONIC; break;
	case PERFDB_PROFILER_CLOCK_TSC:
	case PERFDB_PROFILER_CLOCK_AUTO:
		tsc = perfdb_timer__tsc();
		if (tsc->usable) {
			p->clock = PROF_CLOCK_TSC;
			p->tsc_mult = tsc->mult;
		} else if (o->clock == PERFDB_PROFILER_CLOCK_TSC) {
			free(p);
			return perfdb_error__set(PERFDB_ENOTFOUND, "no usable TSC: %s",
						 tsc->why_not ? tsc->why_not : "unknown");
		} else {
			p->clock = PROF_CLOCK_MONOTONIC;
		}
		break;
	}
	rc = pthread_mutex_init(&p->lock, NULL);
	if (rc) {
		free(p);
		return perfdb_error__set(PERFDB_ERROR, "cannot create a mutex: %s", strerror(rc));
	}
	p->serial = __atomic_fetch_add(&next_serial, 1, __ATOMIC_RELAXED);
	if (p->serial == 0) /* after 2^32 profilers: 0 means "unresolved" */
		p->serial = __atomic_fetch_add(&next_serial, 1, __ATOMIC_RELAXED);

	pthread_mutex_lock(&live_lock);
	p->live_next = live_head;
	live_head = p;
	pthread_mutex_unlock(&live_lock);
	*out = p;
	return 0;
}

void perfdb_profiler_free(perfdb_profiler *p)
{
	perfdb_profiler **pp;
	struct prof_shard *sh, *next_sh;
	size_t i;

	if (!p)
		return;
	pthread_mutex_lock(&live_lock);
	for (pp = &live_head; *pp; pp = &(*pp)->live_next) {
		if (*pp == p) {
			*pp = p->live_next;
			break;
		}
	}
	pthread_mutex_unlock(&live_lock);

	for (sh = p->shards; sh; sh = next_sh) {
		next_sh = sh->next;
		for (i = 0; i < p->name_limit; i++) {
			struct prof_slot *slot = sh->slots[i];
			struct prof_edge *e, *next_e;
			if (!slot)
				continue;
			for (e = slot->edges; e; e = next_e) {
				next_e = e->next;
				free(e);
			}
			free(slot);
		}
		free(sh->slots);
		free(sh);
	}
	for (i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	free(p->hash);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

perfdb_profiler *perfdb_profiler_global(void)
{
	perfdb_profiler *p = __atomic_load_n(&global_prof, __ATOMIC_ACQUIRE);
	if (LIKELY(p != NULL))
		return p;
	pthread_mutex_lock(&global_lock);
	if (!global_prof && perfdb_profiler_new(&p, NULL) == 0)
		__atomic_store_n(&global_prof, p, __ATOMIC_RELEASE);
	p = global_prof;
	pthread_mutex_unlock(&global_lock);
	return p;
}

int perfdb_profiler_global_init(const perfdb_profiler_options *opts)
{
	perfdb_profiler *p = NULL;
	int rc;
	pthread_mutex_lock(&global_lock);
	if (global_prof) {
		pthread_mutex_unlock(&global_lock);
		return perfdb_error__set(PERFDB_EINVAL, "the global profiler exists already");
	}
	rc = perfdb_profiler_new(&p, opts);
	if (rc == 0)
		__atomic_store_n(&global_prof, p, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&global_lock);
	return rc;
}

static inline perfdb_profiler *resolve_profiler(const perfdb_profiler *p)
{
	return p ? (perfdb_profiler *)p : perfdb_profiler_global();
}

void perfdb_profiler_set_enabled(perfdb_profiler *p, bool enabled)
{
	p = resolve_profiler(p);
	if (p)
		__atomic_store_n(&p->enabled, enabled ? 1 : 0, __ATOMIC_RELAXED);
}

bool perfdb_profiler_enabled(const perfdb_profiler *p)
{
	perfdb_profiler *q = resolve_profiler(p);
	return q && __atomic_load_n(&q->enabled, __ATOMIC_RELAXED);
}

const char *perfdb_profiler_clock_name(const perfdb_profiler *p)
{
	perfdb_profiler *q = resolve_profiler(p);
	if (!q)
		return "none";
	switch (q->clock) {
	case PROF_CLOCK_TSC: return "tsc";
	case PROF_CLOCK_CUSTOM: return "custom";
	default: return "clock_monotonic";
	}
}

/* ---- names ------------------------------------------------------------------ */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211u;
	}
	return h;
}

/* Finds or adds name; under p->lock. Returns its id or PROF_REJECTED. */
static uint32_t name_id(perfdb_profiler *p, const char *name)
{
	size_t mask, i;
	uint64_t h = hash_name(name);
	char *copy;

	if (p->hash_cap) {
		mask = p->hash_cap - 1;
		for (i = h & mask; p->hash[i]; i = (i + 1) & mask)
			if (strcmp(p->names[p->hash[i] - 1], name) == 0)
				return p->hash[i] - 1;
	}
	if (p->nnames >= p->name_limit)
		return PROF_REJECTED;
	if (p->nnames == p->names_cap) {
		size_t cap = p->names_cap ? p->names_cap * 2 : 64;
		char **names = realloc(p->names, cap * sizeof(*names));
		if (!names)
			return PROF_REJECTED;
		p->names = names;
		p->names_cap = cap;
	}
	if ((p->nnames + 1) * 2 > p->hash_cap) {
		size_t cap = p->hash_cap ? p->hash_cap * 2 : 128, k;
		uint32_t *hash = calloc(cap, sizeof(*hash));
		if (!hash)
			return PROF_REJECTED;
		for (k = 0; k < p->nnames; k++) {
			for (i = hash_name(p->names[k]) & (cap - 1); hash[i];
			     i = (i + 1) & (cap - 1))
				;
			hash[i] = (uint32_t)k + 1;
		}
		free(p->hash);
		p->hash = hash;
		p->hash_cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return PROF_REJECTED;
	mask = p->hash_cap - 1;
	for (i = h & mask; p->hash[i]; i = (i + 1) & mask)
		;
	p->hash[i] = (uint32_t)p->nnames + 1;
	p->names[p->nnames] = copy;
	return (uint32_t)p->nnames++;
}

/* First use of a site with p: look its name up once, cache the id in the site. */
static __attribute__((noinline)) uint32_t resolve_site(perfdb_profiler *p,
						       perfdb_profiler_site *site)
{
	uint32_t id;
	pthread_mutex_lock(&p->lock);
	id = site->name ? name_id(p, site->name) : PROF_REJECTED;
	pthread_mutex_unlock(&p->lock);
	/* A rejected site is cached too, so it is not looked up again per call. */
	__atomic_store_n(&site->resolved, ((uint64_t)p->serial << 32) | (uint32_t)(id + 1),
			 __ATOMIC_RELAXED);
	return id;
}

/* ---- shards ----------------------------------------------------------------- */

static void *alloc_lines(size_t size)
{
	size_t rounded = line_bytes(size);
	void *mem = aligned_alloc(CACHE_LINE, rounded);
	if (mem)
		memset(mem, 0, rounded);
	return mem;
}

static void thread_exit(void *arg)
{
	uint64_t token = (uint64_t)(uintptr_t)arg;
	perfdb_profiler *p;
	struct prof_shard *sh;

	pthread_mutex_lock(&live_lock);
	for (p = live_head; p; p = p->live_next) {
		pthread_mutex_lock(&p->lock);
		for (sh = p->shards; sh; sh = sh->next)
			if (sh->owner == token)
				__atomic_store_n(&sh->owner, 0, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&live_lock);
	/* Another thread may adopt those shards now. Should a later destructor of
	 * this thread time a scope, it registers afresh (and re-arms this key). */
	memset(tls_cache, 0, sizeof(tls_cache));
	tls_token = 0;
}

static void exit_key_create(void)
{
	exit_key_ok = pthread_key_create(&exit_key, thread_exit) == 0;
}

static uint64_t thread_token(void)
{
	if (UNLIKELY(tls_token == 0)) {
		tls_token = __atomic_fetch_add(&next_token, 1, __ATOMIC_RELAXED);
		pthread_once(&exit_key_once, exit_key_create);
		if (exit_key_ok)
			pthread_setspecific(exit_key, (void *)(uintptr_t)tls_token);
	}
	return tls_token;
}

/* Under p->lock: the shard this thread owns, or an adopted or new one. */
static struct prof_shard *shard_register(perfdb_profiler *p, uint64_t token)
{
	struct prof_shard *sh;
	size_t i;

	for (sh = p->shards; sh; sh = sh->next)
		if (sh->owner == token)
			return sh;
	for (sh = p->shards; sh; sh = sh->next) {
		if (sh->owner != 0)
			continue;
		/* Its thread has exited, maybe inside open scopes: forget those,
		 * keep the figures. */
		sh->owner = token;
		sh->depth = 0;
		for (i = 0; i < p->name_limit; i++) {
			struct prof_slot *slot = sh->slots[i];
			struct prof_edge *e;
			if (!slot)
				continue;
			slot->active = 0;
			for (e = slot->edges; e; e = e->next)
				e->active = 0;
		}
		return sh;
	}
	sh = alloc_lines(sizeof(*sh));
	if (!sh)
		return NULL;
	sh->slots = calloc(p->name_limit, sizeof(*sh->slots));
	if (!sh->slots) {
		free(sh);
		return NULL;
	}
	sh->prof = p;
	sh->owner = token;
	sh->next = p->shards;
	__atomic_store_n(&p->shards, sh, __ATOMIC_RELEASE);
	return sh;
}

/* The thread's shard when it is not the most recently used one. */
static __attribute__((noinline)) struct prof_shard *shard_slow(perfdb_profiler *p, bool create)
{
	struct tls_entry e;
	struct prof_shard *sh = NULL;
	uint64_t token;
	int i;

	for (i = 1; i < TLS_CACHE; i++) {
		if (tls_cache[i].serial == p->serial) {
			e = tls_cache[i];
			memmove(&tls_cache[1], &tls_cache[0], (size_t)i * sizeof(tls_cache[0]));
			tls_cache[0] = e;
			return e.shard;
		}
	}
	token = thread_token();
	pthread_mutex_lock(&p->lock);
	if (create) {
		sh = shard_register(p, token);
	} else {
		for (sh = p->shards; sh && sh->owner != token; sh = sh->next)
			;
	}
	pthread_mutex_unlock(&p->lock);
	if (!sh)
		return NULL;
	memmove(&tls_cache[1], &tls_cache[0], (TLS_CACHE - 1) * sizeof(tls_cache[0]));
	tls_cache[0].serial = p->serial;
	tls_cache[0].shard = sh;
	return sh;
}

static __attribute__((noinline)) struct prof_slot *slot_new(struct prof_shard *sh, uint32_t id)
{
	struct prof_slot *slot = alloc_lines(sizeof(*slot));
	if (!slot)
		return NULL;
	perfdb_histogram_init(&slot->hist);
	__atomic_store_n(&sh->slots[id], slot, __ATOMIC_RELEASE);
	return slot;
}

static __attribute__((noinline)) struct prof_edge *edge_find(struct prof_slot *slot,
							     uint32_t parent)
{
	struct prof_edge *e;
	for (e = slot->edges; e; e = e->next)
		if (e->parent == parent)
			break;
	if (!e) {
		e = alloc_lines(sizeof(*e));
		if (!e)
			return NULL;
		e->parent = parent;
		e->next = slot->edges;
		__atomic_store_n(&slot->edges, e, __ATOMIC_RELEASE);
	}
	slot->last_edge = e;
	return e;
}

/* ---- the hot path ----------------------------------------------------------- */

/* The enabled path, apart from perfdb_profiler_begin so that a disabled
 * profiler costs a load and a branch, not this function's register saves. */
static __attribute__((noinline)) perfdb_profiler_scope begin_enabled(perfdb_profiler *p,
								     perfdb_profiler_site *site)
{
	perfdb_profiler_scope s = {NULL, 0};
	struct perfdb_profiler_frame *f;
	struct prof_shard *sh;
	struct prof_slot *slot;
	struct prof_edge *edge;
	uint64_t key;
	uint32_t id, depth, parent;

	sh = LIKELY(tls_cache[0].serial == p->serial) ? tls_cache[0].shard : shard_slow(p, true);
	if (UNLIKELY(!sh))
		return s;
	key = __atomic_load_n(&site->resolved, __ATOMIC_RELAXED);
	id = LIKELY((uint32_t)(key >> 32) == p->serial) ? (uint32_t)key - 1 : resolve_site(p, site);
	depth = sh->depth;
	if (UNLIKELY(id >= p->name_limit || depth >= PERFDB_PROFILER_MAX_DEPTH))
		goto dropped;
	slot = sh->slots[id];
	if (UNLIKELY(!slot)) {
		slot = slot_new(sh, id);
		if (!slot)
			goto dropped;
	}
	parent = depth ? sh->stack[depth - 1].id : PROF_NO_PARENT;
	edge = slot->last_edge;
	if (UNLIKELY(!edge || edge->parent != parent)) {
		edge = edge_find(slot, parent);
		if (!edge)
			goto dropped;
	}
	slot->active++;
	edge->active++;
	sh->depth = depth + 1;
	f = &sh->stack[depth];
	f->child_ns = 0;
	f->site = site;
	f->slot = slot;
	f->edge = edge;
	f->seq = ++sh->seq;
	f->id = id;
	f->index = (uint16_t)depth;
	f->error = 0;
	s.frame = f;
	s.seq = f->seq;
	/* Last, so that the bookkeeping above is not timed. */
	f->start = clock_now(p);
	return s;
dropped:
	sh->dropped++;
	return s;
}

perfdb_profiler_scope perfdb_profiler_begin(perfdb_profiler *p, perfdb_profiler_site *site)
{
	perfdb_profiler_scope s = {NULL, 0};
	if (UNLIKELY(!p)) {
		p = perfdb_profiler_global();
		if (!p)
			return s;
	}
	if (!__atomic_load_n(&p->enabled, __ATOMIC_RELAXED))
		return s;
	return begin_enabled(p, site);
}

static inline struct prof_shard *shard_of(struct perfdb_profiler_frame *f)
{
	return (struct prof_shard *)((char *)(f - f->index) - offsetof(struct prof_shard, stack));
}

static void format_ns(char *buf, size_t cap, uint64_t ns)
{
	if (ns >= 1000000000u)
		snprintf(buf, cap, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000u)
		snprintf(buf, cap, "%.3f ms", (double)ns / 1e6);
	else if (ns >= 1000u)
		snprintf(buf, cap, "%.3f us", (double)ns / 1e3);
	else
		snprintf(buf, cap, "%llu ns", (unsigned long long)ns);
}

static __attribute__((noinline)) void report_slow(const perfdb_profiler *p,
						  const struct prof_shard *sh,
						  const struct perfdb_profiler_frame *f,
						  uint64_t dur, uint64_t threshold, bool error)
{
	perfdb_profiler_slow_call call;
	call.name = f->site->name;
	call.parent = f->index ? sh->stack[f->index - 1].site->name : NULL;
	call.duration_ns = dur;
	call.threshold_ns = threshold;
	call.error = error;
	call.depth = f->index;
	if (p->slow_log) {
		char d[32], t[32];
		format_ns(d, sizeof(d), dur);
		format_ns(t, sizeof(t), threshold);
		fprintf(p->slow_log, "perfdb: slow scope '%s': %s > %s%s\n", call.name, d, t,
			error ? " (failed)" : "");
	}
	if (p->on_slow)
		p->on_slow(p->on_slow_ctx, &call);
}

/* Closing a frame that is not the innermost: the frames above it were never
 * closed (a missing end, a longjmp); drop them. */
static __attribute__((noinline)) void unwind(struct prof_shard *sh, uint32_t to)
{
	while (sh->depth > to) {
		struct perfdb_profiler_frame *g = &sh->stack[--sh->depth];
		g->slot->active--;
		g->edge->active--;
		g->seq = 0;
		sh->unbalanced++;
	}
}

void perfdb_profiler_end(perfdb_profiler_scope *s, int error)
{
	struct perfdb_profiler_frame *f = s->frame;
	struct prof_shard *sh;
	const perfdb_profiler *p;
	struct prof_slot *slot;
	struct prof_edge *edge;
	uint64_t now, dur, self, threshold;
	int64_t site_threshold;
	bool failed;

	if (!f)
		return;
	sh = shard_of(f);
	p = sh->prof;
	now = clock_now(p);
	s->frame = NULL;
	if (UNLIKELY(f->seq != s->seq || f->index + 1u != sh->depth)) {
		if (f->seq != s->seq || f->index >= sh->depth)
			return; /* already discarded by an outer end */
		unwind(sh, f->index + 1u);
	}
	dur = clock_span_ns(p, f->start, now);
	self = dur > f->child_ns ? dur - f->child_ns : 0;
	slot = f->slot;
	edge = f->edge;
	perfdb_histogram_record(&slot->hist, dur);
	if (--slot->active == 0)
		slot->total_ns += dur;
	slot->self_ns += self;
	if (--edge->active == 0)
		edge->inclusive_ns += dur;
	edge->calls++;
	edge->self_ns += self;
	failed = error || f->error;
	if (UNLIKELY(failed))
		slot->errors++;
	f->seq = 0;
	sh->depth = f->index;
	if (f->index)
		sh->stack[f->index - 1].child_ns += dur;

	site_threshold = f->site->slow_threshold_ns;
	threshold = site_threshold < 0 ? p->slow_threshold_ns : (uint64_t)site_threshold;
	if (UNLIKELY(threshold && dur > threshold)) {
		int report = f->site->slow_report;
		slot->slow++;
		if (report < 0 ? p->slow_report : report != 0)
			report_slow(p, sh, f, dur, threshold, failed);
	}
}

void perfdb_profiler_fail(perfdb_profiler *p)
{
	struct prof_shard *sh;
	p = resolve_profiler(p);
	if (!p)
		return;
	sh = tls_cache[0].serial == p->serial ? tls_cache[0].shard : shard_slow(p, false);
	if (sh && sh->depth)
		sh->stack[sh->depth - 1].error = 1;
}

void perfdb_profiler_reset(perfdb_profiler *p)
{
	struct prof_shard *sh;
	size_t i;

	p = resolve_profiler(p);
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	for (sh = p->shards; sh; sh = sh->next) {
		sh->dropped = 0;
		sh->unbalanced = 0;
		for (i = 0; i < p->nnames; i++) {
			struct prof_slot *slot = __atomic_load_n(&sh->slots[i], __ATOMIC_ACQUIRE);
			struct prof_edge *e;
			if (!slot)
				continue;
			/* `active` stays: frames open now still end normally. */
			slot->errors = slot->slow = slot->total_ns = slot->self_ns = 0;
			perfdb_histogram_init(&slot->hist);
			for (e = __atomic_load_n(&slot->edges, __ATOMIC_ACQUIRE); e; e = e->next)
				e->calls = e->inclusive_ns = e->self_ns = 0;
		}
	}
	pthread_mutex_unlock(&p->lock);
}
