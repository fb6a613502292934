#!/bin/bash
# Booted tests: build each guest in tests/boot/ and tests/hostile/, boot it
# with `kiln run`, check the output against its expect file (see README).
#
#   BUILD=build bash tests/boot/run.sh [NAME...]    NAME: boot_hello or hello
#
# Prints "PASS boot_<name>" or "FAIL boot_<name>: <first failed check>" and,
# on failure, the last 20 lines of output. BOOT_JOBS tests run at once
# (default 2); each test's output is printed whole, in name order.

cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$PWD/$BUILD ;;
esac
export BUILD
export KILN=$BUILD/kiln
export LOADER=$BUILD/loader.elf
export BOOT_LIB=$PWD/tests/boot/lib.sh
OUT=$BUILD/tests/boot
JOBS=${BOOT_JOBS:-2}
. "$BOOT_LIB"
export MUSL_GCC QEMU MUSL_LIB

# split_words TEXT: the words of TEXT, shell-quoted ("b c", '', ...), each
# followed by a NUL. xargs does the quote removal, so nothing is evaluated.
split_words()
{
	printf '%s\n' "$1" | xargs -r printf '%s\0'
}

# check_output NAME STATUS OUTFILE: applies the output and status
# directives; prints the first failed check and returns 1, or returns 0.
check_output()
{
	local rc=$2 out=$3 d arg n re
	if [ -n "$want_status" ]; then
		if [ "$rc" = 124 ] && [ "$want_status" != 124 ]; then
			echo "timed out after ${timeout}s"
			return 1
		fi
		case $want_status in
		nonzero)
			if [ "$rc" = 0 ]; then
				echo "status 0, expected non-zero"
				return 1
			fi
			;;
		*)
			if [ "$rc" != "$want_status" ]; then
				echo "status $rc, expected $want_status"
				return 1
			fi
			;;
		esac
	fi
	for d in "${checks[@]}"; do
		arg=${d#* }
		case $d in
		line\ *)
			grep -Fxq -- "$arg" "$out" ||
				{ echo "no line '$arg'"; return 1; }
			;;
		match\ *)
			grep -Eq -- "$arg" "$out" ||
				{ echo "no line matching '$arg'"; return 1; }
			;;
		absent\ *)
			! grep -Fq -- "$arg" "$out" ||
				{ echo "unexpected '$arg' in output"; return 1; }
			;;
		count\ *)
			n=${arg%% *}
			re=${arg#* }
			[ "$(grep -Ec -- "$re" "$out")" = "$n" ] || {
				echo "$(grep -Ec -- "$re" "$out") lines matching '$re', expected $n"
				return 1
			}
			;;
		esac
	done
	return 0
}

# parse_expect FILE: fills the directive variables; prints an error and
# returns 1 on an unknown directive.
parse_expect()
{
	local line key rest lineno=0
	want_status="" timeout=30 stdin=null src="" custom=""
	checks=() args=() kiln_flags=() pack_flags=() cc_flags=()
	have_args=0
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		line=${line%$'\r'}
		case $line in
		'' | '#'*) continue ;;
		esac
		key=${line%% *}
		rest=""
		[ "$key" != "$line" ] && rest=${line#* }
		case $key in
		status) want_status=$rest ;;
		line | match | absent | count) checks+=("$key $rest") ;;
		args)
			have_args=1
			mapfile -d '' -t args < <(split_words "$rest")
			;;
		kiln) mapfile -d '' -t -O ${#kiln_flags[@]} kiln_flags \
			< <(split_words "$rest") ;;
		pack) mapfile -d '' -t -O ${#pack_flags[@]} pack_flags \
			< <(split_words "$rest") ;;
		cc) mapfile -d '' -t -O ${#cc_flags[@]} cc_flags \
			< <(split_words "$rest") ;;
		timeout) timeout=$rest ;;
		stdin) stdin=$rest ;;
		src) src=$rest ;;
		*)
			echo "expect:$lineno: unknown directive '$key'"
			return 1
			;;
		esac
	done <"$1"
	case $timeout in
	'' | *[!0-9]*) echo "expect: bad timeout '$timeout'"; return 1 ;;
	esac
	case $stdin in
	null | none) ;;
	*) echo "expect: bad stdin '$stdin'"; return 1 ;;
	esac
	return 0
}

