/*
 * Go `go test -bench` output: the text format (golang.org/design/14313,
 * "Go benchmark data format") and the same text carried by `go test -json`
 * (test2json events, one JSON object per line).
 *
 * A result line is `BenchmarkName-P  <iterations>  <value> <unit> ...`. Each
 * (value, unit) pair is a metric of its own, named by Go's unit exactly as
 * printed ("ns/op", "MB/s", "B/op", "allocs/op", "hits/op", "widgets"); the
 * value's unit is the measured one ("ns", "MB/s", "B", or the Go unit for
 * custom metrics), so perfdb's normalisation and default direction apply
 * (MB/s higher is better, the rest lower) unless a `Unit X better=higher`
 * line says otherwise. Lines repeating a name (-count N) are the samples of
 * one result.
 *
 * The name is kept as Go printed it, -P suffix included: `-cpu 1,2` runs the
 * same function at two GOMAXPROCS, which are two series, and a name ending in
 * "-20" cannot be told from a suffix anyway. It is prefixed with the package
 * ("example.com/x.BenchmarkFoo-8") when a `pkg:` line names one, so that
 * `go test ./...` over packages with equal benchmark names keeps them apart,
 * and suffixed with any other configuration lines in effect (benchstat's
 * `note: before`) as " [key=value,...]"; goos, goarch and cpu describe the
 * machine and go to the context instead.
 *
 * `--- FAIL: X` and `--- SKIP: X` are warnings, and a benchmark that failed
 * is not recorded at all, not even from its other repetitions. A line that
 * begins like a result but is not one is a warning; a result line whose
 * values do not parse is an error at that line and column.
 *
 * test2json splits a result line over two "output" events (the name, then
 * the values once the benchmark ends), so the Output strings are joined into
 * a text stream, a line at a time; positions then name the event's line in
 * the file.
 *
 * The input is read in three passes, a line at a time through a window
 * (window.h; lib/ingest/README.md, "Big files"), so that memory follows the
 * benchmarks that repeat, not the lines: pass 1 takes a fingerprint of the
 * benchmark of every result line, pass 2 reads everything with every check
 * and warning and keeps the values of the benchmarks whose fingerprint
 * repeats, and pass 3 makes each result at its first line, in that order.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
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

typedef struct config {
	char *key, *value;
} config;

/* The most bytes the configuration lines in effect may add to a name. */
#define PERFDB_GO_CONFIG_MAX 4096

typedef struct unit_hint {
	char *unit;
	perfdb_direction direction;
} unit_hint;

/* Where a text line came from: a line of the input and a column. */
typedef struct origin {
	int line, column;
} origin;

/* The passes over the input (see the top). */
enum {
	FINGERPRINTS = PERFDB_INGEST_PASS_FINGERPRINTS,
	CHECKS = PERFDB_INGEST_PASS_CHECKS,
	RESULTS = PERFDB_INGEST_PASS_RESULTS
};

typedef struct reader {
	const char *name; /* the input's name, for messages */
	perfdb_resultset *rs;
	perfdb_ingest_window in;
	int pass;
	bool json;     /* test2json: positions are the current text line's origin */
	origin here;   /* json: where the current text line came from */
	bool counting; /* pass 1: false once a line failed (pass 2 stops there) */
	perfdb_ingest_fingerprints seen; /* benchmarks (series names): seen twice? */
	bool repeated;			 /* the current line's benchmark was */
	perfdb_ingest_series_set series; /* (benchmark, metric) -> values, of repeated pairs */
	perfdb_ingest_tally tally;
	perfdb_ingest_nameset failed; /* (benchmark, "" or "skip") that failed or were skipped,
				       * of the names seen on another line too */
	bool keep_failed;	      /* every such name (the reading before; tests) */
	config *config;		      /* sorted by key */
	size_t nconfig, capconfig;
	size_t config_text; /* the bytes of their "k=v," */
	unit_hint *hints;
	size_t nhints, caphints;
	perfdb_ingest_index hint_index; /* (unit, "") -> its hint: a file of many Unit
					 * lines and many results was quadratic */
	char *pkg;
	char *json_pkg; /* the package of the last "pkg:" line put in the text */
	char *buf;	/* the current series name */
	size_t bufcap;
	char *text; /* json: the text line being joined */
	size_t textlen, textcap;
	bool at_line_start;
	origin pending; /* json: the origin of the text line being joined */
	int textline;
	size_t nresults; /* result lines read */
} reader;

