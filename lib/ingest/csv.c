/*
 * CSV with a header row (RFC 4180): quoted fields with embedded commas,
 * doubled quotes and line breaks, CRLF or LF line ends, an optional UTF-8
 * byte order mark. Unquoted fields are trimmed of spaces and tabs, because
 * hand-written "benchmark, value" is common and a space is never meant.
 *
 * One file is one run, so run metadata (commit, branch, machine) has no
 * column. Rows that repeat a (benchmark, metric) pair are the repetitions of
 * one measurement and become the samples of one result: that is how a shell
 * loop appending one line per run naturally writes them.
 *
 * Unknown columns are an error naming the column (a misspelt "vaule" column
 * must not turn into silently missing data); columns whose name starts with
 * "x-" are ignored, for producers that carry their own data.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/reader.h"
#include "ingest/window.h"
#include "util/error.h"

enum {
	C_BENCHMARK,
	C_METRIC,
	C_UNIT,
	C_DIRECTION,
	C_VALUE,
	C_N,
	C_MEAN,
	C_MEDIAN,
	C_STDDEV,
	C_MIN,
	C_MAX,
	C_COUNT_,
	C_IGNORED = -1
};

static const char *const column_names[C_COUNT_] = {"benchmark", "metric", "unit", "direction",
						   "value",	"n",	  "mean", "median",
						   "stddev",	"min",	  "max"};

#define FIRST_STAT C_N
#define NSTATS	   (C_COUNT_ - FIRST_STAT)

typedef struct field {
	size_t off, len; /* into csv.buf, NUL-terminated there */
	int line, column;
} field;

/* A (benchmark, metric) that may be on more than one row (pass 2). */
typedef struct group {
	size_t key;	/* "benchmark\0metric\0unit" in csv.names */
	double *values; /* every row's value, once there are two */
	double first;	/* the first row's */
	uint32_t n, cap;
	int line; /* of the first row */
	signed char direction;
	bool has_stats;
} group;

typedef struct csv {
	/* The input (window.h): every offset below counts from its first
	 * byte. A file is read through a window, which keeps the bytes from
	 * col_pos on. */
	perfdb_ingest_window in;
	const char *name;
	size_t pos, line_start;
	int line;
	/* Columns are counted once: col_count characters lie between line_start
	 * and col_pos, so a position is found from the last one, not from the
	 * start of the line (80,000 fields took 11 s). */
	size_t col_pos;
	int col_count;
	char *buf; /* the current record's fields, unescaped */
	size_t buflen, bufcap;
	field *fields;
	size_t nfields, capfields;
	int map[64]; /* header: field index -> column, for the first 64 fields */
	int *map_heap;
	size_t ncolumns;
	int header_line;
	int where[C_COUNT_];		 /* column -> field index, -1 when absent */
	perfdb_ingest_fingerprints seen; /* pass 1: every key; then those seen twice */
	group *groups;			 /* pass 2: the keys that may repeat */
	size_t ngroups, capgroups;
	uint64_t *slots; /* groups by key: the hash's top half, group + 1 */
	size_t nslots;
	char *names; /* the groups' keys */
	size_t namelen, namecap;
	size_t singles; /* rows whose key is on no other row */
	/* pass 2 to 3: a bit a row (from 0, blank lines not counted), set for
	 * the later rows of a group, which pass 3 skips; maxrows bits */
	unsigned char *later;
	size_t maxrows;
} csv;

/* One data row, checked (its strings are the current record's). */
typedef struct row {
	const char *bench, *metric, *unit, *dirtext;
	perfdb_direction dir;
	double value, stats[NSTATS];
	bool has_stats;
	int line;
	size_t index; /* among the rows, from 0 */
} row;

/* --- the input ----------------------------------------------------------------------- */

static inline char at(const csv *c, size_t off)
{
	return *perfdb_ingest__window_at(&c->in, off);
}

static inline const char *ptr(const csv *c, size_t off)
{
	return perfdb_ingest__window_at(&c->in, off);
}

static int changed(const csv *c)
{
	return perfdb_ingest__window_changed(&c->in);
}

