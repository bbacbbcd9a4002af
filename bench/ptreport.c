// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptreport: result directories in, comparisons and plot data out.  The
 * programs behind harness/compare and harness/plot.
 *
 *   ptreport compare [OPTIONS] DIR...     (harness/compare)
 *   ptreport plotdata --out DIR DIR...    (harness/plot runs gnuplot on it)
 */
#include "config.h"

#include "report.h"
#include "resultset.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SETS 64

static void compare_usage(FILE *f)
{
	fprintf(f,
		"Usage: harness/compare [OPTIONS] DIR...\n"
		"Compare result directories (written by harness/run, or holding ptshare result\n"
		"documents): one column per directory, the first (or --baseline) is the\n"
		"baseline.  For every run, case and metric: n, median, mean, stddev, min, max,\n"
		"the 95%% confidence interval of the mean, the %% change against the baseline and\n"
		"a significance test with its p-value.  Metadata that differs between the\n"
		"directories (kernel, command line, config options, sysctls, THP) is listed\n"
		"first.  Missing runs, cases and metrics are shown as missing.\n"
		"\n"
		"  --baseline N|LABEL   the baseline: 1-based position or directory name (default 1)\n"
		"  --format FORMAT      text (default), markdown, csv or json\n"
		"  --markdown, --csv, --json   the same as --format ...\n"
		"  --test TEST          welch (Welch's t-test, default) or mwu (Mann-Whitney U)\n"
		"  --alpha P            significance level (default 0.05)\n"
		"  --metric REGEX       only metrics whose name matches (extended regex)\n"
		"  --run REGEX          only runs whose name matches\n"
		"  --stats LIST         rows of the text/Markdown tables: n,median,mean,stddev,\n"
		"                       min,max,ci95,p or all (default all)\n"
		"  --fail-on METRIC:PCT exit 3 when a metric matching METRIC (a shell pattern)\n"
		"                       has a median worse than the baseline's by more than PCT\n"
		"                       percent, significantly when a test is possible\n"
		"                       (repeatable), e.g. --fail-on 'pt_meminfo_bytes:10'\n"
		"  --no-metadata        leave out the metadata differences\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 compared, 1 unreadable or corrupt input, 2 usage, 3 a --fail-on\n"
		"threshold was passed.\n");
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) ? -1 : 0;
}

static int load_sets(char **paths, int n, struct rs_set *sets)
{
	char err[1024];

	if (n > MAX_SETS)
		die_usage("at most %d result directories, not %d", MAX_SETS, n);
	for (int i = 0; i < n; i++) {
		if (rs_load(paths[i], &sets[i], err, sizeof(err)) < 0) {
			for (int k = 0; k < i; k++)
				rs_free(&sets[k]);
			die("%s", err);
		}
	}
	rs_unique_labels(sets, (size_t)n);
	return 0;
}

static size_t parse_baseline(const char *arg, struct rs_set *sets, size_t n)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!*end && end != arg) {
		if (v < 1 || v > n)
			die_usage("--baseline %s: there are %zu result directories (1..%zu)", arg, n, n);
		return v - 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(sets[i].label, arg))
			return i;
	die_usage("--baseline '%s' names no result directory (give its position or name)", arg);
}

