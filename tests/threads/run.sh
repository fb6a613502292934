#!/bin/bash
# Threads (issue 6), booted with --smp 1 (the default): pthreads, futex,
# signals between threads, floating point across preemptions, a thread
# stack overflow, sleep accuracy and an idle guest's host CPU use.
#
#   BUILD=build bash tests/threads/run.sh
#
# Each program is a static musl binary packed alone. pthreads.c, futex.c
# and signals.c print "ok NAME" / "not ok NAME: why", turned here into
# PASS/FAIL threads_NAME (futex.c and signals.c run on the host first:
# their checks must hold on Linux); pthreads.c also prints figures
# (create+join, yield switch, futex wake to run). mainexit.c ends its
# first thread before the other (status 0 when the last one ends). fpu.c
# runs the same binary on the host and in the guest: the results must be
# equal bit for bit, and the guest's threads must have been preempted at
# least 1,000 times. overflow.c must end in the fault report and status
# 139; sleeps.c prints its figures, checked here; idle.c sleeps while
# run.sh reads QEMU's CPU time from /proc/PID/stat. examples/echo-threads
# (a thread per connection) serves echo_check.py's checks, 1,000
# connections at once among them.
# Every VM runs under run_bounded (a timeout, killed by PID).

cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$PWD/$BUILD ;;
esac
KILN=$BUILD/kiln
WORK=$BUILD/tests/threads
VM_TIMEOUT=120
FPU_ITERS=60000000 # about 8 s in the guest under TCG: ~2,000 slices
MIN_PREEMPTIONS=1000
. tests/boot/lib.sh
trap stop_bounded INT TERM
rm -rf "$WORK"
mkdir -p "$WORK"

failed=0
fail()
{
	echo "FAIL threads_$1: $2"
	failed=1
}

# guest_lines FILE: the console output without the loader's and the
# kernel's own lines.
guest_lines()
{
	sed 's/\r$//' "$1" | grep -Ev '^\[(LOADER|[0-9]+)\]'
}

# results FILE: "ok"/"not ok" lines as PASS/FAIL threads_ lines.
results()
{
	sed -n 's/^ok /PASS threads_/p; s/^not ok /FAIL threads_/p' "$1"
	grep -q '^not ok ' "$1" && failed=1
}

# tail_of FILE: the end of a run's output, indented, for a failure.
tail_of()
{
	tail -n 8 "$1" | sed 's/^/    | /'
}

if ! command -v "$MUSL_GCC" >/dev/null; then
	echo "SKIP threads: $MUSL_GCC not installed"
	exit 0
fi
for p in pthreads mainexit futex signals fpu overflow sleeps idle; do
	flags=(-Wall -Wextra -Werror -pthread)
	# No inlining or frame merging: every call of the recursion must
	# take stack.
	[ $p = overflow ] && flags+=(-O0)
	if ! build_guest "tests/threads/$p.c" "$WORK/$p" "${flags[@]}" \
		>"$WORK/$p.build" 2>&1 ||
		! "$KILN" pack "$WORK/$p" -o "$WORK/$p.img" \
			>>"$WORK/$p.build" 2>&1; then
		fail "${p}_build" "$(head -n 1 "$WORK/$p.build")"
		exit 1
	fi
done

# ---- pthreads: create/join, mutex, condvar, barrier, detached, TLS ----
run_bounded "$VM_TIMEOUT" "$WORK/pthreads.out" null "$KILN" run \
	"$WORK/pthreads.img"
st=$?
guest_lines "$WORK/pthreads.out" >"$WORK/pthreads.app"
results "$WORK/pthreads.app"
sed -n 's/^figure \([a-z_]*\) /threads: \1: /p' "$WORK/pthreads.app"
if [ $st -ne 0 ] || ! grep -q '^threads done: 0 failures' "$WORK/pthreads.app"; then
	fail pthreads_status "exit status $st"
	tail_of "$WORK/pthreads.out"
else
	echo "PASS threads_pthreads_status"
fi

# ---- the first thread exits before the last ----
run_bounded "$VM_TIMEOUT" "$WORK/mainexit.out" null "$KILN" run \
	"$WORK/mainexit.img"
st=$?
guest_lines "$WORK/mainexit.out" >"$WORK/mainexit.app"
results "$WORK/mainexit.app"
if [ $st -ne 0 ] || ! grep -qx 'survivor done' "$WORK/mainexit.app"; then
	fail first_thread_exits_first "exit status $st"
	tail_of "$WORK/mainexit.out"
