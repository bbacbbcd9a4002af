// SPDX-License-Identifier: GPL-2.0-only
/*
 * sync: msync, fsync and MAP_SYNC writes from several sharers; every
 * write is visible through read() afterwards.
 *
 * Steps (each a race, then a check with nobody writing):
 *   msync      sharers write their pages, msync(MS_SYNC) them (or the
 *              whole mapping), pread() them back exactly, and pread() the
 *              others' pages, judged against the ledger;
 *   fsync      the same with fsync()/fdatasync() on the file;
 *   writeback  (FS/DAX) every sharer dirties one page in each of 16 of its
 *              blocks; sharer 0 msyncs the file, which write-protects every
 *              sharer's entries (dax_writeback_one -> pfn_mkclean_range);
 *              each sharer's next write to those blocks must fault again.
 *              A sharer that writes without a fault kept a writable entry
 *              in its TLB or page table: its later writes are never
 *              written back (with a shared PMD table, cleaning the entry
 *              once and flushing one mm is not enough);
 *   map-sync   (FS/DAX) half of the sharers write through a second
 *              mapping with MAP_SYNC at another 1 GiB-aligned address;
 *              read() sees every write without msync.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

enum step { Y_MSYNC, Y_FSYNC, Y_WRITEBACK, Y_MAPSYNC, Y_NSTEPS };
static const char *const step_names[Y_NSTEPS] = { "msync", "fsync", "writeback", "map-sync" };
enum { V_STEP = 0 };
enum { S_SYNCS = 0, S_PREADS, S_FAULTS, S_BLOCKS };

#define WB_BLOCKS 16u

struct sync_arg {
	bool run[Y_NSTEPS];
};

static uint64_t pread_word(struct sctx *c, uint64_t pg)
{
	uint64_t v;
	ssize_t n = pread(c->b->fd, &v, sizeof(v), (off_t)(pg * ST_PAGE));

	if (n != (ssize_t)sizeof(v))
		st_error(c, "pread of page %llu: %s", (unsigned long long)pg, n < 0 ? strerror(errno) : "short read");
	return v;
}

/* Judge page @pg through read(): what a writer published must be there. */
static void pread_check(struct sctx *c, uint64_t pg, unsigned owner, unsigned flags, const char *what)
{
	uint64_t l1 = st_ledger(c, pg), v = pread_word(c, pg), l2 = st_ledger(c, pg);

	st_judge(c, pg, v, l1, l2, owner, flags, what);
	c->bd->stat[S_PREADS]++;
}

static uint64_t minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

static void race(struct sctx *c, enum step s, volatile char *map, volatile char *syncmap, unsigned me)
{
	bool via_sync = syncmap && me % 2;

	while (!st_stopped(c)) {
		uint64_t pgs[8];
		unsigned k = 1 + (unsigned)st_below(c, 8), n = 0;

		for (unsigned i = 0; i < k; i++) {
			uint64_t pg = st_random_owned_page(c, me);

			if (pg == ST_NONE)
				continue;
			st_expect_write(c, via_sync ? syncmap : map, pg, me, via_sync ? "writing through MAP_SYNC" : "writing");
			pgs[n++] = pg;
		}
		if (s == Y_MSYNC) {
			bool whole = st_below(c, 4) == 0;

			for (unsigned i = 0; i < (whole ? 1 : n); i++) {
				void *a = whole ? (void *)map : (void *)(map + pgs[i] * ST_PAGE);
				size_t len = whole ? c->size : ST_PAGE;

				if (msync(a, len, MS_SYNC) < 0)
					st_error(c, "msync(MS_SYNC) of %zu bytes at %p: %s", len, a, strerror(errno));
			}
		} else if (s == Y_FSYNC) {
			if ((st_below(c, 2) ? fsync(c->b->fd) : fdatasync(c->b->fd)) < 0)
				st_error(c, "fsync: %s", strerror(errno));
		}
		c->bd->stat[S_SYNCS]++;
		for (unsigned i = 0; i < n; i++)
			pread_check(c, pgs[i], me, JUDGE_EXACT, "read() of its own write after the sync");
		for (unsigned i = 0; i < 8; i++) {
			uint64_t pg = st_below(c, c->npages);

			pread_check(c, pg, st_owner(c, pg), 0, "read() of another sharer's page");
			if (syncmap)
				st_check_ok(c, syncmap, pg, st_owner(c, pg), 0, "reading through MAP_SYNC");
		}
	}
}

