/*
 * Catch2's console reporter (the default), v2 and v3, with and without
 * --benchmark-no-analysis:
 *
 *   -------------------------------------------------------------------------------
 *   Containers
 *     vector
 *   -------------------------------------------------------------------------------
 *   bench.cpp:17
 *   ...............................................................................
 *
 *   benchmark name                       samples       iterations    estimated
 *                                        mean          low mean      high mean
 *                                        std dev       low std dev   high std dev
 *   -------------------------------------------------------------------------------
 *   push_back 500 into a vector that
 *   was reserved before                             10            56    1.04664 ms
 *                                           437.811 ns    432.411 ns    458.607 ns
 *                                           15.7189 ns    0.47949 ns    25.8276 ns
 *
 * (v3 titles the third column "est run time"; without analysis the header is
 * "benchmark name  samples  iterations  mean" and each benchmark one row.)
 * The series is named as the XML reader names it, "Containers / vector /
 * push_back 500 into a vector that was reserved before": the test case and
 * sections of the header block above the table, then the benchmark. Values
 * are the same fields as in the XML (mean, standard deviation, samples), in
 * Catch2's rounding to six digits; the confidence bounds, iterations and the
 * estimate are checked and not stored.
 *
 * Catch2 wraps a name longer than its column (35 characters for an 80-column
 * console; the header's layout tells the width): at a space, which it drops,
 * after one of ])}>.,:;*+-=&/\ or before one of [({<|, which it keeps, and
 * inside a word that has no such place, where it adds '-'. The name is put
 * back together by the same rules: a space where Catch2 dropped one, none
 * after or before those characters, and the '-' of a cut word removed.
 *
 * A benchmark that threw ("Benchmark failed (…)") is warned about; so is
 * every benchmark of a test case that failed ("FILE:LINE: FAILED:") or was
 * skipped ("SKIPPED:"), as in the XML reader (catch2.h has what both share).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/catch2.h"
#include "ingest/ingest.h"
#include "ingest/loadtool.h"
#include "ingest/reader.h"
#include "util/error.h"

enum state {
	ST_TEXT,       /* between tables */
	ST_HEADER,     /* the test case and section lines between two rules */
	ST_TABLE_HEAD, /* the column titles, up to the rule below them */
	ST_ROW,	       /* a benchmark's name row (or a wrapped part of its name) */
	ST_MEAN,       /* analysis: the mean row */
	ST_SD,	       /* analysis: the standard deviation row */
	ST_GAP	       /* analysis: the blank row after each benchmark */
};

typedef struct buf {
	char *s;
	size_t len, cap;
} buf;

typedef struct reader {
	perfdb_catch2_acc acc;
	/* what one pass reads (reset_pass clears it) */
	enum state st;
	bool analysis, seen_catch;
	int width;	     /* of a wrapped name's lines in the table */
	int header_width;    /* of the header block's lines (the rule's length) */
	buf tcase, sections; /* the test case; the sections as " / "-joined text */
	buf last_section;    /* the header line being continued */
	size_t section_at;   /* where the last section starts in `sections` */
	buf bname;	     /* the benchmark name read so far */
	const char *prev;    /* the last wrapped line of it, and its length */
	size_t prevlen;
	int name_line;		 /* where the name started */
	perfdb_catch2_bench cur; /* its name is `full`'s */
	buf full;
	bool tables;
	const char *data; /* the text, for each reading */
	size_t len;
	/* EMIT: a test case that failed or was skipped is read again from its
	 * start at its end, to warn about its benchmarks (see end_case) */
	bool hold_failing;	  /* pend them instead (the reading before; tests) */
	bool replaying;		  /* reading such a test case again */
	size_t rule_at, case_at;  /* the last header block's opening rule; the test case's */
	int rule_line, case_line; /* their line numbers */
	/* a test case's span that starts after a '=' rule, with no header block
	 * of its own (Catch2 writes none there; a file may): the state it starts
	 * in, read again from there */
	bool case_after_rule;
	struct {
		bool analysis;
		int width, header_width;
		buf tcase, sections, last_section;
		size_t section_at;
		const char *prev;
		size_t prevlen;
	} after_rule;
} reader;

