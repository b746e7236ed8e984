# Shared helpers for the CLI cases. Each case sources this file, runs the real
# perfdb binary ($PERFDB) in a fresh temporary directory and asserts on its
# output, exit code and database contents.
set -u
: "${PERFDB:?PERFDB must point at the perfdb binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/perfdb-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
PERFDB_TEST_CI=${CI:-} # new_db: a missing server fails on CI
unset PERFDB_DB PERFDB_MACHINE CI GITHUB_ACTIONS GITHUB_SHA GITHUB_REF_NAME GITHUB_HEAD_REF GITLAB_CI CI_COMMIT_SHA \
	CI_COMMIT_REF_NAME JENKINS_URL GIT_COMMIT GIT_BRANCH BUILDKITE BUILDKITE_COMMIT BUILDKITE_BRANCH
export NO_COLOR=1
failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect_exit CODE CMD...: runs CMD, stdout to $T/out, stderr to $T/err.
expect_exit() {
	local want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	checks=$((checks + 1))
	if [ "$got" != "$want" ]; then
		fail "'$*' exited $got, expected $want; stderr: $(head -c 500 "$T/err")"
	fi
}

# expect_eq WANT GOT WHAT
expect_eq() {
	checks=$((checks + 1))
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# expect_match REGEX FILE WHAT
expect_match() {
	checks=$((checks + 1))
	grep -Eq -- "$1" "$2" || fail "$3: /$1/ not in $2: $(head -c 500 "$2")"
}

expect_no_match() {
	checks=$((checks + 1))
	! grep -Eq -- "$1" "$2" || fail "$3: /$1/ unexpectedly in $2"
}

# sql DB QUERY: one value via perfdb query --format csv (no header).
sql() {
	"$PERFDB" query --db "$1" --format csv --no-header "$2"
}

# skip WHY: the case cannot run here (a tool is missing); CTest reports it
# as skipped (SKIP_RETURN_CODE 77), never as a pass.
skip() {
	echo "skipped: $*"
	exit 77
}

finish() {
	echo "$((checks - failures)) passed, $failures failed"
	[ "$failures" -eq 0 ]
}

# new_db NAME: where a case keeps its history: the file NAME, or, when the
# case runs on a PostgreSQL server (PERFDB_TEST_DSN_FILE, set by CTest for
# the *_pg cases; tests/pg/cluster.sh writes it), a new database there, so
# the same case checks both backends. A server asked for and missing is a
# skip, and with CI=true a failure: call it as H=$(new_db h.db) || exit.
new_db() {
	if [ -z "${PERFDB_TEST_DSN_FILE:-}" ]; then
		echo "$1"
		return
	fi
	local base name
	if ! base=$(cat "$PERFDB_TEST_DSN_FILE" 2>/dev/null) || [ -z "$base" ]; then
		echo "no PostgreSQL server (no DSN in $PERFDB_TEST_DSN_FILE)" >&2
		[ "${PERFDB_TEST_CI:-}" = true ] && exit 1
		exit 77
	fi
	name=t_$(echo "${1%.*}" | tr -c 'a-z0-9\n' _)_$$_$RANDOM
	psql -q "$base" -c "CREATE DATABASE $name" >/dev/null || exit 1
	echo "postgresql:///$name?${base#*\?}"
}
