// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork-storm: fork storms with large shared mappings.
 *
 * N sharers map the whole file (2 GiB at least) at the 1 GiB-aligned base
 * and write the blocks of their K writer slots.  Each then keeps K
 * children busy until the time is up: a child inherits the mapping (fork
 * copies or shares the page tables), first checks exactly that it sees the
 * data its slot holds (written by the parent or by earlier children),
 * then writes and reads like any sharer and leaves by exit, by munmap,
 * by being killed with SIGKILL, or by exiting at once after forking a
 * grandchild that reads on as an orphan.  The sharer is a child
 * subreaper, so orphans come back to it; children and grandchildren end
 * in any order.  Finally every sharer verifies the whole file.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

enum { V_END = 0, V_K };
enum { S_CHILDREN = 0, S_KILLED, S_MUNMAP, S_GRANDCHILDREN, S_EXACT };
enum mode { M_EXIT, M_MUNMAP, M_KILL, M_ORPHAN };

static void grandchild(struct sctx *c)
{
	unsigned ops = 16 + (unsigned)st_below(c, 200);
	volatile char *map = (volatile char *)(uintptr_t)c->base;	/* inherited */

	for (unsigned i = 0; i < ops; i++) {
		uint64_t pg = st_below(c, c->npages);

		st_check_ok(c, map, pg, st_owner(c, pg), 0, "orphaned grandchild reading");
	}
	st_exit(c, 0);
}

static void child(struct sctx *c, unsigned slot, enum mode how, struct backing_map *m)
{
	volatile char *map = m->addr;
	struct slot_rec *rec = &c->bd->slots[slot];

	st_recover(c, map, rec);
	/* Nobody else writes this slot's pages now: what the parent left must be exact. */
	for (unsigned i = 0; i < 64; i++) {
		uint64_t pg = st_random_owned_page(c, slot);

		if (pg != ST_NONE)
			st_check_ok(c, map, pg, slot, JUDGE_EXACT, "the data its slot inherited");
	}
	c->bd->stat[S_EXACT] += 64;
	if (how == M_ORPHAN) {
		pid_t g = st_fork_orphan(c, "grandchild of slot %u", slot);

		if (g == 0)
			grandchild(c);
		c->bd->stat[S_GRANDCHILDREN]++;
	}
	st_member_work(c, map, slot, rec, 8 + (unsigned)st_below(c, 200), how == M_KILL);
	/* Its own writes: still nobody else writes this slot's pages. */
	for (unsigned i = 0; i < 64; i++) {
		uint64_t pg = st_random_owned_page(c, slot);

		if (pg != ST_NONE)
			st_check_ok(c, map, pg, slot, JUDGE_EXACT, "its own writes");
	}
	if (how == M_MUNMAP && backing_unmap(c->b, m) < 0)
		st_error(c, "munmap of the inherited mapping failed: %s", strerror(errno));
	st_exit(c, 0);
}

static int fork_worker(struct sctx *c, void *arg)
{
	unsigned me = c->w->index, k = (unsigned)atomic_load(&c->bd->var[V_K]);
	pid_t kids[16] = { 0 };
	enum mode modes[16];
	unsigned running = 0, forked = 0;
	struct backing_map m;
	volatile char *map = st_map_shared(c, c->base, &m);
	uint64_t end;

	(void)arg;
	for (unsigned s = me * k; s < (me + 1) * k; s++)
		for (uint64_t pg = 0; pg < c->npages; pg += 1 + st_below(c, 8))
			if (st_owner(c, pg) == s)
				st_expect_write(c, map, pg, s, "the parent's data");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		st_error(c, "prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
	st_sync(c);	/* 0 */
	end = atomic_load(&c->bd->var[V_END]);
	for (;;) {
		int st;
		pid_t pid;

		for (unsigned j = 0; j < k && now_ns() < end; j++) {
			unsigned slot = me * k + j;

			if (kids[j])
				continue;
			modes[j] = (enum mode)st_below(c, 4);
			pid = st_fork(c, "child %u.%u", slot, forked);
			if (pid == 0)
				child(c, slot, modes[j], &m);
			kids[j] = pid;
			running++;
			forked++;
			c->bd->stat[S_CHILDREN]++;
			if (modes[j] == M_KILL) {
				sleep_ns(st_below(c, 3000000));
				kill(pid, SIGKILL);
			}
		}
		if (!running && now_ns() >= end)
			break;
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			st_error(c, "waitpid: %s", strerror(errno));
		}
		for (unsigned j = 0; j < k; j++) {
			if (kids[j] != pid)
				continue;
			if (st_judge_status(c, pid, st, modes[j] == M_KILL))
				c->bd->stat[S_KILLED]++;
			else if (modes[j] == M_MUNMAP)
				c->bd->stat[S_MUNMAP]++;
			kids[j] = 0;
			running--;
			pid = 0;
			break;
		}
		if (pid)	/* an orphaned grandchild, reparented to us */
			st_judge_status(c, pid, st, false);
	}
	/* The orphans still reading. */
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, 0);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		st_judge_status(c, pid, st, false);
	}
	st_sync(c);	/* 1 */
	for (unsigned s = 0; s < k; s++)
		st_recover(c, map, &c->bd->slots[me * k + s]);
	st_sync(c);	/* 2 */
	st_verify(c, map, 0, c->npages, true, "after the fork storm");
	return 0;
}

static int fork_run(struct sctx *c)
{
	unsigned n = c->smoke ? 2 : 4, k = c->smoke ? 3 : 6;
	struct worker_pool *p;

	st_assign_blocks(c, n * k, 0, 0);
	atomic_store(&c->bd->var[V_K], k);
	p = st_pool_start(c, n, fork_worker, NULL);
	if (!p) {
		st_fail(c, "%s", c->fail);
		return -1;
	}
	if (st_wait(c, p) < 0)
		goto fail;
	atomic_store(&c->bd->var[V_END], now_ns() + c->budget_ns);
	if (st_step(c, p) < 0 || st_step(c, p) < 0 || st_finish(c, p) < 0)
		goto fail;
	pool_free(p);
	st_pass(c, "%u sharers of %llu GiB, each keeping %u children busy: %llu children (%llu killed with SIGKILL, %llu munmapped first, %llu left an orphan grandchild reading) saw their slot's data exactly (%llu checks), wrote and read; all ended as expected",
		n, (unsigned long long)(c->size / ST_PUD), k, (unsigned long long)c->bd->stat[S_CHILDREN],
		(unsigned long long)c->bd->stat[S_KILLED], (unsigned long long)c->bd->stat[S_MUNMAP],
		(unsigned long long)c->bd->stat[S_GRANDCHILDREN], (unsigned long long)c->bd->stat[S_EXACT]);
	return 0;
fail:
	pool_free(p);
	st_fail(c, "%s", c->fail);
	return -1;
}

static void fork_negate(struct sctx *c)
{
	c->neg |= NEG_PATTERN;
}

const struct scenario sc_fork = {
	.name = "fork-storm",
	.summary = "fork storms with large shared mappings: children see the parent's data and their own writes; children, orphaned grandchildren and kill -9 end in any order",
	.negative = "every read expects the generation after the one published",
	.min_gib = 2,
	.run = fork_run,
	.negate = fork_negate,
};
