/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * projection: the page-table cost model (model.h) for any number of
 * processes, at the addresses the placement module gives them, without
 * walking every process.
 *
 * Processes with the same offset from the 1 GiB boundary form a class:
 * all of them (aligned placement), or process i in class i mod 511
 * (misaligned).  Whole 1 GiB regions of processes in one class map the
 * same file offsets, so with PMD sharing they share; regions of different
 * classes map different offsets and never do.  Within a class of c
 * processes the cost is therefore linear: cost(1) + (c - 1) * (cost(2) -
 * cost(1)), with cost(k) from pt_model(); without sharing it is c *
 * cost(1).  Summing the classes gives pt_model()'s answer for N
 * processes (tests/unit/test_projection checks that) at the price of
 * three pt_model() calls per class, so 10,000 processes x 6 TiB take
 * milliseconds.
 */
#ifndef PTSHARE_PROJECTION_H
#define PTSHARE_PROJECTION_H

#include <stdint.h>

#include "model.h"
#include "placement.h"

/*
 * Cost of @nprocs processes mapping @size bytes at @page_size, placed by
 * @pl (base and misalign; pl->base must be set), with and without PMD
 * sharing.  Returns 0, or -1 for an input the model rejects (page size,
 * alignment, an address range beyond 47 bits).
 */
int pt_project(uint64_t nprocs, uint64_t size, uint64_t page_size, const struct placement *pl,
	       struct pt_model_cost *unshared, struct pt_model_cost *shared);

/* The highest user address of 4-level paging that the model covers. */
#define PT_USER_VA_END UINT64_C(0x7ffffffff000)

#endif
