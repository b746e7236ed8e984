/*
 * wrk and wrk2 text output (stdout of `wrk [--latency] URL`, `wrk2 -R N
 * [--latency] [-U] URL`).
 *
 * The benchmark is the URL of the "Running 10s test @ URL" line: one report
 * is one endpoint. The report is read line by line and every line of it must
 * be one wrk prints; what follows "Transfer/sec:" is a Lua script's done()
 * output, ignored with a warning. Read (lib/ingest/README.md, "wrk and wrk2"):
 *
 *   Thread Stats "Latency" row     latency_mean, latency_stddev, latency_max
 *   "Latency Distribution" rows    latency_p50 ... (wrk2: p99.999, p100)
 *   wrk2 -U "Uncorrected" rows     uncorrected_latency_p50 ...
 *   "N requests in ..."            requests
 *   "Socket errors: ..."           socket_errors_connect/_read/_write/_timeout
 *   "Non-2xx or 3xx responses: N"  non_2xx
 *   (wrk prints these two lines only when a count is not zero: without them
 *   the counts are recorded as 0)
 *   "Requests/sec:"                throughput
 *   "Transfer/sec:"                transfer_rate
 *
 * The "Req/Sec" row is per-thread and wrk2 prints "-nan" there whenever it
 * paces the requests, so it is not read; wrk2's detailed percentile spectrum
 * repeats the distribution at a finer grain and is skipped. A "-nan" where a
 * value is read is warned about and not recorded. wrk prints its sizes with
 * binary prefixes (1KB = 1024 B) and its counts with decimal ones (1k = 1000).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/loadtool.h"
#include "ingest/textpos.h"
#include "util/error.h"

typedef struct wrk {
	perfdb_load_text t;
	perfdb_resultset *rs;
	char *url;
} wrk;

/* A value "<number><unit>" at word [s, s+n) of the current line; unit_kind
 * 't' for a duration (-> ns), 'b' for a binary size (-> B), 'm' for a
 * decimal count. 1 when it is NaN/inf (warned, not to be recorded). */
static int value_at(wrk *w, size_t off, size_t n, char unit_kind, const char *what, double *out)
{
	const char *s = w->t.s + off;
	size_t u;
	double v, f = 0.0;
	int rc = perfdb_load__number_unit(s, n, &v, &u);

	if (rc == 1) {
		int err =
		    perfdb_load__warn(&w->t, off, "%s is '%.*s'; not recorded", what, (int)n, s);
		return err ? err : 1;
	}
	if (rc < 0)
		return perfdb_load__fail(&w->t, off, what, "'%.*s' is not a number", (int)n, s);
	if (unit_kind == 't') {
		f = perfdb_load__time_unit(s + u, n - u);
	} else if (unit_kind == 'b') {
		static const char *const bin[] = {"B", "KB", "MB", "GB", "TB", "PB"};
		size_t k;
		for (k = 0, f = 1.0; k < sizeof(bin) / sizeof(bin[0]); k++, f *= 1024.0)
			if (strlen(bin[k]) == n - u && memcmp(bin[k], s + u, n - u) == 0)
				break;
		if (k == sizeof(bin) / sizeof(bin[0]))
			f = 0.0;
	} else {
		static const char *const dec[] = {"", "k", "M", "G", "T"};
		size_t k;
		for (k = 0, f = 1.0; k < sizeof(dec) / sizeof(dec[0]); k++, f *= 1000.0)
			if (strlen(dec[k]) == n - u && memcmp(dec[k], s + u, n - u) == 0)
				break;
		if (k == sizeof(dec) / sizeof(dec[0]))
			f = 0.0;
	}
	if (f == 0.0)
		return perfdb_load__fail(&w->t, off + u, what, "unknown unit '%.*s' in '%.*s'",
					 (int)(n - u), s + u, (int)n, s);
	if (v < 0)
		return perfdb_load__fail(&w->t, off, what, "'%.*s' is negative", (int)n, s);
	*out = v * f;
	return 0;
}