/* Forgets the configuration lines, for the next pass. */
static void config_clear(reader *r)
{
	size_t i;
	for (i = 0; i < r->nconfig; i++) {
		free(r->config[i].key);
		free(r->config[i].value);
	}
	r->nconfig = 0;
	r->config_text = 0;
	free(r->pkg);
	free(r->json_pkg);
	r->pkg = r->json_pkg = NULL;
}

static void reader_release(reader *r)
{
	size_t i;
	perfdb_ingest__series_release(&r->series);
	perfdb_ingest__nameset_release(&r->failed);
	perfdb_ingest__fingerprints_release(&r->seen);
	config_clear(r);
	free(r->config);
	for (i = 0; i < r->nhints; i++)
		free(r->hints[i].unit);
	free(r->hints);
	perfdb_ingest__index_release(&r->hint_index);
	free(r->buf);
	free(r->text);
	perfdb_ingest__window_release(&r->in);
	perfdb_resultset_free(r->rs);
}

/* The input position of text line `line` (1-based), column `column`: the
 * current text line's origin in test2json. */
static void position(const reader *r, int line, int column, int *out_line, int *out_column)
{
	if (r->json) {
		*out_line = r->here.line;
		*out_column = r->here.column;
	} else {
		*out_line = line;
		*out_column = column;
	}
}

static int input_error(const reader *r, int line, int column, const char *what, const char *detail,
		       size_t n)
{
	int l, c;
	position(r, line, column, &l, &c);
	return perfdb_error__input(PERFDB_EINPUT, r->name, l, c, NULL, "%s '%.*s'", what, (int)n,
				   detail);
}

/* A warning, in pass 2 (the others read the same lines again). */
static int warn_at(const reader *r, int line, int column, const char *fmt, const char *a, int na,
		   const char *b, int nb)
{
	int l, c;
	if (r->pass != CHECKS)
		return 0;
	position(r, line, column, &l, &c);
	return perfdb_resultset_warn(r->rs, fmt, r->name, l, c, na, a, nb, b);
}

/* --- configuration lines ------------------------------------------------------ */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool machine_key(const char *k, size_t n)
{
	return (n == 4 && memcmp(k, "goos", 4) == 0) || (n == 6 && memcmp(k, "goarch", 6) == 0) ||
	       (n == 3 && memcmp(k, "cpu", 3) == 0);
}

