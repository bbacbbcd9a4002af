/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stress: what a scenario of `ptshare stress` is, and the machinery the
 * scenarios share.
 *
 * A scenario is one file in bench/stress/ defining a `struct scenario`:
 * its name, a summary, what its negative control alters, the file size it
 * needs, a run function and a negative-control hook.  stress.c lists the
 * scenarios, opens a fresh backing file for each, takes the page-table
 * and kernel-log baselines (watch.c), calls run(), and checks afterwards
 * that page tables came back and the kernel log stayed clean.
 *
 * run() executes in the ptshare process and drives worker processes of
 * the core workers module (st_pool_start) through phases; workers fork
 * further processes (st_fork) where a scenario needs processes that come
 * and go.  Every process reads and writes the pattern words of pattern.h
 * through the shared ledger, and reports the first wrong word, permission
 * or signal through the board (shared memory) and its exit status.
 *
 * The negative-control hook sets NEG_* bits in the context; the checkers
 * (st_check*, st_expect_fault, ...) then expect something wrong, and the
 * scenario must fail with a checker mismatch.
 */
#ifndef PTSHARE_STRESS_H
#define PTSHARE_STRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backing.h"
#include "pattern.h"

struct probe_ctx;
struct worker;
struct worker_pool;

#define ST_PAGE		UINT64_C(4096)
#define ST_BLOCK	(UINT64_C(2) << 20)	/* 2 MiB: one PMD entry */
#define ST_PAGES_PER_BLOCK 512u
#define ST_PUD		(UINT64_C(1) << 30)
#define ST_NONE		UINT64_MAX
#define ST_MAX_SLOTS	4096u		/* writer slots with an in-flight record */

/* Exit codes of processes forked inside a scenario. */
enum { ST_EXIT_OK = 0, ST_EXIT_MISMATCH = 1, ST_EXIT_ERROR = 2, ST_EXIT_ABORT = 3 };

/* What a negative control alters (set by a scenario's negate hook). */
enum {
	NEG_PATTERN = 1 << 0,	/* data checks expect the next generation */
	NEG_PERM = 1 << 1,	/* a permission check expects write access that was removed */
	NEG_SIGBUS = 1 << 2,	/* beyond-EOF checks expect the access to succeed */
	NEG_ISOLATION = 1 << 3,	/* shared mappings expect to see private COW writes */
	NEG_ZERO = 1 << 4,	/* hole checks expect data instead of zeros */
};

/* An in-flight write of one writer slot: recovered after a kill -9. */
struct slot_rec {
	_Atomic uint64_t pg;	/* ST_NONE when idle */
	_Atomic uint64_t word;
};

#define ST_MSG_LEN 512

/* Shared memory of a scenario run, mapped before any process is forked. */
struct board {
	_Atomic uint64_t checks;	/* words judged */
	_Atomic uint64_t writes;	/* words written */
	_Atomic uint64_t mismatches;	/* checker failures: what a negative control needs */
	_Atomic uint64_t deaths;	/* processes that died of an unexpected signal */
	_Atomic uint64_t forks;		/* processes forked inside the scenario */
	_Atomic uint64_t kills;		/* of them, killed with SIGKILL on purpose */
	_Atomic uint32_t stop;		/* racing loops end */
	_Atomic uint32_t msg_state;	/* 0 empty, 1 being written, 2 complete */
	char msg[ST_MSG_LEN];		/* the first failure */
	_Atomic uint32_t note_state;
	char note[ST_MSG_LEN];		/* a skip reason or detail for the step line */
	_Atomic uint64_t var[32];	/* scenario-specific shared values */
	_Atomic uint64_t stat[32];	/* scenario-specific counters */
	struct slot_rec slots[ST_MAX_SLOTS];
};

struct scenario;

