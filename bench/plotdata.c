// SPDX-License-Identifier: GPL-2.0-only
/*
 * plotdata: gnuplot input for harness/plot.  For each plot the data allow,
 * STEM.dat holds one block per line (blocks separated by two blank lines,
 * gnuplot's "index"), STEM.gpvars the variables the script in
 * harness/plot.d/ reads (data file, title, axis labels, line titles), and
 * plots.tsv lists "script<TAB>stem<TAB>title" for harness/plot.
 *
 * Plots, each made only when its data exist:
 *   pgtable   page-table memory (PageTables, median with min..max) versus
 *             processes, one plot per run name, one line per result set
 *             (and its backing), with the cost model unshared and shared
 *             and the ideal single copy, from the first set's document.
 *   cdf       page-fault latency CDF per attach rank (ptshare fault:
 *             cases "procs=N,rank=first|later", the repetitions'
 *             histograms merged), at the largest process count.
 *   xy        time versus a parameter, one plot per run name: fork and
 *             exit versus the mapping size (at the largest process
 *             count; exit: exit_all_reaped_ns of teardown=exit and
 *             munmap_all_ns of teardown=munmap), migrate versus the
 *             number of mappers; a line per set (and backing), other
 *             case parameter and metric.
 */
#include "config.h"

#include "report.h"
#include "json.h"
#include "resultset.h"
#include "units.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct plot_out {
	const char *dir;
	FILE *list;
	int count;
};

static FILE *open_in(const char *dir, const char *stem, const char *ext, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s.%s", dir, stem, ext);
	FILE *f = fopen(path, "w");

	if (!f)
		errf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	free(path);
	return f;
}

/* A gnuplot string literal (double quotes: backslash escapes). */
static void gp_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('"', f);
}

static void gp_var(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s = ", name);
	gp_str(f, value);
	fputc('\n', f);
}

/*
 * The variables every script of harness/plot.d reads: the data file, the
 * title, the axis labels and one line title per data block.
 */
static void gp_header(FILE *f, const char *stem, const char *title, const char *xlab, const char *ylab,
		      char *const *titles, size_t n)
{
	fprintf(f, "datafile = \"%s.dat\"\n", stem);
	gp_var(f, "plot_title", title);
	gp_var(f, "xlab", xlab);
	gp_var(f, "ylab", ylab);
	fprintf(f, "nseries = %zu\narray titles[%zu] = [", n, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		gp_str(f, titles[i]);
	}
	fputs(n ? "]\n" : "\"\"]\n", f);
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The sets in plotting order: the baseline first, then the others in order. */
static size_t set_at(const struct plot_opts *o, size_t step)
{
	return step == 0 ? o->baseline : step <= o->baseline ? step - 1 : step;
}

/*
 * File names from run names: the run name when it starts with the
 * benchmark's name ("pgtable-2M"), else "BENCH-NAME"; then @suffix.
 * Letters, digits, '-', '_' and '.' are kept, others become '_'.
 */
static char *stem_of(const char *bench, const char *name, const char *suffix)
{
	char *s = strncmp(name, bench, strlen(bench)) ? xasprintf("%s-%s%s", bench, name, suffix)
						      : xasprintf("%s%s", name, suffix);

	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			*p = '_';
	return s;
}

static int finish_plot(struct plot_out *po, const char *script, const char *stem, const char *title)
{
	fprintf(po->list, "%s\t%s\t%s\n", script, stem, title);
	po->count++;
	return 0;
}

static const char *backing_of(const struct json *doc)
{
	const char *k = json_get_string(json_get(doc, "backing"), "kind");

	return k ? k : "?";
}

static double page_size_of(const struct json *doc)
{
	double v = NAN;

	json_get_number(json_get(doc, "parameters"), "page_size_bytes", &v);
	return v;
}

static const char *size_label(double bytes, char *buf, size_t len)
{
	return isnan(bytes) || bytes < 0 ? "?" : format_size((uint64_t)bytes, buf, len);
}

/* Union of run names of a benchmark across sets, first appearance order. */
static size_t run_names(struct rs_set *sets, size_t n, const char *bench, const char ***out)
{
	const char **names = NULL;
	size_t nn = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t r = 0; r < sets[i].nruns; r++) {
			const struct rs_run *run = &sets[i].runs[r];
			const char *b = run->doc ? json_get_string(run->doc, "benchmark") : NULL;
			bool seen = false;

			if (!b || strcmp(b, bench))
				continue;
			for (size_t k = 0; k < nn; k++)
				seen |= !strcmp(names[k], run->name);
			if (!seen) {
				names = xrealloc(names, (nn + 1) * sizeof(*names));
				names[nn++] = run->name;
			}
		}
	*out = names;
	return nn;
}

