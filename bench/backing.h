/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backing: the shared file every worker maps, for each kind of backing
 * the suite measures.  The parent opens (and, where it creates one,
 * prepares) the file; forked workers inherit the descriptor and map it at
 * the address the placement module gives them.  Every backing verifies
 * what it claims (a DAX mount is DAX, a hugetlbfs pool is large enough,
 * a tmpfs can give 2 MiB pages) and fails with a message naming the fix.
 *
 *   fsdax      a file on a filesystem mounted -o dax (statx STATX_ATTR_DAX),
 *              mapped through libpmem2 into a VM reservation at the address
 *   devdax     a device-DAX character device /dev/daxX.Y, through libpmem2
 *   hugetlbfs  a file on a hugetlbfs mount, or a MFD_HUGETLB memfd
 *   tmpfs      a shmem file (a tmpfs directory or a memfd), THP on or off
 *   file       a page-cache file on any filesystem
 */
#ifndef PTSHARE_BACKING_H
#define PTSHARE_BACKING_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procfs.h"

struct json;

enum backing_kind {
	BACKING_FSDAX,
	BACKING_DEVDAX,
	BACKING_HUGETLBFS,
	BACKING_TMPFS,
	BACKING_FILE,
	BACKING_NKINDS
};

struct backing_request {
	enum backing_kind kind;
	const char *path;	/* directory, new or existing file, device; NULL = default */
	uint64_t size;		/* bytes of file each worker maps */
	uint64_t page_size;	/* mapping size wanted: 4 KiB, 2 MiB, 1 GiB; 0 = largest */
	bool writes;		/* the benchmark writes through the mapping */
	bool overwrite;		/* user allows writes to a file/device we did not create */
	bool keep;		/* keep the file the suite created */
};

struct backing {
	enum backing_kind kind;
	char path[PATH_MAX];	/* file or device in use ("memfd:..." for memfds) */
	int fd;
	uint64_t size;
	uint64_t page_size;	/* the mapping size requested (resolved) */
	uint64_t align;		/* address/length alignment the backing needs */
	int advice;		/* madvise() applied after mapping, 0 for none */
	bool created_file, created_dir, keep;
	char created_mount[PATH_MAX];	/* private tmpfs the suite mounted */
	struct mount_info mnt;
	bool dax;		/* verified: accesses bypass the page cache */
	bool kernel_shares_pmd;	/* hugetlbfs: mainline shares PMD pages */
	bool use_pmem2;
	char verified[512];	/* what was checked, for the result metadata */
	void *pmem2_src;	/* struct pmem2_source *, in the worker */
};

/* One worker's mapping of the backing. */
struct backing_map {
	void *addr;
	uint64_t len;
	void *pmem2_map;	/* struct pmem2_map * */
	void *pmem2_rsv;	/* struct pmem2_vm_reservation * */
};

int backing_parse_kind(const char *s, enum backing_kind *kind);
const char *backing_kind_name(enum backing_kind kind);
const char *backing_kinds_help(void);

/* Parent: open/create, size, prefill and verify.  0, or -1 with @err. */
int backing_open(const struct backing_request *rq, struct backing *b, char *err, size_t errlen);
/* Parent: close, and remove what the suite created. */
void backing_close(struct backing *b);

/*
 * Worker, before its first barrier: allocate what mapping will need
 * (libpmem2's source), so that nothing after the baseline but the mapping
 * itself allocates memory.
 */
int backing_prepare(struct backing *b, char *err, size_t errlen);

/*
 * Worker: map [0, len) of the backing at exactly @addr (MAP_FIXED_NOREPLACE
 * or a libpmem2 reservation) and apply the page-size advice.
 */
int backing_map(struct backing *b, uint64_t addr, uint64_t len, struct backing_map *m,
		char *err, size_t errlen);
int backing_unmap(struct backing *b, struct backing_map *m);

/*
 * What mapping size the kernel really used for [addr, addr+len) in @pid,
 * from /proc/PID/smaps.  Fills @seen_page_size (0 = smaps cannot tell,
 * e.g. FS/DAX in 6.12 has no smaps counters) and @pmd_fraction
 * (-1 = unknown).  @how names the evidence.
 */
int backing_page_size_seen(const struct backing *b, pid_t pid, uint64_t addr, uint64_t len,
			   uint64_t *seen_page_size, double *pmd_fraction,
			   char *how, size_t howlen);

/*
 * Parent: bring every page of the file into memory once (map it anywhere,
 * MADV_POPULATE_READ, unmap), so that the first measured mapper finds the
 * same state as later ones: no first-touch zeroing of fallocated tmpfs
 * pages, page cache filled.  Page tables are not kept.  0, or -1 with @err.
 */
int backing_prime(struct backing *b, char *err, size_t errlen);

/* Metadata for results. */
struct json *backing_describe(const struct backing *b);

/*
 * The best backing on this machine for the main job: a DAX mount, a
 * hugetlbfs pool large enough, else tmpfs.  Fills @rq->kind/@rq->path
 * (path points into static storage) and a reason.
 */
void backing_find_best(struct backing_request *rq, char *why, size_t whylen);

#endif
