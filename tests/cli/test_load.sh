#!/usr/bin/env bash
# perfdb load end to end: real commands (true, false, sleep), every model,
# bad usage, --record into a real database. Timing checks are lower bounds.
. "$(dirname "$0")/lib.sh"

# json_num KEY FILE: the first numeric value of "KEY": in an indented JSON file.
json_num() {
	sed -n "s/^ *\"$1\": \([-0-9.eE+]*\),\{0,1\}\$/\1/p" "$2" | head -n 1
}
# at_least A B WHAT: A >= B as numbers.
at_least() {
	checks=$((checks + 1))
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }' ||
		fail "$3: expected >= $2, got '$1'"
}

# closed model, default 100 requests of true
expect_exit 0 "$PERFDB" load -- true
expect_match "^load test of 'true': closed model, 100 requests, 1 user" out "header"
expect_match '^  requests   100 \(100 succeeded, 0 failed\)$' out "counts"
expect_match '^  success    100\.00 %$' out "success rate"
expect_match '^  throughput [0-9.]+ (k )?req/s$' out "throughput"
expect_match '^  latency +min +mean +stddev +p50 +p90 +p95 +p99 +p99\.9 +max$' out "latency header"
expect_match '^  request +[0-9.]+ (ns|µs|ms|s) ' out "latency row"
expect_no_match 'req/s .* errors' err "no progress line off a terminal"

# false: every request fails, counted by exit code; still exit 0
expect_exit 0 "$PERFDB" load --requests 20 --users 4 -- false
expect_match '^  requests   20 \(0 succeeded, 20 failed\)$' out "false counts"
expect_match '^  errors:  exit 1: 20$' out "errors by code"
expect_match 'every request failed' err "all-failed warning"

# JSON: exact counts, requests = successes + failures; sleep 0.01 takes 10 ms
expect_exit 0 "$PERFDB" load -n 12 -u 3 --format json --name nap -- sleep 0.01
cp out nap.json
expect_eq 12 "$(json_num requests nap.json)" "json requests"
expect_eq 12 "$(json_num successes nap.json)" "json successes"
expect_eq 0 "$(json_num failures nap.json)" "json failures"
expect_eq 3 "$(json_num users nap.json)" "json users"
expect_match '"name": "nap"' nap.json "json name"
expect_match '"model": "closed"' nap.json "json model"
at_least "$(json_num min nap.json)" 10000000 "latency min of sleep 0.01 (ns)"
at_least "$(json_num p99 nap.json)" "$(json_num p50 nap.json)" "p99 >= p50"

# think time: 4 requests of one user, 100 ms apart at least
expect_exit 0 "$PERFDB" load -n 4 --think-ms 100 --format json -- true
at_least "$(json_num duration_s out)" 0.3 "think time spacing"

# duration mode with ramp-up: two users, the second starts after 0.2 s
expect_exit 0 "$PERFDB" load --duration 0.4 --users 2 --ramp-up 0.4 --format json -- sleep 0.02
at_least "$(json_num duration_s out)" 0.4 "duration"
at_least "$(json_num requests out)" 2 "requests in duration mode"

# open model: 50/s for 0.4 s is exactly 20 scheduled requests, none dropped
expect_exit 0 "$PERFDB" load --rate 50 --duration 0.4 -- true
expect_match "open model, 50 req/s, 0.4 s, 1 worker" out "open header"
expect_match '^  requests   20 \(20 succeeded, 0 failed\)$' out "open counts"
expect_match '^  rate +[0-9.]+ req/s achieved of 50 req/s asked' out "open rate"
expect_match '^  corrected ' out "corrected latency row"
expect_match '^  service ' out "service time row"
# the shared formatters: a duration in its unit (was "0.401 s"), columns
# aligned by characters even with "µs" (two bytes)
expect_match '^  duration   [0-9]{3}\.[0-9] ms$' out "duration in ms"
python3 - "$T/out" <<'PY' || fail "latency columns line up"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
head = next(l for l in lines if l.startswith("  latency"))
for l in lines:
    if l.startswith("  corrected") or l.startswith("  service"):
        assert len(l) == len(head), (head, l)
