#!/bin/sh
# CLI tests for build/kiln: bad input, --dry-run, pack, build, run's exit
# statuses (on a stand-in loader, so they need no kernel).
#
#   BUILD=build sh tests/cli/run.sh      (from the repo root)
#
# Prints "PASS cli_<case>", "FAIL cli_<case>: <why>" or "SKIP cli_<case>:
# <why>" per case; exits non-zero when a case failed. Every error case
# checks exit status 2 and exactly one line on stderr. Packing uses
# $BUILD/kernel.elf when it exists, else a stand-in kernel
# (tests/cli/fake_kernel.c); the run cases boot tests/cli/fake_loader.c,
# which obeys the words after "--" on its command line.

BUILD=${BUILD:-build}
KILN=$BUILD/kiln
HOSTCC=${HOSTCC:-cc}
MUSL_GCC=${MUSL_GCC:-musl-gcc}
VM_TIMEOUT=30

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cli.XXXXXX") || exit 1
pid=
cleanup()
{
	# kiln passes the TERM on to its QEMU, and QEMU dies with kiln.
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
pass() { echo "PASS cli_$1"; }
skip() { echo "SKIP cli_$1: $2"; }
fail()
{
	echo "FAIL cli_$1: $2"
	for f in "$tmp/out" "$tmp/err"; do
		[ -s "$f" ] && sed 's/^/    | /' "$f" | head -n 20
	done
	failed=1
}

if [ ! -x "$KILN" ]; then
	echo "FAIL cli_kiln_built: $KILN missing (make $KILN)"
	exit 1
fi
# Run with a clean environment for the variables kiln reads.
unset KILN_LIBDIR KILN_QEMU HERMIT_VERBOSE CC

# kiln ARGS...: runs kiln bounded in time, stdin from /dev/null, output in
# $tmp/out and $tmp/err; sets rc. The PID is kept so cleanup can kill it.
kiln()
{
	timeout -k 5 "$VM_TIMEOUT" "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" \
		</dev/null &
	pid=$!
	wait "$pid"
	rc=$?
	pid=
}

# usage_error CASE WANT ARGS...: kiln must exit 2 with exactly one line on
# stderr, "kiln: ..." containing WANT.
usage_error()
{
	name=$1 want=$2
	shift 2
	kiln "$@"
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -ne 2 ]; then
		fail "$name" "exit status $rc, expected 2"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "$lines lines on stderr, expected 1"
	elif ! grep -q '^kiln: ' "$tmp/err"; then
		fail "$name" "stderr does not start with 'kiln: '"
	elif ! grep -qF -- "$want" "$tmp/err"; then
		fail "$name" "stderr lacks '$want'"
	else
		pass "$name"
	fi
}

# ---- bad input: exit 2, one line ----

usage_error missing_file "No such file or directory" pack "$tmp/nothere"
usage_error run_missing_file "No such file or directory" \
	run "$tmp/nothere.img"

printf 'not an ELF\n' >"$tmp/text"
usage_error not_elf "not an ELF file" pack "$tmp/text"
usage_error run_not_elf "not an ELF file" run "$tmp/text"

printf 'int main(void) { return 0; }\n' >"$tmp/tiny.c"
if "$HOSTCC" -o "$tmp/dynamic" "$tmp/tiny.c" 2>"$tmp/err"; then
	usage_error dynamic_elf "dynamically linked" pack "$tmp/dynamic" \
		-o "$tmp/dynamic.img"
	if [ -e "$tmp/dynamic.img" ] || [ -e "$tmp/dynamic.img.tmp" ]; then
		fail dynamic_elf_no_output "an image was written"
	else
		pass dynamic_elf_no_output
	fi
else
	skip dynamic_elf "$HOSTCC cannot build a dynamic program"
fi

# Any ELF will do as an image for option errors and --dry-run.
img=$tmp/any.img
cp "$KILN" "$img"
usage_error bad_size_suffix "bad size '4X'" run --mem 4X "$img"
usage_error size_below_minimum "below the minimum" run --mem 1M "$img"
usage_error size_negative "bad size '-1'" run --mem -1 "$img"
usage_error size_overflow "too large" run --mem 99999999999999999999G "$img"
usage_error bad_smp "'0' is not a number" run --smp 0 "$img"
usage_error bad_env "not KEY=VALUE" run --env NOEQUALS "$img"
HERMIT_VERBOSE=7
export HERMIT_VERBOSE
usage_error bad_hermit_verbose "HERMIT_VERBOSE" run "$img"
unset HERMIT_VERBOSE
usage_error unknown_option "--frob: unknown option" run --frob "$img"
usage_error missing_value "--mem: needs a value" run "$img" --mem
usage_error two_images "unexpected argument" run "$img" "$img"
usage_error unknown_verb "frob: unknown command" frob
usage_error pack_unknown_option "--frob: unknown option" pack --frob x