/* key: value. The spec's key: a lower-case first letter, no space, no upper case. */
static bool config_line(const char *s, size_t n, size_t *keylen)
{
	size_t i;
	if (n == 0 || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (i = 0; i < n && s[i] != ':'; i++)
		if (is_blank(s[i]) || (s[i] >= 'A' && s[i] <= 'Z'))
			return false;
	if (i == n || (i + 1 < n && !is_blank(s[i + 1])))
		return false;
	*keylen = i;
	return true;
}

/* Where key k would be in r->config (sorted by key): *at, and whether it is there. */
static bool config_find(const reader *r, const char *k, size_t nk, size_t *at)
{
	size_t lo = 0, hi = r->nconfig;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, nm = strlen(r->config[mid].key);
		int c = memcmp(r->config[mid].key, k, nm < nk ? nm : nk);
		if (c == 0)
			c = nm < nk ? -1 : nm > nk;
		if (c == 0) {
			*at = mid;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return false;
}

/* The bytes of configuration every name carries: " [k=v,k=v]" and "pkg.". */
static size_t config_bytes(const reader *r)
{
	return r->config_text + (r->nconfig ? 2 : 0) + (r->pkg ? strlen(r->pkg) + 1 : 0);
}

/* r->config_text's share of entry c: "k=v,". */
static size_t entry_bytes(const config *c)
{
	return strlen(c->key) + strlen(c->value) + 2;
}

/* key: value, at line. The keys are kept sorted (a name lists them in key
 * order, whatever order the lines came in), found by binary search: a file
 * of many configuration lines was quadratic. What they add to every name is
 * bounded (PERFDB_GO_CONFIG_MAX), or a few lines could make every one of a
 * million names as long as the file. */
static int set_config(reader *r, const char *k, size_t nk, const char *v, size_t nv, int line)
{
	size_t i;
	char *key = NULL, *value = NULL, *old;
	bool found;

	while (nv && is_blank(*v))
		v++, nv--;
	while (nv && is_blank(v[nv - 1]))
		nv--;
	if (nk == 3 && memcmp(k, "pkg", 3) == 0) {
		free(r->pkg);
		r->pkg = nv ? perfdb_ingest__dup_n(v, nv) : NULL;
		if (nv && !r->pkg)
			return perfdb_error__oom();
		goto check;
	}
	if (machine_key(k, nk)) {
		char kbuf[8];
		int err;
		if (!nv || r->pass != CHECKS)
			return 0;
		memcpy(kbuf, k, nk);
		kbuf[nk] = '\0';
		if (!(value = perfdb_ingest__dup_n(v, nv)))
			return perfdb_error__oom();
		err = perfdb_resultset_set_context(r->rs, kbuf, value);
		free(value);
		return err;
	}
	found = config_find(r, k, nk, &i);
	if (found && !nv) { /* an empty value removes the key */
		r->config_text -= entry_bytes(&r->config[i]);
		free(r->config[i].key);
		free(r->config[i].value);
		memmove(&r->config[i], &r->config[i + 1], (r->nconfig - i - 1) * sizeof(config));
		r->nconfig--;
		return 0;
	}
	if (!nv)
		return 0;
	if (!(value = perfdb_ingest__dup_n(v, nv)))
		return perfdb_error__oom();
	if (found) {
		r->config_text -= entry_bytes(&r->config[i]);
		old = r->config[i].value;
		r->config[i].value = value;
		r->config_text += entry_bytes(&r->config[i]);
		free(old);
		goto check;
	}
	if (perfdb_ingest__grow((void **)&r->config, &r->capconfig, r->nconfig + 1,
				sizeof(config)) ||
	    !(key = perfdb_ingest__dup_n(k, nk))) {
		free(value);
		return perfdb_error__oom();
	}
	memmove(&r->config[i + 1], &r->config[i], (r->nconfig - i) * sizeof(config));
	r->config[i].key = key;
	r->config[i].value = value;
	r->nconfig++;
	r->config_text += entry_bytes(&r->config[i]);
check:
	if (config_bytes(r) > PERFDB_GO_CONFIG_MAX) {
		int l, c;
		position(r, line, 1, &l, &c);
		return perfdb_error__input(
		    PERFDB_EINPUT, r->name, l, c, NULL,
		    "the configuration lines in effect (pkg: and key: value) "
		    "come to more than %d bytes, which every benchmark's "
		    "name would carry",
		    PERFDB_GO_CONFIG_MAX);
	}
	return 0;
}

/* Unit <unit> key=value...: only better=higher|lower changes anything here. */
static int unit_line(reader *r, const char *s, size_t n)
{
	size_t i = 0, start;
	const char *unit;
	size_t nunit;
	perfdb_direction dir = PERFDB_DIRECTION_UNSET;
	int err;

	if (r->pass != CHECKS)
		return 0; /* the hints of the whole file apply to every result */
	while (i < n && is_blank(s[i]))
		i++;
	start = i;
	while (i < n && !is_blank(s[i]))
		i++;
	unit = s + start;
	nunit = i - start;
	while (i < n) {
		while (i < n && is_blank(s[i]))
			i++;
		start = i;
		while (i < n && !is_blank(s[i]))
			i++;
		if (i - start == 13 && memcmp(s + start, "better=higher", 13) == 0)
			dir = PERFDB_HIGHER_IS_BETTER;
		else if (i - start == 12 && memcmp(s + start, "better=lower", 12) == 0)
			dir = PERFDB_LOWER_IS_BETTER;
	}
	if (!nunit || dir == PERFDB_DIRECTION_UNSET)
		return 0;
	if (perfdb_ingest__grow((void **)&r->hints, &r->caphints, r->nhints + 1,
				sizeof(unit_hint)) ||
	    !(r->hints[r->nhints].unit = perfdb_ingest__dup_n(unit, nunit)))
		return perfdb_error__oom();
	/* the last hint of a unit wins */
	if ((err = perfdb_ingest__index_add(&r->hint_index, r->hints[r->nhints].unit, "", r->nhints,
					    &i)) < 0)
		return err;
	if (err) {
		free(r->hints[r->nhints].unit);
		r->hints[i].direction = dir;
		return 0;
	}
	r->hints[r->nhints++].direction = dir;
	return 0;
}

/* --- names ---------------------------------------------------------------------- */

static int append(reader *r, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > r->bufcap) {
		size_t cap = (*len + n + 1) * 2;
		char *p = realloc(r->buf, cap);
		if (!p)
			return perfdb_error__oom();
		r->buf = p;
		r->bufcap = cap;
	}
	memcpy(r->buf + *len, s, n);
	*len += n;
	r->buf[*len] = '\0';
	return 0;
}

/* pkg.Name [k=v,...] into r->buf; *out_len is its length. */
static int series_name(reader *r, const char *name, size_t n, size_t *out_len)
{
	size_t len = 0, i;
	int err = 0;
	if (r->pkg &&
	    ((err = append(r, &len, r->pkg, strlen(r->pkg))) || (err = append(r, &len, ".", 1))))
		return err;
	if ((err = append(r, &len, name, n)))
		return err;
	for (i = 0; i < r->nconfig && !err; i++)
		if ((err = append(r, &len, i ? "," : " [", i ? 1 : 2)) ||
		    (err = append(r, &len, r->config[i].key, strlen(r->config[i].key))) ||
		    (err = append(r, &len, "=", 1)) ||
		    (err = append(r, &len, r->config[i].value, strlen(r->config[i].value))))
			return err;
	if (r->nconfig)
		err = append(r, &len, "]", 1);
	*out_len = len;
	return err;
}

/* --- result lines --------------------------------------------------------------- */

/* The unit of the value of Go unit u, and its default direction. */
static const char *value_unit(const char *u, size_t n, char *buf, size_t cap)
{
	static const char *const times[] = {"ns", "us", "µs", "ms", "s", "sec"};
	static const size_t ntimes[] = {2, 2, sizeof("µs") - 1, 2, 1, 3};
	size_t i;
	if (n > 3 && memcmp(u + n - 3, "/op", 3) == 0) {
		for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
			if (ntimes[i] == n - 3 && memcmp(u, times[i], n - 3) == 0)
				return times[i];
		if (n == 4 && u[0] == 'B')
			return "B";
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, u, n);
	buf[n] = '\0';
	return buf;
}

/* A result of benchmark: its values (n, in file order) of Go unit metric,
 * unless there are none or the benchmark failed. */
static int make_result(reader *r, const char *benchmark, const char *metric, const char *unit,
		       const double *values, size_t n, int line)
{
	perfdb_result res;
	size_t j;
	int err;
	if (!n || perfdb_ingest__nameset_has(&r->failed, benchmark, ""))
		return 0;
	perfdb_result_init(&res);
	res.benchmark = benchmark;
	res.metric = metric;
	res.unit = unit;
	if (perfdb_ingest__index_find(&r->hint_index, metric, "", &j))
		res.direction = r->hints[j].direction;
	res.value = NAN; /* the mean of the samples */
	res.samples = values;
	res.nsamples = n;
	if (!perfdb_ingest__fits_unit(&res)) {
		int l, c;
		position(r, line, 1, &l, &c);
		return perfdb_error__input(PERFDB_EINPUT, r->name, l, c, NULL,
					   "benchmark '%s': %s out of range", benchmark, metric);
	}
	if ((err = perfdb_resultset_add(r->rs, &res))) {
		int l, c;
		position(r, line, 1, &l, &c);
		return perfdb_ingest__placed(err, r->name, l, c);
	}
	return 0;
}

/* Pass 3 at a repeated pair: its result, at the pair's first line. */
static int make_series(reader *r, const char *bench, const char *metric, int line)
{
	perfdb_ingest_series *s;
	size_t i;
	int err;
	if (!perfdb_ingest__series_find(&r->series, bench, metric, &i) || i > r->tally.next)
		return perfdb_ingest__window_changed(&r->in);
	if (i < r->tally.next)
		return 0; /* a later line of the pair */
	r->tally.next++;
	s = &r->series.items[i];
	err = make_result(r, bench, perfdb_ingest__series_metric(&r->series, s),
			  perfdb_ingest__series_unit(&r->series, s),
			  perfdb_ingest__series_values(s), s->n, line);
	perfdb_ingest__series_drop_values(s);
	return err;
}

static int add_value(reader *r, const char *bench, size_t nbench, const char *metric,
		     size_t nmetric, double v, int line, int column)
{
	perfdb_ingest_series *s;
	char mbuf[256], ubuf[256];
	const char *unit;
	int err;

	if (nmetric >= sizeof(mbuf))
		return input_error(r, line, column, "unit too long:", metric, 40);
	memcpy(mbuf, metric, nmetric);
	mbuf[nmetric] = '\0';
	unit = value_unit(metric, nmetric, ubuf, sizeof(ubuf));
	if (!r->repeated) {
		/* on this line only: nothing to keep */
		if (r->pass == RESULTS) {
			r->tally.made++;
			return isfinite(v) ? make_result(r, bench, mbuf, unit, &v, 1, line) : 0;
		}
		r->tally.singles++;
		if (!isfinite(v))
			return warn_at(r, line, column,
				       "%s:%d:%d: benchmark '%.*s': %.*s is not a "
				       "number; not recorded",
				       bench, (int)nbench, mbuf, (int)nmetric);
		return 0;
	}
	if (r->pass == RESULTS)
		return make_series(r, bench, mbuf, line);
	if ((err = perfdb_ingest__series_get(&r->series, bench, mbuf, unit, &s)))
		return err;
	if (!isfinite(v)) {
		if (!s->bad && (err = warn_at(r, line, column,
					      "%s:%d:%d: benchmark '%.*s': %.*s is not a "
					      "number; not recorded",
					      bench, (int)nbench, mbuf, (int)nmetric)))
			return err;
		s->bad = true;
		return 0;
	}
	return perfdb_ingest__series_push(s, v);
}

/* Go prints NaN and ±Inf as "NaN", "+Inf", "-Inf". */
static int go_number(const char *s, double *out)
{
	if (s[0] >= '0' && s[0] <= '9')
		return perfdb_ingest__number(s, out);
	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Inf") == 0) {
		*out = -INFINITY;
		return 0;
	}
	return perfdb_ingest__number(s, out);
}

