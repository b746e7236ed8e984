#!/usr/bin/env bash
# perfdb record / query / list end to end: the real binary, real files, a
# real SQLite database in a temporary directory.
. "$(dirname "$0")/lib.sh"

cat > a.json <<'JSON'
{"run": {"tags": {"cc": "gcc"}},
 "results": [
  {"benchmark": "parse", "metric": "wall_time", "unit": "ms", "samples": [1.0, 2.0, 3.0]},
  {"benchmark": "parse", "metric": "throughput", "unit": "items/s", "value": 1500}
 ]}
JSON

expect_exit 0 "$PERFDB" record --db h.db --commit c1 --branch main --machine m1 a.json
expect_match '^recorded 2 results \(3 samples\) for c1 on main, machine m1, run 1 in h\.db$' out "record line"
expect_eq "parse|wall_time|ns|2000000|3|lower_is_better" \
	"$("$PERFDB" query --db h.db --format csv --no-header "SELECT benchmark, metric, unit, value, n, direction FROM history WHERE metric = 'wall_time'" | tr -d '\r' | tr , '|')" \
	"stored value in ns"
expect_eq "higher_is_better" "$(sql h.db "SELECT direction FROM history WHERE metric = 'throughput'" | tr -d '\r')" "rate direction"
expect_eq '{"cc":"gcc"}' "$(sql h.db "SELECT tags FROM runs" | tr -d '\r' | sed 's/""/"/g; s/^"//; s/"$//')" "tags from input"

# The sample count is of the samples stored: one sample is not kept (it says
# no more than the value), so it is not counted either.
cat > one.json <<'JSON'
{"results": [
  {"benchmark": "once", "metric": "wall_time", "unit": "ms", "samples": [4.0]},
  {"benchmark": "thrice", "metric": "wall_time", "unit": "ms", "samples": [1.0, 2.0, 3.0]}
 ]}
JSON
expect_exit 0 "$PERFDB" record --db one.db --commit c1 --machine m1 one.json
expect_match '^recorded 2 results \(3 samples\) for c1' out "record line counts stored samples"
expect_eq "3" "$(sql one.db "SELECT count(*) FROM samples" | tr -d '\r')" "samples stored"

# stdin, --tag, --time; a second run of the same commit adds evidence.
expect_exit 0 "$PERFDB" record --db h.db --commit c1 --machine m1 --tag cc=clang --time 2026-01-02T03:04:05+01:00 - < a.json
expect_eq "2026-01-02T02:04:05Z" "$(sql h.db "SELECT started_at FROM runs WHERE id = 2" | tr -d '\r')" "--time in UTC"
# a day the calendar does not have is refused, never carried into March
expect_exit 2 "$PERFDB" record --db h.db --commit c1 --machine m1 --time 2024-02-30 a.json
expect_match "--time: '2024-02-30' is not an ISO 8601 time.*February 2024 has 29 days" err "--time 30 February"
expect_exit 2 "$PERFDB" record --db h.db --commit c1 --machine m1 --time 2023-02-29T10:00:00Z a.json
expect_eq "2" "$(sql h.db "SELECT count(*) FROM runs" | tr -d '\r')" "no run recorded for a bad --time"
expect_eq "1" "$(sql h.db "SELECT count(*) FROM commits" | tr -d '\r')" "one commit"
expect_eq "2" "$(sql h.db "SELECT count(*) FROM runs" | tr -d '\r')" "two runs"

# query formats
expect_exit 0 "$PERFDB" query --db h.db --format json "SELECT run_id, value FROM history WHERE metric = 'throughput' ORDER BY run_id"
expect_eq '[{"run_id":1,"value":1500.0},{"run_id":2,"value":1500.0}]' "$(tr -d ' \n' < out)" "json rows"
expect_exit 0 "$PERFDB" query --db h.db "SELECT benchmark, metric FROM latest ORDER BY metric, tags"
expect_match '^benchmark +metric' out "table header"
expect_match '^parse +throughput' out "table row"
expect_exit 0 "$PERFDB" list --db h.db runs
expect_match 'c1 +main +m1' out "list runs"
# Tags are an object in JSON, k=v for people, JSON text in CSV; query
# leaves a column as SQLite has it.
expect_match ' cc=clang +[0-9]+$' out "list runs: tags as k=v"
expect_exit 0 "$PERFDB" list --db h.db --format json runs
expect_eq "gcc clang" "$(python3 -c 'import json,sys; print(" ".join(r["tags"]["cc"] for r in json.load(open(sys.argv[1]))))' out)" "list runs: tags as objects"
expect_exit 0 "$PERFDB" list --db h.db --format csv runs
expect_match ',"\{""cc"":""clang""\}",' out "list runs: tags as JSON in CSV"
expect_exit 0 "$PERFDB" query --db h.db --format json "SELECT tags FROM runs WHERE id = 1"
expect_eq '[{"tags":"{\"cc\":\"gcc\"}"}]' "$(tr -d ' \n' < out)" "query: tags stay text"
expect_exit 0 "$PERFDB" list --db h.db --format csv benchmarks
expect_match '^parse,wall_time,ns,lower_is_better,2' out "list benchmarks csv"

