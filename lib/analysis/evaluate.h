/*
 * Library-internal: how well change points are found, for perfdb-bench
 * detect and the tests that hold the detector to its figures.
 *
 *  - The metrics of TCPDBench (van den Burg & Williams 2020,
 *    analysis/scripts/metrics.py): F1 with a margin, where index 0 always
 *    counts as a change point, precision is against the union of the
 *    annotations and recall the mean over annotators; and segmentation
 *    covering (Arbelaez et al. 2010), averaged over annotators. Locations
 *    are 0-based and name the first point of a new segment, as perfdb's.
 *  - A reader of the Turing Change Point Dataset (datasets/<name>/<name>.json
 *    and annotations.json).
 *  - Seeded generators of CI-shaped histories (the families of issue 14),
 *    and of random walks and AR(1) series with no step.
 *  - A series through perfdb_regress_run, each point one commit.
 */
#ifndef PERFDB_ANALYSIS_EVALUATE_H
#define PERFDB_ANALYSIS_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

/* ---- TCPDBench metrics ---------------------------------------------------------- */

/*
 * The members of truth[0..nt) matched by a prediction within margin, each
 * prediction used once (the nearest free one, the smaller on a tie), truth
 * taken in increasing order; both arrays sorted and without duplicates.
 * Writes the matched members to out (nt entries; may be NULL) and returns
 * their number.
 */
size_t perfdb_eval__true_positives(size_t *out, const size_t *truth, size_t nt, const size_t *pred,
				   size_t np, size_t margin);

/* One annotator's change points (any order, duplicates allowed). */
typedef struct perfdb_eval_annotation {
	const size_t *cp;
	size_t n;
} perfdb_eval_annotation;

/*
 * TCPDBench's f_measure (alpha 0.5): 0 is added to every annotation and to
 * the predictions. *precision and *recall may be NULL. Returns the F1, or
 * NAN when out of memory or there is no annotator.
 */
double perfdb_eval__f1(const perfdb_eval_annotation *ann, size_t nann, const size_t *pred,
		       size_t np, size_t margin, double *precision, double *recall);

/*
 * The starts of the segments that change points cut [0, n) into (TCPDBench's
 * partition_from_cps: 0 is always a start, points outside [1, n) add
 * none). out needs np + 1 entries; returns the number of segments.
 */
size_t perfdb_eval__partition(size_t *out, const size_t *cp, size_t np, size_t n);

/*
 * Covering of the segmentation s of [lo, hi) by sp (TCPDBench's
 * cover_single(S, Sprime)): each segment of s weighs its length times its
 * best Jaccard overlap with a segment of sp. Segments are given by their
 * sorted starts, the first of them lo.
 */
double perfdb_eval__cover_single(const size_t *s, size_t ns, const size_t *sp, size_t nsp,
				 size_t lo, size_t hi);

/* TCPDBench's covering: the mean over annotators of the covering of their
 * segmentation of [0, n) by the predicted one. NAN when out of memory. */
double perfdb_eval__covering(const perfdb_eval_annotation *ann, size_t nann, const size_t *pred,
			     size_t np, size_t n);

/* TCPDBench's cleaning of predictions: sorted, unique, 1 <= i < n - 1, in
 * place. Returns the new count. */
size_t perfdb_eval__clean(size_t *pred, size_t np, size_t n);

/* ---- the Turing Change Point Dataset -------------------------------------------- */

#define PERFDB_EVAL_MAX_ANNOTATORS 8

typedef struct perfdb_tcpd_series {
	char name[64];
	double *x;
	size_t n;
	size_t *cp[PERFDB_EVAL_MAX_ANNOTATORS];
	size_t ncp[PERFDB_EVAL_MAX_ANNOTATORS];
	size_t nannotators;
} perfdb_tcpd_series;

/*
 * Reads the univariate series of the paper's table (all of dir/datasets
 * but quality_control_1..5, uk_coal_employ and run_log) with their
 * annotations, in name order, into *out (*nout entries; free with
 * perfdb_eval__tcpd_free). Errors: PERFDB_EIO, PERFDB_EINVAL (a file that
 * is not TCPD's shape), PERFDB_ENOMEM.
 */
int perfdb_eval__tcpd_load(perfdb_tcpd_series **out, size_t *nout, const char *dir);
void perfdb_eval__tcpd_free(perfdb_tcpd_series *s, size_t n);

/* F1 (margin 5) and covering of predictions on one TCPD series; pred is
 * cleaned in place first. */
void perfdb_eval__tcpd_score(const perfdb_tcpd_series *s, size_t *pred, size_t np, double *f1,
			     double *cover);

/* ---- generated histories -------------------------------------------------------- */

typedef struct perfdb_eval_rng {
	uint64_t s;
} perfdb_eval_rng;

double perfdb_eval__uniform(perfdb_eval_rng *r); /* (0, 1) */
double perfdb_eval__gauss(perfdb_eval_rng *r);

/* The shapes of CI histories (issue 14). */
typedef enum perfdb_eval_family {
	PERFDB_FAMILY_PLAIN,	/* i.i.d. noise */
	PERFDB_FAMILY_SHARED,	/* noise shared by one commit's repetitions */
	PERFDB_FAMILY_AUTOCORR, /* AR(1) from commit to commit (warm-up, neighbours) */
	PERFDB_FAMILY_BIMODAL,	/* two hardware types under one runner label */
	PERFDB_FAMILY_DRIFT,	/* slow drift */
	PERFDB_FAMILY_SPIKES,	/* one-commit spikes */
	PERFDB_FAMILY_GAPS,	/* commits nobody benchmarked (and shared noise) */
	PERFDB_FAMILY_COUNT
} perfdb_eval_family;

const char *perfdb_eval__family_name(perfdb_eval_family f);

#define PERFDB_EVAL_REPS 5

/* One generated history: n commits of PERFDB_EVAL_REPS repetitions each. */
typedef struct perfdb_eval_history {
	size_t n;
	double *reps;  /* n * PERFDB_EVAL_REPS */
	double *value; /* per commit: the median of its repetitions */
	size_t step;   /* index of the first commit after the step; 0: quiet */
	double change; /* relative size of the step */
} perfdb_eval_history;

/* Generates a history of family f from seed: a step (at a random commit,
 * 6% to 20% of the level) when with_step, else quiet. Errors: PERFDB_ENOMEM. */
int perfdb_eval__history(perfdb_eval_history *out, perfdb_eval_family f, int with_step,
			 uint64_t seed);
void perfdb_eval__history_release(perfdb_eval_history *h);

/* n points of a Gaussian random walk (phi 1) or an AR(1) series, no step. */
void perfdb_eval__ar1(double *x, size_t n, double phi, uint64_t seed);

/* ---- perfdb regress on one series ----------------------------------------------- */

/*
 * Records x[0..n) (with reps, PERFDB_EVAL_REPS samples per point, when not
 * NULL) as one benchmark, one commit per point, into a new database in
 * workdir, and runs perfdb_regress_run with its defaults over every commit
 * after the first. The commits of the findings, as indices, go to *out
 * (sorted, owned, free()). Errors: those of the store and of regress.
 */
int perfdb_eval__regress(size_t **out, size_t *nout, const double *x, const double *reps, size_t n,
			 const char *workdir);

#endif
