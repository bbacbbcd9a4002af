// SPDX-License-Identifier: GPL-2.0-only
/*
 * partial: one sharer changes part of its mapping while the others keep
 * reading and writing the whole range.
 *
 * Sharer 0 (the changer) owns no data; sharers 1..N-1 write every block.
 * Each step has three phases:
 *   A  the changer applies the change (mprotect, munmap, mremap, madvise)
 *      and then reads its view of the file; the others race, writing
 *      (half of the time into the changed range) and reading everything;
 *   B  nobody writes: everyone verifies the whole range exactly through
 *      its own view (the changer: moved ranges at their new address,
 *      faults where it has no access);
 *   C  the changer alone writes next to the range, undoes the change and
 *      writes inside the range: it must have its permissions back.
 * So every step checks that the change stayed in the changer (the others'
 * writes land, their data and permissions are right) and that the changer
 * sees exactly what it should.  On a kernel that shares the PMD tables,
 * each change must first unshare the changer's table (VMA split, mprotect,
 * mremap, zap) and flush.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif

enum step {
	P_MPROTECT_2M, P_MPROTECT_4K, P_MUNMAP, P_MREMAP_PUD, P_MREMAP_2M, P_MREMAP_UNALIGNED,
	P_DONTUNMAP, P_DONTNEED, P_REMOVE, P_NSTEPS
};

static const struct pstep {
	const char *name;
	const char *hugetlb_skip;	/* why hugetlbfs cannot do it, or NULL */
	const char *checked;		/* what the changer's checks showed */
} steps[P_NSTEPS] = {
	[P_MPROTECT_2M] = { "mprotect-2M", NULL,
		"its writes there fault, its reads and its neighbours' writes are right, it sees the others' writes" },
	[P_MPROTECT_4K] = { "mprotect-4K", "hugetlbfs maps, splits and protects only whole 2 MiB pages",
		"its writes there fault, its reads and its neighbours' writes are right, it sees the others' writes" },
	[P_MUNMAP] = { "munmap-middle", NULL,
		"the hole faults, the rest is right; mapped again it sees the others' writes" },
	[P_MREMAP_PUD] = { "mremap-1G-aligned", NULL,
		"the data is right at the new address and the old one faults; moved back it is right" },
	[P_MREMAP_2M] = { "mremap-2M-aligned", NULL,
		"the data is right at the new address and the old one faults; moved back it is right" },
	[P_MREMAP_UNALIGNED] = { "mremap-unaligned", "hugetlbfs mappings move only to 2 MiB-aligned addresses (EINVAL)",
		"the data is right at the new address (4 KiB entries) and the old one faults; moved back it is right" },
	[P_DONTUNMAP] = { "mremap-dontunmap", "the kernel refuses MREMAP_DONTUNMAP on hugetlbfs mappings (VM_DONTEXPAND: EINVAL)",
		"the data is right at the new address and, refaulted, at the old one" },
	[P_DONTNEED] = { "madvise-dontneed", NULL, "refaulted, the data is right" },
	[P_REMOVE] = { "madvise-remove", NULL,
		"the blocks are freed for every sharer: all read zero there, none sees the old data" },
};

enum { V_LO = 0, V_HI, V_TARGET, V_SKIP, V_STEP_NS };
enum { S_OTHER_WRITES_IN = 0, S_FAULTS_SEEN, S_GUP_READS, S_GUP_EFAULTS };

enum vstate { VS_OK, VS_RO, VS_GONE };

/* The changer's view of [lo, hi). */
struct view {
	volatile char *main;	/* file offset 0 of the standard mapping */
	uint64_t lo, hi;
	volatile char *alt;	/* [lo, hi) also (or only) here, as an offset-0 pointer */
	enum vstate state;	/* [lo, hi) in the standard mapping */
};

struct partial_arg {
	bool run[P_NSTEPS];
};

static bool in_range(const struct view *v, uint64_t pg)
{
	return pg >= v->lo && pg < v->hi;
}

