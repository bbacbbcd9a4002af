#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Bad input to the options of ptshare fault, fork, exit, migrate and fio:
# exit 2 and one line naming the cause (and the fix where there is one),
# before anything is created.
. "$srcdir/tests/tap.sh"
plan 47

# expect_error STATUS PATTERN DESCRIPTION CMD...
expect_error() {
	want=$1 pat=$2 desc=$3
	shift 3
	run "$@"
	lines=$(printf '%s\n' "$err" | grep -c .)
	[ "$rc" -eq "$want" ]
	ok $? "$desc: exit $rc (want $want)"
	[ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat"
	ok $? "$desc: one line naming it"
	[ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat" || show_output
}

P=$PTSHARE
expect_error 2 "--order must be serial or concurrent, not 'sideways'" "fault --order" $P fault --order sideways
expect_error 2 "--clock must be auto, tsc or clock, not 'sundial'" "fault --clock" $P fault --clock sundial
expect_error 2 "--touch populate cannot be timed page by page: use read or write" "fault --touch populate" \
	$P fault --touch populate
expect_error 2 "--list-procs must be a number" "fault --list-procs" $P fault --list-procs many
expect_error 2 "--stride is larger than --size" "fault --stride" $P fault --size 2M --stride 4M
expect_error 2 "sizes must be more than 0" "fork --sizes 0" $P fork --sizes 0
expect_error 2 "must look like 64M,256M,1G" "fork --sizes with an empty element" $P fork --sizes 1G,,2G
expect_error 2 "ranges low:high" "fork --sizes backwards" $P fork --sizes 2G:1G
expect_error 2 "--stride is larger than the smallest size" "fork --stride" $P fork --sizes 2M,1G --stride 4M
expect_error 2 "unknown suffix 'Q'" "exit --sizes 4Q" $P exit --sizes 4Q
expect_error 2 "--teardown must be exit, munmap or both, not 'never'" "exit --teardown" $P exit --teardown never
expect_error 2 "--from and --to are both node 1" "migrate --from = --to" $P migrate --from 1 --to 1
expect_error 2 "--method must be move or migrate, not 'teleport'" "migrate --method" $P migrate --method teleport
expect_error 2 "--from must be a NUMA node number, not 'x'" "migrate --from" $P migrate --from x
expect_error 2 "no JOB file" "fio without a job" $P fio
expect_error 2 "job file 'nosuchjob' not found: give a path" "fio with an unknown job" $P fio nosuchjob
expect_error 2 "--runtime must be whole seconds" "fio --runtime 500ms" $P fio --runtime 500ms mmap-randread
expect_error 2 "one job file only" "fio with two jobs" $P fio "$srcdir/workloads/fio/mmap-randread.fio" b
expect_error 2 "not both" "fio with a job and --input" \
	$P fio --input x.json "$srcdir/workloads/fio/mmap-randread.fio"
expect_error 2 "unexpected argument 'extra'" "fault with an argument" $P fault extra
expect_error 2 "unknown option '--sizes'" "fault has no --sizes" $P fault --sizes 1G
for c in fault fork exit migrate fio; do
	run "$P" $c --help
	[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^Usage: ptshare $c"
	ok $? "$c --help"
done
done_testing
