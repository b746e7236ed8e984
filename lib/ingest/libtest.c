/*
 * Rust `cargo bench` output of the built-in #[bench] harness (libtest), as
 * text and as `-Z unstable-options --format json` events; the text reader
 * also takes criterion's `--output-format bencher` lines, which copy it.
 *
 *	test NAME ... bench:   1,234.56 ns/iter (+/- 78.90) = 456 MB/s
 *
 * The number is libtest's median of its samples (criterion's: its median),
 * so it becomes the value and the median of the "time" result; "+/-" is the
 * range (max - min) of those samples in libtest and has no result field, so
 * it is not stored. Thousands separators are dropped. `= N MB/s` (set by
 * b.bytes; the JSON calls it mib_per_second, though libtest computes both as
 * bytes per microsecond) is a "throughput" result in MB/s, higher is better.
 * A unit X/iter with X a time unit is a time; any other unit (cycles/iter,
 * a rate from criterion) is a metric of its own named by the unit.
 *
 * A name that appears again (two runs appended to one file) adds a sample.
 * FAILED benchmarks (`NAME --- FAILED` with -q) are warned about with their
 * position and not recorded;
 * ignored tests (which in `cargo bench` are mostly the #[test]s) get one
 * warning per file. Lines that are not test lines (cargo's Running lines,
 * criterion's console text, panics) are not read.
 *
 * The input is read in three passes, a line at a time through a window, as
 * the Go reader reads its own (gotest.c, window.h): a fingerprint of the
 * benchmark of every result, then every check and warning with the values
 * of the benchmarks that repeat, then each result at its first line.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/jsonl.h"
#include "ingest/reader.h"
#include "ingest/textpos.h"
#include "ingest/window.h"
#include "util/error.h"

/* The passes over the input (see the top). */
enum {
	FINGERPRINTS = PERFDB_INGEST_PASS_FINGERPRINTS,
	CHECKS = PERFDB_INGEST_PASS_CHECKS,
	RESULTS = PERFDB_INGEST_PASS_RESULTS
};

typedef struct reader {
	const char *name;
	perfdb_resultset *rs;
	perfdb_ingest_window in;
	int pass;
	bool json;
	perfdb_ingest_fingerprints seen; /* benchmarks: seen twice? */
	uint32_t fp;			 /* the current line's benchmark's */
	bool repeated;			 /* ... and whether it was */
	char first[64];			 /* pass 1: the line's first metric */
	perfdb_ingest_series_set series; /* the values of the pairs seen twice */
	perfdb_ingest_tally tally;
	perfdb_ingest_nameset failed; /* that FAILED, of the names seen on another line too */
	bool keep_failed;	      /* every such name (the reading before; tests) */
	size_t nignored;
	int ignored_line, ignored_column;
	size_t nbench;
	char *key; /* the benchmark name being hashed, NUL-terminated */
	size_t keycap;
	/* where key is, for a result refused: its line, and in JSON its event */
	int key_line;
	const perfdb_json_doc *key_doc;
	const perfdb_jnode *key_ev;
} reader;

static void reader_release(reader *r)
{
	perfdb_ingest__series_release(&r->series);
	perfdb_ingest__nameset_release(&r->failed);
	perfdb_ingest__fingerprints_release(&r->seen);
	perfdb_ingest__window_release(&r->in);
	free(r->key);
	perfdb_resultset_free(r->rs);
}

/* The result of (name, metric) from its values (n of them), unless the
 * benchmark failed. */
static int make_result(reader *r, const char *name, const char *metric, const char *unit,
		       const double *values, size_t n)
{
	perfdb_result res;
	int err, fits;
	if (perfdb_ingest__nameset_has(&r->failed, name, ""))
		return 0;
	perfdb_result_init(&res);
	res.benchmark = name;
	res.metric = metric;
	res.unit = unit;
	if (n == 1) {
		res.value = res.median = values[0];
	} else {
		res.value = NAN; /* the mean of the runs' medians */
		res.samples = values;
		res.nsamples = n;
	}
	fits = perfdb_ingest__fits_unit(&res);
	if (!fits || (err = perfdb_resultset_add(r->rs, &res))) {
		int l, c = 6; /* after "test " */
		if (r->key_doc)
			perfdb_json__where(r->key_doc, r->key_ev, "name", &l, &c);
		if (!fits)
			return perfdb_error__input(PERFDB_EINPUT, r->name, r->key_line, c, NULL,
						   "benchmark '%s': %s out of range", name, metric);
		return perfdb_ingest__placed(err, r->name, r->key_line, c);
	}
	return 0;
}

