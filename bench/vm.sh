# bench/vm.sh: a long-running guest (or server process) for the bench
# (sourced by run.sh). One at a time; started in the background, always
# stopped by its PID, also when the bench is interrupted.

VM_PID=""
VM_OUT=""

# vm_start NAME CMD...: start CMD with stdin on /dev/null, its output in
# SAMPLES/NAME.vm.out.
vm_start() {
	VM_OUT=$SAMPLES/$1.vm.out
	shift
	"$@" </dev/null >"$VM_OUT" 2>&1 &
	VM_PID=$!
}

# vm_stop: SIGTERM, up to 2 s to go, then SIGKILL; by PID only.
vm_stop() {
	[ -n "$VM_PID" ] || return 0
	kill "$VM_PID" 2>/dev/null
	local i
	for i in $(seq 20); do
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$VM_PID" 2>/dev/null
	wait "$VM_PID" 2>/dev/null
	VM_PID=""
}

vm_alive() { [ -n "$VM_PID" ] && kill -0 "$VM_PID" 2>/dev/null; }

# vm_rss: the resident set of the running guest's process, KiB.
vm_rss() { vm_alive && awk '/^VmRSS:/ { print $2 }' "/proc/$VM_PID/status"; }

# vm_line REGEX SECONDS: the first output line matching REGEX, waiting
# at most SECONDS for it; nothing (status 1) if it did not come.
vm_line() {
	local i
	for i in $(seq $(($2 * 10))); do
		grep -a -m1 -E "$1" "$VM_OUT" 2>/dev/null && return 0
		vm_alive || return 1
		sleep 0.1
	done
	return 1
}