static void verify_by_read(struct sctx *c, volatile char *map)
{
	for (uint64_t pg = st_below(c, 7); pg < c->npages; pg += 1 + st_below(c, 13))
		pread_check(c, pg, PATTERN_ANY_OWNER, JUDGE_EXACT, "read() with nobody writing");
	st_verify(c, map, 0, c->npages, true, "the mapping with nobody writing");
}

static void writeback_step(struct sctx *c, volatile char *map, unsigned me)
{
	uint64_t pgs[WB_BLOCKS], f0, faults;
	unsigned n = 0;

	/* 1: dirty one page in each of up to 16 own blocks. */
	for (unsigned i = 0; i < 4 * WB_BLOCKS && n < WB_BLOCKS; i++) {
		uint64_t pg = st_random_owned_page(c, me);
		bool dup = false;

		for (unsigned j = 0; pg != ST_NONE && j < n; j++)
			dup |= pgs[j] / ST_PAGES_PER_BLOCK == pg / ST_PAGES_PER_BLOCK;
		if (pg == ST_NONE || dup)
			continue;
		st_expect_write(c, map, pg, me, "dirtying before the writeback");
		pgs[n++] = pg;
	}
	st_sync(c);
	/* 2: one sharer writes everything back: every mapping is write-protected. */
	if (me == 0 && msync((void *)map, c->size, MS_SYNC) < 0)
		st_error(c, "msync(MS_SYNC) of the whole mapping: %s", strerror(errno));
	st_sync(c);
	/* 3: the next write to each of those blocks must fault. */
	f0 = minflt();
	for (unsigned i = 0; i < n; i++)
		st_expect_write(c, map, pgs[i], me, "writing after the writeback");
	faults = minflt() - f0;
	c->bd->stat[S_FAULTS] += faults;
	c->bd->stat[S_BLOCKS] += n;
	if (faults < n && !(c->neg & NEG_PATTERN))
		st_mismatch(c, "after sharer 0's msync wrote the file back, writing %u blocks this sharer had dirtied took only %llu page faults: a writable TLB or page-table entry survived the write-protection (these writes would never be written back)",
			    n, (unsigned long long)faults);
	for (unsigned i = 0; i < n; i++)
		pread_check(c, pgs[i], me, JUDGE_EXACT, "read() after writing a cleaned block");
	st_sync(c);
}

static int sync_worker(struct sctx *c, void *arg)
{
	struct sync_arg *a = arg;
	unsigned me = c->w->index;
	struct backing_map m;
	volatile char *map = st_map_shared(c, c->base, &m), *syncmap = NULL;

	for (uint64_t pg = 0; pg < c->npages; pg++)
		if (st_owner(c, pg) == me)
			st_expect_write(c, map, pg, me, "initial fill");
	if (a->run[Y_MAPSYNC]) {
		syncmap = st_mmap(c, c->base + 16 * ST_PUD, c->size, PROT_READ | PROT_WRITE,
				  MAP_SHARED_VALIDATE | MAP_SYNC, -1, 0);
		if (syncmap == MAP_FAILED)
			st_error(c, "mmap(MAP_SYNC) of the DAX file: %s", strerror(errno));
	}
	st_sync(c);
	for (int s = 0; s < Y_NSTEPS; s++) {
		if (!a->run[s])
			continue;
		if (s == Y_WRITEBACK) {
			writeback_step(c, map, me);
		} else {
			race(c, (enum step)s, map, s == Y_MAPSYNC ? syncmap : NULL, me);
			st_sync(c);
		}
		verify_by_read(c, map);
		st_sync(c);
	}
	return 0;
}

