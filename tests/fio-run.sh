#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ptshare fio running the workloads/fio job files for real at small scale
# (numjobs processes mmapping a 32 MiB tmpfs file, 1 s), and refusing with
# the reason what cannot run here: an ioengine this fio lacks (exit 77),
# a device-DAX or libpmem job on a file that is not DAX (exit 2).
. "$srcdir/tests/tap.sh"
command -v fio >/dev/null 2>&1 || skip_all "fio is not installed (apt-get install fio)"
measure_lock	# /tmp/ptshare-tmpfs.* is shared with other tests
plan 11
before=$(ls -d /tmp/ptshare-fio.* 2>/dev/null | sort)
J=$srcdir/workloads/fio
diag "fio: $(fio --version); ioengines: $(fio --enghelp | sed -n '2,$p' | tr -d '\t' | tr '\n' ' ')"

R=$tap_tmp/randread.json
run "$PTSHARE" fio --backing tmpfs --page-size 4K --size 32M --procs 1,2 --reps 1 --runtime 1s \
	--json "$R" --quiet "$J/mmap-randread.fio"
ok $rc "mmap-randread runs with 1 and 2 jobs"
[ $rc -eq 0 ] || show_output
[ "$(jget "$R" cases.0.id)" = procs=1 ] && [ "$(jget "$R" cases.1.id)" = procs=2 ] &&
	[ "$(jget "$R" cases.1.repetitions.0.numjobs_count)" = 2 ]
ok $? "one case per --procs value, fio ran that many jobs"
num_cmp "$(jget "$R" cases.1.metrics.read_iops.median)" '>' 0 &&
	num_cmp "$(jget "$R" cases.1.metrics.read_clat_p50_ns.median)" '<=' "$(jget "$R" cases.1.metrics.read_clat_p99_ns.median)"
ok $? "IOPS $(jget "$R" cases.1.metrics.read_iops.median) > 0, p50 <= p99"
jget "$R" parameters.fio_engines_available | grep -q '"mmap"' && [ "$(jget "$R" parameters.ioengines)" = '["mmap"]' ] &&
	jget "$R" parameters.fio_version | grep -q '^fio-'
ok $? "the result records fio's version, its engines and the job's (mmap)"

P=$tap_tmp/populate.json
run "$PTSHARE" fio --backing tmpfs --page-size 4K --size 32M --procs 2 --reps 1 --runtime 30s \
	--json "$P" --quiet "$J/mmap-populate.fio"
ok $rc "mmap-populate runs with 2 jobs"
[ $rc -eq 0 ] || show_output
[ "$(jget "$P" cases.0.metrics.read_io_bytes.median)" = $((2 * 32 * 1024 * 1024)) ]
ok $? "each job read the whole 32 MiB once"
fa=$(cat /sys/kernel/debug/fault_around_bytes 2>/dev/null || echo 65536)
f=$(jget "$P" cases.0.metrics.minflt_per_job_count.median)
num_cmp "$f" '>=' $((32 * 1024 * 1024 / fa))
ok $? "each job faulted the file in through its own tables: $f faults >= 32 MiB / $fa (fault-around)"

printf '[x]\nioengine=nosuchengine\nfilename=${PTSHARE_FIO_FILE}\nsize=${PTSHARE_FIO_SIZE}\nrw=read\n' > "$tap_tmp/bad.fio"
run "$PTSHARE" fio --backing tmpfs --size 8M --procs 1 --reps 1 --quiet "$tap_tmp/bad.fio"
[ $rc -eq 77 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ] && printf '%s\n' "$err" | grep -q "has no ioengine 'nosuchengine'"
ok $? "an ioengine this fio lacks: exit 77 with the reason ($err)"

run "$PTSHARE" fio --backing tmpfs --size 8M --procs 1 --reps 1 --quiet "$J/devdax-randread.fio"
[ $rc -eq 2 ] && printf '%s\n' "$err" | grep -q "needs --backing devdax"
ok $? "dev-dax job on tmpfs: exit 2 naming the fix ($err)"
run "$PTSHARE" fio --backing tmpfs --size 8M --procs 1 --reps 1 --quiet "$J/libpmem-randrw.fio"
[ $rc -eq 2 ] && printf '%s\n' "$err" | grep -q "needs a DAX file: use --backing fsdax"
ok $? "libpmem job on tmpfs: exit 2 naming the fix ($err)"
[ "$(ls -d /tmp/ptshare-fio.* 2>/dev/null | sort)" = "$before" ]
ok $? "no fio output file left behind"
done_testing
