// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare exit: tearing down N populated mappings, by exit or munmap.
 *
 * N workers map SIZE of the shared file at their placement addresses and
 * touch all of it.  --teardown exit: the parent releases them all at once
 * and measures until the last one is reaped (exit_mmap of every process
 * is in there).  --teardown munmap: every worker times its own munmap()
 * (libpmem2: pmem2_map_delete and the reservation's deletion), and the
 * parent measures until all have reported, then until all are reaped.
 * Case size=0 (exit only) is the same N processes exiting without the
 * mapping: the cost of everything else.
 */
#include "config.h"

#include "bench.h"
#include "json.h"
#include "mapcheck.h"
#include "placement.h"
#include "stats.h"
#include "units.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TD_EXIT = 1, TD_MUNMAP = 2 };

struct exit_state {
	uint64_t *sizes;
	size_t nsizes;
	unsigned teardown;	/* TD_* bits */
};

enum { O_SIZES = 1, O_TEARDOWN };

static const struct bench_opt exit_opts[] = {
	{ "sizes", "LIST", "sizes of each process's mapping, e.g. 64M,1G or 64M:1G (doubling); default: --size", O_SIZES },
	{ "teardown", "HOW", "exit, munmap or both (default): how the processes drop their mappings", O_TEARDOWN },
	{ NULL, NULL, NULL, 0 },
};

struct exit_slot {
	uint64_t populate_ns, minflt, munmap_ns;
};

struct exit_run {
	struct backing *b;
	const struct placement *pl;
	uint64_t size, stride;
	enum touch_mode touch;
	bool munmap;
};

static void exit_defaults(struct common_opts *c, void *state)
{
	struct exit_state *s = state;

	s->teardown = TD_EXIT | TD_MUNMAP;
	(void)c;
}

static int exit_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct exit_state *s = state;

	switch (key) {
	case O_SIZES:
		free(s->sizes);
		return parse_size_list(arg, &s->sizes, &s->nsizes, err, errlen);
	case O_TEARDOWN:
		if (!strcmp(arg, "exit"))
			s->teardown = TD_EXIT;
		else if (!strcmp(arg, "munmap"))
			s->teardown = TD_MUNMAP;
		else if (!strcmp(arg, "both"))
			s->teardown = TD_EXIT | TD_MUNMAP;
		else
			return errf(err, errlen, "--teardown must be exit, munmap or both, not '%s'", arg);
		return 0;
	}
	return errf(err, errlen, "unknown option");
}

static int exit_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	struct exit_state *s = state;

	if (c->stride && c->stride > (s->nsizes ? s->sizes[0] : c->backing.size))
		return errf(err, errlen, "--stride is larger than the smallest size");
	return 0;
}

static int exit_worker(struct worker *w)
{
	struct exit_run *r = w->arg;
	struct exit_slot *s = w->slot;
	struct backing_map m;
	char err[256];

	if (r->size) {
		struct touch_result tr;

		if (backing_map(r->b, placement_addr(r->pl, w->index), r->size, &m, err, sizeof(err)) < 0)
			worker_fail(w, "worker %u: %s", w->index, err);
		if (touch_range(m.addr, r->size, r->stride, r->touch, (uint8_t)(w->index + 1), &tr) < 0)
			worker_fail(w, "worker %u: --touch %s failed: %s", w->index, touch_mode_name(r->touch),
				    strerror(errno));
		s->populate_ns = tr.ns;
		s->minflt = tr.minflt;
	}
	worker_sync(w);		/* 1: holds the populated mapping */
	if (r->munmap) {
		uint64_t t0 = now_ns();

		if (backing_unmap(r->b, &m) < 0)
			worker_fail(w, "worker %u: munmap failed: %s", w->index, strerror(errno));
		s->munmap_ns = now_ns() - t0;
		worker_sync(w);	/* 2: unmapped */
	}
	return 0;		/* released: exit */
}

static double median_of(double *v, size_t n)
{
	return n ? percentile(v, n, 50) : 0;
}

/* One repetition of one case; values go to @cs when @keep. */
static int run_rep(const struct common_opts *c, struct pin_plan *pin, struct exit_run *run, unsigned n,
		   struct result_case *cs, bool keep, char *err, size_t errlen)
{
	struct pool_opts po = {
		.nworkers = n, .slot_size = sizeof(struct exit_slot), .pin = c->pin, .pin_plan = pin,
		.phase_timeout_ns = c->timeout_ns,
	};
	struct worker_pool *pool = pool_start(&po, exit_worker, run, err, errlen);
	double *unmap = NULL, *pop = NULL, munmap_all = 0;
	uint64_t t0, t1;
	int rc = -1;

