#!/usr/bin/env bash
# perfdb memtrack: the tracker on programs with known allocations (exact in
# full mode, within 10% sampled), fork, many threads, dlopen, --record, and
# usage errors. JSON is checked with python3 (in .ci/deps).
. "$(dirname "$0")/lib.sh"
P="$PERFDB_BUILD_DIR/tests"
export PERFDB_MEMTRACK_LIB="$PERFDB_BUILD_DIR/libperfdb_memtrack.so"

# json FILE EXPR: evaluates a python expression over the document `d`; the
# helper `site(d, list, fn)` sums the sites of one function in a list.
json() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def sites(lst, fn):
    return [s for s in d[lst] if s["frames"] and s["frames"][0]["function"] == fn]
def total(lst, fn, key):
    return sum(s[key] for s in sites(lst, fn))
print(eval(sys.argv[2]))
EOF
}

# --- usage --------------------------------------------------------------------
expect_exit 0 "$PERFDB" memtrack --help
expect_match '^usage: perfdb memtrack' out "help usage"
for opt in --top --sample --format --record --name --depth --unwind --lines; do
	expect_match "$opt" out "help lists $opt"
done
expect_exit 2 "$PERFDB" memtrack
expect_match "no command" err "no command"
expect_exit 2 "$PERFDB" memtrack --sample lots -- /bin/true
expect_match "--sample 'lots'" err "bad --sample"
expect_exit 2 "$PERFDB" memtrack --top 0 -- /bin/true
expect_exit 2 "$PERFDB" memtrack --format xml -- /bin/true
expect_exit 2 "$PERFDB" memtrack --unwind magic -- /bin/true
expect_exit 2 "$PERFDB" memtrack --lines some -- /bin/true
expect_match "--lines 'some': expected embedded, all or none" err "bad --lines"
expect_exit 2 "$PERFDB" memtrack -- ./no-such-program
expect_match "cannot run './no-such-program'" err "missing program"
# one PATH search (lib/util/run.c) for every program perfdb starts
PATH=/nonexistent expect_exit 2 "$PERFDB" memtrack -- perfdb-no-such-program
expect_match "cannot run 'perfdb-no-such-program': command not found on PATH" err "not on PATH"
# the tracked command reads perfdb's stdin; with --format json its stdout goes to stderr
echo got hello | expect_exit 0 "$PERFDB" memtrack --format json -- cat
expect_match '^got hello$' err "stdin reaches the command, its stdout goes to stderr"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' out || fail "json stays clean"
PERFDB_MEMTRACK_LIB=/nonexistent/lib.so expect_exit 3 "$PERFDB" memtrack -- /bin/true
expect_match "PERFDB_MEMTRACK_LIB" err "bad tracker path"

# --- full mode: exact figures ---------------------------------------------------
expect_exit 0 "$PERFDB" memtrack --top 20 -- "$P/prog_memtrack_known"
cp out known.txt
expect_match 'peak heap .*\(876[0-9]{3} B\)' known.txt "peak heap in text"
expect_match '^ +1 +800000 +8 +0 +0  direct_alloc \(memtrack_known.c:[0-9]+\)' known.txt \
	"top site by bytes with file:line"
expect_match 'memtrack_testlib_alloc \(memtrack_testlib.c:[0-9]+\)' known.txt "shared-library site"
expect_match 'top leaks' known.txt "leaks section"

