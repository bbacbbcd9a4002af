#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# FS/DAX and device-DAX page-table costs.  Needs a DAX mount or device,
# named by the environment (the QEMU guest of make check-vm sets them):
#   PTSHARE_TEST_FSDAX_DIR=/mnt/pmem   a directory on a -o dax mount
#   PTSHARE_TEST_DEVDAX=/dev/dax0.0    a device-DAX device (written to!)
. "$srcdir/tests/tap.sh"
if [ -z "$PTSHARE_TEST_FSDAX_DIR" ] && [ -z "$PTSHARE_TEST_DEVDAX" ]; then
	skip_all "no DAX mount or device given (set PTSHARE_TEST_FSDAX_DIR or PTSHARE_TEST_DEVDAX; make check-vm does in its guest)"
fi
need_root "exact PageTables readings"
measure_lock
plan 3

if [ -n "$PTSHARE_TEST_FSDAX_DIR" ]; then
	run "$PTSHARE" pgtable --backing fsdax --path "$PTSHARE_TEST_FSDAX_DIR" --page-size 2M --size 2G \
		--procs 1,4 --reps 3 --expect auto --tolerance 2 --json "$tap_tmp/fs2m.json" --quiet
	ok $rc "fsdax 2M: PageTables matches the model for this kernel within 2 pages"
	[ $rc -eq 0 ] || show_output
	run "$PTSHARE" pgtable --backing fsdax --path "$PTSHARE_TEST_FSDAX_DIR" --page-size 4K --size 1G \
		--procs 1,4 --reps 3 --expect auto --tolerance 2 --json "$tap_tmp/fs4k.json" --quiet
	ok $rc "fsdax 4K: PageTables matches the model for this kernel within 2 pages"
	[ $rc -eq 0 ] || show_output
else
	echo "ok 1 # SKIP no PTSHARE_TEST_FSDAX_DIR"
	echo "ok 2 # SKIP no PTSHARE_TEST_FSDAX_DIR"
	tap_n=2
fi
if [ -n "$PTSHARE_TEST_DEVDAX" ]; then
	run "$PTSHARE" pgtable --backing devdax --path "$PTSHARE_TEST_DEVDAX" --overwrite --size 1G \
		--procs 1,4 --reps 3 --expect auto --tolerance 2 --json "$tap_tmp/dev.json" --quiet
	ok $rc "devdax: PageTables matches the model within 2 pages"
	[ $rc -eq 0 ] || show_output
else
	echo "ok 3 # SKIP no PTSHARE_TEST_DEVDAX"
fi
done_testing
