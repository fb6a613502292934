#!/bin/bash
# Sockets: the echo examples as host processes, checked by echo_check.py
# (so a failure here is the example's or the checker's, not the guest's).
# They run inside a network namespace of their own (unshare -n: only a
# loopback), so nothing listens on the machine's real interfaces; without
# the right to make one, SKIP. Every server is killed by its PID.
set -u
BUILD=${BUILD:-build}
here=$(dirname "$0")
check=$here/echo_check.py

if ! timeout 10 unshare -n true 2>/dev/null; then
	echo "SKIP sock_host_echo: unshare -n refused (no network namespace)"
	exit 0
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

host_check sock_host_echo "$BUILD/examples/echo" basic many=1000 bulk=16 \
	halfclose vanish
host_check sock_host_echo_epoll "$BUILD/examples/echo-epoll" basic \
	many=1000 bulk=16 halfclose vanish
exit 0
