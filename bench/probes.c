// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "probes.h"
#include "json.h"
#include "procfs.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Big enough for /proc/vmstat on current kernels; static: no allocation. */
static char probe_buf[64 * 1024];

static bool cgroup2_root(char *root, size_t len)
{
	char *mi = read_file_alloc("/proc/self/mountinfo", NULL);
	const char *cur = mi;
	struct mount_info m;
	bool found = false;

	while (mi && mountinfo_next(&cur, &m)) {
		if (!strcmp(m.fstype, "cgroup2") && strlen(m.mount_point) < len) {
			memcpy(root, m.mount_point, strlen(m.mount_point) + 1);
			found = true;
			break;
		}
	}
	free(mi);
	return found;
}

static void cgroup_setup(struct probe_ctx *p)
{
	char root[256], path[512], buf[512];

	if (!cgroup2_root(root, sizeof(root))) {
		errf(p->cgroup_why, sizeof(p->cgroup_why), "no cgroup2 mount");
		return;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	if (read_file_buf(path, buf, sizeof(buf)) < 0 || !strstr(buf, "memory")) {
		errf(p->cgroup_why, sizeof(p->cgroup_why),
		     "memory controller not enabled in %s/cgroup.subtree_control", root);
		return;
	}
	snprintf(p->cgroup_dir, sizeof(p->cgroup_dir), "%s/ptshare-%ld", root, (long)getpid());
	if (mkdir(p->cgroup_dir, 0755) < 0) {
		errf(p->cgroup_why, sizeof(p->cgroup_why), "cannot create %s: %s", p->cgroup_dir,
		     strerror(errno));
		p->cgroup_dir[0] = '\0';
		return;
	}
	cleanup_add_cgroup(p->cgroup_dir);
	p->cgroup = true;
}

void probe_open(struct probe_ctx *p, bool want_cgroup)
{
	memset(p, 0, sizeof(*p));
	p->stat_refresh = access("/proc/sys/vm/stat_refresh", W_OK) == 0;
	if (want_cgroup)
		cgroup_setup(p);
	else
		snprintf(p->cgroup_why, sizeof(p->cgroup_why), "not requested");
}

void probe_close(struct probe_ctx *p)
{
	if (p->cgroup) {
		/* The workers are gone; the cgroup is empty once they are reaped. */
		for (int i = 0; i < 50 && rmdir(p->cgroup_dir) < 0 && errno == EBUSY; i++)
			sleep_ns(20000000);
		cleanup_forget_path(p->cgroup_dir);
		p->cgroup = false;
	}
}

int probe_cgroup_join(const struct probe_ctx *p, pid_t pid)
{
	char path[PATH_MAX + 32], v[32];

	if (!p->cgroup)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", p->cgroup_dir);
	snprintf(v, sizeof(v), "%ld", (long)pid);
	return write_file_str(path, v);
}

void probe_set_pids(struct probe_ctx *p, const pid_t *pids, size_t n)
{
	p->pids = pids;
	p->npids = n;
}

void probe_sample(const struct probe_ctx *p, struct pt_sample *s)
{
	int64_t v;

	s->meminfo_bytes = s->vmstat_pages = s->cgroup_bytes = s->vmpte_bytes = PROBE_NONE;
	if (p->stat_refresh)
		(void)write_file_str("/proc/sys/vm/stat_refresh", "1");
	if (read_file_buf("/proc/meminfo", probe_buf, sizeof(probe_buf)) >= 0 &&
	    kv_colon(probe_buf, "PageTables", &v) == 0)
		s->meminfo_bytes = v;
	if (read_file_buf("/proc/vmstat", probe_buf, sizeof(probe_buf)) >= 0 &&
	    kv_space(probe_buf, "nr_page_table_pages", &v) == 0)
		s->vmstat_pages = v;
	if (p->cgroup) {
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/memory.stat", p->cgroup_dir);
		if (read_file_buf(path, probe_buf, sizeof(probe_buf)) >= 0 &&
		    kv_space(probe_buf, "pagetables", &v) == 0)
			s->cgroup_bytes = v;
	}
	if (p->npids) {
		int64_t sum = 0;
		bool all = true;

		for (size_t i = 0; i < p->npids; i++) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%ld/status", (long)p->pids[i]);
			if (read_file_buf(path, probe_buf, sizeof(probe_buf)) < 0 ||
			    kv_colon(probe_buf, "VmPTE", &v) < 0) {
				all = false;
				break;
			}
			sum += v;
		}
		if (all)
			s->vmpte_bytes = sum;
	}
	s->t_ns = now_ns();
}

int probe_settle(const struct probe_ctx *p, struct pt_sample *s, unsigned stable,
		 uint64_t gap_ns, uint64_t timeout_ns)
{
	uint64_t deadline = now_ns() + timeout_ns;
	unsigned same = 0;
	int64_t last = PROBE_NONE;

	for (;;) {
		probe_sample(p, s);
		if (s->meminfo_bytes == last)
			same++;
		else
			same = 1;
		last = s->meminfo_bytes;
		if (same >= stable)
			return 0;
		if (now_ns() > deadline || interrupted)
			return -1;
		sleep_ns(gap_ns);
	}
}

static int64_t diff(int64_t a, int64_t b)
{
	return a == PROBE_NONE || b == PROBE_NONE ? PROBE_NONE : b - a;
}

void probe_delta(const struct pt_sample *a, const struct pt_sample *b, struct pt_sample *d)
{
	d->meminfo_bytes = diff(a->meminfo_bytes, b->meminfo_bytes);
	d->vmstat_pages = diff(a->vmstat_pages, b->vmstat_pages);
	d->cgroup_bytes = diff(a->cgroup_bytes, b->cgroup_bytes);
	d->vmpte_bytes = diff(a->vmpte_bytes, b->vmpte_bytes);
	d->t_ns = b->t_ns - a->t_ns;
}

int64_t probe_vmstat(const char *key)
{
	int64_t v;

	if (read_file_buf("/proc/vmstat", probe_buf, sizeof(probe_buf)) < 0 ||
	    kv_space(probe_buf, key, &v) < 0)
		return PROBE_NONE;
	return v;
}

struct json *probe_describe(const struct probe_ctx *p)
{
	struct json *o = json_obj(), *e;

	e = json_set(o, "meminfo_pagetables", json_obj());
	json_set(e, "source", json_str("/proc/meminfo PageTables"));
	json_set(e, "counts_shared_table", json_str("once"));
	json_set(e, "stat_refresh", json_bool(p->stat_refresh));
	json_set(e, "primary", json_bool(true));
	e = json_set(o, "vmstat_nr_page_table_pages", json_obj());
	json_set(e, "source", json_str("/proc/vmstat nr_page_table_pages"));
	json_set(e, "counts_shared_table", json_str("once"));
	e = json_set(o, "cgroup_pagetables", json_obj());
	json_set(e, "source", json_str("cgroup v2 memory.stat pagetables"));
	json_set(e, "counts_shared_table", json_str("once, charged to the allocating cgroup"));
	json_set(e, "available", json_bool(p->cgroup));
	if (p->cgroup)
		json_set(e, "cgroup", json_str(p->cgroup_dir));
	else
		json_set(e, "unavailable_because", json_str(p->cgroup_why));
	e = json_set(o, "vmpte_sum", json_obj());
	json_set(e, "source", json_str("sum of /proc/PID/status VmPTE over the workers"));
	json_set(e, "counts_shared_table", json_str("in every sharer (hides the saving)"));
	return o;
}
