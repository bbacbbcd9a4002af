// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare pgtable: page-table memory of N processes mapping one file.
 *
 * For each process count, each repetition forks N workers, lets them
 * settle, takes the baseline (the same N processes without the mapping),
 * then has every worker map the file at its placement address and touch
 * it, and measures again while all of them hold it.  The difference is the
 * page-table memory the mapping costs, compared with the cost model with
 * and without PMD sharing.  After the workers exit, the count must return
 * to where it was before they were forked.
 */
#include "config.h"

#include "bench.h"
#include "json.h"
#include "mapcheck.h"
#include "meta.h"
#include "model.h"
#include "placement.h"
#include "probes.h"
#include "stats.h"
#include "units.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum expect { EXPECT_NONE, EXPECT_AUTO, EXPECT_SHARED, EXPECT_UNSHARED };
enum teardown { TEARDOWN_EXIT, TEARDOWN_MUNMAP };

struct pgtable_state {
	unsigned max_noisy;	/* repetitions redone because readings did not settle */
	enum expect expect;
	double tolerance;	/* pages, or percent when tolerance_pct */
	bool tolerance_pct;
	enum teardown teardown;
};

enum { O_EXPECT = 1, O_TOLERANCE, O_TEARDOWN, O_MAX_NOISY };

static const struct bench_opt pgtable_opts[] = {
	{ "expect", "MODEL", "assert the measured total against the model: shared, unshared or auto (the kernel's sharing); exit 1 when off", O_EXPECT },
	{ "tolerance", "N|P%", "allowed deviation for --expect: N pages, or P percent of the model (default 4)", O_TOLERANCE },
	{ "teardown", "HOW", "exit (default) or munmap: how workers drop the mapping; munmap also measures the drop", O_TEARDOWN },
	{ "max-noisy", "N", "redo a repetition whose PageTables readings did not settle, at most N times per case (default 3)", O_MAX_NOISY },
	{ NULL, NULL, NULL, 0 },
};

/* Sharing counters the bundled kernel patch adds to /proc/vmstat. */
static const char *const share_counters[] = { "fsdax_pmd_share", "fsdax_pmd_unshare" };

struct pgtable_slot {
	uint64_t map_ns, touch_ns, unmap_ns;
	uint64_t minflt, majflt, touches;
};

struct pgtable_run {
	struct backing *b;
	const struct placement *pl;
	uint64_t size, stride;
	enum touch_mode touch;
	bool munmap;
};

static void pgtable_defaults(struct common_opts *c, void *state)
{
	struct pgtable_state *s = state;

	s->expect = EXPECT_NONE;
	s->tolerance = 4;
	s->teardown = TEARDOWN_EXIT;
	s->max_noisy = 3;
	(void)c;
}

static int pgtable_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct pgtable_state *s = state;
	char *end;

	switch (key) {
	case O_EXPECT:
		if (!strcmp(arg, "shared"))
			s->expect = EXPECT_SHARED;
		else if (!strcmp(arg, "unshared"))
			s->expect = EXPECT_UNSHARED;
		else if (!strcmp(arg, "auto"))
			s->expect = EXPECT_AUTO;
		else
			return errf(err, errlen, "--expect must be shared, unshared or auto, not '%s'", arg);
		return 0;
	case O_TOLERANCE:
		s->tolerance = strtod(arg, &end);
		s->tolerance_pct = *end == '%';
		if (end == arg || (*end && strcmp(end, "%")) || s->tolerance < 0 || !isfinite(s->tolerance))
			return errf(err, errlen, "--tolerance must be a number of pages or a percentage, not '%s'", arg);
		return 0;
	case O_MAX_NOISY:
		s->max_noisy = (unsigned)strtoul(arg, &end, 10);
		if (end == arg || *end || s->max_noisy > 1000)
			return errf(err, errlen, "--max-noisy must be a number from 0 to 1000, not '%s'", arg);
		return 0;
	case O_TEARDOWN:
		if (!strcmp(arg, "exit"))
			s->teardown = TEARDOWN_EXIT;
		else if (!strcmp(arg, "munmap"))
			s->teardown = TEARDOWN_MUNMAP;
		else
			return errf(err, errlen, "--teardown must be exit or munmap, not '%s'", arg);
		return 0;
	}
	return errf(err, errlen, "unknown option");
}

