// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "backing.h"
#include "json.h"
#include "procfs.h"
#include "units.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifdef HAVE_LIBPMEM2
#include <libpmem2.h>
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static const char *const kind_names[BACKING_NKINDS] = {
	[BACKING_FSDAX] = "fsdax",
	[BACKING_DEVDAX] = "devdax",
	[BACKING_HUGETLBFS] = "hugetlbfs",
	[BACKING_TMPFS] = "tmpfs",
	[BACKING_FILE] = "file",
};

int backing_parse_kind(const char *s, enum backing_kind *kind)
{
	for (int k = 0; k < BACKING_NKINDS; k++) {
		if (!strcmp(s, kind_names[k])) {
			*kind = k;
			return 0;
		}
	}
	return -1;
}

const char *backing_kind_name(enum backing_kind kind)
{
	return kind < BACKING_NKINDS ? kind_names[kind] : "?";
}

const char *backing_kinds_help(void)
{
	return "fsdax, devdax, hugetlbfs, tmpfs, file";
}

#define ERR(...) errf(err, errlen, __VA_ARGS__)

static void verified_add(struct backing *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verified_add(struct backing *b, const char *fmt, ...)
{
	size_t n = strlen(b->verified);
	va_list ap;

	if (n && n + 2 < sizeof(b->verified)) {
		strcat(b->verified, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(b->verified + n, sizeof(b->verified) - n, fmt, ap);
	va_end(ap);
}

/* ---- helpers --------------------------------------------------------- */

static int fill_mount_info(struct backing *b, const char *path)
{
	char real[PATH_MAX], *mi;
	int r;

	if (!realpath(path, real))
		return -1;
	mi = read_file_alloc("/proc/self/mountinfo", NULL);
	if (!mi)
		return -1;
	r = mountinfo_find(mi, real, &b->mnt);
	free(mi);
	return r;
}

static uint64_t hugetlb_sysfs_read(uint64_t hpsz, const char *file, bool *ok)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/%s",
		 (unsigned long long)(hpsz / KiB), file);
	*ok = read_file_buf(path, buf, sizeof(buf)) > 0;
	return *ok ? strtoull(buf, NULL, 10) : 0;
}

/*
 * Open the file the backing uses.  A directory gets a new file the suite
 * owns; a missing file in an existing directory is created; an existing
 * file is used as is and never resized, and written only with --overwrite.
 */
static int open_target(struct backing *b, const struct backing_request *rq, const char *dir_or_file,
		       char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir_or_file, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(b->path, sizeof(b->path), "%s/ptshare-%ld.dat", dir_or_file, (long)getpid());
	} else if (stat(dir_or_file, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return ERR("%s is not a regular file or directory", dir_or_file);
		snprintf(b->path, sizeof(b->path), "%s", dir_or_file);
		if ((uint64_t)st.st_size < rq->size)
			return ERR("%s holds %llu bytes, %llu needed: give a directory and the suite creates its own file",
				   dir_or_file, (unsigned long long)st.st_size, (unsigned long long)rq->size);
		if (rq->writes && !rq->overwrite)
			return ERR("refusing to write into %s, which the suite did not create: give a directory, or --overwrite",
				   dir_or_file);
		b->fd = open(b->path, (rq->writes ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (b->fd < 0)
			return ERR("cannot open %s: %s", b->path, strerror(errno));
		return 0;
	} else if (errno == ENOENT) {
		snprintf(b->path, sizeof(b->path), "%s", dir_or_file);
	} else {
		return ERR("cannot access %s: %s", dir_or_file, strerror(errno));
	}
	b->fd = open(b->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (b->fd < 0)
		return ERR("cannot create %s: %s", b->path, strerror(errno));
	b->created_file = true;
	if (!rq->keep)
		cleanup_add_file(b->path);
	return 0;
}

/* Allocate (and for disk-like backings, write) the file contents. */
static int prefill(struct backing *b, bool write_zeros, char *err, size_t errlen)
{
	const size_t chunk = 2 * MiB;
	char *zeros;
	int r;

	if (!b->created_file)
		return 0;
	r = posix_fallocate(b->fd, 0, b->size);
	if (r)
		return ERR("cannot allocate %llu bytes for %s: %s",
			   (unsigned long long)b->size, b->path, strerror(r));
	if (!write_zeros)
		return 0;
	zeros = xcalloc(1, chunk);
	for (uint64_t off = 0; off < b->size; off += chunk) {
		size_t n = b->size - off < chunk ? b->size - off : chunk;

		if (pwrite(b->fd, zeros, n, off) != (ssize_t)n) {
			free(zeros);
			return ERR("cannot write %s: %s", b->path, strerror(errno));
		}
	}
	free(zeros);
	if (fdatasync(b->fd) < 0)
		return ERR("fdatasync %s: %s", b->path, strerror(errno));
	return 0;
}

/* ---- per-kind setup -------------------------------------------------- */

static bool private_ns;

/* Our own mount namespace: mounts we make are invisible to others. */
static void enter_private_mount_ns(void)
{
	if (private_ns)
		return;
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		private_ns = true;
}

/* Remove empty /tmp/ptshare-tmpfs.PID.* directories of dead runs. */
static void reap_stale_tmpfs_dirs(void)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[300];
		long pid;

		if (sscanf(e->d_name, "ptshare-tmpfs.%ld.", &pid) != 1 || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
		if (rmdir(path) == 0)
			msg_warn("removed %s, left by a run (pid %ld) that was killed", path, pid);
	}
	if (d)
		closedir(d);
}

static bool mount_is_dax(const struct mount_info *m)
{
	char v[32];

	if (opt_list_value(m->super_opts, "dax", v, sizeof(v)) == 0)
		return strcmp(v, "never") != 0;
	return opt_list_has(m->super_opts, "dax") || opt_list_has(m->mount_opts, "dax");
}

static int file_is_dax(int fd, bool *known)
{
#ifdef HAVE_STATX
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_DAX)) {
		*known = true;
		return !!(stx.stx_attributes & STATX_ATTR_DAX);
	}
#else
	(void)fd;
#endif
	*known = false;
	return 0;
}

static int setup_fsdax(struct backing *b, const struct backing_request *rq, char *err, size_t errlen)
{
	bool known;
	int dax;

	if (!rq->path)
		return ERR("fsdax needs --path DIR on a filesystem mounted with -o dax (e.g. mount -o dax /dev/pmem0 /mnt/pmem)");
	if (b->page_size != 4 * KiB && b->page_size != 2 * MiB)
		return ERR("fsdax maps 4K or 2M pages; for 1G use devdax with align=1G");
	if (open_target(b, rq, rq->path, err, errlen) < 0)
		return -1;
	if (fill_mount_info(b, b->path) < 0)
		return ERR("cannot find the mount holding %s in /proc/self/mountinfo", b->path);
	dax = file_is_dax(b->fd, &known);
	if (known && !dax)
		return ERR("%s is not DAX (statx shows no STATX_ATTR_DAX; %s on %s is mounted %s): mount a pmem device with -o dax",
			   b->path, b->mnt.fstype, b->mnt.mount_point, b->mnt.super_opts);
	if (!known && !mount_is_dax(&b->mnt))
		return ERR("%s is not on a DAX mount (%s %s %s): mount a pmem device with -o dax",
			   b->path, b->mnt.fstype, b->mnt.mount_point, b->mnt.super_opts);
	b->dax = true;
	verified_add(b, known ? "statx reports STATX_ATTR_DAX" : "mount options include dax");
	if (prefill(b, true, err, errlen) < 0)
		return -1;
	b->align = b->page_size;
	b->advice = b->page_size == 4 * KiB ? MADV_NOHUGEPAGE : 0;
#ifdef HAVE_LIBPMEM2
	b->use_pmem2 = true;
#endif
	return 0;
}

static int setup_devdax(struct backing *b, const struct backing_request *rq, char *err, size_t errlen)
{
	char sys[256], buf[256], link[PATH_MAX];
	struct stat st;
	uint64_t devsize, align = 2 * MiB;
	ssize_t n;

	if (!rq->path)
		return ERR("devdax needs --path /dev/daxX.Y (see daxctl list)");
	if (stat(rq->path, &st) < 0)
		return ERR("cannot access %s: %s", rq->path, strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return ERR("%s is not a character device: devdax needs /dev/daxX.Y", rq->path);
	snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u/subsystem", major(st.st_rdev), minor(st.st_rdev));
	n = readlink(sys, link, sizeof(link) - 1);
	if (n < 0 || (link[n] = '\0', !strstr(link, "/dax")))
		return ERR("%s is not a device-DAX device (its sysfs subsystem is not dax)", rq->path);
	snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u/size", major(st.st_rdev), minor(st.st_rdev));
	if (read_file_buf(sys, buf, sizeof(buf)) <= 0)
		return ERR("cannot read %s", sys);
	devsize = strtoull(buf, NULL, 10);
	snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u/align", major(st.st_rdev), minor(st.st_rdev));
	if (read_file_buf(sys, buf, sizeof(buf)) > 0)
		align = strtoull(buf, NULL, 10);
	if (devsize < rq->size)
		return ERR("%s has %llu bytes, %llu needed", rq->path,
			   (unsigned long long)devsize, (unsigned long long)rq->size);
	if (rq->writes && !rq->overwrite)
		return ERR("refusing to write to device %s without --overwrite (its contents will be overwritten)",
			   rq->path);
	if (!b->page_size)
		b->page_size = align;
	if (b->page_size != align)
		return ERR("%s maps %llu-byte pages (its align); reconfigure it with daxctl to change that",
			   rq->path, (unsigned long long)align);
	snprintf(b->path, sizeof(b->path), "%s", rq->path);
	b->fd = open(b->path, (rq->writes ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (b->fd < 0)
		return ERR("cannot open %s: %s", b->path, strerror(errno));
	b->dax = true;
	b->align = align;
	snprintf(b->mnt.fstype, sizeof(b->mnt.fstype), "devdax");
	verified_add(b, "sysfs subsystem dax, align %llu", (unsigned long long)align);
#ifdef HAVE_LIBPMEM2
	b->use_pmem2 = true;
#endif
	return 0;
}

static int setup_hugetlbfs(struct backing *b, const struct backing_request *rq, char *err, size_t errlen)
{
	uint64_t hpsz = b->page_size ? b->page_size : 2 * MiB, nr, freep, need;
	bool ok;

	if (hpsz != 2 * MiB && hpsz != GiB)
		return ERR("hugetlbfs maps 2M or 1G pages, not %llu bytes", (unsigned long long)hpsz);
	b->page_size = hpsz;
	nr = hugetlb_sysfs_read(hpsz, "nr_hugepages", &ok);
	if (!ok)
		return ERR("this kernel has no %s hugetlb pages (no /sys/kernel/mm/hugepages/hugepages-%llukB)",
			   hpsz == GiB ? "1 GiB" : "2 MiB", (unsigned long long)(hpsz / KiB));
	freep = hugetlb_sysfs_read(hpsz, "free_hugepages", &ok);
	if (rq->path) {
		struct statfs sfs;

		if (statfs(rq->path, &sfs) < 0)
			return ERR("cannot access %s: %s", rq->path, strerror(errno));
		if ((unsigned long)sfs.f_type != (unsigned long)HUGETLBFS_MAGIC)
			return ERR("%s is not on hugetlbfs: mount -t hugetlbfs none DIR, or omit --path to use a memfd",
				   rq->path);
		if ((uint64_t)sfs.f_bsize != hpsz)
			return ERR("%s is a hugetlbfs mount of %llu-byte pages, %llu wanted: mount one with -o pagesize=%s",
				   rq->path, (unsigned long long)sfs.f_bsize, (unsigned long long)hpsz,
				   hpsz == GiB ? "1G" : "2M");
		if (open_target(b, rq, rq->path, err, errlen) < 0)
			return -1;
		fill_mount_info(b, b->path);
	} else {
		unsigned flags = MFD_HUGETLB | ((hpsz == GiB ? 30u : 21u) << MFD_HUGE_SHIFT);

		b->fd = memfd_create("ptshare-hugetlb", flags | MFD_CLOEXEC);
		if (b->fd < 0)
			return ERR("memfd_create(MFD_HUGETLB) failed: %s", strerror(errno));
		snprintf(b->path, sizeof(b->path), "memfd:ptshare-hugetlb");
		snprintf(b->mnt.fstype, sizeof(b->mnt.fstype), "hugetlbfs");
		snprintf(b->mnt.mount_point, sizeof(b->mnt.mount_point), "(internal memfd mount)");
		snprintf(b->mnt.super_opts, sizeof(b->mnt.super_opts), "pagesize=%s", hpsz == GiB ? "1024M" : "2M");
		b->created_file = true;
	}
	need = b->created_file ? (rq->size + hpsz - 1) / hpsz : 0;
	if (freep < need) {
		if (hpsz == 2 * MiB)
			return ERR("hugetlbfs pool has %llu free 2 MiB pages, %llu needed: echo %llu > /proc/sys/vm/nr_hugepages",
				   (unsigned long long)freep, (unsigned long long)need,
				   (unsigned long long)(nr + need - freep));
		return ERR("hugetlbfs pool has %llu free 1 GiB pages, %llu needed: echo %llu > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages",
			   (unsigned long long)freep, (unsigned long long)need,
			   (unsigned long long)(nr + need - freep));
	}
	if (b->created_file && ftruncate(b->fd, rq->size) < 0)
		return ERR("cannot size the hugetlbfs file: %s", strerror(errno));
	if (prefill(b, false, err, errlen) < 0)
		return -1;
	b->align = hpsz;
	b->kernel_shares_pmd = hpsz == 2 * MiB;
#if !defined(__x86_64__) && !defined(__aarch64__)
	b->kernel_shares_pmd = false;
#endif
	verified_add(b, "%llu free %s pages before, %llu needed", (unsigned long long)freep,
		     hpsz == GiB ? "1 GiB" : "2 MiB", (unsigned long long)need);
	return 0;
}

static int setup_tmpfs(struct backing *b, const struct backing_request *rq, char *err, size_t errlen)
{
	bool huge;

	if (!b->page_size)
		b->page_size = 2 * MiB;
	if (b->page_size != 4 * KiB && b->page_size != 2 * MiB)
		return ERR("tmpfs maps 4K or 2M pages");
	huge = b->page_size == 2 * MiB;
	b->advice = huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
	b->align = b->page_size;

	if (rq->path) {
		struct statfs sfs;
		char v[32];

		if (statfs(rq->path, &sfs) < 0)
			return ERR("cannot access %s: %s", rq->path, strerror(errno));
		if ((unsigned long)sfs.f_type != (unsigned long)TMPFS_MAGIC)
			return ERR("%s is not on tmpfs: give a tmpfs directory or omit --path", rq->path);
		if (open_target(b, rq, rq->path, err, errlen) < 0)
			return -1;
		fill_mount_info(b, b->path);
		if (huge && (opt_list_value(b->mnt.super_opts, "huge", v, sizeof(v)) < 0 || !strcmp(v, "never")))
			verified_add(b, "mount has no huge= option: 2 MiB pages only if shmem_enabled allows");
	} else if (geteuid() == 0) {
		/*
		 * A private mount makes THP on/off independent of the sysctls.
		 * It lives in a mount namespace of our own, so it disappears
		 * with us even when we are SIGKILLed; only the empty directory
		 * could stay, and it names our pid so a later run removes it.
		 */
		char dir[64], opts[128];

		reap_stale_tmpfs_dirs();
		enter_private_mount_ns();
		snprintf(dir, sizeof(dir), "/tmp/ptshare-tmpfs.%ld.XXXXXX", (long)getpid());
		if (!mkdtemp(dir))
			return ERR("cannot create a temporary directory in /tmp: %s", strerror(errno));
		cleanup_add_dir(dir);
		b->created_dir = true;
		snprintf(opts, sizeof(opts), "huge=%s,size=%llu,mode=0700", huge ? "always" : "never",
			 (unsigned long long)(rq->size + 4 * MiB));
		if (mount("ptshare", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
			return ERR("cannot mount a private tmpfs on %s: %s", dir, strerror(errno));
		cleanup_add_mount(dir);
		snprintf(b->created_mount, sizeof(b->created_mount), "%s", dir);
		if (open_target(b, rq, dir, err, errlen) < 0)
			return -1;
		fill_mount_info(b, b->path);
		verified_add(b, "private tmpfs mounted with %s%s", opts,
			     private_ns ? " in a private mount namespace" : "");
	} else {
		b->fd = memfd_create("ptshare-shmem", MFD_CLOEXEC);
		if (b->fd < 0)
			return ERR("memfd_create failed: %s", strerror(errno));
		snprintf(b->path, sizeof(b->path), "memfd:ptshare-shmem");
		snprintf(b->mnt.fstype, sizeof(b->mnt.fstype), "tmpfs");
		snprintf(b->mnt.mount_point, sizeof(b->mnt.mount_point), "(internal shm mount)");
		b->created_file = true;
		verified_add(b, "memfd (not root: THP follows shmem_enabled and madvise)");
	}
	if (b->created_file && ftruncate(b->fd, rq->size) < 0)
		return ERR("cannot size %s: %s", b->path, strerror(errno));
	return prefill(b, false, err, errlen);
}

static int setup_file(struct backing *b, const struct backing_request *rq, char *err, size_t errlen)
{
	const char *dir = rq->path ? rq->path : (getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp");
	struct statfs sfs;

	if (!b->page_size)
		b->page_size = 4 * KiB;
	if (b->page_size != 4 * KiB && b->page_size != 2 * MiB)
		return ERR("file maps 4K pages (2M only where the filesystem gives large folios)");
	if (open_target(b, rq, dir, err, errlen) < 0)
		return -1;
	if (fstatfs(b->fd, &sfs) == 0 && ((unsigned long)sfs.f_type == (unsigned long)TMPFS_MAGIC ||
					 (unsigned long)sfs.f_type == (unsigned long)HUGETLBFS_MAGIC))
		return ERR("%s is on tmpfs/hugetlbfs: use --backing tmpfs/hugetlbfs, or --path on a disk filesystem",
			   b->path);
	fill_mount_info(b, b->path);
	{
		bool known;

		if (file_is_dax(b->fd, &known) && known)
			return ERR("%s is DAX: use --backing fsdax for it", b->path);
	}
	b->align = b->page_size;
	b->advice = b->page_size == 2 * MiB ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
	if (prefill(b, true, err, errlen) < 0)
		return -1;
	verified_add(b, "page cache on %s", b->mnt.fstype);
	return 0;
}

int backing_open(const struct backing_request *rq, struct backing *b, char *err, size_t errlen)
{
	int r;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->kind = rq->kind;
	b->size = rq->size;
	b->page_size = rq->page_size;
	b->keep = rq->keep;
	if (!rq->size)
		return ERR("--size must be more than 0");
	if (b->page_size && b->page_size != 4 * KiB && b->page_size != 2 * MiB && b->page_size != GiB)
		return ERR("--page-size must be 4K, 2M or 1G");

	switch (rq->kind) {
	case BACKING_FSDAX:
		if (!b->page_size)
			b->page_size = 2 * MiB;
		r = setup_fsdax(b, rq, err, errlen);
		break;
	case BACKING_DEVDAX:
		r = setup_devdax(b, rq, err, errlen);
		break;
	case BACKING_HUGETLBFS:
		r = setup_hugetlbfs(b, rq, err, errlen);
		break;
	case BACKING_TMPFS:
		r = setup_tmpfs(b, rq, err, errlen);
		break;
	case BACKING_FILE:
		r = setup_file(b, rq, err, errlen);
		break;
	default:
		r = ERR("unknown backing");
	}
	if (r == 0 && (rq->size % b->align))
		r = ERR("--size %llu is not a multiple of the %llu-byte pages of this backing",
			(unsigned long long)rq->size, (unsigned long long)b->align);
	if (r < 0) {
		backing_close(b);
		return -1;
	}
	return 0;
}

void backing_close(struct backing *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	if (b->created_file && !b->keep && b->path[0] == '/') {
		unlink(b->path);
		cleanup_forget_path(b->path);
	}
	if (b->created_mount[0]) {
		umount2(b->created_mount, MNT_DETACH);
		cleanup_forget_path(b->created_mount);
		rmdir(b->created_mount);
		cleanup_forget_path(b->created_mount);
		b->created_mount[0] = '\0';
	}
	b->created_file = false;
}

/* ---- worker side ------------------------------------------------------ */

#ifdef HAVE_LIBPMEM2
static int map_pmem2(struct backing *b, uint64_t addr, uint64_t len, struct backing_map *m,
		     char *err, size_t errlen)
{
	struct pmem2_source *src = b->pmem2_src;
	struct pmem2_vm_reservation *rsv = NULL;
	struct pmem2_config *cfg = NULL;
	struct pmem2_map *map = NULL;

	if (!src && pmem2_source_from_fd(&src, b->fd))
		return ERR("libpmem2 cannot use %s: %s", b->path, pmem2_errormsg());
	b->pmem2_src = src;
	if (pmem2_vm_reservation_new(&rsv, (void *)(uintptr_t)addr, len))
		return ERR("libpmem2 cannot reserve %llu bytes at 0x%llx: %s",
			   (unsigned long long)len, (unsigned long long)addr, pmem2_errormsg());
	if (pmem2_config_new(&cfg) ||
	    pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_PAGE) ||
	    pmem2_config_set_sharing(cfg, PMEM2_SHARED) ||
	    pmem2_config_set_offset(cfg, 0) ||
	    pmem2_config_set_length(cfg, len) ||
	    pmem2_config_set_vm_reservation(cfg, rsv, 0) ||
	    pmem2_map_new(&map, cfg, src)) {
		ERR("libpmem2 cannot map %s at 0x%llx: %s", b->path, (unsigned long long)addr,
		    pmem2_errormsg());
		if (cfg)
			pmem2_config_delete(&cfg);
		pmem2_vm_reservation_delete(&rsv);
		return -1;
	}
	pmem2_config_delete(&cfg);
	m->addr = pmem2_map_get_address(map);
	m->len = len;
	m->pmem2_map = map;
	m->pmem2_rsv = rsv;
	if ((uint64_t)(uintptr_t)m->addr != addr)
		return ERR("libpmem2 mapped at %p instead of 0x%llx", m->addr, (unsigned long long)addr);
	return 0;
}
#endif

int backing_prepare(struct backing *b, char *err, size_t errlen)
{
#ifdef HAVE_LIBPMEM2
	struct pmem2_source *src;

	if (b->use_pmem2 && !b->pmem2_src) {
		if (pmem2_source_from_fd(&src, b->fd))
			return ERR("libpmem2 cannot use %s: %s", b->path, pmem2_errormsg());
		b->pmem2_src = src;
	}
#else
	(void)b;
	(void)err;
	(void)errlen;
#endif
	return 0;
}

int backing_map(struct backing *b, uint64_t addr, uint64_t len, struct backing_map *m,
		char *err, size_t errlen)
{
	int prot = PROT_READ, flags = MAP_SHARED | MAP_FIXED_NOREPLACE;
	int acc = fcntl(b->fd, F_GETFL) & O_ACCMODE;
	void *p;

	memset(m, 0, sizeof(*m));
	if (acc == O_RDWR)
		prot |= PROT_WRITE;
	if (addr % b->align || len % b->align)
		return ERR("address 0x%llx or length %llu not aligned to %llu", (unsigned long long)addr,
			   (unsigned long long)len, (unsigned long long)b->align);
#ifdef HAVE_LIBPMEM2
	if (b->use_pmem2 && acc == O_RDWR) {
		if (map_pmem2(b, addr, len, m, err, errlen) < 0)
			return -1;
		goto advise;
	}
#endif
	if (b->kind == BACKING_FSDAX && (prot & PROT_WRITE)) {
		p = mmap((void *)(uintptr_t)addr, len, prot, MAP_SHARED_VALIDATE | MAP_SYNC | MAP_FIXED_NOREPLACE,
			 b->fd, 0);
		if (p != MAP_FAILED)
			goto mapped;
	}
	p = mmap((void *)(uintptr_t)addr, len, prot, flags, b->fd, 0);
	if (p == MAP_FAILED)
		return ERR("cannot map %s at 0x%llx: %s%s", b->path, (unsigned long long)addr, strerror(errno),
			   errno == EEXIST ? " (address in use: choose another --base)" : "");
mapped:
	if ((uint64_t)(uintptr_t)p != addr) {
		munmap(p, len);
		return ERR("kernel ignored MAP_FIXED_NOREPLACE (needs Linux 4.17+)");
	}
	m->addr = p;
	m->len = len;
#ifdef HAVE_LIBPMEM2
advise:
#endif
	if (b->advice && madvise(m->addr, len, b->advice) < 0)
		return ERR("madvise(%s) failed: %s", b->advice == MADV_HUGEPAGE ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			   strerror(errno));
	return 0;
}

int backing_unmap(struct backing *b, struct backing_map *m)
{
	(void)b;
#ifdef HAVE_LIBPMEM2
	if (m->pmem2_map) {
		struct pmem2_map *map = m->pmem2_map;
		struct pmem2_vm_reservation *rsv = m->pmem2_rsv;

		if (pmem2_map_delete(&map) || pmem2_vm_reservation_delete(&rsv))
			return -1;
		memset(m, 0, sizeof(*m));
		return 0;
	}
#endif
	if (m->addr && munmap(m->addr, m->len) < 0)
		return -1;
	memset(m, 0, sizeof(*m));
	return 0;
}

int backing_page_size_seen(const struct backing *b, pid_t pid, uint64_t addr, uint64_t len,
			   uint64_t *seen, double *frac, char *how, size_t howlen)
{
	struct smaps_vma first, sum;
	char path[64], *text;
	int n;

	*seen = 0;
	*frac = -1;
	snprintf(path, sizeof(path), "/proc/%ld/smaps", (long)pid);
	text = read_file_alloc(path, NULL);
	if (!text) {
		snprintf(how, howlen, "cannot read %s", path);
		return -1;
	}
	n = smaps_range(text, addr, addr + len, &first, &sum);
	free(text);
	if (n <= 0) {
		snprintf(how, howlen, "no mapping at 0x%llx in %s", (unsigned long long)addr, path);
		return -1;
	}
	switch (b->kind) {
	case BACKING_HUGETLBFS:
	case BACKING_DEVDAX:
		*seen = sum.kernel_page_size > 0 ? (uint64_t)sum.kernel_page_size : 0;
		*frac = *seen >= 2 * MiB ? 1 : 0;
		snprintf(how, howlen, "smaps KernelPageSize %lld kB", (long long)sum.kernel_page_size / 1024);
		break;
	case BACKING_TMPFS:
	case BACKING_FILE: {
		int64_t pmd = b->kind == BACKING_TMPFS ? sum.shmem_pmd : sum.file_pmd;

		if (sum.rss <= 0) {
			snprintf(how, howlen, "smaps Rss is 0: nothing mapped");
			return 0;
		}
		*frac = pmd > 0 ? (double)pmd / (double)sum.rss : 0;
		*seen = *frac >= 0.999 ? 2 * MiB : *frac <= 0.001 ? 4 * KiB : 0;
		snprintf(how, howlen, "smaps %s %lld kB of Rss %lld kB",
			 b->kind == BACKING_TMPFS ? "ShmemPmdMapped" : "FilePmdMapped",
			 (long long)(pmd > 0 ? pmd : 0) / 1024, (long long)sum.rss / 1024);
		break;
	}
	case BACKING_FSDAX:
	default:
		snprintf(how, howlen, "smaps has no PMD counters for FS/DAX (devmap entries)");
		break;
	}
	return 0;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif

int backing_prime(struct backing *b, char *err, size_t errlen)
{
	volatile uint8_t *p;
	void *m;

	if (b->dax)
		return 0;	/* device memory: nothing to allocate or read in */
	m = mmap(NULL, b->size, PROT_READ, MAP_SHARED, b->fd, 0);
	if (m == MAP_FAILED)
		return ERR("cannot map %s to bring its pages in: %s", b->path, strerror(errno));
	if (madvise(m, b->size, MADV_POPULATE_READ) < 0) {
		p = m;
		for (uint64_t off = 0; off < b->size; off += 4096)
			(void)p[off];
	}
	munmap(m, b->size);
	return 0;
}

struct json *backing_describe(const struct backing *b)
{
	struct json *o = json_obj();

	json_set(o, "kind", json_str(backing_kind_name(b->kind)));
	json_set(o, "path", json_str(b->path));
	json_set(o, "size_bytes", json_int(b->size));
	json_set(o, "page_size_requested_bytes", json_int(b->page_size));
	json_set(o, "fs_type", json_str(b->mnt.fstype));
	json_set(o, "mount_point", json_str(b->mnt.mount_point));
	json_set(o, "mount_source", json_str(b->mnt.source));
	json_set(o, "mount_options", json_str(b->mnt.mount_opts));
	json_set(o, "fs_options", json_str(b->mnt.super_opts));
	json_set(o, "dax", json_bool(b->dax));
	json_set(o, "mapped_with", json_str(b->use_pmem2 ? "libpmem2 vm_reservation" : "mmap MAP_FIXED_NOREPLACE"));
	json_set(o, "madvise", json_str(b->advice == MADV_HUGEPAGE ? "MADV_HUGEPAGE" :
				       b->advice == MADV_NOHUGEPAGE ? "MADV_NOHUGEPAGE" : "none"));
	json_set(o, "created_by_suite", json_bool(b->created_file));
	json_set(o, "mainline_shares_pmd", json_bool(b->kernel_shares_pmd));
	json_set(o, "verified", json_str(b->verified));
	return o;
}

void backing_find_best(struct backing_request *rq, char *why, size_t whylen)
{
	static char dir[512];
	char *mi = read_file_alloc("/proc/self/mountinfo", NULL);
	const char *cur = mi;
	struct mount_info m;
	uint64_t freep;
	bool ok;

	/* 1. a filesystem mounted with -o dax that we may create a file on */
	while (mi && mountinfo_next(&cur, &m)) {
		if ((!strcmp(m.fstype, "ext4") || !strcmp(m.fstype, "xfs")) && mount_is_dax(&m) &&
		    access(m.mount_point, W_OK) == 0) {
			snprintf(dir, sizeof(dir), "%s", m.mount_point);
			rq->kind = BACKING_FSDAX;
			rq->path = dir;
			snprintf(why, whylen, "%s is a DAX mount (%s %s)", dir, m.fstype, m.super_opts);
			free(mi);
			return;
		}
	}
	free(mi);
	/* 2. a hugetlbfs pool that holds the mapping (it cannot map 4 KiB) */
	freep = hugetlb_sysfs_read(2 * MiB, "free_hugepages", &ok);
	if (ok && freep * 2 * MiB >= rq->size && rq->page_size != 4 * KiB && rq->page_size != GiB) {
		rq->kind = BACKING_HUGETLBFS;
		rq->path = NULL;
		snprintf(why, whylen, "no DAX mount; the hugetlbfs pool has %llu free 2 MiB pages",
			 (unsigned long long)freep);
		return;
	}
	rq->kind = BACKING_TMPFS;
	rq->path = NULL;
	if (rq->page_size == 4 * KiB)
		snprintf(why, whylen, "no DAX mount; tmpfs for 4 KiB mappings");
	else
		snprintf(why, whylen, "no DAX mount and no hugetlbfs pool of %llu MiB: tmpfs",
			 (unsigned long long)(rq->size / MiB));
}
