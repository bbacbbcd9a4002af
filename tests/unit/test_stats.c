// SPDX-License-Identifier: GPL-2.0-only
/*
 * Summary statistics, distributions and significance tests, against
 * values computed by hand from closed forms or taken from published
 * tables and program output (sources next to each group).
 */
#include "config.h"

#include "stats.h"
#include "tap.h"

static void test_summary(void)
{
	double v[] = { 4, 1, 3, 2 }, one[] = { 7 };
	struct summary s;

	summarize(v, 4, &s);
	is_num(s.median, 2.5, 1e-12, "median of an even count interpolates");
	is_num(s.mean, 2.5, 1e-12, "mean");
	is_num(s.stddev, 1.2909944487358056, 1e-12, "sample standard deviation");
	is_num(s.min, 1, 0, "min");
	is_num(s.max, 4, 0, "max");
	is_num(percentile(v, 4, 0), 1, 0, "0th percentile is the minimum");
	is_num(percentile(v, 4, 100), 4, 0, "100th percentile is the maximum");
	summarize(one, 1, &s);
	is_num(s.stddev, 0, 0, "one value has no spread");
	is_num(s.median, 7, 0, "median of one value");
}

/*
 * Closed forms of the regularized incomplete beta: I_x(1, 1) = x,
 * I_x(a, 1) = x^a, I_x(1, b) = 1 - (1 - x)^b, I_1/2(a, a) = 1/2, and for
 * integers I_x(a, b) = P(Binomial(a + b - 1, x) >= a):
 * I_0.2(2, 3) = 1 - 0.8^4 - 4 * 0.2 * 0.8^3 = 0.1808.
 */
static void test_incbeta(void)
{
	is_num(incbeta(0.3, 1, 1), 0.3, 1e-14, "I_0.3(1,1) = 0.3");
	is_num(incbeta(0.3, 2, 1), 0.09, 1e-14, "I_0.3(2,1) = 0.3^2");
	is_num(incbeta(0.3, 1, 3), 0.657, 1e-14, "I_0.3(1,3) = 1 - 0.7^3");
	is_num(incbeta(0.5, 7.5, 7.5), 0.5, 1e-14, "I_0.5(7.5,7.5) = 1/2 by symmetry");
	is_num(incbeta(0.2, 2, 3), 0.1808, 1e-14, "I_0.2(2,3) = P(Bin(4, 0.2) >= 2) = 0.1808");
	is_num(incbeta(0.95, 2, 3), 1 - incbeta(0.05, 3, 2), 1e-14, "I_x(a,b) = 1 - I_(1-x)(b,a)");
	ok(isnan(incbeta(1.5, 1, 1)) && isnan(incbeta(0.5, 0, 1)), "out-of-range arguments give NaN");
}

/*
 * Student's t: with 1 degree of freedom it is the Cauchy distribution,
 * F(t) = 1/2 + atan(t) / pi; with 2, F(t) = 1/2 + t / (2 sqrt(2 + t^2)).
 * Quantiles: the table of upper critical values of Student's t in the
 * NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.6.7.2
 * (three decimals).
 */
static void test_student_t(void)
{
	static const struct { double df, p, t; } nist[] = {
		{ 1, 0.975, 12.706 }, { 2, 0.975, 4.303 }, { 5, 0.975, 2.571 }, { 10, 0.975, 2.228 },
		{ 30, 0.975, 2.042 }, { 100, 0.975, 1.984 }, { 10, 0.995, 3.169 }, { 10, 0.90, 1.372 },
	};

	is_num(student_t_cdf(1, 1), 0.75, 1e-13, "t(1): F(1) = 3/4");
	is_num(student_t_cdf(-3, 1), 0.10241638234956674, 1e-13, "t(1): F(-3) = 1/2 + atan(-3)/pi");
	is_num(student_t_cdf(2, 2), 0.9082482904638631, 1e-13, "t(2): F(2) = 1/2 + 2/(2 sqrt 6)");
	is_num(student_t_cdf(0, 7.3), 0.5, 1e-15, "F(0) = 1/2 for any df");
	is_num(student_t_cdf(1.959963984540054, 1e9), 0.975, 1e-7, "large df tends to the normal distribution");
	for (size_t i = 0; i < sizeof(nist) / sizeof(nist[0]); i++)
		is_num(student_t_quantile(nist[i].p, nist[i].df), nist[i].t, 0.0005,
		       "t quantile %.3f at df %g = %.3f (NIST table)", nist[i].p, nist[i].df, nist[i].t);
	is_num(student_t_quantile(0.025, 5), -student_t_quantile(0.975, 5), 1e-12, "quantiles are symmetric");
	is_num(student_t_cdf(student_t_quantile(0.999, 3.5), 3.5), 0.999, 1e-12, "quantile inverts the CDF");
	is_num(normal_cdf(1.959963984540054), 0.975, 1e-12, "normal: F(1.96) = 0.975");
}

