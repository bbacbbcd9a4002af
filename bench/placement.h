/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * placement: where each worker maps the shared file.
 *
 * Every worker maps at an address it chooses itself with
 * MAP_FIXED_NOREPLACE, so the layout does not depend on ASLR.  Aligned
 * placement puts every worker's mapping at the same 1 GiB-aligned base, so
 * each 1 GiB chunk of the file sits in one PMD page's span in every
 * process (what PMD sharing needs).  Misaligned placement adds a
 * different 2 MiB-granular offset per worker (1..511 x 2 MiB, cycling), so
 * no two of the first 511 workers have their 1 GiB chunks line up; one
 * common offset would not do, since the inner chunks would still line up.
 * The base is 512 GiB-aligned in a region holding no other mapping, so
 * the PUD pages the model counts are caused by the mapping alone.
 */
#ifndef PTSHARE_PLACEMENT_H
#define PTSHARE_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLACEMENT_DEFAULT_BASE	UINT64_C(0x200000000000)	/* 32 TiB */
#define PLACEMENT_MISALIGN_SLOTS 511u

struct placement {
	uint64_t base;		/* 1 GiB aligned; 0 = choose */
	bool misalign;
	uint64_t span;		/* bytes each worker maps (for checks) */
};

/* Choose/validate the base in this process's address space. */
int placement_setup(struct placement *pl, uint64_t span, char *err, size_t errlen);

/* Address where worker @index maps. */
uint64_t placement_addr(const struct placement *pl, unsigned index);

/* Distinct 1 GiB alignments among @nworkers (what can share). */
unsigned placement_distinct_offsets(const struct placement *pl, unsigned nworkers);

#endif
