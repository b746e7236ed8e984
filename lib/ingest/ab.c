/*
 * ApacheBench (ab) output: the text report on stdout, the -e CSV of
 * percentiles and the -g "gnuplot" TSV of every request.
 *
 * Text report: the benchmark is the URL ab requested, made of "Server
 * Hostname", "Server Port" and "Document Path" (https when an "SSL/TLS
 * Protocol" line says the run was over TLS). Read (lib/ingest/README.md, "ApacheBench"):
 *
 *   Complete requests                    requests
 *   Failed requests / Write errors       failures / write_errors
 *   Non-2xx responses                    non_2xx (0 when absent: ab prints it
 *                                        only when not zero)
 *   Requests per second                  throughput
 *   Time per request (mean)              time_per_request (concurrency x
 *                                        duration / requests, ab's headline)
 *   Transfer rate ... received           transfer_rate (ab's Kbytes are 1024 B)
 *   Connection Times "Total:" row        latency_min, latency_mean,
 *                                        latency_stddev, latency_max
 *   Percentage ... served within (ms)    latency_p50 ... latency_p100
 *
 * The -e CSV and -g TSV carry no URL, so their benchmark is "ab": -e gives
 * the percentiles ab's text report prints (50, 66, 75, 80, 90, 95, 98, 99,
 * 100; the other rows are checked, not recorded), -g every request's total
 * time (ttime) as the samples of "latency", and their count as "requests".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "core/resultset_internal.h"
#include "ingest/loadtool.h"
#include "ingest/textpos.h"
#include "util/error.h"

#define CSV_HEADER "Percentage served,Time in ms"
#define TSV_HEADER "starttime\tseconds\tctime\tdtime\tttime\twait"

typedef struct ab {
	perfdb_load_text t;
	perfdb_resultset *rs;
	char host[256], port[32];
	bool tls;
	char *url;
} ab;

/* The number at [off, off+n) of the current line; NaN spellings are refused
 * (ab prints none: one would be a damaged file). */
static int number_at(ab *a, size_t off, size_t n, const char *what, double *out)
{
	int rc = perfdb_load__number(a->t.s + off, n, out);
	if (rc != 0 || *out < 0)
		return perfdb_load__fail(&a->t, off, what, "expected a number, found '%.*s'",
					 (int)n, a->t.s + off);
	return 0;
}

static int count_at(ab *a, size_t off, size_t n, const char *what, double *out)
{
	int err = number_at(a, off, n, what, out);
	if (!err && *out != floor(*out))
		return perfdb_load__fail(&a->t, off, what, "expected a count, found '%.*s'", (int)n,
					 a->t.s + off);
	return err;
}

/* The first word after offset i, which must exist. */
static int word_after(ab *a, size_t *i, size_t *start, size_t *n, const char *what)
{
	if (!perfdb_load__word(&a->t, i, start, n))
		return perfdb_load__fail(&a->t, a->t.n, what, "a value is missing");
	return 0;
}

static int need_url(ab *a, const char *metric)
{
	if (!a->url)
		return perfdb_load__fail(&a->t, 0, metric,
					 "a result before the 'Document Path:' line");
	return 0;
}

/* "Key:  N" (optionally followed by a bracketed unit) as metric of kind,
 * the number scaled by factor. */
static int keyed(ab *a, size_t rest, const char *metric, perfdb_load_kind kind, double factor,
		 bool count)
{
	size_t start, n;
	double v;
	int err;
	if ((err = need_url(a, metric)) || (err = word_after(a, &rest, &start, &n, metric)) ||
	    (err = (count ? count_at : number_at)(a, start, n, metric, &v)))
		return err;
	return perfdb_load__put(&a->t, start, a->rs, a->url, metric, kind, v * factor, NULL, 0);
}