PY
# one worker cannot keep 100/s of 30 ms requests: late, never dropped
expect_exit 0 "$PERFDB" load --rate 100 --requests 15 --format json -- sleep 0.03
expect_eq 15 "$(json_num requests out)" "late requests still run"
at_least "$(json_num late_starts out)" 10 "late starts counted"
expect_match '"service_ns"' out "service time in JSON"

# stress: three steps that pass
expect_exit 0 "$PERFDB" load --stress 1:3:1:0.2 -- true
expect_match '^ +users +requests +failed +errors +req/s +p50 +p99 +max +step$' out "stress header"
expect_eq 3 "$(grep -cE '^ +[0-9]+ +[0-9]+ +0 +0\.00% .* ok$' out)" "three passing steps"
expect_match 'every step passed; capacity: at least 3 users' out "stress verdict"
# stress stopping early on the error rate, and on p99
expect_exit 0 "$PERFDB" load --stress 1:5:1:0.2 --max-error-rate 10 -- false
expect_match 'BROKE: error rate over the limit' out "broke on errors"
expect_match 'the system broke at 1 users \(error rate over 10 %\); stopped early\. capacity: 0 users' out "break line"
expect_exit 0 "$PERFDB" load --stress 1:4:1:0.2 --max-p99-ms 5 --format json -- sleep 0.02
expect_match '"reason": "p99"' out "broke on p99"
expect_match '"broke_at_users": 1' out "broke at 1 user"
expect_match '"stopped_early": true' out "stopped early"

# --show-output lets the command write
expect_exit 0 "$PERFDB" load -n 3 --show-output -- echo hello-from-cmd
expect_eq 3 "$(grep -c '^hello-from-cmd$' out)" "command output shown"
expect_exit 0 "$PERFDB" load -n 3 -- echo hidden
expect_no_match '^hidden$' out "command output hidden by default"

# usage errors: exit 2 with one line and the try line
expect_exit 2 "$PERFDB" load
expect_match "no command to run" err "no command"
expect_exit 2 "$PERFDB" load --requests 0 -- true
expect_match "try 'perfdb load --help'" err "try line"
expect_exit 2 "$PERFDB" load --requests 5 --duration 1 -- true
expect_exit 2 "$PERFDB" load --stress 1:2 -- true
expect_exit 2 "$PERFDB" load --stress 3:2:1:1 -- true
expect_exit 2 "$PERFDB" load --max-error-rate 5 -- true
expect_match "need --stress" err "limits need --stress"
expect_exit 2 "$PERFDB" load --rate 10 --think-ms 5 -- true
expect_exit 2 "$PERFDB" load --stress 1:2:1:1 --rate 5 -- true
expect_exit 2 "$PERFDB" load --stress 1:2:1:1 --users 4 -- true
expect_exit 2 "$PERFDB" load --late-ms 5 -- true
expect_match "needs --rate" err "--late-ms needs --rate"
expect_exit 2 "$PERFDB" load --format xml -- true
expect_exit 2 "$PERFDB" load -- perfdb-no-such-command-x
expect_match "cannot run 'perfdb-no-such-command-x'" err "unknown command"

# --record: throughput, success rate and latencies, per commit
expect_exit 0 "$PERFDB" load -n 10 --name svc --record --db l.db --commit c1 --branch main \
	--machine m1 -- true
expect_match '^recorded 9 results \(0 samples\) for c1 on main, machine m1, run 1 in l\.db$' out \
	"record line"
expect_eq "higher_is_better" "$(sql l.db "SELECT direction FROM history WHERE benchmark = 'svc' AND metric = 'throughput'" | tr -d '\r')" "throughput direction"
expect_eq "100" "$(sql l.db "SELECT value FROM history WHERE benchmark = 'svc' AND metric = 'success_rate'" | tr -d '\r')" "success rate stored"
expect_eq "lower_is_better|ns" "$(sql l.db "SELECT direction, unit FROM history WHERE benchmark = 'svc' AND metric = 'latency_p99'" | tr -d '\r' | tr , '|')" "p99 stored"
expect_eq "loadtest" "$(sql l.db "SELECT source FROM runs" | tr -d '\r')" "source"
# stress results record per step, and the capacity
expect_exit 0 "$PERFDB" load --stress 1:2:1:0.1 --name st --record --db l.db --commit c2 -- true
expect_eq "2" "$(sql l.db "SELECT value FROM history WHERE benchmark = 'st' AND metric = 'capacity_users'" | tr -d '\r')" "capacity recorded"
expect_eq "2" "$(sql l.db "SELECT count(*) FROM history WHERE benchmark LIKE 'st/users:%' AND metric = 'throughput'" | tr -d '\r')" "steps recorded"
# record options without --record are a warning, not silence
expect_exit 0 "$PERFDB" load -n 2 --db x.db -- true
expect_match 'take effect only with --record' err "unused record options"
[ ! -e x.db ] || fail "x.db created without --record"

