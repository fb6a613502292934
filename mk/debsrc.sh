#!/bin/sh
# mk/debsrc.sh PKG DESTDIR MARKER: fetch Debian's source package PKG into
# DESTDIR (once) and print the path of the unpacked tree, which must contain
# the file MARKER (e.g. src/lua.c). On failure print one line saying why and
# exit 1. deb-src entries are not configured on a fresh Debian 12: when root,
# mk/enable-deb-src.sh derives them from the machine's own apt sources.
pkg=$1 dest=$2 marker=$3
[ -n "$pkg" ] && [ -n "$dest" ] && [ -n "$marker" ] ||
	{ echo "usage: mk/debsrc.sh PKG DESTDIR MARKER"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest" || { echo "cannot create $dest"; exit 1; }
log=$dest/fetch.log

found() {
	for d in "$dest"/*/; do
		[ -f "$d$marker" ] && { echo "${d%/}"; return 0; }
	done
	return 1
}

found && exit 0
if ! apt-get source --print-uris "$pkg" >"$log" 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		echo "no deb-src entry for $pkg and not root (run: sudo sh mk/enable-deb-src.sh)"
		exit 1
	fi
	if ! timeout 300 sh "$here/enable-deb-src.sh" >>"$log" 2>&1; then
		echo "mk/enable-deb-src.sh failed: $(tail -n 1 "$log")"
		exit 1
	fi
fi
# Download only, then unpack here: works without dpkg-dev too.
if ! (cd "$dest" && timeout 300 apt-get source --download-only "$pkg") >>"$log" 2>&1; then
	echo "apt-get source $pkg failed: $(tail -n 1 "$log")"
	exit 1
fi
if command -v dpkg-source >/dev/null; then
	# Applies Debian's patches (security fixes among them).
	(cd "$dest" && dpkg-source -x "$pkg"_*.dsc) >>"$log" 2>&1
else
	(cd "$dest" && tar -xf "$pkg"_*.orig.tar.*) >>"$log" 2>&1
fi
found && exit 0
echo "unpacking the $pkg source failed: $(tail -n 1 "$log")"
exit 1
