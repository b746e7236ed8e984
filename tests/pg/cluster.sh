#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `cluster.sh start DIR` runs
# initdb into a new folder under /tmp as an unprivileged user (nobody when
# run as root, as CI is; the caller otherwise), listening on a Unix socket
# there only (listen_addresses=''), and writes the DSN the suites use to
# DIR/dsn (and the folder to DIR/where);
# `cluster.sh stop DIR` stops it and removes DIR. Without initdb/pg_ctl on
# PATH (or in /usr/lib/postgresql/*/bin) start writes no DSN and the suites
# that need it skip (exit 77); with CI=true a missing server is a failure
# (exit 1). The server runs without fsync (a throwaway) and without
# autovacuum, whose ANALYZE would write while a test checks that reading
# writes nothing.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory}

find_bin() {
	command -v "$1" 2>/dev/null && return
	local b
	for b in /usr/lib/postgresql/*/bin/"$1"; do
		[ -x "$b" ] && { echo "$b"; return; }
	done
	return 1
}

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	if ! initdb=$(find_bin initdb) || ! pg_ctl=$(find_bin pg_ctl); then
		echo "cluster.sh: no PostgreSQL server here (initdb, pg_ctl; Debian package postgresql)" >&2
		[ "${CI:-}" = true ] && exit 1
		exit 0
	fi
	if [ -f "$dir/dsn" ] && as_owner "$pg_ctl" -D "$(cat "$dir/where")/data" status >/dev/null 2>&1; then
		exit 0 # already running (a second start of the fixture)
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	# The cluster lives in a folder of its own under /tmp: nobody must reach
	# it (a build folder under /root would not let it), and a Unix socket's
	# path must be short (about 100 bytes). $dir/where says where it is.
	run=$(mktemp -d "${TMPDIR:-/tmp}/perfdb-pg.XXXXXX")
	chmod 755 "$run"
	[ "$(id -u)" = 0 ] && chown nobody "$run"
	echo "$run" >"$dir/where"
	user=$(as_owner id -un)
	as_owner "$initdb" -D "$run/data" -U "$user" -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
	as_owner "$pg_ctl" -D "$run/data" -l "$run/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$run' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60 -c autovacuum=off" \
		start >/dev/null
	echo "postgresql:///postgres?host=$run&user=$user" >"$dir/dsn"
	;;
stop)
	run=$(cat "$dir/where" 2>/dev/null || true)
	if [ -n "$run" ] && [ -d "$run/data" ] && pg_ctl=$(find_bin pg_ctl); then
		as_owner "$pg_ctl" -D "$run/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	[ -n "$run" ] && rm -rf "$run"
	rm -rf "$dir"
	;;
*)
	echo "cluster.sh: start or stop" >&2
	exit 2
	;;
esac
