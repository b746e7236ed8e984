/*
 * Whether a test is built with AddressSanitizer, by gcc or clang:
 * PERFDB_TEST_SANITIZED is 1 there, else 0. Its allocator maps memory of its
 * own (so heap figures and a second malloc interposer mean nothing), and it
 * runs several times slower: the biggest differential sweeps take fewer
 * cases there (every case still runs in the build without sanitizers),
 * which keeps .ci/run, which runs every test in both, within its time.
 */
#ifndef PERFDB_TESTS_SANITIZED_H
#define PERFDB_TESTS_SANITIZED_H

#if defined(__SANITIZE_ADDRESS__)
#define PERFDB_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PERFDB_TEST_SANITIZED 1
#endif
#endif
#ifndef PERFDB_TEST_SANITIZED
#define PERFDB_TEST_SANITIZED 0
#endif

#endif
