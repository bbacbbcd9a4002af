// SPDX-License-Identifier: GPL-2.0-only
/*
 * truncate: truncate and hole punch racing readers and writers in every
 * sharer.
 *
 * Each round:
 *  1. the sharers write and read everywhere while the parent truncates the
 *     file to a random size E (not 2 MiB-aligned where the backing allows);
 *     once ftruncate() has returned (a flag the parent sets afterwards),
 *     every access beyond E must take SIGBUS in every sharer: a sharer that
 *     still reaches the old block kept a stale PMD/PTE or TLB entry;
 *  2. with nobody writing: below E exact, beyond E SIGBUS;
 *  3. another file is created and filled (it takes the freed blocks): no
 *     sharer may see its words, beyond E still SIGBUS;
 *  4. the file is extended again: the new range reads zero everywhere (not
 *     the old data, not the other file's), then is rewritten;
 *  5. a hole is punched while the sharers read it (writers keep out): after
 *     fallocate() has returned it reads zero in everybody; another file
 *     takes the punched blocks; the hole still reads zero; it is rewritten.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

enum { V_EOF = 0, V_TRUNCATED, V_H0, V_H1, V_PUNCHED, V_MORE };
enum { S_SIGBUS_RACE = 0, S_BEYOND_CHECKS, S_ROUNDS };

static void race_truncate(struct sctx *c, volatile char *map, unsigned me)
{
	uint64_t eof = atomic_load(&c->bd->var[V_EOF]);
	char beyond[96];

	snprintf(beyond, sizeof(beyond), "beyond the new EOF (page %llu) after ftruncate() returned",
		 (unsigned long long)eof);
	while (!st_stopped(c)) {
		for (unsigned i = 0; i < 32; i++) {
			uint64_t pg = st_below(c, c->npages);
			bool write = st_owner(c, pg) == me && st_below(c, 2);

			if (pg < eof) {
				if (write)
					st_expect_write(c, map, pg, me, "writing below the new EOF during the truncate");
				else
					st_check_ok(c, map, pg, st_owner(c, pg), 0, "reading below the new EOF during the truncate");
			} else if (atomic_load_explicit(&c->bd->var[V_TRUNCATED], memory_order_acquire)) {
				st_expect_fault(c, map, pg, write, SIGBUS, beyond);
				c->bd->stat[S_BEYOND_CHECKS]++;
			} else {
				int sig = write ? st_write(c, map, pg, me, NULL) : st_check(c, map, pg, st_owner(c, pg), 0);

				if (sig && sig != SIGBUS)
					st_mismatch(c, "page %llu beyond the new EOF during the truncate took %s",
						    (unsigned long long)pg, st_signame(sig));
				if (sig)
					c->bd->stat[S_SIGBUS_RACE]++;
			}
		}
	}
}

static void race_punch(struct sctx *c, volatile char *map, unsigned me)
{
	uint64_t h0 = atomic_load(&c->bd->var[V_H0]), h1 = atomic_load(&c->bd->var[V_H1]);

	while (!st_stopped(c)) {
		for (unsigned i = 0; i < 32; i++) {
			uint64_t pg = st_below(c, 2) ? h0 + st_below(c, h1 - h0) : st_below(c, c->npages);
			bool in = pg >= h0 && pg < h1;
			bool punched = atomic_load_explicit(&c->bd->var[V_PUNCHED], memory_order_acquire);

			if (!in && st_owner(c, pg) == me && st_below(c, 2))
				st_expect_write(c, map, pg, me, "writing during the hole punch");
			else
				st_check_ok(c, map, pg, st_owner(c, pg), in && !punched ? JUDGE_ZERO_OK : 0,
					    punched ? "reading after fallocate(PUNCH_HOLE) returned" : "reading during the hole punch");
		}
	}
}

/* Below @eof exact (a sample), beyond it SIGBUS at both ends of every block. */
static void verify_eof(struct sctx *c, volatile char *map, uint64_t eof, const char *what)
{
	st_verify(c, map, 0, eof, true, what);
	st_expect_fault(c, map, eof, st_below(c, 2), SIGBUS, what);
	for (uint64_t b = eof / ST_PAGES_PER_BLOCK; b < c->nblocks; b++) {
		uint64_t first = b * ST_PAGES_PER_BLOCK < eof ? eof : b * ST_PAGES_PER_BLOCK;

		st_expect_fault(c, map, first, st_below(c, 2), SIGBUS, what);
		st_expect_fault(c, map, (b + 1) * ST_PAGES_PER_BLOCK - 1, st_below(c, 2), SIGBUS, what);
	}
}

static void write_owned(struct sctx *c, volatile char *map, unsigned me, uint64_t lo, uint64_t hi, const char *what)
{
	for (uint64_t pg = lo; pg < hi; pg++) {
		if (st_owner(c, pg) == me)
			st_expect_write(c, map, pg, me, what);
		else if (st_below(c, 4) == 0)
			st_check_ok(c, map, pg, st_owner(c, pg), 0, what);
	}
}

