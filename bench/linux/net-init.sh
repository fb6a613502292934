#!/bin/sh
# /init of the Linux guest for a server (busybox sh): load the NIC driver,
# give eth0 the address QEMU's user networking expects, report the memory
# in use once the server is idle, and exec the benchmarked program as PID 1.
# Arguments from the kernel command line after "--" reach the program.
bb=/bin/busybox
$bb mount -t proc proc /proc
# A server's descriptors: Linux gives init 1024 (soft) and 4096 (hard); the
# bench holds up to 10,000 connections at once.
ulimit -n 65536
while read -r m; do
	$bb insmod "/lib/modules/$m" || echo "init: insmod $m failed"
done </lib/modules/load-order

# The NIC may appear a little after its driver loads: bounded retries.
i=0
until $bb ip link set eth0 up 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "init: no eth0"; $bb poweroff -f; }
	$bb usleep 10000
done
$bb ip addr add 10.0.2.15/24 dev eth0
$bb ip route add default via 10.0.2.2

# Guest memory in use (the bench's "guest memory in use, idle" row): once,
# a few seconds after the program started, from /proc/meminfo.
(
	$bb sleep 3
	$bb awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 }
		END { printf "bench-meminfo: used %d kB\n", t - a }' /proc/meminfo
) &
# noxsave is read by x86 Linux itself yet handed to init too: not the
# program's argument.
for a; do
	shift
	[ "$a" = noxsave ] || set -- "$@" "$a"
done
exec /bench-program "$@"
