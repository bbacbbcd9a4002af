/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * watch: what every stress scenario must leave behind unchanged.
 *
 *  - Page tables.  Exact where the probe cgroup exists (cgroup v2 memory
 *    controller, as in the QEMU guest): every process of the scenario ran
 *    in it and each page table stays charged to it until freed, so its
 *    memory.stat pagetables must come back to the value before the
 *    scenario (waiting for the RCU-delayed frees and the 2 s stats flush).
 *    System-wide /proc/meminfo PageTables (stat_refresh folds the per-CPU
 *    counters) must come back within a stated bound.  Other processes move
 *    it, so above the bound the part that no live process accounts for
 *    (the sum of every process's VmPTE, plus one PGD per process) is what
 *    a leak would be, and that must be within the bound too.  It is re-read
 *    until it is (noise goes away, a leak stays); readings that never agree
 *    make the check say so and skip rather than guess.
 *  - The kernel log (/dev/kmsg from the scenario's start): no WARNING,
 *    BUG, Oops, KASAN, UBSAN, lockdep report, "non-zero pgtables_bytes",
 *    bad page/pmd/rss-counter line or hung task.
 */
#ifndef PTSHARE_STRESS_WATCH_H
#define PTSHARE_STRESS_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes.h"

struct watch {
	int kmsg_fd;			/* -1 when the kernel log cannot be read */
	char kmsg_why[160];
	struct pt_sample before;
	bool before_settled;
	int64_t cg_before;		/* PROBE_NONE without the cgroup probe */
	bool live_ok;			/* the live processes' tables were read */
	int64_t live_meminfo, live_before, procs_before;
};

enum watch_verdict { WATCH_PASS, WATCH_FAIL, WATCH_SKIP };

void watch_begin(struct watch *w, const struct probe_ctx *probe);
/*
 * After every process of the scenario has been reaped.  @bound_pages is
 * how far meminfo PageTables may stay above the baseline; @wait_ns how
 * long to re-read it.  The verdict's explanation goes to @text.
 */
enum watch_verdict watch_pagetables(struct watch *w, const struct probe_ctx *probe, int64_t bound_pages,
				    uint64_t wait_ns, char *text, size_t len);
enum watch_verdict watch_kmsg(struct watch *w, char *text, size_t len);
void watch_end(struct watch *w);

/* Does a kernel log line report a problem?  (Unit-tested.) */
bool watch_is_splat(const char *line);

#endif