static int pgtable_worker(struct worker *w)
{
	struct pgtable_run *r = w->arg;
	struct pgtable_slot *s = w->slot;
	uint64_t addr = placement_addr(r->pl, w->index), t0;
	struct touch_result tr;
	struct backing_map m;
	char err[256];

	if (backing_prepare(r->b, err, sizeof(err)) < 0)
		worker_fail(w, "worker %u: %s", w->index, err);
	worker_sync(w);		/* 1: exists and idles: the baseline is taken */

	t0 = now_ns();
	if (backing_map(r->b, addr, r->size, &m, err, sizeof(err)) < 0)
		worker_fail(w, "worker %u: %s", w->index, err);
	s->map_ns = now_ns() - t0;
	if (touch_range(m.addr, r->size, r->stride, r->touch, (uint8_t)(w->index + 1), &tr) < 0)
		worker_fail(w, "worker %u: --touch %s failed: %s", w->index, touch_mode_name(r->touch),
			    strerror(errno));
	s->touch_ns = tr.ns;
	s->minflt = tr.minflt;
	s->majflt = tr.majflt;
	s->touches = tr.touches;
	worker_sync(w);		/* 2: holds the mapping: measured */

	if (r->munmap) {
		t0 = now_ns();
		if (backing_unmap(r->b, &m) < 0)
			worker_fail(w, "worker %u: munmap failed: %s", w->index, strerror(errno));
		s->unmap_ns = now_ns() - t0;
		worker_sync(w);	/* 3: unmapped: measured */
	}
	return 0;
}

static bool kernel_shares(const struct backing *b)
{
	char *v;
	bool on;

	if (b->kind == BACKING_HUGETLBFS)
		return b->kernel_shares_pmd;
	if (b->kind != BACKING_FSDAX || !meta_share_sysctl())
		return false;
	v = read_first_line("/proc/sys/vm/fsdax_pmd_share");
	on = v && atoi(v) == 1;
	free(v);
	return on;
}

static double median_u64(const uint64_t *v, unsigned n)
{
	double *d = xmalloc(n * sizeof(*d)), r;

	for (unsigned i = 0; i < n; i++)
		d[i] = (double)v[i];
	r = percentile(d, n, 50);
	free(d);
	return r;
}

struct rep_result {
	struct pt_sample delta, unmap_delta;
	int64_t leak_bytes;
	bool settled;		/* baseline and reading settled */
	bool leak_settled;	/* the readings before and after the workers settled */
	int64_t counters[ARRAY_SIZE(share_counters)];
	double pmd_fraction;
	char evidence[256];
};

static int run_rep(struct common_opts *c, struct probe_ctx *probe, struct pin_plan *pin,
		   struct pgtable_run *run, unsigned n, bool measure_unmap, struct rep_result *res,
		   struct json *detail, char *err, size_t errlen)
{
	struct pool_opts po = {
		.nworkers = n, .slot_size = sizeof(struct pgtable_slot), .pin = c->pin, .pin_plan = pin,
		.probe = probe, .phase_timeout_ns = c->timeout_ns,
	};
	struct pt_sample pre, base, held, unmapped, post;
	int64_t cnt0[ARRAY_SIZE(share_counters)];
	uint64_t *touch_ns, *minflt, *addrs;
	struct worker_pool *pool;
	bool settled = true, leak_settled = true;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	probe_set_pids(probe, NULL, 0);
	leak_settled &= probe_settle(probe, &pre, 3, 20000000, 2000000000ull) == 0;
	pool = pool_start(&po, pgtable_worker, run, err, errlen);
	if (!pool)
		return -1;
	if (pool_wait(pool, err, errlen) < 0)
		goto out;
	probe_set_pids(probe, pool_pids(pool), n);
	settled &= probe_settle(probe, &base, 3, 20000000, 2000000000ull) == 0;
	for (size_t i = 0; i < ARRAY_SIZE(share_counters); i++)
		cnt0[i] = probe_vmstat(share_counters[i]);

