#!/usr/bin/env bash
# Every command's --help and the command guide (cli/README.md) stay in step: each command is described
# in README, and each option a command's --help lists appears in README.
. "$(dirname "$0")/lib.sh"
readme="$PERFDB_SOURCE_DIR/cli/README.md" # the command guide (README.md is the overview)

expect_exit 0 "$PERFDB" --help
cp out top.txt
commands=$(awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} /^$/ && on {on=0}' top.txt)
[ -n "$commands" ] || fail "no commands in perfdb --help"
for cmd in $commands; do
	expect_exit 0 "$PERFDB" "$cmd" --help
	expect_match "^usage: perfdb $cmd" out "$cmd --help usage line"
	checks=$((checks + 1))
	grep -q "^### perfdb $cmd\$" "$readme" || fail "README has no '### perfdb $cmd' section"
	for opt in $(grep -E '^ +(-[a-zA-Z], )?--' out | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
		[ "$opt" = "--help" ] && continue
		checks=$((checks + 1))
		grep -q -- "$opt" "$readme" || fail "README does not mention $cmd option $opt"
	done
	# An unknown option: one line plus the try line, exit 2.
	expect_exit 2 "$PERFDB" "$cmd" --no-such-option
	expect_match "try 'perfdb $cmd --help'" err "$cmd unknown option"
done
expect_exit 0 "$PERFDB" --version
expect_match '^perfdb [0-9]+\.[0-9]+\.[0-9]+ \(schema [0-9]+\)$' out "version"
finish