	if (!pool)
		return -1;
	if (pool_wait(pool, err, errlen) < 0)
		goto out;
	if (run->munmap) {
		t0 = now_ns();
		pool_release(pool);
		if (pool_wait(pool, err, errlen) < 0)
			goto out;
		munmap_all = (double)(now_ns() - t0);
	}
	/* Everybody exits at once; the clock stops when the last one is reaped. */
	t0 = now_ns();
	if (pool_finish(pool, err, errlen) < 0)
		goto out;
	t1 = now_ns();
	rc = 0;
	if (!keep)
		goto out;
	unmap = xcalloc(n, sizeof(*unmap));
	pop = xcalloc(n, sizeof(*pop));
	for (unsigned i = 0; i < n; i++) {
		const struct exit_slot *s = pool_slot(pool, i);

		unmap[i] = (double)s->munmap_ns;
		pop[i] = (double)s->populate_ns;
	}
	case_value(cs, "exit_all_reaped_ns", (double)(t1 - t0));
	if (run->size)
		case_value(cs, "populate_median_ns", median_of(pop, n));
	if (run->munmap) {
		double mx = 0;

		for (unsigned i = 0; i < n; i++)
			mx = unmap[i] > mx ? unmap[i] : mx;
		case_value(cs, "munmap_median_ns", median_of(unmap, n));
		case_value(cs, "munmap_max_ns", mx);
		case_value(cs, "munmap_all_ns", munmap_all);
	}
	{
		struct json *d = json_obj(), *per;

		json_set(d, "exit_all_reaped_ns", json_int((int64_t)(t1 - t0)));
		if (run->munmap) {
			json_set(d, "munmap_all_ns", json_num(munmap_all));
			per = json_set(d, "munmap_ns", json_arr());
			for (unsigned i = 0; i < n && i < 256; i++)
				json_push(per, json_num(unmap[i]));
		}
		case_repetition(cs, d);
	}
out:
	free(unmap);
	free(pop);
	pool_free(pool);
	return rc;
}