	pool_release(pool);
	if (pool_wait(pool, err, errlen) < 0)
		goto out;
	settled &= probe_settle(probe, &held, 2, 20000000, 2000000000ull) == 0;
	probe_delta(&base, &held, &res->delta);
	for (size_t i = 0; i < ARRAY_SIZE(share_counters); i++) {
		int64_t v = probe_vmstat(share_counters[i]);

		res->counters[i] = v == PROBE_NONE || cnt0[i] == PROBE_NONE ? PROBE_NONE : v - cnt0[i];
	}

	/* Worker-reported figures and the page size they really got. */
	touch_ns = xcalloc(n, sizeof(*touch_ns));
	minflt = xcalloc(n, sizeof(*minflt));
	addrs = xcalloc(n, sizeof(*addrs));
	for (unsigned i = 0; i < n; i++) {
		struct pgtable_slot *s = pool_slot(pool, i);

		touch_ns[i] = s->touch_ns;
		minflt[i] = s->minflt;
		addrs[i] = placement_addr(run->pl, i);
	}
	res->pmd_fraction = mapcheck_workers(run->b, pool_pids(pool), addrs, n, 16, run->size,
					     res->evidence, sizeof(res->evidence));
	{
		uint64_t tmax = 0, fsum = 0;
		struct json *w = json_set(detail, "workers_first", json_arr());

		for (unsigned i = 0; i < n; i++) {
			tmax = touch_ns[i] > tmax ? touch_ns[i] : tmax;
			fsum += minflt[i];
			if (i < 4 || i == n - 1) {
				struct pgtable_slot *s = pool_slot(pool, i);
				struct json *o = json_push(w, json_obj());

				json_set(o, "index", json_int(i));
				json_set(o, "map_ns", json_int(s->map_ns));
				json_set(o, "touch_ns", json_int(s->touch_ns));
				json_set(o, "minflt_count", json_int(s->minflt));
				json_set(o, "majflt_count", json_int(s->majflt));
				json_set(o, "touches_count", json_int(s->touches));
			}
		}
		json_set(detail, "touch_median_ns", json_num(median_u64(touch_ns, n)));
		json_set(detail, "touch_max_ns", json_int(tmax));
		json_set(detail, "minflt_median_count", json_num(median_u64(minflt, n)));
		json_set(detail, "minflt_total_count", json_int(fsum));
	}
	free(touch_ns);
	free(minflt);
	free(addrs);

	if (measure_unmap) {
		pool_release(pool);
		if (pool_wait(pool, err, errlen) < 0)
			goto out;
		settled &= probe_settle(probe, &unmapped, 2, 20000000, 5000000000ull) == 0;
		probe_delta(&base, &unmapped, &res->unmap_delta);
	}
	if (pool_finish(pool, err, errlen) < 0)
		goto out;
	probe_set_pids(probe, NULL, 0);
	leak_settled &= probe_settle(probe, &post, 3, 50000000, 5000000000ull) == 0;
	res->leak_bytes = post.meminfo_bytes - pre.meminfo_bytes;
	res->settled = settled;
	res->leak_settled = leak_settled;
	rc = 0;
out:
	probe_set_pids(probe, NULL, 0);
	pool_free(pool);
	return rc;
}

static const char *expect_name(enum expect e)
{
	return e == EXPECT_SHARED ? "shared" : e == EXPECT_UNSHARED ? "unshared" : e == EXPECT_AUTO ? "auto" : "none";
}

