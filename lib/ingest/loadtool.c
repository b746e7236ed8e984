/*
 * Pieces the load-tool readers share. See loadtool.h.
 */
#include "ingest/loadtool.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/reader.h"
#include "ingest/window.h"

struct perfdb_load_pairs {
	perfdb_ingest_fingerprints seen; /* of the pairs put */
	size_t checked;			 /* results in rs when the last put returned */
};

int perfdb_load__pairs_begin(perfdb_load_text *t)
{
	int err;
	if (!(t->pairs = calloc(1, sizeof(*t->pairs))))
		return perfdb_error__oom();
	if ((err = perfdb_ingest__fingerprints_init(&t->pairs->seen, 64))) {
		free(t->pairs);
		t->pairs = NULL;
	}
	return err;
}

void perfdb_load__pairs_end(perfdb_load_text *t)
{
	if (t->pairs)
		perfdb_ingest__fingerprints_release(&t->pairs->seen);
	free(t->pairs);
	t->pairs = NULL;
}

void perfdb_load__text_init(perfdb_load_text *t, const char *data, size_t len, const char *name,
			    perfdb_resultset *rs)
{
	memset(t, 0, sizeof(*t));
	t->data = data;
	t->len = len;
	t->name = name ? name : "<input>";
	t->rs = rs;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		t->pos = 3;
}

void perfdb_load__text_window(perfdb_load_text *t, perfdb_ingest_window *w, const char *name,
			      perfdb_resultset *rs)
{
	perfdb_load__text_init(t, NULL, 0, name, rs);
	t->w = w;
	if (perfdb_ingest__window_have(w, 2, 0) &&
	    memcmp(perfdb_ingest__window_at(w, 0), "\xEF\xBB\xBF", 3) == 0)
		t->pos = 3;
}

void perfdb_load__seek(perfdb_load_text *t, size_t at, int line)
{
	t->pos = at;
	t->line = line;
	if (t->w)
		perfdb_ingest__window_seek(t->w, at);
}

size_t perfdb_load__lines_left(const perfdb_load_text *t)
{
	return perfdb_ingest__newlines(t->data + t->pos, t->len - t->pos) +
	       (t->pos < t->len && t->data[t->len - 1] != '\n');
}

bool perfdb_load__next_line(perfdb_load_text *t)
{
	size_t start = t->pos, end;
	t->at = start;
	if (t->w) {
		const char *s;
		size_t n;
		if (perfdb_ingest__window_line(t->w, &t->pos, &s, &n) != 1)
			return false;
		t->s = s;
		end = n;
		start = 0;
	} else {
		if (t->pos >= t->len)
			return false;
		while (t->pos < t->len && t->data[t->pos] != '\n')
			t->pos++;
		end = t->pos;
		if (t->pos < t->len)
			t->pos++;
		t->s = t->data + start;
	}
	/* CRLF, and the CR CR LF of files a text-mode writer on Windows
	 * turned "\r\n" into (Locust 1.x): every CR before the LF. */
	while (end > start && t->s[end - start - 1] == '\r')
		end--;
	t->n = end - start;
	t->line++;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

bool perfdb_load__starts(const perfdb_load_text *t, const char *prefix, size_t *rest)
{
	size_t i = 0, n = strlen(prefix);
	while (i < t->n && blank(t->s[i]))
		i++;
	if (t->n - i < n || memcmp(t->s + i, prefix, n) != 0)
		return false;
	if (rest)
		*rest = i + n;
	return true;
}

bool perfdb_load__blank(const perfdb_load_text *t)
{
	size_t i;
	for (i = 0; i < t->n; i++)
		if (!blank(t->s[i]))
			return false;
	return true;
}

bool perfdb_load__word(const perfdb_load_text *t, size_t *i, size_t *start, size_t *wlen)
{
	while (*i < t->n && blank(t->s[*i]))
		(*i)++;
	if (*i >= t->n)
		return false;
	*start = *i;
	while (*i < t->n && !blank(t->s[*i]))
		(*i)++;
	*wlen = *i - *start;
	return true;
}

int perfdb_load__column(const perfdb_load_text *t, size_t off)
{
	return perfdb_ingest__columns(t->s, off < t->n ? off : t->n) + 1;
}

int perfdb_load__fail(const perfdb_load_text *t, size_t off, const char *field, const char *fmt,
		      ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return perfdb_error__input(PERFDB_EINPUT, t->name, t->line, perfdb_load__column(t, off),
				   field, "%s", what);
}

int perfdb_load__warn(const perfdb_load_text *t, size_t off, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return perfdb_resultset_warn(t->rs, "%s:%d:%d: %s", t->name, t->line,
				     perfdb_load__column(t, off), what);
}

int perfdb_load__number(const char *s, size_t len, double *out)
{
	static const char *const nonfinite[] = {"nan",	"-nan",	    "+nan",	 "inf",	     "-inf",
						"+inf", "infinity", "-infinity", "+infinity"};
	char buf[64];
	size_t k;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (k = 0; k < sizeof(nonfinite) / sizeof(nonfinite[0]); k++)
		if (strcasecmp(buf, nonfinite[k]) == 0)
			return 1;
	return perfdb_ingest__number(buf, out) == 0 ? 0 : -1;
}

int perfdb_load__number_unit(const char *s, size_t len, double *out, size_t *unit_off)
{
	size_t i = 0;
	int rc;
	/* "-nan" and "inf" carry no unit in any of these tools. */
	if ((rc = perfdb_load__number(s, len, out)) == 1)
		return (*unit_off = len), 1;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
		i++;
	*unit_off = i;
	return perfdb_load__number(s, i, out) == 0 ? 0 : -1;
}

double perfdb_load__time_unit(const char *unit, size_t len)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = {{"ns", 1.0}, {"us", 1e3},	 {"\xc2\xb5s", 1e3}, {"ms", 1e6},   {"s", 1e9},
		     {"m", 60e9}, {"h", 3600e9}, {"sec", 1e9},	     {"secs", 1e9}, {"min", 60e9}};
	size_t k;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (strlen(units[k].name) == len && memcmp(units[k].name, unit, len) == 0)
			return units[k].ns;
	return 0.0;
}

