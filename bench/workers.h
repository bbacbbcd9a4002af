/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * workers: fork N processes, step them through phases together, collect
 * their results, and kill and reap all of them on error or SIGINT.
 *
 * A worker runs its function in phases.  worker_sync() reports "reached
 * the end of this phase" to the parent and sleeps until the parent
 * releases the next phase for everybody at once (a futex on a shared
 * generation counter, so release is one store and one wake).  The parent
 * pairs pool_wait() (all workers reached the barrier) with pool_release().
 * A worker that fails sends a one-line reason; a worker that dies is
 * noticed within 100 ms; either aborts the pool with the reason.
 *
 * Results go to a per-worker slot of shared memory allocated before the
 * fork.  Each worker touches its slot and a stretch of stack before its
 * first sync, so nothing it does after the first barrier allocates page
 * tables outside the mapping under test: a measurement baseline taken at
 * the first barrier is exact.  Worker functions should also allocate
 * their heap memory before their first worker_sync().
 */
#ifndef PTSHARE_WORKERS_H
#define PTSHARE_WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pin.h"

struct probe_ctx;
struct worker_pool;

struct worker {
	unsigned index;
	unsigned nworkers;
	void *slot;		/* this worker's result slot (shared) */
	void *arg;		/* the benchmark's argument */
	struct worker_pool *pool;
};

/* Returns the worker's exit code: 0 for success. */
typedef int (*worker_fn)(struct worker *w);

struct pool_opts {
	unsigned nworkers;
	size_t slot_size;
	enum pin_mode pin;
	const struct pin_plan *pin_plan;	/* from pin_prepare(), or NULL */
	const struct probe_ctx *probe;		/* workers join its cgroup */
	uint64_t phase_timeout_ns;		/* 0: 30 minutes */
};

/* Parent. */
struct worker_pool *pool_start(const struct pool_opts *o, worker_fn fn, void *arg,
			       char *err, size_t errlen);
int pool_wait(struct worker_pool *p, char *err, size_t errlen);
void pool_release(struct worker_pool *p);
/* Release the last phase and reap every worker; fails if any exited non-zero. */
int pool_finish(struct worker_pool *p, char *err, size_t errlen);
/* Reap only (the workers were released and are exiting on their own). */
int pool_reap(struct worker_pool *p, char *err, size_t errlen);
void pool_kill(struct worker_pool *p);
void pool_free(struct worker_pool *p);
void *pool_slot(struct worker_pool *p, unsigned index);
const pid_t *pool_pids(const struct worker_pool *p);
unsigned pool_size(const struct worker_pool *p);

/* Worker. */
void worker_sync(struct worker *w);
/* Report a one-line failure to the parent and exit(1). */
void worker_fail(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

#endif
