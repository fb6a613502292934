#!/bin/sh
# Check for the Debian packages kiln needs; install them when root.
set -e
need=""
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || need="$need qemu-system-x86"
have musl-gcc || need="$need musl-tools musl-dev"
have cc || need="$need gcc"
have make || need="$need make"
have cpio || need="$need cpio"
have objcopy || need="$need binutils"
# lwIP is built from its Debian source package (mk/debsrc.sh).
have dpkg-source || need="$need dpkg-dev"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "kiln: installing:$need"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
else
	echo "kiln: missing packages; run: sudo apt-get install -y$need" >&2
	exit 1
fi
