/*
 * series.c - reading commits and series back for the analysis.
 *
 * read_series must stay fast on a million results: it reads the small
 * tables (benchmarks, machines, runs) whole, then walks results and samples
 * run by run along their primary keys (no sort in SQLite), and groups rows
 * into series with a hash table in C. regress reads lazily
 * (perfdb_store__read_series): the series' points are made one series at
 * a time as it looks at each, in the order the entries are kept.
 */
#include "store/history.h"
#include "store/blocks.h"

#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "perfdb/history.h"
#include "perfdb/stats.h"
#include "util/arena.h"
#include "util/error.h"

/* ---- small helpers ---------------------------------------------------------- */

static char *dup_text(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- commits ------------------------------------------------------------------ */

void perfdb_commit_list_free(perfdb_commit_list *list)
{
	size_t i;
	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].sha);
		free((char *)list->items[i].committed_at);
		free((char *)list->items[i].subject);
		free((char *)list->items[i].author);
	}
	free(list->items);
	free(list);
}

int perfdb_store_commits(perfdb_commit_list **out, perfdb_store *store)
{
	/* Commit time orders the history only when every commit has one;
	 * a mix would interleave dated and undated commits arbitrarily. Then
	 * the time of a commit's first run: the time of recording, unless the
	 * run says when it was made (--time backfills, Google Benchmark's
	 * context.date), so a history backfilled in any order is in order. */
	static const char sql[] =
	    "SELECT id, seq, sha, committed_at, subject, author FROM commits ORDER BY "
	    "CASE WHEN (SELECT count(*) FROM commits WHERE committed_at IS NULL) = 0 "
	    "THEN committed_at END, "
	    "(SELECT min(started_at) FROM runs WHERE runs.commit_id = commits.id), seq";
	perfdb_stmt *st = NULL;
	perfdb_commit_list *l;
	size_t cap = 0;
	int rc, err = 0;

	*out = NULL;
	if (!(l = calloc(1, sizeof(*l))))
		return perfdb_error__oom();
	if ((err = perfdb_store__prepare(store, &st, sql)) < 0)
		goto fail;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		perfdb_commit_info *c;
		if (l->count == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			perfdb_commit_info *p = realloc(l->items, ncap * sizeof(*p));
			if (!p) {
				err = perfdb_error__oom();
				goto fail;
			}
			l->items = p;
			cap = ncap;
		}
		c = &l->items[l->count++];
		memset(c, 0, sizeof(*c));
		c->id = perfdb_stmt__column_int64(st, 0);
		c->seq = perfdb_stmt__column_int64(st, 1);
		c->sha = dup_text(perfdb_stmt__column_text(st, 2));
		c->committed_at = dup_text(perfdb_stmt__column_text(st, 3));
		c->subject = dup_text(perfdb_stmt__column_text(st, 4));
		c->author = dup_text(perfdb_stmt__column_text(st, 5));
		if (!c->sha) {
			err = perfdb_error__oom();
			goto fail;
		}
	}
	if (rc != PERFDB_DB_DONE) {
		err = perfdb_store__fail(store, "cannot read commits from");
		goto fail;
	}
	perfdb_stmt__free(st);
	*out = l;
	return 0;
fail:
	perfdb_stmt__free(st);
	perfdb_commit_list_free(l);
	return err;
}

int perfdb_store__find_commit(int64_t *id, char **sha, perfdb_store *store, const char *rev)
{
	perfdb_stmt *st = NULL;
	int rc, err, found = 0;
	int64_t fid = 0;
	char *fsha = NULL;

	if (sha)
		*sha = NULL;
	if (!rev || !*rev)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no revision given");
	/* Exact first, then a prefix: substr() compares bytes, like git does. */
	if ((err = perfdb_store__prepare(store, &st,
					 "SELECT id, sha FROM commits WHERE sha = ?1 UNION ALL "
					 "SELECT id, sha FROM commits WHERE length(?1) >= 4 AND "
					 "substr(sha, 1, length(?1)) = ?1 AND sha <> ?1 LIMIT 3")) <
	    0)
		return err;
	perfdb_stmt__bind_text(st, 1, rev);
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		const char *s = perfdb_stmt__column_text(st, 1);
		if (s && strcmp(s, rev) == 0) { /* exact match wins */
			found = 1;
			fid = perfdb_stmt__column_int64(st, 0);
			free(fsha);
			fsha = dup_text(s);
			break;
		}
		if (found++ == 0) {
			fid = perfdb_stmt__column_int64(st, 0);
			fsha = dup_text(s);
		}
	}
	if (rc != PERFDB_DB_ROW && rc != PERFDB_DB_DONE) {
		err = perfdb_store__fail(store, "cannot read commits from");
		perfdb_stmt__free(st);
		free(fsha);
		return err;
	}
	perfdb_stmt__free(st);
	if (found == 0) {
		free(fsha);
		return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for commit '%s'",
					 rev);
	}
	if (found > 1) {
		free(fsha);
		return perfdb_error__set(PERFDB_EINVAL, "revision '%s' is ambiguous", rev);
	}
	if (!fsha)
		return perfdb_error__oom();
	*id = fid;
	if (sha)
		*sha = fsha;
	else
		free(fsha);
	return 0;
}

/* ---- series ------------------------------------------------------------------------- */

typedef struct bench_row {
	int64_t id;
	char *name, *metric, *unit;
	perfdb_direction direction;
	int wanted;
	/* the series of this benchmark last looked up (load_results): runs of
	 * one machine and tags find it again without the hash table */
	int64_t last_machine;
	size_t last_tags, last_series; /* last_series: index + 1, 0 = none */
} bench_row;

typedef struct machine_row {
	int64_t id;
	char *name;
} machine_row;

/* commit id -> position in the query's order */
typedef struct commit_pos {
	int64_t id;
	size_t pos;
} commit_pos;

typedef struct run_row {
	int64_t id, machine_id;
	size_t pos;
	size_t tags; /* index into the interned tags */
	int pooled;  /* another run has the same commit, machine and tags */
} run_row;

/* One (run, benchmark) result on its way into a series: 40 bytes, as
 * there are millions (a wide history's 2.1M took 10% of regress in page
 * faults alone, at 48 bytes). */
