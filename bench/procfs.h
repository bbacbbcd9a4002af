/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * procfs: parsers for /proc and /sys text.  They work on a text buffer,
 * never on a live file, so the unit tests feed them stored samples.
 */
#ifndef PTSHARE_PROCFS_H
#define PTSHARE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * "Key:   1234 kB" lines (meminfo, status, smaps).  The value is returned
 * in bytes when the line carries a kB unit, as is otherwise.
 * 0 on success, -1 when the key is absent or malformed.
 */
int kv_colon(const char *text, const char *key, int64_t *out);

/* "key 1234" lines (/proc/vmstat, cgroup memory.stat). */
int kv_space(const char *text, const char *key, int64_t *out);

/* One VMA of /proc/PID/smaps; byte fields are -1 when absent. */
struct smaps_vma {
	uint64_t start, end, offset;
	char perms[5];
	char path[256];
	int64_t size, rss, pss, kernel_page_size, mmu_page_size;
	int64_t anon_huge, shmem_pmd, file_pmd, shared_hugetlb, private_hugetlb;
	char vmflags[160];
};

/*
 * Sum the fields of all VMAs overlapping [start, end).  @first receives
 * the first overlapping VMA's header (and its own fields); @sum the totals.
 * Returns the number of VMAs found.
 */
int smaps_range(const char *text, uint64_t start, uint64_t end,
		struct smaps_vma *first, struct smaps_vma *sum);

/* True when no line of /proc/PID/maps overlaps [start, end). */
bool maps_range_free(const char *maps, uint64_t start, uint64_t end);

struct mount_info {
	char mount_point[512];
	char fstype[64];
	char source[256];
	char mount_opts[512];	/* per-mount options */
	char super_opts[512];	/* filesystem options (e.g. dax=always) */
};

/*
 * The mount that holds @path (an absolute, symlink-free path) according
 * to /proc/self/mountinfo text: longest mount-point prefix, last wins.
 */
int mountinfo_find(const char *text, const char *path, struct mount_info *out);
/* Iterate the entries of mountinfo text; @cursor starts at the text. */
bool mountinfo_next(const char **cursor, struct mount_info *out);

/* True when the comma-separated option list holds @opt (or opt=...). */
bool opt_list_has(const char *list, const char *opt);
/* Value of "opt=value" in a comma list into @buf; 0 or -1. */
int opt_list_value(const char *list, const char *opt, char *buf, size_t len);

/* The [bracketed] choice of a THP-style sysfs file ("always [madvise] never"). */
int sysfs_choice(const char *text, char *buf, size_t len);

#endif
