// SPDX-License-Identifier: GPL-2.0-only
/*
 * private-cow: MAP_PRIVATE next to MAP_SHARED on the same file.
 *
 * Shared sharers map the file MAP_SHARED at the 1 GiB-aligned base (their
 * PMD tables can be shared) and write their blocks.  Private sharers map
 * it MAP_PRIVATE at the same address in their own address space (private
 * mappings never share tables) and, next to it, MAP_SHARED at another
 * 1 GiB-aligned address.  They copy-on-write random pages with words of
 * their own writer ids (2048 and up) and check:
 *  - their private copies keep exactly their words while the shared
 *    writers keep writing the same pages of the file;
 *  - pages they did not write still show the file (the shared writers'
 *    data), in the private and in their own shared mapping;
 * and the shared sharers check that no private word ever shows in a
 * shared mapping (the judge names a private writer's word as such).
 * hugetlbfs copies whole 2 MiB pages: the rest of a copied block is a
 * snapshot there and not judged; its private mappings use MAP_NORESERVE
 * and copy at most 16 blocks each, so the pool needs only that much.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOG_MAX 16384u
#define COW_MAX 4096u
#define HUGE_COW_BLOCKS 16u

struct privlog {
	_Atomic uint64_t n;
	struct { uint64_t pg, word; } e[LOG_MAX];
};

struct private_arg {
	unsigned nshared;
	struct privlog *log;
};

enum { S_COW = 0, S_SHARED_WRITES, S_PRIV_CHECKS };

struct cow {
	unsigned n;
	uint64_t pg[COW_MAX], word[COW_MAX];
	uint8_t *block;		/* hugetlbfs: blocks copied */
	unsigned nblocks;
};

static long cow_find(const struct cow *cw, uint64_t pg)
{
	for (unsigned i = 0; i < cw->n; i++)
		if (cw->pg[i] == pg)
			return i;
	return -1;
}

static void private_cow_write(struct sctx *c, struct private_arg *a, volatile char *pmap, struct cow *cw,
			      unsigned writer, uint64_t *gen)
{
	bool huge = st_is(c, BACKING_HUGETLBFS);
	uint64_t pg = st_below(c, c->npages), w;
	long i;
	int sig;

	if (huge && !cw->block[pg / ST_PAGES_PER_BLOCK] && cw->nblocks >= HUGE_COW_BLOCKS) {
		if (!cw->n)
			return;
		pg = cw->pg[st_below(c, cw->n)];	/* stay inside the blocks already copied */
	}
	i = cow_find(cw, pg);
	if (i < 0 && cw->n == COW_MAX)
		return;
	w = pattern_word(&c->pt, pg, writer, ++*gen);
	sig = st_store(st_word(pmap, pg), w);
	if (sig)
		st_mismatch(c, "a copy-on-write store to page %llu of its MAP_PRIVATE mapping took %s%s",
			    (unsigned long long)pg, st_signame(sig),
			    huge ? " (hugetlbfs: no free huge page for the copy? raise nr_hugepages)" : "");
	c->local_writes++;
	if (i < 0) {
		i = cw->n++;
		cw->pg[i] = pg;
		if (huge && !cw->block[pg / ST_PAGES_PER_BLOCK]) {
			cw->block[pg / ST_PAGES_PER_BLOCK] = 1;
			cw->nblocks++;
		}
	}
	cw->word[i] = w;
	{
		uint64_t k = atomic_fetch_add(&a->log->n, 1);

		if (k < LOG_MAX) {
			a->log->e[k].pg = pg;
			a->log->e[k].word = w;
		}
	}
	c->bd->stat[S_COW]++;
}

/* A page of the private mapping: its own copy exactly, else the file. */
static void private_check(struct sctx *c, volatile char *pmap, struct cow *cw, uint64_t pg, unsigned flags)
{
	long i = cow_find(cw, pg);
	char a[96], b[96];
	uint64_t v;
	int sig;

	if (i >= 0) {
		sig = st_load(st_word(pmap, pg), &v);
		c->local_checks++;
		if (sig)
			st_mismatch(c, "reading its copy-on-write page %llu took %s", (unsigned long long)pg, st_signame(sig));
		if (v != cw->word[i])
			st_mismatch(c, "its MAP_PRIVATE copy of page %llu reads %s, it wrote %s: a write to the shared file reached a private copy",
				    (unsigned long long)pg, pattern_describe(&c->pt, v, a, sizeof(a)),
				    pattern_describe(&c->pt, cw->word[i], b, sizeof(b)));
		return;
	}
	if (cw->block && cw->block[pg / ST_PAGES_PER_BLOCK])
		return;		/* hugetlbfs: a snapshot taken when the block was copied */
	st_check_ok(c, pmap, pg, st_owner(c, pg), flags, "a page of the MAP_PRIVATE mapping it did not write");
}

