/* baselines.c - named, pinned reference commits. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "perfdb/context.h"
#include "perfdb/history.h"
#include "store/history.h"
#include "util/error.h"

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t n;
	char *p;
	if (!s)
		return NULL;
	n = strlen((const char *)s) + 1;
	if ((p = malloc(n)))
		memcpy(p, s, n);
	return p;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int perfdb_store_baseline_set(perfdb_store *store, const char *name, int64_t commit_id,
			      const char *branch, const char *note)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int err;
	if (!name || !*name)
		return perfdb_error__set(PERFDB_EINVAL, "a baseline needs a name");
	if ((err = perfdb_store__begin(store)) < 0)
		return err;
	if ((err = perfdb_store__prepare(
		 store, &st,
		 "INSERT INTO baselines (name, commit_id, branch, created_at, note) "
		 "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
		 "commit_id = excluded.commit_id, branch = excluded.branch, "
		 "created_at = excluded.created_at, note = excluded.note")) < 0) {
		perfdb_store__rollback(store);
		return err;
	}
	perfdb_time_now_iso(now, sizeof(now));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, commit_id);
	bind_opt(st, 3, branch);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	bind_opt(st, 5, note);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err = perfdb_store__fail(store, "cannot set a baseline in");
		sqlite3_finalize(st);
		perfdb_store__rollback(store);
		return err;
	}
	sqlite3_finalize(st);
	return perfdb_store__commit(store);
}

int perfdb_store_baseline_get(perfdb_baseline *out, perfdb_store *store, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc, err;
	memset(out, 0, sizeof(*out));
	if ((err = perfdb_store__prepare(store, &st,
					 "SELECT b.name, c.sha, b.branch, b.created_at, b.note, "
					 "b.commit_id FROM baselines b JOIN commits c ON "
					 "c.id = b.commit_id WHERE b.name = ?")) < 0)
		return err;
	sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->name = dup_col(st, 0);
		out->sha = dup_col(st, 1);
		out->branch = dup_col(st, 2);
		out->created_at = dup_col(st, 3);
		out->note = dup_col(st, 4);
		out->commit_id = sqlite3_column_int64(st, 5);
		sqlite3_finalize(st);
		if (!out->name || !out->sha || !out->created_at) {
			perfdb_baseline_release(out);
			return perfdb_error__oom();
		}
		return 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no baseline named '%s'",
					 name ? name : "");
	return perfdb_store__fail(store, "cannot read baselines from");
}

void perfdb_baseline_release(perfdb_baseline *b)
{
	if (!b)
		return;
	free(b->name);
	free(b->sha);
	free(b->branch);
	free(b->created_at);
	free(b->note);
	memset(b, 0, sizeof(*b));
}

int perfdb_store_baseline_remove(perfdb_store *store, const char *name)
{
	sqlite3_stmt *st = NULL;
	int err;
	if ((err = perfdb_store__begin(store)) < 0)
		return err;
	if ((err = perfdb_store__prepare(store, &st, "DELETE FROM baselines WHERE name = ?")) < 0) {
		perfdb_store__rollback(store);
		return err;
	}
	sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err = perfdb_store__fail(store, "cannot remove a baseline from");
		sqlite3_finalize(st);
		perfdb_store__rollback(store);
		return err;
	}
	sqlite3_finalize(st);
	if (sqlite3_changes(store->db) == 0) {
		perfdb_store__rollback(store);
		return perfdb_error__set(PERFDB_ENOTFOUND, "no baseline named '%s'",
					 name ? name : "");
	}
	return perfdb_store__commit(store);
}

int perfdb_store_baseline_list(perfdb_store *store, perfdb_row_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	int err;
	if ((err = perfdb_store__prepare(
		 store, &st,
		 "SELECT b.name AS name, c.sha AS sha, b.branch AS branch, "
		 "b.created_at AS created_at, b.note AS note FROM baselines b "
		 "JOIN commits c ON c.id = b.commit_id ORDER BY b.name")) < 0)
		return err;
	err = perfdb_store__stream(store, st, fn, ctx);
	sqlite3_finalize(st);
	return err;
}
