// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "hist.h"
#include "json.h"

#include <math.h>
#include <string.h>

_Static_assert(HIST_NBUCKETS == 2368, "bucket layout changed: update the header comment");

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = UINT64_MAX;
}

static unsigned log2_u64(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

unsigned hist_index(uint64_t v)
{
	unsigned e;

	if (v < HIST_EXACT)
		return (unsigned)v;
	e = log2_u64(v);
	if (e >= HIST_MAX_EXP)
		return HIST_NBUCKETS - 1;
	/* e >= 7: the top 7 bits are 1 (the leading one) and 6 sub-bucket bits. */
	return HIST_EXACT + (e - HIST_SUB_BITS - 1) * HIST_SUB +
	       (unsigned)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

uint64_t hist_bucket_lo(unsigned i)
{
	unsigned e, sub;

	if (i < HIST_EXACT)
		return i;
	e = (i - HIST_EXACT) / HIST_SUB + HIST_SUB_BITS + 1;
	sub = (i - HIST_EXACT) % HIST_SUB;
	return (uint64_t)(HIST_SUB + sub) << (e - HIST_SUB_BITS);
}

uint64_t hist_bucket_hi(unsigned i)
{
	unsigned e;

	if (i < HIST_EXACT)
		return (uint64_t)i + 1;
	if (i == HIST_NBUCKETS - 1)
		return UINT64_MAX;	/* the last bucket also holds the overflow */
	e = (i - HIST_EXACT) / HIST_SUB + HIST_SUB_BITS + 1;
	return hist_bucket_lo(i) + (UINT64_C(1) << (e - HIST_SUB_BITS));
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	dst->overflow += src->overflow;
	if (src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

double hist_percentile(const struct hist *h, double pct)
{
	uint64_t rank, cum = 0;

	if (!h->count)
		return 0;
	if (pct >= 100)
		return (double)h->max_ns;
	rank = (uint64_t)ceil(pct / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		double mid;

		cum += h->bucket[i];
		if (cum < rank)
			continue;
		if (i < HIST_EXACT)
			return (double)i;
		mid = i == HIST_NBUCKETS - 1 ? (double)h->max_ns :
		      ((double)hist_bucket_lo(i) + (double)hist_bucket_hi(i) - 1) / 2;
		if (mid < (double)h->min_ns)
			mid = (double)h->min_ns;
		if (mid > (double)h->max_ns)
			mid = (double)h->max_ns;
		return mid;
	}
	return (double)h->max_ns;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum_ns / (double)h->count : 0;
}

uint64_t hist_bucket_total(const struct hist *h)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		n += h->bucket[i];
	return n;
}

struct json *hist_describe(const struct hist *h, int buckets)
{
	struct json *o = json_obj();

	json_set(o, "count", json_int((int64_t)h->count));
	json_set(o, "min_ns", h->count ? json_int((int64_t)h->min_ns) : json_null());
	json_set(o, "max_ns", h->count ? json_int((int64_t)h->max_ns) : json_null());
	json_set(o, "mean_ns", h->count ? json_num(hist_mean(h)) : json_null());
	json_set(o, "p50_ns", h->count ? json_num(hist_percentile(h, 50)) : json_null());
	json_set(o, "p90_ns", h->count ? json_num(hist_percentile(h, 90)) : json_null());
	json_set(o, "p99_ns", h->count ? json_num(hist_percentile(h, 99)) : json_null());
	json_set(o, "p999_ns", h->count ? json_num(hist_percentile(h, 99.9)) : json_null());
	json_set(o, "overflow_count", json_int((int64_t)h->overflow));
	if (buckets) {
		struct json *b = json_set(o, "buckets_lo_hi_count", json_arr());

		for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
			struct json *e;

			if (!h->bucket[i])
				continue;
			e = json_push(b, json_arr());
			json_push(e, json_int((int64_t)hist_bucket_lo(i)));
			json_push(e, i == HIST_NBUCKETS - 1 ? json_null() : json_int((int64_t)hist_bucket_hi(i)));
			json_push(e, json_int((int64_t)h->bucket[i]));
		}
	}
	return o;
}
