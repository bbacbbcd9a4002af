#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# harness/plot: every plot type appears when its data exist and only then,
# as PNG files of the requested size that are not blank (gnuplot reads
# each PNG back and tables its pixels), SVG files, and a report page that
# embeds them with the comparison.  Data: tests/data/results/base (pgtable,
# composed by hand) and plotfix (fault, fork, exit documents written by
# ptshare on a development machine and trimmed; migrate composed by hand,
# since it needs two NUMA nodes).  The page-table plot on real data is
# tests/harness-e2e.sh.
. "$srcdir/tests/tap.sh"
command -v gnuplot >/dev/null 2>&1 || skip_all "gnuplot is not installed (apt-get install gnuplot-nox)"
plan 14

PL="$srcdir/harness/plot"
D="$srcdir/tests/data/results"
export PTREPORT="${PTREPORT:-$top_builddir/bench/ptreport}"

# png_size FILE: WxH from the PNG header (IHDR)
png_size() {
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n", $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}

# ink FILE: "COLOURS FRACTION" - distinct colours and the fraction of
# pixels that are not near-white, read back by gnuplot
ink() {
	gnuplot -e "set table '$tap_tmp/px.txt'; plot '$1' binary filetype=png with rgbimage; unset table" 2>/dev/null || { echo "0 0"; return; }
	awk 'NF >= 6 && $1 !~ /^#/ {
		n++; k = $3 " " $4 " " $5
		if (!(k in seen)) { seen[k] = 1; colours++ }
		if ($3 + $4 + $5 < 700) dark++
	} END { printf "%d %.4f\n", colours, n ? dark / n : 0 }' "$tap_tmp/px.txt"
}

stems="pgtable-2M fault-cdf fork-vs-size exit-vs-size migrate-vs-mappers"
run sh "$PL" --size 480x300 --out "$tap_tmp/p" "$D/base" "$D/plotfix"
ok $rc "plot exits 0"
[ $rc -eq 0 ] || show_output
for s in $stems; do
	f="$tap_tmp/p/$s.png"
	sz=$([ -s "$f" ] && png_size "$f")
	set -- $( [ -s "$f" ] && ink "$f")
	[ "$sz" = 480x300 ] && [ "${1:-0}" -ge 3 ] && num_cmp "${2:-0}" '>=' 0.005
	ok $? "$s.png: $sz, ${1:-0} colours, ${2:-0} of the pixels inked"
done
n=0
for s in $stems; do
	grep -q '<svg' "$tap_tmp/p/$s.svg" 2>/dev/null && grep -q "$(sed -n 's/^plot_title = "\(.*\)"$/\1/p' "$tap_tmp/p/$s.gpvars" | cut -c1-20)" "$tap_tmp/p/$s.svg" && n=$((n + 1))
done
[ $n -eq 5 ]
ok $? "five SVG files with their titles ($n)"
n=0
for s in $stems; do grep -q "($s.png)" "$tap_tmp/p/report.md" && n=$((n + 1)); done
[ $n -eq 5 ] && grep -q '^## Comparison of 2 result sets' "$tap_tmp/p/report.md"
ok $? "report.md embeds the five plots and the comparison"
grep -q 'model: unshared' "$tap_tmp/p/pgtable-2M.svg" && grep -q 'ideal: one copy' "$tap_tmp/p/pgtable-2M.svg" &&
	grep -q 'base (fsdax)' "$tap_tmp/p/pgtable-2M.svg"
ok $? "the page-table plot has the model lines and the set's label with its backing"
grep -q 'rank first' "$tap_tmp/p/fault-cdf.svg" && grep -q 'rank later' "$tap_tmp/p/fault-cdf.svg"
ok $? "the fault CDF has a line per attach rank"

run sh "$PL" --out "$tap_tmp/q" --formats png --no-report "$D/base"
ls "$tap_tmp/q" | grep '\.png$' > "$tap_tmp/pngs"
[ $rc -eq 0 ] && [ "$(cat "$tap_tmp/pngs")" = pgtable-2M.png ] && [ ! -e "$tap_tmp/q/report.md" ]
ok $? "only the plots whose data exist: pgtable alone for a pgtable-only set ($(tr '\n' ' ' < "$tap_tmp/pngs"))"
[ "$(png_size "$tap_tmp/q/pgtable-2M.png")" = 960x600 ]
ok $? "default PNG size 960x600"

run sh "$PL" --size 480x300 --out "$tap_tmp/p" "$D/plotfix"
[ $rc -eq 0 ] && [ ! -e "$tap_tmp/p/pgtable-2M.png" ] && [ -s "$tap_tmp/p/fork-vs-size.png" ]
ok $? "plotting again into an earlier output replaces it"
run sh "$PL" --out "$tap_tmp/r" "$tap_tmp/nothing-here"
[ $rc -ne 0 ] && [ ! -e "$tap_tmp/r" ]
ok $? "a failed plot leaves no output directory"
done_testing
