// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare model: the page-table cost model for configurations too large
 * to run, and measured pgtable results against it.
 *
 * Projection: page-table memory of N processes each mapping SIZE of one
 * file at PAGE mappings, with and without PMD sharing, for the aligned or
 * misaligned placement the pgtable benchmark uses (projection.h: exact
 * for any N, computed per alignment class).
 *
 * --from FILE|DIR: for every pgtable result document, each case's measured
 * PageTables delta (median, min..max) against the model recomputed for
 * that run's size, page size and placement; the model the kernel should
 * follow (shared where it shares PMD pages for that backing, else
 * unshared); the deviation in pages and percent; and a robust line
 * (Theil-Sen) through the medians over the process counts, whose slope
 * (bytes per added process) is compared with both models'.
 */
#include "config.h"

#include "bench.h"
#include "json.h"
#include "projection.h"
#include "resultset.h"
#include "stats.h"
#include "units.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The report goes here: stdout, or nowhere with --quiet. */
static FILE *out;

struct model_state {
	unsigned *procs;
	size_t nprocs;
	uint64_t size;
	uint64_t page_sizes[3];
	size_t npage_sizes;
	const char **from;
	size_t nfrom;
};

enum { O_PROCS = 1, O_SIZE, O_PAGE_SIZE, O_FROM };

static const struct bench_opt model_opts[] = {
	{ "procs", "LIST", "numbers of processes (up to 1000000): 1,100,10000 or 1:65536 for powers of two (default 1,10,100,1000,10000)", O_PROCS },
	{ "size", "SIZE", "bytes each process maps, e.g. 6T (default 1G)", O_SIZE },
	{ "page-size", "LIST", "mapping sizes: 4K, 2M, 1G or a list such as 4K,2M (default 4K,2M,1G)", O_PAGE_SIZE },
	{ "from", "FILE|DIR", "instead of projecting, compare measured pgtable results (a result document or a directory of them) with the model; repeatable", O_FROM },
	{ NULL, NULL, NULL, 0 },
};

static void model_defaults(struct common_opts *c, void *state)
{
	static unsigned dflt[] = { 1, 10, 100, 1000, 10000 };
	struct model_state *s = state;

	s->procs = dflt;
	s->nprocs = ARRAY_SIZE(dflt);
	s->size = GiB;
	s->page_sizes[0] = 4 * KiB;
	s->page_sizes[1] = 2 * MiB;
	s->page_sizes[2] = GiB;
	s->npage_sizes = 3;
	(void)c;
}

static int model_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct model_state *s = state;

	switch (key) {
	case O_PROCS:
		return parse_count_list(arg, &s->procs, &s->nprocs, err, errlen);
	case O_SIZE:
		if (parse_size(arg, &s->size, err, errlen) < 0)
			return -1;
		if (!s->size)
			return errf(err, errlen, "--size must be more than 0");
		return 0;
	case O_PAGE_SIZE: {
		char *copy = xstrdup(arg), *tok, *save = NULL;

		s->npage_sizes = 0;
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			uint64_t v;

			if (parse_size(tok, &v, err, errlen) < 0 || (v != 4 * KiB && v != 2 * MiB && v != GiB) ||
			    s->npage_sizes == ARRAY_SIZE(s->page_sizes)) {
				free(copy);
				return errf(err, errlen, "--page-size takes 4K, 2M and 1G (each once), not '%s'", arg);
			}
			s->page_sizes[s->npage_sizes++] = v;
		}
		free(copy);
		if (!s->npage_sizes)
			return errf(err, errlen, "--page-size needs 4K, 2M or 1G");
		return 0;
	}
	case O_FROM:
		s->from = xrealloc(s->from, (s->nfrom + 1) * sizeof(*s->from));
		s->from[s->nfrom++] = arg;
		return 0;
	}
	return errf(err, errlen, "unknown option");
}