/*
 * Confidence interval of the mean of 1..5: 3 -+ t(0.975, 4) * sqrt(2.5/5)
 * = 3 -+ 2.776445 * 0.707107 = [1.036757, 4.963243], as R's t.test(1:5)
 * prints.
 */
static void test_ci(void)
{
	double v[] = { 1, 2, 3, 4, 5 }, lo, hi;

	ok(mean_ci(v, 5, 0.95, &lo, &hi) == 0, "mean_ci of five values");
	is_num(lo, 1.036757, 1e-6, "95%% CI lower bound of mean(1..5)");
	is_num(hi, 4.963243, 1e-6, "95%% CI upper bound of mean(1..5)");
	ok(mean_ci(v, 1, 0.95, &lo, &hi) < 0 && isnan(lo), "one value has no interval");
}

/*
 * Welch's t-test.  R's t.test(ts1, ts2) for the samples below prints
 * "t = -1.8325, df = 17.9, p-value = 0.08356" (R's t is mean(x) - mean(y);
 * ours is b - a).  By hand: variances 1.37778 and 1.6, standard error
 * sqrt(0.297778) = 0.545690, t = 1 / 0.545690 = 1.83254, df = 0.297778^2 /
 * ((0.137778^2 + 0.16^2) / 9) = 17.900.
 * The first example of the Wikipedia article "Welch's t-test" (section
 * Examples; two samples of 15) gives t = -2.46, nu = 24.99, p = 0.021.
 */
