#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# tap_fold (tests/tap.sh), which the stress and guest tests use to take in
# another producer's results: numbered and plain result lines, failures,
# directives, diagnostics, the plan, a missing file.
. "$srcdir/tests/tap.sh"

plan 6

# fold FILE in a child test and keep what it printed and its counters
fold_in() {
	(
		tap_n=0 tap_failed=0
		tap_fold "$1"
		echo "results=$tap_fold_results plan=$tap_fold_plan failed=$tap_failed"
	) >"$tap_tmp/folded"
}

cat >"$tap_tmp/in" <<'IN'
1..5
ok 1 - attach-detach: 12 rounds
# seed 42
not ok 2 - truncate: round 3 reads zero
ok 3 - sync # SKIP writeback needs FS/DAX
ok 4
not ok pgtable-2M: 3 pages, expected 2 (exit 1)
unrelated output line
IN
fold_in "$tap_tmp/in"
cat >"$tap_tmp/want" <<'WANT'
ok 1 - attach-detach: 12 rounds
# seed 42
not ok 2 - truncate: round 3 reads zero
ok 3 - sync # SKIP writeback needs FS/DAX
ok 4 - 
not ok 5 - pgtable-2M: 3 pages, expected 2 (exit 1)
results=5 plan=5 failed=2
WANT
cmp -s "$tap_tmp/want" "$tap_tmp/folded"
ok $? "numbered and plain lines are renumbered, failures counted, diagnostics and directives kept"
[ $? -eq 0 ] || diff "$tap_tmp/want" "$tap_tmp/folded" | sed 's/^/#   /'

grep -q 'unrelated' "$tap_tmp/folded"
[ $? -ne 0 ]
ok $? "lines that are not TAP are dropped"

# numbering continues from the folding test's own results
(
	tap_n=7 tap_failed=0
	tap_fold "$tap_tmp/in" | head -n 1
) >"$tap_tmp/first"
[ "$(cat "$tap_tmp/first")" = "ok 8 - attach-detach: 12 rounds" ]
ok $? "folded results continue the caller's numbering"

printf 'ok 1 - a\nok 2 - b\n' >"$tap_tmp/noplan"
fold_in "$tap_tmp/noplan"
[ "$(tail -n 1 "$tap_tmp/folded")" = "results=2 plan= failed=0" ]
ok $? "no plan line leaves tap_fold_plan empty"

printf '1..3 # partial\nok 1 - a\n' >"$tap_tmp/short"
fold_in "$tap_tmp/short"
[ "$(tail -n 1 "$tap_tmp/folded")" = "results=1 plan=3 failed=0" ]
ok $? "a plan with a comment is read as its number, and a short run shows in the counts"

fold_in "$tap_tmp/does-not-exist"
[ "$(cat "$tap_tmp/folded")" = "results=0 plan= failed=0" ]
ok $? "a missing file folds nothing"

done_testing
