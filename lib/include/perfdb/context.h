/*
 * perfdb/context.h - where a run happened: commit, branch and machine.
 *
 * perfdb_resultset_fill_context fills the run metadata a caller left unset,
 * in this order: CI variables (GitHub Actions, GitLab CI, Jenkins, Buildkite),
 * then git in the given directory (full sha, parent, commit time, subject,
 * author, branch), then the host (name and a fingerprint: CPU model, cores,
 * memory, OS, kernel, compiler perfdb was built with).
 */
#ifndef PERFDB_CONTEXT_H
#define PERFDB_CONTEXT_H

#include "perfdb/common.h"
#include "perfdb/resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Fills unset metadata of rs (see above) and PERFDB_META_STARTED_AT with the
 * current time. `repo_dir` is where git is asked (NULL: the current
 * directory). When a commit was given (or found in CI variables) but git
 * knows it, git's full sha, parent, time, subject and author are used.
 * When no commit can be found at all, PERFDB_ENOTFOUND is returned with a
 * message that says to pass --commit. Errors: PERFDB_ENOTFOUND, PERFDB_ENOMEM.
 */
int perfdb_resultset_fill_context(perfdb_resultset *rs, const char *repo_dir);

/**
 * Under a CI system perfdb_resultset_fill_context knows (one whose commit
 * variable is set, e.g. GITHUB_ACTIONS with GITHUB_SHA), replaces the run
 * metadata an input file claimed by the CI's: commit and branch from the CI
 * variables, machine from $PERFDB_MACHINE (else dropped and named by
 * perfdb_resultset_fill_context), start time dropped (the run is now), and the
 * commit's parent, subject, author and time dropped when the commit changes.
 * A claimed commit, branch or machine that disagrees adds a warning to rs.
 * The file is written by the job's code, which a pull request controls; the
 * CI variables are not. Call it after reading the input and before setting
 * the values a person chose (command-line options), then call
 * perfdb_resultset_fill_context. Without CI it does nothing.
 * Errors: PERFDB_ENOMEM.
 */
int perfdb_resultset_apply_ci(perfdb_resultset *rs);

/** The current time as ISO 8601 UTC ("2026-11-25T09:00:00Z") into buf (>= 21 bytes). */
void perfdb_time_now_iso(char *buf, size_t cap);

/** Parses an ISO 8601 time (date, date+time, optional fraction and Z/±hh:mm)
 *  and writes its canonical UTC form into buf (>= 21 bytes). PERFDB_EINVAL if bad. */
int perfdb_time_parse_iso(char *buf, size_t cap, const char *text);

#ifdef __cplusplus
}
#endif
#endif
