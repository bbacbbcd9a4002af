#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check-vm: `ptshare stress` against FS/DAX in the guest.  Boots the
# kernel under test (PTSHARE_VM_KERNEL, else an existing harness/kbuild
# stock build; never builds one) and runs tests/stress-fsdax.sh there: the
# smoke set on /mnt/dax and every scenario's negative control.  Where the
# kernel has vm.fsdax_pmd_share it is set to 1 (sharing on: what the suite
# exists to test) and /proc/vmstat fsdax_pmd_share must grow, i.e. page
# tables were really shared.  Fails on any failed scenario, negative control
# or kernel WARNING/BUG/Oops/KASAN/lockdep/"non-zero pgtables_bytes" report.
# Environment:
#   PTSHARE_STRESS_SEED        repeat a run (the seed is printed either way)
#   PTSHARE_VM_STRESS_DURATION also run the full set for this long afterwards
#                              (e.g. 30m; ptshare stress --duration)
#   PTSHARE_VM_STRESS_SHARE    0 leaves vm.fsdax_pmd_share off (default 1)
#   PTSHARE_VM_TIMEOUT         guest time limit in seconds (default 3600,
#                              plus the duration)
. "$srcdir/tests/tap.sh"
. "$srcdir/tests/vm-lib.sh"
vm_need_kernel

seed=${PTSHARE_STRESS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
dur=${PTSHARE_VM_STRESS_DURATION:-}
share=${PTSHARE_VM_STRESS_SHARE:-1}
case $share in 0|1) ;; *) echo "PTSHARE_VM_STRESS_SHARE must be 0 or 1, not '$share'" >&2; exit 99 ;; esac
case $dur in
'') dur_s=0 ;;
*[0-9]s) dur_s=${dur%s} ;;
*[0-9]m) dur_s=$((${dur%m} * 60)) ;;
*[0-9]h) dur_s=$((${dur%h} * 3600)) ;;
*[0-9]) dur_s=$dur ;;
*) echo "PTSHARE_VM_STRESS_DURATION must be like 90s, 30m or 2h, not '$dur'" >&2; exit 99 ;;
esac
diag "seed $seed (PTSHARE_STRESS_SEED=$seed repeats it)${dur:+; full set for $dur}"

# In the guest: the knob (when the kernel has it), the sharing counter
# before and after, the smoke set + negative controls, then the full set.
vm_run stress --timeout $((${PTSHARE_VM_TIMEOUT:-3600} + dur_s)) --run "
knob=/proc/sys/vm/fsdax_pmd_share
shares() { awk '\$1 == \"fsdax_pmd_share\" { print \$2; f = 1 } END { if (!f) print \"absent\" }' /proc/vmstat; }
if [ -f \$knob ]; then echo $share > \$knob || exit 1; fi
cat \$knob > /results/knob 2>/dev/null || echo absent > /results/knob
shares > /results/shares-before
t0=\$(cut -d. -f1 /proc/uptime)
srcdir=. top_builddir=. PTSHARE=\$(command -v ptshare) PTJSON=\$(command -v ptjson) PTSHARE_STRESS_SEED=$seed \
	sh tests/stress-fsdax.sh > /results/smoke.tap 2>&1
echo \$? > /results/smoke.status
echo \$((\$(cut -d. -f1 /proc/uptime) - t0)) > /results/smoke.seconds
shares > /results/shares-smoke
grep '^fsdax_pmd' /proc/vmstat > /results/vmstat-smoke.txt
if [ -n '$dur' ]; then
	t0=\$(cut -d. -f1 /proc/uptime)
	ptshare stress --duration '$dur' --backing fsdax --path /mnt/dax --seed $seed \
		--json /results/full.json > /results/full.tap 2> /results/full.err
	echo \$? > /results/full.status
	echo \$((\$(cut -d. -f1 /proc/uptime) - t0)) > /results/full.seconds
	shares > /results/shares-full
	grep '^fsdax_pmd' /proc/vmstat > /results/vmstat-full.txt
fi
true
"
dir="$vm_results/stress"

knob=$(cat "$dir/knob" 2>/dev/null || echo "not read")
diag "vm.fsdax_pmd_share: $knob; smoke set took $(cat "$dir/smoke.seconds" 2>/dev/null || echo ?) s"
tap_fold "$dir/smoke.tap"
st=$(cat "$dir/smoke.status" 2>/dev/null || echo none)
[ "$st" = 0 ]
ok $? "tests/stress-fsdax.sh in the guest: exit $st (smoke set and negative controls on /mnt/dax)"
if [ -n "$dur" ]; then
	diag "full set: $(cat "$dir/full.seconds" 2>/dev/null || echo ?) s"
	tap_fold "$dir/full.tap"
	st=$(cat "$dir/full.status" 2>/dev/null || echo none)
	[ "$st" = 0 ]
	ok $? "ptshare stress --duration $dur --seed $seed on /mnt/dax: exit $st"
	[ "$st" = 0 ] || sed 's/^/#   err: /' "$dir/full.err" 2>/dev/null | tail -n 5
fi
[ -s "$dir/vmstat-smoke.txt" ] && diag "/proc/vmstat after the smoke set: $(tr '\n' ' ' < "$dir/vmstat-smoke.txt")"
[ -s "$dir/vmstat-full.txt" ] && diag "/proc/vmstat after the full set: $(tr '\n' ' ' < "$dir/vmstat-full.txt")"
if [ "$knob" = 1 ]; then
	b=$(cat "$dir/shares-before" 2>/dev/null) a=$(cat "$dir/shares-smoke" 2>/dev/null)
	[ -n "$b" ] && [ -n "$a" ] && [ "$b" != absent ] && [ "$a" != absent ] && [ "$a" -gt "$b" ]
	ok $? "page tables were shared during the smoke set: /proc/vmstat fsdax_pmd_share ${b:-?} -> ${a:-?}"
	if [ -n "$dur" ]; then
		f=$(cat "$dir/shares-full" 2>/dev/null)
		[ -n "$f" ] && [ "$f" != absent ] && [ -n "$a" ] && [ "$a" != absent ] && [ "$f" -gt "$a" ]
		ok $? "page tables were shared during the full set: /proc/vmstat fsdax_pmd_share ${a:-?} -> ${f:-?}"
	fi
fi
vm_verdict "$dir" "the payload"
echo "1..$tap_n"
done_testing