static void test_welch(void)
{
	double ts1[] = { 11, 9, 10, 11, 10, 12, 9, 11, 12, 9 };
	double ts2[] = { 11, 13, 10, 13, 12, 9, 11, 12, 12, 11 };
	double flat_a[] = { 5, 5, 5 }, flat_b[] = { 6, 6, 6 };
	double base[] = { 100, 101, 99, 100, 100 }, plus20[] = { 120, 121, 119, 120, 120 };
	struct ttest r;

	ok(welch_ttest(ts1, 10, ts2, 10, &r) == 0, "welch_ttest runs");
	is_num(r.t, 1.8325, 0.00005, "Welch t = 1.8325 (R)");
	is_num(r.df, 17.9, 0.005, "Welch-Satterthwaite df = 17.9 (R)");
	is_num(r.p, 0.08356, 0.000005, "two-sided p = 0.08356 (R)");
	{
		double a1[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
		double a2[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };

		welch_ttest(a1, 15, a2, 15, &r);
		is_num(r.t, 2.46, 0.005, "Wikipedia example 1: |t| = 2.46");
		is_num(r.df, 24.99, 0.005, "Wikipedia example 1: nu = 24.99");
		is_num(r.p, 0.021, 0.0005, "Wikipedia example 1: p = 0.021");
	}
	welch_ttest(ts2, 10, ts1, 10, &r);
	is_num(r.t, -1.8325, 0.00005, "swapping the samples flips the sign only");
	welch_ttest(base, 5, base, 5, &r);
	is_num(r.p, 1, 1e-12, "identical samples: p = 1");
	/* means 100 and 120, variances 0.5: t = 20 / sqrt(0.2) = 44.72 at 8 df */
	welch_ttest(base, 5, plus20, 5, &r);
	ok(r.p < 1e-9 && fabs(r.t - 44.72136) < 1e-4 && fabs(r.df - 8) < 1e-9,
	   "+20%% with a spread of 1: t = 44.72, df = 8, p < 1e-9 (p = %g)", r.p);
	welch_ttest(flat_a, 3, flat_b, 3, &r);
	ok(r.p == 0 && isinf(r.t), "no spread, different means: p = 0");
	welch_ttest(flat_a, 3, flat_a, 3, &r);
	ok(r.p == 1 && r.t == 0, "no spread, equal means: p = 1");
	ok(welch_ttest(flat_a, 1, flat_b, 3, &r) < 0 && isnan(r.p), "one value on a side: no test");
}

/*
 * Mann-Whitney U.  Exact p-values by counting orderings: with 3 + 3
 * values there are C(6,3) = 20 orderings, so complete separation (U = 0)
 * has P = 1/20 one-sided, 0.1 two-sided; {1,2,4} against {3,5,6} has U = 1,
 * P(U <= 1) = 2/20, two-sided 0.2; 5 + 5 separated: 2 / C(10,5) = 2/252.
 * The example of the SciPy documentation of scipy.stats.mannwhitneyu
 * (males 19 22 16 29 24, females 20 11 17 12): U = 17; exact two-sided
 * p = 2 * 7/126 = 0.1111 (U <= 3 in 0+1+2+3 ways: 1, 1, 2, 3 of C(9,4) =
 * 126); normal approximation with continuity correction z = (17 - 10 -
 * 0.5) / sqrt(5*4*10/12) = 1.59217, p = 0.111347.  Critical values of U
 * for a two-tailed test at alpha = 0.05 from the published tables (n1 =
 * n2 = 5: 2, 8: 13, 10: 23, 20: 127): P(U <= crit) <= 0.025 < P(U <= crit + 1).
 */
static void test_mann_whitney(void)
{
	double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 }, a3b[] = { 1, 2, 4 }, b3b[] = { 3, 5, 6 };
	double a5[] = { 1, 2, 3, 4, 5 }, b5[] = { 6, 7, 8, 9, 10 };
	double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
	double ta[] = { 1, 2, 3, 3 }, tb[] = { 3, 4, 5, 5 };
	static const struct { size_t n; double crit; } table[] = { { 5, 2 }, { 8, 13 }, { 10, 23 }, { 20, 127 } };
	double big_a[60], big_b[60];
	struct mwu r;

	mann_whitney(a3, 3, b3, 3, &r);
	ok(r.u == 0 && r.exact, "3+3 separated: U = 0, exact");
	is_num(r.p, 0.1, 1e-14, "3+3 separated: p = 2/20 (the smallest possible with 3 values a side)");
	mann_whitney(b3, 3, a3, 3, &r);
	ok(r.u == 9, "the other direction: U = 9");
	is_num(r.p, 0.1, 1e-14, "and the same p");
	mann_whitney(a3b, 3, b3b, 3, &r);
	is_num(r.u, 1, 0, "{1,2,4} vs {3,5,6}: U = 1");
	is_num(r.p, 0.2, 1e-14, "{1,2,4} vs {3,5,6}: p = 4/20");
	mann_whitney(a5, 5, b5, 5, &r);
	is_num(r.p, 2.0 / 252, 1e-14, "5+5 separated: p = 2/252");
	mann_whitney(males, 5, females, 4, &r);
	is_num(r.u, 17, 0, "SciPy example: U = 17");
	is_num(r.p, 0.1111111111111111, 1e-12, "SciPy example: exact p = 0.1111");
	is_num(r.z, 1.5921683328090657, 1e-12, "SciPy example: z = 1.59217");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		double lo = mwu_exact_cdf(table[i].crit, table[i].n, table[i].n);
		double hi = mwu_exact_cdf(table[i].crit + 1, table[i].n, table[i].n);

		ok(lo <= 0.025 && hi > 0.025, "n1 = n2 = %zu: critical U = %g (P = %.4f, next %.4f)",
		   table[i].n, table[i].crit, lo, hi);
	}
	is_num(mwu_exact_cdf(10, 5, 4), 1 - mwu_exact_cdf(9, 5, 4), 1e-14, "the null distribution is symmetric");

	/*
	 * Ties use the normal approximation with the tie correction:
	 * {1,2,3,3} vs {3,4,5,5}: ranks 1 2 4 4 | 4 6 7.5 7.5, R_a = 11, U = 1;
	 * sigma^2 = 16/12 * (9 - (3^3-3 + 2^3-2) / (8*7)) = 11.285714,
	 * z = -(7 - 0.5) / 3.359422 = -1.934857, p = erfc(1.934857 / sqrt 2) = 0.053008.
	 */
	mann_whitney(ta, 4, tb, 4, &r);
	ok(!r.exact && r.u == 1, "ties: U = 1 by average ranks, normal approximation");
	is_num(r.z, -1.9348568128096586, 1e-12, "ties: tie-corrected z = -1.934857");
	is_num(r.p, 0.05300786910196125, 1e-12, "ties: p = 0.053008");
	mann_whitney(ta, 4, ta, 4, &r);
	is_num(r.p, 1, 1e-12, "identical samples: p = 1");

	/* Past MWU_EXACT_MAX values a side: normal approximation, still separated */
	for (int i = 0; i < 60; i++) {
		big_a[i] = i;
		big_b[i] = 100 + i;
	}
	mann_whitney(big_a, 60, big_b, 60, &r);
	ok(!r.exact && r.u == 0 && r.p < 1e-15, "60+60 separated: normal approximation, p = %g", r.p);
	ok(mann_whitney(a3, 0, b3, 3, &r) < 0 && isnan(r.p), "an empty side: no test");
}

/*
 * Theil-Sen: y = 2x + 1 on x = 1..5 with the last point moved to 100.  Of
 * the 10 pair slopes six are 2 and four involve the outlier (24.25, 31.67,
 * 46.5, 91), so the median slope is 2; residuals 1 1 1 1 90 give the
 * intercept 1.  Least squares would give a slope of 19.
 */
static void test_theil_sen(void)
{
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 3, 5, 7, 9, 100 }, same_x[] = { 2, 2, 2 }, slope, icpt;

	ok(theil_sen(x, y, 5, &slope, &icpt) == 0, "theil_sen of five points");
	is_num(slope, 2, 1e-12, "Theil-Sen slope ignores the outlier");
	is_num(icpt, 1, 1e-12, "Theil-Sen intercept");
	ok(theil_sen(same_x, y, 3, &slope, &icpt) < 0 && isnan(slope), "no two distinct x: no line");
}

int main(void)
{
	plan(74);
	test_summary();
	test_incbeta();
	test_student_t();
	test_ci();
	test_welch();
	test_mann_whitney();
	test_theil_sen();
	return done_testing();
}
