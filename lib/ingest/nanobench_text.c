/*
 * nanobench's text outputs: the console table it prints by default and its
 * templates::csv(). Both name a result "title / name", as the JSON reader
 * (nanobench.c) does, so one benchmark keeps one series whichever output a
 * project records.
 *
 * Console (ankerl::nanobench::Bench::output):
 *
 *   | relative |  ns/op |   op/s |  err% | ins/op | cyc/op | IPC | bra/op | miss% | total | TITLE
 *   |---------:|-------:|-------:|------:|-------:|-------:|----:|-------:|------:|------:|:-----
 *   |   100.0% |   4.66 | 214,597,877.07 | 0.5% | ... |  0.01 | `NAME`
 *
 * "relative" and "complexityN" are optional, the counter columns are left out
 * when perf_event_open failed, and the time unit is timeUnit()'s name (ns by
 * default). The headline value is the time column (a median per unit); the
 * counters per unit become instructions, cpucycles and branches. A row
 * marked :wavy_dash: (unstable) is recorded with a warning; one whose cells
 * are "-" (:boom:, nothing measured) is warned about and not recorded. The
 * complexity fit that follows a complexityN table ("coefficient | err% |
 * complexity") is not a measurement and is skipped.
 *
 * CSV (templates::csv()): a header "title";"name";"unit";"batch";"elapsed";
 * "error %";"instructions";"branches";"branch misses";"total", every text
 * field quoted, ';'-separated. elapsed is the median time of one batch in
 * seconds, so time per unit is elapsed / batch; the counters likewise. When
 * perf_event_open failed nanobench writes 0 for every counter, which is not a
 * measurement: counters are recorded only when one of them is non-zero.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/reader.h"
#include "ingest/textpos.h"
#include "util/error.h"

#define MAXCELLS 32

typedef struct cell {
	const char *s; /* trimmed text, not NUL-terminated */
	size_t n;
	size_t off; /* byte offset in the line of the cell's first character */
} cell;

typedef struct text {
	const char *data, *name;
	size_t len, pos;
	int line;
	const char *cur; /* the current line, without \r\n */
	size_t curlen;
} text;

static bool next_line(text *t)
{
	const char *nl;
	if (t->pos >= t->len)
		return false;
	t->cur = t->data + t->pos;
	nl = memchr(t->cur, '\n', t->len - t->pos);
	t->curlen = nl ? (size_t)(nl - t->cur) : t->len - t->pos;
	t->pos += t->curlen + (nl ? 1 : 0);
	if (t->curlen && t->cur[t->curlen - 1] == '\r')
		t->curlen--;
	t->line++;
	return true;
}

static int col(const text *t, size_t off)
{
	return perfdb_ingest__columns(t->cur, off) + 1;
}

static int fail_at(const text *t, size_t off, const char *what)
{
	return perfdb_error__input(PERFDB_EINPUT, t->name, t->line, col(t, off), NULL, "%s", what);
}

/*
 * The names read so far, for the duplicate check, as references into the
 * input rather than copies: a file of a million rows would otherwise hold a
 * copy of every name and an index entry for it besides, about as much again
 * as the file. A slot holds the offset of the row's line + 1 in its low 40
 * bits and 24 more bits of the name's hash above; the reader makes a row's
 * name again from its line (name_at) only when those bits agree. The table
 * is sized once, for every line that can be a row, at a load of at most 3/4:
 * about 11 bytes a row, and pages of it no row reached are never touched.
 */
typedef struct seen {
	uint64_t *slots;
	size_t cap;
} seen;

#define SEEN_OFF_BITS 40
#define SEEN_OFF_MASK ((UINT64_C(1) << SEEN_OFF_BITS) - 1)

/* Room for `rows` names of an input of len bytes. */
static int seen_init(seen *s, size_t rows, size_t len)
{
	s->cap = rows + rows / 3 + 1;
	if (len >= SEEN_OFF_MASK || s->cap > UINT32_MAX ||
	    !(s->slots = calloc(s->cap, sizeof(*s->slots))))
		return perfdb_error__oom();
	return 0;
}

static void seen_release(seen *s)
{
	free(s->slots);
}

/* The name of the row whose line starts at off, into the reader's buffer. */
typedef int (*name_at_fn)(void *ctx, size_t off, const char **name, size_t *len);

/*
 * Adds the name (n bytes) of the row whose line starts at off: 0, or 1 with
 * *first the offset of the line that has it already, or an error. Never more
 * rows than seen_init was told.
 */