expect_exit 0 "$PERFDB" memtrack --format json --top 50 -- "$P/prog_memtrack_known"
cp out known.json
expect_eq "True" "$(json known.json 'd["mode"] == "full" and d["exit_status"] == 0')" "json mode"
expect_eq "800000 8 0" "$(json known.json '" ".join(str(total("top_by_bytes", "direct_alloc", k)) for k in ("total_bytes", "total_count", "live_bytes"))')" "direct_alloc"
expect_eq "200000 4" "$(json known.json '" ".join(str(total("top_by_bytes", "memtrack_testlib_alloc", k)) for k in ("total_bytes", "total_count"))')" "shared-library site"
expect_eq "libmemtrack_testlib.so" "$(json known.json 'sites("top_by_bytes", "memtrack_testlib_alloc")[0]["frames"][0]["module"].split("/")[-1]')" "shared-library module"
expect_eq "90000 3" "$(json known.json '" ".join(str(total("top_by_bytes", "thread_alloc", k)) for k in ("total_bytes", "total_count"))')" "second thread"
# The thread's stack goes on into libc; glibc's thread start is a static
# function, named only where libc's separate debug file is installed
# (libc6-dbg: valgrind depends on it).
expect_eq "True" "$(json known.json 'any(f["module"].endswith("/libc.so.6") for s in sites("top_by_bytes", "thread_alloc") for f in s["frames"][1:])')" "thread stack reaches libc"
libc_id=$(readelf -n "$(ldd "$P/prog_memtrack_known" | awk '/libc.so.6/ {print $3}')" | awk '/Build ID/ {print $3}')
if [ -r "/usr/lib/debug/.build-id/${libc_id:0:2}/${libc_id:2}.debug" ]; then
	expect_eq "True" "$(json known.json 'any(f["function"] == "start_thread" for s in sites("top_by_bytes", "thread_alloc") for f in s["frames"])')" "start_thread named from libc's debug file"
fi
expect_eq "1000 0 64000 0" "$(json known.json '" ".join(str(total("top_by_bytes", fn, k)) for fn in ("small_alloc", "grow_realloc") for k in ("total_bytes", "live_bytes"))')" "realloc moves the block to its site"
expect_eq "7000" "$(json known.json 'total("top_by_bytes", "calloc_alloc", "total_bytes")')" "calloc"
expect_eq "160000 10000" "$(json known.json '" ".join(str(total("top_by_count", "many_small", k)) for k in ("total_bytes", "total_count"))')" "top by count"
expect_eq "many_small" "$(json known.json 'd["top_by_count"][0]["frames"][0]["function"]')" "most allocations first"
expect_eq "12345 1" "$(json known.json '" ".join(str(total("top_leaks", "leak_alloc", k)) for k in ("live_bytes", "live_count"))')" "the leak"
# Peak and leaks hold the known figures plus what libc itself keeps (the
# second thread's TLS, < 1 KiB).
expect_eq "True" "$(json known.json '876345 <= d["peak_heap"] <= 876345 + 1024')" "peak heap"
expect_eq "True" "$(json known.json '12345 <= d["leaked_bytes"] <= 12345 + 1024')" "leaked bytes"
expect_eq "True" "$(json known.json 'd["allocations"] >= 10020 and d["peak_rss"] > 0')" "allocations, peak RSS"

