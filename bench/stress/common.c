// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machinery every stress scenario uses: processes (on top of the core
 * workers module), fault-tolerant access, the ledger protocol, the
 * checkers and the other file that takes freed blocks.
 */
#include "config.h"

#include "stress.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

/* Board variables reserved for the block assignment. */
enum { V_ASSIGN_NW = 29, V_ASSIGN_FIRST = 30, V_ASSIGN_ROT = 31 };

/* ---- fault-tolerant access ------------------------------------------- */

static sigjmp_buf acc_jb;
static volatile sig_atomic_t acc_armed;

static void acc_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (acc_armed) {
		acc_armed = 0;
		siglongjmp(acc_jb, sig);
	}
	/* Not inside st_load/st_store: a real crash.  Die of it. */
	signal(sig, SIG_DFL);
}

static void st_proc_init(struct sctx *c, uint64_t stream)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = acc_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	c->rng = rng_mix(c->rng ? c->rng : c->seed, stream);
	c->local_checks = c->local_writes = 0;
}

int st_load(const volatile void *p, uint64_t *v)
{
	int sig = sigsetjmp(acc_jb, 0);

	if (sig)
		return sig;
	acc_armed = 1;
	*v = __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE);
	acc_armed = 0;
	return 0;
}

int st_store(volatile void *p, uint64_t v)
{
	int sig = sigsetjmp(acc_jb, 0);

	if (sig)
		return sig;
	acc_armed = 1;
	__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE);
	acc_armed = 0;
	return 0;
}

const char *st_signame(int sig)
{
	switch (sig) {
	case 0: return "no signal";
	case SIGBUS: return "SIGBUS";
	case SIGSEGV: return "SIGSEGV";
	case SIGKILL: return "SIGKILL";
	case SIGABRT: return "SIGABRT";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	default: return strsignal(sig);
	}
}

/* ---- failures --------------------------------------------------------- */

void st_flush_counts(struct sctx *c)
{
	if (c->local_checks)
		atomic_fetch_add(&c->bd->checks, c->local_checks);
	if (c->local_writes)
		atomic_fetch_add(&c->bd->writes, c->local_writes);
	c->local_checks = c->local_writes = 0;
}

static void board_record(struct board *bd, const char *text)
{
	uint32_t expect = 0;

	if (atomic_compare_exchange_strong(&bd->msg_state, &expect, 1)) {
		snprintf(bd->msg, sizeof(bd->msg), "%s", text);
		atomic_store(&bd->msg_state, 2);
	}
}

static void __attribute__((noreturn)) fail_out(struct sctx *c, int code, const char *text)
{
	board_record(c->bd, text);
	st_flush_counts(c);
	if (c->w)
		worker_fail(c->w, "%s", text);
	_exit(code);
}

static void __attribute__((format(printf, 4, 0), noreturn))
vfail(struct sctx *c, int code, bool mismatch, const char *fmt, va_list ap)
{
	char text[ST_MSG_LEN];
	int n = snprintf(text, sizeof(text), "%s: ", c->who);

	if (n < 0 || (size_t)n >= sizeof(text))
		n = 0;
	vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	if (mismatch)
		atomic_fetch_add(&c->bd->mismatches, 1);
	fail_out(c, code, text);
}

void st_mismatch(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, ST_EXIT_MISMATCH, true, fmt, ap);
}

void st_error(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, ST_EXIT_ERROR, false, fmt, ap);
}

