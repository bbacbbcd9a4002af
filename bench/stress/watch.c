// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "watch.h"
#include "procfs.h"
#include "util.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_BYTES 4096
/* A process's PGD, which VmPTE does not count: 8 KiB with x86 PTI (an upper bound). */
#define PGD_BYTES 8192

static const char *const splats[] = {
	"WARNING:", "BUG:", "kernel BUG", "Oops", "general protection fault", "KASAN", "UBSAN",
	"lockdep", "possible circular locking", "possible recursive locking",
	"inconsistent lock state", "non-zero pgtables_bytes", "Bad rss-counter", "Bad page",
	"bad pmd", "bad pud", "page table check", "blocked for more than",
};

bool watch_is_splat(const char *line)
{
	/* A user process's fault ("traps: comm[pid] general protection fault ..."):
	 * the scenario judges its own processes by their exit status. */
	if (!strncmp(line, "traps: ", 7))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(splats); i++)
		if (strstr(line, splats[i]))
			return true;
	return false;
}

/*
 * Page tables of every live process: the sum of VmPTE (PTE, PMD and PUD
 * pages; a shared table is charged to each sharer) and the number of
 * processes with an mm (each also has a PGD, which VmPTE leaves out).
 */
static bool live_tables(int64_t *bytes, int64_t *nprocs)
{
	static char buf[8192];
	DIR *d = opendir("/proc");
	struct dirent *e;
	int64_t sum = 0, n = 0, v;

	if (!d)
		return false;
	while ((e = readdir(d))) {
		char path[300];

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if (read_file_buf(path, buf, sizeof(buf)) < 0 || kv_colon(buf, "VmPTE", &v) < 0)
			continue;
		sum += v;
		n++;
	}
	closedir(d);
	*bytes = sum;
	*nprocs = n;
	return true;
}

/* meminfo PageTables and the live tables read together (no big change in between). */
static bool consistent(const struct probe_ctx *probe, int64_t *meminfo, int64_t *live, int64_t *nprocs)
{
	for (int i = 0; i < 10; i++) {
		struct pt_sample a, b;

		probe_sample(probe, &a);
		if (a.meminfo_bytes == PROBE_NONE || !live_tables(live, nprocs))
			return false;
		probe_sample(probe, &b);
		if (llabs(b.meminfo_bytes - a.meminfo_bytes) <= 16 * PAGE_BYTES) {
			*meminfo = (a.meminfo_bytes + b.meminfo_bytes) / 2;
			return true;
		}
	}
	return false;
}

void watch_begin(struct watch *w, const struct probe_ctx *probe)
{
	memset(w, 0, sizeof(*w));
	w->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->kmsg_fd < 0)
		snprintf(w->kmsg_why, sizeof(w->kmsg_why), "cannot read /dev/kmsg: %s%s", strerror(errno),
			 errno == EACCES || errno == EPERM ? " (run as root)" : "");
	else if (lseek(w->kmsg_fd, 0, SEEK_END) < 0) {
		snprintf(w->kmsg_why, sizeof(w->kmsg_why), "cannot seek /dev/kmsg: %s", strerror(errno));
		close(w->kmsg_fd);
		w->kmsg_fd = -1;
	}
	w->before_settled = probe_settle(probe, &w->before, 3, 20000000, 2000000000ull) == 0;
	w->cg_before = w->before.cgroup_bytes;
	w->live_ok = consistent(probe, &w->live_meminfo, &w->live_before, &w->procs_before);
}

