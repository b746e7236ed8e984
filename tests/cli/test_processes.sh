#!/usr/bin/env bash
# Issue 12: commands perfdb runs end. `run` ends a run past --timeout, `load`
# keeps --duration and its per-request --timeout by ending the commands in
# flight (their process group: SIGTERM, then SIGKILL), and SIGTERM to perfdb
# ends its children too. Every case would last 1000 s on the old code; the
# outer `timeout 120` turns that into exit 124.
. "$(dirname "$0")/lib.sh"

# alive PID: the process still runs (a zombie does not count: a container's
# init may not reap orphans) after a generous grace (not a timing check)
alive() {
	for _ in $(seq 1 100); do
		[ -r "/proc/$1/stat" ] || return 1
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ] && return 1
		sleep 0.05
	done
	return 0
}

# run: --timeout ends the run, exit 2 with why
expect_exit 2 timeout 120 "$PERFDB" run --timeout 1 -- sleep 1000
expect_match "^perfdb: 'sleep' did not finish within 1 s in run 1: ended it" err "run --timeout"
# a command that ignores SIGTERM gets SIGKILL; its own children go with its group
expect_exit 2 timeout 120 "$PERFDB" run --timeout 0.5 -- sh -c 'trap "" TERM; sleep 1000 & echo $! >bg.pid; sleep 1000; wait'
alive "$(cat bg.pid)" && fail "the command's own child outlived it"
expect_exit 0 "$PERFDB" run --runs 2 --timeout 0 --format json -- true
expect_eq "1" "$(tr -d ' \n' <out | grep -o '"exit_codes":\[0,0\]' | wc -l | tr -d ' ')" "--timeout 0: no limit"
expect_exit 2 "$PERFDB" run --timeout -1 -- true
expect_match "timeout '-1'" err "negative --timeout"

# run: SIGTERM to perfdb ends the command and perfdb dies of it
"$PERFDB" run -- sh -c 'echo $$ >child.pid; exec sleep 1000' >out 2>err &
pid=$!
for _ in $(seq 1 200); do [ -s child.pid ] && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
expect_eq "143" "$?" "run dies of SIGTERM"
alive "$(cat child.pid)" && fail "the command outlived perfdb run"

# load: --duration is kept although the command would run 1000 s
expect_exit 0 timeout 120 "$PERFDB" load --duration 1 --format json -- sleep 1000
expect_match '"requests": 0' out "load --duration: nothing completed"
# load: per-request --timeout, counted as failures
expect_exit 0 timeout 120 "$PERFDB" load --requests 3 --timeout 0.3 --format json -- sleep 1000
expect_match '"failures": 3' out "load --timeout: three failures"
expect_exit 2 "$PERFDB" load --rate 1e-9 --duration 1 -- true
expect_match "rate '1e-9'" err "tiny rate refused"
expect_exit 2 "$PERFDB" load --rate nan --duration 1 -- true

# load: SIGTERM ends the test and its commands
rm -f child.pid
"$PERFDB" load --duration 1000 -- sh -c 'echo $$ >child.pid; exec sleep 1000' >out 2>err &
pid=$!
for _ in $(seq 1 200); do [ -s child.pid ] && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
expect_eq "0" "$?" "load ends cleanly on SIGTERM"
alive "$(cat child.pid)" && fail "the command outlived perfdb load"
finish
