#!/bin/bash
# make bench: kiln beside a Linux guest and a host process, one table, all
# measured in this run. Prints the results and writes them, with a plot, to
# bench/results/<date>-<host>.{md,png}. Never fails the build: a figure
# that cannot be taken is a "FAIL (<reason>)" cell.
#
# Environment: BUILD, QEMU, QUICK=1 (3 runs per timing instead of 10, one
# echo session run instead of 3, 30 s instead of 180 to find the most
# connections held at once, 300 thread samples instead of 1,000 and half
# the scaling job), RUNS and ECHO_RUNS (override those),
# BENCH_MEM (MiB for the timed boots, default 128), BENCH_PORT (host port
# of the echo server, default 8080), BENCH_ECHO_ELF (the echo program,
# default build/examples/echo).
set -u
cd "$(dirname "$0")/.." || exit 0
BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-x86_64}
QUICK_NOTE=""
case ${QUICK:-0} in
0) RUNS=${RUNS:-10} ECHO_RUNS=${ECHO_RUNS:-3} HOLD_SECONDS=180 ;;
*) RUNS=${RUNS:-3} ECHO_RUNS=${ECHO_RUNS:-1} HOLD_SECONDS=30 QUICK_NOTE=" (QUICK=1)" ;;
esac
# The Linux guest needs about 72 MiB (linux-peer.md); every timed boot,
# kiln's too, uses this one -m so the command lines stay identical.
MEM=${BENCH_MEM:-128}

KILN=$BUILD/kiln
LOADER=$BUILD/loader.elf
HELLO_ELF=$BUILD/examples/hello
HELLO=$BUILD/examples/hello.img
FLOOR=$BUILD/bench/floor.elf
TIMER=$BUILD/bench/timer
INIT=$BUILD/bench/linux/init
LINUX_DIR=$BUILD/bench/linux
VMLINUZ=$LINUX_DIR/vmlinuz
LINUX_INITRD=$LINUX_DIR/hello.cpio.gz
# console on COM1; panic=-1 reboots at once and -no-reboot turns that into
# an exit. noxsave: Linux 6.1 hangs in its FPU set-up under TCG when -cpu
# offers xsave (as kiln's -cpu does); the flag keeps -cpu identical.
LINUX_APPEND="console=ttyS0 quiet panic=-1 noxsave"

SAMPLES=$(mktemp -d)
. bench/lib.sh
. bench/qemu.sh
. bench/vm.sh
. bench/echo.sh
. bench/report.sh
. bench/files.sh
. bench/threads.sh
# A server left running is stopped by its PID, also on ^C (a background
# job of a script ignores SIGINT).
trap 'vm_stop; rm -rf "$SAMPLES"' EXIT
trap 'exit 130' INT TERM HUP

DATE=$(date -u +%Y-%m-%d)
HOST=$(hostname -s)
RESULTS=bench/results/$DATE-$HOST

# Expected ends: kiln leaves through isa-debug-exit, (0 << 1) | 1; Linux
# powers off through ACPI, status 0.
run_floor() { floor_cmd "$MEM"; sample floor 20 1 "floor: hello" "${CMD[@]}"; }
run_kiln() { kiln_cmd "$MEM"; sample kiln 20 1 "Hello World!" "${CMD[@]}"; }
run_kiln_cli() {
	sample kiln_run 20 0 "Hello World!" "$KILN" run --qemu "$QEMU" --mem "${MEM}M" "$HELLO"
}
run_linux() {
	[ -n "$LINUX_OK" ] || return
	linux_cmd "$MEM"
	sample linux 60 0 "Hello World!" "${CMD[@]}"
}
run_host() { sample host 10 0 "Hello World!" "$HELLO_ELF"; }

