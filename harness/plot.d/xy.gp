# SPDX-License-Identifier: GPL-2.0-only
# Time versus a parameter (fork/exit: mapping size; migrate: mappers):
# one line per result set and group, median with bars min..max.
# Blocks: x, median, min, max (ns; drawn in seconds with SI prefixes).
load dir.'common.gp'
if (xbytes) {
	set logscale x 2
	set format x '%.0b %BB'
} else {
	set logscale x 2
}
set logscale y 10
set format y '%.0s %cs'
plot for [i=1:nseries] datafile index (i-1) using 1:($2/1e9):($3/1e9):($4/1e9) with yerrorlines lw 2 pt 7 ps 0.8 title titles[i]