/* Judge page @pg through the changer's view (JUDGE_EXACT or race). */
static void view_check(struct sctx *c, struct view *v, uint64_t pg, unsigned flags)
{
	unsigned owner = st_owner(c, pg);

	if (!in_range(v, pg)) {
		st_check_ok(c, v->main, pg, owner, flags, "outside the changed range");
		return;
	}
	if (v->alt)
		st_check_ok(c, v->alt, pg, owner, flags, "the range at its new address");
	switch (v->state) {
	case VS_OK:
		st_check_ok(c, v->main, pg, owner, flags, "the changed range");
		break;
	case VS_RO:
		st_check_ok(c, v->main, pg, owner, flags, "the read-only range");
		if (st_below(c, 4) == 0)
			st_expect_fault(c, v->main, pg, true, SIGSEGV, "the read-only range (a write permission it must not have)");
		break;
	case VS_GONE:
		st_expect_fault(c, v->main, pg, st_below(c, 2), SIGSEGV, "the range no longer mapped there");
		break;
	}
}

static uint64_t random_page_near(struct sctx *c, const struct view *v)
{
	/* Half of the reads in or next to the changed range. */
	if (st_below(c, 2)) {
		uint64_t lo = v->lo > 2 ? v->lo - 2 : 0, hi = v->hi + 2 < c->npages ? v->hi + 2 : c->npages;

		return lo + st_below(c, hi - lo);
	}
	return st_below(c, c->npages);
}

static void *addr_of(struct sctx *c, uint64_t pg)
{
	return (void *)(uintptr_t)(c->base + pg * ST_PAGE);
}

static void note_skip(struct sctx *c, const char *what, int err)
{
	st_note(c, "%s: %s (this kernel does not support it for %s)", what, strerror(err), st_backing_name(c));
	atomic_store(&c->bd->var[V_SKIP], 1);
}

/*
 * A second thread of the changer reads pages of its own view through
 * vmsplice(): the kernel takes them with GUP-fast, which walks the page
 * tables without mmap_lock while the main thread changes (and, with
 * sharing, unshares) them: the race of CVE-2025-38085.  Each word is
 * judged against the ledger; EFAULT only where the step unmaps or moves
 * the range.
 */
struct gup_arg {
	struct sctx tc;		/* the thread's own copy: rng and counters */
	const struct view *v;
	enum step s;
	int pipe[2];
	_Atomic int stop;
	uint64_t reads, efaults;
};

static void *gup_thread(void *p)
{
	struct gup_arg *g = p;
	struct sctx *c = &g->tc;
	bool may_vanish = g->s == P_MUNMAP || g->s == P_MREMAP_PUD || g->s == P_MREMAP_2M ||
			  g->s == P_MREMAP_UNALIGNED;

	snprintf(c->who + strlen(c->who), sizeof(c->who) - strlen(c->who), ", vmsplice thread");
	while (!atomic_load(&g->stop)) {
		uint64_t pg = random_page_near(c, g->v), v = 0, l1, l2;
		bool in = in_range(g->v, pg);
		struct iovec iov = { .iov_base = (void *)(g->v->main + pg * ST_PAGE), .iov_len = sizeof(v) };
		unsigned owner = st_owner(c, pg);
		ssize_t n;

		l1 = st_ledger(c, pg);
		n = vmsplice(g->pipe[1], &iov, 1, 0);
		if (n < 0 && errno == EFAULT && in && may_vanish) {
			g->efaults++;
			continue;
		}
		if (n != (ssize_t)sizeof(v))
			st_mismatch(c, "vmsplice of page %llu (%s the changed range) returned %zd: %s", (unsigned long long)pg,
				    in ? "in" : "outside", n, n < 0 ? strerror(errno) : "short");
		if (read(g->pipe[0], &v, sizeof(v)) != (ssize_t)sizeof(v))
			st_error(c, "reading back the vmspliced word: %s", strerror(errno));
		l2 = st_ledger(c, pg);
		st_judge(c, pg, v, l1, l2, owner, g->s == P_REMOVE && in ? JUDGE_ZERO_OK : 0,
			 "a word read by vmsplice (GUP-fast) while the main thread changes the mapping");
		g->reads++;
	}
	st_flush_counts(c);
	return NULL;
}

