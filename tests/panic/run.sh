#!/bin/bash
# A ring-0 fault in the kernel: one panic report (vector, error code, RIP,
# CR2, CPU, thread), registers, a symbolised backtrace, and kiln run exits
# with 125. Uses the real kernel objects with exec replaced
# (tests/panic/build.mk), booted through the real loader and kiln run.
set -u
BUILD=${BUILD:-build}
dir=$BUILD/tests/panic
lib=$dir/libdir
out=$dir/out
mkdir -p "$lib"
cp "$BUILD/loader.elf" "$lib/loader.elf"
cp "$dir/kernel.elf" "$lib/kernel.elf"
printf 'int main(void){return 0;}\n' >"$dir/app.c"
musl-gcc -static -O2 -o "$dir/app" "$dir/app.c" || { echo "FAIL panic_build: musl-gcc"; exit 0; }
KILN_LIBDIR=$lib "$BUILD/kiln" pack "$dir/app" -o "$dir/panic.img" ||
	{ echo "FAIL panic_pack: kiln pack"; exit 0; }

KILN_LIBDIR=$lib timeout -k 5 30 "$BUILD/kiln" run "$dir/panic.img" </dev/null >"$out" 2>&1 &
pid=$!
wait $pid
st=$?
kill -9 $pid 2>/dev/null

check() { # name, grep -E pattern
	if grep -qE "$2" "$out"; then
		echo "PASS panic_$1"
	else
		echo "FAIL panic_$1: no line matching '$2'"
		sed 's/^/    | /' "$out" | tail -20
	fi
}
if [ "$st" = 125 ]; then echo "PASS panic_status"; else echo "FAIL panic_status: status $st, expected 125"; fi
check header 'kernel panic: #PF page fault \(vector 14\), error 0x[0-9a-f]+, rip 0xffffffff8[0-9a-f]+, cr2 0xffff8fffdead0000, cpu 0, thread [^ ]+'
check registers 'PANIC\] rip ffffffff8[0-9a-f]+ rflags'
check backtrace_fault '#0 0x[0-9a-f]+ panic_test_write\+0x'
check backtrace_caller '#[12] 0x[0-9a-f]+ (exec_start_app|kmain)\+0x'
n=$(grep -c 'kernel panic:' "$out")
if [ "$n" = 1 ]; then echo "PASS panic_one_report"; else echo "FAIL panic_one_report: $n reports"; fi