/* A line's values (a test line, a bench event) begin, of benchmark name:
 * pass 1 takes its fingerprint, passes 2 and 3 look it up. */
static int line_name(reader *r, const char *name, size_t nname)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)&r->key, &r->keycap, nname + 1, 1)))
		return err;
	memcpy(r->key, name, nname);
	r->key[nname] = '\0';
	r->fp = perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(r->key, ""));
	r->first[0] = '\0';
	if (r->pass == FINGERPRINTS)
		return perfdb_ingest__fingerprints_add(&r->seen, r->fp);
	r->repeated = r->pass == CHECKS ? perfdb_ingest__fingerprints_repeated(&r->seen, r->fp)
					: perfdb_ingest__series_has(&r->series, r->key);
	return 0;
}

/* A value of the line begun by line_name. */
static int add_value(reader *r, const char *metric, const char *unit, double v)
{
	perfdb_ingest_series *s;
	size_t i;
	int err;

	if (r->pass == FINGERPRINTS) {
		/* a metric twice on one line ("... 5 throughput = 3 MB/s"): samples */
		if (r->first[0] && strcmp(r->first, metric) == 0)
			return perfdb_ingest__fingerprints_add(&r->seen, r->fp);
		snprintf(r->first, sizeof(r->first), "%s", metric);
		return 0;
	}
	if (!r->repeated) {
		/* on this line only: nothing to keep */
		if (r->pass == CHECKS) {
			r->tally.singles++;
			return 0;
		}
		r->tally.made++;
		return make_result(r, r->key, metric, unit, &v, 1);
	}
	if (r->pass == CHECKS) {
		if ((err = perfdb_ingest__series_get(&r->series, r->key, metric, unit, &s)))
			return err;
		return perfdb_ingest__series_push(s, v);
	}
	/* pass 3: a repeated pair's result at its first line */
	if (!perfdb_ingest__series_find(&r->series, r->key, metric, &i) || i > r->tally.next)
		return perfdb_ingest__window_changed(&r->in);
	if (i < r->tally.next)
		return 0;
	r->tally.next++;
	s = &r->series.items[i];
	err = make_result(r, r->key, perfdb_ingest__series_metric(&r->series, s),
			  perfdb_ingest__series_unit(&r->series, s),
			  perfdb_ingest__series_values(s), s->n);
	perfdb_ingest__series_drop_values(s);
	return err;
}

/* A benchmark that FAILED: warned about, and its name kept only when its
 * fingerprint is seen on another line too (a result, another FAILED): a
 * name on its line alone is seen once, and a file of millions of failures
 * kept every one. */
static int mark_failed(reader *r, const char *name, size_t n, int line, int column)
{
	uint32_t fp;
	int err;
	if (r->pass == RESULTS || (r->pass == FINGERPRINTS && r->keep_failed))
		return 0;
	if ((err = perfdb_ingest__grow((void **)&r->key, &r->keycap, n + 1, 1)))
		return err;
	memcpy(r->key, name, n);
	r->key[n] = '\0';
	fp = perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(r->key, ""));
	if (r->pass == FINGERPRINTS)
		return perfdb_ingest__fingerprints_add(&r->seen, fp);
	if ((err = perfdb_resultset_warn(r->rs, "%s:%d:%d: benchmark '%.*s' FAILED; not recorded",
					 r->name, line, column, (int)n, name)))
		return err;
	if (!r->keep_failed && !perfdb_ingest__fingerprints_repeated(&r->seen, fp))
		return 0;
	err = perfdb_ingest__nameset_add(&r->failed, name, n, "");
	return err < 0 ? err : 0;
}

