/*
 * hyperfine --export-json.
 *
 * One result object per benchmarked command. Times are in seconds and become
 * samples of the "wall_time" metric; "user_time" and "system_time" are
 * hyperfine's means only. Runs that exited non-zero (kept by
 * --ignore-failure) are not measurements of the command doing its work, so
 * their times are left out of the samples and the statistics are recomputed
 * from the runs that succeeded; user/system times, which hyperfine averages
 * over all runs, cannot be separated and are then not recorded. Every such
 * case is reported with a warning. See lib/ingest/README.md, "Google Benchmark and
 * hyperfine input".
 */
#include <inttypes.h>
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
	perfdb_json_stream *stream; /* the results an item at a time, or NULL */
	perfdb_resultset *rs;
	double *scratch; /* per result, reused */
	bool *failed;
	size_t cap;
	char *name;
	size_t name_cap;
	char **seen;	    /* the names before r->name, for distinct_name */
	size_t *times_seen; /* per name of seen, at its first: how often it came */
	size_t nseen, seen_cap, times_seen_cap;
	perfdb_ingest_index seen_index; /* (name, "") -> its first in seen */
} reader;

static void reader_release(reader *r)
{
	size_t i;
	for (i = 0; i < r->nseen; i++)
		free(r->seen[i]);
	free(r->seen);
	free(r->times_seen);
	perfdb_ingest__index_release(&r->seen_index);
	free(r->scratch);
	free(r->failed);
	free(r->name);
	perfdb_json__free(r->own_doc);
	perfdb_resultset_free(r->rs);
}

static int reserve(reader *r, size_t n)
{
	double *sc;
	bool *f;
	if (n <= r->cap)
		return 0;
	sc = realloc(r->scratch, n * sizeof(*sc));
	if (sc)
		r->scratch = sc;
	f = realloc(r->failed, n * sizeof(*f));
	if (f)
		r->failed = f;
	if (!f || !sc)
		return perfdb_error__oom();
	r->cap = n;
	return 0;
}

/* --- the benchmark name --------------------------------------------------------- */

/* The command, then its parameters sorted by name: "sleep 0.001 [ms=1]".
 * hyperfine substitutes parameters into the command, but not into a name given
 * with --command-name, so without them two results could share one name. */
static int bench_name(reader *r, const perfdb_jnode *res, const char *command)
{
	return perfdb_json__name_with_params(r->doc, perfdb_json__get(res, "parameters"), command,
					     true, &r->name, &r->name_cap);
}

/* One command given twice (`hyperfine 'make' 'make'`), or one --command-name
 * for two commands, gives two results with one name. Both are measurements,
 * so both are kept: the second becomes "NAME #2", the third "NAME #3", in the
 * order of the file, and a warning says so. */
static int distinct_name(reader *r)
{
	size_t len, count = 0, first;
	char num[32];
	int err;
	/* looked up, not compared with every earlier name: 250,000 commands
	 * took 48 s */
	if ((err = perfdb_ingest__grow((void **)&r->seen, &r->seen_cap, r->nseen + 1,
				       sizeof(*r->seen))) ||
	    (err = perfdb_ingest__grow((void **)&r->times_seen, &r->times_seen_cap, r->nseen + 1,
				       sizeof(*r->times_seen))))
		return err;
	if (!(r->seen[r->nseen] = strdup(r->name)))
		return perfdb_error__oom();
	r->nseen++;
	if ((err = perfdb_ingest__index_add(&r->seen_index, r->seen[r->nseen - 1], "", r->nseen - 1,
					    &first)) < 0)
		return err;
	if (err == 1)
		count = r->times_seen[first]++;
	else
		r->times_seen[r->nseen - 1] = 1;
	if (!count)
		return 0;
	snprintf(num, sizeof(num), " #%zu", count + 1);
	len = strlen(r->name);
	if ((err = perfdb_ingest__grow((void **)&r->name, &r->name_cap, len + strlen(num) + 1, 1)))
		return err;
	memcpy(r->name + len, num, strlen(num) + 1);
	return perfdb_resultset_warn(r->rs,
				     "%s: command '%s' is given more than once; occurrence %zu is "
				     "recorded as '%s'",
				     perfdb_json__name(r->doc), r->seen[r->nseen - 1], count + 1,
				     r->name);
}

