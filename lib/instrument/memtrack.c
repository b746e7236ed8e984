/*
 * libperfdb_memtrack.so - the allocation tracker, loaded with LD_PRELOAD.
 *
 * It interposes the malloc family and attributes every allocation to its
 * call site (a short stack of return addresses). Design, and why:
 *
 *  - A tracked block carries a 16-byte header in front of the pointer the
 *    program sees: the requested size and a tag (a magic in the top 16 bits,
 *    flags, the site id). The magic has the top bit set, so it can never equal
 *    the size field glibc keeps at the same place in front of its own chunks:
 *    free() tells our blocks from foreign ones (allocated before we started,
 *    by glibc internally, or untracked) by one load, and untracked blocks need
 *    no header at all. That is what makes sampling mode nearly free.
 *  - Sites live in one open-addressed table keyed by the stack, written under
 *    a mutex (rare: once per new site) and read without a lock.
 *  - Per-site counters live in per-thread shards (one writer each, summed on
 *    read), so threads never share a written cache line on the hot path. The
 *    live heap total is published to one global counter at every change while
 *    one thread allocates (exact peak), and in batches of up to MT_FLUSH
 *    bytes per thread once several do (peak within MT_FLUSH per thread).
 *  - A thread-local reentrancy guard sends the tracker's own allocations (and
 *    those of the libc calls it makes) straight to the real allocator, and
 *    dlsym's allocations during start-up come from a static buffer.
 *  - pthread_atfork keeps the mutex sane across fork; the child adopts the
 *    counters of the threads that did not survive.
 *  - Stacks come from frame pointers (the default: a few loads), or with
 *    --unwind dwarf from .eh_frame through rules cached per return address
 *    (memtrack_unwind.c), with backtrace() for what a rule cannot express.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "instrument/memtrack.h"

#define EXPORT	    __attribute__((visibility("default")))
#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define MT_MAGIC	       0xA7C1ull
#define MT_TAG(site, flags)    ((MT_MAGIC << 48) | ((uint64_t)(flags) << 32) | (uint64_t)(site))
#define MT_IS_OURS(tag)	       (((tag) >> 48) == MT_MAGIC)
#define MT_TAG_SITE(tag)       ((uint32_t)(tag))
#define MT_TAG_ALIGN_LOG2(tag) ((unsigned)((tag) >> 32) & 0xffu) /* 0: not aligned */
#define MT_HDR		       16u
#define MT_FLUSH	       (64 * 1024)

typedef struct mt_hdr {
	uint64_t size;
	uint64_t tag;
} mt_hdr;

typedef struct mt_thread {
	int fast;  /* the hot path may run: ready, shard held, not in the guard */
	int busy;  /* reentrancy guard */
	int ready; /* thread state set up */
	int boot;  /* this thread is running the tracker's start-up */
	int64_t until_sample;
	uint64_t rng;
	mt_shard *shard;
	uintptr_t stack_lo, stack_hi;
} mt_thread;

static __thread mt_thread mt_tls __attribute__((tls_model("initial-exec")));

mt_state mt_g = {.lock = PTHREAD_MUTEX_INITIALIZER};

enum { ST_NONE = 0, ST_INIT = 1, ST_READY = 2 };
static int state;

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_memalign)(size_t, size_t);
static size_t (*real_usable)(void *);

static pthread_key_t thread_key;
static uint64_t thread_count; /* atomic */

/* ---- bootstrap allocations (dlsym runs before the real malloc is known) --- */
static _Alignas(16) unsigned char boot_buf[128 * 1024];
static size_t boot_used; /* atomic */

