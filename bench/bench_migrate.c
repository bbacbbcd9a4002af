// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare migrate: NUMA migration time of shared pages versus the number
 * of processes mapping them.
 *
 * The file's pages are allocated on node A (the parent prefers A while it
 * creates and primes the file).  N workers map the file at their placement
 * addresses and touch all of it; then worker 0 checks where every page is
 * (move_pages() without nodes), moves strays back to A (not timed), and
 * moves all of them to node B, timed: numa_move_pages() with one address
 * per page of the backing's page size, or numa_migrate_pages() of its own
 * address space (--method).  MPOL_MF_MOVE_ALL is used when the process may
 * (CAP_SYS_NICE): pages mapped by several processes move only so.
 * Reported: pages, pages that reached B, per-page status errors by errno
 * (FS/DAX pages cannot migrate: the kernel answers -EFAULT per page, and
 * that is what is reported), time and time per page, and the growth of
 * the time with N against the smallest N.
 *
 * A machine with one NUMA node cannot do this: the command exits 77 with
 * the reason.  The QEMU guest of harness/vm has two nodes.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBNUMA
#include <numa.h>
#include <numaif.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#endif

enum method { METHOD_MOVE, METHOD_MIGRATE };

struct migrate_state {
	int from, to;		/* -1: choose */
	enum method method;
};

enum { O_FROM = 1, O_TO, O_METHOD };

static const struct bench_opt migrate_opts[] = {
	{ "from", "NODE", "NUMA node the pages start on (default: the first node with memory)", O_FROM },
	{ "to", "NODE", "NUMA node they are moved to (default: the next node with memory)", O_TO },
	{ "method", "M", "move (default): numa_move_pages() with every page's address; migrate: numa_migrate_pages() of the mover's address space", O_METHOD },
	{ NULL, NULL, NULL, 0 },
};

#define ERRNO_SLOTS 160

struct migrate_slot {
	uint64_t pages;			/* addresses passed */
	uint64_t on_source_before, elsewhere_before, moved_back;
	uint64_t status_errors_before;
	uint64_t move_ns;
	int64_t rc;			/* numa_move_pages/numa_migrate_pages return */
	int rc_errno;
	uint64_t reached_target;	/* status == to after the call */
	uint64_t other_node;		/* status another node */
	uint64_t failed;		/* status < 0 */
	uint64_t on_target_verified;	/* a fresh status query after the call */
	uint32_t err_count[ERRNO_SLOTS];	/* failed pages by -status */
	uint64_t populate_ns;
};

struct migrate_run {
	struct backing *b;
	const struct placement *pl;
	uint64_t size, stride, page;
	enum touch_mode touch;
	int from, to;
	enum method method;
	int flags;
};

static void migrate_defaults(struct common_opts *c, void *state)
{
	struct migrate_state *s = state;

	s->from = s->to = -1;
	s->method = METHOD_MOVE;
	(void)c;
}

static int migrate_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct migrate_state *s = state;
	uint64_t v;

	switch (key) {
	case O_FROM:
	case O_TO:
		if (parse_u64(arg, &v, err, errlen) < 0 || v > 4095)
			return errf(err, errlen, "--%s must be a NUMA node number, not '%s'",
				    key == O_FROM ? "from" : "to", arg);
		*(key == O_FROM ? &s->from : &s->to) = (int)v;
		return 0;
	case O_METHOD:
		if (!strcmp(arg, "move"))
			s->method = METHOD_MOVE;
		else if (!strcmp(arg, "migrate"))
			s->method = METHOD_MIGRATE;
		else
			return errf(err, errlen, "--method must be move or migrate, not '%s'", arg);
		return 0;
	}
	return errf(err, errlen, "unknown option");
}

static int migrate_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	struct migrate_state *s = state;

	if (s->from >= 0 && s->from == s->to)
		return errf(err, errlen, "--from and --to are both node %d: give two different nodes", s->from);
	if (c->stride && c->stride > c->backing.size)
		return errf(err, errlen, "--stride is larger than --size");
	return 0;
}

#ifdef HAVE_LIBNUMA

