// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare fault: page-fault latency of the first mapper versus later ones.
 *
 * Each of N processes maps the shared file at its placement address and
 * touches it every --stride (4 KiB or 2 MiB; read or write), timing every
 * touch with the timing module's clock (overhead subtracted) into a
 * fixed-size log-linear histogram in its result slot.  --order serial
 * lets the processes attach one after another, each holding its mapping
 * while the next one touches; --order concurrent releases all at once.
 * The attach rank is the order of attaching: the process index in serial
 * order, the order of the first touches' start times in concurrent order.
 * Rank 0 populates the page tables; later ranks may find them shared (PMD
 * sharing: hugetlbfs at 1 GiB-aligned addresses, FS/DAX with the patch).
 *
 * Cases: "procs=N,rank=first" and "procs=N,rank=later" (N > 1).  Per
 * repetition, the percentiles come from the merged histogram of the
 * group's processes, the counts and populate times are the median over
 * them; every process's own figures are in the repetition's details.
 */
#include "config.h"

#include "bench.h"
#include "hist.h"
#include "json.h"
#include "mapcheck.h"
#include "placement.h"
#include "stats.h"
#include "timing.h"
#include "units.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum order { ORDER_SERIAL, ORDER_CONCURRENT };

struct fault_state {
	enum order order;
	enum timer_source clock;
	unsigned list_procs;	/* processes listed one by one in each repetition's details */
};

enum { O_ORDER = 1, O_CLOCK, O_LIST };

static const struct bench_opt fault_opts[] = {
	{ "order", "ORDER", "serial (default): processes attach one after another, each keeping its mapping; concurrent: all at once", O_ORDER },
	{ "clock", "SOURCE", "auto (default: the TSC when invariant and the kernel's clocksource, else clock_gettime), tsc or clock", O_CLOCK },
	{ "list-procs", "N", "list at most N processes one by one in each repetition's details (default 64)", O_LIST },
	{ NULL, NULL, NULL, 0 },
};

struct fault_slot {
	uint64_t map_ns;	/* mmap (or libpmem2 map) call */
	uint64_t start_ns;	/* CLOCK_MONOTONIC when its first touch began */
	uint64_t wall_ns;	/* the timed loop, clock reads included */
	uint64_t touches, minflt, majflt, sum;
	struct hist h;		/* one value per timed touch, overhead subtracted */
	struct hist scratch;	/* the dry run's */
};

struct fault_run {
	struct backing *b;
	const struct placement *pl;
	const struct timer *timer;
	uint64_t size, stride;
	bool write;
	enum order order;
	unsigned n;
};

static void fault_defaults(struct common_opts *c, void *state)
{
	struct fault_state *s = state;

	s->order = ORDER_SERIAL;
	s->clock = TIMER_AUTO;
	s->list_procs = 64;
	(void)c;
}

static int fault_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct fault_state *s = state;
	uint64_t v;

	switch (key) {
	case O_ORDER:
		if (!strcmp(arg, "serial"))
			s->order = ORDER_SERIAL;
		else if (!strcmp(arg, "concurrent"))
			s->order = ORDER_CONCURRENT;
		else
			return errf(err, errlen, "--order must be serial or concurrent, not '%s'", arg);
		return 0;
	case O_CLOCK:
		if (timer_parse(arg, &s->clock) < 0)
			return errf(err, errlen, "--clock must be auto, tsc or clock, not '%s'", arg);
		return 0;
	case O_LIST:
		if (parse_u64(arg, &v, err, errlen) < 0 || v > 100000)
			return errf(err, errlen, "--list-procs must be a number from 0 to 100000, not '%s'", arg);
		s->list_procs = (unsigned)v;
		return 0;
	}
	return errf(err, errlen, "unknown option");
}

static int fault_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	(void)state;
	if (c->touch != TOUCH_READ && c->touch != TOUCH_WRITE)
		return errf(err, errlen, "--touch %s cannot be timed page by page: use read or write",
			    touch_mode_name(c->touch));
	if (c->stride && c->stride > c->backing.size)
		return errf(err, errlen, "--stride is larger than --size");
	return 0;
}

static uint64_t rusage_minflt(uint64_t *majflt)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*majflt = (uint64_t)ru.ru_majflt;
	return (uint64_t)ru.ru_minflt;
}

