// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "placement.h"
#include "model.h"
#include "procfs.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

#define USER_VA_END UINT64_C(0x7ffffffff000)	/* 47-bit user space */

static uint64_t misalign_offset(unsigned index)
{
	return (uint64_t)(index % PLACEMENT_MISALIGN_SLOTS + 1) * (2 * MiB);
}

uint64_t placement_addr(const struct placement *pl, unsigned index)
{
	return pl->base + (pl->misalign ? misalign_offset(index) : 0);
}

unsigned placement_distinct_offsets(const struct placement *pl, unsigned nworkers)
{
	if (!pl->misalign)
		return 1;
	return nworkers < PLACEMENT_MISALIGN_SLOTS ? nworkers : PLACEMENT_MISALIGN_SLOTS;
}

int placement_setup(struct placement *pl, uint64_t span, char *err, size_t errlen)
{
	uint64_t reach = span + (pl->misalign ? PLACEMENT_MISALIGN_SLOTS * 2 * MiB : 0);
	char *maps = read_file_alloc("/proc/self/maps", NULL);
	bool chosen = !pl->base;

	pl->span = span;
	if (!maps) {
		errf(err, errlen, "cannot read /proc/self/maps: is /proc mounted?");
		return -1;
	}
	if (chosen)
		pl->base = PLACEMENT_DEFAULT_BASE;
	for (;;) {
		uint64_t region = pl->base / PUD_SPAN * PUD_SPAN;
		uint64_t region_end = (pl->base + reach + PUD_SPAN - 1) / PUD_SPAN * PUD_SPAN;

		if (pl->base % GiB) {
			errf(err, errlen, "--base 0x%llx is not 1 GiB aligned",
				 (unsigned long long)pl->base);
			break;
		}
		if (pl->base + reach > USER_VA_END || pl->base + reach < pl->base) {
			errf(err, errlen, "mapping of %llu bytes at 0x%llx does not fit in user space",
				 (unsigned long long)reach, (unsigned long long)pl->base);
			break;
		}
		if (maps_range_free(maps, region, region_end)) {
			free(maps);
			return 0;
		}
		if (!chosen) {
			errf(err, errlen, "the 512 GiB region around --base 0x%llx already holds mappings: choose another base",
				 (unsigned long long)pl->base);
			break;
		}
		pl->base = region_end;	/* try the next empty 512 GiB region */
	}
	free(maps);
	return -1;
}
