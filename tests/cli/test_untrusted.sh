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

# ---- database paths ---------------------------------------------------------------
mkfifo fifo.db
for cmd in "query --db fifo.db VALUES(1)" "list --db fifo.db runs" "trend --db fifo.db x"; do
	# shellcheck disable=SC2086
	expect_exit 3 timeout 10 "$PERFDB" $cmd
	expect_match "^perfdb: cannot open 'fifo.db': it is a FIFO" err "$cmd: FIFO refused"
done
expect_exit 3 "$PERFDB" record --db /dev/null --commit c --machine m "$data/native/full.json"
expect_match "it is a character device" err "/dev/null refused"
[ -e /dev/null-journal ] && fail "/dev/null-journal was created"
sqlite3 foreign.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);" 2>/dev/null || "$PERFDB" --version >/dev/null
if [ -s foreign.db ]; then
	sum=$(cksum <foreign.db)
	expect_exit 3 "$PERFDB" record --db foreign.db --commit c --machine m "$data/native/full.json"
	expect_match "'foreign.db' is not a perfdb database .*left unchanged" err "foreign database"
	expect_exit 3 "$PERFDB" list --db foreign.db runs
	expect_eq "$sum" "$(cksum <foreign.db)" "the foreign database is unchanged"
	[ -e foreign.db-wal ] && fail "foreign.db-wal was created"
fi
# A WAL database on a read-only file system is read as immutable (root only:
# it mounts a small tmpfs and remounts it read-only).
mkdir ro
if mount -t tmpfs -o size=4m perfdb-test "$T/ro" 2>/dev/null; then
	expect_exit 0 "$PERFDB" record --db ro/h.db --commit c1 --machine m1 "$data/native/full.json"
	if mount -o remount,ro "$T/ro"; then
		expect_exit 0 "$PERFDB" query --db ro/h.db --format csv --no-header "SELECT count(*) FROM results"
		expect_eq "5" "$(tr -d '\r' <out)" "read-only file system: query"
		expect_exit 0 "$PERFDB" list --db ro/h.db runs
		expect_match "c1" out "read-only file system: list"
		expect_exit 3 "$PERFDB" record --db ro/h.db --commit c2 --machine m1 "$data/native/full.json"
	fi
	umount "$T/ro"
else
	echo "note: cannot mount a tmpfs here (not root); read-only file system case not run"
fi

# ---- record inputs that are not regular files, and --max-input --------------------------
mkfifo in.fifo
expect_exit 2 timeout 10 "$PERFDB" record --db h.db --commit c9 --machine m1 in.fifo
expect_match "^perfdb: in.fifo: it is a FIFO, not a regular file" err "record refuses a FIFO"
expect_exit 2 timeout 10 "$PERFDB" record --db h.db --commit c9 --machine m1 /dev/zero
expect_match "it is a character device" err "record refuses /dev/zero"
expect_exit 2 "$PERFDB" record --db h.db --commit c9 --machine m1 /proc/self/status
expect_exit 2 sh -c 'head -c 3000000 /dev/zero | "$0" record --db h.db --commit c9 --machine m1 --max-input 1M -' "$PERFDB"
expect_match "^perfdb: <stdin>: the input is larger than 1048576 bytes; raise the limit with --max-input$" err "--max-input on stdin"
expect_exit 2 "$PERFDB" record --db h.db --commit c9 --machine m1 --max-input 100 "$data/native/full.json"
# The library names no option; record's hint does (issue 11: no CLI words in lib/).
printf 'hello\n' >notes.txt
expect_exit 2 "$PERFDB" record --db h.db --commit c9 --machine m1 notes.txt
expect_match "^perfdb: notes.txt: unknown format: .*; known formats: gbench\|.*; name it with --format$" err "unknown format: the hint names --format"
expect_exit 2 "$PERFDB" record --db h.db --commit c9 --machine m1 /dev/null
expect_no_match "name it with --format" err "empty input is not an unknown format"
expect_exit 2 "$PERFDB" record --db h.db --max-input 12X "$data/native/full.json"
expect_match "max-input '12X'" err "bad --max-input"
expect_exit 0 "$PERFDB" record --db h.db --commit c9 --machine m1 --max-input 64KiB - <"$data/native/full.json"
expect_exit 0 "$PERFDB" query --db h.db --format csv --no-header "SELECT count(*) FROM runs"
expect_eq "2" "$(tr -d '\r' <out)" "only the run within the limit was recorded"