/* "Key:  text" into buf. */
static int text_value(ab *a, size_t rest, char *buf, size_t size, const char *what)
{
	size_t end = a->t.n;
	while (rest < a->t.n && (a->t.s[rest] == ' ' || a->t.s[rest] == '\t'))
		rest++;
	while (end > rest && (a->t.s[end - 1] == ' ' || a->t.s[end - 1] == '\t'))
		end--;
	if (end == rest || end - rest >= size)
		return perfdb_load__fail(&a->t, rest, what, end == rest ? "no value" : "too long");
	memcpy(buf, a->t.s + rest, end - rest);
	buf[end - rest] = '\0';
	return 0;
}

/* "Total:  1  2  2.3  1  11": min mean sd median max, in ms. */
static int total_row(ab *a, size_t i)
{
	static const char *const metrics[] = {"latency_min", "latency_mean", "latency_stddev", NULL,
					      "latency_max"};
	size_t k;
	int err;
	if ((err = need_url(a, "latency_mean")))
		return err;
	for (k = 0; k < 5; k++) {
		size_t start, n;
		double v;
		const char *m = metrics[k] ? metrics[k] : "latency_median";
		if ((err = word_after(a, &i, &start, &n, m)) ||
		    (err = number_at(a, start, n, m, &v)))
			return err;
		/* the median is the table's p50 (same rounding): not stored twice */
		if (metrics[k] && (err = perfdb_load__put(&a->t, start, a->rs, a->url, metrics[k],
							  PERFDB_LOAD_LATENCY, v * 1e6, NULL, 0)))
			return err;
	}
	return 0;
}

/* "  50%      1" / " 100%     11 (longest request)" */
static int percentile_row(ab *a)
{
	size_t i = 0, start, n, s2, n2;
	char metric[64];
	double p, v;
	int err;
	perfdb_load__word(&a->t, &i, &start, &n);
	if (perfdb_load__number(a->t.s + start, n - 1, &p) != 0 || p < 0 || p > 100)
		return perfdb_load__fail(&a->t, start, NULL, "'%.*s' is not a percentage", (int)n,
					 a->t.s + start);
	perfdb_load__percentile_metric(metric, sizeof(metric), "latency_p", a->t.s + start, n - 1);
	if ((err = need_url(a, metric)) || (err = word_after(a, &i, &s2, &n2, metric)) ||
	    (err = number_at(a, s2, n2, metric, &v)))
		return err;
	return perfdb_load__put(&a->t, s2, a->rs, a->url, metric, PERFDB_LOAD_LATENCY, v * 1e6,
				NULL, 0);
}

static int make_url(ab *a)
{
	char path[2048];
	size_t rest, n;
	int err;
	perfdb_load__starts(&a->t, "Document Path:", &rest);
	if ((err = text_value(a, rest, path, sizeof(path), "Document Path")))
		return err;
	if (!a->host[0] || !a->port[0])
		return perfdb_load__fail(&a->t, 0, "Document Path",
					 "'Document Path:' before 'Server Hostname:' and 'Server "
					 "Port:'");
	if (a->url)
		return perfdb_load__fail(&a->t, 0, "Document Path", "a second 'Document Path:'");
	n = strlen(a->host) + strlen(a->port) + strlen(path) + 16;
	if (!(a->url = malloc(n)))
		return perfdb_error__oom();
	snprintf(a->url, n, "%s://%s:%s%s", a->tls ? "https" : "http", a->host, a->port, path);
	return 0;
}

/* Whether the current line, trailing blanks aside, ends with suffix. */
static bool ends_with(const ab *a, const char *suffix)
{
	size_t n = a->t.n, k = strlen(suffix);
	while (n > 0 && (a->t.s[n - 1] == ' ' || a->t.s[n - 1] == '\t'))
		n--;
	return n >= k && memcmp(a->t.s + n - k, suffix, k) == 0;
}

