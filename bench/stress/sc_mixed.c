// SPDX-License-Identifier: GPL-2.0-only
/*
 * mixed-sizes: mixed mapping sizes inside one 1 GiB range.
 *
 * The sharers map a whole 1 GiB-aligned range of a file that has, inside
 * it, a 2 MiB hole (block H), a block mapped with 4 KiB entries (block F)
 * and its end of file (EOF, not 2 MiB-aligned where the backing allows):
 *  - F: on FS/DAX and page-cache files the block's data is shifted by one
 *    page against its blocks on the device (FALLOC_FL_INSERT_RANGE of a page
 *    at its start, COLLAPSE_RANGE of a page at the next block; where that is
 *    not supported: punched and rewritten page by page next to another
 *    file), so a PMD fault must fall back to a PTE table (the layout is
 *    reported from FIEMAP).  On FS/DAX the block holding a non-aligned EOF
 *    falls back to 4 KiB entries as well.  This is what puts
 *    4 KiB entries under a shared PMD page: a madvise in one process would
 *    split that process's VMA and so unshare it instead (which the
 *    nohugepage step covers).  On tmpfs the block is written through a
 *    MADV_NOHUGEPAGE mapping (small folios).  hugetlbfs cannot map 4 KiB.
 *  - H reads as zero first (FS/DAX maps the huge zero page), then every
 *    sharer write-faults its pages of H at once: a sharer still mapping the
 *    zero page after a write was published reads zero and fails.
 *  - beyond EOF every access takes SIGBUS; after the file is extended the
 *    range reads zero everywhere and is written.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif
#ifndef FALLOC_FL_INSERT_RANGE
#define FALLOC_FL_INSERT_RANGE 0x20
#endif

#define PAGE_OWNED 0xfffffu		/* owner[] marker: owned page by page */
#define W_LAYOUT 4000u			/* the writer of F's first words */

enum { V_EOF = 0, V_H, V_F, V_N, V_SPLIT_LO, V_SPLIT_HI, V_SKIP };
enum { S_HOLE_WRITES = 0, S_BEYOND };

static unsigned owner_of(struct sctx *c, uint64_t pg)
{
	unsigned o = st_owner(c, pg);

	return o == PAGE_OWNED ? (unsigned)(pg % atomic_load(&c->bd->var[V_N])) : o;
}

static bool special(struct sctx *c, uint64_t pg)
{
	return st_owner(c, pg) == PAGE_OWNED;
}

static void check_all(struct sctx *c, volatile char *map, uint64_t eof, const char *what)
{
	uint64_t h = atomic_load(&c->bd->var[V_H]), f = atomic_load(&c->bd->var[V_F]);

	st_verify(c, map, 0, eof, true, what);
	st_verify(c, map, h * ST_PAGES_PER_BLOCK, ST_PAGES_PER_BLOCK, false, what);
	if (f != ST_NONE)
		st_verify(c, map, f * ST_PAGES_PER_BLOCK, ST_PAGES_PER_BLOCK, false, what);
	/* Beyond EOF: the first page, and both ends of every block after it. */
	for (uint64_t b = eof / ST_PAGES_PER_BLOCK; b < c->nblocks; b++) {
		uint64_t first = b * ST_PAGES_PER_BLOCK < eof ? eof : b * ST_PAGES_PER_BLOCK;

		st_expect_fault(c, map, first, st_below(c, 2), SIGBUS, "beyond EOF");
		st_expect_fault(c, map, (b + 1) * ST_PAGES_PER_BLOCK - 1, st_below(c, 2), SIGBUS, "beyond EOF");
		c->bd->stat[S_BEYOND] += 2;
	}
}

static void race_loop(struct sctx *c, volatile char *map, unsigned me, uint64_t lo, uint64_t hi, bool special_only)
{
	while (!st_stopped(c)) {
		for (unsigned i = 0; i < 32; i++) {
			uint64_t pg = lo + st_below(c, hi - lo);

			if (owner_of(c, pg) == me && (!special_only || special(c, pg)) && st_below(c, 2)) {
				st_expect_write(c, map, pg, me, "write fault into the range");
				if (special(c, pg))
					c->bd->stat[S_HOLE_WRITES]++;
			} else {
				st_check_ok(c, map, pg, owner_of(c, pg), 0, "reading while others write-fault");
			}
		}
	}
}