/* Whether the byte at off (pos or just after) is there, reading on. */
static inline bool have(csv *c, size_t off)
{
	return perfdb_ingest__window_have(&c->in, off, c->col_pos);
}

/* Back to the input's start, for another pass. */
static void rewind_input(csv *c)
{
	perfdb_ingest__window_rewind(&c->in);
	c->pos = c->line_start = c->col_pos = 0;
	c->col_count = 0;
	c->line = 1;
	c->ncolumns = 0;
	free(c->map_heap);
	c->map_heap = NULL;
	if (have(c, 2) && memcmp(ptr(c, 0), "\xEF\xBB\xBF", 3) == 0)
		c->pos = c->line_start = c->col_pos = 3;
}

/* --- records ------------------------------------------------------------------------- */

static int *column_map(csv *c)
{
	return c->map_heap ? c->map_heap : c->map;
}

static int column_of(const csv *c, size_t i)
{
	return c->map_heap ? c->map_heap[i] : c->map[i];
}

static const char *field_text(const csv *c, size_t i)
{
	return c->buf + c->fields[i].off;
}

static int fail_at(const csv *c, int line, int column, const char *fieldname, const char *fmt, ...)
    PERFDB_PRINTF(5, 6);

/* An input error; or, after a failed read, that read's error (the text
 * seemed to end there). */
static int fail_at(const csv *c, int line, int column, const char *fieldname, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	if (c->in.ioerr)
		return c->in.ioerr;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return perfdb_error__input(PERFDB_EINPUT, c->name, line, column, fieldname, "%s", what);
}

/* The column name of field i of a row, for errors; NULL while reading the header. */
static const char *field_name(const csv *c, size_t i)
{
	int col;
	if (!c->ncolumns || i >= c->ncolumns)
		return NULL;
	col = column_of(c, i);
	return col >= 0 ? column_names[col] : NULL;
}

static int column_here(csv *c)
{
	if (c->col_pos < c->line_start || c->col_pos > c->pos) {
		c->col_pos = c->line_start;
		c->col_count = 0;
	}
	c->col_count += perfdb_ingest__columns(ptr(c, c->col_pos), c->pos - c->col_pos);
	c->col_pos = c->pos;
	return c->col_count + 1;
}

static int put(csv *c, const char *s, size_t n)
{
	if (c->buflen + n + 1 > c->bufcap) {
		size_t cap = c->bufcap ? c->bufcap : 256;
		char *b;
		while (cap < c->buflen + n + 1)
			cap *= 2;
		if (!(b = realloc(c->buf, cap)))
			return perfdb_error__oom();
		c->buf = b;
		c->bufcap = cap;
	}
	memcpy(c->buf + c->buflen, s, n);
	c->buflen += n;
	return 0;
}