/* The line being read (loadtool.h's cursor; n without trailing blanks). */
typedef perfdb_load_text line;

static int buf_put(buf *b, const char *s, size_t n)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)&b->s, &b->cap, b->len + n + 1, 1)))
		return err;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* Copies the text of b into a (empty, its own). */
static int buf_copy(buf *a, const buf *b)
{
	return b->len ? buf_put(a, b->s, b->len) : 0;
}

static bool ws(char c)
{
	return c == ' ' || c == '\t';
}
static bool breaks_before(char c)
{
	return c && strchr("[({<|", c);
}
static bool breaks_after(char c)
{
	return c && strchr("])}>.,:;*+-=&/\\", c);
}

/*
 * Whether Catch2 cut the line p (n characters, whole line with its indent)
 * inside a word: a line as wide as the column, ending in '-', with no place
 * before that where Catch2's wrapping could have broken it.
 */
static bool cut_word(const char *p, size_t n, int width)
{
	size_t k, start = 0;
	if (width <= 1 || n != (size_t)width || p[n - 1] != '-')
		return false;
	while (start < n && ws(p[start]))
		start++;
	for (k = start + 1; k < n - 1; k++)
		if ((ws(p[k]) && !ws(p[k - 1])) || breaks_before(p[k]) || breaks_after(p[k - 1]))
			return false;
	return true;
}

/* Appends the wrapped line p (n characters; `raw`/`rawn` the whole line, for
 * the width) to b, which holds the part before it, whose last line was
 * prev/prevlen. */
static int join_wrapped(buf *b, const char *prev, size_t prevlen, int width, const char *p,
			size_t n)
{
	int err;
	if (b->len == 0)
		return buf_put(b, p, n);
	if (cut_word(prev, prevlen, width))
		b->s[--b->len] = '\0';
	else if (!breaks_after(b->s[b->len - 1]) && !breaks_before(p[0]) &&
		 (err = buf_put(b, " ", 1)))
		return err;
	return buf_put(b, p, n);
}

static bool all_of(const line *l, char c, size_t min)
{
	size_t i;
	if (l->n < min)
		return false;
	for (i = 0; i < l->n; i++)
		if (l->s[i] != c)
			return false;
	return true;
}

static bool starts(const line *l, const char *p)
{
	size_t k = strlen(p);
	return l->n >= k && memcmp(l->s, p, k) == 0;
}

static bool ends(const line *l, const char *p)
{
	size_t k = strlen(p);
	return l->n >= k && memcmp(l->s + l->n - k, p, k) == 0;
}

static int at(const reader *r, const line *l, size_t off, const char *fmt, const char *what)
{
	(void)r;
	return perfdb_load__fail(l, off, NULL, fmt, what);
}

/* Catch2's Duration: "<number> <ns|us|ms|s|m>" (µs too). 0 with *out in ns,
 * 1 for nan/inf, -1 when not one (*bad: the offset of the bad token). */
static int duration(const line *l, size_t voff, size_t vn, size_t uoff, size_t un, double *out,
		    size_t *bad)
{
	static const char written[] = " ns us \xc2\xb5s ms s m "; /* what Catch2 prints */
	char unit[8];
	double ns;
	int rc;
	*bad = uoff;
	if (un + 3 > sizeof(unit))
		return -1;
	unit[0] = ' ';
	memcpy(unit + 1, l->s + uoff, un);
	unit[un + 1] = ' ';
	unit[un + 2] = '\0';
	if (!strstr(written, unit))
		return -1;
	ns = perfdb_load__time_unit(l->s + uoff, un);
	*bad = voff;
	if ((rc = perfdb_load__number(l->s + voff, vn, out)) == 1) {
		*out = NAN;
		return 1;
	}
	if (rc != 0 || !isfinite(*out * ns))
		return -1;
	*out *= ns;
	return 0;
}

