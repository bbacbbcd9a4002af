# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers for the shell tests (sourced).
#   plan N; ok COND-EXIT DESC; skip_all REASON; run CMD... (sets rc, out, err)
#   tap_fold FILE: fold another producer's results into this test's

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

# tap_fold FILE: the "ok"/"not ok" lines of FILE become results of this
# test, renumbered ("ok 3 - WHAT" and plain "ok WHAT" alike; a SKIP or TODO
# directive stays in WHAT) and its "#" diagnostics are passed on.  Sets
# tap_fold_results (how many results) and tap_fold_plan (N of its "1..N"
# line, empty without one).  A missing FILE folds nothing.
tap_fold() {
	tap_fold_results=0
	tap_fold_plan=
	[ -f "$1" ] || return 0
	while IFS= read -r _line; do
		case $_line in
		"ok "*|"not ok "*)
			_st=0
			case $_line in "not ok "*) _st=1; _line=${_line#not } ;; esac
			_what=${_line#ok }
			_num=${_what%% *}
			case $_num in
			''|*[!0-9]*) ;;
			*) _what=${_what#"$_num"}; _what=${_what# }; _what=${_what#- } ;;
			esac
			tap_fold_results=$((tap_fold_results + 1))
			ok $_st "$_what" ;;
		"1.."*) tap_fold_plan=${_line#1..}; tap_fold_plan=${tap_fold_plan%% *} ;;
		"#"*) printf '%s\n' "$_line" ;;
		esac
	done < "$1"
}

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