static void newline(csv *c)
{
	c->line++;
	c->line_start = c->pos;
	c->col_pos = c->pos;
	c->col_count = 0;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* What ends an unquoted field (a quote there is an error). */
static inline bool ends_unquoted(char ch)
{
	return ch == ',' || ch == '\n' || ch == '\r' || ch == '"';
}

/* Reads one field at c->pos into buf; leaves c->pos on the separator. */
static int read_field(csv *c, size_t index)
{
	field f;
	int err;
	char ch;

	f.line = c->line;
	f.column = column_here(c);
	f.off = c->buflen;
	while (have(c, c->pos) && blank(at(c, c->pos)))
		c->pos++;
	if (have(c, c->pos) && at(c, c->pos) == '"') {
		f.column = column_here(c);
		c->pos++;
		for (;;) {
			size_t run = c->pos;
			if (!have(c, c->pos))
				return fail_at(c, f.line, f.column, field_name(c, index),
					       "a quoted field is not closed (it opens here)");
			while (have(c, c->pos) && (ch = at(c, c->pos)) != '"' && ch != '\n' &&
			       ch != '\r')
				c->pos++;
			if ((err = put(c, ptr(c, run), c->pos - run)))
				return err;
			if (!have(c, c->pos))
				continue;
			if (at(c, c->pos) == '"') {
				if (have(c, c->pos + 1) && at(c, c->pos + 1) == '"') {
					if ((err = put(c, "\"", 1)))
						return err;
					c->pos += 2;
					continue;
				}
				c->pos++;
				break;
			}
			/* A line break inside quotes is data; keep it as written. */
			if (at(c, c->pos) == '\r' && have(c, c->pos + 1) &&
			    at(c, c->pos + 1) == '\n') {
				if ((err = put(c, "\r\n", 2)))
					return err;
				c->pos += 2;
			} else {
				if ((err = put(c, ptr(c, c->pos), 1)))
					return err;
				c->pos++;
			}
			newline(c);
		}
		while (have(c, c->pos) && blank(at(c, c->pos)))
			c->pos++;
		if (have(c, c->pos) && (ch = at(c, c->pos)) != ',' && ch != '\n' && ch != '\r')
			return fail_at(c, c->line, column_here(c), field_name(c, index),
				       "unexpected text after a closing quote (a quote inside a "
				       "field is written \"\")");
	} else {
		size_t start = c->pos, end;
		/* on to a separator, a line end or a quote, a window at a time */
		while (have(c, c->pos)) {
			const char *p = ptr(c, c->pos), *e = ptr(c, c->in.end);
			while (p < e && !ends_unquoted(*p))
				p++;
			c->pos += (size_t)(p - ptr(c, c->pos));
			if (p < e)
				break;
		}
		if (have(c, c->pos) && at(c, c->pos) == '"')
			return fail_at(c, c->line, column_here(c), field_name(c, index),
				       "a quote inside an unquoted field (quote the whole "
				       "field and double the quote)");
		end = c->pos;
		while (end > start && blank(at(c, end - 1)))
			end--;
		if ((err = put(c, ptr(c, start), end - start)))
			return err;
	}
	if ((err = put(c, "", 1)))
		return err;
	f.len = c->buflen - 1 - f.off;
	/* fields become C strings: a NUL would cut one short ("a\0b" read
	 * as "a", another benchmark) */
	if (f.len && memchr(c->buf + f.off, '\0', f.len))
		return fail_at(c, f.line, f.column, field_name(c, index),
			       "NUL byte in the field (not a text file?)");
	if (c->nfields == c->capfields) {
		size_t cap = c->capfields ? c->capfields * 2 : 16;
		field *fs = realloc(c->fields, cap * sizeof(*fs));
		if (!fs)
			return perfdb_error__oom();
		c->fields = fs;
		c->capfields = cap;
	}
	c->fields[c->nfields++] = f;
	return 0;
}

/* Reads one record: 1 when read, 0 at the end of the input, or an error. */
static int read_record(csv *c, int *line)
{
	int err;

	c->nfields = 0;
	c->buflen = 0;
	if (!have(c, c->pos))
		return c->in.ioerr;
	*line = c->line;
	for (;;) {
		if ((err = read_field(c, c->nfields)))
			return err;
		if (!have(c, c->pos))
			return c->in.ioerr ? c->in.ioerr : 1;
		if (at(c, c->pos) == ',') {
			c->pos++;
			continue;
		}
		if (at(c, c->pos) == '\r')
			c->pos++;
		if (have(c, c->pos) && at(c, c->pos) == '\n')
			c->pos++;
		newline(c);
		return 1;
	}
}

static bool empty_record(const csv *c)
{
	return c->nfields == 1 && c->fields[0].len == 0;
}

static int read_header(csv *c)
{
	char ex[PERFDB_INGEST_EXCERPT];
	int line, rc, *map;
	size_t i, k;

	/* Blank lines before the header are harmless; skip them. */
	do {
		if ((rc = read_record(c, &line)) <= 0)
			return rc < 0 ? rc
				      : fail_at(c, 0, 0, NULL,
						"no header row (expected benchmark,value,...)");
	} while (empty_record(c));

	if (c->nfields > sizeof(c->map) / sizeof(c->map[0]) &&
	    !(c->map_heap = malloc(c->nfields * sizeof(int))))
		return perfdb_error__oom();
	map = column_map(c);
	for (k = 0; k < C_COUNT_; k++)
		c->where[k] = -1;
	for (i = 0; i < c->nfields; i++) {
		const char *name = field_text(c, i);
		const field *f = &c->fields[i];
		int col = -1;
		for (k = 0; k < C_COUNT_; k++)
			if (strcasecmp(name, column_names[k]) == 0)
				col = (int)k;
		if (col >= 0) {
			if (c->where[col] >= 0)
				return fail_at(c, f->line, f->column, name,
					       "column '%s' appears twice",
					       perfdb_ingest__excerpt(ex, name));
			c->where[col] = (int)i;
			map[i] = col;
			continue;
		}
		map[i] = C_IGNORED;
		if (strncasecmp(name, "x-", 2) == 0)
			continue;
		if (!*name)
			return fail_at(c, f->line, f->column, NULL,
				       "column %zu has no name in the header", i + 1);
		if (strcasecmp(name, "commit") == 0 || strcasecmp(name, "branch") == 0 ||
		    strcasecmp(name, "machine") == 0)
			return fail_at(c, f->line, f->column, name,
				       "one CSV file is one run: give the %s to perfdb record "
				       "rather than in a column",
				       name);
		return fail_at(c, f->line, f->column, name,
			       "unknown column '%s' (expected benchmark, value, metric, unit, "
			       "direction, n, mean, median, stddev, min, max; columns starting "
			       "with 'x-' are ignored)",
			       perfdb_ingest__excerpt(ex, name));
	}
	c->ncolumns = c->nfields;
	c->header_line = line;
	if (c->where[C_BENCHMARK] < 0 || c->where[C_VALUE] < 0)
		return fail_at(c, line, 1, c->where[C_BENCHMARK] < 0 ? "benchmark" : "value",
			       "the header has no '%s' column (benchmark and value are required)",
			       c->where[C_BENCHMARK] < 0 ? "benchmark" : "value");
	return 1;
}

/* Field of column col in the current row, "" when the column is absent. */
static const char *cell(const csv *c, int col, const field **f)
{
	int i = c->where[col];
	*f = i >= 0 ? &c->fields[i] : NULL;
	return i >= 0 ? field_text(c, (size_t)i) : "";
}

static int read_number_cell(const csv *c, int col, bool required, double *out)
{
	const field *f;
	const char *text = cell(c, col, &f);
	char ex[PERFDB_INGEST_EXCERPT];
	int r;

	*out = NAN;
	if (!*text) {
		if (!required)
			return 0;
		return fail_at(c, f->line, f->column, column_names[col], "no value");
	}
	r = perfdb_ingest__number(text, out);
	if (r == -2)
		return fail_at(c, f->line, f->column, column_names[col], "'%s' is out of range",
			       perfdb_ingest__excerpt(ex, text));
	if (r < 0)
		return fail_at(c, f->line, f->column, column_names[col], "'%s' is not a number",
			       perfdb_ingest__excerpt(ex, text));
	if (col == C_N && (*out < 1 || *out != floor(*out) || *out > 9007199254740992.0))
		return fail_at(c, f->line, f->column, column_names[col],
			       "expected a whole number of at least 1, got '%s'",
			       perfdb_ingest__excerpt(ex, text));
	if (col == C_STDDEV && *out < 0)
		return fail_at(c, f->line, f->column, column_names[col],
			       "a standard deviation cannot be negative ('%s')",
			       perfdb_ingest__excerpt(ex, text));
	return 0;
}

/* The (benchmark, metric) of a record with as many fields as the header,
 * unchecked (parse_row checks it). */
static void record_key(const csv *c, const char **bench, const char **metric)
{
	*bench = field_text(c, (size_t)c->where[C_BENCHMARK]);
	*metric = c->where[C_METRIC] >= 0 ? field_text(c, (size_t)c->where[C_METRIC]) : "";
	if (!**metric)
		*metric = "value";
}

/* The checks of a row on its own, in the order of its cells. */
static int parse_row(csv *c, int line, row *r)
{
	char ex[PERFDB_INGEST_EXCERPT];
	const field *f, *fb;
	size_t k;
	int err;

	if (c->nfields != c->ncolumns)
		return fail_at(c, line, 1, NULL, "this row has %zu field%s, the header has %zu",
			       c->nfields, c->nfields == 1 ? "" : "s", c->ncolumns);
	r->line = line;
	r->bench = cell(c, C_BENCHMARK, &fb);
	r->metric = cell(c, C_METRIC, &f);
	r->unit = cell(c, C_UNIT, &f);
	r->dirtext = cell(c, C_DIRECTION, &f);
	r->dir = PERFDB_DIRECTION_UNSET;
	r->has_stats = false;
	if (!*r->bench)
		return fail_at(c, fb->line, fb->column, "benchmark", "no benchmark name");
	if (!*r->metric)
		r->metric = "value";
	if (*r->dirtext && perfdb_direction_parse(&r->dir, r->dirtext))
		return fail_at(c, f->line, f->column, "direction",
			       "unknown direction '%s' (expected lower_is_better or "
			       "higher_is_better)",
			       perfdb_ingest__excerpt(ex, r->dirtext));
	if ((err = read_number_cell(c, C_VALUE, true, &r->value)))
		return err;
	for (k = 0; k < NSTATS; k++) {
		if ((err = read_number_cell(c, (int)(FIRST_STAT + k), false, &r->stats[k])))
			return err;
		r->has_stats |= !isnan(r->stats[k]);
	}
	if (!isnan(r->stats[C_MIN - FIRST_STAT]) && !isnan(r->stats[C_MAX - FIRST_STAT]) &&
	    r->stats[C_MIN - FIRST_STAT] > r->stats[C_MAX - FIRST_STAT]) {
		cell(c, C_MIN, &f);
		return fail_at(c, f->line, f->column, "min", "min %g is greater than max %g",
			       r->stats[C_MIN - FIRST_STAT], r->stats[C_MAX - FIRST_STAT]);
	}
	return 0;
}

/* --- pass 1: which keys may repeat ------------------------------------------------------ */

/* The rows a text's lines can hold, for pass 1's table: one a line feed. */
static size_t count_lines(csv *c)
{
	size_t n = 1;
	while (have(c, c->pos)) {
		n += perfdb_ingest__newlines(ptr(c, c->pos), (size_t)(c->in.end - c->pos));
		c->pos = c->col_pos = c->in.end;
	}
	return n;
}

/* Pass 1: a fingerprint of every row's key, until the first record that is
 * not a row (pass 2 stops there, or before). */
static int count_keys(csv *c)
{
	size_t lines = count_lines(c);
	int rc, line;
	/* A row takes 4 bytes at least ("a,1\n"; blank lines are not rows),
	 * and one line at most, unless lines end in CR alone (the table then
	 * grows). */
	c->maxrows = (size_t)(c->in.size / 4 + 2);
	if ((rc = perfdb_ingest__fingerprints_init(&c->seen,
						   lines < c->maxrows ? lines : c->maxrows)) ||
	    c->in.ioerr)
		return rc ? rc : c->in.ioerr;
	rewind_input(c);
	if ((rc = read_header(c)) < 0)
		return rc;
	while ((rc = read_record(c, &line)) > 0) {
		const char *bench, *metric;
		if (empty_record(c))
			continue;
		if (c->nfields != c->ncolumns)
			break;
		record_key(c, &bench, &metric);
		if ((rc = perfdb_ingest__fingerprints_add(
			 &c->seen,
			 perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(bench, metric)))))
			return rc;
	}
	if (rc < 0 && rc != PERFDB_EINPUT)
		return rc;
	if ((rc = perfdb_ingest__fingerprints_keep_repeated(&c->seen)))
		return rc;
	if (c->seen.count && !(c->later = calloc(c->maxrows / 8 + 1, 1)))
		return perfdb_error__oom();
	return 0;
}

