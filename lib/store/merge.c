/*
 * perfdb_store_merge: copies the runs of another perfdb database (a shard one
 * CI job recorded into) into this one, with their commits, machines,
 * benchmarks, results, samples and tags, and merges baselines and alerts.
 *
 * Idempotent: a run is identified by its uuid, so merging a shard twice, or
 * A into B and then B into C, copies each run once.
 *
 * The shard is never opened for writing. It is copied (SQLite's backup API)
 * into a private temporary file, which perfdb_store_open checks and migrates
 * to this build's schema; only then is the destination touched, in one
 * transaction. A corrupt, foreign or newer shard fails before that, and the
 * destination is unchanged.
 */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/blocks.h"
#include "util/error.h"

/* Copies the database at src into a new temporary file; *tmp receives its
 * path (owned by the caller, who unlinks and frees it). */
static int copy_shard(char **tmp, const char *src)
{
	const char *dir = getenv("TMPDIR");
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	struct stat st;
	char *path;
	int fd, rc, err = 0;
	size_t n;

	*tmp = NULL;
	if (stat(src, &st) != 0)
		return perfdb_error__set(PERFDB_ENOTFOUND, "cannot open '%s': %s", src,
					 strerror(errno));
	if (!S_ISREG(st.st_mode))
		return perfdb_error__set(PERFDB_EINVAL, "'%s' is not a regular file", src);
	if (!dir || !*dir)
		dir = "/tmp";
	n = strlen(dir) + sizeof("/perfdb-merge-XXXXXX");
	if (!(path = malloc(n)))
		return perfdb_error__oom();
	snprintf(path, n, "%s/perfdb-merge-XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0) {
		err = perfdb_error__set(PERFDB_EIO, "cannot create a temporary file in '%s': %s",
					dir, strerror(errno));
		free(path);
		return err;
	}
	close(fd);

	rc = sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		if ((b = sqlite3_backup_init(to, "main", from, "main"))) {
			sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
		}
		rc = sqlite3_errcode(to);
	}
	if (rc != SQLITE_OK)
		err = perfdb_error__set(PERFDB_EDB, "cannot read '%s': %s", src,
					to && sqlite3_errcode(to) != SQLITE_OK ? sqlite3_errmsg(to)
					: from ? sqlite3_errmsg(from)
					       : sqlite3_errstr(rc));
	sqlite3_close(from);
	sqlite3_close(to);
	if (err) {
		unlink(path);
		free(path);
		return err;
	}
	*tmp = path;
	return 0;
}

/* The schema version of the file at path, 0 for a file perfdb never
 * migrated (empty, or another program's database). */
static int shard_version(const char *path, int *version)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), err = 0;
	*version = 0;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else
		err = perfdb_error__set(PERFDB_EDB, "cannot read '%s': %s", path,
					db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return err;
}

static int exec(perfdb_store *store, const char *sql, const char *what)
{
	if (perfdb_db__exec(store->db, sql) != 0)
		return perfdb_store__fail(store, what);
	return 0;
}

/* src id -> id here, for the rows copied into a server (sorted by src). */
typedef struct id_pair {
	int64_t src, dst;
} id_pair;

typedef struct id_map {
	id_pair *pairs;
	size_t count, cap;
} id_map;

static int map_add(id_map *m, int64_t src, int64_t dst)
{
	if (m->count == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;
		id_pair *p = realloc(m->pairs, cap * sizeof(*p));
		if (!p)
			return perfdb_error__oom();
		m->pairs = p;
		m->cap = cap;
	}
	m->pairs[m->count].src = src;
	m->pairs[m->count++].dst = dst;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	int64_t x = ((const id_pair *)a)->src, y = ((const id_pair *)b)->src;
	return (x > y) - (x < y);
}

static void map_sort(id_map *m)
{
	if (m->count) /* (an empty map has no array: not even for qsort) */
		qsort(m->pairs, m->count, sizeof(*m->pairs), cmp_pair);
}

