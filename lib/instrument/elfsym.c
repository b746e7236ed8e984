/*
 * ELF symbol tables and separate debug files (see elfsym.h). Files are
 * mapped, not read: only the headers and the symbol tables are touched, so a
 * 4 MB debug file costs the pages of its .symtab. Every offset read from a
 * file is checked against the file's size before use: a truncated or hostile
 * file gives no symbols, never a crash.
 */
#include "instrument/elfsym.h"
#include "instrument/dwarf_read.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define DEBUG_ROOT "/usr/lib/debug"

/* The DWARF sections perfdb reads, by name. */
enum {
	D_LINE,
	D_LINE_STR,
	D_STR,
	D_INFO,
	D_ABBREV,
	D_STR_OFFSETS,
	D_ADDR,
	D_RNGLISTS,
	D_RANGES,
	D_COUNT
};
static const char *const debug_names[D_COUNT] = {
    ".debug_line",	  ".debug_line_str", ".debug_str",	".debug_info",	 ".debug_abbrev",
    ".debug_str_offsets", ".debug_addr",     ".debug_rnglists", ".debug_ranges",
};

typedef struct elf_file {
	const unsigned char *base; /* the mapping, NULL when not an ELF we read */
	size_t size;
	bool copied; /* base is a malloc'd copy (elfsym_open_buffer), not a mapping */
	dev_t dev;
	ino_t ino;
	const Elf64_Shdr *sh;
	size_t nsh;
	const Elf64_Shdr *symtab, *dynsym, *debuglink;
	const Elf64_Shdr *dbg[D_COUNT];	  /* the DWARF sections perfdb reads */
	unsigned char *inflated[D_COUNT]; /* decompressed, once asked for */
	size_t inflated_size[D_COUNT];
	const unsigned char *build_id;
	size_t build_id_len;
	bool has_lines;
} elf_file;

struct elfsym_module {
	elf_file obj, dbg;
	char *debug_path;
};

static bool in_file(const elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static const char *section_name(const elf_file *f, const Elf64_Shdr *strsec, uint32_t at)
{
	const char *s;
	if (!strsec || at >= strsec->sh_size)
		return NULL;
	s = (const char *)f->base + strsec->sh_offset + at;
	return memchr(s, 0, strsec->sh_size - at) ? s : NULL;
}

/* The GNU build-id from the SHT_NOTE sections, if any. */
static void find_build_id(elf_file *f)
{
	size_t i;
	for (i = 0; i < f->nsh; i++) {
		const Elf64_Shdr *s = &f->sh[i];
		uint64_t p, end;
		if (s->sh_type != SHT_NOTE || !in_file(f, s->sh_offset, s->sh_size))
			continue;
		p = s->sh_offset;
		end = s->sh_offset + s->sh_size;
		while (end - p >= sizeof(Elf64_Nhdr)) {
			Elf64_Nhdr nh;
			uint64_t name_at = p + sizeof(nh), desc_at, next;
			memcpy(&nh, f->base + p, sizeof(nh));
			desc_at = name_at + ((nh.n_namesz + 3ull) & ~3ull);
			next = desc_at + ((nh.n_descsz + 3ull) & ~3ull);
			if (next > end || desc_at + nh.n_descsz > end)
				break;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp(f->base + name_at, "GNU", 4) == 0 && nh.n_descsz > 0) {
				f->build_id = f->base + desc_at;
				f->build_id_len = nh.n_descsz;
				return;
			}
			p = next;
		}
	}
}

static void elf_close(elf_file *f)
{
	int i;
	for (i = 0; i < D_COUNT; i++)
		free(f->inflated[i]);
	if (f->copied)
		free((void *)f->base);
	else if (f->base)
		munmap((void *)f->base, f->size);
	memset(f, 0, sizeof(*f));
}

/* Finds the sections of the f->size bytes at f->base, or closes f. */
static void elf_parse(elf_file *f)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->base;
	const Elf64_Shdr *shstr;
	size_t i;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
#else
	    eh->e_ident[EI_DATA] != ELFDATA2MSB ||
