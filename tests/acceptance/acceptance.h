/* The acceptance suite: tests on data that lives outside the repository
 * (../shared/data: real series, real result files of other projects). They
 * carry the CTest label "acceptance" and report a skip (exit 77, CTest's
 * SKIP_RETURN_CODE) when the data is not there, never a pass.
 *
 * The data folder is $PERFDB_SHARED_DATA when set, else the path CMake
 * compiled in (the repository's ../shared/data). */
#ifndef PERFDB_TESTS_ACCEPTANCE_H
#define PERFDB_TESTS_ACCEPTANCE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define PERFDB_ACCEPTANCE_SKIP 77

/* The data folder, or exits 77 with "skipped: ../shared/data not present". */
static inline const char *acceptance_data_dir(void)
{
	const char *d = getenv("PERFDB_SHARED_DATA");
	struct stat st;
	if (!d || !*d)
		d = PERFDB_SHARED_DATA;
	if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("skipped: ../shared/data not present (%s)\n", d);
		fflush(stdout);
		exit(PERFDB_ACCEPTANCE_SKIP);
	}
	return d;
}

/* Opens DIR/REL for reading; the file must exist once the folder does. */
static inline FILE *acceptance_open(const char *rel)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", acceptance_data_dir(), rel);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "acceptance: cannot open %s\n", path);
		exit(1);
	}
	return f;
}

#endif