static bool integer(const line *l, size_t off, size_t n, long long *out)
{
	size_t k;
	long long v = 0;
	if (n == 0 || n > 15)
		return false;
	for (k = 0; k < n; k++) {
		if (l->s[off + k] < '0' || l->s[off + k] > '9')
			return false;
		v = v * 10 + (l->s[off + k] - '0');
	}
	*out = v;
	return true;
}

/*
 * The end of a name row, "<samples> <iterations> <number> <unit>": 1 with
 * *name_end (the offset where the numbers start, the name before), the counts
 * and the duration (estimated, or the mean without analysis; NAN for nan);
 * 0 when the line does not end so (a wrapped part of a name).
 */
static int name_row(const reader *r, const line *l, size_t *name_end, long long *samples,
		    double *dur, size_t *dur_off)
{
	size_t off[4], n[4], i, k = 4, bad;
	long long iterations;
	int rc;
	(void)r;
	/* four tokens from the right */
	i = l->n;
	while (k > 0) {
		size_t e = i;
		while (i > 0 && !ws(l->s[i - 1]))
			i--;
		if (i == e)
			return 0;
		k--;
		off[k] = i;
		n[k] = e - i;
		while (i > 0 && ws(l->s[i - 1]))
			i--;
		if (k > 0 && i == 0)
			return 0;
	}
	if (!integer(l, off[0], n[0], samples) || !integer(l, off[1], n[1], &iterations))
		return 0;
	rc = duration(l, off[2], n[2], off[3], n[3], dur, &bad);
	if (rc < 0)
		return 0;
	*dur_off = off[2];
	*name_end = i;
	return 1;
}

/* A row of three durations (mean, low, high or the std devs): 0 with the
 * first in *v (NAN for nan), or an error. */
static int three(const reader *r, const line *l, const char *what, double *v)
{
	size_t i = 0, voff, vn, uoff, un, bad;
	double d;
	int k, rc, first = 0;
	if (l->n && !ws(l->s[0]))
		return at(r, l, 0,
			  "expected the %s row of a benchmark (Catch2 leaves the name "
			  "column empty there)",
			  what);
	for (k = 0; k < 3; k++) {
		if (!perfdb_load__word(l, &i, &voff, &vn) || !perfdb_load__word(l, &i, &uoff, &un))
			return at(r, l, l->n, "expected three durations in the %s row", what);
		if ((rc = duration(l, voff, vn, uoff, un, &d, &bad)) < 0)
			return at(r, l, bad,
				  "expected a duration (a number and ns, us, ms, s or m) "
				  "in the %s row",
				  what);
		if (k == 0) {
			*v = d;
			first = rc;
		}
	}
	if (perfdb_load__word(l, &i, &voff, &vn))
		return at(r, l, voff, "more than three durations in the %s row", what);
	return first;
}

/* The full name, test case, sections, benchmark, into r->full: its text,
 * or NULL (out of memory, set). */
static const char *full_name(reader *r)
{
	r->full.len = 0;
	if (buf_put(&r->full, r->tcase.s ? r->tcase.s : "", r->tcase.len) ||
	    buf_put(&r->full, r->sections.s ? r->sections.s : "", r->sections.len) ||
	    buf_put(&r->full, " / ", 3) ||
	    buf_put(&r->full, r->bname.s ? r->bname.s : "", r->bname.len))
		return NULL;
	return r->full.s;
}

static void reset_name(reader *r)
{
	r->bname.len = 0;
	if (r->bname.s)
		r->bname.s[0] = '\0';
	r->prev = NULL;
	r->prevlen = 0;
}

/* A benchmark read, r->cur (its name in r->full): perfdb_ingest__catch2_bench,
 * and pended when that says so. */
