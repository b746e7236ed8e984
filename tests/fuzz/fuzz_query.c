/*
 * libFuzzer target: the read-only query guard. Every input is one SQL text
 * run by perfdb_store_query on a small perfdb database opened read-only,
 * with a short timeout; the database must never change (its data_version
 * and file size are checked after every query).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static perfdb_store *store;
static char path[256];
static off_t size_before;

static int ignore_rows(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	(void)ctx;
	(void)ncols;
	(void)names;
	(void)row;
	return 0;
}

static off_t file_size(void)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void remove_db(void)
{
	char side[300];
	perfdb_store_free(store);
	store = NULL;
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static int setup(void)
{
	static const char csv[] = "benchmark,metric,unit,value\nBM_a,real_time,ns,12.5\n"
				  "BM_b,items,items/s,1000\n";
	perfdb_resultset *rs = NULL;
	perfdb_store *rw = NULL;
	const char *tmp = getenv("TMPDIR");
	int ok;
	snprintf(path, sizeof(path), "%s/perfdb-fuzz-query-%ld.db", tmp ? tmp : "/tmp",
		 (long)getpid());
	unlink(path);
	ok = perfdb_store_open(&rw, path, PERFDB_STORE_READWRITE) == 0 &&
	     perfdb_resultset_new(&rs) == 0 &&
	     perfdb_ingest_buffer(rs, csv, sizeof(csv) - 1, "seed.csv", PERFDB_FORMAT_CSV) == 0 &&
	     perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "abc") == 0 &&
	     perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m") == 0 &&
	     perfdb_resultset_set_tag(rs, "cc", "gcc") == 0 &&
	     perfdb_store_record(rw, rs, NULL) == 0;
	perfdb_resultset_free(rs);
	perfdb_store_free(rw);
	atexit(remove_db);
	if (!ok || perfdb_store_open(&store, path, PERFDB_STORE_READONLY) != 0)
		return -1;
	perfdb_store_set_query_timeout(store, 0.05);
	size_before = file_size();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sql;
	if (!store && setup() != 0)
		abort();
	if (!(sql = malloc(size + 1)))
		return 0;
	memcpy(sql, data, size);
	sql[size] = '\0';
	(void)perfdb_store_query(store, sql, ignore_rows, NULL);
	free(sql);
	if (file_size() != size_before)
		abort(); /* a query changed the database */
	return 0;
}
