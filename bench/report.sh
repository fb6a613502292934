# bench/report.sh: targets, plot and the results file (sourced by run.sh).

# targets: kiln against BRIEF.md's targets, from the rows' kiln figures.
targets() {
	local size mem above
	size=$(cat "$SAMPLES/row_hello_size.kiln")
	mem=$(cat "$SAMPLES/row_hello_min_mem.kiln")
	above=$(cat "$SAMPLES/row_above_floor.kiln")
	target "hello image, stripped: at most 100 KB" "$size" 100000 "$size B"
	target "smallest -m that runs hello: 2 MiB" "$mem" 2 "$mem MiB"
	target "hello within 5 ms of the firmware floor" "$above" 5000000 \
		"$(fmt_ms "${above:-0}") ms above"
}

# target TEXT VALUE LIMIT SHOWN: one line, met when VALUE <= LIMIT.
target() {
	local verdict="not measured"
	if [ -n "$2" ]; then
		verdict="not met ($4)"
		[ "${2%.*}" -le "$3" ] && verdict="met ($4)"
	fi
	echo "- $1: $verdict"
}

# plot_data: index "label" median min max (ms) per bar.
plot_data() {
	local i=0 k name s m lo hi n
	for k in floor:floor kiln:kiln linux:"Linux guest" host:"host process"; do
		name=${k#*:}
		s=$(stats "$SAMPLES/${k%%:*}.ns") || continue
		[ -e "$SAMPLES/${k%%:*}.fail" ] && continue
		read -r m lo hi n <<<"$s"
		awk -v i=$i -v l="$name" -v m="$m" -v lo="$lo" -v hi="$hi" \
			'BEGIN { printf "%d \"%s\" %g %g %g\n", i, l, m / 1e6, lo / 1e6, hi / 1e6 }'
		i=$((i + 1))
	done
}

# rtt_data: index "label" median p99 (µs) per column with a round trip:
# the guests on virtio-net, then on the RTL8139, then the host process.
rtt_data() {
	local i=0 k m p
	for k in kiln:"kiln virtio" linux:"Linux virtio" kiln_rtl:"kiln rtl8139" \
		linux_rtl:"Linux rtl8139" host:host; do
		read -r m p _ <"$SAMPLES/echo_rtt_${k%%:*}" 2>/dev/null || continue
		case $m in [0-9]*) ;; *) continue ;; esac
		awk -v i=$i -v l="${k#*:}" -v m="$m" -v p="$p" \
			'BEGIN { printf "%d \"%s\" %g %g\n", i, l, m / 1e3, p / 1e3 }'
		i=$((i + 1))
	done
}

plot() {
	local rtt=""
	command -v gnuplot >/dev/null || { echo "FAIL (no gnuplot)"; return; }
	rm -f "$RESULTS.png"
	plot_data >"$SAMPLES/plot.dat"
	[ -s "$SAMPLES/plot.dat" ] || { echo "FAIL (no boot figures)"; return; }
	rtt_data >"$SAMPLES/rtt.dat"
	[ -s "$SAMPLES/rtt.dat" ] && rtt=$SAMPLES/rtt.dat
	gnuplot -e "data='$SAMPLES/plot.dat'; rtt='$rtt'; out='$RESULTS.png'; \
		title='kiln bench, QEMU -m ${MEM}M -accel tcg, $DATE $HOST'" \
		bench/plot.gp 2>"$SAMPLES/plot.err" ||
		{ echo "FAIL (gnuplot: $(head -1 "$SAMPLES/plot.err"))"; return; }
	echo "[$(basename "$RESULTS.png")]($(basename "$RESULTS.png"))"
}

# report: the results file (Markdown) on stdout.
report() {
	local KILN_LINE LINUX_LINE
	kiln_cmd "$MEM" && KILN_LINE=$(show_cmd)
	linux_cmd "$MEM" && LINUX_LINE=$(show_cmd)
	echo "# kiln bench, $DATE, $HOST"
	echo
	echo "$MACHINE"
	echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- Linux guest: $(tr '\n' ',' <"$LINUX_DIR/versions" 2>/dev/null | sed 's/,$//; s/,/, /g')"
	echo "- Linux guest on RTL8139: $(head -1 "$LINUX_GENERIC_DIR/versions" 2>/dev/null || echo "no generic kernel")"
	echo "- runs: $RUNS per timed cell, interleaved (one of each per round)$QUICK_NOTE"
	echo
	echo "$TABLE"
	echo
	echo "Against the targets in BRIEF.md:"
	echo
	targets
	echo
	echo "Timed cells: median (min–max, N=runs), fork to exit as measured by"
	echo "\`bench/timer.c\` (CLOCK_MONOTONIC around fork and wait). Every boot"
	echo "uses \`-m ${MEM}M\` on the command line \`kiln run --dry-run\` prints"
	echo "(the second serial port, kiln's status channel, goes to a file):"
	echo
	echo "- kiln: \`$KILN_LINE\`"
	echo "- Linux: \`$LINUX_LINE\`"
	echo "- floor: the same with \`-kernel $FLOOR\`"
	echo
	echo "The Linux guest is Debian's cloud kernel with a busybox initramfs"
	echo "whose /init (\`bench/linux/init.c\`) forks and execs the very"
	echo "static hello binary kiln packs, waits, and powers off. \`noxsave\`:"
	echo "Linux 6.1 hangs setting up the FPU under TCG when -cpu offers xsave,"
	echo "as kiln's does; the flag keeps the -cpu line identical. Timed boots"
	echo "use ${MEM} MiB because the Linux guest needs about 72. /dev/kvm is"
	echo "never used."
	echo
	echo "Smallest -m, each try in order (a try has a bounded time):"
	echo
	sed 's/^/- kiln, /' "$SAMPLES/tries_kiln" 2>/dev/null
	sed 's/^/- Linux, /' "$SAMPLES/tries_Linux" 2>/dev/null
	sed 's/^/- kiln echo, /' "$SAMPLES/tries_echo_kiln" 2>/dev/null
	sed 's/^/- Linux echo, /' "$SAMPLES/tries_echo_linux" 2>/dev/null
	echo
	echo "Echo: every guest adds \`${NET_ARGS[*]}\`; the Linux"
	echo "guest's /init (\`bench/linux/net-init.sh\`) loads virtio-net, sets"
	echo "10.0.2.15/24 and execs the program as PID 1. Figures of one running"
	echo "server each (\`bench/echo_client.c\`), all through 127.0.0.1."
	echo "The RTL8139 rows boot the same servers with \`${RTL_NET_ARGS[*]:2}\`"
	echo "instead (QEMU models an RTL8139C+); the Linux guest there is Debian's"
	echo "generic kernel (the cloud one has no Realtek driver) loading 8139cp."
	echo
	echo "Threads: \`bench/threadbench.c\`, one static musl binary, runs in kiln"
	echo "(\`-append '-- lat|scale ...'\`), in the Linux guest (the hello"
	echo "guest's /init) and on the host. The create, wake and switch rows run"
	echo "it with \`-smp 1\` (the host process pinned to one core), the scaling"
	echo "row with \`-smp $TB_SMP -accel tcg,thread=multi\` (one host thread per"
	echo "vCPU): the guests' vCPUs share this machine's $(nproc) cores, so the"
	echo "speed-up cannot pass $(nproc)× here."
	echo
	echo "Plot: $PLOT"
}
