/*
 * lib/instrument/dwarfline.c against readelf's decoding of the same line
 * tables (binutils), the independent answer: for every function of real
 * binaries (this test, the perfdb CLI, optimised libraries in DWARF 4 and
 * 5), addresses at its start, middle and end must get the same file and
 * line. (Not addr2line: binutils 2.40's takes DWARF 5 file numbers as
 * 1-based where a unit starts in file 1 without setting it, and names the
 * wrong file for such code, e.g. a header's static inline function at -O0.)
 * Full paths are checked on a known function. Then malformed tables: cut
 * and corrupted copies must not crash (ASan checks) and report themselves as
 * unreadable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "instrument/dwarfline.h"
#include "instrument/elfsym.h"
#include "elf_probes.h"

#define TESTS_DIR PERFDB_BUILD_DIR "/tests"

typedef struct row {
	uint64_t addr;
	char file[256]; /* base name, as readelf prints it; "" ends a sequence */
	unsigned line;
} row;

/* readelf's decoding of the whole line table (--debug-dump=decodedline),
 * then each probe's row by the rule "a row covers up to the next row of its
 * sequence". Fills want (a base name) and want_line. */
static void readelf_answers(const char *elf, probe *v, size_t n)
{
	char cmd[2048], line[4096];
	row *rows = NULL;
	size_t nrows = 0, cap = 0, i, k;
	FILE *p;
	snprintf(cmd, sizeof(cmd), "readelf -W --debug-dump=decodedline '%s' 2>/dev/null", elf);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char file[256], num[32];
		unsigned long long a;
		if (sscanf(line, "%255s %31s %llx", file, num, &a) != 3 ||
		    strncmp(file, "CU:", 3) == 0)
			continue;
		if (nrows == cap) {
			cap = cap ? cap * 2 : 4096;
			rows = realloc(rows, cap * sizeof(*rows));
			assert_non_null(rows);
		}
		rows[nrows].addr = a;
		if (strcmp(num, "-") == 0) {
			rows[nrows].file[0] = 0;
			rows[nrows].line = 0;
		} else {
			snprintf(rows[nrows].file, sizeof(rows[nrows].file), "%s", file);
			rows[nrows].line = (unsigned)strtoul(num, NULL, 10);
		}
		nrows++;
	}
	pclose(p);
	assert_true(nrows > 10);
	for (i = 0; i + 1 < nrows; i++) {
		if (!rows[i].file[0] || rows[i].addr == 0)
			continue; /* an end of sequence, or code the linker dropped */
		for (k = 0; k < n; k++)
			if (!v[k].want_line && v[k].addr >= rows[i].addr &&
			    v[k].addr < rows[i + 1].addr && rows[i].line) {
				snprintf(v[k].want, sizeof(v[k].want), "%s", rows[i].file);
				v[k].want_line = rows[i].line;
			}
	}
	free(rows);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Looks every probe up in elf's line table and compares with readelf's
 * rows. Returns how many probes readelf resolved. */
static size_t compare_with_readelf(const char *elf)
{
	dwarfline_sections secs;
	elfsym_module *m = elfsym_open(elf);
	dwarfline_loc *locs;
	uint64_t *addrs;
	probe *v = NULL;
	size_t n = probes_of(elf, &v), i, known = 0, agree = 0;

	assert_non_null(m);
	assert_true(elfsym_line_sections(m, false, &secs));
	assert_true(n > 10);
	readelf_answers(elf, v, n);
	addrs = malloc(n * sizeof(*addrs));
	locs = malloc(n * sizeof(*locs));
	assert_non_null(addrs);
	assert_non_null(locs);
	for (i = 0; i < n; i++)
		addrs[i] = v[i].addr;
	assert_int_equal(dwarfline_lookup(&secs, addrs, locs, n), 0);
	for (i = 0; i < n; i++) {
		if (!v[i].want_line)
			continue;
		known++;
		if (locs[i].file && strcmp(base_name(locs[i].file), v[i].want) == 0 &&
		    locs[i].line == v[i].want_line)
			agree++;
		else
			fprintf(stderr, "%s %#llx: readelf %s:%u, dwarfline %s:%u\n", elf,
				(unsigned long long)v[i].addr, v[i].want, v[i].want_line,
				locs[i].file ? locs[i].file : "(none)", locs[i].line);
	}
	assert_true(known > n / 2);
	assert_int_equal(agree, known);
	dwarfline_free(locs, n);
	free(locs);
	free(addrs);
	free(v);
	elfsym_close(m);
	return known;
}

static void test_self(void **state)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	(void)state;
	assert_true(len > 0);
	exe[len] = 0;
	compare_with_readelf(exe);
}

static void test_cli(void **state)
{
	(void)state;
	/* Many units, many files: the whole CLI and the library in it. */
	assert_true(compare_with_readelf(PERFDB_BUILD_DIR "/perfdb") > 1000);
}

static void test_dwarf4_optimised(void **state)
{
	(void)state;
	compare_with_readelf(TESTS_DIR "/libdwarf4_sample.so");
}

static void test_dwarf5_optimised(void **state)
{
	(void)state;
	compare_with_readelf(TESTS_DIR "/libdwarf5_sample.so");
}

/* zlib-compressed sections (gcc -gz) are inflated and read the same. */
static void test_compressed(void **state)
{
	char cmd[1024];
	(void)state;
	/* the file really has compressed debug sections */
	snprintf(cmd, sizeof(cmd),
		 "readelf -S -W '%s' | grep -E '\\.debug_line +PROGBITS' | grep -q ' C '",
		 TESTS_DIR "/libdwarfz_sample.so");
	assert_int_equal(system(cmd), 0);
	compare_with_readelf(TESTS_DIR "/libdwarfz_sample.so");
}

