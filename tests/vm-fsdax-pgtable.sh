#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# In the guest, on a kernel without PMD sharing (stock, or patched with
# vm.fsdax_pmd_share=0), `ptshare pgtable` on FS/DAX must measure the page-table
# cost model exactly, per run (/proc/meminfo PageTables, within 2 pages):
#   2 MiB mappings: 1 PMD page per GiB per process + the process's PUD page
#   4 KiB mappings: 512 PTE + 1 PMD page per GiB per process + the PUD page
# Run by make check-vm; skips (77) when no guest kernel is built (never
# builds one).  PTSHARE_VM_KERNEL picks the kernel.  Workers touch one byte
# per 2 MiB (--stride 2M): that allocates every page table a full touch
# would, and keeps the 4 KiB runs short under TCG.
. "$srcdir/tests/tap.sh"
. "$srcdir/tests/vm-lib.sh"
vm_need_kernel

size_gib=1
procs="1,2,4"
reps=3
# NUMA balancing off (harness/vm --sysctl): no hinting faults in the fault
# counts shown on a mismatch; guest-info.txt must record the value set
vm_run fsdax-pgtable --timeout "${PTSHARE_VM_TIMEOUT:-3600}" --sysctl kernel.numa_balancing=0 --run "
knob=/proc/sys/vm/fsdax_pmd_share
[ -f \$knob ] && echo 0 > \$knob
for ps in 2M 4K; do
	ptshare pgtable --backing fsdax --path /mnt/dax --size ${size_gib}G --procs $procs \
		--page-size \$ps --stride 2M --reps $reps --json /results/pgtable-\$ps.json
	echo \$? > /results/pgtable-\$ps.status
done
for m in 2m 4k-offset 4k-nohuge; do
	ptvm-probe pgtable /mnt/dax/probe.dat $((size_gib * 1024)) 2 \$m
done | tee /results/probe.txt
rm -f /mnt/dax/probe.dat
"
dir="$vm_results/fsdax-pgtable"
nprocs=$(echo "$procs" | tr ',' ' ' | wc -w)
plan $((3 + 2 * (1 + nprocs)))

grep -qx 'numa_balancing: 0' "$dir/guest-info.txt" 2>/dev/null
ok $? "harness/vm --sysctl kernel.numa_balancing=0 is in force when guest-info.txt is written"

for ps in 2M 4K; do
	json="$dir/pgtable-$ps.json"
	st=$(cat "$dir/pgtable-$ps.status" 2>/dev/null || echo none)
	[ "$st" = 0 ] && [ -f "$json" ]
	ok $? "ptshare pgtable fsdax $ps ran (exit $st)"
	case $ps in
	2M) per=$((size_gib * 1 + 1)) ;;	# PMD page per GiB + PUD page
	4K) per=$((size_gib * 513 + 1)) ;;	# 512 PTE + 1 PMD per GiB + PUD page
	esac
	i=0
	for n in $(echo "$procs" | tr ',' ' '); do
		want=$((n * per))
		got=$(jget "$json" "cases.$i.metrics.pt_meminfo_pages.values" | tr -d '[] ')
		p=$(jget "$json" "cases.$i.params.procs")
		bad=
		[ -n "$got" ] && [ "$p" = "$n" ] || bad="no result for procs=$n"
		for v in $(echo "$got" | tr ',' ' '); do
			num_cmp "$v" '>=' $((want - 2)) && num_cmp "$v" '<=' $((want + 2)) || bad="$bad $v"
		done
		[ -z "$bad" ]
		ok $? "fsdax $ps procs=$n: PageTables +$want pages per run within 2 (got: ${got:-none})"
		if [ -n "$bad" ]; then	# what else the runs saw, to tell noise from a kernel change
			for m in pt_vmstat_pages pt_vmpte_sum_bytes minflt_total_count; do
				diag "  $m per run: $(jget "$json" "cases.$i.metrics.$m.values" | tr -d '[] ')"
			done
			r=0
			while [ $r -lt $reps ]; do
				diag "  run $((r + 1)): settled $(jget "$json" "cases.$i.repetitions.$r.settled"), PMD-mapped fraction $(jget "$json" "cases.$i.repetitions.$r.pmd_mapped_fraction_min"), $(jget "$json" "cases.$i.repetitions.$r.page_size_evidence")"
				r=$((r + 1))
			done
		fi
		i=$((i + 1))
	done
done
[ -s "$dir/probe.txt" ] && sed 's/^/# /' "$dir/probe.txt"
vm_verdict "$dir" "the payload"
done_testing
