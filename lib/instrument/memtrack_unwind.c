/*
 * The tracker's DWARF unwinder (x86-64): whole stacks through code built
 * without frame pointers, at nearly the cost of a frame-pointer walk.
 *
 * Every ELF module the loader maps carries .eh_frame (the call frame
 * information C++ exceptions need, emitted by default on x86-64) and an
 * index to it, .eh_frame_hdr. For one return address, the CFI says how to
 * find the caller's frame: the canonical frame address (CFA) is %rsp or
 * %rbp plus a constant, the return address is at a constant offset from the
 * CFA, and %rbp is either untouched or saved at an offset from it. That is
 * all a walk needs, so it fits one 64-bit word, a rule.
 *
 * glibc's backtrace() (libgcc's unwinder) finds and interprets the CFI again
 * for every frame of every call: dl_iterate_phdr, a search of the module's
 * FDE table, the CIE and FDE programs run up to the address. Here that
 * happens once per return address; the rule goes into a lock-free table
 * (mmap'ed: the tracker must not call malloc), and every later walk is a
 * loop of table hits and stack loads. A program has a few thousand distinct
 * return addresses on its allocation paths, so after its first moments the
 * walk does no CFI work at all.
 *
 * What a rule cannot express (a CFA from another register or a general
 * DWARF expression, signal frames, a register rule we do not model) is
 * marked so, and the caller falls back to backtrace() for that stack. The
 * one general expression GCC emits for ordinary code, a realigned frame
 * that keeps the incoming stack pointer in memory (DRAP: CFA =
 * *(%rbp - 8)), is a rule too. Every stack load is checked against the
 * thread's stack bounds: a wrong rule truncates a stack, never faults.
 */
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "instrument/dwarf_read.h"
#include "instrument/memtrack.h"

#if defined(__x86_64__)

/* How the caller's frame is found: the rule's kind. */
enum {
	K_EMPTY = 0,	 /* no rule (a table slot being written) */
	K_CFA_RSP = 1,	 /* CFA = rsp + cfa_off */
	K_CFA_RBP = 2,	 /* CFA = rbp + cfa_off */
	K_CFA_DEREF = 3, /* CFA = *(rbp + cfa_off): a realigned stack */
	K_END = 4,	 /* outermost frame: no return address, or no CFI at all */
	K_COMPLEX = 5	 /* beyond a rule: the general unwinder's job */
};

/* Where the caller's %rbp is. */
enum {
	RBP_SAME = 0,	/* this frame did not touch it */
	RBP_AT_CFA = 1, /* saved at CFA + rbp_off */
	RBP_AT_RBP = 2	/* saved at rbp + rbp_off (a realigned frame) */
};

typedef union rule {
	uint64_t bits;
	struct {
		int32_t cfa_off;
		int16_t rbp_off;
		int8_t ra_off; /* the return address is at CFA + 8 * ra_off */
		uint8_t kind : 4;
		uint8_t rbp : 4;
	} f;
} rule;

/* The table: open addressing keyed by the return address. A slot is
 * claimed by a CAS on its key, then its rule is stored; a reader that finds
 * the key with no rule yet computes the rule itself. */
typedef struct slot {
	uint64_t pc;
	uint64_t rule;
} slot;

#define CACHE_SLOTS	  (1u << 16)
#define MT_MAX_OWN_FRAMES 8 /* the tracker's frames above its caller's */
#define MAX_PROBE	  64

static slot *cache;
static unsigned long loaded_subs; /* atomic: dlpi_subs when last seen */
static unsigned long cache_gen;	  /* atomic: bumped whenever the table is emptied */

/* In front of the shared table, each thread keeps the rules it used last in
 * a small direct-mapped copy (4 KiB, in L1): the shared table's hot slots are
 * spread over 1 MiB, and a walk is a chain of dependent loads, so each step
 * waited for L2. A copy from an older generation of the table is dropped
 * whole. */
