#!/bin/bash
# The network stack (lwIP, the netif glue, DHCP, static settings) on QEMU's
# user-mode network (restrict=on; forwarded ports on 127.0.0.1 only):
# - hello on the real kernel with each NIC type: DHCP's address logged;
# - the network test kernel (tests/net/net_exec.c in place of exec) on each
#   NIC type: lwIP pings the gateway (ARP, ICMP) and serves TCP echo,
#   which this script talks to through `kiln run -p` (a line, then 4 MiB
#   compared byte for byte);
# - static settings from kiln run --ip/--gateway/--dns and from HERMIT_*:
#   logged, and /etc/resolv.conf as the application reads it;
# - a malformed address refused with one line, by kiln (HERMIT_IP, before
#   QEMU) and by the kernel (ip= given by hand);
# - tap networking in a network namespace this script creates
#   (tests/net/tap.sh): static via HERMIT_* and --ip, DHCP from dnsmasq;
# - no NIC: no network lines. Figures: hello's wall time with and without
#   a NIC, and the echo server's ready time (printed, never thresholds).
set -u
BUILD=${BUILD:-build}
. tests/boot/lib.sh
trap 'tap_cleanup; stop_bounded' INT TERM
dir=$BUILD/tests/net
lib=$dir/libdir
KILN=$BUILD/kiln
mkdir -p "$lib"
cp "$BUILD/loader.elf" "$lib/loader.elf"
cp "$dir/kernel.elf" "$lib/kernel.elf"
printf 'int main(void){return 0;}\n' >"$dir/app.c"
# resolv [NAME...]: prints /etc/resolv.conf, then looks each NAME up with
# musl's getaddrinfo (UDP to the servers resolv.conf names, through the
# guest's sockets).
cat >"$dir/resolv.c" <<'EOC'
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
int main(int argc, char **argv)
{
	char line[256];
	FILE *f = fopen("/etc/resolv.conf", "r");

	if (!f)
		puts("resolv: none");
	while (f && fgets(line, sizeof line, f))
		printf("resolv: %s", line);
	for (int i = 1; i < argc; i++) {
		struct addrinfo hints = {.ai_family = AF_INET,
					 .ai_socktype = SOCK_STREAM}, *ai;
		int err = getaddrinfo(argv[i], "80", &hints, &ai);

		if (err) {
			printf("resolv: %s: %s\n", argv[i], gai_strerror(err));
			continue;
		}
		for (struct addrinfo *p = ai; p; p = p->ai_next) {
			struct sockaddr_in *sin = (void *)p->ai_addr;
			printf("resolv: %s is %s\n", argv[i],
			       inet_ntoa(sin->sin_addr));
		}
		freeaddrinfo(ai);
	}
	return 0;
}
EOC
for p in app resolv; do
	"$MUSL_GCC" -static -O2 -o "$dir/$p" "$dir/$p.c" ||
		{ echo "FAIL net_build: musl-gcc $p"; exit 0; }
done
# hello never calls socket(): kiln pack would give it the kernel without
# networking, so these boots ask for the full one (--net).
KILN_LIBDIR=$lib "$KILN" pack "$dir/app" -o "$dir/net.img" &&
	"$KILN" pack "$dir/resolv" -o "$dir/resolv.img" &&
	"$KILN" pack --net "$BUILD/examples/hello" -o "$dir/hello-net.img" ||
	{ echo "FAIL net_pack: kiln pack"; exit 0; }
head -c $((4 << 20)) /dev/urandom >"$dir/blob"

# check NAME OUT PATTERN: PASS when some line of OUT matches (grep -E).
check() {
	if grep -qE "$3" "$2"; then
		echo "PASS $1"
	else
		echo "FAIL $1: no line matching '$3'"
		sed 's/^/    | /' "$2" | tail -20
	fi
}

# check_not NAME OUT PATTERN: PASS when no line of OUT matches.
check_not() {
	if grep -qE "$3" "$2"; then
		echo "FAIL $1: a line matches '$3'"
		grep -E "$3" "$2" | sed 's/^/    | /' | head -5
	else
		echo "PASS $1"
	fi
}

# status NAME GOT WANT OUT
status() {
	if [ "$2" = "$3" ]; then echo "PASS $1"; else
		echo "FAIL $1: status $2, expected $3"
		sed 's/^/    | /' "$4" | tail -20
	fi
}

ms() { echo $(($(date +%s%N) / 1000000)); }

