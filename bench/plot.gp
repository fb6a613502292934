# bench/plot.gp: boot time (start to exit, median with min-max bars) of the
# firmware floor, kiln, the Linux guest and the host process.
# Usage: gnuplot -e "data='FILE'; out='PNG'; title='TEXT'" bench/plot.gp
# FILE: one row per bar: index "label" median min max (milliseconds).
set terminal pngcairo size 900,520 font ",11"
set output out
set title title
set style fill solid 0.6 border -1
set boxwidth 0.6
set logscale y
set ylabel "milliseconds, log scale (median; bars: min to max)"
set yrange [0.1:*]
stats data using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set grid ytics
unset key
plot data using 1:3:xtic(2) with boxes linecolor rgb "#4477aa", \
     data using 1:3:4:5 with yerrorbars linecolor rgb "black" pointsize 0, \
     data using 1:3:($3 >= 100 ? sprintf("%.0f ms", $3) : \
			   sprintf("%.3g ms", $3)) with labels offset 0,1.2