#define L1_SLOTS 256
typedef struct l1_cache {
	unsigned long gen;
	slot s[L1_SLOTS];
} l1_cache;
static __thread l1_cache l1 __attribute__((tls_model("initial-exec")));

int mt_unwind_init(void)
{
	void *p;
	if (cache)
		return 0;
	p = mmap(NULL, sizeof(slot) * CACHE_SLOTS, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	cache = p;
	return 0;
}

static inline uint32_t slot_of(uintptr_t pc)
{
	return (uint32_t)(((uint64_t)pc * 0x9E3779B97F4A7C15ull) >> 48) & (CACHE_SLOTS - 1);
}

/* ---- finding the FDE ------------------------------------------------------ */
typedef struct module_find {
	uintptr_t pc;
	const unsigned char *hdr; /* .eh_frame_hdr, NULL: none */
	int found;
	unsigned long subs;
} module_find;

static int find_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	module_find *m = arg;
	const unsigned char *hdr = NULL;
	int in = 0;
	ElfW(Half) i;
	if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs))
		m->subs = (unsigned long)info->dlpi_subs;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && m->pc >= lo && m->pc - lo < ph->p_memsz)
			in = 1;
		else if (ph->p_type == PT_GNU_EH_FRAME)
			hdr = (const unsigned char *)lo;
	}
	if (!in)
		return 0;
	m->found = 1;
	m->hdr = hdr;
	return 1;
}

#define PE_OMIT	    0xff
#define PE_ABSPTR   0x00
#define PE_ULEB	    0x01
#define PE_UDATA2   0x02
#define PE_UDATA4   0x03
#define PE_UDATA8   0x04
#define PE_SLEB	    0x09
#define PE_SDATA2   0x0a
#define PE_SDATA4   0x0b
#define PE_SDATA8   0x0c
#define PE_PCREL    0x10
#define PE_DATAREL  0x30
#define PE_INDIRECT 0x80

/* Reads a pointer in encoding enc (DW_EH_PE_*); datarel is the base of
 * datarel encodings (.eh_frame_hdr's address). */
static uintptr_t read_enc(cursor *c, unsigned enc, uintptr_t datarel)
{
	uintptr_t at = (uintptr_t)c->p, v;
	if (enc == PE_OMIT)
		return 0;
	switch (enc & 0x0f) {
	case PE_ABSPTR: v = (uintptr_t)get_le(c, 8); break;
	case PE_ULEB: v = (uintptr_t)uleb(c); break;
	case PE_UDATA2: v = (uintptr_t)get_le(c, 2); break;
	case PE_UDATA4: v = (uintptr_t)get_le(c, 4); break;
	case PE_UDATA8: v = (uintptr_t)get_le(c, 8); break;
	case PE_SLEB: v = (uintptr_t)sleb(c); break;
	case PE_SDATA2: v = (uintptr_t)(int64_t)(int16_t)get_le(c, 2); break;
	case PE_SDATA4: v = (uintptr_t)(int64_t)(int32_t)get_le(c, 4); break;
	case PE_SDATA8: v = (uintptr_t)get_le(c, 8); break;
	default: c->bad = true; return 0;
	}
	switch (enc & 0x70) {
	case 0: break;
	case PE_PCREL: v += at; break;
	case PE_DATAREL: v += datarel; break;
	default: c->bad = true; return 0;
	}
	if (enc & PE_INDIRECT) /* a pointer to the value: in mapped memory */
		v = v ? *(const uintptr_t *)v : 0;
	return v;
}

/* Length-prefixed .eh_frame record at p: its body [*body, *end). */
static int record(const unsigned char *p, const unsigned char **body, const unsigned char **end)
{
	uint64_t len;
	memcpy(&len, p, 4);
	len &= 0xffffffffu;
	p += 4;
	if (len == 0xffffffffu) {
		memcpy(&len, p, 8);
		p += 8;
	}
	if (len == 0 || len > (1u << 24))
		return -1;
	*body = p;
	*end = p + len;
	return 0;
}

