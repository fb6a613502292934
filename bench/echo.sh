# bench/echo.sh: the echo server's figures (sourced by run.sh). The same
# static echo program (examples/echo, port 8080) runs in kiln, in the Linux
# guest and as a host process; build/bench/echo-client measures it through
# 127.0.0.1:$ECHO_PORT, the only address the bench talks to.
#
# HOLD_SECONDS bounds the search for the most connections held at once
# (QEMU's forward slows down as connections pile up).
#
# The RTL8139 sessions (WHO kiln_rtl, linux_rtl) take only the round trip
# and bulk figures: the same server behind QEMU's rtl8139 (an RTL8139C+),
# the Linux guest on Debian's generic kernel with 8139cp.
#
# Series (lib.sh) per column WHO in kiln, linux, host (and the _rtl two):
#   echo_first_WHO  fork until the port answers (ns; N=RUNS)
#   echo_bulk_WHO   MiB/s, 64 MiB each way (N=ECHO_RUNS)
#   echo_conns_WHO  ns for 1,000 connections at once (N=ECHO_RUNS)
# and single figures in SAMPLES/echo_<what>_WHO: rtt ("median p99 min max
# n" ns), hold (connections), guestmem (KiB), rss (KiB).

ECHO_ELF=${BENCH_ECHO_ELF:-$BUILD/examples/echo}
ECHO_IMG=$BUILD/examples/echo.img
ECHO_PORT=${BENCH_PORT:-8080}
ECHO_CLIENT=$BUILD/bench/echo-client
LINUX_ECHO_INITRD=$LINUX_DIR/echo.cpio.gz
# The generic kernel for the RTL8139 guest, in a directory of its own.
LINUX_GENERIC_DIR=$LINUX_DIR/generic
VMLINUZ_GENERIC=$LINUX_GENERIC_DIR/vmlinuz
LINUX_RTL_INITRD=$LINUX_GENERIC_DIR/echo-rtl8139.cpio.gz
# The NIC and forward of every guest: QEMU user networking, restrict=on,
# the host side bound to 127.0.0.1 only.
NET_ARGS=(-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$ECHO_PORT-:8080"
	-device virtio-net-pci,netdev=n0)
# The same forward behind an RTL8139 (QEMU models the C+ variant).
RTL_NET_ARGS=("${NET_ARGS[0]}" "${NET_ARGS[1]}" -device rtl8139,netdev=n0)

# kiln_echo_cmd MIB [NET]: set CMD to boot the echo image in MIB on BASE with
# NET_ARGS, the very NIC and forward the Linux guest gets, or say why not in
# ECHO_WHY_kiln and fail. meminfo=1000: the kernel prints the memory in use
# ("kiln-meminfo:") a second after the server starts, when it is idle. NET
# names the array of NIC arguments (default NET_ARGS).
kiln_echo_cmd() {
	local -n net=${2:-NET_ARGS}

	if [ ! -f "$ECHO_IMG" ]; then
		ECHO_WHY_kiln="no echo image ($ECHO_IMG)"
		return 1
	fi
	with_mem "$1"
	CMD=("${COMMON[@]}" -kernel "$LOADER" -initrd "$ECHO_IMG"
		-append "meminfo=1000 --" "${net[@]}")
}

# echo_cmd WHO MIB: CMD for one column's echo server, or fail (the reason
# is in ECHO_WHY_WHO, see echo_prepare).
echo_cmd() {
	[ -z "$(echo_why "$1")" ] || return 1
	case $1 in
	kiln) kiln_echo_cmd "$2" ;;
	kiln_rtl) kiln_echo_cmd "$2" RTL_NET_ARGS ;;
	linux)
		with_mem "$2"
		CMD=("${COMMON[@]}" -kernel "$VMLINUZ" -initrd "$LINUX_ECHO_INITRD"
			-append "$LINUX_APPEND" "${NET_ARGS[@]}") ;;
	linux_rtl)
		with_mem "$2"
		CMD=("${COMMON[@]}" -kernel "$VMLINUZ_GENERIC" -initrd "$LINUX_RTL_INITRD"
			-append "$LINUX_APPEND" "${RTL_NET_ARGS[@]}") ;;
	host) CMD=("$ECHO_ELF") ;;
	esac
}