static double case_param(const struct json *kase, const char *key)
{
	double v = NAN;

	json_get_number(json_get(kase, "params"), key, &v);
	return v;
}

static double metric_stat(const struct json *kase, const char *metric, const char *stat)
{
	double v = NAN;

	json_get_number(json_get(json_get(kase, "metrics"), metric), stat, &v);
	return v;
}

/* ---- page-table memory versus processes --------------------------------- */

static int plot_pgtable(struct rs_set *sets, size_t n, const struct plot_opts *o, struct plot_out *po,
			char *err, size_t errlen)
{
	const char **names;
	size_t nn = run_names(sets, n, "pgtable", &names);
	int rc = 0;

	for (size_t k = 0; k < nn && !rc; k++) {
		char *stem = stem_of("pgtable", names[k], ""), *title;
		char **titles = xcalloc(n, sizeof(*titles));
		const struct json *model_doc = NULL;
		size_t nseries = 0, dropped = 0;
		FILE *dat = open_in(o->out_dir, stem, "dat", err, errlen), *vars;
		char sz[32], ps[32];

		if (!dat) {
			rc = -1;
			goto next;
		}
		fprintf(dat, "# page-table memory of run %s: procs, PageTables median, min, max (bytes)\n", names[k]);
		/* The baseline first, so its line and model come first. */
		for (size_t step = 0; step < n; step++) {
			size_t i = set_at(o, step);
			const struct rs_run *run = rs_find(&sets[i], names[k]);
			const struct json *cases;

			if (!run || !run->doc)
				continue;
			if (!model_doc)
				model_doc = run->doc;
			cases = json_get(run->doc, "cases");
			titles[nseries] = xasprintf("%s (%s)", sets[i].label, backing_of(run->doc));
			if (nseries)
				fputs("\n\n", dat);
			fprintf(dat, "# %s\n", titles[nseries]);
			for (size_t c = 0; c < json_len(cases); c++) {
				const struct json *kase = json_at(cases, c);
				double procs = case_param(kase, "procs");
				double med = metric_stat(kase, "pt_meminfo_bytes", "median");
				double mn = metric_stat(kase, "pt_meminfo_bytes", "min");
				double mx = metric_stat(kase, "pt_meminfo_bytes", "max");

				if (isnan(procs) || isnan(med))
					continue;
				if (med <= 0) {
					/* a log axis cannot show it; say so rather than invent a value */
					fprintf(dat, "# procs=%g: median %g bytes is not drawn on a log axis\n", procs, med);
					dropped++;
					continue;
				}
				fprintf(dat, "%g %.17g %.17g %.17g\n", procs, med, mn > 0 ? mn : med, mx);
			}
			nseries++;
		}
		if (!nseries || !model_doc) {
			fclose(dat);
			goto next;
		}
		/* The model block: procs, unshared, shared, one copy (one process's tables). */
		fputs("\n\n# model: procs, unshared bytes, shared bytes, one copy bytes\n", dat);
		{
			const struct json *cases = json_get(model_doc, "cases");

			for (size_t c = 0; c < json_len(cases); c++) {
				const struct json *kase = json_at(cases, c), *obs = json_get(kase, "observations");
				double procs = case_param(kase, "procs"), un = NAN, sh = NAN;

				json_get_number(obs, "model_unshared_bytes", &un);
				json_get_number(obs, "model_shared_bytes", &sh);
				if (isnan(procs) || isnan(un) || procs < 1)
					continue;
				fprintf(dat, "%g %.17g %.17g %.17g\n", procs, un, isnan(sh) ? un : sh, un / procs);
			}
		}
		fclose(dat);
		vars = open_in(o->out_dir, stem, "gpvars", err, errlen);
		if (!vars) {
			rc = -1;
			goto next;
		}
		title = xasprintf("Page-table memory, %s: %s per process at %s pages", names[k],
				  size_label(json_number(json_get(json_get(model_doc, "parameters"), "size_bytes")),
					     sz, sizeof(sz)),
				  size_label(page_size_of(model_doc), ps, sizeof(ps)));
		gp_header(vars, stem, title, "processes mapping the file",
			  "page-table memory (bytes, PageTables delta; bars: min..max)", titles, nseries);
		fprintf(vars, "dropped = %zu\n", dropped);
		fclose(vars);
		finish_plot(po, "pgtable.gp", stem, title);
		free(title);
next:
		free_strings(titles, nseries);
		free(stem);
	}
	free(names);
	return rc;
}

