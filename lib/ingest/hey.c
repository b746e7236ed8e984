/*
 * hey output: the text report and `-o csv`.
 *
 * hey prints no URL, so the benchmark is "hey" (name the endpoint with a tag,
 * `perfdb record --tag endpoint=/api`). Text report (lib/ingest/README.md, "hey"):
 *
 *   Summary "Average" / "Fastest" / "Slowest"   latency_mean / _min / _max
 *   Summary "Requests/sec"                      throughput
 *   "Latency distribution" rows                 latency_p10 ... latency_p99 (a
 *                                               "0% in 0.0000 secs" row is one
 *                                               hey could not fill: warned)
 *   "Status code distribution" rows             requests (with the errors),
 *                                               non_2xx (responses not 2xx)
 *   "Error distribution" rows                   errors (requests without a
 *                                               response: refused, timed out)
 *   both                                        error_rate = (non_2xx +
 *                                               errors) / requests, in %
 *
 * hey's Requests/sec counts the requests that failed without a response too.
 * When no request got a response, hey prints "NaN" for the average and 0 for
 * the fastest and slowest: then no latency and no throughput is recorded, and
 * a warning says so. The histogram and "Details" (DNS, write, wait, read
 * times) are not read.
 *
 * `-o csv` writes one row per response (the failed requests are not in it):
 * response-time becomes the samples of "latency", the row count "requests"
 * and the rows whose status-code is not 2xx "non_2xx".
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

#define BENCH "hey"
#define CSV_HEADER                                                                                 \
	"response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,"     \
	"offset"

typedef struct hey {
	perfdb_load_text t;
	perfdb_resultset *rs;
	/* summary values, NAN when absent or not finite; their position */
	double mean, fastest, slowest, rps;
	int line[4];
	size_t off[4];
	perfdb_load_text at[4];
	int empty_rows;
} hey;

enum { MEAN, FASTEST, SLOWEST, RPS };

/* "<number> secs" (or a bare number for Requests/sec) after offset i. */
static int summary_value(hey *h, size_t i, int which, const char *what, bool secs)
{
	size_t start, n, us, un;
	double v;
	int rc;
	if (!perfdb_load__word(&h->t, &i, &start, &n))
		return perfdb_load__fail(&h->t, h->t.n, what, "a value is missing");
	rc = perfdb_load__number(h->t.s + start, n, &v);
	if (rc < 0 || (rc == 0 && v < 0))
		return perfdb_load__fail(&h->t, start, what, "expected a number, found '%.*s'",
					 (int)n, h->t.s + start);
	if (secs) {
		bool have = perfdb_load__word(&h->t, &i, &us, &un);
		if (!have || un != 4 || memcmp(h->t.s + us, "secs", 4) != 0)
			return perfdb_load__fail(&h->t, have ? us : i, what,
						 "expected 'secs' after the number");
	}
	h->at[which] = h->t;
	h->off[which] = start;
	if (rc == 1) {
		int err = perfdb_load__warn(&h->t, start, "%s is '%.*s'; not recorded", what,
					    (int)n, h->t.s + start);
		return err;
	}
	if (which == MEAN)
		h->mean = v;
	else if (which == FASTEST)
		h->fastest = v;
	else if (which == SLOWEST)
		h->slowest = v;
	else
		h->rps = v;
	return 0;
}

/* "  [200]\t400 responses" or "  [20]\tGet ...: connection refused"; *code the
 * status (0 for an error row), *count the number. */