/* --- pass 2: every check, and the values of the keys that may repeat --------------------- */

static const char *group_benchmark(const csv *c, const group *g)
{
	return c->names + g->key;
}

static const char *group_metric(const csv *c, const group *g)
{
	const char *b = group_benchmark(c, g);
	return b + strlen(b) + 1;
}

static const char *group_unit(const csv *c, const group *g)
{
	const char *m = group_metric(c, g);
	return m + strlen(m) + 1;
}

/* The slot of the group (bench, metric) with hash h, or the empty one where
 * it goes. c->nslots is not 0. */
static uint64_t *group_slot(const csv *c, const char *bench, const char *metric, uint64_t h)
{
	size_t mask = c->nslots - 1, j;
	for (j = (size_t)h & mask; c->slots[j]; j = (j + 1) & mask) {
		const group *g = &c->groups[(uint32_t)c->slots[j] - 1];
		if (!((c->slots[j] ^ h) >> 32) && strcmp(group_benchmark(c, g), bench) == 0 &&
		    strcmp(group_metric(c, g), metric) == 0)
			break;
	}
	return &c->slots[j];
}

static group *group_find(const csv *c, const char *bench, const char *metric, uint64_t h)
{
	uint64_t slot = c->nslots ? *group_slot(c, bench, metric, h) : 0;
	return slot ? &c->groups[(uint32_t)slot - 1] : NULL;
}