/* Lines of ab's report that carry nothing perfdb records. */
static bool ignored(const ab *a)
{
	static const char *const prefixes[] = {"Copyright ",
					       "Licensed to ",
					       "Completed ",
					       "Finished ",
					       "Server Software:",
					       "TLS Server Name:",
					       "Document Length:",
					       "Concurrency Level:",
					       "Time taken for tests:",
					       "Keep-Alive requests:",
					       "Total transferred:",
					       "Total body sent:",
					       "HTML transferred:",
					       "(Connect:",
					       "Connection Times (ms)",
					       "min  mean[+/-sd]",
					       "min mean[+/-sd]",
					       "Connect:",
					       "Processing:",
					       "Waiting:",
					       "Percentage of the requests served",
					       "WARNING: The median and mean",
					       "These results are probably not that reliable."};
	size_t k;
	for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
		if (perfdb_load__starts(&a->t, prefixes[k], NULL))
			return true;
	/* Transfer rate's continuation lines: "790.83 kb/s sent", "... kb/s total" */
	return ends_with(a, " kb/s sent") || ends_with(a, " kb/s total");
}

static int read_text(ab *a)
{
	bool have_requests = false, have_non2xx = false, in_percentiles = false;
	char *stopped = NULL;
	int stopped_line = 0, stopped_col = 0;
	size_t rest;
	int err;

	while (perfdb_load__next_line(&a->t) && perfdb_load__blank(&a->t))
		;
	if (!a->t.s || !perfdb_load__starts(&a->t, "This is ApacheBench", NULL))
		return perfdb_load__fail(
		    &a->t, 0, NULL, "expected ab's first line 'This is ApacheBench, Version ...'");
	while (perfdb_load__next_line(&a->t)) {
		size_t i = 0, start, n;
		if (perfdb_load__blank(&a->t))
			continue;
		if (perfdb_load__starts(&a->t, "Benchmarking ", &rest)) {
			/* "Benchmarking host (be patient)" then "...done", or an error
			 * such as "...apr_socket_recv: Connection refused (111)". */
			const char *p = memchr(a->t.s, ')', a->t.n);
			size_t k = p ? (size_t)(p - a->t.s) + 1 : a->t.n;
			while (k < a->t.n && a->t.s[k] == '.')
				k++;
			if (k < a->t.n &&
			    !(a->t.n - k == 4 && memcmp(a->t.s + k, "done", 4) == 0)) {
				stopped_line = a->t.line;
				stopped_col = perfdb_load__column(&a->t, k);
				free(stopped);
				if (!(stopped = strndup(a->t.s + k, a->t.n - k)))
					return perfdb_error__oom();
			}
			continue;
		}
		if (in_percentiles) {
			perfdb_load__word(&a->t, &i, &start, &n);
			if (n > 1 && a->t.s[start + n - 1] == '%') {
				if ((err = percentile_row(a)))
					goto out;
				continue;
			}
			in_percentiles = false;
		}
		if (perfdb_load__starts(&a->t, "Percentage of the requests served", NULL))
			in_percentiles = true;
		if (perfdb_load__starts(&a->t, "Server Hostname:", &rest)) {
			if ((err =
				 text_value(a, rest, a->host, sizeof(a->host), "Server Hostname")))
				goto out;
		} else if (perfdb_load__starts(&a->t, "Server Port:", &rest)) {
			if ((err = text_value(a, rest, a->port, sizeof(a->port), "Server Port")))
				goto out;
		} else if (perfdb_load__starts(&a->t, "SSL/TLS Protocol:", NULL)) {
			a->tls = true;
		} else if (perfdb_load__starts(&a->t, "Document Path:", NULL)) {
			if ((err = make_url(a)))
				goto out;
		} else if (perfdb_load__starts(&a->t, "Complete requests:", &rest)) {
			if ((err = keyed(a, rest, "requests", PERFDB_LOAD_COUNT, 1, true)))
				goto out;
			have_requests = true;
		} else if (perfdb_load__starts(&a->t, "Failed requests:", &rest)) {
			if ((err = keyed(a, rest, "failures", PERFDB_LOAD_ERRORS, 1, true)))
				goto out;
		} else if (perfdb_load__starts(&a->t, "Write errors:", &rest)) {
			if ((err = keyed(a, rest, "write_errors", PERFDB_LOAD_ERRORS, 1, true)))
				goto out;
		} else if (perfdb_load__starts(&a->t, "Non-2xx responses:", &rest)) {
			if ((err = keyed(a, rest, "non_2xx", PERFDB_LOAD_ERRORS, 1, true)))
				goto out;
			have_non2xx = true;
		} else if (perfdb_load__starts(&a->t, "Requests per second:", &rest)) {
			if ((err = keyed(a, rest, "throughput", PERFDB_LOAD_THROUGHPUT, 1, false)))
				goto out;
		} else if (perfdb_load__starts(&a->t, "Time per request:", &rest)) {
			/* the second line ("across all concurrent requests") is
			 * 1/throughput: not stored twice */
			if (!ends_with(a, "(mean)"))
				continue;
			if ((err = keyed(a, rest, "time_per_request", PERFDB_LOAD_LATENCY, 1e6,
					 false)))
				goto out;
		} else if (perfdb_load__starts(&a->t, "Transfer rate:", &rest)) {
			if ((err = keyed(a, rest, "transfer_rate", PERFDB_LOAD_RATE, 1024, false)))
				goto out;
		} else if (perfdb_load__starts(&a->t, "Total:", &rest)) {
			if ((err = total_row(a, rest)))
				goto out;
		} else if (perfdb_load__starts(&a->t, "apr_", &rest) && !have_requests) {
			/* ab gave up mid-run ("apr_pollset_poll: The timeout specified
			 * has expired (70007)") and prints no report */
			size_t off = rest - 4;
			stopped_line = a->t.line;
			stopped_col = perfdb_load__column(&a->t, off);
			free(stopped);
			if (!(stopped = strndup(a->t.s + off, a->t.n - off)))
				return perfdb_error__oom();
		} else if (perfdb_load__starts(&a->t, "Total of ", NULL) && !have_requests) {
			continue; /* "Total of 1234 requests completed", after an apr_ error */
		} else if (!in_percentiles && !ignored(a)) {
			perfdb_load__word(&a->t, &i, &start, &n);
			err = perfdb_load__fail(&a->t, start, NULL,
						"not a line of an ab report: '%.*s'", (int)a->t.n,
						a->t.s);
			goto out;
		}
	}
	if (!have_requests) {
		if (stopped)
			err =
			    perfdb_error__input(PERFDB_EINPUT, a->t.name, stopped_line, stopped_col,
						NULL, "ab stopped before its report: %s", stopped);
		else
			err = perfdb_error__input(PERFDB_EINPUT, a->t.name, a->t.line + 1, 1, NULL,
						  "the ab report has no 'Complete requests:' line "
						  "(cut short?)");
		goto out;
	}
	err = have_non2xx
		  ? 0
		  : perfdb_load__add(a->rs, a->url, "non_2xx", PERFDB_LOAD_ERRORS, 0, NULL, 0);
out:
	free(stopped);
	return err;
}

