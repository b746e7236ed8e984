/* lib/util/time.c: the one ISO 8601 parser (native files, --time, git, gbench). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "perfdb/context.h"
#include "util/time.h"

/* Real calendar days, leap years included, in both modes. */
static void test_time__calendar(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"},
	    {"2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z"},
	    {"2026-04-30T23:59:59Z", "2026-04-30T23:59:59Z"},
	    {"2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"},
	    {"2026-03-01T00:30:00+01:00", "2026-02-28T23:30:00Z"},
	    {"2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"},
	};
	static const char *bad[] = {"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
				    "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
				    "2026-06-31T00:00:00Z", "2026-01-32T00:00:00Z",
				    "2026-01-00T00:00:00Z", "2026-00-10T00:00:00Z"};
	char buf[32];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(perfdb_util__time_parse(buf, sizeof(buf), ok[i].in, 0), 0);
		assert_string_equal(buf, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		buf[sizeof(buf) - 1] = '\0';
		assert_int_equal(perfdb_util__time_parse(buf, sizeof(buf), bad[i], 0),
				 PERFDB_EINVAL);
		/* the lenient public wrapper refuses them too */
		assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), bad[i]), PERFDB_EINVAL);
	}
}

/* 30 February was carried into March by timegm; the message names the day. */
static void test_time__february_30_is_refused_with_a_reason(void **state)
{
	char buf[32] = "";
	(void)state;
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2024-02-30"), PERFDB_EINVAL);
	assert_string_equal(buf, "");
	assert_non_null(strstr(perfdb_error_last()->message, "'2024-02-30'"));
	assert_non_null(strstr(perfdb_error_last()->message, "February 2024 has 29 days"));
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2023-02-29T10:00:00+02:00"),
			 PERFDB_EINVAL);
	assert_non_null(strstr(perfdb_error_last()->message, "February 2023 has 28 days"));
}

/* Flags: a zone is required unless NO_ZONE; a bare date unless DATE_ONLY. */
static void test_time__flags(void **state)
{
	char buf[32];
	(void)state;
	assert_int_equal(perfdb_util__time_parse(buf, sizeof(buf), "2026-11-25T09:00:00", 0),
			 PERFDB_EINVAL);
	assert_non_null(strstr(perfdb_error_last()->message, "with a zone"));
	assert_int_equal(perfdb_util__time_parse(buf, sizeof(buf), "2026-11-25", 0), PERFDB_EINVAL);
	assert_int_equal(
	    perfdb_util__time_parse(buf, sizeof(buf), "2026-11-25T09:00:00", PERFDB_TIME_NO_ZONE),
	    0);
	assert_string_equal(buf, "2026-11-25T09:00:00Z");
	assert_int_equal(
	    perfdb_util__time_parse(buf, sizeof(buf), "2026-11-25", PERFDB_TIME_DATE_ONLY), 0);
	assert_string_equal(buf, "2026-11-25T00:00:00Z");
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2026-11-25T10:30+02:00"), 0);
	assert_string_equal(buf, "2026-11-25T08:30:00Z");
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2026-11-25T09:00:00+24:00"),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2026-11-25T09:00:00Z "),
			 PERFDB_EINVAL);
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), NULL), PERFDB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time__calendar),
	    cmocka_unit_test(test_time__february_30_is_refused_with_a_reason),
	    cmocka_unit_test(test_time__flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