# Standard input of more than a few MB is kept in an unlinked temporary file in
# $TMPDIR and read from there as a file by name is (it was read whole: 5.5x a
# big Google Benchmark file); without a temporary file it is a system error.
python3 - <<'PY' >big-native.json
print('{"results": [')
print(",\n".join(f'{{"benchmark": "parse/{i}", "unit": "ns", "samples": [{i}, {i + 1}.5, {i + 2}]}}' for i in range(90000)))
print("]}")
PY
mkdir spool
expect_exit 0 "$PERFDB" record --db byname.db --commit c1 --machine m1 big-native.json
expect_exit 0 sh -c 'cat big-native.json | TMPDIR=spool "$0" record --db piped.db --commit c1 --machine m1 -' "$PERFDB"
expect_match "^recorded 90000 results \(270000 samples\)" out "big stdin: every result"
q="SELECT b.name, r.value, r.n FROM results r JOIN benchmarks b ON b.id = r.benchmark_id ORDER BY b.name"
expect_exit 0 "$PERFDB" query --db byname.db --format csv "$q"
mv out byname.csv
expect_exit 0 "$PERFDB" query --db piped.db --format csv "$q"
cmp -s out byname.csv || fail "big stdin: the results differ from the file's by name"
expect_eq "" "$(ls -A spool)" "big stdin: no temporary file left in TMPDIR"
expect_exit 3 sh -c 'cat big-native.json | TMPDIR=spool/missing "$0" record --db piped.db --commit c2 --machine m1 -' "$PERFDB"
expect_match "^perfdb: cannot keep '<stdin>' in a temporary file in 'spool/missing': No such file or directory" err "big stdin, no TMPDIR: exit 3 naming <stdin>"
expect_exit 0 sh -c 'cat "$1" | TMPDIR=spool/missing "$0" record --db piped.db --commit c2 --machine m1 --format csv -' "$PERFDB" "$data/csv/basic.csv"
expect_exit 2 sh -c 'cat big-native.json | "$0" record --db piped.db --commit c3 --machine m1 --max-input 5M -' "$PERFDB"
expect_match "^perfdb: <stdin>: the input is larger than 5242880 bytes; raise the limit with --max-input$" err "--max-input while spooling stdin"
sed '$d' big-native.json | sed '$d' >cut.json
printf ', {"benchmark": "x", "value": }\n]}\n' >>cut.json
expect_exit 2 "$PERFDB" record --db piped.db --commit c4 --machine m1 cut.json
sed 's/^perfdb: cut.json:/perfdb: <stdin>:/' err >want.err
expect_exit 2 sh -c 'cat cut.json | "$0" record --db piped.db --commit c4 --machine m1 -' "$PERFDB"
cmp -s err want.err || fail "big stdin, a syntax error at its end: the words of the file by name ($(cat err))"

# ---- output nobody wrote -------------------------------------------------------------
# stdout is flushed and closed in one place (cli/main.c): each of these exited 0.
for cmd in "query --db h.db 'VALUES(1)'" "list --db h.db runs" "regress --db h.db --format junit" "--help" "--version"; do
	# shellcheck disable=SC2086
	expect_exit 3 sh -c "\"\$0\" $cmd >/dev/full" "$PERFDB"
	expect_match "^perfdb: cannot write the output: No space left on device" err "$cmd >/dev/full"
done

# ---- a full disk, and kill -9, leave the database intact --------------------------------
# (root only: a tiny tmpfs)
mkdir small
if mount -t tmpfs -o size=400k perfdb-test "$T/small" 2>/dev/null; then
	expect_exit 0 "$PERFDB" record --db small/h.db --commit c1 --machine m1 "$data/native/full.json"
	expect_exit 0 "$PERFDB" list --db small/h.db runs
	expect_exit 0 "$PERFDB" trend --db small/h.db --svg small/chart.svg
	# Fill the file system, then try to write more.
	head -c 10m /dev/zero >small/filler 2>/dev/null
	python3 - <<'PY' >big.csv
print("benchmark,value")
for i in range(20000):
    print(f"BM_Fill_{i:06d}_{'x' * 40},{i}")
PY
	expect_exit 3 "$PERFDB" record --db small/h.db --commit c2 --machine m1 big.csv
	expect_match "disk|full|space" err "full disk: the message says so"
	expect_exit 0 "$PERFDB" query --db small/h.db --format csv --no-header "SELECT count(*) FROM runs"
	expect_eq "1" "$(tr -d '\r' <out)" "full disk: the first run is intact, the second absent"
	expect_exit 0 "$PERFDB" query --db small/h.db --format csv --no-header "PRAGMA integrity_check"
	expect_eq "ok" "$(tr -d '\r' <out)" "full disk: integrity_check"
	# standard input spooled to a full TMPDIR: exit 3, not half-read input
	expect_exit 3 sh -c 'cat big-native.json | TMPDIR=small "$0" record --db h.db --commit c5 --machine m1 -' "$PERFDB"
	expect_match "^perfdb: cannot keep '<stdin>' in a temporary file in 'small': No space left on device" err "big stdin, full TMPDIR"
	umount "$T/small"
fi
# Answers written to a full disk: exit 3 (regress --format junit exited 0 with
# a 0-byte file), and no partial chart.
mkdir full
if mount -t tmpfs -o size=64k perfdb-test "$T/full" 2>/dev/null; then
	head -c 1m /dev/zero >full/filler 2>/dev/null
	expect_exit 3 sh -c "\"\$0\" regress --db h.db --format junit >full/junit.xml" "$PERFDB"
	expect_match "cannot write the output: No space left on device" err "junit on a full disk"
	expect_exit 3 "$PERFDB" trend --db h.db --svg full/chart.svg
	expect_match "cannot write 'full/chart.svg'" err "svg on a full disk"
	[ -e full/chart.svg ] && fail "a partial SVG was left behind"
	umount "$T/full"
