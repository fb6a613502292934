# bench/files.sh: the root file system and file rows of `make bench`
# (issue 4), sourced by bench/run.sh. Uses what run.sh, lib.sh and qemu.sh
# set: KILN, LOADER, HELLO, HELLO_ELF, INIT, LINUX_DIR, LINUX_OK, LINUX_WHY,
# LINUX_APPEND, VMLINUZ, MEM, SAMPLES, sample, with_mem, ratio.
#
# filebench (bench/filebench.c) times open+read+close of a 4 KiB file and
# create+write+fsync+close of a new one, each 2,000 times inside one
# process, and prints the medians: one run in kiln's guest (in /tmp, the
# in-memory root file system), one in the Linux guest (in /, its initramfs
# tmpfs) and one on the host (in /dev/shm, tmpfs, where there is one: a
# disk's fsync would measure the disk).

FILEBENCH=$BUILD/bench/filebench

# files_measure: build filebench, run it in the three places once; the
# outputs are the series fb_kiln, fb_linux, fb_host.
files_measure() {
	local dir
	[ -n "${FILES_MEASURED:-}" ] && return
	FILES_MEASURED=1
	progress "files: filebench on kiln, Linux and the host"
	if ! ${MUSL_GCC:-musl-gcc} -static -O2 -o "$FILEBENCH" bench/filebench.c \
		2>"$SAMPLES/fb.err"; then
		for dir in fb_kiln fb_linux fb_host; do
			fail_series "$dir" "cannot build filebench: $(head -1 "$SAMPLES/fb.err")"
		done
		return
	fi
	if "$KILN" pack "$FILEBENCH" -o "$SAMPLES/filebench.img" \
		2>"$SAMPLES/fb.err"; then
		with_mem "$MEM"
		CMD=("${COMMON[@]}" -kernel "$LOADER" -initrd "$SAMPLES/filebench.img" -append "-- /tmp")
		sample fb_kiln 300 1 "write4k_ns" "${CMD[@]}"
	else
		fail_series fb_kiln "kiln pack: $(head -1 "$SAMPLES/fb.err")"
	fi
	if [ -z "$LINUX_OK" ]; then
		fail_series fb_linux "${LINUX_WHY:-no Linux guest}"
	elif bash bench/linux/initramfs.sh "$INIT" "$FILEBENCH" \
		"$LINUX_DIR/busybox" "$SAMPLES/filebench.cpio.gz" 2>"$SAMPLES/fb.err"; then
		with_mem "$MEM"
		CMD=("${COMMON[@]}" -kernel "$VMLINUZ" -initrd "$SAMPLES/filebench.cpio.gz" -append "$LINUX_APPEND -- /")
		sample fb_linux 300 0 "write4k_ns" "${CMD[@]}"
	else
		fail_series fb_linux "initramfs: $(tail -1 "$SAMPLES/fb.err")"
	fi
	dir=$(mktemp -d /dev/shm/kiln-filebench.XXXXXX 2>/dev/null || mktemp -d)
	sample fb_host 120 0 "write4k_ns" "$FILEBENCH" "$dir"
	rm -rf "$dir"
}

# fb_value KEY WHAT: "median p10 p90" (ns) of filebench's WHAT line.
fb_value() {
	[ -e "$SAMPLES/$1.fail" ] && return 1
	tr -d '\r' <"$SAMPLES/$1.out" | awk -v w="$2" '$1 == "filebench" && $2 == w { print $3, $4, $5; f = 1 } END { exit !f }'
}

# fb_cell KEY WHAT: "12.3 µs (p10 11.0, p90 15.2)", or FAIL (reason).
fb_cell() {
	local v
	if ! v=$(fb_value "$1" "$2"); then
		echo "FAIL ($(head -1 "$SAMPLES/$1.fail" 2>/dev/null || echo "no filebench line"))"
		return
	fi
	awk -v v="$v" 'BEGIN { split(v, a, " ")
		printf "%.1f µs (p10 %.1f, p90 %.1f)\n", a[1] / 1e3, a[2] / 1e3, a[3] / 1e3 }'
}

files_row() {
	files_measure
	K=$(fb_cell fb_kiln "$1") L=$(fb_cell fb_linux "$1") P=$(fb_cell fb_host "$1")
	KM=$(fb_value fb_kiln "$1" | cut -d' ' -f1)
	LM=$(fb_value fb_linux "$1" | cut -d' ' -f1)
}

row_file_read() {
	LABEL="files: open + read 4 KiB + close, median of 2,000 in one process"
	files_row read4k_ns
}

row_file_write() {
	LABEL="files: create + write 4 KiB + fsync + close, median of 2,000"
	files_row write4k_ns
}

# initramfs_size DIR: bytes of DIR as the Linux guest carries files: a
# newc cpio, gzip -9.
initramfs_size() {
	(cd "$1" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
		gzip -9n | wc -c
}

row_rootfs_growth() {
	LABEL="image growth per MiB of root file system (random bytes; hello + 1 MiB against + 8 MiB; Linux: its gzip'd initramfs)"
	local d=$SAMPLES/rootfs s0 s1 s8 l1 l8
	mkdir -p "$d/1/data" "$d/8/data"
	head -c 1048576 /dev/urandom >"$d/1/data/random"
	head -c 8388608 /dev/urandom >"$d/8/data/random"
	s0=$(stat -c %s "$HELLO")
	if "$KILN" pack "$HELLO_ELF" --rootfs "$d/1" -o "$d/1.img" 2>"$d/err" &&
		"$KILN" pack "$HELLO_ELF" --rootfs "$d/8" -o "$d/8.img" 2>"$d/err"; then
		s1=$(stat -c %s "$d/1.img") s8=$(stat -c %s "$d/8.img")
		KM=$(((s8 - s1) / 7))
		K="$KM B per MiB; + $((s1 - s0)) B for 1 MiB"
	else
		K="FAIL ($(head -1 "$d/err"))"
	fi
	if command -v cpio >/dev/null; then
		l1=$(initramfs_size "$d/1") l8=$(initramfs_size "$d/8")
		LM=$(((l8 - l1) / 7))
		L="$LM B per MiB"
	else
		L="FAIL (no cpio)"
	fi
	P="n/a"
}