/* -e: "Percentage served,Time in ms" then "P,MS" for P = 0..100. */
static int read_csv(ab *a)
{
	static const int printed[] = {50, 66, 75, 80, 90, 95, 98, 99, 100};
	double last = -1;
	int err, rows = 0;

	perfdb_load__next_line(&a->t); /* the header, checked by the caller */
	while (perfdb_load__next_line(&a->t)) {
		const char *comma = memchr(a->t.s, ',', a->t.n);
		size_t c;
		double p, v;
		size_t k;
		if (perfdb_load__blank(&a->t))
			continue;
		if (!comma)
			return perfdb_load__fail(&a->t, 0, NULL, "expected 'percentage,ms'");
		c = (size_t)(comma - a->t.s);
		if (perfdb_load__number(a->t.s, c, &p) != 0 || p != floor(p) || p < 0 || p > 100)
			return perfdb_load__fail(&a->t, 0, "Percentage served",
						 "expected a whole percentage, found '%.*s'",
						 (int)c, a->t.s);
		if (p <= last)
			return perfdb_load__fail(&a->t, 0, "Percentage served",
						 "percentage %g after %g: rows out of order or "
						 "repeated",
						 p, last);
		last = p;
		if ((err = number_at(a, c + 1, a->t.n - c - 1, "Time in ms", &v)))
			return err;
		rows++;
		for (k = 0; k < sizeof(printed) / sizeof(printed[0]); k++)
			if ((int)p == printed[k]) {
				char metric[32];
				snprintf(metric, sizeof(metric), "latency_p%d", printed[k]);
				if ((err = perfdb_load__put(&a->t, c + 1, a->rs, "ab", metric,
							    PERFDB_LOAD_LATENCY, v * 1e6, NULL, 0)))
					return err;
			}
	}
	if (!rows)
		return perfdb_error__input(PERFDB_EINPUT, a->t.name, 1, 1, NULL,
					   "no rows after the header");
	return 0;
}

