// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare: the comparison table of ptreport compare (harness/compare).
 * Rows are built once from the result sets, then written as text,
 * Markdown, CSV or JSON.  Nothing is filled in for a set that lacks a
 * run, case or metric: such cells say "missing", runs that did not finish
 * say their manifest status.
 */
#include "config.h"

#include "report.h"
#include "json.h"
#include "resultset.h"
#include "stats.h"
#include "util.h"

#include <fnmatch.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum cell_state { CELL_VALUES, CELL_MISSING, CELL_EMPTY, CELL_STATUS };

struct cell {
	enum cell_state state;
	const char *status;	/* why there are no values / the run's status */
	size_t n;
	struct summary s;
	double ci_lo, ci_hi;
	double chg_median, chg_mean;	/* percent against the baseline; NaN if none */
	bool tested, significant;
	double p, statistic, df;
	int verdict;		/* +1 better, -1 worse, 0 neither (or not significant) */
};

struct row {
	const char *run, *benchmark, *kase, *metric, *unit, *better;
	struct cell *cells;
};

struct table_rows {
	struct row *v;
	size_t n;
};

static const char *const stat_names[] = { "n", "median", "mean", "stddev", "min", "max", "ci95", "p" };

int compare_parse_stats(const char *list, unsigned *mask, char *err, size_t errlen)
{
	char *copy = xstrdup(list), *tok, *save = NULL;

	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		if (!strcmp(tok, "all")) {
			*mask = STAT_ALL;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(stat_names); i++)
			if (!strcmp(tok, stat_names[i]))
				break;
		if (i == ARRAY_SIZE(stat_names)) {
			errf(err, errlen, "unknown statistic '%s' in --stats (use n, median, mean, stddev, min, max, ci95, p or all)",
			     tok);
			free(copy);
			return -1;
		}
		*mask |= 1u << i;
	}
	free(copy);
	if (!*mask)
		return errf(err, errlen, "--stats needs at least one statistic");
	return 0;
}

/* ---- building the rows ------------------------------------------------- */

static void add_name(const char ***list, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], name))
			return;
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = name;
}

static double pct_change(double base, double v)
{
	if (isnan(base) || isnan(v))
		return NAN;
	if (base == 0)
		return v == 0 ? 0 : NAN;
	return (v - base) / fabs(base) * 100;
}

static void fill_cell(struct cell *c, const struct rs_run *run, const char *kase, const char *metric,
		      double **vals)
{
	const struct json *k;
	long n;

	memset(c, 0, sizeof(*c));
	c->chg_median = c->chg_mean = c->p = c->statistic = c->df = NAN;
	c->ci_lo = c->ci_hi = NAN;
	*vals = NULL;
	if (!run) {
		c->state = CELL_MISSING;
		c->status = "missing";
		return;
	}
	if (!run->doc) {
		c->state = CELL_STATUS;
		c->status = run->status;
		return;
	}
	k = rs_case(run->doc, kase);
	if (!k) {
		c->state = CELL_MISSING;
		c->status = "missing";
		return;
	}
	n = rs_values(k, metric, vals);
	if (n < 0) {
		c->state = CELL_MISSING;
		c->status = "missing";
		return;
	}
	if (n == 0) {
		c->state = CELL_EMPTY;
		c->status = "no values";
		return;
	}
	c->state = CELL_VALUES;
	c->status = run->status;
	c->n = (size_t)n;
	summarize(*vals, c->n, &c->s);
	mean_ci(*vals, c->n, 0.95, &c->ci_lo, &c->ci_hi);
}

static void test_cell(struct cell *c, const struct cell *base, const double *bv, const double *v,
		      const struct compare_opts *o, bool higher_better)
{
	if (c->state != CELL_VALUES || base->state != CELL_VALUES)
		return;
	c->chg_median = pct_change(base->s.median, c->s.median);
	c->chg_mean = pct_change(base->s.mean, c->s.mean);
	if (o->test == TEST_WELCH) {
		struct ttest t;

		if (welch_ttest(bv, base->n, v, c->n, &t) == 0) {
			c->tested = true;
			c->p = t.p;
			c->statistic = t.t;
			c->df = t.df;
		}
	} else {
		struct mwu u;

		if (mann_whitney(bv, base->n, v, c->n, &u) == 0) {
			c->tested = true;
			c->p = u.p;
			c->statistic = u.u;
		}
	}
	c->significant = c->tested && c->p < o->alpha;
	if (c->significant) {
		double d = c->s.median != base->s.median ? c->s.median - base->s.median : c->s.mean - base->s.mean;

		c->verdict = d == 0 ? 0 : (d < 0) != higher_better ? 1 : -1;
	}
}

