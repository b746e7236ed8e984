/* Unit tests of lib/util/context.c: the commit and branch a run is recorded
 * for, taken from the CI system's variables (GitHub Actions, GitLab CI,
 * Buildkite, Jenkins). Run outside any git repository, so the commit stays
 * as the CI system gave it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "perfdb.h"
#include "perfdb/context.h"

static char dir[256];

/* Every variable ci_context reads, cleared before each case (the tests
 * may themselves run on one of these CI systems). */
static const char *const ci_vars[] = {"GITHUB_ACTIONS",
				      "GITHUB_SHA",
				      "GITHUB_HEAD_REF",
				      "GITHUB_REF_NAME",
				      "GITLAB_CI",
				      "CI_COMMIT_SHA",
				      "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
				      "CI_COMMIT_REF_NAME",
				      "BUILDKITE",
				      "BUILDKITE_COMMIT",
				      "BUILDKITE_BRANCH",
				      "JENKINS_URL",
				      "GIT_COMMIT",
				      "CHANGE_BRANCH",
				      "BRANCH_NAME",
				      "GIT_BRANCH"};

static int clear_ci(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(ci_vars) / sizeof(ci_vars[0]); i++)
		unsetenv(ci_vars[i]);
	return 0;
}

static void set(const char *name, const char *value)
{
	assert_int_equal(setenv(name, value, 1), 0);
}

/* Fills a fresh resultset's context in the temporary (non-git) folder and
 * checks the commit and branch chosen; a NULL branch means none. */
static void expect_context(const char *commit, const char *branch)
{
	perfdb_resultset *rs;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_fill_context(rs, dir), 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT), commit);
	if (branch)
		assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_BRANCH), branch);
	else
		assert_null(perfdb_resultset_meta(rs, PERFDB_META_BRANCH));
	assert_non_null(perfdb_resultset_meta(rs, PERFDB_META_MACHINE));
	assert_non_null(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT));
	perfdb_resultset_free(rs);
}

static void test_context__github_push_and_pull_request(void **state)
{
	(void)state;
	set("GITHUB_ACTIONS", "true");
	set("GITHUB_SHA", "1111111111111111111111111111111111111111");
	set("GITHUB_REF_NAME", "main");
	expect_context("1111111111111111111111111111111111111111", "main");
	/* a pull request: GITHUB_REF_NAME is "12/merge", the head ref the branch */
	set("GITHUB_REF_NAME", "12/merge");
	set("GITHUB_HEAD_REF", "feature/fast-sort");
	expect_context("1111111111111111111111111111111111111111", "feature/fast-sort");
	/* an empty GITHUB_HEAD_REF (a push) is as good as unset */
	set("GITHUB_HEAD_REF", "");
	set("GITHUB_REF_NAME", "release-2");
	expect_context("1111111111111111111111111111111111111111", "release-2");
}

static void test_context__gitlab_branch_and_merge_request(void **state)
{
	(void)state;
	set("GITLAB_CI", "true");
	set("CI_COMMIT_SHA", "2222222222222222222222222222222222222222");
	set("CI_COMMIT_REF_NAME", "main");
	expect_context("2222222222222222222222222222222222222222", "main");
	set("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "mr-branch");
	expect_context("2222222222222222222222222222222222222222", "mr-branch");
}

static void test_context__buildkite(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	set("BUILDKITE", "true");
	set("BUILDKITE_COMMIT", "3333333333333333333333333333333333333333");
	set("BUILDKITE_BRANCH", "topic");
	expect_context("3333333333333333333333333333333333333333", "topic");
	/* a build started by hand: BUILDKITE_COMMIT is "HEAD", which only git
	 * can resolve; stored as written it would pool unrelated runs */
	set("BUILDKITE_COMMIT", "HEAD");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_fill_context(rs, dir), PERFDB_ENOTFOUND);
	assert_non_null(strstr(perfdb_error_last()->message, "cannot resolve revision 'HEAD'"));
	perfdb_resultset_free(rs);
}

static void test_context__jenkins_branch_names(void **state)
{
	(void)state;
	set("JENKINS_URL", "https://ci.example.org/");
	set("GIT_COMMIT", "4444444444444444444444444444444444444444");
	/* a freestyle job: GIT_BRANCH is "origin/main" */
	set("GIT_BRANCH", "origin/main");
	expect_context("4444444444444444444444444444444444444444", "main");
	/* a multibranch pipeline: BRANCH_NAME wins over GIT_BRANCH */
	set("BRANCH_NAME", "develop");
	expect_context("4444444444444444444444444444444444444444", "develop");
	/* its change request: BRANCH_NAME is "PR-12", CHANGE_BRANCH the branch */
	set("BRANCH_NAME", "PR-12");
	set("CHANGE_BRANCH", "fix-leak");
	expect_context("4444444444444444444444444444444444444444", "fix-leak");
}

static void test_context__one_system_and_caller_first(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	/* GitHub is asked first; the other system's variables are not mixed in */
	set("GITHUB_ACTIONS", "true");
	set("GITHUB_SHA", "5555555555555555555555555555555555555555");
	set("GITLAB_CI", "true");
	set("CI_COMMIT_SHA", "6666666666666666666666666666666666666666");
	set("CI_COMMIT_REF_NAME", "gitlab-branch");
	expect_context("5555555555555555555555555555555555555555", NULL);
	/* an empty GITHUB_ACTIONS is no GitHub */
	set("GITHUB_ACTIONS", "");
	expect_context("6666666666666666666666666666666666666666", "gitlab-branch");

	/* what the caller set (--commit, --branch) is kept */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "v1.4"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_BRANCH, "mine"), 0);
	assert_int_equal(perfdb_resultset_fill_context(rs, dir), 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT), "v1.4");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_BRANCH), "mine");
	perfdb_resultset_free(rs);
}

static void test_context__no_ci_no_repository(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	/* a system's marker without its commit variable gives nothing either */
	set("BUILDKITE", "true");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_fill_context(rs, dir), PERFDB_ENOTFOUND);
	assert_non_null(strstr(perfdb_error_last()->message, "no commit to record for"));
	assert_null(perfdb_resultset_meta(rs, PERFDB_META_COMMIT));
	perfdb_resultset_free(rs);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	(void)state;
	/* outside the source tree: git must not find this repository */
	snprintf(dir, sizeof(dir), "%s/perfdb_test_context_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	/* and git must not look above it (a TMPDIR inside a checkout) */
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	assert_int_equal(setenv("GIT_CEILING_DIRECTORIES", dir, 1), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_context__github_push_and_pull_request, clear_ci),
	    cmocka_unit_test_setup(test_context__gitlab_branch_and_merge_request, clear_ci),
	    cmocka_unit_test_setup(test_context__buildkite, clear_ci),
	    cmocka_unit_test_setup(test_context__jenkins_branch_names, clear_ci),
	    cmocka_unit_test_setup(test_context__one_system_and_caller_first, clear_ci),
	    cmocka_unit_test_setup(test_context__no_ci_no_repository, clear_ci),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