/* Splits s (n bytes) at blanks into at most max fields. */
static size_t fields(const char *s, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t i = 0, k = 0;
	while (i < n) {
		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			break;
		if (k == max)
			return max + 1;
		f[k] = s + i;
		while (i < n && !is_blank(s[i]))
			i++;
		fl[k] = (size_t)(s + i - f[k]);
		k++;
	}
	return k;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* A benchmark that failed or was skipped: warned about once (test2json
 * repeats the line), and its name kept, only when its fingerprint is seen
 * on another line too (a result line, another status): a name on its line
 * alone is seen once, and a file of millions of failures kept every one. */
static int mark_failed(reader *r, const char *name, size_t n, bool skip, int line, int column)
{
	const char *kind = skip ? "skip" : "";
	size_t len;
	uint32_t fp;
	int err;
	if (r->pass == RESULTS || (r->pass == FINGERPRINTS && r->keep_failed))
		return 0;
	if ((err = series_name(r, name, n, &len)))
		return err;
	fp = perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(r->buf, ""));
	if (r->pass == FINGERPRINTS)
		return perfdb_ingest__fingerprints_add(&r->seen, fp);
	if (perfdb_ingest__nameset_has(&r->failed, r->buf, kind))
		return 0; /* test2json repeats the line */
	if ((err = warn_at(r, line, column,
			   skip ? "%s:%d:%d: benchmark '%.*s' was skipped%.*s; not recorded"
				: "%s:%d:%d: benchmark '%.*s' failed%.*s; not recorded",
			   r->buf, (int)len, "", 0)))
		return err;
	if (!r->keep_failed && !perfdb_ingest__fingerprints_repeated(&r->seen, fp))
		return 0;
	err = perfdb_ingest__nameset_add(&r->failed, r->buf, len, kind);
	return err < 0 ? err : 0;
}

