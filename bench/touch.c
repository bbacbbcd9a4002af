// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "touch.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static const char *const names[] = { "read", "write", "populate", "populate-write" };

int touch_parse(const char *s, enum touch_mode *mode)
{
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -1;
}

const char *touch_mode_name(enum touch_mode mode)
{
	return names[mode];
}

int touch_is_write(enum touch_mode mode)
{
	return mode == TOUCH_WRITE || mode == TOUCH_POPULATE_WRITE;
}

static void faults(uint64_t *minflt, uint64_t *majflt)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*minflt = ru.ru_minflt;
	*majflt = ru.ru_majflt;
}

int touch_range(void *addr, uint64_t len, uint64_t stride, enum touch_mode mode,
		uint8_t value, struct touch_result *r)
{
	volatile uint8_t *p = addr;
	uint64_t min0, maj0, t0, sum = 0, n = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!stride)
		stride = 4096;
	faults(&min0, &maj0);
	t0 = now_ns();
	switch (mode) {
	case TOUCH_READ:
		for (uint64_t off = 0; off < len; off += stride, n++)
			sum += p[off];
		break;
	case TOUCH_WRITE:
		for (uint64_t off = 0; off < len; off += stride, n++)
			p[off] = value;
		break;
	case TOUCH_POPULATE:
		rc = madvise(addr, len, MADV_POPULATE_READ);
		break;
	case TOUCH_POPULATE_WRITE:
		rc = madvise(addr, len, MADV_POPULATE_WRITE);
		break;
	}
	r->ns = now_ns() - t0;
	faults(&r->minflt, &r->majflt);
	r->minflt -= min0;
	r->majflt -= maj0;
	r->touches = n;
	r->sum = sum;
	return rc;
}

double touch_pmd_probe(void *addr, uint64_t len, unsigned samples)
{
	const uint64_t block = 2 * MiB;
	uint64_t nblocks = len / block, step, probed = 0, pmd = 0;
	volatile uint8_t *p = addr;

	if (!nblocks || !samples)
		return -1;
	step = nblocks > samples ? nblocks / samples : 1;
	for (uint64_t b = 0; b < nblocks && probed < samples; b += step, probed++) {
		uint64_t m0, j0, m1, j1;
		volatile uint8_t *blk = p + b * block;

		(void)blk[0];
		faults(&m0, &j0);
		(void)blk[block - 4096];
		faults(&m1, &j1);
		if (m1 == m0 && j1 == j0)
			pmd++;
	}
	return probed ? (double)pmd / (double)probed : -1;
}
