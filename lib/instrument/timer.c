#include "instrument/timer.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if PERFDB_TIMER_HAVE_TSC
#include <cpuid.h>
#endif

static perfdb_timer_tsc tsc_state;
static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;

#if PERFDB_TIMER_HAVE_TSC
static bool cpu_has_invariant_tsc(void)
{
	unsigned a, b, c, d;
	/* CPUID 0x80000007 EDX bit 8: "invariant TSC" on both Intel and AMD. */
	if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
		return false;
	if (!__get_cpuid(0x80000007u, &a, &b, &c, &d))
		return false;
	return (d >> 8) & 1u;
}

static bool kernel_clocksource_is_tsc(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, "tsc") == 0;
}

/* One (tsc, ns) pair, taken where the two TSC reads around clock_gettime are
 * closest together, so a preemption in the middle cannot skew it. */
static void paired_read(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;
	int i;
	*tsc = 0; /* out-parameters are written at entry */
	*ns = 0;
	for (i = 0; i < 16; i++) {
		uint64_t t0 = perfdb_timer__tsc_read();
		uint64_t n = perfdb_timer__monotonic_ns();
		uint64_t t1 = perfdb_timer__tsc_read();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*ns = n;
		}
	}
}

static void calibrate(void)
{
	uint64_t tsc0, ns0, tsc1, ns1;
	struct timespec pause = {0, 10 * 1000 * 1000};

	tsc_state.why_not = NULL;
	if (!cpu_has_invariant_tsc()) {
		tsc_state.why_not = "the CPU does not report an invariant TSC";
		return;
	}
	if (!kernel_clocksource_is_tsc()) {
		tsc_state.why_not = "the kernel clock source is not tsc";
		return;
	}
	paired_read(&tsc0, &ns0);
	nanosleep(&pause, NULL);
	paired_read(&tsc1, &ns1);
	if (tsc1 <= tsc0 || ns1 <= ns0) {
		tsc_state.why_not = "the TSC did not advance during calibration";
		return;
	}
	tsc_state.ticks_per_ns = (double)(tsc1 - tsc0) / (double)(ns1 - ns0);
	tsc_state.mult =
	    (uint64_t)((double)(ns1 - ns0) / (double)(tsc1 - tsc0) * 4294967296.0 + 0.5);
	tsc_state.usable = tsc_state.mult > 0;
	if (!tsc_state.usable)
		tsc_state.why_not = "the TSC calibration failed";
}
#else
static void calibrate(void)
{
	tsc_state.why_not = "this CPU architecture has no TSC";
}
#endif

const perfdb_timer_tsc *perfdb_timer__tsc(void)
{
	pthread_once(&tsc_once, calibrate);
	return &tsc_state;
}
