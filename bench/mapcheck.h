/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mapcheck: did the kernel map the backing with the page size asked for?
 *
 * The preflight check runs before any measurement, in a forked process
 * that is the file's only mapper: it maps the backing at the placement
 * base, faults up to 64 sampled 2 MiB blocks and judges them from
 * /proc/PID/smaps (hugetlb, shmem, page cache, device-DAX) or, for FS/DAX
 * where smaps has no PMD counters, from whether a second 4 KiB page of
 * each block faults (DAX has no fault-around, and no other mapper can have
 * shared tables with it).  The per-worker check reads smaps of running
 * workers where smaps can tell.
 */
#ifndef PTSHARE_MAPCHECK_H
#define PTSHARE_MAPCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct backing;
struct placement;
struct json;

struct page_size_seen {
	uint64_t page_size;	/* 0 when mixed or unknown */
	double pmd_fraction;	/* of the sampled/mapped memory; -1 unknown */
	char evidence[256];
};

/* 0, or -1 with @err (could not map or probe at all). */
int mapcheck_preflight(struct backing *b, const struct placement *pl, struct page_size_seen *seen,
		       char *err, size_t errlen);

/*
 * Check up to @max workers' mappings through smaps (nothing for FS/DAX).
 * Returns the lowest PMD fraction seen, -1 when smaps cannot tell.
 */
double mapcheck_workers(const struct backing *b, const pid_t *pids, const uint64_t *addrs,
			unsigned n, unsigned max, uint64_t len, char *evidence, size_t evlen);

/*
 * Compare what was seen with what was asked.  Returns 0 when they match,
 * -1 with a one-line explanation in @err otherwise.
 */
int mapcheck_matches(const struct backing *b, const struct page_size_seen *seen, char *err, size_t errlen);

struct json *mapcheck_describe(const struct page_size_seen *seen);

#endif
