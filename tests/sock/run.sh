#!/bin/bash
# Sockets: the echo examples as host processes, then in the guest on each
# NIC type, checked by echo_check.py (the host runs show a failure is the
# guest's, not the example's or the checker's).
# They run inside a network namespace of their own (unshare -n: only a
# loopback), so nothing listens on the machine's real interfaces; without
# the right to make one, SKIP. Every server is killed by its PID.
set -u
BUILD=${BUILD:-build}
here=$(dirname "$0")
check=$here/echo_check.py

if ! timeout 10 unshare -n true 2>/dev/null; then
	echo "SKIP sock_host_echo: unshare -n refused (no network namespace)"
	no_netns=1
fi

# host_check NAME BINARY CHECK...: the server and the checker in one
# namespace; the server on port 8080 there.
host_check()
{
	local name=$1 bin=$2
	shift 2
	timeout -k 5 300 unshare -n bash -c '
		ip link set lo up || exit 1
		"$1" 8080 >/dev/null &
		pid=$!
		for i in $(seq 50); do
			python3 -c "import socket; socket.create_connection((\"127.0.0.1\", 8080), 1).close()" 2>/dev/null && break
			sleep 0.1
		done
		shift
		python3 "$@"
		rc=$?
		{ kill -9 $pid; wait $pid; } 2>/dev/null
		exit $rc
	' host_check "$bin" "$check" "$name" 8080 "$@"
	[ $? -eq 124 ] && echo "FAIL ${name}: timed out"
}

[ -z "${no_netns:-}" ] && host_check sock_host_echo "$BUILD/examples/echo" basic many=1000 bulk=16 \
	halfclose vanish
[ -z "${no_netns:-}" ] && host_check sock_host_echo_epoll "$BUILD/examples/echo-epoll" basic \
	many=1000 bulk=16 halfclose vanish

# --- the same servers in the guest, over QEMU's user network ---

. "$here/guest.sh"

# unix.c (AF_UNIX) on the host and in a guest without a NIC: the same "R "
# lines; the "T " lines (blocking calls woken from a second thread) too
# when the guest has threads. Path sockets go in a fresh directory and
# abstract names get a suffix, so that runs at the same time do not meet.
ux=$BUILD/tests/sock/unix
mkdir -p "$BUILD/tests/sock"
if ! musl-gcc -static -O2 -o "$ux" "$here/unix.c" ||
	! "$BUILD/kiln" pack "$ux" -o "$ux.img"; then
	echo "FAIL sock_unix: build"
else
	uxdir=$(mktemp -d)
	timeout -k 5 60 "$ux" "$uxdir" ".$$" >"$ux.host" 2>&1 </dev/null
	rm -rf "$uxdir"
	timeout -k 5 120 "$BUILD/kiln" run --mem 4M "$ux.img" >"$ux.guest" \
		2>&1 </dev/null
	tr -d '\r' <"$ux.guest" >"$ux.guest.txt"
	grep '^R ' "$ux.host" >"$ux.host.r"
	grep '^R ' "$ux.guest.txt" >"$ux.guest.r"
	if grep -q '^T no threads' "$ux.guest.txt"; then
		:
	else
		grep '^T ' "$ux.host" >>"$ux.host.r"
		grep '^T ' "$ux.guest.txt" >>"$ux.guest.r"
	fi
	if [ -s "$ux.host.r" ] && grep -q '^R done' "$ux.host.r" &&
		diff "$ux.host.r" "$ux.guest.r" >"$ux.diff"; then
		echo "PASS sock_unix"
	else
		echo "FAIL sock_unix: the guest differs from the host"
		sed 's/^/    | /' "$ux.diff" | head -30
		tail -5 "$ux.guest.txt" | sed 's/^/    | /'
	fi
fi

# The guest needs the network stack (kernel/net/) and kiln's -p.
if [ ! -f kernel/net/build.mk ] ||
	! "$BUILD/kiln" run --dry-run -p 1:8080 "$BUILD/examples/echo.img" \
		>/dev/null 2>&1; then
	echo "SKIP sock_guest: no network stack or no kiln run -p in this build"
	exit 0
fi
# loopback.c on the host (in its own namespace) and in the guest: the same
# "R " lines (results and errno values of the socket calls over 127.0.0.1).
lb=$BUILD/tests/sock/loopback
mkdir -p "$BUILD/tests/sock"
if ! musl-gcc -static -O2 -o "$lb" "$here/loopback.c" ||
	! "$BUILD/kiln" pack "$lb" -o "$lb.img"; then
	echo "FAIL sock_loopback: build"
else
	timeout -k 5 60 unshare -n sh -c "ip link set lo up && $lb" \
		>"$lb.host" 2>&1 </dev/null
	timeout -k 5 120 "$BUILD/kiln" run --nic virtio "$lb.img" \
		>"$lb.guest" 2>&1 \
		</dev/null
	grep '^R ' "$lb.host" >"$lb.host.r"
	tr -d '\r' <"$lb.guest" | grep '^R ' >"$lb.guest.r"
	if [ -s "$lb.host.r" ] && diff "$lb.host.r" "$lb.guest.r" >"$lb.diff"
	then
		echo "PASS sock_loopback"
	else
		echo "FAIL sock_loopback: the guest differs from the host"
		sed 's/^/    | /' "$lb.diff" | head -30
		tail -5 "$lb.guest" | sed 's/^/    | /'
	fi
fi

# many=1000:2: 1,000 connections held at once, opened two at a time (QEMU's
# forward listens with a backlog of 1), then all sending at once. A guest
# that loses frames in such a burst pays a TCP retransmission timeout per
# lost segment and runs out of the check's time; the bench measures the
# most connections held.
guest_check sock_virtio "$BUILD/examples/echo.img" virtio basic halfclose \
	bulk=64 many=1000:2 vanish basic
guest_check sock_virtio_legacy "$BUILD/examples/echo.img" virtio-legacy \
	basic halfclose bulk=8
guest_check sock_rtl8139 "$BUILD/examples/echo.img" rtl8139 basic \
	halfclose bulk=8 many=1000:2
guest_check sock_epoll "$BUILD/examples/echo-epoll.img" virtio basic \
	many=1000:2 bulk=16 halfclose vanish
exit 0
