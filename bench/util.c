// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *progname = "ptshare";
int msg_quiet;
volatile int interrupted;

static void vmsg(const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "%s: %s", progname, tag);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void msg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void msg_info(const char *fmt, ...)
{
	va_list ap;

	if (msg_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void die_code(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(code == EXIT_SKIP ? "skip: " : "", fmt, ap);
	va_end(ap);
	cleanup_run();
	exit(code);
}

int errf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory allocating %zu bytes", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory allocating %zu bytes", n);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

ssize_t read_file_buf(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (len + 1 >= size) {
		errno = EFBIG;
		return -1;
	}
	return len;
}

char *read_file_alloc(const char *path, size_t *lenp)
{
	size_t cap = 8192, len = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			int saved = errno;

			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

int write_file_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, s, len);
	saved = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n < 0 ? saved : EIO;
		return -1;
	}
	return 0;
}

char *read_first_line(const char *path)
{
	char buf[4096];
	char *nl;

	if (read_file_buf(path, buf, sizeof(buf)) < 0)
		return NULL;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return xstrdup(buf);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupted)
		;
}

/* ---- cleanup registry ------------------------------------------------ */

enum cleanup_kind { CL_NONE, CL_FILE, CL_DIR, CL_MOUNT, CL_CGROUP };

#define CLEANUP_PATHS 64
#define CLEANUP_PATH_MAX 512

struct cleanup_path {
	enum cleanup_kind kind;
	char path[CLEANUP_PATH_MAX];
};

static struct cleanup_path cl_paths[CLEANUP_PATHS];
static volatile sig_atomic_t cl_npaths;
static pid_t *cl_pids;
static volatile sig_atomic_t cl_npids;
static size_t cl_pids_cap;
static pid_t cl_owner;
static volatile sig_atomic_t cl_running;

static int cleanup_add_path(enum cleanup_kind kind, const char *path)
{
	if (!cl_owner)
		cl_owner = getpid();
	if (cl_npaths >= CLEANUP_PATHS || strlen(path) >= CLEANUP_PATH_MAX) {
		errno = ENOSPC;
		return -1;
	}
	cl_paths[cl_npaths].kind = kind;
	strcpy(cl_paths[cl_npaths].path, path);
	cl_npaths++;
	return 0;
}

int cleanup_add_file(const char *path) { return cleanup_add_path(CL_FILE, path); }
int cleanup_add_dir(const char *path) { return cleanup_add_path(CL_DIR, path); }
int cleanup_add_mount(const char *path) { return cleanup_add_path(CL_MOUNT, path); }
int cleanup_add_cgroup(const char *path) { return cleanup_add_path(CL_CGROUP, path); }

void cleanup_forget_path(const char *path)
{
	for (int i = cl_npaths - 1; i >= 0; i--) {
		if (cl_paths[i].kind != CL_NONE && !strcmp(cl_paths[i].path, path)) {
			cl_paths[i].kind = CL_NONE;
			break;
		}
	}
	while (cl_npaths > 0 && cl_paths[cl_npaths - 1].kind == CL_NONE)
		cl_npaths--;
}

int cleanup_add_pid(pid_t pid)
{
	if (!cl_owner)
		cl_owner = getpid();
	if ((size_t)cl_npids == cl_pids_cap) {
		size_t cap = cl_pids_cap ? 2 * cl_pids_cap : 256;
		pid_t *n = xcalloc(cap, sizeof(*n));

		/* Copy, then swap: a signal never sees a half-grown array. */
		if (cl_npids)
			memcpy(n, cl_pids, cl_npids * sizeof(*n));
		pid_t *old = cl_pids;

		cl_pids = n;
		cl_pids_cap = cap;
		free(old);
	}
	cl_pids[cl_npids] = pid;
	cl_npids++;
	return 0;
}

void cleanup_forget_pid(pid_t pid)
{
	for (int i = 0; i < cl_npids; i++) {
		if (cl_pids[i] == pid) {
			cl_pids[i] = cl_pids[cl_npids - 1];
			cl_npids--;
			return;
		}
	}
}

void cleanup_run(void)
{
	if (!cl_owner || getpid() != cl_owner || cl_running)
		return;
	cl_running = 1;
	for (int i = 0; i < cl_npids; i++)
		kill(cl_pids[i], SIGKILL);
	for (int i = 0; i < cl_npids; i++)
		waitpid(cl_pids[i], NULL, 0);
	cl_npids = 0;
	for (int i = cl_npaths - 1; i >= 0; i--) {
		struct cleanup_path *c = &cl_paths[i];

		switch (c->kind) {
		case CL_FILE:
			unlink(c->path);
			break;
		case CL_DIR:
		case CL_CGROUP:
			rmdir(c->path);
			break;
		case CL_MOUNT:
			umount2(c->path, MNT_DETACH);
			break;
		case CL_NONE:
			break;
		}
		c->kind = CL_NONE;
	}
	cl_npaths = 0;
	cl_running = 0;
}

static void on_fatal_signal(int sig)
{
	static const char m[] = "ptshare: interrupted, cleaning up\n";

	interrupted = 1;
	if (write(STDERR_FILENO, m, sizeof(m) - 1) < 0) {
		/* nothing useful to do */
	}
	cleanup_run();
	signal(sig, SIG_DFL);
	raise(sig);
}

void cleanup_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	if (!cl_owner)
		cl_owner = getpid();
}

void cleanup_child_reset(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* The inherited entries belong to the parent: never act on them. */
	cl_npaths = 0;
	cl_npids = 0;
	cl_owner = getpid();
}
