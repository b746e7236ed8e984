/* baselines.c - named, pinned reference commits. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "perfdb/context.h"
#include "perfdb/history.h"
#include "store/history.h"
#include "util/error.h"
#include "util/utf8.h"

/* The current row's name, sha, branch, created_at, note, commit_id. */
static void read_baseline(perfdb_baseline *b, perfdb_stmt *st, int *oom)
{
	b->name = perfdb_store__column_dup(st, 0, oom);
	b->sha = perfdb_store__column_dup(st, 1, oom);
	b->branch = perfdb_store__column_dup(st, 2, oom);
	b->created_at = perfdb_store__column_dup(st, 3, oom);
	b->note = perfdb_store__column_dup(st, 4, oom);
	b->commit_id = perfdb_stmt__column_int64(st, 5);
}

#define BASELINE_COLUMNS                                                                           \
	"SELECT b.name, c.sha, b.branch, b.created_at, b.note, b.commit_id FROM baselines b "      \
	"JOIN commits c ON c.id = b.commit_id "

int perfdb_store_baseline_set(perfdb_store *store, const char *name, int64_t commit_id,
			      const char *branch, const char *note)
{
	perfdb_stmt *st = NULL;
	char now[32];
	int err;
	if (!name || !*name)
		return perfdb_error__set(PERFDB_EINVAL, "a baseline needs a name");
	if ((err = perfdb_util__text_ok("baseline name", name)) ||
	    (branch && (err = perfdb_util__text_ok("branch", branch))) ||
	    (note && (err = perfdb_util__text_ok("note", note))))
		return err;
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
	if ((err = perfdb_store__prepare(store, &st, BASELINE_COLUMNS "WHERE b.name = ?")) < 0)
		return err;
	perfdb_stmt__bind_text(st, 1, name ? name : "");
	rc = perfdb_stmt__step(st);
	if (rc == PERFDB_DB_ROW) {
		int oom = 0;
		read_baseline(out, st, &oom);
		perfdb_stmt__free(st);
		if (oom) {
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

struct perfdb_baseline_list {
	perfdb_baseline *items;
	size_t count, cap;
};

int perfdb_store_baseline_list(perfdb_baseline_list **out, perfdb_store *store)
{
	perfdb_baseline_list *list;
	perfdb_stmt *st = NULL;
	int rc, err, oom = 0;
	*out = NULL;
	if (!(list = calloc(1, sizeof(*list))))
		return perfdb_error__oom();
	if ((err = perfdb_store__prepare(store, &st, BASELINE_COLUMNS "ORDER BY b.name")) < 0) {
		free(list);
		return err;
	}
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		if (perfdb_store__grow((void **)&list->items, &list->cap, list->count,
				       sizeof(list->items[0])) < 0) {
			oom = 1;
			break;
		}
		memset(&list->items[list->count], 0, sizeof(list->items[0]));
		read_baseline(&list->items[list->count++], st, &oom);
		if (oom)
			break;
	}
	perfdb_stmt__free(st);
	if (oom || (rc != PERFDB_DB_ROW && rc != PERFDB_DB_DONE)) {
		perfdb_baseline_list_free(list);
		return oom ? perfdb_error__oom()
			   : perfdb_store__fail(store, "cannot read baselines from");
	}
	*out = list;
	return 0;
}

size_t perfdb_baseline_list_count(const perfdb_baseline_list *list)
{
	return list ? list->count : 0;
}

const perfdb_baseline *perfdb_baseline_list_get(const perfdb_baseline_list *list, size_t i)
{
	return list && i < list->count ? &list->items[i] : NULL;
}

void perfdb_baseline_list_free(perfdb_baseline_list *list)
{
	size_t i;
	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		perfdb_baseline_release(&list->items[i]);
	free(list->items);
	free(list);
}
