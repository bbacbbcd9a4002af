// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare fork: what a populated shared mapping costs fork(), the child's
 * first touches and the child's exit.
 *
 * For each size S, one worker (the parent under test) maps S of the
 * shared file at its placement address and touches all of it, then forks
 * once per repetition.  Each child touches the whole range the same way
 * (timed), notes the time and exits; the parent, already waiting in
 * waitpid(), notes when it has reaped it.  Reported per size: the time
 * fork() took in the parent, from fork() to the child running, the
 * child's touch time and faults, and from the child's _exit() to the
 * parent having reaped it (the teardown of the child's page tables is in
 * there).  Case "size=0" is the same worker forking without the mapping:
 * the cost of everything else it has.
 *
 * Mainline fork() copies no page tables for a shared file mapping without
 * private (anon) pages (vma_needs_copy()): the child faults the range in
 * again; with PMD sharing (hugetlbfs aligned; FS/DAX with the patch) the
 * child attaches the parent's PMD tables instead.
 */
#include "config.h"

#include "bench.h"
#include "json.h"
#include "mapcheck.h"
#include "placement.h"
#include "units.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct fork_state {
	uint64_t *sizes;
	size_t nsizes;
};

enum { O_SIZES = 1 };

static const struct bench_opt fork_opts[] = {
	{ "sizes", "LIST", "sizes of the mapping, e.g. 256M,1G,4G or 256M:4G (doubling); default: --size", O_SIZES },
	{ NULL, NULL, NULL, 0 },
};

struct fork_rep {
	uint64_t fork_ns;		/* fork() in the parent */
	uint64_t child_start_ns;	/* fork() called -> child running */
	uint64_t child_touch_ns;	/* the child's touch loop */
	uint64_t child_minflt, child_majflt, child_touches;
	uint64_t exit_at_ns;		/* CLOCK_MONOTONIC just before the child's _exit() */
	uint64_t child_exit_ns;		/* _exit() -> reaped by the parent */
	int status;			/* wait status */
	int touch_errno;
};

struct fork_slot {
	uint64_t map_ns, populate_ns, populate_minflt;
	uint64_t populate_touches;
	unsigned nreps;
	struct fork_rep rep[];		/* warm-up and measured */
};

struct fork_run {
	struct backing *b;
	const struct placement *pl;
	uint64_t size;			/* 0: no mapping (the baseline) */
	uint64_t stride;
	enum touch_mode touch;
	unsigned nreps;
};

static int fork_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct fork_state *s = state;

	if (key == O_SIZES) {
		free(s->sizes);
		return parse_size_list(arg, &s->sizes, &s->nsizes, err, errlen);
	}
	return errf(err, errlen, "unknown option");
}

static int fork_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	struct fork_state *s = state;
	uint64_t max = s->nsizes ? s->sizes[s->nsizes - 1] : c->backing.size;

	if (c->stride && c->stride > (s->nsizes ? s->sizes[0] : max))
		return errf(err, errlen, "--stride is larger than the smallest size");
	return 0;
}

static void one_fork(const struct fork_run *r, void *addr, struct fork_rep *rep, uint8_t value)
{
	uint64_t t0, t1;
	pid_t pid;
	int st;

	memset(rep, 0, sizeof(*rep));
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		uint64_t ts = now_ns();

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		rep->child_start_ns = ts - t0;
		if (r->size) {
			struct touch_result tr;

			if (touch_range(addr, r->size, r->stride, r->touch, value, &tr) < 0)
				rep->touch_errno = errno;
			rep->child_touch_ns = tr.ns;
			rep->child_minflt = tr.minflt;
			rep->child_majflt = tr.majflt;
			rep->child_touches = tr.touches;
		}
		rep->exit_at_ns = now_ns();
		_exit(0);
	}
	t1 = now_ns();
	if (pid < 0) {
		rep->status = -errno;
		return;
	}
	rep->fork_ns = t1 - t0;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = -1;
			break;
		}
	}
	t1 = now_ns();
	rep->status = st;
	rep->child_exit_ns = st == 0 && t1 > rep->exit_at_ns ? t1 - rep->exit_at_ns : 0;
}

