// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare stress: the correctness suite for shared page tables.
 *
 * Runs the scenarios (one file each in bench/stress/) against a fresh
 * backing file each, 1 GiB-aligned in every process so that PMD tables
 * can be shared, and prints TAP: one line per step of a scenario, then
 * whether page tables came back and the kernel log stayed clean.  Every
 * random choice comes from --seed; a failure prints the command that
 * repeats the same choices.  --negative runs each scenario's negative
 * control instead: the scenario with its checker fed a wrong expectation,
 * which must be reported as a failure.
 */
#include "config.h"

#include "bench.h"
#include "json.h"
#include "placement.h"
#include "probes.h"
#include "stress.h"
#include "units.h"
#include "util.h"
#include "watch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static const struct scenario *const scenarios[] = {
	&sc_attach, &sc_partial, &sc_truncate, &sc_private, &sc_fork, &sc_sync, &sc_mixed, &sc_pud,
};
#define NSCENARIOS ARRAY_SIZE(scenarios)

#define SMOKE_BUDGET_NS		(4ull * 1000000000ull)
#define NEGATIVE_BUDGET_NS	(1ull * 1000000000ull)
#define DEFAULT_DURATION_NS	(8ull * 60 * 1000000000ull)
#define DEFAULT_PT_BOUND	64

struct stress_state {
	bool smoke, negative, list;
	uint64_t duration_ns;
	const char *duration_arg;
	bool selected[NSCENARIOS];
	bool any_selected;
	unsigned pt_bound;
	bool pt_bound_set;
};

enum { O_SMOKE = 1, O_DURATION, O_SCENARIO, O_NEGATIVE, O_LIST, O_PT_BOUND };

static const struct bench_opt stress_opts[] = {
	{ "smoke", NULL, "the smoke set: every scenario, small and short (a few minutes in all); what make check and make check-vm run", O_SMOKE },
	{ "duration", "DURATION", "time of random operations in the whole run, shared by the scenarios (fills and checks come on top), e.g. 30m (default 8m; --smoke: about 4 s of random operations per scenario)", O_DURATION },
	{ "scenario", "NAME", "run only this scenario (repeatable, or a comma list; see --list)", O_SCENARIO },
	{ "negative", NULL, "run the negative controls: each scenario with its checker fed a wrong expectation, which must report a failure", O_NEGATIVE },
	{ "list", NULL, "list the scenarios, what they check and their negative controls", O_LIST },
	{ "pt-bound", "PAGES", "how far /proc/meminfo PageTables may stay above its level before a scenario (default 64; the cgroup check, where available, is exact)", O_PT_BOUND },
	{ NULL, NULL, NULL, 0 },
};

/* ---- TAP output ---------------------------------------------------------- */

static struct {
	unsigned n, failed, skipped;
	bool negative, quiet;
	const struct common_opts *co;
	const struct stress_state *st;
	const char *backing, *path;
	uint64_t budget_ns;	/* random operations per scenario: what --duration must repeat */
	char last_fail[2048];
} tap;