/* Phase A in the changer: apply step @s to [lo, hi).  False when skipped. */
static bool change(struct sctx *c, enum step s, struct view *v)
{
	uint64_t len = (v->hi - v->lo) * ST_PAGE, target = atomic_load(&c->bd->var[V_TARGET]);
	void *a = addr_of(c, v->lo), *r;

	switch (s) {
	case P_MPROTECT_2M:
	case P_MPROTECT_4K:
		if (mprotect(a, len, PROT_READ) < 0)
			st_error(c, "mprotect(PROT_READ) of %llu bytes at %p: %s", (unsigned long long)len, a, strerror(errno));
		v->state = VS_RO;
		break;
	case P_MUNMAP:
		if (munmap(a, len) < 0)
			st_error(c, "munmap of %llu bytes at %p: %s", (unsigned long long)len, a, strerror(errno));
		v->state = VS_GONE;
		break;
	case P_MREMAP_PUD:
	case P_MREMAP_2M:
	case P_MREMAP_UNALIGNED:
	case P_DONTUNMAP:
		r = mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED | (s == P_DONTUNMAP ? MREMAP_DONTUNMAP : 0),
			   (void *)(uintptr_t)target);
		if (r == MAP_FAILED && s == P_DONTUNMAP && errno == EINVAL) {
			note_skip(c, "mremap(MREMAP_DONTUNMAP)", errno);
			return false;
		}
		if (r == MAP_FAILED)
			st_error(c, "mremap of %llu bytes from %p to 0x%llx: %s", (unsigned long long)len, a,
				 (unsigned long long)target, strerror(errno));
		v->alt = (volatile char *)r - v->lo * ST_PAGE;
		v->state = s == P_DONTUNMAP ? VS_OK : VS_GONE;
		break;
	case P_DONTNEED:
		if (madvise(a, len, MADV_DONTNEED) < 0)
			st_error(c, "madvise(MADV_DONTNEED) of %llu bytes at %p: %s", (unsigned long long)len, a,
				 strerror(errno));
		break;
	case P_REMOVE:
		if (madvise(a, len, MADV_REMOVE) < 0)
			st_error(c, "madvise(MADV_REMOVE) of %llu bytes at %p: %s", (unsigned long long)len, a,
				 strerror(errno));
		/* The blocks are gone for every sharer: from now on the range reads zero. */
		st_ledger_zero(c, v->lo, v->hi - v->lo);
		break;
	default:
		break;
	}
	return true;
}

/* Phase C in the changer: put the standard mapping back. */
static void undo(struct sctx *c, enum step s, struct view *v)
{
	uint64_t len = (v->hi - v->lo) * ST_PAGE;
	void *a = addr_of(c, v->lo), *r;

	switch (s) {
	case P_MPROTECT_2M:
	case P_MPROTECT_4K:
		if (mprotect(a, len, PROT_READ | PROT_WRITE) < 0)
			st_error(c, "mprotect back to read-write: %s", strerror(errno));
		break;
	case P_MUNMAP:
		if (st_mmap_file(c, (uint64_t)(uintptr_t)a, len, v->lo * ST_PAGE) == MAP_FAILED)
			st_error(c, "mapping the file again at %p: %s", a, strerror(errno));
		break;
	case P_MREMAP_PUD:
	case P_MREMAP_2M:
	case P_MREMAP_UNALIGNED:
		r = mremap((void *)(v->alt + v->lo * ST_PAGE), len, len, MREMAP_MAYMOVE | MREMAP_FIXED, a);
		if (r == MAP_FAILED)
			st_error(c, "mremap back to %p: %s", a, strerror(errno));
		break;
	case P_DONTUNMAP:
		if (munmap((void *)(v->alt + v->lo * ST_PAGE), len) < 0)
			st_error(c, "munmap of the MREMAP_DONTUNMAP target: %s", strerror(errno));
		break;
	default:
		break;
	}
	v->alt = NULL;
	v->state = VS_OK;
}