void st_note(struct sctx *c, const char *fmt, ...)
{
	uint32_t expect = 0;
	va_list ap;

	if (!atomic_compare_exchange_strong(&c->bd->note_state, &expect, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(c->bd->note, sizeof(c->bd->note), fmt, ap);
	va_end(ap);
	atomic_store(&c->bd->note_state, 2);
}

void st_exit(struct sctx *c, int code)
{
	st_flush_counts(c);
	_exit(code);
}

/* ---- processes -------------------------------------------------------- */

struct trampoline {
	struct sctx *c;
	st_worker_fn fn;
	void *arg;
};

static int trampoline_fn(struct worker *w)
{
	struct trampoline *t = w->arg;
	struct sctx *c = t->c;	/* this process's own copy since the fork */

	c->w = w;
	snprintf(c->who, sizeof(c->who), "sharer %u (pid %ld)", w->index, (long)getpid());
	c->rng = 0;
	st_proc_init(c, 0x5eed0000u + w->index);
	return t->fn(c, t->arg);
}

struct worker_pool *st_pool_start(struct sctx *c, unsigned n, st_worker_fn fn, void *arg)
{
	struct trampoline t = { .c = c, .fn = fn, .arg = arg };
	struct pool_opts po = {
		.nworkers = n, .probe = c->probe, .phase_timeout_ns = c->timeout_ns,
	};
	struct worker_pool *p;
	char err[256];

	atomic_store(&c->bd->stop, 0);
	/* The children use @t while pool_start (and so this frame) is live in them. */
	p = pool_start(&po, trampoline_fn, &t, err, sizeof(err));
	if (!p)
		snprintf(c->fail, sizeof(c->fail), "%s", err);
	else
		atomic_fetch_add(&c->bd->forks, n);
	return p;
}

static void take_failure(struct sctx *c, const char *err)
{
	if (atomic_load(&c->bd->msg_state) == 2)
		snprintf(c->fail, sizeof(c->fail), "%s", c->bd->msg);
	else if (strstr(err, "did not reach phase"))
		snprintf(c->fail, sizeof(c->fail), "%s: a hang (a kernel deadlock? look for hung-task reports in dmesg)",
			 err);
	else
		snprintf(c->fail, sizeof(c->fail), "%s", err);
}

int st_wait(struct sctx *c, struct worker_pool *p)
{
	char err[512];

	if (pool_wait(p, err, sizeof(err)) < 0) {
		take_failure(c, err);
		return -1;
	}
	atomic_store(&c->bd->stop, 0);
	return 0;
}

int st_step(struct sctx *c, struct worker_pool *p)
{
	pool_release(p);
	return st_wait(c, p);
}

int st_finish(struct sctx *c, struct worker_pool *p)
{
	char err[512];

	if (pool_finish(p, err, sizeof(err)) < 0) {
		take_failure(c, err);
		return -1;
	}
	return 0;
}

void st_sync(struct sctx *c)
{
	st_flush_counts(c);
	worker_sync(c->w);
}

static pid_t fork_process(struct sctx *c, bool orphan_ok, const char *fmt, va_list ap)
{
	pid_t parent = getpid(), pid;
	uint64_t stream = st_rand(c);

	pid = fork();
	if (pid < 0)
		st_error(c, "fork failed: %s%s", strerror(errno),
			 errno == EAGAIN ? " (raise ulimit -u / pids.max)" : "");
	if (pid > 0) {
		atomic_fetch_add(&c->bd->forks, 1);
		return pid;
	}
	c->w = NULL;
	if (!orphan_ok) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(ST_EXIT_ABORT);
	}
	vsnprintf(c->who, sizeof(c->who), fmt, ap);
	snprintf(c->who + strlen(c->who), sizeof(c->who) - strlen(c->who), " (pid %ld)", (long)getpid());
	st_proc_init(c, stream);
	return 0;
}

pid_t st_fork(struct sctx *c, const char *fmt, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	pid = fork_process(c, false, fmt, ap);
	va_end(ap);
	return pid;
}

pid_t st_fork_orphan(struct sctx *c, const char *fmt, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	pid = fork_process(c, true, fmt, ap);
	va_end(ap);
	return pid;
}

int st_judge_status(struct sctx *c, pid_t pid, int st, bool may_be_killed)
{
	if (WIFEXITED(st)) {
		switch (WEXITSTATUS(st)) {
		case ST_EXIT_OK:
			return 0;
		case ST_EXIT_MISMATCH:
		case ST_EXIT_ERROR:
			/* Its message is on the board already: fail the same way. */
			if (atomic_load(&c->bd->msg_state) == 2)
				fail_out(c, WEXITSTATUS(st), c->bd->msg);
			st_error(c, "process %ld failed without a message", (long)pid);
		default:
			st_error(c, "process %ld exited with status %d", (long)pid, WEXITSTATUS(st));
		}
	}
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGKILL && may_be_killed) {
			atomic_fetch_add(&c->bd->kills, 1);
			return 1;
		}
		atomic_fetch_add(&c->bd->deaths, 1);
		st_error(c, "process %ld died of %s%s: no process may die unexpectedly", (long)pid,
			 st_signame(WTERMSIG(st)), WCOREDUMP(st) ? " (core dumped)" : "");
	}
	st_error(c, "process %ld: unexpected wait status 0x%x", (long)pid, st);
}