static int mixed_worker(struct sctx *c, void *arg)
{
	unsigned me = c->w->index;
	uint64_t eof = atomic_load(&c->bd->var[V_EOF]), h = atomic_load(&c->bd->var[V_H]), lo, hi;
	volatile char *map;

	(void)arg;
	map = st_mmap_file(c, c->base, c->size, 0);
	if (map == MAP_FAILED)
		st_error(c, "cannot map the file at 0x%llx: %s", (unsigned long long)c->base, strerror(errno));
	for (uint64_t pg = 0; pg < eof; pg++)
		if (!special(c, pg) && owner_of(c, pg) == me)
			st_expect_write(c, map, pg, me, "initial fill");
	st_sync(c);	/* 0: the parent lays out H and F */
	check_all(c, map, eof, "read faults over data, hole, 4 KiB block and EOF");
	st_sync(c);	/* 1 */
	race_loop(c, map, me, h * ST_PAGES_PER_BLOCK, (h + 1) * ST_PAGES_PER_BLOCK, true);
	st_sync(c);	/* 2 */
	check_all(c, map, eof, "after the hole was filled");
	st_sync(c);	/* 3 */
	lo = atomic_load(&c->bd->var[V_SPLIT_LO]);
	hi = atomic_load(&c->bd->var[V_SPLIT_HI]);
	if (me == 0) {
		if (madvise((void *)(map + lo * ST_PAGE), (hi - lo) * ST_PAGE, MADV_NOHUGEPAGE) < 0) {
			if (errno != EINVAL)
				st_error(c, "madvise(MADV_NOHUGEPAGE) on pages %llu-%llu: %s", (unsigned long long)lo,
					 (unsigned long long)hi - 1, strerror(errno));
			st_note(c, "madvise(MADV_NOHUGEPAGE): %s on %s", strerror(errno), st_backing_name(c));
			atomic_store(&c->bd->var[V_SKIP], 1);
		}
	}
	race_loop(c, map, me, lo > 64 ? lo - 64 : 0, hi + 64 < eof ? hi + 64 : eof, false);
	st_sync(c);	/* 4 */
	check_all(c, map, eof, "after one sharer split its mapping with MADV_NOHUGEPAGE");
	st_sync(c);	/* 5: the parent extends the file */
	st_verify(c, map, eof, c->npages - eof, false, "the range past the old EOF after the extension (must read zero)");
	st_sync(c);	/* 6: everybody has seen the zeros before anybody writes */
	for (uint64_t pg = eof; pg < c->npages; pg++)
		if (owner_of(c, pg) == me)
			st_expect_write(c, map, pg, me, "writing past the old EOF");
	st_sync(c);	/* 7 */
	st_verify(c, map, 0, c->npages, true, "the whole range after the extension");
	return 0;
}