/* The id here of src id, or 0 when the map does not have it. */
static int64_t map_get(const id_map *m, int64_t src)
{
	id_pair key, *hit;
	if (!m->count)
		return 0;
	key.src = src;
	hit = bsearch(&key, m->pairs, m->count, sizeof(key), cmp_pair);
	return hit ? hit->dst : 0;
}

/* The result blocks of the runs copied (runs: shard id -> id here), made
 * from their rows (a shard's own blocks are not taken on trust): the
 * shard's, read where they are cheap to read, when shard is given and the
 * benchmarks kept their ids (benches: NULL or the map), else these here. */
static int write_run_blocks(perfdb_store *store, const id_map *runs, perfdb_store *shard,
			    const id_map *benches)
{
	size_t i;
	int err = 0;
	for (i = 0; shard && benches && i < benches->count; i++)
		if (benches->pairs[i].src != benches->pairs[i].dst)
			shard = NULL;
	for (i = 0; i < runs->count && !err; i++) {
		const id_pair *p = &runs->pairs[i];
		err = shard ? perfdb_store__write_blocks_from_rows(store, p->dst, shard, p->src)
			    : perfdb_store__write_blocks_from_rows(store, p->dst, store, p->dst);
	}
	return err;
}

/* Maps every benchmark of the shard (read with src_sql from `from`: id,
 * name, metric, unit, higher_is_better) to its id here, adding the new ones
 * where perfdb_store_record would (perfdb_store__benchmark_ids: a few
 * statements for all of them, not one per benchmark). The pairs go into
 * temp.bench_map (a file, where the copy is SQL) or into cmap (a server). */
static int map_benchmarks(perfdb_store *store, perfdb_store *from, const char *src_sql,
			  id_map *cmap, size_t *added)
{
	perfdb_stmt *src = NULL, *map = NULL;
	perfdb_bench_key *keys = NULL;
	int64_t *src_ids = NULL, *ids = NULL;
	size_t n = 0, cap = 0, i;
	int rc, err, oom = 0;

	*added = 0;
	if ((err = perfdb_store__prepare(from, &src, src_sql)))
		goto out;
	while ((rc = perfdb_stmt__step(src)) == PERFDB_DB_ROW) {
		perfdb_bench_key *k;
		if (n == cap) {
			int64_t *more;
			if (perfdb_store__grow((void **)&keys, &cap, n, sizeof(*keys)) ||
			    !(more = realloc(src_ids, cap * sizeof(*src_ids)))) {
				err = perfdb_error__oom();
				goto out;
			}
			src_ids = more;
		}
		src_ids[n] = perfdb_stmt__column_int64(src, 0);
		k = &keys[n++];
		k->name = perfdb_store__column_dup(src, 1, &oom);
		k->metric = perfdb_store__column_dup(src, 2, &oom);
		k->unit = perfdb_store__column_dup(src, 3, &oom);
		k->higher_is_better = perfdb_stmt__column_int64(src, 4) != 0;
		if (oom || !k->name || !k->metric || !k->unit) {
			err = oom ? perfdb_error__oom()
				  : perfdb_error__set(PERFDB_EINPUT,
						      "a benchmark of the shard has no name, "
						      "metric or unit");
			goto out;
		}
	}
	if (rc != PERFDB_DB_DONE) {
		err =
		    perfdb_store__fail(from, "cannot read the benchmarks of the shard merged into");
		goto out;
	}
	perfdb_stmt__free(src);
	src = NULL;
	if (n && !(ids = malloc(n * sizeof(*ids)))) {
		err = perfdb_error__oom();
		goto out;
	}
	if ((err = perfdb_store__benchmark_ids(store, &(perfdb_bench_keys){keys, NULL}, n, ids,
					       added)) ||
	    (!cmap && (err = perfdb_store__prepare(
			   store, &map, "INSERT INTO temp.bench_map(src, dst) VALUES (?1, ?2)"))))
		goto out;
	for (i = 0; i < n; i++) {
		if (cmap) {
			if ((err = map_add(cmap, src_ids[i], ids[i])))
				goto out;
			continue;
		}
		perfdb_stmt__reset(map);
		perfdb_stmt__bind_int64(map, 1, src_ids[i]);
		perfdb_stmt__bind_int64(map, 2, ids[i]);
		if (perfdb_stmt__step(map) != PERFDB_DB_DONE) {
			err = perfdb_store__fail(store, "cannot merge into");
			goto out;
		}
	}
	if (cmap)
		map_sort(cmap);
out:
	perfdb_stmt__free(src);
	perfdb_stmt__free(map);
	for (i = 0; i < n; i++) {
		free((char *)keys[i].name);
		free((char *)keys[i].metric);
		free((char *)keys[i].unit);
	}
	free(keys);
	free(src_ids);
	free(ids);
	return err;
}