struct sctx {
	const struct scenario *sc;
	struct backing *b;
	struct pattern pt;
	uint64_t run_seed;	/* --seed: what reproduces the run */
	uint64_t seed;		/* this scenario's seed, derived from run_seed and the name */
	uint64_t base;		/* 1 GiB-aligned address of the shared mapping */
	uint64_t size;		/* bytes of the file and of the full mapping */
	uint64_t npages, nblocks;
	uint64_t granule;	/* smallest range the backing maps, splits or punches */
	uint64_t budget_ns;	/* time the scenario's random loops may take */
	uint64_t timeout_ns;	/* a phase that takes longer is a hang */
	bool smoke;
	unsigned neg;		/* NEG_* */
	unsigned judge;		/* JUDGE_NEG when NEG_PATTERN */
	struct probe_ctx *probe;
	struct board *bd;
	_Atomic uint64_t *ledger;	/* npages entries */
	_Atomic uint32_t *owner;	/* nblocks entries: the writer owning each 2 MiB block */
	size_t shared_len;
	/* Per process, after fork. */
	struct worker *w;	/* set in pool workers, NULL in processes they fork */
	char who[64];
	uint64_t rng;
	uint64_t local_checks, local_writes;
	/* Parent: reporting. */
	unsigned failed;	/* steps that failed */
	char fail[ST_MSG_LEN];	/* the failure of the last st_wait/st_step */
};

struct scenario {
	const char *name;	/* --scenario NAME */
	const char *summary;	/* one line */
	const char *negative;	/* what the negative control alters */
	unsigned min_gib;	/* the file is at least this many GiB */
	/* Runs the scenario: reports its steps, returns 0 or -1 (a step failed). */
	int (*run)(struct sctx *c);
	/* The negative control: set the wrong expectation in @c. */
	void (*negate)(struct sctx *c);
};

/* ---- reporting (parent) ---------------------------------------------- */

