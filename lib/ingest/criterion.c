/*
 * Rust criterion.rs's saved results: a `target/criterion` directory (or any
 * directory under it), where every benchmark has a `new/` folder holding
 * benchmark.json (its id), estimates.json (the statistics of the last run)
 * and sample.json (the measurements). estimates.json alone does not name its
 * benchmark, so the directory is what is recorded: `perfdb record
 * target/criterion`.
 *
 * Each benchmark becomes one "time" result in ns named by full_id
 * ("group/function/value"; 0.2 files have it too): the value is criterion's
 * headline estimate, the slope when linear sampling gave one and the mean
 * otherwise (flat sampling writes "slope": null), with mean, median and
 * std_dev beside it; 0.2 spells the keys Mean, Median, StdDev, Slope. The
 * samples are sample.json's per-iteration times (times[i] / iters[i]; 0.2
 * writes [[iters], [times]]). Only `new/` is read: `base/` is an older run
 * and `change/` a relative change, not measurements of this run.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/reader.h"
#include "util/error.h"

#define MAX_DEPTH 16

typedef struct paths {
	char **v;
	size_t n, cap;
} paths;

static void paths_release(paths *p)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

static int paths_add(paths *p, const char *s)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return perfdb_error__oom();
		p->v = v;
		p->cap = cap;
	}
	if (!(p->v[p->n] = strdup(s)))
		return perfdb_error__oom();
	p->n++;
	return 0;
}

static char *join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *s = malloc(a + b + 2);
	if (s) {
		memcpy(s, dir, a);
		s[a] = '/';
		memcpy(s + a + 1, name, b + 1);
	}
	return s;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Every DIR/.../new that holds a benchmark.json, depth-first. */
