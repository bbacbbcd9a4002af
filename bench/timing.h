/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * timing: a clock for timing single events (one page fault) and what it
 * costs to read it.
 *
 * Two sources:
 *   tsc    the x86 time-stamp counter, read with lfence; rdtsc; lfence
 *          before the event and rdtscp; lfence after it, converted with a
 *          rate calibrated against CLOCK_MONOTONIC_RAW.  Used only when the
 *          CPU says the TSC is invariant (constant_tsc and nonstop_tsc) and
 *          the kernel itself uses it as its clocksource.
 *   clock  clock_gettime(CLOCK_MONOTONIC) (the vDSO), in nanoseconds.
 *
 * timer_init() measures the overhead of one start/stop pair with nothing
 * between them (the median and minimum of many pairs), the resolution
 * (one TSC tick, or clock_getres) and the smallest non-zero step between
 * back-to-back reads (what one read costs: the finest interval really
 * seen).  timer_elapsed_ns() subtracts the median overhead, so the
 * figures hold the event alone; a difference below the overhead gives 0.
 */
#ifndef PTSHARE_TIMING_H
#define PTSHARE_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TIMING_HAVE_TSC 1
#else
#define TIMING_HAVE_TSC 0
#endif

struct json;

enum timer_source { TIMER_AUTO, TIMER_TSC, TIMER_CLOCK };

struct timer {
	enum timer_source source;	/* TIMER_TSC or TIMER_CLOCK after init */
	double ns_per_tick;		/* 1 for the clock */
	double tsc_hz;			/* calibrated rate, 0 for the clock */
	double calib_spread_ppm;	/* (max - min) / median of the calibration rounds */
	double overhead_ns;		/* median start/stop pair with nothing between: subtracted */
	double overhead_min_ns;
	double resolution_ns;		/* one tick (TSC), clock_getres (clock) */
	double min_step_ns;		/* smallest non-zero step between back-to-back reads */
	double clock_res_ns;		/* clock_getres(CLOCK_MONOTONIC) */
	uint64_t overhead_ticks;	/* overhead_ns in ticks (rounded) */
	char why[160];			/* why this source */
};

/* "auto", "tsc" or "clock"; 0 or -1. */
int timer_parse(const char *s, enum timer_source *src);
const char *timer_source_name(enum timer_source src);

/*
 * Choose and calibrate the source (about 60 ms for the TSC), then measure
 * the overhead and resolution.  TIMER_TSC fails with a reason when the
 * TSC is not usable; TIMER_AUTO falls back to the clock.  0 or -1.
 */
int timer_init(struct timer *t, enum timer_source want, char *err, size_t errlen);

/* Re-measure the overhead (e.g. in a pinned worker); keeps the calibration. */
void timer_measure_overhead(struct timer *t);

static inline uint64_t timer_clock_raw(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read before the event: nothing before it is still in flight. */
static inline uint64_t timer_start(const struct timer *t)
{
#if TIMING_HAVE_TSC
	if (t->source == TIMER_TSC) {
		uint64_t v;

		_mm_lfence();
		v = __rdtsc();
		_mm_lfence();
		return v;
	}
#endif
	(void)t;
	return timer_clock_raw();
}

/* Read after the event: the event's loads have completed. */
static inline uint64_t timer_stop(const struct timer *t)
{
#if TIMING_HAVE_TSC
	if (t->source == TIMER_TSC) {
		unsigned aux;
		uint64_t v = __rdtscp(&aux);

		_mm_lfence();
		return v;
	}
#endif
	(void)t;
	return timer_clock_raw();
}

/* Nanoseconds between two reads, the measured overhead removed (>= 0). */
static inline uint64_t timer_elapsed_ns(const struct timer *t, uint64_t start, uint64_t stop)
{
	uint64_t d = stop > start ? stop - start : 0;

	d = d > t->overhead_ticks ? d - t->overhead_ticks : 0;
	if (t->source == TIMER_TSC)
		return (uint64_t)((double)d * t->ns_per_tick + 0.5);
	return d;
}

/* Raw nanoseconds between two reads (overhead included). */
static inline double timer_raw_ns(const struct timer *t, uint64_t start, uint64_t stop)
{
	return stop > start ? (double)(stop - start) * t->ns_per_tick : 0;
}

/* What the result document records about the clock. */
struct json *timer_describe(const struct timer *t);

#endif
