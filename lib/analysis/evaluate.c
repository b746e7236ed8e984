/*
 * evaluate.c - scoring change points the way TCPDBench does, the TCPD
 * reader, generated CI-shaped histories (see evaluate.h).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/evaluate.h"
#include "ingest/json_parse.h"
#include "perfdb/regress.h"
#include "perfdb/resultset.h"
#include "perfdb/stats.h"
#include "perfdb/store.h"
#include "util/error.h"

/* ---- metrics ---------------------------------------------------------------------- */

static int cmp_size(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	return (a > b) - (a < b);
}

static size_t sort_unique(size_t *x, size_t n)
{
	size_t i, k = 0;
	if (n == 0)
		return 0;
	qsort(x, n, sizeof(*x), cmp_size);
	for (i = 0; i < n; i++)
		if (k == 0 || x[i] != x[k - 1])
			x[k++] = x[i];
	return k;
}

size_t perfdb_eval__true_positives(size_t *out, const size_t *truth, size_t nt, const size_t *pred,
				   size_t np, size_t margin)
{
	/* which predictions are used; on the stack for the sizes TCPD has,
	 * else a greedy pass with a heap bitmap */
	unsigned char small[1024], *used = np <= sizeof(small) ? small : calloc(np, 1);
	size_t i, j, k = 0;
	if (!used)
		return 0;
	memset(used, 0, np <= sizeof(small) ? np : 0);
	for (i = 0; i < nt; i++) {
		size_t best = np, bestd = 0;
		for (j = 0; j < np; j++) {
			size_t d = truth[i] > pred[j] ? truth[i] - pred[j] : pred[j] - truth[i];
			if (used[j] || d > margin)
				continue;
			if (best == np || d < bestd) { /* pred is sorted: ties keep the smaller */
				best = j;
				bestd = d;
			}
		}
		if (best == np)
			continue;
		used[best] = 1;
		if (out)
			out[k] = truth[i];
		k++;
	}
	if (used != small)
		free(used);
	return k;
}

/* a copy of cp with 0 added, sorted and unique, into a new array */
static size_t *with_zero(const size_t *cp, size_t n, size_t *nout)
{
	size_t *x = malloc((n + 1) * sizeof(*x));
	if (!x)
		return NULL;
	if (n)
		memcpy(x, cp, n * sizeof(*x));
	x[n] = 0;
	*nout = sort_unique(x, n + 1);
	return x;
}