static int model_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	struct model_state *s = state;
	struct placement pl = { .base = c->base ? c->base : PLACEMENT_DEFAULT_BASE, .misalign = c->misalign };
	uint64_t reach = s->size + (c->misalign ? PLACEMENT_MISALIGN_SLOTS * 2 * MiB : 0);

	if (s->nfrom)
		return 0;
	if (pl.base + reach > PT_USER_VA_END || pl.base + reach < pl.base)
		return errf(err, errlen, "%llu bytes at 0x%llx do not fit below 128 TiB (4-level paging; 5-level paging is not modelled): use a smaller --size or --base",
			    (unsigned long long)reach, (unsigned long long)pl.base);
	for (size_t i = 0; i < s->npage_sizes; i++) {
		if (s->size % s->page_sizes[i])
			return errf(err, errlen, "--size must be a multiple of each --page-size");
		if (c->misalign && s->page_sizes[i] > 2 * MiB)
			return errf(err, errlen, "--misalign places mappings at 2 MiB boundaries: use --page-size 4K or 2M");
	}
	return 0;
}

static void pages_str(char *b, size_t l, double pages)
{
	if (isnan(pages))
		snprintf(b, l, "-");
	else if (pages == floor(pages))
		snprintf(b, l, "%.0f", pages);
	else
		snprintf(b, l, "%.1f", pages);
}

/* ---- projection ------------------------------------------------------------ */

static int project(struct common_opts *c, struct model_state *s, struct result_doc *rd)
{
	struct placement pl = { .base = c->base ? c->base : PLACEMENT_DEFAULT_BASE, .misalign = c->misalign };
	struct json *params = results_section(rd, "parameters"), *pss = json_arr();
	char sz[32];

	json_set(params, "size_bytes", json_int((int64_t)s->size));
	for (size_t i = 0; i < s->npage_sizes; i++)
		json_push(pss, json_int((int64_t)s->page_sizes[i]));
	json_set(params, "page_sizes_bytes", pss);
	json_set(params, "placement", json_str(c->misalign ? "misaligned" : "aligned"));
	json_set(params, "base_address", json_strf("0x%llx", (unsigned long long)pl.base));
	json_set(params, "model", json_str("x86-64, 4 KiB base pages, 512 entries per table, 4-level paging; PTE pages per 2 MiB, PMD pages per 1 GiB, PUD pages per 512 GiB touched; with sharing, whole 1 GiB regions at equal file offsets once"));

	fprintf(out, "Page-table memory from the cost model: %s per process, %s placement at 0x%llx\n"
	       "(x86-64, 4 KiB tables of 512 entries; shared: PMD pages of whole 1 GiB regions once,\n"
	       "as hugetlbfs does and the FS/DAX patch does; every process keeps its own PUD pages)\n\n",
	       format_size(s->size, sz, sizeof(sz)), c->misalign ? "misaligned" : "aligned", (unsigned long long)pl.base);
	fprintf(out, "%-5s %10s  %18s  %18s  %18s  %16s  %16s\n", "page", "procs", "unshared", "shared", "saved",
	       "unshared/proc", "shared/proc");
	for (size_t i = 0; i < s->npage_sizes; i++) {
		for (size_t k = 0; k < s->nprocs; k++) {
			uint64_t n = s->procs[k];
			struct pt_model_cost u, sh;
			struct result_case *cs;
			struct json *obs;
			char id[64], ps[16], a[32], b[32], d[32], e[32], f[32];

			if (pt_project(n, s->size, s->page_sizes[i], &pl, &u, &sh) < 0)
				die("model: the model rejects %llu processes x %llu bytes at %llu-byte pages",
				    (unsigned long long)n, (unsigned long long)s->size,
				    (unsigned long long)s->page_sizes[i]);
			format_size_short(s->page_sizes[i], ps, sizeof(ps));
			fprintf(out, "%-5s %10llu  %18s  %18s  %18s  %16s  %16s\n", ps, (unsigned long long)n,
			       format_size(u.total_bytes, a, sizeof(a)), format_size(sh.total_bytes, b, sizeof(b)),
			       format_size(u.total_bytes - sh.total_bytes, d, sizeof(d)),
			       format_size(u.total_bytes / n, e, sizeof(e)), format_size(sh.total_bytes / n, f, sizeof(f)));
			snprintf(id, sizeof(id), "page=%s,procs=%llu", ps, (unsigned long long)n);
			cs = results_case(rd, id);
			json_set(case_params(cs), "page_size_bytes", json_int((int64_t)s->page_sizes[i]));
			json_set(case_params(cs), "procs", json_int((int64_t)n));
			obs = case_observations(cs);
			json_set(obs, "model_unshared_bytes", json_int((int64_t)u.total_bytes));
			json_set(obs, "model_unshared_pages", json_int((int64_t)u.total_pages));
			json_set(obs, "model_shared_bytes", json_int((int64_t)sh.total_bytes));
			json_set(obs, "model_shared_pages", json_int((int64_t)sh.total_pages));
			json_set(obs, "model_saved_bytes", json_int((int64_t)(u.total_bytes - sh.total_bytes)));
			json_set(obs, "unshared_pte_pages", json_int((int64_t)u.pte_pages));
			json_set(obs, "unshared_pmd_pages", json_int((int64_t)u.pmd_pages));
			json_set(obs, "pud_pages", json_int((int64_t)u.pud_pages));
			json_set(obs, "shared_pte_pages", json_int((int64_t)sh.pte_pages));
			json_set(obs, "shared_pmd_pages", json_int((int64_t)sh.pmd_pages));
			json_set(obs, "pmd_pages_with_several_users", json_int((int64_t)sh.shared_pmd_pages));
		}
	}
	fprintf(out, "\n(sizes are binary: KiB = 1024 bytes; the exact figures are in --json)\n");
	return EXIT_OK;
}

