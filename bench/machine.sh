#!/bin/bash
# State the machine the figures were taken on, as Markdown list items.
# Usage: machine.sh QEMU
set -u
qemu=$1

kvm="absent"
if [ -e /dev/kvm ]; then
	mod=$(ls /sys/module 2>/dev/null | grep -E '^kvm_(intel|amd|pvm)$' | head -1)
	kvm="present, provided by ${mod:-an unknown module}"
	# PVM runs guests without hardware virtualisation
	# (../shared/notes/kvm-on-this-machine.md): its timings say nothing
	# about KVM on hardware.
	[ "$mod" = kvm_pvm ] &&
		kvm="$kvm (PVM, not hardware virtualisation: no timings are taken from it)"
fi

echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "- memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "- host: $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown}"), Linux $(uname -r)"
echo "- QEMU: $("$qemu" --version 2>/dev/null | head -1), -accel tcg"
echo "- /dev/kvm: $kvm"
echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
