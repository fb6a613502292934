# bench/threads.sh: the threads rows of `make bench` (issue 6), sourced by
# bench/run.sh. Uses what run.sh, lib.sh and qemu.sh set: KILN, LOADER,
# INIT, LINUX_DIR, LINUX_OK, LINUX_WHY, LINUX_APPEND, VMLINUZ, MEM, SAMPLES,
# QUICK, sample, with_mem, ratio.
#
# threadbench (bench/threadbench.c), one static musl binary, runs twice in
# each place: "lat" (create+join, futex wake-to-run, context switch) on one
# CPU: kiln and the Linux guest with -smp 1, the host process pinned to one
# core; and "scale" (a CPU-bound job over 1, 2 and 4 threads) with -smp 4
# and -accel tcg,thread=multi (one host thread per vCPU) for both guests,
# the host process on all its cores. Series tb_<lat|scale>_<kiln|linux|host>.

THREADBENCH=$BUILD/bench/threadbench
TB_SMP=4
case ${QUICK:-0} in
0) TB_N=1000 TB_MITER=400 TB_REPS=3 ;;
*) TB_N=300 TB_MITER=200 TB_REPS=3 ;;
esac

# with_smp N: COMMON with -smp N and, above one CPU, multi-threaded TCG.
with_smp() {
	local i
	for i in "${!COMMON[@]}"; do
		[ "${COMMON[$i]}" = -smp ] && COMMON[$((i + 1))]=$1
		[ "${COMMON[$i]}" = -accel ] && [ "$1" -gt 1 ] &&
			COMMON[$((i + 1))]=tcg,thread=multi
	done
}

# tb_guests MODE SMP ARGS...: one run of threadbench MODE in kiln and in
# the Linux guest on SMP CPUs.
tb_guests() {
	local mode=$1 smp=$2
	shift 2
	if [ -e "$SAMPLES/threadbench.img" ]; then
		with_mem "$MEM"
		with_smp "$smp"
		CMD=("${COMMON[@]}" -kernel "$LOADER"
			-initrd "$SAMPLES/threadbench.img" -append "-- $mode $*")
		sample "tb_${mode}_kiln" 90 1 "threadbench" "${CMD[@]}"
	fi
	if [ -e "$SAMPLES/threadbench.cpio.gz" ]; then
		with_mem "$MEM"
		with_smp "$smp"
		CMD=("${COMMON[@]}" -kernel "$VMLINUZ"
			-initrd "$SAMPLES/threadbench.cpio.gz"
			-append "$LINUX_APPEND -- $mode $*")
		sample "tb_${mode}_linux" 90 0 "threadbench" "${CMD[@]}"
	fi
}

# tb_fail WHO REASON: neither of WHO's runs can be taken.
tb_fail() {
	fail_series "tb_lat_$1" "$2"
	fail_series "tb_scale_$1" "$2"
}

# threads_measure: build threadbench, pack it for both guests, run it.
threads_measure() {
	local who
	[ -n "${THREADS_MEASURED:-}" ] && return
	THREADS_MEASURED=1
	progress "threads: threadbench on kiln, Linux and the host"
	if ! ${MUSL_GCC:-musl-gcc} -static -O2 -pthread -o "$THREADBENCH" \
		bench/threadbench.c 2>"$SAMPLES/tb.err"; then
		for who in kiln linux host; do
			tb_fail "$who" "cannot build threadbench: $(head -1 "$SAMPLES/tb.err")"
		done
		return
	fi
	if ! "$KILN" pack "$THREADBENCH" -o "$SAMPLES/threadbench.img" \
		2>"$SAMPLES/tb.err"; then
		tb_fail kiln "kiln pack: $(head -1 "$SAMPLES/tb.err")"
	fi
	if [ -z "$LINUX_OK" ]; then
		tb_fail linux "${LINUX_WHY:-no Linux guest}"
	elif ! bash bench/linux/initramfs.sh "$INIT" "$THREADBENCH" \
		"$LINUX_DIR/busybox" "$SAMPLES/threadbench.cpio.gz" \
		2>"$SAMPLES/tb.err"; then
		tb_fail linux "initramfs: $(tail -1 "$SAMPLES/tb.err")"
	fi
	tb_guests lat 1 "$TB_N"
	tb_guests scale "$TB_SMP" "$TB_MITER" "$TB_REPS"
	sample tb_lat_host 60 0 threadbench "$THREADBENCH" lat "$TB_N"
	sample tb_scale_host 60 0 threadbench "$THREADBENCH" scale \
		"$TB_MITER" "$TB_REPS"
}

# tb_lines KEY: threadbench's lines of a run ("threadbench ..."), also of a
# failed one.
tb_lines() {
	tr -d '\r' <"$SAMPLES/$1.out" 2>/dev/null | grep -a '^threadbench '
}

