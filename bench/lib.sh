# bench/lib.sh: samples, statistics and table cells for bench/run.sh
# (sourced). Needs TIMER (build/bench/timer) and SAMPLES (a directory).
#
# A sample series is a key: SAMPLES/KEY.ns and SAMPLES/KEY.rss hold one
# value per successful run; SAMPLES/KEY.fail the reason of the first failed
# run, after which the series takes no more samples.

progress() { echo "bench: $*" >&2; }

# sample KEY TIMEOUT STATUS MATCH [-p PORT] CMD...: time one run of CMD
# (fork to exit) that must end with STATUS within TIMEOUT seconds and print
# MATCH (unless empty). With -p PORT, CMD is a server: fork until a byte
# sent to 127.0.0.1:PORT comes back, then it is killed (bench/timer.c).
sample() {
	local key=$1 opts=(-t "$2" -s "$3" -o "$SAMPLES/$1.out") out
	[ -n "$4" ] && opts+=(-m "$4")
	shift 4
	if [ "$1" = -p ]; then
		opts+=(-p "$2")
		shift 2
	fi
	[ -e "$SAMPLES/$key.fail" ] && return 1
	out=$("$TIMER" "${opts[@]}" -- "$@")
	case $out in
	[0-9]*\ [0-9]*) ;;
	FAIL\ *)
		echo "${out#FAIL }" >"$SAMPLES/$key.fail"
		return 1 ;;
	*)
		echo "timer did not run" >"$SAMPLES/$key.fail"
		return 1 ;;
	esac
	echo "${out% *}" >>"$SAMPLES/$key.ns"
	echo "${out#* }" >>"$SAMPLES/$key.rss"
}

# fail_series KEY REASON: mark a series as not measurable.
fail_series() { echo "$2" >"$SAMPLES/$1.fail"; }

# stats FILE: "median min max n" of the numbers in FILE, nothing if empty.
stats() {
	[ -s "$1" ] || return 1
	sort -g "$1" | awk '{ a[NR] = $1 } END {
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.17g %.17g %.17g %d\n", m, a[1], a[NR], NR }'
}

# median KEY [EXT]: the series' median (ns by default), nothing on failure.
median() {
	[ -e "$SAMPLES/$1.fail" ] && return 1
	local s
	s=$(stats "$SAMPLES/$1.${2:-ns}") || return 1
	echo "${s%% *}"
}

# fmt_ms NS [DIGITS_LIKE]: milliseconds with 3 significant digits (at least
# integral milliseconds), decimals chosen by the second value if given.
fmt_ms() {
	awk -v v="$1" -v ref="${2:-$1}" 'BEGIN {
		ms = v / 1e6; r = ref / 1e6
		d = r < 1 ? 3 : r < 10 ? 2 : r < 100 ? 1 : 0
		printf "%.*f", d, ms }'
}

# cell_series KEY EXT FORMAT UNIT: "median (min–max, N=n)" of a series with
# FORMAT a function turning one value into text, or FAIL (reason).
cell_series() {
	local key=$1 ext=$2 fmt=$3 unit=$4 s m lo hi n
	if [ -e "$SAMPLES/$key.fail" ]; then
		echo "FAIL ($(head -1 "$SAMPLES/$key.fail"))"
		return
	fi
	s=$(stats "$SAMPLES/$key.$ext") || { echo "FAIL (no samples)"; return; }
	read -r m lo hi n <<<"$s"
	echo "$($fmt "$m" "$m") $unit ($($fmt "$lo" "$m")–$($fmt "$hi" "$m"), N=$n)"
}

cell_ms() { cell_series "$1" ns fmt_ms ms; }

fmt_mib() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }
cell_rss() { cell_series "$1" rss fmt_mib MiB; }

# ratio A B: A / B as "0.041×", or "—" when either is missing or B is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) { print "—"; exit }
		r = a / b
		printf r < 0.1 ? "%.3f×\n" : r < 10 ? "%.2f×\n" : "%.0f×\n", r }'
}

# bytes N: "86712 B (84.7 KiB)"; KiB, MiB as the size asks.
bytes() {
	awk -v n="$1" 'BEGIN {
		if (n >= 1048576) printf "%d B (%.1f MiB)\n", n, n / 1048576
		else printf "%d B (%.1f KiB)\n", n, n / 1024 }'
}

# stripped_size FILE: bytes of FILE after `strip`, nothing on failure.
stripped_size() {
	[ -f "$1" ] || return 1
	strip -o "$SAMPLES/stripped" "$1" 2>/dev/null || return 1
	stat -c %s "$SAMPLES/stripped"
}

# stripped_image_size PROGRAM: bytes of the image kiln makes from PROGRAM when
# both are stripped, program and kernel ("kernel + app, stripped"): the
# program is stripped, packed, and the image stripped of the kernel's
# symbols. Returns 1 when a step fails. The kernel is the one kiln pack
# picks for the unstripped program (without networking when it defines no
# socket()): a stripped program alone would always get the full one.
stripped_image_size() {
	local net=--net
	[ -f "$1" ] || return 1
	nm "$1" >"$SAMPLES/nm" 2>/dev/null && [ -s "$SAMPLES/nm" ] &&
		awk '$3 == "socket" { f = 1 } END { exit f }' "$SAMPLES/nm" &&
		net=--no-net
	strip -o "$SAMPLES/app" "$1" 2>/dev/null || return 1
	"$KILN" pack "$SAMPLES/app" "$net" -o "$SAMPLES/app.img" >/dev/null 2>&1 ||
		return 1
	stripped_size "$SAMPLES/app.img"
}

# bisect_mem TRY HI: the smallest MiB count M in 1..HI for which `TRY M`
# succeeds, assuming more memory never hurts; HI is tried first. Each try
# must bound its own time. Prints M, or "FAIL (reason)".
bisect_mem() {
	local try=$1 lo=0 hi=$2 mid
	if ! $try "$hi"; then
		echo "FAIL (does not run even in $hi MiB)"
		return
	fi
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if $try "$mid"; then
			hi=$mid
		else
			lo=$mid
		fi
	done
	echo "$hi"
}
