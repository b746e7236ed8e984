/* baselines.c - named, pinned reference commits. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "perfdb/context.h"
#include "perfdb/history.h"
#include "store/history.h"
#include "util/error.h"

static char *dup_col(perfdb_stmt *st, int col)
{
	const char *s = perfdb_stmt__column_text(st, col);
	return s ? strdup(s) : NULL;
}

int perfdb_store_baseline_set(perfdb_store *store, const char *name, int64_t commit_id,
			      const char *branch, const char *note)
{
	perfdb_stmt *st = NULL;
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
	perfdb_stmt__bind_text(st, 1, name);
	perfdb_stmt__bind_int64(st, 2, commit_id);
	perfdb_stmt__bind_text(st, 3, branch);
	perfdb_stmt__bind_text(st, 4, now);
	perfdb_stmt__bind_text(st, 5, note);
	if (perfdb_stmt__step(st) != PERFDB_DB_DONE) {
		err = perfdb_store__fail(store, "cannot set a baseline in");
		perfdb_stmt__free(st);
		perfdb_store__rollback(store);
		return err;
	}
	perfdb_stmt__free(st);
	return perfdb_store__commit(store);
}

int perfdb_store_baseline_get(perfdb_baseline *out, perfdb_store *store, const char *name)
{
	perfdb_stmt *st = NULL;
	int rc, err;
	memset(out, 0, sizeof(*out));
	if ((err = perfdb_store__prepare(store, &st,
					 "SELECT b.name, c.sha, b.branch, b.created_at, b.note, "
					 "b.commit_id FROM baselines b JOIN commits c ON "
					 "c.id = b.commit_id WHERE b.name = ?")) < 0)
		return err;
	perfdb_stmt__bind_text(st, 1, name ? name : "");
	rc = perfdb_stmt__step(st);
	if (rc == PERFDB_DB_ROW) {
		out->name = dup_col(st, 0);
		out->sha = dup_col(st, 1);
		out->branch = dup_col(st, 2);
		out->created_at = dup_col(st, 3);
		out->note = dup_col(st, 4);
		out->commit_id = perfdb_stmt__column_int64(st, 5);
		perfdb_stmt__free(st);
		if (!out->name || !out->sha || !out->created_at) {
			perfdb_baseline_release(out);
			return perfdb_error__oom();
		}
		return 0;
	}
	perfdb_stmt__free(st);
	if (rc == PERFDB_DB_DONE)
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
	perfdb_stmt *st = NULL;
	int err;
	if ((err = perfdb_store__begin(store)) < 0)
		return err;
	if ((err = perfdb_store__prepare(store, &st, "DELETE FROM baselines WHERE name = ?")) < 0) {
		perfdb_store__rollback(store);
		return err;
	}
	perfdb_stmt__bind_text(st, 1, name ? name : "");
	if (perfdb_stmt__step(st) != PERFDB_DB_DONE) {
		err = perfdb_store__fail(store, "cannot remove a baseline from");
		perfdb_stmt__free(st);
		perfdb_store__rollback(store);
		return err;
	}
	perfdb_stmt__free(st);
	if (perfdb_db__changes(store->db) == 0) {
		perfdb_store__rollback(store);
		return perfdb_error__set(PERFDB_ENOTFOUND, "no baseline named '%s'",
					 name ? name : "");
	}
	return perfdb_store__commit(store);
}

int perfdb_store_baseline_list(perfdb_store *store, perfdb_row_fn fn, void *ctx)
{
	perfdb_stmt *st = NULL;
	int err;
	if ((err = perfdb_store__prepare(
		 store, &st,
		 "SELECT b.name AS name, c.sha AS sha, b.branch AS branch, "
		 "b.created_at AS created_at, b.note AS note FROM baselines b "
		 "JOIN commits c ON c.id = b.commit_id ORDER BY b.name")) < 0)
		return err;
	err = perfdb_store__stream(store, st, fn, ctx);
	perfdb_stmt__free(st);
	return err;
}