#endif
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff % 8 != 0)
		goto not_elf;
	f->nsh = eh->e_shnum;
	if (f->nsh == 0 && eh->e_shoff) { /* extended numbering: count in sh[0] */
		if (!in_file(f, eh->e_shoff, sizeof(Elf64_Shdr)))
			goto not_elf;
		f->nsh = ((const Elf64_Shdr *)(f->base + eh->e_shoff))->sh_size;
	}
	/* Divided, not multiplied: a count from sh[0] is 64 bits, and 2^58
	 * headers of 64 bytes are 0 bytes in 64-bit arithmetic. */
	if (f->nsh == 0 || !in_file(f, eh->e_shoff, 0) ||
	    f->nsh > (f->size - eh->e_shoff) / sizeof(Elf64_Shdr))
		goto not_elf;
	f->sh = (const Elf64_Shdr *)(f->base + eh->e_shoff);
	i = eh->e_shstrndx == SHN_XINDEX ? f->sh[0].sh_link : eh->e_shstrndx;
	shstr = i < f->nsh ? &f->sh[i] : NULL;
	if (shstr && !in_file(f, shstr->sh_offset, shstr->sh_size))
		shstr = NULL;
	for (i = 1; i < f->nsh; i++) {
		const Elf64_Shdr *s = &f->sh[i];
		const char *name;
		if (s->sh_type == SHT_NOBITS || !in_file(f, s->sh_offset, s->sh_size))
			continue;
		if (s->sh_type == SHT_SYMTAB || s->sh_type == SHT_DYNSYM) {
			if (s->sh_entsize != sizeof(Elf64_Sym) || s->sh_offset % 8 != 0 ||
			    s->sh_link >= f->nsh || f->sh[s->sh_link].sh_type != SHT_STRTAB ||
			    !in_file(f, f->sh[s->sh_link].sh_offset, f->sh[s->sh_link].sh_size))
				continue;
			if (s->sh_type == SHT_SYMTAB)
				f->symtab = s;
			else
				f->dynsym = s;
			continue;
		}
		name = section_name(f, shstr, s->sh_name);
		if (!name)
			continue;
		if (strncmp(name, ".debug_", 7) == 0) {
			int k;
			for (k = 0; k < D_COUNT; k++)
				if (strcmp(name, debug_names[k]) == 0)
					f->dbg[k] = s;
			if (f->dbg[D_LINE] == s && s->sh_size > 0)
				f->has_lines = true;
		} else if (strcmp(name, ".gnu_debuglink") == 0 && s->sh_size >= 8)
			f->debuglink = s;
	}
	find_build_id(f);
	return;
not_elf:
	elf_close(f);
}

/* Maps path and finds its sections; f->base stays NULL when it is not a
 * readable 64-bit ELF of our byte order. */
static void elf_open(elf_file *f, const char *path)
{
	struct stat st;
	void *map;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	f->base = map;
	f->size = (size_t)st.st_size;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	elf_parse(f);
}

