#!/usr/bin/env bash
# perfdb memtrack --unwind dwarf against gdb, on a distribution binary built
# without frame pointers (Debian's sqlite3 shell and libsqlite3): gdb stops
# the shell at its Nth call to malloc and prints the stack; memtrack, on the
# same workload, must have a site whose frames are the same return addresses
# (module + offset), as deep as --depth asks. gdb and sqlite3 are in .ci/deps.
. "$(dirname "$0")/lib.sh"
export PERFDB_MEMTRACK_LIB="$PERFDB_BUILD_DIR/libperfdb_memtrack.so"
DEPTH=6

command -v gdb >/dev/null || { fail "gdb is missing (.ci/deps installs it)"; finish; }
command -v sqlite3 >/dev/null || { fail "sqlite3 is missing (.ci/deps installs it)"; finish; }

printf '%s\n' "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);" \
	"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<20000) INSERT INTO t SELECT x, printf('row-%d', x) FROM c;" \
	"CREATE INDEX tb ON t(b);" "SELECT count(*) FROM t WHERE b LIKE 'row-1%';" >w.sql

# gdb_stack N: frames 1..DEPTH (the caller of malloc and up) at the shell's
# Nth call to malloc, one "module+offset" a line, the module by its real path
# and the offset from its first mapping (as memtrack reports them).
gdb_stack() {
	gdb -batch -nx -ex 'set pagination off' -ex 'set breakpoint pending on' \
		-ex 'break __libc_malloc' -ex "ignore 1 $1" -ex 'run <w.sql >/dev/null' \
		-ex "bt $((DEPTH + 1))" -ex 'info proc mappings' --args sqlite3 :memory: 2>/dev/null |
		python3 -c '
import os, re, sys
depth, text = int(sys.argv[1]), sys.stdin.read()
maps = [(int(a, 16), int(b, 16), p) for a, b, p in re.findall(
    r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+\S+\s+(/\S+)$", text, re.M)]
base = {}
for lo, hi, p in maps:
    base[p] = min(base.get(p, lo), lo)
pcs = dict((int(k), int(a, 16)) for k, a in re.findall(r"^#(\d+)\s+0x([0-9a-f]+) in ", text, re.M))
for k in range(1, depth + 1):
    if k in pcs:
        p = next(p for lo, hi, p in maps if lo <= pcs[k] < hi)
        print("%s+0x%x" % (os.path.realpath(p), pcs[k] - base[p]))
' "$DEPTH"
}

expect_exit 0 "$PERFDB" memtrack --format json --unwind dwarf --depth $DEPTH --top 100000 -- \
	sqlite3 :memory: <w.sql
cp out mt.json
# Every site memtrack found, as gdb_stack prints a stack (frames joined by spaces).
python3 - mt.json >sites.txt <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
for s in d["top_by_count"]:
    print(" ".join("%s+%s" % (os.path.realpath(f["module"]), f["offset"]) for f in s["frames"]))
EOF
expect_eq "True" "$([ "$(wc -l <sites.txt)" -ge 20 ] && echo True || echo False)" "memtrack: the sites of the workload"

for n in 300 3000 12000; do
	stack=$(gdb_stack "$n" | paste -sd' ')
	expect_eq "$DEPTH" "$(echo "$stack" | wc -w)" "gdb: $DEPTH frames at malloc #$n"
	case "$stack" in *libsqlite3*) ok=True ;; *) ok=False ;; esac
	expect_eq "True" "$ok" "gdb: malloc #$n is called through libsqlite3"
	expect_eq "1" "$(grep -cxF -- "$stack" sites.txt)" "memtrack --unwind dwarf has gdb's stack of malloc #$n"
done

# The frame-pointer walk cannot follow libsqlite3 (built without them): the
# same stacks are not there, which is why --unwind dwarf exists.
expect_exit 0 "$PERFDB" memtrack --format json --unwind fp --depth $DEPTH --top 100000 -- \
	sqlite3 :memory: <w.sql
expect_eq "False" "$(python3 -c '
import json, sys
d = json.load(open("out"))
print(any(len(s["frames"]) >= '"$DEPTH"' for s in d["top_by_count"]))')" "fp: no whole stack through libsqlite3"
finish