# tb_value KEY WHAT: the numbers after "threadbench WHAT" of a good run.
tb_value() {
	[ -e "$SAMPLES/$1.fail" ] && return 1
	tb_lines "$1" | awk -v w="$2" '
		$2 == w { $1 = $2 = ""; print substr($0, 3); f = 1; exit }
		END { exit !f }'
}

# tb_why KEY: why a run gave no figures: the program's own error line if
# it printed one (pthread_create's errno without clone), else the run's.
tb_why() {
	local e
	e=$(tb_lines "$1" | sed -n 's/^threadbench error: //p' | head -1)
	[ -n "$e" ] && { echo "FAIL ($e)"; return; }
	echo "FAIL ($(head -1 "$SAMPLES/$1.fail" 2>/dev/null || echo "no threadbench line"))"
}

# tb_cell KEY WHAT: "12.3 µs (p10 11.0, p90 15.2)", or FAIL (reason).
tb_cell() {
	local v
	v=$(tb_value "$1" "$2") || { tb_why "$1"; return; }
	awk -v v="$v" 'BEGIN { split(v, a, " ")
		printf "%.2f µs (p10 %.2f, p90 %.2f)\n", a[1] / 1e3, a[2] / 1e3, a[3] / 1e3 }'
}

threads_row() {
	threads_measure
	K=$(tb_cell tb_lat_kiln "$1") L=$(tb_cell tb_lat_linux "$1") P=$(tb_cell tb_lat_host "$1")
	KM=$(tb_value tb_lat_kiln "$1" | cut -d' ' -f1)
	LM=$(tb_value tb_lat_linux "$1" | cut -d' ' -f1)
	[ "${P#FAIL}" = "$P" ] && [ "$(tb_value tb_lat_host pinned)" != 1 ] &&
		P="$P (not pinned: sched_setaffinity failed)"
}

row_threads_create() {
	LABEL="threads: pthread_create + pthread_join of an empty thread, per pair, median of $TB_N (one CPU: -smp 1; host: pinned to one core)"
	threads_row create_join_ns
}

row_threads_wake() {
	LABEL="threads: futex wake to run, FUTEX_WAKE until the thread blocked in FUTEX_WAIT runs (the waker then blocks), median of $TB_N, one CPU"
	threads_row wake_ns
}

row_threads_switch() {
	LABEL="threads: context switch, two threads passing a turn through a futex, per switch, median of $((TB_N / 10)) batches of 200, one CPU"
	threads_row switch_ns
}

# tb_scale_cell KEY: "1: 1.23 s; 2: 0.65 s (1.9×); 4: 0.60 s (2.1×); 4 CPUs
# online", and how many CPUs kiln's kernel started when it says (its
# MULTIPROCESSOR INFORMATION block) and that differs.
tb_scale_cell() {
	local t1 t2 t4 cpus up
	t1=$(tb_value "$1" scale_ns | awk '$1 == 1 { print $2 }')
	[ -n "$t1" ] || { tb_why "$1"; return; }
	t2=$(tb_lines "$1" | awk '$2 == "scale_ns" && $3 == 2 { print $4 }')
	t4=$(tb_lines "$1" | awk '$2 == "scale_ns" && $3 == 4 { print $4 }')
	cpus=$(tb_value "$1" cpus)
	up=$(tr -d '\r' <"$SAMPLES/$1.out" |
		sed -n 's/.*Initialized CPUs: *\([0-9]*\).*/\1/p' | head -1)
	[ "${up:-$cpus}" = "$cpus" ] && up="" ||
		up=" (the kernel started $up)"
	awk -v a="$t1" -v b="$t2" -v c="$t4" -v n="$cpus" -v up="$up" 'BEGIN {
		printf "1: %.2f s; 2: %.2f s (%.2f×); 4: %.2f s (%.2f×); %d CPUs online%s\n",
			a / 1e9, b / 1e9, a / b, c / 1e9, a / c, n, up }'
}

row_threads_scale() {
	threads_measure
	LABEL="threads: CPU-bound job ($TB_MITER M xorshift steps) split over 1/2/4 threads, wall time (median of $TB_REPS) and speed-up over 1 thread; -smp $TB_SMP -accel tcg,thread=multi (host: all $(nproc) cores); ratio of the 4-thread times"
	K=$(tb_scale_cell tb_scale_kiln) L=$(tb_scale_cell tb_scale_linux) P=$(tb_scale_cell tb_scale_host)
	KM=$(tb_lines tb_scale_kiln | awk '$2 == "scale_ns" && $3 == 4 { print $4 }')
	LM=$(tb_lines tb_scale_linux | awk '$2 == "scale_ns" && $3 == 4 { print $4 }')
	[ -e "$SAMPLES/tb_scale_kiln.fail" ] && KM=""
	[ -e "$SAMPLES/tb_scale_linux.fail" ] && LM=""
}
