// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "pin.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_HWLOC
#include <hwloc.h>
#endif

struct pin_plan {
	enum pin_mode mode;
	unsigned ncores, nnodes;
#ifdef HAVE_HWLOC
	hwloc_topology_t topo;
#endif
	/* Fallback: one cpu set per core/node. */
	cpu_set_t *sets;
	unsigned nsets;
};

static const char *const mode_names[] = { "none", "core", "node" };

int pin_parse(const char *s, enum pin_mode *mode)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -1;
}

const char *pin_mode_name(enum pin_mode mode)
{
	return mode_names[mode];
}

/* Parse a sysfs cpulist ("0-3,8") into @set. */
static void cpulist_to_set(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s)
			break;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (long c = lo; c <= hi && c < CPU_SETSIZE; c++)
			CPU_SET(c, set);
		s = *end == ',' ? end + 1 : end;
	}
}

static void fallback_sets(struct pin_plan *pl)
{
	char buf[4096];

	if (pl->mode == PIN_NODE) {
		for (unsigned n = 0; n < 1024; n++) {
			char path[96];

			snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist", n);
			if (read_file_buf(path, buf, sizeof(buf)) < 0)
				continue;
			pl->sets = xrealloc(pl->sets, (pl->nsets + 1) * sizeof(*pl->sets));
			cpulist_to_set(buf, &pl->sets[pl->nsets]);
			if (CPU_COUNT(&pl->sets[pl->nsets]))
				pl->nsets++;
		}
	} else {
		cpu_set_t online;

		if (read_file_buf("/sys/devices/system/cpu/online", buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "0-%ld", sysconf(_SC_NPROCESSORS_ONLN) - 1);
		cpulist_to_set(buf, &online);
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (!CPU_ISSET(c, &online))
				continue;
			pl->sets = xrealloc(pl->sets, (pl->nsets + 1) * sizeof(*pl->sets));
			CPU_ZERO(&pl->sets[pl->nsets]);
			CPU_SET(c, &pl->sets[pl->nsets]);
			pl->nsets++;
		}
	}
}

struct pin_plan *pin_prepare(enum pin_mode mode, char *err, size_t errlen)
{
	struct pin_plan *pl = xcalloc(1, sizeof(*pl));

	pl->mode = mode;
#ifdef HAVE_HWLOC
	if (hwloc_topology_init(&pl->topo) == 0 && hwloc_topology_load(pl->topo) == 0) {
		int nc = hwloc_get_nbobjs_by_type(pl->topo, HWLOC_OBJ_CORE);
		int nn = hwloc_get_nbobjs_by_type(pl->topo, HWLOC_OBJ_NUMANODE);

		pl->ncores = nc > 0 ? nc : 1;
		pl->nnodes = nn > 0 ? nn : 1;
		return pl;
	}
	pl->topo = NULL;
#endif
	fallback_sets(pl);
	if (mode != PIN_NONE && !pl->nsets) {
		errf(err, errlen, "cannot find the CPUs for --pin %s in sysfs", pin_mode_name(mode));
		pin_free(pl);
		return NULL;
	}
	pl->ncores = mode == PIN_CORE ? pl->nsets : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	pl->nnodes = mode == PIN_NODE ? pl->nsets : 1;
	return pl;
}

int pin_apply(const struct pin_plan *pl, unsigned index)
{
	if (!pl || pl->mode == PIN_NONE)
		return 0;
#ifdef HAVE_HWLOC
	if (pl->topo) {
		hwloc_obj_type_t t = pl->mode == PIN_CORE ? HWLOC_OBJ_CORE : HWLOC_OBJ_NUMANODE;
		unsigned n = pl->mode == PIN_CORE ? pl->ncores : pl->nnodes;
		hwloc_obj_t o = hwloc_get_obj_by_type(pl->topo, t, index % n);

		if (!o) {
			errno = ENOENT;
			return -1;
		}
		return hwloc_set_cpubind(pl->topo, o->cpuset, HWLOC_CPUBIND_PROCESS);
	}
#endif
	return sched_setaffinity(0, sizeof(cpu_set_t), &pl->sets[index % pl->nsets]);
}

void pin_free(struct pin_plan *pl)
{
	if (!pl)
		return;
#ifdef HAVE_HWLOC
	if (pl->topo)
		hwloc_topology_destroy(pl->topo);
#endif
	free(pl->sets);
	free(pl);
}

unsigned pin_ncores(const struct pin_plan *pl) { return pl->ncores; }
unsigned pin_nnodes(const struct pin_plan *pl) { return pl->nnodes; }

struct json *pin_describe(const struct pin_plan *pl)
{
	struct json *o = json_obj();

	json_set(o, "mode", json_str(pin_mode_name(pl->mode)));
#ifdef HAVE_HWLOC
	json_set(o, "method", json_str(pl->topo ? "hwloc_set_cpubind" : "sched_setaffinity"));
#else
	json_set(o, "method", json_str("sched_setaffinity"));
#endif
	json_set(o, "cores", json_int(pl->ncores));
	json_set(o, "numa_nodes", json_int(pl->nnodes));
	return o;
}

char *pin_topology_xml(void)
{
#ifdef HAVE_HWLOC
	hwloc_topology_t t;
	char *buf = NULL, *copy = NULL;
	int len = 0;

	if (hwloc_topology_init(&t) || hwloc_topology_load(t))
		return NULL;
	if (hwloc_topology_export_xmlbuffer(t, &buf, &len, 0) == 0 && buf) {
		copy = xstrdup(buf);
		hwloc_free_xmlbuffer(t, buf);
	}
	hwloc_topology_destroy(t);
	return copy;
#else
	return NULL;
#endif
}
