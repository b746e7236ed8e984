/*
 * Library-internal: the profiler's clock.
 *
 * Two sources of monotonic time. clock_gettime(CLOCK_MONOTONIC) works
 * everywhere and is the default. The TSC (rdtsc) is about twice as cheap to
 * read, but it is only a clock when it ticks at a constant rate in every
 * power state and on every core: perfdb uses it only when the CPU reports an
 * invariant TSC *and* the kernel itself chose "tsc" as its clock source
 * (which means the kernel checked that the TSCs of all cores agree). It is
 * calibrated against CLOCK_MONOTONIC once per process. Never a wall clock:
 * an NTP step must not turn a scope negative.
 */
#ifndef PERFDB_INSTRUMENT_TIMER_H
#define PERFDB_INSTRUMENT_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define PERFDB_TIMER_HAVE_TSC 1
#else
#define PERFDB_TIMER_HAVE_TSC 0
#endif

/* TSC ticks -> ns as (ticks * mult) >> 32 in 128-bit arithmetic, so a
 * duration of hours neither overflows nor loses precision. */
typedef struct perfdb_timer_tsc {
	bool usable;	     /* invariant TSC, kernel clock source "tsc", calibrated */
	uint64_t mult;	     /* ns per tick, fixed point 32.32 */
	double ticks_per_ns; /* for reports */
	const char *why_not; /* static reason when !usable */
} perfdb_timer_tsc;

/* The process-wide TSC calibration (done once, about 10 ms, on first call;
 * thread-safe). Never NULL. */
const perfdb_timer_tsc *perfdb_timer__tsc(void);

static inline uint64_t perfdb_timer__monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t perfdb_timer__tsc_read(void)
{
#if PERFDB_TIMER_HAVE_TSC
	return (uint64_t)__rdtsc();
#else
	return 0;
#endif
}

static inline uint64_t perfdb_timer__tsc_to_ns(uint64_t ticks, uint64_t mult)
{
	return (uint64_t)(((unsigned __int128)ticks * mult) >> 32);
}

#endif
