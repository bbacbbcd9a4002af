# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the ptshare stress tests (sourced after tests/tap.sh).
#   stress_seed: the seed of this test run ($PTSHARE_STRESS_SEED, else new)
#   stress_pool NEED: make NEED 2 MiB hugetlb pages free, growing the pool
#     for this test and giving it back on exit; skips (77) when it cannot
#   stress_tap CMD...: run a `ptshare stress` command and fold its TAP lines
#     into this test's (renumbered; SKIP directives and diagnostics kept),
#     then one line for its exit status and complete plan

stress_seed=${PTSHARE_STRESS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}

stress_pool() {
	hp=/sys/kernel/mm/hugepages/hugepages-2048kB
	[ -d $hp ] || skip_all "no 2 MiB hugetlb pages in this kernel"
	need=$1
	free=$(cat $hp/free_hugepages)
	orig=$(cat $hp/nr_hugepages)
	if [ "$free" -lt "$need" ]; then
		trap 'echo "$orig" > '$hp'/nr_hugepages; rm -rf "$tap_tmp"' EXIT
		trap 'echo "$orig" > '$hp'/nr_hugepages; rm -rf "$tap_tmp"; exit 130' INT TERM
		echo $((orig + need - free)) > $hp/nr_hugepages
		free=$(cat $hp/free_hugepages)
		[ "$free" -ge "$need" ] || skip_all "cannot get $need free 2 MiB hugetlb pages (got $free)"
	fi
}

stress_tap() {
	"$@" >"$tap_tmp/stress.out" 2>"$tap_tmp/stress.err"
	st=$?
	tap_fold "$tap_tmp/stress.out"
	[ "$st" -eq 0 ] && [ "${tap_fold_plan:-x}" = "$tap_fold_results" ]
	ok $? "ptshare stress exited with status $st after $tap_fold_results results (its plan: ${tap_fold_plan:-none}): $*"
	if [ "$st" -ne 0 ]; then
		sed 's/^/#   err: /' "$tap_tmp/stress.err" | tail -20
	fi
}