# Ctrl-C on a terminal signals the whole process group: the commands in flight
# die of the same SIGINT as perfdb. The summary covers the requests done, and
# those killed requests are not counted as failures (they were exit 130).
mkdir started
# (A background job of a script ignores SIGINT, and so would the commands:
# python3 restores the default, as a command started from a terminal has it.)
setsid "$PERFDB" load --duration 60 --users 2 --format json -- python3 -c \
	'import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_DFL)
open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
time.sleep(30)' "$T/started" >int.json 2>int.err &
load_pid=$!
for _ in $(seq 1 200); do
	[ "$(find started -type f | wc -l)" -ge 2 ] && break
	sleep 0.05
done
kill -INT -- "-$(ps -o pgid= -p "$load_pid" | tr -d ' ')"
wait "$load_pid"
expect_eq "0" "$?" "interrupted load exits 0"
expect_eq "0 0 True" "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["requests"], d["failures"], d["stopped"])' int.json)" \
	"requests killed by the Ctrl-C are not failures"
expect_match 'interrupted: the figures cover the requests done' int.err "interrupted warning"

# --- --url: an HTTP server of our own (tests/progs/httpd_test) on 127.0.0.1 ---
"$PERFDB_BUILD_DIR/tests/prog_httpd_test" --port-file port --log http.log --lifetime 120 &
srv_pid=$!
trap 'kill "$srv_pid" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 300); do [ -s port ] && break; sleep 0.02; done
U="http://127.0.0.1:$(cat port)"

expect_exit 0 "$PERFDB" load --url "$U/ok" -n 50 -c 4 -t 2
expect_match "^load test of '$U/ok': closed model, 50 requests, 4 connections, 2 threads" out "url header"
expect_match '^  requests   50 \(50 succeeded, 0 failed\)$' out "url counts"
expect_match '^  status     1xx 0  2xx 50  3xx 0  4xx 0  5xx 0$' out "status classes"
expect_match '^  transport  connect errors 0  timeouts 0  closed 0  malformed 0  unfinished 0$' out "transport line"
expect_match '^  request +[0-9.]+ (ns|µs|ms|s) ' out "url latency row"
expect_match '^  throughput [0-9.]+ (k )?req/s$' out "url throughput"

# round-robin over named URLs, a 500 path counted as failure, a series each
expect_exit 0 "$PERFDB" load --url ok="$U/ok" --url boom="$U/status/500" --url nf="$U/status/404" \
	-n 30 --format json
cp out rr.json
expect_eq "30 10 20 10 10 10" "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); h = d["http"]
print(d["requests"], d["successes"], d["failures"], h["status_2xx"], h["status_4xx"], h["status_5xx"])' rr.json)" \
	"round-robin counts"
expect_eq "ok:10:0 boom:10:10 nf:10:10" "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(" ".join("%s:%d:%d" % (s["name"], s["requests"], s["failures"]) for s in d["series"]))' rr.json)" \
	"series per named URL"
