/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * touch: the access loop every benchmark uses to fault a mapping in, and
 * the fault accounting around it.
 */
#ifndef PTSHARE_TOUCH_H
#define PTSHARE_TOUCH_H

#include <stdint.h>

enum touch_mode {
	TOUCH_READ,		/* load one byte every stride */
	TOUCH_WRITE,		/* store one byte every stride */
	TOUCH_POPULATE,		/* MADV_POPULATE_READ over the range */
	TOUCH_POPULATE_WRITE,	/* MADV_POPULATE_WRITE over the range */
};

struct touch_result {
	uint64_t ns;		/* wall time of the loop */
	uint64_t touches;	/* accesses made (0 for populate) */
	uint64_t minflt, majflt;	/* getrusage(RUSAGE_SELF) deltas */
	uint64_t sum;		/* keeps the loads alive */
};

int touch_parse(const char *s, enum touch_mode *mode);
const char *touch_mode_name(enum touch_mode mode);
int touch_is_write(enum touch_mode mode);

/* Touch [addr, addr+len) every @stride bytes.  0, or -1 with errno. */
int touch_range(void *addr, uint64_t len, uint64_t stride, enum touch_mode mode,
		uint8_t value, struct touch_result *r);

/*
 * Is [addr, addr+len) mapped with 2 MiB entries?  For up to @samples
 * 2 MiB blocks, fault the first 4 KiB page, then read the last one and
 * count whether that took a fault.  Valid only where no fault-around maps
 * neighbours (DAX) and no other process shares the tables.  Returns the
 * fraction of blocks mapped by a single PMD entry, or -1.
 */
double touch_pmd_probe(void *addr, uint64_t len, unsigned samples);

#endif
