/* Unit tests of lib/util/machine.c: CI detection and the CI machine name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/machine.h"

static void test_machine__ci_name_readable(void **state)
{
	char name[128];
	(void)state;
	perfdb_machine__ci_name(name, sizeof(name), "AMD EPYC 7763 64-Core Processor", 4,
				16374588ULL, "ubuntu", "22.04");
	assert_int_equal(strncmp(name, "ci-amd-epyc-7763-4c-16g-ubuntu22.04-", 36), 0);
	assert_int_equal(strlen(name), 36 + 8);
	perfdb_machine__ci_name(name, sizeof(name), "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz",
				2, 7113916ULL, "debian", "12");
	assert_int_equal(strncmp(name, "ci-intel-xeon-platinum-8370c-2c-7g-debian12-", 44), 0);
}

static void test_machine__ci_name_stable_and_apart(void **state)
{
	char a[128], b[128], c[128], d[128];
	(void)state;
	/* the kernel reserves a few MiB differently from boot to boot: one machine */
	perfdb_machine__ci_name(a, sizeof(a), "AMD EPYC 7763 64-Core Processor", 4, 16374588ULL,
				"ubuntu", "22.04");
	perfdb_machine__ci_name(b, sizeof(b), "AMD EPYC 7763 64-Core Processor", 4, 16371200ULL,
				"ubuntu", "22.04");
	assert_string_equal(a, b);
	/* another CPU, core count or OS release: another machine */
	perfdb_machine__ci_name(c, sizeof(c), "AMD EPYC 9V74 80-Core Processor", 4, 16374588ULL,
				"ubuntu", "22.04");
	assert_string_not_equal(a, c);
	perfdb_machine__ci_name(c, sizeof(c), "AMD EPYC 7763 64-Core Processor", 2, 16374588ULL,
				"ubuntu", "22.04");
	assert_string_not_equal(a, c);
	perfdb_machine__ci_name(c, sizeof(c), "AMD EPYC 7763 64-Core Processor", 4, 16374588ULL,
				"ubuntu", "24.04");
	assert_string_not_equal(a, c);
	/* two long models whose readable parts are cut the same: the hash parts differ */
	perfdb_machine__ci_name(c, sizeof(c), "Vendor Model Name That Is Very Long Indeed A", 4, 0,
				NULL, NULL);
	perfdb_machine__ci_name(d, sizeof(d), "Vendor Model Name That Is Very Long Indeed B", 4, 0,
				NULL, NULL);
	assert_int_equal(strlen(c), strlen(d));
	assert_memory_equal(c, d, strlen(c) - 8);
	assert_string_not_equal(c, d);
}

static void test_machine__ci_name_unknown_and_small_buffers(void **state)
{
	char name[128], tiny[8];
	(void)state;
	perfdb_machine__ci_name(name, sizeof(name), NULL, 0, 0, NULL, NULL);
	assert_int_equal(strncmp(name, "ci-unknown-", 11), 0);
	assert_int_equal(strlen(name), 11 + 8);
	perfdb_machine__ci_name(tiny, sizeof(tiny), "AMD EPYC 7763", 4, 1ULL << 24, "x", "1");
	assert_int_equal(strlen(tiny), 7);
	assert_int_equal(perfdb_machine__gib(0), 0);
	assert_int_equal(perfdb_machine__gib(100), 1);
	assert_int_equal(perfdb_machine__gib(16374588ULL), 16);
}

static void test_machine__on_ci(void **state)
{
	(void)state;
	unsetenv("CI");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITLAB_CI");
	unsetenv("BUILDKITE");
	unsetenv("JENKINS_URL");
	unsetenv("CIRCLECI");
	unsetenv("TRAVIS");
	unsetenv("TF_BUILD");
	unsetenv("TEAMCITY_VERSION");
	unsetenv("BITBUCKET_BUILD_NUMBER");
	assert_int_equal(perfdb_machine__on_ci(), 0);
	setenv("CI", "false", 1);
	assert_int_equal(perfdb_machine__on_ci(), 0);
	setenv("CI", "true", 1);
	assert_int_equal(perfdb_machine__on_ci(), 1);
	unsetenv("CI");
	setenv("GITLAB_CI", "true", 1);
	assert_int_equal(perfdb_machine__on_ci(), 1);
	unsetenv("GITLAB_CI");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_machine__ci_name_readable),
	    cmocka_unit_test(test_machine__ci_name_stable_and_apart),
	    cmocka_unit_test(test_machine__ci_name_unknown_and_small_buffers),
	    cmocka_unit_test(test_machine__on_ci),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