/* ---- running the CFI ------------------------------------------------------ */
enum { R_SAME, R_UNDEF, R_OFFSET, R_AT_RBP, R_OTHER };

typedef struct reg_rule {
	uint8_t how;
	int64_t off;
} reg_rule;

typedef struct cfi_row {
	int cfa_reg;   /* DWARF register, or -1: CFA = *(rbp + cfa_off) */
	int cfa_other; /* an expression we do not model */
	int64_t cfa_off;
	reg_rule rbp, ra;
} cfi_row;

typedef struct cie_info {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_reg;
	unsigned fde_enc;
	int has_aug;
	int signal;
	const unsigned char *insns, *end;
} cie_info;

#define REG_RBP 6
#define REG_RSP 7

static int parse_cie(const unsigned char *p, uintptr_t datarel, cie_info *ci)
{
	const unsigned char *body, *end;
	cursor c;
	const char *aug;
	unsigned version;
	if (record(p, &body, &end) != 0)
		return -1;
	c.p = body;
	c.end = end;
	c.bad = false;
	if (get_le(&c, 4) != 0) /* CIE id */
		return -1;
	version = (unsigned)get_le(&c, 1);
	if (version != 1 && version != 3)
		return -1;
	aug = cstr(&c);
	if (!aug)
		return -1;
	memset(ci, 0, sizeof(*ci));
	ci->fde_enc = PE_ABSPTR;
	if (aug[0] == 'e' && aug[1] == 'h') /* an old GCC's eh_ptr */
		return -1;
	ci->code_align = uleb(&c);
	ci->data_align = sleb(&c);
	ci->ra_reg = version == 1 ? get_le(&c, 1) : uleb(&c);
	if (aug[0] == 'z') {
		uint64_t alen = uleb(&c);
		const unsigned char *after = c.p + alen;
		const char *a;
		int known = 1;
		ci->has_aug = 1;
		/* Past a letter we do not know, the length still says where the
		 * augmentation ends. */
		for (a = aug + 1; *a && known && !c.bad; a++) {
			switch (*a) {
			case 'L': get_le(&c, 1); break;
			case 'R': ci->fde_enc = (unsigned)get_le(&c, 1); break;
			case 'P': {
				unsigned enc = (unsigned)get_le(&c, 1);
				/* The personality: never dereferenced, only skipped. */
				read_enc(&c, enc & ~(unsigned)PE_INDIRECT, datarel);
				break;
			}
			case 'S': ci->signal = 1; break;
			case 'B': break;
			default: known = 0; break;
			}
		}
		if (after > end)
			return -1;
		c.p = after;
	} else if (aug[0]) {
		return -1;
	}
	if (c.bad || ci->ra_reg != 16)
		return -1;
	ci->insns = c.p;
	ci->end = end;
	return 0;
}

/* A DWARF expression of the one shape we model: DW_OP_breg6 N [DW_OP_deref].
 * Returns 1 with *off and *deref set, 0 for anything else. */
static int breg6_expr(cursor *c, int64_t *off, int *deref)
{
	uint64_t len = uleb(c);
	const unsigned char *end = c->p + len;
	cursor e = {c->p, end, false};
	int ok = 0;
	skip(c, len);
	if (c->bad)
		return 0;
	if (get_le(&e, 1) == 0x76) { /* DW_OP_breg6 */
		*off = sleb(&e);
		*deref = 0;
		if (e.p < end && get_le(&e, 1) == 0x06) /* DW_OP_deref */
			*deref = 1;
		ok = !e.bad && e.p == end;
	}
	return ok;
}

static void set_reg(cfi_row *row, uint64_t reg, uint8_t how, int64_t off)
{
	if (reg == REG_RBP) {
		row->rbp.how = how;
		row->rbp.off = off;
	} else if (reg == 16) {
		row->ra.how = how;
		row->ra.off = off;
	} else if (reg == REG_RSP && how != R_SAME) {
		row->cfa_other = 1; /* %rsp restored from memory: not a plain frame */
	}
}

