#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# harness/kbuild and harness/vm: bad input gives a one-line error that names
# the fix, with the right exit status.  Builds and boots nothing; seconds.
. "$srcdir/tests/tap.sh"

kbuild="$srcdir/harness/kbuild"
vm="$srcdir/harness/vm"
[ -f "$kbuild" ] && [ -f "$vm" ] || skip_all "harness/kbuild or harness/vm not found in $srcdir"
plan 22

# expect STATUS REGEX DESC: the last run exited STATUS and wrote exactly one
# error line ("kbuild: error: ..." or "vm: error: ...") matching the extended
# REGEX; other stderr lines may only be progress notes ("kbuild: ...").
expect() {
	lines=$(printf '%s\n' "$err" | grep -c '^[a-z]*: error: ')
	other=$(printf '%s\n' "$err" | sed '/^$/d' | grep -vc '^\(kbuild\|vm\): ')
	[ "$other" -eq 0 ] || lines=$((lines + other))
	if [ "$rc" -eq "$1" ] && [ "$lines" -eq 1 ] && printf '%s\n' "$err" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "exit $rc (wanted $1), $lines stderr lines (wanted 1), wanted /$2/"
		show_output
	fi
}

cache="$tap_tmp/cache"

# --- kbuild ------------------------------------------------------------
run env PTSHARE_LINUX_SOURCE="$tap_tmp/none/linux-source-6.12.tar.xz" PTSHARE_CACHE="$cache" \
	sh "$kbuild" --variant stock
expect 1 'linux-source-6.12.tar.xz not found.*apt-get install linux-source-6\.12, or pass --kernel-src DIR' \
	"kbuild without linux-source or --kernel-src names the package and --kernel-src"

run sh "$kbuild" --kernel-src "$tap_tmp/nowhere" --cache "$cache"
expect 1 'is not a directory.*--kernel-src DIR' "kbuild --kernel-src of a missing directory"

# a fake tree: enough for kbuild to get to the patches
ktree="$tap_tmp/linux"
mkdir -p "$ktree/arch/x86/configs" "$ktree/mm"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\n' > "$ktree/Makefile"
: > "$ktree/arch/x86/configs/x86_64_defconfig"
printf 'int a;\nint b;\nint c;\nint d;\n' > "$ktree/mm/memory.c"

mkdir -p "$tap_tmp/nopatches"
run sh "$kbuild" --variant patched --kernel-src "$ktree" --patch-dir "$tap_tmp/nopatches" --cache "$cache"
expect 3 'series does not exist.*--variant stock' "kbuild --variant patched without a series exits 3 naming it"

pd="$tap_tmp/patches"
mkdir -p "$pd"
cat > "$pd/0001-good.patch" <<'EOF'
--- a/mm/memory.c
+++ b/mm/memory.c
@@ -1,4 +1,4 @@
 int a;
-int b;
+int b2;
 int c;
 int d;
EOF
cat > "$pd/0002-broken.patch" <<'EOF'
Subject: [PATCH] does not apply

--- a/mm/memory.c
+++ b/mm/memory.c
@@ -1,4 +1,4 @@
 int x;
-int y;
+int y2;
 int z;
 int w;
EOF
printf '# test series\n0001-good.patch\n0002-broken.patch\n' > "$pd/series"
if command -v patch >/dev/null 2>&1; then
	run env PTSHARE_PATCH_DIR="$pd" sh "$kbuild" --variant patched --kernel-src "$ktree" --cache "$cache"
	expect 1 'patch 0002-broken\.patch does not apply .*mm/memory\.c hunk #1 FAILED.*rebase it' \
		"kbuild names the patch and the hunk that do not apply"
	grep -q 'int b;' "$ktree/mm/memory.c"
	ok $? "the source tree given with --kernel-src is left untouched"
	[ ! -e "$cache/src/$(basename "$ktree")"-*-patched/.ptshare-patched ] 2>/dev/null
	ok $? "no half-patched tree is left in the cache"
else
	echo "ok 4 # SKIP patch(1) not installed"
	echo "ok 5 # SKIP patch(1) not installed"
	echo "ok 6 # SKIP patch(1) not installed"
	tap_n=6
fi

printf '0001-good.patch\n0003-missing.patch\n' > "$pd/series"
run sh "$kbuild" --variant patched --kernel-src "$ktree" --patch-dir "$pd" --cache "$cache"
expect 1 'names 0003-missing\.patch, which is not in.*fix the series file' "kbuild names a patch missing from the series' directory"

