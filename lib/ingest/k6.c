/*
 * k6 end-of-test summaries: `k6 run --summary-export FILE` (flat metric
 * objects: {"avg": ..., "p(95)": ..., "thresholds": {"p(95)<50": false}}) and
 * the data handleSummary() receives, written with JSON.stringify ({"type":
 * "trend", "contains": "time", "values": {...}, "thresholds": {"p(95)<50":
 * {"ok": true}}}).
 *
 * One series per (request name, metric). A metric without tags belongs to
 * the benchmark "k6"; a tagged sub-metric `http_req_duration{name:login}` to
 * the benchmark "login" (a lone `name` tag: k6's request name), any other tag
 * set to the benchmark named by the tags as written (`expected_response:true`,
 * `gateway:fast,scenario:a`). Read (lib/ingest/README.md, "k6"):
 *
 *   http_req_duration (trend)  latency_mean, _min, _median, _max, _p90, _p95, ...
 *   other trends               NAME_mean, NAME_min, ... (ms -> ns for time
 *                              trends; custom trends of --summary-export carry
 *                              no unit and are stored as written, unitless)
 *   http_reqs (counter)        requests, throughput (req/s)
 *   other counters             NAME (count), NAME_rate (per second)
 *   http_req_failed (rate)     error_rate (%), failures (requests that failed)
 *   checks (rate)              checks_rate (% passed), checks_failed
 *   other rates                NAME (%; higher or lower is better as its
 *                              threshold says: rate>x / rate<x)
 *   gauges                     NAME (vus and vus_max are settings: not read)
 *   thresholds                 thresholds_failed (count, on "k6"), and a
 *                              warning naming each threshold that failed
 *
 * In --summary-export a threshold's boolean is true when it FAILED (k6's
 * lastFailed); in handleSummary data it is {"ok": false}. A NaN or infinite
 * value is warned about and not recorded.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/json.h"
#include "util/error.h"

typedef struct k6 {
	perfdb_json_doc *doc;
	perfdb_resultset *rs;
	int thresholds, failed;
} k6;

typedef enum kind { TREND, COUNTER, RATE, GAUGE } kind;

/* What a metric's numbers are: 't' time in ms, 'd' bytes, 0 unitless. */
static char contains_of(const char *base, const char *contains)
{
	static const char *const time_trends[] = {"http_req_duration",
						  "http_req_blocked",
						  "http_req_connecting",
						  "http_req_tls_handshaking",
						  "http_req_sending",
						  "http_req_waiting",
						  "http_req_receiving",
						  "iteration_duration",
						  "group_duration",
						  "grpc_req_duration",
						  "ws_connecting",
						  "ws_session_duration",
						  "ws_ping"};
	size_t k;
	if (contains)
		return strcmp(contains, "time") == 0   ? 't'
		       : strcmp(contains, "data") == 0 ? 'd'
						       : 0;
	if (strcmp(base, "data_sent") == 0 || strcmp(base, "data_received") == 0)
		return 'd';
	for (k = 0; k < sizeof(time_trends) / sizeof(time_trends[0]); k++)
		if (strcmp(base, time_trends[k]) == 0)
			return 't';
	return 0;
}

static int add(k6 *s, const perfdb_jnode *at, const char *bench, const char *metric,
	       const char *unit, perfdb_direction dir, double value)
{
	perfdb_result r;
	int err;
	perfdb_result_init(&r);
	r.benchmark = bench;
	r.metric = metric;
	r.unit = unit;
	r.direction = dir;
	r.value = value;
	if ((err = perfdb_resultset_add(s->rs, &r)) == PERFDB_EINVAL) {
		char msg[sizeof(perfdb_error_last()->message)];
		snprintf(msg, sizeof(msg), "%s", perfdb_error_last()->message);
		return perfdb_json__error(s->doc, at, NULL, "%s", msg);
	}
	return err;
}

/* Member key of vals as a number: 0 with *out, 1 when absent or not finite
 * (warned), or an error. */