static int private_worker(struct sctx *c, void *arg)
{
	struct private_arg *a = arg;
	unsigned me = c->w->index;
	struct backing_map m;

	if (me < a->nshared) {
		volatile char *map = st_map_shared(c, c->base, &m);
		uint64_t nlog;

		for (uint64_t pg = 0; pg < c->npages; pg++)
			if (st_owner(c, pg) == me)
				st_expect_write(c, map, pg, me, "initial fill");
		st_sync(c);	/* 0 */
		while (!st_stopped(c)) {
			for (unsigned i = 0; i < 64; i++) {
				uint64_t pg = st_random_owned_page(c, me);

				if (pg != ST_NONE && st_below(c, 2)) {
					st_expect_write(c, map, pg, me, "shared writer");
					c->bd->stat[S_SHARED_WRITES]++;
				}
				pg = st_below(c, c->npages);
				st_check_ok(c, map, pg, st_owner(c, pg), 0, "shared reader");
			}
		}
		st_sync(c);	/* 1 */
		st_verify(c, map, 0, c->npages, true, "shared mapping after the race");
		nlog = atomic_load(&a->log->n);
		for (uint64_t k = 0; k < nlog && k < LOG_MAX; k++) {
			uint64_t pg = a->log->e[k].pg, v = 0;

			if (c->neg & NEG_ISOLATION) {
				char x[96], y[96];

				(void)st_load(st_word(map, pg), &v);
				if (v != a->log->e[k].word)
					st_mismatch(c, "page %llu of the shared mapping reads %s, but the checker expects the private copy-on-write word %s",
						    (unsigned long long)pg, pattern_describe(&c->pt, v, x, sizeof(x)),
						    pattern_describe(&c->pt, a->log->e[k].word, y, sizeof(y)));
			}
			st_check_ok(c, map, pg, PATTERN_ANY_OWNER, JUDGE_EXACT, "a page a private mapping copied");
		}
		return 0;
	}

	/* A private sharer. */
	{
		unsigned writer = PATTERN_PRIVATE_BASE + (me - a->nshared);
		uint64_t alt = c->base + 16 * ST_PUD, gen = 0;
		int flags = MAP_PRIVATE | (st_is(c, BACKING_HUGETLBFS) ? MAP_NORESERVE : 0);
		volatile char *pmap, *smap;
		struct cow *cw = calloc(1, sizeof(*cw));

		snprintf(c->who, sizeof(c->who), "private sharer %u (pid %ld)", me - a->nshared, (long)getpid());
		if (!cw)
			st_error(c, "out of memory");
		if (st_is(c, BACKING_HUGETLBFS) && !(cw->block = calloc(c->nblocks, 1)))
			st_error(c, "out of memory");
		pmap = st_mmap(c, c->base, c->size, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (pmap == MAP_FAILED)
			st_error(c, "cannot map the file MAP_PRIVATE at 0x%llx: %s", (unsigned long long)c->base,
				 strerror(errno));
		smap = st_map_shared(c, alt, &m);
		st_sync(c);	/* 0 */
		for (unsigned i = 0; i < 8; i++)
			private_cow_write(c, a, pmap, cw, writer, &gen);
		while (!st_stopped(c)) {
			for (unsigned i = 0; i < 64; i++) {
				unsigned r = (unsigned)st_below(c, 100);
				uint64_t pg = st_below(c, c->npages);

				if (r < 20)
					private_cow_write(c, a, pmap, cw, writer, &gen);
				else if (r < 50 && cw->n)
					private_check(c, pmap, cw, cw->pg[st_below(c, cw->n)], 0);
				else if (r < 75)
					private_check(c, pmap, cw, pg, 0);
				else
					st_check_ok(c, smap, pg, st_owner(c, pg), 0,
						    "its own MAP_SHARED mapping next to the private one");
			}
			c->bd->stat[S_PRIV_CHECKS] += 64;
		}
		st_sync(c);	/* 1 */
		for (unsigned i = 0; i < cw->n; i++)
			private_check(c, pmap, cw, cw->pg[i], JUDGE_EXACT);
		for (unsigned i = 0; i < 4096; i++) {
			uint64_t pg = st_below(c, c->npages);

			private_check(c, pmap, cw, pg, JUDGE_EXACT);
			st_check_ok(c, smap, pg, PATTERN_ANY_OWNER, JUDGE_EXACT, "its own MAP_SHARED mapping");
		}
		for (unsigned i = 0; i < cw->n; i++)
			st_check_ok(c, smap, cw->pg[i], PATTERN_ANY_OWNER, JUDGE_EXACT,
				    "its own MAP_SHARED mapping of a page it copied privately");
	}
	return 0;
}

static int private_run(struct sctx *c)
{
	unsigned ns = c->smoke ? 2 : 3, np = c->smoke ? 2 : 3;
	struct private_arg a = { .nshared = ns };
	struct worker_pool *p;
	int rc = -1;

	a.log = mmap(NULL, sizeof(*a.log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a.log == MAP_FAILED) {
		st_fail(c, "cannot allocate the copy-on-write log: %s", strerror(errno));
		return -1;
	}
	st_assign_blocks(c, ns, 0, 0);
	p = st_pool_start(c, ns + np, private_worker, &a);
	if (!p) {
		st_fail(c, "%s", c->fail);
		goto out;
	}
	if (st_wait(c, p) < 0)
		goto fail;
	pool_release(p);
	sleep_ns(c->budget_ns);
	atomic_store(&c->bd->stop, 1);
	if (st_wait(c, p) < 0 || st_finish(c, p) < 0)
		goto fail;
	pool_free(p);
	st_pass(c, "%u MAP_SHARED + %u MAP_PRIVATE sharers: %llu copy-on-write writes never showed in a shared mapping; private copies kept their words while the shared writers wrote %llu times; unwritten private pages followed the file",
		ns, np, (unsigned long long)c->bd->stat[S_COW], (unsigned long long)c->bd->stat[S_SHARED_WRITES]);
	rc = 0;
	goto out;
fail:
	pool_free(p);
	st_fail(c, "%s", c->fail);
out:
	munmap(a.log, sizeof(*a.log));
	return rc;
}

static void private_negate(struct sctx *c)
{
	c->neg |= NEG_ISOLATION;
}

const struct scenario sc_private = {
	.name = "private-cow",
	.summary = "MAP_PRIVATE next to MAP_SHARED on the same file: copy-on-write in one process never shows up in another, and shared writes never reach a private copy",
	.negative = "the shared sharers expect to see the private copy-on-write words",
	.min_gib = 1,
	.run = private_run,
	.negate = private_negate,
};
