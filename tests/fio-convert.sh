#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare fio --input: fio JSON output stored from real fio 3.33 runs
# (tests/data/fio-*.json, see tests/unit/test_fioconv.c) converted into
# the suite's result schema; figures checked against the fio documents
# themselves; malformed and failed output give a one-line error.  Needs
# no fio and no root.
. "$srcdir/tests/tap.sh"
plan 15
D=$srcdir/tests/data
G=$D/fio-mmap-randread-grouped.json
W=$D/fio-mmap-randwrite-2jobs.json

run "$PTSHARE" fio --input "$G" --json "$tap_tmp/g.json" --quiet
ok $rc "grouped randread output converts"
[ $rc -eq 0 ] || show_output
"$PTJSON" check "$tap_tmp/g.json" && [ "$(jget "$tap_tmp/g.json" schema)" = ptshare-result/1 ] &&
	[ "$(jget "$tap_tmp/g.json" benchmark)" = fio ]
ok $? "the result is a ptshare-result/1 document of benchmark fio"
[ "$(jget "$tap_tmp/g.json" cases.0.id)" = procs=2 ]
ok $? "the case is named by fio's numjobs (procs=2)"
[ "$(jget "$tap_tmp/g.json" cases.0.metrics.read_bw_bytes_per_s.median)" = "$(jget "$G" jobs.0.read.bw_bytes)" ] &&
	[ "$(jget "$tap_tmp/g.json" cases.0.metrics.minflt_count.median)" = "$(jget "$G" jobs.0.minf)" ] &&
	[ "$(jget "$tap_tmp/g.json" cases.0.metrics.read_clat_max_ns.median)" = "$(jget "$G" jobs.0.read.clat_ns.max)" ]
ok $? "bandwidth, faults and max latency are fio's (read.bw_bytes, minf, clat_ns.max)"
num_cmp "$(jget "$tap_tmp/g.json" cases.0.metrics.read_iops.median)" == "$(jget "$G" jobs.0.read.iops)"
ok $? "IOPS is fio's read.iops"
[ "$(jget "$tap_tmp/g.json" cases.0.metrics.read_bw_bytes_per_s.better)" = higher ] &&
	[ "$(jget "$tap_tmp/g.json" cases.0.metrics.read_clat_p99_ns.better)" = lower ]
ok $? "bandwidth is better higher, latency better lower"
bad=$("$PTJSON" keys "$tap_tmp/g.json" cases.0.metrics | grep -Ev '_(bytes|ns|count|iops|pct|bytes_per_s)$')
[ -z "$bad" ] && ! jget "$tap_tmp/g.json" cases.0.metrics.write_iops >/dev/null
ok $? "every metric name ends in its unit, and nothing is made up for writes${bad:+ (not: $bad)}"

run "$PTSHARE" fio --input "$W" --input "$W" --json "$tap_tmp/w.json" --quiet
ok $rc "two runs of per-job (no group_reporting) output convert"
sum=$(awk -v a="$(jget "$W" jobs.0.write.bw_bytes)" -v b="$(jget "$W" jobs.1.write.bw_bytes)" 'BEGIN { printf "%.0f", a + b }')
[ "$(jget "$tap_tmp/w.json" cases.0.metrics.write_bw_bytes_per_s.median)" = "$sum" ]
ok $? "the two jobs' bandwidth is summed ($sum)"
[ "$(jget "$tap_tmp/w.json" cases.0.metrics.write_iops.n)" = 2 ] && [ "$("$PTJSON" len "$tap_tmp/w.json" cases)" = 1 ]
ok $? "each --input file is one repetition of its case"
jget "$tap_tmp/w.json" cases.0.repetitions.0.combined | grep -q "worst"
ok $? "the result says how per-job entries were combined"

# expect_error STATUS PATTERN DESCRIPTION CMD...
expect_error() {
	want=$1 pat=$2 desc=$3
	shift 3
	run "$@"
	lines=$(printf '%s\n' "$err" | grep -c .)
	[ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat"
	ok $? "$desc: exit $rc, one line: $err"
}
expect_error 1 "fio-truncated.json: not valid JSON: line [0-9]* column [0-9]*" "truncated output" \
	"$PTSHARE" fio --input "$D/fio-truncated.json" --quiet
expect_error 1 "fio job 'libpmem-randrw' failed with error 95" "a failed job" \
	"$PTSHARE" fio --input "$D/fio-libpmem-error.json" --quiet
printf '{"fio version": "fio-3.33"}\n' > "$tap_tmp/notfio.json"
expect_error 1 'no "jobs" array' "JSON that is not fio output" "$PTSHARE" fio --input "$tap_tmp/notfio.json" --quiet
expect_error 1 "cannot read fio output" "a missing file" "$PTSHARE" fio --input "$tap_tmp/nonexistent.json" --quiet
done_testing
