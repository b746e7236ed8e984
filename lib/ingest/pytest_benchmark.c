/*
 * pytest-benchmark --benchmark-json (and its --benchmark-autosave files),
 * 2.5 to 4.x.
 *
 * One entry of "benchmarks" becomes a "time" result in seconds: value and
 * mean from stats.mean, with median, stddev, min, max, n = stats.rounds and,
 * when the file has them (3.x and later, not 2.5), the per-round times of
 * stats.data as samples. stats.ops (rounds per second, 1/mean) is kept as
 * an "ops" result in ops/s, higher is better, for those who watch that
 * column. The name is "fullname" (module::test[param-id]), which holds the
 * parametrize id, so params need no second place; "group" only arranges the
 * report and extra_info is free-form user data: neither is part of the
 * series or a measurement, and neither is read.
 *
 * A benchmark with "stats": null (it errored before any round finished) is
 * warned about and not recorded; so are non-finite statistics. A "data"
 * array that is not all numbers (files trimmed by hand end in a string) is
 * warned about and its statistics are kept without samples. machine_info
 * goes to the context. pytest-benchmark does not record whether the test
 * passed after it was measured, so a failing test cannot be told apart.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/json_stream.h"
#include "ingest/reader.h"
#include "util/error.h"

typedef struct reader {
	const perfdb_json_doc *doc; /* the file's, or the stream's skeleton */
	perfdb_json_doc *own_doc;
	perfdb_json_stream *stream; /* the benchmarks an item at a time, or NULL */
	perfdb_resultset *rs;
	perfdb_ingest_index names; /* of names: owned copies (an item's tree is freed) */
	char **names_owned;
	size_t nnames, capnames;
} reader;

static int warn_at(reader *r, const perfdb_jnode *node, const char *key, const char *name,
		   const char *what)
{
	int line, column;
	perfdb_json__where(r->doc, node, key, &line, &column);
	return perfdb_resultset_warn(r->rs, "%s:%d:%d: benchmark '%s': %s; not recorded",
				     perfdb_json__name(r->doc), line, column, name, what);
}

/* A statistic: 0 with *out, 1 when absent or not finite (warned), or an error. */
static int stat(reader *r, const perfdb_jnode *stats, const char *key, const char *name,
		bool required, double *out)
{
	const perfdb_jnode *v = perfdb_json__get(stats, key);
	char what[96];
	int err;
	*out = NAN;
	if (!v && !required)
		return 1;
	if ((err = perfdb_json__value_number(r->doc, stats, key, v, true, out)) < 0)
		return err;
	if (isfinite(*out))
		return 0;
	snprintf(what, sizeof(what), "stats.%s is %s", key, perfdb_json__type_name(v));
	*out = NAN;
	return (err = warn_at(r, stats, key, name, what)) ? err : 1;
}

/* stats.data into *out, in the resultset's memory (perfdb_resultset_add
 * takes it there), and a packed array without a node an item: 0 with *n
 * values (0 when absent), a warning (the statistics are still recorded), or
 * an error. Millions of them the sink takes where they are are only
 * checked (u->on, *out NULL). */
static int read_samples(reader *r, const perfdb_jnode *stats, const char *name, double **out,
			size_t *n, perfdb_json_unheld *u)
{
	const perfdb_jnode *data = perfdb_json__get(stats, "data");
	perfdb_jitems walk;
	size_t i, k, m, bad = SIZE_MAX;
	*n = 0;
	if (!data)
		return 0;
	if (!perfdb_json__is_array(data))
		return perfdb_json__error(r->doc, data, NULL, "expected an array, found %s",
					  perfdb_json__type_name(data));
	k = perfdb_json__size(data);
	if ((u->on = perfdb_json__unheld(r->rs, data, false, u, &m))) {
		*out = NULL;
		bad = perfdb_ingest__scan_unheld(&u->src, 0, &u->maxabs);
		u->on = bad == SIZE_MAX;
	} else if (!(*out = perfdb_resultset__samples(r->rs, k))) {
		return PERFDB_ENOMEM; /* set */
	} else {
		m = perfdb_json__numbers(data, *out);
	}
	/* unheld, only the bad one is looked at (and said) */
	for (i = *out ? 0 : bad; i < k; i++) {
		if (i >= m || !*out || !isfinite((*out)[i]) || (*out)[i] < 0) {
			int line, column;
			perfdb_json__where_item(r->doc, data, i, &line, &column);
			/* keep the statistics, which pytest-benchmark computed from all rounds */
			return perfdb_resultset_warn(
			    r->rs,
			    "%s:%d:%d: benchmark '%s': stats.data[%zu] is %s, not a time; its "
			    "samples are not recorded (the statistics are)",
			    perfdb_json__name(r->doc), line, column, name, i,
			    perfdb_json__type_name(perfdb_json__item_at(data, i, &walk)));
		}
	}
	*n = k;
	return 0;
}

