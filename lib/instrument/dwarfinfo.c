/*
 * Function names from .debug_info (see dwarfinfo.h). For each unit: its
 * first entry (the compile unit) says which addresses it covers; a unit
 * holding none of the queries is skipped. In the others every entry is
 * read, and each subprogram or inlined subroutine whose ranges hold a query
 * becomes that query's function when it is deeper in the tree than the one
 * found before: the innermost inlined code wins.
 *
 * Abbreviation tables are read lazily, entry by entry up to the code asked
 * for, since a skipped unit needs only its first.
 */
#include "instrument/dwarfinfo.h"
#include "instrument/dwarf_read.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
	TAG_inlined_subroutine = 0x1d,
	TAG_subprogram = 0x2e,
	AT_name = 0x03,
	AT_stmt_list = 0x10,
	AT_low_pc = 0x11,
	AT_high_pc = 0x12,
	AT_abstract_origin = 0x31,
	AT_specification = 0x47,
	AT_ranges = 0x55,
	AT_call_file = 0x58,
	AT_call_line = 0x59,
	AT_linkage_name = 0x6e,
	AT_str_offsets_base = 0x72,
	AT_addr_base = 0x73,
	AT_rnglists_base = 0x74,
	AT_MIPS_linkage_name = 0x2007,
	UT_compile = 1,
	UT_partial = 3,
	UT_skeleton = 4,
};

/* The class of an attribute's value, as far as this reader cares. */
enum { V_NONE, V_CONST, V_ADDR, V_STR, V_REF, V_SECOFF, V_RNGLISTX };

typedef struct value {
	int kind;
	uint64_t u;	 /* V_CONST, V_ADDR (resolved), V_REF (.debug_info offset), ... */
	const char *str; /* V_STR; NULL when the string is not readable */
} value;

typedef struct attr_spec {
	uint32_t at, form;
	int64_t implicit;
} attr_spec;

typedef struct abbrev {
	uint32_t tag;
	bool children;
	size_t first, n; /* its attributes in abbrevs.attrs */
} abbrev;

typedef struct abbrevs {
	cursor next;	 /* where reading goes on */
	abbrev *by_code; /* index: the code */
	size_t ncodes;	 /* by_code's size */
	bool *have;
	attr_spec *attrs;
	size_t nattrs, acap;
	bool done;
} abbrevs;

typedef struct unit {
	const dwarfinfo_sections *s;
	uint64_t off;			 /* of the header in .debug_info */
	const unsigned char *die0, *end; /* the first entry, the end */
	unsigned version, addr_size, offset_size;
	uint64_t str_offsets_base, addr_base, rnglists_base, base; /* base: its low_pc */
	uint64_t stmt_list; /* its line table in .debug_line */
	abbrevs ab;
} unit;

typedef struct die {
	uint32_t tag;
	bool children, has_low, has_high, high_is_len;
	uint64_t low, high;
	value ranges;
	const char *name, *linkage;
	uint64_t origin, spec; /* .debug_info offsets, 0: none */
	uint64_t call_file, call_line;
} die;

/* ---- abbreviations --------------------------------------------------------------- */
static void abbrevs_free(abbrevs *a)
{
	free(a->by_code);
	free(a->have);
	free(a->attrs);
	memset(a, 0, sizeof(*a));
}

/* The abbreviation with this code; reads on in the table until found.
 * NULL when absent, malformed or out of memory (*oom set). */