static void clean(char *s)
{
	for (; *s; s++)
		if (*s == '#')
			*s = '%';	/* '#' would start a TAP directive */
		else if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static void reproduce(FILE *f, const struct sctx *c, const char *prefix)
{
	const struct common_opts *co = tap.co;
	char sz[32];

	fprintf(f, "%sreproduce: ptshare stress --scenario %s --seed %llu --backing %s", prefix, c->sc->name,
		(unsigned long long)c->run_seed, tap.backing);
	if (tap.path)
		fprintf(f, " --path %s", tap.path);
	if (co->backing.size != GiB)
		fprintf(f, " --size %s", format_size_short(co->backing.size, sz, sizeof(sz)));
	if (co->backing.page_size)
		fprintf(f, " --page-size %s", format_size_short(co->backing.page_size, sz, sizeof(sz)));
	if (tap.st->smoke)
		fprintf(f, " --smoke");
	/* The run's time is shared by its scenarios: one scenario alone gets its share. */
	if (!tap.st->smoke && !tap.negative)
		fprintf(f, " --duration %llus", (unsigned long long)((tap.budget_ns + 999999999ull) / 1000000000ull));
	if (co->timeout_ns)
		fprintf(f, " --timeout %llums", (unsigned long long)(co->timeout_ns / 1000000));
	if (tap.negative)
		fprintf(f, " --negative");
	fputc('\n', f);
}

static void tap_line(struct sctx *c, const char *status, const char *directive, const char *fmt, va_list ap)
{
	char text[2048];

	vsnprintf(text, sizeof(text), fmt, ap);
	clean(text);
	if (!strcmp(status, "not ok"))
		snprintf(tap.last_fail, sizeof(tap.last_fail), "%s", text);
	if (tap.negative)
		return;	/* the negative control prints one line of its own */
	tap.n++;
	printf("%s %u - %s: %s [%s seed=%llu]%s%s\n", status, tap.n, c->sc->name, text, st_backing_name(c),
	       (unsigned long long)c->run_seed, directive ? " # SKIP " : "", directive ? directive : "");
	fflush(stdout);
}

void st_pass(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(c, "ok", NULL, fmt, ap);
	va_end(ap);
}

void st_fail(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	c->failed++;
	va_start(ap, fmt);
	tap_line(c, "not ok", NULL, fmt, ap);
	va_end(ap);
	if (!tap.negative) {
		tap.failed++;
		reproduce(stdout, c, "# ");
	}
}

void st_skip(struct sctx *c, const char *reason, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	snprintf(why, sizeof(why), "%s", reason);
	clean(why);
	if (!tap.negative)
		tap.skipped++;
	va_start(ap, fmt);
	tap_line(c, "ok", why, fmt, ap);
	va_end(ap);
}

void st_diag(struct sctx *c, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	if (tap.negative)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("# %s: %s\n", c->sc->name, text);
	fflush(stdout);
}

/* ---- options ------------------------------------------------------------- */

static void stress_defaults(struct common_opts *c, void *state)
{
	struct stress_state *s = state;

	s->pt_bound = DEFAULT_PT_BOUND;
	s->duration_ns = DEFAULT_DURATION_NS;
	(void)c;
}

static int select_scenarios(struct stress_state *s, const char *arg, char *err, size_t errlen)
{
	char *list = xstrdup(arg), *save = NULL;
	int rc = 0;

	for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < NSCENARIOS; i++)
			if (!strcmp(name, scenarios[i]->name))
				break;
		if (i == NSCENARIOS) {
			char names[512] = "";

			for (size_t k = 0; k < NSCENARIOS; k++)
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 k ? ", " : "", scenarios[k]->name);
			rc = errf(err, errlen, "unknown scenario '%s' (one of: %s)", name, names);
			break;
		}
		s->selected[i] = true;
		s->any_selected = true;
	}
	free(list);
	return rc;
}

static int stress_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct stress_state *s = state;
	uint64_t v;

	switch (key) {
	case O_SMOKE:
		s->smoke = true;
		return 0;
	case O_NEGATIVE:
		s->negative = true;
		return 0;
	case O_LIST:
		s->list = true;
		return 0;
	case O_DURATION:
		if (parse_duration(arg, &s->duration_ns, err, errlen) < 0)
			return -1;
		if (s->duration_ns < 1000000000ull)
			return errf(err, errlen, "--duration must be at least 1s, not '%s'", arg);
		s->duration_arg = arg;
		return 0;
	case O_SCENARIO:
		return select_scenarios(s, arg, err, errlen);
	case O_PT_BOUND:
		if (parse_u64(arg, &v, err, errlen) < 0)
			return -1;
		if (v > 1000000)
			return errf(err, errlen, "--pt-bound must be at most 1000000 pages");
		s->pt_bound = (unsigned)v;
		s->pt_bound_set = true;
		return 0;
	}
	return errf(err, errlen, "unknown option");
}

static int stress_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	struct stress_state *s = state;

	if (s->list)
		return 0;
	if (s->smoke && s->duration_arg)
		return errf(err, errlen, "--smoke and --duration exclude each other (the smoke set has its own short budget)");
	if (!c->backing_auto && c->backing.kind == BACKING_DEVDAX)
		return errf(err, errlen, "stress needs a file it can truncate and punch: use --backing fsdax, hugetlbfs, tmpfs or file, not devdax");
	if (c->backing.size % GiB || c->backing.size > 8 * GiB)
		return errf(err, errlen, "--size must be a whole number of GiB from 1G to 8G (scenarios share whole 1 GiB-aligned ranges)");
	if (c->backing.page_size == GiB)
		return errf(err, errlen, "--page-size 1G maps without PMD tables, so nothing is shared: use 2M (or 4K where the backing can)");
	if (!c->backing_auto && c->backing.kind == BACKING_HUGETLBFS && c->backing.page_size == 4 * KiB)
		return errf(err, errlen, "hugetlbfs cannot map 4K pages: use --page-size 2M");
	return 0;
}