static void *boot_alloc(size_t size, size_t align)
{
	size_t need, at, start;
	if (align < 16)
		align = 16;
	if (size > sizeof(boot_buf))
		return NULL;
	need = (size + 15) & ~(size_t)15;
	do {
		at = __atomic_load_n(&boot_used, __ATOMIC_RELAXED);
		start = (at + MT_HDR + align - 1) & ~(align - 1);
		if (start + need > sizeof(boot_buf))
			return NULL;
	} while (!__atomic_compare_exchange_n(&boot_used, &at, start + need, 0, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	((uint64_t *)(boot_buf + start))[-2] = size;
	return boot_buf + start; /* zeroed: static storage, never reused */
}

static int is_boot(const void *p)
{
	return (const unsigned char *)p >= boot_buf &&
	       (const unsigned char *)p < boot_buf + sizeof(boot_buf);
}

/* ---- small helpers -------------------------------------------------------- */
uint64_t mt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void bump(int64_t *p, int64_t v)
{
	/* One writer per shard: a relaxed load and store, no locked instruction. */
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;
	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return dflt;
	return v;
}

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: enough for sampling intervals. */
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* The tracker links neither libm nor anything else: log and exp by hand. */
static double mt_log(double x)
{
	union {
		double d;
		uint64_t u;
	} v = {.d = x};
	int e = (int)((v.u >> 52) & 0x7ff) - 1023;
	double m, z, z2, sum = 0, term;
	int k;
	v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull; /* m in [1,2) */
	m = v.d;
	if (m > 1.4142135623730951) {
		m /= 2;
		e++;
	}
	z = (m - 1) / (m + 1);
	z2 = z * z;
	term = z;
	for (k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return 2 * sum + e * 0.6931471805599453;
}

static double mt_exp(double x)
{
	/* x = n ln2 + r, |r| <= ln2/2 */
	double n = (double)(long long)(x / 0.6931471805599453 + (x < 0 ? -0.5 : 0.5));
	double r = x - n * 0.6931471805599453, term = 1, sum = 1;
	union {
		double d;
		uint64_t u;
	} v;
	int k;
	if (x < -700)
		return 0;
	for (k = 1; k < 20; k++) {
		term *= r / k;
		sum += term;
	}
	v.u = (uint64_t)((long long)n + 1023) << 52;
	return sum * v.d;
}

static int64_t next_interval(mt_thread *t)
{
	/* Exponential with mean interval: byte-interval sampling is then a Poisson
	 * process over the allocated bytes, which makes the weights below exact. */
	double u = ((double)(rng_next(&t->rng) >> 11) + 1.0) / 9007199254740993.0;
	double v = -mt_log(u) * (double)mt_g.interval;
	return v < 1 ? 1 : (int64_t)v;
}

/* What one sampled allocation of size bytes stands for: it was sampled with
 * probability 1 - exp(-size/interval). */
static void sample_weight(uint64_t size, int64_t *bytes, int64_t *count)
{
	double p, w;
	if (!mt_g.sample) {
		*bytes = (int64_t)size;
		*count = MT_COUNT_ONE;
		return;
	}
	p = 1.0 - mt_exp(-(double)size / (double)mt_g.interval);
	w = p > 0 ? 1.0 / p : (double)mt_g.interval;
	*bytes = (int64_t)((double)size * w + 0.5);
	*count = (int64_t)(w * MT_COUNT_ONE + 0.5);
}

/* ---- the guard ------------------------------------------------------------ */
int mt_guard_enter(void)
{
	int prev = mt_tls.busy;
	mt_tls.busy = 1;
	mt_tls.fast = 0;
	return prev;
}

void mt_guard_leave(int prev)
{
	mt_tls.busy = prev;
	mt_tls.fast = !prev && mt_tls.ready && mt_tls.shard;
}

/* ---- start-up --------------------------------------------------------------- */
static void thread_exit(void *arg);
static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);
static void mark_running(void);
static int run_fd = -1, mark_wanted;

static void *map_zeroed(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void init(void)
{
	int expect = ST_NONE;
	const char *s;
	if (!__atomic_compare_exchange_n(&state, &expect, ST_INIT, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (mt_tls.boot)
			return; /* re-entered from dlsym: the caller uses the boot buffer */
		while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != ST_READY)
			sched_yield();
		return;
	}
	mt_tls.boot = 1;
	mt_tls.busy = 1;
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_usable = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");

	mt_g.interval = (int64_t)env_u64(MT_ENV_SAMPLE, 0);
	mt_g.sample = mt_g.interval > 0;
	mt_g.depth = (unsigned)env_u64(MT_ENV_DEPTH, MT_DEFAULT_DEPTH);
	if (mt_g.depth < 1)
		mt_g.depth = 1;
	if (mt_g.depth > MT_MAX_DEPTH)
		mt_g.depth = MT_MAX_DEPTH;
	s = getenv(MT_ENV_UNWIND);
	/* Sampled allocations are rare enough to afford DWARF unwinding, which
	 * sees through code built without frame pointers. */
	mt_g.dwarf = s && *s ? strcmp(s, "dwarf") == 0 : mt_g.sample;
	mt_g.seed = env_u64(MT_ENV_SEED, 0);
	if (!mt_g.seed)
		mt_g.seed = mt_now_ns() ^ ((uint64_t)getpid() << 32);
	s = getenv(MT_ENV_VERIFY);
	mt_g.verify = s && strcmp(s, "1") == 0;
	s = getenv(MT_ENV_START);
	mt_g.enabled = !(s && strcmp(s, "0") == 0);
	s = getenv(MT_ENV_OUT);
	if (s && strlen(s) < sizeof(mt_g.out))
		memcpy(mt_g.out, s, strlen(s) + 1);
	s = getenv(MT_ENV_MARK);
	mark_wanted = s && strcmp(s, "1") == 0;
	mt_g.t0_ns = mt_now_ns();
	mark_running();

	mt_g.sites = map_zeroed(sizeof(mt_site) * MT_MAX_SITES);
	mt_g.slots = map_zeroed(sizeof(uint32_t) * MT_SLOTS);
	mt_g.orphan.c = map_zeroed(sizeof(mt_counters) * MT_MAX_SITES);
	mt_g.nsites = MT_FIRST_SITE;
	if (mt_g.dwarf) {
		/* The first backtrace() loads libgcc_s (and allocates): do it now. */
		void *buf[4];
		backtrace(buf, 4);
		if (mt_unwind_init() != 0)
			mt_g.dwarf = 0;
	}
	if (!real_malloc || !real_free || !real_calloc || !real_realloc || !real_memalign ||
	    !real_usable || !mt_g.sites || !mt_g.slots || !mt_g.orphan.c ||
	    pthread_key_create(&thread_key, thread_exit) != 0)
		mt_g.enabled = 0; /* cannot track; still a working allocator if real_* exist */
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	mt_tls.busy = 0;
	mt_tls.boot = 0;
	__atomic_store_n(&state, ST_READY, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void mt_constructor(void)
{
	init();
}

static mt_shard *shard_acquire(void)
{
	mt_shard *s;
	pthread_mutex_lock(&mt_g.lock);
	s = mt_g.free_shards;
	if (s) {
		mt_g.free_shards = s->next_free;
	} else {
		s = map_zeroed(sizeof(*s));
		if (s)
			s->c = map_zeroed(sizeof(mt_counters) * MT_MAX_SITES);
		if (s && s->c) {
			s->next_all = mt_g.shards;
			__atomic_store_n(&mt_g.shards, s, __ATOMIC_RELEASE);
		} else {
			s = NULL;
		}
	}
	if (s) {
		s->in_use = 1;
		__atomic_add_fetch(&mt_g.active, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&mt_g.lock);
	return s;
}

static void publish(int64_t delta);

static void shard_release(mt_shard *s)
{
	int64_t pending = __atomic_exchange_n(&s->pending, 0, __ATOMIC_RELAXED);
	publish(pending);
	pthread_mutex_lock(&mt_g.lock);
	s->in_use = 0;
	s->next_free = mt_g.free_shards;
	mt_g.free_shards = s;
	__atomic_sub_fetch(&mt_g.active, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&mt_g.lock);
}

static void thread_exit(void *arg)
{
	mt_thread *t = &mt_tls;
	(void)arg;
	if (t->shard) {
		int prev = mt_guard_enter();
		shard_release(t->shard);
		t->shard = NULL;
		mt_guard_leave(prev);
	}
	t->ready = 0;
	t->fast = 0;
}

static int thread_setup(mt_thread *t)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;
	int prev;
	if (t->ready)
		return t->shard != NULL;
	prev = mt_guard_enter();
	/* Seeded by thread order, not address: a fixed seed replays a run. */
	t->rng = mt_g.seed ^ ((uint64_t)(__atomic_add_fetch(&thread_count, 1, __ATOMIC_RELAXED)) *
			      0x9E3779B97F4A7C15ull);
	if (!t->rng)
		t->rng = 1;
	t->stack_lo = t->stack_hi = 0;
	/* Stack bounds keep the frame-pointer walk inside this thread's stack. */
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			t->stack_lo = (uintptr_t)addr;
			t->stack_hi = (uintptr_t)addr + size;
		}
		pthread_attr_destroy(&attr);
	}
	t->shard = shard_acquire();
	if (t->shard)
		pthread_setspecific(thread_key, t->shard);
	t->ready = 1;
	t->until_sample = mt_g.sample ? next_interval(t) : 0;
	mt_guard_leave(prev);
	return t->shard != NULL;
}

enum { ENTER_TRACK, ENTER_REAL, ENTER_BOOT };

/* Called when mt_tls.fast is 0: decides how this call is served. */
static __attribute__((noinline)) int slow_enter(mt_thread *t)
{
	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != ST_READY) {
		init();
		if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != ST_READY)
			return ENTER_BOOT;
	}
	if (t->busy)
		return ENTER_REAL;
	if (!thread_setup(t))
		return ENTER_REAL;
	return ENTER_TRACK;
}

/* ---- the heap total and its peak ------------------------------------------ */
static void publish(int64_t delta)
{
	int64_t h, pk;
	if (!delta)
		return;
	h = __atomic_add_fetch(&mt_g.heap, delta, __ATOMIC_RELAXED);
	if (delta > 0) {
		pk = __atomic_load_n(&mt_g.peak, __ATOMIC_RELAXED);
		while (h > pk) {
			if (__atomic_compare_exchange_n(&mt_g.peak, &pk, h, 1, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				__atomic_store_n(&mt_g.peak_untimed, 1, __ATOMIC_RELAXED);
				break;
			}
		}
	} else if (UNLIKELY(__atomic_load_n(&mt_g.peak_untimed, __ATOMIC_RELAXED))) {
		/* The heap just left its peak: that is when the peak was. Taking the
		 * time here, not at every new peak, keeps the clock off the hot path
		 * while a program grows. */
		if (__atomic_exchange_n(&mt_g.peak_untimed, 0, __ATOMIC_RELAXED))
			__atomic_store_n(&mt_g.peak_time_ns, mt_now_ns() - mt_g.t0_ns,
					 __ATOMIC_RELAXED);
	}
}

static inline void heap_change(mt_shard *s, int64_t delta)
{
	int64_t p = s->pending + delta;
	if (p < MT_FLUSH && p > -MT_FLUSH && __atomic_load_n(&mt_g.active, __ATOMIC_RELAXED) > 1) {
		__atomic_store_n(&s->pending, p, __ATOMIC_RELAXED);
		return;
	}
	__atomic_store_n(&s->pending, 0, __ATOMIC_RELAXED);
	publish(p);
}

static void account(mt_thread *t, uint32_t site, uint64_t size, int sign)
{
	int64_t bytes, count;
	mt_counters *c;
	sample_weight(size, &bytes, &count);
	if (LIKELY(t && t->shard)) {
		c = &t->shard->c[site];
		bump(&c->live_bytes, sign * bytes);
		bump(&c->live_count, sign * count);
		if (sign > 0) {
			bump(&c->total_bytes, bytes);
			bump(&c->total_count, count);
		}
		heap_change(t->shard, sign * bytes);
		return;
	}
	/* No shard (a thread past its key destructor): shared, so atomic. */
	c = &mt_g.orphan.c[site];
	__atomic_add_fetch(&c->live_bytes, sign * bytes, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->live_count, sign * count, __ATOMIC_RELAXED);
	if (sign > 0) {
		__atomic_add_fetch(&c->total_bytes, bytes, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->total_count, count, __ATOMIC_RELAXED);
	}
	publish(sign * bytes);
}

/* ---- sites ------------------------------------------------------------------ */
static inline uint64_t hash_frames(const uintptr_t *f, unsigned n)
{
	uint64_t h = 0x84222325cbf29ce4ull;
	unsigned i;
	for (i = 0; i < n; i++) {
		h ^= (uint64_t)f[i];
		h *= 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	return h | 1; /* never 0 */
}

static inline int same_site(const mt_site *s, uint64_t h, const uintptr_t *f, unsigned n)
{
	return s->hash == h && s->depth == n && memcmp(s->frames, f, n * sizeof(*f)) == 0;
}

static __attribute__((noinline)) uint32_t site_insert(const uintptr_t *f, unsigned n, uint64_t h)
{
	uint32_t i = (uint32_t)h & (MT_SLOTS - 1), id;
	int prev = mt_guard_enter();
	pthread_mutex_lock(&mt_g.lock);
	for (;;) {
		id = __atomic_load_n(&mt_g.slots[i], __ATOMIC_ACQUIRE);
		if (!id)
			break;
		if (same_site(&mt_g.sites[id], h, f, n))
			goto out;
		i = (i + 1) & (MT_SLOTS - 1);
	}
	id = mt_g.nsites;
	if (id >= MT_MAX_SITES) {
		__atomic_add_fetch(&mt_g.dropped, 1, __ATOMIC_RELAXED);
		id = MT_SITE_OVERFLOW;
		goto out;
	}
	mt_g.sites[id].hash = h;
	mt_g.sites[id].depth = n;
	memcpy(mt_g.sites[id].frames, f, n * sizeof(*f));
	__atomic_store_n(&mt_g.nsites, id + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&mt_g.slots[i], id, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&mt_g.lock);
	mt_guard_leave(prev);
	return id;
}

static inline uint32_t site_find(const uintptr_t *f, unsigned n)
{
	uint64_t h = hash_frames(f, n);
	uint32_t i = (uint32_t)h & (MT_SLOTS - 1), id;
	for (;;) {
		id = __atomic_load_n(&mt_g.slots[i], __ATOMIC_ACQUIRE);
		if (!id)
			return site_insert(f, n, h);
		if (LIKELY(same_site(&mt_g.sites[id], h, f, n)))
			return id;
		i = (i + 1) & (MT_SLOTS - 1);
	}
}

/* Copies the stack in buf[0, n) from the caller's return address ret0 on:
 * our own frames come first. Returns the frames copied, 0 if ret0 is not in
 * buf. */
static unsigned from_caller(uintptr_t *out, const uintptr_t *buf, unsigned n, uintptr_t ret0)
{
	unsigned i, m = 0;
	for (i = 0; i < n; i++)
		if (buf[i] == ret0)
			break;
	for (; i < n && m < mt_g.depth; i++)
		out[m++] = buf[i];
	return m;
}

/* The test of the unwinder: libgcc's answer for the same stack. */
static __attribute__((noinline)) void verify(const uintptr_t *out, unsigned m, uintptr_t ret0)
{
	uintptr_t buf[MT_MAX_DEPTH + 8], ref[MT_MAX_DEPTH];
	unsigned n;
	int prev = mt_guard_enter();
	n = (unsigned)backtrace((void **)buf, (int)(mt_g.depth + 8));
	mt_guard_leave(prev);
	if (from_caller(ref, buf, n, ret0) != m || memcmp(ref, out, m * sizeof(*out)) != 0)
		__atomic_add_fetch(&mt_g.unwind_mismatches, 1, __ATOMIC_RELAXED);
}

static __attribute__((noinline)) unsigned unwind_dwarf(mt_thread *t, uintptr_t *out, uintptr_t ret0)
{
	uintptr_t buf[MT_MAX_DEPTH + 8];
	const uintptr_t *bp = (const uintptr_t *)__builtin_frame_address(0), *own = bp;
	unsigned n, m, k;
	int prev;
	/* Our own frames all keep a frame pointer (the tracker is built with
	 * them): follow the chain to the frame that returns to the caller, ret0,
	 * whichever of our functions a tail call removed. Its frame gives the
	 * caller's stack pointer (just above the return address) and %rbp (saved
	 * below it) exactly, and the .eh_frame walk (memtrack_unwind.c) starts at
	 * the caller: no rule lookups for our own frames, a third of a walk. */
	for (k = 0; k < 8; k++) {
		uintptr_t next = own[0];
		if (own[1] == ret0) {
			m = mt_unwind_eh(out, mt_g.depth, ret0, (uintptr_t)(own + 2), own[0],
					 t->stack_lo, t->stack_hi, ret0);
			goto walked;
		}
		if (next <= (uintptr_t)own || next >= t->stack_hi || (next & 7))
			break;
		own = (const uintptr_t *)next;
	}
	/* Not found by frame pointers: the walk goes through our own frames by
	 * their rules, from this function's frame. */
	m = mt_unwind_eh(out, mt_g.depth, bp[1], (uintptr_t)(bp + 2), bp[0], t->stack_lo,
			 t->stack_hi, ret0);
walked:
	if (LIKELY(m)) {
		if (UNLIKELY(mt_g.verify))
			verify(out, m, ret0);
		return m;
	}
	/* What a rule cannot express: libgcc's unwinder, for this stack. */
	__atomic_add_fetch(&mt_g.unwind_fallbacks, 1, __ATOMIC_RELAXED);
	prev = mt_guard_enter();
	n = (unsigned)backtrace((void **)buf, (int)(mt_g.depth + 8));
	mt_guard_leave(prev);
	m = from_caller(out, buf, n, ret0);
	if (m)
		return m;
	out[0] = ret0;
	return 1;
}

/* The stack of the caller of an exported function: ret0 is where that
 * function returns to, fp the caller's frame pointer (its %rbp at the call,
 * a value, not an address in the exported function's frame, which a tail
 * call may have reused). */
static inline __attribute__((always_inline)) unsigned unwind(mt_thread *t, uintptr_t *out,
							     uintptr_t *fp, uintptr_t ret0)
{
	unsigned n = 1;
	uintptr_t hi = t->stack_hi;
	if (UNLIKELY(mt_g.dwarf))
		return unwind_dwarf(t, out, ret0);
	out[0] = ret0;
	/* Frame-pointer walk: each frame holds the caller's frame pointer and the
	 * return address. A frame pointer that does not move up the stack, or
	 * leaves it, ends the walk, so code without frame pointers truncates the
	 * stack rather than faulting. Compared as integers, never as fp + 2: a
	 * garbage frame pointer near the top of the address space (code without
	 * frame pointers leaves anything in %rbp) would wrap past the bound. */
	if ((uintptr_t)fp < t->stack_lo || (uintptr_t)fp > hi - 2 * sizeof(uintptr_t) ||
	    ((uintptr_t)fp & 7) || (uintptr_t)fp < (uintptr_t)__builtin_frame_address(0))
		return 1; /* on a signal stack, bounds unknown, or not a frame pointer */
	while (n < mt_g.depth) {
		uintptr_t next;
		if (fp[1] < 4096)
			break;
		out[n++] = fp[1];
		next = fp[0];
		if (next <= (uintptr_t)fp || next > hi - 2 * sizeof(uintptr_t) || (next & 7))
			break;
		fp = (uintptr_t *)next;
	}
	return n;
}

/* ---- allocation and release ------------------------------------------------------ */
static inline void *finish(mt_thread *t, void *base, uint64_t size, uint32_t site, unsigned al2)
{
	mt_hdr *h;
	unsigned char *p;
	if (UNLIKELY(!base))
		return NULL;
	p = (unsigned char *)base + (al2 ? ((size_t)1 << al2) : MT_HDR);
	h = (mt_hdr *)(p - MT_HDR);
	h->size = size;
	h->tag = MT_TAG(site, al2);
	account(t, site, size, +1);
	return p;
}

/* Should this allocation be tracked? In sampling mode, counts down the
 * thread's byte budget. */
static inline int want(mt_thread *t, size_t size)
{
	if (mt_g.sample) {
		t->until_sample -= (int64_t)size;
		if (LIKELY(t->until_sample > 0))
			return 0;
		t->until_sample = next_interval(t);
	}
	return __atomic_load_n(&mt_g.enabled, __ATOMIC_RELAXED);
}

static __attribute__((noinline)) void release(mt_thread *t, void *p, uint64_t tag)
{
	mt_hdr *h = (mt_hdr *)((unsigned char *)p - MT_HDR);
	uint32_t site = MT_TAG_SITE(tag);
	unsigned al2 = MT_TAG_ALIGN_LOG2(tag);
	void *base = (unsigned char *)p - (al2 ? ((size_t)1 << al2) : MT_HDR);
	if (site) {
		if (!t->fast && slow_enter(t) != ENTER_TRACK)
			t = NULL; /* account through the shared orphan shard */
		account(t, site, h->size, -1);
	}
	h->tag = 0; /* a double free no longer looks like ours */
	real_free(base);
}

/* The caller's frame pointer, read from our own frame's saved %rbp. */
#define FRAME() ((uintptr_t *)*(uintptr_t *)__builtin_frame_address(0))
#define RET0()	((uintptr_t)__builtin_return_address(0))

/* The tracked path. */
static inline __attribute__((always_inline)) void *
tracked_body(mt_thread *t, size_t size, size_t align, int zero, uintptr_t *fp, uintptr_t ret0)
{
	uintptr_t frames[MT_MAX_DEPTH];
	unsigned n, al2 = 0;
	uint32_t site;
	void *base;
	if (align > 16) {
		while (((size_t)1 << al2) < align)
			al2++;
		if (size > SIZE_MAX - align)
			goto too_big;
	} else if (size > SIZE_MAX - MT_HDR) {
		goto too_big;
	}
	n = unwind(t, frames, fp, ret0);
	site = site_find(frames, n);
	if (al2)
		base = real_memalign(align, size + ((size_t)1 << al2));
	else if (zero)
		base = real_calloc(1, size + MT_HDR);
	else
		base = real_malloc(size + MT_HDR);
	if (base && zero && al2)
		memset((unsigned char *)base + ((size_t)1 << al2), 0, size);
	return finish(t, base, size, site, al2);
too_big:
	errno = ENOMEM; /* as malloc says it: callers test errno after NULL */
	return NULL;
}

/* The same out of line, for the allocators that inline alloc_common: their
 * untracked path then keeps a small frame with no stack array, hence no
 * stack-protector canary either. */
static __attribute__((noinline)) void *alloc_tracked(mt_thread *t, size_t size, size_t align,
						     int zero, uintptr_t *fp, uintptr_t ret0)
{
	return tracked_body(t, size, align, zero, fp, ret0);
}

static inline __attribute__((always_inline)) void *alloc_common_(size_t size, size_t align,
								 int zero, uintptr_t *fp,
								 uintptr_t ret0, int inline_tracked)
{
	mt_thread *t = &mt_tls;
	if (UNLIKELY(!t->fast)) {
		switch (slow_enter(t)) {
		case ENTER_BOOT: return boot_alloc(size, align); /* boot memory is zeroed */
		case ENTER_REAL: goto untracked;
		default: break;
		}
	}
	if (!want(t, size))
		goto untracked;
	if (inline_tracked)
		return tracked_body(t, size, align, zero, fp, ret0);
	return alloc_tracked(t, size, align, zero, fp, ret0);
untracked:
	if (UNLIKELY(align > 16)) {
		void *p = real_memalign(align, size);
		if (p && zero)
			memset(p, 0, size);
		return p;
	}
	return zero ? real_calloc(1, size) : real_malloc(size);
}

#define alloc_common(size, align, zero, fp, ret0) alloc_common_(size, align, zero, fp, ret0, 0)

/* malloc and calloc past the sampling fast path: out of line already, so
 * the tracked path is inlined here (full mode takes this path every time). */
static __attribute__((noinline)) void *alloc_slow(size_t size, int zero, uintptr_t *fp,
						  uintptr_t ret0)
{
	return alloc_common_(size, 0, zero, fp, ret0, 1);
}

/* The sampling fast path: a ready thread whose byte budget this allocation
 * does not use up is not sampled. Nothing else is done here, and the frame
 * and return address are only taken on the slow path, so the compiler keeps
 * malloc a leaf with no registers to save (it was 13% of a small-block
 * workload's time before, against 2% for free). */
static inline __attribute__((always_inline)) int not_sampled(size_t size)
{
	mt_thread *t = &mt_tls;
	int64_t left;
	if (UNLIKELY(!t->fast) || UNLIKELY(!mt_g.sample))
		return 0;
	left = t->until_sample - (int64_t)size;
	if (UNLIKELY(left <= 0))
		return 0;
	t->until_sample = left;
	return 1;
}

EXPORT void *malloc(size_t size)
{
	if (LIKELY(not_sampled(size)))
		return real_malloc(size);
	return alloc_slow(size, 0, FRAME(), RET0());
}

EXPORT void *calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	if (LIKELY(not_sampled(n * size)))
		return real_calloc(n, size);
	return alloc_slow(n * size, 1, FRAME(), RET0());
}

EXPORT void free(void *p)
{
	uint64_t tag;
	if (!p)
		return;
	/* Boot blocks read as foreign here: their tag word is never written. */
	tag = ((const uint64_t *)p)[-1];
	if (LIKELY(!MT_IS_OURS(tag))) {
		if (UNLIKELY(is_boot(p)))
			return;
		if (UNLIKELY(!real_free))
			init();
		real_free(p);
		return;
	}
	release(&mt_tls, p, tag);
}

static size_t block_size(void *p)
{
	uint64_t tag;
	if (is_boot(p))
		return (size_t)((uint64_t *)p)[-2];
	tag = ((const uint64_t *)p)[-1];
	if (MT_IS_OURS(tag))
		return (size_t)((mt_hdr *)((unsigned char *)p - MT_HDR))->size;
	return real_usable(p);
}

static void *realloc_common(void *p, size_t size, uintptr_t *fp, uintptr_t ret0)
{
	mt_thread *t = &mt_tls;
	uintptr_t frames[MT_MAX_DEPTH];
	uint64_t tag;
	unsigned n;
	uint32_t site;
	void *q;
	size_t old;
	int mode;

	if (!p)
		return alloc_common(size, 0, 0, fp, ret0);
	if (size == 0 && !is_boot(p)) {
		free(p); /* glibc's realloc(p, 0) frees and returns NULL */
		return NULL;
	}
	mode = t->fast ? ENTER_TRACK : slow_enter(t);
	if (mode == ENTER_BOOT || is_boot(p)) {
		old = block_size(p);
		q = mode == ENTER_BOOT ? boot_alloc(size, 16) : alloc_common(size, 0, 0, fp, ret0);
		if (q)
			memcpy(q, p, old < size ? old : size);
		return q;
	}
	tag = ((const uint64_t *)p)[-1];
	if (mode == ENTER_REAL) {
		if (!MT_IS_OURS(tag))
			return real_realloc(p, size);
		goto move; /* our block, reallocated by the tracker's own code: keep it ours */
	}
	if (!want(t, size)) {
		if (!MT_IS_OURS(tag))
			return real_realloc(p, size);
		if (MT_TAG_ALIGN_LOG2(tag) == 0 && size <= SIZE_MAX - MT_HDR) {
			/* Keep the header, tracked no more. */
			mt_hdr *h = (mt_hdr *)((unsigned char *)p - MT_HDR);
			uint64_t osize = h->size;
			uint32_t osite = MT_TAG_SITE(tag);
			q = real_realloc(h, size + MT_HDR);
			if (!q)
				return NULL;
			if (osite)
				account(t, osite, osize, -1);
			h = q;
			h->size = size;
			h->tag = MT_TAG(0, 0);
			return (unsigned char *)q + MT_HDR;
		}
		goto move;
	}
	if (size > SIZE_MAX - MT_HDR) {
		errno = ENOMEM;
		return NULL;
	}
	n = unwind(t, frames, fp, ret0);
	site = site_find(frames, n);
	if (MT_IS_OURS(tag) && MT_TAG_ALIGN_LOG2(tag) == 0) {
		mt_hdr *h = (mt_hdr *)((unsigned char *)p - MT_HDR);
		uint64_t osize = h->size;
		uint32_t osite = MT_TAG_SITE(tag);
		q = real_realloc(h, size + MT_HDR);
		if (!q)
			return NULL;
		if (osite)
			account(t, osite, osize, -1);
		return finish(t, q, size, site, 0);
	}
	/* A foreign or aligned block becomes a tracked one: a copy. */
	q = finish(t, real_malloc(size + MT_HDR), size, site, 0);
	if (!q)
		return NULL;
	old = block_size(p);
	memcpy(q, p, old < size ? old : size);
	free(p);
	return q;
move:
	/* An untracked copy of a tracked aligned block (or one the guard holds). */
	q = real_malloc(size);
	if (!q)
		return NULL;
	old = block_size(p);
	memcpy(q, p, old < size ? old : size);
	free(p);
	return q;
}

EXPORT void *realloc(void *p, size_t size)
{
	return realloc_common(p, size, FRAME(), RET0());
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc_common(p, n * size, FRAME(), RET0());
}

static size_t fix_align(size_t align)
{
	size_t a = 16;
	while (a < align && a < ((size_t)1 << 40))
		a <<= 1;
	return a;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;
	if (align < sizeof(void *) || (align & (align - 1)) || align > ((size_t)1 << 40))
		return EINVAL;
	p = alloc_common(size, fix_align(align), 0, FRAME(), RET0());
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (align == 0 || (align & (align - 1)) || align > ((size_t)1 << 40)) {
		errno = EINVAL;
		return NULL;
	}
	return alloc_common(size, fix_align(align), 0, FRAME(), RET0());
}

EXPORT void *memalign(size_t align, size_t size)
{
	if (align > ((size_t)1 << 40)) {
		errno = EINVAL;
		return NULL;
	}
	return alloc_common(size, fix_align(align), 0, FRAME(), RET0());
}

EXPORT void *valloc(size_t size)
{
	return alloc_common(size, (size_t)sysconf(_SC_PAGESIZE), 0, FRAME(), RET0());
}

EXPORT void *pvalloc(size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	if (size > SIZE_MAX - pg)
		return NULL;
	return alloc_common((size + pg - 1) & ~(pg - 1), pg, 0, FRAME(), RET0());
}

EXPORT size_t malloc_usable_size(void *p)
{
	uint64_t tag;
	if (!p)
		return 0;
	if (is_boot(p))
		return (size_t)((uint64_t *)p)[-2];
	if (UNLIKELY(!real_usable))
		init();
	tag = ((const uint64_t *)p)[-1];
	if (MT_IS_OURS(tag)) {
		unsigned al2 = MT_TAG_ALIGN_LOG2(tag);
		size_t off = al2 ? ((size_t)1 << al2) : MT_HDR;
		return real_usable((unsigned char *)p - off) - off;
	}
	return real_usable(p);
}

/* ---- sums, fork, exit --------------------------------------------------------- */
void mt_site_sum(uint32_t id, mt_counters *out)
{
	mt_shard *s;
	memset(out, 0, sizeof(*out));
	for (s = __atomic_load_n(&mt_g.shards, __ATOMIC_ACQUIRE); s; s = s->next_all) {
		const mt_counters *c = &s->c[id];
		out->live_bytes += __atomic_load_n(&c->live_bytes, __ATOMIC_RELAXED);
		out->live_count += __atomic_load_n(&c->live_count, __ATOMIC_RELAXED);
		out->total_bytes += __atomic_load_n(&c->total_bytes, __ATOMIC_RELAXED);
		out->total_count += __atomic_load_n(&c->total_count, __ATOMIC_RELAXED);
	}
	if (mt_g.orphan.c) {
		const mt_counters *c = &mt_g.orphan.c[id];
		out->live_bytes += __atomic_load_n(&c->live_bytes, __ATOMIC_RELAXED);
		out->live_count += __atomic_load_n(&c->live_count, __ATOMIC_RELAXED);
		out->total_bytes += __atomic_load_n(&c->total_bytes, __ATOMIC_RELAXED);
		out->total_count += __atomic_load_n(&c->total_count, __ATOMIC_RELAXED);
	}
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&mt_report_lock);
	pthread_mutex_lock(&mt_g.lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&mt_g.lock);
	pthread_mutex_unlock(&mt_report_lock);
}

static void fork_child(void)
{
	mt_shard *s, *mine = mt_tls.shard;
	int active = 0;
	/* Only this thread survived: adopt the others' unpublished heap deltas
	 * and free their shards (their counters stay in the sums). */
	for (s = mt_g.shards; s; s = s->next_all) {
		if (s == mine) {
			active++;
			continue;
		}
		if (s->in_use) {
			publish(s->pending);
			s->pending = 0;
			s->in_use = 0;
			s->next_free = mt_g.free_shards;
			mt_g.free_shards = s;
		}
	}
	mt_g.active = active;
	pthread_mutex_init(&mt_g.lock, NULL);
	pthread_mutex_init(&mt_report_lock, NULL);
	/* The parent's marker descriptor came along (without its lock). */
	if (run_fd >= 0)
		close(run_fd);
	mark_running();
}

/* "PREFIX.PID" and then suffix into path (sizeof(mt_g.out) + 32 bytes),
 * without snprintf's locale machinery. */
static void report_path(char *path, const char *suffix)
{
	char tmp[24];
	size_t n = strlen(mt_g.out), k = 0;
	unsigned long v = (unsigned long)getpid();
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(path, mt_g.out, n);
	path[n++] = '.';
	while (k)
		path[n++] = tmp[--k];
	memcpy(path + n, suffix, strlen(suffix) + 1);
}

/* "PREFIX.PID.run": this process's marker, holding the program it runs
 * (/proc/self/exe) and a write lock for as long as it runs. A POSIX record
 * lock belongs to the process: the kernel drops it however the process ends
 * (a signal too) and at exec (the descriptor is close-on-exec; the new
 * program's tracker takes it again), and a forked child does not inherit it.
 * So the reader tells a process still running (locked) from one that ended
 * without a report (unlocked, no report). run_fd is its descriptor. */

static void mark_running(void)
{
	char path[sizeof(mt_g.out) + 32], exe[4096];
	struct flock lk;
	ssize_t n;
	if (!mt_g.out[0] || !mark_wanted)
		return;
	report_path(path, MT_RUN_SUFFIX);
	run_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (run_fd < 0)
		return;
	memset(&lk, 0, sizeof(lk));
	lk.l_type = F_WRLCK;
	lk.l_whence = SEEK_SET;
	if (fcntl(run_fd, F_SETLK, &lk) != 0) {
		close(run_fd);
		run_fd = -1;
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe));
	if (n > 0 && write(run_fd, exe, (size_t)n) != n) {
		/* a marker without the name still says the process runs */
	}
}

