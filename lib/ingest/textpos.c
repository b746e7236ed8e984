/* See textpos.h. */
#include <string.h>

#include "ingest/reader.h"
#include "ingest/textpos.h"
#include "util/error.h"

int perfdb_ingest__refuse_nul_line(const char *s, size_t n, const char *name, int line)
{
	const char *nul = n ? memchr(s, '\0', n) : NULL;
	if (!nul)
		return 0;
	return perfdb_error__input(PERFDB_EINPUT, name, line,
				   perfdb_ingest__columns(s, (size_t)(nul - s)) + 1, NULL,
				   "NUL byte in the input (not a text file?)");
}

int perfdb_ingest__refuse_nul(const char *data, size_t len, const char *name)
{
	const char *nul = len ? memchr(data, '\0', len) : NULL, *p, *line_start = data;
	int line = 1;
	if (!nul)
		return 0;
	for (p = data; p < nul; p++)
		if (*p == '\n') {
			line++;
			line_start = p + 1;
		}
	return perfdb_ingest__refuse_nul_line(line_start, (size_t)(nul - line_start) + 1, name,
					      line);
}
