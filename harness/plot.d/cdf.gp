# SPDX-License-Identifier: GPL-2.0-only
# Page-fault latency CDF per attach rank: one step line per result set and
# rank (first mapper, later mappers).  Blocks: latency (ns), fraction.
load dir.'common.gp'
set logscale x 10
set yrange [0:1.02]
set ytics 0.1
plot for [i=1:nseries] datafile index (i-1) using 1:2 with steps lw 2 title titles[i]
