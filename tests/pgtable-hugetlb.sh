#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# hugetlbfs shares PMD pages in mainline: 8 processes x 4 GiB at 1 GiB-
# aligned addresses add the 4 PMD pages once plus each process's own PUD
# page (model 12 pages); with a different 2 MiB-granular misalignment per
# process each adds 5 PMD pages + its PUD page (model 48 pages).
. "$srcdir/tests/tap.sh"
need_root "exact PageTables readings and the hugetlb pool"
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
[ -d $hp ] || skip_all "no 2 MiB hugetlb pages in this kernel"
measure_lock

need=2048
free=$(cat $hp/free_hugepages)
orig=$(cat $hp/nr_hugepages)
if [ "$free" -lt $need ]; then
	# Grow the pool for this test and give it back afterwards.
	trap 'echo "$orig" > '$hp'/nr_hugepages; rm -rf "$tap_tmp"' EXIT
	echo $((orig + need - free)) > $hp/nr_hugepages
	free=$(cat $hp/free_hugepages)
	[ "$free" -ge $need ] || skip_all "cannot get $need free 2 MiB hugetlb pages (got $free)"
fi
plan 6

run "$PTSHARE" pgtable --backing hugetlbfs --size 4G --procs 8 --reps 3 \
	--expect shared --tolerance 4 --json "$tap_tmp/aligned.json" --quiet
ok $rc "aligned: PageTables matches the shared model (12 pages) within 4 pages"
[ $rc -eq 0 ] || show_output
[ "$(jget "$tap_tmp/aligned.json" cases.0.observations.sharing_observed)" = true ]
ok $? "aligned: sharing observed ($(jget "$tap_tmp/aligned.json" cases.0.metrics.pt_meminfo_pages.median) pages)"

run "$PTSHARE" pgtable --backing hugetlbfs --size 4G --procs 8 --reps 3 --misalign \
	--expect unshared --tolerance 4 --json "$tap_tmp/misaligned.json" --quiet
ok $rc "misaligned: PageTables matches 8 x (5 PMD + 1 PUD) = 48 pages within 4 pages"
[ $rc -eq 0 ] || show_output
[ "$(jget "$tap_tmp/misaligned.json" cases.0.observations.sharing_observed)" = false ]
ok $? "misaligned: no sharing ($(jget "$tap_tmp/misaligned.json" cases.0.metrics.pt_meminfo_pages.median) pages)"

a=$(jget "$tap_tmp/aligned.json" cases.0.metrics.pt_vmpte_sum_bytes.median)
[ "$a" = $((8 * 5 * 4096)) ]
ok $? "aligned: the VmPTE sum charges every sharer its 4 PMD pages + PUD ($a bytes): it hides the saving"

seen=$(jget "$tap_tmp/aligned.json" backing.page_size_check.page_size_seen_bytes)
[ "$seen" = 2097152 ]
ok $? "smaps confirms 2 MiB hugetlb pages (seen $seen)"

done_testing