/* ---- fault latency CDFs per attach rank ----------------------------------- */

struct bucket {
	double lo, hi, count;
};

static int cmp_bucket(const void *a, const void *b)
{
	double x = ((const struct bucket *)a)->lo, y = ((const struct bucket *)b)->lo;

	return x < y ? -1 : x > y;
}

/* Merge the histograms of a case's repetitions; returns the bucket count. */
static size_t merged_buckets(const struct json *kase, struct bucket **out)
{
	const struct json *reps = json_get(kase, "repetitions");
	struct bucket *b = NULL;
	size_t nb = 0;

	for (size_t r = 0; r < json_len(reps); r++) {
		const struct json *list = json_get_path(json_at(reps, r), "histogram.buckets_lo_hi_count");

		for (size_t i = 0; i < json_len(list); i++) {
			const struct json *e = json_at(list, i);
			double lo = json_number(json_at(e, 0)), hi = json_number(json_at(e, 1));
			double cnt = json_number(json_at(e, 2));
			size_t k;

			if (isnan(lo) || isnan(cnt))
				continue;
			if (isnan(hi))
				hi = lo * 2;	/* the open-ended last bucket */
			for (k = 0; k < nb; k++)
				if (b[k].lo == lo)
					break;
			if (k == nb) {
				b = xrealloc(b, (nb + 1) * sizeof(*b));
				b[nb++] = (struct bucket){ lo, hi, 0 };
			}
			b[k].count += cnt;
		}
	}
	if (nb)
		qsort(b, nb, sizeof(*b), cmp_bucket);
	*out = b;
	return nb;
}