int st_reap(struct sctx *c, pid_t pid, bool may_be_killed)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			st_error(c, "waitpid %ld: %s", (long)pid, strerror(errno));
	}
	return st_judge_status(c, pid, st, may_be_killed);
}

uint64_t st_rand(struct sctx *c)
{
	return rng_next(&c->rng);
}

uint64_t st_below(struct sctx *c, uint64_t n)
{
	return rng_below(&c->rng, n);
}

/* ---- ledger protocol and checkers -------------------------------------- */

/* The negative controls' wrong expectations: NEG_PATTERN alters every expected
 * word, NEG_ZERO only those of holes. */
static unsigned judge_flags(struct sctx *c, unsigned flags, uint64_t l1, uint64_t l2)
{
	if ((c->neg & NEG_ZERO) && !pattern_is_data(l1) && !pattern_is_data(l2))
		flags |= JUDGE_NEG;
	return flags | c->judge;
}

int st_write(struct sctx *c, volatile char *map, uint64_t pg, unsigned writer, struct slot_rec *slot)
{
	uint64_t cur = st_ledger(c, pg), w = pattern_next(&c->pt, pg, writer, cur);
	int sig;

	if (slot) {
		atomic_store_explicit(&slot->word, w, memory_order_relaxed);
		atomic_store_explicit(&slot->pg, pg, memory_order_release);
	}
	sig = st_store(st_word(map, pg), w);
	if (!sig) {
		atomic_store_explicit(&c->ledger[pg], w, memory_order_release);
		c->local_writes++;
	}
	if (slot)
		atomic_store_explicit(&slot->pg, ST_NONE, memory_order_release);
	return sig;
}

int st_check(struct sctx *c, volatile char *map, uint64_t pg, unsigned owner, unsigned flags)
{
	volatile uint64_t *p = st_word(map, pg);
	uint64_t l1, v, l2;
	char why[400];
	int sig;

	l1 = st_ledger(c, pg);
	sig = st_load(p, &v);
	if (sig)
		return sig;
	l2 = st_ledger(c, pg);
	c->local_checks++;
	if (pattern_judge(&c->pt, pg, v, l1, l2, owner, judge_flags(c, flags, l1, l2), why, sizeof(why)) < 0)
		st_mismatch(c, "page %llu (file offset 0x%llx, address %p) %s", (unsigned long long)pg,
			    (unsigned long long)(pg * ST_PAGE), (void *)p, why);
	return 0;
}

void st_check_ok(struct sctx *c, volatile char *map, uint64_t pg, unsigned owner, unsigned flags,
		 const char *what)
{
	int sig = st_check(c, map, pg, owner, flags);

	if (sig)
		st_mismatch(c, "%s: reading page %llu (file offset 0x%llx, address %p) took %s",
			    what, (unsigned long long)pg, (unsigned long long)(pg * ST_PAGE),
			    (void *)st_word(map, pg), st_signame(sig));
}

void st_verify(struct sctx *c, volatile char *map, uint64_t pg0, uint64_t n, bool sampled, const char *what)
{
	unsigned off = (unsigned)st_below(c, 8);

	for (uint64_t pg = pg0; pg < pg0 + n; pg++) {
		uint64_t in = pg % ST_PAGES_PER_BLOCK;

		if (sampled && n > ST_PAGES_PER_BLOCK && in != 0 && in != ST_PAGES_PER_BLOCK - 1 &&
		    pg != pg0 && pg != pg0 + n - 1 && pg % 8 != off)
			continue;
		st_check_ok(c, map, pg, PATTERN_ANY_OWNER, JUDGE_EXACT, what);
	}
}

void st_verify_zero(struct sctx *c, volatile char *map, uint64_t pg0, uint64_t n, const char *what)
{
	for (uint64_t pg = pg0; pg < pg0 + n; pg++) {
		if (pattern_is_data(st_ledger(c, pg)))
			st_error(c, "%s: page %llu is not marked as a hole in the ledger", what,
				 (unsigned long long)pg);
		st_check_ok(c, map, pg, PATTERN_ANY_OWNER, JUDGE_EXACT, what);
	}
}