/* Reads the next word as a value and records it as metric. */
static int put_word(wrk *w, size_t *i, char unit_kind, const char *metric, perfdb_load_kind kind)
{
	size_t start, n;
	double v = 0.0;
	int rc;
	if (!perfdb_load__word(&w->t, i, &start, &n))
		return perfdb_load__fail(&w->t, w->t.n, metric, "a value is missing");
	if ((rc = value_at(w, start, n, unit_kind, metric, &v)))
		return rc > 0 ? 0 : rc;
	return perfdb_load__put(&w->t, start, w->rs, w->url, metric, kind, v, NULL, 0);
}

/* A count (an integer, no unit) of word [start, start+n). */
static int count_at(wrk *w, size_t start, size_t n, const char *what, double *out)
{
	int rc = perfdb_load__number(w->t.s + start, n, out);
	if (rc != 0 || *out < 0 || *out != floor(*out))
		return perfdb_load__fail(&w->t, start, what, "expected a count, found '%.*s'",
					 (int)n, w->t.s + start);
	return 0;
}

/* "  Socket errors: connect 0, read 0, write 0, timeout 2" */
static int socket_errors(wrk *w, size_t i)
{
	static const char *const names[] = {"connect", "read", "write", "timeout"};
	size_t k;
	for (k = 0; k < 4; k++) {
		size_t start, n;
		char metric[64];
		double v;
		int err;
		if (!perfdb_load__word(&w->t, &i, &start, &n) || strlen(names[k]) != n ||
		    memcmp(w->t.s + start, names[k], n) != 0)
			return perfdb_load__fail(&w->t, i, NULL,
						 "expected '%s N' in 'Socket errors:'", names[k]);
		if (!perfdb_load__word(&w->t, &i, &start, &n))
			return perfdb_load__fail(&w->t, i, names[k], "a count is missing");
		if (k < 3 && n > 0 && w->t.s[start + n - 1] == ',')
			n--;
		snprintf(metric, sizeof(metric), "socket_errors_%s", names[k]);
		if ((err = count_at(w, start, n, metric, &v)) ||
		    (err = perfdb_load__put(&w->t, start, w->rs, w->url, metric, PERFDB_LOAD_ERRORS,
					    v, NULL, 0)))
			return err;
	}
	return 0;
}

/* The first line: "Running 10s test @ http://host/path". */
static int first_line(wrk *w)
{
	static const char at[] = " test @ ";
	size_t i, rest;
	while (perfdb_load__next_line(&w->t))
		if (!perfdb_load__blank(&w->t))
			break;
	if (w->t.s == NULL || perfdb_load__blank(&w->t))
		return perfdb_error__input(PERFDB_EINPUT, w->t.name, 0, 0, NULL,
					   "no wrk report in the input");
	if (perfdb_load__starts(&w->t, "unable to connect to ", &rest))
		return perfdb_load__fail(&w->t, 0, NULL,
					 "wrk could not connect (%.*s): the run has no results",
					 (int)w->t.n, w->t.s);
	if (!perfdb_load__starts(&w->t, "Running ", &rest))
		return perfdb_load__fail(&w->t, 0, NULL,
					 "expected wrk's first line 'Running <duration> test @ "
					 "<url>'");
	for (i = rest; i + sizeof(at) - 1 <= w->t.n; i++)
		if (memcmp(w->t.s + i, at, sizeof(at) - 1) == 0)
			break;
	if (i + sizeof(at) - 1 > w->t.n)
		return perfdb_load__fail(&w->t, rest, NULL, "expected 'test @ <url>'");
	i += sizeof(at) - 1;
	rest = w->t.n;
	while (rest > i && (w->t.s[rest - 1] == ' ' || w->t.s[rest - 1] == '\t'))
		rest--;
	if (rest == i)
		return perfdb_load__fail(&w->t, i, NULL, "the URL is missing");
	if (!(w->url = strndup(w->t.s + i, rest - i)))
		return perfdb_error__oom();
	return 0;
}