static void list_scenarios(void)
{
	printf("Scenarios of ptshare stress (run in this order):\n");
	for (size_t i = 0; i < NSCENARIOS; i++) {
		const struct scenario *s = scenarios[i];

		printf("\n  %s\n      %s\n      negative control: %s\n", s->name, s->summary, s->negative);
	}
	printf("\nAfter every scenario: page tables are back (cgroup pagetables exactly, where a cgroup v2\n"
	       "memory controller exists; /proc/meminfo PageTables within --pt-bound), no process died\n"
	       "unexpectedly, and the kernel log has no WARNING/BUG/Oops/KASAN/lockdep/non-zero\n"
	       "pgtables_bytes line.\n");
}

/* ---- the run --------------------------------------------------------------- */

struct run {
	struct common_opts *co;
	struct stress_state *st;
	struct probe_ctx probe;
	struct placement pl;
	uint64_t budget_ns;
	struct result_doc *rd;
	bool described;
};

static void *shared_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("stress: cannot allocate %zu bytes of shared memory: %s", len, strerror(errno));
	return p;
}

static size_t round_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

static void negative_line(struct sctx *c, int rc, uint64_t mismatches)
{
	bool caught = rc < 0 && mismatches > 0;

	tap.n++;
	if (caught) {
		printf("ok %u - %s: negative control (%s): the checker reported the wrong expectation: %s [%s seed=%llu]\n",
		       tap.n, c->sc->name, c->sc->negative, tap.last_fail, st_backing_name(c),
		       (unsigned long long)c->run_seed);
	} else {
		tap.failed++;
		printf("not ok %u - %s: negative control (%s): %s [%s seed=%llu]\n", tap.n, c->sc->name,
		       c->sc->negative,
		       rc == 0 ? "the scenario passed although its checker expected something wrong: the checker does not check" :
		       "the scenario failed, but not by a checker mismatch", st_backing_name(c),
		       (unsigned long long)c->run_seed);
		if (rc < 0)
			printf("# failure: %s\n", tap.last_fail);
		reproduce(stdout, c, "# ");
	}
	fflush(stdout);
}

static void after_checks(struct run *r, struct sctx *c, struct watch *w)
{
	char text[1024];
	enum watch_verdict v;
	uint64_t wait = r->st->smoke ? 6000000000ull : 10000000000ull;

	/* Deaths: processes forked inside the scenario (counted by their reapers)
	 * and pool workers (reported by the workers module). */
	if (atomic_load(&c->bd->deaths) || strstr(tap.last_fail, "was killed by signal"))
		st_fail(c, "a process died unexpectedly (%llu of the scenario's own%s)",
			(unsigned long long)atomic_load(&c->bd->deaths),
			strstr(tap.last_fail, "was killed by signal") ? ", and a worker" : "");
	else
		st_pass(c, "no process died unexpectedly: %llu forked, %llu of them killed with SIGKILL on purpose",
			(unsigned long long)atomic_load(&c->bd->forks), (unsigned long long)atomic_load(&c->bd->kills));
	v = watch_pagetables(w, &r->probe, r->st->pt_bound, wait, text, sizeof(text));
	if (v == WATCH_PASS)
		st_pass(c, "page tables freed: %s", text);
	else if (v == WATCH_FAIL)
		st_fail(c, "page tables not freed: %s", text);
	else
		st_skip(c, text, "page tables freed");
	v = watch_kmsg(w, text, sizeof(text));
	if (v == WATCH_PASS)
		st_pass(c, "%s", text);
	else if (v == WATCH_FAIL)
		st_fail(c, "%s", text);
	else
		st_skip(c, text, "kernel log clean");
}

/*
 * Fault every page of a new file in once (and out again), so that the
 * first sharers do not spend the scenario's time zeroing tmpfs or hugetlbfs
 * pages.  FS/DAX and page-cache files were written with zeros already.
 */
static void prime(struct backing *b)
{
	void *p;

	if (b->kind != BACKING_TMPFS && b->kind != BACKING_HUGETLBFS)
		return;
	p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (p == MAP_FAILED)
		return;
	if (b->advice)
		(void)madvise(p, b->size, b->advice);
	(void)madvise(p, b->size, MADV_POPULATE_WRITE);
	munmap(p, b->size);
}