static const char *errno_label(int e, char *buf, size_t len)
{
	const char *n = e > 0 ? strerrorname_np(e) : NULL;

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "errno_%d", e);
	return buf;
}

static void tally(struct migrate_slot *s, const int *status, uint64_t n, int to)
{
	for (uint64_t i = 0; i < n; i++) {
		if (status[i] == to) {
			s->reached_target++;
		} else if (status[i] >= 0) {
			s->other_node++;
		} else {
			unsigned e = (unsigned)-status[i];

			s->failed++;
			s->err_count[e < ERRNO_SLOTS ? e : ERRNO_SLOTS - 1]++;
		}
	}
}

static int migrate_worker(struct worker *w)
{
	struct migrate_run *r = w->arg;
	struct migrate_slot *s = w->slot;
	uint64_t addr = placement_addr(r->pl, w->index), n = r->size / r->page;
	void **pages = NULL;
	int *nodes = NULL, *status = NULL;
	struct backing_map m;
	struct touch_result tr;
	char err[256];

	if (w->index == 0) {
		pages = xcalloc(n, sizeof(*pages));
		nodes = xcalloc(n, sizeof(*nodes));
		status = xcalloc(n, sizeof(*status));
	}
	if (backing_map(r->b, addr, r->size, &m, err, sizeof(err)) < 0)
		worker_fail(w, "worker %u: %s", w->index, err);
	if (touch_range(m.addr, r->size, r->stride, r->touch, (uint8_t)(w->index + 1), &tr) < 0)
		worker_fail(w, "worker %u: --touch %s failed: %s", w->index, touch_mode_name(r->touch),
			    strerror(errno));
	s->populate_ns = tr.ns;
	worker_sync(w);		/* 1: every process maps the populated file */

	if (w->index == 0) {
		uint64_t back = 0, t0;

		s->pages = n;
		for (uint64_t i = 0; i < n; i++)
			pages[i] = (char *)m.addr + i * r->page;
		/* Where is every page now?  Strays go back to the source, untimed. */
		if (numa_move_pages(0, n, pages, NULL, status, 0) < 0)
			worker_fail(w, "move_pages() status query failed: %s", strerror(errno));
		for (uint64_t i = 0; i < n; i++) {
			if (status[i] == r->from) {
				s->on_source_before++;
			} else if (status[i] >= 0) {
				s->elsewhere_before++;
				pages[back++] = pages[i];
			} else {
				s->status_errors_before++;
			}
		}
		if (back) {
			for (uint64_t i = 0; i < back; i++)
				nodes[i] = r->from;
			numa_move_pages(0, back, pages, nodes, status, r->flags);
			for (uint64_t i = 0; i < back; i++)
				s->moved_back += status[i] == r->from;
			for (uint64_t i = 0; i < n; i++)
				pages[i] = (char *)m.addr + i * r->page;
		}

		for (uint64_t i = 0; i < n; i++) {
			nodes[i] = r->to;
			status[i] = -1000;
		}
		if (r->method == METHOD_MOVE) {
			t0 = now_ns();
			s->rc = numa_move_pages(0, n, pages, nodes, status, r->flags);
			s->move_ns = now_ns() - t0;
			s->rc_errno = s->rc < 0 ? errno : 0;
			if (s->rc >= 0)
				tally(s, status, n, r->to);
		} else {
			struct bitmask *from = numa_allocate_nodemask(), *to = numa_allocate_nodemask();

			numa_bitmask_setbit(from, (unsigned)r->from);
			numa_bitmask_setbit(to, (unsigned)r->to);
			t0 = now_ns();
			s->rc = numa_migrate_pages(0, from, to);
			s->move_ns = now_ns() - t0;
			s->rc_errno = s->rc < 0 ? errno : 0;
			numa_free_nodemask(from);
			numa_free_nodemask(to);
		}
		/* Verify with a fresh query. */
		if (numa_move_pages(0, n, pages, NULL, status, 0) == 0) {
			for (uint64_t i = 0; i < n; i++)
				s->on_target_verified += status[i] == r->to;
			if (r->method == METHOD_MIGRATE)
				tally(s, status, n, r->to);
		}
	}
	worker_sync(w);		/* 2: moved */
	free(pages);
	free(nodes);
	free(status);
	return 0;
}

