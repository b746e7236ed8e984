/*
 * lib/instrument/dwarfinfo.c against addr2line -f (binutils), which names
 * the innermost function (inlined or not) that holds an address: for every
 * function of real binaries (this test, the perfdb CLI, -O2 libraries in
 * DWARF 4 and 5, compressed), addresses at its start, middle and end must
 * get addr2line's function name. Then cut and corrupted copies of a real
 * .debug_info: no crash (ASan), no read outside.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "instrument/dwarfinfo.h"
#include "instrument/elfsym.h"
#include "elf_probes.h"

#define TESTS_DIR PERFDB_BUILD_DIR "/tests"
/* The reference: binutils' addr2line, or LLVM's for what clang built
 * (binutils 2.40 misreads clang's DWARF 5 unit bases). */
#ifndef PERFDB_ADDR2LINE
#define PERFDB_ADDR2LINE "addr2line"
#endif

static void addr2line_names(const char *tool, const char *elf, probe *v, size_t n)
{
	char in[64], cmd[2048], line[4096];
	FILE *f, *p;
	size_t i;
	snprintf(in, sizeof(in), "/tmp/perfdb-dwarfinfo.%ld", (long)getpid());
	f = fopen(in, "w");
	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%#llx\n", (unsigned long long)v[i].addr);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -f -e '%s' < '%s'", tool, elf, in);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (i = 0; i < n && fgets(line, sizeof(line), p); i++) {
		line[strcspn(line, "\n")] = 0;
		if (strcmp(line, "??") != 0)
			snprintf(v[i].want, sizeof(v[i].want), "%s", line);
		assert_non_null(fgets(line, sizeof(line), p)); /* FILE:LINE */
	}
	assert_int_equal(i, n);
	pclose(p);
	unlink(in);
}

/* Returns how many probes addr2line (or tool, another with its output)
 * named, and counts inlined ones. */
static size_t compare_with_tool(const char *tool, const char *elf, size_t *inlined)
{
	dwarfinfo_sections secs;
	elfsym_module *m = elfsym_open(elf);
	dwarfinfo_func *fn;
	uint64_t *addrs;
	probe *v = NULL;
	size_t n = probes_of(elf, &v), i, known = 0, agree = 0;

	assert_non_null(m);
	assert_true(elfsym_info_sections(m, false, &secs));
	assert_true(n > 10);
	addr2line_names(tool, elf, v, n);
	addrs = malloc(n * sizeof(*addrs));
	fn = malloc(n * sizeof(*fn));
	assert_non_null(addrs);
	assert_non_null(fn);
	for (i = 0; i < n; i++)
		addrs[i] = v[i].addr;
	assert_int_equal(dwarfinfo_functions(&secs, addrs, fn, n), 0);
	*inlined = 0;
	for (i = 0; i < n; i++) {
		if (!*v[i].want)
			continue;
		known++;
		if (fn[i].name && strcmp(fn[i].name, v[i].want) == 0)
			agree++;
		else if (!fn[i].name && strcmp(v[i].want, v[i].sym) == 0)
			agree++; /* code without DWARF (_start): addr2line falls back
				  * on the symbol table, as memtrack does */
		else
			fprintf(stderr, "%s %#llx: addr2line %s, dwarfinfo %s\n", elf,
				(unsigned long long)v[i].addr, v[i].want,
				fn[i].name ? fn[i].name : "(none)");
		*inlined += fn[i].inlined;
	}
	assert_true(known > n / 2);
	assert_int_equal(agree, known);
	free(fn);
	free(addrs);
	free(v);
	elfsym_close(m);
	return known;
}

static size_t compare_with_addr2line(const char *elf, size_t *inlined)
{
	return compare_with_tool(PERFDB_ADDR2LINE, elf, inlined);
}

static void test_self(void **state)
{
	char exe[4096];
	size_t inl;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	(void)state;
	assert_true(len > 0);
	exe[len] = 0;
	compare_with_addr2line(exe, &inl);
}

static void test_cli(void **state)
{
	size_t inl;
	(void)state;
	assert_true(compare_with_addr2line(PERFDB_BUILD_DIR "/perfdb", &inl) > 1000);
}

/* -O2 code inlines: some probes must land in inlined subroutines, else this
 * test would not test what it is for. */
static void test_optimised(void **state)
{
	static const char *const libs[] = {TESTS_DIR "/libdwarf4_sample.so",
					   TESTS_DIR "/libdwarf5_sample.so",
					   TESTS_DIR "/libdwarfz_sample.so"};
	size_t i, inl;
	(void)state;
	for (i = 0; i < 3; i++) {
		compare_with_addr2line(libs[i], &inl);
		assert_true(inl > 0);
	}
}

#ifdef PERFDB_CLANG_SAMPLE
/* clang's DWARF 5 gives the unit's low_pc through DW_AT_addr_base, which it
 * writes after it: read in order, the unit's base address was wrong, so were
 * the ranges relative to it, and inlined code was named by the function it
 * was inlined into. Checked against LLVM's own reader. */
static void test_dwarfinfo__clang_dwarf5(void **state)
{
	size_t inl;
	(void)state;
	assert_true(compare_with_tool(PERFDB_LLVM_ADDR2LINE, PERFDB_CLANG_SAMPLE, &inl) > 0);
	assert_true(inl > 0);
}
#endif

