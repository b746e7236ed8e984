/*
 * Function names from an ELF file's symbol tables, without a DWARF reader.
 *
 * Distribution libraries ship stripped: their .symtab (which names static
 * functions such as glibc's start_thread) lives in a separate debug file,
 * found through the build-id (/usr/lib/debug/.build-id/xx/yyyy.debug) or the
 * .gnu_debuglink section. Reading a symbol table is a millisecond; reading
 * the same file's DWARF for file:line costs tens (addr2line on glibc's takes
 * ~50 ms), so the two are separate steps and the caller picks.
 */
#ifndef PERFDB_INSTRUMENT_ELFSYM_H
#define PERFDB_INSTRUMENT_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "instrument/dwarfinfo.h"
#include "instrument/dwarfline.h"

typedef struct elfsym_module elfsym_module;

/*
 * Opens the ELF file at path and, when its own symbol table is missing or it
 * carries no DWARF line table, looks for its separate debug file. Returns
 * NULL only when out of memory; a file that cannot be read or is not a
 * 64-bit ELF of this machine's byte order gives a module without symbols.
 */
elfsym_module *elfsym_open(const char *path);
/* The same with another debug root than /usr/lib/debug (tests). */
elfsym_module *elfsym_open_in(const char *path, const char *debug_root);
/* An ELF file already in memory (size bytes at data, copied): no separate
 * debug file is looked for. NULL only when out of memory. */
elfsym_module *elfsym_open_buffer(const void *data, size_t size);
void elfsym_close(elfsym_module *m);

/* True when the file itself holds a DWARF line table (.debug_line). */
bool elfsym_has_lines(const elfsym_module *m);

/* The separate debug file's path, or NULL when there is none; it is checked
 * to belong to the module (same build-id, or the debuglink's CRC). */
const char *elfsym_debug_file(const elfsym_module *m);

/* The DWARF line sections of the module (debug_file false) or of its debug
 * file, borrowed from m; zlib-compressed sections are inflated (once, kept
 * by m). False when there is no .debug_line or it cannot be read (zstd,
 * corrupt): the caller then asks addr2line. */
bool elfsym_line_sections(elfsym_module *m, bool debug_file, dwarfline_sections *out);

/* The same for the .debug_info reader: .debug_info and .debug_abbrev, and
 * the string, address and range sections they point into. */
bool elfsym_info_sections(elfsym_module *m, bool debug_file, dwarfinfo_sections *out);

/*
 * Resolves n addresses (ELF virtual addresses: a run-time address minus the
 * module's load bias) at once: names[i] receives the function whose symbol
 * covers addrs[i], or NULL. The names are borrowed from m and stay valid
 * until elfsym_close. Returns -1 when out of memory.
 */
int elfsym_lookup(const elfsym_module *m, const uint64_t *addrs, const char **names, size_t n);

/*
 * For addresses no symbol covers (static functions of a stripped file): the
 * nearest function symbol below each in the same section, from the same
 * tables, so that "name+offset" can be resolved later against the debug
 * symbols. names[i] receives it (borrowed from m) and offsets[i] the
 * distance, or NULL when none is below in the section. Returns -1 when out
 * of memory.
 */
int elfsym_nearest(const elfsym_module *m, const uint64_t *addrs, const char **names,
		   uint64_t *offsets, size_t n);

/* The module's build-id (borrowed from m) and its length in bytes; NULL
 * when it has none. */
const unsigned char *elfsym_build_id(const elfsym_module *m, size_t *len);

/* The standard CRC-32 (as in .gnu_debuglink), continued from crc. */
uint32_t elfsym_crc32(uint32_t crc, const unsigned char *p, size_t n);

#endif
