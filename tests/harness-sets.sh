#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The shipped workload sets (workloads/*.conf) parse, and every run in them
# names a benchmark this ptshare has with options and values it accepts:
# harness/run --dry-run asks ptshare to parse each expanded command line
# (with a trailing --help, so nothing runs).  Negative controls: a set with
# an unknown option, a bad value or a missing fio job is refused, naming
# the file and the run.
. "$srcdir/tests/tap.sh"
plan 11

R="$srcdir/harness/run"
unset PTSHARE_FSDAX_DIR PTSHARE_DAX_DIR PTSHARE_DEVDAX PTSHARE_HUGETLB_DIR

# runs_in SET [REGEX]: the number of runs (whose line matches REGEX) the
# set expands to, counted here independently of harness/run: run lines
# times the values of the matrix variables each uses
runs_in() {
	awk -v re="${2:-.}" '$1 == "matrix" { n[$2] = NF - 2 }
	     $1 == "run" && $0 ~ re { k = 1; for (v in n) if (index($0, "${" v "}")) k *= n[v]; total += k }
	     END { print total + 0 }' "$srcdir/workloads/$1.conf"
}

for set in quick standard scale guest; do
	run env PTSHARE_FSDAX_DIR="$tap_tmp" sh "$R" --ptshare "$PTSHARE" --dry-run "$set"
	want=$(runs_in "$set")
	got=$(printf '%s\n' "$out" | grep -c '^[^ ]*: ptshare ')
	skipped=$(printf '%s\n' "$out" | grep -c 'would be skipped')
	[ $rc -eq 0 ] && [ -z "$err" ] && [ "$want" -gt 0 ] && [ "$got" -eq "$want" ] && [ "$skipped" -eq 0 ]
	ok $? "$set: $got of $want runs, all accepted by this ptshare (exit $rc, $skipped would be skipped)"
	[ $rc -eq 0 ] && [ -z "$err" ] || show_output
done

run sh "$R" --ptshare "$PTSHARE" --dry-run standard
benches=$(printf '%s\n' "$out" | sed -n 's/^[^ ]*: ptshare \([a-z]*\) .*/\1/p' | sort -u | tr '\n' ' ')
[ "$benches" = "exit fault fio fork migrate pgtable " ]
ok $? "standard covers every benchmark: $benches"

run sh "$R" --ptshare "$PTSHARE" --dry-run scale
n=$(printf '%s\n' "$out" | grep -c 'would be skipped: unset PTSHARE_FSDAX_DIR$')
want=$(runs_in scale PTSHARE_FSDAX_DIR)
[ $rc -eq 0 ] && [ "$want" -gt 0 ] && [ "$n" -eq "$want" ] && [ "$(printf '%s\n' "$out" | grep -c 'would be skipped')" -eq "$n" ]
ok $? "scale without PTSHARE_FSDAX_DIR: its $want DAX runs would be skipped ($n), the others not"

run sh "$R" --list
for set in quick standard scale guest; do
	printf '%s\n' "$out" | grep -q "^$set  *[A-Z]" || rc=1
done
ok $rc "--list shows the four sets with their descriptions"

# expect_refused DESC PATTERN SET-LINES: a set holding these lines is refused
expect_refused() {
	printf 'reps 1\nrun fine pgtable --backing tmpfs --size 4M --procs 1\n%s\n' "$3" > "$tap_tmp/bad.conf"
	run sh "$R" --ptshare "$PTSHARE" --dry-run --set "$tap_tmp/bad.conf"
	[ $rc -eq 1 ] && printf '%s\n' "$err" | grep -q "bad.conf: run broken: .*$2" &&
		printf '%s\n' "$err" | grep -q '1 of 2 runs of .* are not accepted' && ! printf '%s\n' "$err" | grep -q 'run fine'
	ok $? "$1: exit $rc, the file, the run and the cause named"
	[ $rc -eq 1 ] || show_output
}
expect_refused "an unknown option" "unknown option '--procz'" 'run broken pgtable --backing tmpfs --procz 4'
expect_refused "a bad value" "list 'abc'" 'run broken fault --backing tmpfs --procs abc'
expect_refused "a misspelt size" "unknown suffix 'X'" 'run broken fork --sizes 16M:2X'
expect_refused "a missing fio job" "no fio job 'nosuch-job'" 'run broken fio --backing tmpfs --size 4M nosuch-job'
done_testing