else
	echo "PASS threads_first_thread_exits_first"
fi

# ---- futex and signals: the host first, then the guest ----
for p in futex signals; do
	if ! "$WORK/$p" >"$WORK/$p.host" 2>&1; then
		echo "SKIP threads_$p: the checks fail on this host's Linux:" \
			"$(grep -m 1 '^not ok' "$WORK/$p.host")"
		continue
	fi
	run_bounded "$VM_TIMEOUT" "$WORK/$p.out" null "$KILN" run \
		"$WORK/$p.img"
	st=$?
	guest_lines "$WORK/$p.out" >"$WORK/$p.app"
	results "$WORK/$p.app"
	if [ $st -ne 0 ] || ! grep -q "^$p done: 0 failures" "$WORK/$p.app"; then
		fail ${p}_status "exit status $st"
		tail_of "$WORK/$p.out"
	fi
done

# ---- floating point across preemptions: guest == host, bit for bit ----
"$WORK/fpu" $FPU_ITERS >"$WORK/fpu.host" 2>/dev/null
run_bounded "$VM_TIMEOUT" "$WORK/fpu.out" null "$KILN" run "$WORK/fpu.img" \
	-- $FPU_ITERS
st=$?
guest_lines "$WORK/fpu.out" >"$WORK/fpu.app"
n=$(sed -n 's/^preempted //p' "$WORK/fpu.app")
grep -v '^preempted ' "$WORK/fpu.app" >"$WORK/fpu.guest"
echo "threads: fpu: $n preemptions seen by the 4 threads," \
	"$(sed -n 's/^\[0\]\[INFO\] \[0\]\[32\]: \([0-9]*\).*/\1/p' \
		"$WORK/fpu.out") timer interrupts"
if [ $st -ne 0 ]; then
	fail fpu_status "exit status $st"
	tail_of "$WORK/fpu.out"
elif [ "$(wc -l <"$WORK/fpu.host")" -ne 5 ]; then
	fail fpu_host "the host run printed: $(head -n 1 "$WORK/fpu.host")"
elif ! cmp -s "$WORK/fpu.host" "$WORK/fpu.guest"; then
	fail fpu_bits_match_host "$(diff "$WORK/fpu.host" "$WORK/fpu.guest" |
		grep -m 2 '^[<>]' | tr '\n' ' ')"
else
	echo "PASS threads_fpu_bits_match_host"
fi
if [ -z "$n" ] || [ "$n" -lt $MIN_PREEMPTIONS ]; then
	fail fpu_preempted "${n:-no} preemptions, expected $MIN_PREEMPTIONS or more"
else
	echo "PASS threads_fpu_preempted"
fi

# ---- a thread overflows its stack into musl's guard page ----
run_bounded "$VM_TIMEOUT" "$WORK/overflow.out" null "$KILN" run \
	"$WORK/overflow.img"
st=$?
if [ $st -ne 139 ]; then
	fail stack_overflow_status "exit status $st, expected 139"
	tail_of "$WORK/overflow.out"
elif ! grep -q '^\[0\]\[ERROR\] application killed by SIGSEGV (invalid write at 0x' \
	"$WORK/overflow.out"; then
	fail stack_overflow_report "no SIGSEGV report line"
	tail_of "$WORK/overflow.out"
elif grep -q '^not reached' "$WORK/overflow.out"; then
	fail stack_overflow_report "the program went on"
else
	echo "PASS threads_stack_overflow"
fi

# ---- sleep accuracy ----
run_bounded "$VM_TIMEOUT" "$WORK/sleeps.out" null "$KILN" run \
	"$WORK/sleeps.img"
st=$?
guest_lines "$WORK/sleeps.out" >"$WORK/sleeps.app"
s=$(sed -n 's/^sleep_1000x1ms \([0-9.]*\) s$/\1/p' "$WORK/sleeps.app")
echo "threads: 1,000 sleeps of 1 ms took ${s:-?} s"
if [ $st -ne 0 ] || [ -z "$s" ]; then
	fail sleep_1000x1ms "exit status $st, no figure"
	tail_of "$WORK/sleeps.out"