/* One timed access every @stride bytes of [p, p + len), one histogram value each. */
static __attribute__((noinline)) uint64_t touch_loop(const struct timer *t, struct hist *h, volatile uint8_t *p, uint64_t len,
			   uint64_t stride, bool write, uint8_t value, uint64_t *sum)
{
	uint64_t n = 0, acc = 0;

	if (write) {
		for (uint64_t off = 0; off < len; off += stride, n++) {
			uint64_t a = timer_start(t);

			p[off] = value;
			hist_add(h, timer_elapsed_ns(t, a, timer_stop(t)));
		}
	} else {
		for (uint64_t off = 0; off < len; off += stride, n++) {
			uint64_t a = timer_start(t);

			acc += p[off];
			hist_add(h, timer_elapsed_ns(t, a, timer_stop(t)));
		}
	}
	*sum += acc;
	return n;
}

/*
 * The measured first touches.  A dry run over a byte of the stack first
 * brings in the loop's code and constants (a load from .rodata would be a
 * fault of its own), so the fault counts hold the mapping's faults only.
 */
static void timed_touch(const struct fault_run *r, struct fault_slot *s, volatile uint8_t *p, uint8_t value,
			struct hist *scratch)
{
	volatile uint8_t byte = 0;
	uint64_t min0, maj0, min1, maj1, w0, sum = 0;

	touch_loop(r->timer, scratch, &byte, 1, 1, r->write, value, &sum);
	min0 = rusage_minflt(&maj0);
	w0 = now_ns();
	s->start_ns = w0;
	s->touches = touch_loop(r->timer, &s->h, p, r->size, r->stride, r->write, value, &sum);
	s->wall_ns = now_ns() - w0;
	min1 = rusage_minflt(&maj1);
	s->minflt = min1 - min0;
	s->majflt = maj1 - maj0;
	s->sum = sum;
}

static int fault_worker(struct worker *w)
{
	struct fault_run *r = w->arg;
	struct fault_slot *s = w->slot;
	uint64_t addr = placement_addr(r->pl, w->index), t0, maj;
	unsigned phases = r->order == ORDER_SERIAL ? r->n : 1;
	unsigned mine = r->order == ORDER_SERIAL ? w->index : 0;
	struct backing_map m;
	char err[256];

	hist_init(&s->h);
	t0 = now_ns();
	if (backing_map(r->b, addr, r->size, &m, err, sizeof(err)) < 0)
		worker_fail(w, "worker %u: %s", w->index, err);
	s->map_ns = now_ns() - t0;
	/* Warm the clock and getrusage paths outside the timed loop. */
	(void)timer_stop(r->timer);
	(void)rusage_minflt(&maj);
	worker_sync(w);		/* 1: every process has mapped */

	for (unsigned ph = 0; ph < phases; ph++) {
		if (ph == mine)
			timed_touch(r, s, m.addr, (uint8_t)(w->index + 1), &s->scratch);
		worker_sync(w);	/* 2..: this phase's process has touched */
	}
	return 0;		/* exits after the final release, holding the mapping until then */
}

/* One process's figures, for ranking and the details. */
struct proc_result {
	unsigned index, rank;
	const struct fault_slot *s;
};

