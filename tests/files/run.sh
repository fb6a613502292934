#!/bin/bash
# Files (issue 4), booted: the file system calls beside a host run, the
# guest's device and proc nodes, a malformed root file system at boot.
#
#   BUILD=build bash tests/files/run.sh
#
# fsops (tests/files/fsops.c) is one static musl program that exercises
# every file system call and prints one line per step. It runs twice, the
# same binary: as a host process on a copy of a small tree this script
# makes, and in the guest with that tree packed as its root file system
# (kiln pack --rootfs). Section by section the two outputs must be equal:
# PASS files_fsops_<section>, or FAIL with the first line that differs.
# devproc (tests/files/devproc.c) checks what only the guest has (/dev,
# /proc, /sys, synthesized /etc/hosts) and prints "ok NAME" or "not ok
# NAME: why", turned here into PASS/FAIL files_NAME. Then a root file
# system with one byte changed must stop the boot (status 126), and
# tests/files/gzip.sh runs Debian's gzip on files from the root.

cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$PWD/$BUILD ;;
esac
KILN=$BUILD/kiln
WORK=$BUILD/tests/files
MUSL_GCC=${MUSL_GCC:-musl-gcc}
VM_TIMEOUT=120
. tests/boot/lib.sh
trap stop_bounded INT TERM
rm -rf "$WORK"
mkdir -p "$WORK"

failed=0
fail()
{
	echo "FAIL files_$1: $2"
	failed=1
}

# The tree both runs see: nested directories, relative and absolute
# symlinks, a 100 KiB file, an empty one, an executable.
make_tree()
{
	local t=$1
	mkdir -p "$t/etc" "$t/data/nested/deeper" "$t/bin"
	printf 'port=8080\n' >"$t/etc/site.conf"
	awk 'BEGIN { for (i = 0; i < 4000; i++)
		printf "line %05d: the quick brown fox\n", i }' |
		head -c 102400 >"$t/data/big"
	: >"$t/data/empty"
	echo leaf >"$t/data/nested/deeper/leaf.txt"
	ln -s big "$t/data/link"
	ln -s nested "$t/data/dirlink"
	ln -s /etc/site.conf "$t/data/abs"
	printf '#!/bin/sh\necho hi\n' >"$t/bin/run.sh"
	chmod 755 "$t/bin/run.sh"
}

# guest_lines FILE: the console output without the loader's and the
# kernel's own lines.
guest_lines()
{
	sed 's/\r$//' "$1" | grep -Ev '^\[(LOADER|[0-9]+)\]'
}

# sections FILE: the section names, in order.
sections()
{
	sed -n 's/^== //p' "$1"
}

# section FILE NAME: the lines of one section.
section()
{
	awk -v s="$2" '/^== / { on = ($2 == s); next } on' "$1"
}

# compare HOST GUEST STATUS: one result per section of the host's output.
compare()
{
	local host=$1 guest=$2 status=$3 s diffline
	for s in $(sections "$host"); do
		[ "$s" = end ] && continue
		if ! grep -qx "== $s" "$guest"; then
			fail fsops_run "the guest stopped before section $s (status $status)"
			tail -n 15 "$WORK/fsops.guest" | sed 's/^/    | /'
			return
		fi
		section "$host" "$s" >"$WORK/host.$s"
		section "$guest" "$s" >"$WORK/guest.$s"
		if cmp -s "$WORK/host.$s" "$WORK/guest.$s"; then
			echo "PASS files_fsops_$s"
			continue
		fi
		diffline=$(diff "$WORK/host.$s" "$WORK/guest.$s" |
			grep -m 2 '^[<>]' | tr '\n' ' ')
		fail "fsops_$s" "host and guest differ: $diffline"
	done
	if [ "$status" -ne 0 ]; then
		fail fsops_status "guest exit status $status, host 0"
	elif ! grep -qx '== end' "$guest"; then
		fail fsops_status "the guest's output has no end"
	else
		echo "PASS files_fsops_status"
	fi
}

if ! command -v "$MUSL_GCC" >/dev/null; then
	echo "SKIP files_fsops: $MUSL_GCC not installed"
	exit 0
fi
for p in fsops devproc; do
	if ! build_guest "tests/files/$p.c" "$WORK/$p" -Wall -Wextra -Werror \
		>"$WORK/$p.build" 2>&1; then
		fail "${p}_build" "$(head -n 1 "$WORK/$p.build")"
		exit 1
	fi
done

# ---- fsops: the host, then the guest ----
make_tree "$WORK/tree"
cp -a "$WORK/tree" "$WORK/host-root"
"$WORK/fsops" "$WORK/host-root" "$WORK/host-scratch" >"$WORK/fsops.host" \
	2>&1 </dev/null
hst=$?
if [ "$hst" -ne 0 ]; then
	fail fsops_host "the host run exited $hst: $(tail -n 1 "$WORK/fsops.host")"
	exit 1
fi
if ! "$KILN" pack "$WORK/fsops" --rootfs "$WORK/tree" -o "$WORK/fsops.img" \
	>"$WORK/pack.log" 2>&1; then
	fail fsops_pack "$(head -n 1 "$WORK/pack.log")"
	exit 1