elif awk -v s="$s" 'BEGIN { exit !(s >= 1.0 && s <= 1.5) }'; then
	echo "PASS threads_sleep_1000x1ms"
else
	fail sleep_1000x1ms "$s s, expected 1.0 to 1.5"
fi
for c in monotonic realtime; do
	late=$(sed -n "s/^abstime_${c}_late \\([-0-9.]*\\) ms$/\\1/p" \
		"$WORK/sleeps.app")
	if [ -n "$late" ] && awk -v l="$late" 'BEGIN { exit !(l >= 0 && l < 20) }'; then
		echo "PASS threads_clock_nanosleep_abstime_$c"
	else
		fail "clock_nanosleep_abstime_$c" "woke ${late:-?} ms after the deadline"
	fi
done

# qemu_pid PID: the QEMU process below PID (kiln run's child).
qemu_pid()
{
	local p
	for p in $(descendants "$1"); do
		case $(cat /proc/"$p"/comm 2>/dev/null) in
		qemu-system*) echo "$p" && return ;;
		esac
	done
}

# ---- examples/echo-threads: a thread per connection, 1,000 at once ----
# Booted with a virtio NIC and `kiln run -p PORT:8080` (QEMU's forward on
# 127.0.0.1), checked by tests/sock/echo_check.py as the other echo
# servers are; the VM is killed by PID at the end.
img=$BUILD/examples/echo-threads.img
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null)
if [ ! -f kernel/net/build.mk ] || [ ! -f "$img" ] || [ -z "$port" ] ||
	! command -v python3 >/dev/null; then
	echo "SKIP threads_echo: no network stack, example image or python3"
else
	run_bounded "$VM_TIMEOUT" "$WORK/echo.out" null "$KILN" run \
		--nic virtio -p "$port:8080" "$img" &
	bg=$!
	for _ in $(seq 300); do
		grep -q 'listening on port' "$WORK/echo.out" 2>/dev/null && break
		kill -0 $bg 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'listening on port' "$WORK/echo.out"; then
		fail echo_start "the server did not start"
		tail_of "$WORK/echo.out"
	else
		ECHO_CHECK_LIMIT=60 timeout -k 5 100 python3 \
			tests/sock/echo_check.py threads_echo "$port" basic \
			halfclose bulk=16 many=1000:2 vanish basic ||
			failed=1
	fi
	qp=$(qemu_pid "$bg")
	[ -n "$qp" ] && kill -TERM "$qp" 2>/dev/null
	wait "$bg"
fi

# ---- an idle guest halts: QEMU's CPU time over 3 s of its sleep ----
# cpu_ticks PID: utime + stime of PID (proc(5) fields 14 and 15, counted
# after the ")" that ends the command name).
cpu_ticks()
{
	sed 's/.*) //' /proc/"$1"/stat | awk '{ print $12 + $13 }'
}

run_bounded "$VM_TIMEOUT" "$WORK/idle.out" null "$KILN" run \
	"$WORK/idle.img" &
bg=$!
qp=""
for _ in $(seq 300); do
	grep -q '^idle: sleeping' "$WORK/idle.out" 2>/dev/null && break
	sleep 0.1
done
qp=$(qemu_pid "$bg")
if [ -z "$qp" ] || ! grep -q '^idle: sleeping' "$WORK/idle.out"; then
	fail idle_cpu "the guest did not reach its sleep (or no QEMU found)"
else
	sleep 0.5 # past the boot and the first page faults
	t0=$(cpu_ticks "$qp")
	w0=$(date +%s%N)
	sleep 3
	t1=$(cpu_ticks "$qp")
	w1=$(date +%s%N)
	hz=$(getconf CLK_TCK)
	pct=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v ns=$((w1 - w0)) \
		'BEGIN { printf "%.1f", 100 * d / hz / (ns / 1e9) }')
	echo "threads: idle guest: QEMU used $pct% of one host CPU over 3 s"
	if awk -v p="$pct" 'BEGIN { exit !(p < 5) }'; then
		echo "PASS threads_idle_cpu"
	else
		fail idle_cpu "QEMU used $pct% of a CPU while the guest slept"
	fi
fi
wait "$bg"
st=$?
if [ $st -ne 0 ] || ! grep -q '^idle: awake' "$WORK/idle.out"; then
	fail idle_status "exit status $st"
	tail_of "$WORK/idle.out"
fi

exit $failed