void st_expect_fault(struct sctx *c, volatile char *map, uint64_t pg, bool write, int sig, const char *what)
{
	volatile uint64_t *p = st_word(map, pg);
	bool want = !((sig == SIGSEGV && (c->neg & NEG_PERM)) || (sig == SIGBUS && (c->neg & NEG_SIGBUS)));
	uint64_t v = 0;
	int got;

	/* A write probe stores back what it read, so a wrong success changes nothing. */
	got = st_load(p, &v);
	if (!got && write)
		got = st_store(p, v);
	c->local_checks++;
	if (want && got != sig)
		st_mismatch(c, "%s: %s of page %llu (file offset 0x%llx, address %p) %s, expected %s", what,
			    write ? "a write" : "a read", (unsigned long long)pg,
			    (unsigned long long)(pg * ST_PAGE), (void *)p,
			    got ? st_signame(got) : "succeeded", st_signame(sig));
	if (!want && got)
		st_mismatch(c, "%s: %s of page %llu at %p took %s, but the checker expected it to succeed",
			    what, write ? "a write" : "a read", (unsigned long long)pg, (void *)p, st_signame(got));
}

void st_expect_write(struct sctx *c, volatile char *map, uint64_t pg, unsigned writer, const char *what)
{
	int sig = st_write(c, map, pg, writer, NULL);

	if (sig)
		st_mismatch(c, "%s: a write to page %llu (file offset 0x%llx, address %p) took %s: this process lost write access",
			    what, (unsigned long long)pg, (unsigned long long)(pg * ST_PAGE),
			    (void *)st_word(map, pg), st_signame(sig));
}

void st_recover(struct sctx *c, volatile char *map, struct slot_rec *slot)
{
	uint64_t pg = atomic_load_explicit(&slot->pg, memory_order_acquire), w, cur, v;
	char a[96], b[96], d[96];
	int sig;

	if (pg == ST_NONE)
		return;
	w = atomic_load(&slot->word);
	cur = st_ledger(c, pg);
	sig = st_load(st_word(map, pg), &v);
	if (sig)
		st_mismatch(c, "recovering a killed writer's page %llu took %s", (unsigned long long)pg, st_signame(sig));
	c->local_checks++;
	if (v == w)
		atomic_store_explicit(&c->ledger[pg], w, memory_order_release);	/* the store landed */
	else if (v != (pattern_is_data(cur) ? cur : 0))
		st_mismatch(c, "page %llu after a writer was killed mid-write holds %s: neither the published %s nor the in-flight %s",
			    (unsigned long long)pg, pattern_describe(&c->pt, v, a, sizeof(a)),
			    pattern_describe(&c->pt, cur, b, sizeof(b)), pattern_describe(&c->pt, w, d, sizeof(d)));
	atomic_store_explicit(&slot->pg, ST_NONE, memory_order_release);
}

void st_ledger_zero(struct sctx *c, uint64_t pg0, uint64_t n)
{
	for (uint64_t pg = pg0; pg < pg0 + n && pg < c->npages; pg++)
		atomic_store_explicit(&c->ledger[pg], pattern_zero(pattern_gen(st_ledger(c, pg))),
				      memory_order_release);
}

void st_assign_blocks(struct sctx *c, unsigned nwriters, unsigned first, unsigned rot)
{
	for (uint64_t b = 0; b < c->nblocks; b++)
		atomic_store_explicit(&c->owner[b], first + (unsigned)((b + rot) % nwriters), memory_order_relaxed);
	atomic_store(&c->bd->var[V_ASSIGN_NW], nwriters);
	atomic_store(&c->bd->var[V_ASSIGN_FIRST], first);
	atomic_store(&c->bd->var[V_ASSIGN_ROT], rot);
}