static int bracket_row(hey *h, bool status, double *count, int *code)
{
	size_t i = 0, start, n, b, e;
	const char *close;
	double v;
	perfdb_load__word(&h->t, &i, &start, &n);
	b = start;
	close = memchr(h->t.s + b, ']', h->t.n - b);
	if (h->t.s[b] != '[' || !close)
		return perfdb_load__fail(&h->t, b, NULL, "expected '[%s]'",
					 status ? "status code" : "count");
	e = (size_t)(close - h->t.s);
	if (perfdb_load__number(h->t.s + b + 1, e - b - 1, &v) != 0 || v < 0 || v != floor(v))
		return perfdb_load__fail(&h->t, b + 1, NULL, "expected a whole number in [...]");
	if (!status) {
		*count = v;
		*code = 0;
		return 0;
	}
	*code = (int)v;
	i = e + 1;
	if (!perfdb_load__word(&h->t, &i, &start, &n) ||
	    perfdb_load__number(h->t.s + start, n, count) != 0 || *count < 0 ||
	    *count != floor(*count))
		return perfdb_load__fail(&h->t, i, NULL, "expected a count of responses");
	return 0;
}

/* "  10% in 0.0009 secs" */
static int latency_row(hey *h)
{
	size_t i = 0, start, n, s2, n2, s3, n3, s4, n4;
	char metric[64];
	double p, v;
	int rc;
	perfdb_load__word(&h->t, &i, &start, &n);
	if (n < 2 || h->t.s[start + n - 1] != '%' ||
	    perfdb_load__number(h->t.s + start, n - 1, &p) != 0 || p < 0 || p > 100 ||
	    !perfdb_load__word(&h->t, &i, &s2, &n2) || n2 != 2 || memcmp(h->t.s + s2, "in", 2) ||
	    !perfdb_load__word(&h->t, &i, &s3, &n3) || !perfdb_load__word(&h->t, &i, &s4, &n4) ||
	    n4 != 4 || memcmp(h->t.s + s4, "secs", 4))
		return perfdb_load__fail(&h->t, start, NULL, "expected 'P%% in N secs'");
	/* hey fills the rows of 10, 25, 50, 75, 90, 95 and 99 % from the sorted
	 * latencies, and prints a row it could not fill (fewer than 100
	 * responses leave 99 % empty) as its zero value: "0% in 0.0000 secs". */
	if (p == 0) {
		if (!h->empty_rows++)
			return perfdb_load__warn(&h->t, start,
						 "'0%%' row: a percentile hey could not compute "
						 "(too few responses); not recorded");
		return 0;
	}
	perfdb_load__percentile_metric(metric, sizeof(metric), "latency_p", h->t.s + start, n - 1);
	rc = perfdb_load__number(h->t.s + s3, n3, &v);
	if (rc == 1)
		return perfdb_load__warn(&h->t, s3, "%s is '%.*s'; not recorded", metric, (int)n3,
					 h->t.s + s3);
	if (rc < 0 || v < 0)
		return perfdb_load__fail(&h->t, s3, metric, "expected a number, found '%.*s'",
					 (int)n3, h->t.s + s3);
	return perfdb_load__put(&h->t, s3, h->rs, BENCH, metric, PERFDB_LOAD_LATENCY, v * 1e9, NULL,
				0);
}

enum section { S_NONE, S_SUMMARY, S_HISTOGRAM, S_LATENCY, S_DETAILS, S_STATUS, S_ERRORS };