static void ignored(reader *r, int line, int column)
{
	if (r->pass == CHECKS && r->nignored++ == 0) {
		r->ignored_line = line;
		r->ignored_column = column;
	}
}

/* The time unit of "X/iter", with its canonical spelling, or NULL. */
static const char *time_unit(const char *u, size_t n)
{
	static const struct {
		const char *spelt, *unit;
	} units[] = {{"ns", "ns"},	  {"us", "us"}, {"\xc2\xb5s", "us"},
		     {"\xce\xbcs", "us"}, {"ms", "ms"}, {"s", "s"}};
	size_t i;
	if (n < 6 || memcmp(u + n - 5, "/iter", 5) != 0)
		return NULL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].spelt) == n - 5 && memcmp(u, units[i].spelt, n - 5) == 0)
			return units[i].unit;
	return NULL;
}

/* A number with optional thousands separators: "13,967,756.30". */
static int number(const char *s, size_t n, double *out)
{
	char buf[64];
	size_t i, k = 0;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] != ',')
			buf[k++] = s[i];
		else if (i == 0 || i + 1 == n)
			return -1;
	buf[k] = '\0';
	return perfdb_ingest__number(buf, out);
}

static int input_error(const reader *r, int line, int column, const char *what, const char *s,
		       size_t n)
{
	return perfdb_error__input(PERFDB_EINPUT, r->name, line, column, NULL, "%s '%.*s'", what,
				   (int)n, s);
}

/* "test NAME ... RESULT" */
static int test_line(reader *r, const char *s, size_t n, int line)
{
	const char *sep = NULL, *p, *end = s + n, *name = s + 5, *v, *u;
	size_t nname, nv, nu;
	const char *tu;
	double value;
	int rc, err;

	/* the last " ... " separates the name (which may hold spaces) from the result */
	for (p = s + 5; p + 5 <= end; p++)
		if (memcmp(p, " ... ", 5) == 0)
			sep = p;
	if (!sep)
		return 0;
	nname = (size_t)(sep - name);
	while (nname && name[nname - 1] == ' ')
		nname--;
	p = sep + 5;
	if ((size_t)(end - p) >= 6 && memcmp(p, "FAILED", 6) == 0)
		return mark_failed(r, name, nname, line, 6);
	if ((size_t)(end - p) >= 7 && memcmp(p, "ignored", 7) == 0) {
		ignored(r, line, 6);
		return 0;
	}
	if ((size_t)(end - p) < 6 || memcmp(p, "bench:", 6) != 0)
		return 0; /* "ok" of a #[test] run by cargo bench, and the like */
	if (nname == 0)
		return input_error(r, line, 6, "expected a benchmark name, found", "", 0);
	p += 6;
	while (p < end && *p == ' ')
		p++;
	v = p;
	while (p < end && *p != ' ')
		p++;
	nv = (size_t)(p - v);
	while (p < end && *p == ' ')
		p++;
	u = p;
	while (p < end && *p != ' ')
		p++;
	nu = (size_t)(p - u);
	if ((rc = number(v, nv, &value)) != 0)
		return input_error(r, line, (int)(v - s) + 1,
				   rc == -2 ? "number out of range:" : "expected a number, found",
				   v, nv);
	if (nu == 0)
		return input_error(r, line, (int)(u - s) + 1, "expected a unit after", v, nv);
	r->nbench += r->pass == CHECKS;
	r->key_line = line;
	if ((err = line_name(r, name, nname)))
		return err;
	if ((tu = time_unit(u, nu))) {
		if ((err = add_value(r, "time", tu, value)))
			return err;
	} else {
		char unit[64];
		if (nu >= sizeof(unit))
			return input_error(r, line, (int)(u - s) + 1, "unit too long:", u, 32);
		memcpy(unit, u, nu);
		unit[nu] = '\0';
		if ((err = add_value(r, unit, unit, value)))
			return err;
	}
	/* "(+/- N)" then perhaps "= N MB/s" */
	{
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq) {
			const char *m = eq + 1, *mu;
			double mbs;
			while (m < end && *m == ' ')
				m++;
			mu = m;
			while (mu < end && *mu != ' ')
				mu++;
			if ((rc = number(m, (size_t)(mu - m), &mbs)) != 0)
				return input_error(r, line, (int)(m - s) + 1,
						   "expected a number, found", m, (size_t)(mu - m));
			while (mu < end && *mu == ' ')
				mu++;
			if ((size_t)(end - mu) != 4 || memcmp(mu, "MB/s", 4) != 0)
				return input_error(r, line, (int)(mu - s) + 1,
						   "expected MB/s, found", mu, (size_t)(end - mu));
			if ((err = add_value(r, "throughput", "MB/s", mbs)))
				return err;
		}
	}
	return 0;
}