static const abbrev *find_abbrev(abbrevs *a, uint64_t code, bool *oom)
{
	while (!(code < a->ncodes && a->have[code]) && !a->done) {
		uint64_t c = uleb(&a->next), at, form;
		abbrev e;
		if (c == 0 || a->next.bad) {
			a->done = true;
			break;
		}
		if (c > (1u << 18)) { /* no compiler numbers them so high: not ours */
			a->done = true;
			break;
		}
		if (c >= a->ncodes) {
			size_t nn = a->ncodes ? a->ncodes : 64;
			abbrev *nb;
			bool *nh;
			while (nn <= c)
				nn *= 2;
			nb = realloc(a->by_code, nn * sizeof(*nb));
			if (!nb) {
				*oom = true;
				return NULL;
			}
			a->by_code = nb;
			nh = realloc(a->have, nn * sizeof(*nh));
			if (!nh) {
				*oom = true;
				return NULL;
			}
			a->have = nh;
			memset(a->have + a->ncodes, 0, (nn - a->ncodes) * sizeof(*nh));
			a->ncodes = nn;
		}
		e.tag = (uint32_t)uleb(&a->next);
		e.children = get_le(&a->next, 1) != 0;
		e.first = a->nattrs;
		e.n = 0;
		for (;;) {
			at = uleb(&a->next);
			form = uleb(&a->next);
			if (a->next.bad || (at == 0 && form == 0))
				break;
			if (a->nattrs == a->acap) {
				size_t nc = a->acap ? a->acap * 2 : 256;
				attr_spec *na = realloc(a->attrs, nc * sizeof(*na));
				if (!na) {
					*oom = true;
					return NULL;
				}
				a->attrs = na;
				a->acap = nc;
			}
			a->attrs[a->nattrs].at = (uint32_t)at;
			a->attrs[a->nattrs].form = (uint32_t)form;
			a->attrs[a->nattrs].implicit = form == 0x21 ? sleb(&a->next) : 0;
			a->nattrs++;
			e.n++;
		}
		if (a->next.bad) {
			a->done = true;
			break;
		}
		a->by_code[c] = e;
		a->have[c] = true;
	}
	return code < a->ncodes && a->have[code] ? &a->by_code[code] : NULL;
}

/* ---- values ------------------------------------------------------------------------- */
static uint64_t addr_index(const unit *u, uint64_t idx, bool *ok)
{
	cursor c;
	uint64_t off = u->addr_base + idx * u->addr_size;
	c.p = u->s->addr;
	c.end = u->s->addr + u->s->addr_size;
	c.bad = !u->s->addr || off > u->s->addr_size;
	if (!c.bad)
		c.p += off;
	off = get_le(&c, u->addr_size);
	*ok = !c.bad;
	return off;
}

static const char *str_index(const unit *u, uint64_t idx)
{
	cursor c;
	uint64_t off = u->str_offsets_base + idx * u->offset_size;
	c.p = u->s->str_offsets;
	c.end = u->s->str_offsets + u->s->str_offsets_size;
	c.bad = !u->s->str_offsets || off > u->s->str_offsets_size;
	if (!c.bad)
		c.p += off;
	off = get_le(&c, u->offset_size);
	return c.bad ? NULL : str_at(u->s->str, u->s->str_size, off);
}

/* Reads one attribute value of the given form. False: a form this reader
 * cannot even skip (the unit is then left). */