/* Nodes with memory that this process may use, in order. */
static unsigned memory_nodes(int *nodes, unsigned max, char *list, size_t listlen)
{
	struct bitmask *allowed = numa_get_mems_allowed();
	unsigned n = 0;
	size_t off = 0;

	list[0] = '\0';
	for (int node = 0; node <= numa_max_node(); node++) {
		if (!numa_bitmask_isbitset(allowed, (unsigned)node) || numa_node_size64(node, NULL) <= 0)
			continue;
		if (n < max)
			nodes[n] = node;
		n++;
		if (off < listlen)
			off += (size_t)snprintf(list + off, listlen - off, "%s%d", off ? "," : "", node);
	}
	numa_bitmask_free(allowed);
	return n;
}

static bool may_move_all(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return geteuid() == 0;
	return (data[CAP_SYS_NICE / 32].effective >> (CAP_SYS_NICE % 32)) & 1;
}

static int migrate_run_bench(struct common_opts *c, void *state, struct result_doc *rd)
{
	static const char *const columns[] = {
		"move_ns", "move_per_page_ns", "pages_count", "pages_reached_target_count", "pages_failed_count",
	};
	struct migrate_state *st = state;
	struct placement pl = { .base = c->base, .misalign = c->misalign };
	struct page_size_seen seen;
	struct backing b;
	struct pin_plan *pin;
	struct migrate_run run;
	struct json *params;
	char err[1024], why[256] = "", list[256];
	int nodes[2];
	unsigned nn;
	bool failed = false;
	double first_ns = 0;

	if (numa_available() < 0)
		die_skip("migrate: this kernel has no NUMA support (numa_available() < 0): run it on a NUMA machine or in the QEMU guest (harness/vm)");
	nn = memory_nodes(nodes, 2, list, sizeof(list));
	if (nn < 2)
		die_skip("migrate: needs two NUMA nodes with memory, this machine has %u (node %s): run it on a NUMA machine or in the QEMU guest (harness/vm), which has two",
			 nn, list);
	if (st->from < 0)
		st->from = st->to == nodes[0] ? nodes[1] : nodes[0];
	if (st->to < 0)
		st->to = st->from == nodes[0] ? nodes[1] : nodes[0];
	if (st->from == st->to)
		die_usage("migrate: --from and --to are both node %d: give two different nodes", st->from);
	for (int k = 0; k < 2; k++) {
		int node = k ? st->to : st->from;

		if (node > numa_max_node() || numa_node_size64(node, NULL) <= 0)
			die_usage("migrate: node %d has no memory here (nodes with memory: %s)", node, list);
	}
	if (c->backing_auto) {
		backing_find_best(&c->backing, why, sizeof(why));
		msg_info("migrate: backing %s (%s)", backing_kind_name(c->backing.kind), why);
	}
	if (placement_setup(&pl, c->backing.size, err, sizeof(err)) < 0)
		die("migrate: %s", err);
	/* The file's pages are allocated (fallocate, priming) while preferring the source node. */
	numa_set_preferred(st->from);
	if (backing_open(&c->backing, &b, err, sizeof(err)) < 0)
		die("migrate: %s", err);
	if (c->misalign && b.align > 2 * MiB)
		die("migrate: --misalign needs 2 MiB-granular addresses, but this backing maps %llu-byte pages",
		    (unsigned long long)b.align);
	pin = pin_prepare(c->pin, err, sizeof(err));
	if (!pin)
		die("migrate: %s", err);
	if (mapcheck_preflight(&b, &pl, &seen, err, sizeof(err)) < 0)
		die("migrate: page-size check failed: %s", err);
	if (mapcheck_matches(&b, &seen, err, sizeof(err)) < 0) {
		if (!c->allow_fallback)
			die("migrate: %s", err);
		results_warn(rd, "%s", err);
	}
	if (backing_prime(&b, err, sizeof(err)) < 0)
		die("migrate: %s", err);
	numa_set_localalloc();

	run = (struct migrate_run){
		.b = &b, .pl = &pl, .size = c->backing.size, .stride = c->stride ? c->stride : b.page_size,
		.page = b.page_size, .touch = c->touch, .from = st->from, .to = st->to, .method = st->method,
		.flags = may_move_all() ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE,
	};
	if (run.flags != MPOL_MF_MOVE_ALL)
		results_warn(rd, "no CAP_SYS_NICE: MPOL_MF_MOVE moves only pages mapped by the mover alone (run as root)");
	if (b.dax)
		results_warn(rd, "%s pages are device memory: the kernel does not migrate them; the per-page status says what it answered",
			     backing_kind_name(b.kind));

	json_set(results_root(rd), "backing", backing_describe(&b));
	json_set(json_get(results_root(rd), "backing"), "page_size_check", mapcheck_describe(&seen));
	if (why[0])
		json_set(json_get(results_root(rd), "backing"), "chosen_because", json_str(why));
	json_set(results_root(rd), "pinning", pin_describe(pin));
	params = results_section(rd, "parameters");
	json_set(params, "size_bytes", json_int((int64_t)run.size));
	json_set(params, "page_size_bytes", json_int((int64_t)b.page_size));
	json_set(params, "pages_per_move_count", json_int((int64_t)(run.size / run.page)));
	json_set(params, "touch", json_str(touch_mode_name(c->touch)));
	json_set(params, "placement", json_str(c->misalign ? "misaligned" : "aligned"));
	json_set(params, "base_address", json_strf("0x%llx", (unsigned long long)pl.base));
	json_set(params, "from_node", json_int(st->from));
	json_set(params, "to_node", json_int(st->to));
	json_set(params, "nodes_with_memory", json_str(list));
	json_set(params, "method", json_str(st->method == METHOD_MOVE ? "numa_move_pages" : "numa_migrate_pages"));
	json_set(params, "flags", json_str(run.flags == MPOL_MF_MOVE_ALL ? "MPOL_MF_MOVE_ALL" : "MPOL_MF_MOVE"));
	json_set(params, "mover", json_str("worker 0, one of the N mappers"));
	json_set(params, "repetitions", json_int(c->reps));
	json_set(params, "warmup", json_int(c->warmup));
	results_table_columns(rd, columns, ARRAY_SIZE(columns));

	for (size_t pi = 0; pi < c->nprocs && !failed; pi++) {
		unsigned n = c->procs[pi];
		struct result_case *cs;
		struct json *errs;
		char id[64];

		snprintf(id, sizeof(id), "procs=%u", n);
		cs = results_case(rd, id);
		json_set(case_params(cs), "procs", json_int(n));
		errs = json_set(case_observations(cs), "status_errors_count", json_obj());
		for (unsigned rep = 0; rep < c->warmup + c->reps; rep++) {
			struct pool_opts po = {
				.nworkers = n, .slot_size = sizeof(struct migrate_slot), .pin = c->pin,
				.pin_plan = pin, .phase_timeout_ns = c->timeout_ns,
			};
			struct worker_pool *pool;
			struct migrate_slot s;
			struct json *d;

			if (interrupted)
				die("migrate: interrupted");
			pool = pool_start(&po, migrate_worker, &run, err, sizeof(err));
			if (!pool || pool_wait(pool, err, sizeof(err)) < 0) {
				results_warn(rd, "%s: %s", id, err);
				pool_free(pool);
				failed = true;
				break;
			}
			pool_release(pool);
			if (pool_wait(pool, err, sizeof(err)) < 0) {
				results_warn(rd, "%s: %s", id, err);
				pool_free(pool);
				failed = true;
				break;
			}
			memcpy(&s, pool_slot(pool, 0), sizeof(s));
			if (pool_finish(pool, err, sizeof(err)) < 0) {
				results_warn(rd, "%s: %s", id, err);
				pool_free(pool);
				failed = true;
				break;
			}
			pool_free(pool);
			if (s.rc < 0)
				results_warn(rd, "%s: %s failed: %s", id,
					     st->method == METHOD_MOVE ? "numa_move_pages" : "numa_migrate_pages",
					     strerror(s.rc_errno));
			msg_info("migrate: %s rep %u: %llu pages, %llu reached node %d, %llu failed, %.3f ms%s", id, rep,
				 (unsigned long long)s.pages, (unsigned long long)s.on_target_verified, st->to,
				 (unsigned long long)s.failed, (double)s.move_ns / 1e6,
				 rep < c->warmup ? " (warm-up, discarded)" : "");
			if (rep < c->warmup)
				continue;
			case_value(cs, "move_ns", (double)s.move_ns);
			case_value(cs, "move_per_page_ns", s.pages ? (double)s.move_ns / (double)s.pages : 0);
			case_value(cs, "pages_count", (double)s.pages);
			case_value(cs, "pages_reached_target_count", (double)s.on_target_verified);
			case_value(cs, "pages_failed_count", (double)s.failed);
			case_value(cs, "pages_other_node_count", (double)s.other_node);
			d = json_obj();
			json_set(d, "return_value", json_int(s.rc));
			json_set(d, "return_errno", s.rc < 0 ? json_str(strerror(s.rc_errno)) : json_null());
			json_set(d, "on_source_before_count", json_int((int64_t)s.on_source_before));
			json_set(d, "elsewhere_before_count", json_int((int64_t)s.elsewhere_before));
			json_set(d, "moved_back_untimed_count", json_int((int64_t)s.moved_back));
			json_set(d, "status_errors_before_count", json_int((int64_t)s.status_errors_before));
			json_set(d, "status_reached_target_count", json_int((int64_t)s.reached_target));
			json_set(d, "verified_on_target_count", json_int((int64_t)s.on_target_verified));
			for (unsigned e = 1; e < ERRNO_SLOTS; e++) {
				char name[64];
				int64_t prev;

				if (!s.err_count[e])
					continue;
				errno_label((int)e, name, sizeof(name));
				json_set(d, name, json_int(s.err_count[e]));
				prev = json_get_int(errs, name, &prev) == 0 ? prev : 0;
				json_set(errs, name, json_int(prev + s.err_count[e]));
			}
			case_repetition(cs, d);
		}
		if (failed)
			break;
		if (!pi)
			first_ns = case_median(cs, "move_ns");
		json_set(case_observations(cs), "move_to_smallest_procs_ratio",
			 json_num(first_ns > 0 ? case_median(cs, "move_ns") / first_ns : 0));
	}
	pin_free(pin);
	backing_close(&b);
	return failed ? EXIT_FAIL : EXIT_OK;
}

