/*
 * Library-internal: JSON Lines (one JSON value per line), as go test -json
 * and libtest --format json write them. Each line is parsed alone by the
 * JSON layer, which counts it as line 1; these put the file's line back into
 * the error, so a reader of a JSON Lines file reports "f.jsonl:42:17".
 */
#ifndef PERFDB_INGEST_JSONL_H
#define PERFDB_INGEST_JSONL_H

#include <stddef.h>

#include "ingest/json.h"

/*
 * Parses len bytes at data (one line, without its newline) as line `line`
 * of the file `name` into *out. Errors as perfdb_json__load, with the line
 * number of the file (an empty line is PERFDB_EINPUT, not EFORMAT).
 */
int perfdb_jsonl__load(perfdb_json_doc **out, const char *data, size_t len, const char *name,
		       int line);

/*
 * Re-raises the last error (PERFDB_EINPUT raised about a doc of
 * perfdb_jsonl__load) at line `line` of `name`, keeping column and field.
 * Other codes are returned as they are. Returns the code.
 */
int perfdb_jsonl__relocate(int code, const char *name, int line);

#endif