/*
 * hugetlbfs: the file takes whole pool pages, and holes that are punched
 * and refaulted, copy-on-write copies and the other file need more.  With
 * no headroom a refault takes SIGBUS, which would read as a failure.
 */
static void hugetlb_headroom(const struct scenario *sc, uint64_t size)
{
	const char *dir = "/sys/kernel/mm/hugepages/hugepages-2048kB";
	char path[128], buf[64];
	uint64_t freep, nr, need = size / ST_BLOCK + 64;

	snprintf(path, sizeof(path), "%s/free_hugepages", dir);
	if (read_file_buf(path, buf, sizeof(buf)) <= 0)
		return;	/* backing_open() says what is missing */
	freep = strtoull(buf, NULL, 10);
	snprintf(path, sizeof(path), "%s/nr_hugepages", dir);
	nr = read_file_buf(path, buf, sizeof(buf)) > 0 ? strtoull(buf, NULL, 10) : 0;
	if (freep < need)
		die("stress: %s: the hugetlbfs pool has %llu free 2 MiB pages, %llu needed (the %llu-page file and 64 for refaulted holes and copies): echo %llu > /proc/sys/vm/nr_hugepages",
		    sc->name, (unsigned long long)freep, (unsigned long long)need,
		    (unsigned long long)(size / ST_BLOCK), (unsigned long long)(nr + need - freep));
}

/*
 * The stress process is a child subreaper: processes a scenario left
 * behind (orphaned grandchildren, children of a sharer killed when the
 * scenario failed, which die of PR_SET_PDEATHSIG) are reparented to it.
 * Wait for all of them before the next scenario, so that none still maps
 * this scenario's file (whose hugetlb pages the next one needs) or touches
 * its board.  They end on their own within a bounded number of accesses;
 * after 60 s the rest are reported and left.
 */
static void reap_leftovers(const struct scenario *sc)
{
	uint64_t deadline = now_ns() + 60ull * 1000000000ull;
	unsigned reaped = 0;

	for (;;) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);

		if (pid > 0) {
			reaped++;
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)	/* ECHILD: none left */
			break;
		if (now_ns() > deadline) {
			msg_warn("stress: %s: processes it started are still running after 60 s; the next scenario may find its memory in use",
				 sc->name);
			break;
		}
		sleep_ns(10000000ull);
	}
	if (reaped)
		msg_info("stress: %s: reaped %u processes it left behind", sc->name, reaped);
}