static int number(k6 *s, const perfdb_jnode *vals, const char *key, const char *bench,
		  const char *metric, double *out)
{
	const perfdb_jnode *v = perfdb_json__get(vals, key);
	int line, col, err;
	if (!v)
		return 1;
	if (!perfdb_json__number(v, out))
		return perfdb_json__error(s->doc, vals, key, "expected a number, found %s",
					  perfdb_json__type_name(v));
	if (isfinite(*out))
		return 0;
	perfdb_json__where(s->doc, v, NULL, &line, &col);
	err = perfdb_resultset_warn(s->rs, "%s:%d:%d: '%s' of '%s' is %s; not recorded",
				    perfdb_json__name(s->doc), line, col, metric, bench,
				    perfdb_json__type_name(v));
	return err ? err : 1;
}

static int trend(k6 *s, const perfdb_jnode *vals, const char *bench, const char *base, char what)
{
	const char *prefix = strcmp(base, "http_req_duration") == 0 ? "latency" : base;
	size_t i;
	for (i = 0; i < perfdb_json__size(vals); i++) {
		const perfdb_jmember *m = perfdb_json__member_at(vals, i);
		const char *stat = m->key, *unit = what == 't' ? "ms" : what == 'd' ? "B" : "";
		char metric[300];
		double v;
		int rc;
		perfdb_direction dir = PERFDB_LOWER_IS_BETTER;
		/* --summary-export puts "thresholds" beside the statistics */
		if (strcmp(stat, "thresholds") == 0)
			continue;
		if (strcmp(stat, "avg") == 0)
			stat = "mean";
		else if (strcmp(stat, "med") == 0)
			stat = "median";
		else if (strcmp(stat, "count") == 0)
			unit = "", dir = PERFDB_HIGHER_IS_BETTER;
		else if (strncmp(stat, "p(", 2) == 0 && m->key_len > 3 &&
			 stat[m->key_len - 1] == ')') {
			if (snprintf(metric, sizeof(metric), "%s_p%.*s", prefix,
				     (int)(m->key_len - 3), stat + 2) >= (int)sizeof(metric))
				return perfdb_json__error(s->doc, vals, m->key, "name too long");
			stat = NULL;
		} else if (strcmp(stat, "min") != 0 && strcmp(stat, "max") != 0) {
			return perfdb_json__error(
			    s->doc, vals, m->key,
			    "unknown trend statistic '%s' (expected avg, min, "
			    "med, max, p(N) or count)",
			    m->key);
		}
		if (stat &&
		    snprintf(metric, sizeof(metric), "%s_%s", prefix, stat) >= (int)sizeof(metric))
			return perfdb_json__error(s->doc, vals, m->key, "name too long");
		if ((rc = number(s, vals, m->key, bench, metric, &v)) < 0)
			return rc;
		if (rc == 0 && (rc = add(s, m->value, bench, metric, unit, dir, v)))
			return rc;
	}
	return 0;
}

static int counter(k6 *s, const perfdb_jnode *vals, const char *bench, const char *base, char what)
{
	bool reqs = strcmp(base, "http_reqs") == 0;
	perfdb_direction dir = strcmp(base, "dropped_iterations") == 0 ? PERFDB_LOWER_IS_BETTER
			       : what == 'd'			       ? PERFDB_DIRECTION_UNSET
								       : PERFDB_HIGHER_IS_BETTER;
	char metric[300], rate_metric[300];
	double v;
	int rc;
	snprintf(metric, sizeof(metric), "%s", reqs ? "requests" : base);
	if (snprintf(rate_metric, sizeof(rate_metric), "%s%s", reqs ? "throughput" : base,
		     reqs ? "" : "_rate") >= (int)sizeof(rate_metric))
		return perfdb_json__error(s->doc, vals, NULL, "name too long");
	if (!perfdb_json__get(vals, "count") || !perfdb_json__get(vals, "rate"))
		return perfdb_json__error(
		    s->doc, vals, perfdb_json__get(vals, "count") ? "rate" : "count", "missing");
	if ((rc = number(s, vals, "count", bench, metric, &v)) < 0)
		return rc;
	if (rc == 0 && (rc = add(s, perfdb_json__get(vals, "count"), bench, metric,
				 what == 'd' ? "B" : "", dir, v)))
		return rc;
	if ((rc = number(s, vals, "rate", bench, rate_metric, &v)) < 0)
		return rc;
	if (rc == 0 && (rc = add(s, perfdb_json__get(vals, "rate"), bench, rate_metric,
				 reqs	       ? "req/s"
				 : what == 'd' ? "B/s"
					       : "/s",
				 dir, v)))
		return rc;
	return 0;
}

