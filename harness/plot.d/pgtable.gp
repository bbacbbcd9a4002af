# SPDX-License-Identifier: GPL-2.0-only
# Page-table memory versus the number of processes, log-log: one line per
# result set (median, bars min..max), the cost model without sharing (N
# copies), with PMD sharing, and the ideal of one copy for all processes.
# Data blocks 0..nseries-1: procs, median, min, max; block nseries: procs,
# model unshared, model shared, one copy.
load dir.'common.gp'
set logscale x 2
set logscale y 2
set format y '%.0b %BB'
set xtics 2
if (dropped > 0) {
	set label 1 sprintf('%d median(s) <= 0 not drawn (log axis)', dropped) at graph 0.02, graph 0.96 left
}
plot for [i=1:nseries] datafile index (i-1) using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 title titles[i], \
     datafile index nseries using 1:2 with lines dt 2 lw 1.5 lc rgb 'black' title 'model: unshared (a copy per process)', \
     datafile index nseries using 1:3 with lines dt 3 lw 1.5 lc rgb '#1a7f37' title 'model: PMD pages shared', \
     datafile index nseries using 1:4 with lines dt 4 lw 1.5 lc rgb '#777777' title 'ideal: one copy'
