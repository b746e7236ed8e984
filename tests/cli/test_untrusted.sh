#!/usr/bin/env bash
# Issue 12: untrusted input. Queries that only read work and those that could
# write or run for ever do not; database paths that are not perfdb databases
# are refused without being changed; output nobody could write is an error;
# record inputs that are not regular files are refused.
. "$(dirname "$0")/lib.sh"
data="$PERFDB_TEST_DATA"

expect_exit 0 "$PERFDB" record --db h.db --commit c1 --machine m1 --tag cc=gcc "$data/native/full.json"

# ---- the query guard, both directions -----------------------------------------
expect_exit 0 "$PERFDB" query --db h.db --format csv --no-header "SELECT key, value FROM runs, json_each(runs.tags) WHERE key = 'cc'"
expect_eq "cc,gcc" "$(tr -d '\r' <out)" "json_each is a read"
expect_exit 0 "$PERFDB" query --db h.db --format csv --no-header "SELECT name FROM pragma_table_info('runs') WHERE name = 'tags'"
expect_eq "tags" "$(tr -d '\r' <out)" "pragma_table_info is a read"
expect_exit 0 "$PERFDB" query --db h.db --format csv --no-header "PRAGMA journal_mode"
expect_eq "wal" "$(tr -d '\r' <out)" "reading journal_mode"
expect_exit 0 "$PERFDB" query --db h.db --format csv --no-header "SELECT 1; /* c */"
expect_eq "1" "$(tr -d '\r' <out)" "a trailing comment"
expect_exit 2 "$PERFDB" query --db h.db "SELECT fts3_tokenizer('simple')"
expect_match "fts3_tokenizer" err "fts3_tokenizer refused"
expect_exit 2 "$PERFDB" query --db h.db "PRAGMA journal_mode = DELETE"
expect_exit 2 "$PERFDB" query --db h.db "DELETE FROM runs"
expect_exit 0 "$PERFDB" query --db h.db --format csv --no-header "SELECT count(*) FROM runs"
expect_eq "1" "$(tr -d '\r' <out)" "nothing was deleted"
# A runaway query is stopped (the old guard let it run for ever).
expect_exit 3 "$PERFDB" query --db h.db --timeout 0.3 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
expect_match "^perfdb: query stopped after 0.3 s" err "timeout message"
expect_exit 2 "$PERFDB" query --db h.db --timeout soon "SELECT 1"
expect_match "timeout 'soon'" err "bad --timeout"

finish
