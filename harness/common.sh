# SPDX-License-Identifier: GPL-2.0-only
# Sourced by harness/compare and harness/plot: find a program of the build.
#
# find_tool NAME ENVVAR: print the path of bench/NAME, looked for in
# $ENVVAR, the current directory's bench/ (make runs the harness from the
# build directory), the source tree's bench/ (an in-tree build), next to
# $PTSHARE, then $PATH.  Exits 1 with the fix when there is none.

find_tool() {
	_name=$1
	eval "_v=\${$2:-}"
	if [ -n "$_v" ]; then
		[ -x "$_v" ] || { echo "${prog:-harness}: $2=$_v is not an executable" >&2; exit 1; }
		printf '%s\n' "$_v"
		return 0
	fi
	for _d in ./bench "$top/bench" ${PTSHARE:+"$(dirname "$PTSHARE")"}; do
		if [ -x "$_d/$_name" ] && [ -f "$_d/$_name" ]; then
			printf '%s\n' "$_d/$_name"
			return 0
		fi
	done
	if command -v "$_name" >/dev/null 2>&1; then
		command -v "$_name"
		return 0
	fi
	echo "${prog:-harness}: no $_name program: build the suite (./configure && make), run this from the build directory, or set $2=/path/to/bench/$_name" >&2
	exit 1
}
