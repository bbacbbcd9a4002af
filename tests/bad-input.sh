#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Bad input: each case is a one-line error naming the cause and the fix,
# a non-zero exit (2 for usage), and nothing left behind.
. "$srcdir/tests/tap.sh"
plan 35

# expect_error STATUS PATTERN DESCRIPTION CMD...
expect_error() {
	want=$1 pat=$2 desc=$3
	shift 3
	run "$@"
	lines=$(printf '%s\n' "$err" | grep -c .)
	[ "$rc" -eq "$want" ]
	ok $? "$desc: exit $rc (want $want)"
	[ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat"
	ok $? "$desc: one line naming it"
	[ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -q -- "$pat" || show_output
}

P=$PTSHARE
expect_error 2 "unknown option '--bogus'" "unknown option" $P pgtable --bogus
expect_error 2 "unknown command 'nosuch'" "unknown command" $P nosuch
expect_error 2 "positive number" "size -1G" $P pgtable --size -1G
expect_error 2 "unknown suffix 'Q'" "size 4Q" $P pgtable --size 4Q
expect_error 2 "needs an argument" "missing argument" $P pgtable --size
expect_error 2 "between 1 and 1000000" "zero processes" $P pgtable --procs 0,1
expect_error 2 "4K, 2M or 1G" "odd page size" $P pgtable --page-size 64K
expect_error 2 "unknown backing 'pmem'" "unknown backing" $P pgtable --backing pmem
expect_error 2 "does not apply to --touch populate" "stride with populate" $P pgtable --touch populate --stride 4K
expect_error 2 "1 GiB-aligned" "unaligned base" $P pgtable --base 0x1234

mkdir "$tap_tmp/notdax"
expect_error 1 "is not DAX\|is not on a DAX mount" "fsdax on a non-DAX directory" \
	$P pgtable --backing fsdax --path "$tap_tmp/notdax" --procs 1 --reps 1
[ -z "$(ls -A "$tap_tmp/notdax")" ]
ok $? "the file created for the failed fsdax run was removed"
expect_error 1 "fsdax needs --path" "fsdax without a path" $P pgtable --backing fsdax
expect_error 1 "not a character device" "devdax on a regular file" \
	$P pgtable --backing devdax --path "$tap_tmp/notdax"
printf data > "$tap_tmp/theirs"
dd if=/dev/zero bs=4096 count=1 seek=1 of="$tap_tmp/theirs" 2>/dev/null
expect_error 1 "refusing to write into" "write touches into a file the suite did not create" \
	$P pgtable --backing file --path "$tap_tmp/theirs" --size 4K --touch write --procs 1 --reps 1
[ "$(head -c 4 "$tap_tmp/theirs")" = data ] && [ "$(wc -c < "$tap_tmp/theirs")" -eq 8192 ]
ok $? "the user's file is untouched"

hp=/sys/kernel/mm/hugepages/hugepages-2048kB
if [ -r $hp/free_hugepages ]; then
	free=$(cat $hp/free_hugepages)
	expect_error 1 "hugetlbfs pool has $free free 2 MiB pages, $((free + 8)) needed: echo [0-9]* > /proc/sys/vm/nr_hugepages" \
		"too few hugepages" $P pgtable --backing hugetlbfs --size $(((free + 8) * 2))M --procs 1 --reps 1
else
	echo "ok 31 # SKIP no 2 MiB hugetlb pages in this kernel"
	echo "ok 32 # SKIP no 2 MiB hugetlb pages in this kernel"
	tap_n=32
fi

# SIGINT while 32 workers hold a private tmpfs: all are killed and reaped,
# the mount and its directory are gone.
if [ "$(id -u)" -eq 0 ]; then
	measure_lock	# no other test creates private mounts meanwhile
	before=$(ls -d /tmp/ptshare-tmpfs.* 2>/dev/null | wc -l)
	"$P" pgtable --backing tmpfs --page-size 4K --size 256M --procs 32 --reps 1000 --quiet \
		>/dev/null 2>"$tap_tmp/int.err" &
	pid=$!
	sleep 3
	kill -INT $pid
	wait $pid
	st=$?
	[ $st -eq 130 ]
	ok $? "SIGINT ends the run with status 130 (got $st)"
	sleep 0.5
	left=$(ps -o pid= --ppid $pid 2>/dev/null | wc -l)
	mounts=$(grep -c ' /tmp/ptshare-tmpfs\.' /proc/mounts)
	after=$(ls -d /tmp/ptshare-tmpfs.* 2>/dev/null | wc -l)
	[ "$left" -eq 0 ] && [ "$mounts" -eq 0 ] && [ "$after" -eq "$before" ]
	ok $? "no worker, mount or directory left behind ($left workers, $mounts mounts, $after/$before dirs)"
	grep -q "interrupted, cleaning up" "$tap_tmp/int.err"
	ok $? "the interruption is reported"
else
	echo "ok 33 # SKIP SIGINT cleanup test needs root (private tmpfs mount)"
	echo "ok 34 # SKIP needs root"
	echo "ok 35 # SKIP needs root"
	tap_n=35
fi
done_testing