/* --- arrays --------------------------------------------------------------------- */

/* Checks array member key of res (n values; *present false when absent)
 * and, when out is not NULL, reads its values into out. A packed array
 * (json_parse.h) is read without a node an item; with src (its values,
 * taken unheld: perfdb_json__unheld), only checked in a pass over them. */
static int number_array(reader *r, const perfdb_jnode *res, const char *key, double *out, size_t n,
			bool *present, const perfdb_unheld *src)
{
	const perfdb_jnode *a = perfdb_json__get(res, key), *v;
	perfdb_jitems walk;
	size_t i, k = 0;
	double d = 0;
	*present = a != NULL;
	if (!a)
		return 0;
	if (!perfdb_json__is_array(a))
		return perfdb_json__error(r->doc, a, NULL, "expected an array, found %s",
					  perfdb_json__type_name(a));
	if (perfdb_json__size(a) != n)
		return perfdb_json__error(r->doc, a, NULL, "has %zu values, but there are %zu runs",
					  perfdb_json__size(a), n);
	if (src) {
		/* packed: every item is a number */
		size_t bad = perfdb_ingest__scan_unheld(src, 0, &d);
		return bad == SIZE_MAX
			   ? 0
			   : perfdb_json__error_item(r->doc, a, bad,
						     "expected a finite, non-negative number");
	}
	if (out)
		k = perfdb_json__numbers(a, out);
	else
		perfdb_jitems_init(&walk, a);
	for (i = 0; i < n; i++) {
		if (out && i < k) {
			d = out[i];
		} else if (out || !perfdb_json__number(perfdb_jitems_next(&walk), &d)) {
			v = perfdb_json__item_at(a, i, &walk);
			return perfdb_json__error_item(r->doc, a, i, "expected a number, found %s",
						       perfdb_json__type_name(v));
		}
		if (!isfinite(d) || d < 0)
			return perfdb_json__error_item(r->doc, a, i,
						       "expected a finite, non-negative number");
	}
	return 0;
}

/* exit_codes[]: an integer per run; null when the run was killed by a signal. */
static int read_exit_codes(reader *r, const perfdb_jnode *res, size_t n, size_t *nfailed)
{
	const perfdb_jnode *a = perfdb_json__get(res, "exit_codes"), *v;
	perfdb_jitems walk;
	size_t i;
	*nfailed = 0;
	if (!a)
		return 0; /* r->failed is not read (nor touched: a page a 4,096 runs) */
	if (!perfdb_json__is_array(a))
		return perfdb_json__error(r->doc, a, NULL, "expected an array, found %s",
					  perfdb_json__type_name(a));
	if (perfdb_json__size(a) != n)
		return perfdb_json__error(r->doc, a, NULL, "has %zu values, but there are %zu runs",
					  perfdb_json__size(a), n);
	perfdb_jitems_init(&walk, a);
	for (i = 0; i < n && (v = perfdb_jitems_next(&walk)); i++) {
		int64_t code;
		if (perfdb_json__is_null(v)) {
			r->failed[i] = true;
		} else if (perfdb_json__integer(v, &code)) {
			r->failed[i] = code != 0;
		} else {
			return perfdb_json__error_item(r->doc, a, i,
						       "expected an integer or null, found %s",
						       perfdb_json__type_name(v));
		}
		*nfailed += r->failed[i];
	}
	return 0;
}

/* --- statistics of the runs that succeeded ------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Fills mean, median, stddev (n-1), min, max of v[0..n) (n >= 1); sorts v. */
static void describe(perfdb_result *res, double *v, size_t n)
{
	double sum = 0.0, ss = 0.0, mean;
	size_t i;
	for (i = 0; i < n; i++)
		sum += v[i];
	mean = sum / (double)n;
	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	res->mean = mean;
	res->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	res->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
	res->min = v[0];
	res->max = v[n - 1];
}

/* Keeps the values of successful runs at the front of v; returns their
 * count. r->failed is read only when some failed. */
static size_t keep_succeeded(const reader *r, size_t nfailed, double *v, size_t n)
{
	size_t i, k = 0;
	if (!nfailed)
		return n;
	for (i = 0; i < n; i++)
		if (!r->failed[i])
			v[k++] = v[i];
	return k;
}

