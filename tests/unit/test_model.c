// SPDX-License-Identifier: GPL-2.0-only
/* The page-table cost model against the figures in the reference notes. */
#include "config.h"

#include "model.h"
#include "placement.h"
#include "tap.h"
#include "util.h"

static struct pt_model_cost cost(unsigned n, uint64_t size, uint64_t ps, bool misalign, bool common_offset,
				 bool share)
{
	static uint64_t addrs[1100];
	struct placement pl = { .base = UINT64_C(0x200000000000), .misalign = misalign };
	struct pt_model_input in = { .nprocs = n, .size = size, .page_size = ps, .addrs = addrs,
				     .share_pmd = share };
	struct pt_model_cost c;

	for (unsigned i = 0; i < n; i++)
		addrs[i] = common_offset ? pl.base + 2 * MiB : placement_addr(&pl, i);
	if (pt_model(&in, &c) < 0)
		printf("# model rejected its input\n");
	return c;
}

int main(void)
{
	struct pt_model_cost c;

	plan(22);
	is_int(pt_model_bytes_per_gib(4096), 2101248, "4 KiB mappings: 2,101,248 bytes per GiB");
	is_int(pt_model_bytes_per_gib(2 * MiB), 4096, "2 MiB mappings: one 4 KiB PMD page per GiB");
	is_int(pt_model_bytes_per_gib(GiB), 0, "1 GiB mappings: no table page");

	c = cost(1, GiB, 4096, false, false, false);
	is_int(c.pte_pages, 512, "1 GiB at 4K: 512 PTE pages");
	is_int(c.pmd_pages, 1, "1 GiB at 4K: 1 PMD page");
	is_int(c.pud_pages, 1, "plus the process's own PUD page");
	is_int(c.total_bytes, 514 * 4096, "514 pages in all");

	c = cost(8, GiB, 4096, false, false, false);
	is_int(c.total_pages, 8 * 514, "8 x 1 GiB tmpfs at 4K: 514 pages per process");

	c = cost(8, 4 * GiB, 2 * MiB, false, false, true);
	is_int(c.total_pages, 12, "8 x 4 GiB hugetlb aligned, shared: 4 PMD + 8 PUD = 12 pages");
	is_int(c.shared_pmd_pages, 4, "four shared PMD pages");
	c = cost(8, 4 * GiB, 2 * MiB, false, false, false);
	is_int(c.total_pages, 40, "same without sharing: 32 PMD + 8 PUD");

	c = cost(8, 4 * GiB, 2 * MiB, true, false, true);
	is_int(c.total_pages, 48, "misaligned per process: 5 PMD + 1 PUD each = 48, even with sharing");
	is_int(c.shared_pmd_pages, 0, "no inner chunk lines up with another process's");
	c = cost(8, 4 * GiB, 2 * MiB, false, true, true);
	is_int(c.total_pages, 27, "one common misalignment: 3 inner chunks shared + 16 private + 8 PUD = 27");

	c = cost(4, 2 * GiB, 4096, false, false, true);
	is_int(c.total_pages, 2 * 513 + 4, "4K with sharing: 513 pages per GiB once, plus 4 PUD pages");
	c = cost(4, 2 * GiB, 4096, false, false, false);
	is_int(c.total_pages, 4 * (2 * 513 + 1), "4K without sharing: 4 x (2 x 513 + 1)");

	c = cost(2, 2 * GiB, GiB, false, false, true);
	is_int(c.total_pages, 2, "1 GiB pages: only the PUD pages");

	c = cost(1, 3 * MiB * 2, 2 * MiB, false, false, true);
	is_int(c.pmd_pages, 1, "a partial GiB still needs a PMD page");
	is_int(c.shared_pmd_pages, 0, "a partial GiB is never shared");

	c = cost(1024, GiB, 4096, false, false, false);
	is_int(c.total_bytes, 1024ull * 514 * 4096, "1024 x 1 GiB at 4K: about 2 GiB of tables");
	{
		uint64_t a = 0x200000001000ull;
		struct pt_model_input in = { .nprocs = 1, .size = GiB, .page_size = 2 * MiB, .addrs = &a };

		is_int(pt_model(&in, &c), -1, "an address not aligned to the page size is rejected");
		in.page_size = 8192;
		is_int(pt_model(&in, &c), -1, "an unknown page size is rejected");
	}
	return done_testing();
}