static int group_new(csv *c, const row *r, uint64_t h)
{
	size_t nb = strlen(r->bench) + 1, nm = strlen(r->metric) + 1, nu = strlen(r->unit) + 1, i;
	group *g;
	int err;

	if ((c->ngroups + 1) * 2 > c->nslots) {
		size_t cap = c->nslots ? c->nslots * 2 : 64;
		uint64_t *slots;
		if (cap > (size_t)UINT32_MAX || !(slots = calloc(cap, sizeof(*slots))))
			return perfdb_error__oom();
		free(c->slots);
		c->slots = slots;
		c->nslots = cap;
		for (i = 0; i < c->ngroups; i++) {
			const group *o = &c->groups[i];
			uint64_t oh =
			    perfdb_ingest__hash_pair(group_benchmark(c, o), group_metric(c, o));
			*group_slot(c, group_benchmark(c, o), group_metric(c, o), oh) =
			    (oh & 0xffffffff00000000ull) | (i + 1);
		}
	}
	if ((err = perfdb_ingest__grow((void **)&c->groups, &c->capgroups, c->ngroups + 1,
				       sizeof(*c->groups))) ||
	    (err = perfdb_ingest__grow((void **)&c->names, &c->namecap, c->namelen + nb + nm + nu,
				       1)))
		return err;
	g = &c->groups[c->ngroups];
	memset(g, 0, sizeof(*g));
	g->key = c->namelen;
	memcpy(c->names + c->namelen, r->bench, nb);
	memcpy(c->names + c->namelen + nb, r->metric, nm);
	memcpy(c->names + c->namelen + nb + nm, r->unit, nu);
	c->namelen += nb + nm + nu;
	g->first = r->value;
	g->n = 1;
	g->line = r->line;
	g->direction = (signed char)r->dir;
	g->has_stats = r->has_stats;
	*group_slot(c, r->bench, r->metric, h) = (h & 0xffffffff00000000ull) | ++c->ngroups;
	return 0;
}

