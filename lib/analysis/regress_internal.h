/* Library-internal: pieces of regress.c that trend.c and compare.c share. */
#ifndef PERFDB_ANALYSIS_REGRESS_INTERNAL_H
#define PERFDB_ANALYSIS_REGRESS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/history.h"
#include "perfdb/regress.h"

/* Indexes into commits, oldest first: git's first-parent history from tip
 * (NULL: HEAD) in repo_dir when it holds a recorded commit, else the recorded
 * order. *how is "git" or "recorded". *out is owned by the caller. */
int perfdb_regress__order(size_t **out, size_t *nout, const char **how,
			  const perfdb_commit_list *commits, const char *repo_dir, const char *tip,
			  int use_git);

/* A revision to a recorded commit id: the store's shas (exact or prefix),
 * then git. Errors: PERFDB_ENOTFOUND, PERFDB_EINVAL (ambiguous). */
int perfdb_regress__resolve(perfdb_store *store, const char *repo_dir, const char *rev,
			    int64_t *id);

/*
 * The p-value (two-sided) that raw repetitions a and b differ: Mann-Whitney U
 * when the smallest p-value it can give with na and nb values is below alpha,
 * else Welch's t (3 against 3 repetitions can never reach p < 0.05 with U, so
 * a 50% step would pass unnoticed). *name is "mannwhitney" or "ttest". 1 when
 * a side has fewer than 2 values.
 */
double perfdb_regress__samples_p(const double *a, size_t na, const double *b, size_t nb,
				 double alpha, const char **name);

/* config.c: 1 when an override of cfg (may be NULL) sets a method. */
int perfdb_config__sets_method(const perfdb_config *cfg);

#endif