static int pgtable_run(struct common_opts *c, void *state, struct result_doc *rd)
{
	static const char *const columns[] = {
		"pt_meminfo_pages", "model_shared_pages", "model_unshared_pages", "pt_per_proc_bytes",
		"minflt_median_count",
	};
	struct pgtable_state *st = state;
	struct placement pl = { .base = c->base, .misalign = c->misalign };
	struct backing b;
	struct page_size_seen seen;
	struct probe_ctx probe;
	struct pin_plan *pin;
	struct pgtable_run run;
	struct json *params, *asserts;
	bool share_kernel, failed = false;
	char err[1024], why[256] = "";

	if (c->backing_auto) {
		backing_find_best(&c->backing, why, sizeof(why));
		msg_info("pgtable: backing %s (%s)", backing_kind_name(c->backing.kind), why);
	}
	if (placement_setup(&pl, c->backing.size, err, sizeof(err)) < 0)
		die("pgtable: %s", err);
	if (backing_open(&c->backing, &b, err, sizeof(err)) < 0)
		die("pgtable: %s", err);
	if (c->misalign && b.align > 2 * MiB)
		die("pgtable: --misalign needs 2 MiB-granular addresses, but this backing maps %llu-byte pages",
		    (unsigned long long)b.align);
	pin = pin_prepare(c->pin, err, sizeof(err));
	if (!pin)
		die("pgtable: %s", err);
	probe_open(&probe, c->cgroup);

	if (mapcheck_preflight(&b, &pl, &seen, err, sizeof(err)) < 0)
		die("pgtable: page-size check failed: %s", err);
	if (mapcheck_matches(&b, &seen, err, sizeof(err)) < 0) {
		if (!c->allow_fallback)
			die("pgtable: %s", err);
		results_warn(rd, "%s", err);
	}
	share_kernel = kernel_shares(&b);

	json_set(results_root(rd), "backing", backing_describe(&b));
	json_set(json_get(results_root(rd), "backing"), "page_size_check", mapcheck_describe(&seen));
	if (why[0])
		json_set(json_get(results_root(rd), "backing"), "chosen_because", json_str(why));
	json_set(results_root(rd), "probes", probe_describe(&probe));
	json_set(results_root(rd), "pinning", pin_describe(pin));
	params = results_section(rd, "parameters");
	json_set(params, "size_bytes", json_int(c->backing.size));
	json_set(params, "page_size_bytes", json_int(b.page_size));
	json_set(params, "touch", json_str(touch_mode_name(c->touch)));
	run = (struct pgtable_run){
		.b = &b, .pl = &pl, .size = c->backing.size,
		.stride = c->stride ? c->stride : b.page_size, .touch = c->touch,
		.munmap = st->teardown == TEARDOWN_MUNMAP,
	};
	json_set(params, "stride_bytes", c->touch >= TOUCH_POPULATE ? json_null() : json_int(run.stride));
	json_set(params, "placement", json_str(c->misalign ? "misaligned" : "aligned"));
	json_set(params, "base_address", json_strf("0x%llx", (unsigned long long)pl.base));
	json_set(params, "repetitions", json_int(c->reps));
	json_set(params, "warmup", json_int(c->warmup));
	json_set(params, "teardown", json_str(st->teardown == TEARDOWN_MUNMAP ? "munmap" : "exit"));
	json_set(params, "kernel_shares_pmd_for_this_backing", json_bool(share_kernel));
	json_set(params, "expect", json_str(expect_name(st->expect)));
	json_set(params, "tolerance", json_strf("%g%s", st->tolerance, st->tolerance_pct ? "%" : " pages"));
	asserts = json_set(results_root(rd), "assertions", json_arr());
	results_table_columns(rd, columns, ARRAY_SIZE(columns));

	for (size_t pi = 0; pi < c->nprocs && !failed; pi++) {
		unsigned n = c->procs[pi];
		uint64_t *addrs = xcalloc(n, sizeof(*addrs));
		struct pt_model_input mi = { .nprocs = n, .size = c->backing.size, .page_size = b.page_size,
					     .addrs = addrs };
		struct pt_model_cost unshared, shared;
		struct result_case *cs;
		struct json *obs;
		char id[64];
		unsigned shared_reps = 0, noisy = 0;

		for (unsigned i = 0; i < n; i++)
			addrs[i] = placement_addr(&pl, i);
		pt_model(&mi, &unshared);
		mi.share_pmd = true;
		pt_model(&mi, &shared);
		free(addrs);

		snprintf(id, sizeof(id), "procs=%u", n);
		cs = results_case(rd, id);
		json_set(case_params(cs), "procs", json_int(n));
		obs = case_observations(cs);
		json_set(obs, "model_unshared_bytes", json_int(unshared.total_bytes));
		json_set(obs, "model_unshared_pages", json_int(unshared.total_pages));
		json_set(obs, "model_shared_bytes", json_int(shared.total_bytes));
		json_set(obs, "model_shared_pages", json_int(shared.total_pages));
		json_set(obs, "model_pud_pages", json_int(unshared.pud_pages));
		json_set(obs, "distinct_alignments", json_int(placement_distinct_offsets(&pl, n)));

		for (unsigned rep = 0; rep < c->warmup + c->reps; rep++) {
			bool warm = rep < c->warmup;
			struct json *detail = json_obj();
			struct rep_result r;
			double pages, frac;

			if (run_rep(c, &probe, pin, &run, n, run.munmap, &r, detail, err, sizeof(err)) < 0) {
				json_free(detail);
				results_warn(rd, "procs=%u: %s", n, err);
				failed = true;
				break;
			}
			if (warm) {
				json_free(detail);
				continue;
			}
			if (!r.settled && noisy < st->max_noisy) {
				/* Another process changed PageTables meanwhile: measure again. */
				noisy++;
				rep--;
				json_free(detail);
				msg_info("pgtable: procs=%u: readings did not settle, repeating (%u of at most %u)",
					 n, noisy, st->max_noisy);
				continue;
			}
			pages = (double)r.delta.meminfo_bytes / PT_PAGE_BYTES;
			case_value(cs, "pt_meminfo_bytes", (double)r.delta.meminfo_bytes);
			case_value(cs, "pt_meminfo_pages", pages);
			case_value(cs, "pt_per_proc_bytes", (double)r.delta.meminfo_bytes / n);
			if (r.delta.vmstat_pages != PROBE_NONE)
				case_value(cs, "pt_vmstat_pages", (double)r.delta.vmstat_pages);
			if (r.delta.cgroup_bytes != PROBE_NONE)
				case_value(cs, "pt_cgroup_bytes", (double)r.delta.cgroup_bytes);
			if (r.delta.vmpte_bytes != PROBE_NONE)
				case_value(cs, "pt_vmpte_sum_bytes", (double)r.delta.vmpte_bytes);
			case_value(cs, "pt_to_unshared_model_ratio",
				   unshared.total_bytes ? (double)r.delta.meminfo_bytes / unshared.total_bytes : NAN);
			if (r.leak_settled)
				case_value(cs, "pt_after_exit_leak_bytes", (double)r.leak_bytes);
			json_set(detail, "after_exit_leak_bytes", json_int(r.leak_bytes));
			json_set(detail, "after_exit_settled", json_bool(r.leak_settled));
			if (run.munmap && r.unmap_delta.meminfo_bytes != PROBE_NONE)
				case_value(cs, "pt_after_munmap_bytes", (double)r.unmap_delta.meminfo_bytes);
			case_value(cs, "touch_median_ns", json_number(json_get(detail, "touch_median_ns")));
			case_value(cs, "touch_max_ns", json_number(json_get(detail, "touch_max_ns")));
			case_value(cs, "minflt_median_count", json_number(json_get(detail, "minflt_median_count")));
			case_value(cs, "minflt_total_count", json_number(json_get(detail, "minflt_total_count")));
			for (size_t k = 0; k < ARRAY_SIZE(share_counters); k++) {
				if (r.counters[k] != PROBE_NONE) {
					char name[64];

					snprintf(name, sizeof(name), "vmstat_%s_count", share_counters[k]);
					case_value(cs, name, (double)r.counters[k]);
				}
			}
			frac = shared.total_pages < unshared.total_pages ?
			       ((double)unshared.total_pages - pages) / ((double)unshared.total_pages - shared.total_pages) : 0;
			if (n > 1 && shared.total_pages < unshared.total_pages && frac >= 0.5)
				shared_reps++;
			json_set(detail, "settled", json_bool(r.settled));
			json_set(detail, "sharing_fraction", json_num(frac));
			if (r.pmd_fraction >= 0) {
				json_set(detail, "pmd_mapped_fraction_min", json_num(r.pmd_fraction));
				json_set(detail, "page_size_evidence", json_str(r.evidence));
				if (b.page_size == 2 * MiB && r.pmd_fraction < 0.999)
					results_warn(rd, "procs=%u: not all memory was PMD-mapped (%s)", n, r.evidence);
			}
			if (!r.settled)
				results_warn(rd, "procs=%u rep %u: PageTables did not settle (other activity on the machine?)",
					     n, rep - c->warmup + 1);
			case_repetition(cs, detail);
			msg_info("pgtable: procs=%u rep %u/%u: %.1f pages (model: shared %llu, unshared %llu), leak %+lld B",
				 n, rep - c->warmup + 1, c->reps, pages, (unsigned long long)shared.total_pages,
				 (unsigned long long)unshared.total_pages, (long long)r.leak_bytes);
		}
		if (failed)
			break;
		json_set(obs, "sharing_observed", json_bool(shared_reps * 2 > c->reps));
		json_set(obs, "noisy_repetitions_redone_count", json_int(noisy));
		json_set(obs, "sharing_possible", json_bool(n > 1 && shared.total_pages < unshared.total_pages));

		if (st->expect != EXPECT_NONE) {
			bool use_shared = st->expect == EXPECT_SHARED || (st->expect == EXPECT_AUTO && share_kernel);
			double model = use_shared ? shared.total_pages : unshared.total_pages;
			double med = case_median(cs, "pt_meminfo_pages");
			double tol = st->tolerance_pct ? model * st->tolerance / 100 : st->tolerance;
			bool ok = fabs(med - model) <= tol;
			struct json *a = json_push(asserts, json_obj());

			json_set(a, "case", json_str(id));
			json_set(a, "model", json_str(use_shared ? "shared" : "unshared"));
			json_set(a, "model_pages", json_num(model));
			json_set(a, "measured_median_pages", json_num(med));
			json_set(a, "tolerance_pages", json_num(tol));
			json_set(a, "pass", json_bool(ok));
			if (!ok) {
				msg_err("pgtable: procs=%u: measured %.1f pages, %s model %.0f +- %.1f: assertion failed",
					n, med, use_shared ? "shared" : "unshared", model, tol);
				failed = true;
			} else {
				msg_info("pgtable: procs=%u: %.1f pages matches the %s model %.0f +- %.1f", n, med,
					 use_shared ? "shared" : "unshared", model, tol);
			}
		}
	}

	probe_close(&probe);
	pin_free(pin);
	backing_close(&b);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int pgtable_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	(void)state;
	if (c->stride && c->stride > c->backing.size)
		return errf(err, errlen, "--stride is larger than --size");
	return 0;
}

const struct bench bench_pgtable = {
	.name = "pgtable",
	.summary = "page-table memory of N processes mapping one file, against the cost model",
	.description =
		"Each of N processes maps SIZE of one shared file at a 1 GiB-aligned address\n"
		"(or misaligned with --misalign) and touches it.  Page-table memory is measured\n"
		"while all of them hold it, minus the same N processes without the mapping:\n"
		"/proc/meminfo PageTables (a shared table counted once; primary), vmstat,\n"
		"cgroup v2 memory.stat pagetables and the VmPTE sum (every sharer charged).\n"
		"The result is compared with the cost model: 513 pages per GiB per process at\n"
		"4K, one PMD page per GiB at 2M, plus each process's own PUD page; with PMD\n"
		"sharing one copy of the PMD (and PTE) pages per aligned GiB.  Run as root on a\n"
		"quiet machine for exact counts (stat_refresh needs root).",
	.common = OPTS_ALL,
	.opts = pgtable_opts,
	.state_size = sizeof(struct pgtable_state),
	.defaults = pgtable_defaults,
	.parse = pgtable_parse,
	.check = pgtable_check,
	.run = pgtable_run,
};
PTSHARE_BENCHMARK(bench_pgtable);
