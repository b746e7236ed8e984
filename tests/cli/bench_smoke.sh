#!/usr/bin/env bash
# perfdb-bench runs every case (small sizes: --quick; no figure is asserted,
# timings belong to the benchmark, not to tests) and its --json output is
# perfdb native JSON that perfdb record stores.
. "$(dirname "$0")/lib.sh"
bench="$PERFDB_BUILD_DIR/perfdb-bench"

expect_exit 0 "$bench" --quick ingest regress changepoint profiler memtrack loadtest merge http
for c in ingest regress changepoint profiler memtrack loadtest; do
	expect_match "^$c\$" out "case $c ran"
done
expect_no_match "failed" err "no case failed"

expect_exit 0 "$bench" --json --quick ingest profiler
cp out bench.json
expect_exit 0 "$PERFDB" record --db b.db --commit c1 --machine m1 bench.json
expect_match '^recorded [0-9]+ results' out "bench JSON recorded"
expect_eq "higher_is_better" "$(sql b.db "SELECT direction FROM history WHERE benchmark = 'ingest/end_to_end'" | tr -d '\r')" "throughput direction"
expect_eq "higher_is_better" "$(sql b.db "SELECT direction FROM history WHERE benchmark = 'profiler/two_threads_vs_one'" | tr -d '\r')" "ratio direction"
expect_exit 2 "$bench" --quick no-such-case
finish
