// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach-detach: sharers join and leave in random order while the others
 * read and write.
 *
 * N slots (2, 3 and 64 sharers), each a worker of the core pool.  A slot
 * runs members one after another: each member maps the file at the
 * 1 GiB-aligned base (attach: its faults find or build the shared PMD
 * tables), reads and writes, and leaves by exit with the mapping held,
 * by munmap, by munmap and a second attach, or by being killed with
 * SIGKILL at a random moment (mid-fault, mid-write).  Members write only
 * the 2 MiB blocks of their slot; every read is judged against the
 * ledger.  A killed member's in-flight write is completed or dropped by
 * the next member of its slot.  At the end every slot maps the file once
 * more and verifies all of it exactly.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { V_END = 0 };
enum { S_JOINS, S_EXIT, S_MUNMAP, S_REJOIN, S_KILL };
enum leave { L_EXIT, L_MUNMAP, L_REJOIN, L_KILL };

static void member(struct sctx *c, unsigned slot, enum leave how)
{
	struct slot_rec *rec = &c->bd->slots[slot];
	struct backing_map m;
	volatile char *map = st_map_shared(c, c->base, &m);
	unsigned nops = 8 + (unsigned)st_below(c, 120);

	st_recover(c, map, rec);
	st_member_work(c, map, slot, rec, nops, how == L_KILL);
	if (how == L_MUNMAP || how == L_REJOIN) {
		if (backing_unmap(c->b, &m) < 0)
			st_error(c, "munmap of the shared mapping failed");
	}
	if (how == L_REJOIN) {
		map = st_map_shared(c, c->base, &m);
		st_member_work(c, map, slot, rec, nops, false);
	}
	st_exit(c, 0);
}

static int slot_worker(struct sctx *c, void *arg)
{
	unsigned slot = c->w->index, members = 0;
	uint64_t end;
	struct backing_map m;
	volatile char *map;

	(void)arg;
	st_sync(c);			/* 1: all slots exist */
	end = atomic_load(&c->bd->var[V_END]);
	for (bool last = false; !last;) {
		enum leave how = (enum leave)st_below(c, 4);
		pid_t pid;

		last = now_ns() >= end;
		if (last && how != L_MUNMAP)
			how = L_EXIT;	/* the last member leaves the slot's record clean */
		pid = st_fork(c, "member %u.%u", slot, members);
		if (pid == 0)
			member(c, slot, how);
		members++;
		if (how == L_KILL) {
			sleep_ns(st_below(c, 3000000));
			kill(pid, SIGKILL);
		}
		if (st_reap(c, pid, how == L_KILL) == 0 && how == L_KILL)
			how = L_EXIT;	/* it finished before the kill */
		atomic_fetch_add(&c->bd->stat[S_JOINS], how == L_REJOIN ? 2 : 1);
		atomic_fetch_add(&c->bd->stat[how == L_EXIT ? S_EXIT : how == L_MUNMAP ? S_MUNMAP :
					   how == L_REJOIN ? S_REJOIN : S_KILL], 1);
	}
	st_sync(c);			/* 2: every slot has stopped writing */
	snprintf(c->who, sizeof(c->who), "verifier %u (pid %ld)", slot, (long)getpid());
	map = st_map_shared(c, c->base, &m);
	st_recover(c, map, &c->bd->slots[slot]);
	st_verify(c, map, 0, c->npages, c->w->nworkers > 8, "final verification");
	return 0;
}

static int attach_run(struct sctx *c)
{
	static const unsigned counts[] = { 2, 3, 64 };
	static const unsigned weight[] = { 1, 1, 2 };

	for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
		unsigned n = counts[i];
		struct worker_pool *p;
		uint64_t t0 = now_ns();

		memset(c->bd->stat, 0, sizeof(c->bd->stat));
		st_assign_blocks(c, n, 0, i);
		p = st_pool_start(c, n, slot_worker, NULL);
		if (!p) {
			st_fail(c, "%u sharers: %s", n, c->fail);
			return -1;
		}
		if (st_wait(c, p) < 0)
			goto fail;
		atomic_store(&c->bd->var[V_END], now_ns() + c->budget_ns * weight[i] / 4);
		if (st_step(c, p) < 0 || st_finish(c, p) < 0)
			goto fail;
		pool_free(p);
		st_pass(c, "%u sharers: %llu attaches; leaves by exit %llu, munmap %llu, munmap+reattach %llu, kill -9 %llu; data right in every read (%.1f s)",
			n, (unsigned long long)atomic_load(&c->bd->stat[S_JOINS]),
			(unsigned long long)atomic_load(&c->bd->stat[S_EXIT]),
			(unsigned long long)atomic_load(&c->bd->stat[S_MUNMAP]),
			(unsigned long long)atomic_load(&c->bd->stat[S_REJOIN]),
			(unsigned long long)atomic_load(&c->bd->stat[S_KILL]), (double)(now_ns() - t0) / 1e9);
		continue;
fail:
		pool_free(p);
		st_fail(c, "%u sharers: %s", n, c->fail);
		return -1;
	}
	return 0;
}

static void attach_negate(struct sctx *c)
{
	c->neg |= NEG_PATTERN;
}

const struct scenario sc_attach = {
	.name = "attach-detach",
	.summary = "processes join and leave (exit, munmap, munmap+reattach, kill -9) in random order while others read and write; 2, 3 and 64 sharers",
	.negative = "every read expects the generation after the one published",
	.min_gib = 1,
	.run = attach_run,
	.negate = attach_negate,
};