/* Results and samples of the copied runs. Benchmark ids are hashes of the
 * benchmark, so in the shard and here they are the same unless a collision
 * was probed differently: then (and only then) they go through bench_map. */
static const char *const rows_sql[2][2] = {
    {"INSERT INTO main.results(run_id, benchmark_id, value, n, mean, median, stddev, min, max, "
     "sample_count, sample_median, sample_mad) "
     "SELECT rm.dst, x.benchmark_id, x.value, x.n, x.mean, x.median, x.stddev, x.min, x.max, "
     "x.sample_count, x.sample_median, x.sample_mad "
     "FROM temp.run_map rm JOIN src.results x ON x.run_id = rm.src",
     "INSERT INTO main.samples(run_id, benchmark_id, idx, value) "
     "SELECT rm.dst, x.benchmark_id, x.idx, x.value "
     "FROM temp.run_map rm JOIN src.samples x ON x.run_id = rm.src"},
    {"INSERT INTO main.results(run_id, benchmark_id, value, n, mean, median, stddev, min, max, "
     "sample_count, sample_median, sample_mad) "
     "SELECT rm.dst, bm.dst, x.value, x.n, x.mean, x.median, x.stddev, x.min, x.max, "
     "x.sample_count, x.sample_median, x.sample_mad "
     "FROM temp.run_map rm JOIN src.results x ON x.run_id = rm.src "
     "JOIN temp.bench_map bm ON bm.src = x.benchmark_id",
     "INSERT INTO main.samples(run_id, benchmark_id, idx, value) "
     "SELECT rm.dst, bm.dst, x.idx, x.value "
     "FROM temp.run_map rm JOIN src.samples x ON x.run_id = rm.src "
     "JOIN temp.bench_map bm ON bm.src = x.benchmark_id"},
};

/* The statements of one merge, in order, after the benchmarks are mapped.
 * Commits keep their recorded order after the destination's own; a commit
 * both know gets the details (parent, time, subject, author) the
 * destination lacked. */
