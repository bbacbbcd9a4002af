/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * util: error reporting, allocation, whole-file I/O and the cleanup
 * registry that removes what the suite created when it fails or is
 * interrupted.
 */
#ifndef PTSHARE_UTIL_H
#define PTSHARE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

/* Exit codes shared by every command. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* measurement or environment failure */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_SKIP = 77,		/* a facility is missing (automake convention) */
};

extern const char *progname;

/* "ptshare: <message>" on stderr, one line. */
void msg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int msg_quiet;

/* Print the message, run the cleanup registry and exit with @code. */
void die_code(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
#define die(...) die_code(EXIT_FAIL, __VA_ARGS__)
#define die_usage(...) die_code(EXIT_USAGE, __VA_ARGS__)
#define die_skip(...) die_code(EXIT_SKIP, __VA_ARGS__)

/* Format a one-line reason into @buf (truncating if need be); returns -1. */
int errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read a whole (small, /proc-style) file into @buf, NUL-terminated.
 * Returns the length, or -1 with errno set.  Does not allocate, so it is
 * safe inside a measurement window.
 */
ssize_t read_file_buf(const char *path, char *buf, size_t size);
/* Same, allocating; NULL with errno set on failure. */
char *read_file_alloc(const char *path, size_t *len);
/* Write @s to @path (e.g. a sysctl); 0 or -1 with errno set. */
int write_file_str(const char *path, const char *s);
/* First line of a file without the newline, or NULL. */
char *read_first_line(const char *path);

/*
 * Cleanup registry.  Everything registered here was created by this
 * process and is removed, in reverse order, when the process dies through
 * die() or a fatal signal.  Only the process that registered an entry
 * runs it (forked workers inherit the table but never act on it).
 * Handlers are async-signal-safe: paths are copied into fixed storage.
 */
int cleanup_add_pid(pid_t pid);			/* SIGKILL, then reap */
int cleanup_add_file(const char *path);		/* unlink */
int cleanup_add_dir(const char *path);		/* rmdir (empty only) */
int cleanup_add_mount(const char *path);	/* umount2(MNT_DETACH) */
int cleanup_add_cgroup(const char *path);	/* rmdir a cgroup */
void cleanup_forget_pid(pid_t pid);
void cleanup_forget_path(const char *path);
void cleanup_run(void);
/* Install SIGINT/SIGTERM/SIGHUP handlers that clean up and re-raise. */
void cleanup_install_signals(void);
/* In a forked child: drop the parent's registry and default the signals. */
void cleanup_child_reset(void);
/* Non-zero once SIGINT/SIGTERM arrived (checked by long loops). */
extern volatile int interrupted;

uint64_t now_ns(void);		/* CLOCK_MONOTONIC */
void sleep_ns(uint64_t ns);

#endif