/* TAP lines: "ok N - TEXT [backing seed=S]" (not ok also prints the reproduce line). */
void st_pass(struct sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void st_fail(struct sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void st_skip(struct sctx *c, const char *reason, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void st_diag(struct sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- processes --------------------------------------------------------- */

typedef int (*st_worker_fn)(struct sctx *c, void *arg);

/* Fork @n workers (core workers module) that join the probe cgroup. */
struct worker_pool *st_pool_start(struct sctx *c, unsigned n, st_worker_fn fn, void *arg);
/* Parent: wait for every worker to reach the end of the phase; release the next and wait. */
int st_wait(struct sctx *c, struct worker_pool *p);
int st_step(struct sctx *c, struct worker_pool *p);
/* Parent: release the last phase and reap; 0 or -1 (c->fail). */
int st_finish(struct sctx *c, struct worker_pool *p);
/* Worker: end of a phase (flushes the counters first). */
void st_sync(struct sctx *c);

/* Fork a process inside a worker: 0 in the child, its pid in the parent. */
pid_t st_fork(struct sctx *c, const char *who_fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a process that may outlive its parent (no parent-death signal). */
pid_t st_fork_orphan(struct sctx *c, const char *who_fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Reap @pid and judge its end: exit 0 is fine, SIGKILL only when
 * @may_be_killed; a child's checker failure or error is passed on (this
 * process fails with the same message).  Returns 1 when it was killed.
 */
int st_reap(struct sctx *c, pid_t pid, bool may_be_killed);
/* Judge a status already collected by waitpid. */
int st_judge_status(struct sctx *c, pid_t pid, int status, bool may_be_killed);
void st_exit(struct sctx *c, int code) __attribute__((noreturn));

/* A checker failure (counts for the negative control) / any other failure. */
void st_mismatch(struct sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void st_error(struct sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* A note for the parent's step line (first one wins). */
void st_note(struct sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void st_flush_counts(struct sctx *c);

/* ---- memory access ----------------------------------------------------- */

/* One aligned 64-bit access that survives SIGBUS/SIGSEGV: 0 or the signal. */
int st_load(const volatile void *p, uint64_t *v);
int st_store(volatile void *p, uint64_t v);
const char *st_signame(int sig);

/* The word of page @pg in a mapping whose file offset 0 is at @map. */
static inline volatile uint64_t *st_word(volatile char *map, uint64_t pg)
{
	return (volatile uint64_t *)(map + pg * ST_PAGE);
}

/*
 * Write the next generation of page @pg as @writer (the page's owner).
 * @slot, when not NULL, records the write while it is in flight.
 * Returns 0, or the signal the store took (nothing is published then).
 */
int st_write(struct sctx *c, volatile char *map, uint64_t pg, unsigned writer, struct slot_rec *slot);
/*
 * Read page @pg and judge it against the ledger (JUDGE_* flags; @owner may
 * be ahead of the ledger).  A wrong word is a mismatch (does not return);
 * a signal is returned for the caller to judge (0: the word was right).
 */
int st_check(struct sctx *c, volatile char *map, uint64_t pg, unsigned owner, unsigned flags);
/* st_check, and any signal is a mismatch too. */
void st_check_ok(struct sctx *c, volatile char *map, uint64_t pg, unsigned owner, unsigned flags,
		 const char *what);
/*
 * Verify [pg0, pg0+n) exactly (no writer active): every page, or with
 * @sampled the first and last page of every 2 MiB block and every
 * 8th page from a per-process offset.
 */
void st_verify(struct sctx *c, volatile char *map, uint64_t pg0, uint64_t n, bool sampled, const char *what);
/* Every page of [pg0, pg0+n) reads zero (and not a stale word). */
void st_verify_zero(struct sctx *c, volatile char *map, uint64_t pg0, uint64_t n, const char *what);
/* An access that must fault with @sig (SIGBUS beyond EOF, SIGSEGV without permission). */
void st_expect_fault(struct sctx *c, volatile char *map, uint64_t pg, bool write, int sig, const char *what);
/* A write that must land. */
void st_expect_write(struct sctx *c, volatile char *map, uint64_t pg, unsigned writer, const char *what);
/*
 * Random work of a writer: writes to pages of @writer's blocks (in flight in
 * @rec), judged reads anywhere, sweeps of whole 2 MiB blocks.  @forever:
 * until killed (bounded all the same).
 */
void st_member_work(struct sctx *c, volatile char *map, unsigned writer, struct slot_rec *rec,
		    unsigned nops, bool forever);
/* Judge a word  of page @pg obtained otherwise (read(), pread()). */
void st_judge(struct sctx *c, uint64_t pg, uint64_t v, uint64_t l1, uint64_t l2, unsigned owner, unsigned flags,
	      const char *what);
/* Complete or drop the in-flight write of a writer slot after its process was killed. */
void st_recover(struct sctx *c, volatile char *map, struct slot_rec *slot);

/* Ledger and ownership (anyone may read; only the owner writes its pages). */
static inline uint64_t st_ledger(struct sctx *c, uint64_t pg)
{
	return atomic_load_explicit(&c->ledger[pg], memory_order_acquire);
}
void st_ledger_zero(struct sctx *c, uint64_t pg0, uint64_t n);	/* expect zeros (after a punch) */
static inline unsigned st_owner(struct sctx *c, uint64_t pg)
{
	return atomic_load_explicit(&c->owner[pg / ST_PAGES_PER_BLOCK], memory_order_relaxed);
}
/* Give 2 MiB block b to writer (b + rot) % nwriters (+ first). */
void st_assign_blocks(struct sctx *c, unsigned nwriters, unsigned first, unsigned rot);
/* A random page of a block owned by @writer, or ST_NONE when it owns none. */
uint64_t st_random_owned_page(struct sctx *c, unsigned writer);

/* ---- mapping ------------------------------------------------------------ */

/* Map [off, off+len) of the backing (or @fd when >= 0) at exactly @addr. */
void *st_mmap(struct sctx *c, uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off);
/* A read-write MAP_SHARED piece [off, off+len) of the backing at @addr. */
void *st_mmap_file(struct sctx *c, uint64_t addr, uint64_t len, uint64_t off);
/* The standard shared mapping: the backing module's backing_map at @addr. */
volatile char *st_map_shared(struct sctx *c, uint64_t addr, struct backing_map *m);

/* ---- the file ---------------------------------------------------------- */

/*
 * Another file next to the backing (same directory, or a memfd of the same
 * kind), @size bytes, filled with PATTERN_INTRUDER words: it takes the
 * blocks this file freed.  Returns its fd (the parent removes it with
 * st_other_file_close), or -1 with c->fail set.
 */
int st_other_file(struct sctx *c, uint64_t size);
void st_other_file_close(struct sctx *c, int fd);

/* The backing's name for TAP lines. */
const char *st_backing_name(const struct sctx *c);
bool st_is(const struct sctx *c, enum backing_kind k);

/* Random loop helpers. */
static inline bool st_stopped(struct sctx *c)
{
	return atomic_load_explicit(&c->bd->stop, memory_order_acquire) != 0;
}
uint64_t st_rand(struct sctx *c);
uint64_t st_below(struct sctx *c, uint64_t n);

/* The scenarios, in order. */
extern const struct scenario sc_attach, sc_partial, sc_truncate, sc_private, sc_fork, sc_sync,
	sc_mixed, sc_pud;

#endif
