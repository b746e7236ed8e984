/*
 * A DWARF line-table reader (see dwarfline.h). It runs each unit's line
 * program (DWARF 5, section 6.2) and checks every address range between two
 * rows against the sorted queries, so a lookup is one pass over the table.
 * Everything read from the section is bounds-checked by the cursor: a
 * malformed unit ends that unit, never the process.
 */
#include "instrument/dwarfline.h"
#include "instrument/dwarf_read.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	LNS_copy = 1,
	LNS_advance_pc,
	LNS_advance_line,
	LNS_set_file,
	LNS_set_column,
	LNS_negate_stmt,
	LNS_set_basic_block,
	LNS_const_add_pc,
	LNS_fixed_advance_pc,
	LNE_end_sequence = 1,
	LNE_set_address = 2,
	LNCT_path = 1,
	LNCT_directory_index = 2,
	FORM_block2 = 0x03,
	FORM_block4 = 0x04,
	FORM_data2 = 0x05,
	FORM_data4 = 0x06,
	FORM_data8 = 0x07,
	FORM_string = 0x08,
	FORM_block = 0x09,
	FORM_block1 = 0x0a,
	FORM_data1 = 0x0b,
	FORM_sdata = 0x0d,
	FORM_strp = 0x0e,
	FORM_udata = 0x0f,
	FORM_data16 = 0x1e,
	FORM_line_strp = 0x1f,
};

typedef struct entry {
	const char *path;
	uint64_t dir;
} entry;

typedef struct table {
	entry *v;
	size_t n, cap;
} table;

static int push(table *t, const char *path, uint64_t dir)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		entry *p = realloc(t->v, nc * sizeof(*p));
		if (!p)
			return -1;
		t->v = p;
		t->cap = nc;
	}
	t->v[t->n].path = path;
	t->v[t->n].dir = dir;
	t->n++;
	return 0;
}

/* DWARF 5 directory or file entries: a format (content type, form pairs),
 * then the entries. Returns -1 when out of memory, 1 on a form this reader
 * cannot skip or a malformed table. */
static int read_entries(cursor *c, const dwarfline_sections *s, unsigned offset_size, table *out)
{
	uint64_t fmt[2 * 16], count, i;
	unsigned nfmt = (unsigned)get_le(c, 1), k;
	if (nfmt > 16)
		return 1;
	for (k = 0; k < nfmt; k++) {
		fmt[2 * k] = uleb(c);
		fmt[2 * k + 1] = uleb(c);
	}
	count = uleb(c);
	for (i = 0; i < count && !c->bad; i++) {
		const char *path = NULL;
		uint64_t dir = 0;
		for (k = 0; k < nfmt; k++) {
			uint64_t type = fmt[2 * k], form = fmt[2 * k + 1], v = 0;
			const char *sv = NULL;
			switch (form) {
			case FORM_string: sv = cstr(c); break;
			case FORM_line_strp:
				sv = str_at(s->line_str, s->line_str_size, get_le(c, offset_size));
				break;
			case FORM_strp:
				sv = str_at(s->str, s->str_size, get_le(c, offset_size));
				break;
			case FORM_udata: v = uleb(c); break;
			case FORM_sdata: v = (uint64_t)sleb(c); break;
			case FORM_data1: v = get_le(c, 1); break;
			case FORM_data2: v = get_le(c, 2); break;
			case FORM_data4: v = get_le(c, 4); break;
			case FORM_data8: v = get_le(c, 8); break;
			case FORM_data16: skip(c, 16); break;
			case FORM_block: skip(c, uleb(c)); break;
			case FORM_block1: skip(c, get_le(c, 1)); break;
			case FORM_block2: skip(c, get_le(c, 2)); break;
			case FORM_block4: skip(c, get_le(c, 4)); break;
			default: return 1; /* strx forms need .debug_str_offsets */
			}
			if (type == LNCT_path)
				path = sv;
			else if (type == LNCT_directory_index)
				dir = v;
		}
		if (c->bad)
			return 1;
		if (push(out, path, dir) != 0)
			return -1;
	}
	return c->bad ? 1 : 0;
}

typedef struct unit {
	unsigned version;
	table dirs, files;
} unit;

/* The file of a row as a path: DIR/NAME, the directory made absolute with
 * the compilation directory (DWARF 5 directory 0) when it is relative.
 * *out is NULL when the table does not name the file; -1 out of memory. */
static int file_path(const unit *u, uint64_t file, char **out)
{
	const entry *f;
	const char *dir = NULL, *base = NULL;
	size_t len;
	*out = NULL;
	if (u->version >= 5) {
		if (file >= u->files.n)
			return 0;
		f = &u->files.v[file];
		if (f->dir < u->dirs.n)
			dir = u->dirs.v[f->dir].path;
		if (dir && *dir != '/' && f->dir != 0 && u->dirs.n > 0)
			base = u->dirs.v[0].path;
	} else {
		if (file == 0 || file > u->files.n)
			return 0;
		f = &u->files.v[file - 1];
		/* Directory 0 is the compilation directory, which only
		 * .debug_info knows: the name stays relative. */
		if (f->dir > 0 && f->dir <= u->dirs.n)
			dir = u->dirs.v[f->dir - 1].path;
	}
	if (!f->path || !*f->path)
		return 0;
	if (*f->path == '/' || !dir || !*dir)
		dir = base = NULL;
	if (base && !*base)
		base = NULL;
	len = (base ? strlen(base) + 1 : 0) + (dir ? strlen(dir) + 1 : 0) + strlen(f->path) + 1;
	*out = malloc(len);
	if (!*out)
		return -1;
	snprintf(*out, len, "%s%s%s%s%s", base ? base : "", base ? "/" : "", dir ? dir : "",
		 dir ? "/" : "", f->path);
	return 0;
}

