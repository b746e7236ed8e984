#!/usr/bin/env bash
# examples/profile_self.c end to end: a program profiles itself with the
# in-process profiler and records the profile into a database through the
# store API; two commits' profiles then sit side by side like any benchmark.
. "$(dirname "$0")/lib.sh"

EX="$PERFDB_BUILD_DIR/example_profile_self"

expect_exit 0 "$EX" --requests 50
expect_match '^profiled 50 requests with the (tsc|clock_monotonic) clock' out "header"
expect_match '^handle +50 +5 ' out "handle: 50 calls, 5 failed"
expect_match '^critical path' out "critical path printed"
expect_match '^  handle ' out "path starts at handle"

expect_exit 0 "$EX" --requests 50 --json
expect_match '"critical_path"' out "json dump"
expect_match '"name": "parse.tokenize"' out "json names"

expect_exit 0 "$EX" --requests 50 --db p.db --commit c1 --branch main
expect_match '^recorded 36 results as run 1 of commit c1 into p\.db$' out "record line"
expect_exit 0 "$EX" --requests 50 --db p.db --commit c2 --branch main
expect_eq "2" "$(sql p.db "SELECT count(*) FROM runs WHERE source = 'profiler'" | tr -d '\r')" "two profiler runs"
expect_eq "50" "$(sql p.db "SELECT value FROM history WHERE sha = 'c2' AND benchmark = 'handle' AND metric = 'calls'" | tr -d '\r')" "calls of handle"
expect_eq "calls|lower_is_better" "$(sql p.db "SELECT unit, direction FROM history WHERE sha = 'c1' AND benchmark = 'parse' AND metric = 'calls'" | tr -d '\r' | tr , '|')" "calls unit and direction"
expect_eq "6" "$(sql p.db "SELECT count(DISTINCT metric) FROM history WHERE benchmark = 'lookup'" | tr -d '\r')" "six metrics per scope"
expect_eq "ns" "$(sql p.db "SELECT DISTINCT unit FROM history WHERE metric = 'p99'" | tr -d '\r')" "p99 in ns"

expect_exit 2 "$EX" --requests zero
expect_match "bad --requests 'zero'" err "bad option value"
expect_exit 3 "$EX" --requests 5 --db "$T/no/such/dir/p.db" --commit c3
expect_match '^example_profile_self: ' err "store error reported"

finish