/* Runs CFI instructions [p, end) until the location passes target.
 * Returns 1 once it passed target, 0 at the end, -1 on what we cannot run. */
static int run_cfi(const unsigned char *p, const unsigned char *end, const cie_info *ci,
		   uintptr_t *loc, uintptr_t target, cfi_row *row, const cfi_row *initial,
		   uintptr_t datarel)
{
	cfi_row stack[8];
	unsigned depth = 0;
	cursor c = {p, end, false};
	while (c.p < c.end && !c.bad) {
		unsigned op = (unsigned)get_le(&c, 1), low = op & 0x3f;
		uint64_t reg, delta = 0;
		int64_t off;
		int deref;
		switch (op >> 6) {
		case 1: delta = low; goto advance;
		case 2: set_reg(row, low, R_OFFSET, (int64_t)uleb(&c) * ci->data_align); continue;
		case 3:
			if (low == REG_RBP)
				row->rbp = initial->rbp;
			else if (low == 16)
				row->ra = initial->ra;
			continue;
		default: break;
		}
		switch (op) {
		case 0x00: break; /* nop */
		case 0x01: {
			uintptr_t to = read_enc(&c, ci->fde_enc, datarel);
			if (to > target)
				return 1;
			*loc = to;
			break;
		}
		case 0x02: delta = get_le(&c, 1); goto advance;
		case 0x03: delta = get_le(&c, 2); goto advance;
		case 0x04: delta = get_le(&c, 4); goto advance;
		case 0x05: /* offset_extended */
			reg = uleb(&c);
			set_reg(row, reg, R_OFFSET, (int64_t)uleb(&c) * ci->data_align);
			break;
		case 0x06: /* restore_extended */
			reg = uleb(&c);
			if (reg == REG_RBP)
				row->rbp = initial->rbp;
			else if (reg == 16)
				row->ra = initial->ra;
			break;
		case 0x07: set_reg(row, uleb(&c), R_UNDEF, 0); break;
		case 0x08: set_reg(row, uleb(&c), R_SAME, 0); break;
		case 0x09: /* register */
			reg = uleb(&c);
			uleb(&c);
			set_reg(row, reg, R_OTHER, 0);
			break;
		case 0x0a:
			if (depth == sizeof(stack) / sizeof(stack[0]))
				return -1;
			stack[depth++] = *row;
			break;
		case 0x0b: {
			/* The whole row, the CFA rule included, as libgcc does. */
			if (!depth)
				return -1;
			*row = stack[--depth];
			break;
		}
		case 0x0c: /* def_cfa */
			row->cfa_reg = (int)uleb(&c);
			row->cfa_off = (int64_t)uleb(&c);
			row->cfa_other = 0;
			break;
		case 0x0d: row->cfa_reg = (int)uleb(&c); break;
		case 0x0e: row->cfa_off = (int64_t)uleb(&c); break;
		case 0x0f: /* def_cfa_expression */
			if (breg6_expr(&c, &off, &deref) && deref) {
				row->cfa_reg = -1;
				row->cfa_off = off;
				row->cfa_other = 0;
			} else {
				row->cfa_other = 1;
			}
			break;
		case 0x10: /* expression */
			reg = uleb(&c);
			if (breg6_expr(&c, &off, &deref) && !deref)
				set_reg(row, reg, R_AT_RBP, off);
			else
				set_reg(row, reg, R_OTHER, 0);
			break;
		case 0x11: /* offset_extended_sf */
			reg = uleb(&c);
			set_reg(row, reg, R_OFFSET, sleb(&c) * ci->data_align);
			break;
		case 0x12: /* def_cfa_sf */
			row->cfa_reg = (int)uleb(&c);
			row->cfa_off = sleb(&c) * ci->data_align;
			row->cfa_other = 0;
			break;
		case 0x13: row->cfa_off = sleb(&c) * ci->data_align; break;
		case 0x14: /* val_offset */
		case 0x15: /* val_offset_sf */
			reg = uleb(&c);
			if (op == 0x14)
				uleb(&c);
			else
				sleb(&c);
			set_reg(row, reg, R_OTHER, 0);
			break;
		case 0x16: /* val_expression */
			reg = uleb(&c);
			skip(&c, uleb(&c));
			set_reg(row, reg, R_OTHER, 0);
			break;
		case 0x2e: uleb(&c); break; /* GNU_args_size */
		case 0x2f:		    /* GNU_negative_offset_extended */
			reg = uleb(&c);
			set_reg(row, reg, R_OFFSET, -(int64_t)uleb(&c) * ci->data_align);
			break;
		default: return -1;
		}
		continue;
	advance:
		if (*loc + delta * ci->code_align > target)
			return 1;
		*loc += delta * ci->code_align;
	}
	return c.bad ? -1 : 0;
}

