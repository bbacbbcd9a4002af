// SPDX-License-Identifier: GPL-2.0-only
/*
 * The latency histogram: bucket layout, exact counts, and percentiles
 * against the exact nearest-rank percentile of the same values.
 */
#include "config.h"

#include "hist.h"
#include "json.h"
#include "tap.h"
#include "util.h"

#include <stdint.h>

static uint64_t rng_state = 88172645463325252ull;

static uint64_t xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least pct % of the values at or below it. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double pct)
{
	size_t rank = (size_t)ceil(pct / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static void test_layout(void)
{
	int contiguous = 1, self = 1, narrow = 1, exact = 1;

	for (unsigned i = 0; i + 1 < HIST_NBUCKETS; i++) {
		uint64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i);

		if (hist_bucket_lo(i + 1) != hi)
			contiguous = 0;
		if (hist_index(lo) != i || hist_index(hi - 1) != i)
			self = 0;
		if (i >= HIST_EXACT && (hi - lo) * 64 > lo)
			narrow = 0;
		if (i < HIST_EXACT && (lo != i || hi != i + 1))
			exact = 0;
	}
	ok(contiguous, "buckets are contiguous: each starts where the previous ends");
	ok(self, "every bucket's first and last value map back to it");
	ok(narrow, "every bucket from 128 ns on is at most 1/64 of its lower bound wide");
	ok(exact, "values below 128 ns have a bucket each (1 ns resolution)");
	is_int(hist_index(0), 0, "0 ns is bucket 0");
	is_int(hist_index(127), 127, "127 ns is bucket 127");
	is_int(hist_index(128), 128, "128 ns starts the log-linear part");
	is_int(hist_index(UINT64_MAX), HIST_NBUCKETS - 1, "the largest value lands in the last bucket");
	is_int(hist_bucket_lo(HIST_NBUCKETS - 1), (UINT64_C(127) << (HIST_MAX_EXP - 7)),
	       "the last bucket starts at 127 * 2^35 ns");
	ok(sizeof(struct hist) < 20 * 1024, "a histogram is fixed at %zu bytes", sizeof(struct hist));
}

static void test_counts(void)
{
	struct hist *h = malloc(sizeof(*h));
	uint64_t sum = 0;

	hist_init(h);
	is_num(hist_percentile(h, 50), 0, 0, "an empty histogram's percentile is 0");
	for (uint64_t v = 0; v < 1000; v++) {
		hist_add(h, v * 37);
		sum += v * 37;
	}
	is_int(h->count, 1000, "count is the number of values added");
	is_int(hist_bucket_total(h), 1000, "the buckets hold every value");
	is_int(h->sum_ns, sum, "the sum is exact");
	is_int(h->min_ns, 0, "min is exact");
	is_int(h->max_ns, 999 * 37, "max is exact");
	is_num(hist_percentile(h, 100), 999 * 37, 0, "p100 is the exact maximum");
	is_num(hist_mean(h), (double)sum / 1000, 1e-9, "mean is sum / count");
	hist_add(h, UINT64_C(1) << 43);
	is_int(h->overflow, 1, "a value beyond 2^42 ns is counted as overflow");
	is_int(h->max_ns, UINT64_C(1) << 43, "and is still the exact maximum");
	free(h);
}

static void test_percentiles(void)
{
	enum { N = 200000 };
	static const double levels[] = { 1, 10, 50, 90, 99, 99.9, 99.99 };
	uint64_t *v = malloc(N * sizeof(*v));
	struct hist *h = malloc(sizeof(*h)), *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	int within = 1, merged_same = 1;

	hist_init(h);
	hist_init(a);
	hist_init(b);
	for (size_t i = 0; i < N; i++) {
		/* Log-uniform from 1 ns to about 16 ms, plus some exact small values. */
		unsigned e = (unsigned)(xorshift() % 24);

		v[i] = i % 10 == 0 ? xorshift() % 128 : (UINT64_C(1) << e) + xorshift() % (UINT64_C(1) << e);
		hist_add(h, v[i]);
		hist_add(i % 2 ? a : b, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	for (size_t k = 0; k < ARRAY_SIZE(levels); k++) {
		double est = hist_percentile(h, levels[k]);
		uint64_t ex = exact_percentile(v, N, levels[k]);

		if (fabs(est - (double)ex) > (double)ex / 128 + 0.5) {
			within = 0;
			printf("#   p%g: histogram %.1f, exact %llu\n", levels[k], est, (unsigned long long)ex);
		}
	}
	ok(within, "p1..p99.99 are within half a bucket (1/128) of the exact nearest-rank percentiles");
	hist_merge(a, b);
	for (size_t k = 0; k < ARRAY_SIZE(levels); k++)
		if (hist_percentile(a, levels[k]) != hist_percentile(h, levels[k]))
			merged_same = 0;
	ok(merged_same && a->count == h->count && a->sum_ns == h->sum_ns && a->min_ns == h->min_ns &&
	   a->max_ns == h->max_ns, "merging two halves gives the histogram of all values");
	{
		struct json *d = hist_describe(h, 1), *bk = json_get(d, "buckets_lo_hi_count");
		int64_t total = 0, cnt = -1;

		for (size_t i = 0; i < json_len(bk); i++)
			total += json_at(json_at(bk, i), 2)->i;
		json_get_int(d, "count", &cnt);
		is_int(total, N, "the described buckets hold every value");
		is_int(cnt, N, "the description's count");
		json_free(d);
	}
	free(v);
	free(h);
	free(a);
	free(b);
}

int main(void)
{
	plan(24);
	test_layout();
	test_counts();
	test_percentiles();
	return done_testing();
}
