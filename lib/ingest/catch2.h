/*
 * Library-internal: what Catch2's two readers (the XML reporter, catch2.c,
 * and the console reporter, catch2_console.c) share once a benchmark is
 * read: the benchmarks of the open test case wait until the test case ends
 * (a failed CHECK or a skip after a benchmark still drops it), the same
 * name seen again (a GENERATE'd section) becomes samples, and the results
 * are made the same way for both.
 */
#ifndef PERFDB_INGEST_CATCH2_H
#define PERFDB_INGEST_CATCH2_H

#include <stdbool.h>
#include <stddef.h>

#include "ingest/reader.h"
#include "perfdb/resultset.h"

typedef struct perfdb_catch2_bench {
	char *name; /* the full name, "TestCase / Section / … / benchmark" */
	int line, column;
	double mean, stddev; /* ns; stddev NAN when unknown */
	long long samples;
} perfdb_catch2_bench;

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
} perfdb_catch2_acc;

/* A fresh accumulator for input `name` (borrowed). PERFDB_ENOMEM. */
int perfdb_ingest__catch2_init(perfdb_catch2_acc *a, const char *name);
/* Frees everything a holds. */
void perfdb_ingest__catch2_release(perfdb_catch2_acc *a);
/* Adds b to the open test case; takes b->name (set to NULL). */
int perfdb_ingest__catch2_pend(perfdb_catch2_acc *a, perfdb_catch2_bench *b);
/* Ends the open test case: its benchmarks become entries, or warnings when
 * it failed or was skipped; clears the failure state. */
int perfdb_ingest__catch2_end_case(perfdb_catch2_acc *a);
/* Adds the result of benchmark `name` to a->rs: its mean, standard deviation
 * and samples when it appeared once (n is 1), else the means of its n
 * appearances as samples. An error when a time is out of range. */
int perfdb_ingest__catch2_result(perfdb_catch2_acc *a, const char *name, const double *means,
				 size_t n, double stddev, long long samples);
/* Turns the entries into results, sets the source and merges them into rs;
 * `none` names what a file without benchmarks lacks, for its warning. */
int perfdb_ingest__catch2_finish(perfdb_catch2_acc *a, perfdb_resultset *rs, const char *none);

/* The console reporter's text (catch2_console.c). */
int perfdb_ingest__catch2_console(perfdb_resultset *rs, const char *data, size_t len,
				  const char *name);

#endif