# run_test DIR NAME: builds, packs and boots one guest; writes the report
# (result line, then the output tail on failure) to $OUT/NAME/report.
run_test()
{
	local dir=$1 name=$2 work=$OUT/$2 why rc srcfile f
	rm -rf "$work"
	mkdir -p "$work"
	exec >"$work/report.tmp" 2>&1
	trap stop_bounded INT TERM
	if ! parse_expect "$dir/expect" >"$work/expect.err"; then
		echo "FAIL $name: $(cat "$work/expect.err")"
		mv "$work/report.tmp" "$work/report"
		return
	fi
	why=""
	if [ ! -x "$KILN" ]; then
		why="build/kiln missing"
	elif [ -f "$dir/run" ]; then
		# A test that needs more than build-pack-run says how in a
		# script; its output and status are checked the same way.
		WORK=$work TESTDIR=$PWD/$dir TIMEOUT=$timeout \
			run_bounded "$((timeout * 3))" "$work/output" "$stdin" \
			bash "$dir/run"
		rc=$?
	else
		srcfile=$dir/main.c
		[ -n "$src" ] && srcfile=$(dirname "$dir")/$src/main.c
		if ! build_guest "$srcfile" "$work/prog" "${cc_flags[@]}" \
			>"$work/cc.log" 2>&1; then
			why="compile failed: $(grep -m1 -E 'error|undefined' "$work/cc.log")"
		elif ! "$KILN" pack "${pack_flags[@]}" "$work/prog" \
			-o "$work/prog.img" >"$work/pack.log" 2>&1; then
			why="kiln pack failed: $(head -n 1 "$work/pack.log")"
		else
			if [ "$have_args" = 1 ]; then
				run_bounded "$timeout" "$work/output" "$stdin" \
					"$KILN" run "${kiln_flags[@]}" \
					"$work/prog.img" -- "${args[@]}"
			else
				run_bounded "$timeout" "$work/output" "$stdin" \
					"$KILN" run "${kiln_flags[@]}" \
					"$work/prog.img"
			fi
			rc=$?
		fi
	fi
	if [ -z "$why" ]; then
		sed -i 's/\r$//' "$work/output"
		why=$(check_output "$name" "$rc" "$work/output") && why=""
	fi
	if [ -z "$why" ]; then
		echo "PASS $name"
	else
		echo "FAIL $name: $why"
		for f in cc.log pack.log output; do
			[ -s "$work/$f" ] || continue
			echo "    --- last 20 lines of $f:"
			tail -n 20 "$work/$f" | sed 's/^/    | /'
		done
	fi
	mv "$work/report.tmp" "$work/report"
}

# The test list: every folder with an expect file (a folder with a main.c
# or run script but no expect file is reported).
dirs=()
names=()
failed=0
for d in tests/boot/*/ tests/hostile/*/; do
	[ -d "$d" ] || continue
	d=${d%/}
	group=${d#tests/}
	group=${group%%/*}
	n=${group}_${d##*/}
	if [ $# -gt 0 ]; then
		keep=0
		for a in "$@"; do
			[ "$a" = "$n" ] || [ "$a" = "${d##*/}" ] && keep=1
		done
		[ "$keep" = 1 ] || continue
	fi
	if [ ! -f "$d/expect" ]; then
		if [ -f "$d/main.c" ] || [ -f "$d/run" ]; then
			echo "FAIL $n: no expect file in $d"
			failed=1
		fi
		continue
	fi
	dirs+=("$d")
	names+=("$n")
done

mkdir -p "$OUT"
pids=()
stop_all()
{
	local p
	trap '' INT TERM # a second ^C must not cut this short
	for p in "${pids[@]}"; do
		[ -n "$p" ] && kill_tree "$p"
	done
	exit 130
}
trap stop_all INT TERM

# Launch up to JOBS tests at once; print reports in list order as they
# complete.
next=0
print_ready()
{
	while [ "$next" -lt "${#names[@]}" ] &&
	      [ -f "$OUT/${names[$next]}/report" ]; do
		cat "$OUT/${names[$next]}/report"
		pids[$next]=""
		next=$((next + 1))
	done
}
running=0
for n in "${names[@]}"; do
	rm -f "$OUT/$n/report"
done
for i in "${!names[@]}"; do
	while [ "$running" -ge "$JOBS" ]; do
		wait -n
		running=$((running - 1))
		print_ready
	done
	run_test "${dirs[$i]}" "${names[$i]}" &
	pids[$i]=$!
	running=$((running + 1))
done
wait
print_ready

for n in "${names[@]}"; do
	grep -q '^PASS ' "$OUT/$n/report" 2>/dev/null || failed=1
done
exit "$failed"