static bool read_value(unit *u, cursor *c, uint64_t form, int64_t implicit, value *v)
{
	bool ok = true;
	v->kind = V_NONE;
	v->u = 0;
	v->str = NULL;
	switch (form) {
	case 0x01: v->kind = V_ADDR, v->u = get_le(c, u->addr_size); break;
	case 0x1b: /* addrx */
	case 0x1f01: v->u = addr_index(u, uleb(c), &ok), v->kind = ok ? V_ADDR : V_NONE; break;
	case 0x29:
	case 0x2a:
	case 0x2b:
	case 0x2c:
		v->u = addr_index(u, get_le(c, form - 0x28), &ok);
		v->kind = ok ? V_ADDR : V_NONE;
		break;
	case 0x0b: v->kind = V_CONST, v->u = get_le(c, 1); break;
	case 0x05: v->kind = V_CONST, v->u = get_le(c, 2); break;
	case 0x06: v->kind = V_CONST, v->u = get_le(c, 4); break;
	case 0x07: v->kind = V_CONST, v->u = get_le(c, 8); break;
	case 0x0f: v->kind = V_CONST, v->u = uleb(c); break;
	case 0x0d: v->kind = V_CONST, v->u = (uint64_t)sleb(c); break;
	case 0x21: v->kind = V_CONST, v->u = (uint64_t)implicit; break;
	case 0x1e: skip(c, 16); break;
	case 0x0c: get_le(c, 1); break;
	case 0x19: break; /* flag_present */
	case 0x08: v->kind = V_STR, v->str = cstr(c); break;
	case 0x0e:
		v->kind = V_STR;
		v->str = str_at(u->s->str, u->s->str_size, get_le(c, u->offset_size));
		break;
	case 0x1f:
		v->kind = V_STR;
		v->str = str_at(u->s->line_str, u->s->line_str_size, get_le(c, u->offset_size));
		break;
	case 0x1a:
	case 0x1f02: v->kind = V_STR, v->str = str_index(u, uleb(c)); break;
	case 0x25:
	case 0x26:
	case 0x27:
	case 0x28: v->kind = V_STR, v->str = str_index(u, get_le(c, form - 0x24)); break;
	case 0x1d:   /* strp_sup */
	case 0x1f21: /* GNU_strp_alt: in another file */
	case 0x1c:   /* ref_sup4 */
	case 0x1f20: get_le(c, u->offset_size); break;
	case 0x24: get_le(c, 8); break; /* ref_sup8 */
	case 0x11: v->kind = V_REF, v->u = u->off + get_le(c, 1); break;
	case 0x12: v->kind = V_REF, v->u = u->off + get_le(c, 2); break;
	case 0x13: v->kind = V_REF, v->u = u->off + get_le(c, 4); break;
	case 0x14: v->kind = V_REF, v->u = u->off + get_le(c, 8); break;
	case 0x15: v->kind = V_REF, v->u = u->off + uleb(c); break;
	case 0x10:
		v->kind = V_REF;
		v->u = get_le(c, u->version <= 2 ? u->addr_size : u->offset_size);
		break;
	case 0x20: get_le(c, 8); break; /* ref_sig8: a type unit */
	case 0x17: v->kind = V_SECOFF, v->u = get_le(c, u->offset_size); break;
	case 0x23: v->kind = V_RNGLISTX, v->u = uleb(c); break;
	case 0x22: uleb(c); break; /* loclistx */
	case 0x18:
	case 0x09: skip(c, uleb(c)); break;
	case 0x0a: skip(c, get_le(c, 1)); break;
	case 0x03: skip(c, get_le(c, 2)); break;
	case 0x04: skip(c, get_le(c, 4)); break;
	case 0x16: { /* indirect: the form comes first */
		uint64_t f = uleb(c);
		if (f == 0x16 || c->bad)
			return false;
		return read_value(u, c, f, implicit, v);
	}
	default: return false;
	}
	return !c->bad;
}

/* The unit's base attributes (str_offsets_base, addr_base, rnglists_base)
 * from its entry's attributes at c (a copy: the caller reads them again). */
static bool read_bases(unit *u, cursor c, const abbrev *ab)
{
	size_t i;
	for (i = 0; i < ab->n; i++) {
		const attr_spec *sp = &u->ab.attrs[ab->first + i];
		value v;
		if (!read_value(u, &c, sp->form, sp->implicit, &v))
			return false;
		if (sp->at == AT_str_offsets_base)
			u->str_offsets_base = v.u;
		else if (sp->at == AT_addr_base)
			u->addr_base = v.u;
		else if (sp->at == AT_rnglists_base)
			u->rnglists_base = v.u;
	}
	return true;
}

/* Reads the entry at c. *end_of_siblings: a null entry. False: malformed. */
static bool read_die(unit *u, cursor *c, die *d, bool *end_of_siblings, bool *oom)
{
	const abbrev *ab;
	bool root = c->p == u->die0;
	uint64_t code = uleb(c);
	size_t i;
	memset(d, 0, sizeof(*d));
	*end_of_siblings = false;
	if (c->bad)
		return false;
	if (code == 0) {
		*end_of_siblings = true;
		return true;
	}
	if (!(ab = find_abbrev(&u->ab, code, oom)))
		return false;
	d->tag = ab->tag;
	d->children = ab->children;
	/* The unit's own entry holds the bases that indexed forms (addrx, strx,
	 * rnglistx) are read against, and clang writes DW_AT_addr_base after the
	 * DW_AT_low_pc (addrx) that needs it: read the bases first. */
	if (root && !read_bases(u, *c, ab))
		return false;
	for (i = 0; i < ab->n; i++) {
		const attr_spec *sp = &u->ab.attrs[ab->first + i];
		value v;
		if (!read_value(u, c, sp->form, sp->implicit, &v))
			return false;
		switch (sp->at) {
		case AT_low_pc:
			if (v.kind == V_ADDR)
				d->low = v.u, d->has_low = true;
			break;
		case AT_high_pc:
			if (v.kind == V_ADDR || v.kind == V_CONST)
				d->high = v.u, d->has_high = true,
				d->high_is_len = v.kind == V_CONST;
			break;
		case AT_ranges: d->ranges = v; break;
		case AT_name: d->name = v.str; break;
		case AT_linkage_name:
		case AT_MIPS_linkage_name: d->linkage = v.str; break;
		case AT_abstract_origin:
			if (v.kind == V_REF)
				d->origin = v.u;
			break;
		case AT_specification:
			if (v.kind == V_REF)
				d->spec = v.u;
			break;
		case AT_call_file:
			if (v.kind == V_CONST)
				d->call_file = v.u;
			break;
		case AT_call_line:
			if (v.kind == V_CONST)
				d->call_line = v.u;
			break;
		case AT_stmt_list:
			if (v.kind == V_SECOFF || v.kind == V_CONST)
				u->stmt_list = v.u;
			break;
		case AT_str_offsets_base: u->str_offsets_base = v.u; break;
		case AT_addr_base: u->addr_base = v.u; break;
		case AT_rnglists_base: u->rnglists_base = v.u; break;
		default: break;
		}
	}
	return true;
}

