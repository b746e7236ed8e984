/*
 * File and line of code addresses from a DWARF line table (.debug_line,
 * versions 2 to 5), read in-process: no addr2line to start, and no walk of
 * .debug_info, so a big program costs one pass over its line table.
 *
 * What it does not do: compressed sections (elfsym.c inflates zlib ones;
 * the caller hands others to addr2line) and split DWARF. The location is the
 * innermost inlined code's; its function comes from dwarfinfo.c.
 */
#ifndef PERFDB_INSTRUMENT_DWARFLINE_H
#define PERFDB_INSTRUMENT_DWARFLINE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dwarfline_sections {
	const unsigned char *line; /* .debug_line */
	size_t line_size;
	const unsigned char *line_str; /* .debug_line_str (DWARF 5), may be NULL */
	size_t line_str_size;
	const unsigned char *str; /* .debug_str, may be NULL */
	size_t str_size;
} dwarfline_sections;

typedef struct dwarfline_loc {
	char *file; /* malloc'd, NULL when the table has no row for the address */
	unsigned line;
} dwarfline_loc;

/*
 * Looks up n addresses (ELF virtual addresses); out[i] receives the location
 * of addrs[i]. Returns 0, -1 when out of memory, or 1 when some unit of the
 * table was malformed or of a kind this reader does not know (the locations
 * found in the other units are still filled in).
 */
int dwarfline_lookup(const dwarfline_sections *s, const uint64_t *addrs, dwarfline_loc *out,
		     size_t n);

/*
 * The path of file `index` of the line table at offset `off` of .debug_line
 * (a unit's DW_AT_stmt_list): *out is malloc'd, NULL when the table does not
 * name it. Returns 0, or -1 when out of memory.
 */
int dwarfline_file(const dwarfline_sections *s, uint64_t off, uint64_t index, char **out);

/* Frees the file names of n locations. */
void dwarfline_free(dwarfline_loc *out, size_t n);

#endif