typedef struct query {
	const uint64_t **q; /* sorted */
	const uint64_t *base;
	dwarfline_loc *out;
	size_t n, left;
	size_t at;	/* the first query >= at_lo */
	uint64_t at_lo; /* the last range's start */
} query;

/* The row (file, line) covers [lo, hi): fills the queries in it that have
 * no location yet. */
static int cover(query *Q, const unit *u, uint64_t lo, uint64_t hi, uint64_t file, uint64_t line)
{
	size_t a, b = Q->n;
	if (hi <= lo || line == 0)
		return 0;
	if (lo >= Q->at_lo) {
		/* Rows of a sequence go up: walk on from the last place. */
		for (a = Q->at; a < Q->n && *Q->q[a] < lo; a++)
			;
	} else {
		a = first_query_at(Q->q, b, lo);
	}
	Q->at = a;
	Q->at_lo = lo;
	for (; a < Q->n && *Q->q[a] < hi; a++) {
		dwarfline_loc *o = &Q->out[Q->q[a] - Q->base];
		if (o->file)
			continue;
		if (file_path(u, file, &o->file) != 0)
			return -1;
		if (!o->file)
			continue; /* an unnamed file: leave it to another row */
		o->line = line > UINT32_MAX ? 0 : (unsigned)line;
		Q->left--;
	}
	return 0;
}

/* A unit's header: its directories and files, and how to run its program. */
typedef struct header {
	unit u;
	cursor prog; /* the line program */
	unsigned min_inst, line_range, opcode_base, max_ops;
	int line_base;
	unsigned char std_len[256];
} header;

/* Reads the header of the unit at c and moves c to the next unit. Returns 0,
 * 1 when malformed, -1 out of memory; h->u's tables are to be freed either
 * way. */
static int read_header(cursor *c, const dwarfline_sections *s, header *h)
{
	uint64_t len = get_le(c, 4), hlen;
	unsigned offset_size = 4, k;
	cursor hdr;
	int rc = 0;

	memset(h, 0, sizeof(*h));
	if (len == 0xffffffffu) {
		offset_size = 8;
		len = get_le(c, 8);
	}
	if (!need(c, len > SIZE_MAX ? SIZE_MAX : (size_t)len))
		return 1;
	h->prog.p = c->p;
	h->prog.end = c->p + len;
	h->prog.bad = false;
	c->p = h->prog.end; /* the next unit, whatever happens to this one */
	h->u.version = (unsigned)get_le(&h->prog, 2);
	if (h->u.version < 2 || h->u.version > 5)
		return 1;
	if (h->u.version >= 5) {
		unsigned addr_size = (unsigned)get_le(&h->prog, 1);
		get_le(&h->prog, 1); /* segment selector size */
		if (addr_size != 4 && addr_size != 8)
			return 1;
	}
	hlen = get_le(&h->prog, offset_size);
	if (h->prog.bad || hlen > (uint64_t)(h->prog.end - h->prog.p))
		return 1;
	hdr.p = h->prog.p;
	hdr.end = h->prog.p + hlen;
	hdr.bad = false;
	h->prog.p = hdr.end;
	h->min_inst = (unsigned)get_le(&hdr, 1);
	h->max_ops = h->u.version >= 4 ? (unsigned)get_le(&hdr, 1) : 1;
	get_le(&hdr, 1); /* default_is_stmt: every row counts here */
	h->line_base = (signed char)get_le(&hdr, 1);
	h->line_range = (unsigned)get_le(&hdr, 1);
	h->opcode_base = (unsigned)get_le(&hdr, 1);
	if (hdr.bad || h->line_range == 0 || h->max_ops == 0 || h->opcode_base == 0)
		return 1;
	for (k = 1; k < h->opcode_base; k++)
		h->std_len[k] = (unsigned char)get_le(&hdr, 1);
	if (h->u.version >= 5) {
		rc = read_entries(&hdr, s, offset_size, &h->u.dirs);
		if (rc == 0)
			rc = read_entries(&hdr, s, offset_size, &h->u.files);
	} else {
		const char *d, *f;
		while (rc == 0 && (d = cstr(&hdr)) && *d)
			rc = push(&h->u.dirs, d, 0) ? -1 : 0;
		while (rc == 0 && (f = cstr(&hdr)) && *f) {
			uint64_t dir = uleb(&hdr);
			uleb(&hdr); /* mtime */
			uleb(&hdr); /* length */
			rc = push(&h->u.files, f, dir) ? -1 : 0;
		}
		if (rc == 0 && hdr.bad)
			rc = 1;
	}
	return rc;
}

