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
