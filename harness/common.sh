# SPDX-License-Identifier: GPL-2.0-only
# Sourced by harness/run, harness/compare and harness/plot, which set $prog
# (their name in messages) and $top (the source tree) first.
#
# die MESSAGE: print "PROG: MESSAGE" and exit 1.
# die_usage MESSAGE: the same, with "(see harness/PROG --help)", exit 2.
#
# find_tool NAME ENVVAR: print the path of bench/NAME, looked for in
# $ENVVAR, next to $PTSHARE (the binary the caller was told to use), the
# current directory's bench/ (make runs the harness from the build
# directory), the source tree's bench/ (an in-tree build), then $PATH.
# Exits 1 with the fix when there is none.

die() {
	echo "${prog:-harness}: $*" >&2
	exit 1
}

die_usage() {
	echo "${prog:-harness}: $* (see harness/${prog#harness/} --help)" >&2
	exit 2
}

find_tool() {
	_name=$1
	eval "_v=\${$2:-}"
	if [ -n "$_v" ]; then
		[ -x "$_v" ] && [ -f "$_v" ] || die "$2=$_v is not an executable: set it to bench/$_name of a build"
		printf '%s\n' "$_v"
		return 0
	fi
	for _d in ${PTSHARE:+"$(dirname "$PTSHARE")"} ./bench "$top/bench"; do
		if [ -x "$_d/$_name" ] && [ -f "$_d/$_name" ]; then
			printf '%s\n' "$_d/$_name"
			return 0
		fi
	done
	if command -v "$_name" >/dev/null 2>&1; then
		command -v "$_name"
		return 0
	fi
	die "no $_name program: build the suite (./configure && make), run this from the build directory, or set $2=/path/to/bench/$_name"
}
