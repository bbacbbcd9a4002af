# SPDX-License-Identifier: GPL-2.0-only
# Loaded first by every plot script.  Set by harness/plot on the command
# line: termspec (terminal and size), outfile.  Set by STEM.gpvars (from
# ptreport plotdata): datafile, plot_title, xlab, ylab, nseries, titles[].
eval('set terminal '.termspec)
set termoption noenhanced
set output outfile
set title plot_title
set xlabel xlab
set ylabel ylab
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key below vertical Left reverse samplen 2 maxcols 1
set autoscale xfix
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
set border 3
set tics nomirror