#define ROWS_AFTER 6 /* results and samples go in after run_map is filled */
static const char *const merge_sql[] = {
    "INSERT INTO main.commits(sha, parent_sha, committed_at, subject, author, seq) "
    "SELECT sha, parent_sha, committed_at, subject, author, "
    " (SELECT coalesce(max(seq), 0) FROM main.commits) + row_number() OVER (ORDER BY seq) "
    "FROM src.commits WHERE sha NOT IN (SELECT sha FROM main.commits) ORDER BY seq",
    "UPDATE main.commits SET "
    " parent_sha = coalesce(parent_sha, (SELECT s.parent_sha FROM src.commits s WHERE s.sha = "
    "  main.commits.sha)), "
    " committed_at = coalesce(committed_at, (SELECT s.committed_at FROM src.commits s WHERE "
    "  s.sha = main.commits.sha)), "
    " subject = coalesce(subject, (SELECT s.subject FROM src.commits s WHERE s.sha = "
    "  main.commits.sha)), "
    " author = coalesce(author, (SELECT s.author FROM src.commits s WHERE s.sha = "
    "  main.commits.sha)) "
    "WHERE sha IN (SELECT sha FROM src.commits) AND (parent_sha IS NULL OR committed_at IS "
    " NULL OR subject IS NULL OR author IS NULL)",
    "INSERT INTO main.machines(name, fingerprint) SELECT name, fingerprint FROM src.machines "
    "WHERE name NOT IN (SELECT name FROM main.machines)",
    "UPDATE main.machines SET fingerprint = (SELECT s.fingerprint FROM src.machines s WHERE "
    " s.name = main.machines.name) "
    "WHERE fingerprint = '{}' AND name IN (SELECT name FROM src.machines WHERE fingerprint != "
    " '{}')",
    /* the runs this destination does not have yet */
    "INSERT INTO temp.new_runs(id, uuid) SELECT id, uuid FROM src.runs "
    "WHERE uuid NOT IN (SELECT uuid FROM main.runs WHERE uuid IS NOT NULL)",
    "INSERT INTO main.runs(commit_id, branch, machine_id, started_at, source, tags, uuid, "
    " context) "
    "SELECT c.id, r.branch, m.id, r.started_at, r.source, r.tags, r.uuid, r.context "
    "FROM src.runs r JOIN temp.new_runs n ON n.id = r.id "
    "JOIN src.commits sc ON sc.id = r.commit_id JOIN main.commits c ON c.sha = sc.sha "
    "JOIN src.machines sm ON sm.id = r.machine_id JOIN main.machines m ON m.name = sm.name "
    "ORDER BY r.id",
    "INSERT INTO temp.run_map(src, dst) SELECT n.id, r.id FROM temp.new_runs n "
    "JOIN main.runs r ON r.uuid = n.uuid",
    /* baselines: a name the destination has keeps its commit there */
    "INSERT INTO main.baselines(name, commit_id, branch, created_at, note) "
    "SELECT b.name, c.id, b.branch, b.created_at, b.note FROM src.baselines b "
    "JOIN src.commits sc ON sc.id = b.commit_id JOIN main.commits c ON c.sha = sc.sha "
    "WHERE b.name NOT IN (SELECT name FROM main.baselines)",
    /* alerts: a decision (acknowledged, ignored) wins over open; between two
     * decisions the destination keeps its own */
    "INSERT INTO main.alerts(benchmark_id, machine_id, tags, commit_id, kind, baseline_value, "
    " value, change, p_value, method, status, note, created_at) "
    "SELECT bm.dst, m.id, a.tags, c.id, a.kind, a.baseline_value, a.value, a.change, "
    " a.p_value, a.method, a.status, a.note, a.created_at FROM src.alerts a "
    "JOIN temp.bench_map bm ON bm.src = a.benchmark_id "
    "JOIN src.machines sm ON sm.id = a.machine_id JOIN main.machines m ON m.name = sm.name "
    "JOIN src.commits sc ON sc.id = a.commit_id JOIN main.commits c ON c.sha = sc.sha "
    "WHERE true "
    "ON CONFLICT(benchmark_id, machine_id, tags, commit_id, kind) DO UPDATE SET "
    " status = excluded.status, note = coalesce(excluded.note, note) "
    "WHERE status = 'open' AND excluded.status != 'open'",
};

/* ---- into a server ---------------------------------------------------------
 * A server cannot ATTACH the shard: its rows are read through a second
 * connection (the migrated copy) and written here, in one transaction, by
 * the same rules as the SQL above. Rows that identify themselves (commits by
 * sha, machines by name, runs by uuid, baselines by name, alerts by their
 * finding) go in with ON CONFLICT, so a merge running beside another, or
 * beside a record, neither fails nor doubles anything. */

/* Copies the rows src_sql reads from the shard into the store with ins_sql:
 * column 0 is the row's id in the shard, columns 1..n are ins_sql's
 * parameters ?1..?n, as the shard has them, or, where maps[i] is set, an
 * id translated through it. The id ins_sql returns (RETURNING id; no row
 * when ON CONFLICT did nothing) is mapped from the shard's into out (may be
 * NULL). */
