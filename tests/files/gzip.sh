#!/bin/bash
# Debian's gzip, unmodified, built static with musl and booted on kiln.
#
#   BUILD=build bash tests/files/gzip.sh      (tests/files/run.sh runs it)
#
# The design: kiln runs one process per boot and has no exec, so there is
# no shell in the guest to pipe gzip into gzip. Each boot runs gzip once on
# files from the root file system, and the bytes travel through the
# console, which is 8-bit clean (the kernel never translates LF to CRLF for
# the application; the host side of QEMU's -serial stdio writes to a file
# here, untouched). With HERMIT_VERBOSE=0 the kernel prints nothing, so the
# console holds the loader's "[LOADER] " lines and then exactly what gzip
# wrote; those leading lines are cut with tail, which is binary-safe. The
# rootfs holds /data/in (~200 KiB of text and random bytes) and /data/in.gz
# (compressed on the host). Three boots:
#   gzip -9 -n -c /data/in   its output must decompress on the host to
#                            /data/in (sha256), and equal the same gzip's
#                            output on the host byte for byte;
#   gzip -d -c /data/in.gz   its output's sha256 must be /data/in's;
#   gzip -t /data/in.gz      exit status 0.
# The source comes from `apt-get source gzip` into $BUILD/src/gzip (once);
# the build is cached in $BUILD/tests/gzip. Without the source: SKIP
# gzip_build.

cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$PWD/$BUILD ;;
esac
KILN=$BUILD/kiln
SRC=$BUILD/src/gzip
WORK=$BUILD/tests/gzip
GZ=$WORK/build/gzip
MUSL_GCC=${MUSL_GCC:-musl-gcc}
. tests/boot/lib.sh
trap stop_bounded INT TERM
mkdir -p "$SRC" "$WORK"

# fetch: the unpacked source tree into $SRC (prints its path), or returns 1
# with the reason on stdout.
fetch()
{
	local dir
	dir=$(sh mk/debsrc.sh gzip "$SRC" gzip.c) || { echo "$dir"; return 1; }
	# Debian's patches touch configure.ac (only to drop -Werror from an
	# option we do not use): keep make from asking for autotools.
	touch -r "$dir/aclocal.m4" "$dir/configure.ac"
	echo "$dir"
}

# build DIR: configure out of tree with musl-gcc, static; the info manual
# is not needed (MAKEINFO=true).
build()
{
	local dir=$1 b=$WORK/build
	if [ -x "$GZ" ] && [ -z "$(find "$dir" -newer "$GZ" -name '*.[ch]')" ]; then
		return 0
	fi
	rm -rf "$b"
	mkdir -p "$b"
	(cd "$b" && "$dir/configure" CC="$MUSL_GCC" LDFLAGS=-static \
		--disable-dependency-tracking &&
		make -j"$(nproc)" MAKEINFO=true) >"$WORK/build.log" 2>&1
}

# app_bytes OUT FILE: the guest's console output less its leading
# "[LOADER] " lines, byte for byte.
app_bytes()
{
	local n
	n=$(awk '!/^\[LOADER\] / { print NR - 1; f = 1; exit }
		END { if (!f) print NR }' "$1")
	tail -n +"$((${n:-0} + 1))" "$1" >"$2"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# boot NAME ARGS...: gzip ARGS in the guest, quiet; sets st, output in
# $WORK/NAME.out (all) and $WORK/NAME.bin (gzip's bytes).
boot()
{
	local name=$1
	shift
	HERMIT_VERBOSE=0 run_bounded 120 "$WORK/$name.out" null "$KILN" run \
		"$WORK/gzip.img" -- "$@"
	st=$?
	app_bytes "$WORK/$name.out" "$WORK/$name.bin"
}

if ! dir=$(fetch); then
	echo "SKIP gzip_build: $dir"
	exit 0
fi
if ! build "$dir"; then
	echo "FAIL gzip_build: $(grep -m1 -E 'error' "$WORK/build.log")"
	tail -n 10 "$WORK/build.log" | sed 's/^/    | /'
	exit 1
fi
echo "PASS gzip_build"

# The host's own gzip checks ours where there is one.
HOST_GZ=$(command -v gzip || echo "$GZ")
FS=$WORK/rootfs
rm -rf "$FS"
mkdir -p "$FS/data"
{
	awk 'BEGIN { for (i = 0; i < 3000; i++)
		printf "%05d the quick brown fox jumps over the lazy dog\n", i }'
	head -c 65536 /dev/urandom
	seq 1 8000
} >"$FS/data/in"
"$HOST_GZ" -9 -n -c "$FS/data/in" >"$FS/data/in.gz"
want=$(sha "$FS/data/in")
if ! "$KILN" pack "$GZ" --rootfs "$FS" -o "$WORK/gzip.img" \
	>"$WORK/pack.log" 2>&1; then
	echo "FAIL gzip_pack: $(head -n 1 "$WORK/pack.log")"
	exit 1
fi
failed=0
fail()
{
	echo "FAIL gzip_$1: $2"
	tail -n 5 "$WORK/$1.out" | cut -c 1-200 | sed 's/^/    | /'
	failed=1
}

boot compress -9 -n -c /data/in
"$GZ" -9 -n -c "$FS/data/in" >"$WORK/compress.host"
if [ "$st" -ne 0 ]; then
	fail compress "exit status $st"
elif ! "$HOST_GZ" -d -c <"$WORK/compress.bin" >"$WORK/compress.plain" \
	2>"$WORK/compress.err"; then
	fail compress "the guest's output does not decompress: $(head -n 1 "$WORK/compress.err")"
elif [ "$(sha "$WORK/compress.plain")" != "$want" ]; then
	fail compress "decompressed sha256 differs from /data/in's"
elif ! cmp -s "$WORK/compress.bin" "$WORK/compress.host"; then
	fail compress "decompresses right, but differs from the host run's bytes"
else
	echo "PASS gzip_compress"
fi

boot decompress -d -c /data/in.gz
if [ "$st" -ne 0 ]; then
	fail decompress "exit status $st"
elif [ "$(sha "$WORK/decompress.bin")" != "$want" ]; then
	fail decompress "sha256 $(sha "$WORK/decompress.bin"), /data/in has $want"
else
	echo "PASS gzip_decompress"
fi

boot test -t /data/in.gz
if [ "$st" -ne 0 ] || [ -s "$WORK/test.bin" ]; then
	fail test "exit status $st, output $(wc -c <"$WORK/test.bin") bytes"
else
	echo "PASS gzip_test"
fi
exit $failed