uint32_t elfsym_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t table[256];
	static int ready;
	size_t i;
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		uint32_t k, c;
		int j;
		for (k = 0; k < 256; k++) {
			c = k;
			for (j = 0; j < 8; j++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[k] = c; /* the same values from any thread: a benign race */
		}
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	crc = ~crc;
	for (i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Does candidate (already opened) belong to obj? The build-ids when both
 * have one, else the CRC the debuglink names. */
static bool debug_matches(const elf_file *obj, const elf_file *cand, const uint32_t *crc)
{
	if (!cand->base || (cand->dev == obj->dev && cand->ino == obj->ino))
		return false;
	if (obj->build_id && cand->build_id)
		return obj->build_id_len == cand->build_id_len &&
		       memcmp(obj->build_id, cand->build_id, obj->build_id_len) == 0;
	return crc && elfsym_crc32(0, cand->base, cand->size) == *crc;
}

static bool try_debug(elfsym_module *m, const char *path, const uint32_t *crc)
{
	elf_open(&m->dbg, path);
	if (debug_matches(&m->obj, &m->dbg, crc)) {
		m->debug_path = strdup(path);
		if (m->debug_path)
			return true;
	}
	elf_close(&m->dbg);
	return false;
}

/* gdb's search order: the build-id path, then the debuglink's name next to
 * the object, in its .debug directory, and under the debug root. */
static void find_debug_file(elfsym_module *m, const char *path, const char *root)
{
	const elf_file *o = &m->obj;
	char buf[4096], dir[4096];
	const char *slash, *link;
	uint32_t crc;
	size_t i, n;

	if (o->build_id && o->build_id_len < 256) {
		n = (size_t)snprintf(buf, sizeof(buf), "%s/.build-id/%02x/", root, o->build_id[0]);
		for (i = 1; i < o->build_id_len && n + 3 < sizeof(buf); i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%02x", o->build_id[i]);
		if (n + 7 < sizeof(buf)) {
			memcpy(buf + n, ".debug", 7);
			if (try_debug(m, buf, NULL))
				return;
		}
	}
	if (!o->debuglink)
		return;
	link = (const char *)o->base + o->debuglink->sh_offset;
	n = strnlen(link, o->debuglink->sh_size);
	/* name, NUL, padding to 4, then the CRC */
	if (n == 0 || memchr(link, '/', n) || ((n + 4) & ~3ull) + 4 > o->debuglink->sh_size)
		return;
	memcpy(&crc, link + ((n + 4) & ~3ull), sizeof(crc));
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", dir, link) < sizeof(buf) &&
	    try_debug(m, buf, &crc))
		return;
	if ((size_t)snprintf(buf, sizeof(buf), "%s/.debug/%s", dir, link) < sizeof(buf) &&
	    try_debug(m, buf, &crc))
		return;
	if ((size_t)snprintf(buf, sizeof(buf), "%s%s%s/%s", root, *dir == '/' ? "" : "/", dir,
			     link) < sizeof(buf))
		try_debug(m, buf, &crc);
}

elfsym_module *elfsym_open_in(const char *path, const char *debug_root)
{
	elfsym_module *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	elf_open(&m->obj, path);
	if (m->obj.base && (!m->obj.symtab || !m->obj.has_lines))
		find_debug_file(m, path, debug_root ? debug_root : DEBUG_ROOT);
	return m;
}

elfsym_module *elfsym_open(const char *path)
{
	return elfsym_open_in(path, NULL);
}

elfsym_module *elfsym_open_buffer(const void *data, size_t size)
{
	elfsym_module *m = calloc(1, sizeof(*m));
	unsigned char *copy;
	if (!m)
		return NULL;
	if (size < sizeof(Elf64_Ehdr))
		return m;
	if (!(copy = malloc(size))) {
		free(m);
		return NULL;
	}
	memcpy(copy, data, size);
	m->obj.base = copy;
	m->obj.size = size;
	m->obj.copied = true;
	elf_parse(&m->obj);
	return m;
}

void elfsym_close(elfsym_module *m)
{
	if (!m)
		return;
	elf_close(&m->obj);
	elf_close(&m->dbg);
	free(m->debug_path);
	free(m);
}

bool elfsym_has_lines(const elfsym_module *m)
{
	return m && m->obj.has_lines;
}

/* Compressed sections larger than this are refused: a hostile header must
 * not make us allocate without bound (glibc's .debug_info is 6 MB). */
#define MAX_INFLATED ((uint64_t)1 << 31)
/* Nor a size deflate cannot reach from the bytes there are: it codes at
 * most 258 bytes in 2 bits, about 1032 to 1. A 200-byte section claiming
 * 2 GiB was allocated before (a libFuzzer out-of-memory). */
#define MAX_DEFLATE_RATIO 1032u

/* A section's bytes; a compressed one (SHF_COMPRESSED, zlib: what
 * distributions' debug files and gcc -gz use) is inflated once and kept in
 * slot. False when absent, or compressed otherwise (zstd) or corrupt. */
static bool section_bytes(elf_file *f, const Elf64_Shdr *sh, int slot, const unsigned char **p,
			  size_t *size)
{
	Elf64_Chdr ch;
	unsigned char *buf;
	uLongf out;
	*p = NULL;
	*size = 0;
	if (!sh)
		return false;
	if (!(sh->sh_flags & SHF_COMPRESSED)) {
		*p = f->base + sh->sh_offset; /* in the file: checked when found */
		*size = sh->sh_size;
		return true;
	}
	if (!f->inflated[slot]) {
		if (sh->sh_size < sizeof(ch))
			return false;
		memcpy(&ch, f->base + sh->sh_offset, sizeof(ch));
		if (ch.ch_type != ELFCOMPRESS_ZLIB || ch.ch_size == 0 ||
		    ch.ch_size > MAX_INFLATED ||
		    ch.ch_size > (sh->sh_size - sizeof(ch)) * MAX_DEFLATE_RATIO)
			return false;
		if (!(buf = malloc(ch.ch_size)))
			return false;
		out = (uLongf)ch.ch_size;
		if (uncompress(buf, &out, f->base + sh->sh_offset + sizeof(ch),
			       (uLong)(sh->sh_size - sizeof(ch))) != Z_OK ||
		    out != ch.ch_size) {
			free(buf);
			return false;
		}
		f->inflated[slot] = buf;
		f->inflated_size[slot] = ch.ch_size;
	}
	*p = f->inflated[slot];
	*size = f->inflated_size[slot];
	return true;
}

bool elfsym_line_sections(elfsym_module *m, bool debug_file, dwarfline_sections *out)
{
	elf_file *f;
	memset(out, 0, sizeof(*out));
	if (!m)
		return false;
	f = debug_file ? &m->dbg : &m->obj;
	if (!f->base || !section_bytes(f, f->dbg[D_LINE], D_LINE, &out->line, &out->line_size))
		return false;
	/* A string section that cannot be read reads as absent: names using it
	 * are not found, and the caller falls back. */
	section_bytes(f, f->dbg[D_LINE_STR], D_LINE_STR, &out->line_str, &out->line_str_size);
	section_bytes(f, f->dbg[D_STR], D_STR, &out->str, &out->str_size);
	return true;
}

bool elfsym_info_sections(elfsym_module *m, bool debug_file, dwarfinfo_sections *out)
{
	elf_file *f;
	memset(out, 0, sizeof(*out));
	if (!m)
		return false;
	f = debug_file ? &m->dbg : &m->obj;
	if (!f->base || !section_bytes(f, f->dbg[D_INFO], D_INFO, &out->info, &out->info_size) ||
	    !section_bytes(f, f->dbg[D_ABBREV], D_ABBREV, &out->abbrev, &out->abbrev_size))
		return false;
	section_bytes(f, f->dbg[D_STR], D_STR, &out->str, &out->str_size);
	section_bytes(f, f->dbg[D_LINE_STR], D_LINE_STR, &out->line_str, &out->line_str_size);
	section_bytes(f, f->dbg[D_STR_OFFSETS], D_STR_OFFSETS, &out->str_offsets,
		      &out->str_offsets_size);
	section_bytes(f, f->dbg[D_ADDR], D_ADDR, &out->addr, &out->addr_size);
	section_bytes(f, f->dbg[D_RNGLISTS], D_RNGLISTS, &out->rnglists, &out->rnglists_size);
	section_bytes(f, f->dbg[D_RANGES], D_RANGES, &out->ranges, &out->ranges_size);
	return true;
}

const char *elfsym_debug_file(const elfsym_module *m)
{
	return m ? m->debug_path : NULL;
}

/* How good a name is when several symbols cover an address (aliases such
 * as malloc and __libc_malloc): the smallest symbol, then global over weak
 * over local, then the fewest leading underscores. Lower is better. */
typedef struct pick {
	uint64_t size;
	int binding, underscores;
	const char *name;
} pick;

static bool better(const pick *a, const pick *b)
{
	if (!b->name)
		return true;
	if (a->size != b->size)
		return a->size < b->size;
	if (a->binding != b->binding)
		return a->binding < b->binding;
	return a->underscores < b->underscores;
}

/* Offers every function symbol of table to the sorted queries it covers. */
static void scan(const elf_file *f, const Elf64_Shdr *table, const uint64_t **q,
		 const uint64_t *base, pick *best, size_t n)
{
	const Elf64_Shdr *strsec;
	const Elf64_Sym *sym;
	size_t count, i;
	if (!table)
		return;
	strsec = &f->sh[table->sh_link];
	sym = (const Elf64_Sym *)(f->base + table->sh_offset);
	count = table->sh_size / sizeof(Elf64_Sym);
	for (i = 1; i < count; i++) {
		int type = ELF64_ST_TYPE(sym[i].st_info), bind = ELF64_ST_BIND(sym[i].st_info);
		uint64_t lo = sym[i].st_value, hi = lo + sym[i].st_size;
		size_t a;
		pick p;
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym[i].st_shndx == SHN_UNDEF ||
		    sym[i].st_size == 0 || hi < lo)
			continue;
		a = first_query_at(q, n, lo);
		if (a == n || *q[a] >= hi)
			continue;
		p.name = section_name(f, strsec, sym[i].st_name);
		if (!p.name || !*p.name)
			continue;
		p.size = sym[i].st_size;
		p.binding = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
		p.underscores = (int)strspn(p.name, "_");
		for (; a < n && *q[a] < hi; a++) {
			pick *cur = &best[q[a] - base];
			if (better(&p, cur))
				*cur = p;
		}
	}
}

int elfsym_lookup(const elfsym_module *m, const uint64_t *addrs, const char **names, size_t n)
{
	const uint64_t **q;
	pick *best;
	size_t i;
	if (n == 0)
		return 0;
	q = sorted_queries(addrs, n);
	best = calloc(n, sizeof(*best));
	if (!q || !best) {
		free(q);
		free(best);
		return -1;
	}

	if (m && m->obj.base) {
		/* The full table (own, else the debug file's), and the dynamic
		 * one, which a stripped file keeps. */
		if (m->obj.symtab)
			scan(&m->obj, m->obj.symtab, q, addrs, best, n);
		else if (m->dbg.base)
			scan(&m->dbg, m->dbg.symtab, q, addrs, best, n);
		scan(&m->obj, m->obj.dynsym, q, addrs, best, n);
	}
	for (i = 0; i < n; i++)
		names[i] = best[i].name;
	free(q);
	free(best);
	return 0;
}

/* A function symbol as a candidate for the nearest below an address. */
typedef struct below {
	uint64_t addr, section_end;
	int binding, underscores;
	const char *name;
} below;

static int below_cmp(const void *x, const void *y)
{
	const below *a = x, *b = y;
	/* By address; among aliases the best name last, where the search lands. */
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->binding != b->binding)
		return a->binding > b->binding ? -1 : 1;
	return a->underscores > b->underscores ? -1 : a->underscores < b->underscores;
}

