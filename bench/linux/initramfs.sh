#!/bin/bash
# Pack the Linux guest's initramfs: /init, the benchmarked program as
# /bench-program (the very binary kiln packs), busybox in /bin. cpio newc,
# owner 0:0, sorted, fixed times; gzip -9 (so the same inputs give the same
# bytes).
#
# Usage: initramfs.sh INIT PROGRAM BUSYBOX OUT
set -eu
init=$1 program=$2 busybox=$3 out=$4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
install -m 755 "$init" "$root/init"
install -m 755 "$program" "$root/bench-program"
install -m 755 "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
