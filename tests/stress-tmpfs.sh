#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare stress on tmpfs (2 MiB pages): mainline shares no page tables
# for it, so this runs every scenario's checkers on a backing whose
# behaviour does not depend on sharing, including the 4 KiB steps that
# hugetlbfs cannot do.  PTSHARE_STRESS_SEED repeats a run.
. "$srcdir/tests/tap.sh"
. "$srcdir/tests/stress-lib.sh"
need_root "private tmpfs mount, kernel log and exact PageTables readings"
measure_lock
diag "seed $stress_seed (PTSHARE_STRESS_SEED=$stress_seed repeats it)"

stress_tap "$PTSHARE" stress --smoke --backing tmpfs --seed "$stress_seed"
echo "1..$tap_n"
done_testing