/* A compressed section whose data is damaged is refused, not misread. */
static void test_compressed_corrupt(void **state)
{
	char path[256], cmd[1024];
	dwarfline_sections secs;
	elfsym_module *m;
	FILE *p;
	unsigned long long off = 0, size = 0;
	(void)state;
	snprintf(path, sizeof(path), "/tmp/perfdb-dwarfz.%ld.so", (long)getpid());
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", TESTS_DIR "/libdwarfz_sample.so", path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd),
		 "readelf -S -W '%s' | sed -n 's/.*\\.debug_line  *PROGBITS  *[0-9a-f]*  "
		 "*\\([0-9a-f]*\\)  *\\([0-9a-f]*\\).*/\\1 \\2/p'",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%llx %llx", &off, &size), 2);
	pclose(p);
	assert_true(size > 64);
	/* overwrite the middle of the deflate stream */
	snprintf(cmd, sizeof(cmd),
		 "printf 'garbagegarbagegarbage' | dd of='%s' bs=1 seek=%llu conv=notrunc "
		 "status=none",
		 path, off + size / 2);
	assert_int_equal(system(cmd), 0);
	m = elfsym_open(path);
	assert_non_null(m);
	assert_false(elfsym_line_sections(m, false, &secs));
	elfsym_close(m);
	unlink(path);
}

/* DIR/NAME: the absolute path of the source, in DWARF 4 and 5. */
static void test_full_path(void **state)
{
	static const char *const libs[] = {TESTS_DIR "/libdwarf4_sample.so",
					   TESTS_DIR "/libdwarf5_sample.so"};
	size_t i;
	(void)state;
	for (i = 0; i < 2; i++) {
		char cmd[1024], line[512];
		unsigned long long a = 0;
		dwarfline_sections secs;
		dwarfline_loc loc;
		uint64_t addr;
		elfsym_module *m = elfsym_open(libs[i]);
		FILE *p;
		snprintf(cmd, sizeof(cmd), "nm --defined-only '%s' | grep ' memtrack_split_alloc$'",
			 libs[i]);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(line, sizeof(line), p));
		pclose(p);
		assert_int_equal(sscanf(line, "%llx", &a), 1);
		addr = a;
		assert_true(elfsym_line_sections(m, false, &secs));
		assert_int_equal(dwarfline_lookup(&secs, &addr, &loc, 1), 0);
		assert_non_null(loc.file);
		assert_string_equal(loc.file,
				    PERFDB_SOURCE_DIR "/tests/progs/lib/memtrack_splitlib.c");
		/* the function's opening brace, line 21 of the source */
		assert_int_equal(loc.line, 21);
		dwarfline_free(&loc, 1);
		elfsym_close(m);
	}
}

/* An address no row covers, and an empty query. */
static void test_no_row(void **state)
{
	dwarfline_sections secs;
	elfsym_module *m = elfsym_open(TESTS_DIR "/libdwarf5_sample.so");
	uint64_t addrs[2] = {0, 0xffffffffffull};
	dwarfline_loc locs[2];
	(void)state;
	assert_true(elfsym_line_sections(m, false, &secs));
	assert_int_equal(dwarfline_lookup(&secs, addrs, locs, 2), 0);
	assert_null(locs[0].file);
	assert_null(locs[1].file);
	assert_int_equal(dwarfline_lookup(&secs, addrs, locs, 0), 0);
	elfsym_close(m);
}

/* Cut and corrupted copies of a real line table: no crash, no read outside
 * (ASan), and a cut table says so. */
static void test_malformed(void **state)
{
	dwarfline_sections secs, bad;
	elfsym_module *m = elfsym_open(TESTS_DIR "/libdwarf5_sample.so");
	unsigned char *copy;
	uint64_t addrs[64];
	dwarfline_loc locs[64];
	unsigned seed = 7;
	size_t i, cut;
	int round, k;
	(void)state;
	assert_true(elfsym_line_sections(m, false, &secs));
	for (i = 0; i < 64; i++)
		addrs[i] = 0x1000 + i * 0x40;
	/* Cut anywhere inside the first unit's header: malformed. */
	for (cut = 1; cut < 40 && cut < secs.line_size; cut++) {
		copy = malloc(cut);
		assert_non_null(copy);
		memcpy(copy, secs.line, cut);
		bad = secs;
		bad.line = copy;
		bad.line_size = cut;
		assert_int_equal(dwarfline_lookup(&bad, addrs, locs, 64), 1);
		dwarfline_free(locs, 64);
		free(copy);
	}
	for (round = 0; round < 500; round++) {
		copy = malloc(secs.line_size);
		assert_non_null(copy);
		memcpy(copy, secs.line, secs.line_size);
		for (k = 0; k < 8; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % secs.line_size] = (unsigned char)(seed >> 3);
		}
		bad = secs;
		bad.line = copy;
		k = dwarfline_lookup(&bad, addrs, locs, 64);
		assert_true(k == 0 || k == 1);
		dwarfline_free(locs, 64);
		free(copy);
	}
	elfsym_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self),
	    cmocka_unit_test(test_cli),
	    cmocka_unit_test(test_dwarf4_optimised),
	    cmocka_unit_test(test_dwarf5_optimised),
	    cmocka_unit_test(test_compressed),
	    cmocka_unit_test(test_compressed_corrupt),
	    cmocka_unit_test(test_full_path),
	    cmocka_unit_test(test_no_row),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