/* The direction a threshold on a rate implies: "rate>0.95" higher, "rate<0.05" lower. */
static perfdb_direction threshold_direction(const perfdb_jnode *thresholds)
{
	size_t i;
	for (i = 0; thresholds && i < perfdb_json__size(thresholds); i++) {
		const char *e = perfdb_json__member_at(thresholds, i)->key;
		while (*e == ' ')
			e++;
		if (strncmp(e, "rate", 4) != 0)
			continue;
		e += 4;
		while (*e == ' ')
			e++;
		if (*e == '>')
			return PERFDB_HIGHER_IS_BETTER;
		if (*e == '<')
			return PERFDB_LOWER_IS_BETTER;
	}
	return PERFDB_DIRECTION_UNSET;
}

static int rate(k6 *s, const perfdb_jnode *vals, const perfdb_jnode *thresholds, const char *bench,
		const char *base, bool handle)
{
	const char *ratio_key = handle ? "rate" : "value";
	bool failed = strcmp(base, "http_req_failed") == 0, checks = strcmp(base, "checks") == 0;
	char metric[256];
	double v;
	int rc;
	snprintf(metric, sizeof(metric), "%s",
		 failed	  ? "error_rate"
		 : checks ? "checks_rate"
			  : base);
	if ((rc = number(s, vals, ratio_key, bench, metric, &v)) < 0)
		return rc;
	if (rc == 1 && !perfdb_json__get(vals, ratio_key))
		return perfdb_json__error(s->doc, vals, ratio_key, "missing");
	if (rc == 0 && (rc = add(s, perfdb_json__get(vals, ratio_key), bench, metric, "%",
				 failed	  ? PERFDB_LOWER_IS_BETTER
				 : checks ? PERFDB_HIGHER_IS_BETTER
					  : threshold_direction(thresholds),
				 v * 100.0)))
		return rc;
	if (!failed && !checks)
		return 0;
	/* http_req_failed counts a failed request as a "pass" of the rate */
	snprintf(metric, sizeof(metric), "%s", failed ? "failures" : "checks_failed");
	if ((rc = number(s, vals, failed ? "passes" : "fails", bench, metric, &v)) < 0)
		return rc;
	if (rc == 0 && (rc = add(s, perfdb_json__get(vals, failed ? "passes" : "fails"), bench,
				 metric, "", PERFDB_LOWER_IS_BETTER, v)))
		return rc;
	return 0;
}

static int gauge(k6 *s, const perfdb_jnode *vals, const char *bench, const char *base, char what)
{
	double v;
	int rc;
	if (strcmp(base, "vus") == 0 || strcmp(base, "vus_max") == 0)
		return 0;
	if (!perfdb_json__get(vals, "value"))
		return perfdb_json__error(s->doc, vals, "value", "missing");
	if ((rc = number(s, vals, "value", bench, base, &v)) < 0)
		return rc;
	if (rc == 0 && (rc = add(s, perfdb_json__get(vals, "value"), bench, base,
				 what == 't'   ? "ms"
				 : what == 'd' ? "B"
					       : "",
				 PERFDB_DIRECTION_UNSET, v)))
		return rc;
	return 0;
}