static int seen_add(seen *s, const char *name, size_t n, size_t off, name_at_fn name_at, void *ctx,
		    size_t *first)
{
	uint64_t h = perfdb_ingest__hash_pair(name, ""), tag = (h & 0xffffff) << SEEN_OFF_BITS;
	size_t j = (size_t)(((h >> 32) * (uint64_t)s->cap) >> 32);
	for (; s->slots[j]; j = j + 1 == s->cap ? 0 : j + 1) {
		const char *other;
		size_t olen, at = (size_t)(s->slots[j] & SEEN_OFF_MASK) - 1;
		int err;
		if ((s->slots[j] & ~SEEN_OFF_MASK) != tag)
			continue;
		if ((err = name_at(ctx, at, &other, &olen)))
			return err;
		if (olen == n && memcmp(other, name, n) == 0) {
			*first = at;
			return 1;
		}
	}
	s->slots[j] = tag | ((uint64_t)off + 1);
	return 0;
}

/* The line number of the line that starts at off. */
static size_t line_of(const char *data, size_t off)
{
	return 1 + perfdb_ingest__newlines(data, off);
}

/* The number of lines of data[from, len) that begin with c, or, when c is
 * '\0', that hold anything besides their line end. */
static size_t count_lines(const char *data, size_t len, size_t from, char c)
{
	size_t n = 0, i = from;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - data) : len;
		if (c ? data[i] == c && e > i : e > i && !(e == i + 1 && data[i] == '\r'))
			n++;
		i = e + 1;
	}
	return n;
}

/* A console number: "214,597,877.07", "0.5%" (pct), never "nan" or "-". */
static int console_number(const cell *c, bool pct, double *out)
{
	char buf[64];
	size_t i, k = 0, n = c->n;
	if (pct && n && c->s[n - 1] == '%')
		n--;
	for (i = 0; i < n; i++) {
		if (c->s[i] == ',' && i > 0 && i + 1 < n)
			continue;
		if (k + 1 >= sizeof(buf))
			return -1;
		buf[k++] = c->s[i];
	}
	buf[k] = '\0';
	return perfdb_ingest__number(buf, out) == 0 && isfinite(*out) ? 0 : -1;
}

/* Splits "| a | b | c" into trimmed cells; the text after the last '|' is the
 * last cell. Returns the number of cells, or -1 when there are too many. */
static int split_row(const text *t, cell *cells)
{
	size_t i = 1, start;
	int n = 0;
	while (i <= t->curlen) {
		start = i;
		while (i < t->curlen && t->cur[i] != '|')
			i++;
		if (n == MAXCELLS)
			return -1;
		{
			size_t a = start, b = i;
			while (a < b && (t->cur[a] == ' ' || t->cur[a] == '\t'))
				a++;
			while (b > a && (t->cur[b - 1] == ' ' || t->cur[b - 1] == '\t'))
				b--;
			cells[n].s = t->cur + a;
			cells[n].n = b - a;
			cells[n].off = a;
			n++;
		}
		i++;
	}
	return n;
}

static bool cell_is(const cell *c, const char *s)
{
	return c->n == strlen(s) && memcmp(c->s, s, c->n) == 0;
}

/* "ns/op" -> the time unit, "ns"; NULL when the header is not a time per unit. */
static const char *time_unit(const cell *c)
{
	static const char *const units[] = {"ns", "us", "\xc2\xb5s", "ms", "s"};
	size_t i, k;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		k = strlen(units[i]);
		if (c->n > k + 1 && memcmp(c->s, units[i], k) == 0 && c->s[k] == '/')
			return units[i];
	}
	return NULL;
}

enum { COL_TIME, COL_INS, COL_CYC, COL_BRA, NCOLS };
static const char *const col_metric[NCOLS] = {"time", "instructions", "cpucycles", "branches"};

/* A table's title: the text of its header's last cell, in the input. */
typedef struct table_title {
	size_t line; /* the offset of the header's line */
	const char *s;
	size_t n;
} table_title;

typedef struct console {
	text t;
	perfdb_resultset *rs;
	seen names;
	table_title *titles; /* of every table so far, in file order */
	size_t ntitles, captitles;
	char *full, *other; /* the current row's name; an earlier row's (name_at) */
	size_t fullcap, othercap;
	bool more; /* whether read_table stopped at a line after its table */
} console;

