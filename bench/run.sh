#!/bin/bash
# make bench: measure kiln and print one table; also written to
# bench/results/<date>.md. Never fails the build: a figure that cannot be
# taken prints FAIL with the reason.
set -u
BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-x86_64}
RUNS=${RUNS:-10}
KILN=$BUILD/kiln
LOADER=$BUILD/loader.elf
HELLO=$BUILD/examples/hello.img
FLOOR=$BUILD/bench/floor.elf
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The command line kiln run uses (tools/kiln/cmd_run.c), minus the status
# file, so the floor and kiln boot under identical QEMU settings.
qemu_base=(-serial stdio -display none -smp 1 -cpu qemu64,apic,fsgsbase,rdtscp,xsave,fxsr
	   -accel tcg -M pc -nodefaults -no-reboot
	   -device isa-debug-exit,iobase=0xf4,iosize=0x04)

now_ns() { date +%s%N; }

# boot_ns MEM ARGS...: one QEMU run, prints nanoseconds start to exit, or
# nothing when it timed out.
boot_ns() {
	local mem=$1
	shift
	local t0 t1 pid
	t0=$(now_ns)
	"$QEMU" "${qemu_base[@]}" -m "$mem" "$@" </dev/null >"$TMP/out" 2>&1 &
	pid=$!
	# Bounded wait: 20 s, then kill by PID.
	for _ in $(seq 2000); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 $pid 2>/dev/null; then
		kill -9 $pid
		wait $pid 2>/dev/null
		return 1
	fi
	wait $pid
	t1=$(now_ns)
	echo $((t1 - t0))
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) exit 1; print a[int((NR+1)/2)]}'; }

# median_boot MEM ARGS...: median of $RUNS runs in ms (one decimal).
median_boot() {
	local i ns
	: >"$TMP/times"
	for i in $(seq "$RUNS"); do
		ns=$(boot_ns "$@") || { echo "FAIL (timeout)"; return; }
		echo "$ns" >>"$TMP/times"
	done
	median <"$TMP/times" | awk '{printf "%.1f ms", $1 / 1e6}'
}

# boots MEM: does hello print its line and exit 0 in MEM?
boots() {
	"$QEMU" "${qemu_base[@]}" -m "$1" -kernel "$LOADER" -initrd "$HELLO" \
		</dev/null >"$TMP/m.out" 2>&1 &
	local pid=$!
	for _ in $(seq 1000); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.01
	done
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	grep -q '^Hello World!' "$TMP/m.out"
}

smallest_mem() {
	local m
	for m in 2 3 4 6 8 12 16 24 32 64; do
		if boots "${m}M"; then
			echo "${m} MiB"
			return
		fi
	done
	echo "FAIL (not even 64 MiB)"
}

size_of() { [ -f "$1" ] && stat -c %s "$1" || echo "FAIL (missing $1)"; }

stripped_size() {
	[ -f "$1" ] || { echo "FAIL (missing $1)"; return; }
	strip -o "$TMP/s" "$1" 2>/dev/null && stat -c %s "$TMP/s" || echo "FAIL (strip)"
}

machine() {
	echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
	echo "- QEMU: $("$QEMU" --version | head -1)"
	local kvm="absent"
	if [ -e /dev/kvm ]; then
		kvm=$(ls /sys/module 2>/dev/null | grep -E '^kvm_(intel|amd|pvm)$' | head -1)
		kvm="present, provided by ${kvm:-an unknown module}"
		[ "${kvm#*kvm_pvm}" != "$kvm" ] && kvm="$kvm (PVM: not hardware virtualisation; no timings taken from it)"
	fi
	echo "- /dev/kvm: $kvm"
	echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
}

{
	echo "# kiln bench, $(date -u +%Y-%m-%d)"
	echo
	machine
	echo
	echo "| figure | kiln | floor / target |"
	echo "| --- | --- | --- |"
	echo "| hello image, bytes (as packed) | $(size_of "$HELLO") | target <= 100 KB stripped |"
	echo "| hello image, bytes (stripped) | $(stripped_size "$HELLO") | target <= 100 KB |"
	echo "| loader, bytes (stripped) | $(stripped_size "$LOADER") | |"
	echo "| hello, -M pc -m 64M, start to exit (median of $RUNS) | $(median_boot 64M -kernel "$LOADER" -initrd "$HELLO") | $(median_boot 64M -kernel "$FLOOR") (do-nothing Multiboot kernel) |"
	echo "| smallest -m that runs hello | $(smallest_mem) | target 2 MiB |"
} | tee "$TMP/table.md"

mkdir -p bench/results
cp "$TMP/table.md" "bench/results/$(date -u +%Y-%m-%d).md"
echo "written: bench/results/$(date -u +%Y-%m-%d).md"
