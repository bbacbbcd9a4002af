/* SPDX-License-Identifier: GPL-2.0-only */
/* stats: summaries of repeated measurements. */
#ifndef PTSHARE_STATS_H
#define PTSHARE_STATS_H

#include <stddef.h>

struct summary {
	size_t n;
	double min, max, mean, median, stddev;	/* stddev: sample (n - 1) */
	double cov;				/* stddev / mean, 0 when mean is 0 */
};

void summarize(const double *v, size_t n, struct summary *s);
/* Linear-interpolated percentile (0..100) of @v; @v need not be sorted. */
double percentile(const double *v, size_t n, double pct);

#endif