static int truncate_worker(struct sctx *c, void *arg)
{
	unsigned me = c->w->index;
	struct backing_map m;
	volatile char *map = st_map_shared(c, c->base, &m);
	uint64_t eof, h0, h1;

	write_owned(c, map, me, 0, c->npages, "initial fill");
	st_sync(c);
	(void)arg;
	for (;;) {
		race_truncate(c, map, me);
		st_sync(c);	/* 1 */
		eof = atomic_load(&c->bd->var[V_EOF]);
		verify_eof(c, map, eof, "after the truncate");
		st_sync(c);	/* 2 */
		verify_eof(c, map, eof, "after another file took the freed blocks");
		st_sync(c);	/* 3 */
		st_verify(c, map, eof, c->npages - eof, true, "the range the file was extended by (must read zero)");
		st_sync(c);	/* 4 */
		write_owned(c, map, me, eof, c->npages, "rewriting the extended range");
		st_sync(c);	/* 5 */
		st_verify(c, map, 0, c->npages, true, "after the extension was rewritten");
		st_sync(c);	/* 6 */
		race_punch(c, map, me);
		st_sync(c);	/* 7 */
		h0 = atomic_load(&c->bd->var[V_H0]);
		h1 = atomic_load(&c->bd->var[V_H1]);
		st_verify_zero(c, map, h0, h1 - h0, "the punched hole");
		st_sync(c);	/* 8 */
		st_verify_zero(c, map, h0, h1 - h0, "the punched hole after another file took its blocks");
		st_verify(c, map, 0, c->npages, true, "after another file took the punched blocks");
		st_sync(c);	/* 9 */
		write_owned(c, map, me, h0, h1, "rewriting the hole");
		st_sync(c);	/* 10 */
		st_verify(c, map, 0, c->npages, true, "after the hole was rewritten");
		st_sync(c);	/* 11 */
		if (!atomic_load(&c->bd->var[V_MORE]))
			break;
	}
	return 0;
}

/* Release a phase, do @op in the middle of the race, then stop it. */
static int race_with(struct sctx *c, struct worker_pool *p, int (*op)(struct sctx *c, void *a), void *a,
		     unsigned flag)
{
	pool_release(p);
	sleep_ns(2000000 + st_below(c, 20000000));
	if (op(c, a) < 0) {
		pool_kill(p);
		return -1;
	}
	atomic_store_explicit(&c->bd->var[flag], 1, memory_order_release);
	sleep_ns(20000000 + st_below(c, 60000000));
	atomic_store(&c->bd->stop, 1);
	return st_wait(c, p);
}

static int do_truncate(struct sctx *c, void *a)
{
	uint64_t eof = *(uint64_t *)a;

	if (ftruncate(c->b->fd, (off_t)(eof * ST_PAGE)) < 0)
		return errf(c->fail, sizeof(c->fail), "ftruncate to %llu bytes: %s", (unsigned long long)(eof * ST_PAGE),
			    strerror(errno));
	return 0;
}

static int do_punch(struct sctx *c, void *a)
{
	uint64_t *h = a;

	if (fallocate(c->b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(h[0] * ST_PAGE),
		      (off_t)((h[1] - h[0]) * ST_PAGE)) < 0)
		return errf(c->fail, sizeof(c->fail), "fallocate(PUNCH_HOLE) of pages %llu-%llu: %s",
			    (unsigned long long)h[0], (unsigned long long)h[1] - 1, strerror(errno));
	/* Punched for everybody: from now on the hole must read zero. */
	st_ledger_zero(c, h[0], h[1] - h[0]);
	return 0;
}

