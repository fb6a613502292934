#!/bin/bash
# The NIC drivers against QEMU's user-mode network (restrict=on): for each
# of virtio (modern), virtio-legacy and rtl8139, the NIC test kernel (the
# real kernel objects, exec replaced by tests/nic/nic_exec.c) sends ARP
# requests for 10.0.2.2 and a DHCP DISCOVER, takes QEMU's ARP reply and
# DHCP OFFER by interrupt, and reports them with the device's counters.
# Then hello on the real kernel with no NIC: no driver lines, boot
# unchanged; its verbose log gives the PCI enumeration time (a figure,
# printed, never a pass/fail threshold).
set -u
BUILD=${BUILD:-build}
. tests/boot/lib.sh
trap stop_bounded INT TERM
dir=$BUILD/tests/nic
lib=$dir/libdir
mkdir -p "$lib"
cp "$BUILD/loader.elf" "$lib/loader.elf"
cp "$dir/kernel.elf" "$lib/kernel.elf"
printf 'int main(void){return 0;}\n' >"$dir/app.c"
"$MUSL_GCC" -static -O2 -o "$dir/app" "$dir/app.c" ||
	{ echo "FAIL nic_build: musl-gcc"; exit 0; }
KILN_LIBDIR=$lib "$BUILD/kiln" pack "$dir/app" -o "$dir/nic.img" ||
	{ echo "FAIL nic_pack: kiln pack"; exit 0; }

# check NAME OUT PATTERN: PASS when some line of OUT matches (grep -E).
check() {
	if grep -qE "$3" "$2"; then
		echo "PASS $1"
	else
		echo "FAIL $1: no line matching '$3'"
		sed 's/^/    | /' "$2" | tail -20
	fi
}

# nic TYPE DRIVER-LINE: one NIC type end to end.
nic() {
	local t=$1 n=nic_${1//-/_} out=$dir/out-$1 st
	run_bounded 40 "$out" null env KILN_LIBDIR="$lib" "$BUILD/kiln" run \
		--timeout 30 --nic "$t" "$dir/nic.img"
	st=$?
	if [ "$st" = 0 ]; then echo "PASS ${n}_status"; else
		echo "FAIL ${n}_status: status $st, expected 0"
		sed 's/^/    | /' "$out" | tail -20
	fi
	check "${n}_driver" "$out" "^\[0\]\[INFO\] $2"
	check "${n}_mac_mtu" "$out" \
		'^\[0\]\[INFO\] eth0: MAC address 52:54:00:12:34:56, MTU 1500, link up$'
	local lines
	lines=$(grep -cE '^\[0\]\[INFO\] (virtio|rtl8139|eth0)' "$out")
	if [ "$lines" = 2 ]; then echo "PASS ${n}_two_log_lines"; else
		echo "FAIL ${n}_two_log_lines: $lines driver lines"; fi
	check "${n}_arp_reply" "$out" \
		'^nic: ARP reply: 10\.0\.2\.2 is at 52:55:0a:00:02:02$'
	check "${n}_dhcp_offer" "$out" \
		'^nic: DHCP offer: address 10\.0\.2\.15, server 10\.0\.2\.2$'
	# 20 ARP requests and a DISCOVER: more than any TX ring holds.
	check "${n}_tx_reclaimed" "$out" \
		'^nic: stats .* tx_packets (2[1-9]|[3-9][0-9]) .* tx_errors 0$'
	check "${n}_rx_clean" "$out" \
		'^nic: stats rx_packets [1-9][0-9]* .* rx_dropped 0 rx_bad_len 0 '
	check "${n}_interrupts" "$out" '^nic: device interrupts [1-9]'
	grep '^nic: stats' "$out" | sed "s/^nic:/    $t:/"
}

at='at PCI [0-9a-f:.]+:'
nic virtio "virtio-net 1af4:1041 $at virtio 1\\.x, MSI-X, .*driver ready"
nic virtio-legacy "virtio-net 1af4:1000 $at legacy virtio, INTx, .*driver ready"
nic rtl8139 "rtl8139 10ec:8139 $at INTx, driver ready"


# No NIC: the real kernel and hello, as every other boot test runs them.
out=$dir/out-none
run_bounded 30 "$out" null "$BUILD/kiln" run --timeout 20 --nic none \
	--verbose "$BUILD/examples/hello.img"
st=$?
if [ "$st" = 0 ]; then echo "PASS nic_none_status"; else
	echo "FAIL nic_none_status: status $st, expected 0"; fi
check nic_none_hello "$out" '^Hello World!$'
drivers='virtio|rtl8139|eth[0-9]|netdev'
if grep -qE "$drivers" "$out"; then
	echo "FAIL nic_none_no_driver_lines: $(grep -E "$drivers" "$out" | head -1)"
else
	echo "PASS nic_none_no_driver_lines"
fi
grep -E 'PCI: .* functions' "$out" | sed 's/^.*\] /    no NIC: /'