static int by_start(const void *a, const void *b)
{
	const struct proc_result *x = a, *y = b;

	if (x->s->start_ns != y->s->start_ns)
		return x->s->start_ns < y->s->start_ns ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static double median_of(const double *v, size_t n)
{
	return n ? percentile(v, n, 50) : 0;
}

static struct json *proc_detail(const struct proc_result *p, uint64_t t_first)
{
	struct json *o = json_obj();

	json_set(o, "index", json_int(p->index));
	json_set(o, "rank", json_int(p->rank));
	json_set(o, "start_after_first_ns", json_int((int64_t)(p->s->start_ns - t_first)));
	json_set(o, "map_ns", json_int((int64_t)p->s->map_ns));
	json_set(o, "touches_count", json_int((int64_t)p->s->touches));
	json_set(o, "histogram_count", json_int((int64_t)hist_bucket_total(&p->s->h)));
	json_set(o, "minflt_count", json_int((int64_t)p->s->minflt));
	json_set(o, "majflt_count", json_int((int64_t)p->s->majflt));
	json_set(o, "populate_ns", json_int((int64_t)p->s->h.sum_ns));
	json_set(o, "populate_wall_ns", json_int((int64_t)p->s->wall_ns));
	json_set(o, "p50_ns", json_num(hist_percentile(&p->s->h, 50)));
	json_set(o, "p99_ns", json_num(hist_percentile(&p->s->h, 99)));
	json_set(o, "max_ns", json_int((int64_t)p->s->h.max_ns));
	return o;
}

/* Record one group (first, or later) of one repetition. */
static void record_group(struct result_case *cs, const struct proc_result *procs, unsigned n,
			 unsigned list_max, uint64_t t_first, struct json *detail)
{
	struct hist *merged = xmalloc(sizeof(*merged));
	double *touches = xcalloc(n, sizeof(double)), *minflt = xcalloc(n, sizeof(double));
	double *majflt = xcalloc(n, sizeof(double)), *pop = xcalloc(n, sizeof(double));
	double *wall = xcalloc(n, sizeof(double)), *mapn = xcalloc(n, sizeof(double));
	uint64_t touches_total = 0;
	struct json *list;

	hist_init(merged);
	list = json_set(detail, "processes", json_arr());
	for (unsigned i = 0; i < n; i++) {
		const struct fault_slot *s = procs[i].s;

		hist_merge(merged, &s->h);
		touches[i] = (double)s->touches;
		minflt[i] = (double)s->minflt;
		majflt[i] = (double)s->majflt;
		pop[i] = (double)s->h.sum_ns;
		wall[i] = (double)s->wall_ns;
		mapn[i] = (double)s->map_ns;
		touches_total += s->touches;
		if (i < list_max)
			json_push(list, proc_detail(&procs[i], t_first));
	}
	json_set(detail, "processes_listed_count", json_int(n < list_max ? n : list_max));
	json_set(detail, "processes_count", json_int(n));
	json_set(detail, "touches_total_count", json_int((int64_t)touches_total));
	json_set(detail, "histogram", hist_describe(merged, 1));

	case_value(cs, "touch_p50_ns", hist_percentile(merged, 50));
	case_value(cs, "touch_p90_ns", hist_percentile(merged, 90));
	case_value(cs, "touch_p99_ns", hist_percentile(merged, 99));
	case_value(cs, "touch_p999_ns", hist_percentile(merged, 99.9));
	case_value(cs, "touch_max_ns", (double)merged->max_ns);
	case_value(cs, "touch_mean_ns", hist_mean(merged));
	case_value(cs, "touches_count", median_of(touches, n));
	case_value(cs, "minflt_count", median_of(minflt, n));
	case_value(cs, "majflt_count", median_of(majflt, n));
	case_value(cs, "populate_ns", median_of(pop, n));
	case_value(cs, "populate_wall_ns", median_of(wall, n));
	case_value(cs, "map_ns", median_of(mapn, n));
	case_repetition(cs, detail);
	free(merged);
	free(touches);
	free(minflt);
	free(majflt);
	free(pop);
	free(wall);
	free(mapn);
}

static int run_rep(const struct common_opts *c, const struct fault_state *st, struct pin_plan *pin,
		   struct fault_run *run, struct result_case *first, struct result_case *later, bool keep,
		   unsigned rep, char *err, size_t errlen)
{
	struct pool_opts po = {
		.nworkers = run->n, .slot_size = sizeof(struct fault_slot), .pin = c->pin, .pin_plan = pin,
		.phase_timeout_ns = c->timeout_ns,
	};
	unsigned phases = run->order == ORDER_SERIAL ? run->n : 1, n = run->n;
	struct proc_result *procs;
	struct worker_pool *pool;
	int rc = -1;

	pool = pool_start(&po, fault_worker, run, err, errlen);
	if (!pool)
		return -1;
	if (pool_wait(pool, err, errlen) < 0)
		goto out;
	for (unsigned ph = 0; ph < phases; ph++) {
		pool_release(pool);
		if (pool_wait(pool, err, errlen) < 0)
			goto out;
	}
	procs = xcalloc(n, sizeof(*procs));
	for (unsigned i = 0; i < n; i++) {
		procs[i].index = i;
		procs[i].s = pool_slot(pool, i);
	}
	/* Serial: the index is the attach order.  Concurrent: who started first. */
	if (run->order == ORDER_CONCURRENT)
		qsort(procs, n, sizeof(*procs), by_start);
	for (unsigned i = 0; i < n; i++) {
		procs[i].rank = i;
		if (hist_bucket_total(&procs[i].s->h) != procs[i].s->touches) {
			errf(err, errlen, "worker %u: histogram holds %llu values for %llu touches", procs[i].index,
			     (unsigned long long)hist_bucket_total(&procs[i].s->h),
			     (unsigned long long)procs[i].s->touches);
			free(procs);
			pool_kill(pool);
			goto out;
		}
	}
	if (keep) {
		struct json *d = json_obj();

		json_set(d, "repetition", json_int(rep));
		record_group(first, procs, 1, st->list_procs, procs[0].s->start_ns, d);
		if (n > 1) {
			d = json_obj();
			json_set(d, "repetition", json_int(rep));
			record_group(later, procs + 1, n - 1, st->list_procs, procs[0].s->start_ns, d);
		}
	}
	msg_info("fault: procs=%u rep %u: first p50 %.0f ns, %llu faults%s", n, rep,
		 hist_percentile(&procs[0].s->h, 50), (unsigned long long)procs[0].s->minflt,
		 keep ? "" : " (warm-up, discarded)");
	free(procs);
	rc = pool_finish(pool, err, errlen);
	pool_free(pool);
	return rc;
out:
	pool_free(pool);
	return rc;
}

static int fault_run_bench(struct common_opts *c, void *state, struct result_doc *rd)
{
	static const char *const columns[] = {
		"touch_p50_ns", "touch_p99_ns", "touch_max_ns", "minflt_count", "touches_count", "populate_ns",
	};
	struct fault_state *st = state;
	struct placement pl = { .base = c->base, .misalign = c->misalign };
	struct page_size_seen seen;
	struct timer timer;
	struct backing b;
	struct pin_plan *pin;
	struct fault_run run;
	struct json *params;
	char err[1024], why[256] = "";
	bool failed = false;

	if (c->backing_auto) {
		backing_find_best(&c->backing, why, sizeof(why));
		msg_info("fault: backing %s (%s)", backing_kind_name(c->backing.kind), why);
	}
	if (timer_init(&timer, st->clock, err, sizeof(err)) < 0)
		die_usage("fault: %s", err);
	if (placement_setup(&pl, c->backing.size, err, sizeof(err)) < 0)
		die("fault: %s", err);
	if (backing_open(&c->backing, &b, err, sizeof(err)) < 0)
		die("fault: %s", err);
	if (c->misalign && b.align > 2 * MiB)
		die("fault: --misalign needs 2 MiB-granular addresses, but this backing maps %llu-byte pages",
		    (unsigned long long)b.align);
	pin = pin_prepare(c->pin, err, sizeof(err));
	if (!pin)
		die("fault: %s", err);
	if (mapcheck_preflight(&b, &pl, &seen, err, sizeof(err)) < 0)
		die("fault: page-size check failed: %s", err);
	if (mapcheck_matches(&b, &seen, err, sizeof(err)) < 0) {
		if (!c->allow_fallback)
			die("fault: %s", err);
		results_warn(rd, "%s", err);
	}
	if (backing_prime(&b, err, sizeof(err)) < 0)
		die("fault: %s", err);

	json_set(results_root(rd), "backing", backing_describe(&b));
	json_set(json_get(results_root(rd), "backing"), "page_size_check", mapcheck_describe(&seen));
	if (why[0])
		json_set(json_get(results_root(rd), "backing"), "chosen_because", json_str(why));
	json_set(results_root(rd), "pinning", pin_describe(pin));
	json_set(results_root(rd), "timer", timer_describe(&timer));
	run = (struct fault_run){
		.b = &b, .pl = &pl, .timer = &timer, .size = c->backing.size,
		.stride = c->stride ? c->stride : b.page_size, .write = c->touch == TOUCH_WRITE,
		.order = st->order,
	};
	params = results_section(rd, "parameters");
	json_set(params, "size_bytes", json_int((int64_t)run.size));
	json_set(params, "page_size_bytes", json_int((int64_t)b.page_size));
	json_set(params, "stride_bytes", json_int((int64_t)run.stride));
	json_set(params, "touch", json_str(touch_mode_name(c->touch)));
	json_set(params, "order", json_str(st->order == ORDER_SERIAL ? "serial" : "concurrent"));
	json_set(params, "placement", json_str(c->misalign ? "misaligned" : "aligned"));
	json_set(params, "base_address", json_strf("0x%llx", (unsigned long long)pl.base));
	json_set(params, "repetitions", json_int(c->reps));
	json_set(params, "warmup", json_int(c->warmup));
	json_set(params, "file_primed", json_bool(!b.dax));
	json_set(params, "rank_definition", json_str(st->order == ORDER_SERIAL ?
		"attach order: process i touches after processes 0..i-1 have touched and while they hold their mappings" :
		"order in which the processes' first touches started (CLOCK_MONOTONIC), all released at once"));
	json_set(params, "histogram", json_str("log-linear: 1 ns buckets below 128 ns, then 64 per power of two (<= 1.6% wide); percentiles are nearest-rank bucket midpoints, max exact"));
	results_table_columns(rd, columns, ARRAY_SIZE(columns));
	msg_info("fault: clock %s, overhead %.1f ns (subtracted), resolution %.2f ns, back-to-back reads %.1f ns apart",
		 timer.source == TIMER_TSC ? "tsc" : "clock_gettime", timer.overhead_ns, timer.resolution_ns,
		 timer.min_step_ns);

	for (size_t pi = 0; pi < c->nprocs && !failed; pi++) {
		unsigned n = c->procs[pi];
		struct result_case *first, *later = NULL;
		char id[64];

		run.n = n;
		snprintf(id, sizeof(id), "procs=%u,rank=first", n);
		first = results_case(rd, id);
		json_set(case_params(first), "procs", json_int(n));
		json_set(case_params(first), "rank", json_str("first"));
		if (n > 1) {
			snprintf(id, sizeof(id), "procs=%u,rank=later", n);
			later = results_case(rd, id);
			json_set(case_params(later), "procs", json_int(n));
			json_set(case_params(later), "rank", json_str("later"));
		}
		for (unsigned rep = 0; rep < c->warmup + c->reps; rep++) {
			if (interrupted)
				die("fault: interrupted");
			if (run_rep(c, st, pin, &run, first, later, rep >= c->warmup, rep, err, sizeof(err)) < 0) {
				results_warn(rd, "procs=%u: %s", n, err);
				failed = true;
				break;
			}
		}
		if (!failed && later) {
			double f = case_median(first, "minflt_count"), l = case_median(later, "minflt_count");

			json_set(case_observations(later), "minflt_later_to_first_ratio", json_num(f > 0 ? l / f : 0));
			json_set(case_observations(later), "p50_later_to_first_ratio",
				 json_num(case_median(first, "touch_p50_ns") > 0 ?
					  case_median(later, "touch_p50_ns") / case_median(first, "touch_p50_ns") : 0));
		}
	}
	pin_free(pin);
	backing_close(&b);
	return failed ? EXIT_FAIL : EXIT_OK;
}

const struct bench bench_fault = {
	.name = "fault",
	.summary = "page-fault latency: the populating process versus later ones",
	.description =
		"Each of N processes maps SIZE of one shared file at its placement address (1 GiB\n"
		"aligned, or --misalign) and touches it every --stride (default: the page size),\n"
		"reading or writing one byte, timing every touch.  --order serial: process i\n"
		"touches after 0..i-1 have, while they keep their mappings; --order concurrent:\n"
		"all at once.  Reported for the first process (rank 0, it populates the page\n"
		"tables) and for the later ones (they may find PMD tables shared): latency\n"
		"percentiles p50/p90/p99/p99.9/max from a log-linear histogram (ns resolution,\n"
		"fixed memory), faults (getrusage minflt/majflt) and touches, and the time to\n"
		"populate the range (sum of the touch latencies; populate_wall_ns includes the\n"
		"clock reads).  The clock's overhead is measured and subtracted from every\n"
		"touch; it and the resolution are in the result's \"timer\".  Before measuring,\n"
		"the file's pages are brought into memory once (not for DAX), so every\n"
		"repetition's first process finds them present and builds only page tables.\n"
		"Read faults on page cache and tmpfs map up to 16 neighbouring 4 KiB pages\n"
		"(fault-around), so at a 4 KiB stride only one read in 16 faults; --touch write\n"
		"faults every page.",
	.common = OPTS_BACKING | OPTS_PROCS | OPTS_TOUCH | OPTS_REPS | OPTS_PLACEMENT | OPTS_PIN |
		  OPTS_OUTPUT | OPTS_SEED | OPTS_TIMEOUT,
	.opts = fault_opts,
	.state_size = sizeof(struct fault_state),
	.defaults = fault_defaults,
	.parse = fault_parse,
	.check = fault_check,
	.run = fault_run_bench,
};
PTSHARE_BENCHMARK(bench_fault);
