#!/usr/bin/env bash
# Issue 11: every command that needs the database gets it from main.c's
# table (cli_session_open), so each reports a database it cannot use the
# same way: a missing one (for the commands that read), a foreign SQLite
# file and a newer perfdb's are exit 3 with one line naming the path, and
# none of them is created or changed. The commands that record open it
# only once there is something to record.
. "$(dirname "$0")/lib.sh"
data="$PERFDB_TEST_DATA"
in="$data/native/full.json"

# with_db WANT DB COMMAND [ARGS...]: perfdb COMMAND --db DB ARGS exits WANT.
with_db() {
	local want=$1 db=$2 name=$3
	shift 3
	expect_exit "$want" "$PERFDB" "$name" --db "$db" "$@"
}

# The commands that read (and ack and baseline, which write into a history
# that must exist), each with the arguments it needs to get that far.
readers=("query VALUES(1)" "list runs" "regress" "regress --dry-run" "compare c1 c2" "trend"
	"report --out r.html" "bisect-plan" "alerts" "ack 1" "baseline list" "baseline set b c1"
	"baseline rm b")
# The commands that write, which create a missing database.
writers=("record --commit c1 --machine m1 $in" "merge other.db"
	"run --record --runs 1 --commit c1 --machine m1 -- true"
	"load --record -n 2 --commit c1 --machine m1 -- true")

expect_exit 0 "$PERFDB" record --db other.db --commit c0 --machine m1 "$in"

# ---- missing ----------------------------------------------------------------------
for cmd in "${readers[@]}"; do
	# shellcheck disable=SC2086
	with_db 3 typo.db $cmd
	expect_eq "perfdb: cannot open 'typo.db': no such database (record something first)" \
		"$(cat err)" "$cmd: a missing database"
	expect_eq "absent" "$([ -e typo.db ] && echo present || echo absent)" "$cmd: nothing created"
done
# $PERFDB_DB and perfdb.yaml's database are named the same way
PERFDB_DB=env.db expect_exit 3 "$PERFDB" list runs
expect_match "^perfdb: cannot open 'env.db': no such database" err "PERFDB_DB names the database"
printf 'database: yaml.db\n' >perfdb.yaml
expect_exit 3 "$PERFDB" trend
expect_match "^perfdb: cannot open 'yaml.db': no such database" err "perfdb.yaml names the database"
expect_exit 3 "$PERFDB" query "VALUES(1)"
expect_match "^perfdb: cannot open 'yaml.db': no such database" err "query reads perfdb.yaml too"
rm perfdb.yaml
for cmd in "${writers[@]}"; do
	rm -f new.db
	# shellcheck disable=SC2086
	with_db 0 new.db $cmd
	expect_eq "present" "$([ -e new.db ] && echo present || echo absent)" "$cmd: creates it"
done

# ---- nothing to record, nothing created -------------------------------------------
echo '{"benchmarks": [' >bad.json
rm -f new.db
with_db 2 new.db record --commit c1 --machine m1 bad.json
with_db 2 new.db run --record --runs 1 --commit c1 --machine m1 -- false
expect_match "^perfdb: 'false' exited with code 1" err "run: the failure is reported"
with_db 0 new.db run --runs 1 -- true
expect_match "take effect only with --record" err "run: --db without --record"
expect_eq "absent" "$([ -e new.db ] && echo present || echo absent)" "no database before a result"

# ---- foreign and newer --------------------------------------------------------------
sqlite3 foreign.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);" || skip "no sqlite3"
cp other.db newer.db
sqlite3 newer.db "PRAGMA user_version = 999;"
for db in foreign newer; do
	sum=$(cksum <$db.db)
	case $db in
	foreign) want="^perfdb: '$db.db' is not a perfdb database" ;;
	newer) want="^perfdb: .*$db.db.*newer than this perfdb" ;;
	esac
	for cmd in "${readers[@]}" "${writers[@]}"; do
		# shellcheck disable=SC2086
		with_db 3 $db.db $cmd
		expect_match "$want" err "$cmd on a $db database"
		expect_eq 1 "$(grep -vc '^perfdb: warning: ' err)" "$cmd on a $db database: one line"
	done
	expect_eq "$sum" "$(cksum <$db.db)" "the $db database is unchanged"
done
finish