/* "title / name" into *buf (grown to fit), name the text between the row's
 * backquotes. */
static int console_full(const table_title *ti, const char *name, size_t n, char **buf, size_t *cap,
			size_t *len)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)buf, cap, ti->n + n + 4, 1)))
		return err;
	memcpy(*buf, ti->s, ti->n);
	memcpy(*buf + ti->n, " / ", 3);
	memcpy(*buf + ti->n + 3, name, n);
	*len = ti->n + n + 3;
	(*buf)[*len] = '\0';
	return 0;
}

/* The row's cell with its name, and that name (between its backquotes):
 * 0, or -1 when the name is not in backquotes. */
static int row_name(const cell *namec, const char **p, const char **q)
{
	*p = memchr(namec->s, '`', namec->n);
	*q = *p ? memchr(*p + 1, '`', namec->n - (size_t)(*p + 1 - namec->s)) : NULL;
	return *q ? 0 : -1;
}

static int console_name_at(void *ctx, size_t off, const char **name, size_t *len)
{
	console *x = ctx;
	cell cells[MAXCELLS];
	const char *p, *q;
	size_t lo = 0, hi = x->ntitles;
	text t;
	int n, err;
	/* the row's table: the last whose header is before it */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->titles[mid].line < off)
			lo = mid;
		else
			hi = mid;
	}
	memset(&t, 0, sizeof(t));
	t.data = x->t.data;
	t.len = x->t.len;
	t.pos = off;
	next_line(&t); /* a row read before: it has its cells and its name */
	n = split_row(&t, cells);
	row_name(&cells[n - 1], &p, &q);
	if ((err = console_full(&x->titles[lo], p + 1, (size_t)(q - p - 1), &x->other, &x->othercap,
				len)))
		return err;
	*name = x->other;
	return 0;
}

static int read_row(console *x, const table_title *ti, int ncells, const int *where,
		    const char *tunit)
{
	text *t = &x->t;
	cell cells[MAXCELLS];
	const cell *namec;
	const char *p, *q;
	char *full;
	double v[NCOLS];
	size_t found = 0, nfull;
	bool unstable = false, boom = false;
	int i, err;

	if (split_row(t, cells) != ncells)
		return fail_at(t, 0, "expected a row with as many cells as the table's header");
	namec = &cells[ncells - 1];
	p = namec->s;
	if (namec->n >= 12 && memcmp(p, ":wavy_dash: ", 12) == 0)
		unstable = true;
	if (namec->n >= 7 && memcmp(p, ":boom: ", 7) == 0)
		boom = true;
	if (row_name(namec, &p, &q) < 0)
		return fail_at(t, namec->off, "expected the benchmark's name in backquotes");
	if ((err = console_full(ti, p + 1, (size_t)(q - p - 1), &x->full, &x->fullcap, &nfull)))
		return err;
	full = x->full;
	if ((err = seen_add(&x->names, full, nfull, (size_t)(t->cur - t->data), console_name_at, x,
			    &found)) != 0) {
		char msg[300];
		if (err < 0)
			return err;
		snprintf(msg, sizeof(msg), "'%.200s' is also on line %zu", full,
			 line_of(t->data, found));
		return fail_at(t, (size_t)(p + 1 - t->cur), msg);
	}
	if (boom)
		return perfdb_resultset_warn(
		    x->rs, "%s:%d:%d: benchmark '%s'%.*s; not recorded", t->name, t->line,
		    col(t, namec->off), full,
		    (int)(q + 1 < namec->s + namec->n ? namec->s + namec->n - (q + 1) : 0), q + 1);
	for (i = 0; i < NCOLS; i++) {
		v[i] = NAN;
		if (where[i] < 0)
			continue;
		if (console_number(&cells[where[i]], false, &v[i]) < 0)
			return fail_at(t, cells[where[i]].off,
				       i == COL_TIME ? "expected a time per unit"
						     : "expected a count per unit");
	}
	if (unstable &&
	    (err = perfdb_resultset_warn(x->rs, "%s:%d:%d: benchmark '%s' is marked unstable%.*s",
					 t->name, t->line, col(t, namec->off), full,
					 (int)(namec->s + namec->n - (q + 1)), q + 1)))
		return err;
	for (i = 0; i < NCOLS; i++) {
		perfdb_result r;
		if (isnan(v[i]))
			continue;
		perfdb_result_init(&r);
		r.benchmark = full;
		r.metric = col_metric[i];
		r.unit = i == COL_TIME ? tunit : "";
		r.direction = PERFDB_LOWER_IS_BETTER;
		r.value = v[i];
		if (!perfdb_ingest__fits_unit(&r))
			return fail_at(t, cells[where[i]].off,
				       "the time does not fit a double in ns");
		if ((err = perfdb_resultset_add(x->rs, &r)))
			return perfdb_ingest__placed(err, t->name, t->line, col(t, namec->off));
	}
	return 0;
}

