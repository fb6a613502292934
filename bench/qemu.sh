# bench/qemu.sh: the QEMU command lines of the bench (sourced by run.sh).
# The floor, kiln and the Linux guest boot on one command line, the one
# `kiln run` uses; only what names the guest differs.

# qemu_common: set BASE to the QEMU command line `kiln run` uses, without
# what names the guest (-kernel, -initrd, -append), so that the floor, kiln
# and Linux all boot on the same binary and options.
qemu_common() {
	local words w skip=""
	BASE=()
	read -ra words <<<"$("$KILN" run --dry-run --qemu "$QEMU" \
		--mem "${MEM}M" "$HELLO" 2>/dev/null)"
	for w in "${words[@]}"; do
		if [ -n "$skip" ]; then
			skip=""
			continue
		fi
		case $w in
		-kernel | -initrd | -append) skip=1 ;;
		file:*) BASE+=("file:$SAMPLES/com2") ;;
		*) BASE+=("$w") ;;
		esac
	done
	[ ${#BASE[@]} -gt 0 ]
}

# with_mem MIB: set COMMON to BASE with -m MIB (the bisection goes below
# what kiln run accepts, so it cannot ask kiln run for each size).
with_mem() {
	local i
	COMMON=("${BASE[@]}")
	for i in "${!COMMON[@]}"; do
		[ "${COMMON[$i]}" = -m ] && COMMON[$((i + 1))]="$1M"
	done
}

kiln_cmd() { with_mem "$1"; CMD=("${COMMON[@]}" -kernel "$LOADER" -initrd "$HELLO" -append --); }
floor_cmd() { with_mem "$1"; CMD=("${COMMON[@]}" -kernel "$FLOOR"); }
linux_cmd() {
	with_mem "$1"
	CMD=("${COMMON[@]}" -kernel "$VMLINUZ" -initrd "$LINUX_INITRD" -append "$LINUX_APPEND")
}

# show_cmd: CMD as a shell would take it, the status file renamed.
show_cmd() {
	local w line=""
	for w in "${CMD[@]}"; do
		[ "$w" = "file:$SAMPLES/com2" ] && w=file:status.txt
		[[ $w =~ ^[][A-Za-z0-9_./,=:+-]+$ ]] || w="'$w'"
		line+="${line:+ }$w"
	done
	echo "$line"
}