static int copy_mapped(perfdb_store *store, perfdb_store *shard, const char *src_sql,
		       const char *ins_sql, const id_map *const *maps, id_map *out,
		       const char *what)
{
	perfdb_stmt *src = NULL, *ins = NULL;
	int rc, err, i, n;
	if ((err = perfdb_store__prepare(shard, &src, src_sql)) ||
	    (err = perfdb_store__prepare(store, &ins, ins_sql)))
		goto out;
	n = perfdb_stmt__column_count(src);
	while ((rc = perfdb_stmt__step(src)) == PERFDB_DB_ROW) {
		for (i = 1; i < n; i++) {
			perfdb_value_type type = perfdb_stmt__column_type(src, i);
			if (maps[i])
				perfdb_stmt__bind_int64(
				    ins, i, map_get(maps[i], perfdb_stmt__column_int64(src, i)));
			else if (type == PERFDB_VALUE_INTEGER)
				perfdb_stmt__bind_int64(ins, i, perfdb_stmt__column_int64(src, i));
			else if (type == PERFDB_VALUE_REAL) /* in full, not as 15-digit text */
				perfdb_stmt__bind_double(ins, i,
							 perfdb_stmt__column_double(src, i));
			else
				perfdb_stmt__bind_text(ins, i, perfdb_stmt__column_text(src, i));
		}
		rc = perfdb_stmt__step(ins);
		if (rc == PERFDB_DB_ROW) {
			if (out && (err = map_add(out, perfdb_stmt__column_int64(src, 0),
						  perfdb_stmt__column_int64(ins, 0))))
				goto out;
			rc = perfdb_stmt__step(ins);
		}
		perfdb_stmt__reset(ins);
		if (rc != PERFDB_DB_DONE) {
			err = perfdb_store__fail(store, what);
			goto out;
		}
	}
	if (rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(shard, "cannot read");
	if (out)
		map_sort(out);
out:
	perfdb_stmt__free(src);
	perfdb_stmt__free(ins);
	return err;
}

/* The results or samples of the copied runs, by one COPY sent a megabyte at
 * a time while the shard is read, so the server stores rows while the next
 * are made. The columns after run_id and benchmark_id are copied as the
 * shard has them. */
#define COPY_PIECE (1u << 20)

static int copy_rows(perfdb_store *store, perfdb_store *shard, const id_map *runs,
		     const id_map *benches, const char *src_sql, const char *copy_sql, int ncols,
		     size_t *count)
{
	perfdb_copy_rows rows = {0};
	perfdb_stmt *src = NULL;
	const char *fields[12];
	char ids[2][24], reals[12][32];
	int rc, err, c, begun = 0;
	*count = 0;
	if ((err = perfdb_store__prepare(shard, &src, src_sql)))
		return err;
	while ((rc = perfdb_stmt__step(src)) == PERFDB_DB_ROW) {
		int64_t run = map_get(runs, perfdb_stmt__column_int64(src, 0));
		if (!run)
			continue; /* a run the server had */
		snprintf(ids[0], sizeof(ids[0]), "%lld", (long long)run);
		snprintf(ids[1], sizeof(ids[1]), "%lld",
			 (long long)map_get(benches, perfdb_stmt__column_int64(src, 1)));
		fields[0] = ids[0];
		fields[1] = ids[1];
		/* doubles in full: SQLite's text of a REAL keeps 15 digits */
		for (c = 2; c < ncols; c++) {
			if (perfdb_stmt__column_type(src, c) == PERFDB_VALUE_REAL) {
				snprintf(reals[c], sizeof(reals[c]), "%.17g",
					 perfdb_stmt__column_double(src, c));
				fields[c] = reals[c];
			} else {
				fields[c] = perfdb_stmt__column_text(src, c);
			}
		}
		if ((err = perfdb_db__copy_add(&rows, fields, ncols)))
			goto out;
		if (rows.len >= COPY_PIECE) {
			*count += rows.count;
			if ((!begun && perfdb_db__copy_begin(store->db, copy_sql) != 0) ||
			    (begun = 1, perfdb_db__copy_send(store->db, &rows) != 0)) {
				err = perfdb_store__fail(store, "cannot merge into");
				goto out;
			}
		}
	}
	if (rc != PERFDB_DB_DONE) {
		err = perfdb_store__fail(shard, "cannot read");
		goto out;
	}
	*count += rows.count;
	if (!begun && !rows.count)
		goto out;
	if ((!begun && perfdb_db__copy_begin(store->db, copy_sql) != 0) ||
	    (begun = 1, perfdb_db__copy_send(store->db, &rows) != 0)) {
		err = perfdb_store__fail(store, "cannot merge into");
		goto out;
	}
	begun = 0;
	if (perfdb_db__copy_end(store->db, 1) != 0)
		err = perfdb_store__fail(store, "cannot merge into");
out:
	if (begun) /* abandoned: the server keeps none of its rows */
		perfdb_db__copy_end(store->db, 0);
	perfdb_stmt__free(src);
	perfdb_db__copy_release(&rows);
	return err;
}

static int merge_into_server(perfdb_merge_stats *out, perfdb_store *store, perfdb_store *shard)
{
	id_map commits = {0}, machines = {0}, benches = {0}, runs = {0};
	/* which columns of each copy are ids to translate (by column) */
	const id_map *none[6] = {NULL};
	const id_map *run_maps[9] = {NULL, &commits, NULL, &machines};
	const id_map *baseline_maps[6] = {NULL, &commits};
	const id_map *alert_maps[14] = {NULL, &benches, &machines, &commits};
	int64_t commits0, base0, alerts0, src_runs;
	size_t nsamples = 0;
	int err;

	if ((err = perfdb_store__begin(store)))
		return err;
	commits0 = perfdb_store__count(store, "SELECT count(*) FROM commits");
	base0 = perfdb_store__count(store, "SELECT count(*) FROM baselines");
	alerts0 = perfdb_store__count(store, "SELECT count(*) FROM alerts");
	src_runs = perfdb_store__count(shard, "SELECT count(*) FROM runs");
	if ((err = copy_mapped(store, shard,
			       "SELECT id, sha, parent_sha, committed_at, subject, author FROM "
			       "commits ORDER BY seq",
			       perfdb_store__upsert_commit_sql(store), none, &commits,
			       "cannot merge a commit into")) ||
	    /* a machine known here keeps its description, unless it had none */
	    (err = copy_mapped(store, shard, "SELECT id, name, fingerprint FROM machines",
			       "INSERT INTO machines(name, fingerprint) VALUES (?1, ?2) "
			       "ON CONFLICT(name) DO UPDATE SET fingerprint = CASE WHEN "
			       "machines.fingerprint = '{}' THEN excluded.fingerprint ELSE "
			       "machines.fingerprint END RETURNING id",
			       none, &machines, "cannot merge a machine into")) ||
	    (err = map_benchmarks(store, shard,
				  "SELECT id, name, metric, unit, higher_is_better FROM benchmarks",
				  &benches, &out->benchmarks_added)) ||
	    /* the runs this server does not have (by uuid) */
	    (err =
		 copy_mapped(store, shard,
			     "SELECT id, commit_id, branch, machine_id, started_at, source, tags, "
			     "uuid, context FROM runs ORDER BY id",
			     "INSERT INTO runs(commit_id, branch, machine_id, started_at, source, "
			     "tags, uuid, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
			     "ON CONFLICT(uuid) DO NOTHING RETURNING id",
			     run_maps, &runs, "cannot merge a run into")) ||
	    (err = copy_rows(
		 store, shard, &runs, &benches,
		 "SELECT run_id, benchmark_id, value, n, mean, median, stddev, min, max, "
		 "sample_count, sample_median, sample_mad FROM results",
		 "COPY results(run_id, benchmark_id, value, n, mean, median, stddev, min, "
		 "max, sample_count, sample_median, sample_mad) FROM STDIN",
		 12, &out->results_added)) ||
	    (err = copy_rows(store, shard, &runs, &benches,
			     "SELECT run_id, benchmark_id, idx, value FROM samples",
			     "COPY samples(run_id, benchmark_id, idx, value) FROM STDIN", 4,
			     &nsamples)) ||
	    (err = write_run_blocks(store, &runs, shard, &benches)) ||
	    /* baselines and alerts, by the rules of merge_sql */
	    (err =
		 copy_mapped(store, shard,
			     "SELECT id, commit_id, name, branch, created_at, note FROM baselines",
			     "INSERT INTO baselines(commit_id, name, branch, created_at, note) "
			     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO NOTHING",
			     baseline_maps, NULL, "cannot merge a baseline into")) ||
	    (err = copy_mapped(
		 store, shard,
		 "SELECT id, benchmark_id, machine_id, commit_id, tags, kind, baseline_value, "
		 "value, change, p_value, method, status, note, created_at FROM alerts",
		 "INSERT INTO alerts(benchmark_id, machine_id, commit_id, tags, kind, "
		 "baseline_value, value, change, p_value, method, status, note, created_at) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
		 "ON CONFLICT(benchmark_id, machine_id, tags, commit_id, kind) DO UPDATE SET "
		 "status = excluded.status, note = coalesce(excluded.note, alerts.note) "
		 "WHERE alerts.status = 'open' AND excluded.status != 'open'",
		 alert_maps, NULL, "cannot merge an alert into")))
		goto out;
	out->runs_added = runs.count;
	out->runs_present = (size_t)src_runs - runs.count;
	out->commits_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM commits") - commits0);
	out->baselines_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM baselines") - base0);
	out->alerts_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM alerts") - alerts0);
	err = perfdb_store__commit(store);
out:
	if (err)
		perfdb_store__rollback(store);
	free(commits.pairs);
	free(machines.pairs);
	free(benches.pairs);
	free(runs.pairs);
	return err;
}

/* The runs a merge into a file copied, from temp.run_map. */
static int copied_runs(perfdb_store *store, id_map *runs)
{
	perfdb_stmt *st = NULL;
	int rc, err;
	if ((err = perfdb_store__prepare(store, &st, "SELECT src, dst FROM temp.run_map")))
		return err;
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW)
		if ((err = map_add(runs, perfdb_stmt__column_int64(st, 0),
				   perfdb_stmt__column_int64(st, 1))))
			break;
	if (!err && rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(store, "cannot merge into");
	perfdb_stmt__free(st);
	return err;
}

int perfdb_store_merge(perfdb_merge_stats *out, perfdb_store *store, const char *src_path)
{
	id_map runs = {0};
	perfdb_store *shard = NULL;
	char *tmp = NULL, *attach = NULL;
	int err, version, attached = 0, begun = 0, fk_off = 0;
	int64_t runs0, results0, commits0, base0, alerts0, src_runs;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (!store || !src_path)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_store_merge: no store or no shard");
	if (store->flags & PERFDB_STORE_READONLY)
		return perfdb_error__set(PERFDB_EREADONLY, "'%s' is open read-only", store->path);
	if ((err = copy_shard(&tmp, src_path)))
		return err;
	if ((err = shard_version(tmp, &version)))
		goto out;
	if (version < 1) {
		err = perfdb_error__set(PERFDB_EINPUT, "'%s' is not a perfdb database", src_path);
		goto out;
	}
	/* Checks the shard (a newer schema is refused) and brings it to this
	 * build's schema, in the copy. */
	if ((err = perfdb_store_open(&shard, tmp,
				     PERFDB_STORE_READWRITE | PERFDB_STORE_MUST_EXIST))) {
		/* the message names the temporary copy: say which shard it was */
		char why[sizeof(perfdb_error_last()->message)];
		snprintf(why, sizeof(why), "%s", perfdb_error_last()->message);
		err = perfdb_error__set(err, "cannot merge '%s': %s", src_path, why);
		goto out;
	}
	if (perfdb_store__is_server(store)) {
		err = merge_into_server(out, store, shard);
		goto out;
	}
	perfdb_store_free(shard);
	shard = NULL;

	n = strlen(tmp) * 2 + 64;
	if (!(attach = malloc(n))) {
		err = perfdb_error__oom();
		goto out;
	}
	{
		/* the path quoted as an SQL string: every ' doubled */
		size_t k = 0;
		const char *p;
		k += (size_t)snprintf(attach, n, "ATTACH DATABASE '");
		for (p = tmp; *p; p++) {
			if (*p == '\'')
				attach[k++] = '\'';
			attach[k++] = *p;
		}
		snprintf(attach + k, n - k, "' AS src");
	}
	if ((err = exec(store, attach, "cannot read the shard beside")))
		goto out;
	attached = 1;
	if ((err =
		 exec(store,
		      "CREATE TEMP TABLE IF NOT EXISTS bench_map(src INTEGER PRIMARY KEY, dst "
		      "INTEGER);"
		      "CREATE TEMP TABLE IF NOT EXISTS run_map(src INTEGER PRIMARY KEY, dst "
		      "INTEGER);"
		      "CREATE TEMP TABLE IF NOT EXISTS new_runs(id INTEGER PRIMARY KEY, uuid TEXT);"
		      "DELETE FROM temp.bench_map; DELETE FROM temp.run_map; DELETE FROM "
		      "temp.new_runs;",
		      "cannot merge into")))
		goto out;
	/* Every row copied comes from a consistent file through the maps built
	 * in this transaction, right after its parents: checking each of the
	 * samples' and results' foreign keys again costs ~40% of a merge. */
	if ((err = exec(store, "PRAGMA foreign_keys = OFF", "cannot merge into")))
		goto out;
	fk_off = 1;
	if ((err = perfdb_store__begin(store)))
		goto out;
	begun = 1;
	runs0 = perfdb_store__count(store, "SELECT count(*) FROM main.runs");
	results0 = perfdb_store__count(store, "SELECT count(*) FROM main.results");
	commits0 = perfdb_store__count(store, "SELECT count(*) FROM main.commits");
	base0 = perfdb_store__count(store, "SELECT count(*) FROM main.baselines");
	alerts0 = perfdb_store__count(store, "SELECT count(*) FROM main.alerts");
	src_runs = perfdb_store__count(store, "SELECT count(*) FROM src.runs");
	if ((err = map_benchmarks(
		 store, store,
		 "SELECT id, name, metric, unit, higher_is_better FROM src.benchmarks", NULL,
		 &out->benchmarks_added)))
		goto out;
	for (i = 0; i < sizeof(merge_sql) / sizeof(merge_sql[0]); i++) {
		if ((err = exec(store, merge_sql[i], "cannot merge into")))
			goto out;
		if (i == ROWS_AFTER) {
			int moved =
			    perfdb_store__count(store, "SELECT count(*) FROM temp.bench_map "
						       "WHERE src != dst") != 0;
			if ((err = exec(store, rows_sql[moved][0], "cannot merge into")) ||
			    (err = exec(store, rows_sql[moved][1], "cannot merge into")) ||
			    (err = copied_runs(store, &runs)) ||
			    (err = write_run_blocks(store, &runs, NULL, NULL)))
				goto out;
		}
	}
	out->runs_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM main.runs") - runs0);
	out->runs_present = (size_t)src_runs - out->runs_added;
	out->results_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM main.results") - results0);
	out->commits_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM main.commits") - commits0);
	out->baselines_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM main.baselines") - base0);
	out->alerts_added =
	    (size_t)(perfdb_store__count(store, "SELECT count(*) FROM main.alerts") - alerts0);
	if ((err = perfdb_store__commit(store)))
		goto out;
	begun = 0;
out:
	if (begun)
		perfdb_store__rollback(store);
	if (fk_off)
		perfdb_db__exec(store->db, "PRAGMA foreign_keys = ON");
	if (attached)
		perfdb_db__exec(store->db, "DETACH DATABASE src");
	perfdb_store_free(shard);
	free(runs.pairs);
	free(attach);
	if (tmp) {
		size_t k = strlen(tmp);
		char *side = malloc(k + 8);
		unlink(tmp);
		if (side) {
			snprintf(side, k + 8, "%s-wal", tmp);
			unlink(side);
			snprintf(side, k + 8, "%s-shm", tmp);
			unlink(side);
			free(side);
		}
		free(tmp);
	}
	return err;
}
