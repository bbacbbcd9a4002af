// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "pattern.h"

#include <stdio.h>
#include <string.h>

#define LOW56 ((UINT64_C(1) << 56) - 1)
#define HALF (UINT64_C(1) << (PATTERN_GEN_BITS - 1))

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint64_t rng_next(uint64_t *state)
{
	*state += UINT64_C(0x9e3779b97f4a7c15);
	return mix64(*state);
}

uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return n ? rng_next(state) % n : 0;
}

uint64_t rng_mix(uint64_t a, uint64_t b)
{
	return mix64(a ^ mix64(b + UINT64_C(0x9e3779b97f4a7c15)));
}

uint64_t rng_hash_str(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

static uint64_t tag_of(const struct pattern *pt, uint64_t low)
{
	return mix64(pt->seed ^ low) & 0x7f;
}

uint64_t pattern_word(const struct pattern *pt, uint64_t page, unsigned writer, uint64_t gen)
{
	uint64_t low = ((page & 0xffffff) << 32) | ((uint64_t)(writer & 0xfff) << 20) | (gen & PATTERN_GEN_MASK);

	return (UINT64_C(1) << 63) | (tag_of(pt, low) << 56) | low;
}

uint64_t pattern_zero(uint64_t gen)
{
	return gen & PATTERN_GEN_MASK;
}

bool pattern_tag_ok(const struct pattern *pt, uint64_t w)
{
	return pattern_is_data(w) && ((w >> 56) & 0x7f) == tag_of(pt, w & LOW56);
}

uint64_t pattern_next(const struct pattern *pt, uint64_t page, unsigned writer, uint64_t cur)
{
	return pattern_word(pt, page, writer, pattern_gen(cur) + 1);
}

uint64_t pattern_expect(const struct pattern *pt, uint64_t page, uint64_t l, unsigned flags)
{
	if (!(flags & JUDGE_NEG))
		return l;
	/* The wrong expectation: the generation after the one published. */
	return pattern_word(pt, page, pattern_is_data(l) ? pattern_writer(l) : 0, pattern_gen(l) + 1);
}

char *pattern_describe(const struct pattern *pt, uint64_t w, char *buf, size_t len)
{
	if (w == 0)
		snprintf(buf, len, "zero");
	else if (!pattern_is_data(w))
		snprintf(buf, len, "zero (hole after gen %llu)", (unsigned long long)pattern_gen(w));
	else if (!pattern_tag_ok(pt, w))
		snprintf(buf, len, "0x%016llx (not a word of this run)", (unsigned long long)w);
	else if (pattern_writer(w) == PATTERN_INTRUDER)
		snprintf(buf, len, "other-file page %llu", (unsigned long long)pattern_page(w));
	else
		snprintf(buf, len, "page %llu writer %u gen %llu", (unsigned long long)pattern_page(w),
			 pattern_writer(w), (unsigned long long)pattern_gen(w));
	return buf;
}

/* a - b modulo 2^20, as a signed distance. */
static int64_t gen_diff(uint64_t a, uint64_t b)
{
	uint64_t d = (a - b) & PATTERN_GEN_MASK;

	return d >= HALF ? (int64_t)d - (int64_t)(PATTERN_GEN_MASK + 1) : (int64_t)d;
}

int pattern_judge(const struct pattern *pt, uint64_t page, uint64_t v, uint64_t l1, uint64_t l2,
		  unsigned owner, unsigned flags, char *why, size_t whylen)
{
	uint64_t e1 = pattern_expect(pt, page, l1, flags), e2 = pattern_expect(pt, page, l2, flags);
	char found[96], want[96];
	int64_t d1, d2;

	if (flags & JUDGE_EXACT)
		e1 = e2;
	/* A hole entry keeps its last generation but reads as zero. */
	if (v == (pattern_is_data(e1) ? e1 : 0) || v == (pattern_is_data(e2) ? e2 : 0))
		return 0;
	pattern_describe(pt, v, found, sizeof(found));
	pattern_describe(pt, e2, want, sizeof(want));
	if (v == 0) {
		if (flags & JUDGE_ZERO_OK)
			return 0;
		snprintf(why, whylen, "reads zero where %s was published: the page was lost, or a hole/zero page is still mapped",
			 want);
		return -1;
	}
	if (!pattern_tag_ok(pt, v)) {
		snprintf(why, whylen, "reads %s, expected %s: garbage, or memory that belongs to something else", found, want);
		return -1;
	}
	if (pattern_writer(v) == PATTERN_INTRUDER) {
		snprintf(why, whylen, "reads %s, expected %s: a block freed by this file and reused by another is still mapped",
			 found, want);
		return -1;
	}
	if (pattern_page(v) != (page & 0xffffff)) {
		snprintf(why, whylen, "reads %s, expected %s: the mapping points at the wrong page of the file", found, want);
		return -1;
	}
	if (pattern_writer(v) >= PATTERN_PRIVATE_BASE && pattern_writer(v) <= PATTERN_MAX_WRITER &&
	    !(pattern_is_data(e2) && pattern_writer(e2) >= PATTERN_PRIVATE_BASE)) {
		snprintf(why, whylen, "reads %s, expected %s: a write made through a MAP_PRIVATE mapping (copy-on-write) shows here",
			 found, want);
		return -1;
	}
	d1 = gen_diff(pattern_gen(v), pattern_gen(e1));
	d2 = gen_diff(pattern_gen(v), pattern_gen(e2));
	/* Older than what was published, or data from before a hole. */
	if (d1 < 0 || (d1 == 0 && !pattern_is_data(e1)) || (d2 == 0 && !pattern_is_data(e2)) ||
	    ((flags & JUDGE_EXACT) && d2 < 0)) {
		snprintf(why, whylen, "reads %s, expected %s: stale, an older generation (a stale mapping or TLB entry)",
			 found, want);
		return -1;
	}
	if (flags & JUDGE_EXACT) {
		snprintf(why, whylen, "reads %s, expected exactly %s with no writer active", found, want);
		return -1;
	}
	if (d1 == 0 || d2 == 0) {
		snprintf(why, whylen, "reads %s, published %s: the same generation by another writer", found, want);
		return -1;
	}
	if (d2 > 1) {
		snprintf(why, whylen, "reads %s, but only %s was published: a generation nobody wrote yet", found, want);
		return -1;
	}
	if (owner != PATTERN_ANY_OWNER && pattern_writer(v) != owner) {
		snprintf(why, whylen, "reads %s, but writer %u owns the page (published %s)", found, owner, want);
		return -1;
	}
	if (owner == PATTERN_ANY_OWNER && pattern_writer(v) > PATTERN_MAX_WRITER) {
		snprintf(why, whylen, "reads %s: no such writer", found);
		return -1;
	}
	return 0;
}