static rule make_rule(int kind)
{
	rule r;
	r.bits = 0;
	r.f.kind = (uint8_t)kind;
	return r;
}

/* The rule for return address pc: runs the FDE that covers pc - 1 (a
 * return address may be one past its function, after a call that does not
 * return). */
static rule compute(uintptr_t pc)
{
	module_find m = {pc - 1, NULL, 0, 0};
	const unsigned char *hdr, *tab, *fde, *body, *end, *cie_at;
	cursor c;
	unsigned enc_count, enc_tab;
	uintptr_t count, lo_i, hi_i, target = pc - 1, begin, range, loc;
	cie_info ci;
	cfi_row row, initial;
	rule r;
	unsigned long subs;

	dl_iterate_phdr(find_module, &m);
	subs = __atomic_load_n(&loaded_subs, __ATOMIC_RELAXED);
	if (m.subs != subs) {
		/* A module was unloaded: its addresses may now hold another's
		 * code. Forget every rule. */
		uint32_t i;
		__atomic_store_n(&loaded_subs, m.subs, __ATOMIC_RELAXED);
		if (subs || m.subs) {
			for (i = 0; i < CACHE_SLOTS; i++) {
				__atomic_store_n(&cache[i].rule, 0, __ATOMIC_RELEASE);
				__atomic_store_n(&cache[i].pc, 0, __ATOMIC_RELEASE);
			}
			__atomic_add_fetch(&cache_gen, 1, __ATOMIC_RELEASE);
		}
	}
	if (!m.found)
		return make_rule(K_COMPLEX); /* not in a module (generated code) */
	if (!m.hdr)
		return make_rule(K_COMPLEX);
	hdr = m.hdr;
	if (hdr[0] != 1)
		return make_rule(K_COMPLEX);
	c.p = hdr + 4;
	c.end = hdr + 4 + 16;
	c.bad = false;
	enc_count = hdr[2];
	enc_tab = hdr[3];
	read_enc(&c, hdr[1], (uintptr_t)hdr); /* eh_frame_ptr */
	count = read_enc(&c, enc_count, (uintptr_t)hdr);
	if (c.bad || enc_tab != (PE_DATAREL | PE_SDATA4) || !count)
		return make_rule(K_COMPLEX);
	tab = c.p;
	/* The last entry whose start is at or below target. */
	lo_i = 0;
	hi_i = count;
	while (hi_i - lo_i > 1) {
		uintptr_t mid = lo_i + (hi_i - lo_i) / 2;
		int32_t start;
		memcpy(&start, tab + mid * 8, 4);
		if ((uintptr_t)hdr + (intptr_t)start <= target)
			lo_i = mid;
		else
			hi_i = mid;
	}
	{
		int32_t start, at;
		memcpy(&start, tab + lo_i * 8, 4);
		memcpy(&at, tab + lo_i * 8 + 4, 4);
		if ((uintptr_t)hdr + (intptr_t)start > target)
			return make_rule(K_END); /* below the first function with CFI */
		fde = hdr + at;
	}
	if (record(fde, &body, &end) != 0)
		return make_rule(K_COMPLEX);
	{
		uint32_t cie_ptr;
		memcpy(&cie_ptr, body, 4);
		if (!cie_ptr)
			return make_rule(K_COMPLEX);
		cie_at = body - cie_ptr;
	}
	if (parse_cie(cie_at, (uintptr_t)hdr, &ci) != 0 || ci.signal)
		return make_rule(K_COMPLEX);
	c.p = body + 4;
	c.end = end;
	begin = read_enc(&c, ci.fde_enc, (uintptr_t)hdr);
	range = read_enc(&c, ci.fde_enc & 0x0f, (uintptr_t)hdr);
	if (ci.has_aug)
		skip(&c, uleb(&c));
	if (c.bad)
		return make_rule(K_COMPLEX);
	if (target < begin || target - begin >= range)
		return make_rule(K_END); /* no CFI covers it: as libgcc, the end */

	memset(&row, 0, sizeof(row));
	row.rbp.how = R_SAME;
	row.ra.how = R_SAME;
	loc = begin;
	if (run_cfi(ci.insns, ci.end, &ci, &loc, ~(uintptr_t)0, &row, &row, (uintptr_t)hdr) < 0)
		return make_rule(K_COMPLEX);
	initial = row;
	loc = begin;
	if (run_cfi(c.p, c.end, &ci, &loc, target, &row, &initial, (uintptr_t)hdr) < 0)
		return make_rule(K_COMPLEX);

	if (row.ra.how == R_UNDEF)
		return make_rule(K_END);
	if (row.cfa_other || row.ra.how != R_OFFSET || row.ra.off % 8 || row.ra.off < -1024 ||
	    row.ra.off > 1016 || row.cfa_off < INT32_MIN || row.cfa_off > INT32_MAX)
		return make_rule(K_COMPLEX);
	r.bits = 0;
	r.f.cfa_off = (int32_t)row.cfa_off;
	r.f.ra_off = (int8_t)(row.ra.off / 8);
	if (row.cfa_reg == REG_RSP)
		r.f.kind = K_CFA_RSP;
	else if (row.cfa_reg == REG_RBP)
		r.f.kind = K_CFA_RBP;
	else if (row.cfa_reg == -1)
		r.f.kind = K_CFA_DEREF;
	else
		return make_rule(K_COMPLEX);
	switch (row.rbp.how) {
	case R_SAME: r.f.rbp = RBP_SAME; break;
	case R_OFFSET: r.f.rbp = RBP_AT_CFA; break;
	case R_AT_RBP: r.f.rbp = RBP_AT_RBP; break;
	default: return make_rule(K_COMPLEX);
	}
	if (r.f.rbp != RBP_SAME) {
		if (row.rbp.off < INT16_MIN || row.rbp.off > INT16_MAX)
			return make_rule(K_COMPLEX);
		r.f.rbp_off = (int16_t)row.rbp.off;
	}
	return r;
}