static int group_push(group *g, double v)
{
	if (g->n == UINT32_MAX)
		return perfdb_error__oom();
	if (g->n >= g->cap) { /* the first value is not in values yet: cap 0 */
		uint32_t cap = g->cap ? (g->cap > UINT32_MAX / 2 ? UINT32_MAX : g->cap * 2) : 2;
		double *vs = realloc(g->values, cap * sizeof(*vs));
		if (!vs)
			return perfdb_error__oom();
		if (!g->values)
			vs[0] = g->first;
		g->values = vs;
		g->cap = cap;
	}
	g->values[g->n++] = v;
	return 0;
}

/* A row whose key may be on other rows: one more sample of that result. */
static int check_repeat(csv *c, const row *r, uint64_t h)
{
	char ex[4][PERFDB_INGEST_EXCERPT];
	group *g = group_find(c, r->bench, r->metric, h);
	const field *f;
	size_t k;

	if (!g)
		return group_new(c, r, h);
	if (r->index >= c->maxrows)
		return changed(c);
	c->later[r->index / 8] |= (unsigned char)(1u << (r->index % 8));
	if (strcmp(group_unit(c, g), r->unit) != 0) {
		cell(c, C_UNIT, &f);
		return fail_at(c, f ? f->line : r->line, f ? f->column : 1, "unit",
			       "unit '%s' differs from '%s' on line %d for benchmark '%s', metric "
			       "'%s'",
			       perfdb_ingest__excerpt(ex[0], r->unit),
			       perfdb_ingest__excerpt(ex[1], group_unit(c, g)), g->line,
			       perfdb_ingest__excerpt(ex[2], group_benchmark(c, g)),
			       perfdb_ingest__excerpt(ex[3], group_metric(c, g)));
	}
	if (r->dir != PERFDB_DIRECTION_UNSET && g->direction != PERFDB_DIRECTION_UNSET &&
	    r->dir != (perfdb_direction)g->direction) {
		cell(c, C_DIRECTION, &f);
		return fail_at(
		    c, f->line, f->column, "direction",
		    "direction '%s' differs from line %d for benchmark '%s', metric '%s'",
		    perfdb_ingest__excerpt(ex[0], r->dirtext), g->line,
		    perfdb_ingest__excerpt(ex[2], group_benchmark(c, g)),
		    perfdb_ingest__excerpt(ex[3], group_metric(c, g)));
	}
	if (r->dir != PERFDB_DIRECTION_UNSET)
		g->direction = (signed char)r->dir;
	if (r->has_stats || g->has_stats) {
		/* Point at a filled statistics cell of this row, else at the
		 * first statistics column (the earlier row filled it). */
		for (k = FIRST_STAT; k < C_COUNT_; k++)
			if (c->where[k] >= 0 && c->fields[c->where[k]].len)
				break;
		if (k == C_COUNT_)
			for (k = FIRST_STAT; k < C_COUNT_ && c->where[k] < 0; k++)
				;
		f = k < C_COUNT_ ? &c->fields[c->where[k]] : NULL;
		return fail_at(c, f ? f->line : r->line, f ? f->column : 1,
			       k < C_COUNT_ ? column_names[k] : NULL,
			       "benchmark '%s', metric '%s' repeats line %d, so its rows are "
			       "samples; statistics columns belong to a single-row result",
			       perfdb_ingest__excerpt(ex[2], group_benchmark(c, g)),
			       perfdb_ingest__excerpt(ex[3], group_metric(c, g)), g->line);
	}
	return group_push(g, r->value);
}

