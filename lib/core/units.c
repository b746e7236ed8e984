/*
 * Unit normalisation. A series must never mix scales, so every producer's
 * unit goes through here when a result is added: time to ns, sizes to bytes,
 * rates to X/s with their numerator normalised too.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "perfdb/resultset.h"

typedef struct unit_row {
	const char *name;
	const char *canonical;
	double factor;
} unit_row;

static const unit_row time_units[] = {
    {"ns", "ns", 1.0},		 {"nanoseconds", "ns", 1.0},
    {"us", "ns", 1e3},		 {"\xc2\xb5s", "ns", 1e3},
    {"microseconds", "ns", 1e3}, {"ms", "ns", 1e6},
    {"milliseconds", "ns", 1e6}, {"s", "ns", 1e9},
    {"sec", "ns", 1e9},		 {"seconds", "ns", 1e9},
    {"min", "ns", 60e9},
};

static const unit_row size_units[] = {
    {"B", "B", 1.0},  {"bytes", "B", 1.0},	  {"byte", "B", 1.0}, {"kB", "B", 1e3},
    {"KB", "B", 1e3}, {"KiB", "B", 1024.0},	  {"MB", "B", 1e6},   {"MiB", "B", 1048576.0},
    {"GB", "B", 1e9}, {"GiB", "B", 1073741824.0}, {"TB", "B", 1e12},  {"TiB", "B", 1099511627776.0},
};

/* Per-time denominators of a rate, as the factor that turns "per unit" into "per second". */
static const unit_row rate_denominators[] = {
    {"s", "s", 1.0},  {"sec", "s", 1.0}, {"ms", "s", 1e3},
    {"us", "s", 1e6}, {"ns", "s", 1e9},	 {"min", "s", 1.0 / 60.0},
};

static const unit_row *lookup(const unit_row *rows, size_t n, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strlen(rows[i].name) == len && strncmp(rows[i].name, name, len) == 0)
			return &rows[i];
	return NULL;
}

#define LOOKUP(rows, name, len) lookup(rows, sizeof(rows) / sizeof(rows[0]), name, len)

void perfdb_unit_normalize(const char *unit, const char **canonical, double *factor)
{
	const unit_row *row;
	const char *slash;

	*canonical = unit ? unit : "";
	*factor = 1.0;
	if (!unit || !*unit)
		return;
	if ((row = LOOKUP(time_units, unit, strlen(unit))) ||
	    (row = LOOKUP(size_units, unit, strlen(unit)))) {
		*canonical = row->canonical;
		*factor = row->factor;
		return;
	}
	/* Rates: only sizes have a canonical numerator; other numerators
	 * ("items", "ops", "req") keep their name with "/s". */
	slash = strrchr(unit, '/');
	if (slash && slash != unit) {
		const unit_row *den = LOOKUP(rate_denominators, slash + 1, strlen(slash + 1));
		const unit_row *num = LOOKUP(size_units, unit, (size_t)(slash - unit));
		if (!den)
			return;
		if (num) {
			*canonical = "B/s";
			*factor = num->factor * den->factor;
			return;
		}
		if (den->factor == 1.0 && strcmp(slash + 1, "s") == 0)
			return; /* already X/s */
		/* X/ms and the like: scale to X/s; the canonical spelling needs a
		 * buffer, so a small set of numerators is spelled out. */
		{
			static const char *known[] = {"items/s",    "ops/s",	  "req/s",
						      "requests/s", "calls/s",	  "iterations/s",
						      "events/s",   "messages/s", "rows/s"};
			size_t i, nlen = (size_t)(slash - unit);
			for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
				if (strncmp(known[i], unit, nlen) == 0 && known[i][nlen] == '/') {
					*canonical = known[i];
					*factor = den->factor;
					return;
				}
			}
		}
	}
}

perfdb_direction perfdb_unit_direction(const char *unit)
{
	size_t n = unit ? strlen(unit) : 0;
	if (n >= 2 && strcmp(unit + n - 2, "/s") == 0)
		return PERFDB_HIGHER_IS_BETTER;
	return PERFDB_LOWER_IS_BETTER;
}
