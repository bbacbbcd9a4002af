/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * report: what ptreport (harness/compare, harness/plot) makes of result
 * directories read with resultset.
 *
 * compare: one column per result set, one row per statistic of every
 * (run, case, metric) present in any set: n, median, mean, stddev, min,
 * max, the 95 % confidence interval of the mean, the % change of the
 * median and mean against the baseline and a two-sided significance test
 * (Welch's t-test or Mann-Whitney U) with its p-value.  Missing runs,
 * cases and metrics are shown as missing, runs that failed with their
 * status.  Text (mmtests style: a significant change is printed between
 * stars, "*  +20.00%*"), Markdown, CSV (long form) and JSON.
 *
 * plotdata: gnuplot data files and per-plot variable files for the
 * scripts in harness/plot.d/.
 */
#ifndef PTSHARE_REPORT_H
#define PTSHARE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct rs_set;

enum report_format { FMT_TEXT, FMT_MARKDOWN, FMT_CSV, FMT_JSON };
enum report_test { TEST_WELCH, TEST_MWU };

/* Rows of the comparison, in output order. */
enum {
	STAT_N = 1 << 0, STAT_MEDIAN = 1 << 1, STAT_MEAN = 1 << 2, STAT_STDDEV = 1 << 3,
	STAT_MIN = 1 << 4, STAT_MAX = 1 << 5, STAT_CI = 1 << 6, STAT_P = 1 << 7,
	STAT_ALL = (1 << 8) - 1,
};

struct fail_on {
	char *pattern;		/* fnmatch(3) pattern on metric names */
	double pct;		/* regression threshold, percent of the baseline median */
};

struct compare_opts {
	enum report_format format;
	size_t baseline;	/* index into the sets */
	enum report_test test;
	double alpha;
	const char *metric_re;	/* POSIX extended regex on metric names, or NULL */
	const char *run_re;	/* on run names, or NULL */
	unsigned stats;		/* STAT_* rows of the text and Markdown tables */
	struct fail_on *fail;
	size_t nfail;
	bool no_meta;		/* leave out the metadata differences */
};

/* Parse "median,mean,p" into STAT_* bits; -1 with @err on an unknown name. */
int compare_parse_stats(const char *list, unsigned *mask, char *err, size_t errlen);

/*
 * Print the comparison to @f.  Returns the number of --fail-on
 * regressions found (each also reported on stderr), or -1 with @err.
 */
int compare_sets(FILE *f, struct rs_set *sets, size_t n, const struct compare_opts *o,
		 char *err, size_t errlen);

struct plot_opts {
	const char *out_dir;	/* must exist */
	size_t baseline;
};

/*
 * Write NAME.dat and NAME.gpvars for every plot the data allow into
 * @out_dir, and plots.tsv listing them (script, stem, title); returns the
 * number of plots, or -1 with @err.
 */
int plot_data(struct rs_set *sets, size_t n, const struct plot_opts *o, char *err, size_t errlen);

#endif