else
	echo "note: cannot mount a tmpfs here (not root); full-disk cases not run"
fi

# kill -9 in the middle of a record leaves either the whole run or none of it.
python3 - <<'PY' >many.csv
print("benchmark,value")
for i in range(200000):
    print(f"BM_{i},{i}")
PY
printf 'benchmark,value\nBM_first,1\n' >one.csv
expect_exit 0 "$PERFDB" record --db k.db --commit k0 --machine m one.csv
for trial in 1 2 3 4 5; do
	"$PERFDB" record --db k.db --commit "k$trial" --machine m many.csv >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((trial * 2))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	expect_exit 0 "$PERFDB" query --db k.db --format csv --no-header "SELECT count(*) FROM results GROUP BY run_id HAVING count(*) NOT IN (1, 200000)"
	expect_eq "" "$(tr -d '\r' <out)" "kill -9, trial $trial: no partial run"
done


# ---- names, tags and metadata are UTF-8 without NUL, or refused ----------------
# (an invalid --tag was dropped by the store, moving the run to another series;
# a CSV name "a\0b" was stored as "a"); nothing is written
printf 'benchmark,value\nok,1\n' >ok.csv
expect_exit 2 "$PERFDB" record --db u.db --commit c1 --machine m --tag "$(printf 'k=v\xff')" ok.csv
expect_eq "perfdb: --tag: tag value is not UTF-8 (byte 0xFF at byte 2 of 2)" "$(cat err)" "--tag not UTF-8"
expect_exit 2 "$PERFDB" record --db u.db --commit c1 --machine "$(printf 'm\xc0\xaf')" ok.csv
expect_eq "perfdb: --machine: machine is not UTF-8 (byte 0xC0 at byte 2 of 3)" "$(cat err)" "--machine not UTF-8"
expect_exit 2 env CI=true GITHUB_ACTIONS=true GITHUB_SHA=c2 GITHUB_REF_NAME="$(printf 'b\xed\xa0\x80')" \
	"$PERFDB" record --db u.db --machine m ok.csv
expect_match "branch is not UTF-8 \(byte 0xED at byte 2 of 4\)" err "CI branch not UTF-8"
printf 'benchmark,value\nok,1\nx\xffy,2\n' >bad.csv
expect_exit 2 "$PERFDB" record --db u.db --commit c1 --machine m bad.csv
expect_eq "perfdb: bad.csv:3:1: benchmark name is not UTF-8 (byte 0xFF at byte 2 of 3)" "$(cat err)" "CSV name not UTF-8"
printf 'benchmark,value\nok,1\na\0b,2\n' >nul.csv
expect_exit 2 "$PERFDB" record --db u.db --commit c1 --machine m nul.csv
expect_eq "perfdb: nul.csv:3:1: field 'benchmark': NUL byte in the field (not a text file?)" "$(cat err)" "CSV name with NUL"
printf 'results:\n- {benchmark: "a\\0b", value: 1}\n' >nul.yaml
expect_exit 2 "$PERFDB" record --db u.db --commit c1 --machine m nul.yaml
expect_match '^perfdb: nul.yaml:2:15: a NUL character \(\\0\) in a scalar$' err "YAML name with NUL"
[ ! -e u.db ] || expect_eq "0" "$(sql u.db 'SELECT count(*) FROM runs' | tr -d '\r')" "nothing written"
# a baseline's name, branch and note, and an alert's note, alike (stored, they
# read back as null in JSON and empty in a table)
expect_exit 2 "$PERFDB" baseline --db h.db set "$(printf 'v\xff')" c1
expect_eq "perfdb: baseline name is not UTF-8 (byte 0xFF at byte 2 of 2)" "$(cat err)" "baseline name not UTF-8"
expect_exit 2 "$PERFDB" baseline --db h.db set v1 c1 --note "$(printf 'n\xfe')"
expect_eq "perfdb: note is not UTF-8 (byte 0xFE at byte 2 of 2)" "$(cat err)" "baseline note not UTF-8"
expect_eq "0" "$(sql h.db 'SELECT count(*) FROM baselines' | tr -d '\r')" "no baseline written"
# a git commit whose subject is not UTF-8 (git keeps the bytes as written):
# recorded, its bytes shown as '?'
if command -v git >/dev/null; then
	# (git commit would convert the message; a commit object written
	# directly keeps its bytes, as old repositories' commits do)
	git init -q g && printf x >g/f && git -C g add f && tree=$(git -C g write-tree) &&
		c=$(printf 'tree %s\nauthor t <t@e> 1700000000 +0000\ncommitter t <t@e> 1700000000 +0000\n\ncaf\xe9 au lait\n' "$tree" |
			git -C g hash-object -t commit -w --stdin) && git -C g update-ref HEAD "$c" ||
		fail "git commit"
	(cd g && expect_exit 0 "$PERFDB" record --db ../u.db --machine m ../ok.csv)
	expect_eq "caf? au lait" "$(sql u.db 'SELECT subject FROM commits' | tr -d '\r')" "subject mended"
fi

finish