#define MAX_POS	 ((1u << 30) - 1) /* commits of one read at most */
#define MAX_SOFF UINT32_MAX	  /* samples read at most */
typedef struct entry {
	uint32_t series;
	uint32_t pos : 30;
	/* known: its samples' statistics (from the result's row or from the
	 * samples read); read: its samples are read */
	uint32_t known : 1, read : 1;
	double value;
	/* its samples: their median and median absolute deviation */
	double median, mad;
	uint32_t soff; /* read: where its samples are in the raw buffer */
	uint32_t ns;   /* how many */
} entry;

typedef struct series_key {
	int64_t bench, machine;
	size_t tags;
} series_key;

/* A series' entries: order[first .. first + count), by commit position. */
typedef struct series_span {
	size_t first, count;
	size_t npoints;
	size_t samples; /* of its entries whose samples were read */
} series_span;

/*
 * The points of a series are made from its entries (make_points): for every
 * series at the end of the read, or, in a read for one pass over many
 * series (perfdb_store__read_series, lazy), only when one is asked for: a
 * wide history's 2.1M points are 151 MB of memory faulted in for one look
 * each, where its entries are 84 MB already there.
 */
struct perfdb_series_set {
	perfdb_series *series;
	size_t count;
	series_span *spans;	     /* by series */
	size_t *visit;		     /* lazy: the series in the order their entries are kept */
	int lazy;		     /* series[i].points made on demand, each its own block */
	perfdb_series_point *points; /* not lazy: every series' points */
	double *samples;	     /* not lazy: pooled points' samples */
	double *run_values;	     /* not lazy: pooled points' runs' values */
	entry *entries;
	uint32_t *order; /* the entries in series order */
	size_t nentries;
	double *raw;  /* the samples read: entry.soff */
	int64_t *ids; /* commit id by position */
	bench_row *benches;
	size_t nbenches;
	perfdb_arena names; /* the benchmarks' names, metrics and units */
	machine_row *machines;
	size_t nmachines;
	perfdb_tags **tags;
	size_t ntags;
	size_t runs_from_blocks;
};

typedef struct reader {
	perfdb_store *store;
	perfdb_series_set *set;
	commit_pos *pos_of_commit; /* sorted by id */
	size_t ncommit_ids;
	run_row *runs;
	size_t nruns, capruns;
	entry *entries;
	size_t nentries, capentries;
	uint32_t *order; /* the entries in series order (sort_entries) */
	double *raw;
	size_t nraw, capraw;
	double *scratch; /* for a median */
	size_t capscratch;
	/* series index + 1 by hash of its key, 0 = empty: 4-byte slots, so
	 * the table of 100k series stays in cache (at 32, a new series' probe
	 * waited on memory, 20% of reading the results) */
	uint32_t *table;
	size_t tablecap;
	size_t nseries;
	series_key *keys; /* by series index */
	size_t capkeys;
} reader;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *np;
	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (!(np = realloc(*p, ncap * size)))
		return perfdb_error__oom();
	*p = np;
	*cap = ncap;
	return 0;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint64_t key_hash(int64_t bench, int64_t machine, size_t tags)
{
	return mix((uint64_t)bench * 1000003u ^ (uint64_t)machine * 7919u ^ tags);
}

/* Puts the series keys[0..n) into table (cap slots, a power of two). */
static void table_fill(uint32_t *table, size_t cap, const series_key *keys, size_t n)
{
	size_t k;
	for (k = 0; k < n; k++) {
		size_t j = key_hash(keys[k].bench, keys[k].machine, keys[k].tags) & (cap - 1);
		while (table[j])
			j = (j + 1) & (cap - 1);
		table[j] = (uint32_t)(k + 1);
	}
}

/* Room for the series the wanted benchmarks make at least (one each), at
 * once: a table grown by doubling as they came was built four times over. */
static int reserve_series(reader *r)
{
	size_t k, want = 0, cap = 1024;
	for (k = 0; k < r->set->nbenches; k++)
		want += r->set->benches[k].wanted != 0;
	while (cap <= want * 2)
		cap *= 2;
	if (!(r->table = calloc(cap, sizeof(*r->table))))
		return perfdb_error__oom();
	r->tablecap = cap;
	return grow((void **)&r->keys, &r->capkeys, want, sizeof(*r->keys));
}

static int series_index(reader *r, int64_t bench, int64_t machine, size_t tags, size_t *out)
{
	uint64_t h;
	size_t i;
	int err;
	if (r->nseries >= UINT32_MAX - 1)
		return perfdb_error__oom();
	if (r->nseries * 2 >= r->tablecap) {
		size_t ncap = r->tablecap ? r->tablecap * 2 : 1024;
		uint32_t *nt = calloc(ncap, sizeof(*nt));
		if (!nt)
			return perfdb_error__oom();
		table_fill(nt, ncap, r->keys, r->nseries);
		free(r->table);
		r->table = nt;
		r->tablecap = ncap;
	}
	h = key_hash(bench, machine, tags);
	for (i = h & (r->tablecap - 1); r->table[i]; i = (i + 1) & (r->tablecap - 1)) {
		const series_key *k = &r->keys[r->table[i] - 1];
		if (k->bench == bench && k->machine == machine && k->tags == tags) {
			*out = r->table[i] - 1;
			return 0;
		}
	}
	if ((err = grow((void **)&r->keys, &r->capkeys, r->nseries + 1, sizeof(*r->keys))) < 0)
		return err;
	r->table[i] = (uint32_t)(r->nseries + 1);
	r->keys[r->nseries] = (series_key){bench, machine, tags};
	*out = r->nseries++;
	return 0;
}

/* Ids are not dense (the store may hash them), so the small tables are
 * sorted arrays searched by id. */
static int cmp_bench(const void *a, const void *b)
{
	int64_t x = ((const bench_row *)a)->id, y = ((const bench_row *)b)->id;
	return (x > y) - (x < y);
}

static const bench_row *find_bench(const perfdb_series_set *set, int64_t id)
{
	bench_row key;
	key.id = id;
	return bsearch(&key, set->benches, set->nbenches, sizeof(key), cmp_bench);
}

/* As find_bench, trying *cursor first (a run's results come in benchmark
 * id order, as the benchmarks are sorted); *cursor moves past the hit. */
static bench_row *next_bench(perfdb_series_set *set, int64_t id, size_t *cursor)
{
	bench_row *b = *cursor < set->nbenches && set->benches[*cursor].id == id
			   ? &set->benches[*cursor]
			   : (bench_row *)find_bench(set, id);
	if (b)
		*cursor = (size_t)(b - set->benches) + 1;
	return b;
}