/* "--- FAIL: BenchmarkX-2 (0.00s)" at s (after any indentation). */
static int status_line(reader *r, const char *s, size_t n, int line, int column)
{
	bool skip;
	size_t i, start;
	if (n < 10 || memcmp(s, "--- ", 4) != 0)
		return 0;
	if (memcmp(s + 4, "FAIL: ", 6) == 0)
		skip = false;
	else if (memcmp(s + 4, "SKIP: ", 6) == 0)
		skip = true;
	else
		return 0;
	start = 10;
	for (i = start; i < n && !is_blank(s[i]); i++)
		;
	if (i == start || n - start < 9 || memcmp(s + start, "Benchmark", 9) != 0)
		return 0; /* a test, not a benchmark */
	return mark_failed(r, s + start, i - start, skip, line, column + 10);
}

typedef struct unit_text {
	const char *s;
	size_t n;
} unit_text;

static int cmp_unit_text(const void *a, const void *b)
{
	const unit_text *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return memcmp(x->s, y->s, x->n);
}

/* Pass 1 at a result line of benchmark fingerprint fp with units f[3],
 * f[5]...: fp, and again when a unit repeats on the line (its values are
 * then the samples of one result). */
static int fingerprint_line(reader *r, uint32_t fp, const char *const *f, const size_t *fl,
			    size_t nf)
{
	unit_text u[128];
	size_t i, m = 0;
	int err;
	if ((err = perfdb_ingest__fingerprints_add(&r->seen, fp)))
		return err;
	for (i = 3; i < nf && m < sizeof(u) / sizeof(u[0]); i += 2, m++) {
		u[m].s = f[i];
		u[m].n = fl[i];
	}
	qsort(u, m, sizeof(u[0]), cmp_unit_text);
	for (i = 1; i < m; i++)
		if (!cmp_unit_text(&u[i], &u[i - 1]))
			return perfdb_ingest__fingerprints_add(&r->seen, fp);
	return 0;
}

