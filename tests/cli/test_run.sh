#!/usr/bin/env bash
# perfdb run end to end: real commands (true, false, sleep, sh), the
# hyperfine-shaped JSON read back by perfdb record, --record, bad usage.
. "$(dirname "$0")/lib.sh"

json_num() {
	sed -n "s/^ *\"$1\": \([-0-9.eE+]*\),\{0,1\}\$/\1/p" "$2" | head -n 1
}
at_least() {
	checks=$((checks + 1))
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }' ||
		fail "$3: expected >= $2, got '$1'"
}
# json_array_len KEY FILE: elements of an indented array of scalars.
json_array_len() {
	awk -v k="\"$1\": \\[" '$0 ~ k {on=1; next} on && /^ *\]/ {print n+0; exit} on {n++}' "$2"
}

# true: 10 runs by default, every measure
expect_exit 0 "$PERFDB" run -- true
expect_match "^benchmark of 'true': 10 runs$" out "header"
expect_match '^ +mean +stddev +median +min +max$' out "columns"
expect_match '^  wall +[0-9.]+ (ns|µs|ms|s) ± ' out "wall row"
expect_match '^  user ' out "user row"
expect_match '^  system ' out "system row"
expect_match '^  peak RSS +[0-9.]+ (B|KiB|MiB|GiB) ± ' out "rss row"

# false stops the benchmark: exit 2 with the code; --ignore-failure keeps going
expect_exit 2 "$PERFDB" run --runs 3 -- false
expect_match "'false' exited with code 1 in run 1 \(use --ignore-failure" err "failure message"
expect_exit 0 "$PERFDB" run --runs 3 --ignore-failure -- false
expect_match "^benchmark of 'false': 3 runs, 3 exited non-zero$" out "ignored failures"

# sleep: the wall time covers the sleep; JSON is hyperfine's shape
expect_exit 0 "$PERFDB" run -r 4 --format json -- sleep 0.05
cp out sleep.json
at_least "$(json_num mean sleep.json)" 0.05 "mean of sleep 0.05 (s)"
at_least "$(json_num min sleep.json)" 0.05 "min of sleep 0.05 (s)"
expect_match '"command": "sleep 0.05"' sleep.json "command name"
expect_eq 4 "$(json_array_len times sleep.json)" "times per run"
expect_eq 4 "$(json_array_len exit_codes sleep.json)" "exit codes per run"
expect_eq 4 "$(json_array_len user_times sleep.json)" "user times per run"
# ... which perfdb record reads back as hyperfine JSON
expect_exit 0 "$PERFDB" record --db h.db --commit c0 sleep.json
expect_match '^recorded [0-9]+ results \(' out "hyperfine JSON recorded"
expect_eq "4" "$(sql h.db "SELECT n FROM history WHERE benchmark = 'sleep 0.05' AND metric = 'wall_time'" | tr -d '\r')" "samples via hyperfine reader"

# --warmup and --prepare: 2 + 3 runs, each after a prepare
expect_exit 0 "$PERFDB" run --runs 3 --warmup 2 --prepare "echo p >> log" -- sh -c 'echo r >> log'
expect_eq 5 "$(grep -c '^p$' log)" "prepare before every run"
expect_eq 5 "$(grep -c '^r$' log)" "warm-up plus measured runs"
expect_match "3 runs after 2 warm-up runs" out "warm-up in header"
expect_exit 2 "$PERFDB" run --runs 2 --prepare "exit 3" -- true
expect_match "prepare command 'exit 3' exited with code 3" err "failing prepare"

# --min-time extends the runs; --max-runs bounds them
# (margins far from a loaded runner's delays: 10 ms runs against 0.6 s)
expect_exit 0 "$PERFDB" run --runs 2 --min-time 0.6 --format json -- sleep 0.01
at_least "$(json_array_len times out)" 4 "runs extended by --min-time"
expect_exit 0 "$PERFDB" run --runs 2 --min-time 60 --max-runs 3 --format json -- true
expect_eq 3 "$(json_array_len times out)" "--max-runs bound"

# a first run far slower than the rest is pointed out
expect_exit 0 "$PERFDB" run --runs 6 -- sh -c '[ -e warm ] || { : > warm; sleep 1; }'
expect_match 'first run was much slower' err "first-run warning"

# --show-output
expect_exit 0 "$PERFDB" run --runs 2 --show-output -- echo hello-run
expect_eq 2 "$(grep -c '^hello-run$' out)" "output shown"

# --record: wall, user, system (and memory when measurable), every run a sample
expect_exit 0 "$PERFDB" run --runs 5 --name nap --record --db r.db --commit c1 --branch main \
	--machine m1 -- sleep 0.01
expect_match '^recorded (3 results \(15|4 results \(20) samples\) for c1 on main, machine m1, run 1 in r\.db$' \
	out "record line"
expect_eq "5|ns|lower_is_better" "$(sql r.db "SELECT n, unit, direction FROM history WHERE benchmark = 'nap' AND metric = 'wall_time'" | tr -d '\r' | tr , '|')" "wall samples"
at_least "$(sql r.db "SELECT value FROM history WHERE benchmark = 'nap' AND metric = 'wall_time'" | tr -d '\r')" 10000000 "wall time in ns"
expect_eq "run" "$(sql r.db "SELECT source FROM runs" | tr -d '\r')" "source"
expect_exit 2 "$PERFDB" run --runs 2 --ignore-failure --record --db r.db -- false
expect_match 'nothing to record' err "all-failed runs are not recorded"

# usage errors
expect_exit 2 "$PERFDB" run
expect_match 'no command to run' err "no command"
expect_exit 2 "$PERFDB" run --runs 0 -- true
expect_match "try 'perfdb run --help'" err "try line"
expect_exit 2 "$PERFDB" run --runs 5 --max-runs 2 -- true
expect_exit 2 "$PERFDB" run --min-time -1 -- true
expect_exit 2 "$PERFDB" run --format yaml -- true
expect_exit 2 "$PERFDB" run -- perfdb-no-such-command-x
expect_match "cannot run 'perfdb-no-such-command-x'" err "unknown command"

finish
