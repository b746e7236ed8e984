#!/bin/bash
# A result the library refuses (a benchmark name longer than 65,536 bytes)
# is one line naming the file, the line and the column, exit 2, and nothing
# stored (issue 12: "every error one clear line naming file, line and field").
. "$(dirname "$0")/lib.sh"

H=$(new_db h.db) || exit
printf 'BenchmarkA-4   \t 1000\t      5.0 ns/op\n' >ok.txt
expect_exit 0 "$PERFDB" record --db "$H" --commit c0 ok.txt

long=$(head -c 70000 /dev/zero | tr '\0' n)
{
	echo "goos: linux"
	echo "BenchmarkA-4   	 1000	      5.0 ns/op"
	echo "BenchmarkX${long}-4   	 1000	      5.0 ns/op"
	echo "PASS"
} >go.txt
expect_exit 2 "$PERFDB" record --db "$H" --commit c1 go.txt
expect_eq "perfdb: go.txt:3:1: benchmark name longer than 65536 bytes (70012)" "$(cat err)" \
	"the refused name's place"
expect_eq 1 "$(wc -l <err)" "one line"
expect_eq 1 "$(sql "$H" "SELECT count(*) FROM runs" | tr -d '\r')" "nothing stored"

finish