static int sync_run(struct sctx *c)
{
	unsigned n = c->smoke ? 3 : 4, nrun = 0;
	struct sync_arg a;
	struct worker_pool *p;
	const char *what = "setup";
	bool dax = st_is(c, BACKING_FSDAX);
	char mapsync_why[256] = "MAP_SYNC needs a DAX file: this backing refuses it with EOPNOTSUPP (FS/DAX only)";

	memset(&a, 0, sizeof(a));
	for (int s = 0; s < Y_NSTEPS; s++)
		a.run[s] = dax || s < Y_WRITEBACK;
	if (dax) {
		/* Not every DAX device takes MAP_SYNC: ask before the sharers rely on it. */
		void *t = mmap(NULL, ST_BLOCK, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, c->b->fd, 0);

		if (t == MAP_FAILED) {
			a.run[Y_MAPSYNC] = false;
			snprintf(mapsync_why, sizeof(mapsync_why),
				 "this DAX file refuses mmap(MAP_SYNC): %s (the device does not support synchronous faults)",
				 strerror(errno));
		} else {
			munmap(t, ST_BLOCK);
		}
	}
	for (int s = 0; s < Y_NSTEPS; s++)
		nrun += a.run[s];
	st_assign_blocks(c, n, 0, 0);
	p = st_pool_start(c, n, sync_worker, &a);
	if (!p) {
		st_fail(c, "%s", c->fail);
		return -1;
	}
	if (st_wait(c, p) < 0)
		goto fail;
	for (int s = 0; s < Y_NSTEPS; s++) {
		if (!a.run[s]) {
			st_skip(c, s == Y_WRITEBACK ?
				"no writeback dirty tracking on this backing: msync and fsync do not write-protect its mappings (FS/DAX only)" :
				mapsync_why,
				"%s", step_names[s]);
			continue;
		}
		what = step_names[s];
		memset(c->bd->stat, 0, sizeof(c->bd->stat));
		if (s == Y_WRITEBACK) {
			if (st_step(c, p) < 0 || st_step(c, p) < 0 || st_step(c, p) < 0 || st_step(c, p) < 0)
				goto fail;
			st_pass(c, "writeback: after one sharer's msync, %llu writes to %llu cleaned blocks in %u sharers took %llu faults (each must fault again); read() sees them",
				(unsigned long long)c->bd->stat[S_BLOCKS], (unsigned long long)c->bd->stat[S_BLOCKS], n,
				(unsigned long long)c->bd->stat[S_FAULTS]);
			continue;
		}
		pool_release(p);
		sleep_ns(c->budget_ns / nrun);
		atomic_store(&c->bd->stop, 1);
		if (st_wait(c, p) < 0 || st_step(c, p) < 0)
			goto fail;
		st_pass(c, "%s: %u sharers, %llu %s; every write read back exactly through read(), %llu read() checks of the others' pages right",
			step_names[s], n, (unsigned long long)c->bd->stat[S_SYNCS],
			s == Y_MAPSYNC ? "rounds without any msync" : s == Y_MSYNC ? "msync(MS_SYNC) calls" : "fsync/fdatasync calls",
			(unsigned long long)c->bd->stat[S_PREADS]);
	}
	if (st_finish(c, p) < 0) {
		what = "final";
		goto fail;
	}
	pool_free(p);
	return 0;
fail:
	pool_free(p);
	st_fail(c, "%s: %s", what, c->fail);
	return -1;
}

static void sync_negate(struct sctx *c)
{
	c->neg |= NEG_PATTERN;
}

const struct scenario sc_sync = {
	.name = "sync",
	.summary = "msync/fsync and MAP_SYNC writes from several sharers: every write is visible through read() afterwards; after writeback every sharer's next write faults again (FS/DAX)",
	.negative = "every read() expects the generation after the one published",
	.min_gib = 1,
	.run = sync_run,
	.negate = sync_negate,
};