/* For inlined code, the caller and the line of the call: addr2line -i
 * prints the chain (function, location) innermost first, so the second
 * function is the caller and its location the call. (Files are not
 * compared: binutils 2.40 misnumbers some DWARF 5 files.) */
static void test_inline_callers(void **state)
{
	static const char *const libs[] = {TESTS_DIR "/libdwarf4_sample.so",
					   TESTS_DIR "/libdwarf5_sample.so"};
	size_t li;
	(void)state;
	for (li = 0; li < 2; li++) {
		const char *elf = libs[li];
		char in[64], cmd[2048], line[4096];
		dwarfinfo_sections secs;
		elfsym_module *m = elfsym_open(elf);
		dwarfinfo_func *fn;
		uint64_t *addrs;
		probe *v = NULL;
		size_t n = probes_of(elf, &v), i, checked = 0;
		FILE *f, *p;
		long at = -1;
		int field = 0;
		char caller[4096] = "";
		unsigned call_line = 0;

		assert_true(elfsym_info_sections(m, false, &secs));
		addrs = malloc(n * sizeof(*addrs));
		fn = malloc(n * sizeof(*fn));
		assert_non_null(addrs);
		assert_non_null(fn);
		for (i = 0; i < n; i++)
			addrs[i] = v[i].addr;
		assert_int_equal(dwarfinfo_functions(&secs, addrs, fn, n), 0);
		snprintf(in, sizeof(in), "/tmp/perfdb-dwarfinfo-i.%ld", (long)getpid());
		f = fopen(in, "w");
		assert_non_null(f);
		for (i = 0; i < n; i++)
			fprintf(f, "%#llx\n", (unsigned long long)v[i].addr);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "%s -a -f -i -e '%s' < '%s'", PERFDB_ADDR2LINE, elf, in);
		p = popen(cmd, "r");
		assert_non_null(p);
		/* groups: 0xADDR, then function and location lines, innermost
		 * first; a group ends where the next 0x line starts */
		for (;;) {
			bool end = !fgets(line, sizeof(line), p);
			if (!end)
				line[strcspn(line, "\n")] = 0;
			if (end || strncmp(line, "0x", 2) == 0) {
				if (at >= 0 && fn[at].inlined) {
					assert_non_null(fn[at].caller);
					if (strcmp(fn[at].caller, caller) != 0 ||
					    fn[at].call_line != call_line)
						fail_msg(
						    "%s %#llx: addr2line %s:%u, dwarfinfo %s:%u",
						    elf, (unsigned long long)v[at].addr, caller,
						    call_line, fn[at].caller, fn[at].call_line);
					checked++;
				}
				if (end)
					break;
				at++;
				field = 0;
				caller[0] = 0;
				call_line = 0;
				continue;
			}
			field++;
			if (field == 3)
				snprintf(caller, sizeof(caller), "%s", line);
			else if (field == 4 && strrchr(line, ':'))
				call_line = (unsigned)strtoul(strrchr(line, ':') + 1, NULL, 10);
		}
		pclose(p);
		unlink(in);
		assert_int_equal(at + 1, (long)n);
		assert_true(checked > 0); /* there was inlined code to check */
		free(fn);
		free(addrs);
		free(v);
		elfsym_close(m);
	}
}

/* Cut and corrupted copies: 0 or 1, never a crash or a read outside. */
static void test_malformed(void **state)
{
	dwarfinfo_sections secs, bad;
	elfsym_module *m = elfsym_open(TESTS_DIR "/libdwarf5_sample.so");
	uint64_t addrs[64];
	dwarfinfo_func fn[64];
	unsigned seed = 99;
	unsigned char *info, *abbrev;
	size_t i, cut;
	int round, k, r;
	(void)state;
	assert_true(elfsym_info_sections(m, false, &secs));
	for (i = 0; i < 64; i++)
		addrs[i] = 0x1000 + i * 0x30;
	for (cut = 0; cut < secs.info_size; cut += secs.info_size / 37 + 1) {
		bad = secs;
		bad.info_size = cut;
		r = dwarfinfo_functions(&bad, addrs, fn, 64);
		assert_true(r == 0 || r == 1);
	}
	for (round = 0; round < 400; round++) {
		info = malloc(secs.info_size);
		abbrev = malloc(secs.abbrev_size);
		assert_non_null(info);
		assert_non_null(abbrev);
		memcpy(info, secs.info, secs.info_size);
		memcpy(abbrev, secs.abbrev, secs.abbrev_size);
		for (k = 0; k < 6; k++) {
			seed = seed * 1103515245u + 12345u;
			if (seed & 0x100)
				info[(seed >> 9) % secs.info_size] = (unsigned char)(seed >> 3);
			else
				abbrev[(seed >> 9) % secs.abbrev_size] = (unsigned char)(seed >> 3);
		}
		bad = secs;
		bad.info = info;
		bad.abbrev = abbrev;
		r = dwarfinfo_functions(&bad, addrs, fn, 64);
		assert_true(r == 0 || r == 1);
		free(info);
		free(abbrev);
	}
	elfsym_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self),
	    cmocka_unit_test(test_cli),
	    cmocka_unit_test(test_optimised),
	    cmocka_unit_test(test_inline_callers),
	    cmocka_unit_test(test_malformed),
#ifdef PERFDB_CLANG_SAMPLE
	    cmocka_unit_test(test_dwarfinfo__clang_dwarf5),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