/* --summary-export does not name a metric's type: its keys do. */
static int infer_kind(k6 *s, const perfdb_jnode *m, kind *out)
{
	size_t i;
	if (perfdb_json__get(m, "passes") || perfdb_json__get(m, "fails")) {
		*out = RATE;
		return 0;
	}
	for (i = 0; i < perfdb_json__size(m); i++) {
		const char *k = perfdb_json__member_at(m, i)->key;
		if (strcmp(k, "avg") == 0 || strcmp(k, "med") == 0 || strncmp(k, "p(", 2) == 0) {
			*out = TREND;
			return 0;
		}
	}
	if (perfdb_json__get(m, "rate") && perfdb_json__get(m, "count")) {
		*out = COUNTER;
		return 0;
	}
	if (perfdb_json__get(m, "value")) {
		*out = GAUGE;
		return 0;
	}
	return perfdb_json__error(s->doc, m, NULL,
				  "cannot tell the metric's type (no avg/med/p(N), count and "
				  "rate, passes/fails or value)");
}

static int thresholds(k6 *s, const perfdb_jnode *t, const char *key)
{
	size_t i;
	if (!t)
		return 0;
	if (!perfdb_json__is_object(t))
		return perfdb_json__error(s->doc, t, NULL, "expected an object, found %s",
					  perfdb_json__type_name(t));
	for (i = 0; i < perfdb_json__size(t); i++) {
		const perfdb_jmember *m = perfdb_json__member_at(t, i);
		const perfdb_jnode *v = m->value;
		bool failed;
		int line, col, err;
		if (perfdb_json__is_object(v)) {
			const perfdb_jnode *ok = perfdb_json__get(v, "ok");
			if (!perfdb_json__is_bool(ok))
				return perfdb_json__error(s->doc, v, "ok",
							  "expected true or false");
			failed = ok->type == PERFDB_JFALSE;
		} else if (perfdb_json__is_bool(v)) {
			failed = v->type == PERFDB_JTRUE;
		} else {
			return perfdb_json__error(s->doc, t, m->key,
						  "expected true, false or {\"ok\": ...}, found %s",
						  perfdb_json__type_name(v));
		}
		s->thresholds++;
		if (!failed)
			continue;
		s->failed++;
		perfdb_json__where(s->doc, v, NULL, &line, &col);
		if ((err =
			 perfdb_resultset_warn(s->rs, "%s:%d:%d: k6 threshold '%s' on '%s' failed",
					       perfdb_json__name(s->doc), line, col, m->key, key)))
			return err;
	}
	return 0;
}

