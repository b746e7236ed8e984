/*
 * The function an address is in, from DWARF's .debug_info: the innermost
 * subprogram or inlined subroutine whose ranges hold it. Where the compiler
 * inlined a small function (a static helper, std::allocator::allocate), the
 * symbol table names only the function it was inlined into; DWARF names the
 * code's own function, as addr2line -f does.
 *
 * Units whose own ranges hold none of the addresses are skipped after their
 * first entry, so a lookup walks only the units of the code asked about.
 * DWARF 2 to 5; split DWARF (.dwo) and type units are left out.
 */
#ifndef PERFDB_INSTRUMENT_DWARFINFO_H
#define PERFDB_INSTRUMENT_DWARFINFO_H

#include <stddef.h>
#include <stdint.h>

typedef struct dwarfinfo_sections {
	const unsigned char *info, *abbrev, *str, *line_str, *str_offsets, *addr, *rnglists,
	    *ranges;
	size_t info_size, abbrev_size, str_size, line_str_size, str_offsets_size, addr_size,
	    rnglists_size, ranges_size;
} dwarfinfo_sections;

typedef struct dwarfinfo_func {
	/* The linkage name when the DIE has one (C++: mangled), else the name;
	 * borrowed from the sections. NULL when no DIE holds the address. */
	const char *name;
	int inlined; /* 1: the code of an inlined subroutine */
	/* For inlined code: the function it was inlined into (named as name
	 * is; NULL when unknown) and where in it the call was: file index
	 * call_file of the line table at stmt_list (dwarfline_file), line
	 * call_line (0: unknown). */
	const char *caller;
	uint64_t call_file, stmt_list;
	unsigned call_line;
} dwarfinfo_func;

/*
 * Looks up n addresses (ELF virtual addresses). Returns 0, -1 out of memory,
 * or 1 when some unit was malformed or of a kind this reader does not know
 * (what the other units gave is kept).
 */
int dwarfinfo_functions(const dwarfinfo_sections *s, const uint64_t *addrs, dwarfinfo_func *out,
			size_t n);

#endif
