# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the TAP tests that boot a guest (sourced after tests/tap.sh).
#   vm_need_kernel: sets $vm_kernel or skips (77) when no guest kernel is
#     built; never starts a kernel build.  PTSHARE_VM_KERNEL (set by make
#     check-vm) wins, else an existing harness/kbuild stock build.
#   vm_run NAME ARGS...: harness/vm with the results in $vm_results/NAME,
#     PTSHARE_VM_FLAGS added; sets rc, out, err like run.

vm_need_kernel() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		skip_all "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
	command -v busybox >/dev/null 2>&1 ||
		skip_all "busybox not installed (apt-get install busybox-static)"
	[ -x "$PTSHARE" ] || skip_all "$PTSHARE not built (run make first)"
	vm_kernel=${PTSHARE_VM_KERNEL:-}
	if [ -z "$vm_kernel" ]; then
		for v in "" --debug; do
			d=$(sh "$srcdir/harness/kbuild" --variant stock $v --print-build-dir 2>/dev/null) || continue
			if [ -f "$d/.ptshare-stamp" ] && [ -f "$d/arch/x86/boot/bzImage" ]; then
				vm_kernel=$d/arch/x86/boot/bzImage
				break
			fi
		done
	fi
	[ -n "$vm_kernel" ] ||
		skip_all "no guest kernel built: run harness/kbuild (about 15 min) or make check-vm, or set PTSHARE_VM_KERNEL"
	[ -f "$vm_kernel" ] || skip_all "PTSHARE_VM_KERNEL=$vm_kernel does not exist"
	vm_results=${PTSHARE_VM_RESULTS:-${top_builddir:-.}/vm-results}
	mkdir -p "$vm_results" || skip_all "cannot create $vm_results"
	vm_builddir=$(cd "$(dirname "$PTSHARE")/.." && pwd)
	diag "kernel: $vm_kernel"
}

vm_run() {
	vm_name=$1; shift
	rm -rf "$vm_results/$vm_name"
	# shellcheck disable=SC2086
	run sh "$srcdir/harness/vm" --kernel "$vm_kernel" --builddir "$vm_builddir" \
		--results "$vm_results/$vm_name" ${PTSHARE_VM_FLAGS:-} "$@"
	diag "guest: exit $rc, results in $vm_results/$vm_name"
	printf '%s\n' "$err" | grep -E '^vm: (guest ran|error)' | sed 's/^/# /'
}

# vm_verdict DIR WHAT: the two checks every guest test ends with: the
# guest ran WHAT (its payload) to the end (harness/vm wrote vm-status),
# and the kernel logged no report (kernel-splats.txt empty; shown if not).
# Then the guest's output when harness/vm failed.
vm_verdict() {
	[ -f "$1/vm-status" ]
	ok $? "the guest ran $2 to the end"
	[ ! -s "$1/kernel-splats.txt" ]
	vm_st=$?
	ok $vm_st "no kernel WARNING/BUG/Oops/KASAN/lockdep/non-zero pgtables_bytes report"
	[ $vm_st -eq 0 ] || sed 's/^/#   /' "$1/kernel-splats.txt" | head -n 20
	[ $rc -eq 0 ] || show_output
}