static int result_line(reader *r, const char *s, size_t n, int line)
{
	enum { MAXF = 256 };
	const char *f[MAXF];
	size_t fl[MAXF], nf, i, nbench;
	char tok[128];
	uint32_t fp;
	int err;

	nf = fields(s, n, f, fl, MAXF);
	if (nf == 1)
		return 0; /* -v prints the bare name before running it */
	if (nf > MAXF)
		return input_error(r, line, 1, "too many fields in result line of", f[0], fl[0]);
	if (!all_digits(f[1], fl[1])) {
		size_t off = (size_t)(f[1] - s);
		/* "BenchmarkX-2 \t--- FAIL: BenchmarkX-2": the status follows the name. */
		if (n - off >= 4 && memcmp(f[1], "--- ", 4) == 0)
			return status_line(r, f[1], n - off, line, (int)off + 1);
		return warn_at(r, line, 1,
			       "%s:%d:%d: '%.*s' starts like a benchmark result but has no "
			       "iteration count; line ignored%.*s",
			       f[0], (int)fl[0], "", 0);
	}
	if (nf % 2 != 0)
		return input_error(r, line, (int)(f[nf - 1] - s) + 1,
				   "expected a value and a unit, found a lone", f[nf - 1],
				   fl[nf - 1]);
	if ((err = series_name(r, f[0], fl[0], &nbench)))
		return err;
	/* Which benchmarks repeat is known by name: one fingerprint a line */
	fp = perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(r->buf, ""));
	if (r->pass == FINGERPRINTS)
		return fingerprint_line(r, fp, f, fl, nf);
	r->repeated = r->pass == CHECKS ? perfdb_ingest__fingerprints_repeated(&r->seen, fp)
					: perfdb_ingest__series_has(&r->series, r->buf);
	for (i = 2; i < nf; i += 2) {
		double v;
		int rc;
		if (fl[i] >= sizeof(tok))
			return input_error(r, line, (int)(f[i] - s) + 1, "expected a number, found",
					   f[i], fl[i]);
		memcpy(tok, f[i], fl[i]);
		tok[fl[i]] = '\0';
		if ((rc = go_number(tok, &v)) == -1)
			return input_error(r, line, (int)(f[i] - s) + 1, "expected a number, found",
					   f[i], fl[i]);
		if (rc == -2)
			return input_error(r, line, (int)(f[i] - s) + 1,
					   "number out of range:", f[i], fl[i]);
		if ((err = add_value(r, r->buf, nbench, f[i + 1], fl[i + 1], v, line,
				     (int)(f[i] - s) + 1)))
			return err;
	}
	r->nresults += r->pass == CHECKS;
	return 0;
}

