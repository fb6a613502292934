#!/bin/sh
# The bench's own set-up (mk/deps.sh style): Debian packages the bench needs
# beyond the build's. Installs them when root, else prints the apt-get line.
# The bench runs either way; a figure that needs a missing tool says FAIL.
need=""
have() { command -v "$1" >/dev/null 2>&1; }
have gnuplot || need="$need gnuplot-nox"
have cpio || need="$need cpio"
have gzip || need="$need gzip"
have strip || need="$need binutils"
have dpkg-deb || need="$need dpkg"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "bench: installing:$need" >&2
	apt-get update -qq >/dev/null 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1 ||
		echo "bench: could not install$need" >&2
else
	echo "bench: missing packages; run: sudo apt-get install -y$need" >&2
fi
exit 0