static int find_new_dirs(const char *dir, int depth, paths *out)
{
	DIR *d;
	struct dirent *e;
	int err = 0;

	if (depth > MAX_DEPTH)
		return 0;
	if (!(d = opendir(dir)))
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", dir, strerror(errno));
	while (!err && (e = readdir(d))) {
		char *sub;
		struct stat st;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "base") == 0 ||
		    strcmp(e->d_name, "change") == 0 || strcmp(e->d_name, "report") == 0)
			continue;
		if (!(sub = join(dir, e->d_name))) {
			err = perfdb_error__oom();
			break;
		}
		/* lstat: a symbolic link loop must not send us round forever */
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (strcmp(e->d_name, "new") == 0) {
				char *bj = join(sub, "benchmark.json");
				if (!bj)
					err = perfdb_error__oom();
				else if (is_file(bj))
					err = paths_add(out, sub);
				free(bj);
			} else {
				err = find_new_dirs(sub, depth + 1, out);
			}
		}
		free(sub);
	}
	closedir(d);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A whole file into a malloc'd buffer. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf;
	if (!f)
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (!(buf = malloc(cap))) {
		fclose(f);
		return perfdb_error__oom();
	}
	for (;;) {
		size_t k;
		if (n == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				fclose(f);
				return perfdb_error__oom();
			}
			buf = b;
			cap *= 2;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s'", path);
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

static int load(const char *dir, const char *file, perfdb_json_doc **doc, bool *missing)
{
	char *path = join(dir, file), *data = NULL;
	size_t len = 0;
	int err;
	*doc = NULL;
	if (!path)
		return perfdb_error__oom();
	if (missing && !is_file(path)) {
		*missing = true;
		free(path);
		return 0;
	}
	if (!(err = slurp(path, &data, &len)))
		err =
		    perfdb_json__load_bounded(doc, data, len, path, 100000,
					      "a criterion file holds a few dozen, long arrays of "
					      "numbers aside");
	free(data);
	free(path);
	return err;
}

/* estimates[key or Key].point_estimate: 0, 1 when absent or null, or an error. */
static int estimate(perfdb_json_doc *doc, const char *key, const char *old_key, double *out)
{
	const perfdb_jnode *root = perfdb_json__root(doc), *e;
	int err;
	*out = NAN;
	e = perfdb_json__get(root, key);
	if (!e)
		e = perfdb_json__get(root, old_key), key = old_key;
	if (!e || perfdb_json__is_null(e))
		return 1;
	if (!perfdb_json__is_object(e))
		return perfdb_json__error(doc, e, NULL, "expected an estimate object, found %s",
					  perfdb_json__type_name(e));
	if ((err = perfdb_json__member_number(doc, e, "point_estimate", true, out)) < 0)
		return err;
	if (!isfinite(*out) || *out < 0)
		return perfdb_json__error(doc, e, "point_estimate",
					  "expected a finite, non-negative time");
	return 0;
}

/* sample.json: per-iteration times into *out (malloc'd), *n of them. */
static int samples(perfdb_json_doc *doc, double **out, size_t *n)
{
	const perfdb_jnode *root = perfdb_json__root(doc), *iters, *times;
	perfdb_jitems walk;
	size_t i, k, m;
	*out = NULL;
	*n = 0;
	if (perfdb_json__is_array(root)) { /* 0.2: [[iters], [times]] */
		iters = perfdb_json__item(root, 0);
		times = perfdb_json__item(root, 1);
	} else {
		iters = perfdb_json__get(root, "iters");
		times = perfdb_json__get(root, "times");
	}
	if (!perfdb_json__is_array(iters) || !perfdb_json__is_array(times))
		return perfdb_json__error(
		    doc, NULL, NULL, "expected iters and times arrays (criterion sample.json)");
	k = perfdb_json__size(iters);
	if (perfdb_json__size(times) != k)
		return perfdb_json__error(doc, times, NULL, "has %zu values, but iters has %zu",
					  perfdb_json__size(times), k);
	if (k && !(*out = malloc(k * sizeof(double))))
		return perfdb_error__oom();
	/* the times read at once, the counts walked: packed arrays
	 * (json_parse.h) are read without a node an item */
	m = k ? perfdb_json__numbers(times, *out) : 0;
	perfdb_jitems_init(&walk, iters);
	for (i = 0; i < k; i++) {
		double it, t = i < m ? (*out)[i] : NAN;
		if (!perfdb_json__number(perfdb_jitems_next(&walk), &it) || !(it >= 1) ||
		    !isfinite(it)) {
			free(*out);
			*out = NULL;
			return perfdb_json__error_item(doc, iters, i,
						       "expected an iteration count");
		}
		if (!isfinite(t) || t < 0) {
			free(*out);
			*out = NULL;
			return perfdb_json__error_item(doc, times, i, "expected a time in ns");
		}
		(*out)[i] = t / it;
	}
	*n = k;
	return 0;
}

static int read_benchmark(perfdb_resultset *rs, const char *dir)
{
	perfdb_json_doc *bench = NULL, *est = NULL, *smp = NULL;
	const perfdb_jnode *root;
	const char *id = NULL, *group = NULL, *function = NULL, *value_str = NULL;
	char *name = NULL;
	double slope, *values = NULL;
	size_t nvalues = 0;
	bool no_est = false, no_samples = false;
	perfdb_result res;
	int err;

	if ((err = load(dir, "benchmark.json", &bench, NULL)))
		goto done;
	root = perfdb_json__root(bench);
	if (!perfdb_json__is_object(root)) {
		err = perfdb_json__error(bench, NULL, NULL, "expected an object, found %s",
					 perfdb_json__type_name(root));
		goto done;
	}
	if ((err = perfdb_json__member_string(bench, root, "full_id", false, &id)) < 0)
		goto done;
	if (!id) {
		size_t len;
		if ((err = perfdb_json__member_string(bench, root, "group_id", true, &group)) < 0)
			goto done;
		perfdb_json__member_string(bench, root, "function_id", false, &function);
		perfdb_json__member_string(bench, root, "value_str", false, &value_str);
		len = strlen(group) + (function ? strlen(function) + 1 : 0) +
		      (value_str ? strlen(value_str) + 1 : 0) + 1;
		if (!(name = malloc(len))) {
			err = perfdb_error__oom();
			goto done;
		}
		snprintf(name, len, "%s%s%s%s%s", group, function ? "/" : "",
			 function ? function : "", value_str ? "/" : "",
			 value_str ? value_str : "");
		id = name;
	}
	if (!*id) {
		err = perfdb_json__error(bench, root, "full_id", "empty benchmark id");
		goto done;
	}
	if ((err = load(dir, "estimates.json", &est, &no_est)))
		goto done;
	if (no_est) {
		err = perfdb_resultset_warn(
		    rs, "%s: benchmark '%s' has no estimates.json; not recorded", dir, id);
		goto done;
	}
	if ((err = load(dir, "sample.json", &smp, &no_samples)) ||
	    (!no_samples && (err = samples(smp, &values, &nvalues))))
		goto done;

	perfdb_result_init(&res);
	res.benchmark = id;
	res.metric = "time";
	res.unit = "ns";
	res.direction = PERFDB_LOWER_IS_BETTER;
	if ((err = estimate(est, "mean", "Mean", &res.mean)) < 0 ||
	    (err = estimate(est, "median", "Median", &res.median)) < 0 ||
	    (err = estimate(est, "std_dev", "StdDev", &res.stddev)) < 0 ||
	    (err = estimate(est, "slope", "Slope", &slope)) < 0)
		goto done;
	if (isnan(res.mean)) {
		err = perfdb_json__error(est, NULL, "mean", "missing");
		goto done;
	}
	res.value = isnan(slope) ? res.mean : slope;
	res.samples = values;
	res.nsamples = nvalues;
	if ((err = perfdb_resultset_add(rs, &res)))
		err = perfdb_json__placed(err, bench, root, id == name ? "group_id" : "full_id");
done:
	free(values);
	free(name);
	perfdb_json__free(bench);
	perfdb_json__free(est);
	perfdb_json__free(smp);
	return err;
}

int perfdb_ingest__criterion_dir(perfdb_resultset *rs, const char *dir)
{
	paths found = {NULL, 0, 0};
	perfdb_resultset *out = NULL;
	size_t i;
	int err;

	if ((err = find_new_dirs(dir, 0, &found)))
		goto done;
	if (found.n == 0) {
		err =
		    perfdb_error__set(PERFDB_EIO,
				      "cannot read '%s': %s (and no criterion */new/benchmark.json "
				      "under it)",
				      dir, strerror(EISDIR));
		goto done;
	}
	qsort(found.v, found.n, sizeof(*found.v), cmp_str);
	if ((err = perfdb_resultset_new(&out)))
		goto done;
	for (i = 0; i < found.n; i++)
		if ((err = read_benchmark(out, found.v[i])))
			goto done;
	if ((err = perfdb_resultset_set_meta(out, PERFDB_META_SOURCE, "criterion")))
		goto done;
	err = perfdb_resultset_merge(rs, out);
done:
	perfdb_resultset_free(out);
	paths_release(&found);
	return err;
}