static int fork_worker(struct worker *w)
{
	struct fork_run *r = w->arg;
	struct fork_slot *s = w->slot;
	struct backing_map m = { 0 };
	char err[256];

	if (r->size) {
		uint64_t t0 = now_ns();
		struct touch_result tr;

		if (backing_map(r->b, placement_addr(r->pl, w->index), r->size, &m, err, sizeof(err)) < 0)
			worker_fail(w, "parent: %s", err);
		s->map_ns = now_ns() - t0;
		if (touch_range(m.addr, r->size, r->stride, r->touch, 1, &tr) < 0)
			worker_fail(w, "parent: --touch %s failed: %s", touch_mode_name(r->touch), strerror(errno));
		s->populate_ns = tr.ns;
		s->populate_minflt = tr.minflt;
		s->populate_touches = tr.touches;
	}
	for (unsigned i = 0; i < r->nreps; i++) {
		one_fork(r, m.addr, &s->rep[i], (uint8_t)(i + 2));
		if (s->rep[i].status < 0)
			worker_fail(w, "fork failed: %s%s", strerror(-s->rep[i].status),
				    -s->rep[i].status == EAGAIN ? " (raise ulimit -u / pids.max)" : "");
		if (s->rep[i].status != 0)
			worker_fail(w, "the child of fork %u did not exit cleanly (wait status 0x%x)", i,
				    (unsigned)s->rep[i].status);
		if (s->rep[i].touch_errno)
			worker_fail(w, "the child's --touch %s failed: %s", touch_mode_name(r->touch),
				    strerror(s->rep[i].touch_errno));
	}
	s->nreps = r->nreps;
	worker_sync(w);		/* done: the parent reads the slot */
	return 0;
}

