/*
 * Every JSON file of ../shared/data/corpus, and criterion's benchmarks
 * there (a directory made of each one's benchmark, estimates and sample
 * files), read with every array of numbers packed (lib/ingest/json_parse.h,
 * "Packed arrays"), with the default threshold, and with a node an item as
 * before: the same results, warnings and errors, byte for byte
 * (tests/lib/ingest_same.h, packed_same).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "acceptance.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"

static size_t files, benchmarks;

static void each_file(const char *path)
{
	packed_same(path, PERFDB_FORMAT_AUTO, true);
	files++;
}

/* PREFIX-sample.json beside PREFIX-benchmark.json and PREFIX-estimates.json. */
static void each_sample(const char *path)
{
	char benchmark[4096], estimates[4096], dir[] = "/tmp/perfdb-pack-corpus-XXXXXX";
	size_t len, n = strlen(path) - strlen("sample.json");
	struct stat st;
	char *sample;
	snprintf(benchmark, sizeof(benchmark), "%.*sbenchmark.json", (int)n, path);
	snprintf(estimates, sizeof(estimates), "%.*sestimates.json", (int)n, path);
	if (stat(benchmark, &st) != 0 || stat(estimates, &st) != 0)
		return;
	sample = slurp_file(path, &len);
	criterion_dir(dir, benchmark, estimates, sample);
	packed_same(dir, PERFDB_FORMAT_CRITERION, false);
	criterion_dir_remove(dir);
	free(sample);
	benchmarks++;
}

static void test_json_pack_corpus__same_packed_and_not(void **state)
{
	char path[4096];
	(void)state;
	snprintf(path, sizeof(path), "%s/corpus", acceptance_data_dir());
	same_under(path, ".json", each_file);
	snprintf(path, sizeof(path), "%s/corpus/criterion", acceptance_data_dir());
	same_under(path, "-sample.json", each_sample);
	assert_true(files >= 50);
	assert_true(benchmarks >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_pack_corpus__same_packed_and_not),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
