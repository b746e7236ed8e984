/*
 * BenchmarkDotNet's JSON exporters (brief, full, full-compressed; 0.9 to
 * 0.15): {"Title", "HostEnvironmentInfo", "Benchmarks": [...]}.
 *
 * Each benchmark is a "time" result in ns named by FullName (0.9's brief
 * export has none: Namespace.Type.Method), followed by " [Parameters]" when
 * the benchmark has parameters: value and mean from Statistics.Mean, median,
 * stddev, min, max, n = Statistics.N and, in full exports, the
 * OriginalValues (per-operation times of the actual workload iterations) as
 * samples. Memory.BytesAllocatedPerOperation ([MemoryDiagnoser]) is an
 * "allocated" result in B, and its Gen0/Gen1/Gen2Collections are
 * "genN_collections" results per 1000 operations (read_collections). "Statistics": null is how
 * BenchmarkDotNet writes a benchmark that failed to run: warned about, not recorded.
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
	perfdb_ingest_index names;
	char **owned;
	size_t nowned, capowned;
} reader;

/* The benchmark's name, malloc'd and kept in r->owned. */
static int bench_name(reader *r, const perfdb_jnode *b, const char **out)
{
	const char *full = NULL, *ns = NULL, *type = NULL, *method = NULL, *params = NULL;
	size_t len;
	char *s;
	int err;
	if ((err = perfdb_json__member_string(r->doc, b, "FullName", false, &full)) < 0 ||
	    (err = perfdb_json__member_string(r->doc, b, "Parameters", false, &params)) < 0)
		return err;
	if (!full) {
		if ((err = perfdb_json__member_string(r->doc, b, "Namespace", false, &ns)) < 0 ||
		    (err = perfdb_json__member_string(r->doc, b, "Type", true, &type)) < 0 ||
		    (err = perfdb_json__member_string(r->doc, b, "Method", true, &method)) < 0)
			return err;
	}
	len =
	    (full ? strlen(full) : (ns ? strlen(ns) + 1 : 0) + strlen(type) + strlen(method) + 1) +
	    (params && *params ? strlen(params) + 3 : 0) + 1;
	if (!(s = malloc(len)))
		return perfdb_error__oom();
	if (full)
		snprintf(s, len, "%s", full);
	else
		snprintf(s, len, "%s%s%s.%s", ns ? ns : "", ns ? "." : "", type, method);
	if (params && *params) {
		size_t n = strlen(s);
		snprintf(s + n, len - n, " [%s]", params);
	}
	if (r->nowned == r->capowned) {
		size_t cap = r->capowned ? r->capowned * 2 : 16;
		char **p = realloc(r->owned, cap * sizeof(*p));
		if (!p) {
			free(s);
			return perfdb_error__oom();
		}
		r->owned = p;
		r->capowned = cap;
	}
	r->owned[r->nowned++] = s;
	*out = s;
	return 0;
}

static int stat(reader *r, const perfdb_jnode *st, const char *key, bool required, double *out)
{
	int err = perfdb_json__member_number(r->doc, st, key, required, out);
	if (err < 0)
		return err;
	if (err == 0 && !isfinite(*out))
		return perfdb_json__error(r->doc, st, key, "expected a finite number");
	return 0;
}

/*
 * The garbage collections of [MemoryDiagnoser] (Memory.Gen0Collections … and
 * TotalOperations): per 1000 operations, as BenchmarkDotNet's Gen0/Gen1/Gen2
 * columns show them ("GC Generation 0 collects per 1000 operations"). Read
 * only beside a measured BytesAllocatedPerOperation: without the diagnoser
 * the counts are zeros that measured nothing.
 */
