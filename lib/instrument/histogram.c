#include "perfdb/histogram.h"

#include <math.h>
#include <string.h>

void perfdb_histogram_init(perfdb_histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void perfdb_histogram_merge(perfdb_histogram *dst, const perfdb_histogram *src)
{
	size_t i;
	if (src->count == 0)
		return;
	for (i = 0; i < PERFDB_HISTOGRAM_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sum_sq += src->sum_sq;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

void perfdb_histogram_bucket_range(size_t index, uint64_t *lo, uint64_t *hi)
{
	const size_t sub = (size_t)1 << PERFDB_HISTOGRAM_SUB_BITS;
	size_t octave, offset;
	unsigned shift;

	if (index < sub) {
		*lo = *hi = index;
		return;
	}
	octave = index >> PERFDB_HISTOGRAM_SUB_BITS; /* 1 for [64,128) */
	offset = index & (sub - 1);
	shift = (unsigned)(octave - 1);
	*lo = (uint64_t)(sub + offset) << shift;
	*hi = *lo + (((uint64_t)1 << shift) - 1);
}

uint64_t perfdb_histogram_quantile(const perfdb_histogram *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, mid;
	size_t i;

	if (h->count == 0)
		return 0;
	if (q <= 0.0)
		return h->min;
	if (q >= 1.0)
		return h->max;
	/* The smallest value with at least a fraction q of the values at or
	 * below it. */
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < PERFDB_HISTOGRAM_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == PERFDB_HISTOGRAM_BUCKETS)
		return h->max;
	perfdb_histogram_bucket_range(i, &lo, &hi);
	mid = lo + (hi - lo) / 2;
	if (mid < h->min)
		mid = h->min;
	if (mid > h->max)
		mid = h->max;
	return mid;
}

double perfdb_histogram_mean(const perfdb_histogram *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}

double perfdb_histogram_stddev(const perfdb_histogram *h)
{
	double mean, var;
	if (h->count == 0)
		return 0.0;
	mean = h->sum / (double)h->count;
	var = h->sum_sq / (double)h->count - mean * mean;
	return var > 0.0 ? sqrt(var) : 0.0;
}
