#!/bin/sh
# The long fuzz run of issue 12, one target at a time:
#
#   tests/fuzz/longrun.sh [-b BUILD] [-o TABLE] [-w WORK] [-s HH:MM] TARGET...
#
# BUILD (default build-fuzz) is a -DPERFDB_FUZZ=ON clang build holding
# tests/fuzz_<TARGET> and its CTest smoke test fuzz_smoke_<TARGET>, whose
# arguments are the seed corpus: they are copied afresh to WORK/<TARGET>/seeds
# (default WORK /tmp/perfdb-fuzz), and libFuzzer writes what it finds to
# WORK/<TARGET>/corpus, crashes to WORK/<TARGET>/crash-*, its output to
# WORK/<TARGET>/log. Each target runs until MAX_TIME seconds (600) or RUNS
# executions (10000000), whichever comes first; one row per target is
# appended to TABLE (default WORK/table): executions, executions per second,
# edges covered, seconds, the load average (1 min) before and after, and the
# finding ("-" when none). With -s, no target is started at or after HH:MM
# (UTC) of the day: the rest are left out of the table.
set -u
build=build-fuzz
table=
work=/tmp/perfdb-fuzz
stop=
while getopts b:o:w:s: opt; do
	case $opt in
	b) build=$OPTARG ;;
	o) table=$OPTARG ;;
	w) work=$OPTARG ;;
	s) stop=$(date -u -d "$OPTARG" +%s) || exit 2 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || {
	echo "usage: $0 [-b BUILD] [-o TABLE] [-w WORK] [-s HH:MM] TARGET..." >&2
	exit 2
}
build=$(cd "$build" && pwd) || exit 2
mkdir -p "$work" || exit 3
table=${table:-$work/table}
max_time=${MAX_TIME:-600}
runs=${RUNS:-10000000}

load1() { cut -d' ' -f1 /proc/loadavg; }

if [ ! -s "$table" ]; then
	printf '%-26s %12s %8s %6s %6s %11s  %s\n' target execs exec/s cov secs load \
		finding >"$table"
fi
status=0
for t in "$@"; do
	if [ -n "$stop" ] && [ "$(date -u +%s)" -ge "$stop" ]; then
		echo "$0: $(date -u +%H:%M) is past the stop time; not started: $*" >&2
		break
	fi
	shift
	bin=$build/tests/fuzz_$t
	dir=$work/$t
	if [ ! -x "$bin" ]; then
		echo "$0: no $bin" >&2
		status=2
		continue
	fi
	# The seeds: the smoke test's arguments, as CMake wrote them.
	seeds=$(ctest --test-dir "$build" -N -V -R "^fuzz_smoke_$t\$" |
		sed -n 's/^.*Test command: [^ ]* //p')
	rm -rf "$dir"
	mkdir -p "$dir/seeds" "$dir/corpus"
	for s in $seeds; do
		s=$(echo "$s" | tr -d '"')
		if [ -d "$s" ]; then
			cp -r "$s" "$dir/seeds/$(echo "$s" | tr / _)"
		else
			cp "$s" "$dir/seeds/"
		fi
	done
	extra=
	[ "$t" = query ] && extra=-max_len=512
	before=$(load1)
	start=$(date +%s)
	(cd "$dir" && "$bin" corpus seeds -max_total_time="$max_time" -runs="$runs" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $extra >log 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	after=$(load1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -n 1 | cut -d' ' -f2)
	finding=-
	if [ "$rc" -ne 0 ]; then
		finding=$(grep -m 1 -E '^==[0-9]+==ERROR|runtime error|ERROR: libFuzzer' \
			"$dir/log" | sed 's/^==[0-9]*==//' | cut -c1-100)
		[ -n "$finding" ] || finding="exit $rc"
		ls "$dir"/crash-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -n 1 |
			sed 's/^/  artifact: /' >>"$dir/finding"
		status=1
	fi
	printf '%-26s %12s %8s %6s %6s %5s/%-5s  %s\n' "$t" "${execs:-?}" "${rate:-?}" \
		"${cov:-?}" "$secs" "$before" "$after" "$finding" >>"$table"
	tail -n 1 "$table"
done
exit $status