static int fork_run_bench(struct common_opts *c, void *state, struct result_doc *rd)
{
	static const char *const columns[] = {
		"fork_ns", "child_start_ns", "child_touch_ns", "child_minflt_count", "child_exit_ns",
	};
	struct fork_state *st = state;
	struct placement pl = { .base = c->base, .misalign = c->misalign };
	struct page_size_seen seen;
	struct backing b;
	struct pin_plan *pin;
	struct json *params, *sz;
	char err[1024], why[256] = "";
	unsigned nreps = c->warmup + c->reps;
	bool failed = false;

	if (!st->nsizes) {
		st->sizes = xmalloc(sizeof(*st->sizes));
		st->sizes[0] = c->backing.size;
		st->nsizes = 1;
	}
	c->backing.size = st->sizes[st->nsizes - 1];
	if (c->backing_auto) {
		backing_find_best(&c->backing, why, sizeof(why));
		msg_info("fork: backing %s (%s)", backing_kind_name(c->backing.kind), why);
	}
	if (placement_setup(&pl, c->backing.size, err, sizeof(err)) < 0)
		die("fork: %s", err);
	if (backing_open(&c->backing, &b, err, sizeof(err)) < 0)
		die("fork: %s", err);
	for (size_t i = 0; i < st->nsizes; i++)
		if (st->sizes[i] % b.align)
			die_usage("fork: size %llu is not a multiple of the %llu-byte pages of this backing",
				  (unsigned long long)st->sizes[i], (unsigned long long)b.align);
	if (c->misalign && b.align > 2 * MiB)
		die("fork: --misalign needs 2 MiB-granular addresses, but this backing maps %llu-byte pages",
		    (unsigned long long)b.align);
	pin = pin_prepare(c->pin, err, sizeof(err));
	if (!pin)
		die("fork: %s", err);
	if (mapcheck_preflight(&b, &pl, &seen, err, sizeof(err)) < 0)
		die("fork: page-size check failed: %s", err);
	if (mapcheck_matches(&b, &seen, err, sizeof(err)) < 0) {
		if (!c->allow_fallback)
			die("fork: %s", err);
		results_warn(rd, "%s", err);
	}
	if (backing_prime(&b, err, sizeof(err)) < 0)
		die("fork: %s", err);

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
	json_set(params, "child_exit_definition",
		 json_str("from the child's last clock read before _exit() to waitpid() returning in the parent"));
	results_table_columns(rd, columns, ARRAY_SIZE(columns));

	for (size_t si = 0; si <= st->nsizes && !failed; si++) {
		uint64_t size = si ? st->sizes[si - 1] : 0;
		struct fork_run run = {
			.b = &b, .pl = &pl, .size = size, .stride = c->stride ? c->stride : b.page_size,
			.touch = c->touch, .nreps = nreps,
		};
		struct pool_opts po = {
			.nworkers = 1, .slot_size = sizeof(struct fork_slot) + nreps * sizeof(struct fork_rep),
			.pin = c->pin, .pin_plan = pin, .phase_timeout_ns = c->timeout_ns,
		};
		struct worker_pool *pool;
		struct fork_slot *s;
		struct result_case *cs;
		char id[64], hs[32];

		snprintf(id, sizeof(id), "size=%s", size ? format_size_short(size, hs, sizeof(hs)) : "0");
		cs = results_case(rd, id);
		json_set(case_params(cs), "size_bytes", json_int((int64_t)size));
		if (interrupted)
			die("fork: interrupted");
		pool = pool_start(&po, fork_worker, &run, err, sizeof(err));
		if (!pool || pool_wait(pool, err, sizeof(err)) < 0) {
			results_warn(rd, "%s: %s", id, err);
			pool_free(pool);
			failed = true;
			break;
		}
		s = pool_slot(pool, 0);
		if (size) {
			json_set(case_observations(cs), "parent_map_ns", json_int((int64_t)s->map_ns));
			json_set(case_observations(cs), "parent_populate_ns", json_int((int64_t)s->populate_ns));
			json_set(case_observations(cs), "parent_minflt_count", json_int((int64_t)s->populate_minflt));
		}
		for (unsigned i = c->warmup; i < s->nreps; i++) {
			const struct fork_rep *rp = &s->rep[i];
			struct json *d = json_obj();

			case_value(cs, "fork_ns", (double)rp->fork_ns);
			case_value(cs, "child_start_ns", (double)rp->child_start_ns);
			case_value(cs, "child_exit_ns", (double)rp->child_exit_ns);
			if (size) {
				case_value(cs, "child_touch_ns", (double)rp->child_touch_ns);
				case_value(cs, "child_minflt_count", (double)rp->child_minflt);
				case_value(cs, "child_majflt_count", (double)rp->child_majflt);
				case_value(cs, "child_touches_count", (double)rp->child_touches);
			}
			json_set(d, "fork_ns", json_int((int64_t)rp->fork_ns));
			json_set(d, "child_start_ns", json_int((int64_t)rp->child_start_ns));
			json_set(d, "child_touch_ns", json_int((int64_t)rp->child_touch_ns));
			json_set(d, "child_minflt_count", json_int((int64_t)rp->child_minflt));
			json_set(d, "child_exit_ns", json_int((int64_t)rp->child_exit_ns));
			case_repetition(cs, d);
		}
		msg_info("fork: %s: fork %.0f ns, child touch %.0f ns, child exit %.0f ns (medians)", id,
			 case_median(cs, "fork_ns"), size ? case_median(cs, "child_touch_ns") : 0,
			 case_median(cs, "child_exit_ns"));
		if (pool_finish(pool, err, sizeof(err)) < 0) {
			results_warn(rd, "%s: %s", id, err);
			failed = true;
		}
		pool_free(pool);
	}
	pin_free(pin);
	backing_close(&b);
	free(st->sizes);
	st->sizes = NULL;
	return failed ? EXIT_FAIL : EXIT_OK;
}

const struct bench bench_fork = {
	.name = "fork",
	.summary = "fork() of a process holding the populated mapping: fork, child touch and child exit times",
	.description =
		"For each size in --sizes, one process maps that much of the shared file at its\n"
		"placement address, touches all of it (--touch, --stride), and forks once per\n"
		"repetition.  Each child touches the whole range again and exits.  Reported per\n"
		"size: fork() time in the parent (fork_ns), fork() to the child running\n"
		"(child_start_ns), the child's touch time and faults, and the child's exit: from\n"
		"its last clock read before _exit() to waitpid() returning in the parent, which\n"
		"includes tearing down its page tables (child_exit_ns).  Case size=0 is the same\n"
		"process forking without the mapping.  Mainline fork() copies no page tables for\n"
		"shared file mappings, so the child faults the range in again; with PMD sharing\n"
		"(hugetlbfs 1 GiB-aligned, FS/DAX with the patch) it attaches the parent's.",
	.common = OPTS_BACKING | OPTS_TOUCH | OPTS_REPS | OPTS_PLACEMENT | OPTS_PIN | OPTS_OUTPUT |
		  OPTS_SEED | OPTS_TIMEOUT,
	.opts = fork_opts,
	.state_size = sizeof(struct fork_state),
	.parse = fork_parse,
	.check = fork_check,
	.run = fork_run_bench,
};
PTSHARE_BENCHMARK(bench_fork);
