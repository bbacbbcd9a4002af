// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "mapcheck.h"
#include "backing.h"
#include "json.h"
#include "placement.h"
#include "touch.h"
#include "units.h"
#include "util.h"
#include "workers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PREFLIGHT_BLOCKS 64u

struct preflight_arg {
	struct backing *b;
	uint64_t addr, len;
};

struct preflight_slot {
	double probe_fraction;
	char err[200];
};

static int preflight_worker(struct worker *w)
{
	struct preflight_arg *a = w->arg;
	struct preflight_slot *s = w->slot;
	struct backing_map m;
	volatile uint8_t *p;
	uint64_t nblocks = a->len / (2 * MiB), step;

	if (backing_map(a->b, a->addr, a->len, &m, s->err, sizeof(s->err)) < 0)
		worker_fail(w, "preflight: %s", s->err);
	p = m.addr;
	s->probe_fraction = -1;
	if (a->b->kind == BACKING_FSDAX) {
		s->probe_fraction = touch_pmd_probe(m.addr, a->len, PREFLIGHT_BLOCKS);
	} else if (nblocks) {
		step = nblocks > PREFLIGHT_BLOCKS ? nblocks / PREFLIGHT_BLOCKS : 1;
		for (uint64_t i = 0; i < nblocks; i += step)
			(void)p[i * 2 * MiB];
	} else {
		(void)p[0];
	}
	worker_sync(w);		/* the parent reads smaps now */
	return 0;
}

int mapcheck_preflight(struct backing *b, const struct placement *pl, struct page_size_seen *seen,
		       char *err, size_t errlen)
{
	struct preflight_arg a = { .b = b, .addr = pl->base, .len = b->size };
	struct pool_opts po = { .nworkers = 1, .slot_size = sizeof(struct preflight_slot) };
	struct worker_pool *pool;
	struct preflight_slot *s;
	char how[200];

	memset(seen, 0, sizeof(*seen));
	seen->pmd_fraction = -1;
	pool = pool_start(&po, preflight_worker, &a, err, errlen);
	if (!pool)
		return -1;
	if (pool_wait(pool, err, errlen) < 0) {
		pool_free(pool);
		return -1;
	}
	s = pool_slot(pool, 0);
	if (b->kind == BACKING_FSDAX) {
		seen->pmd_fraction = s->probe_fraction;
		seen->page_size = s->probe_fraction >= 0.999 ? 2 * MiB : s->probe_fraction <= 0.001 ? 4 * KiB : 0;
		snprintf(seen->evidence, sizeof(seen->evidence),
			 "preflight sole mapper: %.0f%% of %u sampled 2 MiB blocks mapped by one PMD entry (second 4 KiB page took no fault)",
			 100 * s->probe_fraction, PREFLIGHT_BLOCKS);
	} else {
		backing_page_size_seen(b, pool_pids(pool)[0], a.addr, a.len, &seen->page_size,
				       &seen->pmd_fraction, how, sizeof(how));
		snprintf(seen->evidence, sizeof(seen->evidence), "preflight sole mapper: %s", how);
	}
	if (pool_finish(pool, err, errlen) < 0) {
		pool_free(pool);
		return -1;
	}
	pool_free(pool);
	return 0;
}

double mapcheck_workers(const struct backing *b, const pid_t *pids, const uint64_t *addrs,
			unsigned n, unsigned max, uint64_t len, char *evidence, size_t evlen)
{
	double lowest = 2;
	unsigned checked = 0;

	evidence[0] = '\0';
	if (b->kind == BACKING_FSDAX)
		return -1;
	for (unsigned i = 0; i < n && checked < max; i++, checked++) {
		uint64_t ps;
		double frac;
		char how[256];

		if (backing_page_size_seen(b, pids[i], addrs[i], len, &ps, &frac, how, sizeof(how)) < 0 || frac < 0)
			continue;
		if (frac < lowest) {
			lowest = frac;
			snprintf(evidence, evlen, "worker %u: %s", i, how);
		}
	}
	return lowest > 1 ? -1 : lowest;
}

int mapcheck_matches(const struct backing *b, const struct page_size_seen *seen, char *err, size_t errlen)
{
	char want[32], got[32];

	if (seen->page_size == b->page_size)
		return 0;
	format_size_short(b->page_size, want, sizeof(want));
	if (seen->page_size)
		format_size_short(seen->page_size, got, sizeof(got));
	else
		snprintf(got, sizeof(got), "mixed (%.0f%% 2M)", 100 * (seen->pmd_fraction < 0 ? 0 : seen->pmd_fraction));
	errf(err, errlen, "asked for %s mappings but the kernel used %s (%s)%s", want, got, seen->evidence,
		 b->kind == BACKING_FSDAX && b->page_size == 2 * MiB ?
		 ": are the file's extents 2 MiB aligned (mkfs.ext4 -E stride=512, mkfs.xfs -d su=2m,sw=1)?" :
		 b->kind == BACKING_TMPFS && b->page_size == 2 * MiB ?
		 ": check /sys/kernel/mm/transparent_hugepage/shmem_enabled or the tmpfs huge= option" :
		 ": pass --allow-fallback to measure anyway");
	return -1;
}

struct json *mapcheck_describe(const struct page_size_seen *seen)
{
	struct json *o = json_obj();

	json_set(o, "page_size_seen_bytes", seen->page_size ? json_int(seen->page_size) : json_null());
	json_set(o, "pmd_mapped_fraction", seen->pmd_fraction >= 0 ? json_num(seen->pmd_fraction) : json_null());
	json_set(o, "evidence", json_str(seen->evidence));
	return o;
}