enum watch_verdict watch_pagetables(struct watch *w, const struct probe_ctx *probe, int64_t bound_pages,
				    uint64_t wait_ns, char *text, size_t len)
{
	uint64_t deadline = now_ns() + wait_ns;
	int64_t bound = bound_pages * PAGE_BYTES, lo = INT64_MAX, hi = INT64_MIN, d = 0, u = 0, best = INT64_MAX;
	unsigned stable_reads = 0;
	struct pt_sample s;
	char cg[160] = "", sep[3] = "";
	bool cg_ok = true;

	/* Exact: the cgroup every process of the scenario was charged to. */
	if (w->cg_before != PROBE_NONE) {
		int64_t cd = 0;

		for (uint64_t end = now_ns() + 10000000000ull;;) {
			probe_sample(probe, &s);
			cd = s.cgroup_bytes == PROBE_NONE ? 0 : s.cgroup_bytes - w->cg_before;
			if (cd == 0 || now_ns() > end || interrupted)
				break;
			sleep_ns(200000000);
		}
		cg_ok = cd == 0;
		snprintf(cg, sizeof(cg), "cgroup pagetables %+lld B (exact, must be 0)%s", (long long)cd,
			 cg_ok ? "" : " after 10 s: page tables were leaked");
		snprintf(sep, sizeof(sep), "; ");
	}
	if (w->before.meminfo_bytes == PROBE_NONE) {
		snprintf(text, len, "%s%sno /proc/meminfo PageTables", cg, sep);
		return !cg_ok ? WATCH_FAIL : cg[0] ? WATCH_PASS : WATCH_SKIP;
	}
	/*
	 * System-wide: other processes move it.  Within the bound is a pass;
	 * above it, the part no live process accounts for (VmPTE, PGDs) is
	 * what a leak would be: it must stay within the bound too.
	 */
	for (;;) {
		int64_t m, live, np;

		probe_settle(probe, &s, 3, 20000000, 500000000ull);
		d = s.meminfo_bytes - w->before.meminfo_bytes;
		if (d <= bound) {
			snprintf(text, len, "%s%sPageTables %+lld pages vs the baseline (bound +%lld)", cg, sep,
				 (long long)(d / PAGE_BYTES), (long long)bound_pages);
			return cg_ok ? WATCH_PASS : WATCH_FAIL;
		}
		if (w->live_ok && consistent(probe, &m, &live, &np)) {
			int64_t dl = live - w->live_before, dp = np - w->procs_before;

			u = (m - w->live_meminfo) - dl - dp * PGD_BYTES;
			if (u <= bound) {
				snprintf(text, len, "%s%sPageTables %+lld pages vs the baseline, all of it in live processes (their VmPTE %+lld pages, %+lld processes' PGDs): %+lld pages unaccounted (bound +%lld)",
					 cg, sep, (long long)((m - w->live_meminfo) / PAGE_BYTES),
					 (long long)(dl / PAGE_BYTES), (long long)dp, (long long)(u / PAGE_BYTES),
					 (long long)bound_pages);
				return cg_ok ? WATCH_PASS : WATCH_FAIL;
			}
			stable_reads++;
			lo = u < lo ? u : lo;
			hi = u > hi ? u : hi;
			best = u < best ? u : best;
		}
		if (now_ns() > deadline || interrupted)
			break;
		sleep_ns(250000000);
	}
	if (stable_reads >= 3 && hi - lo <= bound / 2) {
		snprintf(text, len, "%s%s%+lld pages of page tables belong to no live process (PageTables %+lld pages vs the baseline; %u readings over %.0f s agree within %lld pages; bound +%lld): page tables were leaked",
			 cg, sep, (long long)(best / PAGE_BYTES), (long long)(d / PAGE_BYTES), stable_reads,
			 (double)wait_ns / 1e9, (long long)((hi - lo) / PAGE_BYTES), (long long)bound_pages);
		return WATCH_FAIL;
	}
	snprintf(text, len, "%s%sPageTables %+lld pages vs the baseline (bound +%lld)%s%s: other processes keep changing it, so a leak cannot be told from noise here",
		 cg, sep, (long long)(d / PAGE_BYTES), (long long)bound_pages,
		 stable_reads ? ", unaccounted by live processes between " : "",
		 stable_reads ? "" : ", never read consistently with the live processes' tables");
	if (stable_reads) {
		size_t n = strlen(text);

		snprintf(text + n, len - n, " (%+lld..%+lld pages)", (long long)(lo / PAGE_BYTES), (long long)(hi / PAGE_BYTES));
	}
	if (!cg_ok)
		return WATCH_FAIL;
	return cg[0] ? WATCH_PASS : WATCH_SKIP;
}

enum watch_verdict watch_kmsg(struct watch *w, char *text, size_t len)
{
	char rec[8192], first[400] = "";
	unsigned found = 0, lost = 0, lines = 0;

	if (w->kmsg_fd < 0) {
		snprintf(text, len, "%s", w->kmsg_why);
		return WATCH_SKIP;
	}
	for (;;) {
		ssize_t n = read(w->kmsg_fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {	/* overwritten before we read them */
			lost++;
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;text\n" then " KEY=value" lines */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		lines++;
		/* Only the kernel facility (0): userspace may write to /dev/kmsg too. */
		if ((atoi(rec) >> 3) == 0 && watch_is_splat(msg)) {
			if (!found++)
				snprintf(first, sizeof(first), "%.380s", msg);
		}
	}
	if (found) {
		snprintf(text, len, "kernel log: %u problem line%s, first: \"%s\"", found, found == 1 ? "" : "s", first);
		return WATCH_FAIL;
	}
	snprintf(text, len, "kernel log clean (%u new line%s; no WARNING/BUG/Oops/KASAN/lockdep/non-zero pgtables_bytes)%s",
		 lines, lines == 1 ? "" : "s", lost ? ": some lines were overwritten before they could be read" : "");
	return WATCH_PASS;
}

void watch_end(struct watch *w)
{
	if (w->kmsg_fd >= 0)
		close(w->kmsg_fd);
	w->kmsg_fd = -1;
}