# The Linux guest: Debian's kernel and busybox (fetched once into
# $LINUX_DIR), an initramfs around the very hello binary kiln packs.
build_linux() {
	LINUX_OK=""
	if ! bash bench/linux/fetch.sh "$LINUX_DIR" 2>"$SAMPLES/fetch.err"; then
		LINUX_WHY=$(tail -1 "$SAMPLES/fetch.err")
	elif ! bash bench/linux/initramfs.sh "$INIT" "$HELLO_ELF" \
		"$LINUX_DIR/busybox" "$LINUX_INITRD" 2>"$SAMPLES/fetch.err"; then
		LINUX_WHY="initramfs: $(tail -1 "$SAMPLES/fetch.err")"
	else
		LINUX_OK=1
		return
	fi
	fail_series linux "${LINUX_WHY:-could not build the Linux guest}"
}

# All timed boots interleaved, one of each per round, so that a change in
# the machine's load touches every column alike.
measure_boots() {
	local i
	for i in $(seq "$RUNS"); do
		progress "hello start to exit, round $i of $RUNS"
		run_floor
		run_kiln
		run_kiln_cli
		run_linux
		run_host
		[ -n "$ECHO_OK" ] || continue
		run_echo_first kiln
		run_echo_first linux
		run_echo_first host
	done
}

# try_mem_kiln / try_mem_linux MIB: one bounded boot of hello in MIB,
# logged to SAMPLES/tries_<who>.
try_mem_kiln() {
	kiln_cmd "$1"
	try_mem kiln "$1" 10 1
}
try_mem_linux() {
	linux_cmd "$1"
	try_mem Linux "$1" 60 0
}
try_mem() {
	local key=mem_${1}_$2
	if sample "$key" "$3" "$4" "Hello World!" "${CMD[@]}"; then
		echo "$2 MiB: yes" >>"$SAMPLES/tries_$1"
		return 0
	fi
	echo "$2 MiB: no: $(cat "$SAMPLES/$key.fail")$(last_words "$key")" \
		>>"$SAMPLES/tries_$1"
	return 1
}

# last_words KEY: what a failed boot said last, for the record: a panic
# line if there is one, else that there was no output at all.
last_words() {
	local out=$SAMPLES/$1.out line
	[ -s "$out" ] || { echo "; no output"; return; }
	line=$(grep -a -m1 -o -E '(Kernel panic|panic|PANIC)[^[:cntrl:]]*' "$out" | cut -c1-80)
	[ -n "$line" ] && echo "; \"$line\""
}

# --- rows ---------------------------------------------------------------
# A row is one function: it sets LABEL and the cells K (kiln, QEMU TCG),
# H (kiln, hvt), L (Linux guest), P (host process), and KM / LM, the
# numbers whose ratio fills the last column (left empty: no ratio).

row_hello_boot() {
	LABEL="hello: start to exit, whole QEMU process (host: the program), fork to exit"
	K=$(cell_ms kiln) L=$(cell_ms linux) P=$(cell_ms host)
	KM=$(median kiln) LM=$(median linux)
}

row_hello_kiln_run() {
	LABEL="hello: start to exit, \`kiln run\` (fork to exit)"
	K=$(cell_ms kiln_run) L="n/a (no wrapper)"
}

row_floor() {
	LABEL="firmware floor: do-nothing Multiboot kernel (bench/floor), same QEMU command line"
	K=$(cell_ms floor) L="same as kiln's (same command line)"
}

row_above_floor() {
	LABEL="hello: above the floor (median minus the floor's)"
	local f k l
	f=$(median floor) k=$(median kiln) l=$(median linux)
	K="FAIL (no floor or kiln figure)" L="FAIL (no floor or Linux figure)"
	[ -n "$f" ] && [ -n "$k" ] && KM=$((${k%.*} - ${f%.*})) && K="$(fmt_ms "$KM") ms"
	[ -n "$f" ] && [ -n "$l" ] && LM=$((${l%.*} - ${f%.*})) && L="$(fmt_ms "$LM") ms"
}

row_hello_rss() {
	LABEL="hello: peak host RSS of the QEMU process (host: of the program)"
	K=$(cell_rss kiln) L=$(cell_rss linux) P=$(cell_rss host)
	KM=$(median kiln rss) LM=$(median linux rss)
}