kiln
if [ "$rc" -eq 2 ] && grep -q '^usage: kiln' "$tmp/err" &&
	[ ! -s "$tmp/out" ]; then
	pass no_args_usage
else
	fail no_args_usage "status $rc, or no usage on stderr"
fi
kiln --help
if [ "$rc" -eq 0 ] && grep -q '^usage: kiln' "$tmp/out"; then
	pass help
else
	fail help "status $rc, or no usage on stdout"
fi
kiln help run
if [ "$rc" -eq 0 ] && grep -q -- '--dry-run' "$tmp/out"; then
	pass help_run
else
	fail help_run "status $rc, or no run usage on stdout"
fi

# ---- stand-ins for the loader and the kernel ----

fake=$tmp/lib
mkdir -p "$fake"
fake_loader=0
if "$HOSTCC" -m32 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-O2 -Wall -Wextra -Werror -nostdlib -static -no-pie \
	-Wl,--build-id=none -Wl,-N,--no-warn-rwx-segments \
	-Wl,-Ttext=0x100000 -o "$fake/loader.elf" tests/cli/fake_loader.c \
	2>"$tmp/err"; then
	fake_loader=1
else
	echo "cli: cannot build the stand-in loader:"
	sed 's/^/    | /' "$tmp/err" | head -n 5
fi

kernel=$BUILD/kernel.elf
kernel_dir=$BUILD
if [ ! -f "$kernel" ]; then
	echo "cli: $kernel not built yet; packing with a stand-in kernel"
	kernel=$fake/kernel.elf
	kernel_dir=$fake
	"$HOSTCC" -ffreestanding -nostdlib -static -no-pie -fno-pic \
		-mcmodel=kernel -fno-asynchronous-unwind-tables \
		-Wl,--build-id=none -Wl,-Ttext-segment=0xffffffff80000000 \
		-z max-page-size=4096 -Iinclude -o "$kernel" \
		tests/cli/fake_kernel.c 2>"$tmp/err" || kernel=
fi

# ---- --dry-run ----

# The reference system's shape, with this kiln's loader and a status file.
dry_run_case()
{
	name=$1 loader=$2
	shift 2
	kiln run --dry-run "$@" "$img" -- a "b c"
	want="qemu-system-x86_64 -kernel $loader -initrd $img -serial stdio"
	want="$want -display none -smp 1 -m 64M"
	want="$want -cpu qemu64,apic,fsgsbase,rdtscp,xsave,fxsr -accel tcg"
	want="$want -M pc -nodefaults -no-reboot"
	want="$want -device isa-debug-exit,iobase=0xf4,iosize=0x04"
	want="$want -serial file:"
	tail="-append '-- a \"b c\"'"
	line=$(cat "$tmp/out")
	if [ "$rc" -ne 0 ]; then
		fail "$name" "exit status $rc"
	elif [ "$(wc -l <"$tmp/out")" -ne 1 ]; then
		fail "$name" "not one line"
	else
		case $line in
		"$want"*" $tail") pass "$name" ;;
		*) fail "$name" "unexpected command: $line" ;;
		esac
	fi
}

if [ -f "$BUILD/loader.elf" ]; then
	# The build tree: build/kiln finds build/loader.elf beside it.
	dry_run_case dry_run_shape "$(cd "$BUILD" && pwd -P)/loader.elf"
elif [ "$fake_loader" = 1 ]; then
	KILN_LIBDIR=$fake
	export KILN_LIBDIR
	dry_run_case dry_run_shape "$fake/loader.elf"
	unset KILN_LIBDIR
else
	skip dry_run_shape "no loader"
fi

# ---- pack ----

if [ -z "$kernel" ]; then
	skip pack_reproducible "no kernel"
elif ! "$MUSL_GCC" -static -O2 -o "$tmp/tiny" "$tmp/tiny.c" 2>"$tmp/err"
then
	skip pack_reproducible "$MUSL_GCC cannot build a static program"
