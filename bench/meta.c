// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "bench/gitrev.h"

#include "meta.h"
#include "json.h"
#include "procfs.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SHARE_SYSCTL "/proc/sys/vm/fsdax_pmd_share"

const char *meta_share_sysctl(void)
{
	return access(SHARE_SYSCTL, F_OK) == 0 ? "vm.fsdax_pmd_share" : NULL;
}

static void set_first_line(struct json *o, const char *key, const char *path)
{
	char *s = read_first_line(path);

	json_set(o, key, json_str(s));
	free(s);
}

static void set_choice(struct json *o, const char *key, const char *path)
{
	char buf[256], v[64];

	if (read_file_buf(path, buf, sizeof(buf)) >= 0 && sysfs_choice(buf, v, sizeof(v)) == 0)
		json_set(o, key, json_str(v));
	else
		json_set(o, key, json_null());
}

static struct json *hugepage_pools(void)
{
	struct json *o = json_obj();
	DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[512], buf[64];
		struct json *pool;

		if (strncmp(e->d_name, "hugepages-", 10))
			continue;
		pool = json_set(o, e->d_name + 10, json_obj());
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/nr_hugepages", e->d_name);
		if (read_file_buf(path, buf, sizeof(buf)) > 0)
			json_set(pool, "nr", json_int(strtoll(buf, NULL, 10)));
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/free_hugepages", e->d_name);
		if (read_file_buf(path, buf, sizeof(buf)) > 0)
			json_set(pool, "free", json_int(strtoll(buf, NULL, 10)));
	}
	if (d)
		closedir(d);
	return o;
}

static void cpu_model(struct json *o)
{
	char *ci = read_file_alloc("/proc/cpuinfo", NULL);
	const char *p = ci ? strstr(ci, "model name") : NULL;

	if (p && (p = strchr(p, ':'))) {
		char buf[256];
		size_t n;

		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "\n");
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		json_set(o, "cpu_model", json_str(buf));
	} else {
		json_set(o, "cpu_model", json_null());
	}
	free(ci);
}

struct json *meta_machine(void)
{
	struct json *o = json_obj(), *thp, *sys;
	struct utsname u;
	char buf[8192], host[256];
	int64_t v;

	uname(&u);
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "%s", u.nodename);
	json_set(o, "hostname", json_str(host));
	json_set(o, "kernel_release", json_str(u.release));
	json_set(o, "kernel_version", json_str(u.version));
	json_set(o, "arch", json_str(u.machine));
	set_first_line(o, "kernel_cmdline", "/proc/cmdline");
	cpu_model(o);
	json_set(o, "cpus_online", json_int(sysconf(_SC_NPROCESSORS_ONLN)));
	if (read_file_buf("/proc/meminfo", buf, sizeof(buf)) >= 0 && kv_colon(buf, "MemTotal", &v) == 0)
		json_set(o, "mem_total_bytes", json_int(v));
	set_first_line(o, "numa_nodes_online", "/sys/devices/system/node/online");
	json_set(o, "page_size_bytes", json_int(sysconf(_SC_PAGESIZE)));

	thp = json_set(o, "thp", json_obj());
	set_choice(thp, "enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	set_choice(thp, "defrag", "/sys/kernel/mm/transparent_hugepage/defrag");
	set_choice(thp, "shmem_enabled", "/sys/kernel/mm/transparent_hugepage/shmem_enabled");
	json_set(o, "hugepages", hugepage_pools());

	sys = json_set(o, "sysctl", json_obj());
	set_first_line(sys, "kernel.randomize_va_space", "/proc/sys/kernel/randomize_va_space");
	set_first_line(sys, "vm.overcommit_memory", "/proc/sys/vm/overcommit_memory");
	set_first_line(sys, "vm.nr_hugepages", "/proc/sys/vm/nr_hugepages");
	if (meta_share_sysctl())
		set_first_line(sys, "vm.fsdax_pmd_share", SHARE_SYSCTL);
	else
		json_set(sys, "vm.fsdax_pmd_share", json_str("absent (kernel without the sharing patch)"));
	return o;
}

struct json *meta_suite(void)
{
	struct json *o = json_obj(), *f;

	json_set(o, "name", json_str(PACKAGE_NAME));
	json_set(o, "version", json_str(PACKAGE_VERSION));
	json_set(o, "git", json_str(PTSHARE_GIT_REV));
	json_set(o, "compiler", json_str(__VERSION__));
	f = json_set(o, "features", json_obj());
#ifdef HAVE_LIBPMEM2
	json_set(f, "libpmem2", json_bool(true));
#else
	json_set(f, "libpmem2", json_bool(false));
#endif
#ifdef HAVE_HWLOC
	json_set(f, "hwloc", json_bool(true));
#else
	json_set(f, "hwloc", json_bool(false));
#endif
#ifdef HAVE_LIBNUMA
	json_set(f, "libnuma", json_bool(true));
#else
	json_set(f, "libnuma", json_bool(false));
#endif
	return o;
}
