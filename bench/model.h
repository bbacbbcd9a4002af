/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * model: the page-table cost model (x86-64, 4 KiB base pages, 512 entries
 * per table, 4-level paging below 128 TiB).
 *
 * Every process maps the same file range [file_off, file_off + size) at
 * its own virtual address.  Per process the mapping needs:
 *   - one PTE page per 2 MiB region touched, for 4 KiB mappings;
 *   - one PMD page per 1 GiB region touched, for 4 KiB and 2 MiB mappings;
 *   - one PUD page per 512 GiB region touched (the placement module puts
 *     every mapping in a 512 GiB region that holds nothing else, so these
 *     pages are caused by the mapping alone);
 *   - nothing at 1 GiB mappings but the PUD entries.
 * With PMD sharing (hugetlb, or FS/DAX with the bundled patch) a PMD page
 * whose 1 GiB region is wholly covered by the mapping, with the same file
 * offset at the region start, is allocated once for all such processes,
 * together with the PTE pages hanging off it; partially covered regions
 * stay private.
 */
#ifndef PTSHARE_MODEL_H
#define PTSHARE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_PAGE_BYTES	4096u
#define PT_ENTRIES	512u
#define PTE_SPAN	(UINT64_C(2) << 20)	/* one PTE page maps 2 MiB */
#define PMD_SPAN	(UINT64_C(1) << 30)	/* one PMD page maps 1 GiB */
#define PUD_SPAN	(UINT64_C(512) << 30)	/* one PUD page maps 512 GiB */

struct pt_model_input {
	unsigned nprocs;
	uint64_t size;		/* bytes mapped and touched by each process */
	uint64_t page_size;	/* 4096, 2 MiB or 1 GiB */
	uint64_t file_off;	/* file offset of the mapping's start */
	const uint64_t *addrs;	/* nprocs start addresses */
	bool share_pmd;		/* whether the kernel shares PMD pages */
};

struct pt_model_cost {
	uint64_t pte_pages, pmd_pages, pud_pages;
	uint64_t shared_pmd_pages;	/* PMD pages used by two or more processes */
	uint64_t total_pages;
	uint64_t total_bytes;
};

/* Returns 0, or -1 for an invalid input (page size, alignment). */
int pt_model(const struct pt_model_input *in, struct pt_model_cost *out);

/* Closed forms for one aligned process: bytes of tables per GiB mapped. */
uint64_t pt_model_bytes_per_gib(uint64_t page_size);

#endif