/* ---- units -------------------------------------------------------------------------- */
/* Reads the header of the unit at off. *next: the next unit's offset.
 * 1: a unit to read; 0: one to pass by (types, split); -1: malformed. */
static int unit_header(const dwarfinfo_sections *s, uint64_t off, unit *u, uint64_t *next)
{
	cursor c;
	uint64_t len, abbrev_off;
	unsigned type = UT_compile;
	memset(u, 0, sizeof(*u));
	u->s = s;
	u->off = off;
	c.p = s->info + off;
	c.end = s->info + s->info_size;
	c.bad = false;
	len = get_le(&c, 4);
	u->offset_size = 4;
	if (len == 0xffffffffu) {
		len = get_le(&c, 8);
		u->offset_size = 8;
	}
	if (c.bad || len > (uint64_t)(c.end - c.p))
		return -1;
	u->end = c.p + len;
	*next = (uint64_t)(u->end - s->info);
	c.end = u->end;
	u->version = (unsigned)get_le(&c, 2);
	if (u->version < 2 || u->version > 5)
		return 0;
	if (u->version >= 5) {
		type = (unsigned)get_le(&c, 1);
		u->addr_size = (unsigned)get_le(&c, 1);
		abbrev_off = get_le(&c, u->offset_size);
		if (type == UT_skeleton)
			get_le(&c, 8);
		else if (type != UT_compile && type != UT_partial)
			return 0; /* type and split units */
	} else {
		abbrev_off = get_le(&c, u->offset_size);
		u->addr_size = (unsigned)get_le(&c, 1);
	}
	if (c.bad || (u->addr_size != 4 && u->addr_size != 8) || abbrev_off >= s->abbrev_size)
		return -1;
	u->die0 = c.p;
	u->ab.next.p = s->abbrev + abbrev_off;
	u->ab.next.end = s->abbrev + s->abbrev_size;
	u->ab.next.bad = false;
	return 1;
}

/* ---- ranges ------------------------------------------------------------------------- */
typedef struct query {
	const uint64_t **q; /* sorted */
	const uint64_t *base;
	dwarfinfo_func *out;
	int *depth; /* of the entry that gave out[i], -1: none yet */
	size_t n;
} query;

/* Does [lo, hi) hold a query? Then calls hit(...) for each. */
typedef struct hit_ctx {
	query *Q;
	unit *u;
	const die *d;
	const die *caller; /* the function d is nested in, NULL: none */
	int depth;
	int status; /* 0, -1 out of memory */
	bool any;
} hit_ctx;

static const char *die_name(unit *u, const die *d, bool *oom);

static void cover(hit_ctx *h, uint64_t lo, uint64_t hi)
{
	query *Q = h->Q;
	size_t a;
	if (hi <= lo || lo == 0)
		return;
	for (a = first_query_at(Q->q, Q->n, lo); a < Q->n && *Q->q[a] < hi; a++) {
		size_t i = (size_t)(Q->q[a] - Q->base);
		h->any = true;
		if (!h->d || Q->depth[i] >= h->depth)
			continue;
		{
			bool oom = false;
			const char *name = die_name(h->u, h->d, &oom);
			if (oom) {
				h->status = -1;
				return;
			}
			if (!name)
				continue;
			Q->out[i].name = name;
			Q->out[i].inlined = h->d->tag == TAG_inlined_subroutine;
			Q->out[i].caller = NULL;
			Q->out[i].call_file = h->d->call_file;
			Q->out[i].call_line = (unsigned)h->d->call_line;
			Q->out[i].stmt_list = h->u->stmt_list;
			if (Q->out[i].inlined && h->caller) {
				Q->out[i].caller = die_name(h->u, h->caller, &oom);
				if (oom) {
					h->status = -1;
					return;
				}
			}
			Q->depth[i] = h->depth;
		}
	}
}

