#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# End to end on this machine: harness/run runs a tiny workload set twice
# (tests/data/tiny.conf), then harness/compare compares the two result
# directories, harness/plot plots them (the page-table plot on real data)
# and ptshare model --from checks them against the cost model.
. "$srcdir/tests/tap.sh"
measure_lock
plan 25

R="$srcdir/harness/run"
export PTREPORT="${PTREPORT:-$top_builddir/bench/ptreport}"
unset PTSHARE_FSDAX_DIR PTSHARE_DAX_DIR
set_file="$srcdir/tests/data/tiny.conf"

run sh "$R" --no-lock --ptshare "$PTSHARE" --set "$set_file" --results "$tap_tmp/r" --label a
ok $rc "harness/run of the tiny set exits 0"
[ $rc -eq 0 ] || show_output
printf '%s\n' "$out" | grep -q '^==> \[2/4\] fault-4K (elapsed [0-9]*[sm]'
ok $? "progress: which run, i of n, elapsed"
printf '%s\n' "$out" | grep -q '^==> \[3/4\] .*about .* left)'
ok $? "progress: an estimate of the time left"
m="$tap_tmp/r/a/manifest.tsv"
grep -q '^pgtable-4K	pgtable	ok	0	[0-9]*	pgtable-4K.json$' "$m" && grep -q '^fault-4K	fault	ok	0	[0-9]*	fault-4K.json$' "$m"
ok $? "the manifest lists both runs as ok with their documents"
grep -q '^not-a-bench	nosuchbench	skipped: no nosuchbench benchmark' "$m" &&
	grep -q '^needs-dax	pgtable	skipped: unset PTSHARE_FSDAX_DIR' "$m"
ok $? "a missing benchmark and an unset DAX mount are skipped with the reason"
missing=
for f in uname.txt cmdline.txt sysctl-vm.txt thp.txt hugepages.txt mountinfo.txt cpuinfo.txt meminfo.txt ptshare-version.txt; do
	[ -s "$tap_tmp/r/a/machine/$f" ] || missing="$missing $f"
done
[ -s "$tap_tmp/r/a/machine/kernel.config" ] || [ -s "$tap_tmp/r/a/machine/kernel.config.missing" ] || missing="$missing kernel.config"
[ -z "$missing" ] && grep -q '^vm\.' "$tap_tmp/r/a/machine/sysctl-vm.txt"
ok $? "machine record complete${missing:+ (missing:$missing)}"
grep -q '^pgtable-4K	tmpfs	' "$tap_tmp/r/a/machine/backings.tsv"
ok $? "the backing of each run is recorded"
n=0
for w in before after; do for k in vmstat meminfo; do
	[ -s "$tap_tmp/r/a/snapshots/pgtable-4K.$w.$k" ] && n=$((n + 1))
done; done
[ $n -eq 4 ]
ok $? "vmstat and meminfo snapshots before and after the run ($n of 4)"
if dmesg >/dev/null 2>&1; then
	[ -f "$tap_tmp/r/a/kernel-log/pgtable-4K.txt" ]
	ok $? "the kernel log of the run is kept"
else
	echo "ok $((tap_n + 1)) # SKIP cannot read the kernel log here"
	tap_n=$((tap_n + 1))
fi

# Kernel splats, with a fake kernel log (PTSHARE_KERNEL_LOG): a wrapper of
# ptshare writes a WARNING into it during the run that maps 5M only.
klog="$tap_tmp/klog"
echo "[    1.000000] Linux version 6.12.117 (fake log of the test)" > "$klog"
{
	echo '#!/bin/sh'
	echo 'case " $* " in *" --size 5M "*)'
	echo "	echo '[    2.000000] WARNING: CPU: 1 PID: 42 at mm/fake.c:1 fake_splat+0x0/0x10' >> '$klog' ;;"
	echo 'esac'
	echo "exec '$PTSHARE' \"\$@\""
} > "$tap_tmp/ptshare-splat"
chmod +x "$tap_tmp/ptshare-splat"
{
	echo 'reps 1'
	echo 'warmup 0'
	echo 'run clean pgtable --backing tmpfs --page-size 4K --size 4M --procs 1 --max-noisy 1'
	echo 'run splat pgtable --backing tmpfs --page-size 4K --size 5M --procs 1 --max-noisy 1'
} > "$tap_tmp/splat.conf"
run env PTSHARE_KERNEL_LOG="cat '$klog'" sh "$R" --no-lock --ptshare "$tap_tmp/ptshare-splat" --set "$tap_tmp/splat.conf" \
	--results "$tap_tmp/r" --label splat
[ $rc -eq 1 ] && printf '%s\n' "$err" | grep -q '1 of 2 runs failed'
ok $? "a kernel splat during a run fails harness/run (exit $rc)"
[ $rc -eq 1 ] || show_output
grep -q '^splat	pgtable	kernel-splat	0	' "$tap_tmp/r/splat/manifest.tsv" &&
	grep -q '^clean	pgtable	ok	0	' "$tap_tmp/r/splat/manifest.tsv"
ok $? "the manifest marks the run with the splat, and only that run"
printf '%s\n' "$out" | grep -q '^    KERNEL SPLAT during splat:' &&
	printf '%s\n' "$out" | grep -q '^      .*WARNING: CPU: 1 PID: 42 at mm/fake.c:1' &&
	! printf '%s\n' "$out" | grep -q 'KERNEL SPLAT during clean'