/* A statistic hyperfine wrote: a number, or null (stddev of one run). Reads
 * NAN for null or absent; needs r->name set. */
static int optional_stat(reader *r, const perfdb_jnode *res, const char *key, double *out)
{
	const perfdb_jnode *v = perfdb_json__get(res, key);
	*out = NAN;
	if (!v || perfdb_json__is_null(v))
		return 0;
	if (!perfdb_json__number(v, out))
		return perfdb_json__error(r->doc, v, NULL, "expected a number or null, found %s",
					  perfdb_json__type_name(v));
	if (!isfinite(*out)) {
		/* Unknown, and said so: a NaN that just vanished would be silent. */
		*out = NAN;
		return perfdb_resultset_warn(r->rs, "command '%s': %s is %s; ignored", r->name, key,
					     perfdb_json__type_name(v));
	}
	return 0;
}

static int add_time(reader *r, const char *metric, double value)
{
	perfdb_result res;
	if (isnan(value))
		return 0; /* not in the file, or warned about by optional_stat */
	perfdb_result_init(&res);
	res.benchmark = r->name;
	res.metric = metric;
	res.unit = "s";
	res.value = value;
	return perfdb_resultset_add(r->rs, &res);
}

/* res: results[index], named by itself (an item read from the file one at
 * a time is not in the skeleton's array) */
