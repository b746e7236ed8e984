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
 * the text stream first; positions then name the event's line in the file.
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
#include "util/error.h"

typedef struct config {
	char *key, *value;
} config;

typedef struct unit_hint {
	char *unit;
	perfdb_direction direction;
} unit_hint;

/* Where text line i (0-based) came from: a line of the input and a column. */
typedef struct origin {
	int line, column;
} origin;

typedef struct reader {
	const char *name; /* the input's name, for messages */
	perfdb_resultset *rs;
	const origin *map; /* NULL: the text is the input */
	size_t nmap;
	perfdb_ingest_series_set series; /* (benchmark, metric) -> values */
	perfdb_ingest_nameset failed;	 /* (benchmark, "" or "skip") that failed or were skipped */
	config *config;
	size_t nconfig, capconfig;
	unit_hint *hints;
	size_t nhints, caphints;
	char *pkg;
	char *buf; /* the current series name */
	size_t bufcap;
	size_t nresults; /* result lines read */
} reader;

static void reader_release(reader *r)
{
	size_t i;
	perfdb_ingest__series_release(&r->series);
	perfdb_ingest__nameset_release(&r->failed);
	for (i = 0; i < r->nconfig; i++) {
		free(r->config[i].key);
		free(r->config[i].value);
	}
	free(r->config);
	for (i = 0; i < r->nhints; i++)
		free(r->hints[i].unit);
	free(r->hints);
	free(r->pkg);
	free(r->buf);
	perfdb_resultset_free(r->rs);
}