static int bench_done(reader *r)
{
	int err;
	if (r->replaying) { /* its test case failed or was skipped */
		r->cur.name = r->full.s;
		err = perfdb_ingest__catch2_warn_dropped(&r->acc, &r->cur);
		r->cur.name = NULL;
		return err;
	}
	r->cur.name = NULL;
	err = perfdb_ingest__catch2_bench(&r->acc, &r->cur, r->full.s, r->full.len,
					  r->tcase.len + r->sections.len);
	if (err != 1 || !r->hold_failing)
		return err == 1 ? 0 : err; /* EMIT: warned about when its test case is read again */
	if (!(r->cur.name = perfdb_ingest__dup_n(r->full.s, r->full.len)))
		return perfdb_error__oom();
	return perfdb_ingest__catch2_pend(&r->acc, &r->cur);
}

/* Whether this reading warns: not when it reads a test case again. */
static bool warns(const reader *r)
{
	return !r->replaying && perfdb_ingest__catch2_warns(&r->acc);
}

/* A benchmark failed: "Benchmark failed (MSG)" at offset f of l. */
static int bench_failed(reader *r, const line *l, size_t f)
{
	const char *msg = l->s + f + 18, *close = l->s + l->n, *full;
	int err = 0;
	while (close > msg && close[-1] != ')')
		close--;
	if (close > msg)
		close--;
	if (r->cur.name) /* after its name row: the name is read */
		full = r->cur.name;
	else if (!(full = full_name(r)))
		return perfdb_error__oom();
	r->cur.name = NULL;
	r->acc.nbench++;
	if (warns(r))
		err = perfdb_resultset_warn(
		    r->acc.rs, "%s:%d:%d: benchmark '%s' failed: %.*s; not recorded", r->acc.name,
		    l->line, perfdb_ingest__columns(l->s, f) + 1, full, (int)(close - msg), msg);
	reset_name(r);
	r->st = ST_ROW;
	return err;
}

static const char *find(const line *l, const char *p)
{
	return memmem(l->s, l->n, p, strlen(p));
}

static int row(reader *r, const line *l)
{
	size_t name_end, dur_off;
	long long samples;
	double dur;
	const char *f;
	int err;

	if ((f = find(l, "Benchmark failed ("))) {
		size_t e = (size_t)(f - l->s);
		while (e > 0 && ws(l->s[e - 1]))
			e--;
		if (e && (err = join_wrapped(&r->bname, r->prev, r->prevlen, r->width, l->s, e)))
			return err;
		if (r->bname.len == 0)
			return at(r, l, 0, "%s without a benchmark name", "'Benchmark failed'");
		return bench_failed(r, l, (size_t)(f - l->s));
	}
	if (!name_row(r, l, &name_end, &samples, &dur, &dur_off)) {
		/* a wrapped part of the name, alone on its line */
		if (ws(l->s[0]))
			return at(r, l, 0,
				  "expected a benchmark row (name, samples, iterations, %s)",
				  r->analysis ? "estimated" : "mean");
		if ((err = join_wrapped(&r->bname, r->prev, r->prevlen, r->width, l->s, l->n)))
			return err;
		if (!r->prev)
			r->name_line = l->line;
		r->prev = l->s;
		r->prevlen = l->n;
		return 0;
	}
	if (name_end &&
	    (err = join_wrapped(&r->bname, r->prev, r->prevlen, r->width, l->s, name_end)))
		return err;
	if (!r->prev)
		r->name_line = l->line;
	if (r->bname.len == 0)
		return at(r, l, 0, "expected a benchmark name before its %s", "samples");
	memset(&r->cur, 0, sizeof(r->cur));
	if (!full_name(r))
		return perfdb_error__oom();
	r->cur.name = r->full.s;
	r->cur.line = r->name_line;
	r->cur.column = 1;
	r->cur.samples = samples;
	r->cur.stddev = NAN;
	reset_name(r);
	if (r->analysis) {
		r->st = ST_MEAN;
		return 0;
	}
	r->acc.nbench++;
	r->cur.mean = dur;
	if (isnan(dur)) {
		err = !warns(r)
			  ? 0
			  : perfdb_resultset_warn(r->acc.rs,
						  "%s:%d:%d: benchmark '%s': mean is nan; not "
						  "recorded",
						  r->acc.name, l->line,
						  perfdb_ingest__columns(l->s, dur_off) + 1,
						  r->cur.name);
		r->cur.name = NULL;
		return err;
	}
	return bench_done(r);
}

