#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare fault at small scale: every timed touch is in the histograms,
# percentiles are ordered, the timer's overhead is measured and recorded,
# and on hugetlbfs at 1 GiB-aligned addresses the first process takes a
# fault per 2 MiB page while the later one attaches the shared PMD table
# (mainline hugetlb PMD sharing); misaligned, both fault every page.
. "$srcdir/tests/tap.sh"
need_root "the hugetlb pool and a private tmpfs mount"
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
[ -d $hp ] || skip_all "no 2 MiB hugetlb pages in this kernel"
measure_lock	# the hugetlb pool and /tmp/ptshare-tmpfs.* are shared with other tests

need=512
free=$(cat $hp/free_hugepages)
orig=$(cat $hp/nr_hugepages)
if [ "$free" -lt $need ]; then
	trap 'echo "$orig" > '$hp'/nr_hugepages; rm -rf "$tap_tmp"' EXIT
	echo $((orig + need - free)) > $hp/nr_hugepages
	free=$(cat $hp/free_hugepages)
	[ "$free" -ge $need ] || skip_all "cannot get $need free 2 MiB hugetlb pages (got $free)"
fi
plan 19

# every_process FILE: "ok" when every listed process of every case and
# repetition has histogram_count == touches_count == WANT, and each merged
# histogram holds all of its group's touches.
every_process() {
	f=$1 want=$2 bad=0
	for c in $(seq 0 $(($("$PTJSON" len "$f" cases) - 1))); do
		for r in $(seq 0 $(($("$PTJSON" len "$f" cases.$c.repetitions) - 1))); do
			base=cases.$c.repetitions.$r
			[ "$(jget "$f" $base.histogram.count)" = "$(jget "$f" $base.touches_total_count)" ] || bad=$((bad + 1))
			for p in $(seq 0 $(($("$PTJSON" len "$f" $base.processes) - 1))); do
				h=$(jget "$f" $base.processes.$p.histogram_count)
				t=$(jget "$f" $base.processes.$p.touches_count)
				[ "$h" = "$t" ] && [ "$t" = "$want" ] || bad=$((bad + 1))
			done
		done
	done
	[ $bad -eq 0 ]
}

# ordered FILE CASE: p50 <= p90 <= p99 <= p99.9 <= max (medians of the repetitions)
ordered() {
	m=cases.$2.metrics
	num_cmp "$(jget "$1" $m.touch_p50_ns.median)" '<=' "$(jget "$1" $m.touch_p90_ns.median)" &&
	num_cmp "$(jget "$1" $m.touch_p90_ns.median)" '<=' "$(jget "$1" $m.touch_p99_ns.median)" &&
	num_cmp "$(jget "$1" $m.touch_p99_ns.median)" '<=' "$(jget "$1" $m.touch_p999_ns.median)" &&
	num_cmp "$(jget "$1" $m.touch_p999_ns.median)" '<=' "$(jget "$1" $m.touch_max_ns.median)"
}

A=$tap_tmp/aligned.json
run "$PTSHARE" fault --backing hugetlbfs --size 1G --procs 2 --order serial --reps 3 --json "$A" --quiet
ok $rc "hugetlbfs aligned, serial: runs"
[ $rc -eq 0 ] || show_output
[ "$(jget "$A" cases.0.id)" = "procs=2,rank=first" ] && [ "$(jget "$A" cases.1.id)" = "procs=2,rank=later" ]
ok $? "one case for the first process, one for the later ones"
every_process "$A" 512
ok $? "every histogram holds exactly the 512 timed touches (1 GiB at a 2 MiB stride)"
first=$(jget "$A" cases.0.metrics.minflt_count.median)
later=$(jget "$A" cases.1.metrics.minflt_count.median)
[ "$first" -ge 512 ]
ok $? "the first process takes a fault per 2 MiB page ($first faults)"
[ "$later" -ge 1 ] && [ $((later * 16)) -le "$first" ]
ok $? "the later process finds the PMD table shared: $later faults, at most 1/16 of the first's"
p50f=$(jget "$A" cases.0.metrics.touch_p50_ns.median)
p50l=$(jget "$A" cases.1.metrics.touch_p50_ns.median)
num_cmp "$p50f" '>' 0 && num_cmp "$p50l" '<' "$p50f"
ok $? "median touch latency: first $p50f ns (a fault), later $p50l ns (no fault)"
ordered "$A" 0 && ordered "$A" 1
ok $? "p50 <= p90 <= p99 <= p99.9 <= max in both cases"
oh=$(jget "$A" timer.overhead_median_ns)
res=$(jget "$A" timer.resolution_ns)
src=$(jget "$A" timer.source)
num_cmp "$oh" '>' 0 && num_cmp "$oh" '<' 100000 && num_cmp "$res" '>' 0 && [ -n "$src" ] &&
	[ "$(jget "$A" timer.overhead_subtracted)" = true ]
ok $? "the timer ($src) has its overhead ($oh ns, subtracted) and resolution ($res ns) recorded"
n=$(jget "$A" cases.0.metrics.touch_p50_ns.n)
[ "$n" = 3 ]
ok $? "one value per repetition ($n)"
[ "$(jget "$A" topology.format)" = hwloc-xml ] && jget "$A" topology.xml | grep -q '<topology' ||
	[ "$(jget "$A" topology.format)" = "none (built without hwloc)" ]
ok $? "the result carries the hwloc topology XML"

M=$tap_tmp/misaligned.json
run "$PTSHARE" fault --backing hugetlbfs --size 1G --procs 2 --misalign --reps 3 --json "$M" --quiet
ok $rc "hugetlbfs misaligned: runs"
[ $rc -eq 0 ] || show_output
first=$(jget "$M" cases.0.metrics.minflt_count.median)
later=$(jget "$M" cases.1.metrics.minflt_count.median)
[ "$first" -ge 512 ] && [ "$later" -ge 512 ]
ok $? "misaligned: nothing shared, both fault every 2 MiB page ($first and $later faults)"
every_process "$M" 512
ok $? "misaligned: every histogram holds its 512 touches"

T=$tap_tmp/tmpfs.json
run "$PTSHARE" fault --backing tmpfs --page-size 4K --size 32M --procs 1,3 --order concurrent --touch write \
	--reps 2 --json "$T" --quiet
ok $rc "tmpfs 4K, concurrent, write: runs"
[ $rc -eq 0 ] || show_output
every_process "$T" 8192
ok $? "tmpfs: every histogram holds exactly the 8192 timed touches (32 MiB at 4 KiB)"
f=$(jget "$T" cases.2.metrics.minflt_count.median)
[ "$f" -ge 8192 ]
ok $? "tmpfs 4K: later processes take a write fault per page too ($f)"
ranks=$(for r in 0 1; do for p in 0 1; do jget "$T" cases.2.repetitions.$r.processes.$p.rank; done; done | sort | uniq | tr '\n' ' ')
[ "$ranks" = "1 2 " ]
ok $? "concurrent: the later processes are ranked 1 and 2 by start time ($ranks)"
ordered "$T" 0 && ordered "$T" 2
ok $? "tmpfs: p50 <= p90 <= p99 <= p99.9 <= max"

run "$PTSHARE" fault --backing tmpfs --page-size 4K --size 8M --procs 2 --clock clock --reps 1 \
	--json "$tap_tmp/clock.json" --quiet
[ $rc -eq 0 ] && [ "$(jget "$tap_tmp/clock.json" timer.source)" = "clock_gettime(CLOCK_MONOTONIC)" ] &&
	every_process "$tap_tmp/clock.json" 2048
ok $? "--clock clock: clock_gettime, every touch in the histograms"
done_testing