static int exit_run_bench(struct common_opts *c, void *state, struct result_doc *rd)
{
	static const char *const columns[] = {
		"exit_all_reaped_ns", "munmap_median_ns", "munmap_max_ns", "populate_median_ns",
	};
	struct exit_state *st = state;
	struct placement pl = { .base = c->base, .misalign = c->misalign };
	struct page_size_seen seen;
	struct backing b;
	struct pin_plan *pin;
	struct json *params, *sz;
	char err[1024], why[256] = "";
	bool failed = false;

	if (!st->nsizes) {
		st->sizes = xmalloc(sizeof(*st->sizes));
		st->sizes[0] = c->backing.size;
		st->nsizes = 1;
	}
	c->backing.size = st->sizes[st->nsizes - 1];
	if (c->backing_auto) {
		backing_find_best(&c->backing, why, sizeof(why));
		msg_info("exit: backing %s (%s)", backing_kind_name(c->backing.kind), why);
	}
	if (placement_setup(&pl, c->backing.size, err, sizeof(err)) < 0)
		die("exit: %s", err);
	if (backing_open(&c->backing, &b, err, sizeof(err)) < 0)
		die("exit: %s", err);
	for (size_t i = 0; i < st->nsizes; i++)
		if (st->sizes[i] % b.align)
			die_usage("exit: size %llu is not a multiple of the %llu-byte pages of this backing",
				  (unsigned long long)st->sizes[i], (unsigned long long)b.align);
	if (c->misalign && b.align > 2 * MiB)
		die("exit: --misalign needs 2 MiB-granular addresses, but this backing maps %llu-byte pages",
		    (unsigned long long)b.align);
	pin = pin_prepare(c->pin, err, sizeof(err));
	if (!pin)
		die("exit: %s", err);
	if (mapcheck_preflight(&b, &pl, &seen, err, sizeof(err)) < 0)
		die("exit: page-size check failed: %s", err);
	if (mapcheck_matches(&b, &seen, err, sizeof(err)) < 0) {
		if (!c->allow_fallback)
			die("exit: %s", err);
		results_warn(rd, "%s", err);
	}
	if (backing_prime(&b, err, sizeof(err)) < 0)
		die("exit: %s", err);

	json_set(results_root(rd), "backing", backing_describe(&b));
	json_set(json_get(results_root(rd), "backing"), "page_size_check", mapcheck_describe(&seen));
	if (why[0])
		json_set(json_get(results_root(rd), "backing"), "chosen_because", json_str(why));
	json_set(results_root(rd), "pinning", pin_describe(pin));
	params = results_section(rd, "parameters");
	sz = json_set(params, "sizes_bytes", json_arr());
	for (size_t i = 0; i < st->nsizes; i++)
		json_push(sz, json_int((int64_t)st->sizes[i]));
	json_set(params, "page_size_bytes", json_int((int64_t)b.page_size));
	json_set(params, "touch", json_str(touch_mode_name(c->touch)));
	json_set(params, "stride_bytes", c->touch >= TOUCH_POPULATE ? json_null() :
		 json_int((int64_t)(c->stride ? c->stride : b.page_size)));
	json_set(params, "placement", json_str(c->misalign ? "misaligned" : "aligned"));
	json_set(params, "base_address", json_strf("0x%llx", (unsigned long long)pl.base));
	json_set(params, "repetitions", json_int(c->reps));
	json_set(params, "warmup", json_int(c->warmup));
	json_set(params, "file_primed", json_bool(!b.dax));
	json_set(params, "exit_all_reaped_definition",
		 json_str("from releasing all processes at once to the last one reaped by the parent"));
	json_set(params, "munmap_definition",
		 json_str(b.use_pmem2 ? "pmem2_map_delete + pmem2_vm_reservation_delete, timed in each process" :
			  "munmap(), timed in each process; munmap_all_ns: release to the last one's report"));
	results_table_columns(rd, columns, ARRAY_SIZE(columns));

	for (size_t pi = 0; pi < c->nprocs && !failed; pi++) {
		unsigned n = c->procs[pi];

		for (size_t si = 0; si <= st->nsizes && !failed; si++) {
			uint64_t size = si ? st->sizes[si - 1] : 0;

			for (unsigned td = TD_EXIT; td <= TD_MUNMAP && !failed; td <<= 1) {
				struct exit_run run = {
					.b = &b, .pl = &pl, .size = size, .stride = c->stride ? c->stride : b.page_size,
					.touch = c->touch, .munmap = td == TD_MUNMAP,
				};
				struct result_case *cs;
				char id[96], hs[32];

				if (!(st->teardown & td) || (!size && td == TD_MUNMAP))
					continue;
				snprintf(id, sizeof(id), "procs=%u,size=%s,teardown=%s", n,
					 size ? format_size_short(size, hs, sizeof(hs)) : "0",
					 td == TD_EXIT ? "exit" : "munmap");
				cs = results_case(rd, id);
				json_set(case_params(cs), "procs", json_int(n));
				json_set(case_params(cs), "size_bytes", json_int((int64_t)size));
				json_set(case_params(cs), "teardown", json_str(td == TD_EXIT ? "exit" : "munmap"));
				for (unsigned rep = 0; rep < c->warmup + c->reps; rep++) {
					if (interrupted)
						die("exit: interrupted");
					if (run_rep(c, pin, &run, n, cs, rep >= c->warmup, err, sizeof(err)) < 0) {
						results_warn(rd, "%s: %s", id, err);
						failed = true;
						break;
					}
				}
				if (!failed)
					msg_info("exit: %s: all reaped %.0f ns, munmap %.0f ns (medians)", id,
						 case_median(cs, "exit_all_reaped_ns"),
						 td == TD_MUNMAP ? case_median(cs, "munmap_median_ns") : 0);
			}
		}
	}
	pin_free(pin);
	backing_close(&b);
	free(st->sizes);
	st->sizes = NULL;
	return failed ? EXIT_FAIL : EXIT_OK;
}

const struct bench bench_exit = {
	.name = "exit",
	.summary = "N processes holding populated mappings exit (or munmap) together: teardown times",
	.description =
		"N processes each map a size from --sizes of the shared file at their placement\n"
		"addresses and touch all of it.  --teardown exit: all are released at once and\n"
		"the time until the last is reaped is measured (exit_all_reaped_ns; exit_mmap of\n"
		"every process is in there).  --teardown munmap: each times its own munmap()\n"
		"(munmap_median_ns, munmap_max_ns), the parent the time until all have\n"
		"unmapped (munmap_all_ns) and then until all are reaped.  Case size=0 is the\n"
		"same processes exiting without the mapping.  With PMD sharing the last\n"
		"process to drop a shared table frees it; the others only drop a reference.",
	.common = OPTS_BACKING | OPTS_PROCS | OPTS_TOUCH | OPTS_REPS | OPTS_PLACEMENT | OPTS_PIN |
		  OPTS_OUTPUT | OPTS_SEED | OPTS_TIMEOUT,
	.opts = exit_opts,
	.state_size = sizeof(struct exit_state),
	.defaults = exit_defaults,
	.parse = exit_parse,
	.check = exit_check,
	.run = exit_run_bench,
};
PTSHARE_BENCHMARK(bench_exit);