/* ---- measured results against the model -------------------------------------- */

struct fit {
	double slope, intercept;
	bool ok;
};

/* Theil-Sen: a noisy repetition on a busy machine does not tilt the line. */
static struct fit line_fit(const double *x, const double *y, size_t n)
{
	struct fit f;

	f.ok = theil_sen(x, y, n, &f.slope, &f.intercept) == 0;
	return f;
}

static int from_doc(const char *name, const struct json *doc, struct result_doc *rd, double *worst_pct)
{
	const struct json *params = json_get(doc, "parameters"), *cases = json_get(doc, "cases");
	const char *placement = json_get_string(params, "placement"), *base_s = json_get_string(params, "base_address");
	const char *backing = json_get_string(json_get(doc, "backing"), "kind");
	double size = NAN, page = NAN;
	bool shares = false, recorded_differs = false;
	struct placement pl = { .base = PLACEMENT_DEFAULT_BASE };
	double *xs = xcalloc(json_len(cases) + 1, sizeof(double)), *ys = xcalloc(json_len(cases) + 1, sizeof(double));
	double *mu = xcalloc(json_len(cases) + 1, sizeof(double)), *ms = xcalloc(json_len(cases) + 1, sizeof(double));
	size_t npts = 0;
	struct fit fm, fu, fs;
	char sz[32], psz[32];

	json_get_number(params, "size_bytes", &size);
	json_get_number(params, "page_size_bytes", &page);
	{
		const struct json *sh = json_get(params, "kernel_shares_pmd_for_this_backing");

		shares = sh && sh->type == JSON_BOOL && sh->b;
	}
	if (isnan(size) || isnan(page) || !placement) {
		msg_warn("model: %s: no size_bytes, page_size_bytes or placement in \"parameters\": skipped", name);
		free(xs);
		free(ys);
		free(mu);
		free(ms);
		return 0;
	}
	pl.misalign = !strcmp(placement, "misaligned");
	if (base_s)
		pl.base = strtoull(base_s, NULL, 0);
	fprintf(out, "%s: %s, %s per process at %s pages, %s placement; this kernel %s PMD pages for %s\n", name,
	       backing ? backing : "?", format_size((uint64_t)size, sz, sizeof(sz)),
	       format_size((uint64_t)page, psz, sizeof(psz)), placement, shares ? "shares" : "does not share",
	       backing ? backing : "it");
	fprintf(out, "  %8s  %24s  %10s  %10s  %9s  %18s  %s\n", "procs", "measured pages (min..max)", "shared", "unshared",
	       "expected", "deviation", "in range");
	for (size_t c = 0; c < json_len(cases); c++) {
		const struct json *kase = json_at(cases, c), *m = json_get(json_get(kase, "metrics"), "pt_meminfo_bytes");
		const struct json *obs = json_get(kase, "observations");
		double procs = NAN, med = NAN, mn = NAN, mx = NAN, rec = NAN, expect, dev, pct;
		struct pt_model_cost u, sh;
		struct result_case *cs;
		struct json *o;
		char a[24], b[24], cc[24], id[300];

		json_get_number(json_get(kase, "params"), "procs", &procs);
		json_get_number(m, "median", &med);
		json_get_number(m, "min", &mn);
		json_get_number(m, "max", &mx);
		if (isnan(procs) || procs < 1 || isnan(med))
			continue;
		if (pt_project((uint64_t)procs, (uint64_t)size, (uint64_t)page, &pl, &u, &sh) < 0) {
			msg_warn("model: %s: the model rejects this run's parameters: skipped", name);
			break;
		}
		if (json_get_number(obs, "model_unshared_bytes", &rec) == 0 && rec != (double)u.total_bytes)
			recorded_differs = true;
		expect = shares ? (double)sh.total_bytes : (double)u.total_bytes;
		dev = med - expect;
		pct = expect ? 100 * dev / expect : NAN;
		if (!isnan(pct) && fabs(pct) > fabs(*worst_pct))
			*worst_pct = pct;
		pages_str(a, sizeof(a), med / PT_PAGE_BYTES);
		pages_str(b, sizeof(b), mn / PT_PAGE_BYTES);
		pages_str(cc, sizeof(cc), mx / PT_PAGE_BYTES);
		{
			char meas[96], devs[64];

			snprintf(meas, sizeof(meas), "%s (%s..%s)", a, b, cc);
			snprintf(devs, sizeof(devs), "%+.1f (%+.1f%%)", dev / PT_PAGE_BYTES, pct);
			fprintf(out, "  %8.0f  %24s  %10llu  %10llu  %9s  %18s  %s\n", procs, meas,
			       (unsigned long long)sh.total_pages, (unsigned long long)u.total_pages,
			       shares ? "shared" : "unshared", devs,
			       isnan(mn) || isnan(mx) ? "-" : (expect >= mn && expect <= mx ? "yes" : "no"));
		}
		xs[npts] = procs;
		ys[npts] = med;
		mu[npts] = (double)u.total_bytes;
		ms[npts] = (double)sh.total_bytes;
		npts++;

		snprintf(id, sizeof(id), "%s procs=%.0f", name, procs);
		cs = results_case(rd, id);
		json_set(case_params(cs), "source", json_str(name));
		json_set(case_params(cs), "procs", json_int((int64_t)procs));
		o = case_observations(cs);
		json_set(o, "measured_median_bytes", json_num(med));
		json_set(o, "measured_min_bytes", json_num(mn));
		json_set(o, "measured_max_bytes", json_num(mx));
		json_set(o, "model_shared_bytes", json_int((int64_t)sh.total_bytes));
		json_set(o, "model_unshared_bytes", json_int((int64_t)u.total_bytes));
		json_set(o, "expected_model", json_str(shares ? "shared" : "unshared"));
		json_set(o, "deviation_bytes", json_num(dev));
		json_set(o, "deviation_pct", json_num(pct));
		json_set(o, "model_within_min_max", isnan(mn) || isnan(mx) ? json_null() : json_bool(expect >= mn && expect <= mx));
	}
	fm = line_fit(xs, ys, npts);
	fu = line_fit(xs, mu, npts);
	fs = line_fit(xs, ms, npts);
	if (fm.ok) {
		const char *closer = fs.slope == fu.slope ? "both models have the same slope here" :
				     fabs(fm.slope - fs.slope) < fabs(fm.slope - fu.slope) ? "closer to the shared model" :
				     "closer to the unshared model";

		fprintf(out, "  line through the medians (Theil-Sen): %.0f bytes (%.2f pages) per added process, %+.0f bytes at 0;\n"
		       "  model: shared %.0f, unshared %.0f bytes per added process: %s\n",
		       fm.slope, fm.slope / PT_PAGE_BYTES, fm.intercept, fs.slope, fu.slope, closer);
	}
	if (recorded_differs)
		fprintf(out, "  note: the model recorded in the document differs from this version's model\n");
	fprintf(out, "\n");
	free(xs);
	free(ys);
	free(mu);
	free(ms);
	return (int)npts;
}