static int stat_row(reader *r, const line *l)
{
	const char *what = r->st == ST_MEAN ? "mean" : "std dev";
	double v = NAN;
	int rc, err;
	const char *f = find(l, "Benchmark failed (");
	if (f) /* thrown after the estimate: the message on a row of its own */
		return bench_failed(r, l, (size_t)(f - l->s));
	if ((rc = three(r, l, what, &v)) < 0)
		return rc;
	if (rc == 1 && !(r->st == ST_SD && isnan(r->cur.mean)) && warns(r) &&
	    (err = perfdb_resultset_warn(
		 r->acc.rs, "%s:%d:%d: benchmark '%s': %s is nan; not recorded", r->acc.name,
		 l->line, perfdb_ingest__columns(l->s, strspn(l->s, " \t")) + 1, r->cur.name,
		 r->st == ST_MEAN ? "mean" : "standard deviation")))
		return err;
	if (r->st == ST_MEAN) {
		r->cur.mean = v;
		r->st = ST_SD;
		return 0;
	}
	r->cur.stddev = v;
	r->acc.nbench++;
	r->st = ST_GAP;
	if (isnan(r->cur.mean)) { /* warned about: nothing to record */
		r->cur.name = NULL;
		return 0;
	}
	return bench_done(r);
}

static int read_lines(reader *r, line *t);
static void state_reset(reader *r);
static void pass_release(reader *r);

/* EMIT: the open test case, which failed or was skipped, read again from
 * its first header block's opening rule up to offset `end` (the line that
 * ends it; the reading got there before, without an error), each of its
 * benchmarks warned about as it comes, with the state of the reading as it
 * was after. */
static int replay_case(reader *r, size_t end)
{
	reader saved = *r;
	line t;
	int err;
	state_reset(r); /* buffers of its own: saved has the reading's */
	r->replaying = true;
	if (r->case_after_rule) {
		r->analysis = saved.after_rule.analysis;
		r->width = saved.after_rule.width;
		r->header_width = saved.after_rule.header_width;
		r->section_at = saved.after_rule.section_at;
		r->prev = saved.after_rule.prev;
		r->prevlen = saved.after_rule.prevlen;
		if ((err = buf_copy(&r->tcase, &saved.after_rule.tcase)) ||
		    (err = buf_copy(&r->sections, &saved.after_rule.sections)) ||
		    (err = buf_copy(&r->last_section, &saved.after_rule.last_section))) {
			pass_release(r);
			*r = saved;
			return err;
		}
	}
	perfdb_load__text_init(&t, r->data, end, r->acc.name, r->acc.rs);
	t.pos = r->case_at;
	t.line = r->case_line - 1;
	err = read_lines(r, &t);
	pass_release(r);
	*r = saved;
	return err;
}

/*
 * The open test case ends at offset `end` (the line that ends it, or the
 * text's end): perfdb_ingest__catch2_end_case. In EMIT, one that failed or
 * was skipped is read again first, to warn about its benchmarks in order:
 * holding them till here held every name of a failing test case, several
 * times the text for one of a million benchmarks.
 */
static int end_case(reader *r, size_t end)
{
	int err;
	if (r->replaying)
		return 0;
	if (r->acc.pass == PERFDB_CATCH2_EMIT && !r->hold_failing &&
	    (r->acc.case_failed || r->acc.case_skipped) && (err = replay_case(r, end)))
		return err;
	return perfdb_ingest__catch2_end_case(&r->acc);
}

/* The '=' rule l ends the open test case; what follows is read in the
 * state after it (EMIT notes it, to read it again from there). */