static int parse_line(reader *r, const char *s, size_t n, int line)
{
	size_t k, indent = 0;
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 9 && memcmp(s, "Benchmark", 9) == 0 && (n == 9 || !(s[9] >= 'a' && s[9] <= 'z')))
		return result_line(r, s, n, line);
	if (n > 5 && memcmp(s, "Unit", 4) == 0 && is_blank(s[4]))
		return unit_line(r, s + 5, n - 5);
	if (config_line(s, n, &k))
		return set_config(r, s, k, s + k + 1, n - k - 1, line);
	while (indent < n && is_blank(s[indent]))
		indent++;
	return status_line(r, s + indent, n - indent, line, (int)indent + 1);
}

/* A line of the text: in pass 1 only as far as a line fails (pass 2 stops
 * there with its error). */
static int text_line(reader *r, const char *s, size_t n, int line)
{
	int err;
	if (r->pass == FINGERPRINTS && !r->counting)
		return 0;
	err = parse_line(r, s, n, line);
	if (r->pass == FINGERPRINTS && err == PERFDB_EINPUT) {
		r->counting = false;
		return 0;
	}
	return err;
}

/* One pass over Go text. Pass 1 refuses a NUL byte first, where it is. */
static int text_pass(reader *r)
{
	const char *s;
	size_t pos = 0, n;
	int line = 1, rc, err;
	while ((rc = perfdb_ingest__window_line(&r->in, &pos, &s, &n)) > 0) {
		if (r->pass == FINGERPRINTS && memchr(s, '\0', n))
			return perfdb_ingest__refuse_nul_line(s, n, r->name, line);
		if ((err = text_line(r, s, n, line)))
			return err;
		line++;
	}
	return rc;
}

/* --- test2json ------------------------------------------------------------------- */

/* n bytes of Output from the event on input line `line` (its "Output" key at
 * `column`): each text line they complete is read. */
static int text_add(reader *r, const char *s, size_t n, int line, int column)
{
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) : n;
		int err;
		if (r->at_line_start) {
			r->pending.line = line;
			r->pending.column = column;
			r->textlen = 0;
			r->at_line_start = false;
		}
		if ((err = perfdb_ingest__grow((void **)&r->text, &r->textcap, r->textlen + k + 1,
					       1)))
			return err;
		memcpy(r->text + r->textlen, s, k);
		r->textlen += k;
		if (!nl)
			break;
		r->here = r->pending;
		r->at_line_start = true;
		if ((err = text_line(r, r->text, r->textlen, ++r->textline)))
			return err;
		s += k + 1;
		n -= k + 1;
	}
	return 0;
}

/* An "output" event: its Output, after a "pkg:" line when it names another
 * package at the start of a text line. */
static int output_event(reader *r, perfdb_json_doc *doc, const perfdb_jnode *root, int line)
{
	const perfdb_jnode *pkg = perfdb_json__get(root, "Package");
	const perfdb_jnode *out = perfdb_json__get(root, "Output");
	const perfdb_jmember *m;
	int err;
	if (!perfdb_json__is_string(out)) {
		err = perfdb_json__error(doc, out ? out : root, out ? NULL : "Output",
					 "expected a string");
		return perfdb_jsonl__relocate(err, r->name, line);
	}
	/* test2json names the package on every event; a pkg: line in the text
	 * says the same, so take it from the event. */
	if (perfdb_json__is_string(pkg) && r->at_line_start &&
	    (!r->json_pkg || strcmp(r->json_pkg, perfdb_json__string(pkg)) != 0)) {
		/* a pkg: line in the stream keeps positions honest */
		char tmp[1024];
		int n = snprintf(tmp, sizeof(tmp), "pkg: %s\n", perfdb_json__string(pkg));
		if (n > 0 && (size_t)n < sizeof(tmp)) {
			if ((err = text_add(r, tmp, (size_t)n, line, 1)))
				return err;
			free(r->json_pkg);
			if (!(r->json_pkg = strdup(perfdb_json__string(pkg))))
				return perfdb_error__oom();
		}
	}
	/* the text's position: the "Output" key of this event (the line need
	 * not be NUL-terminated, and the key's name may also stand inside an
	 * earlier string) */
	m = perfdb_jnode_member(root, "Output");
	return text_add(r, out->u.str.s, out->u.str.len, line, m ? (int)m->column : 1);
}