static void changer_step(struct sctx *c, enum step s, volatile char *map, struct backing_map *m)
{
	struct view v = { .main = map, .lo = atomic_load(&c->bd->var[V_LO]), .hi = atomic_load(&c->bd->var[V_HI]) };
	uint64_t end;
	bool done;
	struct gup_arg g;
	pthread_t th;
	int err;

	/*
	 * Start from one fresh mapping: a step may leave the range split into
	 * VMAs that the kernel does not merge back (hugetlbfs before 6.x did
	 * not), and a step must not depend on the ones before it.
	 */
	if (munmap((void *)map, c->size) < 0)
		st_error(c, "munmap of its whole mapping before the step: %s", strerror(errno));
	memset(m, 0, sizeof(*m));
	if (st_map_shared(c, c->base, m) != map)
		st_error(c, "mapping the file again at 0x%llx moved it", (unsigned long long)c->base);

	/* A: change, then read the own view while the others write; a second
	 * thread reads it through GUP-fast all along, the change included. */
	memset(&g, 0, sizeof(g));
	g.tc = *c;
	g.tc.rng = rng_mix(c->rng, 0x67757066u);
	g.tc.local_checks = g.tc.local_writes = 0;
	g.v = &v;
	g.s = s;
	if (pipe2(g.pipe, O_CLOEXEC) < 0)
		st_error(c, "pipe2: %s", strerror(errno));
	err = pthread_create(&th, NULL, gup_thread, &g);
	if (err)
		st_error(c, "cannot start the vmsplice thread: %s", strerror(err));
	done = change(c, s, &v);
	end = now_ns() + atomic_load(&c->bd->var[V_STEP_NS]);
	while (done && now_ns() < end) {
		for (unsigned i = 0; i < 64; i++)
			view_check(c, &v, random_page_near(c, &v), 0);
	}
	atomic_store(&g.stop, 1);
	pthread_join(th, NULL);
	close(g.pipe[0]);
	close(g.pipe[1]);
	atomic_fetch_add(&c->bd->stat[S_GUP_READS], g.reads);
	atomic_fetch_add(&c->bd->stat[S_GUP_EFAULTS], g.efaults);
	atomic_store(&c->bd->stop, 1);
	st_sync(c);

	/* B: nobody writes: the own view must be exact. */
	if (done) {
		uint64_t step = v.hi - v.lo > 4096 ? 61 : 1;	/* a sample of big ranges */

		for (uint64_t pg = v.lo; pg < v.hi; pg += step)
			view_check(c, &v, pg, JUDGE_EXACT);
		view_check(c, &v, v.hi - 1, JUDGE_EXACT);
		for (unsigned i = 0; i < 2048; i++)
			view_check(c, &v, st_below(c, c->npages), JUDGE_EXACT);
	}
	st_sync(c);

	/* C: alone now: neighbours writable, undo, the range writable again. */
	if (done) {
		if (v.lo > 0 && !(s == P_MREMAP_PUD))
			st_expect_write(c, map, v.lo - 1, 0, "the page before the changed range");
		if (v.hi < c->npages && s != P_MREMAP_PUD)
			st_expect_write(c, map, v.hi, 0, "the page after the changed range");
		undo(c, s, &v);
		for (unsigned i = 0; i < 64; i++) {
			uint64_t pg = v.lo + st_below(c, v.hi - v.lo);

			st_expect_write(c, map, pg, 0, "the changed range after the undo");
			st_check_ok(c, map, pg, 0, JUDGE_EXACT, "the changed range after the undo");
		}
		st_verify(c, map, v.lo, v.hi - v.lo, true, "the changed range after the undo");
	}
	st_sync(c);
}

static void other_step(struct sctx *c, enum step s, volatile char *map)
{
	uint64_t lo = atomic_load(&c->bd->var[V_LO]), hi = atomic_load(&c->bd->var[V_HI]);
	unsigned me = c->w->index;

	/* A: write (half into the changed range) and read, until the changer is done. */
	while (!st_stopped(c)) {
		for (unsigned i = 0; i < 32; i++) {
			uint64_t pg = st_below(c, 2) ? lo + st_below(c, hi - lo) : st_random_owned_page(c, me);

			if (pg != ST_NONE && st_owner(c, pg) == me && !(s == P_REMOVE && pg >= lo && pg < hi)) {
				st_expect_write(c, map, pg, me, "writing while sharer 0 changes its mapping");
				if (pg >= lo && pg < hi)
					c->bd->stat[S_OTHER_WRITES_IN]++;
			}
			pg = st_below(c, 2) ? lo + st_below(c, hi - lo) : st_below(c, c->npages);
			st_check_ok(c, map, pg, st_owner(c, pg), s == P_REMOVE && pg >= lo && pg < hi ? JUDGE_ZERO_OK : 0,
				    "reading while sharer 0 changes its mapping");
		}
	}
	st_sync(c);
	/* B: everything exact. */
	st_verify(c, map, lo, hi - lo, false, "the range sharer 0 changed");
	st_verify(c, map, 0, c->npages, true, "the whole range");
	st_sync(c);
	/* C: the changer works alone. */
	st_sync(c);
}