static int read_collections(reader *r, const perfdb_jnode *mem, const char *name)
{
	static const char *const keys[] = {"Gen0Collections", "Gen1Collections", "Gen2Collections"};
	static const char *const metrics[] = {"gen0_collections", "gen1_collections",
					      "gen2_collections"};
	const perfdb_jnode *ops = perfdb_json__get(mem, "TotalOperations");
	double total, count;
	perfdb_result res;
	size_t k;
	int err;

	if (!ops)
		return 0;
	if (!perfdb_json__number(ops, &total) || !isfinite(total) || total < 0)
		return perfdb_json__error(r->doc, ops, NULL,
					  "expected an operation count, found %s",
					  perfdb_json__type_name(ops));
	if (total == 0)
		return 0;
	for (k = 0; k < 3; k++) {
		const perfdb_jnode *v = perfdb_json__get(mem, keys[k]);
		if (!v)
			continue;
		if (!perfdb_json__number(v, &count) || !isfinite(count) || count < 0)
			return perfdb_json__error(r->doc, v, NULL,
						  "expected a collection count, found %s",
						  perfdb_json__type_name(v));
		perfdb_result_init(&res);
		res.benchmark = name;
		res.metric = metrics[k];
		res.unit = "collections/1000 op";
		res.direction = PERFDB_LOWER_IS_BETTER;
		res.value = count / total * 1000;
		if ((err = perfdb_resultset_add(r->rs, &res)))
			return err;
	}
	return 0;
}

/* b: Benchmarks[index], named by itself (an item read from the file one at
 * a time is not in the skeleton's array) */
