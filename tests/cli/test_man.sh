#!/usr/bin/env bash
# The man pages (cli/man/) and --help stay in step: every command in
# 'perfdb --help' has perfdb-COMMAND.1, every option its --help lists is in
# the page's OPTIONS section and every option the page lists is in --help,
# and each page renders without a groff warning.
. "$(dirname "$0")/lib.sh"
man="$PERFDB_SOURCE_DIR/cli/man"

# opts_of_help FILE: the long options of a --help text, one per line.
opts_of_help() {
	grep -E '^ +(-[a-zA-Z], )?--' "$1" | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
# opts_of_page FILE: the long options that head a .TP entry under .SH OPTIONS.
opts_of_page() {
	awk '/^\.SH / {on = ($2 == "OPTIONS")} on && prev == ".TP" {print} {prev = $0}' "$1" |
		sed 's/\\-/-/g; s/\\f[BIR]//g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

checks=$((checks + 1))
[ -f "$man/perfdb.1" ] || fail "no cli/man/perfdb.1"
expect_exit 0 "$PERFDB" --help
cp out top.txt
commands=$(awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} /^$/ && on {on=0}' top.txt)
[ -n "$commands" ] || fail "no commands in perfdb --help"
for cmd in $commands; do
	page="$man/perfdb-$cmd.1"
	checks=$((checks + 1))
	if [ ! -f "$page" ]; then
		fail "no man page cli/man/perfdb-$cmd.1"
		continue
	fi
	checks=$((checks + 1))
	grep -q "perfdb\\\\-$cmd" "$man/perfdb.1" || fail "perfdb.1 does not name perfdb-$cmd"
	expect_exit 0 "$PERFDB" "$cmd" --help
	opts_of_help out >help.opts
	opts_of_page "$page" >page.opts
	for opt in $(comm -23 help.opts page.opts); do
		checks=$((checks + 1))
		[ "$opt" = "--help" ] || fail "perfdb-$cmd.1 does not describe $opt"
	done
	for opt in $(comm -13 help.opts page.opts); do
		checks=$((checks + 1))
		fail "perfdb-$cmd.1 describes $opt, which 'perfdb $cmd --help' does not list"
	done
	checks=$((checks + 1))
	[ -s page.opts ] || fail "perfdb-$cmd.1 lists no options"
done
if command -v groff >/dev/null; then
	for page in "$man"/*.1; do
		checks=$((checks + 1))
		w=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1)
		[ -z "$w" ] || fail "groff warns on $(basename "$page"): $w"
	done
fi
finish
