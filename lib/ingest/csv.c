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
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest.h"
#include "ingest/reader.h"
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

typedef struct group {
	char *benchmark, *metric, *unit;
	perfdb_direction direction;
	int line;
	bool has_stats;
	double stats[NSTATS];
	double *values;
	size_t nvalues, cap;
} group;

typedef struct csv {
	const char *data, *name;
	size_t len, pos, line_start;
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
	int where[C_COUNT_]; /* column -> field index, -1 when absent */
	group *groups;
	size_t ngroups, capgroups;
	perfdb_ingest_index index;
} csv;

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

static int fail_at(const csv *c, int line, int column, const char *fieldname, const char *fmt, ...)
{
	char what[512];
	va_list ap;
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
	c->col_count += perfdb_ingest__columns(c->data + c->col_pos, c->pos - c->col_pos);
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

/* Reads one field at c->pos into buf; leaves c->pos on the separator. */
static int read_field(csv *c, size_t index)
{
	field f;
	int err;

	f.line = c->line;
	f.column = column_here(c);
	f.off = c->buflen;
	while (c->pos < c->len && blank(c->data[c->pos]))
		c->pos++;
	if (c->pos < c->len && c->data[c->pos] == '"') {
		f.column = column_here(c);
		c->pos++;
		for (;;) {
			size_t run = c->pos;
			if (c->pos >= c->len)
				return fail_at(c, f.line, f.column, field_name(c, index),
					       "a quoted field is not closed (it opens here)");
			while (c->pos < c->len && c->data[c->pos] != '"' &&
			       c->data[c->pos] != '\n' && c->data[c->pos] != '\r')
				c->pos++;
			if ((err = put(c, c->data + run, c->pos - run)))
				return err;
			if (c->pos >= c->len)
				continue;
			if (c->data[c->pos] == '"') {
				if (c->pos + 1 < c->len && c->data[c->pos + 1] == '"') {
					if ((err = put(c, "\"", 1)))
						return err;
					c->pos += 2;
					continue;
				}
				c->pos++;
				break;
			}
			/* A line break inside quotes is data; keep it as written. */
			if (c->data[c->pos] == '\r' && c->pos + 1 < c->len &&
			    c->data[c->pos + 1] == '\n') {
				if ((err = put(c, "\r\n", 2)))
					return err;
				c->pos += 2;
			} else {
				if ((err = put(c, c->data + c->pos, 1)))
					return err;
				c->pos++;
			}
			newline(c);
		}
		while (c->pos < c->len && blank(c->data[c->pos]))
			c->pos++;
		if (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n' &&
		    c->data[c->pos] != '\r')
			return fail_at(c, c->line, column_here(c), field_name(c, index),
				       "unexpected text after a closing quote (a quote inside a "
				       "field is written \"\")");
	} else {
		size_t start = c->pos, end;
		while (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n' &&
		       c->data[c->pos] != '\r') {
			if (c->data[c->pos] == '"')
				return fail_at(c, c->line, column_here(c), field_name(c, index),
					       "a quote inside an unquoted field (quote the whole "
					       "field and double the quote)");
			c->pos++;
		}
		end = c->pos;
		while (end > start && blank(c->data[end - 1]))
			end--;
		if ((err = put(c, c->data + start, end - start)))
			return err;
	}
	if ((err = put(c, "", 1)))
		return err;
	f.len = c->buflen - 1 - f.off;
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
	if (c->pos >= c->len)
		return 0;
	*line = c->line;
	for (;;) {
		if ((err = read_field(c, c->nfields)))
			return err;
		if (c->pos >= c->len)
			return 1;
		if (c->data[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if (c->data[c->pos] == '\r')
			c->pos++;
		if (c->pos < c->len && c->data[c->pos] == '\n')
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

static void group_release(group *g)
{
	free(g->benchmark);
	free(g->metric);
	free(g->unit);
	free(g->values);
}

static char *dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int push_value(group *g, double v)
{
	if (g->nvalues == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		double *vs = realloc(g->values, cap * sizeof(*vs));
		if (!vs)
			return perfdb_error__oom();
		g->values = vs;
		g->cap = cap;
	}
	g->values[g->nvalues++] = v;
	return 0;
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

static int read_row(csv *c, int line)
{
	char ex[4][PERFDB_INGEST_EXCERPT];
	const field *f, *fb;
	const char *bench = cell(c, C_BENCHMARK, &fb);
	const char *metric = cell(c, C_METRIC, &f);
	const char *unit = cell(c, C_UNIT, &f);
	const char *dirtext = cell(c, C_DIRECTION, &f);
	perfdb_direction dir = PERFDB_DIRECTION_UNSET;
	double value, stats[NSTATS];
	bool has_stats = false;
	size_t k, gi;
	group *g;
	int err;

	if (c->nfields != c->ncolumns)
		return fail_at(c, line, 1, NULL, "this row has %zu field%s, the header has %zu",
			       c->nfields, c->nfields == 1 ? "" : "s", c->ncolumns);
	if (!*bench)
		return fail_at(c, fb->line, fb->column, "benchmark", "no benchmark name");
	if (!*metric)
		metric = "value";
	if (*dirtext && perfdb_direction_parse(&dir, dirtext))
		return fail_at(c, f->line, f->column, "direction",
			       "unknown direction '%s' (expected lower_is_better or "
			       "higher_is_better)",
			       perfdb_ingest__excerpt(ex[0], dirtext));
	if ((err = read_number_cell(c, C_VALUE, true, &value)))
		return err;
	for (k = 0; k < NSTATS; k++) {
		if ((err = read_number_cell(c, (int)(FIRST_STAT + k), false, &stats[k])))
			return err;
		has_stats |= !isnan(stats[k]);
	}
	if (!isnan(stats[C_MIN - FIRST_STAT]) && !isnan(stats[C_MAX - FIRST_STAT]) &&
	    stats[C_MIN - FIRST_STAT] > stats[C_MAX - FIRST_STAT]) {
		cell(c, C_MIN, &f);
		return fail_at(c, f->line, f->column, "min", "min %g is greater than max %g",
			       stats[C_MIN - FIRST_STAT], stats[C_MAX - FIRST_STAT]);
	}

	if (!perfdb_ingest__index_find(&c->index, bench, metric, &gi)) {
		/* A new (benchmark, metric). */
		if (c->ngroups == c->capgroups) {
			size_t cap = c->capgroups ? c->capgroups * 2 : 64;
			group *gs = realloc(c->groups, cap * sizeof(*gs));
			if (!gs)
				return perfdb_error__oom();
			c->groups = gs;
			c->capgroups = cap;
		}
		g = &c->groups[c->ngroups];
		memset(g, 0, sizeof(*g));
		if (!(g->benchmark = dup(bench)) || !(g->metric = dup(metric)) ||
		    !(g->unit = dup(unit)) ||
		    (err = perfdb_ingest__index_add(&c->index, g->benchmark, g->metric, c->ngroups,
						    &gi)) < 0 ||
		    (err = push_value(g, value))) {
			group_release(g);
			return perfdb_error__oom();
		}
		g->direction = dir;
		g->line = line;
		g->has_stats = has_stats;
		memcpy(g->stats, stats, sizeof(stats));
		c->ngroups++;
		return 0;
	}

	/* A repetition of an earlier row: one more sample of that result. */
	g = &c->groups[gi];
	if (strcmp(g->unit, unit) != 0) {
		cell(c, C_UNIT, &f);
		return fail_at(c, f ? f->line : line, f ? f->column : 1, "unit",
			       "unit '%s' differs from '%s' on line %d for benchmark '%s', metric "
			       "'%s'",
			       perfdb_ingest__excerpt(ex[0], unit),
			       perfdb_ingest__excerpt(ex[1], g->unit), g->line,
			       perfdb_ingest__excerpt(ex[2], g->benchmark),
			       perfdb_ingest__excerpt(ex[3], g->metric));
	}
	if (dir != PERFDB_DIRECTION_UNSET && g->direction != PERFDB_DIRECTION_UNSET &&
	    dir != g->direction) {
		cell(c, C_DIRECTION, &f);
		return fail_at(
		    c, f->line, f->column, "direction",
		    "direction '%s' differs from line %d for benchmark '%s', metric '%s'",
		    perfdb_ingest__excerpt(ex[0], dirtext), g->line,
		    perfdb_ingest__excerpt(ex[2], g->benchmark),
		    perfdb_ingest__excerpt(ex[3], g->metric));
	}
	if (dir != PERFDB_DIRECTION_UNSET)
		g->direction = dir;
	if (has_stats || g->has_stats) {
		/* Point at a filled statistics cell of this row, else at the
		 * first statistics column (the earlier row filled it). */
		for (k = FIRST_STAT; k < C_COUNT_; k++)
			if (c->where[k] >= 0 && c->fields[c->where[k]].len)
				break;
		if (k == C_COUNT_)
			for (k = FIRST_STAT; k < C_COUNT_ && c->where[k] < 0; k++)
				;
		f = k < C_COUNT_ ? &c->fields[c->where[k]] : NULL;
		return fail_at(c, f ? f->line : line, f ? f->column : 1,
			       k < C_COUNT_ ? column_names[k] : NULL,
			       "benchmark '%s', metric '%s' repeats line %d, so its rows are "
			       "samples; statistics columns belong to a single-row result",
			       perfdb_ingest__excerpt(ex[2], g->benchmark),
			       perfdb_ingest__excerpt(ex[3], g->metric), g->line);
	}
	return push_value(g, value);
}

static int add_groups(csv *c, perfdb_resultset *rs)
{
	size_t i;
	int err;

	for (i = 0; i < c->ngroups; i++) {
		const group *g = &c->groups[i];
		char ex[PERFDB_INGEST_EXCERPT];
		perfdb_result r;
		perfdb_result_init(&r);
		r.benchmark = g->benchmark;
		r.metric = g->metric;
		r.unit = g->unit;
		r.direction = g->direction;
		if (g->nvalues == 1) {
			r.value = g->values[0];
			r.n = isnan(g->stats[0]) ? 0 : (int64_t)g->stats[0];
			r.mean = g->stats[C_MEAN - FIRST_STAT];
			r.median = g->stats[C_MEDIAN - FIRST_STAT];
			r.stddev = g->stats[C_STDDEV - FIRST_STAT];
			r.min = g->stats[C_MIN - FIRST_STAT];
			r.max = g->stats[C_MAX - FIRST_STAT];
		} else {
			r.samples = g->values;
			r.nsamples = g->nvalues;
		}
		if (!perfdb_ingest__fits_unit(&r))
			return fail_at(c, g->line, 1, "value",
				       "a number is out of range once converted from '%s' to the "
				       "base unit",
				       perfdb_ingest__excerpt(ex, r.unit));
		if ((err = perfdb_resultset_add(rs, &r))) {
			char msg[sizeof(perfdb_error_last()->message)];
			if (err != PERFDB_EINVAL)
				return err;
			snprintf(msg, sizeof(msg), "%s", perfdb_error_last()->message);
			return fail_at(c, g->line, 1, NULL, "%s", msg);
		}
	}
	return 0;
}

int perfdb_ingest__csv(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	csv c;
	perfdb_resultset *mine = NULL;
	size_t i;
	int err, rc, line;

	memset(&c, 0, sizeof(c));
	c.data = data;
	c.len = len;
	c.name = name ? name : "<input>";
	c.line = 1;
	c.index = (perfdb_ingest_index)PERFDB_INGEST_INDEX_INIT;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		c.pos = c.line_start = 3;

	if ((err = read_header(&c)) < 0)
		goto out;
	while ((rc = read_record(&c, &line)) > 0) {
		if (empty_record(&c))
			continue;
		if ((err = read_row(&c, line)))
			goto out;
	}
	if ((err = rc) < 0)
		goto out;
	if (c.ngroups == 0) {
		err = fail_at(&c, c.header_line, 0, NULL,
			      "no results: the header is not followed by any row");
		goto out;
	}
	if ((err = perfdb_resultset_new(&mine)) ||
	    (err = perfdb_resultset_set_meta(mine, PERFDB_META_SOURCE, "csv")) ||
	    (err = add_groups(&c, mine)))
		goto out;
	err = perfdb_resultset_merge(rs, mine);
out:
	perfdb_resultset_free(mine);
	for (i = 0; i < c.ngroups; i++)
		group_release(&c.groups[i]);
	free(c.groups);
	free(c.buf);
	free(c.fields);
	free(c.map_heap);
	perfdb_ingest__index_release(&c.index);
	return err;
}
