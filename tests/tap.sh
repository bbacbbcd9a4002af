# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers for the shell tests (sourced).
#   plan N; ok COND-EXIT DESC; skip_all REASON; run CMD... (sets rc, out, err)

: "${srcdir:=.}"
: "${top_builddir:=.}"
PTSHARE="${PTSHARE:-$top_builddir/bench/ptshare}"
tap_n=0
tap_failed=0
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptshare-test.XXXXXX") || exit 99
trap 'rm -rf "$tap_tmp"' EXIT
trap 'rm -rf "$tap_tmp"; exit 130' INT TERM

plan() { echo "1..$1"; }

skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

# ok STATUS DESCRIPTION: STATUS 0 is a pass.
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

diag() { printf '# %s\n' "$*"; }

# run CMD...: capture exit status, stdout and stderr.
run() {
	"$@" >"$tap_tmp/out" 2>"$tap_tmp/err"
	rc=$?
	out=$(cat "$tap_tmp/out")
	err=$(cat "$tap_tmp/err")
}

show_output() {
	sed 's/^/#   out: /' "$tap_tmp/out" | head -20
	sed 's/^/#   err: /' "$tap_tmp/err" | head -20
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "$1 needs root (stat_refresh, mounts, hugetlb pool)"
}

done_testing() {
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# Measurements read system-wide counters: hold a lock so that tests run
# in parallel (make -j check) do not measure each other.
measure_lock() {
	if command -v flock >/dev/null 2>&1; then
		exec 9>"${TMPDIR:-/tmp}/ptshare-measure.lock"
		flock 9
	fi
}

# num_cmp A OP B (awk arithmetic): e.g. num_cmp "$x" '<=' 5
num_cmp() {
	awk "BEGIN { exit !(($1) $2 ($3)) }"
}

PTJSON="${PTJSON:-$top_builddir/bench/ptjson}"
jget() { "$PTJSON" get "$@" 2>/dev/null; }
