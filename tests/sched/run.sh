#!/bin/bash
# The scheduler, booted: the real kernel objects with exec replaced
# (tests/sched/build.mk) run threads, semaphores, sleeps, timers, wait
# queues and a mutex on the boot thread and print their own PASS/FAIL
# lines; a second boot overflows a thread's stack into its guard page,
# which must be one #DF panic report naming the thread and the guard
# address, and status 125. Booted through the real loader and kiln run.
set -u
BUILD=${BUILD:-build}
dir=$BUILD/tests/sched
lib=$dir/libdir
mkdir -p "$lib"
cp "$BUILD/loader.elf" "$lib/loader.elf"
cp "$dir/kernel.elf" "$lib/kernel.elf"
printf 'int main(void){return 0;}\n' >"$dir/app.c"
musl-gcc -static -O2 -o "$dir/app" "$dir/app.c" || { echo "FAIL sched_build: musl-gcc"; exit 0; }
KILN_LIBDIR=$lib "$BUILD/kiln" pack "$dir/app" -o "$dir/sched.img" ||
	{ echo "FAIL sched_pack: kiln pack"; exit 0; }

# boot OUT ARGS...: kiln run under a timeout, killed by PID; sets st.
boot()
{
	local out=$1 pid
	shift
	KILN_LIBDIR=$lib timeout -k 5 60 "$BUILD/kiln" run "$dir/sched.img" "$@" \
		</dev/null >"$out" 2>&1 &
	pid=$!
	wait $pid
	st=$?
	kill -9 $pid 2>/dev/null
}

out=$dir/out
boot "$out"
# The guest's own result lines and figures, as they came.
grep -E '^(PASS|FAIL|SKIP) sched_|^sched: ' "$out"
for t in yield_50_threads pingpong sleep_20ms idle_halts timers_in_order \
	timer_cancel waitq_fifo waitq_timeout waitq_irq_wake waitq_early_wake \
	sem_timeout mutex fs_base_per_user_thread preempt_user stack_guard \
	stacks_freed; do
	grep -qE "^(PASS|FAIL) sched_$t\b" "$out" ||
		echo "FAIL sched_$t: no result line (the kernel stopped early?)"
done
if [ "$st" = 0 ]; then
	echo "PASS sched_status"
else
	echo "FAIL sched_status: status $st, expected 0"
	sed 's/^/    | /' "$out" | tail -20
fi

out=$dir/out_overflow
boot "$out" -- overflow
guard=$(sed -n 's/^sched: overflow guard page 0x\([0-9a-f]*\).*/\1/p' "$out")
if [ "$st" = 125 ]; then
	echo "PASS sched_overflow_status"
else
	echo "FAIL sched_overflow_status: status $st, expected 125"
	sed 's/^/    | /' "$out" | tail -20
fi
line=$(grep -m1 'kernel panic: #DF double fault' "$out")
cr2=$(echo "$line" | sed -n 's/.*, cr2 0x\([0-9a-f]*\),.*/\1/p')
if [ -z "$line" ] || [ -z "$guard" ] || [ -z "$cr2" ]; then
	echo "FAIL sched_overflow_report: no #DF report or guard address"
	sed 's/^/    | /' "$out" | tail -20
elif ! echo "$line" | grep -q 'thread overflow$'; then
	echo "FAIL sched_overflow_report: wrong thread: $line"
elif [ $((0x$cr2 >> 12)) != $((0x$guard >> 12)) ]; then
	echo "FAIL sched_overflow_report: cr2 0x$cr2 not in the guard page 0x$guard"
else
	echo "PASS sched_overflow_report"
fi
