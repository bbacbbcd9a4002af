// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event timer: overhead measured and subtracted, and the TSC rate
 * calibrated right (checked against CLOCK_MONOTONIC_RAW over a sleep that
 * the calibration did not see).
 */
#include "config.h"

#include "json.h"
#include "tap.h"
#include "timing.h"
#include "util.h"

#include <time.h>

static uint64_t raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void check_common(struct timer *t, const char *name)
{
	uint64_t a, b, e;
	struct timespec ms = { 0, 2000000 };

	ok(t->overhead_ns >= 0 && t->overhead_ns < 100000, "%s: overhead %.1f ns is measured and plausible (< 100 us)",
	   name, t->overhead_ns);
	ok(t->overhead_min_ns <= t->overhead_ns, "%s: minimum overhead %.1f <= median %.1f", name, t->overhead_min_ns,
	   t->overhead_ns);
	ok(t->resolution_ns > 0 && t->resolution_ns <= 1000, "%s: resolution %.3f ns", name, t->resolution_ns);
	ok(t->min_step_ns > 0, "%s: back-to-back reads %.1f ns apart at least", name, t->min_step_ns);
	a = timer_start(t);
	is_int(timer_elapsed_ns(t, a, a + t->overhead_ticks), 0, "%s: an interval of exactly the overhead is 0", name);
	is_int(timer_elapsed_ns(t, a, a), 0, "%s: an empty interval is 0", name);
	is_int(timer_elapsed_ns(t, a + 5, a), 0, "%s: a backwards interval is 0, not huge", name);
	a = timer_start(t);
	nanosleep(&ms, NULL);
	b = timer_stop(t);
	e = timer_elapsed_ns(t, a, b);
	ok(e >= 2000000 && e < 2000000000, "%s: a 2 ms sleep times at %llu ns (>= 2 ms)", name, (unsigned long long)e);
	ok(timer_raw_ns(t, a, b) >= (double)e, "%s: the raw interval includes the overhead", name);
}

int main(void)
{
	struct timer t;
	char err[256];
	enum timer_source s;

	plan(26);
	ok(timer_parse("auto", &s) == 0 && s == TIMER_AUTO, "'auto' parses");
	ok(timer_parse("clock", &s) == 0 && s == TIMER_CLOCK, "'clock' parses");
	ok(timer_parse("sundial", &s) < 0, "'sundial' is rejected");

	ok(timer_init(&t, TIMER_CLOCK, err, sizeof(err)) == 0 && t.source == TIMER_CLOCK && t.ns_per_tick == 1,
	   "clock_gettime timer");
	check_common(&t, "clock");
	{
		struct json *d = timer_describe(&t);

		ok(json_get(d, "overhead_median_ns") && json_get(d, "resolution_ns") && json_get(d, "source"),
		   "the description names source, overhead and resolution");
		json_free(d);
	}

	if (timer_init(&t, TIMER_TSC, err, sizeof(err)) < 0) {
		printf("# no usable TSC: %s\n", err);
		for (int i = 0; i < 12; i++)
			printf("ok %d # SKIP no usable TSC here\n", ++tap_n);
		return done_testing();
	}
	ok(t.source == TIMER_TSC && t.tsc_hz > 1e8 && t.tsc_hz < 1e10, "TSC calibrated at %.6f GHz", t.tsc_hz / 1e9);
	ok(t.calib_spread_ppm < 10000, "calibration rounds agree within %.1f ppm (< 1 %%)", t.calib_spread_ppm);
	check_common(&t, "tsc");
	{
		/* A fresh interval the calibration did not see: TSC against CLOCK_MONOTONIC_RAW. */
		struct timespec sl = { 0, 100000000 };
		uint64_t r0 = raw_ns(), a = timer_start(&t), b, r1;
		double err_ppm;

		nanosleep(&sl, NULL);
		b = timer_stop(&t);
		r1 = raw_ns();
		err_ppm = fabs(timer_raw_ns(&t, a, b) - (double)(r1 - r0)) / (double)(r1 - r0) * 1e6;
		ok(err_ppm < 2000, "a 100 ms sleep by the TSC is within %.0f ppm of CLOCK_MONOTONIC_RAW (< 0.2 %%)", err_ppm);
	}
	return done_testing();
}