/* -g: "starttime<TAB>seconds<TAB>ctime<TAB>dtime<TAB>ttime<TAB>wait", then a
 * row per request; times in whole ms. */
static int read_tsv(ab *a)
{
	double *ttime;
	size_t count = 0, cap, rows_at;
	perfdb_result r;
	int err = 0, rows_line;

	perfdb_load__next_line(&a->t);
	rows_at = a->t.pos;
	rows_line = a->t.line;
	/* a sample a row, in the resultset's memory: added where they are */
	cap = perfdb_load__lines_left(&a->t);
	if (!(ttime = perfdb_resultset__samples(a->rs, cap)))
		return PERFDB_ENOMEM;
	while (perfdb_load__next_line(&a->t)) {
		size_t f = 0, start = 0, k;
		double v[5];
		if (perfdb_load__blank(&a->t))
			continue;
		/* the start time is text with spaces; the other five are numbers */
		for (k = 0; k <= a->t.n; k++) {
			if (k < a->t.n && a->t.s[k] != '\t')
				continue;
			if (f >= 1 && f <= 5) {
				static const char *const cols[] = {"seconds", "ctime", "dtime",
								   "ttime", "wait"};
				if ((err = number_at(a, start, k - start, cols[f - 1], &v[f - 1])))
					goto out;
			}
			f++;
			start = k + 1;
		}
		if (f != 6) {
			err = perfdb_load__fail(&a->t, 0, NULL,
						"this row has %zu fields, the header 6", f);
			goto out;
		}
		ttime[count++] = v[3] * 1e6;
	}
	if (!count) {
		err = perfdb_error__input(PERFDB_EINPUT, a->t.name, 1, 1, NULL,
					  "no requests after the header");
		goto out;
	}
	perfdb_result_init(&r);
	r.benchmark = "ab";
	r.metric = "latency";
	r.unit = "ns";
	r.direction = PERFDB_LOWER_IS_BETTER;
	r.samples = ttime;
	r.nsamples = count;
	if ((err = perfdb_resultset_add(a->rs, &r))) {
		err = perfdb_load__placed_row(&a->t, rows_at, rows_line, ttime, count, err);
		goto out;
	}
	err = perfdb_load__add(a->rs, "ab", "requests", PERFDB_LOAD_COUNT, (double)count, NULL, 0);
out:
	return err;
}

int perfdb_ingest__ab(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	ab a;
	perfdb_load_text peek;
	int err;

	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	memset(&a, 0, sizeof(a));
	if ((err = perfdb_resultset_new(&a.rs)))
		return err;
	perfdb_load__text_init(&a.t, data, len, name, a.rs);
	peek = a.t;
	perfdb_load__next_line(&peek);
	if ((err = perfdb_load__pairs_begin(&a.t)) ||
	    (err = perfdb_resultset_set_meta(a.rs, PERFDB_META_SOURCE, "ab")))
		goto out;
	if (peek.s && peek.n == strlen(CSV_HEADER) && memcmp(peek.s, CSV_HEADER, peek.n) == 0)
		err = read_csv(&a);
	else if (peek.s && peek.n == strlen(TSV_HEADER) && memcmp(peek.s, TSV_HEADER, peek.n) == 0)
		err = read_tsv(&a);
	else
		err = read_text(&a);
	if (!err)
		err = perfdb_resultset_merge(rs, a.rs);
out:
	perfdb_load__pairs_end(&a.t);
	perfdb_resultset_free(a.rs);
	free(a.url);
	return err;
}