#else	/* !HAVE_LIBNUMA */

static int migrate_run_bench(struct common_opts *c, void *state, struct result_doc *rd)
{
	(void)c;
	(void)state;
	(void)rd;
	die_skip("migrate: built without libnuma (apt-get install libnuma-dev, then configure again)");
}

#endif

const struct bench bench_migrate = {
	.name = "migrate",
	.summary = "NUMA migration time of shared pages versus the number of processes mapping them",
	.description =
		"N processes map SIZE of the shared file at their placement addresses and touch\n"
		"it; then one of them moves every page from node --from to node --to with\n"
		"numa_move_pages() (one address per page of the backing's page size), or\n"
		"numa_migrate_pages() with --method migrate, and times it.  Reported per N: the\n"
		"time and time per page, pages that reached the target (checked afterwards),\n"
		"and the pages the kernel refused with the errno it gave (FS/DAX and device-\n"
		"DAX pages do not migrate: that is reported per page as the kernel answers),\n"
		"and the time relative to the smallest N.  The pages start on --from: the file\n"
		"is created preferring that node, and strays are moved back before each\n"
		"repetition (not timed).  hugetlbfs aligned shares the PMD tables, misaligned\n"
		"(--misalign) does not.  Needs two NUMA nodes with memory; exits 77 otherwise.",
	.common = OPTS_BACKING | OPTS_PROCS | OPTS_TOUCH | OPTS_REPS | OPTS_PLACEMENT | OPTS_PIN |
		  OPTS_OUTPUT | OPTS_SEED | OPTS_TIMEOUT,
	.opts = migrate_opts,
	.state_size = sizeof(struct migrate_state),
	.defaults = migrate_defaults,
	.parse = migrate_parse,
	.check = migrate_check,
	.run = migrate_run_bench,
};
PTSHARE_BENCHMARK(bench_migrate);