double perfdb_eval__f1(const perfdb_eval_annotation *ann, size_t nann, const size_t *pred,
		       size_t np, size_t margin, double *precision, double *recall)
{
	size_t *x, nx, *all = NULL, nall = 0, k, tot = 1;
	double p, r = 0;
	if (!nann)
		return NAN;
	if (!(x = with_zero(pred, np, &nx)))
		return NAN;
	for (k = 0; k < nann; k++)
		tot += ann[k].n;
	if (!(all = malloc(tot * sizeof(*all)))) {
		free(x);
		return NAN;
	}
	all[nall++] = 0;
	for (k = 0; k < nann; k++) {
		size_t *t, nt;
		if (ann[k].n)
			memcpy(all + nall, ann[k].cp, ann[k].n * sizeof(*all));
		nall += ann[k].n;
		if (!(t = with_zero(ann[k].cp, ann[k].n, &nt))) {
			free(x);
			free(all);
			return NAN;
		}
		r += (double)perfdb_eval__true_positives(NULL, t, nt, x, nx, margin) / (double)nt;
		free(t);
	}
	nall = sort_unique(all, nall);
	p = (double)perfdb_eval__true_positives(NULL, all, nall, x, nx, margin) / (double)nx;
	r /= (double)nann;
	free(x);
	free(all);
	if (precision)
		*precision = p;
	if (recall)
		*recall = r;
	return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

size_t perfdb_eval__partition(size_t *out, const size_t *cp, size_t np, size_t n)
{
	size_t i, k = 0;
	out[k++] = 0;
	for (i = 0; i < np; i++)
		if (cp[i] > 0 && cp[i] < n)
			out[k++] = cp[i];
	return sort_unique(out, k);
}

double perfdb_eval__cover_single(const size_t *s, size_t ns, const size_t *sp, size_t nsp,
				 size_t lo, size_t hi)
{
	size_t i, j;
	double c = 0;
	if (hi <= lo)
		return 0;
	for (i = 0; i < ns; i++) {
		size_t a = s[i], b = i + 1 < ns ? s[i + 1] : hi;
		double best = 0;
		for (j = 0; j < nsp; j++) {
			size_t a2 = sp[j], b2 = j + 1 < nsp ? sp[j + 1] : hi;
			size_t ia = a > a2 ? a : a2, ib = b < b2 ? b : b2;
			size_t ua = a < a2 ? a : a2, ub = b > b2 ? b : b2;
			double jac;
			if (ib <= ia)
				continue;
			/* both are intervals: their union is one when they meet */
			jac = (double)(ib - ia) / (double)(ub - ua);
			if (jac > best)
				best = jac;
		}
		c += (double)(b - a) * best;
	}
	return c / (double)(hi - lo);
}

double perfdb_eval__covering(const perfdb_eval_annotation *ann, size_t nann, const size_t *pred,
			     size_t np, size_t n)
{
	size_t *px = malloc((np + 1) * sizeof(*px)), npx, k;
	double c = 0;
	if (!px || !nann) {
		free(px);
		return NAN;
	}
	npx = perfdb_eval__partition(px, pred, np, n);
	for (k = 0; k < nann; k++) {
		size_t *pa = malloc((ann[k].n + 1) * sizeof(*pa)), npa;
		if (!pa) {
			free(px);
			return NAN;
		}
		npa = perfdb_eval__partition(pa, ann[k].cp, ann[k].n, n);
		c += perfdb_eval__cover_single(pa, npa, px, npx, 0, n);
		free(pa);
	}
	free(px);
	return c / (double)nann;
}

size_t perfdb_eval__clean(size_t *pred, size_t np, size_t n)
{
	size_t i, k = 0;
	for (i = 0; i < np; i++)
		if (pred[i] >= 1 && pred[i] + 1 < n)
			pred[k++] = pred[i];
	return sort_unique(pred, k);
}

/* ---- TCPD ------------------------------------------------------------------------- */

static int read_file(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	*out = NULL;
	*len = 0;
	if (!f)
		return perfdb_error__set(PERFDB_EIO, "cannot open '%s'", path);
	for (;;) {
		size_t got;
		if (n == cap) {
			char *p = realloc(buf, cap ? cap * 2 : 65536);
			if (!p) {
				free(buf);
				fclose(f);
				return perfdb_error__oom();
			}
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

static int parse_file(perfdb_jdoc **doc, const char *path)
{
	char *buf;
	size_t len;
	int err = read_file(&buf, &len, path);
	if (err < 0)
		return err;
	err = perfdb_jdoc_parse(doc, buf, len, NULL);
	free(buf);
	if (err == PERFDB_JPARSE_NOMEM)
		return perfdb_error__oom();
	if (err != 0)
		return perfdb_error__set(PERFDB_EINVAL, "'%s' is not JSON", path);
	return 0;
}

static int excluded(const char *name)
{
	return !strncmp(name, "quality_control_", 16) || !strcmp(name, "uk_coal_employ") ||
	       !strcmp(name, "run_log");
}

static int cmp_name(const void *pa, const void *pb)
{
	return strcmp(((const perfdb_tcpd_series *)pa)->name,
		      ((const perfdb_tcpd_series *)pb)->name);
}

static int load_one(perfdb_tcpd_series *s, const char *dir, const perfdb_jnode *ann)
{
	char path[4096];
	perfdb_jdoc *doc = NULL;
	const perfdb_jnode *raw, *series;
	size_t i, k;
	int err;
	snprintf(path, sizeof(path), "%s/datasets/%s/%s.json", dir, s->name, s->name);
	if ((err = parse_file(&doc, path)) < 0)
		return err;
	series = perfdb_jnode_get(perfdb_jdoc_root(doc), "series");
	raw = series && series->type == PERFDB_JARRAY && series->u.arr.count
		  ? perfdb_jnode_get(perfdb_jnode_item(series, 0), "raw")
		  : NULL;
	if (!raw || raw->type != PERFDB_JARRAY || !raw->u.arr.count) {
		perfdb_jdoc_free(doc);
		return perfdb_error__set(PERFDB_EINVAL, "'%s': no series[0].raw", path);
	}
	s->n = raw->u.arr.count;
	if (!(s->x = malloc(s->n * sizeof(*s->x)))) {
		perfdb_jdoc_free(doc);
		return perfdb_error__oom();
	}
	for (i = 0; i < s->n; i++) {
		const perfdb_jnode *v = perfdb_jnode_item(raw, i);
		if (!v || v->type != PERFDB_JNUMBER || v->nonfinite) {
			perfdb_jdoc_free(doc);
			return perfdb_error__set(PERFDB_EINVAL, "'%s': raw[%zu] is not a number",
						 path, i);
		}
		s->x[i] = v->u.number;
	}
	perfdb_jdoc_free(doc);
	if (!ann || ann->type != PERFDB_JOBJECT)
		return perfdb_error__set(PERFDB_EINVAL, "%s: no annotations", s->name);
	for (k = 0; k < ann->u.obj.count && k < PERFDB_EVAL_MAX_ANNOTATORS; k++) {
		const perfdb_jnode *a = ann->u.obj.members[k].value;
		if (a->type != PERFDB_JARRAY)
			return perfdb_error__set(PERFDB_EINVAL, "%s: an annotation is not a list",
						 s->name);
		s->cp[k] = malloc((a->u.arr.count + 1) * sizeof(size_t));
		if (!s->cp[k])
			return perfdb_error__oom();
		s->nannotators = k + 1;
		for (i = 0; i < a->u.arr.count; i++) {
			const perfdb_jnode *v = perfdb_jnode_item(a, i);
			if (!v || v->type != PERFDB_JNUMBER || !(v->u.number >= 0))
				return perfdb_error__set(
				    PERFDB_EINVAL, "%s: an annotation is not an index", s->name);
			s->cp[k][i] = (size_t)v->u.number;
		}
		s->ncp[k] = a->u.arr.count;
	}
	return 0;
}

int perfdb_eval__tcpd_load(perfdb_tcpd_series **out, size_t *nout, const char *dir)
{
	char path[4096];
	perfdb_jdoc *ann = NULL;
	perfdb_tcpd_series *s = NULL;
	size_t n = 0, cap = 0;
	DIR *d;
	struct dirent *e;
	int err = 0;
	*out = NULL;
	*nout = 0;
	snprintf(path, sizeof(path), "%s/annotations.json", dir);
	if ((err = parse_file(&ann, path)) < 0)
		return err;
	snprintf(path, sizeof(path), "%s/datasets", dir);
	if (!(d = opendir(path))) {
		perfdb_jdoc_free(ann);
		return perfdb_error__set(PERFDB_EIO, "cannot open '%s'", path);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || excluded(e->d_name) ||
		    strlen(e->d_name) >= sizeof(s->name))
			continue;
		if (n == cap) {
			perfdb_tcpd_series *p = realloc(s, (cap ? cap * 2 : 32) * sizeof(*p));
			if (!p) {
				err = perfdb_error__oom();
				break;
			}
			s = p;
			cap = cap ? cap * 2 : 32;
		}
		memset(&s[n], 0, sizeof(s[n]));
		memcpy(s[n].name, e->d_name, strlen(e->d_name) + 1);
		n++;
		if ((err = load_one(&s[n - 1], dir,
				    perfdb_jnode_get(perfdb_jdoc_root(ann), e->d_name))) < 0)
			break;
	}
	closedir(d);
	perfdb_jdoc_free(ann);
	if (err < 0) {
		perfdb_eval__tcpd_free(s, n);
		return err;
	}
	if (n)
		qsort(s, n, sizeof(*s), cmp_name);
	*out = s;
	*nout = n;
	return 0;
}

void perfdb_eval__tcpd_free(perfdb_tcpd_series *s, size_t n)
{
	size_t i, k;
	if (!s)
		return;
	for (i = 0; i < n; i++) {
		free(s[i].x);
		for (k = 0; k < PERFDB_EVAL_MAX_ANNOTATORS; k++)
			free(s[i].cp[k]);
	}
	free(s);
}

void perfdb_eval__tcpd_score(const perfdb_tcpd_series *s, size_t *pred, size_t np, double *f1,
			     double *cover)
{
	perfdb_eval_annotation a[PERFDB_EVAL_MAX_ANNOTATORS];
	size_t k;
	for (k = 0; k < s->nannotators; k++) {
		a[k].cp = s->cp[k];
		a[k].n = s->ncp[k];
	}
	np = perfdb_eval__clean(pred, np, s->n);
	*f1 = perfdb_eval__f1(a, s->nannotators, pred, np, 5, NULL, NULL);
	*cover = perfdb_eval__covering(a, s->nannotators, pred, np, s->n);
}

/* ---- generated histories -------------------------------------------------------- */

double perfdb_eval__uniform(perfdb_eval_rng *r)
{
	/* splitmix64: any seed, 0 included, starts a good stream */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

double perfdb_eval__gauss(perfdb_eval_rng *r)
{
	double u = perfdb_eval__uniform(r), v = perfdb_eval__uniform(r);
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static const char *const family_names[PERFDB_FAMILY_COUNT] = {
    "plain", "shared", "autocorr", "bimodal", "drift", "spikes", "gaps"};

const char *perfdb_eval__family_name(perfdb_eval_family f)
{
	return f < PERFDB_FAMILY_COUNT ? family_names[f] : "?";
}

void perfdb_eval__ar1(double *x, size_t n, double phi, uint64_t seed)
{
	perfdb_eval_rng r = {seed};
	size_t i;
	double e = 0;
	/* start an AR(1) in its stationary distribution, a walk at 0 */
	if (phi < 1)
		e = perfdb_eval__gauss(&r) / sqrt(1 - phi * phi);
	for (i = 0; i < n; i++) {
		if (i)
			e = phi * e + perfdb_eval__gauss(&r);
		x[i] = 100 + e;
	}
}

/*
 * The families, at a level of 1000 with 2% noise per repetition (the
 * value of a commit is the median of its 5):
 *  plain     each repetition independent;
 *  shared    each commit adds one offset (sd 1.5%) to all its repetitions;
 *  autocorr  that offset is AR(1), phi 0.7, sd 2%, from commit to commit
 *            (warm-up, noisy neighbours);
 *  bimodal   each commit runs on one of two machine types 5% apart, chosen
 *            at random (35% on the slow one);
 *  drift     the level drifts linearly by up to 8% over the history;
 *  spikes    4% of the commits are 15-40% off, for that commit only;
 *  gaps      shared noise (1%), and 30% of the commits were never
 *            benchmarked (the step is then at the first benchmarked commit
 *            at the new level).
 * Steps are 6-20% of the level, up or down, at a commit at least 8 from
 * either end; histories are 60 to 200 commits.
 */
int perfdb_eval__history(perfdb_eval_history *out, perfdb_eval_family f, int with_step,
			 uint64_t seed)
{
	perfdb_eval_rng r = {seed * 7919 + (uint64_t)f * 104729 + (with_step ? 1 : 0)};
	size_t full = 60 + (size_t)(perfdb_eval__uniform(&r) * 141), i, j, k;
	size_t step = 0;
	double change = 0, shared = 0, drift, tmp[PERFDB_EVAL_REPS];
	memset(out, 0, sizeof(*out));
	out->reps = malloc(full * PERFDB_EVAL_REPS * sizeof(double));
	out->value = malloc(full * sizeof(double));
	if (!out->reps || !out->value) {
		perfdb_eval__history_release(out);
		return perfdb_error__oom();
	}
	if (with_step) {
		step = 8 + (size_t)(perfdb_eval__uniform(&r) * (double)(full - 16));
		change = 0.06 + 0.14 * perfdb_eval__uniform(&r);
		if (perfdb_eval__uniform(&r) < 0.5)
			change = -change;
	}
	drift = f == PERFDB_FAMILY_DRIFT ? 0.08 * (2 * perfdb_eval__uniform(&r) - 1) : 0;
	for (i = 0, k = 0; i < full; i++) {
		double level = 1000 * (1 + drift * (double)i / (double)full);
		double off = 0;
		int keep = f != PERFDB_FAMILY_GAPS || perfdb_eval__uniform(&r) >= 0.3 || i == 0;
		if (step && i >= step)
			level *= 1 + change;
		switch (f) {
		case PERFDB_FAMILY_SHARED: off = 0.015 * perfdb_eval__gauss(&r); break;
		case PERFDB_FAMILY_GAPS: off = 0.01 * perfdb_eval__gauss(&r); break;
		case PERFDB_FAMILY_AUTOCORR:
			/* innovations of sd 0.02 * sqrt(1 - 0.7^2) */
			shared = 0.7 * shared + 0.02 * 0.714 * perfdb_eval__gauss(&r);
			off = shared;
			break;
		case PERFDB_FAMILY_BIMODAL: off = perfdb_eval__uniform(&r) < 0.35 ? 0.05 : 0; break;
		case PERFDB_FAMILY_SPIKES:
			if (perfdb_eval__uniform(&r) < 0.04)
				off = (perfdb_eval__uniform(&r) < 0.5 ? -1 : 1) *
				      (0.15 + 0.25 * perfdb_eval__uniform(&r));
			break;
		default: break;
		}
		for (j = 0; j < PERFDB_EVAL_REPS; j++)
			tmp[j] = level * (1 + off + 0.02 * perfdb_eval__gauss(&r));
		if (!keep)
			continue;
		/* the step moves to the first benchmarked commit at the new level */
		if (step && i >= step && out->step == 0)
			out->step = k;
		memcpy(out->reps + k * PERFDB_EVAL_REPS, tmp, sizeof(tmp));
		out->value[k] = perfdb_stats_median_inplace(tmp, PERFDB_EVAL_REPS);
		k++;
	}
	out->n = k;
	out->change = change;
	return 0;
}

void perfdb_eval__history_release(perfdb_eval_history *h)
{
	free(h->reps);
	free(h->value);
	memset(h, 0, sizeof(*h));
}

/* ---- perfdb regress --------------------------------------------------------------- */

static int record_point(perfdb_store *s, size_t i, double value, const double *reps)
{
	perfdb_resultset *rs = NULL;
	perfdb_result r;
	char c[32];
	int err;
	snprintf(c, sizeof(c), "c%06zu", i);
	if ((err = perfdb_resultset_new(&rs)) < 0)
		return err;
	if ((err = perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, c)) < 0 ||
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "ci")) < 0 ||
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, "2026-01-01T00:00:00Z")) <
		0 ||
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "evaluate")) < 0)
		goto done;
	perfdb_result_init(&r);
	r.benchmark = "series";
	r.metric = "real_time";
	r.unit = "ns";
	if (reps) {
		r.samples = reps;
		r.nsamples = PERFDB_EVAL_REPS;
	} else {
		r.value = value;
	}
	if ((err = perfdb_resultset_add(rs, &r)) < 0)
		goto done;
	err = perfdb_store_record(s, rs, NULL);