/* The member of benchmark b its name is read from. */
static const char *name_key(const perfdb_jnode *b)
{
	return perfdb_json__get(b, "fullname") ? "fullname" : "name";
}

/* b: benchmarks[index], named by itself (an item read from the file one
 * at a time is not in the skeleton's array) */
static int read_benchmark(reader *r, const perfdb_jnode *b, size_t index)
{
	const perfdb_jnode *stats;
	const char *name;
	char *key;
	perfdb_result res;
	double mean, ops, rounds, *samples = NULL;
	perfdb_json_unheld unheld = {0};
	size_t nsamples = 0, found;
	int err;

	if (!perfdb_json__is_object(b))
		return perfdb_json__error(r->doc, b, NULL, "expected an object, found %s",
					  perfdb_json__type_name(b));
	if ((err = perfdb_json__member_string(r->doc, b, "fullname", false, &name)) < 0)
		return err;
	if (err == 1 && (err = perfdb_json__member_string(r->doc, b, "name", true, &name)) < 0)
		return err;
	if (!*name)
		return perfdb_json__error(r->doc, b, "fullname", "empty name");
	if ((err = perfdb_ingest__grow((void **)&r->names_owned, &r->capnames, r->nnames + 1,
				       sizeof(*r->names_owned))))
		return err;
	if (!(key = strdup(name)))
		return perfdb_error__oom();
	r->names_owned[r->nnames++] = key;
	if ((err = perfdb_ingest__index_add(&r->names, key, "", index, &found)) < 0)
		return err;
	if (err == 1)
		return perfdb_json__error(r->doc, b, "fullname",
					  "benchmark '%s' is also benchmarks[%zu]", name, found);
	stats = perfdb_json__get(b, "stats");
	if (!stats)
		return perfdb_json__error(r->doc, b, "stats", "missing");
	if (perfdb_json__is_null(stats))
		return warn_at(r, b, "stats", name, "stats is null (the benchmark did not run)");
	if (!perfdb_json__is_object(stats))
		return perfdb_json__error(r->doc, stats, NULL, "expected an object, found %s",
					  perfdb_json__type_name(stats));

	perfdb_result_init(&res);
	res.benchmark = name;
	res.metric = "time";
	res.unit = "s";
	res.direction = PERFDB_LOWER_IS_BETTER;
	if ((err = stat(r, stats, "mean", name, true, &mean)) < 0)
		return err;
	if (err == 1)
		return 0; /* warned: nothing to record */
	if ((err = stat(r, stats, "median", name, false, &res.median)) < 0 ||
	    (err = stat(r, stats, "stddev", name, false, &res.stddev)) < 0 ||
	    (err = stat(r, stats, "min", name, false, &res.min)) < 0 ||
	    (err = stat(r, stats, "max", name, false, &res.max)) < 0 ||
	    (err = stat(r, stats, "rounds", name, false, &rounds)) < 0 ||
	    (err = read_samples(r, stats, name, &samples, &nsamples, &unheld)) < 0)
		return err;
	if (!isnan(rounds) && (rounds < 1 || rounds != floor(rounds) || rounds > 1e15))
		return perfdb_json__error(r->doc, stats, "rounds", "expected a round count");
	if (nsamples && !isnan(rounds) && (double)nsamples != rounds)
		return perfdb_json__error(r->doc, stats, "data",
					  "has %zu values, but rounds is %.0f", nsamples, rounds);
	res.value = res.mean = mean;
	res.n = isnan(rounds) ? 0 : (int64_t)rounds;
	res.samples = nsamples ? samples : NULL;
	res.nsamples = nsamples;
	if (!perfdb_ingest__fits_unit(&res) ||
	    (unheld.on && !perfdb_ingest__fits_unit_max(res.unit, unheld.maxabs)))
		return perfdb_json__error(r->doc, stats, "mean", "out of range");
	if ((err = unheld.on ? perfdb_resultset__add_unheld(r->rs, &res, &unheld.src)
			     : perfdb_resultset_add(r->rs, &res)))
		return perfdb_json__placed(err, r->doc, b, name_key(b));

	if ((err = stat(r, stats, "ops", name, false, &ops)) < 0)
		return err;
	if (err == 0) {
		perfdb_result o;
		perfdb_result_init(&o);
		o.benchmark = name;
		o.metric = "ops";
		o.unit = "ops/s";
		o.direction = PERFDB_HIGHER_IS_BETTER;
		o.value = ops;
		if ((err = perfdb_resultset_add(r->rs, &o)))
			return perfdb_json__placed(err, r->doc, b, name_key(b));
	}
	return 0;
}