static int plot_fault(struct rs_set *sets, size_t n, const struct plot_opts *o, struct plot_out *po,
		      char *err, size_t errlen)
{
	static const char *const ranks[] = { "first", "later" };
	const char **names;
	size_t nn = run_names(sets, n, "fault", &names);
	int rc = 0;

	for (size_t k = 0; k < nn && !rc; k++) {
		char *stem = stem_of("fault", names[k], "-cdf"), *title = NULL;
		char **titles = NULL;
		size_t nseries = 0;
		double maxprocs = 0;
		FILE *dat, *vars;

		/* The largest process count with cases in any set. */
		for (size_t i = 0; i < n; i++) {
			const struct rs_run *run = rs_find(&sets[i], names[k]);
			const struct json *cases = run && run->doc ? json_get(run->doc, "cases") : NULL;

			for (size_t c = 0; c < json_len(cases); c++) {
				double p = case_param(json_at(cases, c), "procs");

				if (p > maxprocs)
					maxprocs = p;
			}
		}
		dat = open_in(o->out_dir, stem, "dat", err, errlen);
		if (!dat) {
			rc = -1;
			free(stem);
			break;
		}
		fprintf(dat, "# fault latency CDF of run %s at procs=%g: latency (ns, bucket upper bound), fraction\n",
			names[k], maxprocs);
		for (size_t step = 0; step < n; step++) {
			size_t i = set_at(o, step);
			const struct rs_run *run = rs_find(&sets[i], names[k]);

			if (!run || !run->doc)
				continue;
			for (size_t r = 0; r < ARRAY_SIZE(ranks); r++) {
				char id[64];
				const struct json *kase;
				struct bucket *b;
				size_t nb;
				double total = 0, cum = 0;

				snprintf(id, sizeof(id), "procs=%g,rank=%s", maxprocs, ranks[r]);
				kase = rs_case(run->doc, id);
				if (!kase)
					continue;
				nb = merged_buckets(kase, &b);
				for (size_t j = 0; j < nb; j++)
					total += b[j].count;
				if (!total) {
					free(b);
					continue;
				}
				titles = xrealloc(titles, (nseries + 1) * sizeof(*titles));
				titles[nseries] = xasprintf("%s (%s), rank %s", sets[i].label, backing_of(run->doc), ranks[r]);
				fprintf(dat, "%s# %s: %.0f faults\n", nseries ? "\n\n" : "", titles[nseries], total);
				fprintf(dat, "%.17g 0\n", b[0].lo > 0 ? b[0].lo : 1);
				for (size_t j = 0; j < nb; j++) {
					cum += b[j].count;
					fprintf(dat, "%.17g %.17g\n", b[j].hi, cum / total);
				}
				nseries++;
				free(b);
			}
		}
		fclose(dat);
		if (nseries) {
			vars = open_in(o->out_dir, stem, "gpvars", err, errlen);
			if (!vars) {
				rc = -1;
			} else {
				title = xasprintf("Page-fault latency CDF by attach rank, %s, %g processes", names[k], maxprocs);
				gp_header(vars, stem, title, "latency of one touch (ns, log scale)",
					  "fraction of touches at or below", titles, nseries);
				fclose(vars);
				finish_plot(po, "cdf.gp", stem, title);
				free(title);
			}
		}
		free_strings(titles, nseries);
		free(stem);
	}
	free(names);
	return rc;
}

/* ---- time versus a parameter: fork, exit, migrate --------------------------- */

struct xy_spec {
	const char *bench;
	const char *xkeys[2];	/* case parameter (or document parameter) for x, first found */
	const char *metrics[4];	/* y: these metrics; "name@key=value": only in cases with that parameter */
	const char *title, *xlab;
	bool xbytes;
	const char *stem_suffix;	/* file name: RUN and this */
};

static const struct xy_spec xy_specs[] = {
	{ "fork", { "size_bytes", NULL }, { "fork_ns", "child_touch_ns", "child_exit_ns", NULL },
	  "Fork time versus mapping size", "mapping size (bytes)", true, "-vs-size" },
	{ "exit", { "size_bytes", NULL }, { "exit_all_reaped_ns@teardown=exit", "munmap_all_ns@teardown=munmap", NULL },
	  "Exit time versus mapping size", "mapping size (bytes)", true, "-vs-size" },
	{ "migrate", { "procs", NULL }, { "move_ns", NULL },
	  "Migration time versus number of mappers", "processes mapping the pages", false, "-vs-mappers" },
};

struct point {
	double x, med, mn, mx;
};

struct series {
	char *key;
	struct point *p;
	size_t n;
};

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct point *)a)->x, y = ((const struct point *)b)->x;

	return x < y ? -1 : x > y;
}

static double x_of(const struct json *doc, const struct json *kase, const struct xy_spec *sp, const char **key)
{
	for (size_t i = 0; i < ARRAY_SIZE(sp->xkeys) && sp->xkeys[i]; i++) {
		double v = case_param(kase, sp->xkeys[i]);

		if (isnan(v))
			json_get_number(json_get(doc, "parameters"), sp->xkeys[i], &v);
		if (!isnan(v)) {
			*key = sp->xkeys[i];
			return v;
		}
	}
	return NAN;
}

