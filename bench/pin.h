/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pin: CPU placement of workers.  With hwloc, worker i is bound to the
 * i-th core (round robin) or the i-th NUMA node's CPUs; without it,
 * sched_setaffinity over the online CPUs / sysfs node cpulists.
 */
#ifndef PTSHARE_PIN_H
#define PTSHARE_PIN_H

#include <stddef.h>

struct json;

enum pin_mode { PIN_NONE, PIN_CORE, PIN_NODE };

struct pin_plan;

int pin_parse(const char *s, enum pin_mode *mode);
const char *pin_mode_name(enum pin_mode mode);

/* In the parent, before forking. */
struct pin_plan *pin_prepare(enum pin_mode mode, char *err, size_t errlen);
/* In worker @index.  0, or -1 with errno. */
int pin_apply(const struct pin_plan *plan, unsigned index);
void pin_free(struct pin_plan *plan);

/* Counts for metadata. */
unsigned pin_ncores(const struct pin_plan *plan);
unsigned pin_nnodes(const struct pin_plan *plan);
struct json *pin_describe(const struct pin_plan *plan);

/* The machine topology as hwloc XML (malloc'ed), or NULL without hwloc. */
char *pin_topology_xml(void);

#endif
