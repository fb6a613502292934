#!/bin/sh
# Fetch Debian's lwip source package into DIR and unpack it as DIR/lwip
# (with Debian's patches applied when dpkg-source is there), for the kernel
# build. Never committed. On failure: one line on stderr, exit 1.
#   sh mk/fetch-lwip.sh DIR
set -u
dir=$1
log=$dir/fetch.log
fail() { echo "kiln: cannot fetch the lwIP source ($1); see $log" >&2; exit 1; }
mkdir -p "$dir" || fail "mkdir $dir"
: >"$log"
if [ -f "$dir/lwip/src/core/init.c" ]; then exit 0; fi
# deb-src entries are not configured on a fresh Debian 12; the project's
# script derives them from the machine's own apt sources (root only).
if ! apt-get source --print-uris lwip >>"$log" 2>&1; then
	[ "$(id -u)" = 0 ] ||
		fail "no deb-src entry and not root: run sudo sh mk/enable-deb-src.sh"
	timeout 300 sh mk/enable-deb-src.sh >>"$log" 2>&1 ||
		fail "mk/enable-deb-src.sh failed"
fi
(cd "$dir" && rm -f lwip_*.dsc lwip_*.tar.* &&
	timeout 300 apt-get source --download-only lwip) >>"$log" 2>&1 ||
	fail "apt-get source lwip failed"
rm -rf "$dir/lwip" "$dir"/lwip-*/
if command -v dpkg-source >/dev/null; then
	# Applies Debian's patches (security fixes among them).
	(cd "$dir" && dpkg-source -x lwip_*.dsc) >>"$log" 2>&1 ||
		fail "dpkg-source -x failed"
else
	(cd "$dir" && tar -xJf lwip_*.orig.tar.xz) >>"$log" 2>&1 ||
		fail "unpacking lwip_*.orig.tar.xz failed"
fi
src=$(ls -d "$dir"/lwip-*/ 2>/dev/null | head -n 1)
[ -n "$src" ] && [ -f "$src/src/core/init.c" ] || fail "no src/core/init.c"
mv "$src" "$dir/lwip" || fail "mv"
