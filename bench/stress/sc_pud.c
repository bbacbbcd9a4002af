// SPDX-License-Identifier: GPL-2.0-only
/*
 * pud-race: faults racing at PUD boundaries from many processes at once
 * (the populate race).
 *
 * Each round starts fresh processes (new mms, empty page tables) that map
 * a 2 GiB (or larger) file and are released together by one futex wake:
 *  - most map all of it at the 1 GiB-aligned base: their PMD tables can be
 *    shared, and all of them look for (or build) the same shared table at
 *    the same moment;
 *  - some map only a window straddling the 1 GiB boundary (file offsets
 *    1G-W .. 1G+W at the same addresses): their VMAs cannot share;
 *  - some map all of it at a 2 MiB-granular misaligned address: no sharing.
 * Then everybody faults the pages on both sides of the boundary first
 * (loads, or stores to its own pages), MADV_POPULATE_READ/WRITE a run of
 * blocks across it, and reads and writes at random; finally each verifies
 * what it maps.  A lost race shows as a wrong or stale word, a fault, or
 * page tables that are not freed when the processes exit.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum { V_ROUND = 0 };
enum { S_FULL = 0, S_WINDOW, S_MISALIGNED, S_POPULATE };
enum kind { K_FULL, K_WINDOW, K_MISALIGNED };

static void access_page(struct sctx *c, volatile char *map, uint64_t pg, unsigned me, const char *what)
{
	if (st_owner(c, pg) == me && st_below(c, 2))
		st_expect_write(c, map, pg, me, what);
	else
		st_check_ok(c, map, pg, st_owner(c, pg), 0, what);
}

static int pud_worker(struct sctx *c, void *arg)
{
	unsigned me = c->w->index, round = (unsigned)atomic_load(&c->bd->var[V_ROUND]);
	enum kind k = (me + round) % 4 == 2 ? K_WINDOW : (me + round) % 4 == 3 ? K_MISALIGNED : K_FULL;
	uint64_t boundary = ST_PUD / ST_PAGE, lo = 0, hi = c->npages, addr = c->base;
	struct backing_map m;
	volatile char *map;

	(void)arg;
	switch (k) {
	case K_FULL:
		map = st_map_shared(c, c->base, &m);
		break;
	case K_MISALIGNED:
		addr = c->base + ST_BLOCK * (1 + st_below(c, 510));
		map = st_map_shared(c, addr, &m);
		break;
	case K_WINDOW:
	default: {
		uint64_t w = (1 + st_below(c, 8)) * ST_PAGES_PER_BLOCK;

		lo = boundary - w;
		hi = boundary + w;
		addr = c->base + lo * ST_PAGE;
		if (st_mmap_file(c, addr, (hi - lo) * ST_PAGE, lo * ST_PAGE) == MAP_FAILED)
			st_error(c, "cannot map pages %llu-%llu at 0x%llx: %s", (unsigned long long)lo,
				 (unsigned long long)hi - 1, (unsigned long long)addr, strerror(errno));
		map = (volatile char *)(uintptr_t)c->base;	/* file offset 0 would be at base */
		break;
	}
	}
	c->bd->stat[k == K_FULL ? S_FULL : k == K_WINDOW ? S_WINDOW : S_MISALIGNED]++;
	snprintf(c->who, sizeof(c->who), "sharer %u (%s mapping at 0x%llx, pid %ld)", me,
		 k == K_FULL ? "whole" : k == K_WINDOW ? "window" : "misaligned", (unsigned long long)addr,
		 (long)getpid());
	st_sync(c);	/* 0: everybody mapped; released together */

	/* Both sides of the boundary first, in a random order. */
	if (st_below(c, 2)) {
		access_page(c, map, boundary - 1, me, "the last page below the 1 GiB boundary");
		access_page(c, map, boundary, me, "the first page above the 1 GiB boundary");
	} else {
		access_page(c, map, boundary, me, "the first page above the 1 GiB boundary");
		access_page(c, map, boundary - 1, me, "the last page below the 1 GiB boundary");
	}
	/* A populate run across the boundary. */
	{
		uint64_t nb = 1 + st_below(c, 4), p0 = boundary - st_below(c, nb + 1) * ST_PAGES_PER_BLOCK;
		uint64_t p1 = p0 + nb * ST_PAGES_PER_BLOCK;
		int advice = st_below(c, 2) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;

		if (p0 < lo)
			p0 = lo;
		if (p1 > hi)
			p1 = hi;
		if (madvise((void *)(map + p0 * ST_PAGE), (p1 - p0) * ST_PAGE, advice) < 0)
			st_error(c, "madvise(%s) of pages %llu-%llu: %s",
				 advice == MADV_POPULATE_WRITE ? "MADV_POPULATE_WRITE" : "MADV_POPULATE_READ",
				 (unsigned long long)p0, (unsigned long long)p1 - 1, strerror(errno));
		c->bd->stat[S_POPULATE]++;
	}
	if (k != K_WINDOW) {
		access_page(c, map, 0, me, "the first page of the mapping");
		access_page(c, map, c->npages - 1, me, "the last page of the mapping");
	}
	for (unsigned i = 0; i < 512; i++) {
		uint64_t pg = st_below(c, 4) ? boundary - 1024 + st_below(c, 2048) : lo + st_below(c, hi - lo);

		if (pg >= lo && pg < hi)
			access_page(c, map, pg, me, "random access after the race");
	}
	st_sync(c);	/* 1 */
	st_verify(c, map, lo, hi - lo, true, "what it maps, with nobody writing");
	return 0;
}

static int pud_run(struct sctx *c)
{
	static const unsigned full_counts[] = { 8, 16, 64 };
	uint64_t end = now_ns() + c->budget_ns;
	unsigned rounds = 0, procs = 0;
	struct worker_pool *p = NULL;

	do {
		unsigned n = c->smoke ? 8 : full_counts[rounds % ARRAY_SIZE(full_counts)];

		atomic_store(&c->bd->var[V_ROUND], rounds);
		st_assign_blocks(c, n, 0, rounds);
		p = st_pool_start(c, n, pud_worker, NULL);
		if (!p) {
			st_fail(c, "round %u: %s", rounds + 1, c->fail);
			return -1;
		}
		if (st_wait(c, p) < 0 || st_step(c, p) < 0 || st_finish(c, p) < 0) {
			pool_free(p);
			st_fail(c, "round %u (%u processes): %s", rounds + 1, n, c->fail);
			return -1;
		}
		pool_free(p);
		rounds++;
		procs += n;
	} while (now_ns() < end && !interrupted);
	st_pass(c, "%u rounds, %u fresh processes released together onto a %llu GiB file (%llu whole-range sharers, %llu windows across the 1 GiB boundary, %llu misaligned), %llu MADV_POPULATE runs across it: data right in every process",
		rounds, procs, (unsigned long long)(c->size / ST_PUD), (unsigned long long)c->bd->stat[S_FULL],
		(unsigned long long)c->bd->stat[S_WINDOW], (unsigned long long)c->bd->stat[S_MISALIGNED],
		(unsigned long long)c->bd->stat[S_POPULATE]);
	return 0;
}

static void pud_negate(struct sctx *c)
{
	c->neg |= NEG_PATTERN;
}

const struct scenario sc_pud = {
	.name = "pud-race",
	.summary = "faults racing at the 1 GiB (PUD) boundary from many fresh processes at once: whole-range sharers, windows across the boundary and misaligned mappings, loads, stores and MADV_POPULATE",
	.negative = "every read expects the generation after the one published",
	.min_gib = 2,
	.run = pud_run,
	.negate = pud_negate,
};