# dhcp TYPE: hello on the real kernel, DHCP's lease logged.
dhcp() {
	local n=net_${1//-/_}_dhcp out=$dir/dhcp-$1 st
	run_bounded 40 "$out" null "$KILN" run --timeout 30 --nic "$1" \
		"$dir/hello-net.img"
	st=$?
	status "${n}_status" "$st" 0 "$out"
	check "${n}_address" "$out" \
		'^\[0\]\[INFO\] Assigned a new IPv4 address: 10\.0\.2\.15/24$'
	check "${n}_hello" "$out" '^Hello World!$'
}

# echo_test TYPE [NAME KILN-RUN-OPTION...]: the network test kernel,
# pinged and echoing over -p.
echo_test() {
	local t=$1 n=net_${2:-${1//-/_}} out=$dir/echo-${2:-$1} port pid st i line
	shift
	shift
	# A port free now, chosen by the host's kernel: a random one in
	# 20000-39999 overlaps the ephemeral range, where other tests'
	# connections often hold it.
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	KILN_LIBDIR=$lib timeout -k 5 60 "$KILN" run --timeout 50 --nic "$t" \
		-p "$port:7" "$@" "$dir/net.img" >"$out" 2>&1 </dev/null &
	pid=$!
	for i in $(seq 300); do
		grep -q '^net: echo ready' "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	check "${n}_ping" "$out" '^net: ping 10\.0\.2\.2: reply'
	if ! grep -q '^net: echo ready' "$out"; then
		echo "FAIL ${n}_echo: the server never became ready"
		sed 's/^/    | /' "$out" | tail -20
		kill_tree "$pid"
		wait "$pid" 2>/dev/null
		return
	fi
	grep '^net: echo ready' "$out" | sed "s/^net:/    $t: figure:/"
	# bash's /dev/tcp: nothing beyond the shell is needed on the host.
	if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
		echo "kiln says hello" >&3
		line=""
		read -r -t 10 line <&3
		if [ "$line" = "kiln says hello" ]; then echo "PASS ${n}_echo_line"
		else echo "FAIL ${n}_echo_line: got '$line'"; fi
		local t0 t1
		t0=$(ms)
		cat "$dir/blob" >&3 &
		timeout 30 head -c $((4 << 20)) <&3 >"$dir/blob.back"
		t1=$(ms)
		wait $!
		if cmp -s "$dir/blob" "$dir/blob.back"; then
			echo "PASS ${n}_echo_4mib"
			echo "    $t: figure: 4 MiB echoed in $((t1 - t0)) ms"
		else
			echo "FAIL ${n}_echo_4mib: $(stat -c %s "$dir/blob.back") bytes came back, or they differ"
		fi
		echo quit >&3
		exec 3>&-
	else
		echo "FAIL ${n}_echo_line: cannot connect to 127.0.0.1:$port"
	fi
	wait "$pid"
	st=$?
	status "${n}_echo_status" "$st" 0 "$out"
}

for t in virtio virtio-legacy rtl8139; do
	dhcp "$t"
	echo_test "$t"
done
# The brief's smallest machine still serves.
echo_test virtio mem4m --mem 4M

# Static settings, from options and from HERMIT_*: no DHCP (its address
# would be .15), the files hook writes resolv.conf.
out=$dir/static-opts
run_bounded 40 "$out" null "$KILN" run --timeout 30 --nic virtio \
	--ip 10.0.2.20/24 --gateway 10.0.2.2 --dns 10.0.2.3,10.0.2.4 \
	"$dir/resolv.img"
status net_static_status $? 0 "$out"
check net_static_address "$out" \
	'^\[0\]\[INFO\] Assigned a new IPv4 address: 10\.0\.2\.20/24$'
check net_static_gateway "$out" '^\[0\]\[INFO\] Default gateway: 10\.0\.2\.2$'
check net_static_dns_logged "$out" '^\[0\]\[INFO\]   10\.0\.2\.4$'
check net_static_resolv_conf "$out" '^resolv: nameserver 10\.0\.2\.3$'
check net_static_resolv_conf2 "$out" '^resolv: nameserver 10\.0\.2\.4$'
check_not net_static_no_dhcp "$out" '10\.0\.2\.15'

out=$dir/static-env
run_bounded 40 "$out" null env HERMIT_IP=10.0.2.21 HERMIT_GATEWAY=10.0.2.2 \
	HERMIT_MASK=255.255.0.0 "$KILN" run --timeout 30 --nic rtl8139 \
	"$dir/resolv.img"
status net_hermit_status $? 0 "$out"
check net_hermit_address "$out" \
	'^\[0\]\[INFO\] Assigned a new IPv4 address: 10\.0\.2\.21/16$'
check net_hermit_no_dns "$out" '^\[0\]\[INFO\] DNS servers: none$'
check net_hermit_no_resolv "$out" '^resolv: none$'

# Malformed addresses: one line, status 2.
out=$dir/bad-env
run_bounded 20 "$out" null env HERMIT_IP=10.0.2.300 "$KILN" run \
	--timeout 10 --nic virtio "$dir/hello-net.img"
status net_bad_hermit_ip_status $? 2 "$out"
if [ "$(wc -l <"$out")" = 1 ] && grep -q "^kiln: HERMIT_IP: '10.0.2.300' is not an IPv4 address" "$out"; then
	echo "PASS net_bad_hermit_ip_one_line"
else
	echo "FAIL net_bad_hermit_ip_one_line: $(head -3 "$out")"
fi

out=$dir/bad-kernel
run_bounded 20 "$out" null "$KILN" run --timeout 10 --nic virtio \
	--qemu-arg -append --qemu-arg "ip=10.0.2 --" \
	"$dir/hello-net.img"
status net_bad_kernel_ip_status $? 2 "$out"
check net_bad_kernel_ip_line "$out" \
	"^\[0\]\[ERROR\] command line: ip: not an IPv4 address A\.B\.C\.D\[/len\]: '10\.0\.2'$"
check_not net_bad_kernel_ip_no_app "$out" 'Hello World|Assigned'

# A tap device in a network namespace of our own, static and DHCP.
. tests/net/tap.sh

# No NIC: nothing of the network, and what a NIC costs hello.
out=$dir/none
t0=$(ms)
run_bounded 30 "$out" null "$KILN" run --timeout 20 "$dir/hello-net.img"
st=$?
t1=$(ms)
status net_none_status "$st" 0 "$out"
check_not net_none_quiet "$out" 'IPv4|DNS|gateway|DHCP'
out=$dir/none-ip
run_bounded 30 "$out" null "$KILN" run --timeout 20 --ip 10.0.2.20/24 \
	"$dir/hello-net.img"
status net_none_ip_status $? 0 "$out"
check net_none_ip_warns "$out" \
	'^\[0\]\[WARN\] ip= given, but there is no network device$'
out2=$dir/with-nic
t2=$(ms)
run_bounded 30 "$out2" null "$KILN" run --timeout 20 --nic virtio \
	"$dir/hello-net.img"
t3=$(ms)
echo "    figure: hello wall time $((t1 - t0)) ms without a NIC, $((t3 - t2)) ms with virtio and DHCP"

# kiln pack's choice of kernel: hello (no socket()) gets the one without
# networking, smaller, and kiln run refuses a NIC for it before QEMU
# starts; echo gets the full one; --net overrides.
size_of() { stat -c %s "$1"; }
"$KILN" pack "$BUILD/examples/hello" -o "$dir/hello-auto.img" &&
	"$KILN" pack "$BUILD/examples/echo" -o "$dir/echo-auto.img" ||
	echo "FAIL net_pack_auto: kiln pack"
if [ "$(size_of "$dir/hello-auto.img")" -lt "$(size_of "$dir/hello-net.img")" ]; then
	echo "PASS net_pack_auto_min ($(size_of "$dir/hello-auto.img") vs $(size_of "$dir/hello-net.img") bytes)"
else
	echo "FAIL net_pack_auto_min: hello packed with the full kernel"
fi
out=$dir/refuse
"$KILN" run --timeout 10 -p 1:8080 "$dir/hello-auto.img" >"$out" 2>&1 </dev/null
status net_no_net_refused $? 2 "$out"
check net_no_net_refused_line "$out" 'packed without the network stack.*kiln pack --net'
out=$dir/min-runs
run_bounded 30 "$out" null "$KILN" run --timeout 20 "$dir/hello-auto.img"
status net_min_kernel_status $? 0 "$out"
check net_min_kernel_hello "$out" '^Hello World!$'
"$KILN" run --dry-run -p 1:8080 "$dir/echo-auto.img" >/dev/null 2>&1
status net_echo_auto_full $? 0 /dev/null
