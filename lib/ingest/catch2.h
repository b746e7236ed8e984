/*
 * Library-internal: what Catch2's two readers (the XML reporter, catch2.c,
 * and the console reporter, catch2_console.c) share once a benchmark is
 * read: the benchmarks of the open test case wait until the test case ends
 * (a failed CHECK or a skip after a benchmark still drops it), the same
 * name seen again (a GENERATE'd section) becomes samples, and the results
 * are made the same way for both.
 *
 * A reader reads its text either once, holding every benchmark until the
 * end (PERFDB_CATCH2_WHOLE), or up to three times without holding them
 * (perfdb_ingest__catch2_passes): COUNT finds every error, the test cases
 * that fail and the hashes of the names (8 bytes a name), kept only for
 * those that repeat; GROUP, only when a hash repeats, keeps the means of
 * those names; EMIT warns as one reading would and makes each result at its
 * name's first appearance, on to the caller's sink as made.
 */
#ifndef PERFDB_INGEST_CATCH2_H
#define PERFDB_INGEST_CATCH2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/reader.h"
#include "perfdb/resultset.h"

typedef struct perfdb_catch2_bench {
	char *name; /* the full name, "TestCase / Section / … / benchmark" */
	int line, column;
	double mean, stddev; /* ns; stddev NAN when unknown */
	long long samples;
} perfdb_catch2_bench;

/* How a reader reads its text (see above). */
typedef enum perfdb_catch2_pass {
	PERFDB_CATCH2_WHOLE, /* once: every benchmark held till the end */
	PERFDB_CATCH2_COUNT, /* every error; which names repeat, which test cases fail */
	PERFDB_CATCH2_GROUP, /* the means of the names that repeat */
	PERFDB_CATCH2_EMIT   /* the warnings; each result at its name's first appearance */
} perfdb_catch2_pass;

typedef struct perfdb_catch2_acc {
	const char *name; /* the input's name, for messages */
	perfdb_resultset *rs;
	perfdb_catch2_bench *pending; /* benchmarks of the open test case */
	size_t npending, cappending;
	bool case_failed, case_skipped;
	char failure[256]; /* " (where the test case first failed)", or "" */
	struct perfdb_catch2_entry *entries;
	size_t nentries, capentries;
	perfdb_ingest_index index;
	size_t nbench; /* benchmarks seen, recorded or not */
	/* what the readings hand on */
	perfdb_catch2_pass pass;
	size_t span;		/* test cases ended so far in this reading */
	unsigned char *failing; /* a bit a test case: it failed or was skipped */
	size_t capfailing;	/* bytes */
	uint64_t *hashes;	/* COUNT's: of every recorded name, then of those that repeat */
	size_t nhashes, caphashes;
	uint32_t *counts;		    /* the appearances of each hash that repeats */
	size_t case_start;		    /* the open test case's first hash */
	struct perfdb_catch2_group *groups; /* GROUP's, in the order first seen */
	size_t ngroups, capgroups;
	uint32_t *gslots; /* group number + 1 by hash; 0 empty */
	size_t gcap;
	struct perfdb_catch2_prefix *prefixes; /* the groups' test case and sections, once each */
	size_t nprefixes, capprefixes;
	uint32_t *pslots; /* prefix number + 1 by hash */
	size_t pcap;
	char *text; /* the prefixes' and benchmarks' text, NUL-terminated */
	size_t textlen, textcap;
	double *means; /* each group's, one after the other */
	size_t nmeans, capmeans;
} perfdb_catch2_acc;

/* A fresh accumulator for input `name` (borrowed). PERFDB_ENOMEM. */
int perfdb_ingest__catch2_init(perfdb_catch2_acc *a, const char *name);
/* Frees everything a holds. */
void perfdb_ingest__catch2_release(perfdb_catch2_acc *a);
/* Adds b to the open test case; takes b->name (set to NULL). */
int perfdb_ingest__catch2_pend(perfdb_catch2_acc *a, perfdb_catch2_bench *b);
/* Ends the open test case: its benchmarks become entries, or warnings when
 * it failed or was skipped; clears the failure state. COUNT notes whether
 * it failed and forgets its names' hashes then. */
int perfdb_ingest__catch2_end_case(perfdb_catch2_acc *a);
/* Warns that b is not recorded since its test case failed or was skipped. */
int perfdb_ingest__catch2_warn_dropped(perfdb_catch2_acc *a, const perfdb_catch2_bench *b);
/* Whether this reading warns (WHOLE and EMIT: the others read the same text
 * before or again). */
bool perfdb_ingest__catch2_warns(const perfdb_catch2_acc *a);
/*
 * The benchmark b was read (b->name is not read), named `full` (len bytes, its
 * test case and sections the first `prefix` of them, then " / " and the
 * benchmark; the text is changed and restored). COUNT notes its hash; GROUP
 * keeps its mean when its name repeats; EMIT makes its result when this is
 * its name's first appearance in a test case that passes (with the means of
 * all of them). 1 when it is not made now (WHOLE: the reader pends it; EMIT:
 * its test case fails, to be warned about at its end), else 0 or an error.
 */
int perfdb_ingest__catch2_bench(perfdb_catch2_acc *a, const perfdb_catch2_bench *b, char *full,
				size_t len, size_t prefix);
/*
 * Reads a text up to three times by read(ctx), which reads it all from a
 * clean state in a->pass (after perfdb_ingest__catch2_begin) and returns 0
 * or its first error, then finishes as perfdb_ingest__catch2_finish.
 */
int perfdb_ingest__catch2_passes(perfdb_catch2_acc *a, perfdb_resultset *rs, int (*read)(void *ctx),
				 void *ctx, const char *none);
/* A reading starts in a->pass: nothing ended or seen yet. */
void perfdb_ingest__catch2_begin(perfdb_catch2_acc *a);
/* Adds the result of benchmark `name` to a->rs: the mean, standard
 * deviation and samples of `first`, its first appearance, when it appeared
 * once (n is 1), else the means of its n appearances as samples; a result
 * the resultset refuses is an error at first's place. An error when a time
 * is out of range. */
int perfdb_ingest__catch2_result(perfdb_catch2_acc *a, const char *name, const double *means,
				 size_t n, const perfdb_catch2_bench *first);
/* Turns the entries into results, sets the source and merges them into rs;
 * `none` names what a file without benchmarks lacks, for its warning. */
int perfdb_ingest__catch2_finish(perfdb_catch2_acc *a, perfdb_resultset *rs, const char *none);

/* The XML reporter's document (catch2.c), read once (PERFDB_CATCH2_WHOLE)
 * or in passes. */
int perfdb_ingest__catch2_xml(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			      bool once);

/* The console reporter's text (catch2_console.c). */
int perfdb_ingest__catch2_console(perfdb_resultset *rs, const char *data, size_t len,
				  const char *name);
/* The same, with the benchmarks of a test case that failed or was skipped
 * held till its end when hold_failing (the reading before, which the tests
 * compare with), else read again from its start then. */
int perfdb_ingest__catch2_console_as(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name, bool hold_failing);

#endif
