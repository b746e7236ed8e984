#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local perfdb_error last;

const perfdb_error *perfdb_error_last(void)
{
	return &last;
}

void perfdb_error_clear(void)
{
	memset(&last, 0, sizeof(last));
}

const char *perfdb_error_name(int code)
{
	switch (code) {
	case PERFDB_OK: return "ok";
	case PERFDB_ENOMEM: return "out of memory";
	case PERFDB_EINVAL: return "invalid argument";
	case PERFDB_EINPUT: return "input error";
	case PERFDB_EIO: return "i/o error";
	case PERFDB_EDB: return "database error";
	case PERFDB_ENOTFOUND: return "not found";
	case PERFDB_EREADONLY: return "read-only";
	case PERFDB_EFORMAT: return "unknown format";
	case PERFDB_ETOOBIG: return "input too large";
	default: return "error";
	}
}

static void copy_field(char *dst, size_t cap, const char *src)
{
	if (!src) {
		dst[0] = '\0';
		return;
	}
	snprintf(dst, cap, "%s", src);
}

int perfdb_error__set(int code, const char *fmt, ...)
{
	va_list ap;
	memset(&last, 0, sizeof(last));
	last.code = code;
	va_start(ap, fmt);
	vsnprintf(last.message, sizeof(last.message), fmt, ap);
	va_end(ap);
	return code;
}

int perfdb_error__input(int code, const char *file, int line, int column, const char *field,
			const char *fmt, ...)
{
	char what[512];
	char *p = last.message;
	size_t cap = sizeof(last.message);
	int n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	memset(&last, 0, sizeof(last));
	last.code = code;
	copy_field(last.file, sizeof(last.file), file);
	copy_field(last.field, sizeof(last.field), field);
	last.line = line;
	last.column = column;

	n = 0;
	if (file && *file) {
		if (line > 0 && column > 0)
			n = snprintf(p, cap, "%s:%d:%d: ", file, line, column);
		else if (line > 0)
			n = snprintf(p, cap, "%s:%d: ", file, line);
		else
			n = snprintf(p, cap, "%s: ", file);
	}
	if (n < 0 || (size_t)n >= cap)
		n = (int)cap - 1;
	if (field && *field) {
		int m = snprintf(p + n, cap - (size_t)n, "field '%s': ", field);
		if (m > 0)
			n = (size_t)(n + m) >= cap ? (int)cap - 1 : n + m;
	}
	snprintf(p + n, cap - (size_t)n, "%s", what);
	return code;
}

int perfdb_error__oom(void)
{
	return perfdb_error__set(PERFDB_ENOMEM, "out of memory");
}
