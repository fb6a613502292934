# Helpers for booting an echo server and checking it from the host
# (tests/sock/run.sh, tests/smp/run.sh): sourced, with BUILD set.

# free_port: a TCP port free on 127.0.0.1 now.
free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# guest_check NAME IMAGE NIC CHECK...: boot IMAGE with `kiln run --nic NIC
# -p PORT:8080` (the forward bound to 127.0.0.1; GUEST_ARGS: more kiln run
# options), wait for the server's line, run echo_check.py's checks, then
# kill the VM by PID.
guest_check()
{
	local name=$1 img=$2 nic=$3 port log pid i
	shift 3
	port=$(free_port)
	log=$BUILD/tests/sock/$name.log
	mkdir -p "$BUILD/tests/sock"
	# shellcheck disable=SC2086 # GUEST_ARGS are words
	timeout -k 5 400 "$BUILD/kiln" run ${GUEST_ARGS:-} --nic "$nic" \
		-p "$port:8080" "$img" >"$log" 2>&1 </dev/null &
	pid=$!
	for i in $(seq 300); do
		grep -q 'listening on port' "$log" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'listening on port' "$log"; then
		echo "FAIL ${name}: the server did not start"
		tail -5 "$log" | sed 's/^/    | /'
	else
		ECHO_CHECK_LIMIT=${ECHO_CHECK_LIMIT:-60} \
			timeout -k 5 380 python3 tests/sock/echo_check.py \
			"$name" "$port" "$@"
	fi
	kill_by_pid $pid
}

# kill_by_pid PID: timeout(1) and what it runs (kiln, then QEMU), by PID.
kill_by_pid()
{
	local p kids
	kids=$(pgrep -P "$1" 2>/dev/null)
	for p in $kids; do
		kill -9 $(pgrep -P "$p" 2>/dev/null) "$p" 2>/dev/null
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
