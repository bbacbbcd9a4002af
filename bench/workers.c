// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "workers.h"
#include "probes.h"
#include "util.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum msg_kind { MSG_SYNC = 1, MSG_FAIL = 2 };

struct pool_msg {
	uint32_t index;
	uint32_t kind;
	uint32_t phase;
	char text[244];
};

_Static_assert(sizeof(struct pool_msg) <= 4096, "messages must be written atomically (PIPE_BUF)");

struct pool_ctl {
	_Atomic uint32_t gen;		/* phases released so far */
	_Atomic uint32_t abort;
};

struct worker_pool {
	unsigned n;
	pid_t *pids;
	int *exited;			/* reaped already */
	int status_rd, status_wr;
	struct pool_ctl *ctl;
	char *slots;
	size_t slot_size, shared_len;
	uint32_t phase;			/* phases the parent has waited for */
	uint64_t timeout_ns;
	/* Worker side. */
	uint32_t my_phase;
};

static long futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)addr, op, val, NULL, NULL, 0);
}

static size_t round_page(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) / pg * pg;
}

static void send_msg(struct worker *w, uint32_t kind, const char *text)
{
	struct pool_msg m;
	ssize_t r;

	memset(&m, 0, sizeof(m));
	m.index = w->index;
	m.kind = kind;
	m.phase = w->pool->my_phase;
	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	do {
		r = write(w->pool->status_wr, &m, sizeof(m));
	} while (r < 0 && errno == EINTR);
}

void worker_sync(struct worker *w)
{
	struct worker_pool *p = w->pool;
	uint32_t target = ++p->my_phase, g;

	send_msg(w, MSG_SYNC, NULL);
	while ((g = atomic_load(&p->ctl->gen)) < target) {
		if (atomic_load(&p->ctl->abort))
			_exit(3);
		futex(&p->ctl->gen, FUTEX_WAIT, g);
	}
	if (atomic_load(&p->ctl->abort))
		_exit(3);
}

void worker_fail(struct worker *w, const char *fmt, ...)
{
	char text[244];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	send_msg(w, MSG_FAIL, text);
	_exit(1);
}

static void prefault_stack(void)
{
	volatile char buf[128 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += 4096)
		buf[i] = 0;
}

/*
 * Grow the heap and touch it before the baseline is taken, and keep it:
 * what the worker allocates afterwards (libpmem2's mapping setup, for one)
 * then reuses these pages instead of extending the heap, which would add a
 * page table to the measurement whenever the new heap pages fall into a
 * 2 MiB region the fork did not copy a table for.  Seen in the guest on
 * FS/DAX: one extra PageTables page per process in some invocations.
 */
static void prefault_heap(void)
{
	const size_t len = 256 * 1024;
	volatile char *p;

	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);	/* from the heap, not mmap */
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);	/* free() keeps it */
	p = malloc(len);
	if (!p)
		return;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 0;
	free((void *)p);
}

static void __attribute__((noreturn)) child_main(struct worker_pool *p, const struct pool_opts *o,
						 unsigned index, pid_t parent, worker_fn fn, void *arg)
{
	struct worker w = {
		.index = index, .nworkers = p->n, .slot = p->slots + (size_t)index * p->slot_size,
		.arg = arg, .pool = p,
	};

	cleanup_child_reset();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(3);
	close(p->status_rd);
	if (o->pin != PIN_NONE && pin_apply(o->pin_plan, index) < 0)
		worker_fail(&w, "worker %u: cannot pin (--pin %s): %s", index, pin_mode_name(o->pin),
			    strerror(errno));
	if (o->probe && probe_cgroup_join(o->probe, getpid()) < 0)
		worker_fail(&w, "worker %u: cannot join the probe cgroup: %s", index, strerror(errno));
	if (p->slot_size)
		memset(w.slot, 0, p->slot_size);
	prefault_stack();
	prefault_heap();
	_exit(fn(&w));
}

struct worker_pool *pool_start(const struct pool_opts *o, worker_fn fn, void *arg,
			       char *err, size_t errlen)
{
	struct worker_pool *p = xcalloc(1, sizeof(*p));
	size_t ctl_len = round_page(sizeof(struct pool_ctl));
	pid_t parent = getpid();
	int fds[2];
	void *shared;

	p->n = o->nworkers;
	p->slot_size = o->slot_size ? (o->slot_size + 63) / 64 * 64 : 0;
	p->timeout_ns = o->phase_timeout_ns ? o->phase_timeout_ns : 30ull * 60 * 1000000000ull;
	p->shared_len = ctl_len + round_page(p->slot_size * p->n);
	shared = mmap(NULL, p->shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		errf(err, errlen, "cannot allocate %zu bytes of shared memory: %s", p->shared_len,
			 strerror(errno));
		free(p);
		return NULL;
	}
	p->ctl = shared;
	p->slots = (char *)shared + ctl_len;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		errf(err, errlen, "pipe: %s", strerror(errno));
		munmap(shared, p->shared_len);
		free(p);
		return NULL;
	}
	p->status_rd = fds[0];
	p->status_wr = fds[1];
	/* Many workers report at once: a bigger pipe avoids stalls. */
	fcntl(p->status_wr, F_SETPIPE_SZ, 1 << 20);
	p->pids = xcalloc(p->n, sizeof(*p->pids));
	p->exited = xcalloc(p->n, sizeof(*p->exited));

	fflush(NULL);
	for (unsigned i = 0; i < p->n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			errf(err, errlen, "fork of worker %u of %u failed: %s%s", i, p->n, strerror(errno),
				 errno == EAGAIN ? " (raise ulimit -u / pids.max)" : "");
			pool_kill(p);
			pool_free(p);
			return NULL;
		}
		if (pid == 0)
			child_main(p, o, i, parent, fn, arg);
		p->pids[i] = pid;
		cleanup_add_pid(pid);
	}
	close(p->status_wr);
	p->status_wr = -1;
	return p;
}