# echo_prepare: is there an echo program; the Linux guest's initramfs for
# it (net-init.sh, the virtio-net driver) and the generic kernel's with
# 8139cp for the RTL8139 rows. Sets ECHO_WHY_<who> on failure.
echo_prepare() {
	if [ ! -x "$ECHO_ELF" ]; then
		ECHO_WHY_kiln="no echo example yet: issue 5"
		ECHO_WHY_linux=$ECHO_WHY_kiln ECHO_WHY_host=$ECHO_WHY_kiln
		ECHO_WHY_kiln_rtl=$ECHO_WHY_kiln ECHO_WHY_linux_rtl=$ECHO_WHY_kiln
		ECHO_OK=""
		return
	fi
	ECHO_OK=1
	if [ -z "$LINUX_OK" ]; then
		ECHO_WHY_linux=$LINUX_WHY
	elif ! bash bench/linux/fetch.sh "$LINUX_DIR" --modules 2>"$SAMPLES/fetch.err" ||
		! bash bench/linux/initramfs.sh bench/linux/net-init.sh "$ECHO_ELF" \
			"$LINUX_DIR/busybox" "$LINUX_ECHO_INITRD" "$LINUX_DIR/modules" \
			virtio_pci virtio_net 2>>"$SAMPLES/fetch.err"; then
		ECHO_WHY_linux="echo guest: $(tail -1 "$SAMPLES/fetch.err")"
	fi
	# QEMU's rtl8139 is an RTL8139C+: 8139too refuses it, 8139cp drives it
	# (../shared/notes/linux-peer.md).
	if [ -z "$LINUX_OK" ]; then
		ECHO_WHY_linux_rtl=$LINUX_WHY
	elif ! bash bench/linux/fetch.sh "$LINUX_GENERIC_DIR" --modules \
		linux-image-amd64 2>"$SAMPLES/fetch.err" ||
		! bash bench/linux/initramfs.sh bench/linux/net-init.sh "$ECHO_ELF" \
			"$LINUX_DIR/busybox" "$LINUX_RTL_INITRD" \
			"$LINUX_GENERIC_DIR/modules" 8139cp 2>>"$SAMPLES/fetch.err"; then
		ECHO_WHY_linux_rtl="generic kernel: $(tail -1 "$SAMPLES/fetch.err")"
	fi
	kiln_echo_cmd "$MEM" || ECHO_WHY_kiln_rtl=$ECHO_WHY_kiln
}

# echo_why WHO: why WHO's echo figures are missing, or nothing.
echo_why() { local v=ECHO_WHY_$1; echo "${!v:-}"; }

# port_free: nothing answers on ECHO_PORT yet (else the figures would be
# some other server's).
port_free() { ! "$ECHO_CLIENT" -t 0.3 wait "$ECHO_PORT" >/dev/null; }

# run_echo_first WHO: one timed start until the port answers.
run_echo_first() {
	local key=echo_first_$1
	[ -n "$(echo_why "$1")" ] && return
	port_free || { fail_series "$key" "port $ECHO_PORT busy"; return; }
	echo_cmd "$1" "$MEM" && sample "$key" 60 0 "" -p "$ECHO_PORT" "${CMD[@]}"
}

# client_series KEY ARGS...: one echo-client run, its first number appended
# to series KEY (or KEY failed with the client's reason).
client_series() {
	local key=$1 out
	shift
	out=$("$ECHO_CLIENT" "$@")
	case $out in
	[0-9]*) echo "$out" >>"$SAMPLES/$key.raw" ;;
	*) fail_series "$key" "${out#FAIL }" ;;
	esac
}