static void write_exit_report(void)
{
	char path[sizeof(mt_g.out) + 32];
	int fd, prev;
	if (!mt_g.out[0] || __atomic_load_n(&state, __ATOMIC_ACQUIRE) != ST_READY)
		return;
	report_path(path, "");
	prev = mt_guard_enter();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		mt_report_write(fd);
		close(fd);
	}
	if (run_fd >= 0) {
		report_path(path, MT_RUN_SUFFIX);
		unlink(path);
	}
	mt_guard_leave(prev);
}

static int written;

/* The report is written as late as possible: from the destructor, which the
 * dynamic loader runs after the program's atexit handlers and the destructors
 * of libraries loaded after the tracker, so what they free is not a leak. */
__attribute__((destructor)) static void mt_destructor(void)
{
	if (__atomic_exchange_n(&written, 1, __ATOMIC_ACQ_REL))
		return;
	write_exit_report();
}

/* ---- control entry points for libperfdb (found with dlsym) ------------------------ */
EXPORT int perfdb_memtrack__abi(void)
{
	return MT_FORMAT_VERSION;
}

EXPORT int perfdb_memtrack__write(int fd)
{
	int prev, rc;
	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != ST_READY)
		return -1;
	prev = mt_guard_enter();
	rc = mt_report_write(fd);
	mt_guard_leave(prev);
	return rc;
}

EXPORT int perfdb_memtrack__quiet_enter(void)
{
	return mt_guard_enter();
}

EXPORT void perfdb_memtrack__quiet_leave(int prev)
{
	mt_guard_leave(prev);
}

EXPORT void perfdb_memtrack__enable(int on)
{
	__atomic_store_n(&mt_g.enabled, on ? 1 : 0, __ATOMIC_RELAXED);
}

EXPORT void perfdb_memtrack__reset_peak(void)
{
	int64_t h = __atomic_load_n(&mt_g.heap, __ATOMIC_RELAXED);
	__atomic_store_n(&mt_g.peak, h, __ATOMIC_RELAXED);
	__atomic_store_n(&mt_g.peak_untimed, 1, __ATOMIC_RELAXED);
}