# --- symbols: a stripped library with its debug file beside it -------------------
# Its static allocating function is named from the debug file's symbol table;
# file:line comes from that file's DWARF only with --lines all; --lines none
# gives no file:line at all, the program's own included.
split_json() { # OUT [OPTIONS...]
	local out=$1
	shift
	expect_exit 0 "$PERFDB" memtrack --format json "$@" -- "$P/prog_memtrack_split"
	cp out "$out"
}
split_json split.json
expect_eq "4000 5" "$(json split.json '" ".join(str(total("top_by_bytes", "split_static_alloc", k)) for k in ("total_bytes", "total_count"))')" "stripped library: static function named"
# Two calls on one line are two call sites and one site in the source.
expect_eq "[(3000, 3), (1000, 2)]" "$(json split.json '[(s["total_bytes"], s["total_count"]) for s in sites("top_by_bytes", "split_static_alloc")]')" "sites the same in the source are merged"
expect_eq "memtrack_split_alloc None main memtrack_split.c" "$(json split.json '" ".join(str(x) for x in (sites("top_by_bytes", "split_static_alloc")[0]["frames"][1]["function"], sites("top_by_bytes", "split_static_alloc")[0]["frames"][0]["file"], sites("top_by_bytes", "split_static_alloc")[0]["frames"][2]["function"], sites("top_by_bytes", "split_static_alloc")[0]["frames"][2]["file"].split("/")[-1]))')" "embedded: the program's file:line, not the debug file's"
split_json split_all.json --lines all
expect_eq "memtrack_splitlib.c True" "$(json split_all.json '" ".join(str(x) for x in (sites("top_by_bytes", "split_static_alloc")[0]["frames"][0]["file"].split("/")[-1], sites("top_by_bytes", "split_static_alloc")[0]["frames"][0]["line"] > 0))')" "--lines all: file:line from the debug file"
split_json split_none.json --lines none
expect_eq "[(3000, 3), (500, 1), (500, 1)]" "$(json split_none.json '[(s["total_bytes"], s["total_count"]) for s in sites("top_by_bytes", "split_static_alloc")]')" "without lines, call sites stay apart"
expect_eq "split_static_alloc main None None" "$(json split_none.json '" ".join(str(x) for x in (sites("top_by_bytes", "split_static_alloc")[0]["frames"][0]["function"], sites("top_by_bytes", "split_static_alloc")[0]["frames"][2]["function"], sites("top_by_bytes", "split_static_alloc")[0]["frames"][0]["file"], sites("top_by_bytes", "split_static_alloc")[0]["frames"][2]["file"]))')" "--lines none: names, no file:line"
# Without its debug file, the static function has no symbol: it is named by what
# resolves it later, the nearest exported function below it and the offset, or
# where none is below it (gcc's layout), the library's build-id and the offset;
# its caller, an exported function, by that symbol.
mkdir -p lonely && cp "$P/libmemtrack_splitlib.so" lonely/
bid=$(readelf -n lonely/libmemtrack_splitlib.so | awk '/Build ID/ { print $3 }')
LD_LIBRARY_PATH=$PWD/lonely expect_exit 0 "$PERFDB" memtrack --format json -- "$P/prog_memtrack_split"
expect_eq "True memtrack_split_alloc" "$(json out '" ".join(str(x) for x in ([s["frames"][0]["function"] == "buildid:'"$bid"'+" + s["frames"][0]["offset"] or __import__("re").fullmatch("memtrack_split_(alloc|static_addr)[+]0x[0-9a-f]+", s["frames"][0]["function"]) is not None for s in d["top_by_bytes"] if s["frames"][0]["module"].endswith("lonely/libmemtrack_splitlib.so")][0], [s["frames"][1]["function"] for s in d["top_by_bytes"] if s["frames"][0]["module"].endswith("lonely/libmemtrack_splitlib.so")][0]))')" "no symbol: build-id and offset"

# --- several processes: listed; --process largest reports the largest ------------------
expect_exit 2 "$PERFDB" memtrack --process some -- /bin/true
expect_match "--process 'some': expected main or largest" err "bad --process"
expect_exit 0 "$PERFDB" memtrack -- bash -c "'$P/prog_memtrack_grow' 4194304; true"
expect_match '^1 other process \(forked by the command\)' out "the child is listed"
expect_match '^ +[0-9]+ +4\.000 MiB +65 +0 B +prog_memtrack_grow$' out "the child's peak heap, allocations, leaks"
expect_exit 0 "$PERFDB" memtrack --format json --process largest -- bash -c "'$P/prog_memtrack_grow' 4194304; true"
cp out procs.json
expect_eq "True" "$(json procs.json '4194304 <= d["peak_heap"] <= 4194304 + 1024 and d["allocations"] == 65')" "--process largest: the child's figures"
expect_eq "2 prog_memtrack_grow True" "$(json procs.json '" ".join(str(x) for x in (len(d["processes"]), d["processes"][0]["exe"].split("/")[-1], d["processes"][0]["reported"] and d["processes"][0]["pid"] == d["pid"]))')" "processes, largest first"
# dash ends with _exit(): no report of its own; the hint names --process largest.
expect_exit 3 "$PERFDB" memtrack -- dash -c "'$P/prog_memtrack_grow' 1048576; true"
expect_match "--process largest reports the largest" err "hint when only children reported"