/* One pass over the text. Pass 1 refuses a NUL byte first, where it is,
 * and reads test lines only as far as one fails (pass 2 stops there). */
static int text_pass(reader *r)
{
	const char *d;
	size_t pos = 0, n;
	int line = 1, rc, err;
	bool counting = true;

	while ((rc = perfdb_ingest__window_line(&r->in, &pos, &d, &n)) > 0) {
		if (r->pass == FINGERPRINTS && memchr(d, '\0', n))
			return perfdb_ingest__refuse_nul_line(d, n, r->name, line);
		while (n && (d[n - 1] == '\r' || d[n - 1] == ' '))
			n--;
		err = 0;
		if (!counting)
			;
		else if (n > 5 && memcmp(d, "test ", 5) == 0)
			err = test_line(r, d, n, line);
		else if (n > 11 && memcmp(d + n - 11, " --- FAILED", 11) == 0 &&
			 !memchr(d, ' ', n - 11))
			err = mark_failed(r, d, n - 11, line,
					  1); /* cargo bench -q: "NAME --- FAILED" */
		if (err == PERFDB_EINPUT && r->pass == FINGERPRINTS)
			counting = false;
		else if (err)
			return err;
		line++;
	}
	return rc;
}

/* --- --format json ------------------------------------------------------------ */

static int json_event(reader *r, perfdb_json_doc *doc, int line)
{
	const perfdb_jnode *ev = perfdb_json__root(doc);
	const char *type, *event, *name;
	double median, mbs;
	int err;

	if (!perfdb_json__is_object(ev))
		return perfdb_json__error(doc, NULL, NULL, "expected a libtest event (an object)");
	if ((err = perfdb_json__member_string(doc, ev, "type", true, &type)) < 0)
		return err;
	if (strcmp(type, "bench") == 0) {
		if ((err = perfdb_json__member_string(doc, ev, "name", true, &name)) < 0 ||
		    (err = perfdb_json__member_number(doc, ev, "median", true, &median)) < 0 ||
		    (err = perfdb_json__member_number(doc, ev, "mib_per_second", false, &mbs)) < 0)
			return err;
		r->nbench += r->pass == CHECKS;
		if (!isfinite(median) || median < 0) {
			int l, c;
			if (r->pass != CHECKS)
				return 0;
			perfdb_json__where(doc, ev, "median", &l, &c);
			return perfdb_resultset_warn(r->rs,
						     "%s:%d:%d: benchmark '%s': median is not a "
						     "time; not recorded",
						     r->name, line, c, name);
		}
		r->key_line = line;
		r->key_doc = doc;
		r->key_ev = ev;
		if ((err = line_name(r, name, strlen(name))) ||
		    (err = add_value(r, "time", "ns", median)))
			return err;
		if (!isnan(mbs) && (err = add_value(r, "throughput", "MB/s", mbs)))
			return err;
		return 0;
	}
	if (strcmp(type, "test") != 0 ||
	    perfdb_json__member_string(doc, ev, "event", false, &event) != 0 ||
	    perfdb_json__member_string(doc, ev, "name", false, &name) != 0)
		return 0;
	if (strcmp(event, "failed") == 0 || strcmp(event, "timeout") == 0) {
		int l, c;
		perfdb_json__where(doc, ev, "event", &l, &c);
		return mark_failed(r, name, strlen(name), line, c);
	}
	if (strcmp(event, "ignored") == 0) {
		int l, c;
		perfdb_json__where(doc, ev, "event", &l, &c);
		ignored(r, line, c);
	}
	return 0;
}