# echo_session WHO: one server up; idle figures, then the load figures.
echo_session() {
	local who=$1 i line
	[ -n "$(echo_why "$who")" ] && return
	if ! port_free; then
		printf -v "ECHO_WHY_session_$who" "port %s busy" "$ECHO_PORT"
		return
	fi
	echo_cmd "$who" "$MEM" || return
	progress "echo, $who: figures of one running server"
	vm_start "echo_$who" "${CMD[@]}"
	if ! "$ECHO_CLIENT" -t 60 wait "$ECHO_PORT" >/dev/null; then
		printf -v "ECHO_WHY_session_$who" "did not answer on port %s%s" \
			"$ECHO_PORT" "$(vm_last_words)"
		vm_stop
		return
	fi
	case $who in
	*_rtl)
		# The NIC's own figures only: round trip and bulk.
		"$ECHO_CLIENT" -t 60 rtt "$ECHO_PORT" 2000 >"$SAMPLES/echo_rtt_$who"
		for i in $(seq "$ECHO_RUNS"); do
			client_series "echo_bulk_$who" -t 120 bulk "$ECHO_PORT" 64
		done
		vm_stop
		echo_bulk_mibs "$who"
		return ;;
	esac
	# Idle: the guest's own account of its memory, then the host's RSS.
	line=$(vm_line 'bench-meminfo: used [0-9]+ kB|kiln-meminfo: used [0-9]+ kB' 10)
	# "used N kB" (kiln's line goes on with free and total).
	[ -n "$line" ] && echo "$line" | grep -o 'used [0-9]\+' |
		grep -o '[0-9]\+' >"$SAMPLES/echo_guestmem_$who"
	vm_rss >"$SAMPLES/echo_rss_$who"
	"$ECHO_CLIENT" -t 60 rtt "$ECHO_PORT" 2000 >"$SAMPLES/echo_rtt_$who"
	for i in $(seq "$ECHO_RUNS"); do
		client_series "echo_bulk_$who" -t 120 bulk "$ECHO_PORT" 64
		client_series "echo_conns_$who" -t 60 conns "$ECHO_PORT" 1000
	done
	"$ECHO_CLIENT" -t "$HOLD_SECONDS" hold "$ECHO_PORT" 10000 1000 >"$SAMPLES/echo_hold_$who"
	vm_stop
	echo_bulk_mibs "$who"
	# Conns: ns when all 1,000 answered.
	awk '$2 == 1000 { print $1 } $2 != 1000 { bad = $2 }
		END { if (bad != "") print "only " bad " of 1000 answered" >"/dev/stderr" }' \
		"$SAMPLES/echo_conns_$who.raw" >"$SAMPLES/echo_conns_$who.ns" \
		2>"$SAMPLES/echo_conns_$who.bad"
	[ -s "$SAMPLES/echo_conns_$who.bad" ] &&
		fail_series "echo_conns_$who" "$(cat "$SAMPLES/echo_conns_$who.bad")"
}

# echo_bulk_mibs WHO: the bulk series in MiB/s from its "ns bytes" lines.
echo_bulk_mibs() {
	awk '{ printf "%.17g\n", $2 / 1048576 / ($1 / 1e9) }' \
		"$SAMPLES/echo_bulk_$1.raw" >"$SAMPLES/echo_bulk_$1.mibs" 2>/dev/null
}

# vm_last_words: what a guest that never answered said last (a Linux
# "init:" complaint, a panic or kiln's last line), for its FAIL cell.
vm_last_words() {
	local line
	line=$(tr -d '\r' <"$VM_OUT" 2>/dev/null |
		grep -a -E 'init:|panic|PANIC|kiln' | tail -1 | cut -c1-100)
	[ -n "$line" ] && echo "; \"$line\""
}

# --- cells: echo_cell_<what> WHO ------------------------------------------