static int rule_ends_case(reader *r, const line *l)
{
	int err;
	if (r->replaying)
		return 0;
	if ((err = end_case(r, (size_t)(l->s - r->data))))
		return err;
	if (r->acc.pass != PERFDB_CATCH2_EMIT || r->hold_failing)
		return 0;
	r->case_at = l->pos;
	r->case_line = l->line + 1;
	r->case_after_rule = true;
	r->after_rule.analysis = r->analysis;
	r->after_rule.width = r->width;
	r->after_rule.header_width = r->header_width;
	r->after_rule.section_at = r->section_at;
	r->after_rule.prev = r->prev;
	r->after_rule.prevlen = r->prevlen;
	r->after_rule.tcase.len = r->after_rule.sections.len = r->after_rule.last_section.len = 0;
	if ((err = buf_copy(&r->after_rule.tcase, &r->tcase)) ||
	    (err = buf_copy(&r->after_rule.sections, &r->sections)))
		return err;
	return buf_copy(&r->after_rule.last_section, &r->last_section);
}

/* The test case of a new header block: a different one ends the last, and
 * starts at the block's opening rule. */
static int header_first(reader *r, const line *l)
{
	int err;
	if (!r->tcase.s || r->tcase.len != l->n || memcmp(r->tcase.s, l->s, l->n) != 0) {
		if ((err = end_case(r, r->rule_at)))
			return err;
		r->case_at = r->rule_at;
		r->case_line = r->rule_line;
		r->case_after_rule = false;
	}
	r->tcase.len = 0;
	r->sections.len = 0;
	if (r->sections.s)
		r->sections.s[0] = '\0';
	if ((err = buf_put(&r->tcase, l->s, l->n)))
		return err;
	r->last_section.len = 0;
	r->section_at = 0;
	r->prev = l->s;
	r->prevlen = l->n;
	return 0;
}

/*
 * A line of the header block after the test case: a section (Catch2 indents
 * each by two), or the rest of the line before that Catch2 wrapped (it fills
 * a line as far as it can, so a line whose first word would have fitted on
 * the line before starts a new section).
 */
static int header_line(reader *r, const line *l)
{
	size_t i = 0, w;
	bool more;
	int err;
	while (i < l->n && ws(l->s[i]))
		i++;
	for (w = i; w < l->n && !ws(l->s[w]); w++)
		;
	more = i != 2 || cut_word(r->prev, r->prevlen, r->header_width) ||
	       r->prevlen + 1 + (w - i) > (size_t)r->header_width;
	if (more && r->last_section.len == 0) {
		err = join_wrapped(&r->tcase, r->prev, r->prevlen, r->header_width, l->s + i,
				   l->n - i);
	} else if (more) {
		r->sections.len = r->section_at;
		if (!(err = join_wrapped(&r->last_section, r->prev, r->prevlen, r->header_width,
					 l->s + i, l->n - i)))
			err = buf_put(&r->sections, r->last_section.s, r->last_section.len);
	} else {
		r->last_section.len = 0;
		if (!(err = buf_put(&r->sections, " / ", 3)))
			r->section_at = r->sections.len;
		if (!err && !(err = buf_put(&r->last_section, l->s + i, l->n - i)))
			err = buf_put(&r->sections, l->s + i, l->n - i);
	}
	r->prev = l->s;
	r->prevlen = l->n;
	return err;
}

/* "benchmark name   samples   iterations   estimated|est run time|mean" */
static int table_head(reader *r, const line *l)
{
	const char *s = find(l, "samples");
	if (!s || !find(l, "iterations"))
		return at(r, l, 0, "expected %s",
			  "Catch2's 'benchmark name  samples  iterations' header");
	if (!r->tcase.len)
		return at(r, l, 0, "%s table before any test case header", "a benchmark");
	if (ends(l, "estimated") || ends(l, "est run time"))
		r->analysis = true;
	else if (ends(l, "mean"))
		r->analysis = false;
	else
		return at(r, l, l->n, "expected %s at the end of the table header",
			  "'estimated', 'est run time' or 'mean'");
	/* the name column ends where the samples column starts; without analysis
	 * its title is right-aligned, "     samples" */
	r->width = (int)(s - l->s) - (r->analysis ? 0 : 5) - 2;
	r->st = ST_TABLE_HEAD;
	return 0;
}

