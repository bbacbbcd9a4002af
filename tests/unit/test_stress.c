// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare stress: the pattern judge (every kind of wrong word is caught,
 * every right one passes, the negative control's expectation is wrong)
 * and the kernel-log filter.
 */
#include "config.h"

#include "pattern.h"
#include "watch.h"
#include "tap.h"

static const struct pattern pt = { .seed = 12345 };

static int judge(uint64_t page, uint64_t v, uint64_t l1, uint64_t l2, unsigned owner, unsigned flags)
{
	char why[400];
	int r = pattern_judge(&pt, page, v, l1, l2, owner, flags, why, sizeof(why));

	if (r < 0)
		printf("#   judge: %s\n", why);
	return r;
}

int main(void)
{
	const struct pattern other = { .seed = 54321 };
	uint64_t g5 = pattern_word(&pt, 7, 3, 5), g6 = pattern_word(&pt, 7, 3, 6), g7 = pattern_word(&pt, 7, 3, 7);
	uint64_t g4 = pattern_word(&pt, 7, 3, 4), g8 = pattern_word(&pt, 7, 3, 8);
	uint64_t z5 = pattern_zero(5);
	char buf[128];

	plan(33);

	/* Encoding. */
	ok(pattern_is_data(g5) && pattern_tag_ok(&pt, g5), "a word is data and carries this run's tag");
	is_int(pattern_page(g5), 7, "the word names its page");
	is_int(pattern_writer(g5), 3, "the word names its writer");
	is_int(pattern_gen(g5), 5, "the word names its generation");
	ok(!pattern_tag_ok(&other, g5), "another seed's tag does not match");
	is_int(pattern_gen(pattern_next(&pt, 7, 3, g5)), 6, "the next write is the next generation");
	is_int(pattern_gen(pattern_next(&pt, 7, 3, z5)), 6, "after a hole the generation goes on");
	is_int(pattern_gen(pattern_next(&pt, 7, 3, pattern_word(&pt, 7, 3, PATTERN_GEN_MASK))), 0,
	       "generations wrap modulo 2^20");

	/* Exact judge (nobody writing). */
	is_int(judge(7, g5, g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT), 0, "exact: the published word passes");
	is_int(judge(7, g4, g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1, "exact: an older generation fails (stale)");
	is_int(judge(7, g6, g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1, "exact: a newer generation fails");
	is_int(judge(7, 0, g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1, "exact: zero where data was published fails");
	is_int(judge(7, 0, z5, z5, PATTERN_ANY_OWNER, JUDGE_EXACT), 0, "exact: zero in a hole passes");
	is_int(judge(7, g5, z5, z5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1, "exact: data from before a hole fails");
	is_int(judge(7, pattern_word(&pt, 8, 3, 5), g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1,
	       "exact: another page's word fails (wrong mapping)");
	is_int(judge(7, pattern_word(&pt, 7, PATTERN_INTRUDER, 1), z5, z5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1,
	       "exact: the other file's word fails (reused block)");
	is_int(judge(7, pattern_word(&other, 7, 3, 5), g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1,
	       "exact: a word with another tag fails (garbage)");
	is_int(judge(7, pattern_word(&pt, 7, 4, 5), g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT), -1,
	       "exact: the right generation by another writer fails");

	/* Race judge (a writer may be between the page and the ledger). */
	is_int(judge(7, g6, g5, g5, 3, 0), 0, "race: one generation ahead of the ledger, by the owner, passes");
	is_int(judge(7, g6, g5, g5, 4, 0), -1, "race: one ahead by a writer that does not own the page fails");
	is_int(judge(7, g7, g5, g5, 3, 0), -1, "race: two ahead of the ledger fails");
	is_int(judge(7, g6, g5, g8, 3, 0), 0, "race: a generation between the two ledger reads passes");
	is_int(judge(7, g4, g5, g8, 3, 0), -1, "race: older than the first ledger read fails (stale)");
	is_int(judge(7, 0, g5, g5, 3, 0), -1, "race: zero where data was published fails");
	is_int(judge(7, 0, g5, g5, 3, JUDGE_ZERO_OK), 0, "race: zero passes while a punch races");
	is_int(judge(7, g5, g5, z5, 3, 0), 0, "race: the data read just before a punch published passes");
	is_int(judge(7, pattern_word(&pt, 7, PATTERN_PRIVATE_BASE + 1, 6), g5, g5, PATTERN_ANY_OWNER, 0), -1,
	       "race: a MAP_PRIVATE writer's word fails in a shared mapping");

	/* The negative control's expectation is wrong. */
	is_int(judge(7, g5, g5, g5, PATTERN_ANY_OWNER, JUDGE_EXACT | JUDGE_NEG), -1,
	       "negative: the published word fails when the next generation is expected");
	is_int(judge(7, g5, g5, g5, 3, JUDGE_NEG), -1, "negative: also in the race judge");
	is_int(judge(7, 0, z5, z5, PATTERN_ANY_OWNER, JUDGE_EXACT | JUDGE_NEG), -1,
	       "negative: zero in a hole fails when data is expected");

	/* The kernel-log filter. */
	ok(watch_is_splat("WARNING: CPU: 1 PID: 42 at mm/hugetlb.c:7300 huge_pmd_unshare+0x1/0x2") &&
	   watch_is_splat("BUG: KASAN: use-after-free in zap_pmd_range") &&
	   watch_is_splat("WARNING: possible circular locking dependency detected") &&
	   watch_is_splat("BUG: non-zero pgtables_bytes on freeing mm: 4096") &&
	   watch_is_splat("BUG: Bad rss-counter state mm:0000 type:MM_FILEPAGES val:-1") &&
	   watch_is_splat("INFO: task ptshare:123 blocked for more than 120 seconds."),
	   "kernel log: WARNING, KASAN, lockdep, pgtables_bytes, rss-counter and hung-task lines are caught");
	ok(watch_is_splat("general protection fault, probably for non-canonical address 0xdead: 0000 [#1] PREEMPT SMP KASAN") &&
	   !watch_is_splat("traps: ptshare[24074] general protection fault ip:55d295a49009 sp:7ffd3323b930 error:0 in ptshare"),
	   "kernel log: a kernel general protection fault is caught, a user process's trap line is not");
	ok(!watch_is_splat("EXT4-fs (pmem0): mounted filesystem with ordered data mode") &&
	   !watch_is_splat("ptshare (123): drop_caches: 3"),
	   "kernel log: ordinary lines pass");
	pattern_describe(&pt, g5, buf, sizeof(buf));
	printf("# a word: %s\n", buf);
	return done_testing();
}