/* Rewrite block @f page by page, scattering its blocks on the device. */
static int fragment(struct sctx *c, uint64_t f, char *how, size_t howlen)
{
	uint64_t pg0 = f * ST_PAGES_PER_BLOCK;
	unsigned order[ST_PAGES_PER_BLOCK];
	char *buf = calloc(1, ST_PAGE);
	int fd = -1, rc = -1;

	if (!buf)
		return errf(c->fail, sizeof(c->fail), "out of memory");
	for (unsigned i = 0; i < ST_PAGES_PER_BLOCK; i++)
		order[i] = i;
	for (unsigned i = ST_PAGES_PER_BLOCK - 1; i > 0; i--) {
		unsigned j = (unsigned)st_below(c, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	if (st_is(c, BACKING_TMPFS)) {
		/* A MADV_NOHUGEPAGE mapping faults in small folios. */
		volatile char *p = mmap(NULL, ST_BLOCK, PROT_READ | PROT_WRITE, MAP_SHARED, c->b->fd, (off_t)(pg0 * ST_PAGE));

		if (p == MAP_FAILED || madvise((void *)p, ST_BLOCK, MADV_NOHUGEPAGE) < 0) {
			errf(c->fail, sizeof(c->fail), "cannot map block %llu with MADV_NOHUGEPAGE: %s",
			     (unsigned long long)f, strerror(errno));
			goto out;
		}
		for (unsigned i = 0; i < ST_PAGES_PER_BLOCK; i++) {
			uint64_t pg = pg0 + order[i], w = pattern_next(&c->pt, pg, W_LAYOUT, st_ledger(c, pg));

			*st_word(p, order[i]) = w;
			atomic_store(&c->ledger[pg], w);
		}
		munmap((void *)p, ST_BLOCK);
		snprintf(how, howlen, "block %llu written through a MADV_NOHUGEPAGE mapping (4 KiB folios)", (unsigned long long)f);
		rc = 0;
		goto out;
	}
	/*
	 * Files on a device.  Shift the block by one page against its blocks
	 * on the device: insert a 4 KiB hole at its start (the block and all
	 * after it move up a page), collapse the first page of the next block
	 * (all after it move back).  Its data is then 4 KiB off the device's
	 * 2 MiB alignment, so no PMD entry can map it.  Where the filesystem
	 * cannot, punch the block and write it page by page next to another
	 * file's pages.  Then write every page.
	 */
	{
		char path[PATH_MAX], dir[PATH_MAX];
		struct {
			struct fiemap fm;
			struct fiemap_extent ext[64];
		} fme;
		const char *method = "shifted by 4 KiB on the device (FALLOC_FL_INSERT_RANGE + COLLAPSE_RANGE)";
		bool pmd_ok = false;
		off_t start = (off_t)(pg0 * ST_PAGE);

		if (fallocate(c->b->fd, FALLOC_FL_INSERT_RANGE, start, ST_PAGE) < 0 ||
		    fallocate(c->b->fd, FALLOC_FL_COLLAPSE_RANGE, start + ST_BLOCK, ST_PAGE) < 0) {
			if (errno != EOPNOTSUPP && errno != EINVAL) {
				errf(c->fail, sizeof(c->fail), "fallocate(INSERT_RANGE/COLLAPSE_RANGE) around block %llu: %s",
				     (unsigned long long)f, strerror(errno));
				goto out;
			}
			method = "written page by page next to another file's pages";
			snprintf(dir, sizeof(dir), "%s", c->b->path);
			snprintf(path, sizeof(path), "%s/ptshare-frag-%ld.dat", dirname(dir), (long)getpid());
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			if (fd < 0) {
				errf(c->fail, sizeof(c->fail), "cannot create %s: %s", path, strerror(errno));
				goto out;
			}
			unlink(path);
			if (fallocate(c->b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, start, ST_BLOCK) < 0) {
				errf(c->fail, sizeof(c->fail), "fallocate(PUNCH_HOLE) of block %llu: %s", (unsigned long long)f,
				     strerror(errno));
				goto out;
			}
		}
		for (unsigned i = 0; i < ST_PAGES_PER_BLOCK; i++) {
			uint64_t pg = pg0 + order[i], w = pattern_next(&c->pt, pg, W_LAYOUT, st_ledger(c, pg));

			memcpy(buf, &w, sizeof(w));
			if (pwrite(c->b->fd, buf, ST_PAGE, (off_t)(pg * ST_PAGE)) != (ssize_t)ST_PAGE ||
			    (fd >= 0 && (pwrite(fd, buf, ST_PAGE, (off_t)(i * ST_PAGE)) != (ssize_t)ST_PAGE ||
					 fdatasync(c->b->fd) < 0))) {
				errf(c->fail, sizeof(c->fail), "writing block %llu page by page: %s", (unsigned long long)f,
				     strerror(errno));
				goto out;
			}
			atomic_store(&c->ledger[pg], w);
		}
		memset(&fme, 0, sizeof(fme));
		fme.fm.fm_start = pg0 * ST_PAGE;
		fme.fm.fm_length = ST_BLOCK;
		fme.fm.fm_flags = FIEMAP_FLAG_SYNC;
		fme.fm.fm_extent_count = 64;
		if (ioctl(c->b->fd, FS_IOC_FIEMAP, &fme.fm) < 0) {
			snprintf(how, howlen, "%s (FIEMAP failed: %s)", method, strerror(errno));
		} else {
			/* One PMD entry needs the whole block in one extent, 2 MiB-congruent on the device. */
			for (unsigned i = 0; i < fme.fm.fm_mapped_extents; i++) {
				const struct fiemap_extent *e = &fme.ext[i];

				pmd_ok |= e->fe_logical <= pg0 * ST_PAGE && e->fe_logical + e->fe_length >= (pg0 + ST_PAGES_PER_BLOCK) * ST_PAGE &&
					  (e->fe_physical - e->fe_logical) % ST_BLOCK == 0;
			}
			snprintf(how, howlen, "block %llu %s: FIEMAP shows %u extent%s, %s", (unsigned long long)f, method,
				 fme.fm.fm_mapped_extents, fme.fm.fm_mapped_extents == 1 ? "" : "s",
				 pmd_ok ? "2 MiB-aligned on the device after all (it may still be PMD-mapped)" :
				 "not 2 MiB-aligned on the device: 4 KiB entries");
		}
		rc = 0;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int mixed_run(struct sctx *c)
{
	unsigned n = c->smoke ? 3 : 4;
	bool huge = st_is(c, BACKING_HUGETLBFS);
	uint64_t tail, eof, eof_block, h, f = ST_NONE, lo, hi;
	struct worker_pool *p;
	char how[256] = "", note[ST_MSG_LEN] = "";
	const char *what = "setup";

	/* EOF inside the last 10 MiB of the range; page-granular where possible. */
	tail = huge ? (1 + st_below(c, 4)) * ST_PAGES_PER_BLOCK :
		      st_below(c, 4) * ST_PAGES_PER_BLOCK + 1 + st_below(c, ST_PAGES_PER_BLOCK - 1);
	eof = c->npages - tail;
	eof_block = eof / ST_PAGES_PER_BLOCK;
	h = 1 + st_below(c, eof_block - 3);
	if (!huge) {
		do
			f = 1 + st_below(c, eof_block - 3);
		while (f == h);
	}
	st_assign_blocks(c, n, 0, 0);
	atomic_store(&c->owner[h], PAGE_OWNED);
	if (f != ST_NONE)
		atomic_store(&c->owner[f], PAGE_OWNED);
	atomic_store(&c->bd->var[V_EOF], eof);
	atomic_store(&c->bd->var[V_H], h);
	atomic_store(&c->bd->var[V_F], f);
	atomic_store(&c->bd->var[V_N], n);
	/* The range one sharer splits with MADV_NOHUGEPAGE. */
	lo = (1 + st_below(c, eof_block - 4)) * ST_PAGES_PER_BLOCK;
	hi = lo + ST_PAGES_PER_BLOCK;
	if (!huge) {
		lo += st_below(c, ST_PAGES_PER_BLOCK);
		hi += st_below(c, ST_PAGES_PER_BLOCK);
	}
	atomic_store(&c->bd->var[V_SPLIT_LO], lo);
	atomic_store(&c->bd->var[V_SPLIT_HI], hi);

	p = st_pool_start(c, n, mixed_worker, NULL);
	if (!p) {
		st_fail(c, "%s", c->fail);
		return -1;
	}
	if (st_wait(c, p) < 0)
		goto fail;
	what = "laying out EOF, the hole and the 4 KiB block";
	/*
	 * EOF only now that every sharer has mapped the whole range: a writable
	 * hugetlbfs mapping past EOF would extend the file.
	 */
	if (ftruncate(c->b->fd, (off_t)(eof * ST_PAGE)) < 0) {
		errf(c->fail, sizeof(c->fail), "ftruncate to %llu bytes: %s", (unsigned long long)(eof * ST_PAGE),
		     strerror(errno));
		pool_kill(p);
		goto fail;
	}
	if (fallocate(c->b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(h * ST_BLOCK), ST_BLOCK) < 0) {
		errf(c->fail, sizeof(c->fail), "fallocate(PUNCH_HOLE) of block %llu: %s", (unsigned long long)h,
		     strerror(errno));
		pool_kill(p);
		goto fail;
	}
	if (f != ST_NONE && fragment(c, f, how, sizeof(how)) < 0) {
		pool_kill(p);
		goto fail;
	}
	what = "read faults";
	if (st_step(c, p) < 0)
		goto fail;
	st_pass(c, "layout: EOF at page %llu (%llu KiB short of the 1 GiB range), hole at block %llu, %s; read faults in %u sharers: data exact, hole zero, SIGBUS beyond EOF",
		(unsigned long long)eof, (unsigned long long)tail * 4, (unsigned long long)h,
		f == ST_NONE ? "no 4 KiB block (hugetlbfs cannot map 4 KiB)" : how, n);
	if (f == ST_NONE)
		st_skip(c, "hugetlbfs maps only whole 2 MiB pages", "a 4 KiB-fallback block inside the range");
	what = "write faults filling the hole";
	pool_release(p);
	sleep_ns(c->budget_ns / 3);
	atomic_store(&c->bd->stop, 1);
	if (st_wait(c, p) < 0 || st_step(c, p) < 0)
		goto fail;
	st_pass(c, "hole filled by %llu racing writes from %u sharers at once (the first to each page a write fault): nobody read zero (a stale hole or zero page) once a write was published",
		(unsigned long long)c->bd->stat[S_HOLE_WRITES], n);
	what = "MADV_NOHUGEPAGE in one sharer";
	atomic_store(&c->bd->note_state, 0);
	pool_release(p);
	sleep_ns(c->budget_ns / 3);
	atomic_store(&c->bd->stop, 1);
	if (st_wait(c, p) < 0 || st_step(c, p) < 0)
		goto fail;
	if (atomic_load(&c->bd->var[V_SKIP])) {
		snprintf(note, sizeof(note), "%s", c->bd->note);
		st_skip(c, note, "MADV_NOHUGEPAGE on part of one sharer's mapping");
	} else {
		st_pass(c, "MADV_NOHUGEPAGE on pages %llu-%llu of sharer 0 (a VMA split) while all write: data right everywhere",
			(unsigned long long)lo, (unsigned long long)hi - 1);
	}
	what = "extending the file past the old EOF";
	if (ftruncate(c->b->fd, (off_t)c->size) < 0) {
		errf(c->fail, sizeof(c->fail), "ftruncate back to %llu bytes: %s", (unsigned long long)c->size,
		     strerror(errno));
		pool_kill(p);
		goto fail;
	}
	if (st_step(c, p) < 0 || st_step(c, p) < 0 || st_finish(c, p) < 0)
		goto fail;
	pool_free(p);
	st_pass(c, "EOF extended to the end of the range: read zero in every sharer, then written; %llu accesses beyond EOF before took SIGBUS",
		(unsigned long long)c->bd->stat[S_BEYOND]);
	return 0;
fail:
	pool_free(p);
	st_fail(c, "%s: %s", what, c->fail);
	return -1;
}

static void mixed_negate(struct sctx *c)
{
	c->neg |= NEG_ZERO;
}

const struct scenario sc_mixed = {
	.name = "mixed-sizes",
	.summary = "a 4 KiB-fallback block, a hole and EOF inside one shared 1 GiB range; racing write faults fill the hole; SIGBUS beyond EOF; extension reads zero",
	.negative = "the hole is expected to hold data instead of zeros",
	.min_gib = 1,
	.run = mixed_run,
	.negate = mixed_negate,
};