/* " 50.000%  879.61ms" / "     99%   12.60ms" under a Latency Distribution. */
static int percentile_line(wrk *w, const char *prefix)
{
	size_t i = 0, start, n;
	char metric[64];
	double p;
	int err;
	perfdb_load__word(&w->t, &i, &start, &n);
	if (perfdb_load__number(w->t.s + start, n - 1, &p) != 0 || p < 0 || p > 100)
		return perfdb_load__fail(&w->t, start, NULL, "'%.*s' is not a percentile", (int)n,
					 w->t.s + start);
	perfdb_load__percentile_metric(metric, sizeof(metric), prefix, w->t.s + start, n - 1);
	if ((err = put_word(w, &i, 't', metric, PERFDB_LOAD_LATENCY)))
		return err;
	if (perfdb_load__word(&w->t, &i, &start, &n))
		return perfdb_load__fail(&w->t, start, metric, "unexpected text after the value");
	return 0;
}

static bool word_is(const wrk *w, size_t start, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w->t.s + start, s, n) == 0;
}

static int read_report(wrk *w)
{
	const char *prefix = NULL;
	bool in_spectrum = false, done = false, have_requests = false, have_rate = false;
	bool have_socket = false, have_non2xx = false;
	int extra = 0, extra_line = 0, err;
	size_t rest;

	if ((err = first_line(w)))
		return err;
	while (perfdb_load__next_line(&w->t)) {
		size_t i = 0, start = 0, n = 0, s2, n2, s3, n3;
		bool second;
		double v;

		if (done) {
			if (!perfdb_load__blank(&w->t) && !extra++)
				extra_line = w->t.line;
			continue;
		}
		if (in_spectrum) {
			if (perfdb_load__starts(&w->t, "----", NULL))
				in_spectrum = false;
			continue;
		}
		if (perfdb_load__blank(&w->t))
			continue;
		if (perfdb_load__starts(&w->t, "Detailed Percentile spectrum:", NULL)) {
			in_spectrum = true;
			continue;
		}
		if (perfdb_load__starts(&w->t, "Thread calibration:", NULL) ||
		    perfdb_load__starts(&w->t, "Thread Stats", NULL))
			continue;
		if (perfdb_load__starts(&w->t, "Latency Distribution", NULL)) {
			bool uncorrected = memmem(w->t.s, w->t.n, "Uncorrected", 11) != NULL;
			prefix = uncorrected ? "uncorrected_latency_p" : "latency_p";
			continue;
		}
		if (perfdb_load__starts(&w->t, "Latency ", &rest)) {
			i = rest;
			if ((err = put_word(w, &i, 't', "latency_mean", PERFDB_LOAD_LATENCY)) ||
			    (err = put_word(w, &i, 't', "latency_stddev", PERFDB_LOAD_LATENCY)) ||
			    (err = put_word(w, &i, 't', "latency_max", PERFDB_LOAD_LATENCY)))
				return err;
			continue;
		}
		if (perfdb_load__starts(&w->t, "Req/Sec ", NULL))
			continue;
		if (perfdb_load__starts(&w->t, "Socket errors:", &rest)) {
			if ((err = socket_errors(w, rest)))
				return err;
			have_socket = true;
			continue;
		}
		if (perfdb_load__starts(&w->t, "Non-2xx or 3xx responses:", &rest)) {
			i = rest;
			if (!perfdb_load__word(&w->t, &i, &start, &n))
				return perfdb_load__fail(&w->t, i, "non_2xx", "a count is missing");
			if ((err = count_at(w, start, n, "non_2xx", &v)) ||
			    (err = perfdb_load__put(&w->t, start, w->rs, w->url, "non_2xx",
						    PERFDB_LOAD_ERRORS, v, NULL, 0)))
				return err;
			have_non2xx = true;
			continue;
		}
		if (perfdb_load__starts(&w->t, "Requests/sec:", &rest)) {
			i = rest;
			if ((err = put_word(w, &i, 'm', "throughput", PERFDB_LOAD_THROUGHPUT)))
				return err;
			have_rate = true;
			continue;
		}
		if (perfdb_load__starts(&w->t, "Transfer/sec:", &rest)) {
			i = rest;
			if ((err = put_word(w, &i, 'b', "transfer_rate", PERFDB_LOAD_RATE)))
				return err;
			done = true;
			continue;
		}
		perfdb_load__word(&w->t, &i, &start, &n);
		if (n > 1 && w->t.s[start + n - 1] == '%' && prefix) {
			if ((err = percentile_line(w, prefix)))
				return err;
			continue;
		}
		/* "  8009 requests in 3.02s, 43.72MB read" */
		second = perfdb_load__word(&w->t, &i, &s2, &n2);
		if (second && word_is(w, s2, n2, "requests") &&
		    perfdb_load__word(&w->t, &i, &s3, &n3) && word_is(w, s3, n3, "in")) {
			if ((err = count_at(w, start, n, "requests", &v)) ||
			    (err = perfdb_load__put(&w->t, start, w->rs, w->url, "requests",
						    PERFDB_LOAD_COUNT, v, NULL, 0)))
				return err;
			have_requests = true;
			continue;
		}
		/* "  2 threads and 10 connections" */
		if (second && word_is(w, s2, n2, "threads"))
			continue;
		return perfdb_load__fail(&w->t, start, NULL, "not a line of a wrk report: '%.*s'",
					 (int)w->t.n, w->t.s);
	}
	if (!done || !have_requests || !have_rate)
		return perfdb_error__input(PERFDB_EINPUT, w->t.name, w->t.line + 1, 1, NULL,
					   "the wrk report ends before its %s line (cut short?)",
					   !have_requests ? "'N requests in'"
					   : !have_rate	  ? "'Requests/sec:'"
							  : "'Transfer/sec:'");
	/* wrk prints these lines only when a count is not zero: their absence
	 * is a reading of zero, and a series needs it to show a change from 0. */
	if (!have_socket) {
		static const char *const zero[] = {"socket_errors_connect", "socket_errors_read",
						   "socket_errors_write", "socket_errors_timeout"};
		size_t k;
		for (k = 0; k < 4; k++)
			if ((err = perfdb_load__add(w->rs, w->url, zero[k], PERFDB_LOAD_ERRORS, 0,
						    NULL, 0)))
				return err;
	}
	if (!have_non2xx &&
	    (err = perfdb_load__add(w->rs, w->url, "non_2xx", PERFDB_LOAD_ERRORS, 0, NULL, 0)))
		return err;
	if (extra &&
	    (err = perfdb_resultset_warn(w->rs,
					 "%s:%d:1: %d line%s after wrk's report (a Lua script's "
					 "output?) ignored",
					 w->t.name, extra_line, extra, extra == 1 ? "" : "s")))
		return err;
	return 0;
}

int perfdb_ingest__wrk(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	wrk w;
	int err;

	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	memset(&w, 0, sizeof(w));
	if ((err = perfdb_resultset_new(&w.rs)))
		return err;
	perfdb_load__text_init(&w.t, data, len, name, w.rs);
	if (!(err = perfdb_load__pairs_begin(&w.t)) &&
	    !(err = perfdb_resultset_set_meta(w.rs, PERFDB_META_SOURCE, "wrk")) &&
	    !(err = read_report(&w)))
		err = perfdb_resultset_merge(rs, w.rs);
	perfdb_load__pairs_end(&w.t);
	perfdb_resultset_free(w.rs);
	free(w.url);
	return err;
}