/* A metric entry of a spec: "name", or "name@key=value" for cases with that parameter. */
static bool entry_matches(const char *entry, const char *metric, const struct json *kase, const char **filter_key)
{
	const char *at = strchr(entry, '@');
	size_t len = at ? (size_t)(at - entry) : strlen(entry);
	const char *eq, *v;
	char key[64];

	*filter_key = NULL;
	if (strlen(metric) != len || strncmp(entry, metric, len))
		return false;
	if (!at)
		return true;
	eq = strchr(at, '=');
	if (!eq || (size_t)(eq - at - 1) >= sizeof(key))
		return false;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - at - 1), at + 1);
	v = json_get_string(json_get(kase, "params"), key);
	*filter_key = at + 1;
	return v && !strcmp(v, eq + 1);
}

/* Which listed entry a case's metric is drawn for, or -1. */
static int drawn_entry(const struct xy_spec *sp, const char *metric, const struct json *kase, const char **filter_key)
{
	for (size_t i = 0; i < ARRAY_SIZE(sp->metrics) && sp->metrics[i]; i++)
		if (entry_matches(sp->metrics[i], metric, kase, filter_key))
			return (int)i;
	return -1;
}

/* The series a case's metric belongs to: set and backing, the other case parameters, metric. */
static char *series_key(const char *label, const struct json *doc, const struct json *kase, const char *metric)
{
	const struct json *params = json_get(kase, "params");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fprintf(f, "%s (%s)", label, backing_of(doc));
	for (size_t i = 0; params && i < params->n; i++) {
		char *v;

		/* x and the process count are the same for the whole plot */
		if (!strcmp(params->keys[i], "size_bytes") || !strcmp(params->keys[i], "procs"))
			continue;
		v = params->items[i]->type == JSON_STRING ? xstrdup(params->items[i]->s)
							   : json_to_string(params->items[i], 0);
		fprintf(f, " %s=%s", params->keys[i], v);
		free(v);
	}
	fprintf(f, " %s", metric);
	fclose(f);
	return out;
}

/*
 * One plot per run name of the benchmark: x from the spec's parameter, a
 * line per set (and other case parameter, and metric).  When x is not the
 * process count, only the cases with the largest process count are drawn.
 */
static int plot_xy(struct rs_set *sets, size_t n, const struct xy_spec *sp, const struct plot_opts *o,
		   struct plot_out *po, char *err, size_t errlen)
{
	const char **names;
	size_t nn = run_names(sets, n, sp->bench, &names);
	int rc = 0;

