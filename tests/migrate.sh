#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare migrate.  With one NUMA node (the host) it must skip: exit 77
# with a one-line reason.  With two or more (the QEMU guest of harness/vm)
# it moves 64 MiB of tmpfs pages between two nodes with 1 and 2 mappers and
# every page must arrive; with PTSHARE_TEST_FSDAX_DIR set, FS/DAX pages
# must be reported as not moved, page by page.
. "$srcdir/tests/tap.sh"
need_root "MPOL_MF_MOVE_ALL and a private tmpfs mount"
nodes=0
for d in /sys/devices/system/node/node[0-9]*; do
	[ -d "$d" ] || continue
	mem=$(awk '/MemTotal/ { print $4 }' "$d/meminfo" 2>/dev/null)
	[ "${mem:-0}" -gt 0 ] && nodes=$((nodes + 1))
done
measure_lock	# /tmp/ptshare-tmpfs.* is shared with other tests

if [ "$nodes" -lt 2 ]; then
	plan 3
	run "$PTSHARE" migrate --backing tmpfs --size 64M --procs 1,2 --reps 1
	[ $rc -eq 77 ]
	ok $? "one NUMA node with memory: exit 77 (got $rc)"
	lines=$(printf '%s\n' "$err" | grep -c .)
	[ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q "needs two NUMA nodes with memory, this machine has 1"
	ok $? "one line naming the reason: $err"
	[ -z "$out" ]
	ok $? "and no result printed"
	done_testing
fi

plan 7
J=$tap_tmp/m.json
run "$PTSHARE" migrate --backing tmpfs --page-size 4K --size 64M --procs 1,2 --reps 2 --json "$J" --quiet
ok $rc "$nodes nodes: tmpfs 4K migrate runs"
[ $rc -eq 0 ] || show_output
pages=$(jget "$J" cases.1.metrics.pages_count.median)
[ "$pages" = 16384 ]
ok $? "one address per 4 KiB page ($pages)"
[ "$(jget "$J" cases.1.metrics.pages_reached_target_count.median)" = "$pages" ] &&
	[ "$(jget "$J" cases.1.metrics.pages_failed_count.max)" = 0 ]
ok $? "every page shared by 2 processes reached the target node, none failed"
num_cmp "$(jget "$J" cases.0.metrics.move_ns.min)" '>' 0 && num_cmp "$(jget "$J" cases.1.metrics.move_ns.min)" '>' 0
ok $? "move times are positive"
r=$(jget "$J" cases.1.observations.move_to_smallest_procs_ratio)
num_cmp "$r" '>' 0
ok $? "the growth with N is reported (2 mappers / 1: $r)"
if [ -n "$PTSHARE_TEST_FSDAX_DIR" ]; then
	D=$tap_tmp/dax.json
	run "$PTSHARE" migrate --backing fsdax --path "$PTSHARE_TEST_FSDAX_DIR" --size 64M --procs 2 --reps 1 \
		--json "$D" --quiet
	ok $rc "fsdax migrate runs"
	p=$(jget "$D" cases.0.metrics.pages_count.median)
	[ "$(jget "$D" cases.0.metrics.pages_reached_target_count.median)" = 0 ] &&
		[ "$(jget "$D" cases.0.metrics.pages_failed_count.median)" = "$p" ]
	ok $? "fsdax: no page moved, each of the $p reported failed ($(jget "$D" cases.0.observations.status_errors_count))"
else
	echo "ok 6 # SKIP no PTSHARE_TEST_FSDAX_DIR"
	echo "ok 7 # SKIP no PTSHARE_TEST_FSDAX_DIR"
	tap_n=7
fi
done_testing