# --process largest: the process reported is named by what it exec'd, not
# by the command line that started it (issue 12).
expect_exit 0 "$PERFDB" memtrack --top 1 --process largest -- bash -c "'$P/prog_memtrack_grow' 4194304; true"
expect_match "^prog_memtrack_grow \(pid [0-9]+, started by bash -c " out "the reported process's own name"
expect_no_match "^bash -c .* \(pid" out "not the parent's name with the child's pid"
expect_eq "prog_memtrack_grow True" "$(json procs.json '" ".join(str(x) for x in (d["exe"].split("/")[-1], d["command_pid"] != d["pid"]))')" "json: exe and the command's pid"
# A child that outlives the command is reported, not dropped. (The shell
# ends once the child's tracker has marked it as running sleep: no race with
# the child's exec; the sleeps are long so that a loaded machine's slow
# start-up does not see them end first. They go on alone, harmlessly. x is
# emptied first, so the second wait does not end on the first child's mark.)
started='x=; until { read -r x < "$PERFDB_MEMTRACK_OUT.$!.run"; } 2>/dev/null; [[ $x == */sleep ]]; do :; done'
expect_exit 0 "$PERFDB" memtrack --top 1 -- bash -c "sleep 30 & $started"
expect_match "^1 process still running at exit, not tracked to the end:$" out "a child still running"
expect_match "^ +[0-9]+  sleep$" out "named by what it exec'd"
expect_exit 0 "$PERFDB" memtrack --format json -- bash -c "sleep 30 & $started; sleep 30 & $started"
expect_eq "2 sleep" "$(json out '" ".join(str(x) for x in (len(d["still_running"]), d["still_running"][0]["exe"].split("/")[-1]))')" "json: still_running"
# Death by a signal names the signal (exit 3: the command failed).
expect_exit 3 "$PERFDB" memtrack -- bash -c 'kill -SEGV $$'
expect_match "'bash' wrote no allocation report: it was killed by SIGSEGV" err "no report: the signal named"
expect_exit 3 "$PERFDB" memtrack --top 1 --process largest -- bash -c "'$P/prog_memtrack_grow' 4096; kill -ABRT \$\$"
expect_match "^  exit status     134 \(killed by SIGABRT\)$" out "report: the signal named"
expect_match "'bash' was killed by SIGABRT" err "warning: the signal named"
expect_match "^1 process ended without a report" out "the killed process is counted"

# --- inlined code is named by its own function (from .debug_info) ----------------------
expect_exit 0 "$PERFDB" memtrack --format json -- "$P/prog_memtrack_inline"
cp out inline.json
expect_eq "10000 4 memtrack_inline.c True main" "$(json inline.json '" ".join(str(x) for x in (total("top_by_bytes", "inlined_alloc", "total_bytes"), total("top_by_bytes", "inlined_alloc", "total_count"), sites("top_by_bytes", "inlined_alloc")[0]["frames"][0]["file"].split("/")[-1], 8 <= sites("top_by_bytes", "inlined_alloc")[0]["frames"][0]["line"] <= 12, sites("top_by_bytes", "inlined_alloc")[0]["frames"][0]["inlined_into"]))')" "inlined helper named, inlined into main"
expect_exit 0 "$PERFDB" memtrack --top 1 -- "$P/prog_memtrack_inline"
expect_match '^ +1 +10000 +4 +0 +0  inlined_alloc \(memtrack_inline\.c:[0-9]+\) inlined into main \(memtrack_inline\.c:21\)$' out "text: inlined into main, at the call"

# --- code without frame pointers: one-frame stacks are pointed out -------------------------
expect_exit 0 "$PERFDB" memtrack -- "$P/prog_memtrack_nofp" 1048576
expect_match '^  100% of allocations have a one-frame stack: the program looks built without frame$' out "hint: no frame pointers"
expect_exit 0 "$PERFDB" memtrack --format json -- "$P/prog_memtrack_nofp" 1048576
expect_eq "1.0" "$(json out 'd["short_stacks"]')" "short_stacks: all"
expect_exit 0 "$PERFDB" memtrack --format json --unwind dwarf -- "$P/prog_memtrack_nofp" 1048576
expect_eq "None True" "$(json out '" ".join(str(x) for x in (d["short_stacks"], len(d["top_by_bytes"][0]["frames"]) >= 2))')" "dwarf: whole stacks"
expect_eq "True" "$(json known.json 'd["short_stacks"] < 0.5')" "with frame pointers: stacks are whole"