done:
	perfdb_resultset_free(rs);
	return err;
}

int perfdb_eval__regress(size_t **out, size_t *nout, const double *x, const double *reps, size_t n,
			 const char *workdir)
{
	char dir[4096], path[4200];
	perfdb_store *s = NULL;
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	size_t *found = NULL, nf = 0, i, kind;
	int err;
	*out = NULL;
	*nout = 0;
	snprintf(dir, sizeof(dir), "%s/perfdb_eval_XXXXXX", workdir);
	if (!mkdtemp(dir))
		return perfdb_error__set(PERFDB_EIO, "cannot create a directory in '%s'", workdir);
	snprintf(path, sizeof(path), "%s/h.db", dir);
	if ((err = perfdb_store_open(&s, path, PERFDB_STORE_READWRITE)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((err = record_point(s, i, x[i], reps ? reps + i * PERFDB_EVAL_REPS : NULL)) < 0)
			goto done;
	o.since = "c000000";
	o.use_git = 0;
	if ((err = perfdb_regress_run(&rep, s, &o)) < 0)
		goto done;
	nf = perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION) +
	     perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT);
	if (nf && !(found = malloc(nf * sizeof(*found)))) {
		err = perfdb_error__oom();
		goto done;
	}
	nf = 0;
	for (kind = 0; kind < 2; kind++) {
		perfdb_finding_kind fk =
		    kind ? PERFDB_FINDING_IMPROVEMENT : PERFDB_FINDING_REGRESSION;
		for (i = 0; i < perfdb_regress_count(rep, fk); i++) {
			const perfdb_finding *f = perfdb_regress_get(rep, fk, i);
			const char *c = f->commit;
			/* commits are c<index>, and the sha is the name when no
			 * git is there */
			while (*c && (*c < '0' || *c > '9'))
				c++;
			found[nf++] = (size_t)strtoul(c, NULL, 10);
		}
	}
	if (nf)
		qsort(found, nf, sizeof(*found), cmp_size);
	*out = found;
	*nout = nf;
	found = NULL;
done:
	free(found);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
	unlink(path);
	{
		char side[4300];
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	rmdir(dir);
	return err;
}