/* One row: a metric of a case of a run, a cell per set (absent metrics included). */
static void add_row(struct table_rows *t, struct rs_set *sets, size_t nsets, const struct compare_opts *o,
		    struct rs_run **runs, const char *run, const char *bench, const char *kase, const char *metric)
{
	struct row *row;
	double **vals;
	bool higher, any = false;

	(void)sets;
	for (size_t i = 0; i < nsets && !any; i++) {
		const struct json *k = runs[i] && runs[i]->doc ? rs_case(runs[i]->doc, kase) : NULL;

		any = json_get(json_get(k, "metrics"), metric) != NULL;
	}
	if (!any)
		return;		/* this case has no such metric anywhere */
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	row = &t->v[t->n++];
	memset(row, 0, sizeof(*row));
	row->run = run;
	row->benchmark = bench;
	row->kase = kase;
	row->metric = metric;
	row->cells = xcalloc(nsets, sizeof(*row->cells));
	vals = xcalloc(nsets, sizeof(*vals));
	for (size_t i = 0; i < nsets; i++) {
		const struct json *m;

		fill_cell(&row->cells[i], runs[i], kase, metric, &vals[i]);
		if (row->unit || !runs[i] || !runs[i]->doc)
			continue;
		m = json_get(json_get(rs_case(runs[i]->doc, kase), "metrics"), metric);
		if (m) {
			row->unit = json_get_string(m, "unit");
			row->better = json_get_string(m, "better");
		}
	}
	higher = row->better && !strcmp(row->better, "higher");
	for (size_t i = 0; i < nsets; i++)
		if (i != o->baseline)
			test_cell(&row->cells[i], &row->cells[o->baseline], vals[o->baseline], vals[i], o, higher);
	for (size_t i = 0; i < nsets; i++)
		free(vals[i]);
	free(vals);
}

static int build_rows(struct rs_set *sets, size_t nsets, const struct compare_opts *o, struct table_rows *t,
		      char *err, size_t errlen)
{
	const char **names = NULL;
	size_t nnames = 0;
	regex_t mre, rre;
	bool have_mre = false, have_rre = false;
	int rc = 0;
	/* the baseline's order first */
	size_t order[64];
	size_t norder = 0;

	memset(t, 0, sizeof(*t));
	if (o->metric_re) {
		if (regcomp(&mre, o->metric_re, REG_EXTENDED | REG_NOSUB))
			return errf(err, errlen, "--metric '%s' is not a valid extended regular expression", o->metric_re);
		have_mre = true;
	}
	if (o->run_re) {
		if (regcomp(&rre, o->run_re, REG_EXTENDED | REG_NOSUB)) {
			rc = errf(err, errlen, "--run '%s' is not a valid extended regular expression", o->run_re);
			goto out;
		}
		have_rre = true;
	}
	order[norder++] = o->baseline;
	for (size_t i = 0; i < nsets && norder < ARRAY_SIZE(order); i++)
		if (i != o->baseline)
			order[norder++] = i;
	for (size_t k = 0; k < norder; k++)
		for (size_t r = 0; r < sets[order[k]].nruns; r++)
			add_name(&names, &nnames, sets[order[k]].runs[r].name);

	for (size_t ni = 0; ni < nnames; ni++) {
		struct rs_run **runs = xcalloc(nsets, sizeof(*runs));
		const char **cases = NULL, *bench = NULL;
		size_t ncases = 0;

		if (have_rre && regexec(&rre, names[ni], 0, NULL, 0)) {
			free(runs);
			continue;
		}
		for (size_t i = 0; i < nsets; i++)
			runs[i] = rs_find(&sets[i], names[ni]);
		for (size_t k = 0; k < norder; k++) {
			const struct rs_run *r = runs[order[k]];
			const struct json *cs;

			if (!r || !r->doc)
				continue;
			if (!bench)
				bench = json_get_string(r->doc, "benchmark");
			cs = json_get(r->doc, "cases");
			for (size_t c = 0; c < json_len(cs); c++) {
				const char *id = json_get_string(json_at(cs, c), "id");

				if (id)
					add_name(&cases, &ncases, id);
			}
		}
		if (!ncases) {
			/* The run exists nowhere with a document: one row of statuses. */
			struct row *row;

			t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
			row = &t->v[t->n++];
			memset(row, 0, sizeof(*row));
			row->run = names[ni];
			row->cells = xcalloc(nsets, sizeof(*row->cells));
			for (size_t i = 0; i < nsets; i++) {
				double *v;

				fill_cell(&row->cells[i], runs[i], "", "", &v);
				free(v);
			}
		}
		{
			const char **metrics = NULL;
			size_t nmetrics = 0;

			/* One block per metric, its cases as rows. */
			for (size_t c = 0; c < ncases; c++)
				for (size_t k = 0; k < norder; k++) {
					const struct rs_run *r = runs[order[k]];
					const struct json *m;

					if (!r || !r->doc)
						continue;
					m = json_get(rs_case(r->doc, cases[c]), "metrics");
					for (size_t j = 0; m && j < m->n; j++)
						add_name(&metrics, &nmetrics, m->keys[j]);
				}
			for (size_t j = 0; j < nmetrics; j++) {
				if (have_mre && regexec(&mre, metrics[j], 0, NULL, 0))
					continue;
				for (size_t c = 0; c < ncases; c++)
					add_row(t, sets, nsets, o, runs, names[ni], bench, cases[c], metrics[j]);
			}
			free(metrics);
		}
		free(cases);
		free(runs);
	}
	free(names);
out:
	if (have_mre)
		regfree(&mre);
	if (have_rre)
		regfree(&rre);
	return rc;
}