# --- the DWARF unwinder on a known chain without frame pointers ---------------------------
# main -> chain_outer -> chain_vla -> chain_aligned -> chain_leaf -> malloc, at -O2
# -fomit-frame-pointer: %rsp-, %rbp- and realigned frames. The frame-pointer walk
# loses frames here; the .eh_frame walk must find each, in order, as deep as --depth.
chain='["chain_leaf", "chain_aligned", "chain_vla", "chain_outer", "main"]'
expect_exit 0 "$PERFDB" memtrack --format json --unwind dwarf -- "$P/prog_memtrack_chain_nofp" 100
cp out chain.json
expect_eq "True 100 6" "$(json chain.json '" ".join(str(x) for x in ([f["function"] for f in d["top_by_bytes"][0]["frames"][:5]] == '"$chain"', d["top_by_bytes"][0]["total_count"], len(d["top_by_bytes"][0]["frames"])))')" "dwarf: the whole known chain, 6 frames"
expect_exit 0 "$PERFDB" memtrack --format json --unwind dwarf --depth 3 -- "$P/prog_memtrack_chain_nofp" 100
expect_eq "['chain_leaf', 'chain_aligned', 'chain_vla']" "$(json out '[f["function"] for f in d["top_by_bytes"][0]["frames"]]')" "dwarf: --depth 3"
expect_exit 0 "$PERFDB" memtrack --format json --unwind fp -- "$P/prog_memtrack_chain_nofp" 100
expect_eq "False" "$(json out '[f["function"] for f in d["top_by_bytes"][0]["frames"][:5]] == '"$chain"'')" "fp: the same chain is not whole (why dwarf exists)"

# The tracker's own check: with PERFDB_MEMTRACK_VERIFY=1 every stack is also taken
# by backtrace() (libgcc's unwinder) and compared; the report counts disagreements
# and the stacks our unwinder handed to backtrace().
verify() { # REPORT_PREFIX COMMAND...: prints "FALLBACKS MISMATCHES" of the main report
	local out=$1
	shift
	rm -f "$out".*
	LD_PRELOAD="$PERFDB_MEMTRACK_LIB" PERFDB_MEMTRACK_OUT="$PWD/$out" PERFDB_MEMTRACK_UNWIND=dwarf \
		PERFDB_MEMTRACK_VERIFY=1 PERFDB_MEMTRACK_DEPTH=16 "$@" >/dev/null 2>&1
	cat "$out".* | awk '$1 == "unwind_fallbacks" { f += $2 } $1 == "unwind_mismatches" { m += $2; n++ }
		END { print (n ? f " " m : "no report") }'
}
expect_eq "0 0" "$(verify vchain "$P/prog_memtrack_chain_nofp" 100)" "chain: every stack as libgcc's, none left to it"
expect_eq "0 0" "$(verify vthreads "$P/prog_memtrack_threads")" "threads: every stack as libgcc's"
expect_eq "0 0" "$(verify vcxx "$P/prog_memtrack_cxx")" "C++: every stack as libgcc's"
if command -v sqlite3 >/dev/null; then
	# A distribution binary without frame pointers, through libsqlite3.
	printf '%s\n' "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);" \
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<20000) INSERT INTO t SELECT x, printf('row-%d', x) FROM c;" \
		"CREATE INDEX tb ON t(b);" "SELECT count(*) FROM t WHERE b LIKE 'row-1%';" >w.sql
	expect_eq "0 0" "$(verify vsqlite sh -c 'sqlite3 :memory: <w.sql')" "sqlite3: every stack as libgcc's"
fi