mkdir -p "$tap_tmp/notmine" && : > "$tap_tmp/notmine/keep"
run sh "$kbuild" --kernel-src "$ktree" --cache "$cache" --build-dir "$tap_tmp/notmine"
expect 1 "$tap_tmp/notmine exists but was not made by kbuild; move it away" \
	"kbuild --build-dir refuses a directory it did not make"
[ -f "$tap_tmp/notmine/keep" ]
ok $? "... and leaves that directory as it was"

run sh "$kbuild" --variant fancy
expect 2 "--variant must be stock or patched" "kbuild usage error exits 2"

# A PATH with the commands the scripts use, but not the ones named.
farm() {
	rm -rf "$tap_tmp/bin"
	mkdir -p "$tap_tmp/bin"
	for n in sh dash bash env dirname basename sed awk grep cat mkdir rm mv cp ln find sort cut tr \
		 head tail date stat sha256sum mktemp getconf paste touch sleep timeout od wc id tee \
		 printf ldd cpio file cc gcc make ld flex bison bc perl patch xz tar busybox \
		 qemu-system-x86_64 mkfs.ext4 mkfs.xfs fio ndctl daxctl; do
		case " $* " in *" $n "*) continue ;; esac
		p=$(command -v "$n" 2>/dev/null) || continue
		case $p in /*) ln -s "$p" "$tap_tmp/bin/$n" ;; esac
	done
}

farm bison
run env PATH="$tap_tmp/bin" sh "$kbuild" --kernel-src "$ktree" --cache "$cache"
expect 1 "missing build tools:.* bison.*; install them: apt-get install.* bison" "kbuild names a missing build tool and its package"

# --- vm ----------------------------------------------------------------
farm qemu-system-x86_64
run env PATH="$tap_tmp/bin" sh "$vm" --kernel /nonexistent --run true
expect 1 'qemu-system-x86_64 not found; install it: apt-get install qemu-system-x86' \
	"vm without qemu names the package"

run sh "$vm" --mem lots
expect 2 '--mem takes a size' "vm usage error exits 2"

run sh "$vm" --run true --shell
expect 2 '--run and --shell exclude each other' "vm rejects --run with --shell"

if command -v qemu-system-x86_64 >/dev/null 2>&1 && command -v busybox >/dev/null 2>&1 &&
   command -v cpio >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
	run sh "$vm" --kernel "$tap_tmp/no-bzImage" --results "$tap_tmp/res" --run true
	expect 1 'kernel .*no-bzImage not found; pass --kernel FILE' "vm with a missing kernel file"
else
	echo "ok $((tap_n + 1)) # SKIP qemu, busybox, cpio or cc missing"
	tap_n=$((tap_n + 1))
fi

# --- the splat filter: what fails a guest run (harness/vm --scan-log) ---
# Kernel lines carry a printk time stamp; a payload's own "BUG:" does not.
clean="$tap_tmp/clean.log"
cat > "$clean" <<'EOF2'
[    0.000000] Linux version 6.12.117 (root@vm) #1 SMP PREEMPT_DYNAMIC
ptshare-vm: payload: echo BUG: not a kernel line; WARNING: neither
BUG: printed by the payload
[   30.100000] EXT4-fs (pmem0): mounted filesystem with ordered data mode
EOF2
run sh "$vm" --scan-log "$clean"
[ "$rc" -eq 0 ] && printf '%s\n' "$err" | grep -q '^vm: no kernel report'
ok $? "splat filter: payload text that says BUG:/WARNING: does not fail a run"

nsplat=0
for report in \
	'WARNING: CPU: 1 PID: 77 at mm/memory.c:1703 zap_pmd_range+0x2a/0x4f0' \
	'BUG: KASAN: slab-use-after-free in zap_huge_pmd+0x51/0x3c0' \
	'WARNING: possible circular locking dependency detected' \
	'BUG: Bad rss-counter state mm:00000000c0ffee00 type:MM_FILEPAGES val:-1'; do
	nsplat=$((nsplat + 1))
	log="$tap_tmp/splat$nsplat.log"
	{ cat "$clean"; printf '[   41.25%04d] %s\n[   41.260000] Call Trace:\n' "$nsplat" "$report"; } > "$log"
	run sh "$vm" --scan-log "$log"
	[ "$rc" -eq 1 ] && printf '%s\n' "$err" | grep -qF -- "$report"
	ok $? "splat filter fails the run on: ${report%% in *}"
	[ "$rc" -eq 1 ] || show_output
done

run sh "$kbuild" --help
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^Usage: harness/kbuild'
ok $? "kbuild --help"
run sh "$vm" --help
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^Usage: harness/vm'
ok $? "vm --help"

done_testing