	for (size_t k = 0; k < nn && !rc; k++) {
		struct series *ser = NULL;
		size_t nser = 0;
		double maxprocs = NAN, page = NAN;
		bool by_procs = !strcmp(sp->xkeys[0], "procs");

		for (size_t i = 0; i < n && !by_procs; i++) {
			const struct rs_run *run = rs_find(&sets[i], names[k]);
			const struct json *cases = run && run->doc ? json_get(run->doc, "cases") : NULL;

			for (size_t c = 0; c < json_len(cases); c++) {
				double p = case_param(json_at(cases, c), "procs");

				if (!isnan(p) && (isnan(maxprocs) || p > maxprocs))
					maxprocs = p;
			}
		}
		for (size_t step = 0; step < n; step++) {
			size_t i = set_at(o, step);
			const struct rs_run *run = rs_find(&sets[i], names[k]);
			const struct json *doc = run ? run->doc : NULL, *cases;

			if (!doc)
				continue;
			if (isnan(page))
				page = page_size_of(doc);
			cases = json_get(doc, "cases");
			for (size_t c = 0; c < json_len(cases); c++) {
				const struct json *kase = json_at(cases, c), *metrics = json_get(kase, "metrics");
				const char *xkey = NULL;
				double x = x_of(doc, kase, sp, &xkey), p = case_param(kase, "procs");

				if (isnan(x) || (!isnan(maxprocs) && p != maxprocs))
					continue;
				for (size_t m = 0; metrics && m < metrics->n; m++) {
					const char *name = metrics->keys[m], *fkey;
					double med = metric_stat(kase, name, "median");
					char *key;
					size_t s;

					if (isnan(med) || drawn_entry(sp, name, kase, &fkey) < 0)
						continue;
					key = series_key(sets[i].label, doc, kase, name);
					for (s = 0; s < nser; s++)
						if (!strcmp(ser[s].key, key))
							break;
					if (s == nser) {
						ser = xrealloc(ser, (nser + 1) * sizeof(*ser));
						ser[nser++] = (struct series){ .key = key };
					} else {
						free(key);
					}
					ser[s].p = xrealloc(ser[s].p, (ser[s].n + 1) * sizeof(*ser[s].p));
					ser[s].p[ser[s].n++] = (struct point){ x, med, metric_stat(kase, name, "min"),
									       metric_stat(kase, name, "max") };
				}
			}
		}
		if (nser) {
			char *stem = stem_of(sp->bench, names[k], sp->stem_suffix), *title;
			char **titles = xcalloc(nser, sizeof(*titles));
			FILE *dat = open_in(o->out_dir, stem, "dat", err, errlen), *vars = NULL;
			char ps[32], procs[64] = "";

			if (dat)
				vars = open_in(o->out_dir, stem, "gpvars", err, errlen);
			if (!dat || !vars) {
				rc = -1;
			} else {
				fprintf(dat, "# %s, %s: x, median, min, max (ns)\n", sp->title, names[k]);
				for (size_t s = 0; s < nser; s++) {
					qsort(ser[s].p, ser[s].n, sizeof(*ser[s].p), cmp_point);
					fprintf(dat, "%s# %s\n", s ? "\n\n" : "", ser[s].key);
					for (size_t j = 0; j < ser[s].n; j++)
						fprintf(dat, "%.17g %.17g %.17g %.17g\n", ser[s].p[j].x, ser[s].p[j].med,
							isnan(ser[s].p[j].mn) ? ser[s].p[j].med : ser[s].p[j].mn,
							isnan(ser[s].p[j].mx) ? ser[s].p[j].med : ser[s].p[j].mx);
					titles[s] = ser[s].key;
				}
				if (!isnan(maxprocs))
					snprintf(procs, sizeof(procs), ", %g process%s", maxprocs, maxprocs == 1 ? "" : "es");
				title = xasprintf("%s, %s: %s pages%s", sp->title, names[k],
						  size_label(page, ps, sizeof(ps)), procs);
				gp_header(vars, stem, title, sp->xlab, "time (median; bars: min..max)", titles, nser);
				fprintf(vars, "xbytes = %d\n", sp->xbytes);
				finish_plot(po, "xy.gp", stem, title);
				free(title);
			}
			if (dat)
				fclose(dat);
			if (vars)
				fclose(vars);
			free(titles);
			free(stem);
		}
		for (size_t s = 0; s < nser; s++) {
			free(ser[s].key);
			free(ser[s].p);
		}
		free(ser);
	}
	free(names);
	return rc;
}

int plot_data(struct rs_set *sets, size_t n, const struct plot_opts *o, char *err, size_t errlen)
{
	struct plot_out po = { .dir = o->out_dir };
	int rc;

	po.list = open_in(o->out_dir, "plots", "tsv", err, errlen);
	if (!po.list)
		return -1;
	rc = plot_pgtable(sets, n, o, &po, err, errlen);
	if (!rc)
		rc = plot_fault(sets, n, o, &po, err, errlen);
	for (size_t i = 0; i < ARRAY_SIZE(xy_specs) && !rc; i++)
		rc = plot_xy(sets, n, &xy_specs[i], o, &po, err, errlen);
	if (fclose(po.list) != 0 && !rc)
		rc = errf(err, errlen, "cannot write %s/plots.tsv: %s", o->out_dir, strerror(errno));
	return rc < 0 ? -1 : po.count;
}