void perfdb_load__percentile_metric(char *out, size_t size, const char *prefix, const char *pct,
				    size_t len)
{
	size_t n = len;
	if (memchr(pct, '.', len)) {
		while (n > 0 && pct[n - 1] == '0')
			n--;
		if (n > 0 && pct[n - 1] == '.')
			n--;
	}
	snprintf(out, size, "%s%.*s", prefix, (int)n, pct);
}

int perfdb_load__add(perfdb_resultset *rs, const char *benchmark, const char *metric,
		     perfdb_load_kind kind, double value, const char *unit, long long n)
{
	perfdb_result r;
	perfdb_result_init(&r);
	r.benchmark = benchmark;
	r.metric = metric;
	r.value = value;
	r.n = n > 0 ? n : 0;
	switch (kind) {
	case PERFDB_LOAD_LATENCY:
		r.unit = "ns";
		r.direction = PERFDB_LOWER_IS_BETTER;
		break;
	case PERFDB_LOAD_THROUGHPUT:
		r.unit = "req/s";
		r.direction = PERFDB_HIGHER_IS_BETTER;
		break;
	case PERFDB_LOAD_RATE:
		r.unit = "B/s";
		r.direction = PERFDB_HIGHER_IS_BETTER;
		break;
	case PERFDB_LOAD_COUNT:
		r.unit = "";
		r.direction = PERFDB_HIGHER_IS_BETTER;
		break;
	case PERFDB_LOAD_ERRORS:
		r.unit = "";
		r.direction = PERFDB_LOWER_IS_BETTER;
		break;
	case PERFDB_LOAD_ERROR_RATE:
		r.unit = "%";
		r.direction = PERFDB_LOWER_IS_BETTER;
		break;
	case PERFDB_LOAD_SUCCESS:
		r.unit = "%";
		r.direction = PERFDB_HIGHER_IS_BETTER;
		break;
	}
	if (unit)
		r.unit = unit;
	return perfdb_resultset_add(rs, &r);
}

int perfdb_load__placed_row(perfdb_load_text *t, size_t at, int line, const double *v, size_t n,
			    int err)
{
	size_t k = 0, row = 0;
	if (err != PERFDB_EINVAL)
		return err;
	while (k < n && isfinite(v[k]))
		k++;
	perfdb_load__seek(t, at, line);
	while (k < n && perfdb_load__next_line(t))
		if (!perfdb_load__blank(t) && row++ == k)
			return perfdb_ingest__placed(err, t->name, t->line, 1);
	return err;
}

int perfdb_load__put(const perfdb_load_text *t, size_t off, perfdb_resultset *rs,
		     const char *benchmark, const char *metric, perfdb_load_kind kind, double value,
		     const char *unit, long long n)
{
	size_t i, from = 0, count = perfdb_resultset_count(rs);
	int err;
	if (t->pairs) {
		/* a pair put before has its fingerprint seen; results added
		 * otherwise since the last put are searched all the same */
		uint32_t f =
		    perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(benchmark, metric));
		if ((err = perfdb_ingest__fingerprints_add(&t->pairs->seen, f)))
			return err;
		if (!perfdb_ingest__fingerprints_repeated(&t->pairs->seen, f) &&
		    t->pairs->checked <= count)
			from = t->pairs->checked;
	}
	for (i = from; i < count; i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if (strcmp(r->benchmark, benchmark) == 0 && strcmp(r->metric, metric) == 0)
			return perfdb_load__fail(t, off, metric,
						 "'%s' of '%s' is given a second time", metric,
						 benchmark);
	}
	err = perfdb_load__add(rs, benchmark, metric, kind, value, unit, n);
	if (t->pairs)
		t->pairs->checked = perfdb_resultset_count(rs);
	if (err == PERFDB_EINVAL) {
		char msg[sizeof(perfdb_error_last()->message)];
		snprintf(msg, sizeof(msg), "%s", perfdb_error_last()->message);
		return perfdb_load__fail(t, off, metric, "%s", msg);
	}
	return err;
}