static int partial_worker(struct sctx *c, void *arg)
{
	struct partial_arg *a = arg;
	struct backing_map m;
	volatile char *map = st_map_shared(c, c->base, &m);
	unsigned me = c->w->index;

	if (me == 0) {
		snprintf(c->who, sizeof(c->who), "changer (sharer 0, pid %ld)", (long)getpid());
		for (uint64_t pg = 0; pg < c->npages; pg += ST_PAGES_PER_BLOCK)
			(void)st_check(c, map, pg, PATTERN_ANY_OWNER, 0);	/* fault it in */
	} else {
		for (uint64_t pg = 0; pg < c->npages; pg++)
			if (st_owner(c, pg) == me)
				st_expect_write(c, map, pg, me, "initial fill");
	}
	st_sync(c);
	for (int s = 0; s < P_NSTEPS; s++) {
		if (!a->run[s])
			continue;
		if (me == 0)
			changer_step(c, (enum step)s, map, &m);
		else
			other_step(c, (enum step)s, map);
	}
	return 0;
}

/* A random range for step @s: [lo, hi) in pages, and the mremap target. */
static void choose(struct sctx *c, enum step s, uint64_t *lo, uint64_t *hi, uint64_t *target)
{
	uint64_t blocks = 1 + st_below(c, 4), b = 1 + st_below(c, c->nblocks - blocks - 2);
	bool fine = c->granule < ST_BLOCK && s != P_MPROTECT_2M && st_below(c, 2);
	uint64_t far = c->base + 16 * ST_PUD;

	*lo = b * ST_PAGES_PER_BLOCK;
	*hi = *lo + blocks * ST_PAGES_PER_BLOCK;
	if (fine) {	/* page-granular ends: splits PMD mappings */
		*lo += 1 + st_below(c, ST_PAGES_PER_BLOCK - 1);
		*hi = *lo + 1 + st_below(c, blocks * ST_PAGES_PER_BLOCK - 1);
	}
	switch (s) {
	case P_MPROTECT_4K:
		*lo = b * ST_PAGES_PER_BLOCK + 1 + st_below(c, ST_PAGES_PER_BLOCK - 4);
		*hi = *lo + 1 + st_below(c, 3);
		break;
	case P_MREMAP_PUD:
		*lo = 0;
		*hi = c->npages;
		*target = far;
		break;
	case P_MREMAP_2M:
	case P_DONTUNMAP:
		*lo = b * ST_PAGES_PER_BLOCK;
		*hi = *lo + blocks * ST_PAGES_PER_BLOCK;
		*target = far + ST_BLOCK * st_below(c, 256);
		break;
	case P_MREMAP_UNALIGNED:
		*target = far + ST_BLOCK * st_below(c, 256) + ST_PAGE * (1 + st_below(c, ST_PAGES_PER_BLOCK - 1));
		/* Not congruent with the file offset (no PMD mapping there) and not
		 * 2 MiB-aligned itself: step back a page when one forward would be. */
		if ((*target - *lo * ST_PAGE) % ST_BLOCK == 0)
			*target += (*target + ST_PAGE) % ST_BLOCK ? ST_PAGE : -ST_PAGE;
		break;
	default:
		*target = 0;
	}
}

