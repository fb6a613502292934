#!/bin/bash
# tap networking inside a network namespace this script creates (and
# deletes): a tap device whose host end is 10.0.5.1/24, QEMU started inside
# the namespace with `kiln run --tap`. Static settings from HERMIT_* and
# from --ip (the network test kernel pings 10.0.5.1 and echoes TCP to a
# client in the namespace), then DHCP from Debian's dnsmasq, started here
# inside the namespace: the lease's address, gateway and DNS server logged
# by the guest and in its /etc/resolv.conf, a name the application looks up
# with musl's getaddrinfo, and a name lwIP's resolver asks dnsmasq for
# (--no-ping: dnsmasq would
# otherwise spend 3 s checking the address before offering it). SKIPs when not root or without
# ip, /dev/net/tun or dnsmasq. Sourced by tests/net/run.sh (its helpers).

ns=kiln-net-$$
tap=ktap0
dnsmasq_pid=""

tap_cleanup() {
	[ -n "$dnsmasq_pid" ] && kill "$dnsmasq_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}

tap_setup() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
	command -v ip >/dev/null || { echo "no ip (iproute2)"; return 1; }
	[ -c /dev/net/tun ] || { echo "no /dev/net/tun"; return 1; }
	ip netns add "$ns" 2>&1 || return 1
	ip netns exec "$ns" ip link set lo up &&
		ip netns exec "$ns" ip tuntap add dev "$tap" mode tap &&
		ip netns exec "$ns" ip addr add 10.0.5.1/24 dev "$tap" &&
		ip netns exec "$ns" ip link set "$tap" up 2>&1
}

# tap_echo NAME GUEST-IP VARS KILN-RUN-OPTIONS...: the network test kernel
# on the tap device (VARS: K=V words for its environment), pinging
# 10.0.5.1 and echoing to a client inside the namespace.
tap_echo() {
	local n=net_tap_$1 out=$dir/tap-$1 pid i line guest=$2 vars=$3
	shift 3
	# shellcheck disable=SC2086 # VARS are words
	ip netns exec "$ns" env KILN_LIBDIR="$lib" $vars timeout -k 5 40 \
		"$KILN" run --timeout 30 --tap "$tap" "$@" "$dir/net.img" \
		>"$out" 2>&1 </dev/null &
	pid=$!
	for i in $(seq 300); do
		grep -q '^net: echo ready' "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	check "${n}_address" "$out" \
		"^\[0\]\[INFO\] Assigned a new IPv4 address: ${guest//./\\.}/24\$"
	check "${n}_ping" "$out" '^net: ping 10\.0\.5\.1: reply'
	line=$(ip netns exec "$ns" timeout 10 bash -c \
		"exec 3<>/dev/tcp/$guest/7 && echo tap-echo >&3 &&
		 read -r -t 5 l <&3 && echo \"\$l\" && echo quit >&3" 2>&1)
	if [ "$line" = tap-echo ]; then echo "PASS ${n}_echo"; else
		echo "FAIL ${n}_echo: got '$line'"
		sed 's/^/    | /' "$out" | tail -10
	fi
	wait "$pid"
	status "${n}_status" $? 0 "$out"
}

tap_dhcp() {
	local out=$dir/tap-dhcp leases=$dir/dnsmasq.leases
	if ! command -v dnsmasq >/dev/null; then
		echo "SKIP net_tap_dhcp: no dnsmasq (apt-get install dnsmasq-base)"
		return
	fi
	rm -f "$leases"
	ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null \
		--user=root --interface="$tap" --bind-interfaces --no-ping \
		--no-resolv --no-hosts --address=/kiln.test/10.0.5.9 \
		--dhcp-host=52:54:00:12:34:56,10.0.5.55 \
		--dhcp-range=10.0.5.50,10.0.5.59,255.255.255.0,1h \
		--dhcp-option=option:router,10.0.5.1 \
		--dhcp-option=option:dns-server,10.0.5.1 \
		--dhcp-leasefile="$leases" >"$dir/dnsmasq.log" 2>&1 &
	dnsmasq_pid=$!
	sleep 0.5
	run_bounded 40 "$out" null ip netns exec "$ns" "$KILN" run \
		--timeout 30 --tap "$tap" "$dir/resolv.img" -- kiln.test \
		nosuch.kiln
	status net_tap_dhcp_status $? 0 "$out"
	check net_tap_dhcp_address "$out" \
		'^\[0\]\[INFO\] Assigned a new IPv4 address: 10\.0\.5\.55/24$'
	check net_tap_dhcp_gateway "$out" \
		'^\[0\]\[INFO\] Default gateway: 10\.0\.5\.1$'
	check net_tap_dhcp_dns "$out" '^\[0\]\[INFO\]   10\.0\.5\.1$'
	check net_tap_dhcp_resolv_conf "$out" '^resolv: nameserver 10\.0\.5\.1$'
	check net_tap_getaddrinfo "$out" '^resolv: kiln\.test is 10\.0\.5\.9$'
	check net_tap_getaddrinfo_unknown "$out" '^resolv: nosuch\.kiln: '
	if grep -q "52:54:00:12:34:56" "$leases" 2>/dev/null; then
		echo "PASS net_tap_dhcp_lease"
	else
		echo "FAIL net_tap_dhcp_lease: dnsmasq recorded no lease"
		sed 's/^/    | /' "$dir/dnsmasq.log" | tail -5
	fi
	# The same lease to the test kernel, whose lwIP asks dnsmasq for a
	# name.
	tap_echo dhcp_kernel 10.0.5.55 ""
	check net_tap_dhcp_dns_lookup "$dir/tap-dhcp_kernel" \
		'^net: dns kiln\.test is 10\.0\.5\.9$'
	kill "$dnsmasq_pid" 2>/dev/null
	wait "$dnsmasq_pid" 2>/dev/null
	dnsmasq_pid=""
}

if why=$(tap_setup); then
	tap_echo hermit 10.0.5.3 "HERMIT_IP=10.0.5.3 HERMIT_GATEWAY=10.0.5.1 HERMIT_MASK=255.255.255.0"
	tap_echo ip 10.0.5.4 "" --ip 10.0.5.4/24 --gateway 10.0.5.1
	tap_dhcp
else
	echo "SKIP net_tap: ${why:-cannot create a network namespace}"
fi
tap_cleanup