static int read_benchmark(void *ctx, const perfdb_jnode *b, size_t index)
{
	reader *r = ctx;
	const perfdb_jnode *st, *mem, *orig;
	const char *name = NULL;
	perfdb_result res;
	double n, *samples = NULL;
	perfdb_json_unheld unheld = {0};
	perfdb_jitems walk;
	size_t i, k = 0, m, found;
	int err;

	if (!perfdb_json__is_object(b))
		return perfdb_json__error(r->doc, b, NULL, "expected an object, found %s",
					  perfdb_json__type_name(b));
	if ((err = bench_name(r, b, &name)))
		return err;
	if ((err = perfdb_ingest__index_add(&r->names, name, "", index, &found)) < 0)
		return err;
	if (err == 1)
		return perfdb_json__error(r->doc, b, NULL, "benchmark '%s' is also Benchmarks[%zu]",
					  name, found);
	st = perfdb_json__get(b, "Statistics");
	if (!st)
		return perfdb_json__error(r->doc, b, "Statistics", "missing");
	if (perfdb_json__is_null(st)) {
		int line, column;
		perfdb_json__where(r->doc, b, "Statistics", &line, &column);
		return perfdb_resultset_warn(r->rs,
					     "%s:%d:%d: benchmark '%s': Statistics is null (the "
					     "benchmark failed); not recorded",
					     perfdb_json__name(r->doc), line, column, name);
	}
	if (!perfdb_json__is_object(st))
		return perfdb_json__error(r->doc, st, NULL, "expected an object, found %s",
					  perfdb_json__type_name(st));
	perfdb_result_init(&res);
	res.benchmark = name;
	res.metric = "time";
	res.unit = "ns";
	res.direction = PERFDB_LOWER_IS_BETTER;
	if ((err = stat(r, st, "Mean", true, &res.mean)) || (err = stat(r, st, "N", false, &n)) ||
	    (err = stat(r, st, "Median", false, &res.median)) ||
	    (err = stat(r, st, "StandardDeviation", false, &res.stddev)) ||
	    (err = stat(r, st, "Min", false, &res.min)) ||
	    (err = stat(r, st, "Max", false, &res.max)))
		return err;
	res.value = res.mean;
	if (!isnan(n)) {
		if (n < 1 || n != floor(n) || n > 1e15)
			return perfdb_json__error(r->doc, st, "N", "expected a count");
		res.n = (int64_t)n;
	}
	orig = perfdb_json__get(st, "OriginalValues");
	if (orig) {
		if (!perfdb_json__is_array(orig))
			return perfdb_json__error(r->doc, orig, NULL, "expected an array, found %s",
						  perfdb_json__type_name(orig));
		k = perfdb_json__size(orig);
		/* in the resultset's memory, which perfdb_resultset_add takes
		 * where it is; a packed array without a node an item; millions
		 * the sink takes where they are only checked (unheld) */
		if ((unheld.on = perfdb_json__unheld(r->rs, orig, false, &unheld, &m))) {
			i = perfdb_ingest__scan_unheld(&unheld.src, -INFINITY, &unheld.maxabs);
			unheld.on = i == SIZE_MAX;
		} else if (!(samples = perfdb_resultset__samples(r->rs, k))) {
			return PERFDB_ENOMEM; /* set */
		} else {
			m = perfdb_json__numbers(orig, samples);
			i = 0;
		}
		for (; i < k; i++)
			if (i >= m || !samples || !isfinite(samples[i]))
				return perfdb_json__error_item(
				    r->doc, orig, i, "expected a time in ns, found %s",
				    perfdb_json__type_name(perfdb_json__item_at(orig, i, &walk)));
		if (k && !isnan(n) && (double)k != n)
			return perfdb_json__error(r->doc, orig, NULL,
						  "has %zu values, but N is %.0f", k, n);
	}
	res.samples = k ? samples : NULL;
	res.nsamples = k;
	if (!perfdb_ingest__fits_unit(&res) ||
	    (unheld.on && !perfdb_ingest__fits_unit_max(res.unit, unheld.maxabs)))
		return perfdb_json__error(r->doc, st, "Mean", "out of range");
	if ((err = unheld.on ? perfdb_resultset__add_unheld(r->rs, &res, &unheld.src)
			     : perfdb_resultset_add(r->rs, &res)))
		return perfdb_json__placed(err, r->doc, b, "FullName");

	mem = perfdb_json__get(b, "Memory");
	if (perfdb_json__is_object(mem)) {
		const perfdb_jnode *v = perfdb_json__get(mem, "BytesAllocatedPerOperation");
		double bytes;
		if (v && !perfdb_json__is_null(v)) {
			if (!perfdb_json__number(v, &bytes) || !isfinite(bytes) || bytes < 0)
				return perfdb_json__error(r->doc, v, NULL,
							  "expected a byte count, found %s",
							  perfdb_json__type_name(v));
			perfdb_result_init(&res);
			res.benchmark = name;
			res.metric = "allocated";
			res.unit = "B";
			res.value = bytes;
			if ((err = perfdb_resultset_add(r->rs, &res)) ||
			    (err = read_collections(r, mem, name)))
				return perfdb_json__placed(err, r->doc, b, "FullName");
		}
	}
	return 0;
}

static int read_either(perfdb_resultset *rs, perfdb_json_doc *own, perfdb_json_stream *stream)
{
	reader r;
	size_t i;
	int err;

	memset(&r, 0, sizeof(r));
	r.own_doc = own;
	r.stream = stream;
	r.doc = own ? own : perfdb_json__stream_doc(stream);
	if (!(err = perfdb_resultset_new(&r.rs)))
		err = perfdb_json__read_array(rs, r.rs, r.doc, r.stream, "Benchmarks",
					      "not a BenchmarkDotNet JSON export?",
					      "benchmarkdotnet", read_benchmark, &r, "benchmarks");
	for (i = 0; i < r.nowned; i++)
		free(r.owned[i]);
	free(r.owned);
	perfdb_ingest__index_release(&r.names);
	perfdb_json__free(r.own_doc);
	perfdb_resultset_free(r.rs);
	return err;
}

int perfdb_ingest__benchmarkdotnet(perfdb_resultset *rs, const char *data, size_t len,
				   const char *name)
{
	perfdb_json_doc *doc;
	int err;
	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	return read_either(rs, doc, NULL);
}

int perfdb_ingest__benchmarkdotnet_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	return read_either(rs, NULL, stream);
}
