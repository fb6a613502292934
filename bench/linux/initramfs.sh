#!/bin/bash
# Pack a Linux guest's initramfs: /init, the benchmarked program as
# /bench-program (the very binary kiln packs), busybox in /bin and, for a
# networked guest, the NIC's kernel modules with their load order. cpio
# newc, owner 0:0, sorted, fixed times; gzip -9n (the same inputs give the
# same bytes).
#
# Usage: initramfs.sh INIT PROGRAM BUSYBOX OUT [MODDIR MODULE...]
#   INIT    bench/linux/init (runs the program, powers off) or
#           bench/linux/net-init.sh (network, then the program as PID 1)
#   MODDIR  an unpacked /lib/modules/<version>; MODULE... are loaded by
#           net-init.sh in dependency order (bench/linux/modules.sh)
set -eu
init=$1 program=$2 busybox=$3 out=$4
shift 4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
install -m 755 "$init" "$root/init"
install -m 755 "$program" "$root/bench-program"
install -m 755 "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
if [ $# -gt 0 ]; then
	moddir=$1
	shift
	mkdir -p "$root/lib/modules"
	bash "$(dirname "$0")/modules.sh" "$moddir" "$@" >"$root/lib/modules/load-order"
	while read -r m; do
		install -D -m 644 "$moddir/$m" "$root/lib/modules/$m"
	done <"$root/lib/modules/load-order"
fi
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