static int read_text(hey *h)
{
	static const struct {
		const char *title;
		enum section s;
	} titles[] = {{"Summary:", S_SUMMARY},
		      {"Response time histogram:", S_HISTOGRAM},
		      {"Latency distribution:", S_LATENCY},
		      {"Details (average, fastest, slowest):", S_DETAILS},
		      {"Status code distribution:", S_STATUS},
		      {"Error distribution:", S_ERRORS}};
	enum section sec = S_NONE;
	double responses = 0, non2xx = 0, errors = 0;
	bool seen[7] = {false};
	int err, k;
	size_t rest;

	h->mean = h->fastest = h->slowest = h->rps = NAN;
	while (perfdb_load__next_line(&h->t) && perfdb_load__blank(&h->t))
		;
	if (!h->t.s || h->t.n != 8 || memcmp(h->t.s, "Summary:", 8) != 0)
		return perfdb_load__fail(&h->t, 0, NULL, "expected hey's first line 'Summary:'");
	sec = S_SUMMARY;
	seen[S_SUMMARY] = true;
	while (perfdb_load__next_line(&h->t)) {
		double count;
		int code;
		if (perfdb_load__blank(&h->t))
			continue;
		for (k = 0; k < 6; k++)
			if (h->t.n == strlen(titles[k].title) &&
			    memcmp(h->t.s, titles[k].title, h->t.n) == 0)
				break;
		if (k < 6) {
			if (seen[titles[k].s])
				return perfdb_load__fail(&h->t, 0, NULL, "a second '%s'",
							 titles[k].title);
			seen[titles[k].s] = true;
			sec = titles[k].s;
			continue;
		}
		switch (sec) {
		case S_SUMMARY:
			if (perfdb_load__starts(&h->t, "Total:", NULL) ||
			    perfdb_load__starts(&h->t, "Total data:", NULL) ||
			    perfdb_load__starts(&h->t, "Size/request:", NULL))
				continue;
			if (perfdb_load__starts(&h->t, "Slowest:", &rest))
				err = summary_value(h, rest, SLOWEST, "latency_max", true);
			else if (perfdb_load__starts(&h->t, "Fastest:", &rest))
				err = summary_value(h, rest, FASTEST, "latency_min", true);
			else if (perfdb_load__starts(&h->t, "Average:", &rest))
				err = summary_value(h, rest, MEAN, "latency_mean", true);
			else if (perfdb_load__starts(&h->t, "Requests/sec:", &rest))
				err = summary_value(h, rest, RPS, "throughput", false);
			else
				break;
			if (err)
				return err;
			continue;
		case S_HISTOGRAM:
		case S_DETAILS: continue;
		case S_LATENCY:
			if ((err = latency_row(h)))
				return err;
			continue;
		case S_STATUS:
			if ((err = bracket_row(h, true, &count, &code)))
				return err;
			responses += count;
			if (code < 200 || code > 299)
				non2xx += count;
			continue;
		case S_ERRORS:
			if ((err = bracket_row(h, false, &count, &code)))
				return err;
			errors += count;
			continue;
		case S_NONE: break;
		}
		return perfdb_load__fail(&h->t, 0, NULL, "not a line of a hey report: '%.*s'",
					 (int)h->t.n, h->t.s);
	}
	if (!seen[S_STATUS])
		return perfdb_error__input(PERFDB_EINPUT, h->t.name, h->t.line + 1, 1, NULL,
					   "the hey report has no 'Status code distribution:' "
					   "(cut short?)");
	if (responses == 0) {
		if ((err = perfdb_resultset_warn(h->rs,
						 "%s: no request got a response (%g failed): no "
						 "latency or throughput recorded",
						 h->t.name, errors)))
			return err;
	} else {
		static const char *const metric[] = {"latency_mean", "latency_min", "latency_max",
						     "throughput"};
		double v[4];
		v[MEAN] = h->mean;
		v[FASTEST] = h->fastest;
		v[SLOWEST] = h->slowest;
		v[RPS] = h->rps;
		for (k = 0; k < 4; k++)
			if (!isnan(v[k]) &&
			    (err = perfdb_load__put(&h->at[k], h->off[k], h->rs, BENCH, metric[k],
						    k == RPS ? PERFDB_LOAD_THROUGHPUT
							     : PERFDB_LOAD_LATENCY,
						    k == RPS ? v[k] : v[k] * 1e9, NULL, 0)))
				return err;
	}
	if ((err = perfdb_load__add(h->rs, BENCH, "requests", PERFDB_LOAD_COUNT, responses + errors,
				    NULL, 0)) ||
	    (err =
		 perfdb_load__add(h->rs, BENCH, "non_2xx", PERFDB_LOAD_ERRORS, non2xx, NULL, 0)) ||
	    (err = perfdb_load__add(h->rs, BENCH, "errors", PERFDB_LOAD_ERRORS, errors, NULL, 0)))
		return err;
	if (responses + errors > 0 &&
	    (err = perfdb_load__add(h->rs, BENCH, "error_rate", PERFDB_LOAD_ERROR_RATE,
				    100.0 * (non2xx + errors) / (responses + errors), NULL, 0)))
		return err;
	return 0;
}