row_hello_size() {
	LABEL="hello image size (kiln: stripped program packed on the kernel kiln pack picks for it, without networking, image stripped; Linux: kernel + initramfs; host: stripped program)"
	KM=$(stripped_image_size "$HELLO_ELF") && K=$(bytes "$KM") || K="FAIL (cannot strip and pack $HELLO_ELF)"
	if [ -n "$LINUX_OK" ]; then
		LM=$(($(stat -c %s "$VMLINUZ") + $(stat -c %s "$LINUX_INITRD")))
		L=$(bytes "$LM")
	else
		L="FAIL ($LINUX_WHY)"
	fi
	local p
	p=$(stripped_size "$HELLO_ELF") && P=$(bytes "$p") || P="FAIL (cannot strip)"
}

row_loader_size() {
	LABEL="kiln's loader (build/loader.elf, stripped), booted beside every image"
	local k
	k=$(stripped_size "$LOADER") && K=$(bytes "$k") || K="FAIL (cannot strip)"
	L="n/a"
}

row_hello_min_mem() {
	LABEL="smallest -m that runs hello (bisected in MiB steps)"
	progress "smallest -m for kiln"
	KM=$(bisect_mem try_mem_kiln 64)
	K=$KM
	[ "${KM#FAIL}" = "$KM" ] && K="$KM MiB" || KM=""
	if [ -n "$LINUX_OK" ]; then
		progress "smallest -m for Linux"
		LM=$(bisect_mem try_mem_linux 256)
		L=$LM
		[ "${LM#FAIL}" = "$LM" ] && L="$LM MiB" || LM=""
	else
		L="FAIL ($LINUX_WHY)"
	fi
}

# The echo rows (bench/echo.sh measures, these format): FAIL with the
# reason until examples/echo exists and kiln_echo_cmd can boot it.
# echo_row WHAT CELL: the three columns and the ratio of one figure.
echo_row() {
	K=$($2 kiln "${@:3}") L=$($2 linux "${@:3}") P=$($2 host "${@:3}")
	KM=$(echo_median kiln "$1") LM=$(echo_median linux "$1")
}
row_echo_first_byte() {
	LABEL="echo: start to first answered byte on 127.0.0.1:$ECHO_PORT (QEMU process; host: the program)"
	echo_row first echo_cell_first
}
row_echo_rtt() { LABEL="echo: 1-byte round trip, median and p99 of 2,000"; echo_row rtt echo_cell_rtt; }
row_echo_bulk() { LABEL="echo: bulk throughput, 64 MiB each way"; echo_row bulk echo_cell_bulk; }
# The same two figures behind QEMU's rtl8139; the host process has no NIC,
# its cell repeats the virtio rows' figure for the comparison.
rtl_row() {
	K=$($2 kiln_rtl) L=$($2 linux_rtl) P=$($2 host)
	[ "${P#FAIL}" = "$P" ] && P="$P (no NIC: the figure above)"
	KM=$(echo_median kiln_rtl "$1") LM=$(echo_median linux_rtl "$1")
}
row_echo_rtt_rtl() {
	LABEL="echo on RTL8139 (\`-device rtl8139\`; Linux: generic kernel, 8139cp): 1-byte round trip, median and p99 of 2,000"
	rtl_row rtt echo_cell_rtt
}
row_echo_bulk_rtl() {
	LABEL="echo on RTL8139: bulk throughput, 64 MiB each way"
	rtl_row bulk echo_cell_bulk
}
row_echo_conns() {
	LABEL="echo: 1,000 connections open at once, time to open them (two at a time: QEMU's forward listens with backlog 1) and for all to answer"
	echo_row conns echo_cell_conns
}
row_echo_max_conns() { LABEL="echo: most connections held at once, all answering (steps of 1,000 to 10,000)"; echo_row hold echo_cell_hold; }
row_echo_guest_mem() {
	LABEL="echo: guest memory in use, idle (Linux: MemTotal − MemAvailable)"
	echo_row guestmem echo_cell_kib guestmem "the guest printed no figure"
	P="n/a"
}
row_echo_rss() {
	LABEL="echo: host RSS of the QEMU process, idle (host: of the program)"
	echo_row rss echo_cell_kib rss
}

