/*
 * `vegeta report -type=json`: one object for the whole attack.
 *
 * The report names no target, so the benchmark is "vegeta" (name the
 * endpoint with a tag). Read (lib/ingest/README.md, "vegeta"); latencies are integer ns:
 *
 *   latencies.mean/min/max         latency_mean, latency_min, latency_max
 *   latencies.50th/90th/95th/99th  latency_p50 ... latency_p99
 *   requests                       requests
 *   throughput                     throughput (successful requests per second;
 *                                  "rate", the rate requests were sent at, is
 *                                  the attack's setting and not read)
 *   success                        error_rate = 100 x (1 - success), in %
 *   status_codes                   errors (code 0: no response), non_2xx
 *                                  (responses whose code is not 2xx)
 *
 * A report of no request has only zeros: then nothing but requests, errors
 * and non_2xx is recorded, and a warning says so. bytes_in, bytes_out and
 * the times are not read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/loadtool.h"
#include "util/error.h"

#define BENCH "vegeta"

typedef struct vegeta {
	perfdb_json_doc *doc;
	perfdb_resultset *rs;
} vegeta;

/* Member key of obj: a finite non-negative number (required). */
static int number(vegeta *v, const perfdb_jnode *obj, const char *key, double *out)
{
	int err = perfdb_json__member_number(v->doc, obj, key, true, out);
	if (err < 0)
		return err;
	if (!isfinite(*out) || *out < 0)
		return perfdb_json__error(v->doc, obj, key,
					  "expected a finite, non-negative number");
	return 0;
}

static int put(vegeta *v, const perfdb_jnode *obj, const char *key, const char *metric,
	       perfdb_load_kind kind, double value)
{
	int err = perfdb_load__add(v->rs, BENCH, metric, kind, value, NULL, 0);
	if (err == PERFDB_EINVAL) {
		char msg[sizeof(perfdb_error_last()->message)];
		snprintf(msg, sizeof(msg), "%s", perfdb_error_last()->message);
		return perfdb_json__error(v->doc, obj, key, "%s", msg);
	}
	return err;
}

static int read_report(vegeta *v, const perfdb_jnode *root)
{
	static const struct {
		const char *key, *metric;
	} lat[] = {{"mean", "latency_mean"}, {"min", "latency_min"},  {"max", "latency_max"},
		   {"50th", "latency_p50"},  {"90th", "latency_p90"}, {"95th", "latency_p95"},
		   {"99th", "latency_p99"}};
	const perfdb_jnode *latencies = perfdb_json__get(root, "latencies"),
			   *codes = perfdb_json__get(root, "status_codes");
	double requests, throughput, success, errors = 0, non2xx = 0, total = 0;
	size_t k;
	int err;

	if (!perfdb_json__is_object(latencies))
		return perfdb_json__error(v->doc, latencies ? latencies : root,
					  latencies ? NULL : "latencies",
					  latencies ? "expected an object" : "missing");
	if (!perfdb_json__is_object(codes))
		return perfdb_json__error(v->doc, codes ? codes : root,
					  codes ? NULL : "status_codes",
					  codes ? "expected an object" : "missing");
	if ((err = number(v, root, "requests", &requests)) ||
	    (err = number(v, root, "throughput", &throughput)) ||
	    (err = number(v, root, "success", &success)))
		return err;
	if (success > 1)
		return perfdb_json__error(v->doc, root, "success", "a ratio above 1");
	for (k = 0; k < perfdb_json__size(codes); k++) {
		const perfdb_jmember *m = perfdb_json__member_at(codes, k);
		char *end;
		long code = strtol(m->key, &end, 10);
		double n;
		if (!*m->key || *end || code < 0 || code > 999)
			return perfdb_json__error(v->doc, codes, m->key,
						  "'%s' is not an HTTP status code", m->key);
		if ((err = number(v, codes, m->key, &n)))
			return err;
		if (n != floor(n))
			return perfdb_json__error(v->doc, codes, m->key, "expected a count");
		total += n;
		if (code == 0)
			errors += n;
		else if (code < 200 || code > 299)
			non2xx += n;
	}
	if (total != requests)
		return perfdb_json__error(
		    v->doc, codes, NULL, "the status codes count %g requests, \"requests\" says %g",
		    total, requests);
	if ((err = put(v, root, "requests", "requests", PERFDB_LOAD_COUNT, requests)) ||
	    (err = put(v, codes, NULL, "errors", PERFDB_LOAD_ERRORS, errors)) ||
	    (err = put(v, codes, NULL, "non_2xx", PERFDB_LOAD_ERRORS, non2xx)))
		return err;
	if (requests == 0)
		return perfdb_resultset_warn(v->rs,
					     "%s: the report holds no request: no latency, "
					     "throughput or error rate recorded",
					     perfdb_json__name(v->doc));
	for (k = 0; k < sizeof(lat) / sizeof(lat[0]); k++) {
		double ns;
		if ((err = number(v, latencies, lat[k].key, &ns)) ||
		    (err = put(v, latencies, lat[k].key, lat[k].metric, PERFDB_LOAD_LATENCY, ns)))
			return err;
	}
	if ((err = put(v, root, "throughput", "throughput", PERFDB_LOAD_THROUGHPUT, throughput)) ||
	    (err = put(v, root, "success", "error_rate", PERFDB_LOAD_ERROR_RATE,
		       100.0 * (1.0 - success))))
		return err;
	return 0;
}

int perfdb_ingest__vegeta(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	vegeta v;
	const perfdb_jnode *root;
	int err;

	memset(&v, 0, sizeof(v));
	if ((err = perfdb_json__load_bounded(&v.doc, data, len, name, 100000,
					     "a vegeta report holds a few dozen")))
		return err;
	if ((err = perfdb_resultset_new(&v.rs)))
		goto done;
	root = perfdb_json__root(v.doc);
	if (!perfdb_json__is_object(root)) {
		err = perfdb_json__error(
		    v.doc, NULL, NULL, "expected the object of vegeta report -type=json, found %s",
		    perfdb_json__type_name(root));
		goto done;
	}
	if (!(err = perfdb_resultset_set_meta(v.rs, PERFDB_META_SOURCE, "vegeta")) &&
	    !(err = read_report(&v, root)))
		err = perfdb_resultset_merge(rs, v.rs);
done:
	perfdb_json__free(v.doc);
	perfdb_resultset_free(v.rs);
	return err;
}
