#!/bin/bash
# Boot tests for the Multiboot loader: the test kernel boots (16M, 2M, low
# memory, under GRUB 2 when installed) and bad images are refused with one
# error line, "kiln-exit 126" on COM2 and QEMU status 253.
#
#   BUILD=build bash tests/loader/run.sh      (from the repo root)
#   KEEP=1 ...                                keep the QEMU outputs
#
# Prints "PASS loader_<case>", "FAIL loader_<case>: <why>" or "SKIP ..."
# per case; exits non-zero when a case failed.

BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-x86_64}
LOADER=$BUILD/loader.elf
TK=$BUILD/tests/loader/testkernel.elf
TIMEOUT=20
CMDLINE="kiln-loader-test a=1 b"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-loader.XXXXXX") || exit 1
pid=
# shellcheck disable=SC2317 # runs from the EXIT trap
cleanup()
{
	# timeout(1) passes the TERM on to its QEMU.
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
	fi
	if [ -n "${KEEP:-}" ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
pass() { echo "PASS loader_$1"; }
fail()
{
	echo "FAIL loader_$1: $2"
	sed 's/^/    | /' "$tmp/$1.out" | head -n 20
	failed=1
}

for f in "$LOADER" "$TK"; do
	if [ ! -f "$f" ]; then
		echo "FAIL loader_build: $f missing (make $f)"
		exit 1
	fi
done

# boot_raw CASE MEM [QEMU ARGS...]: one QEMU run, bounded by $TIMEOUT
# (then killed through timeout(1), by PID). Output in $tmp/CASE.out,
# QEMU's status in $status. $exit_dev is the isa-debug-exit device (none
# when empty).
exit_dev="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
boot_raw()
{
	local name=$1 mem=$2
	shift 2
	# shellcheck disable=SC2086 # $exit_dev: several words or none
	timeout -k 5 "$TIMEOUT" "$QEMU" -accel tcg -M pc -nodefaults \
		-display none -no-reboot -serial stdio $exit_dev -m "$mem" \
		"$@" </dev/null >"$tmp/$name.out" 2>&1 &
	pid=$!
	wait "$pid"
	status=$?
	pid=
}

# boot CASE MEM [QEMU ARGS...]: boot_raw with the loader as -kernel.
boot()
{
	local name=$1 mem=$2
	shift 2
	boot_raw "$name" "$mem" -kernel "$LOADER" "$@"
}

# u64 FILE OFFSET: the little-endian 64-bit number at OFFSET.
u64() { od -An -tu8 -j "$2" -N 8 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }

# poke64 FILE OFFSET VALUE: write VALUE there, little-endian.
poke64()
{
	local hex esc="" i
	hex=$(printf '%016x' "$3")
	for ((i = 14; i >= 0; i -= 2)); do
		esc+="\\x${hex:i:2}"
	done
	printf '%b' "$esc" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# phdr_off FILE N: file offset of the Nth PT_LOAD program header.
phdr_off()
{
	local phoff phnum i n=0 off
	phoff=$(u64 "$1" 32)
	phnum=$(($(u32 "$1" 56) & 0xffff))
	for ((i = 0; i < phnum; i++)); do
		off=$((phoff + 56 * i))
		if [ "$(u32 "$1" "$off")" = 1 ]; then
			[ "$n" = "$2" ] && { echo "$off"; return; }
			n=$((n + 1))
		fi
	done
}

# check_boot CASE [REGEX]: the test kernel ran, found every check right
# and exited with 64 + the command line's length, after the [LOADER]
# lines in order; the output also matches the extended REGEX when given.
check_boot()
{
	local name=$1 extra=${2:-} want mod
	want=$((((64 + ${#CMDLINE} % 64) << 1) | 1))
	mod=$(sed -n 's/^\[LOADER\] Found module: \[\(.*\)\] .*/\1/p' \
		"$tmp/$name.out")
	if [ "$status" != "$want" ]; then
		fail "$name" "QEMU status $status, want $want"
	elif ! grep -qF "testkernel: ok cmdline='$CMDLINE' module=[$mod]" \
		"$tmp/$name.out"; then
		fail "$name" "no matching testkernel line"
	elif ! awk '/^\[LOADER\] Loader: \[0x100000 - 0x[0-9a-f]+\]$/ { s = 1 }
		s == 1 && /^\[LOADER\] Found Multiboot information at 0x/ { s = 2 }
		s == 2 && /^\[LOADER\] Found module: / { s = 3 }
		s == 3 && /^\[LOADER\] Found ELF64 x86_64 kernel, entry 0x/ { s = 4 }
		s == 4 && /^\[LOADER\] Mapped [0-9]+ pages: \[0x/ { s = 5 }
		s == 5 && /^\[LOADER\] Jumping to kernel$/ { s = 6 }
		END { exit s != 6 }' "$tmp/$name.out"; then
		fail "$name" "[LOADER] lines missing or out of order"
	elif [ -n "$extra" ] && ! grep -qE "$extra" "$tmp/$name.out"; then
		fail "$name" "no line matching $extra"
	else
		pass "$name"
	fi
}

# expect_boot CASE MEM IMAGE [REGEX]: boot IMAGE with the loader under
# QEMU's own Multiboot, then check_boot.
expect_boot()
{
	boot "$1" "$2" -initrd "$3" -append "$CMDLINE"
	check_boot "$1" "${4:-}"
}

# expect_refusal CASE MEM WHY [QEMU ARGS...]: exactly one error line,
# "[LOADER] error: WHY...", no kernel output, status (126 << 1) | 1 from
# isa-debug-exit and "kiln-exit 126" on COM2 (a file here).
expect_refusal()
{
	local name=$1 mem=$2 why=$3 n
	shift 3
	boot "$name" "$mem" -serial "file:$tmp/$name.com2" "$@"
	n=$(grep -c '^\[LOADER\] error: ' "$tmp/$name.out")
	if [ "$status" != 253 ]; then
		fail "$name" "QEMU status $status, want 253"
	elif [ "$(cat "$tmp/$name.com2")" != "kiln-exit 126" ]; then
		fail "$name" "COM2 has '$(head -c 80 "$tmp/$name.com2")'," \
			"want 'kiln-exit 126'"
	elif [ "$n" != 1 ]; then
		fail "$name" "$n error lines, want 1"
	elif ! grep -qF "[LOADER] error: $why" "$tmp/$name.out"; then
		fail "$name" "no line '[LOADER] error: $why'"
	elif grep -q -e '^testkernel' -e 'Jumping' "$tmp/$name.out"; then
		fail "$name" "kernel was entered"
	else
		pass "$name"
	fi
}

expect_boot boot 16M "$TK"
expect_boot boot_2m 2M "$TK"

# A module so large that -m 2M has no room left above 1 MiB: the kernel
# must go to low memory (an address of at most 5 hex digits), and boot.
cp "$TK" "$tmp/padded.img"
head -c $((560 << 10)) /dev/zero >>"$tmp/padded.img"
expect_boot boot_low_memory 2M "$tmp/padded.img" \
	'^\[LOADER\] Mapped [0-9]+ pages: .* -> 0x[0-9a-f]{1,5}$'

# Longer than an ELF header, so the magic is what fails.
for i in 1 2 3 4 5 6 7 8; do
	echo "line $i: a text file, not a kiln image"
done >"$tmp/text.img"
expect_refusal non_elf 16M "image: not an ELF file" -initrd "$tmp/text.img"

size=$(stat -c %s "$TK")
head -c $((size / 2)) "$TK" >"$tmp/half.img"
expect_refusal truncated 16M "image: truncated" -initrd "$tmp/half.img"

# The loader itself is an ELF32 file.
expect_refusal elf32 16M "image: not a 64-bit ELF file" -initrd "$LOADER"

cp "$TK" "$tmp/aarch64.img"
printf '\xb7\x00' | dd of="$tmp/aarch64.img" bs=1 seek=18 conv=notrunc \
	status=none # e_machine = EM_AARCH64 (183)
expect_refusal aarch64 16M "image: wrong machine" -initrd "$tmp/aarch64.img"

expect_refusal no_module 16M "image: no module"

# First PT_LOAD moved to 4 MiB (same page offset), outside the kernel
# window.
cp "$TK" "$tmp/low.img"
ph=$(phdr_off "$tmp/low.img" 0)
poke64 "$tmp/low.img" $((ph + 16)) $((0x400000 | ($(u64 "$TK" $((ph + 8))) & 0xfff)))
expect_refusal outside_window 16M \
	"image: segment outside the allowed address range" \
	-initrd "$tmp/low.img"

# Last PT_LOAD grown to 32 MiB of .bss: more than -m 16M has.
cp "$TK" "$tmp/big.img"
ph=$(phdr_off "$tmp/big.img" 2)
poke64 "$tmp/big.img" $((ph + 40)) $((32 << 20))
expect_refusal too_big 16M "image: does not fit in memory" \
	-initrd "$tmp/big.img"

# Fits in -m 64M, but needs more page tables than the loader has.
expect_refusal over_map_limit 64M "image: too large to map" \
	-initrd "$tmp/big.img"

# qemu32 has no long mode: refused by the 32-bit entry code.
expect_refusal no_long_mode 16M "cpu: no 64-bit long mode support" \
	-cpu qemu32 -initrd "$TK"

# Without isa-debug-exit (and without COM2) the loader still stops the
# machine: a triple fault, which -no-reboot turns into QEMU exiting 0.
saved_exit_dev=$exit_dev
exit_dev=
boot no_exit_device 16M -initrd "$tmp/text.img"
exit_dev=$saved_exit_dev
if [ "$status" != 0 ]; then
	fail no_exit_device "QEMU status $status, want 0 (triple fault)"
elif [ "$(grep -c '^\[LOADER\] error: image: not an ELF file$' \
	"$tmp/no_exit_device.out")" != 1 ]; then
	fail no_exit_device "want one line '[LOADER] error: image: not an ELF file'"
else
	pass no_exit_device
fi

# GRUB 2 as the boot loader: other addresses, and a command line
# without the file name in front. Skipped without grub-pc-bin, xorriso
# and mtools.
if command -v grub-mkrescue >/dev/null && command -v xorriso >/dev/null &&
	command -v mformat >/dev/null && [ -d /usr/lib/grub/i386-pc ]; then
	mkdir -p "$tmp/iso/boot/grub"
	cp "$LOADER" "$tmp/iso/boot/loader.elf"
	cp "$TK" "$tmp/iso/boot/kiln.img"
	cat >"$tmp/iso/boot/grub/grub.cfg" <<EOF
set timeout=0
menuentry kiln {
	multiboot /boot/loader.elf $CMDLINE
	module /boot/kiln.img
	boot
}
EOF
	if grub-mkrescue -o "$tmp/grub.iso" "$tmp/iso" >"$tmp/grub.out" 2>&1
	then
		boot_raw grub 32M -cdrom "$tmp/grub.iso"
		check_boot grub
	else
		fail grub "grub-mkrescue failed"
	fi
else
	echo "SKIP loader_grub: needs grub-pc-bin, xorriso and mtools"
fi

# The loader hands over an empty IDT: the test kernel's final ud2 (it
# runs when there is no exit device) must stop QEMU, not hang it.
exit_dev=
boot early_fault_stops 16M -initrd "$TK"
if [ "$status" != 0 ]; then
	fail early_fault_stops "QEMU status $status, want 0 (triple fault)"
elif ! grep -q "^testkernel: ok " "$tmp/early_fault_stops.out"; then
	fail early_fault_stops "test kernel did not finish its checks"
else
	pass early_fault_stops
fi

exit $failed
