#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# harness/compare on stored result sets with known answers.
#
# tests/data/results/base and plus20 are composed by hand in the result
# schema (see tests/data/README.md): pgtable-2M, case procs=4, five values
# of pt_meminfo_bytes at 98..102 pages (median 409600 bytes) in base and
# exactly 1.2 times each in plus20 (median 491520, +20.00 %); the same for a
# higher-is-better bandwidth; a constant fault count.  Welch's t: means
# differ by 81920 bytes, standard error 4524, t = 18.1, p ~ 1e-7.  Mann-
# Whitney: all five plus20 values above all base values, exact two-sided
# p = 2 / C(10,5) = 2/252 = 0.0079.  base has a case (procs=8) and a failed
# run (exit-2M) that plus20 lacks; the kernels, one config option and the
# sharing sysctl differ.
. "$srcdir/tests/tap.sh"
plan 28

C="$srcdir/harness/compare"
D="$srcdir/tests/data/results"
export PTREPORT="${PTREPORT:-$top_builddir/bench/ptreport}"

# field LABEL CASE METRIC COLUMN < CSV: one column of one row of the CSV output
field() {
	awk -F, -v label="$1" -v kase="$2" -v metric="$3" -v col="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		$idx["label"] == label && $idx["case"] == kase && $idx["metric"] == metric { print $idx[col]; exit }'
}

run sh "$C" --csv "$D/base" "$D/plus20"
ok $rc "compare --csv exits 0"
printf '%s\n' "$out" > "$tap_tmp/c.csv"
chg=$(field plus20 procs=4 pt_meminfo_bytes median_change_pct < "$tap_tmp/c.csv")
num_cmp "$chg" '==' 20
ok $? "median change of pt_meminfo_bytes is +20 % ($chg)"
p=$(field plus20 procs=4 pt_meminfo_bytes p < "$tap_tmp/c.csv")
num_cmp "$p" '<' 1e-6 && num_cmp "$p" '>' 1e-8
ok $? "Welch's t-test: p around 1e-7 ($p)"
[ "$(field plus20 procs=4 pt_meminfo_bytes significant < "$tap_tmp/c.csv")" = 1 ] &&
	[ "$(field plus20 procs=4 pt_meminfo_bytes verdict < "$tap_tmp/c.csv")" = worse ]
ok $? "significant, and worse (lower is better)"
[ "$(field plus20 procs=4 bandwidth_mib_per_s verdict < "$tap_tmp/c.csv")" = better ]
ok $? "the same +20 % of a higher-is-better metric is better"
p=$(field plus20 procs=4 minflt_median_count p < "$tap_tmp/c.csv")
[ "$(field plus20 procs=4 minflt_median_count significant < "$tap_tmp/c.csv")" = 0 ] && num_cmp "$p" '==' 1
ok $? "an unchanged metric is not significant (p = $p)"
[ "$(field plus20 procs=8 pt_meminfo_bytes state < "$tap_tmp/c.csv")" = missing ] &&
	[ -z "$(field plus20 procs=8 pt_meminfo_bytes median < "$tap_tmp/c.csv")" ]
ok $? "a case plus20 lacks is missing, with no value invented"
grep -q '^exit-2M,.*,base,.*,failed,' "$tap_tmp/c.csv" && grep -q '^exit-2M,.*,plus20,.*,missing,' "$tap_tmp/c.csv"
ok $? "a failed run shows its status; a run absent from a set shows missing"
lo=$(field base procs=4 pt_meminfo_bytes ci95_lo < "$tap_tmp/c.csv")
hi=$(field base procs=4 pt_meminfo_bytes ci95_hi < "$tap_tmp/c.csv")
# 409600 -+ t(0.975, 4) * 4096 * sqrt(2.5) / sqrt(5) = 409600 -+ 2.776445 * 2896.31
num_cmp "$lo" '>' 401558 && num_cmp "$lo" '<' 401559 && num_cmp "$hi" '>' 417641 && num_cmp "$hi" '<' 417642
ok $? "95 % confidence interval of the mean [$lo, $hi]"

run sh "$C" --csv --test mwu "$D/base" "$D/plus20"
printf '%s\n' "$out" > "$tap_tmp/m.csv"
p=$(field plus20 procs=4 pt_meminfo_bytes p < "$tap_tmp/m.csv")
num_cmp "$p" '>' 0.0079364 && num_cmp "$p" '<' 0.0079366
ok $? "Mann-Whitney U: exact p = 2/252 ($p)"

run sh "$C" "$D/base" "$D/plus20"
ok $rc "text output exits 0"
printf '%s\n' "$out" | grep -q '491520 \*+20.00%\*'
ok $? "text marks the significant change between stars (mmtests style)"
printf '%s\n' "$out" | grep -q '^kernel_release  *6.12.117  *6.12.117-ptshare' &&
	printf '%s\n' "$out" | grep -q '^config.CONFIG_FSDAX_PMD_SHARE  *n  *y' &&
	printf '%s\n' "$out" | grep -q '^sysctl.vm.fsdax_pmd_share  *absent.*  1$'
ok $? "the header lists the kernel, config option and sysctl that differ"
! printf '%s\n' "$out" | grep -q '^kernel_cmdline'
ok $? "metadata that is the same is not listed"
printf '%s\n' "$out" | grep -q '(missing)'
ok $? "text shows missing cells as (missing)"