static int partial_run(struct sctx *c)
{
	struct partial_arg a;
	struct worker_pool *p;
	unsigned n = c->smoke ? 3 : 4, nrun = 0;
	const char *failed_step = "setup";

	memset(&a, 0, sizeof(a));
	for (int s = 0; s < P_NSTEPS; s++) {
		a.run[s] = !(st_is(c, BACKING_HUGETLBFS) && steps[s].hugetlb_skip);
		nrun += a.run[s];
	}
	st_assign_blocks(c, n - 1, 1, 0);
	p = st_pool_start(c, n, partial_worker, &a);
	if (!p) {
		st_fail(c, "%s", c->fail);
		return -1;
	}
	if (st_wait(c, p) < 0)
		goto fail;
	for (int s = 0; s < P_NSTEPS; s++) {
		uint64_t lo, hi, target = 0;
		char note[ST_MSG_LEN] = "";

		if (!a.run[s]) {
			st_skip(c, steps[s].hugetlb_skip, "%s", steps[s].name);
			continue;
		}
		failed_step = steps[s].name;
		choose(c, (enum step)s, &lo, &hi, &target);
		if (hi <= lo || hi > c->npages) {
			st_fail(c, "%s: internal error: chose pages %llu-%llu of %llu", steps[s].name,
				(unsigned long long)lo, (unsigned long long)hi, (unsigned long long)c->npages);
			pool_kill(p);
			pool_free(p);
			return -1;
		}
		atomic_store(&c->bd->var[V_LO], lo);
		atomic_store(&c->bd->var[V_HI], hi);
		atomic_store(&c->bd->var[V_TARGET], target);
		atomic_store(&c->bd->var[V_SKIP], 0);
		atomic_store(&c->bd->var[V_STEP_NS], c->budget_ns / nrun);
		atomic_store(&c->bd->note_state, 0);
		c->bd->stat[S_OTHER_WRITES_IN] = 0;
		c->bd->stat[S_GUP_READS] = 0;
		c->bd->stat[S_GUP_EFAULTS] = 0;
		if (st_step(c, p) < 0 || st_step(c, p) < 0 || st_step(c, p) < 0)
			goto fail;
		if (atomic_load(&c->bd->note_state) == 2)
			snprintf(note, sizeof(note), "%s", c->bd->note);
		if (atomic_load(&c->bd->var[V_SKIP])) {
			st_skip(c, note, "%s", steps[s].name);
			continue;
		}
		st_pass(c, "%s: pages %llu-%llu (%llu KiB)%s%s in sharer 0: %s; the others' data and write access right throughout%s; %llu words read by a second thread of sharer 0 through vmsplice (GUP-fast) during the change right (%llu EFAULT in the vanished range)",
			steps[s].name, (unsigned long long)lo, (unsigned long long)hi - 1,
			(unsigned long long)((hi - lo) * 4), target ? " moved to " : "",
			target ? (target % ST_BLOCK ? "a 4 KiB-aligned address" :
				  target % ST_PUD ? "a 2 MiB-aligned address" : "a 1 GiB-aligned address") : "",
			steps[s].checked, s == P_REMOVE ? "; rewritten afterwards" : "; after the undo its writes land there again",
			(unsigned long long)c->bd->stat[S_GUP_READS], (unsigned long long)c->bd->stat[S_GUP_EFAULTS]);
		if (s != P_REMOVE)
			st_diag(c, "%s: the other sharers wrote %llu times into the changed range meanwhile", steps[s].name,
				(unsigned long long)c->bd->stat[S_OTHER_WRITES_IN]);
	}
	if (st_finish(c, p) < 0) {
		failed_step = "final";
		goto fail;
	}
	pool_free(p);
	return 0;
fail:
	pool_free(p);
	st_fail(c, "%s: %s", failed_step, c->fail);
	return -1;
}

static void partial_negate(struct sctx *c)
{
	c->neg |= NEG_PERM;
}

const struct scenario sc_partial = {
	.name = "partial",
	.summary = "one sharer mprotects (2M, 4K), munmaps a middle piece, mremaps (1G-aligned, 2M-aligned, unaligned, MREMAP_DONTUNMAP) and madvises (DONTNEED, REMOVE) part of its mapping while the others write: their data and permissions stay right",
	.negative = "the changer expects to keep write access to the range it made read-only",
	.min_gib = 1,
	.run = partial_run,
	.negate = partial_negate,
};