/* One pass over the JSON events. Pass 1 stops at an event that fails
 * (pass 2 stops there with its error). */
static int json_pass(reader *r)
{
	const char *d;
	size_t pos = 0, len, k;
	int line = 1, rc, err = 0;

	while ((rc = perfdb_ingest__window_line(&r->in, &pos, &d, &len)) > 0) {
		perfdb_json_doc *doc = NULL;
		for (k = 0; k < len && (d[k] == ' ' || d[k] == '\t' || d[k] == '\r'); k++)
			;
		if (k < len) {
			if (d[k] != '{')
				/* cargo prints its own text on stderr; stdout is events only */
				err = perfdb_error__input(PERFDB_EINPUT, r->name, line, (int)k + 1,
							  NULL, "expected a libtest JSON event");
			else if (!(err = perfdb_jsonl__load(&doc, d, len, r->name, line))) {
				if ((err = json_event(r, doc, line)) == PERFDB_EINPUT)
					err = perfdb_jsonl__relocate(err, r->name, line);
				perfdb_json__free(doc);
			}
			if (err)
				return r->pass == FINGERPRINTS && err == PERFDB_EINPUT ? 0 : err;
		}
		line++;
	}
	return rc;
}

/* --- the passes ------------------------------------------------------------------- */

static int one_pass(void *reader_, int pass)
{
	reader *r = reader_;
	r->pass = pass;
	perfdb_ingest__window_rewind(&r->in);
	return r->json ? json_pass(r) : text_pass(r);
}

/* Pass 1 (fingerprints), pass 2 (every check and warning, in file order;
 * the values of the benchmarks that may repeat), pass 3 (the results, final
 * as they are made: on to rs's sink, the source set first, gotest.c). The
 * input w is r's from here. */
static int read_libtest_as(perfdb_resultset *rs, const perfdb_ingest_window *w, const char *name,
			   bool json, bool keep_failed)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	r.in = *w;
	r.name = name;
	r.json = json;
	r.keep_failed = keep_failed;
	err = perfdb_ingest__three_passes(&r.rs, rs, "libtest", &r.seen, one_pass, &r, &r.tally,
					  &r.series.count, &r.in);
	if (!err && r.nignored)
		err = perfdb_resultset_warn(r.rs,
					    "%s:%d:%d: %zu test%s ignored (#[test]s, or #[ignore]d "
					    "benchmarks); not recorded",
					    r.name, r.ignored_line, r.ignored_column, r.nignored,
					    r.nignored == 1 ? "" : "s");
	if (!err && r.nbench == 0)
		err = perfdb_resultset_warn(r.rs, "%s: no benchmark results in the file", r.name);
	if (!err)
		err = perfdb_resultset_merge(rs, r.rs);
	reader_release(&r);
	return err;
}

static int read_libtest(perfdb_resultset *rs, const perfdb_ingest_window *w, const char *name,
			bool json)
{
	return read_libtest_as(rs, w, name, json, false);
}

static int read_libtest_kept(perfdb_resultset *rs, const perfdb_ingest_window *w, const char *name,
			     bool json)
{
	return read_libtest_as(rs, w, name, json, true);
}

int perfdb_ingest__libtest_as(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			      bool json, bool keep_failed)
{
	return perfdb_ingest__lines_buffer(keep_failed ? read_libtest_kept : read_libtest, rs, data,
					   len, name, json);
}

int perfdb_ingest__libtest(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	return perfdb_ingest__lines_buffer(read_libtest, rs, data, len, name, false);
}

int perfdb_ingest__libtest_json(perfdb_resultset *rs, const char *data, size_t len,
				const char *name)
{
	return perfdb_ingest__lines_buffer(read_libtest, rs, data, len, name, true);
}

int perfdb_ingest__libtest_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
				const char *name, size_t window, bool json)
{
	return perfdb_ingest__lines_file(read_libtest, rs, fd, from, size, name, window, json);
}