/* machine_info's plain strings that describe the interpreter and host. */
static int read_machine(reader *r, const perfdb_jnode *root)
{
	static const char *const keys[] = {"python_implementation", "python_version", "machine",
					   "system", "release"};
	const perfdb_jnode *mi = perfdb_json__get(root, "machine_info"), *cpu;
	char key[64];
	size_t i;
	int err;
	if (!perfdb_json__is_object(mi))
		return 0;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = perfdb_json__string(perfdb_json__get(mi, keys[i]));
		snprintf(key, sizeof(key), "%s", keys[i]);
		if (v && *v && (err = perfdb_resultset_set_context(r->rs, key, v)))
			return err;
	}
	cpu = perfdb_json__get(mi, "cpu");
	if (perfdb_json__is_object(cpu)) {
		const char *brand = perfdb_json__string(perfdb_json__get(cpu, "brand_raw"));
		if (!brand)
			brand = perfdb_json__string(perfdb_json__get(cpu, "brand"));
		if (brand && *brand && (err = perfdb_resultset_set_context(r->rs, "cpu", brand)))
			return err;
	}
	return 0;
}

static int stream_benchmark(void *ctx, const perfdb_jnode *b, size_t index)
{
	return read_benchmark(ctx, b, index);
}

/* The reading shared by both entry points; r->doc (and r->stream) set. */
static int read_doc(reader *r, perfdb_resultset *rs)
{
	int err;
	/* machine_info first: it goes with the first batch of results */
	if ((err = perfdb_resultset_new(&r->rs)) ||
	    (err = read_machine(r, perfdb_json__root(r->doc))))
		return err;
	return perfdb_json__read_array(rs, r->rs, r->doc, r->stream, "benchmarks",
				       "not pytest-benchmark --benchmark-json output?",
				       "pytest-benchmark", stream_benchmark, r, "benchmarks");
}

static void reader_release(reader *r)
{
	size_t i;
	for (i = 0; i < r->nnames; i++)
		free(r->names_owned[i]);
	free(r->names_owned);
	perfdb_ingest__index_release(&r->names);
	perfdb_json__free(r->own_doc);
	perfdb_resultset_free(r->rs);
}

int perfdb_ingest__pytest_benchmark(perfdb_resultset *rs, const char *data, size_t len,
				    const char *name)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	if ((err = perfdb_json__load(&r.own_doc, data, len, name)))
		return err;
	r.doc = r.own_doc;
	err = read_doc(&r, rs);
	reader_release(&r);
	return err;
}

int perfdb_ingest__pytest_benchmark_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	r.stream = stream;
	r.doc = perfdb_json__stream_doc(stream);
	err = read_doc(&r, rs);
	reader_release(&r);
	return err;
}
