# Shell helpers for the booted tests: bounded runs, guest builds, direct QEMU.
# Sourced by tests/boot/run.sh and by the per-test `run` scripts (bash).

MUSL_GCC=${MUSL_GCC:-musl-gcc}
QEMU=${QEMU:-qemu-system-x86_64}
MUSL_LIB=${MUSL_LIB:-/usr/lib/x86_64-linux-musl}

# descendants PID: prints every descendant of PID, children first.
descendants()
{
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		descendants "$c"
		echo "$c"
	done
}

# kill_tree PID: SIGKILL to PID and everything below it, by PID. (Not
# SIGSTOP first: bash waiting on a stopped child of its own can hang.)
kill_tree()
{
	local p list
	list=$(descendants "$1")
	for p in "$1" $list; do
		kill -KILL "$p" 2>/dev/null
	done
}

# stop_bounded: for an INT/TERM trap: kills the run_bounded command in
# progress.
stop_bounded()
{
	trap '' INT TERM # a second ^C must not cut this short
	[ -n "${RUN_BOUNDED_PID:-}" ] && kill_tree "$RUN_BOUNDED_PID"
	exit 130
}

# run_bounded SECS OUT STDIN CMD...: runs CMD under timeout(1) in the
# background with stdout and stderr in OUT and stdin from /dev/null (STDIN
# "null") or closed (STDIN "none"); returns its status, 124 on timeout.
# timeout(1) sends CMD SIGTERM at SECS (kiln passes it on to QEMU) and
# SIGKILL 5 s later; should anything outlive SECS + 10 s, it is killed by
# PID. Processes seen below CMD that are still alive after it ended (a
# QEMU that kiln left behind) are killed by PID too. --foreground keeps
# CMD in our process group, so that a ^C at the terminal reaches kiln and
# QEMU (a process group of timeout's own would not get it).
run_bounded()
{
	local secs=$1 out=$2 stdin=$3 pid rc ticks=0 p c seen=""
	shift 3
	if [ "$stdin" = none ]; then
		timeout --foreground -k 5 "$secs" "$@" >"$out" 2>&1 <&- &
	else
		timeout --foreground -k 5 "$secs" "$@" >"$out" 2>&1 </dev/null &
	fi
	pid=$!
	RUN_BOUNDED_PID=$pid
	while kill -0 "$pid" 2>/dev/null; do
		for p in $(descendants "$pid"); do
			case " $seen " in
			*" $p:"*) ;;
			*)
				c=$(cat /proc/"$p"/comm 2>/dev/null)
				[ -n "$c" ] && seen="$seen $p:$c"
				;;
			esac
		done
		if [ "$ticks" -ge $(((secs + 10) * 10)) ]; then
			echo "kiln-test: killing $* (pid $pid) by PID" >>"$out"
			kill_tree "$pid"
			break
		fi
		sleep 0.1
		ticks=$((ticks + 1))
	done
	wait "$pid"
	rc=$?
	RUN_BOUNDED_PID=""
	for p in $seen; do
		if [ "$(cat /proc/"${p%%:*}"/comm 2>/dev/null)" = "${p#*:}" ]; then
			echo "kiln-test: ${p#*:} (pid ${p%%:*}) outlived its parent; killed" >>"$out"
			kill_tree "${p%%:*}"
		fi
	done
	return "$rc"
}

# build_guest SRC OUT [CC FLAGS...]: musl-gcc -static -O2. musl-gcc's specs
# file ignores -static-pie (it links a dynamic PIE asking for ld-musl), so
# for -static-pie the static-PIE start file rcrt1.o, which relocates the
# program itself, is linked by hand instead.
build_guest()
{
	local src=$1 out=$2 f pie=0 flags=()
	shift 2
	for f in "$@"; do
		if [ "$f" = -static-pie ]; then
			pie=1
		else
			flags+=("$f")
		fi
	done
	if [ "$pie" = 1 ]; then
		"$MUSL_GCC" -O2 -fPIE -static-pie -nostartfiles "${flags[@]}" \
			"$MUSL_LIB/rcrt1.o" "$MUSL_LIB/crti.o" \
			"$(gcc -print-file-name=crtbeginS.o)" "$src" \
			"$(gcc -print-file-name=crtendS.o)" "$MUSL_LIB/crtn.o" \
			-Wl,-static -Wl,--no-dynamic-linker -o "$out"
	else
		"$MUSL_GCC" -static -O2 "${flags[@]}" -o "$out" "$src"
	fi
}

# qemu_direct IMG [QEMU ARGS...]: boots IMG with the loader on the command
# line shape `kiln run` uses, without kiln. The console goes to stdout, COM2
# (the kiln-exit status line) to $WORK/com2. Returns QEMU's own status
# (isa-debug-exit: (v << 1) | 1).
qemu_direct()
{
	local img=$1
	shift
	: >"$WORK/com2"
	timeout --foreground -k 5 "${TIMEOUT:-30}" "$QEMU" -accel tcg -M pc \
		-cpu qemu64,apic,fsgsbase,rdtscp,xsave,fxsr -smp 1 -m 64M \
		-display none -no-reboot -serial stdio \
		-serial "file:$WORK/com2" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$LOADER" -initrd "$img" "$@" </dev/null
}