static int check_rows(csv *c)
{
	int rc, line, err;
	size_t rows = 0;
	row r;

	rewind_input(c);
	if ((rc = read_header(c)) < 0)
		return rc;
	while ((rc = read_record(c, &line)) > 0) {
		uint64_t h;
		if (empty_record(c))
			continue;
		if ((err = parse_row(c, line, &r)))
			return err;
		r.index = rows++;
		h = perfdb_ingest__hash_pair(r.bench, r.metric);
		if (!perfdb_ingest__fingerprints_repeated(&c->seen, perfdb_ingest__fingerprint(h)))
			c->singles++;
		else if ((err = check_repeat(c, &r, h)))
			return err;
	}
	if (rc < 0)
		return rc;
	if (!rows)
		return fail_at(c, c->header_line, 0, NULL,
			       "no results: the header is not followed by any row");
	return 0;
}

/* --- pass 3: the results, in the order of their first rows ------------------------------- */

/* The result of row r: a row of its own, or the first of group g's rows. */
static int add_result(csv *c, perfdb_resultset *rs, const row *r, group *g)
{
	char ex[PERFDB_INGEST_EXCERPT];
	perfdb_result res;
	int err;

	perfdb_result_init(&res);
	res.benchmark = r->bench;
	res.metric = r->metric;
	res.unit = r->unit;
	res.direction = g ? (perfdb_direction)g->direction : r->dir;
	if (!g || g->n == 1) {
		res.value = r->value;
		res.n = isnan(r->stats[0]) ? 0 : (int64_t)r->stats[0];
		res.mean = r->stats[C_MEAN - FIRST_STAT];
		res.median = r->stats[C_MEDIAN - FIRST_STAT];
		res.stddev = r->stats[C_STDDEV - FIRST_STAT];
		res.min = r->stats[C_MIN - FIRST_STAT];
		res.max = r->stats[C_MAX - FIRST_STAT];
	} else {
		res.samples = g->values;
		res.nsamples = g->n;
	}
	if (!perfdb_ingest__fits_unit(&res))
		return fail_at(c, r->line, 1, "value",
			       "a number is out of range once converted from '%s' to the "
			       "base unit",
			       perfdb_ingest__excerpt(ex, res.unit));
	if ((err = perfdb_resultset_add(rs, &res)))
		/* after a failed read, that read's error, as fail_at */
		return err == PERFDB_EINVAL && c->in.ioerr
			   ? c->in.ioerr
			   : perfdb_ingest__placed(err, c->name, r->line, 1);
	if (g) {
		free(g->values);
		g->values = NULL;
	}
	return 0;
}

