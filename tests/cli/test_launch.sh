#!/usr/bin/env bash
# Issue 11: run and load, the commands that run a program, share one set of
# output and record options (cli/launch.c): each reads them, refuses a bad
# value and records the same way.
. "$(dirname "$0")/lib.sh"

for cmd in "run --runs 2" "load -n 2"; do
	name=${cmd%% *}
	# shellcheck disable=SC2086
	expect_exit 0 "$PERFDB" $cmd -f json -- true
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "$name -f json: not JSON"
	# shellcheck disable=SC2086
	expect_exit 2 "$PERFDB" $cmd --format xml -- true
	expect_eq "perfdb: $name: --format 'xml': expected text or json; try 'perfdb $name --help'" \
		"$(cat err)" "$name: a bad --format"
	# shellcheck disable=SC2086
	expect_exit 2 "$PERFDB" $cmd --name '' -- true
	expect_eq "perfdb: $name: --name '': expected a non-empty name; try 'perfdb $name --help'" \
		"$(cat err)" "$name: an empty --name"
	# shellcheck disable=SC2086
	expect_exit 0 "$PERFDB" $cmd --db unused.db --tag k=v -- true
	expect_match "^perfdb: warning: --db, --commit, --branch, --machine, --tag and --time take effect only with --record" \
		err "$name: record options without --record"
	expect_eq "absent" "$([ -e unused.db ] && echo present || echo absent)" "$name: no database without --record"
	# --record with JSON: the answer on stdout, the "recorded" line on stderr
	# shellcheck disable=SC2086
	expect_exit 0 "$PERFDB" $cmd --record --db h.db --commit c1 --machine m1 --name "t/$name" -f json -- true
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "$name --record -f json: stdout is not JSON alone"
	expect_match "^perfdb: recorded [0-9]+ results .* for c1 on .*machine m1, run [0-9]+ in h.db" err "$name: recorded, on stderr"
done
expect_eq "2" "$(sql h.db "SELECT count(DISTINCT run_id) FROM results" | tr -d '\r')" "a run each"
"$PERFDB" list --db h.db --format csv benchmarks >bench.csv
expect_match "^t/run," bench.csv "run's --name is the benchmark"
expect_match "^t/load," bench.csv "load's --name is the benchmark"

# every run failed: nothing to record, and no database
expect_exit 2 "$PERFDB" run --record --db none.db --commit c1 --machine m1 --runs 2 --ignore-failure -- false
expect_match "^perfdb: nothing to record: every run exited non-zero" err "run: nothing to record"
expect_eq "absent" "$([ -e none.db ] && echo present || echo absent)" "run: no database for nothing"
finish
