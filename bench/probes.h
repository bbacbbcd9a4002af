/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probes: where page-table memory shows up, read precisely.
 *
 *   meminfo   /proc/meminfo PageTables          real pages, a shared table once
 *   vmstat    /proc/vmstat nr_page_table_pages  the same counter, in pages
 *   cgroup    memory.stat pagetables of a cgroup v2 the workers join,
 *             charged to the allocating cgroup, so a shared table once
 *             (rstat-flushed, so it can lag by up to 64 pages per CPU)
 *   vmpte     sum of /proc/PID/status VmPTE     a shared table is charged
 *             to every sharer, so this sum hides the saving
 *
 * Before every system-wide read the per-CPU vmstat deltas are folded by
 * writing /proc/sys/vm/stat_refresh (root).  Samples do not allocate, so
 * taking one does not itself create page tables.
 */
#ifndef PTSHARE_PROBES_H
#define PTSHARE_PROBES_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct json;

/* A probe that could not be read (samples and deltas alike). */
#define PROBE_NONE INT64_MIN

struct pt_sample {
	int64_t meminfo_bytes;		/* PROBE_NONE when unavailable */
	int64_t vmstat_pages;
	int64_t cgroup_bytes;
	int64_t vmpte_bytes;
	uint64_t t_ns;
};

struct probe_ctx {
	bool stat_refresh;		/* /proc/sys/vm/stat_refresh writable */
	bool cgroup;			/* cgroup_dir exists and the workers join it */
	char cgroup_dir[PATH_MAX];
	char cgroup_why[256];		/* why there is no cgroup probe */
	const pid_t *pids;		/* processes summed for VmPTE */
	size_t npids;
};

/* Prepare the probes; a cgroup is created when @want_cgroup and usable. */
void probe_open(struct probe_ctx *p, bool want_cgroup);
void probe_close(struct probe_ctx *p);

/* Move @pid into the probe cgroup (called by each worker for itself). */
int probe_cgroup_join(const struct probe_ctx *p, pid_t pid);

void probe_set_pids(struct probe_ctx *p, const pid_t *pids, size_t n);

/* Fold the per-CPU counters and read every probe. */
void probe_sample(const struct probe_ctx *p, struct pt_sample *s);

/*
 * Sample until meminfo PageTables is unchanged over @stable consecutive
 * reads @gap_ns apart, or @timeout_ns passes.  Returns 0 when it settled,
 * -1 when it timed out (the last sample is still returned).
 */
int probe_settle(const struct probe_ctx *p, struct pt_sample *s, unsigned stable,
		 uint64_t gap_ns, uint64_t timeout_ns);

/* Delta b - a per probe; PROBE_NONE where either side is unknown. */
void probe_delta(const struct pt_sample *a, const struct pt_sample *b, struct pt_sample *d);

/* A /proc/vmstat counter (e.g. a kernel's sharing counters); PROBE_NONE if absent. */
int64_t probe_vmstat(const char *key);

/* Which probes were used and how they count shared tables. */
struct json *probe_describe(const struct probe_ctx *p);

#endif