/* ---- the table ------------------------------------------------------------ */
static __attribute__((noinline)) rule miss(uintptr_t pc)
{
	uint32_t i = slot_of(pc), probe;
	int prev = mt_guard_enter();
	rule r = compute(pc);
	mt_guard_leave(prev);
	for (probe = 0; probe < MAX_PROBE; probe++, i = (i + 1) & (CACHE_SLOTS - 1)) {
		uint64_t k = __atomic_load_n(&cache[i].pc, __ATOMIC_ACQUIRE);
		if (!k && __atomic_compare_exchange_n(&cache[i].pc, &k, (uint64_t)pc, 0,
						      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			k = pc;
		if (k == pc) {
			__atomic_store_n(&cache[i].rule, r.bits, __ATOMIC_RELEASE);
			break;
		}
	}
	return r; /* a full neighbourhood: not kept, still right */
}

static inline rule lookup_shared(uintptr_t pc)
{
	uint32_t i = slot_of(pc), probe;
	rule r;
	for (probe = 0; probe < MAX_PROBE; probe++, i = (i + 1) & (CACHE_SLOTS - 1)) {
		uint64_t k = __atomic_load_n(&cache[i].pc, __ATOMIC_ACQUIRE);
		if (k == pc) {
			r.bits = __atomic_load_n(&cache[i].rule, __ATOMIC_ACQUIRE);
			if (r.bits)
				return r;
			break;
		}
		if (!k)
			break;
	}
	return miss(pc);
}

static inline rule lookup(uintptr_t pc)
{
	slot *e = &l1.s[(pc ^ (pc >> 8)) & (L1_SLOTS - 1)];
	rule r;
	if (e->pc == pc) {
		r.bits = e->rule;
		return r;
	}
	r = lookup_shared(pc);
	e->pc = pc;
	e->rule = r.bits;
	return r;
}

/* ---- the walk ------------------------------------------------------------- */
static inline int on_stack(uintptr_t a, uintptr_t lo, uintptr_t hi)
{
	return a >= lo && a <= hi - sizeof(uintptr_t) && !(a & 7);
}

unsigned mt_unwind_eh(uintptr_t *out, unsigned max, uintptr_t pc, uintptr_t sp, uintptr_t fp,
		      uintptr_t lo, uintptr_t hi, uintptr_t first)
{
	unsigned n = 0, skipped = 0;
	if (!cache || lo >= hi || sp < lo || sp >= hi)
		return 0; /* unknown bounds or another stack: the general unwinder */
	if (__builtin_expect(!!(l1.gen != __atomic_load_n(&cache_gen, __ATOMIC_ACQUIRE)), 0)) {
		memset(l1.s, 0, sizeof(l1.s));
		l1.gen = __atomic_load_n(&cache_gen, __ATOMIC_ACQUIRE);
	}
	while (n < max) {
		rule r;
		uintptr_t cfa, at;
		/* The tracker's own frames are walked, not kept. */
		if (n || pc == first) {
			out[n++] = pc;
			if (n == max)
				break;
		} else if (++skipped > MT_MAX_OWN_FRAMES) {
			return 0;
		}
		r = lookup(pc);
		switch (r.f.kind) {
		case K_CFA_RSP: cfa = sp + (intptr_t)r.f.cfa_off; break;
		case K_CFA_RBP: cfa = fp + (intptr_t)r.f.cfa_off; break;
		case K_CFA_DEREF:
			at = fp + (intptr_t)r.f.cfa_off;
			if (!on_stack(at, lo, hi))
				return n;
			cfa = *(const uintptr_t *)at;
			break;
		case K_END: return n; /* 0 before first: the general unwinder */
		default: return 0;
		}
		/* The caller's frame is above this one, inside the stack. */
		at = cfa + 8 * (intptr_t)r.f.ra_off;
		if (cfa <= sp || cfa > hi || !on_stack(at, lo, hi))
			return n;
		if (r.f.rbp == RBP_AT_CFA || r.f.rbp == RBP_AT_RBP) {
			uintptr_t a = (r.f.rbp == RBP_AT_CFA ? cfa : fp) + (intptr_t)r.f.rbp_off;
			if (!on_stack(a, lo, hi))
				return n;
			fp = *(const uintptr_t *)a;
		}
		pc = *(const uintptr_t *)at;
		sp = cfa;
		if (pc < 4096)
			break;
	}
	return n;
}

#else /* another machine: backtrace() does every stack */

int mt_unwind_init(void)
{
	return 0;
}

unsigned mt_unwind_eh(uintptr_t *out, unsigned max, uintptr_t pc, uintptr_t sp, uintptr_t fp,
		      uintptr_t lo, uintptr_t hi, uintptr_t first)
{
	(void)out, (void)max, (void)pc, (void)sp, (void)fp, (void)lo, (void)hi, (void)first;
	return 0;
}

#endif