# echo_fail WHO [SERIES]: the reason a session cell of WHO is missing
# (no program, no session, SERIES failed), or nothing.
echo_fail() {
	local why v=ECHO_WHY_session_$1
	why=$(echo_why "$1")
	[ -z "$why" ] && why=${!v:-}
	[ -z "$why" ] && [ -n "${2:-}" ] && [ -e "$SAMPLES/$2.fail" ] &&
		why=$(cat "$SAMPLES/$2.fail")
	[ -n "$why" ] && echo "FAIL ($why)"
}

# The first-byte series has its own boots, not the session's.
echo_cell_first() {
	local why
	why=$(echo_why "$1")
	[ -n "$why" ] && echo "FAIL ($why)" || cell_ms "echo_first_$1"
}

echo_cell_rtt() {
	echo_fail "$1" && return
	local m p lo hi n
	read -r m p lo hi n <"$SAMPLES/echo_rtt_$1" 2>/dev/null
	case $m in
	[0-9]*) awk -v m="$m" -v p="$p" -v lo="$lo" -v hi="$hi" -v n="$n" 'BEGIN {
		printf "%.0f µs (p99 %.0f µs; min–max %.0f–%.0f, N=%d)\n",
			m / 1e3, p / 1e3, lo / 1e3, hi / 1e3, n }' ;;
	*) echo "FAIL (${m:-no answer}${p:+ $p})" ;;
	esac
}

fmt_1() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
echo_cell_bulk() {
	echo_fail "$1" "echo_bulk_$1" || cell_series "echo_bulk_$1" mibs fmt_1 MiB/s
}
echo_cell_conns() { echo_fail "$1" "echo_conns_$1" || cell_ms "echo_conns_$1"; }

echo_cell_hold() {
	echo_fail "$1" && return
	local h why
	read -r h why <"$SAMPLES/echo_hold_$1" 2>/dev/null
	case $why in
	all) echo "$h (all answered)" ;;
	unanswered) echo "$h (the next 1,000 did not all answer)" ;;
	deadline) echo "$h (stopped at the ${HOLD_SECONDS} s limit)" ;;
	*) echo "FAIL (${h:-no figure}${why:+ $why})" ;;
	esac
}

echo_cell_kib() {
	echo_fail "$1" && return
	local v
	v=$(cat "$SAMPLES/echo_$2_$1" 2>/dev/null)
	if [ -z "$v" ]; then
		echo "FAIL (${3:-not reported})"
	elif [ "$v" -lt 1024 ]; then
		echo "$v KiB"
	else
		echo "$(fmt_mib "$v") MiB"
	fi
}

# echo_median WHO WHAT: the number behind a cell, for the ratio column.
echo_median() {
	[ "$2" != first ] && echo_fail "$1" >/dev/null && return
	case $2 in
	first) [ -z "$(echo_why "$1")" ] && median "echo_first_$1" ;;
	bulk) median "echo_bulk_$1" mibs ;;
	conns) median "echo_conns_$1" ;;
	rtt) cut -d' ' -f1 "$SAMPLES/echo_rtt_$1" 2>/dev/null | grep '^[0-9]' ;;
	*) grep -o '^[0-9]\+' "$SAMPLES/echo_$2_$1" 2>/dev/null ;;
	esac
}

# try_mem_echo WHO MIB: does WHO's echo server answer when booted in MIB?
try_mem_echo() {
	local key=mem_echo_$1_$2
	echo_cmd "$1" "$2" || return 1
	port_free || { echo "$2 MiB: port $ECHO_PORT busy" >>"$SAMPLES/tries_echo_$1"; return 1; }
	if sample "$key" 30 0 "" -p "$ECHO_PORT" "${CMD[@]}"; then
		echo "$2 MiB: yes" >>"$SAMPLES/tries_echo_$1"
		return 0
	fi
	echo "$2 MiB: no: $(cat "$SAMPLES/$key.fail")$(last_words "$key")" \
		>>"$SAMPLES/tries_echo_$1"
	return 1
}
try_mem_echo_kiln() { try_mem_echo kiln "$1"; }
try_mem_echo_linux() { try_mem_echo linux "$1"; }