row_echo_size() {
	LABEL="echo image size (kiln: stripped program packed, image stripped; Linux: kernel + initramfs with the NIC modules; host: stripped program)"
	local why
	for who in kiln linux host; do
		why=$(echo_why "$who")
		[ -n "$why" ] && printf -v "C_$who" "FAIL (%s)" "$why"
	done
	K=${C_kiln:-} L=${C_linux:-} P=${C_host:-}
	[ -z "$K" ] && { KM=$(stripped_image_size "$ECHO_ELF") && K=$(bytes "$KM") || K="FAIL (cannot strip and pack $ECHO_ELF)"; }
	[ -z "$L" ] && LM=$(($(stat -c %s "$VMLINUZ") + $(stat -c %s "$LINUX_ECHO_INITRD"))) && L=$(bytes "$LM")
	[ -z "$P" ] && { P=$(stripped_size "$ECHO_ELF") && P=$(bytes "$P") || P="FAIL (cannot strip)"; }
	unset C_kiln C_linux C_host
}

row_echo_min_mem() {
	LABEL="smallest -m that runs echo (answers on its port; bisected in MiB steps)"
	K="FAIL ($(echo_why kiln))" L="FAIL ($(echo_why linux))"
	if echo_cmd kiln "$MEM"; then
		progress "smallest -m for kiln's echo"
		KM=$(bisect_mem try_mem_echo_kiln 64)
		K=$KM
		[ "${KM#FAIL}" = "$KM" ] && K="$KM MiB" || KM=""
	fi
	if echo_cmd linux "$MEM"; then
		progress "smallest -m for Linux's echo"
		LM=$(bisect_mem try_mem_echo_linux 256)
		L=$LM
		[ "${LM#FAIL}" = "$LM" ] && L="$LM MiB" || LM=""
	fi
}

ROWS="hello_boot hello_kiln_run floor above_floor hello_rss hello_size
	loader_size hello_min_mem echo_first_byte echo_rtt echo_bulk
	echo_rtt_rtl echo_bulk_rtl echo_conns echo_max_conns echo_size
	echo_min_mem echo_guest_mem echo_rss rootfs_growth file_read file_write
	threads_create threads_wake threads_switch threads_scale"

table() {
	local r
	echo "| figure | kiln (QEMU TCG) | kiln (hvt) | Linux guest | host process | kiln / Linux |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for r in $ROWS; do
		LABEL=$r K="n/a" H="n/a (later)" L="n/a" P="n/a" KM="" LM=""
		"row_$r"
		echo "$KM" >"$SAMPLES/row_$r.kiln"
		echo "| $LABEL | $K | $H | $L | $P | $(ratio "$KM" "$LM") |"
	done
}

# --- the run ------------------------------------------------------------
sh bench/setup.sh
for f in "$KILN" "$LOADER" "$HELLO" "$HELLO_ELF" "$FLOOR" "$TIMER" "$INIT"; do
	[ -e "$f" ] || { echo "bench: missing $f (run make bench)" >&2; exit 0; }
done
qemu_common || { echo "bench: \`$KILN run --dry-run\` failed" >&2; exit 0; }
MACHINE=$(bash bench/machine.sh "$QEMU")
progress "building the Linux guest in $LINUX_DIR"
build_linux
echo_prepare
measure_boots
if [ -n "$ECHO_OK" ]; then
	echo_session kiln
	echo_session linux
	echo_session host
	echo_session kiln_rtl
	echo_session linux_rtl
fi
TABLE=$(table)
mkdir -p bench/results
PLOT=$(plot)
report >"$SAMPLES/results.md"
cp "$SAMPLES/results.md" "$RESULTS.md"
cat "$RESULTS.md"
echo
echo "written: $RESULTS.md$([ -e "$RESULTS.png" ] && echo ", $RESULTS.png")"
exit 0