fi
run_bounded "$VM_TIMEOUT" "$WORK/fsops.guest" null "$KILN" run \
	"$WORK/fsops.img" -- / /tmp/fsops
gst=$?
guest_lines "$WORK/fsops.guest" >"$WORK/fsops.guest.app"
compare "$WORK/fsops.host" "$WORK/fsops.guest.app" "$gst"

# ---- the same tree as a newc archive made by GNU cpio ----
# `find . | cpio -o -H newc` writes "." and "./name" entries and the host's
# owners: kiln takes the archive as it is, and the guest must see the same
# files as from the directory.
if ! command -v cpio >/dev/null; then
	echo "SKIP files_rootfs_from_cpio: cpio not installed"
elif ! (cd "$WORK/tree" && find . | LC_ALL=C sort |
	cpio --quiet -o -H newc >"$WORK/tree.cpio") ||
	! "$KILN" pack "$WORK/fsops" --rootfs "$WORK/tree.cpio" \
		-o "$WORK/fsops-cpio.img" >"$WORK/pack.log" 2>&1; then
	fail rootfs_from_cpio "cannot pack: $(head -n 1 "$WORK/pack.log")"
else
	run_bounded "$VM_TIMEOUT" "$WORK/cpio.guest" null "$KILN" run \
		"$WORK/fsops-cpio.img" -- / /tmp/fsops
	st=$?
	guest_lines "$WORK/cpio.guest" >"$WORK/cpio.guest.app"
	section "$WORK/fsops.host" rootfs >"$WORK/host.rootfs"
	section "$WORK/cpio.guest.app" rootfs >"$WORK/cpio.rootfs"
	if [ "$st" -ne 0 ]; then
		fail rootfs_from_cpio "exit status $st"
	elif ! cmp -s "$WORK/host.rootfs" "$WORK/cpio.rootfs"; then
		fail rootfs_from_cpio "section rootfs differs: $(diff \
			"$WORK/host.rootfs" "$WORK/cpio.rootfs" |
			grep -m 2 '^[<>]' | tr '\n' ' ')"
	else
		echo "PASS files_rootfs_from_cpio"
	fi
fi

# ---- devproc: what only the guest has ----
if "$KILN" pack "$WORK/devproc" --rootfs "$WORK/tree" \
	-o "$WORK/devproc.img" >"$WORK/pack.log" 2>&1; then
	run_bounded "$VM_TIMEOUT" "$WORK/devproc.guest" null "$KILN" run \
		"$WORK/devproc.img" -- 1
	st=$?
	guest_lines "$WORK/devproc.guest" >"$WORK/devproc.app"
	sed -n 's/^ok /PASS files_/p; s/^not ok /FAIL files_/p' \
		"$WORK/devproc.app"
	grep -q '^not ok ' "$WORK/devproc.app" && failed=1
	if ! grep -qx 'via /dev/console' "$WORK/devproc.app" ||
		! grep -qx 'via /dev/stdout' "$WORK/devproc.app"; then
		fail dev_console_output "no 'via /dev/console' or 'via /dev/stdout' line"
	fi
	if [ "$st" -ne 0 ] && ! grep -q '^not ok ' "$WORK/devproc.app"; then
		fail devproc_status "exit status $st"
		tail -n 15 "$WORK/devproc.guest" | sed 's/^/    | /'
	fi
else
	fail devproc_pack "$(head -n 1 "$WORK/pack.log")"
fi

# ---- a malformed root file system at boot ----
# One byte of the packed archive changed: the kernel must refuse it with
# one line and status 126, as it refuses a bad application.
off=$(readelf -SW "$WORK/devproc.img" 2>/dev/null |
	awk '$2 == ".kiln.rootfs" { print $5 }')
if [ -z "$off" ]; then
	fail rootfs_malformed_boot "no .kiln.rootfs section in devproc.img"
else
	cp "$WORK/devproc.img" "$WORK/badfs.img"
	# The 7th byte: the first hex digit of the first entry's inode field.
	printf 'x' | dd of="$WORK/badfs.img" bs=1 seek=$((0x$off + 6)) \
		conv=notrunc status=none
	run_bounded "$VM_TIMEOUT" "$WORK/badfs.out" null "$KILN" run \
		"$WORK/badfs.img"
	st=$?
	n=$(grep -c '^\[0\]\[ERROR\] root file system: ' "$WORK/badfs.out")
	if [ "$st" -ne 126 ]; then
		fail rootfs_malformed_boot "exit status $st, expected 126"
		tail -n 8 "$WORK/badfs.out" | sed 's/^/    | /'
	elif [ "$n" -ne 1 ]; then
		fail rootfs_malformed_boot "$n '[0][ERROR] root file system:' lines, expected 1"
		tail -n 8 "$WORK/badfs.out" | sed 's/^/    | /'
	elif grep -q '^ok ' "$WORK/badfs.out"; then
		fail rootfs_malformed_boot "the application ran"
	else
		echo "PASS files_rootfs_malformed_boot"
	fi
fi

# ---- Debian's gzip, round trips through the console ----
bash tests/files/gzip.sh || failed=1

exit $failed