static int truncate_run(struct sctx *c)
{
	unsigned n = c->smoke ? 3 : 4;
	uint64_t end = now_ns() + c->budget_ns;
	uint64_t gran = c->granule / ST_PAGE;
	/*
	 * tmpfs maps a huge folio that straddles i_size with a PMD by design
	 * (mm/memory.c finish_fault(): "an exception for shmem/tmpfs"), and a
	 * truncate that cannot split the folio keeps it: pages beyond an EOF
	 * inside a 2 MiB block may stay reachable there.  So its EOF is 2 MiB-
	 * aligned; FS/DAX and the page cache get page-granular ends.
	 */
	uint64_t eof_gran = st_is(c, BACKING_TMPFS) ? ST_PAGES_PER_BLOCK : gran;
	struct worker_pool *p;
	const char *what = "setup";
	uint64_t min_eof = UINT64_MAX, max_eof = 0, hole_pages = 0;
	unsigned rounds = 0, not_aligned = 0;
	int other;

	st_assign_blocks(c, n, 0, 0);
	p = st_pool_start(c, n, truncate_worker, NULL);
	if (!p) {
		st_fail(c, "%s", c->fail);
		return -1;
	}
	if (st_wait(c, p) < 0)
		goto fail;
	for (unsigned r = 0;; r++) {
		uint64_t eof, h[2];

		/* A new EOF in the middle half; page-granular where the backing allows. */
		eof = c->npages / 4 + st_below(c, c->npages / 2);
		eof = eof / eof_gran * eof_gran;
		if (eof_gran == 1 && st_below(c, 3) == 0)
			eof = eof / ST_PAGES_PER_BLOCK * ST_PAGES_PER_BLOCK;
		atomic_store(&c->bd->var[V_EOF], eof);
		atomic_store(&c->bd->var[V_TRUNCATED], 0);
		what = "truncate racing readers and writers";
		if (race_with(c, p, do_truncate, &eof, V_TRUNCATED) < 0)
			goto fail;
		st_ledger_zero(c, eof, c->npages - eof);
		what = "after the truncate";
		if (st_step(c, p) < 0)
			goto fail;
		what = "another file takes the freed blocks";
		other = st_other_file(c, (c->npages - eof) * ST_PAGE);
		if (other < 0) {
			pool_kill(p);
			goto fail;
		}
		if (st_step(c, p) < 0) {
			st_other_file_close(c, other);
			goto fail;
		}
		st_other_file_close(c, other);
		what = "extending the file again";
		if (ftruncate(c->b->fd, (off_t)c->size) < 0) {
			errf(c->fail, sizeof(c->fail), "ftruncate back to %llu bytes: %s",
			     (unsigned long long)c->size, strerror(errno));
			pool_kill(p);
			goto fail;
		}
		if (st_step(c, p) < 0 || st_step(c, p) < 0 || st_step(c, p) < 0)
			goto fail;
		min_eof = eof < min_eof ? eof : min_eof;
		max_eof = eof > max_eof ? eof : max_eof;
		not_aligned += eof % ST_PAGES_PER_BLOCK != 0;

		/* A hole of 1-8 blocks, page-granular where the backing allows. */
		h[0] = (1 + st_below(c, c->nblocks - 10)) * ST_PAGES_PER_BLOCK;
		h[1] = h[0] + (1 + st_below(c, 8)) * ST_PAGES_PER_BLOCK;
		if (gran == 1 && st_below(c, 2)) {
			h[0] += 1 + st_below(c, ST_PAGES_PER_BLOCK - 1);
			h[1] -= st_below(c, ST_PAGES_PER_BLOCK - 1);
			if (h[1] <= h[0])	/* one block, trimmed past its start */
				h[1] = h[0] + 1 + st_below(c, ST_PAGES_PER_BLOCK);
		}
		atomic_store(&c->bd->var[V_H0], h[0]);
		atomic_store(&c->bd->var[V_H1], h[1]);
		atomic_store(&c->bd->var[V_PUNCHED], 0);
		what = "hole punch racing readers and writers";
		if (race_with(c, p, do_punch, h, V_PUNCHED) < 0)
			goto fail;
		what = "after the hole punch";
		if (st_step(c, p) < 0)
			goto fail;
		what = "another file takes the punched blocks";
		other = st_other_file(c, (h[1] - h[0]) * ST_PAGE);
		if (other < 0) {
			pool_kill(p);
			goto fail;
		}
		if (st_step(c, p) < 0) {
			st_other_file_close(c, other);
			goto fail;
		}
		st_other_file_close(c, other);
		what = "rewriting the hole";
		if (st_step(c, p) < 0 || st_step(c, p) < 0)
			goto fail;
		hole_pages += h[1] - h[0];
		rounds = r + 1;
		if (now_ns() >= end || interrupted)
			break;
		atomic_store(&c->bd->var[V_MORE], 1);	/* read when the next phase is released */
	}
	atomic_store(&c->bd->var[V_MORE], 0);
	if (st_finish(c, p) < 0) {
		what = "final";
		goto fail;
	}
	pool_free(p);
	st_pass(c, "%u truncates to %llu..%llu KiB (%u not 2 MiB-aligned) racing %u sharers: %llu SIGBUS during the races, all %llu accesses beyond EOF after ftruncate() returned took SIGBUS; other files took the freed blocks and were never seen; extensions read zero",
		rounds, (unsigned long long)min_eof * 4, (unsigned long long)max_eof * 4, not_aligned, n,
		(unsigned long long)c->bd->stat[S_SIGBUS_RACE], (unsigned long long)c->bd->stat[S_BEYOND_CHECKS]);
	st_pass(c, "%u hole punches (%llu pages in all) racing readers: zero in every sharer once fallocate() returned, also after other files took the blocks; rewritten",
		rounds, (unsigned long long)hole_pages);
	return 0;
fail:
	pool_free(p);
	st_fail(c, "round %u: %s: %s", rounds + 1, what, c->fail);
	return -1;
}

static void truncate_negate(struct sctx *c)
{
	c->neg |= NEG_SIGBUS;
}

const struct scenario sc_truncate = {
	.name = "truncate",
	.summary = "truncate and hole punch racing readers and writers in all sharers: SIGBUS beyond the new EOF everywhere, zeros in holes, never the blocks another file took",
	.negative = "accesses beyond the new EOF are expected to succeed",
	.min_gib = 1,
	.run = truncate_run,
	.negate = truncate_negate,
};
