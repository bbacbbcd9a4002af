#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare stress on hugetlbfs, whose PMD tables mainline shares between
# processes mapping it at 1 GiB-aligned addresses: the smoke set (every
# scenario; steps hugetlbfs cannot do are skipped with the reason), then
# every scenario's negative control, which must be reported as a failure.
# The pool is grown for the test and given back.  PTSHARE_STRESS_SEED
# repeats a run; the seed is printed either way.
. "$srcdir/tests/tap.sh"
. "$srcdir/tests/stress-lib.sh"
need_root "hugetlb pool, kernel log and exact PageTables readings"
# Lock first: another test may be holding a grown pool that it gives back.
measure_lock
# 2 GiB for the fork and PUD scenarios plus the headroom stress asks for.
stress_pool 1200
diag "seed $stress_seed (PTSHARE_STRESS_SEED=$stress_seed repeats it)"

stress_tap "$PTSHARE" stress --smoke --backing hugetlbfs --seed "$stress_seed"
stress_tap "$PTSHARE" stress --negative --backing hugetlbfs --seed "$stress_seed"
echo "1..$tap_n"
done_testing