cp -r "$D/base" "$tap_tmp/same" && chmod -R u+w "$tap_tmp/same"
run sh "$C" --csv "$D/base" "$tap_tmp/same"
sig=$(printf '%s\n' "$out" | awk -F, 'NR > 1 && $10 == "values" && $9 == 0 && $25 != "0"' | wc -l)
chg=$(printf '%s\n' "$out" | awk -F, 'NR > 1 && $10 == "values" && $9 == 0 && $19 != 0' | wc -l)
[ $rc -eq 0 ] && [ "$sig" -eq 0 ] && [ "$chg" -eq 0 ]
ok $? "two identical sets: no change, nothing significant ($sig significant, $chg changed)"

# A set from another machine, booted with another command line.
cp -r "$D/plus20" "$tap_tmp/other" && chmod -R u+w "$tap_tmp/other"
sed 's/"cpu_model": "QEMU TCG"/"cpu_model": "Other CPU 9000"/; s/memmap=4G!4G"/memmap=4G!4G mitigations=off"/' \
	"$D/plus20/pgtable-2M.json" > "$tap_tmp/other/pgtable-2M.json"
run sh "$C" --stats median "$D/base" "$tap_tmp/other"
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^cpu_model  *QEMU TCG  *Other CPU 9000$' &&
	printf '%s\n' "$out" | grep -q '^kernel_cmdline  *console=ttyS0 memmap=4G!4G  *console=ttyS0 memmap=4G!4G mitigations=off$' &&
	printf '%s\n' "$out" | grep -q '491520 \*+20.00%\*'
ok $? "another machine: the header names the CPU and command line that differ; the cells are compared"

run sh "$C" --fail-on 'pt_meminfo_bytes:10' "$D/base" "$D/plus20"
[ $rc -eq 3 ] && printf '%s\n' "$err" | grep -q 'REGRESSION pgtable-2M procs=4 pt_meminfo_bytes in plus20: median +20.00%'
ok $? "--fail-on pt_meminfo_bytes:10 fails (exit $rc) and names the regression"
run sh "$C" --fail-on 'pt_meminfo_bytes:25' "$D/base" "$D/plus20"
ok $rc "--fail-on pt_meminfo_bytes:25 passes (+20 % is within 25 %)"
run sh "$C" --fail-on 'bandwidth_*:10' "$D/base" "$D/plus20"
ok $rc "--fail-on does not fail on an improvement"
run sh "$C" --fail-on 'pt_*:1' "$D/base" "$tap_tmp/same"
ok $rc "--fail-on passes on identical sets"

run sh "$C" --baseline plus20 --csv "$D/base" "$D/plus20"
chg=$(printf '%s\n' "$out" | field base procs=4 pt_meminfo_bytes median_change_pct)
num_cmp "$chg" '>' -16.6667 && num_cmp "$chg" '<' -16.6666
ok $? "--baseline plus20: base is -16.67 % against it ($chg)"

run sh "$C" --json "$D/base" "$D/plus20"
printf '%s\n' "$out" > "$tap_tmp/c.json"
"$PTJSON" check "$tap_tmp/c.json" && [ "$(jget "$tap_tmp/c.json" schema)" = ptshare-compare/1 ] &&
	[ "$(jget "$tap_tmp/c.json" rows.0.cells.1.significant)" = true ]
ok $? "--json is valid JSON with the same verdicts"

run sh "$C" --markdown --metric '^pt_meminfo' "$D/base" "$D/plus20"
printf '%s\n' "$out" | grep -q '^| case |  | base | plus20 |$' && printf '%s\n' "$out" | grep -q '\*\*+20.00%\*\*' &&
	! printf '%s\n' "$out" | grep -q bandwidth
ok $? "--markdown gives pipe tables with the change in bold; --metric filters"

# Sets with the same directory name (each guest of make vm-compare writes
# NAME/set): the shortest tail of the paths that differs labels them.
mkdir -p "$tap_tmp/vmc/stock" "$tap_tmp/vmc/patched" "$tap_tmp/r1/a" "$tap_tmp/r2/a"
cp -r "$D/base" "$tap_tmp/vmc/stock/set" && cp -r "$D/plus20" "$tap_tmp/vmc/patched/set" &&
	cp -r "$D/base" "$tap_tmp/r1/a/set" && cp -r "$D/plus20" "$tap_tmp/r2/a/set" &&
	chmod -R u+w "$tap_tmp/vmc" "$tap_tmp/r1" "$tap_tmp/r2"
run sh "$C" --csv "$tap_tmp/vmc/stock/set" "$tap_tmp/vmc/patched/set/" "$tap_tmp/r1/a/set" "$tap_tmp/r2/a/set"
printf '%s\n' "$out" > "$tap_tmp/l.csv"
labels=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "label") c = i; next } { print $c }' "$tap_tmp/l.csv" |
	sort -u | tr '\n' ' ')
[ $rc -eq 0 ] && [ "$labels" = "patched/set r1/a/set r2/a/set stock/set " ] &&
	num_cmp "$(field patched/set procs=4 pt_meminfo_bytes median_change_pct < "$tap_tmp/l.csv")" '==' 20
ok $? "sets named alike are labelled by the shortest tail of their paths that differs ($labels)"
run sh "$C" --csv "$D/base" "$D/base"
labels=$(printf '%s\n' "$out" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "label") c = i; next } { print $c }' |
	sort -u | tr '\n' ' ')
[ $rc -eq 0 ] && [ "$labels" = "$D/base $D/base#2 " ]
ok $? "the same set twice: the second is numbered ($labels)"

run sh "$C" --run nosuch "$D/base" "$D/plus20"
[ $rc -eq 1 ] && printf '%s\n' "$err" | grep -q 'nothing to compare'
ok $? "a filter that matches nothing is an error"

run sh "$C" "$D/base"
ok $rc "a single set is summarized without a test"
done_testing