expect_match '"code": 500' rr.json "500 counted by status"
# --expect-status makes 404 a success
expect_exit 0 "$PERFDB" load --url "$U/status/404" -n 5 --expect-status 2xx,404
expect_match '^  requests   5 \(5 succeeded, 0 failed\)$' out "404 expected"
expect_exit 2 "$PERFDB" load --url "$U/ok" --expect-status 2xy
# chunked, Connection: close, a close-delimited body
expect_exit 0 "$PERFDB" load --url "$U/chunked" --url "$U/close" --url "$U/eof" -n 30 --format json
expect_eq "30 0 20" "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["successes"], d["failures"], d["http"]["connects"])' out)" "chunked, close and eof (chunked keeps, close and eof reconnect: 2 a round)"
# a server that never answers: timeouts, counted as failures
expect_exit 0 "$PERFDB" load --url "$U/silent" -n 2 --timeout 0.2
expect_match '^  requests   2 \(0 succeeded, 2 failed\)$' out "timeouts are failures"
expect_match 'timeouts 2 ' out "timeouts counted"
expect_match '^  errors:  timeout: 2$' out "timeout errors"
# the duration is enforced: requests in flight are ended, not waited for
expect_exit 0 "$PERFDB" load --url "$U/silent" -d 0.3 -c 3 --format json
expect_eq "0 3 0" "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["requests"], d["http"]["unfinished"], d["http"]["timeouts"])' out)" "duration ends requests in flight"
# malformed responses are errors counted
expect_exit 0 "$PERFDB" load --url "$U/garbage" --url "$U/huge-header" -n 4
expect_match 'malformed 4 ' out "malformed counted"
# method, header and body reach the server
: >http.log
printf 'some body' >body.txt
expect_exit 0 "$PERFDB" load --url "$U/echo" -n 2 -X PATCH -H 'X-Test: v 1' --body body.txt
expect_eq "2" "$(grep -c '^PATCH /echo body=9 x-test=v 1$' http.log)" "method, header and body sent"
# open model
expect_exit 0 "$PERFDB" load --url "$U/ok" --rate 100 -d 0.2 -c 2
expect_match 'open model, 100 req/s, 0.2 s, 2 connections, 1 thread' out "open header"
expect_match '^  requests   20 \(20 succeeded, 0 failed\)$' out "open counts"
expect_match '^  corrected ' out "corrected row"
expect_match '^  service ' out "service row"
# --record: one series per named URL
expect_exit 0 "$PERFDB" load --url a="$U/ok" --url b="$U/status/503" -n 10 --name web --record \
	--db h.db --commit c1 --branch main --machine m1
expect_eq "web/a|web/b" "$(sql h.db "SELECT DISTINCT benchmark FROM history WHERE metric = 'throughput' ORDER BY benchmark" | tr -d '\r' | paste -sd '|')" "a series per URL"
expect_eq "0" "$(sql h.db "SELECT value FROM history WHERE benchmark = 'web/b' AND metric = 'success_rate'" | tr -d '\r')" "503 recorded as failures"
expect_eq "0" "$(sql h.db "SELECT value FROM history WHERE benchmark = 'web/a' AND metric = 'timeouts'" | tr -d '\r')" "timeouts recorded"
# usage errors
expect_exit 2 "$PERFDB" load --url "$U/ok" --rate 0.0001
expect_exit 2 "$PERFDB" load --url "$U/ok" --rate nan
expect_exit 2 "$PERFDB" load --rate inf -- true
expect_exit 2 "$PERFDB" load --url "$U/ok" -- true
expect_match 'not both' err "url and command"
expect_exit 2 "$PERFDB" load --connections 4 -- true
expect_match 'need --url' err "http options need --url"
expect_exit 2 "$PERFDB" load --insecure -- true
expect_match 'need --url' err "--insecure needs --url"
expect_exit 2 "$PERFDB" load --cacert ca.pem -- true
expect_match 'need --url' err "--cacert needs --url"
expect_exit 2 "$PERFDB" load --url "$U/ok" --users 4
expect_exit 2 "$PERFDB" load --url "$U/ok" -c 2 -t 3
expect_exit 2 "$PERFDB" load --url "ftp://127.0.0.1/"
expect_exit 2 "$PERFDB" load --url "$U/ok" --body no-such-file
expect_exit 2 "$PERFDB" load --url "$U/ok" -H 'no colon'
# more connections than open files allowed: said up front, not EMFILE as connect errors
before=$failures
(
	ulimit -n 256 || exit 1
	expect_exit 2 "$PERFDB" load --url "$U/ok" -c 1000 -n 1
	expect_match 'needs 1065 open files; the limit is 256' err "open-file limit"
	[ "$failures" -eq "$before" ]
) || fail "open-file limit"
kill "$srv_pid"
wait "$srv_pid" 2>/dev/null

finish
