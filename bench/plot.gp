# bench/plot.gp: hello's start to exit (median, bars min to max) for the
# firmware floor, kiln, the Linux guest and the host process; beside it,
# when there are figures, the echo's 1-byte round trip (median, bar to p99)
# on virtio-net and on the RTL8139.
# Usage: gnuplot -e "data='F'; rtt='R'; out='PNG'; title='TEXT'" plot.gp
# F: index "label" median min max (ms); R: index "label" median p99 (µs),
# or '' for none.
set terminal pngcairo size 1400,520 font ",11"
set output out
set style fill solid 0.6 border -1
set boxwidth 0.6
set logscale y
set grid ytics
unset key
if (rtt ne '') { set multiplot layout 1,2 title title } \
else { set title title . ": hello, start to exit (bars: min to max)" }

stats data using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set yrange [0.1:*]
set ylabel "milliseconds, log scale"
if (rtt ne '') { set title "hello, start to exit (bars: min to max)" }
plot data using 1:3:xtic(2) with boxes linecolor rgb "#4477aa", \
     data using 1:3:4:5 with yerrorbars linecolor rgb "black" pointsize 0, \
     data using 1:3:($3 >= 100 ? sprintf("%.0f ms", $3) : \
			   sprintf("%.3g ms", $3)) with labels offset 0,1.2

if (rtt ne '') {
	stats rtt using 1 nooutput
	set xrange [-0.6:STATS_max + 0.6]
	set yrange [1:*]
	set ylabel "microseconds, log scale"
	set title "echo, 1-byte round trip (bar: to p99)"
	plot rtt using 1:3:xtic(2) with boxes linecolor rgb "#cc6677", \
	     rtt using 1:3:3:4 with yerrorbars linecolor rgb "black" pointsize 0, \
	     rtt using 1:3:(sprintf("%.0f µs", $3)) with labels offset 0,1.2
	unset multiplot
}
