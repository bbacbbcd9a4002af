#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The result document: valid JSON with the metadata needed to reproduce the
# run, units in metric names, one value per repetition; CSV consistent.
. "$srcdir/tests/tap.sh"
measure_lock
plan 9

run "$PTSHARE" pgtable --backing tmpfs --page-size 4K --size 64M --procs 1,2 --reps 2 --seed 42 \
	--json "$tap_tmp/r.json" --csv "$tap_tmp/r.csv" --quiet
ok $rc "pgtable writes JSON and CSV"
[ $rc -eq 0 ] || show_output
"$PTJSON" check "$tap_tmp/r.json"
ok $? "the JSON document parses"

missing=
for p in schema benchmark suite.version suite.git run.id run.command run.seed run.started_utc \
	run.finished_utc machine.kernel_release machine.kernel_cmdline machine.cpu_model machine.cpus_online \
	machine.mem_total_bytes machine.thp.enabled backing.kind backing.fs_type backing.mount_options \
	backing.page_size_check.page_size_seen_bytes probes.meminfo_pagetables.counts_shared_table \
	parameters.size_bytes parameters.page_size_bytes parameters.placement cases.0.params.procs \
	cases.0.observations.model_unshared_bytes; do
	jget "$tap_tmp/r.json" "$p" >/dev/null || missing="$missing $p"
done
[ -z "$missing" ]
ok $? "metadata present${missing:+ (missing:$missing)}"

[ "$(jget "$tap_tmp/r.json" run.seed)" = 42 ]
ok $? "the seed is recorded"
[ "$(jget "$tap_tmp/r.json" cases.1.metrics.pt_meminfo_bytes.n)" = 2 ]
ok $? "one value per repetition"
[ "$(jget "$tap_tmp/r.json" cases.1.metrics.pt_meminfo_bytes.unit)" = bytes ]
ok $? "units come from metric names"
bad=$("$PTJSON" keys "$tap_tmp/r.json" cases.0.metrics | grep -Ev '_(bytes|pages|ns|count|ratio)$')
[ -z "$bad" ]
ok $? "every metric name ends in its unit${bad:+ (not: $bad)}"

rows=$(($(wc -l < "$tap_tmp/r.csv") - 1))
want=0
for c in 0 1; do
	for m in $("$PTJSON" keys "$tap_tmp/r.json" cases.$c.metrics); do
		want=$((want + $(jget "$tap_tmp/r.json" cases.$c.metrics.$m.n)))
	done
done
[ "$rows" -eq "$want" ]
ok $? "CSV has one row per value ($rows rows, $want values)"
"$PTJSON" csv "$tap_tmp/r.json" | cmp -s - "$tap_tmp/r.csv"
ok $? "CSV made from the stored JSON equals the CSV written by the run"
done_testing
