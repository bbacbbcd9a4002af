/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pattern: the data words of ptshare stress, and the judge that decides
 * whether a word read from a mapping is one the reader may see.
 *
 * Every 4 KiB page of the shared file carries one 64-bit word at its start
 * (written and read as one aligned atomic access, so it never tears):
 *
 *   bit  63      1 (a data word; 0 marks "expect zero" in the ledger)
 *   bits 62..56  tag: 7 bits of a hash of the run's seed and bits 55..0
 *   bits 55..32  page index in the file (24 bits: files up to 64 GiB)
 *   bits 31..20  writer (12 bits; PATTERN_INTRUDER marks the other file)
 *   bits 19..0   generation of this page (20 bits, compared modulo 2^20)
 *
 * So a word names the page it belongs to, who wrote it and when, and a
 * stale mapping (an older generation), a wrong mapping (another page's
 * word), a freed-and-reused block (the other file's word) or garbage (a
 * wrong tag) is told apart from the right data.
 *
 * The ledger holds, per page, the last word published by the page's
 * owner: the owner stores the word in the page, then in the ledger (both
 * with release order); a reader loads the ledger, the page, and the
 * ledger again.  The page must then hold a generation between the first
 * ledger value and one past the second (the owner may have stored the
 * page but not yet the ledger).  A ledger entry with bit 63 clear means
 * the page must read as zero (never written, punched or truncated) and
 * keeps the last generation in its low bits, so that data written later
 * is never mistaken for data from before the hole.
 *
 * Pure functions: no I/O, no allocation; unit-tested in
 * tests/unit/test_stress_pattern.c.
 */
#ifndef PTSHARE_STRESS_PATTERN_H
#define PTSHARE_STRESS_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATTERN_GEN_BITS	20
#define PATTERN_GEN_MASK	((UINT64_C(1) << PATTERN_GEN_BITS) - 1)
#define PATTERN_MAX_PAGES	(UINT64_C(1) << 24)
#define PATTERN_MAX_WRITER	4094u
#define PATTERN_PRIVATE_BASE	2048u	/* writers from here on write through MAP_PRIVATE */
#define PATTERN_INTRUDER	4095u	/* words of the other file (reused blocks) */
#define PATTERN_ANY_OWNER	0xffffffffu

/* Judge flags. */
enum {
	JUDGE_EXACT = 1 << 0,	/* no writer was active: the word must equal the ledger */
	JUDGE_ZERO_OK = 1 << 1,	/* zero is also right (a punch or truncate is racing) */
	JUDGE_NEG = 1 << 2,	/* negative control: expect the next generation instead */
};

struct pattern {
	uint64_t seed;
};

uint64_t pattern_word(const struct pattern *pt, uint64_t page, unsigned writer, uint64_t gen);
/* Ledger value "expect zero", remembering generation @gen. */
uint64_t pattern_zero(uint64_t gen);

static inline bool pattern_is_data(uint64_t w) { return w >> 63; }
static inline uint64_t pattern_gen(uint64_t w) { return w & PATTERN_GEN_MASK; }
static inline unsigned pattern_writer(uint64_t w) { return (unsigned)(w >> 20) & 0xfff; }
static inline uint64_t pattern_page(uint64_t w) { return (w >> 32) & 0xffffff; }
bool pattern_tag_ok(const struct pattern *pt, uint64_t w);

/* The next word the owner @writer writes to @page, after ledger value @cur. */
uint64_t pattern_next(const struct pattern *pt, uint64_t page, unsigned writer, uint64_t cur);

/* What the checker expects for ledger value @l (the negative control alters it). */
uint64_t pattern_expect(const struct pattern *pt, uint64_t page, uint64_t l, unsigned flags);

/*
 * Is @v, read from @page between ledger reads @l1 and @l2, a word the
 * reader may see?  @owner is the writer allowed to be ahead of the ledger
 * (PATTERN_ANY_OWNER: any regular writer).  Returns 0, or -1 with a
 * one-line reason in @why.
 */
int pattern_judge(const struct pattern *pt, uint64_t page, uint64_t v, uint64_t l1, uint64_t l2,
		  unsigned owner, unsigned flags, char *why, size_t whylen);

/* "writer 3 gen 17", "zero", "zero (after gen 4)", "0x... (not a pattern word)". */
char *pattern_describe(const struct pattern *pt, uint64_t w, char *buf, size_t len);

/* Deterministic random numbers (splitmix64): every random choice uses one. */
uint64_t rng_next(uint64_t *state);
uint64_t rng_below(uint64_t *state, uint64_t n);	/* 0..n-1; 0 when n is 0 */
uint64_t rng_mix(uint64_t a, uint64_t b);		/* derive a seed */
uint64_t rng_hash_str(const char *s);

#endif
