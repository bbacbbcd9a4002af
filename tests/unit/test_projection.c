// SPDX-License-Identifier: GPL-2.0-only
/*
 * The projection of the cost model to many processes equals the model
 * evaluated process by process (pt_model over every address), for
 * aligned and misaligned placement (past the 511 misalignment classes, so
 * classes repeat and share among themselves), every page size, sizes
 * with partial 1 GiB regions, with and without sharing; and the figures
 * of the large example follow the closed forms.
 */
#include "config.h"

#include "projection.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>

static int same(const struct pt_model_cost *a, const struct pt_model_cost *b)
{
	return a->pte_pages == b->pte_pages && a->pmd_pages == b->pmd_pages && a->pud_pages == b->pud_pages &&
	       a->shared_pmd_pages == b->shared_pmd_pages && a->total_bytes == b->total_bytes;
}

static void check(unsigned n, uint64_t size, uint64_t ps, bool misalign)
{
	struct placement pl = { .base = PLACEMENT_DEFAULT_BASE, .misalign = misalign };
	uint64_t *addrs = xcalloc(n, sizeof(*addrs));
	struct pt_model_input in = { .nprocs = n, .size = size, .page_size = ps, .addrs = addrs };
	struct pt_model_cost du, ds, pu, ps_;
	int rc;

	for (unsigned i = 0; i < n; i++)
		addrs[i] = placement_addr(&pl, i);
	pt_model(&in, &du);
	in.share_pmd = true;
	pt_model(&in, &ds);
	rc = pt_project(n, size, ps, &pl, &pu, &ps_);
	ok(rc == 0 && same(&du, &pu) && same(&ds, &ps_),
	   "%u procs x %llu MiB at %llu KiB, %s: projection = model (unshared %llu/%llu pages, shared %llu/%llu, shared PMD %llu/%llu)",
	   n, (unsigned long long)(size >> 20), (unsigned long long)(ps >> 10), misalign ? "misaligned" : "aligned",
	   (unsigned long long)pu.total_pages, (unsigned long long)du.total_pages,
	   (unsigned long long)ps_.total_pages, (unsigned long long)ds.total_pages,
	   (unsigned long long)ps_.shared_pmd_pages, (unsigned long long)ds.shared_pmd_pages);
	free(addrs);
}

int main(void)
{
	static const unsigned counts[] = { 1, 2, 7, 511, 1200 };
	struct placement pl = { .base = PLACEMENT_DEFAULT_BASE };
	struct pt_model_cost u, s;

	plan(5 * 5 + 4);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		for (int m = 0; m < 2; m++) {
			check(counts[i], 3 * GiB + 6 * MiB, 4096, m);
			check(counts[i], 3 * GiB + 6 * MiB, 2 * MiB, m);
			if (!m)	/* 1 GiB pages cannot sit at 2 MiB misalignments */
				check(counts[i], 3 * GiB, GiB, false);
		}

	/* 10,000 processes x 6 TiB at 2 MiB: 6144 PMD pages and 12 PUD pages each. */
	pt_project(10000, 6 * TiB, 2 * MiB, &pl, &u, &s);
	is_int(u.total_pages, 10000ull * (6144 + 12), "10,000 x 6 TiB at 2M unshared: 10,000 x (6144 PMD + 12 PUD) pages");
	is_int(s.total_pages, 6144 + 10000ull * 12, "shared: 6144 PMD pages once + 10,000 x 12 PUD pages");
	pt_project(10000, 6 * TiB, 4096, &pl, &u, &s);
	is_int(u.total_bytes, 10000ull * (6144 * 2101248ull + 12 * 4096),
	       "at 4K unshared: 2,101,248 bytes per GiB per process + PUD pages");
	ok(pt_project(1, 100 * TiB, 2 * MiB, &pl, &u, &s) < 0, "a mapping past 47 bits is refused");
	return done_testing();
}