static int compare_from(struct model_state *s, struct result_doc *rd)
{
	struct json *params = results_section(rd, "parameters"), *from = json_arr();
	double worst = 0;
	int docs = 0;

	for (size_t i = 0; i < s->nfrom; i++)
		json_push(from, json_str(s->from[i]));
	json_set(params, "from", from);
	for (size_t i = 0; i < s->nfrom; i++) {
		struct rs_set set;
		char err[1024];

		if (rs_load(s->from[i], &set, err, sizeof(err)) < 0)
			die("model: %s", err);
		for (size_t r = 0; r < set.nruns; r++) {
			const struct json *doc = set.runs[r].doc;
			const char *b = doc ? json_get_string(doc, "benchmark") : NULL;
			char *name;

			if (!b || strcmp(b, "pgtable"))
				continue;
			name = xasprintf("%s%s%s", set.nruns > 1 || !set.runs[r].path ? set.path : set.runs[r].path,
					 set.nruns > 1 ? "/" : "", set.nruns > 1 ? set.runs[r].name : "");
			if (from_doc(name, doc, rd, &worst) > 0)
				docs++;
			free(name);
		}
		rs_free(&set);
	}
	if (!docs)
		die("model: no pgtable results with PageTables medians in %s%s: give a pgtable result document or a directory from harness/run",
		    s->from[0], s->nfrom > 1 ? " ..." : "");
	fprintf(out, "largest deviation of a median from the expected model: %+.1f%%\n", worst);
	json_set(params, "largest_deviation_pct", json_num(worst));
	return EXIT_OK;
}

