// SPDX-License-Identifier: GPL-2.0-only
/* The benchmarks registered with PTSHARE_BENCHMARK(), sorted by name. */
#include "config.h"

#include "bench.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

extern const struct bench *const __start_ptshare_bench[];
extern const struct bench *const __stop_ptshare_bench[];

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct bench *const *)a)->name, (*(const struct bench *const *)b)->name);
}

const struct bench *const *benchmark_list(size_t *n)
{
	static const struct bench **sorted;
	static size_t count;

	if (!sorted) {
		count = __stop_ptshare_bench - __start_ptshare_bench;
		sorted = xcalloc(count, sizeof(*sorted));
		memcpy(sorted, __start_ptshare_bench, count * sizeof(*sorted));
		qsort(sorted, count, sizeof(*sorted), by_name);
	}
	*n = count;
	return sorted;
}
