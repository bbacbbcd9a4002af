#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Bad input to harness/compare, harness/plot, harness/run and ptshare model:
# a one-line error naming the cause and the fix, exit 1 (2 for usage), and
# nothing written where it should not be.
. "$srcdir/tests/tap.sh"
plan 22

C="$srcdir/harness/compare"
PL="$srcdir/harness/plot"
R="$srcdir/harness/run"
D="$srcdir/tests/data/results"
export PTREPORT="${PTREPORT:-$top_builddir/bench/ptreport}"

# expect_error STATUS PATTERN DESCRIPTION CMD...
expect_error() {
	want=$1 pat=$2 desc=$3
	shift 3
	run "$@"
	lines=$(printf '%s\n' "$err" | grep -c .)
	[ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat"
	ok $? "$desc: exit $rc (want $want), one line naming it"
	[ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat" || show_output
}

expect_error 1 "$tap_tmp/nosuch: No such file or directory: give a result directory" \
	"compare: missing directory" sh "$C" "$D/base" "$tap_tmp/nosuch"

mkdir "$tap_tmp/empty"
expect_error 1 "holds no result documents" "compare: empty directory" sh "$C" "$tap_tmp/empty"

cp -r "$D/plus20" "$tap_tmp/corrupt" && chmod -R u+w "$tap_tmp/corrupt"
head -c 700 "$D/plus20/pgtable-2M.json" > "$tap_tmp/corrupt/pgtable-2M.json"
expect_error 1 "corrupt/pgtable-2M.json: line [0-9]* column [0-9]*: .*a corrupt result document" \
	"compare: truncated result document" sh "$C" "$D/base" "$tap_tmp/corrupt"

cp -r "$D/plus20" "$tap_tmp/incomplete" && chmod -R u+w "$tap_tmp/incomplete"
rm "$tap_tmp/incomplete/pgtable-2M.json"
expect_error 1 "manifest.tsv lists pgtable-2M.json, which is missing" \
	"compare: manifest names a missing file" sh "$C" "$tap_tmp/incomplete"

mkdir "$tap_tmp/foreign"
printf '{"schema": "ptshare-result/9", "cases": []}\n' > "$tap_tmp/foreign/x.json"
expect_error 1 "schema 'ptshare-result/9', not 'ptshare-result/1'" "compare: other schema version" \
	sh "$C" "$tap_tmp/foreign"

expect_error 2 "give one or more result directories" "compare: no arguments" sh "$C"
expect_error 2 "needs METRIC:PCT" "compare: bad --fail-on" sh "$C" --fail-on pt_meminfo_bytes "$D/base"
expect_error 2 "baseline 'nosuch' names no result directory" "compare: unknown baseline" \
	sh "$C" --baseline nosuch "$D/base" "$D/plus20"
expect_error 2 "unknown option '--bogus'" "compare: unknown option" sh "$C" --bogus "$D/base"
expect_error 2 "--alpha must be a number between 0 and 1" "compare: bad alpha" sh "$C" --alpha 2 "$D/base"

if command -v gnuplot >/dev/null 2>&1; then
	expect_error 1 "No such file or directory: give a result directory" "plot: missing directory" \
		sh "$PL" --out "$tap_tmp/plots" "$tap_tmp/nosuch"
	[ ! -e "$tap_tmp/plots" ] && [ -z "$(ls -a "$tap_tmp" | grep '^\.plot\.')" ]
	ok $? "plot: nothing left behind after the failure"
	mkdir "$tap_tmp/theirs"
	echo mine > "$tap_tmp/theirs/notes.txt"
	expect_error 1 "is not empty and not an earlier plot output" "plot: foreign output directory" \
		sh "$PL" --out "$tap_tmp/theirs" "$D/base"
	[ "$(ls "$tap_tmp/theirs")" = notes.txt ] && [ "$(cat "$tap_tmp/theirs/notes.txt")" = mine ]
	ok $? "plot: the foreign directory is untouched"
else
	for i in 1 2 3 4; do echo "ok $((tap_n + 1)) # SKIP gnuplot is not installed"; tap_n=$((tap_n + 1)); done
fi
expect_error 2 "--formats takes png and/or svg" "plot: bad format" sh "$PL" --formats gif "$D/base"

expect_error 1 "no workload set 'nosuch'" "run: unknown set" sh "$R" --ptshare "$PTSHARE" --set nosuch
printf 'reps three\n' > "$tap_tmp/bad.conf"
run sh "$R" --ptshare "$PTSHARE" --set "$tap_tmp/bad.conf" --dry-run
[ $rc -eq 1 ] && printf '%s\n' "$err" | grep -q "bad.conf:1: reps needs one number"
ok $? "run: a malformed set names the file and line"
mkdir -p "$tap_tmp/done"
: > "$tap_tmp/done/manifest.tsv"
printf 'run t pgtable --backing tmpfs --size 4M --procs 1\n' > "$tap_tmp/t.conf"
expect_error 1 "already holds a run" "run: --out onto an earlier run" \
	sh "$R" --ptshare "$PTSHARE" --set "$tap_tmp/t.conf" --out "$tap_tmp/done"
expect_error 2 "--reps needs a number" "run: bad --reps" sh "$R" --reps x

expect_error 1 "no pgtable results" "model --from a set without pgtable results" \
	"$PTSHARE" model --from "$D/plotfix"
expect_error 1 "No such file or directory" "model --from a missing directory" "$PTSHARE" model --from "$tap_tmp/nosuch"
expect_error 2 "do not fit below 128 TiB" "model: a mapping beyond 4-level paging" \
	"$PTSHARE" model --procs 10 --size 100T
done_testing
