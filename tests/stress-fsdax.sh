#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare stress on FS/DAX: the smoke set and the negative controls on a
# filesystem mounted -o dax, named by the environment (the QEMU guest of
# make check-vm sets it):
#   PTSHARE_TEST_FSDAX_DIR=/mnt/dax
# With the sharing patch and vm.fsdax_pmd_share=1 this is the patched
# kernel's correctness run.  PTSHARE_STRESS_SEED repeats a run.
. "$srcdir/tests/tap.sh"
. "$srcdir/tests/stress-lib.sh"
[ -n "$PTSHARE_TEST_FSDAX_DIR" ] ||
	skip_all "no DAX mount given (set PTSHARE_TEST_FSDAX_DIR; make check-vm does in its guest)"
need_root "kernel log and exact PageTables readings"
measure_lock
knob=/proc/sys/vm/fsdax_pmd_share
diag "seed $stress_seed; vm.fsdax_pmd_share: $(cat $knob 2>/dev/null || echo absent)"

stress_tap "$PTSHARE" stress --smoke --backing fsdax --path "$PTSHARE_TEST_FSDAX_DIR" --seed "$stress_seed"
stress_tap "$PTSHARE" stress --negative --backing fsdax --path "$PTSHARE_TEST_FSDAX_DIR" --seed "$stress_seed"
echo "1..$tap_n"
done_testing
