// SPDX-License-Identifier: GPL-2.0-only
/* Summary statistics. */
#include "config.h"

#include "stats.h"
#include "tap.h"

int main(void)
{
	double v[] = { 4, 1, 3, 2 }, one[] = { 7 };
	struct summary s;

	plan(9);
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
	return done_testing();
}
