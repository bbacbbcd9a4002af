// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double sorted_percentile(const double *s, size_t n, double pct)
{
	double pos, frac;
	size_t lo;

	if (!n)
		return NAN;
	if (pct <= 0)
		return s[0];
	if (pct >= 100)
		return s[n - 1];
	pos = pct / 100.0 * (n - 1);
	lo = (size_t)pos;
	frac = pos - lo;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double percentile(const double *v, size_t n, double pct)
{
	double *s, r;

	if (!n)
		return NAN;
	s = xmalloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r = sorted_percentile(s, n, pct);
	free(s);
	return r;
}

void summarize(const double *v, size_t n, struct summary *s)
{
	double sum = 0, sq = 0;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (!n) {
		s->min = s->max = s->mean = s->median = s->stddev = s->cov = NAN;
		return;
	}
	s->min = s->max = v[0];
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] < s->min)
			s->min = v[i];
		if (v[i] > s->max)
			s->max = v[i];
	}
	s->mean = sum / n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = n > 1 ? sqrt(sq / (n - 1)) : 0;
	s->cov = s->mean != 0 ? s->stddev / fabs(s->mean) : 0;
	s->median = percentile(v, n, 50);
}

/*
 * Regularized incomplete beta by its continued fraction, evaluated with
 * the modified Lentz method (the standard approach: e.g. Press et al.,
 * Numerical Recipes, section 6.4; Abramowitz and Stegun 26.5.8).  The
 * fraction converges quickly for x < (a + 1) / (a + b + 2); above that
 * the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) is used.
 */
static double beta_fraction(double x, double a, double b)
{
	const double tiny = 1e-300, eps = 1e-16;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 10000; m++) {
		double m2 = 2.0 * m, num, del;

		/* even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)) */
		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		/* odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) */
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = fabs(c) < tiny ? tiny : c;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double incbeta(double x, double a, double b)
{
	double front;

	if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(x, a, b) / a;
	return 1 - front * beta_fraction(1 - x, b, a) / b;
}

/* P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2), without cancellation. */
static double student_t_two_sided(double t, double df)
{
	if (isinf(t))
		return 0;
	return incbeta(df / (df + t * t), df / 2, 0.5);
}

double student_t_cdf(double t, double df)
{
	double tail;

	if (!(df > 0) || isnan(t))
		return NAN;
	tail = student_t_two_sided(t, df) / 2;
	return t > 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df)
{
	double lo = 0, hi = 1, target;
	bool upper;

	if (!(df > 0) || !(p > 0) || !(p < 1))
		return NAN;
	if (p == 0.5)
		return 0;
	/* Solve on the upper half in terms of the two-sided tail (accurate for small tails). */
	upper = p > 0.5;
	target = upper ? 2 * (1 - p) : 2 * p;
	while (student_t_two_sided(hi, df) > target) {
		lo = hi;
		hi *= 2;
		if (hi > 1e300)
			return upper ? INFINITY : -INFINITY;
	}
	for (int i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++) {
		double mid = lo + (hi - lo) / 2;

		if (student_t_two_sided(mid, df) > target)
			lo = mid;
		else
			hi = mid;
	}
	return upper ? (lo + hi) / 2 : -(lo + hi) / 2;
}

double normal_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

int mean_ci(const double *v, size_t n, double level, double *lo, double *hi)
{
	struct summary s;
	double half;

	*lo = *hi = NAN;
	if (n < 2 || !(level > 0) || !(level < 1))
		return -1;
	summarize(v, n, &s);
	half = student_t_quantile(1 - (1 - level) / 2, (double)(n - 1)) * s.stddev / sqrt((double)n);
	*lo = s.mean - half;
	*hi = s.mean + half;
	return 0;
}

int welch_ttest(const double *a, size_t na, const double *b, size_t nb, struct ttest *r)
{
	struct summary sa, sb;
	double va, vb, se;

	r->t = r->df = r->p = NAN;
	if (na < 2 || nb < 2)
		return -1;
	summarize(a, na, &sa);
	summarize(b, nb, &sb);
	va = sa.stddev * sa.stddev / na;
	vb = sb.stddev * sb.stddev / nb;
	se = sqrt(va + vb);
	if (se == 0) {
		/* No spread on either side: the means are equal or they are not. */
		r->df = (double)(na + nb - 2);
		r->t = sa.mean == sb.mean ? 0 : sb.mean > sa.mean ? INFINITY : -INFINITY;
		r->p = sa.mean == sb.mean ? 1 : 0;
		return 0;
	}
	r->t = (sb.mean - sa.mean) / se;
	r->df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
	r->p = student_t_two_sided(r->t, r->df);
	return 0;
}

/*
 * Exact null distribution of U for samples of @na and @nb distinct values:
 * c(i, j, u), the number of orderings of i values of a and j of b with U =
 * u, satisfies c(i, j, u) = c(i - 1, j, u - j) + c(i, j - 1, u) (the
 * largest value comes from a, beating all j values of b, or from b), with
 * c(i, 0, 0) = c(0, j, 0) = 1.  Only additions: exact while the counts fit
 * a double's mantissa, and of small relative error beyond.
 */
double mwu_exact_cdf(double u, size_t na, size_t nb)
{
	double **row, below = 0, total = 0;

	if (na > MWU_EXACT_MAX || nb > MWU_EXACT_MAX)
		return NAN;
	if (u < 0)
		return 0;
	row = xcalloc(na + 1, sizeof(*row));
	for (size_t i = 0; i <= na; i++)
		row[i] = xcalloc(i * nb + 1, sizeof(**row));
	for (size_t i = 0; i <= na; i++)
		row[i][0] = 1;		/* j = 0 */
	for (size_t j = 1; j <= nb; j++) {
		/* row[i] holds c(i, j - 1, .) on entry and c(i, j, .) after; row[i - 1] is already at j. */
		for (size_t i = 1; i <= na; i++)
			for (size_t k = j; k <= i * j; k++)
				row[i][k] += row[i - 1][k - j];
	}
	for (size_t k = 0; k <= na * nb; k++) {
		total += row[na][k];
		if ((double)k <= u)
			below += row[na][k];
	}
	for (size_t i = 0; i <= na; i++)
		free(row[i]);
	free(row);
	return below / total;
}

struct ranked {
	double v;
	bool from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v, &((const struct ranked *)y)->v);
}

int mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct mwu *r)
{
	size_t n = na + nb;
	struct ranked *all;
	double rank_a = 0, ties = 0, mu, sigma2, d;

	r->u = r->z = r->p = NAN;
	r->exact = false;
	if (!na || !nb)
		return -1;
	all = xmalloc(n * sizeof(*all));
	for (size_t i = 0; i < na; i++)
		all[i] = (struct ranked){ a[i], true };
	for (size_t i = 0; i < nb; i++)
		all[na + i] = (struct ranked){ b[i], false };
	qsort(all, n, sizeof(*all), cmp_ranked);
	/* Ranks 1..n; a run of t equal values shares the average rank. */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double avg;

		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		avg = (double)(i + 1 + j + 1) / 2;
		for (size_t k = i; k <= j; k++)
			if (all[k].from_a)
				rank_a += avg;
		if (j > i) {
			double t = (double)(j - i + 1);

			ties += t * t * t - t;
		}
		i = j + 1;
	}
	free(all);
	r->u = rank_a - (double)na * (na + 1) / 2;
	mu = (double)na * nb / 2;
	sigma2 = (double)na * nb / 12 * ((n + 1) - ties / ((double)n * (n - 1)));
	d = r->u - mu;
	if (sigma2 > 0) {
		/* continuity correction: half a step towards the mean */
		double cd = fabs(d) > 0.5 ? fabs(d) - 0.5 : 0;

		r->z = (d < 0 ? -cd : cd) / sqrt(sigma2);
	} else {
		r->z = 0;	/* every value equal */
	}
	if (ties == 0 && na <= MWU_EXACT_MAX && nb <= MWU_EXACT_MAX) {
		double lower = r->u < (double)na * nb - r->u ? r->u : (double)na * nb - r->u;

		r->p = 2 * mwu_exact_cdf(lower, na, nb);
		r->exact = true;
	} else {
		r->p = erfc(fabs(r->z) / sqrt(2.0));
	}
	if (r->p > 1)
		r->p = 1;
	return 0;
}

int theil_sen(const double *x, const double *y, size_t n, double *slope, double *intercept)
{
	double *s, *r;
	size_t ns = 0;

	*slope = *intercept = NAN;
	if (n < 2)
		return -1;
	s = xmalloc(n * (n - 1) / 2 * sizeof(*s));
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[i] != x[j])
				s[ns++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (!ns) {
		free(s);
		return -1;
	}
	*slope = percentile(s, ns, 50);
	free(s);
	r = xmalloc(n * sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = y[i] - *slope * x[i];
	*intercept = percentile(r, n, 50);
	free(r);
	return 0;
}