static void free_rows(struct table_rows *t, size_t nsets)
{
	(void)nsets;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].cells);
	free(t->v);
}

/* ---- formatting ---------------------------------------------------------- */

static void fmt_num(char *b, size_t l, double v)
{
	if (isnan(v))
		snprintf(b, l, "-");
	else if (isinf(v))
		snprintf(b, l, v > 0 ? "inf" : "-inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(b, l, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(b, l, "%.1f", v);
	else
		snprintf(b, l, "%.4g", v);
}

static void fmt_p(char *b, size_t l, double p)
{
	if (isnan(p))
		snprintf(b, l, "-");
	else if (p < 0.0001)
		snprintf(b, l, "%.1e", p);
	else
		snprintf(b, l, "%.4f", p);
}

static const char *verdict_word(int v)
{
	return v > 0 ? "better" : v < 0 ? "worse" : "";
}

/* "24576 (  0.00%)" or, significant, "29491 * +20.00%*" (mmtests' marks). */
static void fmt_with_change(char *b, size_t l, double v, double chg, bool is_base, bool sig, bool md)
{
	char num[64], pct[32];

	fmt_num(num, sizeof(num), v);
	if (is_base) {
		snprintf(b, l, "%s (  0.00%%)", num);
		return;
	}
	if (isnan(chg)) {
		snprintf(b, l, "%s (    n/a)", num);
		return;
	}
	snprintf(pct, sizeof(pct), "%+.2f%%", chg);
	if (sig)
		snprintf(b, l, md ? "%s **%s**" : "%s *%7s*", num, pct);
	else
		snprintf(b, l, "%s (%7s)", num, pct);
}

static void stat_cell(char *b, size_t l, const struct cell *c, unsigned stat, bool is_base, bool md)
{
	char x[40], y[40];

	if (c->state != CELL_VALUES) {
		snprintf(b, l, stat == STAT_N || stat == STAT_MEDIAN ? "(%s)" : "", c->status);
		return;
	}
	switch (stat) {
	case STAT_N:
		snprintf(b, l, "%zu", c->n);
		break;
	case STAT_MEDIAN:
		fmt_with_change(b, l, c->s.median, c->chg_median, is_base, c->significant, md);
		break;
	case STAT_MEAN:
		fmt_with_change(b, l, c->s.mean, c->chg_mean, is_base, c->significant, md);
		break;
	case STAT_STDDEV:
		fmt_num(x, sizeof(x), c->s.stddev);
		if (c->s.mean != 0 && c->n > 1)
			snprintf(b, l, "%s (cov %.1f%%)", x, 100 * c->s.cov);
		else
			snprintf(b, l, "%s", x);
		break;
	case STAT_MIN:
		fmt_num(b, l, c->s.min);
		break;
	case STAT_MAX:
		fmt_num(b, l, c->s.max);
		break;
	case STAT_CI:
		if (isnan(c->ci_lo)) {
			snprintf(b, l, "- (n<2)");
		} else {
			fmt_num(x, sizeof(x), c->ci_lo);
			fmt_num(y, sizeof(y), c->ci_hi);
			snprintf(b, l, "[%s, %s]", x, y);
		}
		break;
	case STAT_P:
		if (is_base)
			snprintf(b, l, "(baseline)");
		else if (!c->tested)
			snprintf(b, l, "n/a%s", c->n < 2 ? " (n<2)" : "");
		else {
			fmt_p(x, sizeof(x), c->p);
			snprintf(b, l, "%s%s%s", x, c->verdict ? " " : "", verdict_word(c->verdict));
		}
		break;
	}
}

/* A grid of strings printed with aligned columns (text) or as a pipe table. */
struct grid {
	size_t ncols, nrows;
	char **cell;
};

static void grid_add(struct grid *g, char **cells)
{
	g->cell = xrealloc(g->cell, (g->nrows + 1) * g->ncols * sizeof(*g->cell));
	for (size_t i = 0; i < g->ncols; i++)
		g->cell[g->nrows * g->ncols + i] = xstrdup(cells[i] ? cells[i] : "");
	g->nrows++;
}

static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void grid_print(FILE *f, struct grid *g, bool md, size_t left_cols)
{
	size_t *w = xcalloc(g->ncols, sizeof(*w));

	for (size_t r = 0; r < g->nrows; r++)
		for (size_t c = 0; c < g->ncols; c++) {
			size_t l = strlen(g->cell[r * g->ncols + c]);

			w[c] = l > w[c] ? l : w[c];
		}
	for (size_t r = 0; r < g->nrows; r++) {
		for (size_t c = 0; c < g->ncols; c++) {
			const char *s = g->cell[r * g->ncols + c];

			if (md) {
				fputs(c ? " | " : "| ", f);
				md_cell(f, s);
			} else if (c < left_cols) {
				fprintf(f, "%s%-*s", c ? "  " : "", (int)w[c], s);
			} else {
				fprintf(f, "  %*s", (int)w[c], s);
			}
		}
		fputs(md ? " |\n" : "\n", f);
		if (md && r == 0) {
			for (size_t c = 0; c < g->ncols; c++)
				fputs(c < left_cols ? "| --- " : "| ---: ", f);
			fputs("|\n", f);
		}
	}
	for (size_t i = 0; i < g->nrows * g->ncols; i++)
		free(g->cell[i]);
	free(g->cell);
	free(w);
	g->cell = NULL;
	g->nrows = 0;
}

/* ---- metadata differences ---------------------------------------------- */

struct meta_diff {
	const char **keys;
	size_t n;
	size_t config_differs;	/* config options among them */
	bool *config_missing;	/* per set: no kernel config recorded */
};

static void meta_diff(struct rs_set *sets, size_t nsets, struct meta_diff *d)
{
	const char **keys = NULL;
	size_t nkeys = 0;
	bool any_config = false;

	memset(d, 0, sizeof(*d));
	d->config_missing = xcalloc(nsets, sizeof(bool));
	for (size_t i = 0; i < nsets; i++) {
		d->config_missing[i] = !rs_meta(&sets[i], "config");
		any_config |= !d->config_missing[i];
		for (size_t k = 0; k < sets[i].nmeta; k++)
			add_name(&keys, &nkeys, sets[i].meta[k].key);
	}
	for (size_t k = 0; k < nkeys; k++) {
		bool config = !strncmp(keys[k], "config.", 7), differs = false, always;
		const char *first = NULL;
		bool first_set = false;

		if (!strcmp(keys[k], "config"))
			continue;
		/* the kernel is always listed: the first thing a reader looks for */
		always = !strcmp(keys[k], "kernel_release");
		for (size_t i = 0; i < nsets; i++) {
			const char *v;

			if (config && d->config_missing[i])
				continue;	/* not recorded is not a difference of each option */
			v = rs_meta(&sets[i], keys[k]);
			if (!first_set) {
				first = v;
				first_set = true;
			} else if ((!first) != (!v) || (first && strcmp(first, v))) {
				differs = true;
			}
		}
		if (!differs && !always)
			continue;
		if (always && d->n) {
			/* first in the list */
			d->keys = xrealloc(d->keys, (d->n + 1) * sizeof(*d->keys));
			memmove(d->keys + 1, d->keys, d->n * sizeof(*d->keys));
			d->keys[0] = keys[k];
			d->n++;
			continue;
		}
		d->keys = xrealloc(d->keys, (d->n + 1) * sizeof(*d->keys));
		d->keys[d->n++] = keys[k];
		d->config_differs += config;
	}
	(void)any_config;
	free(keys);
}

#define MAX_CONFIG_SHOWN 40

static void print_header(FILE *f, struct rs_set *sets, size_t nsets, const struct compare_opts *o, bool md)
{
	struct meta_diff d;
	struct grid g = { .ncols = nsets + 1 };
	char **cells = xcalloc(nsets + 1, sizeof(*cells));
	size_t shown_config = 0;

	int label_width = 16;

	for (size_t i = 0; i < nsets; i++)
		if (strlen(sets[i].label) > (size_t)label_width)
			label_width = (int)strlen(sets[i].label);
	fprintf(f, md ? "## Comparison of %zu result sets\n\n" : "Comparison of %zu result sets\n", nsets);
	for (size_t i = 0; i < nsets; i++) {
		const char *base = i == o->baseline ? " (baseline)" : "";

		if (md)
			fprintf(f, "- `%s`: %s%s\n", sets[i].label, sets[i].path, base);
		else
			fprintf(f, "  %-*s %s%s\n", label_width, sets[i].label, sets[i].path, base);
	}
	fprintf(f, md ? "\nSignificance: %s, two-sided, alpha %g; a significant change of the median or mean is in **bold**%s.\n"
		      "Changes are signed (+ is larger than the baseline); \"better\"/\"worse\" follow each metric's direction.\n"
		      "The confidence interval is the 95 %% interval of the mean (Student t).\n"
		    : "\nSignificance: %s, two-sided, alpha %g; a significant change of the median or mean is printed\n"
		      "between stars (*  +5.00%%*)%s.  Changes are signed (+ is larger than the baseline);\n"
		      "\"better\"/\"worse\" follow each metric's direction.  ci95: 95 %% interval of the mean (Student t).\n",
		o->test == TEST_WELCH ? "Welch's t-test" : "Mann-Whitney U test",
		o->alpha, o->test == TEST_MWU ? " (with 3 values a side the smallest p is 0.1)" : "");
	if (o->no_meta) {
		free(cells);
		return;
	}
	meta_diff(sets, nsets, &d);
	fprintf(f, md ? "\n### Metadata that differs (and the kernel)\n\n" : "\nMetadata that differs between the sets (and the kernel):\n");
	cells[0] = "";
	for (size_t i = 0; i < nsets; i++)
		cells[i + 1] = sets[i].label;
	grid_add(&g, cells);
	for (size_t k = 0; k < d.n; k++) {
		bool config = !strncmp(d.keys[k], "config.", 7);

		if (config && ++shown_config > MAX_CONFIG_SHOWN)
			continue;
		cells[0] = (char *)d.keys[k];
		for (size_t i = 0; i < nsets; i++) {
			const char *v = rs_meta(&sets[i], d.keys[k]);

			cells[i + 1] = (char *)(config && d.config_missing[i] ? "(no config recorded)" : v ? v : "(none)");
		}
		grid_add(&g, cells);
	}
	grid_print(f, &g, md, 1);
	if (d.n <= 1)
		fprintf(f, "%snothing else differs: command line, config, sysctls, THP and hugetlb pools are the same as recorded\n",
			md ? "\n" : "  ");
	for (size_t i = 0; i < g.nrows * g.ncols; i++)
		free(g.cell[i]);
	free(g.cell);
	if (shown_config > MAX_CONFIG_SHOWN)
		fprintf(f, "%s... and %zu more config options (diff the sets' machine/kernel.config)\n",
			md ? "\n" : "  ", shown_config - MAX_CONFIG_SHOWN);
	for (size_t i = 0; i < nsets; i++)
		if (d.config_missing[i])
			fprintf(f, "%s%s: no kernel config recorded\n", md ? "\n" : "  ", sets[i].label);
	free(d.keys);
	free(d.config_missing);
	free(cells);
}

/* Per-run lines: the backing and status when they are not the same everywhere. */
static void print_run_header(FILE *f, struct rs_set *sets, size_t nsets, const char *name, bool md)
{
	char line[1024];
	const char *what[2] = { "backing", "status" };
	bool any_doc = false;

	for (size_t i = 0; i < nsets; i++) {
		const struct rs_run *r = rs_find(&sets[i], name);

		any_doc |= r && r->doc;
	}

	for (int w = 0; w < 2; w++) {
		bool differ = false, notok = false;
		const char *first = NULL;
		size_t len = 0;

		line[0] = '\0';
		for (size_t i = 0; i < nsets; i++) {
			const struct rs_run *r = rs_find(&sets[i], name);
			const char *v;

			if (!r)
				v = "missing";
			else if (w == 0)
				v = r->doc ? json_get_string(json_get(r->doc, "backing"), "kind") : NULL;
			else
				v = r->status;
			v = v ? v : "-";
			if (!first)
				first = v;
			differ |= strcmp(first, v) != 0;
			notok |= w == 1 && strcmp(v, "ok");
			len += snprintf(line + len, len < sizeof(line) ? sizeof(line) - len : 0, "%s%s=%s",
					i ? ", " : "", sets[i].label, v);
			if (len >= sizeof(line))
				len = sizeof(line) - 1;
		}
		if (w == 0 && !any_doc)
			continue;
		if ((w == 0 && (differ || nsets == 1)) || (w == 1 && notok))
			fprintf(f, md ? "%s: %s\n\n" : "  %s: %s\n", what[w], line);
		else if (w == 0 && first && strcmp(first, "-"))
			fprintf(f, md ? "backing: %s (all sets)\n\n" : "  backing: %s (all sets)\n", first);
	}
}

static void print_tables(FILE *f, struct rs_set *sets, size_t nsets, const struct compare_opts *o,
			 struct table_rows *t, bool md)
{
	struct grid g = { .ncols = nsets + 2 };
	char **cells = xcalloc(nsets + 2, sizeof(*cells));
	char (*buf)[128] = xcalloc(nsets, sizeof(*buf));
	const char *run = NULL, *metric = NULL, *kase = NULL;

	cells[0] = "case";
	cells[1] = "";
	for (size_t r = 0; r <= t->n; r++) {
		const struct row *row = r < t->n ? &t->v[r] : NULL;
		bool new_run = !row || !run || strcmp(row->run, run);
		bool new_metric = new_run || (row->metric && (!metric || strcmp(row->metric, metric)));

		if (new_metric && g.nrows) {
			grid_print(f, &g, md, 2);
			if (md)
				fputc('\n', f);
		}
		if (!row)
			break;
		if (new_run) {
			fprintf(f, md ? "\n### %s\n\n" : "\n== %s ==\n", row->run);
			print_run_header(f, sets, nsets, row->run, md);
			run = row->run;
			metric = NULL;
			if (!row->metric) {
				for (size_t i = 0; i < nsets; i++)
					fprintf(f, md ? "- %s: %s\n" : "  %s: %s\n", sets[i].label, row->cells[i].status);
				continue;
			}
		}
		if (new_metric) {
			fprintf(f, md ? "#### %s (%s, %s is better)\n\n" : "-- %s (%s; %s is better)\n", row->metric,
				row->unit && *row->unit ? row->unit : "no unit", row->better ? row->better : "lower");
			metric = row->metric;
			kase = NULL;
			cells[0] = "case";
			cells[1] = "";
			for (size_t i = 0; i < nsets; i++)
				cells[i + 2] = sets[i].label;
			grid_add(&g, cells);
		}
		for (size_t s = 0; s < ARRAY_SIZE(stat_names); s++) {
			if (!(o->stats & (1u << s)))
				continue;
			cells[0] = (char *)(kase && !strcmp(kase, row->kase) ? "" : row->kase);
			kase = row->kase;
			cells[1] = (char *)stat_names[s];
			for (size_t i = 0; i < nsets; i++) {
				stat_cell(buf[i], sizeof(buf[i]), &row->cells[i], 1u << s, i == o->baseline, md);
				cells[i + 2] = buf[i];
			}
			grid_add(&g, cells);
		}
	}
	free(cells);
	free(buf);
}

static void print_significant(FILE *f, struct rs_set *sets, size_t nsets, const struct compare_opts *o,
			      struct table_rows *t, bool md)
{
	size_t better = 0, worse = 0;

	fprintf(f, md ? "\n### Significant changes of the median\n\n" : "\nSignificant changes (p < %g):\n", o->alpha);
	for (size_t r = 0; r < t->n; r++)
		for (size_t i = 0; i < nsets; i++) {
			const struct cell *c = &t->v[r].cells[i];
			char p[32];

			if (!c->significant || !t->v[r].metric)
				continue;
			fmt_p(p, sizeof(p), c->p);
			fprintf(f, md ? "- %s, %s, `%s`: %s %+.2f%% (p %s) %s\n" : "  %s  %s  %s: %s %+.2f%% (p %s) %s\n",
				t->v[r].run, t->v[r].kase, t->v[r].metric, sets[i].label, c->chg_median, p,
				verdict_word(c->verdict));
			better += c->verdict > 0;
			worse += c->verdict < 0;
		}
	if (!better && !worse)
		fprintf(f, "  none\n");
	else
		fprintf(f, md ? "\n%zu better, %zu worse.\n" : "  %zu better, %zu worse\n", better, worse);
}

/* ---- CSV and JSON ---------------------------------------------------------- */

static void csv_num(FILE *f, double v, bool last)
{
	if (!isnan(v))
		fprintf(f, "%.17g", v);
	fputc(last ? '\n' : ',', f);
}

static void print_csv(FILE *f, struct rs_set *sets, size_t nsets, const struct compare_opts *o,
		      struct table_rows *t)
{
	fputs("run,benchmark,case,metric,unit,better,set,label,baseline,state,n,median,mean,stddev,min,max,"
	      "ci95_lo,ci95_hi,median_change_pct,mean_change_pct,test,statistic,df,p,significant,verdict\n", f);
	for (size_t r = 0; r < t->n; r++)
		for (size_t i = 0; i < nsets; i++) {
			const struct row *row = &t->v[r];
			const struct cell *c = &row->cells[i];
			bool v = c->state == CELL_VALUES;

			csv_put(f, row->run, false);
			csv_put(f, row->benchmark, false);
			csv_put(f, row->kase, false);
			csv_put(f, row->metric, false);
			csv_put(f, row->unit, false);
			csv_put(f, row->better, false);
			fprintf(f, "%zu,", i);
			csv_put(f, sets[i].label, false);
			fprintf(f, "%d,", i == o->baseline);
			csv_put(f, v ? "values" : c->status, false);
			if (v)
				fprintf(f, "%zu,", c->n);
			else
				fputc(',', f);
			csv_num(f, v ? c->s.median : NAN, false);
			csv_num(f, v ? c->s.mean : NAN, false);
			csv_num(f, v ? c->s.stddev : NAN, false);
			csv_num(f, v ? c->s.min : NAN, false);
			csv_num(f, v ? c->s.max : NAN, false);
			csv_num(f, c->ci_lo, false);
			csv_num(f, c->ci_hi, false);
			csv_num(f, c->chg_median, false);
			csv_num(f, c->chg_mean, false);
			csv_put(f, c->tested ? (o->test == TEST_WELCH ? "welch" : "mann-whitney") : "", false);
			csv_num(f, c->statistic, false);
			csv_num(f, c->df, false);
			csv_num(f, c->p, false);
			fprintf(f, "%s,", c->tested ? (c->significant ? "1" : "0") : "");
			csv_put(f, verdict_word(c->verdict), true);
		}
}

static void print_json(FILE *f, struct rs_set *sets, size_t nsets, const struct compare_opts *o,
		       struct table_rows *t)
{
	struct json *root = json_obj(), *js = json_arr(), *rows = json_arr(), *md = json_obj();
	struct meta_diff d;

	json_set(root, "schema", json_str("ptshare-compare/1"));
	json_set(root, "test", json_str(o->test == TEST_WELCH ? "welch" : "mann-whitney"));
	json_set(root, "alpha", json_num(o->alpha));
	json_set(root, "baseline", json_str(sets[o->baseline].label));
	for (size_t i = 0; i < nsets; i++) {
		struct json *s = json_push(js, json_obj());

		json_set(s, "label", json_str(sets[i].label));
		json_set(s, "path", json_str(sets[i].path));
	}
	json_set(root, "sets", js);
	meta_diff(sets, nsets, &d);
	for (size_t k = 0; k < d.n; k++) {
		struct json *vals = json_set(md, d.keys[k], json_arr());

		for (size_t i = 0; i < nsets; i++)
			json_push(vals, json_str(rs_meta(&sets[i], d.keys[k])));
	}
	free(d.keys);
	free(d.config_missing);
	json_set(root, "metadata_differences", md);
	for (size_t r = 0; r < t->n; r++) {
		const struct row *row = &t->v[r];
		struct json *o_row = json_push(rows, json_obj()), *cells;

		json_set(o_row, "run", json_str(row->run));
		json_set(o_row, "benchmark", json_str(row->benchmark));
		json_set(o_row, "case", json_str(row->kase));
		json_set(o_row, "metric", json_str(row->metric));
		json_set(o_row, "unit", json_str(row->unit));
		json_set(o_row, "better", json_str(row->better));
		cells = json_set(o_row, "cells", json_arr());
		for (size_t i = 0; i < nsets; i++) {
			const struct cell *c = &row->cells[i];
			struct json *jc = json_push(cells, json_obj());

			json_set(jc, "set", json_str(sets[i].label));
			if (c->state != CELL_VALUES) {
				json_set(jc, "state", json_str(c->status));
				continue;
			}
			json_set(jc, "state", json_str("values"));
			json_set(jc, "run_status", json_str(c->status));
			json_set(jc, "n", json_int((int64_t)c->n));
			json_set(jc, "median", json_num(c->s.median));
			json_set(jc, "mean", json_num(c->s.mean));
			json_set(jc, "stddev", json_num(c->s.stddev));
			json_set(jc, "min", json_num(c->s.min));
			json_set(jc, "max", json_num(c->s.max));
			json_set(jc, "ci95_lo", json_num(c->ci_lo));
			json_set(jc, "ci95_hi", json_num(c->ci_hi));
			if (i == o->baseline)
				continue;
			json_set(jc, "median_change_pct", json_num(c->chg_median));
			json_set(jc, "mean_change_pct", json_num(c->chg_mean));
			json_set(jc, "tested", json_bool(c->tested));
			if (c->tested) {
				json_set(jc, "statistic", json_num(c->statistic));
				if (!isnan(c->df))
					json_set(jc, "df", json_num(c->df));
				json_set(jc, "p", json_num(c->p));
				json_set(jc, "significant", json_bool(c->significant));
				json_set(jc, "verdict", c->verdict ? json_str(verdict_word(c->verdict)) : json_null());
			}
		}
	}
	json_set(root, "rows", rows);
	json_write(f, root, 2);
	json_free(root);
}

/* ---- gating ------------------------------------------------------------------ */

static int check_fail_on(struct rs_set *sets, size_t nsets, const struct compare_opts *o, struct table_rows *t)
{
	int found = 0;

	for (size_t r = 0; r < t->n; r++) {
		const struct row *row = &t->v[r];
		bool higher = row->better && !strcmp(row->better, "higher");

		if (!row->metric)
			continue;
		for (size_t k = 0; k < o->nfail; k++) {
			if (fnmatch(o->fail[k].pattern, row->metric, 0))
				continue;
			for (size_t i = 0; i < nsets; i++) {
				const struct cell *c = &row->cells[i];
				double worse_by;
				char p[32];

				if (i == o->baseline || c->state != CELL_VALUES || isnan(c->chg_median))
					continue;
				worse_by = higher ? -c->chg_median : c->chg_median;
				/* With a test possible, only a significant change counts. */
				if (worse_by <= o->fail[k].pct || (c->tested && !c->significant))
					continue;
				fmt_p(p, sizeof(p), c->p);
				fprintf(stderr, "compare: REGRESSION %s %s %s in %s: median %+.2f%% (%s is better; p %s), past --fail-on %s:%g\n",
					row->run, row->kase, row->metric, sets[i].label, c->chg_median,
					higher ? "higher" : "lower", p, o->fail[k].pattern, o->fail[k].pct);
				found++;
			}
		}
	}
	return found;
}

int compare_sets(FILE *f, struct rs_set *sets, size_t nsets, const struct compare_opts *o,
		 char *err, size_t errlen)
{
	struct table_rows t;
	int found;

	if (o->baseline >= nsets)
		return errf(err, errlen, "the baseline is set %zu but there are only %zu", o->baseline + 1, nsets);
	if (build_rows(sets, nsets, o, &t, err, errlen) < 0)
		return -1;
	if (!t.n) {
		free_rows(&t, nsets);
		return errf(err, errlen, "nothing to compare: no metric matches%s%s%s%s",
			    o->metric_re ? " --metric " : "", o->metric_re ? o->metric_re : "",
			    o->run_re ? " --run " : "", o->run_re ? o->run_re : "");
	}
	switch (o->format) {
	case FMT_TEXT:
	case FMT_MARKDOWN:
		print_header(f, sets, nsets, o, o->format == FMT_MARKDOWN);
		print_tables(f, sets, nsets, o, &t, o->format == FMT_MARKDOWN);
		if (nsets > 1)
			print_significant(f, sets, nsets, o, &t, o->format == FMT_MARKDOWN);
		break;
	case FMT_CSV:
		print_csv(f, sets, nsets, o, &t);
		break;
	case FMT_JSON:
		print_json(f, sets, nsets, o, &t);
		break;
	}
	fflush(f);
	found = check_fail_on(sets, nsets, o, &t);
	free_rows(&t, nsets);
	return found;
}
