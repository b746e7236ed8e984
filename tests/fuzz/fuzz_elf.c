/*
 * libFuzzer target: an ELF file in memory (elfsym_open_buffer), its symbol
 * tables (PERFDB_FUZZ_FORMAT FUZZ_ELF_SYMBOLS: lookup, nearest symbol below,
 * build-id, inflating zlib-compressed sections) or its DWARF
 * (FUZZ_ELF_DWARF: the line table and .debug_info readers, and the file
 * names of inlined calls). Memory tracker reports name modules that
 * anything may have written, so a hostile file must give no names, never a
 * crash. The addresses asked about are a grid over where small shared
 * libraries and object files keep their code (0 to 16 KiB: the seeds are
 * the samples the tests build, and small .o files) and the ends of the
 * address space.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "instrument/dwarfinfo.h"
#include "instrument/dwarfline.h"
#include "instrument/elfsym.h"

#define FUZZ_ELF_SYMBOLS 1
#define FUZZ_ELF_DWARF	 2
#ifndef PERFDB_FUZZ_FORMAT
#define PERFDB_FUZZ_FORMAT FUZZ_ELF_SYMBOLS
#endif

enum { GRID = 1024, NQ = GRID + 3 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What was read goes here, so that no read is optimised away. */
static volatile size_t sink;

static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void symbols(elfsym_module *m, const uint64_t *addrs)
{
	static const char *names[NQ];
	static uint64_t offsets[NQ];
	dwarfline_sections ls;
	dwarfinfo_sections is;
	size_t i, len, sum = 0;
	const unsigned char *id;

	if (elfsym_lookup(m, addrs, names, NQ) == 0)
		for (i = 0; i < NQ; i++)
			sum += touch(names[i]);
	if (elfsym_nearest(m, addrs, names, offsets, NQ) == 0)
		for (i = 0; i < NQ; i++)
			sum += touch(names[i]) + (size_t)offsets[i];
	if ((id = elfsym_build_id(m, &len)) != NULL)
		for (i = 0; i < len; i++)
			sum += id[i];
	sum += elfsym_has_lines(m);
	if (elfsym_line_sections(m, false, &ls))
		sum += ls.line_size ? ls.line[ls.line_size - 1] : 0;
	if (elfsym_info_sections(m, false, &is))
		sum += is.info_size ? is.info[is.info_size - 1] : 0;
	(void)touch(elfsym_debug_file(m));
	sink = sum;
}

static void dwarf(elfsym_module *m, const uint64_t *addrs)
{
	static dwarfline_loc locs[NQ];
	static dwarfinfo_func funcs[NQ];
	dwarfline_sections ls;
	dwarfinfo_sections is;
	bool lines = elfsym_line_sections(m, false, &ls);
	size_t i, sum = 0;

	if (lines && dwarfline_lookup(&ls, addrs, locs, NQ) >= 0) {
		for (i = 0; i < NQ; i++)
			sum += touch(locs[i].file) + locs[i].line;
		dwarfline_free(locs, NQ);
	}
	if (!elfsym_info_sections(m, false, &is) || dwarfinfo_functions(&is, addrs, funcs, NQ) < 0)
		return;
	for (i = 0; i < NQ; i++) {
		char *file = NULL;
		sum += touch(funcs[i].name) + touch(funcs[i].caller) + funcs[i].call_line;
		if (lines && funcs[i].inlined &&
		    dwarfline_file(&ls, funcs[i].stmt_list, funcs[i].call_file, &file) == 0) {
			sum += touch(file);
			free(file);
		}
	}
	sink = sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t addrs[NQ];
	elfsym_module *m;
	size_t i;

	for (i = 0; i < GRID; i++)
		addrs[i] = 0x10 * (uint64_t)i;
	addrs[GRID] = 0;
	addrs[GRID + 1] = UINT64_MAX - 1;
	addrs[GRID + 2] = UINT64_MAX;
	if (!(m = elfsym_open_buffer(data, size)))
		return 0;
	if (PERFDB_FUZZ_FORMAT == FUZZ_ELF_DWARF)
		dwarf(m, addrs);
	else
		symbols(m, addrs);
	elfsym_close(m);
	return 0;
}