static int read_result(void *ctx, const perfdb_jnode *res, size_t index)
{
	reader *r = ctx;
	const perfdb_jnode *times_v, *memory_v;
	perfdb_json_unheld times_at, memory_at;
	size_t count;
	bool times_unheld = false;
	double *times = NULL;
	const char *command;
	perfdb_result wall;
	double mean, user, sys;
	size_t n = 0, nfailed, nok;
	bool have_times, have_memory;
	int err;

	(void)index;
	if (!perfdb_json__is_object(res))
		return perfdb_json__error(r->doc, res, NULL, "expected an object, found %s",
					  perfdb_json__type_name(res));
	if ((err = perfdb_json__member_string(r->doc, res, "command", true, &command)) < 0)
		return err;
	if (!*command)
		return perfdb_json__error(r->doc, res, "command", "empty command");
	if ((err = bench_name(r, res, command)) || (err = distinct_name(r)))
		return err;

	perfdb_result_init(&wall);
	wall.benchmark = r->name;
	wall.metric = "wall_time";
	wall.unit = "s";
	if ((err = perfdb_json__member_number(r->doc, res, "mean", true, &mean)) < 0 ||
	    (err = optional_stat(r, res, "stddev", &wall.stddev)) ||
	    (err = optional_stat(r, res, "median", &wall.median)) ||
	    (err = optional_stat(r, res, "min", &wall.min)) ||
	    (err = optional_stat(r, res, "max", &wall.max)) ||
	    (err = optional_stat(r, res, "user", &user)) ||
	    (err = optional_stat(r, res, "system", &sys)))
		return err;

	times_v = perfdb_json__get(res, "times");
	if (perfdb_json__is_array(times_v))
		n = perfdb_json__size(times_v);
	else if (!times_v && perfdb_json__is_array(perfdb_json__get(res, "exit_codes")))
		/* older exports: take the run count from exit_codes */
		n = perfdb_json__size(perfdb_json__get(res, "exit_codes"));
	/* The times go straight into the resultset's memory, which wall_time
	 * then takes where it is; the memory figures are read there later,
	 * once wall_time has it. */
	/* Millions of times the sink takes where they are are not held
	 * (perfdb_json__unheld), unless runs failed: their times are left out. */
	times_unheld = perfdb_json__unheld(r->rs, times_v, false, &times_at, &count);
	if ((err = reserve(r, n ? n : 1)) ||
	    (perfdb_json__is_array(times_v) && !times_unheld &&
	     !(times = perfdb_resultset__samples(r->rs, n))) ||
	    (err = number_array(r, res, "times", times, n, &have_times,
				times_unheld ? &times_at.src : NULL)) ||
	    (err = number_array(r, res, "memory_usage_byte", NULL, n, &have_memory, NULL)) ||
	    (err = read_exit_codes(r, res, n, &nfailed)))
		return err ? err : PERFDB_ENOMEM;
	nok = n - nfailed;
	if (times_unheld && nfailed) {
		if (!(times = perfdb_resultset__samples(r->rs, n)))
			return PERFDB_ENOMEM;
		perfdb_json__numbers(times_v, times);
		times_unheld = false;
	}

	if (nfailed && nok == 0)
		return perfdb_resultset_warn(
		    r->rs, "command '%s': all %zu runs failed; not recorded", r->name, n);
	if (nfailed && !have_times)
		return perfdb_resultset_warn(
		    r->rs,
		    "command '%s': %zu of %zu runs failed and the file has "
		    "no per-run times to leave them out; not recorded",
		    r->name, nfailed, n);
	if (nfailed &&
	    (err = perfdb_resultset_warn(r->rs,
					 "command '%s': %zu of %zu runs failed (non-zero exit "
					 "code); their times are left out of wall_time and "
					 "user/system time is not recorded",
					 r->name, nfailed, n)))
		return err;

	if (have_times && times_unheld) {
		wall.nsamples = n; /* none failed */
		wall.value = wall.mean = mean;
	} else if (have_times) {
		nok = keep_succeeded(r, nfailed, times, n);
		wall.samples = times;
		wall.nsamples = nok;
		if (nfailed) {
			/* hyperfine's statistics include the failed runs: recompute
			 * them (on a copy: describe() sorts, the samples keep run order). */
			memcpy(r->scratch, times, nok * sizeof(*r->scratch));
			describe(&wall, r->scratch, nok);
			wall.value = wall.mean;
		} else {
			wall.value = wall.mean = mean;
		}
	} else {
		wall.value = wall.mean = mean;
		wall.n = n ? (int64_t)n : 1;
	}
	if (!isfinite(wall.value)) {
		if ((err = perfdb_resultset_warn(
			 r->rs, "command '%s': wall_time is not finite; not recorded", r->name)))
			return err;
	} else if ((err = times_unheld ? perfdb_resultset__add_unheld(r->rs, &wall, &times_at.src)
				       : perfdb_resultset_add(r->rs, &wall))) {
		return perfdb_json__placed(err, r->doc, res, "command");
	}
	if (!nfailed &&
	    ((err = add_time(r, "user_time", user)) || (err = add_time(r, "system_time", sys))))
		return perfdb_json__placed(err, r->doc, res, "command");
	if (have_memory) {
		perfdb_result mem;
		double *memory = NULL;
		bool unheld;
		memory_v = perfdb_json__get(res, "memory_usage_byte");
		unheld =
		    !nfailed && perfdb_json__unheld(r->rs, memory_v, false, &memory_at, &count);
		if (!unheld) {
			if (!(memory = perfdb_resultset__samples(r->rs, n)))
				return PERFDB_ENOMEM;
			perfdb_json__numbers(memory_v, memory);
		}
		perfdb_result_init(&mem);
		mem.benchmark = r->name;
		mem.metric = "memory";
		mem.unit = "B";
		mem.samples = memory;
		mem.nsamples = unheld ? n : keep_succeeded(r, nfailed, memory, n);
		if ((err = unheld ? perfdb_resultset__add_unheld(r->rs, &mem, &memory_at.src)
				  : perfdb_resultset_add(r->rs, &mem)))
			return perfdb_json__placed(err, r->doc, res, "command");
	}
	return 0;
}

static int read_either(perfdb_resultset *rs, perfdb_json_doc *own, perfdb_json_stream *stream)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	r.own_doc = own;
	r.stream = stream;
	r.doc = own ? own : perfdb_json__stream_doc(stream);
	if (!(err = perfdb_resultset_new(&r.rs)))
		err = perfdb_json__read_array(rs, r.rs, r.doc, r.stream, "results",
					      "not hyperfine --export-json output?", "hyperfine",
					      read_result, &r, "results");
	reader_release(&r);
	return err;
}

int perfdb_ingest__hyperfine(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc;
	int err;
	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	return read_either(rs, doc, NULL);
}

int perfdb_ingest__hyperfine_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	return read_either(rs, NULL, stream);
}