uint64_t st_random_owned_page(struct sctx *c, unsigned writer)
{
	uint64_t nw = atomic_load(&c->bd->var[V_ASSIGN_NW]), first = atomic_load(&c->bd->var[V_ASSIGN_FIRST]);
	uint64_t rot = atomic_load(&c->bd->var[V_ASSIGN_ROT]), idx, count, b, pg;

	if (!nw || writer < first || writer >= first + nw)
		return ST_NONE;
	/* Blocks b with (b + rot) % nw == writer - first. */
	idx = (writer - first + nw - rot % nw) % nw;
	if (idx >= c->nblocks)
		return ST_NONE;
	count = (c->nblocks - idx + nw - 1) / nw;
	b = idx + nw * st_below(c, count);
	pg = b * ST_PAGES_PER_BLOCK + st_below(c, ST_PAGES_PER_BLOCK);
	return pg < c->npages ? pg : ST_NONE;
}

/* ---- mapping ------------------------------------------------------------ */

void *st_mmap(struct sctx *c, uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	int saved;
	void *p;

	if ((flags & MAP_SHARED_VALIDATE) == MAP_SHARED_VALIDATE) {
		/*
		 * MAP_SHARED_VALIDATE rejects MAP_FIXED_NOREPLACE (it is not in the
		 * kernel's legacy flag mask): reserve the range first, then map
		 * over the reservation with MAP_FIXED.
		 */
		p = mmap((void *)(uintptr_t)addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			return p;
		if ((uint64_t)(uintptr_t)p != addr) {
			munmap(p, len);
			errno = EEXIST;
			return MAP_FAILED;
		}
		p = mmap(p, len, prot, flags | MAP_FIXED, fd >= 0 ? fd : c->b->fd, (off_t)off);
		if (p == MAP_FAILED) {
			saved = errno;
			munmap((void *)(uintptr_t)addr, len);
			errno = saved;
			return p;
		}
	} else {
		p = mmap((void *)(uintptr_t)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd >= 0 ? fd : c->b->fd,
			 (off_t)off);
		if (p == MAP_FAILED)
			return p;
	}
	if ((uint64_t)(uintptr_t)p != addr) {
		munmap(p, len);
		errno = EEXIST;
		return MAP_FAILED;
	}
	if (fd < 0 && c->b->advice && madvise(p, len, c->b->advice) < 0) {
		saved = errno;
		munmap(p, len);
		errno = saved;
		return MAP_FAILED;
	}
	return p;
}

volatile char *st_map_shared(struct sctx *c, uint64_t addr, struct backing_map *m)
{
	char err[256];

	if (backing_map(c->b, addr, c->size, m, err, sizeof(err)) < 0)
		st_error(c, "%s", err);
	return m->addr;
}

/* ---- the other file ---------------------------------------------------- */

static char other_path[PATH_MAX];

int st_other_file(struct sctx *c, uint64_t size)
{
	uint64_t len, align = c->b->kind == BACKING_HUGETLBFS ? c->b->align : ST_PAGE;
	struct statvfs sv;
	volatile char *p;
	int fd;

	other_path[0] = '\0';
	if (c->b->path[0] == '/') {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", c->b->path);
		snprintf(other_path, sizeof(other_path), "%s/ptshare-other-%ld.dat", dirname(dir), (long)getpid());
		fd = open(other_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(c->fail, sizeof(c->fail), "cannot create the other file %s: %s", other_path,
				 strerror(errno));
			other_path[0] = '\0';
			return -1;
		}
		cleanup_add_file(other_path);
		if (fstatvfs(fd, &sv) == 0) {
			uint64_t avail = (uint64_t)sv.f_bavail * sv.f_frsize;

			if (c->b->kind == BACKING_FSDAX) {
				/* Take (nearly) all free space, so the blocks just freed are among it. */
				if (avail > 64 * ST_BLOCK + size)
					size = avail - 32 * ST_BLOCK;
				if (size > 4 * ST_PUD)
					size = 4 * ST_PUD;
			} else if (size > avail) {
				/* What was freed may be less than asked (a partial huge page stays). */
				size = avail / ST_BLOCK * ST_BLOCK;
			}
		}
	} else {
		unsigned flags = MFD_CLOEXEC;

		if (c->b->kind == BACKING_HUGETLBFS)
			flags |= MFD_HUGETLB | (21u << MFD_HUGE_SHIFT);
		fd = memfd_create("ptshare-other", flags);
		if (fd < 0) {
			snprintf(c->fail, sizeof(c->fail), "cannot create the other file (memfd): %s", strerror(errno));
			return -1;
		}
		if (c->b->kind == BACKING_HUGETLBFS) {
			char buf[64];
			uint64_t freep;

			if (read_file_buf("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", buf, sizeof(buf)) > 0) {
				freep = strtoull(buf, NULL, 10);
				if (size > freep * ST_BLOCK)
					size = freep * ST_BLOCK;
			}
		}
	}
	len = (size + align - 1) / align * align;
	if (!len)
		return fd;	/* no room at all: an empty file */
	if (ftruncate(fd, (off_t)len) < 0) {
		snprintf(c->fail, sizeof(c->fail), "cannot size the other file to %llu bytes: %s",
			 (unsigned long long)len, strerror(errno));
		st_other_file_close(c, fd);
		return -1;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(c->fail, sizeof(c->fail), "cannot map the other file: %s", strerror(errno));
		st_other_file_close(c, fd);
		return -1;
	}
	/* Fault it in writing: a failed allocation is an error here, not a SIGBUS. */
	if (madvise((void *)p, len, MADV_POPULATE_WRITE) < 0) {
		snprintf(c->fail, sizeof(c->fail), "cannot allocate the %llu-byte other file: %s",
			 (unsigned long long)len, strerror(errno));
		munmap((void *)p, len);
		st_other_file_close(c, fd);
		return -1;
	}
	for (uint64_t pg = 0; pg < len / ST_PAGE; pg++)
		*st_word(p, pg) = pattern_word(&c->pt, pg, PATTERN_INTRUDER, 1);
	munmap((void *)p, len);
	return fd;
}

void st_other_file_close(struct sctx *c, int fd)
{
	(void)c;
	if (fd >= 0)
		close(fd);
	if (other_path[0]) {
		unlink(other_path);
		cleanup_forget_path(other_path);
		other_path[0] = '\0';
	}
}

const char *st_backing_name(const struct sctx *c)
{
	return backing_kind_name(c->b->kind);
}

bool st_is(const struct sctx *c, enum backing_kind k)
{
	return c->b->kind == k;
}

void st_member_work(struct sctx *c, volatile char *map, unsigned writer, struct slot_rec *rec,
		    unsigned nops, bool forever)
{
	unsigned limit = forever ? 20000 : nops;

	for (unsigned i = 0; i < limit; i++) {
		unsigned r = (unsigned)st_below(c, 100), k = 1 + (unsigned)st_below(c, 16);

		if (r < 45) {
			for (unsigned j = 0; j < k; j++) {
				uint64_t pg = st_random_owned_page(c, writer);
				int sig;

				if (pg == ST_NONE)
					break;
				sig = st_write(c, map, pg, writer, rec);
				if (sig)
					st_mismatch(c, "writing page %llu of its own block took %s",
						    (unsigned long long)pg, st_signame(sig));
			}
		} else if (r < 92) {
			for (unsigned j = 0; j < k; j++) {
				uint64_t pg = st_below(c, c->npages);

				st_check_ok(c, map, pg, st_owner(c, pg), 0, "random read");
			}
		} else {
			uint64_t b = st_below(c, c->nblocks);

			for (uint64_t pg = b * ST_PAGES_PER_BLOCK; pg < (b + 1) * ST_PAGES_PER_BLOCK; pg++)
				st_check_ok(c, map, pg, st_owner(c, pg), 0, "block sweep");
		}
	}
}

void st_judge(struct sctx *c, uint64_t pg, uint64_t v, uint64_t l1, uint64_t l2, unsigned owner, unsigned flags,
	      const char *what)
{
	char why[400];

	c->local_checks++;
	if (pattern_judge(&c->pt, pg, v, l1, l2, owner, judge_flags(c, flags, l1, l2), why, sizeof(why)) < 0)
		st_mismatch(c, "%s: page %llu (file offset 0x%llx) %s", what, (unsigned long long)pg,
			    (unsigned long long)(pg * ST_PAGE), why);
}

void *st_mmap_file(struct sctx *c, uint64_t addr, uint64_t len, uint64_t off)
{
	return st_mmap(c, addr, len, PROT_READ | PROT_WRITE, MAP_SHARED, -1, off);
}
