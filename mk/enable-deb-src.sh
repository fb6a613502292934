#!/bin/sh
# Enable deb-src entries mirroring the machine's own deb entries, so that
# `apt-get source` works on a fresh Debian 12 (which ships binary entries only).
# Needs root. Idempotent. Host names come from the existing configuration.
set -e
[ "$(id -u)" = 0 ] || { echo "enable-deb-src: needs root" >&2; exit 1; }
out=/etc/apt/sources.list.d/kiln-deb-src.sources
[ -f "$out" ] && exit 0
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ]; then
	grep -q '^Types:.*deb-src' "$src" && exit 0
	sed 's/^Types:.*/Types: deb-src/' "$src" >"$out"
elif [ -f /etc/apt/sources.list ]; then
	grep -q '^deb-src' /etc/apt/sources.list && exit 0
	grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
		>/etc/apt/sources.list.d/kiln-deb-src.list
else
	echo "enable-deb-src: no apt sources found" >&2
	exit 1
fi
apt-get update -qq
