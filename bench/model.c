// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "model.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

uint64_t pt_model_bytes_per_gib(uint64_t page_size)
{
	switch (page_size) {
	case 4096:
		return (PT_ENTRIES + 1) * (uint64_t)PT_PAGE_BYTES;	/* 2,101,248 */
	case 2 * MiB:
		return PT_PAGE_BYTES;
	case GiB:
		return 0;	/* eight bytes of PUD entry, no page */
	default:
		return 0;
	}
}

/* Number of @span-sized aligned regions overlapping [a, a + len). */
static uint64_t regions(uint64_t a, uint64_t len, uint64_t span)
{
	if (!len)
		return 0;
	return (a + len - 1) / span - a / span + 1;
}

struct shared_key {
	uint64_t file_off;	/* file offset mapped at the region start */
	uint64_t va_start;	/* region start, for PTE-page counting */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int pt_model(const struct pt_model_input *in, struct pt_model_cost *out)
{
	uint64_t *keys = NULL;
	size_t nkeys = 0, cap = 0;
	bool pte_level = in->page_size == 4096;

	memset(out, 0, sizeof(*out));
	if (in->page_size != 4096 && in->page_size != 2 * MiB && in->page_size != GiB)
		return -1;
	if (!in->nprocs || !in->size)
		return 0;

	for (unsigned p = 0; p < in->nprocs; p++) {
		uint64_t a = in->addrs[p], end = a + in->size;

		if (a % in->page_size || in->size % in->page_size)
			goto invalid;
		out->pud_pages += regions(a, in->size, PUD_SPAN);
		if (in->page_size == GiB)
			continue;

		/* Walk the 1 GiB regions this mapping touches. */
		for (uint64_t r = a / PMD_SPAN * PMD_SPAN; r < end; r += PMD_SPAN) {
			uint64_t lo = r > a ? r : a;
			uint64_t hi = r + PMD_SPAN < end ? r + PMD_SPAN : end;
			bool whole = lo == r && hi == r + PMD_SPAN;

			if (in->share_pmd && whole) {
				if (nkeys == cap) {
					cap = cap ? 2 * cap : 64;
					keys = xrealloc(keys, cap * sizeof(*keys));
				}
				keys[nkeys++] = in->file_off + (r - a);
				continue;
			}
			out->pmd_pages++;
			if (pte_level)
				out->pte_pages += regions(lo, hi - lo, PTE_SPAN);
		}
	}

	/* Shared PMD pages: one per distinct file offset at a region start. */
	if (nkeys) {
		size_t distinct = 0;

		qsort(keys, nkeys, sizeof(*keys), cmp_u64);
		for (size_t i = 0; i < nkeys; i++) {
			if (!i || keys[i] != keys[i - 1])
				distinct++;
			else if (i == 1 || keys[i] != keys[i - 2])
				out->shared_pmd_pages++;	/* second user of this one */
		}
		out->pmd_pages += distinct;
		if (pte_level)
			out->pte_pages += distinct * PT_ENTRIES;
	}
	free(keys);
	out->total_pages = out->pte_pages + out->pmd_pages + out->pud_pages;
	out->total_bytes = out->total_pages * PT_PAGE_BYTES;
	return 0;
invalid:
	free(keys);
	memset(out, 0, sizeof(*out));
	return -1;
}