else
	KILN_LIBDIR=$kernel_dir
	export KILN_LIBDIR
	kiln pack "$tmp/tiny" -o "$tmp/a.img"
	rc_a=$rc
	kiln pack "$tmp/tiny" -o "$tmp/b.img"
	if [ "$rc_a" -ne 0 ] || [ "$rc" -ne 0 ]; then
		fail pack_reproducible "kiln pack failed"
	elif ! cmp -s "$tmp/a.img" "$tmp/b.img"; then
		fail pack_reproducible "two packs differ"
	elif [ -e "$tmp/a.img.tmp" ]; then
		fail pack_reproducible "left a.img.tmp behind"
	else
		pass pack_reproducible
	fi

	# The default output name, and the application inside it intact.
	kiln pack "$tmp/tiny"
	if [ "$rc" -ne 0 ] || ! cmp -s "$tmp/tiny.img" "$tmp/a.img"; then
		fail pack_default_output "no $tmp/tiny.img, or it differs"
	elif command -v objcopy >/dev/null &&
		! { objcopy --dump-section .kiln.app="$tmp/app.bin" \
			"$tmp/a.img" "$tmp/scratch.img" 2>/dev/null &&
			cmp -s "$tmp/app.bin" "$tmp/tiny"; }; then
		fail pack_default_output ".kiln.app differs from the program"
	else
		pass pack_default_output
	fi

	# ---- build ----
	printf '#include <stdio.h>\nint main(void) { puts("hi"); }\n' \
		>"$tmp/hello.c"
	kiln build "$tmp/hello.c" -o "$tmp/hello.img"
	if [ "$rc" -ne 0 ]; then
		fail build "exit status $rc"
	elif ! grep -q 'hello' "$tmp/hello.img" ||
		! grep -q 'KILN' "$tmp/hello.img"; then
		fail build "image lacks the name or the descriptor"
	else
		pass build
	fi
	kiln build "$tmp/hello.c"
	if [ "$rc" -eq 0 ] && [ -f "$tmp/hello.img" ]; then
		pass build_default_output
	else
		fail build_default_output "no $tmp/hello.img"
	fi
	usage_error build_missing_compiler "compiler not found" \
		build --cc "$tmp/no-such-cc" "$tmp/hello.c"
	usage_error build_missing_source "No such file or directory" \
		build "$tmp/nothere.c"
	printf 'int main(void) { return }\n' >"$tmp/broken.c"
	kiln build "$tmp/broken.c" -o "$tmp/broken.img"
	if [ "$rc" -eq 2 ] &&
		[ "$(tail -n 1 "$tmp/err")" = "kiln: $MUSL_GCC: compilation failed" ] &&
		[ ! -e "$tmp/broken.img" ]; then
		pass build_compile_error
	else
		fail build_compile_error "status $rc, or wrong last line"
	fi

	# ---- root file system: bad input ----
	usage_error rootfs_missing "nothere: No such file or directory" \
		pack "$tmp/tiny" --rootfs "$tmp/nothere" -o "$tmp/r.img"
	usage_error rootfs_not_dir_or_cpio "not a directory or a newc cpio" \
		pack "$tmp/tiny" --rootfs "$tmp/tiny.c" -o "$tmp/r.img"
	usage_error file_without_dest "not SRC:DEST" \
		pack "$tmp/tiny" --file "$tmp/tiny.c" -o "$tmp/r.img"
	usage_error file_relative_dest "DEST must be an absolute path" \
		pack "$tmp/tiny" --file "$tmp/tiny.c:etc/x" -o "$tmp/r.img"
	usage_error file_missing_source "No such file or directory" \
		pack "$tmp/tiny" --file "$tmp/nothere:/x" -o "$tmp/r.img"
	usage_error build_file_without_dest "not SRC:DEST" \
		build "$tmp/hello.c" --file "$tmp/tiny.c" -o "$tmp/r.img"
	mkdir -p "$tmp/root/etc"
	mkfifo "$tmp/root/etc/fifo"
	usage_error rootfs_fifo "a fifo" \
		pack "$tmp/tiny" --rootfs "$tmp/root" -o "$tmp/r.img"
	rm "$tmp/root/etc/fifo"
	{ printf '070701'; head -c 120 /dev/zero | tr '\0' g; } >"$tmp/bad.cpio"
	usage_error rootfs_bad_cpio "bad.cpio: header field is not 8 hex" \
		pack "$tmp/tiny" --rootfs "$tmp/bad.cpio" -o "$tmp/r.img"
	if [ -e "$tmp/r.img" ]; then
		fail rootfs_errors_no_output "an image was written"
	else
		pass rootfs_errors_no_output
	fi

	# ---- root file system: reproducible, and an image too big to run ----
	printf 'x\n' >"$tmp/root/etc/x.conf"
	ln -s x.conf "$tmp/root/etc/link"
	kiln pack "$tmp/tiny" --rootfs "$tmp/root" --file "$tmp/tiny.c:/src/" \
		-o "$tmp/r1.img"
	rc1=$rc
	touch "$tmp/root/etc/x.conf" "$tmp/tiny.c"
	kiln pack "$tmp/tiny" --rootfs "$tmp/root" --file "$tmp/tiny.c:/src/" \
		-o "$tmp/r2.img"
	if [ "$rc1" -ne 0 ] || [ "$rc" -ne 0 ]; then
		fail rootfs_reproducible "kiln pack failed"
	elif ! cmp -s "$tmp/r1.img" "$tmp/r2.img"; then
		fail rootfs_reproducible "two packs differ"
	else
		pass rootfs_reproducible
	fi
	head -c 2500000 /dev/urandom >"$tmp/root/big"
	kiln pack "$tmp/tiny" --rootfs "$tmp/root" -o "$tmp/big.img"
	if [ "$rc" -ne 0 ]; then
		fail image_larger_than_mem "kiln pack failed"
	else
		usage_error image_larger_than_mem \
			"big.img: image is 3 MiB, guest memory 2 MiB" \
			run --mem 2M "$tmp/big.img"
	fi
	unset KILN_LIBDIR