# query refuses writes, exit 2, nothing changed
cp h.db before.db
for q in "DELETE FROM runs" "DROP TABLE samples" "ATTACH 'x.db' AS x" "PRAGMA user_version = 9" \
	"INSERT INTO commits(sha, seq) VALUES ('z', 9)" "SELECT 1; DELETE FROM runs"; do
	expect_exit 2 "$PERFDB" query --db h.db "$q"
	expect_eq 1 "$(wc -l < err)" "one-line error for: $q"
done
expect_match 'read-only|more than one statement' err "refusal message"
cmp -s h.db before.db || fail "query changed the database"

# usage errors
expect_exit 2 "$PERFDB" record --db h.db --bogus a.json
expect_match "unknown option '--bogus'" err "unknown option"
expect_match "try 'perfdb record --help'" err "try line"
expect_exit 2 "$PERFDB" record --db h.db --format xml a.json
expect_exit 2 "$PERFDB" record --db h.db --tag novalue a.json
expect_exit 2 "$PERFDB" record --db h.db
expect_exit 2 "$PERFDB" frobnicate
expect_exit 0 "$PERFDB" record --help
expect_match '^usage: perfdb record' out "help"

# bad inputs: one-line error naming the file, exit 2, database byte-for-byte unchanged
cp h.db before.db
printf '{"results": [{"benchmark": "x", "value": 1}' > truncated.json
printf '{"results": [{"benchmark": "x", "value": "fast"}]}' > wrongtype.json
printf '' > empty.json
printf 'hello world\nthis is not a benchmark\n' > unknown.txt
printf '{"results": [{"benchmark": "x", "value": NaN}]}' > nan.json
for f in truncated.json wrongtype.json empty.json unknown.txt nan.json missing.json; do
	expect_exit 2 "$PERFDB" record --db h.db --commit c2 --machine m1 a.json "$f"
	expect_eq 1 "$(wc -l < err)" "one-line error for $f"
	expect_match "$f" err "error names $f"
done
expect_exit 2 "$PERFDB" record --db h.db --commit c2 --machine m1 - < /dev/null
expect_match 'empty' err "empty stdin"
cmp -s h.db before.db || fail "bad input changed the database"
expect_eq "2" "$(sql h.db "SELECT count(*) FROM runs" | tr -d '\r')" "no run added by bad input"

# the same series in two files of one run: refused, naming the second file
cp a.json again.json
expect_exit 2 "$PERFDB" record --db h.db --commit c2 --machine m1 a.json again.json
expect_eq 1 "$(wc -l < err)" "one-line duplicate error"
expect_match "again.json: .*parse.* also in an earlier input" err "names the second file"
cmp -s h.db before.db || fail "duplicate input changed the database"

# a corrupt database: exit 3, file unchanged
head -c 4096 /dev/urandom > corrupt.db
cp corrupt.db corrupt.before
expect_exit 3 "$PERFDB" record --db corrupt.db --commit c1 --machine m a.json
expect_eq 1 "$(wc -l < err)" "one-line corrupt error"
expect_match "corrupt.db" err "names the database"
cmp -s corrupt.db corrupt.before || fail "corrupt database was modified"
expect_exit 3 "$PERFDB" query --db nonexistent.db "SELECT 1"
[ -e nonexistent.db ] && fail "query created a database"

# a read-only database (as an unprivileged user): exit 3, unchanged
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	mkdir ro && cp h.db ro/h.db && cp a.json ro/ && chmod 755 ro && chmod 444 ro/h.db && chmod 644 ro/a.json
	cp ro/h.db ro.before
	(cd ro && setpriv --reuid=65534 --regid=65534 --clear-groups "$PERFDB" record --db h.db --commit c3 --machine m1 a.json) >out 2>err
	expect_eq 3 $? "read-only database exit code"
	expect_eq 1 "$(wc -l < err)" "one-line read-only error"
	cmp -s ro/h.db ro.before || fail "read-only database was modified"
