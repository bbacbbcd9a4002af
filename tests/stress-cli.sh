#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare stress: bad input is a one-line error naming the fix (exit 2 for
# usage), --list names every scenario and its negative control, TAP lines
# name scenario, backing and seed, and SIGINT in the middle of a storm
# leaves no process, mount or file behind.
. "$srcdir/tests/tap.sh"
plan 32

# expect_error STATUS PATTERN DESCRIPTION CMD...
expect_error() {
	want=$1 pat=$2 desc=$3
	shift 3
	run "$@"
	lines=$(printf '%s\n' "$err" | grep -c .)
	[ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat"
	ok $? "$desc: exit $rc (want $want), one line naming it"
	[ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat" || show_output
}

P=$PTSHARE
expect_error 2 "unknown scenario 'nosuch' (one of: attach-detach, partial" "unknown scenario" \
	$P stress --scenario nosuch
expect_error 2 "unknown scenario 'bogus'" "unknown scenario in a list" $P stress --scenario partial,bogus
expect_error 2 "at least 1s" "duration under a second" $P stress --duration 0s
expect_error 2 "exclude each other" "--smoke with --duration" $P stress --smoke --duration 1m
expect_error 2 "use --backing fsdax, hugetlbfs, tmpfs or file, not devdax" "devdax" $P stress --backing devdax
expect_error 2 "whole number of GiB from 1G to 8G" "size not whole GiB" $P stress --size 1536M
expect_error 2 "whole number of GiB from 1G to 8G" "size too big" $P stress --size 16G
expect_error 2 "nothing is shared: use 2M" "1 GiB pages" $P stress --page-size 1G
expect_error 2 "hugetlbfs cannot map 4K pages" "hugetlbfs at 4K" $P stress --backing hugetlbfs --page-size 4K
expect_error 2 "must be at most 1000000" "pt-bound too big" $P stress --pt-bound 2000000
expect_error 2 "unknown option '--procs'" "option of another benchmark" $P stress --procs 4
expect_error 1 "fsdax needs --path" "fsdax without a path" $P stress --backing fsdax --scenario sync
mkdir "$tap_tmp/notdax"
expect_error 1 "is not DAX\|is not on a DAX mount" "fsdax on a non-DAX directory" \
	$P stress --backing fsdax --path "$tap_tmp/notdax" --scenario sync
[ -z "$(ls -A "$tap_tmp/notdax")" ]
ok $? "the file created for the failed fsdax run was removed"

run $P stress --list
[ "$rc" -eq 0 ]
ok $? "--list exits 0"
for s in attach-detach partial truncate private-cow fork-storm sync mixed-sizes pud-race; do
	printf '%s\n' "$out" | grep -q "^  $s\$"
	ok $? "--list names $s"
done
[ "$(printf '%s\n' "$out" | grep -c 'negative control: ')" -eq 8 ]
ok $? "--list gives every scenario's negative control"

if [ "$(id -u)" -ne 0 ]; then
	for i in 1 2 3 4 5 6 7 8; do tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP needs root (private tmpfs, kernel log)"; done
	done_testing
fi

# A negative control on tmpfs: reported as a failure of the checker, one TAP
# line naming scenario, backing and seed.
measure_lock
run $P stress --negative --backing tmpfs --scenario private-cow --seed 4242
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^ok 1 - private-cow: negative control (.*): the checker reported the wrong expectation: .* \[tmpfs seed=4242\]$'
ok $? "negative control: the checker's report is an ok line naming scenario, backing and seed"
[ "$rc" -eq 0 ] || show_output
printf '%s\n' "$out" | grep -q '^1\.\.1$'
ok $? "negative control: a complete TAP plan"

# One scenario's lines all name it, the backing and the seed; the run ends with a plan.
run $P stress --smoke --backing tmpfs --scenario pud-race --seed 77
n=$(printf '%s\n' "$out" | grep -c '^ok [0-9]* - pud-race: .* \[tmpfs seed=77\]\( # SKIP .*\)\{0,1\}$')
[ "$rc" -eq 0 ] && [ "$n" -ge 3 ] && printf '%s\n' "$out" | grep -q "^1\.\.$n\$"
ok $? "smoke pud-race on tmpfs: $n ok lines naming scenario, backing and seed, and a plan"
[ "$rc" -eq 0 ] || show_output

# A failure (here a phase over a deliberately short --timeout, reported
# as a hang) is a not ok line followed by the exact command that repeats
# it; stderr names it too, and the exit status is 1.
run $P stress --smoke --backing tmpfs --scenario attach-detach --seed 9 --timeout 500ms
repro="reproduce: ptshare stress --scenario attach-detach --seed 9 --backing tmpfs --smoke --timeout 500ms"
[ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -A1 '^not ok 1 - attach-detach: .*\[tmpfs seed=9\]$' | grep -qx "# $repro"
ok $? "a failure: a not ok line naming the seed, then the reproduce command"
[ "$rc" -eq 1 ] || show_output
printf '%s\n' "$err" | grep -q "attach-detach failed; $repro$"
ok $? "a failure: stderr names the scenario and the reproduce command"

# SIGINT in the middle of a 64-sharer storm: every process is killed and
# reaped, the private tmpfs and its directory are gone.
before=$(ls -d /tmp/ptshare-tmpfs.* 2>/dev/null | wc -l)
"$P" stress --backing tmpfs --scenario attach-detach --duration 61s --seed 5 >/dev/null 2>"$tap_tmp/int.err" &
pid=$!
sleep 6
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ]
ok $? "SIGINT ends the run with status 130 (got $st)"
sleep 1
left=$(ps -eo args | grep -c '[s]tress --backing tmpfs --scenario attach-detach --duration 61s --seed 5')
mounts=$(grep -c ' /tmp/ptshare-tmpfs\.' /proc/mounts)
after=$(ls -d /tmp/ptshare-tmpfs.* 2>/dev/null | wc -l)
[ "$left" -eq 0 ] && [ "$mounts" -eq 0 ] && [ "$after" -le "$before" ]
ok $? "no process, mount or directory left behind ($left processes, $mounts mounts, $after/$before dirs)"
grep -q "interrupted, cleaning up" "$tap_tmp/int.err"
ok $? "the interruption is reported"
done_testing