/* The input position of text line `line` (1-based), column `column`. */
static void position(const reader *r, int line, int column, int *out_line, int *out_column)
{
	if (r->map && line >= 1 && (size_t)line <= r->nmap) {
		*out_line = r->map[line - 1].line;
		*out_column = r->map[line - 1].column;
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

static int warn_at(const reader *r, int line, int column, const char *fmt, const char *a, int na,
		   const char *b, int nb)
{
	int l, c;
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

static int cmp_config(const void *a, const void *b)
{
	return strcmp(((const config *)a)->key, ((const config *)b)->key);
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

static int set_config(reader *r, const char *k, size_t nk, const char *v, size_t nv)
{
	size_t i;
	char *key, *value;
	int err;

	while (nv && is_blank(*v))
		v++, nv--;
	while (nv && is_blank(v[nv - 1]))
		nv--;
	if (nk == 3 && memcmp(k, "pkg", 3) == 0) {
		free(r->pkg);
		r->pkg = nv ? perfdb_ingest__dup_n(v, nv) : NULL;
		return nv && !r->pkg ? perfdb_error__oom() : 0;
	}
	if (machine_key(k, nk)) {
		char kbuf[8];
		if (!nv)
			return 0;
		memcpy(kbuf, k, nk);
		kbuf[nk] = '\0';
		if (!(value = perfdb_ingest__dup_n(v, nv)))
			return perfdb_error__oom();
		err = perfdb_resultset_set_context(r->rs, kbuf, value);
		free(value);
		return err;
	}
	for (i = 0; i < r->nconfig; i++)
		if (strlen(r->config[i].key) == nk && memcmp(r->config[i].key, k, nk) == 0)
			break;
	if (i < r->nconfig) {
		free(r->config[i].value);
		r->config[i].value = NULL;
		if (!nv) { /* an empty value removes the key */
			free(r->config[i].key);
			r->config[i] = r->config[--r->nconfig];
			return 0;
		}
		if (!(r->config[i].value = perfdb_ingest__dup_n(v, nv)))
			return perfdb_error__oom();
		return 0;
	}
	if (!nv)
		return 0;
	if ((err = perfdb_ingest__grow((void **)&r->config, &r->capconfig, r->nconfig + 1,
				       sizeof(config))))
		return err;
	key = perfdb_ingest__dup_n(k, nk);
	value = perfdb_ingest__dup_n(v, nv);
	if (!key || !value) {
		free(key);
		free(value);
		return perfdb_error__oom();
	}
	r->config[r->nconfig].key = key;
	r->config[r->nconfig].value = value;
	r->nconfig++;
	qsort(r->config, r->nconfig, sizeof(config), cmp_config);
	return 0;
}

/* Unit <unit> key=value...: only better=higher|lower changes anything here. */
static int unit_line(reader *r, const char *s, size_t n)
{
	size_t i = 0, start;
	const char *unit;
	size_t nunit;
	perfdb_direction dir = PERFDB_DIRECTION_UNSET;

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
	for (i = 0; i < r->nhints; i++)
		if (strlen(r->hints[i].unit) == nunit &&
		    memcmp(r->hints[i].unit, unit, nunit) == 0) {
			r->hints[i].direction = dir;
			return 0;
		}
	if (perfdb_ingest__grow((void **)&r->hints, &r->caphints, r->nhints + 1,
				sizeof(unit_hint)) ||
	    !(r->hints[r->nhints].unit = perfdb_ingest__dup_n(unit, nunit)))
		return perfdb_error__oom();
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

static int add_value(reader *r, const char *bench, size_t nbench, const char *metric,
		     size_t nmetric, double v, int line, int column)
{
	perfdb_ingest_series *s;
	char mbuf[256], ubuf[256];
	int err;

	if (nmetric >= sizeof(mbuf))
		return input_error(r, line, column, "unit too long:", metric, 40);
	memcpy(mbuf, metric, nmetric);
	mbuf[nmetric] = '\0';
	if ((err = perfdb_ingest__series_get(&r->series, bench, nbench, mbuf,
					     value_unit(metric, nmetric, ubuf, sizeof(ubuf)), line,
					     &s)))
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

static int mark_failed(reader *r, const char *name, size_t n, bool skip, int line, int column)
{
	const char *kind = skip ? "skip" : "";
	size_t len;
	int err;
	if ((err = series_name(r, name, n, &len)))
		return err;
	if (perfdb_ingest__nameset_has(&r->failed, r->buf, kind))
		return 0; /* test2json repeats the line */
	if ((err = warn_at(r, line, column,
			   skip ? "%s:%d:%d: benchmark '%.*s' was skipped%.*s; not recorded"
				: "%s:%d:%d: benchmark '%.*s' failed%.*s; not recorded",
			   r->buf, (int)len, "", 0)))
		return err;
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

static int result_line(reader *r, const char *s, size_t n, int line)
{
	enum { MAXF = 256 };
	const char *f[MAXF];
	size_t fl[MAXF], nf, i, nbench;
	char tok[128];
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
	r->nresults++;
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
		return set_config(r, s, k, s + k + 1, n - k - 1);
	while (indent < n && is_blank(s[indent]))
		indent++;
	return status_line(r, s + indent, n - indent, line, (int)indent + 1);
}

static int parse_text(reader *r, const char *d, size_t len)
{
	size_t i = 0;
	int line = 1, err;
	while (i < len) {
		const char *nl = memchr(d + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - d) : len;
		if ((err = parse_line(r, d + i, end - i, line)))
			return err;
		i = end + 1;
		line++;
	}
	return 0;
}

/* --- results ---------------------------------------------------------------------- */

static int finish(reader *r, perfdb_resultset *rs, const char *source)
{
	size_t i, j;
	int err;

	/* The results are final as they are made: they go on to rs's sink (a
	 * batch at a time, not the whole run held twice), with the source
	 * already set, since the run is written with the first batch. */
	if ((err = perfdb_resultset_set_meta(r->rs, PERFDB_META_SOURCE, source)))
		return err;
	perfdb_resultset__stream_into(r->rs, rs);
	for (i = 0; i < r->series.count; i++) {
		perfdb_ingest_series *s = &r->series.items[i];
		perfdb_result res;
		if (!s->n || perfdb_ingest__nameset_has(&r->failed, s->benchmark, ""))
			continue;
		perfdb_result_init(&res);
		res.benchmark = s->benchmark;
		res.metric = s->metric;
		res.unit = s->unit;
		for (j = 0; j < r->nhints; j++)
			if (strcmp(r->hints[j].unit, s->metric) == 0)
				res.direction = r->hints[j].direction;
		res.value = NAN; /* the mean of the samples */
		res.samples = perfdb_ingest__series_values(s);
		res.nsamples = s->n;
		if (!perfdb_ingest__fits_unit(&res)) {
			int l, c;
			position(r, s->line, 1, &l, &c);
			return perfdb_error__input(PERFDB_EINPUT, r->name, l, c, NULL,
						   "benchmark '%s': %s out of range", s->benchmark,
						   s->metric);
		}
		if ((err = perfdb_resultset_add(r->rs, &res)))
			return err;
	}
	if (r->nresults == 0 &&
	    (err = perfdb_resultset_warn(r->rs, "%s: no benchmark results in the file", r->name)))
		return err;
	return perfdb_resultset_merge(rs, r->rs);
}

int perfdb_ingest__gotest(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	reader r;
	int err;
	memset(&r, 0, sizeof(r));
	r.name = name;
	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	if (!(err = perfdb_resultset_new(&r.rs)) && !(err = parse_text(&r, data, len)))
		err = finish(&r, rs, "go");
	reader_release(&r);
	return err;
}

/* --- test2json ------------------------------------------------------------------- */

typedef struct stream {
	char *text;
	size_t len, cap;
	origin *map;
	size_t nmap, capmap;
	bool at_line_start;
} stream;

static int stream_add(stream *st, const char *s, size_t n, int line, int column)
{
	size_t i;
	int err;
	if ((err = perfdb_ingest__grow((void **)&st->text, &st->cap, st->len + n + 1, 1)))
		return err;
	for (i = 0; i < n; i++) {
		if (st->at_line_start) {
			if ((err = perfdb_ingest__grow((void **)&st->map, &st->capmap, st->nmap + 1,
						       sizeof(origin))))
				return err;
			st->map[st->nmap].line = line;
			st->map[st->nmap].column = column;
			st->nmap++;
			st->at_line_start = false;
		}
		st->text[st->len++] = s[i];
		if (s[i] == '\n')
			st->at_line_start = true;
	}
	return 0;
}

int perfdb_ingest__gotest_json(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	reader r;
	stream st;
	size_t i = 0;
	int line = 1, err = 0;

	memset(&r, 0, sizeof(r));
	memset(&st, 0, sizeof(st));
	st.at_line_start = true;
	r.name = name;
	if ((err = perfdb_resultset_new(&r.rs)))
		goto done;
	while (i < len && !err) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len, k;
		perfdb_json_doc *doc = NULL;
		const perfdb_jnode *root, *action, *out;

		for (k = i; k < end && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r'); k++)
			;
		if (k == end)
			goto next; /* blank line */
		if (data[k] != '{') {
			/* go test -json passes build output and panics through as text. */
			err = perfdb_error__input(PERFDB_EINPUT, name, line, (int)(k - i) + 1, NULL,
						  "expected a test2json event (a JSON object)");
			break;
		}
		if ((err = perfdb_jsonl__load(&doc, data + i, end - i, name, line)))
			break;
		root = perfdb_json__root(doc);
		action = perfdb_json__get(root, "Action");
		if (!perfdb_json__is_object(root) || !perfdb_json__is_string(action)) {
			perfdb_json__free(doc);
			err = perfdb_error__input(PERFDB_EINPUT, name, line, (int)(k - i) + 1,
						  "Action", "expected a test2json event");
			break;
		}
		if (strcmp(perfdb_json__string(action), "output") == 0) {
			const perfdb_jnode *pkg = perfdb_json__get(root, "Package");
			out = perfdb_json__get(root, "Output");
			if (!perfdb_json__is_string(out)) {
				err =
				    perfdb_json__error(doc, out ? out : root, out ? NULL : "Output",
						       "expected a string");
				perfdb_json__free(doc);
				err = perfdb_jsonl__relocate(err, name, line);
				break;
			}
			/* test2json names the package on every event; a pkg: line in
			 * the text says the same, so take it from the event. */
			if (perfdb_json__is_string(pkg) && st.at_line_start &&
			    (!r.pkg || strcmp(r.pkg, perfdb_json__string(pkg)) != 0)) {
				/* a pkg: line in the stream keeps positions honest */
				char tmp[1024];
				int n = snprintf(tmp, sizeof(tmp), "pkg: %s\n",
						 perfdb_json__string(pkg));
				if (n > 0 && (size_t)n < sizeof(tmp) &&
				    (err = stream_add(&st, tmp, (size_t)n, line, 1)) == 0) {
					free(r.pkg);
					r.pkg = strdup(perfdb_json__string(pkg));
					if (!r.pkg)
						err = perfdb_error__oom();
				}
			}
			if (!err) {
				/* the text's position: the "Output" key of this event (the
				 * buffer need not be NUL-terminated, and the key's name may
				 * also stand inside an earlier string) */
				const perfdb_jmember *m = perfdb_jnode_member(root, "Output");
				err = stream_add(&st, out->u.str.s, out->u.str.len, line,
						 m ? (int)m->column : 1);
			}
		}
		perfdb_json__free(doc);
	next:
		i = end + 1;
		line++;
	}
	if (!err) {
		free(r.pkg);
		r.pkg = NULL;
		r.map = st.map;
		r.nmap = st.nmap;
		if (!(err = parse_text(&r, st.text ? st.text : "", st.len)))
			err = finish(&r, rs, "go");
	}
done:
	free(st.text);
	free(st.map);
	reader_release(&r);
	return err;
}
