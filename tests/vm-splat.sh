#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A kernel report in the guest fails the run: boot the kernel under test,
# crash it on purpose from the payload (sysrq-trigger c: an Oops and a
# panic, harmless outside the guest) and check that harness/vm fails and
# shows the report.  The payload's own "BUG:" line must not be what is
# reported.  Run by make check-vm (one short boot, no file system); skips
# (77) when no guest kernel is built; never builds one.
. "$srcdir/tests/tap.sh"
. "$srcdir/tests/vm-lib.sh"
vm_need_kernel
plan 4

vm_run splat --timeout "${PTSHARE_VM_TIMEOUT:-900}" --fs none --no-verify --hugepages 0 \
	--run 'echo "BUG: payload text, not a kernel report"; echo c > /proc/sysrq-trigger; sleep 30'
dir="$vm_results/splat"
[ "$rc" -eq 1 ]
ok $? "harness/vm fails when the guest kernel crashes (exit $rc)"
grep -Eq 'sysrq|Oops|Kernel panic' "$dir/kernel-splats.txt" 2>/dev/null
ok $? "the report is saved in kernel-splats.txt"
printf '%s\n' "$err" | grep -q '^vm: the kernel reported problems'
ok $? "the report is shown on stderr"
! grep -q 'payload text' "$dir/kernel-splats.txt" 2>/dev/null
ok $? "the payload's own BUG: line is not taken for a kernel report"
[ $rc -eq 1 ] || show_output
done_testing