/* The series of benchmark b in run: the one b last found, or the table's. */
static int bench_series(reader *r, bench_row *b, const run_row *run, size_t *out)
{
	int err;
	if (b->last_series && b->last_machine == run->machine_id && b->last_tags == run->tags) {
		*out = b->last_series - 1;
		return 0;
	}
	if ((err = series_index(r, b->id, run->machine_id, run->tags, out)) < 0)
		return err;
	b->last_machine = run->machine_id;
	b->last_tags = run->tags;
	b->last_series = *out + 1;
	return 0;
}

/* A column's text in the set's arena ("" for NULL). */
static char *arena_text(perfdb_series_set *set, const char *s)
{
	return perfdb_arena__strdup(&set->names, s ? s : "");
}

static int load_benchmarks(reader *r, const char *glob)
{
	perfdb_stmt *st = NULL;
	perfdb_series_set *set = r->set;
	size_t cap = 0;
	int rc, err;
	if ((err = perfdb_store__prepare(
		 r->store, &st,
		 "SELECT id, name, metric, unit, higher_is_better FROM benchmarks "
		 "ORDER BY id")) < 0)
		return err;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		bench_row *b;
		if ((err = grow((void **)&set->benches, &cap, set->nbenches + 1,
				sizeof(*set->benches))) < 0) {
			perfdb_stmt__free(st);
			return err;
		}
		b = &set->benches[set->nbenches++];
		memset(b, 0, sizeof(*b));
		b->id = perfdb_stmt__column_int64(st, 0);
		/* in the set's arena: 300k strings of a wide history were as
		 * many mallocs and frees */
		b->name = arena_text(set, perfdb_stmt__column_text(st, 1));
		b->metric = arena_text(set, perfdb_stmt__column_text(st, 2));
		b->unit = arena_text(set, perfdb_stmt__column_text(st, 3));
		b->direction = perfdb_stmt__column_int64(st, 4) ? PERFDB_HIGHER_IS_BETTER
								: PERFDB_LOWER_IS_BETTER;
		if (!b->name || !b->metric || !b->unit) {
			perfdb_stmt__free(st);
			return perfdb_error__oom();
		}
		b->wanted = !glob || fnmatch(glob, b->name, 0) == 0;
	}
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(r->store, "cannot read benchmarks from");
	return 0;
}

static int cmp_machine(const void *a, const void *b)
{
	int64_t x = ((const machine_row *)a)->id, y = ((const machine_row *)b)->id;
	return (x > y) - (x < y);
}

static int load_machines(reader *r, const char *machine, int64_t *machine_id)
{
	perfdb_stmt *st = NULL;
	perfdb_series_set *set = r->set;
	size_t cap = 0;
	int rc, err, found = 0;
	*machine_id = 0;
	if ((err = perfdb_store__prepare(r->store, &st,
					 "SELECT id, name FROM machines ORDER BY id")) < 0)
		return err;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		machine_row *m;
		if ((err = grow((void **)&set->machines, &cap, set->nmachines + 1,
				sizeof(*set->machines))) < 0) {
			perfdb_stmt__free(st);
			return err;
		}
		m = &set->machines[set->nmachines++];
		m->id = perfdb_stmt__column_int64(st, 0);
		if (!(m->name = dup_text(perfdb_stmt__column_text(st, 1)))) {
			perfdb_stmt__free(st);
			return perfdb_error__oom();
		}
		if (machine && strcmp(machine, m->name) == 0) {
			*machine_id = m->id;
			found = 1;
		}
	}
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(r->store, "cannot read machines from");
	if (machine && !found)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded on machine '%s'",
					 machine);
	return 0;
}

static int intern_tags(reader *r, const char *tags, size_t *out)
{
	perfdb_series_set *set = r->set;
	size_t i, cap = set->ntags;
	int err;
	if (!tags)
		tags = "{}";
	for (i = 0; i < set->ntags; i++)
		if (strcmp(perfdb_tags_json(set->tags[i]), tags) == 0) {
			*out = i;
			return 0;
		}
	if ((err = grow((void **)&set->tags, &cap, set->ntags + 1, sizeof(*set->tags))) < 0)
		return err;
	if ((err = perfdb_store__tags_new(&set->tags[set->ntags], tags)) < 0)
		return err;
	*out = set->ntags++;
	return 0;
}

static int cmp_commit_pos(const void *a, const void *b)
{
	int64_t x = ((const commit_pos *)a)->id, y = ((const commit_pos *)b)->id;
	return (x > y) - (x < y);
}

static int load_runs(reader *r, const char *machine, int64_t machine_id)
{
	perfdb_stmt *st = NULL;
	int rc, err;
	if ((err = perfdb_store__prepare(r->store, &st,
					 "SELECT id, commit_id, machine_id, tags FROM runs "
					 "ORDER BY id")) < 0)
		return err;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		int64_t cid = perfdb_stmt__column_int64(st, 1),
			mid = perfdb_stmt__column_int64(st, 2);
		size_t pos;
		run_row *run;
		commit_pos key, *hit;
		if (machine && mid != machine_id)
			continue;
		key.id = cid;
		hit = bsearch(&key, r->pos_of_commit, r->ncommit_ids, sizeof(key), cmp_commit_pos);
		if (!hit)
			continue;
		pos = hit->pos;
		if ((err = grow((void **)&r->runs, &r->capruns, r->nruns + 1, sizeof(*r->runs))) <
		    0)
			break;
		run = &r->runs[r->nruns++];
		run->id = perfdb_stmt__column_int64(st, 0);
		run->machine_id = mid;
		run->pos = pos;
		run->pooled = 0;
		if ((err = intern_tags(r, perfdb_stmt__column_text(st, 3), &run->tags)) < 0)
			break;
	}
	perfdb_stmt__free(st);
	if (err < 0)
		return err;
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(r->store, "cannot read runs from");
	return 0;
}

/* The median and the median absolute deviation (unscaled) of x, as the
 * analysis has always computed a point's level and spread; scratch holds n. */
static void median_mad(double *median, double *mad, const double *x, size_t n, double *scratch)
{
	memcpy(scratch, x, n * sizeof(*scratch));
	*median = perfdb_stats_median_inplace(scratch, n);
	memcpy(scratch, x, n * sizeof(*scratch));
	*mad = perfdb_stats_mad_inplace(scratch, n);
}

