/* JSON Lines: see jsonl.h. */
#include <stdio.h>
#include <string.h>

#include "ingest/jsonl.h"
#include "util/error.h"

int perfdb_jsonl__relocate(int code, const char *name, int line)
{
	const perfdb_error *e = perfdb_error_last();
	char msg[sizeof(e->message)], field[sizeof(e->field)];
	const char *m = msg, *q;
	size_t n = strlen(name);
	int column = e->column;

	if (code != PERFDB_EINPUT && code != PERFDB_EFORMAT)
		return code;
	snprintf(msg, sizeof(msg), "%s", e->message);
	snprintf(field, sizeof(field), "%s", e->field);
	/* the message begins "NAME:1:COL: " and perhaps "field 'F': ", both written again */
	if (strncmp(m, name, n) == 0 && m[n] == ':' && (q = strstr(m + n + 1, ": ")))
		m = q + 2;
	if (field[0] && strncmp(m, "field '", 7) == 0 && (q = strstr(m, "': ")))
		m = q + 3;
	return perfdb_error__input(PERFDB_EINPUT, name, line, column, field[0] ? field : NULL, "%s",
				   m);
}

int perfdb_jsonl__load(perfdb_json_doc **out, const char *data, size_t len, const char *name,
		       int line)
{
	int err = perfdb_json__load_bounded(out, data, len, name, 100000,
					    "a line of JSON output holds a few dozen");
	return err ? perfdb_jsonl__relocate(err, name, line) : 0;
}