static int read_csv(hey *h)
{
	double *lat;
	size_t count = 0, cap, rows_at;
	double non2xx = 0;
	perfdb_result r;
	int err = 0, rows_line;

	perfdb_load__next_line(&h->t);
	rows_at = h->t.pos;
	rows_line = h->t.line;
	/* a sample a row, in the resultset's memory: added where they are */
	cap = perfdb_load__lines_left(&h->t);
	if (!(lat = perfdb_resultset__samples(h->rs, cap)))
		return PERFDB_ENOMEM;
	while (perfdb_load__next_line(&h->t)) {
		size_t f = 0, start = 0, k;
		double v[8];
		static const char *const cols[] = {
		    "response-time",  "DNS+dialup",    "DNS",	      "Request-write",
		    "Response-delay", "Response-read", "status-code", "offset"};
		if (perfdb_load__blank(&h->t))
			continue;
		for (k = 0; k <= h->t.n; k++) {
			if (k < h->t.n && h->t.s[k] != ',')
				continue;
			if (f < 8 && (perfdb_load__number(h->t.s + start, k - start, &v[f]) != 0 ||
				      v[f] < 0)) {
				err = perfdb_load__fail(&h->t, start, cols[f],
							"expected a number, found '%.*s'",
							(int)(k - start), h->t.s + start);
				goto out;
			}
			f++;
			start = k + 1;
		}
		if (f != 8) {
			err = perfdb_load__fail(&h->t, 0, NULL,
						"this row has %zu fields, the header 8", f);
			goto out;
		}
		lat[count++] = v[0] * 1e9;
		if (v[6] < 200 || v[6] > 299)
			non2xx++;
	}
	if (!count) {
		err = perfdb_error__input(PERFDB_EINPUT, h->t.name, 1, 1, NULL,
					  "no responses after the header");
		goto out;
	}
	perfdb_result_init(&r);
	r.benchmark = BENCH;
	r.metric = "latency";
	r.unit = "ns";
	r.direction = PERFDB_LOWER_IS_BETTER;
	r.samples = lat;
	r.nsamples = count;
	if ((err = perfdb_resultset_add(h->rs, &r))) {
		err = perfdb_load__placed_row(&h->t, rows_at, rows_line, lat, count, err);
		goto out;
	}
	if ((err = perfdb_load__add(h->rs, BENCH, "requests", PERFDB_LOAD_COUNT, (double)count,
				    NULL, 0)))
		goto out;
	err = perfdb_load__add(h->rs, BENCH, "non_2xx", PERFDB_LOAD_ERRORS, non2xx, NULL, 0);
out:
	return err;
}

int perfdb_ingest__hey(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	hey h;
	perfdb_load_text peek;
	int err;

	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	memset(&h, 0, sizeof(h));
	if ((err = perfdb_resultset_new(&h.rs)))
		return err;
	perfdb_load__text_init(&h.t, data, len, name, h.rs);
	peek = h.t;
	perfdb_load__next_line(&peek);
	if (!(err = perfdb_load__pairs_begin(&h.t)) &&
	    !(err = perfdb_resultset_set_meta(h.rs, PERFDB_META_SOURCE, "hey"))) {
		if (peek.s && peek.n == strlen(CSV_HEADER) &&
		    memcmp(peek.s, CSV_HEADER, peek.n) == 0)
			err = read_csv(&h);
		else
			err = read_text(&h);
	}
	if (!err)
		err = perfdb_resultset_merge(rs, h.rs);
	perfdb_load__pairs_end(&h.t);
	perfdb_resultset_free(h.rs);
	return err;
}