/* One table: t->cur is its header. Leaves t at the line after the table. */
static int read_table(console *x)
{
	text *t = &x->t;
	cell cells[MAXCELLS];
	int where[NCOLS], n, i, err;
	const char *tunit = NULL;
	table_title *ti;
	bool complexity = false;

	if ((n = split_row(t, cells)) < 0)
		return fail_at(t, 0, "too many columns for a nanobench table");
	for (i = 0; i < NCOLS; i++)
		where[i] = -1;
	for (i = 0; i + 1 < n; i++) {
		const cell *c = &cells[i];
		const char *slash = memchr(c->s, '/', c->n);
		if (cell_is(c, "coefficient"))
			complexity = true;
		else if (where[COL_TIME] < 0 && (tunit = time_unit(c)))
			where[COL_TIME] = i;
		else if (slash && slash - c->s == 3 && memcmp(c->s, "ins", 3) == 0)
			where[COL_INS] = i;
		else if (slash && slash - c->s == 3 && memcmp(c->s, "cyc", 3) == 0)
			where[COL_CYC] = i;
		else if (slash && slash - c->s == 3 && memcmp(c->s, "bra", 3) == 0)
			where[COL_BRA] = i;
	}
	if (!complexity && where[COL_TIME] < 0)
		return fail_at(t, 0,
			       "expected a nanobench table header with a time per unit column "
			       "(ns/op)");
	if ((err = perfdb_ingest__grow((void **)&x->titles, &x->captitles, x->ntitles + 1,
				       sizeof(*x->titles))))
		return err;
	ti = &x->titles[x->ntitles++];
	ti->line = (size_t)(t->cur - t->data);
	ti->s = cells[n - 1].s;
	ti->n = cells[n - 1].n;
	if (!next_line(t) || t->curlen < 2 || t->cur[0] != '|' ||
	    (t->cur[1] != '-' && t->cur[1] != ':'))
		return perfdb_error__input(PERFDB_EINPUT, t->name, t->line, 1, NULL,
					   "expected the table's |---| line after its header");
	while ((x->more = next_line(t)) && t->curlen && t->cur[0] == '|') {
		if (complexity)
			continue;
		if ((err = read_row(x, ti, n, where, tunit)))
			return err;
	}
	return 0;
}

int perfdb_ingest__nanobench_console(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name)
{
	console x;
	bool tables = false;
	int err;

	memset(&x, 0, sizeof(x));
	x.t.data = data;
	x.t.len = len;
	x.t.name = name;
	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	if ((err = seen_init(&x.names, count_lines(data, len, 0, '|'), len)))
		return err;
	if ((err = perfdb_resultset_new(&x.rs)))
		goto done;
	if ((err = perfdb_resultset_set_meta(x.rs, PERFDB_META_SOURCE, "nanobench")))
		goto done;
	/* final as made: on to rs's sink a batch at a time (gotest.c) */
	perfdb_resultset__stream_into(x.rs, rs);
	if (!next_line(&x.t))
		goto none;
	for (;;) {
		if (x.t.curlen && x.t.cur[0] == '|') {
			tables = true;
			if ((err = read_table(&x)))
				goto done;
			if (!x.more)
				break;
			continue; /* t->cur is the line after the table */
		}
		if (!next_line(&x.t))
			break;
	}
	if (!tables) {
	none:
		err =
		    perfdb_error__input(PERFDB_EINPUT, name, 1, 1, NULL,
					"no nanobench table (a '| ns/op | op/s | err%% |' header)");
		goto done;
	}
	err = perfdb_resultset_merge(rs, x.rs);
done:
	seen_release(&x.names);
	free(x.titles);
	free(x.full);
	free(x.other);
	perfdb_resultset_free(x.rs);
	return err;
}

/* --- CSV ------------------------------------------------------------------- */

/* One ';'-separated field at t->cur + *off: quoted ("" is a quote) or bare.
 * Copies it, NUL-terminated, to *dst (moved past it), sets *out to the copy
 * and moves *off past the separator. A line's fields fit in curlen + their
 * number bytes. */