# --- C++: names demangled, with or without file:line ------------------------------
expect_exit 0 "$PERFDB" memtrack --format json --unwind dwarf --top 20 -- "$P/prog_memtrack_cxx"
cp out cxx.json
expect_eq "True" "$(json cxx.json 'any(f["function"].startswith("std::unique_ptr<app::Widget, std::default_delete<app::Widget> > app::make<app::Widget>(") and f["line"] for s in d["top_by_bytes"] for f in s["frames"])')" "C++ template function demangled, with its line"
expect_eq "True" "$(json cxx.json 'any(f["function"].startswith("operator new(") for s in d["top_by_bytes"] for f in s["frames"])')" "operator new demangled (libstdc++, no line)"
expect_eq "False" "$(json cxx.json 'any(f["function"].startswith("_Z") for s in d["top_by_bytes"] for f in s["frames"])')" "no mangled name left"

# --- sampling: estimates within 10% ------------------------------------------------
PERFDB_MEMTRACK_SEED=42 expect_exit 0 "$PERFDB" memtrack --sample 128 --format json --top 50 -- \
	"$P/prog_memtrack_known"
cp out sampled.json
expect_eq "sample 128" "$(json sampled.json 'd["mode"] + " " + str(d["sample_interval"])')" "sampled mode"
for pair in direct_alloc:800000 memtrack_testlib_alloc:200000 many_small:160000 thread_alloc:90000; do
	fn=${pair%%:*}
	want=${pair#*:}
	expect_eq "True" "$(json sampled.json "abs(total('top_by_bytes', '$fn', 'total_bytes') - $want) <= $want * 0.10")" "sampled $fn within 10%"
done
expect_eq "True" "$(json sampled.json 'abs(d["peak_heap"] - 876345) <= 876345 * 0.10')" "sampled peak heap"

# --- fork, threads, dlopen ------------------------------------------------------------
expect_exit 0 "$PERFDB" memtrack -- "$P/prog_memtrack_fork"
expect_match 'other processes \(forked by the command\) tracked separately' out "forked children"
expect_exit 0 "$PERFDB" memtrack --format json -- "$P/prog_memtrack_threads"
cp out threads.json
expect_eq "400000 0" "$(json threads.json '" ".join(str(total("top_by_count", "alloc_block", k)) for k in ("total_count", "live_bytes"))')" "8 threads, cross-thread frees"
expect_exit 0 "$PERFDB" memtrack --format json -- "$P/prog_memtrack_dlopen" "$P/libmemtrack_testlib.so"
cp out dlopen.json
expect_eq "100000 25000" "$(json dlopen.json '" ".join(str(total("top_by_bytes", "memtrack_testlib_alloc", k)) for k in ("total_bytes", "live_bytes"))')" "dlopened library site"
expect_exit 0 "$PERFDB" memtrack --sample 4K --unwind fp --depth 2 -- "$P/prog_memtrack_threads"
expect_exit 0 "$PERFDB" memtrack --unwind dwarf -- "$P/prog_memtrack_fork"

# --- allocator corner cases (the program checks itself and exits 1 on a wrong
# answer): realloc grow/shrink/0/overflow, calloc and reallocarray overflow
# (NULL, ENOMEM), malloc(0), free(NULL), malloc_usable_size, alignments up to
# 1 MiB, and callers whose frame-pointer chain holds garbage near the top of
# the address space (the fp unwinder must stop, not fault).
for mode in "--unwind fp" "--unwind dwarf" "--sample 64 --unwind fp"; do
	# shellcheck disable=SC2086
	expect_exit 0 "$PERFDB" memtrack --format json $mode -- "$P/prog_memtrack_edge"
	cp out edge.json
	expect_eq "True" "$(json edge.json 'd["exit_status"] == 0')" "corner cases, $mode"
done
expect_exit 0 "$PERFDB" memtrack --format json -- "$P/prog_memtrack_edge"
cp out edge.json
expect_eq "True" "$(json edge.json '4196 <= d["leaked_bytes"] <= 4196 + 1024')" "corner cases: leaks"

# --- with --format json, stdout is the document alone: the command's own
# output goes to stderr.
expect_exit 0 "$PERFDB" memtrack --format json -- /bin/echo hello-from-the-command
cp out echo.json
expect_eq "0" "$(json echo.json 'd["exit_status"]')" "json stdout parses with a talking command"
expect_match 'hello-from-the-command' err "the command's output on stderr"
expect_exit 0 "$PERFDB" memtrack -- /bin/echo hello-from-the-command
expect_match 'hello-from-the-command' out "text mode: the command's output on stdout"

# --- a failing command is reported, not recorded ------------------------------------------
expect_exit 3 "$PERFDB" memtrack --record --db fail.db -- /bin/false
expect_match "exited with status 1; nothing recorded" err "failed command"

# --- --record -------------------------------------------------------------------------------
expect_exit 0 "$PERFDB" memtrack --record --db m.db --commit c1 --branch main --machine box \
	--name known -- "$P/prog_memtrack_known"
expect_match "^recorded 4 results" out "record summary"
expect_eq "allocations lower_is_better
leaked_bytes lower_is_better
peak_heap lower_is_better
peak_rss lower_is_better" "$(sql m.db "SELECT metric || ' ' || CASE higher_is_better WHEN 1 THEN 'higher_is_better' ELSE 'lower_is_better' END FROM benchmarks WHERE name = 'known' ORDER BY metric" | tr -d '\r')" "recorded metrics"
expect_eq "1" "$(sql m.db "SELECT value BETWEEN 876345 AND 876345 + 1024 FROM history WHERE benchmark = 'known' AND metric = 'peak_heap'" | tr -d '\r')" "recorded peak heap"
expect_eq "1" "$(sql m.db "SELECT value BETWEEN 12345 AND 12345 + 1024 FROM history WHERE benchmark = 'known' AND metric = 'leaked_bytes'" | tr -d '\r')" "recorded leaks"
# --- a memory regression fails `perfdb regress` -------------------------------------------
# Six commits hold 4 MiB at their peak, the seventh 8 MiB: regress exits 1
# and names peak_heap (+100%) and allocations (65 -> 129 blocks) at g7.
# peak_rss moves with the kernel (a few pages between identical runs): it is
# left out here with a metric override, as a user would give it its own
# threshold.
printf 'benchmarks:\n  - match: grow\n    metric: peak_rss\n    ignore: true\n' > perfdb.yaml
for c in 1 2 3 4 5 6; do
	expect_exit 0 "$PERFDB" memtrack --record --db r.db --commit g$c --branch main --machine box \
		--name grow -- "$P/prog_memtrack_grow" 4194304
done
expect_exit 0 "$PERFDB" regress --db r.db --since g5 --no-git
expect_exit 0 "$PERFDB" memtrack --record --db r.db --commit g7 --branch main --machine box \
	--name grow -- "$P/prog_memtrack_grow" 8388608
expect_exit 1 "$PERFDB" regress --db r.db --since g6 --no-git --format json
cp out grow.json
expect_eq "True" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["metric"]: x for x in d["regressions"] if x["benchmark"] == "grow"}
print(r["peak_heap"]["commit"] == "g7" and 99 <= r["peak_heap"]["change_pct"] <= 101 and r["allocations"]["value"] == 129)
' grow.json)" "regress flags the doubled peak heap at g7"
# --- names from the program's debug info are shown, never acted on ---------------------------
# A source file named with an OSC sequence and a newline: the site label
# shows them as escapes (issue 12).
if command -v cc >/dev/null 2>&1; then
	src=$'ev\e]0;pwned\a\nREGRESSION x.c'
	printf '#include <stdlib.h>\n__attribute__((noinline)) void *evil(size_t n) { void *p = malloc(n); if (!p) abort(); return p; }\nint main(void) { void *p = evil(123456); free(p); return 0; }\n' >"$src"
	if cc -g -O1 -fno-omit-frame-pointer "$src" -o evil 2>/dev/null; then
		expect_exit 0 "$PERFDB" memtrack -- ./evil
		expect_match 'evil \(ev\\x1b\]0;pwned\\x07\\nREGRESSION x\.c:2\)$' out "hostile file name escaped"
		checks=$((checks + 1))
		! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' out || fail "memtrack text: raw control character"
	fi
fi
finish