/* Appends table's named, defined function symbols to *out. */
static int collect_below(const elf_file *f, const Elf64_Shdr *table, below **out, size_t *n,
			 size_t *cap)
{
	const Elf64_Shdr *strsec;
	const Elf64_Sym *sym;
	size_t count, i;
	if (!table)
		return 0;
	strsec = &f->sh[table->sh_link];
	sym = (const Elf64_Sym *)(f->base + table->sh_offset);
	count = table->sh_size / sizeof(Elf64_Sym);
	for (i = 1; i < count; i++) {
		int type = ELF64_ST_TYPE(sym[i].st_info), bind = ELF64_ST_BIND(sym[i].st_info);
		const Elf64_Shdr *sec;
		const char *name;
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym[i].st_shndx == SHN_UNDEF ||
		    sym[i].st_shndx >= f->nsh)
			continue;
		sec = &f->sh[sym[i].st_shndx];
		name = section_name(f, strsec, sym[i].st_name);
		if (!name || !*name)
			continue;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 256;
			below *b = realloc(*out, c * sizeof(*b));
			if (!b)
				return -1;
			*out = b;
			*cap = c;
		}
		(*out)[*n].addr = sym[i].st_value;
		(*out)[*n].section_end = sec->sh_addr + sec->sh_size;
		(*out)[*n].binding = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
		(*out)[*n].underscores = (int)strspn(name, "_");
		(*out)[*n].name = name;
		(*n)++;
	}
	return 0;
}

