#!/usr/bin/env bash
# `cmake --install` gives a usable library: a program builds against it both
# through pkg-config (perfdb.pc) and through find_package(perfdb), and runs.
. "$(dirname "$0")/lib.sh"

cmake --install "$PERFDB_BUILD_DIR" --prefix "$T/inst" >install.log 2>&1
expect_eq 0 $? "cmake --install"
for f in bin/perfdb include/perfdb.h include/perfdb/store.h lib/pkgconfig/perfdb.pc \
	lib/cmake/perfdb/perfdbConfig.cmake share/perfdb/perfdb-results.schema.json \
	share/man/man1/perfdb.1 share/man/man1/perfdb-regress.1 share/man/man1/perfdb-record.1; do
	checks=$((checks + 1))
	[ -f "$T/inst/$f" ] || fail "not installed: $f"
done
# man finds the installed pages by name
if command -v man >/dev/null; then
	MANPATH="$T/inst/share/man" man -P cat perfdb-regress >man.txt 2>&1
	expect_eq 0 $? "man perfdb-regress"
	expect_match 'perfdb-regress' man.txt "man perfdb-regress"
fi
ls "$T"/inst/lib*/libperfdb.a >/dev/null 2>&1 || fail "libperfdb.a not installed"

extra=()
grep -q '^PERFDB_SANITIZE:BOOL=ON' "$PERFDB_BUILD_DIR/CMakeCache.txt" && extra=(-fsanitize=address,undefined)
cat > consumer.c <<'C'
#include <perfdb.h>
#include <stdio.h>
int main(void)
{
	perfdb_resultset *rs;
	perfdb_result r;
	if (perfdb_resultset_new(&rs) != 0)
		return 1;
	perfdb_result_init(&r);
	r.benchmark = "x";
	r.unit = "ms";
	r.value = 1.5;
	if (perfdb_resultset_add(rs, &r) != 0)
		return 1;
	printf("%s %.0f %s\n", PERFDB_VERSION_STRING, perfdb_resultset_get(rs, 0)->value,
	       perfdb_resultset_get(rs, 0)->unit);
	perfdb_resultset_free(rs);
	return 0;
}
C
pcdir=$(dirname "$(ls "$T"/inst/lib*/pkgconfig/perfdb.pc | head -1)")
# shellcheck disable=SC2046
cc -std=c11 "${extra[@]}" -o consumer consumer.c $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs --static perfdb) >cc.log 2>&1
expect_eq 0 $? "build with pkg-config: $(head -c 300 cc.log)"
expect_eq "0.1.0 1500000 ns" "$(./consumer)" "consumer output"

mkdir cm && cat > cm/CMakeLists.txt <<CM
cmake_minimum_required(VERSION 3.25)
project(consumer C)
find_package(perfdb REQUIRED)
add_executable(consumer $T/consumer.c)
target_link_libraries(consumer PRIVATE perfdb::perfdb)
target_compile_options(consumer PRIVATE ${extra[*]})
target_link_options(consumer PRIVATE ${extra[*]})
CM
cmake -S cm -B cm/build -DCMAKE_PREFIX_PATH="$T/inst" >cm.log 2>&1 && cmake --build cm/build >>cm.log 2>&1
expect_eq 0 $? "build with find_package: $(tail -c 300 cm.log)"
expect_eq "0.1.0 1500000 ns" "$(cm/build/consumer)" "find_package consumer output"
finish
