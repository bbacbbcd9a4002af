// SPDX-License-Identifier: GPL-2.0-only
/* The /proc and /sys parsers, on samples stored from a real machine. */
#include "config.h"

#include "procfs.h"
#include "tap.h"
#include "util.h"

static char *load(const char *name)
{
	char *t = read_file_alloc(datafile(name), NULL);

	if (!t) {
		printf("Bail out! cannot read %s\n", datafile(name));
		exit(1);
	}
	return t;
}

int main(void)
{
	char *meminfo = load("meminfo.txt"), *vmstat = load("vmstat.txt"), *status = load("status.txt");
	char *smaps = load("smaps-hugetlb-shmem.txt"), *maps = load("maps.txt");
	char *mountinfo = load("mountinfo.txt"), *memstat = load("memory.stat.txt");
	struct smaps_vma first, sum;
	struct mount_info m;
	int64_t v;
	char buf[64];

	plan(41);
	is_int(kv_colon(meminfo, "PageTables", &v), 0, "meminfo PageTables found");
	is_int(v, 3388 * 1024, "PageTables is 3388 kB in bytes");
	is_int(kv_colon(meminfo, "SecPageTables", &v), 0, "SecPageTables is a different key");
	is_int(v, 0, "SecPageTables value");
	is_int(kv_colon(meminfo, "HugePages_Total", &v), 0, "unitless meminfo field");
	is_int(v, 2048, "HugePages_Total is a count");
	is_int(kv_colon(meminfo, "PageTable", &v), -1, "a key prefix does not match");
	is_int(kv_space(vmstat, "nr_page_table_pages", &v), 0, "vmstat nr_page_table_pages");
	is_int(v, 847, "nr_page_table_pages value");
	is_int(kv_space(vmstat, "nr_page_table", &v), -1, "vmstat prefix does not match");
	is_int(kv_colon(status, "VmPTE", &v), 0, "status VmPTE");
	is_int(v, 64 * 1024, "VmPTE is 64 kB");
	is_int(kv_space(memstat, "pagetables", &v), 0, "memory.stat pagetables");
	is_int(v, 2166784, "memory.stat is in bytes");
	is_int(kv_space(memstat, "sec_pagetables", &v), 0, "memory.stat sec_pagetables distinct");

	is_int(smaps_range(smaps, 0x300000000000ull, 0x300000800000ull, &first, &sum), 1, "hugetlb VMA found");
	is_int(sum.kernel_page_size, 2 * MiB, "hugetlb KernelPageSize 2048 kB");
	is_int(sum.private_hugetlb, 8 * MiB, "Private_Hugetlb 8 MiB");
	is_int(sum.size, 8 * MiB, "hugetlb Size");
	ok(strstr(first.path, "memfd:cap-huge") != NULL, "path parsed: %s", first.path);
	ok(strstr(first.vmflags, "ht") != NULL, "VmFlags has ht: %s", first.vmflags);
	is_str(first.perms, "rw-s", "perms parsed");

	is_int(smaps_range(smaps, 0x310000000000ull, 0x310000800000ull, &first, &sum), 1, "THP shmem VMA found");
	is_int(sum.shmem_pmd, 8 * MiB, "ShmemPmdMapped 8 MiB");
	is_int(sum.rss, 8 * MiB, "Rss 8 MiB");
	is_int(smaps_range(smaps, 0x320000000000ull, 0x320000100000ull, &first, &sum), 1, "4K shmem VMA found");
	is_int(sum.shmem_pmd, 0, "ShmemPmdMapped 0");
	is_int(smaps_range(smaps, 0x300000000000ull, 0x320000100000ull, &first, &sum), 3, "a range spans three VMAs");
	is_int(sum.rss, 9 * MiB, "Rss summed over the VMAs (hugetlb has no Rss)");
	is_int(smaps_range(smaps, 0x100000ull, 0x200000ull, &first, &sum), 0, "nothing at an unmapped range");

	ok(!maps_range_free(maps, 0x300000000000ull, 0x300000001000ull), "maps: mapped range is not free");
	ok(maps_range_free(maps, 0x400000000000ull, 0x500000000000ull), "maps: empty range is free");

	is_int(mountinfo_find(mountinfo, "/mnt/pmem/x.dat", &m), 0, "mountinfo: file on /mnt/pmem");
	is_str(m.fstype, "ext4", "fstype ext4");
	ok(opt_list_has(m.super_opts, "dax"), "super options have dax: %s", m.super_opts);
	is_int(opt_list_value(m.super_opts, "dax", buf, sizeof(buf)), 0, "dax=value found");
	is_str(buf, "always", "dax=always");
	is_int(mountinfo_find(mountinfo, "/mnt/pmem xfs/f", &m), 0, "mountinfo: escaped space in mount point");
	is_str(m.fstype, "xfs", "the xfs mount, longest prefix wins");
	is_int(mountinfo_find(mountinfo, "/mnt/pmemother", &m) == 0 && strcmp(m.mount_point, "/mnt/pmem") == 0, 0,
	       "a sibling with a common prefix is not inside the mount");
	is_int(sysfs_choice("always [madvise] never\n", buf, sizeof(buf)), 0, "THP choice parsed");
	return done_testing();
}