/* Reap workers that died; fail with the first one that did so unexpectedly. */
static int check_deaths(struct worker_pool *p, char *err, size_t errlen)
{
	for (unsigned i = 0; i < p->n; i++) {
		int st;
		pid_t r;

		if (p->exited[i])
			continue;
		r = waitpid(p->pids[i], &st, WNOHANG);
		if (r != p->pids[i])
			continue;
		p->exited[i] = 1;
		cleanup_forget_pid(p->pids[i]);
		if (WIFSIGNALED(st)) {
			errf(err, errlen, "worker %u (pid %ld) was killed by signal %d (%s)", i,
				 (long)p->pids[i], WTERMSIG(st), strsignal(WTERMSIG(st)));
			return -1;
		}
		errf(err, errlen, "worker %u (pid %ld) exited with status %d before the phase ended",
			 i, (long)p->pids[i], WEXITSTATUS(st));
		return -1;
	}
	return 0;
}

int pool_wait(struct worker_pool *p, char *err, size_t errlen)
{
	uint64_t deadline = now_ns() + p->timeout_ns;
	unsigned arrived = 0;

	p->phase++;
	while (arrived < p->n) {
		struct pollfd pfd = { .fd = p->status_rd, .events = POLLIN };
		struct pool_msg m;
		ssize_t r;

		if (interrupted) {
			errf(err, errlen, "interrupted");
			goto fail;
		}
		r = poll(&pfd, 1, 100);
		if (r < 0 && errno != EINTR) {
			errf(err, errlen, "poll: %s", strerror(errno));
			goto fail;
		}
		if (r <= 0) {
			/* A failing worker sends its reason before dying: drain first. */
			if (check_deaths(p, err, errlen) < 0) {
				pfd.revents = 0;
				if (poll(&pfd, 1, 0) > 0 && read(p->status_rd, &m, sizeof(m)) == sizeof(m) &&
				    m.kind == MSG_FAIL)
					errf(err, errlen, "%s", m.text);
				goto fail;
			}
			if (now_ns() > deadline) {
				errf(err, errlen, "%u of %u workers did not reach phase %u within %llu s",
					 p->n - arrived, p->n, p->phase,
					 (unsigned long long)(p->timeout_ns / 1000000000ull));
				goto fail;
			}
			continue;
		}
		r = read(p->status_rd, &m, sizeof(m));
		if (r != sizeof(m)) {
			errf(err, errlen, "short read from the worker status pipe");
			goto fail;
		}
		if (m.kind == MSG_FAIL) {
			errf(err, errlen, "%s", m.text);
			goto fail;
		}
		if (m.phase != p->phase) {
			errf(err, errlen, "worker %u reported phase %u while %u was expected", m.index,
				 m.phase, p->phase);
			goto fail;
		}
		arrived++;
	}
	return 0;
fail:
	pool_kill(p);
	return -1;
}

void pool_release(struct worker_pool *p)
{
	atomic_fetch_add(&p->ctl->gen, 1);
	futex(&p->ctl->gen, FUTEX_WAKE, INT32_MAX);
}

int pool_reap(struct worker_pool *p, char *err, size_t errlen)
{
	int rc = 0;

	for (unsigned i = 0; i < p->n; i++) {
		int st;

		if (p->exited[i])
			continue;
		while (waitpid(p->pids[i], &st, 0) < 0) {
			if (errno != EINTR) {
				st = -1;
				break;
			}
		}
		p->exited[i] = 1;
		cleanup_forget_pid(p->pids[i]);
		if (rc == 0 && st != 0) {
			struct pollfd pfd = { .fd = p->status_rd, .events = POLLIN };
			struct pool_msg m;

			rc = -1;
			if (WIFSIGNALED(st))
				errf(err, errlen, "worker %u was killed by signal %d (%s)", i,
					 WTERMSIG(st), strsignal(WTERMSIG(st)));
			else
				errf(err, errlen, "worker %u exited with status %d", i, WEXITSTATUS(st));
			while (poll(&pfd, 1, 0) > 0 && read(p->status_rd, &m, sizeof(m)) == sizeof(m))
				if (m.kind == MSG_FAIL) {
					errf(err, errlen, "%s", m.text);
					break;
				}
		}
	}
	return rc;
}

int pool_finish(struct worker_pool *p, char *err, size_t errlen)
{
	pool_release(p);
	return pool_reap(p, err, errlen);
}

void pool_kill(struct worker_pool *p)
{
	atomic_store(&p->ctl->abort, 1);
	for (unsigned i = 0; i < p->n; i++)
		if (p->pids[i] > 0 && !p->exited[i])
			kill(p->pids[i], SIGKILL);
	for (unsigned i = 0; i < p->n; i++) {
		if (p->pids[i] > 0 && !p->exited[i]) {
			while (waitpid(p->pids[i], NULL, 0) < 0 && errno == EINTR)
				;
			p->exited[i] = 1;
			cleanup_forget_pid(p->pids[i]);
		}
	}
}

void pool_free(struct worker_pool *p)
{
	if (!p)
		return;
	if (p->status_rd >= 0)
		close(p->status_rd);
	munmap(p->ctl, p->shared_len);
	free(p->pids);
	free(p->exited);
	free(p);
}

void *pool_slot(struct worker_pool *p, unsigned index)
{
	return p->slots + (size_t)index * p->slot_size;
}

const pid_t *pool_pids(const struct worker_pool *p)
{
	return p->pids;
}

unsigned pool_size(const struct worker_pool *p)
{
	return p->n;
}
