/*
 * perfdb/histogram.h - a log-linear latency histogram (HdrHistogram-style).
 *
 * Values are unsigned integers (nanoseconds by convention). Values below 64
 * are counted exactly; above, every power-of-two octave is split into 64
 * linear buckets, and a percentile reports the middle of its bucket, so the
 * relative error of any reported percentile is at most 1/128 (0.78%).
 * Values up to 2^42 (about 73 minutes in ns) are resolved; larger ones fall in
 * the last bucket but still update max exactly.
 *
 * The struct is a fixed-size value (PERFDB_HISTOGRAM_BYTES, about 19 KiB) so
 * it can be embedded in per-thread shards; recording never allocates, locks
 * or formats. One histogram is not thread-safe: give each writer its own and
 * merge them on read.
 */
#ifndef PERFDB_HISTOGRAM_H
#define PERFDB_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PERFDB_HISTOGRAM_SUB_BITS 6
#define PERFDB_HISTOGRAM_MAX_BITS 42
#define PERFDB_HISTOGRAM_BUCKETS                                                                   \
	((PERFDB_HISTOGRAM_MAX_BITS - PERFDB_HISTOGRAM_SUB_BITS + 1) << PERFDB_HISTOGRAM_SUB_BITS)

typedef struct perfdb_histogram {
	uint64_t count;
	uint64_t min; /**< UINT64_MAX when empty */
	uint64_t max;
	double sum;
	double sum_sq; /**< for the standard deviation */
	uint64_t buckets[PERFDB_HISTOGRAM_BUCKETS];
} perfdb_histogram;

#define PERFDB_HISTOGRAM_BYTES sizeof(perfdb_histogram)

/** Empties h. */
void perfdb_histogram_init(perfdb_histogram *h);

/** The bucket index of a value (exposed for tests and for merging). */
static inline size_t perfdb_histogram_index(uint64_t v)
{
	unsigned e;
	if (v < (1u << PERFDB_HISTOGRAM_SUB_BITS))
		return (size_t)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	if (e >= PERFDB_HISTOGRAM_MAX_BITS) /* 2^42 and above: the last bucket */
		return PERFDB_HISTOGRAM_BUCKETS - 1;
	return ((size_t)(e - PERFDB_HISTOGRAM_SUB_BITS + 1) << PERFDB_HISTOGRAM_SUB_BITS) +
	       (size_t)((v >> (e - PERFDB_HISTOGRAM_SUB_BITS)) - (1u << PERFDB_HISTOGRAM_SUB_BITS));
}

/** Records one value. Never allocates; safe in hot paths (not across threads). */
static inline void perfdb_histogram_record(perfdb_histogram *h, uint64_t v)
{
	h->buckets[perfdb_histogram_index(v)]++;
	h->count++;
	h->sum += (double)v;
	h->sum_sq += (double)v * (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/** Adds every count of src into dst. */
void perfdb_histogram_merge(perfdb_histogram *dst, const perfdb_histogram *src);

/** The value at quantile q (0..1, a fraction as everywhere in perfdb: 0.99 is
 *  the 99th percentile), within 1/128 relative error and clamped to
 *  [min, max]; 0 when empty. q=0 gives min, q=1 gives max. */
uint64_t perfdb_histogram_quantile(const perfdb_histogram *h, double q);

/** Mean and (population) standard deviation; 0 when empty. */
double perfdb_histogram_mean(const perfdb_histogram *h);
double perfdb_histogram_stddev(const perfdb_histogram *h);

/** Lowest and highest value that share bucket `index` (for tests). */
void perfdb_histogram_bucket_range(size_t index, uint64_t *lo, uint64_t *hi);

#ifdef __cplusplus
}
#endif
#endif
