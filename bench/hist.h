/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hist: a latency histogram of fixed size with nanosecond resolution.
 *
 * Log-linear buckets: values below 128 ns have a bucket each (exact);
 * above, every power of two [2^e, 2^(e+1)) is cut into 64 equal buckets,
 * so a bucket is at most 1/64 (1.6 %) of its values wide, up to 2^42 ns
 * (73 minutes; larger values land in the last bucket and are counted as
 * overflow).  2,368 buckets, 19 KiB, whatever the number of values, so a
 * worker can keep one in its shared result slot.  The count, sum, min and
 * max are exact.
 *
 * Percentiles use the nearest-rank definition (the smallest value with at
 * least p % of the values at or below it): the bucket holding that value
 * is found exactly and its midpoint reported, clamped to [min, max], so
 * the error is at most half a bucket (0.8 %, or 0 below 128 ns).  The
 * 100th percentile is the exact maximum.
 */
#ifndef PTSHARE_HIST_H
#define PTSHARE_HIST_H

#include <stdint.h>

struct json;

#define HIST_SUB_BITS	6u				/* 64 buckets per power of two */
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_EXACT	(2u * HIST_SUB)			/* 0..127 ns one bucket each */
#define HIST_MAX_EXP	42u				/* values < 2^42 ns are bucketed */
#define HIST_NBUCKETS	(HIST_EXACT + (HIST_MAX_EXP - HIST_SUB_BITS - 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t min_ns, max_ns;	/* min is UINT64_MAX while empty */
	uint64_t overflow;		/* values >= 2^HIST_MAX_EXP */
	uint64_t bucket[HIST_NBUCKETS];
};

void hist_init(struct hist *h);
/* Bucket of a value, and a bucket's range [lo, hi). */
unsigned hist_index(uint64_t v);
uint64_t hist_bucket_lo(unsigned i);
uint64_t hist_bucket_hi(unsigned i);

static inline void hist_add(struct hist *h, uint64_t v)
{
	h->count++;
	h->sum_ns += v;
	if (v < h->min_ns)
		h->min_ns = v;
	if (v > h->max_ns)
		h->max_ns = v;
	h->bucket[hist_index(v)]++;
	if (v >> HIST_MAX_EXP)
		h->overflow++;
}

/* Add every value of @src to @dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/* Nearest-rank percentile, 0 < pct <= 100; 0 for an empty histogram. */
double hist_percentile(const struct hist *h, double pct);
double hist_mean(const struct hist *h);
/* Sum of the bucket counts (equals count; a check). */
uint64_t hist_bucket_total(const struct hist *h);

/*
 * { "count", "min_ns", "max_ns", "mean_ns", "p50_ns", "p90_ns", "p99_ns",
 *   "p999_ns", "overflow_count" }, and with @buckets the non-empty buckets as
 * [[lo_ns, hi_ns, count], ...] (hi exclusive).
 */
struct json *hist_describe(const struct hist *h, int buckets);

#endif