static int add_results(csv *c, perfdb_resultset *rs)
{
	size_t added = 0, rows = 0, next = 0; /* the next group, by first row */
	int rc, line, err;
	row r;

	rewind_input(c);
	if ((rc = read_header(c)) < 0)
		return c->in.ioerr ? rc : changed(c);
	while ((rc = read_record(c, &line)) > 0) {
		group *g = NULL;
		size_t i;
		if (empty_record(c))
			continue;
		i = rows++;
		/* a later row of a group: its value is in the group already */
		if (c->later && i >= c->maxrows)
			return changed(c);
		if (c->later && (c->later[i / 8] >> (i % 8) & 1))
			continue;
		if (next < c->ngroups && c->groups[next].line == line)
			g = &c->groups[next++];
		/* checked by pass 2: only a file that changed since fails */
		if ((err = parse_row(c, line, &r)))
			return c->in.ioerr ? err : changed(c);
		if ((err = add_result(c, rs, &r, g)))
			return err;
		added++;
	}
	if (rc < 0)
		return c->in.ioerr ? rc : changed(c);
	return added == c->singles + c->ngroups && next == c->ngroups ? 0 : changed(c);
}

/*
 * Three passes over the input, so that memory follows the keys that repeat,
 * not the rows (lib/ingest/README.md, "Big files"): count_keys,
 * check_rows (every error, in file order, as one pass would find them) and
 * add_results (results in the order of their first rows, into rs as they
 * come, and so to its sink).
 */
static int read_csv(csv *c, perfdb_resultset *rs)
{
	perfdb_resultset *mine = NULL;
	int err;

	c->name = c->in.name = c->name ? c->name : "<input>";
	if ((err = count_keys(c)) || (err = check_rows(c)))
		goto out;
	perfdb_ingest__fingerprints_release(&c->seen);
	if ((err = perfdb_resultset_new(&mine)) ||
	    (err = perfdb_resultset_set_meta(mine, PERFDB_META_SOURCE, "csv")))
		goto out;
	/* A result is final once added: results can go on to rs's sink. */
	perfdb_resultset__stream_into(mine, rs);
	if (!(err = add_results(c, mine)))
		err = perfdb_resultset_merge(rs, mine);
out:
	perfdb_resultset_free(mine);
	while (c->ngroups)
		free(c->groups[--c->ngroups].values);
	free(c->groups);
	free(c->later);
	free(c->slots);
	free(c->names);
	perfdb_ingest__fingerprints_release(&c->seen);
	free(c->buf);
	free(c->fields);
	free(c->map_heap);
	perfdb_ingest__window_release(&c->in);
	return err;
}

int perfdb_ingest__csv(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	csv c;
	memset(&c, 0, sizeof(c));
	perfdb_ingest__window_buffer(&c.in, data, len, name);
	c.name = name;
	return read_csv(&c, rs);
}

int perfdb_ingest__csv_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
			    const char *name, size_t window)
{
	csv c;
	int err;
	memset(&c, 0, sizeof(c));
	if ((err = perfdb_ingest__window_file(&c.in, fd, from, size, name, window)))
		return err;
	c.name = name;
	return read_csv(&c, rs);
}
