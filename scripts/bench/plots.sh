# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by scripts/bench.sh: the two figures of docs/BENCHMARKS.md from the plot data
# report.py left in WORK.

# write_plots DIR: DIR/bench-dataplane.png and DIR/bench-runs.png.
write_plots() {
	local dir=$1 ndata
	ndata=$(grep -c '^"' "$WORK/plot.dat")
	gnuplot <<EOT || log "gnuplot failed"
set terminal pngcairo size 1100,700 font "sans,10"
set output "$dir/bench-dataplane.png"
set title "Data plane: CPU ns per received packet (generator + receiver, one CPU), median of $RUNS runs, min-max bars"
set logscale xy
set xlabel "N blocked addresses"
set ylabel "ns per packet (log)"
set key outside right
set grid
set xrange [0.5:2000000]
plot for [i=0:$((ndata - 1))] "$WORK/plot.dat" index i using 1:2:3:4 with yerrorlines title columnheader(1)
EOT
	gnuplot <<EOT || log "gnuplot failed"
set terminal pngcairo size 1400,600 font "sans,8"
set output "$dir/bench-runs.png"
set title "Every measured run (ns per packet, log scale): the spread behind each median"
set logscale y
set ylabel "ns per packet"
set xtics rotate by 60 right ($(cat "$WORK/runs.labels"))
set grid ytics
unset key
plot "$WORK/runs.dat" using 1:2 with points pt 7 ps 0.6
EOT
}