/* One pass over test2json events. */
static int json_pass(reader *r)
{
	const char *d;
	size_t pos = 0, len, k;
	int line = 1, rc, err = 0;

	r->at_line_start = true;
	r->textline = 0;
	while (!err && (rc = perfdb_ingest__window_line(&r->in, &pos, &d, &len)) > 0) {
		perfdb_json_doc *doc = NULL;
		const perfdb_jnode *root, *action;

		for (k = 0; k < len && (d[k] == ' ' || d[k] == '\t' || d[k] == '\r'); k++)
			;
		if (k == len)
			goto next; /* blank line */
		if (d[k] != '{')
			/* go test -json passes build output and panics through as text. */
			return perfdb_error__input(PERFDB_EINPUT, r->name, line, (int)k + 1, NULL,
						   "expected a test2json event (a JSON object)");
		if ((err = perfdb_jsonl__load(&doc, d, len, r->name, line)))
			return err;
		root = perfdb_json__root(doc);
		action = perfdb_json__get(root, "Action");
		if (!perfdb_json__is_object(root) || !perfdb_json__is_string(action))
			err = perfdb_error__input(PERFDB_EINPUT, r->name, line, (int)k + 1,
						  "Action", "expected a test2json event");
		else if (strcmp(perfdb_json__string(action), "output") == 0)
			err = output_event(r, doc, root, line);
		perfdb_json__free(doc);
	next:
		line++;
	}
	if (err || rc < 0)
		return err ? err : rc;
	if (!r->at_line_start) { /* the text's last line, without its newline */
		r->here = r->pending;
		r->at_line_start = true;
		return text_line(r, r->text, r->textlen, ++r->textline);
	}
	return 0;
}

/* --- the passes -------------------------------------------------------------------- */

static int one_pass(void *reader_, int pass)
{
	reader *r = reader_;
	r->pass = pass;
	r->counting = true;
	config_clear(r);
	perfdb_ingest__window_rewind(&r->in);
	return r->json ? json_pass(r) : text_pass(r);
}

/*
 * Pass 1 (fingerprints; in test2json also every error of the events, which
 * the text's errors follow), pass 2 (every check and warning, in file
 * order; the values of the benchmarks that may repeat), pass 3 (the
 * results, final as they are made: on to rs's sink a batch at a time, with
 * the source already set, since the run is written with the first batch).
 * The input w is r's from here.
 */
static int read_go_as(perfdb_resultset *rs, const perfdb_ingest_window *w, const char *name,
		      bool json, bool keep_failed)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	r.in = *w;
	r.name = name;
	r.json = json;
	r.keep_failed = keep_failed;
	err = perfdb_ingest__three_passes(&r.rs, rs, "go", &r.seen, one_pass, &r, &r.tally,
					  &r.series.count, &r.in);
	if (!err && r.nresults == 0)
		err = perfdb_resultset_warn(r.rs, "%s: no benchmark results in the file", r.name);
	if (!err)
		err = perfdb_resultset_merge(rs, r.rs);
	reader_release(&r);
	return err;
}

static int read_go(perfdb_resultset *rs, const perfdb_ingest_window *w, const char *name, bool json)
{
	return read_go_as(rs, w, name, json, false);
}

static int read_go_kept(perfdb_resultset *rs, const perfdb_ingest_window *w, const char *name,
			bool json)
{
	return read_go_as(rs, w, name, json, true);
}

int perfdb_ingest__gotest_as(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			     bool json, bool keep_failed)
{
	return perfdb_ingest__lines_buffer(keep_failed ? read_go_kept : read_go, rs, data, len,
					   name, json);
}

int perfdb_ingest__gotest(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	return perfdb_ingest__lines_buffer(read_go, rs, data, len, name, false);
}

int perfdb_ingest__gotest_json(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	return perfdb_ingest__lines_buffer(read_go, rs, data, len, name, true);
}

int perfdb_ingest__gotest_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
			       const char *name, size_t window, bool json)
{
	return perfdb_ingest__lines_file(read_go, rs, fd, from, size, name, window, json);
}
