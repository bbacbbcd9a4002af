// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptvm-probe: a tiny helper that harness/vm compiles statically and puts in
 * the guest's initramfs.  It proves 2 MiB FS/DAX mappings before anything is
 * measured (harness/guest/init counts the fs_dax:dax_pmd_fault_done events it
 * causes) and serves as a payload that works without the ptshare binary.
 *
 *   ptvm-probe pgtable FILE SIZE_MIB PROCS MODE [STRIDE_KIB]
 *
 * PROCS processes each map SIZE_MIB of FILE MAP_SHARED at a 1 GiB-aligned
 * address and write one byte every STRIDE_KIB (default 2048: page tables are
 * allocated on the first touch of each 2 MiB range).  MODE:
 *   2m          file offset 0: 2 MiB PMD mappings where the fs allows
 *   4k-offset   file offset 4 KiB: address and file offset disagree modulo
 *               2 MiB, so every fault falls back to 4 KiB PTEs
 *   4k-nohuge   file offset 0 and MADV_NOHUGEPAGE
 * /proc/meminfo PageTables is read (after vm.stat_refresh) once all processes
 * exist, again when all have touched their mapping, and after they exited.
 * A missing or short FILE is first written with zeros in 2 MiB writes
 * (PTVM_PROBE_CHUNK_KIB changes the size; PTVM_PROBE_FALLOCATE=1
 * fallocates instead, which on ext4 gives a first extent that is not 2 MiB
 * aligned).
 * One line of key=value pairs goes to stdout.  Needs root for stat_refresh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GIB (1UL << 30)

static void die(const char *what)
{
	fprintf(stderr, "ptvm-probe: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long pagetables_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			die("stat_refresh");
		close(fd);
	}
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PageTables: %ld kB", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0) {
		errno = ENOENT;
		die("PageTables in /proc/meminfo");
	}
	return kb;
}

static void xread(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("pipe read");
}

static void xwrite(int fd)
{
	if (write(fd, "x", 1) != 1)
		die("pipe write");
}

static void settle(void)
{
	/* freed page tables of exited processes go after an RCU grace period */
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static int worker(int fd, size_t len, off_t off, int nohuge, size_t stride,
		  int ready, int go, int done, int quit)
{
	size_t resv = len + GIB;
	char *base, *p;
	uintptr_t a;

	xwrite(ready);
	xread(go);
	base = mmap(NULL, resv, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("reserve");
	a = ((uintptr_t)base + GIB - 1) & ~(GIB - 1);
	p = mmap((void *)a, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off);
	if (p == MAP_FAILED)
		die("mmap");
	if (nohuge && madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	for (size_t i = 0; i < len; i += stride)
		p[i] = 1;
	xwrite(done);
	xread(quit);
	return 0;
}

int main(int argc, char **argv)
{
	int ready[2], go[2], done[2], quit[2];
	long before, after, gone;
	size_t len, stride = 2UL << 20;
	int procs, nohuge = 0, fd, status, failed = 0;
	off_t off = 0;
	struct stat st;

	if (argc < 6 || strcmp(argv[1], "pgtable")) {
		fprintf(stderr, "usage: ptvm-probe pgtable FILE SIZE_MIB PROCS 2m|4k-offset|4k-nohuge [STRIDE_KIB]\n");
		return 2;
	}
	len = strtoul(argv[3], NULL, 0) << 20;
	procs = atoi(argv[4]);
	if (!strcmp(argv[5], "4k-offset"))
		off = 4096;
	else if (!strcmp(argv[5], "4k-nohuge"))
		nohuge = 1;
	else if (strcmp(argv[5], "2m")) {
		fprintf(stderr, "ptvm-probe: MODE must be 2m, 4k-offset or 4k-nohuge\n");
		return 2;
	}
	if (argc > 6)
		stride = strtoul(argv[6], NULL, 0) << 10;
	if (!len || procs < 1 || !stride || stride % 4096) {
		fprintf(stderr, "ptvm-probe: bad SIZE_MIB, PROCS or STRIDE_KIB\n");
		return 2;
	}

	fd = open(argv[2], O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		die(argv[2]);
	if (fstat(fd, &st))
		die("fstat");
	if ((size_t)st.st_size < len + off + (2UL << 20)) {
		/*
		 * Allocate blocks up front (a fault on a hole allocates at
		 * fault time, a read fault maps the zero page).  Written, not
		 * fallocated: on a fresh ext4 (-E stride=512) fallocate's first
		 * extent is not 2 MiB aligned on the device and its PMD faults
		 * fall back; PTVM_PROBE_FALLOCATE=1 fallocates instead.
		 */
		size_t want = len + (2UL << 20);

		if (getenv("PTVM_PROBE_FALLOCATE")) {
			errno = posix_fallocate(fd, 0, want);
			if (errno)
				die("posix_fallocate");
		} else {
			/* 2 MiB writes: ext4 aligns allocations of a multiple of
			 * the stripe (512 blocks) to it; 1 MiB writes are not */
			size_t chunk = 2UL << 20;
			const char *e = getenv("PTVM_PROBE_CHUNK_KIB");
			char *zero;

			if (e && atol(e) > 0)
				chunk = (size_t)atol(e) << 10;
			zero = calloc(1, chunk);
			if (!zero)
				die("calloc");
			for (size_t done = 0; done < want; done += chunk)
				if (pwrite(fd, zero, chunk, done) != (ssize_t)chunk)
					die("writing the file");
			free(zero);
			if (fsync(fd))
				die("fsync");
		}
	}
	if (pipe(ready) || pipe(go) || pipe(done) || pipe(quit))
		die("pipe");

	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(worker(fd, len, off, nohuge, stride, ready[1], go[0], done[1], quit[0]));
	}
	for (int i = 0; i < procs; i++)
		xread(ready[0]);
	settle();
	before = pagetables_kb();
	for (int i = 0; i < procs; i++)
		xwrite(go[1]);
	for (int i = 0; i < procs; i++)
		xread(done[0]);
	after = pagetables_kb();
	for (int i = 0; i < procs; i++)
		xwrite(quit[1]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	settle();
	gone = pagetables_kb();

	printf("ptvm-probe: pgtable mode=%s procs=%d size_mib=%zu stride_kib=%zu before_kb=%ld after_kb=%ld "
	       "delta_pages=%ld per_proc_pages=%.2f after_exit_delta_pages=%ld%s\n",
	       argv[5], procs, len >> 20, stride >> 10, before, after,
	       (after - before) / 4, (double)(after - before) / 4 / procs, (gone - before) / 4,
	       failed ? " workers=failed" : "");
	return failed;
}