int dwarfline_file(const dwarfline_sections *s, uint64_t off, uint64_t index, char **out)
{
	cursor c;
	header *h;
	int rc;
	*out = NULL;
	if (!s->line || off >= s->line_size)
		return 0;
	if (!(h = malloc(sizeof(*h))))
		return -1;
	c.p = s->line + off;
	c.end = s->line + s->line_size;
	c.bad = false;
	rc = read_header(&c, s, h);
	if (rc == 0)
		rc = file_path(&h->u, index, out);
	free(h->u.dirs.v);
	free(h->u.files.v);
	free(h);
	return rc < 0 ? -1 : 0;
}

/* Runs one unit's line program. Returns 1 when malformed, -1 out of memory. */
static int run_unit(cursor *c, const dwarfline_sections *s, query *Q)
{
	header hd;
	cursor *prog = &hd.prog;
	unsigned k;
	int rc = read_header(c, s, &hd);

	/* The state machine. A row's location covers the addresses up to the
	 * next row's; a sequence that starts at 0 is code the linker dropped. */
	{
		uint64_t addr = 0, file = 1, line = 1, seq_start = 0;
		uint64_t prev_addr = 0, prev_file = 0, prev_line = 0;
		bool have_prev = false;
#define EMIT(end_seq)                                                                              \
	do {                                                                                       \
		if (have_prev && seq_start != 0 &&                                                 \
		    (rc = cover(Q, &hd.u, prev_addr, addr, prev_file, prev_line)) != 0)            \
			goto out;                                                                  \
		if (!have_prev)                                                                    \
			seq_start = addr;                                                          \
		prev_addr = addr;                                                                  \
		prev_file = file;                                                                  \
		prev_line = line;                                                                  \
		have_prev = !(end_seq);                                                            \
	} while (0)
		while (rc == 0 && Q->left > 0 && prog->p < prog->end && !prog->bad) {
			unsigned op = (unsigned)get_le(prog, 1);
			if (op >= hd.opcode_base) {
				unsigned adj = op - hd.opcode_base;
				addr += (uint64_t)(adj / hd.line_range) * hd.min_inst / hd.max_ops;
				line +=
				    (uint64_t)(int64_t)(hd.line_base + (int)(adj % hd.line_range));
				EMIT(0);
				continue;
			}
			switch (op) {
			case 0: {
				uint64_t elen = uleb(prog);
				const unsigned char *next;
				unsigned sub;
				if (elen == 0 ||
				    !need(prog, elen > SIZE_MAX ? SIZE_MAX : (size_t)elen))
					break;
				next = prog->p + elen;
				sub = (unsigned)get_le(prog, 1);
				if (sub == LNE_end_sequence) {
					EMIT(1);
					addr = 0;
					file = 1;
					line = 1;
				} else if (sub == LNE_set_address && (elen == 5 || elen == 9)) {
					addr = get_le(prog, (size_t)elen - 1);
				}
				prog->p = next; /* other extended opcodes are skipped */
				break;
			}
			case LNS_copy: EMIT(0); break;
			case LNS_advance_pc: addr += uleb(prog) * hd.min_inst / hd.max_ops; break;
			case LNS_advance_line: line += (uint64_t)sleb(prog); break;
			case LNS_set_file: file = uleb(prog); break;
			case LNS_const_add_pc:
				addr += (uint64_t)((255 - hd.opcode_base) / hd.line_range) *
					hd.min_inst / hd.max_ops;
				break;
			case LNS_fixed_advance_pc: addr += get_le(prog, 2); break;
			default:
				for (k = 0; k < hd.std_len[op]; k++)
					uleb(prog);
				break;
			}
		}
#undef EMIT
		if (rc == 0 && prog->bad)
			rc = 1;
	}
out:
	free(hd.u.dirs.v);
	free(hd.u.files.v);
	return rc;
}

int dwarfline_lookup(const dwarfline_sections *s, const uint64_t *addrs, dwarfline_loc *out,
		     size_t n)
{
	query Q;
	cursor c;
	int rc = 0, status = 0;

	memset(out, 0, n * sizeof(*out));
	if (n == 0 || !s->line)
		return 0;
	if (!(Q.q = sorted_queries(addrs, n)))
		return -1;
	Q.base = addrs;
	Q.out = out;
	Q.n = Q.left = n;
	Q.at = 0;
	Q.at_lo = 0;
	c.p = s->line;
	c.end = s->line + s->line_size;
	c.bad = false;
	while (Q.left > 0 && c.p < c.end && !c.bad) {
		rc = run_unit(&c, s, &Q);
		if (rc < 0)
			break;
		if (rc > 0)
			status = 1;
	}
	free(Q.q);
	if (rc < 0) {
		dwarfline_free(out, n);
		return -1;
	}
	return status || c.bad ? 1 : 0;
}

void dwarfline_free(dwarfline_loc *out, size_t n)
{
	size_t i;
	for (i = 0; out && i < n; i++) {
		free(out[i].file);
		out[i].file = NULL;
	}
}