else
	# Not root: make the file read-only for ourselves.
	cp h.db ro.db && chmod 444 ro.db && cp ro.db ro.before
	expect_exit 3 "$PERFDB" record --db ro.db --commit c3 --machine m1 a.json
	cmp -s ro.db ro.before || fail "read-only database was modified"
fi

# commit from git when not given; CI variables win over git
git init -q repo && cd repo && git config user.email t@example.com && git config user.name T
echo x > f && git add f && git commit -qm "first commit" && echo y >> f && git commit -qam "second commit"
sha=$(git rev-parse HEAD); parent=$(git rev-parse HEAD~1)
expect_exit 0 "$PERFDB" record --db ../g.db --machine m1 ../a.json
expect_eq "$sha|$parent|second commit|T <t@example.com>" \
	"$(sql ../g.db "SELECT sha, parent_sha, subject, author FROM commits" | tr -d '\r' | tr , '|')" "git context"
expect_exit 0 "$PERFDB" record --db ../g.db --machine m1 --commit HEAD~1 ../a.json
expect_eq "$parent" "$(sql ../g.db "SELECT sha FROM commits WHERE subject = 'first commit'" | tr -d '\r')" "--commit resolved by git"
GITHUB_ACTIONS=true GITHUB_SHA=feedface GITHUB_REF_NAME=pr-branch expect_exit 0 "$PERFDB" record --db ../g.db --machine m1 ../a.json
expect_eq "feedface|pr-branch" "$(sql ../g.db "SELECT c.sha, r.branch FROM runs r JOIN commits c ON c.id = r.commit_id WHERE r.id = 3" | tr -d '\r' | tr , '|')" "GitHub Actions variables"
GITLAB_CI=true CI_COMMIT_SHA=$parent CI_COMMIT_REF_NAME=gl expect_exit 0 "$PERFDB" record --db ../g.db --machine m1 ../a.json
expect_eq "$parent|gl" "$(sql ../g.db "SELECT c.sha, r.branch FROM runs r JOIN commits c ON c.id = r.commit_id WHERE r.id = 4" | tr -d '\r' | tr , '|')" "GitLab variables"
cd ..
mkdir nogit && cd nogit
expect_exit 2 "$PERFDB" record --db ../g.db --machine m1 ../a.json
expect_match 'pass --commit' "$T/err" "asks for --commit"
cd ..

# machine defaults to the host name, with a fingerprint
expect_exit 0 "$PERFDB" record --db host.db --commit c1 a.json
expect_eq "$(hostname)" "$(sql host.db "SELECT name FROM machines" | tr -d '\r')" "host name"
sql host.db "SELECT fingerprint FROM machines" > fp.txt
expect_match 'cores' fp.txt "fingerprint has cores"

# perfdb.yaml in the working directory names the database; --db and
# $PERFDB_DB win over it; a bad config is a one-line error, exit 2
mkdir cfg && cd cfg
printf 'database: from-config.db\n' > perfdb.yaml
expect_exit 0 "$PERFDB" record --commit c1 --machine m1 ../a.json
[ -f from-config.db ] || fail "config database not used"
expect_exit 0 "$PERFDB" query "SELECT count(*) FROM runs"
expect_eq "1" "$(tr -d '\r' < "$T/out" | tail -1 | tr -d ' ')" "query uses the config database"
PERFDB_DB=env.db expect_exit 0 "$PERFDB" record --commit c1 --machine m1 ../a.json
[ -f env.db ] || fail "PERFDB_DB not preferred over config"
printf 'database: [unclosed\n' > perfdb.yaml
expect_exit 2 "$PERFDB" record --commit c1 --machine m1 ../a.json
expect_eq 1 "$(wc -l < "$T/err")" "one-line config error"
expect_match 'perfdb.yaml:[0-9]+' "$T/err" "config error names file and line"
expect_exit 0 "$PERFDB" record --db explicit.db --commit c1 --machine m1 ../a.json
cd ..

# eight concurrent writers creating one new file: every run is there. Five
# rounds, because the race (a reader meeting the file while another process
# switches it to WAL, which the busy handler does not wait for) is rare.
for round in 1 2 3 4 5; do
	rm -f conc.db conc.db-wal conc.db-shm
	for i in 1 2 3 4 5 6 7 8; do
		"$PERFDB" record --db conc.db --commit "c$i" --machine m1 a.json >"conc$i.out" 2>"conc$i.err" &
	done
	wait
	expect_eq "8" "$(sql conc.db "SELECT count(*) FROM runs" | tr -d '\r')" "8 concurrent runs (round $round)"
	expect_eq "16" "$(sql conc.db "SELECT count(*) FROM results" | tr -d '\r')" "8x2 results (round $round)"
	cat conc*.err >&2
done

finish