/* Returns true when the scenario (or its negative control) came out as it must. */
static bool run_one(struct run *r, const struct scenario *sc)
{
	struct backing_request rq = r->co->backing;
	struct sctx c;
	struct backing b;
	struct watch w;
	struct result_case *cs;
	struct json *obs;
	size_t board_len, ledger_len, owner_len;
	char err[1024];
	uint64_t t0, mism;
	double secs;
	int rc;

	memset(&c, 0, sizeof(c));
	c.sc = sc;
	c.run_seed = r->co->seed;
	c.seed = rng_mix(r->co->seed, rng_hash_str(sc->name));
	c.pt.seed = c.seed;
	c.rng = c.seed;	/* the parent's own choices (ranges, sizes, layouts) */
	c.smoke = r->st->smoke;
	c.budget_ns = r->budget_ns;
	c.timeout_ns = r->co->timeout_ns ? r->co->timeout_ns :
		       (r->st->smoke || r->st->negative ? 300ull : 900ull) * 1000000000ull;
	c.probe = &r->probe;
	c.base = r->pl.base;
	snprintf(c.who, sizeof(c.who), "ptshare");
	if (r->st->negative)
		sc->negate(&c);
	c.judge = (c.neg & NEG_PATTERN) ? JUDGE_NEG : 0;

	if (rq.size < (uint64_t)sc->min_gib * GiB)
		rq.size = (uint64_t)sc->min_gib * GiB;
	rq.writes = true;
	if (rq.kind == BACKING_HUGETLBFS)
		hugetlb_headroom(sc, rq.size);
	if (backing_open(&rq, &b, err, sizeof(err)) < 0)
		die("stress: %s: %s", sc->name, err);
	if (!r->described) {
		json_set(results_root(r->rd), "backing", backing_describe(&b));
		r->described = true;
	}
	/*
	 * Map through the backing module's mmap path, not libpmem2: libpmem2
	 * 1.12's vm reservation leaves its 2 MiB alignment pad mapped after
	 * pmem2_vm_reservation_delete(), so a process could not attach at the
	 * same address twice (the storms re-attach).  The kernel sees the same
	 * kind of mapping either way.
	 */
	b.use_pmem2 = false;
	c.b = &b;
	c.size = rq.size;
	c.npages = c.size / ST_PAGE;
	c.nblocks = c.size / ST_BLOCK;
	c.granule = b.kind == BACKING_HUGETLBFS ? b.align : ST_PAGE;
	prime(&b);

	board_len = round_up(sizeof(struct board), 4096);
	ledger_len = round_up(c.npages * sizeof(uint64_t), 4096);
	owner_len = round_up(c.nblocks * sizeof(uint32_t), 4096);
	c.shared_len = board_len + ledger_len + owner_len;
	c.bd = shared_alloc(c.shared_len);
	c.ledger = (_Atomic uint64_t *)((char *)c.bd + board_len);
	c.owner = (_Atomic uint32_t *)((char *)c.ledger + ledger_len);
	for (unsigned i = 0; i < ST_MAX_SLOTS; i++)
		atomic_store(&c.bd->slots[i].pg, ST_NONE);

	if (!r->st->negative) {
		st_diag(&c, "%s", sc->summary);
		watch_begin(&w, &r->probe);
	}
	tap.last_fail[0] = '\0';
	t0 = now_ns();
	rc = sc->run(&c);
	if (rc == 0 && c.failed)
		rc = -1;
	secs = (double)(now_ns() - t0) / 1e9;
	reap_leftovers(sc);
	mism = atomic_load(&c.bd->mismatches);

	if (r->st->negative) {
		negative_line(&c, rc, mism);
	} else {
		after_checks(r, &c, &w);
		watch_end(&w);
		st_diag(&c, "%.1f s, %llu words checked, %llu written, %llu processes (%llu killed on purpose)",
			secs, (unsigned long long)atomic_load(&c.bd->checks),
			(unsigned long long)atomic_load(&c.bd->writes), (unsigned long long)atomic_load(&c.bd->forks),
			(unsigned long long)atomic_load(&c.bd->kills));
	}

	cs = results_case(r->rd, sc->name);
	json_set(case_params(cs), "scenario", json_str(sc->name));
	json_set(case_params(cs), "negative_control", json_bool(r->st->negative));
	json_set(case_params(cs), "file_bytes", json_int(c.size));
	obs = case_observations(cs);
	json_set(obs, "passed", json_bool(r->st->negative ? (rc < 0 && mism > 0) : c.failed == 0));
	json_set(obs, "failure", tap.last_fail[0] ? json_str(tap.last_fail) : json_null());
	case_value(cs, "duration_s", secs);
	case_value(cs, "words_checked_count", (double)atomic_load(&c.bd->checks));
	case_value(cs, "words_written_count", (double)atomic_load(&c.bd->writes));
	case_value(cs, "processes_count", (double)atomic_load(&c.bd->forks));
	case_value(cs, "killed_on_purpose_count", (double)atomic_load(&c.bd->kills));
	case_value(cs, "checker_mismatches_count", (double)mism);

	munmap(c.bd, c.shared_len);
	backing_close(&b);
	return r->st->negative ? (rc < 0 && mism > 0) : (rc == 0 && c.failed == 0);
}