static int cmd_compare(int argc, char **argv)
{
	enum { O_BASELINE = 256, O_FORMAT, O_MD, O_CSV, O_JSON, O_TEST, O_ALPHA, O_METRIC, O_RUN, O_STATS,
	       O_FAIL, O_NOMETA };
	static const struct option lo[] = {
		{ "baseline", required_argument, NULL, O_BASELINE }, { "format", required_argument, NULL, O_FORMAT },
		{ "markdown", no_argument, NULL, O_MD }, { "csv", no_argument, NULL, O_CSV },
		{ "json", no_argument, NULL, O_JSON }, { "test", required_argument, NULL, O_TEST },
		{ "alpha", required_argument, NULL, O_ALPHA }, { "metric", required_argument, NULL, O_METRIC },
		{ "run", required_argument, NULL, O_RUN }, { "stats", required_argument, NULL, O_STATS },
		{ "fail-on", required_argument, NULL, O_FAIL }, { "no-metadata", no_argument, NULL, O_NOMETA },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct compare_opts o = { .format = FMT_TEXT, .test = TEST_WELCH, .alpha = 0.05, .stats = STAT_ALL };
	struct rs_set sets[MAX_SETS];
	const char *baseline = NULL;
	char err[1024];
	int opt, n, found;

	progname = "compare";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (opt) {
		case O_BASELINE:
			baseline = optarg;
			break;
		case O_FORMAT:
			if (!strcmp(optarg, "text"))
				o.format = FMT_TEXT;
			else if (!strcmp(optarg, "markdown") || !strcmp(optarg, "md"))
				o.format = FMT_MARKDOWN;
			else if (!strcmp(optarg, "csv"))
				o.format = FMT_CSV;
			else if (!strcmp(optarg, "json"))
				o.format = FMT_JSON;
			else
				die_usage("--format must be text, markdown, csv or json, not '%s'", optarg);
			break;
		case O_MD:
			o.format = FMT_MARKDOWN;
			break;
		case O_CSV:
			o.format = FMT_CSV;
			break;
		case O_JSON:
			o.format = FMT_JSON;
			break;
		case O_TEST:
			if (!strcmp(optarg, "welch") || !strcmp(optarg, "t"))
				o.test = TEST_WELCH;
			else if (!strcmp(optarg, "mwu") || !strcmp(optarg, "mann-whitney"))
				o.test = TEST_MWU;
			else
				die_usage("--test must be welch or mwu, not '%s'", optarg);
			break;
		case O_ALPHA:
			if (parse_double(optarg, &o.alpha) < 0 || o.alpha <= 0 || o.alpha >= 1)
				die_usage("--alpha must be a number between 0 and 1, not '%s'", optarg);
			break;
		case O_METRIC:
			o.metric_re = optarg;
			break;
		case O_RUN:
			o.run_re = optarg;
			break;
		case O_STATS:
			if (compare_parse_stats(optarg, &o.stats, err, sizeof(err)) < 0)
				die_usage("%s", err);
			break;
		case O_FAIL: {
			char *colon = strrchr(optarg, ':');
			double pct;

			if (!colon || colon == optarg || parse_double(colon + 1, &pct) < 0 || pct < 0)
				die_usage("--fail-on needs METRIC:PCT with PCT a percentage >= 0, e.g. pt_meminfo_bytes:10, not '%s'",
					  optarg);
			o.fail = xrealloc(o.fail, (o.nfail + 1) * sizeof(*o.fail));
			o.fail[o.nfail].pattern = xasprintf("%.*s", (int)(colon - optarg), optarg);
			o.fail[o.nfail++].pct = pct;
			break;
		}
		case O_NOMETA:
			o.no_meta = true;
			break;
		case 'h':
			compare_usage(stdout);
			return EXIT_OK;
		case ':':
			die_usage("option '%s' needs an argument (see harness/compare --help)", argv[optind - 1]);
		default:
			die_usage("unknown option '%s' (see harness/compare --help)", argv[optind - 1]);
		}
	}
	n = argc - optind;
	if (n < 1)
		die_usage("give one or more result directories, e.g. harness/compare results/base results/new");
	load_sets(argv + optind, n, sets);
	if (baseline)
		o.baseline = parse_baseline(baseline, sets, (size_t)n);
	found = compare_sets(stdout, sets, (size_t)n, &o, err, sizeof(err));
	for (int i = 0; i < n; i++)
		rs_free(&sets[i]);
	for (size_t i = 0; i < o.nfail; i++)
		free(o.fail[i].pattern);
	free(o.fail);
	if (found < 0)
		die("%s", err);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("cannot write the comparison: %s", strerror(errno));
	return found > 0 ? 3 : EXIT_OK;
}

static void plotdata_usage(FILE *f)
{
	fprintf(f,
		"Usage: ptreport plotdata --out DIR [--baseline N|LABEL] RESULT-DIR...\n"
		"Write gnuplot data (NAME.dat), variables (NAME.gpvars) and the list of plots\n"
		"(plots.tsv: script, stem, title) into DIR for harness/plot.\n");
}

static int cmd_plotdata(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' }, { "baseline", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct plot_opts o = { 0 };
	struct rs_set sets[MAX_SETS];
	const char *baseline = NULL;
	char err[1024];
	struct stat st;
	int opt, n, rc;

	progname = "plot";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (opt) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 'b':
			baseline = optarg;
			break;
		case 'h':
			plotdata_usage(stdout);
			return EXIT_OK;
		case ':':
			die_usage("option '%s' needs an argument", argv[optind - 1]);
		default:
			die_usage("unknown option '%s' (see ptreport plotdata --help)", argv[optind - 1]);
		}
	}
	if (!o.out_dir)
		die_usage("plotdata needs --out DIR");
	if (stat(o.out_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		die("%s is not a directory", o.out_dir);
	n = argc - optind;
	if (n < 1)
		die_usage("give one or more result directories");
	load_sets(argv + optind, n, sets);
	if (baseline)
		o.baseline = parse_baseline(baseline, sets, (size_t)n);
	rc = plot_data(sets, (size_t)n, &o, err, sizeof(err));
	for (int i = 0; i < n; i++)
		rs_free(&sets[i]);
	if (rc < 0)
		die("%s", err);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	progname = "ptreport";
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: ptreport compare [OPTIONS] DIR...   (harness/compare; --help for options)\n"
			"       ptreport plotdata --out DIR DIR...  (used by harness/plot)\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plotdata"))
		return cmd_plotdata(argc - 1, argv + 1);
	msg_err("unknown command '%s' (use compare or plotdata)", argv[1]);
	return EXIT_USAGE;
}
