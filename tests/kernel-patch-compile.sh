#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The kernel patch series applies to Debian's linux-source-6.12 with
# patch -p1 and the objects it touches compile (W=1, no warnings) with
# CONFIG_FS_DAX_PMD_SHARE=y on x86_64_defconfig + harness/kconfig/guest.config.
# A patch that does not apply is reported as such.
#
# The unpacked tree is shared with harness/kbuild ($cache/src) and only read.
# The patched copy (cp -al) and its prepared O= directory are cached under
# $cache/kernel-patch-compile/<series checksum>; the touched objects are
# removed and compiled again on every run.
. "$srcdir/tests/tap.sh"

me=kernel-patch-compile
cache=${PTSHARE_CACHE:-$HOME/.cache/ptshare-bench}
tarball=${PTSHARE_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
tree=$cache/src/$(basename "$tarball" | sed 's/\.tar\..*$//')
pdir=$srcdir/kernel-patch
frag=$srcdir/harness/kconfig/guest.config
jobs=$(($(nproc 2>/dev/null || echo 1) + 1))

if [ ! -f "$tree/Makefile" ] && [ ! -f "$tarball" ]; then
	skip_all "no kernel source: neither $tarball nor an unpacked $tree (apt-get install linux-source-6.12)"
fi
[ -f "$pdir/series" ] || { echo "$me: $pdir/series not found: the series is missing from the source tree" >&2; exit 99; }
for t in make gcc patch flex bison bc; do
	command -v "$t" >/dev/null 2>&1 ||
		{ echo "$me: $t not found: install the kernel build tools (harness/install-deps)" >&2; exit 99; }
done

mkdir -p "$cache/src" || { echo "$me: cannot create $cache/src" >&2; exit 99; }
# One unpack or prepare at a time (make check and make distcheck may overlap).
exec 8>"$cache/src/.kernel-patch-compile.lock"
command -v flock >/dev/null 2>&1 && flock 8

# Unpack once, the way harness/kbuild does, so that both reuse the tree.
if [ ! -f "$tree/Makefile" ]; then
	diag "unpacking $tarball into $cache/src (once)"
	tmp=$(mktemp -d "$cache/src/.unpack.XXXXXX") || exit 99
	if ! tar -xJf "$tarball" -C "$tmp"; then
		rm -rf "$tmp"
		echo "$me: cannot unpack $tarball (disk full?)" >&2
		exit 99
	fi
	set -- "$tmp"/*
	if [ $# != 1 ] || [ ! -f "$1/Makefile" ] || ! mv "$1" "$tree"; then
		rm -rf "$tmp"
		echo "$me: $tarball does not hold one kernel tree" >&2
		exit 99
	fi
	echo "$tarball $(stat -L -c %s-%Y "$tarball")" > "$tree/.ptshare-unpacked"
	rm -rf "$tmp"
fi

# apply_series DIR SERIES_DIR [patch options]: apply in series order, or
# name the patch that does not apply and stop.
apply_series() {
	a_dir=$1 a_pdir=$2
	shift 2
	for a_p in $(sed -e 's/#.*//' "$a_pdir/series"); do
		if [ ! -f "$a_pdir/$a_p" ]; then
			echo "$me: $a_p is listed in $a_pdir/series but missing" >&2
			return 1
		fi
		if ! patch -p1 -s -f -N "$@" -d "$a_dir" <"$a_pdir/$a_p" >"$tap_tmp/patch.log" 2>&1; then
			echo "$me: $a_p does not apply to $a_dir with patch -p1; rebase the series on linux-source-6.12:" >&2
			sed 's/^/  /' "$tap_tmp/patch.log" | head -5 >&2
			return 1
		fi
	done
}

plan 7

# 1. the series applies to a hard-link copy of the tree
sum=$(cat "$pdir/series" $(sed -e "s/#.*//" -e "s|^|$pdir/|" "$pdir/series") "$frag" | cksum | cut -d" " -f1)
work=$cache/kernel-patch-compile/$sum
src=$work/src
obj=$work/obj
if [ ! -f "$work/.applied" ]; then
	# keep one series: drop the copies this test made for older ones
	for old in "$cache"/kernel-patch-compile/*/.applied; do
		[ -f "$old" ] && rm -rf "${old%/.applied}"
	done
	rm -rf "$work"
	mkdir -p "$work" && cp -al "$tree" "$src" && rm -f "$src/.ptshare-unpacked"
	run apply_series "$src" "$pdir"
	[ $rc -eq 0 ] && : >"$work/.applied"
else
	rc=0
fi
ok $rc "the series applies with patch -p1 to a cp -al copy of $(basename "$tree")"
[ $rc -eq 0 ] || show_output

# 2. patch broke the hard links instead of writing through them
! grep -q fsdax_pmd "$tree/mm/memory.c"
ok $? "the shared unpacked tree is left untouched"

if [ ! -f "$work/.applied" ]; then
	for i in 3 4 5 6; do ok 1 "not reached: the series does not apply"; done
else
	# 3. configure: defconfig + guest fragment + the option
	if [ ! -f "$work/.prepared" ]; then
		rm -rf "$obj"
		mkdir -p "$obj"
		{ printf 'CONFIG_FS_DAX_PMD_SHARE=y\n'; cat "$frag"; } >"$work/frag.config"
		run sh -c "make -s -C '$src' O='$obj' x86_64_defconfig &&
			'$src/scripts/kconfig/merge_config.sh' -m -O '$obj' '$obj/.config' '$work/frag.config' >/dev/null &&
			make -s -C '$src' O='$obj' olddefconfig &&
			make -s -C '$src' O='$obj' -j$jobs prepare"
		[ $rc -eq 0 ] && grep -q '^CONFIG_FS_DAX_PMD_SHARE=y$' "$obj/.config" && : >"$work/.prepared"
	fi
	[ -f "$work/.prepared" ]
	ok $? "configured and prepared with CONFIG_FS_DAX_PMD_SHARE=y (x86_64_defconfig + guest.config)"
	[ -f "$work/.prepared" ] || show_output

	# 4. compile every .c file the series touches, from scratch
	objs=$(sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' $(sed -e 's/#.*//' -e "s|^|$pdir/|" "$pdir/series") | sort -u)
	diag "objects: $(echo $objs)"
	(cd "$obj" && rm -f $objs)
	run make -C "$src" O="$obj" -j$jobs W=1 $objs
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
	[ -f "$obj/mm/fsdax_pmd_share.o" ] && grep -q '^CONFIG_FS_DAX_PMD_SHARE=y$' "$obj/.config"
	ok $? "mm/fsdax_pmd_share.o is built with the option on"
fi

# 7. a broken patch is refused with a message naming it
bad=$tap_tmp/bad
mkdir -p "$bad"
first=$(sed -e 's/#.*//' "$pdir/series" | awk 'NF { print; exit }')
printf '%s\n' "$first" >"$bad/series"
# change every line the patch removes: no fuzz can make those hunks match
awk '/^-[^-]/ { print "-ptshare-bench: deliberately broken"; next } { print }' \
	"$pdir/$first" >"$bad/$first"
grep -q '^-ptshare-bench: deliberately broken' "$bad/$first" ||
	diag "$first removes no line: the broken copy may still apply"
run apply_series "$tree" "$bad" --dry-run
[ $rc -ne 0 ] && printf '%s\n' "$err" | grep -q "$first does not apply"
ok $? "a deliberately broken patch fails to apply, naming it"
[ $rc -ne 0 ] || show_output

done_testing