static int cmp_run_group(const void *pa, const void *pb)
{
	const run_row *a = *(const run_row *const *)pa, *b = *(const run_row *const *)pb;
	if (a->pos != b->pos)
		return (a->pos > b->pos) - (a->pos < b->pos);
	if (a->machine_id != b->machine_id)
		return (a->machine_id > b->machine_id) - (a->machine_id < b->machine_id);
	return (a->tags > b->tags) - (a->tags < b->tags);
}

static int cmp_run_pos(const void *pa, const void *pb)
{
	const run_row *a = pa, *b = pb;
	if (a->pos != b->pos)
		return (a->pos > b->pos) - (a->pos < b->pos);
	return (a->id > b->id) - (a->id < b->id);
}

/* Marks the runs whose results may share a point with another run's (the
 * same commit, machine and tags): a point of several runs pools their
 * samples, which only the samples themselves give. */
static int mark_pooled_runs(reader *r)
{
	run_row **by;
	size_t i;
	if (r->nruns < 2)
		return 0;
	if (!(by = malloc(r->nruns * sizeof(*by))))
		return perfdb_error__oom();
	for (i = 0; i < r->nruns; i++)
		by[i] = &r->runs[i];
	qsort(by, r->nruns, sizeof(*by), cmp_run_group);
	for (i = 1; i < r->nruns; i++)
		if (cmp_run_group(&by[i - 1], &by[i]) == 0)
			by[i - 1]->pooled = by[i]->pooled = 1;
	free(by);
	return 0;
}

/* Reads the samples of one run into the raw buffer, for its entries from
 * first on (in benchmark order, as the samples come), and fills the
 * statistics of those whose result did not carry them. */
static int load_samples(reader *r, perfdb_stmt *smp, const run_row *run, size_t first)
{
	size_t k = first, i;
	int rc, err = 0;
	perfdb_stmt__bind_int64(smp, 1, run->id);
	for (i = first; i < r->nentries; i++) {
		r->entries[i].ns = 0;
		r->entries[i].soff = 0;
	}
	while ((rc = perfdb_stmt__step(smp)) == PERFDB_DB_ROW) {
		int64_t bench = perfdb_stmt__column_int64(smp, 0);
		entry *e;
		while (k < r->nentries && r->keys[r->entries[k].series].bench < bench)
			k++;
		if (k == r->nentries)
			break;
		if (r->keys[r->entries[k].series].bench != bench)
			continue; /* a benchmark not wanted */
		e = &r->entries[k];
		if (r->nraw >= MAX_SOFF) {
			err = perfdb_error__oom();
			break;
		}
		if ((err = grow((void **)&r->raw, &r->capraw, r->nraw + 1, sizeof(*r->raw))) < 0)
			break;
		if (!e->ns)
			e->soff = (uint32_t)r->nraw;
		r->raw[r->nraw++] = perfdb_stmt__column_double(smp, 1);
		e->ns++;
	}
	if (err == 0 && rc != PERFDB_DB_DONE && rc != PERFDB_DB_ROW)
		err = perfdb_store__fail(r->store, "cannot read samples from");
	perfdb_stmt__reset(smp);
	for (i = first; i < r->nentries && err == 0; i++) {
		entry *e = &r->entries[i];
		e->read = 1;
		if (e->known || !e->ns)
			continue;
		if ((err = grow((void **)&r->scratch, &r->capscratch, e->ns, sizeof(*r->scratch))) <
		    0)
			break;
		median_mad(&e->median, &e->mad, r->raw + e->soff, e->ns, r->scratch);
		e->known = 1;
	}
	return err;
}

/* Memory about to be written, asked for in one call (Linux 5.14's
 * MADV_POPULATE_WRITE) instead of a page fault a page: a wide history's
 * 2.1M entries were 21k faults (their zeroing stays). Elsewhere, or when
 * refused, the pages fault in as before. */