static int csv_field(const text *t, size_t *off, char **dst, const char **out, size_t *start)
{
	size_t i = *off;
	char *s = *dst, *d = s;
	*start = i;
	if (i < t->curlen && t->cur[i] == '"') {
		for (i++;; i++) {
			if (i >= t->curlen)
				return fail_at(t, *start, "unterminated quoted field");
			if (t->cur[i] == '"') {
				if (i + 1 < t->curlen && t->cur[i + 1] == '"') {
					*d++ = '"';
					i++;
					continue;
				}
				i++;
				break;
			}
			*d++ = t->cur[i];
		}
		if (i < t->curlen && t->cur[i] != ';')
			return fail_at(t, i, "expected ';' after a quoted field");
	} else {
		const char *semi = memchr(t->cur + i, ';', t->curlen - i);
		size_t n = (semi ? (size_t)(semi - t->cur) : t->curlen) - i;
		memcpy(d, t->cur + i, n);
		d += n;
		i += n;
	}
	*d++ = '\0';
	*dst = d;
	*off = i + 1;
	*out = s;
	return 0;
}

enum { F_TITLE, F_NAME, F_UNIT, F_BATCH, F_ELAPSED, F_INS, F_BRA, F_MISS, NFIELDS };
static const char *const csv_names[NFIELDS] = {
    "title", "name", "unit", "batch", "elapsed", "instructions", "branches", "branch misses"};
static const char *const csv_metric[NFIELDS] = {NULL, NULL,	      NULL,	  NULL,
						NULL, "instructions", "branches", "branchmisses"};

/* Reads the current line into at most MAXCELLS fields, copied into *buf
 * (grown to fit; the caller frees it). */
static int csv_line(const text *t, char **buf, size_t *cap, const char **f, size_t *offs, int *n)
{
	size_t off = 0;
	char *d;
	int err;
	if ((err = perfdb_ingest__grow((void **)buf, cap, t->curlen + MAXCELLS + 1, 1)))
		return err;
	d = *buf;
	*n = 0;
	while (off <= t->curlen) {
		if (*n == MAXCELLS)
			return fail_at(t, off, "too many fields for nanobench's CSV");
		if ((err = csv_field(t, &off, &d, &f[*n], &offs[*n])))
			return err;
		(*n)++;
	}
	return 0;
}

/* What the CSV reader's name_at needs: the input, where the title and name
 * columns are, and buffers of its own (the current row's fields are still in
 * use when an earlier row's name is made again). */
typedef struct csv_names {
	const char *data;
	size_t len;
	int title, bench;
	char *line, *full;
	size_t linecap, fullcap;
} csv_rows;

/* "title / name" from the fields f into *full (grown to fit). */
static int csv_full(const char *const *f, int tcol, int bcol, char **full, size_t *cap, size_t *n)
{
	size_t ntitle = strlen(f[tcol]), nbench = strlen(f[bcol]);
	int err;
	if ((err = perfdb_ingest__grow((void **)full, cap, ntitle + nbench + 4, 1)))
		return err;
	memcpy(*full, f[tcol], ntitle);
	memcpy(*full + ntitle, " / ", 3);
	memcpy(*full + ntitle + 3, f[bcol], nbench + 1);
	*n = ntitle + nbench + 3;
	return 0;
}

static int csv_name_at(void *ctx, size_t off, const char **name, size_t *len)
{
	csv_rows *c = ctx;
	const char *f[MAXCELLS];
	size_t offs[MAXCELLS];
	text t;
	int n, err;
	memset(&t, 0, sizeof(t));
	t.data = c->data;
	t.len = c->len;
	t.pos = off;
	next_line(&t); /* a row read before: it has its fields */
	if ((err = csv_line(&t, &c->line, &c->linecap, f, offs, &n)) ||
	    (err = csv_full(f, c->title, c->bench, &c->full, &c->fullcap, len)))
		return err;
	*name = c->full;
	return 0;
}