static int stress_run(struct common_opts *co, void *state, struct result_doc *rd)
{
	struct stress_state *st = state;
	struct run r = { .co = co, .st = st, .rd = rd };
	unsigned nsel = 0, scen_failed = 0;
	char err[512], why[256] = "", sz[32], budget[96] = "";
	struct json *params;

	if (st->list) {
		list_scenarios();
		return EXIT_OK;
	}
	if (!st->any_selected)
		for (size_t i = 0; i < NSCENARIOS; i++)
			st->selected[i] = true;
	for (size_t i = 0; i < NSCENARIOS; i++)
		nsel += st->selected[i];
	if (co->backing_auto) {
		struct backing_request probe_rq = co->backing;

		probe_rq.size = 2 * co->backing.size;	/* the largest scenario file */
		backing_find_best(&probe_rq, why, sizeof(why));
		co->backing.kind = probe_rq.kind;
		co->backing.path = probe_rq.path;
		co->backing_auto = false;
	}
	if (co->backing.kind == BACKING_DEVDAX)
		die_usage("stress: devdax cannot be truncated or hole-punched: use fsdax, hugetlbfs, tmpfs or file");
	if (co->backing.kind == BACKING_HUGETLBFS && co->backing.page_size == 4 * KiB)
		die_usage("stress: hugetlbfs cannot map 4K pages: use --page-size 2M");
	if (geteuid() != 0)
		msg_warn("stress: not root: no stat_refresh, no kernel log, no private tmpfs; checks that need them are skipped");

	r.budget_ns = st->negative ? NEGATIVE_BUDGET_NS : st->smoke ? SMOKE_BUDGET_NS : st->duration_ns / nsel;
	r.pl.base = 0;
	if (placement_setup(&r.pl, 64 * GiB, err, sizeof(err)) < 0)
		die("stress: %s", err);
	probe_open(&r.probe, co->cgroup);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		msg_warn("stress: prctl(PR_SET_CHILD_SUBREAPER): %s: processes a scenario leaves behind are not waited for",
			 strerror(errno));

	tap.co = co;
	tap.st = st;
	tap.negative = st->negative;
	tap.quiet = co->out.quiet;
	tap.backing = backing_kind_name(co->backing.kind);
	tap.path = co->backing.path;
	tap.budget_ns = r.budget_ns;
	if (!st->negative && !st->smoke)
		snprintf(budget, sizeof(budget), " (%.0f s of random operations per scenario)", (double)r.budget_ns / 1e9);
	printf("# ptshare stress: %s%s%s, %s file%s per scenario mapped at 0x%llx, seed %llu, %s%s\n",
	       tap.backing, tap.path ? " in " : "", tap.path ? tap.path : "",
	       format_size_short(co->backing.size, sz, sizeof(sz)), co->backing.size == GiB ? " (2G for fork and pud-race)" : "",
	       (unsigned long long)r.pl.base, (unsigned long long)co->seed,
	       st->negative ? "negative controls" : st->smoke ? "smoke set" : "full set",
	       budget);
	if (why[0])
		printf("# backing chosen because: %s\n", why);
	printf("# page-table check: %s; PageTables bound +%u pages\n",
	       r.probe.cgroup ? "exact through the probe cgroup" : r.probe.cgroup_why, st->pt_bound);
	fflush(stdout);

	params = results_section(rd, "parameters");
	json_set(params, "set", json_str(st->negative ? "negative" : st->smoke ? "smoke" : "full"));
	json_set(params, "budget_per_scenario_ns", json_int(r.budget_ns));
	json_set(params, "base_address", json_strf("0x%llx", (unsigned long long)r.pl.base));
	json_set(params, "pt_bound_pages", json_int(st->pt_bound));
	json_set(results_root(rd), "probes", probe_describe(&r.probe));

	for (size_t i = 0; i < NSCENARIOS && !interrupted; i++) {
		if (!st->selected[i])
			continue;
		if (!run_one(&r, scenarios[i])) {
			scen_failed++;
			if (!tap.quiet) {
				struct sctx c = { .sc = scenarios[i], .run_seed = co->seed };

				fprintf(stderr, "ptshare: stress: %s failed; ", scenarios[i]->name);
				reproduce(stderr, &c, "");
			}
		}
	}
	printf("1..%u\n", tap.n);
	fflush(stdout);
	probe_close(&r.probe);
	return scen_failed ? EXIT_FAIL : EXIT_OK;
}

const struct bench bench_stress = {
	.name = "stress",
	.summary = "correctness scenarios for shared page tables (TAP)",
	.description =
		"Processes share a 1 GiB-aligned mapping of one file and race attach/detach,\n"
		"partial mprotect/munmap/mremap/madvise, truncate and hole punch, MAP_PRIVATE\n"
		"copy-on-write, fork storms, msync/fsync/MAP_SYNC, mixed page sizes and faults at\n"
		"the PUD boundary.  Every page carries a word naming its writer and generation,\n"
		"checked against a shared ledger, so a stale or wrong mapping is caught, not just\n"
		"a crash.  After each scenario page tables must be freed and the kernel log clean.\n"
		"Output is TAP; a failure prints the command that reproduces it (same seed, same\n"
		"choices; timing is not reproducible).  Run as root.",
	.common = OPTS_BACKING | OPTS_PROBES | OPTS_OUTPUT | OPTS_SEED | OPTS_TIMEOUT,
	.opts = stress_opts,
	.state_size = sizeof(struct stress_state),
	.defaults = stress_defaults,
	.parse = stress_parse,
	.check = stress_check,
	.run = stress_run,
};
PTSHARE_BENCHMARK(bench_stress);
