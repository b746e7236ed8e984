/*
 * Every JSON (YAML's flow style) and YAML file of ../shared/data/corpus read
 * as native YAML with sequences packed and with every item a node, the way
 * before packing (tests/lib/yaml_same.h): the same results or the same error,
 * position included, byte for byte. Also each file cut off in the middle of
 * a line and with its first number written as a string, so that the errors
 * of the two ways are compared too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "acceptance.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"
#include "yaml_same.h"

static void same_text(const char *text, size_t len, const char *name)
{
	assert_true(yaml_same(text, len, name));
}

static void same_file(const char *path)
{
	size_t len, i;
	char *text = slurp_file(path, &len), *quoted;
	same_text(text, len, path);
	same_text(text, len / 2, path);
	/* the first number after ": ", ", " or "[" quoted: a string among numbers */
	for (i = 1; i < len; i++)
		if (text[i] >= '0' && text[i] <= '9' &&
		    (text[i - 1] == '[' || text[i - 1] == ' ' || text[i - 1] == ','))
			break;
	if (i < len) {
		size_t end = i + strspn(text + i, "0123456789.eE+-");
		assert_non_null(quoted = malloc(len + 2));
		memcpy(quoted, text, i);
		quoted[i] = '"';
		memcpy(quoted + i + 1, text + i, end - i);
		quoted[end + 1] = '"';
		memcpy(quoted + end + 2, text + end, len - end);
		same_text(quoted, len + 2, path);
		free(quoted);
	}
	free(text);
}

static void test_yaml_corpus__packed_same_as_nodes(void **state)
{
	char path[4096];
	(void)state;
	snprintf(path, sizeof(path), "%s/corpus", acceptance_data_dir());
	assert_true(same_under(path, ".json", same_file) >= 50);
	same_under(path, ".yaml", same_file);
	same_under(path, ".yml", same_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yaml_corpus__packed_same_as_nodes),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