/* FILE:LINE: FAILED: / SKIPPED: after the test case's header */
static void case_result(reader *r, const line *l)
{
	bool skipped = ends(l, ": SKIPPED:");
	size_t k = l->n - (skipped ? 10 : 9);
	if (r->acc.failure[0] == '\0')
		snprintf(r->acc.failure, sizeof(r->acc.failure), " (%s at %.*s)",
			 skipped ? "SKIPPED" : "FAILED", (int)(k > 200 ? 200 : k), l->s);
	if (skipped)
		r->acc.case_skipped = true;
	else
		r->acc.case_failed = true;
}

static int banner(reader *r, const line *l)
{
	const char *v = find(l, " is a Catch v");
	char ver[32];
	size_t k = 0;
	if (v)
		v += 13;
	else if ((v = find(l, " is a Catch2 v")))
		v += 14;
	else
		return 0;
	r->seen_catch = true;
	while (v < l->s + l->n && !ws(*v) && k + 1 < sizeof(ver))
		ver[k++] = *v++;
	ver[k] = '\0';
	/* set once, before any result is handed on (the passes after the first
	 * read it again) */
	return k && r->acc.pass == PERFDB_CATCH2_COUNT
		   ? perfdb_resultset_set_context(r->acc.rs, "catch2_version", ver)
		   : 0;
}

static int text_line(reader *r, const line *l)
{
	if (all_of(l, '-', 20)) {
		r->st = ST_HEADER;
		r->header_width = (int)l->n;
		r->prev = NULL;
		r->prevlen = 0;
		return 1; /* the next line is the test case */
	}
	if (starts(l, "benchmark name"))
		return table_head(r, l);
	if (all_of(l, '=', 20))
		return rule_ends_case(r, l);
	if (ends(l, ": FAILED:") || ends(l, ": SKIPPED:"))
		case_result(r, l);
	else
		return banner(r, l);
	return 0;
}

/* Frees the buffers of what one pass reads. */
static void pass_release(reader *r)
{
	free(r->tcase.s);
	free(r->sections.s);
	free(r->last_section.s);
	free(r->bname.s);
	free(r->full.s);
}

/* A clean state for a reading (the buffers are not freed: pass_release). */
static void state_reset(reader *r)
{
	r->st = ST_TEXT;
	r->analysis = r->seen_catch = r->tables = false;
	r->width = r->header_width = 0;
	memset(&r->tcase, 0, sizeof(r->tcase));
	memset(&r->sections, 0, sizeof(r->sections));
	memset(&r->last_section, 0, sizeof(r->last_section));
	memset(&r->bname, 0, sizeof(r->bname));
	memset(&r->full, 0, sizeof(r->full));
	r->section_at = 0;
	r->prev = NULL;
	r->prevlen = 0;
	r->name_line = 0;
	memset(&r->cur, 0, sizeof(r->cur));
}

/* text_line, noting where a header block's opening rule is. */
static int text_line_at(reader *r, const line *l, int *first_header_line)
{
	int err = text_line(r, l);
	if (err != 1)
		return err;
	*first_header_line = 1;
	r->rule_at = (size_t)(l->s - r->data);
	r->rule_line = l->line;
	return 0;
}

