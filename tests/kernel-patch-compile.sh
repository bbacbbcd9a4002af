#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The kernel patch series applies to Debian's linux-source-6.12 and the
# objects it touches compile (W=1, no warnings) with CONFIG_FS_DAX_PMD_SHARE=y
# on x86_64_defconfig + kvm_guest.config + harness/kconfig/guest.config.
# A patch that does not apply is refused, naming it.
#
# Unpacking, applying the series and configuring are harness/kbuild's, the
# same code make check-vm and make vm-compare build with: its unpacked and
# patched trees in $cache/src are shared.  This test configures its own
# build directory ($cache/kernel-patch-compile/build, kbuild --build-dir
# --config-only) and compiles only the touched objects there, from scratch
# on every run.
. "$srcdir/tests/tap.sh"

me=kernel-patch-compile
cache=${PTSHARE_CACHE:-$HOME/.cache/ptshare-bench}
tarball=${PTSHARE_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
tree=$cache/src/$(basename "$tarball" | sed 's/\.tar\..*$//')
pdir=$srcdir/kernel-patch
kbuild=$srcdir/harness/kbuild
obj=$cache/kernel-patch-compile/build
jobs=$(($(nproc 2>/dev/null || echo 1) + 1))

[ -f "$tarball" ] || skip_all "no kernel source: $tarball not found (apt-get install linux-source-6.12)"
[ -f "$pdir/series" ] || { echo "$me: $pdir/series not found: the series is missing from the source tree" >&2; exit 99; }
[ -f "$kbuild" ] || { echo "$me: $kbuild not found: harness/ is missing from the source tree" >&2; exit 99; }

mkdir -p "$cache/kernel-patch-compile" || { echo "$me: cannot create $cache/kernel-patch-compile" >&2; exit 99; }
# one run at a time: make check and make distcheck may overlap, and the
# compile below removes and rebuilds objects in the shared build directory
exec 8>"$cache/kernel-patch-compile/.lock"
command -v flock >/dev/null 2>&1 && flock 8
# earlier versions of this test kept a patched copy per series here
for old in "$cache"/kernel-patch-compile/*/.applied; do
	[ -f "$old" ] && rm -rf "${old%/.applied}"
done

plan 7

# 1. kbuild applies the series and configures with the option on
run sh "$kbuild" --variant patched --cache "$cache" --build-dir "$obj" --config-only
[ $rc -eq 0 ] && [ "$out" = "$obj/.config" ] && grep -q '^CONFIG_FS_DAX_PMD_SHARE=y$' "$obj/.config"
cfg_rc=$?
ok $cfg_rc "harness/kbuild applies the series and configures with CONFIG_FS_DAX_PMD_SHARE=y"
[ $cfg_rc -eq 0 ] || show_output

# 2. patch broke the hard links of the patched copy instead of writing
# through them
[ -f "$tree/mm/memory.c" ] && ! grep -q fsdax_pmd "$tree/mm/memory.c"
ok $? "the unpacked tree kbuild patched a copy of is left untouched"

if [ $cfg_rc -ne 0 ]; then
	for i in 3 4 5 6; do ok 1 "not reached: kbuild could not apply the series or configure"; done
else
	# 3. prepare (incremental after the first run)
	run make -C "$obj" -j$jobs prepare
	ok $rc "make prepare in $obj"
	[ $rc -eq 0 ] || show_output

	# 4. compile every .c file the series touches, from scratch
	objs=$(sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' $(sed -e 's/#.*//' -e "s|^|$pdir/|" "$pdir/series") | sort -u)
	diag "objects: $(echo $objs)"
	(cd "$obj" && rm -f $objs)
	run make -C "$obj" -j$jobs W=1 $objs
	cc_rc=$rc
	for o in $objs; do
		[ -f "$obj/$o" ] || { cc_rc=1; diag "$o was not built"; }
	done
	ok $cc_rc "the touched objects compile: $(echo $objs | wc -w) objects"
	[ $cc_rc -eq 0 ] || show_output

	# 5. without new warnings (W=1)
	# compiler diagnostics only: make's own notes (e.g. "make[3]: warning:
	# -j3 forced in submake" under make check's jobserver) are not warnings
	# of the series
	! grep -E 'warning:|error:' "$tap_tmp/err" | grep -Ev '^g?make(\[[0-9]+\])?: ' >"$tap_tmp/warn"
	w_rc=$?
	ok $w_rc "no compiler warnings with W=1"
	[ $w_rc -eq 0 ] || sed 's/^/#   /' "$tap_tmp/warn" | head -20

	# 6. the sharing code is really in there
	[ -f "$obj/mm/fsdax_pmd_share.o" ]
	ok $? "mm/fsdax_pmd_share.o is built with the option on"
fi

# 7. a broken copy of the first patch is refused, naming it: kbuild's
# dry run against the real tree, before anything is replaced
bad=$tap_tmp/bad
mkdir -p "$bad"
first=$(sed -e 's/#.*//' "$pdir/series" | awk 'NF { print; exit }')
printf '%s\n' "$first" >"$bad/series"
# change every line the patch removes: no fuzz can make those hunks match
awk '/^-[^-]/ { print "-ptshare-bench: deliberately broken"; next } { print }' \
	"$pdir/$first" >"$bad/$first"
grep -q '^-ptshare-bench: deliberately broken' "$bad/$first" ||
	diag "$first removes no line: the broken copy may still apply"
run sh "$kbuild" --variant patched --cache "$cache" --patch-dir "$bad" \
	--build-dir "$tap_tmp/bad-build" --config-only
[ $rc -eq 1 ] && printf '%s\n' "$err" | grep -q "patch $first does not apply to linux .*; rebase it"
ok $? "a deliberately broken patch fails to apply, naming it"
[ $rc -eq 1 ] || show_output

done_testing
