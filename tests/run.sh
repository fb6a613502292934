#!/bin/sh
# The test runner behind `make test`: unit test binaries, then tests/*/run.sh.
#
#   BUILD=build UNIT_TESTS="a b" sh tests/run.sh
#
# Every test program or script prints lines "PASS <name>", "FAIL <name>:
# <why>" or "SKIP <name>: <why>". This runner shows their output, counts
# those lines, and turns a program that exits non-zero without a FAIL line
# into one failure. The last line it prints is the total,
# "N passed, N failed" (", N skipped" when something was skipped), and its
# exit status is non-zero when anything failed.
#
# TEST_GROUPS="unit boot" limits the run to those groups (the folder names
# under tests/, "unit" for the unit binaries). TEST_SCRIPT_TIMEOUT bounds
# each script (seconds, default 1500); the scripts bound their own VMs.

BUILD=${BUILD:-build}
export BUILD
UNIT_TESTS=${UNIT_TESTS:-}
TEST_SCRIPT_TIMEOUT=${TEST_SCRIPT_TIMEOUT:-1500}

total_pass=0
total_fail=0
total_skip=0
start=$(date +%s)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

want_group()
{
	[ -z "${TEST_GROUPS:-}" ] && return 0
	for g in $TEST_GROUPS; do
		[ "$g" = "$1" ] && return 0
	done
	return 1
}

# count FILE: sets pass, fail, skip from the result lines in FILE.
count()
{
	pass=$(grep -c '^PASS ' "$1")
	fail=$(grep -c '^FAIL ' "$1")
	skip=$(grep -c '^SKIP ' "$1")
}

# run_one NAME CMD...: runs CMD with its output shown as it comes and kept
# in $tmp/out, then adds its results to the group counters.
run_one()
{
	name=$1
	shift
	{
		# --foreground: stay in make's process group so ^C reaches
		# the script, which then stops its own VMs by PID.
		timeout --foreground -k 10 "$TEST_SCRIPT_TIMEOUT" "$@" \
			</dev/null 2>&1
		echo $? >"$tmp/rc"
	} | tee "$tmp/out"
	rc=$(cat "$tmp/rc")
	count "$tmp/out"
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		if [ "$rc" -eq 124 ]; then
			echo "FAIL $name: timed out after ${TEST_SCRIPT_TIMEOUT}s"
		else
			echo "FAIL $name: exited $rc"
		fi
		fail=1
	fi
	g_pass=$((g_pass + pass))
	g_fail=$((g_fail + fail))
	g_skip=$((g_skip + skip))
}

# group_done NAME STARTED: prints the group's one-line summary.
group_done()
{
	printf '== %s: %d passed, %d failed, %d skipped (%ds)\n\n' "$1" \
		"$g_pass" "$g_fail" "$g_skip" $(($(date +%s) - $2))
	total_pass=$((total_pass + g_pass))
	total_fail=$((total_fail + g_fail))
	total_skip=$((total_skip + g_skip))
}

if want_group unit && [ -n "$UNIT_TESTS" ]; then
	echo "== unit"
	g_pass=0 g_fail=0 g_skip=0 g_start=$(date +%s)
	for t in $UNIT_TESTS; do
		bin=$BUILD/tests/unit/$t
		if [ ! -x "$bin" ]; then
			echo "FAIL $t: $bin missing"
			g_fail=$((g_fail + 1))
			continue
		fi
		run_one "$t" "$bin"
	done
	group_done unit "$g_start"
fi

# Sorted in the C locale so the order is the same on every machine.
for script in $(LC_ALL=C ls tests/*/run.sh 2>/dev/null | LC_ALL=C sort); do
	group=${script#tests/}
	group=${group%/run.sh}
	want_group "$group" || continue
	echo "== $group ($script)"
	g_pass=0 g_fail=0 g_skip=0 g_start=$(date +%s)
	# Each script says which shell it wants on its first line.
	case $(head -n 1 "$script") in
	*bash*) run_one "$script" bash "$script" ;;
	*) run_one "$script" sh "$script" ;;
	esac
	group_done "$group" "$g_start"
done

echo "wall time: $(($(date +%s) - start))s"
if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