fi

# ---- run: exit statuses, on the stand-in loader ----

if [ "$fake_loader" != 1 ]; then
	skip run_status "no stand-in loader"
	exit $failed
fi
KILN_LIBDIR=$fake
export KILN_LIBDIR

# run_case CASE WANT_STATUS [kiln run options...] -- ORDERS...
run_case()
{
	name=$1 want=$2
	shift 2
	kiln run "$@"
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit status $rc, expected $want"
		return 1
	fi
	return 0
}

run_case run_status_line 42 "$img" -- exit 42 && pass run_status_line
run_case run_status_line_8bit 200 "$img" -- exit 200 &&
	pass run_status_line_8bit
run_case run_debug_exit 7 "$img" -- debugexit 7 && pass run_debug_exit
if run_case run_no_status 125 "$img" -- triple; then
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q 'guest stopped without reporting an exit status' \
			"$tmp/err"; then
		pass run_no_status
	else
		fail run_no_status "no one-line explanation on stderr"
	fi
fi
run_case run_timeout 124 --timeout 1 "$img" -- hang && pass run_timeout

# The command line as the loader receives it from QEMU.
if run_case run_cmdline 0 --verbose --env 'A=x y' "$img" -- echo 'b c' '' \
	'd"e\f'; then
	want='-- echo "b c" "" "d\"e\\f"'
	want="verbose=2 \"env=A=x y\" $want"
	if grep -qxF "cmdline: $fake/loader.elf $want" "$tmp/out"; then
		pass run_cmdline
	else
		fail run_cmdline "loader saw: $(grep cmdline: "$tmp/out")"
	fi
fi

# A comma in the image's path, doubled for QEMU's -initrd.
cp "$img" "$tmp/a,b.img"
if run_case run_comma_path 0 "$tmp/a,b.img" -- echo; then
	if grep -qxF "module: $tmp/a,b.img" "$tmp/out"; then
		pass run_comma_path
	else
		fail run_comma_path "loader saw: $(grep module: "$tmp/out")"
	fi
fi

# With fd 0 closed (CI), QEMU's -serial stdio still works.
timeout -k 5 "$VM_TIMEOUT" "$KILN" run "$img" -- exit 3 \
	>"$tmp/out" 2>"$tmp/err" <&- &
pid=$!
wait "$pid"
rc=$?
pid=
if [ "$rc" -eq 3 ]; then
	pass run_stdin_closed
else
	fail run_stdin_closed "exit status $rc, expected 3"
fi

# Input errors found once options are read: these need some loader.
usage_error long_cmdline "kernel command line" run --dry-run "$img" -- \
	"$(head -c 5000 /dev/zero | tr '\0' a)"
cp "$img" "$tmp/a b.img"
usage_error space_in_image_path "contains a space" run "$tmp/a b.img"

KILN_QEMU=$tmp/no-such-qemu
export KILN_QEMU
usage_error run_missing_qemu "not found" run "$img" -- exit 0
unset KILN_QEMU

if ls "${TMPDIR:-/tmp}"/kiln-status.* >/dev/null 2>&1; then
	echo "cli: note: kiln-status files in ${TMPDIR:-/tmp} (another run?)"
fi
exit $failed