/* Calls cover() for each address range of d. False: its ranges could not
 * be read. */
static bool each_range(unit *u, const die *d, hit_ctx *h)
{
	const dwarfinfo_sections *s = u->s;
	cursor c;
	uint64_t base = u->base;
	if (d->has_low && d->has_high) {
		cover(h, d->low, d->high_is_len ? d->low + d->high : d->high);
		return true;
	}
	if (d->ranges.kind != V_SECOFF && d->ranges.kind != V_RNGLISTX)
		return true; /* no code of its own (a declaration, an abstract instance) */
	if (u->version >= 5) {
		uint64_t off = d->ranges.u;
		if (!s->rnglists)
			return false;
		if (d->ranges.kind == V_RNGLISTX) {
			cursor t;
			uint64_t at = u->rnglists_base + off * u->offset_size;
			t.p = s->rnglists;
			t.end = s->rnglists + s->rnglists_size;
			t.bad = at > s->rnglists_size;
			if (!t.bad)
				t.p += at;
			off = u->rnglists_base + get_le(&t, u->offset_size);
			if (t.bad)
				return false;
		}
		if (off >= s->rnglists_size)
			return false;
		c.p = s->rnglists + off;
		c.end = s->rnglists + s->rnglists_size;
		c.bad = false;
		for (;;) {
			unsigned kind = (unsigned)get_le(&c, 1);
			uint64_t a, b;
			bool ok = true;
			if (c.bad)
				return false;
			switch (kind) {
			case 0: return true; /* end_of_list */
			case 1: base = addr_index(u, uleb(&c), &ok); break;
			case 2:
				a = addr_index(u, uleb(&c), &ok);
				b = ok ? addr_index(u, uleb(&c), &ok) : 0;
				if (ok)
					cover(h, a, b);
				break;
			case 3:
				a = addr_index(u, uleb(&c), &ok);
				b = uleb(&c);
				if (ok)
					cover(h, a, a + b);
				break;
			case 4:
				a = uleb(&c);
				b = uleb(&c);
				cover(h, base + a, base + b);
				break;
			case 5: base = get_le(&c, u->addr_size); break;
			case 6:
				a = get_le(&c, u->addr_size);
				b = get_le(&c, u->addr_size);
				cover(h, a, b);
				break;
			case 7:
				a = get_le(&c, u->addr_size);
				b = uleb(&c);
				cover(h, a, a + b);
				break;
			default: return false;
			}
			if (!ok || h->status)
				return ok;
		}
	}
	if (!s->ranges || d->ranges.u >= s->ranges_size)
		return false;
	c.p = s->ranges + d->ranges.u;
	c.end = s->ranges + s->ranges_size;
	c.bad = false;
	for (;;) {
		uint64_t a = get_le(&c, u->addr_size), b = get_le(&c, u->addr_size);
		uint64_t max = u->addr_size == 4 ? 0xffffffffu : ~(uint64_t)0;
		if (c.bad)
			return false;
		if (a == 0 && b == 0)
			return true;
		if (a == max)
			base = b;
		else
			cover(h, base + a, base + b);
		if (h->status)
			return true;
	}
}

/* ---- names -------------------------------------------------------------------------- */
/* The entry at a .debug_info offset inside u (refs across units, which
 * only whole-program optimisation makes, are not followed). */
static bool die_at(unit *u, uint64_t off, die *d, bool *oom)
{
	cursor c;
	bool eos;
	if (off < (uint64_t)(u->die0 - u->s->info) || off >= (uint64_t)(u->end - u->s->info))
		return false;
	c.p = u->s->info + off;
	c.end = u->end;
	c.bad = false;
	return read_die(u, &c, d, &eos, oom) && !eos;
}

/* The linkage name found first along d, its abstract origin and its
 * specification (C++: mangled, qualified), else the first plain name. */