static int read_metric(k6 *s, const perfdb_jnode *metrics, const perfdb_jmember *mem)
{
	const perfdb_jnode *m = mem->value, *vals = m;
	const char *brace = strchr(mem->key, '{'), *contains = NULL, *type;
	char base[256], bench[512];
	bool handle;
	kind kd;
	int err;

	if (!perfdb_json__is_object(m))
		return perfdb_json__error(s->doc, metrics, mem->key, "expected an object, found %s",
					  perfdb_json__type_name(m));
	if (brace) {
		size_t blen = (size_t)(brace - mem->key), tlen = mem->key_len - blen - 2;
		if (mem->key[mem->key_len - 1] != '}' || mem->key_len < blen + 2 || blen == 0 ||
		    blen >= sizeof(base) || tlen == 0 || tlen >= sizeof(bench))
			return perfdb_json__error(s->doc, metrics, mem->key,
						  "expected METRIC or METRIC{tag:value,...}");
		memcpy(base, mem->key, blen);
		base[blen] = '\0';
		/* a lone name tag is k6's request name: the endpoint */
		if (tlen > 5 && strncmp(brace + 1, "name:", 5) == 0 &&
		    !memchr(brace + 6, ',', tlen - 5))
			snprintf(bench, sizeof(bench), "%.*s", (int)(tlen - 5), brace + 6);
		else
			snprintf(bench, sizeof(bench), "%.*s", (int)tlen, brace + 1);
	} else {
		if (mem->key_len == 0 || mem->key_len >= sizeof(base))
			return perfdb_json__error(s->doc, metrics, mem->key, "a bad metric name");
		snprintf(base, sizeof(base), "%s", mem->key);
		snprintf(bench, sizeof(bench), "k6");
	}

	handle = perfdb_json__get(m, "values") != NULL;
	if (handle) {
		vals = perfdb_json__get(m, "values");
		if (!perfdb_json__is_object(vals))
			return perfdb_json__error(s->doc, m, "values",
						  "expected an object, found %s",
						  perfdb_json__type_name(vals));
		if ((err = perfdb_json__member_string(s->doc, m, "type", true, &type)) < 0 ||
		    (err = perfdb_json__member_string(s->doc, m, "contains", false, &contains)) < 0)
			return err;
		if (strcmp(type, "trend") == 0)
			kd = TREND;
		else if (strcmp(type, "counter") == 0)
			kd = COUNTER;
		else if (strcmp(type, "rate") == 0)
			kd = RATE;
		else if (strcmp(type, "gauge") == 0)
			kd = GAUGE;
		else
			return perfdb_json__error(
			    s->doc, m, "type",
			    "unknown metric type '%s' (expected trend, counter, "
			    "rate or gauge)",
			    type);
	} else if ((err = infer_kind(s, m, &kd))) {
		return err;
	}
	if ((err = thresholds(s, perfdb_json__get(m, "thresholds"), mem->key)))
		return err;
	switch (kd) {
	case TREND: return trend(s, vals, bench, base, contains_of(base, contains));
	case COUNTER: return counter(s, vals, bench, base, contains_of(base, contains));
	case RATE: return rate(s, vals, perfdb_json__get(m, "thresholds"), bench, base, handle);
	case GAUGE: return gauge(s, vals, bench, base, contains_of(base, contains));
	}
	return 0;
}

int perfdb_ingest__k6(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	k6 s;
	const perfdb_jnode *root, *metrics;
	size_t i;
	int err;

	memset(&s, 0, sizeof(s));
	if ((err = perfdb_json__load_bounded(&s.doc, data, len, name, 100000,
					     "a k6 summary holds a few thousand")))
		return err;
	if ((err = perfdb_resultset_new(&s.rs)))
		goto done;
	root = perfdb_json__root(s.doc);
	if (!perfdb_json__is_object(root)) {
		err = perfdb_json__error(s.doc, NULL, NULL,
					 "expected an object with \"metrics\", found %s",
					 perfdb_json__type_name(root));
		goto done;
	}
	metrics = perfdb_json__get(root, "metrics");
	if (!metrics) {
		err = perfdb_json__error(s.doc, NULL, "metrics", "missing (not a k6 summary?)");
		goto done;
	}
	if (!perfdb_json__is_object(metrics)) {
		err = perfdb_json__error(s.doc, metrics, NULL, "expected an object, found %s",
					 perfdb_json__type_name(metrics));
		goto done;
	}
	if ((err = perfdb_resultset_set_meta(s.rs, PERFDB_META_SOURCE, "k6")))
		goto done;
	for (i = 0; i < perfdb_json__size(metrics); i++)
		if ((err = read_metric(&s, metrics, perfdb_json__member_at(metrics, i))))
			goto done;
	if (s.thresholds && (err = add(&s, metrics, "k6", "thresholds_failed", "",
				       PERFDB_LOWER_IS_BETTER, (double)s.failed)))
		goto done;
	if (perfdb_resultset_count(s.rs) == 0) {
		err = perfdb_json__error(s.doc, metrics, NULL, "no metrics to record");
		goto done;
	}
	err = perfdb_resultset_merge(rs, s.rs);
done:
	perfdb_json__free(s.doc);
	perfdb_resultset_free(s.rs);
	return err;
}