static void prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE),
		  a = ((uintptr_t)p + page - 1) & ~(page - 1),
		  e = ((uintptr_t)p + len) & ~(page - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

/* The entries are made ahead this many at a time (their room is an upper
 * bound: reserve_entries). */
#define PREFAULT_ENTRIES ((size_t)1 << 15)

static void prefault_entries(reader *r)
{
	size_t n = r->capentries - r->nentries;
	prefault(r->entries + r->nentries,
		 (n < PREFAULT_ENTRIES ? n : PREFAULT_ENTRIES) * sizeof(*r->entries));
}

/* Adds result x of run, when its benchmark is wanted; *unknown is set when
 * its samples' statistics are not known. */
static int add_result(reader *r, const run_row *run, size_t *cursor, const perfdb_block_result *x,
		      int *unknown)
{
	bench_row *br = next_bench(r->set, x->benchmark_id, cursor);
	entry *e;
	size_t s = 0;
	int err;
	if (!br || !br->wanted)
		return 0;
	if ((err = bench_series(r, br, run, &s)) < 0 ||
	    (err = grow((void **)&r->entries, &r->capentries, r->nentries + 1,
			sizeof(*r->entries))) < 0)
		return err;
	if (r->nentries % PREFAULT_ENTRIES == 0)
		prefault_entries(r);
	e = &r->entries[r->nentries++];
	memset(e, 0, sizeof(*e));
	e->series = (uint32_t)s;
	e->pos = (uint32_t)run->pos & MAX_POS; /* < MAX_POS: see read_series */
	e->value = x->value;
	/* count 0: no samples; NULL (or a statistic missing): not known, the
	 * samples tell */
	if (!(x->nulls & PERFDB_BLOCK_NO_COUNT)) {
		e->ns = x->sample_count;
		e->known =
		    e->ns == 0 || !(x->nulls & (PERFDB_BLOCK_NO_MEDIAN | PERFDB_BLOCK_NO_MAD));
		e->median = x->sample_median;
		e->mad = x->sample_mad;
	}
	*unknown |= !e->known;
	return 0;
}

/* Forgets the series made since the first keep of them (a run whose blocks
 * turned out bad half-way is read again from its rows). */
static void forget_series(reader *r, size_t keep)
{
	size_t k;
	if (keep == r->nseries)
		return;
	r->nseries = keep;
	memset(r->table, 0, r->tablecap * sizeof(*r->table));
	table_fill(r->table, r->tablecap, r->keys, keep);
	for (k = 0; k < r->set->nbenches; k++)
		if (r->set->benches[k].last_series > keep)
			r->set->benches[k].last_series = 0;
}

/* Merges the run's entries [first, mid) and [mid, end), each in benchmark
 * order, into one (a run written in several blocks). */
static int merge_chunks(reader *r, size_t first, size_t mid)
{
	size_t end = r->nentries, a = first, b = mid, k = 0;
	entry *tmp = malloc((end - first) * sizeof(*tmp));
	if (!tmp)
		return perfdb_error__oom();
	while (a < mid || b < end) {
		int from_a = b == end || (a < mid && r->keys[r->entries[a].series].bench <
							 r->keys[r->entries[b].series].bench);
		tmp[k++] = r->entries[from_a ? a++ : b++];
	}
	memcpy(r->entries + first, tmp, (end - first) * sizeof(*tmp));
	free(tmp);
	return 0;
}

/* Reads a run's results from its blocks (schema/0009): *used says whether
 * it had blocks that all check; if not, nothing is added. */
static int read_blocks(reader *r, perfdb_stmt *blk, const run_row *run, int *unknown, int *used)
{
	size_t first = r->nentries, keep = r->nseries, nchunks = 0;
	int rc, err = 0, bad = 0;
	*used = 0;
	perfdb_stmt__bind_int64(blk, 1, run->id);
	while (!err && !bad && (rc = perfdb_stmt__step(blk)) == PERFDB_DB_ROW) {
		size_t len = 0, n = 0, k, cursor = 0, start = r->nentries, off = 0;
		const void *data = perfdb_stmt__column_blob(blk, 1, &len);
		perfdb_block_result x;
		/* a run being written (never committed so) or a block that does
		 * not check: the rows tell */
		if (perfdb_stmt__column_int64(blk, 0) == PERFDB_BLOCK_OPEN_CHUNK ||
		    !perfdb_store__block_check(data, len, &n)) {
			bad = 1;
			break;
		}
		for (k = 0; k < n && !err; k++) {
			off = perfdb_store__block_get(data, off, &x);
			err = add_result(r, run, &cursor, &x, unknown);
		}
		/* chunks written in id order (perfdb_store_record) follow
		 * each other; others are merged */
		if (!err && nchunks++ && start > first && r->nentries > start &&
		    r->keys[r->entries[start].series].bench <
			r->keys[r->entries[start - 1].series].bench)
			err = merge_chunks(r, first, start);
	}
	if (!err && !bad && rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(r->store, "cannot read result blocks from");
	perfdb_stmt__reset(blk);
	if (err)
		return err;
	if (bad) {
		r->nentries = first;
		forget_series(r, keep);
		*unknown = 0;
		return 0;
	}
	*used = nchunks > 0;
	return 0;
}

/* Reads a run's results from its rows, along their primary key. */
static int read_rows(reader *r, perfdb_stmt *res, const run_row *run, int *unknown)
{
	size_t cursor = 0;
	int rc, err = 0;
	perfdb_stmt__bind_int64(res, 1, run->id);
	while (!err && (rc = perfdb_stmt__step(res)) == PERFDB_DB_ROW) {
		perfdb_block_result x;
		perfdb_store__block_result_of_row(&x, res);
		err = add_result(r, run, &cursor, &x, unknown);
	}
	if (!err && rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(r->store, "cannot read results from");
	perfdb_stmt__reset(res);
	return err;
}

static int cmp_run_id(const void *pa, const void *pb)
{
	int64_t x = ((const run_row *)pa)->id, y = ((const run_row *)pb)->id;
	return (x > y) - (x < y);
}

/* Makes room for the results the wanted runs' blocks hold, at once (the
 * runs are in id order): growing the entries by doubling copied them time
 * after time into memory faulted in anew, 70% of a wide read's page faults.
 * The lengths come from the blocks' rows without their contents. */
static int reserve_entries(reader *r)
{
	perfdb_stmt *st = NULL;
	size_t total = 0;
	int rc, err;
	if ((err = perfdb_store__prepare(r->store, &st,
					 "SELECT run_id, length(data) FROM result_blocks "
					 "WHERE chunk >= 0")) < 0)
		return err;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		run_row key;
		int64_t len = perfdb_stmt__column_int64(st, 1);
		key.id = perfdb_stmt__column_int64(st, 0);
		if (len > 0 && bsearch(&key, r->runs, r->nruns, sizeof(key), cmp_run_id))
			total += perfdb_store__block_size(len);
	}
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(r->store, "cannot read result blocks from");
	/* (an upper bound, at most about twice the results: the pages not
	 * used are never touched; without the room the reads grow the array
	 * as they go) */
	if (grow((void **)&r->entries, &r->capentries, total, sizeof(*r->entries)) < 0)
		perfdb_error_clear();
	return 0;
}

/* Reads the results of each wanted run, with the statistics of their
 * samples (schema/0008): from the run's blocks (schema/0009), or else from
 * its rows. The samples themselves are read only for the runs that need
 * them: asked for (with_samples), pooled with another run's, or a result
 * that came without its statistics. */
static int load_results(reader *r, int with_samples)
{
	perfdb_stmt *res = NULL, *smp = NULL, *blk = NULL;
	size_t i;
	int err;
	if ((err = perfdb_store__prepare(r->store, &res,
					 "SELECT benchmark_id, value, sample_count, sample_median, "
					 "sample_mad FROM results WHERE run_id = ? "
					 "ORDER BY benchmark_id")) < 0 ||
	    (err = perfdb_store__prepare(r->store, &smp,
					 "SELECT benchmark_id, value FROM samples WHERE run_id = ? "
					 "ORDER BY benchmark_id, idx")) < 0 ||
	    (err = perfdb_store__prepare(r->store, &blk,
					 "SELECT chunk, data FROM result_blocks WHERE run_id = ? "
					 "ORDER BY chunk")) < 0 ||
	    (err = reserve_entries(r)) < 0 || (err = reserve_series(r)) < 0 ||
	    (err = mark_pooled_runs(r)) < 0)
		goto out;
	/* in commit order, so the entries need sorting by series only */
	qsort(r->runs, r->nruns, sizeof(*r->runs), cmp_run_pos);
	for (i = 0; i < r->nruns && err == 0; i++) {
		run_row *run = &r->runs[i];
		size_t first = r->nentries;
		int unknown = 0, used = 0;
		if ((err = read_blocks(r, blk, run, &unknown, &used)) < 0 ||
		    (!used && (err = read_rows(r, res, run, &unknown)) < 0))
			break;
		r->set->runs_from_blocks += (size_t)used;
		if ((with_samples || run->pooled || unknown) && first < r->nentries)
			err = load_samples(r, smp, run, first);
	}
out:
	perfdb_stmt__free(res);
	perfdb_stmt__free(smp);
	perfdb_stmt__free(blk);
	return err;
}

/* Orders the entries by series, commit position and run id into
 * r->order (their indexes): they come in (position, run id) order
 * (load_results reads the runs so), so one stable counting sort by series
 * does it in linear time. Indexes, not the entries: a copy of 2.1M entries
 * was 84 MB of memory faulted in for one pass. (*spans)[s] receives where
 * series s's entries are in the order and how many points they make (an
 * entry whose series had the same position last is pooled into the point
 * before); *npoints the points of all. */
static int sort_entries(reader *r, series_span **spans, size_t *npoints)
{
	size_t *start, i, n = r->nentries;
	uint32_t *last;
	series_span *sp;
	if (n > UINT32_MAX)
		return perfdb_error__oom();
	start = calloc(r->nseries + 1, sizeof(*start));
	last = malloc((r->nseries ? r->nseries : 1) * sizeof(*last));
	sp = calloc(r->nseries ? r->nseries : 1, sizeof(*sp));
	r->order = malloc((n ? n : 1) * sizeof(*r->order));
	if (!start || !last || !sp || !r->order) {
		free(start);
		free(last);
		free(sp);
		return perfdb_error__oom();
	}
	memset(last, 0xff, r->nseries * sizeof(*last)); /* no position is all ones */
	*npoints = 0;
	for (i = 0; i < n; i++) {
		const entry *e = &r->entries[i];
		start[e->series + 1]++;
		sp[e->series].npoints += last[e->series] != e->pos;
		sp[e->series].samples += e->read ? e->ns : 0;
		last[e->series] = e->pos;
	}
	free(last);
	for (i = 0; i < r->nseries; i++) {
		start[i + 1] += start[i];
		sp[i].first = start[i];
		sp[i].count = start[i + 1] - start[i];
		*npoints += sp[i].npoints;
	}
	for (i = 0; i < n; i++)
		r->order[start[r->entries[i].series]++] = (uint32_t)i;
	free(start);
	*spans = sp;
	return 0;
}

/* The k-th entry in series order (sort_entries). */
static const entry *at(const perfdb_series_set *set, size_t k)
{
	return &set->entries[set->order[k]];
}

/*
 * Makes the points of the series whose entries are sp in pts (sp->npoints
 * of them), pooling the runs of a commit. A point of one run refers to its
 * own value as its runs' values and to its samples where they were read;
 * a point of several copies its runs' values into rv (sp->count slots) and
 * their samples into smp (sp->samples at most), and takes its level from them
 * (*scratch grows to hold them).
 */
static int make_points(const perfdb_series_set *set, const series_span *sp,
		       perfdb_series_point *pts, double *rv, double *smp, double **scratch,
		       size_t *capscratch)
{
	size_t i, j, end = sp->first + sp->count, p = 0, ss = 0;
	int err;
	for (i = sp->first; i < end; i = j) {
		perfdb_series_point *pt = &pts[p++];
		const entry *e = at(set, i);
		const double *x;
		double sum = 0;
		size_t k, n;
		for (j = i + 1; j < end && at(set, j)->pos == e->pos; j++)
			;
		memset(pt, 0, sizeof(*pt));
		pt->pos = e->pos;
		pt->commit_id = set->ids[e->pos];
		pt->nruns = j - i;
		pt->nsamples = e->ns;
		if (pt->nruns == 1) {
			pt->value = e->value;
			pt->run_values = &pt->value;
			/* set->raw is NULL when nothing had samples */
			pt->samples = e->read && e->ns ? set->raw + e->soff : NULL;
			pt->level = e->ns ? e->median : e->value;
			pt->mad = e->ns ? e->mad : 0;
			continue;
		}
		/* several runs: from their pooled samples (all read:
		 * mark_pooled_runs), else from their values */
		pt->nsamples = 0;
		pt->samples = smp + ss;
		pt->run_values = rv + (i - sp->first);
		for (k = i; k < j; k++) {
			const entry *y = at(set, k);
			sum += y->value;
			rv[k - sp->first] = y->value;
			pt->nsamples += y->ns;
			if (!y->read || !y->ns)
				continue;
			memcpy(smp + ss, set->raw + y->soff, y->ns * sizeof(*smp));
			ss += y->ns;
		}
		if (!pt->nsamples || !e->read)
			pt->samples = NULL;
		pt->value = sum / (double)pt->nruns;
		x = pt->nsamples ? pt->samples : pt->run_values;
		n = pt->nsamples ? pt->nsamples : pt->nruns;
		if ((err = grow((void **)scratch, capscratch, n, sizeof(**scratch))) < 0)
			return err;
		median_mad(&pt->level, &pt->mad, x, n, *scratch);
	}
	return 0;
}

/* A series on its way to its place in the set: the first 16 bytes of its
 * benchmark's name as two big-endian numbers (zeros after its end), so that
 * sorting 100k series compares numbers side by side in one array instead
 * of following two pointers to strcmp each time (9% of a wide regress). */
typedef struct sort_key {
	uint64_t k[2];
	perfdb_series *s;
} sort_key;

static void make_sort_key(sort_key *key, perfdb_series *s)
{
	const unsigned char *p = (const unsigned char *)s->benchmark;
	size_t i, end = 0;
	key->k[0] = key->k[1] = 0;
	for (i = 0; i < 16; i++) {
		unsigned c = end ? 0 : p[i];
		end |= !c;
		key->k[i / 8] = key->k[i / 8] << 8 | c;
	}
	key->s = s;
}

/* By benchmark name (strcmp's order), metric, unit, machine, tags. */
static int cmp_series(const void *pa, const void *pb)
{
	const sort_key *ka = pa, *kb = pb;
	const perfdb_series *a = ka->s, *b = kb->s;
	int c;
	if (ka->k[0] != kb->k[0])
		return ka->k[0] < kb->k[0] ? -1 : 1;
	if (ka->k[1] != kb->k[1])
		return ka->k[1] < kb->k[1] ? -1 : 1;
	/* the same first 16 bytes: the same name when it ends in them */
	if ((ka->k[1] & 0xff) && (c = strcmp(a->benchmark + 16, b->benchmark + 16)) != 0)
		return c;
	if ((c = strcmp(a->metric, b->metric)) != 0)
		return c;
	if ((c = strcmp(a->unit, b->unit)) != 0)
		return c;
	if ((c = strcmp(a->machine, b->machine)) != 0)
		return c;
	return strcmp(perfdb_tags_json(a->tags), perfdb_tags_json(b->tags));
}

/* Makes every series' points, in one block (a read that is not lazy); the
 * entries are then let go. */
static int make_all_points(perfdb_series_set *set, size_t npoints, size_t nraw)
{
	double *scratch = NULL;
	size_t i, p = 0, ss = 0, capscratch = 0;
	int err = 0;
	set->points = malloc((npoints ? npoints : 1) * sizeof(*set->points));
	set->samples = malloc((nraw ? nraw : 1) * sizeof(*set->samples));
	set->run_values = malloc((set->nentries ? set->nentries : 1) * sizeof(*set->run_values));
	if (!set->points || !set->samples || !set->run_values)
		return perfdb_error__oom();
	for (i = 0; i < set->count && err == 0; i++) {
		const series_span *sp = &set->spans[i];
		set->series[i].points = set->points + p;
		err = make_points(set, sp, set->points + p, set->run_values + sp->first,
				  set->samples + ss, &scratch, &capscratch);
		p += sp->npoints;
		ss += sp->samples;
	}
	free(scratch);
	free(set->entries);
	free(set->order);
	set->entries = NULL;
	set->order = NULL;
	return err;
}

/* Turns the sorted entries into series, sorted by name; their points now
 * or (lazy) on demand. */
static int build(reader *r, const int64_t *ids, size_t nids, int lazy)
{
	perfdb_series_set *set = r->set;
	series_span *spans = NULL;
	perfdb_series *tmp = NULL;
	sort_key *by = NULL;
	size_t i, npoints = 0, n = r->nseries;
	int err;
	if ((err = sort_entries(r, &spans, &npoints)) < 0)
		return err;
	set->entries = r->entries;
	set->order = r->order;
	set->nentries = r->nentries;
	set->raw = r->raw;
	r->entries = NULL;
	r->order = NULL;
	r->raw = NULL;
	set->ids = malloc((nids ? nids : 1) * sizeof(*set->ids));
	tmp = calloc(n ? n : 1, sizeof(*tmp));
	by = malloc((n ? n : 1) * sizeof(*by));
	set->series = malloc((n ? n : 1) * sizeof(*set->series));
	set->spans = malloc((n ? n : 1) * sizeof(*set->spans));
	if (lazy)
		set->visit = malloc((n ? n : 1) * sizeof(*set->visit));
	if (!set->ids || !tmp || !by || !set->series || !set->spans || (lazy && !set->visit)) {
		err = perfdb_error__oom();
		goto out;
	}
	if (nids)
		memcpy(set->ids, ids, nids * sizeof(*ids));
	for (i = 0; i < n; i++) {
		perfdb_series *s = &tmp[i];
		const bench_row *b = find_bench(set, r->keys[i].bench);
		machine_row mkey, *m;
		s->benchmark_id = r->keys[i].bench;
		s->machine_id = r->keys[i].machine;
		s->benchmark = b->name;
		s->metric = b->metric;
		s->unit = b->unit;
		s->direction = b->direction;
		mkey.id = s->machine_id;
		m = bsearch(&mkey, set->machines, set->nmachines, sizeof(mkey), cmp_machine);
		s->machine = m ? m->name : "";
		s->tags = set->tags[r->keys[i].tags];
		s->npoints = spans[i].npoints;
		make_sort_key(&by[i], s);
	}
	qsort(by, n, sizeof(*by), cmp_series);
	for (i = 0; i < n; i++) {
		set->series[i] = *by[i].s;
		set->spans[i] = spans[by[i].s - tmp];
		if (lazy)
			set->visit[by[i].s - tmp] = i;
	}
	set->count = n;
	set->lazy = lazy;
	if (!lazy)
		err = make_all_points(set, npoints, r->nraw);
out:
	free(spans);
	free(tmp);
	free(by);
	return err;
}

void perfdb_series_query_init(perfdb_series_query *q)
{
	perfdb_series_query d = PERFDB_SERIES_QUERY_INIT;
	*q = d;
}

int perfdb_store_read_series(perfdb_series_set **out, perfdb_store *store,
			     const perfdb_series_query *q)
{
	return perfdb_store__read_series(out, store, q, 0);
}

int perfdb_store__read_series(perfdb_series_set **out, perfdb_store *store,
			      const perfdb_series_query *q, int lazy)
{
	perfdb_series_query dq = PERFDB_SERIES_QUERY_INIT;
	reader r;
	perfdb_commit_list *commits = NULL;
	const int64_t *ids;
	int64_t machine_id = 0, *owned_ids = NULL;
	size_t i, nids;
	int err, snapshot = 0;

	*out = NULL;
	if (!q)
		q = &dq;
	if (q->version != PERFDB_SERIES_QUERY_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "series query: unknown version %u",
					 q->version);
	memset(&r, 0, sizeof(r));
	r.store = store;
	if (!(r.set = calloc(1, sizeof(*r.set))))
		return perfdb_error__oom();
	if ((err = perfdb_store__snapshot_begin(store, &snapshot)) < 0) {
		perfdb_series_set_free(r.set);
		return err;
	}
	ids = q->commit_ids;
	nids = q->ncommits;
	if (!nids) {
		/* every commit, in recorded order */
		int64_t *all;
		if ((err = perfdb_store_commits(&commits, store)) < 0)
			goto done;
		if (!(all = malloc((commits->count ? commits->count : 1) * sizeof(*all)))) {
			err = perfdb_error__oom();
			goto done;
		}
		for (i = 0; i < commits->count; i++)
			all[i] = commits->items[i].id;
		ids = owned_ids = all;
		nids = commits->count;
	}
	if (nids > MAX_POS) {
		err =
		    perfdb_error__set(PERFDB_EINVAL, "series query: more than %u commits", MAX_POS);
		goto done;
	}
	r.ncommit_ids = nids;
	if (!(r.pos_of_commit = malloc((nids ? nids : 1) * sizeof(*r.pos_of_commit)))) {
		err = perfdb_error__oom();
		goto done;
	}
	for (i = 0; i < nids; i++) {
		r.pos_of_commit[i].id = ids[i];
		r.pos_of_commit[i].pos = i;
	}
	qsort(r.pos_of_commit, nids, sizeof(*r.pos_of_commit), cmp_commit_pos);
	if ((err = load_benchmarks(&r, q->benchmark_glob)) < 0 ||
	    (err = load_machines(&r, q->machine, &machine_id)) < 0 ||
	    (err = load_runs(&r, q->machine, machine_id)) < 0 ||
	    (err = load_results(&r, q->with_samples)) < 0 || (err = build(&r, ids, nids, lazy)) < 0)
		goto done;
	*out = r.set;
	r.set = NULL;
done:
	perfdb_store__snapshot_end(store, snapshot);
	perfdb_series_set_free(r.set);
	free(r.pos_of_commit);
	free(r.runs);
	free(r.entries);
	free(r.order);
	free(r.raw);
	free(r.scratch);
	free(r.table);
	free(r.keys);
	free(owned_ids);
	perfdb_commit_list_free(commits);
	return err;
}

size_t perfdb_series_set__runs_from_blocks(const perfdb_series_set *set)
{
	return set ? set->runs_from_blocks : 0;
}

size_t perfdb_series_set_count(const perfdb_series_set *set)
{
	return set ? set->count : 0;
}

const perfdb_series *perfdb_series_set__head(const perfdb_series_set *set, size_t i)
{
	return set && i < set->count ? &set->series[i] : NULL;
}

const size_t *perfdb_series_set__visit_order(const perfdb_series_set *set)
{
	return set ? set->visit : NULL;
}

/* The room a series' points take with what they copy: points, then the
 * runs' values, then the samples. */
static size_t points_room(const series_span *sp)
{
	return sp->npoints * sizeof(perfdb_series_point) +
	       (sp->count + sp->samples) * sizeof(double);
}

static int points_into(const perfdb_series_set *set, const series_span *sp, void *mem,
		       double **scratch, size_t *capscratch)
{
	perfdb_series_point *pts = mem;
	double *rv = (double *)(pts + sp->npoints);
	return make_points(set, sp, pts, rv, rv + sp->count, scratch, capscratch);
}

int perfdb_series_set__load(const perfdb_series **out, const perfdb_series_set *cset, size_t i)
{
	/* the set is made mutable here only: a lazy set's points, made once */
	perfdb_series_set *set = (perfdb_series_set *)cset;
	double *scratch = NULL;
	size_t capscratch = 0;
	void *mem;
	int err;
	*out = NULL;
	if (!set || i >= set->count)
		return perfdb_error__set(PERFDB_EINVAL, "no series %zu in the set", i);
	if (set->series[i].points || !set->lazy) {
		*out = &set->series[i];
		return 0;
	}
	if (!(mem = malloc(points_room(&set->spans[i]))))
		return perfdb_error__oom();
	if ((err = points_into(set, &set->spans[i], mem, &scratch, &capscratch)) < 0) {
		free(mem);
		free(scratch);
		return err;
	}
	free(scratch);
	set->series[i].points = mem;
	*out = &set->series[i];
	return 0;
}

int perfdb_series_set__view(const perfdb_series **out, const perfdb_series_set *set, size_t i,
			    perfdb_series_view *v)
{
	const series_span *sp;
	size_t need;
	int err;
	*out = NULL;
	if (!set || i >= set->count)
		return perfdb_error__set(PERFDB_EINVAL, "no series %zu in the set", i);
	if (set->series[i].points || !set->lazy) {
		*out = &set->series[i];
		return 0;
	}
	sp = &set->spans[i];
	need = points_room(sp);
	if (need > v->cap) {
		void *mem = realloc(v->mem, need);
		if (!mem)
			return perfdb_error__oom();
		v->mem = mem;
		v->cap = need;
	}
	if ((err = points_into(set, sp, v->mem, &v->scratch, &v->capscratch)) < 0)
		return err;
	v->series = set->series[i];
	v->series.points = v->mem;
	*out = &v->series;
	return 0;
}

void perfdb_series_set__view_release(perfdb_series_view *v)
{
	if (!v)
		return;
	free(v->mem);
	free(v->scratch);
	memset(v, 0, sizeof(*v));
}

const perfdb_series *perfdb_series_set_get(const perfdb_series_set *set, size_t i)
{
	const perfdb_series *s = NULL;
	if (!set || i >= set->count || perfdb_series_set__load(&s, set, i) < 0)
		return NULL;
	return s;
}

void perfdb_series_set_free(perfdb_series_set *set)
{
	size_t i;
	if (!set)
		return;
	perfdb_arena__release(&set->names);
	for (i = 0; i < set->nmachines; i++)
		free(set->machines[i].name);
	for (i = 0; i < set->ntags; i++)
		perfdb_store__tags_free(set->tags[i]);
	free(set->benches);
	free(set->machines);
	free(set->tags);
	if (set->lazy)
		for (i = 0; i < set->count; i++)
			free(set->series[i].points);
	free(set->series);
	free(set->spans);
	free(set->visit);
	free(set->points);
	free(set->samples);
	free(set->run_values);
	free(set->entries);
	free(set->order);
	free(set->raw);
	free(set->ids);
	free(set);
}

/* ---- what a filter selects ------------------------------------------------------------ */

int perfdb_store_count_filter(perfdb_filter_count *out, perfdb_store *store, const char *machine,
			      const char *benchmark_glob)
{
	perfdb_stmt *st = NULL;
	int rc, err;

	memset(out, 0, sizeof(*out));
	out->machine_known = machine == NULL;
	if ((err = perfdb_store__prepare(store, &st, "SELECT name FROM machines")) < 0)
		return err;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		const char *name = perfdb_stmt__column_text(st, 0);
		out->machines++;
		if (machine && name && strcmp(name, machine) == 0)
			out->machine_known = 1;
	}
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(store, "cannot read machines from");
	if (!out->machine_known)
		return 0;
	/* the names with results (on the machine), in one pass over results: a
	 * benchmark row alone, left by a removed run, is no recorded benchmark */
	if ((err = perfdb_store__prepare(
		 store, &st,
		 "SELECT DISTINCT b.name FROM runs u JOIN machines m ON m.id = u.machine_id "
		 "JOIN results r ON r.run_id = u.id JOIN benchmarks b ON b.id = r.benchmark_id "
		 "WHERE CAST(?1 AS TEXT) IS NULL OR m.name = ?1")) < 0)
		return err;
	if (machine)
		perfdb_stmt__bind_text(st, 1, machine);
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		const char *name = perfdb_stmt__column_text(st, 0);
		out->benchmarks++;
		if (!benchmark_glob || (name && fnmatch(benchmark_glob, name, 0) == 0))
			out->matching++;
	}
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_DONE)
		return perfdb_store__fail(store, "cannot read benchmarks from");
	return 0;
}