static const char *die_name(unit *u, const die *d, bool *oom)
{
	const char *name = NULL;
	die cur = *d, next;
	int hops;
	for (hops = 0; hops < 8; hops++) {
		uint64_t ref;
		if (cur.linkage)
			return cur.linkage;
		if (!name && cur.name)
			name = cur.name;
		ref = cur.origin ? cur.origin : cur.spec;
		if (!ref || !die_at(u, ref, &next, oom))
			break;
		cur = next;
	}
	return name;
}

/* ---- the walk ----------------------------------------------------------------------- */
typedef struct ancestor {
	bool fn; /* a subprogram or inlined subroutine */
	die d;
} ancestor;

/* Reads the entries of one unit; 1 when it was malformed, -1 out of memory. */
static int walk_unit(unit *u, query *Q)
{
	cursor c;
	die d;
	bool eos, oom = false;
	int depth = 0;
	hit_ctx h;
	struct {
		ancestor *v;
		size_t cap;
	} stack = {NULL, 0};

	c.p = u->die0;
	c.end = u->end;
	c.bad = false;
	/* The unit's own entry: its bases, its base address, its ranges. */
	if (!read_die(u, &c, &d, &eos, &oom) || eos)
		return oom ? -1 : 1;
	if (d.has_low)
		u->base = d.low;
	/* the bases can come after attributes that use them: read it again */
	{
		cursor again = {u->die0, u->end, false};
		if (!read_die(u, &again, &d, &eos, &oom))
			return oom ? -1 : 1;
	}
	memset(&h, 0, sizeof(h));
	h.Q = Q;
	h.u = u;
	if (d.has_low || d.ranges.kind != V_NONE) {
		if (!each_range(u, &d, &h))
			return 1;
		if (!h.any)
			return 0; /* none of the queries is in this unit */
	}
	if (!d.children)
		return 0;
	depth = 1;
	while (depth > 0 && c.p < c.end) {
		bool is_fn;
		if (!read_die(u, &c, &d, &eos, &oom))
			goto fail;
		if (eos) {
			depth--;
			continue;
		}
		is_fn = d.tag == TAG_subprogram || d.tag == TAG_inlined_subroutine;
		if (is_fn) {
			int k;
			h.d = &d;
			h.depth = depth;
			h.caller = NULL;
			for (k = depth - 1; k >= 1 && !h.caller; k--)
				if (stack.v[k].fn)
					h.caller = &stack.v[k].d;
			if (!each_range(u, &d, &h)) {
				oom = false;
				goto fail;
			}
			if (h.status) {
				oom = true;
				goto fail;
			}
		}
		if (d.children) {
			/* remember it for the entries nested in it: the function
			 * an inlined subroutine is inlined into */
			if ((size_t)depth >= stack.cap) {
				size_t nc = stack.cap ? stack.cap * 2 : 32;
				ancestor *nv = realloc(stack.v, nc * sizeof(*nv));
				if (!nv) {
					oom = true;
					goto fail;
				}
				stack.v = nv;
				stack.cap = nc;
			}
			stack.v[depth].fn = is_fn;
			stack.v[depth].d = d;
			depth++;
		}
	}
	free(stack.v);
	return 0;
fail:
	free(stack.v);
	return oom ? -1 : 1;
}

int dwarfinfo_functions(const dwarfinfo_sections *s, const uint64_t *addrs, dwarfinfo_func *out,
			size_t n)
{
	query Q;
	uint64_t off = 0, next;
	size_t i;
	int status = 0;

	memset(out, 0, n * sizeof(*out));
	if (n == 0 || !s->info || !s->abbrev)
		return 0;
	Q.q = sorted_queries(addrs, n);
	Q.depth = malloc(n * sizeof(*Q.depth));
	if (!Q.q || !Q.depth) {
		free(Q.q);
		free(Q.depth);
		return -1;
	}
	for (i = 0; i < n; i++)
		Q.depth[i] = -1;
	Q.base = addrs;
	Q.out = out;
	Q.n = n;
	while (off < s->info_size) {
		unit u;
		int r = unit_header(s, off, &u, &next);
		if (r < 0) {
			status = 1;
			break;
		}
		if (r > 0) {
			r = walk_unit(&u, &Q);
			abbrevs_free(&u.ab);
			if (r < 0) {
				status = -1;
				break;
			}
			if (r > 0)
				status = 1;
		}
		off = next;
	}
	free(Q.q);
	free(Q.depth);
	if (status < 0)
		memset(out, 0, n * sizeof(*out));
	return status;
}
