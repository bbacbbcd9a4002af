#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check-vm: boot the kernel under test (PTSHARE_VM_KERNEL; the patched
# debug kernel, or stock until kernel-patch/series exists) and run the quick
# set (harness/guest/quick-set) with vm.fsdax_pmd_share off and on when the
# kernel has it.  Fails on a failed assertion or on any kernel report
# (WARNING, BUG, Oops, KASAN, lockdep, non-zero pgtables_bytes).
# Skips (77) when no guest kernel is built; never builds one.
. "$srcdir/tests/tap.sh"
. "$srcdir/tests/vm-lib.sh"
vm_need_kernel

vm_run quick --timeout "${PTSHARE_VM_TIMEOUT:-3600}" \
	--run "PTSHARE_CHECK_VM_SETS='${PTSHARE_CHECK_VM_SETS:-}' sh harness/guest/quick-set"
res="$vm_results/quick/quick/results.txt"
n=0
[ -f "$res" ] && n=$(grep -c '^\(ok\|not ok\)' "$res")
plan $((n + 2))
tap_fold "$res"
vm_verdict "$vm_results/quick" "the quick set"
done_testing
