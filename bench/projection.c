// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "projection.h"
#include "util.h"

#include <string.h>

static void add_scaled(struct pt_model_cost *sum, const struct pt_model_cost *c, uint64_t k)
{
	sum->pte_pages += k * c->pte_pages;
	sum->pmd_pages += k * c->pmd_pages;
	sum->pud_pages += k * c->pud_pages;
	sum->shared_pmd_pages += k * c->shared_pmd_pages;
}

static void sub(struct pt_model_cost *d, const struct pt_model_cost *a, const struct pt_model_cost *b)
{
	d->pte_pages = a->pte_pages - b->pte_pages;
	d->pmd_pages = a->pmd_pages - b->pmd_pages;
	d->pud_pages = a->pud_pages - b->pud_pages;
	d->shared_pmd_pages = a->shared_pmd_pages - b->shared_pmd_pages;
}

int pt_project(uint64_t nprocs, uint64_t size, uint64_t page_size, const struct placement *pl,
	       struct pt_model_cost *unshared, struct pt_model_cost *shared)
{
	uint64_t classes = pl->misalign ? PLACEMENT_MISALIGN_SLOTS : 1;

	memset(unshared, 0, sizeof(*unshared));
	memset(shared, 0, sizeof(*shared));
	if (pl->base + size + (pl->misalign ? PLACEMENT_MISALIGN_SLOTS * 2 * MiB : 0) > PT_USER_VA_END ||
	    pl->base + size < pl->base)
		return -1;
	for (uint64_t k = 0; k < classes && k < nprocs; k++) {
		/* processes k, k + classes, k + 2 * classes, ... */
		uint64_t count = nprocs / classes + (k < nprocs % classes);
		uint64_t addrs[2];
		struct pt_model_input in = { .size = size, .page_size = page_size, .addrs = addrs };
		struct pt_model_cost one, two, step;

		addrs[0] = addrs[1] = placement_addr(pl, (unsigned)k);
		in.nprocs = 1;
		if (pt_model(&in, &one) < 0)
			return -1;
		add_scaled(unshared, &one, count);
		in.nprocs = 2;
		in.share_pmd = true;
		if (pt_model(&in, &two) < 0)
			return -1;
		/* With one process nothing is shared; each further one adds its private part. */
		sub(&step, &two, &one);
		step.shared_pmd_pages = 0;
		add_scaled(shared, &one, 1);
		add_scaled(shared, &step, count - 1);
		/* tables with two or more users: each counted once */
		if (count > 1)
			shared->shared_pmd_pages += two.shared_pmd_pages;
	}
	unshared->total_pages = unshared->pte_pages + unshared->pmd_pages + unshared->pud_pages;
	unshared->total_bytes = unshared->total_pages * PT_PAGE_BYTES;
	shared->total_pages = shared->pte_pages + shared->pmd_pages + shared->pud_pages;
	shared->total_bytes = shared->total_pages * PT_PAGE_BYTES;
	return 0;
}
