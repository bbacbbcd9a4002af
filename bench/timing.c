// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "timing.h"
#include "json.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERHEAD_PAIRS 20000
#define CALIB_ROUNDS 5
#define CALIB_ROUND_NS 12000000ull	/* 12 ms per round */

static const char *const source_names[] = { "auto", "tsc", "clock" };

int timer_parse(const char *s, enum timer_source *src)
{
	for (unsigned i = 0; i < ARRAY_SIZE(source_names); i++) {
		if (!strcmp(s, source_names[i])) {
			*src = i;
			return 0;
		}
	}
	return -1;
}

const char *timer_source_name(enum timer_source src)
{
	return src <= TIMER_CLOCK ? source_names[src] : "?";
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if TIMING_HAVE_TSC
/* Can the TSC stand in for the kernel's clock?  Fills @why either way. */
static bool tsc_usable(char *why, size_t len)
{
	char *cpuinfo = read_file_alloc("/proc/cpuinfo", NULL), *flags, *cs;
	bool constant = false, nonstop = false, kernel;

	flags = cpuinfo ? strstr(cpuinfo, "\nflags") : NULL;
	if (flags) {
		char *eol = strchr(flags + 1, '\n');

		if (eol)
			*eol = '\0';
		constant = strstr(flags, " constant_tsc") != NULL;
		nonstop = strstr(flags, " nonstop_tsc") != NULL;
	}
	free(cpuinfo);
	cs = read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource");
	kernel = cs && !strcmp(cs, "tsc");
	if (!constant || !nonstop)
		snprintf(why, len, "the CPU does not report an invariant TSC (constant_tsc %s, nonstop_tsc %s)",
			 constant ? "yes" : "no", nonstop ? "yes" : "no");
	else if (!kernel)
		snprintf(why, len, "the kernel's clocksource is %s, not tsc (it does not trust the TSC here)",
			 cs ? cs : "unknown");
	else
		snprintf(why, len, "invariant TSC (constant_tsc, nonstop_tsc) and the kernel's clocksource is tsc");
	free(cs);
	return constant && nonstop && kernel;
}

/*
 * Ticks per second against CLOCK_MONOTONIC_RAW: each round brackets a TSC
 * read between two clock reads at both ends (the narrowest of a few
 * tries, so a preemption between them does not count) and spans 12 ms.
 */
static void tsc_calibrate(struct timer *t)
{
	double rate[CALIB_ROUNDS];

	for (unsigned r = 0; r < CALIB_ROUNDS; r++) {
		uint64_t best_w[2] = { UINT64_MAX, UINT64_MAX }, ns[2] = { 0, 0 }, tsc[2] = { 0, 0 };

		for (unsigned end = 0; end < 2; end++) {
			if (end) {
				uint64_t until = ns[0] + CALIB_ROUND_NS;

				while (mono_raw_ns() < until)
					;
			}
			for (unsigned k = 0; k < 7; k++) {
				uint64_t a = mono_raw_ns(), c = __rdtsc(), b = mono_raw_ns();

				if (b - a < best_w[end]) {
					best_w[end] = b - a;
					ns[end] = a + (b - a) / 2;
					tsc[end] = c;
				}
			}
		}
		rate[r] = (double)(tsc[1] - tsc[0]) * 1e9 / (double)(ns[1] - ns[0]);
	}
	qsort(rate, CALIB_ROUNDS, sizeof(rate[0]), cmp_double);
	t->tsc_hz = rate[CALIB_ROUNDS / 2];
	t->ns_per_tick = 1e9 / t->tsc_hz;
	t->calib_spread_ppm = (rate[CALIB_ROUNDS - 1] - rate[0]) / t->tsc_hz * 1e6;
}
#endif

void timer_measure_overhead(struct timer *t)
{
	uint64_t *d = xmalloc(OVERHEAD_PAIRS * sizeof(*d)), step = UINT64_MAX, prev;

	t->overhead_ticks = 0;
	/* Warm the code and the vDSO data page. */
	for (unsigned i = 0; i < 1000; i++)
		(void)timer_stop(t), (void)timer_start(t);
	for (unsigned i = 0; i < OVERHEAD_PAIRS; i++) {
		uint64_t a = timer_start(t), b = timer_stop(t);

		d[i] = b > a ? b - a : 0;
	}
	qsort(d, OVERHEAD_PAIRS, sizeof(*d), cmp_u64);
	t->overhead_ticks = d[OVERHEAD_PAIRS / 2];
	t->overhead_ns = (double)d[OVERHEAD_PAIRS / 2] * t->ns_per_tick;
	t->overhead_min_ns = (double)d[0] * t->ns_per_tick;
	/* Resolution: the smallest non-zero step between consecutive reads. */
	prev = timer_start(t);
	for (unsigned i = 0; i < OVERHEAD_PAIRS; i++) {
		uint64_t v = timer_start(t);

		if (v > prev && v - prev < step)
			step = v - prev;
		prev = v;
	}
	t->min_step_ns = step == UINT64_MAX ? 0 : (double)step * t->ns_per_tick;
	t->resolution_ns = t->source == TIMER_TSC ? t->ns_per_tick : t->clock_res_ns;
	free(d);
}

int timer_init(struct timer *t, enum timer_source want, char *err, size_t errlen)
{
	struct timespec res;

	memset(t, 0, sizeof(*t));
	t->ns_per_tick = 1;
	t->source = TIMER_CLOCK;
	if (clock_getres(CLOCK_MONOTONIC, &res) == 0)
		t->clock_res_ns = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
#if TIMING_HAVE_TSC
	if (want != TIMER_CLOCK) {
		char why[sizeof(t->why)];

		if (tsc_usable(why, sizeof(why))) {
			t->source = TIMER_TSC;
			snprintf(t->why, sizeof(t->why), "%s", why);
			tsc_calibrate(t);
		} else if (want == TIMER_TSC) {
			return errf(err, errlen, "--clock tsc: %s; use --clock clock", why);
		} else {
			errf(t->why, sizeof(t->why), "clock_gettime: %s", why);
		}
	} else {
		snprintf(t->why, sizeof(t->why), "clock_gettime asked for (--clock clock)");
	}
#else
	if (want == TIMER_TSC)
		return errf(err, errlen, "--clock tsc: this is not an x86 CPU; use --clock clock");
	snprintf(t->why, sizeof(t->why), "clock_gettime: no TSC on this architecture");
#endif
	timer_measure_overhead(t);
	return 0;
}

struct json *timer_describe(const struct timer *t)
{
	struct json *o = json_obj();

	json_set(o, "source", json_str(t->source == TIMER_TSC ? "tsc" : "clock_gettime(CLOCK_MONOTONIC)"));
	json_set(o, "why", json_str(t->why));
	json_set(o, "tsc_hz", t->source == TIMER_TSC ? json_num(t->tsc_hz) : json_null());
	json_set(o, "calibration_spread_ppm", t->source == TIMER_TSC ? json_num(t->calib_spread_ppm) : json_null());
	json_set(o, "overhead_median_ns", json_num(t->overhead_ns));
	json_set(o, "overhead_min_ns", json_num(t->overhead_min_ns));
	json_set(o, "resolution_ns", json_num(t->resolution_ns));
	json_set(o, "min_step_ns", json_num(t->min_step_ns));
	json_set(o, "clock_getres_ns", json_num(t->clock_res_ns));
	json_set(o, "overhead_subtracted", json_bool(true));
	json_set(o, "note", json_str("every timed event is (stop - start) minus overhead_median_ns, floored at 0"));
	return o;
}
