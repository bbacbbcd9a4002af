/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats: summaries of repeated measurements, and the tests harness/compare
 * uses to tell a change from noise.
 *
 * Distributions: the regularized incomplete beta function (continued
 * fraction), from which Student's t CDF and quantile follow; the normal
 * CDF through erfc().  Tests are two-sided:
 *   - Welch's t-test (unequal variances, Welch-Satterthwaite degrees of
 *     freedom), what mmtests' compare-kernels uses;
 *   - the Mann-Whitney U test (Wilcoxon rank-sum): exact null distribution
 *     for small samples without ties, else the normal approximation with
 *     tie and continuity corrections.  It needs no normality, but with
 *     three values per side its smallest possible p is 0.1.
 */
#ifndef PTSHARE_STATS_H
#define PTSHARE_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct summary {
	size_t n;
	double min, max, mean, median, stddev;	/* stddev: sample (n - 1) */
	double cov;				/* stddev / mean, 0 when mean is 0 */
};

void summarize(const double *v, size_t n, struct summary *s);
/* Linear-interpolated percentile (0..100) of @v; @v need not be sorted. */
double percentile(const double *v, size_t n, double pct);

/* Regularized incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1; NaN otherwise. */
double incbeta(double x, double a, double b);
/* Student's t distribution with @df > 0 (not necessarily integer) degrees of freedom. */
double student_t_cdf(double t, double df);
/* The t with student_t_cdf(t, df) = p, 0 < p < 1. */
double student_t_quantile(double p, double df);
/* Standard normal distribution. */
double normal_cdf(double z);

/*
 * Two-sided confidence interval of the mean at @level (0.95 for 95 %):
 * mean -+ t(1 - (1 - level) / 2, n - 1) * s / sqrt(n).  Returns 0, or -1
 * (bounds NaN) for fewer than two values.
 */
int mean_ci(const double *v, size_t n, double level, double *lo, double *hi);

struct ttest {
	double t;	/* (mean(b) - mean(a)) / standard error */
	double df;	/* Welch-Satterthwaite */
	double p;	/* two-sided */
};

/*
 * Welch's t-test of @a against @b.  Needs two values on each side;
 * returns -1 (all fields NaN) otherwise.  Two samples without spread
 * give p = 1 when their means are equal and p = 0 when they differ.
 */
int welch_ttest(const double *a, size_t na, const double *b, size_t nb, struct ttest *r);

#define MWU_EXACT_MAX 50	/* per sample; larger ones use the normal approximation */

struct mwu {
	double u;	/* U of @a: pairs (x in a, y in b) with x > y, ties counting 1/2 */
	double z;	/* normal approximation (also given when exact) */
	double p;	/* two-sided */
	bool exact;	/* p from the exact null distribution */
};

/* Mann-Whitney U test of @a against @b.  Needs one value on each side; -1 otherwise. */
int mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct mwu *r);

/*
 * P(U <= u) under the null hypothesis for samples of @na and @nb values
 * without ties (the exact distribution, counted by recursion).  NaN when
 * a sample has more than MWU_EXACT_MAX values.
 */
double mwu_exact_cdf(double u, size_t na, size_t nb);

/*
 * Theil-Sen line through (x, y): the slope is the median of the slopes of
 * all pairs with different x, the intercept the median of y - slope * x.
 * Robust: up to about 29 % of the points may be outliers.  Returns 0, or
 * -1 (NaN) without two distinct x.
 */
int theil_sen(const double *x, const double *y, size_t n, double *slope, double *intercept);

#endif