int perfdb_ingest__nanobench_csv(perfdb_resultset *rs, const char *data, size_t len,
				 const char *name)
{
	text t;
	perfdb_resultset *own_rs = NULL;
	seen names = {NULL, 0};
	csv_rows other;
	const char *f[MAXCELLS];
	char *line = NULL, *full = NULL;
	size_t offs[MAXCELLS], linecap = 0, fullcap = 0, nresults = 0;
	int where[NFIELDS], n, k, err, ncols;

	memset(&t, 0, sizeof(t));
	memset(&other, 0, sizeof(other));
	t.data = data;
	t.len = len;
	t.name = name;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		t.pos = 3;
	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	if (!next_line(&t))
		return perfdb_error__input(PERFDB_EINPUT, name, 1, 1, NULL, "no header");
	if ((err = csv_line(&t, &line, &linecap, f, offs, &ncols)))
		goto done;
	for (k = 0; k < NFIELDS; k++) {
		where[k] = -1;
		for (n = 0; n < ncols; n++)
			if (strcmp(f[n], csv_names[k]) == 0)
				where[k] = n;
		if (where[k] < 0 && k <= F_ELAPSED) {
			err = perfdb_error__input(
			    PERFDB_EINPUT, name, t.line, 1, NULL,
			    "expected nanobench's CSV header with a \"%s\" column", csv_names[k]);
			goto done;
		}
	}
	other.data = data;
	other.len = len;
	other.title = where[F_TITLE];
	other.bench = where[F_NAME];
	if ((err = seen_init(&names, count_lines(data, len, t.pos, '\0'), len)) ||
	    (err = perfdb_resultset_new(&own_rs)) ||
	    (err = perfdb_resultset_set_meta(own_rs, PERFDB_META_SOURCE, "nanobench")))
		goto done;
	/* final as made: on to rs's sink a batch at a time (gotest.c) */
	perfdb_resultset__stream_into(own_rs, rs);
	while (next_line(&t)) {
		double v[NFIELDS];
		bool counters = false;
		size_t nfull, first = 0;
		perfdb_result r;

		if (t.curlen == 0)
			continue;
		if ((err = csv_line(&t, &line, &linecap, f, offs, &n)))
			goto done;
		if (n != ncols) {
			err = fail_at(&t, 0, "expected as many fields as the header has");
			goto done;
		}
		for (k = F_BATCH; k < NFIELDS; k++) {
			v[k] = NAN;
			if (where[k] < 0)
				continue;
			if (perfdb_ingest__number(f[where[k]], &v[k]) != 0 || !isfinite(v[k]) ||
			    v[k] < 0 || (k == F_BATCH && !(v[k] >= 1))) {
				err = fail_at(&t, offs[where[k]],
					      k == F_BATCH ? "expected a batch size of at least 1"
					      : k == F_ELAPSED ? "expected a time in seconds"
							       : "expected a count");
				goto done;
			}
			if (k > F_ELAPSED && v[k] > 0)
				counters = true;
		}
		/* "title / name" */
		if ((err = csv_full(f, where[F_TITLE], where[F_NAME], &full, &fullcap, &nfull)))
			goto done;
		if ((err = seen_add(&names, full, nfull, (size_t)(t.cur - data), csv_name_at,
				    &other, &first)) != 0) {
			char msg[300];
			if (err < 0)
				goto done;
			snprintf(msg, sizeof(msg), "'%.200s' is also on line %zu", full,
				 line_of(data, first));
			err = fail_at(&t, 0, msg);
			goto done;
		}
		perfdb_result_init(&r);
		r.benchmark = full;
		r.metric = "time";
		r.unit = "s";
		r.direction = PERFDB_LOWER_IS_BETTER;
		r.value = v[F_ELAPSED] / v[F_BATCH];
		if ((err = perfdb_resultset_add(own_rs, &r)))
			goto refused;
		nresults++;
		for (k = F_INS; counters && k < NFIELDS; k++) {
			if (isnan(v[k]))
				continue;
			perfdb_result_init(&r);
			r.benchmark = full;
			r.metric = csv_metric[k];
			r.direction = PERFDB_LOWER_IS_BETTER;
			r.value = v[k] / v[F_BATCH];
			if ((err = perfdb_resultset_add(own_rs, &r)))
				goto refused;
		}
	}
	if (nresults == 0 &&
	    (err = perfdb_resultset_warn(own_rs, "%s:%d:1: no results in the file", name, t.line)))
		goto done;
	err = perfdb_resultset_merge(rs, own_rs);
	goto done;
refused: /* a result the resultset did not take: at its row's title */
	err = perfdb_ingest__placed(err, name, t.line, col(&t, offs[where[F_TITLE]]));
done:
	seen_release(&names);
	free(other.line);
	free(other.full);
	free(line);
	free(full);
	perfdb_resultset_free(own_rs);
	return err;
}
