#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare fork and ptshare exit on unshared 4 KiB tmpfs mappings at two
# sizes 16x apart: every time is positive, and what tears down or fills
# page tables (the child's touches and exit, exit and munmap of N
# processes) grows with the size.  fork() itself copies no page tables of
# a shared file mapping in mainline (vma_needs_copy()), so its time is only
# checked to be positive; the child's fault count checks that it really
# had to fault the range in again.
. "$srcdir/tests/tap.sh"
need_root "a private tmpfs mount"
measure_lock	# timings, and /tmp/ptshare-tmpfs.* is shared with other tests
plan 14

# med FILE CASE METRIC
med() { jget "$1" "cases.$2.metrics.$3.median"; }

F=$tap_tmp/fork.json
run "$PTSHARE" fork --backing tmpfs --page-size 4K --sizes 16M,256M --touch write --reps 3 --json "$F" --quiet
ok $rc "fork: runs"
[ $rc -eq 0 ] || show_output
ids=$(for c in 0 1 2; do jget "$F" cases.$c.id; done | tr '\n' ' ')
[ "$ids" = "size=0 size=16M size=256M " ]
ok $? "fork: the no-mapping baseline and one case per size ($ids)"
allpos=0
for c in 0 1 2; do
	for m in fork_ns child_start_ns child_exit_ns; do
		num_cmp "$(jget "$F" cases.$c.metrics.$m.min)" '>' 0 || allpos=1
	done
done
[ $allpos -eq 0 ]
ok $? "fork: fork, child start and child exit times are all positive"
small=$(med "$F" 1 child_touch_ns) big=$(med "$F" 2 child_touch_ns)
num_cmp "$big" '>' "$small" && num_cmp "$small" '>' 0
ok $? "fork: the child's touch time grows with the size ($small -> $big ns)"
small=$(med "$F" 1 child_exit_ns) big=$(med "$F" 2 child_exit_ns)
num_cmp "$big" '>' "$small"
ok $? "fork: the child's exit time grows with the size ($small -> $big ns)"
small=$(med "$F" 1 child_minflt_count) big=$(med "$F" 2 child_minflt_count)
[ "$small" -ge 4096 ] && [ "$big" -ge 65536 ]
ok $? "fork: the child faults every 4 KiB page again ($small and $big faults)"
[ "$(med "$F" 2 child_touches_count)" = 65536 ]
ok $? "fork: the child touched 256 MiB page by page"

E=$tap_tmp/exit.json
run "$PTSHARE" exit --backing tmpfs --page-size 4K --sizes 16M,256M --procs 2 --touch write --reps 3 \
	--json "$E" --quiet
ok $rc "exit: runs"
[ $rc -eq 0 ] || show_output
ids=$(for c in 0 1 2 3 4; do jget "$E" cases.$c.id; done | tr '\n' ' ')
[ "$ids" = "procs=2,size=0,teardown=exit procs=2,size=16M,teardown=exit procs=2,size=16M,teardown=munmap procs=2,size=256M,teardown=exit procs=2,size=256M,teardown=munmap " ]
ok $? "exit: a no-mapping baseline, then exit and munmap per size"
allpos=0
for c in 0 1 2 3 4; do
	num_cmp "$(jget "$E" cases.$c.metrics.exit_all_reaped_ns.min)" '>' 0 || allpos=1
done
for c in 2 4; do
	num_cmp "$(jget "$E" cases.$c.metrics.munmap_median_ns.min)" '>' 0 || allpos=1
done
[ $allpos -eq 0 ]
ok $? "exit: every exit and munmap time is positive"
small=$(med "$E" 1 exit_all_reaped_ns) big=$(med "$E" 3 exit_all_reaped_ns)
num_cmp "$big" '>' "$small"
ok $? "exit: the time until both are reaped grows with the size ($small -> $big ns)"
small=$(med "$E" 2 munmap_median_ns) big=$(med "$E" 4 munmap_median_ns)
num_cmp "$big" '>' "$small"
ok $? "exit: munmap time grows with the size ($small -> $big ns)"
mx=$(med "$E" 4 munmap_max_ns) md=$(med "$E" 4 munmap_median_ns)
num_cmp "$mx" '>=' "$md"
ok $? "exit: the slowest munmap is no faster than the median one"
[ "$(jget "$E" cases.4.metrics.munmap_median_ns.n)" = 3 ] && [ "$("$PTJSON" len "$E" cases.4.repetitions.0.munmap_ns)" = 2 ]
ok $? "exit: one value per repetition, each process's munmap time in the details"
done_testing