/* The lines of t from where it is: 0, or the first error. */
static int read_lines(reader *r, line *t)
{
	int err = 0, first_header_line = 0;
	while (!err && perfdb_load__next_line(t)) {
		while (t->n && ws(t->s[t->n - 1]))
			t->n--;
		switch (r->st) {
		case ST_TEXT:
			err = text_line_at(r, t, &first_header_line);
			r->tables |= r->st == ST_TABLE_HEAD;
			break;
		case ST_HEADER:
			if (all_of(t, '-', 20)) {
				if (first_header_line)
					err = at(r, t, 0, "%s", "expected a test case name");
				r->st = ST_TEXT;
			} else if (first_header_line) {
				first_header_line = 0;
				err = header_first(r, t);
			} else {
				err = header_line(r, t);
			}
			break;
		case ST_TABLE_HEAD:
			if (all_of(t, '-', 20)) {
				r->st = ST_ROW;
				reset_name(r);
			} else if (!(find(t, "mean") || find(t, "std dev")) || !ws(t->s[0]) ||
				   !r->analysis) {
				err = at(r, t, 0, "%s", "expected the rule below the table header");
			}
			break;
		case ST_GAP:
			r->st = ST_ROW;
			if (t->n == 0)
				break;
			/* fall through */
		case ST_ROW:
			if (t->n == 0 || all_of(t, '-', 20) || all_of(t, '=', 20)) {
				if (r->bname.len) {
					err =
					    at(r, t, 0, "the results of benchmark '%s' are missing",
					       r->bname.s);
					break;
				}
				r->st = ST_TEXT;
				if (t->n)
					err = text_line_at(r, t, &first_header_line);
				break;
			}
			err = row(r, t);
			break;
		case ST_MEAN:
		case ST_SD: err = stat_row(r, t); break;
		}
	}
	return err;
}

/* One pass over the text, from a clean state in r->acc.pass: 0, or the
 * text's first error. */
static int read_pass(void *ctx)
{
	reader *r = ctx;
	const char *name = r->acc.name;
	line t;
	int err;

	pass_release(r);
	state_reset(r);
	r->case_at = 0;
	r->case_line = 1;
	r->case_after_rule = false;
	perfdb_ingest__catch2_begin(&r->acc);
	perfdb_load__text_init(&t, r->data, r->len, name, r->acc.rs);
	if ((err = read_lines(r, &t)))
		return err;
	if (r->st != ST_TEXT && r->st != ST_ROW && r->st != ST_GAP)
		return perfdb_error__input(PERFDB_EINPUT, name, t.line + 1, 1, NULL,
					   "the input ends inside a benchmark table");
	if (r->bname.len)
		return perfdb_error__input(PERFDB_EINPUT, name, t.line + 1, 1, NULL,
					   "the input ends before the results of benchmark '%s'",
					   r->bname.s);
	if (!r->tables && !r->seen_catch)
		return perfdb_error__input(
		    PERFDB_EINPUT, name, 1, 1, NULL,
		    "not Catch2's output: no XML root and no 'benchmark name  "
		    "samples  iterations' table of the console reporter");
	return end_case(r, r->len);
}

/*
 * Catch2 makes one result of the appearances of a name (a GENERATE'd
 * section), and drops the benchmarks of a test case that fails after them,
 * so a result is final only at the end of the text; holding every name till
 * then costs more than the text itself when names are long (test case and
 * sections in each) and rows short. The text is in memory, so it is read
 * again instead (perfdb_ingest__catch2_passes).
 */
int perfdb_ingest__catch2_console_as(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name, bool hold_failing)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	r.data = data;
	r.len = len;
	r.hold_failing = hold_failing;
	if (!(err = perfdb_ingest__catch2_init(&r.acc, name)))
		err = perfdb_ingest__catch2_passes(&r.acc, rs, read_pass, &r, "benchmark table");
	pass_release(&r);
	free(r.after_rule.tcase.s);
	free(r.after_rule.sections.s);
	free(r.after_rule.last_section.s);
	perfdb_ingest__catch2_release(&r.acc);
	return err;
}

int perfdb_ingest__catch2_console(perfdb_resultset *rs, const char *data, size_t len,
				  const char *name)
{
	return perfdb_ingest__catch2_console_as(rs, data, len, name, false);
}