int elfsym_nearest(const elfsym_module *m, const uint64_t *addrs, const char **names,
		   uint64_t *offsets, size_t n)
{
	below *syms = NULL;
	size_t nsyms = 0, cap = 0, i;
	int rc = 0;
	for (i = 0; i < n; i++) {
		names[i] = NULL;
		offsets[i] = 0;
	}
	if (n == 0 || !m || !m->obj.base)
		return 0;
	if (m->obj.symtab)
		rc = collect_below(&m->obj, m->obj.symtab, &syms, &nsyms, &cap);
	else if (m->dbg.base)
		rc = collect_below(&m->dbg, m->dbg.symtab, &syms, &nsyms, &cap);
	if (rc == 0)
		rc = collect_below(&m->obj, m->obj.dynsym, &syms, &nsyms, &cap);
	if (rc != 0) {
		free(syms);
		return -1;
	}
	if (nsyms)
		qsort(syms, nsyms, sizeof(*syms), below_cmp);
	for (i = 0; i < n; i++) {
		size_t a = 0, b = nsyms; /* the first symbol above addrs[i] */
		while (a < b) {
			size_t mid = a + (b - a) / 2;
			if (syms[mid].addr <= addrs[i])
				a = mid + 1;
			else
				b = mid;
		}
		if (a == 0 || addrs[i] >= syms[a - 1].section_end)
			continue;
		names[i] = syms[a - 1].name;
		offsets[i] = addrs[i] - syms[a - 1].addr;
	}
	free(syms);
	return 0;
}

const unsigned char *elfsym_build_id(const elfsym_module *m, size_t *len)
{
	*len = 0;
	if (!m || !m->obj.build_id)
		return NULL;
	*len = m->obj.build_id_len;
	return m->obj.build_id;
}
