/*
 * Every Bencher Metric Format file of ../shared/data/corpus, and broken
 * variants of each (cut short at every byte, a benchmark repeated, a measure
 * with another key), read by name (a member of the top-level object at a
 * time, lib/ingest/json_stream.c), whole, and a member at a time with the
 * members cut into pieces of 1 byte and up: the same results, warnings and
 * errors, byte for byte (tests/lib/ingest_same.h).
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

static size_t files, variants;

/* The file at path: by name and whole, as BMF and as whatever it is, and in
 * pieces; a piece reading may leave a syntax error to the whole-file check
 * (the fallback), nothing else. */
static void same_bmf(const char *path)
{
	static const size_t pieces[] = {1, 2, 3, 7, 16, 64, 0};
	char *whole = read_whole(path, PERFDB_FORMAT_BMF), *auto_whole;
	size_t i;
	same_texts(path, "by name", whole, read_file(path, PERFDB_FORMAT_BMF));
	auto_whole = read_whole(path, PERFDB_FORMAT_AUTO);
	same_texts(path, "by name, any format", auto_whole, read_file(path, PERFDB_FORMAT_AUTO));
	free(auto_whole);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		int rc;
		char *text = read_bmf_pieces(path, pieces[i], &rc);
		if (rc == PERFDB_JSON__FALLBACK) {
			/* a syntax error, or a document that is no object */
			if (!strstr(whole, ": invalid JSON: ") && !strstr(whole, ": empty input") &&
			    !strstr(whole, "expected an object of benchmarks")) {
				print_error("%s: pieces of %zu fell back\nwhole:\n%.2000s\n", path,
					    pieces[i], whole);
				fail();
			}
			free(text);
		} else {
			same_texts(path, "in pieces", whole, text);
		}
	}
	free(whole);
}

static void same_bmf_text(const char *body, size_t len)
{
	char path[] = "/tmp/perfdb-bmf-corpus-XXXXXX";
	write_temp(path, body, len);
	same_bmf(path);
	unlink(path);
	variants++;
}

/* The corpus file at path, if it is BMF, and its broken variants. */
static void each_file(const char *path)
{
	size_t len, cut, at;
	char *data = slurp_file(path, &len), *copy, *p;
	if (perfdb_ingest_detect(data, len) != PERFDB_FORMAT_BMF) {
		free(data);
		return;
	}
	files++;
	same_bmf(path);
	for (cut = 0; cut < len; cut++)
		same_bmf_text(data, cut);
	copy = malloc(2 * len + 64);
	assert_non_null(copy);
	/* the first benchmark again, last */
	p = strchr(data, '"');
	at = (size_t)(strrchr(data, '}') - data);
	if (p && at > (size_t)(p - data)) {
		size_t n = (size_t)snprintf(copy, 2 * len + 64, "%.*s, %.*s}", (int)at, data,
					    (int)(at - (size_t)(p - data)), p);
		same_bmf_text(copy, n);
	}
	/* a measure with a key BMF does not have */
	if ((p = strstr(data, "\"value\""))) {
		memcpy(copy, data, len);
		memcpy(copy + (p - data), "\"valeu\"", 7);
		same_bmf_text(copy, len);
	}
	free(copy);
	free(data);
}

static void test_bmf_corpus__same_by_name_whole_and_in_pieces(void **state)
{
	char path[4096];
	(void)state;
	snprintf(path, sizeof(path), "%s/corpus", acceptance_data_dir());
	same_under(path, ".json", each_file);
	assert_true(files >= 3);
	assert_true(variants >= files * 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bmf_corpus__same_by_name_whole_and_in_pieces),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
