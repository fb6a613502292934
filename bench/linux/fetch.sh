#!/bin/bash
# Fetch the Linux guest's parts from Debian into DIR (cached): a kernel
# (the cloud flavour unless META names another) and a static busybox. Downloaded with `apt-get download` (nothing is
# installed) and unpacked with dpkg-deb. Never committed.
#
# Usage: fetch.sh DIR [--modules [META]]
#   META  the kernel metapackage, default linux-image-cloud-amd64 (virtio
#         only); linux-image-amd64 is the generic kernel, the only Debian
#         one with an RTL8139 driver (8139cp). One DIR per kernel.
# Leaves DIR/vmlinuz, DIR/busybox and DIR/versions (one "package version"
# line each); with --modules also DIR/modules, the kernel's unpacked
# /lib/modules/<version> (for a networked guest's NIC driver). On failure
# one line on stderr and status 1.
set -u
dir=$1
modules=${2:-}
meta=${3:-linux-image-cloud-amd64}
mkdir -p "$dir/deb"
cd "$dir" || exit 1

say() { echo "linux guest: $*" >&2; }

# The metapackage only depends on the current ABI's image package: fetch
# that one (apt-get download does not resolve dependencies).
kernel_pkg() {
	apt-cache depends "$meta" 2>/dev/null |
		awk '/Depends: linux-image-/ { print $2; exit }'
}

# download PKG: the .deb into deb/ unless it is there already.
download() {
	local pkg=$1 tries
	ls deb/"${pkg}"_*.deb >/dev/null 2>&1 && return 0
	for tries in 1 2; do
		# As root, apt's download sandbox user cannot write here.
		(cd deb && apt-get download -q=2 -o APT::Sandbox::User=root \
			"$pkg" >/dev/null 2>&1) && return 0
		# Stale package lists: refresh once when allowed to.
		[ "$tries" = 1 ] && [ "$(id -u)" = 0 ] &&
			apt-get update -qq >/dev/null 2>&1
	done
	say "apt-get download $pkg failed"
	return 1
}

# extract PKG PATH OUT: one file of PKG's .deb to OUT.
extract() {
	local deb
	deb=$(ls deb/"$1"_*.deb | head -1)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards "$2" >"$3.tmp" &&
		[ -s "$3.tmp" ] && mv "$3.tmp" "$3" && return 0
	rm -f "$3.tmp"
	say "no $2 in $deb"
	return 1
}

version() { dpkg-deb -f "$(ls deb/"$1"_*.deb | head -1)" Version; }

if [ ! -s vmlinuz ] || [ ! -s busybox ]; then
	kpkg=$(kernel_pkg)
	[ -n "$kpkg" ] || { say "apt-cache knows no $meta"; exit 1; }
	download "$kpkg" && download busybox-static || exit 1
	extract "$kpkg" './boot/vmlinuz-*' vmlinuz || exit 1
	extract busybox-static ./bin/busybox busybox || exit 1
	chmod 755 busybox
	{
		echo "$kpkg $(version "$kpkg")"
		echo "busybox-static $(version busybox-static)"
	} >versions
fi
if [ "$modules" = --modules ] && [ ! -d modules ]; then
	kpkg=$(sed -n '1s/ .*//p' versions)
	rm -rf modules.tmp && mkdir modules.tmp
	dpkg-deb --fsys-tarfile deb/"$kpkg"_*.deb |
		tar -x -C modules.tmp --wildcards './lib/modules/*' &&
		mv modules.tmp/lib/modules/* modules ||
		{ say "cannot unpack the modules of $kpkg"; exit 1; }
	rm -rf modules.tmp
fi
exit 0