static int model_run(struct common_opts *c, void *state, struct result_doc *rd)
{
	struct model_state *s = state;
	int rc;

	out = c->out.quiet ? fopen("/dev/null", "w") : stdout;
	if (!out)
		out = stdout;
	rc = s->nfrom ? compare_from(s, rd) : project(c, s, rd);
	if (out != stdout)
		fclose(out);
	free(s->from);
	return rc;
}

const struct bench bench_model = {
	.name = "model",
	.summary = "the page-table cost model for any configuration, and measured results against it",
	.description =
		"Projects page-table memory for N processes each mapping SIZE of one file, with\n"
		"and without PMD sharing, from the cost model the pgtable benchmark checks\n"
		"against (x86-64: 513 pages per GiB per process at 4K, one PMD page per GiB at\n"
		"2M, none at 1G, plus each process's PUD pages; shared: the PMD and PTE pages of\n"
		"whole aligned 1 GiB regions once).  No memory is mapped, so configurations far\n"
		"larger than this machine are fine, e.g.\n"
		"  ptshare model --procs 10000 --size 6T --page-size 2M\n"
		"With --from, measured pgtable results are compared with the model instead: per\n"
		"case the deviation of the median from the model the kernel should follow, and\n"
		"the measured bytes per added process against both models' slopes, e.g.\n"
		"  ptshare model --from results/LABEL",
	.common = OPTS_PLACEMENT | OPTS_OUTPUT,
	.opts = model_opts,
	.state_size = sizeof(struct model_state),
	.defaults = model_defaults,
	.parse = model_parse,
	.check = model_check,
	.run = model_run,
};
PTSHARE_BENCHMARK(bench_model);