ok $? "the splat is shown with its line"
grep -q 'WARNING: CPU: 1 PID: 42' "$tap_tmp/r/splat/kernel-log/splat.txt" && [ -f "$tap_tmp/r/splat/kernel-log/clean.txt" ] &&
	! grep -q . "$tap_tmp/r/splat/kernel-log/clean.txt" && ! grep -q 'Linux version' "$tap_tmp/r/splat/kernel-log/splat.txt"
ok $? "kernel-log/RUN.txt holds the messages of that run alone"
run env PTSHARE_KERNEL_LOG=false sh "$R" --no-lock --ptshare "$PTSHARE" --set "$tap_tmp/splat.conf" --only clean \
	--results "$tap_tmp/r" --label nolog
[ $rc -eq 0 ] && printf '%s\n' "$err" | grep -q 'cannot read the kernel log (false): kernel splats are not checked'
ok $? "an unreadable kernel log is said, and the run goes on (exit $rc)"

run sh "$R" --no-lock --ptshare "$PTSHARE" --set "$set_file" --results "$tap_tmp/r" --label b
ok $rc "a second run exits 0"

run sh "$srcdir/harness/compare" --stats median,p "$tap_tmp/r/a" "$tap_tmp/r/b"
ok $rc "harness/compare a b exits 0"
printf '%s\n' "$out" | grep -q '^== pgtable-4K ==' && printf '%s\n' "$out" | grep -q '^== fault-4K ==' &&
	printf '%s\n' "$out" | grep -q '^case  *a  *b$'
ok $? "compare shows both runs with a column per set"
printf '%s\n' "$out" | grep -A3 '^== not-a-bench ==' | grep -q 'a: skipped: no nosuchbench benchmark'
ok $? "compare shows the skipped run with its status"

run "$PTSHARE" model --from "$tap_tmp/r/a"
ok $rc "ptshare model --from the result directory exits 0"
printf '%s\n' "$out" | grep -q 'pgtable-4K: tmpfs, 32 MiB per process at 4 KiB pages, aligned placement' &&
	printf '%s\n' "$out" | grep -Eq '^ +2 .* 36 +unshared '
ok $? "model --from: the 4K run against the unshared model (2 x 18 pages: 16 PTE + PMD + PUD)"
[ $rc -eq 0 ] || show_output

# The issue's projection: 10,000 processes x 6 TiB at 2 MiB.  Each process
# needs 6144 PMD pages + 12 PUD pages unshared; shared, the 6144 PMD pages
# exist once: 61,560,000 pages (234.83 GiB) against 126,144 (492.75 MiB).
run "$PTSHARE" model --procs 10000 --size 6T --page-size 2M --json "$tap_tmp/model.json"
[ $rc -eq 0 ] && [ "$(jget "$tap_tmp/model.json" cases.0.observations.model_unshared_pages)" = 61560000 ] &&
	[ "$(jget "$tap_tmp/model.json" cases.0.observations.model_shared_pages)" = 126144 ] &&
	printf '%s\n' "$out" | grep -Eq '^2M +10000 +234\.83 GiB +492\.75 MiB '
ok $? "model: 10,000 x 6 TiB at 2M is 234.83 GiB unshared, 492.75 MiB shared"

# SIGTERM to harness/run alone stops the running benchmark, which cleans up.
printf 'reps 1000\nrun long pgtable --backing tmpfs --page-size 4K --size 16M --procs 4\n' > "$tap_tmp/long.conf"
sh "$R" --no-lock --ptshare "$PTSHARE" --set "$tap_tmp/long.conf" --results "$tap_tmp/r" --label int \
	> "$tap_tmp/int.out" 2>&1 &
pid=$!
i=0
while [ $i -lt 50 ] && [ -z "$(ps -o pid= --ppid $pid 2>/dev/null)" ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
bench_pid=$(ps -o pid= --ppid $pid 2>/dev/null | tr -d ' ')
kill -TERM $pid
wait $pid
st=$?
sleep 0.5
left=0
[ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null && left=1
[ $st -eq 130 ] && [ $left -eq 0 ] && grep -q 'interrupted; partial results in' "$tap_tmp/int.out"
ok $? "SIGTERM to harness/run: exit $st, the benchmark stopped too ($left left)"
grep -q '^long	pgtable	interrupted	' "$tap_tmp/r/int/manifest.tsv" && grep -q '^interrupted_utc: ' "$tap_tmp/r/int/run.txt"
ok $? "the manifest and run.txt record the interruption"

if command -v gnuplot >/dev/null 2>&1; then
	run sh "$srcdir/harness/plot" --size 480x300 --out "$tap_tmp/plots" "$tap_tmp/r/a" "$tap_tmp/r/b"
	[ $rc -eq 0 ] && [ -s "$tap_tmp/plots/pgtable-4K.png" ] && [ -s "$tap_tmp/plots/fault-4K-cdf.png" ] &&
		[ -s "$tap_tmp/plots/report.md" ]
	ok $? "harness/plot a b: the page-table plot of real data, the fault CDF and the report"
	[ $rc -eq 0 ] || show_output
	grep -q '^"a (tmpfs)"\|^# a (tmpfs)' "$tap_tmp/plots/pgtable-4K.dat" &&
		grep -q '^# b (tmpfs)' "$tap_tmp/plots/pgtable-4K.dat"
	ok $? "one line per result set, labelled with its backing"
else
	echo "ok $((tap_n + 1)) # SKIP gnuplot is not installed"
	echo "ok $((tap_n + 2)) # SKIP gnuplot is not installed"
	tap_n=$((tap_n + 2))
fi
done_testing
